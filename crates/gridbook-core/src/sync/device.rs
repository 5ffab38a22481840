//! This laptop's side of sync: its device name (its branch at the office),
//! the office's address, the community key, and the journal, a bare git
//! repository in `DATA/sync/` holding this device's batches and copies of
//! every other device's. `sync init` builds it all in `DATA/sync.partial`
//! and renames it into place, so a failed init leaves nothing.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::git::{self, Git};
use super::office::{self, Marker};
use super::{KeyReason, SyncError, io, write_private};

/// Where sync keeps its files, inside the data directory.
pub const DIR: &str = "sync";
const CONFIG: &str = "device.toml";
const KEY: &str = "community.key";
const JOURNAL: &str = "journal.git";
/// The office's marker and the devices' branches as last fetched.
pub const MARKER: &str = "refs/office/marker";
pub const OFFICE_DEV: &str = "refs/office/dev/";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Device {
    /// The device's name: its branch is `refs/heads/dev/<name>`.
    pub name: String,
    /// The office: a path, an `ssh://` URL or `host:path`.
    pub office: String,
    /// Whether batches are encrypted (the office's marker says).
    pub encrypted: bool,
    #[serde(skip)]
    pub dir: PathBuf,
}

/// A device name: lowercase letters, digits and `-`, 1 to 40 characters,
/// starting with a letter or digit. It becomes a branch name and an
/// environment value in `authorized_keys`, so nothing else is allowed.
pub fn check_name(name: &str) -> Result<(), SyncError> {
    let bad = |reason: &str| SyncError::BadName {
        name: name.chars().take(40).collect(),
        reason: reason.into(),
    };
    if name.is_empty() || name.len() > 40 {
        return Err(bad("it needs 1 to 40 characters"));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(bad("only lowercase letters a-z, digits and - are allowed"));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err(bad("it cannot start or end with -"));
    }
    Ok(())
}

/// A name from the host name and a random suffix: `field-laptop-7kq2`.
pub fn default_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_default();
    let mut base: String = host
        .trim()
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    base = base
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    base.truncate(30);
    let base = base.trim_end_matches('-');
    let base = if base.is_empty() { "laptop" } else { base };
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let suffix: String = (0..4)
        .map(|_| ALPHABET[fastrand::usize(..ALPHABET.len())] as char)
        .collect();
    format!("{base}-{suffix}")
}

pub fn sync_dir(data: &Path) -> PathBuf {
    data.join(DIR)
}

pub fn is_set_up(data: &Path) -> bool {
    sync_dir(data).join(CONFIG).exists()
}

/// Whether `office` is a folder on this machine (not `ssh://…` or `host:path`).
pub fn is_local(office: &str) -> bool {
    if office.contains("://") {
        return office.starts_with("file://");
    }
    match office.find(':') {
        Some(colon) => office.find('/').is_some_and(|slash| slash < colon),
        None => true,
    }
}

impl Device {
    /// The device set up in `data`.
    pub fn load(data: &Path) -> Result<Device, SyncError> {
        let dir = sync_dir(data);
        let path = dir.join(CONFIG);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(SyncError::NotSetUp {
                    dir: data.to_path_buf(),
                });
            }
            Err(e) => return Err(io(&path)(e)),
        };
        let mut d: Device = toml::from_str(&text)
            .map_err(|e| SyncError::Input(format!("{}: {e}", path.display())))?;
        check_name(&d.name)?;
        d.dir = dir;
        Ok(d)
    }

    pub fn journal(&self) -> Git {
        Git::new(&self.dir.join(JOURNAL))
    }

    pub fn branch(&self) -> String {
        super::branch(&self.name)
    }

    /// The community key, when batches are encrypted.
    pub fn identity(&self) -> Result<Option<age::x25519::Identity>, SyncError> {
        if !self.encrypted {
            return Ok(None);
        }
        office::read_key(&self.dir.join(KEY)).map(Some)
    }
}

