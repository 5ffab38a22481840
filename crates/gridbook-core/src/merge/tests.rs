//! Several stores written offline and merged by exchanging dumps.

use gridbook_domain::i18n::Lang;
use gridbook_domain::model::*;
use gridbook_store::store::Store;

use super::conflicts::{self, ItemKind};
use super::*;
use crate::ops::{self, Ctx, ResidentInput};

/// The estate every device starts from: one area, building, household with
/// one resident, and two members.
pub(crate) struct Estate {
    pub household: Id,
    pub resident: Id,
    pub building: Id,
    pub members: [Id; 2],
}

fn ctx() -> Ctx {
    Ctx::now(None)
}

pub(crate) fn office() -> (Store, Estate) {
    let s = Store::memory().unwrap();
    let a = ops::add_area(&s, ctx(), "胜利花苑", "slhy").unwrap();
    let b = ops::add_building(&s, ctx(), a.meta.id, "3栋", "3").unwrap();
    let h = ops::add_household(&s, ctx(), b.meta.id, "2", "501", "").unwrap();
    let r = ops::add_resident(
        &s,
        ctx(),
        h.meta.id,
        &ResidentInput {
            name: "吕桂英".into(),
            phones: "13800000001".into(),
            relation: "户主".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let m1 = ops::add_member(&s, ctx(), "孙丽", "13900000001", MemberKind::GridWorker, "").unwrap();
    let m2 = ops::add_member(
        &s,
        ctx(),
        "赵建国",
        "13900000002",
        MemberKind::PartyMember,
        "",
    )
    .unwrap();
    (
        s,
        Estate {
            household: h.meta.id,
            resident: r.meta.id,
            building: b.meta.id,
            members: [m1.meta.id, m2.meta.id],
        },
    )
}

/// A laptop that starts from a copy of `from` (as a restored backup would).
pub(crate) fn laptop(from: &Store) -> Store {
    let s = Store::memory().unwrap();
    Dump::from_store(from).unwrap().load_into(&s).unwrap();
    s
}

pub(crate) fn send(from: &Store, to: &Store) -> MergeReport {
    let report = apply(to, &Dump::from_store(from).unwrap(), "laptop").unwrap();
    replayed_as_rebuilt(to);
    report
}

/// The oracle: after a merge (and its replay), every derived tree is what
/// a full rebuild from records and events gives.
#[track_caller]
pub(crate) fn replayed_as_rebuilt(s: &Store) {
    assert!(!s.rebuild_unfinished().unwrap(), "the replay finished");
    let report = s.check().unwrap();
    assert!(
        report.is_clean(),
        "derived state differs from a rebuild: {report:?}"
    );
}

pub(crate) fn json(s: &Store) -> String {
    String::from_utf8(Dump::from_store(s).unwrap().to_json()).unwrap()
}

fn rename(s: &Store, e: &Estate, name: &str) {
    ops::edit_resident(
        s,
        ctx(),
        e.resident,
        &ResidentInput {
            name: name.into(),
            phones: s.resident(e.resident).unwrap().unwrap().phones.join(";"),
            relation: "户主".into(),
            ..Default::default()
        },
    )
    .unwrap();
}

fn set_phone(s: &Store, e: &Estate, phone: &str) {
    let r = s.resident(e.resident).unwrap().unwrap();
    ops::edit_resident(
        s,
        ctx(),
        e.resident,
        &ResidentInput {
            name: r.name,
            phones: phone.into(),
            relation: r.relation,
            ..Default::default()
        },
    )
    .unwrap();
}

/// A repair reported three days ago at the estate's household.
fn problem(s: &Store, e: &Estate) -> Event {
    ops::open_problem(
        s,
        ctx(),
        &ops::ProblemInput {
            zone: e.household,
            at: Ts::now().minus_days(3),
            category: "repair".into(),
            description: "水管漏水".into(),
            reporter: None,
            urgency: Urgency::Normal,
        },
    )
    .unwrap()
}

fn visit(s: &Store, e: &Estate, note: &str) -> Event {
    ops::log_visit(
        s,
        Ctx::now(Some(e.members[0])),
        &ops::VisitInput {
            household: e.household,
            member: e.members[0],
            at: Ts::now(),
            purpose: "routine".into(),
            note: note.into(),
            follow_up: None,
        },
    )
    .unwrap()
}

#[test]
fn entries_are_stamped_in_order_and_bulk_loads_keep_what_they_carried() {
    let (s, e) = office();
    let v1 = visit(&s, &e, "一");
    let v2 = visit(&s, &e, "二");
    let (s1, s2) = (
        s.stamp(v1.id).unwrap().unwrap(),
        s.stamp(v2.id).unwrap().unwrap(),
    );
    assert!(s2.lamport > s1.lamport && s2.seq > s1.seq);
    assert_eq!(s1.device, s.device_id().unwrap().unwrap());
    let copy = laptop(&s);
    assert_eq!(copy.stamp(v2.id).unwrap(), Some(s2.clone()));
    assert_eq!(copy.device_id().unwrap(), None, "a copy is a new device");
    assert!(copy.clock().unwrap() >= s2.lamport);
    let v3 = visit(&copy, &e, "三");
    let s3 = copy.stamp(v3.id).unwrap().unwrap();
    assert!(
        s3.lamport > s2.lamport,
        "a new entry sorts after all it knew"
    );
    assert_ne!(s3.device, s2.device);
}

#[test]
fn stores_holding_the_same_entries_in_any_order_export_the_same_bytes() {
    let (office, e) = office();
    let (a, b, c) = (laptop(&office), laptop(&office), laptop(&office));
    visit(&a, &e, "老人身体不错");
    set_phone(&b, &e, "13800000009");
    ops::edit_place(&c, ctx(), e.household, &[("notes", "二楼东")]).unwrap();
    // a hears from b then c; b from c then a; c from a, then b.
    send(&b, &a);
    send(&c, &a);
    send(&c, &b);
    send(&a, &b);
    send(&a, &c);
    send(&b, &c);
    let (ja, jb, jc) = (json(&a), json(&b), json(&c));
    assert_eq!(ja, jb);
    assert_eq!(jb, jc);
    let r = a.resident(e.resident).unwrap().unwrap();
    assert_eq!(r.phones, vec!["13800000009".to_string()]);
    assert_eq!(a.household(e.household).unwrap().unwrap().notes, "二楼东");
    for s in [&a, &b, &c] {
        assert!(conflicts::list(s, Lang::En).unwrap().is_empty());
        assert!(s.check().unwrap().is_clean());
    }
}

#[test]
fn the_same_field_edited_on_two_devices_is_a_conflict_until_someone_keeps_one() {
    let (office, e) = office();
    let (a, b) = (laptop(&office), laptop(&office));
    rename(&a, &e, "吕桂芳");
    rename(&b, &e, "吕贵英");
    set_phone(&b, &e, "13800000009");
    let got = send(&b, &a);
    assert_eq!(got.conflicts, 1);
    send(&a, &b);
    assert_eq!(json(&a), json(&b));
    let listed = conflicts::list(&a, Lang::Zh).unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    let c = &listed[0];
    assert_eq!((c.kind, c.field.as_str()), (ItemKind::Conflict, "name"));
    let values: Vec<&str> = c.versions.iter().map(|v| v.value.as_str()).collect();
    assert!(values.contains(&"吕桂芳") && values.contains(&"吕贵英"));
    // Neither wins silently: the name before both edits is shown meanwhile,
    // and the phone (another field) merged.
    let r = a.resident(e.resident).unwrap().unwrap();
    assert_eq!(r.name, "吕桂英");
    assert_eq!(r.phones, vec!["13800000009".to_string()]);
    let keep = c.versions[1].value.clone();
    conflicts::resolve(&a, ctx(), &c.id.to_string(), 2).unwrap();
    assert!(conflicts::list(&a, Lang::En).unwrap().is_empty());
    assert_eq!(a.resident(e.resident).unwrap().unwrap().name, keep);
    send(&a, &b);
    assert!(conflicts::list(&b, Lang::En).unwrap().is_empty());
    assert_eq!(json(&a), json(&b));
    // Out of range and unknown ids are refused, and change nothing.
    assert!(matches!(
        conflicts::resolve(&a, ctx(), &c.id.to_string(), 1),
        Err(conflicts::ConflictError::Unknown(_))
    ));
}

#[test]
fn keeping_a_version_out_of_range_is_refused() {
    let (office, e) = office();
    let (a, b) = (laptop(&office), laptop(&office));
    rename(&a, &e, "吕桂芳");
    rename(&b, &e, "吕贵英");
    send(&b, &a);
    let id = conflicts::list(&a, Lang::En).unwrap()[0].id.to_string();
    let before = json(&a);
    assert!(matches!(
        conflicts::resolve(&a, ctx(), &id, 3),
        Err(conflicts::ConflictError::NoSuchVersion { keep: 3, count: 2 })
    ));
    assert_eq!(json(&a), before);
}

#[test]
fn an_edit_racing_a_deletion_is_a_conflict_and_keeping_the_edit_brings_it_back() {
    let (office, e) = office();
    let (a, b) = (laptop(&office), laptop(&office));
    ops::tombstone(&a, ctx(), e.resident, "搬走了").unwrap();
    set_phone(&b, &e, "13800000009");
    let got = send(&b, &a);
    assert_eq!(got.conflicts, 1);
    send(&a, &b);
    assert_eq!(json(&a), json(&b));
    let listed = conflicts::list(&b, Lang::En).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].field, fields::DELETED);
    assert!(listed[0].versions[0].deletes);
    assert!(!b.resident(e.resident).unwrap().unwrap().meta.is_live());
    conflicts::resolve(&b, ctx(), &listed[0].id.to_string(), 2).unwrap();
    let r = b.resident(e.resident).unwrap().unwrap();
    assert!(r.meta.is_live());
    assert_eq!(r.phones, vec!["13800000009".to_string()]);
    send(&b, &a);
    assert_eq!(json(&a), json(&b));
    assert!(conflicts::list(&a, Lang::En).unwrap().is_empty());
}

