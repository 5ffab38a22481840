//! Rotating portable backups of the store, kept beside it in `backups/`.
//!
//! A backup is the JSON export (see [`crate::export`]): readable by any later
//! gridbook, independent of sled's file format, mode 0600. Names are
//! `gridbook-YYYYMMDD-HHMMSS-mmm.json` in UTC, so they sort by time as text.
//!
//! With `backup_recipients` in config (or `backup --passphrase`) a backup is
//! encrypted in the age format and named `….json.age`; the encryption
//! streams into the private file, so no plaintext copy is written on the
//! way. Both kinds rotate together.

use std::path::{Path, PathBuf};

use crate::export::{self, Dump, ExportError};
use crate::seal::Seal;
use gridbook_domain::model::Ts;
use gridbook_store::store::Store;

pub use gridbook_store::backups::{dir, file_name, list, name_time, newest, sealed_file_name};

/// How backups are written: how many to keep, and how they are sealed.
pub struct Policy {
    pub keep: usize,
    pub seal: Seal,
}

impl Policy {
    /// In the clear, keeping `keep`.
    pub fn plain(keep: usize) -> Policy {
        Policy {
            keep,
            seal: Seal::Plain,
        }
    }
}

/// Whether a backup file is encrypted (by its name).
pub fn is_sealed_name(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "age")
}

/// Writes a backup of `store` now and keeps the newest `policy.keep` (at least this one).
pub fn write(store: &Store, policy: &Policy) -> Result<PathBuf, ExportError> {
    write_with(store, policy, &crate::progress::Quiet)
}

/// [`write`], telling `progress` how many records are read into the backup.
pub fn write_with(
    store: &Store,
    policy: &Policy,
    progress: &dyn crate::progress::Progress,
) -> Result<PathBuf, ExportError> {
    let dump = Dump::from_store_with(store, progress)?;
    write_dump(
        store.dir(),
        &dump.to_json(),
        Ts::now(),
        policy.keep.max(1),
        &policy.seal,
    )
}

/// Writes `json` as a backup named after `at` (a later free millisecond if
/// that name is taken, so names stay unique and in order), sealed as `seal`
/// says, then rotates. `keep == 0` rotates nothing away.
pub fn write_dump(
    data_dir: &Path,
    json: &[u8],
    at: Ts,
    keep: usize,
    seal: &Seal,
) -> Result<PathBuf, ExportError> {
    let d = dir(data_dir);
    gridbook_store::store::create_private_dir(&d).map_err(|source| ExportError::Write {
        path: d.clone(),
        source,
    })?;
    // Never name a backup older than the newest one, even if the clock went back.
    let newest =
        newest(data_dir).and_then(|p| p.file_name().and_then(|n| n.to_str()).and_then(name_time));
    let mut at = match newest {
        Some(n) if n >= at => Ts(n.0 + 1),
        _ => at,
    };
    let name = |at| match seal {
        Seal::Plain => file_name(at),
        _ => sealed_file_name(at),
    };
    // Either kind of name at this instant makes it taken.
    while d.join(file_name(at)).exists() || d.join(sealed_file_name(at)).exists() {
        at = Ts(at.0 + 1);
    }
    let path = d.join(name(at));
    export::write_private(&path, |w| crate::seal::write(seal, json, w))?;
    if keep > 0 {
        rotate(data_dir, keep);
    }
    Ok(path)
}

/// Removes the oldest backups so that `keep` remain. Failing to remove one is
/// not worth failing a backup over; it goes at the next rotation.
pub fn rotate(data_dir: &Path, keep: usize) -> Vec<PathBuf> {
    let files = list(data_dir);
    let excess = files.len().saturating_sub(keep);
    let mut removed = Vec::new();
    for f in files.into_iter().take(excess) {
        if std::fs::remove_file(&f).is_ok() {
            removed.push(f);
        }
    }
    removed
}

/// Called by the TUI and the CLI when a session that changed data ends:
/// writes a backup unless backups are off (`keep == 0`), the store is empty,
/// or the newest backup already holds exactly this data (so rotation never
/// pushes out an older, different backup for nothing). An encrypted backup
/// cannot be compared without its key (its bytes differ every time), so a
/// session that changed data and ends under `backup_recipients` always
/// writes one. Returns the new file.
pub fn after_session(store: &Store, policy: &Policy) -> Result<Option<PathBuf>, ExportError> {
    if policy.keep == 0 || store.is_empty() {
        return Ok(None);
    }
    let json = Dump::from_store(store)?.to_json();
    if policy.seal.is_plain()
        && let Some(newest) = newest(store.dir())
        && std::fs::read(&newest).is_ok_and(|old| old == json)
    {
        return Ok(None);
    }
    write_dump(store.dir(), &json, Ts::now(), policy.keep, &policy.seal).map(Some)
}

/// Before the first write of a day (local time): a backup of the store as
/// it is, unless backups are off (`keep == 0`), the store is empty, or the
/// newest backup was written today. Every way of writing calls it, so
/// CLI-only use keeps a recent backup as the TUI's sessions do. Returns the
/// new file.
pub fn daily(store: &Store, policy: &Policy, now: Ts) -> Result<Option<PathBuf>, ExportError> {
    if policy.keep == 0 || store.is_empty() {
        return Ok(None);
    }
    let newest = newest(store.dir())
        .and_then(|p| p.file_name().and_then(|n| n.to_str()).and_then(name_time));
    if newest.is_some_and(|t| t.date() >= now.date()) {
        return Ok(None);
    }
    let json = Dump::from_store(store)?.to_json();
    write_dump(store.dir(), &json, now, policy.keep, &policy.seal).map(Some)
}
