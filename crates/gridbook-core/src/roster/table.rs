//! A file's rows as cells, whatever it was: CSV text (UTF-8 or GB18030) or
//! an Excel/OpenDocument workbook's sheet. The importers read rows from
//! here; where a cell is reported (`file:line: column N`, or `sheet!F12`)
//! is decided here too.

use std::path::Path;

use calamine::{Data, Reader};
use gridbook_domain::i18n::Lang;

use super::{Reason, RosterError, RowError, decode_text, record_line};

/// One cell as the file holds it.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    /// A number cell of a workbook (Excel stores phones and rooms typed
    /// without a leading `'` as numbers).
    Number(f64),
    /// A date cell of a workbook.
    Date(jiff::civil::Date),
}

impl Cell {
    /// The cell as text, numbers without a needless `.0`.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(n) => number_text(*n),
            Cell::Date(d) => d.to_string(),
        }
    }
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// One row: its physical line (CSV) or row number (sheet), and its cells,
/// or why it could not be read.
#[derive(Clone, Debug)]
pub struct Record {
    pub line: u64,
    pub cells: Result<Vec<Cell>, Reason>,
    /// The cell (0-based) a read error is in, when it is in one.
    pub column: Option<usize>,
}

/// A file's rows.
#[derive(Clone, Debug)]
pub struct Table {
    pub file: String,
    /// The sheet, for workbooks: errors then say `sheet!F12`.
    pub sheet: Option<String>,
    /// `UTF-8`, `GB18030`, … or `xlsx` for workbooks.
    pub encoding: &'static str,
    /// Column number (0-based) of the first cell of each row.
    pub first_column: usize,
    pub records: Vec<Record>,
}

impl Table {
    /// An error about one row, and a cell of it when `column` (0-based index
    /// into the row's cells) is given with its header.
    pub fn error(
        &self,
        line: u64,
        column: Option<(usize, &str)>,
        reason: impl Into<Reason>,
    ) -> RowError {
        let reason = reason.into();
        RowError {
            file: self.file.clone(),
            sheet: self.sheet.as_deref().map(Box::from),
            line,
            column: column.map(|(i, h)| (i + 1 + self.first_column, h.to_string())),
            reason: reason.en,
            reason_zh: reason.zh.map(String::into_boxed_str),
        }
    }
}

impl Table {
    /// Where a row is, for a message about the whole row: `file:12`, or
    /// `sheet!12` in a workbook.
    pub fn at(&self, line: u64) -> String {
        match &self.sheet {
            Some(sheet) => format!("{sheet}!{line}"),
            None => format!("{}:{line}", self.file),
        }
    }
}

/// Whether a path names a workbook rather than CSV text.
pub fn is_workbook(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "xlsx" | "xlsm" | "xls" | "xlsb" | "ods"
        )
    })
}

/// CSV bytes as rows.
pub fn csv(file: &str, bytes: &[u8]) -> Result<Table, RosterError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(RosterError::Utf16 {
            file: file.to_string(),
        });
    }
    let (text, encoding) = decode_text(bytes).map_err(|b| b.error(file))?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    for rec in rdr.records() {
        records.push(match rec {
            Ok(r) => Record {
                line: record_line(&text, r.position()),
                cells: Ok(r.iter().map(|c| Cell::Text(c.to_string())).collect()),
                column: None,
            },
            Err(e) => Record {
                line: record_line(&text, e.position()).max(1),
                cells: Err(Reason::of("not_csv", &[&e.to_string()])),
                column: None,
            },
        });
    }
    // The csv reader takes a quote that is never closed as a cell running to
    // the end of the file, swallowing every row after it without a word.
    if let Some(open) = unclosed_quote(&text)
        && let Some(last) = records.last_mut()
    {
        let lines = text.trim_end_matches(['\r', '\n']).lines().count() as u64;
        last.line = open.line;
        last.column = Some(open.field);
        last.cells = Err(if lines > open.line {
            Reason::of(
                "open_quote_lines",
                &[&open.line.to_string(), &lines.to_string()],
            )
        } else {
            Reason::of("open_quote", &[])
        });
    }
    Ok(Table {
        file: file.to_string(),
        sheet: None,
        encoding,
        first_column: 0,
        records,
    })
}

/// Where a quoted cell opened that the text never closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct OpenQuote {
    /// 1-based physical line of the opening quote.
    line: u64,
    /// 0-based cell of its row.
    field: usize,
}

