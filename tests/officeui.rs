//! The office's assignment work from the keyboard (ending a span from a
//! member's zones or a zone's cover, transferring a member's zones with a
//! preview), "my zones" in the problems view, move and merge refusals in
//! Chinese, and counts said with their plurals.

use gridbook::address;
use gridbook::i18n::Lang;
use gridbook::model::*;
use gridbook::store::Store;
use gridbook::tui::App;
use gridbook::tui::state::{ReportKind, View};

mod tui_harness;
use tui_harness::{demo_store, pin_clock, screen};

mod common;

fn zone(store: &Store, addr: &str) -> Id {
    address::resolve(store, addr).unwrap().id()
}

fn member(store: &Store, name: &str) -> Id {
    gridbook::who::member(store, name).unwrap().meta.id
}

/// The spans `who` holds on `zone` that have not ended at `at`.
fn held(store: &Store, who: Id, zone: Id, at: Ts) -> usize {
    store
        .assignments_of(zone)
        .unwrap()
        .iter()
        .filter(|a| a.member == who && a.active_at(at))
        .count()
}

fn report_kind(a: &App) -> Option<ReportKind> {
    match &a.state.view {
        View::Report(r) => Some(r.kind),
        _ => None,
    }
}

/// Opens the members view and selects `who`'s row.
fn select_member(a: &mut App, who: Id) {
    a.press("g m");
    let rows = match &a.state.view {
        View::Report(r) => r.rows.clone(),
        _ => panic!("the members view is shown"),
    };
    let at = rows
        .iter()
        .position(|r| r.id == who)
        .expect("member listed");
    for _ in 0..at {
        a.press("down");
    }
}

fn status(a: &App) -> (String, bool) {
    let s = a.state.status.clone().expect("a status line");
    (s.text, s.error)
}

#[test]
fn a_span_ends_from_a_members_zones_with_its_last_day() {
    let (_d, store) = demo_store();
    let now = pin_clock();
    let building = zone(&store, "胜利花苑/3栋");
    let shao = member(&store, "邵超");
    assert_eq!(held(&store, shao, building, now), 1);
    let mut a = tui_harness::app(&store, Lang::Zh, 120, 40);
    select_member(&mut a, shao);
    a.press("enter");
    assert_eq!(report_kind(&a), Some(ReportKind::MemberZones(shao)));
    // A day that is not a date is refused in the form; nothing is written.
    a.press("d \"xyz\" ctrl-s");
    let shown = screen(&a, 120, 40);
    assert!(shown.contains("结束职责"), "{shown}");
    assert_eq!(held(&store, shao, building, now), 1);
    a.press("esc y");
    assert!(a.state.layers.is_empty());
    // `d` on the span, today by default: it ends now and the list reloads.
    a.press("d");
    let shown = screen(&a, 120, 40);
    assert!(
        shown.contains("邵超 担任 责任人（胜利花苑/3栋）") && shown.contains("今天"),
        "{shown}"
    );
    a.press("ctrl-s");
    let (text, error) = status(&a);
    assert!(!error, "{text}");
    assert!(text.contains("邵超") && text.contains("结束"), "{text}");
    assert_eq!(held(&store, shao, building, Ts(now.0 + 1)), 0);
    insta::assert_snapshot!("officeui_span_ended_zh", screen(&a, 120, 40));
    // The zone's timeline shows the end.
    let ends = store
        .timeline(building, 50)
        .unwrap()
        .into_iter()
        .filter(|e| matches!(e.body, EventBody::AssignmentEnded { .. }))
        .count();
    assert_eq!(ends, 1);
    // An ended span cannot be ended again.
    a.press("u");
    let (text, error) = status(&a);
    assert!(error && text.contains("已经结束"), "{text}");
}

#[test]
fn a_zones_cover_lists_its_spans_and_e_ends_one_on_a_later_day() {
    let (_d, store) = demo_store();
    let now = pin_clock();
    let building = zone(&store, "胜利花苑/4栋");
    let guo = member(&store, "郭宇航");
    let mut a = tui_harness::app(&store, Lang::En, 80, 24);
    // The areas, 胜利花苑's buildings, then 4栋's cover.
    a.press("enter");
    let rows = match &a.state.view {
        View::Browse(b) => b.rows.clone(),
        _ => panic!("the browser is shown"),
    };
    let at = rows.iter().position(|r| r.id == building).unwrap();
    for _ in 0..at {
        a.press("down");
    }
    a.press("w");
    assert_eq!(report_kind(&a), Some(ReportKind::Cover(building)));
    insta::assert_snapshot!("officeui_cover_en_80x24", screen(&a, 80, 24));
    a.press("e ctrl-u \"2026-11-30\" ctrl-s");
    let (text, error) = status(&a);
    assert!(!error, "{text}");
    // The span ends when its last day is over, in the local zone.
    let end: jiff::Timestamp = "2026-11-30T16:00:00Z".parse().unwrap();
    let span = store
        .assignments_of(building)
        .unwrap()
        .into_iter()
        .find(|s| s.member == guo)
        .unwrap();
    assert_eq!(span.until, Some(Ts(end.as_millisecond())));
    assert_eq!(held(&store, guo, building, now), 1);
    // `esc` returns to the browser, on the building.
    a.press("esc");
    assert!(matches!(a.state.view, View::Browse(_)));
}

