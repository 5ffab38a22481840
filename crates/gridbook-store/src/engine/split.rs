//! Two engines as one, tree by tree: how a bulk load builds a store
//! beside the data directory ([`crate::swap::replace_bulk`]).
//!
//! The trees the load writes once each, in key order, go straight into
//! the store being built. The others (indexes that take keys out of order
//! or remove what they added) go to a scratch engine, and
//! [`SplitEngine::settle`] copies them over in key order at the end. A
//! whole copy of the finished store cost `gen` a third of its time at
//! 100k households, and the trees written once are most of the store;
//! written across the load's commits rather than tree after tree, they
//! leave sled about 10% more stale pages than a copy would
//! (BENCHMARKS.md, "Generating and loading 100k households").
//!
//! A commit over both engines is not atomic across them: only for a store
//! that nothing reads until it is swapped in whole.

use super::{Engine, Op, Range, Scan, TreeId, Visitor};
use crate::error::Result;

pub struct SplitEngine {
    /// The store being built: the trees written once, then the rest.
    direct: Box<dyn Engine>,
    /// Where the other trees are built until [`SplitEngine::settle`].
    scratch: Box<dyn Engine>,
    /// Whether each tree, by id, is written to `direct`.
    is_direct: Vec<bool>,
}

impl SplitEngine {
    /// Both engines opened with the same `trees` tree names;
    /// `direct_trees` are the ids of the trees written straight into `direct`.
    pub fn new(
        direct: Box<dyn Engine>,
        scratch: Box<dyn Engine>,
        trees: usize,
        direct_trees: &[TreeId],
    ) -> SplitEngine {
        let mut is_direct = vec![false; trees];
        for &t in direct_trees {
            is_direct[t] = true;
        }
        SplitEngine {
            direct,
            scratch,
            is_direct,
        }
    }

    fn goes_direct(&self, op: &Op) -> bool {
        self.is_direct.get(op.tree).copied().unwrap_or(false)
    }

    fn of(&self, tree: TreeId) -> &dyn Engine {
        if self.is_direct.get(tree).copied().unwrap_or(false) {
            self.direct.as_ref()
        } else {
            self.scratch.as_ref()
        }
    }

    /// Copies every scratch tree into the store being built, in key order,
    /// closes the scratch engine and returns the built one, which now
    /// holds everything.
    pub fn settle(self) -> Result<Box<dyn Engine>> {
        for (tree, direct) in self.is_direct.iter().enumerate() {
            if !direct {
                copy_tree(self.scratch.as_ref(), self.direct.as_ref(), tree)?;
            }
        }
        Ok(self.direct)
    }
}

/// Entries per write while copying: bounded memory, few flushes.
const CHUNK: usize = 20_000;
/// Bytes of keys and values per write while copying. sled holds a whole
/// batch while it applies it, and 20,000 stamp runs are 41 MB at 100k
/// households: bounded by bytes too, `gen`'s peak fell from 709 to 598
/// MiB (BENCHMARKS.md, "Generating and loading 100k households").
const CHUNK_BYTES: usize = 4 << 20;

