//! Errors in the user's language. English is each error's `Display`;
//! Chinese is rendered here through the catalogs (`[contacts.err]` for the
//! typed errors, whose fields are translated one by one). The domain's rules
//! (`OpError::Rule`) and a few pre-formatted fragments are free text: they
//! are matched against the English patterns under `[contacts.rule]` and said
//! with the Chinese pattern of the same key; text no pattern knows stays as
//! it was, behind a Chinese lead, so nothing is ever lost in translation.

use gridbook_core::address::AddrError;
use gridbook_core::demo::DemoError;
use gridbook_core::erase::EraseError;
use gridbook_core::export::{ExportError, NotExport};
use gridbook_core::ops::OpError;
use gridbook_core::relocate::Refusal;
use gridbook_core::roster::RosterError;
use gridbook_core::seal::{KeyTrouble, SealError};
use gridbook_core::sync::{BatchTrouble, KeyReason};
use gridbook_core::who::WhoError;
use gridbook_domain::i18n::Lang;
use gridbook_domain::validate::FieldError;
use gridbook_store::store::StoreError;

/// A Chinese message about the store, with where and what to restore from.
pub fn in_dir(zh: &str, dir: &str, newest: Option<&std::path::Path>) -> String {
    let hint = match newest {
        Some(p) => z("backup_hint", &[&p.display().to_string()]),
        None => z("no_backup", &[]),
    };
    z("in_dir", &[zh, dir, &hint])
}

/// An error that can be said in Chinese.
pub trait Speak: std::fmt::Display {
    fn zh(&self) -> String;
}

fn z(key: &str, args: &[&str]) -> String {
    Lang::Zh.f(&format!("contacts.err.{key}"), args)
}

/// A word the English message carries (`room`, `household`), in Chinese
/// when the catalog knows it.
fn word(w: &str) -> String {
    gridbook_domain::validate::word(Lang::Zh, w)
}

/// `"{} already has room {}"` against `"3栋 already has room 2-501"`:
/// the pieces `{}` stood for, or `None` when the text is not of that shape.
fn captures<'a>(pattern: &str, text: &'a str) -> Option<Vec<&'a str>> {
    let lits: Vec<&str> = pattern.split("{}").collect();
    let mut rest = text.strip_prefix(lits[0])?;
    let mut out = Vec::new();
    for (i, lit) in lits.iter().enumerate().skip(1) {
        let last = i == lits.len() - 1;
        let at = if last {
            rest.strip_suffix(lit)?.len()
        } else if lit.is_empty() {
            return None; // two placeholders side by side cannot be told apart
        } else {
            rest.find(lit)?
        };
        out.push(&rest[..at]);
        rest = &rest[at + lit.len()..];
    }
    rest.is_empty().then_some(out)
}

/// Messages the domain words itself and the TUI already says in Chinese
/// (a date or time as typed): matched like the rules, said with the same
/// key's Chinese.
const SHARED: &[&str] = &["err.date", "err.time"];

/// Free English text (a rule's message, a hint) in Chinese, by pattern.
pub fn text_zh(text: &str) -> Option<String> {
    let keys = Lang::En.keys();
    let rules = keys.iter().filter(|k| k.starts_with("contacts.rule."));
    for key in rules.chain(SHARED) {
        if let Some(parts) = captures(Lang::En.t(key), text) {
            let parts: Vec<String> = parts.iter().map(|p| word(p)).collect();
            let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
            return Some(Lang::Zh.f(key, &refs));
        }
    }
    None
}

/// Free text in Chinese, or as it was behind a Chinese lead.
fn free_zh(text: &str) -> String {
    text_zh(text).unwrap_or_else(|| z("untranslated", &[text]))
}

impl Speak for FieldError {
    fn zh(&self) -> String {
        self.text(Lang::Zh)
    }
}

