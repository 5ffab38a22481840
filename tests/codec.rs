//! Every stored type survives the store's value codec unchanged, and bytes
//! that are not a valid encoding give an error: no panic, no huge allocation.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt::Debug;

use gridbook::codec::{self, CodecError};
use gridbook::model::*;
use gridbook::order::{Quarantined, Stamp};
use gridbook::variants;
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

// ---- allocation watch ------------------------------------------------------

/// Records the largest single allocation made by the current thread, so a
/// test can prove that a forged length prefix did not make the decoder reserve
/// memory for it.
struct Watch;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Watch {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

fn note(size: usize) {
    // `try_with` so allocations during thread teardown do not abort.
    let _ = LARGEST.try_with(|l| {
        if size > l.get() {
            l.set(size);
        }
    });
}

#[global_allocator]
static WATCH: Watch = Watch;

/// Runs `f` and returns its result with the largest allocation it made.
fn largest_allocation<R>(f: impl FnOnce() -> R) -> (R, usize) {
    LARGEST.with(|l| l.set(0));
    let r = f();
    (r, LARGEST.with(|l| l.get()))
}

// ---- generators ------------------------------------------------------------

/// Text as grid workers type it: Chinese, full-width punctuation, Latin, digits.
fn text() -> impl Strategy<Value = String> {
    "[一-龥々〇、。，：；！？（）·a-zA-Z0-9 -]{0,24}"
}

fn id() -> impl Strategy<Value = Id> {
    any::<u128>().prop_map(Id)
}

fn ts() -> impl Strategy<Value = Ts> {
    any::<i64>().prop_map(Ts)
}

fn date() -> impl Strategy<Value = Date> {
    (any::<i16>(), any::<u8>(), any::<u8>()).prop_map(|(year, month, day)| Date {
        year,
        month,
        day,
    })
}

fn tombstone() -> impl Strategy<Value = Tombstone> {
    (ts(), proptest::option::of(id()), text()).prop_map(|(at, by, reason)| Tombstone {
        at,
        by,
        reason,
    })
}

fn meta() -> impl Strategy<Value = Meta> {
    (
        id(),
        ts(),
        proptest::option::of(id()),
        any::<u32>(),
        proptest::option::of(tombstone()),
    )
        .prop_map(|(id, created_at, created_by, version, tombstone)| Meta {
            id,
            created_at,
            created_by,
            version,
            tombstone,
        })
}

fn texts() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(text(), 0..4)
}

fn area() -> impl Strategy<Value = Area> {
    (meta(), text(), text()).prop_map(|(meta, code, name)| Area { meta, code, name })
}

fn building() -> impl Strategy<Value = Building> {
    (
        meta(),
        id(),
        text(),
        text(),
        any::<i32>(),
        proptest::option::of(any::<u32>()),
    )
        .prop_map(
            |(meta, area, code, name, first_floor, doors_per_floor)| Building {
                meta,
                area,
                code,
                name,
                first_floor,
                doors_per_floor,
            },
        )
}

fn occupancy() -> impl Strategy<Value = Occupancy> {
    proptest::sample::select(Occupancy::ALL.to_vec())
}

fn resident_status() -> impl Strategy<Value = ResidentStatus> {
    proptest::sample::select(ResidentStatus::ALL.to_vec())
}

fn care_marks() -> impl Strategy<Value = Vec<CareMark>> {
    proptest::collection::vec(
        (text(), ts()).prop_map(|(group, since)| CareMark { group, since }),
        0..3,
    )
}

fn household() -> impl Strategy<Value = Household> {
    (meta(), id(), text(), text(), text(), occupancy()).prop_map(
        |(meta, building, unit, room, notes, occupancy)| Household {
            meta,
            building,
            unit,
            room,
            notes,
            occupancy,
        },
    )
}

fn resident() -> impl Strategy<Value = Resident> {
    (
        (meta(), id(), text(), texts(), text(), texts(), text()),
        (
            resident_status(),
            proptest::option::of(any::<i16>()),
            care_marks(),
        ),
    )
        .prop_map(
            |(
                (meta, household, name, phones, relation, tags, notes),
                (status, birth_year, care),
            )| Resident {
                meta,
                household,
                name,
                phones,
                relation,
                tags,
                notes,
                status,
                birth_year,
                care,
            },
        )
}

