//! "Needs attention": rules a merge can break. Each device keeps the rules
//! for its own writes (one responsible member at a time, no visit to a
//! deleted household, a step only where the problem stands), but two
//! devices writing offline can break them together. A merge never refuses
//! an entry (refusing loses data); it lists what broke, here, until someone
//! sets it right (ends a span, resolves or reopens the problem again, moves
//! the resident again from where it is listed).

use std::collections::{BTreeMap, HashSet};

use gridbook_domain::model::*;
use gridbook_store::projection::versions::VersionOf;
use gridbook_store::store::{Store, StoreError};

/// Which rule broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    /// Two responsible members for one zone at once.
    TwoResponsible,
    /// A visit dated at or after its household was deleted (on another device).
    VisitToDeleted,
    /// A problem resolved on one device and reopened on another, neither
    /// knowing of the other: whether it is open depends on an order nobody chose.
    ResolveRacingReopen,
    /// One resident moved from the same household on two devices: it is
    /// listed where the later move in the agreed order put it.
    ConcurrentMoves,
}

impl Rule {
    pub fn code(self) -> &'static str {
        match self {
            Rule::TwoResponsible => "two-responsible",
            Rule::VisitToDeleted => "visit-to-deleted",
            Rule::ResolveRacingReopen => "resolve-racing-reopen",
            Rule::ConcurrentMoves => "concurrent-moves",
        }
    }
}

/// One item that needs attention.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The entry that broke the rule last (the later assignment, the
    /// visit, the problem): the item's id.
    pub id: Id,
    pub rule: Rule,
    /// The zone (or household, or resident) it is about.
    pub zone: Id,
    /// The entries involved, in the order every device agrees on.
    pub entries: Vec<Id>,
}

/// Every item that needs attention now, by rule then id.
pub fn list(store: &Store) -> Result<Vec<Item>, StoreError> {
    let mut out = two_responsible(store)?;
    out.extend(visits_to_deleted(store)?);
    out.extend(racing_steps(store)?);
    out.extend(racing_moves(store)?);
    out.sort_by_key(|i| (i.rule, i.id));
    Ok(out)
}

fn two_responsible(store: &Store) -> Result<Vec<Item>, StoreError> {
    let mut by_zone: BTreeMap<Id, Vec<_>> = BTreeMap::new();
    for a in store.all_assignments()? {
        if a.role == Role::Responsible {
            by_zone.entry(a.zone).or_default().push(a);
        }
    }
    let mut out = Vec::new();
    for (zone, mut spans) in by_zone {
        spans.sort_by_key(|a| (a.since, a.id));
        for (i, b) in spans.iter().enumerate() {
            let clash = spans[..i]
                .iter()
                .filter(|a| a.member != b.member && a.until.is_none_or(|u| u > b.since))
                .map(|a| a.id)
                .collect::<Vec<_>>();
            if !clash.is_empty() {
                let mut entries = clash;
                entries.push(b.id);
                out.push(Item {
                    id: b.id,
                    rule: Rule::TwoResponsible,
                    zone,
                    entries,
                });
            }
        }
    }
    Ok(out)
}

fn visits_to_deleted(store: &Store) -> Result<Vec<Item>, StoreError> {
    let mut out = Vec::new();
    for h in store.all::<Household>() {
        let h = h?;
        let Some(t) = &h.meta.tombstone else {
            continue;
        };
        if let Some((at, visit)) = store.last_visit(h.meta.id)?
            && at >= t.at
        {
            out.push(Item {
                id: visit,
                rule: Rule::VisitToDeleted,
                zone: h.meta.id,
                entries: vec![visit],
            });
        }
    }
    Ok(out)
}

/// The steps of a problem nothing later names (each step names the steps
/// it follows).
pub fn step_heads(store: &Store, problem: Id) -> Result<Vec<Event>, StoreError> {
    let mut steps = Vec::new();
    let mut named = HashSet::new();
    for (id, what) in store.versions_of(problem)? {
        if what != VersionOf::Step {
            continue;
        }
        if let Some(s) = store.stamp(id)? {
            named.extend(s.replaces);
        }
        if let Some(e) = store.event(id)? {
            steps.push(e);
        }
    }
    Ok(steps
        .into_iter()
        .filter(|e| !named.contains(&e.id))
        .collect())
}

/// Steps naming what they follow make a graph; steps before stamps name
/// nothing and follow one another in write order, so only the last of them
/// can be a head.
fn racing_steps(store: &Store) -> Result<Vec<Item>, StoreError> {
    let mut out = Vec::new();
    for problem in store.problems_with_steps()? {
        let mut heads = step_heads(store, problem)?;
        let mut stamped = Vec::new();
        for e in &heads {
            stamped.push(store.stamp(e.id)?.is_some());
        }
        let last_unstamped = heads
            .iter()
            .zip(&stamped)
            .filter(|(_, s)| !**s)
            .map(|(e, _)| e.write_order())
            .max();
        let mut i = 0;
        heads.retain(|e| {
            let keep = stamped[i] || Some(e.write_order()) == last_unstamped;
            i += 1;
            keep
        });
        let step = |e: &Event| match &e.body {
            EventBody::ProblemStepped(ProblemSteppedBody { step, .. }) => Some(*step),
            _ => None,
        };
        let resolved = heads.iter().any(|e| step(e) == Some(ProblemStep::Resolved));
        let reopened = heads.iter().any(|e| step(e) == Some(ProblemStep::Reopened));
        if resolved && reopened {
            let zone = store.event(problem)?.map_or(problem, |p| p.zone);
            out.push(Item {
                id: problem,
                rule: Rule::ResolveRacingReopen,
                zone,
                entries: heads.iter().map(|e| e.id).collect(),
            });
        }
    }
    Ok(out)
}

/// Residents whose last move raced another ([`super::moves::racing`]);
/// the item is the last move, about the resident.
fn racing_moves(store: &Store) -> Result<Vec<Item>, StoreError> {
    let mut out = Vec::new();
    for resident in store.residents_moved_twice()? {
        let moves = super::moves::of(store, resident, &[])?;
        let entries = super::moves::racing(&moves);
        if let Some(last) = entries.last() {
            out.push(Item {
                id: *last,
                rule: Rule::ConcurrentMoves,
                zone: resident,
                entries,
            });
        }
    }
    Ok(out)
}
