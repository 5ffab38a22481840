//! Figures over time for the TUI's charts: visits per week for a zone or a
//! member, the share of households visited within a window at each week's
//! end per area and building, and open problems by age. Read from the
//! events (one range scan from where the oldest week starts) and the
//! hierarchy; slow on a large store, so the TUI runs them as background jobs.

use std::collections::{HashMap, HashSet};

use gridbook_domain::model::*;
use gridbook_store::store::{Store, StoreError};

type Result<T> = std::result::Result<T, StoreError>;

/// Weeks the charts look back over.
pub const WEEKS: usize = 12;
const WEEK_MS: i64 = 7 * DAY_MS;

/// Which week (0 = oldest, `WEEKS - 1` = the one ending now) `t` falls in.
fn week_of(t: Ts, now: Ts) -> Option<usize> {
    let back = (now.0 - t.0).div_euclid(WEEK_MS);
    (0..WEEKS as i64)
        .contains(&back)
        .then(|| WEEKS - 1 - back as usize)
}

/// The live households in `zone` (an area, a building or a household).
pub fn households_in(store: &Store, zone: Id) -> Result<Vec<Id>> {
    let mut out = Vec::new();
    let Some((kind, _)) = store.kind_of(zone)? else {
        return Ok(out);
    };
    match kind {
        Kind::Household => out.push(zone),
        Kind::Building => out.extend(
            store
                .households_of(zone)?
                .into_iter()
                .filter(|h| h.meta.is_live())
                .map(|h| h.meta.id),
        ),
        Kind::Area => {
            for b in store
                .buildings_of(zone)?
                .into_iter()
                .filter(|b| b.meta.is_live())
            {
                out.extend(households_in(store, b.meta.id)?);
            }
        }
        _ => {}
    }
    Ok(out)
}

/// Every visit since `since` as (when, household, member), corrections applied.
fn visits_since(store: &Store, since: Ts) -> Result<Vec<(Ts, Id, Id)>> {
    let mut out = Vec::new();
    for e in store.events_since(since)? {
        if !matches!(e.body, EventBody::Visit(_)) {
            continue;
        }
        if let EventBody::Visit(VisitBody {
            household, member, ..
        }) = store.effective_body(&e)?
        {
            out.push((e.at, household, member));
        }
    }
    Ok(out)
}

/// Visits per week over the last [`WEEKS`] weeks, oldest first.
pub type Weeks = [u64; WEEKS];

/// Visits to households in `zone`, per week.
pub fn zone_weeks(store: &Store, zone: Id, now: Ts) -> Result<Weeks> {
    let inside: HashSet<Id> = households_in(store, zone)?.into_iter().collect();
    let mut w = [0; WEEKS];
    for (at, hh, _) in visits_since(store, Ts(now.0 - WEEKS as i64 * WEEK_MS))? {
        if inside.contains(&hh)
            && let Some(i) = week_of(at, now)
        {
            w[i] += 1;
        }
    }
    Ok(w)
}

/// Visits made by `member`, per week.
pub fn member_weeks(store: &Store, member: Id, now: Ts) -> Result<Weeks> {
    let mut w = [0; WEEKS];
    for (at, _, m) in visits_since(store, Ts(now.0 - WEEKS as i64 * WEEK_MS))? {
        if m == member
            && let Some(i) = week_of(at, now)
        {
            w[i] += 1;
        }
    }
    Ok(w)
}

/// One place's share of households visited within the window, at the end
/// of each week (percent, oldest first).
#[derive(Clone, Debug, PartialEq)]
pub struct Share {
    pub id: Id,
    /// The area it is (in).
    pub area: Id,
    pub name: String,
    /// Indented under its area when a building.
    pub building: bool,
    pub households: usize,
    pub pct: [f64; WEEKS],
}

