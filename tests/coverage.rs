//! Responsibility and coverage on a small hand-made estate whose right
//! answers are written out below.
//!
//! 安宁小区 (an)              m1 responsible since -100d
//!   1栋: 1-101, 1-102        (inherits m1)
//!   2栋: 2-101               m2 responsible since -50d
//! 空白小区 (kb)              nobody
//!   1栋: 1-101               m3 liaison only
//!
//! Visits: an/1/1-101 -10d, an/1/1-102 -200d, an/2/2-101 never, kb/1/1-101 -5d.
//! Patrols: an/1 hygiene -3d; an (whole area) security -20d; kb/1 none.

use assert_cmd::Command;
use gridbook::cover;
use gridbook::model::*;
use gridbook::ops::{self, Ctx};
use gridbook::report;
use gridbook::store::Store;

const DAY: i64 = gridbook::model::DAY_MS;

fn now() -> Ts {
    let t: jiff::Timestamp = "2026-11-28T06:30:00Z".parse().unwrap();
    Ts(t.as_millisecond())
}

struct Estate {
    an: Id,
    an1: Id,
    an2: Id,
    h101: Id,
    h102: Id,
    h201: Id,
    kb: Id,
    kb1: Id,
    k101: Id,
    m1: Id,
    m2: Id,
    m3: Id,
    retired: Id,
}

fn ago(days: i64) -> Ts {
    Ts(now().0 - days * DAY)
}

fn build(store: &Store) -> Estate {
    gridbook::clock::pin(now(), jiff::tz::TimeZone::fixed(jiff::tz::offset(8)));
    let ctx = Ctx {
        by: None,
        now: now(),
    };
    let an = ops::add_area(store, ctx, "安宁小区", "an").unwrap().meta.id;
    let an1 = ops::add_building(store, ctx, an, "1栋", "1")
        .unwrap()
        .meta
        .id;
    let an2 = ops::add_building(store, ctx, an, "2栋", "2")
        .unwrap()
        .meta
        .id;
    let h101 = ops::add_household(store, ctx, an1, "1", "101", "")
        .unwrap()
        .meta
        .id;
    let h102 = ops::add_household(store, ctx, an1, "1", "102", "")
        .unwrap()
        .meta
        .id;
    let h201 = ops::add_household(store, ctx, an2, "2", "101", "")
        .unwrap()
        .meta
        .id;
    let kb = ops::add_area(store, ctx, "空白小区", "kb").unwrap().meta.id;
    let kb1 = ops::add_building(store, ctx, kb, "1栋", "1")
        .unwrap()
        .meta
        .id;
    let k101 = ops::add_household(store, ctx, kb1, "1", "101", "")
        .unwrap()
        .meta
        .id;
    let m1 = ops::add_member(
        store,
        ctx,
        "网格员甲",
        "13800000001",
        MemberKind::GridWorker,
        "",
    )
    .unwrap()
    .meta
    .id;
    let m2 = ops::add_member(
        store,
        ctx,
        "楼栋长乙",
        "13800000002",
        MemberKind::BuildingHead,
        "",
    )
    .unwrap()
    .meta
    .id;
    let m3 = ops::add_member(
        store,
        ctx,
        "党员丙",
        "13800000003",
        MemberKind::PartyMember,
        "流动",
    )
    .unwrap()
    .meta
    .id;
    let retired = ops::add_member(
        store,
        ctx,
        "退休丁",
        "13800000004",
        MemberKind::Volunteer,
        "",
    )
    .unwrap()
    .meta
    .id;
    ops::tombstone(store, ctx, retired, "退休").unwrap();
    ops::assign(store, ctx, an, m1, Role::Responsible, ago(100), None).unwrap();
    ops::assign(store, ctx, an2, m2, Role::Responsible, ago(50), None).unwrap();
    ops::assign(store, ctx, k101, m3, Role::Liaison, ago(60), None).unwrap();
    for (h, days, m) in [(h101, 10, m1), (h102, 200, m1), (k101, 5, m3)] {
        ops::log_visit(
            store,
            ctx,
            &ops::VisitInput {
                household: h,
                member: m,
                at: ago(days),
                purpose: "routine".into(),
                note: String::new(),
                follow_up: None,
            },
        )
        .unwrap();
    }
    let checklist = |kind| {
        gridbook::checklist::Checklists::shipped()
            .items(kind)
            .iter()
            .map(|i| CheckResult {
                item: i.key.clone(),
                ok: true,
                note: String::new(),
            })
            .collect::<Vec<_>>()
    };
    for (zone, kind, days) in [
        (an1, PatrolKind::Hygiene, 3),
        (an, PatrolKind::Security, 20),
    ] {
        ops::log_patrol(
            store,
            ctx,
            ops::PatrolInput {
                zone,
                kind,
                at: ago(days),
                items: checklist(kind),
                note: String::new(),
                open_problems: false,
            },
        )
        .unwrap();
    }
    Estate {
        an,
        an1,
        an2,
        h101,
        h102,
        h201,
        kb,
        kb1,
        k101,
        m1,
        m2,
        m3,
        retired,
    }
}

