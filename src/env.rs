//! What every command and the TUI need: the resolved settings, and the one
//! place that decides whether a data directory may be used and how the store
//! in it is opened.
//!
//! A data directory is gridbook's when it is new, empty, or holds what
//! gridbook keeps there (`store/`, `gridbook.lock`, `backups/`); any other
//! directory is refused before anything is created or changed in it.
//! Reading never creates a store. Every command waits for the one-writer
//! lock up to `--wait` before giving up with exit 3.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use gridbook_core::config::{self, Config};
use gridbook_core::ops::Ctx;
use gridbook_core::who::WhoError;
use gridbook_domain::error::ErrorKind;
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::Member;
use gridbook_store::store::{OpenWork, Store, StoreError, WriterLock};

use crate::fail::{Fail, io_fail};

/// How long a command waits for the lock unless `--wait` says otherwise.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(5);

/// How often a waiting command tries the lock again.
const POLL: Duration = Duration::from_millis(50);

/// What a command does with the store, which decides what opening it may
/// create.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    /// Reads (`show`, `find`, `report`, `export`, `check`, `backup`): the
    /// store must exist already; nothing is created.
    Read,
    /// Writes entries (`log`, `import roster|members`, the TUI): may start a
    /// store in a new or empty directory, but not where backups show that a
    /// store is missing.
    Write,
    /// Fills a store from a file or a generator (`restore`, `import json`,
    /// `gen`, `demo --load-only`): may start one even beside backups.
    Fill,
}

/// What is in a data directory, looked at before anything is opened.
#[derive(Debug, PartialEq, Eq)]
enum DataDir {
    /// Nothing there yet.
    Absent,
    /// An existing empty directory: gridbook may adopt it.
    Empty,
    /// gridbook's directory: with or without a store in it.
    Gridbook { store: bool },
}

/// What gridbook keeps in a data directory; any of these makes it gridbook's.
/// (`store.*` are the store's siblings: a damaged store set aside, a store
/// being built.)
fn is_gridbook_entry(name: &str) -> bool {
    matches!(name, "store" | "gridbook.lock" | "backups") || name.starts_with("store.")
}

/// Whether the data directory holds a store: the store's own definition
/// (a swap cut short counts; opening finishes it).
pub fn store_exists(data: &Path) -> bool {
    gridbook_store::store::store_exists(data)
}

/// The longest path and path component the kernel takes (Linux's PATH_MAX
/// and NAME_MAX); checked first so the message is plain.
const MAX_PATH: usize = 4095;
const MAX_NAME: usize = 255;

fn inspect(data: &Path) -> Result<DataDir, Fail> {
    let shown = data.display().to_string();
    let bytes = data.as_os_str().len();
    if bytes > MAX_PATH || data.iter().any(|c| c.len() > MAX_NAME) {
        return Err(Fail::input(format!(
            "the data directory path is too long ({bytes} bytes; a path may have {MAX_PATH}, each part {MAX_NAME})"
        )));
    }
    let meta = match std::fs::metadata(data) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(DataDir::Absent),
        Err(e) => return Err(io_fail(&format!("the data directory {shown}"), &e)),
    };
    if !meta.is_dir() {
        return Err(Fail::input(format!(
            "the data directory {shown} is a file, not a directory; give a new or empty directory with --data"
        )));
    }
    let entries =
        std::fs::read_dir(data).map_err(|e| io_fail(&format!("the data directory {shown}"), &e))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io_fail(&format!("the data directory {shown}"), &e))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    if names.is_empty() {
        return Ok(DataDir::Empty);
    }
    if names.iter().any(|n| is_gridbook_entry(n)) {
        return Ok(DataDir::Gridbook {
            store: store_exists(data),
        });
    }
    names.sort();
    let shown_names: Vec<&str> = names.iter().take(3).map(String::as_str).collect();
    let more = if names.len() > 3 { ", …" } else { "" };
    Err(Fail::input(format!(
        "{shown} is not a gridbook data directory: it holds other files ({}{more}) and no gridbook store; give a new or empty directory with --data",
        shown_names.join(", ")
    )))
}

/// Exit 3: there is no store to read, and where to get one.
fn no_store(data: &Path) -> Fail {
    let shown = data.display();
    match gridbook_core::backup::newest(data) {
        Some(b) => Fail::of(
            ErrorKind::Unavailable,
            format!(
                "the store in {shown} is missing; the newest backup is {} (gridbook restore {})",
                b.display(),
                b.display()
            ),
        ),
        None => Fail::of(
            ErrorKind::Unavailable,
            format!(
                "there is no data in {shown} yet (no store): `gridbook import roster FILE` or `gridbook restore FILE` fills it"
            ),
        ),
    }
}

