//! The TUI without colour (`NO_COLOR`, `--color never`): every colour of a
//! drawn frame is taken out, and what a background colour marked (the
//! selected row, a highlighted cell) is shown reversed instead, so the
//! screen still says what is selected. Glyphs and bold stay.

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

/// Takes the colours out of `buf` in place.
pub fn strip(buf: &mut Buffer) {
    for cell in buf.content.iter_mut() {
        if cell.bg != Color::Reset {
            cell.modifier.insert(Modifier::REVERSED);
        }
        cell.fg = Color::Reset;
        cell.bg = Color::Reset;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn colours_go_and_highlights_reverse() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 1));
        buf.set_string(0, 0, "ab", Style::default().fg(Color::Red));
        buf.set_string(2, 0, "cd", Style::default().bg(Color::Blue));
        strip(&mut buf);
        for c in &buf.content {
            assert_eq!((c.fg, c.bg), (Color::Reset, Color::Reset));
        }
        assert!(!buf[(0, 0)].modifier.contains(Modifier::REVERSED));
        assert!(buf[(2, 0)].modifier.contains(Modifier::REVERSED));
    }
}
