//! Runs: an index from an owner (a zone, a member) to many ids, packed as
//! sorted runs of ids instead of one entry per id.
//!
//! sled pays for every entry: a fragment in its log, a share of a leaf page
//! (a leaf splits at 16 entries), a slot in the page table it rebuilds on
//! every open. With one entry per `zone ++ event`, the timelines were 60%
//! of the entries of a 100k-household store (BENCHMARKS.md, "Store").
//!
//! Keys: `owner ++ first id` (32 bytes); value: the run's ids in ascending
//! byte order, 16 bytes each, the first equal to the key's, at most
//! [`RUN_MAX`] of them. A run is found by the greatest key at or before
//! `owner ++ id`, so reading an owner's ids in order is one prefix scan,
//! newest first when scanned backwards. Where the runs split depends on the
//! order ids arrived in; what they hold does not, and that is what `check`
//! compares ([`flatten`]).

use gridbook_domain::model::Id;

use super::Cx;
use crate::error::{Result, StoreError};
use crate::keys;
use crate::schema::Tree;
use crate::store::Store;
use crate::writes::Writes;

/// Ids per run: a run is read whole (1 KB at most) and rewritten on append.
pub const RUN_MAX: usize = 64;
const ID: usize = 16;

/// The trees kept as runs.
pub const TREES: [Tree; 4] = [Tree::Children, Tree::Timeline, Tree::ByMember, Tree::Care];

/// The ids of a run's value, or `None` when it is not a run (a length that
/// is not a whole number of ids, ids out of order).
pub fn ids(value: &[u8]) -> Option<Vec<Id>> {
    if value.is_empty() || !value.len().is_multiple_of(ID) {
        return None;
    }
    let out: Vec<Id> = value
        .chunks_exact(ID)
        .map(Id::from_slice)
        .collect::<Option<_>>()?;
    out.windows(2)
        .all(|w| w[0].to_bytes() < w[1].to_bytes())
        .then_some(out)
}

/// Every `owner ++ id` a run stands for, or `None` when the run is damaged
/// (not a run, or a key that is not `owner ++ first id`).
pub fn flatten(key: &[u8], value: &[u8]) -> Option<Vec<Vec<u8>>> {
    let owner = keys::id_at(key, 0)?;
    let ids = ids(value)?;
    if key.len() != 2 * ID || ids.first()?.to_bytes() != key[ID..] {
        return None;
    }
    Some(ids.into_iter().map(|id| keys::pair(owner, id)).collect())
}

/// Adds `id` to `owner`'s runs in tree `t` (nothing if it is there).
pub(crate) fn add(cx: &mut Cx<'_>, t: Tree, owner: Id, id: Id) -> Result<()> {
    let target = keys::pair(owner, id);
    let bytes = id.to_bytes();
    if cx.w.keep_runs {
        cx.load_stored_runs(t, owner)?;
        if append_in_place(cx.w, t, &target, &bytes) {
            return Ok(());
        }
    }
    let Some((key, mut value)) = cx.run_near(t, owner, &target, true)? else {
        // Older than every run of the owner: it starts the first run.
        match cx.run_near(t, owner, &target, false)? {
            Some((next, v)) if v.len() / ID < RUN_MAX => {
                let mut joined = bytes.to_vec();
                joined.extend_from_slice(&v);
                cx.put_run(t, next, None);
                cx.put_run(t, target, Some(joined));
            }
            _ => cx.put_run(t, target, Some(bytes.to_vec())),
        }
        return Ok(());
    };
    let n = value.len() / ID;
    // The first id not below `id`: where it goes.
    let pos = (0..n)
        .find(|i| value[i * ID..(i + 1) * ID] >= bytes[..])
        .unwrap_or(n);
    if pos < n && value[pos * ID..(pos + 1) * ID] == bytes[..] {
        return Ok(());
    }
    if n < RUN_MAX {
        value.splice(pos * ID..pos * ID, bytes);
        cx.put_run(t, key, Some(value));
    } else if pos == n {
        // A full run and a newer id, the usual append: a new run.
        cx.put_run(t, target, Some(bytes.to_vec()));
    } else {
        // A full run and an older id: split it in halves.
        value.splice(pos * ID..pos * ID, bytes);
        let upper = value.split_off(n.div_ceil(2) * ID);
        let mut upper_key = owner.to_bytes().to_vec();
        upper_key.extend_from_slice(&upper[..ID]);
        cx.put_run(t, key, Some(value));
        cx.put_run(t, upper_key, Some(upper));
    }
    Ok(())
}

/// A kept set's usual add ([`crate::bulk`]): `id` is newer than every id
/// of the owner's run at or before it, and that run has room. The id is
/// appended where the run is held, instead of the run being copied out and
/// back (a tenth of `gen`'s time went to those copies). `false`: not that
/// case, and nothing changed.
fn append_in_place(w: &mut Writes, t: Tree, target: &[u8], bytes: &[u8]) -> bool {
    use std::ops::Bound::Included;
    let owner = &target[..ID];
    let near = w
        .runs
        .range_mut((
            Included((t, owner.to_vec())),
            Included((t, target.to_vec())),
        ))
        .next_back();
    let Some(((_, key), Some(value))) = near else {
        return false;
    };
    let n = value.len() / ID;
    if !key.starts_with(owner)
        || n == 0
        || n >= RUN_MAX
        || n * ID != value.len()
        || value[(n - 1) * ID..] >= *bytes
    {
        return false;
    }
    value.extend_from_slice(bytes);
    true
}

