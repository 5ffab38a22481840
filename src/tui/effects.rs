//! Carries out [`Effect`]s against the store and answers with [`Msg`]s.
//! This is the TUI's only door to I/O besides drawing.

use std::collections::HashSet;

use crate::address::{self, Zone};
use crate::checklist::Checklists;
use crate::config::Config;
use crate::cover;
use crate::i18n::Lang;
use crate::model::*;
use crate::ops::{self, Ctx, OpError};
use crate::report;
use crate::store::Store;
use crate::text;
use crate::zoneview;

use super::finder::{Finder, FoundRow};
use super::form::{Field, FieldKind, Form, Purpose};
use super::state::*;
use super::update::{COMMANDS, Effect, FormRequest, Msg};

/// What effects need besides the store.
pub struct World<'a> {
    pub store: &'a Store,
    pub lang: Lang,
    pub config: &'a Config,
    pub checklists: &'a Checklists,
    pub me: Option<Id>,
    pub lookup: &'a mut Finder,
    /// Filled when `my zones` is on.
    pub my_zones: bool,
    /// Text for the clipboard (OSC 52), written by the runtime.
    pub clipboard: Option<String>,
}

fn t(w: &World, key: &str) -> String {
    w.lang.t(key).to_string()
}

pub fn run(w: &mut World, effect: Effect) -> Vec<Msg> {
    let result = match effect {
        Effect::Load { level, select } => load(w, level, select, None),
        Effect::Detail(id) => detail(w, id),
        Effect::Report(kind) => report_view(w, kind),
        Effect::OpenForm(req) => open_form(w, req),
        Effect::Save(purpose, values) => return vec![save(w, purpose, values)],
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
        Effect::Copy(text) => {
            w.clipboard = Some(text);
            Ok(vec![])
        }
        Effect::Lookup(query) => Ok(vec![lookup(w, &query)]),
        Effect::ImportPreview(path) => import_preview(w, &path),
    };
    result.unwrap_or_else(|e| vec![Msg::Status(e, true)])
}