#[test]
fn the_cover_in_chinese_aligns_names_and_says_where_cover_is_inherited() {
    let (_d, store) = demo_store();
    let mut a = tui_harness::app(&store, Lang::Zh, 100, 30);
    // A household inherits its building's responsible member.
    a.press(": \"goto 胜利花苑/3栋/2-501\" enter");
    a.press("w");
    let shown = screen(&a, 100, 30);
    assert!(shown.contains("经由 胜利花苑/3栋"), "{shown}");
    insta::assert_snapshot!("officeui_cover_household_zh", shown);
}

#[test]
fn transfer_from_the_members_view_previews_what_moves_then_moves_it() {
    let (_d, store) = demo_store();
    let now = pin_clock();
    let building = zone(&store, "胜利花苑/3栋");
    let shao = member(&store, "邵超");
    let sun = member(&store, "孙梓涵");
    let mut a = tui_harness::app(&store, Lang::Zh, 120, 40);
    select_member(&mut a, shao);
    // Handing over to oneself is refused, in Chinese; nothing is written.
    a.press("X \"邵超\" ctrl-s");
    let f = a.state.form().expect("the form stays open");
    let err = f.save_error.clone().unwrap_or_default();
    assert!(
        err.contains("两名不同的成员") || err.contains("不同"),
        "{err}"
    );
    assert_eq!(held(&store, shao, building, now), 1);
    a.press("esc y X \"孙梓涵\" ctrl-s");
    // The preview lists what moves; still nothing written.
    let shown = screen(&a, 120, 40);
    assert!(
        shown.contains("从 邵超 移交给 孙梓涵") && shown.contains("责任人  胜利花苑/3栋"),
        "{shown}"
    );
    insta::assert_snapshot!("officeui_transfer_preview_zh", shown);
    assert_eq!(held(&store, shao, building, now), 1);
    a.press("ctrl-s");
    let (text, error) = status(&a);
    assert!(!error, "{text}");
    assert!(text.contains("1 处责任区或联系户"), "{text}");
    let later = Ts(now.0 + 1);
    assert_eq!(held(&store, shao, building, later), 0);
    assert_eq!(held(&store, sun, building, later), 1);
    assert!(a.state.layers.is_empty());
}

#[test]
fn the_problems_view_honours_my_zones() {
    let (_d, store) = demo_store();
    let now = pin_clock();
    let shao = member(&store, "邵超");
    let building = zone(&store, "胜利花苑/3栋");
    let (keymap, _) = gridbook::tui::keymap::Keymap::load(None, None);
    let mut a = App::new(
        &store,
        Lang::En,
        keymap,
        Some((shao, "邵超".into())),
        gridbook::config::Config::default(),
        gridbook::checklist::Checklists::shipped(),
    );
    a.resize(120, 40);
    a.start();
    a.press("g p");
    let rows = |a: &App| match &a.state.view {
        View::Report(r) => r.rows.clone(),
        _ => panic!("a report is shown"),
    };
    let everything = rows(&a).len();
    let mine = store.open_problem_count(building).unwrap();
    assert!(mine > 0 && everything > mine, "{mine} of {everything}");
    a.press("m");
    let only = rows(&a);
    assert_eq!(only.len(), mine);
    assert!(only.iter().all(|r| r.cells[2].contains("3栋")), "{only:?}");
    let shown = screen(&a, 120, 40);
    assert!(shown.contains("Only my zones"), "{shown}");
    // The chart counts what the list shows.
    let Some(View::Report(r)) = Some(&a.state.view) else {
        unreachable!()
    };
    match &r.chart {
        Some(gridbook::tui::charts::Chart::Ages(bands)) => {
            assert_eq!(bands.iter().sum::<u64>() as usize, mine, "{bands:?}")
        }
        other => panic!("{other:?}"),
    }
    // Resolved ones, too, are those of my zones only.
    a.press("R");
    assert!(
        rows(&a).iter().all(|r| r.cells[2].contains("3栋")),
        "{:?}",
        rows(&a)
    );
    a.press("R m");
    assert_eq!(rows(&a).len(), everything);
    let _ = now;
}

