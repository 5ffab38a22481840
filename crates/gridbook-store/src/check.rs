//! Check and rebuild: every projection recomputed from records and events,
//! compared with what is stored, and written back on request.

use std::collections::BTreeMap;

use serde::Serialize;

use gridbook_domain::model::*;

use crate::codec;
use crate::error::Result;
use crate::progress::{Counter, Progress, Quiet};
use crate::projection::{self, Cx, hierarchy, runs};
use crate::schema::{DERIVED, Tree};
use crate::store::{Record, Store};
use crate::writes::Writes;

/// What `gridbook check` found.
#[derive(Debug, Default, Serialize)]
pub struct CheckReport {
    pub records: usize,
    pub ok: usize,
    pub missing: Vec<String>,
    pub extra: Vec<String>,
    pub wrong: Vec<String>,
    pub undecodable: Vec<String>,
    /// Primary trees holding another number of records or events than the
    /// commits wrote ([`crate::counts`]): entries lost (or appeared) inside
    /// the engine, which a rebuild cannot bring back.
    pub miscounted: Vec<String>,
}

impl CheckReport {
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty()
            && self.extra.is_empty()
            && self.wrong.is_empty()
            && self.undecodable.is_empty()
            && self.miscounted.is_empty()
    }

    /// Whether what is wrong is only in the derived trees, which
    /// `check --rebuild` regenerates; otherwise records or events are
    /// damaged and only a backup has them.
    pub fn rebuild_fixes(&self) -> bool {
        self.undecodable.is_empty() && self.miscounted.is_empty()
    }
}

/// The marker of a rebuild under way, in `meta`.
const REBUILDING: &[u8] = b"rebuilding";

/// The write that marks a rebuild as due: opening a store holding it
/// rebuilds ([`Store::rebuild_unfinished`]).
pub(crate) fn rebuild_marker() -> crate::engine::Op {
    crate::engine::Op::put(Tree::Meta.id(), REBUILDING.to_vec(), Vec::new())
}

/// The write that says the replay is done (the marker goes).
pub(crate) fn rebuild_done() -> crate::engine::Op {
    crate::engine::Op::del(Tree::Meta.id(), REBUILDING.to_vec())
}

impl Store {
    /// Records and events in the primary trees, as the commits counted them
    /// (a scan of each tree in a store from before counts): the total a
    /// check or rebuild shows its progress against.
    fn entries(&self) -> Result<u64> {
        let per_tree = match self.counts()? {
            Some(c) => c.entries,
            None => self.counted()?,
        };
        Ok(per_tree.iter().sum())
    }

    /// Every derived entry as it should be, computed from records and
    /// events; `count` steps once per record and event staged.
    fn expected_derived(&self, count: &mut Counter<'_>) -> Result<Writes> {
        let mut w = Writes::new();
        w.from_scratch = true;
        let mut cx = Cx::new(self, &mut w);
        self.stage_structure::<Area>(&mut cx, count)?;
        self.stage_structure::<Building>(&mut cx, count)?;
        self.stage_structure::<Household>(&mut cx, count)?;
        self.stage_structure::<Resident>(&mut cx, count)?;
        self.stage_structure::<Member>(&mut cx, count)?;
        // Replay in the order every device agrees on ([`crate::order`]):
        // Lamport clock, device, sequence; entries from before stamps first,
        // in the order they were written. The id sorts by `at`, and a problem
        // resolved "yesterday" after being reopened "last week" must end up
        // as the later write says. Only the order is held, not every event:
        // a large store's events take hundreds of megabytes decoded.
        let stamps: std::collections::HashMap<Id, crate::order::Stamp> =
            self.stamps()?.into_iter().collect();
        let mut order: Vec<(crate::order::OrderKey, Id)> = Vec::new();
        for e in self.events() {
            let e = e?;
            order.push((crate::order::order_key(&e, stamps.get(&e.id)), e.id));
        }
        order.sort_unstable();
        for (_, id) in order {
            let e = cx.store.event(id)?.ok_or_else(|| {
                crate::error::StoreError::Corrupt(format!("the entry {id} went missing"))
            })?;
            projection::stage_event(&mut cx, &e)?;
            count.step();
        }
        w.settle();
        Ok(w)
    }

    /// Compares the trees kept as runs by what they hold, not by where
    /// their runs split (which depends on the order of writes): takes their
    /// entries out of `want`.
    fn check_runs(
        &self,
        want: &mut BTreeMap<(usize, Vec<u8>), Option<Vec<u8>>>,
        report: &mut CheckReport,
    ) -> Result<()> {
        for t in runs::TREES {
            let mut expected = std::collections::BTreeSet::new();
            let keys: Vec<Vec<u8>> = want
                .range((t.id(), Vec::new())..(t.id() + 1, Vec::new()))
                .map(|((_, k), _)| k.clone())
                .collect();
            for k in keys {
                if let Some(Some(v)) = want.remove(&(t.id(), k.clone())) {
                    expected.extend(runs::flatten(&k, &v).unwrap_or_default());
                }
            }
            for kv in self.scan_all(t) {
                let (k, v) = kv?;
                let Some(held) = runs::flatten(&k, &v) else {
                    report.wrong.push(format!("{}: a damaged run", t.name()));
                    continue;
                };
                for entry in held {
                    if expected.remove(&entry) {
                        report.ok += 1;
                    } else {
                        report.extra.push(t.name().to_string());
                    }
                }
            }
            report
                .missing
                .extend(expected.iter().map(|_| t.name().to_string()));
        }
        Ok(())
    }