type R<T> = Result<T, String>;

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Zones I cover now and their ancestors, for the "my zones" filter.
fn my_zone_sets(w: &World) -> R<Option<(HashSet<Id>, HashSet<Id>)>> {
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

fn cover_name(w: &World, zone: Id, now: Ts) -> R<String> {
    Ok(match cover::covering(w.store, zone, now).map_err(err)? {
        Some(c) if c.direct => c.name,
        Some(c) => format!("{} ↑", c.name),
        None => "—".to_string(),
    })
}

fn days_text(w: &World, t: Option<Ts>, now: Ts) -> String {
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
                        s.child_count(a.meta.id).to_string(),
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
                let households = s.child_ids(b.meta.id).map_err(err)?;
                let mut stale = 0;
                for h in &households {
                    let last = s.last_visit(*h).map_err(err)?.map(|(t, _)| t);
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

fn detail(w: &World, id: Id) -> R<Vec<Msg>> {
    let Some(zone) = address::zone_of(w.store, id).map_err(err)? else {
        return Ok(vec![]);
    };
    let view = zoneview::build(w.store, &zone, Ts::now(), w.lang, 8).map_err(err)?;
    Ok(vec![Msg::Detail(id, Box::new(view))])
}

/// Loads the browser at a zone, with `back` leading up through its parents.
fn goto(w: &World, z: &Zone) -> R<Vec<Msg>> {
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

fn complete(w: &World, text: &str) -> R<Vec<Msg>> {
    let mut out: Vec<String> = Vec::new();
    if let Some(arg) = text.strip_prefix("goto ") {
        // Complete the last part of the address against the live places.
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
        for n in names {
            if n.to_lowercase().starts_with(&lower) && seen.insert(n.clone()) {
                out.push(format!("goto {head}{n}"));
            }
        }
        out.truncate(50);
    } else {
        out = COMMANDS
            .iter()
            .filter(|c| c.starts_with(text))
            .map(|c| c.to_string())
            .collect();
    }
    Ok(vec![Msg::Completions(out)])
}

fn lookup(w: &mut World, query: &str) -> Msg {
    let building = !w.lookup.ready(w.store);
    let rows = w
        .lookup
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

fn choices(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(c, l)| (c.to_string(), l.clone()))
        .collect()
}

fn categories(w: &World) -> Vec<String> {
    w.config.categories.clone().unwrap_or_else(|| {
        crate::generator::PROBLEM_CATEGORIES
            .iter()
            .map(|s| s.to_string())
            .collect()
    })
}

fn zone_label(w: &World, id: Id) -> R<String> {
    Ok(address::zone_of(w.store, id)
        .map_err(err)?
        .map(|z| z.path())
        .unwrap_or_else(|| id.short()))
}

fn open_form(w: &World, req: FormRequest) -> R<Vec<Msg>> {
    let s = w.store;
    let lang = w.lang;
    let f = |k: &str| lang.t(k).to_string();
    let form = match req {
        FormRequest::New(level) => match level {
            Level::Areas => Form::new(
                Purpose::NewArea,
                f("form.new_area"),
                vec![
                    Field::new(f("form.name"), FieldKind::Required, ""),
                    Field::new(f("form.code_optional"), FieldKind::Text, ""),
                ],
            ),
            Level::Buildings(area) => Form::new(
                Purpose::NewBuilding { area },
                f("form.new_building"),
                vec![
                    Field::new(f("form.name"), FieldKind::Required, ""),
                    Field::new(f("form.code_optional"), FieldKind::Text, ""),
                ],
            )
            .with_intro(zone_label(w, area)?),
            Level::Households(building) => Form::new(
                Purpose::NewHousehold { building },
                f("form.new_household"),
                vec![
                    Field::new(f("form.unit"), FieldKind::Text, ""),
                    Field::new(f("form.room"), FieldKind::Required, ""),
                    Field::new(f("form.notes"), FieldKind::Text, ""),
                ],
            )
            .with_intro(zone_label(w, building)?),
            Level::Household(household) => Form::new(
                Purpose::NewResident { household },
                f("form.new_resident"),
                resident_fields(w, None),
            )
            .with_intro(zone_label(w, household)?),
        },
        FormRequest::NewMember => Form::new(
            Purpose::NewMember,
            f("form.new_member"),
            member_fields(w, None),
        ),
        FormRequest::Edit(kind, id) => match kind {
            RowKind::Resident => {
                let r = s.resident(id).map_err(err)?.ok_or_else(|| f("tui.gone"))?;
                Form::new(
                    Purpose::EditResident { id },
                    f("form.edit_resident"),
                    resident_fields(w, Some(&r)),
                )
            }
            RowKind::Member => {
                let m = s.member(id).map_err(err)?.ok_or_else(|| f("tui.gone"))?;
                Form::new(
                    Purpose::EditMember { id },
                    f("form.edit_member"),
                    member_fields(w, Some(&m)),
                )
            }
            RowKind::Household => {
                let h = s.household(id).map_err(err)?.ok_or_else(|| f("tui.gone"))?;
                Form::new(
                    Purpose::EditPlace { id },
                    f("form.edit_household"),
                    vec![
                        Field::new(f("form.unit"), FieldKind::Text, h.unit),
                        Field::new(f("form.room"), FieldKind::Required, h.room),
                        Field::new(f("form.notes"), FieldKind::Text, h.notes),
                    ],
                )
            }
            RowKind::Area | RowKind::Building => {
                let (name, code) = if kind == RowKind::Area {
                    let a = s.area(id).map_err(err)?.ok_or_else(|| f("tui.gone"))?;
                    (a.name, a.code)
                } else {
                    let b = s.building(id).map_err(err)?.ok_or_else(|| f("tui.gone"))?;
                    (b.name, b.code)
                };
                Form::new(
                    Purpose::EditPlace { id },
                    f(if kind == RowKind::Area {
                        "form.edit_area"
                    } else {
                        "form.edit_building"
                    }),
                    vec![
                        Field::new(f("form.name"), FieldKind::Required, name),
                        Field::new(f("form.code"), FieldKind::Required, code),
                    ],
                )
            }
            _ => return Ok(vec![]),
        },
        FormRequest::Delete(kind, id) => {
            let label = match kind {
                RowKind::Resident => s.resident(id).map_err(err)?.map(|r| r.name),
                RowKind::Member => s.member(id).map_err(err)?.map(|m| m.name),
                _ => Some(zone_label(w, id)?),
            }
            .ok_or_else(|| f("tui.gone"))?;
            Form::new(
                Purpose::Delete { id },
                f("form.delete"),
                vec![Field::new(f("form.reason"), FieldKind::Required, "")],
            )
            .with_intro(lang.f("form.delete_intro", &[&label]))
        }
        FormRequest::Visit(household) => {
            let now = Ts::now();
            let who = match w.me {
                Some(me) => s.member(me).map_err(err)?.map(|m| m.name),
                None => cover::covering(s, household, now)
                    .map_err(err)?
                    .map(|c| c.name),
            }
            .unwrap_or_default();
            let purposes: Vec<(&str, String)> = crate::generator::VISIT_PURPOSES
                .iter()
                .map(|p| (*p, lang.label("purpose", p)))
                .collect();
            Form::new(
                Purpose::Visit { household },
                f("form.visit"),
                vec![
                    Field::new(f("form.member"), FieldKind::Required, who),
                    Field::new(f("form.when"), FieldKind::Time, "now"),
                    Field::choice(f("form.purpose"), choices(&purposes), "routine"),
                    Field::new(f("form.note"), FieldKind::Text, ""),
                    Field::new(f("form.follow_up"), FieldKind::Date, ""),
                ],
            )
            .with_intro(zone_label(w, household)?)
        }
        FormRequest::Problem(zone) => {
            let cats: Vec<(String, String)> = categories(w)
                .into_iter()
                .map(|c| {
                    let l = lang.label("category", &c);
                    (c, l)
                })
                .collect();
            let urg: Vec<(&str, String)> = [Urgency::Normal, Urgency::High, Urgency::Low]
                .iter()
                .map(|u| (u.code(), lang.label("urgency", u.code())))
                .collect();
            let mut fields = vec![
                Field::choice(f("form.category"), cats, "repair"),
                Field::new(f("form.description"), FieldKind::Required, ""),
                Field::choice(f("form.urgency"), choices(&urg), "normal"),
            ];
            if let Some((Kind::Household, _)) = s.kind_of(zone).map_err(err)? {
                let mut people = vec![(String::new(), "—".to_string())];
                for r in s.residents_of(zone).map_err(err)? {
                    people.push((r.meta.id.to_string(), r.name));
                }
                fields.push(Field::choice(f("form.reporter"), people, ""));
            }
            Form::new(Purpose::Problem { zone }, f("form.problem"), fields)
                .with_intro(zone_label(w, zone)?)
        }
        FormRequest::Resolve(id) => {
            let steps = |open: bool| {
                let list: Vec<(&str, String)> = if open {
                    [
                        ProblemStep::Resolved,
                        ProblemStep::Progress,
                        ProblemStep::Comment,
                    ]
                    .iter()
                    .map(|st| {
                        (
                            st.code(),
                            lang.t(&format!("step.{}", st.code())).to_string(),
                        )
                    })
                    .collect()
                } else {
                    [ProblemStep::Reopened, ProblemStep::Comment]
                        .iter()
                        .map(|st| {
                            (
                                st.code(),
                                lang.t(&format!("step.{}", st.code())).to_string(),
                            )
                        })
                        .collect()
                };
                choices(&list)
            };
            match s.event(id).map_err(err)? {
                Some(e) if matches!(e.body, EventBody::ProblemOpened { .. }) => {
                    let open = s.is_problem_open(id).map_err(err)?;
                    let name_of = |i: Id| zoneview::member_name(s, i);
                    Form::new(
                        Purpose::Step { problem: id },
                        f("form.resolve"),
                        vec![
                            Field::choice(
                                f("form.step"),
                                steps(open),
                                if open { "resolved" } else { "reopened" },
                            ),
                            Field::new(f("form.note"), FieldKind::Required, ""),
                        ],
                    )
                    .with_intro(crate::describe::event(lang, &e.body, &name_of))
                }
                _ => {
                    let open = s.open_problems_in(id).map_err(err)?;
                    if open.is_empty() {
                        return Ok(vec![Msg::Status(f("tui.no_open_problems"), true)]);
                    }
                    let mut list = Vec::new();
                    for p in open {
                        if let Some(e) = s.event(p).map_err(err)?
                            && let EventBody::ProblemOpened {
                                category,
                                description,
                                ..
                            } = &e.body
                        {
                            list.push((
                                p.to_string(),
                                format!(
                                    "[{}] {} ({})",
                                    lang.label("category", category),
                                    text::truncate(description, 30),
                                    lang.f(
                                        "show.days_ago",
                                        &[&e.at.days_before(Ts::now()).to_string()]
                                    )
                                ),
                            ));
                        }
                    }
                    Form::new(
                        Purpose::ResolveIn { zone: id },
                        f("form.resolve"),
                        vec![
                            Field::choice(f("form.which_problem"), list, ""),
                            Field::new(f("form.note"), FieldKind::Required, ""),
                        ],
                    )
                    .with_intro(zone_label(w, id)?)
                }
            }
        }
        FormRequest::Patrol(zone, kind) => {
            let kind = match kind {
                Some(k) => k,
                None => {
                    // The kind most overdue here goes first.
                    let h = s.last_patrol(zone, PatrolKind::Hygiene).map_err(err)?;
                    let sec = s.last_patrol(zone, PatrolKind::Security).map_err(err)?;
                    if sec < h {
                        PatrolKind::Security
                    } else {
                        PatrolKind::Hygiene
                    }
                }
            };
            let mut fields: Vec<Field> = w
                .checklists
                .items(kind)
                .iter()
                .map(|item| Field::new(item.clone(), FieldKind::Check, ""))
                .collect();
            let yes_no = vec![
                ("yes".to_string(), f("form.yes")),
                ("no".to_string(), f("form.no")),
            ];
            fields.push(Field::choice(f("form.open_problems"), yes_no, "yes"));
            fields.push(Field::new(f("form.note"), FieldKind::Text, ""));
            fields.push(Field::new(f("form.when"), FieldKind::Time, "now"));
            Form::new(
                Purpose::Patrol { zone, kind },
                lang.f("form.patrol", &[&lang.label("patrol", kind.code())]),
                fields,
            )
            .with_intro(format!(
                "{} — {}",
                zone_label(w, zone)?,
                f("form.patrol_hint")
            ))
        }
        FormRequest::Amend(event) => {
            let e = s.event(event).map_err(err)?.ok_or_else(|| f("tui.gone"))?;
            // Amend what the entry says now, including earlier corrections.
            let current = effective_body(w, &e)?;
            let name_of = |i: Id| zoneview::member_name(s, i);
            let mut fields = match &current {
                EventBody::Visit {
                    purpose,
                    note,
                    follow_up,
                    ..
                } => {
                    let purposes: Vec<(&str, String)> = crate::generator::VISIT_PURPOSES
                        .iter()
                        .map(|p| (*p, lang.label("purpose", p)))
                        .collect();
                    vec![
                        Field::choice(f("form.purpose"), choices(&purposes), purpose),
                        Field::new(f("form.note"), FieldKind::Text, note.clone()),
                        Field::new(
                            f("form.follow_up"),
                            FieldKind::Date,
                            follow_up.map(|d| d.to_string()).unwrap_or_default(),
                        ),
                    ]
                }
                EventBody::ProblemOpened {
                    category,
                    description,
                    ..
                } => {
                    let cats: Vec<(String, String)> = categories(w)
                        .into_iter()
                        .map(|c| {
                            let l = lang.label("category", &c);
                            (c, l)
                        })
                        .collect();
                    vec![
                        Field::choice(f("form.category"), cats, category),
                        Field::new(
                            f("form.description"),
                            FieldKind::Required,
                            description.clone(),
                        ),
                    ]
                }
                EventBody::ProblemStepped { note, .. } | EventBody::Patrol { note, .. } => {
                    vec![Field::new(f("form.note"), FieldKind::Text, note.clone())]
                }
                _ => return Ok(vec![Msg::Status(f("tui.cannot_amend"), true)]),
            };
            fields.push(Field::new(f("form.amend_reason"), FieldKind::Required, ""));
            Form::new(Purpose::Amend { event }, f("form.amend"), fields).with_intro(format!(
                "{} {}",
                e.at.display(),
                crate::describe::event(lang, &current, &name_of)
            ))
        }
        FormRequest::Assign(zone) => {
            let is_household = matches!(s.kind_of(zone).map_err(err)?, Some((Kind::Household, _)));
            let mut roles = vec![(Role::Responsible.code(), lang.label("role", "responsible"))];
            if is_household {
                roles.push((Role::Liaison.code(), lang.label("role", "liaison")));
            }
            Form::new(
                Purpose::Assign { zone },
                f("form.assign"),
                vec![
                    Field::new(f("form.member_who"), FieldKind::Required, ""),
                    Field::choice(f("form.role"), choices(&roles), "responsible"),
                    Field::new(f("form.since"), FieldKind::Date, "today"),
                    Field::new(f("form.until"), FieldKind::Date, ""),
                ],
            )
            .with_intro(zone_label(w, zone)?)
        }
    };
    Ok(vec![Msg::OpenForm(Box::new(form))])
}

fn resident_fields(w: &World, r: Option<&Resident>) -> Vec<Field> {
    let f = |k: &str| w.lang.t(k).to_string();
    vec![
        Field::new(
            f("form.name"),
            FieldKind::Required,
            r.map(|r| r.name.clone()).unwrap_or_default(),
        ),
        Field::new(
            f("form.phones"),
            FieldKind::Phones,
            r.map(|r| r.phones.join("; ")).unwrap_or_default(),
        ),
        Field::new(
            f("form.relation"),
            FieldKind::Text,
            r.map(|r| r.relation.clone()).unwrap_or_default(),
        ),
        Field::new(
            f("form.tags"),
            FieldKind::Text,
            r.map(|r| r.tags.join("、")).unwrap_or_default(),
        ),
        Field::new(
            f("form.notes"),
            FieldKind::Text,
            r.map(|r| r.notes.clone()).unwrap_or_default(),
        ),
    ]
}

fn member_fields(w: &World, m: Option<&Member>) -> Vec<Field> {
    let f = |k: &str| w.lang.t(k).to_string();
    let kinds: Vec<(String, String)> = MemberKind::ALL
        .iter()
        .map(|k| (k.code().to_string(), w.lang.label("member_kind", k.code())))
        .collect();
    vec![
        Field::new(
            f("form.name"),
            FieldKind::Required,
            m.map(|m| m.name.clone()).unwrap_or_default(),
        ),
        Field::new(
            f("form.phone"),
            FieldKind::Phone,
            m.map(|m| m.phone.clone()).unwrap_or_default(),
        ),
        Field::choice(
            f("form.kind"),
            kinds,
            m.map_or("party-member", |m| m.kind.code()),
        ),
        Field::new(
            f("form.tags"),
            FieldKind::Text,
            m.map(|m| m.tags.join("、")).unwrap_or_default(),
        ),
    ]
}

fn save(w: &mut World, purpose: Purpose, v: Vec<String>) -> Msg {
    match save_inner(w, &purpose, &v) {
        Ok(message) => {
            refresh_lookup(w, &purpose);
            Msg::Saved { message }
        }
        Err(e) => Msg::SaveFailed(e),
    }
}

/// Keeps the lookup index following the change just saved.
fn refresh_lookup(w: &mut World, purpose: &Purpose) {
    let store = w.store;
    let index = &mut *w.lookup;
    match purpose {
        Purpose::NewResident { household } => index.refresh_household(store, *household),
        Purpose::EditResident { id } | Purpose::Delete { id } => {
            if let Ok(Some(r)) = store.resident(*id) {
                index.refresh_household(store, r.household);
            } else if let Ok(Some(_)) = store.member(*id) {
                index.refresh_member(store, *id);
            } else {
                index.remove(*id);
            }
        }
        Purpose::NewHousehold { building } => {
            if let Ok(hs) = store.child_ids(*building) {
                for h in hs {
                    index.refresh_household(store, h);
                }
            }
        }
        Purpose::EditPlace { id } => index.refresh_place(store, *id),
        Purpose::EditMember { id } => index.refresh_member(store, *id),
        Purpose::NewMember
        | Purpose::Assign { .. }
        | Purpose::NewArea
        | Purpose::NewBuilding { .. } => index.refresh_all_covers(store),
        _ => {}
    }
}

fn save_inner(w: &World, purpose: &Purpose, v: &[String]) -> R<String> {
    let s = w.store;
    let now = Ts::now();
    let ctx = Ctx { by: w.me, now };
    let tz = crate::clock::tz();
    let get = |i: usize| v.get(i).map(String::as_str).unwrap_or("");
    let op = |e: OpError| e.to_string();
    let saved = |k: &str, what: &str| w.lang.f(k, &[what]);
    match purpose {
        Purpose::NewArea => {
            let code = if get(1).trim().is_empty() {
                crate::romanize::place_initials(get(0))
            } else {
                get(1).to_string()
            };
            let a = ops::add_area(s, ctx, get(0), &code).map_err(op)?;
            Ok(saved("tui.saved", &a.name))
        }
        Purpose::NewBuilding { area } => {
            let code = if get(1).trim().is_empty() {
                let n = get(0).trim();
                let bare = n.trim_end_matches(['栋', '楼', '幢', '号']);
                if !bare.is_empty() && bare.chars().all(|c| c.is_ascii_alphanumeric()) {
                    bare.to_string()
                } else {
                    crate::romanize::place_initials(n)
                }
            } else {
                get(1).to_string()
            };
            let b = ops::add_building(s, ctx, *area, get(0), &code).map_err(op)?;
            Ok(saved("tui.saved", &b.name))
        }
        Purpose::NewHousehold { building } => {
            let h = ops::add_household(s, ctx, *building, get(0), get(1), get(2)).map_err(op)?;
            Ok(saved("tui.saved", &h.label()))
        }
        Purpose::NewResident { household } => {
            let r = ops::add_resident(s, ctx, *household, &resident_input(v)).map_err(op)?;
            Ok(saved("tui.saved", &r.name))
        }
        Purpose::EditResident { id } => {
            let r = ops::edit_resident(s, ctx, *id, &resident_input(v)).map_err(op)?;
            Ok(saved("tui.saved", &r.name))
        }
        Purpose::EditPlace { id } => {
            let fields: Vec<(&str, &str)> = match s.kind_of(*id).map_err(err)? {
                Some((Kind::Household, _)) => {
                    vec![("unit", get(0)), ("room", get(1)), ("notes", get(2))]
                }
                _ => vec![("name", get(0)), ("code", get(1))],
            };
            ops::edit_place(s, ctx, *id, &fields).map_err(op)?;
            Ok(saved("tui.saved", &zone_label(w, *id)?))
        }
        Purpose::Delete { id } => {
            ops::tombstone(s, ctx, *id, get(0)).map_err(op)?;
            Ok(w.lang.t("tui.deleted").to_string())
        }
        Purpose::NewMember | Purpose::EditMember { .. } => {
            let kind = MemberKind::parse(get(2)).unwrap_or(MemberKind::PartyMember);
            let m = match purpose {
                Purpose::EditMember { id } => {
                    ops::edit_member(s, ctx, *id, get(0), get(1), kind, get(3))
                }
                _ => ops::add_member(s, ctx, get(0), get(1), kind, get(3)),
            }
            .map_err(op)?;
            Ok(saved("tui.saved", &m.name))
        }
        Purpose::Visit { household } => {
            let member = crate::cli::find_member(s, get(0)).map_err(|f| f.msg)?;
            let at = crate::when::instant(get(1), now, &tz)?;
            let follow_up = if get(4).trim().is_empty() {
                None
            } else {
                Some(crate::when::date(get(4), now, &tz)?)
            };
            ops::log_visit(
                s,
                ctx,
                &ops::VisitInput {
                    household: *household,
                    member: member.meta.id,
                    at,
                    purpose: get(2).to_string(),
                    note: get(3).to_string(),
                    follow_up,
                },
            )
            .map_err(op)?;
            Ok(w.lang.t("tui.visit_saved").to_string())
        }
        Purpose::Problem { zone } => {
            let reporter = get(3).parse::<Id>().ok();
            ops::open_problem(
                s,
                ctx,
                &ops::ProblemInput {
                    zone: *zone,
                    at: now,
                    category: get(0).to_string(),
                    description: get(1).to_string(),
                    reporter,
                    urgency: Urgency::parse(get(2)).unwrap_or(Urgency::Normal),
                },
            )
            .map_err(op)?;
            Ok(w.lang.t("tui.problem_saved").to_string())
        }
        Purpose::Step { problem } => {
            let step = step_of(get(0));
            ops::step_problem(s, ctx, *problem, step, get(1), now).map_err(op)?;
            Ok(w.lang.t("tui.step_saved").to_string())
        }
        Purpose::ResolveIn { .. } => {
            let problem: Id = get(0).parse()?;
            ops::step_problem(s, ctx, problem, ProblemStep::Resolved, get(1), now).map_err(op)?;
            Ok(w.lang.t("tui.step_saved").to_string())
        }
        Purpose::Patrol { zone, kind } => {
            let n = w.checklists.items(*kind).len();
            let items: Vec<CheckResult> = w
                .checklists
                .items(*kind)
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let out = get(i);
                    let (ok, note) = match out.strip_prefix("issue:") {
                        Some(note) => (false, note.to_string()),
                        None => (true, String::new()),
                    };
                    CheckResult {
                        item: item.clone(),
                        ok,
                        note,
                    }
                })
                .collect();
            let open = get(n) == "yes";
            let at = crate::when::instant(get(n + 2), now, &tz)?;
            let input = ops::PatrolInput {
                zone: *zone,
                kind: *kind,
                at,
                items,
                note: get(n + 1).to_string(),
                open_problems: open,
            };
            let (_, problems) = ops::log_patrol(s, ctx, input).map_err(op)?;
            Ok(w.lang.f("tui.patrol_saved", &[&problems.len().to_string()]))
        }
        Purpose::Assign { zone } => {
            let member = crate::cli::find_member(s, get(0)).map_err(|f| f.msg)?;
            let role = Role::parse(get(1)).unwrap_or(Role::Responsible);
            let day_start = |text: &str| -> R<Ts> {
                let d = crate::when::date(text, now, &tz)?;
                let zoned = d
                    .to_jiff()
                    .ok_or("bad date")?
                    .to_zoned(tz.clone())
                    .map_err(err)?;
                Ok(Ts(zoned.timestamp().as_millisecond()))
            };
            let since = if get(2).trim().is_empty() || get(2).trim() == "today" {
                now
            } else {
                day_start(get(2))?
            };
            let until = if get(3).trim().is_empty() {
                None
            } else {
                Some(day_start(get(3))?)
            };
            ops::assign(s, ctx, *zone, member.meta.id, role, since, until).map_err(op)?;
            Ok(w.lang.f("tui.assigned", &[&member.name]))
        }
        Purpose::Amend { event } => {
            let e = s
                .event(*event)
                .map_err(err)?
                .ok_or_else(|| w.lang.t("tui.gone").to_string())?;
            let current = effective_body(w, &e)?;
            let (replacement, reason) = match current {
                EventBody::Visit {
                    household, member, ..
                } => {
                    let follow_up = if get(2).trim().is_empty() {
                        None
                    } else {
                        Some(crate::when::date(get(2), now, &tz)?)
                    };
                    (
                        EventBody::Visit {
                            household,
                            member,
                            purpose: get(0).to_string(),
                            note: get(1).to_string(),
                            follow_up,
                        },
                        get(3),
                    )
                }
                EventBody::ProblemOpened {
                    reporter, urgency, ..
                } => (
                    EventBody::ProblemOpened {
                        category: get(0).to_string(),
                        description: get(1).to_string(),
                        reporter,
                        urgency,
                    },
                    get(2),
                ),
                EventBody::ProblemStepped { problem, step, .. } => (
                    EventBody::ProblemStepped {
                        problem,
                        step,
                        note: get(0).to_string(),
                    },
                    get(1),
                ),
                EventBody::Patrol { kind, items, .. } => (
                    EventBody::Patrol {
                        kind,
                        items,
                        note: get(0).to_string(),
                    },
                    get(1),
                ),
                _ => return Err(w.lang.t("tui.cannot_amend").to_string()),
            };
            // Amendments always point at the original entry.
            let target = match &e.body {
                EventBody::Amended { supersedes, .. } => *supersedes,
                _ => e.id,
            };
            ops::amend(s, ctx, target, replacement, reason).map_err(op)?;
            Ok(w.lang.t("tui.amend_saved").to_string())
        }
        Purpose::Import { path } => {
            let roster = crate::roster::read(std::path::Path::new(path)).map_err(err)?;
            let report = crate::roster::import(s, ctx, &roster, false, false).map_err(err)?;
            Ok(w.lang.f(
                "tui.imported",
                &[
                    &report.households_added.to_string(),
                    &report.residents_added.to_string(),
                ],
            ))
        }
    }
}

/// The filter a timeline entry belongs to (see `TIMELINE_FILTERS`).
fn kind_tag(body: &EventBody) -> &'static str {
    match body {
        EventBody::Visit { .. } => "visit",
        EventBody::ProblemOpened { .. } | EventBody::ProblemStepped { .. } => "problem",
        EventBody::Patrol { .. } => "patrol",
        EventBody::Assigned { .. } | EventBody::AssignmentEnded { .. } => "assign",
        EventBody::Edited { .. } | EventBody::Created { .. } | EventBody::Tombstoned { .. } => {
            "edited"
        }
        EventBody::Amended { replacement, .. } => kind_tag(replacement),
    }
}

/// What an entry says now: its body, or that of its latest amendment.
fn effective_body(w: &World, e: &Event) -> R<EventBody> {
    let original = match &e.body {
        EventBody::Amended { supersedes, .. } => w
            .store
            .event(*supersedes)
            .map_err(err)?
            .ok_or_else(|| w.lang.t("tui.gone").to_string())?,
        _ => e.clone(),
    };
    let mut body = original.body.clone();
    for later in w
        .store
        .timeline(original.zone, 500)
        .map_err(err)?
        .into_iter()
        .rev()
    {
        if let EventBody::Amended {
            supersedes,
            replacement,
            ..
        } = later.body
            && supersedes == original.id
        {
            body = *replacement;
        }
    }
    Ok(body)
}

fn step_of(code: &str) -> ProblemStep {
    match code {
        "progress" => ProblemStep::Progress,
        "reopened" => ProblemStep::Reopened,
        "comment" => ProblemStep::Comment,
        _ => ProblemStep::Resolved,
    }
}

fn resident_input(v: &[String]) -> ops::ResidentInput {
    let get = |i: usize| v.get(i).cloned().unwrap_or_default();
    ops::ResidentInput {
        name: get(0),
        phones: get(1),
        relation: get(2),
        tags: get(3),
        notes: get(4),
    }
}

fn import_preview(w: &World, path: &str) -> R<Vec<Msg>> {
    let roster = crate::roster::read(std::path::Path::new(path)).map_err(err)?;
    let ctx = Ctx {
        by: w.me,
        now: Ts::now(),
    };
    let report = crate::roster::import(w.store, ctx, &roster, true, false).map_err(err)?;
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

fn report_view(w: &World, kind: ReportKind) -> R<Vec<Msg>> {
    let s = w.store;
    let now = Ts::now();
    let lang = w.lang;
    let f = |k: &str| lang.t(k).to_string();
    let zone_row = |id: &str, kind: RowKind, cells: Vec<String>| -> Row {
        let id: Id = id.parse().unwrap_or_default();
        Row {
            id,
            kind,
            cells,
            phone: None,
            zone: Some(id),
        }
    };
    let days = |d: Option<i64>| {
        d.map_or_else(
            || f("show.never"),
            |d| lang.f("show.days_ago", &[&d.to_string()]),
        )
    };
    let report = match kind {
        ReportKind::Coverage => {
            let only: Option<HashSet<Id>> = match (w.me, w.my_zones) {
                (Some(me), true) => {
                    let mut set = HashSet::new();
                    for (z, _) in report::zones_of(s, me, now).map_err(err)? {
                        if let Some((_, area)) = s.ancestry(z).map_err(err)?.last() {
                            set.insert(*area);
                        }
                    }
                    Some(set)
                }
                _ => None,
            };
            let c = report::coverage(s, now, w.config.visit_days(), only.as_ref()).map_err(err)?;
            let mut rows = Vec::new();
            for z in &c.uncovered {
                rows.push(zone_row(
                    &z.id,
                    RowKind::Zone,
                    vec![
                        f("cov.uncovered"),
                        z.path.clone(),
                        lang.t(&format!("kind.{}", z.kind)).to_string(),
                        if z.households > 0 {
                            lang.f("cov.households_inside", &[&z.households.to_string()])
                        } else {
                            String::new()
                        },
                    ],
                ));
            }
            for st in &c.not_patrolled {
                rows.push(zone_row(
                    &st.id,
                    RowKind::Zone,
                    vec![
                        lang.f("cov.not_patrolled", &[&lang.label("patrol", &st.what)]),
                        st.path.clone(),
                        f("kind.building"),
                        days(st.days),
                    ],
                ));
            }
            for st in &c.not_visited {
                rows.push(zone_row(
                    &st.id,
                    RowKind::Household,
                    vec![
                        f("cov.not_visited"),
                        st.path.clone(),
                        f("kind.household"),
                        days(st.days),
                    ],
                ));
            }
            let mut summary = vec![lang.f(
                "cov.summary",
                &[
                    &c.uncovered.len().to_string(),
                    &c.households_uncovered.to_string(),
                    &c.households_visited.to_string(),
                    &c.households.to_string(),
                    &format!("{:.1}", c.visited_pct),
                    &c.days.to_string(),
                    &format!("{:.1}", c.hygiene_pct),
                    &format!("{:.1}", c.security_pct),
                ],
            )];
            for a in &c.by_area {
                summary.push(lang.f(
                    "cov.area_line",
                    &[
                        &a.name,
                        a.covered_by.as_deref().unwrap_or("—"),
                        &a.households.to_string(),
                        &format!("{:.1}", a.visited_pct),
                        &format!("{:.1}", a.hygiene_pct),
                        &format!("{:.1}", a.security_pct),
                    ],
                ));
            }
            Report {
                kind,
                title: f("view.coverage"),
                summary,
                columns: vec![f("col.gap"), f("col.zone"), f("col.kind"), f("col.last")],
                rows,
                sel: 0,
                sort: 0,
                all: vec![],
                filter: 0,
            }
        }
        ReportKind::Problems => {
            let p = report::problems(s, now, 30, None).map_err(err)?;
            let rows = p
                .open
                .iter()
                .map(|o| {
                    let id: Id = o.id.parse().unwrap_or_default();
                    Row {
                        id,
                        kind: RowKind::Problem,
                        cells: vec![
                            o.age_days.to_string(),
                            lang.label("category", &o.category),
                            o.description.clone(),
                            o.zone.clone(),
                            lang.label("urgency", &o.urgency),
                            o.last_note.clone().unwrap_or_default(),
                        ],
                        phone: None,
                        zone: o.zone_id.parse().ok(),
                    }
                })
                .collect();
            Report {
                kind,
                title: f("view.problems"),
                summary: vec![lang.f(
                    "prob.summary",
                    &[
                        &p.open.len().to_string(),
                        &p.opened_in_period.to_string(),
                        &p.resolved_in_period.to_string(),
                        &p.days.to_string(),
                    ],
                )],
                columns: vec![
                    f("col.age_days"),
                    f("col.category"),
                    f("col.description"),
                    f("col.zone"),
                    f("col.urgency"),
                    f("col.last_note"),
                ],
                rows,
                sel: 0,
                sort: 0,
                all: vec![],
                filter: 0,
            }
        }
        ReportKind::Members => {
            let list = report::members(s, now).map_err(err)?;
            let rows = list
                .iter()
                .map(|m| Row {
                    id: m.id.parse().unwrap_or_default(),
                    kind: RowKind::Member,
                    cells: vec![
                        m.name.clone(),
                        lang.label("member_kind", &m.kind),
                        m.tags.join("、"),
                        m.zones.join("; "),
                        m.liaison_households.to_string(),
                        m.households_covered.to_string(),
                        m.visits_30d.to_string(),
                        m.open_problems.to_string(),
                        m.phone.clone(),
                    ],
                    phone: Some(m.phone.clone()),
                    zone: None,
                })
                .collect();
            Report {
                kind,
                title: f("view.members"),
                summary: vec![lang.f("mem.summary", &[&list.len().to_string()])],
                columns: vec![
                    f("col.name"),
                    f("col.kind"),
                    f("col.tags"),
                    f("col.zones"),
                    f("col.liaison"),
                    f("col.households"),
                    f("col.visits_30d"),
                    f("col.open"),
                    f("col.phone"),
                ],
                rows,
                sel: 0,
                sort: 5,
                all: vec![],
                filter: 0,
            }
        }
        ReportKind::Timeline(zone) => {
            let events = s.timeline(zone, 500).map_err(err)?;
            let amended: HashSet<Id> = events
                .iter()
                .filter_map(|e| match &e.body {
                    EventBody::Amended { supersedes, .. } => Some(*supersedes),
                    _ => None,
                })
                .collect();
            let name_of = |i: Id| zoneview::member_name(s, i);
            let here = zone_label(w, zone)?;
            let all: Vec<(Row, &'static str)> = events
                .iter()
                .map(|e| {
                    let mut text = crate::describe::event(lang, &e.body, &name_of);
                    if amended.contains(&e.id) {
                        text = format!("{} {text}", f("tui.amended_mark"));
                    }
                    let path = zone_label(w, e.zone).unwrap_or_default();
                    let tag = match &e.body {
                        EventBody::Amended { replacement, .. } => kind_tag(replacement),
                        other => kind_tag(other),
                    };
                    let row = Row {
                        id: e.id,
                        kind: RowKind::Event,
                        cells: vec![
                            e.at.display(),
                            lang.t(&format!("filter.{tag}")).to_string(),
                            text,
                            path.strip_prefix(&here)
                                .unwrap_or(&path)
                                .trim_start_matches('/')
                                .to_string(),
                            e.by.map(|b| zoneview::member_name(s, b))
                                .unwrap_or_default(),
                        ],
                        phone: None,
                        zone: Some(e.zone),
                    };
                    (row, tag)
                })
                .collect();
            let mut r = Report {
                kind,
                title: lang.f("view.timeline", &[&here]),
                summary: vec![lang.f("timeline.summary", &[&all.len().to_string()])],
                columns: vec![
                    f("col.when"),
                    f("col.kind"),
                    f("col.what"),
                    f("col.where"),
                    f("col.by"),
                ],
                rows: vec![],
                sel: 0,
                sort: 0,
                all,
                filter: 0,
            };
            r.apply_filter();
            r
        }
        ReportKind::ProblemHistory(problem) => {
            let opened = s
                .event(problem)
                .map_err(err)?
                .ok_or_else(|| f("tui.gone"))?;
            let EventBody::ProblemOpened { .. } = &opened.body else {
                return Err(f("tui.gone"));
            };
            let open = s.is_problem_open(problem).map_err(err)?;
            let name_of = |i: Id| zoneview::member_name(s, i);
            let mut steps: Vec<Event> = s
                .timeline(opened.zone, usize::MAX)
                .map_err(err)?
                .into_iter()
                .filter(|e| match &e.body {
                    EventBody::ProblemStepped { problem: p, .. } => *p == problem,
                    EventBody::Amended { supersedes, .. } => *supersedes == problem,
                    _ => false,
                })
                .collect();
            steps.push(opened.clone());
            steps.sort_by_key(|e| e.id);
            let rows = steps
                .iter()
                .map(|e| Row {
                    id: e.id,
                    kind: RowKind::Event,
                    cells: vec![
                        e.at.display(),
                        crate::describe::event(lang, &e.body, &name_of),
                        e.by.map(|b| zoneview::member_name(s, b))
                            .unwrap_or_default(),
                    ],
                    phone: None,
                    zone: Some(e.zone),
                })
                .collect();
            let state = if open {
                f("problem.open")
            } else {
                f("problem.resolved")
            };
            Report {
                kind,
                title: f("view.problem"),
                summary: vec![lang.f(
                    "problem.summary",
                    &[
                        &zone_label(w, opened.zone)?,
                        &state,
                        &opened.at.days_before(now).to_string(),
                    ],
                )],
                columns: vec![f("col.when"), f("col.what"), f("col.by")],
                rows,
                sel: 0,
                sort: 0,
                all: vec![],
                filter: 0,
            }
        }
        ReportKind::MemberZones(member) => {
            let m = s
                .member(member)
                .map_err(err)?
                .ok_or_else(|| f("tui.gone"))?;
            let mut spans = s.assignments_of_member(member).map_err(err)?;
            spans.sort_by_key(|a| std::cmp::Reverse(a.since));
            let rows = spans
                .iter()
                .map(|a| Row {
                    id: a.zone,
                    kind: RowKind::Zone,
                    cells: vec![
                        zone_label(w, a.zone).unwrap_or_default(),
                        lang.label("role", a.role.code()),
                        a.since.date().to_string(),
                        match a.until {
                            Some(u) => u.date().to_string(),
                            None => f("tui.active"),
                        },
                        s.open_problem_count(a.zone).to_string(),
                    ],
                    phone: None,
                    zone: Some(a.zone),
                })
                .collect();
            Report {
                kind,
                title: lang.f("view.member_zones", &[&m.name]),
                summary: vec![format!(
                    "{} · {} · {} {}",
                    m.name,
                    lang.label("member_kind", m.kind.code()),
                    m.phone,
                    m.tags.join("、")
                )],
                columns: vec![
                    f("col.zone"),
                    f("col.role"),
                    f("col.since"),
                    f("col.until"),
                    f("col.open"),
                ],
                rows,
                sel: 0,
                sort: 0,
                all: vec![],
                filter: 0,
            }
        }
        ReportKind::Today => {
            let td = report::today(s, now, w.me, w.config.visit_days(), w.config.patrol_days())
                .map_err(err)?;
            let mut rows = Vec::new();
            for fu in &td.follow_ups {
                rows.push(zone_row(
                    &fu.household_id,
                    RowKind::Household,
                    vec![
                        f("today.follow_up"),
                        fu.household.clone(),
                        if fu.overdue_days > 0 {
                            lang.f("today.overdue", &[&fu.overdue_days.to_string()])
                        } else {
                            f("today.due")
                        },
                        fu.visit_note.clone(),
                    ],
                ));
            }
            for o in &td.open_problems {
                rows.push(Row {
                    id: o.id.parse().unwrap_or_default(),
                    kind: RowKind::Problem,
                    cells: vec![
                        format!(
                            "{} [{}]",
                            f("today.problem"),
                            lang.label("category", &o.category)
                        ),
                        o.zone.clone(),
                        lang.f("show.days_ago", &[&o.age_days.to_string()]),
                        o.description.clone(),
                    ],
                    phone: None,
                    zone: o.zone_id.parse().ok(),
                });
            }
            for st in &td.patrols_due {
                rows.push(zone_row(
                    &st.id,
                    RowKind::Building,
                    vec![
                        lang.f("today.patrol", &[&lang.label("patrol", &st.what)]),
                        st.path.clone(),
                        days(st.days),
                        String::new(),
                    ],
                ));
            }
            for st in &td.not_visited {
                rows.push(zone_row(
                    &st.id,
                    RowKind::Household,
                    vec![
                        f("today.visit"),
                        st.path.clone(),
                        days(st.days),
                        String::new(),
                    ],
                ));
            }
            let who = match w.me {
                Some(me) => zoneview::member_name(s, me),
                None => f("today.everyone"),
            };
            Report {
                kind,
                title: f("view.today"),
                summary: vec![lang.f(
                    "today.summary",
                    &[
                        &who,
                        &td.follow_ups.len().to_string(),
                        &td.open_problems.len().to_string(),
                        &td.patrols_due.len().to_string(),
                        &td.not_visited.len().to_string(),
                    ],
                )],
                columns: vec![f("col.what"), f("col.zone"), f("col.when"), f("col.note")],
                rows,
                sel: 0,
                sort: 0,
                all: vec![],
                filter: 0,
            }
        }
    };
    Ok(vec![Msg::Report(report)])
}
