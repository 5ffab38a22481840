//! `gridbook export | import json | backup | restore`: the command-line edge of data in and out.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use crate::cli::{Env, Fail, Use, out};
use gridbook_core::backup;
use gridbook_core::export::{self, Dump, ExportError, Format};
use gridbook_core::seal::{self, Key, Need, Seal};
use gridbook_domain::error::ErrorKind;
use gridbook_domain::error::Kinded;
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::Ts;
use gridbook_store::store::{Store, StoreError};

/// A store error as the user sees it. sled reports damage it finds after
/// opening (a garbled page read later) as a plain error; it is the same
/// damaged store as one that fails to open, so it gets the same answer:
/// exit 3 and the newest backup.
fn store_fail(env: &Env, e: StoreError) -> Fail {
    match e {
        StoreError::Corrupt(detail) => StoreError::Damaged {
            dir: env.data.clone(),
            detail,
            backup: backup::newest(&env.data),
        }
        .into(),
        StoreError::Sled(detail) if detail.to_lowercase().contains("corrupt") => {
            StoreError::Damaged {
                dir: env.data.clone(),
                detail,
                backup: backup::newest(&env.data),
            }
            .into()
        }
        other => other.into(),
    }
}

fn fail(env: &Env, e: ExportError) -> Fail {
    match e {
        ExportError::Store(s) => store_fail(env, s),
        // Only exports write files of the user's (backups have their own).
        ExportError::Write { path, source } => crate::fail::output_fail(&path, &source),
        other => {
            let mut f = Fail::of(other.kind(), other.to_string());
            f.zh = crate::speak::export_said(&other, Lang::Zh);
            f
        }
    }
}

/// A backup that cannot be written: the data directory's file system
/// refused (full, read-only, permission), so the store is unavailable for
/// what was asked (exit 3), with what happened said plainly.
fn backup_fail(env: &Env, e: ExportError) -> Fail {
    match e {
        ExportError::Write { path, source } => crate::fail::backup_fail(&path, &source),
        other => fail(env, other),
    }
}

fn counts(lang: Lang, d: &Dump) -> String {
    let n = [
        d.areas.len(),
        d.buildings.len(),
        d.households.len(),
        d.residents.len(),
        d.members.len(),
        d.events.len(),
    ]
    .map(|n| n.to_string());
    let n: Vec<&str> = n.iter().map(String::as_str).collect();
    lang.f("export_cli.counts", &n)
}

/// What a passphrase is for, as the prompt and its errors name it: a file
/// the user gave, or one gridbook names (`export_cli.the_backup`).
#[derive(Clone, Copy)]
pub(crate) enum For<'a> {
    File(&'a str),
    Said(&'static str),
}

impl For<'_> {
    fn in_(self, lang: Lang) -> String {
        match self {
            For::File(f) => f.to_string(),
            For::Said(key) => lang.t(key).to_string(),
        }
    }
}

/// Where a passphrase comes from: `GRIDBOOK_PASSPHRASE` (scripts), else
/// the terminal with echo off, asked in `lang`. A new passphrase (one that
/// seals) is asked twice, so a typo cannot lock the data away.
pub(crate) fn ask_passphrase(lang: Lang, what: For, new: bool) -> Result<seal::Key, Fail> {
    let text = match std::env::var("GRIDBOOK_PASSPHRASE") {
        Ok(p) => p,
        Err(_) => {
            let no_tty = |e: std::io::Error| {
                let e = e.to_string();
                Fail::said_by(|l| l.f("export_cli.pass_no_tty", &[&what.in_(l), &e]))
            };
            let p =
                rpassword::prompt_password(lang.f("export_cli.pass_prompt", &[&what.in_(lang)]))
                    .map_err(no_tty)?;
            if new {
                let again =
                    rpassword::prompt_password(lang.t("export_cli.pass_again")).map_err(no_tty)?;
                if again != p {
                    return Err(Fail::said("export_cli.pass_differ", &[]));
                }
            }
            p
        }
    };
    if text.is_empty() {
        return Err(Fail::said_by(|l| {
            l.f("export_cli.pass_empty", &[&what.in_(l)])
        }));
    }
    Ok(Key::Passphrase(seal::passphrase(text)))
}

/// A passphrase to seal with.
pub(crate) fn new_passphrase(lang: Lang, what: For) -> Result<Seal, Fail> {
    match ask_passphrase(lang, what, true)? {
        Key::Passphrase(p) => Ok(Seal::Passphrase(p)),
        Key::Identities(_) => Err(Fail::of(ErrorKind::Bug, "a passphrase was asked for")),
    }
}

