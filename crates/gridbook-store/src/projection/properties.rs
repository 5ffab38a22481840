//! Projections staged one write set at a time agree with the same
//! projections computed from scratch, for any sequence of entries, on both
//! engines; a rebuild changes no answer.

use std::collections::BTreeSet;

use proptest::prelude::*;

use gridbook_domain::model::*;

use crate::schema::Tree;
use crate::store::{Memory, Record, Store, Writes};

const NOW: Ts = Ts(1_790_000_000_000);
const DAY: i64 = 86_400_000;

/// Which kind of event a body is: its position among `EventBody`'s
/// variants. A new kind of event fails to compile here until it is numbered;
/// then [`every_kind_is_exercised`], which counts the variants from serde's
/// own list, fails until [`Act`] makes one.
fn kind_index(b: &EventBody) -> usize {
    match b {
        EventBody::Assigned { .. } => 0,
        EventBody::AssignmentEnded { .. } => 1,
        EventBody::Visit(_) => 2,
        EventBody::ProblemOpened(_) => 3,
        EventBody::ProblemStepped(_) => 4,
        EventBody::Patrol(_) => 5,
        EventBody::Edited { .. } => 6,
        EventBody::Created { .. } => 7,
        EventBody::Tombstoned { .. } => 8,
        EventBody::Amended { .. } => 9,
        EventBody::Activity(_) => 10,
        EventBody::Moved { .. } => 11,
        EventBody::Merged { .. } => 12,
        EventBody::Erased { .. } => 13,
    }
}

/// One area with two buildings of two households each, and two members.
struct Estate {
    zones: Vec<Id>,
    households: Vec<Id>,
    members: Vec<Id>,
}

fn created<R: Record>(store: &Store, w: &mut Writes, r: &R, zone: Id, out: &mut Vec<EventBody>) {
    store.stage_new(w, r).unwrap();
    let body = EventBody::Created {
        target: r.meta().id,
        kind: R::KIND,
        label: r.label(),
    };
    out.push(body.clone());
    store
        .stage_event(w, &Event::new(zone, NOW, None, body))
        .unwrap();
}

fn estate(store: &Store, out: &mut Vec<EventBody>) -> Estate {
    let mut w = Writes::new();
    let area = Area {
        meta: Meta::new(None),
        code: "xf".into(),
        name: "幸福小区".into(),
    };
    created(store, &mut w, &area, area.meta.id, out);
    let mut zones = vec![area.meta.id];
    let mut households = Vec::new();
    for b in 1..=2 {
        let building = Building {
            meta: Meta::new(None),
            area: area.meta.id,
            code: b.to_string(),
            name: format!("{b}栋"),
            first_floor: 1,
            doors_per_floor: None,
        };
        created(store, &mut w, &building, building.meta.id, out);
        zones.push(building.meta.id);
        for room in ["101", "102"] {
            let h = Household {
                meta: Meta::new(None),
                building: building.meta.id,
                unit: "1".into(),
                room: room.into(),
                notes: String::new(),
                occupancy: Occupancy::default(),
            };
            created(store, &mut w, &h, h.meta.id, out);
            zones.push(h.meta.id);
            households.push(h.meta.id);
        }
    }
    let mut members = Vec::new();
    for name in ["王芳", "李强"] {
        let m = Member {
            meta: Meta::new(None),
            name: name.into(),
            phone: String::new(),
            kind: MemberKind::GridWorker,
            tags: vec![],
            branch: String::new(),
        };
        created(store, &mut w, &m, m.meta.id, out);
        members.push(m.meta.id);
    }
    store.commit(w).unwrap();
    Estate {
        zones,
        households,
        members,
    }
}

/// What a grid worker might do next; numbers pick among what exists.
#[derive(Clone, Debug)]
enum Act {
    Visit {
        h: usize,
        by: usize,
        days: i64,
        follow_up: Option<u8>,
    },
    AmendVisit {
        nth: usize,
        follow_up: Option<u8>,
    },
    Open {
        zone: usize,
        days: i64,
    },
    Step {
        nth: usize,
        step: ProblemStep,
        days: i64,
    },
    Patrol {
        zone: usize,
        hygiene: bool,
        days: i64,
    },
    Assign {
        zone: usize,
        member: usize,
        days: i64,
    },
    End {
        nth: usize,
        days: i64,
    },
    Edit {
        h: usize,
    },
    Delete {
        h: usize,
    },
    Activity {
        zone: usize,
        both: bool,
        days: i64,
    },
    /// Move a resident (a new one in household `nth` when `fresh` or none
    /// exists) to household `to`.
    Move {
        nth: usize,
        to: usize,
        fresh: bool,
    },
    /// Merge household `h` into household `into`.
    Merge {
        h: usize,
        into: usize,
    },
    /// Record that member `m` was erased on request (the redaction itself
    /// is the core's: the projections index the entry only).
    Erase {
        m: usize,
    },
    /// Commit what is staged so far; the rest goes in a new write set.
    Commit,
}

