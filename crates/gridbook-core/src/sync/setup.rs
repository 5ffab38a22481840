//! What `sync init` does to the store once the device's files are made:
//! which entries wait to be sent, and under which device id new ones are
//! stamped.
//!
//! A store that never synced queues everything it holds. A store that
//! synced before under another journal is a copy of a laptop's data
//! directory (how an office sets up many laptops from one, instead of each
//! receiving the whole estate) or this laptop after its journal was lost.
//! Everything such a store holds outside its outbox either arrived from
//! the office or went out in a batch whose commit it remembers as its
//! cursor. When the office holds every one of those commits, queuing the
//! store again would only send the estate back: the outbox is kept as it
//! is. When the office lacks one (a batch made but never pushed, or
//! another office), everything is queued, as for a fresh store: what
//! arrives identical elsewhere is skipped, and nothing can be lost.

use gridbook_store::store::Store;

use super::SyncError;
use super::device::{Device, OFFICE_DEV};
use super::run::{CURSOR_PREFIX, device_name};

/// What `sync init` did to the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Start {
    /// A store that had not synced: everything it holds is queued.
    Fresh { queued: usize },
    /// A store that synced before and whose batches the office holds: its
    /// unsent entries stay queued and nothing else is. `was` is the device
    /// name it synced under, when known.
    Kept { unsent: usize, was: Option<String> },
    /// A store that synced before, but the office lacks `missing` (a
    /// device's batch it had): everything is queued again.
    Requeued { queued: usize, missing: String },
}

impl Start {
    /// How many entries wait to be sent.
    pub fn queued(&self) -> usize {
        match self {
            Start::Fresh { queued } | Start::Requeued { queued, .. } => *queued,
            Start::Kept { unsent, .. } => *unsent,
        }
    }
}

/// Starts the outbox of `store` for `dev`, whose journal holds what the
/// office had when `sync init` fetched it.
pub fn start(store: &Store, dev: &Device) -> Result<Start, SyncError> {
    let me = store.device_id()?;
    let was = match me {
        Some(id) => device_name(store, id)?,
        None => None,
    };
    // Another name than the one its entries were sent under: this store
    // becomes a new device. (Same name: a reinstall, which keeps it.)
    if was.as_ref().is_some_and(|w| *w != dev.name) {
        store.renew_device()?;
    }
    if !store.outbox_on() {
        return Ok(Start::Fresh {
            queued: store.start_outbox()?,
        });
    }
    match missing_batch(store, dev)? {
        None => Ok(Start::Kept {
            unsent: store.outbox_len()?,
            was,
        }),
        Some(device) => Ok(Start::Requeued {
            queued: store.start_outbox()?,
            missing: device,
        }),
    }
}

/// The first device whose last batch known to `store` the office does not
/// hold on that device's branch, if any.
fn missing_batch(store: &Store, dev: &Device) -> Result<Option<String>, SyncError> {
    let git = dev.journal();
    for (key, commit) in store.sync_scan(CURSOR_PREFIX.as_bytes())? {
        let device = String::from_utf8_lossy(&key[CURSOR_PREFIX.len()..]).to_string();
        let commit = String::from_utf8_lossy(&commit).to_string();
        let tip = git.rev(&format!("{OFFICE_DEV}{device}"))?;
        let held = match tip {
            // An object the fetch did not bring is on no branch the office has.
            Some(tip) => git.rev(&commit)?.is_some() && git.is_ancestor(&commit, &tip)?,
            None => false,
        };
        if !held {
            return Ok(Some(device));
        }
    }
    Ok(None)
}
