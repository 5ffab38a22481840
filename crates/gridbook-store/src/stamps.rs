//! How the `Order` tree keeps stamps: in runs of up to [`RUN_MAX`] stamps
//! under the id of the run's first entry, not one entry per stamp.
//!
//! sled pays about 320 bytes on disk for every entry, whatever its size
//! (BENCHMARKS.md, "Store"); a freshly generated 100k-household store
//! stamps a million events, a third of its entries. Runs keep each stamp
//! findable by one backwards seek (the greatest key at or before the id)
//! and a binary search.
//!
//! Value: [`RUN_TAG`], then the codec's bytes of the run's `(id, stamp)`
//! pairs in ascending id order, the first under the key's id. Schema 5 and
//! older kept one codec-encoded stamp per entry id; such a value starts
//! with the codec's format byte, never with [`RUN_TAG`], and reads as a run
//! of one, so a store part-way through its migration still reads whole.

use std::collections::BTreeMap;
use std::ops::Bound;

use gridbook_domain::model::Id;

use crate::codec;
use crate::engine::Op;
use crate::error::{Result, StoreError};
use crate::order::Stamp;
use crate::schema::Tree;
use crate::store::Store;

/// Stamps per run: about 3 KB, read whole to find one.
pub const RUN_MAX: usize = 64;

/// The first byte of a run's value ([`codec::FORMAT_VERSION`] starts a
/// single stamp of schema 5 and older).
const RUN_TAG: u8 = 0xA5;

/// One run: `(entry, stamp)` in ascending entry order.
pub(crate) type Run = Vec<(Id, Stamp)>;

fn corrupt(key: &[u8]) -> StoreError {
    StoreError::Corrupt(format!("a run of stamps is damaged ({key:02x?})"))
}

/// The stamps a value under `key` holds, in entry order.
pub(crate) fn decode(key: &[u8], value: &[u8]) -> Result<Run> {
    let first = Id::from_slice(key).filter(|_| key.len() == 16);
    let Some(first) = first else {
        return Err(corrupt(key));
    };
    let run: Run = match value.split_first() {
        Some((&RUN_TAG, body)) => codec::decode(body).map_err(|_| corrupt(key))?,
        _ => vec![(
            first,
            codec::decode(value).map_err(|source| StoreError::Codec {
                what: "stamp",
                source,
            })?,
        )],
    };
    let ordered = run.windows(2).all(|w| w[0].0 < w[1].0);
    if run.first().map(|(id, _)| *id) != Some(first) || !ordered {
        return Err(corrupt(key));
    }
    Ok(run)
}

/// The value of a run (not empty, in entry order).
pub(crate) fn encode(run: &Run) -> Result<Vec<u8>> {
    let body = codec::encode(run).map_err(|source| StoreError::Codec {
        what: "stamp",
        source,
    })?;
    let mut out = Vec::with_capacity(body.len() + 1);
    out.push(RUN_TAG);
    out.extend_from_slice(&body);
    Ok(out)
}

/// The key of the run starting at `first`.
fn key(first: Id) -> Vec<u8> {
    first.to_bytes().to_vec()
}

impl Store {
    /// The stored run with the greatest key at or before `id`.
    fn stamp_run_at(&self, id: Id) -> Result<Option<(Id, Run)>> {
        let mut found = None;
        self.engine().visit(
            Tree::Order.id(),
            (Bound::Unbounded, Bound::Included(key(id))),
            true,
            &mut |k, v| {
                found = Some((k.to_vec(), v.to_vec()));
                Ok(false)
            },
        )?;
        match found {
            None => Ok(None),
            Some((k, v)) => {
                let run = decode(&k, &v)?;
                Ok(Some((run[0].0, run)))
            }
        }
    }

    /// The first id of the stored run with the greatest key at or before
    /// `id` (`at_or_before`), or with the least key after it, without
    /// reading the run.
    fn stamp_key_near(&self, id: Id, at_or_before: bool) -> Result<Option<Id>> {
        let range = if at_or_before {
            (Bound::Unbounded, Bound::Included(key(id)))
        } else {
            (Bound::Excluded(key(id)), Bound::Unbounded)
        };
        let mut found = None;
        self.engine()
            .visit(Tree::Order.id(), range, at_or_before, &mut |k, _| {
                found = Some(
                    Id::from_slice(k)
                        .filter(|_| k.len() == 16)
                        .ok_or_else(|| corrupt(k))?,
                );
                Ok(false)
            })?;
        Ok(found)
    }

    /// The stamp of `id` from its run.
    pub(crate) fn stamp_from_runs(&self, id: Id) -> Result<Option<Stamp>> {
        Ok(self.stamp_run_at(id)?.and_then(|(_, run)| {
            run.binary_search_by_key(&id, |(e, _)| *e)
                .ok()
                .map(|i| run[i].1.clone())
        }))
    }

    /// Calls `f` with every stamp, in entry order.
    pub(crate) fn each_stamp(&self, mut f: impl FnMut(Id, Stamp) -> Result<()>) -> Result<()> {
        self.each(Tree::Order, &[], |k, v| {
            for (id, s) in decode(k, v)? {
                f(id, s)?;
            }
            Ok(true)
        })
    }

