//! TUI speed on generated estates: the first frame on a 1k- and a
//! 100k-household store (startup must not grow with the data), and
//! keystroke-to-frame at 100k (goal: under 16 ms), including the coverage
//! report view.
//!
//! Stores are generated once (seed 7) and cached under `target/bench-data/`.
//! `GRIDBOOK_BENCH_HOUSEHOLDS` replaces the large size (default 100000).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use gridbook::checklist::Checklists;
use gridbook::config::Config;
use gridbook::generator::{self, Spec};
use gridbook::i18n::Lang;
use gridbook::model::Ts;
use gridbook::store::Store;
use gridbook::tui::App;
use gridbook::tui::keymap::Keymap;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The generated history ends here, so a cached estate is the same estate.
const HISTORY_ENDS: Ts = Ts(1_790_000_000_000);

fn cached_store(households: usize) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("bench-data")
        .join(format!("tui-{households}-7"));
    let ready = dir.join("ready");
    if !ready.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&dir).expect("open bench store");
        let spec = Spec::large(households, 7, households * 10, HISTORY_ENDS);
        let t = std::time::Instant::now();
        let est = generator::generate(&spec);
        generator::load(&store, &est).expect("load bench store");
        eprintln!("generated {households} households in {:.1?}", t.elapsed());
        drop(store);
        std::fs::write(&ready, b"").unwrap();
    }
    dir
}

fn app(store: &Store) -> App<'_> {
    let (keymap, _) = Keymap::load(None, None);
    let mut app = App::new(
        store,
        Lang::Zh,
        keymap,
        None,
        Config::default(),
        Checklists::shipped(),
    );
    app.resize(120, 40);
    app
}

/// Open the store, load the first screen and draw it: what a user waits for.
fn first_frame(dir: &Path, term: &mut Terminal<TestBackend>) {
    let store = Store::open(dir).unwrap();
    let mut a = app(&store);
    a.start();
    a.draw(term).unwrap();
    black_box(term.backend().buffer().area);
}

fn benches(c: &mut Criterion) {
    let large: usize = std::env::var("GRIDBOOK_BENCH_HOUSEHOLDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let small_dir = cached_store(1_000);
    let large_dir = cached_store(large);
    gridbook::clock::pin(HISTORY_ENDS, jiff::tz::TimeZone::fixed(jiff::tz::offset(8)));

    let mut g = c.benchmark_group("first_frame");
    g.sample_size(20).measurement_time(Duration::from_secs(8));
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    g.bench_function("1k_households", |b| {
        b.iter(|| first_frame(&small_dir, &mut term))
    });
    g.bench_function(format!("{}k_households", large / 1000), |b| {
        b.iter(|| first_frame(&large_dir, &mut term))
    });
    g.finish();

    let store = Store::open(&large_dir).unwrap();
    let mut g = c.benchmark_group(format!("keystroke_to_frame_{}k", large / 1000));
    g.sample_size(30).measurement_time(Duration::from_secs(6));
    // Moving in the buildings of an area: the side pane follows the selection.
    let mut a = app(&store);
    a.start();
    a.press("enter");
    g.bench_function("j_in_buildings", |b| {
        b.iter(|| {
            a.press("j");
            a.draw(&mut term).unwrap();
        })
    });
    // Drilling into a building's households and back out.
    g.bench_function("enter_households_then_esc", |b| {
        b.iter(|| {
            a.press("enter");
            a.draw(&mut term).unwrap();
            a.press("esc");
            a.draw(&mut term).unwrap();
        })
    });
    // Opening a household.
    a.press("enter");
    g.bench_function("enter_household_then_esc", |b| {
        b.iter(|| {
            a.press("enter");
            a.draw(&mut term).unwrap();
            a.press("esc");
            a.draw(&mut term).unwrap();
        })
    });
    g.finish();

    let mut g = c.benchmark_group(format!("reports_{}k", large / 1000));
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("coverage_view", |b| {
        b.iter_batched(
            || app(&store),
            |mut a| {
                a.press(": \"coverage\" enter");
                a.draw(&mut term).unwrap();
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(tui, benches);
criterion_main!(tui);
