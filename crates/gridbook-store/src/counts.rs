//! How many records and events the store holds, and how many commits made
//! it so: kept in `meta`, updated in the same transaction as every commit,
//! and copied after each flush into a small seal file beside sled's files.
//!
//! Two kinds of damage leave a store that reads cleanly but wrongly, and
//! these catch them. A record or event that went missing inside the engine
//! (`check`, an export and a backup compare the counts with what is there).
//! And a store that went back to an earlier state, consistent in itself,
//! `meta` included (sled's files replaced by an older copy, a log recovered
//! to an earlier point): the seal, written outside sled's files, still
//! names the later commit, so opening notices (one read of a 64-byte file).
//!
//! A commit rewrites the seal's 64 bytes in place, through a handle the
//! store keeps open, after sled's log is on disk, and does not sync it:
//! a kill keeps what was written (it is in the kernel's page cache), and a
//! power cut can only leave an older seal, never one ahead of the log,
//! which opening writes anew. Its own `fdatasync` was half of a durable
//! append's time (BENCHMARKS.md, "Store"). The caches that trust the seal
//! do not depend on it being durable: every writer deletes them durably
//! before its first commit. The store syncs the seal once when it closes.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use crate::engine::Op;
/// Where the data directory keeps the store's files.
use crate::engine::sled as disk;
use crate::error::{Result, StoreError};
use crate::schema::Tree;
use crate::store::Store;

/// The key of the counts in [`Tree::Meta`].
const COUNTS_KEY: &[u8] = b"counts";

/// The seal's file name, inside the store's directory (it travels with the
/// store when a replacement is swapped in).
const SEAL_FILE: &str = "gridbook.seal";
const SEAL_MAGIC: &[u8; 8] = b"GBSEAL1\n";

/// Commits so far and the entries of each primary tree ([`Tree::PRIMARY`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub commits: u64,
    pub entries: [u64; 6],
}

impl Counts {
    fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(56);
        v.extend_from_slice(&self.commits.to_be_bytes());
        for n in self.entries {
            v.extend_from_slice(&n.to_be_bytes());
        }
        v
    }

    fn decode(b: &[u8]) -> Option<Counts> {
        if b.len() != 56 {
            return None;
        }
        let n = |i: usize| u64::from_be_bytes(b[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
        let mut entries = [0; 6];
        for (i, e) in entries.iter_mut().enumerate() {
            *e = n(i + 1);
        }
        Some(Counts {
            commits: n(0),
            entries,
        })
    }

    /// These counts after a commit that added `added`.
    pub(crate) fn after(&self, added: &[u64; 6]) -> Counts {
        let mut entries = self.entries;
        for (e, a) in entries.iter_mut().zip(added) {
            *e += a;
        }
        Counts {
            commits: self.commits + 1,
            entries,
        }
    }

    /// The write that stores these counts, for a commit's write set.
    pub(crate) fn op(&self) -> Op {
        Op::put(Tree::Meta.id(), COUNTS_KEY.to_vec(), self.encode())
    }
}

/// The position of a primary tree in [`Counts::entries`].
pub(crate) fn slot(t: Tree) -> usize {
    Tree::PRIMARY.iter().position(|p| *p == t).unwrap_or(0)
}

fn seal_path(store_dir: &Path) -> PathBuf {
    store_dir.join(SEAL_FILE)
}

/// The seal as last written, if it reads (a torn or missing seal is
/// written anew from `meta`: it only ever lags behind the store).
fn read_seal(store_dir: &Path) -> Option<Counts> {
    let b = fs::read(seal_path(store_dir)).ok()?;
    let body = b.strip_prefix(SEAL_MAGIC.as_slice())?;
    Counts::decode(body)
}

/// The seal of the store in `data_dir` as last written, read without
/// opening the store, with its file's metadata (a store swapped in has a
/// seal file of its own). For caches kept outside the store, which compare
/// themselves with it; `None` when there is no readable seal.
pub fn sealed(data_dir: &Path) -> Option<(Counts, fs::Metadata)> {
    let path = seal_path(&disk::store_path(data_dir));
    let meta = fs::metadata(&path).ok()?;
    Some((read_seal(&disk::store_path(data_dir))?, meta))
}

/// The seal file of a store that writes, kept open from its first seal
/// to its close.
#[derive(Default)]
pub(crate) struct SealFile {
    file: Option<File>,
    /// Written since it was last synced.
    unsynced: bool,
}

impl SealFile {
    /// Writes `c` over the seal, in place. Not synced: see the module's note.
    fn write(&mut self, store_dir: &Path, c: &Counts) -> std::io::Result<()> {
        let mut b = Vec::with_capacity(SEAL_MAGIC.len() + 56);
        b.extend_from_slice(SEAL_MAGIC);
        b.extend_from_slice(&c.encode());
        let f = match &mut self.file {
            Some(f) => f,
            None => {
                let mut options = OpenOptions::new();
                options.create(true).write(true).truncate(false);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                let f = options.open(seal_path(store_dir))?;
                // Whatever was there (a torn or longer file) is cut to
                // one seal; later writes keep the length.
                f.set_len(b.len() as u64)?;
                self.file.insert(f)
            }
        };
        write_at(f, &b)?;
        self.unsynced = true;
        Ok(())
    }

    /// Makes the last seal written durable.
    fn sync(&mut self) -> std::io::Result<()> {
        if let (Some(f), true) = (&self.file, self.unsynced) {
            f.sync_data()?;
            self.unsynced = false;
        }
        Ok(())
    }
}

impl Drop for SealFile {
    fn drop(&mut self) {
        // Best effort: a seal that did not reach the disk only lags.
        let _ = self.sync();
    }
}

#[cfg(unix)]
fn write_at(f: &mut File, b: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    f.write_all_at(b, 0)
}

#[cfg(not(unix))]
fn write_at(f: &mut File, b: &[u8]) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    f.seek(SeekFrom::Start(0))?;
    f.write_all(b)
}

