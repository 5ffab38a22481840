//! Patrol checklists per kind: shipped defaults, replaced per kind by a
//! `checklists.toml` in the config directory.
//!
//! An item has a stable key (what is stored) and a label per language (what
//! is shown). A failed item that becomes a problem is stored as a
//! [`Finding`]: the item's key and the worker's note, never a label, so the
//! problem reads in whichever language the reader uses.

use std::sync::{Arc, OnceLock, RwLock};

use serde::Deserialize;

use crate::i18n::Lang;
use crate::model::PatrolKind;

const SHIPPED: &str = include_str!("checklists.toml");

/// One checklist item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub key: String,
    pub en: String,
    pub zh: String,
}

impl Item {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }

    /// Whether `text` names this item: its key, a label, or the text stored
    /// before items had keys (`灭火器在位 extinguishers present`).
    pub fn is_named(&self, text: &str) -> bool {
        let t = text.trim();
        t == self.key
            || t == self.en
            || t == self.zh
            || t.strip_prefix(self.zh.as_str())
                .is_some_and(|rest| rest.starts_with(' '))
    }
}

/// An item as a checklists file may write it: a table with a key and
/// labels, or (the older shape) a plain string that is key and label.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawItem {
    Text(String),
    Full { key: String, en: String, zh: String },
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLists {
    #[serde(default)]
    hygiene: Vec<RawItem>,
    #[serde(default)]
    security: Vec<RawItem>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checklists {
    pub hygiene: Vec<Item>,
    pub security: Vec<Item>,
}

impl Checklists {
    pub fn shipped() -> Checklists {
        Checklists::parse("checklists.toml", SHIPPED)
            .expect("shipped checklists.toml parses (tested)")
    }

    fn parse(file: &str, text: &str) -> Result<Checklists, String> {
        let raw: RawLists = toml::from_str(text).map_err(|e| format!("{file}: {e}"))?;
        Ok(Checklists {
            hygiene: items(file, PatrolKind::Hygiene, raw.hygiene)?,
            security: items(file, PatrolKind::Security, raw.security)?,
        })
    }

    /// The shipped lists, with each kind that `user` (the text of a user's
    /// `checklists.toml`) names replacing ours. `file` names it in errors.
    pub fn with_user(file: &str, user: &str) -> Result<Checklists, String> {
        let mut lists = Checklists::shipped();
        let user = Checklists::parse(file, user)?;
        if !user.hygiene.is_empty() {
            lists.hygiene = user.hygiene;
        }
        if !user.security.is_empty() {
            lists.security = user.security;
        }
        Ok(lists)
    }

    pub fn items(&self, kind: PatrolKind) -> &[Item] {
        match kind {
            PatrolKind::Hygiene => &self.hygiene,
            PatrolKind::Security => &self.security,
        }
    }

    /// The item of `kind` stored or typed as `text` (see [`Item::is_named`]).
    pub fn find(&self, kind: PatrolKind, text: &str) -> Option<&Item> {
        let list = self.items(kind);
        list.iter()
            .find(|i| i.key == text.trim())
            .or_else(|| list.iter().find(|i| i.is_named(text)))
    }

    /// An item of any kind by key, stored text or label.
    fn find_any(&self, text: &str) -> Option<&Item> {
        PatrolKind::ALL.iter().find_map(|k| self.find(*k, text))
    }
}

fn items(file: &str, kind: PatrolKind, raw: Vec<RawItem>) -> Result<Vec<Item>, String> {
    let mut out: Vec<Item> = Vec::new();
    for r in raw {
        let item = match r {
            RawItem::Text(t) => Item {
                key: t.trim().to_string(),
                en: t.trim().to_string(),
                zh: t.trim().to_string(),
            },
            RawItem::Full { key, en, zh } => Item {
                key: key.trim().to_string(),
                en: en.trim().to_string(),
                zh: zh.trim().to_string(),
            },
        };
        // `]` ends a stored finding's key; control characters never belong.
        if item.key.is_empty() || item.key.contains(']') || item.key.chars().any(char::is_control) {
            return Err(format!(
                "{file}: {}: `{}` cannot be a checklist key (empty, `]` or a control character)",
                kind.code(),
                item.key
            ));
        }
        if out.iter().any(|o| o.key == item.key) {
            return Err(format!(
                "{file}: {}: the key `{}` is listed twice",
                kind.code(),
                item.key
            ));
        }
        out.push(item);
    }
    Ok(out)
}

/// The lists labels are read from when entries are shown: the shipped ones
/// until the app installs the user's (see [`install`]).
fn active() -> &'static RwLock<Arc<Checklists>> {
    static ACTIVE: OnceLock<RwLock<Arc<Checklists>>> = OnceLock::new();
    ACTIVE.get_or_init(|| RwLock::new(Arc::new(Checklists::shipped())))
}

