//! The store: typed operations over records, events and their projections,
//! on an engine behind the [`crate::engine::Engine`] seam.
//!
//! One tree per record kind plus the projections' index trees, whose
//! big-endian keys make every level (`parent ++ child`) and every timeline
//! (`zone ++ event`) one ordered prefix scan. Values go through
//! [`crate::codec`]. Every write the caller is told about has been committed
//! in one transaction and flushed (fsync).
//!
//! This module holds opening (the data directory, its one-writer lock, the
//! engines), the records and events, and writing. The readers of derived
//! state live with their projection in [`crate::projection`]; the schema in
//! [`crate::schema`]; check and rebuild in [`crate::check`].

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::codec;
use crate::engine::memory::MemoryEngine;
use crate::engine::{Engine, Scan};
use crate::error::io_error;
use crate::keys;
use crate::projection::{self, Cx, hierarchy};
use gridbook_domain::model::*;

pub use crate::check::CheckReport;
pub use crate::engine::memory::Memory;
pub use crate::error::{Result, StoreError, backup_hint};
pub use crate::projection::assignments::Assignment;
pub use crate::schema::{DERIVED, SCHEMA_VERSION, T, Tree};
pub use crate::writes::{Changes, Writes};

/// The data directory's store engine on disk.
use crate::engine::sled as disk;

/// Records that hang in the hierarchy and can be written generically.
pub trait Record: Serialize + DeserializeOwned + 'static {
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

/// The tree holding records of a kind.
pub(crate) fn record_tree(kind: Kind) -> Tree {
    match kind {
        Kind::Area => Tree::Areas,
        Kind::Building => Tree::Buildings,
        Kind::Household => Tree::Households,
        Kind::Resident => Tree::Residents,
        Kind::Member => Tree::Members,
    }
}

/// The one-writer lock on a data directory, held until dropped.
pub struct WriterLock(File);

pub struct Store {
    dir: PathBuf,
    /// Declared before the lock: fields drop in order, so the engine has
    /// closed before another process can take the lock (once every
    /// [`Store::share`] of it is gone).
    engine: std::sync::Arc<dyn Engine>,
    /// A [`Store::share`]: it reads, and refuses to write.
    shared: bool,
    /// Held for the life of the store: the one-writer lock (none in memory).
    _lock: Option<File>,
    /// During a bulk load the loader flushes once at the end instead of per commit.
    deferred_flush: AtomicBool,
    /// Migration to schema 4 waits for opening to rebuild the store into a
    /// fresh one ([`Store::repack`]).
    pub(crate) repack_wanted: AtomicBool,
    /// Migration to schema 6 waits for opening to copy the store into a
    /// fresh one ([`Store::compact`]).
    pub(crate) compact_wanted: AtomicBool,
    /// Who follows what commits change ([`Store::follow`]).
    followers: std::sync::Mutex<Vec<std::sync::mpsc::Sender<Changes>>>,
    /// One commit at a time reads and bumps the counts ([`crate::counts`]).
    pub(crate) committing: std::sync::Mutex<()>,
    /// Whether commits fill the outbox ([`crate::outbox`]).
    pub(crate) outbox_on: AtomicBool,
    /// The seal file, open while this store writes ([`crate::counts`]).
    pub(crate) seal_file: std::sync::Mutex<crate::counts::SealFile>,
    /// Numbers counted over the whole store, each with the counts it was
    /// taken at ([`Store::counted_once`]).
    memo: std::sync::Mutex<Vec<(&'static str, crate::counts::Counts, usize)>>,
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

/// Whether `data_dir` holds a store: the one definition, for the data
/// directory's checks and for opening. Anything at the store's path counts
/// (a file there, or a directory sled's files were removed from, is a
/// damaged store for opening to report), except an empty directory (a
/// store whose creation was cut short holds no data); so does a swap a
/// kill cut short, which opening finishes or undoes
/// ([`crate::swap::recover`]).
pub fn store_exists(data_dir: &Path) -> bool {
    let path = disk::store_path(data_dir);
    let at_path = match fs::symlink_metadata(&path) {
        Ok(m) if m.is_dir() => fs::read_dir(&path).map_or(true, |mut rd| rd.next().is_some()),
        Ok(_) => true,
        Err(e) => e.kind() != std::io::ErrorKind::NotFound,
    };
    at_path || crate::swap::interrupted(data_dir)
}

/// Long work an open does before the store can be used, told before it
/// starts ([`Store::open_telling`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenWork {
    /// The store is in an older format, `from`, and is brought to `to`
    /// (once; at 100k households about a minute).
    Upgrade { from: u32, to: u32 },
    /// A rebuild of the indexes that a kill interrupted is finished.
    Rebuild,
}

/// How long [`Store::lock`] keeps trying a lock that is held: long enough
/// for a process forked by a sibling (which inherits the lock's file for a
/// moment, until it executes) to let go, short enough to turn a second
/// instance away at once.
const LOCK_TRIES: u32 = 10;
const LOCK_PAUSE: std::time::Duration = std::time::Duration::from_millis(5);

impl Store {
    /// Opens (or creates) the store in `dir`, taking the one-writer lock first.
    pub fn open(dir: &Path) -> Result<Store> {
        let lock = Store::lock(dir)?;
        Store::open_locked(dir, lock)
    }

