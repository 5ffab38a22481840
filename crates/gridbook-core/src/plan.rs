//! The building plan (楼盘表): a building floor by floor, top floor first,
//! unit by unit, each door with what a grid worker needs to know before
//! knocking.

use std::collections::BTreeMap;

use serde::Serialize;

use gridbook_domain::contact;
use gridbook_domain::floors;
use gridbook_domain::model::*;
use gridbook_domain::vocab::Vocabulary;
use gridbook_store::store::{Result, Store};

/// What a door shows. The codes are the JSON's `flags`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Flag {
    Visited,
    NotVisited,
    CareDue,
    OpenProblem,
    Vacant,
    Rented,
    Commercial,
}

impl Flag {
    pub const ALL: [Flag; 7] = [
        Flag::Visited,
        Flag::NotVisited,
        Flag::CareDue,
        Flag::OpenProblem,
        Flag::Vacant,
        Flag::Rented,
        Flag::Commercial,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Flag::Visited => "visited",
            Flag::NotVisited => "not-visited",
            Flag::CareDue => "care-due",
            Flag::OpenProblem => "open-problem",
            Flag::Vacant => "vacant",
            Flag::Rented => "rented",
            Flag::Commercial => "commercial",
        }
    }
    /// A glyph per state, so the plan reads the same without colour.
    pub fn glyph(self) -> &'static str {
        match self {
            Flag::Visited => "✓",
            Flag::NotVisited => "·",
            Flag::CareDue => "♥",
            Flag::OpenProblem => "!",
            Flag::Vacant => "○",
            Flag::Rented => "R",
            Flag::Commercial => "$",
        }
    }
}

/// One door.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Door {
    pub id: Id,
    /// As shown in lists: `2-501`.
    pub room: String,
    pub unit: String,
    /// The door's number on its floor (0 when the room gives none).
    #[serde(skip)]
    pub door: u32,
    pub head: Option<String>,
    pub phone: Option<String>,
    pub flags: Vec<Flag>,
}

/// One floor: `None` is the "other" row of rooms whose number gives no floor.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Floor {
    pub floor: Option<i32>,
    pub households: Vec<Door>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Summary {
    pub households: usize,
    pub visited: usize,
    pub visited_pct: f64,
    pub care_due: usize,
    pub open_problems: usize,
    pub vacant: usize,
    pub rented: usize,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Plan {
    pub building: String,
    pub building_id: Id,
    /// Units in order, for columns.
    pub units: Vec<String>,
    pub days: i64,
    pub summary: Summary,
    /// Top floor first; the "other" row last.
    pub floors: Vec<Floor>,
}

/// The plan of `building`: visited means within the last `days` days.
pub fn build(
    store: &Store,
    building: &Building,
    now: Ts,
    days: i64,
    groups: &Vocabulary,
) -> Result<Plan> {
    let rule = building.floor_rule();
    let since = now.minus_days(days);
    let mut rows: BTreeMap<Option<i32>, Vec<Door>> = BTreeMap::new();
    let mut units: Vec<String> = Vec::new();
    let mut summary = Summary {
        households: 0,
        visited: 0,
        visited_pct: 0.0,
        care_due: 0,
        open_problems: 0,
        vacant: 0,
        rented: 0,
    };
    for h in store.households_of(building.meta.id)? {
        if !h.meta.is_live() {
            continue;
        }
        let id = h.meta.id;
        let mut flags = Vec::new();
        let residents = store.residents_of(id)?;
        let visited = h.occupancy != Occupancy::Vacant
            && crate::relocate::last_visit(store, id)?.is_some_and(|(t, _)| t >= since);
        if h.occupancy != Occupancy::Vacant {
            flags.push(if visited {
                Flag::Visited
            } else {
                Flag::NotVisited
            });
        }
        if crate::care::due_for(store, groups, &h, &residents, now)
            .map_err(store_error)?
            .is_some()
        {
            flags.push(Flag::CareDue);
            summary.care_due += 1;
        }
        if store.open_problem_count(id)? > 0 {
            flags.push(Flag::OpenProblem);
        }
        match h.occupancy {
            Occupancy::Vacant => {
                flags.push(Flag::Vacant);
                summary.vacant += 1;
            }
            Occupancy::Rented => {
                flags.push(Flag::Rented);
                summary.rented += 1;
            }
            Occupancy::Commercial => flags.push(Flag::Commercial),
            Occupancy::Owner => {}
        }
        summary.households += 1;
        summary.visited += visited as usize;
        let c = contact::of(&residents);
        let place = floors::place(&h.room, rule);
        if !units.contains(&h.unit) {
            units.push(h.unit.clone());
        }
        rows.entry(place.map(|p| p.floor)).or_default().push(Door {
            id,
            room: h.label(),
            unit: h.unit.clone(),
            door: place.map_or(0, |p| p.door),
            head: c.as_ref().map(|c| c.head.name.clone()),
            phone: c.as_ref().and_then(|c| c.phone.map(|(_, p)| p.to_string())),
            flags,
        });
    }
    // Open problems in the building: its own (a stairwell light) and its
    // households', as the label says, not households with one.
    summary.open_problems = store.open_problem_count(building.meta.id)?;
    units.sort_by_key(|u| natural(u));
    let order = |d: &Door| {
        (
            units
                .iter()
                .position(|u| *u == d.unit)
                .unwrap_or(usize::MAX),
            d.door,
            d.room.clone(),
        )
    };
    let mut floors: Vec<Floor> = Vec::new();
    let other = rows.remove(&None);
    for (floor, mut doors) in rows.into_iter().rev() {
        doors.sort_by_key(order);
        floors.push(Floor {
            floor,
            households: doors,
        });
    }
    if let Some(mut doors) = other {
        doors.sort_by_key(order);
        floors.push(Floor {
            floor: None,
            households: doors,
        });
    }
    summary.visited_pct = crate::report::pct(summary.visited, summary.households - summary.vacant);
    let path = crate::address::zone_of(store, building.meta.id)?
        .map_or_else(|| building.name.clone(), |z| z.path());
    Ok(Plan {
        building: path,
        building_id: building.meta.id,
        units,
        days,
        summary,
        floors,
    })
}

fn store_error(e: crate::ops::OpError) -> gridbook_store::store::StoreError {
    match e {
        crate::ops::OpError::Store(s) => s,
        other => gridbook_store::store::StoreError::Invalid(other.to_string()),
    }
}

/// Numbers sort as numbers (`2` before `10`), everything else after, as text.
fn natural(s: &str) -> (u64, String) {
    (s.trim().parse::<u64>().unwrap_or(u64::MAX), s.to_string())
}
