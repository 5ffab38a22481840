//! Borrowed views of stored records for whole-estate passes (the coverage
//! report): each mirrors its record's fields in order, so it decodes the
//! same bytes, but keeps only what the pass reads. Text is borrowed from
//! the stored bytes, lists of text are skipped, and nothing is allocated
//! for a record the pass leaves alone.
//!
//! A view must follow its record field for field: when a record gains a
//! field, its view gains it too, or decoding fails with trailing bytes
//! (the tests below hold each view to its record).

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use serde::Deserialize;
use serde::de::{Deserializer, SeqAccess, Visitor};

use gridbook_domain::model::*;

/// A map keyed by ids for passes over the whole estate: ids are ULIDs,
/// whose low 64 bits are random, so they serve as their own hash, and the
/// pass skips SipHash on every lookup.
pub type IdMap<V> = HashMap<Id, V, BuildHasherDefault<IdHasher>>;

#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Not reached for `Id` (it hashes as one u128); kept correct anyway.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u128(&mut self, n: u128) {
        self.0 = n as u64 ^ (n >> 64) as u64;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A household as the coverage report reads it.
#[derive(Deserialize)]
pub struct HouseholdView<'a> {
    pub meta: Meta,
    pub building: Id,
    pub unit: &'a str,
    pub room: &'a str,
    _notes: Skipped,
    pub occupancy: Occupancy,
}

impl HouseholdView<'_> {
    /// Appends [`Household::label`] (`2-501`, or the room alone) to `out`.
    pub fn push_label(&self, out: &mut String) {
        if !self.unit.is_empty() {
            out.push_str(self.unit);
            out.push('-');
        }
        out.push_str(self.room);
    }
}

/// A resident as far as care goes: who it is, where it lives, whether it
/// is present, and what puts it in a care group.
#[derive(Deserialize)]
pub struct ResidentCareView {
    pub meta: Meta,
    pub household: Id,
    _name: Skipped,
    _phones: SkippedList,
    _relation: Skipped,
    _tags: SkippedList,
    _notes: Skipped,
    pub status: ResidentStatus,
    pub birth_year: Option<i16>,
    pub care: Vec<CareMark>,
}

/// A resident as far as who answers the household's phone goes (name,
/// numbers, relation, presence) and care goes (birth year, care marks),
/// for one pass that serves both. Tags and notes are read past.
#[derive(Deserialize)]
pub struct ResidentRoundView {
    pub meta: Meta,
    pub household: Id,
    pub name: String,
    pub phones: Vec<String>,
    pub relation: String,
    _tags: SkippedList,
    _notes: Skipped,
    pub status: ResidentStatus,
    pub birth_year: Option<i16>,
    pub care: Vec<CareMark>,
}

impl ResidentRoundView {
    /// The resident with what the view read (tags and notes left empty).
    pub fn into_resident(self) -> Resident {
        Resident {
            meta: self.meta,
            household: self.household,
            name: self.name,
            phones: self.phones,
            relation: self.relation,
            tags: Vec::new(),
            notes: String::new(),
            status: self.status,
            birth_year: self.birth_year,
            care: self.care,
        }
    }
}

/// Text read past without keeping it. Read as bytes, which bincode lays
/// out as it lays out text, so no UTF-8 check is paid for a field the pass
/// ignores.
struct Skipped;

impl<'de> Deserialize<'de> for Skipped {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Skipped, D::Error> {
        struct Any;
        impl Visitor<'_> for Any {
            type Value = Skipped;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("text")
            }
            fn visit_bytes<E>(self, _: &[u8]) -> Result<Skipped, E> {
                Ok(Skipped)
            }
            fn visit_str<E>(self, _: &str) -> Result<Skipped, E> {
                Ok(Skipped)
            }
        }
        d.deserialize_bytes(Any)
    }
}

/// A list of text, read past without keeping it.
struct SkippedList;

impl<'de> Deserialize<'de> for SkippedList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SkippedList, D::Error> {
        struct Each;
        impl<'de> Visitor<'de> for Each {
            type Value = SkippedList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of text")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SkippedList, A::Error> {
                while seq.next_element::<Skipped>()?.is_some() {}
                Ok(SkippedList)
            }
        }
        d.deserialize_seq(Each)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridbook_store::codec;

    fn meta(tombstoned: bool) -> Meta {
        let mut m = Meta::new(Some(Id::new()));
        if tombstoned {
            m.tombstone = Some(Tombstone {
                at: Ts(1_700_000_000_000),
                by: None,
                reason: "搬走了".into(),
            });
        }
        m
    }

    #[test]
    fn a_household_view_reads_what_the_household_holds() {
        for (unit, room, notes, occupancy, dead) in [
            ("2", "501", "", Occupancy::Rented, false),
            ("", "门面3", "底商，白天有人", Occupancy::Commercial, true),
            ("东单元", "1201", "x", Occupancy::Vacant, false),
        ] {
            let h = Household {
                meta: meta(dead),
                building: Id::new(),
                unit: unit.into(),
                room: room.into(),
                notes: notes.into(),
                occupancy,
            };
            let bytes = codec::encode(&h).unwrap();
            let v: HouseholdView = codec::decode_view(&bytes).unwrap();
            assert_eq!(v.meta, h.meta);
            assert_eq!(v.building, h.building);
            assert_eq!(v.occupancy, h.occupancy);
            let mut label = String::new();
            v.push_label(&mut label);
            assert_eq!(label, h.label());
        }
    }

    #[test]
    fn a_resident_view_reads_presence_and_care_past_names_phones_and_tags() {
        let cases = [
            (vec![], vec![], None, vec![], ResidentStatus::Present, false),
            (
                vec!["13800000000".to_string(), "010-1234".into()],
                vec!["党员".to_string(), "志愿者".into(), "x".into()],
                Some(1941),
                vec![CareMark {
                    group: "disabled".into(),
                    since: Ts(1_690_000_000_000),
                }],
                ResidentStatus::Present,
                false,
            ),
            (
                vec!["139".into()],
                vec![],
                Some(1990),
                vec![
                    CareMark {
                        group: "elderly-alone".into(),
                        since: Ts(1),
                    },
                    CareMark {
                        group: "low-income".into(),
                        since: Ts(2),
                    },
                ],
                ResidentStatus::MovedOut,
                true,
            ),
        ];
        for (phones, tags, birth_year, care, status, dead) in cases {
            let r = Resident {
                meta: meta(dead),
                household: Id::new(),
                name: "欧阳娜娜".into(),
                phones,
                relation: "户主".into(),
                tags,
                notes: "独居，腿脚不便".into(),
                status,
                birth_year,
                care,
            };
            let bytes = codec::encode(&r).unwrap();
            let v: ResidentCareView = codec::decode_view(&bytes).unwrap();
            assert_eq!(v.meta, r.meta);
            assert_eq!(v.household, r.household);
            assert_eq!(v.status, r.status);
            assert_eq!(v.birth_year, r.birth_year);
            assert_eq!(v.care, r.care);
            // The round view keeps all but tags and notes.
            let v: ResidentRoundView = codec::decode_view(&bytes).unwrap();
            let kept = Resident {
                tags: Vec::new(),
                notes: String::new(),
                ..r.clone()
            };
            assert_eq!(v.into_resident(), kept);
        }
    }
}
