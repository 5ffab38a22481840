//! Lossless export and import of everything (JSON), and a roster + events
//! export as CSV files or one Excel workbook.
//!
//! **Personal data notice.** Every file written here holds names, phones and
//! addresses of residents, so each one says so and is created with mode 0600:
//! - JSON: the first field of the top-level object is `"notice"`.
//! - CSV: the header is the first line (Excel opens it cleanly); the notice
//!   is `README.txt` beside the CSV files, and the command prints it. The
//!   roster importer still skips `#` rows above the header, which older
//!   exports wrote.
//! - xlsx: a merged row above the first sheet's header.
//!
//! The JSON is deterministic: records of each kind and events in id order,
//! no export time inside, so export → import → export gives the same bytes.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::roster::Col;
use gridbook_domain::describe;
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::*;
use gridbook_domain::validate;
use gridbook_store::order::{self, Stamp};
use gridbook_store::store::{Record, Store, StoreError, Writes};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Json,
    Csv,
    Xlsx,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            _ => Err(format!("`{s}` is not an export format: json, csv, xlsx")),
        }
    }
}

/// What the first field of every export says.
/// It has no comma or quote, so it stays one bare cell in a CSV file.
pub const NOTICE: &str = "This file contains personal information of residents (names; phone numbers; addresses). Keep it private and delete copies you no longer need. 本文件含有居民个人信息（姓名、电话、住址），请妥善保管，勿外传，不用时删除。";

/// Names this kind of file in its `format` field.
pub const FORMAT_NAME: &str = "gridbook-export";
/// Bumped when the JSON layout changes incompatibly.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("{file}: not a gridbook export: {reason}")]
    NotExport { file: String, reason: NotExport },
    #[error("{file}: {reason}")]
    Invalid { file: String, reason: String },
    #[error("{} already holds data; import json and restore fill an empty store (restore --force replaces it)", dir.display())]
    NotEmpty { dir: PathBuf },
    #[error(transparent)]
    Seal(#[from] crate::seal::SealError),
    /// What was needed to read a file was not given (a passphrase, a key).
    #[error("{0}")]
    Refused(String),
}

/// Why a file is not a gridbook export gridbook can read. Typed, so the
/// edge can say it in either language.
#[derive(Debug, Error)]
pub enum NotExport {
    /// Not JSON at all: where the parser stopped and what it said.
    #[error("line {line}, column {column}: {detail}")]
    Json {
        line: usize,
        column: usize,
        detail: String,
    },
    #[error("no \"format\": \"{FORMAT_NAME}\" field")]
    NoFormat,
    #[error("no \"format_version\" field")]
    NoVersion,
    #[error(
        "format version {0} is newer than this gridbook reads ({FORMAT_VERSION}); use a newer gridbook"
    )]
    NewerVersion(u64),
    #[error("format version {0} is not one gridbook ever wrote (1 to {FORMAT_VERSION})")]
    UnknownVersion(u64),
    #[error(
        "schema version {found} is newer than this gridbook knows ({known}); use a newer gridbook"
    )]
    NewerSchema { found: u32, known: u32 },
}

impl gridbook_domain::error::Kinded for ExportError {
    /// A file that cannot be written is the user's path (`--out`), so input.
    fn kind(&self) -> gridbook_domain::error::ErrorKind {
        use gridbook_domain::error::ErrorKind;
        match self {
            ExportError::Store(e) => e.kind(),
            _ => ErrorKind::Input,
        }
    }
}

/// Everything in a store, in the order it is written out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dump {
    pub notice: String,
    pub format: String,
    pub format_version: u32,
    pub schema_version: u32,
    pub areas: Vec<Area>,
    pub buildings: Vec<Building>,
    pub households: Vec<Household>,
    pub residents: Vec<Resident>,
    pub members: Vec<Member>,
    pub events: Vec<Event>,
    /// Each entry's place in the order every device agrees on, by entry id
    /// (entries from before stamps have none). Absent from older files.
    #[serde(default)]
    pub stamps: Vec<StampRow>,
}

/// One entry's stamp ([`gridbook_store::order::Stamp`]) in an export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StampRow {
    pub id: Id,
    pub lamport: u64,
    pub device: Id,
    pub seq: u64,
    pub replaces: Vec<Id>,
}

impl StampRow {
    pub fn new(id: Id, s: Stamp) -> StampRow {
        StampRow {
            id,
            lamport: s.lamport,
            device: s.device,
            seq: s.seq,
            replaces: s.replaces,
        }
    }
    pub fn stamp(&self) -> Stamp {
        Stamp {
            lamport: self.lamport,
            device: self.device,
            seq: self.seq,
            replaces: self.replaces.clone(),
        }
    }
}

impl Dump {
    /// Reads every record (tombstoned ones too) and every event.
    pub fn from_store(store: &Store) -> Result<Dump, StoreError> {
        Dump::from_store_with(store, &crate::progress::Quiet)
    }

