//! Care groups and members' service through the core's operations: who is
//! due for a care visit and what each member did.

use gridbook::care;
use gridbook::model::*;
use gridbook::ops::{self, Ctx, ResidentInput, VisitInput};
use gridbook::period::{Flags, Period};
use gridbook::service::{self, ActivityInput, MemberFilter};
use gridbook::store::Store;
use gridbook::vocab::{self, Vocabulary};

fn now() -> Ts {
    let t: jiff::Timestamp = "2026-12-01T06:30:00Z".parse().unwrap();
    Ts(t.as_millisecond())
}

fn ago(days: i64) -> Ts {
    Ts(now().0 - days * DAY_MS)
}

fn ctx_at(t: Ts) -> Ctx {
    Ctx { by: None, now: t }
}

struct Estate {
    _dir: tempfile::TempDir,
    store: Store,
    area: Id,
    household: Id,
    elder: Id,
    zhao: Id,
    sun: Id,
    groups: Vocabulary,
}

fn estate() -> Estate {
    gridbook::clock::pin(now(), jiff::tz::TimeZone::fixed(jiff::tz::offset(8)));
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let ctx = ctx_at(ago(60));
    let area = ops::add_area(&store, ctx, "胜利花苑", "slhy")
        .unwrap()
        .meta
        .id;
    let b = ops::add_building(&store, ctx, area, "3栋", "3")
        .unwrap()
        .meta
        .id;
    let household = ops::add_household(&store, ctx, b, "2", "501", "")
        .unwrap()
        .meta
        .id;
    let input = |name: &str, phone: &str, relation: &str| ResidentInput {
        name: name.into(),
        phones: phone.into(),
        relation: relation.into(),
        tags: String::new(),
        notes: String::new(),
    };
    let elder = ops::add_resident(&store, ctx, household, &input("吕桂英", "", "户主"))
        .unwrap()
        .meta
        .id;
    ops::add_resident(
        &store,
        ctx,
        household,
        &input("吕德", "13805461234", "子女"),
    )
    .unwrap();
    let zhao = ops::add_member(
        &store,
        ctx,
        "赵建国",
        "13800000001",
        MemberKind::PartyMember,
        "",
    )
    .unwrap()
    .meta
    .id;
    let sun = ops::add_member(
        &store,
        ctx,
        "孙丽",
        "13800000002",
        MemberKind::PartyMember,
        "流动",
    )
    .unwrap()
    .meta
    .id;
    Estate {
        _dir: dir,
        store,
        area,
        household,
        elder,
        zhao,
        sun,
        groups: vocab::care::groups(None).unwrap(),
    }
}

fn visit(e: &Estate, member: Id, at: Ts) {
    ops::log_visit(
        &e.store,
        ctx_at(at),
        &VisitInput {
            household: e.household,
            member,
            at,
            purpose: "routine".into(),
            note: String::new(),
            follow_up: None,
        },
    )
    .unwrap();
}

#[test]
fn an_elder_living_alone_visited_ten_days_ago_is_three_days_overdue() {
    let e = estate();
    let code = care::set_group(
        &e.store,
        ctx_at(ago(30)),
        e.elder,
        "独居老人",
        true,
        &e.groups,
    )
    .unwrap();
    assert_eq!(code, "alone-elder");
    visit(&e, e.zhao, ago(10));
    let due = care::due(&e.store, &e.groups, now(), None).unwrap();
    assert_eq!(due.len(), 1);
    let d = &due[0];
    assert_eq!(d.address, "胜利花苑/3栋/2-501");
    assert_eq!(d.head.as_deref(), Some("吕桂英"));
    // The head has no phone: the first number in the household, named.
    assert_eq!(d.phone.as_deref(), Some("13805461234"));
    assert_eq!(d.phone_of.as_deref(), Some("吕德"));
    assert_eq!(d.groups, vec!["alone-elder"]);
    assert_eq!(d.cadence_days, 7);
    assert_eq!(d.last_visit.as_deref(), Some("2026-11-21"));
    assert_eq!(d.days_overdue, 3);
    // Only for the member who covers it.
    assert!(
        care::due(&e.store, &e.groups, now(), Some(e.zhao))
            .unwrap()
            .is_empty()
    );
    ops::assign(
        &e.store,
        ctx_at(ago(20)),
        e.area,
        e.zhao,
        Role::Responsible,
        ago(20),
        None,
    )
    .unwrap();
    assert_eq!(
        care::due(&e.store, &e.groups, now(), Some(e.zhao))
            .unwrap()
            .len(),
        1
    );

    // A visit today clears it.
    visit(&e, e.zhao, now());
    assert!(
        care::due(&e.store, &e.groups, now(), None)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn taking_a_resident_out_of_a_group_and_unknown_groups() {
    let e = estate();
    care::set_group(
        &e.store,
        ctx_at(ago(3)),
        e.elder,
        "low-income",
        true,
        &e.groups,
    )
    .unwrap();
    // Never visited: due from the day the group was set, three days ago.
    let due = care::due(&e.store, &e.groups, now(), None).unwrap();
    assert_eq!(
        (
            due[0].cadence_days,
            due[0].days_overdue,
            due[0].last_visit.clone()
        ),
        (30, 3, None)
    );
    care::set_group(&e.store, ctx_at(ago(2)), e.elder, "残疾人", true, &e.groups).unwrap();
    care::set_group(
        &e.store,
        ctx_at(ago(1)),
        e.elder,
        "低保户",
        false,
        &e.groups,
    )
    .unwrap();
    let r = e.store.resident(e.elder).unwrap().unwrap();
    assert_eq!(
        r.care.iter().map(|m| m.group.as_str()).collect::<Vec<_>>(),
        ["disabled"]
    );
    let err =
        care::set_group(&e.store, ctx_at(now()), e.elder, "贫困", true, &e.groups).unwrap_err();
    assert!(err.to_string().contains("alone-elder"), "{err}");
}

#[test]
fn residents_of_eighty_join_the_aged_group_by_birth_year() {
    let e = estate();
    let mut r = e.store.resident(e.elder).unwrap().unwrap();
    r.birth_year = Some(1940);
    let g = care::groups_of(&r, now().date());
    assert_eq!(
        g.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(),
        ["aged-80"]
    );
    r.birth_year = Some(1950);
    assert!(care::groups_of(&r, now().date()).is_empty());
}

#[test]
fn an_activity_of_two_hours_counts_for_each_member() {
    let e = estate();
    let kinds = vocab::activity_kinds(None).unwrap();
    let input = ActivityInput {
        zone: e.area,
        at: ago(2),
        kind: "党员奉献日".into(),
        minutes: 120,
        members: vec![e.zhao, e.sun],
        note: "清理楼道杂物".into(),
    };
    let ev = service::log_activity(&e.store, ctx_at(now()), &input, &kinds).unwrap();
    assert!(
        matches!(&ev.body, EventBody::Activity(ActivityBody { kind, .. }) if kind == "dedication-day")
    );
    let tz = gridbook::clock::tz();
    let month = Period::from_flags(
        &Flags {
            days: Some(30),
            ..Flags::default()
        },
        30,
        now(),
        &tz,
    )
    .unwrap();
    let rows = service::contributions(&e.store, &month, now(), &e.groups, &MemberFilter::default())
        .unwrap();
    assert_eq!(rows.len(), 2);
    for r in &rows {
        assert_eq!((r.activities, r.service_hours), (1, 2.0), "{}", r.name);
    }
    // A period before it: both members listed, with nothing.
    let before = Period::from_flags(
        &Flags {
            to: Some("2026-11-01".into()),
            ..Flags::default()
        },
        30,
        now(),
        &tz,
    )
    .unwrap();
    let rows = service::contributions(
        &e.store,
        &before,
        now(),
        &e.groups,
        &MemberFilter::default(),
    )
    .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r.activities == 0 && r.service_hours == 0.0)
    );
    // Filter by tag.
    let f = MemberFilter {
        tag: Some("流动".into()),
        ..MemberFilter::default()
    };
    let rows = service::contributions(&e.store, &month, now(), &e.groups, &f).unwrap();
    assert_eq!(
        rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["孙丽"]
    );
}

