//! The household roster a community office hands out: a CSV saved from Excel
//! (UTF-8 with or without BOM, or GB18030), one row per resident, columns by
//! English or Chinese header. Parsing checks every row; importing is all rows
//! or none (unless the caller skips invalid rows) and never duplicates.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use serde::Serialize;
use thiserror::Error;

use crate::ops::{Ctx, ResidentInput};
use gridbook_domain::model::*;
use gridbook_domain::romanize;
use gridbook_domain::validate::{self, Lines, halfwidth};
use gridbook_store::store::{Store, StoreError, Writes};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Col {
    Area,
    Building,
    Unit,
    Room,
    Name,
    Phone,
    Relation,
    Tags,
    Notes,
}

impl Col {
    pub const ALL: [Col; 9] = [
        Col::Area,
        Col::Building,
        Col::Unit,
        Col::Room,
        Col::Name,
        Col::Phone,
        Col::Relation,
        Col::Tags,
        Col::Notes,
    ];
    /// The header written on export (the import's own English names).
    pub fn header(self) -> &'static str {
        match self {
            Col::Area => "area",
            Col::Building => "building",
            Col::Unit => "unit",
            Col::Room => "room",
            Col::Name => "name",
            Col::Phone => "phone",
            Col::Relation => "relation",
            Col::Tags => "tags",
            Col::Notes => "notes",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Col::Area => "小区",
            Col::Building => "楼栋",
            Col::Unit => "单元",
            Col::Room => "房号",
            Col::Name => "姓名",
            Col::Phone => "电话",
            Col::Relation => "与户主关系",
            Col::Tags => "标签",
            Col::Notes => "备注",
        }
    }
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Col::Area => &["area", "小区", "社区", "片区", "小区名称", "estate"],
            Col::Building => &["building", "楼栋", "楼号", "楼栋号", "栋", "楼", "幢"],
            Col::Unit => &["unit", "单元", "单元号"],
            Col::Room => &["room", "房号", "门牌号", "房间号", "户号", "室"],
            Col::Name => &["name", "姓名", "居民姓名", "名字"],
            Col::Phone => &[
                "phone",
                "电话",
                "联系电话",
                "手机",
                "手机号",
                "手机号码",
                "联系方式",
                "mobile",
                "固定电话",
                "座机",
                "家庭电话",
                "备用电话",
                "landline",
            ],
            Col::Relation => &["relation", "与户主关系", "户主关系", "关系"],
            Col::Tags => &["tags", "标签", "人员类别", "类别"],
            Col::Notes => &["notes", "备注", "note"],
        }
    }
    fn from_header(h: &str) -> Option<Col> {
        let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
        Col::ALL
            .into_iter()
            .find(|c| c.aliases().contains(&h.as_str()))
    }
    fn required(self) -> bool {
        matches!(self, Col::Area | Col::Building | Col::Room | Col::Name)
    }
    /// How many lines a cell of this column may hold.
    fn lines(self) -> Lines {
        match self {
            Col::Area | Col::Building | Col::Unit | Col::Room | Col::Name | Col::Relation => {
                Lines::One
            }
            Col::Phone | Col::Tags => Lines::List,
            Col::Notes => Lines::Many,
        }
    }
}

/// A problem with one cell or row, located for the person fixing the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub file: String,
    pub line: u64,
    /// 1-based column number and its header, when one cell is at fault.
    pub column: Option<(usize, String)>,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some((n, h)) => write!(
                f,
                "{}:{}: column {} ({}): {}",
                self.file, self.line, n, h, self.reason
            ),
            None => write!(f, "{}:{}: {}", self.file, self.line, self.reason),
        }
    }
}

#[derive(Debug, Error)]
pub enum RosterError {
    #[error("cannot read {file}: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    /// Where the text stops being readable: the line, and the offset from
    /// the start of the file of the first byte that is not text, in the
    /// encoding the file most likely is in.
    #[error(
        "{file}:{line}: the file is neither UTF-8 nor GB18030 text: at byte offset {offset} (0x{byte:02X}) it stops being {encoding}; save it as \"CSV UTF-8\" and import that"
    )]
    Encoding {
        file: String,
        line: u64,
        offset: usize,
        byte: u8,
        encoding: &'static str,
    },
    #[error(
        "{file}: the file is UTF-16 text; save it as \"CSV UTF-8\" or plain CSV and import that"
    )]
    Utf16 { file: String },
    #[error("{file}:{line}: missing required column {}", .missing.join(", "))]
    MissingColumns {
        file: String,
        line: u64,
        missing: Vec<String>,
    },
    #[error("{file}: the file has no header row")]
    NoHeader { file: String },
    #[error("{}", .errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Rows { errors: Vec<RowError> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl gridbook_domain::error::Kinded for RosterError {
    fn kind(&self) -> gridbook_domain::error::ErrorKind {
        use gridbook_domain::error::ErrorKind;
        match self {
            RosterError::Store(e) => e.kind(),
            _ => ErrorKind::Input,
        }
    }
}

