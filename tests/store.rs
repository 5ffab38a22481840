//! The store through its typed operations. Every test that is not about
//! files on disk runs twice: on the sled engine in a throw-away directory,
//! and on the in-memory engine.

use std::path::Path;

use gridbook::cover;
use gridbook::model::*;
use gridbook::ops::{self, Ctx, ProblemInput, VisitInput};
use gridbook::store::{Changes, Memory, SCHEMA_VERSION, Store, StoreError, Writes};

const DAY: i64 = 86_400_000;
/// A fixed "now" so spans and timelines do not depend on the clock.
const NOW: Ts = Ts(1_790_000_000_000);

fn ctx() -> Ctx {
    Ctx { by: None, now: NOW }
}

fn ago(days: i64) -> Ts {
    Ts(NOW.0 - days * DAY)
}

/// Two areas; the first has buildings 1 and 2, building 1 has rooms 1-101 and 1-102.
struct Estate {
    xf: Area,
    hl: Area,
    b1: Building,
    b2: Building,
    h101: Household,
    h102: Household,
    h201: Household,
    wang: Member,
    li: Member,
}

fn estate(store: &Store) -> Estate {
    let c = ctx();
    let xf = ops::add_area(store, c, "幸福小区", "xf").unwrap();
    let hl = ops::add_area(store, c, "和乐家园", "hl").unwrap();
    let b1 = ops::add_building(store, c, xf.meta.id, "1栋", "1").unwrap();
    let b2 = ops::add_building(store, c, xf.meta.id, "2栋", "2").unwrap();
    let h101 = ops::add_household(store, c, b1.meta.id, "1", "101", "").unwrap();
    let h102 = ops::add_household(store, c, b1.meta.id, "1", "102", "独居老人").unwrap();
    let h201 = ops::add_household(store, c, b2.meta.id, "1", "201", "").unwrap();
    let wang =
        ops::add_member(store, c, "王芳", "13800000001", MemberKind::GridWorker, "").unwrap();
    let li = ops::add_member(
        store,
        c,
        "李强",
        "13800000002",
        MemberKind::PartyMember,
        "复转军人",
    )
    .unwrap();
    Estate {
        xf,
        hl,
        b1,
        b2,
        h101,
        h102,
        h201,
        wang,
        li,
    }
}

fn open(dir: &Path) -> Store {
    Store::open(dir).expect("open store")
}

/// Where a test's store lives: a data directory (the sled engine) or
/// in-memory data. Either can be closed and opened again.
enum Place {
    Disk(tempfile::TempDir),
    Memory(Memory),
}

impl Place {
    fn disk() -> Place {
        Place::Disk(tempfile::tempdir().unwrap())
    }
    fn memory() -> Place {
        Place::Memory(Memory::new())
    }
    fn open(&self) -> Store {
        match self {
            Place::Disk(d) => open(d.path()),
            Place::Memory(m) => Store::open_memory(m).expect("open store in memory"),
        }
    }
    fn try_open(&self) -> Result<Store, StoreError> {
        match self {
            Place::Disk(d) => Store::open(d.path()),
            Place::Memory(m) => Store::open_memory(m),
        }
    }
}

/// Defines each test body once and runs it on both engines, as
/// `on_sled::NAME` and `in_memory::NAME`.
macro_rules! on_both_engines {
    ($(fn $name:ident($p:ident: &Place) $body:block)*) => {
        $(fn $name($p: &Place) $body)*
        mod on_sled {
            $(#[test]
            fn $name() {
                super::$name(&super::Place::disk())
            })*
        }
        mod in_memory {
            $(#[test]
            fn $name() {
                super::$name(&super::Place::memory())
            })*
        }
    };
}

fn visit(store: &Store, household: Id, member: Id, at: Ts, note: &str) -> Event {
    ops::log_visit(
        store,
        ctx(),
        &VisitInput {
            household,
            member,
            at,
            purpose: "routine".into(),
            note: note.into(),
            follow_up: None,
        },
    )
    .unwrap()
}

fn problem(store: &Store, zone: Id, at: Ts, what: &str) -> Event {
    ops::open_problem(
        store,
        ctx(),
        &ProblemInput {
            zone,
            at,
            category: "repair".into(),
            description: what.into(),
            reporter: None,
            urgency: Urgency::Normal,
        },
    )
    .unwrap()
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> Id) -> Vec<Id> {
    items.iter().map(id).collect()
}

