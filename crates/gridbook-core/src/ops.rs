//! Validated write operations: each checks its input against the rules and the
//! current state, stages records and events, and commits them as one
//! transaction. Nothing is written when a check fails.

use thiserror::Error;

use gridbook_domain::checklist::{self, Finding};
use gridbook_domain::model::*;
use gridbook_domain::validate::{self, FieldError};
use gridbook_store::store::{Record, Store, StoreError, Writes};

#[derive(Debug, Error)]
pub enum OpError {
    #[error(transparent)]
    Field(#[from] FieldError),
    /// A rule of the domain was broken (duplicate room, retired member …).
    #[error("{0}")]
    Rule(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A move or merge refused (`relocate`).
    #[error(transparent)]
    Relocate(#[from] crate::relocate::Refusal),
}

impl gridbook_domain::error::Kinded for OpError {
    fn kind(&self) -> gridbook_domain::error::ErrorKind {
        use gridbook_domain::error::ErrorKind;
        match self {
            OpError::Field(_) | OpError::Rule(_) | OpError::Relocate(_) => ErrorKind::Input,
            OpError::Store(e) => e.kind(),
        }
    }
}

pub type Result<T, E = OpError> = std::result::Result<T, E>;

pub(crate) fn rule<T>(msg: impl Into<String>) -> Result<T> {
    Err(OpError::Rule(msg.into()))
}

/// Who writes, and when "now" is (tests and replays pin it).
#[derive(Clone, Copy, Debug)]
pub struct Ctx {
    pub by: Option<Id>,
    pub now: Ts,
}

impl Ctx {
    pub fn now(by: Option<Id>) -> Ctx {
        Ctx { by, now: Ts::now() }
    }
}

fn created<R: Record>(store: &Store, w: &mut Writes, ctx: Ctx, r: &R) -> Result<()> {
    store.stage_new(w, r)?;
    let zone = r.parent().filter(|p| *p != Id::ROOT).unwrap_or(r.meta().id);
    let zone = if R::KIND.is_zone() { r.meta().id } else { zone };
    let e = Event::new(
        zone,
        ctx.now,
        ctx.by,
        EventBody::Created {
            target: r.meta().id,
            kind: R::KIND,
            label: r.label(),
        },
    );
    store.stage_event(w, &e)?;
    Ok(())
}

/// An entry's time under the one rule every way in shares
/// ([`validate::entry_at`]): 1970 to 9999, at most an hour ahead of now.
/// A responsibility span may be planned ahead, but lies in 1970 to 9999.
fn span_time(field: &'static str, t: Ts) -> Result<Ts> {
    Ok(validate::entry_time(field, t)?)
}

pub(crate) fn entry_at(field: &'static str, t: Ts, ctx: Ctx) -> Result<Ts> {
    Ok(validate::entry_at(field, t, ctx.now)?)
}

/// Checklist items carry text from a form or a file: no control characters
/// (a note may span lines).
fn check_items(items: &[CheckResult]) -> Result<()> {
    use validate::{Lines, check_chars};
    for it in items {
        check_chars("checklist item", &it.item, Lines::One)?;
        check_chars("checklist note", &it.note, Lines::Many)?;
    }
    Ok(())
}

/// The text of a correction, under the rules of the entry it corrects.
fn check_correction(c: &Correction) -> Result<()> {
    use validate::{Lines, check_chars};
    match c {
        Correction::Visit(VisitBody { purpose, note, .. }) => {
            validate::name("purpose", purpose)?;
            check_chars("note", note, Lines::Many)?;
        }
        Correction::ProblemOpened(ProblemOpenedBody {
            category,
            description,
            ..
        }) => {
            validate::name("category", category)?;
            validate::name("description", description)?;
        }
        Correction::ProblemStepped(ProblemSteppedBody { note, .. }) => {
            validate::name("note", note)?;
        }
        Correction::Patrol(PatrolBody { items, note, .. }) => {
            check_items(items)?;
            check_chars("note", note, Lines::Many)?;
        }
        Correction::Activity(ActivityBody { kind, note, .. }) => {
            validate::name("kind", kind)?;
            check_chars("note", note, Lines::Many)?;
        }
    }
    Ok(())
}

fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

pub fn add_area(store: &Store, ctx: Ctx, name: &str, code: &str) -> Result<Area> {
    let name = validate::name("area name", name)?;
    let code = validate::name("area code", code)?;
    for a in store.areas()? {
        if same(&a.name, &name) || same(&a.code, &code) {
            return rule(format!(
                "an area named {} (code {}) already exists",
                a.name, a.code
            ));
        }
    }
    let area = Area {
        meta: Meta::new(ctx.by),
        code,
        name,
    };
    let mut w = Writes::new();
    created(store, &mut w, ctx, &area)?;
    store.commit(w)?;
    Ok(area)
}

pub fn add_building(store: &Store, ctx: Ctx, area: Id, name: &str, code: &str) -> Result<Building> {
    let name = validate::name("building name", name)?;
    let code = validate::name("building code", code)?;
    let Some(a) = store.area(area)?.filter(|a| a.meta.is_live()) else {
        return rule("that area does not exist");
    };
    for b in store.buildings_of(area)? {
        if same(&b.name, &name) || same(&b.code, &code) {
            return rule(format!("{} already has a building {}", a.name, b.name));
        }
    }
    let b = Building {
        meta: Meta::new(ctx.by),
        area,
        code,
        name,
        first_floor: 1,
        doors_per_floor: None,
    };
    let mut w = Writes::new();
    created(store, &mut w, ctx, &b)?;
    store.commit(w)?;
    Ok(b)
}

pub fn add_household(
    store: &Store,
    ctx: Ctx,
    building: Id,
    unit: &str,
    room: &str,
    notes: &str,
) -> Result<Household> {
    let unit = validate::halfwidth(unit.trim());
    let room = validate::name("room", &validate::halfwidth(room))?;
    let notes = validate::text("notes", notes)?;
    let Some(b) = store.building(building)?.filter(|b| b.meta.is_live()) else {
        return rule("that building does not exist");
    };
    let h = Household {
        meta: Meta::new(ctx.by),
        building,
        unit,
        room,
        notes,
        occupancy: Occupancy::default(),
    };
    if store
        .households_of(building)?
        .iter()
        .any(|o| same(&o.label(), &h.label()))
    {
        return rule(format!("{} already has room {}", b.name, h.label()));
    }
    let mut w = Writes::new();
    created(store, &mut w, ctx, &h)?;
    store.commit(w)?;
    Ok(h)
}

/// The fields of a resident as typed in a form or a roster row.
#[derive(Clone, Debug, Default)]
pub struct ResidentInput {
    pub name: String,
    pub phones: String,
    pub relation: String,
    pub tags: String,
    pub notes: String,
}

/// A resident's fields after validation.
pub struct ValidResident {
    pub name: String,
    pub phones: Vec<String>,
    pub relation: String,
    pub tags: Vec<String>,
    pub notes: String,
}

impl ResidentInput {
    pub fn validate(&self) -> Result<ValidResident> {
        Ok(ValidResident {
            name: validate::name("name", &self.name)?,
            phones: if self.phones.trim().is_empty() {
                Vec::new()
            } else {
                validate::phones(&self.phones)?
            },
            relation: validate::text("relation", &self.relation)?,
            tags: validate::tags(&self.tags),
            notes: validate::text("notes", &self.notes)?,
        })
    }
}

pub fn add_resident(
    store: &Store,
    ctx: Ctx,
    household: Id,
    input: &ResidentInput,
) -> Result<Resident> {
    let ValidResident {
        name,
        phones,
        relation,
        tags,
        notes,
    } = input.validate()?;
    if store
        .household(household)?
        .filter(|h| h.meta.is_live())
        .is_none()
    {
        return rule("that household does not exist");
    }
    if store
        .residents_of(household)?
        .iter()
        .any(|r| r.name == name)
    {
        return rule(format!("{name} is already listed in this household"));
    }
    let r = Resident {
        meta: Meta::new(ctx.by),
        household,
        name,
        phones,
        relation,
        tags,
        notes,
        status: ResidentStatus::default(),
        birth_year: None,
        care: Vec::new(),
    };
    let mut w = Writes::new();
    created(store, &mut w, ctx, &r)?;
    store.commit(w)?;
    Ok(r)
}

pub fn add_member(
    store: &Store,
    ctx: Ctx,
    name: &str,
    phone: &str,
    kind: MemberKind,
    tags: &str,
) -> Result<Member> {
    let name = validate::name("name", name)?;
    let phone = validate::phone(phone)?;
    if store
        .members()?
        .iter()
        .any(|m| m.name == name && m.phone == phone)
    {
        return rule(format!("member {name} ({phone}) already exists"));
    }
    let m = Member {
        meta: Meta::new(ctx.by),
        name,
        phone,
        kind,
        tags: validate::tags(tags),
        branch: String::new(),
    };
    let mut w = Writes::new();
    created(store, &mut w, ctx, &m)?;
    store.commit(w)?;
    Ok(m)
}

/// Stages `Edited` events for every changed field and the bumped record.
pub(crate) fn stage_edits<R: Record>(
    store: &Store,
    w: &mut Writes,
    ctx: Ctx,
    record: &mut R,
    changes: &[(&str, String, String)],
) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let id = record.meta().id;
    let zone = if R::KIND.is_zone() || R::KIND == Kind::Member {
        id
    } else {
        record.parent().unwrap_or(id)
    };
    for (field, old, new) in changes {
        let e = Event::new(
            zone,
            ctx.now,
            ctx.by,
            EventBody::Edited {
                target: id,
                kind: R::KIND,
                field: field.to_string(),
                old: old.clone(),
                new: new.clone(),
            },
        );
        store.stage_event(w, &e)?;
        // The edit replaces every head of the field: what this device knew.
        w.name_replaced_field(e.id, id, field, || field_heads(store, id, field))?;
    }
    store.stage_update(w, record)?;
    Ok(())
}

/// The versions of `record`'s `field` nothing replaces yet.
fn field_heads(store: &Store, record: Id, field: &str) -> Result<Vec<Id>> {
    let g = crate::merge::graph::Graph::read(store, record, &[])?;
    Ok(g.heads(field).iter().map(|v| v.id).collect())
}

/// Every version of `record` nothing replaces yet: what a deletion names.
pub(crate) fn record_heads(store: &Store, record: Id) -> Result<Vec<Id>> {
    Ok(crate::merge::graph::Graph::read(store, record, &[])?.all_heads())
}

/// Edits a resident; each changed field becomes an event so history keeps the old value.
pub fn edit_resident(store: &Store, ctx: Ctx, id: Id, input: &ResidentInput) -> Result<Resident> {
    let Some(mut r) = store.resident(id)?.filter(|r| r.meta.is_live()) else {
        return rule("that resident does not exist");
    };
    let ValidResident {
        name,
        phones,
        relation,
        tags,
        notes,
    } = input.validate()?;
    if name != r.name
        && store
            .residents_of(r.household)?
            .iter()
            .any(|o| o.meta.id != id && o.name == name)
    {
        return rule(format!("{name} is already listed in this household"));
    }
    let mut changes = Vec::new();
    let mut diff = |field: &'static str, old: String, new: String| {
        if old != new {
            changes.push((field, old, new));
        }
    };
    diff("name", r.name.clone(), name.clone());
    diff("phones", r.phones.join(";"), phones.join(";"));
    diff("relation", r.relation.clone(), relation.clone());
    diff("tags", r.tags.join(";"), tags.join(";"));
    diff("notes", r.notes.clone(), notes.clone());
    r.name = name;
    r.phones = phones;
    r.relation = relation;
    r.tags = tags;
    r.notes = notes;
    let mut w = Writes::new();
    stage_edits(store, &mut w, ctx, &mut r, &changes)?;
    store.commit(w)?;
    Ok(r)
}

/// Marks a resident present (在住), moved out (迁出) or deceased (去世). Moved
/// out and deceased residents leave lists and targets but keep their
/// history; the change is an `Edited` event like any other field.
pub fn set_resident_status(
    store: &Store,
    ctx: Ctx,
    id: Id,
    status: ResidentStatus,
) -> Result<Resident> {
    let Some(mut r) = store.resident(id)?.filter(|r| r.meta.is_live()) else {
        return rule("that resident does not exist");
    };
    if r.status == status {
        return Ok(r);
    }
    let changes = vec![(
        "status",
        r.status.code().to_string(),
        status.code().to_string(),
    )];
    r.status = status;
    let mut w = Writes::new();
    stage_edits(store, &mut w, ctx, &mut r, &changes)?;
    store.commit(w)?;
    Ok(r)
}

/// Renames an area or building, or changes a household's unit, room and notes.
pub fn edit_place(store: &Store, ctx: Ctx, id: Id, fields: &[(&str, &str)]) -> Result<()> {
    let Some((kind, _)) = store.kind_of(id)? else {
        return rule("no such place");
    };
    let get = |k: &str| fields.iter().find(|(f, _)| *f == k).map(|(_, v)| *v);
    let mut w = Writes::new();
    match kind {
        Kind::Area => {
            let Some(mut a) = store.area(id)? else {
                return rule("no such area");
            };
            let name = validate::name("area name", get("name").unwrap_or(&a.name))?;
            let code = validate::name("area code", get("code").unwrap_or(&a.code))?;
            if store
                .areas()?
                .iter()
                .any(|o| o.meta.id != id && (same(&o.name, &name) || same(&o.code, &code)))
            {
                return rule(format!(
                    "another area is already named {name} or coded {code}"
                ));
            }
            let changes = diffs(&[("name", &a.name, &name), ("code", &a.code, &code)]);
            a.name = name;
            a.code = code;
            stage_edits(store, &mut w, ctx, &mut a, &changes)?;
        }
        Kind::Building => {
            let Some(mut b) = store.building(id)? else {
                return rule("no such building");
            };
            let name = validate::name("building name", get("name").unwrap_or(&b.name))?;
            let code = validate::name("building code", get("code").unwrap_or(&b.code))?;
            if store
                .buildings_of(b.area)?
                .iter()
                .any(|o| o.meta.id != id && (same(&o.name, &name) || same(&o.code, &code)))
            {
                return rule(format!("this area already has a building {name}"));
            }
            let first_floor = match get("first_floor") {
                None => b.first_floor,
                Some(v) => match v.trim().parse::<i32>() {
                    Ok(n) if (-9..=200).contains(&n) && n != 0 => n,
                    _ => {
                        return rule(format!(
                            "first floor `{v}`: give the floor rooms 1xx are on, e.g. 2 when shops take the ground floor"
                        ));
                    }
                },
            };
            let doors_per_floor = match get("doors_per_floor") {
                None => b.doors_per_floor,
                Some(v) if v.trim().is_empty() || v.trim() == "0" => None,
                Some(v) => match v.trim().parse::<u32>() {
                    Ok(n) if (1..=100).contains(&n) => Some(n),
                    _ => {
                        return rule(format!(
                            "doors per floor `{v}`: give a number from 1 to 100, or 0 for none"
                        ));
                    }
                },
            };
            let (old_ff, new_ff) = (b.first_floor.to_string(), first_floor.to_string());
            let show = |d: Option<u32>| d.map_or_else(String::new, |d| d.to_string());
            let (old_dpf, new_dpf) = (show(b.doors_per_floor), show(doors_per_floor));
            let changes = diffs(&[
                ("name", &b.name, &name),
                ("code", &b.code, &code),
                ("first_floor", &old_ff, &new_ff),
                ("doors_per_floor", &old_dpf, &new_dpf),
            ]);
            b.name = name;
            b.code = code;
            b.first_floor = first_floor;
            b.doors_per_floor = doors_per_floor;
            stage_edits(store, &mut w, ctx, &mut b, &changes)?;
        }
        Kind::Household => {
            let Some(mut h) = store.household(id)? else {
                return rule("no such household");
            };
            let unit = validate::halfwidth(get("unit").unwrap_or(&h.unit).trim());
            let room =
                validate::name("room", &validate::halfwidth(get("room").unwrap_or(&h.room)))?;
            let notes = validate::text("notes", get("notes").unwrap_or(&h.notes))?;
            let occupancy = match get("status") {
                None => h.occupancy,
                Some(v) => match Occupancy::parse(v) {
                    Some(o) => o,
                    None => {
                        return rule(format!(
                            "`{}` is not a household status: {}",
                            v.trim(),
                            Occupancy::allowed()
                        ));
                    }
                },
            };
            let mut probe = h.clone();
            probe.unit = unit.clone();
            probe.room = room.clone();
            if store
                .households_of(h.building)?
                .iter()
                .any(|o| o.meta.id != id && same(&o.label(), &probe.label()))
            {
                return rule(format!("this building already has room {}", probe.label()));
            }
            let changes = diffs(&[
                ("unit", &h.unit, &unit),
                ("room", &h.room, &room),
                ("notes", &h.notes, &notes),
                ("status", h.occupancy.code(), occupancy.code()),
            ]);
            h.unit = unit;
            h.room = room;
            h.notes = notes;
            h.occupancy = occupancy;
            stage_edits(store, &mut w, ctx, &mut h, &changes)?;
        }
        _ => return rule("not a place"),
    }
    store.commit(w)?;
    Ok(())
}

fn diffs(pairs: &[(&str, &str, &str)]) -> Vec<(&'static str, String, String)> {
    pairs
        .iter()
        .filter(|(_, o, n)| o != n)
        .map(|(f, o, n)| {
            let f: &'static str = match *f {
                "name" => "name",
                "code" => "code",
                "unit" => "unit",
                "room" => "room",
                "notes" => "notes",
                "phone" => "phone",
                "kind" => "kind",
                "tags" => "tags",
                "status" => "status",
                "first_floor" => "first_floor",
                "doors_per_floor" => "doors_per_floor",
                "branch" => "branch",
                _ => "field",
            };
            (f, o.to_string(), n.to_string())
        })
        .collect()
}

