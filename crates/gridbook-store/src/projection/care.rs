//! The care index: the present residents who can be in a care group.
//!
//! A whole-estate care count (the coverage report, the care list) needs the
//! few residents with a care mark or old enough for 高龄老人, not all of
//! them: at 100k households a pass over every resident was half of the
//! coverage report's reads (BENCHMARKS.md, "Coverage report"). This index
//! lists them apart, as runs of resident ids ([`super::runs`]) under one
//! owner per reason, so that "old enough" is a range of owners:
//!
//! - [`MARKED`]: residents with care marks, whatever their age;
//! - [`by_year`]`(y)`: residents without marks born in `y`; owners sort by
//!   year, so a reader stops at the first year too young.
//!
//! Runs, not an entry per resident: sled pays about 320 bytes on disk per
//! entry, and one per resident grew a 100k store by 95 MB; the runs take
//! about 4,600 entries. Readers then read each listed resident's record.
//! Residents who moved out, died or were deleted are not listed. Unlike the
//! other projections this one follows records, not events: every write of
//! a resident record ([`crate::store::Store::stage_new`], `stage_update`,
//! `stage_merged`) moves the resident to the owner it now belongs under.

use gridbook_domain::model::*;

use super::hierarchy::Ancestry;
use super::{Cx, Projection, runs};
use crate::codec;
use crate::error::{Result, StoreError};
use crate::schema::Tree;
use crate::store::Store;
use crate::writes::Writes;

pub const PROJECTION: Projection = Projection {
    name: "care",
    trees: &[Tree::Care],
    stage,
};

/// The owner of residents with care marks.
pub const MARKED: Id = Id(0);

/// The owner of residents without marks born in `y`: `1 ++ year`, years
/// sorting as unsigned big-endian numbers.
pub fn by_year(y: i16) -> Id {
    let year = (y as i32 + 0x8000) as u128;
    Id((1u128 << 120) | (year << 104))
}

/// Events change nothing listed: a move or a merge writes the resident's
/// record in the same set, and that write keeps the index ([`stage_resident`]).
fn stage(_cx: &mut Cx<'_>, e: &Event, _anc: &Ancestry) -> Result<()> {
    match &e.body {
        EventBody::Moved { .. }
        | EventBody::Merged { .. }
        | EventBody::Erased { .. }
        | EventBody::Assigned { .. }
        | EventBody::AssignmentEnded { .. }
        | EventBody::Visit(_)
        | EventBody::ProblemOpened(_)
        | EventBody::ProblemStepped(_)
        | EventBody::Patrol(_)
        | EventBody::Edited { .. }
        | EventBody::Created { .. }
        | EventBody::Tombstoned { .. }
        | EventBody::Activity(_)
        | EventBody::Amended { .. } => Ok(()),
    }
}

/// The owner `r` is listed under, if any.
fn owner_of(r: &Resident) -> Option<Id> {
    if !r.meta.is_live() || r.status != ResidentStatus::Present {
        None
    } else if !r.care.is_empty() {
        Some(MARKED)
    } else {
        r.birth_year.map(by_year)
    }
}

/// Lists `r` under the owner it belongs under now, and out of the one it
/// was under: the one this set staged last, else the one its stored record
/// implies. `stored` says whether the record may be in the store already
/// (an update or a merge; a new record has nothing stored).
pub(crate) fn stage_resident(
    store: &Store,
    w: &mut Writes,
    r: &Resident,
    stored: bool,
) -> Result<()> {
    let id = r.meta.id;
    let old = match w.care_owners.get(&id) {
        Some(o) => *o,
        None if stored && !w.from_scratch => {
            match store.get_raw(Tree::Residents, &id.to_bytes())? {
                // A record that no longer decodes: `check` reports where it
                // is listed as extra, since it cannot be told.
                Some(bytes) => codec::decode::<Resident>(&bytes)
                    .ok()
                    .as_ref()
                    .and_then(owner_of),
                None => None,
            }
        }
        None => None,
    };
    let new = owner_of(r);
    if old != new {
        let mut cx = Cx::new(store, w);
        if let Some(o) = old {
            runs::remove(&mut cx, Tree::Care, o, id)?;
        }
        if let Some(n) = new {
            runs::add(&mut cx, Tree::Care, n, id)?;
        }
    }
    // A bulk load or a check writes each resident once: nothing to remember.
    if !w.keep_runs && !w.from_scratch {
        w.care_owners.insert(id, new);
    }
    Ok(())
}