/// Fetches the office's marker and every device's branch into the journal,
/// and reads the marker.
pub fn fetch(git: &Git, office: &str) -> Result<Marker, SyncError> {
    if is_local(office) {
        let path = Path::new(office.strip_prefix("file://").unwrap_or(office));
        if !path.exists() {
            return Err(SyncError::Unreachable {
                office: office.into(),
                detail: "the folder does not exist (is the USB stick or share mounted?)".into(),
            });
        }
    }
    let out = git.output(
        &[
            "fetch",
            "--quiet",
            "--no-tags",
            "--no-write-fetch-head",
            office,
            &format!("+{}:{MARKER}", office::MARKER_REF),
            &format!("+refs/heads/dev/*:{OFFICE_DEV}*"),
        ],
        None,
    )?;
    if !out.status.success() {
        let detail = git::last_line(&out.stderr);
        let lower = detail.to_ascii_lowercase();
        let all = String::from_utf8_lossy(&out.stderr).to_ascii_lowercase();
        return Err(if all.contains("couldn't find remote ref") {
            SyncError::NotOffice {
                office: office.into(),
                reason: "it has no gridbook office marker (made by `gridbook office init`)".into(),
            }
        } else if all.contains("permission denied") || lower.contains("access denied") {
            SyncError::Denied {
                office: office.into(),
                detail,
            }
        } else if is_local(office) {
            // The folder is there (checked above) but git cannot read it.
            SyncError::NotOffice {
                office: office.into(),
                reason: "it is not a git repository".into(),
            }
        } else if all.contains("does not appear to be a git repository") {
            SyncError::NotOffice {
                office: office.into(),
                reason: "there is no git repository at that path".into(),
            }
        } else {
            SyncError::Unreachable {
                office: office.into(),
                detail,
            }
        });
    }
    let bytes = git
        .file(MARKER, office::MARKER_FILE)?
        .ok_or_else(|| SyncError::NotOffice {
            office: office.into(),
            reason: format!("its marker branch holds no {}", office::MARKER_FILE),
        })?;
    Marker::parse(office, &bytes)
}

/// Checks that `identity` is the community key the marker names.
pub fn check_key(
    marker: &Marker,
    identity: Option<&age::x25519::Identity>,
) -> Result<(), SyncError> {
    match (marker.encrypted, identity) {
        (false, _) => Ok(()),
        (true, None) => Err(SyncError::WrongKey {
            reason: KeyReason::Missing,
        }),
        (true, Some(id)) => {
            if id.to_public().to_string() == marker.recipient {
                Ok(())
            } else {
                Err(SyncError::WrongKey {
                    reason: KeyReason::NotTheOffices,
                })
            }
        }
    }
}

/// `sync init`: checks the office and the key, then makes the device's
/// files. Returns the device.
pub fn init(
    data: &Path,
    office: &str,
    key: Option<&Path>,
    name: Option<&str>,
) -> Result<Device, SyncError> {
    let dir = sync_dir(data);
    if let Ok(d) = Device::load(data) {
        return Err(SyncError::AlreadySetUp {
            dir: data.to_path_buf(),
            name: d.name,
        });
    }
    let name = match name {
        Some(n) => {
            check_name(n)?;
            n.to_string()
        }
        None => default_name(),
    };
    let identity = key.map(office::read_key).transpose()?;
    // An office on this machine is named by its absolute path, so sync works
    // from any current directory.
    let office = if is_local(office) && !office.starts_with("file://") {
        std::path::absolute(office)
            .map_err(io(Path::new(office)))?
            .display()
            .to_string()
    } else {
        office.to_string()
    };
    let partial = data.join("sync.partial");
    let _ = std::fs::remove_dir_all(&partial);
    gridbook_store::store::create_private_dir(&partial).map_err(io(&partial))?;
    let result = (|| {
        let git = git::init_bare(&partial.join(JOURNAL))?;
        let marker = fetch(&git, &office)?;
        check_key(&marker, identity.as_ref())?;
        let device = Device {
            name: name.clone(),
            office: office.clone(),
            encrypted: marker.encrypted,
            dir: dir.clone(),
        };
        if let (true, Some(k)) = (marker.encrypted, key) {
            let text = std::fs::read(k).map_err(io(k))?;
            write_private(&partial.join(KEY), &text)?;
        }
        let text = toml::to_string(&device).map_err(|e| SyncError::Input(e.to_string()))?;
        write_private(&partial.join(CONFIG), text.as_bytes())?;
        Ok(device)
    })();
    match result {
        Ok(device) => {
            if dir.exists() {
                // A directory left by an init that was cut short holds no config.
                std::fs::remove_dir_all(&dir).map_err(io(&dir))?;
            }
            std::fs::rename(&partial, &dir).map_err(io(&dir))?;
            Ok(device)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&partial);
            Err(e)
        }
    }
}
