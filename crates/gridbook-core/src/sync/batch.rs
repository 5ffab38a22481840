//! A batch: what one device sends in one commit. JSON lines: a header
//! naming the format and its version, then one entry per line in the
//! lossless export format (`{"area": {...}}`, …, `{"event": {...}}`). The
//! whole file is encrypted to the community's age key unless the office is
//! plaintext. A batch is parsed back into an [`export::Dump`] for
//! [`crate::merge::apply`].

use serde::{Deserialize, Serialize};

use crate::export::{self, Dump};
use crate::seal;
use gridbook_domain::model::*;
use gridbook_store::outbox::Queued;
use gridbook_store::store::Store;

use super::{BatchTrouble, KeyReason, SyncError};

pub const FORMAT_NAME: &str = "gridbook-batch";
/// Bumped when a batch's layout changes incompatibly.
pub const FORMAT_VERSION: u32 = 1;
/// The file's name in a batch commit.
pub const FILE_SEALED: &str = "batch.jsonl.age";
pub const FILE_PLAIN: &str = "batch.jsonl";

#[derive(Debug, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub format_version: u32,
    pub device: String,
    /// The id the sender's entries are stamped with, so receivers can name
    /// the laptop in conflicts. Absent from batches of older versions.
    #[serde(default)]
    pub device_id: Option<Id>,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    pub entries: usize,
    pub export_format: String,
    pub export_format_version: u32,
    pub schema_version: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Entry {
    Area(Area),
    Building(Building),
    Household(Household),
    Resident(Resident),
    Member(Member),
    Event(Event),
    /// The entry's place in the order every device agrees on, so the
    /// receiver replays it where the sender did.
    Stamp(export::StampRow),
}

/// The batch's plaintext for the queued entries, as the store holds them
/// now; entries no longer stored are left out. Returns the bytes and how
/// many of the queued entries they hold (the erasures every batch carries
/// along are not counted).
pub fn build(
    store: &Store,
    device: &str,
    queued: &[Queued],
) -> Result<(Vec<u8>, usize), SyncError> {
    let mut entries = Vec::new();
    for q in queued {
        let entry = match q.kind {
            None => store.event(q.id)?.map(Entry::Event),
            Some(Kind::Area) => store.area(q.id)?.map(Entry::Area),
            Some(Kind::Building) => store.building(q.id)?.map(Entry::Building),
            Some(Kind::Household) => store.household(q.id)?.map(Entry::Household),
            Some(Kind::Resident) => store.resident(q.id)?.map(Entry::Resident),
            Some(Kind::Member) => store.member(q.id)?.map(Entry::Member),
        };
        entries.extend(entry);
    }
    // What leaves is redacted for every erasure known here, as the store
    // will be once its rewrite is done (an erasure received in this sync
    // may still wait for it).
    let known = crate::erase::known(store)?;
    let queued_n = entries.len();
    if !known.is_empty() {
        entries = redacted(store, entries)?;
        // And it carries those erasures (a few ids each): a laptop that
        // receives this batch before the erasure's own would otherwise
        // hold redacted copies it cannot explain beside unredacted ones
        // from before the erasure, and quarantine them. Not counted as
        // sent: they are other devices' entries, here only as context.
        let queued: std::collections::HashSet<Id> = queued.iter().map(|q| q.id).collect();
        entries.extend(
            known
                .into_iter()
                .filter(|e| !queued.contains(&e.id))
                .map(Entry::Event),
        );
    }
    let mut lines = Vec::new();
    let mut stamps = Vec::new();
    for e in entries {
        let id = match &e {
            Entry::Area(r) => r.meta.id,
            Entry::Building(r) => r.meta.id,
            Entry::Household(r) => r.meta.id,
            Entry::Resident(r) => r.meta.id,
            Entry::Member(r) => r.meta.id,
            Entry::Event(e) => e.id,
            Entry::Stamp(s) => s.id,
        };
        lines.push(serde_json::to_vec(&e).map_err(|e| SyncError::Input(e.to_string()))?);
        if let Some(stamp) = store.stamp(id)? {
            let row = Entry::Stamp(export::StampRow::new(id, stamp));
            stamps.push(serde_json::to_vec(&row).map_err(|e| SyncError::Input(e.to_string()))?);
        }
    }
    let header = Header {
        format: FORMAT_NAME.into(),
        format_version: FORMAT_VERSION,
        device: device.into(),
        device_id: store.device_id()?,
        created_at: Ts::now().0,
        entries: lines.len(),
        export_format: export::FORMAT_NAME.into(),
        export_format_version: export::FORMAT_VERSION,
        schema_version: store.exported_schema()?,
    };
    let mut out = serde_json::to_vec(&header).map_err(|e| SyncError::Input(e.to_string()))?;
    out.push(b'\n');
    let n = queued_n;
    for l in lines.into_iter().chain(stamps) {
        out.extend_from_slice(&l);
        out.push(b'\n');
    }
    Ok((out, n))
}

