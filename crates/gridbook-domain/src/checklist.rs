//! Patrol checklists per kind: shipped defaults, replaced per kind by a
//! `checklists.toml` in the config directory.

use serde::Deserialize;

use crate::model::PatrolKind;

const SHIPPED: &str = include_str!("checklists.toml");

#[derive(Clone, Debug, Deserialize, Default)]
pub struct Checklists {
    #[serde(default)]
    pub hygiene: Vec<String>,
    #[serde(default)]
    pub security: Vec<String>,
}

impl Checklists {
    pub fn shipped() -> Checklists {
        toml::from_str(SHIPPED).expect("shipped checklists.toml parses (tested)")
    }

    /// The shipped lists, with each kind that `user` (the text of a user's
    /// `checklists.toml`) names replacing ours. `file` names it in errors.
    pub fn with_user(file: &str, user: &str) -> Result<Checklists, String> {
        let mut lists = Checklists::shipped();
        let user: Checklists = toml::from_str(user).map_err(|e| format!("{file}: {e}"))?;
        if !user.hygiene.is_empty() {
            lists.hygiene = user.hygiene;
        }
        if !user.security.is_empty() {
            lists.security = user.security;
        }
        Ok(lists)
    }

    pub fn items(&self, kind: PatrolKind) -> &[String] {
        match kind {
            PatrolKind::Hygiene => &self.hygiene,
            PatrolKind::Security => &self.security,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_lists_parse_and_are_not_empty() {
        let c = Checklists::shipped();
        assert!(c.hygiene.len() >= 3);
        assert!(c.security.len() >= 3);
    }

    #[test]
    fn user_file_replaces_a_kind() {
        let c =
            Checklists::with_user("checklists.toml", "hygiene = [\"垃圾分类 sorting\"]\n").unwrap();
        assert_eq!(c.hygiene, vec!["垃圾分类 sorting"]);
        assert_eq!(c.security, Checklists::shipped().security);
        let err = Checklists::with_user("checklists.toml", "hygiene = 3").unwrap_err();
        assert!(err.contains("checklists.toml"));
    }
}
