//! A name's pinyin as one key: a sequence of syllables, each with the few
//! readings its character has (长 zhang|chang), matched by walking it, so a
//! name with several polyphonic characters costs a few bytes more, not a key
//! per combination.
//!
//! Layout of the key bytes, one slot per character read:
//!
//! ```text
//! key  := slots first slot+      (slots: how many; first: the bytes of every
//!                                 slot's first reading, i.e. the main spelling)
//! slot := head alt+
//! head := alternatives (low 4 bits, 1..=15) | characters skipped before this one (high 4 bits)
//! alt  := length (low 7 bits) | 0x80 when primary, then the reading's bytes
//! ```
//!
//! A term matches the full spelling (`wangchangming`, a prefix `wangch`, or
//! from inside `changming`) or the initials (`wcm`), through any reading of
//! each syllable. A match through primary readings only (the surname reading
//! in surname position, else the most common one) ranks before one that needs
//! another reading.

use gridbook_domain::romanize::Reading;
use nucleo_matcher::Matcher;

use super::{Term, fuzzy_match, keys, score, subsequence};

const PRIMARY: u8 = 0x80;
/// Slots beyond this are not stored: no name has that many characters.
const MAX_SLOTS: usize = 64;
/// Fuzzy matching spells out at most this many combinations of readings.
const MAX_SPELLINGS: usize = 16;
/// Key bonuses (see `Class::bonus`): pinyin through primary readings ranks
/// just below the name itself; through any other reading, below codes,
/// tags and phones.
const BONUS_PRIMARY: u32 = 4;
const BONUS_OTHER: u32 = 1;

/// Encodes readings (consecutive ones with the same `at` are one slot) into
/// `out`, at most `max` bytes, whole slots only.
pub fn encode(readings: &[Reading], max: usize, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(&[0, 0]);
    let mut first_total = 0usize;
    let mut prev_at: Option<usize> = None;
    let mut slots = 0;
    let mut i = 0;
    while i < readings.len() && slots < MAX_SLOTS {
        let at = readings[i].at;
        let group = readings[i..].iter().take_while(|r| r.at == at).count();
        let skip = match prev_at {
            None => at,
            Some(p) => at.saturating_sub(p + 1),
        };
        if skip > 15 {
            break;
        }
        let slot = out.len();
        out.push(0);
        let mut n = 0u8;
        for r in readings[i..i + group].iter().take(15) {
            let alt = out.len();
            out.push(0);
            if r.text.is_ascii() {
                out.extend(r.text.bytes().map(|b| b.to_ascii_lowercase()));
            } else {
                for c in r.text.chars().map(keys::fold) {
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
            }
            let len = out.len() - alt - 1;
            if len == 0 || len > 0x7f {
                out.truncate(alt);
                continue;
            }
            out[alt] = len as u8 | if r.primary { PRIMARY } else { 0 };
            n += 1;
        }
        i += group;
        if n == 0 {
            out.truncate(slot);
            continue;
        }
        if out.len() - start > max {
            out.truncate(slot);
            break;
        }
        out[slot] = n | (skip as u8) << 4;
        first_total += (out[slot + 1] & !PRIMARY) as usize;
        prev_at = Some(at);
        slots += 1;
    }
    if slots == 0 {
        out.truncate(start);
        return;
    }
    // At most 255 bytes in all, so both counts fit a byte.
    out[start] = slots as u8;
    out[start + 1] = first_total.min(255) as u8;
}

/// The slot count and main spelling's length from the key's header.
fn header(key: &[u8]) -> (usize, usize) {
    match key {
        [n, first, ..] => (*n as usize, *first as usize),
        _ => (0, 0),
    }
}

const HEADER: usize = 2;

/// One decoded slot: the char index it reads and its alternatives.
#[derive(Clone, Copy)]
struct Slot<'a> {
    at: usize,
    n: u8,
    /// Length of the first alternative.
    first: usize,
    alts: &'a [u8],
}

