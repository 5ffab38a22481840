//! A zone's timeline, newest first, with everything inside it; `f` filters
//! by kind, `e` amends an entry, `tab` returns to the list.

use super::prelude::*;
use gridbook_domain::i18n::Lang;

// `esc` (as `tab`) goes back to the list: `tab`'s own hint, "timeline",
// would say the opposite here.
pub const HINTS: &[Cmd] = &[
    Cmd::Open,
    Cmd::Back,
    Cmd::Filter,
    Cmd::Edit,
    Cmd::Help,
    Cmd::Quit,
];

/// Filters, by event kind; `f` cycles through them ("" is everything).
pub const FILTERS: [&str; 7] = [
    "", "visit", "problem", "patrol", "activity", "assign", "edited",
];

/// The filter a timeline entry belongs to (see `FILTERS`).
fn kind_tag(body: &EventBody) -> &'static str {
    match body {
        EventBody::Visit(_) => "visit",
        EventBody::ProblemOpened(_) | EventBody::ProblemStepped(_) => "problem",
        EventBody::Patrol(_) => "patrol",
        EventBody::Activity(_) => "activity",
        EventBody::Assigned { .. } | EventBody::AssignmentEnded { .. } => "assign",
        EventBody::Edited { .. }
        | EventBody::Created { .. }
        | EventBody::Tombstoned { .. }
        | EventBody::Moved { .. }
        | EventBody::Merged { .. }
        | EventBody::Erased { .. } => "edited",
        EventBody::Amended { replacement, .. } => kind_tag(&replacement.body()),
    }
}

/// Shows the rows whose kind matches the current filter; the title and
/// the summary say which kind and how many of all the entries that is.
pub fn apply_filter(r: &mut Report, lang: Lang) {
    let f = FILTERS[r.filter % FILTERS.len()];
    r.rows = r
        .all
        .iter()
        .filter(|(_, tag)| tag.starts_with(f))
        .map(|(row, _)| row.clone())
        .collect();
    r.sel = r.sel.min(r.rows.len().saturating_sub(1));
    let here = r.crumbs.join("/");
    let total = gridbook_core::report::counted(lang, "wording.entries", r.all.len());
    if f.is_empty() {
        r.title = lang.f("view.timeline", &[&here]);
        r.summary = vec![lang.f("wording.timeline_summary", &[&total])];
    } else {
        let kind = lang.t(&format!("filter.{f}"));
        r.title = lang.f("view.timeline_only", &[&here, kind]);
        r.summary = vec![lang.f(
            "wording.timeline_only_summary",
            &[kind, &r.rows.len().to_string(), &total],
        )];
    }
}

/// Whether a filter by kind is on (the title names it).
pub fn filtered(r: &Report) -> bool {
    !FILTERS[r.filter % FILTERS.len()].is_empty()
}

/// `f`: the next filter; answers the status line's text.
pub fn next_filter(r: &mut Report, lang: Lang) -> String {
    r.filter = (r.filter + 1) % FILTERS.len();
    apply_filter(r, lang);
    let name = FILTERS[r.filter];
    let label = if name.is_empty() {
        lang.t("filter.all").to_string()
    } else {
        lang.t(&format!("filter.{name}")).to_string()
    };
    lang.f("tui.filtered", &[&label])
}

/// An edit's field and its values as the record forms label them, in the
/// UI's language, care groups by the user's list
/// ([`gridbook_domain::describe::edit`]).
pub fn edit_labels(
    w: &World,
    kind: Kind,
    field: &str,
    old: &str,
    new: &str,
) -> (String, String, String) {
    gridbook_domain::describe::edit(w.lang, kind, field, old, new, &w.lists.care)
}

/// An entry in one line of the UI's language; edits with their labels.
pub fn line(w: &World, body: &EventBody, name_of: &dyn Fn(Id) -> String) -> String {
    gridbook_domain::describe::event_with(w.lang, body, name_of, &w.lists.care)
}

/// What the status line says while the report loads.
pub const LOADING: &str = "job.timeline";

pub fn load(w: &World, zone: Id) -> R<Report> {
    let s = w.store;
    let lang = w.lang;
    let f = |k: &str| lang.t(k).to_string();
    let kind = ReportKind::Timeline(zone);
    let events = s.timeline(zone, 500).map_err(err)?;
    let amended: HashSet<Id> = events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Amended { supersedes, .. } => Some(*supersedes),
            _ => None,
        })
        .collect();
    let names = zoneview::Namer::new(s);
    let name_of = |i: Id| names.name(i);
    let here = zone_label(w, zone)?;
    let all: Vec<(Row, &'static str)> = events
        .iter()
        .map(|e| -> R<(Row, &'static str)> {
            let mut text = line(w, &e.body, &name_of);
            if amended.contains(&e.id) {
                text = format!("{} {text}", f("tui.amended_mark"));
            }
            let path = zone_label(w, e.zone)?;
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
                    e.by.map(name_of).unwrap_or_default(),
                ],
                phone: None,
                whose: None,
                zone: Some(e.zone),
            };
            Ok((row, tag))
        })
        .collect::<R<_>>()?;
    names.finish().map_err(err)?;
    let mut r = Report {
        all,
        crumbs: here.split('/').map(str::to_string).collect(),
        ..Report::new(
            kind,
            String::new(),
            vec![],
            vec![
                f("col.when"),
                f("col.kind"),
                f("col.what"),
                f("col.where"),
                f("col.by"),
            ],
            vec![],
        )
    };
    // The title and summary are the filter's.
    apply_filter(&mut r, lang);
    Ok(r)
}
