//! The community office: a bare repository laptops push their batches to.
//!
//! `office init` makes it with fast-forward-only, no-deletion and fsck
//! settings, a `pre-receive` hook that lets a device push only
//! `refs/heads/dev/<its name>`, and a marker: the branch `refs/heads/office`
//! holding `gridbook-office.toml` (format, whether batches are encrypted,
//! the community's age public key). Laptops fetch the marker to know they
//! talk to a gridbook office and which key to encrypt to; the hook keeps
//! devices from changing it.
//!
//! Who a device is: over ssh, the `authorized_keys` line of its key sets
//! `GRIDBOOK_DEVICE` before `git-shell` (`office add-device`); a folder
//! office (a USB stick, a shared disk) has no ssh to say it, so the hook
//! takes the name gridbook sends as the push option `gridbook-device=NAME`.
//! Over ssh the pinned name wins; the push option cannot override it.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use age::secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use super::git::{self, Git};
use super::{KeyReason, SyncError, io, write_private};

/// The marker's branch and file.
pub const MARKER_REF: &str = "refs/heads/office";
pub const MARKER_FILE: &str = "gridbook-office.toml";
pub const FORMAT_NAME: &str = "gridbook-office";
pub const FORMAT_VERSION: u32 = 1;
/// Device names the office refuses, one a line, beside the repository's config.
pub const REVOKED_FILE: &str = "gridbook-revoked";
/// What marks an `authorized_keys` line as a gridbook device's.
const KEY_TAG: &str = "gridbook-device:";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Marker {
    pub format: String,
    pub format_version: u32,
    pub encrypted: bool,
    /// The community's age public key, when encrypted.
    #[serde(default)]
    pub recipient: String,
}

impl Marker {
    pub fn parse(office: &str, bytes: &[u8]) -> Result<Marker, SyncError> {
        let not = |reason: String| SyncError::NotOffice {
            office: office.into(),
            reason,
        };
        let text = std::str::from_utf8(bytes).map_err(|_| not("its marker is not text".into()))?;
        let m: Marker = toml::from_str(text).map_err(|e| not(format!("its marker: {e}")))?;
        if m.format != FORMAT_NAME {
            return Err(not(format!("its marker names `{}`", m.format)));
        }
        if m.format_version > FORMAT_VERSION {
            return Err(not(format!(
                "office format {} is newer than this gridbook knows; use a newer gridbook",
                m.format_version
            )));
        }
        if m.encrypted {
            m.recipient()?;
        }
        Ok(m)
    }

    pub fn recipient(&self) -> Result<age::x25519::Recipient, SyncError> {
        crate::seal::parse_recipient(&self.recipient).map_err(|e| SyncError::WrongKey {
            reason: KeyReason::OfficeKey(e.to_string()),
        })
    }
}

/// The pre-receive hook: refuses the whole push unless every ref is the
/// pushing device's own branch (deletions and forced pushes are refused by
/// the repository's settings before any hook runs).
pub const HOOK: &str = r#"#!/bin/sh
# gridbook office: a device may push only refs/heads/dev/<its name>.
# Over ssh the name comes from the key's authorized_keys line
# (GRIDBOOK_DEVICE); a folder office gets it as a push option.
device="${GRIDBOOK_DEVICE:-}"
if [ -z "$device" ]; then
  i=0
  while [ "$i" -lt "${GIT_PUSH_OPTION_COUNT:-0}" ]; do
    eval "opt=\${GIT_PUSH_OPTION_$i}"
    case "$opt" in gridbook-device=*) device="${opt#gridbook-device=}" ;; esac
    i=$((i + 1))
  done
fi
case "$device" in
  "" ) echo "gridbook: refused: the push names no device" >&2; exit 1 ;;
  *[!a-z0-9-]* ) echo "gridbook: refused: bad device name" >&2; exit 1 ;;
esac
if [ -f "$GIT_DIR/gridbook-revoked" ] && grep -qx -- "$device" "$GIT_DIR/gridbook-revoked"; then
  echo "gridbook: refused: device $device was revoked" >&2
  exit 1
fi
while read -r old new ref; do
  if [ "$ref" != "refs/heads/dev/$device" ]; then
    echo "gridbook: refused: device $device may push only refs/heads/dev/$device, not $ref" >&2
    exit 1
  fi
