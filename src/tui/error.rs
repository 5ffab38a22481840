//! The TUI's error: the typed errors of the layers below, kept whole until
//! the edge (the effect runner and the job runner) says them in the UI's
//! language, so that a store error stays a store error with its kind.

use gridbook_core::address::AddrError;
use gridbook_core::ops::OpError;
use gridbook_core::roster::RosterError;
use gridbook_core::who::WhoError;
use gridbook_domain::error::{ErrorKind, Kinded};
use gridbook_domain::i18n::Lang;
use gridbook_domain::validate::FieldError;
use gridbook_store::store::StoreError;

use crate::speak::Speak;

#[derive(Debug, thiserror::Error)]
pub enum UiError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A validated operation refused (a field, a rule) or the store failed.
    #[error(transparent)]
    Op(#[from] OpError),
    /// An address that names no place, or more than one.
    #[error(transparent)]
    Addr(#[from] AddrError),
    /// A member that no one, or more than one, is.
    #[error(transparent)]
    Who(#[from] WhoError),
    #[error(transparent)]
    Field(#[from] FieldError),
    #[error(transparent)]
    Roster(#[from] RosterError),
    /// A domain rule's English message (a date or time that does not
    /// parse), said in Chinese by the rules' patterns.
    #[error("{0}")]
    Rule(String),
    /// What the screen showed is no longer in the store.
    #[error("it is no longer there")]
    Gone,
    /// A screen's own message, already in the UI's language.
    #[error("{0}")]
    Message(String),
    /// Something that should not fail did (a date the calendar refuses).
    #[error("{0}")]
    Bug(String),
}

impl UiError {
    /// Wraps an error of a library that has no type of ours: gridbook is
    /// wrong when one of these reaches the user.
    pub fn bug(e: impl std::fmt::Display) -> UiError {
        UiError::Bug(e.to_string())
    }

    /// The error as the user reads it: English is `Display`, Chinese the
    /// renderings of `crate::speak`.
    pub fn say(&self, lang: Lang) -> String {
        match (self, lang) {
            (UiError::Gone, _) => lang.t("tui.gone").to_string(),
            (UiError::Message(m), _) => m.clone(),
            (_, Lang::En) => self.to_string(),
            (UiError::Store(e), Lang::Zh) => e.zh(),
            (UiError::Op(e), Lang::Zh) => e.zh(),
            (UiError::Addr(e), Lang::Zh) => e.zh(),
            (UiError::Who(e), Lang::Zh) => e.zh(),
            (UiError::Field(e), Lang::Zh) => e.zh(),
            (UiError::Roster(e), Lang::Zh) => e.zh(),
            (UiError::Rule(m) | UiError::Bug(m), Lang::Zh) => crate::speak::text_zh(m)
                .unwrap_or_else(|| Lang::Zh.f("contacts.err.untranslated", &[m])),
        }
    }
}

impl Kinded for UiError {
    fn kind(&self) -> ErrorKind {
        match self {
            UiError::Store(e) => e.kind(),
            UiError::Op(e) => e.kind(),
            UiError::Addr(e) => e.kind(),
            UiError::Who(e) => e.kind(),
            UiError::Roster(e) => e.kind(),
            UiError::Field(_) | UiError::Rule(_) | UiError::Gone | UiError::Message(_) => {
                ErrorKind::Input
            }
            UiError::Bug(_) => ErrorKind::Bug,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store error that reaches the UI keeps its kind and is said in both
    /// languages, not flattened to English text on the way.
    #[test]
    fn a_store_error_keeps_its_kind_and_speaks_both_languages() {
        let dir = std::path::PathBuf::from("grid");
        let e: UiError = super::super::world::err(OpError::Store(StoreError::Locked { dir }));
        assert_eq!(e.kind(), ErrorKind::Unavailable);
        let en = e.say(Lang::En);
        let zh = e.say(Lang::Zh);
        assert!(en.contains("grid") && zh.contains("grid"), "{en} / {zh}");
        assert_ne!(en, zh);
        assert!(
            zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{zh}"
        );
        let e: UiError = super::super::world::err(StoreError::Locked { dir: "grid".into() });
        assert_eq!(e.kind(), ErrorKind::Unavailable);
        assert_eq!(e.say(Lang::Zh), zh);

        let gone = UiError::Gone;
        assert_eq!(gone.kind(), ErrorKind::Input);
        assert_eq!(gone.say(Lang::Zh), Lang::Zh.t("tui.gone"));
        assert_eq!(gone.say(Lang::En), Lang::En.t("tui.gone"));
    }
}
