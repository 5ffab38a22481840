//! `--xlsx FILE` for every report and ledger: the rows [`crate::cli::csvout`]
//! writes as CSV, as one sheet of a workbook (text cells stay text, the
//! header is frozen, columns fit Chinese text), with the personal-data
//! notice above the header. Written whole or not at all, mode 0600.

use std::path::Path;

use crate::cli::Fail;
use crate::cli::csvout::write_fail;
use gridbook_core::sheet::{self, Sheet};
use gridbook_domain::i18n::Lang;

/// Writes one sheet to `path`, then says so on standard error.
pub fn write(
    lang: Lang,
    path: &Path,
    name: &str,
    header: &[String],
    rows: &[Vec<String>],
    numeric: &[usize],
) -> Result<(), Fail> {
    let s = Sheet {
        name: name.to_string(),
        header: header.to_vec(),
        rows: rows.to_vec(),
        numeric: numeric.to_vec(),
    };
    sheet::write_xlsx(path, &[s], Some(gridbook_core::export::NOTICE)).map_err(write_fail)?;
    crate::cli::out::note(lang.f(
        "report_cols.csv_written",
        &[&path.display().to_string(), &rows.len().to_string()],
    ));
    Ok(())
}
