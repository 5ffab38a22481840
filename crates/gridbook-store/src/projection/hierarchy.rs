//! The hierarchy: where every place and person hangs.
//!
//! Where a record hangs is read from the record itself: a building names its
//! area, a household its building, a resident its household (areas hang
//! under [`Id::ROOT`], members under themselves). Schema 5 kept a copy of
//! that in a tree of its own, one entry per record; at sled's ~320 bytes an
//! entry it was a sixth of the store (BENCHMARKS.md, "Store").
//!
//! Keys: `Children` holds each parent's children as runs of ids
//! ([`super::runs`]), so a level is one prefix scan in creation order (ids
//! are time-ordered).

use gridbook_domain::model::*;

use super::{Cx, Projection};
use crate::codec;
use crate::error::{Result, StoreError};
use crate::schema::Tree;
use crate::store::{Record, Store};

pub const PROJECTION: Projection = Projection {
    name: "hierarchy",
    trees: &[Tree::Children],
    stage,
};

/// The zone an event is about and every zone containing it, innermost first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ancestry {
    pub zones: Vec<Id>,
    /// The "zone" is a member: events about members hang on the member.
    pub of_member: bool,
}

/// Places never move; a resident does (`Moved`): it leaves its household's
/// children for the new one's. A merge moves residents one `Moved` each, so
/// `Merged` itself changes nothing here.
fn stage(cx: &mut Cx<'_>, e: &Event, _anc: &Ancestry) -> Result<()> {
    match &e.body {
        EventBody::Moved { resident, from, to } => {
            // Out of where it is listed now, not where the move says it was:
            // two laptops moving it from the same household at once would
            // otherwise leave it listed under both new ones.
            let now = match cx.w.pending_parents.get(resident) {
                Some(e) => Some(*e),
                None => cx.store.kind_of(*resident)?,
            };
            let left = match now {
                Some((Kind::Resident, p)) => p,
                _ => *from,
            };
            super::runs::remove(cx, Tree::Children, left, *resident)?;
            super::runs::add(cx, Tree::Children, *to, *resident)?;
            // The resident's record names its new household: the move's
            // operation (or the merge) writes it in the same set.
            cx.w.pending_parents
                .insert(*resident, (Kind::Resident, *to));
            cx.w.ancestry_cache.remove(resident);
            if !cx.computing_from_scratch() {
                for h in [left, *to] {
                    for z in staged_ancestry(cx, h)?.zones {
                        cx.zone_changed(z);
                    }
                }
            }
            Ok(())
        }
        EventBody::Merged { .. }
        | EventBody::Erased { .. }
        | EventBody::Assigned { .. }
        | EventBody::AssignmentEnded { .. }
        | EventBody::Visit(_)
        | EventBody::ProblemOpened(_)
        | EventBody::ProblemStepped(_)
        | EventBody::Patrol(_)
        | EventBody::Edited { .. }
        | EventBody::Created { .. }
        | EventBody::Tombstoned { .. }
        | EventBody::Activity(_)
        | EventBody::Amended { .. } => Ok(()),
    }
}

/// Stages where a new record hangs.
pub(crate) fn stage_record(cx: &mut Cx<'_>, kind: Kind, id: Id, parent: Option<Id>) -> Result<()> {
    let hangs_on = parent.unwrap_or(id);
    if let Some(parent) = parent {
        super::runs::add(cx, Tree::Children, parent, id)?;
    }
    cx.w.pending_parents.insert(id, (kind, hangs_on));
    if cx.computing_from_scratch() {
        return Ok(());
    }
    match parent {
        None => cx.member_changed(id),
        Some(p) if p == Id::ROOT => {}
        Some(p) => {
            // The parent has a new child; what the zones around it count changed.
            for z in staged_ancestry(cx, p)?.zones {
                cx.zone_changed(z);
            }
        }
    }
    Ok(())
}

