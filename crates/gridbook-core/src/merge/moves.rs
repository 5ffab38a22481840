//! Moves of one resident on several laptops. The hierarchy lists a
//! resident where the last of its moves in the agreed order put it (each
//! move takes it out of where it is listed, see the store's hierarchy
//! projection); the record's `household` settles on the same, and moves
//! that raced (two laptops moving it from the same household) are shown
//! to people ([`super::attention`]).

use gridbook_domain::model::*;
use gridbook_store::order::{self, OrderKey, Stamp};
use gridbook_store::projection::versions::VersionOf;
use gridbook_store::store::{Store, StoreError};

/// One move: where from, where to, and its place in the agreed order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Move {
    pub id: Id,
    pub from: Id,
    pub to: Id,
    pub key: OrderKey,
}

impl Move {
    fn of(e: &Event, stamp: Option<&Stamp>) -> Option<(Id, Move)> {
        match e.body {
            EventBody::Moved { resident, from, to } => Some((
                resident,
                Move {
                    id: e.id,
                    from,
                    to,
                    key: order::order_key(e, stamp),
                },
            )),
            _ => None,
        }
    }
}

/// The moves of `resident` the store holds and those among `extra` (a
/// batch being merged, with its stamps), in the agreed order.
pub fn of(
    store: &Store,
    resident: Id,
    extra: &[(&Event, Option<&Stamp>)],
) -> Result<Vec<Move>, StoreError> {
    let mut out = Vec::new();
    for (id, what) in store.versions_of(resident)? {
        if what != VersionOf::Moved {
            continue;
        }
        if let Some(e) = store.event(id)? {
            let stamp = store.stamp(id)?;
            out.extend(Move::of(&e, stamp.as_ref()).map(|(_, m)| m));
        }
    }
    for (e, s) in extra {
        if let Some((r, m)) = Move::of(e, *s)
            && r == resident
        {
            out.push(m);
        }
    }
    out.sort_by_key(|m| (m.key, m.id));
    out.dedup_by_key(|m| m.id);
    Ok(out)
}

/// The household the last move in the agreed order put `resident` in, if
/// it was ever moved.
pub fn settled_household(
    store: &Store,
    resident: Id,
    extra: &[(&Event, Option<&Stamp>)],
) -> Result<Option<Id>, StoreError> {
    Ok(of(store, resident, extra)?.last().map(|m| m.to))
}

/// The moves that raced to make the last one: the last move did not start
/// where the one before it in the agreed order left the resident (both
/// started from the same household, neither knowing of the other). Every
/// move since the resident was last moved into that household, or nothing
/// when the last move followed on (a later move from where it is listed
/// settles the item) or both put it in the same household.
pub fn racing(moves: &[Move]) -> Vec<Id> {
    let [.., before, last] = moves else {
        return Vec::new();
    };
    if last.from == before.to || last.to == before.to {
        return Vec::new();
    }
    let start = moves
        .iter()
        .rposition(|m| m.to == last.from)
        .map_or(0, |i| i + 1);
    moves[start..].iter().map(|m| m.id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mv(n: i64, from: i64, to: i64) -> Move {
        Move {
            id: Id::from_parts(n, 0),
            from: Id::from_parts(1000 + from, 0),
            to: Id::from_parts(1000 + to, 0),
            key: OrderKey {
                lamport: n as u64,
                device: Id::ROOT,
                seq: 0,
                written: (Ts(n as _), 0),
            },
        }
    }

    #[test]
    fn moves_that_follow_on_do_not_race() {
        assert!(racing(&[mv(1, 0, 1)]).is_empty());
        assert!(racing(&[mv(1, 0, 1), mv(2, 1, 2)]).is_empty());
        // Both to the same household: listed there either way.
        assert!(racing(&[mv(1, 0, 1), mv(2, 0, 1)]).is_empty());
        // Settled by a later move from where it is listed.
        assert!(racing(&[mv(1, 0, 1), mv(2, 0, 2), mv(3, 2, 1)]).is_empty());
    }

    #[test]
    fn moves_from_one_household_race() {
        let ms = [mv(1, 5, 0), mv(2, 0, 1), mv(3, 0, 2), mv(4, 0, 3)];
        assert_eq!(racing(&ms), vec![ms[1].id, ms[2].id, ms[3].id]);
        let ms = [mv(1, 0, 1), mv(2, 0, 2)];
        assert_eq!(racing(&ms), vec![ms[0].id, ms[1].id]);
    }
}
