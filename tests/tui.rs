//! Whole-screen snapshots of the TUI on the demo estate, driven by key
//! strings through the real keymap, at 80×24 and 120×40, in both languages.

use gridbook::checklist::Checklists;
use gridbook::config::Config;
use gridbook::i18n::Lang;
use gridbook::model::{Household, Id, Ts};
use gridbook::store::Store;
use gridbook::tui::App;
use gridbook::tui::keymap::Keymap;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

mod tui_harness;
use tui_harness::{app, demo_store, pin_clock, screen};

#[test]
fn welcome_on_an_empty_store() {
    pin_clock();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let a = app(&store, Lang::En, 80, 24);
    insta::assert_snapshot!(screen(&a, 80, 24));
    let a = app(&store, Lang::Zh, 80, 24);
    insta::assert_snapshot!("welcome_zh", screen(&a, 80, 24));
}

/// Coverage of an estate with nothing in it yet says `—`, not "100%
/// visited": there is nothing to count.
#[test]
fn coverage_of_an_empty_store_counts_nothing_as_nothing() {
    pin_clock();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for (lang, says) in [
        (Lang::En, "0 of 0 households visited (—)"),
        (Lang::Zh, "走访 0 / 0 户（—，"),
    ] {
        let mut a = app(&store, lang, 100, 30);
        a.press("g c");
        let s = screen(&a, 100, 30);
        assert!(s.contains(says), "{s}");
        assert!(!s.contains("100.0"), "{s}");
    }
}

/// `:me NAME` says who I am: the header names me, what I save names me as
/// who wrote it, and config.toml keeps it for the next start (with no
/// config directory the session keeps it, and says so); a name that is no
/// member is refused and changes nothing.
#[test]
fn me_names_who_i_am_and_the_config_keeps_it() {
    let (_d, store) = demo_store();
    let cfg = tempfile::tempdir().unwrap();
    let mut a = app(&store, Lang::Zh, 100, 30);
    a.config_dir = Some(cfg.path().to_path_buf());
    a.press(": \"me 无此人\" enter");
    assert!(a.state.me.is_none());
    assert!(!cfg.path().join("config.toml").exists());
    a.press(": \"me 朱杰\" enter");
    let s = screen(&a, 100, 30);
    assert!(s.lines().next().unwrap().contains("朱杰"), "{s}");
    assert!(s.contains("此后你的身份是 朱杰"), "{s}");
    let c = Config::load(Some(cfg.path())).unwrap();
    assert_eq!(c.me.as_deref(), Some("朱杰"));
    let zhu = store
        .members()
        .unwrap()
        .into_iter()
        .find(|m| m.name == "朱杰")
        .unwrap()
        .meta
        .id;
    // The visit form offers me as the visitor.
    a.press("enter enter enter enter v tab tab tab \"电话回访\" ctrl-s");
    assert!(a.state.form().is_none(), "saved: {}", screen(&a, 100, 30));
    let visit = store
        .events()
        .map(Result::unwrap)
        .find(|e| matches!(&e.body, gridbook::model::EventBody::Visit(v) if v.note == "电话回访"))
        .expect("the visit");
    assert_eq!(visit.by, Some(zhu), "written by me");

    let mut a = app(&store, Lang::En, 100, 30);
    a.press(": \"me 朱杰\" enter");
    let s = screen(&a, 100, 30);
    assert!(
        s.contains("you are 朱杰 for this session; not kept: no config directory"),
        "{s}"
    );
    assert_eq!(a.state.me.as_ref().map(|(id, _)| *id), Some(zhu));
}

/// The visitor filled in from `me` is a default: typing a name replaces it
/// (a visit another member made), deleting clears it, moving keeps it.
#[test]
fn typing_over_the_visitor_filled_from_me_replaces_it() {
    let (_d, store) = demo_store();
    let visitor = |a: &App| a.state.form().unwrap().fields[0].value();
    let mut a = app(&store, Lang::Zh, 100, 30);
    a.press(": \"me 朱杰\" enter");
    a.press("enter enter enter enter v");
    assert_eq!(visitor(&a), "朱杰");
    a.press("\"王丽\"");
    assert_eq!(visitor(&a), "王丽");
    a.press("esc y");
    a.press("v");
    assert_eq!(visitor(&a), "朱杰");
    a.press("backspace");
    assert_eq!(visitor(&a), "");
}

#[test]
fn areas_then_buildings_then_households_then_a_household() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 120, 40);
    insta::assert_snapshot!("areas_120x40", screen(&a, 120, 40));
    a.press("enter");
    insta::assert_snapshot!("buildings_120x40", screen(&a, 120, 40));
    a.press("j enter");
    insta::assert_snapshot!("households_120x40", screen(&a, 120, 40));
    a.press("j j enter");
    insta::assert_snapshot!("household_120x40", screen(&a, 120, 40));
    a.press("esc esc");
    insta::assert_snapshot!("back_to_buildings_120x40", screen(&a, 120, 40));
}

#[test]
fn household_in_chinese_at_80x24() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::Zh, 80, 24);
    a.press("enter enter enter");
    insta::assert_snapshot!("households_zh_80x24", screen(&a, 80, 24));
    a.press("enter");
    insta::assert_snapshot!("household_zh_80x24", screen(&a, 80, 24));
}

#[test]
fn help_shows_the_active_keymap() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 80, 24);
    a.press("?");
    insta::assert_snapshot!("help_80x24", screen(&a, 80, 24));
    a.press("esc");
    assert!(a.state.layers.is_empty());
}

#[test]
fn tiny_terminals_get_a_notice_and_no_size_panics() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 20, 6);
    a.press("enter enter");
    insta::assert_snapshot!("too_small_20x6", screen(&a, 20, 6));
    a.press("?");
    for w in 1..=130 {
        for h in 1..=45 {
            if (w * h) % 7 == 0 || w < 4 || h < 4 {
                a.resize(w, h);
                screen(&a, w, h);
            }
        }
    }
    a.press("esc / \"zs\"");
    for (w, h) in [(1, 1), (50, 12), (49, 11), (200, 60)] {
        a.resize(w, h);
        screen(&a, w, h);
    }
}

#[test]
fn add_a_resident_with_a_chinese_name_edit_the_phone_and_delete_with_a_reason() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press("enter enter enter enter");
    a.press("n");
    a.press("\"欧阳娜娜\" tab \"139 8765 4321\" tab \"女儿\"");
    insta::assert_snapshot!("new_resident_form", screen(&a, 120, 40));
    a.press("ctrl-s");
    insta::assert_snapshot!("new_resident_saved", screen(&a, 120, 40));
    let household = match a.state.view {
        gridbook::tui::state::View::Browse(ref b) => match b.level {
            gridbook::tui::state::Level::Household(h) => h,
            _ => panic!("not in a household"),
        },
        _ => panic!("not browsing"),
    };
    let added = store
        .residents_of(household)
        .unwrap()
        .into_iter()
        .find(|r| r.name == "欧阳娜娜")
        .expect("saved");
    assert_eq!(added.phones, vec!["13987654321"]);

    // Select her (last row) and change the phone: the old one stays in history.
    a.press("G e tab ctrl-u \"13500001111\" ctrl-s");
    let r = store.resident(added.meta.id).unwrap().unwrap();
    assert_eq!(r.phones, vec!["13500001111"]);
    assert_eq!(r.meta.version, 2);
    let history = store.timeline(household, 5).unwrap();
    assert!(history.iter().any(|e| matches!(&e.body,
        gridbook::model::EventBody::Edited { field, old, new, .. }
            if field == "phones" && old == "13987654321" && new == "13500001111")));

    // Delete asks for a reason first; an empty reason is refused inline.
    a.press("G d ctrl-s");
    insta::assert_snapshot!("delete_needs_reason", screen(&a, 120, 40));
    a.press("\"搬走了\" ctrl-s");
    insta::assert_snapshot!("deleted", screen(&a, 120, 40));
    assert!(
        store
            .residents_of(household)
            .unwrap()
            .iter()
            .all(|r| r.name != "欧阳娜娜")
    );
    let gone = store.resident(added.meta.id).unwrap().unwrap();
    assert_eq!(gone.meta.tombstone.unwrap().reason, "搬走了");
}

#[test]
fn escape_on_a_typed_form_asks_before_discarding() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 80, 24);
    a.press("enter enter enter enter n \"张\" esc");
    insta::assert_snapshot!("discard_question", screen(&a, 80, 24));
    a.press("n");
    assert!(a.state.form().is_some(), "n keeps the form");
    a.press("esc y");
    assert!(a.state.layers.is_empty(), "y discards");
}

#[test]
fn bad_phone_is_shown_inline_and_nothing_is_written() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 80, 24);
    a.press("enter enter enter enter");
    let before = store.count(gridbook::model::Kind::Resident).unwrap();
    a.press("n \"李四\" tab \"12345\" ctrl-s");
    insta::assert_snapshot!("bad_phone_inline", screen(&a, 80, 24));
    assert_eq!(
        store.count(gridbook::model::Kind::Resident).unwrap(),
        before
    );
}

#[test]
fn log_a_visit_with_a_chinese_note() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press("enter enter enter enter v");
    // Without `me` the form asks who visited.
    a.press("\"孙梓涵\" tab tab right tab \"老人身体不错，约好下周再来\" tab \"+7d\"");
    insta::assert_snapshot!("visit_form", screen(&a, 120, 40));
    a.press("ctrl-s");
    insta::assert_snapshot!("visit_saved", screen(&a, 120, 40));
}

#[test]
fn command_line_goto_and_reports() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 120, 40);
    a.press(": \"goto slhy/3/2-501\" enter");
    insta::assert_snapshot!("goto_household", screen(&a, 120, 40));
    a.press(": \"coverage\" enter");
    insta::assert_snapshot!("coverage_view", screen(&a, 120, 40));
    a.press(": \"members\" enter");
    insta::assert_snapshot!("members_view", screen(&a, 120, 40));
    a.press(": \"nonsense\" enter");
    let status = a.state.status.clone().unwrap();
    assert!(status.error && status.text.contains("nonsense"));
}

#[test]
fn timeline_filter_and_amend_a_visit() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 120, 40);
    a.press("enter enter enter tab");
    insta::assert_snapshot!("timeline", screen(&a, 120, 40));
    a.press("f f");
    insta::assert_snapshot!("timeline_problems_only", screen(&a, 120, 40));
    a.press("f f f f f");
    // Round to visits again; amend the newest visit's note.
    a.press("f");
    let before = store.event_count().unwrap();
    a.press("e tab ctrl-u \"独居老人，每周电话联系一次\" tab tab \"记错了内容\" ctrl-s");
    assert_eq!(
        store.event_count().unwrap(),
        before + 1,
        "one amendment event, nothing rewritten"
    );
    insta::assert_snapshot!("timeline_amended", screen(&a, 120, 40));
    a.press("tab");
    assert!(matches!(
        a.state.view,
        gridbook::tui::state::View::Browse(_)
    ));
}

#[test]
fn report_a_problem_then_resolve_it() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press("enter enter enter enter p");
    a.press("right tab \"下水道反味\" tab right");
    insta::assert_snapshot!("problem_form", screen(&a, 120, 40));
    a.press("ctrl-s");
    let open_before = store.open_problems().unwrap().len();
    a.press("r");
    insta::assert_snapshot!("resolve_form", screen(&a, 120, 40));
    // problem, step (resolve, for an open one), note.
    a.press("tab tab \"已疏通\" ctrl-s");
    assert_eq!(store.open_problems().unwrap().len(), open_before - 1);
}

#[test]
fn patrol_with_a_failed_item_opens_a_problem() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 120, 40);
    a.press("enter enter : \"patrol security\" enter");
    // The kind comes first, then the checklist: the second item fails.
    a.press("tab tab \"门锁坏了\"");
    insta::assert_snapshot!("patrol_form", screen(&a, 120, 40));
    let open_before = store.open_problems().unwrap().len();
    a.press("ctrl-s");
    assert_eq!(store.open_problems().unwrap().len(), open_before + 1);
    let status = a.state.status.clone().unwrap();
    assert!(!status.error, "{}", status.text);
}

#[test]
fn members_view_drills_into_a_members_zones() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press("g m");
    insta::assert_snapshot!("members_zh", screen(&a, 120, 40));
    a.press("enter");
    insta::assert_snapshot!("member_zones_zh", screen(&a, 120, 40));
    a.press("enter");
    assert!(matches!(
        a.state.view,
        gridbook::tui::state::View::Browse(_)
    ));
}

/// At 80 columns the members view leaves out its least needed columns
/// (tags, branch, hours, activities) instead of cutting every one to `…`:
/// name, kind and phone keep their text. 120 columns show them all.
#[test]
fn members_at_80_columns_leave_out_the_least_needed_columns() {
    let (_d, store) = demo_store();
    for (lang, tag, name, kind, phone, tags) in [
        (Lang::En, "en", "│name ", "kind", "phone", "tags"),
        (Lang::Zh, "zh", "│姓名 ", "类型", "电话", "标签"),
    ] {
        // The table's header row, and the row under it.
        let head = |s: &str| {
            let mut l = s.lines().skip_while(|l| !l.starts_with(name));
            (l.next().unwrap().to_string(), l.next().unwrap().to_string())
        };
        let mut a = app(&store, lang, 80, 24);
        a.press("g m");
        let s = screen(&a, 80, 24);
        insta::assert_snapshot!(format!("members_{tag}_80x24"), s);
        let (columns, first) = head(&s);
        assert!(columns.contains(kind) && columns.contains(phone), "{s}");
        assert!(!columns.contains(tags) && !columns.contains('…'), "{s}");
        // The busiest member's phone in full.
        assert!(first.contains("15007671652"), "{s}");
        let mut a = app(&store, lang, 120, 40);
        a.press("g m");
        let s = screen(&a, 120, 40);
        assert!(head(&s).0.contains(tags), "{s}");
    }
}