fn member_kind() -> impl Strategy<Value = MemberKind> {
    proptest::sample::select(MemberKind::ALL.to_vec())
}

fn member() -> impl Strategy<Value = Member> {
    (meta(), text(), text(), member_kind(), texts(), text()).prop_map(
        |(meta, name, phone, kind, tags, branch)| Member {
            meta,
            name,
            phone,
            kind,
            tags,
            branch,
        },
    )
}

fn kind() -> impl Strategy<Value = Kind> {
    proptest::sample::select(vec![
        Kind::Area,
        Kind::Building,
        Kind::Household,
        Kind::Resident,
        Kind::Member,
    ])
}

fn role() -> impl Strategy<Value = Role> {
    proptest::sample::select(vec![Role::Responsible, Role::Liaison, Role::Supervisor])
}

fn patrol_kind() -> impl Strategy<Value = PatrolKind> {
    proptest::sample::select(PatrolKind::ALL.to_vec())
}

fn urgency() -> impl Strategy<Value = Urgency> {
    proptest::sample::select(vec![Urgency::Low, Urgency::Normal, Urgency::High])
}

fn step() -> impl Strategy<Value = ProblemStep> {
    proptest::sample::select(vec![
        ProblemStep::Progress,
        ProblemStep::Resolved,
        ProblemStep::Reopened,
        ProblemStep::Comment,
    ])
}

fn check_result() -> impl Strategy<Value = CheckResult> {
    (text(), any::<bool>(), text()).prop_map(|(item, ok, note)| CheckResult { item, ok, note })
}

// How a new kind of entry cannot be skipped by these strategies:
// - `kind_of` names every `EventBody` variant (no catch-all), so a new
//   variant does not compile until it is given a `BodyKind`;
// - `of_kind` builds a strategy by an exhaustive match on `BodyKind`, so that
//   entry does not compile until it has a strategy;
// - `the_kinds_are_every_event_variant_in_order` compares `KINDS`, the list
//   the strategies draw from, with the variant list serde derives from the
//   enum itself, so the new kind cannot be left out of the draw either;
// - corrections come from `Correction::of`, which also names every kind, and
//   the generation test compares them with serde's list for `Correction`.

/// One per `EventBody` variant, same name, same order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BodyKind {
    Assigned,
    AssignmentEnded,
    Visit,
    ProblemOpened,
    ProblemStepped,
    Patrol,
    Edited,
    Created,
    Tombstoned,
    Amended,
    Activity,
    Moved,
    Merged,
    Erased,
}

const KINDS: [BodyKind; 14] = [
    BodyKind::Assigned,
    BodyKind::AssignmentEnded,
    BodyKind::Visit,
    BodyKind::ProblemOpened,
    BodyKind::ProblemStepped,
    BodyKind::Patrol,
    BodyKind::Edited,
    BodyKind::Created,
    BodyKind::Tombstoned,
    BodyKind::Amended,
    BodyKind::Activity,
    BodyKind::Moved,
    BodyKind::Merged,
    BodyKind::Erased,
];

fn kind_of(b: &EventBody) -> BodyKind {
    match b {
        EventBody::Assigned { .. } => BodyKind::Assigned,
        EventBody::AssignmentEnded { .. } => BodyKind::AssignmentEnded,
        EventBody::Visit(_) => BodyKind::Visit,
        EventBody::ProblemOpened(_) => BodyKind::ProblemOpened,
        EventBody::ProblemStepped(_) => BodyKind::ProblemStepped,
        EventBody::Patrol(_) => BodyKind::Patrol,
        EventBody::Edited { .. } => BodyKind::Edited,
        EventBody::Created { .. } => BodyKind::Created,
        EventBody::Tombstoned { .. } => BodyKind::Tombstoned,
        EventBody::Amended { .. } => BodyKind::Amended,
        EventBody::Activity(_) => BodyKind::Activity,
        EventBody::Moved { .. } => BodyKind::Moved,
        EventBody::Merged { .. } => BodyKind::Merged,
        EventBody::Erased { .. } => BodyKind::Erased,
    }
}

fn visit() -> impl Strategy<Value = VisitBody> {
    (id(), id(), text(), text(), proptest::option::of(date())).prop_map(
        |(household, member, purpose, note, follow_up)| VisitBody {
            household,
            member,
            purpose,
            note,
            follow_up,
        },
    )
}

