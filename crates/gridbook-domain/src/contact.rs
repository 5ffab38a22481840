//! Who to call for a household: its head (the resident whose relation is
//! 户主, else the first resident) and a number to call (the head's, else the
//! first resident's who has one, named so the caller knows whom they reach).

use crate::model::{Resident, ResidentStatus};

/// Relations that mark the head of a household.
const HEAD: &[&str] = &["户主", "head", "本人"];

/// The household's contact, from its residents in list order. Residents who
/// moved out or died are passed over.
pub struct Contact<'a> {
    pub head: &'a Resident,
    /// Who answers the number, and the number.
    pub phone: Option<(&'a Resident, &'a str)>,
}

pub fn of(residents: &[Resident]) -> Option<Contact<'_>> {
    let present: Vec<&Resident> = residents
        .iter()
        .filter(|r| r.meta.is_live() && r.status == ResidentStatus::Present)
        .collect();
    let head = present
        .iter()
        .find(|r| is_head(r))
        .or(present.first())
        .copied()?;
    let phone = std::iter::once(head)
        .chain(present.iter().copied())
        .find_map(|r| r.phones.first().map(|p| (r, p.as_str())));
    Some(Contact { head, phone })
}

/// Whether a resident's relation marks them head of their household.
pub fn is_head(r: &Resident) -> bool {
    is_head_relation(&r.relation)
}

/// Whether a relation, as written, marks the head (户主, 本人 as rosters
/// write it, or head).
pub fn is_head_relation(relation: &str) -> bool {
    HEAD.iter().any(|h| relation.trim().eq_ignore_ascii_case(h))
}

/// The present residents marked head, in list order. More than one is a
/// household to set right by hand (a merge brings a second head along);
/// nobody's relation is changed for them.
pub fn heads(residents: &[Resident]) -> Vec<&Resident> {
    residents
        .iter()
        .filter(|r| r.meta.is_live() && r.status == ResidentStatus::Present && is_head(r))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Id, Meta, Ts};

    fn r(name: &str, relation: &str, phone: Option<&str>) -> Resident {
        Resident {
            meta: Meta {
                id: Id::new(),
                created_at: Ts(0),
                created_by: None,
                version: 1,
                tombstone: None,
            },
            household: Id(1),
            name: name.into(),
            phones: phone.into_iter().map(String::from).collect(),
            relation: relation.into(),
            tags: Vec::new(),
            notes: String::new(),
            status: ResidentStatus::Present,
            birth_year: None,
            care: Vec::new(),
        }
    }

    #[test]
    fn the_head_is_the_householder_else_the_first() {
        let rs = [
            r("邹淑珍", "子女", None),
            r("邹建国", "户主", Some("13059231874")),
        ];
        let c = of(&rs).unwrap();
        assert_eq!(c.head.name, "邹建国");
        assert_eq!(
            c.phone.map(|(w, p)| (w.name.as_str(), p)),
            Some(("邹建国", "13059231874"))
        );
        let rs = [r("王芳", "配偶", None), r("王强", "子女", None)];
        assert_eq!(of(&rs).unwrap().head.name, "王芳");
        assert!(of(&rs).unwrap().phone.is_none());
        assert!(of(&[]).is_none());
    }

    #[test]
    fn a_phoneless_head_gives_the_first_number_named() {
        let rs = [
            r("李秀英", "户主", None),
            r("李明", "子女", Some("13805461234")),
        ];
        let c = of(&rs).unwrap();
        assert_eq!(c.head.name, "李秀英");
        assert_eq!(
            c.phone.map(|(w, p)| (w.name.as_str(), p)),
            Some(("李明", "13805461234"))
        );
    }

    #[test]
    fn residents_who_left_are_passed_over() {
        let mut gone = r("吕桂英", "户主", Some("13900000000"));
        gone.status = ResidentStatus::Deceased;
        let rs = [gone, r("吕德", "子女", None)];
        let c = of(&rs).unwrap();
        assert_eq!(c.head.name, "吕德");
        assert!(c.phone.is_none());
    }

    #[test]
    fn every_present_householder_is_a_head_and_those_who_left_are_not() {
        let mut gone = r("吕德", "户主", None);
        gone.status = ResidentStatus::Deceased;
        let rs = [
            r("吕桂英", "户主", None),
            gone,
            r("欧阳娜娜", " Head ", None),
            r("周海燕", "配偶", None),
        ];
        let names: Vec<&str> = heads(&rs).iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["吕桂英", "欧阳娜娜"]);
    }
}