/// Makes `lists` the ones stored keys are shown by (the app calls this once
/// it has read the user's file). Keys of shipped items stay readable.
pub fn install(lists: &Checklists) {
    let mut w = active().write().unwrap_or_else(|e| e.into_inner());
    *w = Arc::new(lists.clone());
}

/// How a stored item reads in `lang`: the label of the item it names, or
/// the text as stored (an item no list knows, or an old free text).
pub fn label(lang: Lang, stored: &str) -> String {
    let lists = active().read().unwrap_or_else(|e| e.into_inner()).clone();
    if let Some(i) = lists.find_any(stored) {
        return i.label(lang).to_string();
    }
    static SHIPPED_LISTS: OnceLock<Checklists> = OnceLock::new();
    let shipped = SHIPPED_LISTS.get_or_init(Checklists::shipped);
    match shipped.find_any(stored).filter(|i| i.key == stored.trim()) {
        Some(i) => i.label(lang).to_string(),
        None => stored.to_string(),
    }
}

/// A failed checklist item as a problem stores it: `[check:KEY] note`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub key: String,
    pub note: String,
}

const FINDING: &str = "[check:";

impl Finding {
    pub fn encode(&self) -> String {
        if self.note.is_empty() {
            format!("{FINDING}{}]", self.key)
        } else {
            format!("{FINDING}{}] {}", self.key, self.note)
        }
    }

    /// The finding a stored text holds, if it is one.
    pub fn parse(text: &str) -> Option<Finding> {
        let rest = text.strip_prefix(FINDING)?;
        let (key, note) = rest.split_once(']')?;
        (!key.is_empty()).then(|| Finding {
            key: key.to_string(),
            note: note.trim().to_string(),
        })
    }

    /// `灭火器在位：过期` / `extinguishers present: expired`.
    pub fn show(&self, lang: Lang) -> String {
        let label = label(lang, &self.key);
        if self.note.is_empty() {
            label
        } else if lang == Lang::Zh {
            format!("{label}：{}", self.note)
        } else {
            format!("{label}: {}", self.note)
        }
    }
}

/// The key of the item a stored problem description is about: a finding's
/// key, or for text stored before items had keys (`灭火器在位 extinguishers
/// present: 过期`), the key of the item it names.
pub fn key_of(stored: &str) -> Option<String> {
    if let Some(f) = Finding::parse(stored) {
        return Some(f.key);
    }
    let item = stored.split_once(": ").map_or(stored, |(i, _)| i);
    let lists = active().read().unwrap_or_else(|e| e.into_inner()).clone();
    lists.find_any(item).map(|i| i.key.clone())
}

