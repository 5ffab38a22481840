//! Visits: the latest visit to each household, and follow-ups that are due.
//!
//! Keys: `LastVisit` holds `household` → `at ++ visit event` (the greatest,
//! so the latest); `FollowUps` holds `date ++ visit event` → household, in
//! date order; `FollowUpOf` holds `visit event` → its current date (4
//! bytes), so a correction can move the follow-up it had.

use gridbook_domain::model::*;

use super::hierarchy::Ancestry;
use super::{Cx, Projection};
use crate::error::Result;
use crate::keys;
use crate::schema::Tree;
use crate::store::Store;

pub const PROJECTION: Projection = Projection {
    name: "visits",
    trees: &[Tree::LastVisit, Tree::FollowUps, Tree::FollowUpOf],
    stage,
};

fn stage(cx: &mut Cx<'_>, e: &Event, _anc: &Ancestry) -> Result<()> {
    match &e.body {
        EventBody::Visit(VisitBody {
            household,
            follow_up,
            ..
        }) => {
            let mut latest = keys::ts(e.at).to_vec();
            latest.extend_from_slice(&e.id.to_bytes());
            cx.put_max(Tree::LastVisit, keys::id(*household), latest)?;
            set_follow_up(cx, e.id, *household, *follow_up)?;
        }
        // A corrected visit moves its follow-up; its time stays the visit's.
        EventBody::Amended {
            supersedes,
            replacement:
                Correction::Visit(VisitBody {
                    household,
                    follow_up,
                    ..
                }),
            ..
        } => set_follow_up(cx, *supersedes, *household, *follow_up)?,
        EventBody::Amended { .. }
        | EventBody::Assigned { .. }
        | EventBody::AssignmentEnded { .. }
        | EventBody::ProblemOpened(_)
        | EventBody::ProblemStepped(_)
        | EventBody::Patrol(_)
        | EventBody::Edited { .. }
        | EventBody::Created { .. }
        | EventBody::Tombstoned { .. }
        | EventBody::Activity(_)
        | EventBody::Moved { .. }
        | EventBody::Merged { .. }
        | EventBody::Erased { .. } => {}
    }
    Ok(())
}

/// Sets the follow-up date of a visit, moving its entry in the follow-up
/// index from the date it had (staged or stored) to the new one.
fn set_follow_up(cx: &mut Cx<'_>, visit: Id, household: Id, date: Option<Date>) -> Result<()> {
    let key = keys::id(visit);
    let had = cx.current(Tree::FollowUpOf, &key)?;
    let had_any = had.is_some();
    if let Some(old) = had.filter(|o| o.len() == 4) {
        let mut k = old;
        k.extend_from_slice(&key);
        cx.del(Tree::FollowUps, k);
    }
    match date {
        Some(d) => {
            let mut k = keys::date(d).to_vec();
            k.extend_from_slice(&key);
            cx.put(Tree::FollowUps, k, household.to_bytes().to_vec());
            cx.put_tracked(Tree::FollowUpOf, key, Some(keys::date(d).to_vec()));
        }
        // Most visits set no follow-up: nothing to delete then.
        None if !had_any => {}
        None => cx.put_tracked(Tree::FollowUpOf, key, None),
    }
    Ok(())
}

/// A household's latest visit, as [`Store::last_visits`] lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LastVisit {
    pub household: Id,
    pub at: Ts,
    pub visit: Id,
}

impl Store {
    /// The latest visit to a household: (when, visit event id).
    pub fn last_visit(&self, household: Id) -> Result<Option<(Ts, Id)>> {
        Ok(self
            .get_raw(Tree::LastVisit, &household.to_bytes())?
            .and_then(|v| keys::ts_from(&v).zip(keys::id_at(&v, 8))))
    }

    /// The latest visit of every household ever visited, by household id
    /// ascending (the index's key order): one pass over the visits index for
    /// whole-estate reports, which look households up by binary search.
    pub fn last_visits(&self) -> Result<Vec<LastVisit>> {
        let mut out = Vec::new();
        self.each(Tree::LastVisit, &[], |k, v| {
            if let (Some(household), Some(at), Some(visit)) =
                (keys::id_at(k, 0), keys::ts_from(v), keys::id_at(v, 8))
            {
                out.push(LastVisit {
                    household,
                    at,
                    visit,
                });
            }
            Ok(true)
        })?;
        // Keys are big-endian ids, so this is already sorted; the sort only
        // guards the lookups' assumption.
        out.sort_unstable_by_key(|l| l.household);
        Ok(out)
    }

    /// Visits with a follow-up date up to and including `until`: (date, visit, household).
    pub fn follow_ups_until(&self, until: Date) -> Result<Vec<(Date, Id, Id)>> {
        let mut out = Vec::new();
        let end = keys::date(until);
        self.each(Tree::FollowUps, &[], |k, v| {
            if k.get(..4).is_none_or(|d| d > &end[..]) {
                return Ok(false);
            }
            if let (Some(date), Some(visit), Some(hh)) =
                (keys::date_from(k), keys::id_at(k, 4), keys::id_at(v, 0))
            {
                out.push((date, visit, hh));
            }
            Ok(true)
        })?;
        Ok(out)
    }
}
