//! The user's settings: `config.toml` in the config directory, and where the
//! data lives (`--data`, `GRIDBOOK_DATA`, else the platform's data directory).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use gridbook_domain::i18n::Lang;

/// `config.toml`. Every field is optional; unknown fields are an error so a
/// typo does not silently do nothing.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Who I am: a member's name, phone or id (`--as` overrides).
    pub me: Option<String>,
    pub lang: Option<Lang>,
    /// A shipped keymap (`default`, `vim`, `arrows`) as the base for `keymap.toml`.
    pub keymap: Option<String>,
    /// How many rotating backups to keep.
    pub backups: Option<usize>,
    /// Households not visited in this many days are flagged (default 90).
    pub visit_days: Option<i64>,
    /// Buildings not patrolled in this many days are due (default 7).
    pub patrol_days: Option<i64>,
    /// Problem categories offered by the problem form.
    pub categories: Option<Vec<String>>,
    /// age public keys (`age1…`) every backup is encrypted to, automatic
    /// ones included. Checked when the config is read.
    pub backup_recipients: Option<crate::seal::Recipients>,
    /// The age identity file that opens backups and exports encrypted to
    /// keys (`restore`, `import json`); `--identity FILE` overrides.
    pub identity: Option<PathBuf>,
    /// Minutes without a key before the TUI hides names and phones (default
    /// 10; 0 never).
    pub privacy_idle_minutes: Option<u64>,
}

fn project() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "gridbook")
}

/// The data directory: the flag (which clap fills from `GRIDBOOK_DATA` too), else the platform's.
pub fn data_dir(flag: Option<&Path>) -> Result<PathBuf, String> {
    match flag {
        Some(p) => Ok(p.to_path_buf()),
        None => project()
            .map(|p| p.data_dir().to_path_buf())
            .ok_or_else(|| {
                "cannot find a home directory for the data; pass --data DIR".to_string()
            }),
    }
}

/// The config directory (`GRIDBOOK_CONFIG` overrides, for tests and portable setups).
pub fn config_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("GRIDBOOK_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    project().map(|p| p.config_dir().to_path_buf())
}

/// Sets `me` in `config.toml` in `dir` (made if missing), keeping every
/// other line as written, comments too: the line that set `me` is
/// replaced, else the setting goes first (a top-level key must come
/// before any table). The file is replaced whole, and only by text that
/// still reads as a config. Returns the file's path.
pub fn save_me(dir: &Path, me: &str) -> std::io::Result<PathBuf> {
    use std::io::{Error, ErrorKind};
    let path = dir.join("config.toml");
    let old = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let line = format!("me = {}", toml::Value::String(me.to_string()));
    let mut lines: Vec<String> = old.lines().map(str::to_string).collect();
    let tables_from = lines
        .iter()
        .position(|l| l.trim_start().starts_with('['))
        .unwrap_or(lines.len());
    let sets_me = |l: &str| {
        l.trim_start()
            .strip_prefix("me")
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    };
    match lines[..tables_from].iter().position(|l| sets_me(l)) {
        Some(i) => lines[i] = line,
        None => lines.insert(0, line),
    }
    let mut text = lines.join("\n");
    text.push('\n');
    toml::from_str::<Config>(&text)
        .map_err(|e| Error::new(ErrorKind::InvalidData, format!("{}: {e}", path.display())))?;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(".config.toml.tmp");
    {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

impl Config {
    pub fn load(dir: Option<&Path>) -> Result<Config, String> {
        let Some(path) = dir.map(|d| d.join("config.toml")) else {
            return Ok(Config::default());
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    pub fn visit_days(&self) -> i64 {
        self.visit_days.unwrap_or(90)
    }
    pub fn patrol_days(&self) -> i64 {
        self.patrol_days.unwrap_or(7)
    }
    pub fn privacy_idle_minutes(&self) -> u64 {
        self.privacy_idle_minutes.unwrap_or(10)
    }
    pub fn backups(&self) -> usize {
        self.backups.unwrap_or(10)
    }
    /// How automatic backups are written: encrypted to `backup_recipients`
    /// when there are any, else in the clear.
    pub fn backup_seal(&self) -> crate::seal::Seal {
        match &self.backup_recipients {
            Some(r) if !r.0.is_empty() => crate::seal::Seal::Recipients(r.0.clone()),
            _ => crate::seal::Seal::Plain,
        }
    }
    /// What automatic backups follow: how many to keep, how to seal them.
    pub fn backup_policy(&self) -> crate::backup::Policy {
        crate::backup::Policy {
            keep: self.backups(),
            seal: self.backup_seal(),
        }
    }
}

/// The patrol checklists: the shipped ones, with each kind named by the
/// user's `checklists.toml` in `config_dir` replacing ours.
pub fn checklists(
    config_dir: Option<&Path>,
) -> Result<gridbook_domain::checklist::Checklists, String> {
    use gridbook_domain::checklist::Checklists;
    let Some(path) = config_dir.map(|d| d.join("checklists.toml")) else {
        return Ok(Checklists::shipped());
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Checklists::with_user(&path.display().to_string(), &text),
        Err(_) => Ok(Checklists::shipped()),
    }
}

/// Reads `name` in `config_dir`: `None` when there is no such file.
fn user_list(config_dir: Option<&Path>, name: &str) -> Result<Option<(String, String)>, String> {
    let Some(path) = config_dir.map(|d| d.join(name)) else {
        return Ok(None);
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some((path.display().to_string(), text))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// The care groups: the shipped list with the user's `care.toml` in
/// `config_dir` laid over it (a group by its code replaced, others added).
pub fn care_groups(
    config_dir: Option<&Path>,
) -> Result<gridbook_domain::vocab::Vocabulary, String> {
    let user = user_list(config_dir, "care.toml")?;
    gridbook_domain::vocab::care::groups(user.as_ref().map(|(f, t)| (f.as_str(), t.as_str())))
}

/// The kinds of service activity: the shipped list with the user's
/// `activities.toml` in `config_dir` laid over it.
pub fn activity_kinds(
    config_dir: Option<&Path>,
) -> Result<gridbook_domain::vocab::Vocabulary, String> {
    let user = user_list(config_dir, "activities.toml")?;
    gridbook_domain::vocab::activity_kinds(user.as_ref().map(|(f, t)| (f.as_str(), t.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saving_me_keeps_every_other_line_and_replaces_only_mine() {
        let dir = tempfile::tempdir().unwrap();
        // No file yet: one line.
        save_me(dir.path(), "孙丽").unwrap();
        let read = || std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
        assert_eq!(read(), "me = \"孙丽\"\n");
        std::fs::write(
            dir.path().join("config.toml"),
            "# 我的设置\nlang = \"zh\"\nme = \"王强\"  # 旧的\n\n[extra]\nme = \"不是这个\"\n",
        )
        .unwrap();
        // The table below is not a config of ours: refused, file untouched.
        assert!(save_me(dir.path(), "赵建国").is_err());
        std::fs::write(
            dir.path().join("config.toml"),
            "# 我的设置\nlang = \"zh\"\nme = \"王强\"  # 旧的\nvisit_days = 60\n",
        )
        .unwrap();
        save_me(dir.path(), "赵\"建国").unwrap();
        assert_eq!(
            read(),
            "# 我的设置\nlang = \"zh\"\nme = '赵\"建国'\nvisit_days = 60\n"
        );
        let c = Config::load(Some(dir.path())).unwrap();
        assert_eq!(c.me.as_deref(), Some("赵\"建国"));
        assert_eq!(c.visit_days(), 60);
    }
}
