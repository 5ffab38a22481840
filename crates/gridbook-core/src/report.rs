//! The reports a grid worker lives by — coverage (no blank spots), open
//! problems, activity, members' workload and today's list — computed from the
//! store for both `gridbook report …` and the TUI's views.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use gridbook_domain::i18n::Lang;
use gridbook_domain::model::*;
use gridbook_domain::period::Period;
use gridbook_domain::vocab::Vocabulary;
use gridbook_store::projection::visits::LastVisit;
use gridbook_store::store::{Result, Store};

use crate::views::{HouseholdView, IdMap, ResidentCareView};

/// A zone with nobody responsible for it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ZoneRef {
    pub id: String,
    pub kind: String,
    pub path: String,
    /// Households inside it that are uncovered too (not listed one by one:
    /// assigning the building covers them all).
    pub households: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Stale {
    pub id: String,
    pub path: String,
    /// `hygiene` / `security` for patrols, `visit` for households.
    pub what: String,
    pub last: Option<String>,
    /// Days since, or `None` when never.
    pub days: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct BuildingCoverage {
    pub id: String,
    pub name: String,
    pub covered_by: Option<String>,
    pub households: usize,
    pub households_uncovered: usize,
    /// Households visited within the window; vacant ones are not counted.
    pub visited: usize,
    /// `visited` over the households that are not vacant.
    pub visited_pct: f64,
    pub hygiene_patrolled: bool,
    pub security_patrolled: bool,
    /// Vacant households (空置): not blank spots, so never "not visited".
    pub vacant: usize,
    /// Rented households (出租): where floating population lives.
    pub rented: usize,
    pub commercial: usize,
    #[serde(flatten)]
    pub care: CareCoverage,
}

/// Care coverage (重点人群): households with at least one present resident
/// in a care group, and how many of them are not due for a visit.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq)]
pub struct CareCoverage {
    pub care_households: usize,
    /// Care households whose last visit is within their cadence.
    pub care_visited_on_time: usize,
    pub care_pct: f64,
}

impl CareCoverage {
    fn add(&mut self, other: &CareCoverage) {
        self.care_households += other.care_households;
        self.care_visited_on_time += other.care_visited_on_time;
    }
    fn count(&mut self, on_time: bool) {
        self.care_households += 1;
        self.care_visited_on_time += usize::from(on_time);
    }
    fn finish(&mut self) {
        self.care_pct = pct(self.care_visited_on_time, self.care_households);
    }
}

/// One responsible member's households (those they cover directly or by
/// inheritance) and how many of them are visited, care ones included.
#[derive(Clone, Debug, Serialize)]
pub struct MemberCoverage {
    pub id: String,
    pub name: String,
    pub households: usize,
    pub vacant: usize,
    pub visited: usize,
    pub visited_pct: f64,
    #[serde(flatten)]
    pub care: CareCoverage,
}

#[derive(Clone, Debug, Serialize)]
pub struct AreaCoverage {
    pub id: String,
    pub name: String,
    pub covered_by: Option<String>,
    pub buildings: usize,
    pub households: usize,
    pub households_uncovered: usize,
    pub visited: usize,
    pub visited_pct: f64,
    pub hygiene_pct: f64,
    pub security_pct: f64,
    pub vacant: usize,
    pub rented: usize,
    pub commercial: usize,
    #[serde(flatten)]
    pub care: CareCoverage,
    pub by_building: Vec<BuildingCoverage>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    pub days: i64,
    pub areas: usize,
    pub buildings: usize,
    pub households: usize,
    /// Zones with no responsible member, neither direct nor inherited.
    pub uncovered: Vec<ZoneRef>,
    pub households_uncovered: usize,
    pub households_visited: usize,
    pub visited_pct: f64,
    pub buildings_hygiene_patrolled: usize,
    pub hygiene_pct: f64,
    pub buildings_security_patrolled: usize,
    pub security_pct: f64,
    pub not_visited: Vec<Stale>,
    pub not_patrolled: Vec<Stale>,
    pub vacant: usize,
    pub rented: usize,
    pub commercial: usize,
    #[serde(flatten)]
    pub care: CareCoverage,
    pub by_area: Vec<AreaCoverage>,
    /// Per responsible member, by name.
    pub by_member: Vec<MemberCoverage>,
}

/// A percentage as shown: `—` when there is nothing to count (an estate
/// with no households is not "100% visited").
pub fn pct_cell(pct: f64, whole: usize) -> String {
    if whole == 0 {
        "—".to_string()
    } else {
        format!("{pct:.1}%")
    }
}

pub fn pct(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        100.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    }
}

/// Who is directly responsible for each zone now, read in one pass.
struct Responsible {
    /// Zone → (member, member's name).
    by_zone: IdMap<(Id, String)>,
}

impl Responsible {
    fn load(store: &Store, now: Ts) -> Result<Responsible> {
        let mut latest: HashMap<Id, gridbook_store::store::Assignment> = HashMap::new();
        for a in store.all_assignments()? {
            if a.role == Role::Responsible && a.active_at(now) {
                match latest.get(&a.zone) {
                    Some(b) if b.since >= a.since => {}
                    _ => {
                        latest.insert(a.zone, a);
                    }
                }
            }
        }
        let mut names: HashMap<Id, Option<String>> = HashMap::new();
        let mut by_zone = IdMap::default();
        for (zone, a) in latest {
            let name = match names.get(&a.member) {
                Some(n) => n.clone(),
                None => {
                    let n = store
                        .member(a.member)?
                        .filter(|m| m.meta.is_live())
                        .map(|m| m.name);
                    names.insert(a.member, n.clone());
                    n
                }
            };
            if let Some(n) = name {
                by_zone.insert(zone, (a.member, n));
            }
        }
        Ok(Responsible { by_zone })
    }

    fn of(&self, zone: Id) -> Option<String> {
        self.by_zone.get(&zone).map(|(_, n)| n.clone())
    }

    fn who(&self, zone: Id) -> Option<&(Id, String)> {
        self.by_zone.get(&zone)
    }
}

/// Where a building's households are counted during the household pass.
struct BuildingSlot {
    /// Index in `by_area`, and in that area's `by_building`.
    area: usize,
    building: usize,
    /// Position in area-then-building order: the order in which the report
    /// lists households that tie on days not visited.
    order: usize,
    /// Index in `uncovered` when nobody covers the building.
    uncovered: Option<usize>,
    area_id: Id,
    path: String,
}

