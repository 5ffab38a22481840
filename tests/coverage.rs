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
    let before = store.event_count().unwrap();
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
    assert_eq!(store.event_count().unwrap(), before);
}

#[test]
fn coverage_figures_match_the_hand_count() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let e = build(&store);
    let c = report::coverage(&store, now(), 90, None, gridbook::vocab::care::shipped()).unwrap();
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
    let c7 = report::coverage(&store, now(), 7, None, gridbook::vocab::care::shipped()).unwrap();
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

/// 和平小区 (hp), 网格员甲 responsible; rosters imported 100 days ago (care
/// groups count from then):
///
/// | household | occupancy  | residents (present)             | last visit |
/// |-----------|------------|---------------------------------|------------|
/// | 1栋 1-101 | owner      | 张大爷 独居老人 (7 days)        | -3d        |
/// | 1栋 1-102 | vacant     | 赵业主 独居老人, moved out      | never      |
/// | 1栋 1-201 | rented     | 李四                            | never      |
/// | 1栋 1-202 | owner      | 王奶奶 低保户 (30 days)         | -40d       |
/// | 1栋 1-301 | commercial | 钱老板                          | never      |
/// | 2栋 2-101 | vacant     | 周业主, moved out               | never      |
/// | 2栋 2-102 | owner      | 孙爷爷 born 1940 (高龄, 14), 孙女 | -20d       |
///
/// Over 90 days: 7 households, 2 vacant, 1 rented, 1 commercial; visited 3
/// of the 5 that are not vacant (60%); not visited 1-201 and 1-301 only.
/// Care households 1-101, 1-202, 2-102 (1-102's resident moved out): on
/// time only 1-101 (1-202 due 10 days ago, 2-102 6 days ago): 1 of 3.
const OCCUPIED: &str = "小区,楼栋,单元,房号,姓名,联系电话,与户主关系,标签,出生日期,居住状态,人员状态\n\
和平小区,1栋,1,101,张大爷,13900000001,户主,独居老人,1950-01-01,自住,\n\
和平小区,1栋,1,102,赵业主,13900000002,户主,独居老人,1950-02-02,空置,迁出\n\
和平小区,1栋,1,201,李四,13900000003,户主,,1990-01-01,出租,\n\
和平小区,1栋,1,202,王奶奶,13900000004,户主,低保户,1960-01-01,自住,\n\
和平小区,1栋,1,301,钱老板,13900000005,户主,,1980-01-01,商用,\n\
和平小区,2栋,2,101,周业主,13900000006,户主,,1970-01-01,空置,迁出\n\
和平小区,2栋,2,102,孙爷爷,13900000007,户主,,1940-05-05,自住,\n\
和平小区,2栋,2,102,孙女,,孙女,,2010-01-01,,\n";

fn build_occupied(store: &Store) -> Id {
    gridbook::clock::pin(now(), jiff::tz::TimeZone::fixed(jiff::tz::offset(8)));
    let ctx = Ctx {
        by: None,
        now: now(),
    };
    let roster = gridbook::roster::parse("occupied.csv", OCCUPIED.as_bytes()).unwrap();
    let then = Ctx {
        by: None,
        now: ago(100),
    };
    gridbook::roster::import(store, then, &roster, false, false).unwrap();
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
    let hp = gridbook::address::resolve(store, "和平小区").unwrap().id();
    ops::assign(store, ctx, hp, m1, Role::Responsible, ago(100), None).unwrap();
    for (addr, days) in [
        ("和平小区/1栋/1-101", 3),
        ("和平小区/1栋/1-202", 40),
        ("和平小区/2栋/2-102", 20),
    ] {
        let household = gridbook::address::resolve(store, addr).unwrap().id();
        ops::log_visit(
            store,
            ctx,
            &ops::VisitInput {
                household,
                member: m1,
                at: ago(days),
                purpose: "routine".into(),
                note: String::new(),
                follow_up: None,
            },
        )
        .unwrap();
    }
    m1
}

