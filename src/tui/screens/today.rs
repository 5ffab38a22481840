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
        let mut contact = c.head.clone().unwrap_or_default();
        if let Some(p) = &c.phone {
            contact = format!("{contact} {p}");
            if let Some(of) = &c.phone_of {
                contact = format!("{contact} ({of})");
            }
        }
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
                contact.trim().to_string(),
            ],
            phone: c.phone.clone(),
            zone: Some(c.household),
        });
    }
    for fu in &td.follow_ups {
        rows.push(zone_row(
            &fu.household_id,
            RowKind::Household,
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
        ));
    }
    for o in &td.open_problems {
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
                gridbook_domain::checklist::shown(lang, &o.description),
            ],
            phone: None,
            zone: o.zone_id.parse().ok(),
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
            ],
        ));
    }
    for st in &td.not_visited {
        rows.push(zone_row(
            &st.id,
            RowKind::Household,
            vec![
                f("today.visit"),
                st.path.clone(),
                days(lang, st.days),
                String::new(),
            ],
        ));
    }
    let who = match w.me {
        Some(me) => zoneview::member_name(s, me),
        None => f("today.everyone"),
    };
    Ok(Report {
        kind,
        title: f("view.today"),
        summary: {
            let mut lines = vec![lang.f(
                "today.summary",
                &[
                    &who,
                    &td.follow_ups.len().to_string(),
                    &td.open_problems.len().to_string(),
                    &td.patrols_due.len().to_string(),
                    &td.not_visited.len().to_string(),
                ],
            )];
            if !care.is_empty() {
                lines.push(lang.f("today.care_summary", &[&care.len().to_string()]));
            }
            lines
        },
        columns: vec![f("col.what"), f("col.zone"), f("col.when"), f("col.note")],
        rows,
        sel: 0,
        sort: 0,
        all: vec![],
        filter: 0,
        chart: None,
        crumbs: vec![],
        back: None,
    })
}