    /// Opens the store in `dir` only if there is one: a data directory
    /// without a store gets [`StoreError::Missing`], naming its newest
    /// backup if it has one, and nothing is created or changed. For
    /// commands that only read; writers and first use call [`Store::open`].
    pub fn open_existing(dir: &Path) -> Result<Store> {
        if !store_exists(dir) {
            return Err(StoreError::Missing {
                dir: dir.to_path_buf(),
                backup: crate::backups::newest(dir),
            });
        }
        Store::open(dir)
    }

    /// Takes the one-writer lock on `dir` (creating it `0700`), without
    /// opening the store: the TUI checks it before it takes the terminal.
    pub fn lock(dir: &Path) -> Result<WriterLock> {
        let path = dir.join("gridbook.lock");
        let io = |e| io_error(dir, &path, e);
        create_private_dir(dir).map_err(|e| io_error(dir, dir, e))?;
        let mut options = OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let lock = options.open(&path).map_err(io)?;
        let mut tries = 0;
        loop {
            match lock.try_lock() {
                Ok(()) => return Ok(WriterLock(lock)),
                Err(fs::TryLockError::WouldBlock) if tries < LOCK_TRIES => {
                    tries += 1;
                    std::thread::sleep(LOCK_PAUSE);
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(StoreError::Locked {
                        dir: dir.to_path_buf(),
                    });
                }
                Err(fs::TryLockError::Error(e)) => return Err(io(e)),
            }
        }
    }

    /// Opens the store in `dir` under a lock taken with [`Store::lock`].
    pub fn open_locked(dir: &Path, lock: WriterLock) -> Result<Store> {
        Store::open_telling(dir, lock, &|_| {})
    }

    /// [`Store::open_locked`], telling `tell` before long work the open has
    /// to do first (a format upgrade, an interrupted rebuild), so a caller
    /// can say why nothing shows yet.
    pub fn open_telling(dir: &Path, lock: WriterLock, tell: &dyn Fn(OpenWork)) -> Result<Store> {
        Store::open_with_cache(dir, lock, tell, disk::CACHE_BYTES)
    }

    /// [`Store::open`] for a store being built beside a data directory
    /// ([`crate::swap`]): a smaller page cache.
    pub(crate) fn open_building(dir: &Path) -> Result<Store> {
        let lock = Store::lock(dir)?;
        Store::open_with_cache(dir, lock, &|_| {}, disk::BUILD_CACHE_BYTES)
    }

