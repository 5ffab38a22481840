//! Today: care visits due first (household, head, phone, care group, days
//! overdue), then follow-ups due, open problems, patrols due and households
//! not visited lately, for the member working (or everyone).

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
pub const LOADING: &str = "job.today";

pub fn load(w: &World) -> R<Report> {
    let s = w.store;
    let now = Ts::now();
    let lang = w.lang;
    let f = |k: &str| lang.t(k).to_string();
    let kind = ReportKind::Today;
    let td =
        report::today(s, now, w.me, w.config.visit_days(), w.config.patrol_days()).map_err(err)?;
    let mut rows = Vec::new();
    let care = gridbook_core::care::due(s, &w.lists.care, now, w.me).map_err(err)?;
    for c in &care {
        let groups: Vec<&str> = c
            .groups
            .iter()
            .map(|g| w.lists.care.label(g, lang))
            .collect();
        let call = caller::of(w, Some(c.household))?;
        rows.push(Row {
            id: c.household,
            kind: RowKind::Household,
            cells: vec![
                format!("{} [{}]", f("today.care"), groups.join("、")),
                c.address.clone(),
                if c.days_overdue > 0 {
                    gridbook_domain::when::days_overdue(lang, c.days_overdue)
                } else {
                    f("today.due")
                },
                call.cell,
                String::new(),
            ],
            phone: call.phone,
            whose: call.whose,
            zone: Some(c.household),
        });
    }
    for fu in &td.follow_ups {
        rows.push(household_row(
            w,
            &fu.household_id,
            vec![
                f("today.follow_up"),
                fu.household.clone(),
                if fu.overdue_days > 0 {
                    gridbook_domain::when::days_overdue(lang, fu.overdue_days)
                } else {
                    f("today.due")
                },
                fu.visit_note.clone(),
            ],
        )?);
    }
    for o in &td.open_problems {
        let zone = o.zone_id.parse().ok();
        let call = caller::of(w, zone)?;
        rows.push(Row {
            id: o.id.parse().unwrap_or_default(),
            kind: RowKind::Problem,
            cells: vec![
                format!(
                    "{} [{}]",
                    f("today.problem"),
                    gridbook_domain::describe::category_label(lang, &o.category)
                ),
                o.zone.clone(),
                gridbook_domain::when::days_ago(lang, o.age_days),
                call.cell,
                gridbook_domain::checklist::shown(lang, &o.description),
            ],
            phone: call.phone,
            whose: call.whose,
            zone,
        });
    }
    for st in &td.patrols_due {
        rows.push(zone_row(
            &st.id,
            RowKind::Building,
            vec![
                lang.f("today.patrol", &[&lang.label("patrol", &st.what)]),
                st.path.clone(),
                days(lang, st.days),
                String::new(),
                String::new(),
            ],
        ));
    }
    for st in &td.not_visited {
        rows.push(household_row(
            w,
            &st.id,
            vec![
                f("today.visit"),
                st.path.clone(),
                days(lang, st.days),
                String::new(),
            ],
        )?);
    }
    let who = match w.me {
        Some(me) => zoneview::member_name(s, me).map_err(err)?,
        None => f("today.everyone"),
    };
    Ok(Report::new(
        kind,
        f("view.today"),
        {
            use gridbook_core::report::counted;
            let mut lines = vec![lang.f(
                "wording.today_summary",
                &[
                    &who,
                    &counted(lang, "wording.follow_ups", td.follow_ups.len()),
                    &counted(lang, "wording.open_problems", td.open_problems.len()),
                    &counted(lang, "wording.patrols_due", td.patrols_due.len()),
                    &counted(lang, "wording.not_visited", td.not_visited.len()),
                ],
            )];
            if !care.is_empty() {
                lines.push(lang.f("today.care_summary", &[&care.len().to_string()]));
            }
            lines
        },
        vec![
            f("col.what"),
            f("col.zone"),
            f("col.when"),
            f("contacts.col_contact"),
            f("col.note"),
        ],
        rows,
    ))
}

/// A household's row with its caller put before the last cell (the note).
fn household_row(w: &World, id: &str, mut cells: Vec<String>) -> R<Row> {
    let mut row = zone_row(id, RowKind::Household, Vec::new());
    let call = caller::of(w, row.zone)?;
    let note = cells.pop().unwrap_or_default();
    cells.extend([call.cell, note]);
    row.cells = cells;
    row.phone = call.phone;
    row.whose = call.whose;
    Ok(row)
}