/// A problem's description or a step's note as shown in `lang`: a stored
/// finding reads as its item's label and the note; other text as stored.
pub fn shown(lang: Lang, stored: &str) -> String {
    match Finding::parse(stored) {
        Some(f) => f.show(lang),
        None => stored.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_lists_parse_with_unique_keys_and_both_labels() {
        let c = Checklists::shipped();
        assert!(c.hygiene.len() >= 3);
        assert!(c.security.len() >= 3);
        for i in c.hygiene.iter().chain(&c.security) {
            assert!(
                !i.en.is_empty() && !i.zh.is_empty() && i.en != i.zh,
                "{i:?}"
            );
            assert!(i.key.is_ascii(), "{i:?}");
            // Labels fit the form's label column without being cut.
            assert!(crate::text::width(&i.en) <= 28, "{i:?}");
        }
    }

    #[test]
    fn user_file_replaces_a_kind_in_the_old_and_the_new_shape() {
        let c =
            Checklists::with_user("checklists.toml", "hygiene = [\"垃圾分类 sorting\"]\n").unwrap();
        assert_eq!(c.hygiene[0].key, "垃圾分类 sorting");
        assert_eq!(c.hygiene[0].label(Lang::Zh), "垃圾分类 sorting");
        assert_eq!(c.security, Checklists::shipped().security);
        let c = Checklists::with_user(
            "checklists.toml",
            "[[security]]\nkey = \"cameras\"\nen = \"cameras work\"\nzh = \"监控正常\"\n",
        )
        .unwrap();
        assert_eq!(c.security.len(), 1);
        assert_eq!(c.security[0].label(Lang::Zh), "监控正常");
        assert_eq!(c.hygiene, Checklists::shipped().hygiene);
        let err = Checklists::with_user("checklists.toml", "hygiene = 3").unwrap_err();
        assert!(err.contains("checklists.toml"));
        let err = Checklists::with_user("c.toml", "hygiene = [\"a\", \"a\"]").unwrap_err();
        assert!(err.contains("twice"), "{err}");
        let err = Checklists::with_user("c.toml", "hygiene = [\"a]b\"]").unwrap_err();
        assert!(err.contains("cannot be a checklist key"), "{err}");
    }

    #[test]
    fn items_are_found_by_key_label_or_the_old_stored_text() {
        let c = Checklists::shipped();
        let k = PatrolKind::Security;
        for text in [
            "extinguishers-present",
            "灭火器在位",
            "extinguishers present",
            "灭火器在位 extinguishers present",
        ] {
            assert_eq!(
                c.find(k, text).unwrap().key,
                "extinguishers-present",
                "{text}"
            );
        }
        assert!(c.find(k, "灭火器").is_none());
        assert_eq!(label(Lang::Zh, "lights-work"), "楼道照明正常");
        assert_eq!(label(Lang::En, "lights-work"), "lights work");
        assert_eq!(label(Lang::En, "旧的说法"), "旧的说法");
    }

    #[test]
    fn findings_round_trip_and_read_in_each_language() {
        let f = Finding {
            key: "extinguishers-present".into(),
            note: "过期".into(),
        };
        let s = f.encode();
        assert_eq!(s, "[check:extinguishers-present] 过期");
        assert_eq!(Finding::parse(&s), Some(f));
        assert_eq!(shown(Lang::Zh, &s), "灭火器在位：过期");
        assert_eq!(shown(Lang::En, &s), "extinguishers present: 过期");
        let bare = Finding {
            key: "lights-work".into(),
            note: String::new(),
        };
        assert_eq!(Finding::parse(&bare.encode()), Some(bare));
        assert_eq!(key_of(&s).as_deref(), Some("extinguishers-present"));
        assert_eq!(
            key_of("灭火器在位 extinguishers present: 过期").as_deref(),
            Some("extinguishers-present")
        );
        assert_eq!(key_of("楼道灯不亮"), None);
        // Old stored text and ordinary descriptions read as stored.
        let old = "灭火器在位 extinguishers present: 过期";
        assert_eq!(shown(Lang::En, old), old);
        assert_eq!(Finding::parse("[check:] x"), None);
        assert_eq!(Finding::parse("楼道灯不亮"), None);
    }
}
