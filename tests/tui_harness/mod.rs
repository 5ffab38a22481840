//! The TUI tests' shared harness: a pinned clock, the demo estate, the app
//! through the real default keymap, and the screen as text.

#![allow(dead_code)]

use gridbook::checklist::Checklists;
use gridbook::config::Config;
use gridbook::i18n::Lang;
use gridbook::model::Ts;
use gridbook::store::Store;
use gridbook::tui::App;
use gridbook::tui::keymap::Keymap;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// 2026-11-28 14:30 in China.
pub fn pin_clock() -> Ts {
    let now: jiff::Timestamp = "2026-11-28T06:30:00Z".parse().unwrap();
    let now = Ts(now.as_millisecond());
    gridbook::clock::pin(now, jiff::tz::TimeZone::fixed(jiff::tz::offset(8)));
    now
}

pub fn demo_store() -> (tempfile::TempDir, Store) {
    let now = pin_clock();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    gridbook::demo::load(&store, now).unwrap();
    (dir, store)
}

pub fn app(store: &Store, lang: Lang, w: u16, h: u16) -> App<'_> {
    let (keymap, errors) = Keymap::load(None, None);
    assert!(errors.is_empty());
    let mut app = App::new(
        store,
        lang,
        keymap,
        None,
        Config::default(),
        Checklists::shipped(),
    );
    app.resize(w, h);
    app.start();
    app
}

/// The screen as rows of cells (a double-width character's right half is
/// an empty string).
pub fn cells(app: &App, w: u16, h: u16) -> Vec<Vec<String>> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    app.draw(&mut t).unwrap();
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect())
        .collect()
}

/// The screen as text, one line per row; the cell after a double-width
/// character is its right half and is not printed again.
pub fn screen(app: &App, w: u16, h: u16) -> String {
    text_of(cells(app, w, h))
}

/// A state drawn without an app (a saved first screen before the store
/// opens), as text.
pub fn state_screen(state: &gridbook::tui::state::State, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| gridbook::tui::render::render(state, f)).unwrap();
    let buf = t.backend().buffer();
    text_of(
        (0..h)
            .map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect())
            .collect(),
    )
}

fn text_of(cells: Vec<Vec<String>>) -> String {
    let mut out = String::new();
    for row in cells {
        let mut skip = 0;
        for sym in row {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            skip = unicode_width::UnicodeWidthStr::width(sym.as_str()).saturating_sub(1);
            out.push_str(&sym);
        }
        out.push('\n');
    }
    out
}
