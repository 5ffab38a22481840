//! What sled 0.34 alone costs to write a store's entries: the floor under
//! any loader that ends in a sled store (BENCHMARKS.md, "The floor").
//!
//!     sled_floor dump STORE_DIR FILE [TREE…]  # the trees' entries (all: in sled's
//!                                             # order of names), each tree in key order
//!     sled_floor load FILE NEW_DIR [N [F]]    # into a fresh sled: batches of N (0: one
//!                                             # insert at a time), a flush every F (0: none)
//!
//! `dump` opens the sled directory of a data directory's store (`DATA/store`;
//! opening writes, so dump a copy). `load` reads the file as it goes, so its
//! peak memory is sled's own and a buffer; it opens sled with the store's
//! settings (64 MiB cache, flushed every second) and flushes at the end.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::time::Instant;

/// A line of `/proc/self/status` in kB (peak or current resident memory).
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn open(dir: &str) -> sled::Db {
    sled::Config::new()
        .path(dir)
        .cache_capacity(64 * 1024 * 1024)
        .flush_every_ms(Some(1000))
        .open()
        .expect("open sled")
}

fn put(out: &mut impl Write, bytes: &[u8]) {
    out.write_all(&(bytes.len() as u32).to_le_bytes()).unwrap();
    out.write_all(bytes).unwrap();
}

/// The next length-prefixed field, or None at the end of the file.
fn take(input: &mut impl Read) -> Option<Vec<u8>> {
    let mut len = [0u8; 4];
    input.read_exact(&mut len).ok()?;
    let mut buf = vec![0u8; u32::from_le_bytes(len) as usize];
    input.read_exact(&mut buf).expect("a truncated dump");
    Some(buf)
}

fn dump(from: &str, to: &str, only: &[&str]) {
    let db = open(from);
    let mut out = BufWriter::new(File::create(to).expect("create the dump"));
    let mut n = 0u64;
    let names: Vec<sled::IVec> = if only.is_empty() {
        db.tree_names()
    } else {
        only.iter()
            .map(|s| sled::IVec::from(s.as_bytes()))
            .collect()
    };
    for name in names {
        let tree = db.open_tree(&name).expect("tree");
        for kv in tree.iter() {
            let (k, v) = kv.expect("read");
            put(&mut out, &name);
            put(&mut out, &k);
            put(&mut out, &v);
            n += 1;
        }
    }
    out.flush().unwrap();
    println!("dumped {n} entries");
}

fn load(from: &str, to: &str, batch: usize, flush: u64) {
    let t = Instant::now();
    let db = open(to);
    let mut input = BufReader::with_capacity(1 << 20, File::open(from).expect("open the dump"));
    let (mut n, mut bytes) = (0u64, 0u64);
    let mut current: Option<(Vec<u8>, sled::Tree)> = None;
    let mut pending = sled::Batch::default();
    let mut in_batch = 0;
    while let Some(name) = take(&mut input) {
        let k = take(&mut input).expect("a key");
        let v = take(&mut input).expect("a value");
        bytes += (k.len() + v.len()) as u64;
        n += 1;
        if flush > 0 && n % flush == 0 {
            db.flush().expect("flush");
        }
        if current.as_ref().is_none_or(|(c, _)| *c != name) {
            if let Some((_, tree)) = &current {
                tree.apply_batch(std::mem::take(&mut pending)).unwrap();
                in_batch = 0;
            }
            let tree = db.open_tree(&name).expect("tree");
            current = Some((name, tree));
        }
        let tree = &current.as_ref().unwrap().1;
        if batch == 0 {
            tree.insert(k, v).expect("insert");
        } else {
            pending.insert(k, v);
            in_batch += 1;
            if in_batch >= batch {
                tree.apply_batch(std::mem::take(&mut pending)).unwrap();
                in_batch = 0;
            }
        }
    }
    if let Some((_, tree)) = &current {
        tree.apply_batch(pending).unwrap();
    }
    db.flush().expect("flush");
    println!(
        "loaded {n} entries ({:.1} MB of keys and values) in {:.1} s; RSS {} MB, peak {} MB; on disk {:.1} MB",
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64(),
        status_kb("VmRSS:") / 1024,
        status_kb("VmHWM:") / 1024,
        db.size_on_disk().unwrap_or(0) as f64 / 1e6
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["dump", from, to, ref only @ ..] => dump(from, to, only),
        ["load", from, to] => load(from, to, 20_000, 0),
        ["load", from, to, n] => load(from, to, n.parse().expect("a batch size"), 0),
        ["load", from, to, n, f] => load(
            from,
            to,
            n.parse().expect("a batch size"),
            f.parse().expect("entries between flushes"),
        ),
        _ => eprintln!(
            "usage: sled_floor dump STORE_DIR FILE [TREE…] | load FILE NEW_DIR [BATCH [FLUSH_EVERY]]"
        ),
    }
}
