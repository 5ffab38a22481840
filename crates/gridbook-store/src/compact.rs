//! Rewriting a store into a fresh one, tree by tree in key order.
//!
//! sled is a log: every insert appends a fragment of the page it lands on,
//! a segment of the log is reclaimed only once half of it is stale, and the
//! file never shrinks. A store rewritten in place keeps the space of what it
//! replaced; written in key order into a fresh store, each page is filled
//! once (BENCHMARKS.md, "Store").

use crate::engine::split::copy_tree;
use crate::error::Result;
use crate::schema::Tree;
use crate::store::Store;

impl Store {
    /// Copies every entry of every tree (`meta` included: the schema, the
    /// counts) into `to`, a fresh store, in key order, and flushes it. Not
    /// atomic: `to` is a store being built beside this one
    /// ([`crate::swap::replace`]).
    pub fn copy_into(&self, to: &Store) -> Result<()> {
        self.copy_trees_into(to, &Tree::ALL)
    }

    /// [`Store::copy_into`] for some trees only.
    fn copy_trees_into(&self, to: &Store, trees: &[Tree]) -> Result<()> {
        to.writable()?;
        for &t in trees {
            copy_tree(self.engine(), to.engine(), t.id())?;
        }
        to.flush()
    }
}

impl Store {
    /// Schema 3 → `version` (4) on disk: builds a fresh store beside this
    /// one (records, events, `meta` and every other tree that is not
    /// derived copied in key order, the derived
    /// trees rebuilt from them), and swaps it in all or nothing
    /// ([`crate::swap::replace`]); returns the store reopened on it, which
    /// goes on with any later migration. A kill or a failure part-way
    /// leaves this store as it was, to be migrated at the next open.
    pub(crate) fn repack(self, version: u32) -> Result<Store> {
        let dir = self.dir().to_path_buf();
        let Some((reader, lock)) = self.into_reader_and_lock() else {
            return Err(crate::error::StoreError::Invalid(
                "only a store on disk is repacked".into(),
            ));
        };
        let lock = crate::swap::replace_as_built(&dir, lock, move |staging| {
            // Everything but what a rebuild makes: records, events and
            // `meta`, and the other truths beside them (each entry's stamp,
            // the quarantine, sync's outbox and state).
            let trees: Vec<Tree> = Tree::ALL
                .into_iter()
                .filter(|t| !crate::schema::DERIVED.contains(t))
                .collect();
            let built = reader
                .copy_trees_into(staging, &trees)
                .and_then(|()| staging.set_schema(version))
                .and_then(|()| staging.rebuild())
                .and_then(|()| staging.recount());
            // The old files close before the new ones take their place.
            drop(reader);
            built
        })?;
        Store::open_locked(&dir, lock)
    }
}

impl Store {
    /// Schema 5 → `version` (6) on disk: copies every tree the store keeps
    /// into a fresh store beside this one, in key order, with the stamps
    /// packed into runs on the way ([`crate::stamps::packed`]); the parent
    /// index, which this schema no longer opens, stays behind. Swapped in
    /// all or nothing ([`crate::swap::replace`]) and reopened. Nothing is
    /// rebuilt, so memory stays bounded by a chunk of writes. A kill or a
    /// failure part-way leaves this store as it was, to be migrated at the
    /// next open.
    pub(crate) fn compact(self, version: u32) -> Result<Store> {
        let dir = self.dir().to_path_buf();
        let Some((reader, lock)) = self.into_reader_and_lock() else {
            return Err(crate::error::StoreError::Invalid(
                "only a store on disk is compacted".into(),
            ));
        };
        let lock = crate::swap::replace_as_built(&dir, lock, move |staging| {
            let trees: Vec<Tree> = Tree::ALL
                .into_iter()
                .filter(|t| *t != Tree::Order)
                .collect();
            let built = reader
                .copy_trees_into(staging, &trees)
                .and_then(|()| reader.copy_stamps_packed(staging))
                .and_then(|()| staging.set_schema(version));
            drop(reader);
            built
        })?;
        Store::open_locked(&dir, lock)
    }

    /// Writes this store's stamps into `to` as full runs, in entry order.
    fn copy_stamps_packed(&self, to: &Store) -> Result<()> {
        // Whole runs per chunk, so only the very last run is short.
        let chunk = crate::stamps::RUN_MAX * 256;
        let mut stamps = Vec::with_capacity(chunk);
        self.each_stamp(|id, s| {
            stamps.push((id, s));
            if stamps.len() >= chunk {
                to.engine()
                    .apply(crate::stamps::packed(std::mem::take(&mut stamps))?)?;
            }
            Ok(())
        })?;
        to.engine().apply(crate::stamps::packed(stamps)?)?;
        to.flush()
    }
}
