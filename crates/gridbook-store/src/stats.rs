//! What the store holds, tree by tree: entries and the bytes of their keys
//! and values, the logical size against which the engine's files on disk
//! are measured (BENCHMARKS.md, "Store").

use crate::error::Result;
use crate::schema::Tree;
use crate::store::Store;

/// One tree's entries and bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TreeStats {
    pub tree: &'static str,
    pub entries: u64,
    pub key_bytes: u64,
    pub value_bytes: u64,
}

impl Store {
    /// Every tree's entries and bytes, in the order of [`Tree::ALL`]: one
    /// pass over the whole store.
    pub fn tree_stats(&self) -> Result<Vec<TreeStats>> {
        let mut out = Vec::with_capacity(Tree::ALL.len());
        for t in Tree::ALL {
            let mut s = TreeStats {
                tree: t.name(),
                ..TreeStats::default()
            };
            self.each(t, &[], |k, v| {
                s.entries += 1;
                s.key_bytes += k.len() as u64;
                s.value_bytes += v.len() as u64;
                Ok(true)
            })?;
            out.push(s);
        }
        Ok(out)
    }

    /// What the engine says about its own costs (time to open, files,
    /// space amplification): for measuring, not for deciding.
    pub fn engine_diagnostics(&self) -> Vec<(&'static str, String)> {
        self.engine().diagnostics()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::writes::Writes;
    use gridbook_domain::model::*;

    #[test]
    fn stats_count_every_entry_and_its_bytes() {
        let store = Store::memory().unwrap();
        let before = store.tree_stats().unwrap();
        let area = Area {
            meta: Meta {
                id: Id::new(),
                created_at: Ts(1),
                created_by: None,
                version: 1,
                tombstone: None,
            },
            code: "yq".into(),
            name: "一区".into(),
        };
        let mut w = Writes::new();
        store.stage_new(&mut w, &area).unwrap();
        store.commit(w).unwrap();
        let after = store.tree_stats().unwrap();
        let areas = after.iter().find(|s| s.tree == "areas").unwrap();
        assert_eq!(areas.entries, 1);
        assert_eq!(areas.key_bytes, 16);
        assert_eq!(
            areas.value_bytes,
            crate::codec::encode(&area).unwrap().len() as u64
        );
        // The area, its child entry under the root, and the counts in
        // `meta` (written by the first commit); where it hangs is read
        // from the area itself.
        let total = |v: &[TreeStats]| v.iter().map(|s| s.entries).sum::<u64>();
        assert_eq!(total(&before) + 3, total(&after));
    }
}
