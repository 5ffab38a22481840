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
//!
//! With team sync the erasure is an entry too: `Erased { person, kind }`
//! (the id, never the name), stamped and queued like any entry, while the
//! redacted entries are not queued again. A laptop receiving it runs the
//! same redaction ([`redact`]) on its own copy and rewrites its store
//! ([`complete`]); batches arriving or leaving are redacted for every
//! erasure known ([`Redactor`]), so entries written about the person before
//! a laptop heard of the erasure never become conflicts or quarantined
//! entries. Which erasures are known, and which still wait for the
//! rewrite, are sync's own keys, written with the entries.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::export::{Dump, ExportError};
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::*;
use gridbook_store::store::{Store, StoreError, Writes};

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
    /// No resident of that name in the household; `near` are its residents
    /// closest to the name (none: it has none).
    #[error("{}", self.text(Lang::En))]
    NoResident {
        name: String,
        household: String,
        near: Vec<String>,
    },
    /// More than one resident of the household has that name.
    #[error("{}", self.text(Lang::En))]
    SameName {
        name: String,
        household: String,
        ids: Vec<String>,
    },
}

impl EraseError {
    /// The message in `lang` for the errors about whom to erase; the
    /// others as they are.
    pub fn text(&self, lang: Lang) -> String {
        let list = |v: &[String]| match lang {
            Lang::En => v.join(", "),
            Lang::Zh => v.join("、"),
        };
        match self {
            EraseError::NoResident {
                name,
                household,
                near,
            } if near.is_empty() => lang.f("erase_cli.no_resident", &[name, household]),
            EraseError::NoResident {
                name,
                household,
                near,
            } => lang.f(
                "erase_cli.no_resident_near",
                &[name, household, &list(near)],
            ),
            EraseError::SameName {
                name,
                household,
                ids,
            } => lang.f(
                "erase_cli.same_name",
                &[&ids.len().to_string(), name, household, &list(ids)],
            ),
            other => other.to_string(),
        }
    }
}

