//! Care groups in practice: putting residents in groups and taking them out,
//! and which households are due for a care visit.

use serde::Serialize;

use crate::views::ResidentCareView;
use gridbook_domain::contact;
use gridbook_domain::model::*;
use gridbook_domain::vocab::{Vocabulary, care};
use gridbook_store::store::{Store, Writes};

use crate::cover;
use crate::ops::{Ctx, Result, rule, stage_edits};

/// Adds a resident to the group `word` names (code, label or synonym), or
/// takes them out. Returns the group's code. A change becomes an `Edited`
/// event, so the timeline says who set it and when.
pub fn set_group(
    store: &Store,
    ctx: Ctx,
    resident: Id,
    word: &str,
    add: bool,
    groups: &Vocabulary,
) -> Result<String> {
    let Some(group) = groups.parse_word(word) else {
        return rule(format!(
            "`{}` is not a care group: {}",
            word.trim(),
            groups.allowed(gridbook_domain::i18n::Lang::En)
        ));
    };
    let code = group.code.clone();
    let Some(mut r) = store.resident(resident)?.filter(|r| r.meta.is_live()) else {
        return rule("that resident does not exist");
    };
    let has = r.care.iter().any(|m| m.group == code);
    if has == add {
        return Ok(code);
    }
    let old = codes(&r.care);
    if add {
        r.care.push(CareMark {
            group: code.clone(),
            since: ctx.now,
        });
    } else {
        r.care.retain(|m| m.group != code);
    }
    let new = codes(&r.care);
    let mut w = Writes::new();
    stage_edits(store, &mut w, ctx, &mut r, &[("care", old, new)])?;
    store.commit(w)?;
    Ok(code)
}

fn codes(marks: &[CareMark]) -> String {
    marks
        .iter()
        .map(|m| m.group.as_str())
        .collect::<Vec<_>>()
        .join(";")
}

/// A household due (or overdue) for a care visit.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CareDue {
    pub household: Id,
    /// `AREA/BUILDING/UNIT-ROOM` by names.
    pub address: String,
    pub head: Option<String>,
    pub phone: Option<String>,
    /// Whose number `phone` is, when it is not the head's.
    pub phone_of: Option<String>,
    /// Codes of the care groups of its residents, in list order.
    pub groups: Vec<String>,
    pub cadence_days: u32,
    /// `YYYY-MM-DD` in the local zone.
    pub last_visit: Option<String>,
    pub days_overdue: i64,
}

impl CareDue {
    /// When it is due, as Today says it: "N days overdue", or "due today".
    pub fn when(&self, lang: gridbook_domain::i18n::Lang) -> String {
        gridbook_domain::when::due_when(lang, self.days_overdue)
    }
}

/// Care groups of one resident on `today`: those set by hand, plus 高龄老人
/// when their birth year makes them 80 or over.
pub fn groups_of(r: &Resident, today: Date) -> Vec<(String, Ts)> {
    marks_of(&r.care, r.birth_year, r.meta.created_at, today)
}

/// [`groups_of`] from the fields it reads: a resident's care marks, birth
/// year and when it was recorded (whole-estate passes decode only these).
pub fn marks_of(
    marks: &[CareMark],
    birth_year: Option<i16>,
    created_at: Ts,
    today: Date,
) -> Vec<(String, Ts)> {
    let mut out: Vec<(String, Ts)> = marks.iter().map(|m| (m.group.clone(), m.since)).collect();
    if let Some(y) = birth_year
        && care::is_aged_80(y, today)
        && !out.iter().any(|(g, _)| g == care::AGED_80)
    {
        // Due from the later of when the resident was recorded and the
        // start of the year they turned 80.
        let turned = jiff::civil::Date::new(y + 80, 1, 1)
            .ok()
            .and_then(|d| d.to_zoned(gridbook_domain::clock::tz()).ok())
            .map_or(created_at, |z| Ts(z.timestamp().as_millisecond()));
        out.push((care::AGED_80.to_string(), turned.max(created_at)));
    }
    out
}

/// Households due for a care visit on `now`, most overdue first; with
/// `member`, only those the member covers (responsible, directly or
/// inherited, or liaison).
pub fn due(
    store: &Store,
    groups: &Vocabulary,
    now: Ts,
    member: Option<Id>,
) -> Result<Vec<CareDue>> {
    due_with(store, groups, now, member, None)
}

