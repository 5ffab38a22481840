//! Fuzzing every parser gridbook reads files and typed text with: the roster
//! CSV, the members CSV, JSON import, the config and checklists TOML, and
//! address strings (issue 11, "Measured, not asserted").
//!
//! Each target runs [`cases`] generated inputs: 256 by default, so that
//! `cargo test` stays fast; `GRIDBOOK_FUZZ_CASES=20000 cargo test --test
//! fuzz_parsers` runs more. Inputs mix arbitrary bytes with near-valid files
//! (real headers, real addresses, cells holding control characters, quotes,
//! line breaks, GB18030 and BOMs), so most cases reach past the first check.
//!
//! What must hold for every input: no panic; an input that is refused leaves
//! the store exactly as it was (its full export compared before and after);
//! a dry run never writes; and a JSON file that is accepted loads into a
//! store that exports the same records and events and checks clean.

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};

use gridbook::config::Config;
use gridbook::export::Dump;
use gridbook::model::*;
use gridbook::ops::{self, Ctx};
use gridbook::store::Store;

/// How many inputs each target runs (`GRIDBOOK_FUZZ_CASES`, default 256).
fn cases() -> u32 {
    std::env::var("GRIDBOOK_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256)
}

/// A deterministic runner, so `cargo test` in CI sees the same cases every
/// time; `GRIDBOOK_FUZZ_RANDOM=1` draws fresh ones (for longer fuzzing runs).
fn runner() -> TestRunner {
    let config = RunnerConfig {
        cases: cases(),
        failure_persistence: None,
        ..RunnerConfig::default()
    };
    if std::env::var_os("GRIDBOOK_FUZZ_RANDOM").is_some() {
        TestRunner::new(config)
    } else {
        let rng = proptest::test_runner::TestRng::deterministic_rng(config.rng_algorithm);
        TestRunner::new_with_rng(config, rng)
    }
}

fn ctx() -> Ctx {
    Ctx {
        by: None,
        now: Ts(1_795_000_000_000),
    }
}

/// A store holding `fixtures/roster/en.csv` (幸福小区 with 3栋 and 5栋).
fn seeded(dir: &Path) -> Store {
    let store = Store::open(dir).unwrap();
    let bytes = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/roster/en.csv"))
        .unwrap();
    let roster = gridbook::roster::parse("en.csv", &bytes).unwrap();
    gridbook::roster::import(&store, ctx(), &roster, false, false).unwrap();
    store
}

/// Everything in the store, in a fixed order.
fn snapshot(store: &Store) -> Dump {
    Dump::from_store(store).unwrap()
}

/// A cell: real values, hostile text, or anything.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "幸福小区", "xfxq", "3栋", "5栋", "3", "2", "501", "2-501", "2单元502室", "101",
            "张伟", "李娜", "新人", "13812345678", "0546-8312345", "+86 139 8765 4321",
            "户主", "配偶", "独居老人;低保", "腿脚不便", "党员", "网格员", "志愿者",
            "幸福小区/3栋", "xfxq/3/2-501", "幸福小区/5栋/1-101", "-1d", "2026-01-01",
            "1960-01-01", "9999-12-31 23:59", "",
        ])
        .prop_map(str::to_string),
        2 => "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{202e}\\u{2028}a-z0-9张伟\"';,/ -]{0,12}",
        1 => any::<String>().prop_map(|s| s.chars().take(40).collect()),
        1 => Just("\u{1b}]52;c;ZXZpbA==\u{7}".to_string()),
        1 => Just("x".repeat(70)),
    ]
}