/// Coverage at `now` over a window of `days` days. `only` limits it to the
/// given areas (the "my zones" filter); `None` means everything. Vacant
/// households are counted as vacant, never as not visited; care coverage
/// applies `groups`' cadences through the care rule (`care::standing`).
///
/// Whole-estate report: each index is read once, the households and
/// residents in one pass each in key order, decoding only the fields the
/// report needs ([`crate::views`]).
pub fn coverage(
    store: &Store,
    now: Ts,
    days: i64,
    only: Option<&HashSet<Id>>,
    groups: &Vocabulary,
) -> Result<Coverage> {
    let since = now.minus_days(days);
    let today = now.date();
    // Reads that need nothing else run beside the places: each household's
    // own latest visit (joined before the households pass, which reads
    // them) and the care index's residents (counted once both are done).
    // The households pass finds the closed households, so merges need no
    // pass of their own: with none (nearly always), the visits read are
    // the ones to count; otherwise the pass runs again with the merges
    // folded in.
    std::thread::scope(|s| {
        let visits = s.spawn(|| store.last_visits());
        let in_care = s.spawn(|| care_marks(store, today));
        let partial = coverage_but_care(store, now, since, days, only, || {
            visits
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
        .and_then(|(partial, own)| {
            let merges = crate::relocate::merges_of(store, &partial.closed)?;
            if merges.is_empty() {
                return Ok(partial);
            }
            let visits = crate::relocate::with_merges(own, &merges);
            Ok(coverage_but_care(store, now, since, days, only, || Ok(visits))?.0)
        });
        let in_care = in_care
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        Ok(count_care(partial?, in_care, groups, today))
    })
}

/// Care marks of present residents by household, from the care index
/// (residents in no care group are not read).
fn care_marks(store: &Store, today: Date) -> Result<IdMap<Vec<(String, Ts)>>> {
    let mut in_care: IdMap<Vec<(String, Ts)>> = IdMap::default();
    let born_by = gridbook_domain::vocab::care::aged_80_born_by(today);
    store.each_care_resident(born_by, |bytes| {
        let r: ResidentCareView = Store::view::<Resident, _>(bytes)?;
        if r.meta.is_live() && r.status == ResidentStatus::Present {
            let marks = crate::care::marks_of(&r.care, r.birth_year, r.meta.created_at, today);
            if !marks.is_empty() {
                in_care.entry(r.household).or_default().extend(marks);
            }
        }
        Ok(true)
    })?;
    Ok(in_care)
}

/// A household counted by [`coverage_but_care`], as care needs it later.
struct Counted {
    id: Id,
    /// Index in [`Partial::slots`].
    slot: usize,
    /// The member covering it, if any.
    member: Option<Id>,
    last: Option<Ts>,
}

/// The coverage report before care and the sums: what the household pass
/// counted, for [`count_care`] to finish.
struct Partial {
    c: Coverage,
    /// Households closed (merged or deleted), in id order: where merges
    /// are looked for.
    closed: Vec<Id>,
    slots: Vec<BuildingSlot>,
    /// Every household counted, in id order.
    households: Vec<Counted>,
    by_member: IdMap<MemberCoverage>,
    /// Not visited, with their building's [`BuildingSlot::order`].
    not_visited: Vec<(usize, Stale)>,
    /// Per area: its index in `uncovered` when nobody covers it, and its
    /// buildings patrolled for hygiene and for security.
    areas: Vec<(Option<usize>, usize, usize)>,
}

/// Adds care coverage to what the household pass counted and finishes the
/// report: the sums per building, area, estate and member, and the order
/// of its lists.
fn count_care(
    p: Partial,
    in_care: IdMap<Vec<(String, Ts)>>,
    groups: &Vocabulary,
    today: Date,
) -> Coverage {
    let Partial {
        mut c,
        slots,
        households,
        mut by_member,
        mut not_visited,
        areas,
        closed: _,
    } = p;
    for (id, marks) in in_care {
        let Ok(i) = households.binary_search_by_key(&id, |h| h.id) else {
            // Its household is gone, or outside the areas asked for.
            continue;
        };
        let h = &households[i];
        let Some(st) = crate::care::standing_of(groups, marks, h.last.map(Ts::date), today) else {
            continue;
        };
        let on_time = st.overdue.is_none();
        let slot = &slots[h.slot];
        c.by_area[slot.area].by_building[slot.building]
            .care
            .count(on_time);
        if let Some(m) = h.member.and_then(|m| by_member.get_mut(&m)) {
            m.care.count(on_time);
        }
    }
    for (ac, (area_slot, hyg, sec)) in c.by_area.iter_mut().zip(areas) {
        for bc in &mut ac.by_building {
            bc.visited_pct = pct(bc.visited, bc.households - bc.vacant);
            bc.care.finish();
            ac.households += bc.households;
            ac.households_uncovered += bc.households_uncovered;
            ac.visited += bc.visited;
            ac.vacant += bc.vacant;
            ac.rented += bc.rented;
            ac.commercial += bc.commercial;
            ac.care.add(&bc.care);
        }
        if let Some(slot) = area_slot {
            c.uncovered[slot].households = ac.households_uncovered;
        }
        ac.visited_pct = pct(ac.visited, ac.households - ac.vacant);
        ac.hygiene_pct = pct(hyg, ac.buildings);
        ac.security_pct = pct(sec, ac.buildings);
        ac.care.finish();
        c.buildings += ac.buildings;
        c.households += ac.households;
        c.households_uncovered += ac.households_uncovered;
        c.households_visited += ac.visited;
        c.buildings_hygiene_patrolled += hyg;
        c.buildings_security_patrolled += sec;
        c.vacant += ac.vacant;
        c.rented += ac.rented;
        c.commercial += ac.commercial;
        c.care.add(&ac.care);
    }
    c.visited_pct = pct(c.households_visited, c.households - c.vacant);
    c.care.finish();
    let mut members: Vec<MemberCoverage> = by_member.into_values().collect();
    for m in &mut members {
        m.visited_pct = pct(m.visited, m.households - m.vacant);
        m.care.finish();
    }
    members.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    c.by_member = members;
    c.hygiene_pct = pct(c.buildings_hygiene_patrolled, c.buildings);
    c.security_pct = pct(c.buildings_security_patrolled, c.buildings);
    // Longest neglected first; ties in area, building and household order
    // (the pass met each building's households in id order). Sorting
    // small keys and then moving each row once is cheaper than moving the
    // rows through a stable sort.
    let mut order: Vec<(std::cmp::Reverse<i64>, usize, usize)> = not_visited
        .iter()
        .enumerate()
        .map(|(i, (b, s))| (std::cmp::Reverse(s.days.unwrap_or(i64::MAX)), *b, i))
        .collect();
    order.sort_unstable();
    let mut rows: Vec<Option<Stale>> = not_visited.drain(..).map(|(_, s)| Some(s)).collect();
    c.not_visited = order
        .into_iter()
        .filter_map(|(_, _, i)| rows[i].take())
        .collect();
    c.not_patrolled
        .sort_by_key(|s| std::cmp::Reverse(s.days.unwrap_or(i64::MAX)));
    c
}

fn coverage_but_care(
    store: &Store,
    now: Ts,
    since: Ts,
    days: i64,
    only: Option<&HashSet<Id>>,
    visits: impl FnOnce() -> Result<Vec<LastVisit>>,
) -> Result<(Partial, Vec<LastVisit>)> {
    let resp = Responsible::load(store, now)?;
    let patrols = store.last_patrols()?;
    let mut c = Coverage {
        days,
        areas: 0,
        buildings: 0,
        households: 0,
        uncovered: Vec::new(),
        households_uncovered: 0,
        households_visited: 0,
        visited_pct: 0.0,
        buildings_hygiene_patrolled: 0,
        hygiene_pct: 0.0,
        buildings_security_patrolled: 0,
        security_pct: 0.0,
        not_visited: Vec::new(),
        not_patrolled: Vec::new(),
        vacant: 0,
        rented: 0,
        commercial: 0,
        care: CareCoverage::default(),
        by_area: Vec::new(),
        by_member: Vec::new(),
    };
    // First the places: areas and buildings with their cover and patrols.
    let mut slots: Vec<BuildingSlot> = Vec::new();
    let mut slot_of: IdMap<usize> = IdMap::default();
    let mut areas: Vec<(Option<usize>, usize, usize)> = Vec::new();
    for area in store.areas()? {
        if only.is_some_and(|o| !o.contains(&area.meta.id)) {
            continue;
        }
        c.areas += 1;
        let area_cover = resp.of(area.meta.id);
        let area_slot = area_cover.is_none().then_some(c.uncovered.len());
        if area_cover.is_none() {
            c.uncovered.push(ZoneRef {
                id: area.meta.id.to_string(),
                kind: "area".into(),
                path: area.name.clone(),
                households: 0,
            });
        }
        let mut ac = AreaCoverage {
            id: area.meta.id.to_string(),
            name: area.name.clone(),
            covered_by: area_cover.clone(),
            buildings: 0,
            households: 0,
            households_uncovered: 0,
            visited: 0,
            visited_pct: 0.0,
            hygiene_pct: 0.0,
            security_pct: 0.0,
            vacant: 0,
            rented: 0,
            commercial: 0,
            care: CareCoverage::default(),
            by_building: Vec::new(),
        };
        let (mut hyg, mut sec) = (0, 0);
        for b in store.buildings_of(area.meta.id)? {
            ac.buildings += 1;
            let bpath = format!("{}/{}", area.name, b.name);
            let direct = resp.of(b.meta.id);
            let b_cover = direct.clone().or_else(|| area_cover.clone());
            let building_slot = if b_cover.is_none() {
                c.uncovered.push(ZoneRef {
                    id: b.meta.id.to_string(),
                    kind: "building".into(),
                    path: bpath.clone(),
                    households: 0,
                });
                Some(c.uncovered.len() - 1)
            } else {
                None
            };
            let mut patrolled = [false; 2];
            for (i, kind) in PatrolKind::ALL.into_iter().enumerate() {
                // A patrol of the whole area counts for its buildings.
                let last = [
                    patrols.get(&(b.meta.id, kind)).copied(),
                    patrols.get(&(area.meta.id, kind)).copied(),
                ]
                .into_iter()
                .flatten()
                .max();
                patrolled[i] = last.is_some_and(|t| t >= since);
                if !patrolled[i] {
                    c.not_patrolled.push(Stale {
                        id: b.meta.id.to_string(),
                        path: bpath.clone(),
                        what: kind.code().into(),
                        last: last.map(|t| t.display()),
                        days: last.map(|t| t.days_before(now)),
                    });
                }
            }
            hyg += usize::from(patrolled[0]);
            sec += usize::from(patrolled[1]);
            slot_of.insert(b.meta.id, slots.len());
            slots.push(BuildingSlot {
                area: c.by_area.len(),
                building: ac.by_building.len(),
                order: slots.len(),
                uncovered: building_slot,
                area_id: area.meta.id,
                path: bpath,
            });
            ac.by_building.push(BuildingCoverage {
                id: b.meta.id.to_string(),
                name: b.name.clone(),
                covered_by: b_cover,
                households: 0,
                households_uncovered: 0,
                visited: 0,
                visited_pct: 0.0,
                hygiene_patrolled: patrolled[0],
                security_patrolled: patrolled[1],
                vacant: 0,
                rented: 0,
                commercial: 0,
                care: CareCoverage::default(),
            });
        }
        areas.push((area_slot, hyg, sec));
        c.by_area.push(ac);
    }
    // Then the households, in one pass in key order (id order, as each
    // building lists them).
    let visits = visits()?;
    let last_visit = |h: Id| last_visit_in(&visits, h).map(|(t, _)| t);
    let mut closed: Vec<Id> = Vec::new();
    let mut by_member: IdMap<MemberCoverage> = IdMap::default();
    // Most households have been visited once: the index's size is a fair
    // guess of how many there are, and spares the vectors' regrowth.
    let mut not_visited: Vec<(usize, Stale)> = Vec::with_capacity(visits.len());
    let mut households: Vec<Counted> = Vec::with_capacity(visits.len());
    let tz = gridbook_domain::clock::tz();
    store.each_stored::<Household>(|bytes| {
        let h: HouseholdView = Store::view::<Household, _>(bytes)?;
        if !h.meta.is_live() {
            closed.push(h.meta.id);
            return Ok(true);
        }
        let Some(&slot_ix) = slot_of.get(&h.building) else {
            return Ok(true);
        };
        let slot = &slots[slot_ix];
        let id = h.meta.id;
        let bc = &mut c.by_area[slot.area].by_building[slot.building];
        bc.households += 1;
        let h_cover = resp.who(id);
        if let Some(u) = slot.uncovered
            && h_cover.is_none()
        {
            bc.households_uncovered += 1;
            c.uncovered[u].households += 1;
        }
        let last = last_visit(id);
        let visited = last.is_some_and(|t| t >= since);
        let vacant = h.occupancy == Occupancy::Vacant;
        match h.occupancy {
            Occupancy::Vacant => bc.vacant += 1,
            Occupancy::Rented => bc.rented += 1,
            Occupancy::Commercial => bc.commercial += 1,
            Occupancy::Owner => {}
        }
        if vacant {
            // Nobody lives there to visit: not a blank spot.
        } else if visited {
            bc.visited += 1;
        } else {
            let mut path =
                String::with_capacity(slot.path.len() + 1 + h.unit.len() + 1 + h.room.len());
            path.push_str(&slot.path);
            path.push('/');
            h.push_label(&mut path);
            not_visited.push((
                slot.order,
                Stale {
                    id: id.to_string(),
                    path,
                    what: "visit".into(),
                    last: last.map(|t| t.display_in(&tz)),
                    days: last.map(|t| t.days_before(now)),
                },
            ));
        }
        // The member who covers the household: its own, else the
        // building's, else the area's.
        let cover = h_cover
            .or_else(|| resp.who(h.building))
            .or_else(|| resp.who(slot.area_id));
        if let Some((member, name)) = cover {
            let m = by_member.entry(*member).or_insert_with(|| MemberCoverage {
                id: member.to_string(),
                name: name.clone(),
                households: 0,
                vacant: 0,
                visited: 0,
                visited_pct: 0.0,
                care: CareCoverage::default(),
            });
            m.households += 1;
            if vacant {
                m.vacant += 1;
            } else {
                m.visited += usize::from(visited);
            }
        }
        households.push(Counted {
            id,
            slot: slot_ix,
            member: cover.map(|(m, _)| *m),
            last,
        });
        Ok(true)
    })?;
    // Keys are big-endian ids, so this is already sorted; the sort only
    // guards `count_care`'s binary search.
    households.sort_unstable_by_key(|h| h.id);
    let partial = Partial {
        c,
        slots,
        households,
        by_member,
        not_visited,
        areas,
        closed,
    };
    Ok((partial, visits))
}

#[derive(Clone, Debug, Serialize)]
pub struct OpenProblem {
    pub id: String,
    pub zone_id: String,
    pub zone: String,
    pub category: String,
    pub description: String,
    pub urgency: String,
    pub opened: String,
    pub age_days: i64,
    pub reported_by: Option<String>,
    /// The latest progress note, if any.
    pub last_note: Option<String>,
    /// `open` or `resolved`.
    pub state: String,
    /// When it was resolved (local `YYYY-MM-DD HH:MM`), for resolved ones.
    pub resolved: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Problems {
    pub days: i64,
    /// `30d`, `2026-11`, `2026-11-01..2026-11-15`.
    pub period: String,
    pub open: Vec<OpenProblem>,
    pub opened_in_period: usize,
    pub resolved_in_period: usize,
    /// The problems resolved in the period (and not reopened), newest
    /// first, when asked for ([`with_resolved`]); empty otherwise.
    pub resolved: Vec<OpenProblem>,
}

/// Adds to `p` the problems resolved inside `period` and still resolved
/// (the TUI's `R`, over the report's period), inside `zones` if given.
pub fn with_resolved(
    store: &Store,
    now: Ts,
    period: &Period,
    zones: Option<&[Id]>,
    p: &mut Problems,
) -> Result<()> {
    let since = period.from.unwrap_or(Ts(0));
    let mut notes = StepNotes::default();
    let mut paths = IdMap::default();
    for (e, at) in crate::lifecycle::resolved_since(store, since)? {
        if !period.contains(at) {
            continue;
        }
        if let Some(zs) = zones
            && !store.ancestry(e.zone)?.iter().any(|(_, a)| zs.contains(a))
        {
            continue;
        }
        if let Some(mut row) = problem_row(store, &e, now, &mut notes, &mut paths, Detail::Full)? {
            row.state = "resolved".into();
            row.resolved = Some(at.display());
            p.resolved.push(row);
        }
    }
    Ok(())
}

/// The progress notes in the newest entries of zones' timelines, read
/// once per zone for all the problems of a report: a whole-estate report
/// has thousands of open problems, many in the same building, and reading
/// a zone's latest entries again for each was most of its time.
#[derive(Default)]
struct StepNotes {
    /// Per zone: each problem step among its newest [`NOTE_WINDOW`]
    /// entries, newest first, as (problem, note).
    by_zone: HashMap<Id, Vec<(Id, String)>>,
}

/// How far back in its zone's timeline a problem's latest note is looked for.
const NOTE_WINDOW: usize = 200;

impl StepNotes {
    /// The note of the latest step of `problem` among the newest entries
    /// of `zone`'s timeline.
    fn latest(&mut self, store: &Store, zone: Id, problem: Id) -> Result<Option<String>> {
        let steps = match self.by_zone.entry(zone) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                let mut steps = Vec::new();
                for e in store.timeline(zone, NOTE_WINDOW)? {
                    if let EventBody::ProblemStepped(ProblemSteppedBody { problem, note, .. }) =
                        e.body
                    {
                        steps.push((problem, note));
                    }
                }
                v.insert(steps)
            }
        };
        Ok(steps
            .iter()
            .find(|(p, _)| *p == problem)
            .map(|(_, n)| n.clone()))
    }
}

/// How much of each problem's row a report reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Detail {
    /// Every field.
    Full,
    /// What the TUI's Today shows: no `reported_by` and no `last_note`
    /// (left `None`). The latest note alone was 40% of an estate's Today.
    Screen,
}

