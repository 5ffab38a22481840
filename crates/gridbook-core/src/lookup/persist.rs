//! The lookup index on disk, beside the store: `DATA/lookup.idx`, so that
//! `gridbook find` answers without opening the store, and the TUI has its
//! index at start without reading every record.
//!
//! The file is the index's columns as they are in memory (little-endian
//! arrays and the two byte arenas), a header, and a CRC-32 of everything
//! before it. Loading streams each column straight into its vector (one
//! allocation per column, none per entry, no second copy of the file), and
//! a stale stamp is turned away after reading the header alone.
//!
//! When it is trusted (both must hold):
//! - It exists. Every gridbook process that may write to the store deletes
//!   it after taking the writer lock and before its first commit
//!   ([`forget`]; the TUI sets it aside instead, [`hold`], and puts it back
//!   when it quit without a commit). So a writer killed between a commit
//!   and sealing it leaves no index behind. Only a process holding the lock
//!   writes one, after opening the store (which brings the seal up to
//!   date).
//! - Its stamp matches the store's seal ([`gridbook_store::counts::sealed`]):
//!   the commit count every commit bumps, the entries per tree, and the
//!   seal file's identity and time (a store swapped in by `restore`,
//!   `import json`, `check --rebuild` or `erase` has a seal file of its
//!   own). This catches writes by anything that did not delete the file.
//!
//! Anything unexpected (a short, torn or corrupt file, another version, a
//! count out of range) makes it untrusted, never a panic: the caller then
//! builds the index from the store.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use gridbook_domain::model::{Id, Kind, Ts};
use gridbook_store::counts;

use super::{LookupIndex, NONE, Span, level};

/// The index's file name in the data directory.
pub const FILE: &str = "lookup.idx";
/// Where the running TUI keeps it aside ([`hold`]).
const HELD: &str = "lookup.idx.held";
/// Written first, then renamed over [`FILE`].
const TEMP: &str = "lookup.idx.tmp";
const MAGIC: &[u8; 8] = b"GBLOOK1\n";
/// Bumped whenever the layout of the file or of the keys changes.
const VERSION: u32 = 3;

/// What the index was built from: the store's seal when it was written.
/// (Serde for the saved first screen, which is trusted the same way.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    commits: u64,
    entries: [u64; 6],
    /// The seal file's device, inode, modification time (ns) and size.
    file: [u64; 4],
}

impl Stamp {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.commits.to_le_bytes());
        for n in self.entries.iter().chain(&self.file) {
            out.extend_from_slice(&n.to_le_bytes());
        }
    }

    fn decode<R: Read>(r: &mut Reader<R>) -> Option<Stamp> {
        let commits = r.u64()?;
        let mut entries = [0; 6];
        for e in &mut entries {
            *e = r.u64()?;
        }
        let mut file = [0; 4];
        for f in &mut file {
            *f = r.u64()?;
        }
        Some(Stamp {
            commits,
            entries,
            file,
        })
    }
}

