//! The store against SQLite on the same generated estate.
//!
//! A seeded large estate (100k households, ~300k residents, 1M events by
//! default) is generated once and loaded into both a gridbook store and an
//! SQLite database (WAL, `synchronous=FULL`) whose tables mirror the store's
//! record and index trees and hold the same encoded values. Both are cached
//! under `target/bench-data/` keyed by size and seed. Each operation is then
//! measured on both in the same run, so the figures read as ratios.
//!
//! `GRIDBOOK_BENCH_HOUSEHOLDS` (default 100000) and `GRIDBOOK_BENCH_SEED`
//! (default 7) choose the estate.

// What ships: the app's allocator (see `gridbook::Alloc`).
#[global_allocator]
static ALLOC: gridbook::Alloc = gridbook::ALLOC;

use std::collections::HashMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use gridbook::address::Zone;
use gridbook::codec;
use gridbook::generator::{self, Estate, Spec};
use gridbook::i18n::Lang;
use gridbook::model::*;
use gridbook::ops::{self, Ctx, VisitInput};
use gridbook::report;
use gridbook::store::Store;
use gridbook::zoneview;
use rusqlite::{Connection, OptionalExtension, params};

/// The generated history ends here, so a cached estate is the same estate.
const HISTORY_ENDS: Ts = Ts(1_790_000_000_000);

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Paths {
    store: PathBuf,
    sqlite: PathBuf,
    ready: PathBuf,
}

fn paths(households: u64, seed: u64) -> Paths {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("bench-data")
        .join(format!("store-{households}-{seed}"));
    Paths {
        store: base.join("gridbook"),
        sqlite: base.join("sqlite.db"),
        ready: base.join("ready"),
    }
}

// ---- SQLite: the same records and indexes as tables ------------------------

