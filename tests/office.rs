//! The community office's jobs: a roster re-import as a reconciliation
//! (local work wins and is reported; `--overwrite` or a per-row choice takes
//! the file's value), near-duplicates, one member for several marked zones,
//! retiring a member, and the rules for entries' times and authors.

mod common;

use common::Data;
use gridbook::model::*;
use gridbook::ops::{self, Ctx};
use gridbook::roster::{self, Line, Options, Report, Take, What};
use gridbook::store::Store;

const FIRST: &str = "小区,楼栋,单元,房号,姓名,电话,与户主关系\n\
胜利花苑,1栋,1,101,严建国,13800000001,户主\n\
胜利花苑,1栋,1,101,吕桂英,13800000002,配偶\n\
胜利花苑,1栋,1,101,罗桂兰,,母亲\n\
胜利花苑,1栋,1,102,王强,13800000003,户主\n\
胜利花苑,1栋,1,103,崔紫萱,13800000004,户主\n\
胜利花苑,1栋,1,104,李明,13800000005,户主\n";

fn at(ms: i64) -> Ts {
    Ts(ms)
}

const T0: i64 = 1_795_000_000_000;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    (dir, store)
}

fn import(store: &Store, text: &str, now: i64, take: Take, dry_run: bool) -> Report {
    let parsed = roster::parse("roster.csv", text.as_bytes()).unwrap();
    let ctx = Ctx {
        by: None,
        now: at(now),
    };
    let opts = Options {
        dry_run,
        skip_invalid: false,
        take,
    };
    roster::import_with(store, ctx, &parsed, &opts).unwrap()
}

fn resident(store: &Store, name: &str) -> Resident {
    store
        .all::<Resident>()
        .map(|r| r.unwrap())
        .find(|r| r.name == name)
        .unwrap()
}

fn household(store: &Store, label: &str) -> Household {
    store
        .all::<Household>()
        .map(|h| h.unwrap())
        .find(|h| h.label() == label)
        .unwrap()
}