done
exit 0
"#;

/// A new community key: (the identity file's text, the public key).
pub fn new_key() -> (String, String) {
    let id = age::x25519::Identity::generate();
    let public = id.to_public().to_string();
    let text = format!(
        "# gridbook community key: keep it private; every laptop of the community needs it.\n# public key: {public}\n{}\n",
        id.to_string().expose_secret()
    );
    (text, public)
}

/// Reads the community key (an age identity file).
pub fn read_key(path: &Path) -> Result<age::x25519::Identity, SyncError> {
    let text = std::fs::read_to_string(path).map_err(|source| SyncError::KeyUnreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .ok_or_else(|| SyncError::WrongKey {
            reason: KeyReason::NoSecretKey {
                path: path.to_path_buf(),
            },
        })?;
    age::x25519::Identity::from_str(line).map_err(|e| SyncError::WrongKey {
        reason: KeyReason::NotAKey {
            path: path.to_path_buf(),
            detail: e.to_string(),
        },
    })
}

/// `office init DIR --key-out FILE [--plaintext]`. Built beside `dir` and
/// renamed into place, so a failure leaves nothing behind. Returns the
/// public key (none when plaintext).
pub fn init(
    dir: &Path,
    key_out: Option<&Path>,
    plaintext: bool,
) -> Result<Option<String>, SyncError> {
    if std::fs::read_dir(dir).is_ok_and(|mut rd| rd.next().is_some()) {
        return Err(SyncError::Input(format!(
            "{} already exists and is not empty: an office is made in a new folder",
            dir.display()
        )));
    }
    let key = match (plaintext, key_out) {
        (true, _) => None,
        (false, None) => {
            return Err(SyncError::Input(
                "an office needs --key-out FILE for the community key (or --plaintext)".into(),
            ));
        }
        (false, Some(k)) => {
            if k.exists() {
                return Err(SyncError::Input(format!(
                    "{} already exists: the community key is written to a new file",
                    k.display()
                )));
            }
            Some((k, new_key()))
        }
    };
    let name = dir
        .file_name()
        .ok_or_else(|| SyncError::Input(format!("{} cannot be an office folder", dir.display())))?;
    let partial = dir.with_file_name(format!(".{}.partial", name.to_string_lossy()));
    let _ = std::fs::remove_dir_all(&partial);
    let git = git::init_bare(&partial)?;
    for (k, v) in [
        ("receive.denyNonFastForwards", "true"),
        ("receive.denyDeletes", "true"),
        ("receive.fsckObjects", "true"),
        ("receive.advertisePushOptions", "true"),
        ("core.logAllRefUpdates", "true"),
    ] {
        git.ok(&["config", k, v])?;
    }
    let hook = partial.join("hooks").join("pre-receive");
    std::fs::write(&hook, HOOK).map_err(io(&hook))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))
            .map_err(io(&hook))?;
    }
    let marker = Marker {
        format: FORMAT_NAME.into(),
        format_version: FORMAT_VERSION,
        encrypted: key.is_some(),
        recipient: key
            .as_ref()
            .map(|(_, (_, p))| p.clone())
            .unwrap_or_default(),
    };
    let text = toml::to_string(&marker).map_err(|e| SyncError::Input(e.to_string()))?;
    let commit = git.commit_file(None, MARKER_FILE, text.as_bytes(), "gridbook office")?;
    git.update_ref(MARKER_REF, &commit, None)?;
    // A copy beside the config: `add-device` knows an office folder by it.
    let local = partial.join(MARKER_FILE);
    std::fs::write(&local, &text).map_err(io(&local))?;
    if let Some((path, (secret, _))) = &key {
        write_private(path, secret.as_bytes())?;
    }
    std::fs::rename(&partial, dir).map_err(io(dir))?;
    Ok(key.map(|(_, (_, public))| public))
}

/// Refuses a folder that is not an office made by `office init`.
pub fn check_folder(dir: &Path) -> Result<Marker, SyncError> {
    let path = dir.join(MARKER_FILE);
    let bytes = std::fs::read(&path).map_err(|_| SyncError::NotOffice {
        office: dir.display().to_string(),
        reason: format!("it has no {MARKER_FILE}"),
    })?;
    Marker::parse(&dir.display().to_string(), &bytes)
}

