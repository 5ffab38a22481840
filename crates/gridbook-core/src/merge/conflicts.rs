//! What a merge leaves for people: conflicts (a field edited on two
//! devices, an edit racing a deletion), "needs attention" items, and
//! quarantined entries; listed with their versions, and a conflict resolved
//! by a new edit that names every head (it syncs like any edit).

use serde::Serialize;
use thiserror::Error;

use gridbook_domain::i18n::Lang;
use gridbook_domain::model::*;
use gridbook_store::store::{Record, Store, StoreError, Writes};

use super::attention;
use super::fields::{DELETED, Fields};
use super::graph::{Graph, Version};
use crate::ops::Ctx;

/// What kind of item a listed one is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Conflict,
    Attention,
    Quarantined,
}

/// The record an item is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordRef {
    /// `area`, `building`, `household`, `resident`, `member`, or `problem`,
    /// `visit`, `assigned` … for an entry.
    pub kind: String,
    pub id: Id,
    /// The place's address by names (a resident's household), if any.
    pub address: Option<String>,
    /// The person's name, if any.
    pub name: Option<String>,
}

/// One version of what is in dispute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Shown {
    pub value: String,
    /// The device that wrote it (its id; none for entries from before stamps).
    pub device: Option<Id>,
    /// That device's name, when a sync has met it.
    pub device_name: Option<String>,
    /// The member who wrote it, by name.
    pub member: Option<String>,
    /// When, local `YYYY-MM-DD HH:MM`.
    pub at: String,
    /// The entry.
    pub entry: Id,
    /// It deletes the record (its value is the reason).
    pub deletes: bool,
}

/// One item of `gridbook conflicts`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Listed {
    pub id: Id,
    pub kind: ItemKind,
    pub record: RecordRef,
    /// The field in dispute; for attention items the rule's code; for a
    /// quarantined entry its kind.
    pub field: String,
    pub versions: Vec<Shown>,
}

impl ItemKind {
    /// The kind of item, in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            ItemKind::Conflict => lang.t("merge.kind.conflict"),
            ItemKind::Attention => lang.t("merge.kind.attention"),
            ItemKind::Quarantined => lang.t("merge.kind.quarantined"),
        }
    }
}

impl Listed {
    /// The record an item is about: its address, a person's name after it.
    pub fn record_label(&self) -> String {
        match (&self.record.address, &self.record.name) {
            (Some(a), Some(n)) => format!("{a} {n}"),
            (Some(a), None) => a.clone(),
            (None, Some(n)) => n.clone(),
            (None, None) => self.record.id.short(),
        }
    }

    /// What is in dispute, in `lang`: a field's label or a rule's.
    pub fn field_label(&self, lang: Lang) -> String {
        match self.kind {
            // A person's name reads 姓名, a place's 名称.
            ItemKind::Conflict
                if self.field == "name"
                    && matches!(self.record.kind.as_str(), "resident" | "member") =>
            {
                lang.t("merge.field.person_name").to_string()
            }
            ItemKind::Conflict => lang.label("merge.field", &self.field),
            ItemKind::Attention if self.field == attention::Rule::ConcurrentMoves.code() => {
                lang.label("moves.rule", &self.field)
            }
            ItemKind::Attention => lang.label("merge.rule", &self.field),
            ItemKind::Quarantined => self.field.clone(),
        }
    }
}

impl Shown {
    /// The laptop that wrote it: its name when known, else its id's end.
    pub fn device_label(&self) -> String {
        match (&self.device_name, self.device) {
            (Some(name), _) => name.clone(),
            (None, Some(id)) => id.short(),
            (None, None) => "—".into(),
        }
    }

    /// The value as shown: a deletion says so with its reason.
    pub fn value_label(&self, lang: Lang) -> String {
        if self.deletes {
            lang.f("merge.deleted_because", &[&self.value])
        } else if self.value.is_empty() {
            lang.t("merge.empty").to_string()
        } else {
            self.value.clone()
        }
    }
}

#[derive(Debug, Error)]
pub enum ConflictError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Op(#[from] crate::ops::OpError),
    #[error("no conflict, attention item or quarantined entry has the id `{0}`")]
    Unknown(String),
    #[error("`{0}` matches more than one item; give more of the id")]
    Ambiguous(String),
    #[error("{id} is not a conflict; only conflicts are resolved by keeping a version")]
    NotConflict { id: Id },
    #[error("--keep {keep}: choose a version from 1 to {count}")]
    NoSuchVersion { keep: usize, count: usize },
}

impl gridbook_domain::error::Kinded for ConflictError {
    fn kind(&self) -> gridbook_domain::error::ErrorKind {
        use gridbook_domain::error::ErrorKind;
        match self {
            ConflictError::Store(e) => e.kind(),
            ConflictError::Op(e) => e.kind(),
            _ => ErrorKind::Input,
        }
    }
}

