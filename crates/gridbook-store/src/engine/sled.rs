//! The sled engine: the store on disk, and the only file of the workspace
//! that names sled.
//!
//! What it adds to sled: an open that knows the caller holds the data
//! directory's writer lock (so a busy sled lock is this process's previous
//! store still closing, worth waiting for), quiet handling of the panics
//! sled raises on some damaged logs, removal of snapshots sled never
//! finished, a bounded page cache, an `fdatasync` of sled's log after its
//! flush, files that only their owner can read, and errors that say what
//! happened (a full disk or a refusal is not damage).

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use sled::Transactional;

use super::{Engine, Op, Range, Scan, TreeId, Visitor, is_empty_range};
use crate::error::{IoCause, Result, StoreError, io_cause, io_error};

/// sled's default page cache is 1 GB; a field laptop should not give that up.
pub const CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// The cache of a store being built beside the data directory
/// ([`crate::swap`]): written once in order and read back once, it gains
/// nothing from a larger one. `gen` at 100k households peaked at 420 MiB
/// with it against 598 MiB with [`CACHE_BYTES`], in no more CPU time
/// (BENCHMARKS.md, "Generating and loading 100k households").
pub const BUILD_CACHE_BYTES: u64 = 16 * 1024 * 1024;

/// How long to wait for this process's previous store to let go of sled's lock.
const BUSY_TRIES: usize = 100;
const BUSY_WAIT: Duration = Duration::from_millis(20);

/// Where a data directory keeps sled's files.
pub fn store_path(data_dir: &Path) -> PathBuf {
    data_dir.join("store")
}

pub struct SledEngine {
    /// The data directory, for messages.
    dir: PathBuf,
    /// sled's directory inside it.
    path: PathBuf,
    db: sled::Db,
    trees: Vec<sled::Tree>,
    /// sled's log file. sled's own flush ends in `sync_file_range`, which
    /// leaves the disk's write cache and the file's size unsynced; an
    /// `fdatasync` of this file after it makes a saved write survive a power cut.
    log: File,
    /// sled's directory for values too large for its log.
    blobs: PathBuf,
    /// When `blobs/` last changed as of its last check, so that a flush
    /// looks for new files in it only when it did change.
    blobs_checked: Mutex<Option<SystemTime>>,
    /// How long sled's own open took (log recovery, page table, snapshot).
    sled_open: Duration,
}

impl SledEngine {
    /// Opens (or creates) the store of `data_dir` with the trees called
    /// `names`. The caller holds the data directory's writer lock.
    pub fn open(data_dir: &Path, names: &[&str]) -> Result<SledEngine> {
        SledEngine::open_with_cache(data_dir, names, CACHE_BYTES)
    }

    /// [`SledEngine::open`] with a page cache of `cache` bytes.
    pub fn open_with_cache(data_dir: &Path, names: &[&str], cache: u64) -> Result<SledEngine> {
        let dir = data_dir.to_path_buf();
        let path = store_path(data_dir);
        let damaged = |detail: String| StoreError::Damaged {
            dir: dir.clone(),
            detail,
            backup: crate::backups::newest(&dir),
        };
        // An error at open: a full disk or a refusal says so; anything else
        // sled cannot get past is a damaged store.
        let refused = |e: sled::Error| match e {
            sled::Error::Io(io) if io_cause(&io) != IoCause::Other => io_error(&dir, &path, io),
            sled::Error::Corruption { at: Some(at), .. } => {
                damaged(format!("corrupted data at {at:?}"))
            }
            sled::Error::Corruption { at: None, .. } => damaged("corrupted data".into()),
            other => damaged(other.to_string()),
        };

        make_private_dir(&path).map_err(|e| match io_cause(&e) {
            IoCause::Other => damaged(e.to_string()),
            _ => io_error(&dir, &path, e),
        })?;
        if fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
            return Err(damaged(
                "a file stands where the store's directory should be".into(),
            ));
        }
        set_aside_unfinished_snapshots(&path).map_err(|e| io_error(&dir, &path, e))?;
        // sled would start an empty log beside snapshots of a lost one.
        if lost_log(&path).map_err(|e| io_error(&dir, &path, e))? {
            return Err(damaged("its log file is missing".into()));
        }