/// One problem as reports show it, from the entry that opened it. `paths`
/// keeps each zone's path, read once for all its problems.
fn problem_row(
    store: &Store,
    e: &Event,
    now: Ts,
    notes: &mut StepNotes,
    paths: &mut IdMap<String>,
    detail: Detail,
) -> Result<Option<OpenProblem>> {
    let EventBody::ProblemOpened(ProblemOpenedBody {
        category,
        description,
        urgency,
        ..
    }) = &e.body
    else {
        return Ok(None);
    };
    let full = detail == Detail::Full;
    let last_note = match full {
        true => notes.latest(store, e.zone, e.id)?,
        false => None,
    };
    let zone = match paths.get(&e.zone) {
        Some(p) => p.clone(),
        None => {
            let p = zone_path(store, e.zone)?;
            paths.insert(e.zone, p.clone());
            p
        }
    };
    Ok(Some(OpenProblem {
        id: e.id.to_string(),
        zone_id: e.zone.to_string(),
        zone,
        category: category.clone(),
        description: description.clone(),
        urgency: urgency.code().into(),
        opened: e.at.display(),
        age_days: e.at.days_before(now),
        reported_by: match (full, e.by) {
            (true, Some(b)) => Some(crate::zoneview::member_name(store, b)?),
            _ => None,
        },
        last_note,
        state: "open".into(),
        resolved: None,
    }))
}

