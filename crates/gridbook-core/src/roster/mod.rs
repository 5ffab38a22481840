//! The household roster a community office hands out: a CSV saved from Excel
//! (UTF-8 with or without BOM, or GB18030), one row per resident, columns by
//! English or Chinese header. Parsing checks every row; importing is all rows
//! or none (unless the caller skips invalid rows) and never duplicates.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use serde::Serialize;
use thiserror::Error;

pub mod reconcile;
pub mod table;
pub use reconcile::{Line, Take, What};
use table::{Cell, Table};

use crate::ops::{Ctx, ResidentInput};
use gridbook_domain::i18n::Lang;
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
    /// One address column instead of area, building, unit and room.
    Address,
    /// `户主姓名`: with no name column, each row is a household and its head.
    Head,
    Birth,
    Age,
    /// Read for the birth year only; never stored.
    IdNumber,
    Occupancy,
    Status,
    /// `身份`, `人员类别`: more tags.
    Category,
}

impl Col {
    pub const EVERY: [Col; 17] = [
        Col::Area,
        Col::Building,
        Col::Unit,
        Col::Room,
        Col::Name,
        Col::Phone,
        Col::Relation,
        Col::Tags,
        Col::Notes,
        Col::Address,
        Col::Head,
        Col::Birth,
        Col::Age,
        Col::IdNumber,
        Col::Occupancy,
        Col::Status,
        Col::Category,
    ];
    /// The columns gridbook's own roster export writes, in its order: the
    /// nine of the plain roster, then what a round trip would otherwise lose
    /// (birth year, the household's occupancy, the resident's status), in
    /// the order offices' rosters put them.
    pub const ALL: [Col; 12] = [
        Col::Area,
        Col::Building,
        Col::Unit,
        Col::Room,
        Col::Name,
        Col::Phone,
        Col::Relation,
        Col::Tags,
        Col::Notes,
        Col::Birth,
        Col::Occupancy,
        Col::Status,
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
            Col::Address => "address",
            Col::Head => "head",
            Col::Birth => "birth date",
            Col::Age => "age",
            Col::IdNumber => "id number",
            Col::Occupancy => "occupancy",
            Col::Status => "status",
            Col::Category => "category",
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
            Col::Address => "住址",
            Col::Head => "户主姓名",
            Col::Birth => "出生日期",
            Col::Age => "年龄",
            Col::IdNumber => "身份证号",
            Col::Occupancy => "居住状态",
            Col::Status => "人员状态",
            Col::Category => "人员类别",
        }
    }
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Col::Area => &["area", "小区", "社区", "片区", "小区名称", "estate"],
            Col::Building => &[
                "building",
                "楼栋",
                "楼号",
                "楼栋号",
                "栋号",
                "楼幢号",
                "栋",
                "楼",
                "幢",
            ],
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
            Col::Tags => &["tags", "标签"],
            Col::Notes => &["notes", "备注", "note"],
            Col::Address => &[
                "address",
                "住址",
                "地址",
                "家庭住址",
                "居住地址",
                "现住址",
                "现居住地址",
            ],
            Col::Head => &["户主姓名", "户主", "head", "head of household"],
            Col::Birth => &[
                "出生日期",
                "出生年月",
                "出生年月日",
                "birth date",
                "birthday",
                "date of birth",
            ],
            Col::Age => &["年龄", "age"],
            Col::IdNumber => &[
                "身份证号",
                "身份证号码",
                "身份证",
                "公民身份号码",
                "证件号码",
                "id number",
            ],
            Col::Occupancy => &["居住状态", "房屋状态", "住房状态", "occupancy"],
            Col::Status => &["人员状态", "居民状态", "status"],
            Col::Category => &["身份", "人员类别", "类别", "人员身份", "category"],
        }
    }
    fn from_header(h: &str) -> Option<Col> {
        let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
        Col::EVERY
            .into_iter()
            .find(|c| c.aliases().contains(&h.as_str()))
    }
    /// How many lines a cell of this column may hold.
    fn lines(self) -> Lines {
        match self {
            Col::Area
            | Col::Building
            | Col::Unit
            | Col::Room
            | Col::Name
            | Col::Relation
            | Col::Address
            | Col::Head
            | Col::Birth
            | Col::Age
            | Col::IdNumber
            | Col::Occupancy
            | Col::Status => Lines::One,
            Col::Phone | Col::Tags | Col::Category => Lines::List,
            Col::Notes => Lines::Many,
        }
    }
}

/// A problem with one cell or row, located for the person fixing the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub file: String,
    /// The sheet, when the file is a workbook: the error then names the
    /// cell as Excel does (`花名册!F12`).
    pub sheet: Option<Box<str>>,
    /// The physical line (CSV) or the sheet's row number.
    pub line: u64,
    /// 1-based column number and its header, when one cell is at fault.
    pub column: Option<(usize, String)>,
    /// Why, in English (what `--json` and logs carry).
    pub reason: String,
    /// Why, in Chinese, when the importer can say it; a person reading
    /// `--lang zh` sees this.
    #[serde(skip)]
    pub reason_zh: Option<Box<str>>,
}

/// Why a row or a cell is refused, in English and, when it can be said,
/// in Chinese.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    pub en: String,
    pub zh: Option<String>,
}

impl Reason {
    /// A reason said in both languages by `say`.
    pub fn said(say: impl Fn(Lang) -> String) -> Reason {
        Reason {
            en: say(Lang::En),
            zh: Some(say(Lang::Zh)),
        }
    }

    /// A reason from the catalogs' `import_cli.row.{key}`, the same
    /// arguments in both languages.
    pub fn of(key: &str, args: &[&str]) -> Reason {
        Reason::said(|lang| lang.f(&format!("import_cli.row.{key}"), args))
    }

