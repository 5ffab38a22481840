//! Saves a submitted form through the validated operations, then keeps the
//! lookup index following the change.

use super::*;

pub(super) fn save(w: &World, finder: &mut Finder, purpose: Purpose, v: Vec<String>) -> Msg {
    match save_inner(w, &purpose, &v) {
        Ok(message) => {
            refresh_lookup(w, finder, &purpose, &v);
            Msg::Saved { message }
        }
        Err(e) => Msg::SaveFailed(e),
    }
}

/// Keeps the lookup index following the change just saved.
fn refresh_lookup(w: &World, index: &mut Finder, purpose: &Purpose, v: &[String]) {
    let store = w.store;
    match purpose {
        Purpose::NewResident { household } => index.refresh_household(store, *household),
        Purpose::EditResident { id } | Purpose::Delete { id } => {
            if let Ok(Some(r)) = store.resident(*id) {
                index.refresh_household(store, r.household);
            } else if let Ok(Some(_)) = store.member(*id) {
                index.refresh_member(store, *id);
            } else {
                index.remove(*id);
            }
        }
        Purpose::NewHousehold { building } => {
            if let Ok(hs) = store.child_ids(*building) {
                for h in hs {
                    index.refresh_household(store, h);
                }
            }
        }
        Purpose::EditPlace { id } => index.refresh_place(store, *id),
        Purpose::EditMember { id } => index.refresh_member(store, *id),
        Purpose::NewMember => {
            let name = v.first().map(|n| n.trim()).unwrap_or("");
            for m in store.members().unwrap_or_default() {
                if m.name == name {
                    index.refresh_member(store, m.meta.id);
                }
            }
        }
        Purpose::Assign { zone } => {
            // The zone's households show a new covering member; the member
            // shows a new zone.
            index.refresh_cover_under(store, *zone);
            if let Ok(m) = gridbook_core::who::member(store, v.first().map_or("", |s| s)) {
                index.refresh_member(store, m.meta.id);
            }
        }
        // Many households at once: start the index afresh.
        Purpose::Import { .. } => index.build_now(store),
        // New places become findable with their first household.
        _ => {}
    }
}

