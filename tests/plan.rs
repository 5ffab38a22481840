//! The building plan through the core: floors from room numbers under a
//! building's numbering rule, and what each door shows.

use gridbook::model::*;
use gridbook::ops::{self, Ctx, ResidentInput, VisitInput};
use gridbook::plan::{self, Flag};
use gridbook::store::Store;
use gridbook::vocab;

fn now() -> Ts {
    let t: jiff::Timestamp = "2026-12-01T06:30:00Z".parse().unwrap();
    Ts(t.as_millisecond())
}

fn ctx() -> Ctx {
    Ctx {
        by: None,
        now: Ts(now().0 - 100 * DAY_MS),
    }
}

#[test]
fn floors_top_first_units_in_order_and_an_other_row() {
    gridbook::clock::pin(now(), jiff::tz::TimeZone::fixed(jiff::tz::offset(8)));
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let area = ops::add_area(&store, ctx(), "胜利花苑", "slhy")
        .unwrap()
        .meta
        .id;
    let b = ops::add_building(&store, ctx(), area, "9栋", "9")
        .unwrap()
        .meta
        .id;
    let mut ids = std::collections::HashMap::new();
    for (unit, room) in [
        ("1", "101"),
        ("1", "102"),
        ("2", "101"),
        ("1", "1601"),
        ("10", "501"),
        ("2", "501"),
        ("1", "B1-01"),
        ("1", "门面"),
    ] {
        let h = ops::add_household(&store, ctx(), b, unit, room, "").unwrap();
        ids.insert(h.label(), h.meta.id);
    }
    let head = ResidentInput {
        name: "周海燕".into(),
        phones: "13805461234".into(),
        relation: "户主".into(),
        tags: String::new(),
        notes: String::new(),
    };
    ops::add_resident(&store, ctx(), ids["2-501"], &head).unwrap();
    let m = ops::add_member(
        &store,
        ctx(),
        "赵建国",
        "13800000001",
        MemberKind::GridWorker,
        "",
    )
    .unwrap()
    .meta
    .id;
    ops::log_visit(
        &store,
        Ctx {
            by: None,
            now: now(),
        },
        &VisitInput {
            household: ids["2-501"],
            member: m,
            at: Ts(now().0 - 5 * DAY_MS),
            purpose: "routine".into(),
            note: String::new(),
            follow_up: None,
        },
    )
    .unwrap();
    ops::edit_place(&store, ctx(), ids["1-102"], &[("status", "空置")]).unwrap();
    ops::edit_place(&store, ctx(), ids["2-101"], &[("status", "rented")]).unwrap();
    let err = ops::edit_place(&store, ctx(), ids["2-101"], &[("status", "sold")]).unwrap_err();
    assert!(err.to_string().contains("owner (自住)"), "{err}");

    let groups = vocab::care::groups(None).unwrap();
    let building = store.building(b).unwrap().unwrap();
    let p = plan::build(&store, &building, now(), 90, &groups).unwrap();
    assert_eq!(p.building, "胜利花苑/9栋");
    assert_eq!(p.units, ["1", "2", "10"]);
    let rows: Vec<(Option<i32>, Vec<&str>)> = p
        .floors
        .iter()
        .map(|f| {
            (
                f.floor,
                f.households.iter().map(|d| d.room.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (Some(16), vec!["1-1601"]),
            (Some(5), vec!["2-501", "10-501"]),
            (Some(1), vec!["1-101", "1-102", "2-101"]),
            (Some(-1), vec!["1-B1-01"]),
            (None, vec!["1-门面"]),
        ]
    );
    let door = |room: &str| {
        p.floors
            .iter()
            .flat_map(|f| &f.households)
            .find(|d| d.room == room)
            .unwrap()
    };
    assert_eq!(door("2-501").flags, [Flag::Visited]);
    assert_eq!(door("2-501").head.as_deref(), Some("周海燕"));
    assert_eq!(door("1-102").flags, [Flag::Vacant]);
    assert_eq!(door("2-101").flags, [Flag::NotVisited, Flag::Rented]);
    assert_eq!(p.summary.households, 8);
    assert_eq!(
        (p.summary.visited, p.summary.vacant, p.summary.rented),
        (1, 1, 1)
    );
    assert_eq!(p.summary.visited_pct, 14.3); // 1 of the 7 that are not vacant

    // Shops take the ground floor: 101 is on floor 2.
    ops::edit_place(&store, ctx(), b, &[("first_floor", "2")]).unwrap();
    let building = store.building(b).unwrap().unwrap();
    let p = plan::build(&store, &building, now(), 90, &groups).unwrap();
    assert_eq!(p.floors[0].floor, Some(17));
    assert!(
        p.floors
            .iter()
            .any(|f| f.floor == Some(2) && f.households.len() == 3)
    );
    let err = ops::edit_place(&store, ctx(), b, &[("first_floor", "zero")]).unwrap_err();
    assert!(err.to_string().contains("first floor"), "{err}");
}