fn ts_shown(t: Ts) -> String {
    t.display()
}

fn device_name(store: &Store, device: Option<Id>) -> Result<Option<String>, StoreError> {
    device.map_or(Ok(None), |d| crate::sync::run::device_name(store, d))
}

fn member(store: &Store, by: Option<Id>) -> Result<Option<String>, StoreError> {
    by.map(|m| crate::zoneview::member_name(store, m))
        .transpose()
}

fn shown(store: &Store, v: &Version) -> Result<Shown, StoreError> {
    Ok(Shown {
        value: v.value.clone(),
        device: v.stamp.as_ref().map(|s| s.device),
        device_name: device_name(store, v.stamp.as_ref().map(|s| s.device))?,
        member: member(store, v.by)?,
        at: ts_shown(v.at),
        entry: v.id,
        deletes: v.deletes,
    })
}

fn shown_event(store: &Store, e: &Event, value: String) -> Result<Shown, StoreError> {
    let device = store.stamp(e.id)?.map(|s| s.device);
    Ok(Shown {
        value,
        device,
        device_name: device_name(store, device)?,
        member: member(store, e.by)?,
        at: ts_shown(e.at),
        entry: e.id,
        deletes: false,
    })
}

/// The record `id` names, for a listing.
fn record_ref(store: &Store, id: Id) -> Result<RecordRef, StoreError> {
    let kind = store.kind_of(id)?.map(|(k, _)| k);
    let place = |id: Id| {
        crate::address::zone_of(store, id)
            .ok()
            .flatten()
            .map(|z| z.path())
    };
    let (address, name) = match kind {
        Some(Kind::Area | Kind::Building | Kind::Household) => (place(id), None),
        Some(Kind::Resident) => {
            let r = store.resident(id)?;
            (
                r.as_ref().and_then(|r| place(r.household)),
                r.map(|r| r.name),
            )
        }
        Some(Kind::Member) => (None, store.member(id)?.map(|m| m.name)),
        None => (None, None),
    };
    Ok(RecordRef {
        kind: kind.map_or("entry", Kind::code).to_string(),
        id,
        address,
        name,
    })
}

/// Conflicts in one record's graph.
fn record_conflicts(store: &Store, record: Id) -> Result<Vec<Listed>, StoreError> {
    let g = Graph::read(store, record, &[])?;
    let mut out = Vec::new();
    for field in g.conflicts() {
        let heads = g.heads(field);
        out.push(Listed {
            id: heads[0].id,
            kind: ItemKind::Conflict,
            record: record_ref(store, record)?,
            field: field.to_string(),
            versions: heads
                .iter()
                .map(|v| shown(store, v))
                .collect::<Result<_, _>>()?,
        });
    }
    if let Some(race) = g.race() {
        let mut versions = vec![shown(store, race.deletion)?];
        for v in &race.edits {
            versions.push(shown(store, v)?);
        }
        out.push(Listed {
            id: race.deletion.id,
            kind: ItemKind::Conflict,
            record: record_ref(store, record)?,
            field: DELETED.to_string(),
            versions,
        });
    }
    Ok(out)
}

/// Every conflict, attention item and quarantined entry: conflicts first,
/// each kind by id. Attention items describe their entries in `lang`.
pub fn list(store: &Store, lang: Lang) -> Result<Vec<Listed>, StoreError> {
    let mut out = Vec::new();
    for record in store.records_with_versions()? {
        out.extend(record_conflicts(store, record)?);
    }
    for item in attention::list(store)? {
        let mut versions = Vec::new();
        for id in &item.entries {
            if let Some(e) = store.event(*id)? {
                let names = crate::zoneview::Namer::new(store);
                let mut value =
                    gridbook_domain::describe::event(lang, &e.body, &|id| names.name(id));
                names.finish()?;
                // Says which of the racing moves the resident is listed by.
                if item.rule == attention::Rule::ConcurrentMoves && e.id == item.id {
                    value = lang.f("moves.listed_now", &[&value]);
                }
                versions.push(shown_event(store, &e, value)?);
            }
        }
        out.push(Listed {
            id: item.id,
            kind: ItemKind::Attention,
            record: record_ref(store, item.zone)?,
            field: item.rule.code().to_string(),
            versions,
        });
    }
    for q in store.quarantined()? {
        let here = store.event(q.event.id)?;
        let mut versions = Vec::new();
        if let Some(e) = &here {
            versions.push(shown_event(store, e, json(e))?);
        }
        versions.push(Shown {
            value: json(&q.event),
            device: q.stamp.as_ref().map(|s| s.device),
            device_name: device_name(store, q.stamp.as_ref().map(|s| s.device))?,
            member: member(store, q.event.by)?,
            at: ts_shown(q.event.at),
            entry: q.event.id,
            deletes: false,
        });
        out.push(Listed {
            id: q.event.id,
            kind: ItemKind::Quarantined,
            record: record_ref(store, q.event.zone)?,
            field: q.event.body.kind_code().to_string(),
            versions,
        });
    }
    out.sort_by_key(|l| (l.kind, l.id));
    Ok(out)
}

