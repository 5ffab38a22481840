//! Saves a submitted form through the validated operations. Each purpose
//! reads the form's values by field name into the domain's input struct.
//! What the save changed reaches the screens and the lookup index from the
//! store's commit (`crate::tui::follow`), not from here.

use super::*;
use crate::tui::form::Values;
use gridbook_core::report::counted;

pub(super) fn save(w: &World, purpose: Purpose, v: Values) -> Msg {
    // A transfer is previewed first: saving its form opens the preview.
    if let Purpose::Transfer { from } = purpose {
        return match super::assignments::transfer_preview(w, from, &v) {
            Ok(form) => Msg::ReplaceForm(Box::new(form)),
            Err(e) => Msg::SaveFailed(e.say(w.lang)),
        };
    }
    let mut created = None;
    match save_inner(w, &purpose, &v, &mut created) {
        Ok(message) => Msg::Saved {
            message,
            select: created,
        },
        Err(e) => Msg::SaveFailed(e.say(w.lang)),
    }
}

/// An assignment's saved message, naming the members whose spans it ended
/// (one responsible member at a time), each once.
fn spans_ended(
    w: &World,
    saved: String,
    ending: &[gridbook_store::store::Assignment],
    role: Role,
    since: Ts,
) -> R<String> {
    let mut names: Vec<String> = Vec::new();
    for a in ending {
        let name = w
            .store
            .member(a.member)
            .map_err(err)?
            .map_or_else(|| a.member.short(), |m| m.name);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.is_empty() {
        return Ok(saved);
    }
    Ok(w.lang.f(
        "tui.assigned_ends",
        &[
            &saved,
            &names.join(w.lang.t("wording.list")),
            &w.lang.label("role", role.code()),
            &since.date().to_string(),
        ],
    ))
}

/// A date typed in a form (`today`, `+7d`, `2026-11-28`), if one was.
pub(super) fn date_of(v: &Values, name: &str, now: Ts) -> R<Option<Date>> {
    v.filled(name)
        .map(|text| gridbook_domain::when::date(text, now, &gridbook_domain::clock::tz()))
        .transpose()
        .map_err(UiError::Rule)
}

/// A time typed in a form (`now`, `14:30`, `yesterday 09:00`).
fn instant_of(v: &Values, name: &str, now: Ts) -> R<Ts> {
    gridbook_domain::when::instant(v.get(name), now, &gridbook_domain::clock::tz())
        .map_err(UiError::Rule)
}

/// The start of a day typed in a form, in the local zone.
pub(super) fn day_start_of(v: &Values, name: &str, now: Ts) -> R<Option<Ts>> {
    let tz = gridbook_domain::clock::tz();
    let Some(d) = date_of(v, name, now)? else {
        return Ok(None);
    };
    let zoned = d
        .to_jiff()
        .ok_or(UiError::Bug("bad date".into()))?
        .to_zoned(tz)
        .map_err(UiError::bug)?;
    Ok(Some(Ts(zoned.timestamp().as_millisecond())))
}

fn visit_input(w: &World, household: Id, v: &Values, now: Ts) -> R<ops::VisitInput> {
    let member = super::care::member_typed(w, v.get("member"))?;
    let at = instant_of(v, "when", now)?;
    Ok(ops::VisitInput {
        household,
        member: member.meta.id,
        at,
        purpose: v.get("purpose").to_string(),
        note: v.get("note").to_string(),
        // `+3d` counts from the visit's day, not from today.
        follow_up: date_of(v, "follow_up", at)?,
    })
}

fn problem_input(zone: Id, v: &Values, now: Ts) -> ops::ProblemInput {
    ops::ProblemInput {
        zone,
        at: now,
        category: v.get("category").to_string(),
        description: v.get("description").to_string(),
        reporter: v.get("reporter").parse::<Id>().ok(),
        urgency: Urgency::parse(v.get("urgency")).unwrap_or(Urgency::Normal),
    }
}

fn patrol_input(w: &World, zone: Id, kind: PatrolKind, v: &Values, now: Ts) -> R<ops::PatrolInput> {
    // The form reopens on a new kind's checklist (update.rs), so the kind
    // shown is the form's; a patrol is never saved as another.
    if v.filled("kind").is_some_and(|shown| shown != kind.code()) {
        return Err(UiError::Bug(format!(
            "patrol form shows {} but holds the {} checklist",
            v.get("kind"),
            kind.code()
        )));
    }
    // One `check` field per checklist item, in the checklist's order.
    let items: Vec<CheckResult> = w
        .checklists
        .items(kind)
        .iter()
        .zip(v.all("check"))
        .map(|(item, out)| {
            let (ok, note) = match out.strip_prefix("issue:") {
                Some(note) => (false, note.to_string()),
                None => (true, String::new()),
            };
            CheckResult {
                item: item.key.clone(),
                ok,
                note,
            }
        })
        .collect();
    Ok(ops::PatrolInput {
        zone,
        kind,
        at: instant_of(v, "when", now)?,
        items,
        note: v.get("note").to_string(),
        open_problems: v.get("open_problems") == "yes",
    })
}

/// What saving a patrol says: the problems it opened and the open ones it
/// added a "still failing" step to, each only when there are some.
fn patrol_saved(lang: gridbook_domain::i18n::Lang, opened: usize, stepped: usize) -> String {
    let opened_text = counted(lang, "officeui.saved.problems", opened);
    let stepped_text = counted(lang, "officeui.saved.still_failing", stepped);
    match (opened, stepped) {
        (0, 0) => lang.t("officeui.saved.patrol").to_string(),
        (_, 0) => lang.f("officeui.saved.patrol_opened", &[&opened_text]),
        (0, _) => lang.f("officeui.saved.patrol_stepped", &[&stepped_text]),
        _ => lang.f("officeui.saved.patrol_both", &[&opened_text, &stepped_text]),
    }
}

fn resident_input(v: &Values) -> ops::ResidentInput {
    ops::ResidentInput {
        name: v.get("name").to_string(),
        phones: v.get("phones").to_string(),
        relation: v.get("relation").to_string(),
        tags: v.get("tags").to_string(),
        notes: v.get("notes").to_string(),
    }
}

/// What a correction says instead, from the amend form's fields (which
/// depend on the kind of the entry), with the reason given.
fn amended_body(w: &World, current: EventBody, v: &Values, now: Ts) -> R<EventBody> {
    Ok(match current {
        EventBody::Visit(VisitBody {
            household, member, ..
        }) => EventBody::Visit(VisitBody {
            household,
            member,
            purpose: v.get("purpose").to_string(),
            note: v.get("note").to_string(),
            follow_up: date_of(v, "follow_up", now)?,
        }),
        EventBody::ProblemOpened(ProblemOpenedBody {
            reporter, urgency, ..
        }) => EventBody::ProblemOpened(ProblemOpenedBody {
            category: v.get("category").to_string(),
            description: v.get("description").to_string(),
            reporter,
            urgency,
        }),
        EventBody::ProblemStepped(ProblemSteppedBody { problem, step, .. }) => {
            EventBody::ProblemStepped(ProblemSteppedBody {
                problem,
                step,
                note: v.get("note").to_string(),
            })
        }
        EventBody::Patrol(PatrolBody { kind, items, .. }) => EventBody::Patrol(PatrolBody {
            kind,
            items,
            note: v.get("note").to_string(),
        }),
        _ => return Err(UiError::Message(w.lang.t("tui.cannot_amend").into())),
    })
}

/// Saves; a new record's id goes to `created`, so the list selects it.
fn save_inner(w: &World, purpose: &Purpose, v: &Values, created: &mut Option<Id>) -> R<String> {
    let s = w.store;
    let now = Ts::now();
    let ctx = Ctx { by: w.me, now };
    let saved = |k: &str, what: &str| w.lang.f(k, &[what]);
    match purpose {
        Purpose::NewArea => {
            let code = match v.filled("code") {
                Some(c) => c.to_string(),
                None => gridbook_domain::romanize::place_initials(v.get("name")),
            };
            let a = ops::add_area(s, ctx, v.get("name"), &code).map_err(err)?;
            *created = Some(a.meta.id);
            Ok(saved("tui.saved", &a.name))
        }
        Purpose::NewBuilding { area } => {
            let code = match v.filled("code") {
                Some(c) => c.to_string(),
                None => {
                    let n = v.get("name").trim();
                    let bare = n.trim_end_matches(['栋', '楼', '幢', '号']);
                    if !bare.is_empty() && bare.chars().all(|c| c.is_ascii_alphanumeric()) {
                        bare.to_string()
                    } else {
                        gridbook_domain::romanize::place_initials(n)
                    }
                }
            };
            let b = ops::add_building(s, ctx, *area, v.get("name"), &code).map_err(err)?;
            *created = Some(b.meta.id);
            Ok(saved("tui.saved", &b.name))
        }
        Purpose::NewHousehold { building } => {
            // `3-101` or `3单元101室` in the unit field, as the roster import
            // reads it, when no room was typed apart.
            let (unit, room) = match v.filled("room") {
                Some(room) => gridbook_core::roster::split_room(v.get("unit"), room),
                None => match gridbook_core::roster::split_room("", v.get("unit")) {
                    (unit, room) if !unit.is_empty() && !room.is_empty() => (unit, room),
                    // A unit alone names no dwelling.
                    _ => return Err(UiError::Message(w.lang.t("contacts.room_needed").into())),
                },
            };
            let h =
                ops::add_household(s, ctx, *building, &unit, &room, v.get("notes")).map_err(err)?;
            *created = Some(h.meta.id);
            Ok(saved("tui.saved", &h.label()))
        }
        Purpose::NewResident { household } => {
            let r = ops::add_resident(s, ctx, *household, &resident_input(v)).map_err(err)?;
            let held: Vec<String> = r.care.iter().map(|m| m.group.clone()).collect();
            super::care::save_groups(w, ctx, r.meta.id, &held, v)?;
            *created = Some(r.meta.id);
            Ok(saved("tui.saved", &r.name))
        }
        Purpose::EditResident { id } => {
            let r = ops::edit_resident(s, ctx, *id, &resident_input(v)).map_err(err)?;
            let held: Vec<String> = r.care.iter().map(|m| m.group.clone()).collect();
            super::care::save_groups(w, ctx, r.meta.id, &held, v)?;
            Ok(saved("tui.saved", &r.name))
        }
        Purpose::EditPlace { id } => {
            let names: &[&str] = match s.kind_of(*id).map_err(err)? {
                Some((Kind::Household, _)) => &["unit", "room", "status", "notes"],
                _ => &["name", "code"],
            };
            let fields: Vec<(&str, &str)> = names.iter().map(|n| (*n, v.get(n))).collect();
            ops::edit_place(s, ctx, *id, &fields).map_err(err)?;
            Ok(saved("tui.saved", &zone_label(w, *id)?))
        }
        Purpose::Move { id } => {
            let to = v.get("to").trim();
            let zone = gridbook_core::address::resolve(s, to).map_err(err)?;
            let gridbook_core::address::Zone::Household(_, _, h) = zone else {
                return Err(crate::tui::error::UiError::Message(
                    w.lang.f("movemerge.tui.not_household", &[to]),
                ));
            };
            let r = gridbook_core::relocate::move_resident(s, ctx, *id, h.meta.id).map_err(err)?;
            Ok(w.lang.f("movemerge.tui.moved", &[&r.name, to]))
        }
        Purpose::Delete { id } => {
            ops::tombstone(s, ctx, *id, v.get("reason")).map_err(err)?;
            Ok(w.lang.t("tui.deleted").to_string())
        }
        Purpose::NewMember | Purpose::EditMember { .. } => {
            let kind = MemberKind::parse(v.get("kind")).unwrap_or(MemberKind::PartyMember);
            let (name, phone, tags) = (v.get("name"), v.get("phone"), v.get("tags"));
            let m = match purpose {
                Purpose::EditMember { id } => {
                    ops::edit_member(s, ctx, *id, name, phone, kind, tags)
                }
                _ => ops::add_member(s, ctx, name, phone, kind, tags),
            }
            .map_err(err)?;
            Ok(saved("tui.saved", &m.name))
        }
        Purpose::Visit { household } => {
            ops::log_visit(s, ctx, &visit_input(w, *household, v, now)?).map_err(err)?;
            Ok(w.lang.t("tui.visit_saved").to_string())
        }
        Purpose::Problem { zone } => {
            ops::open_problem(s, ctx, &problem_input(*zone, v, now)).map_err(err)?;
            Ok(w.lang.t("tui.problem_saved").to_string())
        }
        Purpose::Step { problem } => {
            let step = step_of(v.get("step"));
            ops::step_problem(s, ctx, *problem, step, v.get("note"), now).map_err(err)?;
            Ok(w.lang.t("tui.step_saved").to_string())
        }
        Purpose::ResolveIn { .. } => {
            let problem: Id = v.get("problem").parse().map_err(UiError::bug)?;
            let step = step_of(v.get("step"));
            ops::step_problem(s, ctx, problem, step, v.get("note"), now).map_err(err)?;
            Ok(w.lang.t("tui.step_saved").to_string())
        }
        Purpose::Patrol { zone, kind } => {
            let input = patrol_input(w, *zone, *kind, v, now)?;
            let logged = ops::log_patrol(s, ctx, input).map_err(err)?;
            Ok(patrol_saved(
                w.lang,
                logged.opened.len(),
                logged.stepped.len(),
            ))
        }
        Purpose::Assign { zone } => {
            let member = gridbook_core::who::member(s, v.get("member")).map_err(err)?;
            let role = Role::parse(v.get("role")).unwrap_or(Role::Responsible);
            let since = match v.filled("since") {
                None | Some("today") => now,
                Some(_) => day_start_of(v, "since", now)?.unwrap_or(now),
            };
            let until = day_start_of(v, "until", now)?;
            // Whose span the new one ends is said, as `gridbook assign` says it.
            let ending = ops::spans_ended_by(s, *zone, member.meta.id, role, since).map_err(err)?;
            ops::assign(s, ctx, *zone, member.meta.id, role, since, until).map_err(err)?;
            let saved = w.lang.f("tui.assigned", &[&member.name]);
            spans_ended(w, saved, &ending, role, since)
        }
        Purpose::AssignMany { zones } => {
            let member = gridbook_core::who::member(s, v.get("member")).map_err(err)?;
            let role = Role::parse(v.get("role")).unwrap_or(Role::Responsible);
            let since = match v.filled("since") {
                None | Some("today") => now,
                Some(_) => day_start_of(v, "since", now)?.unwrap_or(now),
            };
            let mut ending = Vec::new();
            for z in zones {
                ending
                    .extend(ops::spans_ended_by(s, *z, member.meta.id, role, since).map_err(err)?);
            }
            ops::assign_many(s, ctx, zones, member.meta.id, role, since).map_err(err)?;
            let saved = w.lang.f(
                "officeui.saved.assigned_many",
                &[
                    &member.name,
                    &counted(w.lang, "officeui.saved.places", zones.len()),
                ],
            );
            spans_ended(w, saved, &ending, role, since)
        }
        Purpose::Amend { event } => {
            let e = s.event(*event).map_err(err)?.ok_or(UiError::Gone)?;
            let current = effective_body(w, &e)?;
            let replacement = amended_body(w, current, v, now)?;
            // Amendments always point at the original entry.
            let target = match &e.body {
                EventBody::Amended { supersedes, .. } => *supersedes,
                _ => e.id,
            };
            ops::amend(s, ctx, target, replacement, v.get("reason")).map_err(err)?;
            Ok(w.lang.t("tui.amend_saved").to_string())
        }
        Purpose::Activity { zone } => super::care::save_activity(w, ctx, *zone, v),
        Purpose::EndAssignment { id } => super::assignments::end(w, ctx, *id, v),
        Purpose::Transfer { .. } => Err(UiError::Bug("a transfer is previewed first".into())),
        Purpose::TransferConfirm { from, to, since } => {
            super::assignments::transfer(w, ctx, *from, *to, *since)
        }
        Purpose::Import { path } => {
            let roster = gridbook_core::roster::read(std::path::Path::new(path)).map_err(err)?;
            // The rows where the preview's choice was "take the file's".
            let keys = v.all("take").filter(|k| !k.is_empty()).map(String::from);
            let opts = gridbook_core::roster::Options {
                take: gridbook_core::roster::Take::Only(keys.collect()),
                ..Default::default()
            };
            let report = gridbook_core::roster::import_with(s, ctx, &roster, &opts).map_err(err)?;
            Ok(w.lang.f(
                "officeui.saved.imported",
                &[
                    &counted(w.lang, "officeui.saved.households", report.households_added),
                    &counted(w.lang, "officeui.saved.residents", report.residents_added),
                ],
            ))
        }
    }
}

fn step_of(code: &str) -> ProblemStep {
    match code {
        "progress" => ProblemStep::Progress,
        "reopened" => ProblemStep::Reopened,
        "comment" => ProblemStep::Comment,
        _ => ProblemStep::Resolved,
    }
}
