//! Patrol checklists per kind: shipped defaults, replaced per kind by a
//! `checklists.toml` in the config directory.

use std::path::Path;

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

    /// The shipped lists, with each kind the user's file names replacing ours.
    pub fn load(config_dir: Option<&Path>) -> Result<Checklists, String> {
        let mut lists = Checklists::shipped();
        let Some(path) = config_dir.map(|d| d.join("checklists.toml")) else {
            return Ok(lists);
        };
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Ok(lists);
        };
        let user: Checklists =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
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
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("checklists.toml"),
            "hygiene = [\"垃圾分类 sorting\"]\n",
        )
        .unwrap();
        let c = Checklists::load(Some(dir.path())).unwrap();
        assert_eq!(c.hygiene, vec!["垃圾分类 sorting"]);
        assert_eq!(c.security, Checklists::shipped().security);
        std::fs::write(dir.path().join("checklists.toml"), "hygiene = 3").unwrap();
        assert!(
            Checklists::load(Some(dir.path()))
                .unwrap_err()
                .contains("checklists.toml")
        );
    }
}
