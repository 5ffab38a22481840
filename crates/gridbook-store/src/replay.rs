//! The replay after a merge, proportional to what arrived.
//!
//! A merge stages every arriving entry into the derived trees as it comes
//! ([`crate::store::Store::stage_event`]). Most derived entries do not
//! depend on the order entries are replayed in, so that is already what a
//! full [`Store::rebuild`] gives:
//!
//! - sets keyed by id: timelines, a member's events, children of places
//!   (places never move), corrections of an entry, versions of a record
//!   or a problem;
//! - maxima: the latest visit of a household, the latest patrol of a kind
//!   (the greater time wins whatever came first).
//!
//! What depends on the order is recomputed here, per *subject* the
//! arriving entries touch, from all of that subject's entries in the
//! agreed order ([`crate::order`]), through the projection's own staging:
//!
//! - a problem: whether it is open (its opening and its steps);
//! - an assignment: whether and when it ended (`Assigned` and every
//!   `AssignmentEnded` of it, found in its zone's timeline);
//! - an entry's follow-up date (a visit and its corrections).
//!
//! A resident's move (`Moved`) changes where it hangs and which household
//! lists it, and the moves of one resident are not indexed: a merge that
//! brings a move, or a resident now kept under another household, replays
//! everything ([`Subjects::whole`]).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use gridbook_domain::model::*;

use crate::engine::Op;
use crate::error::Result;
use crate::projection::{self, Cx, Projection, hierarchy};
use crate::schema::Tree;
use crate::store::Store;
use crate::writes::Writes;

/// The subjects whose derived entries depend on the order of entries that
/// arrived, collected over one or more batches.
#[derive(Clone, Debug, Default)]
pub struct Subjects {
    problems: BTreeSet<Id>,
    /// (zone, assignment).
    assignments: BTreeSet<(Id, Id)>,
    /// Entries whose follow-up a correction may move (visits, corrected entries).
    follow_ups: BTreeSet<Id>,
    whole: bool,
}

impl Subjects {
    /// Notes what an arriving entry can change.
    pub fn note(&mut self, e: &Event) {
        match &e.body {
            EventBody::ProblemOpened { .. } => {
                self.problems.insert(e.id);
            }
            EventBody::ProblemStepped(ProblemSteppedBody { problem, .. }) => {
                self.problems.insert(*problem);
            }
            EventBody::Assigned { .. } => {
                self.assignments.insert((e.zone, e.id));
            }
            EventBody::AssignmentEnded { assignment, .. } => {
                self.assignments.insert((e.zone, *assignment));
            }
            EventBody::Visit { .. } => {
                self.follow_ups.insert(e.id);
            }
            EventBody::Amended { supersedes, .. } => {
                self.follow_ups.insert(*supersedes);
            }
            EventBody::Moved { .. } => self.whole = true,
            EventBody::Patrol { .. }
            | EventBody::Edited { .. }
            | EventBody::Created { .. }
            | EventBody::Tombstoned { .. }
            | EventBody::Activity { .. }
            | EventBody::Merged { .. }
            | EventBody::Erased { .. } => {}
        }
    }

    /// Everything must be replayed (see the module's comment).
    pub fn replay_whole(&mut self) {
        self.whole = true;
    }

    /// Whether only a full replay is exact.
    pub fn whole(&self) -> bool {
        self.whole
    }

    /// Adds another set's subjects.
    pub fn extend(&mut self, other: Subjects) {
        self.problems.extend(other.problems);
        self.assignments.extend(other.assignments);
        self.follow_ups.extend(other.follow_ups);
        self.whole |= other.whole;
    }
}