pub fn edit_member(
    store: &Store,
    ctx: Ctx,
    id: Id,
    name: &str,
    phone: &str,
    kind: MemberKind,
    tags: &str,
) -> Result<Member> {
    let branch = store.member(id)?.map(|m| m.branch).unwrap_or_default();
    edit_member_in_branch(store, ctx, id, name, phone, kind, tags, &branch)
}

/// [`edit_member`] that also sets the member's branch (党支部 / 党员服务社;
/// empty for none), all in one transaction.
#[allow(clippy::too_many_arguments)]
pub fn edit_member_in_branch(
    store: &Store,
    ctx: Ctx,
    id: Id,
    name: &str,
    phone: &str,
    kind: MemberKind,
    tags: &str,
    branch: &str,
) -> Result<Member> {
    let Some(mut m) = store.member(id)?.filter(|m| m.meta.is_live()) else {
        return rule("that member does not exist or is retired");
    };
    let name = validate::name("name", name)?;
    // A member recorded without a phone (members files allow it) can be
    // edited without giving one.
    let phone = if phone.trim().is_empty() && m.phone.is_empty() {
        String::new()
    } else {
        validate::phone(phone)?
    };
    let tags = validate::tags(tags);
    let branch = if branch.trim().is_empty() {
        String::new()
    } else {
        validate::name("branch", branch)?
    };
    let changes = diffs(&[
        ("name", &m.name, &name),
        ("phone", &m.phone, &phone),
        ("kind", m.kind.code(), kind.code()),
        ("tags", &m.tags.join(";"), &tags.join(";")),
        ("branch", &m.branch, &branch),
    ]);
    m.name = name;
    m.phone = phone;
    m.kind = kind;
    m.tags = tags;
    m.branch = branch;
    let mut w = Writes::new();
    stage_edits(store, &mut w, ctx, &mut m, &changes)?;
    store.commit(w)?;
    Ok(m)
}

