//! What can go wrong in the store, and what kind of failure each is.

use std::path::PathBuf;

use thiserror::Error;

use crate::codec::CodecError;
use crate::schema::SCHEMA_VERSION;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("the data directory {} is in use by another gridbook; close it first", dir.display())]
    Locked { dir: PathBuf },
    #[error("the store in {} is damaged ({detail}){}", dir.display(), backup_hint(backup))]
    Damaged {
        dir: PathBuf,
        detail: String,
        backup: Option<PathBuf>,
    },
    /// The data directory has no store, though it may have backups: see
    /// [`crate::store::Store::open_existing`].
    #[error("{}", missing_message(dir, backup))]
    Missing {
        dir: PathBuf,
        backup: Option<PathBuf>,
    },
    #[error("the store in {} has schema version {found}; this gridbook understands up to {SCHEMA_VERSION}. Use a newer gridbook", dir.display())]
    TooNew { dir: PathBuf, found: u32 },
    /// The file system is full (or the user's quota is). Nothing is damaged:
    /// the write that hit it was not reported as saved.
    #[error("no space left on the device holding {}: free some space and try again (the store is not damaged)", dir.display())]
    NoSpace { dir: PathBuf },
    #[error("permission denied on {}: check the owner and mode of the data directory and its files", path.display())]
    Permission { path: PathBuf },
    #[error("cannot use the data directory {}: {source}", dir.display())]
    Io {
        dir: PathBuf,
        source: std::io::Error,
    },
    /// Another error the storage engine reported.
    #[error("store error: {0}")]
    Sled(String),
    /// Damage found while reading an opened store.
    #[error("the store is damaged ({0})")]
    Corrupt(String),
    #[error("stored {what} does not decode: {source}")]
    Codec {
        what: &'static str,
        source: CodecError,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("not found: {0}")]
    NotFound(String),
}

/// `; the newest backup is …`, for messages about a damaged store.
pub fn backup_hint(b: &Option<PathBuf>) -> String {
    match b {
        Some(p) => format!(
            "; the newest backup is {} (gridbook restore --force {})",
            p.display(),
            p.display()
        ),
        None => "; no backup was found".to_string(),
    }
}

fn missing_message(dir: &std::path::Path, backup: &Option<PathBuf>) -> String {
    match backup {
        Some(p) => format!(
            "the store in {} is missing; the newest backup is {} (gridbook restore {})",
            dir.display(),
            p.display(),
            p.display()
        ),
        None => format!(
            "there is no store in {} and no backup was found",
            dir.display()
        ),
    }
}

impl gridbook_domain::error::Kinded for StoreError {
    /// A store that cannot be read or written (locked, damaged, missing, too
    /// new, a full disk, a file system that refuses) is unavailable; a bad
    /// argument is input.
    fn kind(&self) -> gridbook_domain::error::ErrorKind {
        use gridbook_domain::error::ErrorKind;
        match self {
            StoreError::Locked { .. }
            | StoreError::Damaged { .. }
            | StoreError::Missing { .. }
            | StoreError::TooNew { .. }
            | StoreError::NoSpace { .. }
            | StoreError::Permission { .. }
            | StoreError::Corrupt(_)
            | StoreError::Codec { .. }
            | StoreError::Io { .. }
            | StoreError::Sled(_) => ErrorKind::Unavailable,
            StoreError::Invalid(_) | StoreError::NotFound(_) => ErrorKind::Input,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Linux's `ENOSPC`, `EDQUOT`, `EACCES` and `EPERM`, for errors that arrive
/// as a bare OS code.
const ENOSPC: i32 = 28;
const EDQUOT: i32 = 122;
const EACCES: i32 = 13;
const EPERM: i32 = 1;

/// What an I/O error means to a user, looking through errors that wrap it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IoCause {
    NoSpace,
    Permission,
    Other,
}

pub(crate) fn io_cause(e: &std::io::Error) -> IoCause {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => return IoCause::NoSpace,
        ErrorKind::PermissionDenied => return IoCause::Permission,
        _ => {}
    }
    match e.raw_os_error() {
        Some(ENOSPC | EDQUOT) => return IoCause::NoSpace,
        Some(EACCES | EPERM) => return IoCause::Permission,
        _ => {}
    }
    if let Some(inner) = e.get_ref()
        && let Some(inner) = inner.downcast_ref::<std::io::Error>()
    {
        return io_cause(inner);
    }
    // Errors rebuilt from a message keep only the OS's words.
    let text = e.to_string();
    if text.contains(&format!("(os error {ENOSPC})")) || text.contains("No space left on device") {
        IoCause::NoSpace
    } else if text.contains(&format!("(os error {EACCES})"))
        || text.contains(&format!("(os error {EPERM})"))
    {
        IoCause::Permission
    } else {
        IoCause::Other
    }
}

/// An I/O error met while using the data directory `dir` (at `path`).
pub(crate) fn io_error(
    dir: &std::path::Path,
    path: &std::path::Path,
    e: std::io::Error,
) -> StoreError {
    match io_cause(&e) {
        IoCause::NoSpace => StoreError::NoSpace {
            dir: dir.to_path_buf(),
        },
        IoCause::Permission => StoreError::Permission {
            path: path.to_path_buf(),
        },
        IoCause::Other => StoreError::Io {
            dir: dir.to_path_buf(),
            source: e,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Error, ErrorKind};

    #[test]
    fn a_full_disk_and_a_refusal_are_recognised_however_they_arrive() {
        let cases = [
            (Error::from_raw_os_error(ENOSPC), IoCause::NoSpace),
            (Error::from_raw_os_error(EDQUOT), IoCause::NoSpace),
            (Error::from(ErrorKind::StorageFull), IoCause::NoSpace),
            (Error::from_raw_os_error(EACCES), IoCause::Permission),
            (Error::from_raw_os_error(EPERM), IoCause::Permission),
            (
                Error::from(ErrorKind::PermissionDenied),
                IoCause::Permission,
            ),
            // Wrapped as the source of another error…
            (
                Error::other(Error::from_raw_os_error(ENOSPC)),
                IoCause::NoSpace,
            ),
            // …or rebuilt from its message.
            (
                Error::other(format!(
                    "could not write: {}",
                    Error::from_raw_os_error(EACCES)
                )),
                IoCause::Permission,
            ),
            (Error::from(ErrorKind::UnexpectedEof), IoCause::Other),
            (Error::from_raw_os_error(5), IoCause::Other),
        ];
        for (e, want) in cases {
            assert_eq!(io_cause(&e), want, "{e}");
        }
    }

    #[test]
    fn no_space_and_permission_are_unavailable_and_never_say_damaged() {
        use gridbook_domain::error::{ErrorKind as K, Kinded};
        let dir = std::path::Path::new("/data/gridbook");
        let full = io_error(dir, &dir.join("store"), Error::from_raw_os_error(ENOSPC));
        let denied = io_error(dir, &dir.join("store"), Error::from_raw_os_error(EACCES));
        assert!(matches!(full, StoreError::NoSpace { .. }));
        assert!(matches!(denied, StoreError::Permission { .. }));
        for e in [full, denied] {
            assert_eq!(e.kind(), K::Unavailable);
            let msg = e.to_string();
            assert!(
                !msg.contains("damaged") || msg.contains("not damaged"),
                "{msg}"
            );
            assert!(msg.contains("/data/gridbook"), "{msg}");
        }
    }
}
