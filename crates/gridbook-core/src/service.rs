//! Members' service: logging service activities (党员奉献日, 义务劳动 …) and
//! each member's contribution record for a period, the material for the
//! yearly review (争当优秀党员).

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use gridbook_domain::model::*;
use gridbook_domain::period::Period;
use gridbook_domain::validate;
use gridbook_domain::vocab::{Vocabulary, care};
use gridbook_store::store::{Store, Writes};

use crate::ops::{Ctx, Result, rule, zone_kind};

/// What an activity form or `log activity` provides.
#[derive(Clone, Debug)]
pub struct ActivityInput {
    pub zone: Id,
    pub at: Ts,
    /// A kind's code, label in either language, or synonym.
    pub kind: String,
    pub minutes: u32,
    pub members: Vec<Id>,
    pub note: String,
}

/// Logs a service activity. Refuses an unknown kind (naming the allowed
/// ones), no members, a duration of zero or over 24 hours, an entry dated
/// more than an hour ahead, and a member retired before the activity.
pub fn log_activity(
    store: &Store,
    ctx: Ctx,
    input: &ActivityInput,
    kinds: &Vocabulary,
) -> Result<Event> {
    zone_kind(store, input.zone)?;
    let Some(kind) = kinds.parse_word(&input.kind) else {
        return rule(format!(
            "`{}` is not a kind of activity: {}",
            input.kind.trim(),
            kinds.allowed(gridbook_domain::i18n::Lang::En)
        ));
    };
    if input.members.is_empty() {
        return rule("an activity needs at least one member who took part");
    }
    if input.minutes == 0 || input.minutes > 24 * 60 {
        return rule("the duration must be more than 0 and at most 24 hours");
    }
    crate::ops::entry_at("activity time", input.at, ctx)?;
    let mut members = Vec::new();
    for m in &input.members {
        match store.member(*m)? {
            None => return rule("no such member"),
            // Paper records typed in later: a retired member may be
            // credited for what they did before retiring.
            Some(mm) if mm.meta.tombstone.as_ref().is_some_and(|t| t.at <= input.at) => {
                return rule(format!("{} was retired before then", mm.name));
            }
            Some(_) => {
                if !members.contains(m) {
                    members.push(*m);
                }
            }
        }
    }
    let note = validate::text("note", &input.note)?;
    let e = Event::new(
        input.zone,
        input.at,
        ctx.by,
        EventBody::Activity(ActivityBody {
            kind: kind.code.clone(),
            members,
            minutes: input.minutes,
            note,
        }),
    );
    let mut w = Writes::new();
    store.stage_event(&mut w, &e)?;
    store.commit(w)?;
    Ok(e)
}

/// Which members a contribution report lists.
#[derive(Clone, Debug, Default)]
pub struct MemberFilter {
    pub kind: Option<MemberKind>,
    pub tag: Option<String>,
    pub branch: Option<String>,
}

impl MemberFilter {
    fn admits(&self, m: &Member) -> bool {
        self.kind.is_none_or(|k| m.kind == k)
            && self
                .tag
                .as_deref()
                .is_none_or(|t| m.tags.iter().any(|x| x.contains(t)))
            && self.branch.as_deref().is_none_or(|b| m.branch == b)
    }
}

/// One member's record for a period.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Contribution {
    pub id: Id,
    pub name: String,
    pub kind: String,
    pub tags: Vec<String>,
    pub branch: String,
    pub visits: usize,
    pub care_visits_on_time: usize,
    pub liaison_visited: usize,
    pub problems_reported: usize,
    pub problems_resolved: usize,
    pub median_days_to_resolve: Option<f64>,
    pub patrols: usize,
    pub activities: usize,
    pub service_hours: f64,
}