    fn stage_structure<R: Record>(&self, cx: &mut Cx<'_>, count: &mut Counter<'_>) -> Result<()> {
        for r in self.all::<R>() {
            let r = r?;
            hierarchy::stage_record(cx, R::KIND, r.meta().id, r.parent())?;
            self.stage_care(cx.w, &r, false)?;
            count.step();
        }
        Ok(())
    }

    /// Compares derived trees with what records and events imply.
    pub fn check(&self) -> Result<CheckReport> {
        self.check_with(&Quiet)
    }

    /// [`Store::check`], telling `progress` how far it has come: every
    /// record and event is read twice (replayed, then decoded on its own),
    /// so the total is twice their number.
    pub fn check_with(&self, progress: &dyn Progress) -> Result<CheckReport> {
        let mut count = Counter::new(progress, 2 * self.entries()?);
        let expected = self.expected_derived(&mut count)?;
        let mut want: BTreeMap<(usize, Vec<u8>), Option<Vec<u8>>> = BTreeMap::new();
        for op in expected.ops {
            want.insert((op.tree, op.key), op.value);
        }
        let mut report = CheckReport::default();
        self.check_runs(&mut want, &mut report)?;
        for t in DERIVED.into_iter().filter(|t| !runs::TREES.contains(t)) {
            for kv in self.scan_all(t) {
                let (k, v) = kv?;
                match want.remove(&(t.id(), k)) {
                    Some(Some(w)) if w == v => report.ok += 1,
                    Some(Some(_)) => report.wrong.push(format!("{}: value differs", t.name())),
                    _ => report.extra.push(t.name().to_string()),
                }
            }
        }
        for ((t, _), v) in want {
            if v.is_some() {
                report.missing.push(Tree::ALL[t].name().to_string());
            }
        }
        for t in Tree::PRIMARY {
            for kv in self.scan_all(t) {
                let (_, v) = kv?;
                let ok = match t {
                    Tree::Events => codec::decode::<Event>(&v).is_ok(),
                    Tree::Areas => codec::decode::<Area>(&v).is_ok(),
                    Tree::Buildings => codec::decode::<Building>(&v).is_ok(),
                    Tree::Households => codec::decode::<Household>(&v).is_ok(),
                    Tree::Residents => codec::decode::<Resident>(&v).is_ok(),
                    _ => codec::decode::<Member>(&v).is_ok(),
                };
                count.step();
                if ok {
                    report.records += 1;
                } else {
                    report.undecodable.push(t.name().to_string());
                }
            }
        }
        if let Some(c) = self.counts()? {
            let have = self.counted()?;
            for t in Tree::PRIMARY {
                let (n, want) = (
                    have[crate::counts::slot(t)],
                    c.entries[crate::counts::slot(t)],
                );
                if n != want {
                    report
                        .miscounted
                        .push(format!("{}: {n} stored, {want} written", t.name()));
                }
            }
        }
        count.finish();
        Ok(report)
    }

    /// Clears and regenerates every derived tree from records and events.
    /// A marker in `meta` says a rebuild is under way, so a store opened
    /// after a kill part-way finishes it instead of reading half an index.
    pub fn rebuild(&self) -> Result<()> {
        self.rebuild_with(&Quiet)
    }

    /// [`Store::rebuild`], telling `progress` how many records and events
    /// have been replayed (the long part; writing the result is one batch).
    pub fn rebuild_with(&self, progress: &dyn Progress) -> Result<()> {
        self.writable()?;
        let mut count = Counter::new(progress, self.entries()?);
        let expected = self.expected_derived(&mut count)?;
        self.engine().commit(&[crate::engine::Op::put(
            Tree::Meta.id(),
            REBUILDING.to_vec(),
            Vec::new(),
        )])?;
        self.flush()?;
        for t in DERIVED {
            self.engine().clear(t.id())?;
        }
        self.write_sorted(expected.ops)?;
        self.flush()?;
        self.engine()
            .commit(&[crate::engine::Op::del(Tree::Meta.id(), REBUILDING.to_vec())])?;
        self.flush()?;
        // The indexes were written anew without a commit: what was counted
        // over them is counted again.
        self.forget_counted();
        count.finish();
        Ok(())
    }

    /// Writes what `ops` leave behind into emptied trees, in key order and
    /// in bounded pieces: sled then fills each page once and holds little
    /// in memory (one huge batch took gigabytes at 100k households).
    pub(crate) fn write_sorted(&self, ops: Vec<crate::engine::Op>) -> Result<()> {
        const CHUNK: usize = 20_000;
        let mut last: BTreeMap<(usize, Vec<u8>), Option<Vec<u8>>> = BTreeMap::new();
        for op in ops {
            last.insert((op.tree, op.key), op.value);
        }
        let mut chunk = Vec::with_capacity(CHUNK);
        for ((tree, key), value) in last {
            if let Some(value) = value {
                chunk.push(crate::engine::Op::put(tree, key, value));
            }
            if chunk.len() >= CHUNK {
                self.engine().apply(std::mem::take(&mut chunk))?;
            }
        }
        self.engine().apply(chunk)
    }

    /// Whether a rebuild was cut short (see [`Store::rebuild`]).
    pub fn rebuild_unfinished(&self) -> Result<bool> {
        Ok(self.get_raw(Tree::Meta, REBUILDING)?.is_some())
    }
}
