//! Members and their workload; a row opens the member's zones, `n` adds one.

use super::prelude::*;

pub const HINTS: &[Cmd] = &[
    Cmd::Open,
    Cmd::Back,
    Cmd::Sort,
    Cmd::CopyPhone,
    Cmd::Help,
    Cmd::Quit,
];

/// What the status line says while the report loads.
pub const LOADING: &str = "job.members";

pub fn load(w: &World) -> R<Report> {
    let s = w.store;
    let now = Ts::now();
    let lang = w.lang;
    let f = |k: &str| lang.t(k).to_string();
    let kind = ReportKind::Members;
    let list = report::members(s, now).map_err(err)?;
    let rows = list
        .iter()
        .map(|m| Row {
            id: m.id.parse().unwrap_or_default(),
            kind: RowKind::Member,
            cells: vec![
                m.name.clone(),
                lang.label("member_kind", &m.kind),
                m.tags.join("、"),
                m.zones.join("; "),
                m.liaison_households.to_string(),
                m.households_covered.to_string(),
                m.visits_30d.to_string(),
                m.open_problems.to_string(),
                m.phone.clone(),
            ],
            phone: Some(m.phone.clone()).filter(|p| !p.is_empty()),
            whose: Some(m.name.clone()),
            zone: None,
        })
        .collect();
    Ok(Report {
        kind,
        title: f("view.members"),
        summary: vec![lang.f("mem.summary", &[&list.len().to_string()])],
        columns: vec![
            f("col.name"),
            f("col.kind"),
            f("col.tags"),
            f("col.zones"),
            f("col.liaison"),
            f("col.households"),
            f("col.visits_30d"),
            f("col.open"),
            f("col.phone"),
        ],
        rows,
        sel: 0,
        sort: 5,
        all: vec![],
        filter: 0,
    })
}