#[test]
fn vacant_households_are_no_blank_spot_and_rented_ones_a_figure_of_their_own() {
    let store = Store::memory().unwrap();
    let m1 = build_occupied(&store);
    let c = report::coverage(&store, now(), 90, None, gridbook::vocab::care::shipped()).unwrap();
    assert_eq!(
        (c.households, c.vacant, c.rented, c.commercial),
        (7, 2, 1, 1)
    );
    assert_eq!((c.households_visited, c.visited_pct), (3, 60.0));
    let not_visited: Vec<&str> = c.not_visited.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(
        not_visited,
        vec!["和平小区/1栋/1-201", "和平小区/1栋/1-301"]
    );
    let hp = &c.by_area[0];
    assert_eq!(
        (
            hp.households,
            hp.vacant,
            hp.rented,
            hp.commercial,
            hp.visited
        ),
        (7, 2, 1, 1, 3)
    );
    let b1 = &hp.by_building[0];
    assert_eq!(
        (
            b1.name.as_str(),
            b1.households,
            b1.vacant,
            b1.rented,
            b1.commercial
        ),
        ("1栋", 5, 1, 1, 1)
    );
    assert_eq!((b1.visited, b1.visited_pct), (2, 50.0));
    let b2 = &hp.by_building[1];
    assert_eq!((b2.households, b2.vacant, b2.rented), (2, 1, 0));
    assert_eq!((b2.visited, b2.visited_pct), (1, 100.0));
    // Everyone has someone responsible here.
    assert!(c.uncovered.is_empty());
    assert_eq!(
        c.nobody_responsible(gridbook::i18n::Lang::En),
        "every zone has someone responsible"
    );
    let m = &c.by_member[0];
    assert_eq!(c.by_member.len(), 1);
    assert_eq!(
        (
            m.id.clone(),
            m.households,
            m.vacant,
            m.visited,
            m.visited_pct
        ),
        (m1.to_string(), 7, 2, 3, 60.0)
    );
}

#[test]
fn care_coverage_matches_the_hand_count() {
    let store = Store::memory().unwrap();
    build_occupied(&store);
    let c = report::coverage(&store, now(), 90, None, gridbook::vocab::care::shipped()).unwrap();
    let care =
        |cc: &report::CareCoverage| (cc.care_households, cc.care_visited_on_time, cc.care_pct);
    assert_eq!(care(&c.care), (3, 1, 33.3));
    assert_eq!(care(&c.by_area[0].care), (3, 1, 33.3));
    assert_eq!(care(&c.by_area[0].by_building[0].care), (2, 1, 50.0));
    assert_eq!(care(&c.by_area[0].by_building[1].care), (1, 0, 0.0));
    assert_eq!(care(&c.by_member[0].care), (3, 1, 33.3));
    // The same rule as the care report: the two households it lists as due
    // are exactly the care households not on time.
    let due = gridbook::care::due(&store, gridbook::vocab::care::shipped(), now(), None).unwrap();
    let mut due: Vec<(&str, i64)> = due
        .iter()
        .map(|d| (d.address.as_str(), d.days_overdue))
        .collect();
    due.sort();
    assert_eq!(
        due,
        vec![("和平小区/1栋/1-202", 10), ("和平小区/2栋/2-102", 6)]
    );
    // A visit today puts 1-202 back on time.
    let h = gridbook::address::resolve(&store, "和平小区/1栋/1-202")
        .unwrap()
        .id();
    let m = c.by_member[0].id.parse().unwrap();
    ops::log_visit(
        &store,
        Ctx {
            by: None,
            now: now(),
        },
        &ops::VisitInput {
            household: h,
            member: m,
            at: now(),
            purpose: "elderly-care".into(),
            note: String::new(),
            follow_up: None,
        },
    )
    .unwrap();
    let c = report::coverage(&store, now(), 90, None, gridbook::vocab::care::shipped()).unwrap();
    assert_eq!(care(&c.care), (3, 2, 66.7));
}

