//! Members with their contribution record for a period (visits, care
//! visits on time, liaison households visited, problems, activities and
//! service hours), then kind, tags, branch and phone; `P` cycles the period,
//! `K`/`T`/`B` filter by kind, tag and branch; a row opens the member's
//! zones (their workload), `n` adds one. Computed on the job runner: at 100k
//! households no key waits on it.

use std::collections::{BTreeSet, HashMap};

use gridbook_core::service::{self, MemberFilter};
use gridbook_domain::period::Period;

use super::prelude::*;

pub const HINTS: &[Cmd] = &[
    Cmd::Open,
    Cmd::Back,
    Cmd::Period,
    Cmd::FilterKind,
    Cmd::FilterTag,
    Cmd::FilterBranch,
    Cmd::Sort,
    Cmd::LogActivity,
    Cmd::Transfer,
    Cmd::Help,
];

/// What the status line says while the report loads.
pub const LOADING: &str = "job.members";

/// The periods `P` cycles through, in days.
pub const PERIODS: [i64; 3] = [30, 90, 365];

/// The members view's period and filters. A filter is an index into its
/// choices, 0 meaning all; the loader wraps it to the choices there are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MembersView {
    pub period: u8,
    pub kind: u8,
    pub tag: u8,
    pub branch: u8,
}

impl MembersView {
    /// The view after a period or filter command.
    pub fn next(mut self, cmd: Cmd) -> MembersView {
        match cmd {
            Cmd::Period => self.period = (self.period + 1) % PERIODS.len() as u8,
            Cmd::FilterKind => self.kind = self.kind.wrapping_add(1),
            Cmd::FilterTag => self.tag = self.tag.wrapping_add(1),
            Cmd::FilterBranch => self.branch = self.branch.wrapping_add(1),
            _ => {}
        }
        self
    }

    /// Whether a filter by kind, tag or branch is on (as the loader
    /// wrapped it: 0 is all).
    pub fn filtered(self) -> bool {
        self.kind != 0 || self.tag != 0 || self.branch != 0
    }

    pub fn days(self) -> i64 {
        PERIODS[self.period as usize % PERIODS.len()]
    }
}

/// Index `i` into `choices` with 0 as "all": the chosen one, if any.
fn pick<T: Clone>(i: &mut u8, choices: &[T]) -> Option<T> {
    *i = (*i as usize % (choices.len() + 1)) as u8;
    (*i as usize).checked_sub(1).map(|k| choices[k].clone())
}

pub fn load(w: &World, view: MembersView) -> R<Report> {
    let s = w.store;
    let now = Ts::now();
    let lang = w.lang;
    let f = |k: &str| lang.t(k).to_string();
    let everyone = s.members().map_err(err)?;
    let phones: HashMap<Id, String> = everyone
        .iter()
        .map(|m| (m.meta.id, m.phone.clone()))
        .collect();
    // The choices the filters cycle through, from the members there are.
    let tags: Vec<String> = everyone
        .iter()
        .flat_map(|m| m.tags.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let branches: Vec<String> = everyone
        .iter()
        .map(|m| m.branch.trim().to_string())
        .filter(|b| !b.is_empty())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut v = view;
    let filter = MemberFilter {
        kind: pick(&mut v.kind, &MemberKind::ALL),
        tag: pick(&mut v.tag, &tags),
        branch: pick(&mut v.branch, &branches),
    };
    let period = Period::last_days(v.days(), now);
    let list = service::contributions(s, &period, now, &w.lists.care, &filter).map_err(err)?;
    let mut rows: Vec<Row> = list
        .iter()
        .map(|c| {
            let phone = phones.get(&c.id).cloned().unwrap_or_default();
            Row {
                id: c.id,
                kind: RowKind::Member,
                // The record first, who they are after it: a narrow
                // terminal cuts the last columns. Zones and households
                // covered are a row's `enter` and `report workload`.
                cells: vec![
                    c.name.clone(),
                    c.visits.to_string(),
                    c.care_visits_on_time.to_string(),
                    c.liaison_visited.to_string(),
                    c.problems_reported.to_string(),
                    c.problems_resolved.to_string(),
                    c.activities.to_string(),
                    hours(c.service_hours),
                    lang.label("member_kind", &c.kind),
                    c.tags.join("、"),
                    c.branch.clone(),
                    phone.clone(),
                ],
                phone: Some(phone).filter(|p| !p.is_empty()),
                whose: Some(c.name.clone()),
                zone: None,
            }
        })
        .collect();
    // Busiest first, as `s` sorts numbers.
    rows.sort_by(|a, b| cmp_num(&b.cells[1], &a.cells[1]));
    let all = f("filter.all");
    let shown = |x: Option<String>| x.unwrap_or_else(|| all.clone());
    let summary = vec![
        lang.f(
            "wording.members_summary",
            &[
                &gridbook_core::report::counted(lang, "wording.members", list.len()),
                &v.days().to_string(),
            ],
        ),
        lang.f(
            "caretui.members.filters",
            &[
                &shown(filter.kind.map(|k| lang.label("member_kind", k.code()))),
                &shown(filter.tag.clone()),
                &shown(filter.branch.clone()),
            ],
        ),
    ];
    Ok(Report {
        sort: 1,
        // At 80 columns not all fit: tags and branch go first, then hours,
        // activities, problems solved and liaison visits, so that name,
        // visits, kind and phone (who to call) keep their text.
        drop: vec![9, 10, 7, 6, 5, 3],
        ..Report::new(
            ReportKind::Members(v),
            lang.f("caretui.members.title", &[&v.days().to_string()]),
            summary,
            vec![
                f("col.name"),
                f("caretui.col.visits"),
                f("caretui.col.care_on_time"),
                f("caretui.col.liaison_visited"),
                f("caretui.col.reported"),
                f("caretui.col.resolved"),
                f("caretui.col.activities"),
                f("caretui.col.hours"),
                f("col.kind"),
                f("col.tags"),
                f("caretui.col.branch"),
                f("col.phone"),
            ],
            rows,
        )
    })
}

fn cmp_num(a: &str, b: &str) -> std::cmp::Ordering {
    let n = |s: &str| s.parse::<f64>().unwrap_or(0.0);
    n(a).total_cmp(&n(b))
}

/// Hours as people write them: `2`, `1.5`.
fn hours(h: f64) -> String {
    let s = format!("{h:.1}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_wrap_over_their_choices_and_periods_cycle() {
        let mut i = 0u8;
        assert_eq!(pick(&mut i, &["a", "b"]), None);
        i = 2;
        assert_eq!(pick(&mut i, &["a", "b"]), Some("b"));
        i = 3;
        assert_eq!(pick(&mut i, &["a", "b"]), None);
        assert_eq!(i, 0);
        let v = MembersView::default();
        assert_eq!(v.days(), 30);
        assert_eq!(v.next(Cmd::Period).days(), 90);
        assert_eq!(v.next(Cmd::Period).next(Cmd::Period).days(), 365);
        assert_eq!(v.next(Cmd::Period).next(Cmd::Period).next(Cmd::Period), v);
        assert_eq!(hours(2.0), "2");
        assert_eq!(hours(1.5), "1.5");
    }
}
