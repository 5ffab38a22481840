//! The text-editing layer under every text field (form fields, the `:`
//! command line, the lookup query): one [`TextInput`] holds the text and
//! its cursor and applies [`Edit`]s. Keys reach it only as commands of the
//! keymap's `[text]` section (see `keymap::Context::Text`), so nothing here
//! knows a key. The editing itself is `ratatui-textarea`'s.

use ratatui_textarea::{CursorMove, TextArea};

use gridbook_domain::text::width;

/// One editing step, from a command of the `[text]` keymap section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    Left,
    Right,
    WordLeft,
    WordRight,
    Home,
    End,
    /// Deletes the character before the cursor (backspace).
    DeleteBack,
    /// Deletes the character under the cursor (delete).
    DeleteForward,
    /// Deletes the word before the cursor (`ctrl-w`).
    DeleteWord,
    /// Deletes from the start of the line to the cursor (`ctrl-u`).
    DeleteToStart,
    /// Starts a new line (multi-line fields only).
    Newline,
}

/// A text field's content and cursor.
#[derive(Clone, Debug)]
pub struct TextInput {
    area: TextArea<'static>,
    multiline: bool,
    /// The text is a default the form filled in (`today`, `now`): the first
    /// typed or pasted text replaces it instead of being appended.
    default: bool,
}

impl Default for TextInput {
    fn default() -> Self {
        TextInput::new("")
    }
}

impl TextInput {
    /// A one-line field holding `text`, the cursor at its end.
    pub fn new(text: &str) -> TextInput {
        let mut t = TextInput {
            area: TextArea::default(),
            multiline: false,
            default: false,
        };
        t.set(text);
        t
    }

    /// A field whose text may span lines (notes).
    pub fn multiline(text: &str) -> TextInput {
        let mut t = TextInput {
            area: TextArea::default(),
            multiline: true,
            default: false,
        };
        t.set(text);
        t
    }

    /// Marks the current text as a default the first typed key replaces.
    pub fn as_default(mut self) -> TextInput {
        self.default = !self.text().is_empty();
        self
    }

    pub fn is_multiline(&self) -> bool {
        self.multiline
    }

    /// Whether the text is still the untouched default.
    pub fn shows_default(&self) -> bool {
        self.default
    }

    /// Replaces the text; the cursor goes to its end.
    pub fn set(&mut self, text: &str) {
        let text = self.fit(text);
        self.area = TextArea::new(text.split('\n').map(str::to_string).collect());
        self.area.move_cursor(CursorMove::Bottom);
        self.area.move_cursor(CursorMove::End);
        self.default = false;
    }

    /// The text, lines joined by `\n`.
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    pub fn lines(&self) -> &[String] {
        self.area.lines()
    }

    pub fn is_empty(&self) -> bool {
        self.area.lines().iter().all(String::is_empty)
    }

    /// (line, character) of the cursor.
    pub fn cursor(&self) -> (usize, usize) {
        let c = self.area.cursor();
        (c.0, c.1)
    }

    /// The cursor's column in terminal cells on its line: Chinese characters
    /// take two.
    pub fn cursor_col(&self) -> usize {
        let (row, col) = self.cursor();
        let line = self.area.lines().get(row).map_or("", String::as_str);
        let before: String = line.chars().take(col).collect();
        width(&before)
    }

    /// A one-line field takes no line breaks: pasted lines join with spaces.
    fn fit(&self, text: &str) -> String {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        if self.multiline {
            text
        } else {
            text.split('\n')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        }
    }

    /// Drops an untouched default before new text goes in.
    fn replace_default(&mut self) {
        if self.default {
            self.set("");
        }
    }

    /// Types one character at the cursor; true when the text changed.
    pub fn type_char(&mut self, c: char) -> bool {
        if c == '\n' {
            return self.edit(Edit::Newline);
        }
        self.replace_default();
        self.area.insert_char(c);
        true
    }

    /// Inserts pasted text at the cursor (a default is replaced).
    pub fn paste(&mut self, text: &str) -> bool {
        let text = self.fit(text);
        if text.is_empty() {
            return false;
        }
        self.replace_default();
        self.area.insert_str(text)
    }

