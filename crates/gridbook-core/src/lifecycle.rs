//! Problems over their whole life, resolved ones included: what a zone
//! holds, and what was resolved lately (the open ones alone come from the
//! store's open-problems index; see `report::problems`).

use gridbook_domain::model::*;
use gridbook_store::store::{Store, StoreError};

/// A problem and whether it is open now.
#[derive(Clone, Debug)]
pub struct ProblemAt {
    pub opened: Event,
    pub open: bool,
}

/// Every problem reported in `zone` or inside it, open ones first, each
/// group newest first.
pub fn problems_in(store: &Store, zone: Id) -> Result<Vec<ProblemAt>, StoreError> {
    let mut out = Vec::new();
    for e in store.timeline(zone, usize::MAX)? {
        if matches!(e.body, EventBody::ProblemOpened(_)) {
            let open = store.is_problem_open(e.id)?;
            out.push(ProblemAt { opened: e, open });
        }
    }
    out.sort_by(|a, b| b.open.cmp(&a.open).then(b.opened.id.cmp(&a.opened.id)));
    Ok(out)
}

/// Problems resolved now whose last resolution falls on or after `since`,
/// each with when it was resolved, most recently resolved first.
pub fn resolved_since(store: &Store, since: Ts) -> Result<Vec<(Event, Ts)>, StoreError> {
    let mut seen: Vec<Id> = Vec::new();
    let mut out = Vec::new();
    let mut steps: Vec<Event> = store
        .events_since(since)?
        .into_iter()
        .filter(|e| {
            matches!(
                e.body,
                EventBody::ProblemStepped(ProblemSteppedBody {
                    step: ProblemStep::Resolved,
                    ..
                })
            )
        })
        .collect();
    steps.sort_by_key(|e| std::cmp::Reverse(e.at));
    for s in steps {
        let EventBody::ProblemStepped(ProblemSteppedBody { problem, .. }) = s.body else {
            continue;
        };
        if seen.contains(&problem) || store.is_problem_open(problem)? {
            continue;
        }
        seen.push(problem);
        if let Some(opened) = store.event(problem)? {
            out.push((opened, s.at));
        }
    }
    Ok(out)
}
