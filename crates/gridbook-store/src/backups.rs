//! The data directory's backup files: where they live and how they are
//! named. Writing them is the core's job; the store only needs to name the
//! newest one when it finds itself damaged.
//!
//! Names are `gridbook-YYYYMMDD-HHMMSS-mmm.json` in UTC, so they sort by time
//! as text; an encrypted backup (age format) adds `.age` to the same name.

use std::path::{Path, PathBuf};

use gridbook_domain::model::Ts;

/// Where backups of the store in `data_dir` are kept.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("backups")
}

/// The newest backup file, if any (names sort by time).
pub fn newest(data_dir: &Path) -> Option<PathBuf> {
    list(data_dir).pop()
}

/// Backup files, oldest first. Only names this module writes count, so a
/// stray `gridbook-old.json` cannot pose as the newest backup.
pub fn list(data_dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir(data_dir)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .and_then(name_time)
                .is_some()
        })
        .collect();
    files.sort();
    files
}

const STAMP: &str = "%Y%m%d-%H%M%S-%3f";

/// `gridbook-20261128-143005-123.json` for an instant (UTC).
pub fn file_name(at: Ts) -> String {
    format!("gridbook-{}.json", at.to_jiff().strftime(STAMP))
}

/// `gridbook-20261128-143005-123.json.age`: an encrypted backup.
pub fn sealed_file_name(at: Ts) -> String {
    format!("{}.age", file_name(at))
}

/// The instant a backup's file name stands for (encrypted or not).
pub fn name_time(name: &str) -> Option<Ts> {
    let name = name.strip_suffix(".age").unwrap_or(name);
    let stamp = name.strip_prefix("gridbook-")?.strip_suffix(".json")?;
    // Fixed width, so text order is time order.
    if stamp.len() != 19 {
        return None;
    }
    let dt = jiff::civil::DateTime::strptime(STAMP, stamp).ok()?;
    let ts = dt.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
    Some(Ts(ts.as_millisecond()))
}
