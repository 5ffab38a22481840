//! The order every device agrees on, and what keeps entries apart when
//! devices merge.
//!
//! Each entry gets a [`Stamp`] when it is committed: a Lamport clock (one
//! more than the highest this store has seen, so an entry always sorts
//! after everything its writer knew), this store's device id and a
//! per-device sequence. Stamps live in their own tree, packed in runs by
//! entry id (the `Order` tree, [`crate::stamps`]), not inside [`Event`]: events keep their stored
//! bytes, so a merge compares them as they are, and an export carries the
//! stamps beside the events. Derived state replays in [`OrderKey`] order.
//!
//! Entries written before stamps existed have none; they sort first, among
//! themselves in the order they were written ([`Event::write_order`]), which
//! every device holding them computes the same way.
//!
//! An edit also names the versions it replaces ([`Stamp::replaces`]): the
//! heads of the record's field when it was written (see
//! `gridbook_core::merge`). Entries from another device that reuse an id
//! with other bytes are kept aside in the `Quarantine` tree.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use gridbook_domain::model::{Event, Id, Ts};

use crate::codec;
use crate::engine::Op;
use crate::error::{Result, StoreError};
use crate::keys;
use crate::schema::Tree;
use crate::store::Store;
use crate::writes::Writes;

const DEVICE_KEY: &[u8] = b"device";
const CLOCK_KEY: &[u8] = b"lamport";
const SEQ_KEY: &[u8] = b"seq";

/// Where an entry stands in the order every device agrees on.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stamp {
    /// One more than the highest clock its writer had seen.
    pub lamport: u64,
    /// The device that wrote it.
    pub device: Id,
    /// Its place among that device's entries, from 1.
    pub seq: u64,
    /// For edits of places and people: the versions (entry ids) of the same
    /// field it replaces. Empty: it replaces the record as created.
    pub replaces: Vec<Id>,
}

/// The replay order: Lamport clock, device, sequence; entries without a
/// stamp first, in the order they were written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct OrderKey {
    pub lamport: u64,
    pub device: Id,
    pub seq: u64,
    pub written: (Ts, u128),
}

/// The order key of `e`, stamped `s` (or not).
pub fn order_key(e: &Event, s: Option<&Stamp>) -> OrderKey {
    let (lamport, device, seq) = s.map_or((0, Id::ROOT, 0), |s| (s.lamport, s.device, s.seq));
    OrderKey {
        lamport,
        device,
        seq,
        written: e.write_order(),
    }
}

/// Sorts events into replay order.
pub fn sort_events(events: &mut [Event], stamps: &HashMap<Id, Stamp>) {
    events.sort_by_cached_key(|e| order_key(e, stamps.get(&e.id)));
}

/// An entry from another device whose id is taken here by other bytes:
/// kept aside, never written over what is here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quarantined {
    pub event: Event,
    pub stamp: Option<Stamp>,
    /// The device the batch came from, as the batch named it.
    pub from: String,
    /// When it arrived.
    pub arrived: Ts,
}

/// What a write set does to the order: stamps that came with received
/// entries, the versions local edits replace, and whether derived state
/// must be replayed from scratch after the commit.
#[derive(Default)]
pub(crate) struct Pending {
    received: HashMap<Id, Stamp>,
    /// Entries stored here without a stamp that arrived again with one.
    adopted: HashMap<Id, Stamp>,
    replaces: HashMap<Id, Vec<Id>>,
    /// The latest edit of each record's field staged in this set, so a
    /// second edit of it in the same set replaces the first.
    latest: HashMap<(Id, String), Id>,
    replay: bool,
}

impl Writes {
    /// `entry` (staged in this set) replaces these versions of its field.
    pub fn name_replaced(&mut self, entry: Id, versions: Vec<Id>) {
        self.order.replaces.insert(entry, versions);
    }

    /// `entry`, an edit of `record`'s `field` staged in this set, replaces
    /// the field's heads: the edit of it staged last in this set, else
    /// what `stored` reads from the store.
    pub fn name_replaced_field<E>(
        &mut self,
        entry: Id,
        record: Id,
        field: &str,
        stored: impl FnOnce() -> std::result::Result<Vec<Id>, E>,
    ) -> std::result::Result<(), E> {
        let key = (record, field.to_string());
        let heads = match self.order.latest.get(&key) {
            Some(prev) => vec![*prev],
            None => stored()?,
        };
        self.order.latest.insert(key, entry);
        self.name_replaced(entry, heads);
        Ok(())
    }