fn problem_opened() -> impl Strategy<Value = ProblemOpenedBody> {
    (text(), text(), proptest::option::of(id()), urgency()).prop_map(
        |(category, description, reporter, urgency)| ProblemOpenedBody {
            category,
            description,
            reporter,
            urgency,
        },
    )
}

fn problem_stepped() -> impl Strategy<Value = ProblemSteppedBody> {
    (id(), step(), text()).prop_map(|(problem, step, note)| ProblemSteppedBody {
        problem,
        step,
        note,
    })
}

fn patrol() -> impl Strategy<Value = PatrolBody> {
    (
        patrol_kind(),
        proptest::collection::vec(check_result(), 0..6),
        text(),
    )
        .prop_map(|(kind, items, note)| PatrolBody { kind, items, note })
}

fn activity() -> impl Strategy<Value = ActivityBody> {
    (
        text(),
        proptest::collection::vec(id(), 0..4),
        any::<u32>(),
        text(),
    )
        .prop_map(|(kind, members, minutes, note)| ActivityBody {
            kind,
            members,
            minutes,
            note,
        })
}

/// Bodies of one kind.
fn of_kind(which: BodyKind) -> BoxedStrategy<EventBody> {
    match which {
        BodyKind::Assigned => (id(), role(), ts(), proptest::option::of(ts()))
            .prop_map(|(member, role, since, until)| EventBody::Assigned {
                member,
                role,
                since,
                until,
            })
            .boxed(),
        BodyKind::AssignmentEnded => (id(), ts())
            .prop_map(|(assignment, until)| EventBody::AssignmentEnded { assignment, until })
            .boxed(),
        BodyKind::Visit => visit().prop_map(EventBody::Visit).boxed(),
        BodyKind::ProblemOpened => problem_opened().prop_map(EventBody::ProblemOpened).boxed(),
        BodyKind::ProblemStepped => problem_stepped()
            .prop_map(EventBody::ProblemStepped)
            .boxed(),
        BodyKind::Patrol => patrol().prop_map(EventBody::Patrol).boxed(),
        BodyKind::Edited => (id(), kind(), text(), text(), text())
            .prop_map(|(target, kind, field, old, new)| EventBody::Edited {
                target,
                kind,
                field,
                old,
                new,
            })
            .boxed(),
        BodyKind::Created => (id(), kind(), text())
            .prop_map(|(target, kind, label)| EventBody::Created {
                target,
                kind,
                label,
            })
            .boxed(),
        BodyKind::Tombstoned => (id(), kind(), text())
            .prop_map(|(target, kind, reason)| EventBody::Tombstoned {
                target,
                kind,
                reason,
            })
            .boxed(),
        // An amendment carries a correction of an amendable kind, never
        // another amendment.
        BodyKind::Amended => (
            id(),
            plain_body().prop_filter_map("amendable", Correction::of),
            text(),
        )
            .prop_map(|(supersedes, replacement, reason)| EventBody::Amended {
                supersedes,
                replacement,
                reason,
            })
            .boxed(),
        BodyKind::Activity => activity().prop_map(EventBody::Activity).boxed(),
        BodyKind::Moved => (id(), id(), id())
            .prop_map(|(resident, from, to)| EventBody::Moved { resident, from, to })
            .boxed(),
        BodyKind::Merged => (id(), id())
            .prop_map(|(from, into)| EventBody::Merged { from, into })
            .boxed(),
        BodyKind::Erased => (id(), kind())
            .prop_map(|(person, kind)| EventBody::Erased { person, kind })
            .boxed(),
    }
}

/// Every kind that is not an amendment.
fn plain_body() -> impl Strategy<Value = EventBody> {
    let plain: Vec<BodyKind> = KINDS
        .into_iter()
        .filter(|k| *k != BodyKind::Amended)
        .collect();
    proptest::sample::select(plain).prop_flat_map(of_kind)
}

