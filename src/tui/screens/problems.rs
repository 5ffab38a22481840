//! Open problems, oldest first by default; a row opens its history.

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
pub const LOADING: &str = "job.problems";

pub fn load(w: &World) -> R<Report> {
    let s = w.store;
    let now = Ts::now();
    let lang = w.lang;
    let f = |k: &str| lang.t(k).to_string();
    let kind = ReportKind::Problems;
    let p = report::problems(s, now, 30, None).map_err(err)?;
    let rows = p
        .open
        .iter()
        .map(|o| {
            let id: Id = o.id.parse().unwrap_or_default();
            let zone = o.zone_id.parse().ok();
            let call = caller::of(w, zone)?;
            Ok(Row {
                id,
                kind: RowKind::Problem,
                cells: vec![
                    o.age_days.to_string(),
                    lang.label("category", &o.category),
                    // Where and whom to call before the description: on a
                    // narrow screen the description is what gets cut.
                    o.zone.clone(),
                    call.cell,
                    o.description.clone(),
                    lang.label("urgency", &o.urgency),
                    o.last_note.clone().unwrap_or_default(),
                ],
                phone: call.phone,
                whose: call.whose,
                zone,
            })
        })
        .collect::<R<Vec<Row>>>()?;
    Ok(Report {
        kind,
        title: f("view.problems"),
        summary: vec![lang.f(
            "prob.summary",
            &[
                &p.open.len().to_string(),
                &p.opened_in_period.to_string(),
                &p.resolved_in_period.to_string(),
                &p.days.to_string(),
            ],
        )],
        columns: vec![
            f("col.age_days"),
            f("col.category"),
            f("col.zone"),
            f("contacts.col_contact"),
            f("col.description"),
            f("col.urgency"),
            f("col.last_note"),
        ],
        rows,
        sel: 0,
        sort: 0,
        all: vec![],
        filter: 0,
    })
}