#[test]
fn the_summary_counts_an_area_and_its_buildings_once_in_both_languages() {
    use gridbook::i18n::Lang;
    let store = Store::memory().unwrap();
    let e = build(&store);
    let ctx = Ctx {
        by: None,
        now: now(),
    };
    let cov = |store: &Store| {
        report::coverage(store, now(), 90, None, gridbook::vocab::care::shipped()).unwrap()
    };
    // 空白小区 and its one building: two zones, one household.
    let c = cov(&store);
    assert_eq!(c.uncovered.len(), 2);
    assert_eq!(
        c.nobody_responsible(Lang::En),
        "1 area and its 1 building have nobody responsible: 1 household"
    );
    assert_eq!(
        c.nobody_responsible(Lang::Zh),
        "1 个小区及其 1 栋楼无责任人：1 户"
    );
    assert!(c.summary(Lang::En).starts_with(
        "1 area and its 1 building have nobody responsible: 1 household · 2 of 4 households visited (50.0%) in 90 days"
    ), "{}", c.summary(Lang::En));
    assert!(
        c.summary(Lang::Zh)
            .starts_with("1 个小区及其 1 栋楼无责任人：1 户 · 走访 2 / 4 户（50.0%，90 天内）"),
        "{}",
        c.summary(Lang::Zh)
    );
    // A second uncovered area with two buildings, one of them covered.
    let wr = ops::add_area(&store, ctx, "无人小区", "wr")
        .unwrap()
        .meta
        .id;
    let wr1 = ops::add_building(&store, ctx, wr, "1栋", "1")
        .unwrap()
        .meta
        .id;
    let wr2 = ops::add_building(&store, ctx, wr, "2栋", "2")
        .unwrap()
        .meta
        .id;
    for (b, room) in [(wr1, "101"), (wr1, "102"), (wr2, "101")] {
        ops::add_household(&store, ctx, b, "1", room, "").unwrap();
    }
    ops::assign(&store, ctx, wr2, e.m2, Role::Responsible, ago(1), None).unwrap();
    let c = cov(&store);
    assert_eq!(
        c.nobody_responsible(Lang::En),
        "2 areas and 2 of their 3 buildings have nobody responsible: 3 households"
    );
    assert_eq!(
        c.nobody_responsible(Lang::Zh),
        "2 个小区及其中 2 栋（共 3 栋楼）无责任人：3 户"
    );
    // Every building covered directly, the areas themselves not.
    ops::assign(&store, ctx, e.kb1, e.m3, Role::Responsible, ago(1), None).unwrap();
    ops::assign(&store, ctx, wr1, e.m1, Role::Responsible, ago(1), None).unwrap();
    let c = cov(&store);
    assert_eq!(
        c.nobody_responsible(Lang::En),
        "2 areas have nobody responsible, though each of their buildings does"
    );
    assert_eq!(
        c.nobody_responsible(Lang::Zh),
        "2 个小区无责任人（其楼栋均有责任人）"
    );
}

#[test]
fn the_demo_estate_has_occupancy_a_tower_care_groups_and_activities() {
    let store = Store::memory().unwrap();
    gridbook::clock::pin(now(), jiff::tz::TimeZone::fixed(jiff::tz::offset(8)));
    gridbook::demo::load(&store, now()).unwrap();
    let c = report::coverage(&store, now(), 90, None, gridbook::vocab::care::shipped()).unwrap();
    assert!(c.vacant >= 20, "vacant {}", c.vacant);
    assert!(c.rented >= 30, "rented {}", c.rented);
    assert!(c.commercial >= 3, "commercial {}", c.commercial);
    // Rented households also in the older buildings, not only the tower.
    assert!(c.by_area.iter().filter(|a| a.rented > 0).count() >= 2);
    // One tower of 33 floors and 6 units.
    let mut tall = 0;
    for a in store.areas().unwrap() {
        for b in store.buildings_of(a.meta.id).unwrap() {
            let hs = store.households_of(b.meta.id).unwrap();
            let floors: std::collections::HashSet<i32> = hs
                .iter()
                .filter_map(|h| gridbook::floors::place(&h.room, b.floor_rule()))
                .map(|p| p.floor)
                .collect();
            let units: std::collections::HashSet<&str> =
                hs.iter().map(|h| h.unit.as_str()).collect();
            if floors.len() == 33 && units.len() == 6 {
                tall += 1;
            }
        }
    }
    assert_eq!(tall, 1);
    // Care households, some on time and some due: a realistic Today.
    assert!(c.care.care_households >= 40, "{:?}", c.care);
    assert!(c.care.care_visited_on_time >= 10, "{:?}", c.care);
    assert!(c.care.care_visited_on_time < c.care.care_households);
    let due = gridbook::care::due(&store, gridbook::vocab::care::shipped(), now(), None).unwrap();
    assert!(due.iter().any(|d| d.days_overdue > 7));
    assert!(due.iter().any(|d| d.days_overdue < 7));
    assert!(due.iter().any(|d| d.groups.iter().any(|g| g == "aged-80")));
    // Service activities over a few months, each with 1 to 4 members.
    let events: Vec<Event> = store.events().map(Result::unwrap).collect();
    let acts: Vec<_> = events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Activity(ActivityBody { members, .. }) => Some((e.at, members.len())),
            _ => None,
        })
        .collect();
    assert!(acts.len() >= 10, "{} activities", acts.len());
    assert!(acts.iter().all(|(_, n)| (1..=4).contains(n)));
    let oldest = acts.iter().map(|(t, _)| *t).min().unwrap();
    assert!(oldest.days_before(now()) >= 90);
}