    /// [`Store::open_building`] for a bulk load: the trees `direct` are
    /// written straight into the store being built in `dir`, the others
    /// into a scratch store in `scratch` until
    /// [`crate::engine::split::SplitEngine::settle`] ([`crate::swap::replace_bulk`]).
    /// Returns the split engine too, for settling once the store is dropped.
    pub(crate) fn open_building_split(
        dir: &Path,
        scratch: &Path,
        direct: &[Tree],
    ) -> Result<(Store, std::sync::Arc<crate::engine::split::SplitEngine>)> {
        let lock = Store::lock(dir)?;
        let names = Tree::names();
        let built = disk::SledEngine::open_with_cache(dir, &names, disk::BUILD_CACHE_BYTES)?;
        create_private_dir(scratch).map_err(|e| io_error(dir, scratch, e))?;
        let aside = disk::SledEngine::open_with_cache(scratch, &names, disk::BUILD_CACHE_BYTES)?;
        let ids: Vec<_> = direct.iter().map(|t| t.id()).collect();
        let split = std::sync::Arc::new(crate::engine::split::SplitEngine::new(
            Box::new(built),
            Box::new(aside),
            names.len(),
            &ids,
        ));
        let store = Store::on(dir.to_path_buf(), split.clone(), Some(lock.0), &|_| {})?;
        Ok((store, split))
    }

    fn open_with_cache(
        dir: &Path,
        lock: WriterLock,
        tell: &dyn Fn(OpenWork),
        cache: u64,
    ) -> Result<Store> {
        // A bulk replacement a kill interrupted is finished or undone first.
        crate::swap::recover(dir)?;
        let names = Tree::names();
        let engine = disk::SledEngine::open_with_cache(dir, &names, cache)?;
        let store = Store::on(
            dir.to_path_buf(),
            std::sync::Arc::new(engine),
            Some(lock.0),
            tell,
        )?;
        if store.repack_wanted.load(SeqCst) {
            return store.repack(4);
        }
        if store.compact_wanted.load(SeqCst) {
            return store.compact(6);
        }
        Ok(store)
    }

    /// A new, empty store in memory: nothing is written to disk, and it is
    /// gone when dropped. It has no data directory ([`Store::dir`] is empty).
    pub fn memory() -> Result<Store> {
        Store::open_memory(&Memory::new())
    }

    /// Opens a store on in-memory data, as [`Store::open`] does on a data
    /// directory (so a test can close and reopen it).
    pub fn open_memory(data: &Memory) -> Result<Store> {
        let names = Tree::names();
        let engine = MemoryEngine::open(data, &names);
        Store::on(PathBuf::new(), std::sync::Arc::new(engine), None, &|_| {})
    }

    fn on(
        dir: PathBuf,
        engine: std::sync::Arc<dyn Engine>,
        lock: Option<File>,
        tell: &dyn Fn(OpenWork),
    ) -> Result<Store> {
        let store = Store {
            dir,
            engine,
            shared: false,
            _lock: lock,
            deferred_flush: AtomicBool::new(false),
            repack_wanted: AtomicBool::new(false),
            compact_wanted: AtomicBool::new(false),
            followers: std::sync::Mutex::new(Vec::new()),
            memo: std::sync::Mutex::new(Vec::new()),
            committing: std::sync::Mutex::new(()),
            seal_file: Default::default(),
            outbox_on: AtomicBool::new(false),
        };
        let damaged = |e| match e {
            StoreError::Corrupt(detail) => StoreError::Damaged {
                backup: crate::backups::newest(&store.dir),
                dir: store.dir.clone(),
                detail,
            },
            other => other,
        };
        store.check_schema(tell).map_err(damaged)?;
        if store.rebuild_unfinished()? {
            tell(OpenWork::Rebuild);
            store.rebuild()?;
        }
        store.verify_seal().map_err(damaged)?;
        store.load_outbox_flag()?;
        Ok(store)
    }

    /// Another handle on this open store, for reading only: the running TUI
    /// answers read-only commands of other gridbook processes through it
    /// while it keeps the one-writer lock. Its writes are refused; what it
    /// reads is what this store holds.
    pub fn share(&self) -> Store {
        Store {
            dir: self.dir.clone(),
            engine: self.engine.clone(),
            shared: true,
            _lock: None,
            deferred_flush: AtomicBool::new(false),
            repack_wanted: AtomicBool::new(false),
            compact_wanted: AtomicBool::new(false),
            followers: std::sync::Mutex::new(Vec::new()),
            memo: std::sync::Mutex::new(Vec::new()),
            committing: std::sync::Mutex::new(()),
            seal_file: Default::default(),
            outbox_on: AtomicBool::new(self.outbox_on.load(SeqCst)),
        }
    }

