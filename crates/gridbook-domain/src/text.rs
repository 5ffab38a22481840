//! Display width for mixed CJK and Latin text: Chinese characters take two
//! terminal columns, so tables pad by width, never by `char` count. And what
//! may reach a terminal: text from data is shown with every character that
//! could drive the terminal or hide what is written made visible.

use std::borrow::Cow;
use std::fmt::Write as _;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// What a character is when it must not reach a terminal as it is: the C0
/// and C1 controls and DEL (escape sequences, bells, carriage returns), the
/// line and paragraph separators, and the bidirectional embeddings,
/// overrides and isolates that reorder what is shown. `None` for everything
/// printable. [`crate::validate`] refuses these on input; [`visible`]
/// escapes them on output.
pub fn hazard(c: char) -> Option<&'static str> {
    Some(match c {
        '\0' => "NUL",
        '\u{07}' => "BEL",
        '\u{08}' => "BS",
        '\t' => "TAB",
        '\n' => "LF",
        '\u{0B}' => "VT",
        '\u{0C}' => "FF",
        '\r' => "CR",
        '\u{1B}' => "ESC",
        '\u{7F}' => "DEL",
        '\u{85}' => "NEL",
        '\u{9B}' => "CSI",
        '\u{9D}' => "OSC",
        '\u{2028}' => "line separator",
        '\u{2029}' => "paragraph separator",
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => "bidirectional control",
        c if c.is_control() => "control",
        _ => return None,
    })
}

/// True for the characters that end a line: LF, CR, VT, FF, NEL and the
/// line and paragraph separators.
pub fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

fn escape_into(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

fn escape_where(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let must = |c: char| hazard(c).is_some() && !keep(c);
    if !s.chars().any(must) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if must(c) {
            escape_into(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One field as it may be shown on a terminal: every [`hazard`] written as
/// an escape (`\n`, `\t`, `\x1b`, `\u{202e}`), so a name holding an escape
/// sequence shows as text instead of driving the terminal.
///
/// ```
/// use gridbook_domain::text::visible;
/// assert_eq!(visible("张三"), "张三");
/// assert_eq!(visible("a\x1b]52;c;eA==\x07b"), "a\\x1b]52;c;eA==\\x07b");
/// assert_eq!(visible("1\n2"), "1\\n2");
/// ```
pub fn visible(s: &str) -> Cow<'_, str> {
    escape_where(s, |_| false)
}

/// A block of output lines as it may be shown on a terminal: like
/// [`visible`], but the line feeds that separate the lines stay.
pub fn visible_lines(s: &str) -> Cow<'_, str> {
    escape_where(s, |c| c == '\n')
}

/// JSON text as it may be shown on a terminal: the hazards a JSON writer
/// leaves raw (DEL, the C1 controls, the separators and bidirectional
/// controls; C0 controls are escaped by every JSON writer) written as
/// `\uXXXX`. Outside strings JSON holds none of them, so the text means
/// exactly what it meant.
pub fn json_visible(s: String) -> String {
    if !s
        .chars()
        .any(|c| hazard(c).is_some() && !c.is_ascii_whitespace())
    {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hazard(c).is_some() && !c.is_ascii_whitespace() {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                let _ = write!(out, "\\u{:04x}", unit);
            }
        } else {
            out.push(c);
        }
    }
    out
}

pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` columns, ending with `…` when something was cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw > max - 1 {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// `s` cut or padded with spaces to exactly `cols` columns.
///
/// ```
/// use gridbook_domain::text::{pad, width};
/// assert_eq!(pad("张三", 6), "张三  ");
/// assert_eq!(width(&pad("欧阳娜娜", 5)), 5);
/// ```
pub fn pad(s: &str, cols: usize) -> String {
    let mut out = truncate(s, cols);
    let w = width(&out);
    out.extend(std::iter::repeat_n(' ', cols.saturating_sub(w)));
    out
}

/// Right-aligned variant of [`pad`], for numbers.
pub fn pad_left(s: &str, cols: usize) -> String {
    let t = truncate(s, cols);
    let w = width(&t);
    let mut out: String = std::iter::repeat_n(' ', cols.saturating_sub(w)).collect();
    out.push_str(&t);
    out
}

/// Lays out rows as aligned columns separated by two spaces.
pub fn table(rows: &[Vec<String>]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; n];
    // Cells come from data: each one shown as one visible line.
    let rows: Vec<Vec<Cow<'_, str>>> = rows
        .iter()
        .map(|r| r.iter().map(|c| visible(c)).collect())
        .collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(width(c));
        }
    }
    let mut out = String::new();
    for r in &rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i + 1 == r.len() {
                line.push_str(c);
            } else {
                line.push_str(&pad(c, widths[i]));
                line.push_str("  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_counts_double() {
        assert_eq!(width("张三"), 4);
        assert_eq!(pad("张三", 6), "张三  ");
        assert_eq!(pad("欧阳娜娜", 5), "欧阳…");
        assert_eq!(width(&pad("欧阳娜娜", 5)), 5);
        assert_eq!(truncate("abc", 0), "");
    }

    #[test]
    fn tables_align_mixed_text() {
        let t = table(&[
            vec!["张三".into(), "13812345678".into()],
            vec!["Li".into(), "0546-8312345".into()],
        ]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(width(lines[0].split("13").next().unwrap()), width("Li    "));
        assert!(lines[1].starts_with("Li    0546"));
    }

    #[test]
    fn hazards_are_shown_as_text() {
        // OSC 52 (a clipboard write), a bell, a carriage return that would
        // overwrite the line, a C1 CSI and a right-to-left override.
        let evil = "张\x1b]52;c;ZXZpbA==\x07三\r\u{9b}2J\u{202e}x";
        let shown = visible(evil);
        assert_eq!(shown, "张\\x1b]52;c;ZXZpbA==\\x07三\\r\\x9b2J\\u{202e}x");
        assert!(shown.chars().all(|c| hazard(c).is_none()));
        assert_eq!(visible_lines("a\nb\x1b"), "a\nb\\x1b");
        assert!(matches!(visible("plain 张三 2-501"), Cow::Borrowed(_)));
        // A table never lets a cell break its line.
        let t = table(&[vec!["a\nb".into(), "c".into()]]);
        assert_eq!(t, "a\\nb  c\n");
        // JSON: the raw C1 and bidi characters become \u escapes that decode
        // to the same text.
        let j = json_visible("\"\u{9b}x\u{202e}\"\n".to_string());
        assert_eq!(j, "\"\\u009bx\\u202e\"\n");
    }
}