/// [`due`], reading the latest visits all at once (`Some(true)`), one
/// household at a time (`Some(false)`), or as their number decides.
fn due_with(
    store: &Store,
    groups: &Vocabulary,
    now: Ts,
    member: Option<Id>,
    whole: Option<bool>,
) -> Result<Vec<CareDue>> {
    let today = now.date();
    let households = match member {
        Some(m) => {
            let zones: Vec<Id> = crate::report::zones_of(store, m, now)?
                .into_iter()
                .map(|(z, _)| z)
                .collect();
            match households_under(store, &zones)? {
                Some(under) => under,
                None => in_care(store, today)?,
            }
        }
        None => in_care(store, today)?,
    };
    due_among(store, groups, now, member, households, whole)
}

/// Households inside `zones` (areas, buildings or households: a member's
/// "my zones") due for a care visit on `now`, most overdue first: what
/// happens in those zones, whoever covers each household. Today lists
/// these; [`due`] with a member keeps the households the member covers
/// (whose visits they are), which `report care --member` lists. Only the
/// households under the zones are read, up to [`PASS_FROM_HOUSEHOLDS`];
/// past it, the care index's households inside them.
pub fn due_in_zones(
    store: &Store,
    groups: &Vocabulary,
    now: Ts,
    zones: &[Id],
) -> Result<Vec<CareDue>> {
    let households = match households_under(store, zones)? {
        Some(under) => under,
        None => {
            let mut inside = Vec::new();
            for h in in_care(store, now.date())? {
                if store.ancestry(h)?.iter().any(|(_, z)| zones.contains(z)) {
                    inside.push(h);
                }
            }
            inside
        }
    };
    due_among(store, groups, now, None, households, None)
}

/// [`due`] among `households` (sorted, each once; every household that
/// can be due must be there: [`in_care`]'s, or more), reading the latest
/// visits as `whole` says (see [`due_with`]).
pub fn due_among(
    store: &Store,
    groups: &Vocabulary,
    now: Ts,
    member: Option<Id>,
    households: Vec<Id>,
    whole: Option<bool>,
) -> Result<Vec<CareDue>> {
    // Past a few thousand households, every latest visit read at once is
    // cheaper than each one's (a household's merges are on its timeline).
    let lasts = if whole.unwrap_or(households.len() >= LASTS_WHOLE_FROM) {
        Some(crate::relocate::last_visits(store)?)
    } else {
        None
    };
    due_with_lasts(
        store,
        groups,
        now,
        member,
        households,
        lasts.as_deref(),
        None,
    )
}

/// [`due_among`] with every latest visit read already (`lasts`, as
/// [`crate::relocate::last_visits`] gives them; `None`: each household's
/// is read on its own), and the households' residents when read already
/// (`residents`, as [`Store::residents_of`] lists them; a household not in
/// it is read): an estate's Today reads both once for all it shows.
pub fn due_with_lasts(
    store: &Store,
    groups: &Vocabulary,
    now: Ts,
    member: Option<Id>,
    households: Vec<Id>,
    lasts: Option<&[gridbook_store::projection::visits::LastVisit]>,
    residents: Option<&crate::views::IdMap<Vec<Resident>>>,
) -> Result<Vec<CareDue>> {
    // Households share buildings: each building's path is read once.
    let mut paths: crate::views::IdMap<Option<String>> = Default::default();
    let mut out = Vec::new();
    for hh in households {
        let Some(h) = store.household(hh)?.filter(|h| h.meta.is_live()) else {
            continue;
        };
        let read;
        let residents = match residents.and_then(|r| r.get(&hh)) {
            Some(r) => r,
            None => {
                read = store.residents_of(hh)?;
                &read
            }
        };
        let last = match lasts {
            Some(l) => l
                .binary_search_by_key(&hh, |v| v.household)
                .ok()
                .map(|i| l[i].at),
            None => crate::relocate::last_visit(store, hh)?.map(|(t, _)| t),
        };
        let Some(mut d) = due_given(groups, &h, residents, last.map(|t| t.date()), now) else {
            continue;
        };
        if let Some(m) = member
            && !covers(store, m, hh, now)?
        {
            continue;
        }
        let building = match paths.get(&h.building) {
            Some(p) => p.clone(),
            None => {
                let p = crate::address::zone_of(store, h.building)?.map(|z| z.path());
                paths.insert(h.building, p.clone());
                p
            }
        };
        if let Some(b) = building {
            d.address = format!("{b}/{}", h.label());
        }
        out.push(d);
    }
    out.sort_by(|a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then_with(|| a.address.cmp(&b.address))
    });
    Ok(out)
}