    pub(crate) fn writable(&self) -> Result<()> {
        if self.shared {
            return Err(StoreError::Invalid(
                "this handle on the store only reads".into(),
            ));
        }
        Ok(())
    }

    /// Closes the store and hands back the data directory's lock, still
    /// held, for work that replaces the store ([`crate::swap::replace`]).
    pub fn close(self) -> Option<WriterLock> {
        let Store { engine, _lock, .. } = self;
        // The engine closes before the lock is handed on.
        drop(engine);
        _lock.map(WriterLock)
    }

    /// Splits the store into a handle that only reads and the data
    /// directory's lock it held (none for a store in memory).
    pub(crate) fn into_reader_and_lock(self) -> Option<(Store, WriterLock)> {
        let Store {
            dir, engine, _lock, ..
        } = self;
        let lock = WriterLock(_lock?);
        let reader = Store {
            dir,
            engine,
            shared: true,
            _lock: None,
            deferred_flush: AtomicBool::new(false),
            repack_wanted: AtomicBool::new(false),
            compact_wanted: AtomicBool::new(false),
            outbox_on: AtomicBool::new(false),
            followers: std::sync::Mutex::new(Vec::new()),
            memo: std::sync::Mutex::new(Vec::new()),
            committing: std::sync::Mutex::new(()),
            seal_file: Default::default(),
        };
        Some((reader, lock))
    }

    /// The data directory (empty for a store in memory).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub(crate) fn engine(&self) -> &dyn Engine {
        self.engine.as_ref()
    }

    pub(crate) fn get_raw(&self, t: Tree, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.engine.get(t.id(), key)
    }

    /// Calls `f` with every entry whose key starts with `prefix` (all of
    /// them for an empty prefix), in key order, until it returns `false`.
    pub(crate) fn each(
        &self,
        t: Tree,
        prefix: &[u8],
        mut f: impl FnMut(&[u8], &[u8]) -> Result<bool>,
    ) -> Result<()> {
        self.engine
            .visit(t.id(), keys::prefix_range(prefix), false, &mut f)
    }

    /// As [`Store::each`], last key first.
    pub(crate) fn each_rev(
        &self,
        t: Tree,
        prefix: &[u8],
        mut f: impl FnMut(&[u8], &[u8]) -> Result<bool>,
    ) -> Result<()> {
        self.engine
            .visit(t.id(), keys::prefix_range(prefix), true, &mut f)
    }

    /// How many keys start with `prefix`.
    pub(crate) fn count_prefix(&self, t: Tree, prefix: &[u8]) -> Result<usize> {
        let mut n = 0;
        self.each(t, prefix, |_, _| {
            n += 1;
            Ok(true)
        })?;
        Ok(n)
    }