fn json(e: &Event) -> String {
    serde_json::to_string(&e.body).unwrap_or_default()
}

/// How many items `list` holds (the ⚠ count), counted again only after
/// a commit ([`Store::counted_once`]): Today and the conflicts screen ask
/// for it each time they load.
pub fn count(store: &Store) -> Result<usize, StoreError> {
    store.counted_once("conflicts", || Ok(list(store, Lang::En)?.len()))
}

/// The item `id` names: its full id, or the end of it (at least 4 characters).
pub fn find(store: &Store, lang: Lang, id: &str) -> Result<Listed, ConflictError> {
    let want = id.trim().to_ascii_uppercase();
    let all = list(store, lang)?;
    let matches: Vec<&Listed> = all
        .iter()
        .filter(|l| {
            let s = l.id.to_string();
            s == want || (want.len() >= 4 && s.ends_with(&want))
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(ConflictError::Unknown(id.to_string())),
        _ => Err(ConflictError::Ambiguous(id.to_string())),
    }
}

/// Resolves conflict `id` by keeping version `keep` (from 1, as listed):
/// a new edit naming every head, so every device that receives it settles
/// the same way. Keeping a deletion deletes again naming the racing edits;
/// keeping an edit brings the record back.
pub fn resolve(store: &Store, ctx: Ctx, id: &str, keep: usize) -> Result<Listed, ConflictError> {
    let item = find(store, Lang::En, id)?;
    if item.kind != ItemKind::Conflict {
        return Err(ConflictError::NotConflict { id: item.id });
    }
    if keep == 0 || keep > item.versions.len() {
        return Err(ConflictError::NoSuchVersion {
            keep,
            count: item.versions.len(),
        });
    }
    let chosen = &item.versions[keep - 1];
    let record = item.record.id;
    let Some((kind, _)) = store.kind_of(record)? else {
        return Err(ConflictError::Unknown(id.to_string()));
    };
    let mut w = Writes::new();
    match kind {
        Kind::Area => settle::<Area>(store, &mut w, ctx, &item, chosen)?,
        Kind::Building => settle::<Building>(store, &mut w, ctx, &item, chosen)?,
        Kind::Household => settle::<Household>(store, &mut w, ctx, &item, chosen)?,
        Kind::Resident => settle::<Resident>(store, &mut w, ctx, &item, chosen)?,
        Kind::Member => settle::<Member>(store, &mut w, ctx, &item, chosen)?,
    }
    store.commit(w)?;
    Ok(item)
}

fn settle<R: Record + Fields>(
    store: &Store,
    w: &mut Writes,
    ctx: Ctx,
    item: &Listed,
    chosen: &Shown,
) -> Result<(), ConflictError> {
    let id = item.record.id;
    let Some(mut r) = store.record::<R>(id)? else {
        return Err(ConflictError::Unknown(item.id.to_string()));
    };
    if item.field != DELETED {
        let old = r.get(&item.field).unwrap_or_default();
        r.set(&item.field, &chosen.value, ctx.now);
        crate::ops::stage_edits(
            store,
            w,
            ctx,
            &mut r,
            &[(item.field.as_str(), old, chosen.value.clone())],
        )?;
        return Ok(());
    }
    let g = Graph::read(store, id, &[])?;
    if chosen.deletes {
        // Delete again, this time knowing of every edit.
        let zone = zone_of::<R>(&r);
        let e = Event::new(
            zone,
            ctx.now,
            ctx.by,
            EventBody::Tombstoned {
                target: id,
                kind: R::KIND,
                reason: chosen.value.clone(),
            },
        );
        r.meta_mut().tombstone = Some(Tombstone {
            at: ctx.now,
            by: ctx.by,
            reason: chosen.value.clone(),
        });
        store.stage_event(w, &e)?;
        w.name_replaced(e.id, g.all_heads());
        store.stage_update(w, &mut r)?;
    } else {
        // Bring it back, as a roster re-import does, naming the deletion.
        let reason = r
            .meta()
            .tombstone
            .as_ref()
            .map(|t| t.reason.clone())
            .unwrap_or_default();
        r.meta_mut().tombstone = None;
        crate::ops::stage_edits(store, w, ctx, &mut r, &[(DELETED, reason, String::new())])?;
    }
    Ok(())
}

/// Where an entry about `r` hangs: places and members on themselves,
/// residents on their household.
fn zone_of<R: Record>(r: &R) -> Id {
    if R::KIND == Kind::Resident {
        r.parent().unwrap_or(r.meta().id)
    } else {
        r.meta().id
    }
}
