//! The only module that touches sled.
//!
//! One tree per record kind plus index trees whose big-endian keys make every
//! level (`parent ++ child`) and every timeline (`zone ++ event`) one ordered
//! prefix scan. Values go through [`crate::codec`]. Every write the caller is
//! told about has been committed in one transaction and flushed (fsync).

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use sled::Transactional;
use thiserror::Error;

use crate::codec::{self, CodecError};
use gridbook_domain::model::*;

/// Bumped when the set of trees or their keys change; see [`Store::migrate`].
pub const SCHEMA_VERSION: u32 = 3;

/// sled's default page cache is 1 GB; a field laptop should not give that up.
const CACHE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("the data directory {} is in use by another gridbook; close it first", dir.display())]
    Locked { dir: PathBuf },
    #[error("the store in {} is damaged ({detail}){}", dir.display(), backup_hint(backup))]
    Damaged {
        dir: PathBuf,
        detail: String,
        backup: Option<PathBuf>,
    },
    #[error("the store in {} has schema version {found}; this gridbook understands up to {SCHEMA_VERSION}. Use a newer gridbook", dir.display())]
    TooNew { dir: PathBuf, found: u32 },
    #[error("cannot use the data directory {}: {source}", dir.display())]
    Io {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("store error: {0}")]
    Sled(String),
    /// Damage found while reading an opened store.
    #[error("the store is damaged ({0})")]
    Corrupt(String),
    #[error("stored {what} does not decode: {source}")]
    Codec {
        what: &'static str,
        source: CodecError,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("not found: {0}")]
    NotFound(String),
}

/// `; the newest backup is …`, for messages about a damaged store.
pub fn backup_hint(b: &Option<PathBuf>) -> String {
    match b {
        Some(p) => format!(
            "; the newest backup is {} (gridbook restore --force {})",
            p.display(),
            p.display()
        ),
        None => "; no backup was found".to_string(),
    }
}