/// A store with some of everything: assignments, visits with follow-ups,
/// problems in every state, patrols that open problems, edits, amendments.
fn busy(store: &Store) -> Estate {
    let e = estate(store);
    let c = ctx();
    let (wang, li) = (e.wang.meta.id, e.li.meta.id);
    ops::assign(
        store,
        c,
        e.xf.meta.id,
        wang,
        Role::Responsible,
        ago(60),
        None,
    )
    .unwrap();
    ops::assign(store, c, e.b1.meta.id, li, Role::Responsible, ago(50), None).unwrap();
    ops::assign(
        store,
        c,
        e.b1.meta.id,
        wang,
        Role::Responsible,
        ago(40),
        None,
    )
    .unwrap();
    ops::assign(store, c, e.h101.meta.id, li, Role::Liaison, ago(40), None).unwrap();
    let v = ops::log_visit(
        store,
        c,
        &VisitInput {
            household: e.h102.meta.id,
            member: li,
            at: ago(7),
            purpose: "elderly-care".into(),
            note: "老人身体状况良好".into(),
            follow_up: Some(Date {
                year: 2026,
                month: 9,
                day: 30,
            }),
        },
    )
    .unwrap();
    visit(
        store,
        e.h101.meta.id,
        wang,
        ago(6),
        "提醒电动车不要在楼道充电",
    );
    let p1 = problem(store, e.h101.meta.id, ago(5), "卫生间下水道堵塞");
    let p2 = problem(store, e.b2.meta.id, ago(5), "消防通道被占用");
    ops::step_problem(store, c, p1.id, ProblemStep::Resolved, "已疏通", ago(4)).unwrap();
    ops::step_problem(store, c, p1.id, ProblemStep::Reopened, "又堵了", ago(3)).unwrap();
    ops::step_problem(store, c, p2.id, ProblemStep::Comment, "已通知物业", ago(3)).unwrap();
    ops::log_patrol(
        store,
        c,
        ops::PatrolInput {
            zone: e.b1.meta.id,
            kind: PatrolKind::Security,
            at: ago(2),
            items: vec![
                CheckResult {
                    item: "灭火器在位".into(),
                    ok: false,
                    note: "过期".into(),
                },
                CheckResult {
                    item: "单元门禁正常".into(),
                    ok: true,
                    note: String::new(),
                },
            ],
            note: String::new(),
            open_problems: true,
        },
    )
    .unwrap();
    ops::edit_place(store, c, e.h102.meta.id, &[("notes", "独居老人，行动不便")]).unwrap();
    let EventBody::Visit(VisitBody {
        household, member, ..
    }) = v.body.clone()
    else {
        unreachable!()
    };
    ops::amend(
        store,
        c,
        v.id,
        EventBody::Visit(VisitBody {
            household,
            member,
            purpose: "elderly-care".into(),
            note: "老人身体状况良好，叮嘱注意保暖".into(),
            follow_up: None,
        }),
        "补充记录",
    )
    .unwrap();
    e
}

/// What the indexes answer, for comparing a store before and after a rebuild.
fn answers(store: &Store, e: &Estate) -> Vec<String> {
    let mut out = Vec::new();
    for zone in [
        e.xf.meta.id,
        e.b1.meta.id,
        e.b2.meta.id,
        e.h101.meta.id,
        e.h102.meta.id,
    ] {
        out.push(format!(
            "{:?}",
            ids(&store.timeline(zone, 1000).unwrap(), |ev| ev.id)
        ));
        out.push(format!("{:?}", store.open_problems_in(zone).unwrap()));
        out.push(format!("{:?}", store.assignments_of(zone).unwrap()));
        out.push(format!("{:?}", store.child_ids(zone).unwrap()));
    }
    out.push(format!("{:?}", store.open_problems().unwrap()));
    out.push(format!("{:?}", store.last_visit(e.h101.meta.id).unwrap()));
    out.push(format!(
        "{:?}",
        store
            .last_patrol(e.b1.meta.id, PatrolKind::Security)
            .unwrap()
    ));
    out.push(format!(
        "{:?}",
        store
            .follow_ups_until(Date {
                year: 2027,
                month: 1,
                day: 1
            })
            .unwrap()
    ));
    out.push(format!(
        "{:?}",
        ids(&store.member_timeline(e.li.meta.id, 1000).unwrap(), |ev| ev
            .id)
    ));
    out
}