/// What opens an encrypted file being read: a passphrase, or the identity
/// file from `--identity` or config's `identity`.
fn unlocker<'a>(
    env: &'a Env,
    file: &'a Path,
    identity: Option<&'a Path>,
) -> impl FnMut(Need) -> Result<Key, ExportError> + 'a {
    move |need| match need {
        Need::Passphrase => ask_passphrase(env.lang, For::File(&file.display().to_string()), false)
            .map_err(|f| ExportError::Refused(f.message(env.lang))),
        // Said in the user's language, as the passphrase's refusals are.
        Need::Identity => {
            let path =
                seal::identity_path(identity, env.config.identity.as_deref()).ok_or_else(|| {
                    ExportError::Refused(
                        env.lang
                            .f("export_cli.need_identity", &[&file.display().to_string()]),
                    )
                })?;
            Ok(seal::read_identities(&path)?)
        }
    }
}

/// How `export` and `backup` seal what they write: a passphrase, the
/// recipients given on the command line, else config's `backup_recipients`
/// for backups (exports are in the clear unless asked).
fn chosen_seal(
    lang: Lang,
    what: For,
    passphrase: bool,
    recipients: &[String],
) -> Result<Option<Seal>, Fail> {
    if passphrase && !recipients.is_empty() {
        return Err(Fail::said("export_cli.pass_or_recipient", &[]));
    }
    if passphrase {
        return new_passphrase(lang, what).map(Some);
    }
    if !recipients.is_empty() {
        let keys = recipients
            .iter()
            .map(|r| seal::parse_recipient(r).map_err(bad_recipient))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Some(Seal::Recipients(keys)));
    }
    Ok(None)
}

/// A `--recipient` that is not a key, in both languages; age's reason is
/// said in Chinese where the catalog knows it.
fn bad_recipient(e: seal::BadRecipient) -> Fail {
    let why = match e.why {
        "invalid Bech32 encoding" => Some("export_cli.recipient_bech32"),
        "incorrect HRP" => Some("export_cli.recipient_hrp"),
        "incorrect pubkey length" => Some("export_cli.recipient_length"),
        _ => None,
    };
    Fail::said_by(|lang| {
        let said = why.map_or(e.why, |k| lang.t(k));
        lang.f("export_cli.bad_recipient", &[&e.shown, said])
    })
}

/// `--bom` (the default, still accepted) and `--no-bom` for CSV files.
pub struct Bom {
    pub bom: bool,
    pub no_bom: bool,
}

pub fn export(
    env: &Env,
    format: Format,
    out: Option<&Path>,
    bom: Bom,
    passphrase: bool,
    recipients: &[String],
) -> Result<(), Fail> {
    if (bom.bom || bom.no_bom) && format != Format::Csv {
        return Err(Fail::said("export_cli.bom_csv_only", &[]));
    }
    if format != Format::Json && (passphrase || !recipients.is_empty()) {
        return Err(Fail::said("export_cli.seal_json_only", &[]));
    }
    let xlsx_needs_file = || Fail::said("export_cli.xlsx_needs_out", &[]);
    if format == Format::Xlsx && out.is_none() {
        return Err(xlsx_needs_file());
    }
    let csv_needs_dir = || Fail::said("export_cli.csv_needs_out", &[]);
    if format == Format::Csv && out.is_none() {
        return Err(csv_needs_dir());
    }
    let store = env.open(Use::Read)?;
    let file = out.map(|p| p.display().to_string());
    let what = file
        .as_deref()
        .map_or(For::Said("export_cli.the_export"), For::File);
    let sealed = chosen_seal(env.lang, what, passphrase, recipients)?;
    // Not for JSON on standard output: a script reads that.
    let progress = crate::cli::progress::bar(env.lang.t("excel.progress.export"), out.is_none());
    let dump = Dump::from_store_with(&store, progress.counts()).map_err(|e| store_fail(env, e))?;
    drop(store);
    match (format, out) {
        (Format::Json, None) if let Some(sealed) = sealed => {
            // age's binary output, for a pipe or a redirect.
            let mut bytes = Vec::new();
            seal::write(&sealed, &dump.to_json(), &mut bytes)
                .map_err(|e| Fail::of(ErrorKind::Bug, format!("cannot encrypt: {e}")))?;
            out::bytes(&bytes)?;
        }
        (Format::Json, None) => {
            let json = String::from_utf8(dump.to_json())
                .map_err(|e| Fail::of(ErrorKind::Bug, format!("the export is not text: {e}")))?;
            out::bytes(gridbook_domain::text::json_visible(json).as_bytes())?;
        }
        (Format::Json, Some(path)) => {
            let sealed = sealed.unwrap_or(Seal::Plain);
            export::write_json(&dump, path, &sealed).map_err(|e| fail(env, e))?;
            let (what, to) = (counts(env.lang, &dump), path.display().to_string());
            if sealed.is_plain() {
                out::line(env.lang.f("export_cli.json", &[&what, &to]))?;
            } else {
                let how = sealed.describe(env.lang);
                out::line(env.lang.f("export_cli.json_sealed", &[&what, &to, &how]))?;
            }
        }
        (Format::Xlsx, path) => {
            let path = path.ok_or_else(xlsx_needs_file)?;
            let s = export::write_xlsx(&dump, path, env.lang).map_err(|e| fail(env, e))?;
            out::line(env.lang.f(
                "export_cli.xlsx",
                &[
                    &s.residents.to_string(),
                    &s.events.to_string(),
                    &path.display().to_string(),
                ],
            ))?;
            if s.empty_households > 0 {
                out::line(
                    env.lang
                        .f("export_cli.xlsx_empty", &[&s.empty_households.to_string()]),
                )?;
            }
        }
        (Format::Csv, dir) => {
            let dir = dir.ok_or_else(csv_needs_dir)?;
            let s =
                export::write_csv(&dump, dir, !bom.no_bom, env.lang).map_err(|e| fail(env, e))?;
            // The files start with their header; the notice is said here
            // and in README.txt beside them.
            out::note(export::NOTICE);
            out::line(env.lang.f(
                "export_cli.csv",
                &[
                    &s.residents.to_string(),
                    &dir.join("roster.csv").display().to_string(),
                    &s.events.to_string(),
                    &dir.join("events.csv").display().to_string(),
                ],
            ))?;
            if s.empty_households > 0 {
                out::line(
                    env.lang
                        .f("export_cli.csv_empty", &[&s.empty_households.to_string()]),
                )?;
            }
        }
    }
    Ok(())
}

