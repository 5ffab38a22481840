//! Erasing a person on request: the one exception to the append-only
//! timeline.
//!
//! A resident's (or member's) name, phones and notes become [`MARK`] in the
//! record and in every entry that carries them: the `Created` label and
//! every `Edited` old/new value of that record, and any note, description or
//! reason elsewhere that names them or their phone. A resident is also
//! tombstoned (their household's lists no longer show them); a member keeps
//! their place in history as `[已删除 erased]`.
//!
//! sled keeps overwritten values in its log until it cleans it, so the
//! erased store is not edited in place: it is written anew from the
//! redacted export into a sibling directory, swapped in by rename under the
//! writer lock, and the old files deleted. Then every backup in the data
//! directory is replaced by one new backup of the erased store (written
//! first, then the old ones removed). Exports and copies made elsewhere are
//! out of reach: the command says so.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::export::{Dump, ExportError};
use gridbook_domain::model::*;
use gridbook_store::store::{Store, StoreError};

/// What an erased value reads as, in both languages.
pub const MARK: &str = "[已删除 erased]";

/// The reason on an erased resident's tombstone.
pub const REASON: &str = "erased on request 应本人要求删除";

/// Who is erased.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whom {
    Resident(Id),
    Member(Id),
}

/// What erasing did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Erased {
    /// The name as it was (said back once, then gone).
    pub name: String,
    /// Values replaced in the person's own record.
    pub fields: usize,
    /// Timeline entries that carried the person's data and were rewritten.
    pub entries: usize,
    /// Other records whose notes named the person.
    pub records: usize,
}

#[derive(Debug, Error)]
pub enum EraseError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error("{0}")]
    NotFound(String),
}

impl gridbook_domain::error::Kinded for EraseError {
    fn kind(&self) -> gridbook_domain::error::ErrorKind {
        use gridbook_domain::error::ErrorKind;
        match self {
            EraseError::Store(e) => e.kind(),
            EraseError::Export(e) => e.kind(),
            EraseError::NotFound(_) => ErrorKind::Input,
        }
    }
}

