//! One timeline entry in full: every field, who wrote it and when, and each
//! amendment as before → after. A problem or a step on one opens as the
//! problem's whole history instead, where the step keys work.

use super::prelude::*;
use gridbook_domain::checklist;
use gridbook_domain::describe::{category_label, hours};
use gridbook_domain::i18n::Lang;

pub const HINTS: &[Cmd] = &[Cmd::Back, Cmd::Edit, Cmd::Help, Cmd::Quit];

/// What the status line says while the entry loads.
pub const LOADING: &str = "lifecycle.loading_entry";

/// `event` as opened from the timeline of `from` (where `back` returns).
pub fn load(w: &World, event: Id, from: Id) -> R<Report> {
    let s = w.store;
    let lang = w.lang;
    let f = |k: &str| lang.t(k).to_string();
    let e = s.event(event).map_err(err)?.ok_or(UiError::Gone)?;
    // An amendment opens the entry it corrects.
    let e = match &e.body {
        EventBody::Amended { supersedes, .. } => {
            s.event(*supersedes).map_err(err)?.ok_or(UiError::Gone)?
        }
        _ => e,
    };
    let problem = match &e.body {
        EventBody::ProblemOpened(_) => Some(e.id),
        EventBody::ProblemStepped(ProblemSteppedBody { problem, .. }) => Some(*problem),
        _ => None,
    };
    if let Some(p) = problem {
        let mut r = super::problem_history::load(w, p)?;
        r.back = Some(ReportKind::Timeline(from));
        return Ok(r);
    }
    let names = zoneview::Namer::new(s);
    let name_of = |i: Id| names.name(i);
    let who = |b: Option<Id>| b.map(name_of).unwrap_or_else(|| "—".to_string());
    let here = zone_label(w, e.zone)?;
    let mut rows: Vec<Row> = Vec::new();
    let row = |field: String, value: String| Row {
        id: e.id,
        kind: RowKind::Event,
        cells: vec![field, value],
        phone: None,
        whose: None,
        zone: None,
    };
    rows.push(row(f("lifecycle.field.when"), e.at.display()));
    rows.push(row(f("lifecycle.field.by"), who(e.by)));
    rows.push(row(f("lifecycle.field.zone"), here.clone()));
    let mut current = e.body.clone();
    for (field, value) in fields(w, &current, &name_of) {
        rows.push(row(field, value));
    }
    // Amendments, oldest first, each with what it changed.
    let mut amendments: Vec<Event> = s
        .timeline(e.zone, usize::MAX)
        .map_err(err)?
        .into_iter()
        .filter(|a| matches!(&a.body, EventBody::Amended { supersedes, .. } if *supersedes == e.id))
        .collect();
    amendments.sort_by_key(|a| a.id);
    for a in &amendments {
        let EventBody::Amended {
            replacement,
            reason,
            ..
        } = &a.body
        else {
            continue;
        };
        // With no recorder the line says when and why, without a "—".
        let said = match a.by {
            Some(by) => lang.f(
                "lifecycle.amended_by",
                &[&a.at.display(), &name_of(by), reason],
            ),
            None => lang.f("lifecycle.amended_at", &[&a.at.display(), reason]),
        };
        rows.push(row(f("lifecycle.field.amended"), said));
        let after = replacement.body();
        let before_fields = fields(w, &current, &name_of);
        for (field, new) in fields(w, &after, &name_of) {
            let old = before_fields
                .iter()
                .find(|(n, _)| *n == field)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            if old != new {
                rows.push(row(format!("  {field}"), format!("{old} → {new}")));
            }
        }
        current = after;
    }
    let kind_word = lang.t(&format!("lifecycle.kind.{}", e.body.kind_code()));
    let summary = super::timeline::line(w, &current, &name_of);
    names.finish().map_err(err)?;
    Ok(Report {
        crumbs: here.split('/').map(str::to_string).collect(),
        back: Some(ReportKind::Timeline(from)),
        ..Report::new(
            ReportKind::Entry { event, from },
            lang.f("lifecycle.entry_title", &[kind_word]),
            vec![summary],
            vec![f("lifecycle.field.field"), f("lifecycle.field.value")],
            rows,
        )
    })
}

/// A person's name reads 姓名, a place's 名称.
fn name_key(kind: Kind) -> &'static str {
    match kind {
        Kind::Resident | Kind::Member => "form.name",
        Kind::Area | Kind::Building | Kind::Household => "form.place_name",
    }
}

