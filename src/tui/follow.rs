//! What a commit changed ([`Changes`]: records, events, zones, members),
//! mapped to what must refresh: the list and side pane in view, the report
//! or plan in view, and the screens held behind it for `back`. This is the
//! one place that decides it, for every write made in the process (a form,
//! an import, or any other path to the store): the app follows the store
//! ([`gridbook_store::store::Store::follow`]) and hands each batch to
//! [`refresh`]. The lookup index follows the same commits on its own
//! (`super::finder`); the zone pane's chart follows its pane's reload.

use gridbook_domain::model::{Id, Kind};
use gridbook_store::writes::Changes;

use super::jobs::Job;
use super::screens;
use super::state::*;
use super::update::{Effect, detail_target, start_job};

/// The effects that bring the screen up to date after `c`; screens held
/// behind it are marked to reload when shown again.
pub fn refresh(state: &mut State, c: &Changes) -> Vec<Effect> {
    // A record the last save created: the list selects it.
    let created = state.select_next.take();
    if c.is_empty() {
        return vec![];
    }
    // Lists held for `back` may count what changed (an area's buildings
    // count its households' visits): they are read again.
    if let View::Browse(b) = &mut state.view {
        b.forget_held();
    }
    if let Some(b) = &mut state.browse_behind {
        b.forget_held();
    }
    if let Some(b) = &state.browse_behind
        && browse_shows(b, c)
    {
        state.stale.browse = true;
    }
    if let Some(m) = &state.members_behind
        && screens::shows(m.kind, c)
    {
        state.stale.members = true;
    }
    // A report or plan on its way replaces the view when it comes, so it is
    // what must be current: reloading the view instead would take its place
    // (one screen job at a time) and bring back what was left, such as a
    // conflict just resolved, which no longer loads.
    if let Some(job) = state.loading.as_ref().map(|l| l.job.clone()) {
        let due = match &job {
            Job::Report(kind) => Some(screens::shows(*kind, c)),
            Job::Plan(b) => Some(c.touches(*b)),
            _ => None,
        };
        if let Some(due) = due {
            return if due {
                vec![start_job(state, job)]
            } else {
                vec![]
            };
        }
    }
    match &state.view {
        View::Browse(b) => {
            if browse_shows(b, c) || created.is_some() {
                vec![Effect::Load {
                    level: b.level,
                    select: created.or_else(|| b.rows.get(b.sel).map(|r| r.id)),
                }]
            } else {
                // The list is as it was; the pane may not be.
                detail_target(b)
                    .filter(|z| c.touches(*z))
                    .map(Effect::Detail)
                    .into_iter()
                    .collect()
            }
        }
        View::Report(r) if screens::shows(r.kind, c) => {
            let kind = r.kind;
            vec![start_job(state, Job::Report(kind))]
        }
        View::Plan(p) if c.touches(p.building) => {
            let b = p.building;
            vec![start_job(state, Job::Plan(b))]
        }
        View::Report(_) | View::Plan(_) => vec![],
        // The first area of an empty store.
        View::Welcome => vec![Effect::Load {
            level: Level::Areas,
            select: None,
        }],
    }
}