fn act() -> impl Strategy<Value = Act> {
    let days = 0i64..60;
    let pick = 0usize..8;
    prop_oneof![
        (
            pick.clone(),
            0usize..2,
            days.clone(),
            proptest::option::of(0u8..40)
        )
            .prop_map(|(h, by, days, follow_up)| Act::Visit {
                h,
                by,
                days,
                follow_up
            }),
        (pick.clone(), proptest::option::of(0u8..40))
            .prop_map(|(nth, follow_up)| Act::AmendVisit { nth, follow_up }),
        (pick.clone(), days.clone()).prop_map(|(zone, days)| Act::Open { zone, days }),
        (
            pick.clone(),
            prop_oneof![
                Just(ProblemStep::Progress),
                Just(ProblemStep::Comment),
                Just(ProblemStep::Resolved),
                Just(ProblemStep::Reopened),
            ],
            days.clone()
        )
            .prop_map(|(nth, step, days)| Act::Step { nth, step, days }),
        (pick.clone(), any::<bool>(), days.clone()).prop_map(|(zone, hygiene, days)| {
            Act::Patrol {
                zone,
                hygiene,
                days,
            }
        }),
        (pick.clone(), 0usize..2, days.clone()).prop_map(|(zone, member, days)| Act::Assign {
            zone,
            member,
            days
        }),
        (pick.clone(), days).prop_map(|(nth, days)| Act::End { nth, days }),
        pick.clone().prop_map(|h| Act::Edit { h }),
        pick.clone().prop_map(|h| Act::Delete { h }),
        (pick.clone(), any::<bool>(), 0i64..60).prop_map(|(zone, both, days)| Act::Activity {
            zone,
            both,
            days
        }),
        (pick.clone(), pick.clone(), any::<bool>()).prop_map(|(nth, to, fresh)| Act::Move {
            nth,
            to,
            fresh
        }),
        (pick.clone(), pick).prop_map(|(h, into)| Act::Merge { h, into }),
        (0usize..2).prop_map(|m| Act::Erase { m }),
        Just(Act::Commit),
    ]
}

fn date(n: u8) -> Date {
    Date {
        year: 2026,
        month: 1 + n % 12,
        day: 1 + n % 28,
    }
}

/// Runs the acts, committing at each [`Act::Commit`] and at the end.
/// Returns the bodies of every event written.
fn run(store: &Store, acts: &[Act]) -> Vec<EventBody> {
    run_as(store, acts, false)
}