/// [`Share`] per area and its buildings (live ones, in the store's order,
/// as the coverage report lists them), with a household counted as visited at a week's end when it had a
/// visit within `window_days` before it; over the households lived in, so
/// the latest week is the coverage report's share.
pub fn coverage_history(store: &Store, now: Ts, window_days: i64) -> Result<Vec<Share>> {
    let window = window_days.max(1) * DAY_MS;
    let first_end = now.0 - (WEEKS as i64 - 1) * WEEK_MS;
    let mut by_hh: HashMap<Id, Vec<Ts>> = HashMap::new();
    for (at, hh, _) in visits_since(store, Ts(first_end - window))? {
        by_hh.entry(hh).or_default().push(at);
    }
    let visited_at = |hh: &Id, end: i64| {
        by_hh
            .get(hh)
            .is_some_and(|v| v.iter().any(|t| t.0 <= end && t.0 > end - window))
    };
    let share = |hhs: &[Id]| {
        let mut pct = [0.0; WEEKS];
        for (i, p) in pct.iter_mut().enumerate() {
            let end = first_end + i as i64 * WEEK_MS;
            let n = hhs.iter().filter(|h| visited_at(h, end)).count();
            *p = if hhs.is_empty() {
                0.0
            } else {
                100.0 * n as f64 / hhs.len() as f64
            };
        }
        pct
    };
    let mut out = Vec::new();
    let mut areas = store.areas()?;
    areas.retain(|a| a.meta.is_live());
    for a in areas {
        let mut buildings = store.buildings_of(a.meta.id)?;
        buildings.retain(|b| b.meta.is_live());
        let mut rows = Vec::new();
        let mut all = Vec::new();
        for b in buildings {
            // As the coverage report counts: vacant households are not
            // blank spots, so they are neither visited nor missed.
            let hhs: Vec<Id> = store
                .households_of(b.meta.id)?
                .into_iter()
                .filter(|h| h.meta.is_live() && h.occupancy != Occupancy::Vacant)
                .map(|h| h.meta.id)
                .collect();
            rows.push(Share {
                id: b.meta.id,
                area: a.meta.id,
                name: b.name.clone(),
                building: true,
                households: hhs.len(),
                pct: share(&hhs),
            });
            all.extend(hhs);
        }
        out.push(Share {
            id: a.meta.id,
            area: a.meta.id,
            name: a.name.clone(),
            building: false,
            households: all.len(),
            pct: share(&all),
        });
        out.extend(rows);
    }
    Ok(out)
}

/// Upper bounds (days, inclusive) of the age bands of open problems; the
/// last band is everything older.
pub const AGE_BANDS: [i64; 3] = [7, 30, 90];

/// Open problems (inside `zones`, when given) counted by age band:
/// ≤7 days, 8–30, 31–90, older.
pub fn problem_ages(store: &Store, now: Ts, zones: Option<&HashSet<Id>>) -> Result<[u64; 4]> {
    let mut out = [0; 4];
    for (p, zone) in store.open_problems()? {
        if let Some(z) = zones {
            let inside =
                z.contains(&zone) || store.ancestry(zone)?.iter().any(|(_, id)| z.contains(id));
            if !inside {
                continue;
            }
        }
        let Some(e) = store.event(p)? else { continue };
        let age = (now.0 - e.at.0).max(0) / DAY_MS;
        let band = AGE_BANDS
            .iter()
            .position(|&b| age <= b)
            .unwrap_or(AGE_BANDS.len());
        out[band] += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chart's latest week is the share the coverage report gives,
    /// vacant households left out of both (they were counted in the
    /// chart's, so its legend said 45% beside a report's 46.3%).
    #[test]
    fn the_latest_week_is_the_coverage_reports_share() {
        let store = Store::memory().unwrap();
        let now = Ts(1_790_000_000_000);
        let spec = crate::generator::Spec::large(200, 3, 2000, now);
        crate::generator::load(&store, &crate::generator::generate(&spec)).unwrap();
        let ids: Vec<Id> = store
            .all::<Household>()
            .map(|h| h.unwrap().meta.id)
            .collect();
        for h in ids.into_iter().step_by(5) {
            let ctx = crate::ops::Ctx { by: None, now };
            crate::ops::edit_place(&store, ctx, h, &[("status", "vacant")]).unwrap();
        }
        let groups = gridbook_domain::vocab::care::shipped();
        let report = crate::report::coverage(&store, now, 90, None, groups).unwrap();
        let chart = coverage_history(&store, now, 90).unwrap();
        assert!(report.vacant > 0);
        let mut compared = 0;
        for a in &report.by_area {
            let row = chart.iter().find(|r| r.id.to_string() == a.id).unwrap();
            assert_eq!(row.households, a.households - a.vacant, "{}", a.name);
            // The report rounds to a tenth.
            assert!(
                (row.pct[WEEKS - 1] - a.visited_pct).abs() <= 0.05 + 1e-9,
                "{}: chart {} against report {}",
                a.name,
                row.pct[WEEKS - 1],
                a.visited_pct
            );
            compared += 1;
        }
        assert!(compared > 0);
    }

    #[test]
    fn weeks_count_back_from_now() {
        let now = Ts(100 * WEEK_MS);
        assert_eq!(week_of(now, now), Some(WEEKS - 1));
        assert_eq!(week_of(Ts(now.0 - WEEK_MS + 1), now), Some(WEEKS - 1));
        assert_eq!(week_of(Ts(now.0 - WEEK_MS), now), Some(WEEKS - 2));
        assert_eq!(week_of(Ts(now.0 - WEEKS as i64 * WEEK_MS), now), None);
        assert_eq!(week_of(Ts(now.0 + 1), now), None);
    }
}