/// Tombstones a place or person (members: retires them). Their history stays readable.
/// Places that still hold live children cannot be deleted.
pub fn tombstone(store: &Store, ctx: Ctx, id: Id, reason: &str) -> Result<()> {
    let reason = validate::name("reason", reason)?;
    let Some((kind, parent)) = store.kind_of(id)? else {
        return rule("no such record");
    };
    let t = Tombstone {
        at: ctx.now,
        by: ctx.by,
        reason: reason.clone(),
    };
    let mut w = Writes::new();
    let live_children = match kind {
        Kind::Area => store.buildings_of(id)?.len(),
        Kind::Building => store.households_of(id)?.len(),
        Kind::Household => 0, // residents go with their household
        _ => 0,
    };
    if live_children > 0 {
        return rule(format!(
            "it still holds {live_children} live entries; delete or move those first"
        ));
    }
    fn mark<R: Record>(store: &Store, w: &mut Writes, id: Id, t: &Tombstone) -> Result<()> {
        let Some(mut r) = store.record::<R>(id)? else {
            return rule("no such record");
        };
        if !r.meta().is_live() {
            return rule("it is already deleted");
        }
        r.meta_mut().tombstone = Some(t.clone());
        store.stage_update(w, &mut r)?;
        Ok(())
    }
    match kind {
        Kind::Area => mark::<Area>(store, &mut w, id, &t)?,
        Kind::Building => mark::<Building>(store, &mut w, id, &t)?,
        Kind::Household => mark::<Household>(store, &mut w, id, &t)?,
        Kind::Resident => mark::<Resident>(store, &mut w, id, &t)?,
        Kind::Member => {
            mark::<Member>(store, &mut w, id, &t)?;
            // A retiring member's zones and liaison households end here,
            // each span explicitly, so the zones' histories say so.
            for a in spans_not_ended(store, id, ctx.now)? {
                let until = Ts(ctx.now.0.max(a.since.0));
                store.stage_event(
                    &mut w,
                    &Event::new(
                        a.zone,
                        until,
                        ctx.by,
                        EventBody::AssignmentEnded {
                            assignment: a.id,
                            until,
                        },
                    ),
                )?;
            }
        }
    }
    let zone = if kind == Kind::Resident { parent } else { id };
    let e = Event::new(
        zone,
        ctx.now,
        ctx.by,
        EventBody::Tombstoned {
            target: id,
            kind,
            reason,
        },
    );
    store.stage_event(&mut w, &e)?;
    // A deletion names every version it knew of: an edit it did not know
    // (from another device) races it.
    w.name_replaced(e.id, record_heads(store, id)?);
    store.commit(w)?;
    Ok(())
}