/// Households with a present resident in a care group, from the care
/// index (the marked residents and those old enough; the rest are not
/// read). Sorted, each once.
pub fn in_care(store: &Store, today: Date) -> Result<Vec<Id>> {
    let mut households: Vec<Id> = Vec::new();
    store.each_care_resident(care::aged_80_born_by(today), |bytes| {
        let r: ResidentCareView = Store::view::<Resident, _>(bytes)?;
        // The index lists only live, present residents; the record says so too.
        if r.meta.is_live()
            && r.status == ResidentStatus::Present
            && !marks_of(&r.care, r.birth_year, r.meta.created_at, today).is_empty()
        {
            households.push(r.household);
        }
        Ok(true)
    })?;
    households.sort();
    households.dedup();
    Ok(households)
}

/// From this many households to check, [`due`] reads every latest visit
/// at once.
const LASTS_WHOLE_FROM: usize = 3_000;

/// Past this many households a member's zones are cheaper to sift by one
/// pass over every resident than by reading each household's residents.
const PASS_FROM_HOUSEHOLDS: usize = 10_000;

/// Every household under `zones`, sorted, each once. Under a member's
/// zones (every role) lies every household the member can cover (a
/// responsibility or liaison sits on the household or around it). `None`
/// past [`PASS_FROM_HOUSEHOLDS`].
fn households_under(store: &Store, zones: &[Id]) -> Result<Option<Vec<Id>>> {
    let mut out = Vec::new();
    for &zone in zones {
        out.extend(crate::trends::households_in(store, zone)?);
        if out.len() > PASS_FROM_HOUSEHOLDS {
            return Ok(None);
        }
    }
    out.sort();
    out.dedup();
    Ok(Some(out))
}

/// Where a care household stands on `now`: the shortest cadence among its
/// present residents' groups and, when it is due, the days overdue.
pub struct Standing {
    pub cadence: u32,
    /// `None` while a visit is not yet due (visited on time).
    pub overdue: Option<i64>,
    /// Each present resident's groups, with the time each was set.
    pub marks: Vec<(String, Ts)>,
}

/// The care rule applied to one household's `residents` given its last
/// visit: `None` when nobody present is in a group the list knows.
pub fn standing(
    groups: &Vocabulary,
    residents: &[Resident],
    last_visit: Option<Date>,
    now: Ts,
) -> Option<Standing> {
    let today = now.date();
    let marks: Vec<(String, Ts)> = residents
        .iter()
        .filter(|r| r.meta.is_live() && r.status == ResidentStatus::Present)
        .flat_map(|r| groups_of(r, today))
        .collect();
    standing_of(groups, marks, last_visit, today)
}

/// [`standing`] from the care marks of a household's present residents
/// (each resident's [`groups_of`], in resident order) on the local day
/// `today`.
pub fn standing_of(
    groups: &Vocabulary,
    marks: Vec<(String, Ts)>,
    last_visit: Option<Date>,
    today: Date,
) -> Option<Standing> {
    // No group, or only groups the list no longer knows: not a care household.
    let cadence = care::shortest_cadence(groups, marks.iter().map(|(g, _)| g.as_str()))?;
    let since = marks.iter().map(|(_, t)| *t).min().map_or(today, Ts::date);
    let overdue = care::days_overdue(care::due_on(last_visit, since, cadence), today);
    Some(Standing {
        cadence,
        overdue,
        marks,
    })
}

/// Whether household `h` (with its `residents`) is due for a care visit on
/// `now`, and the row that says so.
pub fn due_for(
    store: &Store,
    groups: &Vocabulary,
    h: &Household,
    residents: &[Resident],
    now: Ts,
) -> Result<Option<CareDue>> {
    let last = crate::relocate::last_visit(store, h.meta.id)?.map(|(t, _)| t.date());
    let Some(mut d) = due_given(groups, h, residents, last, now) else {
        return Ok(None);
    };
    if let Some(z) = crate::address::zone_of(store, h.meta.id)? {
        d.address = z.path();
    }
    Ok(Some(d))
}

