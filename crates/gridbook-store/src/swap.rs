//! Bulk work all or nothing. `import json`, `restore`, `gen` and the demo
//! load build a complete store beside the current one, in `DATA/.incoming/`,
//! and swap it in by rename; a kill at any moment leaves the old store or
//! the complete new one, never a mix. `check --rebuild` marks the store
//! while it rewrites the derived trees, and opening a marked store finishes
//! the rebuild.
//!
//! The swap, under the data directory's lock:
//! 1. build into `.incoming/store`, flush, close;
//! 2. write `.incoming/complete` (the point of no return);
//! 3. rename `store` → `store.replaced`, then `.incoming/store` → `store`;
//! 4. remove `store.replaced` and `.incoming`.
//!
//! Opening recovers whatever a kill left: after step 2 it rolls forward,
//! before it rolls back.

use std::fs::{self, File};
use std::path::Path;

use crate::error::{Result, StoreError};
use crate::schema::Tree;
use crate::store::{Store, WriterLock};

/// Where a replacement store is built, inside the data directory.
pub const INCOMING: &str = ".incoming";
/// Where the old store waits during the swap.
const REPLACED: &str = "store.replaced";
/// Written once the replacement is complete and flushed.
const COMPLETE: &str = "complete";
/// Where a large replacement is copied in key order, inside `.incoming`.
const PACKING: &str = "packing";
/// Where a bulk load builds the trees it does not write in key order,
/// inside `.incoming` ([`replace_bulk`]).
const SCRATCH: &str = "scratch";

fn io(dir: &Path, path: &Path, e: std::io::Error) -> StoreError {
    crate::error::io_error(dir, path, e)
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| io(dir, dir, e))
}

fn remove_dir(dir: &Path, path: &Path) -> Result<()> {
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(dir, path, e)),
    }
}

/// Builds a new store with `build` and swaps it in for the one in `dir`,
/// whose lock the caller holds (no store may be open on `dir`). Returns the
/// lock, still held. When `build` fails nothing in `dir` changes.
pub fn replace<E: From<StoreError>>(
    dir: &Path,
    lock: WriterLock,
    build: impl FnOnce(&Store) -> std::result::Result<(), E>,
) -> std::result::Result<WriterLock, E> {
    replace_packing_above(dir, lock, PACK_ABOVE, build)
}

/// [`replace`] for a store built in key order already (the migrations'
/// copies): no second copy.
pub(crate) fn replace_as_built<E: From<StoreError>>(
    dir: &Path,
    lock: WriterLock,
    build: impl FnOnce(&Store) -> std::result::Result<(), E>,
) -> std::result::Result<WriterLock, E> {
    replace_packing_above(dir, lock, u64::MAX, build)
}

/// A built store larger than this on disk is copied once more, in key
/// order, before it is swapped in.
const PACK_ABOVE: u64 = 16 << 20;

/// [`replace`] for a bulk load into the new store ([`crate::bulk`]) that
/// stages each tree of `in_order` in key order, every key once. Those
/// trees, and the runs and read-back trees the load holds until its last
/// commit, are written straight into the new store; the others go to a
/// scratch store beside it and are copied over in key order at the end
/// ([`crate::engine::split`]). Most of the store is written once instead
/// of twice; written across the load's transactions, beside the other
/// trees, sled keeps more stale pages than a whole copy leaves: at 100k
/// households `gen` took 0.65× the time, for a store about 10% larger
/// (BENCHMARKS.md, "Generating and loading 100k households").
pub fn replace_bulk<E: From<StoreError>>(
    dir: &Path,
    lock: WriterLock,
    in_order: &[Tree],
    build: impl FnOnce(&Store) -> std::result::Result<(), E>,
) -> std::result::Result<WriterLock, E> {
    let mut direct = in_order.to_vec();
    direct.extend(crate::projection::runs::TREES);
    direct.extend(crate::projection::TRACKED);
    build_and_swap(dir, lock, |incoming| {
        let scratch = incoming.join(SCRATCH);
        let (staging, split) = Store::open_building_split(incoming, &scratch, &direct)?;
        build(&staging)?;
        staging.flush()?;
        drop(staging);
        let split = std::sync::Arc::try_unwrap(split).map_err(|_| {
            StoreError::Invalid("the store being built is still open elsewhere".into())
        })?;
        let built = split.settle()?;
        built.flush()?;
        drop(built);
        // Space back before the swap; `finish` removes `.incoming` whole
        // anyway, so a scratch sled is still letting go of is no failure.
        let _ = remove_dir(dir, &scratch);
        Ok(())
    })
}