/// Removes `id` from `owner`'s runs in tree `t` (nothing if it is not there).
pub(crate) fn remove(cx: &mut Cx<'_>, t: Tree, owner: Id, id: Id) -> Result<()> {
    let target = keys::pair(owner, id);
    let Some((key, mut value)) = cx.run_near(t, owner, &target, true)? else {
        return Ok(());
    };
    let bytes = id.to_bytes();
    let Some(pos) = (0..value.len() / ID).find(|i| value[i * ID..(i + 1) * ID] == bytes[..]) else {
        return Ok(());
    };
    value.drain(pos * ID..(pos + 1) * ID);
    if value.is_empty() {
        cx.put_run(t, key, None);
    } else if pos == 0 {
        // The run's first id went: it is keyed by the next one now.
        let mut next = owner.to_bytes().to_vec();
        next.extend_from_slice(&value[..ID]);
        cx.put_run(t, key, None);
        cx.put_run(t, next, Some(value));
    } else {
        cx.put_run(t, key, Some(value));
    }
    Ok(())
}

impl Cx<'_> {
    /// The run of `owner` with the greatest key at or before `target`
    /// (`before`), or the least key after it, as this set leaves it: what
    /// the set staged, else what is stored.
    fn run_near(
        &mut self,
        t: Tree,
        owner: Id,
        target: &[u8],
        before: bool,
    ) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        let prefix = owner.to_bytes();
        if self.w.keep_runs {
            // A bulk load holds its runs: read the owner's stored ones once,
            // then every lookup is in memory.
            self.load_stored_runs(t, owner)?;
            return Ok(self.w.runs_near(t, &prefix, target, before));
        }
        let staged = self.w.runs_near(t, &prefix, target, before);
        let mut stored: Option<(Vec<u8>, Vec<u8>)> = None;
        if !self.computing_from_scratch() {
            let range = if before {
                (
                    std::ops::Bound::Included(prefix.to_vec()),
                    std::ops::Bound::Included(target.to_vec()),
                )
            } else {
                (
                    std::ops::Bound::Excluded(target.to_vec()),
                    keys::prefix_range(&prefix).1,
                )
            };
            self.store
                .engine()
                .visit(t.id(), range, before, &mut |k, v| {
                    // A key this set staged or removed is the set's to answer.
                    if self.w.runs.contains_key(&(t, k.to_vec())) {
                        return Ok(true);
                    }
                    stored = Some((k.to_vec(), v.to_vec()));
                    Ok(false)
                })?;
        }
        Ok(match (staged, stored) {
            (Some(a), Some(b)) => Some(if (a.0 > b.0) == before { a } else { b }),
            (a, b) => a.or(b),
        })
    }

    /// Reads `owner`'s stored runs in `t` into a kept set, the first time
    /// the set touches that owner, unless the tree was empty when the set
    /// began (a store being filled: nothing to read).
    fn load_stored_runs(&mut self, t: Tree, owner: Id) -> Result<()> {
        if self.computing_from_scratch()
            || self.w.runs_empty.contains(&t)
            || !self.w.runs_loaded.insert((t, owner))
        {
            return Ok(());
        }
        let mut stored = Vec::new();
        self.store.each(t, &owner.to_bytes(), |k, v| {
            stored.push((k.to_vec(), v.to_vec()));
            Ok(true)
        })?;
        for (k, v) in stored {
            // Nothing of this owner is staged yet: staging reads first.
            self.w.runs.entry((t, k)).or_insert(Some(v));
        }
        Ok(())
    }

    fn put_run(&mut self, t: Tree, key: Vec<u8>, value: Option<Vec<u8>>) {
        self.w.runs.insert((t, key), value);
    }
}

impl Store {
    /// How many ids `owner`'s runs in tree `t` hold, without decoding them.
    /// A read error is an error, never a smaller count: a damaged page
    /// must not show as "no residents".
    pub(crate) fn count_in_runs(&self, t: Tree, owner: Id) -> Result<usize> {
        let mut n = 0;
        self.each(t, &owner.to_bytes(), |_, v| {
            n += v.len() / ID;
            Ok(true)
        })?;
        Ok(n)
    }

