//! The idle privacy screen (issue 11): after `privacy_idle_minutes` without
//! a key the TUI shows a plain locked screen with no names or phones, and
//! the key that wakes it does nothing else.

use std::time::Duration;

use gridbook::checklist::Checklists;
use gridbook::config::Config;
use gridbook::i18n::Lang;
use gridbook::model::Ts;
use gridbook::store::Store;
use gridbook::tui::App;
use gridbook::tui::keymap::Keymap;
use gridbook::tui::update::Msg;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn demo_store() -> (tempfile::TempDir, Store) {
    let now: jiff::Timestamp = "2026-11-28T06:30:00Z".parse().unwrap();
    let now = Ts(now.as_millisecond());
    gridbook::clock::pin(now, jiff::tz::TimeZone::fixed(jiff::tz::offset(8)));
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    gridbook::demo::load(&store, now).unwrap();
    (dir, store)
}

fn app(store: &Store, lang: Lang, config: Config) -> App<'_> {
    let (keymap, _) = Keymap::load(None, None);
    let mut app = App::new(store, lang, keymap, None, config, Checklists::shipped());
    app.resize(80, 24);
    app.start();
    app
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    app.draw(&mut t).unwrap();
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..24 {
        let mut skip = 0;
        for x in 0..80 {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            out.push_str(sym);
        }
        out.push('\n');
    }
    out
}

fn has_phone(s: &str) -> bool {
    s.split(|c: char| !c.is_ascii_digit())
        .any(|w| w.len() == 11 && w.starts_with('1'))
}

#[test]
fn an_idle_tui_hides_names_and_phones_until_a_key_that_does_nothing_else() {
    let (_dir, store) = demo_store();
    for (lang, name) in [
        (Lang::En, "privacy_locked"),
        (Lang::Zh, "privacy_locked_zh"),
    ] {
        let mut a = app(&store, lang, Config::default());
        a.press("enter enter enter");
        let household = screen(&a);
        assert!(has_phone(&household), "{household}");
        // Just short of ten minutes: still shown.
        a.dispatch(Msg::Tick(Duration::from_secs(9 * 60 + 59)));
        assert_eq!(screen(&a), household);
        a.dispatch(Msg::Tick(Duration::from_secs(1)));
        let locked = screen(&a);
        assert!(!has_phone(&locked), "{locked}");
        assert!(!locked.contains("胜利花苑"), "{locked}");
        insta::assert_snapshot!(name, locked);
        // The waking key (`?` opens help when awake) does nothing else.
        a.press("?");
        assert_eq!(screen(&a), household);
        a.press("?");
        assert_ne!(screen(&a), household, "awake, keys work again");
    }
}

#[test]
fn zero_minutes_never_locks() {
    let (_dir, store) = demo_store();
    let config = Config {
        privacy_idle_minutes: Some(0),
        ..Config::default()
    };
    let mut a = app(&store, Lang::En, config);
    let before = screen(&a);
    a.dispatch(Msg::Tick(Duration::from_secs(86_400)));
    assert_eq!(screen(&a), before);
}