/// Where a file's bytes stop being text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadByte {
    /// 1-based line of the first bad byte.
    pub line: u64,
    /// Offset of the first bad byte from the start of the file.
    pub offset: usize,
    pub byte: u8,
    /// The encoding it is not valid in: UTF-8 when what comes before is
    /// UTF-8 beyond ASCII, else GB18030.
    pub encoding: &'static str,
}

impl BadByte {
    fn at(bytes: &[u8], offset: usize, encoding: &'static str) -> BadByte {
        let offset = offset.min(bytes.len().saturating_sub(1));
        BadByte {
            line: 1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u64,
            offset,
            byte: bytes.get(offset).copied().unwrap_or(0),
            encoding,
        }
    }

    /// The importers' error for a file `file` that stops being text here.
    pub fn error(self, file: &str) -> RosterError {
        RosterError::Encoding {
            file: file.to_string(),
            line: self.line,
            offset: self.offset,
            byte: self.byte,
            encoding: self.encoding,
        }
    }
}

/// The offset of the first byte GB18030 cannot read, if any.
fn gb18030_error_at(bytes: &[u8]) -> Option<usize> {
    let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(bytes.len().saturating_mul(4)),
    );
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        encoding_rs::DecoderResult::Malformed(bad, after) => {
            Some(read.saturating_sub(after as usize + bad as usize))
        }
        // The buffer is as large as the decoder can need; treat a shortfall
        // as unreadable at the point reached rather than guess.
        encoding_rs::DecoderResult::OutputFull => Some(read),
        encoding_rs::DecoderResult::InputEmpty => None,
    }
}

/// Decodes a CSV file's bytes: UTF-8 (BOM stripped) or GB18030; else says
/// where the first byte that is not text is.
pub fn decode_text(bytes: &[u8]) -> Result<(String, &'static str), BadByte> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(|s| (s.to_string(), "UTF-8 (BOM)"))
            .map_err(|e| BadByte::at(bytes, 3 + e.valid_up_to(), "UTF-8"));
    }
    let utf8_error = match std::str::from_utf8(bytes) {
        Ok(s) => return Ok((s.to_string(), "UTF-8")),
        Err(e) => e.valid_up_to(),
    };
    match gb18030_error_at(bytes) {
        None => {
            let (text, _) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            Ok((text.into_owned(), "GB18030"))
        }
        // Chinese UTF-8 often reads as (wrong) GB18030 for a long way, so
        // a file that is UTF-8 beyond ASCII up to the bad byte is UTF-8.
        Some(_) if bytes[..utf8_error].iter().any(|b| !b.is_ascii()) => {
            Err(BadByte::at(bytes, utf8_error, "UTF-8"))
        }
        Some(gb) => Err(BadByte::at(bytes, gb, "GB18030")),
    }
}

/// The physical line a record starts on (0 when unknown). The csv reader's
/// position is where it began looking for the record, before the blank
/// lines it skips, so those are counted here.
pub(crate) fn record_line(text: &str, pos: Option<&csv::Position>) -> u64 {
    let Some(p) = pos else { return 0 };
    let rest = usize::try_from(p.byte())
        .ok()
        .and_then(|b| text.as_bytes().get(b..))
        .unwrap_or_default();
    let blank = rest
        .iter()
        .take_while(|&&b| b == b'\n' || b == b'\r')
        .filter(|&&b| b == b'\n')
        .count();
    p.line() + blank as u64
}

/// One valid row.
#[derive(Clone, Debug)]
pub struct Row {
    pub line: u64,
    pub area: String,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub name: String,
    pub phones: Vec<String>,
    pub relation: String,
    pub tags: Vec<String>,
    pub notes: String,
}

/// A parsed roster: the valid rows and every row error.
#[derive(Debug)]
pub struct Roster {
    pub file: String,
    pub encoding: &'static str,
    pub rows: Vec<Row>,
    pub errors: Vec<RowError>,
    pub ignored_columns: Vec<String>,
}