/// The plan's summary counts what it says, open problems in the building:
/// 石油新村/1栋 has two of its own (a dispute, a query) and one in 2-502.
#[test]
fn the_plan_counts_the_buildings_own_open_problems_too() {
    let (_d, store) = demo_store();
    for (lang, said) in [(Lang::En, "3 open problems"), (Lang::Zh, "未解决问题 3")] {
        let mut a = app(&store, lang, 120, 40);
        a.press("j enter b");
        let s = screen(&a, 120, 40);
        assert!(s.contains("石油新村 › 1栋") && s.contains(said), "{s}");
    }
}

/// A reported problem in the side pane's recent entries names who reported
/// it, as a visit names its visitor and a step who took it.
#[test]
fn the_side_pane_names_who_reported_a_problem() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press(": \"me 朱杰\" enter");
    a.press("enter enter enter enter p");
    a.press("right tab \"楼道灯不亮\" ctrl-s");
    a.press("esc");
    let s = screen(&a, 120, 40);
    assert!(s.contains("朱杰 上报问题 [下水道堵塞]："), "{s}");
    let mut a = app(&store, Lang::En, 120, 40);
    a.press("enter enter enter");
    let s = screen(&a, 120, 40);
    assert!(s.contains("problem reported by 朱杰 [blocked"), "{s}");
}

/// Hints name arrow keys by their symbols, from the keymap: a form's choice
/// is `←/→`, a lookup's move `↑/↓`.
#[test]
fn hints_show_arrow_keys_as_symbols() {
    let (_d, store) = demo_store();
    let footer = |a: &App| screen(a, 80, 24).lines().last().unwrap().to_string();
    let mut a = app(&store, Lang::En, 80, 24);
    a.press("enter enter enter enter v");
    assert!(footer(&a).contains("←/→ choose"), "{}", footer(&a));
    let mut a = app(&store, Lang::Zh, 80, 24);
    a.press("enter enter enter enter v");
    assert!(footer(&a).contains("←/→ 选择"), "{}", footer(&a));
    a.press("esc /");
    assert!(footer(&a).contains("↑/↓ 移动"), "{}", footer(&a));
}

/// The confirm dialog and the hint line say the same keys: every key the
/// keymap binds to yes and to no.
#[test]
fn a_question_and_the_hint_line_name_the_same_keys() {
    let (_d, store) = demo_store();
    for (lang, keys) in [
        (Lang::En, "enter/y yes · esc/n no"),
        (Lang::Zh, "enter/y 是 · esc/n 否"),
    ] {
        let mut a = app(&store, lang, 80, 24);
        a.press("enter enter enter enter n \"张\" esc");
        let s = screen(&a, 80, 24);
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines.last().unwrap().trim_end(), keys, "{s}");
        assert_eq!(s.matches(keys).count(), 2, "in the dialog too: {s}");
        assert!(!s.contains("y / n"), "{s}");
        a.press("enter");
        assert!(a.state.layers.is_empty(), "enter discards");
    }
}

/// Patrol forms are titled as the others are ("Log a visit").
#[test]
fn patrol_forms_are_titled_like_the_others() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 120, 40);
    a.press("enter enter : \"patrol hygiene\" enter");
    let s = screen(&a, 120, 40);
    assert!(s.contains("Log a hygiene patrol"), "{s}");
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press("enter enter : \"patrol hygiene\" enter");
    let s = screen(&a, 120, 40);
    assert!(s.contains("记录卫生巡查"), "{s}");
}

/// With nothing left by merges the conflicts list says so, as other empty
/// lists do, instead of a header over a `—` row.
#[test]
fn an_empty_conflicts_list_says_it_is_empty() {
    let (_d, store) = demo_store();
    for (lang, tag, empty) in [
        (Lang::En, "en", "(nothing to look at)"),
        (Lang::Zh, "zh", "（没有要处理的事项）"),
    ] {
        let mut a = app(&store, lang, 80, 24);
        a.press("g !");
        let s = screen(&a, 80, 24);
        insta::assert_snapshot!(format!("conflicts_empty_{tag}_80x24"), s);
        assert!(s.lines().nth(5).unwrap().contains(empty), "{s}");
        assert!(!s.contains('—') && !s.contains("KIND"), "{s}");
    }
}

/// Every screen's header says who is working, a timeline's too at 80
/// columns: its long name (the zone, which the breadcrumb shows) gives way.
#[test]
fn the_header_names_who_is_working_on_every_screen_at_80_columns() {
    let (_d, store) = demo_store();
    for (lang, who) in [(Lang::En, "working as 朱杰"), (Lang::Zh, "朱杰")] {
        let mut a = app(&store, lang, 80, 24);
        a.press(": \"me 朱杰\" enter");
        for keys in ["enter enter enter", "tab", "esc g m", "g p", "g !"] {
            a.press(keys);
            let s = screen(&a, 80, 24);
            let head = s.lines().next().unwrap();
            assert!(head.trim_end().ends_with(who), "after {keys}: {s}");
        }
    }
}

#[test]
fn assign_a_member_to_an_uncovered_building() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 120, 40);
    // 钻井小区 (the third area) has nobody responsible.
    a.press("j j enter a \"于金凤\" ctrl-s");
    let status = a.state.status.clone().unwrap();
    assert!(!status.error, "{}", status.text);
    insta::assert_snapshot!("assigned", screen(&a, 120, 40));
    a.press("a \"nobody-at-all\" ctrl-s");
    insta::assert_snapshot!("assign_unknown_member", screen(&a, 120, 40));
}

/// A new responsible member ends the span of the one before; the status
/// line names whose, in both languages, as `gridbook assign` does.
#[test]
fn assigning_a_new_responsible_member_says_whose_span_it_ends() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 120, 40);
    // 胜利花苑 (the first area) is 朱杰's.
    a.press("a \"于金凤\" ctrl-s");
    let status = a.state.status.clone().unwrap();
    assert!(!status.error, "{}", status.text);
    let today = gridbook::model::Ts::now().date().to_string();
    assert_eq!(
        status.text,
        format!("于金凤 assigned; 朱杰 no longer responsible as of {today}")
    );
    assert!(screen(&a, 120, 40).contains(&status.text));
    // In Chinese, on an estate of its own (the clock is pinned: a second
    // responsible member at the same instant is refused).
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press("a \"于金凤\" ctrl-s");
    let status = a.state.status.clone().unwrap();
    assert!(!status.error, "{}", status.text);
    assert_eq!(
        status.text,
        format!("已分配 于金凤；朱杰不再担任责任人（{today} 起）")
    );
    assert!(screen(&a, 120, 40).contains(&status.text));
    // A zone nobody was responsible for: nobody's span ends, nothing more is said.
    let mut a = app(&store, Lang::En, 120, 40);
    a.press("j j enter a \"于金凤\" ctrl-s");
    assert_eq!(a.state.status.clone().unwrap().text, "于金凤 assigned");
    // Marked places at once (胜利花苑's 1栋 and 4栋): each one whose span ends is named.
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 120, 40);
    a.press("enter space j j j space a \"于金凤\" ctrl-s");
    let status = a.state.status.clone().unwrap();
    assert!(!status.error, "{}", status.text);
    assert_eq!(
        status.text,
        format!("于金凤 assigned to 2 places; 孙梓涵, 郭宇航 no longer responsible as of {today}")
    );
}

#[test]
fn a_problem_shows_its_whole_history_and_age() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 120, 40);
    a.press("g p");
    insta::assert_snapshot!("problems_view", screen(&a, 120, 40));
    a.press("enter");
    insta::assert_snapshot!("problem_history", screen(&a, 120, 40));
    a.press("r right tab \"联系了物业，周一上门\" ctrl-s");
    let status = a.state.status.clone().unwrap();
    assert!(!status.error, "{}", status.text);
    insta::assert_snapshot!("problem_history_after_progress", screen(&a, 120, 40));
}

#[test]
fn import_a_roster_with_a_preview_first() {
    pin_clock();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let csv = dir.path().join("roster.csv");
    std::fs::write(
        &csv,
        "小区,楼栋,房号,姓名,联系电话,与户主关系,身份证号\n\
         幸福小区,3栋,2-501,张三,138 1234 5678,户主,370000000000000000\n\
         幸福小区,3栋,2-501,李四,,配偶,\n\
         幸福小区,3栋,2-502,王五,0546-8312345,户主,\n",
    )
    .unwrap();
    let mut a = app(&store, Lang::En, 100, 30);
    let cmd = format!(": \"import {}\" enter", csv.display());
    a.press(&cmd);
    assert_eq!(
        store.count(gridbook::model::Kind::Resident).unwrap(),
        0,
        "a preview writes nothing"
    );
    // The temporary path varies; a placeholder of the same width keeps the layout.
    let path = csv.display().to_string();
    let shown = screen(&a, 100, 30).replace(&path, &"~".repeat(path.len()));
    insta::assert_snapshot!("import_preview", shown);
    a.press("ctrl-s");
    assert_eq!(store.count(gridbook::model::Kind::Resident).unwrap(), 3);
    insta::assert_snapshot!("after_import", screen(&a, 100, 30));
    // A broken file is refused before any preview.
    std::fs::write(
        &csv,
        "小区,楼栋,房号,姓名,联系电话\n幸福小区,3栋,,赵六,12345\n",
    )
    .unwrap();
    a.press(&cmd);
    let status = a.state.status.clone().unwrap();
    assert!(status.error, "{}", status.text);
    assert!(a.state.layers.is_empty());
}

/// The characters drawn in the highlight style (yellow, bold), row by row.
fn highlighted(app: &App, w: u16, h: u16) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    app.draw(&mut t).unwrap();
    let buf = t.backend().buffer();
    let mut rows = Vec::new();
    for y in 0..h {
        let mut row = String::new();
        for x in 0..w {
            let c = &buf[(x, y)];
            if c.fg == ratatui::style::Color::Yellow
                && c.modifier.contains(ratatui::style::Modifier::BOLD)
            {
                row.push_str(c.symbol());
            }
        }
        if !row.is_empty() {
            rows.push(row);
        }
    }
    rows
}

#[test]
fn lookup_by_initials_phone_and_room_then_jump() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.finder.build_now(&store);
    // Initials of a demo resident: 苏磊 (1栋 1-101) is `sl`.
    a.press("/ \"sl\"");
    insta::assert_snapshot!("lookup_initials", screen(&a, 120, 40));
    let marks = highlighted(&a, 120, 40);
    assert!(
        marks.iter().any(|m| m.contains("苏磊")),
        "initials highlight the name: {marks:?}"
    );
    a.press("ctrl-u \"6743\"");
    insta::assert_snapshot!("lookup_phone_digits", screen(&a, 120, 40));
    a.press("ctrl-u \"1栋 1-101\"");
    insta::assert_snapshot!("lookup_room", screen(&a, 120, 40));
    a.press("enter");
    match &a.state.view {
        gridbook::tui::state::View::Browse(b) => {
            assert!(matches!(b.level, gridbook::tui::state::Level::Household(_)));
            assert!(
                b.rows.iter().any(|r| r.cells[0] == "苏磊"),
                "jumped to 苏磊's household"
            );
        }
        _ => panic!("enter jumps to the household"),
    }
}

#[test]
fn lookup_follows_a_resident_added_in_the_tui() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 100, 30);
    a.finder.build_now(&store);
    a.press("enter enter enter enter n \"单田芳\" tab \"13911112222\" ctrl-s");
    a.press("/ \"stf\"");
    let s = screen(&a, 100, 30);
    assert!(s.contains("单田芳") && s.contains("13911112222"), "{s}");
}

/// Writes made outside the TUI's forms (here: straight through the core's
/// operations on the same store) reach the lookup index through the
/// changes every commit reports.
#[test]
fn lookup_follows_writes_made_anywhere() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 100, 30);
    a.finder.build_now(&store);
    let household = store
        .households_of(
            store
                .buildings_of(store.areas().unwrap()[0].meta.id)
                .unwrap()[0]
                .meta
                .id,
        )
        .unwrap()[0]
        .meta
        .id;
    let ctx = gridbook::ops::Ctx::now(None);
    let r = gridbook::ops::add_resident(
        &store,
        ctx,
        household,
        &gridbook::ops::ResidentInput {
            name: "万俟咏".into(),
            phones: "13922223333".into(),
            relation: "子女".into(),
            tags: String::new(),
            notes: String::new(),
        },
    )
    .unwrap();
    a.press("/ \"moqiyong\"");
    let s = screen(&a, 100, 30);
    assert!(s.contains("万俟咏") && s.contains("13922223333"), "{s}");
    // A tombstone made elsewhere takes the resident out of the results.
    gridbook::ops::tombstone(&store, ctx, r.meta.id, "moved away").unwrap();
    a.press("ctrl-u \"moqiyong\"");
    let s = screen(&a, 100, 30);
    assert!(!s.contains("万俟咏"), "{s}");
}

#[test]
fn a_patrol_from_inside_a_household_is_for_its_building() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 120, 40);
    a.press("enter enter enter enter t");
    let s = screen(&a, 120, 40);
    assert!(
        s.contains("胜利花苑/1栋 —"),
        "patrol form for the building:\n{s}"
    );
    a.press("esc");
    // The same after a jump with :goto.
    a.press(": \"goto slhy/3/2-501\" enter t");
    let s = screen(&a, 120, 40);
    assert!(
        s.contains("胜利花苑/3栋 —"),
        "patrol form for the building:\n{s}"
    );
}

#[test]
fn a_prefix_key_shows_what_can_follow() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 80, 24);
    a.press("g");
    insta::assert_snapshot!("prefix_popup_g", screen(&a, 80, 24));
    // The next key runs the sequence and the pop-up goes.
    a.press("c");
    assert!(a.state.layers.is_empty());
    assert!(matches!(
        &a.state.view,
        gridbook::tui::state::View::Report(r) if r.kind == gridbook::tui::state::ReportKind::Coverage
    ));
    let mut a = app(&store, Lang::Zh, 80, 24);
    a.press("g");
    insta::assert_snapshot!("prefix_popup_g_zh", screen(&a, 80, 24));
    a.press("esc");
    assert!(a.state.layers.is_empty(), "esc closes the pop-up");
}