/// The report reads the estate in two passes (households in key order,
/// residents on a thread beside it) from views of the stored bytes: each
/// building's figures must be what reading its households and residents
/// one by one gives, and households not visited come longest first, ties
/// in area, building and household order.
#[test]
fn the_estate_passes_count_what_reading_each_building_gives() {
    let store = Store::memory().unwrap();
    gridbook::clock::pin(now(), jiff::tz::TimeZone::fixed(jiff::tz::offset(8)));
    gridbook::demo::load(&store, now()).unwrap();
    let groups = gridbook::vocab::care::shipped();
    let since = now().minus_days(90);
    let c = report::coverage(&store, now(), 90, None, groups).unwrap();
    let mut place = std::collections::HashMap::new();
    let mut areas = 0;
    for (ai, a) in store.areas().unwrap().into_iter().enumerate() {
        areas += 1;
        let ac = &c.by_area[ai];
        for (bi, b) in store
            .buildings_of(a.meta.id)
            .unwrap()
            .into_iter()
            .enumerate()
        {
            let bc = &ac.by_building[bi];
            assert_eq!(bc.id, b.meta.id.to_string());
            let (mut households, mut visited, mut vacant, mut rented) = (0, 0, 0, 0);
            let (mut care, mut on_time) = (0, 0);
            for h in store.households_of(b.meta.id).unwrap() {
                place.insert(h.meta.id.to_string(), (ai, bi, h.meta.id));
                households += 1;
                let last = store.last_visit(h.meta.id).unwrap().map(|(t, _)| t);
                match h.occupancy {
                    Occupancy::Vacant => vacant += 1,
                    Occupancy::Rented => rented += 1,
                    _ => {}
                }
                if h.occupancy != Occupancy::Vacant && last.is_some_and(|t| t >= since) {
                    visited += 1;
                }
                let rs = store.residents_of(h.meta.id).unwrap();
                if let Some(st) =
                    gridbook::care::standing(groups, &rs, last.map(|t| t.date()), now())
                {
                    care += 1;
                    on_time += usize::from(st.overdue.is_none());
                }
            }
            assert_eq!(
                (bc.households, bc.visited, bc.vacant, bc.rented),
                (households, visited, vacant, rented),
                "{}",
                b.name
            );
            assert_eq!(
                (bc.care.care_households, bc.care.care_visited_on_time),
                (care, on_time),
                "{}",
                b.name
            );
        }
    }
    assert_eq!(c.by_area.len(), areas);
    assert!(c.care.care_households > 0);
    // Longest neglected first; ties in area, building, household order.
    let key = |s: &report::Stale| {
        let (a, b, id) = place[&s.id];
        (std::cmp::Reverse(s.days.unwrap_or(i64::MAX)), a, b, id)
    };
    assert!(c.not_visited.len() > 100);
    assert!(
        c.not_visited.windows(2).all(|w| key(&w[0]) < key(&w[1])),
        "not visited out of order"
    );
}