/// [`replace`], packing the built store when it is larger than `above`
/// bytes on disk. A bulk load writes its runs (timelines, children,
/// stamps) over and over as entries arrive, and sled keeps the space of
/// every earlier copy in its log; copied in key order into a fresh store
/// each page is written once: a third smaller at 10k households
/// (BENCHMARKS.md, "Store").
fn replace_packing_above<E: From<StoreError>>(
    dir: &Path,
    lock: WriterLock,
    above: u64,
    build: impl FnOnce(&Store) -> std::result::Result<(), E>,
) -> std::result::Result<WriterLock, E> {
    build_and_swap(dir, lock, |incoming| {
        let staging = Store::open_building(incoming)?;
        build(&staging)?;
        staging.flush()?;
        if staging.size_on_disk() > above {
            pack(dir, incoming, staging)?;
        }
        Ok(())
    })
}

/// Steps 1 and 2 of the swap, then the rest: `build` fills `.incoming`
/// (given its path) with a complete, flushed store.
fn build_and_swap<E: From<StoreError>>(
    dir: &Path,
    lock: WriterLock,
    build: impl FnOnce(&Path) -> std::result::Result<(), E>,
) -> std::result::Result<WriterLock, E> {
    let incoming = dir.join(INCOMING);
    // A leftover from an earlier failure: we hold the lock, nobody builds there.
    remove_dir(dir, &incoming)?;
    if let Err(e) = build(&incoming) {
        remove_dir(dir, &incoming)?;
        return Err(e);
    }
    let marker = incoming.join(COMPLETE);
    File::create(&marker)
        .and_then(|f| f.sync_all())
        .map_err(|e| io(dir, &marker, e))?;
    sync_dir(&incoming)?;
    finish(dir)?;
    Ok(lock)
}

/// Copies the built store in `incoming` into a fresh one in key order and
/// puts the copy in its place. Before the `complete` marker: a kill
/// leaves an unfinished replacement, which opening removes.
fn pack(dir: &Path, incoming: &Path, built: Store) -> Result<()> {
    let packing = incoming.join(PACKING);
    remove_dir(dir, &packing)?;
    {
        let copy = Store::open_building(&packing)?;
        built.copy_into(&copy)?;
    }
    drop(built);
    let (from, to) = (packing.join("store"), incoming.join("store"));
    remove_dir(dir, &to)?;
    fs::rename(&from, &to).map_err(|e| io(dir, &from, e))?;
    remove_dir(dir, &packing)
}

/// Steps 3 and 4 of the swap; safe to repeat after a kill at any point.
fn finish(dir: &Path) -> Result<()> {
    let incoming = dir.join(INCOMING);
    let new = incoming.join("store");
    let current = dir.join("store");
    let replaced = dir.join(REPLACED);
    if new.exists() {
        if current.exists() {
            remove_dir(dir, &replaced)?;
            fs::rename(&current, &replaced).map_err(|e| io(dir, &current, e))?;
        }
        fs::rename(&new, &current).map_err(|e| io(dir, &new, e))?;
        sync_dir(dir)?;
    }
    remove_dir(dir, &replaced)?;
    remove_dir(dir, &incoming)?;
    sync_dir(dir)
}

/// Whether a swap a kill cut short left a store to finish or restore: a
/// complete replacement, or the old store set aside.
pub fn interrupted(dir: &Path) -> bool {
    dir.join(INCOMING).join(COMPLETE).exists() || dir.join(REPLACED).exists()
}

/// What opening found of an interrupted swap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recovered {
    /// A complete replacement was swapped in.
    Finished,
    /// An unfinished replacement was removed; the old store stands.
    RolledBack,
}

