//! Write sets and what a commit changed.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use gridbook_domain::model::{Id, Kind};

use crate::engine::Op;
use crate::schema::Tree;

/// A set of writes that belong together: committed in one transaction.
#[derive(Default)]
pub struct Writes {
    pub(crate) ops: Vec<Op>,
    /// Parents of records added in this set, so events on them index correctly.
    pub(crate) pending_parents: HashMap<Id, (Kind, Id)>,
    /// Ancestries already looked up: bulk loads put many events on one zone.
    pub(crate) ancestry_cache: HashMap<Id, crate::projection::hierarchy::Ancestry>,
    /// What this set stages under keys that projections read before they
    /// write (the latest visit or patrol, a visit's follow-up date), so that
    /// one set holding several entries on the same key stays right.
    pub(crate) overlay: HashMap<(Tree, Vec<u8>), Option<Vec<u8>>>,
    /// Runs ([`crate::projection::runs`]) as this set leaves them (`None`:
    /// removed), written out once when the set is committed: a run takes
    /// many ids in one set and is stored once.
    pub(crate) runs: BTreeMap<(Tree, Vec<u8>), Option<Vec<u8>>>,
    /// Where residents this set wrote are listed in the care index
    /// (`None`: nowhere), so a second write of one resident moves it from
    /// where the first put it ([`crate::projection::care`]).
    pub(crate) care_owners: HashMap<Id, Option<Id>>,
    /// Computing derived indexes from scratch: ignore what is stored.
    pub(crate) from_scratch: bool,
    /// A bulk load's set ([`crate::bulk`]): `runs` stays here across its
    /// commits and is written once, at the end.
    pub(crate) keep_runs: bool,
    /// Kept sets: owners whose stored runs have been read into `runs`.
    pub(crate) runs_loaded: HashSet<(Tree, Id)>,
    /// Kept sets: run trees that held nothing when the set began, so no
    /// owner has a stored run there to read.
    pub(crate) runs_empty: Vec<Tree>,
    /// Kept sets: tracked trees ([`crate::projection::TRACKED`]) that held
    /// nothing when the set began. What the set puts there stays in
    /// `overlay` across its commits, answers every read, and is written
    /// once, in key order, by [`crate::store::Store::commit_last`].
    pub(crate) tracked_kept: Vec<Tree>,
    /// Records and events this set adds, per primary tree ([`crate::counts`]).
    pub(crate) added: [u64; 6],
    pub(crate) changes: Changes,
    /// Stamps, replaced versions and quarantine ([`crate::order`]).
    pub(crate) order: crate::order::Pending,
}

impl Writes {
    pub fn new() -> Writes {
        Writes::default()
    }
    /// The writes its next commit makes (a kept set's runs wait for its last).
    pub fn len(&self) -> usize {
        self.ops.len() + if self.keep_runs { 0 } else { self.runs.len() }
    }
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty() && self.runs.is_empty()
    }
    /// What committing this set will change.
    pub fn changes(&self) -> &Changes {
        &self.changes
    }
    pub(crate) fn put(&mut self, t: Tree, key: Vec<u8>, value: Vec<u8>) {
        self.ops.push(Op::put(t.id(), key, value));
    }
    pub(crate) fn del(&mut self, t: Tree, key: Vec<u8>) {
        self.ops.push(Op::del(t.id(), key));
    }

    /// Turns the staged runs into writes, before the set is committed.
    pub(crate) fn settle(&mut self) {
        for ((t, key), value) in std::mem::take(&mut self.runs) {
            self.ops.push(Op {
                tree: t.id(),
                key,
                value,
            });
        }
    }

    /// The staged run under `prefix` with the greatest key at or before
    /// `target` (`before`), or the least key after it.
    pub(crate) fn runs_near(
        &self,
        t: Tree,
        prefix: &[u8],
        target: &[u8],
        before: bool,
    ) -> Option<(Vec<u8>, Vec<u8>)> {
        use std::ops::Bound::{Excluded, Included, Unbounded};
        let lo = (t, prefix.to_vec());
        let at = (t, target.to_vec());
        let staged = |(k, v): (&(Tree, Vec<u8>), &Option<Vec<u8>>)| {
            Some((k.1.clone(), v.clone()?)).filter(|(k, _)| k.starts_with(prefix))
        };
        if before {
            self.runs
                .range((Included(lo), Included(at)))
                .rev()
                .find_map(staged)
        } else {
            self.runs
                .range((Excluded(at), Unbounded))
                .take_while(|((tt, k), _)| *tt == t && k.starts_with(prefix))
                .find_map(staged)
        }
    }
}

/// What a commit changed: enough for a lookup index or a screen to refresh
/// exactly what it shows, and nothing more. [`crate::store::Store::commit`]
/// and [`crate::store::Store::commit_bulk`] return it. Work that replaces
/// everything (`clear`, `rebuild`, a restore or an import) returns none:
/// after it, refresh everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Places and people written (added, edited or tombstoned), with their kind.
    pub records: BTreeMap<Id, Kind>,
    /// Events appended, in the order they were staged.
    pub events: Vec<Id>,
    /// Areas, buildings and households whose derived state changed (what is
    /// inside them, their timeline, open problems, responsible members,
    /// latest visit or patrol), each with every zone that contains it.
    pub zones: BTreeSet<Id>,
    /// Members whose timeline or responsibilities changed.
    pub members: BTreeSet<Id>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
            && self.events.is_empty()
            && self.zones.is_empty()
            && self.members.is_empty()
    }

    /// Whether `id` (a record, an event, a zone or a member) is among the changes.
    pub fn touches(&self, id: Id) -> bool {
        self.records.contains_key(&id)
            || self.zones.contains(&id)
            || self.members.contains(&id)
            || self.events.contains(&id)
    }

    /// Records written of one kind.
    pub fn records_of(&self, kind: Kind) -> impl Iterator<Item = Id> + '_ {
        self.records
            .iter()
            .filter(move |(_, k)| **k == kind)
            .map(|(id, _)| *id)
    }

    /// Adds what `other` changed (several commits shown as one).
    pub fn merge(&mut self, other: Changes) {
        self.records.extend(other.records);
        self.events.extend(other.events);
        self.zones.extend(other.zones);
        self.members.extend(other.members);
    }
}
