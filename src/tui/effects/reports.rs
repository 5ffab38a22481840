//! The report views: today, members, problems, coverage, a zone's timeline,
//! a member's zones and a problem's history.

use super::*;

/// The filter a timeline entry belongs to (see `TIMELINE_FILTERS`).
fn kind_tag(body: &EventBody) -> &'static str {
    match body {
        EventBody::Visit { .. } => "visit",
        EventBody::ProblemOpened { .. } | EventBody::ProblemStepped { .. } => "problem",
        EventBody::Patrol { .. } => "patrol",
        EventBody::Assigned { .. } | EventBody::AssignmentEnded { .. } => "assign",
        EventBody::Edited { .. } | EventBody::Created { .. } | EventBody::Tombstoned { .. } => {
            "edited"
        }
        EventBody::Amended { replacement, .. } => kind_tag(&replacement.body()),
    }
}

pub(crate) fn report_view(w: &World, kind: ReportKind) -> R<Vec<Msg>> {
    let s = w.store;
    let now = Ts::now();
    let lang = w.lang;
    let f = |k: &str| lang.t(k).to_string();
    let zone_row = |id: &str, kind: RowKind, cells: Vec<String>| -> Row {
        let id: Id = id.parse().unwrap_or_default();
        Row {
            id,
            kind,
            cells,
            phone: None,
            zone: Some(id),
        }
    };
    let days = |d: Option<i64>| {
        d.map_or_else(
            || f("show.never"),
            |d| lang.f("show.days_ago", &[&d.to_string()]),
        )
    };
    let report = match kind {
        ReportKind::Coverage => {
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
            let c = report::coverage(s, now, w.config.visit_days(), only.as_ref()).map_err(err)?;
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
                            lang.f("cov.households_inside", &[&z.households.to_string()])
                        } else {
                            String::new()
                        },
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
                        days(st.days),
                    ],
                ));
            }
            for st in &c.not_visited {
                rows.push(zone_row(
                    &st.id,
                    RowKind::Household,
                    vec![
                        f("cov.not_visited"),
                        st.path.clone(),
                        f("kind.household"),
                        days(st.days),
                    ],
                ));
            }
            let mut summary = vec![c.summary(lang)];
            for a in &c.by_area {
                summary.push(lang.f(
                    "cov.area_line",
                    &[
                        &a.name,
                        a.covered_by.as_deref().unwrap_or("—"),
                        &a.households.to_string(),
                        &format!("{:.1}", a.visited_pct),
                        &format!("{:.1}", a.hygiene_pct),
                        &format!("{:.1}", a.security_pct),
                    ],
                ));
            }
            Report {
                kind,
                title: f("view.coverage"),
                summary,
                columns: vec![f("col.gap"), f("col.zone"), f("col.kind"), f("col.last")],
                rows,
                sel: 0,
                sort: 0,
                all: vec![],
                filter: 0,
            }
        }
        ReportKind::Problems => {
            let p = report::problems(s, now, 30, None).map_err(err)?;
            let rows = p
                .open
                .iter()
                .map(|o| {
                    let id: Id = o.id.parse().unwrap_or_default();
                    Row {
                        id,
                        kind: RowKind::Problem,
                        cells: vec![
                            o.age_days.to_string(),
                            lang.label("category", &o.category),
                            o.description.clone(),
                            o.zone.clone(),
                            lang.label("urgency", &o.urgency),
                            o.last_note.clone().unwrap_or_default(),
                        ],
                        phone: None,
                        zone: o.zone_id.parse().ok(),
                    }
                })
                .collect();
            Report {
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
                    f("col.description"),
                    f("col.zone"),
                    f("col.urgency"),
                    f("col.last_note"),
                ],
                rows,
                sel: 0,
                sort: 0,
                all: vec![],
                filter: 0,
            }
        }
        ReportKind::Members => {
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
                    phone: Some(m.phone.clone()),
                    zone: None,
                })
                .collect();
            Report {
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
            }
        }
        ReportKind::Timeline(zone) => {
            let events = s.timeline(zone, 500).map_err(err)?;
            let amended: HashSet<Id> = events
                .iter()
                .filter_map(|e| match &e.body {
                    EventBody::Amended { supersedes, .. } => Some(*supersedes),
                    _ => None,
                })
                .collect();
            let name_of = |i: Id| zoneview::member_name(s, i);
            let here = zone_label(w, zone)?;
            let all: Vec<(Row, &'static str)> = events
                .iter()
                .map(|e| {
                    let mut text = gridbook_domain::describe::event(lang, &e.body, &name_of);
                    if amended.contains(&e.id) {
                        text = format!("{} {text}", f("tui.amended_mark"));
                    }
                    let path = zone_label(w, e.zone).unwrap_or_default();
                    let tag = match &e.body {
                        EventBody::Amended { replacement, .. } => kind_tag(&replacement.body()),
                        other => kind_tag(other),
                    };
                    let row = Row {
                        id: e.id,
                        kind: RowKind::Event,
                        cells: vec![
                            e.at.display(),
                            lang.t(&format!("filter.{tag}")).to_string(),
                            text,
                            path.strip_prefix(&here)
                                .unwrap_or(&path)
                                .trim_start_matches('/')
                                .to_string(),
                            e.by.map(|b| zoneview::member_name(s, b))
                                .unwrap_or_default(),
                        ],
                        phone: None,
                        zone: Some(e.zone),
                    };
                    (row, tag)
                })
                .collect();
            let mut r = Report {
                kind,
                title: lang.f("view.timeline", &[&here]),
                summary: vec![lang.f("timeline.summary", &[&all.len().to_string()])],
                columns: vec![
                    f("col.when"),
                    f("col.kind"),
                    f("col.what"),
                    f("col.where"),
                    f("col.by"),
                ],
                rows: vec![],
                sel: 0,
                sort: 0,
                all,
                filter: 0,
            };
            r.apply_filter();
            r
        }
        ReportKind::ProblemHistory(problem) => {
            let opened = s
                .event(problem)
                .map_err(err)?
                .ok_or_else(|| f("tui.gone"))?;
            let EventBody::ProblemOpened { .. } = &opened.body else {
                return Err(f("tui.gone"));
            };
            let open = s.is_problem_open(problem).map_err(err)?;
            let name_of = |i: Id| zoneview::member_name(s, i);
            let mut steps: Vec<Event> = s
                .timeline(opened.zone, usize::MAX)
                .map_err(err)?
                .into_iter()
                .filter(|e| match &e.body {
                    EventBody::ProblemStepped { problem: p, .. } => *p == problem,
                    EventBody::Amended { supersedes, .. } => *supersedes == problem,
                    _ => false,
                })
                .collect();
            steps.push(opened.clone());
            steps.sort_by_key(|e| e.id);
            let rows = steps
                .iter()
                .map(|e| Row {
                    id: e.id,
                    kind: RowKind::Event,
                    cells: vec![
                        e.at.display(),
                        gridbook_domain::describe::event(lang, &e.body, &name_of),
                        e.by.map(|b| zoneview::member_name(s, b))
                            .unwrap_or_default(),
                    ],
                    phone: None,
                    zone: Some(e.zone),
                })
                .collect();
            let state = if open {
                f("problem.open")
            } else {
                f("problem.resolved")
            };
            Report {
                kind,
                title: f("view.problem"),
                summary: vec![lang.f(
                    "problem.summary",
                    &[
                        &zone_label(w, opened.zone)?,
                        &state,
                        &opened.at.days_before(now).to_string(),
                    ],
                )],
                columns: vec![f("col.when"), f("col.what"), f("col.by")],
                rows,
                sel: 0,
                sort: 0,
                all: vec![],
                filter: 0,
            }
        }
        ReportKind::MemberZones(member) => {
            let m = s
                .member(member)
                .map_err(err)?
                .ok_or_else(|| f("tui.gone"))?;
            let mut spans = s.assignments_of_member(member).map_err(err)?;
            spans.sort_by_key(|a| std::cmp::Reverse(a.since));
            let rows = spans
                .iter()
                .map(|a| Row {
                    id: a.zone,
                    kind: RowKind::Zone,
                    cells: vec![
                        zone_label(w, a.zone).unwrap_or_default(),
                        lang.label("role", a.role.code()),
                        a.since.date().to_string(),
                        match a.until {
                            Some(u) => u.date().to_string(),
                            None => f("tui.active"),
                        },
                        s.open_problem_count(a.zone).to_string(),
                    ],
                    phone: None,
                    zone: Some(a.zone),
                })
                .collect();
            Report {
                kind,
                title: lang.f("view.member_zones", &[&m.name]),
                summary: vec![format!(
                    "{} · {} · {} {}",
                    m.name,
                    lang.label("member_kind", m.kind.code()),
                    m.phone,
                    m.tags.join("、")
                )],
                columns: vec![
                    f("col.zone"),
                    f("col.role"),
                    f("col.since"),
                    f("col.until"),
                    f("col.open"),
                ],
                rows,
                sel: 0,
                sort: 0,
                all: vec![],
                filter: 0,
            }
        }
        ReportKind::Today => {
            let td = report::today(s, now, w.me, w.config.visit_days(), w.config.patrol_days())
                .map_err(err)?;
            let mut rows = Vec::new();
            for fu in &td.follow_ups {
                rows.push(zone_row(
                    &fu.household_id,
                    RowKind::Household,
                    vec![
                        f("today.follow_up"),
                        fu.household.clone(),
                        if fu.overdue_days > 0 {
                            lang.f("today.overdue", &[&fu.overdue_days.to_string()])
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
                            lang.label("category", &o.category)
                        ),
                        o.zone.clone(),
                        lang.f("show.days_ago", &[&o.age_days.to_string()]),
                        o.description.clone(),
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
                        days(st.days),
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
                        days(st.days),
                        String::new(),
                    ],
                ));
            }
            let who = match w.me {
                Some(me) => zoneview::member_name(s, me),
                None => f("today.everyone"),
            };
            Report {
                kind,
                title: f("view.today"),
                summary: vec![lang.f(
                    "today.summary",
                    &[
                        &who,
                        &td.follow_ups.len().to_string(),
                        &td.open_problems.len().to_string(),
                        &td.patrols_due.len().to_string(),
                        &td.not_visited.len().to_string(),
                    ],
                )],
                columns: vec![f("col.what"), f("col.zone"), f("col.when"), f("col.note")],
                rows,
                sel: 0,
                sort: 0,
                all: vec![],
                filter: 0,
            }
        }
    };
    Ok(vec![Msg::Report(report)])
}
