//! Entry that never loses typing, and text that never overruns a border:
//! text fields edit like text fields everywhere, paste arrives whole,
//! ctrl-c asks before throwing typing away, defaults give way to the first
//! key, the "too small" notice ignores keys, and Chinese text is wrapped
//! inside its pane. Driven by key strings through the real keymap on the
//! demo estate.

use gridbook::i18n::Lang;
use gridbook::tui::App;
use gridbook::tui::state::{Layer, View};
use unicode_width::UnicodeWidthStr;

mod tui_harness;
use tui_harness::{app, cells, demo_store, screen};

fn value(a: &App, name: &str) -> String {
    a.state
        .form()
        .expect("a form")
        .values()
        .get(name)
        .to_string()
}

fn selected(a: &App) -> usize {
    match &a.state.view {
        View::Browse(b) => b.sel,
        _ => usize::MAX,
    }
}

#[test]
fn a_typo_in_the_middle_of_a_note_is_fixed_without_retyping() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::Zh, 120, 40);
    // The visit form names who made it (no `me` here).
    a.press("enter enter enter enter v \"朱杰\" tab tab tab");
    a.press("\"门口堆放杂无 已清理\"");
    // Back a word and a character, fix 无 → 物, keep the rest.
    a.press("ctrl-left left backspace \"物\"");
    assert_eq!(value(&a, "note"), "门口堆放杂物 已清理");
    insta::assert_snapshot!("entry_cursor_in_the_middle", screen(&a, 120, 40));
    // home/end, delete, ctrl-w, ctrl-u.
    a.press("home delete");
    assert_eq!(value(&a, "note"), "口堆放杂物 已清理");
    a.press("end ctrl-w");
    assert_eq!(value(&a, "note"), "口堆放杂物 ");
    a.press("ctrl-u");
    assert_eq!(value(&a, "note"), "");
    // Notes take more than one line.
    a.press("\"独居老人\" alt-enter \"行动不便\"");
    assert_eq!(value(&a, "note"), "独居老人\n行动不便");
    insta::assert_snapshot!("entry_multi_line_note", screen(&a, 120, 40));
    a.press("ctrl-s");
    assert!(a.state.form().is_none(), "saved");
    let text = screen(&a, 120, 40);
    assert!(text.contains("独居老人"), "{text}");
}

#[test]
fn the_command_line_and_lookup_edit_the_same_way() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 100, 30);
    a.press(": \"goto slhy/3/2-501\" ctrl-w");
    let Some(Layer::Command(input)) = a.state.layers.last() else {
        panic!("the command line is open")
    };
    // `-` is a word of its own, as in every editor.
    assert_eq!(input.text(), "goto slhy/3/2-");
    a.press("ctrl-w ctrl-w");
    let Some(Layer::Command(input)) = a.state.layers.last() else {
        panic!()
    };
    assert_eq!(input.text(), "goto slhy/3/");
    a.press("home right right right right delete");
    let Some(Layer::Command(input)) = a.state.layers.last() else {
        panic!()
    };
    assert_eq!(input.text(), "gotoslhy/3/");
    a.press("esc / \"wzm\" left left \"x\" backspace end");
    let Some(Layer::Lookup(l)) = a.state.layers.last() else {
        panic!("lookup is open")
    };
    assert_eq!(l.input.text(), "wzm");
    assert_eq!(l.input.edit.cursor(), (0, 3));
}

#[test]
fn paste_goes_into_the_field_and_never_runs_commands() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 100, 30);
    a.press("enter enter enter");
    let before = selected(&a);
    // Outside a field, pasted letters are not keys: no move, no quit.
    a.paste("jjjq:");
    assert_eq!(selected(&a), before);
    assert!(!a.state.quit && a.state.layers.is_empty());
    assert!(
        a.state
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("nothing was run")
    );
    // A phone with spaces and dashes, a name, into the resident form.
    a.press("enter n");
    a.paste("欧阳娜娜");
    a.press("tab");
    a.paste("139-8765 4321");
    assert_eq!(value(&a, "name"), "欧阳娜娜");
    assert_eq!(value(&a, "phones"), "139-8765 4321");
    // A multi-line note goes into a note field whole; a single-line field
    // joins the lines.
    a.press("esc y v \"朱杰\" tab tab tab");
    a.paste("老人身体不错\r\n约好下周再来");
    assert_eq!(value(&a, "note"), "老人身体不错\n约好下周再来");
    a.press("tab");
    a.paste("+7d\n");
    assert_eq!(value(&a, "follow_up"), "+7d");
    a.press("ctrl-s");
    assert!(
        a.state.form().is_none(),
        "{:?}",
        a.state.form().map(|f| &f.fields)
    );
}

#[test]
fn ctrl_c_in_a_half_filled_form_asks_first() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 80, 24);
    a.press("enter enter enter enter n \"张\" ctrl-c");
    assert!(!a.state.quit, "ctrl-c does not throw typing away");
    insta::assert_snapshot!("entry_quit_question", screen(&a, 80, 24));
    a.press("n");
    assert_eq!(value(&a, "name"), "张", "n keeps the form and the text");
    a.press("ctrl-c y");
    assert!(a.state.quit, "y quits");
    // With nothing typed, ctrl-c quits at once.
    let mut a = app(&store, Lang::En, 80, 24);
    a.press("enter enter enter enter n ctrl-c");
    assert!(a.state.quit);
}

