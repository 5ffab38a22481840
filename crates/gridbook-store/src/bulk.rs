//! Filling a store over many commits (`gen`, the benches' estates).
//!
//! A bulk load stages more than one transaction should hold, so it commits
//! in parts. Each event adds its id to a run of its zone, of every zone
//! around it and of each member it involves ([`crate::projection::runs`]);
//! a part committed on its own would write those runs, and the next part
//! would look each one up again in the store, a backwards scan per id and
//! owner. A kept set holds every run it touches in memory instead (tens of
//! megabytes at 100k households): an owner's stored runs are read once, and
//! none when the tree was empty at the start, and the runs are written once
//! by [`Store::commit_last`], in key order.
//!
//! The trees projections read back before they write (a household's
//! latest visit, a visit's follow-up date: [`crate::projection::TRACKED`])
//! are kept the same way when they were empty at the start: each event's
//! read is answered from memory instead of a sled lookup, and each key is
//! written once at the end, not at every visit (about 8% of `gen`'s time
//! went to those lookups, BENCHMARKS.md).
//!
//! Until then the run and tracked trees lack what the set holds: only for a
//! store being filled that nothing reads meanwhile (a replacement built
//! beside the data directory, [`crate::swap`]).

use crate::error::Result;
use crate::projection::{TRACKED, runs};
use crate::store::Store;
use crate::writes::{Changes, Writes};

/// Runs written per commit by [`Store::commit_last`]: up to 1 KB each, and
/// sled holds what a transaction replaces until it ends.
const RUNS_PER_COMMIT: usize = 5_000;

/// Tracked entries written per commit by [`Store::commit_last`]: tens of
/// bytes each.
const TRACKED_PER_COMMIT: usize = 10_000;

impl Store {
    /// A write set that keeps its runs across [`Store::commit_part`].
    pub fn bulk_writes(&self) -> Result<Writes> {
        let mut w = Writes::new();
        w.keep_runs = true;
        for t in runs::TREES {
            if self.engine().is_empty(t.id())? {
                w.runs_empty.push(t);
            }
        }
        for t in TRACKED {
            if self.engine().is_empty(t.id())? {
                w.tracked_kept.push(t);
            }
        }
        Ok(w)
    }

    /// Commits what `w` staged, except the runs of a kept set, which stay
    /// in `w` with what it knows of the places (places never move).
    pub fn commit_part(&self, w: &mut Writes) -> Result<Changes> {
        let mut part = std::mem::take(w);
        if part.keep_runs {
            w.keep_runs = true;
            w.runs = std::mem::take(&mut part.runs);
            w.runs_loaded = std::mem::take(&mut part.runs_loaded);
            w.runs_empty = std::mem::take(&mut part.runs_empty);
            w.ancestry_cache = std::mem::take(&mut part.ancestry_cache);
            // The other tracked trees' entries are in this part's writes.
            let kept = std::mem::take(&mut part.tracked_kept);
            w.overlay = std::mem::take(&mut part.overlay);
            if kept.len() < TRACKED.len() {
                w.overlay.retain(|(t, _), _| kept.contains(t));
            }
            w.tracked_kept = kept;
        }
        self.commit(part)
    }

    /// Commits the rest of `w`, then writes its kept tracked entries and
    /// runs, in key order, a bounded number per commit.
    pub fn commit_last(&self, mut w: Writes) -> Result<Changes> {
        let held = std::mem::take(&mut w.runs);
        w.keep_runs = false;
        let kept = std::mem::take(&mut w.tracked_kept);
        let mut tracked: Vec<_> = std::mem::take(&mut w.overlay)
            .into_iter()
            .filter(|((t, _), _)| kept.contains(t))
            .filter_map(|(k, v)| Some((k, v?)))
            .collect();
        let changes = self.commit(w)?;
        tracked.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut part = Writes::new();
        for ((t, key), value) in tracked {
            part.put(t, key, value);
            if part.ops.len() >= TRACKED_PER_COMMIT {
                self.commit(std::mem::take(&mut part))?;
            }
        }
        for (key, value) in held {
            part.runs.insert(key, value);
            if part.runs.len() >= RUNS_PER_COMMIT {
                self.commit(std::mem::take(&mut part))?;
            }
        }
        self.commit(part)?;
        Ok(changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Tree;
    use gridbook_domain::model::Id;

    fn ids_of(store: &Store, owner: Id) -> Vec<u128> {
        let mut out = Vec::new();
        store
            .each_in_runs(Tree::Timeline, owner, false, |id| {
                out.push(id.0);
                Ok(true)
            })
            .unwrap();
        out
    }

    fn add(store: &Store, w: &mut Writes, owner: Id, id: u128) {
        let mut cx = crate::projection::Cx::new(store, w);
        runs::add(&mut cx, Tree::Timeline, owner, Id(id)).unwrap();
    }

    #[test]
    fn a_kept_set_writes_its_runs_at_the_end_and_joins_the_stored_ones() {
        let store = Store::memory().unwrap();
        // An owner the store already has runs for, and one it has none for.
        let (old, new) = (Id(7), Id(8));
        let mut w = Writes::new();
        for id in (10..=200).step_by(10) {
            add(&store, &mut w, old, id);
        }
        store.commit(w).unwrap();

        let mut w = store.bulk_writes().unwrap();
        assert!(
            !w.runs_empty.contains(&Tree::Timeline),
            "the timeline has runs"
        );
        // An id the store holds already: its stored run is read, not replaced.
        add(&store, &mut w, old, 10);
        for (i, id) in (1..=300u128).rev().enumerate() {
            add(&store, &mut w, new, id);
            add(&store, &mut w, old, id * 10 + 5);
            if i % 37 == 0 {
                store.commit_part(&mut w).unwrap();
                // The runs wait for the last commit.
                assert!(ids_of(&store, new).is_empty());
                assert_eq!(ids_of(&store, old).len(), 20);
            }
        }
        assert_eq!(w.len(), 0, "a kept set's runs are not counted per part");
        store.commit_last(w).unwrap();

        assert_eq!(ids_of(&store, new), (1..=300).collect::<Vec<_>>());
        let mut want: Vec<u128> = (10..=200).step_by(10).collect();
        want.extend((1..=300u128).map(|id| id * 10 + 5));
        want.sort();
        assert_eq!(ids_of(&store, old), want);
        for k in store.raw_for_tests().keys("idx_timeline") {
            let v = store.get_raw(Tree::Timeline, &k).unwrap().unwrap();
            let held = runs::flatten(&k, &v).expect("a whole run");
            assert!(held.len() <= runs::RUN_MAX, "{} ids", held.len());
        }
    }

    #[test]
    fn a_kept_set_on_an_empty_tree_reads_no_stored_runs() {
        let store = Store::memory().unwrap();
        let mut w = store.bulk_writes().unwrap();
        assert!(w.runs_empty.contains(&Tree::Timeline));
        add(&store, &mut w, Id(1), 5);
        store.commit_part(&mut w).unwrap();
        add(&store, &mut w, Id(1), 3);
        assert!(w.runs_loaded.is_empty());
        store.commit_last(w).unwrap();
        assert_eq!(ids_of(&store, Id(1)), vec![3, 5]);
    }
}
