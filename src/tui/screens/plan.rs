//! The building plan (楼盘表): one row per floor, top floor first, columns
//! grouped by unit, one cell per door with its room and state glyphs; the
//! side pane shows the household under the cursor. Loaded on the job
//! runner; the cursor moves door to door in `update`, and `render` only
//! reads. A building wider than the screen scrolls by unit.

use gridbook_core::plan::{self, Flag};
use gridbook_core::relocate;
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::*;
use gridbook_domain::text::{pad, pad_left, truncate, width};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::command::Cmd;
use crate::tui::render::{ACCENT, DIM, window};
use crate::tui::state::State;
use crate::tui::update::Msg;
use crate::tui::world::*;

pub const HINTS: &[Cmd] = &[
    Cmd::Left,
    Cmd::Down,
    Cmd::Open,
    Cmd::LogVisit,
    Cmd::ReportProblem,
    Cmd::CopyPhone,
    Cmd::Back,
    Cmd::Help,
];

/// What the status line says while the plan loads.
pub const LOADING: &str = "job.plan";

/// One door with what the side pane shows of its household.
#[derive(Clone, Debug, PartialEq)]
pub struct DoorInfo {
    pub door: plan::Door,
    /// The room without its unit (`501` in unit 2's column).
    pub short: String,
    /// `2026-11-20 (8 days ago)`, or never.
    pub last_visit: String,
    /// Care groups of its residents, labelled in the UI's language.
    pub care: Vec<String>,
    /// Open problems: `[category] description`.
    pub problems: Vec<String>,
}

/// A unit's columns.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitCol {
    pub name: String,
    /// Door columns in this unit.
    pub slots: usize,
}

