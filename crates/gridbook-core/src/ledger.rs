//! The office's ledgers (台账) for a period: one row per entry, as the
//! community office files them: visits (走访台账), problems (问题台账),
//! patrols (巡查台账), care visits and service activities. Each row carries
//! the zone's full address, the member(s), the dates (local) and the
//! outcome. The rows are text in the chosen language; the command line
//! prints them as a table, or writes them as CSV or a workbook.

use std::collections::HashMap;

use crate::address;
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::*;
use gridbook_domain::period::Period;
use gridbook_domain::vocab::{Vocabulary, care};
use gridbook_store::store::{Store, StoreError};

type Result<T> = std::result::Result<T, StoreError>;

/// Which ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Visits,
    Problems,
    Patrols,
    CareVisits,
    Activities,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Visits,
        Kind::Problems,
        Kind::Patrols,
        Kind::CareVisits,
        Kind::Activities,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Visits => "visits",
            Kind::Problems => "problems",
            Kind::Patrols => "patrols",
            Kind::CareVisits => "care-visits",
            Kind::Activities => "activities",
        }
    }

    /// The catalog key of the ledger's title (走访台账 …).
    pub fn title_key(self) -> String {
        format!("excel.ledger.{}", self.code())
    }

    /// Catalog keys of the columns, in order.
    fn columns(self) -> &'static [&'static str] {
        match self {
            Kind::Visits => &[
                "excel.col.no",
                "excel.col.date",
                "excel.col.time",
                "excel.col.address",
                "col.head",
                "excel.col.visitor",
                "excel.col.purpose",
                "excel.col.situation",
                "excel.col.follow_up",
            ],
            Kind::Problems => &[
                "excel.col.no",
                "excel.col.date",
                "excel.col.address",
                "col.category",
                "col.description",
                "col.urgency",
                "excel.col.reporter",
                "excel.col.status",
                "excel.col.closed",
                "excel.col.handler",
                "excel.col.outcome",
                "excel.col.days",
            ],
            Kind::Patrols => &[
                "excel.col.no",
                "excel.col.date",
                "excel.col.time",
                "excel.col.address",
                "excel.col.patrol_kind",
                "excel.col.patroller",
                "excel.col.checked",
                "excel.col.issues",
                "col.note",
            ],
            Kind::CareVisits => &[
                "excel.col.no",
                "excel.col.date",
                "excel.col.address",
                "col.head",
                "excel.col.groups",
                "excel.col.cadence",
                "excel.col.since_last",
                "excel.col.on_time",
                "excel.col.visitor",
                "excel.col.situation",
            ],
            Kind::Activities => &[
                "excel.col.no",
                "excel.col.date",
                "excel.col.activity_kind",
                "excel.col.address",
                "excel.col.participants",
                "excel.col.headcount",
                "report_cols.service_hours",
                "col.note",
            ],
        }
    }

    /// Columns that hold numbers (a spreadsheet may sum them).
    pub fn numeric(self) -> &'static [usize] {
        match self {
            Kind::Visits | Kind::Patrols => &[0],
            Kind::Problems => &[0, 11],
            Kind::CareVisits => &[0, 5, 6],
            Kind::Activities => &[0, 5, 6],
        }
    }
}

impl std::str::FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Kind, String> {
        Kind::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| {
                format!(
                    "`{s}` is not a ledger: {}",
                    Kind::ALL.map(Kind::code).join(", ")
                )
            })
    }
}

/// The word lists a ledger labels codes with.
pub struct Lists<'a> {
    pub care_groups: &'a Vocabulary,
    pub activity_kinds: &'a Vocabulary,
}

/// A ledger: its title, the period it covers, a header and one row per entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Ledger {
    pub kind: Kind,
    pub title: String,
    pub period: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A local date and time of an instant.
/// Days from `from`'s local date to `to`'s (0 on the same day).
fn calendar_days(from: Ts, to: Ts) -> i64 {
    let day = |t: Ts| t.to_jiff().to_zoned(gridbook_domain::clock::tz()).date();
    day(from)
        .until(day(to))
        .map_or(0, |span| i64::from(span.get_days()))
        .max(0)
}