    pub(crate) fn scan_all(&self, t: Tree) -> Scan<'_> {
        self.engine.scan(t.id(), keys::all())
    }

    /// True when no place, person or event is stored.
    pub fn is_empty(&self) -> bool {
        Tree::PRIMARY
            .iter()
            .all(|t| self.engine.is_empty(t.id()).unwrap_or(false))
    }

    // ---- records and events -------------------------------------------------

    fn get<V: DeserializeOwned>(&self, t: Tree, what: &'static str, id: Id) -> Result<Option<V>> {
        let mut decoded = None;
        self.engine.get_with(t.id(), &id.to_bytes(), &mut |bytes| {
            decoded = Some(codec::decode(bytes));
        })?;
        decoded
            .transpose()
            .map_err(|source| StoreError::Codec { what, source })
    }

    pub fn record<R: Record>(&self, id: Id) -> Result<Option<R>> {
        self.get(record_tree(R::KIND), R::KIND.code(), id)
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
        self.get(Tree::Events, "event", id)
    }

    /// Every record of a kind, tombstoned ones included, in id order.
    pub fn all<R: Record>(&self) -> impl Iterator<Item = Result<R>> + '_ {
        self.scan_all(record_tree(R::KIND)).map(|kv| {
            let (_, v) = kv?;
            codec::decode(&v).map_err(|source| StoreError::Codec {
                what: R::KIND.code(),
                source,
            })
        })
    }

    /// Calls `f` with the stored bytes of every record of a kind (tombstoned
    /// ones included), in id order, until it returns `false`. Nothing is
    /// copied out of the engine: whole-estate passes decode a view of the
    /// fields they need with [`Store::view`].
    pub fn each_stored<R: Record>(&self, mut f: impl FnMut(&[u8]) -> Result<bool>) -> Result<()> {
        self.each(record_tree(R::KIND), &[], |_, v| f(v))
    }

    /// Decodes the stored bytes of an `R` as the view `V` (see
    /// [`codec::decode_view`]).
    pub fn view<'a, R: Record, V: serde::Deserialize<'a>>(bytes: &'a [u8]) -> Result<V> {
        codec::decode_view(bytes).map_err(|source| StoreError::Codec {
            what: R::KIND.code(),
            source,
        })
    }

    /// `count()`, kept until the store changes: a count taken over the
    /// whole store (the ⚠ count walks every record's versions and every
    /// problem's steps, about 2 s at 100k households) is taken again only
    /// after a commit. Every commit bumps the counts in the same
    /// transaction, so equal counts mean nothing was written since; a
    /// store from before the counts is counted every time.
    pub fn counted_once<E: From<StoreError>>(
        &self,
        what: &'static str,
        count: impl FnOnce() -> std::result::Result<usize, E>,
    ) -> std::result::Result<usize, E> {
        let Some(now) = self.counts()? else {
            return count();
        };
        let kept = self.memo.lock().ok().and_then(|m| {
            m.iter()
                .find(|(w, at, _)| *w == what && *at == now)
                .map(|(_, _, n)| *n)
        });
        if let Some(n) = kept {
            return Ok(n);
        }
        // Kept under the counts read before counting: a commit made
        // meanwhile changes them, so the next call counts again.
        let n = count()?;
        if let Ok(mut m) = self.memo.lock() {
            m.retain(|(w, _, _)| *w != what);
            m.push((what, now, n));
        }
        Ok(n)
    }

    /// Drops what [`Store::counted_once`] kept.
    pub(crate) fn forget_counted(&self) {
        if let Ok(mut m) = self.memo.lock() {
            m.clear();
        }
    }

    pub fn members(&self) -> Result<Vec<Member>> {
        self.all::<Member>()
            .filter(|m| m.as_ref().map_or(true, |m| m.meta.is_live()))
            .collect()
    }

    pub fn count(&self, kind: Kind) -> Result<usize> {
        self.engine.len(record_tree(kind).id())
    }

    /// How many events the store holds. sled counts by walking the whole
    /// tree: for "are there any", use [`Store::has_events`].
    pub fn event_count(&self) -> Result<usize> {
        self.engine.len(Tree::Events.id())
    }

    /// Whether the store holds any event (one key read, not a count).
    pub fn has_events(&self) -> Result<bool> {
        Ok(!self.engine.is_empty(Tree::Events.id())?)
    }

    /// Every event, oldest first.
    pub fn events(&self) -> impl Iterator<Item = Result<Event>> + '_ {
        self.scan_all(Tree::Events).map(|kv| {
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
        for kv in self.engine.scan(Tree::Events.id(), keys::from(&start)) {
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

    /// Events whose `at` is exactly `at` (to the millisecond), oldest
    /// written first: an id's first 6 bytes are its time, so this is one
    /// prefix scan. The entries one operation writes share its time.
    pub fn events_at(&self, at: Ts) -> Result<Vec<Event>> {
        let id = Id::from_parts(at.0, 0).to_bytes();
        let mut out = Vec::new();
        self.each(Tree::Events, &id[..6], |_, v| {
            let e: Event = codec::decode(v).map_err(|source| StoreError::Codec {
                what: "event",
                source,
            })?;
            if e.at == at {
                out.push(e);
            }
            Ok(true)
        })?;
        Ok(out)
    }

    // ---- writing ------------------------------------------------------------

    /// Adds a new record and where it hangs.
    pub fn stage_new<R: Record>(&self, w: &mut Writes, record: &R) -> Result<()> {
        let id = record.meta().id;
        w.added[crate::counts::slot(record_tree(R::KIND))] += 1;
        w.put(record_tree(R::KIND), keys::id(id), encode(record)?);
        w.changes.records.insert(id, R::KIND);
        self.stage_care(w, record, false)?;
        hierarchy::stage_record(&mut Cx::new(self, w), R::KIND, id, record.parent())
    }

    /// Keeps the care index ([`projection::care`]) when `record` is a
    /// resident; `stored`: it may be in the store already.
    pub(crate) fn stage_care<R: Record>(
        &self,
        w: &mut Writes,
        record: &R,
        stored: bool,
    ) -> Result<()> {
        match (record as &dyn std::any::Any).downcast_ref::<Resident>() {
            Some(r) => projection::care::stage_resident(self, w, r, stored),
            None => Ok(()),
        }
    }

    /// Rewrites a record with its version bumped (the caller stages `Edited` events).
    pub fn stage_update<R: Record>(&self, w: &mut Writes, record: &mut R) -> Result<()> {
        record.meta_mut().version += 1;
        let id = record.meta().id;
        // The care entry first: it reads the record as stored.
        self.stage_care(w, record, true)?;
        w.put(record_tree(R::KIND), keys::id(id), encode(record)?);
        w.changes.records.insert(id, R::KIND);
        Ok(())
    }

    /// Stages an event and every projection's entries for it.
    pub fn stage_event(&self, w: &mut Writes, e: &Event) -> Result<()> {
        w.put(Tree::Events, keys::id(e.id), encode(e)?);
        w.added[crate::counts::slot(Tree::Events)] += 1;
        w.changes.events.push(e.id);
        projection::stage_event(&mut Cx::new(self, w), e)
    }

    /// Whether every place around `zone` is known to this store or staged
    /// in `w` ([`projection::hierarchy::rooted`]).
    pub fn zone_rooted(&self, w: &mut Writes, zone: Id) -> Result<bool> {
        projection::hierarchy::rooted(&Cx::new(self, w), zone)
    }

    /// Whether any entry is indexed on `zone`'s timeline: a place arriving
    /// after entries on it (see [`Store::zone_rooted`]).
    pub fn has_timeline(&self, zone: Id) -> Result<bool> {
        let mut found = false;
        self.each(Tree::Timeline, &zone.to_bytes(), |_, _| {
            found = true;
            Ok(false)
        })?;
        Ok(found)
    }

    /// Commits a set of writes in one transaction over all trees, then flushes.
    /// Only after this returns `Ok` may anything report the writes as saved.
    /// Returns what changed.
    pub fn commit(&self, mut w: Writes) -> Result<Changes> {
        w.settle();
        if w.ops.is_empty() {
            return Ok(w.changes);
        }
        self.writable()?;
        {
            // The counts change in the same transaction as what they count.
            let _one = self.committing.lock().unwrap_or_else(|e| e.into_inner());
            self.stamp_writes(&mut w, true)?;
            let counts = self.counts()?.unwrap_or_default().after(&w.added);
            w.ops.push(counts.op());
            // What is written here is also queued to be sent, atomically.
            crate::outbox::stage(self, &w.changes, counts.commits, &mut w.ops);
            self.engine.commit(&w.ops)?;
        }
        if !self.deferred_flush.load(SeqCst) {
            self.flush()?;
        }
        self.tell(&w.changes);
        Ok(w.changes)
    }

    /// Holds back every commit until the guard is dropped: for a reader that
    /// must see one state across trees while others may write (the TUI's
    /// daily backup, taken on a thread while the TUI runs).
    pub fn hold_commits(&self) -> std::sync::MutexGuard<'_, ()> {
        self.committing.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What every later commit changes, as it happens: the lookup index and
    /// the screens follow the store through this, whatever made the write.
    pub fn follow(&self) -> std::sync::mpsc::Receiver<Changes> {
        let (tx, rx) = std::sync::mpsc::channel();
        self.followers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(tx);
        rx
    }

    fn tell(&self, c: &Changes) {
        if c.is_empty() {
            return;
        }
        let mut followers = self.followers.lock().unwrap_or_else(|e| e.into_inner());
        // A follower that went away is dropped.
        followers.retain(|tx| tx.send(c.clone()).is_ok());
    }

    /// Applies a very large set of writes (bulk loads) tree by tree, then flushes.
    /// Not atomic across trees: callers use it only on stores they are filling.
    pub fn commit_bulk(&self, mut w: Writes) -> Result<Changes> {
        w.settle();
        self.writable()?;
        {
            let _one = self.committing.lock().unwrap_or_else(|e| e.into_inner());
            // Bulk loads keep the stamps the file carried, and add none.
            self.stamp_writes(&mut w, false)?;
            let counts = self.counts()?.unwrap_or_default().after(&w.added);
            w.ops.push(counts.op());
            crate::outbox::stage(self, &w.changes, counts.commits, &mut w.ops);
            self.engine.apply(w.ops)?;
        }
        if !self.deferred_flush.load(SeqCst) {
            self.flush()?;
        }
        self.tell(&w.changes);
        Ok(w.changes)
    }

    /// Runs a bulk load with one flush at the end instead of one per commit.
    /// Nothing inside may report a write as saved before this returns.
    pub fn bulk<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce() -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let was = self.deferred_flush.swap(true, SeqCst);
        let out = f();
        self.deferred_flush.store(was, SeqCst);
        self.flush()?;
        out
    }

    /// Makes every committed write durable, then seals the counts
    /// ([`crate::counts`]).
    pub fn flush(&self) -> Result<()> {
        self.engine.flush()?;
        match self.counts()? {
            Some(c) => self.seal(&c),
            None => Ok(()),
        }
    }

    /// Removes every record, event and index entry (the schema marker stays)
    /// and flushes. Callers save what was there first.
    pub fn clear(&self) -> Result<()> {
        self.writable()?;
        let _one = self.committing.lock().unwrap_or_else(|e| e.into_inner());
        for t in Tree::ALL.into_iter().filter(|t| *t != Tree::Meta) {
            self.engine.clear(t.id())?;
        }
        let commits = self.counts()?.map_or(0, |c| c.commits);
        let none = crate::counts::Counts {
            commits: commits + 1,
            entries: [0; 6],
        };
        self.engine.commit(&[none.op()])?;
        self.flush()
    }

    /// Size of the store on disk, in bytes.
    pub fn size_on_disk(&self) -> u64 {
        self.engine.size_on_disk()
    }

    /// Reads and writes trees by name, around every rule of the store, so
    /// that tests can damage a store the way a crash or a bug might. Nothing
    /// in gridbook may use it.
    #[doc(hidden)]
    pub fn raw_for_tests(&self) -> Raw<'_> {
        Raw(self)
    }
}

