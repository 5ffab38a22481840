//! The outbox: what this device wrote and has not yet sent to the office.
//!
//! Once sync is set up ([`Store::start_outbox`]), every commit also puts the
//! id of each record and event it writes into the `outbox` tree, in the same
//! transaction, so an entry can never be saved and not queued. The value is
//! the record's kind (or "event") and the number of the commit that queued
//! it: [`Store::mark_sent`] removes an entry only if no later commit queued
//! it again (a record edited while its batch was being made stays queued).
//!
//! Entries that arrive from other devices are not queued again: the merge
//! runs inside [`receiving`], which only affects commits made on the
//! calling thread (the TUI keeps writing on its own thread meanwhile).
//!
//! Beside it, `sync_state` holds sync's own small keys (which batch of each
//! device was applied last), written with [`Store::sync_put`].

use std::cell::Cell;
use std::sync::atomic::Ordering::SeqCst;

use gridbook_domain::model::{Id, Kind};

use crate::engine::Op;
use crate::error::{Result, StoreError};
use crate::keys;
use crate::schema::Tree;
use crate::store::Store;
use crate::writes::Changes;

/// The key in `meta` saying that commits fill the outbox.
const FLAG_KEY: &[u8] = b"outbox";

thread_local! {
    static RECEIVING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with commits on this thread left out of the outbox: what another
/// device sent is not sent back.
pub fn receiving<T>(f: impl FnOnce() -> T) -> T {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            RECEIVING.with(|r| r.set(self.0));
        }
    }
    let _reset = Reset(RECEIVING.with(|r| r.replace(true)));
    f()
}

/// One queued entry: a record (with its kind) or an event (`kind` `None`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Queued {
    pub id: Id,
    pub kind: Option<Kind>,
    /// The commit that queued it last.
    pub commit: u64,
}

fn kind_byte(kind: Option<Kind>) -> u8 {
    match kind {
        None => 0,
        Some(Kind::Area) => 1,
        Some(Kind::Building) => 2,
        Some(Kind::Household) => 3,
        Some(Kind::Resident) => 4,
        Some(Kind::Member) => 5,
    }
}

fn byte_kind(b: u8) -> Option<Option<Kind>> {
    Some(match b {
        0 => None,
        1 => Some(Kind::Area),
        2 => Some(Kind::Building),
        3 => Some(Kind::Household),
        4 => Some(Kind::Resident),
        5 => Some(Kind::Member),
        _ => return None,
    })
}

fn value(kind: Option<Kind>, commit: u64) -> Vec<u8> {
    let mut v = Vec::with_capacity(9);
    v.push(kind_byte(kind));
    v.extend_from_slice(&commit.to_be_bytes());
    v
}

fn decode(k: &[u8], v: &[u8]) -> Result<Queued> {
    let bad = || StoreError::Corrupt("an outbox entry is not readable".into());
    let id = keys::id_at(k, 0).ok_or_else(bad)?;
    let (&kind, commit) = v.split_first().ok_or_else(bad)?;
    Ok(Queued {
        id,
        kind: byte_kind(kind).ok_or_else(bad)?,
        commit: u64::from_be_bytes(commit.try_into().map_err(|_| bad())?),
    })
}

/// Adds the outbox's writes for what a commit changes (called by the store's
/// commit, inside its transaction).
pub(crate) fn stage(store: &Store, changes: &Changes, commit: u64, ops: &mut Vec<Op>) {
    if !store.outbox_on.load(SeqCst) || RECEIVING.with(Cell::get) {
        return;
    }
    let t = Tree::Outbox.id();
    for (id, kind) in &changes.records {
        ops.push(Op::put(t, keys::id(*id), value(Some(*kind), commit)));
    }
    for id in &changes.events {
        ops.push(Op::put(t, keys::id(*id), value(None, commit)));
    }
}

impl Store {
    pub(crate) fn load_outbox_flag(&self) -> Result<()> {
        let on = self.get_raw(Tree::Meta, FLAG_KEY)?.is_some();
        self.outbox_on.store(on, SeqCst);
        Ok(())
    }

    /// Whether commits fill the outbox (sync was set up on this store).
    pub fn outbox_on(&self) -> bool {
        self.outbox_on.load(SeqCst)
    }

