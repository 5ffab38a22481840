//! What an arriving batch does to the store: events as a set union by id,
//! records inserted when absent. A plain first rule; the full merge rule
//! (edit versions, conflicts shown to people, ordered replay) replaces it.

use gridbook_store::store::{Record, Store, StoreError, Writes};

use crate::export::Dump;

/// What applying one batch did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Entries (records + events) newly stored.
    pub received: usize,
    /// Already here with identical content: skipped.
    pub identical: usize,
    /// Same id, different content: kept aside, reported, never overwritten.
    pub quarantined: usize,
    /// New conflicts (the same record changed on two devices).
    pub conflicts: usize,
    /// New "needs attention" items.
    pub attention: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl gridbook_domain::error::Kinded for MergeError {
    fn kind(&self) -> gridbook_domain::error::ErrorKind {
        match self {
            MergeError::Store(e) => e.kind(),
        }
    }
}

/// Applies one batch from `device` (its name) all-or-nothing: after a kill
/// the store is as before or fully merged. Applying the same batch twice
/// changes nothing the second time.
pub fn apply(store: &Store, batch: &Dump, _device: &str) -> Result<MergeReport, MergeError> {
    let mut report = MergeReport::default();
    let mut w = Writes::new();
    records(store, &mut w, &batch.areas, &mut report)?;
    records(store, &mut w, &batch.buildings, &mut report)?;
    records(store, &mut w, &batch.households, &mut report)?;
    records(store, &mut w, &batch.residents, &mut report)?;
    records(store, &mut w, &batch.members, &mut report)?;
    let mut seen = std::collections::HashSet::new();
    for e in &batch.events {
        if !seen.insert(e.id) {
            continue;
        }
        match store.event(e.id)? {
            Some(here) if here == *e => report.identical += 1,
            Some(_) => report.quarantined += 1,
            None => {
                store.stage_event(&mut w, e)?;
                report.received += 1;
            }
        }
    }
    store.commit(w)?;
    Ok(report)
}

fn records<R: Record + PartialEq>(
    store: &Store,
    w: &mut Writes,
    list: &[R],
    report: &mut MergeReport,
) -> Result<(), MergeError> {
    for r in list {
        match store.record::<R>(r.meta().id)? {
            Some(here) if here == *r => report.identical += 1,
            Some(_) => report.conflicts += 1,
            None => {
                store.stage_new(w, r)?;
                report.received += 1;
            }
        }
    }
    Ok(())
}