#[test]
fn command_line_completes_from_the_command_table() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 100, 30);
    a.press(": \"cov\" tab");
    let s = screen(&a, 100, 30);
    assert!(s.contains(":coverage▏"), "{s}");
    a.press("enter");
    assert!(matches!(
        &a.state.view,
        gridbook::tui::state::View::Report(r) if r.kind == gridbook::tui::state::ReportKind::Coverage
    ));
    // Several choices: a list with what each does.
    a.press(": \"p\" tab");
    insta::assert_snapshot!("command_completions", screen(&a, 100, 30));
    // Addresses complete from the store.
    a.press("ctrl-u \"goto slhy/\" tab");
    let s = screen(&a, 100, 30);
    assert!(s.contains("goto slhy/1栋"), "{s}");
}

#[test]
fn help_ends_with_every_command_of_the_table() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 80, 24);
    a.press("? end");
    insta::assert_snapshot!("help_commands_80x24", screen(&a, 80, 24));
    a.press("home");
    assert_eq!(screen(&a, 80, 24), {
        let mut b = app(&store, Lang::En, 80, 24);
        b.press("?");
        screen(&b, 80, 24)
    });
}

#[test]
fn a_slow_report_shows_loading_and_keys_still_work() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 100, 30);
    a.jobs = gridbook::tui::jobs::Runner::Deferred(Default::default());
    a.press("g c");
    let s = screen(&a, 100, 30);
    assert!(s.contains("loading the coverage report"), "{s}");
    assert!(s.contains("Areas"), "the list stays on screen:\n{s}");
    // The screen answers keys meanwhile.
    a.press("j");
    let sel = match &a.state.view {
        gridbook::tui::state::View::Browse(b) => b.sel,
        _ => panic!("still browsing"),
    };
    assert_eq!(sel, 1);
    a.finish_jobs();
    assert!(matches!(
        &a.state.view,
        gridbook::tui::state::View::Report(r) if r.kind == gridbook::tui::state::ReportKind::Coverage
    ));
    assert!(!screen(&a, 100, 30).contains("loading"));
    // Asked twice, the latest wins: only the members are computed and shown.
    a.press("esc g c g m");
    a.finish_jobs();
    assert!(matches!(
        &a.state.view,
        gridbook::tui::state::View::Report(r) if matches!(r.kind, gridbook::tui::state::ReportKind::Members(_))
    ));
    // `esc` while waiting stops the wait.
    a.press("g p esc");
    a.finish_jobs();
    assert!(matches!(
        &a.state.view,
        gridbook::tui::state::View::Report(r) if matches!(r.kind, gridbook::tui::state::ReportKind::Members(_))
    ));
}

/// The zone whose chart the browser holds, and the zone in focus.
fn chart_and_focus(a: &App) -> (Option<gridbook::model::Id>, Option<gridbook::model::Id>) {
    match &a.state.view {
        gridbook::tui::state::View::Browse(b) => (
            b.chart.as_ref().map(|(id, _)| *id),
            b.rows.get(b.sel).map(|r| r.id),
        ),
        _ => panic!("still browsing"),
    }
}

#[test]
fn the_zone_chart_is_a_job_and_never_shows_for_another_zone() {
    use gridbook::tui::charts::{self, Chart};
    use gridbook::tui::update::Msg;
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 100, 30);
    let (chart, focus) = chart_and_focus(&a);
    assert_eq!(chart, focus, "inline, the first zone's chart is there");
    assert!(screen(&a, 100, 30).contains("weeks of visits"));
    a.jobs = gridbook::tui::jobs::Runner::Deferred(Default::default());
    // The first frame after a move: the pane's text, "…" where the chart
    // goes, and nothing of the chart of the zone left behind.
    a.press("j");
    let s = screen(&a, 100, 30);
    assert!(s.contains("visits per week …"), "{s}");
    assert!(!s.contains("weeks of visits"), "a stale chart:\n{s}");
    assert!(a.state.loading.is_none(), "the screen does not wait on it");
    let first = a.state.pane_ticket.expect("a chart job");
    // A second move replaces the waiting chart; an answer to the first
    // request, or a chart of another zone, is dropped.
    a.press("j");
    let (_, focus) = chart_and_focus(&a);
    let focus = focus.unwrap();
    let other = charts::zone(&store, focus, Ts::now()).unwrap();
    a.dispatch(Msg::JobDone {
        ticket: first,
        msgs: vec![Msg::Chart(focus, Chart::Weeks([9; 12]))],
    });
    a.dispatch(Msg::Chart(gridbook::model::Id(1), other.clone()));
    assert!(screen(&a, 100, 30).contains("visits per week …"));
    a.finish_jobs();
    let (chart, now_focus) = chart_and_focus(&a);
    assert_eq!((chart, now_focus), (Some(focus), Some(focus)));
    match &a.state.view {
        gridbook::tui::state::View::Browse(b) => assert_eq!(b.chart.as_ref().unwrap().1, other),
        _ => unreachable!(),
    }
    let s = screen(&a, 100, 30);
    assert!(
        s.contains("weeks of visits") && !s.contains("visits per week …"),
        "{s}"
    );
    // In Chinese, the wait reads in Chinese.
    let mut z = app(&store, Lang::Zh, 100, 30);
    z.jobs = gridbook::tui::jobs::Runner::Deferred(Default::default());
    z.press("j");
    assert!(screen(&z, 100, 30).contains("每周走访 …"));
}

/// The selected row of the browser: its id and its cells.
fn browse_row(a: &App) -> (gridbook::model::Id, Vec<String>) {
    match &a.state.view {
        gridbook::tui::state::View::Browse(b) => {
            let r = &b.rows[b.sel];
            (r.id, r.cells.clone())
        }
        _ => panic!("not browsing"),
    }
}

#[test]
fn a_write_by_any_path_refreshes_every_screen_that_shows_it() {
    use gridbook::model::Urgency;
    use gridbook::ops::{Ctx, ProblemInput, open_problem};
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 120, 40);
    // The households of a building; the last column counts open problems.
    a.press("enter enter j");
    let (household, cells) = browse_row(&a);
    let open: usize = cells.last().unwrap().parse().unwrap();
    // The problems report in view, the list held behind it.
    a.press("g p");
    let listed = match &a.state.view {
        gridbook::tui::state::View::Report(r) => r.rows.len(),
        _ => panic!("the problems report"),
    };
    // A problem reported by another path than the TUI's forms.
    open_problem(
        &store,
        Ctx::now(None),
        &ProblemInput {
            zone: household,
            at: Ts::now(),
            category: "repair".into(),
            description: "楼道灯不亮了".into(),
            reporter: None,
            urgency: Urgency::Normal,
        },
    )
    .unwrap();
    // The next turn of the loop (a tick) takes the commit in: the report
    // in view shows it ...
    a.dispatch(gridbook::tui::update::Msg::Tick(std::time::Duration::ZERO));
    match &a.state.view {
        gridbook::tui::state::View::Report(r) => assert_eq!(r.rows.len(), listed + 1),
        _ => panic!("the problems report"),
    }
    // Oldest first: the new one is last.
    a.press("G");
    let s = screen(&a, 120, 40);
    assert!(s.contains("楼道灯不亮了"), "{s}");
    // ... and the list behind it counts it when shown again, as does the
    // side pane.
    a.press("esc");
    let (back_on, cells) = browse_row(&a);
    assert_eq!(back_on, household, "the same row stays selected");
    assert_eq!(cells.last().unwrap(), &(open + 1).to_string());
    assert!(screen(&a, 120, 40).contains("楼道灯不亮了"));
    // A change in another area reloads neither the list nor its pane
    // (a reload would ask for the pane's chart again).
    let elsewhere = store.areas().unwrap().last().unwrap().meta.id;
    let problem = |zone| ProblemInput {
        zone,
        at: Ts::now(),
        category: "repair".into(),
        description: "井盖松动".into(),
        reporter: None,
        urgency: Urgency::Normal,
    };
    let before = a.state.tickets;
    open_problem(&store, Ctx::now(None), &problem(elsewhere)).unwrap();
    a.dispatch(gridbook::tui::update::Msg::Tick(std::time::Duration::ZERO));
    assert_eq!(
        a.state.tickets, before,
        "a change not shown reloads nothing"
    );
    open_problem(&store, Ctx::now(None), &problem(household)).unwrap();
    a.dispatch(gridbook::tui::update::Msg::Tick(std::time::Duration::ZERO));
    assert!(a.state.tickets > before, "a change shown reloads");
    assert_eq!(browse_row(&a).1.last().unwrap(), &(open + 2).to_string());
}

#[test]
fn a_users_keymap_with_the_old_action_names_still_works() {
    let (_d, store) = demo_store();
    let user = "[browse]\n\"V\" = \"log_visit\"\n\"ctrl-g\" = \"coverage\"\n\"g z\" = \"my_zones\"\n[form]\n\"ctrl-j\" = \"next_field\"\n";
    let (keymap, errors) = Keymap::load(None, Some(("keymap.toml", user)));
    assert!(errors.is_empty(), "{errors:?}");
    let mut a = App::new(
        &store,
        Lang::En,
        keymap,
        None,
        Config::default(),
        Checklists::shipped(),
    );
    a.resize(100, 30);
    a.start();
    a.press("enter enter enter enter V");
    let form = a.state.form().expect("V opens the visit form");
    assert_eq!(
        form.purpose,
        gridbook::tui::form::Purpose::Visit {
            household: match &a.state.view {
                gridbook::tui::state::View::Browse(b) => match b.level {
                    gridbook::tui::state::Level::Household(h) => h,
                    _ => panic!("in a household"),
                },
                _ => panic!("browsing"),
            }
        }
    );
    a.press("ctrl-j");
    assert_eq!(a.state.form().unwrap().focus, 1);
    a.press("esc");
    a.press("ctrl-g");
    assert!(matches!(
        &a.state.view,
        gridbook::tui::state::View::Report(r) if r.kind == gridbook::tui::state::ReportKind::Coverage
    ));
    // Help lists the user's key under the command's own name.
    a.press("?");
    let lines: Vec<String> = gridbook::tui::render::help_lines(&a.state)
        .iter()
        .map(|l| l.to_string())
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("V") && l.contains("log a visit")),
        "{lines:#?}"
    );
}

#[test]
fn forms_save_what_their_named_fields_hold() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 120, 40);
    // A new area with a code, a building whose code comes from its name,
    // a household, then a correction of the household's notes.
    a.press("n \"新华小区\" tab \"xh\" ctrl-s");
    let area = store
        .areas()
        .unwrap()
        .into_iter()
        .find(|x| x.name == "新华小区")
        .expect("area saved");
    assert_eq!(area.code, "xh");
    a.press(": \"goto xh\" enter enter n \"5栋\" ctrl-s");
    let building = store.buildings_of(area.meta.id).unwrap();
    assert_eq!(
        (building[0].name.as_str(), building[0].code.as_str()),
        ("5栋", "5")
    );
    a.press("enter n \"2\" tab \"301\" tab \"临街\" ctrl-s");
    let household = &store.households_of(building[0].meta.id).unwrap()[0];
    assert_eq!(
        (
            household.unit.as_str(),
            household.room.as_str(),
            household.notes.as_str()
        ),
        ("2", "301", "临街")
    );
    // Unit, room, status, then notes.
    a.press("e tab tab tab ctrl-u \"临街，一楼\" ctrl-s");
    let household = store.household(household.meta.id).unwrap().unwrap();
    assert_eq!(household.notes, "临街，一楼");
    assert_eq!(household.room, "301");
    // A new member.
    a.press("g m n \"测试员\" tab \"13800001111\" ctrl-s");
    let m = store
        .members()
        .unwrap()
        .into_iter()
        .find(|m| m.name == "测试员")
        .expect("member saved");
    assert_eq!(m.phone, "13800001111");
    // Resolving on a zone picks one of its open problems.
    let mut a = app(&store, Lang::En, 120, 40);
    let open_before = store.open_problems().unwrap().len();
    a.press("r tab tab \"已处理\" ctrl-s");
    let status = a.state.status.clone().unwrap();
    assert!(!status.error, "{}", status.text);
    assert_eq!(store.open_problems().unwrap().len(), open_before - 1);
}