fn zone_path(store: &Store, id: Id) -> Result<String> {
    crate::zoneview::path_of(store, id)
}

/// Open problems oldest first (optionally only inside `zones`), and what was
/// opened and resolved in the last `days` days.
pub fn problems(store: &Store, now: Ts, days: i64, zones: Option<&[Id]>) -> Result<Problems> {
    problems_in(store, now, &Period::last_days(days, now), zones)
}

/// The open problems now (optionally only inside `zones`), oldest first.
fn open_rows(
    store: &Store,
    now: Ts,
    zones: Option<&[Id]>,
    detail: Detail,
) -> Result<Vec<OpenProblem>> {
    let ids: Vec<Id> = match zones {
        None => store.open_problems()?.into_iter().map(|(p, _)| p).collect(),
        Some(zs) => {
            let mut set = Vec::new();
            for z in zs {
                set.extend(store.open_problems_in(*z)?);
            }
            set.sort();
            set.dedup();
            set
        }
    };
    let mut open = Vec::new();
    let mut notes = StepNotes::default();
    let mut paths = IdMap::default();
    for pid in ids {
        let Some(e) = store.event(pid)? else { continue };
        if let Some(row) = problem_row(store, &e, now, &mut notes, &mut paths, detail)? {
            open.push(row);
        }
    }
    open.sort_by(|a, b| b.age_days.cmp(&a.age_days).then(a.id.cmp(&b.id)));
    Ok(open)
}

/// [`problems`] with any period: the open problems now, and what was opened
/// and resolved inside `period`.
pub fn problems_in(
    store: &Store,
    now: Ts,
    period: &Period,
    zones: Option<&[Id]>,
) -> Result<Problems> {
    let days = period_days(period, now);
    let open = open_rows(store, now, zones, Detail::Full)?;
    let (mut opened, mut resolved) = (0, 0);
    for e in events_in(store, period)? {
        // Counted for the zones asked for (and inside them) only.
        if let Some(zs) = zones
            && !store.ancestry(e.zone)?.iter().any(|(_, a)| zs.contains(a))
        {
            continue;
        }
        match e.body {
            EventBody::ProblemOpened(_) => opened += 1,
            EventBody::ProblemStepped(ProblemSteppedBody {
                step: ProblemStep::Resolved,
                ..
            }) => resolved += 1,
            _ => {}
        }
    }
    Ok(Problems {
        days,
        period: period.describe(),
        open,
        opened_in_period: opened,
        resolved_in_period: resolved,
        resolved: Vec::new(),
    })
}