/// Copies every entry of `tree` in `from` into `to`, in key order, a
/// bounded batch at a time. Not atomic: for stores being built.
pub(crate) fn copy_tree(from: &dyn Engine, to: &dyn Engine, tree: TreeId) -> Result<()> {
    let mut ops = Vec::with_capacity(CHUNK);
    let mut bytes = 0;
    let mut failed = None;
    from.visit(tree, crate::keys::all(), false, &mut |k, v| {
        ops.push(Op::put(tree, k.to_vec(), v.to_vec()));
        bytes += k.len() + v.len();
        if ops.len() >= CHUNK || bytes >= CHUNK_BYTES {
            bytes = 0;
            if let Err(e) = to.apply(std::mem::take(&mut ops)) {
                failed = Some(e);
                return Ok(false);
            }
        }
        Ok(true)
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    to.apply(ops)
}

impl Engine for SplitEngine {
    fn get(&self, tree: TreeId, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.of(tree).get(tree, key)
    }

    fn get_with(&self, tree: TreeId, key: &[u8], f: &mut dyn FnMut(&[u8])) -> Result<bool> {
        self.of(tree).get_with(tree, key, f)
    }

    fn scan(&self, tree: TreeId, range: Range) -> Scan<'_> {
        self.of(tree).scan(tree, range)
    }

    fn visit(&self, tree: TreeId, range: Range, rev: bool, f: &mut Visitor<'_>) -> Result<()> {
        self.of(tree).visit(tree, range, rev, f)
    }

    fn len(&self, tree: TreeId) -> Result<usize> {
        self.of(tree).len(tree)
    }

    fn is_empty(&self, tree: TreeId) -> Result<bool> {
        self.of(tree).is_empty(tree)
    }

    fn commit(&self, ops: &[Op]) -> Result<()> {
        let direct_ops = ops.iter().filter(|op| self.goes_direct(op)).count();
        // Copied apart only when the commit spans both engines.
        if direct_ops == 0 {
            return self.scratch.commit(ops);
        }
        if direct_ops == ops.len() {
            return self.direct.commit(ops);
        }
        let (direct, scratch): (Vec<Op>, Vec<Op>) =
            ops.iter().cloned().partition(|op| self.goes_direct(op));
        // Each engine's part is atomic; the two parts are not, together.
        self.scratch.commit(&scratch)?;
        self.direct.commit(&direct)
    }

    fn apply(&self, ops: Vec<Op>) -> Result<()> {
        let (direct, scratch): (Vec<Op>, Vec<Op>) =
            ops.into_iter().partition(|op| self.goes_direct(op));
        self.scratch.apply(scratch)?;
        self.direct.apply(direct)
    }

    fn clear(&self, tree: TreeId) -> Result<()> {
        self.of(tree).clear(tree)
    }

    fn drop_tree(&self, name: &str) -> Result<()> {
        self.scratch.drop_tree(name)?;
        self.direct.drop_tree(name)
    }

    fn flush(&self) -> Result<()> {
        self.scratch.flush()?;
        self.direct.flush()
    }

    fn size_on_disk(&self) -> u64 {
        self.direct.size_on_disk() + self.scratch.size_on_disk()
    }

    fn diagnostics(&self) -> Vec<(&'static str, String)> {
        self.direct.diagnostics()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::memory::{Memory, MemoryEngine};

    fn split(direct: &Memory, scratch: &Memory, direct_trees: &[TreeId]) -> SplitEngine {
        let names = super::super::conformance::names();
        SplitEngine::new(
            Box::new(MemoryEngine::open(direct, &names)),
            Box::new(MemoryEngine::open(scratch, &names)),
            names.len(),
            direct_trees,
        )
    }

    #[test]
    fn a_split_engine_is_an_engine_whichever_trees_go_straight_through() {
        for direct_trees in [&[][..], &[1], &[0, 2], &[0, 1, 2]] {
            let e = split(&Memory::new(), &Memory::new(), direct_trees);
            super::super::conformance::check(&e);
        }
    }

    #[test]
    fn settling_copies_the_scratch_trees_into_the_built_store() {
        let (direct, scratch) = (Memory::new(), Memory::new());
        let e = split(&direct, &scratch, &[0]);
        e.commit(&[
            Op::put(0, b"a".to_vec(), b"straight".to_vec()),
            Op::put(1, b"z".to_vec(), b"late".to_vec()),
            Op::put(1, b"m".to_vec(), b"early".to_vec()),
            Op::put(2, b"x".to_vec(), b"gone".to_vec()),
        ])
        .unwrap();
        e.commit(&[Op::del(2, b"x".to_vec())]).unwrap();
        // Until settled, the built store holds only the direct tree.
        let names = super::super::conformance::names();
        let built = MemoryEngine::open(&direct, &names);
        assert_eq!(built.len(0).unwrap(), 1);
        assert!(built.is_empty(1).unwrap());

        let settled = e.settle().unwrap();
        for engine in [&built as &dyn Engine, settled.as_ref()] {
            let got: Vec<_> = engine
                .scan(1, crate::keys::all())
                .map(|x| x.unwrap())
                .collect();
            assert_eq!(
                got,
                [
                    (b"m".to_vec(), b"early".to_vec()),
                    (b"z".to_vec(), b"late".to_vec())
                ]
            );
            assert_eq!(engine.get(0, b"a").unwrap(), Some(b"straight".to_vec()));
            assert!(engine.is_empty(2).unwrap());
        }
    }
}