impl Speak for StoreError {
    fn zh(&self) -> String {
        let hint = |b: &Option<std::path::PathBuf>| match b {
            Some(p) => z("backup_hint", &[&p.display().to_string()]),
            None => z("no_backup", &[]),
        };
        match self {
            StoreError::Locked { dir } => z("locked", &[&dir.display().to_string()]),
            StoreError::Damaged {
                dir,
                detail,
                backup,
            } => z(
                "damaged",
                &[&dir.display().to_string(), detail, &hint(backup)],
            ),
            StoreError::Missing { dir, backup } => {
                z("missing", &[&dir.display().to_string(), &hint(backup)])
            }
            StoreError::TooNew { dir, found } => {
                z("too_new", &[&dir.display().to_string(), &found.to_string()])
            }
            StoreError::NoSpace { dir } => z("no_space", &[&dir.display().to_string()]),
            StoreError::Permission { path } => z("permission", &[&path.display().to_string()]),
            StoreError::Io { dir, source } => {
                z("io", &[&dir.display().to_string(), &source.to_string()])
            }
            StoreError::Sled(e) => z("engine", &[e]),
            StoreError::Corrupt(e) => z("corrupt", &[e]),
            StoreError::Codec { what, source } => z("codec", &[what, &source.to_string()]),
            StoreError::Invalid(e) => free_zh(e),
            StoreError::NotFound(e) => z("not_found", &[e]),
        }
    }
}

impl Speak for AddrError {
    fn zh(&self) -> String {
        match self {
            AddrError::Store(e) => e.zh(),
            e => e.said_zh().unwrap_or_else(|| e.to_string()),
        }
    }
}

impl Speak for WhoError {
    fn zh(&self) -> String {
        match self {
            WhoError::NoMember { who, close } => {
                let hint = if close.is_empty() {
                    String::new()
                } else {
                    z("suggest", &[&close.join("、")])
                };
                z("no_member", &[who, &hint])
            }
            WhoError::Ambiguous { who, count, names } => z(
                "member_ambiguous",
                &[who, &count.to_string(), &names.join("、")],
            ),
            WhoError::Store(e) => e.zh(),
        }
    }
}

impl Speak for OpError {
    fn zh(&self) -> String {
        match self {
            OpError::Field(f) => f.zh(),
            OpError::Rule(r) => free_zh(r),
            OpError::Relocate(r) => r.zh(),
            OpError::Store(e) => e.zh(),
        }
    }
}

impl Speak for Refusal {
    fn zh(&self) -> String {
        let o = |key: &str, args: &[&str]| Lang::Zh.f(&format!("officeui.refusal.{key}"), args);
        match self {
            Refusal::NoHousehold => o("no_household", &[]),
            Refusal::NoResident => o("no_resident", &[]),
            Refusal::AlreadyLives(name) => o("already_lives", &[name]),
            Refusal::AlreadyListed(name) => o("already_listed", &[name]),
            Refusal::IntoItself => o("into_itself", &[]),
            Refusal::ListedInBoth(name) => o("listed_in_both", &[name]),
        }
    }
}