impl<'a> Slot<'a> {
    fn alts(self) -> impl Iterator<Item = (&'a [u8], bool)> {
        let mut rest = self.alts;
        (0..self.n).map_while(move |_| {
            let (&b, tail) = rest.split_first()?;
            let len = ((b & !PRIMARY) as usize).min(tail.len());
            let (text, tail) = tail.split_at(len);
            rest = tail;
            Some((text, b & PRIMARY != 0))
        })
    }
}

/// Walks the slots of a key.
fn slots(key: &[u8]) -> impl Iterator<Item = Slot<'_>> {
    let mut rest = key.get(HEADER..).unwrap_or(&[]);
    let mut at = 0usize;
    let mut started = false;
    std::iter::from_fn(move || {
        let (&head, tail) = rest.split_first()?;
        let n = head & 0x0f;
        let skip = (head >> 4) as usize;
        // Find the end of this slot's alternatives.
        let mut len = 0;
        let mut first = 0;
        for j in 0..n {
            let l = (*tail.get(len)? & !PRIMARY) as usize;
            if j == 0 {
                first = l;
            }
            len += 1 + l;
        }
        let len = len.min(tail.len());
        at = if started { at + 1 + skip } else { skip };
        started = true;
        let slot = Slot {
            at,
            n,
            first,
            alts: &tail[..len],
        };
        rest = &tail[len..];
        Some(slot)
    })
}

/// Calls `f` with every reading's text, slot by slot: for masks.
pub fn each_reading(key: &[u8], mut f: impl FnMut(usize, &[u8])) {
    for (i, s) in slots(key).enumerate() {
        for (t, _) in s.alts() {
            f(i, t)
        }
    }
}

/// The adjacent pairs an exact, prefix or substring match can need: inside a
/// reading, across two readings of neighbouring syllables, and between the
/// initials of neighbouring syllables.
pub fn pairs(key: &[u8]) -> u128 {
    let mut m = 0;
    let mut prev: Option<Slot<'_>> = None;
    for s in slots(key) {
        for (t, _) in s.alts() {
            m |= keys::pairs_of(&String::from_utf8_lossy(t));
        }
        if let Some(p) = prev {
            for (a, _) in p.alts() {
                let a = String::from_utf8_lossy(a);
                let (Some(first_a), Some(last_a)) = (a.chars().next(), a.chars().last()) else {
                    continue;
                };
                for (b, _) in s.alts() {
                    if let Some(first_b) = String::from_utf8_lossy(b).chars().next() {
                        m |= keys::pair_bit(last_a, first_b) | keys::pair_bit(first_a, first_b);
                    }
                }
            }
        }
        prev = Some(s);
    }
    m
}

/// The best exact, prefix or substring match of a term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    /// `tier << 16 | sub-score`, as for the other keys.
    pub value: u32,
    /// The slots it covers, first and last.
    pub from: usize,
    pub to: usize,
}

/// Decodes the slot starting at byte `off`: the slot (its `at` unknown here,
/// 0) and where the next one starts.
#[inline]
fn slot_at(key: &[u8], off: usize) -> Option<(Slot<'_>, usize)> {
    let (&head, tail) = key.get(off..)?.split_first()?;
    let n = head & 0x0f;
    let first = (*tail.first()? & !PRIMARY) as usize;
    let mut len = 1 + first;
    for _ in 1..n {
        let l = (*tail.get(len)? & !PRIMARY) as usize;
        len += 1 + l;
    }
    let len = len.min(tail.len());
    let slot = Slot {
        at: 0,
        n,
        first,
        alts: &tail[..len],
    };
    Some((slot, off + 1 + len))
}

/// One search for the best match of a term on a key, walking the key's bytes.
struct Walk<'k, 't> {
    key: &'k [u8],
    term: &'t [u8],
    /// Slot count and the main spelling's length (from the header).
    n: usize,
    first_total: usize,
    best: Option<Found>,
}

impl<'k, 't> Walk<'k, 't> {
    fn new(key: &'k [u8], term: &'t [u8]) -> Walk<'k, 't> {
        let (n, first_total) = header(key);
        Walk {
            key,
            term,
            n,
            first_total,
            best: None,
        }
    }

