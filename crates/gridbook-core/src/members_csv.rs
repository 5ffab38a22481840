//! Members and their zones from CSV: `name/姓名, phone/电话, kind/类型,
//! tags/标签, zones/责任区, liaison/联系户` (zones and liaison households are
//! addresses separated by `;` or line breaks). Every row, and every rule its
//! assignments must follow, is checked before anything is written; then all
//! of it is written in one transaction. Re-importing adds nothing twice.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::address::{self, Zone};
use crate::ops::Ctx;
use crate::progress::{Counter, Progress, Quiet};
use crate::roster::table::{self, Cell, Table};
use crate::roster::{Reason, RosterError, find_header};
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::*;
use gridbook_domain::validate::{self, FieldError, Lines};
use gridbook_store::store::{Assignment, Store, Writes};

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Col {
    Name,
    Phone,
    Kind,
    Tags,
    Zones,
    Liaison,
    Since,
    Branch,
    Id,
}

fn col(h: &str) -> Option<Col> {
    let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
    Some(match h.as_str() {
        "name" | "姓名" => Col::Name,
        "phone" | "电话" | "手机" | "手机号" | "手机号码" | "联系电话" | "联系方式" => {
            Col::Phone
        }
        "kind" | "类型" | "身份" | "类别" => Col::Kind,
        "tags" | "标签" => Col::Tags,
        "zones" | "责任区" | "负责区域" => Col::Zones,
        "liaison" | "联系户" => Col::Liaison,
        "since" | "起始日期" | "开始日期" | "任职日期" => Col::Since,
        "branch" | "所在支部" | "支部" | "党支部" | "所属支部" => Col::Branch,
        "id" | "编号" => Col::Id,
        _ => return None,
    })
}

struct Row {
    line: u64,
    id: Option<Id>,
    name: String,
    phone: String,
    branch: String,
    kind: MemberKind,
    tags: String,
    zones: Vec<Zone>,
    liaison: Vec<Zone>,
    since: Ts,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub members_added: usize,
    /// Members found by id, phone, or name and kind whose tags, phone,
    /// kind or branch the file changed.
    pub members_updated: usize,
    pub members_unchanged: usize,
    pub assignments_added: usize,
    pub assignments_unchanged: usize,
    /// `name: field old → new` for each change to a stored member.
    pub changes: Vec<String>,
    /// Things to know that are not errors (a member without a phone).
    pub warnings: Vec<String>,
    /// `changes` as parts (name, field, old, new), to say in any language.
    #[serde(skip)]
    changed: Vec<[String; 4]>,
    /// Where and who, for each member without a phone.
    #[serde(skip)]
    no_phone: Vec<(String, String)>,
}

impl Report {
    /// The counts, each change and each warning, one per line, in `lang`
    /// (`--json` would keep the English `changes` and `warnings`).
    pub fn text(&self, lang: Lang) -> String {
        let m = |key: &str, args: &[&str]| lang.f(&format!("movemerge.import.{key}"), args);
        let n = [
            self.members_added,
            self.members_updated,
            self.members_unchanged,
            self.assignments_added,
            self.assignments_unchanged,
        ]
        .map(|n| n.to_string());
        let n: Vec<&str> = n.iter().map(String::as_str).collect();
        let mut out = m("members", &n);
        for [name, field, old, new] in &self.changed {
            let field = match lang {
                Lang::En => field.clone(),
                Lang::Zh => header_zh(col(field).unwrap_or(Col::Name)).to_string(),
            };
            out.push_str("\n  ");
            out.push_str(&m("member_changed", &[name, &field, old, new]));
        }
        for (at, name) in &self.no_phone {
            out.push('\n');
            out.push_str(&m("warning", &[&m("no_phone", &[at, name])]));
        }
        out
    }

