//! Coverage: zones with nobody responsible, buildings not patrolled,
//! buildings and members with care visits due, and households not visited
//! lately (不留空白和死角), with a line per area; vacant households are listed
//! per building as vacant, never as not visited.

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
pub const LOADING: &str = "job.coverage";

pub fn load(w: &World) -> R<Report> {
    let s = w.store;
    let now = Ts::now();
    let lang = w.lang;
    let f = |k: &str| lang.t(k).to_string();
    let kind = ReportKind::Coverage;
    let only: Option<HashSet<Id>> = match (w.me, w.my_zones) {
        (Some(me), true) => {
            let mut set = HashSet::new();
            for (z, _) in report::zones_of(s, me, now).map_err(err)? {
                if let Some((_, area)) = s.ancestry(z).map_err(err)?.last() {
                    set.insert(*area);
                }
            }
            Some(set)
        }
        _ => None,
    };
    let c = report::coverage(s, now, w.config.visit_days(), only.as_ref(), &w.lists.care)
        .map_err(err)?;
    let care_cell = |cc: &report::CareCoverage| {
        lang.f(
            "coverage.care_cell",
            &[
                &cc.care_visited_on_time.to_string(),
                &cc.care_households.to_string(),
                &report::pct_cell(cc.care_pct, cc.care_households),
            ],
        )
    };
    let mut rows = Vec::new();
    for z in &c.uncovered {
        rows.push(zone_row(
            &z.id,
            RowKind::Zone,
            vec![
                f("cov.uncovered"),
                z.path.clone(),
                lang.t(&format!("kind.{}", z.kind)).to_string(),
                if z.households > 0 {
                    lang.f(
                        "coverage.inside",
                        &[&report::counted(lang, "coverage.households", z.households)],
                    )
                } else {
                    String::new()
                },
                String::new(),
            ],
        ));
    }
    for st in &c.not_patrolled {
        rows.push(zone_row(
            &st.id,
            RowKind::Zone,
            vec![
                lang.f("cov.not_patrolled", &[&lang.label("patrol", &st.what)]),
                st.path.clone(),
                f("kind.building"),
                days(lang, st.days),
                String::new(),
            ],
        ));
    }
    // Care visits due: each building, then each member, with some overdue.
    for a in &c.by_area {
        for b in &a.by_building {
            if b.care.care_visited_on_time < b.care.care_households {
                rows.push(zone_row(
                    &b.id,
                    RowKind::Zone,
                    vec![
                        f("coverage.care_gap"),
                        format!("{}/{}", a.name, b.name),
                        f("kind.building"),
                        care_cell(&b.care),
                    ],
                ));
            }
        }
    }
    for m in &c.by_member {
        if m.care.care_visited_on_time < m.care.care_households {
            let mut row = zone_row(
                &m.id,
                RowKind::Member,
                vec![
                    f("coverage.care_gap"),
                    m.name.clone(),
                    f("kind.member"),
                    care_cell(&m.care),
                ],
            );
            // Enter opens the member's zones, not a place.
            row.zone = None;
            rows.push(row);
        }
    }
    // Vacant households are no blank spot: one row per building, counted.
    for a in &c.by_area {
        for b in a.by_building.iter().filter(|b| b.vacant > 0) {
            rows.push(zone_row(
                &b.id,
                RowKind::Zone,
                vec![
                    f("coverage.vacant"),
                    format!("{}/{}", a.name, b.name),
                    f("kind.building"),
                    report::counted(lang, "coverage.households", b.vacant),
                ],
            ));
        }
    }
    for st in &c.not_visited {
        let mut row = zone_row(&st.id, RowKind::Household, Vec::new());
        let call = caller::of(w, row.zone)?;
        row.cells = vec![
            f("cov.not_visited"),
            st.path.clone(),
            f("kind.household"),
            days(lang, st.days),
            call.cell,
        ];
        row.phone = call.phone;
        row.whose = call.whose;
        rows.push(row);
    }
    let mut summary = vec![c.summary(lang)];
    for a in &c.by_area {
        summary.push(lang.f(
            "coverage.area_line",
            &[
                &a.name,
                a.covered_by.as_deref().unwrap_or("—"),
                &a.households.to_string(),
                &report::pct_cell(a.visited_pct, a.households - a.vacant),
                &a.vacant.to_string(),
                &a.rented.to_string(),
                &a.care.care_visited_on_time.to_string(),
                &a.care.care_households.to_string(),
                &report::pct_cell(a.care.care_pct, a.care.care_households),
                &report::pct_cell(a.hygiene_pct, a.buildings),
                &report::pct_cell(a.security_pct, a.buildings),
            ],
        ));
    }
    Ok(Report {
        chart: Some(
            crate::tui::charts::coverage(s, now, w.config.visit_days(), only.as_ref())
                .map_err(err)?,
        ),
        ..Report::new(
            kind,
            f("view.coverage"),
            summary,
            vec![
                f("col.gap"),
                f("col.zone"),
                f("col.kind"),
                f("col.last"),
                f("contacts.col_contact"),
            ],
            rows,
        )
    })
}
