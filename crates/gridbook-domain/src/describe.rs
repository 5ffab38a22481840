//! One line of text for a timeline entry, in the UI's language.

use crate::i18n::Lang;
use crate::model::*;
use crate::vocab::Vocabulary;

/// Describes an event; `name_of` turns member and record ids into names.
/// Care groups in an edit read by the shipped list ([`event_with`] takes
/// the user's).
pub fn event(lang: Lang, body: &EventBody, name_of: &dyn Fn(Id) -> String) -> String {
    event_with(lang, body, name_of, crate::vocab::care::shipped())
}

/// [`event`] with the care-group list the user has (`care.toml`), which
/// names the groups in an edit of a resident's care groups.
pub fn event_with(
    lang: Lang,
    body: &EventBody,
    name_of: &dyn Fn(Id) -> String,
    care: &Vocabulary,
) -> String {
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
        EventBody::ProblemStepped(ProblemSteppedBody { step, note, .. }) => lang.f(
            &format!("event.problem-{}", step.code()),
            &[&step_note(lang, note)],
        ),
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
            kind,
            field,
            old,
            new,
            ..
        } => {
            let (field, old, new) = edit(lang, *kind, field, old, new, care);
            lang.f("event.edited", &[&field, &old, &new])
        }
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
            &[
                reason,
                &event_with(lang, &replacement.body(), name_of, care),
            ],
        ),
    }
}

/// A problem step's note as a line shows it: a patrol that found an item
/// still failing adds a step to its problem, stored as the item's key.
pub fn step_note(lang: Lang, note: &str) -> String {
    match crate::checklist::Finding::parse(note) {
        Some(f) => lang.f("lifecycle.still_failing", &[&f.show(lang)]),
        None => note.to_string(),
    }
}

/// An edit's field and its values as the record forms label them, in
/// `lang`: a household's `status` `owner` → `rented` reads 居住状态 自住 →
/// 出租, a resident's `phones` reads 电话, care-group codes read as the
/// groups' names; an empty value reads as such. Never the stored field name
/// where a label exists.
pub fn edit(
    lang: Lang,
    kind: Kind,
    field: &str,
    old: &str,
    new: &str,
    care: &Vocabulary,
) -> (String, String, String) {
    let label = match (kind, field) {
        (Kind::Resident | Kind::Member, "name") => lang.t("form.name").to_string(),
        (_, "name") => lang.t("form.place_name").to_string(),
        (Kind::Household, "status") => lang.t("form.status").to_string(),
        (Kind::Resident, "status") => lang.t("office.field.status").to_string(),
        // One word for the field, as the roster's column and the forms say.
        (_, "phones") => lang.t("office.field.phones").to_string(),
        _ => lang.label("merge.field", field),
    };
    let sep = lang.t("wording.terms");
    let value = |v: &str| -> String {
        if v.trim().is_empty() {
            return lang.t("merge.empty").to_string();
        }
        match (kind, field) {
            (Kind::Household, "status") => lang.label("occupancy", v),
            (Kind::Resident, "status") => lang.label("office.status", v),
            (Kind::Member, "kind") => lang.label("member_kind", v),
            (_, "care") => v
                .split(';')
                .map(|code| care.label(code, lang))
                .collect::<Vec<_>>()
                .join(sep),
            (_, "phones" | "tags") => v.split(';').collect::<Vec<_>>().join(sep),
            _ => v.to_string(),
        }
    };
    (label, value(old), value(new))
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
