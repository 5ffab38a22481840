//! Field rules for what people type or import: names, phones, rooms.

use thiserror::Error;

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
}

pub const MAX_NAME: usize = 64;
pub const MAX_TEXT: usize = 4000;

/// Trimmed, non-empty, bounded.
pub fn name(field: &'static str, s: &str) -> Result<String, FieldError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(FieldError::Empty(field));
    }
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

/// Free text: trimmed and bounded, may be empty.
pub fn text(field: &'static str, s: &str) -> Result<String, FieldError> {
    let t = s.trim();
    let len = t.chars().count();
    if len > MAX_TEXT {
        return Err(FieldError::TooLong {
            field,
            len,
            max: MAX_TEXT,
        });
    }
    Ok(t.to_string())
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

/// Splits a cell holding several phones (`138…; 0546-…`, `138…/139…`).
pub fn phones(s: &str) -> Result<Vec<String>, FieldError> {
    let s = halfwidth(s);
    s.split([';', '；', '/', '、', ',', '，'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(phone)
        .collect()
}

/// Tags from a cell: split on common separators, trimmed, no duplicates.
pub fn tags(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in s.split([';', '；', ',', '，', '、', '/', '|']) {
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
    }
}
