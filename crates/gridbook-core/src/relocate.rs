//! Moving a resident to another household and merging households. A move
//! is a `Moved` event (the hierarchy follows it); a merge moves every
//! resident of one household into another, records `Merged`, and closes
//! the first with a reason naming the merge. Nothing is written when a
//! check fails.

use gridbook_domain::model::*;
use gridbook_store::projection::visits::LastVisit;
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

/// A household's latest visit (when, which) as a grid worker reads it: its
/// own or one to a household merged into it, whichever is later, since
/// the same people were visited. Every reader of "last visited" (views,
/// coverage, Today, care, the building plan) goes through here or
/// [`last_visits`]. Read for one household: its timeline names its merges.
pub fn last_visit(store: &Store, household: Id) -> gridbook_store::store::Result<Option<(Ts, Id)>> {
    let mut latest = store.last_visit(household)?;
    for from in merged_into(store, household)? {
        latest = latest.max(store.last_visit(from)?);
    }
    Ok(latest)
}

/// Every merge, as (merged, into): one pass over households, and for each
/// closed one the entries written at its closing. A merge closes `from` at
/// the very time of its `Merged` entry, so the entries of that millisecond
/// (an id's time is its entry's) hold it. Closed households are few.
pub fn merges(store: &Store) -> gridbook_store::store::Result<Vec<(Id, Id)>> {
    let mut closed = Vec::new();
    store.each_stored::<Household>(|bytes| {
        let h: crate::views::HouseholdView = Store::view::<Household, _>(bytes)?;
        if !h.meta.is_live() {
            closed.push(h.meta.id);
        }
        Ok(true)
    })?;
    merges_of(store, &closed)
}

/// The merges of the `closed` households, as (merged, into): those closed
/// by a merge rather than deleted.
pub fn merges_of(store: &Store, closed: &[Id]) -> gridbook_store::store::Result<Vec<(Id, Id)>> {
    let mut out = Vec::new();
    for &h in closed {
        for into in merged_away_into(store, h)? {
            if !out.contains(&(h, into)) {
                out.push((h, into));
            }
        }
    }
    Ok(out)
}

/// The households closed household `h` was merged into, read from the
/// entries written at its closing (a merge closes it at the very time of
/// its `Merged` entry). Empty when it was deleted, not merged. Two laptops
/// may each have closed it; each closing is looked at.
fn merged_away_into(store: &Store, h: Id) -> gridbook_store::store::Result<Vec<Id>> {
    let mut out = Vec::new();
    for t in store.timeline(h, usize::MAX)? {
        let EventBody::Tombstoned { target, .. } = t.body else {
            continue;
        };
        if target != h {
            continue;
        }
        for e in store.events_at(t.at)? {
            if let EventBody::Merged { from, into } = e.body
                && from == h
                && !out.contains(&into)
            {
                out.push(into);
            }
        }
    }
    Ok(out)
}

/// The household `h`'s people live in now: `h` while it is open; for one
/// merged away, the open household it was merged into (following merges
/// of merges). `None` when `h` is unknown, or was deleted rather than
/// merged, or what it went into was deleted since.
pub fn living_household(store: &Store, h: Id) -> gridbook_store::store::Result<Option<Id>> {
    let mut seen = Vec::new();
    let mut todo = vec![h];
    while let Some(at) = todo.pop() {
        if seen.contains(&at) {
            continue;
        }
        seen.push(at);
        match store.household(at)? {
            Some(x) if x.meta.is_live() => return Ok(Some(at)),
            Some(_) => todo.extend(merged_away_into(store, at)?),
            None => {}
        }
    }
    Ok(None)
}

/// [`Store::last_visits`] with merges folded in: a household's entry is
/// its [`last_visit`], for whole-estate reports that read them in one pass.
/// Sorted by household, as the store lists them.
pub fn last_visits(store: &Store) -> gridbook_store::store::Result<Vec<LastVisit>> {
    Ok(with_merges(store.last_visits()?, &merges(store)?))
}

/// Each household's own latest visit (`own`, [`Store::last_visits`]) with
/// `merges` ([`merges`]) folded in, as [`last_visits`] gives them.
pub fn with_merges(own: Vec<LastVisit>, merges: &[(Id, Id)]) -> Vec<LastVisit> {
    if merges.is_empty() {
        return own;
    }
    let of = |h: Id| {
        own.binary_search_by_key(&h, |l| l.household)
            .ok()
            .map(|i| (own[i].at, own[i].visit))
    };
    let mut out = own.clone();
    let mut intos: Vec<Id> = merges.iter().map(|(_, into)| *into).collect();
    intos.sort_unstable();
    intos.dedup();
    for into in intos {
        // Merges of merges: everything merged into `into`, however deep.
        let mut latest = of(into);
        let mut seen = vec![into];
        let mut todo = vec![into];
        while let Some(h) = todo.pop() {
            for &(from, to) in merges {
                if to == h && !seen.contains(&from) {
                    seen.push(from);
                    todo.push(from);
                    latest = latest.max(of(from));
                }
            }
        }
        let Some((at, visit)) = latest else { continue };
        let l = LastVisit {
            household: into,
            at,
            visit,
        };
        match out.binary_search_by_key(&into, |l| l.household) {
            Ok(i) => out[i] = l,
            Err(i) => out.insert(i, l),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::Ctx;

    use crate::report::today_tests::estate;

    #[test]
    fn a_household_was_last_visited_when_one_merged_into_it_was_read_one_by_one_or_whole() {
        let (store, now) = estate();
        let mut visited = store.last_visits().unwrap();
        visited.sort_by_key(|l| (l.at, l.visit));
        // `b` was visited least lately, `c` most; `a` in between.
        let (b, a, c) = (
            visited[0].household,
            visited[visited.len() / 2].household,
            visited[visited.len() - 1].household,
        );
        let c_visit = Some((
            visited[visited.len() - 1].at,
            visited[visited.len() - 1].visit,
        ));
        // A merge of a merge: c into a, then a into b, a minute apart.
        let ctx = Ctx { by: None, now };
        merge_households(&store, ctx, c, a, "合并").unwrap();
        let later = Ctx {
            by: None,
            now: Ts(now.0 + 60_000),
        };
        merge_households(&store, later, a, b, "合并").unwrap();
        let mut m = merges(&store).unwrap();
        m.sort();
        let mut want = vec![(c, a), (a, b)];
        want.sort();
        assert_eq!(m, want);
        assert_eq!(last_visit(&store, b).unwrap(), c_visit);
        assert_ne!(store.last_visit(b).unwrap(), c_visit, "b's own is older");
        // The whole-estate list says what one household's read says, for
        // every household.
        let whole = last_visits(&store).unwrap();
        assert!(whole.windows(2).all(|w| w[0].household < w[1].household));
        for h in store.all::<Household>() {
            let id = h.unwrap().meta.id;
            let listed = whole
                .binary_search_by_key(&id, |l| l.household)
                .ok()
                .map(|i| (whole[i].at, whole[i].visit));
            assert_eq!(listed, last_visit(&store, id).unwrap(), "{id}");
        }
    }
}