impl gridbook_domain::error::Kinded for EraseError {
    fn kind(&self) -> gridbook_domain::error::ErrorKind {
        use gridbook_domain::error::ErrorKind;
        match self {
            EraseError::Store(e) => e.kind(),
            EraseError::Export(e) => e.kind(),
            EraseError::NotFound(_)
            | EraseError::NoResident { .. }
            | EraseError::SameName { .. } => ErrorKind::Input,
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
            Err(EraseError::NoResident {
                name: name.to_string(),
                household: label.to_string(),
                near: near.iter().take(5).map(|(_, n)| n.to_string()).collect(),
            })
        }
        many => Err(EraseError::SameName {
            name: name.to_string(),
            household: label.to_string(),
            ids: many.iter().map(|r| r.meta.id.to_string()).collect(),
        }),
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

/// The person an `Erased` entry is about.
pub fn whom_of(e: &Event) -> Option<Whom> {
    match e.body {
        EventBody::Erased {
            person,
            kind: Kind::Resident,
        } => Some(Whom::Resident(person)),
        EventBody::Erased {
            person,
            kind: Kind::Member,
        } => Some(Whom::Member(person)),
        _ => None,
    }
}

fn person(whom: Whom) -> Id {
    match whom {
        Whom::Resident(id) | Whom::Member(id) => id,
    }
}

/// The entry that says `whom` was erased, on their household's timeline (a
/// resident) or their own (a member). It holds the id only.
pub fn entry(whom: Whom, household: Option<Id>, at: Ts, by: Option<Id>) -> Event {
    let (person, kind, zone) = match whom {
        Whom::Resident(id) => (id, Kind::Resident, household.unwrap_or(id)),
        Whom::Member(id) => (id, Kind::Member, id),
    };
    Event::new(zone, at, by, EventBody::Erased { person, kind })
}

/// The fields whose values name the person (a record's own name and
/// phones, as they are and as their history says they were).
const NAMING: [&str; 3] = ["name", "phones", "phone"];

/// Adds the texts that name a person: values of their naming fields and
/// their `Created` label. Lists (`phones`) count item by item.
fn add_needles(out: &mut Vec<String>, field: &str, value: &str) {
    if !NAMING.contains(&field) {
        return;
    }
    out.push(value.to_string());
    out.extend(value.split([';', ',', '，', '、', ' ']).map(str::to_string));
}

/// Needles as erasing uses them: trimmed, at least two characters (a
/// one-character name would wreck unrelated text), never the mark, longest
/// first (then by text), so every device replaces them alike.
fn tidy(needles: Vec<String>) -> Vec<String> {
    let mut n: Vec<String> = needles
        .into_iter()
        .map(|n| n.trim().to_string())
        .filter(|n| n.chars().count() >= 2 && !n.contains(MARK) && !MARK.contains(n.as_str()))
        .collect();
    n.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    n.dedup();
    n
}

/// What names `whom` in `dump`: their record's name and phones, and every
/// value their `Created` and `Edited` entries give those fields.
pub fn needles(dump: &Dump, whom: Whom) -> Vec<String> {
    let id = person(whom);
    let mut out = Vec::new();
    match whom {
        Whom::Resident(_) => {
            if let Some(r) = dump.residents.iter().find(|r| r.meta.id == id) {
                add_needles(&mut out, "name", &r.name);
                for p in &r.phones {
                    add_needles(&mut out, "phones", p);
                }
            }
        }
        Whom::Member(_) => {
            if let Some(m) = dump.members.iter().find(|m| m.meta.id == id) {
                add_needles(&mut out, "name", &m.name);
                add_needles(&mut out, "phone", &m.phone);
            }
        }
    }
    for e in &dump.events {
        history_needles(&mut out, e, id);
    }
    tidy(out)
}

fn history_needles(out: &mut Vec<String>, e: &Event, id: Id) {
    match &e.body {
        EventBody::Created { target, label, .. } if *target == id => {
            add_needles(out, "name", label)
        }
        EventBody::Edited {
            target,
            field,
            old,
            new,
            ..
        } if *target == id => {
            add_needles(out, field, old);
            add_needles(out, field, new);
        }
        _ => {}
    }
}

/// What names `whom` in the store (as [`needles`] reads a dump).
fn store_needles(store: &Store, whom: Whom) -> Result<Vec<String>, StoreError> {
    let id = person(whom);
    let mut out = Vec::new();
    match whom {
        Whom::Resident(_) => {
            if let Some(r) = store.resident(id)? {
                add_needles(&mut out, "name", &r.name);
                for p in &r.phones {
                    add_needles(&mut out, "phones", p);
                }
            }
        }
        Whom::Member(_) => {
            if let Some(m) = store.member(id)? {
                add_needles(&mut out, "name", &m.name);
                add_needles(&mut out, "phone", &m.phone);
            }
        }
    }
    for (v, _) in store.versions_of(id)? {
        if let Some(e) = store.event(v)? {
            history_needles(&mut out, &e, id);
        }
    }
    out.extend(kept_needles(store, id)?);
    Ok(out)
}

/// The needles kept with a waiting erasure: a merge may have brought the
/// person's redacted record before the rewrite, which then could no
/// longer read them from it.
fn kept_needles(store: &Store, id: Id) -> Result<Vec<String>, StoreError> {
    Ok(store
        .sync_get(&key(PENDING, id))?
        .and_then(|v| serde_json::from_slice(&v).ok())
        .unwrap_or_default())
}

/// Redacts the person `erased` (an `Erased` entry) names in `dump`: the
/// pure part of erasing, the same on every device. Idempotent: a second
/// run changes nothing.
pub fn redact(dump: &mut Dump, erased: &Event) -> Result<Erased, EraseError> {
    let whom =
        whom_of(erased).ok_or_else(|| EraseError::NotFound("not an erasure entry".into()))?;
    let needles = needles(dump, whom);
    Ok(redact_with(dump, erased, whom, &needles))
}

/// [`redact`] with the needles given: the person's record (when the dump
/// holds it) loses its name, phones and notes and a resident is
/// tombstoned as of the erasure; their `Created` and `Edited` entries read
/// [`MARK`]; any note, description or reason naming them is scrubbed.
fn redact_with(dump: &mut Dump, erased: &Event, whom: Whom, needles: &[String]) -> Erased {
    let mut out = Erased::default();
    let target = person(whom);
    match whom {
        Whom::Resident(id) => {
            if let Some(r) = dump.residents.iter_mut().find(|r| r.meta.id == id) {
                if r.name != MARK {
                    out.name = r.name.clone();
                }
                out.fields += usize::from(mark(&mut r.name));
                out.fields += r.phones.len();
                r.phones.clear();
                out.fields += usize::from(mark(&mut r.notes));
                if r.birth_year.take().is_some() {
                    out.fields += 1;
                }
                if r.meta.is_live() {
                    // The same tombstone as the `Tombstoned` entry the
                    // erasing device wrote with it (see [`record`]).
                    r.meta.tombstone = Some(Tombstone {
                        at: erased.at,
                        by: erased.by,
                        reason: REASON.to_string(),
                    });
                    out.fields += 1;
                }
            }
        }
        Whom::Member(id) => {
            if let Some(m) = dump.members.iter_mut().find(|m| m.meta.id == id) {
                if m.name != MARK {
                    out.name = m.name.clone();
                }
                out.fields += usize::from(mark(&mut m.name));
                if !m.phone.is_empty() {
                    m.phone.clear();
                    out.fields += 1;
                }
            }
        }
    }

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
            } => field == "notes" && (scrub(old, needles) | scrub(new, needles)),
            EventBody::Created { .. } | EventBody::Assigned { .. } => false,
            EventBody::AssignmentEnded { .. } => false,
            EventBody::Tombstoned { reason, .. } => scrub(reason, needles),
            EventBody::Visit(VisitBody { note, .. }) => scrub(note, needles),
            EventBody::ProblemOpened(ProblemOpenedBody { description, .. }) => {
                scrub(description, needles)
            }
            EventBody::ProblemStepped(ProblemSteppedBody { note, .. }) => scrub(note, needles),
            EventBody::Patrol(PatrolBody { items, note, .. }) => {
                let mut c = scrub(note, needles);
                for i in items {
                    c |= scrub(&mut i.note, needles);
                }
                c
            }
            EventBody::Amended {
                replacement,
                reason,
                ..
            } => {
                let c = scrub(reason, needles);
                c | match replacement {
                    Correction::Visit(VisitBody { note, .. })
                    | Correction::ProblemStepped(ProblemSteppedBody { note, .. })
                    | Correction::Activity(ActivityBody { note, .. }) => scrub(note, needles),
                    Correction::ProblemOpened(ProblemOpenedBody { description, .. }) => {
                        scrub(description, needles)
                    }
                    Correction::Patrol(PatrolBody { items, note, .. }) => {
                        let mut c = scrub(note, needles);
                        for i in items {
                            c |= scrub(&mut i.note, needles);
                        }
                        c
                    }
                }
            }
            EventBody::Activity(ActivityBody { note, .. }) => scrub(note, needles),
            // Ids only, no text to redact.
            EventBody::Moved { .. } | EventBody::Merged { .. } | EventBody::Erased { .. } => false,
        };
        out.entries += usize::from(changed);
    }
    // Notes and tombstone reasons of other records that name them.
    let meta_reason = |m: &mut Meta| {
        m.tombstone
            .as_mut()
            .is_some_and(|t| t.reason != REASON && scrub(&mut t.reason, needles))
    };
    for h in &mut dump.households {
        if scrub(&mut h.notes, needles) | meta_reason(&mut h.meta) {
            out.records += 1;
        }
    }
    for r in &mut dump.residents {
        if r.meta.id != target && (scrub(&mut r.notes, needles) | meta_reason(&mut r.meta)) {
            out.records += 1;
        }
    }
    for m in &mut dump.members {
        if m.meta.id != target && meta_reason(&mut m.meta) {
            out.records += 1;
        }
    }
    out
}