    /// Calls `f` with each id of `owner`'s runs in tree `t`, in order
    /// (newest first if `rev`), until it returns `false`.
    pub(crate) fn each_in_runs(
        &self,
        t: Tree,
        owner: Id,
        rev: bool,
        mut f: impl FnMut(Id) -> Result<bool>,
    ) -> Result<()> {
        let mut visit = |k: &[u8], v: &[u8]| -> Result<bool> {
            let ids = ids(v).ok_or_else(|| {
                StoreError::Corrupt(format!("a run of {} is damaged ({k:02x?})", t.name()))
            })?;
            if rev {
                for id in ids.into_iter().rev() {
                    if !f(id)? {
                        return Ok(false);
                    }
                }
            } else {
                for id in ids {
                    if !f(id)? {
                        return Ok(false);
                    }
                }
            }
            Ok(true)
        };
        if rev {
            self.each_rev(t, &owner.to_bytes(), &mut visit)
        } else {
            self.each(t, &owner.to_bytes(), &mut visit)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::writes::Writes;

    fn ids_of(store: &Store, owner: Id, rev: bool) -> Vec<u128> {
        let mut out = Vec::new();
        store
            .each_in_runs(Tree::Timeline, owner, rev, |id| {
                out.push(id.0);
                Ok(true)
            })
            .unwrap();
        out
    }

    /// Adds ids in the given order, `per_commit` to a write set.
    fn add_all(store: &Store, owner: Id, order: &[u128], per_commit: usize) {
        for chunk in order.chunks(per_commit.max(1)) {
            let mut w = Writes::new();
            let mut cx = Cx::new(store, &mut w);
            for id in chunk {
                add(&mut cx, Tree::Timeline, owner, Id(*id)).unwrap();
            }
            store.commit(w).unwrap();
        }
    }

    #[test]
    fn ids_come_back_in_order_however_they_arrived_and_runs_stay_small() {
        let owner = Id(7);
        let mut n: u128 = 12345;
        let mut shuffled: Vec<u128> = (1..=300).map(|i| i * 1000).collect();
        for i in (1..shuffled.len()).rev() {
            n = n
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            shuffled.swap(i, (n % (i as u128 + 1)) as usize);
        }
        let ascending: Vec<u128> = (1..=300).map(|i| i * 1000).collect();
        for (order, per_commit) in [
            (&ascending, 1),
            (&ascending, 50),
            (&shuffled, 1),
            (&shuffled, 7),
        ] {
            let store = Store::memory().unwrap();
            add_all(&store, owner, order, per_commit);
            // Adding an id twice changes nothing.
            add_all(&store, owner, &order[..10], 3);
            // Another owner's ids never mix in.
            add_all(&store, Id(8), &[5, 999_999], 1);
            assert_eq!(ids_of(&store, owner, false), ascending);
            let mut back = ascending.clone();
            back.reverse();
            assert_eq!(ids_of(&store, owner, true), back);
            let runs = store.raw_for_tests().keys("idx_timeline");
            let mine = runs
                .iter()
                .filter(|k| keys::id_at(k, 0) == Some(owner))
                .count();
            assert!(mine <= 300 / (RUN_MAX / 2) + 1, "{mine} runs");
            for k in &runs {
                let v = store.get_raw(Tree::Timeline, k).unwrap().unwrap();
                assert!(flatten(k, &v).is_some() && v.len() / ID <= RUN_MAX);
            }
        }
    }

    #[test]
    fn removed_ids_leave_their_runs_and_empty_runs_go() {
        let store = Store::memory().unwrap();
        let owner = Id(3);
        let all: Vec<u128> = (1..=150).collect();
        add_all(&store, owner, &all, 40);
        for chunk in [
            &[1u128, 2, 64, 65, 150][..],
            &(66..=130).collect::<Vec<_>>()[..],
        ] {
            let mut w = Writes::new();
            let mut cx = Cx::new(&store, &mut w);
            for id in chunk {
                remove(&mut cx, Tree::Timeline, owner, Id(*id)).unwrap();
            }
            // Removing what is not there changes nothing.
            remove(&mut cx, Tree::Timeline, owner, Id(9999)).unwrap();
            store.commit(w).unwrap();
        }
        let left: Vec<u128> = (3..=63).chain(131..=149).collect();
        assert_eq!(ids_of(&store, owner, false), left);
        assert_eq!(
            store.count_in_runs(Tree::Timeline, owner).unwrap(),
            left.len()
        );
        for k in store.raw_for_tests().keys("idx_timeline") {
            let v = store.get_raw(Tree::Timeline, &k).unwrap().unwrap();
            assert!(flatten(&k, &v).is_some(), "{k:?}");
        }
    }

    #[test]
    fn a_damaged_run_is_not_read_as_ids() {
        assert!(ids(&[]).is_none());
        assert!(ids(&[1; 17]).is_none());
        let (a, b) = (Id(1).to_bytes(), Id(2).to_bytes());
        assert!(ids(&[b, a].concat()).is_none());
        let run = [a, b].concat();
        assert_eq!(ids(&run), Some(vec![Id(1), Id(2)]));
        assert!(flatten(&keys::pair(Id(9), Id(1)), &run).is_some());
        assert!(flatten(&keys::pair(Id(9), Id(2)), &run).is_none());
        let store = Store::memory().unwrap();
        store
            .raw_for_tests()
            .insert("idx_timeline", &keys::pair(Id(9), Id(1)), &[0; 5]);
        assert!(
            store
                .each_in_runs(Tree::Timeline, Id(9), false, |_| Ok(true))
                .is_err()
        );
    }
}
