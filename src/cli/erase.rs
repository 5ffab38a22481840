//! `gridbook erase ADDR NAME` / `gridbook erase --member NAME`: erasing a
//! person on request, and saying what erasing cannot reach.

use crate::cli::{Env, Fail, Use, data, out};
use gridbook_core::address::{self, Zone};
use gridbook_core::backup;
use gridbook_core::erase::{self, Whom};
use gridbook_core::export::Dump;
use gridbook_core::seal::{self, Need, Seal};
use gridbook_domain::i18n::Lang;

/// How the rewritten backup is sealed, decided before anything changes:
/// `--passphrase`, else config's `backup_recipients`, else as the newest
/// backup was (a passphrase is asked again; keys need `backup_recipients`),
/// else in the clear.
fn backup_seal(env: &Env, passphrase: bool) -> Result<Seal, Fail> {
    if passphrase {
        return data::new_passphrase(env.lang, data::For::Said("erase_cli.the_rewritten_backup"));
    }
    let configured = env.config.backup_seal();
    if !configured.is_plain() {
        return Ok(configured);
    }
    let Some(newest) = backup::newest(&env.data) else {
        return Ok(Seal::Plain);
    };
    let bytes = std::fs::read(&newest).unwrap_or_default();
    if !seal::is_sealed(&bytes) {
        return Ok(Seal::Plain);
    }
    match seal::needs(&newest.display().to_string(), &bytes) {
        Ok(Need::Passphrase) => {
            data::new_passphrase(env.lang, data::For::Said("erase_cli.the_rewritten_backup"))
        }
        _ => Err(Fail::said(
            "erase_cli.keys_no_recipients",
            &[&newest.display().to_string()],
        )),
    }
}

pub fn run(
    env: &Env,
    addr: Option<&str>,
    name: Option<&str>,
    member: Option<&str>,
    passphrase: bool,
) -> Result<(), Fail> {
    let lang = env.lang;
    let usage = || Fail::said("erase_cli.usage", &[]);
    match (addr, name, member) {
        (Some(_), Some(_), None) | (None, None, Some(_)) => {}
        (Some(_), None, None) => {
            return Err(Fail::said("erase_cli.name_too", &[]));
        }
        _ => return Err(usage()),
    }
    let store = env.open(Use::Write)?;
    let ctx = env.ctx(&store)?;
    let (whom, said) = match (addr, name, member) {
        (Some(addr), Some(name), None) => {
            let zone = address::resolve(&store, addr)?;
            let Zone::Household(a, b, h) = &zone else {
                return Err(Fail::said("erase_cli.not_household", &[addr]));
            };
            let label = format!(
                "{}/{}/{}",
                a.name,
                b.name,
                gridbook_domain::model::Household::label(h)
            );
            let dump = Dump::from_store(&store)?;
            let id = erase::find_resident(&dump, h.meta.id, &label, name)?;
            (
                Whom::Resident(id),
                lang.f("erase_cli.resident_of", &[&label]),
            )
        }
        (None, None, Some(who)) => {
            let m = gridbook_core::who::member(&store, who)?;
            (
                Whom::Member(m.meta.id),
                lang.t("erase_cli.member").to_string(),
            )
        }
        _ => return Err(usage()),
    };
    let sealed = backup_seal(env, passphrase)?;
    let (store, erased) = erase::erase(store, whom, ctx.now, ctx.by)?;
    let rewritten = erase::rewrite_backups(&store, Some(&sealed));
    drop(store);
    let n = [erased.fields, erased.entries, erased.records].map(|n| n.to_string());
    let mut lines = vec![lang.f(
        "erase_cli.erased",
        &[&erased.name, &said, &n[0], &n[1], &n[2], erase::MARK],
    )];
    lines.push(lang.t("erase_cli.rewritten").to_string());
    let mut failed = None;
    match rewritten {
        Ok(r) => {
            if let Some(p) = &r.written {
                lines.push(lang.f(
                    "erase_cli.backups",
                    &[
                        &r.removed.to_string(),
                        &p.display().to_string(),
                        &sealed.describe(lang),
                    ],
                ));
            }
            for k in &r.kept {
                lines.push(lang.f("erasesync.backup_kept", &[&k.display().to_string()]));
            }
        }
        Err(e) => {
            failed = Some(Fail::said_as(
                gridbook_domain::error::ErrorKind::Unavailable,
                "erase_cli.backups_failed",
                &[
                    &e.to_string(),
                    &backup::dir(&env.data).display().to_string(),
                ],
            ));
        }
    }
    for c in erase::copies_beside(&env.data) {
        lines.push(lang.f("erase_cli.copy_beside", &[&c.display().to_string()]));
    }
    if gridbook_core::sync::device::is_set_up(&env.data) {
        lines.push(lang.t("erasesync.synced").to_string());
        lines.push(lang.t("erase_cli.not_reached_synced").to_string());
    } else {
        lines.push(lang.t("erase_cli.not_reached").to_string());
    }
    out::text(&(lines.join("\n") + "\n"))?;
    match failed {
        Some(f) => Err(f),
        None => Ok(()),
    }
}

/// How backups rewritten without asking are sealed: as config says, else
/// as the newest backup was when that needs no passphrase; `None` when it
/// was sealed to a passphrase (the old backups are then removed and the
/// line says to take a new one).
fn quiet_seal(env: &Env) -> Option<Seal> {
    let configured = env.config.backup_seal();
    if !configured.is_plain() {
        return Some(configured);
    }
    let Some(newest) = backup::newest(&env.data) else {
        return Some(Seal::Plain);
    };
    let bytes = std::fs::read(&newest).unwrap_or_default();
    (!seal::is_sealed(&bytes)).then_some(Seal::Plain)
}

/// Finishes erasures that wait for the store's rewrite (received by sync,
/// or left by a kill): rewrites the store and replaces the backups, as
/// `erase` does. Returns the store and what to say (nothing when none
/// waited); never a name.
pub fn finish(
    env: &Env,
    store: gridbook_store::store::Store,
) -> Result<(gridbook_store::store::Store, Vec<String>), Fail> {
    if erase::pending(&store)?.is_empty() {
        return Ok((store, Vec::new()));
    }
    let sealed = quiet_seal(env);
    let (store, done) = erase::complete(store)?;
    let mut lines = Vec::new();
    if done.is_empty() {
        return Ok((store, lines));
    }
    let lang = env.lang;
    let kinds: Vec<String> = done
        .iter()
        .map(|(_, r)| {
            let n = [r.fields, r.entries, r.records].map(|n| n.to_string());
            lang.f("erasesync.tally", &[&n[0], &n[1], &n[2]])
        })
        .collect();
    let sep = if lang == Lang::Zh { "；" } else { "; " };
    lines.push(lang.f("erasesync.applied", &[&kinds.join(sep)]));
    match erase::rewrite_backups(&store, sealed.as_ref()) {
        Ok(r) => {
            if sealed.is_none() && r.removed > 0 {
                lines.push(lang.f(
                    "erasesync.backups_removed_sealed",
                    &[&r.removed.to_string()],
                ));
            }
            for k in &r.kept {
                lines.push(lang.f("erasesync.backup_kept", &[&k.display().to_string()]));
            }
        }
        Err(e) => lines.push(lang.f(
            "erasesync.backups_failed",
            &[
                &e.to_string(),
                &backup::dir(&env.data).display().to_string(),
            ],
        )),
    }
    Ok((store, lines))
}
