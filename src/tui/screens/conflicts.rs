//! What merges left for people (`:conflicts`): each conflict, "needs
//! attention" item and quarantined entry on one row with its first two
//! versions side by side; `enter` opens one with every version (value,
//! member, device, time), where `keep` keeps the selected version.

use gridbook_core::merge::conflicts::{self, ItemKind, Listed};

use super::prelude::*;

pub const HINTS: &[Cmd] = &[Cmd::Open, Cmd::Back, Cmd::Help, Cmd::Quit];

/// The hint line of one item's versions.
pub const ITEM_HINTS: &[Cmd] = &[Cmd::Keep, Cmd::Back, Cmd::Help, Cmd::Quit];

/// What the status line says while the list loads.
pub const LOADING: &str = "merge.tui.loading";

/// A version in the list: its value and who wrote it (the device and the
/// time are on the item's own screen, where there is room).
fn side(lang: gridbook_domain::i18n::Lang, l: &Listed, i: usize) -> String {
    l.versions
        .get(i)
        .map(|v| match &v.member {
            Some(m) => lang.f("wording.aside", &[&v.value_label(lang), m]),
            None => v.value_label(lang),
        })
        .unwrap_or_default()
}

pub fn load(w: &World) -> R<Report> {
    let lang = w.lang;
    let f = |k: &str| lang.t(k).to_string();
    let items = conflicts::list(w.store, lang).map_err(err)?;
    let erased = gridbook_core::erase::listed(w.store, lang).map_err(err)?;
    let rows = items
        .iter()
        .map(|l| Row {
            id: l.id,
            kind: RowKind::Event,
            cells: vec![
                l.kind.label(lang).to_string(),
                l.record_label(),
                l.field_label(lang),
                side(lang, l, 0),
                side(lang, l, 1),
            ],
            phone: None,
            whose: None,
            zone: None,
        })
        .collect();
    Ok(Report::new(
        ReportKind::Conflicts,
        f("merge.tui.title"),
        summary(lang, items.len(), erased),
        vec![
            f("merge.col.kind"),
            f("merge.col.record"),
            f("merge.col.field"),
            f("merge.tui.version_1"),
            f("merge.tui.version_2"),
        ],
        rows,
    ))
}

/// The count of items, then the erasures (newest last, as `conflicts`
/// lists them): the last few, and how many more the CLI lists.
fn summary(lang: gridbook_domain::i18n::Lang, items: usize, erased: Vec<String>) -> Vec<String> {
    const SHOWN: usize = 3;
    let mut out = vec![if items == 0 {
        lang.t("merge.cli.none").to_string()
    } else {
        lang.f("merge.tui.summary", &[&items.to_string()])
    }];
    let more = erased.len().saturating_sub(SHOWN);
    if more > 0 {
        let n = gridbook_core::report::counted(lang, "erasesync.count.erased", more);
        out.push(lang.f("merge.tui.more_erased", &[&n]));
    }
    out.extend(erased.into_iter().skip(more));
    out
}

/// One item with every version, numbered as `conflicts show` numbers them.
pub fn load_item(w: &World, id: Id) -> R<Report> {
    let lang = w.lang;
    let f = |k: &str| lang.t(k).to_string();
    let item = conflicts::find(w.store, lang, &id.to_string()).map_err(|_| UiError::Gone)?;
    let rows = item
        .versions
        .iter()
        .enumerate()
        .map(|(i, v)| Row {
            id: v.entry,
            kind: RowKind::Event,
            cells: vec![
                (i + 1).to_string(),
                v.value_label(lang),
                v.member.clone().unwrap_or_else(|| "—".into()),
                v.device_label(),
                v.at.clone(),
            ],
            phone: None,
            whose: None,
            zone: None,
        })
        .collect();
    let how = if item.kind == ItemKind::Conflict {
        f("merge.tui.keep_how")
    } else {
        f("merge.tui.no_keep")
    };
    Ok(Report {
        back: Some(ReportKind::Conflicts),
        ..Report::new(
            ReportKind::ConflictItem(id),
            format!("{} · {}", item.kind.label(lang), item.field_label(lang)),
            vec![item.record_label(), how],
            vec![
                "#".into(),
                f("merge.col.value"),
                f("merge.col.member"),
                f("merge.col.device"),
                f("merge.col.at"),
            ],
            rows,
        )
    })
}

/// The ⚠ count: conflicts, attention items and quarantined entries. A
/// failed read is an error, never a count of 0.
pub fn count(w: &World) -> R<usize> {
    conflicts::count(w.store).map_err(err)
}
