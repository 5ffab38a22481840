//! Pictures of trends, with ratatui's own widgets: visits per week over the
//! last 12 weeks (a zone on the browse pane, a member on their zones
//! screen) as a Sparkline, the share of households visited within the
//! visit window at each week's end per area and building (coverage screen)
//! as a line Chart (a line per place, axes labelled in the UI's language,
//! a legend beside it), and open problems by age (problems screen) as a
//! BarChart. Labels are padded by display width, so Chinese names line up.
//! Below the size a chart needs, it is one line of text instead.
//!
//! The figures come from `gridbook_core::trends`, read by the screens'
//! loaders and the zone pane's chart job (background jobs); drawing reads
//! only this state.

use std::collections::HashSet;

use gridbook_core::trends::{self, Share, WEEKS, Weeks};
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::{Id, Ts};
use gridbook_domain::text::{pad, truncate, width};
use gridbook_store::store::{Store, StoreError};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Bar, BarChart, BarGroup, Block, Borders, Dataset, GraphType, Paragraph, Sparkline,
};

const DIM: Style = Style::new().fg(Color::DarkGray);
const BARS: Style = Style::new().fg(Color::Cyan);

/// A picture a screen carries.
#[derive(Clone, Debug, PartialEq)]
pub enum Chart {
    /// Visits per week, oldest first.
    Weeks(Weeks),
    /// Share of households visited within `window` days, per place.
    Shares { window: i64, rows: Vec<Share> },
    /// Open problems by age band (≤7, 8–30, 31–90, older).
    Ages([u64; 4]),
}

/// Narrowest and lowest a chart is drawn as a picture.
const MIN_W: u16 = 24;
const MIN_H: u16 = 4;

/// The line chart needs room for a y axis, a legend and a few rows of plot
/// between its x axis and its box.
const LINES_MIN_W: u16 = 48;
const LINES_MIN_H: u16 = 8;

/// Narrowest and lowest `c` is drawn as a picture.
fn min_size(c: &Chart) -> (u16, u16) {
    match c {
        Chart::Shares { .. } => (LINES_MIN_W, LINES_MIN_H),
        Chart::Weeks(_) | Chart::Ages(_) => (MIN_W, MIN_H),
    }
}

/// Rows a chart would like below a screen's summary, given `avail` rows.
pub fn height(c: &Chart, avail: u16) -> u16 {
    let want = match c {
        Chart::Weeks(_) => 4,
        Chart::Ages(_) => 7,
        // Rows enough for the lines to part, and a legend line per place.
        Chart::Shares { rows, .. } => (lines(rows).len() as u16 + 6).clamp(LINES_MIN_H, 12),
    };
    // Never more than a third of the screen: the table stays the point. A
    // line chart that would not fit a third takes what its picture needs
    // up to half, or is one line of text.
    match c {
        Chart::Shares { .. } if want.min(avail / 3) >= LINES_MIN_H => want.min(avail / 3),
        Chart::Shares { .. } if avail / 2 >= LINES_MIN_H => LINES_MIN_H,
        Chart::Shares { .. } => 1,
        _ => want.min(avail / 3).max(1),
    }
}

/// The chart's title.
fn title(lang: Lang, c: &Chart) -> String {
    match c {
        Chart::Weeks(w) => lang.f(
            "excel.chart.weeks",
            &[
                &WEEKS.to_string(),
                &w.iter().sum::<u64>().to_string(),
                &w[WEEKS - 1].to_string(),
            ],
        ),
        Chart::Shares { window, .. } => lang.f(
            "excel.chart.shares",
            &[&window.to_string(), &WEEKS.to_string()],
        ),
        Chart::Ages(a) => lang.f("excel.chart.ages", &[&a.iter().sum::<u64>().to_string()]),
    }
}

/// The chart as one line of text, for a space too small for the picture.
pub fn text(lang: Lang, c: &Chart) -> String {
    match c {
        Chart::Weeks(w) => lang.f(
            "excel.chart.line",
            &[
                &title(lang, c),
                &w.iter().map(u64::to_string).collect::<Vec<_>>().join(" "),
            ],
        ),
        Chart::Shares { rows, .. } => {
            let areas: Vec<String> = rows
                .iter()
                .filter(|r| !r.building)
                .map(|r| format!("{} {:.0}%", r.name, r.pct[WEEKS - 1]))
                .collect();
            lang.f("excel.chart.line", &[&title(lang, c), &areas.join(" · ")])
        }
        Chart::Ages(a) => {
            let parts: Vec<String> = age_labels(lang)
                .iter()
                .zip(a)
                .map(|(l, n)| format!("{l} {n}"))
                .collect();
            lang.f("excel.chart.line", &[&title(lang, c), &parts.join(" · ")])
        }
    }
}

fn age_labels(lang: Lang) -> [String; 4] {
    [
        lang.t("excel.chart.age_7").to_string(),
        lang.t("excel.chart.age_30").to_string(),
        lang.t("excel.chart.age_90").to_string(),
        lang.t("excel.chart.age_older").to_string(),
    ]
}

