//! TUI speed on generated estates: the first frame on a 1k- and a
//! 100k-household store (startup must not grow with the data), and
//! keystroke-to-frame at 100k on every screen (goal: under 16 ms for every
//! key the UI thread handles itself).
//!
//! Screens whose data is a report (today, members, problems, coverage, a
//! zone's timeline, a member's zones, a problem's history) load on the job
//! runner. They are measured twice where it matters:
//! - with jobs run inline, key → the frame *with the data*: what a user
//!   waits for to see the report;
//! - for coverage, also with the background worker, key → the first frame
//!   (which says "loading"): how long the UI thread is busy, i.e. whether
//!   keys stay responsive while the report is computed.
//!
//! Stores are generated once (seed 7) and cached under `target/bench-data/`.
//! `GRIDBOOK_BENCH_HOUSEHOLDS` replaces the large size (default 100000).

// What ships: the app's allocator (see `gridbook::Alloc`).
#[global_allocator]
static ALLOC: gridbook::Alloc = gridbook::ALLOC;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use gridbook::checklist::Checklists;
use gridbook::config::Config;
use gridbook::generator::{self, Spec};
use gridbook::i18n::Lang;
use gridbook::model::Ts;
use gridbook::store::Store;
use gridbook::tui::App;
use gridbook::tui::jobs::{Runner, Worker};
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

/// Each step's keys, then a frame: one iteration goes there and back, so
/// the app is where it started for the next one.
fn keys_then_frames(
    g: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    a: &mut App,
    term: &mut Terminal<TestBackend>,
    steps: &[&str],
) {
    g.bench_function(name, |b| {
        b.iter(|| {
            for keys in steps {
                a.press(keys);
                a.draw(term).unwrap();
            }
        })
    });
}

/// Waits for the running job, then returns to the browser.
fn settle(a: &mut App) {
    while a.state.loading.is_some() {
        a.poll_jobs().unwrap();
        std::thread::sleep(Duration::from_millis(1));
    }
    if matches!(a.state.view, gridbook::tui::state::View::Report(_)) {
        a.press("esc");
    }
}

