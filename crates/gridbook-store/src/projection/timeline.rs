//! Timelines: every event under its zone and every zone containing it, and
//! under every member it involves.
//!
//! Both trees are runs ([`super::runs`]): `Timeline` holds each zone's
//! events, `ByMember` each member's, as `owner ++ first event` → event ids.
//! Event ids sort by when things happened, so a timeline read newest first
//! is one reverse prefix scan.

use gridbook_domain::model::*;

use super::hierarchy::Ancestry;
use super::{Cx, Projection};
use crate::error::Result;
use crate::schema::Tree;
use crate::store::Store;

pub const PROJECTION: Projection = Projection {
    name: "timeline",
    trees: &[Tree::Timeline, Tree::ByMember],
    stage,
};

fn stage(cx: &mut Cx<'_>, e: &Event, anc: &Ancestry) -> Result<()> {
    for z in &anc.zones {
        super::runs::add(cx, Tree::Timeline, *z, e.id)?;
        if anc.of_member {
            cx.member_changed(*z);
        } else {
            cx.zone_changed(*z);
        }
    }
    let mut members = members_of(e);
    members.sort();
    members.dedup();
    for m in members {
        super::runs::add(cx, Tree::ByMember, m, e.id)?;
        cx.member_changed(m);
    }
    Ok(())
}

/// The members an event involves: who wrote it, and whom it is about.
fn members_of(e: &Event) -> Vec<Id> {
    let mut out: Vec<Id> = e.by.into_iter().collect();
    match &e.body {
        EventBody::Assigned { member, .. } | EventBody::Visit(VisitBody { member, .. }) => {
            out.push(*member)
        }
        // Every member who took part finds the activity in their history.
        EventBody::Activity(ActivityBody { members, .. }) => out.extend(members.iter().copied()),
        EventBody::Edited { target, kind, .. }
        | EventBody::Created { target, kind, .. }
        | EventBody::Tombstoned { target, kind, .. }
        | EventBody::Erased {
            person: target,
            kind,
        } => {
            if *kind == Kind::Member {
                out.push(*target);
            }
        }
        // The assignment's member is on the `Assigned` event; a correction,
        // a problem or a patrol involves only who wrote it.
        EventBody::AssignmentEnded { .. }
        | EventBody::ProblemOpened(_)
        | EventBody::ProblemStepped(_)
        | EventBody::Patrol(_)
        | EventBody::Moved { .. }
        | EventBody::Merged { .. }
        | EventBody::Amended { .. } => {}
    }
    out
}

impl Store {
    /// The newest `limit` events of `owner` in a timeline tree, newest first.
    fn events_by_prefix(&self, t: Tree, owner: Id, limit: usize) -> Result<Vec<Event>> {
        let mut out = Vec::new();
        if limit == 0 {
            return Ok(out);
        }
        self.each_in_runs(t, owner, true, |id| {
            // Events are never removed: one the index names and the
            // store lacks was lost, and a timeline without it is wrong.
            let e = self.event(id)?.ok_or_else(|| {
                crate::error::StoreError::Corrupt(format!(
                    "the timeline names the entry {id}, which is not stored"
                ))
            })?;
            out.push(e);
            Ok(out.len() < limit)
        })?;
        Ok(out)
    }

    /// The newest `limit` events of a zone and everything inside it, newest first.
    pub fn timeline(&self, zone: Id, limit: usize) -> Result<Vec<Event>> {
        self.events_by_prefix(Tree::Timeline, zone, limit)
    }

    /// The newest `limit` events a member wrote or is the subject of.
    pub fn member_timeline(&self, member: Id, limit: usize) -> Result<Vec<Event>> {
        self.events_by_prefix(Tree::ByMember, member, limit)
    }

    /// Ids of the events a member wrote or is the subject of, oldest first.
    pub fn member_event_ids(&self, member: Id) -> Result<Vec<Id>> {
        let mut out = Vec::new();
        self.each_in_runs(Tree::ByMember, member, false, |id| {
            out.push(id);
            Ok(true)
        })?;
        Ok(out)
    }
}
