//! The demo estate: an oilfield community shipped in `fixtures/demo/` as the
//! files a community office would hand out (roster and members CSV) plus a
//! few months of activity, replayed relative to today so the demo is always
//! current. Everything goes through the same importers and operations a
//! grid worker's own data does.
//!
//! `roster.csv`, `members.csv` and `activity.csv` come from the seeded
//! generator; `roster-2.csv` (a later roster: a 33-floor tower, and the
//! occupancy and birth dates of older households) and `service.csv` (service
//! activities, and care visits) are written by hand on top of them.

use std::collections::HashMap;

use thiserror::Error;

use crate::address;
use crate::members_csv;
use crate::ops::{self, Ctx, OpError};
use crate::roster::{self, RosterError};
use crate::service;
use gridbook_domain::checklist::Checklists;
use gridbook_domain::model::*;
use gridbook_store::store::{Store, StoreError};

pub const ROSTER: &[u8] = include_bytes!("../../../fixtures/demo/roster.csv");
pub const MEMBERS: &[u8] = include_bytes!("../../../fixtures/demo/members.csv");
pub const ACTIVITY: &[u8] = include_bytes!("../../../fixtures/demo/activity.csv");
pub const ROSTER_2: &[u8] = include_bytes!("../../../fixtures/demo/roster-2.csv");
pub const SERVICE: &[u8] = include_bytes!("../../../fixtures/demo/service.csv");

/// How long before today the office's rosters were imported: care groups
/// count from then, so the demo's care visits are a mix of on time and due
/// rather than all due on the first day.
const ROSTER_DAYS_AGO: i64 = 150;
const ROSTER_2_DAYS_AGO: i64 = 100;