/// Any body; amendments one time in five, so corrections are well covered.
fn body() -> impl Strategy<Value = EventBody> {
    prop_oneof![
        4 => plain_body(),
        1 => of_kind(BodyKind::Amended),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    (id(), ts(), ts(), proptest::option::of(id()), id(), body()).prop_map(
        |(id, at, created_at, by, zone, body)| Event {
            id,
            at,
            created_at,
            by,
            zone,
            body,
        },
    )
}

// ---- properties ------------------------------------------------------------

/// An entry's stamp in the order every device agrees on.
fn stamp() -> impl Strategy<Value = Stamp> {
    (
        any::<u64>(),
        id(),
        any::<u64>(),
        proptest::collection::vec(id(), 0..4),
    )
        .prop_map(|(lamport, device, seq, replaces)| Stamp {
            lamport,
            device,
            seq,
            replaces,
        })
}

/// Encodes, decodes back to an equal value, and checks that every strict
/// prefix of the encoding is an error.
fn round_trip<V>(v: &V) -> Result<(), TestCaseError>
where
    V: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let bytes = codec::encode(v).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(bytes[0], codec::FORMAT_VERSION);
    let back: V = codec::decode(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&back, v);
    for cut in 0..bytes.len() {
        let r = codec::decode::<V>(&bytes[..cut]);
        prop_assert!(
            r.is_err(),
            "prefix of {} of {} bytes decoded: {:?}",
            cut,
            bytes.len(),
            r
        );
    }
    Ok(())
}

/// Random bytes never panic; when they happen to decode, the value round-trips.
fn arbitrary_bytes<V>(bytes: &[u8]) -> Result<(), TestCaseError>
where
    V: Serialize + DeserializeOwned + PartialEq + Debug,
{
    if let Ok(v) = codec::decode::<V>(bytes) {
        let again: V = codec::decode(&codec::encode(&v).unwrap()).unwrap();
        prop_assert_eq!(again, v);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn scalars_round_trip(i in id(), t in ts(), d in date(), od in proptest::option::of(date())) {
        round_trip(&i)?;
        round_trip(&t)?;
        round_trip(&d)?;
        round_trip(&od)?;
    }

    #[test]
    fn enums_round_trip(
        mk in member_kind(), k in kind(), r in role(), pk in patrol_kind(), u in urgency(), s in step(),
    ) {
        round_trip(&mk)?;
        round_trip(&k)?;
        round_trip(&r)?;
        round_trip(&pk)?;
        round_trip(&u)?;
        round_trip(&s)?;
    }

    #[test]
    fn meta_and_tombstone_round_trip(m in meta(), t in tombstone(), c in check_result()) {
        round_trip(&m)?;
        round_trip(&t)?;
        round_trip(&c)?;
    }

    #[test]
    fn places_round_trip(a in area(), b in building(), h in household()) {
        round_trip(&a)?;
        round_trip(&b)?;
        round_trip(&h)?;
    }

    #[test]
    fn people_round_trip(r in resident(), m in member()) {
        round_trip(&r)?;
        round_trip(&m)?;
    }

    #[test]
    fn events_round_trip(e in event()) {
        round_trip(&e.body)?;
        round_trip(&e)?;
        // The export format is JSON, with ids as text; it must be lossless too.
        let json = serde_json::to_string(&e).unwrap();
        let back: Event = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, e);
    }

    #[test]
    fn random_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Some(first) = bytes.first_mut() {
            // Mostly the right version byte, so the body decoder is exercised.
            if *first % 8 != 0 {
                *first = codec::FORMAT_VERSION;
            }
        }
        arbitrary_bytes::<Event>(&bytes)?;
        arbitrary_bytes::<EventBody>(&bytes)?;
        arbitrary_bytes::<Area>(&bytes)?;
        arbitrary_bytes::<Building>(&bytes)?;
        arbitrary_bytes::<Household>(&bytes)?;
        arbitrary_bytes::<Resident>(&bytes)?;
        arbitrary_bytes::<Member>(&bytes)?;
        arbitrary_bytes::<Meta>(&bytes)?;
        arbitrary_bytes::<Date>(&bytes)?;
        arbitrary_bytes::<Stamp>(&bytes)?;
        arbitrary_bytes::<Quarantined>(&bytes)?;
    }

    #[test]
    fn stamps_and_quarantined_entries_round_trip(s in stamp(), e in event(), from in text(), at in ts()) {
        round_trip(&s)?;
        round_trip(&Quarantined { event: e.clone(), stamp: Some(s), from: from.clone(), arrived: at })?;
        round_trip(&Quarantined { event: e, stamp: None, from, arrived: at })?;
    }

    #[test]
    fn a_wrong_version_byte_is_refused(e in event(), v in any::<u8>()) {
        prop_assume!(v != codec::FORMAT_VERSION);
        let mut bytes = codec::encode(&e).unwrap();
        bytes[0] = v;
        prop_assert!(matches!(codec::decode::<Event>(&bytes), Err(CodecError::Version(x)) if x == v));
    }

    #[test]
    fn flipped_bytes_never_panic(e in event(), at in any::<prop::sample::Index>(), xor in 1u8..) {
        let mut bytes = codec::encode(&e).unwrap();
        let i = at.index(bytes.len() - 1) + 1;
        bytes[i] ^= xor;
        arbitrary_bytes::<Event>(&bytes)?;
    }
}

