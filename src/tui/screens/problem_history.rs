//! One problem from report to now, with its age; `r` adds a step (resolve,
//! progress and comment while open; reopen and comment once resolved).

use super::prelude::*;

pub const HINTS: &[Cmd] = &[
    Cmd::Resolve,
    Cmd::Open,
    Cmd::Back,
    Cmd::Edit,
    Cmd::Help,
    Cmd::Quit,
];

/// What the status line says while the report loads.
pub const LOADING: &str = "job.problem_history";

pub fn load(w: &World, problem: Id) -> R<Report> {
    let s = w.store;
    let now = Ts::now();
    let lang = w.lang;
    let f = |k: &str| lang.t(k).to_string();
    let kind = ReportKind::ProblemHistory(problem);
    let opened = s.event(problem).map_err(err)?.ok_or(UiError::Gone)?;
    let EventBody::ProblemOpened(_) = &opened.body else {
        return Err(UiError::Gone);
    };
    let open = s.is_problem_open(problem).map_err(err)?;
    let names = zoneview::Namer::new(s);
    let name_of = |i: Id| names.name(i);
    let mut steps: Vec<Event> = s
        .timeline(opened.zone, usize::MAX)
        .map_err(err)?
        .into_iter()
        .filter(|e| match &e.body {
            EventBody::ProblemStepped(ProblemSteppedBody { problem: p, .. }) => *p == problem,
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
                e.by.map(name_of).unwrap_or_default(),
            ],
            phone: None,
            whose: None,
            zone: Some(e.zone),
        })
        .collect();
    names.finish().map_err(err)?;
    let state = if open {
        f("problem.open")
    } else {
        f("problem.resolved")
    };
    Ok(Report {
        crumbs: zone_label(w, opened.zone)?
            .split('/')
            .map(str::to_string)
            .collect(),
        ..Report::new(
            kind,
            f("view.problem"),
            vec![lang.f(
                "wording.problem_summary",
                &[
                    &zone_label(w, opened.zone)?,
                    &state,
                    &gridbook_domain::when::days_ago(lang, opened.at.days_before(now)),
                ],
            )],
            vec![f("col.when"), f("col.what"), f("col.by")],
            rows,
        )
    })
}
