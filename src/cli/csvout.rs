//! `--csv FILE` and `--xlsx FILE` for every report and ledger, from one row
//! model (a header and rows of text, in the chosen language), so the two
//! files cannot drift. CSV: UTF-8 with a byte-order mark (so Excel reads
//! Chinese right), the header on the first line, one row per member or
//! entry, times in the local zone. The workbook is written by
//! [`crate::cli::xlsxout`]. Both hold personal data: written whole or not
//! at all, mode 0600.

use std::io::Write;
use std::path::Path;

use crate::cli::Fail;

/// One CSV field: quoted when it holds a separator, quote or line break; a
/// leading `=`, `+`, `-` or `@` of text (not a number) is neutralised with an
/// apostrophe so a spreadsheet never runs it as a formula.
pub fn field(s: &str) -> String {
    let formula =
        s.starts_with(['=', '+', '@']) || (s.starts_with('-') && s.parse::<f64>().is_err());
    let s = if formula {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The CSV text: BOM, header, rows, CRLF line ends (what Excel writes).
pub fn text(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::from('\u{feff}');
    for r in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let line: Vec<String> = r.iter().map(|c| field(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Where a report's rows go besides the terminal: `--csv FILE`, `--xlsx
/// FILE`, or both, written from the same header and rows.
#[derive(Clone, Copy, Default)]
pub struct Files<'a> {
    pub csv: Option<&'a Path>,
    pub xlsx: Option<&'a Path>,
    /// The workbook's sheet name.
    pub sheet: &'a str,
}

impl Files<'_> {
    pub fn any(&self) -> bool {
        self.csv.is_some() || self.xlsx.is_some()
    }

    /// Writes the rows to every file asked for; `numeric` columns are
    /// numbers in the workbook (counts a spreadsheet may sum), the rest text.
    pub fn write(
        &self,
        lang: gridbook_domain::i18n::Lang,
        header: &[String],
        rows: &[Vec<String>],
        numeric: &[usize],
    ) -> Result<(), Fail> {
        if let Some(path) = self.csv {
            write(lang, path, header, rows)?;
        }
        if let Some(path) = self.xlsx {
            crate::cli::xlsxout::write(lang, path, self.sheet, header, rows, numeric)?;
        }
        Ok(())
    }
}

/// What writing a report's file failed on, as the user sees it.
pub fn write_fail(e: gridbook_core::export::ExportError) -> Fail {
    match e {
        gridbook_core::export::ExportError::Write { path, source } => {
            crate::fail::output_fail(&path, &source)
        }
        other => Fail::input(other.to_string()),
    }
}

/// Writes the CSV to `path`, then says so on standard error.
pub fn write(
    lang: gridbook_domain::i18n::Lang,
    path: &Path,
    header: &[String],
    rows: &[Vec<String>],
) -> Result<(), Fail> {
    let body = text(header, rows);
    gridbook_core::export::write_private(path, |w| w.write_all(body.as_bytes()))
        .map_err(write_fail)?;
    crate::cli::out::note(lang.f(
        "report_cols.csv_written",
        &[&path.display().to_string(), &rows.len().to_string()],
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(field("张三"), "张三");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=1+1"), "'=1+1");
        assert_eq!(field("-3"), "-3");
        assert_eq!(field("-x"), "'-x");
        let t = text(&["名字".into()], &[vec!["x\ny".into()]]);
        assert_eq!(t, "\u{feff}名字\r\n\"x\ny\"\r\n");
    }
}