/// A store with one tall building: 6 units × 33 floors × 2 doors, with
/// Chinese heads on some doors, a visit, a care group due, an open
/// problem, vacant, rented and commercial doors, built through core ops.
fn tall_building_store() -> (tempfile::TempDir, Store) {
    use gridbook::ops::{self, Ctx, ProblemInput, ResidentInput, VisitInput};
    let now = pin_clock();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let ctx = Ctx {
        by: None,
        now: Ts(now.0 - 60 * gridbook::model::DAY_MS),
    };
    let area = ops::add_area(&store, ctx, "胜利花苑", "slhy")
        .unwrap()
        .meta
        .id;
    let b = ops::add_building(&store, ctx, area, "12栋", "12")
        .unwrap()
        .meta
        .id;
    let mut ids = std::collections::HashMap::new();
    for unit in 1..=6 {
        for floor in 1..=33 {
            for door in 1..=2 {
                let room = format!("{floor}{door:02}");
                let h = ops::add_household(&store, ctx, b, &unit.to_string(), &room, "").unwrap();
                ids.insert(h.label(), h.meta.id);
            }
        }
    }
    let heads = [
        ("1-3301", "欧阳秀英", "13805461001"),
        ("1-3302", "张建国", "13805461002"),
        ("2-3301", "李娜", "13805461003"),
        ("1-3201", "王芳", ""),
        ("4-3302", "司马光明", "13805461004"),
        ("6-3301", "赵丽", "13805461005"),
    ];
    let mut elder = None;
    for (room, name, phone) in heads {
        let r = ops::add_resident(
            &store,
            ctx,
            ids[room],
            &ResidentInput {
                name: name.into(),
                phones: phone.into(),
                relation: "户主".into(),
                tags: String::new(),
                notes: String::new(),
            },
        )
        .unwrap();
        if room == "1-3301" {
            elder = Some(r.meta.id);
        }
    }
    let groups = gridbook::vocab::care::groups(None).unwrap();
    gridbook::care::set_group(&store, ctx, elder.unwrap(), "独居老人", true, &groups).unwrap();
    let m = ops::add_member(
        &store,
        ctx,
        "朱杰",
        "13800000001",
        gridbook::model::MemberKind::GridWorker,
        "",
    )
    .unwrap()
    .meta
    .id;
    let today = Ctx { by: None, now };
    for room in ["1-3302", "2-3301", "6-3301", "3-3302"] {
        ops::log_visit(
            &store,
            today,
            &VisitInput {
                household: ids[room],
                member: m,
                at: Ts(now.0 - 5 * gridbook::model::DAY_MS),
                purpose: "routine".into(),
                note: String::new(),
                follow_up: None,
            },
        )
        .unwrap();
    }
    ops::open_problem(
        &store,
        today,
        &ProblemInput {
            zone: ids["1-3302"],
            at: Ts(now.0 - 2 * gridbook::model::DAY_MS),
            category: "repair".into(),
            description: "楼道灯不亮".into(),
            reporter: None,
            urgency: gridbook::model::Urgency::Normal,
        },
    )
    .unwrap();
    ops::edit_place(&store, ctx, ids["1-3201"], &[("status", "空置")]).unwrap();
    ops::edit_place(&store, ctx, ids["2-3301"], &[("status", "出租")]).unwrap();
    ops::edit_place(&store, ctx, ids["1-101"], &[("status", "commercial")]).unwrap();
    (dir, store)
}

#[test]
fn the_plan_of_a_tall_building_at_80x24_and_120x40_in_both_languages() {
    let (_d, store) = tall_building_store();
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        for (w, h) in [(80, 24), (120, 40)] {
            let mut a = app(&store, lang, w, h);
            // Areas → the area's buildings → `b` opens the selected one's plan.
            a.press("enter b");
            assert!(matches!(a.state.view, gridbook::tui::state::View::Plan(_)));
            insta::assert_snapshot!(format!("plan_{tag}_{w}x{h}"), screen(&a, w, h));
            // Along the top floor to the second door: the care-due elder's
            // neighbour with an open problem.
            a.press("l");
            insta::assert_snapshot!(format!("plan_{tag}_{w}x{h}_problem"), screen(&a, w, h));
        }
    }
}

#[test]
fn the_plan_scrolls_by_unit_and_moves_door_to_door() {
    let (_d, store) = tall_building_store();
    let mut a = app(&store, Lang::Zh, 80, 24);
    a.press("enter b");
    let door = |a: &App| match &a.state.view {
        gridbook::tui::state::View::Plan(p) => p.current().unwrap().door.room.clone(),
        _ => panic!("not on the plan"),
    };
    assert_eq!(door(&a), "1-3301");
    a.press("l l");
    assert_eq!(door(&a), "2-3301", "right goes on across units");
    a.press("h");
    assert_eq!(door(&a), "1-3302");
    a.press("j");
    assert_eq!(door(&a), "1-3202", "down is the floor below");
    a.press("G");
    assert_eq!(door(&a), "1-102");
    a.press("g g");
    assert_eq!(door(&a), "1-3302");
    // Unit 4 is off an 80-column screen until the cursor gets there.
    assert!(!screen(&a, 80, 24).contains("司马光明"));
    a.press("l l l l l l");
    assert_eq!(door(&a), "4-3302");
    insta::assert_snapshot!("plan_zh_80x24_unit_4", screen(&a, 80, 24));
    // `y` copies the phone and says whose it is.
    a.press("y");
    assert_eq!(a.clipboard.last().map(String::as_str), Some("13805461004"));
    let st = a.state.status.clone().unwrap();
    assert!(st.text.contains("司马光明"), "{}", st.text);
    // `v` opens a visit form for the door; esc closes it.
    a.press("v");
    assert!(a.state.form().is_some());
    a.press("esc");
    // `enter` opens the household; `esc` backs up through the browser.
    a.press("enter");
    match &a.state.view {
        gridbook::tui::state::View::Browse(b) => {
            assert!(matches!(b.level, gridbook::tui::state::Level::Household(_)));
            assert_eq!(b.rows[0].cells[0], "司马光明");
        }
        _ => panic!("the household is open"),
    }
    // From inside a household, `g b` is its building's plan, the cursor
    // on the household's door.
    a.press("g b");
    assert_eq!(door(&a), "4-3302");
    // From the building's list of households, on the selected one's.
    a.press("esc esc j j j");
    let gridbook::tui::state::View::Browse(b) = &a.state.view else {
        panic!("the browser")
    };
    assert!(matches!(
        b.level,
        gridbook::tui::state::Level::Households(_)
    ));
    let room = b.rows[b.sel].cells[0].clone();
    a.press("b");
    assert_eq!(door(&a), room);
    a.press("esc");
    // From the list of areas there is no building: said, nothing opened.
    a.press("esc esc esc esc esc esc b");
    assert!(a.state.status.clone().unwrap().error);
}

#[test]
fn a_visit_logged_on_the_plan_shows_at_once_and_the_cursor_stays() {
    let (_d, store) = tall_building_store();
    let mut a = app(&store, Lang::En, 120, 40);
    a.press("enter b");
    a.press("v \"朱杰\" ctrl-s");
    match &a.state.view {
        gridbook::tui::state::View::Plan(p) => {
            let d = p.current().unwrap();
            assert_eq!(d.door.room, "1-3301");
            assert!(
                d.door.flags.contains(&gridbook::plan::Flag::Visited),
                "{:?}",
                d.door.flags
            );
            assert!(!d.door.flags.contains(&gridbook::plan::Flag::CareDue));
        }
        _ => panic!("still on the plan"),
    }
}

#[test]
fn today_lists_care_visits_due_first_in_both_languages() {
    let (_d, store) = tall_building_store();
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let mut a = app(&store, lang, 120, 40);
        a.press("g t");
        insta::assert_snapshot!(format!("today_care_{tag}_120x40"), screen(&a, 120, 40));
        // The first row is the elder living alone, never visited since the
        // group was set 60 days ago: `y` copies her number.
        a.press("y");
        assert_eq!(a.clipboard.last().map(String::as_str), Some("13805461001"));
        // `enter` goes to her household.
        a.press("enter");
        match &a.state.view {
            gridbook::tui::state::View::Browse(b) => {
                assert_eq!(b.rows[0].cells[0], "欧阳秀英")
            }
            _ => panic!("the household is open"),
        }
    }
}

#[test]
fn the_household_form_sets_the_occupancy_status() {
    let (_d, store) = tall_building_store();
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press("enter enter");
    let (id, room) = match &a.state.view {
        gridbook::tui::state::View::Browse(b) => (b.rows[0].id, b.rows[0].cells[0].clone()),
        _ => panic!("not browsing"),
    };
    assert_eq!(room, "1-101");
    assert_eq!(
        store.household(id).unwrap().unwrap().occupancy,
        gridbook::model::Occupancy::Commercial
    );
    a.press("e tab tab");
    assert!(screen(&a, 120, 40).contains("‹ 商用 ›"));
    a.press("left ctrl-s");
    assert_eq!(
        store.household(id).unwrap().unwrap().occupancy,
        gridbook::model::Occupancy::Vacant
    );
}

/// The browser's row of `room` at the households level.
fn row_of<'a>(a: &'a App, room: &str) -> Option<&'a gridbook::tui::state::Row> {
    match &a.state.view {
        gridbook::tui::state::View::Browse(b) => b.rows.iter().find(|r| r.cells[0] == room),
        _ => None,
    }
}

fn browse_rows(a: &App) -> Vec<gridbook::tui::state::Row> {
    match &a.state.view {
        gridbook::tui::state::View::Browse(b) => b.rows.clone(),
        _ => panic!("not browsing"),
    }
}

#[test]
fn browse_shows_care_badges_and_filters_to_care_households() {
    let (_d, store) = demo_store();
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        for (w, h) in [(80, 24), (120, 40)] {
            let mut a = app(&store, lang, w, h);
            // 胜利花苑 › 1栋: 1-302 holds 肖静, tagged 空巢 in the roster.
            a.press("enter enter");
            let badge = &row_of(&a, "1-302").expect("1-302 listed").cells[1];
            assert!(badge.starts_with('♥'), "{badge}");
            assert_eq!(row_of(&a, "1-101").unwrap().cells[1], "");
            insta::assert_snapshot!(format!("care_badges_{tag}_{w}x{h}"), screen(&a, w, h));
            let all = browse_rows(&a).len();
            a.press("c");
            let care = browse_rows(&a);
            assert!(
                !care.is_empty() && care.len() < all,
                "{} of {all}",
                care.len()
            );
            assert!(care.iter().all(|r| r.cells[1].starts_with('♥')));
            insta::assert_snapshot!(format!("care_only_{tag}_{w}x{h}"), screen(&a, w, h));
            // Inside the household: the resident's badge, and the side pane
            // lists the group in full with its cadence and when it is due.
            let at = care.iter().position(|r| r.cells[0] == "1-302").unwrap();
            a.press(&format!("{} enter", "j ".repeat(at)));
            let screen_now = screen(&a, w, h);
            insta::assert_snapshot!(format!("care_household_{tag}_{w}x{h}"), screen_now);
            let full = if lang == Lang::Zh {
                "空巢老人"
            } else {
                "empty-nest elder"
            };
            assert!(screen_now.contains(full), "{screen_now}");
            // `c` again shows everything.
            a.press("esc c");
            assert_eq!(browse_rows(&a).len(), all);
        }
    }
}

/// With care only on, a building's row counts its care households beside
/// all of them: the number the list it opens on shows.
#[test]
fn care_only_buildings_count_their_care_households() {
    let (_d, store) = demo_store();
    for (lang, header) in [(Lang::En, "care / households"), (Lang::Zh, "重点户 / 住户")] {
        let mut a = app(&store, lang, 100, 30);
        a.press("enter");
        let all = row_of(&a, "1栋").expect("1栋 listed").cells[1].clone();
        a.press("c");
        let counted = row_of(&a, "1栋").expect("1栋 has care households").cells[1].clone();
        let (care, of) = counted.split_once(" / ").expect("care / all");
        assert_eq!(of, all);
        assert!(screen(&a, 100, 30).contains(header));
        a.press("enter");
        assert_eq!(browse_rows(&a).len().to_string(), care);
    }
}

#[test]
fn the_resident_form_edits_care_groups_as_the_tag_command_does() {
    let (_d, store) = demo_store();
    for (lang, tag, w, h) in [
        (Lang::Zh, "zh", 120, 40),
        (Lang::En, "en", 80, 24),
        (Lang::Zh, "zh", 80, 24),
        (Lang::En, "en", 120, 40),
    ] {
        let mut a = app(&store, lang, w, h);
        // 胜利花苑 › 1栋 › 1-101: 苏磊, in no group.
        a.press("enter enter enter enter");
        let id = browse_rows(&a)[0].id;
        let before = store.resident(id).unwrap().unwrap();
        // Name, phones, relation, tags, notes, then the care groups:
        // type the pinyin initials of 独居老人 and mark it with space.
        a.press("e tab tab tab tab tab \"djlr\" \" \" \"dbh\" \" \"");
        insta::assert_snapshot!(
            format!("resident_form_care_{tag}_{w}x{h}"),
            screen(&a, w, h)
        );
        let events = store.event_count().unwrap();
        a.press("ctrl-s");
        let r = store.resident(id).unwrap().unwrap();
        let groups: Vec<&str> = r.care.iter().map(|m| m.group.as_str()).collect();
        assert_eq!(groups, vec!["alone-elder", "low-income"]);
        assert_eq!(store.event_count().unwrap(), events + 2);
        let newest = store.timeline(r.household, 2).unwrap();
        assert!(
            newest.iter().all(|e| matches!(&e.body,
                gridbook::model::EventBody::Edited { field, .. } if field == "care")),
            "one `care` edit per group, as `tag --add` writes"
        );
        // The badge shows on the resident's row.
        assert!(browse_rows(&a)[0].cells[2].starts_with('♥'));
        // Unmark 低保户 (the cursor follows what is typed): taken out.
        a.press("e tab tab tab tab tab \"dbh\" \" \" ctrl-s");
        let r = store.resident(id).unwrap().unwrap();
        let groups: Vec<&str> = r.care.iter().map(|m| m.group.as_str()).collect();
        assert_eq!(groups, vec!["alone-elder"]);
        // Back as it was for the next language.
        a.press("e tab tab tab tab tab \"djlr\" \" \" ctrl-s");
        assert_eq!(store.resident(id).unwrap().unwrap().care, before.care);
    }
}

