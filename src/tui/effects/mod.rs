//! Carries out [`Effect`]s against the store and answers with [`Msg`]s.
//! This is the TUI's only door to I/O besides drawing; what may be slow
//! (reports, the import preview) runs as a job (`super::jobs`) through the
//! same functions.

use std::collections::HashSet;

use gridbook_core::address::{self, Zone};
use gridbook_core::config::Config;
use gridbook_core::cover;
use gridbook_core::ops::{self, Ctx, OpError};
use gridbook_core::report;
use gridbook_core::zoneview;
use gridbook_domain::checklist::Checklists;
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::*;
use gridbook_domain::text;
use gridbook_store::store::Store;

use super::finder::{Finder, FoundRow};
use super::form::{Form, Purpose};
use super::state::*;
use super::update::{Effect, Msg};

mod forms;
mod reports;
mod save;

use forms::open_form;
pub(crate) use reports::report_view;
use save::save;

/// What effects and jobs read besides the store: the session, read-only,
/// so that a job can run on another thread.
#[derive(Clone, Copy)]
pub struct World<'a> {
    pub store: &'a Store,
    pub lang: Lang,
    pub config: &'a Config,
    pub checklists: &'a Checklists,
    pub me: Option<Id>,
    /// Filled when `my zones` is on.
    pub my_zones: bool,
}

pub(super) fn t(w: &World, key: &str) -> String {
    w.lang.t(key).to_string()
}

/// Carries out one effect. Jobs and the clipboard are the runtime's
/// (`App`), not this module's.
pub fn run(w: &World, finder: &mut Finder, effect: Effect) -> Vec<Msg> {
    let result = match effect {
        Effect::Load { level, select } => load(w, level, select, None),
        Effect::Detail(id) => detail(w, id),
        Effect::OpenForm(req) => open_form(w, req),
        Effect::Save(purpose, values) => return vec![save(w, finder, purpose, values)],
        Effect::Complete(text) => complete(w, &text),
        Effect::Goto(addr) => match address::resolve(w.store, &addr) {
            Ok(z) => goto(w, &z),
            Err(e) => Ok(vec![Msg::Status(e.to_string(), true)]),
        },
        Effect::GotoId(id) => match address::zone_of(w.store, id) {
            Ok(Some(z)) => goto(w, &z),
            Ok(None) => Ok(vec![Msg::Status(t(w, "tui.gone"), true)]),
            Err(e) => Err(e.to_string()),
        },
        Effect::Lookup(query) => Ok(vec![lookup(w, finder, &query)]),
        Effect::Job(..) | Effect::Copy(_) => Ok(vec![]),
    };
    result.unwrap_or_else(|e| vec![Msg::Status(e, true)])
}

pub(super) type R<T> = Result<T, String>;

pub(super) fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Zones I cover now and their ancestors, for the "my zones" filter.
pub(super) fn my_zone_sets(w: &World) -> R<Option<(HashSet<Id>, HashSet<Id>)>> {
    let (Some(me), true) = (w.me, w.my_zones) else {
        return Ok(None);
    };
    let mut direct = HashSet::new();
    let mut above = HashSet::new();
    for (z, _) in report::zones_of(w.store, me, Ts::now()).map_err(err)? {
        direct.insert(z);
        for (_, a) in w.store.ancestry(z).map_err(err)?.into_iter().skip(1) {
            above.insert(a);
        }
    }
    Ok(Some((direct, above)))
}

pub(super) fn cover_name(w: &World, zone: Id, now: Ts) -> R<String> {
    Ok(match cover::covering(w.store, zone, now).map_err(err)? {
        Some(c) if c.direct => c.name,
        Some(c) => format!("{} ↑", c.name),
        None => "—".to_string(),
    })
}

pub(super) fn days_text(w: &World, t: Option<Ts>, now: Ts) -> String {
    match t {
        Some(t) => w
            .lang
            .f("show.days_ago", &[&t.days_before(now).to_string()]),
        None => w.lang.t("show.never").to_string(),
    }
}

