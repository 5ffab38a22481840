//! A place's or person's fields as the text its `Edited` entries carry
//! (`phones` joined by `;`, `status` as its code …), read and written by
//! name, so a merge can set a field to the value its version graph gives.

use gridbook_domain::model::*;

/// The name of the life of a record in its version graph: deleting writes
/// a version of it (the reason), bringing it back writes `""`.
pub const DELETED: &str = "deleted";

/// A record whose fields a merge can read and set by name.
pub trait Fields {
    /// The field's value as an `Edited` entry writes it, `None` for a field
    /// this kind does not have.
    fn get(&self, field: &str) -> Option<String>;
    /// Sets the field from such a value; `at` dates care groups it adds.
    /// Unknown fields and values that do not parse are left alone.
    fn set(&mut self, field: &str, value: &str, at: Ts);
}

fn list(v: &str) -> Vec<String> {
    v.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl Fields for Area {
    fn get(&self, field: &str) -> Option<String> {
        match field {
            "name" => Some(self.name.clone()),
            "code" => Some(self.code.clone()),
            _ => None,
        }
    }
    fn set(&mut self, field: &str, value: &str, _at: Ts) {
        match field {
            "name" => self.name = value.to_string(),
            "code" => self.code = value.to_string(),
            _ => {}
        }
    }
}

impl Fields for Building {
    fn get(&self, field: &str) -> Option<String> {
        match field {
            "name" => Some(self.name.clone()),
            "code" => Some(self.code.clone()),
            "first_floor" => Some(self.first_floor.to_string()),
            "doors_per_floor" => Some(
                self.doors_per_floor
                    .map_or_else(String::new, |d| d.to_string()),
            ),
            _ => None,
        }
    }
    fn set(&mut self, field: &str, value: &str, _at: Ts) {
        match field {
            "name" => self.name = value.to_string(),
            "code" => self.code = value.to_string(),
            "first_floor" => {
                if let Ok(n) = value.trim().parse() {
                    self.first_floor = n;
                }
            }
            "doors_per_floor" => self.doors_per_floor = value.trim().parse().ok(),
            _ => {}
        }
    }
}

impl Fields for Household {
    fn get(&self, field: &str) -> Option<String> {
        match field {
            "unit" => Some(self.unit.clone()),
            "room" => Some(self.room.clone()),
            "notes" => Some(self.notes.clone()),
            "status" => Some(self.occupancy.code().to_string()),
            _ => None,
        }
    }
    fn set(&mut self, field: &str, value: &str, _at: Ts) {
        match field {
            "unit" => self.unit = value.to_string(),
            "room" => self.room = value.to_string(),
            "notes" => self.notes = value.to_string(),
            "status" => {
                if let Some(o) = Occupancy::parse(value) {
                    self.occupancy = o;
                }
            }
            _ => {}
        }
    }
}

impl Fields for Resident {
    fn get(&self, field: &str) -> Option<String> {
        match field {
            "name" => Some(self.name.clone()),
            "phones" => Some(self.phones.join(";")),
            "relation" => Some(self.relation.clone()),
            "tags" => Some(self.tags.join(";")),
            "notes" => Some(self.notes.clone()),
            "status" => Some(self.status.code().to_string()),
            "birth_year" => Some(self.birth_year.map_or_else(String::new, |y| y.to_string())),
            // Never edited: a merge sets it from the resident's moves.
            "household" => Some(self.household.to_string()),
            "care" => Some(
                self.care
                    .iter()
                    .map(|m| m.group.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
            ),
            _ => None,
        }
    }
    fn set(&mut self, field: &str, value: &str, at: Ts) {
        match field {
            "name" => self.name = value.to_string(),
            "phones" => self.phones = list(value),
            "relation" => self.relation = value.to_string(),
            "tags" => self.tags = list(value),
            "notes" => self.notes = value.to_string(),
            "status" => {
                if let Some(s) = ResidentStatus::parse(value) {
                    self.status = s;
                }
            }
            "birth_year" => self.birth_year = value.trim().parse().ok(),
            "household" => {
                if let Ok(h) = value.trim().parse() {
                    self.household = h;
                }
            }
            "care" => {
                // Groups kept keep the day they were set; new ones date from the edit.
                let old = std::mem::take(&mut self.care);
                self.care = list(value)
                    .into_iter()
                    .map(|group| {
                        old.iter()
                            .find(|m| m.group == group)
                            .cloned()
                            .unwrap_or(CareMark { group, since: at })
                    })
                    .collect();
            }
            _ => {}
        }
    }
}

impl Fields for Member {
    fn get(&self, field: &str) -> Option<String> {
        match field {
            "name" => Some(self.name.clone()),
            "phone" => Some(self.phone.clone()),
            "kind" => Some(self.kind.code().to_string()),
            "tags" => Some(self.tags.join(";")),
            "branch" => Some(self.branch.clone()),
            _ => None,
        }
    }
    fn set(&mut self, field: &str, value: &str, _at: Ts) {
        match field {
            "name" => self.name = value.to_string(),
            "phone" => self.phone = value.to_string(),
            "kind" => {
                if let Some(k) = MemberKind::parse(value) {
                    self.kind = k;
                }
            }
            "tags" => self.tags = list(value),
            "branch" => self.branch = value.to_string(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_reads_back_what_it_was_set_to() {
        let mut r = Resident {
            meta: Meta::new(None),
            household: Id::new(),
            name: "吕桂英".into(),
            phones: vec![],
            relation: "户主".into(),
            tags: vec![],
            notes: String::new(),
            status: ResidentStatus::Present,
            birth_year: None,
            care: vec![],
        };
        for (f, v) in [
            ("name", "吕德"),
            ("phones", "13800000000;13900000000"),
            ("relation", "配偶"),
            ("tags", "流动;低保"),
            ("notes", "二楼"),
            ("status", "moved-out"),
            ("birth_year", "1944"),
            ("care", "lonely-elder;disabled"),
        ] {
            r.set(f, v, Ts(5));
            assert_eq!(r.get(f).as_deref(), Some(v), "{f}");
        }
        r.set("care", "disabled", Ts(9));
        assert_eq!(r.care[0].since, Ts(5), "a group kept keeps its day");
    }
}
