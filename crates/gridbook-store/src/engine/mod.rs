//! The seam between the store and the bytes: a small ordered key-value
//! interface with named trees, and two engines behind it. [`sled`] is the
//! product (on disk, durable); [`memory`] keeps everything in a `BTreeMap`
//! for fast tests.
//!
//! The store asks an engine for no more than this: open the trees it names,
//! read one key, scan keys in order (forwards or backwards) within a range,
//! commit a write set atomically over several trees, and make what was
//! committed durable.

use std::ops::Bound;

use crate::error::Result;

pub mod memory;
pub mod sled;
pub mod split;

/// A tree, as the position of its name in the list the engine was opened with.
pub type TreeId = usize;

/// A key range: the bounds of a scan.
pub type Range = (Bound<Vec<u8>>, Bound<Vec<u8>>);

/// One entry of a scan: key and value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// What [`Engine::visit`] calls with each entry: `Ok(false)` stops the visit.
pub type Visitor<'a> = dyn FnMut(&[u8], &[u8]) -> Result<bool> + 'a;

/// Entries in key order; `.rev()` walks them backwards.
pub type Scan<'a> = Box<dyn DoubleEndedIterator<Item = Result<Entry>> + 'a>;

/// One write of a write set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op {
    pub tree: TreeId,
    pub key: Vec<u8>,
    /// `None` removes the key.
    pub value: Option<Vec<u8>>,
}

impl Op {
    pub fn put(tree: TreeId, key: Vec<u8>, value: Vec<u8>) -> Op {
        Op {
            tree,
            key,
            value: Some(value),
        }
    }
    pub fn del(tree: TreeId, key: Vec<u8>) -> Op {
        Op {
            tree,
            key,
            value: None,
        }
    }
}

/// An ordered key-value store with named trees.
pub trait Engine: Send + Sync {
    /// The value under `key`.
    fn get(&self, tree: TreeId, key: &[u8]) -> Result<Option<Vec<u8>>>;

    /// Calls `f` with the value under `key`, if there is one, without
    /// copying it out of the engine (records are decoded straight from it).
    /// Returns whether there was one.
    fn get_with(&self, tree: TreeId, key: &[u8], f: &mut dyn FnMut(&[u8])) -> Result<bool>;

    /// Entries whose keys fall in `range`, in key order.
    fn scan(&self, tree: TreeId, range: Range) -> Scan<'_>;