#[test]
fn an_id_taken_by_other_bytes_is_quarantined_never_written_and_a_batch_twice_changes_nothing() {
    let (office, e) = office();
    let a = laptop(&office);
    let v = visit(&office, &e, "原来的");
    let mut batch = Dump::from_store(&office).unwrap();
    let first = apply(&a, &batch, "office").unwrap();
    assert!(first.received >= 1 && first.quarantined == 0);
    let after_first = json(&a);
    let again = apply(&a, &batch, "office").unwrap();
    assert_eq!(
        (again.received, again.quarantined, again.conflicts),
        (0, 0, 0)
    );
    assert_eq!(json(&a), after_first);
    // The same id with another note.
    let forged = batch.events.iter_mut().find(|x| x.id == v.id).unwrap();
    if let EventBody::Visit(VisitBody { note, .. }) = &mut forged.body {
        *note = "改过的".into();
    }
    let got = apply(&a, &batch, "elsewhere").unwrap();
    assert_eq!(got.quarantined, 1);
    assert_eq!(a.event(v.id).unwrap().unwrap(), v, "never overwritten");
    let listed = conflicts::list(&a, Lang::En).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].kind, ItemKind::Quarantined);
    assert_eq!(apply(&a, &batch, "elsewhere").unwrap().quarantined, 0);
    assert_eq!(conflicts::list(&a, Lang::En).unwrap().len(), 1);
}