    fn offer(&mut self, value: u32, from: usize, to: usize) {
        if self.best.is_none_or(|b| value > b.value) {
            self.best = Some(Found { value, from, to });
        }
    }

    fn best_tier(&self) -> u32 {
        self.best.map_or(0, |b| b.value >> 16)
    }

    /// One pass over the slots for both ways of matching.
    ///
    /// Full spelling: a match can start at any syllable, and at any byte
    /// inside one; starts after the first syllable only give substring
    /// matches, so they are tried only while nothing better was found.
    ///
    /// Initials, one letter per syllable from any of its readings, by
    /// shift-and: bit `i` of `d` says the term's first `i + 1` letters end at
    /// this slot, `p` the same through primary readings only.
    fn run(&mut self) {
        let term = self.term;
        let m = term.len();
        let initials = m <= self.n && m <= 64;
        let whole = 1u64.checked_shl(m as u32 - 1).unwrap_or(0);
        let (mut d, mut p) = (0u64, 0u64);
        let (mut off, mut k, mut before) = (HEADER, 0, 0);
        while let Some((slot, next)) = slot_at(self.key, off) {
            let good = self.best_tier() >= 3;
            // Initials can still reach a prefix while the first slots match in a row.
            let prefix_alive = k < m && (k == 0 || d & (1 << (k - 1)) != 0);
            if k > 0 && good && !prefix_alive {
                return;
            }
            if k == 0 || !good {
                for (a, primary) in slot.alts() {
                    for o in 0..a.len() {
                        if a[o] != term[0] {
                            continue;
                        }
                        let acc = Acc {
                            chosen: a.len(),
                            first: slot.first,
                            primary,
                        };
                        self.step(k, k, o, before + o, &a[o..], 0, acc, next);
                    }
                }
            }
            if initials {
                let (mut any, mut prim) = (0u64, 0u64);
                for (a, primary) in slot.alts() {
                    let Some(&c) = a.first() else { continue };
                    for (i, &t) in term.iter().enumerate() {
                        if t == c {
                            any |= 1 << i;
                            if primary {
                                prim |= 1 << i;
                            }
                        }
                    }
                }
                d = (d << 1 | 1) & any;
                p = (p << 1 | 1) & prim;
                if d & whole != 0 {
                    let start = k + 1 - m;
                    let tier = match (start, next >= self.key.len()) {
                        (0, true) => 4,
                        (0, false) => 3,
                        _ => 2,
                    };
                    let v = score(tier, self.n - m, start, bonus(p & whole != 0));
                    self.offer(v, start, k);
                }
            }
            before += slot.first;
            off = next;
            k += 1;
        }
    }

    /// Matches `seg` (the rest of a reading of slot `k`, the walk having
    /// started in slot `k0` at byte `o` of a reading) against the term from
    /// `ti`, then goes on into the next slots (the next one starts at `next`).
    #[allow(clippy::too_many_arguments)]
    fn step(
        &mut self,
        k0: usize,
        k: usize,
        o: usize,
        pos: usize,
        seg: &[u8],
        ti: usize,
        acc: Acc,
        next: usize,
    ) {
        let rem = &self.term[ti..];
        if seg.len() >= rem.len() {
            if seg.starts_with(rem) {
                let key_len = (self.first_total + acc.chosen).saturating_sub(acc.first);
                let extra = key_len.saturating_sub(self.term.len());
                let tier = if k0 == 0 && o == 0 {
                    if next >= self.key.len() && seg.len() == rem.len() {
                        4
                    } else {
                        3
                    }
                } else {
                    2
                };
                let v = score(tier, extra, pos, bonus(acc.primary));
                self.offer(v, k0, k);
            }
            return;
        }
        if !rem.starts_with(seg) {
            return;
        }
        let Some((slot, after)) = slot_at(self.key, next) else {
            return;
        };
        let ti = ti + seg.len();
        for (b, primary) in slot.alts() {
            let acc = Acc {
                chosen: acc.chosen + b.len(),
                first: acc.first + slot.first,
                primary: acc.primary && primary,
            };
            self.step(k0, k + 1, o, pos, b, ti, acc, after);
        }
    }
}