#[test]
fn the_activity_form_refuses_no_members_and_zero_hours_then_saves_one_event() {
    let (_d, store) = demo_store();
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        for (w, h) in [(80, 24), (120, 40)] {
            let mut a = app(&store, lang, w, h);
            let before = store.event_count().unwrap();
            // On 胜利花苑: kind, time, hours 0, no members: refused inline.
            a.press("A right tab tab \"0\" ctrl-s");
            insta::assert_snapshot!(format!("activity_refused_{tag}_{w}x{h}"), screen(&a, w, h));
            assert_eq!(store.event_count().unwrap(), before, "nothing written");
            let shown = screen(&a, w, h);
            assert!(shown.contains('✗'), "{shown}");
            // Two hours, a note, and two members found by pinyin.
            a.press("ctrl-u \"2\" tab \"清理楼道杂物\" tab \"zhujie\" \" \" \"sunzihan\" \" \"");
            insta::assert_snapshot!(format!("activity_form_{tag}_{w}x{h}"), screen(&a, w, h));
            a.press("ctrl-s");
            let status = a.state.status.clone().unwrap();
            assert!(!status.error, "{}", status.text);
            assert!(a.state.form().is_none());
            assert_eq!(store.event_count().unwrap(), before + 1, "one event");
        }
    }
    // The event: an Activity on 胜利花苑 with both members and 2 hours.
    let area = store.areas().unwrap()[0].meta.id;
    let e = store.timeline(area, 1).unwrap().remove(0);
    let name = |id| store.member(id).unwrap().unwrap().name;
    match e.body {
        gridbook::model::EventBody::Activity(gridbook::model::ActivityBody {
            kind,
            members,
            minutes,
            note,
        }) => {
            assert_eq!(kind, "voluntary-labour");
            assert_eq!(
                members.into_iter().map(name).collect::<Vec<_>>(),
                vec!["朱杰", "孙梓涵"]
            );
            assert_eq!(minutes, 120);
            assert_eq!(note, "清理楼道杂物");
        }
        other => panic!("not an activity: {other:?}"),
    }
    // The timeline shows it with its members and hours.
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press("tab");
    let shown = screen(&a, 120, 40);
    assert!(
        shown.contains("朱杰") && shown.contains("孙梓涵"),
        "{shown}"
    );
    insta::assert_snapshot!("activity_on_timeline_zh_120x40", shown);
}

#[test]
fn the_members_view_shows_contributions_for_a_period_with_filters() {
    let (_d, store) = demo_store();
    // 朱杰's record before: the demo estate holds service of its own.
    let record = |store: &Store| {
        let mut a = app(store, Lang::En, 120, 40);
        a.press("g m");
        let gridbook::tui::state::View::Report(r) = &a.state.view else {
            panic!("not a report")
        };
        let col = |name: &str| r.columns.iter().position(|c| c == name).unwrap();
        let zhu = r.rows.iter().find(|x| x.cells[0] == "朱杰").unwrap();
        let n = |c: &str| zhu.cells[col(c)].parse::<f64>().unwrap();
        (n("acts"), n("hours"))
    };
    let before = record(&store);
    // One activity of 2 hours with two members, through the form.
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press("A tab tab \"2\" tab tab \"zhujie\" \" \" \"sunzihan\" \" \" ctrl-s");
    assert!(!a.state.status.clone().unwrap().error);
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        for (w, h) in [(80, 24), (120, 40)] {
            let mut a = app(&store, lang, w, h);
            a.press("g m");
            insta::assert_snapshot!(format!("members_service_{tag}_{w}x{h}"), screen(&a, w, h));
        }
    }
    let mut a = app(&store, Lang::En, 120, 40);
    a.press("g m");
    let report = |a: &App| match &a.state.view {
        gridbook::tui::state::View::Report(r) => r.clone(),
        _ => panic!("not a report"),
    };
    let r = report(&a);
    let col = |name: &str| r.columns.iter().position(|c| c == name).unwrap();
    let (acts, hours) = (col("acts"), col("hours"));
    let zhu = r.rows.iter().find(|x| x.cells[0] == "朱杰").unwrap();
    let after: (f64, f64) = (
        zhu.cells[acts].parse().unwrap(),
        zhu.cells[hours].parse().unwrap(),
    );
    assert_eq!((after.0 - before.0, after.1 - before.1), (1.0, 2.0));
    let all = r.rows.len();
    // `P` cycles the period: 90 days.
    a.press("P");
    assert!(report(&a).title.contains("90"), "{}", report(&a).title);
    // `K` filters by kind: the first kind only.
    a.press("K");
    let r = report(&a);
    assert!(r.rows.len() < all && !r.rows.is_empty());
    let kind = r.columns.iter().position(|c| c == "kind").unwrap();
    assert!(
        r.rows
            .iter()
            .all(|x| x.cells[kind] == r.rows[0].cells[kind])
    );
    insta::assert_snapshot!("members_filtered_en_120x40", screen(&a, 120, 40));
    // `T` filters by tag: everyone shown carries it.
    a.press("K K K K K T");
    let r = report(&a);
    assert!(!r.rows.is_empty() && r.rows.len() < all);
    let tag = r.summary[1].clone();
    let tags = r.columns.iter().position(|c| c == "tags").unwrap();
    assert!(r.rows.iter().all(|x| !x.cells[tags].is_empty()), "{tag}");
    // Off the members view the filter keys say where they work.
    a.press("esc P");
    assert!(a.state.status.clone().unwrap().error);
}

/// The report on screen, or a panic naming what is there instead.
fn on_report<'a>(a: &'a App<'_>) -> &'a gridbook::tui::state::Report {
    match &a.state.view {
        gridbook::tui::state::View::Report(r) => r,
        other => panic!("not a report: {other:?}"),
    }
}

#[test]
fn the_problems_view_shows_resolved_ones_and_one_can_be_reopened() {
    let (_d, store) = demo_store();
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let mut a = app(&store, lang, 120, 40);
        a.press("g p");
        let open_rows = on_report(&a).rows.len();
        a.press("R");
        let mark = lang.t("lifecycle.resolved_mark");
        let r = on_report(&a);
        assert!(r.rows.len() > open_rows, "resolved problems are listed too");
        assert!(
            r.rows[open_rows..]
                .iter()
                .all(|x| x.cells[4].starts_with(mark))
        );
        insta::assert_snapshot!(
            format!("problems_with_resolved_{tag}_120x40"),
            screen(&a, 120, 40)
        );
        // `R` again hides them.
        a.press("R");
        assert_eq!(on_report(&a).rows.len(), open_rows);
    }
    // Reopen the most recently resolved problem from its history.
    let mut a = app(&store, Lang::En, 120, 40);
    a.press("g p R");
    let open_before = store.open_problems().unwrap().len();
    // Open problems come first, then the resolved ones.
    let first_resolved = open_before;
    a.press(&"j ".repeat(first_resolved));
    let id = on_report(&a).rows[first_resolved].id;
    assert!(!store.is_problem_open(id).unwrap());
    a.press("enter r");
    assert!(screen(&a, 120, 40).contains("‹ reopened ›"));
    a.press("tab \"又漏水了\" ctrl-s");
    let status = a.state.status.clone().unwrap();
    assert!(!status.error, "{}", status.text);
    assert!(store.is_problem_open(id).unwrap());
    assert_eq!(store.open_problems().unwrap().len(), open_before + 1);
}

#[test]
fn r_on_a_zone_lists_its_resolved_problems_too() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press("enter enter enter enter p");
    a.press("tab \"下水道反味\" ctrl-s");
    a.press("r tab tab \"已疏通\" ctrl-s");
    let status = a.state.status.clone().unwrap();
    assert!(!status.error, "{}", status.text);
    // Resolved, it is still offered, with reopen as the step.
    a.press("r");
    let s = screen(&a, 120, 40);
    assert!(s.contains("[已解决]") && s.contains("‹ 重新打开 ›"), "{s}");
    insta::assert_snapshot!("resolve_form_with_a_resolved_problem_zh", s);
    let open_before = store.open_problems().unwrap().len();
    a.press("tab tab \"又堵了\" ctrl-s");
    assert_eq!(store.open_problems().unwrap().len(), open_before + 1);
}

#[test]
fn enter_on_a_problem_in_the_timeline_opens_its_history() {
    let (_d, store) = demo_store();
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let mut a = app(&store, lang, 120, 40);
        // The first area's timeline, problems only.
        a.press("tab f f");
        assert!(matches!(
            on_report(&a).kind,
            gridbook::tui::state::ReportKind::Timeline(_)
        ));
        a.press("enter");
        assert!(matches!(
            on_report(&a).kind,
            gridbook::tui::state::ReportKind::ProblemHistory(_)
        ));
        insta::assert_snapshot!(
            format!("problem_history_from_timeline_{tag}_120x40"),
            screen(&a, 120, 40)
        );
        // The step keys work there; `esc` returns to the timeline.
        a.press("r");
        assert!(matches!(
            a.state.layers.last(),
            Some(gridbook::tui::state::Layer::Form(_))
        ));
        a.press("esc esc");
        assert!(matches!(
            on_report(&a).kind,
            gridbook::tui::state::ReportKind::Timeline(_)
        ));
    }
}

#[test]
fn a_timeline_entry_opens_in_full_with_its_amendments() {
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let (_d, store) = demo_store();
        let mut a = app(&store, lang, 120, 40);
        a.press("enter enter enter tab f");
        // The newest visit, amended, then opened.
        a.press("e tab ctrl-u \"独居老人，每周电话联系一次\" tab tab \"记错了内容\" ctrl-s");
        let status = a.state.status.clone().unwrap();
        assert!(!status.error, "{}", status.text);
        a.press("g g enter");
        assert!(matches!(
            on_report(&a).kind,
            gridbook::tui::state::ReportKind::Entry { .. }
        ));
        let s = screen(&a, 120, 40);
        assert!(s.contains("→ 独居老人，每周电话联系一次"), "{s}");
        assert!(s.contains("记错了内容"), "{s}");
        insta::assert_snapshot!(format!("timeline_entry_amended_{tag}_120x40"), s);
        a.press("esc");
        assert!(matches!(
            on_report(&a).kind,
            gridbook::tui::state::ReportKind::Timeline(_)
        ));
    }
}

#[test]
fn the_patrol_form_shows_whole_chinese_labels_at_80x24() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::Zh, 80, 24);
    for kind in ["security", "hygiene"] {
        a.press(&format!("enter enter : \"patrol {kind}\" enter"));
        let s = screen(&a, 80, 24);
        let k = gridbook::model::PatrolKind::parse(kind).unwrap();
        for item in Checklists::shipped().items(k) {
            assert!(s.contains(&item.zh), "{} is cut:\n{s}", item.zh);
            assert!(!s.contains(&item.en), "{} in the Chinese form", item.en);
        }
        insta::assert_snapshot!(format!("patrol_form_{kind}_zh_80x24"), s);
        a.press("esc h h");
    }
}

/// The demo estate with the contacts the contact tests need: notes and a
/// tag on 邹淑珍 (no phone) in 胜利花苑/3栋/2-501, a head without a phone in
/// 1-302 (his wife answers), and a household where nobody has one.
fn contacts_store() -> (tempfile::TempDir, Store) {
    use gridbook::ops::{self, Ctx, ResidentInput};
    let (d, store) = demo_store();
    let ctx = Ctx {
        by: None,
        now: Ts::now(),
    };
    let household = |addr: &str| gridbook::address::resolve(&store, addr).unwrap().id();
    let resident = |h, name: &str| {
        store
            .residents_of(h)
            .unwrap()
            .into_iter()
            .find(|r| r.name == name)
            .unwrap()
    };
    let edit = |h, name: &str, phones: &str, tags: &str, notes: &str| {
        let r = resident(h, name);
        let input = ResidentInput {
            name: r.name.clone(),
            phones: phones.into(),
            relation: r.relation.clone(),
            tags: tags.into(),
            notes: notes.into(),
        };
        ops::edit_resident(&store, ctx, r.meta.id, &input).unwrap();
    };
    let h2501 = household("胜利花苑/3栋/2-501");
    edit(h2501, "邹淑珍", "", "残疾人", "行动不便\n上午在家");
    let h1302 = household("胜利花苑/3栋/1-302");
    edit(h1302, "王军", "", "", "");
    let b3 = household("胜利花苑/3栋");
    let quiet = ops::add_household(&store, ctx, b3, "9", "901", "").unwrap();
    let add = ResidentInput {
        name: "欧阳淑芬".into(),
        phones: String::new(),
        relation: "户主".into(),
        tags: String::new(),
        notes: "独居老人".into(),
    };
    ops::add_resident(&store, ctx, quiet.meta.id, &add).unwrap();
    (d, store)
}

fn status(a: &App) -> String {
    a.state
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

#[test]
fn y_copies_only_the_selected_persons_number_and_says_whose() {
    let (_d, store) = contacts_store();
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let mut a = app(&store, lang, 120, 40);
        a.press(": \"goto 胜利花苑/3栋/2-501\" enter");
        // The residents list shows notes and tags; 邹淑珍 is third.
        a.press("j j");
        insta::assert_snapshot!(
            format!("contacts_residents_{tag}_120x40"),
            screen(&a, 120, 40)
        );
        let copied = a.clipboard.len();
        a.press("y");
        // Never the covering member's number in place of hers.
        assert_eq!(a.clipboard.len(), copied, "nothing copied for 邹淑珍");
        let said = status(&a);
        assert!(said.contains("邹淑珍"), "{said}");
        insta::assert_snapshot!(format!("contacts_y_phoneless_{tag}"), said);
        a.press("j y");
        assert_eq!(a.clipboard.last().map(String::as_str), Some("15043198381"));
        insta::assert_snapshot!(format!("contacts_y_resident_{tag}"), status(&a));
    }
}

#[test]
fn y_on_a_household_row_copies_the_heads_number_or_who_answers() {
    let (_d, store) = contacts_store();
    let mut a = app(&store, Lang::En, 120, 40);
    // Households of 3栋: 1-302's head 王军 has no phone; his wife answers.
    a.press(": \"goto 胜利花苑/3栋\" enter enter");
    let rows = match &a.state.view {
        gridbook::tui::state::View::Browse(b) => b.rows.clone(),
        _ => panic!("not browsing"),
    };
    let at = |room: &str| rows.iter().position(|r| r.cells[0] == room).unwrap();
    for _ in 0..at("1-302") {
        a.press("j");
    }
    a.press("y");
    assert_eq!(a.clipboard.last().map(String::as_str), Some("15782087068"));
    assert_eq!(status(&a), "copied 秦雨桐's number 15782087068");
    for _ in at("1-302")..at("2-501") {
        a.press("j");
    }
    a.press("y");
    assert_eq!(a.clipboard.last().map(String::as_str), Some("15303435347"));
    insta::assert_snapshot!("contacts_y_head_en", status(&a));
    for _ in at("2-501")..at("9-901") {
        a.press("j");
    }
    let copied = a.clipboard.len();
    a.press("y");
    assert_eq!(a.clipboard.len(), copied);
    insta::assert_snapshot!("contacts_y_nobody_en", status(&a));
    // The household pane lists residents with their tags and notes.
    a.press("k k");
    let s = screen(&a, 120, 40);
    assert!(s.contains("欧阳淑芬") || s.contains("邹淑珍"), "{s}");
}