    /// [`Dump::from_store`], telling `progress` how many records and events
    /// are read, of the total the store's counts give (0 for a store
    /// written before it kept counts).
    pub fn from_store_with(
        store: &Store,
        progress: &dyn crate::progress::Progress,
    ) -> Result<Dump, StoreError> {
        let total = store.counts()?.map_or(0, |c| c.entries.iter().sum());
        let mut count = crate::progress::Counter::new(progress, total);
        let areas = store
            .all()
            .inspect(|_| count.step())
            .collect::<Result<_, _>>()?;
        let buildings = store
            .all()
            .inspect(|_| count.step())
            .collect::<Result<_, _>>()?;
        let households = store
            .all()
            .inspect(|_| count.step())
            .collect::<Result<_, _>>()?;
        let residents = store
            .all()
            .inspect(|_| count.step())
            .collect::<Result<_, _>>()?;
        let members = store
            .all()
            .inspect(|_| count.step())
            .collect::<Result<_, _>>()?;
        let events = store
            .events()
            .inspect(|_| count.step())
            .collect::<Result<_, _>>()?;
        let stamps = store
            .stamps()?
            .into_iter()
            .map(|(id, s)| StampRow::new(id, s))
            .collect();
        count.finish();
        let dump = Dump {
            notice: NOTICE.to_string(),
            format: FORMAT_NAME.to_string(),
            format_version: FORMAT_VERSION,
            schema_version: store.exported_schema()?,
            areas,
            buildings,
            households,
            residents,
            members,
            events,
            stamps,
        };
        // A store that lost records must not export (or back up) as whole.
        let n = |len: usize| len as u64;
        store.verify_counts([
            n(dump.areas.len()),
            n(dump.buildings.len()),
            n(dump.households.len()),
            n(dump.residents.len()),
            n(dump.members.len()),
            n(dump.events.len()),
        ])?;
        Ok(dump)
    }

    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
            && self.buildings.is_empty()
            && self.households.is_empty()
            && self.residents.is_empty()
            && self.members.is_empty()
            && self.events.is_empty()
    }

    /// The JSON text, ending in a newline.
    pub fn to_json(&self) -> Vec<u8> {
        // Serialising plain data into memory cannot fail.
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }

    /// Parses and checks an export; `file` names it in messages.
    pub fn from_json(file: &str, bytes: &[u8]) -> Result<Dump, ExportError> {
        let not_export = |reason: NotExport| ExportError::NotExport {
            file: file.to_string(),
            reason,
        };
        // Look at the envelope first so a wrong file gets a plain answer
        // rather than a complaint about some missing field. Other fields are
        // skipped without being kept, so a large file is not held twice.
        #[derive(Deserialize)]
        struct Envelope {
            format: Option<String>,
            format_version: Option<u64>,
        }
        let head: Envelope = serde_json::from_slice(bytes).map_err(|e| {
            not_export(NotExport::Json {
                line: e.line(),
                column: e.column(),
                detail: e.to_string(),
            })
        })?;
        if head.format.as_deref() != Some(FORMAT_NAME) {
            return Err(not_export(NotExport::NoFormat));
        }
        match head.format_version {
            Some(v) if (1..=FORMAT_VERSION as u64).contains(&v) => {}
            Some(v) if v > FORMAT_VERSION as u64 => {
                return Err(not_export(NotExport::NewerVersion(v)));
            }
            Some(v) => return Err(not_export(NotExport::UnknownVersion(v))),
            None => return Err(not_export(NotExport::NoVersion)),
        }
        let dump: Dump = serde_json::from_slice(bytes).map_err(|e| ExportError::Invalid {
            file: file.to_string(),
            reason: e.to_string(),
        })?;
        if dump.schema_version > gridbook_store::store::SCHEMA_VERSION {
            return Err(not_export(NotExport::NewerSchema {
                found: dump.schema_version,
                known: gridbook_store::store::SCHEMA_VERSION,
            }));
        }
        dump.check(file)?;
        dump.check_references(file)?;
        Ok(dump)
    }

    /// Every event names what exists: its zone, its writer, the member,
    /// household, resident, problem, assignment or record it is about. The
    /// first that does not is named by its JSON path (`events[12].zone`).
    fn check_references(&self, file: &str) -> Result<(), ExportError> {
        let missing = |path: String, what: &str, id: Id| ExportError::Invalid {
            file: file.to_string(),
            reason: format!("{path}: no {what} {id} in the file"),
        };
        let areas: HashSet<Id> = self.areas.iter().map(|a| a.meta.id).collect();
        let buildings: HashSet<Id> = self.buildings.iter().map(|b| b.meta.id).collect();
        let households: HashSet<Id> = self.households.iter().map(|h| h.meta.id).collect();
        let residents: HashSet<Id> = self.residents.iter().map(|r| r.meta.id).collect();
        let members: HashSet<Id> = self.members.iter().map(|m| m.meta.id).collect();
        let mut assignments: HashSet<Id> = HashSet::new();
        let mut problems: HashSet<Id> = HashSet::new();
        let mut events: HashSet<Id> = HashSet::new();
        for e in &self.events {
            events.insert(e.id);
            match e.body {
                EventBody::Assigned { .. } => {
                    assignments.insert(e.id);
                }
                EventBody::ProblemOpened(_) => {
                    problems.insert(e.id);
                }
                _ => {}
            }
        }
        let record = |kind: Kind| -> &HashSet<Id> {
            match kind {
                Kind::Area => &areas,
                Kind::Building => &buildings,
                Kind::Household => &households,
                Kind::Resident => &residents,
                Kind::Member => &members,
            }
        };
        for (i, e) in self.events.iter().enumerate() {
            let at = |field: &str| format!("events[{i}].{field}");
            let is_zone =
                |id: Id| areas.contains(&id) || buildings.contains(&id) || households.contains(&id);
            // Entries about a member hang on the member itself.
            if !is_zone(e.zone) && !members.contains(&e.zone) {
                return Err(missing(
                    at("zone"),
                    "area, building, household or member",
                    e.zone,
                ));
            }
            if let Some(by) = e.by
                && !members.contains(&by)
            {
                return Err(missing(at("by"), "member", by));
            }
            let need = |ok: bool, field: &str, what: &str, id: Id| {
                if ok {
                    Ok(())
                } else {
                    Err(missing(at(field), what, id))
                }
            };
            let correction_refs = |c: &Correction, prefix: &str| -> Result<(), ExportError> {
                match c {
                    Correction::Visit(VisitBody {
                        household, member, ..
                    }) => {
                        need(
                            households.contains(household),
                            &format!("{prefix}.Visit.household"),
                            "household",
                            *household,
                        )?;
                        need(
                            members.contains(member),
                            &format!("{prefix}.Visit.member"),
                            "member",
                            *member,
                        )
                    }
                    Correction::ProblemOpened(ProblemOpenedBody { reporter, .. }) => match reporter
                    {
                        Some(r) => need(
                            residents.contains(r),
                            &format!("{prefix}.ProblemOpened.reporter"),
                            "resident",
                            *r,
                        ),
                        None => Ok(()),
                    },
                    Correction::ProblemStepped(ProblemSteppedBody { problem, .. }) => need(
                        problems.contains(problem),
                        &format!("{prefix}.ProblemStepped.problem"),
                        "problem",
                        *problem,
                    ),
                    Correction::Patrol(_) => Ok(()),
                    Correction::Activity(ActivityBody { members: who, .. }) => {
                        for (j, m) in who.iter().enumerate() {
                            need(
                                members.contains(m),
                                &format!("{prefix}.Activity.members[{j}]"),
                                "member",
                                *m,
                            )?;
                        }
                        Ok(())
                    }
                }
            };
            match &e.body {
                EventBody::Assigned { member, .. } => need(
                    members.contains(member),
                    "body.Assigned.member",
                    "member",
                    *member,
                )?,
                EventBody::AssignmentEnded { assignment, .. } => need(
                    assignments.contains(assignment),
                    "body.AssignmentEnded.assignment",
                    "assignment",
                    *assignment,
                )?,
                EventBody::Visit(VisitBody {
                    household, member, ..
                }) => {
                    need(
                        households.contains(household),
                        "body.Visit.household",
                        "household",
                        *household,
                    )?;
                    need(
                        members.contains(member),
                        "body.Visit.member",
                        "member",
                        *member,
                    )?;
                }
                EventBody::ProblemOpened(ProblemOpenedBody { reporter, .. }) => {
                    if let Some(r) = reporter {
                        need(
                            residents.contains(r),
                            "body.ProblemOpened.reporter",
                            "resident",
                            *r,
                        )?;
                    }
                }
                EventBody::ProblemStepped(ProblemSteppedBody { problem, .. }) => need(
                    problems.contains(problem),
                    "body.ProblemStepped.problem",
                    "problem",
                    *problem,
                )?,
                EventBody::Patrol(_) => {}
                EventBody::Moved { resident, from, to } => {
                    need(
                        residents.contains(resident),
                        "body.Moved.resident",
                        "resident",
                        *resident,
                    )?;
                    need(
                        households.contains(from),
                        "body.Moved.from",
                        "household",
                        *from,
                    )?;
                    need(households.contains(to), "body.Moved.to", "household", *to)?;
                }
                EventBody::Merged { from, into } => {
                    need(
                        households.contains(from),
                        "body.Merged.from",
                        "household",
                        *from,
                    )?;
                    need(
                        households.contains(into),
                        "body.Merged.into",
                        "household",
                        *into,
                    )?;
                }
                EventBody::Activity(ActivityBody { members: who, .. }) => {
                    for (j, m) in who.iter().enumerate() {
                        need(
                            members.contains(m),
                            &format!("body.Activity.members[{j}]"),
                            "member",
                            *m,
                        )?;
                    }
                }
                EventBody::Edited { target, kind, .. } => need(
                    record(*kind).contains(target),
                    "body.Edited.target",
                    kind.code(),
                    *target,
                )?,
                EventBody::Created { target, kind, .. } => need(
                    record(*kind).contains(target),
                    "body.Created.target",
                    kind.code(),
                    *target,
                )?,
                EventBody::Tombstoned { target, kind, .. } => need(
                    record(*kind).contains(target),
                    "body.Tombstoned.target",
                    kind.code(),
                    *target,
                )?,
                EventBody::Erased { person, kind } => need(
                    record(*kind).contains(person),
                    "body.Erased.person",
                    kind.code(),
                    *person,
                )?,
                EventBody::Amended {
                    supersedes,
                    replacement,
                    ..
                } => {
                    need(
                        events.contains(supersedes),
                        "body.Amended.supersedes",
                        "entry",
                        *supersedes,
                    )?;
                    correction_refs(replacement, "body.Amended.replacement")?;
                }
            }
        }
        Ok(())
    }

    /// What a file from elsewhere must also satisfy to be taken in (`import
    /// json`): every text field holds printable text, one line where the
    /// field is one line (the rule of [`validate::check_chars`]), and every
    /// entry is dated in 1970 to 9999. The first field that does not is named
    /// by its JSON path (`residents[3].name`). gridbook's own backups are
    /// restored without this, so data saved by an older gridbook is never
    /// locked out; it is shown with anything non-printable escaped.
    pub fn check_input(&self, file: &str) -> Result<(), ExportError> {
        use validate::Lines::{self, Many, One};
        let bad = |path: String, e: validate::FieldError| ExportError::Invalid {
            file: file.to_string(),
            reason: format!("{path}: {e}"),
        };
        let text = |path: &dyn Fn() -> String, field: &'static str, s: &str, lines: Lines| {
            validate::check_chars(field, s, lines).map_err(|e| bad(path(), e))
        };
        let list = |path: &dyn Fn() -> String, field: &'static str, items: &[String]| {
            for (j, s) in items.iter().enumerate() {
                validate::check_chars(field, s, One)
                    .map_err(|e| bad(format!("{}[{j}]", path()), e))?;
            }
            Ok::<(), ExportError>(())
        };
        let time = |path: &dyn Fn() -> String, t: Ts| {
            validate::entry_time("time", t)
                .map(|_| ())
                .map_err(|e| bad(path(), e))
        };
        let meta = |p: &str, m: &Meta| -> Result<(), ExportError> {
            let Meta {
                id: _,
                created_at: _,
                created_by: _,
                version: _,
                tombstone,
            } = m;
            if let Some(Tombstone {
                at: _,
                by: _,
                reason,
            }) = tombstone
            {
                text(
                    &|| format!("{p}.meta.tombstone.reason"),
                    "reason",
                    reason,
                    Many,
                )?;
            }
            Ok(())
        };
        // The amendable bodies, checked alike in an entry and in the
        // correction an amendment carries; `p` is the path up to the kind.
        let visit = |p: &str, v: &VisitBody| {
            text(&|| format!("{p}.Visit.purpose"), "purpose", &v.purpose, One)?;
            text(&|| format!("{p}.Visit.note"), "note", &v.note, Many)
        };
        let problem_opened = |p: &str, o: &ProblemOpenedBody| {
            text(
                &|| format!("{p}.ProblemOpened.category"),
                "category",
                &o.category,
                One,
            )?;
            text(
                &|| format!("{p}.ProblemOpened.description"),
                "description",
                &o.description,
                Many,
            )
        };
        let problem_stepped = |p: &str, s: &ProblemSteppedBody| {
            text(
                &|| format!("{p}.ProblemStepped.note"),
                "note",
                &s.note,
                Many,
            )
        };
        let patrol = |p: &str, t: &PatrolBody| {
            for (j, it) in t.items.iter().enumerate() {
                text(
                    &|| format!("{p}.Patrol.items[{j}].item"),
                    "item",
                    &it.item,
                    One,
                )?;
                text(
                    &|| format!("{p}.Patrol.items[{j}].note"),
                    "note",
                    &it.note,
                    Many,
                )?;
            }
            text(&|| format!("{p}.Patrol.note"), "note", &t.note, Many)
        };
        let activity = |p: &str, a: &ActivityBody| {
            text(&|| format!("{p}.Activity.kind"), "kind", &a.kind, One)?;
            text(&|| format!("{p}.Activity.note"), "note", &a.note, Many)
        };
        for (i, a) in self.areas.iter().enumerate() {
            let Area {
                meta: m,
                code,
                name,
            } = a;
            let p = format!("areas[{i}]");
            meta(&p, m)?;
            text(&|| format!("{p}.code"), "code", code, One)?;
            text(&|| format!("{p}.name"), "name", name, One)?;
        }
        for (i, b) in self.buildings.iter().enumerate() {
            let Building {
                meta: m,
                area: _,
                code,
                name,
                first_floor: _,
                doors_per_floor: _,
            } = b;
            let p = format!("buildings[{i}]");
            meta(&p, m)?;
            text(&|| format!("{p}.code"), "code", code, One)?;
            text(&|| format!("{p}.name"), "name", name, One)?;
        }
        for (i, h) in self.households.iter().enumerate() {
            let Household {
                meta: m,
                building: _,
                unit,
                room,
                notes,
                occupancy: _,
            } = h;
            let p = format!("households[{i}]");
            meta(&p, m)?;
            text(&|| format!("{p}.unit"), "unit", unit, One)?;
            text(&|| format!("{p}.room"), "room", room, One)?;
            text(&|| format!("{p}.notes"), "notes", notes, Many)?;
        }
        for (i, r) in self.residents.iter().enumerate() {
            let Resident {
                meta: m,
                household: _,
                name,
                phones,
                relation,
                tags,
                notes,
                status: _,
                birth_year: _,
                care,
            } = r;
            let p = format!("residents[{i}]");
            for (j, c) in care.iter().enumerate() {
                text(
                    &|| format!("{p}.care[{j}].group"),
                    "care group",
                    &c.group,
                    One,
                )?;
                time(&|| format!("{p}.care[{j}].since"), c.since)?;
            }
            meta(&p, m)?;
            text(&|| format!("{p}.name"), "name", name, One)?;
            list(&|| format!("{p}.phones"), "phone", phones)?;
            text(&|| format!("{p}.relation"), "relation", relation, One)?;
            list(&|| format!("{p}.tags"), "tag", tags)?;
            text(&|| format!("{p}.notes"), "notes", notes, Many)?;
        }
        for (i, m) in self.members.iter().enumerate() {
            let Member {
                meta: mm,
                name,
                phone,
                kind: _,
                tags,
                branch,
            } = m;
            let p = format!("members[{i}]");
            text(&|| format!("{p}.branch"), "branch", branch, One)?;
            meta(&p, mm)?;
            text(&|| format!("{p}.name"), "name", name, One)?;
            text(&|| format!("{p}.phone"), "phone", phone, One)?;
            list(&|| format!("{p}.tags"), "tag", tags)?;
        }
        for (i, e) in self.events.iter().enumerate() {
            let p = format!("events[{i}]");
            time(&|| format!("{p}.at"), e.at)?;
            time(&|| format!("{p}.created_at"), e.created_at)?;
            let b = format!("{p}.body");
            match &e.body {
                EventBody::Assigned { since, until, .. } => {
                    time(&|| format!("{b}.Assigned.since"), *since)?;
                    if let Some(u) = until {
                        time(&|| format!("{b}.Assigned.until"), *u)?;
                    }
                }
                EventBody::AssignmentEnded { until, .. } => {
                    time(&|| format!("{b}.AssignmentEnded.until"), *until)?
                }
                EventBody::Visit(v) => visit(&b, v)?,
                EventBody::ProblemOpened(o) => problem_opened(&b, o)?,
                EventBody::ProblemStepped(st) => problem_stepped(&b, st)?,
                EventBody::Patrol(t) => patrol(&b, t)?,
                EventBody::Edited {
                    field, old, new, ..
                } => {
                    text(&|| format!("{b}.Edited.field"), "field", field, One)?;
                    text(&|| format!("{b}.Edited.old"), "old", old, Many)?;
                    text(&|| format!("{b}.Edited.new"), "new", new, Many)?;
                }
                EventBody::Created { label, .. } => {
                    text(&|| format!("{b}.Created.label"), "label", label, One)?
                }
                // Ids only: the references are checked above.
                EventBody::Moved { .. } | EventBody::Merged { .. } | EventBody::Erased { .. } => {}
                EventBody::Activity(a) => activity(&b, a)?,
                EventBody::Tombstoned { reason, .. } => {
                    text(&|| format!("{b}.Tombstoned.reason"), "reason", reason, Many)?
                }
                EventBody::Amended {
                    replacement,
                    reason,
                    ..
                } => {
                    text(&|| format!("{b}.Amended.reason"), "reason", reason, Many)?;
                    let r = format!("{b}.Amended.replacement");
                    match replacement {
                        Correction::Visit(v) => visit(&r, v)?,
                        Correction::ProblemOpened(o) => problem_opened(&r, o)?,
                        Correction::ProblemStepped(st) => problem_stepped(&r, st)?,
                        Correction::Patrol(t) => patrol(&r, t)?,
                        Correction::Activity(a) => activity(&r, a)?,
                    }
                }
            }
        }
        Ok(())
    }

    /// Every id once; every building, household and resident hangs on a
    /// parent that is in the file.
    fn check(&self, file: &str) -> Result<(), ExportError> {
        let invalid = |reason: String| ExportError::Invalid {
            file: file.to_string(),
            reason,
        };
        let mut ids: HashSet<Id> = HashSet::new();
        let mut once = |kind: &str, id: Id| {
            if id == Id::ROOT {
                return Err(invalid(format!("{kind} {id}: the zero id is reserved")));
            }
            if ids.insert(id) {
                Ok(())
            } else {
                Err(invalid(format!(
                    "{kind} {id}: the id appears more than once"
                )))
            }
        };
        for a in &self.areas {
            once("area", a.meta.id)?;
        }
        for b in &self.buildings {
            once("building", b.meta.id)?;
        }
        for h in &self.households {
            once("household", h.meta.id)?;
        }
        for r in &self.residents {
            once("resident", r.meta.id)?;
        }
        for m in &self.members {
            once("member", m.meta.id)?;
        }
        // A value the store could not read back must not get in.
        fn fits<V: serde::Serialize>(v: &V) -> bool {
            gridbook_store::codec::encode(v)
                .is_ok_and(|b| b.len() <= gridbook_store::codec::DECODE_LIMIT)
        }
        let too_big = |kind: &str, id: Id| {
            invalid(format!("{kind} {id} is larger than a stored value may be"))
        };
        for a in &self.areas {
            if !fits(a) {
                return Err(too_big("area", a.meta.id));
            }
        }
        for b in &self.buildings {
            if !fits(b) {
                return Err(too_big("building", b.meta.id));
            }
        }
        for h in &self.households {
            if !fits(h) {
                return Err(too_big("household", h.meta.id));
            }
        }
        for r in &self.residents {
            if !fits(r) {
                return Err(too_big("resident", r.meta.id));
            }
        }
        for m in &self.members {
            if !fits(m) {
                return Err(too_big("member", m.meta.id));
            }
        }
        let mut event_ids = HashSet::new();
        for e in &self.events {
            if e.id == Id::ROOT || !fits(e) {
                return Err(invalid(format!(
                    "event {}: zero id or larger than a stored value may be",
                    e.id
                )));
            }
            if !event_ids.insert(e.id) {
                return Err(invalid(format!(
                    "event {}: the id appears more than once",
                    e.id
                )));
            }
        }
        let mut stamped = HashSet::new();
        for (i, s) in self.stamps.iter().enumerate() {
            if !event_ids.contains(&s.id) || !stamped.insert(s.id) {
                return Err(invalid(format!(
                    "stamps[{i}]: entry {} is not in the file or is stamped twice",
                    s.id
                )));
            }
            if !fits(&s.stamp()) {
                return Err(too_big("stamp", s.id));
            }
        }
        let areas: HashSet<Id> = self.areas.iter().map(|a| a.meta.id).collect();
        let buildings: HashSet<Id> = self.buildings.iter().map(|b| b.meta.id).collect();
        let households: HashSet<Id> = self.households.iter().map(|h| h.meta.id).collect();
        let orphan = |kind: &str, id: Id, parent: &str, pid: Id| {
            invalid(format!(
                "{kind} {id} belongs to {parent} {pid}, which is not in the file"
            ))
        };
        for b in &self.buildings {
            if !areas.contains(&b.area) {
                return Err(orphan("building", b.meta.id, "area", b.area));
            }
        }
        for h in &self.households {
            if !buildings.contains(&h.building) {
                return Err(orphan("household", h.meta.id, "building", h.building));
            }
        }
        for r in &self.residents {
            if !households.contains(&r.household) {
                return Err(orphan("resident", r.meta.id, "household", r.household));
            }
        }
        Ok(())
    }

    /// Writes everything into an empty store, indexes included.
    pub fn load_into(&self, store: &Store) -> Result<(), ExportError> {
        self.load_into_with(store, &crate::progress::Quiet)
    }

    /// [`Dump::load_into`], telling `progress` how many records and events
    /// are written.
    pub fn load_into_with(
        &self,
        store: &Store,
        progress: &dyn crate::progress::Progress,
    ) -> Result<(), ExportError> {
        if !store.is_empty() {
            return Err(ExportError::NotEmpty {
                dir: store.dir().to_path_buf(),
            });
        }
        // Large estates go in batches; the store is empty, so a bulk write is safe.
        const CHUNK: usize = 100_000;
        let mut w = Writes::new();
        let total = self.areas.len()
            + self.buildings.len()
            + self.households.len()
            + self.residents.len()
            + self.members.len()
            + self.events.len();
        let mut count = crate::progress::Counter::new(progress, total as u64);
        fn records<R: Record>(
            store: &Store,
            w: &mut Writes,
            count: &mut crate::progress::Counter<'_>,
            rs: &[R],
        ) -> Result<(), StoreError> {
            for r in rs {
                store.stage_new(w, r)?;
                count.step();
                if w.len() >= CHUNK {
                    store.commit_bulk(std::mem::take(w))?;
                }
            }
            Ok(())
        }
        // Parents before children: staging looks parents up in the store.
        records(store, &mut w, &mut count, &self.areas)?;
        records(store, &mut w, &mut count, &self.buildings)?;
        records(store, &mut w, &mut count, &self.households)?;
        records(store, &mut w, &mut count, &self.residents)?;
        records(store, &mut w, &mut count, &self.members)?;
        store.commit_bulk(std::mem::take(&mut w))?;
        // In the order every device agrees on, as `check --rebuild` replays
        // them, whatever the file's order; each keeps the stamp it came with.
        let stamps: HashMap<Id, Stamp> = self.stamps.iter().map(|s| (s.id, s.stamp())).collect();
        let mut events: Vec<&Event> = self.events.iter().collect();
        events.sort_by_cached_key(|e| order::order_key(e, stamps.get(&e.id)));
        for e in events {
            store.stage_event(&mut w, e)?;
            if let Some(s) = stamps.get(&e.id) {
                w.keep_stamp(e.id, s.clone());
            }
            count.step();
            if w.len() >= CHUNK {
                store.commit_bulk(std::mem::take(&mut w))?;
            }
        }
        store.commit_bulk(w)?;
        count.finish();
        Ok(())
    }
}