#[test]
fn rules_a_merge_breaks_need_attention() {
    let (office, e) = office();
    let (a, b) = (laptop(&office), laptop(&office));
    let since = Ts::now().minus_days(1);
    ops::assign(
        &a,
        ctx(),
        e.building,
        e.members[0],
        Role::Responsible,
        since,
        None,
    )
    .unwrap();
    ops::assign(
        &b,
        ctx(),
        e.building,
        e.members[1],
        Role::Responsible,
        since,
        None,
    )
    .unwrap();
    let p = ops::open_problem(
        &office,
        ctx(),
        &ops::ProblemInput {
            zone: e.household,
            at: Ts::now().minus_days(2),
            category: "repair".into(),
            description: "楼道灯不亮".into(),
            reporter: None,
            urgency: Urgency::Normal,
        },
    )
    .unwrap();
    let at = Ts::now().minus_days(1);
    ops::step_problem(&office, ctx(), p.id, ProblemStep::Resolved, "修好了", at).unwrap();
    send(&office, &a);
    send(&office, &b);
    ops::step_problem(&a, ctx(), p.id, ProblemStep::Reopened, "又坏了", Ts::now()).unwrap();
    ops::step_problem(&a, ctx(), p.id, ProblemStep::Resolved, "再修", Ts::now()).unwrap();
    ops::step_problem(&a, ctx(), p.id, ProblemStep::Reopened, "还是坏", Ts::now()).unwrap();
    let c = laptop(&office);
    ops::step_problem(&c, ctx(), p.id, ProblemStep::Reopened, "没修好", Ts::now()).unwrap();
    ops::step_problem(&c, ctx(), p.id, ProblemStep::Resolved, "修好了", Ts::now()).unwrap();
    ops::tombstone(&b, ctx(), e.resident, "搬走").unwrap();
    ops::tombstone(&b, ctx(), e.household, "拆除").unwrap();
    visit(&a, &e, "敲门没人");
    let got = send(&b, &a);
    assert!(got.attention >= 2, "{got:?}");
    send(&c, &a);
    let mut rules: Vec<String> = conflicts::list(&a, Lang::En)
        .unwrap()
        .into_iter()
        .filter(|l| l.kind == ItemKind::Attention)
        .map(|l| l.field)
        .collect();
    rules.sort();
    assert_eq!(
        rules,
        [
            "resolve-racing-reopen",
            "two-responsible",
            "visit-to-deleted"
        ],
        "{rules:?}"
    );
    // Each is set right where it happened, and leaves the list.
    let p_step = |s: &Store, step| {
        ops::step_problem(s, ctx(), p.id, step, "查过了", Ts::now()).unwrap();
    };
    if a.is_problem_open(p.id).unwrap() {
        p_step(&a, ProblemStep::Resolved);
    } else {
        p_step(&a, ProblemStep::Reopened);
    }
    let left: Vec<String> = conflicts::list(&a, Lang::En)
        .unwrap()
        .into_iter()
        .map(|l| l.field)
        .collect();
    assert!(
        !left.contains(&"resolve-racing-reopen".to_string()),
        "{left:?}"
    );
}

mod property {
    use std::collections::{BTreeMap, BTreeSet, HashSet};

    use proptest::prelude::*;

    use super::*;

    /// One step of the run: an offline edit on a device, or a batch sent
    /// from one device to another.
    #[derive(Clone, Debug)]
    enum Step {
        Edit { device: usize, field: usize },
        Visit { device: usize },
        Send { from: usize, to: usize },
    }