    /// The writes that put `stamps` into the runs (a stamp already there
    /// for an entry is replaced): each run touched is read once and
    /// written once, so a bulk load's thousands of stamps cost one write
    /// per run.
    pub(crate) fn stamp_ops(&self, mut stamps: Vec<(Id, Stamp)>) -> Result<Vec<Op>> {
        stamps.sort_by_key(|(id, _)| *id);
        let mut touched: BTreeMap<Id, Run> = BTreeMap::new();
        // The stored run key at or before the last id looked up, and the
        // stored key after it: until an id reaches that next key, its
        // stored run is the same, so a bulk load's thousands of new ids
        // (all after every stored run) cost two seeks, not one each.
        let mut near: Option<(Option<Id>, Option<Id>)> = None;
        for (id, s) in stamps {
            let staged = touched.range(..=id).next_back().map(|(k, _)| *k);
            let stored = match near {
                Some((at, next)) if next.is_none_or(|n| id < n) => at,
                _ => {
                    let at = self.stamp_key_near(id, true)?;
                    near = Some((at, self.stamp_key_near(id, false)?));
                    at
                }
            };
            // A stored run between the staged one and `id` is the one it
            // joins; a stored run the set touched is the staged one.
            let at = match stored {
                Some(k) if staged.is_none_or(|s| k > s) => {
                    let Some((_, run)) = self.stamp_run_at(k)? else {
                        return Err(corrupt(&key(k)));
                    };
                    touched.insert(k, run);
                    Some(k)
                }
                _ => staged,
            };
            let Some(at) = at else {
                // Before every run: it starts one.
                touched.insert(id, vec![(id, s)]);
                continue;
            };
            let run = touched.get_mut(&at).expect("the run was just found");
            match run.binary_search_by_key(&id, |(e, _)| *e) {
                Ok(i) => run[i].1 = s,
                Err(pos) if run.len() < RUN_MAX => run.insert(pos, (id, s)),
                // A full run and a later entry, the usual append: a new run.
                Err(pos) if pos == run.len() => {
                    touched.insert(id, vec![(id, s)]);
                }
                // A full run and an entry inside it: split it in halves.
                Err(pos) => {
                    run.insert(pos, (id, s));
                    let upper = run.split_off(run.len() / 2);
                    touched.insert(upper[0].0, upper);
                }
            }
        }
        touched
            .into_iter()
            .map(|(first, run)| Ok(Op::put(Tree::Order.id(), key(first), encode(&run)?)))
            .collect()
    }
}

/// Packs stamps given in entry order into full runs: the writes of a
/// store rewritten from scratch (the schema 5 → 6 step).
pub(crate) fn packed(stamps: impl IntoIterator<Item = (Id, Stamp)>) -> Result<Vec<Op>> {
    fn flush(run: &mut Run, out: &mut Vec<Op>) -> Result<()> {
        if let Some((first, _)) = run.first() {
            out.push(Op::put(Tree::Order.id(), key(*first), encode(run)?));
            run.clear();
        }
        Ok(())
    }
    let mut out = Vec::new();
    let mut run: Run = Vec::with_capacity(RUN_MAX);
    for pair in stamps {
        if run.len() == RUN_MAX {
            flush(&mut run, &mut out)?;
        }
        run.push(pair);
    }
    flush(&mut run, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(n: u128) -> Stamp {
        Stamp {
            lamport: n as u64,
            device: Id(1),
            seq: n as u64,
            replaces: Vec::new(),
        }
    }

    fn write(store: &Store, ids: impl IntoIterator<Item = u128>) {
        let ops = store
            .stamp_ops(ids.into_iter().map(|i| (Id(i), stamp(i))).collect())
            .unwrap();
        store.engine().commit(&ops).unwrap();
    }

    #[test]
    fn stamps_among_stored_runs_join_the_run_they_fall_in_and_all_read_back() {
        let store = Store::memory().unwrap();
        // Two full runs and a part.
        write(&store, (1..=150).map(|i| i * 10));
        // One set with ids before, inside and between those runs and after
        // them all: each must land in the run it falls in.
        write(&store, (0..=160).map(|i| i * 10 + 5));
        let mut all: Vec<u128> = (1..=150).map(|i| i * 10).collect();
        all.extend((0..=160).map(|i| i * 10 + 5));
        all.sort_unstable();

        let mut seen = Vec::new();
        store
            .each_stamp(|id, s| {
                assert_eq!(s.seq, id.0 as u64);
                seen.push(id.0);
                Ok(())
            })
            .unwrap();
        assert_eq!(seen, all, "every stamp once, in entry order");
        for id in &all {
            let s = store.stamp_from_runs(Id(*id)).unwrap();
            assert_eq!(s.map(|s| s.seq), Some(*id as u64), "stamp of {id}");
        }
        store
            .each(Tree::Order, &[], |k, v| {
                assert!(decode(k, v).unwrap().len() <= RUN_MAX);
                Ok(true)
            })
            .unwrap();
    }
}
