//! Assignments: who is responsible for (or liaison of) each zone, and when.
//!
//! Keys: `Assignments` holds `zone ++ assignment event` → the span's end
//! (8 bytes, see [`keys::ts`]) once it ended, empty while it is open. The
//! rest of a span (member, role, start) is read from its `Assigned` event.

use serde::Serialize;

use gridbook_domain::model::*;

use super::hierarchy::Ancestry;
use super::{Cx, Projection};
use crate::error::Result;
use crate::keys;
use crate::schema::Tree;
use crate::store::Store;

pub const PROJECTION: Projection = Projection {
    name: "assignments",
    trees: &[Tree::Assignments],
    stage,
};

fn stage(cx: &mut Cx<'_>, e: &Event, _anc: &Ancestry) -> Result<()> {
    match &e.body {
        EventBody::Assigned { .. } => {
            cx.put(Tree::Assignments, keys::pair(e.zone, e.id), Vec::new());
        }
        EventBody::AssignmentEnded { assignment, until } => {
            cx.put(
                Tree::Assignments,
                keys::pair(e.zone, *assignment),
                keys::ts(*until).to_vec(),
            );
            if !cx.computing_from_scratch()
                && let Some(Event {
                    body: EventBody::Assigned { member, .. },
                    ..
                }) = cx.store.event(*assignment)?
            {
                cx.member_changed(member);
            }
        }
        EventBody::Visit(_)
        | EventBody::ProblemOpened(_)
        | EventBody::ProblemStepped(_)
        | EventBody::Patrol(_)
        | EventBody::Edited { .. }
        | EventBody::Created { .. }
        | EventBody::Tombstoned { .. }
        | EventBody::Activity(_)
        | EventBody::Moved { .. }
        | EventBody::Merged { .. }
        | EventBody::Erased { .. }
        | EventBody::Amended { .. } => {}
    }
    Ok(())
}

/// A responsibility span as derived from its events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub id: Id,
    pub zone: Id,
    pub member: Id,
    pub role: Role,
    pub since: Ts,
    pub until: Option<Ts>,
}

impl Assignment {
    pub fn active_at(&self, now: Ts) -> bool {
        self.since <= now && self.until.is_none_or(|u| u > now)
    }
}

impl Store {
    /// The assignment an `Assignments` entry (`zone ++ event` → until) stands for.
    fn assignment_entry(&self, k: &[u8], v: &[u8]) -> Result<Option<Assignment>> {
        let (Some(zone), Some(id)) = (keys::id_at(k, 0), keys::id_at(k, 16)) else {
            return Ok(None);
        };
        Ok(match self.event(id)? {
            Some(Event {
                body:
                    EventBody::Assigned {
                        member,
                        role,
                        since,
                        until,
                    },
                ..
            }) => Some(Assignment {
                id,
                zone,
                member,
                role,
                since,
                until: keys::ts_from(v).or(until),
            }),
            _ => None,
        })
    }

    /// Every assignment ever made on `zone` (direct only), oldest first.
    pub fn assignments_of(&self, zone: Id) -> Result<Vec<Assignment>> {
        let mut out = Vec::new();
        self.each(Tree::Assignments, &zone.to_bytes(), |k, v| {
            out.extend(self.assignment_entry(k, v)?);
            Ok(true)
        })?;
        Ok(out)
    }

    /// Every assignment of one member, on any zone.
    pub fn assignments_of_member(&self, member: Id) -> Result<Vec<Assignment>> {
        let mut zones: Vec<Id> = Vec::new();
        for id in self.member_event_ids(member)? {
            if let Some(e) = self.event(id)?
                && matches!(e.body, EventBody::Assigned { member: m, .. } if m == member)
                && !zones.contains(&e.zone)
            {
                zones.push(e.zone);
            }
        }
        let mut out = Vec::new();
        for z in zones {
            out.extend(
                self.assignments_of(z)?
                    .into_iter()
                    .filter(|a| a.member == member),
            );
        }
        Ok(out)
    }

    /// Every assignment on every zone: one pass over the assignments index.
    pub fn all_assignments(&self) -> Result<Vec<Assignment>> {
        let mut out = Vec::new();
        self.each(Tree::Assignments, &[], |k, v| {
            out.extend(self.assignment_entry(k, v)?);
            Ok(true)
        })?;
        Ok(out)
    }
}
