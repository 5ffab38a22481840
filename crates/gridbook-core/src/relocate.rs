//! Moving a resident to another household and merging households. A move
//! is a `Moved` event (the hierarchy follows it); a merge moves every
//! resident of one household into another, records `Merged`, and closes
//! the first with a reason naming the merge. Nothing is written when a
//! check fails.

use gridbook_domain::model::*;
use gridbook_store::store::{Store, Writes};

use crate::ops::{Ctx, Result};

/// Why a move or merge is refused. Typed, so the edge says it in the
/// user's language (`speak`); the English is each variant's `Display`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("that household does not exist or is closed")]
    NoHousehold,
    #[error("that resident does not exist")]
    NoResident,
    #[error("{0} already lives in that household")]
    AlreadyLives(String),
    #[error("{0} is already listed in that household")]
    AlreadyListed(String),
    #[error("a household cannot be merged into itself")]
    IntoItself,
    #[error("{0} is listed in both households; rename or delete one first")]
    ListedInBoth(String),
}

fn refuse<T>(r: Refusal) -> Result<T> {
    Err(r.into())
}

fn live_household(store: &Store, id: Id) -> Result<Household> {
    match store.household(id)?.filter(|h| h.meta.is_live()) {
        Some(h) => Ok(h),
        None => refuse(Refusal::NoHousehold),
    }
}

/// Stages moving `r` into household `to`.
fn stage_move(store: &Store, w: &mut Writes, ctx: Ctx, r: &mut Resident, to: Id) -> Result<()> {
    let from = r.household;
    r.household = to;
    store.stage_update(w, r)?;
    let e = Event::new(
        to,
        ctx.now,
        ctx.by,
        EventBody::Moved {
            resident: r.meta.id,
            from,
            to,
        },
    );
    store.stage_event(w, &e)?;
    Ok(())
}

/// Moves a resident to household `to`; their history goes with them.
pub fn move_resident(store: &Store, ctx: Ctx, resident: Id, to: Id) -> Result<Resident> {
    let Some(mut r) = store.resident(resident)?.filter(|r| r.meta.is_live()) else {
        return refuse(Refusal::NoResident);
    };
    live_household(store, to)?;
    if r.household == to {
        return refuse(Refusal::AlreadyLives(r.name));
    }
    if store.residents_of(to)?.iter().any(|o| o.name == r.name) {
        return refuse(Refusal::AlreadyListed(r.name));
    }
    let mut w = Writes::new();
    stage_move(store, &mut w, ctx, &mut r, to)?;
    store.commit(w)?;
    Ok(r)
}

/// Merges household `from` into `into`: its residents move, its timeline
/// shows on `into` (see [`merged_into`]), and it is closed with `reason`.
/// Returns the residents moved.
pub fn merge_households(
    store: &Store,
    ctx: Ctx,
    from: Id,
    into: Id,
    reason: &str,
) -> Result<Vec<Resident>> {
    if from == into {
        return refuse(Refusal::IntoItself);
    }
    let mut closing = live_household(store, from)?;
    live_household(store, into)?;
    let reason = gridbook_domain::validate::name("reason", reason)?;
    let staying = store.residents_of(into)?;
    let mut moving = store.residents_of(from)?;
    if let Some(r) = moving
        .iter()
        .find(|r| staying.iter().any(|o| o.name == r.name))
    {
        return refuse(Refusal::ListedInBoth(r.name.clone()));
    }
    let mut w = Writes::new();
    for r in &mut moving {
        stage_move(store, &mut w, ctx, r, into)?;
    }
    store.stage_event(
        &mut w,
        &Event::new(into, ctx.now, ctx.by, EventBody::Merged { from, into }),
    )?;
    closing.meta.tombstone = Some(Tombstone {
        at: ctx.now,
        by: ctx.by,
        reason: reason.clone(),
    });
    store.stage_update(&mut w, &mut closing)?;
    let closed = Event::new(
        from,
        ctx.now,
        ctx.by,
        EventBody::Tombstoned {
            target: from,
            kind: Kind::Household,
            reason,
        },
    );
    store.stage_event(&mut w, &closed)?;
    w.name_replaced(closed.id, crate::ops::record_heads(store, from)?);
    store.commit(w)?;
    Ok(moving)
}

/// The households merged into `household`, directly or through another
/// merge: their timelines show on it too.
pub fn merged_into(store: &Store, household: Id) -> gridbook_store::store::Result<Vec<Id>> {
    let mut out = Vec::new();
    let mut todo = vec![household];
    while let Some(h) = todo.pop() {
        for e in store.timeline(h, usize::MAX)? {
            if let EventBody::Merged { from, into } = e.body
                && into == h
                && from != household
                && !out.contains(&from)
            {
                out.push(from);
                todo.push(from);
            }
        }
    }
    Ok(out)
}
