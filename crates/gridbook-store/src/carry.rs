//! What a store written anew from its own export keeps of its life as a
//! device: its device id, Lamport clock and sequence, the outbox (flag and
//! queued ids) and sync's own keys. Erasing a person rewrites the store
//! whole (sled would otherwise keep old values in its log); without this
//! the rewritten store would be a new device that queues everything again
//! and applies every batch again, and the redacted entries would reach the
//! other laptops as "same id, other bytes".

use crate::engine::Op;
use crate::error::Result;
use crate::schema::Tree;
use crate::store::Store;
use crate::writes::Writes;

/// The `meta` keys that make a store the device it is.
const META: [&[u8]; 4] = [b"device", b"lamport", b"seq", b"outbox"];

/// A device's sync state, read from one store to be put into its rewrite.
#[derive(Clone, Debug, Default)]
pub struct Carried {
    meta: Vec<(Vec<u8>, Vec<u8>)>,
    outbox: Vec<(Vec<u8>, Vec<u8>)>,
    sync_state: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Carried {
    /// Leaves out sync's keys that start with `prefix` (work the rewrite
    /// itself completes).
    pub fn without(mut self, prefix: &[u8]) -> Carried {
        self.sync_state.retain(|(k, _)| !k.starts_with(prefix));
        self
    }
}

impl Store {
    /// This store's device state, to carry into a rewrite of it.
    pub fn carried(&self) -> Result<Carried> {
        let mut c = Carried::default();
        for k in META {
            if let Some(v) = self.get_raw(Tree::Meta, k)? {
                c.meta.push((k.to_vec(), v));
            }
        }
        for (tree, into) in [
            (Tree::Outbox, &mut c.outbox),
            (Tree::SyncState, &mut c.sync_state),
        ] {
            self.each(tree, &[], |k, v| {
                into.push((k.to_vec(), v.to_vec()));
                Ok(true)
            })?;
        }
        Ok(c)
    }

    /// Puts a carried device state into this store (a rewrite of the store
    /// it came from, before it is swapped in), in one transaction.
    pub fn put_carried(&self, c: &Carried) -> Result<()> {
        self.writable()?;
        let _one = self.committing.lock().unwrap_or_else(|e| e.into_inner());
        let mut ops = Vec::new();
        for (tree, rows) in [
            (Tree::Meta, &c.meta),
            (Tree::Outbox, &c.outbox),
            (Tree::SyncState, &c.sync_state),
        ] {
            for (k, v) in rows {
                ops.push(Op::put(tree.id(), k.clone(), v.clone()));
            }
        }
        if !ops.is_empty() {
            self.engine().commit(&ops)?;
        }
        drop(_one);
        self.load_outbox_flag()?;
        self.flush()
    }

    /// Removes sync's keys, in one transaction.
    pub fn sync_del(&self, keys: &[Vec<u8>]) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        self.writable()?;
        let _one = self.committing.lock().unwrap_or_else(|e| e.into_inner());
        let ops: Vec<Op> = keys
            .iter()
            .map(|k| Op::del(Tree::SyncState.id(), k.clone()))
            .collect();
        self.engine().commit(&ops)?;
        drop(_one);
        self.flush()
    }
}

impl Writes {
    /// Writes one of sync's keys in the same transaction as the entries.
    pub fn put_sync_state(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.put(Tree::SyncState, key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridbook_domain::model::*;

    #[test]
    fn a_rewrite_keeps_the_device_its_clock_outbox_and_sync_keys() {
        let old = Store::memory().unwrap();
        old.start_outbox().unwrap();
        let mut w = Writes::new();
        let a = Area {
            meta: Meta::new(None),
            name: "幸福小区".into(),
            code: String::new(),
        };
        old.stage_new(&mut w, &a).unwrap();
        old.stage_event(
            &mut w,
            &Event::new(
                a.meta.id,
                Ts(1),
                None,
                EventBody::Erased {
                    person: a.meta.id,
                    kind: Kind::Member,
                },
            ),
        )
        .unwrap();
        w.put_sync_state(b"applied/aa".to_vec(), b"c1".to_vec());
        w.put_sync_state(b"erase-pending/x".to_vec(), vec![]);
        old.commit(w).unwrap();
        let carried = old.carried().unwrap().without(b"erase-pending/");

        let new = Store::memory().unwrap();
        new.put_carried(&carried).unwrap();
        assert_eq!(new.device_id().unwrap(), old.device_id().unwrap());
        assert!(new.device_id().unwrap().is_some());
        assert_eq!(new.clock().unwrap(), old.clock().unwrap());
        assert!(new.outbox_on());
        assert_eq!(new.outbox().unwrap(), old.outbox().unwrap());
        assert_eq!(new.sync_get(b"applied/aa").unwrap(), Some(b"c1".to_vec()));
        assert_eq!(new.sync_get(b"erase-pending/x").unwrap(), None);
        new.sync_del(&[b"applied/aa".to_vec()]).unwrap();
        assert_eq!(new.sync_get(b"applied/aa").unwrap(), None);
    }
}