/// One floor of the grid: per unit, per slot, the door there (an index
/// into `doors`).
#[derive(Clone, Debug, PartialEq)]
pub struct GridRow {
    pub floor: Option<i32>,
    pub cells: Vec<Vec<Option<usize>>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PlanView {
    pub building: Id,
    pub path: String,
    pub summary: plan::Summary,
    pub days: i64,
    pub units: Vec<UnitCol>,
    pub rows: Vec<GridRow>,
    pub doors: Vec<DoorInfo>,
    /// The cell room text is this wide; glyphs follow in `glyphs` columns.
    pub room_w: usize,
    pub glyphs: usize,
    /// The cursor: a row and a column counted over all units.
    pub row: usize,
    pub col: usize,
}

pub fn load(w: &World, building: Id) -> R<Vec<Msg>> {
    let s = w.store;
    let now = Ts::now();
    let b = s.building(building).map_err(err)?.ok_or(UiError::Gone)?;
    let p = plan::build(s, &b, now, w.config.visit_days(), &w.lists.care).map_err(err)?;
    Ok(vec![Msg::Plan(Box::new(view(w, p, now)?))])
}

fn view(w: &World, p: plan::Plan, now: Ts) -> R<PlanView> {
    let today = now.date();
    let mut doors: Vec<DoorInfo> = Vec::new();
    // Door numbers seen per unit on numbered floors give the slots.
    let mut numbers: Vec<Vec<u32>> = vec![Vec::new(); p.units.len()];
    let unit_of = |u: &str| p.units.iter().position(|x| x == u).unwrap_or(0);
    for f in &p.floors {
        for d in &f.households {
            if f.floor.is_some() && d.door > 0 {
                let n = &mut numbers[unit_of(&d.unit)];
                if !n.contains(&d.door) {
                    n.push(d.door);
                }
            }
        }
    }
    for n in &mut numbers {
        n.sort_unstable();
    }
    let mut rows = Vec::new();
    for f in &p.floors {
        let mut cells: Vec<Vec<Option<usize>>> =
            numbers.iter().map(|n| vec![None; n.len()]).collect();
        for d in &f.households {
            let u = unit_of(&d.unit);
            let idx = doors.len();
            doors.push(door_info(w, d, today, now)?);
            let slot = f
                .floor
                .and_then(|_| numbers[u].iter().position(|n| *n == d.door))
                .filter(|i| cells[u][*i].is_none());
            match slot {
                Some(i) => cells[u][i] = Some(idx),
                None => match cells[u].iter().position(Option::is_none) {
                    // The "other" row and doors sharing a number fill free
                    // slots, then add their own.
                    Some(i) if f.floor.is_none() => cells[u][i] = Some(idx),
                    _ => cells[u].push(Some(idx)),
                },
            }
        }
        rows.push(GridRow {
            floor: f.floor,
            cells,
        });
    }
    let mut units: Vec<UnitCol> = p
        .units
        .iter()
        .map(|u| UnitCol {
            name: u.clone(),
            slots: 0,
        })
        .collect();
    for r in &rows {
        for (u, c) in r.cells.iter().enumerate() {
            units[u].slots = units[u].slots.max(c.len());
        }
    }
    for r in &mut rows {
        for (u, c) in r.cells.iter_mut().enumerate() {
            c.resize(units[u].slots, None);
        }
    }
    let room_w = doors.iter().map(|d| width(&d.short)).max().unwrap_or(1);
    let glyphs = doors.iter().map(|d| d.door.flags.len()).max().unwrap_or(1);
    let mut v = PlanView {
        building: p.building_id,
        path: p.building,
        summary: p.summary,
        days: p.days,
        units,
        rows,
        doors,
        room_w,
        glyphs,
        row: 0,
        col: 0,
    };
    // Start on the first door of the top floor.
    if let Some((r, c)) = first_door(&v) {
        v.row = r;
        v.col = c;
    }
    Ok(v)
}

fn door_info(w: &World, d: &plan::Door, today: Date, now: Ts) -> R<DoorInfo> {
    let s = w.store;
    let lang = w.lang;
    let last_visit = match relocate::last_visit(s, d.id).map_err(err)? {
        Some((at, _)) => lang.f(
            "wording.aside",
            &[
                &at.date().to_string(),
                &gridbook_domain::when::days_ago(lang, at.days_before(now)),
            ],
        ),
        None => lang.t("show.never").to_string(),
    };
    let mut care: Vec<String> = Vec::new();
    for r in s.residents_of(d.id).map_err(err)? {
        if !r.meta.is_live() || r.status != ResidentStatus::Present {
            continue;
        }
        for (g, _) in gridbook_core::care::groups_of(&r, today) {
            let label = w.lists.care.label(&g, lang).to_string();
            if !care.contains(&label) {
                care.push(label);
            }
        }
    }
    let problems = gridbook_core::zoneview::open_problems_in(s, d.id, now, lang)
        .map_err(err)?
        .into_iter()
        .map(|p| format!("[{}] {}", p.category, p.description))
        .collect();
    let prefix = format!("{}-", d.unit);
    let short = if d.unit.is_empty() {
        d.room.clone()
    } else {
        d.room.strip_prefix(&prefix).unwrap_or(&d.room).to_string()
    };
    Ok(DoorInfo {
        door: d.clone(),
        short,
        last_visit,
        care,
        problems,
    })
}

impl PlanView {
    /// Door columns over all units.
    pub fn width(&self) -> usize {
        self.units.iter().map(|u| u.slots).sum()
    }

    /// The door at a row and an overall column.
    pub fn at(&self, row: usize, col: usize) -> Option<usize> {
        let r = self.rows.get(row)?;
        let (u, slot) = self.unit_slot(col)?;
        r.cells.get(u)?.get(slot).copied().flatten()
    }

    /// The unit and the slot inside it of an overall column.
    pub fn unit_slot(&self, mut col: usize) -> Option<(usize, usize)> {
        for (u, unit) in self.units.iter().enumerate() {
            if col < unit.slots {
                return Some((u, col));
            }
            col -= unit.slots;
        }
        None
    }

    /// The door under the cursor.
    pub fn current(&self) -> Option<&DoorInfo> {
        self.at(self.row, self.col).and_then(|i| self.doors.get(i))
    }

    /// Puts the cursor on a door by its household id, if it is here.
    pub fn select(&mut self, id: Id) {
        for row in 0..self.rows.len() {
            for col in 0..self.width() {
                if self
                    .at(row, col)
                    .is_some_and(|i| self.doors[i].door.id == id)
                {
                    self.row = row;
                    self.col = col;
                    return;
                }
            }
        }
    }