/// [`run`], as one kept set when `bulk` ([`crate::bulk`]): parts at each
/// [`Act::Commit`], the runs and tracked entries written at the end.
fn run_as(store: &Store, acts: &[Act], bulk: bool) -> Vec<EventBody> {
    let mut bodies = Vec::new();
    let est = estate(store, &mut bodies);
    let (mut visits, mut problems, mut assignments) = (Vec::new(), Vec::new(), Vec::new());
    // Residents as last staged: moves build on them.
    let mut residents: Vec<Resident> = Vec::new();
    let mut w = if bulk {
        store.bulk_writes().unwrap()
    } else {
        Writes::new()
    };
    let ago = |days: i64| Ts(NOW.0 - days * DAY);
    let of = |v: &Vec<(Id, Id)>, n: usize| (!v.is_empty()).then(|| v[n % v.len()]);
    for s in acts {
        let event = match s {
            Act::Commit if bulk => {
                store.commit_part(&mut w).unwrap();
                continue;
            }
            Act::Commit => {
                store.commit(std::mem::take(&mut w)).unwrap();
                continue;
            }
            Act::Erase { m } => {
                let person = est.members[m % est.members.len()];
                Event::new(
                    person,
                    NOW,
                    None,
                    EventBody::Erased {
                        person,
                        kind: Kind::Member,
                    },
                )
            }
            Act::Visit {
                h,
                by,
                days,
                follow_up,
            } => {
                let h = est.households[h % est.households.len()];
                let e = Event::new(
                    h,
                    ago(*days),
                    Some(est.members[*by]),
                    EventBody::Visit(VisitBody {
                        household: h,
                        member: est.members[*by],
                        purpose: "routine".into(),
                        note: String::new(),
                        follow_up: follow_up.map(date),
                    }),
                );
                visits.push((e.id, h));
                e
            }
            Act::AmendVisit { nth, follow_up } => {
                let Some((visit, h)) = of(&visits, *nth) else {
                    continue;
                };
                Event::new(
                    h,
                    NOW,
                    None,
                    EventBody::Amended {
                        supersedes: visit,
                        replacement: Correction::Visit(VisitBody {
                            household: h,
                            member: est.members[0],
                            purpose: "routine".into(),
                            note: "补充".into(),
                            follow_up: follow_up.map(date),
                        }),
                        reason: "补充记录".into(),
                    },
                )
            }
            Act::Open { zone, days } => {
                let z = est.zones[zone % est.zones.len()];
                let e = Event::new(
                    z,
                    ago(*days),
                    None,
                    EventBody::ProblemOpened(ProblemOpenedBody {
                        category: "repair".into(),
                        description: "漏水".into(),
                        reporter: None,
                        urgency: Urgency::Normal,
                    }),
                );
                problems.push((e.id, z));
                e
            }
            Act::Step { nth, step, days } => {
                let Some((problem, z)) = of(&problems, *nth) else {
                    continue;
                };
                Event::new(
                    z,
                    ago(*days),
                    None,
                    EventBody::ProblemStepped(ProblemSteppedBody {
                        problem,
                        step: *step,
                        note: String::new(),
                    }),
                )
            }
            Act::Patrol {
                zone,
                hygiene,
                days,
            } => Event::new(
                est.zones[zone % 3],
                ago(*days),
                None,
                EventBody::Patrol(PatrolBody {
                    kind: if *hygiene {
                        PatrolKind::Hygiene
                    } else {
                        PatrolKind::Security
                    },
                    items: vec![],
                    note: String::new(),
                }),
            ),
            Act::Activity { zone, both, days } => Event::new(
                est.zones[zone % est.zones.len()],
                ago(*days),
                None,
                EventBody::Activity(ActivityBody {
                    kind: "volunteer".into(),
                    members: if *both {
                        est.members.clone()
                    } else {
                        est.members[..1].to_vec()
                    },
                    minutes: 90,
                    note: String::new(),
                }),
            ),
            Act::Assign { zone, member, days } => {
                let z = est.zones[zone % est.zones.len()];
                let e = Event::new(
                    z,
                    ago(*days),
                    None,
                    EventBody::Assigned {
                        member: est.members[*member],
                        role: Role::Responsible,
                        since: ago(*days),
                        until: None,
                    },
                );
                assignments.push((e.id, z));
                e
            }
            Act::End { nth, days } => {
                let Some((assignment, z)) = of(&assignments, *nth) else {
                    continue;
                };
                Event::new(
                    z,
                    ago(*days),
                    None,
                    EventBody::AssignmentEnded {
                        assignment,
                        until: ago(*days),
                    },
                )
            }
            Act::Move { nth, to, fresh } => {
                let hs = &est.households;
                if *fresh || residents.is_empty() {
                    let r = Resident {
                        meta: Meta::new(None),
                        household: hs[nth % hs.len()],
                        name: format!("居民{}", residents.len()),
                        phones: vec![],
                        relation: String::new(),
                        tags: vec![],
                        notes: String::new(),
                        status: ResidentStatus::default(),
                        birth_year: None,
                        care: vec![],
                    };
                    created(store, &mut w, &r, r.household, &mut bodies);
                    residents.push(r);
                }
                let n = nth % residents.len();
                let (from, to) = (residents[n].household, hs[to % hs.len()]);
                if from == to {
                    continue;
                }
                residents[n].household = to;
                store.stage_update(&mut w, &mut residents[n]).unwrap();
                let resident = residents[n].meta.id;
                Event::new(to, NOW, None, EventBody::Moved { resident, from, to })
            }
            Act::Merge { h, into } => {
                let hs = &est.households;
                let (from, into) = (hs[h % hs.len()], hs[into % hs.len()]);
                if from == into {
                    continue;
                }
                for r in residents.iter_mut().filter(|r| r.household == from) {
                    r.household = into;
                    store.stage_update(&mut w, r).unwrap();
                    let body = EventBody::Moved {
                        resident: r.meta.id,
                        from,
                        to: into,
                    };
                    bodies.push(body.clone());
                    store
                        .stage_event(&mut w, &Event::new(into, NOW, None, body))
                        .unwrap();
                }
                Event::new(into, NOW, None, EventBody::Merged { from, into })
            }
            Act::Edit { h } | Act::Delete { h } => {
                let id = est.households[h % est.households.len()];
                // Edits of a record staged earlier in this set build on it.
                let Some(mut hh) = store.household(id).unwrap() else {
                    continue;
                };
                let body = if matches!(s, Act::Edit { .. }) {
                    hh.notes.push('+');
                    EventBody::Edited {
                        target: id,
                        kind: Kind::Household,
                        field: "notes".into(),
                        old: String::new(),
                        new: hh.notes.clone(),
                    }
                } else {
                    hh.meta.tombstone = Some(Tombstone {
                        at: NOW,
                        by: None,
                        reason: "拆迁".into(),
                    });
                    EventBody::Tombstoned {
                        target: id,
                        kind: Kind::Household,
                        reason: "拆迁".into(),
                    }
                };
                store.stage_update(&mut w, &mut hh).unwrap();
                Event::new(id, NOW, None, body)
            }
        };
        bodies.push(event.body.clone());
        store.stage_event(&mut w, &event).unwrap();
    }
    if bulk {
        store.commit_last(w).unwrap();
    } else {
        store.commit(w).unwrap();
    }
    bodies
}