impl Erased {
    fn changed(&self) -> bool {
        self.fields + self.entries + self.records > 0
    }
}

/// Where the store keeps, by person id, the `Erased` entry of everyone
/// erased here (sync's keys: never exported, never sent).
const KNOWN: &[u8] = b"erased/";
/// Erasures recorded (or received) whose rewrite of the store is still to
/// do: written in the same transaction as the entry, removed by the
/// rewrite, so a kill in between is completed by the next `sync` or
/// `erase`.
pub const PENDING: &[u8] = b"erase-pending/";

fn key(prefix: &[u8], person: Id) -> Vec<u8> {
    [prefix, &person.to_bytes()].concat()
}

/// Stages the key that says `erased` (an `Erased` entry) is known here.
pub fn stage_known(w: &mut Writes, erased: &Event) {
    if let Some(whom) = whom_of(erased) {
        w.put_sync_state(key(KNOWN, person(whom)), erased.id.to_bytes().to_vec());
    }
}

/// Stages the key that says the store must be rewritten for `whom`, with
/// the needles to rewrite it by. They stay in this store only until the
/// rewrite, which leaves them behind with the old store's files.
fn stage_pending(w: &mut Writes, whom: Whom, needles: &[String]) {
    let v = serde_json::to_vec(needles).unwrap_or_default();
    w.put_sync_state(key(PENDING, person(whom)), v);
}