    /// Moves door to door: along the floor (across units), or to the
    /// nearest door on the floor above or below.
    pub fn step(&mut self, cmd: Cmd, page: usize) {
        let width = self.width();
        if width == 0 || self.rows.is_empty() {
            return;
        }
        match cmd {
            Cmd::Left => {
                if let Some(c) = (0..self.col)
                    .rev()
                    .find(|c| self.at(self.row, *c).is_some())
                {
                    self.col = c;
                }
            }
            Cmd::Right => {
                if let Some(c) = (self.col + 1..width).find(|c| self.at(self.row, *c).is_some()) {
                    self.col = c;
                }
            }
            Cmd::Up | Cmd::Down | Cmd::PageUp | Cmd::PageDown | Cmd::Top | Cmd::Bottom => {
                let last = self.rows.len() - 1;
                let target = match cmd {
                    Cmd::Up => self.row.saturating_sub(1),
                    Cmd::Down => (self.row + 1).min(last),
                    Cmd::PageUp => self.row.saturating_sub(page),
                    Cmd::PageDown => (self.row + page).min(last),
                    Cmd::Top => 0,
                    _ => last,
                };
                // Rows are never empty of doors, but be safe: look further.
                let down = target >= self.row;
                let mut r = target;
                loop {
                    if let Some(c) = self.nearest(r, self.col) {
                        self.row = r;
                        self.col = c;
                        return;
                    }
                    if down && r < last {
                        r += 1;
                    } else if !down && r > 0 {
                        r -= 1;
                    } else {
                        return;
                    }
                }
            }
            _ => {}
        }
    }

    /// The door column on `row` nearest to `col` (left first on a tie).
    fn nearest(&self, row: usize, col: usize) -> Option<usize> {
        (0..self.width())
            .filter(|c| self.at(row, *c).is_some())
            .min_by_key(|c| (c.abs_diff(col), *c > col))
    }