    const FIELDS: [&str; 3] = ["name", "phones", "notes"];
    const DEVICES: usize = 3;

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0..DEVICES, 0..FIELDS.len()).prop_map(|(device, field)| Step::Edit { device, field }),
            (0..DEVICES).prop_map(|device| Step::Visit { device }),
            (0..DEVICES, 0..DEVICES)
                .prop_filter("to another device", |(a, b)| a != b)
                .prop_map(|(from, to)| Step::Send { from, to }),
        ]
    }

    /// The version graph as a plain model: each edit knows the edits of its
    /// field its device had seen; heads are those no edit knew of.
    #[derive(Default)]
    struct Model {
        /// edit number → (field, value, the edits it replaces)
        edits: BTreeMap<usize, (usize, String, BTreeSet<usize>)>,
        known: [BTreeSet<usize>; DEVICES],
    }

    impl Model {
        fn edit(&mut self, device: usize, field: usize, value: String) {
            let n = self.edits.len();
            let heads = self.heads_among(&self.known[device], field);
            self.edits.insert(n, (field, value, heads));
            self.known[device].insert(n);
        }
        fn heads_among(&self, known: &BTreeSet<usize>, field: usize) -> BTreeSet<usize> {
            let replaced: BTreeSet<usize> = known
                .iter()
                .flat_map(|e| self.edits[e].2.iter().copied())
                .collect();
            known
                .iter()
                .copied()
                .filter(|e| self.edits[e].0 == field && !replaced.contains(e))
                .collect()
        }
        /// Fields whose heads disagree once everything is everywhere.
        fn conflicts(&self) -> BTreeSet<&'static str> {
            let all: BTreeSet<usize> = self.edits.keys().copied().collect();
            (0..FIELDS.len())
                .filter(|f| {
                    let values: HashSet<&String> = self
                        .heads_among(&all, *f)
                        .iter()
                        .map(|e| &self.edits[e].1)
                        .collect();
                    values.len() > 1
                })
                .map(|f| FIELDS[f])
                .collect()
        }
    }

    fn edit(s: &Store, e: &Estate, field: usize, value: &str) {
        match FIELDS[field] {
            "notes" => {
                ops::edit_place(s, ctx(), e.household, &[("notes", value)]).unwrap();
            }
            f => {
                let r = s.resident(e.resident).unwrap().unwrap();
                let mut input = ResidentInput {
                    name: r.name.clone(),
                    phones: r.phones.join(";"),
                    relation: r.relation.clone(),
                    ..Default::default()
                };
                if f == "name" {
                    input.name = value.to_string();
                } else {
                    input.phones = value.to_string();
                }
                ops::edit_resident(s, ctx(), e.resident, &input).unwrap();
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(
            std::env::var("GRIDBOOK_MERGE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24)
        ))]

        #[test]
        fn offline_edits_and_exchanges_in_any_order_end_identical(
            steps in proptest::collection::vec(step(), 1..14)
        ) {
            let (office, e) = office();
            let devices: Vec<Store> = (0..DEVICES).map(|_| laptop(&office)).collect();
            let mut model = Model::default();
            let mut written: HashSet<Id> = office.events().map(|x| x.unwrap().id).collect();
            for (n, s) in steps.iter().enumerate() {
                match s {
                    Step::Edit { device, field } => {
                        // Every value unique: an edit never repeats the current value.
                        let value = match FIELDS[*field] {
                            "phones" => format!("139{:08}", n),
                            "name" => format!("吕桂英{n}"),
                            _ => format!("第{n}次备注"),
                        };
                        edit(&devices[*device], &e, *field, &value);
                        model.edit(*device, *field, value);
                    }
                    Step::Visit { device } => {
                        written.insert(visit(&devices[*device], &e, "走访").id);
                    }
                    Step::Send { from, to } => {
                        send(&devices[*from], &devices[*to]);
                        let seen = model.known[*from].clone();
                        model.known[*to].extend(seen);
                    }
                }
            }
            for d in &devices {
                written.extend(d.events().map(|x| x.unwrap().id));
            }
            // Everyone hears from everyone, in a fixed round.
            for _ in 0..2 {
                for from in 0..DEVICES {
                    for to in 0..DEVICES {
                        if from != to {
                            send(&devices[from], &devices[to]);
                        }
                    }
                }
            }
            let first = json(&devices[0]);
            for d in &devices[1..] {
                prop_assert_eq!(&json(d), &first);
            }
            let dump = Dump::from_store(&devices[0]).unwrap();
            let ids: Vec<Id> = dump.events.iter().map(|x| x.id).collect();
            let unique: HashSet<Id> = ids.iter().copied().collect();
            prop_assert_eq!(ids.len(), unique.len(), "nothing duplicated");
            prop_assert_eq!(&unique, &written, "nothing lost");
            let listed: BTreeSet<String> = conflicts::list(&devices[0], Lang::En)
                .unwrap()
                .into_iter()
                .map(|l| {
                    assert_eq!(l.kind, ItemKind::Conflict);
                    l.field
                })
                .collect();
            let expected: BTreeSet<String> =
                model.conflicts().into_iter().map(str::to_string).collect();
            prop_assert_eq!(&listed, &expected);
            for d in &devices {
                prop_assert!(d.check().unwrap().is_clean());
            }
            // Keeping version 1 of each on one device settles it everywhere.
            for l in conflicts::list(&devices[0], Lang::En).unwrap() {
                conflicts::resolve(&devices[0], ctx(), &l.id.to_string(), 1).unwrap();
            }
            for to in 1..DEVICES {
                send(&devices[0], &devices[to]);
            }
            for d in &devices {
                prop_assert!(conflicts::list(d, Lang::En).unwrap().is_empty());
                prop_assert_eq!(&json(d), &json(&devices[0]));
            }
        }
    }
}

#[test]
fn a_store_from_before_stamps_migrates_and_its_entries_replay_in_write_order() {
    use gridbook_store::store::Memory;
    let data = Memory::new();
    let s = Store::open_memory(&data).unwrap();
    let (office, e) = office();
    Dump::from_store(&office).unwrap().load_into(&s).unwrap();
    let p = problem(&s, &e);
    // Resolved "yesterday", then reopened dated before it: written last, it counts.
    let day = |n| Ts::now().minus_days(n);
    ops::step_problem(&s, ctx(), p.id, ProblemStep::Resolved, "修好了", day(1)).unwrap();
    ops::step_problem(&s, ctx(), p.id, ProblemStep::Reopened, "又漏了", day(2)).unwrap();
    rename(&s, &e, "吕桂芳");
    // What a schema-3 store holds: no stamps, no versions index, no device.
    let raw = s.raw_for_tests();
    raw.clear("order");
    raw.clear("idx_versions");
    for key in [&b"device"[..], b"lamport", b"seq"] {
        raw.remove("meta", key);
    }
    s.set_schema_version_for_tests(3);
    drop(s);
    let s = Store::open_memory(&data).unwrap();
    assert_eq!(
        s.schema_version().unwrap(),
        gridbook_store::store::SCHEMA_VERSION
    );
    assert!(
        s.stamps().unwrap().is_empty(),
        "nothing already there is stamped"
    );
    assert!(s.check().unwrap().is_clean());
    assert!(s.is_problem_open(p.id).unwrap(), "replayed in write order");
    // The versions index was filled, and a new edit replaces the old head.
    rename(&s, &e, "吕桂华");
    let g = graph::Graph::read(&s, e.resident, &[]).unwrap();
    assert_eq!(g.heads("name").len(), 1);
    assert!(g.conflicts().is_empty());
    let copy = laptop(&s);
    assert_eq!(json(&copy), json(&s));
    s.rebuild().unwrap();
    assert!(s.is_problem_open(p.id).unwrap());
}