/// Splits `2-501`, `2单元501室` into unit and room when no unit column is given.
fn split_room(unit: &str, room: &str) -> (String, String) {
    let room = halfwidth(room.trim()).replace('室', "");
    let unit = halfwidth(unit.trim()).replace("单元", "");
    if unit.is_empty() {
        if let Some((u, r)) = room.split_once("单元") {
            return (u.trim().to_string(), r.trim().to_string());
        }
        if let Some((u, r)) = room.split_once('-')
            && !u.is_empty()
            && !r.is_empty()
            && u.chars().all(|c| c.is_ascii_digit())
        {
            return (u.to_string(), r.to_string());
        }
    }
    (unit, room.trim().to_string())
}

pub fn read(path: &Path) -> Result<Roster, RosterError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| RosterError::Read {
        file: file.clone(),
        source,
    })?;
    parse(&file, &bytes)
}

pub fn parse(file: &str, bytes: &[u8]) -> Result<Roster, RosterError> {
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
    let mut records = rdr.records();
    let header = loop {
        match records.next() {
            None => {
                return Err(RosterError::NoHeader {
                    file: file.to_string(),
                });
            }
            Some(Err(e)) => {
                return Err(RosterError::Rows {
                    errors: vec![RowError {
                        file: file.to_string(),
                        line: record_line(&text, e.position()).max(1),
                        column: None,
                        reason: format!("not valid CSV: {e}"),
                    }],
                });
            }
            // Excel sometimes leaves blank rows above the header; a row whose
            // first cell starts with `#` is a note (gridbook's own exports
            // start with the personal-data notice).
            Some(Ok(r)) if r.iter().all(|c| c.trim().is_empty()) => continue,
            Some(Ok(r))
                if r.get(0).is_some_and(|c| {
                    c.trim_start_matches('\u{feff}')
                        .trim_start()
                        .starts_with('#')
                }) =>
            {
                continue;
            }
            Some(Ok(r)) => break r,
        }
    };
    let header_line = record_line(&text, header.position()).max(1);
    let mut cols: HashMap<Col, usize> = HashMap::new();
    // Rosters often carry a mobile and a landline column: all phone columns count.
    let mut phone_cols: Vec<usize> = Vec::new();
    let mut headers: Vec<String> = Vec::new();
    let mut ignored = Vec::new();
    let mut header_errors = Vec::new();
    for (i, h) in header.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}').trim().to_string();
        match Col::from_header(&h) {
            Some(Col::Phone) => {
                cols.entry(Col::Phone).or_insert(i);
                phone_cols.push(i);
            }
            Some(c) => match cols.get(&c) {
                None => {
                    cols.insert(c, i);
                }
                // `area` and `小区`, or `姓名` twice: which one holds the
                // data is anyone's guess, so neither is taken.
                Some(&first) => header_errors.push(RowError {
                    file: file.to_string(),
                    line: header_line,
                    column: Some((i + 1, h.clone())),
                    reason: format!(
                        "column {} ({}) is already the {} column ({}); keep one of them",
                        first + 1,
                        headers[first],
                        c.header(),
                        c.zh()
                    ),
                }),
            },
            None if h.is_empty() => {}
            None => ignored.push(h.clone()),
        }
        headers.push(h);
    }
    if !header_errors.is_empty() {
        return Err(RosterError::Rows {
            errors: header_errors,
        });
    }
    let missing: Vec<String> = Col::ALL
        .into_iter()
        .filter(|c| c.required() && !cols.contains_key(c))
        .map(|c| format!("{} ({})", c.zh(), c.header()))
        .collect();
    if !missing.is_empty() {
        return Err(RosterError::MissingColumns {
            file: file.to_string(),
            line: header_line,
            missing,
        });
    }
    let norm = |s: &str| halfwidth(s.trim()).to_lowercase();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<(String, String, String, String, String), u64> = HashMap::new();
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError {
                    file: file.to_string(),
                    line: record_line(&text, e.position()),
                    column: None,
                    reason: format!("not valid CSV: {e}"),
                });
                continue;
            }
        };
        let line = record_line(&text, rec.position());
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let at = |i: usize| rec.get(i).map(|s| s.trim().to_string()).unwrap_or_default();
        let cell = |c: Col| -> String { cols.get(&c).map(|&i| at(i)).unwrap_or_default() };
        let err_at = |i: usize, reason: String| RowError {
            file: file.to_string(),
            line,
            column: Some((i + 1, headers[i].clone())),
            reason,
        };
        let err = |c: Col, reason: String| RowError {
            file: file.to_string(),
            line,
            column: cols.get(&c).map(|&i| (i + 1, headers[i].clone())),
            reason,
        };
        let mut row_errors = Vec::new();
        // No cell may carry a control character into the store; line
        // breaks only where the column allows them.
        for c in Col::ALL {
            if c == Col::Phone {
                continue;
            }
            if let Some(&i) = cols.get(&c)
                && let Err(e) =
                    validate::check_chars(c.header(), rec.get(i).unwrap_or(""), c.lines())
            {
                row_errors.push(err_at(i, e.to_string()));
            }
        }
        if !row_errors.is_empty() {
            errors.extend(row_errors);
            continue;
        }
        for c in [Col::Area, Col::Building, Col::Room, Col::Name] {
            if cell(c).is_empty() {
                row_errors.push(err(c, format!("missing {} ({})", c.header(), c.zh())));
            }
        }
        let mut bounded = |c: Col, max: usize| -> String {
            let v = cell(c);
            let len = v.chars().count();
            if len > max {
                row_errors.push(err(
                    c,
                    format!(
                        "{} is too long ({len} characters, at most {max})",
                        c.header()
                    ),
                ));
            }
            v
        };
        // Full-width digits in place names (`１号楼`) are the same place as `1号楼`.
        let area = halfwidth(&bounded(Col::Area, validate::MAX_NAME));
        let building = halfwidth(&bounded(Col::Building, validate::MAX_NAME));
        let name = bounded(Col::Name, validate::MAX_NAME);
        let relation = bounded(Col::Relation, validate::MAX_NAME);
        // Lines end in `\n` whatever system wrote the file.
        let notes = bounded(Col::Notes, validate::MAX_TEXT)
            .replace("\r\n", "\n")
            .replace('\r', "\n");
        let tags = validate::tags(&bounded(Col::Tags, validate::MAX_TEXT));
        let mut phones: Vec<String> = Vec::new();
        for &i in &phone_cols {
            match validate::phones(&at(i)) {
                Ok(ps) => {
                    for p in ps {
                        if !phones.contains(&p) {
                            phones.push(p);
                        }
                    }
                }
                Err(e) => row_errors.push(err_at(i, e.to_string())),
            }
        }
        let (unit, room) = split_room(&cell(Col::Unit), &cell(Col::Room));
        // `2单元` alone names a unit, not a room.
        if room.is_empty() && !cell(Col::Room).is_empty() {
            row_errors.push(err(Col::Room, "missing room (only a unit is given)".into()));
        }
        if room.chars().count() > validate::MAX_NAME {
            row_errors.push(err(
                Col::Room,
                format!("room is too long (at most {})", validate::MAX_NAME),
            ));
        }
        if row_errors.is_empty() {
            let key = (
                norm(&area),
                norm(&building),
                norm(&unit),
                norm(&room),
                name.clone(),
            );
            if let Some(first) = seen.get(&key) {
                row_errors.push(err(
                    Col::Name,
                    format!("{name} is already listed in this household on line {first}"),
                ));
            } else {
                seen.insert(key, line);
            }
        }
        if row_errors.is_empty() {
            rows.push(Row {
                line,
                area,
                building,
                unit,
                room,
                name,
                phones,
                relation,
                tags,
                notes,
            });
        } else {
            errors.extend(row_errors);
        }
    }
    Ok(Roster {
        file: file.to_string(),
        encoding,
        rows,
        errors,
        ignored_columns: ignored,
    })
}