on_both_engines! {
    fn hierarchy_lists_in_creation_order_and_hides_tombstones(p: &Place) {
        let store = p.open();
        let e = estate(&store);
        let c = ctx();

        assert_eq!(
            ids(&store.areas().unwrap(), |a| a.meta.id),
            [e.xf.meta.id, e.hl.meta.id]
        );
        assert_eq!(
            ids(&store.buildings_of(e.xf.meta.id).unwrap(), |b| b.meta.id),
            [e.b1.meta.id, e.b2.meta.id]
        );
        assert!(store.buildings_of(e.hl.meta.id).unwrap().is_empty());
        assert_eq!(
            ids(&store.households_of(e.b1.meta.id).unwrap(), |h| h.meta.id),
            [e.h101.meta.id, e.h102.meta.id]
        );
        let r1 = ops::add_resident(
            &store,
            c,
            e.h101.meta.id,
            &ops::ResidentInput {
                name: "张三".into(),
                phones: "13900000001".into(),
                relation: "户主".into(),
                ..Default::default()
            },
        )
        .unwrap();
        let r2 = ops::add_resident(
            &store,
            c,
            e.h101.meta.id,
            &ops::ResidentInput {
                name: "赵敏".into(),
                relation: "配偶".into(),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            ids(&store.residents_of(e.h101.meta.id).unwrap(), |r| r.meta.id),
            [r1.meta.id, r2.meta.id]
        );

        // A place with live children cannot go; an empty one can, and then it is
        // gone from lists but still readable, with its reason.
        assert!(ops::tombstone(&store, c, e.b2.meta.id, "拆迁").is_err());
        ops::tombstone(&store, c, e.h201.meta.id, "拆迁").unwrap();
        assert!(store.households_of(e.b2.meta.id).unwrap().is_empty());
        ops::tombstone(&store, c, e.b2.meta.id, "拆迁").unwrap();
        assert_eq!(
            ids(&store.buildings_of(e.xf.meta.id).unwrap(), |b| b.meta.id),
            [e.b1.meta.id]
        );
        let gone = store
            .building(e.b2.meta.id)
            .unwrap()
            .expect("still readable");
        assert_eq!(gone.meta.tombstone.as_ref().unwrap().reason, "拆迁");
        assert_eq!(gone.meta.version, 2);

        ops::tombstone(&store, c, r1.meta.id, "迁出").unwrap();
        assert_eq!(
            ids(&store.residents_of(e.h101.meta.id).unwrap(), |r| r.meta.id),
            [r2.meta.id]
        );
        ops::tombstone(&store, c, e.li.meta.id, "退休").unwrap();
        assert_eq!(
            ids(&store.members().unwrap(), |m| m.meta.id),
            [e.wang.meta.id]
        );
        // Deleting twice is refused.
        assert!(ops::tombstone(&store, c, r1.meta.id, "迁出").is_err());

        // The deletions are in the timeline as events.
        let tl = store.timeline(e.xf.meta.id, 100).unwrap();
        let deleted: Vec<Id> = tl
            .iter()
            .filter_map(|ev| match &ev.body {
                EventBody::Tombstoned { target, .. } => Some(*target),
                _ => None,
            })
            .collect();
        assert!(
            deleted.contains(&e.b2.meta.id)
                && deleted.contains(&e.h201.meta.id)
                && deleted.contains(&r1.meta.id)
        );
        assert!(store.check().unwrap().is_clean());
    }

    fn timeline_includes_children_newest_first(p: &Place) {
        let store = p.open();
        let e = estate(&store);
        let (xf, b1, b2) = (e.xf.meta.id, e.b1.meta.id, e.b2.meta.id);
        let (h101, h102, h201) = (e.h101.meta.id, e.h102.meta.id, e.h201.meta.id);
        let w = e.wang.meta.id;

        // Logged out of order: the timeline follows when things happened.
        let v1 = visit(&store, h101, w, ago(5), "家中一切正常");
        let v3 = visit(&store, h201, w, ago(1), "宣传冬季用气安全");
        let v2 = visit(&store, h102, w, ago(3), "独居老人，约定每周电话联系");
        let p = problem(&store, b1, ago(2), "楼道灯不亮");
        let patrol = ops::log_patrol(
            &store,
            ctx(),
            ops::PatrolInput {
                zone: xf,
                kind: PatrolKind::Hygiene,
                at: ago(4),
                items: vec![CheckResult {
                    item: "楼道整洁".into(),
                    ok: true,
                    note: String::new(),
                }],
                note: String::new(),
                open_problems: false,
            },
        )
        .unwrap()
        .patrol;

        let activity = |zone: Id| -> Vec<Id> {
            store
                .timeline(zone, 100)
                .unwrap()
                .into_iter()
                .filter(|ev| !matches!(ev.body, EventBody::Created { .. }))
                .map(|ev| ev.id)
                .collect()
        };
        assert_eq!(activity(xf), [v3.id, p.id, v2.id, patrol.id, v1.id]);
        assert_eq!(activity(b1), [p.id, v2.id, v1.id]);
        assert_eq!(activity(b2), [v3.id]);
        assert_eq!(activity(h101), [v1.id]);
        assert!(activity(e.hl.meta.id).is_empty());

        // Newest first over everything, limit respected.
        let all = store.timeline(xf, 100).unwrap();
        assert!(all.windows(2).all(|w| w[0].id > w[1].id));
        let top = store.timeline(xf, 3).unwrap();
        assert_eq!(ids(&top, |ev| ev.id), ids(&all[..3], |ev| ev.id));

        // The member's own timeline sees their visits.
        let mine: Vec<Id> = store
            .member_timeline(w, 100)
            .unwrap()
            .into_iter()
            .filter(|ev| matches!(ev.body, EventBody::Visit(_)))
            .map(|ev| ev.id)
            .collect();
        assert_eq!(mine, [v3.id, v2.id, v1.id]);
        assert_eq!(
            store.last_visit(h102).unwrap().map(|(_, id)| id),
            Some(v2.id)
        );
    }

    fn a_new_responsible_member_ends_the_previous_span(p: &Place) {
        let store = p.open();
        let e = estate(&store);
        let (b1, h101) = (e.b1.meta.id, e.h101.meta.id);
        let (wang, li) = (e.wang.meta.id, e.li.meta.id);

        let first = ops::assign(&store, ctx(), b1, wang, Role::Responsible, ago(30), None).unwrap();
        // The same member again is refused.
        assert!(ops::assign(&store, ctx(), b1, wang, Role::Responsible, ago(20), None).is_err());
        let c = cover::covering(&store, h101, NOW)
            .unwrap()
            .expect("covered");
        assert_eq!((c.member, c.via, c.direct), (wang, b1, false));

        let second = ops::assign(&store, ctx(), b1, li, Role::Responsible, ago(10), None).unwrap();
        let spans = store.assignments_of(b1).unwrap();
        assert_eq!(spans.len(), 2);
        let old = spans.iter().find(|a| a.id == first.id).unwrap();
        let new = spans.iter().find(|a| a.id == second.id).unwrap();
        assert_eq!((old.member, old.until), (wang, Some(ago(10))));
        assert_eq!((new.member, new.until), (li, None));
        assert!(old.active_at(ago(15)) && !old.active_at(ago(5)));

        // Coverage follows the span: li now, wang back then.
        let now = cover::covering(&store, h101, NOW).unwrap().unwrap();
        assert_eq!(now.member, li);
        let then = cover::covering(&store, h101, ago(15)).unwrap().unwrap();
        assert_eq!(then.member, wang);

        // A direct assignment on the household wins over the building's.
        ops::assign(&store, ctx(), h101, wang, Role::Responsible, ago(1), None).unwrap();
        let direct = cover::covering(&store, h101, NOW).unwrap().unwrap();
        assert_eq!((direct.member, direct.direct), (wang, true));
        // A liaison is for households only.
        assert!(ops::assign(&store, ctx(), b1, li, Role::Liaison, ago(1), None).is_err());
        ops::assign(&store, ctx(), h101, li, Role::Liaison, ago(1), None).unwrap();
        assert_eq!(cover::liaisons(&store, h101, NOW).unwrap()[0].0.meta.id, li);

        let of_wang: Vec<Id> = ids(&store.assignments_of_member(wang).unwrap(), |a| a.zone);
        assert_eq!(of_wang.len(), 2);
        assert!(of_wang.contains(&b1) && of_wang.contains(&h101));
        assert!(store.check().unwrap().is_clean());
    }

    fn open_problems_follow_open_resolve_reopen(p: &Place) {
        let store = p.open();
        let e = estate(&store);
        let (xf, b1, b2, h101) = (e.xf.meta.id, e.b1.meta.id, e.b2.meta.id, e.h101.meta.id);

        let leak = problem(&store, h101, ago(3), "厨房水管漏水");
        let light = problem(&store, b1, ago(2), "楼道灯不亮");
        let open_in = |zone: Id| {
            let mut v = store.open_problems_in(zone).unwrap();
            v.sort();
            v
        };
        let mut both = vec![leak.id, light.id];
        both.sort();
        assert_eq!(open_in(xf), both);
        assert_eq!(open_in(b1), both);
        assert_eq!(open_in(h101), [leak.id]);
        assert!(open_in(b2).is_empty());
        assert_eq!(store.open_problem_count(xf).unwrap(), 2);

        let step = |p: Id, s: ProblemStep, at: Ts| ops::step_problem(&store, ctx(), p, s, "已处理", at);
        step(leak.id, ProblemStep::Progress, ago(2)).unwrap();
        assert!(store.is_problem_open(leak.id).unwrap());
        step(leak.id, ProblemStep::Resolved, ago(1)).unwrap();
        assert!(!store.is_problem_open(leak.id).unwrap());
        assert_eq!(store.open_problems_in(xf).unwrap(), [light.id]);
        assert!(store.open_problems_in(h101).unwrap().is_empty());
        // Resolving twice, or reopening an open one, is refused.
        assert!(step(leak.id, ProblemStep::Resolved, ago(1)).is_err());
        assert!(step(light.id, ProblemStep::Reopened, ago(1)).is_err());
        // A step before the report is refused.
        assert!(step(light.id, ProblemStep::Comment, ago(9)).is_err());

        step(leak.id, ProblemStep::Reopened, ago(0)).unwrap();
        assert_eq!(store.open_problems_in(h101).unwrap(), [leak.id]);
        assert_eq!(store.open_problem_count(xf).unwrap(), 2);
        let mut all: Vec<(Id, Id)> = store.open_problems().unwrap();
        all.sort();
        let mut want = vec![(leak.id, h101), (light.id, b1)];
        want.sort();
        assert_eq!(all, want);
        assert!(store.check().unwrap().is_clean());
    }

    fn check_is_clean_after_operations(p: &Place) {
        let store = p.open();
        busy(&store);
        let report = store.check().unwrap();
        assert!(report.is_clean(), "{report:?}");
        assert!(report.ok > 0 && report.records > 0);
        // And after reopening.
        drop(store);
        let store = p.open();
        assert!(store.check().unwrap().is_clean());
    }

    fn rebuild_restores_damaged_indexes(p: &Place) {
        let store = p.open();
        let e = busy(&store);
        let before = answers(&store, &e);

        // Damage the derived trees as a crash or a bug might: drop timeline
        // entries, forget an open problem, invent one. This goes around the
        // store's rules on purpose (into sled's files, for sled); nothing in
        // gridbook may do it. Then close the store.
        {
            let raw = store.raw_for_tests();
            let keys: Vec<_> = raw.keys("idx_timeline").into_iter().step_by(3).collect();
            assert!(!keys.is_empty());
            for k in keys {
                raw.remove("idx_timeline", &k);
            }
            let first = raw.keys("idx_open_problems").into_iter().next().unwrap();
            raw.remove("idx_open_problems", &first);
            raw.insert("idx_open_problems", &Id(99).to_bytes(), &Id(98).to_bytes());
        }
        drop(store);

        let store = p.open();
        let report = store.check().unwrap();
        assert!(!report.is_clean(), "check must notice the damage");
        assert!(
            !report.missing.is_empty() && !report.extra.is_empty(),
            "{report:?}"
        );
        assert_ne!(answers(&store, &e), before);

        store.rebuild().unwrap();
        assert!(store.check().unwrap().is_clean());
        assert_eq!(answers(&store, &e), before);
        drop(store);
        let store = p.open();
        assert!(store.check().unwrap().is_clean());
        assert_eq!(answers(&store, &e), before);
    }

    fn an_unversioned_store_is_migrated(p: &Place) {
        let e;
        let before;
        {
            let store = p.open();
            e = busy(&store);
            before = answers(&store, &e);
            // A store from before versioning: records and events, no marker,
            // indexes incomplete.
            let raw = store.raw_for_tests();
            raw.remove("meta", b"schema");
            for name in ["idx_timeline", "idx_open_by_zone", "idx_children"] {
                raw.clear(name);
            }
        }
        let store = p.open();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert!(store.check().unwrap().is_clean());
        assert_eq!(answers(&store, &e), before);
    }

    fn a_schema_6_store_gains_the_care_index(p: &Place) {
        let (old, marked, young);
        {
            let store = p.open();
            let e = estate(&store);
            let add = |name: &str| {
                ops::add_resident(
                    &store,
                    ctx(),
                    e.h102.meta.id,
                    &ops::ResidentInput {
                        name: name.into(),
                        relation: "户主".into(),
                        ..Default::default()
                    },
                )
                .unwrap()
            };
            let (mut o, mut m, mut y) = (add("欧阳秀英"), add("马建国"), add("杨帆"));
            let mut w = Writes::new();
            o.birth_year = Some(1931);
            y.birth_year = Some(1990);
            m.care = vec![CareMark {
                group: "低保户".into(),
                since: ago(30),
            }];
            for r in [&mut o, &mut m, &mut y] {
                store.stage_update(&mut w, r).unwrap();
            }
            store.commit(w).unwrap();
            (old, marked, young) = (o.meta.id, m.meta.id, y.meta.id);
            // As schema 6 left it: no care index, and here an entry a
            // migration cut short could have left.
            store.set_schema_version_for_tests(6);
            let raw = store.raw_for_tests();
            raw.clear("idx_care");
            raw.insert("idx_care", &[0; 17], b"left over");
        }
        let store = p.open();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert!(store.check().unwrap().is_clean(), "{:?}", store.check());
        let born_by = |y: i16| {
            let mut out = Vec::new();
            store
                .each_care_candidate(y, |id| {
                    out.push(id);
                    Ok(true)
                })
                .unwrap();
            out
        };
        assert_eq!(born_by(1946), [marked, old]);
        assert_eq!(born_by(1990), [marked, old, young]);
    }

    fn a_newer_store_is_refused_and_left_as_it_is(p: &Place) {
        {
            let store = p.open();
            estate(&store);
            store.set_schema_version_for_tests(SCHEMA_VERSION + 1);
        }
        // Twice: the first refusal changed nothing.
        for _ in 0..2 {
            match p.try_open() {
                Err(e @ StoreError::TooNew { found, .. }) => {
                    assert_eq!(found, SCHEMA_VERSION + 1);
                    assert_eq!(
                        gridbook::fail::exit_code(gridbook::error::Kinded::kind(&e)),
                        3
                    );
                }
                Err(e) => panic!("expected TooNew, got {e}"),
                Ok(_) => panic!("a newer store must be refused"),
            }
        }
    }

    fn commits_say_what_changed(p: &Place) {
        let store = p.open();
        let e = estate(&store);
        let (xf, b1, h101) = (e.xf.meta.id, e.b1.meta.id, e.h101.meta.id);
        let (wang, li) = (e.wang.meta.id, e.li.meta.id);

        // Nothing staged, nothing changed.
        assert!(store.commit(Writes::new()).unwrap().is_empty());

        // A new building: the record, its creation, and the zones around it.
        let b3 = Building {
            meta: Meta::new(Some(wang)),
            area: xf,
            code: "3".into(),
            name: "3栋".into(),
            first_floor: 1,
            doors_per_floor: None,
        };
        let created = Event::new(
            b3.meta.id,
            NOW,
            Some(wang),
            EventBody::Created {
                target: b3.meta.id,
                kind: Kind::Building,
                label: b3.name.clone(),
            },
        );
        let mut w = Writes::new();
        store.stage_new(&mut w, &b3).unwrap();
        store.stage_event(&mut w, &created).unwrap();
        let staged = w.changes().clone();
        let c = store.commit(w).unwrap();
        assert_eq!(c, staged, "a commit returns what its write set staged");
        assert_eq!(
            c,
            Changes {
                records: [(b3.meta.id, Kind::Building)].into(),
                events: vec![created.id],
                zones: [b3.meta.id, xf].into(),
                members: [wang].into(),
            }
        );
        assert!(c.touches(xf) && c.touches(created.id) && !c.touches(b1));
        assert_eq!(c.records_of(Kind::Building).collect::<Vec<_>>(), [b3.meta.id]);

        // A visit: the household and every zone containing it, and the member.
        let v = visit(&store, h101, li, ago(1), "家中一切正常");
        let mut w = Writes::new();
        let v2 = Event::new(v.zone, ago(0), None, v.body.clone());
        store.stage_event(&mut w, &v2).unwrap();
        let c = store.commit(w).unwrap();
        assert_eq!(
            c,
            Changes {
                records: Default::default(),
                events: vec![v2.id],
                zones: [h101, b1, xf].into(),
                members: [li].into(),
            }
        );

        // Ending a span changes the responsibilities of the member it named.
        let first = ops::assign(&store, ctx(), b1, li, Role::Responsible, ago(9), None).unwrap();
        let ended = Event::new(
            b1,
            ago(2),
            None,
            EventBody::AssignmentEnded {
                assignment: first.id,
                until: ago(2),
            },
        );
        let mut w = Writes::new();
        store.stage_event(&mut w, &ended).unwrap();
        let c = store.commit(w).unwrap();
        assert_eq!((c.zones, c.members), ([b1, xf].into(), [li].into()));

        // An edit rewrites a record; a new member hangs nowhere but is a member
        // whose views changed. Several commits shown as one.
        let mut h = store.household(h101).unwrap().unwrap();
        h.notes = "独居老人".into();
        let mut w = Writes::new();
        store.stage_update(&mut w, &mut h).unwrap();
        let mut all = store.commit(w).unwrap();
        assert_eq!(all.records, [(h101, Kind::Household)].into());
        let zhao = Member {
            meta: Meta::new(None),
            name: "赵敏".into(),
            phone: String::new(),
            kind: MemberKind::Volunteer,
            tags: vec![],
            branch: String::new(),
        };
        let mut w = Writes::new();
        store.stage_new(&mut w, &zhao).unwrap();
        all.merge(store.commit_bulk(w).unwrap());
        assert_eq!(
            all,
            Changes {
                records: [(h101, Kind::Household), (zhao.meta.id, Kind::Member)].into(),
                events: vec![],
                zones: Default::default(),
                members: [zhao.meta.id].into(),
            }
        );
        assert!(store.check().unwrap().is_clean());
    }

}

// ---- on disk only ---------------------------------------------------------

#[test]
fn a_store_from_a_newer_gridbook_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    {
        let store = open(&data);
        estate(&store);
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        store.set_schema_version_for_tests(SCHEMA_VERSION + 1);
    }
    let err = match Store::open(&data) {
        Ok(_) => panic!("a newer store must be refused"),
        Err(e) => e,
    };
    assert!(matches!(err, StoreError::TooNew { found, .. } if found == SCHEMA_VERSION + 1));
    assert_eq!(
        gridbook::fail::exit_code(gridbook::error::Kinded::kind(&err)),
        3
    );
    let msg = err.to_string();
    assert!(
        msg.contains(&data.display().to_string()),
        "names the directory: {msg}"
    );
    assert!(
        msg.contains(&(SCHEMA_VERSION + 1).to_string()) && msg.contains("newer"),
        "{msg}"
    );

    // The command line says the same in one line and exits 3, touching nothing.
    let out = assert_cmd::Command::cargo_bin("gridbook")
        .unwrap()
        .args([
            "--data".as_ref(),
            data.as_os_str(),
            "show".as_ref(),
            "xf".as_ref(),
        ])
        .env_remove("GRIDBOOK_DATA")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&data.display().to_string()), "{stderr}");

    // With the marker put back the store opens with its data intact: the
    // refusals changed nothing. The store cannot be opened to do this, so it
    // goes through sled directly.
    let store = {
        let db = sled::open(data.join("store")).unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert(b"schema", &SCHEMA_VERSION.to_be_bytes())
            .unwrap();
        db.flush().unwrap();
        drop(db);
        open(&data)
    };
    assert_eq!(store.areas().unwrap().len(), 2);
    assert!(store.check().unwrap().is_clean());
}