/// What the projections answer about the whole store.
fn answers(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    let mut zones = vec![Id::ROOT];
    for a in store.areas().unwrap() {
        zones.push(a.meta.id);
        for b in store.buildings_of(a.meta.id).unwrap() {
            zones.push(b.meta.id);
            zones.extend(store.child_ids(b.meta.id).unwrap());
        }
    }
    for z in &zones {
        let tl: Vec<Id> = store
            .timeline(*z, 10_000)
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        out.push(format!("{z} timeline {tl:?}"));
        out.push(format!("{z} children {:?}", store.child_ids(*z).unwrap()));
        out.push(format!(
            "{z} open {:?}",
            store.open_problems_in(*z).unwrap()
        ));
        out.push(format!(
            "{z} assigned {:?}",
            store.assignments_of(*z).unwrap()
        ));
        out.push(format!("{z} visited {:?}", store.last_visit(*z).unwrap()));
    }
    for m in store.members().unwrap() {
        let tl: Vec<Id> = store
            .member_timeline(m.meta.id, 10_000)
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        out.push(format!("{} member {tl:?}", m.meta.id));
    }
    let mut open = store.open_problems().unwrap();
    open.sort();
    out.push(format!("open {open:?}"));
    let far = Date {
        year: 2100,
        month: 1,
        day: 1,
    };
    out.push(format!(
        "follow-ups {:?}",
        store.follow_ups_until(far).unwrap()
    ));
    let mut patrols: Vec<_> = store.last_patrols().unwrap().into_iter().collect();
    patrols.sort_by_key(|((z, k), _)| (*z, k.byte()));
    out.push(format!("patrols {patrols:?}"));
    for e in store.events() {
        let e = e.unwrap();
        out.push(format!(
            "{} says {:?}",
            e.id,
            store.effective_body(&e).unwrap()
        ));
    }
    out
}

/// Staged as it went agrees with computed from scratch, and a rebuild
/// changes no answer.
fn incremental_equals_scratch(store: &Store, acts: &[Act]) -> Result<(), TestCaseError> {
    incremental_equals_scratch_as(store, acts, false)
}

fn incremental_equals_scratch_as(
    store: &Store,
    acts: &[Act],
    bulk: bool,
) -> Result<(), TestCaseError> {
    run_as(store, acts, bulk);
    let report = store.check().unwrap();
    prop_assert!(report.is_clean(), "{:?}", report);
    let before = answers(store);
    store.rebuild().unwrap();
    prop_assert!(store.check().unwrap().is_clean());
    prop_assert_eq!(answers(store), before);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn in_memory(acts in proptest::collection::vec(act(), 0..40)) {
        incremental_equals_scratch(&Store::memory().unwrap(), &acts)?;
    }
}

proptest! {
    // A bulk load's kept set, committed in parts, leaves what staging each
    // set on its own leaves: what a computation from scratch leaves.
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn kept_in_memory(acts in proptest::collection::vec(act(), 0..40)) {
        incremental_equals_scratch_as(&Store::memory().unwrap(), &acts, true)?;
    }
}