#[test]
fn an_entry_here_unstamped_takes_the_stamp_it_arrives_with() {
    let (office, e) = office();
    let p = problem(&office, &e);
    let day = |n| Ts::now().minus_days(n);
    ops::step_problem(
        &office,
        ctx(),
        p.id,
        ProblemStep::Resolved,
        "修好了",
        day(1),
    )
    .unwrap();
    visit(&office, &e, "走访");
    // A laptop loaded from a file written before stamps: the same entries, none stamped.
    let old = Store::memory().unwrap();
    let mut file = Dump::from_store(&office).unwrap();
    file.stamps.clear();
    file.load_into(&old).unwrap();
    assert!(old.stamps().unwrap().is_empty());
    let r = send(&office, &old);
    assert_eq!(r.received, 0, "{r:?}");
    assert_eq!(old.stamps().unwrap(), office.stamps().unwrap());
    assert!(old.clock().unwrap() >= office.clock().unwrap());
    assert_eq!(json(&old), json(&office));
    // Sent back, nothing changes on either side.
    let back = send(&old, &office);
    assert_eq!(back.received, 0, "{back:?}");
    assert_eq!(json(&old), json(&office));
}

#[test]
fn a_merge_cut_short_before_its_replay_replays_when_the_store_opens() {
    use gridbook_store::order::Stamp;
    use gridbook_store::store::{Memory, Writes};
    let data = Memory::new();
    let s = Store::open_memory(&data).unwrap();
    let (office, e) = office();
    Dump::from_store(&office).unwrap().load_into(&s).unwrap();
    let p = problem(&s, &e);
    let p_stamp = s.stamp(p.id).unwrap().unwrap();
    let step =
        ops::step_problem(&s, ctx(), p.id, ProblemStep::Resolved, "修好了", Ts::now()).unwrap();
    let resolved = s.stamp(step.id).unwrap().unwrap();
    // A reopen from another device that sorts between the two: applied
    // live, last, it would leave the problem open.
    let reopen = Event::new(
        e.household,
        Ts::now(),
        None,
        EventBody::ProblemStepped(ProblemSteppedBody {
            problem: p.id,
            step: ProblemStep::Reopened,
            note: "又漏了".into(),
        }),
    );
    let mut w = Writes::new();
    s.stage_event(&mut w, &reopen).unwrap();
    w.keep_stamp(
        reopen.id,
        Stamp {
            lamport: p_stamp.lamport,
            device: Id(u128::MAX),
            seq: 1,
            replaces: vec![p.id],
        },
    );
    w.replay_after_commit();
    s.commit(w).unwrap();
    assert!(
        s.is_problem_open(p.id).unwrap(),
        "staged live, out of order"
    );
    assert!(resolved.lamport > p_stamp.lamport);
    // Killed here, before the replay: opening finishes it.
    drop(s);
    let s = Store::open_memory(&data).unwrap();
    assert!(!s.rebuild_unfinished().unwrap());
    assert!(!s.is_problem_open(p.id).unwrap(), "the resolve sorts last");
    assert!(s.check().unwrap().is_clean());
}

#[test]
fn batches_of_one_sync_replay_once_after_the_last_and_end_as_one_by_one() {
    let (office, e) = office();
    let (a, b, c) = (laptop(&office), laptop(&office), laptop(&office));
    // Written offline at once: their stamps interleave with the hub's own.
    visit(&a, &e, "一");
    visit(&b, &e, "二");
    set_phone(&c, &e, "13800000007");
    let batches = [
        (Dump::from_store(&a).unwrap(), "a"),
        (Dump::from_store(&b).unwrap(), "b"),
        (Dump::from_store(&c).unwrap(), "c"),
    ];
    // The receiving laptop wrote too, so every batch sorts before its entry.
    let base = laptop(&office);
    visit(&base, &e, "本机");
    let (one_by_one, hub) = (laptop(&base), laptop(&base));
    for (batch, device) in &batches {
        apply(&one_by_one, batch, device).unwrap();
        assert!(!one_by_one.rebuild_unfinished().unwrap());
    }

    let mut session = Session::new(&hub).unwrap();
    let mut received = 0;
    for (batch, device) in &batches {
        received += session.apply(batch, device).unwrap().received;
        assert!(
            hub.rebuild_unfinished().unwrap(),
            "the replay waits for the last batch"
        );
    }
    assert_eq!(session.finish().unwrap(), 0);
    assert!(!hub.rebuild_unfinished().unwrap());
    assert!(received >= 3);
    assert_eq!(json(&hub), json(&one_by_one));
    assert!(hub.check().unwrap().is_clean());
    let r = hub.resident(e.resident).unwrap().unwrap();
    assert_eq!(r.phones, vec!["13800000007".to_string()]);
}