/// An entry's own fields, as (label, value) in the UI's language.
fn fields(w: &World, body: &EventBody, name_of: &dyn Fn(Id) -> String) -> Vec<(String, String)> {
    let lang = w.lang;
    let f = |k: &str| lang.t(k).to_string();
    let mut out = Vec::new();
    match body {
        EventBody::Visit(VisitBody {
            member,
            purpose,
            note,
            follow_up,
            ..
        }) => {
            out.push((f("form.member"), name_of(*member)));
            out.push((f("form.purpose"), lang.label("purpose", purpose)));
            out.push((f("form.note"), note.clone()));
            out.push((
                f("form.follow_up"),
                follow_up.map(|d| d.to_string()).unwrap_or_default(),
            ));
        }
        EventBody::ProblemOpened(ProblemOpenedBody {
            category,
            description,
            reporter,
            urgency,
        }) => {
            out.push((f("form.category"), category_label(lang, category)));
            out.push((f("form.description"), checklist::shown(lang, description)));
            out.push((f("form.urgency"), lang.label("urgency", urgency.code())));
            let reporter = reporter.map(name_of).unwrap_or_default();
            out.push((f("form.reporter"), reporter));
        }
        EventBody::ProblemStepped(ProblemSteppedBody { step, note, .. }) => {
            out.push((
                f("form.step"),
                lang.t(&format!("step.{}", step.code())).to_string(),
            ));
            out.push((f("form.note"), checklist::shown(lang, note)));
        }
        EventBody::Patrol(PatrolBody { kind, items, note }) => {
            out.push((f("form.kind"), lang.label("patrol", kind.code())));
            for i in items {
                let mark = if i.ok {
                    "✓".to_string()
                } else {
                    format!("✗ {}", i.note)
                };
                out.push((checklist::label(lang, &i.item), mark.trim_end().to_string()));
            }
            out.push((f("form.note"), note.clone()));
        }
        EventBody::Assigned {
            member,
            role,
            since,
            until,
        } => {
            out.push((f("form.member"), name_of(*member)));
            out.push((f("form.role"), lang.label("role", role.code())));
            out.push((f("form.since"), since.display()));
            out.push((
                f("form.until"),
                until.map(|u| u.display()).unwrap_or_default(),
            ));
        }
        EventBody::AssignmentEnded { until, .. } => {
            out.push((f("form.until"), until.display()));
        }
        EventBody::Edited {
            kind,
            field,
            old,
            new,
            ..
        } => {
            let (field, old, new) = super::timeline::edit_labels(w, *kind, field, old, new);
            out.push((f("lifecycle.field.field"), field));
            out.push((f("lifecycle.field.before"), old));
            out.push((f("lifecycle.field.after"), new));
        }
        EventBody::Created { kind, label, .. } => {
            out.push((f("form.kind"), f(&format!("kind.{}", kind.code()))));
            out.push((f(name_key(*kind)), label.clone()));
        }
        EventBody::Tombstoned {
            target,
            kind,
            reason,
        } => {
            out.push((f(name_key(*kind)), name_of(*target)));
            out.push((f("form.reason"), reason.clone()));
        }
        EventBody::Moved { resident, from, to } => {
            out.push((f("form.name"), name_of(*resident)));
            out.push((f("lifecycle.field.before"), name_of(*from)));
            out.push((f("lifecycle.field.after"), name_of(*to)));
        }
        EventBody::Merged { from, into } => {
            out.push((f("lifecycle.field.before"), name_of(*from)));
            out.push((f("lifecycle.field.after"), name_of(*into)));
        }
        // Who it was is gone: only what happened.
        EventBody::Erased { kind, .. } => {
            out.push((f("form.kind"), f(&format!("kind.{}", kind.code()))));
        }
        EventBody::Activity(ActivityBody {
            kind,
            members,
            minutes,
            note,
        }) => {
            let kinds = gridbook_domain::vocab::shipped_activity_kinds();
            let sep = if lang == Lang::Zh { "、" } else { ", " };
            out.push((f("form.kind"), kinds.label(kind, lang).to_string()));
            out.push((
                f("lifecycle.field.members"),
                members
                    .iter()
                    .map(|m| name_of(*m))
                    .collect::<Vec<_>>()
                    .join(sep),
            ));
            out.push((f("lifecycle.field.hours"), hours(*minutes)));
            out.push((f("form.note"), note.clone()));
        }
        EventBody::Amended { replacement, .. } => return fields(w, &replacement.body(), name_of),
    }
    out
}