/// The quoted cell left open at the end of `text`, if any, read the way the
/// csv reader reads it (comma, `"` quotes doubled inside, any of `\r`,
/// `\n`, `\r\n` ending a row): a quote opens a cell only at its start; in
/// the middle of a cell it is a plain character.
fn unclosed_quote(text: &str) -> Option<OpenQuote> {
    #[derive(PartialEq)]
    enum S {
        Start,
        Plain,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = S::Start;
    let (mut line, mut field) = (1u64, 0usize);
    let mut open = OpenQuote { line: 1, field: 0 };
    for b in text.bytes() {
        state = match (state, b) {
            (S::Quoted, b'"') => S::QuoteInQuoted,
            (S::Quoted, _) => S::Quoted,
            (S::Start, b'"') => {
                open = OpenQuote { line, field };
                S::Quoted
            }
            // `""` inside a quoted cell is one quote.
            (S::QuoteInQuoted, b'"') => S::Quoted,
            (_, b',') => {
                field += 1;
                S::Start
            }
            (_, b'\r' | b'\n') => {
                field = 0;
                S::Start
            }
            _ => S::Plain,
        };
        if b == b'\n' {
            line += 1;
        }
    }
    (state == S::Quoted).then_some(open)
}

/// A workbook's sheet (`sheet`, else the first) as rows.
pub fn workbook(path: &Path, sheet: Option<&str>) -> Result<Table, RosterError> {
    let file = path.display().to_string();
    let bad = |reason: Reason| RosterError::Workbook {
        file: file.clone(),
        reason,
    };
    let mut book = calamine::open_workbook_auto(path).map_err(|e| match e {
        calamine::Error::Io(source) => RosterError::Read {
            file: file.clone(),
            source,
        },
        e => bad(Reason::of("not_workbook", &[&e.to_string()])),
    })?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.trim() == s.trim())
            .cloned()
            .ok_or_else(|| {
                bad(Reason::said(|lang| {
                    let sep = if lang == Lang::Zh { "、" } else { ", " };
                    lang.f("import_cli.row.no_sheet", &[s, &names.join(sep)])
                }))
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| bad(Reason::of("no_sheets", &[])))?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| bad(Reason::of("bad_sheet", &[&name, &e.to_string()])))?;
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let records = range
        .rows()
        .enumerate()
        .map(|(i, row)| Record {
            line: row0 as u64 + i as u64 + 1,
            cells: Ok(row.iter().map(cell).collect()),
            column: None,
        })
        .collect();
    let encoding = match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("ods") => "ods",
        Some(e) if e.eq_ignore_ascii_case("xls") => "xls",
        _ => "xlsx",
    };
    Ok(Table {
        file,
        sheet: Some(name),
        encoding,
        first_column: col0 as usize,
        records,
    })
}

fn cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Text(String::new()),
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DateTime(dt) if dt.is_datetime() => {
            serial_date(dt.as_f64()).map_or(Cell::Number(dt.as_f64()), Cell::Date)
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::DateTimeIso(s) => jiff::civil::Date::strptime("%Y-%m-%d", s.get(..10).unwrap_or(s))
            .map_or_else(|_| Cell::Text(s.clone()), Cell::Date),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Text(format!("#{e:?}")),
    }
}

/// An Excel serial day number (1900 system) as a date.
pub fn serial_date(serial: f64) -> Option<jiff::civil::Date> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    // Excel counts a 29 February 1900 that never was; 1899-12-30 as day 0
    // is right from 1 March 1900 on.
    jiff::civil::date(1899, 12, 30)
        .checked_add(jiff::Span::new().days(serial.floor() as i64))
        .ok()
}

/// A phone cell: text as typed, or a number Excel made of it. A number is
/// taken when it still holds every digit; one shown in scientific notation,
/// or a landline that lost its leading zero, is refused with what to do.
pub fn phone_text(c: &Cell) -> Result<String, Reason> {
    let lost = |shown: &str| Reason::of("phone_lost_digits", &[shown]);
    let digits = match c {
        Cell::Text(s) => {
            let s = s.trim();
            let upper = s.to_ascii_uppercase();
            if let Some((m, e)) = upper.split_once("E+")
                && !m.is_empty()
                && m.chars().all(|c| c.is_ascii_digit() || c == '.')
                && !e.is_empty()
                && e.chars().all(|c| c.is_ascii_digit())
            {
                return Err(lost(s));
            }
            // `13805461234.0`: a number written out by a program.
            match s.split_once('.') {
                Some((i, f))
                    if !i.is_empty()
                        && i.chars().all(|c| c.is_ascii_digit())
                        && !f.is_empty()
                        && f.chars().all(|c| c == '0') =>
                {
                    i.to_string()
                }
                _ => s.to_string(),
            }
        }
        Cell::Number(n) => {
            if n.fract() != 0.0 || *n < 0.0 || *n >= 1e15 {
                return Err(lost(&format!("{n}")));
            }
            format!("{}", *n as i64)
        }
        Cell::Date(d) => return Err(Reason::of("phone_is_date", &[&d.to_string()])),
    };
    // A landline stored as a number loses its leading 0: `5468312345`.
    if (9..=11).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with(['0', '1'])
    {
        return Err(Reason::of("phone_lost_zero", &[&digits, &digits]));
    }
    Ok(digits)
}

/// `F` for column 6, `AA` for 27.
pub fn column_letters(n: usize) -> String {
    let mut n = n;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}
