//! Who covers a zone: its own responsible member, else its building's, else its area's.

use serde::Serialize;

use gridbook_domain::model::*;
use gridbook_store::store::{Assignment, Result, Store};

/// The member who covers a zone and where that responsibility comes from.
#[derive(Clone, Debug, Serialize)]
pub struct Cover {
    pub member: Id,
    pub name: String,
    pub phone: String,
    pub since: Ts,
    /// The zone the assignment is on: the zone itself when direct.
    pub via: Id,
    pub via_kind: Kind,
    pub direct: bool,
}

/// The active responsible assignment made directly on `zone`, if any.
pub fn direct_responsible(store: &Store, zone: Id, now: Ts) -> Result<Option<Assignment>> {
    Ok(store
        .assignments_of(zone)?
        .into_iter()
        .filter(|a| a.role == Role::Responsible && a.active_at(now))
        .max_by_key(|a| a.since))
}

/// Who covers `zone` at `now`, walking up the hierarchy (household → building → area).
pub fn covering(store: &Store, zone: Id, now: Ts) -> Result<Option<Cover>> {
    for (i, (kind, z)) in store.ancestry(zone)?.into_iter().enumerate() {
        if !kind.is_zone() {
            continue;
        }
        if let Some(a) = direct_responsible(store, z, now)?
            && let Some(m) = store.member(a.member)?
            && m.meta.is_live()
        {
            return Ok(Some(Cover {
                member: m.meta.id,
                name: m.name,
                phone: m.phone,
                since: a.since,
                via: z,
                via_kind: kind,
                direct: i == 0,
            }));
        }
    }
    Ok(None)
}

/// Liaison members (联系户) of a household now, with their assignments.
pub fn liaisons(store: &Store, household: Id, now: Ts) -> Result<Vec<(Member, Assignment)>> {
    let mut out = Vec::new();
    for a in store.assignments_of(household)? {
        if a.role == Role::Liaison
            && a.active_at(now)
            && let Some(m) = store.member(a.member)?
            && m.meta.is_live()
        {
            out.push((m, a));
        }
    }
    Ok(out)
}
