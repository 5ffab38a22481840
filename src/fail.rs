//! An error as the user sees it, and the one place where a kind of failure
//! becomes an exit code (0 ok, 2 bad input, 3 store unavailable, 1 a bug),
//! and where an I/O error on a path becomes one of those kinds.

use gridbook_core::address::AddrError;
use gridbook_core::demo::DemoError;
use gridbook_core::erase::EraseError;
use gridbook_core::ops::OpError;
use gridbook_core::roster::RosterError;
use gridbook_core::sync::SyncError;
use gridbook_core::who::WhoError;
use gridbook_domain::error::{ErrorKind, Kinded};
use gridbook_domain::i18n::Lang;

use crate::speak::Speak;
use gridbook_store::store::StoreError;

/// An error as the user sees it: one message, one exit code.
#[derive(Debug)]
pub struct Fail {
    pub code: u8,
    pub msg: String,
    /// The same message in Chinese, when the error can say it
    /// (`crate::speak`); `--lang zh` shows it instead.
    pub zh: Option<String>,
    /// The failure is not the data directory's (an office out of reach):
    /// no word about the store or its backups is added.
    pub elsewhere: bool,
}

impl Fail {
    pub fn input(msg: impl Into<String>) -> Fail {
        Fail::of(ErrorKind::Input, msg)
    }

    /// Bad input said from the catalogs' `key`, in both languages.
    pub fn said(key: &str, args: &[&str]) -> Fail {
        Fail::said_as(ErrorKind::Input, key, args)
    }

    /// A failure of `kind` said from the catalogs' `key`, in both languages.
    pub fn said_as(kind: ErrorKind, key: &str, args: &[&str]) -> Fail {
        let mut f = Fail::of(kind, Lang::En.f(key, args));
        f.zh = Some(Lang::Zh.f(key, args));
        f
    }

    /// Bad input said by `say` in each language (its arguments differ by
    /// language: "the export" and 导出文件).
    pub fn said_by(say: impl Fn(Lang) -> String) -> Fail {
        let mut f = Fail::of(ErrorKind::Input, say(Lang::En));
        f.zh = Some(say(Lang::Zh));
        f
    }

    pub fn of(kind: ErrorKind, msg: impl Into<String>) -> Fail {
        Fail {
            code: exit_code(kind),
            msg: msg.into(),
            zh: None,
            elsewhere: false,
        }
    }

    /// The message in `lang`: the Chinese rendering when there is one, else
    /// free English text said by pattern (`crate::speak`), else as it is.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.msg.clone(),
            Lang::Zh => self
                .zh
                .clone()
                .or_else(|| crate::speak::text_zh(&self.msg))
                .unwrap_or_else(|| self.msg.clone()),
        }
    }

    /// The reader of standard output went away: stop, quietly, with exit 0,
    /// as standard tools do. Everything the command saved is saved.
    pub fn closed_pipe() -> Fail {
        Fail {
            code: 0,
            msg: String::new(),
            zh: None,
            elsewhere: false,
        }
    }

    /// True when the command stops without an error to report.
    pub fn is_quiet(&self) -> bool {
        self.code == 0
    }
}

/// What an I/O error on a path the user gave means: a path that cannot be a
/// directory or a file (a part of it is a file, it is too long) is bad
/// input; a file system that refuses (permission, read-only, full) makes the
/// store unavailable.
pub fn io_kind(e: &std::io::Error) -> ErrorKind {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotADirectory | K::InvalidFilename | K::InvalidInput | K::IsADirectory => {
            ErrorKind::Input
        }
        _ => ErrorKind::Unavailable,
    }
}

/// One line saying what happened to `what`, and what to do about it.
pub fn io_message(what: &str, e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::PermissionDenied => format!(
            "permission denied on {what}: gridbook needs to read and write there (check the owner and mode)"
        ),
        K::ReadOnlyFilesystem => format!("{what} is on a read-only file system"),
        K::StorageFull | K::QuotaExceeded => {
            format!("no space left on the device holding {what}: free some space and try again")
        }
        K::NotADirectory => format!("{what}: a part of the path is a file, not a directory"),
        K::InvalidFilename => format!("{what}: the path is too long"),
        K::IsADirectory => format!("{what} is a directory"),
        _ => format!("cannot use {what}: {e}"),
    }
}

/// An I/O error on `what` as the user sees it.
pub fn io_fail(what: &str, e: &std::io::Error) -> Fail {
    Fail::of(io_kind(e), io_message(what, e))
}