/// The `Erased` entries known here.
pub fn known(store: &Store) -> Result<Vec<Event>, StoreError> {
    let mut out = Vec::new();
    for (_, v) in store.sync_scan(KNOWN)? {
        if let Some(id) = Id::from_slice(&v)
            && let Some(e) = store.event(id)?
        {
            out.push(e);
        }
    }
    Ok(out)
}

/// One line per person erased on request here or on another laptop: what
/// they were, when, on which laptop; never who. Not a conflict (nothing to
/// resolve), so `conflicts` prints them after its list and the TUI's
/// conflicts screen in its summary.
pub fn listed(store: &Store, lang: gridbook_domain::i18n::Lang) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    let me = store.device_id()?;
    for e in known(store)? {
        let EventBody::Erased { kind, .. } = e.body else {
            continue;
        };
        let device = store.stamp(e.id)?.map(|s| s.device);
        let laptop = match device {
            Some(d) => crate::sync::run::device_name(store, d)?,
            None => None,
        }
        // Erased here before this laptop had a name (no sync set up yet).
        .or_else(|| (device.is_some() && device == me).then(|| lang.t("erasesync.here").into()))
        .unwrap_or_else(|| "?".into());
        out.push(lang.f(
            "erasesync.listed",
            &[
                lang.t(&format!("kind.{}", kind.code())),
                &e.at.display(),
                &laptop,
            ],
        ));
    }
    Ok(out)
}

/// The people whose erasure still waits for the store's rewrite.
pub fn pending(store: &Store) -> Result<Vec<Id>, StoreError> {
    Ok(store
        .sync_scan(PENDING)?
        .iter()
        .filter_map(|(k, _)| Id::from_slice(&k[PENDING.len()..]))
        .collect())
}

/// Redacts batches (arriving, or about to be sent) for every erasure known
/// here or carried in the batch, before the merge compares bytes: entries
/// about an erased person that a laptop wrote before it heard of the
/// erasure arrive the way the erasing laptops hold them, never as "same
/// id, other bytes". The needles are those the store and the batch still
/// hold.
pub struct Redactor {
    erasures: Vec<(Event, Whom, Vec<String>)>,
}

