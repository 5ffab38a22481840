//! The in-memory engine: one `BTreeMap` per tree behind one lock, for fast
//! tests. A commit takes the lock once, so it is atomic for readers; a scan
//! sees the tree as it was when the scan began. Nothing survives the
//! process, and `flush` has nothing to do.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::{Engine, Op, Range, Scan, TreeId, Visitor, is_empty_range};
use crate::error::{Result, StoreError};

type Map = BTreeMap<Vec<u8>, Vec<u8>>;
/// Keys made unreadable: (tree name, key prefix).
type Unreadable = Vec<(String, Vec<u8>)>;

/// The data of an in-memory store: trees by name. Cloning shares it, so a
/// test can "reopen" a store by opening another engine on the same data.
#[derive(Clone, Default)]
pub struct Memory {
    trees: Arc<RwLock<BTreeMap<String, Map>>>,
    unreadable: Arc<RwLock<Unreadable>>,
}

impl Memory {
    pub fn new() -> Memory {
        Memory::default()
    }

    /// Every later read of tree `name` that meets a key starting with
    /// `prefix` fails, as a read of a damaged page of sled does: for tests
    /// that a failed read is never taken for a smaller or empty answer.
    pub fn make_unreadable(&self, name: &str, prefix: &[u8]) {
        let mut u = self.unreadable.write().unwrap_or_else(|e| e.into_inner());
        u.push((name.to_string(), prefix.to_vec()));
    }
}

/// An engine over [`Memory`], with the trees it was opened with.
pub struct MemoryEngine {
    data: Memory,
    names: Vec<String>,
}

impl MemoryEngine {
    /// Opens (creating where missing) the trees called `names` in `data`.
    pub fn open(data: &Memory, names: &[&str]) -> MemoryEngine {
        let engine = MemoryEngine {
            data: data.clone(),
            names: names.iter().map(|n| n.to_string()).collect(),
        };
        {
            let mut trees = engine.write();
            for n in &engine.names {
                trees.entry(n.clone()).or_default();
            }
        }
        engine
    }

    fn read(&self) -> RwLockReadGuard<'_, BTreeMap<String, Map>> {
        // A panic while holding the lock leaves whole maps behind: the data
        // is still what the last finished commit left.
        self.data.trees.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, BTreeMap<String, Map>> {
        self.data.trees.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Fails when `key` of `tree` was made unreadable.
    fn readable(&self, tree: TreeId, key: &[u8]) -> Result<()> {
        let u = self
            .data
            .unreadable
            .read()
            .unwrap_or_else(|e| e.into_inner());
        let name = &self.names[tree];
        if u.iter().any(|(t, p)| t == name && key.starts_with(p)) {
            return Err(StoreError::Corrupt(format!("{name} cannot be read")));
        }
        Ok(())
    }

    fn with<R>(&self, tree: TreeId, f: impl FnOnce(&Map) -> R) -> R {
        let trees = self.read();
        match trees.get(&self.names[tree]) {
            Some(map) => f(map),
            None => f(&Map::new()),
        }
    }

    fn apply_locked(&self, ops: &[Op]) {
        let mut trees = self.write();
        for op in ops {
            let map = trees.entry(self.names[op.tree].clone()).or_default();
            match &op.value {
                Some(v) => {
                    map.insert(op.key.clone(), v.clone());
                }
                None => {
                    map.remove(&op.key);
                }
            }
        }
    }
}

impl Engine for MemoryEngine {
    fn get(&self, tree: TreeId, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.readable(tree, key)?;
        Ok(self.with(tree, |m| m.get(key).cloned()))
    }

    fn get_with(&self, tree: TreeId, key: &[u8], f: &mut dyn FnMut(&[u8])) -> Result<bool> {
        self.readable(tree, key)?;
        Ok(self.with(tree, |m| m.get(key).map(|v| f(v)).is_some()))
    }

    fn scan(&self, tree: TreeId, range: Range) -> Scan<'_> {
        if is_empty_range(&range) {
            return Box::new(std::iter::empty());
        }
        let entries: Vec<_> = self.with(tree, |m| {
            m.range::<Vec<u8>, _>(range)
                .map(|(k, v)| {
                    self.readable(tree, k)?;
                    Ok((k.clone(), v.clone()))
                })
                .collect()
        });
        Box::new(entries.into_iter())
    }

    fn visit(&self, tree: TreeId, range: Range, rev: bool, f: &mut Visitor<'_>) -> Result<()> {
        // From a copy, not under the lock: `f` may read the store again.
        let entries = self.scan(tree, range);
        let entries: Box<dyn Iterator<Item = Result<super::Entry>>> = if rev {
            Box::new(entries.rev())
        } else {
            entries
        };
        for kv in entries {
            let (k, v) = kv?;
            if !f(&k, &v)? {
                break;
            }
        }
        Ok(())
    }

    fn len(&self, tree: TreeId) -> Result<usize> {
        self.with(tree, |m| {
            m.keys()
                .try_fold(0, |n, k| self.readable(tree, k).map(|()| n + 1))
        })
    }

    fn is_empty(&self, tree: TreeId) -> Result<bool> {
        self.with(tree, |m| match m.keys().next() {
            Some(k) => self.readable(tree, k).map(|()| false),
            None => Ok(true),
        })
    }

    fn commit(&self, ops: &[Op]) -> Result<()> {
        self.apply_locked(ops);
        Ok(())
    }

    fn apply(&self, ops: Vec<Op>) -> Result<()> {
        self.apply_locked(&ops);
        Ok(())
    }

    fn clear(&self, tree: TreeId) -> Result<()> {
        if let Some(m) = self.write().get_mut(&self.names[tree]) {
            m.clear();
        }
        Ok(())
    }

    fn drop_tree(&self, name: &str) -> Result<()> {
        self.write().remove(name);
        Ok(())
    }

    fn flush(&self) -> Result<()> {
        Ok(())
    }

    fn size_on_disk(&self) -> u64 {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memory_engine_is_an_engine() {
        let e = MemoryEngine::open(&Memory::new(), &super::super::conformance::names());
        super::super::conformance::check(&e);
    }

    #[test]
    fn engines_on_the_same_data_see_the_same_trees() {
        let data = Memory::new();
        let a = MemoryEngine::open(&data, &["t"]);
        a.commit(&[Op::put(0, b"k".to_vec(), b"v".to_vec())])
            .unwrap();
        drop(a);
        let b = MemoryEngine::open(&data, &["other", "t"]);
        assert_eq!(b.get(1, b"k").unwrap(), Some(b"v".to_vec()));
        assert!(b.is_empty(0).unwrap());
    }
}