/// [`due_for`] given the household's latest visit; the address is the
/// household's label until the caller puts its path in.
fn due_given(
    groups: &Vocabulary,
    h: &Household,
    residents: &[Resident],
    last: Option<Date>,
    now: Ts,
) -> Option<CareDue> {
    let Standing {
        cadence,
        overdue: Some(days_overdue),
        marks,
    } = standing(groups, residents, last, now)?
    else {
        return None;
    };
    let c = contact::of(residents);
    let mut codes: Vec<String> = Vec::new();
    for (g, _) in &marks {
        if !codes.contains(g) {
            codes.push(g.clone());
        }
    }
    Some(CareDue {
        household: h.meta.id,
        address: h.label(),
        head: c.as_ref().map(|c| c.head.name.clone()),
        phone: c.as_ref().and_then(|c| c.phone.map(|(_, p)| p.to_string())),
        phone_of: c.as_ref().and_then(|c| {
            c.phone
                .filter(|(w, _)| w.meta.id != c.head.meta.id)
                .map(|(w, _)| w.name.clone())
        }),
        groups: codes,
        cadence_days: cadence,
        last_visit: last.map(|d| d.to_string()),
        days_overdue,
    })
}

/// One resident's place in a care group, for a household's side pane.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CareMember {
    pub resident: String,
    /// The group's code.
    pub group: String,
    /// Its label in the language asked for.
    pub label: String,
    /// The group's cadence, `None` when the list no longer knows the group.
    pub cadence_days: Option<u32>,
}

/// A household's care in full: who is in which group, the cadence that
/// applies, and when the next care visit falls due.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct HouseholdCare {
    pub members: Vec<CareMember>,
    /// The shortest cadence among the groups.
    pub cadence_days: u32,
    /// `YYYY-MM-DD` in the local zone.
    pub due: String,
    /// Days past due (0 = due today); negative while not yet due.
    pub days_overdue: i64,
}

/// The care of household `hh` on `now`, `None` when nobody in it is in a
/// group the list knows.
pub fn of_household(
    store: &Store,
    groups: &Vocabulary,
    hh: Id,
    now: Ts,
    lang: gridbook_domain::i18n::Lang,
) -> Result<Option<HouseholdCare>> {
    let today = now.date();
    let residents = store.residents_of(hh)?;
    let mut members = Vec::new();
    let mut since: Option<Ts> = None;
    for r in residents
        .iter()
        .filter(|r| r.meta.is_live() && r.status == ResidentStatus::Present)
    {
        for (g, t) in groups_of(r, today) {
            since = Some(since.map_or(t, |s| s.min(t)));
            members.push(CareMember {
                resident: r.name.clone(),
                cadence_days: groups.get(&g).and_then(|t| t.cadence_days),
                label: groups.label(&g, lang).to_string(),
                group: g,
            });
        }
    }
    let Some(cadence) = care::shortest_cadence(groups, members.iter().map(|m| m.group.as_str()))
    else {
        return Ok(None);
    };
    let last = crate::relocate::last_visit(store, hh)?.map(|(t, _)| t.date());
    let due = care::due_on(last, since.unwrap_or(now).date(), cadence);
    Ok(Some(HouseholdCare {
        members,
        cadence_days: cadence,
        due: due.to_string(),
        days_overdue: care::days_between(due, today).unwrap_or(0),
    }))
}