pub fn import_json(env: &Env, file: &Path, identity: Option<&Path>) -> Result<(), Fail> {
    let dump =
        export::read_import(file, &mut unlocker(env, file, identity)).map_err(|e| fail(env, e))?;
    let progress = crate::cli::progress::bar(env.lang.t("excel.progress.import"), false);
    let store = env.open(Use::Fill)?;
    if !store.is_empty() {
        return Err(fail(
            env,
            ExportError::NotEmpty {
                dir: env.data.clone(),
            },
        ));
    }
    // Built beside the empty store and swapped in: a kill leaves nothing or all.
    let store = fill(env, store, &dump, progress.counts())?;
    let backup = backup::after_session(&store, &env.config.backup_policy());
    drop(store);
    drop(progress);
    out::line(env.lang.f(
        "import_cli.imported",
        &[&counts(env.lang, &dump), &file.display().to_string()],
    ))?;
    // The import is saved; a backup that cannot be written is a warning.
    match backup {
        Ok(Some(p)) => out::line(
            env.lang
                .f("contacts.msg.backup_written", &[&p.display().to_string()]),
        ),
        Ok(None) => Ok(()),
        Err(e) => {
            out::note(env.lang.f(
                "contacts.msg.backup_failed",
                &[&backup_fail(env, e).message(env.lang)],
            ));
            Ok(())
        }
    }
}

pub fn backup(env: &Env, passphrase: bool) -> Result<(), Fail> {
    // A directory with no store and no backups holds nothing to back up;
    // one whose store is missing beside backups is named by opening.
    crate::env::check_data_dir(&env.data, Use::Fill)?;
    if !crate::env::store_exists(&env.data) && backup::newest(&env.data).is_none() {
        return Err(Fail::said(
            "restore_cli.nothing_to_back_up",
            &[&env.data.display().to_string()],
        ));
    }
    let store = env.open(Use::Read)?;
    if store.is_empty() {
        // An empty backup would rotate a real one away.
        return Err(Fail::said(
            "restore_cli.nothing_to_back_up",
            &[&env.data.display().to_string()],
        ));
    }
    let policy = backup::Policy {
        keep: env.config.backups(),
        seal: match chosen_seal(
            env.lang,
            For::Said("export_cli.the_backup"),
            passphrase,
            &[],
        )? {
            Some(s) => s,
            None => env.config.backup_seal(),
        },
    };
    let progress = crate::cli::progress::bar(env.lang.t("excel.progress.backup"), false);
    let path =
        backup::write_with(&store, &policy, progress.counts()).map_err(|e| backup_fail(env, e))?;
    drop(store);
    drop(progress);
    let how = if policy.seal.is_plain() {
        String::new()
    } else {
        format!(
            "{}{}",
            env.lang.t("wording.list"),
            policy.seal.describe(env.lang)
        )
    };
    out::line(env.lang.f(
        "contacts.msg.backup_kept",
        &[
            &path.display().to_string(),
            &backup::list(&env.data).len().to_string(),
            &how,
        ],
    ))
}