fn save_inner(w: &World, purpose: &Purpose, v: &[String]) -> R<String> {
    let s = w.store;
    let now = Ts::now();
    let ctx = Ctx { by: w.me, now };
    let tz = gridbook_domain::clock::tz();
    let get = |i: usize| v.get(i).map(String::as_str).unwrap_or("");
    let op = |e: OpError| e.to_string();
    let saved = |k: &str, what: &str| w.lang.f(k, &[what]);
    match purpose {
        Purpose::NewArea => {
            let code = if get(1).trim().is_empty() {
                gridbook_domain::romanize::place_initials(get(0))
            } else {
                get(1).to_string()
            };
            let a = ops::add_area(s, ctx, get(0), &code).map_err(op)?;
            Ok(saved("tui.saved", &a.name))
        }
        Purpose::NewBuilding { area } => {
            let code = if get(1).trim().is_empty() {
                let n = get(0).trim();
                let bare = n.trim_end_matches(['栋', '楼', '幢', '号']);
                if !bare.is_empty() && bare.chars().all(|c| c.is_ascii_alphanumeric()) {
                    bare.to_string()
                } else {
                    gridbook_domain::romanize::place_initials(n)
                }
            } else {
                get(1).to_string()
            };
            let b = ops::add_building(s, ctx, *area, get(0), &code).map_err(op)?;
            Ok(saved("tui.saved", &b.name))
        }
        Purpose::NewHousehold { building } => {
            let h = ops::add_household(s, ctx, *building, get(0), get(1), get(2)).map_err(op)?;
            Ok(saved("tui.saved", &h.label()))
        }
        Purpose::NewResident { household } => {
            let r = ops::add_resident(s, ctx, *household, &resident_input(v)).map_err(op)?;
            Ok(saved("tui.saved", &r.name))
        }
        Purpose::EditResident { id } => {
            let r = ops::edit_resident(s, ctx, *id, &resident_input(v)).map_err(op)?;
            Ok(saved("tui.saved", &r.name))
        }
        Purpose::EditPlace { id } => {
            let fields: Vec<(&str, &str)> = match s.kind_of(*id).map_err(err)? {
                Some((Kind::Household, _)) => {
                    vec![("unit", get(0)), ("room", get(1)), ("notes", get(2))]
                }
                _ => vec![("name", get(0)), ("code", get(1))],
            };
            ops::edit_place(s, ctx, *id, &fields).map_err(op)?;
            Ok(saved("tui.saved", &zone_label(w, *id)?))
        }
        Purpose::Delete { id } => {
            ops::tombstone(s, ctx, *id, get(0)).map_err(op)?;
            Ok(w.lang.t("tui.deleted").to_string())
        }
        Purpose::NewMember | Purpose::EditMember { .. } => {
            let kind = MemberKind::parse(get(2)).unwrap_or(MemberKind::PartyMember);
            let m = match purpose {
                Purpose::EditMember { id } => {
                    ops::edit_member(s, ctx, *id, get(0), get(1), kind, get(3))
                }
                _ => ops::add_member(s, ctx, get(0), get(1), kind, get(3)),
            }
            .map_err(op)?;
            Ok(saved("tui.saved", &m.name))
        }
        Purpose::Visit { household } => {
            let member = gridbook_core::who::member(s, get(0)).map_err(|e| e.to_string())?;
            let at = gridbook_domain::when::instant(get(1), now, &tz)?;
            let follow_up = if get(4).trim().is_empty() {
                None
            } else {
                Some(gridbook_domain::when::date(get(4), now, &tz)?)
            };
            ops::log_visit(
                s,
                ctx,
                &ops::VisitInput {
                    household: *household,
                    member: member.meta.id,
                    at,
                    purpose: get(2).to_string(),
                    note: get(3).to_string(),
                    follow_up,
                },
            )
            .map_err(op)?;
            Ok(w.lang.t("tui.visit_saved").to_string())
        }
        Purpose::Problem { zone } => {
            let reporter = get(3).parse::<Id>().ok();
            ops::open_problem(
                s,
                ctx,
                &ops::ProblemInput {
                    zone: *zone,
                    at: now,
                    category: get(0).to_string(),
                    description: get(1).to_string(),
                    reporter,
                    urgency: Urgency::parse(get(2)).unwrap_or(Urgency::Normal),
                },
            )
            .map_err(op)?;
            Ok(w.lang.t("tui.problem_saved").to_string())
        }
        Purpose::Step { problem } => {
            let step = step_of(get(0));
            ops::step_problem(s, ctx, *problem, step, get(1), now).map_err(op)?;
            Ok(w.lang.t("tui.step_saved").to_string())
        }
        Purpose::ResolveIn { .. } => {
            let problem: Id = get(0).parse()?;
            ops::step_problem(s, ctx, problem, ProblemStep::Resolved, get(1), now).map_err(op)?;
            Ok(w.lang.t("tui.step_saved").to_string())
        }
        Purpose::Patrol { zone, kind } => {
            let n = w.checklists.items(*kind).len();
            let items: Vec<CheckResult> = w
                .checklists
                .items(*kind)
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let out = get(i);
                    let (ok, note) = match out.strip_prefix("issue:") {
                        Some(note) => (false, note.to_string()),
                        None => (true, String::new()),
                    };
                    CheckResult {
                        item: item.clone(),
                        ok,
                        note,
                    }
                })
                .collect();
            let open = get(n) == "yes";
            let at = gridbook_domain::when::instant(get(n + 2), now, &tz)?;
            let input = ops::PatrolInput {
                zone: *zone,
                kind: *kind,
                at,
                items,
                note: get(n + 1).to_string(),
                open_problems: open,
            };
            let (_, problems) = ops::log_patrol(s, ctx, input).map_err(op)?;
            Ok(w.lang.f("tui.patrol_saved", &[&problems.len().to_string()]))
        }
        Purpose::Assign { zone } => {
            let member = gridbook_core::who::member(s, get(0)).map_err(|e| e.to_string())?;
            let role = Role::parse(get(1)).unwrap_or(Role::Responsible);
            let day_start = |text: &str| -> R<Ts> {
                let d = gridbook_domain::when::date(text, now, &tz)?;
                let zoned = d
                    .to_jiff()
                    .ok_or("bad date")?
                    .to_zoned(tz.clone())
                    .map_err(err)?;
                Ok(Ts(zoned.timestamp().as_millisecond()))
            };
            let since = if get(2).trim().is_empty() || get(2).trim() == "today" {
                now
            } else {
                day_start(get(2))?
            };
            let until = if get(3).trim().is_empty() {
                None
            } else {
                Some(day_start(get(3))?)
            };
            ops::assign(s, ctx, *zone, member.meta.id, role, since, until).map_err(op)?;
            Ok(w.lang.f("tui.assigned", &[&member.name]))
        }
        Purpose::Amend { event } => {
            let e = s
                .event(*event)
                .map_err(err)?
                .ok_or_else(|| w.lang.t("tui.gone").to_string())?;
            let current = effective_body(w, &e)?;
            let (replacement, reason) = match current {
                EventBody::Visit {
                    household, member, ..
                } => {
                    let follow_up = if get(2).trim().is_empty() {
                        None
                    } else {
                        Some(gridbook_domain::when::date(get(2), now, &tz)?)
                    };
                    (
                        EventBody::Visit {
                            household,
                            member,
                            purpose: get(0).to_string(),
                            note: get(1).to_string(),
                            follow_up,
                        },
                        get(3),
                    )
                }
                EventBody::ProblemOpened {
                    reporter, urgency, ..
                } => (
                    EventBody::ProblemOpened {
                        category: get(0).to_string(),
                        description: get(1).to_string(),
                        reporter,
                        urgency,
                    },
                    get(2),
                ),
                EventBody::ProblemStepped { problem, step, .. } => (
                    EventBody::ProblemStepped {
                        problem,
                        step,
                        note: get(0).to_string(),
                    },
                    get(1),
                ),
                EventBody::Patrol { kind, items, .. } => (
                    EventBody::Patrol {
                        kind,
                        items,
                        note: get(0).to_string(),
                    },
                    get(1),
                ),
                _ => return Err(w.lang.t("tui.cannot_amend").to_string()),
            };
            // Amendments always point at the original entry.
            let target = match &e.body {
                EventBody::Amended { supersedes, .. } => *supersedes,
                _ => e.id,
            };
            ops::amend(s, ctx, target, replacement, reason).map_err(op)?;
            Ok(w.lang.t("tui.amend_saved").to_string())
        }
        Purpose::Import { path } => {
            let roster = gridbook_core::roster::read(std::path::Path::new(path)).map_err(err)?;
            let report =
                gridbook_core::roster::import(s, ctx, &roster, false, false).map_err(err)?;
            Ok(w.lang.f(
                "tui.imported",
                &[
                    &report.households_added.to_string(),
                    &report.residents_added.to_string(),
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

fn resident_input(v: &[String]) -> ops::ResidentInput {
    let get = |i: usize| v.get(i).cloned().unwrap_or_default();
    ops::ResidentInput {
        name: get(0),
        phones: get(1),
        relation: get(2),
        tags: get(3),
        notes: get(4),
    }
}
