//! The care index: the present residents who can be in a care group.
//!
//! A whole-estate care count (the coverage report, the care list) needs the
//! few residents with a care mark or old enough for 高龄老人, not all of
//! them: at 100k households a pass over every resident was half of the
//! coverage report's reads (BENCHMARKS.md, "Coverage report"). This index
//! holds them apart, keyed so that "old enough" is a range:
//!
//! - `0 ++ resident` for a resident with care marks, whatever their age;
//! - `1 ++ birth year ++ resident` for one without marks but with a birth
//!   year, oldest first, so a reader stops at the first too young.
//!
//! The value is what care reads ([`CareEntry`]). Residents who moved out,
//! died or were deleted have no entry. Unlike the other projections this
//! one follows records, not events: every write of a resident record
//! ([`crate::store::Store::stage_new`], `stage_update`, `stage_merged`)
//! replaces the resident's entry.

use gridbook_domain::model::*;
use serde::{Deserialize, Serialize};

use super::hierarchy::Ancestry;
use super::{Cx, Projection};
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

/// Section of residents with care marks.
const MARKED: u8 = 0;
/// Section of residents known only by their birth year.
const BY_YEAR: u8 = 1;

/// What care reads of a resident in the index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareEntry {
    pub household: Id,
    pub birth_year: Option<i16>,
    /// When the resident was recorded: an age-based group is due from then
    /// at the earliest.
    pub created_at: Ts,
    pub marks: Vec<CareMark>,
}

/// Events change no entry: a move or a merge writes the resident's record
/// in the same set, and that write keeps the index ([`stage_resident`]).
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

/// Birth years sort as unsigned big-endian numbers.
fn year_bytes(y: i16) -> [u8; 2] {
    ((y as i32 + 0x8000) as u16).to_be_bytes()
}

/// The key of `r`'s entry, if it has one.
fn key_of(r: &Resident) -> Option<Vec<u8>> {
    if !r.meta.is_live() || r.status != ResidentStatus::Present {
        return None;
    }
    let mut key = Vec::with_capacity(19);
    if !r.care.is_empty() {
        key.push(MARKED);
    } else {
        key.push(BY_YEAR);
        key.extend_from_slice(&year_bytes(r.birth_year?));
    }
    key.extend_from_slice(&r.meta.id.to_bytes());
    Some(key)
}

/// `r`'s entry, if it has one.
fn entry_of(r: &Resident) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
    let Some(key) = key_of(r) else {
        return Ok(None);
    };
    let value = codec::encode(&CareEntry {
        household: r.household,
        birth_year: r.birth_year,
        created_at: r.meta.created_at,
        marks: r.care.clone(),
    })
    .map_err(|source| StoreError::Codec {
        what: "care entry",
        source,
    })?;
    Ok(Some((key, value)))
}

/// The entry of a stored resident record, if it has one (migrations).
pub(crate) fn entry_of_stored(bytes: &[u8]) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
    let r: Resident = codec::decode(bytes).map_err(|source| StoreError::Codec {
        what: Kind::Resident.code(),
        source,
    })?;
    entry_of(&r)
}

/// Stages `r`'s entry in place of the one it had: the one this set staged
/// last, else the one its stored record implies. `stored` says whether the
/// record may be in the store already (an update or a merge; a new record
/// has nothing stored).
pub(crate) fn stage_resident(
    store: &Store,
    w: &mut Writes,
    r: &Resident,
    stored: bool,
) -> Result<()> {
    let id = r.meta.id;
    let old = match w.care_keys.get(&id) {
        Some(k) => k.clone(),
        None if stored && !w.from_scratch => {
            match store.get_raw(Tree::Residents, &id.to_bytes())? {
                // A record that no longer decodes has an entry a check reports
                // as extra; it cannot be told which, so none is removed.
                Some(bytes) => codec::decode::<Resident>(&bytes)
                    .ok()
                    .as_ref()
                    .and_then(key_of),
                None => None,
            }
        }
        None => None,
    };
    let new = entry_of(r)?;
    let new_key = new.as_ref().map(|(k, _)| k.clone());
    if let Some(old) = old
        && Some(&old) != new_key.as_ref()
    {
        w.del(Tree::Care, old);
    }
    if let Some((k, v)) = new {
        w.put(Tree::Care, k, v);
    }
    // A bulk load or a check writes each resident once: nothing to remember.
    if !w.keep_runs && !w.from_scratch {
        w.care_keys.insert(id, new_key);
    }
    Ok(())
}

impl Store {
    /// Every present resident with a care mark, then every other present
    /// resident born in or before `born_by`, oldest first, with the
    /// resident's id; `f` returns whether to go on.
    pub fn each_care_candidate(
        &self,
        born_by: i16,
        mut f: impl FnMut(Id, CareEntry) -> Result<bool>,
    ) -> Result<()> {
        let decode = |k: &[u8], v: &[u8]| -> Result<(Id, CareEntry)> {
            let id = k
                .get(k.len().saturating_sub(16)..)
                .and_then(Id::from_slice)
                .ok_or_else(|| StoreError::Invalid("a damaged care index key".into()))?;
            let e = codec::decode(v).map_err(|source| StoreError::Codec {
                what: "care entry",
                source,
            })?;
            Ok((id, e))
        };
        let mut go_on = true;
        self.each(Tree::Care, &[MARKED], |k, v| {
            let (id, e) = decode(k, v)?;
            go_on = f(id, e)?;
            Ok(go_on)
        })?;
        if !go_on {
            return Ok(());
        }
        let last = year_bytes(born_by);
        self.each(Tree::Care, &[BY_YEAR], |k, v| {
            if k.get(1..3).is_none_or(|y| y > &last[..]) {
                return Ok(false);
            }
            let (id, e) = decode(k, v)?;
            f(id, e)
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
            .each_care_candidate(born_by, |id, _| {
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