/// Creates (or truncates) `path` with mode 0600 and a buffered writer on it.
fn create_private(path: &Path) -> io::Result<BufWriter<File>> {
    let mut opts = OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let f = opts.open(path)?;
    // An existing file keeps its old mode on open; tighten it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    Ok(BufWriter::new(f))
}

/// Writes `path` whole or not at all: a private temporary file beside it,
/// synced, then renamed over it. A path that names a device or a pipe
/// (`/dev/stdout`, a FIFO) is written in place: renaming over it would
/// replace the device with a file, and its mode is not ours to change. A
/// directory is refused.
pub fn write_private(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> Result<(), ExportError> {
    let err = |source| ExportError::Write {
        path: path.to_path_buf(),
        source,
    };
    match fs::metadata(path) {
        Ok(m) if m.is_dir() => return Err(err(io::Error::from(io::ErrorKind::IsADirectory))),
        Ok(m) if !m.is_file() => {
            let f = OpenOptions::new().write(true).open(path).map_err(err)?;
            let mut w = BufWriter::new(f);
            return fill(&mut w).and_then(|()| w.flush()).map_err(err);
        }
        _ => {}
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", Id::new()));
    let result = (|| {
        let mut w = create_private(&tmp)?;
        fill(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(err)
}

/// Writes the JSON export of `dump` to `path` (mode 0600), sealed as
/// `seal` says: an encrypted export streams into the private file, so the
/// plaintext never reaches the disk.
pub fn write_json(dump: &Dump, path: &Path, seal: &crate::seal::Seal) -> Result<(), ExportError> {
    let bytes = dump.to_json();
    write_private(path, |w| crate::seal::write(seal, &bytes, w))
}

/// Reads a JSON export from elsewhere (`import json`): everything
/// [`read_json`] checks, and the rules for input ([`Dump::check_input`]).
pub fn read_import(path: &Path, unlock: Unlock<'_>) -> Result<Dump, ExportError> {
    let dump = read_json(path, unlock)?;
    dump.check_input(&path.display().to_string())?;
    Ok(dump)
}

/// What opens an encrypted file: asked only when the file is one, with
/// what it needs (a passphrase or an identity).
pub type Unlock<'a> = &'a mut dyn FnMut(crate::seal::Need) -> Result<crate::seal::Key, ExportError>;

/// Reads and checks a JSON export file, plain or encrypted (age): an
/// encrypted one is recognised by its header and decrypted in memory.
pub fn read_json(path: &Path, unlock: Unlock<'_>) -> Result<Dump, ExportError> {
    let bytes = fs::read(path).map_err(|source| ExportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let file = path.display().to_string();
    let bytes = if crate::seal::is_sealed(&bytes) {
        let need = crate::seal::needs(&file, &bytes)?;
        let key = unlock(need)?;
        crate::seal::open(&file, &bytes, &key)?
    } else {
        bytes
    };
    Dump::from_json(&file, &bytes)
}

/// What a CSV export wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CsvSummary {
    pub residents: usize,
    pub events: usize,
    /// Live households with no resident on record (none entered, or every
    /// one deleted): a roster row needs a name, so they are only in the JSON
    /// export. A household whose residents moved out or died is on the
    /// roster with them, its occupancy (空置 …) on their rows.
    pub empty_households: usize,
}

/// Names of places for the CSV: area, building and household labels by id.
struct Places<'a> {
    areas: HashMap<Id, &'a Area>,
    buildings: HashMap<Id, &'a Building>,
    households: HashMap<Id, &'a Household>,
    names: HashMap<Id, String>,
}

impl<'a> Places<'a> {
    fn new(d: &'a Dump) -> Places<'a> {
        let mut names = HashMap::new();
        for m in &d.members {
            names.insert(m.meta.id, m.name.clone());
        }
        for r in &d.residents {
            names.insert(r.meta.id, r.name.clone());
        }
        let mut p = Places {
            areas: d.areas.iter().map(|a| (a.meta.id, a)).collect(),
            buildings: d.buildings.iter().map(|b| (b.meta.id, b)).collect(),
            households: d.households.iter().map(|h| (h.meta.id, h)).collect(),
            names,
        };
        let paths: Vec<(Id, String)> = d
            .areas
            .iter()
            .map(|a| a.meta.id)
            .chain(d.buildings.iter().map(|b| b.meta.id))
            .chain(d.households.iter().map(|h| h.meta.id))
            .map(|id| (id, p.path(id)))
            .collect();
        p.names.extend(paths);
        p
    }

    /// `胜利花苑/3栋/2-501` for a zone, else the member's or resident's name.
    fn path(&self, id: Id) -> String {
        if let Some(h) = self.households.get(&id) {
            return format!("{}/{}", self.path(h.building), h.label());
        }
        if let Some(b) = self.buildings.get(&id) {
            return format!("{}/{}", self.path(b.area), b.name);
        }
        if let Some(a) = self.areas.get(&id) {
            return a.name.clone();
        }
        self.names.get(&id).cloned().unwrap_or_default()
    }
}

/// An instant as local date and time, as a spreadsheet shows it.
fn local(t: Ts) -> String {
    t.to_jiff()
        .to_zoned(gridbook_domain::clock::tz())
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// Catalog keys of the events sheet's columns.
const EVENT_COLUMNS: [&str; 10] = [
    "excel.export.id",
    "excel.export.at",
    "excel.export.created_at",
    "excel.export.by",
    "excel.export.by_name",
    "excel.export.zone",
    "excel.export.zone_path",
    "excel.export.kind",
    "excel.export.summary",
    "excel.export.body",
];

/// The roster (the roster importer's columns in `lang`, one row per
/// resident not deleted, moved-out and deceased ones too with their status,
/// so a round trip through the roster import loses nobody) and every event
/// (a readable summary in `lang`, local times, and the exact body as JSON),
/// as sheets: one model for the CSV files and the workbook, so the two
/// cannot drift.
pub fn sheets(
    dump: &Dump,
    lang: Lang,
) -> Result<(Vec<crate::sheet::Sheet>, CsvSummary), io::Error> {
    let places = Places::new(dump);
    let mut summary = CsvSummary::default();
    let live_areas: HashSet<Id> = dump
        .areas
        .iter()
        .filter(|a| a.meta.is_live())
        .map(|a| a.meta.id)
        .collect();
    let live_buildings: HashSet<Id> = dump
        .buildings
        .iter()
        .filter(|b| b.meta.is_live() && live_areas.contains(&b.area))
        .map(|b| b.meta.id)
        .collect();
    let live_households: Vec<&Household> = dump
        .households
        .iter()
        .filter(|h| h.meta.is_live() && live_buildings.contains(&h.building))
        .collect();
    let mut residents_of: HashMap<Id, Vec<&Resident>> = HashMap::new();
    for r in dump.residents.iter().filter(|r| r.meta.is_live()) {
        residents_of.entry(r.household).or_default().push(r);
    }
    let mut roster = crate::sheet::Sheet {
        name: lang.t("excel.export.roster_sheet").to_string(),
        header: Col::ALL
            .map(|c| match lang {
                Lang::Zh => c.zh(),
                Lang::En => c.header(),
            })
            .map(String::from)
            .to_vec(),
        ..Default::default()
    };
    // Occupancy and status in the export's language; the import reads
    // both the codes and the Chinese words whatever the header's language.
    let word = |code: &'static str, zh: &'static str| match lang {
        Lang::Zh => zh,
        Lang::En => code,
    };
    for h in &live_households {
        let Some(rs) = residents_of.get(&h.meta.id) else {
            summary.empty_households += 1;
            continue;
        };
        let b = places.buildings[&h.building];
        let a = places.areas[&b.area];
        for r in rs {
            roster.rows.push(vec![
                a.name.clone(),
                b.name.clone(),
                h.unit.clone(),
                h.room.clone(),
                r.name.clone(),
                r.phones.join(";"),
                r.relation.clone(),
                crate::roster::tags_cell(r),
                r.notes.clone(),
                // A bare year: the birth column reads `1944` as well as a date.
                r.birth_year.map(|y| y.to_string()).unwrap_or_default(),
                word(h.occupancy.code(), h.occupancy.zh()).to_string(),
                word(r.status.code(), r.status.zh()).to_string(),
            ]);
            summary.residents += 1;
        }
    }
    let mut events = crate::sheet::Sheet {
        name: lang.t("excel.export.events_sheet").to_string(),
        header: EVENT_COLUMNS.map(|k| lang.t(k).to_string()).to_vec(),
        ..Default::default()
    };
    let name_of = |id: Id| places.path(id);
    for e in &dump.events {
        let body = serde_json::to_string(&e.body).map_err(io::Error::other)?;
        events.rows.push(vec![
            e.id.to_string(),
            local(e.at),
            local(e.created_at),
            e.by.map(|b| b.to_string()).unwrap_or_default(),
            e.by.map(|b| places.path(b)).unwrap_or_default(),
            e.zone.to_string(),
            places.path(e.zone),
            e.body.kind_code().to_string(),
            describe::event(lang, &e.body, &name_of),
            body,
        ]);
        summary.events += 1;
    }
    Ok((vec![roster, events], summary))
}

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

/// The file beside CSV files that says they hold personal data.
pub const README_TXT: &str = "README.txt";

/// Writes `roster.csv` and `events.csv` (see [`sheets`]) into `dir`, UTF-8
/// with a byte-order mark unless `bom` is false (Excel reads Chinese right
/// only with it), the header on the first line, and `README.txt` with the
/// personal-data notice beside them.
pub fn write_csv(
    dump: &Dump,
    dir: &Path,
    bom: bool,
    lang: Lang,
) -> Result<CsvSummary, ExportError> {
    // A directory made for the export is private; an existing one (the
    // desktop, a USB stick) keeps its mode: the files in it are 0600 anyway.
    if !dir.is_dir() {
        gridbook_store::store::create_private_dir(dir).map_err(|source| ExportError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let (sheets, summary) = sheets(dump, lang).map_err(|source| ExportError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    for (name, sheet) in ["roster.csv", "events.csv"].iter().zip(&sheets) {
        write_private(&dir.join(name), |w| {
            if bom {
                w.write_all(b"\xEF\xBB\xBF")?;
            }
            let mut c = csv::Writer::from_writer(w);
            c.write_record(&sheet.header).map_err(csv_err)?;
            for r in &sheet.rows {
                c.write_record(r).map_err(csv_err)?;
            }
            c.flush()
        })?;
    }
    write_private(&dir.join(README_TXT), |w| {
        writeln!(w, "{NOTICE}")?;
        writeln!(w)?;
        writeln!(w, "roster.csv, events.csv")
    })?;
    Ok(summary)
}

/// Writes the roster and events sheets (see [`sheets`]) as one workbook,
/// the personal-data notice above the roster's header.
pub fn write_xlsx(dump: &Dump, path: &Path, lang: Lang) -> Result<CsvSummary, ExportError> {
    let (sheets, summary) = sheets(dump, lang).map_err(|source| ExportError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    crate::sheet::write_xlsx(path, &sheets, Some(NOTICE))?;
    Ok(summary)
}
