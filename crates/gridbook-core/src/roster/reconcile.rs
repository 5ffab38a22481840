//! A roster re-import as a reconciliation: what each row of the file means
//! next to what the store holds, line by line, so an office's new roster
//! never undoes local work without saying so.
//!
//! Rules (the README's "Roster updates" decision):
//! - a field whose stored value was edited here (an `Edited` event on it) and
//!   differs from the file keeps the stored value unless the file's is taken;
//! - a field never edited here takes the file's value (the office's update);
//! - a resident or household deleted here, or a resident marked moved out or
//!   deceased here, stays so unless the file's row is taken;
//! - rows are never deleted because the file lacks them: they are listed.

use std::collections::HashSet;

use serde::Serialize;

use gridbook_domain::i18n::Lang;
use gridbook_domain::model::*;
use gridbook_store::store::{Record, Store, StoreError};

/// Which of the file's values to take where they would undo local work.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Take {
    /// Local work wins everywhere (the default); the report lists it.
    #[default]
    None,
    /// `--overwrite`: the file's value everywhere.
    All,
    /// The rows chosen in the TUI preview, by their [`Line::key`].
    Only(HashSet<String>),
}

impl Take {
    pub fn takes(&self, key: &str) -> bool {
        match self {
            Take::None => false,
            Take::All => true,
            Take::Only(keys) => keys.contains(key),
        }
    }
}

/// One line of the reconciliation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Line {
    /// The file's physical line; 0 for what is only in the store.
    pub line: u64,
    /// `AREA/BUILDING/UNIT-ROOM` by names.
    pub address: String,
    /// The resident, or empty for a household.
    pub name: String,
    pub what: What,
    /// Set where the file's value can be taken instead of the local one:
    /// the key a choice names (`--overwrite` takes them all).
    pub key: Option<String>,
    /// Whether this import takes the file's value here.
    pub taken: bool,
}

/// Who did something here and when, from the events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Done {
    /// The member's name, when one was recorded.
    pub by: Option<String>,
    /// `YYYY-MM-DD` in the local zone.
    pub on: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum What {
    /// A resident (or, with no name, a household) the store does not hold.
    New,
    /// A field the office changed and nobody changed here: applied.
    Changed {
        field: String,
        old: String,
        new: String,
    },
    /// A field changed here since; the file would bring back another value.
    ChangedHere {
        field: String,
        here: String,
        file: String,
        done: Done,
    },
    /// Deleted here on purpose; the file lists it again.
    Deleted { done: Done, reason: String },
    /// Marked moved out or deceased here; the file lists the resident.
    Left { status: String, done: Done },
    /// In the store, not in the file (nothing is deleted for it).
    Missing,
    /// A new resident whose name differs by one character from another in
    /// the same household.
    NearDuplicate { other: String },
    /// A phone another resident already has.
    SamePhone { phone: String, other: String },
}

impl Line {
    /// The line as the CLI shows it, in `lang`: where a choice is possible,
    /// which way this import goes.
    pub fn text(&self, lang: Lang) -> String {
        let t = self.label(lang);
        if self.key.is_none() {
            return t;
        }
        let way = lang.t(if self.taken {
            "office.taking_file"
        } else {
            "office.keeping_here"
        });
        lang.f("office.choice", &[&t, way])
    }

    /// The line without the choice: `line 5  胜利花苑/1栋/1-101 严建国: …`.
    pub fn label(&self, lang: Lang) -> String {
        let at = if self.line > 0 {
            lang.f("office.line", &[&self.line.to_string()])
        } else {
            lang.t("office.not_in_file").to_string()
        };
        lang.f("office.entry", &[&at, &self.who(), &self.body(lang)])
    }

    /// The household, and the resident when the line is about one.
    pub fn who(&self) -> String {
        if self.name.is_empty() {
            self.address.clone()
        } else {
            format!("{} {}", self.address, self.name)
        }
    }

    /// What the line says, without where.
    pub fn body(&self, lang: Lang) -> String {
        let done = |d: &Done| match &d.by {
            Some(by) => lang.f("office.done_by", &[by, &d.on]),
            None => lang.f("office.done", &[&d.on]),
        };
        match &self.what {
            What::New => lang.t("office.new").to_string(),
            What::Changed { field: f, old, new } => lang.f(
                "office.changed",
                &[&field(lang, f), &value(lang, f, old), &value(lang, f, new)],
            ),
            What::ChangedHere {
                field: f,
                here,
                file,
                done: d,
            } => lang.f(
                "office.changed_here",
                &[
                    &field(lang, f),
                    &value(lang, f, here),
                    &done(d),
                    &value(lang, f, file),
                ],
            ),
            What::Deleted { done: d, reason } => {
                lang.f("office.deleted", &[&done(d), show(reason)])
            }
            What::Left { status, done: d } => lang.f(
                "office.left",
                &[lang.t(&format!("office.status.{status}")), &done(d)],
            ),
            What::Missing => lang.t("office.missing").to_string(),
            What::NearDuplicate { other } => lang.f("office.near_duplicate", &[other]),
            What::SamePhone { phone, other } => lang.f("office.same_phone", &[phone, other]),
        }
    }