impl gridbook_domain::error::Kinded for StoreError {
    /// A store that cannot be read or written (locked, damaged, too new, a
    /// file system that refuses) is unavailable; a bad argument is input.
    fn kind(&self) -> gridbook_domain::error::ErrorKind {
        use gridbook_domain::error::ErrorKind;
        match self {
            StoreError::Locked { .. }
            | StoreError::Damaged { .. }
            | StoreError::TooNew { .. }
            | StoreError::Corrupt(_)
            | StoreError::Codec { .. }
            | StoreError::Io { .. }
            | StoreError::Sled(_) => ErrorKind::Unavailable,
            StoreError::Invalid(_) | StoreError::NotFound(_) => ErrorKind::Input,
        }
    }
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        match e {
            sled::Error::Corruption { at, .. } => StoreError::Corrupt(match at {
                Some(at) => format!("corrupted data at {at:?}"),
                None => "corrupted data".to_string(),
            }),
            sled::Error::ReportableBug(what) => StoreError::Corrupt(what),
            other => StoreError::Sled(other.to_string()),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The trees, in a fixed order so a transaction can address them by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum T {
    Meta,
    Areas,
    Buildings,
    Households,
    Residents,
    Members,
    Events,
    /// id → kind byte ++ parent id: what any id names and where it hangs.
    Parent,
    /// parent ++ child → kind byte.
    Children,
    /// zone ++ event → (): events of a zone and of everything inside it.
    Timeline,
    /// member ++ event → (): events a member wrote or is the subject of.
    ByMember,
    /// zone ++ assignment event → `until` (8 bytes) once ended, empty while open.
    Assignments,
    /// problem event → zone, for problems that are open now.
    OpenProblems,
    /// follow-up date ++ visit event → household.
    FollowUps,
    /// zone ++ problem event → (): open problems under every zone that contains them.
    OpenByZone,
    /// household → at ++ visit event: the latest visit, one read per household.
    LastVisit,
    /// zone ++ patrol kind → at: the latest patrol of each kind.
    LastPatrol,
    /// visit event → its current follow-up date (after amendments).
    FollowUpOf,
    /// corrected event ++ amendment → (): the corrections of each entry.
    Amendments,
}

const ALL_TREES: [T; 19] = [
    T::Meta,
    T::Areas,
    T::Buildings,
    T::Households,
    T::Residents,
    T::Members,
    T::Events,
    T::Parent,
    T::Children,
    T::Timeline,
    T::ByMember,
    T::Assignments,
    T::OpenProblems,
    T::FollowUps,
    T::OpenByZone,
    T::LastVisit,
    T::LastPatrol,
    T::FollowUpOf,
    T::Amendments,
];

/// Trees that are derived from records and events and can be rebuilt.
pub const DERIVED: [T; 12] = [
    T::Parent,
    T::Children,
    T::Timeline,
    T::ByMember,
    T::Assignments,
    T::OpenProblems,
    T::FollowUps,
    T::OpenByZone,
    T::LastVisit,
    T::LastPatrol,
    T::FollowUpOf,
    T::Amendments,
];

impl T {
    fn name(self) -> &'static str {
        match self {
            T::Meta => "meta",
            T::Areas => "areas",
            T::Buildings => "buildings",
            T::Households => "households",
            T::Residents => "residents",
            T::Members => "members",
            T::Events => "events",
            T::Parent => "idx_parent",
            T::Children => "idx_children",
            T::Timeline => "idx_timeline",
            T::ByMember => "idx_by_member",
            T::Assignments => "idx_assignments",
            T::OpenProblems => "idx_open_problems",
            T::FollowUps => "idx_follow_ups",
            T::OpenByZone => "idx_open_by_zone",
            T::LastVisit => "idx_last_visit",
            T::LastPatrol => "idx_last_patrol",
            T::FollowUpOf => "idx_follow_up_of",
            T::Amendments => "idx_amendments",
        }
    }
    fn record(kind: Kind) -> T {
        match kind {
            Kind::Area => T::Areas,
            Kind::Building => T::Buildings,
            Kind::Household => T::Households,
            Kind::Resident => T::Residents,
            Kind::Member => T::Members,
        }
    }
}

fn key2(a: Id, b: Id) -> Vec<u8> {
    let mut k = Vec::with_capacity(32);
    k.extend_from_slice(&a.to_bytes());
    k.extend_from_slice(&b.to_bytes());
    k
}

fn ts_bytes(t: Ts) -> [u8; 8] {
    // Flip the sign bit so negative instants still sort before positive ones.
    ((t.0 as u64) ^ (1 << 63)).to_be_bytes()
}

fn ts_from(b: &[u8]) -> Option<Ts> {
    let arr: [u8; 8] = b.get(..8)?.try_into().ok()?;
    Some(Ts((u64::from_be_bytes(arr) ^ (1 << 63)) as i64))
}

fn date_bytes(d: Date) -> [u8; 4] {
    let y = (d.year as u16).to_be_bytes();
    [y[0], y[1], d.month, d.day]
}

/// A set of writes that belong together: committed in one transaction.
#[derive(Default)]
pub struct Writes {
    ops: Vec<(T, Vec<u8>, Option<Vec<u8>>)>,
    /// Parents of records added in this set, so events on them index correctly.
    pending_parents: HashMap<Id, (Kind, Id)>,
    /// Ancestries already looked up: bulk loads put many events on one zone.
    ancestry_cache: HashMap<Id, Vec<Id>>,
    /// Latest visit / patrol staged so far in this set, so maxima stay right
    /// when one set holds several visits to the same household.
    latest: HashMap<Vec<u8>, Vec<u8>>,
    /// Computing derived indexes from scratch: ignore what is stored.
    from_scratch: bool,
}

impl Writes {
    pub fn new() -> Writes {
        Writes::default()
    }
    pub fn len(&self) -> usize {
        self.ops.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
    fn put(&mut self, t: T, key: Vec<u8>, value: Vec<u8>) {
        self.ops.push((t, key, Some(value)));
    }
    fn del(&mut self, t: T, key: Vec<u8>) {
        self.ops.push((t, key, None));
    }
}

/// A responsibility span as derived from its events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub id: Id,
    pub zone: Id,
    pub member: Id,
    pub role: Role,
    pub since: Ts,
    pub until: Option<Ts>,
}

impl Assignment {
    pub fn active_at(&self, now: Ts) -> bool {
        self.since <= now && self.until.is_none_or(|u| u > now)
    }
}

/// Records that hang in the hierarchy and can be written generically.
pub trait Record: Serialize + DeserializeOwned {
    const KIND: Kind;
    fn meta(&self) -> &Meta;
    fn meta_mut(&mut self) -> &mut Meta;
    /// Areas hang under [`Id::ROOT`]; members hang nowhere (`None`).
    fn parent(&self) -> Option<Id>;
    fn label(&self) -> String;
}

// Every record kind hangs in the hierarchy the same way; only the parent
// field and the label differ. Members hang nowhere.
macro_rules! record {
    ($t:ty, $kind:expr, |$r:ident| parent: $parent:expr, label: $label:expr) => {
        impl Record for $t {
            const KIND: Kind = $kind;
            fn meta(&self) -> &Meta {
                &self.meta
            }
            fn meta_mut(&mut self) -> &mut Meta {
                &mut self.meta
            }
            fn parent(&self) -> Option<Id> {
                #[allow(unused_variables)]
                let $r = self;
                $parent
            }
            fn label(&self) -> String {
                let $r = self;
                $label
            }
        }
    };
}

record!(Area, Kind::Area, |r| parent: Some(Id::ROOT), label: r.name.clone());
record!(Building, Kind::Building, |r| parent: Some(r.area), label: r.name.clone());
record!(Household, Kind::Household, |r| parent: Some(r.building), label: Household::label(r));
record!(Resident, Kind::Resident, |r| parent: Some(r.household), label: r.name.clone());
record!(Member, Kind::Member, |r| parent: None, label: r.name.clone());

/// The one-writer lock on a data directory, held until dropped.
pub struct WriterLock(File);

pub struct Store {
    dir: PathBuf,
    db: sled::Db,
    trees: Vec<sled::Tree>,
    /// Held for the life of the store: the one-writer lock.
    _lock: File,
    /// During a bulk load the loader flushes once at the end instead of per commit.
    deferred_flush: std::sync::atomic::AtomicBool,
    /// sled's log file. sled's own flush ends in `sync_file_range`, which
    /// leaves the disk's write cache and the file's size unsynced; an
    /// `fdatasync` of this file after it makes a saved write survive a power cut.
    log_file: File,
}

/// Creates `dir` (and parents) with mode 0700: the data is personal information.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

impl Store {
    /// Opens (or creates) the store in `dir`, taking the one-writer lock first.
    pub fn open(dir: &Path) -> Result<Store> {
        let lock = Store::lock(dir)?;
        Store::open_locked(dir, lock)
    }

    /// Takes the one-writer lock on `dir` (creating it `0700`), without
    /// opening the store: the TUI checks it before it takes the terminal.
    pub fn lock(dir: &Path) -> Result<WriterLock> {
        let io = |source| StoreError::Io {
            dir: dir.to_path_buf(),
            source,
        };
        create_private_dir(dir).map_err(io)?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("gridbook.lock"))
            .map_err(io)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(StoreError::Locked {
                    dir: dir.to_path_buf(),
                });
            }
            Err(fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        Ok(WriterLock(lock))
    }