        // We hold the writer lock, so a busy sled lock is a store this process
        // just dropped whose background threads are still closing it: wait.
        let busy = |e: &sled::Error| {
            matches!(e, sled::Error::Io(io)
                if io.kind() == std::io::ErrorKind::WouldBlock
                    || io.to_string().contains("could not acquire lock"))
        };
        let started = std::time::Instant::now();
        let mut opened = open_quietly(&path, cache);
        for _ in 0..BUSY_TRIES {
            match &opened {
                Ok(Err(e)) if busy(e) => {
                    std::thread::sleep(BUSY_WAIT);
                    opened = open_quietly(&path, cache);
                }
                _ => break,
            }
        }
        let db = match opened {
            Ok(Ok(db)) => db,
            Ok(Err(e)) if busy(&e) => return Err(StoreError::Locked { dir }),
            Ok(Err(e)) => return Err(refused(e)),
            Err(_) => return Err(damaged("sled failed while recovering its log".into())),
        };
        let sled_open = started.elapsed();
        let mut trees = Vec::with_capacity(names.len());
        for name in names {
            trees.push(db.open_tree(name).map_err(refused)?);
        }
        let log = File::open(path.join("db")).map_err(|e| match io_cause(&e) {
            IoCause::Other => damaged(e.to_string()),
            _ => io_error(&dir, &path, e),
        })?;
        let engine = SledEngine {
            dir,
            blobs: path.join("blobs"),
            path,
            db,
            trees,
            log,
            blobs_checked: Mutex::new(None),
            sled_open,
        };
        // sled writes its configuration, log and snapshot while opening.
        engine.tighten(&engine.path)?;
        Ok(engine)
    }

    /// What a sled error met while using an open store means.
    fn error(&self, e: sled::Error) -> StoreError {
        match e {
            sled::Error::Io(io) => match io_cause(&io) {
                IoCause::Other => StoreError::Sled(io.to_string()),
                _ => io_error(&self.dir, &self.path, io),
            },
            sled::Error::Corruption { at, .. } => StoreError::Corrupt(match at {
                Some(at) => format!("corrupted data at {at:?}"),
                None => "corrupted data".to_string(),
            }),
            sled::Error::ReportableBug(what) => StoreError::Corrupt(what),
            other => StoreError::Sled(other.to_string()),
        }
    }

    fn io(&self, e: std::io::Error) -> StoreError {
        io_error(&self.dir, &self.path, e)
    }

    /// Makes every file under `dir` readable by its owner only (0600, and
    /// 0700 for directories): sled creates them with the process's umask.
    fn tighten(&self, dir: &Path) -> Result<()> {
        tighten(dir).map_err(|e| self.io(e))
    }

    /// Tightens files that appeared in `blobs/` since it was last looked at:
    /// one `stat` when nothing changed.
    fn tighten_new_blobs(&self) -> Result<()> {
        let changed = match fs::metadata(&self.blobs) {
            Ok(m) => m.modified().ok(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(self.io(e)),
        };
        let mut checked = self.blobs_checked.lock().unwrap_or_else(|e| e.into_inner());
        if changed.is_some() && *checked == changed {
            return Ok(());
        }
        self.tighten(&self.blobs)?;
        // A time this recent may not move for a file added within the same
        // tick of the file system's clock: look again next time.
        let settled = changed.filter(|t| t.elapsed().is_ok_and(|age| age > Duration::from_secs(2)));
        *checked = settled;
        Ok(())
    }
}

/// Opens sled, turning a panic on a damaged log into an error without
/// printing it: a damaged store is not a crash.
fn open_quietly(path: &Path, cache: u64) -> std::thread::Result<sled::Result<sled::Db>> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let opened = std::panic::catch_unwind(|| {
        sled::Config::new()
            .path(path)
            .cache_capacity(cache)
            // We flush ourselves before reporting a write; the timer only
            // bounds what an unexpected crash of background work could lose.
            .flush_every_ms(Some(1000))
            .open()
    });
    std::panic::set_hook(hook);
    opened
}