    /// The field a choice is about, as a short label (`电话`, `deleted`).
    pub fn subject(&self, lang: Lang) -> String {
        match &self.what {
            What::ChangedHere { field: f, .. } => field(lang, f),
            What::Deleted { .. } => lang.t("office.restore").to_string(),
            What::Left { .. } => lang.t("office.field.status").to_string(),
            _ => String::new(),
        }
    }
}

/// A field's name in `lang`.
pub fn field(lang: Lang, f: &str) -> String {
    lang.t(&format!("office.field.{f}")).to_string()
}

fn show(v: &str) -> &str {
    if v.is_empty() { "—" } else { v }
}

/// A field's value as the line shows it: a status in `lang` (`迁出`, not
/// its code), anything else as stored.
fn value(lang: Lang, f: &str, v: &str) -> String {
    match f {
        "status" if !v.is_empty() => lang.t(&format!("office.status.{v}")).to_string(),
        _ => show(v).to_string(),
    }
}

/// Who did something and when, as the preview names it.
pub(crate) fn done(store: &Store, by: Option<Id>, at: Ts) -> Result<Done, StoreError> {
    let by = match by {
        Some(id) => store.member(id)?.map(|m| m.name),
        None => None,
    };
    Ok(Done {
        by,
        on: at.date().to_string(),
    })
}

/// The latest `Edited` event on `field` of `target` among a household's
/// events (newest first), if the field was ever edited.
pub(crate) fn last_edit<'a>(events: &'a [Event], target: Id, field: &str) -> Option<&'a Event> {
    events.iter().find(|e| {
        matches!(&e.body, EventBody::Edited { target: t, field: f, .. } if *t == target && f == field)
    })
}

/// Every child record of `parent`, deleted ones too.
pub(crate) fn all_children<R: Record>(store: &Store, parent: Id) -> Result<Vec<R>, StoreError> {
    let mut out = Vec::new();
    for id in store.child_ids(parent)? {
        if let Some(r) = store.record::<R>(id)? {
            out.push(r);
        }
    }
    Ok(out)
}

/// Two names of the same length (two characters or more) that differ in
/// exactly one character: 崔紫萱 / 崔梓萱.
pub fn near_duplicate(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.trim().chars().collect(), b.trim().chars().collect());
    a.len() == b.len() && a.len() >= 2 && a.iter().zip(&b).filter(|(x, y)| x != y).count() == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_duplicates_differ_in_one_character() {
        assert!(near_duplicate("崔紫萱", "崔梓萱"));
        assert!(near_duplicate("王伟", "王玮"));
        assert!(!near_duplicate("崔紫萱", "崔紫萱"));
        assert!(!near_duplicate("崔紫萱", "李梓萱"), "two differ");
        assert!(!near_duplicate("王", "李"), "one character is too short");
        assert!(!near_duplicate("王伟", "王伟伟"));
    }

    fn line(what: What, key: Option<&str>) -> Line {
        Line {
            line: 3,
            address: "胜利花苑/3栋/2-501".into(),
            name: "王大明".into(),
            what,
            key: key.map(String::from),
            taken: false,
        }
    }

    #[test]
    fn lines_under_zh_carry_no_english() {
        let done = Done {
            by: Some("孙丽".into()),
            on: "2026-12-01".into(),
        };
        let lines = [
            line(What::New, None),
            line(
                What::Changed {
                    field: "status".into(),
                    old: "present".into(),
                    new: "moved-out".into(),
                },
                None,
            ),
            line(
                What::ChangedHere {
                    field: "status".into(),
                    here: "deceased".into(),
                    file: "present".into(),
                    done: done.clone(),
                },
                Some("k"),
            ),
            line(
                What::Left {
                    status: "moved-out".into(),
                    done,
                },
                Some("k"),
            ),
        ];
        assert_eq!(
            lines[0].text(Lang::Zh),
            "第 3 行  胜利花苑/3栋/2-501 王大明：新增"
        );
        assert_eq!(
            lines[1].text(Lang::Zh),
            "第 3 行  胜利花苑/3栋/2-501 王大明：人员状态 在住 → 迁出"
        );
        for l in &lines {
            let zh = l.text(Lang::Zh);
            assert!(
                !zh.chars().any(|c| c.is_ascii_alphabetic() || c == ':'),
                "{zh}"
            );
        }
        assert_eq!(
            lines[1].text(Lang::En),
            "line 3  胜利花苑/3栋/2-501 王大明: status present → moved out"
        );
        assert_eq!(
            lines[3].text(Lang::En),
            "line 3  胜利花苑/3栋/2-501 王大明: marked moved out here (by 孙丽 on 2026-12-01); the file lists them: keeping it"
        );
    }

    #[test]
    fn takes_by_key() {
        assert!(!Take::None.takes("a"));
        assert!(Take::All.takes("a"));
        let only = Take::Only(["a".to_string()].into_iter().collect());
        assert!(only.takes("a") && !only.takes("b"));
    }
}