/// The spans of `member` not ended at `at` (zones, liaison households) in
/// zones still there: what retiring them ends, as listed and counted, in
/// zone order. Spans in a closed zone (a household merged away) are
/// nobody's to hand over; retiring ends them too, without listing them.
pub fn open_spans(
    store: &Store,
    member: Id,
    at: Ts,
) -> Result<Vec<gridbook_store::store::Assignment>> {
    let mut out = Vec::new();
    for a in spans_not_ended(store, member, at)? {
        if zone_is_open(store, a.zone)? {
            out.push(a);
        }
    }
    Ok(out)
}

/// Every span of `member` not ended at `at`, closed zones too, in zone order.
fn spans_not_ended(
    store: &Store,
    member: Id,
    at: Ts,
) -> Result<Vec<gridbook_store::store::Assignment>> {
    let mut spans: Vec<_> = store
        .assignments_of_member(member)?
        .into_iter()
        .filter(|a| a.member == member && a.until.is_none_or(|u| u > at))
        .collect();
    spans.sort_by_key(|a| (a.zone, a.since));
    Ok(spans)
}

/// Whether a zone (area, building or household) is still there, not
/// closed: a closed one is nobody's to look after, so member lists and
/// transfers pass it by.
pub fn zone_is_open(store: &Store, zone: Id) -> gridbook_store::store::Result<bool> {
    Ok(match store.kind_of(zone)? {
        Some((Kind::Area, _)) => store.area(zone)?.is_some_and(|r| r.meta.is_live()),
        Some((Kind::Building, _)) => store.building(zone)?.is_some_and(|r| r.meta.is_live()),
        Some((Kind::Household, _)) => store.household(zone)?.is_some_and(|r| r.meta.is_live()),
        _ => false,
    })
}