/// The replay after a merge recomputes only what the arriving entries
/// touch: each case where the order matters, with entries arriving in the
/// order that a replay in arrival order would get wrong.
mod replay {
    use std::collections::HashSet;

    use super::*;

    /// What `from` wrote itself, as its sync batch carries it: its own
    /// entries with their stamps (and its records, which merge as they are).
    fn own(from: &Store) -> Dump {
        let mut d = Dump::from_store(from).unwrap();
        let me = from.device_id().unwrap();
        let mine: HashSet<Id> = d
            .stamps
            .iter()
            .filter(|s| Some(s.device) == me)
            .map(|s| s.id)
            .collect();
        d.events.retain(|e| mine.contains(&e.id));
        d.stamps.retain(|s| mine.contains(&s.id));
        d
    }

    /// Receives `batches` in one sync, then checks the oracle.
    fn receive(to: &Store, batches: &[Dump]) {
        let mut session = Session::new(to).unwrap();
        for b in batches {
            session.apply(b, "laptop").unwrap();
        }
        session.finish().unwrap();
        replayed_as_rebuilt(to);
    }

    /// The stamp of the one entry `from` wrote last.
    fn last_stamp(from: &Store) -> gridbook_store::order::Stamp {
        let me = from.device_id().unwrap().unwrap();
        from.stamps()
            .unwrap()
            .into_iter()
            .map(|(_, s)| s)
            .filter(|s| s.device == me)
            .max_by_key(|s| (s.lamport, s.seq))
            .unwrap()
    }

    /// Of two batches, the one whose entries sort later first.
    fn later_first(a: (&Store, Dump), b: (&Store, Dump)) -> [Dump; 2] {
        let key = |s: &Store| {
            let st = last_stamp(s);
            (st.lamport, st.device, st.seq)
        };
        if key(a.0) > key(b.0) {
            [a.1, b.1]
        } else {
            [b.1, a.1]
        }
    }

    fn visit_at(s: &Store, e: &Estate, at: Ts, follow_up: Option<Date>) -> Event {
        ops::log_visit(
            s,
            Ctx::now(Some(e.members[0])),
            &ops::VisitInput {
                household: e.household,
                member: e.members[0],
                at,
                purpose: "routine".into(),
                note: "走访".into(),
                follow_up,
            },
        )
        .unwrap()
    }

    #[test]
    fn a_resolve_arriving_after_the_reopen_that_follows_it_leaves_the_problem_open() {
        let (office, e) = office();
        let p = problem(&office, &e);
        let (a, b, hub) = (laptop(&office), laptop(&office), laptop(&office));
        ops::step_problem(&a, ctx(), p.id, ProblemStep::Resolved, "修好了", Ts::now()).unwrap();
        send(&a, &b);
        ops::step_problem(&b, ctx(), p.id, ProblemStep::Reopened, "又漏了", Ts::now()).unwrap();
        visit(&hub, &e, "本机");
        // The reopen comes first, then the resolve it followed.
        receive(&hub, &[own(&b), own(&a)]);
        assert!(hub.is_problem_open(p.id).unwrap(), "the reopen sorts last");
        // And the other way round, in two syncs.
        let other = laptop(&office);
        visit(&other, &e, "本机");
        receive(&other, &[own(&a)]);
        assert!(!other.is_problem_open(p.id).unwrap());
        receive(&other, &[own(&b)]);
        assert!(other.is_problem_open(p.id).unwrap());
    }

    #[test]
    fn two_ends_of_one_assignment_arriving_late_first_keep_the_later_one() {
        let (office, e) = office();
        let now = Ts::now();
        let day = |n| now.minus_days(n);
        let a1 = ops::assign(
            &office,
            ctx(),
            e.household,
            e.members[0],
            Role::Responsible,
            day(30),
            None,
        )
        .unwrap();
        let (a, b, hub) = (laptop(&office), laptop(&office), laptop(&office));
        // On one laptop another member takes over (ending the first span);
        // on the other the first span ends on another day.
        ops::assign(
            &a,
            ctx(),
            e.household,
            e.members[1],
            Role::Responsible,
            day(10),
            None,
        )
        .unwrap();
        ops::end_assignment(&b, ctx(), a1.id, day(5)).unwrap();
        visit(&hub, &e, "本机");
        hub.rebuild().unwrap();
        let (la, lb) = (last_stamp(&a), last_stamp(&b));
        let later_until = if (la.lamport, la.device, la.seq) > (lb.lamport, lb.device, lb.seq) {
            day(10)
        } else {
            day(5)
        };
        receive(&hub, &later_first((&a, own(&a)), (&b, own(&b))));
        let span = hub
            .assignments_of(e.household)
            .unwrap()
            .into_iter()
            .find(|s| s.id == a1.id)
            .unwrap();
        assert_eq!(span.until, Some(later_until), "the end that sorts last");
        assert_eq!(hub.assignments_of(e.household).unwrap().len(), 2);
    }