fn benches(c: &mut Criterion) {
    let large: usize = std::env::var("GRIDBOOK_BENCH_HOUSEHOLDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let size = if large >= 1000 {
        format!("{}k", large / 1000)
    } else {
        large.to_string()
    };
    let small_dir = cached_store(1_000);
    let large_dir = cached_store(large);
    gridbook::clock::pin(HISTORY_ENDS, jiff::tz::TimeZone::fixed(jiff::tz::offset(8)));

    let mut g = c.benchmark_group("first_frame");
    g.sample_size(20).measurement_time(Duration::from_secs(8));
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    g.bench_function("1k_households", |b| {
        b.iter(|| first_frame(&small_dir, &mut term))
    });
    // At 1k (a quick run) both sizes are the same store.
    if large != 1_000 {
        g.bench_function(format!("{size}_households"), |b| {
            b.iter(|| first_frame(&large_dir, &mut term))
        });
    }
    g.finish();

    let store = Store::open(&large_dir).unwrap();

    // The browser: every level, and the overlays the UI thread draws itself.
    let mut g = c.benchmark_group(format!("keystroke_to_frame_{size}"));
    g.sample_size(30).measurement_time(Duration::from_secs(6));
    let mut a = app(&store);
    a.start();
    // What the UI thread does for a key: slow work (the side pane's chart,
    // reports) goes to the background worker in the app, so here it is
    // held, never run; `report_screens` below times the jobs themselves.
    a.jobs = gridbook::tui::jobs::Runner::Deferred(Default::default());
    keys_then_frames(&mut g, "areas_j_k", &mut a, &mut term, &["j", "k"]);
    // Into an area and back to the areas list, which `enter` kept. The
    // buildings' "not visited" counts (a read per household of the area)
    // are a job the worker runs after the frame; `report_screens` below
    // times the key with that job inline.
    keys_then_frames(
        &mut g,
        "enter_area_then_esc",
        &mut a,
        &mut term,
        &["enter", "esc"],
    );
    a.press("enter");
    // Moving in the buildings of an area: the side pane follows the selection.
    keys_then_frames(&mut g, "buildings_j", &mut a, &mut term, &["j"]);
    // Drilling into a building's households and back out.
    keys_then_frames(
        &mut g,
        "enter_households_then_esc",
        &mut a,
        &mut term,
        &["enter", "esc"],
    );
    a.press("enter");
    keys_then_frames(&mut g, "households_j_k", &mut a, &mut term, &["j", "k"]);
    // Opening a household.
    keys_then_frames(
        &mut g,
        "enter_household_then_esc",
        &mut a,
        &mut term,
        &["enter", "esc"],
    );
    keys_then_frames(&mut g, "help_then_esc", &mut a, &mut term, &["?", "esc"]);
    keys_then_frames(
        &mut g,
        "prefix_popup_g_then_esc",
        &mut a,
        &mut term,
        &["g", "esc"],
    );
    keys_then_frames(
        &mut g,
        "command_line_cov_tab_then_esc",
        &mut a,
        &mut term,
        &[":", "c", "o", "v", "tab", "esc"],
    );
    // Quick lookup with its index built (it is built off the UI thread at
    // start): `/`, two letters of initials, close; four frames.
    a.finder.build_now(&store);
    keys_then_frames(
        &mut g,
        "lookup_slash_z_s_esc",
        &mut a,
        &mut term,
        &["/", "\"z\"", "\"s\"", "esc"],
    );
    g.finish();

    // Report screens: key → the frame with the data (jobs inline), then back.
    let mut g = c.benchmark_group(format!("report_screens_{size}"));
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    let mut a = app(&store);
    a.start();
    // The side pane's chart of an area, inline: the job the worker runs
    // after `j`/`k` in the areas list (its answer fills the pane).
    keys_then_frames(
        &mut g,
        "areas_j_k_with_zone_charts",
        &mut a,
        &mut term,
        &["j", "k"],
    );
    // The job behind an area's buildings' "not visited" column, alone:
    // what `enter` into an area cost on the UI thread when the list
    // counted them itself (`enter_area_then_esc` plus this).
    a.press("enter");
    let counts = match &a.state.view {
        gridbook::tui::state::View::Browse(b) => match b.level {
            gridbook::tui::state::Level::Buildings(area) => {
                Some(gridbook::tui::jobs::Job::NotVisited {
                    area,
                    buildings: b.rows.iter().map(|r| r.id).collect(),
                })
            }
            _ => None,
        },
        _ => None,
    };
    if let Some(job) = counts {
        let shipped = gridbook::tui::world::Shipped::default();
        let w = shipped.world(&store, Lang::Zh);
        g.bench_function("not_visited_counts_of_an_area_job", |b| {
            b.iter(|| black_box(job.run(&w)))
        });
    }
    for (name, steps) in [
        ("today_g_t_then_esc", &["g t", "esc"][..]),
        ("members_g_m_then_esc", &["g m", "esc"][..]),
        ("problems_g_p_then_esc", &["g p", "esc"][..]),
        ("coverage_g_c_then_esc", &["g c", "esc"][..]),
        // A building's timeline (tab flips to it and back).
        ("timeline_tab_then_tab", &["tab", "tab"][..]),
        // From the members, one member's zones: includes the members report.
        (
            "member_zones_g_m_enter_then_esc",
            &["g m", "enter", "esc"][..],
        ),
        // From the open problems, one problem's history: includes that report.
        (
            "problem_history_g_p_enter_then_esc",
            &["g p", "enter", "esc"][..],
        ),
    ] {
        keys_then_frames(&mut g, name, &mut a, &mut term, steps);
    }
    g.finish();

    // The UI thread's share of a report with the background worker: the key
    // and the first frame, which says "loading"; the report is computed on
    // the worker meanwhile.
    let mut g = c.benchmark_group(format!("ui_thread_while_loading_{size}"));
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    std::thread::scope(|scope| {
        let mut a = app(&store);
        a.start();
        a.press("enter");
        a.jobs = Runner::Worker(Worker::spawn(
            scope,
            &store,
            Config::default(),
            Checklists::shipped(),
            gridbook::tui::world::Lists::shipped(),
        ));
        // Each run starts on the browser with no job running, so runs do
        // not overlap; only the keys and the frame after them are timed.
        let mut timed = |b: &mut criterion::Bencher, before: &str, keys: &str| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    settle(&mut a);
                    a.press(before);
                    let t = Instant::now();
                    a.press(keys);
                    a.draw(&mut term).unwrap();
                    total += t.elapsed();
                }
                total
            })
        };
        // Every report screen: the key and the first frame, before its data.
        for (name, keys) in [
            ("today_g_t_to_loading_frame", "g t"),
            ("members_g_m_to_loading_frame", "g m"),
            ("problems_g_p_to_loading_frame", "g p"),
            ("coverage_g_c_to_loading_frame", "g c"),
            ("timeline_tab_to_loading_frame", "tab"),
        ] {
            g.bench_function(name, |b| timed(b, "", keys));
        }
        // Moving in the list while the coverage report is computed.
        g.bench_function("j_while_coverage_loads", |b| timed(b, "g c", "j"));
        settle(&mut a);
        a.jobs = Runner::Inline;
    });
    g.finish();

    // The building plan of a 33-floor, 6-unit building (396 doors): drawing
    // one frame of it, moving door to door, and opening it (its load reads
    // only that building's households, so the estate around it does not
    // change it; the building is in a store of its own, kept apart from
    // the cached estates).
    let plan_dir = tall_building_store();
    let plan_store = Store::open(&plan_dir).unwrap();
    let mut g = c.benchmark_group("plan_33_floors_6_units");
    g.sample_size(30).measurement_time(Duration::from_secs(6));
    for (w, h) in [(80, 24), (120, 40)] {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        let mut a = app(&plan_store);
        a.resize(w, h);
        a.start();
        a.press("enter b");
        assert!(matches!(a.state.view, gridbook::tui::state::View::Plan(_)));
        g.bench_function(format!("draw_{w}x{h}"), |b| {
            b.iter(|| {
                a.draw(&mut term).unwrap();
                black_box(term.backend().buffer().area);
            })
        });
        // Across units (scrolling at 80 columns) and down a floor, and back.
        keys_then_frames(
            &mut g,
            &format!("l_l_l_j_then_back_{w}x{h}"),
            &mut a,
            &mut term,
            &["l", "l", "l", "j", "k", "h", "h", "h"],
        );
        keys_then_frames(
            &mut g,
            &format!("open_b_then_esc_{w}x{h}"),
            &mut a,
            &mut term,
            &["esc", "b"],
        );
    }
    g.finish();
}