/// How far ahead of now an entry may be dated: one rule, in the domain.
pub use gridbook_domain::validate::AHEAD_MS;

/// A member who can be credited with an entry dated `at`: live, or retired
/// after it (paper records typed in later).
pub(crate) fn member_at(store: &Store, member: Id, at: Ts) -> Result<Member> {
    match store.member(member)? {
        Some(m) if m.meta.is_live() => Ok(m),
        Some(m) if m.meta.tombstone.as_ref().is_some_and(|t| at < t.at) => Ok(m),
        Some(m) => rule(format!(
            "{} retired on {}; entries after that cannot be theirs",
            m.name,
            m.meta
                .tombstone
                .map(|t| t.at.date().to_string())
                .unwrap_or_default()
        )),
        None => rule("no such member"),
    }
}

pub(crate) fn live_member(store: &Store, member: Id) -> Result<Member> {
    match store.member(member)? {
        Some(m) if m.meta.is_live() => Ok(m),
        Some(m) => rule(format!("{} is retired", m.name)),
        None => rule("no such member"),
    }
}

pub(crate) fn zone_kind(store: &Store, zone: Id) -> Result<Kind> {
    match store.kind_of(zone)? {
        Some((k, _)) if k.is_zone() => Ok(k),
        _ => rule("no such zone (an area, building or household)"),
    }
}

/// Assigns `member` to `zone`. A new responsible member ends the span of the
/// previous one on that zone; a liaison is for households only.
pub fn assign(
    store: &Store,
    ctx: Ctx,
    zone: Id,
    member: Id,
    role: Role,
    since: Ts,
    until: Option<Ts>,
) -> Result<Event> {
    let mut w = Writes::new();
    let e = stage_assign(store, &mut w, ctx, zone, member, role, since, until)?;
    store.commit(w)?;
    Ok(e)
}

/// Assigns one member to several zones (marked in the TUI) in one
/// transaction: all of them or, when one is refused, none.
pub fn assign_many(
    store: &Store,
    ctx: Ctx,
    zones: &[Id],
    member: Id,
    role: Role,
    since: Ts,
) -> Result<Vec<Event>> {
    let mut w = Writes::new();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for z in zones.iter().filter(|z| seen.insert(**z)) {
        out.push(stage_assign(
            store, &mut w, ctx, *z, member, role, since, None,
        )?);
    }
    if out.is_empty() {
        return rule("nothing marked to assign");
    }
    store.commit(w)?;
    Ok(out)
}