/// Every live member the filter admits (also those with nothing in the
/// period), with what they did in `period`, by name.
pub fn contributions(
    store: &Store,
    period: &Period,
    now: Ts,
    groups: &Vocabulary,
    filter: &MemberFilter,
) -> Result<Vec<Contribution>> {
    let members: Vec<Member> = store
        .members()?
        .into_iter()
        .filter(|m| filter.admits(m))
        .collect();
    let wanted: HashSet<Id> = members.iter().map(|m| m.meta.id).collect();

    // Care households and their cadence, for "care visits on time".
    let today = now.date();
    let mut cadence: HashMap<Id, (u32, Ts)> = HashMap::new();
    for r in store.all::<Resident>() {
        let r = r?;
        if !r.meta.is_live() || r.status != ResidentStatus::Present {
            continue;
        }
        let g = crate::care::groups_of(&r, today);
        let Some(c) = care::shortest_cadence(groups, g.iter().map(|(c, _)| c.as_str())) else {
            continue;
        };
        let since = g.iter().map(|(_, t)| *t).min().unwrap_or(now);
        let slot = cadence.entry(r.household).or_insert((c, since));
        slot.0 = slot.0.min(c);
        slot.1 = slot.1.min(since);
    }

    #[derive(Default)]
    struct Acc {
        visits: usize,
        care_on_time: usize,
        visited: HashSet<Id>,
        reported: usize,
        resolve_days: Vec<f64>,
        patrols: usize,
        activities: usize,
        minutes: u64,
    }
    let mut acc: HashMap<Id, Acc> = HashMap::new();
    // Every visit of a care household, in time order, to judge each one
    // against the one before it (visits before the period count as "before").
    let mut care_visits: HashMap<Id, Vec<(Ts, Id, bool)>> = HashMap::new();
    let events: Vec<Event> = match period.from {
        // Care visits need the visit before the period's first one: read a
        // cadence's worth further back.
        Some(from) => store.events_since(Ts(from.0 - 400 * DAY_MS))?,
        None => store.events().collect::<std::result::Result<_, _>>()?,
    };
    for e in &events {
        if matches!(e.body, EventBody::Amended { .. }) {
            continue;
        }
        let body = store.effective_body(e)?;
        let inside = period.contains(e.at);
        if let EventBody::Visit(VisitBody {
            household, member, ..
        }) = &body
            && cadence.contains_key(household)
        {
            care_visits
                .entry(*household)
                .or_default()
                .push((e.at, *member, inside));
        }
        if !inside {
            continue;
        }
        match &body {
            EventBody::Visit(VisitBody {
                household, member, ..
            }) if wanted.contains(member) => {
                let a = acc.entry(*member).or_default();
                a.visits += 1;
                a.visited.insert(*household);
            }
            EventBody::ProblemOpened(_) => {
                if let Some(by) = e.by.filter(|b| wanted.contains(b)) {
                    acc.entry(by).or_default().reported += 1;
                }
            }
            EventBody::ProblemStepped(ProblemSteppedBody {
                problem,
                step: ProblemStep::Resolved,
                ..
            }) => {
                if let Some(by) = e.by.filter(|b| wanted.contains(b)) {
                    let days = store
                        .event(*problem)?
                        .map(|p| (e.at.0 - p.at.0).max(0) as f64 / DAY_MS as f64);
                    let a = acc.entry(by).or_default();
                    a.resolve_days.extend(days);
                }
            }
            EventBody::Patrol(_) => {
                if let Some(by) = e.by.filter(|b| wanted.contains(b)) {
                    acc.entry(by).or_default().patrols += 1;
                }
            }
            EventBody::Activity(ActivityBody {
                members, minutes, ..
            }) => {
                for m in members.iter().filter(|m| wanted.contains(m)) {
                    let a = acc.entry(*m).or_default();
                    a.activities += 1;
                    a.minutes += *minutes as u64;
                }
            }
            _ => {}
        }
    }
    for (hh, mut visits) in care_visits {
        let (days, since) = cadence[&hh];
        visits.sort_by_key(|v| v.0);
        // Each visit is judged against the one before it, or, for the first,
        // against the day the household's first care group was set.
        let mut previous: Option<Ts> = None;
        for (at, member, inside) in visits {
            let from = previous.unwrap_or(since);
            let on_time = at.0 - from.0 <= days as i64 * DAY_MS;
            if inside && on_time && wanted.contains(&member) {
                acc.entry(member).or_default().care_on_time += 1;
            }
            previous = Some(previous.map_or(at, |p| p.max(at)));
        }
    }

    let mut out = Vec::new();
    for m in members {
        let a = acc.remove(&m.meta.id).unwrap_or_default();
        // The member's liaison households now; one merged away (closed)
        // is nobody's to look after any more and is not counted.
        let liaison: HashSet<Id> = crate::report::zones_of(store, m.meta.id, now)?
            .into_iter()
            .filter(|(_, role)| *role == Role::Liaison)
            .map(|(z, _)| z)
            .collect();
        out.push(Contribution {
            id: m.meta.id,
            name: m.name,
            kind: m.kind.code().to_string(),
            tags: m.tags,
            branch: m.branch,
            visits: a.visits,
            care_visits_on_time: a.care_on_time,
            liaison_visited: liaison.iter().filter(|h| a.visited.contains(h)).count(),
            problems_reported: a.reported,
            problems_resolved: a.resolve_days.len(),
            median_days_to_resolve: median(a.resolve_days),
            patrols: a.patrols,
            activities: a.activities,
            service_hours: a.minutes as f64 / 60.0,
        });
    }
    out.sort_by(|x, y| x.name.cmp(&y.name).then(x.id.cmp(&y.id)));
    Ok(out)
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let m = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    // One decimal: days to resolve are read by people.
    Some((m * 10.0).round() / 10.0)
}