fn local(t: Ts) -> (String, String) {
    let z = t.to_jiff().to_zoned(gridbook_domain::clock::tz());
    (
        z.strftime("%Y-%m-%d").to_string(),
        z.strftime("%H:%M").to_string(),
    )
}

/// Names of places and people, read once per id.
struct Names<'s> {
    store: &'s Store,
    paths: HashMap<Id, String>,
    heads: HashMap<Id, String>,
    people: HashMap<Id, String>,
}

impl<'s> Names<'s> {
    fn new(store: &'s Store) -> Names<'s> {
        Names {
            store,
            paths: HashMap::new(),
            heads: HashMap::new(),
            people: HashMap::new(),
        }
    }

    /// `胜利花苑/3栋/2-501`.
    fn path(&mut self, id: Id) -> Result<String> {
        if let Some(p) = self.paths.get(&id) {
            return Ok(p.clone());
        }
        let p = address::zone_of(self.store, id)?
            .map(|z| z.path())
            .unwrap_or_else(|| id.short());
        self.paths.insert(id, p.clone());
        Ok(p)
    }

    /// The household's head (relation 户主, else its first resident).
    fn head(&mut self, hh: Id) -> Result<String> {
        if let Some(h) = self.heads.get(&hh) {
            return Ok(h.clone());
        }
        let rs: Vec<Resident> = self
            .store
            .residents_of(hh)?
            .into_iter()
            .filter(|r| r.meta.is_live())
            .collect();
        let h = gridbook_domain::contact::of(&rs)
            .map(|c| c.head.name.clone())
            .unwrap_or_default();
        self.heads.insert(hh, h.clone());
        Ok(h)
    }

    /// A member's (or resident's) name.
    fn person(&mut self, id: Id) -> Result<String> {
        if let Some(n) = self.people.get(&id) {
            return Ok(n.clone());
        }
        let n = match self.store.member(id)? {
            Some(m) => m.name,
            None => self
                .store
                .resident(id)?
                .map(|r| r.name)
                .unwrap_or_else(|| id.short()),
        };
        self.people.insert(id, n.clone());
        Ok(n)
    }
}

/// The ledger `kind` for `period`, in `lang`. Amended entries read as
/// corrected; entries are in the order they happened.
pub fn build(
    store: &Store,
    kind: Kind,
    period: &Period,
    now: Ts,
    lang: Lang,
    lists: &Lists<'_>,
) -> Result<Ledger> {
    let header = kind
        .columns()
        .iter()
        .map(|k| lang.t(k).to_string())
        .collect();
    // Care visits are judged against the visit before: read a long
    // cadence's worth before the period.
    let events: Vec<Event> = match period.from {
        Some(from) => store.events_since(Ts(from.0 - 400 * DAY_MS))?,
        None => store.events().collect::<Result<_>>()?,
    };
    let mut bodies = Vec::with_capacity(events.len());
    for e in &events {
        if matches!(e.body, EventBody::Amended { .. }) {
            continue;
        }
        bodies.push((e, store.effective_body(e)?));
    }
    let mut names = Names::new(store);
    let rows = match kind {
        Kind::Visits => visits(&bodies, period, lang, &mut names)?,
        Kind::Problems => problems(&bodies, period, now, lang, &mut names)?,
        Kind::Patrols => patrols(&bodies, period, lang, &mut names)?,
        Kind::CareVisits => care_visits(store, &bodies, period, now, lang, lists, &mut names)?,
        Kind::Activities => activities(&bodies, period, lang, lists, &mut names)?,
    };
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            r.insert(0, (i + 1).to_string());
            r
        })
        .collect();
    Ok(Ledger {
        kind,
        title: lang.t(&kind.title_key()).to_string(),
        period: period.describe(),
        header,
        rows,
    })
}

type Bodies<'e> = [(&'e Event, EventBody)];