/// See [`Store::raw_for_tests`].
#[doc(hidden)]
pub struct Raw<'a>(&'a Store);

#[doc(hidden)]
impl Raw<'_> {
    fn tree(name: &str) -> usize {
        Tree::from_name(name)
            .unwrap_or_else(|| panic!("no tree {name}"))
            .id()
    }
    pub fn keys(&self, tree: &str) -> Vec<Vec<u8>> {
        self.0
            .engine
            .scan(Raw::tree(tree), keys::all())
            .map(|kv| kv.expect("read").0)
            .collect()
    }
    pub fn insert(&self, tree: &str, key: &[u8], value: &[u8]) {
        let op = crate::engine::Op::put(Raw::tree(tree), key.to_vec(), value.to_vec());
        self.0.engine.commit(&[op]).expect("write");
        self.0.flush().expect("flush");
    }
    pub fn remove(&self, tree: &str, key: &[u8]) {
        let op = crate::engine::Op::del(Raw::tree(tree), key.to_vec());
        self.0.engine.commit(&[op]).expect("write");
        self.0.flush().expect("flush");
    }
    pub fn clear(&self, tree: &str) {
        self.0.engine.clear(Raw::tree(tree)).expect("clear");
        self.0.flush().expect("flush");
    }
}

fn encode<V: Serialize>(v: &V) -> Result<Vec<u8>> {
    codec::encode(v).map_err(|source| StoreError::Codec {
        what: "value",
        source,
    })
}