/// What an import did (or, on a dry run, would do).
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Report {
    pub encoding: String,
    pub areas_added: usize,
    pub buildings_added: usize,
    pub households_added: usize,
    /// Households already stored in which a resident was added or updated.
    pub households_updated: usize,
    pub households_unchanged: usize,
    pub residents_added: usize,
    pub residents_updated: usize,
    pub residents_unchanged: usize,
    /// Rows (residents) left out because of errors; `rejected` says why.
    pub rows_rejected: usize,
    pub rejected: Vec<RowError>,
    pub ignored_columns: Vec<String>,
    pub written: bool,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "encoding: {}", self.encoding)?;
        if !self.ignored_columns.is_empty() {
            writeln!(
                f,
                "ignored columns (not imported): {}",
                self.ignored_columns.join(", ")
            )?;
        }
        writeln!(
            f,
            "areas added: {}, buildings added: {}",
            self.areas_added, self.buildings_added
        )?;
        writeln!(
            f,
            "households: {} added, {} updated, {} unchanged",
            self.households_added, self.households_updated, self.households_unchanged
        )?;
        writeln!(
            f,
            "residents: {} added, {} updated, {} unchanged, {} rejected",
            self.residents_added,
            self.residents_updated,
            self.residents_unchanged,
            self.rows_rejected
        )?;
        for e in &self.rejected {
            writeln!(f, "  {e}")?;
        }
        write!(
            f,
            "{}",
            if self.written {
                "saved"
            } else {
                "nothing written"
            }
        )
    }
}