impl Redactor {
    /// The redactor for `batch` in `store`; `None` when no erasure is known
    /// here or carried in it (the batch is then left as it is).
    pub fn for_batch(store: &Store, batch: &Dump) -> Result<Option<Redactor>, StoreError> {
        let mut erasures = known(store)?;
        erasures.extend(
            batch
                .events
                .iter()
                .filter(|e| whom_of(e).is_some())
                .cloned(),
        );
        if erasures.is_empty() {
            return Ok(None);
        }
        erasures.sort_by_key(|e| e.id);
        erasures.dedup_by_key(|e| e.id);
        let mut out = Vec::new();
        for e in erasures {
            let Some(whom) = whom_of(&e) else { continue };
            let mut n = store_needles(store, whom)?;
            n.extend(needles(batch, whom));
            out.push((e, whom, tidy(n)));
        }
        Ok(Some(Redactor { erasures: out }))
    }

    /// Stages, with the batch, what it makes known here: each erasure it
    /// brings (`fresh`, not here before) and the store's rewrite for it
    /// and for each person in `touched`, with the needles it will need.
    pub fn stage(&self, w: &mut Writes, fresh: &[&Event], touched: &[Whom]) {
        for (e, whom, n) in &self.erasures {
            let new = fresh.iter().any(|f| f.id == e.id);
            if new {
                stage_known(w, e);
            }
            if new || touched.contains(whom) {
                stage_pending(w, *whom, n);
            }
        }
    }

    /// Redacts `batch`; returns the people whose redaction changed it.
    pub fn apply(&self, batch: &mut Dump) -> Vec<Whom> {
        let mut changed = Vec::new();
        for (e, whom, n) in &self.erasures {
            if redact_with(batch, e, *whom, n).changed() {
                changed.push(*whom);
            }
        }
        changed
    }

    /// `e` as the redaction leaves it: a copy here that its rewrite has not
    /// reached yet compares with a redacted arrival by this.
    pub fn event(&self, e: &Event) -> Event {
        let mut d = Dump {
            events: vec![e.clone()],
            ..Dump::default()
        };
        self.apply(&mut d);
        d.events.pop().unwrap_or_else(|| e.clone())
    }
}

/// [`Redactor::apply`] for a batch, when any erasure applies.
pub fn redact_batch(store: &Store, batch: &mut Dump) -> Result<Vec<Whom>, StoreError> {
    Ok(match Redactor::for_batch(store, batch)? {
        Some(r) => r.apply(batch),
        None => Vec::new(),
    })
}

/// Every erasure in `dump`, in the order every device agrees on, each
/// redacted with the needles the dump holds when its turn comes. Returns
/// what each did and the needles it used, by person.
type Done = (Event, Erased, Vec<String>);

fn redact_all(
    dump: &mut Dump,
    kept: &std::collections::HashMap<Id, Vec<String>>,
) -> Result<Vec<Done>, EraseError> {
    let stamps: std::collections::HashMap<Id, gridbook_store::order::Stamp> =
        dump.stamps.iter().map(|s| (s.id, s.stamp())).collect();
    let mut erasures: Vec<Event> = dump
        .events
        .iter()
        .filter(|e| whom_of(e).is_some())
        .cloned()
        .collect();
    erasures.sort_by_cached_key(|e| gridbook_store::order::order_key(e, stamps.get(&e.id)));
    let mut out = Vec::new();
    for e in &erasures {
        let Some(whom) = whom_of(e) else { continue };
        let mut n = needles(dump, whom);
        n.extend(kept.get(&person(whom)).cloned().unwrap_or_default());
        let n = tidy(n);
        let r = redact_with(dump, e, whom, &n);
        out.push((e.clone(), r, n));
    }
    Ok(out)
}