#[test]
fn move_and_merge_refusals_speak_chinese() {
    let d = common::Data::new();
    // A second 吕德 in 1-101: moving or merging 2-501's there is refused.
    std::fs::write(
        d.dir.path().join("more.csv"),
        "小区,楼栋,单元,房号,姓名,电话,与户主关系\n胜利花苑,3栋,1,101,吕德,,子女\n",
    )
    .unwrap();
    d.ok(&["import", "roster", &d.path("more.csv")]);
    let err = d.bad(&[
        "--lang",
        "zh",
        "merge",
        "胜利花苑/3栋/2-501",
        "--into",
        "胜利花苑/3栋/1-101",
    ]);
    assert!(err.contains("吕德 在两户中都有登记"), "{err}");
    assert!(!err.contains("listed"), "{err}");
    let err = d.bad(&[
        "--lang",
        "zh",
        "move",
        "胜利花苑/3栋/2-501",
        "吕德",
        "--to",
        "胜利花苑/3栋/1-101",
    ]);
    assert!(err.contains("吕德 已登记在该户中"), "{err}");
    assert!(!err.contains("already"), "{err}");
    // English stays English.
    let err = d.bad(&[
        "move",
        "胜利花苑/3栋/2-501",
        "吕德",
        "--to",
        "胜利花苑/3栋/1-101",
    ]);
    assert!(
        err.contains("吕德 is already listed in that household"),
        "{err}"
    );
}

#[test]
fn cli_summaries_say_one_and_many() {
    let d = common::Data::new();
    let out = d.ok(&["report", "activity", "--days", "30"]);
    assert!(
        out.contains("0 visits") && out.contains("0 problems"),
        "{out}"
    );
    d.ok(&[
        "--as",
        "赵建国",
        "log",
        "visit",
        "--household",
        "胜利花苑/3栋/2-501",
        "--note",
        "好",
    ]);
    let out = d.ok(&["report", "activity", "--days", "30"]);
    assert!(out.contains("1 visit,"), "{out}");
    let out = d.ok(&["report", "members", "--days", "30"]);
    assert!(out.contains(": 3 members"), "{out}");
    let out = d.ok(&["report", "members", "--days", "30", "--kind", "网格员"]);
    assert!(out.contains(": 1 member\n"), "{out}");
    let out = d.ok(&["plan", "胜利花苑/5栋"]);
    assert!(out.contains("5栋: 1 household ·"), "{out}");
    let out = d.ok(&["plan", "胜利花苑/3栋"]);
    assert!(out.contains("3栋: 3 households ·"), "{out}");
    let out = d.ok(&["report", "problems"]);
    assert!(out.starts_with("0 open problems"), "{out}");
}

#[test]
fn report_problems_lists_resolved_ones_with_a_flag_and_says_each_state() {
    let d = common::Data::new();
    let opened = |note: &str| {
        d.ok(&[
            "--as",
            "赵建国",
            "log",
            "problem",
            "--zone",
            "胜利花苑/3栋",
            "--category",
            "repair",
            "--note",
            note,
        ])
        .trim()
        .to_string()
    };
    let a = opened("楼道灯不亮");
    let b = opened("水管漏水");
    d.ok(&["--as", "赵建国", "log", "resolve", &b, "--note", "已修好"]);
    let v = d.json(&["report", "problems", "--json"]);
    assert_eq!(v["open"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["open"][0]["state"], "open", "{v}");
    assert_eq!(v["resolved"].as_array().unwrap().len(), 0, "{v}");
    let v = d.json(&["report", "problems", "--resolved", "--json"]);
    assert_eq!(v["open"][0]["id"], a.as_str(), "{v}");
    assert_eq!(v["resolved"][0]["id"], b.as_str(), "{v}");
    assert_eq!(v["resolved"][0]["state"], "resolved", "{v}");
    assert!(v["resolved"][0]["resolved"].is_string(), "{v}");
    let out = d.ok(&["--lang", "zh", "report", "problems", "--all"]);
    assert!(
        out.contains("已解决的问题 1 个") && out.contains("[已解决] 水管漏水"),
        "{out}"
    );
    // A period before it was resolved lists none.
    let v = d.json(&[
        "report",
        "problems",
        "--resolved",
        "--to",
        "2026-11-01",
        "--json",
    ]);
    assert_eq!(v["resolved"].as_array().unwrap().len(), 0, "{v}");
}

#[test]
fn show_reads_patrol_problems_by_the_users_checklist_labels() {
    let d = common::Data::new();
    let config = d.dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("checklists.toml"),
        "[[security]]\nkey = \"cameras\"\nzh = \"监控正常\"\nen = \"cameras work\"\n",
    )
    .unwrap();
    d.ok(&[
        "--as",
        "赵建国",
        "log",
        "patrol",
        "--zone",
        "胜利花苑/3栋",
        "--kind",
        "security",
        "--issue",
        "cameras:镜头坏了",
        "--open-problems",
    ]);
    let out = d.ok(&["show", "胜利花苑/3栋"]);
    assert!(out.contains("cameras work: 镜头坏了"), "{out}");
    assert!(!out.contains("[check:"), "{out}");
    let out = d.ok(&["--lang", "zh", "show", "胜利花苑/3栋"]);
    assert!(out.contains("监控正常：镜头坏了"), "{out}");
}

