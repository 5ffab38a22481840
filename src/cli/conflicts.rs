//! `gridbook conflicts [--json]`, `conflicts show ID` and `conflicts resolve
//! ID --keep N`: what a merge left for people (conflicts, "needs attention"
//! items, quarantined entries), one item's versions numbered from 1, and a
//! resolution that is a new edit naming every head (it syncs like any edit).

use gridbook_core::merge::conflicts::{self, ConflictError, ItemKind};
use gridbook_domain::error::Kinded;
use gridbook_domain::i18n::Lang;
use gridbook_domain::text;

use crate::cli::{Env, Fail, Use, out};

/// An error of the conflicts commands, able to say itself in Chinese.
fn fail(e: ConflictError) -> Fail {
    let zh = match &e {
        ConflictError::Store(_) | ConflictError::Op(_) => None,
        ConflictError::Unknown(id) => Some(Lang::Zh.f("merge.cli.unknown", &[id])),
        ConflictError::Ambiguous(id) => Some(Lang::Zh.f("merge.cli.ambiguous", &[id])),
        ConflictError::NotConflict { id } => {
            Some(Lang::Zh.f("merge.cli.not_conflict", &[&id.to_string()]))
        }
        ConflictError::NoSuchVersion { keep, count } => Some(Lang::Zh.f(
            "merge.cli.no_version",
            &[&keep.to_string(), &count.to_string()],
        )),
    };
    match e {
        ConflictError::Store(s) => Fail::from(s),
        ConflictError::Op(o) => Fail::from(o),
        other => {
            let mut f = Fail::of(other.kind(), other.to_string());
            f.zh = zh;
            f
        }
    }
}

pub fn list(env: &Env, json: bool) -> Result<(), Fail> {
    let lang = env.lang;
    let store = env.open(Use::Read)?;
    let items = conflicts::list(&store, lang)?;
    let erased = gridbook_core::erase::listed(&store, lang)?;
    drop(store);
    if json {
        return out::json(&items);
    }
    if items.is_empty() {
        out::line(lang.t("merge.cli.none"))?;
        for l in erased {
            out::line(l)?;
        }
        return Ok(());
    }
    let mut rows = vec![vec![
        lang.t("merge.col.id").to_string(),
        lang.t("merge.col.kind").to_string(),
        lang.t("merge.col.record").to_string(),
        lang.t("merge.col.field").to_string(),
        lang.t("merge.col.versions").to_string(),
    ]];
    for l in &items {
        rows.push(vec![
            l.id.short(),
            l.kind.label(lang).to_string(),
            l.record_label(),
            l.field_label(lang),
            l.versions.len().to_string(),
        ]);
    }
    out::text(&text::table(&rows))?;
    out::line(lang.t("merge.cli.how"))?;
    for l in erased {
        out::line(l)?;
    }
    Ok(())
}

pub fn show(env: &Env, id: &str, json: bool) -> Result<(), Fail> {
    let lang = env.lang;
    let store = env.open(Use::Read)?;
    let item = conflicts::find(&store, lang, id).map_err(fail)?;
    drop(store);
    if json {
        return out::json(&item);
    }
    out::line(format!(
        "{}  {}  {}",
        item.kind.label(lang),
        item.record_label(),
        item.field_label(lang)
    ))?;
    out::line(lang.f("merge.cli.id", &[&item.id.to_string()]))?;
    let mut rows = vec![vec![
        "#".to_string(),
        lang.t("merge.col.value").to_string(),
        lang.t("merge.col.member").to_string(),
        lang.t("merge.col.device").to_string(),
        lang.t("merge.col.at").to_string(),
    ]];
    for (i, v) in item.versions.iter().enumerate() {
        rows.push(vec![
            (i + 1).to_string(),
            v.value_label(lang),
            v.member.clone().unwrap_or_else(|| "—".into()),
            v.device_label(),
            v.at.clone(),
        ]);
    }
    out::text(&text::table(&rows))?;
    if item.kind == ItemKind::Conflict {
        out::line(lang.f("merge.cli.keep_how", &[&item.id.short()]))?;
    } else {
        // Nothing to keep: it clears when set right where it happened.
        out::line(lang.t("merge.tui.no_keep"))?;
    }
    Ok(())
}

pub fn resolve(env: &Env, id: &str, keep: usize) -> Result<(), Fail> {
    let lang = env.lang;
    let store = env.open(Use::Write)?;
    let ctx = env.ctx(&store)?;
    let item = conflicts::resolve(&store, ctx, id, keep).map_err(fail)?;
    drop(store);
    let chosen = &item.versions[keep - 1];
    out::line(lang.f(
        "merge.cli.resolved",
        &[
            &item.record_label(),
            &item.field_label(lang),
            &chosen.value_label(lang),
        ],
    ))
}
