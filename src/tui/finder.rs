//! The TUI's side of quick lookup: owns the index, receives it from a
//! background build so startup does not wait for it, and keeps it following
//! every change saved (changes made while it builds are replayed on arrival).

use std::sync::mpsc::{Receiver, TryRecvError};

use gridbook_core::lookup::{Head, Hit, HitKind, LookupIndex};
use gridbook_domain::model::{EventBody, Id, Kind, Ts};
use gridbook_store::store::{Store, StoreError};
use gridbook_store::writes::Changes;

/// At most this many lookup results are listed ("200+ results").
pub const RESULT_CAP: usize = 200;

/// One result, as the overlay needs it.
#[derive(Clone, Debug)]
pub struct FoundRow {
    pub kind: &'static str,
    pub name: String,
    pub name_match: Vec<usize>,
    pub address: String,
    pub phone: Option<String>,
    pub cover: Option<String>,
    pub zone: Option<Id>,
    /// A household's head and who to call.
    pub head: Option<Head>,
    /// A member's id (enter opens the member).
    pub member: Option<Id>,
    /// A resident's status code (`moved-out`, `deceased`, `present`).
    pub status: Option<&'static str>,
}

impl From<Hit> for FoundRow {
    fn from(h: Hit) -> FoundRow {
        FoundRow {
            kind: h.kind.code(),
            name: h.name,
            name_match: h.name_match,
            address: h.address,
            phone: h.phone,
            cover: h.cover,
            zone: h.household.or(h.zone),
            member: (h.kind == HitKind::Member).then_some(h.id),
            head: h.head,
            status: h.status,
        }
    }
}

/// A change to replay on the index.
#[derive(Clone, Copy, Debug)]
enum Change {
    Household(Id),
    Member(Id),
    Zone(Id),
    Remove(Id),
}

#[derive(Default)]
pub struct Finder {
    index: Option<LookupIndex>,
    incoming: Option<Receiver<Result<LookupIndex, StoreError>>>,
    /// Changes saved before the index arrived.
    pending: Vec<Change>,
    /// Why the index could not be built, if it could not.
    pub failed: Option<String>,
    /// The first read that failed while following a change: results may
    /// be out of date until the next start (the store itself is as saved).
    behind: Option<String>,
    /// What the store's commits change, whoever made them ([`Store::follow`]).
    changes: Option<Receiver<Changes>>,
}

/// More records than this in one change: building afresh is quicker.
const REBUILD_ABOVE: usize = 5_000;

impl Finder {
    /// Builds the index here and now (tests; small stores).
    pub fn build_now(&mut self, store: &Store) {
        match LookupIndex::build(store, Ts::now()) {
            Ok(i) => self.index = Some(i),
            Err(e) => self.failed = Some(e.to_string()),
        }
    }

    /// Takes the index from a background build.
    pub fn receive_from(&mut self, rx: Receiver<Result<LookupIndex, StoreError>>) {
        self.incoming = Some(rx);
    }

    /// Follows every commit to `store` from now on: the index keeps up with
    /// what is saved, from a form, an import or anything else.
    pub fn follow(&mut self, store: &Store) {
        self.changes = Some(store.follow());
    }

    /// Applies what was committed since the last look.
    pub fn catch_up(&mut self, store: &Store) {
        let Some(rx) = &self.changes else {
            return;
        };
        let batch: Vec<Changes> = rx.try_iter().collect();
        for c in batch {
            self.apply_changes(store, &c);
        }
    }

    fn apply_changes(&mut self, store: &Store, c: &Changes) {
        if c.records.len() > REBUILD_ABOVE && self.index.is_some() {
            self.build_now(store);
            return;
        }
        for (id, kind) in &c.records {
            let change = match kind {
                Kind::Resident => match store.resident(*id) {
                    Ok(Some(r)) => Change::Household(r.household),
                    _ => Change::Remove(*id),
                },
                Kind::Household => Change::Household(*id),
                Kind::Member => Change::Member(*id),
                Kind::Area | Kind::Building => Change::Zone(*id),
            };
            match change {
                Change::Remove(id) => self.remove(id),
                c => self.apply(store, c),
            }
        }
        // A new or ended responsibility changes the covering member shown
        // with every household under the zone, and the member's own entry.
        for e in &c.events {
            let Ok(Some(ev)) = store.event(*e) else {
                continue;
            };
            match ev.body {
                EventBody::Assigned { member, .. } => {
                    self.refresh_cover_under(store, ev.zone);
                    self.apply(store, Change::Member(member));
                }
                EventBody::AssignmentEnded { .. } => self.refresh_cover_under(store, ev.zone),
                _ => {}
            }
        }
    }

