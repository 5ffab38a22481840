//! Team sync through git: how batches travel between laptops and the
//! community office. The office is a bare repository; each device pushes
//! only its own branch `refs/heads/dev/<name>`, one commit per batch (JSON
//! lines in the export format, encrypted to the community's age key unless
//! the office is plaintext). What an arriving batch does to the store is
//! [`crate::merge::apply`]'s business.
//!
//! | module | job |
//! |---|---|
//! | `git` | the `git` command: plumbing, porcelain output, a clean environment |
//! | `office` | `office init`, its hook and marker; devices' ssh keys |
//! | `device` | this laptop's identity, journal and community key (`sync init`) |
//! | `batch` | a batch's bytes: header, JSON lines, age |
//! | `setup` | what `sync init` queues: everything, or only the unsent entries of a copy |
//! | `run` | one sync: fetch, send the outbox, apply unseen batches, push; bundles |
//! | `status` | `sync status` |

pub mod batch;
pub mod device;
pub mod git;
pub mod office;
pub mod run;
pub mod setup;
pub mod status;

use std::path::PathBuf;

use gridbook_domain::error::{ErrorKind, Kinded};
use gridbook_store::store::StoreError;
use thiserror::Error;

pub use device::Device;
pub use run::{Options, Step, Summary, sync};
pub use status::{DeviceStatus, Status};

/// A device's branch at the office.
pub fn branch(device: &str) -> String {
    format!("refs/heads/dev/{device}")
}

#[derive(Debug, Error)]
pub enum SyncError {
    #[error("the office {office} cannot be reached: {detail}")]
    Unreachable { office: String, detail: String },
    #[error("the office {office} refused access: {detail}")]
    Denied { office: String, detail: String },
    #[error("{office} is not a gridbook office: {reason}")]
    NotOffice { office: String, reason: String },
    #[error("wrong community key: {reason}")]
    WrongKey { reason: KeyReason },
    /// The community key file cannot be read (`sync init --key FILE`, or
    /// the copy kept in the data directory).
    #[error("{}: {source}", path.display())]
    KeyUnreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the office refused the push of {branch}: {reason}")]
    Foreign { branch: String, reason: String },
    #[error(
        "{branch} at the office has batches this laptop does not (a non-fast-forward push): a lost journal needs a new device name (sync init without --device-name); nothing was pushed"
    )]
    NonFastForward { branch: String },
    #[error("sync is not set up in {}: run `gridbook sync init --office URL --key FILE` first", dir.display())]
    NotSetUp { dir: PathBuf },
    #[error("sync is already set up in {} (device {name}); if this data directory is a copy of that laptop's, delete its `sync` folder and set it up under a name of its own", dir.display())]
    AlreadySetUp { dir: PathBuf, name: String },
    #[error("`{name}` cannot be a device name: {reason}")]
    BadName { name: String, reason: String },
    #[error("a batch from {device} ({commit}) cannot be read: {reason}")]
    BadBatch {
        device: String,
        commit: String,
        reason: BatchTrouble,
    },
    #[error("cannot encrypt a batch: {0}")]
    Encrypt(String),
    #[error("git is not installed (gridbook drives the `git` command, 2.30 or newer)")]
    NoGit,
    #[error("{what} failed: {detail}")]
    Git { what: String, detail: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Merge(#[from] crate::merge::MergeError),
}

/// Why a community key does not do. Typed, so the edge can say it in the
/// user's language.
#[derive(Debug, Error)]
pub enum KeyReason {
    #[error("the office encrypts batches: give its community key with --key FILE")]
    Missing,
    #[error("it is not the key this office encrypts to (office init wrote the right one)")]
    NotTheOffices,
    #[error("a batch from {device} was encrypted to another key than this laptop's")]
    BatchToOther { device: String },
    #[error("{} holds no age secret key (AGE-SECRET-KEY-1…)", path.display())]
    NoSecretKey { path: PathBuf },
    /// age's own words on a line that looks like a key but is not one.
    #[error("{}: {detail}", path.display())]
    NotAKey { path: PathBuf, detail: String },
    #[error("the office's key: {0}")]
    OfficeKey(String),
    #[error("{bundle} comes from another community's office")]
    OtherCommunity { bundle: String },
}

/// Why an arriving batch cannot be read. Typed, so the edge can say it in
/// the user's language.
#[derive(Debug, Error)]
pub enum BatchTrouble {
    #[error("it is encrypted and this laptop has no community key")]
    NoKey,
    /// age could not open it (damaged, or sealed some other way).
    #[error("{0}")]
    Sealed(crate::seal::SealError),
    #[error("the commit holds no batch file")]
    NoFile,
    #[error("no batch header: {0}")]
    NoHeader(String),
    #[error("its format is `{0}`, not {name}", name = batch::FORMAT_NAME)]
    Format(String),
    #[error("format version {0} is newer than this gridbook reads ({known}); use a newer gridbook", known = batch::FORMAT_VERSION)]
    Newer(u32),
    #[error("it says it is from {0}")]
    FromOther(String),
    #[error("line {line}, column {column}: not an entry of the export format")]
    Entry { line: usize, column: usize },
}

impl Kinded for SyncError {
    /// An office out of reach or refusing access, or a journal git cannot
    /// work in, makes sync unavailable (exit 3); a wrong key, a folder that
    /// is no office, a refused or diverging push are the user's input (2).
    fn kind(&self) -> ErrorKind {
        match self {
            SyncError::Unreachable { .. }
            | SyncError::Denied { .. }
            | SyncError::NoGit
            | SyncError::Git { .. } => ErrorKind::Unavailable,
            SyncError::Io { source, .. } | SyncError::KeyUnreadable { source, .. } => {
                match source.kind() {
                    std::io::ErrorKind::NotFound
                    | std::io::ErrorKind::AlreadyExists
                    | std::io::ErrorKind::InvalidInput
                    | std::io::ErrorKind::InvalidData
                    | std::io::ErrorKind::IsADirectory
                    | std::io::ErrorKind::NotADirectory => ErrorKind::Input,
                    _ => ErrorKind::Unavailable,
                }
            }
            SyncError::Store(e) => e.kind(),
            SyncError::Merge(e) => e.kind(),
            _ => ErrorKind::Input,
        }
    }
}

pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> SyncError + '_ {
    move |source| SyncError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes a private file (0600) whole: to a temporary name, synced, then
/// renamed over `path`.
pub(crate) fn write_private(path: &std::path::Path, bytes: &[u8]) -> Result<(), SyncError> {
    use std::io::Write;
    let tmp = path.with_extension("partial");
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(&tmp).map_err(io(&tmp))?;
    f.write_all(bytes).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}