pub fn load(
    w: &World,
    level: Level,
    select: Option<Id>,
    stack: Option<Vec<(Level, Id)>>,
) -> R<Vec<Msg>> {
    let s = w.store;
    let now = Ts::now();
    let mine = my_zone_sets(w)?;
    // Visible under the filter: a zone I cover, one above it, or one inside it.
    let visible = |id: Id, parents: &[Id]| -> bool {
        match &mine {
            None => true,
            Some((direct, above)) => {
                direct.contains(&id)
                    || above.contains(&id)
                    || parents.iter().any(|p| direct.contains(p))
            }
        }
    };
    let visit_days = w.config.visit_days();
    let (crumbs, columns, rows) = match level {
        Level::Areas => {
            let areas = s.areas().map_err(err)?;
            if areas.is_empty() {
                return Ok(vec![Msg::Empty]);
            }
            let mut rows = Vec::new();
            for a in areas.into_iter().filter(|a| visible(a.meta.id, &[])) {
                rows.push(Row {
                    id: a.meta.id,
                    kind: RowKind::Area,
                    cells: vec![
                        a.name.clone(),
                        a.code.clone(),
                        s.buildings_of(a.meta.id).map_err(err)?.len().to_string(),
                        cover_name(w, a.meta.id, now)?,
                        s.open_problem_count(a.meta.id).to_string(),
                    ],
                    phone: None,
                    zone: Some(a.meta.id),
                });
            }
            (
                vec![],
                vec![
                    t(w, "col.area"),
                    t(w, "col.code"),
                    t(w, "col.buildings"),
                    t(w, "col.covered_by"),
                    t(w, "col.open"),
                ],
                rows,
            )
        }
        Level::Buildings(area_id) => {
            let area = s
                .area(area_id)
                .map_err(err)?
                .ok_or_else(|| t(w, "tui.gone"))?;
            let mut rows = Vec::new();
            for b in s.buildings_of(area_id).map_err(err)? {
                if !visible(b.meta.id, &[area_id]) {
                    continue;
                }
                // Live households only: deleted ones stay in the index for history.
                let households = s.households_of(b.meta.id).map_err(err)?;
                let mut stale = 0;
                for h in &households {
                    let last = s.last_visit(h.meta.id).map_err(err)?.map(|(t, _)| t);
                    if last.is_none_or(|t| t < now.minus_days(visit_days)) {
                        stale += 1;
                    }
                }
                rows.push(Row {
                    id: b.meta.id,
                    kind: RowKind::Building,
                    cells: vec![
                        b.name.clone(),
                        households.len().to_string(),
                        cover_name(w, b.meta.id, now)?,
                        s.open_problem_count(b.meta.id).to_string(),
                        stale.to_string(),
                    ],
                    phone: None,
                    zone: Some(b.meta.id),
                });
            }
            (
                vec![area.name],
                vec![
                    t(w, "col.building"),
                    t(w, "col.households"),
                    t(w, "col.covered_by"),
                    t(w, "col.open"),
                    w.lang.f("col.not_visited", &[&visit_days.to_string()]),
                ],
                rows,
            )
        }
        Level::Households(building_id) => {
            let b = s
                .building(building_id)
                .map_err(err)?
                .ok_or_else(|| t(w, "tui.gone"))?;
            let area = s
                .area(b.area)
                .map_err(err)?
                .ok_or_else(|| t(w, "tui.gone"))?;
            let mut rows = Vec::new();
            for h in s.households_of(building_id).map_err(err)? {
                if !visible(h.meta.id, &[building_id, b.area]) {
                    continue;
                }
                let residents = s.residents_of(h.meta.id).map_err(err)?;
                let head = residents
                    .iter()
                    .find(|r| r.relation == "户主")
                    .or(residents.first());
                let phone = head.and_then(|r| r.phones.first().cloned());
                let liaison = cover::liaisons(s, h.meta.id, now)
                    .map_err(err)?
                    .into_iter()
                    .map(|(m, _)| m.name)
                    .next();
                let looks_after = match liaison {
                    Some(l) => l,
                    None => cover_name(w, h.meta.id, now)?,
                };
                let last = s.last_visit(h.meta.id).map_err(err)?.map(|(t, _)| t);
                rows.push(Row {
                    id: h.meta.id,
                    kind: RowKind::Household,
                    cells: vec![
                        h.label(),
                        head.map(|r| r.name.clone()).unwrap_or_default(),
                        phone.clone().unwrap_or_default(),
                        residents.len().to_string(),
                        looks_after,
                        days_text(w, last, now),
                        s.open_problem_count(h.meta.id).to_string(),
                    ],
                    phone,
                    zone: Some(h.meta.id),
                });
            }
            (
                vec![area.name, b.name],
                vec![
                    t(w, "col.room"),
                    t(w, "col.head"),
                    t(w, "col.phone"),
                    t(w, "col.residents"),
                    t(w, "col.looks_after"),
                    t(w, "col.last_visit"),
                    t(w, "col.open"),
                ],
                rows,
            )
        }
        Level::Household(hid) => {
            let Some(Zone::Household(a, b, h)) = address::zone_of(s, hid).map_err(err)? else {
                return Err(t(w, "tui.gone"));
            };
            let rows = s
                .residents_of(hid)
                .map_err(err)?
                .into_iter()
                .map(|r| Row {
                    id: r.meta.id,
                    kind: RowKind::Resident,
                    phone: r.phones.first().cloned(),
                    cells: vec![r.name, r.relation, r.phones.join(", "), r.tags.join(", ")],
                    zone: Some(hid),
                })
                .collect();
            (
                vec![a.name, b.name, h.label()],
                vec![
                    t(w, "show.name"),
                    t(w, "show.relation"),
                    t(w, "show.phones"),
                    t(w, "show.tags"),
                ],
                rows,
            )
        }
    };
    Ok(vec![Msg::Loaded {
        level,
        crumbs,
        columns,
        rows,
        select,
        stack,
    }])
}

pub(super) fn detail(w: &World, id: Id) -> R<Vec<Msg>> {
    let Some(zone) = address::zone_of(w.store, id).map_err(err)? else {
        return Ok(vec![]);
    };
    let view = zoneview::build(w.store, &zone, Ts::now(), w.lang, 8).map_err(err)?;
    Ok(vec![Msg::Detail(id, Box::new(view))])
}