/// The user's `~/.ssh/authorized_keys`.
pub fn default_authorized_keys() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".ssh").join("authorized_keys"))
}

/// The `authorized_keys` line for a device: its key may only run
/// `git-shell`, with its device name set for the hook, and nothing else
/// (`restrict`: no forwarding, no terminal).
pub fn key_line(name: &str, public_key: &str) -> Result<String, SyncError> {
    let parts: Vec<&str> = public_key.split_whitespace().collect();
    let bad = |why: &str| SyncError::Input(format!("not an ssh public key: {why}"));
    let (kind, data) = match parts.as_slice() {
        [k, d, ..] => (*k, *d),
        _ => return Err(bad("expected `TYPE BASE64 [comment]`")),
    };
    let known =
        kind.starts_with("ssh-") || kind.starts_with("ecdsa-sha2-") || kind.starts_with("sk-");
    if !known
        || !data.starts_with("AAAA")
        || !data
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c))
    {
        return Err(bad(
            "expected a line like `ssh-ed25519 AAAA… comment` (the .pub file)",
        ));
    }
    // The name is ref-safe (checked), so it needs no quoting here.
    Ok(format!(
        "command=\"GRIDBOOK_DEVICE={name} git-shell -c \\\"$SSH_ORIGINAL_COMMAND\\\"\",restrict {kind} {data} {KEY_TAG}{name}"
    ))
}

fn device_of(line: &str) -> Option<&str> {
    line.split_whitespace().last()?.strip_prefix(KEY_TAG)
}

/// `office add-device NAME --key KEY.pub`: adds the device's line to
/// `authorized_keys` (created 0600 if missing). Returns the line.
pub fn add_device(
    office: &Path,
    name: &str,
    key: &Path,
    authorized: &Path,
) -> Result<String, SyncError> {
    super::device::check_name(name)?;
    check_folder(office)?;
    let public = std::fs::read_to_string(key).map_err(io(key))?;
    let line = key_line(name, public.lines().next().unwrap_or(""))?;
    let existing = match std::fs::read_to_string(authorized) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io(authorized)(e)),
    };
    // The key's base64 part, to find it on any line.
    let data = public
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    for l in existing.lines() {
        if device_of(l) == Some(name) {
            return Err(SyncError::Input(format!(
                "device {name} already has a key; revoke-device {name} first to change it"
            )));
        }
        if l.split_whitespace().any(|w| w == data) {
            return Err(SyncError::Input(
                "this key is already in authorized_keys (one key per device)".into(),
            ));
        }
    }
    if let Some(parent) = authorized.parent()
        && !parent.exists()
    {
        gridbook_store::store::create_private_dir(parent).map_err(io(parent))?;
    }
    let mut text = existing;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&line);
    text.push('\n');
    write_private(authorized, text.as_bytes())?;
    // A name added again after a revocation may push again.
    let revoked = office.join(REVOKED_FILE);
    if let Ok(list) = std::fs::read_to_string(&revoked) {
        let kept: String = list
            .lines()
            .filter(|l| *l != name)
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(&revoked, kept).map_err(io(&revoked))?;
    }
    Ok(line)
}

/// `office revoke-device NAME`: removes its key and refuses its pushes,
/// over ssh and on the folder alike.
pub fn revoke_device(office: &Path, name: &str, authorized: &Path) -> Result<bool, SyncError> {
    super::device::check_name(name)?;
    check_folder(office)?;
    let mut removed = false;
    if let Ok(text) = std::fs::read_to_string(authorized) {
        let kept: String = text
            .lines()
            .filter(|l| {
                let mine = device_of(l) == Some(name);
                removed |= mine;
                !mine
            })
            .map(|l| format!("{l}\n"))
            .collect();
        if removed {
            write_private(authorized, kept.as_bytes())?;
        }
    }
    let revoked = office.join(REVOKED_FILE);
    let list = std::fs::read_to_string(&revoked).unwrap_or_default();
    let known = office.join("refs/heads/dev").join(name).exists()
        || Git::new(office).rev(&super::branch(name))?.is_some();
    if !removed && !known {
        return Err(SyncError::Input(format!(
            "the office knows no device {name}"
        )));
    }
    if !list.lines().any(|l| l == name) {
        std::fs::write(&revoked, format!("{list}{name}\n")).map_err(io(&revoked))?;
    }
    Ok(removed)
}