/// The resident called `name` (or with that id) in `household`, live or
/// not: someone who moved out may ask to be erased too.
pub fn find_resident(
    dump: &Dump,
    household: Id,
    label: &str,
    name: &str,
) -> Result<Id, EraseError> {
    let name = name.trim();
    let here: Vec<&Resident> = dump
        .residents
        .iter()
        .filter(|r| r.household == household && r.name != MARK)
        .collect();
    let hits: Vec<&Resident> = here
        .iter()
        .copied()
        .filter(|r| r.name == name || r.meta.id.to_string() == name)
        .collect();
    match hits.as_slice() {
        [one] => Ok(one.meta.id),
        [] => {
            let mut near: Vec<(f64, &str)> = here
                .iter()
                .map(|r| (strsim::jaro_winkler(&r.name, name), r.name.as_str()))
                .collect();
            near.sort_by(|a, b| b.0.total_cmp(&a.0));
            let names: Vec<&str> = near.iter().take(5).map(|(_, n)| *n).collect();
            Err(EraseError::NotFound(if names.is_empty() {
                format!("no resident `{name}` in {label}: it has no residents")
            } else {
                format!(
                    "no resident `{name}` in {label}; its residents: {}",
                    names.join(", ")
                )
            }))
        }
        many => Err(EraseError::NotFound(format!(
            "{} residents are called `{name}` in {label}; give one's id instead: {}",
            many.len(),
            many.iter()
                .map(|r| r.meta.id.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Replaces every needle in `s` with the mark; counts whether it changed.
fn scrub(s: &mut String, needles: &[String]) -> bool {
    let mut changed = false;
    for n in needles {
        if s.contains(n.as_str()) {
            *s = s.replace(n.as_str(), MARK);
            changed = true;
        }
    }
    changed
}

fn mark(s: &mut String) -> bool {
    if s.is_empty() || s == MARK {
        false
    } else {
        *s = MARK.to_string();
        true
    }
}

/// Redacts `whom` in `dump`: the pure part of erasing. `at`/`by` stamp the
/// tombstone of an erased resident.
pub fn redact(dump: &mut Dump, whom: Whom, at: Ts, by: Option<Id>) -> Result<Erased, EraseError> {
    let mut out = Erased::default();
    let (target, needles) = match whom {
        Whom::Resident(id) => {
            let r = dump
                .residents
                .iter_mut()
                .find(|r| r.meta.id == id)
                .ok_or_else(|| EraseError::NotFound(format!("no resident {id}")))?;
            out.name = r.name.clone();
            let mut needles: Vec<String> = r.phones.clone();
            needles.push(r.name.clone());
            out.fields += usize::from(mark(&mut r.name));
            out.fields += r.phones.len();
            r.phones.clear();
            out.fields += usize::from(mark(&mut r.notes));
            if r.birth_year.take().is_some() {
                out.fields += 1;
            }
            r.meta.version += 1;
            let household = r.household;
            if r.meta.is_live() {
                r.meta.tombstone = Some(Tombstone {
                    at,
                    by,
                    reason: REASON.to_string(),
                });
                dump.events.push(Event::new(
                    household,
                    at,
                    by,
                    EventBody::Tombstoned {
                        target: id,
                        kind: Kind::Resident,
                        reason: REASON.to_string(),
                    },
                ));
            }
            (id, needles)
        }
        Whom::Member(id) => {
            let m = dump
                .members
                .iter_mut()
                .find(|m| m.meta.id == id)
                .ok_or_else(|| EraseError::NotFound(format!("no member {id}")))?;
            out.name = m.name.clone();
            let needles = vec![m.phone.clone(), m.name.clone()];
            out.fields += usize::from(mark(&mut m.name));
            if !m.phone.is_empty() {
                m.phone.clear();
                out.fields += 1;
            }
            m.meta.version += 1;
            (id, needles)
        }
    };
    // A needle too short to be the person (a one-character name, an empty
    // phone) would wreck unrelated text; the record's own fields are marked
    // above whatever their length.
    let needles: Vec<String> = needles
        .into_iter()
        .map(|n| n.trim().to_string())
        .filter(|n| n.chars().count() >= 2 && n != MARK)
        .collect();

    for e in &mut dump.events {
        if e.id == Id::ROOT {
            continue;
        }
        let changed = match &mut e.body {
            EventBody::Created {
                target: t, label, ..
            } if *t == target => mark(label),
            EventBody::Edited {
                target: t,
                old,
                new,
                ..
            } if *t == target => mark(old) | mark(new),
            EventBody::Edited {
                field, old, new, ..
            } => field == "notes" && (scrub(old, &needles) | scrub(new, &needles)),
            EventBody::Created { .. } | EventBody::Assigned { .. } => false,
            EventBody::AssignmentEnded { .. } => false,
            EventBody::Tombstoned { reason, .. } => scrub(reason, &needles),
            EventBody::Visit(VisitBody { note, .. }) => scrub(note, &needles),
            EventBody::ProblemOpened(ProblemOpenedBody { description, .. }) => {
                scrub(description, &needles)
            }
            EventBody::ProblemStepped(ProblemSteppedBody { note, .. }) => scrub(note, &needles),
            EventBody::Patrol(PatrolBody { items, note, .. }) => {
                let mut c = scrub(note, &needles);
                for i in items {
                    c |= scrub(&mut i.note, &needles);
                }
                c
            }
            EventBody::Amended {
                replacement,
                reason,
                ..
            } => {
                let c = scrub(reason, &needles);
                c | match replacement {
                    Correction::Visit(VisitBody { note, .. })
                    | Correction::ProblemStepped(ProblemSteppedBody { note, .. })
                    | Correction::Activity(ActivityBody { note, .. }) => scrub(note, &needles),
                    Correction::ProblemOpened(ProblemOpenedBody { description, .. }) => {
                        scrub(description, &needles)
                    }
                    Correction::Patrol(PatrolBody { items, note, .. }) => {
                        let mut c = scrub(note, &needles);
                        for i in items {
                            c |= scrub(&mut i.note, &needles);
                        }
                        c
                    }
                }
            }
            EventBody::Activity(ActivityBody { note, .. }) => scrub(note, &needles),
            // Ids only, no text to redact.
            EventBody::Moved { .. } | EventBody::Merged { .. } => false,
        };
        out.entries += usize::from(changed);
    }
    // Notes and tombstone reasons of other records that name them.
    let meta_reason = |m: &mut Meta| {
        m.tombstone
            .as_mut()
            .is_some_and(|t| t.reason != REASON && scrub(&mut t.reason, &needles))
    };
    for h in &mut dump.households {
        if scrub(&mut h.notes, &needles) | meta_reason(&mut h.meta) {
            out.records += 1;
        }
    }
    for r in &mut dump.residents {
        if r.meta.id != target && (scrub(&mut r.notes, &needles) | meta_reason(&mut r.meta)) {
            out.records += 1;
        }
    }
    for m in &mut dump.members {
        if m.meta.id != target && meta_reason(&mut m.meta) {
            out.records += 1;
        }
    }
    Ok(out)
}

/// Erases `whom` from the store in `store.dir()`: redacts a full export,
/// writes it into a new store beside the old one, and swaps that in under
/// the writer lock; the old store's files are then deleted. All or
/// nothing: until the swap the old store is untouched, and a failure
/// before it removes the new one. Returns the new store, opened and
/// locked, for the backups to be rewritten from.
pub fn erase(
    store: Store,
    whom: Whom,
    at: Ts,
    by: Option<Id>,
) -> Result<(Store, Erased), EraseError> {
    let data = store.dir().to_path_buf();
    let mut dump = Dump::from_store(&store)?;
    let erased = redact(&mut dump, whom, at, by)?;
    store.flush()?;
    let lock = store.close().ok_or_else(|| {
        StoreError::Invalid("a store in memory has no files to erase from".into())
    })?;
    // Written anew beside the old store and swapped in whole; the swap
    // deletes the old store's files.
    let lock = gridbook_store::swap::replace(&data, lock, |new| {
        new.bulk(|| dump.load_into(new))?;
        Ok::<(), EraseError>(())
    })?;
    let store = Store::open_locked(&data, lock)?;
    Ok((store, erased))
}

/// What rewriting the backups did.
#[derive(Debug, Default)]
pub struct Rewritten {
    /// The one new backup, of the erased store.
    pub written: Option<PathBuf>,
    /// Old backups (and leftovers of interrupted ones) deleted.
    pub removed: usize,
    /// Old backups that could not be deleted: they still hold the person.
    pub kept: Vec<PathBuf>,
}

/// Replaces every backup in the data directory with one new backup of the
/// (erased) store, sealed as `seal` says: the new one is written first,
/// then the old ones (and temporary files of interrupted backups) removed.
pub fn rewrite_backups(store: &Store, seal: &crate::seal::Seal) -> Result<Rewritten, ExportError> {
    let data = store.dir();
    let old = crate::backup::list(data);
    let leftovers: Vec<PathBuf> = std::fs::read_dir(crate::backup::dir(data))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(".gridbook-") && n.ends_with(".tmp"))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut out = Rewritten::default();
    if old.is_empty() && leftovers.is_empty() {
        return Ok(out);
    }
    if !store.is_empty() {
        let json = Dump::from_store(store)?.to_json();
        out.written = Some(crate::backup::write_dump(data, &json, Ts::now(), 0, seal)?);
    }
    for f in old.into_iter().chain(leftovers) {
        if Some(&f) == out.written.as_ref() {
            continue;
        }
        match std::fs::remove_file(&f) {
            Ok(()) => out.removed += 1,
            Err(_) => out.kept.push(f),
        }
    }
    Ok(out)
}

/// Directories beside the store that hold copies of it: a damaged store set
/// aside by `restore --force`, a store left by an interrupted bulk job.
/// Erasing does not delete them (they may be all that is left of data);
/// the command names them.
pub fn copies_beside(data: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(data) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .filter(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            n.starts_with("store.") && e.path().is_dir()
        })
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}
