//! What an arriving batch does to a store: the merge rule.
//!
//! - **Events** are a set union by id: an entry not here is stored with the
//!   stamp it came with ([`gridbook_store::order`]); one here with the same
//!   bytes is skipped; one here with other bytes is kept aside in the
//!   quarantine and reported, never written over what is here.
//! - **Places and people** settle field by field through their version
//!   graph ([`graph`]): one head gives the value, concurrent edits of
//!   different fields both apply, disagreeing heads and a deletion racing
//!   an edit are conflicts listed for people ([`conflicts`]).
//! - **Derived state** replays in the order every device agrees on: when an
//!   arriving entry sorts before one already here, the commit marks the
//!   store for a replay and the replay follows once the batch, or the last
//!   batch of a [`Session`], is in (a kill in between leaves a store that
//!   replays everything on opening). The replay recomputes only the
//!   subjects the arriving entries touch ([`gridbook_store::replay`]).
//!
//! Everything a batch brings is written in one transaction: after a kill the
//! store is as before or fully merged, and the same batch again changes
//! nothing.

pub mod attention;
pub mod conflicts;
pub mod fields;
pub mod graph;
pub mod moves;

use std::collections::{BTreeMap, HashMap, HashSet};

use thiserror::Error;

use gridbook_domain::model::*;
use gridbook_store::order::{self, Quarantined, Stamp};
use gridbook_store::replay::Subjects;
use gridbook_store::store::{Record, Store, StoreError, Writes};

use crate::export::Dump;
use fields::Fields;
use graph::{Graph, Version};

/// What one batch did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Entries (records and events) newly stored, or records changed.
    pub received: usize,
    /// Already here with identical content: skipped.
    pub identical: usize,
    /// Same id, different content: kept aside, reported, never overwritten.
    pub quarantined: usize,
    /// New conflicts (the same field edited on two devices, an edit racing
    /// a deletion).
    pub conflicts: usize,
    /// New "needs attention" items (rules a merge can break).
    pub attention: usize,
}

#[derive(Debug, Error)]
pub enum MergeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The batch does not hold together (a record whose parent is neither
    /// here nor in the batch).
    #[error("the batch from {device} is not whole: {reason}")]
    Batch { device: String, reason: String },
}

impl gridbook_domain::error::Kinded for MergeError {
    fn kind(&self) -> gridbook_domain::error::ErrorKind {
        match self {
            MergeError::Store(e) => e.kind(),
            MergeError::Batch { .. } => gridbook_domain::error::ErrorKind::Input,
        }
    }
}

/// Applies one batch from `device` (its name) all-or-nothing: after a kill
/// the store is as before or fully merged. Applying the same batch twice
/// changes nothing the second time.
pub fn apply(store: &Store, batch: &Dump, device: &str) -> Result<MergeReport, MergeError> {
    let mut session = Session::new(store)?;
    let mut report = session.apply(batch, device)?;
    report.attention = session.finish()?;
    Ok(report)
}

/// Several batches applied in turn with at most one replay, at the end: a
/// sync that receives from ten devices whose entries interleave in the
/// agreed order replays the derived state once, not once per batch (each
/// replay reads the whole store).
///
/// Each batch still commits on its own, with the replay marker when it
/// needs one, so a kill between batches or before [`Session::finish`]
/// leaves a store that replays on opening. Between batches the derived
/// state holds every entry but not yet in the agreed order.
pub struct Session<'a> {
    store: &'a Store,
    attention_before: HashSet<Id>,
    replay: bool,
    /// What the batches' entries can change that depends on their order.
    subjects: Subjects,
}