/// Finishes or undoes a swap a kill interrupted. Called by opening, under
/// the lock, before the engine opens.
pub(crate) fn recover(dir: &Path) -> Result<Option<Recovered>> {
    let incoming = dir.join(INCOMING);
    if incoming.join(COMPLETE).exists() {
        finish(dir)?;
        return Ok(Some(Recovered::Finished));
    }
    let mut found = None;
    if incoming.exists() {
        remove_dir(dir, &incoming)?;
        found = Some(Recovered::RolledBack);
    }
    let replaced = dir.join(REPLACED);
    if replaced.exists() {
        // Only a finished swap leaves it without `.incoming`.
        if !dir.join("store").exists() {
            fs::rename(&replaced, dir.join("store")).map_err(|e| io(dir, &replaced, e))?;
        } else {
            remove_dir(dir, &replaced)?;
        }
        found = found.or(Some(Recovered::Finished));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridbook_domain::model::{Area, Meta};

    fn area(name: &str) -> Area {
        Area {
            meta: Meta::new(None),
            code: name.into(),
            name: name.into(),
        }
    }

    fn add(store: &Store, name: &str) -> std::result::Result<(), StoreError> {
        let mut w = crate::writes::Writes::new();
        store.stage_new(&mut w, &area(name))?;
        store.commit(w)?;
        Ok(())
    }

    fn names(dir: &Path) -> Vec<String> {
        let s = Store::open(dir).unwrap();
        s.areas().unwrap().into_iter().map(|a| a.name).collect()
    }

    #[test]
    fn a_replacement_is_swapped_in_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        add(&Store::open(dir.path()).unwrap(), "旧").unwrap();
        let lock = Store::lock(dir.path()).unwrap();
        let lock = replace(dir.path(), lock, |s| add(s, "新")).unwrap();
        drop(lock);
        assert_eq!(names(dir.path()), ["新"]);
        assert!(!dir.path().join(INCOMING).exists());

        // A failing build changes nothing.
        let lock = Store::lock(dir.path()).unwrap();
        let err = replace(dir.path(), lock, |s| {
            add(s, "半")?;
            Err(StoreError::Invalid("stop".into()))
        });
        assert!(err.is_err());
        assert_eq!(names(dir.path()), ["新"]);
        assert!(!dir.path().join(INCOMING).exists());
    }

    /// The replacements below: one write per area, as a load's chunks would.
    fn add_three(s: &Store) -> std::result::Result<(), StoreError> {
        for name in ["新", "二", "三"] {
            add(s, name)?;
        }
        Ok(())
    }

    /// What the replacements below leave: the three areas they added, a
    /// clean store, and nothing in `.incoming`.
    fn holds_the_three_new_areas(dir: &Path) {
        let mut got = names(dir);
        got.sort();
        assert_eq!(got, ["三", "二", "新"]);
        assert!(!dir.join(INCOMING).exists());
        let s = Store::open(dir).unwrap();
        assert!(s.check().unwrap().is_clean());
        assert_eq!(s.counts().unwrap().unwrap().entries.iter().sum::<u64>(), 3);
    }

    #[test]
    fn a_large_replacement_is_packed_in_key_order_and_reads_the_same() {
        let dir = tempfile::tempdir().unwrap();
        add(&Store::open(dir.path()).unwrap(), "旧").unwrap();
        let lock = Store::lock(dir.path()).unwrap();
        // Every store is "large" here.
        let lock = replace_packing_above(dir.path(), lock, 0, add_three).unwrap();
        drop(lock);
        holds_the_three_new_areas(dir.path());
    }

    #[test]
    fn a_bulk_replacement_settles_its_scratch_trees_and_reads_the_same() {
        let dir = tempfile::tempdir().unwrap();
        add(&Store::open(dir.path()).unwrap(), "旧").unwrap();
        let lock = Store::lock(dir.path()).unwrap();
        // Areas go straight in; `meta`, versions and the rest via scratch.
        let lock = replace_bulk(dir.path(), lock, &[Tree::Areas], add_three).unwrap();
        drop(lock);
        holds_the_three_new_areas(dir.path());

        // A failing build changes nothing and leaves no scratch behind.
        let lock = Store::lock(dir.path()).unwrap();
        let err = replace_bulk(dir.path(), lock, &[Tree::Areas], |s| {
            add(s, "半")?;
            Err(StoreError::Invalid("stop".into()))
        });
        assert!(err.is_err());
        holds_the_three_new_areas(dir.path());
    }

    /// Lays out what a kill at each step of the swap leaves, then opens.
    #[test]
    fn opening_finishes_or_undoes_an_interrupted_swap() {
        for step in 0..4 {
            let dir = tempfile::tempdir().unwrap();
            let d = dir.path();
            add(&Store::open(d).unwrap(), "旧").unwrap();
            // A complete replacement, built as `replace` builds it.
            add(&Store::open(&d.join(INCOMING)).unwrap(), "新").unwrap();
            let want = match step {
                // Killed while building: no marker.
                0 => "旧",
                // Marker written, nothing renamed yet.
                1 => {
                    File::create(d.join(INCOMING).join(COMPLETE)).unwrap();
                    "新"
                }
                // The old store moved aside, the new one not yet in place.
                2 => {
                    File::create(d.join(INCOMING).join(COMPLETE)).unwrap();
                    fs::rename(d.join("store"), d.join(REPLACED)).unwrap();
                    "新"
                }
                // Swapped, not yet cleaned up.
                _ => {
                    File::create(d.join(INCOMING).join(COMPLETE)).unwrap();
                    fs::rename(d.join("store"), d.join(REPLACED)).unwrap();
                    fs::rename(d.join(INCOMING).join("store"), d.join("store")).unwrap();
                    "新"
                }
            };
            assert_eq!(names(d), [want], "kill at step {step}");
            assert!(!d.join(INCOMING).exists(), "step {step}");
            assert!(!d.join(REPLACED).exists(), "step {step}");
        }
    }

    #[test]
    fn a_rebuild_cut_short_is_finished_on_open() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = Store::open(dir.path()).unwrap();
            add(&s, "幸福小区").unwrap();
            // What a kill part-way through `rebuild` leaves: the marker set
            // and a derived tree cleared.
            s.raw_for_tests().insert("meta", b"rebuilding", b"");
            s.raw_for_tests().clear("idx_children");
            assert!(!s.check().unwrap().is_clean());
        }
        let s = Store::open(dir.path()).unwrap();
        assert!(!s.rebuild_unfinished().unwrap());
        assert!(s.check().unwrap().is_clean());
        assert_eq!(s.areas().unwrap().len(), 1);
    }
}