    /// Calls `f` with each entry whose key falls in `range`, in key order
    /// (backwards if `rev`), without copying it out of the engine, until
    /// `f` returns `Ok(false)` or an error.
    fn visit(&self, tree: TreeId, range: Range, rev: bool, f: &mut Visitor<'_>) -> Result<()>;

    /// How many entries the tree holds.
    fn len(&self, tree: TreeId) -> Result<usize>;

    /// Whether the tree holds no entry.
    fn is_empty(&self, tree: TreeId) -> Result<bool>;

    /// Applies every write of `ops`, in order, as one atomic change over all
    /// trees: a reader (or a crash) sees all of them or none. Not yet
    /// durable: see [`Engine::flush`].
    fn commit(&self, ops: &[Op]) -> Result<()>;

    /// Applies a very large set of writes tree by tree. Not atomic across
    /// trees: for stores being filled or rebuilt.
    fn apply(&self, ops: Vec<Op>) -> Result<()>;

    /// Removes every entry of a tree.
    fn clear(&self, tree: TreeId) -> Result<()>;

    /// Removes a tree by name, one the store no longer opens (migrations).
    /// A tree that does not exist is not an error.
    fn drop_tree(&self, name: &str) -> Result<()>;

    /// Makes everything committed so far durable: after this returns `Ok`,
    /// it survives a crash or a power cut.
    fn flush(&self) -> Result<()>;

    /// Bytes the engine's files take on disk (0 in memory).
    fn size_on_disk(&self) -> u64;

    /// What the engine can say about its own costs, as name and figure
    /// pairs, for measuring (BENCHMARKS.md): none by default.
    fn diagnostics(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Whether a range holds no key at all (a start after its end): engines
/// answer such a scan with nothing instead of failing.
pub(crate) fn is_empty_range(r: &Range) -> bool {
    match (&r.0, &r.1) {
        (Bound::Included(a), Bound::Included(b)) => a > b,
        (Bound::Included(a), Bound::Excluded(b))
        | (Bound::Excluded(a), Bound::Included(b))
        | (Bound::Excluded(a), Bound::Excluded(b)) => a >= b,
        _ => false,
    }
}

#[cfg(test)]
pub(crate) mod conformance {
    //! What every engine must do, run against each of them.

    use super::*;
    use crate::keys;

    const NAMES: [&str; 3] = ["a", "b", "c"];

    pub fn names() -> Vec<&'static str> {
        NAMES.to_vec()
    }

    fn collect(s: Scan<'_>) -> Vec<Entry> {
        s.map(|e| e.unwrap()).collect()
    }

    fn keys_of(s: Scan<'_>) -> Vec<Vec<u8>> {
        collect(s).into_iter().map(|(k, _)| k).collect()
    }

    /// Runs every check on a fresh engine opened with [`names`].
    pub fn check(e: &dyn Engine) {
        // Empty trees.
        for t in 0..NAMES.len() {
            assert!(e.is_empty(t).unwrap());
            assert_eq!(e.len(t).unwrap(), 0);
            assert!(collect(e.scan(t, keys::all())).is_empty());
        }
        assert_eq!(e.get(0, b"x").unwrap(), None);
        assert!(!e.get_with(0, b"x", &mut |_| panic!("no value")).unwrap());

        // A commit over several trees, applied in order: a later write to
        // the same key wins, a removal removes.
        e.commit(&[
            Op::put(0, vec![2], b"two".to_vec()),
            Op::put(0, vec![1], b"one".to_vec()),
            Op::put(0, vec![1, 0], b"one-zero".to_vec()),
            Op::put(0, vec![1, 0xFF], b"one-ff".to_vec()),
            Op::put(0, vec![3], b"three".to_vec()),
            Op::put(1, vec![1], b"other tree".to_vec()),
            Op::put(0, vec![3], b"three again".to_vec()),
            Op::put(2, vec![9], vec![]),
            Op::del(2, vec![9]),
        ])
        .unwrap();
        e.flush().unwrap();
        assert_eq!(e.get(0, &[1]).unwrap(), Some(b"one".to_vec()));
        let mut seen = Vec::new();
        assert!(e.get_with(0, &[1], &mut |v| seen = v.to_vec()).unwrap());
        assert_eq!(seen, b"one");
        assert_eq!(e.get(1, &[1]).unwrap(), Some(b"other tree".to_vec()));
        assert_eq!(e.get(0, &[3]).unwrap(), Some(b"three again".to_vec()));
        assert_eq!(e.get(2, &[9]).unwrap(), None);
        assert_eq!(e.len(0).unwrap(), 5);
        assert!(!e.is_empty(1).unwrap() && e.is_empty(2).unwrap());

        // Scans in key order, forwards and backwards, by prefix and range.
        let all = keys_of(e.scan(0, keys::all()));
        assert_eq!(all, [vec![1], vec![1, 0], vec![1, 0xFF], vec![2], vec![3]]);
        let back: Vec<Vec<u8>> = e.scan(0, keys::all()).rev().map(|x| x.unwrap().0).collect();
        assert_eq!(back, all.iter().rev().cloned().collect::<Vec<_>>());
        assert_eq!(
            keys_of(e.scan(0, keys::prefix_range(&[1]))),
            [vec![1], vec![1, 0], vec![1, 0xFF]]
        );
        assert_eq!(
            e.scan(0, keys::prefix_range(&[1]))
                .next_back()
                .unwrap()
                .unwrap(),
            (vec![1, 0xFF], b"one-ff".to_vec())
        );
        assert_eq!(keys_of(e.scan(0, keys::from(&[2]))), [vec![2], vec![3]]);
        assert!(keys_of(e.scan(0, keys::prefix_range(&[4]))).is_empty());
        // Visiting sees the same entries, either way, and stops when told.
        for rev in [false, true] {
            let mut seen = Vec::new();
            e.visit(0, keys::prefix_range(&[1]), rev, &mut |k, v| {
                seen.push((k.to_vec(), v.to_vec()));
                Ok(seen.len() < 2)
            })
            .unwrap();
            let mut want = collect(e.scan(0, keys::prefix_range(&[1])));
            if rev {
                want.reverse();
            }
            want.truncate(2);
            assert_eq!(seen, want);
        }
        let failed = e.visit(0, keys::all(), false, &mut |_, _| {
            Err(crate::error::StoreError::Invalid("stop".into()))
        });
        assert!(failed.is_err());
        // A range that ends before it starts is empty, not an error.
        let backwards = (Bound::Included(vec![3]), Bound::Excluded(vec![1]));
        assert!(keys_of(e.scan(0, backwards)).is_empty());
        let nothing = (Bound::Excluded(vec![2]), Bound::Excluded(vec![2]));
        assert!(keys_of(e.scan(0, nothing)).is_empty());

        // Removal, clearing one tree, dropping a tree by name.
        e.commit(&[Op::del(0, vec![2]), Op::del(0, vec![42])])
            .unwrap();
        assert_eq!(e.get(0, &[2]).unwrap(), None);
        e.clear(1).unwrap();
        assert!(e.is_empty(1).unwrap());
        assert_eq!(e.len(0).unwrap(), 4);
        e.drop_tree("not a tree").unwrap();

        // Bulk application.
        e.apply(vec![
            Op::put(2, vec![5], b"five".to_vec()),
            Op::put(1, vec![6], b"six".to_vec()),
            Op::del(0, vec![3]),
        ])
        .unwrap();
        e.flush().unwrap();
        assert_eq!(e.get(2, &[5]).unwrap(), Some(b"five".to_vec()));
        assert_eq!(e.get(1, &[6]).unwrap(), Some(b"six".to_vec()));
        assert_eq!(e.get(0, &[3]).unwrap(), None);

        // A commit names its trees in any order and leaves the others
        // alone; an empty commit changes nothing.
        e.commit(&[
            Op::put(2, vec![8], b"eight".to_vec()),
            Op::del(1, vec![6]),
            Op::put(2, vec![5], b"five again".to_vec()),
        ])
        .unwrap();
        e.commit(&[]).unwrap();
        e.flush().unwrap();
        assert_eq!(e.get(2, &[8]).unwrap(), Some(b"eight".to_vec()));
        assert_eq!(e.get(2, &[5]).unwrap(), Some(b"five again".to_vec()));
        assert_eq!(e.get(1, &[6]).unwrap(), None);
        assert_eq!(e.len(0).unwrap(), 3);
    }
}
