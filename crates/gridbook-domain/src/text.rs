//! Display width for mixed CJK and Latin text: Chinese characters take two
//! terminal columns, so tables pad by width, never by `char` count.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

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
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(width(c));
        }
    }
    let mut out = String::new();
    for r in rows {
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
}