    #[test]
    fn a_visit_older_than_the_latest_arriving_later_leaves_the_latest() {
        let (office, e) = office();
        let (a, b, hub) = (laptop(&office), laptop(&office), laptop(&office));
        let newest = visit_at(&a, &e, Ts::now().minus_days(1), None);
        let oldest = visit_at(&b, &e, Ts::now().minus_days(9), None);
        let mine = visit_at(&hub, &e, Ts::now().minus_days(4), None);
        receive(&hub, &later_first((&a, own(&a)), (&b, own(&b))));
        assert_eq!(
            hub.last_visit(e.household).unwrap().map(|v| v.1),
            Some(newest.id)
        );
        // The latest visit is here already; an older one arrives, sorting
        // before what is here: the replay must not take it for the latest.
        let other = laptop(&office);
        let here = visit_at(&other, &e, Ts::now().minus_days(2), None);
        receive(&other, &[own(&b)]);
        assert_eq!(
            other.last_visit(e.household).unwrap().map(|v| v.1),
            Some(here.id)
        );
        receive(&other, &[own(&hub), own(&a)]);
        assert_eq!(
            other.last_visit(e.household).unwrap().map(|v| v.1),
            Some(newest.id)
        );
        assert_ne!(mine.id, oldest.id);
    }

    #[test]
    fn an_amendment_arriving_before_or_after_the_visit_it_corrects_keeps_its_follow_up() {
        let (office, e) = office();
        let (a, b) = (laptop(&office), laptop(&office));
        let soon = Ts::now().minus_days(-3).date();
        let later = Ts::now().minus_days(-7).date();
        let v = visit_at(&a, &e, Ts::now().minus_days(1), Some(soon));
        send(&a, &b);
        let EventBody::Visit(body) = v.body.clone() else {
            unreachable!()
        };
        ops::amend(
            &b,
            ctx(),
            v.id,
            EventBody::Visit(VisitBody {
                follow_up: Some(later),
                ..body
            }),
            "改约",
        )
        .unwrap();
        let due = |s: &Store| {
            s.follow_ups_until(Ts::now().minus_days(-30).date())
                .unwrap()
                .into_iter()
                .filter(|f| f.1 == v.id)
                .map(|f| f.0)
                .collect::<Vec<_>>()
        };
        // The correction first, then the visit it corrects.
        let before = laptop(&office);
        visit(&before, &e, "本机");
        receive(&before, &[own(&b), own(&a)]);
        assert_eq!(due(&before), vec![later]);
        // The visit first, then its correction, in two syncs.
        let after = laptop(&office);
        visit(&after, &e, "本机");
        receive(&after, &[own(&a)]);
        assert_eq!(due(&after), vec![soon]);
        receive(&after, &[own(&b)]);
        assert_eq!(due(&after), vec![later]);
    }

    #[test]
    fn moves_of_one_resident_on_two_laptops_replay_everything() {
        let (office, e) = office();
        let h2 = ops::add_household(&office, ctx(), e.building, "2", "502", "").unwrap();
        let h3 = ops::add_household(&office, ctx(), e.building, "2", "503", "").unwrap();
        let (a, b, hub) = (laptop(&office), laptop(&office), laptop(&office));
        // b's move usually sorts last (its device id is the later one) and
        // goes to the household with the lower id: a record settled by its
        // greater bytes would name the other.
        crate::relocate::move_resident(&a, ctx(), e.resident, h3.meta.id).unwrap();
        crate::relocate::move_resident(&b, ctx(), e.resident, h2.meta.id).unwrap();
        // The move that sorts last in the agreed order decides where it lives.
        let key = |s: &Store| {
            let st = last_stamp(s);
            (st.lamport, st.device, st.seq)
        };
        let home = if key(&a) > key(&b) {
            h3.meta.id
        } else {
            h2.meta.id
        };
        visit(&hub, &e, "本机");
        receive(&hub, &later_first((&a, own(&a)), (&b, own(&b))));
        let other = laptop(&office);
        visit(&other, &e, "本机");
        let [first, second] = later_first((&a, own(&a)), (&b, own(&b)));
        receive(&other, &[second, first]);
        // The two laptops that moved it receive each other's move.
        let (from_a, from_b) = (own(&a), own(&b));
        receive(&a, &[from_b]);
        receive(&b, &[from_a]);
        let homes = [e.household, h2.meta.id, h3.meta.id];
        for s in [&hub, &other, &a, &b] {
            let listed: Vec<Id> = homes
                .into_iter()
                .filter(|h| s.child_ids(*h).unwrap().contains(&e.resident))
                .collect();
            assert_eq!(listed, vec![home], "listed in exactly one household");
            let r = s.resident(e.resident).unwrap().unwrap();
            assert_eq!(r.household, home, "the record agrees with the list");
            assert_eq!(s.kind_of(e.resident).unwrap(), Some((Kind::Resident, home)));
            assert_eq!(s.residents_of(home).unwrap().len(), 1);
            s.rebuild().unwrap();
            replayed_as_rebuilt(s);
            let items = conflicts::list(s, Lang::En).unwrap();
            let raced: Vec<_> = items
                .iter()
                .filter(|l| l.kind == ItemKind::Attention && l.field == "concurrent-moves")
                .collect();
            assert_eq!(raced.len(), 1, "{items:?}");
            assert_eq!(raced[0].record.id, e.resident);
            assert_eq!(raced[0].versions.len(), 2, "both moves are shown");
            let now: Vec<_> = raced[0]
                .versions
                .iter()
                .filter(|v| v.value.ends_with("(listed there now)"))
                .collect();
            assert_eq!(now.len(), 1, "{:?}", raced[0].versions);
            let door = if home == h2.meta.id { "502" } else { "503" };
            assert!(now[0].value.contains(door), "{}", now[0].value);
            assert!(raced[0].record.address.as_deref().unwrap().contains(door));
        }
        assert_eq!(
            Dump::from_store(&hub).unwrap().residents,
            Dump::from_store(&other).unwrap().residents
        );
        assert_eq!(
            Dump::from_store(&a).unwrap().residents,
            Dump::from_store(&b).unwrap().residents
        );
        // Moving it again from where it is listed settles the item.
        crate::relocate::move_resident(&hub, ctx(), e.resident, e.household).unwrap();
        assert!(
            attention::list(&hub)
                .unwrap()
                .iter()
                .all(|i| i.rule != attention::Rule::ConcurrentMoves)
        );
        assert_eq!(hub.child_ids(home).unwrap(), Vec::<Id>::new());
        replayed_as_rebuilt(&hub);
    }

