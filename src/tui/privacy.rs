//! The idle privacy screen: after some minutes without a key (config
//! `privacy_idle_minutes`, default 10; 0 turns it off) the TUI hides every
//! name and phone behind a plain screen until a key is pressed, and the key
//! that wakes it does nothing else. Time comes in as [`super::update::Msg::Tick`]
//! messages, so the rule is pure and testable without waiting.

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout};
use ratatui::widgets::Paragraph;

use gridbook_domain::i18n::Lang;

/// Idle time and whether the screen is locked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Privacy {
    /// Idle time after which the screen locks; zero never locks.
    pub after: Duration,
    /// Time since the last key.
    pub idle: Duration,
    pub locked: bool,
}

impl Privacy {
    /// Locking after `minutes` without a key (0: never).
    pub fn after_minutes(minutes: u64) -> Privacy {
        Privacy {
            after: Duration::from_secs(minutes * 60),
            ..Privacy::default()
        }
    }

    /// Time passed without a key.
    pub fn tick(&mut self, elapsed: Duration) {
        self.idle = self.idle.saturating_add(elapsed);
        if !self.after.is_zero() && self.idle >= self.after {
            self.locked = true;
        }
    }

    /// A key was pressed: true when it only woke the screen (and must do
    /// nothing else).
    pub fn key(&mut self) -> bool {
        self.idle = Duration::ZERO;
        std::mem::replace(&mut self.locked, false)
    }
}

/// The locked screen: nothing of the data, a line saying why and how back.
pub fn render(lang: Lang, frame: &mut Frame) {
    let area = frame.area();
    let [_, mid, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(3),
        Constraint::Fill(1),
    ])
    .areas(area);
    let text = format!(
        "{}\n\n{}",
        lang.t("reliab.privacy.locked"),
        lang.t("reliab.privacy.wake")
    );
    frame.render_widget(Paragraph::new(text).alignment(Alignment::Center), mid);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_idle_time_and_the_waking_key_is_spent() {
        let mut p = Privacy::after_minutes(10);
        p.tick(Duration::from_secs(599));
        assert!(!p.locked);
        assert!(!p.key(), "a key while unlocked is an ordinary key");
        p.tick(Duration::from_secs(599));
        assert!(!p.locked, "a key starts the idle time again");
        p.tick(Duration::from_secs(1));
        assert!(p.locked);
        assert!(p.key(), "the waking key does nothing else");
        assert!(!p.locked);
        let mut off = Privacy::after_minutes(0);
        off.tick(Duration::from_secs(86_400));
        assert!(!off.locked);
    }
}