#[derive(Clone, Debug, Serialize, Default)]
pub struct MemberActivity {
    pub member: String,
    pub id: String,
    pub tags: Vec<String>,
    pub visits: usize,
    pub problems_reported: usize,
    pub problems_resolved: usize,
    pub patrols: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Activity {
    pub days: i64,
    pub period: String,
    pub visits: usize,
    pub problems_opened: usize,
    pub problems_resolved: usize,
    pub hygiene_patrols: usize,
    pub security_patrols: usize,
    pub by_member: Vec<MemberActivity>,
}

/// What was done in the last `days` days, in all and per member.
pub fn activity(store: &Store, now: Ts, days: i64) -> Result<Activity> {
    activity_in(store, now, &Period::last_days(days, now), false)
}

/// [`activity`] with any period; with `every_member`, members who did
/// nothing in it are listed too (with zeros), for the monthly review.
pub fn activity_in(
    store: &Store,
    now: Ts,
    period: &Period,
    every_member: bool,
) -> Result<Activity> {
    let days = period_days(period, now);
    let mut a = Activity {
        days,
        period: period.describe(),
        visits: 0,
        problems_opened: 0,
        problems_resolved: 0,
        hygiene_patrols: 0,
        security_patrols: 0,
        by_member: Vec::new(),
    };
    let mut per: HashMap<Id, MemberActivity> = HashMap::new();
    if every_member {
        for m in store.members()? {
            per.entry(m.meta.id).or_default();
        }
    }
    for e in events_in(store, period)? {
        let who = match &e.body {
            EventBody::Visit(VisitBody { member, .. }) => Some(*member),
            _ => e.by,
        };
        match &e.body {
            EventBody::Visit(_) => {
                a.visits += 1;
                if let Some(w) = who {
                    per.entry(w).or_default().visits += 1;
                }
            }
            EventBody::ProblemOpened(_) => {
                a.problems_opened += 1;
                if let Some(w) = who {
                    per.entry(w).or_default().problems_reported += 1;
                }
            }
            EventBody::ProblemStepped(ProblemSteppedBody {
                step: ProblemStep::Resolved,
                ..
            }) => {
                a.problems_resolved += 1;
                if let Some(w) = who {
                    per.entry(w).or_default().problems_resolved += 1;
                }
            }
            EventBody::Patrol(PatrolBody { kind, .. }) => {
                match kind {
                    PatrolKind::Hygiene => a.hygiene_patrols += 1,
                    PatrolKind::Security => a.security_patrols += 1,
                }
                if let Some(w) = who {
                    per.entry(w).or_default().patrols += 1;
                }
            }
            _ => {}
        }
    }
    let mut rows: Vec<MemberActivity> = per
        .into_iter()
        .map(|(id, mut m)| {
            m.member = crate::zoneview::member_name(store, id)?;
            m.id = id.to_string();
            m.tags = store.member(id)?.map(|x| x.tags).unwrap_or_default();
            Ok(m)
        })
        .collect::<Result<_>>()?;
    rows.sort_by(|x, y| {
        (y.visits + y.patrols + y.problems_resolved)
            .cmp(&(x.visits + x.patrols + x.problems_resolved))
            .then(x.member.cmp(&y.member))
    });
    a.by_member = rows;
    Ok(a)
}

/// The period's length in whole days (open starts count from the first
/// entry ever made, open ends at `now`), for headings and old fields.
pub fn period_days(period: &Period, now: Ts) -> i64 {
    let from = period.from.unwrap_or(Ts(0));
    let to = period.to.unwrap_or(now).min(now.max(from));
    ((to.0 - from.0).max(0) + DAY_MS - 1) / DAY_MS
}

/// The events dated inside `period`, in time order.
fn events_in(store: &Store, period: &Period) -> Result<Vec<Event>> {
    let all: Vec<Event> = match period.from {
        Some(from) => store.events_since(from)?,
        None => store.events().collect::<std::result::Result<_, _>>()?,
    };
    Ok(all.into_iter().filter(|e| period.contains(e.at)).collect())
}

#[derive(Clone, Debug, Serialize)]
pub struct Workload {
    pub id: String,
    pub name: String,
    pub phone: String,
    pub kind: String,
    pub tags: Vec<String>,
    /// Zones the member is responsible for, by path.
    pub zones: Vec<String>,
    pub liaison_households: usize,
    pub households_covered: usize,
    pub visits_30d: usize,
    pub open_problems: usize,
}

/// Zones a member covers now (every role), by id: "my zones". A closed
/// zone (a household merged away) is nobody's to look after any more, so
/// it is left out, as workload, transfer and retire leave it out.
pub fn zones_of(store: &Store, member: Id, now: Ts) -> Result<Vec<(Id, Role)>> {
    let mut out = Vec::new();
    for a in store.assignments_of_member(member)? {
        if a.active_at(now) && crate::ops::zone_is_open(store, a.zone)? {
            out.push((a.zone, a.role));
        }
    }
    Ok(out)
}

fn households_under(store: &Store, zone: Id) -> Result<usize> {
    Ok(match store.kind_of(zone)? {
        Some((Kind::Household, _)) => 1,
        Some((Kind::Building, _)) => store.households_of(zone)?.len(),
        Some((Kind::Area, _)) => {
            let mut n = 0;
            for b in store.buildings_of(zone)? {
                n += store.households_of(b.meta.id)?.len();
            }
            n
        }
        _ => 0,
    })
}

/// Each live member with their zones and workload.
pub fn members(store: &Store, now: Ts) -> Result<Vec<Workload>> {
    let since = now.minus_days(30);
    let mut out = Vec::new();
    for m in store.members()? {
        let zones = zones_of(store, m.meta.id, now)?;
        let mut w = Workload {
            id: m.meta.id.to_string(),
            name: m.name.clone(),
            phone: m.phone.clone(),
            kind: m.kind.code().into(),
            tags: m.tags.clone(),
            zones: Vec::new(),
            liaison_households: 0,
            households_covered: 0,
            visits_30d: 0,
            open_problems: 0,
        };
        // `zones_of` leaves closed zones (households merged away) out.
        for (z, role) in &zones {
            match role {
                Role::Responsible => {
                    w.zones.push(zone_path(store, *z)?);
                    w.households_covered += households_under(store, *z)?;
                    w.open_problems += store.open_problem_count(*z)?;
                }
                Role::Liaison => {
                    w.liaison_households += 1;
                    w.open_problems += store.open_problem_count(*z)?;
                }
                // A supervisor oversees the zone; its households are counted
                // for the member responsible for it.
                Role::Supervisor => w.zones.push(zone_path(store, *z)?),
            }
        }
        for e in store.member_timeline(m.meta.id, usize::MAX)? {
            if e.at < since {
                break;
            }
            if matches!(e.body, EventBody::Visit(VisitBody { member, .. }) if member == m.meta.id) {
                w.visits_30d += 1;
            }
        }
        out.push(w);
    }
    out.sort_by(|a, b| {
        b.households_covered
            .cmp(&a.households_covered)
            .then(a.name.cmp(&b.name))
    });
    Ok(out)
}

#[derive(Clone, Debug, Serialize)]
pub struct FollowUp {
    pub household_id: String,
    pub household: String,
    pub due: String,
    pub overdue_days: i64,
    pub visit_note: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Today {
    pub follow_ups: Vec<FollowUp>,
    pub open_problems: Vec<OpenProblem>,
    pub patrols_due: Vec<Stale>,
    pub not_visited: Vec<Stale>,
    /// Households due for a care visit by `groups`' cadences, most overdue
    /// first: for a member, every one inside the member's zones (as the
    /// rows above), whoever covers it ([`crate::care::due_in_zones`]).
    pub care_due: Vec<crate::care::CareDue>,
}

/// What is due today: for `me`'s zones when given, else for everything;
/// care visits by `groups`' cadences.
pub fn today(
    store: &Store,
    now: Ts,
    me: Option<Id>,
    visit_days: i64,
    patrol_days: i64,
    groups: &Vocabulary,
) -> crate::ops::Result<Today> {
    today_as(
        store,
        now,
        me,
        (visit_days, patrol_days),
        groups,
        Detail::Full,
        None,
    )
}

/// [`today`] as the TUI's screen shows it: the same rows in the same
/// order, but each open problem's `reported_by` and `last_note` are not
/// read (left `None`); the screen shows neither.
pub fn today_screen(
    store: &Store,
    now: Ts,
    me: Option<Id>,
    visit_days: i64,
    patrol_days: i64,
    groups: &Vocabulary,
) -> crate::ops::Result<Today> {
    today_as(
        store,
        now,
        me,
        (visit_days, patrol_days),
        groups,
        Detail::Screen,
        None,
    )
}

/// The estate's care households with their residents, as
/// [`crate::zoneview::callers_and_care`] reads them: keys sorted are
/// [`crate::care::in_care`]'s households.
pub type CareResidents = IdMap<Vec<Resident>>;

/// [`today_screen`] for the whole estate with every latest visit read
/// already ([`crate::relocate::last_visits`]), which the care rows read
/// too, and the care households' residents when read already (`None`:
/// found from the care index and read here).
pub fn estate_today_screen(
    store: &Store,
    now: Ts,
    visit_days: i64,
    patrol_days: i64,
    groups: &Vocabulary,
    lasts: &[LastVisit],
    in_care: Option<&CareResidents>,
) -> crate::ops::Result<Today> {
    today_as(
        store,
        now,
        None,
        (visit_days, patrol_days),
        groups,
        Detail::Screen,
        Some((lasts, in_care)),
    )
}

/// What [`today_as`] takes read already for the estate: every latest
/// visit, and the care households' residents.
type EstateRead<'a> = (&'a [LastVisit], Option<&'a CareResidents>);

fn today_as(
    store: &Store,
    now: Ts,
    me: Option<Id>,
    (visit_days, patrol_days): (i64, i64),
    groups: &Vocabulary,
    detail: Detail,
    read: Option<EstateRead<'_>>,
) -> crate::ops::Result<Today> {
    let lasts = read.map(|(l, _)| l);
    let my: Option<Vec<Id>> = match me {
        Some(m) => Some(
            zones_of(store, m, now)?
                .into_iter()
                .map(|(z, _)| z)
                .collect(),
        ),
        None => None,
    };
    let since = Since::new(now, visit_days, patrol_days);
    let (follow_ups, (patrols_due, not_visited), care_due) = match my.as_deref() {
        // Care as the rest: every household inside my zones.
        Some(zs) => (
            open_follow_ups(store, now, Some(zs), None)?,
            rounds_in(store, zs, now, &since)?,
            crate::care::due_in_zones(store, groups, now, zs)?,
        ),
        None => {
            // Every follow-up ever set is in the index, most of them done,
            // and every household may be listed: the last visits are read
            // in one pass, once for all three.
            let whole;
            let lasts = match lasts {
                Some(l) => l,
                None => {
                    whole = crate::relocate::last_visits(store)?;
                    &whole
                }
            };
            // The care households: those whose residents were read, or
            // the care index's.
            let in_care = read.and_then(|(_, r)| r);
            let households = match in_care {
                Some(r) => {
                    let mut hs: Vec<Id> = r.keys().copied().collect();
                    hs.sort_unstable();
                    hs
                }
                None => crate::care::in_care(store, now.date())?,
            };
            (
                open_follow_ups(store, now, None, Some(lasts))?,
                rounds_of_estate(store, lasts, now, &since)?,
                crate::care::due_with_lasts(
                    store,
                    groups,
                    now,
                    None,
                    households,
                    Some(lasts),
                    in_care,
                )?,
            )
        }
    };
    // The open problems alone: the period's counts of `problems` are not shown.
    let open_problems = open_rows(store, now, my.as_deref(), detail)?;
    Ok(Today {
        follow_ups,
        open_problems,
        patrols_due,
        not_visited,
        care_due,
    })
}

/// Follow-ups due by `now` and not done, most overdue first, in `my`
/// zones when given. A follow-up is done once its household's latest visit
/// is another one: the visit went into the household's latest-visit index,
/// which keeps the greatest (time, id), so anything else there came later
/// (a tie on the time settled by the id, as the index settles it). So only
/// an open follow-up's visit and household are read. `lasts` is
/// [`crate::relocate::last_visits`] when the caller read it whole; else
/// each household's latest visit is read.
///
/// One set on a household since merged away stays due, shown on the
/// household its people live in now ([`crate::relocate::living_household`]),
/// until that household's latest visit (which counts the merged one's) is
/// another one. One on a household deleted is not listed.
fn open_follow_ups(
    store: &Store,
    now: Ts,
    my: Option<&[Id]>,
    lasts: Option<&[LastVisit]>,
) -> Result<Vec<FollowUp>> {
    let inside = |id: Id| -> Result<bool> {
        match my {
            None => Ok(true),
            Some(zs) => Ok(store.ancestry(id)?.iter().any(|(_, z)| zs.contains(z))),
        }
    };
    let last_of = |h: Id| -> Result<Option<(Ts, Id)>> {
        Ok(match lasts {
            Some(l) => last_visit_in(l, h),
            None => crate::relocate::last_visit(store, h)?,
        })
    };
    let mut follow_ups = Vec::new();
    for (date, visit, hh) in store.follow_ups_until(now.date())? {
        // A later visit to its own household did it: the index says so
        // without reading anything else (most follow-ups end here).
        let own = match lasts {
            Some(l) => last_visit_in(l, hh),
            None => store.last_visit(hh)?,
        };
        if own.is_some_and(|(_, id)| id != visit) {
            continue;
        }
        let Some(shown) = crate::relocate::living_household(store, hh)? else {
            continue;
        };
        if !inside(shown)? {
            continue;
        }
        // Read whole, `own` was already the latest counting merges.
        if (lasts.is_none() || shown != hh) && last_of(shown)?.is_some_and(|(_, id)| id != visit) {
            continue;
        }
        let Some(v) = store.event(visit)? else {
            continue;
        };
        let note = match store.effective_body(&v)? {
            EventBody::Visit(VisitBody { note, .. }) => note,
            _ => String::new(),
        };
        let overdue = date
            .to_jiff()
            .map(|d| (now.date().to_jiff().unwrap_or(d) - d).get_days() as i64)
            .unwrap_or(0);
        follow_ups.push(FollowUp {
            household_id: shown.to_string(),
            household: zone_path(store, shown)?,
            due: date.to_string(),
            overdue_days: overdue,
            visit_note: note,
        });
    }
    follow_ups.sort_by_key(|f| std::cmp::Reverse(f.overdue_days));
    Ok(follow_ups)
}

/// Before these times a household is due a visit and a building a patrol.
struct Since {
    visit: Ts,
    patrol: Ts,
    tz: jiff::tz::TimeZone,
}

impl Since {
    fn new(now: Ts, visit_days: i64, patrol_days: i64) -> Since {
        Since {
            visit: now.minus_days(visit_days),
            patrol: now.minus_days(patrol_days),
            tz: gridbook_domain::clock::tz(),
        }
    }
}

/// A household's last visit (when, which) in [`Store::last_visits`]
/// (sorted by household).
fn last_visit_in(visits: &[LastVisit], h: Id) -> Option<(Ts, Id)> {
    visits
        .binary_search_by_key(&h, |l| l.household)
        .ok()
        .map(|i| (visits[i].at, visits[i].visit))
}

/// Today's patrols due and households not visited in `zones` (areas,
/// buildings or households; a member's few), read zone by zone. Vacant
/// households are not blank spots and never listed. Ties keep the zones'
/// order: area, then building, then household as each lists them.
fn rounds_in(
    store: &Store,
    zones: &[Id],
    now: Ts,
    since: &Since,
) -> Result<(Vec<Stale>, Vec<Stale>)> {
    let mut patrols_due = Vec::new();
    let mut not_visited = Vec::new();
    let mut seen_b = HashSet::new();
    let mut seen_h = HashSet::new();
    // "Area/building" per building, read once for all its households.
    let mut above: HashMap<Id, Option<String>> = HashMap::new();
    for &z in zones {
        let (buildings, households): (Vec<Id>, Vec<Id>) = match store.kind_of(z)? {
            Some((Kind::Area, _)) => {
                let bs = store.child_ids(z)?;
                let mut hs = Vec::new();
                for b in &bs {
                    hs.extend(store.child_ids(*b)?);
                }
                (bs, hs)
            }
            Some((Kind::Building, _)) => (vec![z], store.child_ids(z)?),
            Some((Kind::Household, _)) => (vec![], vec![z]),
            _ => continue,
        };
        for b in buildings {
            if !seen_b.insert(b) {
                continue;
            }
            let Some(building) = store.building(b)?.filter(|b| b.meta.is_live()) else {
                continue;
            };
            for kind in PatrolKind::ALL {
                let last = [
                    store.last_patrol(b, kind)?,
                    store.last_patrol(building.area, kind)?,
                ]
                .into_iter()
                .flatten()
                .max();
                if last.is_none_or(|t| t < since.patrol) {
                    patrols_due.push(stale(
                        b,
                        zone_path(store, b)?,
                        kind.code(),
                        last,
                        now,
                        since,
                    ));
                }
            }
        }
        for h in households {
            if !seen_h.insert(h) {
                continue;
            }
            let Some(hh) = store
                .household(h)?
                .filter(|h| h.meta.is_live() && h.occupancy != Occupancy::Vacant)
            else {
                continue;
            };
            let last = crate::relocate::last_visit(store, h)?.map(|(t, _)| t);
            if last.is_none_or(|t| t < since.visit) {
                let prefix = match above.get(&hh.building) {
                    Some(p) => p.clone(),
                    None => {
                        let p = match store.building(hh.building)? {
                            Some(b) => store
                                .area(b.area)?
                                .map(|a| format!("{}/{}", a.name, b.name)),
                            None => None,
                        };
                        above.insert(hh.building, p.clone());
                        p
                    }
                };
                // As `zone_path` says it, without reading the three records again.
                let path = match prefix {
                    Some(p) => format!("{p}/{}", hh.label()),
                    None => zone_path(store, h)?,
                };
                not_visited.push(stale(h, path, "visit", last, now, since));
            }
        }
    }
    patrols_due.sort_by_key(|s| std::cmp::Reverse(s.days.unwrap_or(i64::MAX)));
    not_visited.sort_by_key(|s| std::cmp::Reverse(s.days.unwrap_or(i64::MAX)));
    Ok((patrols_due, not_visited))
}

/// [`rounds_in`] for every area, in passes instead of a read per
/// household: the places first, then the households in key order with
/// the last visits and patrols read whole, as coverage does (a district's
/// Today lists tens of thousands of households).
fn rounds_of_estate(
    store: &Store,
    visits: &[LastVisit],
    now: Ts,
    since: &Since,
) -> Result<(Vec<Stale>, Vec<Stale>)> {
    let patrols = store.last_patrols()?;
    let mut patrols_due = Vec::new();
    // Per building: its place in area-then-building order and its path.
    let mut slot_of: IdMap<(usize, String)> = IdMap::default();
    for area in store.areas()? {
        for b in store.buildings_of(area.meta.id)? {
            let path = format!("{}/{}", area.name, b.name);
            for kind in PatrolKind::ALL {
                let last = [
                    patrols.get(&(b.meta.id, kind)).copied(),
                    patrols.get(&(area.meta.id, kind)).copied(),
                ]
                .into_iter()
                .flatten()
                .max();
                if last.is_none_or(|t| t < since.patrol) {
                    patrols_due.push(stale(
                        b.meta.id,
                        path.clone(),
                        kind.code(),
                        last,
                        now,
                        since,
                    ));
                }
            }
            let order = slot_of.len();
            slot_of.insert(b.meta.id, (order, path));
        }
    }
    let mut not_visited: Vec<(usize, Stale)> = Vec::new();
    store.each_stored::<Household>(|bytes| {
        let h: HouseholdView = Store::view::<Household, _>(bytes)?;
        if !h.meta.is_live() || h.occupancy == Occupancy::Vacant {
            return Ok(true);
        }
        let Some((order, above)) = slot_of.get(&h.building) else {
            return Ok(true);
        };
        let last = last_visit_in(visits, h.meta.id).map(|(t, _)| t);
        if last.is_none_or(|t| t < since.visit) {
            let mut path = String::with_capacity(above.len() + 1 + h.unit.len() + 1 + h.room.len());
            path.push_str(above);
            path.push('/');
            h.push_label(&mut path);
            not_visited.push((*order, stale(h.meta.id, path, "visit", last, now, since)));
        }
        Ok(true)
    })?;
    patrols_due.sort_by_key(|s| std::cmp::Reverse(s.days.unwrap_or(i64::MAX)));
    // Key order within a building is the order the building lists them in.
    not_visited.sort_by_key(|(order, s)| (std::cmp::Reverse(s.days.unwrap_or(i64::MAX)), *order));
    Ok((
        patrols_due,
        not_visited.into_iter().map(|(_, s)| s).collect(),
    ))
}

/// A row of Today's rounds; `since.tz` writes the last time (looked up once
/// for a list of tens of thousands).
fn stale(id: Id, path: String, what: &str, last: Option<Ts>, now: Ts, since: &Since) -> Stale {
    Stale {
        id: id.to_string(),
        path,
        what: what.into(),
        last: last.map(|t| t.display_in(&since.tz)),
        days: last.map(|t| t.days_before(now)),
    }
}

impl Coverage {
    /// The one-line summary the CLI prints and the coverage screen shows.
    pub fn summary(&self, lang: Lang) -> String {
        let c = self;
        [
            c.nobody_responsible(lang),
            lang.f(
                "coverage.visited",
                &[
                    &c.households_visited.to_string(),
                    &counted(lang, "coverage.households", c.households - c.vacant),
                    &pct_cell(c.visited_pct, c.households - c.vacant),
                    &counted(lang, "coverage.days", c.days.max(0) as usize),
                ],
            ),
            lang.f(
                "coverage.occupancy",
                &[&c.vacant.to_string(), &c.rented.to_string()],
            ),
            lang.f(
                "coverage.care",
                &[
                    &c.care.care_visited_on_time.to_string(),
                    &c.care.care_households.to_string(),
                    &pct_cell(c.care.care_pct, c.care.care_households),
                ],
            ),
            lang.f(
                "coverage.patrolled",
                &[
                    &pct_cell(c.hygiene_pct, c.buildings),
                    &pct_cell(c.security_pct, c.buildings),
                ],
            ),
        ]
        .join(" · ")
    }