#[test]
fn responsibility_is_inherited_and_says_from_where() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let e = build(&store);
    let c = cover::covering(&store, e.h101, now()).unwrap().unwrap();
    assert_eq!((c.member, c.direct, c.via), (e.m1, false, e.an));
    let c = cover::covering(&store, e.an, now()).unwrap().unwrap();
    assert_eq!((c.member, c.direct), (e.m1, true));
    let c = cover::covering(&store, e.h201, now()).unwrap().unwrap();
    assert_eq!((c.member, c.direct, c.via), (e.m2, false, e.an2));
    let c = cover::covering(&store, e.an1, now()).unwrap().unwrap();
    assert_eq!((c.member, c.via), (e.m1, e.an));
    // A liaison looks after a household but does not make it covered.
    assert!(cover::covering(&store, e.k101, now()).unwrap().is_none());
    let l = cover::liaisons(&store, e.k101, now()).unwrap();
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].0.meta.id, e.m3);
}

#[test]
fn reassigning_ends_the_previous_span_and_keeps_history() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let e = build(&store);
    let ctx = Ctx {
        by: None,
        now: now(),
    };
    ops::assign(&store, ctx, e.an2, e.m3, Role::Responsible, ago(10), None).unwrap();
    let spans = store.assignments_of(e.an2).unwrap();
    assert_eq!(spans.len(), 2);
    assert_eq!(
        (spans[0].member, spans[0].since, spans[0].until),
        (e.m2, ago(50), Some(ago(10)))
    );
    assert_eq!(
        (spans[1].member, spans[1].since, spans[1].until),
        (e.m3, ago(10), None)
    );
    // Who covered 2-101 then, and who now.
    assert_eq!(
        cover::covering(&store, e.h201, ago(20))
            .unwrap()
            .unwrap()
            .member,
        e.m2
    );
    assert_eq!(
        cover::covering(&store, e.h201, now())
            .unwrap()
            .unwrap()
            .member,
        e.m3
    );
    let of_m2 = store.assignments_of_member(e.m2).unwrap();
    assert_eq!(of_m2.len(), 1);
    assert_eq!(of_m2[0].until, Some(ago(10)));
    assert!(store.check().unwrap().is_clean());
}

#[test]
fn bad_assignments_are_refused_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let e = build(&store);
    let ctx = Ctx {
        by: None,
        now: now(),
    };
    let before = store.event_count();
    let err = ops::assign(
        &store,
        ctx,
        e.an1,
        e.retired,
        Role::Responsible,
        now(),
        None,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "退休丁 is retired");
    let err =
        ops::assign(&store, ctx, Id::new(), e.m1, Role::Responsible, now(), None).unwrap_err();
    assert!(err.to_string().contains("no such zone"), "{err}");
    let err = ops::assign(
        &store,
        ctx,
        e.an1,
        e.m2,
        Role::Responsible,
        now(),
        Some(ago(1)),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "the span ends before it starts");
    let err = ops::assign(&store, ctx, e.an1, e.m2, Role::Liaison, now(), None).unwrap_err();
    assert!(err.to_string().contains("household"), "{err}");
    let err = ops::assign(&store, ctx, e.an, e.m1, Role::Responsible, now(), None).unwrap_err();
    assert!(err.to_string().contains("already"), "{err}");
    assert_eq!(store.event_count(), before);
}