#[cfg(unix)]
#[test]
fn the_data_directory_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;

    let fresh = dir.path().join("a").join("gridbook");
    drop(open(&fresh));
    assert_eq!(mode(&fresh), 0o700);

    // A directory that already exists with open permissions is tightened.
    let existing = dir.path().join("shared");
    std::fs::create_dir(&existing).unwrap();
    std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o755)).unwrap();
    drop(open(&existing));
    assert_eq!(mode(&existing), 0o700);
}

/// Every file and directory under `dir`, with its mode.
#[cfg(unix)]
fn modes(dir: &Path) -> Vec<(std::path::PathBuf, bool, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let m = entry.metadata().unwrap();
        out.push((entry.path(), m.is_dir(), m.permissions().mode() & 0o777));
        if m.is_dir() {
            out.extend(modes(&entry.path()));
        }
    }
    out
}

#[cfg(unix)]
#[test]
fn every_file_of_the_store_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let private = |data: &Path| {
        let all = modes(&data.join("store"));
        // The files sled writes while opening, and a value too large for
        // its log, which goes to a file of its own under `blobs/`.
        let names: Vec<String> = all
            .iter()
            .map(|(p, _, _)| p.strip_prefix(data).unwrap().display().to_string())
            .collect();
        for want in ["store/db", "store/conf", "store/blobs", "store/snap."] {
            assert!(
                names.iter().any(|n| n.starts_with(want)),
                "{want} in {names:?}"
            );
        }
        assert!(
            names.iter().any(|n| n.starts_with("store/blobs/")),
            "{names:?}"
        );
        for (p, is_dir, mode) in all {
            let want = if is_dir { 0o700 } else { 0o600 };
            assert_eq!(mode, want, "{} is {mode:o}", p.display());
        }
        let lock = std::fs::metadata(data.join("gridbook.lock")).unwrap();
        assert_eq!(lock.permissions().mode() & 0o777, 0o600);
        assert_eq!(
            std::fs::metadata(data).unwrap().permissions().mode() & 0o777,
            0o700
        );
    };
    {
        let store = open(&data);
        let e = busy(&store);
        let long = Event::new(
            e.b1.meta.id,
            ago(1),
            None,
            EventBody::Patrol(PatrolBody {
                kind: PatrolKind::Hygiene,
                items: vec![],
                note: "楼道堆物".repeat(60_000),
            }),
        );
        let mut w = Writes::new();
        store.stage_event(&mut w, &long).unwrap();
        store.commit(w).unwrap();
        // Private as soon as the commit that wrote it returns.
        let blobs = modes(&data.join("store").join("blobs"));
        assert!(!blobs.is_empty());
        for (p, _, mode) in blobs {
            assert_eq!(mode, 0o600, "{}", p.display());
        }
    }
    // Opening again makes sled write a snapshot.
    drop(open(&data));
    private(&data);

    // A store whose files have open modes (an older gridbook wrote them)
    // is tightened when it is opened.
    for (p, is_dir, _) in modes(&data.join("store")) {
        let mode = if is_dir { 0o755 } else { 0o644 };
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    std::fs::set_permissions(data.join("store"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let store = open(&data);
    private(&data);
    assert_eq!(store.areas().unwrap().len(), 2);
}

#[test]
fn an_unfinished_snapshot_never_locks_anyone_out() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (e, before) = {
        let store = open(&data);
        let e = busy(&store);
        let before = answers(&store, &e);
        (e, before)
    };
    // Opening again makes sled write a finished snapshot as well.
    drop(open(&data));
    let snaps = |data: &Path| -> Vec<String> {
        std::fs::read_dir(data.join("store"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("snap."))
            .collect()
    };
    assert!(
        snaps(&data).iter().any(|n| !n.ends_with(".generating")),
        "{:?}",
        snaps(&data)
    );

    // A kill while sled writes a snapshot leaves it under the name sled
    // gives it until it is complete: empty, or cut short.
    let store_dir = data.join("store");
    std::fs::write(store_dir.join("snap.0000000000000000.generating"), b"").unwrap();
    std::fs::write(
        store_dir.join("snap.7FFFFFFFFFFFFFFF.generating"),
        [0x5A; 100],
    )
    .unwrap();

    let store = open(&data);
    assert_eq!(answers(&store, &e), before, "every record intact");
    assert!(store.check().unwrap().is_clean());
    assert!(
        snaps(&data).iter().all(|n| !n.ends_with(".generating")),
        "{:?}",
        snaps(&data)
    );
    drop(store);

    // The command line reads it too.
    std::fs::write(store_dir.join("snap.0000000000000000.generating"), b"").unwrap();
    let out = assert_cmd::Command::cargo_bin("gridbook")
        .unwrap()
        .args([
            "--data".as_ref(),
            data.as_os_str(),
            "show".as_ref(),
            "xf/1/1-101".as_ref(),
        ])
        .env_remove("GRIDBOOK_DATA")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[cfg(unix)]
#[test]
fn a_missing_store_is_named_with_its_newest_backup_and_nothing_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    {
        let store = open(&data);
        estate(&store);
    }
    let backups = data.join("backups");
    std::fs::create_dir(&backups).unwrap();
    let older = backups.join(gridbook::backups::file_name(ago(2)));
    let newer = backups.join(gridbook::backups::file_name(ago(1)));
    for b in [&newer, &older] {
        std::fs::write(b, b"{}").unwrap();
    }
    std::fs::remove_dir_all(data.join("store")).unwrap();
    let listing = |d: &Path| modes(d);

    let before = listing(&data);
    let err = match Store::open_existing(&data) {
        Err(e) => e,
        Ok(_) => panic!("a missing store must not open as an empty one"),
    };
    assert!(
        matches!(&err, StoreError::Missing { dir, backup } if dir == &data && backup.as_ref() == Some(&newer)),
        "{err:?}"
    );
    assert_eq!(
        gridbook::fail::exit_code(gridbook::error::Kinded::kind(&err)),
        3
    );
    let msg = err.to_string();
    assert!(msg.contains("missing"), "{msg}");
    assert!(msg.contains(&newer.display().to_string()), "{msg}");
    assert!(msg.contains(&data.display().to_string()), "{msg}");
    assert_eq!(listing(&data), before, "nothing created or changed");

    // An empty `store/` (a first open cut short) holds no store either.
    std::fs::create_dir(data.join("store")).unwrap();
    assert!(matches!(
        Store::open_existing(&data),
        Err(StoreError::Missing { .. })
    ));

    // A data directory with nothing in it yet: no store, no backup, and
    // still nothing is created.
    let fresh = dir.path().join("fresh");
    assert!(matches!(
        Store::open_existing(&fresh),
        Err(StoreError::Missing { backup: None, .. })
    ));
    assert!(!fresh.exists());
    // Writers and first use create the store; then it opens as existing.
    drop(open(&fresh));
    // Another test of this process may be forking a child at this moment,
    // which holds a copy of the lock file until it execs: retry briefly.
    let mut store = Store::open_existing(&fresh);
    for _ in 0..50 {
        if !matches!(store, Err(StoreError::Locked { .. })) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        store = Store::open_existing(&fresh);
    }
    assert!(store.unwrap().is_empty());
}

/// A store whose log is `target`, to make opening it meet the error that
/// `target` gives.
#[cfg(target_os = "linux")]
fn store_with_log_at(target: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("store")).unwrap();
    std::os::unix::fs::symlink(target, dir.path().join("store").join("db")).unwrap();
    dir
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_says_so_and_is_never_called_damage() {
    // Every write to /dev/full fails with "no space left on device".
    let dir = store_with_log_at(Path::new("/dev/full"));
    let err = match Store::open(dir.path()) {
        Err(e) => e,
        Ok(_) => panic!("a store that cannot write cannot open"),
    };
    assert!(
        matches!(&err, StoreError::NoSpace { dir: d } if d == dir.path()),
        "{err:?}"
    );
    assert_eq!(
        gridbook::fail::exit_code(gridbook::error::Kinded::kind(&err)),
        3
    );
    let msg = err.to_string();
    assert!(msg.contains("no space left"), "{msg}");
    assert!(!msg.contains("is damaged"), "{msg}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_refused_permission_says_so_and_is_never_called_damage() {
    use std::os::unix::fs::PermissionsExt;
    // A file this process may not open for writing: a read-only file for an
    // ordinary user; root passes mode checks but not sysfs's.
    let tmp = tempfile::tempdir().unwrap();
    let read_only = tmp.path().join("read-only");
    std::fs::write(&read_only, b"").unwrap();
    std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o400)).unwrap();
    let refuses = |p: &Path| {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(p)
            .is_err_and(|e| e.kind() == std::io::ErrorKind::PermissionDenied)
    };
    let target = [read_only.as_path(), Path::new("/sys/kernel/notes")]
        .into_iter()
        .find(|p| refuses(p))
        .expect("a file this process may not write");
    let dir = store_with_log_at(target);
    let err = match Store::open(dir.path()) {
        Err(e) => e,
        Ok(_) => panic!("a store that may not be written cannot open"),
    };
    assert!(matches!(&err, StoreError::Permission { .. }), "{err:?}");
    assert_eq!(
        gridbook::fail::exit_code(gridbook::error::Kinded::kind(&err)),
        3
    );
    let msg = err.to_string();
    assert!(msg.contains("permission denied"), "{msg}");
    assert!(!msg.contains("damaged"), "{msg}");
}
