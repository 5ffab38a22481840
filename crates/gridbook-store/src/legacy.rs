//! Record shapes of earlier schema versions, kept to migrate stores that
//! hold them. Schema 2 records lacked the fields schema 3 added (a
//! building's floor numbering, a household's occupancy, a resident's status,
//! birth year and care groups, a member's branch).
//!
//! bincode is positional, so a schema-2 value is a strict prefix of the
//! schema-3 shape: it never decodes as the new shape, and the migration can
//! try the new shape first and resume where a killed migration stopped.

use serde::Deserialize;

use gridbook_domain::model::*;

use crate::codec::{self, CodecError};

#[derive(Deserialize)]
struct BuildingV2 {
    meta: Meta,
    area: Id,
    code: String,
    name: String,
}

#[derive(Deserialize)]
struct HouseholdV2 {
    meta: Meta,
    building: Id,
    unit: String,
    room: String,
    notes: String,
}

#[derive(Deserialize)]
struct ResidentV2 {
    meta: Meta,
    household: Id,
    name: String,
    phones: Vec<String>,
    relation: String,
    tags: Vec<String>,
    notes: String,
}

#[derive(Deserialize)]
struct MemberV2 {
    meta: Meta,
    name: String,
    phone: String,
    kind: MemberKind,
    tags: Vec<String>,
}

/// A record as schema 3 stores it, from bytes of either shape.
pub trait Upgrade: Sized {
    fn upgrade(bytes: &[u8]) -> Result<Self, CodecError>;
}

macro_rules! upgrade {
    ($t:ty, $old:ty, |$o:ident| $new:expr) => {
        impl Upgrade for $t {
            fn upgrade(bytes: &[u8]) -> Result<Self, CodecError> {
                codec::decode::<$t>(bytes).or_else(|first| {
                    codec::decode::<$old>(bytes)
                        .map(|$o| $new)
                        // Neither shape: report what the current shape said.
                        .map_err(|_| first)
                })
            }
        }
    };
}

upgrade!(Building, BuildingV2, |o| Building {
    meta: o.meta,
    area: o.area,
    code: o.code,
    name: o.name,
    first_floor: 1,
    doors_per_floor: None,
});
upgrade!(Household, HouseholdV2, |o| Household {
    meta: o.meta,
    building: o.building,
    unit: o.unit,
    room: o.room,
    notes: o.notes,
    occupancy: Occupancy::default(),
});
upgrade!(Resident, ResidentV2, |o| Resident {
    meta: o.meta,
    household: o.household,
    name: o.name,
    phones: o.phones,
    relation: o.relation,
    tags: o.tags,
    notes: o.notes,
    status: ResidentStatus::default(),
    birth_year: None,
    care: Vec::new(),
});
upgrade!(Member, MemberV2, |o| Member {
    meta: o.meta,
    name: o.name,
    phone: o.phone,
    kind: o.kind,
    tags: o.tags,
    branch: String::new(),
});

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize)]
    struct ResidentV2Out<'a> {
        meta: &'a Meta,
        household: Id,
        name: &'a str,
        phones: Vec<String>,
        relation: &'a str,
        tags: Vec<String>,
        notes: &'a str,
    }

    fn meta() -> Meta {
        Meta {
            id: Id(9),
            created_at: Ts(1_700_000_000_000),
            created_by: None,
            version: 3,
            tombstone: None,
        }
    }

    #[test]
    fn a_schema_2_resident_upgrades_and_a_schema_3_one_stays() {
        let m = meta();
        let old = codec::encode(&ResidentV2Out {
            meta: &m,
            household: Id(7),
            name: "吕桂英",
            phones: vec!["13805461234".into()],
            relation: "户主",
            tags: vec!["独居".into()],
            notes: "行动不便",
        })
        .unwrap();
        // The old shape never decodes as the new one.
        assert!(codec::decode::<Resident>(&old).is_err());
        let r = Resident::upgrade(&old).unwrap();
        assert_eq!(r.name, "吕桂英");
        assert_eq!(r.notes, "行动不便");
        assert_eq!(r.status, ResidentStatus::Present);
        assert!(r.care.is_empty());
        let mut new = r.clone();
        new.birth_year = Some(1944);
        let bytes = codec::encode(&new).unwrap();
        assert_eq!(Resident::upgrade(&bytes).unwrap(), new);
        assert!(Resident::upgrade(&bytes[..bytes.len() - 3]).is_err());
    }

    #[test]
    fn opening_a_schema_2_store_rewrites_its_records_in_the_new_shape() {
        let dir = tempfile::tempdir().unwrap();
        let m = meta();
        {
            let store = crate::store::Store::open(dir.path()).unwrap();
            let old = codec::encode(&ResidentV2Out {
                meta: &m,
                household: Id(7),
                name: "严建国",
                phones: vec!["13805461234".into()],
                relation: "户主",
                tags: vec![],
                notes: String::new().as_str(),
            })
            .unwrap();
            store
                .raw_for_tests()
                .insert("residents", &m.id.to_bytes(), &old);
            store.set_schema_version_for_tests(2);
            assert!(
                store.resident(m.id).is_err(),
                "the old shape does not read as the new"
            );
        }
        let store = crate::store::Store::open(dir.path()).unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            crate::schema::SCHEMA_VERSION
        );
        let r = store.resident(m.id).unwrap().unwrap();
        assert_eq!(
            (r.name.as_str(), r.status),
            ("严建国", ResidentStatus::Present)
        );
        assert_eq!(r.phones, ["13805461234"]);
    }
}
