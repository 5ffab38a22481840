//! Who looks after one zone: every responsibility span on it (responsible,
//! supervisor, liaisons), current ones first, ended ones kept as history.
//! `e`, `d` or `u` on a current span ends it.

use super::prelude::*;

pub const HINTS: &[Cmd] = &[
    Cmd::Unassign,
    Cmd::Assign,
    Cmd::CopyPhone,
    Cmd::Back,
    Cmd::Help,
    Cmd::Quit,
];

/// What the status line says while the report loads.
pub const LOADING: &str = "officeui.job_cover";

pub fn load(w: &World, zone: Id) -> R<Report> {
    let s = w.store;
    let lang = w.lang;
    let f = |k: &str| lang.t(k).to_string();
    let now = Ts::now();
    let path = zone_label(w, zone)?;
    let mut spans = s.assignments_of(zone).map_err(err)?;
    // Current spans first, each group newest first.
    spans.sort_by_key(|a| (!a.active_at(now), std::cmp::Reverse(a.since)));
    let mut rows = Vec::new();
    for a in &spans {
        let m = s.member(a.member).map_err(err)?;
        let (name, phone) = m
            .map(|m| (m.name, m.phone))
            .unwrap_or_else(|| (a.member.short(), String::new()));
        rows.push(Row {
            id: a.id,
            kind: RowKind::Assignment,
            cells: vec![
                name.clone(),
                lang.label("role", a.role.code()),
                a.since.date().to_string(),
                match a.until {
                    Some(u) => u.date().to_string(),
                    None => f("tui.active"),
                },
                phone.clone(),
            ],
            phone: (!phone.is_empty()).then_some(phone),
            whose: Some(name),
            zone: Some(zone),
        });
    }
    let covered = match gridbook_core::cover::covering(s, zone, now).map_err(err)? {
        Some(c) if c.direct => lang.f("wording.labelled", &[lang.t("show.covered_by"), &c.name]),
        Some(c) => lang.f(
            "wording.labelled",
            &[
                lang.t("show.covered_by"),
                &lang.f(
                    "wording.aside",
                    &[
                        &c.name,
                        &lang.f("officeui.inherited", &[&zone_label(w, c.via)?]),
                    ],
                ),
            ],
        ),
        None => lang.f(
            "wording.labelled",
            &[lang.t("show.covered_by"), lang.t("show.nobody")],
        ),
    };
    Ok(Report {
        crumbs: path.split('/').map(str::to_string).collect(),
        ..Report::new(
            ReportKind::Cover(zone),
            lang.f("officeui.cover_title", &[&path]),
            vec![covered, f("officeui.cover_hint")],
            vec![
                f("col.name"),
                f("col.role"),
                f("col.since"),
                f("col.until"),
                f("col.phone"),
            ],
            rows,
        )
    })
}
