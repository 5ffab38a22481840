//! The domain's word lists: visit purposes, problem categories, care groups
//! and kinds of service activity. Each entry has a stable code (what is
//! stored) and a label per language (what is shown); words a person may type
//! or a roster may hold (either label, the code, synonyms) all parse to it.

pub mod care;

use serde::Deserialize;

use crate::i18n::Lang;

/// Why a member visits a household. Labels live in the i18n catalogs under
/// `purpose.<code>`.
pub const VISIT_PURPOSES: &[&str] = &[
    "routine",
    "follow-up",
    "help-request",
    "elderly-care",
    "policy-outreach",
    "safety-check",
];

/// What a reported problem is about. Labels live in the i18n catalogs under
/// `category.<code>`.
pub const PROBLEM_CATEGORIES: &[&str] = &[
    "repair",
    "blocked-drain",
    "moving-help",
    "medical-help",
    "home-service",
    "dispute",
    "hygiene",
    "safety",
    "other",
];

/// One entry of a word list.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub code: String,
    pub en: String,
    pub zh: String,
    /// A care group's visit cadence in days; other lists leave it out.
    #[serde(default)]
    pub cadence_days: Option<u32>,
    #[serde(default)]
    pub synonyms: Vec<String>,
}

impl Term {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }

    fn answers_to(&self, word: &str) -> bool {
        let w = word.trim();
        self.code.eq_ignore_ascii_case(w)
            || self.en.eq_ignore_ascii_case(w)
            || self.zh == w
            || self.synonyms.iter().any(|s| s.eq_ignore_ascii_case(w))
    }
}

/// An ordered word list: the shipped entries, then the user's additions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vocabulary {
    terms: Vec<Term>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    entries: Vec<Term>,
}

impl Vocabulary {
    /// Parses a list file whose entries are `[[table]]` tables; `file` names
    /// it in errors. Codes must be unique and non-empty.
    fn parse(file: &str, text: &str, table: &str) -> Result<Vocabulary, String> {
        let mut value: toml::Table = toml::from_str(text).map_err(|e| format!("{file}: {e}"))?;
        let entries = value
            .remove(table)
            .unwrap_or(toml::Value::Array(Vec::new()));
        if let Some(other) = value.keys().next() {
            return Err(format!(
                "{file}: unknown section `{other}`; expected [[{table}]]"
            ));
        }
        let mut t = toml::Table::new();
        t.insert("entries".into(), entries);
        let parsed: File = toml::Value::Table(t)
            .try_into()
            .map_err(|e: toml::de::Error| format!("{file}: {e}"))?;
        let mut v = Vocabulary { terms: Vec::new() };
        for term in parsed.entries {
            if term.code.trim().is_empty() {
                return Err(format!("{file}: an entry has an empty code"));
            }
            if v.get(&term.code).is_some() {
                return Err(format!("{file}: code `{}` appears twice", term.code));
            }
            v.terms.push(term);
        }
        Ok(v)
    }

    /// `base` with each of `user`'s entries replacing the one with its code,
    /// or added at the end.
    fn overlay(mut self, user: Vocabulary) -> Vocabulary {
        for term in user.terms {
            match self.terms.iter_mut().find(|t| t.code == term.code) {
                Some(slot) => *slot = term,
                None => self.terms.push(term),
            }
        }
        self
    }

    pub fn all(&self) -> &[Term] {
        &self.terms
    }

    pub fn get(&self, code: &str) -> Option<&Term> {
        self.terms.iter().find(|t| t.code == code)
    }

    /// The entry a word names: its code, a label in either language, or a synonym.
    pub fn parse_word(&self, word: &str) -> Option<&Term> {
        self.terms.iter().find(|t| t.answers_to(word))
    }

    /// `code (label)` for every entry, for messages that list what is allowed.
    pub fn allowed(&self, lang: Lang) -> String {
        self.terms
            .iter()
            .map(|t| format!("{} ({})", t.code, t.label(lang)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The label of `code` in `lang`, or the code itself when unknown.
    pub fn label<'a>(&'a self, code: &'a str, lang: Lang) -> &'a str {
        self.get(code).map_or(code, |t| t.label(lang))
    }
}

const SHIPPED_ACTIVITY_KINDS: &str = include_str!("activity_kinds.toml");

/// The shipped activity kinds, parsed once.
pub fn shipped_activity_kinds() -> &'static Vocabulary {
    static KINDS: std::sync::OnceLock<Vocabulary> = std::sync::OnceLock::new();
    KINDS.get_or_init(|| {
        Vocabulary::parse("activity_kinds.toml", SHIPPED_ACTIVITY_KINDS, "kind")
            .expect("the shipped activity kinds parse (tested)")
    })
}

/// Kinds of service activity: the shipped list, with a user's
/// `activities.toml` (text `user`, named `file`) laid over it.
pub fn activity_kinds(user: Option<(&str, &str)>) -> Result<Vocabulary, String> {
    let shipped = shipped_activity_kinds().clone();
    match user {
        None => Ok(shipped),
        Some((file, text)) => Ok(shipped.overlay(Vocabulary::parse(file, text, "kind")?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_activity_kinds_parse_with_both_labels() {
        let k = activity_kinds(None).unwrap();
        assert_eq!(k.all().len(), 7);
        assert_eq!(k.parse_word("党员奉献日").unwrap().code, "dedication-day");
        assert_eq!(
            k.parse_word("Dedication-Day").unwrap().code,
            "dedication-day"
        );
        assert_eq!(k.parse_word("奉献日").unwrap().code, "dedication-day");
        assert!(k.parse_word("party").is_none());
        assert_eq!(k.label("service-day", Lang::Zh), "为民办事集中活动日");
        assert!(k.allowed(Lang::En).contains("study (study session)"));
    }

    #[test]
    fn a_user_file_replaces_by_code_and_adds_the_rest() {
        let user = "[[kind]]\ncode = \"other\"\nen = \"misc\"\nzh = \"杂项\"\n\n[[kind]]\ncode = \"patrol-team\"\nen = \"patrol team\"\nzh = \"巡逻队\"\n";
        let k = activity_kinds(Some(("activities.toml", user))).unwrap();
        assert_eq!(k.all().len(), 8);
        assert_eq!(k.label("other", Lang::Zh), "杂项");
        assert_eq!(k.parse_word("巡逻队").unwrap().code, "patrol-team");
    }

    #[test]
    fn bad_user_files_are_errors_naming_the_file() {
        for bad in [
            "[[kind]]\ncode = \"\"\nen = \"x\"\nzh = \"x\"\n",
            "[[kind]]\ncode = \"a\"\nen = \"x\"\nzh = \"x\"\n[[kind]]\ncode = \"a\"\nen = \"y\"\nzh = \"y\"\n",
            "[[kinds]]\ncode = \"a\"\nen = \"x\"\nzh = \"x\"\n",
            "[[kind]]\ncode = \"a\"\nen = \"x\"\n",
            "[[kind]]\ncode = \"a\"\nen = \"x\"\nzh = \"x\"\ncolour = 1\n",
            "not toml",
        ] {
            let err = activity_kinds(Some(("activities.toml", bad))).unwrap_err();
            assert!(err.starts_with("activities.toml: "), "{bad:?} gave {err}");
        }
    }
}