#[test]
fn heads_and_phones_on_today_problems_coverage_and_lookup_rows() {
    let (_d, store) = contacts_store();
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        for (w, h) in [(120, 40), (80, 24)] {
            let mut a = app(&store, lang, w, h);
            a.finder.build_now(&store);
            a.press("g t");
            insta::assert_snapshot!(format!("contacts_today_{tag}_{w}x{h}"), screen(&a, w, h));
            a.press("g p");
            insta::assert_snapshot!(format!("contacts_problems_{tag}_{w}x{h}"), screen(&a, w, h));
            a.press("g c");
            insta::assert_snapshot!(format!("contacts_coverage_{tag}_{w}x{h}"), screen(&a, w, h));
            a.press("/ \"3栋 1-302\"");
            insta::assert_snapshot!(format!("contacts_lookup_{tag}_{w}x{h}"), screen(&a, w, h));
            // ctrl-y in lookup copies the household's caller and says whose.
            a.press("ctrl-y");
            assert_eq!(a.clipboard.last().map(String::as_str), Some("15782087068"));
            assert!(status(&a).contains("秦雨桐"), "{}", status(&a));
            // Said where it can be seen: the overlay covers the status line.
            let s = screen(&a, w, h);
            assert!(s.contains(&status(&a)), "{s}");
        }
    }
}

/// At 80 columns a problem's row in Today keeps its caller's number whole:
/// the category goes with the note, not in the first column.
#[test]
fn today_at_80_columns_keeps_the_number_to_call_on_problem_rows() {
    let (_d, store) = demo_store();
    for (lang, label) in [(Lang::En, "problem"), (Lang::Zh, "问题")] {
        let mut a = app(&store, lang, 80, 24);
        a.press("g t");
        let mut seen = 0;
        for _ in 0..150 {
            a.press("j");
            let s = screen(&a, 80, 24);
            for line in s.lines().filter(|l| l.starts_with(&format!("│{label} "))) {
                seen += 1;
                // A number cut short would end in `…` after a few digits.
                let digits: Vec<usize> = line
                    .split(|c: char| !c.is_ascii_digit())
                    .map(str::len)
                    .filter(|n| *n >= 5)
                    .collect();
                assert!(digits.iter().all(|n| *n == 11), "{line}");
            }
            if seen > 20 {
                break;
            }
        }
        assert!(seen > 20, "{seen} problem rows seen");
    }
}

/// The care rows of the Today on screen: (address, when).
fn care_rows(a: &App, label: &str) -> Vec<(String, String)> {
    match &a.state.view {
        gridbook::tui::state::View::Report(r)
            if r.kind == gridbook::tui::state::ReportKind::Today =>
        {
            r.rows
                .iter()
                .filter(|r| r.cells[0] == label)
                .map(|r| (r.cells[1].clone(), r.cells[2].clone()))
                .collect()
        }
        _ => panic!("not on Today"),
    }
}

/// `report today` lists the care visits the TUI's Today lists, from the
/// same rows, for the whole estate and for a member; and a member's Today
/// lists every care household inside the member's zones, as it lists their
/// households not visited: 朱杰 is responsible for the area 胜利花苑 and
/// covers none of its care households himself (its buildings have their
/// own members), yet they are in his Today.
#[test]
fn report_today_lists_the_care_visits_todays_screen_lists() {
    let (d, store) = demo_store();
    let mut a = app(&store, Lang::En, 120, 40);
    a.press("g t");
    let everyone = care_rows(&a, "care visit");
    a.press(": \"me 孙梓涵\" enter g t");
    let sun = care_rows(&a, "care visit");
    a.press(": \"me 朱杰\" enter g t");
    let zhu = care_rows(&a, "care visit");
    drop(a);
    drop(store);
    assert!(everyone.len() > 20, "{everyone:?}");
    assert_eq!(
        sun,
        [
            (
                "胜利花苑/1栋/3-101".to_string(),
                "22 days overdue".to_string()
            ),
            (
                "胜利花苑/1栋/1-502".to_string(),
                "7 days overdue".to_string()
            ),
        ]
    );
    let in_the_area: Vec<_> = everyone
        .iter()
        .filter(|(at, _)| at.starts_with("胜利花苑/"))
        .cloned()
        .collect();
    assert_eq!(zhu, in_the_area);
    assert!(
        zhu.iter().filter(|(_, w)| w.ends_with("overdue")).count() >= 3,
        "{zhu:?}"
    );
    let cfg = tempfile::tempdir().unwrap();
    let cli = |args: &[&str]| -> String {
        let out = assert_cmd::Command::cargo_bin("gridbook")
            .unwrap()
            .env("GRIDBOOK_NOW", "2026-11-28T06:30:00Z")
            .env("GRIDBOOK_TZ", "Asia/Shanghai")
            .env("GRIDBOOK_CONFIG", cfg.path())
            .env_remove("GRIDBOOK_DATA")
            .arg("--data")
            .arg(d.path())
            .args(["--lang", "en", "report", "today"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    // The text's care rows: what, zone, when, note, two spaces apart.
    let text = |args: &[&str]| -> Vec<(String, String)> {
        cli(args)
            .lines()
            .filter(|l| l.starts_with("care visit "))
            .map(|l| {
                let cells: Vec<&str> = l
                    .split("  ")
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .collect();
                (cells[1].to_string(), cells[2].to_string())
            })
            .collect()
    };
    // The JSON's, with the days overdue the screen says (0: due today).
    let days = |rows: &[(String, String)]| -> Vec<(String, i64)> {
        rows.iter()
            .map(|(at, when)| {
                let n = when.split(' ').next().unwrap().parse().unwrap_or(0);
                (at.clone(), n)
            })
            .collect()
    };
    let json = |args: &[&str]| -> Vec<(String, i64)> {
        let mut args = args.to_vec();
        args.push("--json");
        let v: serde_json::Value = serde_json::from_str(&cli(&args)).unwrap();
        v["care_due"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let at = c["address"].as_str().unwrap().to_string();
                (at, c["days_overdue"].as_i64().unwrap())
            })
            .collect()
    };
    for (args, screen) in [
        (&[][..], &everyone),
        (&["--as", "孙梓涵"][..], &sun),
        (&["--as", "朱杰"][..], &zhu),
    ] {
        assert_eq!(&text(args), screen, "{args:?}");
        assert_eq!(json(args), days(screen), "{args:?}");
    }
}

/// Care rows at 80 columns show the whole name and number to call, in
/// both languages, for everyone and for a member: the note gives way.
#[test]
fn today_at_80_columns_keeps_the_number_to_call_on_care_rows() {
    let (_d, store) = demo_store();
    for (lang, label) in [(Lang::En, "care visit"), (Lang::Zh, "关爱走访")] {
        for me in [None, Some("孙梓涵")] {
            let mut a = app(&store, lang, 80, 24);
            if let Some(me) = me {
                a.press(&format!(": \"me {me}\" enter"));
            }
            a.press("g t");
            let care = care_rows(&a, label).len();
            assert!(care >= 2, "{care}");
            let mut seen = 0;
            for _ in 0..care {
                let s = screen(&a, 80, 24);
                for line in s.lines().filter(|l| l.starts_with(&format!("│{label} "))) {
                    let digits: Vec<usize> = line
                        .split(|c: char| !c.is_ascii_digit())
                        .map(str::len)
                        .filter(|n| *n >= 5)
                        .collect();
                    assert_eq!(digits, [11], "{line}");
                    seen += 1;
                }
                a.press("j");
            }
            assert!(seen >= care, "{seen} care rows seen of {care}");
        }
    }
    let mut a = app(&store, Lang::En, 80, 24);
    a.press(": \"me 孙梓涵\" enter g t");
    insta::assert_snapshot!("today_care_member_en_80x24", screen(&a, 80, 24));
}

/// Lookup marks who moved out or died after the name, as `find` does, and
/// names a household's head written 本人 as the roster writes it.
#[test]
fn lookup_marks_the_gone_and_finds_the_head_written_benren() {
    use gridbook::model::ResidentStatus;
    use gridbook::ops::{self, Ctx, ResidentInput};
    let (_d, store) = contacts_store();
    let ctx = Ctx {
        by: None,
        now: Ts::now(),
    };
    let h = gridbook::address::resolve(&store, "石油新村/3栋/1-302")
        .unwrap()
        .id();
    let resident = |name: &str| {
        store
            .residents_of(h)
            .unwrap()
            .into_iter()
            .find(|r| r.name == name)
            .unwrap()
    };
    let relation = |name: &str, relation: &str| {
        let r = resident(name);
        let input = ResidentInput {
            name: r.name.clone(),
            phones: r.phones.join(";"),
            relation: relation.into(),
            tags: r.tags.join(";"),
            notes: r.notes.clone(),
        };
        ops::edit_resident(&store, ctx, r.meta.id, &input).unwrap();
    };
    // Nobody is 户主 any more; 李建国 is the head as 本人.
    for r in store.residents_of(h).unwrap() {
        relation(
            &r.name,
            if r.name == "李建国" {
                "本人"
            } else {
                "其他"
            },
        );
    }
    let gone = |name: &str, status| {
        ops::set_resident_status(&store, ctx, resident(name).meta.id, status).unwrap();
    };
    gone("李静", ResidentStatus::MovedOut);
    gone("廖秀兰", ResidentStatus::Deceased);
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        for (w, hgt) in [(120, 40), (80, 24)] {
            let mut a = app(&store, lang, w, hgt);
            a.finder.build_now(&store);
            a.press("/ \"石油新村 3栋 1-302\"");
            let s = screen(&a, w, hgt);
            insta::assert_snapshot!(format!("lookup_gone_{tag}_{w}x{hgt}"), s);
            let (moved, died) = match lang {
                Lang::En => ("李静 (moved out)", "廖秀兰 (deceased)"),
                Lang::Zh => ("李静（迁出）", "廖秀兰（去世）"),
            };
            assert!(s.contains(moved) && s.contains(died), "{s}");
            // Every row's kind starts in the same column, whatever the
            // name and its mark.
            let col =
                |line: &str, word: &str| gridbook::text::width(&line[..line.find(word).unwrap()]);
            let kind = if lang == Lang::En {
                "resident"
            } else {
                "居民"
            };
            let at = |name: &str| {
                let line = s.lines().find(|l| l.contains(name)).unwrap();
                col(line, kind)
            };
            assert_eq!(at(moved), at("李国强"), "{s}");
            assert_eq!(at(died), at("李国强"), "{s}");
            // The household row (the first) names 李建国, the 本人, as its head.
            let row = s.lines().find(|l| l.contains("│1-302")).unwrap();
            assert!(row.contains("李建国"), "{s}");
        }
    }
}

#[test]
fn enter_on_a_member_in_lookup_opens_the_member_and_esc_returns_to_members() {
    let (_d, store) = contacts_store();
    let mut a = app(&store, Lang::En, 120, 40);
    a.finder.build_now(&store);
    let member = store
        .members()
        .unwrap()
        .into_iter()
        .find(|m| m.meta.is_live())
        .unwrap();
    a.press(&format!("/ \"{}\"", member.name));
    let results = match a.state.layers.last() {
        Some(gridbook::tui::state::Layer::Lookup(l)) => l.results.clone(),
        _ => panic!("lookup is open"),
    };
    let at = results
        .iter()
        .position(|r| r.member == Some(member.meta.id))
        .unwrap_or_else(|| panic!("{} not among {results:?}", member.name));
    for _ in 0..at {
        a.press("down");
    }
    a.press("enter");
    let kind = |a: &App| match &a.state.view {
        gridbook::tui::state::View::Report(r) => Some(r.kind),
        _ => None,
    };
    assert_eq!(
        kind(&a),
        Some(gridbook::tui::state::ReportKind::MemberZones(
            member.meta.id
        ))
    );
    insta::assert_snapshot!("contacts_lookup_member_zones", screen(&a, 120, 40));
    // From the members list: enter opens one member, esc comes back to the
    // list on the same row.
    a.press("g m j j");
    let sel = match &a.state.view {
        gridbook::tui::state::View::Report(r) => r.sel,
        _ => panic!("members"),
    };
    a.press("enter");
    assert!(matches!(
        kind(&a),
        Some(gridbook::tui::state::ReportKind::MemberZones(_))
    ));
    a.press("esc");
    assert!(matches!(
        kind(&a),
        Some(gridbook::tui::state::ReportKind::Members(_))
    ));
    match &a.state.view {
        gridbook::tui::state::View::Report(r) => assert_eq!(r.sel, sel),
        _ => panic!("members"),
    }
    insta::assert_snapshot!("contacts_back_to_members", screen(&a, 120, 40));
}

#[test]
fn a_new_household_typed_as_unit_dash_room_is_saved_and_selected() {
    // `7-701` in the unit field, as the roster import reads `2-501`.
    let (_d, store) = contacts_store();
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press(": \"goto 胜利花苑/3栋\" enter enter n \"7-701\" ctrl-s");
    let b3 = gridbook::address::resolve(&store, "胜利花苑/3栋")
        .unwrap()
        .id();
    let made = store
        .households_of(b3)
        .unwrap()
        .into_iter()
        .find(|h| h.unit == "7" && h.room == "701")
        .expect("unit 7, room 701");
    match &a.state.view {
        gridbook::tui::state::View::Browse(b) => assert_eq!(b.rows[b.sel].id, made.meta.id),
        _ => panic!("not browsing"),
    }
    // Nothing typed for the room at all: refused, nothing written.
    let before = store.households_of(b3).unwrap().len();
    a.press("n \"9\" ctrl-s");
    assert!(screen(&a, 120, 40).contains("需要房号"));
    a.press("esc y");
    assert_eq!(store.households_of(b3).unwrap().len(), before);
}

#[test]
fn the_patrol_form_lets_the_worker_choose_hygiene_or_security() {
    let (_d, store) = contacts_store();
    let mut a = app(&store, Lang::En, 120, 40);
    a.press(": \"goto 胜利花苑/3栋\" enter t");
    let title = |a: &App| match a.state.layers.last() {
        Some(gridbook::tui::state::Layer::Form(f)) => f.title.clone(),
        _ => String::new(),
    };
    let first = title(&a);
    a.press("right");
    let second = title(&a);
    assert_ne!(first, second, "the other kind's checklist");
    assert!(
        first.contains("hygiene") || first.contains("security"),
        "{first}"
    );
    insta::assert_snapshot!("contacts_patrol_kind", screen(&a, 120, 40));
    let zone = gridbook::address::resolve(&store, "胜利花苑/3栋")
        .unwrap()
        .id();
    let kind = if second.contains("security") {
        gridbook::model::PatrolKind::Security
    } else {
        gridbook::model::PatrolKind::Hygiene
    };
    let before = store.last_patrol(zone, kind).unwrap();
    a.press("ctrl-s");
    assert_ne!(
        store.last_patrol(zone, kind).unwrap(),
        before,
        "saved as chosen"
    );
}

#[test]
fn move_a_resident_to_another_household_from_the_household_view() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press("enter enter enter enter");
    let household = match a.state.view {
        gridbook::tui::state::View::Browse(ref b) => match b.level {
            gridbook::tui::state::Level::Household(h) => h,
            _ => panic!("not in a household"),
        },
        _ => panic!("not browsing"),
    };
    a.press("n");
    a.press("\"欧阳娜娜\" tab \"139 8765 4321\" tab \"女儿\"");
    a.press("ctrl-s");
    let r = store
        .residents_of(household)
        .unwrap()
        .into_iter()
        .find(|r| r.name == "欧阳娜娜")
        .expect("saved");
    let building = store.household(household).unwrap().unwrap().building;
    let target = store
        .households_of(building)
        .unwrap()
        .into_iter()
        .find(|h| h.meta.id != household)
        .expect("another household");
    let path = gridbook::address::zone_of(&store, target.meta.id)
        .unwrap()
        .unwrap()
        .path();
    // `M` on her row asks for the household she moves to.
    a.press("G M");
    let form = screen(&a, 120, 40);
    assert!(form.contains("迁入住户"), "{form}");
    a.press(&format!("\"{path}\" ctrl-s"));
    let moved = store.resident(r.meta.id).unwrap().unwrap();
    assert_eq!(moved.household, target.meta.id);
    assert!(
        store
            .residents_of(target.meta.id)
            .unwrap()
            .iter()
            .any(|x| x.name == "欧阳娜娜")
    );
    assert!(
        store
            .residents_of(household)
            .unwrap()
            .iter()
            .all(|x| x.name != "欧阳娜娜")
    );
    assert!(
        store
            .timeline(target.meta.id, 5)
            .unwrap()
            .iter()
            .any(|e| matches!(
                e.body,
                gridbook::model::EventBody::Moved { resident, .. } if resident == r.meta.id
            ))
    );
    assert!(store.check().unwrap().is_clean());
}