/// CSV text from a header and rows: written properly (quoted where needed)
/// or joined raw (broken quotes and all), then encoded one of several ways.
fn csv_file(headers: Vec<&'static str>) -> impl Strategy<Value = Vec<u8>> {
    let header = prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(headers),
            1 => "[a-z张]{0,6}".prop_map(|s| Box::leak(s.into_boxed_str()) as &'static str),
        ],
        1..9,
    );
    let rows = prop::collection::vec(prop::collection::vec(cell(), 0..9), 0..6);
    (header, rows, any::<bool>(), 0u8..4).prop_map(|(header, rows, quoted, encoding)| {
        let text = if quoted {
            let mut w = csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(Vec::new());
            w.write_record(&header).unwrap();
            for r in &rows {
                w.write_record(r).unwrap();
            }
            String::from_utf8(w.into_inner().unwrap()).unwrap()
        } else {
            let mut t = header.join(",");
            for r in &rows {
                t.push('\n');
                t.push_str(&r.join(","));
            }
            t
        };
        match encoding {
            0 => text.into_bytes(),
            1 => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
            2 => encoding_rs::GB18030.encode(&text).0.into_owned(),
            _ => [b"\xFF\xFE".as_slice(), text.as_bytes()].concat(),
        }
    })
}

fn one_of(values: &[&'static str]) -> BoxedStrategy<String> {
    prop::sample::select(values.to_vec())
        .prop_map(str::to_string)
        .boxed()
}

/// Rows that are mostly valid, with one cell now and then replaced by
/// anything [`cell`] makes: so that many files are written and many are
/// refused for one bad cell among good ones.
fn near_valid(
    header: Vec<&'static str>,
    columns: Vec<BoxedStrategy<String>>,
) -> impl Strategy<Value = Vec<u8>> {
    let row = columns;
    let rows = prop::collection::vec(row, 1..6);
    let spoil = prop::option::weighted(0.4, (any::<prop::sample::Index>(), cell()));
    (rows, spoil).prop_map(move |(mut rows, spoil)| {
        if let Some((at, bad)) = spoil {
            let width = rows[0].len();
            let i = at.index(rows.len() * width);
            rows[i / width][i % width] = bad;
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&header).unwrap();
        for r in &rows {
            w.write_record(r).unwrap();
        }
        w.into_inner().unwrap()
    })
}

fn roster_input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => near_valid(
            vec!["小区", "楼栋", "房号", "姓名", "电话", "标签", "备注"],
            vec![
                one_of(&["幸福小区", "xfxq", "和平里"]),
                one_of(&["3栋", "5栋", "７号楼"]),
                one_of(&["2-501", "2-502", "1-101", "3单元301室"]),
                one_of(&["张伟", "李娜", "王芳", "赵强", "新人"]),
                one_of(&["", "13812345678", "0546-8312345", "13900001111;13900002222"]),
                one_of(&["", "党员", "独居老人\n低保"]),
                one_of(&["", "腿脚不便", "两行\r\n备注"]),
            ],
        ),
        3 => csv_file(vec![
            "area", "小区", "building", "楼栋", "unit", "单元", "room", "房号", "name", "姓名",
            "phone", "电话", "固定电话", "relation", "与户主关系", "tags", "标签", "notes", "备注",
        ]),
        1 => prop::collection::vec(any::<u8>(), 0..400),
    ]
}

#[test]
fn roster_parser_never_panics_and_a_refused_roster_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let store = seeded(tmp.path());
    let written = std::sync::atomic::AtomicUsize::new(0);
    runner()
        .run(&roster_input(), |bytes| {
            let before = snapshot(&store);
            let Ok(parsed) = gridbook::roster::parse("fuzz.csv", &bytes) else {
                return Ok(());
            };
            // A dry run never writes, whatever the rows.
            gridbook::roster::import(&store, ctx(), &parsed, true, false).unwrap();
            prop_assert!(snapshot(&store) == before, "a dry run wrote");
            match gridbook::roster::import(&store, ctx(), &parsed, false, false) {
                Ok(report) => {
                    prop_assert!(parsed.errors.is_empty() && report.rows_rejected == 0);
                    if report.written {
                        written.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                }
                Err(_) => prop_assert!(snapshot(&store) == before, "a refused roster wrote"),
            }
            // Whatever got in holds no control character.
            for r in store.all::<Resident>() {
                let r = r.unwrap();
                prop_assert!(
                    !r.name.chars().any(|c| gridbook::text::hazard(c).is_some()),
                    "{:?}",
                    r.name
                );
            }
            Ok(())
        })
        .unwrap();
    assert!(store.check().unwrap().is_clean());
    eprintln!(
        "roster: {} of {} inputs written",
        written.load(std::sync::atomic::Ordering::SeqCst),
        cases()
    );
}