/// Whether a command that does `u` may go on with `data`, creating nothing.
/// Refuses a directory that is not gridbook's, a read of a store that does
/// not exist, and a new store where backups show the old one is missing.
pub fn check_data_dir(data: &Path, u: Use) -> Result<(), Fail> {
    let state = inspect(data)?;
    let has_store = matches!(state, DataDir::Gridbook { store: true });
    match u {
        Use::Read if !has_store => Err(no_store(data)),
        Use::Write if !has_store && gridbook_core::backup::newest(data).is_some() => {
            Err(no_store(data))
        }
        _ => Ok(()),
    }
}

/// What every command needs: the resolved settings.
pub struct Env {
    pub data: PathBuf,
    pub lang: Lang,
    pub config: Config,
    pub as_member: Option<String>,
    /// `as_member` is config.toml's `me`, not `--as`: a name that matches
    /// nobody here is then said as the config's, with how to change it (a
    /// worker may keep several data directories under one config).
    pub me_from_config: bool,
    /// How long to wait for another gridbook to let go of the data (`--wait`).
    pub wait: Duration,
    /// The running TUI's store, when it answers this command for another
    /// process ([`crate::serve`]): reads use a share of it.
    pub lent: Option<Store>,
}

impl Env {
    /// Settings from the global flags, then the config file, then defaults.
    pub fn resolve(
        data: Option<&Path>,
        lang: Option<Lang>,
        as_member: Option<String>,
    ) -> Result<Env, Fail> {
        let config = Config::load(config::config_dir().as_deref()).map_err(Fail::input)?;
        let data = config::data_dir(data).map_err(Fail::input)?;
        let me_from_config = as_member.is_none() && config.me.is_some();
        Ok(Env {
            lang: Lang::detect(lang, config.lang),
            as_member: as_member.or_else(|| config.me.clone()),
            me_from_config,
            data,
            config,
            wait: DEFAULT_WAIT,
            lent: None,
        })
    }

    /// Opens the store for a command that does `u`: checks the directory,
    /// waits for the lock, opens. Nothing is created or changed when the
    /// directory is refused.
    pub fn open(&self, u: Use) -> Result<Store, Fail> {
        Ok(self.try_open(u)??)
    }

    /// Like [`Env::open`], but a store that fails to open (damaged, too new)
    /// is handed back as the store's error, for `restore --force` to act on.
    pub fn try_open(&self, u: Use) -> Result<Result<Store, StoreError>, Fail> {
        if let Some(lent) = &self.lent {
            if u != Use::Read {
                return Err(Fail::of(
                    ErrorKind::Bug,
                    "the running TUI answers only commands that read",
                ));
            }
            return Ok(Ok(lent.share()));
        }
        check_data_dir(&self.data, u)?;
        let lock = self.lock()?;
        if u != Use::Read {
            // Before any commit: a saved lookup index is never trusted past it.
            gridbook_core::lookup::persist::forget(&self.data);
        }
        let store = Store::open_telling(&self.data, lock, &|w| {
            tell_on_stderr(self.lang, &self.data, w)
        });
        if u == Use::Write
            && let Ok(store) = &store
        {
            daily_backup(self, store);
        }
        Ok(store)
    }