/// Whether the browser's list (its rows, their counts and who covers
/// them) or its side pane shows something `c` changed.
pub fn browse_shows(b: &Browse, c: &Changes) -> bool {
    // Cover names in every list are members' names.
    if c.records_of(Kind::Member).next().is_some() {
        return true;
    }
    if b.rows.iter().any(|r| c.touches(r.id)) || detail_target(b).is_some_and(|z| c.touches(z)) {
        return true;
    }
    // A new row: the zone listed is among the changed zones (each comes
    // with every zone containing it), or for the areas, a new area.
    let inside: Option<Id> = match b.level {
        Level::Areas => None,
        Level::Buildings(z) | Level::Households(z) | Level::Household(z) => Some(z),
    };
    match inside {
        Some(z) => c.touches(z),
        None => c.records_of(Kind::Area).next().is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::Keymap;
    use gridbook_domain::i18n::Lang;

    fn row(id: u128) -> Row {
        Row {
            id: Id(id),
            kind: RowKind::Building,
            cells: vec![format!("{id}")],
            phone: None,
            whose: None,
            zone: Some(Id(id)),
        }
    }

    fn browsing(level: Level, rows: &[u128]) -> Browse {
        Browse {
            level,
            crumbs: vec![],
            columns: vec![],
            rows: rows.iter().map(|&i| row(i)).collect(),
            sel: 0,
            detail: None,
            chart: None,
            stack: vec![],
            held: vec![],
            loading: false,
            marked: vec![],
        }
    }

    fn report(kind: ReportKind) -> Report {
        Report::new(kind, String::new(), vec![], vec![], vec![])
    }

    fn state_with(view: View) -> State {
        let (km, _) = Keymap::load(None, None);
        let mut s = State::new(Lang::En, km, None);
        s.view = view;
        s
    }

    fn zones(ids: &[u128]) -> Changes {
        Changes {
            zones: ids.iter().map(|&i| Id(i)).collect(),
            ..Changes::default()
        }
    }

    /// Keeping a conflict's version asks for the list; the commit's
    /// changes arrive before the list does and must not reload the item
    /// (resolved, it is gone), which would also cancel the list.
    #[test]
    fn a_screen_on_its_way_is_what_a_change_reloads() {
        let mut s = state_with(View::Report(report(ReportKind::ConflictItem(Id(5)))));
        let asked = start_job(&mut s, Job::Report(ReportKind::Conflicts));
        let c = Changes {
            records: [(Id(7), Kind::Resident)].into_iter().collect(),
            ..Changes::default()
        };
        let effects = refresh(&mut s, &c);
        assert_eq!(effects.len(), 1);
        assert_ne!(effects[0], asked, "a new ticket");
        assert!(
            matches!(
                &effects[0],
                Effect::Job(_, Job::Report(ReportKind::Conflicts))
            ),
            "{effects:?}"
        );
        // A plan on its way of a building nothing touched stays as asked.
        let mut s = state_with(View::Report(report(ReportKind::Today)));
        start_job(&mut s, Job::Plan(Id(3)));
        assert_eq!(refresh(&mut s, &zones(&[30, 4, 1])), vec![]);
    }

    #[test]
    fn the_list_reloads_only_when_it_shows_what_changed() {
        let mut s = state_with(View::Browse(browsing(Level::Buildings(Id(1)), &[2, 3])));
        // A change in another area: nothing on screen moves.
        assert_eq!(refresh(&mut s, &zones(&[9, 10])), vec![]);
        // A household of building 3 (with its building and area).
        assert_eq!(
            refresh(&mut s, &zones(&[30, 3, 1])),
            vec![Effect::Load {
                level: Level::Buildings(Id(1)),
                select: Some(Id(2)),
            }]
        );
        // A new building in the area listed.
        assert_eq!(refresh(&mut s, &zones(&[1])).len(), 1);
        // A member renamed: the cover column shows names.
        let mut m = Changes::default();
        m.records.insert(Id(50), Kind::Member);
        assert_eq!(refresh(&mut s, &m).len(), 1);
        // A save that created a row selects it.
        s.select_next = Some(Id(4));
        assert_eq!(
            refresh(&mut s, &zones(&[1])),
            vec![Effect::Load {
                level: Level::Buildings(Id(1)),
                select: Some(Id(4)),
            }]
        );
    }

    #[test]
    fn a_report_in_view_reloads_and_the_list_behind_is_marked() {
        let mut s = state_with(View::Report(report(ReportKind::Timeline(Id(3)))));
        s.browse_behind = Some(browsing(Level::Buildings(Id(1)), &[2, 3]));
        // The timeline of building 3 does not show a change in building 2,
        // but the list behind does.
        assert_eq!(refresh(&mut s, &zones(&[20, 2, 1])), vec![]);
        assert!(s.stale.browse);
        let fx = refresh(&mut s, &zones(&[30, 3, 1]));
        assert!(
            matches!(fx.as_slice(), [Effect::Job(_, Job::Report(ReportKind::Timeline(z)))] if *z == Id(3)),
            "{fx:?}"
        );
        // Today shows every zone: any change reloads it (the timeline's
        // reload came first).
        s.loading = None;
        s.view = View::Report(report(ReportKind::Today));
        assert_eq!(refresh(&mut s, &zones(&[99])).len(), 1);
    }
}