/// The entries as [`crate::erase::redact_batch`] leaves them.
fn redacted(store: &Store, entries: Vec<Entry>) -> Result<Vec<Entry>, SyncError> {
    let mut d = Dump::default();
    for e in entries {
        match e {
            Entry::Area(r) => d.areas.push(r),
            Entry::Building(r) => d.buildings.push(r),
            Entry::Household(r) => d.households.push(r),
            Entry::Resident(r) => d.residents.push(r),
            Entry::Member(r) => d.members.push(r),
            Entry::Event(e) => d.events.push(e),
            Entry::Stamp(_) => {}
        }
    }
    crate::erase::redact_batch(store, &mut d)?;
    let mut out: Vec<Entry> = Vec::new();
    out.extend(d.areas.into_iter().map(Entry::Area));
    out.extend(d.buildings.into_iter().map(Entry::Building));
    out.extend(d.households.into_iter().map(Entry::Household));
    out.extend(d.residents.into_iter().map(Entry::Resident));
    out.extend(d.members.into_iter().map(Entry::Member));
    out.extend(d.events.into_iter().map(Entry::Event));
    Ok(out)
}

/// Encrypts a batch to the community key (or leaves it plain).
pub fn seal(
    plain: &[u8],
    recipient: Option<&age::x25519::Recipient>,
) -> Result<Vec<u8>, SyncError> {
    let how = match recipient {
        Some(r) => seal::Seal::Recipients(vec![r.clone()]),
        None => seal::Seal::Plain,
    };
    let mut out = Vec::new();
    seal::write(&how, plain, &mut out).map_err(|e| SyncError::Encrypt(e.to_string()))?;
    Ok(out)
}

/// Opens and parses a batch: its header and its entries as a dump.
pub fn open(
    device: &str,
    commit: &str,
    bytes: &[u8],
    identity: Option<&age::x25519::Identity>,
) -> Result<(Header, Dump), SyncError> {
    let bad = |reason: BatchTrouble| SyncError::BadBatch {
        device: device.into(),
        commit: commit.chars().take(12).collect(),
        reason,
    };
    let plain;
    let text: &[u8] = if seal::is_sealed(bytes) {
        let Some(id) = identity else {
            return Err(bad(BatchTrouble::NoKey));
        };
        let key = seal::Key::Identities(vec![Box::new(id.clone())]);
        plain = seal::open("batch", bytes, &key).map_err(|e| match e {
            seal::SealError::WrongKey { .. } => SyncError::WrongKey {
                reason: KeyReason::BatchToOther {
                    device: device.into(),
                },
            },
            other => bad(BatchTrouble::Sealed(other)),
        })?;
        &plain
    } else {
        bytes
    };
    let mut lines = text.split(|b| *b == b'\n').filter(|l| !l.is_empty());
    let head: Header = serde_json::from_slice(lines.next().unwrap_or_default())
        .map_err(|e| bad(BatchTrouble::NoHeader(e.to_string())))?;
    if head.format != FORMAT_NAME {
        return Err(bad(BatchTrouble::Format(head.format)));
    }
    if head.format_version > FORMAT_VERSION || head.export_format_version > export::FORMAT_VERSION {
        return Err(bad(BatchTrouble::Newer(head.format_version)));
    }
    if head.device != device {
        return Err(bad(BatchTrouble::FromOther(head.device)));
    }
    let mut dump = Dump {
        notice: export::NOTICE.into(),
        format: export::FORMAT_NAME.into(),
        format_version: export::FORMAT_VERSION,
        schema_version: head.schema_version,
        areas: vec![],
        buildings: vec![],
        households: vec![],
        residents: vec![],
        members: vec![],
        events: vec![],
        stamps: vec![],
    };
    for (i, line) in lines.enumerate() {
        // serde's message can quote a value (a name): say only where.
        let entry: Entry = serde_json::from_slice(line).map_err(|e| {
            bad(BatchTrouble::Entry {
                line: i + 2,
                column: e.column(),
            })
        })?;
        match entry {
            Entry::Area(r) => dump.areas.push(r),
            Entry::Building(r) => dump.buildings.push(r),
            Entry::Household(r) => dump.households.push(r),
            Entry::Resident(r) => dump.residents.push(r),
            Entry::Member(r) => dump.members.push(r),
            Entry::Event(e) => dump.events.push(e),
            Entry::Stamp(s) => dump.stamps.push(s),
        }
    }
    Ok((head, dump))
}