#[test]
fn a_key_bound_with_an_argument_reads_with_the_languages_colon() {
    let (_d, store) = demo_store();
    let user = "[browse]\n\"g 3\" = \"goto 胜利花苑/3栋\"\n";
    let (keymap, errors) = gridbook::tui::keymap::Keymap::load(None, Some(("keymap.toml", user)));
    assert!(errors.is_empty(), "{errors:?}");
    let mut a = App::new(
        &store,
        Lang::Zh,
        keymap,
        None,
        gridbook::config::Config::default(),
        gridbook::checklist::Checklists::shipped(),
    );
    a.resize(120, 40);
    a.start();
    a.press("g");
    let shown = screen(&a, 120, 40);
    assert!(shown.contains("房号：胜利花苑/3栋"), "{shown}");
    assert!(!shown.contains(": 胜利花苑/3栋"), "{shown}");
}

#[test]
fn save_messages_count_one_place_and_many() {
    let (_d, store) = demo_store();
    let mut a = tui_harness::app(&store, Lang::En, 120, 40);
    a.press("enter enter space a \"于金凤\" ctrl-s");
    let (text, error) = status(&a);
    assert!(!error, "{text}");
    assert!(text.ends_with("assigned to 1 place"), "{text}");
    a.press("j space space a \"于金凤\" ctrl-s");
    let (text, error) = status(&a);
    assert!(!error, "{text}");
    assert!(text.ends_with("assigned to 2 places"), "{text}");
}

#[test]
fn a_household_merged_away_is_neither_listed_nor_handed_over_from_a_members_zones() {
    let (_d, store) = demo_store();
    let now = pin_clock();
    // 江鹏 is liaison of ten households of 3栋, 1-101 among them.
    let jiang = member(&store, "江鹏");
    let gone = zone(&store, "胜利花苑/3栋/1-101");
    let ctx = gridbook::ops::Ctx { by: None, now };
    gridbook_core::relocate::merge_households(
        &store,
        ctx,
        gone,
        zone(&store, "胜利花苑/3栋/1-102"),
        "合并",
    )
    .unwrap();
    let mut a = tui_harness::app(&store, Lang::Zh, 120, 40);
    // Both heads now live in 1-102: its pane says so, naming them.
    a.press(": \"goto 胜利花苑/3栋/1-102\" enter");
    let shown = screen(&a, 120, 40);
    assert!(shown.contains("⚠ 有 2 位居民的关系为户主"), "{shown}");
    a.press("esc");
    select_member(&mut a, jiang);
    a.press("enter");
    assert_eq!(report_kind(&a), Some(ReportKind::MemberZones(jiang)));
    let rows = match &a.state.view {
        View::Report(r) => r.rows.clone(),
        _ => panic!("a member's zones are shown"),
    };
    assert_eq!(rows.len(), 9, "{rows:?}");
    assert!(rows.iter().all(|r| r.zone != Some(gone)), "{rows:?}");
    // The transfer form counts the nine, and the preview moves them alone.
    a.press("esc X");
    let shown = screen(&a, 120, 40);
    assert!(shown.contains("9 处"), "{shown}");
    a.press("\"孙梓涵\" ctrl-s ctrl-s");
    let (text, error) = status(&a);
    assert!(!error, "{text}");
    let sun = member(&store, "孙梓涵");
    assert_eq!(held(&store, sun, gone, Ts(now.0 + 1)), 0);
    assert_eq!(
        held(
            &store,
            sun,
            zone(&store, "胜利花苑/3栋/1-102"),
            Ts(now.0 + 1)
        ),
        1
    );
}