fn visits(
    bodies: &Bodies<'_>,
    period: &Period,
    lang: Lang,
    names: &mut Names<'_>,
) -> Result<Vec<Vec<String>>> {
    let mut rows = Vec::new();
    for (e, body) in bodies.iter().filter(|(e, _)| period.contains(e.at)) {
        let EventBody::Visit(VisitBody {
            household,
            member,
            purpose,
            note,
            follow_up,
        }) = body
        else {
            continue;
        };
        let (date, time) = local(e.at);
        rows.push(vec![
            date,
            time,
            names.path(*household)?,
            names.head(*household)?,
            names.person(*member)?,
            lang.label("purpose", purpose),
            note.clone(),
            follow_up.map(|d| d.to_string()).unwrap_or_default(),
        ]);
    }
    Ok(rows)
}

fn problems(
    bodies: &Bodies<'_>,
    period: &Period,
    now: Ts,
    lang: Lang,
    names: &mut Names<'_>,
) -> Result<Vec<Vec<String>>> {
    // Each problem's steps, in the order they were written.
    let mut steps: HashMap<Id, Vec<(&Event, ProblemStep, &str)>> = HashMap::new();
    for (e, body) in bodies {
        if let EventBody::ProblemStepped(ProblemSteppedBody {
            problem,
            step,
            note,
        }) = body
        {
            steps
                .entry(*problem)
                .or_default()
                .push((e, *step, note.as_str()));
        }
    }
    let mut rows = Vec::new();
    for (e, body) in bodies.iter().filter(|(e, _)| period.contains(e.at)) {
        let EventBody::ProblemOpened(ProblemOpenedBody {
            category,
            description,
            reporter,
            urgency,
        }) = body
        else {
            continue;
        };
        let mine = steps.get(&e.id).map(Vec::as_slice).unwrap_or(&[]);
        let mut status = "open";
        let mut closed: Option<&Event> = None;
        for (s, step, _) in mine {
            match step {
                ProblemStep::Resolved => {
                    status = "resolved";
                    closed = Some(s);
                }
                ProblemStep::Reopened => {
                    status = "open";
                    closed = None;
                }
                ProblemStep::Progress if status == "open" => status = "progress",
                _ => {}
            }
        }
        // Where it stands now: the last note since it was last reopened
        // (the reopening's own note says why), not a resolve it undid.
        let since_reopen = mine
            .iter()
            .rposition(|(_, step, _)| *step == ProblemStep::Reopened)
            .unwrap_or(0);
        let outcome = mine[since_reopen..]
            .iter()
            .rev()
            .find(|(_, _, note)| !note.is_empty())
            .map(|(_, _, n)| n.to_string())
            .unwrap_or_default();
        // Calendar days between the day it was reported and the day it was
        // closed (or today), as a reader counts from the two date columns.
        let end = closed.map_or(now, |c| c.at);
        let days = calendar_days(e.at, end).to_string();
        let reporter = match reporter.or(e.by) {
            Some(r) => names.person(r)?,
            None => String::new(),
        };
        let handler = match closed.and_then(|c| c.by) {
            Some(h) => names.person(h)?,
            None => String::new(),
        };
        rows.push(vec![
            local(e.at).0,
            names.path(e.zone)?,
            lang.label("category", category),
            description.clone(),
            lang.label("urgency", urgency.code()),
            reporter,
            lang.t(&format!("excel.status.{status}")).to_string(),
            closed.map(|c| local(c.at).0).unwrap_or_default(),
            handler,
            outcome,
            days,
        ]);
    }
    Ok(rows)
}

fn patrols(
    bodies: &Bodies<'_>,
    period: &Period,
    lang: Lang,
    names: &mut Names<'_>,
) -> Result<Vec<Vec<String>>> {
    let mut rows = Vec::new();
    for (e, body) in bodies.iter().filter(|(e, _)| period.contains(e.at)) {
        let EventBody::Patrol(PatrolBody { kind, items, note }) = body else {
            continue;
        };
        let (date, time) = local(e.at);
        let ok = items.iter().filter(|i| i.ok).count();
        // Items by their label in `lang` (the user's checklists when
        // installed), as the TUI and `show` say them; the note as written.
        let issues: Vec<String> = items
            .iter()
            .filter(|i| !i.ok)
            .map(|i| {
                gridbook_domain::checklist::Finding {
                    key: i.item.clone(),
                    note: i.note.clone(),
                }
                .show(lang)
            })
            .collect();
        rows.push(vec![
            date,
            time,
            names.path(e.zone)?,
            lang.label("patrol", kind.code()),
            match e.by {
                Some(b) => names.person(b)?,
                None => String::new(),
            },
            format!("{ok}/{}", items.len()),
            if issues.is_empty() {
                lang.t("excel.no_issues").to_string()
            } else {
                issues.join(if lang == Lang::Zh { "；" } else { "; " })
            },
            note.clone(),
        ]);
    }
    Ok(rows)
}