/// Records that `whom` is erased: the `Erased` entry (stamped and queued
/// like any entry, so it syncs) and, for a resident still listed, the
/// `Tombstoned` entry that deletes them (naming every version it knew, as
/// a deletion does). The store's rewrite ([`complete`]) follows; the keys
/// written with the entries make the next `sync` or `erase` finish it
/// after a kill.
pub fn record(store: &Store, whom: Whom, at: Ts, by: Option<Id>) -> Result<Event, EraseError> {
    let mut w = Writes::new();
    let household = match whom {
        Whom::Resident(id) => {
            let r = store
                .resident(id)?
                .ok_or_else(|| EraseError::NotFound(format!("no resident {id}")))?;
            Some((r.household, r.meta.is_live()))
        }
        Whom::Member(id) => {
            store
                .member(id)?
                .ok_or_else(|| EraseError::NotFound(format!("no member {id}")))?;
            None
        }
    };
    let e = entry(whom, household.map(|h| h.0), at, by);
    store.stage_event(&mut w, &e)?;
    stage_known(&mut w, &e);
    stage_pending(&mut w, whom, &tidy(store_needles(store, whom)?));
    if let (Whom::Resident(id), Some((h, true))) = (whom, household) {
        let t = Event::new(
            h,
            at,
            by,
            EventBody::Tombstoned {
                target: id,
                kind: Kind::Resident,
                reason: REASON.to_string(),
            },
        );
        store.stage_event(&mut w, &t)?;
        w.name_replaced(
            t.id,
            crate::merge::graph::Graph::read(store, id, &[])?.all_heads(),
        );
    }
    store.commit(w)?;
    Ok(e)
}

/// Rewrites the store in `store.dir()` for every erasure waiting for it:
/// redacts a full export (every erasure known, in the agreed order: later
/// arrivals about people erased long ago are redacted too), writes it into
/// a new store beside the old one with this device's sync state carried
/// over (so nothing is queued or applied again) and the quarantine
/// redacted, and swaps that in under the writer lock; the old store's
/// files are then deleted. All or nothing: until the swap the old store
/// is untouched. Returns the new store, opened and locked, and what each
/// waiting erasure did, by person.
pub fn complete(store: Store) -> Result<(Store, Vec<(Id, Erased)>), EraseError> {
    let waiting = pending(&store)?;
    if waiting.is_empty() {
        return Ok((store, Vec::new()));
    }
    let data = store.dir().to_path_buf();
    let mut kept = std::collections::HashMap::new();
    for id in &waiting {
        kept.insert(*id, kept_needles(&store, *id)?);
    }
    let mut dump = Dump::from_store(&store)?;
    let done = redact_all(&mut dump, &kept)?;
    let mut quarantine = store.quarantined()?;
    let mut held = Dump {
        events: quarantine.iter().map(|q| q.event.clone()).collect(),
        ..Dump::default()
    };
    for (e, _, n) in &done {
        if let Some(whom) = whom_of(e) {
            redact_with(&mut held, e, whom, n);
        }
    }
    for (q, e) in quarantine.iter_mut().zip(held.events) {
        q.event = e;
    }
    let carried = store.carried()?.without(PENDING);
    store.flush()?;
    let lock = store.close().ok_or_else(|| {
        StoreError::Invalid("a store in memory has no files to erase from".into())
    })?;
    let lock = gridbook_store::swap::replace(&data, lock, |new| {
        new.bulk(|| dump.load_into(new))?;
        new.put_carried(&carried)?;
        let mut w = Writes::new();
        for q in &quarantine {
            new.stage_quarantine(&mut w, q)?;
        }
        gridbook_store::outbox::receiving(|| new.commit(w))?;
        Ok::<(), EraseError>(())
    })?;
    let store = Store::open_locked(&data, lock)?;
    let out = done
        .into_iter()
        .filter_map(|(e, r, _)| whom_of(&e).map(|w| (person(w), r)))
        .filter(|(id, _)| waiting.contains(id))
        .collect();
    Ok((store, out))
}