/// The writes that list every resident of the store (schema 7's migration):
/// the index from scratch, as `check` computes it.
pub(crate) fn from_residents(store: &Store) -> Result<Vec<crate::engine::Op>> {
    let mut w = Writes::new();
    w.from_scratch = true;
    store.each(Tree::Residents, &[], |_, v| {
        let r: Resident = codec::decode(v).map_err(|source| StoreError::Codec {
            what: Kind::Resident.code(),
            source,
        })?;
        if let Some(o) = owner_of(&r) {
            runs::add(&mut Cx::new(store, &mut w), Tree::Care, o, r.meta.id)?;
        }
        Ok(true)
    })?;
    w.settle();
    Ok(w.ops)
}

impl Store {
    /// [`Store::each_care_candidate`] with each resident's stored bytes,
    /// for a view of the fields care reads ([`Store::view`]). A listed
    /// resident without a record is passed over.
    pub fn each_care_resident(
        &self,
        born_by: i16,
        mut f: impl FnMut(&[u8]) -> Result<bool>,
    ) -> Result<()> {
        self.each_care_candidate(born_by, |id| {
            match self.get_raw(Tree::Residents, &id.to_bytes())? {
                Some(bytes) => f(&bytes),
                None => Ok(true),
            }
        })
    }

    /// Every present resident with a care mark, then every other present
    /// resident born in or before `born_by`, oldest first; `f` returns
    /// whether to go on.
    pub fn each_care_candidate(
        &self,
        born_by: i16,
        mut f: impl FnMut(Id) -> Result<bool>,
    ) -> Result<()> {
        let mut go_on = true;
        self.each_in_runs(Tree::Care, MARKED, false, |id| {
            go_on = f(id)?;
            Ok(go_on)
        })?;
        if !go_on {
            return Ok(());
        }
        let last = by_year(born_by).to_bytes();
        self.each(Tree::Care, &[1], |k, v| {
            if k.get(..16).is_none_or(|owner| owner > &last[..]) {
                return Ok(false);
            }
            let ids = runs::ids(v).ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "a run of {} is damaged ({k:02x?})",
                    Tree::Care.name()
                ))
            })?;
            for id in ids {
                if !f(id)? {
                    return Ok(false);
                }
            }
            Ok(true)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resident(household: Id, birth_year: Option<i16>, care: &[&str]) -> Resident {
        Resident {
            meta: Meta::new(None),
            household,
            name: "张三".into(),
            phones: vec![],
            relation: "户主".into(),
            tags: vec![],
            notes: String::new(),
            status: ResidentStatus::Present,
            birth_year,
            care: care
                .iter()
                .map(|g| CareMark {
                    group: g.to_string(),
                    since: Ts(0),
                })
                .collect(),
        }
    }

    fn candidates(store: &Store, born_by: i16) -> Vec<Id> {
        let mut out = Vec::new();
        store
            .each_care_candidate(born_by, |id| {
                out.push(id);
                Ok(true)
            })
            .unwrap();
        out
    }

    #[test]
    fn the_index_holds_the_marked_and_the_old_enough_and_follows_each_write() {
        let store = Store::memory().unwrap();
        let hh = Id::new();
        let marked = resident(hh, Some(1990), &["低保户"]);
        let old = resident(hh, Some(1930), &[]);
        let young = resident(hh, Some(1980), &[]);
        let unknown = resident(hh, None, &[]);
        let mut w = Writes::new();
        for r in [&marked, &old, &young, &unknown] {
            store.stage_new(&mut w, r).unwrap();
        }
        store.commit(w).unwrap();
        assert_eq!(candidates(&store, 1946), vec![marked.meta.id, old.meta.id]);
        assert_eq!(
            candidates(&store, 1980),
            vec![marked.meta.id, old.meta.id, young.meta.id]
        );

        // Marks set on the young one and dropped from the marked one, twice
        // in one set: the entries follow the last write.
        let (mut young2, mut marked2) = (young.clone(), marked.clone());
        let mut w = Writes::new();
        young2.care = marked.care.clone();
        store.stage_update(&mut w, &mut young2).unwrap();
        marked2.care.clear();
        store.stage_update(&mut w, &mut marked2).unwrap();
        young2.status = ResidentStatus::MovedOut;
        store.stage_update(&mut w, &mut young2).unwrap();
        store.commit(w).unwrap();
        assert_eq!(candidates(&store, 1946), vec![old.meta.id]);
        assert_eq!(candidates(&store, 1990), vec![old.meta.id, marked.meta.id]);
        assert!(store.check().unwrap().is_clean(), "{:?}", store.check());
    }
}