// The TUI shares one store with a background indexer.
const _: () = {
    const fn assert_sync<T: Send + Sync>() {}
    assert_sync::<Store>();
};

#[cfg(test)]
mod hold_tests {
    use super::*;
    use crate::writes::Writes;
    use gridbook_domain::model::{Area, Meta};

    #[test]
    fn a_commit_waits_while_commits_are_held() {
        let store = Store::memory().unwrap();
        let area = Area {
            meta: Meta::new(None),
            name: "胜利花苑".into(),
            code: "slhy".into(),
        };
        let id = area.meta.id;
        let committed = AtomicBool::new(false);
        std::thread::scope(|s| {
            let held = store.hold_commits();
            let writer = s.spawn(|| {
                let mut w = Writes::new();
                store.stage_new(&mut w, &area).unwrap();
                store.commit(w).unwrap();
                committed.store(true, SeqCst);
            });
            std::thread::sleep(std::time::Duration::from_millis(200));
            // What a reader holding commits sees: the store as before.
            assert!(!committed.load(SeqCst));
            assert!(store.area(id).unwrap().is_none());
            drop(held);
            writer.join().unwrap();
        });
        assert!(committed.load(SeqCst));
        assert!(store.area(id).unwrap().is_some());
    }
}

#[cfg(test)]
mod counted_once_tests {
    use super::*;
    use crate::writes::Writes;
    use gridbook_domain::model::{Area, Meta};