    /// Takes the one-writer lock, trying again until `wait` has passed.
    fn lock(&self) -> Result<WriterLock, Fail> {
        let shown = self.data.display().to_string();
        let lock_file = self.data.join("gridbook.lock");
        if lock_file.is_dir() {
            return Err(Fail::of(
                ErrorKind::Unavailable,
                format!(
                    "{} is a directory where gridbook keeps its lock file; remove it if no gridbook uses {shown}",
                    lock_file.display()
                ),
            ));
        }
        let deadline = Instant::now() + self.wait;
        loop {
            match Store::lock(&self.data) {
                Ok(lock) => return Ok(lock),
                Err(StoreError::Locked { .. }) if Instant::now() < deadline => {
                    std::thread::sleep(
                        POLL.min(deadline.saturating_duration_since(Instant::now())),
                    );
                }
                Err(StoreError::Locked { .. }) => {
                    let said = |lang: Lang| {
                        lang.f("contacts.err.locked_waited", &[&shown, &waited(self.wait)])
                    };
                    let mut f = Fail::of(ErrorKind::Unavailable, said(Lang::En));
                    f.zh = Some(said(Lang::Zh));
                    return Err(f);
                }
                Err(StoreError::Io { source, .. }) => {
                    return Err(io_fail(
                        &format!("the data directory {shown} (or its gridbook.lock)"),
                        &source,
                    ));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The writing member from `--as` / config, resolved against the store.
    pub fn me(&self, store: &Store) -> Result<Option<Member>, Fail> {
        match self.member(store) {
            Ok(m) => Ok(m),
            Err(WhoError::NoMember { who, .. }) if self.me_from_config => {
                let path = self.config_file();
                Err(Fail::said("cli_msg.config_me_unknown", &[&who, &path]))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// `--as` / config's `me` resolved against the store, as the lookup
    /// answers it.
    pub fn member(&self, store: &Store) -> Result<Option<Member>, WhoError> {
        match &self.as_member {
            None => Ok(None),
            Some(who) => gridbook_core::who::member(store, who).map(Some),
        }
    }

    /// Where config.toml is, as it is said to the user.
    pub fn config_file(&self) -> String {
        match config::config_dir() {
            Some(d) => d.join("config.toml").display().to_string(),
            None => "config.toml".to_string(),
        }
    }

    pub fn ctx(&self, store: &Store) -> Result<Ctx, Fail> {
        Ok(Ctx::now(self.me(store)?.map(|m| m.meta.id)))
    }
}

/// Before the first write of a day, a backup of the store as it was (the
/// backup policy's, encrypted to `backup_recipients` when set): CLI-only
/// use gets recent backups too. Failing to write one is said, and the
/// write goes ahead: it is the user's work.
/// What a person is told while an open does long work first (a format
/// upgrade, a rebuild a kill interrupted), so a blank wait has a reason.
pub fn open_work_line(lang: Lang, data: &Path, work: OpenWork) -> String {
    let dir = data.display().to_string();
    match work {
        OpenWork::Upgrade { .. } => lang.f("open_work.upgrade", &[&dir]),
        OpenWork::Rebuild => lang.f("open_work.rebuild", &[&dir]),
    }
}

/// [`open_work_line`] on stderr, so a command's output stays what it was;
/// a closed stderr is no reason to stop.
pub fn tell_on_stderr(lang: Lang, data: &Path, work: OpenWork) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{}", open_work_line(lang, data, work));
}

pub fn daily_backup(env: &Env, store: &Store) {
    warn_daily(env.lang, &take_daily_backup(&env.config, store));
}

/// The daily backup ([`daily_backup`]) without saying anything: the TUI
/// takes it on a thread after its first frame and says a failure once the
/// terminal is back.
pub fn take_daily_backup(
    config: &Config,
    store: &Store,
) -> Result<Option<PathBuf>, gridbook_core::export::ExportError> {
    let policy = config.backup_policy();
    gridbook_core::backup::daily(store, &policy, gridbook_domain::model::Ts::now())
}

/// Says that the daily backup failed (the write goes ahead).
pub fn warn_daily(lang: Lang, taken: &Result<Option<PathBuf>, gridbook_core::export::ExportError>) {
    if let Err(e) = taken {
        crate::cli::out::note(lang.f("session.daily_failed", &[&e.to_string()]));
    }
}

fn waited(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// `--wait SECS`: a number of seconds from 0 to a day, fractions allowed.
pub fn parse_wait(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if !(0.0..=86_400.0).contains(&secs) {
        return Err(format!("--wait {s}: give 0 to 86400 seconds"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_parse_and_stay_in_range() {
        assert_eq!(parse_wait("5"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_wait("0.25"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_wait("0"), Ok(Duration::ZERO));
        for bad in ["-1", "abc", "1e9", "NaN", "inf", ""] {
            assert!(parse_wait(bad).is_err(), "{bad}");
        }
        assert_eq!(waited(Duration::from_secs(5)), "5 s");
        assert_eq!(waited(Duration::from_millis(300)), "0.3 s");
    }

    #[test]
    fn what_a_directory_is_decides_what_may_be_done() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        assert_eq!(inspect(&d.join("new")).unwrap(), DataDir::Absent);
        assert_eq!(inspect(d).unwrap(), DataDir::Empty);
        std::fs::write(d.join("notes.txt"), "x").unwrap();
        let f = inspect(d).unwrap_err();
        assert_eq!(f.code, 2, "{}", f.msg);
        assert!(f.msg.contains("notes.txt"), "{}", f.msg);
        std::fs::create_dir(d.join("backups")).unwrap();
        assert_eq!(inspect(d).unwrap(), DataDir::Gridbook { store: false });
        // An empty store directory is a creation cut short: no store.
        std::fs::create_dir(d.join("store")).unwrap();
        assert_eq!(inspect(d).unwrap(), DataDir::Gridbook { store: false });
        std::fs::write(d.join("store").join("conf"), "x").unwrap();
        assert_eq!(inspect(d).unwrap(), DataDir::Gridbook { store: true });
        let f = inspect(&d.join("notes.txt")).unwrap_err();
        assert_eq!(f.code, 2, "{}", f.msg);
        let f = inspect(&d.join("notes.txt").join("under")).unwrap_err();
        assert_eq!(f.code, 2, "{}", f.msg);
        let long = d.join("x".repeat(300));
        assert_eq!(inspect(&long).unwrap_err().code, 2);
    }
}