#[derive(Debug, Error)]
pub enum DemoError {
    #[error("the demo needs an empty store; {0} already holds data")]
    NotEmpty(String),
    #[error(transparent)]
    Roster(#[from] RosterError),
    #[error("{file}:{line}: {reason}")]
    Activity {
        file: &'static str,
        line: u64,
        reason: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl gridbook_domain::error::Kinded for DemoError {
    fn kind(&self) -> gridbook_domain::error::ErrorKind {
        use gridbook_domain::error::ErrorKind;
        match self {
            DemoError::Store(e) => e.kind(),
            DemoError::Roster(e) => e.kind(),
            _ => ErrorKind::Input,
        }
    }
}

/// What the demo load wrote.
#[derive(Debug, Default)]
pub struct Loaded {
    pub households: usize,
    pub residents: usize,
    pub members: usize,
    pub events: usize,
}

/// Loads the demo estate into an empty store, with history up to `now`.
pub fn load(store: &Store, now: Ts) -> Result<Loaded, DemoError> {
    if !store.is_empty() {
        return Err(DemoError::NotEmpty(store.dir().display().to_string()));
    }
    let ctx = Ctx { by: None, now };
    let mut households = 0;
    let mut residents = 0;
    for (file, bytes, days_ago) in [
        ("fixtures/demo/roster.csv", ROSTER, ROSTER_DAYS_AGO),
        ("fixtures/demo/roster-2.csv", ROSTER_2, ROSTER_2_DAYS_AGO),
    ] {
        let at = Ctx {
            by: None,
            now: now.minus_days(days_ago),
        };
        let roster = roster::parse(file, bytes)?;
        let report = roster::import(store, at, &roster, false, false)?;
        households += report.households_added;
        residents += report.residents_added;
    }
    let members = members_csv::import(store, ctx, "fixtures/demo/members.csv", MEMBERS)?;
    let mut events = 0;
    for (file, bytes) in [
        ("fixtures/demo/activity.csv", ACTIVITY),
        ("fixtures/demo/service.csv", SERVICE),
    ] {
        events += store.bulk(|| replay_activity(store, now, file, bytes))?;
    }
    Ok(Loaded {
        households,
        residents,
        members: members.members_added,
        events,
    })
}

/// Replays one activity file: a row per entry, dated `days_ago` at `time`.
/// `activity` rows are service activities: `member` lists everyone who took
/// part (`;` between names), `category` is the kind and `hours` the length.
fn replay_activity(
    store: &Store,
    now: Ts,
    file: &'static str,
    bytes: &[u8],
) -> Result<usize, DemoError> {
    let tz = gridbook_domain::clock::tz();
    let today = now.to_jiff().to_zoned(tz.clone()).date();
    let checklists = Checklists::shipped();
    let members: HashMap<String, Id> = store
        .members()?
        .into_iter()
        .map(|m| (m.name.clone(), m.meta.id))
        .collect();
    let mut problems: HashMap<String, Id> = HashMap::new();
    let kinds = gridbook_domain::vocab::shipped_activity_kinds();
    let mut rdr = csv::Reader::from_reader(bytes);
    let mut count = 0;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| DemoError::Activity {
            file,
            line: e.position().map_or(0, |p| p.line()),
            reason: e.to_string(),
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        let bad = |reason: String| DemoError::Activity { file, line, reason };
        let f = |i: usize| rec.get(i).unwrap_or("").trim();
        let (reference, days_ago, time, kind, zone, member) = (f(0), f(1), f(2), f(3), f(4), f(5));
        let (category, note, follow_up, issues, urgency) = (f(6), f(7), f(8), f(9), f(10));
        let days: i64 = days_ago
            .parse()
            .map_err(|_| bad(format!("bad days_ago `{days_ago}`")))?;
        let day = today
            .checked_sub(jiff::Span::new().days(days))
            .map_err(|e| bad(e.to_string()))?;
        let (h, m) = time
            .split_once(':')
            .ok_or_else(|| bad(format!("bad time `{time}`")))?;
        let t = jiff::civil::Time::new(
            h.parse().map_err(|_| bad(format!("bad time `{time}`")))?,
            m.parse().map_err(|_| bad(format!("bad time `{time}`")))?,
            0,
            0,
        )
        .map_err(|e| bad(e.to_string()))?;
        let at = day
            .to_datetime(t)
            .to_zoned(tz.clone())
            .map(|z| Ts(z.timestamp().as_millisecond()))
            .map_err(|e| bad(e.to_string()))?;
        let at = Ts(at.0.min(now.0));
        let zone_id = address::resolve(store, zone)
            .map_err(|e| bad(e.to_string()))?
            .id();
        let who = if member.is_empty() || kind == "activity" {
            None
        } else {
            Some(
                *members
                    .get(member)
                    .ok_or_else(|| bad(format!("unknown member {member}")))?,
            )
        };
        let ctx = Ctx { by: who, now };
        let op = |e: OpError| bad(e.to_string());
        match kind {
            "visit" => {
                let follow_up = if follow_up.is_empty() {
                    None
                } else {
                    let n: i64 = follow_up
                        .parse()
                        .map_err(|_| bad("bad follow_up_days".into()))?;
                    day.checked_add(jiff::Span::new().days(n))
                        .ok()
                        .map(Date::from_jiff)
                };
                ops::log_visit(
                    store,
                    ctx,
                    &ops::VisitInput {
                        household: zone_id,
                        member: who.ok_or_else(|| bad("a visit needs a member".into()))?,
                        at,
                        purpose: category.to_string(),
                        note: note.to_string(),
                        follow_up,
                    },
                )
                .map_err(op)?;
            }
            "problem" => {
                let e = ops::open_problem(
                    store,
                    ctx,
                    &ops::ProblemInput {
                        zone: zone_id,
                        at,
                        category: category.to_string(),
                        description: note.to_string(),
                        reporter: None,
                        urgency: Urgency::parse(urgency).unwrap_or(Urgency::Normal),
                    },
                )
                .map_err(op)?;
                problems.insert(reference.to_string(), e.id);
            }
            "resolved" | "progress" | "reopened" | "comment" => {
                let p = *problems
                    .get(reference)
                    .ok_or_else(|| bad(format!("unknown problem {reference}")))?;
                let step = match kind {
                    "resolved" => ProblemStep::Resolved,
                    "progress" => ProblemStep::Progress,
                    "reopened" => ProblemStep::Reopened,
                    _ => ProblemStep::Comment,
                };
                ops::step_problem(store, ctx, p, step, note, at).map_err(op)?;
            }
            "patrol" => {
                let kind = PatrolKind::parse(category)
                    .ok_or_else(|| bad(format!("unknown patrol kind {category}")))?;
                // Items by key, or by the text stored before items had keys.
                let mut failed: HashMap<&str, &str> = HashMap::new();
                for s in issues.split('|').filter(|s| !s.is_empty()) {
                    let (item, note) = s.split_once(':').unwrap_or((s, ""));
                    let item = checklists
                        .find(kind, item)
                        .ok_or_else(|| bad(format!("unknown checklist item {item}")))?;
                    failed.insert(item.key.as_str(), note);
                }
                let items = checklists
                    .items(kind)
                    .iter()
                    .map(|item| CheckResult {
                        item: item.key.clone(),
                        ok: !failed.contains_key(item.key.as_str()),
                        note: failed.get(item.key.as_str()).unwrap_or(&"").to_string(),
                    })
                    .collect();
                let input = ops::PatrolInput {
                    zone: zone_id,
                    kind,
                    at,
                    items,
                    note: note.to_string(),
                    open_problems: false,
                };
                ops::log_patrol(store, ctx, input).map_err(op)?;
            }
            "activity" => {
                let mut ids = Vec::new();
                for name in member.split(';').map(str::trim).filter(|n| !n.is_empty()) {
                    ids.push(
                        *members
                            .get(name)
                            .ok_or_else(|| bad(format!("unknown member {name}")))?,
                    );
                }
                let hours: f64 = f(11)
                    .parse()
                    .map_err(|_| bad(format!("bad hours `{}`", f(11))))?;
                let input = service::ActivityInput {
                    zone: zone_id,
                    at,
                    kind: category.to_string(),
                    minutes: (hours * 60.0).round() as u32,
                    members: ids,
                    note: note.to_string(),
                };
                service::log_activity(store, ctx, &input, kinds).map_err(op)?;
            }
            other => return Err(bad(format!("unknown kind {other}"))),
        }
        count += 1;
    }
    Ok(count)
}