    /// Zones with nobody responsible, an area and its buildings counted
    /// together and their households once: "1 area and its 4 buildings
    /// have nobody responsible: 100 households".
    pub fn nobody_responsible(&self, lang: Lang) -> String {
        let (mut areas, mut buildings, mut of) = (0, 0, 0);
        for a in self.by_area.iter().filter(|a| a.covered_by.is_none()) {
            areas += 1;
            of += a.buildings;
            buildings += a
                .by_building
                .iter()
                .filter(|b| b.covered_by.is_none())
                .count();
        }
        // A building inherits its area's member, so an uncovered building
        // always lies in an uncovered area.
        if areas == 0 {
            return lang.t("coverage.nobody.none").to_string();
        }
        let n = if areas == 1 { "one" } else { "other" };
        let area_text = counted(lang, "coverage.areas", areas);
        let households = counted(lang, "coverage.households", self.households_uncovered);
        if buildings == 0 {
            lang.f(&format!("coverage.nobody.area_only.{n}"), &[&area_text])
        } else if buildings == of {
            lang.f(
                &format!("coverage.nobody.all.{n}"),
                &[
                    &area_text,
                    &counted(lang, "coverage.buildings", buildings),
                    &households,
                ],
            )
        } else {
            lang.f(
                &format!("coverage.nobody.some.{n}"),
                &[
                    &area_text,
                    &buildings.to_string(),
                    &counted(lang, "coverage.buildings", of),
                    &households,
                ],
            )
        }
    }
}

/// `1 household`, `2 households`: the catalog's `KEY.one` or `KEY.other`
/// with the number filled in (Chinese has one form, written twice).
pub fn counted(lang: Lang, key: &str, n: usize) -> String {
    let form = if n == 1 { "one" } else { "other" };
    lang.f(&format!("{key}.{form}"), &[&n.to_string()])
}

#[cfg(test)]
mod counted_tests {
    use super::counted;
    use gridbook_domain::i18n::Lang;