#[test]
fn every_kind_in_one_kept_set() {
    incremental_equals_scratch_as(&Store::memory().unwrap(), &every_kind(), true).unwrap();
}

proptest! {
    // sled flushes to disk at every commit: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(12))]
    #[test]
    fn on_sled(acts in proptest::collection::vec(act(), 0..40)) {
        let dir = tempfile::tempdir().unwrap();
        incremental_equals_scratch(&Store::open(dir.path()).unwrap(), &acts)?;
    }
}

#[test]
fn every_kind_is_exercised() {
    let acts = every_kind();
    let dir = tempfile::tempdir().unwrap();
    for store in [
        Store::open_memory(&Memory::new()).unwrap(),
        Store::open(dir.path()).unwrap(),
    ] {
        let kinds: BTreeSet<usize> = run(&store, &acts).iter().map(kind_index).collect();
        let every = gridbook_domain::variants::names::<EventBody>().len();
        assert_eq!(kinds, (0..every).collect::<BTreeSet<_>>());
        assert!(store.check().unwrap().is_clean());
    }
}

/// Acts that write every kind of event.
fn every_kind() -> Vec<Act> {
    vec![
        Act::Visit {
            h: 0,
            by: 0,
            days: 3,
            follow_up: Some(5),
        },
        Act::AmendVisit {
            nth: 0,
            follow_up: None,
        },
        Act::Open { zone: 1, days: 2 },
        Act::Step {
            nth: 0,
            step: ProblemStep::Resolved,
            days: 1,
        },
        Act::Patrol {
            zone: 0,
            hygiene: true,
            days: 1,
        },
        Act::Assign {
            zone: 2,
            member: 1,
            days: 9,
        },
        Act::End { nth: 0, days: 1 },
        Act::Edit { h: 1 },
        Act::Activity {
            zone: 0,
            both: true,
            days: 2,
        },
        Act::Delete { h: 2 },
        Act::Move {
            nth: 0,
            to: 1,
            fresh: true,
        },
        Act::Merge { h: 1, into: 3 },
        Act::Erase { m: 1 },
    ]
}

/// A schema-3 store (one entry per child and per timeline event) is
/// rebuilt into runs when opened, all or nothing, and answers as before.
#[test]
fn a_schema_3_store_on_disk_is_repacked_and_answers_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let (before, old_entries) = {
        let store = Store::open(dir.path()).unwrap();
        run(&store, &every_kind());
        let before = answers(&store);
        // Back to the schema-3 layout, as that version wrote it.
        let raw = store.raw_for_tests();
        let mut old = Vec::new();
        for t in crate::projection::runs::TREES {
            for k in raw.keys(t.name()) {
                let v = store.get_raw(t, &k).unwrap().unwrap();
                for key in crate::projection::runs::flatten(&k, &v).unwrap() {
                    let value = match t {
                        Tree::Children => {
                            let child = crate::keys::last_id(&key).unwrap();
                            vec![store.kind_of(child).unwrap().unwrap().0.byte()]
                        }
                        _ => Vec::new(),
                    };
                    old.push((t, key, value));
                }
            }
            raw.clear(t.name());
        }
        for (t, k, v) in &old {
            raw.insert(t.name(), k, v);
        }
        store.set_schema_version_for_tests(3);
        (before, old.len())
    };
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        crate::schema::SCHEMA_VERSION
    );
    assert_eq!(answers(&store), before);
    assert!(store.check().unwrap().is_clean());
    let runs: usize = crate::projection::runs::TREES
        .iter()
        .map(|t| store.raw_for_tests().keys(t.name()).len())
        .sum();
    assert!(
        runs * 2 < old_entries,
        "{runs} runs for {old_entries} entries"
    );
    assert!(!dir.path().join(crate::swap::INCOMING).exists());
    drop(store);
    // And it stays migrated.
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(answers(&store), before);
}

/// A schema-4 store lacks residents' moves in the versions index; opening
/// it rebuilds the indexes, which lists them, and it answers as before.
#[test]
fn a_schema_4_store_on_disk_gets_its_moves_indexed() {
    let dir = tempfile::tempdir().unwrap();
    let before = {
        let store = Store::open(dir.path()).unwrap();
        run(&store, &every_kind());
        let raw = store.raw_for_tests();
        let mut moves = 0;
        for k in raw.keys(Tree::Versions.name()) {
            if store.get_raw(Tree::Versions, &k).unwrap().unwrap().first() == Some(&b'm') {
                raw.remove(Tree::Versions.name(), &k);
                moves += 1;
            }
        }
        assert!(moves > 0, "the estate has moves");
        assert!(!store.check().unwrap().is_clean());
        store.set_schema_version_for_tests(4);
        answers(&store)
    };
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        crate::schema::SCHEMA_VERSION
    );
    assert!(store.check().unwrap().is_clean());
    assert_eq!(answers(&store), before);
}

