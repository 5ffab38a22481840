//! The first screen saved for the next start ([`gridbook_core::firstscreen`]
//! keeps the file and decides when it is trusted): what Today or the areas
//! list was drawn from, so the next start draws it while the store opens.

use serde::{Deserialize, Serialize};

use super::state::{Level, Report, ReportKind, Row, State, View};
use super::update::{Msg, update};
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::{Id, Ts};

/// The rows and words of one first screen, formatted as they were drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum Screen {
    Areas {
        crumbs: Vec<String>,
        columns: Vec<String>,
        rows: Vec<Row>,
    },
    Today {
        title: String,
        summary: Vec<String>,
        columns: Vec<String>,
        rows: Vec<Row>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    /// Who works, as resolved from the store (the header names them).
    pub me: Option<(Id, String)>,
    screen: Screen,
    /// The header's ⚠ count.
    warnings: usize,
}

impl Saved {
    /// The first screen as `state` shows it right after `App::start`:
    /// Today, or the areas list; nothing for anything else.
    pub fn of(state: &State) -> Option<Saved> {
        let screen = match &state.view {
            View::Browse(b) if b.level == Level::Areas && b.stack.is_empty() => Screen::Areas {
                crumbs: b.crumbs.clone(),
                columns: b.columns.clone(),
                rows: b.rows.clone(),
            },
            View::Report(r) if r.kind == ReportKind::Today && r.all.is_empty() => Screen::Today {
                title: r.title.clone(),
                summary: r.summary.clone(),
                columns: r.columns.clone(),
                rows: r.rows.clone(),
            },
            _ => return None,
        };
        Some(Saved {
            me: state.me.clone(),
            screen,
            warnings: state.warnings,
        })
    }

    /// Puts the saved screen into a state with no store behind it: the
    /// loads it would ask for next (the side pane) are dropped; the app
    /// loads the real screen once the store is open.
    pub fn show(self, state: &mut State) {
        let msg = match self.screen {
            Screen::Areas {
                crumbs,
                columns,
                rows,
            } => Msg::Loaded {
                level: Level::Areas,
                crumbs,
                columns,
                rows,
                select: None,
                stack: None,
            },
            Screen::Today {
                title,
                summary,
                columns,
                rows,
            } => Msg::Report(Box::new(Report::new(
                ReportKind::Today,
                title,
                summary,
                columns,
                rows,
            ))),
        };
        let _ = update(state, msg);
        let _ = update(state, Msg::Warnings(self.warnings));
    }
}

/// Everything besides the store that the first screen depends on, as text:
/// the day (Today counts from it), who works (`--as`/config), the language,
/// the settings and lists that shape the rows, and this build.
pub fn context(
    lang: Lang,
    as_member: Option<&str>,
    settings: &impl std::fmt::Debug,
    now: Ts,
) -> String {
    format!(
        "gridbook {} | day {:?} | lang {:?} | as {:?} | {:?}",
        env!("CARGO_PKG_VERSION"),
        now.date(),
        lang,
        as_member,
        settings,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::Keymap;
    use crate::tui::state::RowKind;

    fn row(name: &str) -> Row {
        Row {
            id: Id(7),
            kind: RowKind::Area,
            cells: vec![name.into(), "12".into()],
            phone: None,
            whose: None,
            zone: Some(Id(7)),
        }
    }

    #[test]
    fn the_areas_list_round_trips_into_a_state_without_a_store() {
        let mut a = State::new(Lang::Zh, Keymap::load(None, None).0, None);
        let _ = update(
            &mut a,
            Msg::Loaded {
                level: Level::Areas,
                crumbs: vec![],
                columns: vec!["名称".into(), "户数".into()],
                rows: vec![row("胜利花苑"), row("幸福里")],
                select: None,
                stack: None,
            },
        );
        let _ = update(&mut a, Msg::Warnings(2));
        let saved = Saved::of(&a).expect("the areas list is a first screen");
        let mut b = State::new(Lang::Zh, Keymap::load(None, None).0, None);
        saved.clone().show(&mut b);
        assert_eq!(Saved::of(&b), Some(saved));
        assert_eq!(b.warnings, 2);
    }

    #[test]
    fn only_today_and_the_areas_list_are_saved() {
        let mut s = State::new(Lang::En, Keymap::load(None, None).0, None);
        assert_eq!(Saved::of(&s), None);
        let _ = update(
            &mut s,
            Msg::Loaded {
                level: Level::Buildings(Id(7)),
                crumbs: vec!["a".into()],
                columns: vec!["name".into()],
                rows: vec![row("5栋")],
                select: None,
                stack: None,
            },
        );
        assert_eq!(Saved::of(&s), None);
    }

    #[test]
    fn the_context_names_the_day_the_member_and_the_language() {
        let day = Ts(1_764_633_600_000);
        let next = Ts(day.0 + 86_400_000);
        let base = context(Lang::En, Some("张三"), &1, day);
        assert_ne!(base, context(Lang::En, Some("张三"), &1, next));
        assert_ne!(base, context(Lang::En, Some("李四"), &1, day));
        assert_ne!(base, context(Lang::En, None, &1, day));
        assert_ne!(base, context(Lang::Zh, Some("张三"), &1, day));
        assert_ne!(base, context(Lang::En, Some("张三"), &2, day));
        assert_eq!(base, context(Lang::En, Some("张三"), &1, day));
    }
}
