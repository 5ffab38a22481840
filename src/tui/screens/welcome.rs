//! The welcome screen, on an empty store: how to begin.

use gridbook_domain::i18n::Lang;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::tui::command::Cmd;

pub const HINTS: &[Cmd] = &[Cmd::New, Cmd::Command, Cmd::Help, Cmd::Quit];

pub fn render(lang: Lang, frame: &mut Frame, area: Rect) {
    let lines: Vec<Line> = lang
        .t("tui.welcome")
        .lines()
        .map(|l| Line::from(l.to_string()))
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", lang.t("view.welcome")));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
