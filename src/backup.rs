//! Rotating portable backups of the store, kept beside it in `backups/`.

use std::path::{Path, PathBuf};

/// Where backups of the store in `data_dir` are kept.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("backups")
}

/// The newest backup file, if any (names sort by time).
pub fn newest(data_dir: &Path) -> Option<PathBuf> {
    list(data_dir).pop()
}

/// Backup files, oldest first.
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
                .is_some_and(|n| n.starts_with("gridbook-") && n.ends_with(".json"))
        })
        .collect();
    files.sort();
    files
}

/// Writes a backup after a session that changed data (replaced when backups land).
pub fn after_session(
    _store: &crate::store::Store,
    _keep: usize,
) -> Result<Option<PathBuf>, String> {
    Ok(None)
}