/// A store holding one building of 6 units × 33 floors × 2 doors, each
/// door with a head, a few visited, cached like the estates.
fn tall_building_store() -> PathBuf {
    use gridbook::ops::{self, Ctx, ResidentInput, VisitInput};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("bench-data")
        .join("tui-plan-33x6");
    let ready = dir.join("ready");
    if ready.exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let store = Store::open(&dir).expect("open bench store");
    let ctx = Ctx {
        by: None,
        now: Ts(HISTORY_ENDS.0 - 100 * gridbook::model::DAY_MS),
    };
    let area = ops::add_area(&store, ctx, "胜利花苑", "slhy")
        .unwrap()
        .meta
        .id;
    let b = ops::add_building(&store, ctx, area, "12栋", "12")
        .unwrap()
        .meta
        .id;
    let m = ops::add_member(
        &store,
        ctx,
        "朱杰",
        "13800000001",
        gridbook::model::MemberKind::GridWorker,
        "",
    )
    .unwrap()
    .meta
    .id;
    let names = ["王秀英", "张建国", "李娜", "欧阳明", "赵丽", "司马光"];
    for unit in 1..=6 {
        for floor in 1..=33 {
            for door in 1..=2 {
                let h = ops::add_household(
                    &store,
                    ctx,
                    b,
                    &unit.to_string(),
                    &format!("{floor}{door:02}"),
                    "",
                )
                .unwrap();
                let i = (unit * 67 + floor * 2 + door) as usize;
                ops::add_resident(
                    &store,
                    ctx,
                    h.meta.id,
                    &ResidentInput {
                        name: names[i % names.len()].into(),
                        phones: format!("138{:08}", i),
                        relation: "户主".into(),
                        tags: String::new(),
                        notes: String::new(),
                    },
                )
                .unwrap();
                if i.is_multiple_of(3) {
                    ops::log_visit(
                        &store,
                        Ctx {
                            by: None,
                            now: HISTORY_ENDS,
                        },
                        &VisitInput {
                            household: h.meta.id,
                            member: m,
                            at: Ts(HISTORY_ENDS.0 - 20 * gridbook::model::DAY_MS),
                            purpose: "routine".into(),
                            note: String::new(),
                            follow_up: None,
                        },
                    )
                    .unwrap();
                }
            }
        }
    }
    drop(store);
    std::fs::write(&ready, b"").unwrap();
    dir
}

criterion_group!(tui, benches);
criterion_main!(tui);