impl<'a> Session<'a> {
    pub fn new(store: &'a Store) -> Result<Session<'a>, MergeError> {
        let attention_before = attention::list(store)?.iter().map(|a| a.id).collect();
        Ok(Session {
            store,
            attention_before,
            replay: false,
            subjects: Subjects::default(),
        })
    }

    /// Applies one batch from `device`; the report's `attention` stays 0
    /// (items are counted once the replay is done, by [`Session::finish`]).
    pub fn apply(&mut self, batch: &Dump, device: &str) -> Result<MergeReport, MergeError> {
        let (report, replay, subjects) = apply_one(self.store, batch, device)?;
        self.replay |= replay;
        self.subjects.extend(subjects);
        Ok(report)
    }

    /// Replays what the batches touched if any batch asked for it (see
    /// [`gridbook_store::replay`]), and returns
    /// how many "needs attention" items are new since the session began.
    pub fn finish(self) -> Result<usize, MergeError> {
        if self.replay {
            self.store.replay(&self.subjects)?;
        }
        Ok(attention::list(self.store)?
            .iter()
            .filter(|a| !self.attention_before.contains(&a.id))
            .count())
    }
}

/// One batch in one transaction; says whether the derived state must be
/// replayed (the transaction wrote the marker that says so), and what the
/// replay must recompute.
fn apply_one(
    store: &Store,
    batch: &Dump,
    device: &str,
) -> Result<(MergeReport, bool, Subjects), MergeError> {
    let mut report = MergeReport::default();
    let mut subjects = Subjects::default();
    let mut w = Writes::new();
    // Erasures known here or carried in the batch redact it before any
    // byte is compared (see `crate::erase::redact_batch`).
    let redactor = crate::erase::Redactor::for_batch(store, batch)?;
    let mut redacted = None;
    let mut touched = Vec::new();
    if let Some(r) = &redactor {
        let mut b = batch.clone();
        touched = r.apply(&mut b);
        redacted = Some(b);
    }
    let batch = redacted.as_ref().unwrap_or(batch);
    let stamps: HashMap<Id, Stamp> = batch.stamps.iter().map(|s| (s.id, s.stamp())).collect();
    let clock = store.clock()?;
    // Not `event_count`: sled counts a tree by walking it, which took 77%
    // of a 10-batch sync into a store of a million events.
    let had_events = store.has_events()?;

    // Events: new ones in the agreed order, versions of records noted.
    let mut events: Vec<&Event> = batch.events.iter().collect();
    events.sort_by_cached_key(|e| order::order_key(e, stamps.get(&e.id)));
    let mut fresh: Vec<&Event> = Vec::new();
    let mut adopted: Vec<&Event> = Vec::new();
    let mut versions: BTreeMap<Id, Vec<Version>> = BTreeMap::new();
    for e in events {
        let stamp = stamps.get(&e.id);
        match store.event(e.id)? {
            // The same bytes: already here. Its stamp here stands, unless
            // it has none (it came from a file written before stamps):
            // then it takes the one it arrived with, as every other device
            // holding it stamped does.
            // The same bytes, or the same once an erasure that waits for
            // the store's rewrite has redacted the copy here.
            Some(here) if here == *e || redactor.as_ref().is_some_and(|r| r.event(&here) == *e) => {
                report.identical += 1;
                if let Some(s) = stamp
                    && store.stamp(e.id)?.is_none()
                {
                    w.adopt_stamp(e.id, s.clone());
                    adopted.push(e);
                }
            }
            Some(_) => {
                let q = Quarantined {
                    event: e.clone(),
                    stamp: stamp.cloned(),
                    from: device.to_string(),
                    arrived: Ts::now(),
                };
                if store.stage_quarantine(&mut w, &q)? {
                    report.quarantined += 1;
                } else {
                    report.identical += 1;
                }
            }
            None => {
                if let (Some(target), Some(v)) = (Version::target(e), Version::of(e, stamp)) {
                    versions.entry(target).or_default().push(v);
                }
                fresh.push(e);
            }
        }
    }

    // Conflicts before, on the records this batch edits.
    let mut conflicts_before = 0;
    for target in versions.keys() {
        conflicts_before += open_conflicts(&Graph::read(store, *target, &[])?);
    }

    // Records, parents first; then records only the batch's edits or moves
    // touch.
    let moves: Vec<(&Event, Option<&Stamp>)> = fresh
        .iter()
        .filter(|e| matches!(e.body, EventBody::Moved { .. }))
        .map(|e| (*e, stamps.get(&e.id)))
        .collect();
    let mut seen: HashSet<Id> = HashSet::new();
    let parents = Parents::of(batch);
    let mut m = Merger {
        store,
        w: &mut w,
        versions: &versions,
        report: &mut report,
        seen: &mut seen,
        device,
        parents: &parents,
        subjects: &mut subjects,
        moves: &moves,
    };
    m.records(&batch.areas)?;
    m.records(&batch.buildings)?;
    m.records(&batch.households)?;
    m.records(&batch.residents)?;
    m.records(&batch.members)?;
    for target in versions.keys() {
        if m.seen.contains(target) {
            continue;
        }
        match store.kind_of(*target)?.map(|(k, _)| k) {
            Some(Kind::Area) => m.settle_local::<Area>(*target)?,
            Some(Kind::Building) => m.settle_local::<Building>(*target)?,
            Some(Kind::Household) => m.settle_local::<Household>(*target)?,
            Some(Kind::Resident) => m.settle_local::<Resident>(*target)?,
            Some(Kind::Member) => m.settle_local::<Member>(*target)?,
            None => {}
        }
    }
    for (e, _) in &moves {
        if let EventBody::Moved { resident, .. } = e.body
            && m.seen.insert(resident)
        {
            m.settle_local::<Resident>(resident)?;
        }
    }

    let mut replay = false;
    // An erasure that arrives is known from now on, and the store's
    // rewrite for it waits in the same transaction (so does one for a
    // person the batch still named): `crate::erase::complete` does it.
    if let Some(r) = &redactor {
        r.stage(&mut w, &fresh, &touched);
    }
    for e in &fresh {
        // An entry on a place this store does not know yet (its batch came
        // first: batches are ordered by commit time to the second) is
        // indexed under the places known; the replay once the batch that
        // brings them has come indexes it everywhere.
        if !store.zone_rooted(&mut w, e.zone)? {
            subjects.replay_whole();
        }
        store.stage_event(&mut w, e)?;
        subjects.note(e);
        report.received += 1;
        match stamps.get(&e.id) {
            Some(s) => {
                w.keep_stamp(e.id, s.clone());
                replay |= had_events && s.lamport <= clock;
            }
            None => replay |= had_events,
        }
    }
    // An entry taking a stamp moves in the agreed order: what it touches
    // is replayed. (Version graphs read stamps as they are: nothing to redo.)
    for e in &adopted {
        subjects.note(e);
        replay |= had_events;
    }
    replay |= subjects.whole();
    if replay {
        w.replay_after_commit();
    }
    let mut conflicts_after = 0;
    for (target, vs) in &versions {
        conflicts_after += open_conflicts(&Graph::read(store, *target, vs)?);
    }
    report.conflicts = conflicts_after.saturating_sub(conflicts_before);
    store.commit(w)?;
    Ok((report, replay, subjects))
}

/// Conflicts a record's graph holds: fields in dispute and a racing deletion.
fn open_conflicts(g: &Graph) -> usize {
    g.conflicts().len() + usize::from(g.race().is_some())
}

/// Every record id in a batch, to tell a parent that arrives with it.
struct Parents(HashSet<Id>);

impl Parents {
    fn of(batch: &Dump) -> Parents {
        let mut ids = HashSet::new();
        ids.extend(batch.areas.iter().map(|r| r.meta.id));
        ids.extend(batch.buildings.iter().map(|r| r.meta.id));
        ids.extend(batch.households.iter().map(|r| r.meta.id));
        ids.extend(batch.residents.iter().map(|r| r.meta.id));
        Parents(ids)
    }
}

struct Merger<'a> {
    store: &'a Store,
    w: &'a mut Writes,
    versions: &'a BTreeMap<Id, Vec<Version>>,
    report: &'a mut MergeReport,
    seen: &'a mut HashSet<Id>,
    device: &'a str,
    parents: &'a Parents,
    subjects: &'a mut Subjects,
    /// The batch's new moves, with their stamps.
    moves: &'a [(&'a Event, Option<&'a Stamp>)],
}

