//! Wrapping text to a pane by display width. ratatui 0.30's `Paragraph`
//! word wrap lets a line that ends in a wide character run one cell past
//! its area, and breaks Chinese only at spaces; every pane pre-wraps here
//! instead. Breaks follow the Unicode line-breaking rules (UAX #14, through
//! `textwrap`): between Chinese characters, never before `，` or `。`, and
//! at spaces in other scripts. No line returned is wider than `width`.

use std::borrow::Cow;

use ratatui::text::{Line, Span};

use gridbook_domain::text::{truncate, width as cells};

fn options(width: usize) -> textwrap::Options<'static> {
    textwrap::Options::new(width)
        .word_separator(textwrap::WordSeparator::UnicodeBreakProperties)
        // UAX #14 already keeps `2026-07-01` and `2-501` whole; textwrap's
        // own hyphen splitting would break them.
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .break_words(true)
}

/// Joins a short phrase (`364 days ago`, `364 天前`) so that wrapping
/// keeps it on one line; [`lines`] shows it as it was.
pub fn glued(phrase: &str) -> String {
    let mut out = String::with_capacity(phrase.len() * 2);
    for (i, c) in phrase.chars().enumerate() {
        if i > 0 {
            out.push(JOINER);
        }
        out.push(if c == ' ' { GLUE } else { c });
    }
    out
}

/// A no-break space, and a word joiner (no width) between the other
/// characters: UAX #14 allows no break on either side of them.
const GLUE: char = '\u{a0}';
const JOINER: char = '\u{2060}';

