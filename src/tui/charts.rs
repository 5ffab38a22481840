//! Pictures of trends, with ratatui's own widgets: visits per week over the
//! last 12 weeks (a zone on the browse pane, a member on their zones
//! screen) as a Sparkline, the share of households visited within the
//! visit window at each week's end per area and building (coverage screen)
//! as one Sparkline per place, and open problems by age (problems screen)
//! as a BarChart. Labels are padded by display width, so Chinese names line
//! up. Below the size a chart needs, it is one line of text instead.
//!
//! The figures come from `gridbook_core::trends`, read by the screens'
//! loaders (background jobs) and the zone pane's detail effect; drawing
//! reads only this state.

use std::collections::HashSet;

use gridbook_core::trends::{self, Share, WEEKS, Weeks};
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::{Id, Ts};
use gridbook_domain::text::{pad, truncate, width};
use gridbook_store::store::{Store, StoreError};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph, Sparkline};

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

/// Rows a chart would like below a screen's summary, given `avail` rows.
pub fn height(c: &Chart, avail: u16) -> u16 {
    let want = match c {
        Chart::Weeks(_) => 4,
        Chart::Ages(_) => 7,
        // Every building when they fit, else the areas alone.
        Chart::Shares { rows, .. } if rows.len() as u16 + 2 <= avail / 3 => rows.len() as u16 + 2,
        Chart::Shares { rows, .. } => rows.iter().filter(|r| !r.building).count() as u16 + 2,
    };
    // Never more than a third of the screen: the table stays the point.
    want.min(avail / 3).max(1)
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
        Chart::Weeks(w) => format!(
            "{}: {}",
            title(lang, c),
            w.iter().map(u64::to_string).collect::<Vec<_>>().join(" ")
        ),
        Chart::Shares { rows, .. } => {
            let areas: Vec<String> = rows
                .iter()
                .filter(|r| !r.building)
                .map(|r| format!("{} {:.0}%", r.name, r.pct[WEEKS - 1]))
                .collect();
            format!("{}: {}", title(lang, c), areas.join(" · "))
        }
        Chart::Ages(a) => {
            let parts: Vec<String> = age_labels(lang)
                .iter()
                .zip(a)
                .map(|(l, n)| format!("{l} {n}"))
                .collect();
            format!("{}: {}", title(lang, c), parts.join(" · "))
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
    if area.width < MIN_W || area.height < MIN_H {
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
        Chart::Shares { rows, .. } => shares(frame, inner, rows),
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

/// A row per place: its name (buildings indented), a Sparkline of its
/// share over the weeks, and the share now.
fn shares(frame: &mut Frame, area: Rect, rows: &[Share]) {
    let name_w = rows
        .iter()
        .map(|r| width(&r.name) + if r.building { 2 } else { 0 })
        .max()
        .unwrap_or(0)
        .min(area.width as usize / 3);
    // Areas first when not every building fits.
    let shown: Vec<&Share> = if rows.len() > area.height as usize {
        rows.iter().filter(|r| !r.building).collect()
    } else {
        rows.iter().collect()
    };
    for (i, r) in shown.into_iter().take(area.height as usize).enumerate() {
        let y = area.y + i as u16;
        let label = if r.building {
            format!("  {}", r.name)
        } else {
            r.name.clone()
        };
        let label = pad(&truncate(&label, name_w), name_w);
        let pct = format!("{:>4.0}%", r.pct[WEEKS - 1]);
        let label_w = (name_w + 1) as u16;
        let spark_w = (WEEKS as u16 * 2).min(area.width.saturating_sub(label_w + 6));
        let row = Rect::new(area.x, y, area.width, 1);
        frame.render_widget(Paragraph::new(label), row);
        let data: Vec<u64> = r
            .pct
            .iter()
            .flat_map(|p| std::iter::repeat_n(p.round() as u64, 2))
            .collect();
        frame.render_widget(
            Sparkline::default().data(&data).max(100).style(BARS),
            Rect::new(area.x + label_w, y, spark_w, 1),
        );
        frame.render_widget(
            Paragraph::new(pct),
            Rect::new(area.x + label_w + spark_w, y, 6.min(area.width), 1),
        );
    }
}

/// The zone pane's chart at the bottom of `area` when the pane is tall
/// enough to spare the rows; returns what is left for the pane's text.
pub fn pane(frame: &mut Frame, area: Rect, lang: Lang, c: Option<&Chart>) -> Rect {
    let Some(c) = c.filter(|_| area.height >= PANE_MIN_H) else {
        return area;
    };
    let h = height(c, area.height);
    let [rest, chart] = Layout::vertical([Constraint::Min(1), Constraint::Length(h)]).areas(area);
    render(frame, chart, lang, c);
    rest
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
