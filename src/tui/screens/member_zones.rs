//! One member's zones, with the history of their assignments. A row is a
//! span: `enter` opens its zone, `e`/`d`/`u` end it, `X` hands every zone
//! to another member.

use super::prelude::*;
use gridbook_core::ops;

pub const HINTS: &[Cmd] = &[
    Cmd::Open,
    Cmd::Unassign,
    Cmd::Transfer,
    Cmd::Back,
    Cmd::Sort,
    Cmd::CopyPhone,
    Cmd::Help,
    Cmd::Quit,
];

/// What the status line says while the report loads.
pub const LOADING: &str = "job.member_zones";

pub fn load(w: &World, member: Id) -> R<Report> {
    let s = w.store;
    let lang = w.lang;
    let f = |k: &str| lang.t(k).to_string();
    let chart = crate::tui::charts::member(s, member, Ts::now()).map_err(err)?;
    let kind = ReportKind::MemberZones(member);
    let m = s.member(member).map_err(err)?.ok_or(UiError::Gone)?;
    let mut spans = Vec::new();
    // A closed zone (a household merged away) is not listed, as no list
    // of places lists it: nothing there to end or hand over.
    for a in s.assignments_of_member(member).map_err(err)? {
        if ops::zone_is_open(s, a.zone).map_err(err)? {
            spans.push(a);
        }
    }
    spans.sort_by_key(|a| std::cmp::Reverse(a.since));
    let rows = spans
        .iter()
        .map(|a| -> R<Row> {
            Ok(Row {
                id: a.id,
                kind: RowKind::Assignment,
                cells: vec![
                    zone_label(w, a.zone)?,
                    lang.label("role", a.role.code()),
                    a.since.date().to_string(),
                    match a.until {
                        Some(u) => u.date().to_string(),
                        None => f("tui.active"),
                    },
                    s.open_problem_count(a.zone).map_err(err)?.to_string(),
                ],
                phone: None,
                whose: None,
                zone: Some(a.zone),
            })
        })
        .collect::<R<Vec<_>>>()?;
    Ok(Report {
        chart: Some(chart),
        ..Report::new(
            kind,
            lang.f("view.member_zones", &[&m.name]),
            vec![format!(
                "{} · {} · {} {}",
                m.name,
                lang.label("member_kind", m.kind.code()),
                m.phone,
                m.tags.join("、")
            )],
            vec![
                f("col.zone"),
                f("col.role"),
                f("col.since"),
                f("col.until"),
                f("col.open"),
            ],
            rows,
        )
    })
}
