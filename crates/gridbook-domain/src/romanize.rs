//! Pinyin for Chinese names and places: every reading a person might type.
//!
//! A character can have more than one reading in everyday use (长 zhang and
//! chang, 乐 le and yue). [`readings`] gives each character of a name with all
//! of them, so a lookup key is a sequence of syllables with a few alternatives
//! each rather than every combination spelled out. Which readings count is
//! decided by two tables compiled in from text files beside this one:
//!
//! - `romanize/polyphones.txt`: characters with more than one reading in
//!   modern use (现代汉语词典), and those readings. Other characters are read by
//!   the pinyin crate's first reading only, so archaic readings never match.
//! - `romanize/surnames.txt`: how a surname reads (单 shan, 曾 zeng, 解 xie,
//!   万俟 moqi, 尉迟 yuchi …): the compound surnames and the single surnames of
//!   the 百家姓 whose surname reading differs from the everyday one. In surname
//!   position those readings come first; the everyday ones stay as alternatives.
//!
//! Readings are lowercase ASCII without tones. ü is spelled both `v` (what
//! Chinese input methods use) and `u`: 吕 reads `lv` and `lu`.

use std::borrow::Cow;
use std::sync::OnceLock;

use pinyin::{ToPinyin, ToPinyinMulti};

const POLYPHONES: &str = include_str!("romanize/polyphones.txt");
const SURNAMES: &str = include_str!("romanize/surnames.txt");

/// One way to read one character.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    /// Index of the character in the text (chars, not bytes).
    pub at: usize,
    /// Lowercase ASCII pinyin without tone (`zhang`), or the character itself
    /// lowercased when it is a letter or digit (`l`, `3`).
    pub text: Cow<'static, str>,
    /// The reading to rank first: the surname reading in surname position,
    /// else the most common reading. A match through any other reading ranks
    /// after an equally good match through primary readings only.
    pub primary: bool,
}

/// A map looked up by binary search: a few hundred entries, read for every
/// character of every name while an index is built.
struct Sorted<K, V>(Vec<(K, V)>);

impl<K: Ord + Copy, V> Sorted<K, V> {
    /// The first entry for a key wins.
    fn new(mut v: Vec<(K, V)>) -> Sorted<K, V> {
        v.sort_by_key(|(k, _)| *k);
        v.dedup_by_key(|(k, _)| *k);
        Sorted(v)
    }
    fn get(&self, k: &K) -> Option<&V> {
        let i = self.0.binary_search_by_key(k, |(x, _)| *x).ok()?;
        Some(&self.0[i].1)
    }
}

/// The tables, parsed once.
struct Tables {
    /// Character → its readings in modern use, when it has more than one.
    polyphones: Sorted<char, Vec<&'static str>>,
    /// Single-character surname → its surname readings, usual first.
    single: Sorted<char, Vec<&'static str>>,
    /// Compound surname → the surname readings of each of its characters.
    compound: Sorted<(char, char), [Vec<&'static str>; 2]>,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut polyphones = Vec::new();
        for (chars, readings) in entries(POLYPHONES) {
            if let [c] = chars[..] {
                polyphones.push((c, readings.concat()));
            }
        }
        let mut single = Vec::new();
        let mut compound = Vec::new();
        for (chars, mut readings) in entries(SURNAMES) {
            match chars[..] {
                [c] => single.push((c, readings.remove(0))),
                [a, b] => {
                    let second = readings.remove(1);
                    compound.push(((a, b), [readings.remove(0), second]));
                }
                _ => {}
            }
        }
        Tables {
            polyphones: Sorted::new(polyphones),
            single: Sorted::new(single),
            compound: Sorted::new(compound),
        }
    })
}

/// The lines of a table: the characters, then for each of them its readings
/// (one field per character, alternatives split on `|`), spelled as keys.
/// Lines whose field count does not match their characters are skipped; a
/// test keeps the files free of them.
fn entries(table: &'static str) -> impl Iterator<Item = (Vec<char>, Vec<Vec<&'static str>>)> {
    table
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut fields = l.split_whitespace();
            let chars: Vec<char> = fields.next()?.chars().collect();
            let rest: Vec<&str> = fields.collect();
            let readings: Vec<Vec<&'static str>> = if chars.len() == 1 {
                // polyphones.txt: `长 zhang chang`; surnames.txt: `覃 qin|tan`.
                vec![
                    rest.iter()
                        .flat_map(|r| r.split('|'))
                        .flat_map(spell)
                        .collect(),
                ]
            } else {
                rest.iter()
                    .map(|r| r.split('|').flat_map(spell).collect())
                    .collect()
            };
            (readings.len() == chars.len() && readings.iter().all(|r| !r.is_empty()))
                .then_some((chars, readings))
        })
}