    /// A field rule broken in column `c`, the field named as the file's
    /// language names the column.
    fn field(c: Col, e: validate::FieldError) -> Reason {
        Reason {
            en: e.to_string(),
            zh: Some(e.named(c.zh()).text(Lang::Zh)),
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// English only (an importer that does not say its reasons in Chinese).
impl From<String> for Reason {
    fn from(en: String) -> Reason {
        Reason { en, zh: None }
    }
}

impl RowError {
    /// The error in `lang`: where (file and line, the column by number and
    /// header, or the sheet's cell), then why. Without a Chinese reason it
    /// stays English whole.
    pub fn text(&self, lang: Lang) -> String {
        match (lang, &self.reason_zh) {
            (Lang::Zh, Some(zh)) => self.located(Lang::Zh, zh),
            _ => self.located(Lang::En, &self.reason),
        }
    }

    fn located(&self, lang: Lang, reason: &str) -> String {
        let r = |key: &str, args: &[&str]| lang.f(&format!("import_cli.row.{key}"), args);
        let line = self.line.to_string();
        if let Some(sheet) = &self.sheet {
            let letters = self
                .column
                .as_ref()
                .map(|(n, _)| table::column_letters(*n))
                .unwrap_or_default();
            let cell = format!("{sheet}!{letters}{line}");
            return match &self.column {
                Some((_, h)) if !h.is_empty() => r("at_cell_header", &[&cell, h, reason]),
                _ => r("at_cell", &[&cell, reason]),
            };
        }
        match &self.column {
            Some((n, h)) if h.is_empty() => {
                r("at_column", &[&self.file, &line, &n.to_string(), reason])
            }
            Some((n, h)) => r(
                "at_column_header",
                &[&self.file, &line, &n.to_string(), h, reason],
            ),
            None => r("at_line", &[&self.file, &line, reason]),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.located(Lang::En, &self.reason))
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
    #[error("{file}: {reason}")]
    Workbook { file: String, reason: Reason },
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
    /// The one-column address as written, when the file had one: the
    /// import splits it again knowing the stored areas.
    pub address: Option<String>,
    /// Care groups (codes) named in the tags.
    pub care: Vec<String>,
    /// The words of the tags that named them, in the same order: a
    /// resident who already carries one as a plain tag keeps it that way.
    pub care_words: Vec<String>,
    pub birth_year: Option<i16>,
    /// `年龄`: the birth year counts back from the import's date.
    pub age: Option<u8>,
    pub occupancy: Option<Occupancy>,
    pub status: Option<ResidentStatus>,
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

/// Splits `2-501`, `2单元501室` into unit and room when no unit column is
/// given (also the TUI's new-household form, so both read rooms alike).
pub fn split_room(unit: &str, room: &str) -> (String, String) {
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

/// Reads a roster file: CSV, or the first sheet of a workbook (`.xlsx`,
/// `.xls`, `.ods`).
pub fn read(path: &Path) -> Result<Roster, RosterError> {
    read_sheet(path, None)
}

/// Reads a roster file; for a workbook, the sheet named `sheet` (else the first).
pub fn read_sheet(path: &Path, sheet: Option<&str>) -> Result<Roster, RosterError> {
    if table::is_workbook(path) {
        return parse_table(&table::workbook(path, sheet)?);
    }
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| RosterError::Read {
        file: file.clone(),
        source,
    })?;
    parse(&file, &bytes)
}

/// Parses CSV bytes (UTF-8 with or without BOM, or GB18030).
pub fn parse(file: &str, bytes: &[u8]) -> Result<Roster, RosterError> {
    parse_table(&table::csv(file, bytes)?)
}

/// A row's first cell marks a note (gridbook's own exports start with the
/// personal-data notice).
fn is_note(cells: &[Cell]) -> bool {
    cells.first().is_some_and(|c| {
        c.text()
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('#')
    })
}

/// Where the header is: the first row naming at least two known columns
/// (title rows and date lines above it are passed over), else the first
/// row with text, so a file without the needed columns says which are
/// missing. Returns its index in `records`.
pub(crate) fn find_header(t: &Table, known: impl Fn(&str) -> bool) -> Result<usize, RosterError> {
    let mut first = None;
    for (i, r) in t.records.iter().enumerate().take(50) {
        let cells = match &r.cells {
            Ok(c) => c,
            Err(reason) if first.is_none() => {
                return Err(RosterError::Rows {
                    errors: vec![t.error(r.line, r.column.map(|i| (i, "")), reason.clone())],
                });
            }
            Err(_) => continue,
        };
        if cells.iter().all(|c| c.text().is_empty()) || is_note(cells) {
            continue;
        }
        first.get_or_insert(i);
        let names = cells
            .iter()
            .filter(|c| known(c.text().trim_start_matches('\u{feff}').trim()))
            .count();
        if names >= 2 {
            return Ok(i);
        }
    }
    first.ok_or_else(|| RosterError::NoHeader {
        file: t.file.clone(),
    })
}

/// The care groups a roster's tags can name (the shipped list).
fn care_groups() -> Option<gridbook_domain::vocab::Vocabulary> {
    gridbook_domain::vocab::care::groups(None).ok()
}

/// A birth date as written (`1944-03-15`, `1944/3/15`, `1944年3月`,
/// `19440315`, `1944`) or a date cell: its year.
fn birth_year(c: &Cell) -> Option<i16> {
    let year = match c {
        Cell::Date(d) => d.year(),
        Cell::Number(n) if n.fract() == 0.0 && (1880.0..=2100.0).contains(n) => *n as i16,
        Cell::Number(n) => table::serial_date(*n)?.year(),
        Cell::Text(s) => {
            let s = halfwidth(s.trim());
            if let Some(d) = gridbook_domain::when::calendar_date(&s) {
                d.year()
            } else {
                let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
                let rest = &s[digits.len()..];
                let ok_rest = rest.is_empty()
                    || rest.starts_with(['年', '-', '/', '.'])
                        && rest.chars().all(|c| {
                            c.is_ascii_digit() || matches!(c, '年' | '月' | '日' | '-' | '/' | '.')
                        });
                if (digits.len() == 4 || digits.len() == 6) && ok_rest {
                    digits[..4].parse().ok()?
                } else {
                    return None;
                }
            }
        }
    };
    (1880..=2100).contains(&year).then_some(year)
}

/// A resident's tags column as the roster import reads it back: the plain
/// tags, then the care groups by their Chinese names (which the import
/// turns back into care groups).
pub fn tags_cell(r: &Resident) -> String {
    let groups = care_groups();
    let mut out = r.tags.clone();
    for m in &r.care {
        let word = groups
            .as_ref()
            .and_then(|g| g.get(&m.group))
            .map_or(m.group.clone(), |t| t.zh.clone());
        if !out.contains(&word) {
            out.push(word);
        }
    }
    out.join(";")
}

/// Parses a file's rows into a roster: the header found by its names, every
/// row checked.
pub fn parse_table(t: &Table) -> Result<Roster, RosterError> {
    let file = t.file.as_str();
    let hi = find_header(t, |h| Col::from_header(h).is_some())?;
    let header_line = t.records[hi].line.max(1);
    let header: Vec<String> = match &t.records[hi].cells {
        Ok(c) => c.iter().map(Cell::text).collect(),
        Err(_) => Vec::new(),
    };
    let mut cols: HashMap<Col, usize> = HashMap::new();
    // Rosters often carry a mobile and a landline column, or tags in two
    // columns: all of them count.
    let mut phone_cols: Vec<usize> = Vec::new();
    let mut tag_cols: Vec<usize> = Vec::new();
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
            Some(c @ (Col::Tags | Col::Category)) => {
                cols.entry(c).or_insert(i);
                tag_cols.push(i);
            }
            Some(c) => match cols.get(&c) {
                None => {
                    cols.insert(c, i);
                }
                // `area` and `小区`, or `姓名` twice: which one holds the
                // data is anyone's guess, so neither is taken.
                Some(&first) => {
                    let n = (first + 1 + t.first_column).to_string();
                    header_errors.push(t.error(
                        header_line,
                        Some((i, &h)),
                        Reason::said(|lang| {
                            let column = match lang {
                                Lang::En => format!("{} column ({})", c.header(), c.zh()),
                                Lang::Zh => format!("{}列", c.zh()),
                            };
                            lang.f(
                                "import_cli.row.same_column",
                                &[&n, &headers[first], &column],
                            )
                        }),
                    ))
                }
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
    // A household-level roster: `户主姓名` and no `姓名`.
    let household_level = !cols.contains_key(&Col::Name) && cols.contains_key(&Col::Head);
    if let Some(&i) = cols.get(&Col::Head) {
        if household_level {
            cols.insert(Col::Name, i);
        } else {
            ignored.push(headers[i].clone());
        }
        cols.remove(&Col::Head);
    }
    // One address column stands for area, building, unit and room when
    // those are not given.
    let by_address = cols.contains_key(&Col::Address)
        && !cols.contains_key(&Col::Room)
        && !cols.contains_key(&Col::Area);
    if !by_address && let Some(i) = cols.remove(&Col::Address) {
        ignored.push(headers[i].clone());
    }
    let required: &[Col] = if by_address {
        &[Col::Address, Col::Name]
    } else {
        &[Col::Area, Col::Building, Col::Room, Col::Name]
    };
    let missing: Vec<String> = required
        .iter()
        .filter(|c| !cols.contains_key(c))
        .map(|c| format!("{} ({})", c.zh(), c.header()))
        .collect();
    if !missing.is_empty() {
        return Err(RosterError::MissingColumns {
            file: file.to_string(),
            line: header_line,
            missing,
        });
    }
    // The header's width: up to its last named column.
    let width = headers
        .iter()
        .rposition(|h| !h.is_empty())
        .map_or(0, |i| i + 1);
    let groups = care_groups();
    let norm = |s: &str| halfwidth(s.trim()).to_lowercase();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<(String, String, String, String, String), u64> = HashMap::new();
    for rec in &t.records[hi + 1..] {
        let line = rec.line;
        let cells = match &rec.cells {
            Ok(c) => c,
            Err(reason) => {
                let at = rec
                    .column
                    .map(|i| (i, headers.get(i).map_or("", String::as_str)));
                errors.push(t.error(line, at, reason.clone()));
                continue;
            }
        };
        if cells.iter().all(|c| c.text().is_empty()) {
            continue;
        }
        // A cell right of the header's last named column belongs to no
        // column: the row is shifted, or the header lost a column. Empty
        // ones (Excel pads rows with `,,,`) lose nothing.
        if let Some(i) = (width..cells.len()).find(|&i| !cells[i].text().is_empty()) {
            errors.push(
                t.error(
                    line,
                    Some((i, "")),
                    Reason::of(
                        "past_header",
                        &[
                            &preview(&cells[i].text()),
                            headers
                                .get(width.wrapping_sub(1))
                                .map_or("", String::as_str),
                        ],
                    ),
                ),
            );
            continue;
        }
        let raw = |i: usize| cells.get(i).cloned().unwrap_or(Cell::Text(String::new()));
        let at = |i: usize| raw(i).text();
        let cell = |c: Col| -> String { cols.get(&c).map(|&i| at(i)).unwrap_or_default() };
        let err_at = |i: usize, reason: Reason| t.error(line, Some((i, &headers[i])), reason);
        let err = |c: Col, reason: Reason| {
            t.error(
                line,
                cols.get(&c).map(|&i| (i, headers[i].as_str())),
                reason,
            )
        };
        let mut row_errors = Vec::new();
        // No cell may carry a control character into the store; line
        // breaks only where the column allows them.
        let mut by_position: Vec<(usize, Col)> = cols.iter().map(|(&c, &i)| (i, c)).collect();
        by_position.sort_by_key(|&(i, _)| i);
        for (i, c) in by_position {
            if c == Col::Phone {
                continue;
            }
            if let Err(e) = validate::check_chars(c.header(), &at(i), c.lines()) {
                row_errors.push(err_at(i, Reason::field(c, e)));
            }
        }
        if !row_errors.is_empty() {
            errors.extend(row_errors);
            continue;
        }
        let (mut area, mut building, mut unit_cell, mut room_cell) = (
            cell(Col::Area),
            cell(Col::Building),
            cell(Col::Unit),
            cell(Col::Room),
        );
        let address = by_address.then(|| cell(Col::Address));
        if let Some(text) = &address {
            if text.is_empty() {
                row_errors.push(err(Col::Address, Reason::of("no_address", &[])));
            } else {
                match crate::address::split_address(text, &[]) {
                    Some(s) => {
                        (area, building, unit_cell, room_cell) =
                            (s.area, s.building, s.unit, s.room)
                    }
                    None => row_errors.push(err(Col::Address, Reason::of("bad_address", &[text]))),
                }
            }
        } else {
            for c in [Col::Area, Col::Building, Col::Room] {
                if cell(c).is_empty() {
                    row_errors.push(err(
                        c,
                        Reason::said(|lang| match lang {
                            Lang::En => lang.f(
                                "import_cli.row.missing",
                                &[&format!("{} ({})", c.header(), c.zh())],
                            ),
                            Lang::Zh => lang.f("import_cli.row.missing", &[c.zh()]),
                        }),
                    ));
                }
            }
        }
        if cell(Col::Name).is_empty() {
            let c = if household_level {
                "户主姓名"
            } else {
                "姓名"
            };
            row_errors.push(err(Col::Name, Reason::of("no_name", &[c])));
        }
        let mut bounded = |c: Col, v: String, max: usize| -> String {
            let len = v.chars().count();
            if len > max {
                let e = validate::FieldError::TooLong {
                    field: c.header(),
                    len,
                    max,
                };
                row_errors.push(err(c, Reason::field(c, e)));
            }
            v
        };
        let place_col = |c: Col| if by_address { Col::Address } else { c };
        // Full-width digits in place names (`１号楼`) are the same place as `1号楼`.
        let area = halfwidth(&bounded(place_col(Col::Area), area, validate::MAX_NAME));
        let building = halfwidth(&bounded(
            place_col(Col::Building),
            building,
            validate::MAX_NAME,
        ));
        let name = bounded(Col::Name, cell(Col::Name), validate::MAX_NAME);
        let mut relation = bounded(Col::Relation, cell(Col::Relation), validate::MAX_NAME);
        if household_level && relation.is_empty() {
            relation = "户主".to_string();
        }
        // Lines end in `\n` whatever system wrote the file.
        let notes = bounded(Col::Notes, cell(Col::Notes), validate::MAX_TEXT)
            .replace("\r\n", "\n")
            .replace('\r', "\n");
        let mut tags = Vec::new();
        let mut care = Vec::new();
        let mut care_words = Vec::new();
        for &i in &tag_cols {
            let text = at(i);
            if text.chars().count() > validate::MAX_TEXT {
                row_errors.push(err_at(
                    i,
                    Reason::of("tags_too_long", &[&validate::MAX_TEXT.to_string()]),
                ));
                continue;
            }
            for tag in validate::tags(&text) {
                // A tag naming a care group (独居老人, 低保 …) puts the
                // resident in the group; other tags stay tags.
                match groups.as_ref().and_then(|g| g.parse_word(&tag)) {
                    Some(g) if !care.contains(&g.code) => {
                        care.push(g.code.clone());
                        care_words.push(tag);
                    }
                    Some(_) => {}
                    None if !tags.contains(&tag) => tags.push(tag),
                    None => {}
                }
            }
        }
        let mut phones: Vec<String> = Vec::new();
        for &i in &phone_cols {
            let text = match table::phone_text(&raw(i)) {
                Ok(t) => t,
                Err(e) => {
                    row_errors.push(err_at(i, e));
                    continue;
                }
            };
            match validate::phones(&text) {
                Ok(ps) => {
                    for p in ps {
                        if !phones.contains(&p) {
                            phones.push(p);
                        }
                    }
                }
                Err(e) => row_errors.push(err_at(i, Reason::field(Col::Phone, e))),
            }
        }
        // The birth year: a birth date, else an identity number's (the
        // number itself is never kept), else an age.
        let mut birth = None;
        if let Some(&i) = cols.get(&Col::Birth)
            && !at(i).is_empty()
        {
            match birth_year(&raw(i)) {
                Some(y) => birth = Some(y),
                None => row_errors.push(err_at(i, Reason::of("not_birth", &[&at(i)]))),
            }
        }
        if birth.is_none()
            && let Some(&i) = cols.get(&Col::IdNumber)
        {
            birth = gridbook_domain::vocab::care::birth_year_from_id(&at(i));
        }
        let mut age = None;
        if birth.is_none()
            && let Some(&i) = cols.get(&Col::Age)
            && !at(i).is_empty()
        {
            let text = at(i);
            match text.trim_end_matches('岁').trim().parse::<u8>() {
                Ok(a) if a <= 130 => age = Some(a),
                _ => row_errors.push(err_at(i, Reason::of("not_age", &[&text]))),
            }
        }
        let occupancy = match cell(Col::Occupancy) {
            s if s.is_empty() => None,
            s => match Occupancy::parse(&s) {
                Some(o) => Some(o),
                None => {
                    row_errors.push(err(
                        Col::Occupancy,
                        Reason::said(|lang| {
                            let allowed = match lang {
                                Lang::En => Occupancy::allowed(),
                                Lang::Zh => Occupancy::ALL.map(|o| o.zh()).join("、"),
                            };
                            lang.f("import_cli.row.occupancy", &[&s, &allowed])
                        }),
                    ));
                    None
                }
            },
        };
        let status = match cell(Col::Status) {
            s if s.is_empty() => None,
            s => match ResidentStatus::parse(&s) {
                Some(o) => Some(o),
                None => {
                    row_errors.push(err(
                        Col::Status,
                        Reason::said(|lang| {
                            let allowed = match lang {
                                Lang::En => ResidentStatus::allowed(),
                                Lang::Zh => ResidentStatus::ALL.map(|o| o.zh()).join("、"),
                            };
                            lang.f("import_cli.row.status", &[&s, &allowed])
                        }),
                    ));
                    None
                }
            },
        };
        let (unit, room) = split_room(&unit_cell, &room_cell);
        // `2单元` alone names a unit, not a room.
        if room.is_empty() && !room_cell.is_empty() {
            row_errors.push(err(place_col(Col::Room), Reason::of("unit_only", &[])));
        }
        if room.chars().count() > validate::MAX_NAME {
            row_errors.push(err(
                place_col(Col::Room),
                Reason::of("room_too_long", &[&validate::MAX_NAME.to_string()]),
            ));
        }
        if row_errors.is_empty() {
            let key = (
                norm(&area),
                crate::address::building_key(&building),
                norm(&unit),
                norm(&room),
                name.clone(),
            );
            if let Some(first) = seen.get(&key) {
                row_errors.push(err(
                    Col::Name,
                    Reason::of("listed_twice", &[&name, &first.to_string()]),
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
                address,
                care,
                care_words,
                birth_year: birth,
                age,
                occupancy,
                status,
            });
        } else {
            errors.extend(row_errors);
        }
    }
    Ok(Roster {
        file: file.to_string(),
        encoding: t.encoding,
        rows,
        errors,
        ignored_columns: ignored,
    })
}

/// A cell's text for a one-line message: its first line, cut short.
fn preview(text: &str) -> String {
    const MAX: usize = 20;
    let line = text.lines().next().unwrap_or("");
    let mut out: String = line.chars().filter(|c| !c.is_control()).take(MAX).collect();
    if out.chars().count() < text.chars().count() {
        out.push('…');
    }
    out
}

/// An area named in the file taken as the stored area it differs from
/// (`幸福家园小区` as 幸福家园), first on `line`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub line: u64,
    pub area: String,
    pub stored: String,
}

impl Warning {
    pub fn text(&self, lang: Lang) -> String {
        lang.f(
            "import_cli.row.area_taken",
            &[&self.line.to_string(), &self.area, &self.stored],
        )
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// `--json` carries the English sentence, as before the warning had fields.
impl Serialize for Warning {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
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
    /// Names in the file taken as a stored place they differ from
    /// (`幸福家园小区` as 幸福家园).
    pub warnings: Vec<Warning>,
    pub written: bool,
    /// The reconciliation, row by row: new, changed (old → new), changed or
    /// deleted here since (who, when, reason), missing from the file, and
    /// near-duplicates.
    pub lines: Vec<Line>,
    /// Where local work was kept over the file's value.
    pub kept_here: usize,
    /// Rows left out because what they name was deleted here.
    pub rows_kept_deleted: usize,
    /// Deleted records the file brought back (taken explicitly).
    pub restored: usize,
    /// Stored households and residents the file does not list.
    pub missing: usize,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(gridbook_domain::i18n::Lang::En))
    }
}

impl Report {
    /// The report as the CLI and the TUI preview show it, in `lang`: the
    /// counts, then the reconciliation row by row.
    pub fn text(&self, lang: gridbook_domain::i18n::Lang) -> String {
        use std::fmt::Write as _;
        let mut f = self.counts(lang);
        if !self.lines.is_empty() {
            let _ = writeln!(
                f,
                "{}",
                lang.f(
                    "office.summary",
                    &[
                        &self.kept_here.to_string(),
                        &self.restored.to_string(),
                        &self.missing.to_string(),
                    ],
                )
            );
            for l in &self.lines {
                let _ = writeln!(f, "  {}", l.text(lang));
            }
        }
        f.push_str(lang.t(if self.written {
            "movemerge.import.saved"
        } else {
            "movemerge.import.nothing"
        }));
        f
    }

    /// The counts, rejected rows and warnings, one per line, in `lang`.
    pub fn counts(&self, lang: gridbook_domain::i18n::Lang) -> String {
        let mut f = lang.f("movemerge.import.encoding", &[self.encoding.as_str()]);
        f.push('\n');
        f.push_str(&self.tally(lang));
        f
    }

    /// [`Report::counts`] without the encoding line (the TUI preview's intro).
    pub fn tally(&self, lang: gridbook_domain::i18n::Lang) -> String {
        use std::fmt::Write as _;
        let mut f = String::new();
        if !self.ignored_columns.is_empty() {
            let _ = writeln!(
                f,
                "{}",
                lang.f(
                    "movemerge.import.ignored",
                    &[&self.ignored_columns.join(", ")]
                )
            );
        }
        let n = |v: usize| v.to_string();
        let _ = writeln!(
            f,
            "{}",
            lang.f(
                "movemerge.import.places",
                &[&n(self.areas_added), &n(self.buildings_added)]
            )
        );
        let _ = writeln!(
            f,
            "{}",
            lang.f(
                "movemerge.import.households",
                &[
                    &n(self.households_added),
                    &n(self.households_updated),
                    &n(self.households_unchanged)
                ]
            )
        );
        let _ = writeln!(
            f,
            "{}",
            lang.f(
                "movemerge.import.residents",
                &[
                    &n(self.residents_added),
                    &n(self.residents_updated),
                    &n(self.residents_unchanged),
                    &n(self.rows_rejected)
                ]
            )
        );
        for e in &self.rejected {
            let _ = writeln!(f, "  {}", e.text(lang));
        }
        for w in &self.warnings {
            let _ = writeln!(
                f,
                "{}",
                lang.f("movemerge.import.warning", &[&w.text(lang)])
            );
        }
        f
    }
}

/// A code for a new place: the bare building number (`3栋` → `3`, by the
/// one building-number rule), else pinyin initials.
fn make_code(name: &str, taken: &[String], building: bool) -> String {
    let key = crate::address::building_key(name);
    let base = if building && !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric()) {
        key
    } else {
        romanize::place_initials(name)
    };
    let base = if base.is_empty() {
        "x".to_string()
    } else {
        base
    };
    let mut code = base.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&code)) {
        code = format!("{base}{n}");
        n += 1;
    }
    code
}

/// How an import runs: a dry run writes nothing, `skip_invalid` leaves bad
/// rows out, `take` says where the file's values replace local work.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub dry_run: bool,
    pub skip_invalid: bool,
    pub take: Take,
}

/// Imports a parsed roster. With errors and `skip_invalid == false`, or on a
/// dry run, nothing is written; the report says what would happen. Local
/// work wins (see [`reconcile`]).
pub fn import(
    store: &Store,
    ctx: Ctx,
    roster: &Roster,
    dry_run: bool,
    skip_invalid: bool,
) -> Result<Report, RosterError> {
    import_with(
        store,
        ctx,
        roster,
        &Options {
            dry_run,
            skip_invalid,
            take: Take::None,
        },
    )
}

/// [`import`] with a choice of where the file's values win.
pub fn import_with(
    store: &Store,
    ctx: Ctx,
    roster: &Roster,
    opts: &Options,
) -> Result<Report, RosterError> {
    import_progress(store, ctx, roster, opts, &crate::progress::Quiet)
}

/// [`import_with`], telling `progress` how many of the roster's rows are done.
pub fn import_progress(
    store: &Store,
    ctx: Ctx,
    roster: &Roster,
    opts: &Options,
    progress: &dyn crate::progress::Progress,
) -> Result<Report, RosterError> {
    let Options {
        dry_run,
        skip_invalid,
        ref take,
    } = *opts;
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
    let tz = gridbook_domain::clock::tz();
    let this_year = ctx.now.to_jiff().to_zoned(tz).date().year();
    let mut w = Writes::new();
    // Existing and newly staged places, by normalised name.
    let norm = |s: &str| halfwidth(s.trim()).to_lowercase();
    let mut areas: HashMap<String, Id> = HashMap::new();
    // By name without its suffix (`幸福家园小区` → `幸福家园`): the stored name.
    let mut area_keys: HashMap<String, (Id, String)> = HashMap::new();
    let mut area_names: Vec<String> = Vec::new();
    let mut area_codes: Vec<String> = Vec::new();
    for a in store.areas()? {
        areas.insert(norm(&a.name), a.meta.id);
        areas.entry(norm(&a.code)).or_insert(a.meta.id);
        area_keys
            .entry(crate::address::area_key(&a.name))
            .or_insert((a.meta.id, a.name.clone()));
        area_names.push(a.name.clone());
        area_codes.push(a.code.clone());
    }
    let mut buildings: HashMap<(Id, String), Id> = HashMap::new();
    // By the building number its name means (`1栋`, `1号楼` → `1`).
    let mut building_keys: HashMap<(Id, String), (Id, String)> = HashMap::new();
    let mut building_codes: HashMap<Id, Vec<String>> = HashMap::new();
    let mut loaded_areas: std::collections::HashSet<Id> = Default::default();
    let mut households: HashMap<(Id, String), Household> = HashMap::new();
    let mut loaded_buildings: std::collections::HashSet<Id> = Default::default();
    let mut residents: HashMap<(Id, String), Resident> = HashMap::new();
    let mut loaded_households: std::collections::HashSet<Id> = Default::default();
    let mut new_households: std::collections::HashSet<Id> = Default::default();
    let mut touched_households: std::collections::HashSet<Id> = Default::default();
    let mut changed_households: std::collections::HashSet<Id> = Default::default();
    let mut warned: std::collections::HashSet<String> = Default::default();
    // For the reconciliation: names of places for its lines, what was
    // deleted here, which stored households and residents the file names.
    let mut place_names: HashMap<Id, String> = HashMap::new();
    let mut existing_buildings: std::collections::HashSet<Id> = Default::default();
    let mut deleted_households: HashMap<(Id, String), Household> = HashMap::new();
    let mut deleted_residents: HashMap<(Id, String), Resident> = HashMap::new();
    let mut decided_households: std::collections::HashSet<Id> = Default::default();
    let mut seen_residents: std::collections::HashSet<(Id, String)> = Default::default();
    let mut events_of: HashMap<Id, Vec<Event>> = HashMap::new();
    let mut phones: Option<HashMap<String, Vec<(Id, String)>>> = None;
    for a in store.areas()? {
        place_names.insert(a.meta.id, a.name.clone());
    }

    let mut count = crate::progress::Counter::new(progress, roster.rows.len() as u64);
    for row in &roster.rows {
        count.step();
        let mut row = row.clone();
        // A one-column address is split again knowing the stored areas,
        // whose names may run into the building part.
        if let Some(text) = &row.address
            && let Some(s) = crate::address::split_address(text, &area_names)
        {
            let (unit, room) = split_room(&s.unit, &s.room);
            (row.area, row.building, row.unit, row.room) =
                (halfwidth(&s.area), halfwidth(&s.building), unit, room);
        }
        let row = &row;
        // Area
        let area_id = match areas.get(&norm(&row.area)) {
            Some(id) => *id,
            None => match area_keys.get(&crate::address::area_key(&row.area)) {
                Some((id, stored)) => {
                    if warned.insert(row.area.clone()) {
                        report.warnings.push(Warning {
                            line: row.line,
                            area: row.area.clone(),
                            stored: stored.clone(),
                        });
                    }
                    *id
                }
                None => {
                    let code = make_code(&row.area, &area_codes, false);
                    area_codes.push(code.clone());
                    let a = Area {
                        meta: Meta::new(ctx.by),
                        code,
                        name: row.area.clone(),
                    };
                    store.stage_new(&mut w, &a)?;
                    areas.insert(norm(&a.name), a.meta.id);
                    area_keys
                        .entry(crate::address::area_key(&a.name))
                        .or_insert((a.meta.id, a.name.clone()));
                    area_names.push(a.name.clone());
                    place_names.insert(a.meta.id, a.name.clone());
                    loaded_areas.insert(a.meta.id);
                    report.areas_added += 1;
                    a.meta.id
                }
            },
        };
        if loaded_areas.insert(area_id) {
            for b in store.buildings_of(area_id)? {
                place_names.insert(b.meta.id, b.name.clone());
                buildings.insert((area_id, norm(&b.name)), b.meta.id);
                buildings
                    .entry((area_id, norm(&b.code)))
                    .or_insert(b.meta.id);
                building_keys
                    .entry((area_id, crate::address::building_key(&b.name)))
                    .or_insert((b.meta.id, b.name.clone()));
                building_keys
                    .entry((area_id, crate::address::building_key(&b.code)))
                    .or_insert((b.meta.id, b.name.clone()));
                building_codes
                    .entry(area_id)
                    .or_default()
                    .push(b.code.clone());
            }
        }
        // Building
        let bkey = (area_id, norm(&row.building));
        let same_number = (area_id, crate::address::building_key(&row.building));
        let building_id = match buildings.get(&bkey) {
            Some(id) => *id,
            None => match building_keys.get(&same_number) {
                // `1号楼` in the file is the stored `1栋`.
                Some((id, _)) => *id,
                None => {
                    let taken = building_codes.entry(area_id).or_default();
                    let code = make_code(&row.building, taken, true);
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
                    place_names.insert(b.meta.id, b.name.clone());
                    buildings.insert(bkey, b.meta.id);
                    building_keys.insert(same_number, (b.meta.id, b.name.clone()));
                    loaded_buildings.insert(b.meta.id);
                    report.buildings_added += 1;
                    b.meta.id
                }
            },
        };
        if loaded_buildings.insert(building_id) {
            existing_buildings.insert(building_id);
            for h in reconcile::all_children::<Household>(store, building_id)? {
                let key = (building_id, norm(&h.label()));
                if h.meta.is_live() {
                    households.insert(key, h);
                } else {
                    deleted_households.entry(key).or_insert(h);
                }
            }
        }
        // Household
        let label = if row.unit.is_empty() {
            row.room.clone()
        } else {
            format!("{}-{}", row.unit, row.room)
        };
        let place = |id: &Id| place_names.get(id).cloned().unwrap_or_default();
        let address = format!(
            "{}/{}/{}",
            place(&area_id),
            place(&building_id),
            halfwidth(&label)
        );
        let hkey = (building_id, norm(&label));
        // Deleted here on purpose: it stays deleted unless the file's row is taken.
        if !households.contains_key(&hkey)
            && let Some(gone) = deleted_households.get(&hkey)
        {
            let id = gone.meta.id;
            let key = format!("{id}/deleted");
            let taken = take.takes(&key);
            if decided_households.insert(id) {
                let t = gone.meta.tombstone.clone().unwrap_or(Tombstone {
                    at: gone.meta.created_at,
                    by: None,
                    reason: String::new(),
                });
                report.lines.push(Line {
                    line: row.line,
                    address: address.clone(),
                    name: String::new(),
                    what: What::Deleted {
                        done: reconcile::done(store, t.by, t.at)?,
                        reason: t.reason.clone(),
                    },
                    key: Some(key),
                    taken,
                });
                if taken {
                    let mut h = gone.clone();
                    h.meta.tombstone = None;
                    crate::ops::stage_edits(
                        store,
                        &mut w,
                        ctx,
                        &mut h,
                        &[("deleted", t.reason.clone(), String::new())],
                    )
                    .map_err(op_error)?;
                    report.restored += 1;
                    changed_households.insert(id);
                    households.insert(hkey.clone(), h);
                } else {
                    report.kept_here += 1;
                }
            }
            if !taken {
                report.rows_kept_deleted += 1;
                continue;
            }
        }
        let household_id = match households.get_mut(&hkey) {
            Some(h) => {
                if let Some(o) = row.occupancy
                    && o != h.occupancy
                    && !new_households.contains(&h.meta.id)
                {
                    let old = h.occupancy.code().to_string();
                    h.occupancy = o;
                    crate::ops::stage_edits(
                        store,
                        &mut w,
                        ctx,
                        h,
                        &[("status", old, o.code().to_string())],
                    )
                    .map_err(op_error)?;
                    changed_households.insert(h.meta.id);
                }
                h.meta.id
            }
            None => {
                let h = Household {
                    meta: Meta::new(ctx.by),
                    building: building_id,
                    unit: row.unit.clone(),
                    room: row.room.clone(),
                    notes: String::new(),
                    occupancy: row.occupancy.unwrap_or_default(),
                };
                store.stage_new(&mut w, &h)?;
                let id = h.meta.id;
                households.insert(hkey, h);
                loaded_households.insert(id);
                new_households.insert(id);
                report.households_added += 1;
                id
            }
        };
        touched_households.insert(household_id);
        if loaded_households.insert(household_id) {
            for r in reconcile::all_children::<Resident>(store, household_id)? {
                let key = (household_id, r.name.clone());
                if r.meta.is_live() {
                    residents.insert(key, r);
                } else {
                    deleted_residents.entry(key).or_insert(r);
                }
            }
        }
        let rkey = (household_id, row.name.clone());
        seen_residents.insert(rkey.clone());
        // A resident deleted here stays deleted unless the file's row is taken.
        if !residents.contains_key(&rkey)
            && let Some(gone) = deleted_residents.get(&rkey)
        {
            let key = format!("{}/deleted", gone.meta.id);
            let taken = take.takes(&key);
            let t = gone.meta.tombstone.clone().unwrap_or(Tombstone {
                at: gone.meta.created_at,
                by: None,
                reason: String::new(),
            });
            report.lines.push(Line {
                line: row.line,
                address: address.clone(),
                name: row.name.clone(),
                what: What::Deleted {
                    done: reconcile::done(store, t.by, t.at)?,
                    reason: t.reason.clone(),
                },
                key: Some(key),
                taken,
            });
            if !taken {
                report.kept_here += 1;
                report.rows_kept_deleted += 1;
                continue;
            }
            let mut r = gone.clone();
            r.meta.tombstone = None;
            crate::ops::stage_edits(
                store,
                &mut w,
                ctx,
                &mut r,
                &[("deleted", t.reason.clone(), String::new())],
            )
            .map_err(op_error)?;
            report.restored += 1;
            changed_households.insert(household_id);
            residents.insert(rkey.clone(), r);
        }
        // Resident
        let birth_year = row.birth_year.or(row.age.map(|a| this_year - a as i16));
        let input = ResidentInput {
            name: row.name.clone(),
            phones: row.phones.join(";"),
            relation: row.relation.clone(),
            tags: row.tags.join(";"),
            notes: row.notes.clone(),
        };
        let mut phones_to_check: Vec<(Id, Vec<String>)> = Vec::new();
        match residents.get(&rkey).cloned() {
            None => {
                let r = Resident {
                    meta: Meta::new(ctx.by),
                    household: household_id,
                    name: row.name.clone(),
                    phones: row.phones.clone(),
                    relation: row.relation.clone(),
                    tags: row.tags.clone(),
                    notes: row.notes.clone(),
                    status: row.status.unwrap_or_default(),
                    birth_year,
                    care: row
                        .care
                        .iter()
                        .map(|g| CareMark {
                            group: g.clone(),
                            since: ctx.now,
                        })
                        .collect(),
                };
                store.stage_new(&mut w, &r)?;
                report.lines.push(Line {
                    line: row.line,
                    address: address.clone(),
                    name: r.name.clone(),
                    what: What::New,
                    key: None,
                    taken: true,
                });
                // 崔紫萱 next to 崔梓萱 in one household is likely one person typed twice.
                let mut similar: Vec<&String> = residents
                    .iter()
                    .filter(|((h, _), o)| {
                        *h == household_id
                            && o.status == ResidentStatus::Present
                            && reconcile::near_duplicate(&o.name, &r.name)
                    })
                    .map(|((_, n), _)| n)
                    .collect();
                similar.sort();
                for other in similar {
                    report.lines.push(Line {
                        line: row.line,
                        address: address.clone(),
                        name: r.name.clone(),
                        what: What::NearDuplicate {
                            other: other.clone(),
                        },
                        key: None,
                        taken: false,
                    });
                }
                phones_to_check.push((r.meta.id, r.phones.clone()));
                residents.insert(rkey.clone(), r);
                report.residents_added += 1;
                changed_households.insert(household_id);
            }
            Some(mut existing) => {
                // A care word the resident already carries as a plain tag
                // stays a plain tag (a CSV export read back changes nothing).
                let mut row_tags = row.tags.clone();
                let mut row_care = Vec::new();
                for (code, word) in row.care.iter().zip(&row.care_words) {
                    if existing.tags.contains(word) {
                        row_tags.push(word.clone());
                    } else {
                        row_care.push(code.clone());
                    }
                }
                row_tags.sort_by_key(|t| existing.tags.iter().position(|e| e == t));
                let row = Row {
                    tags: row_tags,
                    care: row_care,
                    ..row.clone()
                };
                // What the file says differently, field by field. Empty cells
                // in a re-import leave what is stored alone.
                let mut differ: Vec<(&'static str, String, String)> = Vec::new();
                if !input.phones.is_empty() && existing.phones != row.phones {
                    differ.push(("phones", existing.phones.join(";"), input.phones.clone()));
                }
                if !row.relation.is_empty() && existing.relation != row.relation {
                    differ.push(("relation", existing.relation.clone(), row.relation.clone()));
                }
                if !row.tags.is_empty() && existing.tags != row.tags {
                    differ.push(("tags", existing.tags.join(";"), row.tags.join(";")));
                }
                if !row.notes.is_empty() && existing.notes != row.notes {
                    differ.push(("notes", existing.notes.clone(), row.notes.clone()));
                }
                if let Some(s) = row.status
                    && s != existing.status
                {
                    differ.push((
                        "status",
                        existing.status.code().to_string(),
                        s.code().to_string(),
                    ));
                }
                if let Some(y) = birth_year
                    && existing.birth_year != Some(y)
                {
                    differ.push((
                        "birth_year",
                        existing
                            .birth_year
                            .map(|y| y.to_string())
                            .unwrap_or_default(),
                        y.to_string(),
                    ));
                }
                let rid = existing.meta.id;
                let mut changes: Vec<(&str, String, String)> = Vec::new();
                for (field, old, new) in differ {
                    let events = household_events(store, &mut events_of, household_id)?;
                    match reconcile::last_edit(events, rid, field) {
                        // Changed here since: local work wins unless taken.
                        Some(e) => {
                            let key = format!("{rid}/{field}");
                            let taken = take.takes(&key);
                            report.lines.push(Line {
                                line: row.line,
                                address: address.clone(),
                                name: existing.name.clone(),
                                what: What::ChangedHere {
                                    field: field.to_string(),
                                    here: old.clone(),
                                    file: new.clone(),
                                    done: reconcile::done(store, e.by, e.at)?,
                                },
                                key: Some(key),
                                taken,
                            });
                            if taken {
                                changes.push((field, old, new));
                            } else {
                                report.kept_here += 1;
                            }
                        }
                        None => {
                            report.lines.push(Line {
                                line: row.line,
                                address: address.clone(),
                                name: existing.name.clone(),
                                what: What::Changed {
                                    field: field.to_string(),
                                    old: old.clone(),
                                    new: new.clone(),
                                },
                                key: None,
                                taken: true,
                            });
                            changes.push((field, old, new));
                        }
                    }
                }
                // Marked moved out or deceased here, and listed again by a
                // file that says nothing of it: they stay so unless taken.
                if row.status.is_none() && existing.status != ResidentStatus::Present {
                    let key = format!("{rid}/status");
                    let taken = take.takes(&key);
                    let events = household_events(store, &mut events_of, household_id)?;
                    let (by, at) = reconcile::last_edit(events, rid, "status")
                        .map_or((existing.meta.created_by, existing.meta.created_at), |e| {
                            (e.by, e.at)
                        });
                    report.lines.push(Line {
                        line: row.line,
                        address: address.clone(),
                        name: existing.name.clone(),
                        what: What::Left {
                            status: existing.status.code().to_string(),
                            done: reconcile::done(store, by, at)?,
                        },
                        key: Some(key),
                        taken,
                    });
                    if taken {
                        changes.push((
                            "status",
                            existing.status.code().to_string(),
                            ResidentStatus::Present.code().to_string(),
                        ));
                    } else {
                        report.kept_here += 1;
                    }
                }
                for (field, _, new) in &changes {
                    match *field {
                        "phones" => existing.phones = row.phones.clone(),
                        "relation" => existing.relation = new.clone(),
                        "tags" => existing.tags = row.tags.clone(),
                        "notes" => existing.notes = new.clone(),
                        "status" => {
                            existing.status = ResidentStatus::parse(new).unwrap_or_default()
                        }
                        "birth_year" => existing.birth_year = new.parse().ok(),
                        _ => {}
                    }
                }
                if changes.iter().any(|(f, ..)| *f == "phones") {
                    phones_to_check.push((rid, existing.phones.clone()));
                }
                // Care groups in the file are added; groups set here stay.
                let missing: Vec<&String> = row
                    .care
                    .iter()
                    .filter(|g| !existing.care.iter().any(|m| &m.group == *g))
                    .collect();
                if !missing.is_empty() {
                    let codes = |c: &[CareMark]| {
                        c.iter()
                            .map(|m| m.group.as_str())
                            .collect::<Vec<_>>()
                            .join(";")
                    };
                    let old = codes(&existing.care);
                    for g in missing {
                        existing.care.push(CareMark {
                            group: g.clone(),
                            since: ctx.now,
                        });
                    }
                    changes.push(("care", old, codes(&existing.care)));
                }
                if changes.is_empty() {
                    report.residents_unchanged += 1;
                } else {
                    crate::ops::stage_edits(store, &mut w, ctx, &mut existing, &changes)
                        .map_err(op_error)?;
                    report.residents_updated += 1;
                    changed_households.insert(household_id);
                }
                residents.insert(rkey.clone(), existing);
            }
        }
        // The same phone on two residents: one of them is likely wrong.
        for (rid, list) in phones_to_check {
            if list.is_empty() {
                continue;
            }
            let index = match &mut phones {
                Some(p) => p,
                None => phones.insert(phone_index(store)?),
            };
            for p in &list {
                let others: Vec<(Id, String)> = index
                    .get(p)
                    .map(|v| v.iter().filter(|(id, _)| *id != rid).cloned().collect())
                    .unwrap_or_default();
                for (_, other) in &others {
                    report.lines.push(Line {
                        line: row.line,
                        address: address.clone(),
                        name: row.name.clone(),
                        what: What::SamePhone {
                            phone: p.clone(),
                            other: other.clone(),
                        },
                        key: None,
                        taken: false,
                    });
                }
                let entry = index.entry(p.clone()).or_default();
                if !entry.iter().any(|(id, _)| *id == rid) {
                    entry.push((rid, format!("{address} {}", row.name)));
                }
            }
        }
    }
    count.finish();
    // What the store holds in the buildings the file covers but the file
    // does not list: reported, never deleted.
    let mut missing: Vec<Line> = Vec::new();
    for ((b, _), h) in &households {
        if !existing_buildings.contains(b) || new_households.contains(&h.meta.id) {
            continue;
        }
        let address = format!(
            "{}/{}/{}",
            store
                .building(*b)?
                .and_then(|bl| place_names.get(&bl.area).cloned())
                .unwrap_or_default(),
            place_names.get(b).cloned().unwrap_or_default(),
            h.label()
        );
        if !touched_households.contains(&h.meta.id) {
            missing.push(Line {
                line: 0,
                address,
                name: String::new(),
                what: What::Missing,
                key: None,
                taken: false,
            });
            continue;
        }
        for r in store.residents_of(h.meta.id)? {
            if r.status == ResidentStatus::Present
                && !seen_residents.contains(&(h.meta.id, r.name.clone()))
            {
                missing.push(Line {
                    line: 0,
                    address: address.clone(),
                    name: r.name.clone(),
                    what: What::Missing,
                    key: None,
                    taken: false,
                });
            }
        }
    }
    missing.sort_by(|a, b| (&a.address, &a.name).cmp(&(&b.address, &b.name)));
    report.missing = missing.len();
    report.lines.extend(missing);
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

/// A household's events, newest first, read once per import.
fn household_events<'a>(
    store: &Store,
    cache: &'a mut HashMap<Id, Vec<Event>>,
    household: Id,
) -> Result<&'a [Event], RosterError> {
    if let std::collections::hash_map::Entry::Vacant(v) = cache.entry(household) {
        v.insert(store.timeline(household, usize::MAX)?);
    }
    Ok(cache.get(&household).map(Vec::as_slice).unwrap_or_default())
}

/// Every live resident's phones, with the resident's address and name.
fn phone_index(store: &Store) -> Result<HashMap<String, Vec<(Id, String)>>, RosterError> {
    let mut out: HashMap<String, Vec<(Id, String)>> = HashMap::new();
    let mut addresses: HashMap<Id, String> = HashMap::new();
    for r in store.all::<Resident>() {
        let r = r?;
        if !r.meta.is_live() || r.phones.is_empty() {
            continue;
        }
        let address = match addresses.get(&r.household) {
            Some(a) => a.clone(),
            None => {
                let a = crate::address::zone_of(store, r.household)?
                    .map(|z| z.path())
                    .unwrap_or_default();
                addresses.insert(r.household, a.clone());
                a
            }
        };
        for p in &r.phones {
            out.entry(p.clone())
                .or_default()
                .push((r.meta.id, format!("{address} {}", r.name)));
        }
    }
    Ok(out)
}

/// Staging an edit only fails in the store.
fn op_error(e: crate::ops::OpError) -> RosterError {
    match e {
        crate::ops::OpError::Store(s) => RosterError::Store(s),
        other => RosterError::Rows {
            errors: vec![RowError {
                file: String::new(),
                sheet: None,
                line: 0,
                column: None,
                reason: other.to_string(),
                reason_zh: None,
            }],
        },
    }
}
