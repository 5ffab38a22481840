//! Rules that keep the derived state honest: rebuilding indexes replays
//! events in the order they were written, and one responsible member at a time.

use gridbook::model::*;
use gridbook::ops::{self, Ctx};
use gridbook::store::Store;

const DAY: i64 = gridbook::model::DAY_MS;

fn now() -> Ts {
    let t: jiff::Timestamp = "2026-11-28T06:30:00Z".parse().unwrap();
    Ts(t.as_millisecond())
}

fn ago(days: i64) -> Ts {
    Ts(now().0 - days * DAY)
}

struct Small {
    _dir: tempfile::TempDir,
    store: Store,
    building: Id,
    household: Id,
    a: Id,
    b: Id,
}

fn small() -> Small {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let ctx = Ctx {
        by: None,
        now: now(),
    };
    let area = ops::add_area(&store, ctx, "幸福小区", "xf")
        .unwrap()
        .meta
        .id;
    let building = ops::add_building(&store, ctx, area, "3栋", "3")
        .unwrap()
        .meta
        .id;
    let household = ops::add_household(&store, ctx, building, "2", "501", "")
        .unwrap()
        .meta
        .id;
    let a = ops::add_member(
        &store,
        ctx,
        "张三",
        "13800000001",
        MemberKind::GridWorker,
        "",
    )
    .unwrap()
    .meta
    .id;
    let b = ops::add_member(
        &store,
        ctx,
        "李四",
        "13800000002",
        MemberKind::BuildingHead,
        "",
    )
    .unwrap()
    .meta
    .id;
    Small {
        _dir: dir,
        store,
        building,
        household,
        a,
        b,
    }
}

#[test]
fn rebuild_replays_problem_steps_in_the_order_they_were_written() {
    let s = small();
    let ctx = Ctx {
        by: None,
        now: now(),
    };
    let p = ops::open_problem(
        &s.store,
        ctx,
        &ops::ProblemInput {
            zone: s.household,
            at: ago(10),
            category: "repair".into(),
            description: "水管漏水".into(),
            reporter: None,
            urgency: Urgency::Normal,
        },
    )
    .unwrap()
    .id;
    // Resolved "yesterday", then reopened with an earlier date: the later write wins.
    ops::step_problem(&s.store, ctx, p, ProblemStep::Resolved, "修好了", ago(1)).unwrap();
    ops::step_problem(&s.store, ctx, p, ProblemStep::Reopened, "又漏了", ago(5)).unwrap();
    assert!(s.store.is_problem_open(p).unwrap());
    assert!(s.store.check().unwrap().is_clean());
    s.store.rebuild().unwrap();
    assert!(s.store.is_problem_open(p).unwrap(), "rebuild keeps it open");
    assert!(s.store.check().unwrap().is_clean());
}

#[test]
fn rebuild_keeps_an_assignment_ended_early_by_a_later_write() {
    let s = small();
    let ctx = Ctx {
        by: None,
        now: now(),
    };
    let a = ops::assign(
        &s.store,
        ctx,
        s.building,
        s.a,
        Role::Responsible,
        ago(30),
        None,
    )
    .unwrap()
    .id;
    ops::end_assignment(&s.store, ctx, a, Ts(now().0 + 10 * DAY)).unwrap();
    ops::assign(
        &s.store,
        ctx,
        s.building,
        s.b,
        Role::Responsible,
        Ts(now().0 + 3 * DAY),
        None,
    )
    .unwrap();
    let until = |st: &Store| {
        st.assignments_of(s.building)
            .unwrap()
            .into_iter()
            .find(|x| x.id == a)
            .unwrap()
            .until
    };
    assert_eq!(until(&s.store), Some(Ts(now().0 + 3 * DAY)));
    assert!(s.store.check().unwrap().is_clean());
    s.store.rebuild().unwrap();
    assert_eq!(until(&s.store), Some(Ts(now().0 + 3 * DAY)));
}

#[test]
fn two_responsible_members_never_overlap() {
    let s = small();
    let ctx = Ctx {
        by: None,
        now: now(),
    };
    ops::assign(
        &s.store,
        ctx,
        s.building,
        s.a,
        Role::Responsible,
        ago(5),
        None,
    )
    .unwrap();
    let before = s.store.event_count().unwrap();
    // Starting before the current one would leave both active.
    let err = ops::assign(
        &s.store,
        ctx,
        s.building,
        s.b,
        Role::Responsible,
        ago(10),
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("must start after"), "{err}");
    assert_eq!(s.store.event_count().unwrap(), before);
    // Starting after it ends the current span there.
    ops::assign(
        &s.store,
        ctx,
        s.building,
        s.b,
        Role::Responsible,
        ago(1),
        None,
    )
    .unwrap();
    let active: Vec<Id> = s
        .store
        .assignments_of(s.building)
        .unwrap()
        .into_iter()
        .filter(|x| x.active_at(now()))
        .map(|x| x.member)
        .collect();
    assert_eq!(active, vec![s.b]);
}