    /// A cell's width on screen: room, glyphs, a space after.
    fn cell_w(&self) -> usize {
        self.room_w + self.glyphs + 1
    }
}

fn first_door(v: &PlanView) -> Option<(usize, usize)> {
    (0..v.rows.len()).find_map(|r| v.nearest(r, 0).map(|c| (r, c)))
}

/// Colour of a glyph.
fn flag_style(f: Flag) -> Style {
    match f {
        Flag::Visited => Style::new().fg(Color::Green),
        Flag::NotVisited => DIM,
        Flag::CareDue => Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
        Flag::OpenProblem => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        Flag::Vacant => DIM,
        Flag::Rented => Style::new().fg(Color::Blue),
        Flag::Commercial => Style::new().fg(Color::Cyan),
    }
}

/// The legend: each glyph with its meaning, in the UI's language, on as
/// many lines of `w` columns as it needs.
pub fn legend_lines(lang: Lang, w: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut spans: Vec<Span> = Vec::new();
    let mut used = 0;
    for f in Flag::ALL {
        let text = format!(" {}  ", lang.t(&format!("plan.flag.{}", f.code())));
        let wd = 1 + width(&text);
        if used > 0 && used + wd > w {
            lines.push(Line::from(std::mem::take(&mut spans)));
            used = 0;
        }
        spans.push(Span::styled(f.glyph().to_string(), flag_style(f)));
        spans.push(Span::raw(text));
        used += wd;
    }
    lines.push(Line::from(spans));
    lines
}

/// The header's parts: households, visited %, care due, open problems,
/// vacant, rented.
pub fn summary_parts(lang: Lang, v: &PlanView) -> Vec<String> {
    let s = &v.summary;
    let counted = |key: &str, n: usize| gridbook_core::report::counted(lang, key, n);
    lang.f(
        "plan.summary",
        &[
            &counted("officeui.saved.households", s.households),
            &v.days.to_string(),
            &format!("{:.0}", s.visited_pct),
            &s.care_due.to_string(),
            &counted("plan.open_problems", s.open_problems),
            &s.vacant.to_string(),
            &s.rented.to_string(),
        ],
    )
    .split(" · ")
    .map(str::to_string)
    .collect()
}

/// Joins `parts` with `sep` into lines of at most `w` columns.
fn wrap_parts(parts: &[String], sep: &str, w: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for p in parts {
        if !cur.is_empty() && width(&cur) + width(sep) + width(p) > w {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push_str(sep);
        }
        cur.push_str(p);
    }
    lines.push(cur);
    lines
}

/// How many units fit in `w` columns from `first`, at least one.
fn units_fitting(v: &PlanView, first: usize, w: usize) -> usize {
    let mut used = 0;
    let mut n = 0;
    for u in &v.units[first..] {
        let uw = u.slots * v.cell_w() + 2;
        if n > 0 && used + uw > w {
            break;
        }
        used += uw;
        n += 1;
    }
    n.max(1)
}

pub fn render(state: &State, v: &PlanView, frame: &mut Frame, area: Rect) {
    let lang = state.lang;
    let side_w = if area.width >= 100 { 40 } else { 28 };
    let [main, side] =
        Layout::horizontal([Constraint::Min(20), Constraint::Length(side_w)]).areas(area);
    let inner = Block::default().borders(Borders::ALL).inner(main);
    // The summary and the legend wrap at ` · ` / between entries when narrow.
    let inner_w = inner.width as usize;
    let summary_lines = wrap_parts(&summary_parts(lang, v), " · ", inner_w);
    let legend_lines = legend_lines(lang, inner_w);
    let [head, grid, foot] = Layout::vertical([
        Constraint::Length(summary_lines.len() as u16 + 1),
        Constraint::Min(1),
        Constraint::Length(legend_lines.len() as u16),
    ])
    .areas(inner);
    // The header: the summary, then the unit names over their columns.
    let label_w = v
        .rows
        .iter()
        .map(|r| width(&floor_label(lang, r.floor)))
        .max()
        .unwrap_or(2)
        + 1;
    let cw = v.cell_w();
    let grid_w = (inner.width as usize).saturating_sub(label_w);
    let cur_unit = v.unit_slot(v.col).map_or(0, |(u, _)| u);
    // Scroll by unit: the cursor's unit is the last one shown at most.
    let mut first = 0;
    while first < cur_unit && first + units_fitting(v, first, grid_w) <= cur_unit {
        first += 1;
    }
    let shown = units_fitting(v, first, grid_w).min(v.units.len() - first.min(v.units.len()));
    let col0: usize = v.units[..first].iter().map(|u| u.slots).sum();
    let mut unit_spans = vec![Span::raw(" ".repeat(label_w))];
    for u in &v.units[first..first + shown] {
        let name = if u.name.is_empty() {
            String::new()
        } else {
            lang.f("plan.unit", &[&u.name])
        };
        unit_spans.push(Span::styled(
            pad(&truncate(&name, u.slots * cw), u.slots * cw),
            Style::new().add_modifier(Modifier::BOLD).fg(ACCENT),
        ));
        unit_spans.push(Span::styled("│ ", DIM));
    }
    // When not every unit fits, the title says which are shown.
    let mut title = format!(" {} · {} ", lang.t("view.plan"), v.path);
    if shown < v.units.len() {
        title.push_str(&lang.f(
            "plan.units_shown",
            &[
                &(first + 1).to_string(),
                &(first + shown).to_string(),
                &v.units.len().to_string(),
            ],
        ));
        title.push(' ');
    }
    frame.render_widget(
        Block::default()
            .borders(Borders::ALL)
            .border_style(Style::new().fg(ACCENT))
            .title(title),
        main,
    );
    let mut head_lines: Vec<Line> = summary_lines
        .into_iter()
        .map(|l| Line::from(truncate(&l, inner_w)))
        .collect();
    head_lines.push(Line::from(unit_spans));
    frame.render_widget(Paragraph::new(head_lines), head);
    // The floors on screen only.
    let height = grid.height as usize;
    let start = window(v.row, v.rows.len(), height);
    let mut lines = Vec::with_capacity(height);
    for (ri, r) in v.rows.iter().enumerate().skip(start).take(height) {
        let mut spans = vec![Span::styled(
            pad(&floor_label(lang, r.floor), label_w),
            if ri == v.row {
                Style::new().fg(ACCENT).add_modifier(Modifier::BOLD)
            } else {
                DIM
            },
        )];
        let mut col = col0;
        for (u, unit) in v.units.iter().enumerate().skip(first).take(shown) {
            for slot in 0..unit.slots {
                let here = ri == v.row && col == v.col;
                match r.cells[u][slot] {
                    Some(i) => spans.extend(cell(v, &v.doors[i], here)),
                    None => spans.push(Span::raw(" ".repeat(cw))),
                }
                col += 1;
            }
            spans.push(Span::styled("│ ", DIM));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), grid);
    frame.render_widget(Paragraph::new(legend_lines), foot);
    side_pane(lang, v, frame, side);
}

fn floor_label(lang: Lang, floor: Option<i32>) -> String {
    match floor {
        Some(f) if f < 0 => format!("B{}", -f),
        Some(f) => lang.f("plan.floor", &[&f.to_string()]),
        None => lang.t("plan.other").to_string(),
    }
}

/// One door: its room (coloured by its most pressing state) and glyphs.
fn cell(v: &PlanView, d: &DoorInfo, here: bool) -> Vec<Span<'static>> {
    let flags = &d.door.flags;
    let room_style = if flags.contains(&Flag::OpenProblem) {
        flag_style(Flag::OpenProblem)
    } else if flags.contains(&Flag::CareDue) {
        flag_style(Flag::CareDue)
    } else if flags.contains(&Flag::Visited) {
        flag_style(Flag::Visited)
    } else {
        Style::new()
    };
    let room_style = if here {
        room_style.add_modifier(Modifier::REVERSED)
    } else {
        room_style
    };
    let mut spans = vec![Span::styled(
        pad_left(&truncate(&d.short, v.room_w), v.room_w),
        room_style,
    )];
    for f in flags.iter().take(v.glyphs) {
        spans.push(Span::styled(f.glyph().to_string(), flag_style(*f)));
    }
    spans.push(Span::raw(
        " ".repeat(v.glyphs - flags.len().min(v.glyphs) + 1),
    ));
    spans
}