    /// `entry` (staged in this set) came from elsewhere with `stamp`: it
    /// keeps it, and the clock moves past it.
    pub fn keep_stamp(&mut self, entry: Id, stamp: Stamp) {
        self.order.received.insert(entry, stamp);
    }

    /// `entry`, stored here without a stamp (it came from a file written
    /// before stamps), arrived again, the same bytes, with `stamp`: it
    /// takes that stamp, so every device sorts it alike, and the clock
    /// moves past it.
    pub fn adopt_stamp(&mut self, entry: Id, stamp: Stamp) {
        self.order.adopted.insert(entry, stamp);
    }

    /// Derived state must be replayed in order after this set commits
    /// (entries arrived that sort before ones already here). The marker
    /// is written in the same transaction, so a kill before the replay
    /// finishes leaves a store that replays on opening.
    pub fn replay_after_commit(&mut self) {
        if !self.order.replay {
            self.order.replay = true;
            self.ops.push(crate::check::rebuild_marker());
        }
    }

    /// Whether [`Writes::replay_after_commit`] was asked for.
    pub fn replays(&self) -> bool {
        self.order.replay
    }
}

/// A small stable hash (FNV-1a), to tell apart two different entries
/// quarantined under one id.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn u64_of(v: Option<Vec<u8>>) -> u64 {
    v.and_then(|v| v.as_slice().try_into().ok().map(u64::from_be_bytes))
        .unwrap_or(0)
}

impl Store {
    /// This store's device id, made by its first stamped write (none before).
    pub fn device_id(&self) -> Result<Option<Id>> {
        Ok(self
            .get_raw(Tree::Meta, DEVICE_KEY)?
            .and_then(|v| Id::from_slice(&v)))
    }

    /// Forgets this store's device id, so its next stamped write makes a
    /// new one: a copy of a laptop's store set up as another laptop must
    /// not stamp its entries as the laptop it was copied from. Entries
    /// already stamped keep their stamps; the sequence goes on counting.
    pub fn renew_device(&self) -> Result<()> {
        self.writable()?;
        let _one = self.committing.lock().unwrap_or_else(|e| e.into_inner());
        self.engine()
            .commit(&[Op::del(Tree::Meta.id(), DEVICE_KEY.to_vec())])?;
        drop(_one);
        self.flush()
    }

    /// The highest Lamport clock this store has seen.
    pub fn clock(&self) -> Result<u64> {
        Ok(u64_of(self.get_raw(Tree::Meta, CLOCK_KEY)?))
    }

    /// The stamp of one entry (none for entries from before stamps).
    pub fn stamp(&self, id: Id) -> Result<Option<Stamp>> {
        self.stamp_from_runs(id)
    }

    /// Every stamp, in entry id order.
    pub fn stamps(&self) -> Result<Vec<(Id, Stamp)>> {
        let mut out = Vec::new();
        self.each_stamp(|id, s| {
            out.push((id, s));
            Ok(())
        })?;
        Ok(out)
    }

    /// Keeps `q` aside in the quarantine, unless the same bytes are kept
    /// under its id already. Returns whether it is new.
    pub fn stage_quarantine(&self, w: &mut Writes, q: &Quarantined) -> Result<bool> {
        let bytes = codec::encode(&q.event).map_err(|source| StoreError::Codec {
            what: "event",
            source,
        })?;
        let mut key = keys::id(q.event.id);
        key.extend_from_slice(&fnv(&bytes).to_be_bytes());
        if self.get_raw(Tree::Quarantine, &key)?.is_some()
            || w.ops
                .iter()
                .any(|op| op.tree == Tree::Quarantine.id() && op.key == key)
        {
            return Ok(false);
        }
        let value = codec::encode(q).map_err(|source| StoreError::Codec {
            what: "quarantined entry",
            source,
        })?;
        w.put(Tree::Quarantine, key, value);
        Ok(true)
    }

    /// Writes a record as a merge settled it: its version is not bumped
    /// (the merge took the higher of the two), and where it hangs does not
    /// change (places never move; a resident moves by `Moved` entries).
    pub fn stage_merged<R: crate::store::Record>(&self, w: &mut Writes, record: &R) -> Result<()> {
        let id = record.meta().id;
        let bytes = codec::encode(record).map_err(|source| StoreError::Codec {
            what: R::KIND.code(),
            source,
        })?;
        self.stage_care(w, record, true)?;
        w.put(crate::store::record_tree(R::KIND), keys::id(id), bytes);
        w.changes.records.insert(id, R::KIND);
        Ok(())
    }

