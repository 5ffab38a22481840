//! What an entry can be found by: lowercased keys in a compact byte arena,
//! and the one-word character mask that rules most entries out for a term.

use gridbook_domain::romanize;

use super::pinyin;

/// The kind of a search key; it decides which match tiers apply and how the
/// matched part is highlighted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Class {
    /// The shown name (or household label), lowercased char by char.
    Name = 0,
    /// The name's pinyin: syllables with their readings (see `pinyin`),
    /// matched in full (`zhangsan`) and by initials (`zs`).
    Pinyin = 1,
    /// One of a person's tags (低保户, 独居老人 …).
    Tag = 2,
    /// A short code (area or building code) or a bare room number.
    Code = 3,
    /// The digits of one phone number.
    Phone = 4,
}

impl Class {
    fn from_u8(b: u8) -> Class {
        match b {
            0 => Class::Name,
            1 => Class::Pinyin,
            2 => Class::Tag,
            3 => Class::Code,
            _ => Class::Phone,
        }
    }
    /// Fuzzy (subsequence) matching only makes sense on names, not on
    /// numbers, codes or tags.
    pub fn fuzzy(self) -> bool {
        matches!(self, Class::Name | Class::Pinyin)
    }
    /// Codes and rooms match whole or by their start only: `50` should not find room `1502`.
    pub fn substring(self) -> bool {
        !matches!(self, Class::Code)
    }
    /// A small preference among keys that match equally well (pinyin keys
    /// score their own: see `pinyin`).
    pub fn bonus(self) -> u32 {
        match self {
            Class::Name => 5,
            Class::Pinyin => 4,
            Class::Tag | Class::Code => 3,
            Class::Phone => 2,
        }
    }
}

/// Case and width folding, one char in, one char out, so char indices into a
/// key are char indices into the shown text.
pub fn fold(c: char) -> char {
    let c = match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        'Ａ'..='Ｚ' => char::from_u32(c as u32 - 'Ａ' as u32 + 'a' as u32).unwrap_or(c),
        'ａ'..='ｚ' => char::from_u32(c as u32 - 'ａ' as u32 + 'a' as u32).unwrap_or(c),
        '－' | '—' | '–' | '‐' => '-',
        _ => c,
    };
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

#[cfg(test)]
fn fold_str(s: &str) -> String {
    s.chars().map(fold).collect()
}

/// One bit per letter and digit, the rest hashed into the remaining bits.
pub fn char_bit(c: char) -> u64 {
    match c {
        'a'..='z' => 1 << (c as u32 - 'a' as u32),
        '0'..='9' => 1 << (26 + c as u32 - '0' as u32),
        _ => {
            let h = (c as u32).wrapping_mul(0x9E37_79B1) >> 16;
            1 << (36 + h % 28)
        }
    }
}

pub fn mask_of(s: &str) -> u64 {
    s.chars().fold(0, |m, c| m | char_bit(c))
}

/// One of 128 bits for a pair of adjacent chars: digit pairs get a bit each
/// (phone numbers are where a pair rules out the most), other pairs are hashed.
pub fn pair_bit(a: char, b: char) -> u128 {
    match (a.to_digit(10), b.to_digit(10)) {
        (Some(x), Some(y)) if a.is_ascii_digit() && b.is_ascii_digit() => 1 << (x * 10 + y),
        _ => {
            let h = (a as u32).wrapping_mul(0x9E37_79B1) ^ (b as u32).wrapping_mul(0x85EB_CA6B);
            1 << (h.wrapping_mul(0xC2B2_AE35) >> 25)
        }
    }
}

/// Adjacent pairs in `s`: every exact, prefix or substring match of a term
/// needs all of the term's pairs in one key.
pub fn pairs_of(s: &str) -> u128 {
    let mut m = 0;
    let mut prev = None;
    for c in s.chars() {
        if let Some(p) = prev {
            m |= pair_bit(p, c);
        }
        prev = Some(c);
    }
    m
}

/// Most bytes one key can have: its length is stored in one byte.
const MAX_KEY: usize = 255;

/// Keys of one entry while it is being built: `(class, bytes)`, text keys
/// folded, in the order they are matched (phones last).
#[derive(Default)]
pub struct KeySet {
    pub keys: Vec<(Class, Vec<u8>)>,
}

impl KeySet {
    pub fn push(&mut self, class: Class, text: &str) {
        let t: String = text
            .chars()
            .map(fold)
            .filter(|c| !c.is_whitespace())
            .collect();
        if t.is_empty()
            || self
                .keys
                .iter()
                .any(|(c, k)| *c == class && *k == t.as_bytes())
        {
            return;
        }
        // No real name or code comes close to the limit; cut on a char boundary.
        let mut t = t;
        while t.len() > MAX_KEY {
            t.pop();
        }
        self.keys.push((class, t.into_bytes()));
    }