/// Where every record hangs and what it is, as `kind_of` answers.
fn hangings(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for t in Tree::PRIMARY.into_iter().filter(|t| *t != Tree::Events) {
        for k in store.raw_for_tests().keys(t.name()) {
            let id = crate::keys::id_at(&k, 0).unwrap();
            out.push(format!("{id} {:?}", store.kind_of(id).unwrap()));
        }
    }
    out
}

/// A schema-5 store keeps a parent entry per record (`idx_parent`) and a
/// stamp entry per entry (`order`); opening it copies it into a fresh
/// store without the first and with the stamps in runs, all or nothing,
/// and it answers as before: the same hierarchy, stamps and indexes.
#[test]
fn a_schema_5_store_on_disk_loses_its_parent_index_and_packs_its_stamps() {
    // Only the engine opens what only sled can hold: the old parent index.
    use crate::engine::sled as disk;
    let dir = tempfile::tempdir().unwrap();
    let (before, hung, stamps) = {
        let store = Store::open(dir.path()).unwrap();
        // Enough entries for several runs of stamps.
        for _ in 0..8 {
            run(&store, &every_kind());
        }
        let stamps = store.stamps().unwrap();
        assert!(
            stamps.len() > 2 * crate::stamps::RUN_MAX,
            "{}",
            stamps.len()
        );
        // Back to the schema-5 layout: one stamp per entry id.
        let raw = store.raw_for_tests();
        raw.clear(Tree::Order.name());
        for (id, s) in &stamps {
            raw.insert(
                Tree::Order.name(),
                &id.to_bytes(),
                &crate::codec::encode(s).unwrap(),
            );
        }
        // Stamps read the same from single entries.
        assert_eq!(store.stamps().unwrap(), stamps);
        let (id, s) = &stamps[stamps.len() / 2];
        assert_eq!(store.stamp(*id).unwrap().as_ref(), Some(s));
        let parents: Vec<(Vec<u8>, Vec<u8>)> = hangings_raw(&store);
        store.set_schema_version_for_tests(5);
        let out = (answers(&store), hangings(&store), stamps);
        drop(store);
        // ... and the parent index, which only the sled engine can hold.
        use crate::engine::Engine;
        let engine = disk::SledEngine::open(dir.path(), &["idx_parent"]).unwrap();
        let ops: Vec<_> = parents
            .into_iter()
            .map(|(k, v)| crate::engine::Op::put(0, k, v))
            .collect();
        engine.commit(&ops).unwrap();
        engine.flush().unwrap();
        out
    };
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        crate::schema::SCHEMA_VERSION
    );
    assert!(store.check().unwrap().is_clean());
    assert_eq!(answers(&store), before);
    assert_eq!(hangings(&store), hung);
    assert_eq!(store.stamps().unwrap(), stamps);
    let runs = store.raw_for_tests().keys(Tree::Order.name()).len();
    assert_eq!(runs, stamps.len().div_ceil(crate::stamps::RUN_MAX));
    assert!(!dir.path().join(crate::swap::INCOMING).exists());
    // A new entry still gets its stamp, in its run.
    run(&store, &every_kind()[..1]);
    assert!(store.stamps().unwrap().len() > stamps.len());
    assert!(store.check().unwrap().is_clean());
    drop(store);
    use crate::engine::Engine;
    let engine = disk::SledEngine::open(dir.path(), &["idx_parent"]).unwrap();
    assert!(engine.is_empty(0).unwrap(), "the parent index is gone");
}

/// `id → kind byte ++ parent` for every record, as schema 5 kept them.
fn hangings_raw(store: &Store) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    for t in Tree::PRIMARY.into_iter().filter(|t| *t != Tree::Events) {
        for k in store.raw_for_tests().keys(t.name()) {
            let id = crate::keys::id_at(&k, 0).unwrap();
            let (kind, parent) = store.kind_of(id).unwrap().unwrap();
            let mut v = vec![kind.byte()];
            v.extend_from_slice(&parent.to_bytes());
            out.push((k, v));
        }
    }
    out
}