#[test]
fn coverage_figures_match_the_hand_count() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let e = build(&store);
    let c = report::coverage(&store, now(), 90, None).unwrap();
    assert_eq!((c.areas, c.buildings, c.households), (2, 3, 4));
    let uncovered: Vec<(&str, &str, usize)> = c
        .uncovered
        .iter()
        .map(|z| (z.kind.as_str(), z.path.as_str(), z.households))
        .collect();
    assert_eq!(
        uncovered,
        vec![("area", "空白小区", 1), ("building", "空白小区/1栋", 1)]
    );
    assert_eq!(c.households_uncovered, 1);
    // Visited within 90 days: an/1/1-101 and kb/1/1-101.
    assert_eq!(c.households_visited, 2);
    assert_eq!(c.visited_pct, 50.0);
    let not_visited: Vec<&str> = c.not_visited.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(
        not_visited,
        vec!["安宁小区/2栋/2-101", "安宁小区/1栋/1-102"]
    );
    // Hygiene: only an/1. Security: the area patrol counts for an/1 and an/2.
    assert_eq!(c.buildings_hygiene_patrolled, 1);
    assert_eq!(c.hygiene_pct, 33.3);
    assert_eq!(c.buildings_security_patrolled, 2);
    assert_eq!(c.security_pct, 66.7);
    let an = &c.by_area[0];
    assert_eq!(
        (an.name.as_str(), an.households, an.visited),
        ("安宁小区", 3, 1)
    );
    assert_eq!(an.covered_by.as_deref(), Some("网格员甲"));
    assert_eq!(an.by_building[1].covered_by.as_deref(), Some("楼栋长乙"));
    assert_eq!((an.hygiene_pct, an.security_pct), (50.0, 100.0));
    let kb = &c.by_area[1];
    assert_eq!((kb.covered_by.clone(), kb.households_uncovered), (None, 1));
    // A shorter window: only the -5d visit and the -3d patrol remain.
    let c7 = report::coverage(&store, now(), 7, None).unwrap();
    assert_eq!(
        (
            c7.households_visited,
            c7.buildings_hygiene_patrolled,
            c7.buildings_security_patrolled
        ),
        (1, 1, 0)
    );
    let _ = (e.h102, e.kb, e.kb1, e.m1);
}

#[test]
fn members_workload() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let e = build(&store);
    let list = report::members(&store, now()).unwrap();
    let row = |id: Id| list.iter().find(|w| w.id == id.to_string()).unwrap();
    assert_eq!(list.len(), 3, "the retired member is not listed");
    let m1 = row(e.m1);
    assert_eq!(
        (m1.households_covered, m1.visits_30d, m1.zones.clone()),
        (3, 1, vec!["安宁小区".to_string()])
    );
    let m3 = row(e.m3);
    assert_eq!(
        (m3.households_covered, m3.liaison_households, m3.visits_30d),
        (0, 1, 1)
    );
}

#[test]
fn report_coverage_json_shape_from_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        build(&store);
    }
    let out = Command::cargo_bin("gridbook")
        .unwrap()
        .env("GRIDBOOK_NOW", "2026-11-28T06:30:00Z")
        .env("GRIDBOOK_TZ", "Asia/Shanghai")
        .args([
            "--data",
            dir.path().to_str().unwrap(),
            "report",
            "coverage",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "days",
        "areas",
        "buildings",
        "households",
        "uncovered",
        "households_uncovered",
        "households_visited",
        "visited_pct",
        "hygiene_pct",
        "security_pct",
        "not_visited",
        "not_patrolled",
        "by_area",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["visited_pct"], 50.0);
    assert_eq!(v["uncovered"][0]["path"], "空白小区");
    assert_eq!(v["by_area"][0]["by_building"][0]["name"], "1栋");
    // Bad input is exit 2 with a message.
    Command::cargo_bin("gridbook")
        .unwrap()
        .args([
            "--data",
            dir.path().to_str().unwrap(),
            "report",
            "coverage",
            "--days",
            "0",
        ])
        .assert()
        .code(2);
}