// ---- every event kind is generated --------------------------------------------

#[test]
fn the_kinds_are_every_event_variant_in_order() {
    let ours: Vec<String> = KINDS.iter().map(|k| format!("{k:?}")).collect();
    assert_eq!(ours, variants::names::<EventBody>());
}

#[test]
fn each_kinds_strategy_makes_that_kind() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    for kind in KINDS {
        let strategy = of_kind(kind);
        for _ in 0..50 {
            let b = strategy.new_tree(&mut runner).unwrap().current();
            assert_eq!(kind_of(&b), kind, "{b:?}");
        }
    }
}

/// The variant name serde writes for a value of an enum.
fn variant_name<T: Serialize>(v: &T) -> String {
    let json = serde_json::to_value(v).unwrap();
    json.as_object().unwrap().keys().next().unwrap().clone()
}

#[test]
fn the_strategy_generates_every_event_kind_and_every_correction() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    use std::collections::BTreeSet;
    let mut runner = TestRunner::deterministic();
    let strategy = body();
    let mut seen = BTreeSet::new();
    let mut corrections = BTreeSet::new();
    for _ in 0..4000 {
        let b = strategy.new_tree(&mut runner).unwrap().current();
        seen.insert(variant_name(&b));
        if let EventBody::Amended { replacement, .. } = &b {
            corrections.insert(variant_name(replacement));
        }
    }
    let every = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        seen,
        every(variants::names::<EventBody>()),
        "event kinds generated"
    );
    assert_eq!(
        corrections,
        every(variants::names::<Correction>()),
        "corrections generated"
    );
}

// ---- forged length prefixes --------------------------------------------------

/// bincode's varint for a u64 that needs all eight bytes.
fn varint_u64(n: u64) -> Vec<u8> {
    let mut v = vec![253];
    v.extend_from_slice(&n.to_le_bytes());
    v
}

fn sample_resident() -> Resident {
    Resident {
        meta: Meta {
            id: Id(42),
            created_at: Ts(1_700_000_000_000),
            created_by: None,
            version: 1,
            tombstone: None,
        },
        household: Id(7),
        name: "张伟".into(),
        phones: Vec::new(),
        relation: "户主".into(),
        tags: Vec::new(),
        notes: String::new(),
        status: ResidentStatus::Present,
        birth_year: None,
        care: Vec::new(),
    }
}

/// A resident whose phone list claims `len` entries.
fn resident_with_phone_count(len: u64) -> Vec<u8> {
    let r = sample_resident();
    // A struct encodes as its fields in order, so the bytes before `phones`
    // are those of the tuple of the fields before it.
    let head = codec::encode(&(&r.meta, r.household, &r.name)).unwrap();
    let whole = codec::encode(&r).unwrap();
    assert_eq!(whole[head.len()], 0, "empty phone list encodes as length 0");
    let mut forged = head.clone();
    forged.extend(varint_u64(len));
    forged.extend_from_slice(&whole[head.len() + 1..]);
    forged
}

#[test]
fn forging_is_faithful() {
    // The splice itself is right: a count of zero gives back the original.
    let same = resident_with_phone_count(0);
    assert_eq!(codec::decode::<Resident>(&same).unwrap(), sample_resident());
}