const SCHEMA: &str = "
    PRAGMA journal_mode = WAL;
    CREATE TABLE areas (id BLOB PRIMARY KEY, parent BLOB NOT NULL, value BLOB NOT NULL) WITHOUT ROWID;
    CREATE TABLE buildings (id BLOB PRIMARY KEY, parent BLOB NOT NULL, value BLOB NOT NULL) WITHOUT ROWID;
    CREATE TABLE households (id BLOB PRIMARY KEY, parent BLOB NOT NULL, value BLOB NOT NULL) WITHOUT ROWID;
    CREATE TABLE residents (id BLOB PRIMARY KEY, parent BLOB NOT NULL, value BLOB NOT NULL) WITHOUT ROWID;
    CREATE TABLE members (id BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
    CREATE TABLE events (id BLOB PRIMARY KEY, zone BLOB NOT NULL, value BLOB NOT NULL) WITHOUT ROWID;
    CREATE TABLE timeline (zone BLOB NOT NULL, event BLOB NOT NULL, PRIMARY KEY (zone, event)) WITHOUT ROWID;
    CREATE TABLE assignments (zone BLOB NOT NULL, event BLOB NOT NULL, until INTEGER, PRIMARY KEY (zone, event)) WITHOUT ROWID;
    CREATE TABLE open_by_zone (zone BLOB NOT NULL, problem BLOB NOT NULL, PRIMARY KEY (zone, problem)) WITHOUT ROWID;
    CREATE TABLE patrols (zone BLOB NOT NULL, kind INTEGER NOT NULL, at INTEGER NOT NULL, event BLOB NOT NULL,
                          PRIMARY KEY (zone, kind, at, event)) WITHOUT ROWID;
    CREATE TABLE visits (household BLOB NOT NULL, at INTEGER NOT NULL, event BLOB NOT NULL, member BLOB NOT NULL,
                         PRIMARY KEY (household, at, event)) WITHOUT ROWID;
";

/// The children lookups the store answers from its `parent ++ child` index.
const INDEXES: &str = "
    CREATE INDEX IF NOT EXISTS buildings_parent ON buildings (parent, id);
    CREATE INDEX IF NOT EXISTS households_parent ON households (parent, id);
    CREATE INDEX IF NOT EXISTS residents_parent ON residents (parent, id);
    ANALYZE;
";

fn b(id: Id) -> [u8; 16] {
    id.to_bytes()
}

fn id_of(v: Vec<u8>) -> Id {
    Id::from_slice(&v).expect("16-byte id")
}

fn sqlite_open(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
        .unwrap();
    conn
}

/// The zone and its ancestors, innermost first, from the estate in memory.
struct Ancestry {
    parent: HashMap<Id, Id>,
}

impl Ancestry {
    fn of(&self, zone: Id) -> Vec<Id> {
        let mut out = vec![zone];
        let mut cur = zone;
        while let Some(p) = self.parent.get(&cur) {
            out.push(*p);
            cur = *p;
        }
        out
    }
}

fn sqlite_load(path: &Path, est: &Estate) {
    let _ = std::fs::remove_file(path);
    let mut conn = Connection::open(path).unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    // Loading is not measured; the store's loader also flushes only at the end.
    conn.execute_batch("PRAGMA synchronous = OFF;").unwrap();
    let tx = conn.transaction().unwrap();
    {
        let put = |table: &str, id: Id, parent: Id, value: Vec<u8>| {
            tx.prepare_cached(&format!("INSERT INTO {table} VALUES (?1, ?2, ?3)"))
                .unwrap()
                .execute(params![b(id), b(parent), value])
                .unwrap();
        };
        for a in &est.areas {
            put("areas", a.meta.id, Id::ROOT, codec::encode(a).unwrap());
        }
        for x in &est.buildings {
            put("buildings", x.meta.id, x.area, codec::encode(x).unwrap());
        }
        for h in &est.households {
            put(
                "households",
                h.meta.id,
                h.building,
                codec::encode(h).unwrap(),
            );
        }
        for r in &est.residents {
            put(
                "residents",
                r.meta.id,
                r.household,
                codec::encode(r).unwrap(),
            );
        }
    }
    for m in &est.members {
        tx.prepare_cached("INSERT INTO members VALUES (?1, ?2)")
            .unwrap()
            .execute(params![b(m.meta.id), codec::encode(m).unwrap()])
            .unwrap();
    }
    let anc = ancestry_of(est);
    for e in est.events() {
        sqlite_stage_event(&tx, &anc, &e);
    }
    tx.commit().unwrap();
    conn.execute_batch(INDEXES).unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
}

fn ancestry_of(est: &Estate) -> Ancestry {
    let mut parent = HashMap::new();
    for x in &est.buildings {
        parent.insert(x.meta.id, x.area);
    }
    for h in &est.households {
        parent.insert(h.meta.id, h.building);
    }
    Ancestry { parent }
}

/// The rows one event implies: the same entries the store's index trees get.
fn sqlite_stage_event(tx: &Connection, anc: &Ancestry, e: &Event) {
    let zones = anc.of(e.zone);
    tx.prepare_cached("INSERT INTO events VALUES (?1, ?2, ?3)")
        .unwrap()
        .execute(params![b(e.id), b(e.zone), codec::encode(e).unwrap()])
        .unwrap();
    let mut tl = tx
        .prepare_cached("INSERT INTO timeline VALUES (?1, ?2)")
        .unwrap();
    for z in &zones {
        tl.execute(params![b(*z), b(e.id)]).unwrap();
    }
    match &e.body {
        EventBody::Assigned { .. } => {
            tx.prepare_cached("INSERT INTO assignments VALUES (?1, ?2, NULL)")
                .unwrap()
                .execute(params![b(e.zone), b(e.id)])
                .unwrap();
        }
        EventBody::AssignmentEnded { assignment, until } => {
            tx.prepare_cached("UPDATE assignments SET until = ?3 WHERE zone = ?1 AND event = ?2")
                .unwrap()
                .execute(params![b(e.zone), b(*assignment), until.0])
                .unwrap();
        }
        EventBody::Visit(VisitBody {
            household, member, ..
        }) => {
            tx.prepare_cached("INSERT INTO visits VALUES (?1, ?2, ?3, ?4)")
                .unwrap()
                .execute(params![b(*household), e.at.0, b(e.id), b(*member)])
                .unwrap();
        }
        EventBody::Patrol(PatrolBody { kind, .. }) => {
            tx.prepare_cached("INSERT INTO patrols VALUES (?1, ?2, ?3, ?4)")
                .unwrap()
                .execute(params![b(e.zone), kind.byte(), e.at.0, b(e.id)])
                .unwrap();
        }
        EventBody::ProblemOpened(_) => {
            let mut st = tx
                .prepare_cached("INSERT OR REPLACE INTO open_by_zone VALUES (?1, ?2)")
                .unwrap();
            for z in &zones {
                st.execute(params![b(*z), b(e.id)]).unwrap();
            }
        }
        EventBody::ProblemStepped(ProblemSteppedBody { problem, step, .. }) => match step {
            ProblemStep::Resolved => {
                let mut st = tx
                    .prepare_cached("DELETE FROM open_by_zone WHERE zone = ?1 AND problem = ?2")
                    .unwrap();
                for z in &zones {
                    st.execute(params![b(*z), b(*problem)]).unwrap();
                }
            }
            ProblemStep::Reopened => {
                let mut st = tx
                    .prepare_cached("INSERT OR REPLACE INTO open_by_zone VALUES (?1, ?2)")
                    .unwrap();
                for z in &zones {
                    st.execute(params![b(*z), b(*problem)]).unwrap();
                }
            }
            _ => {}
        },
        _ => {}
    }
}

fn sqlite_event(conn: &Connection, id: Id) -> Option<Event> {
    conn.prepare_cached("SELECT value FROM events WHERE id = ?1")
        .unwrap()
        .query_row(params![b(id)], |r| r.get::<_, Vec<u8>>(0))
        .optional()
        .unwrap()
        .map(|v| codec::decode(&v).unwrap())
}

fn sqlite_record<R: serde::de::DeserializeOwned>(
    conn: &Connection,
    table: &str,
    id: Id,
) -> Option<R> {
    conn.prepare_cached(&format!("SELECT value FROM {table} WHERE id = ?1"))
        .unwrap()
        .query_row(params![b(id)], |r| r.get::<_, Vec<u8>>(0))
        .optional()
        .unwrap()
        .map(|v| codec::decode(&v).unwrap())
}

fn sqlite_parent(conn: &Connection, table: &str, id: Id) -> Option<Id> {
    conn.prepare_cached(&format!("SELECT parent FROM {table} WHERE id = ?1"))
        .unwrap()
        .query_row(params![b(id)], |r| r.get::<_, Vec<u8>>(0))
        .optional()
        .unwrap()
        .map(id_of)
}

fn sqlite_timeline(conn: &Connection, zone: Id, limit: usize) -> Vec<Event> {
    let mut st = conn
        .prepare_cached(
            "SELECT e.value FROM timeline t JOIN events e ON e.id = t.event
             WHERE t.zone = ?1 ORDER BY t.event DESC LIMIT ?2",
        )
        .unwrap();
    st.query_map(params![b(zone), limit as i64], |r| r.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|v| codec::decode(&v.unwrap()).unwrap())
        .collect()
}

// ---- "show" as reads: the same lookups on both ----------------------------

/// What showing a household reads: the record and its ancestry, the
/// assignments on each level with their members, residents, the last visit,
/// open problems, and the recent timeline with the writers' names.
#[derive(Default)]
struct Shown {
    residents: usize,
    covers: usize,
    problems: usize,
    recent: usize,
    names: usize,
}

const RECENT: usize = 10;

fn show_store(store: &Store, hh: Id, now: Ts) -> Shown {
    let mut s = Shown::default();
    let h = store.household(hh).unwrap().unwrap();
    for (_, z) in store.ancestry(h.meta.id).unwrap() {
        for a in store.assignments_of(z).unwrap() {
            if a.active_at(now) && store.member(a.member).unwrap().is_some() {
                s.covers += 1;
            }
        }
    }
    s.residents = store.residents_of(hh).unwrap().len();
    if let Some((_, v)) = store.last_visit(hh).unwrap()
        && let Some(Event {
            body: EventBody::Visit(VisitBody { member, .. }),
            ..
        }) = store.event(v).unwrap()
        && store.member(member).unwrap().is_some()
    {
        s.names += 1;
    }
    for p in store.open_problems_in(hh).unwrap() {
        s.problems += usize::from(store.event(p).unwrap().is_some());
    }
    for e in store.timeline(hh, RECENT).unwrap() {
        s.recent += 1;
        if let Some(by) = e.by {
            s.names += usize::from(store.member(by).unwrap().is_some());
        }
    }
    s
}

fn show_sqlite(conn: &Connection, hh: Id, now: Ts) -> Shown {
    let mut s = Shown::default();
    let h: Household = sqlite_record(conn, "households", hh).unwrap();
    let building = sqlite_parent(conn, "households", h.meta.id).unwrap();
    let area = sqlite_parent(conn, "buildings", building).unwrap();
    let _: Building = sqlite_record(conn, "buildings", building).unwrap();
    let _: Area = sqlite_record(conn, "areas", area).unwrap();
    for z in [hh, building, area] {
        let rows: Vec<(Vec<u8>, Option<i64>)> = conn
            .prepare_cached("SELECT event, until FROM assignments WHERE zone = ?1 ORDER BY event")
            .unwrap()
            .query_map(params![b(z)], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for (event, until) in rows {
            let e = sqlite_event(conn, id_of(event)).unwrap();
            if let EventBody::Assigned { member, since, .. } = e.body
                && since <= now
                && until.is_none_or(|u| u > now.0)
                && sqlite_record::<Member>(conn, "members", member).is_some()
            {
                s.covers += 1;
            }
        }
    }
    let residents: Vec<Resident> = conn
        .prepare_cached("SELECT value FROM residents WHERE parent = ?1 ORDER BY id")
        .unwrap()
        .query_map(params![b(hh)], |r| r.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|v| codec::decode(&v.unwrap()).unwrap())
        .collect();
    s.residents = residents.len();
    let last: Option<Vec<u8>> = conn
        .prepare_cached(
            "SELECT event FROM visits WHERE household = ?1 ORDER BY at DESC, event DESC LIMIT 1",
        )
        .unwrap()
        .query_row(params![b(hh)], |r| r.get(0))
        .optional()
        .unwrap();
    if let Some(v) = last
        && let Some(Event {
            body: EventBody::Visit(VisitBody { member, .. }),
            ..
        }) = sqlite_event(conn, id_of(v))
        && sqlite_record::<Member>(conn, "members", member).is_some()
    {
        s.names += 1;
    }
    let problems: Vec<Vec<u8>> = conn
        .prepare_cached("SELECT problem FROM open_by_zone WHERE zone = ?1 ORDER BY problem")
        .unwrap()
        .query_map(params![b(hh)], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for p in problems {
        s.problems += usize::from(sqlite_event(conn, id_of(p)).is_some());
    }
    for e in sqlite_timeline(conn, hh, RECENT) {
        s.recent += 1;
        if let Some(by) = e.by {
            s.names += usize::from(sqlite_record::<Member>(conn, "members", by).is_some());
        }
    }
    s
}

// ---- appending a visit -------------------------------------------------------

fn visit_sqlite(conn: &mut Connection, hh: Id, member: Id, now: Ts) -> Id {
    let tx = conn.transaction().unwrap();
    // The same checks the store's operation makes before writing.
    let building = sqlite_parent(&tx, "households", hh).expect("a household");
    let area = sqlite_parent(&tx, "buildings", building).unwrap();
    let m: Member = sqlite_record(&tx, "members", member).expect("a member");
    assert!(m.meta.is_live());
    let e = Event::new(
        hh,
        now,
        None,
        EventBody::Visit(VisitBody {
            household: hh,
            member,
            purpose: "routine".into(),
            note: "家中一切正常".into(),
            follow_up: None,
        }),
    );
    let anc = Ancestry {
        parent: HashMap::from([(hh, building), (building, area)]),
    };
    sqlite_stage_event(&tx, &anc, &e);
    tx.commit().unwrap();
    e.id
}

// ---- the benchmarks ------------------------------------------------------------

struct Subjects {
    area: Id,
    building: Id,
    household: Id,
    member: Id,
    /// Appends go to another area, so the zones read above keep the same
    /// timelines from run to run on both sides.
    append_to: Id,
}

/// A household with residents, coverage and some history, found the same way
/// whether the estate was just generated or cached.
fn subjects(store: &Store) -> Subjects {
    let area = store.areas().unwrap()[0].meta.id;
    let buildings = store.buildings_of(area).unwrap();
    let building = buildings[0].meta.id;
    let households = store.households_of(building).unwrap();
    let household = households
        .iter()
        .map(|h| h.meta.id)
        .max_by_key(|h| store.timeline(*h, 100).unwrap().len())
        .unwrap();
    let member = store.members().unwrap()[0].meta.id;
    let areas = store.areas().unwrap();
    let last = areas.last().unwrap().meta.id;
    assert!(areas.len() > 1, "appends need an area of their own");
    let b = store.buildings_of(last).unwrap()[0].meta.id;
    let append_to = store.households_of(b).unwrap()[0].meta.id;
    Subjects {
        area,
        building,
        household,
        member,
        append_to,
    }
}

fn prepare(households: u64, seed: u64) -> Paths {
    let p = paths(households, seed);
    if p.ready.exists() {
        eprintln!(
            "using the cached estate in {}",
            p.ready.parent().unwrap().display()
        );
        // Caches from before an index was added get it now.
        Connection::open(&p.sqlite)
            .unwrap()
            .execute_batch(INDEXES)
            .unwrap();
        return p;
    }
    let _ = std::fs::remove_dir_all(p.ready.parent().unwrap());
    std::fs::create_dir_all(p.ready.parent().unwrap()).unwrap();
    let n = households as usize;
    let t = Instant::now();
    let est = generator::generate(&Spec::large(n, seed, n * 10, HISTORY_ENDS));
    let generated = t.elapsed();
    let t = Instant::now();
    {
        // As `gridbook gen` loads: beside the store, in key order, swapped in.
        let lock = Store::lock(&p.store).unwrap();
        let lock =
            gridbook_store::swap::replace_bulk(&p.store, lock, &generator::IN_KEY_ORDER, |s| {
                generator::load(s, &est)
            })
            .unwrap();
        drop(lock);
    }
    let loaded = t.elapsed();
    let t = Instant::now();
    sqlite_load(&p.sqlite, &est);
    let sqlite = t.elapsed();
    let note = format!(
        "{} households, {} residents, {} members, {} events: generated in {generated:.1?}, \
         loaded into gridbook in {loaded:.1?}, into SQLite in {sqlite:.1?}\n",
        est.households.len(),
        est.residents.len(),
        est.members.len(),
        est.event_count()
    );
    eprint!("{note}");
    std::fs::write(&p.ready, note).unwrap();
    p
}

fn store_vs_sqlite(c: &mut Criterion) {
    let households = env_or("GRIDBOOK_BENCH_HOUSEHOLDS", 100_000);
    let seed = env_or("GRIDBOOK_BENCH_SEED", 7);
    let p = prepare(households, seed);

    {
        let mut g = c.benchmark_group("open");
        g.sample_size(10);
        g.bench_function("gridbook", |bn| {
            bn.iter(|| drop(black_box(Store::open(&p.store).unwrap())))
        });
        g.bench_function("sqlite", |bn| {
            bn.iter(|| {
                let conn = sqlite_open(&p.sqlite);
                // SQLite reads its schema lazily; make it do so, as a first query would.
                let n: i64 = conn
                    .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
                    .unwrap();
                black_box(n);
            })
        });
        g.finish();
    }

    let store = Store::open(&p.store).unwrap();
    let mut conn = sqlite_open(&p.sqlite);
    let s = subjects(&store);
    let now = Ts::now();

    // Both sides must read the same thing, or the comparison means nothing.
    let (a, q) = (
        show_store(&store, s.household, now),
        show_sqlite(&conn, s.household, now),
    );
    assert_eq!(
        (a.residents, a.covers, a.problems, a.recent, a.names),
        (q.residents, q.covers, q.problems, q.recent, q.names),
        "gridbook and SQLite disagree about the household"
    );
    for z in [s.area, s.building, s.household] {
        let x: Vec<Id> = store
            .timeline(z, 50)
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        let y: Vec<Id> = sqlite_timeline(&conn, z, 50).iter().map(|e| e.id).collect();
        assert_eq!(x, y, "timelines differ");
    }

    {
        let mut g = c.benchmark_group("show household");
        let zone = {
            let h = store.household(s.household).unwrap().unwrap();
            let b = store.building(h.building).unwrap().unwrap();
            let a = store.area(b.area).unwrap().unwrap();
            Zone::Household(a, b, h)
        };
        g.bench_function("gridbook zoneview::build", |bn| {
            bn.iter(|| black_box(zoneview::build(&store, &zone, now, Lang::Zh, RECENT).unwrap()))
        });
        g.bench_function("gridbook reads", |bn| {
            bn.iter(|| black_box(show_store(&store, s.household, now)))
        });
        g.bench_function("sqlite reads", |bn| {
            bn.iter(|| black_box(show_sqlite(&conn, s.household, now)))
        });
        g.finish();
    }

    for (what, zone) in [
        ("area", s.area),
        ("building", s.building),
        ("household", s.household),
    ] {
        let mut g = c.benchmark_group(format!("timeline {what} 50"));
        g.bench_function("gridbook", |bn| {
            bn.iter(|| black_box(store.timeline(zone, 50).unwrap()))
        });
        g.bench_function("sqlite", |bn| {
            bn.iter(|| black_box(sqlite_timeline(&conn, zone, 50)))
        });
        g.finish();
    }

    {
        // The whole-estate coverage report (no blank spots): gridbook's
        // `report::coverage` against the same figures computed from SQLite.
        let days = 90;
        let ours = CovFigures::of(
            &report::coverage(&store, now, days, None, gridbook::vocab::care::shipped()).unwrap(),
        );
        let theirs = coverage_sqlite(&conn, now, days);
        assert_eq!(ours, theirs, "gridbook and SQLite disagree about coverage");
        eprintln!("coverage: {ours:?}");
        let mut g = c.benchmark_group("coverage report 90d");
        g.sample_size(10);
        g.bench_function("gridbook", |bn| {
            bn.iter(|| {
                black_box(
                    report::coverage(&store, now, days, None, gridbook::vocab::care::shipped())
                        .unwrap(),
                )
            })
        });
        g.bench_function("sqlite", |bn| {
            bn.iter(|| black_box(coverage_sqlite(&conn, now, days)))
        });
        g.finish();
    }

    {
        let mut g = c.benchmark_group("append visit + flush");
        let ctx = Ctx { by: None, now };
        let input = VisitInput {
            household: s.append_to,
            member: s.member,
            at: now,
            purpose: "routine".into(),
            note: "家中一切正常".into(),
            follow_up: None,
        };
        // `commit` ends with sled's flush and an fdatasync of its log.
        g.bench_function("gridbook", |bn| {
            bn.iter(|| black_box(ops::log_visit(&store, ctx, &input).unwrap()))
        });
        g.bench_function("sqlite", |bn| {
            bn.iter(|| black_box(visit_sqlite(&mut conn, s.append_to, s.member, now)))
        });
        // The floor under both rows: the smallest durable commit each side
        // can make, one small key in its own transaction, flushed and synced
        // as above (gridbook through the store's raw access for tests: the
        // engine's transaction, sled's flush, the fdatasync and the seal).
        let raw = store.raw_for_tests();
        let mut n = 0u64;
        g.bench_function("gridbook, one key", |bn| {
            bn.iter(|| {
                n += 1;
                raw.insert("meta", b"bench.floor", &n.to_be_bytes())
            })
        });
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS bench_floor (k INTEGER PRIMARY KEY, v BLOB NOT NULL)",
        )
        .unwrap();
        g.bench_function("sqlite, one row", |bn| {
            bn.iter(|| {
                n += 1;
                conn.execute(
                    "INSERT OR REPLACE INTO bench_floor VALUES (1, ?1)",
                    [n.to_be_bytes().to_vec()],
                )
                .unwrap()
            })
        });
        g.finish();
    }
}

/// The figures both sides must agree on.
#[derive(Debug, PartialEq, Eq)]
struct CovFigures {
    households: usize,
    visited: usize,
    uncovered_zones: usize,
    uncovered_households: usize,
    hygiene_patrolled: usize,
    security_patrolled: usize,
    not_visited: usize,
}

impl CovFigures {
    fn of(c: &report::Coverage) -> CovFigures {
        CovFigures {
            households: c.households,
            visited: c.households_visited,
            uncovered_zones: c.uncovered.len(),
            uncovered_households: c.households_uncovered,
            hygiene_patrolled: c.buildings_hygiene_patrolled,
            security_patrolled: c.buildings_security_patrolled,
            not_visited: c.not_visited.len(),
        }
    }
}

/// Coverage the way an SQLite application would compute it: aggregate
/// queries for the last visit and patrol, the live responsible assignments
/// decoded like the store decodes them, and the hierarchy from the tables.
fn coverage_sqlite(conn: &Connection, now: Ts, days: i64) -> CovFigures {
    let since = now.0 - days * 86_400_000;
    let mut responsible: HashMap<Id, (Ts, Id)> = HashMap::new();
    let mut q = conn
        .prepare_cached(
            "SELECT a.zone, a.until, e.value FROM assignments a JOIN events e ON e.id = a.event",
        )
        .unwrap();
    let rows = q
        .query_map([], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (zone, until, value) = row.unwrap();
        let e: Event = codec::decode(&value).unwrap();
        if let EventBody::Assigned {
            member,
            role: Role::Responsible,
            since: from,
            until: planned,
        } = e.body
        {
            let until = until.map(Ts).or(planned);
            let active = from <= now && until.is_none_or(|u| u > now);
            let zone = id_of(zone);
            if active && responsible.get(&zone).is_none_or(|(s, _)| *s < from) {
                responsible.insert(zone, (from, member));
            }
        }
    }
    let mut live: HashMap<Id, bool> = HashMap::new();
    let mut covered = |zone: Id| -> bool {
        let Some((_, m)) = responsible.get(&zone) else {
            return false;
        };
        *live.entry(*m).or_insert_with(|| {
            sqlite_record::<Member>(conn, "members", *m).is_some_and(|m| m.meta.is_live())
        })
    };
    let mut last_visit: HashMap<Id, i64> = HashMap::new();
    let mut q = conn
        .prepare_cached("SELECT household, MAX(at) FROM visits GROUP BY household")
        .unwrap();
    for row in q
        .query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?)))
        .unwrap()
    {
        let (h, at) = row.unwrap();
        last_visit.insert(id_of(h), at);
    }
    let mut patrolled: std::collections::HashSet<(Id, u8)> = Default::default();
    let mut q = conn
        .prepare_cached("SELECT DISTINCT zone, kind FROM patrols WHERE at >= ?1")
        .unwrap();
    for row in q
        .query_map([since], |r| {
            Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, u8>(1)?))
        })
        .unwrap()
    {
        let (z, k) = row.unwrap();
        patrolled.insert((id_of(z), k));
    }
    let decode_all = |sql: &str| -> Vec<(Id, Id, Vec<u8>)> {
        let mut q = conn.prepare_cached(sql).unwrap();
        q.query_map([], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })
        .unwrap()
        .map(|row| {
            let (a, b, v) = row.unwrap();
            (id_of(a), id_of(b), v)
        })
        .collect()
    };
    let mut f = CovFigures {
        households: 0,
        visited: 0,
        uncovered_zones: 0,
        uncovered_households: 0,
        hygiene_patrolled: 0,
        security_patrolled: 0,
        not_visited: 0,
    };
    let mut area_covered: HashMap<Id, bool> = HashMap::new();
    for (id, _, value) in decode_all("SELECT id, parent, value FROM areas") {
        let a: Area = codec::decode(&value).unwrap();
        if a.meta.is_live() {
            let c = covered(id);
            f.uncovered_zones += usize::from(!c);
            area_covered.insert(id, c);
        }
    }
    let mut building_covered: HashMap<Id, bool> = HashMap::new();
    for (id, area, value) in decode_all("SELECT id, parent, value FROM buildings") {
        let b: Building = codec::decode(&value).unwrap();
        let Some(a_cov) = area_covered.get(&area).copied() else {
            continue;
        };
        if !b.meta.is_live() {
            continue;
        }
        let c = covered(id) || a_cov;
        f.uncovered_zones += usize::from(!c);
        building_covered.insert(id, c);
        let hyg = patrolled.contains(&(id, 1)) || patrolled.contains(&(area, 1));
        let sec = patrolled.contains(&(id, 2)) || patrolled.contains(&(area, 2));
        f.hygiene_patrolled += usize::from(hyg);
        f.security_patrolled += usize::from(sec);
    }
    for (id, building, value) in decode_all("SELECT id, parent, value FROM households") {
        let h: Household = codec::decode(&value).unwrap();
        let Some(b_cov) = building_covered.get(&building).copied() else {
            continue;
        };
        if !h.meta.is_live() {
            continue;
        }
        f.households += 1;
        if !b_cov && !covered(id) {
            f.uncovered_households += 1;
        }
        if last_visit.get(&id).is_some_and(|at| *at >= since) {
            f.visited += 1;
        } else {
            f.not_visited += 1;
        }
    }
    f
}

fn config() -> Criterion {
    // Two shared cores: few samples, short windows; the run stays within minutes.
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = store_vs_sqlite
}
criterion_main!(benches);