/// A file or folder the user named for output (`export --out`, `report
/// --csv`/`--xlsx`, a ledger, `gen --demo-fixtures`) that cannot be
/// written. Whatever the file system said, it is the user's path, not the
/// store: exit 2, naming the path and why, in both languages, with no word
/// about the store or its backups. The one place such errors are classified.
pub fn output_fail(path: &std::path::Path, e: &std::io::Error) -> Fail {
    use std::io::ErrorKind as K;
    let reason = |lang: Lang| {
        let key = match e.kind() {
            K::NotFound => "out_no_folder",
            K::PermissionDenied => "out_permission",
            K::ReadOnlyFilesystem => "out_read_only",
            K::StorageFull | K::QuotaExceeded => "out_full",
            K::NotADirectory => "out_not_dir",
            K::InvalidFilename => "out_too_long",
            K::IsADirectory => "out_is_dir",
            _ => return e.to_string(),
        };
        lang.t(&format!("contacts.err.{key}")).to_string()
    };
    let shown = path.display().to_string();
    let said = |lang: Lang| lang.f("contacts.err.out_write", &[&shown, &reason(lang)]);
    let mut f = Fail::of(ErrorKind::Input, said(Lang::En));
    f.zh = Some(said(Lang::Zh));
    f.elsewhere = true;
    f
}

/// A backup beside the store that cannot be written: whatever the file
/// system said, the data directory cannot take it, so the store is
/// unavailable for what was asked (exit 3), said plainly ("no space left",
/// "permission denied") so nobody mistakes it for damage.
pub fn backup_fail(path: &std::path::Path, e: &std::io::Error) -> Fail {
    Fail::of(
        ErrorKind::Unavailable,
        io_message(&format!("the backup {}", path.display()), e),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Error, ErrorKind as K};

    #[test]
    fn io_errors_become_the_contracts_exit_codes() {
        let code = |k: K| io_fail("D", &Error::from(k)).code;
        assert_eq!(code(K::NotADirectory), 2);
        assert_eq!(code(K::InvalidFilename), 2);
        assert_eq!(code(K::IsADirectory), 2);
        assert_eq!(code(K::PermissionDenied), 3);
        assert_eq!(code(K::ReadOnlyFilesystem), 3);
        assert_eq!(code(K::StorageFull), 3);
        assert_eq!(code(K::Other), 3);
        assert_eq!(
            io_fail("the data directory D", &Error::from(K::StorageFull)).msg,
            "no space left on the device holding the data directory D: free some space and try again"
        );
        // ENOSPC as the kernel reports it.
        let full = Error::from_raw_os_error(28);
        let f = backup_fail(std::path::Path::new("D/backups/b.json"), &full);
        assert_eq!(f.code, 3);
        assert_eq!(
            f.msg,
            "no space left on the device holding the backup D/backups/b.json: free some space and try again"
        );
        let f = backup_fail(
            std::path::Path::new("D/backups"),
            &Error::from_raw_os_error(13),
        );
        assert_eq!(
            (f.code, f.msg.as_str()),
            (
                3,
                "permission denied on the backup D/backups: gridbook needs to read and write there (check the owner and mode)"
            )
        );
        assert!(Fail::closed_pipe().is_quiet());
    }

    /// An output path that cannot be written is the user's (exit 2), said
    /// in both languages, never as the store's trouble.
    #[test]
    fn output_paths_are_bad_input_in_both_languages() {
        let p = std::path::Path::new("/nonexistent/dir/x.csv");
        for k in [
            K::NotFound,
            K::PermissionDenied,
            K::ReadOnlyFilesystem,
            K::StorageFull,
            K::NotADirectory,
            K::IsADirectory,
            K::Other,
        ] {
            let f = output_fail(p, &Error::from(k));
            assert_eq!(f.code, 2, "{k:?}: {}", f.msg);
            assert!(f.elsewhere);
            for lang in [Lang::En, Lang::Zh] {
                let m = f.message(lang);
                assert!(m.contains("/nonexistent/dir/x.csv"), "{m}");
                assert!(!m.contains("backup") && !m.contains("备份"), "{m}");
            }
        }
        let f = output_fail(p, &Error::from_raw_os_error(2));
        assert_eq!(
            f.msg,
            "cannot write /nonexistent/dir/x.csv: its folder does not exist"
        );
        assert_eq!(
            f.message(Lang::Zh),
            "无法写入 /nonexistent/dir/x.csv：所在的文件夹不存在"
        );
    }
}

/// The one place where a kind of failure becomes an exit code.
pub fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Input => 2,
        ErrorKind::Unavailable => 3,
        ErrorKind::Bug => 1,
    }
}

macro_rules! fail_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Fail {
            fn from(e: $t) -> Fail {
                let mut f = Fail::of(e.kind(), e.to_string());
                f.zh = Some(e.zh());
                f
            }
        }
    )*};
}
fail_from!(
    EraseError,
    StoreError,
    OpError,
    AddrError,
    RosterError,
    DemoError,
    WhoError
);

impl From<SyncError> for Fail {
    fn from(e: SyncError) -> Fail {
        let mut f = Fail::of(e.kind(), e.to_string());
        f.zh = Some(e.zh());
        f.elsewhere = matches!(
            e,
            SyncError::Unreachable { .. } | SyncError::Denied { .. } | SyncError::NoGit
        );
        f
    }
}