/// Creates sled's directory 0700 if it is not there; sled would create it
/// with the process's umask.
fn make_private_dir(path: &Path) -> std::io::Result<()> {
    let mut b = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    match b.create(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Whether `name` is a snapshot sled began and never finished: sled writes
/// `snap.<lsn>.generating` and renames it to `snap.<lsn>` once complete.
pub fn is_unfinished_snapshot(name: &str) -> bool {
    name.starts_with("snap.") && name.ends_with(".generating")
}

/// Removes the snapshots sled began and never finished. sled takes the
/// file with the highest name as its latest snapshot, and an unfinished one
/// sorts after the finished snapshot of the same position: a kill while
/// sled wrote it (even an empty file) would make every later open report
/// damage although the log and the previous snapshot are intact. A
/// snapshot only summarises the log, so nothing is lost by removing it.
fn set_aside_unfinished_snapshots(path: &Path) -> std::io::Result<()> {
    let rd = match fs::read_dir(path) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in rd {
        let entry = entry?;
        let unfinished = entry
            .file_name()
            .to_str()
            .is_some_and(is_unfinished_snapshot);
        if unfinished && entry.file_type()?.is_file() {
            match fs::remove_file(entry.path()) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// Whether sled's directory holds snapshots but no log (or something else
/// where the log should be): what a store whose log was deleted looks like.
/// A directory a kill left before sled wrote its first snapshot is new.
fn lost_log(path: &Path) -> std::io::Result<bool> {
    let rd = match fs::read_dir(path) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    let mut snapshots = false;
    for entry in rd {
        let name = entry?.file_name();
        let name = name.to_string_lossy();
        snapshots |= name.starts_with("snap.");
    }
    let log = match fs::symlink_metadata(path.join("db")) {
        Ok(m) => m.is_file(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(e),
    };
    Ok(snapshots && !log)
}

/// Sets files under `dir` to 0600 and directories (`dir` included) to 0700.
fn tighten(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let set = |p: &Path, mode: u32| -> std::io::Result<()> {
            match fs::symlink_metadata(p) {
                Ok(m) if m.permissions().mode() & 0o777 == mode => Ok(()),
                Ok(_) => match fs::set_permissions(p, fs::Permissions::from_mode(mode)) {
                    // sled removes old snapshots as it goes.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                    other => other,
                },
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(e),
            }
        };
        set(dir, 0o700)?;
        let rd = match fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        for entry in rd {
            let entry = entry?;
            let ty = entry.file_type()?;
            if ty.is_dir() {
                tighten(&entry.path())?;
            } else if ty.is_file() {
                set(&entry.path(), 0o600)?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

impl Engine for SledEngine {
    fn get(&self, tree: TreeId, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.trees[tree]
            .get(key)
            .map(|v| v.map(|v| v.to_vec()))
            .map_err(|e| self.error(e))
    }

    fn get_with(&self, tree: TreeId, key: &[u8], f: &mut dyn FnMut(&[u8])) -> Result<bool> {
        match self.trees[tree].get(key) {
            Ok(Some(v)) => {
                f(&v);
                Ok(true)
            }
            Ok(None) => Ok(false),
            Err(e) => Err(self.error(e)),
        }
    }

    fn scan(&self, tree: TreeId, range: Range) -> Scan<'_> {
        if is_empty_range(&range) {
            return Box::new(std::iter::empty());
        }
        Box::new(self.trees[tree].range(range).map(move |kv| {
            kv.map(|(k, v)| (k.to_vec(), v.to_vec()))
                .map_err(|e| self.error(e))
        }))
    }

    fn visit(&self, tree: TreeId, range: Range, rev: bool, f: &mut Visitor<'_>) -> Result<()> {
        if is_empty_range(&range) {
            return Ok(());
        }
        let iter = self.trees[tree].range(range);
        let iter: Box<dyn Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>> = if rev {
            Box::new(iter.rev())
        } else {
            Box::new(iter)
        };
        for kv in iter {
            let (k, v) = kv.map_err(|e| self.error(e))?;
            if !f(&k, &v)? {
                break;
            }
        }
        Ok(())
    }

    // sled's own `len` and `is_empty` count a failed read as an entry (or
    // as "something there"): a damaged page would pass for data.
    fn len(&self, tree: TreeId) -> Result<usize> {
        let mut n = 0;
        for kv in self.trees[tree].iter() {
            kv.map_err(|e| self.error(e))?;
            n += 1;
        }
        Ok(n)
    }

    fn is_empty(&self, tree: TreeId) -> Result<bool> {
        match self.trees[tree].iter().next() {
            None => Ok(true),
            Some(kv) => kv.map(|_| false).map_err(|e| self.error(e)),
        }
    }

    fn commit(&self, ops: &[Op]) -> Result<()> {
        // The transaction spans only the trees written: sled builds and
        // drops a staging overlay per tree it spans, and a commit writes
        // a handful of the store's trees.
        if ops.is_empty() {
            return Ok(());
        }
        let mut slot = vec![usize::MAX; self.trees.len()];
        let mut trees = Vec::new();
        for op in ops {
            if slot[op.tree] == usize::MAX {
                slot[op.tree] = trees.len();
                trees.push(self.trees[op.tree].clone());
            }
        }
        let res: std::result::Result<(), sled::transaction::TransactionError<()>> =
            trees.as_slice().transaction(|tx| {
                for op in ops {
                    let tree = &tx[slot[op.tree]];
                    match &op.value {
                        Some(v) => {
                            tree.insert(op.key.as_slice(), v.as_slice())?;
                        }
                        None => {
                            tree.remove(op.key.as_slice())?;
                        }
                    }
                }
                Ok(())
            });
        res.map_err(|e| match e {
            sled::transaction::TransactionError::Storage(e) => self.error(e),
            sled::transaction::TransactionError::Abort(()) => {
                StoreError::Sled("the transaction was aborted".into())
            }
        })
    }

    fn apply(&self, ops: Vec<Op>) -> Result<()> {
        let mut batches: BTreeMap<TreeId, sled::Batch> = BTreeMap::new();
        for op in ops {
            let b = batches.entry(op.tree).or_default();
            match op.value {
                Some(v) => b.insert(op.key, v),
                None => b.remove(op.key),
            }
        }
        for (t, b) in batches {
            self.trees[t].apply_batch(b).map_err(|e| self.error(e))?;
        }
        Ok(())
    }

    fn clear(&self, tree: TreeId) -> Result<()> {
        self.trees[tree].clear().map_err(|e| self.error(e))
    }

    fn drop_tree(&self, name: &str) -> Result<()> {
        self.db
            .drop_tree(name)
            .map(|_| ())
            .map_err(|e| self.error(e))
    }

    /// sled's flush, then `fdatasync` of its log: after this, writes are on
    /// disk. Values too large for the log go to new files under `blobs/`,
    /// which get their mode here; sled writes its other files while opening.
    fn flush(&self) -> Result<()> {
        self.db.flush().map_err(|e| self.error(e))?;
        self.log.sync_data().map_err(|e| self.io(e))?;
        self.tighten_new_blobs()
    }

    fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }

    fn diagnostics(&self) -> Vec<(&'static str, String)> {
        let snapshot: u64 = fs::read_dir(&self.path)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("snap."))
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum();
        let log = fs::metadata(self.path.join("db")).map_or(0, |m| m.len());
        vec![
            (
                "sled open",
                format!("{:.0} ms", self.sled_open.as_secs_f64() * 1e3),
            ),
            ("log file", format!("{:.1} MB", log as f64 / 1e6)),
            ("snapshot", format!("{:.1} MB", snapshot as f64 / 1e6)),
            // On-disk bytes over the bytes of every live page (sled's own figure).
            (
                "space amplification",
                self.db
                    .space_amplification()
                    .map_or_else(|e| e.to_string(), |a| format!("{a:.2}")),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sled_engine_is_an_engine() {
        let tmp = tempfile::tempdir().unwrap();
        let e = SledEngine::open(tmp.path(), &super::super::conformance::names()).unwrap();
        super::super::conformance::check(&e);
    }

    #[test]
    fn unfinished_snapshots_are_known_by_name() {
        assert!(is_unfinished_snapshot("snap.0000000000000000.generating"));
        assert!(is_unfinished_snapshot("snap.00000000001A2B3C.generating"));
        assert!(!is_unfinished_snapshot("snap.00000000001A2B3C"));
        assert!(!is_unfinished_snapshot("db"));
        assert!(!is_unfinished_snapshot("conf.generating"));
    }

    #[test]
    fn io_errors_inside_sled_errors_keep_their_meaning() {
        let tmp = tempfile::tempdir().unwrap();
        let e = SledEngine::open(tmp.path(), &["t"]).unwrap();
        let full = e.error(sled::Error::Io(std::io::Error::from_raw_os_error(28)));
        assert!(matches!(full, StoreError::NoSpace { ref dir } if dir == tmp.path()));
        let denied = e.error(sled::Error::Io(std::io::Error::from(
            std::io::ErrorKind::PermissionDenied,
        )));
        assert!(matches!(denied, StoreError::Permission { .. }));
        let wrapped = e.error(sled::Error::Io(std::io::Error::other(
            std::io::Error::from_raw_os_error(28),
        )));
        assert!(matches!(wrapped, StoreError::NoSpace { .. }));
        let broken = e.error(sled::Error::Corruption { at: None, bt: () });
        assert!(matches!(broken, StoreError::Corrupt(_)));
    }
}