impl Store {
    /// Replays the derived entries of `subjects` in the agreed order and
    /// clears the replay marker in the same transaction; a full
    /// [`Store::rebuild`] when only that is exact. The result is what a
    /// full rebuild gives. Killed before it commits, the marker is still
    /// there and the next open replays everything.
    pub fn replay(&self, subjects: &Subjects) -> Result<()> {
        if subjects.whole {
            return self.rebuild();
        }
        self.writable()?;
        let mut ops = Vec::new();
        let problems = self.problem_entries(&subjects.problems)?;
        ops.extend(self.restage(&projection::problems::PROJECTION, problems)?);
        let assignments = self.assignment_entries(&subjects.assignments)?;
        ops.extend(self.restage(&projection::assignments::PROJECTION, assignments)?);
        let follow_ups = self.follow_up_entries(&subjects.follow_ups)?;
        // A visit also stages its household's latest visit, which is a
        // maximum over every visit there: only the follow-up trees are
        // this subject's.
        ops.extend(self.restage_trees(
            &projection::visits::PROJECTION,
            &[Tree::FollowUps, Tree::FollowUpOf],
            follow_ups,
        )?);
        ops.push(crate::check::rebuild_done());
        self.engine().commit(&ops)?;
        self.flush()
    }

    /// A problem's opening and steps.
    fn problem_entries(&self, problems: &BTreeSet<Id>) -> Result<Vec<Event>> {
        let mut out = Vec::new();
        for p in problems {
            out.extend(self.event(*p)?);
            for (id, what) in self.versions_of(*p)? {
                if what == projection::versions::VersionOf::Step {
                    out.extend(self.event(id)?);
                }
            }
        }
        Ok(out)
    }

    /// Each assignment and every end of it: the ends are not indexed by
    /// assignment, so each zone's timeline is read once.
    fn assignment_entries(&self, assignments: &BTreeSet<(Id, Id)>) -> Result<Vec<Event>> {
        let mut by_zone: BTreeMap<Id, HashSet<Id>> = BTreeMap::new();
        for (zone, a) in assignments {
            by_zone.entry(*zone).or_default().insert(*a);
        }
        let mut out = Vec::new();
        for (zone, wanted) in by_zone {
            self.each_in_runs(Tree::Timeline, zone, false, |id| {
                if let Some(e) = self.event(id)? {
                    let a = match &e.body {
                        EventBody::Assigned { .. } => e.id,
                        EventBody::AssignmentEnded { assignment, .. } => *assignment,
                        _ => return Ok(true),
                    };
                    if e.zone == zone && wanted.contains(&a) {
                        out.push(e);
                    }
                }
                Ok(true)
            })?;
        }
        Ok(out)
    }

    /// An entry and its corrections.
    fn follow_up_entries(&self, entries: &BTreeSet<Id>) -> Result<Vec<Event>> {
        let mut out = Vec::new();
        for id in entries {
            out.extend(self.event(*id)?);
            for a in self.amendments_of(*id)? {
                out.extend(self.event(a)?);
            }
        }
        Ok(out)
    }

    /// Stages `events` in the agreed order from nothing through one
    /// projection, and returns the writes that bring every key they touch
    /// (and only those: each of these keys belongs to one subject, whose
    /// entries are all in `events`) to the value it ends with.
    fn restage(&self, p: &Projection, events: Vec<Event>) -> Result<Vec<Op>> {
        self.restage_trees(p, p.trees, events)
    }

    /// [`Store::restage`], keeping only the writes to `trees`.
    fn restage_trees(
        &self,
        p: &Projection,
        trees: &[Tree],
        mut events: Vec<Event>,
    ) -> Result<Vec<Op>> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let mut stamps = std::collections::HashMap::new();
        for e in &events {
            if let Some(s) = self.stamp(e.id)? {
                stamps.insert(e.id, s);
            }
        }
        crate::order::sort_events(&mut events, &stamps);
        events.dedup_by_key(|e| e.id);
        let mut w = Writes::new();
        w.from_scratch = true;
        {
            let mut cx = Cx::new(self, &mut w);
            for e in &events {
                let anc = hierarchy::staged_ancestry(&mut cx, e.zone)?;
                (p.stage)(&mut cx, e, &anc)?;
            }
        }
        w.settle();
        let mut last: BTreeMap<(usize, Vec<u8>), Option<Vec<u8>>> = BTreeMap::new();
        let ids: Vec<usize> = trees.iter().map(|t| t.id()).collect();
        for op in w.ops.into_iter().filter(|op| ids.contains(&op.tree)) {
            last.insert((op.tree, op.key), op.value);
        }
        let mut out = Vec::new();
        for ((tree, key), want) in last {
            if self.engine().get(tree, &key)? != want {
                out.push(Op {
                    tree,
                    key,
                    value: want,
                });
            }
        }
        Ok(out)
    }
}
