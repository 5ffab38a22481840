//! Field rules for what people type or import: names, phones, rooms, and
//! the characters text may hold. Every input boundary (forms, the command
//! line, roster and members CSV, JSON import) uses these, so a file cannot
//! carry an escape sequence into the store and from there to a terminal.

use thiserror::Error;

use crate::i18n::Lang;
use crate::model::Ts;
use crate::text::{hazard, is_line_break};

#[derive(Debug, Error, PartialEq, Eq, Clone)]
pub enum FieldError {
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error(
        "`{0}` is not a phone number: expected a mobile (11 digits starting with 1) or a landline with area code such as 0546-8312345"
    )]
    Phone(String),
    #[error("{field} is too long ({len} characters, at most {max})")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    /// A line break in a field that holds one line (a name, a phone, a room).
    #[error("{field} must be one line: there is a line break ({what}) at character {at}")]
    LineBreak {
        field: &'static str,
        at: usize,
        what: &'static str,
    },
    /// A control character (ESC, BEL, NUL …) or an invisible mark that
    /// reorders text: it could drive a terminal that shows the field.
    #[error(
        "{field} contains a control character ({what}, U+{code:04X}) at character {at}; remove it"
    )]
    Control {
        field: &'static str,
        at: usize,
        what: &'static str,
        code: u32,
    },
    /// An entry's time outside the years an entry can have.
    #[error("{field} {shown} is outside the years 1970 to 9999 an entry can be dated in")]
    Time { field: &'static str, shown: String },
    /// An entry's time more than [`AHEAD_MS`] after now.
    #[error("{field} {shown} is more than an hour ahead of now; an entry records what happened")]
    Ahead { field: &'static str, shown: String },
}

impl FieldError {
    /// The message in `lang`: English is the `Display`; Chinese comes from
    /// the catalogs' `[contacts.err]`, the field named by `[contacts.word]`.
    pub fn text(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        let z = |key: &str, args: &[&str]| lang.f(&format!("contacts.err.{key}"), args);
        match self {
            FieldError::Empty(f) => z("empty", &[&word(lang, f)]),
            FieldError::Phone(p) => z("phone", &[p]),
            FieldError::TooLong { field, len, max } => z(
                "too_long",
                &[&word(lang, field), &len.to_string(), &max.to_string()],
            ),
            FieldError::LineBreak { field, at, what } => {
                z("line_break", &[&word(lang, field), &at.to_string(), what])
            }
            FieldError::Control {
                field,
                at,
                what,
                code,
            } => z(
                "control",
                &[
                    &word(lang, field),
                    &at.to_string(),
                    what,
                    &format!("U+{code:04X}"),
                ],
            ),
            FieldError::Time { field, shown } => z("time", &[&word(lang, field), shown]),
            FieldError::Ahead { field, shown } => z("ahead", &[&word(lang, field), shown]),
        }
    }

    /// The same error about a field called `name` (an importer's column
    /// as the file's language names it).
    pub fn named(self, name: &'static str) -> FieldError {
        match self {
            FieldError::Empty(_) => FieldError::Empty(name),
            FieldError::Phone(p) => FieldError::Phone(p),
            FieldError::TooLong { len, max, .. } => FieldError::TooLong {
                field: name,
                len,
                max,
            },
            FieldError::LineBreak { at, what, .. } => FieldError::LineBreak {
                field: name,
                at,
                what,
            },
            FieldError::Control { at, what, code, .. } => FieldError::Control {
                field: name,
                at,
                what,
                code,
            },
            FieldError::Time { shown, .. } => FieldError::Time { field: name, shown },
            FieldError::Ahead { shown, .. } => FieldError::Ahead { field: name, shown },
        }
    }
}

/// A field's name (`room`, `phone`) in `lang` when the catalog knows it.
pub fn word(lang: Lang, w: &str) -> String {
    let key = format!("contacts.word.{w}");
    match lang.t(&key) {
        t if t == key => w.to_string(),
        t => t.to_string(),
    }
}

/// How many line breaks a field may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    /// A name, a phone, an address part: no line break, no tab.
    One,
    /// A list cell (phones, tags, zones): line breaks separate the items.
    List,
    /// Notes: line breaks and tabs are part of the text.
    Many,
}