fn members_input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => near_valid(
            vec!["姓名", "电话", "类型", "责任区", "联系户", "起始日期"],
            vec![
                "新人[甲乙丙丁戊]{1,2}".boxed(),
                "1390000[0-9]{4}".boxed(),
                one_of(&["", "党员", "网格员", "volunteer"]),
                one_of(&["", "xfxq", "xfxq/3", "xfxq/5", "幸福小区/3栋/2-501", "xfxq/3;xfxq/5"]),
                one_of(&["", "xfxq/3/2-501", "xfxq/5/1-101", "xfxq/3"]),
                one_of(&["", "-1d", "-30d", "-400d", "2026-01-01", "1960-01-01"]),
            ],
        ),
        3 => csv_file(vec![
            "name", "姓名", "phone", "电话", "kind", "类型", "tags", "标签", "zones", "责任区",
            "liaison", "联系户", "since", "起始日期",
        ]),
        1 => prop::collection::vec(any::<u8>(), 0..400),
    ]
}

#[test]
fn members_parser_never_panics_and_a_refused_file_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let store = seeded(tmp.path());
    let written = std::sync::atomic::AtomicUsize::new(0);
    runner()
        .run(&members_input(), |bytes| {
            let before = snapshot(&store);
            match gridbook::members_csv::import(&store, ctx(), "fuzz.csv", &bytes) {
                Err(_) => prop_assert!(snapshot(&store) == before, "a refused members file wrote"),
                Ok(r) if r.members_added + r.members_updated + r.assignments_added > 0 => {
                    written.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                Ok(_) => prop_assert!(snapshot(&store) == before, "nothing added, yet written"),
            }
            Ok(())
        })
        .unwrap();
    assert!(store.check().unwrap().is_clean());
    eprintln!(
        "members: {} of {} inputs written",
        written.load(std::sync::atomic::Ordering::SeqCst),
        cases()
    );
}

/// A small estate with every kind of event, exported.
fn base_export() -> serde_json::Value {
    let tmp = tempfile::tempdir().unwrap();
    let store = seeded(tmp.path());
    let c = ctx();
    let hh = gridbook::address::resolve(&store, "xfxq/3/2-501")
        .unwrap()
        .id();
    let b = gridbook::address::resolve(&store, "xfxq/3").unwrap().id();
    let m = ops::add_member(
        &store,
        c,
        "新人",
        "13900001111",
        MemberKind::GridWorker,
        "流动",
    )
    .unwrap();
    ops::assign(
        &store,
        c,
        b,
        m.meta.id,
        Role::Responsible,
        Ts(c.now.0 - 86_400_000),
        None,
    )
    .unwrap();
    ops::log_visit(
        &store,
        c,
        &ops::VisitInput {
            household: hh,
            member: m.meta.id,
            at: c.now,
            purpose: "routine".into(),
            note: "一切正常\n下周再来".into(),
            follow_up: None,
        },
    )
    .unwrap();
    let p = ops::open_problem(
        &store,
        c,
        &ops::ProblemInput {
            zone: hh,
            at: c.now,
            category: "repair".into(),
            description: "漏水".into(),
            reporter: None,
            urgency: Urgency::High,
        },
    )
    .unwrap();
    ops::step_problem(&store, c, p.id, ProblemStep::Resolved, "修好了", c.now).unwrap();
    let dump = snapshot(&store);
    serde_json::from_slice(&dump.to_json()).unwrap()
}

/// Every place in `v` a value sits, as JSON pointers.
fn pointers(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                pointers(x, format!("{at}/{i}"), out);
            }
        }
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                pointers(x, format!("{at}/{k}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn ids(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) if s.len() == 26 && s.parse::<Id>().is_ok() => {
            out.push(s.clone())
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| ids(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| ids(x, out)),
        _ => {}
    }
}