#[derive(Clone, Copy)]
struct Acc {
    /// Bytes of the readings chosen so far, and of those slots' first readings.
    chosen: usize,
    first: usize,
    primary: bool,
}

fn bonus(primary: bool) -> u32 {
    if primary { BONUS_PRIMARY } else { BONUS_OTHER }
}

/// Best exact, prefix or substring match of an ASCII term on the key.
pub fn best(key: &[u8], term: &[u8]) -> Option<Found> {
    if term.is_empty() {
        return None;
    }
    let mut w = Walk::new(key, term);
    w.run();
    w.best
}

/// Each combination of readings (first ones first), spelled in full and as
/// initials, with the slot each byte belongs to; at most `MAX_SPELLINGS`.
fn spellings(key: &[u8], mut f: impl FnMut(&[u8], &[u8], &[u8], &[u8])) {
    let all: Vec<Slot<'_>> = slots(key).take(MAX_SLOTS).collect();
    let mut pick = vec![0u8; all.len()];
    let mut full = Vec::with_capacity(key.len());
    let mut owner = Vec::with_capacity(key.len());
    let mut init = Vec::with_capacity(all.len());
    let mut init_owner = Vec::with_capacity(all.len());
    for _ in 0..MAX_SPELLINGS {
        full.clear();
        owner.clear();
        init.clear();
        init_owner.clear();
        for (i, (s, p)) in all.iter().zip(&pick).enumerate() {
            let (t, _) = s.alts().nth(*p as usize).unwrap_or((&[], true));
            full.extend_from_slice(t);
            owner.extend(std::iter::repeat_n(i as u8, t.len()));
            // An initial is the reading's first char, whole.
            let first = std::str::from_utf8(t)
                .ok()
                .and_then(|s| s.chars().next())
                .map_or(0, char::len_utf8);
            init.extend_from_slice(&t[..first]);
            init_owner.extend(std::iter::repeat_n(i as u8, first));
        }
        f(&full, &owner, &init, &init_owner);
        // Next combination, odometer style from the last slot.
        let mut i = all.len();
        loop {
            if i == 0 {
                return;
            }
            i -= 1;
            if pick[i] + 1 < all[i].n {
                pick[i] += 1;
                break;
            }
            pick[i] = 0;
        }
    }
}

/// The best fuzzy (subsequence) value of a term over the key's spellings.
pub fn fuzzy(key: &[u8], t: &Term, m: &mut Matcher, scratch: &mut Vec<char>) -> u32 {
    // Every spelling is a subsequence of the key's bytes (the readings in
    // order, with a few header bytes between): a cheap test first.
    if !subsequence(key, t.text.as_bytes()) {
        return 0;
    }
    let mut best = 0;
    spellings(key, |full, _, init, _| {
        for k in [full, init] {
            best = best.max(fuzzy_match(m, k, t, scratch, None));
        }
    });
    best
}