    /// Opens the store in `dir` under a lock taken with [`Store::lock`].
    pub fn open_locked(dir: &Path, lock: WriterLock) -> Result<Store> {
        let lock = lock.0;
        let damaged = |detail: String| StoreError::Damaged {
            dir: dir.to_path_buf(),
            detail,
            backup: crate::backups::newest(dir),
        };
        let db_path = dir.join("store");
        // sled can panic on some damaged logs; that is a damaged store, not a
        // crash, so keep the panic quiet and report it as such.
        let open_sled = || {
            let hook = std::panic::take_hook();
            std::panic::set_hook(Box::new(|_| {}));
            let opened = std::panic::catch_unwind(|| {
                sled::Config::new()
                    .path(&db_path)
                    .cache_capacity(CACHE_BYTES)
                    // We flush ourselves before reporting a write; the timer only
                    // bounds what an unexpected crash of background work could lose.
                    .flush_every_ms(Some(1000))
                    .open()
            });
            std::panic::set_hook(hook);
            opened
        };
        // We hold the writer lock, so a busy sled lock is a store this process
        // just dropped whose background threads are still closing it: wait.
        let busy = |e: &sled::Error| {
            matches!(e, sled::Error::Io(io)
                if io.kind() == std::io::ErrorKind::WouldBlock
                    || io.to_string().contains("could not acquire lock"))
        };
        let mut opened = open_sled();
        for _ in 0..100 {
            match &opened {
                Ok(Err(e)) if busy(e) => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    opened = open_sled();
                }
                _ => break,
            }
        }
        let db = match opened {
            Ok(Ok(db)) => db,
            Ok(Err(e)) if busy(&e) => {
                return Err(StoreError::Locked {
                    dir: dir.to_path_buf(),
                });
            }
            Ok(Err(e)) => {
                return Err(damaged(match StoreError::from(e) {
                    StoreError::Corrupt(d) => d,
                    other => other.to_string(),
                }));
            }
            Err(_) => return Err(damaged("sled failed while recovering its log".into())),
        };
        let mut trees = Vec::with_capacity(ALL_TREES.len());
        for t in ALL_TREES {
            trees.push(db.open_tree(t.name()).map_err(|e| damaged(e.to_string()))?);
        }
        let log_file = File::open(db_path.join("db")).map_err(|e| damaged(e.to_string()))?;
        let store = Store {
            dir: dir.to_path_buf(),
            log_file,
            db,
            trees,
            _lock: lock,
            deferred_flush: std::sync::atomic::AtomicBool::new(false),
        };
        store.check_schema().map_err(|e| match e {
            StoreError::Corrupt(d) => damaged(d),
            other => other,
        })?;
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn tree(&self, t: T) -> &sled::Tree {
        &self.trees[t as usize]
    }

    fn check_schema(&self) -> Result<()> {
        let found = self.tree(T::Meta).get(b"schema")?.map(|v| {
            let arr: [u8; 4] = v.as_ref().try_into().unwrap_or([0; 4]);
            u32::from_be_bytes(arr)
        });
        match found {
            Some(v) if v == SCHEMA_VERSION => Ok(()),
            Some(v) if v > SCHEMA_VERSION => Err(StoreError::TooNew {
                dir: self.dir.clone(),
                found: v,
            }),
            Some(v) => self.migrate(v),
            None if self.is_empty() => {
                self.set_schema(SCHEMA_VERSION)?;
                Ok(())
            }
            // Data without a schema marker predates versioning: version 0.
            None => self.migrate(0),
        }
    }

    fn set_schema(&self, v: u32) -> Result<()> {
        self.tree(T::Meta).insert(b"schema", &v.to_be_bytes())?;
        self.sync()?;
        Ok(())
    }

    pub fn schema_version(&self) -> u32 {
        self.tree(T::Meta)
            .get(b"schema")
            .ok()
            .flatten()
            .and_then(|v| v.as_ref().try_into().ok().map(u32::from_be_bytes))
            .unwrap_or(0)
    }

    /// Brings an older store up to [`SCHEMA_VERSION`], one step at a time.
    /// Version 0 had the same records without a marker; version 1 lacked the
    /// latest-visit and latest-patrol indexes. Both steps rebuild the indexes.
    fn migrate(&self, from: u32) -> Result<()> {
        let mut v = from;
        while v < SCHEMA_VERSION {
            match v {
                0 => {
                    self.rebuild()?;
                }
                1 => {
                    // Version 1 kept every visit and patrol in time-ordered
                    // indexes; version 2 keeps only the latest of each.
                    for old in ["idx_visits", "idx_patrols"] {
                        self.db.drop_tree(old)?;
                    }
                    self.rebuild()?;
                }
                2 => self.upgrade_records()?,
                other => {
                    return Err(StoreError::Invalid(format!(
                        "no migration from schema version {other}"
                    )));
                }
            }
            v += 1;
            self.set_schema(v)?;
        }
        Ok(())
    }

    /// Schema 2 → 3: rewrites buildings, households, residents and members
    /// in the schema-3 shape (see [`crate::legacy`]). Values already in the
    /// new shape are left alone, so a killed migration resumes where it stopped.
    fn upgrade_records(&self) -> Result<()> {
        fn rewrite<R: Record + crate::legacy::Upgrade>(store: &Store) -> Result<()> {
            let tree = store.tree(T::record(R::KIND));
            let mut batch = sled::Batch::default();
            for kv in tree.iter() {
                let (k, v) = kv?;
                if codec::decode::<R>(&v).is_ok() {
                    continue;
                }
                let r = R::upgrade(&v).map_err(|source| StoreError::Codec {
                    what: R::KIND.code(),
                    source,
                })?;
                batch.insert(k, encode(&r)?);
            }
            tree.apply_batch(batch)?;
            Ok(())
        }
        rewrite::<Building>(self)?;
        rewrite::<Household>(self)?;
        rewrite::<Resident>(self)?;
        rewrite::<Member>(self)?;
        self.sync()
    }