/// The store's stamp now, read without opening it (`None`: no readable seal).
pub fn stamp(data: &Path) -> Option<Stamp> {
    let (c, meta) = counts::sealed(data)?;
    use std::os::unix::fs::MetadataExt;
    let mtime = (meta.mtime() as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(meta.mtime_nsec() as u64);
    Some(Stamp {
        commits: c.commits,
        entries: c.entries,
        file: [meta.dev(), meta.ino(), mtime, meta.len()],
    })
}

pub fn path(data: &Path) -> PathBuf {
    data.join(FILE)
}

/// The index of the store in `data` if the file is there and trusted
/// (see the module's note), with who covers what worked out at `now`.
pub fn load(data: &Path, now: Ts) -> Option<LookupIndex> {
    load_from(&path(data), stamp(data)?, now)
}

/// The index in `file` if its stamp is `want` and it reads whole.
pub fn load_from(file: &Path, want: Stamp, now: Ts) -> Option<LookupIndex> {
    let f = File::open(file).ok()?;
    let len = f.metadata().ok()?.len();
    let r = Reader {
        r: std::io::BufReader::with_capacity(1 << 16, f),
        crc: crc32fast::Hasher::new(),
        // The CRC-32 at the end is not part of what it covers.
        left: len.checked_sub(4)?,
        chunk: Vec::new(),
    };
    let mut ix = decode(r, want)?;
    ix.direct_at(now);
    Some(ix)
}

/// Writes `ix` as the index of the store in `data`, stamped `stamp` (taken
/// by the caller under the writer lock, after opening the store): to a
/// temporary file (0600), made durable, then renamed over the old one.
pub fn save(data: &Path, ix: &LookupIndex, stamp: Stamp) -> std::io::Result<()> {
    write_private(data, TEMP, &path(data), &encode(ix, stamp))
}

/// Writes a file beside the store whole or not at all: `bytes` into
/// `data/temp` (0600: it holds names and phones), made durable, renamed
/// over `file`, and the directory synced so the rename survives a crash.
/// A failed write leaves no temporary file behind.
pub(crate) fn write_private(
    data: &Path,
    temp: &str,
    file: &Path,
    bytes: &[u8],
) -> std::io::Result<()> {
    let temp = data.join(temp);
    let mut options = OpenOptions::new();
    options.create(true).write(true).truncate(true);
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = (|| {
        let mut f = options.open(&temp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&temp, file)?;
        sync_dir(data)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written
}

/// What a commit makes stale: this index (also set aside or half written)
/// and the saved first screen ([`crate::firstscreen`]).
const STALE_AFTER_A_COMMIT: [&str; 5] = [FILE, HELD, TEMP, FIRST, FIRST_TEMP];
use crate::firstscreen::{FILE as FIRST, TEMP as FIRST_TEMP};

/// Deletes the index (and one set aside or half written) and the saved first
/// screen: a process about to write calls it under the writer lock, before
/// its first commit. Durable before it returns, so a commit that survives a
/// crash never meets an index or a screen from before it.
pub fn forget(data: &Path) {
    let mut removed = false;
    for name in STALE_AFTER_A_COMMIT {
        removed |= fs::remove_file(data.join(name)).is_ok();
    }
    if removed {
        let _ = sync_dir(data);
    }
}

/// For the TUI, which holds the writer lock for its whole run: sets the index
/// aside (where nothing trusts it) and returns where, if there was one. The
/// TUI loads it from there, and [`put_back`] restores it when the run made no
/// commit. The saved first screen, which the TUI has read by then, is
/// deleted: the TUI writes a new one on its way out.
pub fn hold(data: &Path) -> Option<PathBuf> {
    let _ = fs::remove_file(data.join(HELD));
    for name in [FIRST, FIRST_TEMP] {
        let _ = fs::remove_file(data.join(name));
    }
    let held = data.join(HELD);
    let moved = fs::rename(path(data), &held).is_ok();
    // Durable either way: the screen's removal must precede any commit.
    let _ = sync_dir(data);
    moved.then_some(held)
}

/// Ends a [`hold`]: the index goes back when the store's stamp is still
/// `at_start` (nothing was committed since), else it is deleted.
pub fn put_back(data: &Path, at_start: Option<Stamp>) {
    let held = data.join(HELD);
    if at_start.is_some() && stamp(data) == at_start {
        if fs::rename(&held, path(data)).is_ok() {
            let _ = sync_dir(data);
        }
    } else {
        forget(data);
    }
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

// ---- the layout ---------------------------------------------------------

fn kind_code(k: Kind) -> u8 {
    match k {
        Kind::Area => 0,
        Kind::Building => 1,
        Kind::Household => 2,
        Kind::Resident => 3,
        Kind::Member => 4,
    }
}

fn kind_of(b: u8) -> Option<Kind> {
    Some(match b {
        0 => Kind::Area,
        1 => Kind::Building,
        2 => Kind::Household,
        3 => Kind::Resident,
        4 => Kind::Member,
        _ => return None,
    })
}

/// `magic, version, stamp, counts, columns…, crc32`.
fn encode(ix: &LookupIndex, stamp: Stamp) -> Vec<u8> {
    let n = ix.ids.len();
    let mut b = Vec::with_capacity(64 + n * 80 + ix.keys.len() + ix.shown.len());
    b.extend_from_slice(MAGIC);
    b.extend_from_slice(&VERSION.to_le_bytes());
    stamp.encode(&mut b);
    let counts = [
        n,
        ix.keys.len(),
        ix.shown.len(),
        ix.places[0].len(),
        ix.places[1].len(),
        ix.places[2].len(),
        ix.spans.len(),
    ];
    for c in counts {
        b.extend_from_slice(&(c as u32).to_le_bytes());
    }
    b.extend(ix.kind.iter().map(|k| kind_code(*k)));
    b.extend(ix.live.iter().map(|l| *l as u8));
    b.extend_from_slice(&ix.flags);
    for id in &ix.ids {
        b.extend_from_slice(&id.0.to_le_bytes());
    }
    put_all(&mut b, &ix.parent, |x| x.to_le_bytes());
    put_all(&mut b, &ix.mask, |x| x.to_le_bytes());
    put_all(&mut b, &ix.pairs, |x| x.to_le_bytes());
    put_all(&mut b, &ix.key_at, |x| x.to_le_bytes());
    put_all(&mut b, &ix.key_len, |x| x.to_le_bytes());
    put_all(&mut b, &ix.show_at, |x| x.to_le_bytes());
    put_all(&mut b, &ix.show_len, |x| x.to_le_bytes());
    b.extend_from_slice(&ix.keys);
    b.extend_from_slice(&ix.shown);
    for lvl in &ix.places {
        put_all(&mut b, lvl, |x| x.to_le_bytes());
    }
    for s in &ix.spans {
        b.extend_from_slice(&s.place.to_le_bytes());
        b.extend_from_slice(&s.member.to_le_bytes());
        b.extend_from_slice(&s.since.to_le_bytes());
        b.extend_from_slice(&s.until.to_le_bytes());
    }
    let crc = crc32fast::hash(&b);
    b.extend_from_slice(&crc.to_le_bytes());
    b
}

fn put_all<T: Copy, const N: usize>(b: &mut Vec<u8>, xs: &[T], f: impl Fn(T) -> [u8; N]) {
    for x in xs {
        b.extend_from_slice(&f(*x));
    }
}

/// Reads a file's body front to back: fixed-size little-endian values and
/// whole columns, hashing what it reads, never past the body's end (so a
/// damaged count cannot make it allocate more than the file holds).
struct Reader<R: Read> {
    r: R,
    crc: crc32fast::Hasher,
    /// Body bytes not read yet.
    left: u64,
    /// Reused for converting columns, a slice at a time.
    chunk: Vec<u8>,
}

impl<R: Read> Reader<R> {
    fn take(&mut self, n: usize) -> Option<()> {
        self.left = self.left.checked_sub(n as u64)?;
        Some(())
    }
    fn fill(&mut self, out: &mut [u8]) -> Option<()> {
        self.take(out.len())?;
        self.r.read_exact(out).ok()?;
        self.crc.update(out);
        Some(())
    }
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let mut a = [0; N];
        self.fill(&mut a)?;
        Some(a)
    }
    fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Option<u64> {
        self.array().map(u64::from_le_bytes)
    }
    fn bytes(&mut self, n: usize) -> Option<Vec<u8>> {
        if n as u64 > self.left {
            return None;
        }
        let mut v = vec![0; n];
        self.fill(&mut v)?;
        Some(v)
    }
    /// `n` values of `N` bytes each, converted a chunk at a time.
    fn column<T, const N: usize>(&mut self, n: usize, f: impl Fn([u8; N]) -> T) -> Option<Vec<T>> {
        if n.checked_mul(N)? as u64 > self.left {
            return None;
        }
        let mut out = Vec::with_capacity(n);
        let mut chunk = std::mem::take(&mut self.chunk);
        let mut todo = n;
        while todo > 0 {
            let k = todo.min((1 << 16) / N);
            chunk.resize(k * N, 0);
            self.fill(&mut chunk)?;
            out.extend(
                chunk
                    .chunks_exact(N)
                    .map(|c| f(c.try_into().unwrap_or([0; N]))),
            );
            todo -= k;
        }
        self.chunk = chunk;
        Some(out)
    }
    /// The body was read to its end and the CRC-32 after it matches.
    fn finish(mut self) -> Option<()> {
        if self.left != 0 {
            return None;
        }
        let mut crc = [0; 4];
        self.r.read_exact(&mut crc).ok()?;
        let mut rest = [0; 1];
        let at_end = matches!(self.r.read(&mut rest), Ok(0));
        (at_end && self.crc.finalize() == u32::from_le_bytes(crc)).then_some(())
    }
}

fn decode<R: Read>(mut r: Reader<R>, want: Stamp) -> Option<LookupIndex> {
    if r.array::<8>()? != *MAGIC || r.u32()? != VERSION {
        return None;
    }
    if Stamp::decode(&mut r)? != want {
        return None;
    }
    let mut c = [0usize; 7];
    for x in &mut c {
        *x = r.u32()? as usize;
    }
    let [n, keys_len, shown_len, p0, p1, p2, spans] = c;
    let mut ix = LookupIndex::empty(true);
    ix.kind = r
        .bytes(n)?
        .into_iter()
        .map(kind_of)
        .collect::<Option<_>>()?;
    ix.live = r.bytes(n)?.into_iter().map(|l| l != 0).collect();
    ix.flags = r.bytes(n)?;
    ix.ids = r.column(n, |x| Id(u128::from_le_bytes(x)))?;
    ix.parent = r.column(n, u32::from_le_bytes)?;
    ix.mask = r.column(n, u64::from_le_bytes)?;
    ix.pairs = r.column(n, u128::from_le_bytes)?;
    ix.key_at = r.column(n, u32::from_le_bytes)?;
    ix.key_len = r.column(n, u16::from_le_bytes)?;
    ix.show_at = r.column(n, u32::from_le_bytes)?;
    ix.show_len = r.column(n, u16::from_le_bytes)?;
    ix.keys = r.bytes(keys_len)?;
    ix.shown = r.bytes(shown_len)?;
    for (lvl, len) in [p0, p1, p2].into_iter().enumerate() {
        ix.places[lvl] = r.column(len, u32::from_le_bytes)?;
    }
    ix.spans = r.column(spans, |b: [u8; 24]| Span {
        place: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        member: u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        since: i64::from_le_bytes(b[8..16].try_into().unwrap_or([0; 8])),
        until: i64::from_le_bytes(b[16..24].try_into().unwrap_or([0; 8])),
    })?;
    r.finish()?;
    if !ix.consistent() {
        return None;
    }
    ix.by_id
        .reserve(ix.kind.iter().filter(|k| **k != Kind::Resident).count());
    for (e, (id, kind)) in ix.ids.iter().zip(&ix.kind).enumerate() {
        if *kind != Kind::Resident {
            ix.by_id.insert(*id, e as u32);
        }
    }
    Some(ix)
}

impl LookupIndex {
    /// Whether every offset and entry number points inside the index and
    /// every entry hangs in a place one level up: what searching relies on
    /// not to panic or loop.
    fn consistent(&self) -> bool {
        let n = self.ids.len();
        let parent_ok = |e: usize| {
            let p = self.parent[e];
            let want = match self.kind[e] {
                Kind::Area | Kind::Member => return p == NONE,
                Kind::Building => Kind::Area,
                Kind::Household => Kind::Building,
                Kind::Resident => Kind::Household,
            };
            (p as usize) < n && self.kind[p as usize] == want
        };
        let in_arena = |at: u32, len: u16, arena: &[u8]| {
            (at as usize)
                .checked_add(len as usize)
                .is_some_and(|end| end <= arena.len())
        };
        (0..n).all(|e| {
            parent_ok(e)
                && in_arena(self.key_at[e], self.key_len[e], &self.keys)
                && in_arena(self.show_at[e], self.show_len[e], &self.shown)
        }) && self.places.iter().enumerate().all(|(lvl, ps)| {
            ps.iter()
                .all(|p| (*p as usize) < n && level(self.kind[*p as usize]) == Some(lvl))
        }) && self.spans.iter().all(|s| {
            (s.place as usize) < n
                && level(self.kind[s.place as usize]).is_some()
                && (s.member == NONE
                    || ((s.member as usize) < n && self.kind[s.member as usize] == Kind::Member))
        }) && self.spans.windows(2).all(|w| w[0].place <= w[1].place)
    }
}