    fn changed(&mut self, name: &str, field: &str, old: &str, new: &str) {
        self.changes.push(format!("{name}: {field} {old} → {new}"));
        self.changed
            .push([name, field, old, new].map(str::to_string));
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// Imports a members file: CSV, or the first sheet of a workbook.
pub fn import_file(store: &Store, ctx: Ctx, path: &Path) -> Result<Report, RosterError> {
    import_file_sheet(store, ctx, path, None)
}

/// Imports a members file; for a workbook, the sheet named `sheet` (else
/// the first). Errors in a workbook name the cell (`党员!F12`).
pub fn import_file_sheet(
    store: &Store,
    ctx: Ctx,
    path: &Path,
    sheet: Option<&str>,
) -> Result<Report, RosterError> {
    import_file_sheet_with(store, ctx, path, sheet, &Quiet)
}

/// [`import_file_sheet`], telling `progress` how many of the file's rows
/// below the header are checked.
pub fn import_file_sheet_with(
    store: &Store,
    ctx: Ctx,
    path: &Path,
    sheet: Option<&str>,
    progress: &dyn Progress,
) -> Result<Report, RosterError> {
    let t = if table::is_workbook(path) {
        table::workbook(path, sheet)?
    } else {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| RosterError::Read {
            file: file.clone(),
            source,
        })?;
        table::csv(&file, &bytes)?
    };
    import_table_with(store, ctx, &t, progress)
}

/// How many lines a cell of this column may hold.
fn lines(c: Col) -> Lines {
    match c {
        Col::Name | Col::Phone | Col::Kind | Col::Since | Col::Branch | Col::Id => Lines::One,
        Col::Tags | Col::Zones | Col::Liaison => Lines::List,
    }
}

/// The column as a Chinese file heads it.
fn header_zh(c: Col) -> &'static str {
    match c {
        Col::Name => "姓名",
        Col::Phone => "电话",
        Col::Kind => "类型",
        Col::Tags => "标签",
        Col::Zones => "责任区",
        Col::Liaison => "联系户",
        Col::Since => "起始日期",
        Col::Branch => "所在支部",
        Col::Id => "编号",
    }
}

/// A field rule broken in column `c`, in both languages (the field named
/// as a Chinese file names the column).
fn field(c: Col, e: FieldError) -> Reason {
    Reason {
        en: e.to_string(),
        zh: Some(e.named(header_zh(c)).text(Lang::Zh)),
    }
}

/// An address in a cell that names no place, in both languages.
fn address_reason(e: &address::AddrError) -> Reason {
    Reason {
        en: e.to_string(),
        zh: e.said_zh(),
    }
}

/// A reason from the catalogs' `import_cli.row.member_{key}`.
fn said(key: &str, args: &[&str]) -> Reason {
    Reason::of(&format!("member_{key}"), args)
}

fn header_name(c: Col) -> &'static str {
    match c {
        Col::Name => "name",
        Col::Phone => "phone",
        Col::Kind => "kind",
        Col::Tags => "tags",
        Col::Zones => "zones",
        Col::Liaison => "liaison",
        Col::Since => "since",
        Col::Branch => "branch",
        Col::Id => "id",
    }
}

/// Imports a members CSV (UTF-8 or GB18030): all rows or none.
pub fn import(store: &Store, ctx: Ctx, file: &str, bytes: &[u8]) -> Result<Report, RosterError> {
    import_table(store, ctx, &table::csv(file, bytes)?)
}

/// Imports members from a file's rows: all rows or none. Every row, and
/// every rule an assignment must follow (one responsible member at a time, a
/// liaison on a household), is checked against the store and against the
/// rows above it before anything is written; then everything is written in
/// one transaction. A workbook may have title rows above the header.
pub fn import_table(store: &Store, ctx: Ctx, t: &Table) -> Result<Report, RosterError> {
    import_table_with(store, ctx, t, &Quiet)
}

