//! Quick lookup on a generated 100k-household estate: index build, memory,
//! and search per keystroke (cold, and typed one key at a time).
//!
//! `cargo bench --bench lookup` generates the estate into a temporary
//! directory first (places, people and assignments; no activity events, which
//! lookup does not read). `GRIDBOOK_BENCH_HOUSEHOLDS=N` generates N
//! households instead of 100,000 (a quick run on a small machine). Set
//! `GRIDBOOK_BENCH_DATA=DIR` to reuse a store made by
//! `gridbook --data DIR gen --households 100000 --seed 7`.

// What ships: the app's allocator (see `gridbook::Alloc`).
#[global_allocator]
static ALLOC: gridbook::Alloc = gridbook::ALLOC;

use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, criterion_group};
use gridbook::generator::{self, Spec};
use gridbook::lookup::{HitKind, LookupIndex, persist};
use gridbook::model::Ts;
use gridbook::store::Store;

const HOUSEHOLDS: usize = 100_000;

/// How many households to generate: `GRIDBOOK_BENCH_HOUSEHOLDS`, else 100,000.
fn households() -> usize {
    std::env::var("GRIDBOOK_BENCH_HOUSEHOLDS")
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(HOUSEHOLDS)
}
const QUERIES: &[&str] = &[
    "z",
    "zs",
    "zs 5",
    "1381",
    "欧阳",
    "2-501",
    "zhgsn",
    "wangchangming",
    "低保",
];

fn open_store() -> (Option<tempfile::TempDir>, Store) {
    if let Some(dir) = std::env::var_os("GRIDBOOK_BENCH_DATA") {
        let store = Store::open(std::path::Path::new(&dir)).expect("open GRIDBOOK_BENCH_DATA");
        return (None, store);
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let store = Store::open(tmp.path()).expect("open store");
    let t = Instant::now();
    let est = generator::generate(&Spec::large(households(), 7, 0, Ts::now()));
    generator::load(&store, &est).expect("load estate");
    eprintln!(
        "generated {} households, {} residents, {} members in {:.1?}",
        est.households.len(),
        est.residents.len(),
        est.members.len(),
        t.elapsed()
    );
    (Some(tmp), store)
}

fn lookup(c: &mut Criterion) {
    let (_tmp, store) = open_store();
    let now = Ts::now();

    let t = Instant::now();
    let ix = LookupIndex::build(&store, now).expect("build");
    eprintln!(
        "index: {} entries, {:.1} MiB ({} bytes), first build {:.1?}",
        ix.len(),
        ix.approx_bytes() as f64 / (1024.0 * 1024.0),
        ix.approx_bytes(),
        t.elapsed()
    );

    let mut g = c.benchmark_group("lookup_build");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    g.bench_function("build", |b| {
        b.iter(|| black_box(LookupIndex::build(&store, now).expect("build")))
    });
    g.finish();

    // The index saved beside the store, as `find` and the TUI load it.
    let dir = store.dir().to_path_buf();
    let stamp = persist::stamp(&dir).expect("a sealed store");
    let t = Instant::now();
    persist::save(&dir, &ix, stamp).expect("save");
    let size = std::fs::metadata(persist::path(&dir)).map_or(0, |m| m.len());
    eprintln!(
        "saved index: {:.1} MiB, written in {:.1?}",
        size as f64 / (1024.0 * 1024.0),
        t.elapsed()
    );
    let mut g = c.benchmark_group("lookup_saved");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    g.bench_function("load", |b| {
        b.iter(|| black_box(persist::load(&dir, now).expect("load")))
    });
    g.finish();

    let mut g = c.benchmark_group("lookup_search");
    g.sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    // Cold: the query typed as a whole, nothing to narrow from. `zhgsn` has
    // few exact-ish matches, so it runs the fuzzy pass over everything.
    for q in QUERIES {
        g.bench_function(format!("cold {q}"), |b| {
            b.iter(|| {
                ix.forget_last_query();
                black_box(ix.search(q, 50))
            })
        });
    }
    // Typed: the keystroke that extends the previous query narrows its
    // results (the TUI's case); only that keystroke is timed.
    for (prev, q) in [
        ("z", "zs"),
        ("zs", "zs "),
        ("zs ", "zs 5"),
        ("138", "1381"),
        ("2-50", "2-501"),
    ] {
        g.bench_function(format!("typed {q:?} after {prev:?}"), |b| {
            b.iter_batched(
                || {
                    ix.forget_last_query();
                    ix.search(prev, 50);
                },
                |()| black_box(ix.search(q, 50)),
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

/// With `GRIDBOOK_LOOKUP_DUMP=FILE`, writes one line per resident (name,
/// address, phone) for `benches/find_vs_fzf.sh` and skips the benchmarks.
fn dump_lines() -> bool {
    let Some(path) = std::env::var_os("GRIDBOOK_LOOKUP_DUMP") else {
        return false;
    };
    let (_tmp, store) = open_store();
    let ix = LookupIndex::build(&store, Ts::now()).expect("build");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("create dump file"));
    let mut n = 0;
    for h in ix.entries().filter(|h| h.kind == HitKind::Resident) {
        writeln!(
            out,
            "{}  {}  {}",
            h.name,
            h.address,
            h.phone.unwrap_or_default()
        )
        .expect("write dump");
        n += 1;
    }
    out.flush().expect("write dump");
    eprintln!(
        "wrote {n} lines to {}",
        std::path::Path::new(&path).display()
    );
    true
}

criterion_group!(benches, lookup);

fn main() {
    if !dump_lines() {
        benches();
        Criterion::default().configure_from_args().final_summary();
    }
}