    /// Picks up a finished background build; true when it just arrived.
    pub fn poll_ready(&mut self, store: &Store) -> bool {
        self.catch_up(store);
        let Some(rx) = &self.incoming else {
            return false;
        };
        match rx.try_recv() {
            Ok(Ok(index)) => {
                self.index = Some(index);
                self.incoming = None;
                for c in std::mem::take(&mut self.pending) {
                    self.apply(store, c);
                }
                true
            }
            Ok(Err(e)) => {
                self.failed = Some(e.to_string());
                self.incoming = None;
                true
            }
            Err(TryRecvError::Empty) => false,
            Err(TryRecvError::Disconnected) => {
                self.incoming = None;
                false
            }
        }
    }

    pub fn ready(&mut self, store: &Store) -> bool {
        self.poll_ready(store);
        self.index.is_some()
    }

    pub fn search(&mut self, query: &str, limit: usize) -> Vec<FoundRow> {
        match &self.index {
            Some(i) if !query.trim().is_empty() => i
                .search(query, limit)
                .into_iter()
                .map(FoundRow::from)
                .collect(),
            _ => Vec::new(),
        }
    }

    fn apply(&mut self, store: &Store, c: Change) {
        let Some(index) = self.index.as_mut() else {
            self.pending.push(c);
            return;
        };
        // A failed refresh leaves that entry stale until the next start; the
        // store itself is unaffected, and the lookup says so.
        let done = match c {
            Change::Household(h) => index.refresh_household(store, h),
            Change::Member(m) => index.refresh_member(store, m),
            Change::Zone(z) => index.refresh_zone(store, z),
            Change::Remove(id) => {
                index.remove(id);
                Ok(())
            }
        };
        if let Err(e) = done {
            self.fell_behind(e);
        }
    }

    fn fell_behind(&mut self, e: StoreError) {
        self.behind.get_or_insert_with(|| e.to_string());
    }

    /// Why results may be out of date, when a change could not be followed.
    pub fn behind(&self) -> Option<&str> {
        self.behind.as_deref()
    }

    pub fn refresh_household(&mut self, store: &Store, household: Id) {
        self.apply(store, Change::Household(household));
    }

    pub fn refresh_member(&mut self, store: &Store, member: Id) {
        self.apply(store, Change::Member(member));
    }

    pub fn refresh_place(&mut self, store: &Store, place: Id) {
        self.apply(store, Change::Zone(place));
    }

    pub fn remove(&mut self, id: Id) {
        if let Some(i) = self.index.as_mut() {
            i.remove(id);
        } else {
            self.pending.push(Change::Remove(id));
        }
    }

    /// Covering members shown with results change when an assignment does:
    /// refresh every household under the zone.
    pub fn refresh_cover_under(&mut self, store: &Store, zone: Id) {
        let households = || -> Result<Vec<Id>, StoreError> {
            Ok(match store.kind_of(zone)? {
                Some((Kind::Household, _)) => vec![zone],
                Some((Kind::Building, _)) => store.child_ids(zone)?,
                Some((Kind::Area, _)) => {
                    let mut hs = Vec::new();
                    for b in store.child_ids(zone)? {
                        hs.extend(store.child_ids(b)?);
                    }
                    hs
                }
                _ => Vec::new(),
            })
        };
        match households() {
            Ok(hs) => {
                for h in hs {
                    self.apply(store, Change::Household(h));
                }
            }
            // The households under it keep the cover they showed.
            Err(e) => self.fell_behind(e),
        }
    }
}