#[test]
fn a_huge_vec_length_is_an_error_without_a_huge_allocation() {
    for len in [
        1u64 << 60,
        u64::MAX,
        1 << 32,
        (codec::DECODE_LIMIT as u64) + 1,
    ] {
        let forged = resident_with_phone_count(len);
        let (r, largest) = largest_allocation(|| codec::decode::<Resident>(&forged));
        assert!(r.is_err(), "length {len} decoded: {r:?}");
        assert!(
            largest <= 2 * codec::DECODE_LIMIT,
            "length {len}: decoding allocated {largest} bytes at once"
        );
    }
}

#[test]
fn a_huge_string_length_is_an_error_without_a_huge_allocation() {
    // An area: meta, then `code` as length ++ bytes.
    let a = Area {
        meta: sample_resident().meta,
        code: String::new(),
        name: "胜利花苑".into(),
    };
    let head = codec::encode(&a.meta).unwrap();
    let whole = codec::encode(&a).unwrap();
    assert_eq!(whole[head.len()], 0);
    for len in [1u64 << 60, 1 << 31] {
        let mut forged = head.clone();
        forged.extend(varint_u64(len));
        forged.extend_from_slice(&whole[head.len() + 1..]);
        let (r, largest) = largest_allocation(|| codec::decode::<Area>(&forged));
        assert!(r.is_err(), "length {len} decoded: {r:?}");
        assert!(
            largest <= 2 * codec::DECODE_LIMIT,
            "allocated {largest} bytes at once"
        );
    }
}

#[test]
fn a_huge_checklist_is_an_error_without_a_huge_allocation() {
    // A patrol body: variant index, kind, then the item count.
    let body = EventBody::Patrol(PatrolBody {
        kind: PatrolKind::Hygiene,
        items: Vec::new(),
        note: "楼道整洁".into(),
    });
    let whole = codec::encode(&body).unwrap();
    // version, variant 5, kind 0, item count 0, note.
    assert_eq!(&whole[..4], &[codec::FORMAT_VERSION, 5, 0, 0]);
    let mut forged = whole[..3].to_vec();
    forged.extend(varint_u64(1 << 60));
    forged.extend_from_slice(&whole[4..]);
    let (r, largest) = largest_allocation(|| codec::decode::<EventBody>(&forged));
    assert!(r.is_err(), "decoded: {r:?}");
    assert!(
        largest <= 2 * codec::DECODE_LIMIT,
        "allocated {largest} bytes at once"
    );
}

#[test]
fn a_value_over_the_limit_is_refused() {
    // A real (not forged) list longer than the decode limit is still refused:
    // nothing the store writes comes near it, so such bytes are damage.
    let r = Resident {
        tags: vec!["流动人口".repeat(1000); 200],
        ..sample_resident()
    };
    let bytes = codec::encode(&r).unwrap();
    assert!(bytes.len() > codec::DECODE_LIMIT);
    assert!(codec::decode::<Resident>(&bytes).is_err());
}

#[test]
fn the_allocation_watch_sees_allocations() {
    // Guards the tests above against a watch that never fires.
    let (_, largest) =
        largest_allocation(|| std::hint::black_box(vec![0u8; 3 * codec::DECODE_LIMIT]));
    assert!(largest >= 3 * codec::DECODE_LIMIT);
}

/// Bytes that try to nest `levels` amendments inside each other around a
/// comment step (what a damaged or forged value could hold).
fn nested_amendments(levels: usize) -> Vec<u8> {
    let base = codec::encode(&Correction::ProblemStepped(ProblemSteppedBody {
        problem: Id(1),
        step: ProblemStep::Comment,
        note: String::new(),
    }))
    .unwrap();
    let mut bytes = vec![codec::FORMAT_VERSION];
    for _ in 0..levels {
        // Variant 9 (Amended), `supersedes` = 0.
        bytes.extend_from_slice(&[9, 0]);
    }
    bytes.extend_from_slice(&base[1..]);
    // Each level's empty `reason`.
    bytes.extend(std::iter::repeat_n(0u8, levels));
    bytes
}

#[test]
fn one_amendment_is_read_back() {
    let body = codec::decode::<EventBody>(&nested_amendments(1)).unwrap();
    let EventBody::Amended { replacement, .. } = body else {
        panic!("not an amendment: {body:?}")
    };
    assert!(matches!(replacement, Correction::ProblemStepped(_)));
}

#[test]
fn amendments_cannot_nest() {
    assert!(codec::decode::<EventBody>(&nested_amendments(2)).is_err());
}

