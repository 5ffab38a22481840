//! Opens a data directory's store and says what opening cost (time, memory)
//! and what the store holds per tree against its size on disk.
//!
//!     cargo run --release -p gridbook-store --example store_stats -- DATA_DIR
//!
//! Opening writes (sled snapshots its page table): run it on a copy.

use std::time::Instant;

use gridbook_store::store::Store;

/// A line of `/proc/self/status` in kB (peak and current resident memory).
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

fn mb(b: u64) -> f64 {
    b as f64 / 1e6
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .expect("usage: store_stats DATA_DIR");
    let dir = std::path::Path::new(&dir);
    let t = Instant::now();
    let store = Store::open_existing(dir).expect("open");
    let opened = t.elapsed();
    println!(
        "open: {:.0} ms, RSS {} MB (peak {} MB), on disk {:.1} MB, schema {}",
        opened.as_secs_f64() * 1e3,
        status_kb("VmRSS:") / 1024,
        status_kb("VmHWM:") / 1024,
        mb(store.size_on_disk()),
        store.schema_version().unwrap(),
    );
    for (what, figure) in store.engine_diagnostics() {
        println!("  {what}: {figure}");
    }
    let t = Instant::now();
    let stats = store.tree_stats().expect("read");
    let read = t.elapsed();
    println!(
        "{:<20} {:>10} {:>10} {:>10} {:>8}",
        "tree", "entries", "keys MB", "values MB", "B/entry"
    );
    let (mut n, mut k, mut v) = (0, 0, 0);
    for s in &stats {
        n += s.entries;
        k += s.key_bytes;
        v += s.value_bytes;
        let per = (s.key_bytes + s.value_bytes) as f64 / s.entries.max(1) as f64;
        println!(
            "{:<20} {:>10} {:>10.1} {:>10.1} {:>8.1}",
            s.tree,
            s.entries,
            mb(s.key_bytes),
            mb(s.value_bytes),
            per
        );
    }
    println!(
        "{:<20} {:>10} {:>10.1} {:>10.1}   logical {:.1} MB; on disk / logical {:.2}",
        "all",
        n,
        mb(k),
        mb(v),
        mb(k + v),
        store.size_on_disk() as f64 / (k + v) as f64
    );
    println!(
        "full scan: {:.0} ms, RSS {} MB (peak {} MB)",
        read.as_secs_f64() * 1e3,
        status_kb("VmRSS:") / 1024,
        status_kb("VmHWM:") / 1024
    );
    // What reading where a record hangs costs (schema 6 reads it from the
    // record trees): the ancestry of up to 10,000 households, against
    // reading the same three records whole.
    let mut households = Vec::new();
    'areas: for a in store.areas().expect("areas") {
        for b in store.buildings_of(a.meta.id).expect("buildings") {
            households.extend(store.child_ids(b.meta.id).expect("households"));
            if households.len() >= 10_000 {
                break 'areas;
            }
        }
    }
    // Four rounds, alternating: the first also brings the pages into
    // sled's cache, and a shared machine's noise shows between rounds.
    for _ in 0..4 {
        if households.is_empty() {
            break;
        }
        let per = |t: Instant| t.elapsed().as_secs_f64() * 1e6 / households.len() as f64;
        let t = Instant::now();
        for h in &households {
            assert_eq!(store.ancestry(*h).expect("ancestry").len(), 3);
        }
        let ancestry = per(t);
        let t = Instant::now();
        for h in &households {
            let hh = store.household(*h).expect("read").expect("a household");
            let b = store
                .building(hh.building)
                .expect("read")
                .expect("a building");
            store.area(b.area).expect("read").expect("an area");
        }
        println!(
            "ancestry of {} households: {ancestry:.1} µs each; their three records read whole: {:.1} µs",
            households.len(),
            per(t)
        );
    }
    // With a second directory: copy the store there in key order.
    if let Some(to) = std::env::args().nth(2) {
        let t = Instant::now();
        let copy = Store::open(std::path::Path::new(&to)).expect("open the copy");
        store.copy_into(&copy).expect("copy");
        println!(
            "copied in key order: {:.1} s, on disk {:.1} MB",
            t.elapsed().as_secs_f64(),
            mb(copy.size_on_disk())
        );
    }
}