/// [`import_table`], telling `progress` how many rows are checked.
pub fn import_table_with(
    store: &Store,
    ctx: Ctx,
    t: &Table,
    progress: &dyn Progress,
) -> Result<Report, RosterError> {
    let file = t.file.as_str();
    let hi = if t.sheet.is_some() {
        find_header(t, |h| col(h).is_some())?
    } else {
        // CSV: the first row is the header, as it always was.
        t.records
            .iter()
            .position(|r| r.cells.is_ok())
            .filter(|&i| i == 0)
            .ok_or_else(|| RosterError::NoHeader {
                file: file.to_string(),
            })?
    };
    let header_line = t.records[hi].line.max(1);
    let headers: Vec<String> = match &t.records[hi].cells {
        Ok(c) => c
            .iter()
            .map(|c| c.text().trim_start_matches('\u{feff}').trim().to_string())
            .collect(),
        Err(_) => Vec::new(),
    };
    let mut cols: HashMap<Col, usize> = HashMap::new();
    let mut header_errors = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if let Some(c) = col(h) {
            match cols.get(&c) {
                None => {
                    cols.insert(c, i);
                }
                Some(&first) => {
                    let n = (first + 1 + t.first_column).to_string();
                    header_errors.push(t.error(
                        header_line,
                        Some((i, h)),
                        Reason::said(|lang| {
                            let column = match lang {
                                Lang::En => format!("{} column", header_name(c)),
                                Lang::Zh => format!("{}列", header_zh(c)),
                            };
                            lang.f(
                                "import_cli.row.same_column",
                                &[&n, &headers[first], &column],
                            )
                        }),
                    ))
                }
            }
        }
    }
    if !header_errors.is_empty() {
        return Err(RosterError::Rows {
            errors: header_errors,
        });
    }
    let missing: Vec<String> = [(Col::Name, "姓名 (name)")]
        .iter()
        .filter(|(c, _)| !cols.contains_key(c))
        .map(|(_, n)| n.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(RosterError::MissingColumns {
            file: file.to_string(),
            line: header_line,
            missing,
        });
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut count = Counter::new(progress, (t.records.len() - hi - 1) as u64);
    for rec in &t.records[hi + 1..] {
        count.step();
        let line = rec.line;
        let raw = match &rec.cells {
            Ok(c) => c,
            Err(reason) => {
                errors.push(t.error(line, None, reason.clone()));
                continue;
            }
        };
        let texts: Vec<String> = raw.iter().map(Cell::text).collect();
        if texts.iter().all(|c| c.is_empty()) {
            continue;
        }
        let cell = |c: Col| {
            cols.get(&c)
                .and_then(|&i| texts.get(i))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let err = |c: Col, reason: Reason| {
            let at = cols.get(&c).map(|&i| (i, headers[i].as_str()));
            t.error(line, at, reason)
        };
        let before = errors.len();
        // No cell may carry a control character into the store.
        let mut by_position: Vec<(usize, Col)> = cols.iter().map(|(&c, &i)| (i, c)).collect();
        by_position.sort_by_key(|&(i, _)| i);
        for (i, c) in by_position {
            if let Err(e) = validate::check_chars(
                header_name(c),
                texts.get(i).map_or("", String::as_str),
                lines(c),
            ) {
                errors.push(err(c, field(c, e)));
            }
        }
        if errors.len() > before {
            continue;
        }
        let name = validate::name("name", &cell(Col::Name))
            .map_err(|e| err(Col::Name, field(Col::Name, e)));
        // A phone is optional for members: a warning, not an error.
        let phone_cell = cols.get(&Col::Phone).and_then(|&i| raw.get(i));
        let phone_text = cell(Col::Phone);
        let phone = if phone_text.is_empty() {
            warnings.push((t.at(line), cell(Col::Name)));
            Ok(String::new())
        } else {
            // A workbook's number cell is recovered only when exact.
            phone_cell
                .map_or(Ok(phone_text.clone()), table::phone_text)
                .map_err(|e| err(Col::Phone, e))
                .and_then(|p| {
                    validate::phone(&p).map_err(|e| err(Col::Phone, field(Col::Phone, e)))
                })
        };
        let id_text = cell(Col::Id);
        let id = if id_text.is_empty() {
            None
        } else {
            match id_text.parse::<Id>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.push(err(Col::Id, said("id", &[&id_text])));
                    None
                }
            }
        };
        let kind_text = cell(Col::Kind);
        let kind = if kind_text.is_empty() {
            Some(MemberKind::PartyMember)
        } else {
            MemberKind::parse(&kind_text)
        };
        if kind.is_none() {
            errors.push(err(Col::Kind, said("kind", &[&kind_text])));
        }
        let since_text = cell(Col::Since);
        let since = if since_text.is_empty() {
            ctx.now
        } else {
            let read =
                gridbook_domain::when::instant(&since_text, ctx.now, &gridbook_domain::clock::tz())
                    .map_err(|en| Reason {
                        en,
                        zh: Some(Lang::Zh.f("err.time", &[&since_text])),
                    })
                    .and_then(|t| {
                        validate::entry_time("since", t).map_err(|e| field(Col::Since, e))
                    });
            match read {
                Ok(t) => t,
                Err(e) => {
                    errors.push(err(Col::Since, e));
                    ctx.now
                }
            }
        };
        // A store that cannot be read is no row's fault: the import stops.
        let mut resolve_all = |c: Col| -> Result<Vec<Zone>, RosterError> {
            let mut zones = Vec::new();
            for a in cell(c)
                .split([';', '；', '、', ',', '，', '\n', '\r'])
                .map(str::trim)
                .filter(|a| !a.is_empty())
            {
                match address::resolve(store, a) {
                    Ok(z) => zones.push(z),
                    Err(address::AddrError::Store(e)) => return Err(RosterError::Store(e)),
                    Err(e) => errors.push(err(c, address_reason(&e))),
                }
            }
            Ok(zones)
        };
        let zones = resolve_all(Col::Zones)?;
        let liaison = resolve_all(Col::Liaison)?;
        match (name, phone) {
            (Ok(name), Ok(phone)) if errors.len() == before => rows.push(Row {
                line,
                id,
                name,
                phone,
                branch: cell(Col::Branch),
                kind: kind.unwrap_or(MemberKind::PartyMember),
                tags: cell(Col::Tags),
                zones,
                liaison,
                since,
            }),
            (n, p) => {
                if let Err(e) = n {
                    errors.push(e);
                }
                if let Err(e) = p {
                    errors.push(e);
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(RosterError::Rows { errors });
    }
    let (w, mut report) = plan(store, ctx, t, &cols, &headers, &rows)?;
    report.warnings = warnings
        .iter()
        .map(|(at, name)| format!("{at}: {name} has no phone"))
        .collect();
    report.no_phone = warnings;
    store.commit(w)?;
    count.finish();
    Ok(report)
}

/// Stages every member and assignment the rows add, checking the rules of
/// [`crate::ops::assign`] against the store and the rows above. Any broken
/// rule is a row error with its line, and nothing is staged for commit.
fn plan(
    store: &Store,
    ctx: Ctx,
    t: &Table,
    cols: &HashMap<Col, usize>,
    headers: &[String],
    rows: &[Row],
) -> Result<(Writes, Report), RosterError> {
    let mut report = Report::default();
    let mut errors = Vec::new();
    let mut w = Writes::new();
    let existing = store.members()?;
    // Members added by rows above, by (name, phone).
    let mut added: HashMap<(String, String), Id> = HashMap::new();
    let mut names: HashMap<Id, String> = existing
        .iter()
        .map(|m| (m.meta.id, m.name.clone()))
        .collect();
    // The spans of each zone touched: stored, then as the rows change them.
    let mut spans: HashMap<Id, Vec<Assignment>> = HashMap::new();
    for row in rows {
        let err = |c: Col, reason: Reason| {
            let at = cols.get(&c).map(|&i| (i, headers[i].as_str()));
            t.error(row.line, at, reason)
        };
        let key = (row.name.clone(), row.phone.clone());
        let tags = validate::tags(&row.tags);
        // The member this row is: by id, else by phone, else by name with
        // the same kind.
        let found = existing
            .iter()
            .find(|m| row.id == Some(m.meta.id))
            .or_else(|| {
                existing
                    .iter()
                    .find(|m| !row.phone.is_empty() && m.phone == row.phone)
            })
            .or_else(|| {
                existing
                    .iter()
                    .find(|m| m.name == row.name && m.kind == row.kind)
            })
            .filter(|m| m.meta.is_live());
        let member = match found
            .map(|m| m.meta.id)
            .or_else(|| added.get(&key).copied())
        {
            Some(id) => {
                if let Some(m) = found
                    && let Some(mut m) = store.member(m.meta.id)?
                {
                    let mut changes: Vec<(&str, String, String)> = Vec::new();
                    if !row.phone.is_empty() && m.phone != row.phone {
                        changes.push(("phone", m.phone.clone(), row.phone.clone()));
                        m.phone = row.phone.clone();
                    }
                    if !tags.is_empty() && m.tags != tags {
                        changes.push(("tags", m.tags.join(";"), tags.join(";")));
                        m.tags = tags.clone();
                    }
                    if !row.branch.is_empty() && m.branch != row.branch {
                        changes.push(("branch", m.branch.clone(), row.branch.clone()));
                        m.branch = row.branch.clone();
                    }
                    if changes.is_empty() {
                        report.members_unchanged += 1;
                    } else {
                        for (field, old, new) in &changes {
                            report.changed(&m.name, field, old, new);
                        }
                        crate::ops::stage_edits(store, &mut w, ctx, &mut m, &changes).map_err(
                            |e| match e {
                                crate::ops::OpError::Store(s) => RosterError::Store(s),
                                e => RosterError::Rows {
                                    errors: vec![err(Col::Name, e.to_string().into())],
                                },
                            },
                        )?;
                        report.members_updated += 1;
                    }
                } else {
                    report.members_unchanged += 1;
                }
                id
            }
            None => {
                let m = Member {
                    meta: Meta::new(ctx.by),
                    name: row.name.clone(),
                    phone: row.phone.clone(),
                    kind: row.kind,
                    tags: tags.clone(),
                    branch: row.branch.clone(),
                };
                store.stage_new(&mut w, &m)?;
                store.stage_event(
                    &mut w,
                    &Event::new(
                        m.meta.id,
                        ctx.now,
                        ctx.by,
                        EventBody::Created {
                            target: m.meta.id,
                            kind: Kind::Member,
                            label: m.name.clone(),
                        },
                    ),
                )?;
                added.insert(key, m.meta.id);
                names.insert(m.meta.id, m.name.clone());
                report.members_added += 1;
                m.meta.id
            }
        };
        for (c, zones, role) in [
            (Col::Zones, &row.zones, Role::Responsible),
            (Col::Liaison, &row.liaison, Role::Liaison),
        ] {
            for z in zones {
                let zone = z.id();
                if role == Role::Liaison && z.kind() != Kind::Household {
                    errors.push(err(c, said("liaison", &[&z.path()])));
                    continue;
                }
                let list = match spans.entry(zone) {
                    std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(store.assignments_of(zone)?)
                    }
                };
                if list
                    .iter()
                    .any(|a| a.member == member && a.role == role && a.until.is_none())
                {
                    report.assignments_unchanged += 1;
                    continue;
                }
                let since = row.since;
                let who = |id: Id| names.get(&id).cloned().unwrap_or_else(|| id.short());
                // One responsible member at a time: a span that starts at or
                // after the new one and has not ended would overlap it.
                if let Some(a) = list.iter().find(|a| {
                    role == Role::Responsible
                        && a.role == role
                        && a.since >= since
                        && a.until.is_none_or(|u| u > since)
                }) {
                    errors.push(err(
                        c,
                        said(
                            "responsible_from",
                            &[&z.path(), &who(a.member), &a.since.date().to_string()],
                        ),
                    ));
                    continue;
                }
                if let Some(a) = list
                    .iter()
                    .find(|a| a.role == role && a.active_at(since) && a.member == member)
                {
                    errors.push(err(c, said("holds_role", &[&z.path(), &who(a.member)])));
                    continue;
                }
                if role == Role::Responsible {
                    for a in list
                        .iter_mut()
                        .filter(|a| a.role == role && a.active_at(since))
                    {
                        store.stage_event(
                            &mut w,
                            &Event::new(
                                zone,
                                since,
                                ctx.by,
                                EventBody::AssignmentEnded {
                                    assignment: a.id,
                                    until: since,
                                },
                            ),
                        )?;
                        a.until = Some(since);
                    }
                }
                let e = Event::new(
                    zone,
                    since,
                    ctx.by,
                    EventBody::Assigned {
                        member,
                        role,
                        since,
                        until: None,
                    },
                );
                store.stage_event(&mut w, &e)?;
                list.push(Assignment {
                    id: e.id,
                    zone,
                    member,
                    role,
                    since,
                    until: None,
                });
                report.assignments_added += 1;
            }
        }
    }
    if errors.is_empty() {
        Ok((w, report))
    } else {
        Err(RosterError::Rows { errors })
    }
}