/// An error from below the TUI stays typed until the edge: a goto that
/// names no place is said in the UI's language, as the CLI says it.
#[test]
fn a_failed_goto_is_said_in_the_uis_language() {
    use gridbook::speak::Speak;
    let (_d, store) = demo_store();
    let wrong = gridbook::address::resolve(&store, "无此小区").unwrap_err();
    for (lang, said) in [(Lang::En, wrong.to_string()), (Lang::Zh, wrong.zh())] {
        let mut a = app(&store, lang, 120, 40);
        a.press(": \"goto 无此小区\" enter");
        let status = a.state.status.clone().unwrap();
        assert!(status.error, "{lang:?}");
        assert_eq!(status.text, said, "{lang:?}");
    }
    assert_ne!(wrong.to_string(), wrong.zh());
}

#[test]
fn chinese_text_gets_full_width_punctuation_and_english_counts_agree_in_number() {
    let (_d, store) = demo_store();
    for (lang, _tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let mut a = app(&store, lang, 120, 40);
        // Areas → buildings → households: the side pane describes the household.
        a.press("enter enter enter");
        let side = screen(&a, 120, 40);
        if lang == Lang::Zh {
            assert!(side.contains("责任人："), "{side}");
            assert!(side.contains("最近走访："), "{side}");
            assert!(!side.contains("责任人: "), "{side}");
        } else {
            assert!(side.contains("covered by: "), "{side}");
        }
        a.press("g t");
        let today = screen(&a, 120, 40);
        if lang == Lang::En {
            assert!(!today.contains(" 1 follow-ups"), "{today}");
            assert!(!today.contains(" 1 open problems"), "{today}");
            assert!(!today.contains(" 1 patrols due"), "{today}");
        }
    }
}

/// A household of `building` not visited lately (it counts in the list's
/// last column).
fn not_visited_lately(store: &Store, building: Id) -> Household {
    let days = Config::default().visit_days();
    store
        .households_of(building)
        .unwrap()
        .into_iter()
        .find(|h| {
            store
                .last_visit(h.meta.id)
                .unwrap()
                .is_none_or(|(t, _)| t < Ts::now().minus_days(days))
        })
        .expect("a household of the building not visited lately")
}

/// A visit to `household` committed straight to the store, as another
/// process would, while the app holds its screens.
fn visit_by_another_path(store: &Store, household: Id) {
    use gridbook::ops::{self, Ctx, VisitInput};
    let member = store.members().unwrap()[0].meta.id;
    ops::log_visit(
        store,
        Ctx::now(None),
        &VisitInput {
            household,
            member,
            at: Ts::now(),
            purpose: "routine".into(),
            note: "回访".into(),
            follow_up: None,
        },
    )
    .unwrap();
}

#[test]
fn back_shows_the_list_it_left_and_a_visit_logged_meanwhile_counts_in_it() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press("enter");
    let (building, cells) = browse_row(&a);
    // The last column: households not visited lately.
    let stale: usize = cells.last().unwrap().parse().unwrap();
    let due = not_visited_lately(&store, building);
    a.press("enter");
    let inside = screen(&a, 120, 40);
    // Back without a write: the buildings as they were, the same one selected.
    a.press("esc");
    assert_eq!(browse_row(&a), (building, cells.clone()));
    let back = screen(&a, 120, 40);
    assert!(back.contains(&cells[0]), "{back}");
    // A visit logged by another path while inside the building...
    a.press("enter");
    assert_eq!(screen(&a, 120, 40), inside);
    visit_by_another_path(&store, due.meta.id);
    a.dispatch(gridbook::tui::update::Msg::Tick(std::time::Duration::ZERO));
    // ... counts in the list `back` returns to.
    a.press("esc");
    let (again, now) = browse_row(&a);
    assert_eq!(again, building);
    assert_eq!(now.last().unwrap(), &(stale - 1).to_string());
}

/// The browser's level and every row's last cell (an area's buildings:
/// households not visited lately).
fn last_cells(a: &App) -> (gridbook::tui::state::Level, Vec<String>) {
    match &a.state.view {
        gridbook::tui::state::View::Browse(b) => (
            b.level,
            b.rows
                .iter()
                .map(|r| r.cells.last().cloned().unwrap_or_default())
                .collect(),
        ),
        _ => panic!("not browsing"),
    }
}

#[test]
fn an_areas_buildings_show_not_visited_as_pending_until_the_worker_counts_it() {
    let (_d, store) = demo_store();
    for (lang, name) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        // What the list shows once counted: the same keys, jobs run inline.
        let mut inline = app(&store, lang, 120, 40);
        inline.press("enter");
        let (_, counted) = last_cells(&inline);
        assert!(
            counted.iter().all(|c| c.parse::<usize>().is_ok()),
            "{counted:?}"
        );
        let filled = screen(&inline, 120, 40);

        let mut a = app(&store, lang, 120, 40);
        a.jobs = gridbook::tui::jobs::Runner::Deferred(Default::default());
        a.press("enter");
        // The first frame: every other column, and "…" where the counts go;
        // the screen does not wait on them and keys still move.
        let (level, cells) = last_cells(&a);
        assert!(matches!(level, gridbook::tui::state::Level::Buildings(_)));
        assert!(cells.iter().all(|c| c == "…"), "{cells:?}");
        assert!(a.state.loading.is_none());
        assert!(a.state.list_wait.is_some());
        insta::assert_snapshot!(
            format!("buildings_counting_{name}_120x40"),
            screen(&a, 120, 40)
        );
        a.press("j k");
        a.finish_jobs();
        assert_eq!(last_cells(&a).1, counted);
        assert!(a.state.list_wait.is_none());
        let s = screen(&a, 120, 40);
        assert_eq!(s, filled);
        insta::assert_snapshot!(format!("buildings_counted_{name}_120x40"), s);
    }
    // Into a building before the counts came: they fill the list `back`
    // shows, with no second count.
    let mut a = app(&store, Lang::En, 120, 40);
    a.jobs = gridbook::tui::jobs::Runner::Deferred(Default::default());
    a.press("enter enter");
    a.finish_jobs();
    a.press("esc");
    let (_, cells) = last_cells(&a);
    assert!(
        cells.iter().all(|c| c.parse::<usize>().is_ok()),
        "{cells:?}"
    );
    assert!(a.state.list_wait.is_none(), "nothing left to count");
}

#[test]
fn a_visit_logged_while_the_column_counts_leaves_no_stale_count() {
    use gridbook::tui::update::Msg;
    let (_d, store) = demo_store();
    let mut inline = app(&store, Lang::Zh, 120, 40);
    inline.press("enter");
    let (building, cells) = browse_row(&inline);
    let before: usize = cells.last().unwrap().parse().unwrap();
    let due = not_visited_lately(&store, building);

    let mut a = app(&store, Lang::Zh, 120, 40);
    a.jobs = gridbook::tui::jobs::Runner::Deferred(Default::default());
    a.press("enter");
    let asked = a.state.list_wait.clone().expect("the counts are asked for");
    let area = match asked.job {
        gridbook::tui::jobs::Job::NotVisited { area, .. } => area,
        ref other => panic!("{other:?}"),
    };
    // A visit committed (by another path) while the worker counts: the
    // list reads again and asks again.
    visit_by_another_path(&store, due.meta.id);
    a.dispatch(Msg::Tick(std::time::Duration::ZERO));
    let again = a.state.list_wait.clone().expect("asked again");
    assert_ne!(again.ticket, asked.ticket);
    // The count made before the visit arrives late: it is dropped.
    a.dispatch(Msg::JobDone {
        ticket: asked.ticket,
        msgs: vec![Msg::NotVisited(area, vec![(building, before)])],
    });
    let (id, cells) = browse_row(&a);
    assert_eq!((id, cells.last().unwrap().as_str()), (building, "…"));
    // The count asked after the visit fills it.
    a.finish_jobs();
    assert_eq!(browse_row(&a).1.last().unwrap(), &(before - 1).to_string());
}

#[test]
fn the_pane_says_it_is_loading_until_the_zone_in_focus_has_its_detail() {
    use gridbook::tui::firstscreen::Saved;
    use gridbook::tui::state::State;
    let (_d, store) = demo_store();
    for (lang, loading) in [(Lang::En, "Loading…"), (Lang::Zh, "正在读取…")] {
        let a = app(&store, lang, 120, 40);
        let with_store = screen(&a, 120, 40);
        assert!(!with_store.contains(loading), "{with_store}");
        // The saved first screen, before the store behind it is open: the
        // areas list, and a pane that says its detail is coming.
        let saved = Saved::of(&a.state).expect("the areas list");
        let mut early = State::new(lang, Keymap::load(None, None).0, None);
        early.width = 120;
        early.height = 40;
        saved.show(&mut early);
        let text = tui_harness::state_screen(&early, 120, 40);
        assert!(text.contains("胜利花苑"), "{text}");
        assert!(text.contains(loading), "{text}");
    }
    // In the app, the pane never shows the detail of a zone left behind.
    let mut a = app(&store, Lang::En, 120, 40);
    let first = screen(&a, 120, 40);
    if let gridbook::tui::state::View::Browse(b) = &mut a.state.view {
        b.sel = 1;
    }
    let moved = screen(&a, 120, 40);
    assert!(moved.contains("Loading…") && moved != first, "{moved}");
}

/// The title of the form on top, or "".
fn form_title(a: &App) -> String {
    a.state.form().map(|f| f.title.clone()).unwrap_or_default()
}

#[test]
fn space_on_the_patrol_kind_reopens_the_form_on_that_checklist_and_saves_that_kind() {
    use gridbook::model::PatrolKind;
    let (_d, store) = demo_store();
    let zone = gridbook::address::resolve(&store, "胜利花苑/3栋")
        .unwrap()
        .id();
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press(": \"goto 胜利花苑/3栋\" enter : \"patrol hygiene\" enter");
    assert_eq!(form_title(&a), "记录卫生巡查");
    a.press("space");
    assert_eq!(form_title(&a), "记录治安巡查");
    let s = screen(&a, 120, 40);
    let lists = Checklists::shipped();
    let first = |k| lists.items(k)[0].label(Lang::Zh).to_string();
    assert!(s.contains(&first(PatrolKind::Security)), "{s}");
    assert!(!s.contains(&first(PatrolKind::Hygiene)), "{s}");
    insta::assert_snapshot!("patrol_kind_by_space_zh", s);
    let hygiene = store.last_patrol(zone, PatrolKind::Hygiene).unwrap();
    let security = store.last_patrol(zone, PatrolKind::Security).unwrap();
    a.press("ctrl-s");
    assert_eq!(
        store.last_patrol(zone, PatrolKind::Hygiene).unwrap(),
        hygiene
    );
    assert_ne!(
        store.last_patrol(zone, PatrolKind::Security).unwrap(),
        security,
        "saved as shown"
    );
}