/// Char indices of the name that a term matched (for highlighting): by the
/// best exact-ish match, else the best fuzzy one.
pub fn highlight(key: &[u8], t: &Term, m: &mut Matcher, scratch: &mut Vec<char>) -> Vec<usize> {
    let ats: Vec<usize> = slots(key).map(|s| s.at).collect();
    if let Some(f) = best(key, t.text.as_bytes()) {
        return (f.from..=f.to)
            .filter_map(|k| ats.get(k).copied())
            .collect();
    }
    let mut best = (0u32, Vec::new());
    spellings(key, |full, owner, init, init_owner| {
        for (k, own) in [(full, owner), (init, init_owner)] {
            let mut ix = Vec::new();
            let v = fuzzy_match(m, k, t, scratch, Some(&mut ix));
            if v > best.0 {
                // nucleo gives char indices; spellings are ASCII but for rare
                // letters, so map through the chars of the spelling.
                let text = String::from_utf8_lossy(k);
                let byte_at: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
                let mut slots: Vec<usize> = ix
                    .iter()
                    .filter_map(|c| byte_at.get(*c as usize))
                    .filter_map(|b| own.get(*b).map(|s| *s as usize))
                    .collect();
                slots.dedup();
                best = (v, slots);
            }
        }
    });
    let mut out: Vec<usize> = best.1.iter().filter_map(|k| ats.get(*k).copied()).collect();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridbook_domain::romanize;

    fn key(name: &str) -> Vec<u8> {
        let mut out = Vec::new();
        encode(&romanize::readings(name, true), 255, &mut out);
        out
    }

    fn tier(key: &[u8], term: &str) -> u32 {
        best(key, term.as_bytes()).map_or(0, |f| f.value >> 16)
    }

    #[test]
    fn slots_round_trip() {
        let k = key("单 Li");
        let got: Vec<(usize, Vec<(String, bool)>)> = slots(&k)
            .map(|s| {
                (
                    s.at,
                    s.alts()
                        .map(|(t, p)| (String::from_utf8_lossy(t).into_owned(), p))
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    0,
                    vec![
                        ("shan".into(), true),
                        ("dan".into(), false),
                        ("chan".into(), false)
                    ]
                ),
                (2, vec![("l".into(), true)]),
                (3, vec![("i".into(), true)]),
            ]
        );
    }

    #[test]
    fn every_reading_matches_in_full_and_in_initials() {
        let k = key("王长明");
        for (term, want) in [
            ("wangzhangming", 4),
            ("wangchangming", 4),
            ("wzm", 4),
            ("wcm", 4),
            ("wangch", 3),
            ("wc", 3),
            ("changming", 2),
            ("cm", 2),
            ("angchangm", 2),
            ("wangchengming", 0),
            ("wxm", 0),
        ] {
            assert_eq!(tier(&k, term), want, "{term}");
        }
        // The common reading ranks before the other one.
        let v = |t: &str| best(&k, t.as_bytes()).unwrap().value;
        assert!(v("wangzhangming") > v("wangchangming"));
        assert!(v("wzm") > v("wcm"));
    }

    #[test]
    fn matched_slots_are_reported() {
        let k = key("欧阳娜娜");
        assert_eq!(best(&k, b"ouyang").map(|f| (f.from, f.to)), Some((0, 1)));
        assert_eq!(best(&k, b"yn").map(|f| (f.from, f.to)), Some((1, 2)));
    }

    #[test]
    fn pairs_cover_every_path() {
        let k = key("王长明");
        let p = pairs(&k);
        for term in ["wangchangming", "gch", "gzh", "wc", "cm", "zm"] {
            assert_eq!(keys::pairs_of(term) & !p, 0, "{term}");
        }
    }

    #[test]
    fn fuzzy_matching_tries_every_spelling() {
        let k = key("王长明");
        let mut m = Matcher::new(nucleo_matcher::Config::DEFAULT);
        let mut scratch = Vec::new();
        // `wgchm` is a subsequence of wangchangming only (wangzhangming has no c).
        let t = &super::super::parse("wgchm")[0];
        assert_eq!(best(&k, t.text.as_bytes()), None);
        assert!(fuzzy(&k, t, &mut m, &mut scratch) > 0);
        assert_eq!(highlight(&k, t, &mut m, &mut scratch), vec![0, 1, 2]);
        let t = &super::super::parse("wgxm")[0];
        assert_eq!(fuzzy(&k, t, &mut m, &mut scratch), 0);
    }

    #[test]
    fn long_names_stop_at_a_whole_slot() {
        let name = "张".repeat(100);
        let mut out = Vec::new();
        encode(&romanize::readings(&name, true), 255, &mut out);
        assert!(out.len() <= 255);
        assert_eq!(
            (out.len() - HEADER) % 7,
            0,
            "whole slots of 1 + 1 + 5 bytes"
        );
        assert_eq!(
            header(&out),
            ((out.len() - HEADER) / 7, 5 * (out.len() - HEADER) / 7)
        );
        assert!(slots(&out).all(|s| s.n == 1));
    }
}