/// The spans that assigning `member` to `zone` as `role` from `since`
/// ends: one responsible member at a time, so the other responsible
/// member's span then; a liaison or supervisor ends none.
pub fn spans_ended_by(
    store: &Store,
    zone: Id,
    member: Id,
    role: Role,
    since: Ts,
) -> Result<Vec<gridbook_store::store::Assignment>> {
    if role != Role::Responsible {
        return Ok(Vec::new());
    }
    Ok(store
        .assignments_of(zone)?
        .into_iter()
        .filter(|a| a.role == role && a.member != member && a.active_at(since))
        .collect())
}

#[allow(clippy::too_many_arguments)]
fn stage_assign(
    store: &Store,
    w: &mut Writes,
    ctx: Ctx,
    zone: Id,
    member: Id,
    role: Role,
    since: Ts,
    until: Option<Ts>,
) -> Result<Event> {
    let kind = zone_kind(store, zone)?;
    let m = live_member(store, member)?;
    span_time("since", since)?;
    if let Some(u) = until {
        span_time("until", u)?;
    }
    if let Some(u) = until
        && u <= since
    {
        return rule("the span ends before it starts");
    }
    if role == Role::Liaison && kind != Kind::Household {
        return rule("a liaison (联系户) is assigned to a household");
    }
    for a in store.assignments_of(zone)? {
        // One responsible member at a time: a span that starts at or after
        // the new one and has not ended would overlap it.
        if role == Role::Responsible
            && a.role == role
            && a.since >= since
            && a.until.is_none_or(|u| u > since)
        {
            let who = store
                .member(a.member)?
                .map_or_else(|| a.member.short(), |m| m.name);
            return rule(format!(
                "{who} is responsible here from {}; a new responsible member must start after that",
                a.since.date()
            ));
        }
        if a.role == role && a.active_at(since) && a.member == member {
            return rule(format!("{} already holds this role here", m.name));
        }
    }
    for a in spans_ended_by(store, zone, member, role, since)? {
        store.stage_event(
            w,
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
    }
    let e = Event::new(
        zone,
        since,
        ctx.by,
        EventBody::Assigned {
            member,
            role,
            since,
            until,
        },
    );
    store.stage_event(w, &e)?;
    Ok(e)
}

/// Ends an assignment span at `until`.
pub fn end_assignment(store: &Store, ctx: Ctx, assignment: Id, until: Ts) -> Result<()> {
    span_time("until", until)?;
    let Some(e) = store.event(assignment)? else {
        return rule("no such assignment");
    };
    let EventBody::Assigned { since, .. } = e.body else {
        return rule("that entry is not an assignment");
    };
    if until < since {
        return rule("the span ends before it starts");
    }
    let a = store
        .assignments_of(e.zone)?
        .into_iter()
        .find(|a| a.id == assignment);
    if a.is_some_and(|a| a.until.is_some_and(|u| u <= ctx.now)) {
        return rule("that assignment has already ended");
    }
    let mut w = Writes::new();
    store.stage_event(
        &mut w,
        &Event::new(
            e.zone,
            until,
            ctx.by,
            EventBody::AssignmentEnded { assignment, until },
        ),
    )?;
    store.commit(w)?;
    Ok(())
}

/// One span [`transfer`] moved: the zone, the role, and whether the new
/// member already held that role there (then only the old span ended).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moved {
    pub zone: Id,
    pub role: Role,
    pub already_held: bool,
}

/// Moves every zone and liaison household `from` holds at `since` to `to`
/// (a member moving away or retiring), in one transaction: each of `from`'s
/// spans ends at `since` and `to`'s starts there. Nothing is written when a
/// check fails.
pub fn transfer(store: &Store, ctx: Ctx, from: Id, to: Id, since: Ts) -> Result<Vec<Moved>> {
    let plan = transfer_plan(store, from, to, since)?;
    let mut w = Writes::new();
    for (a, mv) in &plan {
        store.stage_event(
            &mut w,
            &Event::new(
                a.zone,
                since,
                ctx.by,
                EventBody::AssignmentEnded {
                    assignment: a.id,
                    until: since,
                },
            ),
        )?;
        if !mv.already_held {
            store.stage_event(
                &mut w,
                &Event::new(
                    a.zone,
                    since,
                    ctx.by,
                    EventBody::Assigned {
                        member: to,
                        role: a.role,
                        since,
                        until: a.until,
                    },
                ),
            )?;
        }
    }
    store.commit(w)?;
    Ok(plan.into_iter().map(|(_, mv)| mv).collect())
}

/// What [`transfer`] would move, with the same checks, writing nothing: the
/// TUI shows it before asking to confirm.
pub fn transfer_preview(store: &Store, from: Id, to: Id, since: Ts) -> Result<Vec<Moved>> {
    Ok(transfer_plan(store, from, to, since)?
        .into_iter()
        .map(|(_, mv)| mv)
        .collect())
}