pub fn restore(
    env: &Env,
    file: Option<&Path>,
    force: bool,
    identity: Option<&Path>,
) -> Result<(), Fail> {
    let file: PathBuf = match file {
        Some(f) => f.to_path_buf(),
        None => backup::newest(&env.data).ok_or_else(|| {
            Fail::said(
                "restore_cli.no_backup",
                &[&backup::dir(&env.data).display().to_string()],
            )
        })?,
    };
    // Check the backup before touching the store.
    let dump =
        export::read_json(&file, &mut unlocker(env, &file, identity)).map_err(|e| fail(env, e))?;
    let progress = crate::cli::progress::bar(env.lang.t("excel.progress.restore"), false);
    // Said at the end: a reader that goes away must not stop a restore half-way.
    let mut said: Vec<String> = Vec::new();
    let store = match env.try_open(Use::Fill)? {
        Ok(s) => s,
        Err(StoreError::Damaged { .. } | StoreError::Corrupt(_)) if force => {
            let aside = set_aside(env)?;
            said.push(
                env.lang
                    .f("restore_cli.set_aside", &[&aside.display().to_string()]),
            );
            env.open(Use::Fill)?
        }
        Err(e) => return Err(e.into()),
    };
    let store = if store.is_empty() {
        store
    } else if !force {
        return Err(Fail::said(
            "restore_cli.holds_data",
            &[&env.data.display().to_string()],
        ));
    } else {
        // Save what is there, then empty it; damage found on the way (reading
        // or clearing) sets the store's files aside instead. A backup that
        // cannot be written (a full disk) stops the restore with the store
        // as it was.
        let current = match Dump::from_store(&store).map_err(|e| store_fail(env, e)) {
            Ok(c) => Some(c),
            Err(f) if f.code == 3 => None,
            Err(f) => return Err(f),
        };
        match current {
            Some(current) => {
                // Not rotated: the backup being restored may be the oldest one.
                let saved = backup::write_dump(
                    &env.data,
                    &current.to_json(),
                    Ts::now(),
                    0,
                    &env.config.backup_seal(),
                )
                .map_err(|e| backup_fail(env, e))?;
                said.push(
                    env.lang
                        .f("restore_cli.saved", &[&saved.display().to_string()]),
                );
                store
            }
            None => {
                drop(store);
                let aside = set_aside(env)?;
                said.push(
                    env.lang
                        .f("restore_cli.set_aside", &[&aside.display().to_string()]),
                );
                env.open(Use::Fill)?
            }
        }
    };
    // The restored store is built beside the current one and swapped in by
    // rename: a kill leaves the old data or all of the backup's, never a mix.
    drop(fill(env, store, &dump, progress.counts())?);
    drop(progress);
    said.push(env.lang.f(
        "restore_cli.restored",
        &[&counts(env.lang, &dump), &file.display().to_string()],
    ));
    out::text(&(said.join("\n") + "\n"))
}

/// Moves a damaged `store/` to `store.damaged-<time>/` so a fresh one can be
/// made, holding the data directory's lock so no other gridbook opens it meanwhile.
fn set_aside(env: &Env) -> Result<PathBuf, Fail> {
    let io = |e: std::io::Error| {
        Fail::said_as(
            ErrorKind::Unavailable,
            "restore_cli.cannot_set_aside",
            &[&env.data.display().to_string(), &e.to_string()],
        )
    };
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(env.data.join("gridbook.lock"))
        .map_err(io)?;
    if lock.try_lock().is_err() {
        return Err(StoreError::Locked {
            dir: env.data.clone(),
        }
        .into());
    }
    let stamp = backup::file_name(Ts::now());
    let stamp = stamp
        .trim_start_matches("gridbook-")
        .trim_end_matches(".json");
    let aside = env.data.join(format!("store.damaged-{stamp}"));
    fs::rename(env.data.join("store"), &aside).map_err(io)?;
    drop(lock);
    Ok(aside)
}

/// Replaces `store` (whose lock it holds) with one holding `dump`, built
/// beside it and swapped in whole; returns the new store, opened.
fn fill(
    env: &Env,
    store: Store,
    dump: &Dump,
    progress: &dyn gridbook_core::progress::Progress,
) -> Result<Store, Fail> {
    let lock = store
        .close()
        .ok_or_else(|| Fail::of(ErrorKind::Bug, "a store on disk holds its lock"))?;
    let lock = gridbook_store::swap::replace(&env.data, lock, |s| dump.load_into_with(s, progress))
        .map_err(|e| fail(env, e))?;
    Store::open_locked(&env.data, lock).map_err(|e| store_fail(env, e))
}