fn side_pane(lang: Lang, v: &PlanView, frame: &mut Frame, area: Rect) {
    let block = Block::default().borders(Borders::ALL).border_style(DIM);
    let Some(d) = v.current() else {
        frame.render_widget(
            Paragraph::new(lang.t("plan.empty")).style(DIM).block(block),
            area,
        );
        return;
    };
    let block = block.title(format!(" {} ", d.door.room));
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut lines = vec![
        Line::from(vec![
            Span::raw(lang.f("wording.labelled", &[lang.t("col.head"), ""])),
            Span::styled(
                d.door
                    .head
                    .clone()
                    .unwrap_or_else(|| lang.t("plan.no_head").to_string()),
                bold,
            ),
        ]),
        Line::from(lang.f(
            "wording.labelled",
            &[lang.t("col.phone"), d.door.phone.as_deref().unwrap_or("—")],
        )),
        Line::from(lang.f(
            "wording.labelled",
            &[lang.t("show.last_visit"), &d.last_visit],
        )),
    ];
    let states: Vec<String> = d
        .door
        .flags
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f.glyph(),
                lang.t(&format!("plan.flag.{}", f.code()))
            )
        })
        .collect();
    lines.push(Line::from(states.join("  ")));
    let care = if d.care.is_empty() {
        "—".to_string()
    } else {
        d.care.join("、")
    };
    lines.push(Line::styled(
        lang.f("wording.labelled", &[lang.t("plan.care"), &care]),
        if d.door.flags.contains(&Flag::CareDue) {
            flag_style(Flag::CareDue)
        } else {
            Style::new()
        },
    ));
    let style = if d.problems.is_empty() {
        DIM
    } else {
        flag_style(Flag::OpenProblem)
    };
    lines.push(Line::styled(
        lang.f(
            "wording.labelled",
            &[lang.t("show.open_problems"), &d.problems.len().to_string()],
        ),
        style,
    ));
    for p in d.problems.iter().take(4) {
        lines.push(Line::styled(format!("  {p}"), style));
    }
    if d.problems.len() > 4 {
        let more = (d.problems.len() - 4).to_string();
        lines.push(Line::styled(
            format!("  {}", lang.f("entry.more", &[&more])),
            style,
        ));
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