/// The first import, then the local work of the issue: 罗桂兰 deleted (已迁出),
/// 吕桂英 marked deceased, 严建国's phone corrected, household 1-102 deleted.
fn estate_with_local_work() -> (tempfile::TempDir, Store, Member) {
    let (d, store) = store();
    import(&store, FIRST, T0, Take::None, false);
    let ctx = Ctx {
        by: None,
        now: at(T0),
    };
    let sun = ops::add_member(
        &store,
        ctx,
        "孙丽",
        "13800000099",
        MemberKind::PartyMember,
        "",
    )
    .unwrap();
    let local = Ctx {
        by: Some(sun.meta.id),
        now: at(T0 + 2 * DAY_MS),
    };
    let luo = resident(&store, "罗桂兰");
    ops::tombstone(&store, local, luo.meta.id, "已迁出").unwrap();
    let lv = resident(&store, "吕桂英");
    ops::set_resident_status(&store, local, lv.meta.id, ResidentStatus::Deceased).unwrap();
    let yan = resident(&store, "严建国");
    ops::edit_resident(
        &store,
        local,
        yan.meta.id,
        &ops::ResidentInput {
            name: "严建国".into(),
            phones: "13900000009".into(),
            relation: "户主".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let h102 = household(&store, "1-102");
    ops::tombstone(&store, local, h102.meta.id, "房屋拆除").unwrap();
    (d, store, sun)
}

fn lines_of(r: &Report) -> Vec<String> {
    r.lines
        .iter()
        .map(|l| l.text(gridbook::i18n::Lang::En))
        .collect()
}

#[test]
fn a_reimport_of_the_first_roster_keeps_every_local_change_and_says_so() {
    let (_d, store, _) = estate_with_local_work();
    let events = store.event_count().unwrap();
    let on = at(T0 + 2 * DAY_MS).date().to_string();
    let report = import(&store, FIRST, T0 + 3 * DAY_MS, Take::None, true);
    assert_eq!(
        lines_of(&report),
        [
            format!(
                "line 2  胜利花苑/1栋/1-101 严建国: phone changed here to 13900000009 (by 孙丽 on {on}); the file says 13800000001: keeping it"
            ),
            format!(
                "line 3  胜利花苑/1栋/1-101 吕桂英: marked deceased here (by 孙丽 on {on}); the file lists them: keeping it"
            ),
            format!(
                "line 4  胜利花苑/1栋/1-101 罗桂兰: deleted here (by 孙丽 on {on}; reason: 已迁出); the file lists it again: keeping it"
            ),
            format!(
                "line 5  胜利花苑/1栋/1-102: deleted here (by 孙丽 on {on}; reason: 房屋拆除); the file lists it again: keeping it"
            ),
        ]
    );
    assert_eq!(
        (report.kept_here, report.rows_kept_deleted, report.written),
        (4, 2, false)
    );
    // The real import: nothing comes back, nothing is written.
    let report = import(&store, FIRST, T0 + 3 * DAY_MS, Take::None, false);
    assert!(!report.written);
    assert_eq!(store.event_count().unwrap(), events);
    assert_eq!(resident(&store, "严建国").phones, ["13900000009"]);
    assert_eq!(resident(&store, "吕桂英").status, ResidentStatus::Deceased);
    assert!(!resident(&store, "罗桂兰").meta.is_live());
    assert!(!household(&store, "1-102").meta.is_live());
    // Exactly one 1-102: the deleted one was not recreated beside it.
    assert_eq!(
        store
            .all::<Household>()
            .filter(|h| h.as_ref().unwrap().label() == "1-102")
            .count(),
        1
    );
}

#[test]
fn overwrite_takes_the_files_values_and_brings_back_the_deleted_records() {
    let (_d, store, _) = estate_with_local_work();
    let report = import(&store, FIRST, T0 + 3 * DAY_MS, Take::All, false);
    assert!(report.written);
    assert_eq!(report.restored, 2);
    assert!(report.lines.iter().all(|l| l.taken));
    assert_eq!(resident(&store, "严建国").phones, ["13800000001"]);
    assert_eq!(resident(&store, "吕桂英").status, ResidentStatus::Present);
    assert!(resident(&store, "罗桂兰").meta.is_live());
    // The same household record comes back, with its history and resident.
    let h = household(&store, "1-102");
    assert!(h.meta.is_live());
    assert_eq!(store.residents_of(h.meta.id).unwrap().len(), 1);
    assert_eq!(store.households_of(h.building).unwrap().len(), 4);
}

#[test]
fn a_choice_per_row_takes_only_the_chosen_rows() {
    let (_d, store, _) = estate_with_local_work();
    let preview = import(&store, FIRST, T0 + 3 * DAY_MS, Take::None, true);
    let phone_key = preview
        .lines
        .iter()
        .find(|l| matches!(&l.what, What::ChangedHere { field, .. } if field == "phones"))
        .and_then(|l| l.key.clone())
        .unwrap();
    let take = Take::Only([phone_key].into_iter().collect());
    let report = import(&store, FIRST, T0 + 3 * DAY_MS, take, false);
    assert!(report.written);
    assert_eq!(resident(&store, "严建国").phones, ["13800000001"]);
    assert_eq!(resident(&store, "吕桂英").status, ResidentStatus::Deceased);
    assert!(!resident(&store, "罗桂兰").meta.is_live());
    assert!(!household(&store, "1-102").meta.is_live());
}

#[test]
fn office_changes_apply_new_rows_are_listed_and_missing_ones_are_kept() {
    let (_d, store) = store();
    import(&store, FIRST, T0, Take::None, false);
    let update = "小区,楼栋,单元,房号,姓名,电话,与户主关系\n\
胜利花苑,1栋,1,101,严建国,13800000001,户主\n\
胜利花苑,1栋,1,101,吕桂英,13800000002,配偶\n\
胜利花苑,1栋,1,101,罗桂兰,13800000006,母亲\n\
胜利花苑,1栋,1,102,王强,13800000003,户主\n\
胜利花苑,1栋,1,103,崔紫萱,13800000004,户主\n\
胜利花苑,1栋,1,103,崔梓萱,,女儿\n\
胜利花苑,1栋,1,103,崔浩,13800000001,儿子\n";
    let report = import(&store, update, T0 + DAY_MS, Take::None, false);
    assert_eq!(
        lines_of(&report),
        [
            "line 4  胜利花苑/1栋/1-101 罗桂兰: phone — → 13800000006",
            "line 7  胜利花苑/1栋/1-103 崔梓萱: new",
            "line 7  胜利花苑/1栋/1-103 崔梓萱: new, one character from 崔紫萱 in the same household: the same person?",
            "line 8  胜利花苑/1栋/1-103 崔浩: new",
            "line 8  胜利花苑/1栋/1-103 崔浩: phone 13800000001 is also 胜利花苑/1栋/1-101 严建国's",
            "not in file  胜利花苑/1栋/1-104: in the store, not in the file (kept)",
        ]
    );
    assert_eq!(resident(&store, "罗桂兰").phones, ["13800000006"]);
    assert!(household(&store, "1-104").meta.is_live());
    assert_eq!(report.missing, 1);
}

#[test]
fn a_field_the_office_changed_again_after_a_local_edit_is_kept_and_reported() {
    let (_d, store, _) = estate_with_local_work();
    let update = FIRST.replace("13800000001", "13700000007");
    let report = import(&store, &update, T0 + 3 * DAY_MS, Take::None, false);
    let line: &Line = report.lines.iter().find(|l| l.name == "严建国").unwrap();
    assert!(
        matches!(&line.what, What::ChangedHere { here, file, .. } if here == "13900000009" && file == "13700000007"),
        "{line:?}"
    );
    assert_eq!(resident(&store, "严建国").phones, ["13900000009"]);
}

#[test]
fn cli_dry_run_lists_the_reconciliation_and_overwrite_takes_the_file() {
    let d = Data::new();
    d.ok(&[
        "edit",
        "resident",
        "胜利花苑/5栋/1-101",
        "严建国",
        "--phone",
        "13912345678",
    ]);
    d.ok(&[
        "edit",
        "resident",
        "胜利花苑/3栋/2-501",
        "吕桂英",
        "--status",
        "去世",
    ]);
    let roster = d.path("roster.csv");
    let out = d.ok(&["import", "roster", "--dry-run", &roster]);
    assert!(
        out.contains("line 6  胜利花苑/5栋/1-101 严建国: phone changed here to 13912345678 (on 2026-12-01); the file says 13905460003: keeping it"),
        "{out}"
    );
    assert!(
        out.contains("line 2  胜利花苑/3栋/2-501 吕桂英: marked deceased here (on 2026-12-01); the file lists them: keeping it"),
        "{out}"
    );
    assert!(out.contains("nothing written"), "{out}");
    let zh = d.ok(&["--lang", "zh", "import", "roster", "--dry-run", &roster]);
    assert!(
        zh.contains("第 6 行  胜利花苑/5栋/1-101 严建国：电话 已在本地改为 13912345678（于 2026-12-01）；文件为 13905460003；保留本地"),
        "{zh}"
    );
    assert!(
        zh.contains("第 2 行  胜利花苑/3栋/2-501 吕桂英：已在本地标记为去世（于 2026-12-01）；文件仍列出；保留本地"),
        "{zh}"
    );
    // The import itself keeps local work …
    d.ok(&["import", "roster", &roster]);
    let show = d.ok(&["show", "胜利花苑/5栋/1-101"]);
    assert!(show.contains("13912345678"), "{show}");
    // … and --overwrite takes the file's values.
    let out = d.ok(&["import", "roster", "--overwrite", &roster]);
    assert!(out.contains("taking the file's"), "{out}");
    let show = d.ok(&["show", "胜利花苑/5栋/1-101"]);
    let row = show.lines().find(|l| l.contains("严建国")).unwrap();
    assert!(row.contains("13905460003"), "{show}");
}

#[test]
fn one_member_becomes_the_liaison_of_several_households_in_one_step() {
    let (_d, store) = store();
    import(&store, FIRST, T0, Take::None, false);
    let ctx = Ctx {
        by: None,
        now: at(T0),
    };
    let m = ops::add_member(
        &store,
        ctx,
        "孙丽",
        "13800000099",
        MemberKind::PartyMember,
        "",
    )
    .unwrap();
    let ids: Vec<Id> = ["1-101", "1-103", "1-104"]
        .iter()
        .map(|l| household(&store, l).meta.id)
        .collect();
    let events = ops::assign_many(&store, ctx, &ids, m.meta.id, Role::Liaison, at(T0)).unwrap();
    assert_eq!(events.len(), 3);
    let mut zones: Vec<Id> = store
        .assignments_of_member(m.meta.id)
        .unwrap()
        .into_iter()
        .map(|a| a.zone)
        .collect();
    zones.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(zones, want);
    // All or none: a building cannot take a liaison, so nothing is written.
    let before = store.event_count().unwrap();
    let building = household(&store, "1-102").building;
    let mixed = [household(&store, "1-102").meta.id, building];
    assert!(ops::assign_many(&store, ctx, &mixed, m.meta.id, Role::Liaison, at(T0)).is_err());
    assert_eq!(store.event_count().unwrap(), before);
}

#[test]
fn retiring_a_member_ends_each_span_explicitly_and_earlier_entries_can_still_be_theirs() {
    let (_d, store) = store();
    import(&store, FIRST, T0, Take::None, false);
    let ctx = Ctx {
        by: None,
        now: at(T0),
    };
    let m = ops::add_member(
        &store,
        ctx,
        "孙丽",
        "13800000099",
        MemberKind::PartyMember,
        "",
    )
    .unwrap();
    let h = household(&store, "1-101").meta.id;
    let b = household(&store, "1-101").building;
    ops::assign(&store, ctx, b, m.meta.id, Role::Responsible, at(T0), None).unwrap();
    ops::assign(&store, ctx, h, m.meta.id, Role::Liaison, at(T0), None).unwrap();
    let later = Ctx {
        by: None,
        now: at(T0 + 10 * DAY_MS),
    };
    assert_eq!(
        ops::open_spans(&store, m.meta.id, later.now).unwrap().len(),
        2
    );
    ops::tombstone(&store, later, m.meta.id, "退休").unwrap();
    let spans = store.assignments_of_member(m.meta.id).unwrap();
    assert_eq!(spans.len(), 2);
    assert!(
        spans.iter().all(|a| a.until == Some(later.now)),
        "{spans:?}"
    );
    let ended = store
        .timeline(b, usize::MAX)
        .unwrap()
        .into_iter()
        .filter(|e| matches!(e.body, EventBody::AssignmentEnded { .. }))
        .count();
    assert_eq!(ended, 2, "both ends are on the building's timeline");
    // A paper record from before the retirement is logged for them …
    let visit = |t: i64| ops::VisitInput {
        household: h,
        member: m.meta.id,
        at: at(t),
        purpose: "routine".into(),
        note: String::new(),
        follow_up: None,
    };
    ops::log_visit(&store, later, &visit(T0 + 5 * DAY_MS)).unwrap();
    // … but nothing dated after it.
    let err = ops::log_visit(&store, later, &visit(T0 + 10 * DAY_MS + 1)).unwrap_err();
    assert!(err.to_string().contains("retired"), "{err}");
}

#[test]
fn cli_retire_lists_what_it_ends_and_needs_yes() {
    let d = Data::new();
    let err = d.bad(&["retire", "孙丽", "--reason", "迁出"]);
    assert!(err.contains("--yes"), "{err}");
    let out = d
        .cmd(common::NOW, &["retire", "孙丽", "--reason", "迁出"])
        .output()
        .unwrap();
    let listed = String::from_utf8(out.stdout).unwrap();
    assert!(
        listed.contains("retiring 孙丽 ends 1 spans:")
            && listed.contains("liaison  胜利花苑/3栋/2-501"),
        "{listed}"
    );
    let out = d.ok(&["retire", "孙丽", "--reason", "迁出", "--yes"]);
    assert!(out.contains("孙丽 retired"), "{out}");
    let show = d.ok(&["show", "胜利花苑/3栋/2-501"]);
    assert!(!show.contains("孙丽 138"), "{show}");
    // Paper records dated before the retirement are still hers.
    d.ok(&[
        "log",
        "visit",
        "--household",
        "胜利花苑/3栋/2-501",
        "--as",
        "孙丽",
        "--at",
        "2026-11-20 10:00",
    ]);
    d.bad(&[
        "log",
        "visit",
        "--household",
        "胜利花苑/3栋/2-501",
        "--as",
        "孙丽",
    ]);
}

#[test]
fn cli_follow_ups_count_from_the_visit_entries_ahead_and_visits_without_a_member_are_refused() {
    let d = Data::new();
    let id = d.ok(&[
        "log",
        "visit",
        "--household",
        "胜利花苑/3栋/2-501",
        "--as",
        "赵建国",
        "--at",
        "2026-11-18",
        "--follow-up",
        "+3d",
    ]);
    let export = d.ok(&["export"]);
    let dump: serde_json::Value = serde_json::from_str(&export).unwrap();
    let visit = dump["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"].as_str() == Some(id.trim()))
        .unwrap()
        .clone();
    assert!(visit.to_string().contains("\"day\":21"), "{visit}");
    assert!(visit.to_string().contains("\"month\":11"), "{visit}");
    // Two hours ahead is refused; a follow-up ahead is fine.
    let err = d.bad(&[
        "log",
        "visit",
        "--household",
        "胜利花苑/3栋/2-501",
        "--as",
        "赵建国",
        "--at",
        "2026-12-01 16:30",
    ]);
    assert!(err.contains("more than an hour"), "{err}");
    d.ok(&[
        "log",
        "visit",
        "--household",
        "胜利花苑/3栋/2-501",
        "--as",
        "赵建国",
        "--at",
        "2026-12-01 15:00",
        "--follow-up",
        "+30d",
    ]);
    // No --as and no `me`: refused, naming --as.
    let err = d.bad(&["log", "visit", "--household", "胜利花苑/3栋/2-501"]);
    assert!(err.contains("--as"), "{err}");
}

#[test]
fn a_deleted_household_is_named_by_its_room_and_drops_out_of_liaison_counts() {
    let d = Data::new();
    let store_dir = d.dir.path().join("data");
    {
        let store = Store::open(&store_dir).unwrap();
        let zone = gridbook::address::resolve(&store, "胜利花苑/3栋/2-501").unwrap();
        let w = gridbook::report::members(&store, Ts::now()).unwrap();
        let sun = w.iter().find(|w| w.name == "孙丽").unwrap();
        assert_eq!(sun.liaison_households, 1);
        ops::tombstone(&store, Ctx::now(None), zone.id(), "房屋拆除").unwrap();
        let w = gridbook::report::members(&store, Ts::now()).unwrap();
        let sun = w.iter().find(|w| w.name == "孙丽").unwrap();
        assert_eq!(sun.liaison_households, 0);
    }
    let show = d.ok(&["show", "胜利花苑/3栋"]);
    assert!(show.contains("2-501"), "{show}");
    let fragment = show
        .lines()
        .find(|l| l.contains("房屋拆除"))
        .unwrap_or_default();
    assert!(fragment.contains("2-501"), "{show}");
}