/// Checks that `s` holds no character that could drive a terminal or hide
/// text ([`hazard`]), allowing only the line breaks (and, in notes, tabs)
/// that `lines` allows. Leading and trailing whitespace is ignored, as the
/// field rules trim it; `at` counts characters of `s` from 1.
///
/// ```
/// use gridbook_domain::validate::{check_chars, Lines};
/// assert!(check_chars("name", "张三", Lines::One).is_ok());
/// assert!(check_chars("name", " 张三\n", Lines::One).is_ok());
/// assert!(check_chars("name", "张\n三", Lines::One).is_err());
/// assert!(check_chars("notes", "腿脚不便\n需要扶手", Lines::Many).is_ok());
/// assert!(check_chars("notes", "\x1b]52;c;eA==\x07", Lines::Many).is_err());
/// ```
pub fn check_chars(field: &'static str, s: &str, lines: Lines) -> Result<(), FieldError> {
    let t = s.trim();
    if !t.chars().any(|c| hazard(c).is_some()) {
        return Ok(());
    }
    let lead = s[..s.len() - s.trim_start().len()].chars().count();
    for (i, c) in t.chars().enumerate() {
        let Some(what) = hazard(c) else { continue };
        let at = lead + i + 1;
        let allowed = match lines {
            Lines::One => false,
            Lines::List => matches!(c, '\n' | '\r'),
            Lines::Many => matches!(c, '\n' | '\r' | '\t'),
        };
        if allowed {
            continue;
        }
        if lines == Lines::One && is_line_break(c) {
            return Err(FieldError::LineBreak { field, at, what });
        }
        return Err(FieldError::Control {
            field,
            at,
            what,
            code: c as u32,
        });
    }
    Ok(())
}

/// The first instant an entry may have: 1970-01-01 00:00 UTC.
pub const FIRST_ENTRY: Ts = Ts(0);
/// The first instant an entry may no longer have: 10000-01-01 00:00 UTC.
pub const AFTER_LAST_ENTRY: Ts = Ts(253_402_300_800_000);

/// An entry's time (a visit, a problem, a patrol, a responsibility span)
/// lies in the years 1970 to 9999. Birth dates are not entry times.
pub fn entry_time(field: &'static str, t: Ts) -> Result<Ts, FieldError> {
    if (FIRST_ENTRY..AFTER_LAST_ENTRY).contains(&t) {
        return Ok(t);
    }
    let shown = jiff::Timestamp::from_millisecond(t.0)
        .map(|j| j.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| format!("({} ms from 1970)", t.0));
    Err(FieldError::Time { field, shown })
}

/// How far ahead of now an entry may be dated: clocks drift a little, and
/// an entry records what happened.
pub const AHEAD_MS: i64 = 3_600_000;