#[test]
fn switching_the_patrol_kind_keeps_the_note_and_asks_before_dropping_answers() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press(": \"goto 胜利花苑/3栋\" enter : \"patrol hygiene\" enter");
    // An answered item, then the note (kind → when → note, backwards).
    a.press("tab \"垃圾未清\" shift-tab shift-tab shift-tab \"已通知物业\" tab tab");
    let note = |a: &App| a.state.form().unwrap().values().get("note").to_string();
    let checks = |a: &App| {
        a.state
            .form()
            .unwrap()
            .values()
            .all("check")
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    a.press("right");
    let s = screen(&a, 120, 40);
    assert!(s.contains("改为治安巡查清单？"), "{s}");
    insta::assert_snapshot!("patrol_switch_asks_zh", s);
    // No: nothing changes.
    a.press("n");
    assert_eq!(form_title(&a), "记录卫生巡查");
    assert_eq!(checks(&a)[0], "issue:垃圾未清");
    assert_eq!(note(&a), "已通知物业");
    // Yes: the other checklist, the note kept.
    a.press("right y");
    assert_eq!(form_title(&a), "记录治安巡查");
    assert!(checks(&a).iter().all(|c| c == "ok"));
    assert_eq!(note(&a), "已通知物业");
    // Nothing answered now: back without a question, the note still kept.
    a.press("left");
    assert_eq!(form_title(&a), "记录卫生巡查");
    assert_eq!(note(&a), "已通知物业");
    // The kept note is typing: esc asks.
    a.press("esc");
    assert!(screen(&a, 120, 40).contains("放弃已输入的内容？"));
}

#[test]
fn a_patrol_saved_says_only_the_counts_that_are_not_zero() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press(": \"goto 胜利花苑/3栋\" enter : \"patrol security\" enter");
    a.press("tab tab \"门锁坏了\" ctrl-s");
    let status = a.state.status.clone().unwrap();
    assert!(!status.error, "{}", status.text);
    assert_eq!(status.text, "巡查已保存；新建问题 1 个");
    // All well: no counts at all.
    a.press(": \"patrol hygiene\" enter ctrl-s");
    assert_eq!(a.state.status.clone().unwrap().text, "巡查已保存");
    let mut a = app(&store, Lang::En, 120, 40);
    a.press(": \"goto 胜利花苑/3栋\" enter : \"patrol hygiene\" enter ctrl-s");
    assert_eq!(a.state.status.clone().unwrap().text, "patrol saved");
}

#[test]
fn the_visitor_field_takes_pinyin_initials_as_the_member_picker_does() {
    let (_d, store) = demo_store();
    let household = gridbook::address::resolve(&store, "胜利花苑/3栋/2-501")
        .unwrap()
        .id();
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press(": \"goto 胜利花苑/3栋/2-501\" enter v");
    // Several members' initials hold `yl`: named, nothing saved.
    a.press("\"yl\" ctrl-s");
    let s = screen(&a, 120, 40);
    assert!(s.contains("「yl」对应"), "{s}");
    assert!(s.contains("王玉兰"), "{s}");
    // None: the refusal as before.
    a.press("ctrl-u \"qqq\" ctrl-s");
    assert!(screen(&a, 120, 40).contains("没有成员「qqq」"));
    a.press("ctrl-u \"dml\" ctrl-s");
    let status = a.state.status.clone().unwrap();
    assert!(!status.error, "{}", status.text);
    let visits: Vec<_> = store
        .timeline(household, 5)
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.body {
            gridbook::model::EventBody::Visit(v) => Some(v.member),
            _ => None,
        })
        .collect();
    let dml = store
        .members()
        .unwrap()
        .into_iter()
        .find(|m| m.name == "邓美玲")
        .unwrap();
    assert_eq!(visits.first(), Some(&dml.meta.id));
}

#[test]
fn a_place_has_a_name_not_a_persons_name() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press("n");
    let s = screen(&a, 120, 40);
    assert!(s.contains("名称") && !s.contains("姓名"), "{s}");
    a.press("esc enter n");
    let s = screen(&a, 120, 40);
    assert!(s.contains("名称") && !s.contains("姓名"), "{s}");
    insta::assert_snapshot!("new_building_form_zh", s);
}

#[test]
fn a_filtered_timeline_says_its_kind_and_counts_what_it_shows() {
    let (_d, store) = demo_store();
    for lang in [Lang::En, Lang::Zh] {
        let mut a = app(&store, lang, 120, 40);
        a.press("tab");
        let gridbook::tui::state::View::Report(r) = &a.state.view else {
            panic!("the timeline")
        };
        let total = r.rows.len();
        a.press("f");
        let gridbook::tui::state::View::Report(r) = &a.state.view else {
            panic!("the timeline")
        };
        let shown = r.rows.len();
        assert!(shown < total);
        let summary = r.summary.join(" ");
        let s = screen(&a, 120, 40);
        match lang {
            Lang::En => {
                assert!(r.title.ends_with(": visits"), "{}", r.title);
                assert!(
                    summary.starts_with(&format!("Only visits: {shown} of {total} entries")),
                    "{summary}"
                );
                assert!(s.contains(&format!(": visits ({shown})")), "{s}");
            }
            Lang::Zh => {
                assert!(r.title.ends_with("的走访记录"), "{}", r.title);
                assert!(
                    summary.starts_with(&format!("只看走访：{shown} 条，共 {total} 条记录")),
                    "{summary}"
                );
                insta::assert_snapshot!("timeline_filtered_zh", s);
            }
        }
        // Past problems and patrols, the members' activities (党员奉献日,
        // volunteer hours) have a filter of their own.
        a.press("f f f");
        let gridbook::tui::state::View::Report(r) = &a.state.view else {
            panic!("the timeline")
        };
        let activities = r.rows.len();
        assert!(activities > 0 && activities < total, "{}", r.title);
        let s = screen(&a, 120, 40);
        match lang {
            Lang::En => assert!(s.contains(&format!(": activities ({activities})")), "{s}"),
            Lang::Zh => assert!(r.title.ends_with("的活动记录"), "{}", r.title),
        }
        // Round the kinds back to everything: the plain title and summary.
        a.press("f f f");
        let gridbook::tui::state::View::Report(r) = &a.state.view else {
            panic!("the timeline")
        };
        assert_eq!(r.rows.len(), total);
        assert!(!r.summary.join(" ").contains(&shown.to_string()) || shown == total);
    }
}

#[test]
fn edits_in_a_timeline_read_as_the_forms_label_them() {
    use gridbook::ops::{self, Ctx};
    let (_d, store) = demo_store();
    let h = gridbook::address::resolve(&store, "胜利花苑/3栋/2-501")
        .unwrap()
        .id();
    let ctx = Ctx {
        by: None,
        now: Ts::now(),
    };
    ops::edit_place(&store, ctx, h, &[("status", "rented")]).unwrap();
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press(": \"goto 胜利花苑/3栋/2-501\" enter tab");
    let s = screen(&a, 120, 40);
    assert!(s.contains("居住状态 修改：自住 → 出租"), "{s}");
    let mut a = app(&store, Lang::En, 120, 40);
    a.press(": \"goto 胜利花苑/3栋/2-501\" enter tab");
    let s = screen(&a, 120, 40);
    assert!(s.contains("status changed: owner-occupied → rented"), "{s}");
    // Filtered to changes, opened in full: the same labels.
    a.press("f f f f f f enter");
    let s = screen(&a, 120, 40);
    assert!(
        s.contains("owner-occupied") && !s.contains(" owner "),
        "{s}"
    );
}

#[test]
fn an_amendment_with_no_recorder_reads_without_a_dash() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press(": \"goto 胜利花苑/3栋/2-501\" enter tab f");
    // The newest visit: amend its note, then open it in full.
    a.press("e tab \"补记\" tab tab \"补记\" ctrl-s");
    let status = a.state.status.clone().unwrap();
    assert!(!status.error, "{}", status.text);
    a.press("enter");
    let s = screen(&a, 120, 40);
    assert!(s.contains(" 更正：补记"), "{s}");
    assert!(!s.contains("，— 更正"), "{s}");
}

/// A side pane or a summary box with more lines than it has room for ends
/// its last line with `…`, rather than stopping mid-sentence as if that
/// were all.
#[test]
fn a_pane_cut_short_says_there_is_more() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::Zh, 80, 24);
    a.press(": \"goto 胜利花苑/1栋/1-102\" enter");
    a.press("p tab \"三楼楼道灯不亮，晚上老人上下楼很危险，已经坏了一个星期，物业说要等配件到了才能换\" ctrl-s");
    let s = screen(&a, 80, 24);
    let lines: Vec<&str> = s.lines().collect();
    // The household pane's last row, above its bottom border.
    let bottom = lines.iter().rposition(|l| l.starts_with('└')).unwrap();
    assert!(
        lines[bottom - 1]
            .trim_end()
            .trim_end_matches('│')
            .trim_end()
            .ends_with('…'),
        "{s}"
    );
    insta::assert_snapshot!("pane_cut_short_zh_80x24", s);
    // Coverage's summary is longer than its box at 80×24.
    a.press("g c");
    let s = screen(&a, 80, 24);
    let lines: Vec<&str> = s.lines().collect();
    let end = lines.iter().position(|l| l.starts_with('└')).unwrap();
    assert!(
        lines[end - 1]
            .trim_end()
            .trim_end_matches('│')
            .trim_end()
            .ends_with('…'),
        "{s}"
    );
}

/// At 80 columns the timeline's long "what" gives way so that who wrote
/// each entry still shows; in the timeline the hint names the key that
/// goes back (`tab` there goes back too, not to a timeline).
#[test]
fn the_timeline_at_80x24_names_who_and_says_how_to_go_back() {
    let (_d, store) = demo_store();
    for (lang, tag, back, name) in [
        (Lang::En, "en", "esc back", "邓美玲"),
        (Lang::Zh, "zh", "esc 返回", "邓美玲"),
    ] {
        let mut a = app(&store, lang, 80, 24);
        a.press(": \"goto 胜利花苑/1栋/1-102\" enter tab");
        let s = screen(&a, 80, 24);
        let row = s
            .lines()
            .find(|l| l.contains("2026-11-30") || l.contains(name))
            .unwrap_or_default();
        assert!(row.trim_end_matches('│').trim_end().ends_with(name), "{s}");
        assert!(s.lines().last().unwrap().contains(back), "{s}");
        insta::assert_snapshot!(format!("timeline_{tag}_80x24"), s);
        a.press("esc");
        let s = screen(&a, 80, 24);
        assert!(s.contains("[browse]") || s.contains("【浏览】"), "{s}");
    }
}

/// The members view counts every member (grid workers and building heads
/// too), so the Chinese summary says 成员, as `report members` does, not
/// 党员; with the kind filter on grid workers it still must not say 党员.
#[test]
fn the_members_view_counts_members_not_party_members() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::Zh, 120, 40);
    a.press("g m");
    let s = screen(&a, 120, 40);
    assert!(s.contains("40 名成员"), "{s}");
    assert!(!s.contains("名党员"), "{s}");
    a.press("K K");
    let s = screen(&a, 120, 40);
    assert!(s.contains("类别：网格员"), "{s}");
    assert!(!s.contains("名党员"), "{s}");
}

/// A table with no rows says what it has none of, or that nothing matches
/// the filter on, in the user's language, instead of a header over a row
/// of `—`: members of a kind and tag nobody has, a volunteer's zones (none
/// ever), a household's timeline filtered to patrols (in Chinese), and
/// the activity form's member list when what is typed finds nobody.
#[test]
fn empty_tables_say_what_is_empty() {
    let (_d, store) = demo_store();
    let table = |s: &str, n: usize| s.lines().nth(n).unwrap().to_string();
    let mut a = app(&store, Lang::En, 80, 24);
    a.press("g m K K K T");
    let s = screen(&a, 80, 24);
    insta::assert_snapshot!("empty_members_filtered_en_80x24", s);
    assert!(table(&s, 7).contains("No entries match the filter."), "{s}");
    assert!(!s.contains('—') && !s.contains("visits  care"), "{s}");

    a.press("esc g m K K K enter");
    let s = screen(&a, 80, 24);
    insta::assert_snapshot!("empty_member_zones_en_80x24", s);
    assert!(
        s.contains("No zones assigned to this member, now or before."),
        "{s}"
    );
    assert!(!s.contains('—') && !s.contains("since"), "{s}");

    a.press("esc esc g m A tab tab tab tab \"zzzz\"");
    let s = screen(&a, 80, 24);
    let typed = s.lines().position(|l| l.contains("zzzz")).unwrap();
    assert!(
        table(&s, typed + 1).contains("No entries match the filter."),
        "{s}"
    );

    let mut a = app(&store, Lang::Zh, 80, 24);
    a.press("enter enter enter tab f f f");
    let s = screen(&a, 80, 24);
    insta::assert_snapshot!("empty_timeline_filtered_zh_80x24", s);
    assert!(table(&s, 6).contains("没有符合筛选条件的记录。"), "{s}");
    assert!(!s.contains('—'), "{s}");
}

/// In help, esc closes it (nothing is cancelled), and shift-tab is said as
/// the previous pane rather than repeating tab's words.
#[test]
fn help_says_esc_closes_and_shift_tab_goes_back() {
    let (_d, store) = demo_store();
    for (lang, close, prev, tab) in [
        (
            Lang::Zh,
            "j 移动 · esc 关闭",
            "上一个窗格",
            "此处的记录时间线",
        ),
        (
            Lang::En,
            "j move · esc close",
            "the previous pane",
            "the zone's timeline",
        ),
    ] {
        let mut a = app(&store, lang, 120, 60);
        a.press("?");
        let s = screen(&a, 120, 60);
        assert!(s.contains(close), "{s}");
        // The first of each key is the list's (forms come later).
        let line = |key: &str| {
            s.lines()
                .find(|l| l.contains(&format!(" {key}  ")))
                .unwrap_or_default()
                .to_string()
        };
        assert!(line("shift-tab").contains(prev), "{s}");
        assert!(line("tab").contains(tab), "{s}");
    }
}
