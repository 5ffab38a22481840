//! `gridbook export | import json | backup | restore`: the command-line edge of data in and out.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{Env, Fail};
use gridbook_core::backup;
use gridbook_core::export::{self, Dump, ExportError, Format};
use gridbook_domain::error::ErrorKind;
use gridbook_domain::error::Kinded;
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
        other => Fail::of(other.kind(), other.to_string()),
    }
}

fn counts(d: &Dump) -> String {
    format!(
        "{} areas, {} buildings, {} households, {} residents, {} members, {} events",
        d.areas.len(),
        d.buildings.len(),
        d.households.len(),
        d.residents.len(),
        d.members.len(),
        d.events.len()
    )
}

pub fn export(env: &Env, format: Format, out: Option<&Path>, bom: bool) -> Result<(), Fail> {
    if bom && format == Format::Json {
        return Err(Fail::input("--bom applies to --format csv only"));
    }
    let csv_needs_dir = || {
        Fail::input(
            "--format csv writes roster.csv and events.csv: name a directory with --out DIR",
        )
    };
    if format == Format::Csv && out.is_none() {
        return Err(csv_needs_dir());
    }
    let store = env.open()?;
    let dump = Dump::from_store(&store).map_err(|e| store_fail(env, e))?;
    drop(store);
    match (format, out) {
        (Format::Json, None) => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&dump.to_json())
                .and_then(|()| stdout.flush())
                .map_err(|e| Fail::of(ErrorKind::Bug, format!("cannot write the export: {e}")))?;
        }
        (Format::Json, Some(path)) => {
            export::write_json(&dump, path).map_err(|e| fail(env, e))?;
            println!(
                "exported {} to {} (personal data: keep it private)",
                counts(&dump),
                path.display()
            );
        }
        (Format::Csv, dir) => {
            let dir = dir.ok_or_else(csv_needs_dir)?;
            let s = export::write_csv(&dump, dir, bom, env.lang).map_err(|e| fail(env, e))?;
            println!(
                "exported {} residents to {} and {} events to {} (personal data: keep them private)",
                s.residents,
                dir.join("roster.csv").display(),
                s.events,
                dir.join("events.csv").display()
            );
            if s.empty_households > 0 {
                println!(
                    "{} households without residents are not in roster.csv (the JSON export has them)",
                    s.empty_households
                );
            }
        }
    }
    Ok(())
}

pub fn import_json(env: &Env, file: &Path) -> Result<(), Fail> {
    let dump = export::read_json(file).map_err(|e| fail(env, e))?;
    let store = env.open()?;
    dump.load_into(&store).map_err(|e| fail(env, e))?;
    println!("imported {} from {}", counts(&dump), file.display());
    if let Some(p) =
        backup::after_session(&store, env.config.backups()).map_err(|e| fail(env, e))?
    {
        println!("backup written: {}", p.display());
    }
    Ok(())
}

pub fn backup(env: &Env) -> Result<(), Fail> {
    let store = env.open()?;
    if store.is_empty() {
        // An empty backup would rotate a real one away.
        return Err(Fail::input(format!(
            "{} holds no data; nothing to back up",
            env.data.display()
        )));
    }
    let path = backup::write(&store, env.config.backups()).map_err(|e| fail(env, e))?;
    println!(
        "backup written: {} ({} kept)",
        path.display(),
        backup::list(&env.data).len()
    );
    Ok(())
}

pub fn restore(env: &Env, file: Option<&Path>, force: bool) -> Result<(), Fail> {
    let file: PathBuf = match file {
        Some(f) => f.to_path_buf(),
        None => backup::newest(&env.data).ok_or_else(|| {
            Fail::input(format!(
                "no backup in {}; name the file to restore from",
                backup::dir(&env.data).display()
            ))
        })?,
    };
    // Check the backup before touching the store.
    let dump = export::read_json(&file).map_err(|e| fail(env, e))?;
    let store = match Store::open(&env.data) {
        Ok(s) => s,
        Err(StoreError::Damaged { .. } | StoreError::Corrupt(_)) if force => {
            let aside = set_aside(env)?;
            println!("the damaged store was moved to {}", aside.display());
            env.open()?
        }
        Err(e) => return Err(e.into()),
    };
    let store = if store.is_empty() {
        store
    } else if !force {
        return Err(Fail::input(format!(
            "{} already holds data; `gridbook restore --force` replaces it (after saving a backup of it)",
            env.data.display()
        )));
    } else {
        // Save what is there, then empty it; damage found on the way (reading
        // or clearing) sets the store's files aside instead.
        let replaced = Dump::from_store(&store)
            .map_err(|e| store_fail(env, e))
            .and_then(|current| {
                // Not rotated: the backup being restored may be the oldest one.
                let saved = backup::write_dump(&env.data, &current.to_json(), Ts::now(), 0)
                    .map_err(|e| fail(env, e))?;
                println!("the data being replaced was saved to {}", saved.display());
                store.clear().map_err(|e| store_fail(env, e))
            });
        match replaced {
            Ok(()) => store,
            Err(f) if f.code == 3 => {
                drop(store);
                let aside = set_aside(env)?;
                println!("the damaged store was moved to {}", aside.display());
                env.open()?
            }
            Err(f) => return Err(f),
        }
    };
    dump.load_into(&store).map_err(|e| fail(env, e))?;
    println!("restored {} from {}", counts(&dump), file.display());
    Ok(())
}

/// Moves a damaged `store/` to `store.damaged-<time>/` so a fresh one can be
/// made, holding the data directory's lock so no other gridbook opens it meanwhile.
fn set_aside(env: &Env) -> Result<PathBuf, Fail> {
    let io = |e: std::io::Error| {
        Fail::of(
            ErrorKind::Unavailable,
            format!(
                "cannot set the damaged store in {} aside: {e}",
                env.data.display()
            ),
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