    /// Applies one editing step; true when the text changed.
    pub fn edit(&mut self, e: Edit) -> bool {
        // Deleting into an untouched default removes all of it; moving
        // keeps it, now as ordinary text to edit.
        if self.default {
            self.default = false;
            if matches!(
                e,
                Edit::DeleteBack | Edit::DeleteWord | Edit::DeleteToStart | Edit::DeleteForward
            ) {
                self.set("");
                return true;
            }
        }
        let a = &mut self.area;
        match e {
            Edit::Left => a.move_cursor(CursorMove::Back),
            Edit::Right => a.move_cursor(CursorMove::Forward),
            Edit::WordLeft => a.move_cursor(CursorMove::WordBack),
            Edit::WordRight => a.move_cursor(CursorMove::WordForward),
            Edit::Home => a.move_cursor(CursorMove::Head),
            Edit::End => a.move_cursor(CursorMove::End),
            Edit::DeleteBack => return a.delete_char(),
            Edit::DeleteForward => return a.delete_next_char(),
            Edit::DeleteWord => return a.delete_word(),
            Edit::DeleteToStart => return a.delete_line_by_head(),
            Edit::Newline => {
                if !self.multiline {
                    return false;
                }
                a.insert_newline();
                return true;
            }
        }
        false
    }

    /// The part of line `row` that fits in `cols` cells with the cursor in
    /// view, and the cursor's cell within it (when it is on that line).
    pub fn window(&self, row: usize, cols: usize) -> (String, Option<usize>) {
        let line = self.area.lines().get(row).map_or("", String::as_str);
        let (crow, ccol) = self.cursor();
        let cols = cols.max(2);
        if crow != row {
            return (gridbook_domain::text::truncate(line, cols), None);
        }
        let chars: Vec<char> = line.chars().collect();
        // Leave a cell for the cursor past the end.
        let mut start = 0;
        let cell = |from: usize, to: usize| -> usize {
            chars[from..to].iter().map(|c| width(&c.to_string())).sum()
        };
        while cell(start, ccol) + 1 > cols && start < ccol {
            start += 1;
        }
        let mut shown = String::new();
        let mut used = 0;
        for c in &chars[start..] {
            let w = width(&c.to_string());
            if used + w > cols {
                break;
            }
            shown.push(*c);
            used += w;
        }
        (shown, Some(cell(start, ccol)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(t: &mut TextInput, s: &str) {
        for c in s.chars() {
            t.type_char(c);
        }
    }

    #[test]
    fn edits_in_the_middle_by_character_and_word() {
        let mut t = TextInput::new("");
        typed(&mut t, "门口堆放杂物 已清理");
        // Fix a typo in the middle without retyping the end.
        t.edit(Edit::WordLeft);
        t.edit(Edit::Left);
        t.edit(Edit::DeleteBack);
        typed(&mut t, "品");
        assert_eq!(t.text(), "门口堆放杂品 已清理");
        t.edit(Edit::Home);
        t.edit(Edit::DeleteForward);
        assert_eq!(t.text(), "口堆放杂品 已清理");
        t.edit(Edit::End);
        t.edit(Edit::DeleteWord);
        assert_eq!(t.text(), "口堆放杂品 ");
        t.edit(Edit::DeleteToStart);
        assert_eq!(t.text(), "");
    }

    #[test]
    fn the_cursor_column_counts_chinese_as_two_cells() {
        let mut t = TextInput::new("王a乐");
        assert_eq!(t.cursor_col(), 5);
        t.edit(Edit::Left);
        assert_eq!(t.cursor_col(), 3);
        t.edit(Edit::Home);
        assert_eq!(t.cursor_col(), 0);
        // A long line scrolls so the cursor stays in view.
        let t = TextInput::new("一二三四五六七八九十");
        let (shown, at) = t.window(0, 9);
        assert_eq!(shown, "七八九十");
        assert_eq!(at, Some(8));
    }

    #[test]
    fn a_default_is_replaced_by_the_first_key_not_appended_to() {
        let mut t = TextInput::new("today").as_default();
        typed(&mut t, "-30d");
        assert_eq!(t.text(), "-30d");
        let mut t = TextInput::new("now").as_default();
        t.edit(Edit::DeleteBack);
        assert_eq!(t.text(), "");
        // Moving first keeps the default as text to edit.
        let mut t = TextInput::new("today").as_default();
        t.edit(Edit::End);
        typed(&mut t, "x");
        assert_eq!(t.text(), "todayx");
        let mut t = TextInput::new("现在").as_default();
        t.paste("昨天 09:00");
        assert_eq!(t.text(), "昨天 09:00");
    }

    #[test]
    fn paste_keeps_lines_only_where_lines_are_allowed() {
        let mut one = TextInput::new("");
        assert!(one.paste("138-1234\r\n-5678\n"));
        assert_eq!(one.text(), "138-1234 -5678");
        let mut note = TextInput::multiline("");
        note.paste("独居老人\n行动不便");
        assert_eq!(note.lines(), ["独居老人", "行动不便"]);
        note.edit(Edit::Newline);
        typed(&mut note, "需上门");
        assert_eq!(note.text(), "独居老人\n行动不便\n需上门");
        assert!(!one.edit(Edit::Newline));
    }
}