#[test]
fn deep_nesting_within_the_size_limit_is_refused_without_recursion() {
    // 200k levels fit in well under the decode limit; the type cannot nest,
    // so decoding stops at the second level instead of overflowing the stack.
    let bytes = nested_amendments(200_000);
    assert!(bytes.len() < codec::DECODE_LIMIT);
    let r = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || codec::decode::<EventBody>(&bytes).map(drop))
        .unwrap()
        .join()
        .unwrap();
    assert!(r.is_err());
}

// ---- bytes and JSON written before bodies were structs -----------------------

/// The entries behind `tests/expected/bodies.{hex,json}`: one of each
/// amendable kind, an amendment carrying each correction, and two other kinds.
/// The files were written by the code from before the amendable bodies became
/// named structs (struct variants then); they must read and write the same.
fn fixture_events() -> Vec<Event> {
    fn ev(n: u128, body: EventBody) -> Event {
        Event {
            id: Id(((1_780_000_000_000u128 + n) << 80) | n),
            at: Ts(1_780_000_000_000 + n as i64),
            created_at: Ts(1_780_000_100_000 + n as i64),
            by: Some(Id(900 + n)),
            zone: Id(500 + n),
            body,
        }
    }
    let corrections = vec![
        Correction::Visit(VisitBody {
            household: Id(11),
            member: Id(12),
            purpose: "慰问".into(),
            note: "王阿姨血压正常，下周再来。".into(),
            follow_up: Some(Date {
                year: 2026,
                month: 12,
                day: 9,
            }),
        }),
        Correction::ProblemOpened(ProblemOpenedBody {
            category: "环境卫生".into(),
            description: "3栋楼道堆放杂物".into(),
            reporter: Some(Id(21)),
            urgency: Urgency::High,
        }),
        Correction::ProblemStepped(ProblemSteppedBody {
            problem: Id(31),
            step: ProblemStep::Resolved,
            note: "物业已清理".into(),
        }),
        Correction::Patrol(PatrolBody {
            kind: PatrolKind::ALL[1],
            items: vec![
                CheckResult {
                    item: "fire_exit".into(),
                    ok: true,
                    note: String::new(),
                },
                CheckResult {
                    item: "lights".into(),
                    ok: false,
                    note: "2单元灯坏".into(),
                },
            ],
            note: "夜巡".into(),
        }),
        Correction::Activity(ActivityBody {
            kind: "volunteer".into(),
            members: vec![Id(41), Id(42)],
            minutes: 90,
            note: "义务劳动 Lane 3".into(),
        }),
    ];
    let mut bodies: Vec<EventBody> = corrections.iter().map(Correction::body).collect();
    for (n, c) in corrections.into_iter().enumerate() {
        bodies.push(EventBody::Amended {
            supersedes: Id(706 + n as u128),
            replacement: c,
            reason: "写错了 typo".into(),
        });
    }
    bodies.push(EventBody::Assigned {
        member: Id(12),
        role: Role::Liaison,
        since: Ts(1_700_000_000_000),
        until: None,
    });
    bodies.push(EventBody::Moved {
        resident: Id(51),
        from: Id(52),
        to: Id(53),
    });
    bodies
        .into_iter()
        .zip(1..)
        .map(|(body, n)| ev(n, body))
        .collect()
}

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expected")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn stored_bytes_of_every_amendable_kind_read_and_write_as_before() {
    let events = fixture_events();
    let lines = fixture("bodies.hex");
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(lines.len(), events.len());
    for (line, want) in lines.iter().zip(&events) {
        let (label, stored) = line.split_once(' ').unwrap();
        let got: Event = codec::decode(&unhex(stored)).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(&got, want, "{label} decodes to another entry");
        assert_eq!(
            hex(&codec::encode(&got).unwrap()),
            stored,
            "{label} re-encodes differently"
        );
    }
}

#[test]
fn the_json_of_every_amendable_kind_reads_and_writes_as_before() {
    let events = fixture_events();
    let stored = fixture("bodies.json");
    let read: Vec<Event> = serde_json::from_str(&stored).unwrap();
    assert_eq!(read, events);
    let mut written = serde_json::to_string_pretty(&events).unwrap();
    written.push('\n');
    assert_eq!(written, stored);
}
