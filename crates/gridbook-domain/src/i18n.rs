//! Every string the UI shows, in English and 简体中文, from two flat TOML
//! catalogs compiled in. A test fails when a key is missing in either.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

const EN: &str = include_str!("i18n/en.toml");
const ZH: &str = include_str!("i18n/zh.toml");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Zh,
}

type Catalog = HashMap<String, String>;

fn parse(text: &str) -> Catalog {
    let table: toml::Table = toml::from_str(text).unwrap_or_default();
    let mut out = HashMap::new();
    flatten("", &table, &mut out);
    out
}

fn flatten(prefix: &str, t: &toml::Table, out: &mut Catalog) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(sub) => flatten(&key, sub, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

fn catalog(lang: Lang) -> &'static Catalog {
    static EN_C: OnceLock<Catalog> = OnceLock::new();
    static ZH_C: OnceLock<Catalog> = OnceLock::new();
    match lang {
        Lang::En => EN_C.get_or_init(|| parse(EN)),
        Lang::Zh => ZH_C.get_or_init(|| parse(ZH)),
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Lang, String> {
        match s {
            "en" => Ok(Lang::En),
            "zh" => Ok(Lang::Zh),
            _ => Err(format!("`{s}` is not a language: en, zh")),
        }
    }
}

impl Lang {
    /// The text for `key`; an unknown key shows itself, so a gap is visible, never a panic.
    pub fn t(self, key: &str) -> &'static str {
        match catalog(self).get(key) {
            Some(s) => s.as_str(),
            None => match catalog(Lang::En).get(key) {
                Some(s) => s.as_str(),
                None => Box::leak(key.to_string().into_boxed_str()),
            },
        }
    }

    /// `t` with `{}` placeholders filled in order.
    pub fn f(self, key: &str, args: &[&str]) -> String {
        let mut out = String::new();
        let mut rest = self.t(key);
        for a in args {
            match rest.split_once("{}") {
                Some((head, tail)) => {
                    out.push_str(head);
                    out.push_str(a);
                    rest = tail;
                }
                None => break,
            }
        }
        out.push_str(rest);
        out
    }

    /// A label for a code from a family (`category.repair`), falling back to the code.
    pub fn label(self, family: &str, code: &str) -> String {
        let key = format!("{family}.{code}");
        match catalog(self).get(&key) {
            Some(s) => s.clone(),
            None => code.to_string(),
        }
    }

    /// From `--lang`, config, then `LANG` / `LC_ALL` (zh* → 中文).
    pub fn detect(flag: Option<Lang>, config: Option<Lang>) -> Lang {
        flag.or(config).unwrap_or_else(|| {
            let env = std::env::var("LC_ALL")
                .ok()
                .filter(|s| !s.is_empty())
                .or_else(|| std::env::var("LANG").ok())
                .unwrap_or_default();
            if env.to_lowercase().starts_with("zh") {
                Lang::Zh
            } else {
                Lang::En
            }
        })
    }

    pub fn keys(self) -> Vec<&'static str> {
        let mut k: Vec<&'static str> = catalog(self).keys().map(String::as_str).collect();
        k.sort();
        k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogs_parse_and_have_the_same_keys() {
        assert!(toml::from_str::<toml::Table>(EN).is_ok(), "en.toml parses");
        assert!(toml::from_str::<toml::Table>(ZH).is_ok(), "zh.toml parses");
        let en = Lang::En.keys();
        let zh = Lang::Zh.keys();
        let missing_zh: Vec<_> = en.iter().filter(|k| !zh.contains(k)).collect();
        let missing_en: Vec<_> = zh.iter().filter(|k| !en.contains(k)).collect();
        assert!(missing_zh.is_empty(), "missing in zh.toml: {missing_zh:?}");
        assert!(missing_en.is_empty(), "missing in en.toml: {missing_en:?}");
        assert!(en.len() > 20);
    }

    #[test]
    fn each_key_has_as_many_placeholders_in_both_languages() {
        // A `{}` missing from one catalog drops a value from the line said
        // in that language; one too many leaves a bare `{}` on screen.
        let odd: Vec<_> = Lang::En
            .keys()
            .into_iter()
            .filter(|k| Lang::En.t(k).matches("{}").count() != Lang::Zh.t(k).matches("{}").count())
            .collect();
        assert!(odd.is_empty(), "placeholders differ: {odd:?}");
    }

    #[test]
    fn placeholders_fill_in_order() {
        assert_eq!(Lang::En.f("show.days_ago", &["3"]), "3 days ago");
        assert_eq!(Lang::Zh.f("show.days_ago", &["3"]), "3 天前");
    }
}