/// The ways a plain (toneless) reading is typed: itself when it is ASCII;
/// ü as `v` and as `u`; ê as `e`. Tables are read once, so leaking the few
/// non-ASCII spellings keeps every reading `'static`.
fn spell(plain: &'static str) -> Vec<&'static str> {
    if plain.is_ascii() {
        return vec![plain];
    }
    spell_owned(plain)
        .into_iter()
        .map(|s| &*Box::leak(s.into_boxed_str()))
        .collect()
}

fn spell_owned(plain: &str) -> Vec<String> {
    // Tone marks the crate leaves on a few interjections (m̀, ê̄) go.
    let base: String = plain
        .chars()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| if c == 'ê' { 'e' } else { c })
        .collect();
    if base.contains('ü') {
        vec![base.replace('ü', "v"), base.replace('ü', "u")]
    } else {
        vec![base]
    }
}

/// A plain reading from the pinyin crate, spelled as keys (see [`spell`]);
/// the common ones without allocating.
fn spell_crate(plain: &'static str, out: &mut Vec<Cow<'static, str>>) {
    let push = |out: &mut Vec<Cow<'static, str>>, s: Cow<'static, str>| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    let both: &[&'static str] = match plain {
        p if p.is_ascii() => return push(out, Cow::Borrowed(p)),
        "lü" => &["lv", "lu"],
        "nü" => &["nv", "nu"],
        "lüe" => &["lve", "lue"],
        "nüe" => &["nve", "nue"],
        p => {
            for s in spell_owned(p) {
                push(out, Cow::Owned(s));
            }
            return;
        }
    };
    for s in both {
        push(out, Cow::Borrowed(s));
    }
}

/// The readings of `c` in everyday modern use, most common first, spelled as
/// keys; empty when `c` is not a Chinese character the pinyin crate knows.
pub fn everyday(c: char) -> Vec<Cow<'static, str>> {
    let mut out = Vec::new();
    everyday_into(c, &mut out);
    out
}

fn everyday_into(c: char, out: &mut Vec<Cow<'static, str>>) {
    let Some(multi) = c.to_pinyin_multi() else {
        return;
    };
    match tables().polyphones.get(&c) {
        Some(modern) => {
            // The crate's order (most common first), kept to the modern readings.
            let mut spelled = Vec::new();
            for p in multi {
                spelled.clear();
                spell_crate(p.plain(), &mut spelled);
                for s in spelled.drain(..) {
                    if modern.contains(&s.as_ref()) && !out.contains(&s) {
                        out.push(s);
                    }
                }
            }
            if out.is_empty() {
                spell_crate(multi.get(0).plain(), out);
            }
        }
        None => spell_crate(multi.get(0).plain(), out),
    }
}

/// Letters and digits stand for themselves, without allocating.
fn as_itself(c: char) -> Option<Cow<'static, str>> {
    const ALNUM: &str = "abcdefghijklmnopqrstuvwxyz0123456789";
    let l = c.to_ascii_lowercase();
    match ALNUM.find(l) {
        Some(i) if c.is_ascii() => Some(Cow::Borrowed(&ALNUM[i..i + 1])),
        _ if c.is_alphanumeric() => Some(Cow::Owned(c.to_lowercase().collect())),
        _ => None,
    }
}

/// The readings of a text, character by character: consecutive readings with
/// the same `at` are alternatives for one character, primary ones first.
/// `as_name` applies the surname readings to the start of the text.
/// Characters that are neither Chinese nor a letter or digit (spaces, `·`,
/// brackets) have no reading; the shown name still matches them.
pub fn readings(text: &str, as_name: bool) -> Vec<Reading> {
    let t = tables();
    // Surname readings of the first one or two characters. A compound
    // surname's first character may also be a single surname followed by a
    // given name (单于 chanyu, or 单 shan + 于): both readings rank first.
    let mut surname: [Vec<&'static str>; 2] = [Vec::new(), Vec::new()];
    if as_name {
        let mut start = text.chars();
        let (a, b) = (start.next(), start.next());
        if let (Some(a), Some(b)) = (a, b)
            && let Some(pair) = t.compound.get(&(a, b))
        {
            surname = pair.clone();
        }
        if let Some(single) = a.and_then(|a| t.single.get(&a)) {
            for s in single {
                if !surname[0].contains(s) {
                    surname[0].push(s);
                }
            }
        }
    }
    let mut out = Vec::with_capacity(text.len() / 2 + 2);
    let mut alts: Vec<Cow<'static, str>> = Vec::with_capacity(4);
    for (at, c) in text.chars().enumerate() {
        alts.clear();
        everyday_into(c, &mut alts);
        if alts.is_empty() {
            if let Some(s) = as_itself(c) {
                out.push(Reading {
                    at,
                    text: s,
                    primary: true,
                });
            }
            continue;
        }
        match surname.get(at).filter(|s| !s.is_empty()) {
            Some(special) => {
                for s in special {
                    out.push(Reading {
                        at,
                        text: Cow::Borrowed(s),
                        primary: true,
                    });
                }
                for s in alts.drain(..) {
                    if !special.contains(&s.as_ref()) {
                        out.push(Reading {
                            at,
                            text: s,
                            primary: false,
                        });
                    }
                }
            }
            None => {
                // ü's two spellings are one reading: both primary when it is.
                let first = alts[0].clone();
                for s in alts.drain(..) {
                    let primary = s == first || same_reading(&s, &first);
                    out.push(Reading {
                        at,
                        text: s,
                        primary,
                    });
                }
            }
        }
    }
    out
}

/// `lv` and `lu` (or `nve` and `nue`) are one reading spelled two ways.
fn same_reading(a: &str, b: &str) -> bool {
    let v = |s: &str| s.starts_with(['l', 'n']) && s[1..].starts_with('v');
    (v(a) || v(b))
        && a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .all(|(x, y)| x == y || matches!((x, y), (b'u', b'v') | (b'v', b'u')))
}

/// The primary reading of each character, with the index of the character
/// it reads (the first spelling of each).
pub fn syllables_at(s: &str, as_name: bool) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for r in readings(s, as_name) {
        if out.last().is_none_or(|(at, _)| *at != r.at) {
            out.push((r.at, r.text.into_owned()));
        }
    }
    out
}