/// The one rule for an entry's time (a visit, problem, step, patrol,
/// activity, responsibility span or correction), for every way in (forms,
/// command line, imports through the operations): within the years 1970 to
/// 9999 and not more than an hour after `now`.
pub fn entry_at(field: &'static str, t: Ts, now: Ts) -> Result<Ts, FieldError> {
    entry_time(field, t)?;
    if t.0 > now.0.saturating_add(AHEAD_MS) {
        let shown = jiff::Timestamp::from_millisecond(t.0)
            .map(|j| j.strftime("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default();
        return Err(FieldError::Ahead { field, shown });
    }
    Ok(t)
}

pub const MAX_NAME: usize = 64;
pub const MAX_TEXT: usize = 4000;

/// Trimmed, non-empty, bounded, one line of printable text.
pub fn name(field: &'static str, s: &str) -> Result<String, FieldError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(FieldError::Empty(field));
    }
    check_chars(field, s, Lines::One)?;
    let len = t.chars().count();
    if len > MAX_NAME {
        return Err(FieldError::TooLong {
            field,
            len,
            max: MAX_NAME,
        });
    }
    Ok(t.to_string())
}

/// Free text: trimmed and bounded, may be empty; lines end in `\n` (a
/// `\r\n` or a lone `\r` from another system becomes `\n`), tabs stay, and
/// nothing else that is not printable gets in.
pub fn text(field: &'static str, s: &str) -> Result<String, FieldError> {
    check_chars(field, s, Lines::Many)?;
    let t = s.trim();
    let t = if t.contains('\r') {
        t.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        t.to_string()
    };
    let len = t.chars().count();
    if len > MAX_TEXT {
        return Err(FieldError::TooLong {
            field,
            len,
            max: MAX_TEXT,
        });
    }
    Ok(t)
}

/// Full-width digits and dashes (from Excel or Chinese input methods) to ASCII.
pub fn halfwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '－' | '—' | '–' | '‐' => '-',
            '＋' => '+',
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// Normalise and check a Chinese phone number.
///
/// Mobiles become 11 bare digits (`138 1234 5678`, `138-1234-5678` and
/// `+86 13812345678` are all accepted); landlines keep one dash after the area
/// code (`0546-8312345`).
///
/// ```
/// use gridbook_domain::validate::phone;
/// assert_eq!(phone("１３８ 1234-5678").unwrap(), "13812345678");
/// assert_eq!(phone("05468312345").unwrap(), "0546-8312345");
/// assert!(phone("12345").is_err());
/// ```
pub fn phone(s: &str) -> Result<String, FieldError> {
    check_chars("phone", s, Lines::One)?;
    let raw = halfwidth(s.trim());
    let bad = || FieldError::Phone(s.trim().to_string());
    if raw.is_empty() {
        return Err(FieldError::Empty("phone"));
    }
    if raw
        .chars()
        .any(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')')))
    {
        return Err(bad());
    }
    let mut digits: String = raw.chars().filter(|c| c.is_ascii_digit()).collect();
    if raw.starts_with('+') {
        digits = digits.strip_prefix("86").ok_or_else(bad)?.to_string();
    }
    if digits.len() == 11 && digits.starts_with('1') && !raw.starts_with('0') {
        return Ok(digits);
    }
    if digits.starts_with('0') {
        // Area codes are 3 digits for the big cities (010, 02x) and 4 elsewhere.
        let code_len = if digits.starts_with("01") || digits.starts_with("02") {
            3
        } else {
            4
        };
        // Respect an explicit dash position when given.
        let (code, local) = match raw.split_once(['-', ' ', ')']) {
            Some((c, l)) => {
                let c: String = c.chars().filter(|c| c.is_ascii_digit()).collect();
                let l: String = l.chars().filter(|c| c.is_ascii_digit()).collect();
                (c, l)
            }
            None => (
                digits[..code_len.min(digits.len())].to_string(),
                digits[code_len.min(digits.len())..].to_string(),
            ),
        };
        if (3..=4).contains(&code.len()) && code.starts_with('0') && (7..=8).contains(&local.len())
        {
            return Ok(format!("{code}-{local}"));
        }
    }
    Err(bad())
}