    #[test]
    fn counted_picks_one_or_other_in_each_language() {
        assert_eq!(counted(Lang::En, "wording.results", 1), "1 result");
        assert_eq!(counted(Lang::En, "wording.results", 2), "2 results");
        assert_eq!(counted(Lang::En, "wording.results", 0), "0 results");
        assert_eq!(
            counted(Lang::En, "wording.open_problems", 1),
            "1 open problem"
        );
        assert_eq!(counted(Lang::En, "wording.entries", 1), "1 entry");
        assert_eq!(counted(Lang::En, "wording.entries", 3), "3 entries");
        assert_eq!(counted(Lang::Zh, "wording.results", 1), "1 条结果");
        assert_eq!(
            counted(Lang::Zh, "wording.open_problems", 2),
            "未解决问题 2 个"
        );
    }

    #[test]
    fn zh_separators_are_full_width() {
        assert_eq!(
            Lang::Zh.f("wording.labelled", &["责任人", "孙梓涵"]),
            "责任人：孙梓涵"
        );
        assert_eq!(
            Lang::En.f("wording.labelled", &["covered by", "Ann"]),
            "covered by: Ann"
        );
        assert_eq!(Lang::Zh.f("wording.aside", &["a", "今天"]), "a（今天）");
    }
}

#[cfg(test)]
pub(crate) mod today_tests {
    use super::*;

    /// A generated estate of 300 households, and the time it was made for.
    pub(crate) fn estate() -> (Store, Ts) {
        let store = Store::memory().unwrap();
        let now = Ts(1_790_000_000_000);
        let spec = crate::generator::Spec::large(300, 5, 3000, now);
        crate::generator::load(&store, &crate::generator::generate(&spec)).unwrap();
        (store, now)
    }

    #[test]
    fn the_screens_today_is_todays_rows_without_reporters_and_notes() {
        let (store, now) = estate();
        let mut full = today(
            &store,
            now,
            None,
            90,
            30,
            gridbook_domain::vocab::care::shipped(),
        )
        .unwrap();
        let screen = today_screen(
            &store,
            now,
            None,
            90,
            30,
            gridbook_domain::vocab::care::shipped(),
        )
        .unwrap();
        // The full report has both, so leaving them out is seen.
        assert!(full.open_problems.iter().any(|o| o.last_note.is_some()));
        assert!(full.open_problems.iter().any(|o| o.reported_by.is_some()));
        for o in &mut full.open_problems {
            o.reported_by = None;
            o.last_note = None;
        }
        assert!(!full.open_problems.is_empty() && !full.not_visited.is_empty());
        assert_eq!(
            serde_json::to_string(&screen).unwrap(),
            serde_json::to_string(&full).unwrap()
        );
    }

    #[test]
    fn the_estates_rounds_in_passes_equal_the_rounds_read_zone_by_zone_and_skip_vacant() {
        let (store, now) = estate();
        let areas: Vec<Id> = store.areas().unwrap().iter().map(|a| a.meta.id).collect();
        // Every seventh household stands empty (the generator makes none).
        let mut vacant: HashSet<String> = HashSet::new();
        let ids: Vec<Id> = store
            .all::<Household>()
            .map(|h| h.unwrap().meta.id)
            .collect();
        for h in ids.into_iter().step_by(7) {
            let ctx = crate::ops::Ctx { by: None, now };
            crate::ops::edit_place(&store, ctx, h, &[("status", "vacant")]).unwrap();
            vacant.insert(h.to_string());
        }
        // Some of them were due a visit had they been lived in.
        let would_be_due = vacant
            .iter()
            .filter(|h| {
                let id: Id = h.parse().unwrap();
                store
                    .last_visit(id)
                    .unwrap()
                    .is_none_or(|(t, _)| t < now.minus_days(90))
            })
            .count();
        assert!(
            would_be_due > 3,
            "{would_be_due} vacant households were due"
        );
        let lasts = store.last_visits().unwrap();
        let mut patrols_seen = 0;
        for (visit_days, patrol_days) in [(30, 1), (90, 30), (3650, 3650)] {
            let since = Since::new(now, visit_days, patrol_days);
            let (patrols, stale) = rounds_of_estate(&store, &lasts, now, &since).unwrap();
            let (z_patrols, z_stale) = rounds_in(&store, &areas, now, &since).unwrap();
            let json = |v: &Vec<Stale>| serde_json::to_string(v).unwrap();
            assert_eq!(
                json(&patrols),
                json(&z_patrols),
                "patrols, {visit_days} days"
            );
            assert_eq!(
                json(&stale),
                json(&z_stale),
                "not visited, {visit_days} days"
            );
            assert!(
                stale.iter().all(|s| !vacant.contains(&s.id)),
                "a vacant household listed"
            );
            patrols_seen += patrols.len();
            if visit_days == 90 {
                assert!(stale.len() > 20, "{} not visited", stale.len());
            }
        }
        assert!(patrols_seen > 0, "{patrols_seen} patrols due");
        // What `today` lists for the whole estate is the passes' answer.
        let t = today(
            &store,
            now,
            None,
            90,
            30,
            gridbook_domain::vocab::care::shipped(),
        )
        .unwrap();
        assert!(t.not_visited.iter().all(|s| !vacant.contains(&s.id)));
    }

    #[test]
    fn open_follow_ups_are_the_same_from_the_last_visits_read_whole_or_one_by_one() {
        let (store, now) = estate();
        let lasts = store.last_visits().unwrap();
        let json = |v: &Vec<FollowUp>| serde_json::to_string(v).unwrap();
        let all = store.follow_ups_until(now.date()).unwrap().len();
        for days_ago in [0, 30, 365] {
            let at = now.minus_days(days_ago);
            let whole = open_follow_ups(&store, at, None, Some(&lasts)).unwrap();
            let each = open_follow_ups(&store, at, None, None).unwrap();
            assert_eq!(json(&whole), json(&each), "{days_ago} days ago");
            // Open by the rule read the long way: no visit to the household
            // later than this one (each visit read for its time).
            let mut by_time: Vec<(String, String)> = store
                .follow_ups_until(at.date())
                .unwrap()
                .into_iter()
                .filter(|(_, visit, hh)| {
                    let v = store.event(*visit).unwrap().unwrap();
                    let live = store.household(*hh).unwrap().unwrap().meta.is_live();
                    let later = store
                        .last_visit(*hh)
                        .unwrap()
                        .is_some_and(|(t, id)| t > v.at || (t == v.at && id != *visit));
                    live && !later
                })
                .map(|(d, _, hh)| (hh.to_string(), d.to_string()))
                .collect();
            let mut by_id: Vec<(String, String)> = whole
                .iter()
                .map(|f| (f.household_id.clone(), f.due.clone()))
                .collect();
            by_time.sort();
            by_id.sort();
            assert_eq!(by_id, by_time, "{days_ago} days ago");
            if days_ago == 0 {
                // Some open, most done by a later visit: both ways are tried.
                assert!(
                    !whole.is_empty() && whole.len() * 2 < all,
                    "{} of {all}",
                    whole.len()
                );
            }
        }
    }
}

/// Households merged away (closed) in the lists of follow-ups and of a
/// member's zones.
#[cfg(test)]
mod merged_tests {
    use super::*;
    use crate::ops::{self, Ctx, ResidentInput, VisitInput};
    use crate::relocate::merge_households;

    struct Estate {
        store: Store,
        now: Ts,
        area: Id,
        /// 3栋/2-501, merged away in the tests.
        a: Id,
        /// 5栋/1-601, where 2-501's people go.
        b: Id,
        /// Responsible for 5栋.
        zhao: Id,
        /// Liaison of 2-501 alone.
        sun: Id,
    }

