//! Encrypted backups and exports, in the age format (age-encryption.org/v1).
//!
//! A file is sealed either to recipients (`age1…` public keys, set as
//! `backup_recipients` in config and used for every automatic backup) or to
//! a passphrase typed by a person. Sealing streams into the private file
//! being written, so no plaintext copy ever reaches the disk; opening
//! decrypts into memory. An age file is recognised by its header, binary or
//! ASCII-armoured, whatever its name.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use age::secrecy::SecretString;
use thiserror::Error;

/// How a file is written: in the clear, to a passphrase, or to recipients.
pub enum Seal {
    Plain,
    Passphrase(SecretString),
    Recipients(Vec<age::x25519::Recipient>),
}

impl Seal {
    pub fn is_plain(&self) -> bool {
        matches!(self, Seal::Plain)
    }

    /// A word for messages in `lang`: "encrypted to a passphrase",
    /// "encrypted to 2 age keys".
    pub fn describe(&self, lang: gridbook_domain::i18n::Lang) -> String {
        match self {
            Seal::Plain => lang.t("seal.plain").into(),
            Seal::Passphrase(_) => lang.t("seal.passphrase").into(),
            Seal::Recipients(r) if r.len() == 1 => lang.t("seal.key").into(),
            Seal::Recipients(r) => lang.f("seal.keys", &[&r.len().to_string()]),
        }
    }
}

/// The `backup_recipients` list of config: every entry is a valid `age1…`
/// key, checked when the config is read.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(try_from = "Vec<String>")]
pub struct Recipients(pub Vec<age::x25519::Recipient>);

impl TryFrom<Vec<String>> for Recipients {
    type Error = String;
    fn try_from(keys: Vec<String>) -> Result<Recipients, String> {
        keys.iter()
            .enumerate()
            .map(|(i, k)| parse_recipient(k).map_err(|e| format!("backup_recipients[{i}]: {e}")))
            .collect::<Result<Vec<_>, _>>()
            .map(Recipients)
    }
}

/// Text that is not an `age1…` public key: its first characters and why
/// (age's words: `invalid Bech32 encoding`, `incorrect HRP`, …).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("`{shown}` is not an age public key (age1…): {why}")]
pub struct BadRecipient {
    pub shown: String,
    pub why: &'static str,
}

/// One `age1…` public key.
pub fn parse_recipient(s: &str) -> Result<age::x25519::Recipient, BadRecipient> {
    let t = s.trim();
    age::x25519::Recipient::from_str(t).map_err(|why| BadRecipient {
        shown: t.chars().take(20).collect(),
        why,
    })
}

/// What an age file needs before it opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    Passphrase,
    Identity,
}

/// What is given to open an age file.
pub enum Key {
    Passphrase(SecretString),
    Identities(Vec<Box<dyn age::Identity>>),
}

#[derive(Debug, Error)]
pub enum SealError {
    #[error("{file}: wrong passphrase (or the file is damaged); nothing was changed")]
    WrongPassphrase { file: String },
    #[error(
        "{file}: none of the keys in the identity file opens it (it was encrypted to other age keys); nothing was changed"
    )]
    WrongKey { file: String },
    #[error("{file}: not a readable age file: {reason}")]
    Damaged { file: String, reason: String },
    #[error("{file}: {reason}")]
    Key { file: String, reason: KeyTrouble },
    #[error("cannot encrypt: {0}")]
    Encrypt(String),
}

/// Why the key given cannot open a file: the other kind of key, or an
/// identity file that cannot be used. Typed, so the edge can say it in
/// either language.
#[derive(Debug, Error)]
pub enum KeyTrouble {
    #[error(
        "encrypted to age keys, not a passphrase: give the identity file with --identity FILE (or `identity = PATH` in config.toml)"
    )]
    KeysNotPassphrase,
    #[error(
        "encrypted to a passphrase, not to age keys: give the passphrase (asked on the terminal, or GRIDBOOK_PASSPHRASE)"
    )]
    PassphraseNotKeys,
    /// The identity file cannot be read, or holds something else than
    /// keys (age says on which line).
    #[error("cannot read the identity file: {0}")]
    Unreadable(io::Error),
    #[error("not an age identity file: {0}")]
    NotIdentities(String),
    #[error("the identity file holds no key")]
    NoKey,
}

impl gridbook_domain::error::Kinded for SealError {
    /// A wrong key or a damaged file is the user's input.
    fn kind(&self) -> gridbook_domain::error::ErrorKind {
        gridbook_domain::error::ErrorKind::Input
    }
}

/// Whether `bytes` start like an age file (binary or armoured).
pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(b"age-encryption.org/")
        || bytes
            .trim_ascii_start()
            .starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----")
}

fn reader(bytes: &[u8]) -> impl Read + '_ {
    age::armor::ArmoredReader::new(bytes)
}

/// What the age file in `bytes` needs to open.
pub fn needs(file: &str, bytes: &[u8]) -> Result<Need, SealError> {
    let d = age::Decryptor::new(reader(bytes)).map_err(|e| SealError::Damaged {
        file: file.to_string(),
        reason: first_line(&e),
    })?;
    Ok(if d.is_scrypt() {
        Need::Passphrase
    } else {
        Need::Identity
    })
}

/// What age says is wrong, without the advice it adds on further lines
/// ("Have you tried upgrading…"): an error is one line.
fn first_line(e: &dyn std::fmt::Display) -> String {
    let text = e.to_string();
    text.lines().next().unwrap_or_default().trim().to_string()
}