    /// True when no place, person or event is stored.
    pub fn is_empty(&self) -> bool {
        [
            T::Areas,
            T::Buildings,
            T::Households,
            T::Residents,
            T::Members,
            T::Events,
        ]
        .iter()
        .all(|t| self.tree(*t).is_empty())
    }

    // ---- reading -------------------------------------------------------

    fn get<V: DeserializeOwned>(&self, t: T, what: &'static str, id: Id) -> Result<Option<V>> {
        match self.tree(t).get(id.to_bytes())? {
            None => Ok(None),
            Some(bytes) => codec::decode(&bytes)
                .map(Some)
                .map_err(|source| StoreError::Codec { what, source }),
        }
    }

    pub fn record<R: Record>(&self, id: Id) -> Result<Option<R>> {
        self.get(T::record(R::KIND), R::KIND.code(), id)
    }

    pub fn area(&self, id: Id) -> Result<Option<Area>> {
        self.record(id)
    }
    pub fn building(&self, id: Id) -> Result<Option<Building>> {
        self.record(id)
    }
    pub fn household(&self, id: Id) -> Result<Option<Household>> {
        self.record(id)
    }
    pub fn resident(&self, id: Id) -> Result<Option<Resident>> {
        self.record(id)
    }
    pub fn member(&self, id: Id) -> Result<Option<Member>> {
        self.record(id)
    }
    pub fn event(&self, id: Id) -> Result<Option<Event>> {
        self.get(T::Events, "event", id)
    }

    /// What `id` names and its parent (areas have [`Id::ROOT`], members themselves).
    pub fn kind_of(&self, id: Id) -> Result<Option<(Kind, Id)>> {
        Ok(self.tree(T::Parent).get(id.to_bytes())?.and_then(|v| {
            let kind = Kind::from_byte(*v.first()?)?;
            Some((kind, Id::from_slice(&v[1..])?))
        }))
    }

    /// The zone and its ancestors, innermost first (household, building, area).
    pub fn ancestry(&self, id: Id) -> Result<Vec<(Kind, Id)>> {
        let mut out = Vec::with_capacity(4);
        let mut cur = id;
        while let Some((kind, parent)) = self.kind_of(cur)? {
            out.push((kind, cur));
            if parent == Id::ROOT || parent == cur || out.len() > 4 {
                break;
            }
            cur = parent;
        }
        Ok(out)
    }

    /// Ids of the children of `parent` in key order (which is creation order).
    pub fn child_ids(&self, parent: Id) -> Result<Vec<Id>> {
        let mut out = Vec::new();
        for kv in self.tree(T::Children).scan_prefix(parent.to_bytes()) {
            let (k, _) = kv?;
            if let Some(id) = Id::from_slice(&k[16..]) {
                out.push(id);
            }
        }
        Ok(out)
    }

    pub fn child_count(&self, parent: Id) -> usize {
        self.tree(T::Children)
            .scan_prefix(parent.to_bytes())
            .count()
    }

    fn live_children<R: Record>(&self, parent: Id) -> Result<Vec<R>> {
        let mut out = Vec::new();
        for id in self.child_ids(parent)? {
            if let Some(r) = self.record::<R>(id)?
                && r.meta().is_live()
            {
                out.push(r);
            }
        }
        Ok(out)
    }

    pub fn areas(&self) -> Result<Vec<Area>> {
        self.live_children(Id::ROOT)
    }
    pub fn buildings_of(&self, area: Id) -> Result<Vec<Building>> {
        self.live_children(area)
    }
    pub fn households_of(&self, building: Id) -> Result<Vec<Household>> {
        self.live_children(building)
    }
    pub fn residents_of(&self, household: Id) -> Result<Vec<Resident>> {
        self.live_children(household)
    }