#[allow(clippy::too_many_arguments)]
fn care_visits(
    store: &Store,
    bodies: &Bodies<'_>,
    period: &Period,
    now: Ts,
    lang: Lang,
    lists: &Lists<'_>,
    names: &mut Names<'_>,
) -> Result<Vec<Vec<String>>> {
    // Households with present residents in care groups: their groups, the
    // shortest cadence, and since when.
    let today = now.date();
    let mut care: HashMap<Id, (Vec<String>, u32, Ts)> = HashMap::new();
    for r in store.all::<Resident>() {
        let r = r?;
        if !r.meta.is_live() || r.status != ResidentStatus::Present {
            continue;
        }
        let g = crate::care::groups_of(&r, today);
        let Some(c) = care::shortest_cadence(lists.care_groups, g.iter().map(|(c, _)| c.as_str()))
        else {
            continue;
        };
        let since = g.iter().map(|(_, t)| *t).min().unwrap_or(now);
        let slot = care.entry(r.household).or_insert((Vec::new(), c, since));
        for (code, _) in &g {
            if !slot.0.contains(code) {
                slot.0.push(code.clone());
            }
        }
        slot.1 = slot.1.min(c);
        slot.2 = slot.2.min(since);
    }
    let mut previous: HashMap<Id, Ts> = HashMap::new();
    let mut ordered: Vec<&(&Event, EventBody)> = bodies.iter().collect();
    ordered.sort_by_key(|(e, _)| e.at);
    let mut rows = Vec::new();
    for (e, body) in ordered {
        let EventBody::Visit(VisitBody {
            household,
            member,
            note,
            ..
        }) = body
        else {
            continue;
        };
        let Some((groups, cadence, since)) = care.get(household) else {
            continue;
        };
        let before = previous.insert(*household, e.at);
        if !period.contains(e.at) {
            continue;
        }
        let from = before.unwrap_or(*since);
        let gap = (e.at.0 - from.0).max(0) / DAY_MS;
        let on_time = e.at.0 - from.0 <= *cadence as i64 * DAY_MS;
        let labels: Vec<&str> = groups
            .iter()
            .map(|g| lists.care_groups.label(g, lang))
            .collect();
        rows.push(vec![
            local(e.at).0,
            names.path(*household)?,
            names.head(*household)?,
            labels.join("、"),
            cadence.to_string(),
            gap.to_string(),
            lang.t(if on_time { "excel.yes" } else { "excel.no" })
                .to_string(),
            names.person(*member)?,
            note.clone(),
        ]);
    }
    Ok(rows)
}

fn activities(
    bodies: &Bodies<'_>,
    period: &Period,
    lang: Lang,
    lists: &Lists<'_>,
    names: &mut Names<'_>,
) -> Result<Vec<Vec<String>>> {
    let mut rows = Vec::new();
    for (e, body) in bodies.iter().filter(|(e, _)| period.contains(e.at)) {
        let EventBody::Activity(ActivityBody {
            kind,
            members,
            minutes,
            note,
        }) = body
        else {
            continue;
        };
        let mut who = Vec::new();
        for m in members {
            who.push(names.person(*m)?);
        }
        let hours = format!("{:.2}", *minutes as f64 / 60.0);
        let hours = hours
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string();
        rows.push(vec![
            local(e.at).0,
            lists.activity_kinds.label(kind, lang).to_string(),
            names.path(e.zone)?,
            who.join("、"),
            members.len().to_string(),
            hours,
            note.clone(),
        ]);
    }
    Ok(rows)
}