/// Full pinyin of a name by its primary readings, without tones or spaces:
/// 张三 → `zhangsan`, 单田芳 → `shantianfang`, 吕德 → `lvde`.
pub fn full(name: &str) -> String {
    syllables_at(name, true)
        .into_iter()
        .map(|(_, s)| s)
        .collect()
}

/// Initials of a name by its primary readings: 张三 → `zs`, 欧阳娜娜 → `oynn`.
pub fn initials(name: &str) -> String {
    syllables_at(name, true)
        .iter()
        .filter_map(|(_, s)| s.chars().next())
        .collect()
}

/// Initials of a place name (no surname rules), letters and digits only:
/// 胜利花苑 → `slhy`. Used to make short codes.
pub fn place_initials(name: &str) -> String {
    name.chars()
        .zip(name.to_pinyin())
        .filter_map(|(c, p)| match p {
            Some(p) => p.plain().chars().next(),
            None => c.to_lowercase().next(),
        })
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The readings of a name as `[[primary…], [other…]]` per character, in order.
    fn alts(name: &str) -> Vec<(Vec<String>, Vec<String>)> {
        let mut out: Vec<(usize, Vec<String>, Vec<String>)> = Vec::new();
        for r in readings(name, true) {
            if out.last().is_none_or(|(at, _, _)| *at != r.at) {
                out.push((r.at, Vec::new(), Vec::new()));
            }
            let last = out.last_mut().unwrap();
            if r.primary {
                last.1.push(r.text.into_owned());
            } else {
                last.2.push(r.text.into_owned());
            }
        }
        out.into_iter().map(|(_, p, o)| (p, o)).collect()
    }

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn common_names() {
        assert_eq!(full("张三"), "zhangsan");
        assert_eq!(initials("张三"), "zs");
        assert_eq!(initials("李 小龙"), "lxl");
    }

    #[test]
    fn surname_readings() {
        assert_eq!(full("单田芳"), "shantianfang");
        assert_eq!(full("曾国藩"), "zengguofan");
        assert_eq!(initials("解缙"), "xj");
        assert_eq!(full("区志强"), "ouzhiqiang");
        assert_eq!(full("仇英"), "qiuying");
    }

    #[test]
    fn compound_surnames() {
        assert_eq!(full("欧阳娜娜"), "ouyangnana");
        assert_eq!(initials("欧阳娜娜"), "oynn");
        assert_eq!(initials("司马光"), "smg");
    }

    #[test]
    fn syllables_know_their_characters() {
        let s = syllables_at("欧阳娜娜", true);
        assert_eq!(
            s.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
            vec![0, 1, 2, 3]
        );
        let s = syllables_at("单 Li", true);
        assert_eq!(
            s,
            vec![(0, "shan".into()), (2, "l".into()), (3, "i".into())]
        );
        // Separators in a name have no reading.
        assert_eq!(full("阿依·买买提"), "ayimaimaiti");
    }

    #[test]
    fn every_modern_reading_of_a_character_anywhere_in_a_name() {
        // 长 in a given name: zhang (the common reading) first, chang too.
        assert_eq!(
            alts("王长明"),
            vec![
                (v(&["wang"]), v(&[])),
                (v(&["zhang"]), v(&["chang"])),
                (v(&["ming"]), v(&[])),
            ]
        );
        assert_eq!(alts("王乐明")[1], (v(&["le"]), v(&["yue"])));
        // Archaic readings the dictionary data also lists do not count:
        // 王 yu, 明 meng, 方 pang.
        assert_eq!(alts("方明")[0], (v(&["fang"]), v(&[])));
        assert_eq!(alts("方明")[1], (v(&["ming"]), v(&[])));
    }

    #[test]
    fn the_surname_reading_comes_first_and_the_everyday_one_stays() {
        assert_eq!(alts("单田芳")[0], (v(&["shan"]), v(&["dan", "chan"])));
        assert_eq!(alts("曾国藩")[0], (v(&["zeng"]), v(&["ceng"])));
        // The same character in a given name reads the everyday way first.
        assert_eq!(alts("王单")[1], (v(&["dan"]), v(&["chan", "shan"])));
        // A surname with two surname readings keeps both first.
        assert_eq!(alts("覃明")[0], (v(&["qin", "tan"]), v(&[])));
    }

    #[test]
    fn u_umlaut_is_typed_v_or_u() {
        assert_eq!(alts("吕德")[0], (v(&["lv", "lu"]), v(&[])));
        assert_eq!(full("吕德"), "lvde");
        assert_eq!(initials("吕德"), "ld");
        assert_eq!(alts("女")[0], (v(&["nv", "nu"]), v(&[])));
        // 绿 reads lü and lu: lu once.
        assert_eq!(alts("王绿")[1], (v(&["lv", "lu"]), v(&[])));
        assert_eq!(alts("闾丘明")[0], (v(&["lv", "lu"]), v(&[])));
    }

    #[test]
    fn rare_surnames_from_the_table() {
        // Pinyin written by hand, not by the code under test.
        for (name, want) in [
            ("万俟卨", "moqixie"),
            ("祭仲", "zhaizhong"),
            ("尉迟恭", "yuchigong"),
            ("长孙无忌", "zhangsunwuji"),
            ("澹台灭明", "tantaimieming"),
            ("单于晓", "chanyuxiao"),
            ("子车鍼", "zijuzhen"),
            ("乐正克", "yuezhengke"),
            ("夹谷明", "jiaguming"),
            ("皇甫谧", "huangfumi"),
            ("蔚小川", "yuxiaochuan"),
            ("卜一", "buyi"),
            ("都明", "duming"),
            ("能文", "naiwen"),
            ("乜红", "niehong"),
            ("佴明", "naiming"),
            ("朴明", "piaoming"),
            ("缪明", "miaoming"),
            ("种明", "chongming"),
            ("句明", "gouming"),
        ] {
            assert_eq!(full(name), want, "{name}");
        }
        assert_eq!(initials("万俟卨"), "mqx");
        // The everyday reading of 万 stays an alternative.
        assert_eq!(alts("万俟卨")[0], (v(&["mo"]), v(&["wan"])));
    }

    #[test]
    fn the_surname_table_covers_the_hundred_family_names() {
        let t = tables();
        // The 百家姓 has sixty compound surnames.
        assert_eq!(t.compound.0.len(), 60);
        for pair in [
            "司马", "诸葛", "东方", "呼延", "第五", "南宫", "漆雕", "壤驷",
        ] {
            let c: Vec<char> = pair.chars().collect();
            assert!(t.compound.get(&(c[0], c[1])).is_some(), "{pair}");
        }
        // Every line of both tables parses, and every reading in them is one
        // the pinyin crate knows for that character.
        for table in [SURNAMES, POLYPHONES] {
            let lines = table
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                .count();
            let parsed: Vec<_> = entries(table).collect();
            assert_eq!(parsed.len(), lines);
            for (chars, readings) in parsed {
                for (c, rs) in chars.iter().zip(readings) {
                    let mut known = Vec::new();
                    for p in c.to_pinyin_multi().unwrap() {
                        spell_crate(p.plain(), &mut known);
                    }
                    for r in rs {
                        assert!(known.iter().any(|k| k.as_ref() == r), "{c} {r}: {known:?}");
                    }
                }
            }
        }
        // A single surname is listed because its surname reading differs from
        // the everyday one.
        for (c, rs) in &t.single.0 {
            assert_ne!(everyday(*c)[0].as_ref(), rs[0], "{c}");
        }
        assert!(t.polyphones.0.len() > 700);
    }

    #[test]
    fn places() {
        assert_eq!(place_initials("胜利花苑"), "slhy");
        assert_eq!(place_initials("3栋"), "3d");
        assert_eq!(place_initials("长安（二期）"), "zaeq");
        // Places are read every modern way too, with no surname rules.
        let r = readings("长安", false);
        let first: Vec<&str> = r.iter().filter(|r| r.at == 0).map(|r| &*r.text).collect();
        assert_eq!(first, vec!["zhang", "chang"]);
        assert_eq!(readings("单元", false)[0].text, "dan");
    }
}