    fn estate() -> Estate {
        let store = Store::memory().unwrap();
        let c = Ctx::now(None);
        let now = c.now;
        let area = ops::add_area(&store, c, "胜利花苑", "slhy")
            .unwrap()
            .meta
            .id;
        let b3 = ops::add_building(&store, c, area, "3栋", "3")
            .unwrap()
            .meta
            .id;
        let b5 = ops::add_building(&store, c, area, "5栋", "5")
            .unwrap()
            .meta
            .id;
        let a = ops::add_household(&store, c, b3, "2", "501", "")
            .unwrap()
            .meta
            .id;
        let b = ops::add_household(&store, c, b5, "1", "601", "")
            .unwrap()
            .meta
            .id;
        for (h, name) in [(a, "吕桂英"), (b, "欧阳娜娜")] {
            let r = ResidentInput {
                name: name.into(),
                relation: "户主".into(),
                ..Default::default()
            };
            ops::add_resident(&store, c, h, &r).unwrap();
        }
        let member = |name: &str, phone: &str| {
            ops::add_member(&store, c, name, phone, MemberKind::PartyMember, "")
                .unwrap()
                .meta
                .id
        };
        let (zhao, sun) = (
            member("赵建国", "13800000001"),
            member("孙丽", "13800000002"),
        );
        let since = now.minus_days(100);
        ops::assign(&store, c, b5, zhao, Role::Responsible, since, None).unwrap();
        ops::assign(&store, c, a, sun, Role::Liaison, since, None).unwrap();
        Estate {
            store,
            now,
            area,
            a,
            b,
            zhao,
            sun,
        }
    }

    impl Estate {
        /// A visit `days` ago, with a follow-up `due` days after it.
        fn visit(&self, h: Id, by: Id, days: i64, due: Option<i64>, note: &str) -> Id {
            let at = self.now.minus_days(days);
            let v = VisitInput {
                household: h,
                member: by,
                at,
                purpose: "routine".into(),
                note: note.into(),
                follow_up: due.map(|d| at.minus_days(-d).date()),
            };
            let c = Ctx::now(None);
            ops::log_visit(&self.store, c, &v).unwrap().id
        }

        /// (household, note) of every follow-up Today lists, for everyone
        /// or for `me`, checked the same read whole and one by one.
        fn follow_ups(&self, me: Option<Id>) -> Vec<(Id, String)> {
            let t = today(
                &self.store,
                self.now,
                me,
                90,
                30,
                gridbook_domain::vocab::care::shipped(),
            )
            .unwrap();
            let rows: Vec<_> = t
                .follow_ups
                .iter()
                .map(|f| (f.household_id.parse().unwrap(), f.visit_note.clone()))
                .collect();
            if me.is_none() {
                let lasts = crate::relocate::last_visits(&self.store).unwrap();
                let whole = open_follow_ups(&self.store, self.now, None, Some(&lasts)).unwrap();
                let each = open_follow_ups(&self.store, self.now, None, None).unwrap();
                let json = |v: &Vec<FollowUp>| serde_json::to_string(v).unwrap();
                assert_eq!(json(&whole), json(&each));
                assert_eq!(json(&whole), json(&t.follow_ups));
            }
            rows
        }

        fn merge(&self, from: Id, into: Id) {
            merge_households(&self.store, Ctx::now(None), from, into, "合并").unwrap();
        }
    }

    #[test]
    fn coverage_counts_a_visit_to_a_household_merged_away_where_its_people_went() {
        let e = estate();
        let groups = gridbook_domain::vocab::care::shipped();
        let not_visited = |c: &Coverage| -> Vec<String> {
            c.not_visited.iter().map(|s| s.path.clone()).collect()
        };
        e.visit(e.a, e.sun, 3, None, "走访吕桂英");
        let before = coverage(&e.store, e.now, 90, None, groups).unwrap();
        assert_eq!((before.households, before.households_visited), (2, 1));
        assert_eq!(not_visited(&before), ["胜利花苑/5栋/1-601"]);

        e.merge(e.a, e.b);
        let after = coverage(&e.store, e.now, 90, None, groups).unwrap();
        assert_eq!((after.households, after.households_visited), (1, 1));
        assert!(not_visited(&after).is_empty(), "{:?}", not_visited(&after));
        // Both read the visits as the whole-estate reports do.
        let lasts = crate::relocate::last_visits(&e.store).unwrap();
        assert!(lasts.iter().any(|l| l.household == e.b));
    }

    #[test]
    fn a_follow_up_on_a_household_merged_away_stays_due_where_its_people_live_until_a_later_visit()
    {
        let e = estate();
        // Two follow-ups on 2-501: the first done by the second visit,
        // before the merge; the second open.
        e.visit(e.a, e.sun, 20, Some(5), "约好下周再来");
        e.visit(e.a, e.sun, 10, Some(3), "老人腿脚不便，下次带轮椅");
        e.visit(e.b, e.zhao, 30, None, "一切正常");
        let open = vec![(e.a, "老人腿脚不便，下次带轮椅".to_string())];
        assert_eq!(e.follow_ups(None), open);
        // 赵建国 covers 5栋, not 3栋: not his before the merge.
        assert_eq!(e.follow_ups(Some(e.zhao)), vec![]);

        e.merge(e.a, e.b);
        // Still due, shown on 1-601, where the people live now; and now
        // 赵建国's, who covers it.
        let moved = vec![(e.b, "老人腿脚不便，下次带轮椅".to_string())];
        assert_eq!(e.follow_ups(None), moved);
        assert_eq!(e.follow_ups(Some(e.zhao)), moved);
        let screen = today_screen(
            &e.store,
            e.now,
            None,
            90,
            30,
            gridbook_domain::vocab::care::shipped(),
        )
        .unwrap();
        assert_eq!(screen.follow_ups.len(), 1);

        // A merge of the merge: it follows the people again.
        let b1 = ops::add_building(&e.store, Ctx::now(None), e.area, "1栋", "1")
            .unwrap()
            .meta
            .id;
        let c = ops::add_household(&e.store, Ctx::now(None), b1, "1", "101", "")
            .unwrap()
            .meta
            .id;
        e.merge(e.b, c);
        assert_eq!(
            e.follow_ups(None),
            vec![(c, "老人腿脚不便，下次带轮椅".to_string())]
        );
        assert_eq!(e.follow_ups(Some(e.zhao)), vec![], "1栋 is not his");

        // A later visit where they live now tells it done.
        e.visit(c, e.zhao, 1, None, "已上门");
        assert_eq!(e.follow_ups(None), vec![]);
    }

    #[test]
    fn a_later_visit_to_where_they_live_does_a_follow_up_set_before_the_merge() {
        let e = estate();
        e.visit(e.a, e.sun, 10, Some(3), "约好下周再来");
        // 1-601 visited after the follow-up was set, before the merge.
        e.visit(e.b, e.zhao, 2, None, "一切正常");
        assert_eq!(e.follow_ups(None).len(), 1);
        e.merge(e.a, e.b);
        assert_eq!(e.follow_ups(None), vec![]);
    }

    #[test]
    fn a_household_merged_away_is_in_no_members_zones_nor_counted_as_a_liaison_visited() {
        let e = estate();
        e.visit(e.a, e.sun, 3, None, "走访");
        let period = Period::last_days(30, e.now);
        let filter = crate::service::MemberFilter::default();
        let groups = gridbook_domain::vocab::care::shipped();
        let sun = |store: &Store| {
            crate::service::contributions(store, &period, e.now, groups, &filter)
                .unwrap()
                .into_iter()
                .find(|c| c.id == e.sun)
                .unwrap()
        };
        assert_eq!(
            zones_of(&e.store, e.sun, e.now).unwrap(),
            vec![(e.a, Role::Liaison)]
        );
        assert_eq!(sun(&e.store).liaison_visited, 1);

        e.merge(e.a, e.b);
        assert_eq!(zones_of(&e.store, e.sun, e.now).unwrap(), vec![]);
        let c = sun(&e.store);
        assert_eq!(
            (c.visits, c.liaison_visited),
            (1, 0),
            "the visit stays hers"
        );
        let t = today(
            &e.store,
            e.now,
            Some(e.sun),
            90,
            30,
            gridbook_domain::vocab::care::shipped(),
        )
        .unwrap();
        assert!(t.follow_ups.is_empty() && t.not_visited.is_empty());
        let w = members(&e.store, e.now).unwrap();
        let w = w.iter().find(|w| w.name == "孙丽").unwrap();
        assert_eq!((w.liaison_households, w.zones.len()), (0, 0));
        // The zone that stays open stays listed.
        assert_eq!(
            zones_of(&e.store, e.zhao, e.now).unwrap().len(),
            1,
            "赵建国's 5栋"
        );
    }
}
