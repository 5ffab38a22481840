//! Tables as Excel workbooks: the one writer behind `export --format xlsx`,
//! `report … --xlsx` and the ledgers. Every cell is text in Excel's text
//! format (`@`) unless its column is marked numeric, so phones, room
//! numbers and ids never become numbers or dates; the header row is bold
//! and frozen; columns are as wide as their widest cell in display columns
//! (a Chinese character takes two). A notice (the personal-data notice)
//! goes in a merged row above the first sheet's header.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::export::{ExportError, write_private};
use gridbook_domain::text::width;

/// One sheet: a name (at most 31 characters in Excel), a header, rows of
/// text, and which columns hold numbers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Columns (0-based) written as numbers when a cell parses as one.
    pub numeric: Vec<usize>,
}

/// Widest a column gets, in Excel's character units.
const MAX_WIDTH: usize = 60;

/// Excel refuses these in sheet names.
fn sheet_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') {
                '_'
            } else {
                c
            }
        })
        .take(31)
        .collect();
    if clean.trim().is_empty() {
        "Sheet".into()
    } else {
        clean
    }
}

fn xlsx_err(e: XlsxError) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// The workbook's bytes.
pub fn xlsx_bytes(sheets: &[Sheet], notice: Option<&str>) -> Result<Vec<u8>, std::io::Error> {
    let mut book = Workbook::new();
    let text = Format::new().set_num_format("@");
    let bold = Format::new().set_bold().set_num_format("@");
    let wrap = Format::new().set_text_wrap();
    for (si, s) in sheets.iter().enumerate() {
        let ws = book.add_worksheet();
        ws.set_name(sheet_name(&s.name)).map_err(xlsx_err)?;
        let cols = s
            .rows
            .iter()
            .map(Vec::len)
            .chain(std::iter::once(s.header.len()))
            .max()
            .unwrap_or(0);
        let mut top: u32 = 0;
        if si == 0
            && let Some(n) = notice
        {
            let last = cols.saturating_sub(1) as u16;
            if last > 0 {
                ws.merge_range(0, 0, 0, last, n, &wrap).map_err(xlsx_err)?;
            } else {
                ws.write_string_with_format(0, 0, n, &wrap)
                    .map_err(xlsx_err)?;
            }
            // Tall enough for the notice to wrap onto a few lines.
            ws.set_row_height(0, 45).map_err(xlsx_err)?;
            top = 1;
        }
        let mut widths = vec![4usize; cols];
        for (c, h) in s.header.iter().enumerate() {
            ws.write_string_with_format(top, c as u16, h, &bold)
                .map_err(xlsx_err)?;
            widths[c] = widths[c].max(width(h));
        }
        for (r, row) in s.rows.iter().enumerate() {
            let at = top + 1 + r as u32;
            for (c, cell) in row.iter().enumerate() {
                let number = s
                    .numeric
                    .contains(&c)
                    .then(|| cell.parse::<f64>().ok())
                    .flatten()
                    .filter(|n| n.is_finite());
                match number {
                    Some(n) => ws.write_number(at, c as u16, n),
                    None => ws.write_string_with_format(at, c as u16, cell, &text),
                }
                .map_err(xlsx_err)?;
                let w = cell.lines().map(width).max().unwrap_or(0);
                widths[c] = widths[c].max(w);
            }
        }
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, (*w).min(MAX_WIDTH) as f64 + 2.0)
                .map_err(xlsx_err)?;
        }
        ws.set_freeze_panes(top + 1, 0).map_err(xlsx_err)?;
    }
    book.save_to_buffer().map_err(xlsx_err)
}

/// Writes the workbook to `path` whole or not at all, mode 0600.
pub fn write_xlsx(path: &Path, sheets: &[Sheet], notice: Option<&str>) -> Result<(), ExportError> {
    let bytes = xlsx_bytes(sheets, notice).map_err(|source| ExportError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    write_private(path, |w| std::io::Write::write_all(w, &bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_what_excel_takes() {
        assert_eq!(sheet_name("a/b"), "a_b");
        assert_eq!(sheet_name(""), "Sheet");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
    }
}