/// Loads the browser at a zone, with `back` leading up through its parents.
pub(super) fn goto(w: &World, z: &Zone) -> R<Vec<Msg>> {
    let (level, select, stack) = match z {
        Zone::Area(a) => (Level::Areas, Some(a.meta.id), vec![]),
        Zone::Building(a, b) => (
            Level::Buildings(a.meta.id),
            Some(b.meta.id),
            vec![(Level::Areas, a.meta.id)],
        ),
        Zone::Household(a, b, h) => (
            Level::Household(h.meta.id),
            None,
            vec![
                (Level::Areas, a.meta.id),
                (Level::Buildings(a.meta.id), b.meta.id),
                (Level::Households(b.meta.id), h.meta.id),
            ],
        ),
    };
    load(w, level, select, Some(stack))
}

/// Completes the address argument of a command (`goto slhy/3`) against
/// the live places.
pub(super) fn complete(w: &World, text: &str) -> R<Vec<Msg>> {
    let Some((_, _, arg)) = crate::tui::command::completing_arg(text) else {
        return Ok(vec![Msg::Completions(vec![])]);
    };
    let typed_name = &text[..text.len() - arg.len()];
    // Complete the last part of the address.
    let (head, last) = match arg.rfind('/') {
        Some(i) => (&arg[..=i], &arg[i + 1..]),
        None => ("", arg),
    };
    let names: Vec<String> = if head.is_empty() {
        w.store
            .areas()
            .map_err(err)?
            .into_iter()
            .flat_map(|a| [a.name, a.code])
            .collect()
    } else {
        match address::resolve(w.store, head.trim_end_matches('/')) {
            Ok(Zone::Area(a)) => w
                .store
                .buildings_of(a.meta.id)
                .map_err(err)?
                .into_iter()
                .flat_map(|b| [b.name, b.code])
                .collect(),
            Ok(Zone::Building(_, b)) => w
                .store
                .households_of(b.meta.id)
                .map_err(err)?
                .into_iter()
                .map(|h| h.label())
                .collect(),
            _ => vec![],
        }
    };
    let lower = last.to_lowercase();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for n in names {
        if n.to_lowercase().starts_with(&lower) && seen.insert(n.clone()) {
            out.push(Completion {
                text: format!("{typed_name}{head}{n}"),
                note: String::new(),
            });
        }
    }
    out.truncate(50);
    Ok(vec![Msg::Completions(out)])
}

pub(super) fn lookup(w: &World, finder: &mut Finder, query: &str) -> Msg {
    let building = !finder.ready(w.store);
    let rows = finder
        .search(query, 200)
        .into_iter()
        .map(|h: FoundRow| LookupRow {
            kind: w.lang.t(&format!("kind.{}", h.kind)).to_string(),
            name: h.name,
            name_match: h.name_match,
            address: h.address,
            phone: h.phone,
            cover: h.cover,
            zone: h.zone,
        })
        .collect();
    Msg::LookupResults {
        query: query.to_string(),
        rows,
        building,
    }
}

pub(super) fn choices(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(c, l)| (c.to_string(), l.clone()))
        .collect()
}

pub(super) fn categories(w: &World) -> Vec<String> {
    w.config.categories.clone().unwrap_or_else(|| {
        gridbook_core::generator::PROBLEM_CATEGORIES
            .iter()
            .map(|s| s.to_string())
            .collect()
    })
}

pub(super) fn zone_label(w: &World, id: Id) -> R<String> {
    Ok(address::zone_of(w.store, id)
        .map_err(err)?
        .map(|z| z.path())
        .unwrap_or_else(|| id.short()))
}

/// What an entry says now: its body, or that of its latest amendment.
pub(super) fn effective_body(w: &World, e: &Event) -> R<EventBody> {
    let original = match &e.body {
        EventBody::Amended { supersedes, .. } => w
            .store
            .event(*supersedes)
            .map_err(err)?
            .ok_or_else(|| w.lang.t("tui.gone").to_string())?,
        _ => e.clone(),
    };
    w.store.effective_body(&original).map_err(err)
}

pub(crate) fn import_preview(w: &World, path: &str) -> R<Vec<Msg>> {
    let roster = gridbook_core::roster::read(std::path::Path::new(path)).map_err(err)?;
    let ctx = Ctx {
        by: w.me,
        now: Ts::now(),
    };
    let report = gridbook_core::roster::import(w.store, ctx, &roster, true, false).map_err(err)?;
    if report.rows_rejected > 0 {
        return Ok(vec![Msg::Status(
            w.lang.f(
                "tui.import_rejected",
                &[&report.rows_rejected.to_string(), path],
            ),
            true,
        )]);
    }
    let form = Form::new(
        Purpose::Import {
            path: path.to_string(),
        },
        w.lang.t("form.import").to_string(),
        vec![],
    )
    .with_intro(format!(
        "{path}\n{report}\n{}",
        w.lang.t("form.import_hint")
    ));
    Ok(vec![Msg::OpenForm(Box::new(form))])
}