#[test]
fn deleted_households_are_not_counted_in_workload() {
    let s = small();
    let ctx = Ctx {
        by: None,
        now: now(),
    };
    let other = ops::add_household(&s.store, ctx, s.building, "2", "502", "")
        .unwrap()
        .meta
        .id;
    ops::assign(
        &s.store,
        ctx,
        s.building,
        s.a,
        Role::Responsible,
        ago(5),
        None,
    )
    .unwrap();
    let covered = |st: &Store| {
        gridbook::report::members(st, now())
            .unwrap()
            .into_iter()
            .find(|w| w.name == "张三")
            .unwrap()
            .households_covered
    };
    assert_eq!(covered(&s.store), 2);
    ops::tombstone(&s.store, ctx, other, "拆除").unwrap();
    assert_eq!(covered(&s.store), 1);
    let _ = s.household;
}

#[test]
fn amending_a_visit_moves_its_follow_up() {
    let s = small();
    let ctx = Ctx {
        by: None,
        now: now(),
    };
    let due = |st: &Store| -> Vec<String> {
        gridbook::report::today(st, now(), None, 90, 7, gridbook::vocab::care::shipped())
            .unwrap()
            .follow_ups
            .into_iter()
            .map(|f| f.due)
            .collect()
    };
    let visit = ops::log_visit(
        &s.store,
        ctx,
        &ops::VisitInput {
            household: s.household,
            member: s.a,
            at: ago(10),
            purpose: "routine".into(),
            note: "约好回访".into(),
            follow_up: Some(ago(3).date()),
        },
    )
    .unwrap();
    assert_eq!(due(&s.store), vec![ago(3).date().to_string()]);
    let with_follow_up = |d: Option<Date>| {
        EventBody::Visit(VisitBody {
            household: s.household,
            member: s.a,
            purpose: "routine".into(),
            note: "约好回访".into(),
            follow_up: d,
        })
    };
    ops::amend(&s.store, ctx, visit.id, with_follow_up(None), "不用回访").unwrap();
    assert!(due(&s.store).is_empty(), "the follow-up is gone");
    ops::amend(
        &s.store,
        ctx,
        visit.id,
        with_follow_up(Some(ago(1).date())),
        "还是要去",
    )
    .unwrap();
    assert_eq!(due(&s.store), vec![ago(1).date().to_string()]);
    assert!(s.store.check().unwrap().is_clean());
    s.store.rebuild().unwrap();
    assert_eq!(due(&s.store), vec![ago(1).date().to_string()]);
}

#[test]
fn the_latest_correction_is_what_an_entry_says() {
    let s = small();
    let ctx = Ctx {
        by: None,
        now: now(),
    };
    let visit = ops::log_visit(
        &s.store,
        ctx,
        &ops::VisitInput {
            household: s.household,
            member: s.a,
            at: ago(2),
            purpose: "routine".into(),
            note: "第一次".into(),
            follow_up: None,
        },
    )
    .unwrap();
    let note_now = |st: &Store| match st.effective_body(&visit).unwrap() {
        EventBody::Visit(VisitBody { note, .. }) => note,
        other => panic!("{other:?}"),
    };
    assert_eq!(note_now(&s.store), "第一次");
    for note in ["第二次", "第三次"] {
        let body = EventBody::Visit(VisitBody {
            household: s.household,
            member: s.a,
            purpose: "routine".into(),
            note: note.into(),
            follow_up: None,
        });
        ops::amend(&s.store, ctx, visit.id, body, "更正").unwrap();
    }
    assert_eq!(note_now(&s.store), "第三次");
    assert!(s.store.check().unwrap().is_clean());
}

/// A correction says what happened at the visit, not where: the household
/// stays (a follow-up is done by the household's later visits, which the
/// visit it came from is counted among).
#[test]
fn a_correction_keeps_the_visits_household() {
    let s = small();
    let ctx = Ctx {
        by: None,
        now: now(),
    };
    let visit = ops::log_visit(
        &s.store,
        ctx,
        &ops::VisitInput {
            household: s.household,
            member: s.a,
            at: ago(2),
            purpose: "routine".into(),
            note: "走错门了".into(),
            follow_up: Some(ago(1).date()),
        },
    )
    .unwrap();
    let elsewhere = ops::add_household(&s.store, ctx, s.building, "2", "502", "").unwrap();
    let moved = EventBody::Visit(VisitBody {
        household: elsewhere.meta.id,
        member: s.a,
        purpose: "routine".into(),
        note: "走错门了".into(),
        follow_up: Some(ago(1).date()),
    });
    let err = ops::amend(&s.store, ctx, visit.id, moved, "换户").unwrap_err();
    assert!(err.to_string().contains("household"), "{err}");
    assert!(s.store.amendments_of(visit.id).unwrap().is_empty());
}