/// Records and events sorted by id, so files in any order compare; the
/// envelope (notice, versions) is the store's own, not what the file said.
fn sorted(mut d: Dump) -> Dump {
    d.notice = gridbook::export::NOTICE.to_string();
    d.schema_version = 0;
    d.areas.sort_by_key(|r| r.meta.id);
    d.buildings.sort_by_key(|r| r.meta.id);
    d.households.sort_by_key(|r| r.meta.id);
    d.residents.sort_by_key(|r| r.meta.id);
    d.members.sort_by_key(|r| r.meta.id);
    d.events.sort_by_key(|e| e.id);
    d
}

/// The first record or event that differs, for a failure message.
fn first_difference(a: &Dump, b: &Dump) -> String {
    fn diff<T: std::fmt::Debug + PartialEq>(what: &str, a: &[T], b: &[T]) -> Option<String> {
        if a.len() != b.len() {
            return Some(format!(
                "{what}: {} stored, {} in the file",
                a.len(),
                b.len()
            ));
        }
        a.iter()
            .zip(b)
            .find(|(x, y)| x != y)
            .map(|(x, y)| format!("{what}: stored {x:?}, in the file {y:?}"))
    }
    diff("areas", &a.areas, &b.areas)
        .or_else(|| diff("buildings", &a.buildings, &b.buildings))
        .or_else(|| diff("households", &a.households, &b.households))
        .or_else(|| diff("residents", &a.residents, &b.residents))
        .or_else(|| diff("members", &a.members, &b.members))
        .or_else(|| diff("events", &a.events, &b.events))
        .unwrap_or_else(|| {
            format!(
                "the envelope: {:?} vs {:?}",
                (&a.notice, &a.format, a.format_version, a.schema_version),
                (&b.notice, &b.format, b.format_version, b.schema_version)
            )
        })
}

