//! Projections: the derived indexes, one file each. A projection owns its
//! trees and their key layout, how one event (or, for the hierarchy, one
//! record) is staged into them, and the store's readers over them.
//!
//! Every projection's staging matches on every kind of event without a
//! catch-all arm, so adding a kind of event makes the compiler point at each
//! projection that must decide what the new kind means to it.
//!
//! Derived state is never the truth: `check` recomputes every projection
//! from records and events, and `rebuild` rewrites them.

use gridbook_domain::model::{Event, Id};

use crate::error::Result;
use crate::schema::Tree;
use crate::store::Store;
use crate::writes::Writes;

pub mod amendments;
pub mod assignments;
pub mod care;
pub mod hierarchy;
pub mod patrols;
pub mod problems;
pub mod runs;
pub mod timeline;
pub mod versions;
pub mod visits;

use hierarchy::Ancestry;

#[cfg(test)]
mod properties;

/// One derived index: its name, its trees, how an event is staged into it.
pub struct Projection {
    pub name: &'static str,
    /// The trees it owns; a rebuild clears and refills them.
    pub trees: &'static [Tree],
    /// Stages what one event implies, given the ancestry of its zone.
    pub(crate) stage: fn(&mut Cx<'_>, &Event, &Ancestry) -> Result<()>,
}

/// Every projection, in the order events are staged into them.
pub const ALL: [Projection; 9] = [
    hierarchy::PROJECTION,
    timeline::PROJECTION,
    assignments::PROJECTION,
    problems::PROJECTION,
    visits::PROJECTION,
    patrols::PROJECTION,
    amendments::PROJECTION,
    versions::PROJECTION,
    care::PROJECTION,
];

/// The trees projections read back before they write ([`Cx::current`]):
/// written only through [`Cx::put_tracked`], so a write set always knows
/// what it left in them.
pub(crate) const TRACKED: [Tree; 3] = [Tree::LastVisit, Tree::LastPatrol, Tree::FollowUpOf];

/// Stages every projection's entries for one event.
pub(crate) fn stage_event(cx: &mut Cx<'_>, e: &Event) -> Result<()> {
    let anc = hierarchy::staged_ancestry(cx, e.zone)?;
    for p in &ALL {
        (p.stage)(cx, e, &anc)?;
    }
    Ok(())
}

/// What a projection stages through: the write set, and the store to read
/// what is already there.
pub(crate) struct Cx<'a> {
    pub store: &'a Store,
    pub w: &'a mut Writes,
}

impl<'a> Cx<'a> {
    pub fn new(store: &'a Store, w: &'a mut Writes) -> Cx<'a> {
        Cx { store, w }
    }

    pub fn put(&mut self, t: Tree, key: Vec<u8>, value: Vec<u8>) {
        self.w.put(t, key, value);
    }

    pub fn del(&mut self, t: Tree, key: Vec<u8>) {
        self.w.del(t, key);
    }

    /// Whether the set is computing derived state from scratch (check and
    /// rebuild), where nothing stored may be read.
    pub fn computing_from_scratch(&self) -> bool {
        self.w.from_scratch
    }

    /// What `key` holds as far as this set knows: what the set staged with
    /// [`Cx::put_tracked`], else what is stored.
    pub fn current(&self, t: Tree, key: &[u8]) -> Result<Option<Vec<u8>>> {
        if let Some(v) = self.w.overlay.get(&(t, key.to_vec())) {
            return Ok(v.clone());
        }
        // A kept tree was empty when the set began and the set holds all it
        // has had since: what the set lacks, the store lacks.
        if self.w.from_scratch || self.w.tracked_kept.contains(&t) {
            return Ok(None);
        }
        self.store.get_raw(t, key)
    }

    /// Stages a write that later entries of this set read back with
    /// [`Cx::current`]. Only trees in [`TRACKED`] are written this way.
    pub fn put_tracked(&mut self, t: Tree, key: Vec<u8>, value: Option<Vec<u8>>) {
        debug_assert!(TRACKED.contains(&t), "{t:?} is not a tracked tree");
        if self.w.tracked_kept.contains(&t) {
            // Written once, by the kept set's last commit (crate::bulk):
            // a household's latest visit once, not at every visit.
            match value {
                Some(v) => self.w.overlay.insert((t, key), Some(v)),
                None => self.w.overlay.remove(&(t, key)),
            };
            return;
        }
        self.w.overlay.insert((t, key.clone()), value.clone());
        match value {
            Some(v) => self.w.put(t, key, v),
            None => self.w.del(t, key),
        }
    }

    /// Puts `value` under `key` unless a greater value is stored or staged:
    /// values are big-endian times (then ids), so byte order is time order.
    pub fn put_max(&mut self, t: Tree, key: Vec<u8>, value: Vec<u8>) -> Result<()> {
        let current = self.current(t, &key)?;
        if current.is_none_or(|c| value > c) {
            self.put_tracked(t, key, Some(value));
        }
        Ok(())
    }

    /// Notes that what a zone shows changed.
    pub fn zone_changed(&mut self, zone: Id) {
        if !self.w.from_scratch {
            self.w.changes.zones.insert(zone);
        }
    }

    /// Notes that what a member's views show changed.
    pub fn member_changed(&mut self, member: Id) {
        if !self.w.from_scratch {
            self.w.changes.members.insert(member);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::DERIVED;

    #[test]
    fn the_projections_own_every_derived_tree_once() {
        let mut owned: Vec<Tree> = ALL.iter().flat_map(|p| p.trees.iter().copied()).collect();
        owned.sort();
        let mut derived = DERIVED.to_vec();
        derived.sort();
        assert_eq!(owned, derived);
        let mut names: Vec<&str> = ALL.iter().map(|p| p.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }
}