/// The ancestry of `zone`, seeing records added earlier in the same set.
pub(crate) fn staged_ancestry(cx: &mut Cx<'_>, zone: Id) -> Result<Ancestry> {
    if let Some(hit) = cx.w.ancestry_cache.get(&zone) {
        return Ok(hit.clone());
    }
    let mut out = Ancestry::default();
    let mut cur = zone;
    for _ in 0..5 {
        let entry = match cx.w.pending_parents.get(&cur) {
            Some(e) => Some(*e),
            None => cx.store.kind_of(cur)?,
        };
        let Some((kind, parent)) = entry else { break };
        if out.zones.is_empty() {
            out.of_member = kind == Kind::Member;
        }
        out.zones.push(cur);
        if parent == Id::ROOT || parent == cur {
            break;
        }
        cur = parent;
    }
    if out.zones.is_empty() {
        out.zones.push(zone);
    }
    // Places never move, so an ancestry stays true for the life of the set.
    cx.w.ancestry_cache.insert(zone, out.clone());
    Ok(out)
}

/// Whether `zone`'s chain of parents, as this set leaves it, reaches an
/// area or a member: every place around it is known, so an entry on it is
/// indexed in each of their timelines. A merge that brings entries before
/// the places they hang on must replay once the places are there.
pub(crate) fn rooted(cx: &Cx<'_>, zone: Id) -> Result<bool> {
    let mut cur = zone;
    for _ in 0..5 {
        let entry = match cx.w.pending_parents.get(&cur) {
            Some(e) => Some(*e),
            None => cx.store.kind_of(cur)?,
        };
        let Some((_, parent)) = entry else {
            return Ok(false);
        };
        if parent == Id::ROOT || parent == cur {
            return Ok(true);
        }
        cur = parent;
    }
    Ok(false)
}

impl Store {
    /// What `id` names and its parent (areas have [`Id::ROOT`], members
    /// themselves), from the record: one point read per record tree until
    /// it is found, smallest trees first (a miss there is one page), and
    /// the parent decoded from the record's leading fields alone.
    pub fn kind_of(&self, id: Id) -> Result<Option<(Kind, Id)>> {
        let key = id.to_bytes();
        for kind in [
            Kind::Area,
            Kind::Building,
            Kind::Member,
            Kind::Household,
            Kind::Resident,
        ] {
            let Some(v) = self.get_raw(crate::store::record_tree(kind), &key)? else {
                continue;
            };
            let parent = match kind {
                Kind::Area => Id::ROOT,
                Kind::Member => id,
                // Buildings, households and residents name their parent
                // right after their meta.
                _ => {
                    codec::decode_prefix::<(Meta, Id)>(&v)
                        .map_err(|source| StoreError::Codec {
                            what: kind.code(),
                            source,
                        })?
                        .1
                }
            };
            return Ok(Some((kind, parent)));
        }
        Ok(None)
    }

    /// The zone and its ancestors, innermost first (household, building, area).
    pub fn ancestry(&self, id: Id) -> Result<Vec<(Kind, Id)>> {
        let mut out = Vec::with_capacity(4);
        let mut cur = id;
        while let Some((kind, parent)) = self.kind_of(cur)? {
            out.push((kind, cur));
            if parent == Id::ROOT || parent == cur || out.len() > 4 {
                break;
            }
            cur = parent;
        }
        Ok(out)
    }

    /// Ids of the children of `parent` in key order (which is creation order).
    pub fn child_ids(&self, parent: Id) -> Result<Vec<Id>> {
        let mut out = Vec::new();
        self.each_in_runs(Tree::Children, parent, false, |id| {
            out.push(id);
            Ok(true)
        })?;
        Ok(out)
    }

    pub fn child_count(&self, parent: Id) -> Result<usize> {
        self.count_in_runs(Tree::Children, parent)
    }

    fn live_children<R: Record>(&self, parent: Id) -> Result<Vec<R>> {
        let mut out = Vec::new();
        for id in self.child_ids(parent)? {
            if let Some(r) = self.record::<R>(id)?
                && r.meta().is_live()
            {
                out.push(r);
            }
        }
        Ok(out)
    }

    pub fn areas(&self) -> Result<Vec<Area>> {
        self.live_children(Id::ROOT)
    }
    pub fn buildings_of(&self, area: Id) -> Result<Vec<Building>> {
        self.live_children(area)
    }
    pub fn households_of(&self, building: Id) -> Result<Vec<Household>> {
        self.live_children(building)
    }
    pub fn residents_of(&self, household: Id) -> Result<Vec<Resident>> {
        self.live_children(household)
    }
}