impl Speak for RosterError {
    fn zh(&self) -> String {
        match self {
            RosterError::Read { file, source } => {
                z("read", &[file, &read_reason(source, Lang::Zh)])
            }
            RosterError::Utf16 { file } => z("utf16", &[file]),
            RosterError::MissingColumns {
                file,
                line,
                missing,
            } => z(
                "missing_columns",
                &[file, &line.to_string(), &missing.join("、")],
            ),
            RosterError::NoHeader { file } => z("no_header", &[file]),
            RosterError::Encoding {
                file,
                line,
                offset,
                byte,
                encoding,
            } => z(
                "encoding",
                &[
                    file,
                    &line.to_string(),
                    &offset.to_string(),
                    &format!("{byte:02X}"),
                    encoding,
                ],
            ),
            RosterError::Workbook { file, reason } => {
                let why = reason.zh.clone().unwrap_or_else(|| reason.en.clone());
                Lang::Zh.f("import_cli.row.at_file", &[file, &why])
            }
            RosterError::Store(e) => e.zh(),
            // Each row says itself; one whose importer gives no Chinese
            // reason is said by pattern where one knows it.
            RosterError::Rows { errors } => errors
                .iter()
                .map(|e| match &e.reason_zh {
                    Some(_) => e.text(Lang::Zh),
                    None => {
                        let en = e.to_string();
                        text_zh(&en).unwrap_or(en)
                    }
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

impl Speak for EraseError {
    fn zh(&self) -> String {
        match self {
            EraseError::Store(e) => e.zh(),
            EraseError::NoResident { .. } | EraseError::SameName { .. } => self.text(Lang::Zh),
            other => free_zh(&other.to_string()),
        }
    }
}

impl Speak for DemoError {
    fn zh(&self) -> String {
        match self {
            DemoError::NotEmpty(dir) => z("demo_not_empty", &[dir]),
            DemoError::Roster(e) => e.zh(),
            DemoError::Store(e) => e.zh(),
            other => free_zh(&other.to_string()),
        }
    }
}

/// Why a file could not be read, in `lang` where the kind is one a person
/// acts on; the system's words otherwise (and always in English, as before).
fn read_reason(e: &std::io::Error, lang: Lang) -> String {
    use std::io::ErrorKind as K;
    let key = match (lang, e.kind()) {
        (Lang::En, _) => return e.to_string(),
        (_, K::NotFound) => "in_not_found",
        (_, K::PermissionDenied) => "in_permission",
        (_, K::IsADirectory) => "out_is_dir",
        _ => return e.to_string(),
    };
    lang.t(&format!("contacts.err.{key}")).to_string()
}

/// A file that would not open (restore, import json), in `lang`. The
/// English is each error's `Display`, word for word.
pub fn seal_said(e: &SealError, lang: Lang) -> String {
    let x = |key: &str, args: &[&str]| lang.f(&format!("export_cli.{key}"), args);
    match e {
        SealError::WrongPassphrase { file } => x("wrong_passphrase", &[file]),
        SealError::WrongKey { file } => x("wrong_key", &[file]),
        SealError::Damaged { file, reason } => x("not_age", &[file, reason]),
        SealError::Key { file, reason } => {
            let why = match reason {
                KeyTrouble::KeysNotPassphrase => x("keys_not_passphrase", &[]),
                KeyTrouble::PassphraseNotKeys => x("passphrase_not_keys", &[]),
                KeyTrouble::Unreadable(io) => {
                    // age names the line that is not a key, never its text.
                    let line = (io.kind() == std::io::ErrorKind::InvalidData)
                        .then(|| io.to_string())
                        .and_then(|t| {
                            let (_, n) = t.rsplit_once(" on line ")?;
                            n.parse::<usize>().ok()
                        });
                    let said = match line {
                        Some(n) if lang == Lang::Zh => x("identity_line", &[file, &n.to_string()]),
                        _ => read_reason(io, lang),
                    };
                    x("identity_unreadable", &[&said])
                }
                KeyTrouble::NotIdentities(why) => x("not_identities", &[why]),
                KeyTrouble::NoKey => x("no_key", &[]),
            };
            x("key_trouble", &[file, &why])
        }
        SealError::Encrypt(why) => x("cannot_encrypt", &[why]),
    }
}

impl Speak for SealError {
    fn zh(&self) -> String {
        seal_said(self, Lang::Zh)
    }
}

/// Why a file is not an export gridbook reads, in `lang`.
fn not_export_said(r: &NotExport, lang: Lang) -> String {
    let x = |key: &str, args: &[&str]| lang.f(&format!("export_cli.{key}"), args);
    match r {
        NotExport::Json {
            line,
            column,
            detail,
        } => x(
            "not_json",
            &[&line.to_string(), &column.to_string(), detail],
        ),
        NotExport::NoFormat => x("no_format", &[gridbook_core::export::FORMAT_NAME]),
        NotExport::NoVersion => x("no_version", &[]),
        NotExport::NewerVersion(v) => x(
            "newer_version",
            &[
                &v.to_string(),
                &gridbook_core::export::FORMAT_VERSION.to_string(),
            ],
        ),
        NotExport::UnknownVersion(v) => x(
            "unknown_version",
            &[
                &v.to_string(),
                &gridbook_core::export::FORMAT_VERSION.to_string(),
            ],
        ),
        NotExport::NewerSchema { found, known } => {
            x("newer_schema", &[&found.to_string(), &known.to_string()])
        }
    }
}

/// An export or backup that cannot be read in, in `lang`; `None` for the
/// store's own errors and files that cannot be written, which the edge
/// says with their context.
pub fn export_said(e: &ExportError, lang: Lang) -> Option<String> {
    let x = |key: &str, args: &[&str]| lang.f(&format!("export_cli.{key}"), args);
    Some(match e {
        ExportError::Read { path, source } => lang.f(
            "contacts.err.read",
            &[&path.display().to_string(), &read_reason(source, lang)],
        ),
        ExportError::NotExport { file, reason } => {
            x("not_export", &[file, &not_export_said(reason, lang)])
        }
        // What is wrong inside an export names its JSON path and ids: said
        // as found, behind a lead in the user's language.
        ExportError::Invalid { file, reason } => x("invalid", &[file, reason]),
        ExportError::NotEmpty { dir } => x("not_empty", &[&dir.display().to_string()]),
        ExportError::Seal(s) => seal_said(s, lang),
        // Already said in the user's language.
        ExportError::Refused(said) => said.clone(),
        ExportError::Store(_) | ExportError::Write { .. } => return None,
    })
}

/// Why a community key does not do, in `lang`; the English is its
/// `Display`, word for word.
fn key_reason_said(r: &KeyReason, lang: Lang) -> String {
    let k = |key: &str, args: &[&str]| lang.f(&format!("sync.err.key_{key}"), args);
    match r {
        KeyReason::Missing => k("missing", &[]),
        KeyReason::NotTheOffices => k("not_the_offices", &[]),
        KeyReason::BatchToOther { device } => k("batch_to_other", &[device]),
        KeyReason::NoSecretKey { path } => k("no_secret_key", &[&path.display().to_string()]),
        // age's words on the line (a checksum, an encoding) stay as age says them.
        KeyReason::NotAKey { path, detail } => {
            k("not_a_key", &[&path.display().to_string(), detail])
        }
        KeyReason::OfficeKey(why) => k("office_key", &[why]),
        KeyReason::OtherCommunity { bundle } => k("other_community", &[bundle]),
    }
}

/// Why an arriving batch cannot be read, in `lang`; the English is its
/// `Display`, word for word.
fn batch_trouble_said(t: &BatchTrouble, lang: Lang) -> String {
    use gridbook_core::sync::batch::{FORMAT_NAME, FORMAT_VERSION};
    let k = |key: &str, args: &[&str]| lang.f(&format!("sync.err.batch_{key}"), args);
    match t {
        BatchTrouble::NoKey => k("no_key", &[]),
        // The file is the batch the message already names.
        BatchTrouble::Sealed(SealError::Damaged { reason, .. }) => k("damaged", &[reason]),
        BatchTrouble::Sealed(e) => seal_said(e, lang),
        BatchTrouble::NoFile => k("no_file", &[]),
        // serde's words on what it expected stay as serde says them.
        BatchTrouble::NoHeader(why) => k("no_header", &[why]),
        BatchTrouble::Format(found) => k("format", &[found, FORMAT_NAME]),
        BatchTrouble::Newer(v) => k("newer", &[&v.to_string(), &FORMAT_VERSION.to_string()]),
        BatchTrouble::FromOther(device) => k("from_other", &[device]),
        BatchTrouble::Entry { line, column } => {
            k("entry", &[&line.to_string(), &column.to_string()])
        }
    }
}

impl Speak for gridbook_core::sync::SyncError {
    fn zh(&self) -> String {
        use gridbook_core::sync::SyncError as E;
        let s = |key: &str, args: &[&str]| Lang::Zh.f(&format!("sync.err.{key}"), args);
        match self {
            E::Unreachable { office, detail } => s("unreachable", &[office, detail]),
            E::Denied { office, detail } => s("denied", &[office, detail]),
            E::NotOffice { office, reason } => s("not_office", &[office, reason]),
            E::WrongKey { reason } => s("wrong_key", &[&key_reason_said(reason, Lang::Zh)]),
            E::KeyUnreadable { path, source } => s(
                "key_unreadable",
                &[&path.display().to_string(), &read_reason(source, Lang::Zh)],
            ),
            E::BadBatch {
                device,
                commit,
                reason,
            } => s(
                "bad_batch",
                &[device, commit, &batch_trouble_said(reason, Lang::Zh)],
            ),
            E::Encrypt(why) => s("encrypt", &[why]),
            E::Foreign { branch, reason } => s("foreign", &[branch, reason]),
            E::NonFastForward { branch } => s("non_fast_forward", &[branch]),
            E::NotSetUp { dir } => s("not_set_up", &[&dir.display().to_string()]),
            E::AlreadySetUp { dir, name } => {
                s("already_set_up", &[&dir.display().to_string(), name])
            }
            E::BadName { name, reason } => s("bad_name", &[name, reason]),
            E::NoGit => s("no_git", &[]),
            E::Store(e) => e.zh(),
            other => free_zh(&other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_capture_what_placeholders_stood_for() {
        assert_eq!(
            captures("{} already has room {}", "3栋 already has room 2-501"),
            Some(vec!["3栋", "2-501"])
        );
        assert_eq!(captures("no such place", "no such place"), Some(vec![]));
        assert_eq!(captures("no such place", "no such places"), None);
        assert_eq!(
            captures("{} is retired", "孙丽 is retired"),
            Some(vec!["孙丽"])
        );
    }

    #[test]
    fn rules_and_typed_errors_speak_chinese() {
        let r = OpError::Rule("3栋 already has room 2-501".into()).zh();
        assert!(
            r.contains("3栋") && r.contains("2-501") && !r.contains("already"),
            "{r}"
        );
        let p = FieldError::Phone("12345".into()).zh();
        assert!(p.contains("12345") && p.contains("电话"), "{p}");
        let e = FieldError::Empty("name").zh();
        assert!(e.contains("姓名"), "{e}");
        // Unknown text is kept whole behind a Chinese lead.
        let u = OpError::Rule("something new".into()).zh();
        assert!(u.contains("something new") && u != "something new", "{u}");
        // Moves and merges are refused in Chinese, the name kept.
        let m = OpError::from(Refusal::ListedInBoth("吕德".into())).zh();
        assert!(m.contains("吕德") && !m.contains("listed"), "{m}");
        let m = OpError::from(Refusal::IntoItself).zh();
        assert!(!m.is_ascii() && !m.contains("merged"), "{m}");
    }

    /// A file that will not open is said from the catalogs in both
    /// languages; the English is each error's `Display`, word for word.
    #[test]
    fn files_that_will_not_open_say_their_display_in_english() {
        use std::io::{Error, ErrorKind as K};
        let file = || "备份.json".to_string();
        let key = |reason| SealError::Key {
            file: file(),
            reason,
        };
        let seals = [
            SealError::WrongPassphrase { file: file() },
            SealError::WrongKey { file: file() },
            SealError::Damaged {
                file: file(),
                reason: "decryption error".into(),
            },
            key(KeyTrouble::KeysNotPassphrase),
            key(KeyTrouble::PassphraseNotKeys),
            key(KeyTrouble::Unreadable(Error::from(K::NotFound))),
            key(KeyTrouble::Unreadable(Error::new(
                K::InvalidData,
                "identity file 备份.json contains non-identity data on line 3",
            ))),
            key(KeyTrouble::NotIdentities("plugin".into())),
            key(KeyTrouble::NoKey),
            SealError::Encrypt("x".into()),
        ];
        for e in &seals {
            assert_eq!(seal_said(e, Lang::En), e.to_string());
            let zh = e.zh();
            assert!(
                zh.starts_with("备份.json：") || zh.starts_with("无法"),
                "{zh}"
            );
            assert!(
                !zh.contains("passphrase,") && !zh.contains("identity file"),
                "{zh}"
            );
        }
        assert_eq!(
            seals[3].zh(),
            "备份.json：此文件用 age 密钥加密，不是用口令：请用 --identity FILE 指定身份文件（或在 config.toml 中写 `identity = PATH`）"
        );
        assert_eq!(
            seals[6].zh(),
            "备份.json：无法读取身份文件：身份文件 备份.json 第 3 行不是 age 私钥（应为 AGE-SECRET-KEY-1…）"
        );
        let not = |reason| ExportError::NotExport {
            file: file(),
            reason,
        };
        let exports = [
            not(NotExport::Json {
                line: 1,
                column: 2,
                detail: "expected value".into(),
            }),
            not(NotExport::NoFormat),
            not(NotExport::NoVersion),
            not(NotExport::NewerVersion(9)),
            not(NotExport::UnknownVersion(0)),
            not(NotExport::NewerSchema {
                found: 99,
                known: 3,
            }),
            ExportError::Invalid {
                file: file(),
                reason: "residents[0].household: no household 7 in the file".into(),
            },
            ExportError::NotEmpty {
                dir: "数据".into()
            },
            ExportError::Read {
                path: "备份.json".into(),
                source: Error::from(K::PermissionDenied),
            },
            ExportError::Seal(SealError::WrongKey { file: file() }),
        ];
        for e in &exports {
            assert_eq!(
                export_said(e, Lang::En).as_deref(),
                Some(e.to_string().as_str())
            );
            let zh = export_said(e, Lang::Zh).unwrap();
            assert!(zh.contains("备份.json") || zh.contains("数据"), "{zh}");
            assert!(!zh.contains("not a") && !zh.contains("newer"), "{zh}");
        }
    }

    /// Why a community key or an arriving batch will not do is said from
    /// the catalogs: the English is each reason's `Display`, word for
    /// word, and the Chinese keeps the names and numbers but no English.
    #[test]
    fn sync_keys_and_batches_say_their_display_in_english() {
        use gridbook_core::sync::SyncError;
        let keys = [
            KeyReason::Missing,
            KeyReason::NotTheOffices,
            KeyReason::BatchToOther {
                device: "居委会-pc".into(),
            },
            KeyReason::NoSecretKey {
                path: "钥匙.key".into(),
            },
            KeyReason::NotAKey {
                path: "钥匙.key".into(),
                detail: "checksum".into(),
            },
            KeyReason::OfficeKey("bech32".into()),
            KeyReason::OtherCommunity {
                bundle: "别处.bundle".into(),
            },
        ];
        for r in &keys {
            assert_eq!(key_reason_said(r, Lang::En), r.to_string());
        }
        let troubles = [
            BatchTrouble::NoKey,
            BatchTrouble::Sealed(SealError::Damaged {
                file: "batch".into(),
                reason: "header".into(),
            }),
            BatchTrouble::NoFile,
            BatchTrouble::NoHeader("EOF".into()),
            BatchTrouble::Format("别的".into()),
            BatchTrouble::Newer(9),
            BatchTrouble::FromOther("居委会-pc".into()),
            BatchTrouble::Entry { line: 3, column: 7 },
        ];
        for t in &troubles {
            assert_eq!(batch_trouble_said(t, Lang::En), t.to_string());
        }
        // Words of the English texts (the Chinese keeps `--key FILE`,
        // `office init` and age's key prefix as typed).
        let english = [
            "batch",
            "encrypt",
            "laptop",
            "holds",
            "says",
            "cannot",
            "format",
            "line",
            "office'",
            "community",
            "give",
            "found",
        ];
        let errors = keys
            .into_iter()
            .map(|reason| SyncError::WrongKey { reason })
            .chain(troubles.into_iter().map(|reason| SyncError::BadBatch {
                device: "居委会-pc".into(),
                commit: "0123456789ab".into(),
                reason,
            }))
            .chain([
                SyncError::Encrypt("age".into()),
                SyncError::KeyUnreadable {
                    path: "钥匙.key".into(),
                    source: std::io::Error::from(std::io::ErrorKind::NotFound),
                },
            ]);
        for e in errors {
            let zh = e.zh();
            let bare = zh.replace(gridbook_core::sync::batch::FORMAT_NAME, "");
            let words: Vec<_> = english.iter().filter(|w| bare.contains(*w)).collect();
            assert!(words.is_empty(), "{e}: {zh}");
            assert!(!zh.starts_with("出错"), "{zh}");
        }
    }

    /// A list of places ends with how many there are, in Chinese words
    /// and brackets.
    #[test]
    fn suggested_places_are_said_in_chinese() {
        let e = AddrError::Unknown {
            level: "household",
            part: "zz".into(),
            within: " in 石油新村/5栋".into(),
            suggestions: vec!["1-101".into(), "1-102".into(), "… (25 in all)".into()],
        };
        let zh = e.zh();
        assert!(zh.contains("1-101、1-102、…（共 25 个）？"), "{zh}");
        assert!(!zh.contains("in all"), "{zh}");
        let e = AddrError::Unknown {
            level: "area",
            part: "zzz".into(),
            within: String::new(),
            suggestions: vec!["钻井小区 (zjxq)".into()],
        };
        assert!(e.zh().contains("钻井小区（zjxq）"), "{}", e.zh());
    }

    /// The domain's rules, as its sources write them (`rule("…")`,
    /// `rule(format!("…", …))`), with each `{…}` as a placeholder.
    fn rule_texts(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rule_texts(&path, out);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let src = std::fs::read_to_string(&path).unwrap();
            for (at, _) in src.match_indices("rule(") {
                let rest = src[at + 5..].trim_start();
                let rest = rest.strip_prefix("format!(").unwrap_or(rest).trim_start();
                let Some(body) = rest.strip_prefix('"') else {
                    continue;
                };
                let (mut text, mut escaped, mut depth) = (String::new(), false, 0);
                for c in body.chars() {
                    match c {
                        _ if escaped => {
                            text.push(c);
                            escaped = false;
                        }
                        '\\' => escaped = true,
                        '"' => break,
                        '{' => {
                            depth += 1;
                            if depth == 1 {
                                text.push_str("{}");
                            }
                        }
                        '}' => depth -= 1,
                        _ if depth > 0 => {}
                        _ => text.push(c),
                    }
                }
                out.push((path.display().to_string(), text));
            }
        }
    }

    /// Every rule the domain refuses with is said in Chinese by a pattern,
    /// not kept in English behind a Chinese lead.
    #[test]
    fn every_rule_of_the_domain_has_its_chinese_pattern() {
        let core =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/gridbook-core/src");
        let mut rules = Vec::new();
        rule_texts(&core, &mut rules);
        assert!(
            rules.len() > 40,
            "the scan finds the rules: {}",
            rules.len()
        );
        let missing: Vec<_> = rules
            .iter()
            .filter(|(_, text)| text_zh(text).is_none())
            .collect();
        assert!(missing.is_empty(), "rules with no pattern: {missing:#?}");
    }

    /// Every English pattern has its Chinese one with as many placeholders.
    #[test]
    fn every_rule_pattern_keeps_its_placeholders() {
        for key in Lang::En
            .keys()
            .into_iter()
            .filter(|k| k.starts_with("contacts.rule."))
        {
            let n = |l: Lang| l.t(key).matches("{}").count();
            assert_eq!(n(Lang::En), n(Lang::Zh), "{key}");
        }
    }
}