/// A code for a new place: the bare building number (`3栋` → `3`), else pinyin initials.
fn make_code(name: &str, taken: &[String]) -> String {
    let bare: String = {
        let n = halfwidth(name);
        let trimmed = n
            .trim_end_matches("号楼")
            .trim_end_matches('栋')
            .trim_end_matches('幢')
            .trim_end_matches('楼')
            .to_string();
        if !trimmed.is_empty() && trimmed.chars().all(|c| c.is_ascii_alphanumeric()) {
            trimmed.to_lowercase()
        } else {
            romanize::place_initials(name)
        }
    };
    let base = if bare.is_empty() {
        "x".to_string()
    } else {
        bare
    };
    let mut code = base.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&code)) {
        code = format!("{base}{n}");
        n += 1;
    }
    code
}

/// Imports a parsed roster. With errors and `skip_invalid == false`, or on a
/// dry run, nothing is written; the report says what would happen.
pub fn import(
    store: &Store,
    ctx: Ctx,
    roster: &Roster,
    dry_run: bool,
    skip_invalid: bool,
) -> Result<Report, RosterError> {
    if !roster.errors.is_empty() && !skip_invalid && !dry_run {
        return Err(RosterError::Rows {
            errors: roster.errors.clone(),
        });
    }
    let mut report = Report {
        encoding: roster.encoding.to_string(),
        rows_rejected: roster
            .errors
            .iter()
            .map(|e| e.line)
            .collect::<std::collections::HashSet<_>>()
            .len(),
        rejected: roster.errors.clone(),
        ignored_columns: roster.ignored_columns.clone(),
        ..Report::default()
    };
    let mut w = Writes::new();
    // Existing and newly staged places, by normalised name.
    let norm = |s: &str| halfwidth(s.trim()).to_lowercase();
    let mut areas: HashMap<String, Id> = HashMap::new();
    let mut area_codes: Vec<String> = Vec::new();
    for a in store.areas()? {
        areas.insert(norm(&a.name), a.meta.id);
        areas.entry(norm(&a.code)).or_insert(a.meta.id);
        area_codes.push(a.code.clone());
    }
    let mut buildings: HashMap<(Id, String), Id> = HashMap::new();
    let mut building_codes: HashMap<Id, Vec<String>> = HashMap::new();
    let mut loaded_areas: std::collections::HashSet<Id> = Default::default();
    let mut households: HashMap<(Id, String), Id> = HashMap::new();
    let mut loaded_buildings: std::collections::HashSet<Id> = Default::default();
    let mut residents: HashMap<(Id, String), Resident> = HashMap::new();
    let mut loaded_households: std::collections::HashSet<Id> = Default::default();
    let mut new_households: std::collections::HashSet<Id> = Default::default();
    let mut touched_households: std::collections::HashSet<Id> = Default::default();
    let mut changed_households: std::collections::HashSet<Id> = Default::default();

    for row in &roster.rows {
        // Area
        let area_id = match areas.get(&norm(&row.area)) {
            Some(id) => *id,
            None => {
                let code = make_code(&row.area, &area_codes);
                area_codes.push(code.clone());
                let a = Area {
                    meta: Meta::new(ctx.by),
                    code,
                    name: row.area.clone(),
                };
                store.stage_new(&mut w, &a)?;
                areas.insert(norm(&a.name), a.meta.id);
                loaded_areas.insert(a.meta.id);
                report.areas_added += 1;
                a.meta.id
            }
        };
        if loaded_areas.insert(area_id) {
            for b in store.buildings_of(area_id)? {
                buildings.insert((area_id, norm(&b.name)), b.meta.id);
                buildings
                    .entry((area_id, norm(&b.code)))
                    .or_insert(b.meta.id);
                building_codes
                    .entry(area_id)
                    .or_default()
                    .push(b.code.clone());
            }
        }
        // Building
        let bkey = (area_id, norm(&row.building));
        let building_id = match buildings.get(&bkey) {
            Some(id) => *id,
            None => {
                let taken = building_codes.entry(area_id).or_default();
                let code = make_code(&row.building, taken);
                taken.push(code.clone());
                let b = Building {
                    meta: Meta::new(ctx.by),
                    area: area_id,
                    code,
                    name: row.building.clone(),
                    first_floor: 1,
                    doors_per_floor: None,
                };
                store.stage_new(&mut w, &b)?;
                buildings.insert(bkey, b.meta.id);
                loaded_buildings.insert(b.meta.id);
                report.buildings_added += 1;
                b.meta.id
            }
        };
        if loaded_buildings.insert(building_id) {
            for h in store.households_of(building_id)? {
                households.insert((building_id, norm(&h.label())), h.meta.id);
            }
        }
        // Household
        let label = if row.unit.is_empty() {
            row.room.clone()
        } else {
            format!("{}-{}", row.unit, row.room)
        };
        let hkey = (building_id, norm(&label));
        let household_id = match households.get(&hkey) {
            Some(id) => *id,
            None => {
                let h = Household {
                    meta: Meta::new(ctx.by),
                    building: building_id,
                    unit: row.unit.clone(),
                    room: row.room.clone(),
                    notes: String::new(),
                    occupancy: Occupancy::default(),
                };
                store.stage_new(&mut w, &h)?;
                households.insert(hkey, h.meta.id);
                loaded_households.insert(h.meta.id);
                new_households.insert(h.meta.id);
                report.households_added += 1;
                h.meta.id
            }
        };
        touched_households.insert(household_id);
        if loaded_households.insert(household_id) {
            for r in store.residents_of(household_id)? {
                residents.insert((household_id, r.name.clone()), r);
            }
        }
        // Resident
        let input = ResidentInput {
            name: row.name.clone(),
            phones: row.phones.join(";"),
            relation: row.relation.clone(),
            tags: row.tags.join(";"),
            notes: row.notes.clone(),
        };
        match residents.get_mut(&(household_id, row.name.clone())) {
            None => {
                let r = Resident {
                    meta: Meta::new(ctx.by),
                    household: household_id,
                    name: row.name.clone(),
                    phones: row.phones.clone(),
                    relation: row.relation.clone(),
                    tags: row.tags.clone(),
                    notes: row.notes.clone(),
                    status: ResidentStatus::default(),
                    birth_year: None,
                    care: Vec::new(),
                };
                store.stage_new(&mut w, &r)?;
                residents.insert((household_id, r.name.clone()), r);
                report.residents_added += 1;
                changed_households.insert(household_id);
            }
            Some(existing) => {
                // Empty cells in a re-import leave what is stored alone.
                let mut changes: Vec<(&str, String, String)> = Vec::new();
                if !input.phones.is_empty() && existing.phones != row.phones {
                    changes.push(("phones", existing.phones.join(";"), input.phones.clone()));
                    existing.phones = row.phones.clone();
                }
                if !row.relation.is_empty() && existing.relation != row.relation {
                    changes.push(("relation", existing.relation.clone(), row.relation.clone()));
                    existing.relation = row.relation.clone();
                }
                if !row.tags.is_empty() && existing.tags != row.tags {
                    changes.push(("tags", existing.tags.join(";"), row.tags.join(";")));
                    existing.tags = row.tags.clone();
                }
                if !row.notes.is_empty() && existing.notes != row.notes {
                    changes.push(("notes", existing.notes.clone(), row.notes.clone()));
                    existing.notes = row.notes.clone();
                }
                if changes.is_empty() {
                    report.residents_unchanged += 1;
                } else {
                    for (field, old, new) in changes {
                        let e = Event::new(
                            household_id,
                            ctx.now,
                            ctx.by,
                            EventBody::Edited {
                                target: existing.meta.id,
                                kind: Kind::Resident,
                                field: field.to_string(),
                                old,
                                new,
                            },
                        );
                        store.stage_event(&mut w, &e)?;
                    }
                    let mut updated = existing.clone();
                    store.stage_update(&mut w, &mut updated)?;
                    existing.meta.version = updated.meta.version;
                    report.residents_updated += 1;
                    changed_households.insert(household_id);
                }
            }
        }
    }
    for h in touched_households
        .iter()
        .filter(|h| !new_households.contains(h))
    {
        if changed_households.contains(h) {
            report.households_updated += 1;
        } else {
            report.households_unchanged += 1;
        }
    }
    if !dry_run && !w.is_empty() {
        store.commit(w)?;
        report.written = true;
    }
    Ok(report)
}