/// Draws `c` in `area` (with its own box), or its text when too small.
pub fn render(frame: &mut Frame, area: Rect, lang: Lang, c: &Chart) {
    let (min_w, min_h) = min_size(c);
    if area.width < min_w || area.height < min_h {
        frame.render_widget(
            Paragraph::new(Line::styled(
                truncate(&text(lang, c), area.width as usize),
                DIM,
            )),
            area,
        );
        return;
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(DIM)
        .title(format!(" {} ", title(lang, c)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    match c {
        Chart::Weeks(w) => weeks(frame, inner, lang, w),
        Chart::Ages(a) => ages(frame, inner, lang, a),
        Chart::Shares { rows, .. } => shares(frame, inner, lang, rows),
    }
}

/// Twelve bars, and under them which end is now.
fn weeks(frame: &mut Frame, area: Rect, lang: Lang, w: &Weeks) {
    let [spark, axis] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    // Two columns a week when there is room, so the bars read as bars.
    let per = if area.width as usize >= WEEKS * 2 {
        2
    } else {
        1
    };
    let data: Vec<u64> = w
        .iter()
        .flat_map(|n| std::iter::repeat_n(*n, per))
        .collect();
    let spark = Rect {
        width: spark.width.min((WEEKS * per) as u16),
        ..spark
    };
    frame.render_widget(Sparkline::default().data(&data).style(BARS), spark);
    let left = lang.f("excel.chart.weeks_ago", &[&WEEKS.to_string()]);
    let right = lang.t("excel.chart.this_week");
    let span = (WEEKS * per).max(width(&left) + width(right) + 1);
    let gap = span.saturating_sub(width(&left) + width(right));
    frame.render_widget(
        Paragraph::new(Line::styled(
            truncate(
                &format!("{left}{}{right}", " ".repeat(gap)),
                axis.width as usize,
            ),
            DIM,
        )),
        axis,
    );
}

/// One bar per age band, labelled.
fn ages(frame: &mut Frame, area: Rect, lang: Lang, a: &[u64; 4]) {
    let labels = age_labels(lang);
    let bar_w = labels.iter().map(|l| width(l)).max().unwrap_or(4).max(3) as u16;
    let bars: Vec<Bar> = labels
        .iter()
        .zip(a)
        .map(|(l, n)| Bar::default().value(*n).label(Line::from(l.clone())))
        .collect();
    frame.render_widget(
        BarChart::default()
            .data(BarGroup::default().bars(&bars))
            .bar_width(bar_w)
            .bar_gap(2)
            .bar_style(BARS),
        area,
    );
}

/// Lines one chart draws at most: each has a mark of its own.
const MAX_LINES: usize = 4;

/// Each line's colour, and its mark with the sample the legend shows: the
/// marks differ too, so the lines stay apart without colour (`NO_COLOR`).
const LINE_COLOURS: [Color; MAX_LINES] = [Color::Cyan, Color::Yellow, Color::Magenta, Color::Green];
const MARKS: [(Marker, &str); MAX_LINES] = [
    (Marker::Braille, "⠤⠤"),
    (Marker::Dot, "••"),
    (Marker::Bar, "▄▄"),
    (Marker::Block, "██"),
];

/// The places drawn as lines: every area and building when they are few
/// enough, else the areas alone (the coverage report lists the rest).
fn lines(rows: &[Share]) -> Vec<&Share> {
    let shown: Vec<&Share> = if rows.len() > MAX_LINES {
        rows.iter().filter(|r| !r.building).collect()
    } else {
        rows.iter().collect()
    };
    shown.into_iter().take(MAX_LINES).collect()
}

/// A line per place over the weeks (x: weeks, oldest left; y: the share
/// visited, 0–100%), and beside it a legend: each line's mark, the place
/// (buildings indented, padded by display width) and its share now.
fn shares(frame: &mut Frame, area: Rect, lang: Lang, rows: &[Share]) {
    let shown = lines(rows);
    let label = |r: &Share| {
        if r.building {
            format!("  {}", r.name)
        } else {
            r.name.clone()
        }
    };
    let name_w = shown
        .iter()
        .map(|r| width(&label(r)))
        .max()
        .unwrap_or(0)
        .min(area.width as usize / 4);
    // Mark, space, name, space, "100%".
    let legend_w = (2 + 1 + name_w + 1 + 4) as u16;
    let [plot, legend] =
        Layout::horizontal([Constraint::Min(1), Constraint::Length(legend_w + 1)]).areas(area);
    let points: Vec<Vec<(f64, f64)>> = shown
        .iter()
        .map(|r| {
            r.pct
                .iter()
                .enumerate()
                .map(|(i, p)| (i as f64, p.clamp(0.0, 100.0)))
                .collect()
        })
        .collect();
    let datasets: Vec<Dataset> = shown
        .iter()
        .zip(&points)
        .enumerate()
        .map(|(i, (r, data))| {
            Dataset::default()
                .name(label(r))
                .marker(MARKS[i].0)
                .graph_type(GraphType::Line)
                .style(Style::new().fg(LINE_COLOURS[i]))
                .data(data)
        })
        // Drawn last, a line is on top where lines cross: the heavier marks
        // go first, the first place's fine braille line over them.
        .rev()
        .collect();
    let oldest = lang.f("excel.chart.weeks_ago", &[&(WEEKS - 1).to_string()]);
    let x = Axis::default()
        .title(Span::styled(lang.t("chartjob.axis_week"), DIM))
        .style(DIM)
        .bounds([0.0, (WEEKS - 1) as f64])
        .labels([oldest, lang.t("excel.chart.this_week").to_string()])
        // The first label starts at the y axis instead of widening the
        // margin left of it.
        .labels_alignment(Alignment::Right);
    let y = Axis::default()
        .title(Span::styled(lang.t("chartjob.axis_visited"), DIM))
        .style(DIM)
        .bounds([0.0, 100.0])
        .labels(["0%", "50%", "100%"]);
    frame.render_widget(
        ratatui::widgets::Chart::new(datasets)
            .x_axis(x)
            .y_axis(y)
            .legend_position(None),
        plot,
    );
    for (i, r) in shown.iter().enumerate().take(legend.height as usize) {
        let colour = Style::new().fg(LINE_COLOURS[i]);
        let line = Line::from(vec![
            Span::raw(" "),
            Span::styled(MARKS[i].1, colour),
            Span::raw(" "),
            Span::raw(pad(&truncate(&label(r), name_w), name_w)),
            Span::raw(format!("{:>5}", pct_now(r))),
        ]);
        let row = Rect::new(legend.x, legend.y + i as u16, legend.width, 1);
        frame.render_widget(Paragraph::new(line), row);
    }
}

/// A place's share at the latest week's end, as the legend shows it.
fn pct_now(r: &Share) -> String {
    format!("{:.0}%", r.pct[WEEKS - 1])
}

/// The zone pane's chart, or the wait for it (a background job computes
/// it after the pane's text).
#[derive(Clone, Copy, Debug)]
pub enum PaneChart<'a> {
    Ready(&'a Chart),
    Waiting,
}

/// The zone pane's chart at the bottom of `area` when the pane is tall
/// enough to spare the rows; returns what is left for the pane's text.
/// While the chart is computed its rows hold "…", so the text above does
/// not jump when it arrives.
pub fn pane(frame: &mut Frame, area: Rect, lang: Lang, c: Option<PaneChart>) -> Rect {
    let Some(c) = c.filter(|_| area.height >= PANE_MIN_H) else {
        return area;
    };
    let h = match c {
        PaneChart::Ready(c) => height(c, area.height),
        PaneChart::Waiting => height(&Chart::Weeks([0; WEEKS]), area.height),
    };
    let [rest, chart] = Layout::vertical([Constraint::Min(1), Constraint::Length(h)]).areas(area);
    match c {
        PaneChart::Ready(c) => render(frame, chart, lang, c),
        PaneChart::Waiting => waiting(frame, chart, lang),
    }
    rest
}

/// The chart's place while it is computed: its box, "…" inside.
fn waiting(frame: &mut Frame, area: Rect, lang: Lang) {
    let what = lang.t("chartjob.chart_loading");
    if area.width < MIN_W || area.height < MIN_H {
        frame.render_widget(
            Paragraph::new(Line::styled(truncate(what, area.width as usize), DIM)),
            area,
        );
        return;
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(DIM)
        .title(format!(" {what} "));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    frame.render_widget(Paragraph::new(Line::styled("…", DIM)), inner);
}

/// A report's chart above its table, when the table keeps room for a few
/// rows; returns what is left for the table.
pub fn above(frame: &mut Frame, area: Rect, lang: Lang, c: Option<&Chart>) -> Rect {
    let Some(c) = c else { return area };
    let h = height(c, area.height);
    if area.height < h + 6 {
        return area;
    }
    let [chart, rest] = Layout::vertical([Constraint::Length(h), Constraint::Min(1)]).areas(area);
    render(frame, chart, lang, c);
    rest
}

/// The zone pane gives a chart rows only from this height.
const PANE_MIN_H: u16 = 16;

/// Visits per week to the households of `zone`.
pub fn zone(store: &Store, zone: Id, now: Ts) -> Result<Chart, StoreError> {
    Ok(Chart::Weeks(trends::zone_weeks(store, zone, now)?))
}

/// Visits per week made by `member`.
pub fn member(store: &Store, member: Id, now: Ts) -> Result<Chart, StoreError> {
    Ok(Chart::Weeks(trends::member_weeks(store, member, now)?))
}

/// The share visited within `window` days per area and building (only the
/// areas in `only`, when given).
pub fn coverage(
    store: &Store,
    now: Ts,
    window: i64,
    only: Option<&HashSet<Id>>,
) -> Result<Chart, StoreError> {
    let mut rows = trends::coverage_history(store, now, window)?;
    if let Some(only) = only {
        rows.retain(|r| only.contains(&r.area));
    }
    Ok(Chart::Shares { window, rows })
}

/// Open problems by age.
pub fn problem_ages(store: &Store, now: Ts) -> Result<Chart, StoreError> {
    Ok(Chart::Ages(trends::problem_ages(store, now, None)?))
}