/// Whether `member` covers household `hh`: responsible for it (directly or
/// through its building or area), or its liaison.
pub fn covers(store: &Store, member: Id, hh: Id, now: Ts) -> Result<bool> {
    if cover::covering(store, hh, now)?.is_some_and(|c| c.member == member) {
        return Ok(true);
    }
    Ok(cover::liaisons(store, hh, now)?
        .iter()
        .any(|(m, _)| m.meta.id == member))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A member's Today lists the care households inside the member's
    /// zones: the whole estate's list sifted by the member's zones, read
    /// from the households under those zones only. `report care --member`
    /// keeps its own rule, the estate's list sifted by who covers each
    /// household, which is never more.
    #[test]
    fn a_members_care_list_is_the_estates_list_inside_their_zones() {
        let (store, now) = crate::report::today_tests::estate();
        let groups = gridbook_domain::vocab::care::shipped();
        let all = due(&store, groups, now, None).unwrap();
        assert!(
            all.len() > 10,
            "the estate has care households: {}",
            all.len()
        );
        let key = |d: &CareDue| (d.household, d.days_overdue);
        let (mut seen, mut not_theirs) = (0, 0);
        for m in store.members().unwrap() {
            let id = m.meta.id;
            let zones: Vec<Id> = crate::report::zones_of(&store, id, now)
                .unwrap()
                .into_iter()
                .map(|(z, _)| z)
                .collect();
            let inside = |h: Id| {
                store
                    .ancestry(h)
                    .unwrap()
                    .iter()
                    .any(|(_, z)| zones.contains(z))
            };
            let mine: Vec<_> = due_in_zones(&store, groups, now, &zones)
                .unwrap()
                .iter()
                .map(key)
                .collect();
            let sifted: Vec<_> = all
                .iter()
                .filter(|d| inside(d.household))
                .map(key)
                .collect();
            assert_eq!(mine, sifted, "{}", m.name);
            // What Today says of the member is this list.
            let today = crate::report::today(&store, now, Some(id), 90, 30, groups).unwrap();
            let listed: Vec<_> = today.care_due.iter().map(key).collect();
            assert_eq!(listed, mine, "{}", m.name);
            seen += mine.len();
            let covered: Vec<_> = due(&store, groups, now, Some(id))
                .unwrap()
                .iter()
                .map(key)
                .collect();
            let sifted: Vec<_> = all
                .iter()
                .filter(|d| covers(&store, id, d.household, now).unwrap())
                .map(key)
                .collect();
            assert_eq!(covered, sifted, "{}", m.name);
            assert!(covered.iter().all(|c| mine.contains(c)), "{}", m.name);
            not_theirs += mine.len() - covered.len();
        }
        assert!(seen > 0, "some member has a care household in their zones");
        assert!(
            not_theirs > 0,
            "some are in a member's zones but not theirs"
        );
    }

    /// The estate's list is the same with the latest visits read at once or
    /// one by one, and each row is what [`due_for`] says of its household.
    fn in_care_of(store: &Store, today: Date) -> Vec<Id> {
        in_care(store, today).unwrap()
    }

    #[test]
    fn the_care_list_is_each_households_care_rule_however_visits_are_read() {
        let (store, now) = crate::report::today_tests::estate();
        let groups = gridbook_domain::vocab::care::shipped();
        let json = |v: &Vec<CareDue>| serde_json::to_string(v).unwrap();
        let whole = due_with(&store, groups, now, None, Some(true)).unwrap();
        let each = due_with(&store, groups, now, None, Some(false)).unwrap();
        assert_eq!(json(&whole), json(&each));
        // As an estate's Today reads it: residents from the callers' pass,
        // the latest visits read once for the whole screen.
        let (_, in_care) = crate::zoneview::callers_and_care(&store, Some(now.date())).unwrap();
        let mut households: Vec<Id> = in_care.keys().copied().collect();
        households.sort_unstable();
        assert_eq!(households, in_care_of(&store, now.date()));
        let lasts = crate::relocate::last_visits(&store).unwrap();
        let screen = due_with_lasts(
            &store,
            groups,
            now,
            None,
            households,
            Some(&lasts),
            Some(&in_care),
        )
        .unwrap();
        assert_eq!(json(&whole), json(&screen));
        let mut one_by_one = Vec::new();
        for b in store.all::<Building>() {
            for h in store.households_of(b.unwrap().meta.id).unwrap() {
                let residents = store.residents_of(h.meta.id).unwrap();
                one_by_one.extend(due_for(&store, groups, &h, &residents, now).unwrap());
            }
        }
        let sort = |v: &mut Vec<CareDue>| v.sort_by_key(|d| d.household);
        let (mut whole, mut one_by_one) = (whole, one_by_one);
        sort(&mut whole);
        sort(&mut one_by_one);
        assert!(whole.len() > 10, "{}", whole.len());
        assert!(whole.iter().any(|d| d.address.contains('/')));
        assert_eq!(json(&whole), json(&one_by_one));
    }
}
