//! The browser: areas → buildings → households → one household's residents,
//! with a side pane on the zone in focus. Its loading (one level's children
//! at a time, so a key never waits on more than it shows), its drawing and
//! its key hints. Care households and residents carry a badge (♥ and the
//! group's short label); `c` narrows buildings and households to care
//! households, and the side pane lists a household's groups in full.

use gridbook_core::address::{self, Zone};
use gridbook_core::care;
use gridbook_core::cover;
use gridbook_core::relocate;
use gridbook_core::zoneview::{self, ZoneView};
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::*;
use gridbook_domain::vocab::Vocabulary;
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::charts::PaneChart;
use crate::tui::command::Cmd;
use crate::tui::render::{ACCENT, DIM, table};
use crate::tui::state::*;
use crate::tui::update::Msg;
use crate::tui::world::*;

/// The hint line's commands on each level.
pub fn hints(level: Level) -> &'static [Cmd] {
    match level {
        Level::Household(_) => &[
            Cmd::Back,
            Cmd::NextPane,
            Cmd::LogVisit,
            Cmd::ReportProblem,
            Cmd::CopyPhone,
            Cmd::New,
            Cmd::Edit,
            Cmd::Lookup,
            Cmd::Help,
        ],
        Level::Areas | Level::Buildings(_) | Level::Households(_) => &[
            Cmd::Open,
            Cmd::Back,
            Cmd::NextPane,
            Cmd::Lookup,
            Cmd::Command,
            Cmd::New,
            Cmd::Assign,
            Cmd::CareOnly,
            Cmd::Help,
            Cmd::Quit,
        ],
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
    let today = now.date();
    let groups = &w.lists.care;
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
                        s.open_problem_count(a.meta.id).map_err(err)?.to_string(),
                    ],
                    phone: None,
                    whose: None,
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
            let area = s.area(area_id).map_err(err)?.ok_or(UiError::Gone)?;
            let mut rows = Vec::new();
            for b in s.buildings_of(area_id).map_err(err)? {
                if !visible(b.meta.id, &[area_id]) {
                    continue;
                }
                // Live households only: deleted ones stay in the index for history.
                let households = s.households_of(b.meta.id).map_err(err)?;
                // Care only: the building's care households beside all of
                // them, as the list it opens on counts them.
                let counted = if w.care_only {
                    let mut care = 0;
                    for h in &households {
                        let residents = s.residents_of(h.meta.id).map_err(err)?;
                        if badge(w.lang, groups, &residents, today).is_some() {
                            care += 1;
                        }
                    }
                    if care == 0 {
                        continue;
                    }
                    format!("{care} / {}", households.len())
                } else {
                    households.len().to_string()
                };
                rows.push(Row {
                    id: b.meta.id,
                    kind: RowKind::Building,
                    cells: vec![
                        b.name.clone(),
                        counted,
                        cover_name(w, b.meta.id, now)?,
                        s.open_problem_count(b.meta.id).map_err(err)?.to_string(),
                        // A read per household: counted on the worker
                        // (`not_visited`), which the list asks for next.
                        pending(w.lang).to_string(),
                    ],
                    phone: None,
                    whose: None,
                    zone: Some(b.meta.id),
                });
            }
            (
                vec![area.name],
                vec![
                    t(w, "col.building"),
                    t(
                        w,
                        if w.care_only {
                            "caretui.col.care_of_households"
                        } else {
                            "col.households"
                        },
                    ),
                    t(w, "col.covered_by"),
                    t(w, "col.open"),
                    w.lang.f("col.not_visited", &[&visit_days.to_string()]),
                ],
                rows,
            )
        }
        Level::Households(building_id) => {
            let b = s.building(building_id).map_err(err)?.ok_or(UiError::Gone)?;
            let area = s.area(b.area).map_err(err)?.ok_or(UiError::Gone)?;
            let mut rows = Vec::new();
            for h in s.households_of(building_id).map_err(err)? {
                if !visible(h.meta.id, &[building_id, b.area]) {
                    continue;
                }
                let residents = s.residents_of(h.meta.id).map_err(err)?;
                let care_badge = badge(w.lang, groups, &residents, today);
                if w.care_only && care_badge.is_none() {
                    continue;
                }
                let call = gridbook_domain::contact::of(&residents).map(|c| {
                    let (phone, whose) = c.phone.map_or((None, &c.head.name), |(r, p)| {
                        (Some(p.to_string()), &r.name)
                    });
                    (c.head.name.clone(), phone, whose.clone())
                });
                let (head, phone, whose) = match call {
                    // Whoever answers for a phoneless head is named beside them.
                    Some((h, p @ Some(_), w)) if w != h => (format!("{h} → {w}"), p, Some(w)),
                    Some((h, p, w)) => (h, p, Some(w)),
                    None => (String::new(), None, None),
                };
                let liaison = cover::liaisons(s, h.meta.id, now)
                    .map_err(err)?
                    .into_iter()
                    .map(|(m, _)| m.name)
                    .next();
                let looks_after = match liaison {
                    Some(l) => l,
                    None => cover_name(w, h.meta.id, now)?,
                };
                let last = relocate::last_visit(s, h.meta.id)
                    .map_err(err)?
                    .map(|(t, _)| t);
                rows.push(Row {
                    id: h.meta.id,
                    kind: RowKind::Household,
                    cells: vec![
                        h.label(),
                        care_badge.unwrap_or_default(),
                        head,
                        phone.clone().unwrap_or_default(),
                        residents.len().to_string(),
                        looks_after,
                        days_text(w, last, now),
                        s.open_problem_count(h.meta.id).map_err(err)?.to_string(),
                    ],
                    phone,
                    whose,
                    zone: Some(h.meta.id),
                });
            }
            (
                vec![area.name, b.name],
                vec![
                    t(w, "col.room"),
                    t(w, "caretui.col.care"),
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
                return Err(UiError::Gone);
            };
            let rows = s
                .residents_of(hid)
                .map_err(err)?
                .into_iter()
                .map(|r| Row {
                    id: r.meta.id,
                    kind: RowKind::Resident,
                    phone: r.phones.first().cloned(),
                    whose: Some(r.name.clone()),
                    cells: vec![
                        r.name.clone(),
                        r.relation.clone(),
                        badge(w.lang, groups, std::slice::from_ref(&r), today).unwrap_or_default(),
                        r.phones.join(", "),
                        r.tags.join("、"),
                        one_line(&r.notes),
                    ],
                    zone: Some(hid),
                })
                .collect();
            (
                vec![a.name, b.name, h.label()],
                vec![
                    t(w, "show.name"),
                    t(w, "show.relation"),
                    t(w, "caretui.col.care"),
                    t(w, "show.phones"),
                    t(w, "show.tags"),
                    t(w, "contacts.col_notes"),
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

/// The column of an area's buildings list that counts households not
/// visited lately.
pub const NOT_VISITED: usize = 4;

/// What a cell shows until the worker has counted it.
pub fn pending(lang: Lang) -> &'static str {
    lang.t("keys.pending")
}

/// Whether `b` is an area's buildings list with a "not visited" count not
/// yet filled in: the job that counts them, if so.
pub fn not_visited_job(b: &Browse, lang: Lang) -> Option<crate::tui::jobs::Job> {
    let Level::Buildings(area) = b.level else {
        return None;
    };
    let buildings: Vec<Id> = b
        .rows
        .iter()
        .filter(|r| r.cells.get(NOT_VISITED).map(String::as_str) == Some(pending(lang)))
        .map(|r| r.id)
        .collect();
    (!buildings.is_empty()).then_some(crate::tui::jobs::Job::NotVisited { area, buildings })
}

/// Each building's live households whose last visit is older than the
/// configured days (or never): the buildings list's last column, read on
/// the worker as it costs a read per household of the area.
pub fn not_visited(w: &World, area: Id, buildings: &[Id]) -> R<Vec<Msg>> {
    let s = w.store;
    let since = Ts::now().minus_days(w.config.visit_days());
    let mut counts = Vec::with_capacity(buildings.len());
    for &b in buildings {
        let mut stale = 0;
        for h in s.households_of(b).map_err(err)? {
            let last = relocate::last_visit(s, h.meta.id)
                .map_err(err)?
                .map(|(t, _)| t);
            if last.is_none_or(|t| t < since) {
                stale += 1;
            }
        }
        counts.push((b, stale));
    }
    Ok(vec![Msg::NotVisited(area, counts)])
}

/// Puts counts from [`not_visited`] into `b` and the lists it holds for
/// `back`, wherever that area's buildings are listed.
pub fn fill_not_visited(b: &mut Browse, area: Id, counts: &[(Id, usize)]) {
    let fill = |rows: &mut Vec<Row>| {
        for r in rows.iter_mut() {
            if let Some((_, n)) = counts.iter().find(|(id, _)| *id == r.id)
                && let Some(cell) = r.cells.get_mut(NOT_VISITED)
            {
                *cell = n.to_string();
            }
        }
    };
    if b.level == Level::Buildings(area) {
        fill(&mut b.rows);
    }
    for h in b
        .held
        .iter_mut()
        .filter(|h| h.level == Level::Buildings(area))
    {
        fill(&mut h.rows);
    }
}

/// Open problems the side pane lists; it says how many more there are.
const PANE_PROBLEMS: usize = 3;

/// The side pane's detail of a zone, built on the key that selects it: it
/// reads what the pane shows (the oldest few open problems, the latest
/// entries) and counts the rest, so an area of thousands of households
/// costs about what a household does.
pub fn detail(w: &World, id: Id) -> R<Vec<Msg>> {
    let Some(zone) = address::zone_of(w.store, id).map_err(err)? else {
        return Ok(vec![]);
    };
    let now = Ts::now();
    let mut view =
        zoneview::build_brief(w.store, &zone, now, w.lang, 8, PANE_PROBLEMS, &w.lists.care)
            .map_err(err)?;
    if let Zone::Household(..) = zone {
        view.care = care::of_household(w.store, &w.lists.care, id, now, w.lang).map_err(err)?;
    }
    Ok(vec![Msg::Detail(id, Box::new(view))])
}

/// The side pane's chart (visits per week to the zone's households): a
/// scan of twelve weeks of its timeline, so a job of its own that a key
/// never waits on.
pub fn chart(w: &World, id: Id) -> R<Vec<Msg>> {
    let chart = crate::tui::charts::zone(w.store, id, Ts::now()).map_err(err)?;
    Ok(vec![Msg::Chart(id, chart)])
}

/// The care badge of residents (one, or a household's): ♥ and the short
/// label of the group with the shortest cadence, then `+N` for more groups;
/// `None` when nobody present is in a group.
pub fn badge(
    lang: Lang,
    groups: &Vocabulary,
    residents: &[Resident],
    today: Date,
) -> Option<String> {
    let mut codes: Vec<String> = Vec::new();
    for r in residents
        .iter()
        .filter(|r| r.meta.is_live() && r.status == ResidentStatus::Present)
    {
        for (g, _) in care::groups_of(r, today) {
            if !codes.contains(&g) {
                codes.push(g);
            }
        }
    }
    let cadence = |c: &str| {
        groups
            .get(c)
            .and_then(|t| t.cadence_days)
            .unwrap_or(u32::MAX)
    };
    let first = codes.iter().min_by_key(|c| cadence(c))?;
    let more = match codes.len() {
        1 => String::new(),
        n => format!(" +{}", n - 1),
    };
    Some(format!("♥ {}{more}", short_label(lang, groups, first)))
}

/// A group's short label for badges (`独居`, `alone`); the full label for a
/// group the catalogs do not know (one added in `care.toml`).
fn short_label<'a>(lang: Lang, groups: &'a Vocabulary, code: &'a str) -> &'a str {
    let key = format!("caretui.short.{code}");
    match lang.t(&key) {
        s if s == key => groups.label(code, lang),
        s => s,
    }
}

/// Loads the browser at a zone, with `back` leading up through its parents.
pub fn goto(w: &World, z: &Zone) -> R<Vec<Msg>> {
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
fn split_body(area: Rect) -> (Rect, Rect) {
    let dir = if area.width >= 100 {
        Direction::Horizontal
    } else {
        Direction::Vertical
    };
    let [a, b] = Layout::default()
        .direction(dir)
        .constraints(if dir == Direction::Horizontal {
            [Constraint::Percentage(62), Constraint::Percentage(38)]
        } else {
            [Constraint::Percentage(55), Constraint::Percentage(45)]
        })
        .areas(area);
    (a, b)
}

/// What an empty list of the browser says: that nothing matches when it
/// shows only my zones or only care households, else what the place has
/// none of.
fn empty(state: &State, level: Level) -> String {
    let mine = state.my_zones_only && state.me.is_some();
    let (filtered, none) = match level {
        Level::Areas => (mine, "tui.no_areas"),
        Level::Buildings(_) => (mine || state.care_only, "tui.no_buildings"),
        Level::Households(_) => (mine || state.care_only, "tui.no_households"),
        Level::Household(_) => (false, "tui.no_residents"),
    };
    crate::tui::render::empty_text(state.lang, filtered, none)
}

pub fn render(state: &State, b: &Browse, frame: &mut Frame, area: Rect) {
    let lang = state.lang;
    let (list, side) = split_body(area);
    let title = match b.level {
        Level::Areas => lang.t("view.areas").to_string(),
        Level::Buildings(_) => lang.f("view.buildings_of", &[b.crumbs.last().map_or("", |s| s)]),
        Level::Households(_) => lang.f("view.households_of", &[b.crumbs.last().map_or("", |s| s)]),
        Level::Household(_) => lang.f("view.residents_of", &[&b.crumbs.join(" › ")]),
    };
    let mut title = lang.f("wording.aside", &[&title, &b.rows.len().to_string()]);
    if state.care_only {
        title.push_str(&format!(" · {}", lang.t("caretui.care_only_title")));
    }
    let empty = empty(state, b.level);
    match b.level {
        Level::Households(_) => {
            let (columns, rows) = households_fitted(b, list.width as usize);
            let rows = crate::tui::render::with_marks(&rows, &b.marked);
            table(frame, list, &title, &columns, &rows, b.sel, true, &empty);
        }
        _ => {
            let rows = crate::tui::render::with_marks(&b.rows, &b.marked);
            table(frame, list, &title, &b.columns, &rows, b.sel, true, &empty)
        }
    }
    // Only the detail of the zone in focus; until it is there (the saved
    // first screen before the store opens) the pane says it is coming.
    let focus = crate::tui::update::detail_target(b).map(|id| id.to_string());
    let detail = b
        .detail
        .as_deref()
        .filter(|d| Some(&d.id) == focus.as_ref());
    // The chart of the zone the pane shows, or "…" while it is computed:
    // never the chart of the zone selected before.
    let chart = detail.map(|d| match &b.chart {
        Some((id, c)) if d.id == id.to_string() => PaneChart::Ready(c),
        _ => PaneChart::Waiting,
    });
    let side = crate::tui::charts::pane(frame, side, state.lang, chart);
    detail_pane(
        state,
        detail,
        focus.is_some(),
        matches!(b.level, Level::Household(_)),
        frame,
        side,
    );
}

/// The households table as drawn: the care badge (column 1) joins the room,
/// with the group's short label when the table has room for it, else the
/// glyph alone, so the columns after it keep their width.
fn households_fitted(b: &Browse, width: usize) -> (Vec<String>, Vec<Row>) {
    let merge = |full: bool| -> Vec<Row> {
        b.rows
            .iter()
            .map(|r| {
                let mut r = r.clone();
                if r.cells.len() > 1 {
                    let badge = r.cells.remove(1);
                    if !badge.is_empty() {
                        let shown = if full { badge.as_str() } else { "♥" };
                        r.cells[0] = format!("{} {shown}", r.cells[0]);
                    }
                }
                r
            })
            .collect()
    };
    let mut columns = b.columns.clone();
    if columns.len() > 1 {
        columns.remove(1);
    }
    let rows = merge(true);
    // Borders take two columns, gaps two between columns.
    let natural: usize = (0..columns.len())
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.cells.get(i))
                .map(|c| gridbook_domain::text::width(c))
                .chain(std::iter::once(gridbook_domain::text::width(&columns[i])))
                .max()
                .unwrap_or(0)
        })
        .sum::<usize>()
        + 2 * columns.len().saturating_sub(1)
        + 2;
    if natural <= width {
        (columns, rows)
    } else {
        (columns, merge(false))
    }
}

fn detail_pane(
    state: &State,
    view: Option<&ZoneView>,
    awaited: bool,
    inside: bool,
    frame: &mut Frame,
    area: Rect,
) {
    let lang = state.lang;
    let block = Block::default().borders(Borders::ALL).border_style(DIM);
    let Some(v) = view else {
        let text = if awaited {
            Line::styled(lang.t("frames.pane_loading"), DIM)
        } else {
            Line::default()
        };
        frame.render_widget(Clear, area);
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    };
    let block = block.title(format!(
        " {} ",
        v.path.rsplit('/').next().unwrap_or(&v.path)
    ));
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut lines: Vec<Line> = Vec::new();
    lines.push(Line::from(vec![
        Span::styled(v.path.replace('/', " › "), bold),
        Span::styled(lang.f("lead.after_name", &[&v.short]), DIM),
    ]));
    match &v.covered_by {
        Some(c) => {
            let how = if c.direct {
                lang.t("show.direct").to_string()
            } else {
                lang.f("show.inherited_from", &[&c.via])
            };
            lines.push(Line::from(vec![
                Span::raw(lang.f("wording.labelled", &[lang.t("show.covered_by"), ""])),
                Span::styled(format!("{} {}", c.name, c.phone), Style::new().fg(ACCENT)),
            ]));
            lines.push(Line::styled(
                format!(
                    "  {}",
                    lang.f("wording.and", &[&how, &lang.f("show.since", &[&c.since])])
                ),
                DIM,
            ));
        }
        None => lines.push(Line::styled(
            lang.f(
                "wording.labelled",
                &[lang.t("show.covered_by"), lang.t("show.nobody")],
            ),
            Style::new().fg(Color::Red),
        )),
    }
    for l in &v.liaisons {
        lines.push(Line::from(lang.f(
            "wording.labelled",
            &[lang.t("show.liaison"), &format!("{} {}", l.name, l.phone)],
        )));
    }
    if v.kind == "household" {
        let lv = match &v.last_visit {
            Some(lv) => lang.f(
                "wording.aside",
                &[
                    &format!("{} {}", lv.at, lv.by),
                    &gridbook_domain::when::days_ago(lang, lv.days_ago),
                ],
            ),
            None => lang.t("show.never").to_string(),
        };
        lines.push(Line::from(
            lang.f("wording.labelled", &[lang.t("show.last_visit"), &lv]),
        ));
        if let Some(c) = &v.care {
            care_lines(lang, c, &mut lines);
        }
        if !v.heads.is_empty() {
            lines.push(Line::styled(
                format!("⚠ {}", zoneview::heads_line(lang, &v.heads)),
                Style::new().fg(Color::Yellow),
            ));
        }
        if !inside {
            for r in &v.residents {
                let mut spans = vec![Span::raw(format!(
                    "  {} {} {}",
                    r.name,
                    r.relation,
                    r.phones.join(lang.t("wording.list"))
                ))];
                // Tags and notes (独居老人, 行动不便) are why one calls ahead.
                let extra = [r.tags.join("、"), one_line(&r.notes)]
                    .into_iter()
                    .filter(|x| !x.is_empty())
                    .collect::<Vec<_>>()
                    .join(" · ");
                if !extra.is_empty() {
                    spans.push(Span::styled(
                        format!(" {extra}"),
                        Style::new().fg(Color::Yellow),
                    ));
                }
                lines.push(Line::from(spans));
            }
        }
    } else {
        lines.push(Line::from(lang.f(
            "wording.labelled",
            &[
                lang.t(if v.kind == "area" {
                    "show.buildings"
                } else {
                    "show.households"
                }),
                &v.children.len().to_string(),
            ],
        )));
    }
    let style = if v.open_problem_count == 0 {
        DIM
    } else {
        Style::new().fg(Color::Yellow)
    };
    lines.push(Line::styled(
        lang.f(
            "wording.labelled",
            &[
                lang.t("show.open_problems"),
                &v.open_problem_count.to_string(),
            ],
        ),
        style,
    ));
    for p in v.open_problems.iter().take(PANE_PROBLEMS) {
        lines.push(Line::styled(
            format!(
                "  [{}] {} {}",
                p.category,
                p.description,
                // The age moves to the next line whole, dot and all.
                crate::tui::wrap::glued(&format!(
                    "· {}",
                    gridbook_domain::when::days_ago(lang, p.age_days)
                ))
            ),
            style,
        ));
    }
    let listed = v.open_problems.len().min(PANE_PROBLEMS);
    if v.open_problem_count > listed {
        let more = (v.open_problem_count - listed).to_string();
        lines.push(Line::styled(
            format!("  {}", lang.f("entry.more", &[&more])),
            style,
        ));
    }
    if !v.recent.is_empty() {
        lines.push(Line::styled(
            lang.f("wording.label", &[lang.t("show.recent")]),
            bold,
        ));
        for e in &v.recent {
            lines.push(Line::from(vec![
                Span::styled(format!("{} ", &e.at[..e.at.len().min(10)]), DIM),
                Span::raw(e.text.clone()),
            ]));
        }
    }
    let width = (area.width as usize).saturating_sub(2);
    let lines = crate::tui::wrap::fit(
        crate::tui::wrap::lines(lines, width),
        (area.height as usize).saturating_sub(2),
        width,
    );
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// A household's care in the side pane: whether the care visit is overdue
/// on the first line (the pane may be short), then each resident's groups in
/// full with their cadence.
fn care_lines(lang: Lang, c: &care::HouseholdCare, lines: &mut Vec<Line>) {
    let (text, style) = match c.days_overdue {
        d if d > 0 => (
            lang.f("caretui.side.overdue", &[&d.to_string(), &c.due]),
            Style::new().fg(Color::Red),
        ),
        0 => (
            lang.t("caretui.side.due_today").to_string(),
            Style::new().fg(Color::Yellow),
        ),
        d => (
            lang.f("caretui.side.due_in", &[&(-d).to_string(), &c.due]),
            Style::new().fg(Color::Magenta),
        ),
    };
    lines.push(Line::styled(
        format!("♥ {} · {text}", lang.t("caretui.side.care")),
        style,
    ));
    for m in &c.members {
        let every = m
            .cadence_days
            .map(|d| lang.f("caretui.side.every", &[&d.to_string()]))
            .unwrap_or_default();
        lines.push(Line::from(format!(
            "  {} · {} {every}",
            m.label, m.resident
        )));
    }
}

/// Notes may hold line breaks; a table row shows them on one line.
fn one_line(notes: &str) -> String {
    notes.split_whitespace().collect::<Vec<_>>().join(" ")
}