/// `line` with every [`GLUE`] shown as a space and the joiners gone.
fn unglued(mut line: Line<'static>) -> Line<'static> {
    for span in &mut line.spans {
        if span.content.contains([GLUE, JOINER]) {
            let shown = span
                .content
                .chars()
                .filter(|c| *c != JOINER)
                .map(|c| if c == GLUE { ' ' } else { c })
                .collect();
            span.content = Cow::Owned(shown);
        }
    }
    line
}

/// Styled lines wrapped to `width` cells, each span keeping its style.
pub fn lines(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    let mut out = wrapped(lines, width);
    for line in &mut out {
        *line = unglued(std::mem::take(line));
    }
    out
}

fn wrapped(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    if width == 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for line in lines {
        if line.width() <= width {
            out.push(line);
            continue;
        }
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        // Where each span's text lies in `text`.
        let mut ranges = Vec::with_capacity(line.spans.len());
        let mut at = 0;
        for s in &line.spans {
            ranges.push((at, at + s.content.len(), s.style));
            at += s.content.len();
        }
        for piece in textwrap::wrap(&text, options(width)) {
            let piece_text = piece.as_ref();
            let start = match &piece {
                // Unindented wrapping hands back slices of `text`.
                Cow::Borrowed(p) => p.as_ptr() as usize - text.as_ptr() as usize,
                Cow::Owned(_) => {
                    let style = ranges.first().map(|r| r.2).unwrap_or_default();
                    out.push(Line::styled(truncate(piece_text, width), style).style(line.style));
                    continue;
                }
            };
            let end = start + piece_text.len();
            let mut spans = Vec::new();
            let mut used = 0;
            for &(a, b, style) in &ranges {
                let (a, b) = (a.max(start), b.min(end));
                if a >= b {
                    continue;
                }
                let room = width.saturating_sub(used);
                let part = truncate(&text[a..b], room);
                used += cells(&part);
                spans.push(Span::styled(part, style));
            }
            out.push(Line::from(spans).style(line.style));
        }
    }
    out
}

/// The first `height` of `lines`, each at most `width` cells; when some
/// are left out the last one shown ends with `…`, so a pane cut short says
/// there is more rather than stopping mid-sentence.
pub fn fit(mut lines: Vec<Line<'static>>, height: usize, width: usize) -> Vec<Line<'static>> {
    if lines.len() <= height {
        return lines;
    }
    lines.truncate(height);
    let Some(last) = lines.last_mut() else {
        return lines;
    };
    let room = width.saturating_sub(1);
    let mut used = 0;
    let mut spans = Vec::new();
    for s in std::mem::take(&mut last.spans) {
        let mut part = String::new();
        for c in s.content.chars() {
            let w = cells(c.encode_utf8(&mut [0; 4]));
            if used + w > room {
                break;
            }
            part.push(c);
            used += w;
        }
        let cut = part.len() < s.content.len();
        spans.push(Span::styled(part, s.style));
        if cut {
            break;
        }
    }
    let style = spans.last().map(|s| s.style).unwrap_or_default();
    spans.push(Span::styled("…", style));
    last.spans = spans;
    lines
}

/// `text` (which may hold line breaks) as lines of at most `width` cells.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    if width == 0 {
        return Vec::new();
    }
    let opts = options(width);
    let mut out = Vec::new();
    for para in text.split('\n') {
        if para.trim().is_empty() {
            out.push(String::new());
            continue;
        }
        for line in textwrap::wrap(para, &opts) {
            // A character wider than the pane itself cannot fit at all.
            let line = line.trim_end();
            if cells(line) > width {
                out.push(truncate(line, width));
            } else {
                out.push(line.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Style};

    #[test]
    fn styled_lines_wrap_with_their_styles() {
        let dim = Style::new().fg(Color::DarkGray);
        let line = Line::from(vec![
            Span::styled("2026-12-01 ", dim),
            Span::raw("problem reported [other]: 其他诉求楼道灯坏了"),
        ]);
        for w in 5..50 {
            let out = lines(vec![line.clone()], w);
            assert!(out.iter().all(|l| l.width() <= w), "{w}: {out:?}");
            let text: String = out
                .iter()
                .flat_map(|l| l.spans.iter().map(|s| s.content.to_string()))
                .collect::<String>()
                .split_whitespace()
                .collect();
            assert_eq!(text, "2026-12-01problemreported[other]:其他诉求楼道灯坏了");
        }
        let out = lines(vec![line], 12);
        assert_eq!(out[0].spans[0].style, dim);
    }

    #[test]
    fn a_glued_phrase_moves_to_the_next_line_whole_and_shows_its_spaces() {
        for (text, age) in [
            ("  [safety] 消防通道被占用 ", "· 364 days ago"),
            ("  [安全隐患] 消防通道被占用 ", "· 364 天前"),
        ] {
            for w in 16..40 {
                let out = lines(vec![Line::raw(format!("{text}{}", glued(age)))], w);
                let shown: Vec<String> = out.iter().map(|l| l.to_string()).collect();
                assert!(
                    shown.iter().any(|l| l.contains(age)),
                    "{w}: {shown:?} keeps {age:?} on one line"
                );
                assert!(
                    shown.iter().all(|l| !l.contains([GLUE, JOINER])),
                    "{w}: {shown:?}"
                );
                assert!(out.iter().all(|l| l.width() <= w), "{w}: {shown:?}");
            }
        }
    }

    #[test]
    fn no_line_is_wider_than_the_pane_and_nothing_is_lost() {
        let text = "2026-12-01 problem reported [other]: 其他诉求，楼道灯坏了三天还没人修。";
        for w in 4..60 {
            let lines = wrap(text, w);
            for l in &lines {
                assert!(cells(l) <= w, "{w}: `{l}` is {} wide", cells(l));
            }
            let joined: String = lines.concat().split_whitespace().collect();
            let want: String = text.split_whitespace().collect();
            assert_eq!(joined, want, "at {w}");
        }
    }

    #[test]
    fn lines_left_out_mark_the_last_one_shown() {
        let text = |l: &Line| {
            l.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
        };
        let four: Vec<Line<'static>> = ["最近记录：", "一二三四五", "x", "y"]
            .into_iter()
            .map(Line::from)
            .collect();
        // Everything fits: nothing marked.
        assert_eq!(fit(four.clone(), 4, 10).len(), 4);
        assert_eq!(text(&fit(four.clone(), 4, 10)[3]), "y");
        // Cut: the last line shown ends with `…`, within the width.
        let cut = fit(four.clone(), 2, 10);
        assert_eq!(cut.len(), 2);
        assert_eq!(text(&cut[1]), "一二三四…");
        assert!(cut[1].width() <= 10);
        assert_eq!(text(&fit(four, 1, 12)[0]), "最近记录：…");
    }

    #[test]
    fn chinese_breaks_between_characters_not_only_at_spaces() {
        assert_eq!(wrap("独居老人行动不便", 8), vec!["独居老人", "行动不便"]);
        // Closing punctuation stays with the character before it.
        let lines = wrap("已上门，已处理", 6);
        assert!(lines.iter().all(|l| !l.starts_with('，')), "{lines:?}");
        assert_eq!(wrap("a\n\nb", 5), vec!["a", "", "b"]);
        // Dates and rooms stay whole where they fit.
        assert_eq!(
            wrap("since 2026-07-01 at 2-501", 12),
            vec!["since", "2026-07-01", "at 2-501"]
        );
    }
}