#[test]
fn activities_refuse_bad_input_and_write_nothing() {
    let e = estate();
    let kinds = vocab::activity_kinds(None).unwrap();
    let good = ActivityInput {
        zone: e.area,
        at: ago(1),
        kind: "volunteer".into(),
        minutes: 60,
        members: vec![e.zhao],
        note: String::new(),
    };
    let before = e.store.event_count().unwrap();
    let cases = [
        (
            ActivityInput {
                kind: "party".into(),
                ..good.clone()
            },
            "dedication-day",
        ),
        (
            ActivityInput {
                members: vec![],
                ..good.clone()
            },
            "at least one member",
        ),
        (
            ActivityInput {
                minutes: 0,
                ..good.clone()
            },
            "24 hours",
        ),
        (
            ActivityInput {
                minutes: 24 * 60 + 1,
                ..good.clone()
            },
            "24 hours",
        ),
        (
            ActivityInput {
                at: Ts(now().0 + 2 * 3_600_000),
                ..good.clone()
            },
            "more than an hour ahead",
        ),
        (
            ActivityInput {
                members: vec![Id::new()],
                ..good.clone()
            },
            "no such member",
        ),
    ];
    for (input, want) in cases {
        let err = service::log_activity(&e.store, ctx_at(now()), &input, &kinds).unwrap_err();
        assert!(err.to_string().contains(want), "{input:?}: {err}");
    }
    assert_eq!(e.store.event_count().unwrap(), before);
}

#[test]
fn care_visits_on_time_and_liaison_households_visited() {
    let e = estate();
    care::set_group(
        &e.store,
        ctx_at(ago(40)),
        e.elder,
        "独居老人",
        true,
        &e.groups,
    )
    .unwrap();
    ops::assign(
        &e.store,
        ctx_at(ago(40)),
        e.household,
        e.sun,
        Role::Liaison,
        ago(40),
        None,
    )
    .unwrap();
    // Cadence 7: 40→35 on time (5 days after the group was set), 35→20 late, 20→15 on time.
    visit(&e, e.sun, ago(35));
    visit(&e, e.sun, ago(20));
    visit(&e, e.zhao, ago(15));
    let tz = gridbook::clock::tz();
    let p = Period::from_flags(
        &Flags {
            days: Some(30),
            ..Flags::default()
        },
        30,
        now(),
        &tz,
    )
    .unwrap();
    let rows =
        service::contributions(&e.store, &p, now(), &e.groups, &MemberFilter::default()).unwrap();
    let sun = rows.iter().find(|r| r.name == "孙丽").unwrap();
    let zhao = rows.iter().find(|r| r.name == "赵建国").unwrap();
    // Only visits inside the last 30 days count: 孙丽's at -20 (late), 赵建国's at -15 (on time).
    assert_eq!(
        (sun.visits, sun.care_visits_on_time, sun.liaison_visited),
        (1, 0, 1)
    );
    assert_eq!(
        (zhao.visits, zhao.care_visits_on_time, zhao.liaison_visited),
        (1, 1, 0)
    );
}