#[test]
fn json_import_never_panics_and_what_it_accepts_loads_whole() {
    let base = base_export();
    let mut paths = Vec::new();
    pointers(&base, String::new(), &mut paths);
    let mut known = Vec::new();
    ids(&base, &mut known);
    let replacement = prop_oneof![
        Just(serde_json::Value::Null),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<bool>().prop_map(serde_json::Value::from),
        cell().prop_map(serde_json::Value::from),
        prop::sample::select(known).prop_map(serde_json::Value::from),
        any::<u128>().prop_map(|n| serde_json::Value::from(Id(n).to_string())),
        Just(serde_json::json!([])),
        Just(serde_json::json!({})),
    ];
    let base_bytes = serde_json::to_vec(&base).unwrap();
    let input = prop_oneof![
        6 => prop::collection::vec((prop::sample::select(paths), replacement), 1..4).prop_map({
            let base = base.clone();
            move |edits| {
                let mut v = base.clone();
                for (p, r) in edits {
                    if let Some(at) = v.pointer_mut(&p) {
                        *at = r;
                    }
                }
                serde_json::to_vec(&v).unwrap()
            }
        }),
        1 => (0..base_bytes.len()).prop_map({
            let b = base_bytes.clone();
            move |n| b[..n].to_vec()
        }),
        1 => prop::collection::vec(any::<u8>(), 0..300),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let target = seeded(&tmp.path().join("target"));
    let n = std::sync::atomic::AtomicUsize::new(0);
    runner()
        .run(&input, |bytes| {
            let before = snapshot(&target);
            let dump = Dump::from_json("fuzz.json", &bytes).and_then(|d| {
                d.check_input("fuzz.json")?;
                Ok(d)
            });
            let Ok(dump) = dump else {
                // Refused: and a store that holds data is never filled.
                prop_assert!(snapshot(&target) == before);
                return Ok(());
            };
            prop_assert!(dump.load_into(&target).is_err());
            prop_assert!(snapshot(&target) == before, "a non-empty store was written");
            // Accepted: it loads whole into an empty store, which then
            // exports the same and checks clean.
            let i = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let fresh = Store::open(&tmp.path().join(format!("fresh{i}"))).unwrap();
            dump.load_into(&fresh).unwrap();
            let (got, want) = (sorted(snapshot(&fresh)), sorted(dump.clone()));
            prop_assert!(got == want, "{}", first_difference(&got, &want));
            prop_assert!(fresh.check().unwrap().is_clean());
            Ok(())
        })
        .unwrap();
    eprintln!(
        "json import: {} of {} inputs accepted and loaded",
        n.load(std::sync::atomic::Ordering::SeqCst),
        cases()
    );
}

#[test]
fn config_and_checklists_toml_never_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let input = prop_oneof![
        3 => prop::collection::vec(
            prop_oneof![
                prop::sample::select(vec![
                    "me", "lang", "keymap", "backups", "visit_days", "patrol_days",
                    "categories", "hygiene", "security", "unknown",
                ])
                .prop_map(str::to_string),
                "[a-z_]{1,8}",
            ]
            .prop_flat_map(|k| {
                (
                    Just(k),
                    prop_oneof![
                        Just("\"zh\"".to_string()),
                        Just("\"en\"".to_string()),
                        any::<i64>().prop_map(|n| n.to_string()),
                        cell().prop_map(|s| format!("{s:?}")),
                        prop::collection::vec(cell(), 0..4).prop_map(|v| format!("{v:?}")),
                        "[\\x00-\\x7f]{0,10}",
                    ],
                )
            })
            .prop_map(|(k, v)| format!("{k} = {v}\n")),
            0..6,
        )
        .prop_map(|lines| lines.concat().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..200),
    ];
    runner()
        .run(&input, |bytes| {
            std::fs::write(tmp.path().join("config.toml"), &bytes).unwrap();
            if let Ok(c) = Config::load(Some(tmp.path())) {
                // Whatever was accepted answers every question.
                let _ = (c.visit_days(), c.patrol_days(), c.backups());
            }
            std::fs::write(tmp.path().join("checklists.toml"), &bytes).unwrap();
            let _ = gridbook::config::checklists(Some(tmp.path()));
            Ok(())
        })
        .unwrap();
}

#[test]
fn address_strings_never_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let store = seeded(tmp.path());
    let part = prop_oneof![
        cell(),
        prop::sample::select(vec![
            "幸福小区",
            "xf",
            "xfxq",
            "3",
            "3栋",
            "３号楼",
            "2-501",
            "501"
        ])
        .prop_map(str::to_string),
    ];
    let input = prop_oneof![
        3 => prop::collection::vec(part, 0..6).prop_map(|p| p.join("/")),
        1 => any::<String>(),
    ];
    let before = snapshot(&store);
    runner()
        .run(&input, |addr| {
            if let Ok(z) = gridbook::address::resolve(&store, &addr) {
                // What resolves resolves again by its own canonical address.
                let again = gridbook::address::resolve(&store, &z.path()).unwrap();
                prop_assert_eq!(again.id(), z.id());
            }
            Ok(())
        })
        .unwrap();
    assert!(snapshot(&store) == before);
}

#[test]
fn text_checks_and_output_escaping_agree() {
    use gridbook::text::{hazard, visible, visible_lines};
    use gridbook::validate::{Lines, check_chars};
    runner()
        .run(&any::<String>(), |s| {
            prop_assert!(!visible(&s).chars().any(|c| hazard(c).is_some()));
            prop_assert!(
                !visible_lines(&s)
                    .chars()
                    .any(|c| c != '\n' && hazard(c).is_some())
            );
            if !s.chars().any(|c| hazard(c).is_some()) {
                prop_assert_eq!(visible(&s), s.as_str());
            }
            // What a one-line field accepts shows unchanged.
            if check_chars("f", &s, Lines::One).is_ok() {
                prop_assert_eq!(visible(s.trim()), s.trim());
            }
            Ok(())
        })
        .unwrap();
}
