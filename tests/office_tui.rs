//! The office's jobs in the TUI, driven by key strings through the real
//! keymap: marking several households for one member, and the roster
//! import preview's per-row choice.

use gridbook::i18n::Lang;
use gridbook::model::*;
use gridbook::ops::{self, Ctx};
use gridbook::store::Store;

mod tui_harness;
use tui_harness::{app, pin_clock, screen};

#[test]
fn space_marks_households_and_a_makes_them_one_members_liaison_households() {
    let now = pin_clock();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    gridbook::demo::load(&store, now).unwrap();
    let ctx = Ctx { by: None, now };
    let member = ops::add_member(
        &store,
        ctx,
        "新党员",
        "13800009999",
        MemberKind::PartyMember,
        "",
    )
    .unwrap();
    let liaisons = |s: &Store| {
        s.assignments_of_member(member.meta.id)
            .unwrap()
            .iter()
            .filter(|a| a.role == Role::Liaison && a.active_at(Ts(now.0 + 1)))
            .count()
    };
    let before = liaisons(&store);
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press("enter enter space space");
    let shown = screen(&a, 120, 40);
    assert!(shown.contains("已标记 2 项"), "{shown}");
    assert_eq!(shown.matches("✓ ").count(), 2, "{shown}");
    a.press("a");
    let shown = screen(&a, 120, 40);
    assert!(shown.contains("为已标记的 2 处指定同一名成员"), "{shown}");
    a.press(&format!("\"{}\" ctrl-s", member.name));
    let status = a.state.status.clone().unwrap();
    assert!(!status.error, "{}", status.text);
    assert_eq!(liaisons(&store), before + 2);
    // The marks were acted on and are gone.
    assert!(!screen(&a, 120, 40).contains("已标记"));
}

#[test]
fn the_import_preview_offers_each_row_that_would_undo_local_work_as_a_choice() {
    let now = pin_clock();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let text = "小区,楼栋,单元,房号,姓名,电话,与户主关系\n\
胜利花苑,1栋,1,101,严建国,13800000001,户主\n\
胜利花苑,1栋,1,101,吕桂英,13800000002,配偶\n";
    let file = dir.path().join("roster.csv");
    std::fs::write(&file, text).unwrap();
    let parsed = gridbook::roster::read(&file).unwrap();
    let ctx = Ctx {
        by: None,
        now: Ts(now.0 - 10 * DAY_MS),
    };
    gridbook::roster::import(&store, ctx, &parsed, false, false).unwrap();
    let find = |s: &Store, name: &str| {
        s.all::<Resident>()
            .map(|r| r.unwrap())
            .find(|r| r.name == name)
            .unwrap()
    };
    let local = Ctx {
        by: None,
        now: Ts(now.0 - DAY_MS),
    };
    let yan = find(&store, "严建国");
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
    let lv = find(&store, "吕桂英");
    ops::set_resident_status(&store, local, lv.meta.id, ResidentStatus::Deceased).unwrap();

    let mut a = app(&store, Lang::En, 120, 40);
    a.press(&format!(": \"import {}\" enter", file.display()));
    let shown = screen(&a, 120, 40);
    assert!(
        shown.contains("[1] line 2  胜利花苑/1栋/1-101 严建国: phone changed here to 13900000009"),
        "{shown}"
    );
    assert!(shown.contains("[2] line 3"), "{shown}");
    assert_eq!(shown.matches("‹ keep what is here ›").count(), 2, "{shown}");
    // Space on the first row: take the file's phone; the second stays.
    a.press("space");
    let shown = screen(&a, 120, 40);
    assert!(shown.contains("‹ take the file's ›"), "{shown}");
    a.press("ctrl-s");
    let status = a.state.status.clone().unwrap();
    assert!(!status.error, "{}", status.text);
    assert_eq!(find(&store, "严建国").phones, ["13800000001"]);
    assert_eq!(find(&store, "吕桂英").status, ResidentStatus::Deceased);
}
