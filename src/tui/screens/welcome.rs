//! The welcome screen, on an empty store: how to begin.

use gridbook_domain::i18n::Lang;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

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
    let lines = crate::tui::wrap::lines(lines, (area.width as usize).saturating_sub(2));
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