    #[test]
    fn moves_one_after_another_raise_no_item() {
        let (office, e) = office();
        let h2 = ops::add_household(&office, ctx(), e.building, "2", "502", "").unwrap();
        let h3 = ops::add_household(&office, ctx(), e.building, "2", "503", "").unwrap();
        let (a, b, hub) = (laptop(&office), laptop(&office), laptop(&office));
        crate::relocate::move_resident(&a, ctx(), e.resident, h2.meta.id).unwrap();
        receive(&hub, &[own(&a)]);
        let moves = |s: &Store| {
            attention::list(s)
                .unwrap()
                .into_iter()
                .filter(|i| i.rule == attention::Rule::ConcurrentMoves)
                .count()
        };
        assert_eq!(moves(&hub), 0, "a single move");
        // b learns of the first move, then moves it on.
        receive(&b, &[own(&a)]);
        crate::relocate::move_resident(&b, ctx(), e.resident, h3.meta.id).unwrap();
        receive(&hub, &[own(&b)]);
        assert_eq!(moves(&hub), 0, "a move that followed on");
        assert_eq!(hub.child_ids(h2.meta.id).unwrap(), Vec::<Id>::new());
        assert_eq!(hub.child_ids(h3.meta.id).unwrap(), vec![e.resident]);
        assert_eq!(
            hub.resident(e.resident).unwrap().unwrap().household,
            h3.meta.id
        );
    }

    /// A laptop's visits can reach a store before the office's batch that
    /// brings the household (batches are ordered by commit time to the
    /// second): once it is there, the visit is on the building's and the
    /// area's timelines too, in one sync or over two.
    #[test]
    fn entries_arriving_before_their_places_are_indexed_once_the_places_come() {
        let (office, e) = office();
        let a = laptop(&office);
        let v = visit(&a, &e, "走访");
        let mut early = own(&a);
        early.areas.clear();
        early.buildings.clear();
        early.households.clear();
        early.residents.clear();
        early.members.clear();
        assert_eq!(early.events.len(), 1);
        let area = office.areas().unwrap()[0].meta.id;
        let on_area = |s: &Store| {
            s.timeline(area, usize::MAX)
                .unwrap()
                .iter()
                .any(|ev| ev.id == v.id)
        };

        let one_sync = Store::memory().unwrap();
        receive(
            &one_sync,
            &[early.clone(), Dump::from_store(&office).unwrap()],
        );
        assert!(on_area(&one_sync));

        let two_syncs = Store::memory().unwrap();
        receive(&two_syncs, std::slice::from_ref(&early));
        receive(&two_syncs, &[Dump::from_store(&office).unwrap()]);
        assert!(on_area(&two_syncs));
        assert_eq!(json(&one_sync), json(&two_syncs));
    }

    #[test]
    fn only_a_move_asks_for_the_whole_replay() {
        use gridbook_store::replay::Subjects;
        let (office, e) = office();
        let h2 = ops::add_household(&office, ctx(), e.building, "2", "502", "").unwrap();
        let a = laptop(&office);
        problem(&a, &e);
        visit(&a, &e, "走访");
        let mut s = Subjects::default();
        for ev in own(&a).events {
            s.note(&ev);
        }
        assert!(!s.whole());
        crate::relocate::move_resident(&a, ctx(), e.resident, h2.meta.id).unwrap();
        for ev in own(&a).events {
            s.note(&ev);
        }
        assert!(s.whole());
    }
}

#[test]
fn an_erasure_in_the_batch_redacts_what_comes_with_it_and_quarantines_nothing() {
    use crate::erase::{self, MARK, Whom};
    let (hq, e) = office();
    let c = laptop(&hq);
    // C notes her phone, then erases her: one batch carries both, and the
    // person's record and entries as C held them before its rewrite.
    let v = visit(&c, &e, "吕桂英电话13800000001");
    erase::record(&c, Whom::Resident(e.resident), Ts::now(), None).unwrap();
    let report = send(&c, &hq);
    assert_eq!(report.quarantined, 0, "{report:?}");
    assert_eq!(report.conflicts, 0, "{report:?}");
    let stored = hq.event(v.id).unwrap().unwrap();
    assert_eq!(
        stored.body,
        EventBody::Visit(VisitBody {
            note: format!("{MARK}电话{MARK}"),
            ..match v.body {
                EventBody::Visit(b) => b,
                _ => unreachable!(),
            }
        })
    );
    // The office's own copies (its `Created` entry of her) wait for the
    // rewrite; the same batch again compares equal to them once redacted.
    assert_eq!(erase::pending(&hq).unwrap(), vec![e.resident]);
    let again = send(&c, &hq);
    assert_eq!(again.quarantined, 0, "{again:?}");
    assert_eq!(again.received, 0, "{again:?}");
}