/// Splits a cell holding several phones (`138…; 0546-…`, `138…/139…`, one
/// per line).
pub fn phones(s: &str) -> Result<Vec<String>, FieldError> {
    check_chars("phone", s, Lines::List)?;
    let s = halfwidth(s);
    s.split([';', '；', '/', '、', ',', '，', '\n', '\r'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(phone)
        .collect()
}

/// Tags from a cell: split on common separators (a line break too),
/// trimmed, no duplicates. [`check_chars`] with [`Lines::List`] says whether
/// the cell may be taken at all.
pub fn tags(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in s.split([';', '；', ',', '，', '、', '/', '|', '\n', '\r']) {
        let t = t.trim();
        if !t.is_empty() && !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_are_normalised() {
        assert_eq!(phone("13812345678").unwrap(), "13812345678");
        assert_eq!(phone("138 1234 5678").unwrap(), "13812345678");
        assert_eq!(phone("138-1234-5678").unwrap(), "13812345678");
        assert_eq!(phone("１３８１２３４５６７８").unwrap(), "13812345678");
        assert_eq!(phone("+86 138 1234 5678").unwrap(), "13812345678");
    }

    #[test]
    fn landlines_keep_area_code() {
        assert_eq!(phone("0546-8312345").unwrap(), "0546-8312345");
        assert_eq!(phone("05468312345").unwrap(), "0546-8312345");
        assert_eq!(phone("010-12345678").unwrap(), "010-12345678");
        assert_eq!(phone("(0546)8312345").unwrap(), "0546-8312345");
    }

    #[test]
    fn bad_phones_are_rejected() {
        for bad in [
            "1381234567",
            "23812345678",
            "abc",
            "138123456789",
            "8312345",
            "+1 4155550100",
        ] {
            assert!(phone(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(phone("  "), Err(FieldError::Empty("phone")));
    }

    #[test]
    fn names_are_trimmed_and_required() {
        assert_eq!(name("name", "  张三 ").unwrap(), "张三");
        assert_eq!(name("name", " "), Err(FieldError::Empty("name")));
        assert!(name("name", &"长".repeat(65)).is_err());
    }

    #[test]
    fn cells_split_into_lists() {
        assert_eq!(
            phones("13812345678；0546-8312345").unwrap(),
            vec!["13812345678", "0546-8312345"]
        );
        assert_eq!(tags("流动、协解, 流动"), vec!["流动", "协解"]);
        assert_eq!(tags("流动\r\n协解"), vec!["流动", "协解"]);
        assert_eq!(
            phones("13812345678\n0546-8312345").unwrap(),
            vec!["13812345678", "0546-8312345"]
        );
    }

    #[test]
    fn control_characters_are_refused_where_they_could_reach_a_terminal() {
        let osc52 = "张三\x1b]52;c;ZXZpbA==\x07";
        assert_eq!(
            name("name", osc52),
            Err(FieldError::Control {
                field: "name",
                at: 3,
                what: "ESC",
                code: 0x1b
            })
        );
        assert_eq!(
            name("name", "张\n三"),
            Err(FieldError::LineBreak {
                field: "name",
                at: 2,
                what: "LF"
            })
        );
        // Positions count from the start of what was given, spaces included.
        assert_eq!(
            check_chars("room", "  5\u{7}01", Lines::One),
            Err(FieldError::Control {
                field: "room",
                at: 4,
                what: "BEL",
                code: 7
            })
        );
        for c in ['\0', '\u{9b}', '\u{202e}', '\t', '\u{2028}', '\u{7f}'] {
            assert!(name("name", &format!("张{c}三")).is_err(), "{c:?} accepted");
            assert!(phone(&format!("138{c}12345678")).is_err(), "{c:?} accepted");
        }
        // A phone with an escape is refused for the escape, not echoed back.
        assert!(matches!(
            phone("138\x1b[2J12345678"),
            Err(FieldError::Control { .. })
        ));
        // Notes keep their lines and tabs; a CR LF from Windows becomes LF.
        assert_eq!(
            text("notes", "腿脚不便\r\n\t需要扶手\r").unwrap(),
            "腿脚不便\n\t需要扶手"
        );
        assert!(text("notes", "腿脚\x07不便").is_err());
        assert!(text("notes", "腿脚\u{85}不便").is_err());
        // A list cell may hold line breaks between items, nothing else.
        assert!(check_chars("tags", "独居老人\n低保", Lines::List).is_ok());
        assert!(check_chars("tags", "独居老人\t低保", Lines::List).is_err());
    }

    #[test]
    fn entry_times_are_not_more_than_an_hour_ahead() {
        let now = Ts(1_764_300_000_000);
        assert!(entry_at("at", now, now).is_ok());
        assert!(entry_at("at", Ts(now.0 + AHEAD_MS), now).is_ok());
        let e = entry_at("at", Ts(now.0 + AHEAD_MS + 1), now).unwrap_err();
        assert!(e.to_string().contains("more than an hour ahead"), "{e}");
        assert!(matches!(
            entry_at("at", Ts(-1), now),
            Err(FieldError::Time { .. })
        ));
        assert!(entry_at("at", Ts(i64::MAX), Ts(i64::MAX)).is_err());
    }

    #[test]
    fn entry_times_lie_in_1970_to_9999() {
        assert!(entry_time("at", Ts(0)).is_ok());
        assert!(entry_time("at", Ts(253_402_300_799_999)).is_ok());
        let before = entry_time("at", Ts(-1)).unwrap_err();
        assert_eq!(
            before.to_string(),
            "at 1969-12-31 23:59 UTC is outside the years 1970 to 9999 an entry can be dated in"
        );
        assert!(entry_time("at", AFTER_LAST_ENTRY).is_err());
        assert!(entry_time("at", Ts(i64::MAX)).is_err());
        assert!(entry_time("at", Ts(i64::MIN)).is_err());
    }
}