    /// Every record of a kind, tombstoned ones included, in id order.
    pub fn all<R: Record>(&self) -> impl Iterator<Item = Result<R>> + '_ {
        self.tree(T::record(R::KIND)).iter().map(|kv| {
            let (_, v) = kv?;
            codec::decode(&v).map_err(|source| StoreError::Codec {
                what: R::KIND.code(),
                source,
            })
        })
    }

    pub fn members(&self) -> Result<Vec<Member>> {
        self.all::<Member>()
            .filter(|m| m.as_ref().map_or(true, |m| m.meta.is_live()))
            .collect()
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.tree(T::record(kind)).len()
    }

    pub fn event_count(&self) -> usize {
        self.tree(T::Events).len()
    }

    /// Every event, oldest first.
    pub fn events(&self) -> impl Iterator<Item = Result<Event>> + '_ {
        self.tree(T::Events).iter().map(|kv| {
            let (_, v) = kv?;
            codec::decode(&v).map_err(|source| StoreError::Codec {
                what: "event",
                source,
            })
        })
    }

    /// Events that happened at or after `since`, oldest first. Event ids carry
    /// their `at` time, so this is one range scan.
    pub fn events_since(&self, since: Ts) -> Result<Vec<Event>> {
        let start = Id::from_parts(since.0, 0).to_bytes();
        let mut out = Vec::new();
        for kv in self.tree(T::Events).range(start..) {
            let (_, v) = kv?;
            let e: Event = codec::decode(&v).map_err(|source| StoreError::Codec {
                what: "event",
                source,
            })?;
            if e.at >= since {
                out.push(e);
            }
        }
        Ok(out)
    }

    fn events_by_prefix(&self, t: T, prefix: &[u8], limit: usize) -> Result<Vec<Event>> {
        let mut out = Vec::new();
        for kv in self.tree(t).scan_prefix(prefix).rev() {
            if out.len() >= limit {
                break;
            }
            let (k, _) = kv?;
            let Some(id) = Id::from_slice(&k[k.len() - 16..]) else {
                continue;
            };
            if let Some(e) = self.event(id)? {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// The newest `limit` events of a zone and everything inside it, newest first.
    pub fn timeline(&self, zone: Id, limit: usize) -> Result<Vec<Event>> {
        self.events_by_prefix(T::Timeline, &zone.to_bytes(), limit)
    }

    /// The newest `limit` events a member wrote or is the subject of.
    pub fn member_timeline(&self, member: Id, limit: usize) -> Result<Vec<Event>> {
        self.events_by_prefix(T::ByMember, &member.to_bytes(), limit)
    }

    /// The assignment an `Assignments` entry (`zone ++ event` → until) stands for.
    fn assignment_entry(&self, k: &[u8], v: &[u8]) -> Result<Option<Assignment>> {
        let (Some(zone), Some(id)) = (Id::from_slice(&k[..16]), Id::from_slice(&k[16..])) else {
            return Ok(None);
        };
        Ok(match self.event(id)? {
            Some(Event {
                body:
                    EventBody::Assigned {
                        member,
                        role,
                        since,
                        until,
                    },
                ..
            }) => Some(Assignment {
                id,
                zone,
                member,
                role,
                since,
                until: ts_from(v).or(until),
            }),
            _ => None,
        })
    }

    /// Every assignment ever made on `zone` (direct only), oldest first.
    pub fn assignments_of(&self, zone: Id) -> Result<Vec<Assignment>> {
        let mut out = Vec::new();
        for kv in self.tree(T::Assignments).scan_prefix(zone.to_bytes()) {
            let (k, v) = kv?;
            out.extend(self.assignment_entry(&k, &v)?);
        }
        Ok(out)
    }

    /// Every assignment of one member, on any zone.
    pub fn assignments_of_member(&self, member: Id) -> Result<Vec<Assignment>> {
        let mut zones: Vec<Id> = Vec::new();
        for kv in self.tree(T::ByMember).scan_prefix(member.to_bytes()) {
            let (k, _) = kv?;
            let Some(id) = Id::from_slice(&k[16..]) else {
                continue;
            };
            if let Some(e) = self.event(id)?
                && matches!(e.body, EventBody::Assigned { member: m, .. } if m == member)
                && !zones.contains(&e.zone)
            {
                zones.push(e.zone);
            }
        }
        let mut out = Vec::new();
        for z in zones {
            out.extend(
                self.assignments_of(z)?
                    .into_iter()
                    .filter(|a| a.member == member),
            );
        }
        Ok(out)
    }

    /// Open problems as (problem event id, zone).
    pub fn open_problems(&self) -> Result<Vec<(Id, Id)>> {
        let mut out = Vec::new();
        for kv in self.tree(T::OpenProblems).iter() {
            let (k, v) = kv?;
            if let (Some(p), Some(z)) = (Id::from_slice(&k), Id::from_slice(&v)) {
                out.push((p, z));
            }
        }
        Ok(out)
    }

    /// What an entry says now: its own body, or its latest correction's.
    pub fn effective_body(&self, e: &Event) -> Result<EventBody> {
        let mut body = e.body.clone();
        if let Some(kv) = self
            .tree(T::Amendments)
            .scan_prefix(e.id.to_bytes())
            .next_back()
        {
            let (k, _) = kv?;
            if let Some(a) = Id::from_slice(&k[16..])
                .map(|a| self.event(a))
                .transpose()?
                .flatten()
                && let EventBody::Amended { replacement, .. } = a.body
            {
                body = replacement.body();
            }
        }
        Ok(body)
    }

    /// Open problems in `zone` or anything inside it, by problem id.
    pub fn open_problems_in(&self, zone: Id) -> Result<Vec<Id>> {
        let mut out = Vec::new();
        for kv in self.tree(T::OpenByZone).scan_prefix(zone.to_bytes()) {
            let (k, _) = kv?;
            if let Some(p) = Id::from_slice(&k[16..]) {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// How many problems are open in `zone` or anything inside it.
    pub fn open_problem_count(&self, zone: Id) -> usize {
        self.tree(T::OpenByZone)
            .scan_prefix(zone.to_bytes())
            .count()
    }

    pub fn is_problem_open(&self, problem: Id) -> Result<bool> {
        Ok(self
            .tree(T::OpenProblems)
            .contains_key(problem.to_bytes())?)
    }

    /// The latest visit to a household: (when, visit event id).
    pub fn last_visit(&self, household: Id) -> Result<Option<(Ts, Id)>> {
        Ok(self
            .tree(T::LastVisit)
            .get(household.to_bytes())?
            .and_then(|v| ts_from(&v[..8]).zip(Id::from_slice(&v[8..]))))
    }

    /// The latest visit of every household ever visited: one pass over the
    /// visits index (whole-estate reports).
    pub fn last_visits(&self) -> Result<HashMap<Id, Ts>> {
        let mut out = HashMap::new();
        for kv in self.tree(T::LastVisit).iter() {
            let (k, v) = kv?;
            if let (Some(h), Some(t)) = (Id::from_slice(&k), ts_from(&v)) {
                out.insert(h, t);
            }
        }
        Ok(out)
    }

    /// The latest patrol of each kind on every zone patrolled: one pass.
    pub fn last_patrols(&self) -> Result<HashMap<(Id, PatrolKind), Ts>> {
        let mut out = HashMap::new();
        for kv in self.tree(T::LastPatrol).iter() {
            let (k, v) = kv?;
            let kind = match k.get(16) {
                Some(1) => PatrolKind::Hygiene,
                Some(2) => PatrolKind::Security,
                _ => continue,
            };
            if let (Some(z), Some(t)) = (Id::from_slice(&k[..16]), ts_from(&v)) {
                out.insert((z, kind), t);
            }
        }
        Ok(out)
    }

    /// Every assignment on every zone: one pass over the assignments index.
    pub fn all_assignments(&self) -> Result<Vec<Assignment>> {
        let mut out = Vec::new();
        for kv in self.tree(T::Assignments).iter() {
            let (k, v) = kv?;
            out.extend(self.assignment_entry(&k, &v)?);
        }
        Ok(out)
    }

    /// The latest patrol of a kind on a zone.
    pub fn last_patrol(&self, zone: Id, kind: PatrolKind) -> Result<Option<Ts>> {
        let mut key = zone.to_bytes().to_vec();
        key.push(kind.byte());
        Ok(self.tree(T::LastPatrol).get(key)?.and_then(|v| ts_from(&v)))
    }

    /// Visits with a follow-up date up to and including `until`: (date, visit, household).
    pub fn follow_ups_until(&self, until: Date) -> Result<Vec<(Date, Id, Id)>> {
        let mut out = Vec::new();
        let end = date_bytes(until);
        for kv in self.tree(T::FollowUps).iter() {
            let (k, v) = kv?;
            if k[..4] > end[..] {
                break;
            }
            let date = Date {
                year: u16::from_be_bytes([k[0], k[1]]) as i16,
                month: k[2],
                day: k[3],
            };
            if let (Some(visit), Some(hh)) = (Id::from_slice(&k[4..]), Id::from_slice(&v)) {
                out.push((date, visit, hh));
            }
        }
        Ok(out)
    }

    // ---- writing -------------------------------------------------------

    /// Adds a new record and its `Created` event, checking that the parent exists.
    pub fn stage_new<R: Record>(&self, w: &mut Writes, record: &R) -> Result<()> {
        let id = record.meta().id;
        let bytes = encode(record)?;
        w.put(T::record(R::KIND), id.to_bytes().to_vec(), bytes);
        if let Some(parent) = record.parent() {
            let mut pv = vec![R::KIND.byte()];
            pv.extend_from_slice(&parent.to_bytes());
            w.put(T::Parent, id.to_bytes().to_vec(), pv);
            w.put(T::Children, key2(parent, id), vec![R::KIND.byte()]);
            w.pending_parents.insert(id, (R::KIND, parent));
        } else {
            let mut pv = vec![R::KIND.byte()];
            pv.extend_from_slice(&id.to_bytes());
            w.put(T::Parent, id.to_bytes().to_vec(), pv);
            w.pending_parents.insert(id, (R::KIND, id));
        }
        Ok(())
    }

    /// Rewrites a record with its version bumped (the caller stages `Edited` events).
    pub fn stage_update<R: Record>(&self, w: &mut Writes, record: &mut R) -> Result<()> {
        record.meta_mut().version += 1;
        let bytes = encode(record)?;
        w.put(
            T::record(R::KIND),
            record.meta().id.to_bytes().to_vec(),
            bytes,
        );
        Ok(())
    }

    fn pending_ancestry(&self, w: &mut Writes, zone: Id) -> Result<Vec<Id>> {
        if let Some(hit) = w.ancestry_cache.get(&zone) {
            return Ok(hit.clone());
        }
        let mut out = Vec::with_capacity(4);
        let mut cur = zone;
        for _ in 0..5 {
            let entry = match w.pending_parents.get(&cur) {
                Some(e) => Some(*e),
                None => self.kind_of(cur)?,
            };
            let Some((_, parent)) = entry else { break };
            out.push(cur);
            if parent == Id::ROOT || parent == cur {
                break;
            }
            cur = parent;
        }
        if out.is_empty() {
            out.push(zone);
        }
        // Places never move, so an ancestry stays true for the life of the set.
        w.ancestry_cache.insert(zone, out.clone());
        Ok(out)
    }

    /// Stages an event and every index entry it implies.
    pub fn stage_event(&self, w: &mut Writes, e: &Event) -> Result<()> {
        let eid = e.id;
        w.put(T::Events, eid.to_bytes().to_vec(), encode(e)?);
        let zones = self.pending_ancestry(w, e.zone)?;
        for z in &zones {
            w.put(T::Timeline, key2(*z, eid), Vec::new());
        }
        let mut members: Vec<Id> = Vec::new();
        if let Some(by) = e.by {
            members.push(by);
        }
        self.stage_derived(w, e, &e.body, &zones, &mut members)?;
        members.sort();
        members.dedup();
        for m in members {
            w.put(T::ByMember, key2(m, eid), Vec::new());
        }
        Ok(())
    }

    fn stage_derived(
        &self,
        w: &mut Writes,
        e: &Event,
        body: &EventBody,
        zones: &[Id],
        members: &mut Vec<Id>,
    ) -> Result<()> {
        let eid = e.id;
        match body {
            EventBody::Assigned { member, .. } => {
                members.push(*member);
                w.put(T::Assignments, key2(e.zone, eid), Vec::new());
            }
            EventBody::AssignmentEnded { assignment, until } => {
                w.put(
                    T::Assignments,
                    key2(e.zone, *assignment),
                    ts_bytes(*until).to_vec(),
                );
            }
            EventBody::Visit {
                household,
                member,
                follow_up,
                ..
            } => {
                members.push(*member);
                let mut latest = ts_bytes(e.at).to_vec();
                latest.extend_from_slice(&eid.to_bytes());
                self.stage_max(w, T::LastVisit, household.to_bytes().to_vec(), latest)?;
                self.stage_follow_up(w, eid, *household, *follow_up)?;
            }
            EventBody::ProblemOpened { .. } => {
                w.put(
                    T::OpenProblems,
                    eid.to_bytes().to_vec(),
                    e.zone.to_bytes().to_vec(),
                );
                for z in zones {
                    w.put(T::OpenByZone, key2(*z, eid), Vec::new());
                }
            }
            EventBody::ProblemStepped { problem, step, .. } => match step {
                ProblemStep::Resolved => {
                    w.del(T::OpenProblems, problem.to_bytes().to_vec());
                    for z in zones {
                        w.del(T::OpenByZone, key2(*z, *problem));
                    }
                }
                ProblemStep::Reopened => {
                    w.put(
                        T::OpenProblems,
                        problem.to_bytes().to_vec(),
                        e.zone.to_bytes().to_vec(),
                    );
                    for z in zones {
                        w.put(T::OpenByZone, key2(*z, *problem), Vec::new());
                    }
                }
                ProblemStep::Progress | ProblemStep::Comment => {}
            },
            EventBody::Patrol { kind, .. } => {
                let mut zk = e.zone.to_bytes().to_vec();
                zk.push(kind.byte());
                self.stage_max(w, T::LastPatrol, zk, ts_bytes(e.at).to_vec())?;
            }
            EventBody::Edited { target, kind, .. } | EventBody::Tombstoned { target, kind, .. } => {
                if *kind == Kind::Member {
                    members.push(*target);
                }
            }
            EventBody::Created { target, kind, .. } => {
                if *kind == Kind::Member {
                    members.push(*target);
                }
            }
            // Every member who took part finds the activity in their history.
            EventBody::Activity { members: who, .. } => members.extend(who.iter().copied()),
            // A corrected visit moves its follow-up; other corrections change
            // only what the entry says.
            EventBody::Amended {
                supersedes,
                replacement:
                    Correction::Visit {
                        household,
                        follow_up,
                        ..
                    },
                ..
            } => {
                w.put(T::Amendments, key2(*supersedes, eid), Vec::new());
                self.stage_follow_up(w, *supersedes, *household, *follow_up)?
            }
            EventBody::Amended { supersedes, .. } => {
                w.put(T::Amendments, key2(*supersedes, eid), Vec::new());
            }
        }
        Ok(())
    }

    /// Sets the follow-up date of a visit, moving its entry in the follow-up
    /// index from the date it had (staged or stored) to the new one.
    fn stage_follow_up(
        &self,
        w: &mut Writes,
        visit: Id,
        household: Id,
        date: Option<Date>,
    ) -> Result<()> {
        let key = visit.to_bytes().to_vec();
        let mut map_key = vec![T::FollowUpOf as u8];
        map_key.extend_from_slice(&key);
        let current = match w.latest.get(&map_key) {
            Some(v) => Some(v.clone()),
            None if w.from_scratch => None,
            None => self.tree(T::FollowUpOf).get(&key)?.map(|v| v.to_vec()),
        };
        if let Some(old) = current.filter(|o| o.len() == 4) {
            let mut k = old;
            k.extend_from_slice(&key);
            w.del(T::FollowUps, k);
        }
        let new = date.map(|d| date_bytes(d).to_vec()).unwrap_or_default();
        if let Some(d) = date {
            let mut k = date_bytes(d).to_vec();
            k.extend_from_slice(&key);
            w.put(T::FollowUps, k, household.to_bytes().to_vec());
            w.put(T::FollowUpOf, key, new.clone());
        } else {
            w.del(T::FollowUpOf, key);
        }
        w.latest.insert(map_key, new);
        Ok(())
    }

    /// Puts `value` under `key` unless a greater value is stored or staged:
    /// values are big-endian times (then ids), so byte order is time order.
    fn stage_max(&self, w: &mut Writes, t: T, key: Vec<u8>, value: Vec<u8>) -> Result<()> {
        let mut map_key = vec![t as u8];
        map_key.extend_from_slice(&key);
        let current = match w.latest.get(&map_key) {
            Some(v) => Some(v.clone()),
            None if w.from_scratch => None,
            None => self.tree(t).get(&key)?.map(|v| v.to_vec()),
        };
        if current.is_none_or(|c| value > c) {
            w.latest.insert(map_key, value.clone());
            w.put(t, key, value);
        }
        Ok(())
    }

    /// Commits a set of writes in one transaction over all trees, then flushes.
    /// Only after this returns `Ok` may anything report the writes as saved.
    pub fn commit(&self, w: Writes) -> Result<()> {
        if w.ops.is_empty() {
            return Ok(());
        }
        let res: std::result::Result<(), sled::transaction::TransactionError<()>> =
            self.trees.as_slice().transaction(|tx| {
                for (t, k, v) in &w.ops {
                    let tree = &tx[*t as usize];
                    match v {
                        Some(v) => {
                            tree.insert(k.as_slice(), v.as_slice())?;
                        }
                        None => {
                            tree.remove(k.as_slice())?;
                        }
                    }
                }
                Ok(())
            });
        res.map_err(|e| StoreError::Sled(format!("{e:?}")))?;
        if !self
            .deferred_flush
            .load(std::sync::atomic::Ordering::SeqCst)
        {
            self.sync()?;
        }
        Ok(())
    }

    /// Applies a very large set of writes (bulk loads) tree by tree, then flushes.
    /// Not atomic across trees: callers use it only on stores they are filling.
    pub fn commit_bulk(&self, w: Writes) -> Result<()> {
        let mut batches: BTreeMap<T, sled::Batch> = BTreeMap::new();
        for (t, k, v) in w.ops {
            let b = batches.entry(t).or_default();
            match v {
                Some(v) => b.insert(k, v),
                None => b.remove(k),
            }
        }
        for (t, b) in batches {
            self.tree(t).apply_batch(b)?;
        }
        if !self
            .deferred_flush
            .load(std::sync::atomic::Ordering::SeqCst)
        {
            self.sync()?;
        }
        Ok(())
    }

    /// Runs a bulk load with one flush at the end instead of one per commit.
    /// Nothing inside may report a write as saved before this returns.
    pub fn bulk<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce() -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        use std::sync::atomic::Ordering::SeqCst;
        let was = self.deferred_flush.swap(true, SeqCst);
        let out = f();
        self.deferred_flush.store(was, SeqCst);
        self.sync()?;
        out
    }

    /// Flushes pending writes to disk.
    pub fn flush(&self) -> Result<()> {
        self.sync()
    }

    /// sled's flush, then `fdatasync` of its log: after this, writes are on disk.
    fn sync(&self) -> Result<()> {
        self.db.flush()?;
        self.log_file.sync_data().map_err(|source| StoreError::Io {
            dir: self.dir.clone(),
            source,
        })
    }

    // ---- derived indexes ----------------------------------------------

    /// Every derived entry as it should be, computed from records and events.
    fn expected_derived(&self) -> Result<Writes> {
        let mut w = Writes::new();
        w.from_scratch = true;
        self.stage_structure::<Area>(&mut w)?;
        self.stage_structure::<Building>(&mut w)?;
        self.stage_structure::<Household>(&mut w)?;
        self.stage_structure::<Resident>(&mut w)?;
        self.stage_structure::<Member>(&mut w)?;
        // Replay in the order the events were written, as live writes applied
        // them: the id sorts by `at`, and a problem resolved "yesterday" after
        // being reopened "last week" must end up as the later write says.
        let mut events: Vec<Event> = self.events().collect::<Result<_>>()?;
        events.sort_by_key(Event::write_order);
        for e in events {
            let before = w.ops.len();
            self.stage_event(&mut w, &e)?;
            // The events tree itself is not derived.
            w.ops.retain_mut_from(before, |(t, _, _)| *t != T::Events);
        }
        Ok(w)
    }

    fn stage_structure<R: Record>(&self, w: &mut Writes) -> Result<()> {
        for r in self.all::<R>() {
            let r = r?;
            let before = w.ops.len();
            self.stage_new(w, &r)?;
            w.ops
                .retain_mut_from(before, |(t, _, _)| *t != T::record(R::KIND));
        }
        Ok(())
    }

    /// Compares derived trees with what records and events imply.
    pub fn check(&self) -> Result<CheckReport> {
        let expected = self.expected_derived()?;
        let mut want: BTreeMap<(T, Vec<u8>), Option<Vec<u8>>> = BTreeMap::new();
        for (t, k, v) in expected.ops {
            want.insert((t, k), v);
        }
        let mut report = CheckReport::default();
        for t in DERIVED {
            for kv in self.tree(t).iter() {
                let (k, v) = kv?;
                match want.remove(&(t, k.to_vec())) {
                    Some(Some(w)) if w == v.as_ref() => report.ok += 1,
                    Some(Some(_)) => report.wrong.push(format!("{}: value differs", t.name())),
                    _ => report.extra.push(t.name().to_string()),
                }
            }
        }
        for ((t, _), v) in want {
            if v.is_some() {
                report.missing.push(t.name().to_string());
            }
        }
        for t in [
            T::Areas,
            T::Buildings,
            T::Households,
            T::Residents,
            T::Members,
            T::Events,
        ] {
            for kv in self.tree(t).iter() {
                let (_, v) = kv?;
                let ok = match t {
                    T::Events => codec::decode::<Event>(&v).is_ok(),
                    T::Areas => codec::decode::<Area>(&v).is_ok(),
                    T::Buildings => codec::decode::<Building>(&v).is_ok(),
                    T::Households => codec::decode::<Household>(&v).is_ok(),
                    T::Residents => codec::decode::<Resident>(&v).is_ok(),
                    _ => codec::decode::<Member>(&v).is_ok(),
                };
                if ok {
                    report.records += 1;
                } else {
                    report.undecodable.push(t.name().to_string());
                }
            }
        }
        Ok(report)
    }

    /// Clears and regenerates every derived tree from records and events.
    pub fn rebuild(&self) -> Result<()> {
        let expected = self.expected_derived()?;
        for t in DERIVED {
            self.tree(t).clear()?;
        }
        self.commit_bulk(expected)
    }

    /// Size of the store on disk, in bytes.
    pub fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }
}

/// What `gridbook check` found.
#[derive(Debug, Default, Serialize)]
pub struct CheckReport {
    pub records: usize,
    pub ok: usize,
    pub missing: Vec<String>,
    pub extra: Vec<String>,
    pub wrong: Vec<String>,
    pub undecodable: Vec<String>,
}

impl CheckReport {
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty()
            && self.extra.is_empty()
            && self.wrong.is_empty()
            && self.undecodable.is_empty()
    }
}

fn encode<V: Serialize>(v: &V) -> Result<Vec<u8>> {
    codec::encode(v).map_err(|source| StoreError::Codec {
        what: "value",
        source,
    })
}

trait RetainFrom<X> {
    fn retain_mut_from(&mut self, from: usize, keep: impl FnMut(&X) -> bool);
}

impl<X> RetainFrom<X> for Vec<X> {
    fn retain_mut_from(&mut self, from: usize, mut keep: impl FnMut(&X) -> bool) {
        let tail: Vec<X> = self.drain(from..).filter(|x| keep(x)).collect();
        self.extend(tail);
    }
}

// The TUI shares one store with a background indexer.
const _: () = {
    const fn assert_sync<T: Send + Sync>() {}
    assert_sync::<Store>();
};

// Added for `restore --force`, which must empty a store before filling it again.
impl Store {
    /// Removes every record, event and index entry (the schema marker stays)
    /// and flushes. Callers save what was there first.
    pub fn clear(&self) -> Result<()> {
        for t in ALL_TREES.into_iter().filter(|t| *t != T::Meta) {
            self.tree(t).clear()?;
        }
        self.sync()?;
        Ok(())
    }

    /// Writes `v` as the stored schema version, so tests can make a store
    /// look as if a newer gridbook wrote it.
    #[doc(hidden)]
    pub fn set_schema_version_for_tests(&self, v: u32) {
        self.set_schema(v).expect("write the schema version");
    }
}