#[test]
fn a_default_gives_way_to_the_first_key_in_either_language() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::Zh, 100, 30);
    a.press("enter enter enter enter v \"朱杰\"");
    assert_eq!(value(&a, "when"), "现在");
    insta::assert_snapshot!("entry_visit_default_zh", screen(&a, 100, 30));
    a.press("tab \"-1d 09:00\"");
    assert_eq!(value(&a, "when"), "-1d 09:00");
    a.press("ctrl-s");
    assert!(a.state.form().is_none(), "saved: {:?}", a.state.form());
    let mut a = app(&store, Lang::En, 100, 30);
    a.press("enter enter enter enter v tab");
    assert_eq!(value(&a, "when"), "now");
    a.press("\"yesterday\"");
    assert_eq!(value(&a, "when"), "yesterday");
}

#[test]
fn keys_do_nothing_behind_the_too_small_notice() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 100, 30);
    a.press("enter enter");
    let before = selected(&a);
    a.resize(40, 10);
    a.press("j j enter n : ?");
    a.paste("abc");
    assert_eq!(selected(&a), before);
    assert!(a.state.layers.is_empty());
    a.resize(100, 30);
    a.press("j");
    assert_eq!(selected(&a), before + 1);
    a.resize(40, 10);
    a.press("q");
    assert!(a.state.quit, "quitting still works");
}

/// Every row's last cell is the pane's right border: nothing ran over it.
fn right_border_holds(a: &App, w: u16, h: u16) {
    let rows = cells(a, w, h);
    // Header and the two footer lines are not inside a pane.
    for (y, row) in rows.iter().enumerate().take(h as usize - 2).skip(1) {
        let last = row.last().unwrap();
        assert!(
            ["│", "┐", "┘"].contains(&last.as_str()),
            "{w}x{h}: row {y} ends in {last:?}:\n{}",
            screen(a, w, h)
        );
        // A wide character's second cell is not counted again.
        let mut width = 0;
        let mut skip = 0;
        for c in row {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let cw = UnicodeWidthStr::width(c.as_str());
            skip = cw.saturating_sub(1);
            width += cw;
        }
        assert!(width <= w as usize, "{w}x{h}: row {y} is {width} wide");
    }
}

#[test]
fn chinese_text_at_the_border_never_overruns_the_pane() {
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 120, 40);
    // A problem whose text ends in Chinese, on a household.
    a.press("enter enter enter enter p");
    a.press("tab \"楼道灯坏了三天还没有人来修理请尽快安排电工上门\" ctrl-s");
    assert!(a.state.form().is_none());
    a.press("esc");
    // The detail pane at many widths: each one puts the wrap point
    // elsewhere, so some line ends in a wide character at the border.
    for w in 100..=130u16 {
        a.resize(w, 40);
        right_border_holds(&a, w, 40);
    }
    // The first screen: the issue's own case at 120 columns.
    let mut a = app(&store, Lang::En, 120, 40);
    for w in 100..=130u16 {
        a.resize(w, 40);
        right_border_holds(&a, w, 40);
    }
    for lang in [Lang::En, Lang::Zh] {
        let mut a = app(&store, lang, 80, 24);
        a.press("enter enter enter");
        for w in [80u16, 81, 83, 97, 100, 111, 120] {
            a.resize(w, 30);
            right_border_holds(&a, w, 30);
        }
    }
}

#[test]
fn help_lists_every_key_where_it_was_opened_first_and_what_it_does() {
    use gridbook::tui::keymap::Context;
    let (_d, store) = demo_store();
    let mut a = app(&store, Lang::En, 100, 30);
    a.press("enter enter enter enter n f1");
    let lines: Vec<String> = gridbook::tui::render::help_lines(&a.state)
        .iter()
        .map(|l| l.to_string())
        .collect();
    assert_eq!(lines[0], "Forms", "the form's own keys come first");
    let text = lines.join("\n");
    for ctx in [Context::Form, Context::Text, Context::Global] {
        for (command, keys) in a.state.keymap.bindings(ctx) {
            let line = lines
                .iter()
                .find(|l| l.trim_start().starts_with(&keys.join(", ")))
                .unwrap_or_else(|| panic!("{keys:?} missing:\n{text}"));
            assert!(line.contains(command.cmd.describe(Lang::En)), "{line}");
        }
    }
    assert!(text.contains("delete the word before the cursor"), "{text}");
    // Every command `:` runs is listed with what it does.
    assert!(
        text.contains("goto ADDR") && text.contains("import PATH"),
        "{text}"
    );
    // `tab` on a list opens the timeline, and help says so.
    a.press("esc esc y ?");
    let lines: Vec<String> = gridbook::tui::render::help_lines(&a.state)
        .iter()
        .map(|l| l.to_string())
        .collect();
    assert_eq!(lines[0], "Lists");
    let tab = lines
        .iter()
        .find(|l| l.trim_start().starts_with("tab "))
        .unwrap();
    assert!(tab.contains("timeline"), "{tab}");
    insta::assert_snapshot!("entry_help_on_a_list", screen(&a, 100, 30));
}
