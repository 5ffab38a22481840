//! Open problems, oldest first by default; `R` shows those resolved in the
//! last 30 days too (to reopen or comment on them); a row opens its history.
//! With "my zones" (`m`) only the problems in the zones I look after (and
//! inside them) are listed and counted.

use super::prelude::*;
use gridbook_domain::checklist;
use gridbook_domain::describe::category_label;

pub const HINTS: &[Cmd] = &[
    Cmd::Open,
    Cmd::Back,
    Cmd::ShowResolved,
    Cmd::Sort,
    Cmd::CopyPhone,
    Cmd::Help,
    Cmd::Quit,
];

/// What the status line says while the report loads.
pub const LOADING: &str = "job.problems";

/// How far back resolved problems are listed: the summary's period.
const DAYS: i64 = 30;

/// Whether resolved problems are shown beside the open ones (`R`).
pub fn shows_resolved(r: &Report) -> bool {
    r.filter % 2 == 1
}

/// Shows the open rows, or every row once resolved ones are asked for.
pub fn apply_filter(r: &mut Report) {
    let all = shows_resolved(r);
    r.rows = r
        .all
        .iter()
        .filter(|(_, tag)| all || *tag == "open")
        .map(|(row, _)| row.clone())
        .collect();
    r.sel = r.sel.min(r.rows.len().saturating_sub(1));
}

/// `R`: resolved problems shown or hidden; answers the status line's text.
pub fn toggle_resolved(r: &mut Report, lang: gridbook_domain::i18n::Lang) -> String {
    r.filter = (r.filter + 1) % 2;
    apply_filter(r);
    r.title = if r.filter == 1 {
        lang.f("lifecycle.problems_with_resolved", &[&DAYS.to_string()])
    } else {
        lang.t("view.problems").to_string()
    };
    if r.filter == 1 {
        lang.f("lifecycle.showing_resolved", &[&DAYS.to_string()])
    } else {
        lang.t("lifecycle.showing_open").to_string()
    }
}

pub fn load(w: &World) -> R<Report> {
    let s = w.store;
    let now = Ts::now();
    let lang = w.lang;
    let f = |k: &str| lang.t(k).to_string();
    let kind = ReportKind::Problems;
    // "My zones" (`m`): the problems in the zones I look after and inside them.
    let mine: Option<Vec<Id>> = match (w.me, w.my_zones) {
        (Some(me), true) => Some(
            report::zones_of(s, me, now)
                .map_err(err)?
                .into_iter()
                .map(|(z, _)| z)
                .collect(),
        ),
        _ => None,
    };
    let p = report::problems(s, now, DAYS, mine.as_deref()).map_err(err)?;
    let mut all: Vec<(Row, &'static str)> = p
        .open
        .iter()
        .map(|o| {
            let id: Id = o.id.parse().unwrap_or_default();
            let zone = o.zone_id.parse().ok();
            let call = caller::of(w, zone)?;
            let row = Row {
                id,
                kind: RowKind::Problem,
                cells: vec![
                    o.age_days.to_string(),
                    category_cell(lang, &o.category, &o.urgency),
                    // Where and whom to call before the description: on a
                    // narrow screen the description is what gets cut.
                    o.zone.clone(),
                    call.cell,
                    checklist::shown(lang, &o.description),
                    o.last_note
                        .as_deref()
                        .map(|n| checklist::shown(lang, n))
                        .unwrap_or_default(),
                ],
                phone: call.phone,
                whose: call.whose,
                zone,
            };
            Ok((row, "open"))
        })
        .collect::<R<Vec<_>>>()?;
    let since = now.minus_days(DAYS);
    for (e, _resolved_at) in gridbook_core::lifecycle::resolved_since(s, since).map_err(err)? {
        let EventBody::ProblemOpened(ProblemOpenedBody {
            category,
            description,
            urgency,
            ..
        }) = &e.body
        else {
            continue;
        };
        if let Some(zones) = &mine {
            let inside = s
                .ancestry(e.zone)
                .map_err(err)?
                .iter()
                .any(|(_, a)| zones.contains(a));
            if !inside {
                continue;
            }
        }
        let call = caller::of(w, Some(e.zone))?;
        let row = Row {
            id: e.id,
            kind: RowKind::Problem,
            cells: vec![
                e.at.days_before(now).to_string(),
                category_cell(lang, category, urgency.code()),
                zone_label(w, e.zone)?,
                call.cell,
                format!(
                    "{} {}",
                    f("lifecycle.resolved_mark"),
                    checklist::shown(lang, description)
                ),
                last_note(w, &e)?.unwrap_or_default(),
            ],
            phone: call.phone,
            whose: call.whose,
            zone: Some(e.zone),
        };
        all.push((row, "resolved"));
    }
    let mut summary = vec![lang.f(
        "wording.prob_summary",
        &[
            &gridbook_core::report::counted(lang, "wording.open_problems", p.open.len()),
            &p.opened_in_period.to_string(),
            &p.resolved_in_period.to_string(),
            &p.days.to_string(),
        ],
    )];
    if mine.is_some() {
        summary.push(f("officeui.problems_mine"));
    }
    // The chart counts what the list shows: my zones when narrowed.
    let chart = match &mine {
        Some(zones) => crate::tui::charts::Chart::Ages(
            gridbook_core::trends::problem_ages(s, now, Some(&zones.iter().copied().collect()))
                .map_err(err)?,
        ),
        None => crate::tui::charts::problem_ages(s, now).map_err(err)?,
    };
    let mut r = Report {
        all,
        chart: Some(chart),
        ..Report::new(
            kind,
            f("view.problems"),
            summary,
            vec![
                f("col.age_days"),
                f("col.category"),
                f("col.zone"),
                f("contacts.col_contact"),
                f("col.description"),
                f("col.last_note"),
            ],
            vec![],
        )
    };
    apply_filter(&mut r);
    Ok(r)
}

/// A problem's category, marked `!` when it is urgent, as the side pane
/// and timelines mark it: a column of its own for the urgency cut the
/// latest note to `…` at 80 and 100 columns.
fn category_cell(lang: gridbook_domain::i18n::Lang, category: &str, urgency: &str) -> String {
    let label = category_label(lang, category);
    if urgency == Urgency::High.code() {
        format!("{label} !")
    } else {
        label
    }
}

/// The newest step's note on a problem, as shown.
fn last_note(w: &World, opened: &Event) -> R<Option<String>> {
    let steps = w.store.timeline(opened.zone, usize::MAX).map_err(err)?;
    Ok(steps.iter().find_map(|e| match &e.body {
        EventBody::ProblemStepped(ProblemSteppedBody { problem, note, .. })
            if *problem == opened.id =>
        {
            Some(checklist::shown(w.lang, note))
        }
        _ => None,
    }))
}
