//! The care and service parts of forms: a resident's care groups (a
//! multi-select saved through `care::set_group`, so the events are those the
//! CLI's `tag` writes) and the service activity form (saved through
//! `service::log_activity`).

use gridbook_core::care;
use gridbook_core::service::{self, ActivityInput};
use gridbook_core::who::WhoError;
use gridbook_domain::romanize;
use gridbook_domain::vocab::care::AGED_80;

use super::*;
use crate::tui::form::{Field, FieldKind, Pick, Values, hours_minutes};
use crate::tui::pick;

/// The care groups field of the resident form. 高龄老人 follows the birth
/// year and is offered only to take out one set by hand.
pub(super) fn care_field(w: &World, r: Option<&Resident>) -> Field {
    let held: Vec<String> = r
        .map(|r| r.care.iter().map(|m| m.group.clone()).collect())
        .unwrap_or_default();
    let other = match w.lang {
        gridbook_domain::i18n::Lang::En => gridbook_domain::i18n::Lang::Zh,
        gridbook_domain::i18n::Lang::Zh => gridbook_domain::i18n::Lang::En,
    };
    let options = w
        .lists
        .care
        .all()
        .iter()
        .filter(|t| t.code != AGED_80 || held.contains(&t.code))
        .map(|t| {
            let mut keys = vec![t.code.clone(), t.label(other).to_string()];
            keys.extend(t.synonyms.iter().cloned());
            keys.push(romanize::initials(&t.zh));
            keys.push(romanize::full(&t.zh));
            (t.code.clone(), t.label(w.lang).to_string(), keys)
        })
        .collect();
    Field::new(
        "care",
        w.lang.t("caretui.form.care"),
        FieldKind::Multi(Pick::new(options, &held, 0)),
        "",
    )
}

/// Puts the resident in the groups marked and takes them out of those
/// unmarked, one `set_group` each (as `gridbook tag` does).
pub(super) fn save_groups(
    w: &World,
    ctx: Ctx,
    resident: Id,
    before: &[String],
    v: &Values,
) -> R<()> {
    let after: Vec<&str> = v.get("care").split(',').filter(|c| !c.is_empty()).collect();
    let groups = &w.lists.care;
    for code in &after {
        if !before.iter().any(|b| b == code) {
            care::set_group(w.store, ctx, resident, code, true, groups).map_err(err)?;
        }
    }
    for code in before {
        // Only groups the form offered: one the list no longer knows stays.
        if !after.contains(&code.as_str()) && groups.get(code).is_some() {
            care::set_group(w.store, ctx, resident, code, false, groups).map_err(err)?;
        }
    }
    Ok(())
}

/// The activity form: kind, time, hours, note and the members who took
/// part (type a name or its pinyin, space marks), in `zone`.
pub(super) fn activity_form(w: &World, zone: Id, member: Option<Id>) -> R<Form> {
    let lang = w.lang;
    let f = |k: &str| lang.t(k).to_string();
    let kinds: Vec<(String, String)> = w
        .lists
        .activities
        .all()
        .iter()
        .map(|t| (t.code.clone(), t.label(lang).to_string()))
        .collect();
    let first = kinds.first().map(|k| k.0.clone()).unwrap_or_default();
    let marked: Vec<String> = member.or(w.me).map(|m| m.to_string()).into_iter().collect();
    let members = w
        .store
        .members()
        .map_err(err)?
        .into_iter()
        .map(|m| {
            let keys = member_keys(&m);
            (m.meta.id.to_string(), m.name, keys)
        })
        .collect();
    Ok(Form::new(
        Purpose::Activity { zone },
        f("caretui.form.activity"),
        vec![
            Field::choice("kind", f("caretui.form.kind"), kinds, &first),
            Field::new("when", f("form.when"), FieldKind::Time, "now"),
            Field::new("hours", f("caretui.form.hours"), FieldKind::Hours, ""),
            Field::new("note", f("form.note"), FieldKind::Text, ""),
            Field::new(
                "members",
                f("caretui.form.members"),
                FieldKind::Multi(Pick::new(members, &marked, 1)),
                "",
            ),
        ],
    )
    .with_intro(format!(
        "{} — {}",
        zone_label(w, zone)?,
        f("caretui.form.members_hint")
    )))
}

/// What typing finds a member by besides the name: its pinyin, initials
/// and phone.
fn member_keys(m: &Member) -> Vec<String> {
    vec![
        romanize::full(&m.name),
        romanize::initials(&m.name),
        m.phone.clone(),
    ]
}

/// The member a one-member field (the visit's visitor) names: an id, exact
/// name or phone as `who::member` takes them, else the one member whose
/// name, pinyin or initials hold what was typed, as the activity form's
/// list narrows (`dml` → 邓美玲). Several such members are ambiguous and
/// a few are named; none is `who::member`'s refusal, with its suggestions.
pub(super) fn member_typed(w: &World, typed: &str) -> R<Member> {
    let none = match gridbook_core::who::member(w.store, typed) {
        Ok(m) => return Ok(m),
        Err(e @ WhoError::NoMember { .. }) => e,
        Err(e) => return Err(err(e)),
    };
    if typed.trim().is_empty() {
        return Err(err(none));
    }
    let mut hits: Vec<Member> = w
        .store
        .members()
        .map_err(err)?
        .into_iter()
        .filter(|m| pick::matches(typed, &m.name, &member_keys(m)))
        .collect();
    if hits.len() == 1 {
        return Ok(hits.remove(0));
    }
    if hits.is_empty() {
        return Err(err(none));
    }
    const SHOWN: usize = 4;
    let mut names: Vec<String> = hits
        .iter()
        .take(SHOWN)
        .map(|m| format!("{} {}", m.name, m.phone))
        .collect();
    if hits.len() > SHOWN {
        names.push("…".to_string());
    }
    Err(err(WhoError::Ambiguous {
        who: typed.trim().to_string(),
        count: hits.len(),
        names,
    }))
}

/// Saves the activity form; answers the status line's text.
pub(super) fn save_activity(w: &World, ctx: Ctx, zone: Id, v: &Values) -> R<String> {
    let lang = w.lang;
    let minutes =
        hours_minutes(v.get("hours")).map_err(|e| UiError::Message(e.say(lang, v.get("hours"))))?;
    let members = v
        .get("members")
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| c.parse::<Id>().map_err(UiError::bug))
        .collect::<R<Vec<Id>>>()?;
    if members.is_empty() {
        return Err(UiError::Message(lang.t("caretui.err.pick_min").into()));
    }
    let at = gridbook_domain::when::instant(v.get("when"), ctx.now, &gridbook_domain::clock::tz())
        .map_err(UiError::Rule)?;
    let input = ActivityInput {
        zone,
        at,
        kind: v.get("kind").to_string(),
        minutes,
        members,
        note: v.get("note").to_string(),
    };
    service::log_activity(w.store, ctx, &input, &w.lists.activities).map_err(err)?;
    Ok(lang.f(
        "officeui.saved.activity",
        &[&gridbook_core::report::counted(
            lang,
            "wording.members",
            input.members.len(),
        )],
    ))
}