    /// Every entry kept aside, by id.
    pub fn quarantined(&self) -> Result<Vec<Quarantined>> {
        let mut out = Vec::new();
        self.each(Tree::Quarantine, &[], |_, v| {
            out.push(codec::decode(v).map_err(|source| StoreError::Codec {
                what: "quarantined entry",
                source,
            })?);
            Ok(true)
        })?;
        Ok(out)
    }

    /// Adds the order's writes to `w`, inside the commit's lock: every event
    /// staged gets its stamp (received ones keep theirs; with `fresh`, the
    /// others get a new one from this device), the clock and sequence move
    /// on, quarantined entries and the replay marker go in the same
    /// transaction.
    pub(crate) fn stamp_writes(&self, w: &mut Writes, fresh: bool) -> Result<()> {
        let mut pending = std::mem::take(&mut w.order);
        let mut clock = self.clock()?;
        let start = clock;
        let mut seq = u64_of(self.get_raw(Tree::Meta, SEQ_KEY)?);
        let mut ops = Vec::new();
        let mut stamps = Vec::new();
        let mut device = None;
        let events = w.changes.events.clone();
        // Ids stamped so far, as a set: a bulk load commits thousands of
        // events at once, and a scan of `ops` per event was quadratic.
        let mut stamped = std::collections::HashSet::with_capacity(events.len());
        for id in &events {
            if let Some(s) = pending.received.remove(id) {
                clock = clock.max(s.lamport);
                stamped.insert(*id);
                stamps.push((*id, s));
            }
        }
        for (id, s) in std::mem::take(&mut pending.adopted) {
            clock = clock.max(s.lamport);
            stamps.push((id, s));
        }
        for id in &events {
            if !fresh || !stamped.insert(*id) {
                continue;
            }
            let dev = match device {
                Some(d) => d,
                None => {
                    let d = match self.device_id()? {
                        Some(d) => d,
                        None => {
                            let d = Id::new();
                            ops.push(Op::put(Tree::Meta.id(), DEVICE_KEY.to_vec(), keys::id(d)));
                            d
                        }
                    };
                    device = Some(d);
                    d
                }
            };
            seq += 1;
            let s = Stamp {
                // One clock for the whole commit: its entries keep their
                // staging order through the sequence.
                lamport: start.max(clock) + 1,
                device: dev,
                seq,
                replaces: pending.replaces.remove(id).unwrap_or_default(),
            };
            stamps.push((*id, s));
        }
        ops.extend(self.stamp_ops(stamps)?);
        if device.is_some() {
            clock = start.max(clock) + 1;
        }
        if clock != start {
            ops.push(Op::put(
                Tree::Meta.id(),
                CLOCK_KEY.to_vec(),
                clock.to_be_bytes().to_vec(),
            ));
        }
        if device.is_some() {
            ops.push(Op::put(
                Tree::Meta.id(),
                SEQ_KEY.to_vec(),
                seq.to_be_bytes().to_vec(),
            ));
        }
        w.order.replay = pending.replay;
        w.ops.extend(ops);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridbook_domain::model::EventBody;

    fn ev(ms: i64) -> Event {
        Event::with_id(
            Id::from_parts(ms, 1),
            Id::from_parts(1, 1),
            Ts(ms),
            None,
            EventBody::Merged {
                from: Id::from_parts(2, 2),
                into: Id::from_parts(3, 3),
            },
        )
    }

    #[test]
    fn unstamped_entries_sort_first_then_clock_device_sequence() {
        let (a, b, c) = (ev(30), ev(20), ev(10));
        let dev = |n| Id::from_parts(1, n);
        let s = |l, d, q| Stamp {
            lamport: l,
            device: dev(d),
            seq: q,
            replaces: vec![],
        };
        let mut stamps = HashMap::new();
        stamps.insert(a.id, s(2, 1, 5));
        stamps.insert(b.id, s(2, 0, 9));
        let mut events = vec![a.clone(), b.clone(), c.clone()];
        sort_events(&mut events, &stamps);
        assert_eq!(
            events.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![c.id, b.id, a.id]
        );
    }

    #[test]
    fn a_stamp_round_trips_through_the_codec() {
        let s = Stamp {
            lamport: 7,
            device: Id::new(),
            seq: 3,
            replaces: vec![Id::new(), Id::new()],
        };
        let run = vec![(Id(9), s.clone())];
        let key = Id(9).to_bytes();
        assert_eq!(
            crate::stamps::decode(&key, &crate::stamps::encode(&run).unwrap()).unwrap(),
            run
        );
        // Schema 5 and older kept one stamp under its entry's id.
        let single = codec::encode(&s).unwrap();
        assert_eq!(crate::stamps::decode(&key, &single).unwrap(), run);
    }
}