    /// Turns the outbox on and queues everything the store already holds, in
    /// one transaction: what was written before sync was set up (or before a
    /// restore replaced the store) is sent too. Returns how many are queued.
    pub fn start_outbox(&self) -> Result<usize> {
        self.writable()?;
        let _one = self.committing.lock().unwrap_or_else(|e| e.into_inner());
        let commit = self.counts()?.map_or(0, |c| c.commits);
        let mut ops = vec![Op::put(Tree::Meta.id(), FLAG_KEY.to_vec(), vec![1])];
        let trees = [
            (Tree::Areas, Some(Kind::Area)),
            (Tree::Buildings, Some(Kind::Building)),
            (Tree::Households, Some(Kind::Household)),
            (Tree::Residents, Some(Kind::Resident)),
            (Tree::Members, Some(Kind::Member)),
            (Tree::Events, None),
        ];
        for (tree, kind) in trees {
            for kv in self.scan_all(tree) {
                let (k, _) = kv?;
                ops.push(Op::put(Tree::Outbox.id(), k, value(kind, commit)));
            }
        }
        let n = ops.len() - 1;
        self.engine().commit(&ops)?;
        self.outbox_on.store(true, SeqCst);
        drop(_one);
        self.flush()?;
        Ok(n)
    }

    /// Everything queued, in id order (records and events alike).
    pub fn outbox(&self) -> Result<Vec<Queued>> {
        let mut out = Vec::new();
        self.each(Tree::Outbox, &[], |k, v| {
            out.push(decode(k, v)?);
            Ok(true)
        })?;
        Ok(out)
    }

    /// How many entries wait to be sent.
    pub fn outbox_len(&self) -> Result<usize> {
        self.engine().len(Tree::Outbox.id())
    }

    /// Removes `sent` from the outbox (each unless a later commit queued it
    /// again) and writes `state` (sync's keys), in one transaction.
    pub fn mark_sent(&self, sent: &[Queued], state: &[(Vec<u8>, Vec<u8>)]) -> Result<()> {
        self.writable()?;
        let _one = self.committing.lock().unwrap_or_else(|e| e.into_inner());
        let mut ops = Vec::new();
        for q in sent {
            let key = keys::id(q.id);
            if let Some(v) = self.get_raw(Tree::Outbox, &key)?
                && decode(&key, &v)?.commit == q.commit
            {
                ops.push(Op::del(Tree::Outbox.id(), key));
            }
        }
        for (k, v) in state {
            ops.push(Op::put(Tree::SyncState.id(), k.clone(), v.clone()));
        }
        if ops.is_empty() {
            return Ok(());
        }
        self.engine().commit(&ops)?;
        drop(_one);
        self.flush()
    }

    /// Writes sync's keys, in one transaction.
    pub fn sync_put(&self, state: &[(Vec<u8>, Vec<u8>)]) -> Result<()> {
        self.mark_sent(&[], state)
    }

    /// One of sync's keys.
    pub fn sync_get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.get_raw(Tree::SyncState, key)
    }

    /// Sync's keys that start with `prefix`, in key order.
    pub fn sync_scan(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut out = Vec::new();
        self.each(Tree::SyncState, prefix, |k, v| {
            out.push((k.to_vec(), v.to_vec()));
            Ok(true)
        })?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::writes::Writes;
    use gridbook_domain::model::*;

    fn area(name: &str) -> Area {
        Area {
            meta: Meta::new(None),
            name: name.into(),
            code: String::new(),
        }
    }

    #[test]
    fn once_started_every_commit_queues_what_it_writes_except_what_is_received() {
        let store = Store::memory().unwrap();
        let before = area("先有");
        let mut w = Writes::new();
        store.stage_new(&mut w, &before).unwrap();
        store.commit(w).unwrap();
        assert_eq!(store.outbox_len().unwrap(), 0, "off until sync is set up");

        assert_eq!(store.start_outbox().unwrap(), 1);
        let a = area("幸福小区");
        let mut w = Writes::new();
        store.stage_new(&mut w, &a).unwrap();
        store.commit(w).unwrap();
        let queued = store.outbox().unwrap();
        assert_eq!(queued.len(), 2);
        assert!(queued.iter().all(|q| q.kind == Some(Kind::Area)));

        let received = area("别处来的");
        receiving(|| {
            let mut w = Writes::new();
            store.stage_new(&mut w, &received).unwrap();
            store.commit(w).unwrap();
        });
        assert_eq!(
            store.outbox_len().unwrap(),
            2,
            "received entries are not sent back"
        );

        // Edited again after the batch was made: stays queued.
        let mut again = store.area(a.meta.id).unwrap().unwrap();
        let mut w = Writes::new();
        store.stage_update(&mut w, &mut again).unwrap();
        store.commit(w).unwrap();
        store
            .mark_sent(&queued, &[(b"k".to_vec(), b"v".to_vec())])
            .unwrap();
        let left = store.outbox().unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].id, a.meta.id);
        assert_eq!(store.sync_get(b"k").unwrap(), Some(b"v".to_vec()));
    }
}