/// Decrypts the age file in `bytes` into memory.
pub fn open(file: &str, bytes: &[u8], key: &Key) -> Result<Vec<u8>, SealError> {
    let damaged = |e: &dyn std::fmt::Display| SealError::Damaged {
        file: file.to_string(),
        reason: first_line(e),
    };
    let d = age::Decryptor::new(reader(bytes)).map_err(|e| damaged(&e))?;
    let scrypt;
    let ids: Vec<&dyn age::Identity> = match key {
        Key::Passphrase(p) => {
            if !d.is_scrypt() {
                return Err(SealError::Key {
                    file: file.to_string(),
                    reason: KeyTrouble::KeysNotPassphrase,
                });
            }
            scrypt = age::scrypt::Identity::new(p.clone());
            vec![&scrypt as &dyn age::Identity]
        }
        Key::Identities(list) => {
            if d.is_scrypt() {
                return Err(SealError::Key {
                    file: file.to_string(),
                    reason: KeyTrouble::PassphraseNotKeys,
                });
            }
            list.iter().map(|b| b.as_ref()).collect()
        }
    };
    let mut r = d.decrypt(ids.into_iter()).map_err(|e| match e {
        age::DecryptError::DecryptionFailed | age::DecryptError::KeyDecryptionFailed
            if matches!(key, Key::Passphrase(_)) =>
        {
            SealError::WrongPassphrase {
                file: file.to_string(),
            }
        }
        age::DecryptError::NoMatchingKeys => match key {
            Key::Passphrase(_) => SealError::WrongPassphrase {
                file: file.to_string(),
            },
            Key::Identities(_) => SealError::WrongKey {
                file: file.to_string(),
            },
        },
        other => damaged(&other),
    })?;
    let mut out = Vec::new();
    r.read_to_end(&mut out).map_err(|e| damaged(&e))?;
    Ok(out)
}

/// Writes `plain` to `w`, sealed as `seal` says (or as it is when plain).
pub fn write(seal: &Seal, plain: &[u8], w: &mut dyn Write) -> io::Result<()> {
    let enc = match seal {
        Seal::Plain => return w.write_all(plain),
        Seal::Passphrase(p) => age::Encryptor::with_user_passphrase(p.clone()),
        Seal::Recipients(rs) => {
            age::Encryptor::with_recipients(rs.iter().map(|r| r as &dyn age::Recipient))
                .map_err(|e| io::Error::other(format!("cannot encrypt: {e}")))?
        }
    };
    let mut sw = enc.wrap_output(w)?;
    sw.write_all(plain)?;
    sw.finish()?;
    Ok(())
}

/// Reads an identity file (`AGE-SECRET-KEY-1…` lines, `#` comments).
pub fn read_identities(path: &Path) -> Result<Key, SealError> {
    let file = path.display().to_string();
    let bad = |reason: KeyTrouble| SealError::Key {
        file: file.clone(),
        reason,
    };
    let f =
        age::IdentityFile::from_file(file.clone()).map_err(|e| bad(KeyTrouble::Unreadable(e)))?;
    let ids = f
        .into_identities()
        .map_err(|e| bad(KeyTrouble::NotIdentities(e.to_string())))?;
    if ids.is_empty() {
        return Err(bad(KeyTrouble::NoKey));
    }
    Ok(Key::Identities(ids))
}

/// A passphrase from text (the terminal or `GRIDBOOK_PASSPHRASE`).
pub fn passphrase(text: String) -> SecretString {
    SecretString::from(text)
}

/// The identity file to use: the flag, else config's `identity`.
pub fn identity_path(flag: Option<&Path>, config: Option<&Path>) -> Option<PathBuf> {
    flag.or(config).map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap(p: &str) -> Seal {
        Seal::Passphrase(passphrase(p.into()))
    }

    #[test]
    fn sealed_text_opens_with_its_key_only() {
        let plain = "张三 13800001111".as_bytes();
        let mut sealed = Vec::new();
        write(&cheap("right"), plain, &mut sealed).unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.windows(plain.len()).any(|w| w == plain));
        assert_eq!(needs("f", &sealed).unwrap(), Need::Passphrase);
        let good = Key::Passphrase(passphrase("right".into()));
        assert_eq!(open("f", &sealed, &good).unwrap(), plain);
        let bad = Key::Passphrase(passphrase("wrong".into()));
        assert!(matches!(
            open("f", &sealed, &bad),
            Err(SealError::WrongPassphrase { .. })
        ));

        let id = age::x25519::Identity::generate();
        let other = age::x25519::Identity::generate();
        let mut sealed = Vec::new();
        write(&Seal::Recipients(vec![id.to_public()]), plain, &mut sealed).unwrap();
        assert_eq!(needs("f", &sealed).unwrap(), Need::Identity);
        let mine = Key::Identities(vec![Box::new(id)]);
        assert_eq!(open("f", &sealed, &mine).unwrap(), plain);
        let theirs = Key::Identities(vec![Box::new(other)]);
        assert!(matches!(
            open("f", &sealed, &theirs),
            Err(SealError::WrongKey { .. })
        ));
        assert!(matches!(
            open("f", &sealed, &bad),
            Err(SealError::Key { .. })
        ));
        assert!(!is_sealed(b"{\"notice\": 1}"));
    }

    #[test]
    fn recipients_are_checked_when_read() {
        let id = age::x25519::Identity::generate();
        let good = id.to_public().to_string();
        assert!(Recipients::try_from(vec![good.clone()]).is_ok());
        let e = Recipients::try_from(vec![good, "age1nope".into()]).unwrap_err();
        assert!(e.contains("backup_recipients[1]"), "{e}");
    }
}