impl Merger<'_> {
    /// Writes a settled record that is here already. A resident now kept
    /// under another household than it hangs under here is a move the
    /// partial replay does not follow: everything is replayed then.
    fn stage_merged<R: Record>(&mut self, settled: &R) -> Result<(), MergeError> {
        if let Some(p) = settled.parent()
            && self.store.kind_of(settled.meta().id)?.map(|(_, p)| p) != Some(p)
        {
            self.subjects.replay_whole();
        }
        self.store.stage_merged(self.w, settled)?;
        Ok(())
    }

    /// A resident's household is where the last of its moves in the agreed
    /// order put it, as the replayed hierarchy lists it; the copies two
    /// laptops moved at once would otherwise settle on either.
    fn follow_moves<R: Record + Fields>(&self, r: &mut R) -> Result<(), StoreError> {
        if R::KIND != Kind::Resident {
            return Ok(());
        }
        if let Some(h) = moves::settled_household(self.store, r.meta().id, self.moves)? {
            r.set("household", &h.to_string(), Ts(0));
        }
        Ok(())
    }

    /// Whether the batch brings a move of `id`.
    fn moved(&self, id: Id) -> bool {
        self.moves
            .iter()
            .any(|(e, _)| matches!(e.body, EventBody::Moved { resident, .. } if resident == id))
    }

    fn graph(&self, id: Id) -> Result<Graph, StoreError> {
        let extra = self.versions.get(&id).map_or(&[][..], Vec::as_slice);
        Graph::read(self.store, id, extra)
    }

    fn records<R: Record + Fields + Clone + PartialEq>(
        &mut self,
        rs: &[R],
    ) -> Result<(), MergeError> {
        for r in rs {
            let id = r.meta().id;
            self.seen.insert(id);
            match self.store.record::<R>(id)? {
                None => {
                    if let Some(p) = r.parent().filter(|p| *p != Id::ROOT)
                        && !self.parents.0.contains(&p)
                        && self.store.kind_of(p)?.is_none()
                    {
                        return Err(MergeError::Batch {
                            device: self.device.to_string(),
                            reason: format!(
                                "{} {id} belongs to {p}, which is nowhere",
                                R::KIND.code()
                            ),
                        });
                    }
                    // Entries on it came first (see `apply_one`): they
                    // are indexed around it only by a whole replay.
                    if self.store.has_timeline(id)? {
                        self.subjects.replay_whole();
                    }
                    let mut settled = r.clone();
                    self.graph(id)?.apply_to(&mut settled);
                    self.follow_moves(&mut settled)?;
                    self.store.stage_new(self.w, &settled)?;
                    self.report.received += 1;
                }
                Some(here) => {
                    if here == *r && !self.versions.contains_key(&id) && !self.moved(id) {
                        self.report.identical += 1;
                        continue;
                    }
                    let mut settled = pick(&here, r);
                    settled.meta_mut().version = here.meta().version.max(r.meta().version);
                    self.graph(id)?.apply_to(&mut settled);
                    self.follow_moves(&mut settled)?;
                    if settled != here {
                        self.stage_merged(&settled)?;
                        self.report.received += 1;
                    } else if here == *r {
                        self.report.identical += 1;
                    }
                }
            }
        }
        Ok(())
    }

    /// A record here that only the batch's edits touch.
    fn settle_local<R: Record + Fields + Clone + PartialEq>(
        &mut self,
        id: Id,
    ) -> Result<(), MergeError> {
        let Some(here) = self.store.record::<R>(id)? else {
            return Ok(());
        };
        let mut settled = here.clone();
        self.graph(id)?.apply_to(&mut settled);
        self.follow_moves(&mut settled)?;
        if settled != here {
            self.stage_merged(&settled)?;
        }
        Ok(())
    }
}

/// Of two copies of one record, the base for fields no edit speaks for
/// (written by an older gridbook without an edit entry): the one with the
/// higher version, then the greater bytes, so every device picks the same.
fn pick<R: Record + Clone>(a: &R, b: &R) -> R {
    let bytes = |r: &R| gridbook_store::codec::encode(r).unwrap_or_default();
    let ka = (a.meta().version, bytes(a));
    let kb = (b.meta().version, bytes(b));
    if kb > ka { b.clone() } else { a.clone() }
}

#[cfg(test)]
pub(crate) mod tests;