/// Erases `whom` from the store in `store.dir()`: records the erasure
/// ([`record`]) and rewrites the store ([`complete`]). Returns the new
/// store, opened and locked, for the backups to be rewritten from.
pub fn erase(
    store: Store,
    whom: Whom,
    at: Ts,
    by: Option<Id>,
) -> Result<(Store, Erased), EraseError> {
    let before = match whom {
        Whom::Resident(id) => store.resident(id)?.map(|r| r.name),
        Whom::Member(id) => store.member(id)?.map(|m| m.name),
    };
    record(&store, whom, at, by)?;
    let (store, done) = complete(store)?;
    let mut erased = done
        .into_iter()
        .find(|(id, _)| *id == person(whom))
        .map(|(_, r)| r)
        .unwrap_or_default();
    if erased.name.is_empty() {
        erased.name = before.unwrap_or_default();
    }
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
/// With no seal (the backups are encrypted in a way that cannot be repeated
/// without asking), the old ones are removed and none is written.
pub fn rewrite_backups(
    store: &Store,
    seal: Option<&crate::seal::Seal>,
) -> Result<Rewritten, ExportError> {
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
    if let Some(seal) = seal
        && !store.is_empty()
    {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{self, Ctx, ResidentInput};

    /// A store on disk with one resident, a note naming her, and sync's
    /// outbox on.
    fn estate(dir: &Path) -> (Id, Id) {
        let s = Store::open(dir).unwrap();
        s.start_outbox().unwrap();
        let ctx = Ctx::now(None);
        let a = ops::add_area(&s, ctx, "胜利花苑", "slhy").unwrap();
        let b = ops::add_building(&s, ctx, a.meta.id, "3栋", "3").unwrap();
        let h = ops::add_household(&s, ctx, b.meta.id, "1", "101", "").unwrap();
        let r = ops::add_resident(
            &s,
            ctx,
            h.meta.id,
            &ResidentInput {
                name: "周海燕".into(),
                phones: "13905460001".into(),
                relation: "户主".into(),
                ..Default::default()
            },
        )
        .unwrap();
        (r.meta.id, s.device_id().unwrap().unwrap())
    }

    #[test]
    fn a_kill_before_the_rewrite_leaves_it_to_the_next_complete_which_keeps_the_device() {
        let dir = tempfile::tempdir().unwrap();
        let (resident, device) = estate(dir.path());
        let e = {
            let s = Store::open(dir.path()).unwrap();
            let e = record(&s, Whom::Resident(resident), Ts::now(), None).unwrap();
            s.flush().unwrap();
            e
            // Dropped here as a kill would leave it: recorded, not rewritten.
        };
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(pending(&s).unwrap(), vec![resident]);
        let queued = s.outbox().unwrap();
        let (s, done) = complete(s).unwrap();
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].1.name, "周海燕");
        let r = s.resident(resident).unwrap().unwrap();
        assert_eq!(r.name, MARK);
        assert!(r.phones.is_empty() && !r.meta.is_live());
        assert!(pending(&s).unwrap().is_empty(), "the rewrite took the key");
        assert_eq!(known(&s).unwrap(), vec![e.clone()]);
        // The same device, the same queue (the erasure in it, the
        // redacted entries not queued again), nothing left naming her.
        assert_eq!(s.device_id().unwrap(), Some(device));
        assert!(s.outbox_on());
        assert_eq!(s.outbox().unwrap(), queued);
        assert!(queued.iter().any(|q| q.id == e.id));
        let json = String::from_utf8(Dump::from_store(&s).unwrap().to_json()).unwrap();
        assert!(!json.contains("周海燕") && !json.contains("13905460001"));
        // Nothing waits: a second complete changes nothing.
        let before = Dump::from_store(&s).unwrap();
        let (s, done) = complete(s).unwrap();
        assert!(done.is_empty());
        assert_eq!(Dump::from_store(&s).unwrap(), before);
    }
}