    fn add_area(store: &Store) {
        let mut w = Writes::new();
        let area = Area {
            meta: Meta::new(None),
            name: "胜利花苑".into(),
            code: "slhy".into(),
        };
        store.stage_new(&mut w, &area).unwrap();
        store.commit(w).unwrap();
    }

    #[test]
    fn a_count_is_taken_again_only_after_a_commit() {
        let store = Store::memory().unwrap();
        add_area(&store);
        let taken = std::cell::Cell::new(0);
        let count = || -> Result<usize> {
            taken.set(taken.get() + 1);
            Ok(taken.get() * 10)
        };
        assert_eq!(store.counted_once("x", count).unwrap(), 10);
        assert_eq!(store.counted_once("x", count).unwrap(), 10);
        assert_eq!(taken.get(), 1);
        // Another count is kept apart.
        assert_eq!(store.counted_once("y", count).unwrap(), 20);
        add_area(&store);
        assert_eq!(store.counted_once("x", count).unwrap(), 30);
        assert_eq!(store.counted_once("x", count).unwrap(), 30);
        assert_eq!(taken.get(), 3);
        // A failed count is not kept.
        add_area(&store);
        let failed = store.counted_once("x", || -> Result<usize> {
            Err(StoreError::Invalid("unreadable".into()))
        });
        assert!(failed.is_err());
        assert_eq!(store.counted_once("x", count).unwrap(), 40);
    }
}

#[cfg(test)]
mod telling_tests {
    use super::*;
    use crate::writes::Writes;
    use gridbook_domain::model::{Area, Meta};
    use std::cell::RefCell;

    fn open_told(dir: &Path) -> Vec<OpenWork> {
        let told = RefCell::new(Vec::new());
        let lock = Store::lock(dir).unwrap();
        let store = Store::open_telling(dir, lock, &|w| told.borrow_mut().push(w)).unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            crate::schema::SCHEMA_VERSION
        );
        told.into_inner()
    }

    #[test]
    fn an_open_tells_before_it_upgrades_an_older_store_and_only_then() {
        let dir = tempfile::tempdir().unwrap();
        // A new store is stamped with this format: nothing to tell.
        assert_eq!(open_told(dir.path()), vec![]);
        {
            let store = Store::open(dir.path()).unwrap();
            let mut w = Writes::new();
            let area = Area {
                meta: Meta::new(None),
                name: "胜利花苑".into(),
                code: "slhy".into(),
            };
            store.stage_new(&mut w, &area).unwrap();
            store.commit(w).unwrap();
            store.set_schema_version_for_tests(6);
        }
        assert_eq!(
            open_told(dir.path()),
            vec![OpenWork::Upgrade {
                from: 6,
                to: crate::schema::SCHEMA_VERSION
            }]
        );
        // Upgraded once: the next open has nothing to tell.
        assert_eq!(open_told(dir.path()), vec![]);
    }
}
