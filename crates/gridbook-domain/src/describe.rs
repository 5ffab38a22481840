//! One line of text for a timeline entry, in the UI's language.

use crate::i18n::Lang;
use crate::model::*;

/// Describes an event; `name_of` turns member and record ids into names.
pub fn event(lang: Lang, body: &EventBody, name_of: &dyn Fn(Id) -> String) -> String {
    match body {
        EventBody::Assigned { member, role, .. } => lang.f(
            "event.assigned",
            &[&name_of(*member), &lang.label("role", role.code())],
        ),
        EventBody::AssignmentEnded { .. } => lang.t("event.assignment-ended").to_string(),
        EventBody::Visit(VisitBody {
            member,
            purpose,
            note,
            follow_up,
            ..
        }) => {
            let mut s = lang.f(
                "event.visit",
                &[&name_of(*member), &lang.label("purpose", purpose)],
            );
            if !note.is_empty() {
                s.push_str(" — ");
                s.push_str(note);
            }
            if let Some(d) = follow_up {
                s.push_str(" · ");
                s.push_str(&lang.f("event.follow_up", &[&d.to_string()]));
            }
            s
        }
        EventBody::ProblemOpened(ProblemOpenedBody {
            category,
            description,
            urgency,
            ..
        }) => {
            let mut s = lang.f(
                "event.problem",
                &[
                    &category_label(lang, category),
                    &crate::checklist::shown(lang, description),
                ],
            );
            if *urgency == Urgency::High {
                s.push_str(" !");
            }
            s
        }
        EventBody::ProblemStepped(ProblemSteppedBody { step, note, .. }) => {
            // A patrol that found an item still failing adds a step to its problem.
            let note = match crate::checklist::Finding::parse(note) {
                Some(f) => lang.f("lifecycle.still_failing", &[&f.show(lang)]),
                None => note.clone(),
            };
            lang.f(&format!("event.problem-{}", step.code()), &[&note])
        }
        EventBody::Moved { resident, from, to } => lang.f(
            "movemerge.event.moved",
            &[&name_of(*resident), &name_of(*from), &name_of(*to)],
        ),
        EventBody::Merged { from, into } => lang.f(
            "movemerge.event.merged",
            &[&name_of(*from), &name_of(*into)],
        ),
        // Never the name: the person is gone from every record.
        EventBody::Erased { .. } => lang.t("erasesync.event").to_string(),
        EventBody::Activity(ActivityBody {
            kind,
            members,
            minutes,
            note,
        }) => {
            let kinds = crate::vocab::shipped_activity_kinds();
            let who = members.iter().map(|m| name_of(*m)).collect::<Vec<_>>();
            let sep = if lang == Lang::Zh { "、" } else { ", " };
            let mut s = lang.f(
                "event.activity",
                &[kinds.label(kind, lang), &hours(*minutes), &who.join(sep)],
            );
            if !note.is_empty() {
                s.push_str(" — ");
                s.push_str(note);
            }
            s
        }
        EventBody::Patrol(PatrolBody { kind, items, note }) => {
            let ok = items.iter().filter(|i| i.ok).count();
            let mut s = lang.f(
                "event.patrol",
                &[
                    &lang.label("patrol", kind.code()),
                    &ok.to_string(),
                    &items.len().to_string(),
                ],
            );
            for i in items.iter().filter(|i| !i.ok) {
                s.push_str(" ✗ ");
                s.push_str(&check_item(lang, i));
            }
            if !note.is_empty() {
                s.push_str(" — ");
                s.push_str(note);
            }
            s
        }
        EventBody::Edited {
            field, old, new, ..
        } => lang.f("event.edited", &[field, old, new]),
        EventBody::Created { kind, label, .. } => lang.f(
            "event.created",
            &[lang.t(&format!("kind.{}", kind.code())), label],
        ),
        EventBody::Tombstoned { target, reason, .. } => {
            lang.f("event.deleted", &[&name_of(*target), reason])
        }
        EventBody::Amended {
            replacement,
            reason,
            ..
        } => lang.f(
            "event.amended",
            &[reason, &event(lang, &replacement.body(), name_of)],
        ),
    }
}

/// A problem category's label; a patrol's problems carry the patrol kind
/// (`security`) as their category and read as it.
pub fn category_label(lang: Lang, code: &str) -> String {
    let key = format!("category.{code}");
    if lang.t(&key) != key {
        return lang.label("category", code);
    }
    lang.label("patrol", code)
}

/// A checklist result as a line shows it: the item's label in `lang` (or
/// the text stored before items had keys) and the worker's note.
pub fn check_item(lang: Lang, i: &CheckResult) -> String {
    crate::checklist::Finding {
        key: i.item.clone(),
        note: i.note.clone(),
    }
    .show(lang)
}

/// `2`, `1.5`, `0.25` hours from minutes: no trailing zeros.
pub fn hours(minutes: u32) -> String {
    let h = minutes as f64 / 60.0;
    let s = format!("{h:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