fn transfer_plan(
    store: &Store,
    from: Id,
    to: Id,
    since: Ts,
) -> Result<Vec<(gridbook_store::store::Assignment, Moved)>> {
    if from == to {
        return rule("a transfer needs two different members");
    }
    span_time("since", since)?;
    let f = live_member(store, from)?;
    live_member(store, to)?;
    // A closed zone is neither handed over nor ended here.
    let spans = open_spans(store, from, since)?;
    if let Some(a) = spans.iter().find(|a| a.since > since) {
        return rule(format!(
            "{}'s span there starts on {}, after the transfer date; transfer from that day or later",
            f.name,
            a.since.date()
        ));
    }
    let mut moved = Vec::new();
    for a in spans {
        let already_held = store
            .assignments_of(a.zone)?
            .iter()
            .any(|o| o.member == to && o.role == a.role && o.active_at(since));
        let mv = Moved {
            zone: a.zone,
            role: a.role,
            already_held,
        };
        moved.push((a, mv));
    }
    if moved.is_empty() {
        return rule(format!("{} holds no zone to transfer", f.name));
    }
    Ok(moved)
}

/// When a span given its last day ends: today ends it now (a span ended
/// today is no longer shown as held); any other day when that day is over,
/// in the local zone. The CLI's `unassign --until` and the TUI share it.
pub fn span_end(last_day: Date, now: Ts) -> Result<Ts> {
    if last_day == now.date() {
        return Ok(now);
    }
    let tz = gridbook_domain::clock::tz();
    let next = last_day
        .to_jiff()
        .and_then(|d| d.tomorrow().ok())
        .and_then(|d| d.to_zoned(tz).ok());
    match next {
        Some(z) => Ok(Ts(z.timestamp().as_millisecond())),
        None => rule(format!("{last_day}: not a day in the local zone")),
    }
}

/// What a visit form or `log visit` provides.
#[derive(Clone, Debug)]
pub struct VisitInput {
    pub household: Id,
    pub member: Id,
    pub at: Ts,
    pub purpose: String,
    pub note: String,
    pub follow_up: Option<Date>,
}

pub fn log_visit(store: &Store, ctx: Ctx, v: &VisitInput) -> Result<Event> {
    if zone_kind(store, v.household)? != Kind::Household {
        return rule("a visit is logged on a household");
    }
    member_at(store, v.member, v.at)?;
    entry_at("visit time", v.at, ctx)?;
    let purpose = validate::name("purpose", &v.purpose)?;
    let note = validate::text("note", &v.note)?;
    let e = Event::new(
        v.household,
        v.at,
        ctx.by,
        EventBody::Visit(VisitBody {
            household: v.household,
            member: v.member,
            purpose,
            note,
            follow_up: v.follow_up,
        }),
    );
    let mut w = Writes::new();
    store.stage_event(&mut w, &e)?;
    store.commit(w)?;
    Ok(e)
}

#[derive(Clone, Debug)]
pub struct ProblemInput {
    pub zone: Id,
    pub at: Ts,
    pub category: String,
    pub description: String,
    pub reporter: Option<Id>,
    pub urgency: Urgency,
}

pub fn open_problem(store: &Store, ctx: Ctx, p: &ProblemInput) -> Result<Event> {
    zone_kind(store, p.zone)?;
    let category = validate::name("category", &p.category)?;
    let description = validate::name("description", &p.description)?;
    entry_at("problem time", p.at, ctx)?;
    if let Some(r) = p.reporter
        && store.resident(r)?.is_none()
    {
        return rule("the reporting resident does not exist");
    }
    let e = Event::new(
        p.zone,
        p.at,
        ctx.by,
        EventBody::ProblemOpened(ProblemOpenedBody {
            category,
            description,
            reporter: p.reporter,
            urgency: p.urgency,
        }),
    );
    let mut w = Writes::new();
    store.stage_event(&mut w, &e)?;
    store.commit(w)?;
    Ok(e)
}

/// Progress, resolve, reopen or comment on a problem.
pub fn step_problem(
    store: &Store,
    ctx: Ctx,
    problem: Id,
    step: ProblemStep,
    note: &str,
    at: Ts,
) -> Result<Event> {
    let Some(opened) = store.event(problem)? else {
        return rule(format!("no problem with id {problem}"));
    };
    if !matches!(opened.body, EventBody::ProblemOpened(_)) {
        return rule(format!("{problem} is not a problem"));
    }
    let open = store.is_problem_open(problem)?;
    match step {
        ProblemStep::Resolved | ProblemStep::Progress if !open => {
            return rule("that problem is already resolved");
        }
        ProblemStep::Reopened if open => return rule("that problem is still open"),
        _ => {}
    }
    let note = validate::name("note", note)?;
    if at < opened.at {
        return rule("a step cannot come before the problem was reported");
    }
    entry_at("step time", at, ctx)?;
    let e = Event::new(
        opened.zone,
        at,
        ctx.by,
        EventBody::ProblemStepped(ProblemSteppedBody {
            problem,
            step,
            note,
        }),
    );
    let mut w = Writes::new();
    store.stage_event(&mut w, &e)?;
    // A step names the steps it follows, so a resolve and a reopen written
    // on two devices unaware of each other can be told apart after a merge.
    let mut follows: Vec<Id> = crate::merge::attention::step_heads(store, problem)?
        .iter()
        .map(|s| s.id)
        .collect();
    if follows.is_empty() {
        follows.push(problem);
    }
    w.name_replaced(e.id, follows);
    store.commit(w)?;
    Ok(e)
}