impl Store {
    /// The counts as stored in `meta` (none in a store from before them).
    pub fn counts(&self) -> Result<Option<Counts>> {
        Ok(self
            .get_raw(Tree::Meta, COUNTS_KEY)?
            .and_then(|v| Counts::decode(&v)))
    }

    /// Entries of each primary tree as they are now (a scan of each).
    pub(crate) fn counted(&self) -> Result<[u64; 6]> {
        let mut entries = [0; 6];
        for t in Tree::PRIMARY {
            entries[slot(t)] = self.engine().len(t.id())? as u64;
        }
        Ok(entries)
    }

    /// Sets the counts to what the store holds: for a store from before
    /// counts were kept, and after a migration.
    pub(crate) fn recount(&self) -> Result<()> {
        let commits = self.counts()?.map_or(0, |c| c.commits);
        let c = Counts {
            commits: commits + 1,
            entries: self.counted()?,
        };
        self.engine().commit(&[c.op()])?;
        self.engine().flush()
    }

    /// On opening: compares the seal with `meta`, and brings the seal up
    /// to date. A seal ahead of `meta` means the log lost commits it had
    /// saved: the store is damaged.
    pub(crate) fn verify_seal(&self) -> Result<()> {
        if self.dir().as_os_str().is_empty() {
            return Ok(());
        }
        if self.counts()?.is_none() {
            self.recount()?;
        }
        let Some(now) = self.counts()? else {
            return Ok(());
        };
        let store_dir = disk::store_path(self.dir());
        match read_seal(&store_dir) {
            Some(sealed) if sealed.commits > now.commits => Err(StoreError::Corrupt(format!(
                "it holds {} of the {} commits it had saved",
                now.commits, sealed.commits
            ))),
            Some(sealed) if sealed == now => Ok(()),
            _ => self.seal(&now),
        }
    }

    /// Compares what a full read found (entries per primary tree, in the
    /// order of [`Tree::PRIMARY`]) with the counts: an export or a backup
    /// of a store that lost records must not pass for a whole one.
    pub fn verify_counts(&self, seen: [u64; 6]) -> Result<()> {
        let Some(c) = self.counts()? else {
            return Ok(());
        };
        for t in Tree::PRIMARY {
            let (n, want) = (seen[slot(t)], c.entries[slot(t)]);
            if n != want {
                return Err(StoreError::Corrupt(format!(
                    "{}: {n} stored, {want} written",
                    t.name()
                )));
            }
        }
        Ok(())
    }

    /// Writes `c` to the seal file (after a flush made it durable in sled).
    pub(crate) fn seal(&self, c: &Counts) -> Result<()> {
        if self.dir().as_os_str().is_empty() {
            return Ok(());
        }
        let store_dir = disk::store_path(self.dir());
        let mut file = self.seal_file.lock().unwrap_or_else(|e| e.into_inner());
        file.write(&store_dir, c)
            .map_err(|e| crate::error::io_error(self.dir(), &store_dir, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_round_trip_and_add_up() {
        let c = Counts {
            commits: 3,
            entries: [1, 2, 3, 4, 5, 6],
        };
        assert_eq!(Counts::decode(&c.encode()), Some(c));
        assert_eq!(Counts::decode(b"short"), None);
        let d = c.after(&[0, 0, 0, 0, 0, 2]);
        assert_eq!((d.commits, d.entries[5]), (4, 8));
    }
}
