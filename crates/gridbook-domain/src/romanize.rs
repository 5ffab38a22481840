//! Pinyin for Chinese names: full spelling and initials, with the readings
//! surnames take (单 shan, 曾 zeng, 解 xie, 区 ou, 仇 qiu …), which the
//! dictionary's most common reading gets wrong.

use pinyin::ToPinyin;

/// Compound surnames, read as a unit.
const COMPOUND_SURNAMES: &[(&str, &str)] = &[
    ("欧阳", "ouyang"),
    ("司马", "sima"),
    ("上官", "shangguan"),
    ("诸葛", "zhuge"),
    ("东方", "dongfang"),
    ("皇甫", "huangfu"),
    ("尉迟", "yuchi"),
    ("公孙", "gongsun"),
    ("慕容", "murong"),
    ("令狐", "linghu"),
    ("夏侯", "xiahou"),
    ("长孙", "zhangsun"),
    ("宇文", "yuwen"),
    ("司徒", "situ"),
    ("澹台", "tantai"),
];

/// Single-character surnames whose surname reading differs from the usual one.
const SURNAME_READINGS: &[(char, &str)] = &[
    ('单', "shan"),
    ('曾', "zeng"),
    ('解', "xie"),
    ('区', "ou"),
    ('仇', "qiu"),
    ('朴', "piao"),
    ('查', "zha"),
    ('盖', "ge"),
    ('缪', "miao"),
    ('翟', "zhai"),
    ('乐', "yue"),
    ('召', "shao"),
    ('覃', "qin"),
    ('种', "chong"),
    ('秘', "bi"),
    ('葛', "ge"),
    ('费', "fei"),
    ('折', "she"),
    ('尉', "yu"),
    ('任', "ren"),
    ('华', "hua"),
    ('纪', "ji"),
    ('员', "yun"),
    ('冼', "xian"),
    ('繁', "po"),
    ('句', "gou"),
    ('宿', "su"),
    ('塔', "ta"),
    ('隗', "wei"),
    ('沈', "shen"),
    ('薄', "bo"),
    ('曲', "qu"),
    ('万', "wan"),
    ('应', "ying"),
    ('长', "chang"),
    ('重', "chong"),
];

/// The pinyin syllables of a string with the index of the character each
/// starts at (non-Chinese characters pass through lowercased as their own
/// syllable; whitespace is dropped).
pub fn syllables_at(s: &str, as_name: bool) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut rest = s;
    let mut skip = 0;
    if as_name {
        for (sur, py) in COMPOUND_SURNAMES {
            if let Some(r) = s.strip_prefix(sur) {
                // Keep per-character syllables so initials stay one letter per character.
                let split: Vec<String> = sur
                    .to_pinyin()
                    .flatten()
                    .map(|p| p.plain().to_string())
                    .collect();
                if split.concat() == *py && split.len() == 2 {
                    out.extend(split.into_iter().enumerate());
                } else {
                    out.push((0, py.to_string()));
                }
                rest = r;
                skip = 2;
                break;
            }
        }
        if out.is_empty()
            && let Some(c) = s.chars().next()
            && let Some((_, py)) = SURNAME_READINGS.iter().find(|(k, _)| *k == c)
        {
            out.push((0, py.to_string()));
            rest = &s[c.len_utf8()..];
            skip = 1;
        }
    }
    for (i, (c, p)) in rest.chars().zip(rest.to_pinyin()).enumerate() {
        match p {
            Some(p) => out.push((skip + i, p.plain().to_string())),
            None => {
                if !c.is_whitespace() {
                    out.push((skip + i, c.to_lowercase().to_string()));
                }
            }
        }
    }
    out
}

fn syllables(s: &str, as_name: bool) -> Vec<String> {
    syllables_at(s, as_name)
        .into_iter()
        .map(|(_, p)| p)
        .collect()
}

/// The dictionary's everyday reading of a name's surname when the surname
/// reading differs (单 dan for 单 shan), so a query spelled the everyday way
/// still finds the person: `(full, initials)` of the whole name read that way.
pub fn everyday_reading(name: &str) -> Option<(String, String)> {
    let c = name.chars().next()?;
    if !SURNAME_READINGS.iter().any(|(k, _)| *k == c)
        || COMPOUND_SURNAMES.iter().any(|(s, _)| name.starts_with(s))
    {
        return None;
    }
    let sylls = syllables(name, false);
    let alt = sylls.concat();
    if alt == full(name) {
        return None;
    }
    let init = sylls.iter().filter_map(|s| s.chars().next()).collect();
    Some((alt, init))
}

/// Full pinyin of a name without tones or spaces: 张三 → `zhangsan`, 单田芳 → `shantianfang`.
pub fn full(name: &str) -> String {
    syllables(name, true).concat()
}

/// Initials of a name: 张三 → `zs`, 欧阳娜娜 → `oynn`.
pub fn initials(name: &str) -> String {
    syllables(name, true)
        .iter()
        .filter_map(|s| s.chars().next())
        .collect()
}

/// Initials of a place name (no surname rules): 胜利花苑 → `slhy`.
pub fn place_initials(name: &str) -> String {
    syllables(name, false)
        .iter()
        .filter_map(|s| s.chars().next())
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn everyday_readings_of_special_surnames() {
        assert_eq!(
            everyday_reading("单田芳"),
            Some(("dantianfang".into(), "dtf".into()))
        );
        assert_eq!(everyday_reading("张三"), None);
        assert_eq!(everyday_reading("欧阳娜娜"), None);
    }

    #[test]
    fn places() {
        assert_eq!(place_initials("胜利花苑"), "slhy");
        assert_eq!(place_initials("3栋"), "3d");
    }
}