/// What a patrol form or `log patrol` provides.
#[derive(Clone, Debug)]
pub struct PatrolInput {
    pub zone: Id,
    pub kind: PatrolKind,
    pub at: Ts,
    pub items: Vec<CheckResult>,
    pub note: String,
    /// Open a problem for each item marked as an issue, in the same transaction.
    pub open_problems: bool,
}

/// What a patrol wrote: the patrol, the problems it opened, and the steps
/// it added to problems still open for the same item.
#[derive(Clone, Debug)]
pub struct PatrolLogged {
    pub patrol: Event,
    pub opened: Vec<Event>,
    pub stepped: Vec<Event>,
}

/// Logs a patrol of an area or building. With `open_problems`, each failed
/// item becomes a problem stored as a checklist finding (the item's key and
/// the note), unless a problem for that item in this zone is still open:
/// then the patrol adds a "still failing" progress step to it instead.
pub fn log_patrol(store: &Store, ctx: Ctx, input: PatrolInput) -> Result<PatrolLogged> {
    let PatrolInput {
        zone,
        kind,
        at,
        items,
        note,
        open_problems: open_problems_for_issues,
    } = input;
    match zone_kind(store, zone)? {
        Kind::Area | Kind::Building => {}
        _ => return rule("a patrol covers an area or a building"),
    }
    entry_at("patrol time", at, ctx)?;
    if items.is_empty() {
        return rule("a patrol needs at least one checklist item");
    }
    check_items(&items)?;
    let note = validate::text("note", &note)?;
    let mut items = items;
    for it in &mut items {
        it.note = validate::text("note", &it.note)?;
    }
    let mut w = Writes::new();
    let (mut opened, mut stepped) = (Vec::new(), Vec::new());
    if open_problems_for_issues {
        let still_open = open_findings(store, zone, kind)?;
        for it in items.iter().filter(|i| !i.ok) {
            let finding = Finding {
                key: it.item.clone(),
                note: it.note.clone(),
            }
            .encode();
            match still_open.iter().find(|(key, _)| *key == it.item) {
                Some((_, problem)) => {
                    let step = Event::new(
                        zone,
                        at.max(Ts(problem.ms())),
                        ctx.by,
                        EventBody::ProblemStepped(ProblemSteppedBody {
                            problem: *problem,
                            step: ProblemStep::Progress,
                            note: finding,
                        }),
                    );
                    store.stage_event(&mut w, &step)?;
                    stepped.push(step);
                }
                None => {
                    let p = Event::new(
                        zone,
                        at,
                        ctx.by,
                        EventBody::ProblemOpened(ProblemOpenedBody {
                            category: kind.code().to_string(),
                            description: finding,
                            reporter: None,
                            urgency: Urgency::Normal,
                        }),
                    );
                    store.stage_event(&mut w, &p)?;
                    opened.push(p);
                }
            }
        }
    }
    let patrol = Event::new(
        zone,
        at,
        ctx.by,
        EventBody::Patrol(PatrolBody { kind, items, note }),
    );
    store.stage_event(&mut w, &patrol)?;
    store.commit(w)?;
    Ok(PatrolLogged {
        patrol,
        opened,
        stepped,
    })
}

/// Open problems a patrol of `kind` left in `zone` itself, by the key of
/// the checklist item each is about (also those stored before items had
/// keys), oldest first.
fn open_findings(store: &Store, zone: Id, kind: PatrolKind) -> Result<Vec<(String, Id)>> {
    let mut out = Vec::new();
    let mut ids = store.open_problems_in(zone)?;
    ids.sort();
    for p in ids {
        let Some(e) = store.event(p)? else { continue };
        if e.zone != zone {
            continue;
        }
        if let EventBody::ProblemOpened(ProblemOpenedBody {
            category,
            description,
            ..
        }) = &e.body
            && category == kind.code()
            && let Some(key) = checklist::key_of(description)
        {
            out.push((key, p));
        }
    }
    Ok(out)
}

/// Corrects an earlier entry. The original stays; the timeline shows the replacement.
pub fn amend(
    store: &Store,
    ctx: Ctx,
    target: Id,
    replacement: EventBody,
    reason: &str,
) -> Result<Event> {
    let Some(orig) = store.event(target)? else {
        return rule("no such entry");
    };
    if std::mem::discriminant(&orig.body) != std::mem::discriminant(&replacement) {
        return rule("an amendment must keep the kind of the entry");
    }
    // A follow-up is done by the household's later visits, among which the
    // visit itself is counted: the household is where it happened.
    if let (EventBody::Visit(was), EventBody::Visit(now)) = (&orig.body, &replacement)
        && was.household != now.household
    {
        return rule("a correction keeps the visit's household; log a visit there instead");
    }
    let Some(replacement) = Correction::of(replacement) else {
        return rule("only visits, problems, problem steps and patrols can be amended");
    };
    let reason = validate::name("reason", reason)?;
    check_correction(&replacement)?;
    entry_at("correction time", ctx.now, ctx)?;
    let e = Event::new(
        orig.zone,
        ctx.now,
        ctx.by,
        EventBody::Amended {
            supersedes: target,
            replacement,
            reason,
        },
    );
    let mut w = Writes::new();
    store.stage_event(&mut w, &e)?;
    store.commit(w)?;
    Ok(e)
}
