//! What the report screens share: one summary box over one table, rows
//! that jump to their zone, and the helpers their loaders use.

use gridbook_domain::i18n::Lang;
use gridbook_domain::model::Id;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::render::table_keeping;
use crate::tui::state::*;

/// A row standing for a zone, given its id as text (as reports carry it).
pub fn zone_row(id: &str, kind: RowKind, cells: Vec<String>) -> Row {
    let id: Id = id.parse().unwrap_or_default();
    Row {
        id,
        kind,
        cells,
        phone: None,
        whose: None,
        zone: Some(id),
    }
}

/// `12 days ago`, or `never`.
pub fn days(lang: Lang, d: Option<i64>) -> String {
    d.map_or_else(
        || lang.t("show.never").to_string(),
        |d| gridbook_domain::when::days_ago(lang, d),
    )
}

/// A report: its summary in a box, its rows in a table below.
pub fn render(state: &State, r: &Report, frame: &mut Frame, area: Rect) {
    let inner_w = (area.width as usize).saturating_sub(2).max(1);
    let lines = crate::tui::wrap::lines(
        r.summary.iter().map(|s| Line::from(s.clone())).collect(),
        inner_w,
    );
    let summary_h = (lines.len() as u16).min(area.height / 3).max(1) + 2;
    let lines = crate::tui::wrap::fit(lines, summary_h as usize - 2, inner_w);
    let [top, list] =
        Layout::vertical([Constraint::Length(summary_h), Constraint::Min(3)]).areas(area);
    let list = crate::tui::charts::above(frame, list, state.lang, r.chart.as_ref());
    frame.render_widget(Clear, top);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {} ", r.title)),
        ),
        top,
    );
    let title = state
        .lang
        .f("wording.aside", &[&r.title, &r.rows.len().to_string()]);
    let (columns, rows) = fitted(r, list.width as usize);
    // Dropping columns renumbers them: the whole ones count only when all are kept.
    let whole = if rows.is_none() {
        super::whole(r.kind)
    } else {
        &[]
    };
    table_keeping(
        frame,
        list,
        &title,
        &columns,
        rows.as_deref().unwrap_or(&r.rows),
        r.sel,
        state.layers.is_empty(),
        &super::empty(state.lang, r),
        whole,
    );
}

/// The columns and rows as drawn in `width`: while the table is wider
/// than that, the report's least needed columns (`drop`, in order) are
/// left out, so the ones a worker reads keep their text. `None` rows: all
/// of them as they are.
fn fitted(r: &Report, width: usize) -> (Vec<String>, Option<Vec<Row>>) {
    let need = |i: usize| {
        r.rows
            .iter()
            .filter_map(|row| row.cells.get(i))
            .map(|c| gridbook_domain::text::width(c))
            .chain(std::iter::once(gridbook_domain::text::width(&r.columns[i])))
            .max()
            .unwrap_or(0)
    };
    let mut kept: Vec<usize> = (0..r.columns.len()).collect();
    // Borders take two columns, gaps two between columns.
    let wide = |kept: &[usize]| {
        kept.iter().map(|i| need(*i)).sum::<usize>() + 2 * kept.len().saturating_sub(1) + 2
    };
    for d in &r.drop {
        if wide(&kept) <= width {
            break;
        }
        kept.retain(|i| i != d);
    }
    if kept.len() == r.columns.len() {
        return (r.columns.clone(), None);
    }
    let columns = kept.iter().map(|i| r.columns[*i].clone()).collect();
    let rows = r
        .rows
        .iter()
        .map(|row| Row {
            cells: kept
                .iter()
                .filter_map(|i| row.cells.get(*i).cloned())
                .collect(),
            ..row.clone()
        })
        .collect();
    (columns, Some(rows))
}