    /// The pinyin of a text, every reading of each character.
    fn pinyin(&mut self, text: &str, as_name: bool) {
        if text.is_ascii() {
            return;
        }
        let mut key = Vec::new();
        pinyin::encode(&romanize::readings(text, as_name), MAX_KEY, &mut key);
        if !key.is_empty() {
            self.keys.push((Class::Pinyin, key));
        }
    }

    /// A person's name: itself and its pinyin (the surname read as a surname).
    pub fn person(&mut self, name: &str) {
        self.push(Class::Name, name);
        self.pinyin(name, true);
    }

    /// A place name with its code: 胜利花苑 (slhy), 3栋 (3).
    pub fn place(&mut self, name: &str, code: &str) {
        self.push(Class::Name, name);
        self.push(Class::Code, code);
        self.pinyin(name, false);
    }

    /// A person's tag. Push tags before phones.
    pub fn tag(&mut self, tag: &str) {
        self.push(Class::Tag, tag);
    }

    pub fn phone(&mut self, phone: &str) {
        let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
        self.push(Class::Phone, &digits);
    }

    pub fn mask(&self) -> u64 {
        self.keys.iter().fold(0, |m, (class, k)| match class {
            Class::Pinyin => {
                let mut m = m;
                pinyin::each_reading(k, |_, t| m |= mask_of(&String::from_utf8_lossy(t)));
                m
            }
            _ => m | mask_of(&String::from_utf8_lossy(k)),
        })
    }

    pub fn pairs(&self) -> u128 {
        self.keys.iter().fold(0, |m, (class, k)| match class {
            Class::Pinyin => m | pinyin::pairs(k),
            _ => m | pairs_of(&String::from_utf8_lossy(k)),
        })
    }

    /// Appends the keys to `arena` as `class, len, bytes…` records.
    pub fn write(&self, arena: &mut Vec<u8>) {
        for (class, k) in &self.keys {
            // The top bits say whether a text key is all ASCII or has none, so
            // a term that cannot occur in it skips it without a look.
            let flags = if *class == Class::Pinyin {
                0
            } else if k.is_ascii() {
                ALL_ASCII
            } else if k.iter().all(|b| *b >= 0x80) {
                NO_ASCII
            } else {
                0
            };
            arena.push(*class as u8 | flags);
            arena.push(k.len() as u8);
            arena.extend_from_slice(k);
        }
    }
}

const ALL_ASCII: u8 = 0x40;
const NO_ASCII: u8 = 0x80;

/// Walks the key records of one entry.
pub struct Keys<'a> {
    bytes: &'a [u8],
}

impl<'a> Keys<'a> {
    pub fn new(bytes: &'a [u8]) -> Keys<'a> {
        Keys { bytes }
    }
}

impl<'a> Iterator for Keys<'a> {
    type Item = (Class, &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        let (&class, rest) = self.bytes.split_first()?;
        let (&len, rest) = rest.split_first()?;
        let len = (len as usize).min(rest.len());
        let (key, rest) = rest.split_at(len);
        self.bytes = rest;
        Some((Class::from_u8(class & 0x3f), key))
    }
}

impl<'a> Keys<'a> {
    /// Like `next`, with whether the key is all ASCII and whether it has no ASCII at all.
    pub fn next_flagged(&mut self) -> Option<(Class, &'a [u8], bool, bool)> {
        let flags = *self.bytes.first()?;
        let (class, key) = self.next()?;
        Some((class, key, flags & ALL_ASCII != 0, flags & NO_ASCII != 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_one_char_per_char() {
        assert_eq!(fold_str("Ｌｉ３栋"), "li3栋");
        assert_eq!(fold_str("İx").chars().count(), 2);
    }

    #[test]
    fn keys_round_trip_through_the_arena() {
        let mut k = KeySet::default();
        k.person("单田芳");
        k.tag("低保户");
        k.phone("0546-8312345");
        let mut arena = Vec::new();
        k.write(&mut arena);
        let back: Vec<(Class, Vec<u8>)> = Keys::new(&arena).map(|(c, b)| (c, b.to_vec())).collect();
        assert_eq!(back, k.keys);
        let classes: Vec<Class> = back.iter().map(|(c, _)| *c).collect();
        assert_eq!(
            classes,
            vec![Class::Name, Class::Pinyin, Class::Tag, Class::Phone]
        );
        assert_eq!(back[0].1, "单田芳".as_bytes());
        assert_eq!(back[2].1, "低保户".as_bytes());
        assert_eq!(back[3].1, b"05468312345");
        // The mask knows every reading: shan and dan (and chan).
        for c in ['s', 'h', 'd', 'c', 't', 'f'] {
            assert_ne!(k.mask() & char_bit(c), 0, "{c}");
        }
        assert_eq!(k.mask() & char_bit('z'), 0);
    }
}
