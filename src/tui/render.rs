//! `render(&State, &mut Frame)`: reads the state, draws it, nothing else.
//! Lists build only the rows on screen; widths are display widths, so
//! Chinese names line up.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row as TRow, Table};

use crate::tui::command::{Cmd, TABLE};
use crate::tui::keymap::{Context, Next};
use gridbook_domain::i18n::Lang;
use gridbook_domain::text::{truncate, width};

use super::form::Form;
use super::input::TextInput;
use super::screens;
use super::state::*;
use super::wrap;

pub use super::state::{MIN_HEIGHT, MIN_WIDTH};

pub(crate) const ACCENT: Color = Color::Cyan;
pub(crate) const DIM: Style = Style::new().fg(Color::DarkGray);

pub fn render(state: &State, frame: &mut Frame) {
    if state.privacy.locked {
        super::privacy::render(state.lang, frame);
        return;
    }
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(state.lang, frame, area);
        return;
    }
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(2),
    ])
    .areas(area);
    render_header(state, frame, header);
    match &state.view {
        View::Welcome => screens::welcome::render(state.lang, frame, body),
        View::Browse(b) => screens::browse::render(state, b, frame, body),
        View::Report(r) => screens::report::render(state, r, frame, body),
        View::Plan(p) => screens::plan::render(state, p, frame, body),
    }
    render_footer(state, frame, footer);
    // Layers draw bottom first, each over the ones below.
    for layer in &state.layers {
        match layer {
            Layer::Help { scroll } => help(state, *scroll, frame, area),
            Layer::Command(input) => command(state, input, frame, area),
            Layer::Lookup(l) => lookup(state, l, frame, area),
            Layer::Form(f) => form(state.lang, f, frame, area),
            Layer::Confirm(c) => confirm(state, c, frame, area),
            Layer::Keys(p) => prefix_popup(state, p, frame, area),
        }
    }
}

/// The first frame, drawn while the store opens.
pub fn opening(lang: Lang, frame: &mut Frame) {
    let area = frame.area();
    let p = Paragraph::new(format!(" gridbook  {}", lang.t("tui.opening"))).style(DIM);
    frame.render_widget(p, area);
}

fn too_small(lang: Lang, frame: &mut Frame, area: Rect) {
    let text = lang.f(
        "tui.too_small",
        &[&MIN_WIDTH.to_string(), &MIN_HEIGHT.to_string()],
    );
    let lines: Vec<Line> = wrap::wrap(&text, area.width as usize)
        .into_iter()
        .map(Line::from)
        .collect();
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).style(Style::new().fg(Color::Yellow)),
        area,
    );
}

fn render_header(state: &State, frame: &mut Frame, area: Rect) {
    let lang = state.lang;
    let mut spans = vec![Span::styled(
        " gridbook ",
        Style::new()
            .fg(Color::Black)
            .bg(ACCENT)
            .add_modifier(Modifier::BOLD),
    )];
    let (view_name, crumbs) = match &state.view {
        View::Welcome => (lang.t("view.welcome").to_string(), vec![]),
        View::Browse(b) => (lang.t("view.browse").to_string(), b.crumbs.clone()),
        View::Report(r) => (r.title.clone(), r.crumbs.clone()),
        View::Plan(p) => (
            lang.t("view.plan").to_string(),
            p.path.split('/').map(str::to_string).collect(),
        ),
    };
    spans.push(Span::raw(" "));
    if crumbs.is_empty() {
        spans.push(Span::styled(
            lang.t("tui.all_areas"),
            Style::new().add_modifier(Modifier::BOLD),
        ));
    } else {
        spans.push(Span::styled(
            crumbs.join(" › "),
            Style::new().add_modifier(Modifier::BOLD),
        ));
    }
    let tag_at = spans.len();
    spans.push(Span::styled(
        format!("  {}", lang.f("officeui.view_tag", &[&view_name])),
        DIM,
    ));
    if let View::Browse(b) = &state.view
        && !b.marked.is_empty()
    {
        spans.push(Span::styled(
            format!(
                " {}",
                lang.f("office.marked", &[&b.marked.len().to_string()])
            ),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ));
    }
    if state.my_zones_only {
        spans.push(Span::styled(
            format!(" {}", lang.t("tui.my_zones_tag")),
            Style::new().fg(Color::Yellow),
        ));
    }
    if state.warnings > 0 {
        spans.push(Span::styled(
            format!(" ⚠ {}", state.warnings),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ));
    }
    let who = match &state.me {
        Some((_, name)) => lang.f("tui.working_as", &[name]),
        None => lang.t("tui.not_signed").to_string(),
    };
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    // A long view name (a timeline's names its zone, which the breadcrumb
    // already shows) gives way before who is working, so every screen
    // says it.
    let over = (used + 2 + width(&who)).saturating_sub(area.width as usize);
    if over > 0 && width(&view_name) > over + 1 {
        let short = truncate(&view_name, width(&view_name) - over);
        spans[tag_at].content = format!("  {}", lang.f("officeui.view_tag", &[&short])).into();
    }
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    let room = (area.width as usize).saturating_sub(used + 1);
    if width(&who) < room {
        spans.push(Span::raw(" ".repeat(room - width(&who))));
        spans.push(Span::styled(who, Style::new().fg(ACCENT)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The commands the hint line offers in a context and on a screen.
fn hint_commands(state: &State, ctx: Context) -> &'static [Cmd] {
    match ctx {
        // A form says only the keys that do something in it: a preview with
        // no fields has nothing to move between or choose.
        Context::Form => match state.form().map(|f| &f.fields) {
            Some(fields) if fields.is_empty() => &[Cmd::Save, Cmd::Cancel],
            Some(fields) if fields.iter().all(|f| f.takes_text()) => {
                &[Cmd::NextField, Cmd::Save, Cmd::Cancel]
            }
            _ => &[Cmd::NextField, Cmd::CursorRight, Cmd::Save, Cmd::Cancel],
        },
        Context::Confirm => &[Cmd::Yes, Cmd::No],
        Context::Search => &[Cmd::Down, Cmd::Open, Cmd::CopyPhone, Cmd::Cancel],
        Context::Command => &[Cmd::Complete, Cmd::Submit, Cmd::Cancel],
        Context::Help => &[Cmd::Down, Cmd::Cancel],
        Context::Text => &[],
        Context::Global | Context::Browse | Context::Plan => match &state.view {
            View::Welcome => screens::welcome::HINTS,
            View::Report(r) => screens::hints(r.kind),
            View::Plan(_) => screens::plan::HINTS,
            View::Browse(b) => screens::browse::hints(b.level),
        },
    }
}

/// The hint line: the active keymap's keys for the commands that matter
/// here, each with its hint word from the command table.
fn hints(state: &State) -> String {
    let ctx = state.context();
    let keymap = &state.keymap;
    let mut parts = Vec::new();
    for cmd in hint_commands(state, ctx) {
        let key = if ctx == Context::Confirm {
            // A question takes every key bound to its answer; say them all.
            Some(keymap.keys_for(ctx, *cmd).join("/")).filter(|k| !k.is_empty())
        } else {
            keymap.key_for(ctx, *cmd).map(|k| {
                // An arrow that moves or chooses names its opposite too: `←/→`.
                let o = opposite(*cmd).and_then(|o| keymap.key_for(ctx, o));
                match o.filter(|o| arrow(o) != o && arrow(&k) != k) {
                    Some(o) => format!("{}/{}", arrow(&o), arrow(&k)),
                    None => arrow(&k).to_string(),
                }
            })
        };
        if let Some(k) = key {
            // Help has nothing to cancel: esc there closes it.
            let word = match (ctx, cmd) {
                (Context::Help, Cmd::Cancel) => state.lang.t("hint.close"),
                _ => cmd.hint(state.lang),
            };
            parts.push(format!("{k} {word}"));
        }
    }
    parts.join(" · ")
}

/// The command a hint names alongside `cmd`, as one pair of keys.
fn opposite(cmd: Cmd) -> Option<Cmd> {
    match cmd {
        Cmd::CursorRight => Some(Cmd::CursorLeft),
        Cmd::Down => Some(Cmd::Up),
        _ => None,
    }
}

/// An arrow key as its symbol, as the hints written in the catalogs show
/// them (`←/→ toggles`); any other key by its name.
fn arrow(key: &str) -> &str {
    match key {
        "left" => "←",
        "right" => "→",
        "up" => "↑",
        "down" => "↓",
        k => k,
    }
}

fn render_footer(state: &State, frame: &mut Frame, area: Rect) {
    let [status, keys] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    if let Some(s) = &state.status {
        let style = if s.error {
            Style::new().fg(Color::Red)
        } else {
            Style::new().fg(Color::Green)
        };
        frame.render_widget(
            Paragraph::new(truncate(&s.text, area.width as usize)).style(style),
            status,
        );
    } else if let Some(l) = &state.loading {
        let text = match &l.job {
            // A sync says where it is rather than "loading".
            super::jobs::Job::Sync(p) => p
                .text()
                .unwrap_or_else(|| l.job.describe(state.lang).to_string()),
            job => state.lang.f("tui.loading", &[job.describe(state.lang)]),
        };
        frame.render_widget(
            Paragraph::new(truncate(&format!("⋯ {text}"), area.width as usize)).style(DIM),
            status,
        );
    }
    frame.render_widget(
        Paragraph::new(truncate(&hints(state), area.width as usize)).style(DIM),
        keys,
    );
}

/// The first row shown so that `sel` is visible in `height` rows.
pub fn window(sel: usize, len: usize, height: usize) -> usize {
    if height == 0 || len <= height {
        return 0;
    }
    sel.saturating_sub(height - 1).min(len - height)
}

/// A table of which only the visible rows are built.
/// When a table is too wide, a long text column (an entry, a note) gives
/// way down to this width before the short columns after it are cut.
const TEXT_KEEPS: usize = 24;

#[allow(clippy::too_many_arguments)]
pub(crate) fn table(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    columns: &[String],
    rows: &[Row],
    sel: usize,
    focused: bool,
    empty: &str,
) {
    table_keeping(frame, area, title, columns, rows, sel, focused, empty, &[]);
}

/// [`table`] with the columns `whole` (say, the number to call) drawn at
/// their full width: the others give way around them, and the last one
/// is left out rather than shown as a cell or two of `…`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn table_keeping(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    columns: &[String],
    rows: &[Row],
    sel: usize,
    focused: bool,
    empty: &str,
    whole: &[usize],
) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {title} "))
        .border_style(if focused {
            Style::new().fg(ACCENT)
        } else {
            DIM
        });
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // An empty table says what it has none of, without the header of
    // columns that hold nothing.
    if rows.is_empty() {
        let lines: Vec<Line> = wrap::wrap(empty, inner.width as usize)
            .into_iter()
            .map(|l| Line::styled(l, DIM))
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    }
    let height = inner.height.saturating_sub(1) as usize;
    let start = window(sel, rows.len(), height);
    let visible = &rows[start..(start + height).min(rows.len())];
    // Column widths from the header and the visible rows only.
    let mut widths: Vec<usize> = columns.iter().map(|c| width(c)).collect();
    for r in visible {
        for (i, c) in r.cells.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(width(c));
            }
        }
    }
    let fitted = fit_keeping(&widths, inner.width as usize, whole);
    // A column fitted to nothing is left out, with its gap.
    let shown: Vec<usize> = (0..fitted.len()).filter(|i| fitted[*i] > 0).collect();
    let cut = |cells: &[String]| -> Vec<String> {
        shown
            .iter()
            .filter_map(|i| cells.get(*i).map(|c| truncate(c, fitted[*i])))
            .collect()
    };
    let fitted: Vec<usize> = shown.iter().map(|i| fitted[*i]).collect();
    let header =
        TRow::new(cut(columns)).style(Style::new().add_modifier(Modifier::BOLD).fg(ACCENT));
    let body: Vec<TRow> = visible
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let row = TRow::new(cut(&r.cells));
            if start + i == sel {
                row.style(Style::new().add_modifier(Modifier::REVERSED))
            } else {
                row
            }
        })
        .collect();
    let constraints: Vec<Constraint> = fitted
        .iter()
        .map(|w| Constraint::Length(*w as u16))
        .collect();
    let t = Table::new(body, constraints)
        .header(header)
        .column_spacing(2);
    frame.render_widget(t, inner);
}

/// Widths for columns that need `widths` in a table `total` wide
/// (borders off, gaps of two between columns).
fn fit(widths: &[usize], total: usize) -> Vec<usize> {
    let gaps = widths.len().saturating_sub(1) * 2;
    let mut budget = total.saturating_sub(gaps);
    let cap = 40.max(total / 2);
    let mut fitted: Vec<usize> = widths.iter().map(|w| (*w).min(cap)).collect();
    let wanted: usize = fitted.iter().sum();
    if wanted > budget && fitted.iter().map(|w| (*w).min(TEXT_KEEPS)).sum::<usize>() <= budget {
        // Too wide, but only for the long texts: the widest give way, so a
        // short column after them (who, where) keeps its text instead of
        // being cut to `…`.
        for _ in budget..wanted {
            if let Some(w) = fitted.iter_mut().max_by_key(|w| **w) {
                *w -= 1;
            }
        }
        budget = 0;
    } else {
        // Give every column what it needs from the left; the last ones shrink first.
        fitted.clear();
        for (i, w) in widths.iter().enumerate() {
            let remaining_cols = widths.len() - i - 1;
            let keep_for_rest = remaining_cols.min(budget.saturating_sub(1)) * 2;
            let wv = (*w)
                .min(budget.saturating_sub(keep_for_rest).max(1))
                .min(cap);
            fitted.push(wv);
            budget = budget.saturating_sub(wv);
        }
    }
    // Width the cap left unused goes to the columns it cut, left first, so a
    // long text column is not cut with empty space beside it.
    for (f, w) in fitted.iter_mut().zip(widths) {
        let more = w.saturating_sub(*f).min(budget);
        *f += more;
        budget -= more;
    }
    fitted
}

/// A last column narrower than this (when it needs more) shows only `…`
/// or a letter and one, and is left out in a table that keeps columns whole.
const LAST_AT_LEAST: usize = 4;

/// [`fit`] with the columns `whole` at their full width (as far as the
/// table holds them) and the others fitted around them; a last column left
/// narrower than [`LAST_AT_LEAST`] gets 0 (left out) and its room goes
/// to the columns cut.
fn fit_keeping(widths: &[usize], total: usize, whole: &[usize]) -> Vec<usize> {
    if whole.is_empty() || widths.is_empty() {
        return fit(widths, total);
    }
    let gaps = widths.len().saturating_sub(1) * 2;
    let mut room = total.saturating_sub(gaps);
    let mut fitted = vec![0; widths.len()];
    for &i in whole.iter().filter(|i| **i < widths.len()) {
        fitted[i] = widths[i].min(room);
        room -= fitted[i];
    }
    let others: Vec<usize> = (0..widths.len()).filter(|i| !whole.contains(i)).collect();
    let needs: Vec<usize> = others.iter().map(|i| widths[*i]).collect();
    // The others as a table of their own, with their gaps.
    let inner_gaps = others.len().saturating_sub(1) * 2;
    for (i, w) in others.iter().zip(fit(&needs, room + inner_gaps)) {
        fitted[*i] = w;
    }
    let last = widths.len() - 1;
    if !whole.contains(&last) && fitted[last] < LAST_AT_LEAST.min(widths[last]) && last > 0 {
        // Its cells and its gap go to the columns cut, left first.
        let mut freed = fitted[last] + 2;
        fitted[last] = 0;
        for (f, w) in fitted.iter_mut().zip(widths).take(last) {
            let more = w.saturating_sub(*f).min(freed);
            *f += more;
            freed -= more;
        }
    }
    fitted
}

/// What an empty table or list says, one rule for all of them: with a
/// filter on, that nothing matches it (the title or the field shows which
/// filter); else what there is none of, in the list's own words (`none`, a
/// catalog key). Never a row of `—`, which tells a worker nothing.
pub(crate) fn empty_text(lang: Lang, filtered: bool, none: &str) -> String {
    lang.t(if filtered { "tui.none_match" } else { none })
        .to_string()
}

/// Clears `r` for an overlay. A double-width character of the layer below
/// that begins just left of `r` would spill into it and hide the overlay's
/// border; it is blanked too, so Chinese text underneath cannot shift it.
fn clear(frame: &mut Frame, r: Rect) {
    frame.render_widget(Clear, r);
    if r.x == 0 {
        return;
    }
    let buf = frame.buffer_mut();
    for y in r.y..r.y.saturating_add(r.height) {
        if let Some(cell) = buf.cell_mut((r.x - 1, y))
            && width(cell.symbol()) > 1
        {
            cell.set_symbol(" ");
        }
    }
}

/// A centred box of at most `w`×`h`.
fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// The keymap sections help lists, those of where help was opened first
/// (a form's, then text editing, then global), then the rest.
fn help_sections(state: &State) -> Vec<Context> {
    let below = state
        .layers
        .iter()
        .rev()
        .filter(|l| !matches!(l, Layer::Help { .. }))
        .find_map(Layer::context)
        .unwrap_or(match state.view {
            View::Plan(_) => Context::Plan,
            _ => Context::Browse,
        });
    let mut order = vec![below];
    if below == Context::Plan {
        order.push(Context::Browse);
    }
    if below.takes_text() {
        order.push(Context::Text);
    }
    order.push(Context::Global);
    for c in [
        Context::Browse,
        Context::Plan,
        Context::Form,
        Context::Search,
        Context::Command,
        Context::Text,
        Context::Confirm,
    ] {
        if !order.contains(&c) {
            order.push(c);
        }
    }
    order
}

/// The help's lines: the active keymap's bindings per section, where help
/// was opened first, then every command `:` runs, with what each does.
pub fn help_lines(state: &State) -> Vec<Line<'static>> {
    let lang = state.lang;
    let heading = Style::new().add_modifier(Modifier::BOLD).fg(ACCENT);
    let mut lines: Vec<Line> = Vec::new();
    for ctx in help_sections(state) {
        let key = format!("help.{}", ctx.name());
        let title = match lang.t(&key) {
            t if t == key => lang.t(&format!("entry.{key}")),
            t => t,
        };
        lines.push(Line::styled(title.to_string(), heading));
        for (command, keys) in state.keymap.bindings(ctx) {
            let keys = keys.join(", ");
            let mut what = command.cmd.describe(lang).to_string();
            if let Some(arg) = &command.arg {
                what = lang.f("wording.labelled", &[&what, arg]);
            }
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {} ", gridbook_domain::text::pad(&keys, 25)),
                    Style::new().fg(Color::Yellow),
                ),
                Span::raw(what),
            ]));
        }
    }
    lines.push(Line::styled(lang.t("help.commands").to_string(), heading));
    for spec in TABLE {
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {} ", gridbook_domain::text::pad(&spec.cmd.usage(), 25)),
                Style::new().fg(ACCENT),
            ),
            Span::raw(spec.cmd.describe(lang).to_string()),
        ]));
    }
    lines
}

/// Help's "keys  what they do" lines wrapped to `width`, a long
/// description continuing under itself rather than under the keys.
fn hanging(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for line in lines {
        if line.spans.len() != 2 || line.width() <= width {
            out.extend(wrap::lines(vec![line], width));
            continue;
        }
        let keys = line.spans[0].clone();
        let indent = keys.width();
        let pieces = wrap::wrap(&line.spans[1].content, width.saturating_sub(indent).max(8));
        let style = line.spans[1].style;
        for (i, piece) in pieces.into_iter().enumerate() {
            let head = if i == 0 {
                keys.clone()
            } else {
                Span::raw(" ".repeat(indent))
            };
            out.extend(wrap::lines(
                vec![Line::from(vec![head, Span::styled(piece, style)])],
                width,
            ));
        }
    }
    out
}

fn help(state: &State, scroll: usize, frame: &mut Frame, area: Rect) {
    let lang = state.lang;
    let r = centered(area, 100, area.height.saturating_sub(2));
    let lines = hanging(help_lines(state), (r.width as usize).saturating_sub(2));
    // Scrolling stops at the last line.
    let visible = r.height.saturating_sub(2) as usize;
    let scroll = scroll.min(lines.len().saturating_sub(visible));
    clear(frame, r);
    let p = Paragraph::new(lines)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {} ", lang.t("view.help"))),
        )
        .scroll((scroll.min(u16::MAX as usize) as u16, 0));
    frame.render_widget(p, r);
}

/// The pop-up after a prefix key: what can follow, from the keymap.
fn prefix_popup(state: &State, p: &Prefix, frame: &mut Frame, area: Rect) {
    let lang = state.lang;
    let next = state.keymap.continuations(p.ctx, &p.keys);
    if next.is_empty() {
        return;
    }
    let rows: Vec<(String, String)> = next
        .iter()
        .map(|(key, n)| {
            let what = match n {
                Next::Command(c) => match &c.arg {
                    Some(arg) => lang.f("wording.labelled", &[c.cmd.describe(lang), arg]),
                    None => c.cmd.describe(lang).to_string(),
                },
                Next::More => "…".to_string(),
            };
            (key.to_string(), what)
        })
        .collect();
    let key_w = rows.iter().map(|(k, _)| width(k)).max().unwrap_or(1);
    let text_w = rows.iter().map(|(_, w)| width(w)).max().unwrap_or(1);
    let title = format!(" {} … ", crate::tui::keymap::seq_text(&p.keys));
    let w = ((key_w + 2 + text_w + 2).max(width(&title) + 2) as u16).min(area.width);
    let h = (rows.len() as u16 + 2).min(area.height.saturating_sub(3));
    if h < 3 {
        return;
    }
    // Bottom right, above the hint line, like a note beside the list.
    let r = Rect {
        x: area.x + area.width - w,
        y: (area.y + area.height).saturating_sub(2 + h),
        width: w,
        height: h,
    };
    let inner_w = (w as usize).saturating_sub(2);
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|(k, what)| {
            let rest = inner_w.saturating_sub(key_w + 2);
            Line::from(vec![
                Span::styled(
                    gridbook_domain::text::pad(&k, key_w) + "  ",
                    Style::new().fg(Color::Yellow),
                ),
                Span::raw(truncate(&what, rest)),
            ])
        })
        .collect();
    clear(frame, r);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(Style::new().fg(ACCENT))
                .title(title),
        ),
        r,
    );
}

/// A yes/no question over the layer below, just above the hint line,
/// with the keys that answer it: the hint line's own text, from the keymap.
fn confirm(state: &State, c: &Confirm, frame: &mut Frame, area: Rect) {
    let keys = hints(state);
    let inner = (area.width as usize).saturating_sub(4).max(1);
    let mut lines = crate::tui::wrap::lines(vec![Line::from(c.question.clone())], inner);
    lines.push(Line::styled(keys.clone(), DIM));
    let text_w = width(&c.question).max(width(&keys));
    let w = (text_w as u16 + 4).min(area.width);
    let h = (lines.len() as u16 + 2).min(area.height);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: (area.y + area.height).saturating_sub(2 + h),
        width: w,
        height: h,
    };
    clear(frame, r);
    frame.render_widget(
        Paragraph::new(lines)
            .style(Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .padding(ratatui::widgets::Padding::horizontal(1))
                    .border_style(Style::new().fg(Color::Yellow)),
            ),
        r,
    );
}

fn command(state: &State, input: &LineInput, frame: &mut Frame, area: Rect) {
    let bottom = Rect {
        x: area.x,
        y: area.y + area.height - 1,
        width: area.width,
        height: 1,
    };
    clear(frame, bottom);
    frame.render_widget(
        Paragraph::new(format!(
            ":{}",
            edited_line(&input.edit, 0, (area.width as usize).saturating_sub(1))
        ))
        .style(Style::new().fg(Color::White)),
        bottom,
    );
    if !input.completions.is_empty() {
        let h = (input.completions.len() as u16)
            .min(8)
            .min(area.height.saturating_sub(2));
        let r = Rect {
            x: area.x,
            y: bottom.y.saturating_sub(h + 2),
            width: area.width.min(72),
            height: h + 2,
        };
        let text_w = input
            .completions
            .iter()
            .map(|c| width(&c.text))
            .max()
            .unwrap_or(0);
        let inner_w = (r.width as usize).saturating_sub(2);
        // Show the window of choices that holds the one picked.
        let start = window(
            input.comp_idx.unwrap_or(0),
            input.completions.len(),
            h as usize,
        );
        let lines: Vec<Line> = input
            .completions
            .iter()
            .enumerate()
            .skip(start)
            .take(h as usize)
            .map(|(i, c)| {
                let base = if Some(i) == input.comp_idx {
                    Style::new().add_modifier(Modifier::REVERSED)
                } else {
                    Style::new()
                };
                let text = truncate(&c.text, inner_w);
                let rest = inner_w.saturating_sub(text_w + 2);
                let mut spans = vec![Span::styled(
                    gridbook_domain::text::pad(&text, text_w.min(inner_w)),
                    base,
                )];
                if !c.note.is_empty() && rest > 0 {
                    spans.push(Span::styled(
                        format!("  {}", truncate(&c.note, rest)),
                        base.fg(Color::DarkGray),
                    ));
                }
                Line::from(spans)
            })
            .collect();
        clear(frame, r);
        frame.render_widget(
            Paragraph::new(lines).block(Block::default().borders(Borders::ALL).border_style(DIM)),
            r,
        );
    }
    let _ = state;
}

/// "1 result", "12 results", "200+ results" when the list is capped.
fn results_note(lang: Lang, n: usize) -> String {
    match n {
        n if n >= super::finder::RESULT_CAP => {
            let cap = super::finder::RESULT_CAP.to_string();
            lang.f("entry.results_capped", &[&cap, &cap])
        }
        n => gridbook_core::report::counted(lang, "wording.results", n),
    }
}

/// A name with the matched characters highlighted.
fn highlighted(name: &str, matched: &[usize], base: Style) -> Vec<Span<'static>> {
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            if matched.contains(&i) {
                Span::styled(
                    c.to_string(),
                    base.fg(Color::Yellow).add_modifier(Modifier::BOLD),
                )
            } else {
                Span::styled(c.to_string(), base)
            }
        })
        .collect()
}

fn lookup(state: &State, l: &Lookup, frame: &mut Frame, area: Rect) {
    let lang = state.lang;
    // Full width below the header: results need the room, and nothing of
    // the list underneath peeks out at the sides.
    let r = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(2),
        ..area
    };
    clear(frame, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::new().fg(ACCENT))
        .title(format!(" {} ", lang.t("view.lookup")));
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let [input, list] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    let note = if l.building {
        lang.t("tui.index_building").to_string()
    } else if l.input.edit.is_empty() {
        lang.t("tui.lookup_hint").to_string()
    } else {
        results_note(lang, l.results.len())
    };
    // The overlay covers the status line: what `ctrl-y` did is said here.
    let mut note_line = vec![Span::styled(note, DIM)];
    if let Some(st) = &state.status {
        let style = if st.error {
            Style::new().fg(Color::Red)
        } else {
            Style::new().fg(Color::Green)
        };
        note_line.push(Span::styled(format!(" · {}", st.text), style));
    }
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(format!(
                "/ {}",
                edited_line(&l.input.edit, 0, (input.width as usize).saturating_sub(2))
            )),
            Line::from(note_line),
        ]),
        input,
    );
    let height = list.height as usize;
    let start = window(l.sel, l.results.len(), height);
    let kind_w = l
        .results
        .iter()
        .map(|r| width(&r.kind))
        .max()
        .unwrap_or(4)
        .min(10);
    let phone_w = 13;
    let shown = &l.results[start..(start + height).min(l.results.len())];
    // Names take 12 cells; a gone resident's mark widens the column (up to
    // 22) for the rows shown, so the mark is never cut and columns stay aligned.
    let name_w = shown
        .iter()
        .map(|r| width(&r.name).min(12) + r.gone.as_deref().map_or(0, width))
        .max()
        .unwrap_or(0)
        .clamp(12, 22);
    // Households' heads in a column of their own, padded by display width.
    let contact_w = shown
        .iter()
        .filter_map(|r| r.contact.as_deref())
        .map(width)
        .max()
        .map_or(0, |w| w.min(18) + 1);
    let lines: Vec<Line> = shown
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let base = if start + i == l.sel {
                Style::new().add_modifier(Modifier::REVERSED)
            } else {
                Style::new()
            };
            let mark = h.gone.as_deref().unwrap_or("");
            let shown = truncate(&h.name, name_w.saturating_sub(width(mark)));
            let mut spans = highlighted(&shown, &h.name_match, base);
            if !mark.is_empty() {
                spans.push(Span::styled(mark.to_string(), base.fg(Color::Red)));
            }
            spans.push(Span::styled(
                " ".repeat(name_w.saturating_sub(width(&shown) + width(mark)) + 1),
                base,
            ));
            spans.push(Span::styled(
                gridbook_domain::text::pad(&h.kind, kind_w) + " ",
                base.fg(Color::DarkGray),
            ));
            let phone = match (&h.phone, &h.contact) {
                (Some(p), _) => p.as_str(),
                (None, Some(_)) => "—",
                (None, None) => "",
            };
            spans.push(Span::styled(
                gridbook_domain::text::pad(phone, phone_w) + " ",
                base.fg(ACCENT),
            ));
            if contact_w > 0 {
                let c = truncate(h.contact.as_deref().unwrap_or(""), contact_w - 1);
                spans.push(Span::styled(
                    gridbook_domain::text::pad(&c, contact_w),
                    base,
                ));
            }
            let rest =
                (list.width as usize).saturating_sub(name_w + kind_w + phone_w + contact_w + 4);
            let tail = match &h.cover {
                Some(c) => format!("{}  ← {c}", h.address),
                None => h.address.clone(),
            };
            spans.push(Span::styled(truncate(&tail, rest), base));
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
}

/// Line `row` of a text field in `cols` cells, with the cursor shown as
/// `▏` where it is (between characters, whatever their width).
pub(crate) fn edited_line(input: &TextInput, row: usize, cols: usize) -> String {
    let (shown, at) = input.window(row, cols.saturating_sub(1));
    let Some(at) = at else { return shown };
    let mut out = String::new();
    let mut used = 0;
    let mut placed = false;
    for c in shown.chars() {
        if !placed && used >= at {
            out.push('▏');
            placed = true;
        }
        out.push(c);
        used += width(&c.to_string());
    }
    if !placed {
        out.push('▏');
    }
    out
}

fn form(lang: Lang, f: &Form, frame: &mut Frame, area: Rect) {
    let intro_lines: Vec<String> = f
        .intro
        .as_deref()
        .map(|s| s.lines().map(String::from).collect())
        .unwrap_or_default();
    let label_w = f
        .fields
        .iter()
        .map(|x| width(&x.label))
        .max()
        .unwrap_or(0)
        .min(28);
    // Inline errors wrap under the values, so none is cut short.
    let err_w = 76usize
        .min(area.width.saturating_sub(2) as usize)
        .saturating_sub(label_w + 3);
    let error_lines: Vec<Vec<String>> = f
        .fields
        .iter()
        .map(|x| match &x.error {
            Some(e) => wrap::wrap(&format!("✗ {e}"), err_w),
            None => Vec::new(),
        })
        .collect();
    let errors: usize = error_lines.iter().map(Vec::len).sum();
    let extra_lines: usize = f
        .fields
        .iter()
        .map(|x| x.input.lines().len().saturating_sub(1))
        .sum();
    // A focused multi-select shows its options under it.
    let pick_rows = (area.height as usize).saturating_sub(18).clamp(3, 8);
    let list_h = match f.fields.get(f.focus).map(|x| &x.kind) {
        Some(super::form::FieldKind::Multi(p)) => p.lines(pick_rows).len().max(1) + 1,
        _ => 0,
    };
    let want_h = (intro_lines.len() + f.fields.len() + extra_lines + errors + list_h + 5) as u16;
    let r = centered(area, 78, want_h.max(7));
    clear(frame, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::new().fg(ACCENT))
        .title(format!(" {} ", f.title));
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let inner_w = inner.width as usize;
    let mut lines: Vec<Line> = intro_lines
        .iter()
        .flat_map(|l| wrap::wrap(l, inner_w))
        .map(|l| Line::styled(l, DIM))
        .collect();
    let value_w = inner_w.saturating_sub(label_w + 2);
    for (i, field) in f.fields.iter().enumerate() {
        let focused = i == f.focus;
        let label_style = if focused {
            Style::new().fg(ACCENT).add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        let value_style = if focused {
            Style::new().add_modifier(Modifier::UNDERLINED)
        } else {
            Style::new()
        };
        // Choices and a check's mark are shown whole; text shows the
        // cursor's part of each line, with the cursor where it is.
        let pick = match &field.kind {
            super::form::FieldKind::Multi(p) if focused => Some(p),
            _ => None,
        };
        let rows: Vec<String> = if let Some(p) = pick {
            // What is typed narrows the list; what is marked shows below.
            vec![truncate(&format!("{}▏", p.filter), value_w)]
        } else if !field.takes_text() || (!focused && field.input.is_empty()) {
            vec![truncate(&field.shown(), value_w)]
        } else {
            let prefix = field.prefix();
            let room = value_w.saturating_sub(width(prefix));
            (0..field.input.lines().len())
                .map(|row| {
                    let text = if focused {
                        edited_line(&field.input, row, room)
                    } else {
                        truncate(&field.input.lines()[row], room)
                    };
                    if row == 0 {
                        format!("{prefix}{text}")
                    } else {
                        format!("{}{text}", " ".repeat(width(prefix)))
                    }
                })
                .collect()
        };
        for (row, text) in rows.into_iter().enumerate() {
            let label = if row == 0 {
                gridbook_domain::text::pad(&field.label, label_w)
            } else {
                " ".repeat(label_w)
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{label} "), label_style),
                Span::styled(format!(" {text}"), value_style),
            ]));
        }
        if let Some(p) = pick {
            let pad = " ".repeat(label_w + 1);
            let options = p.lines(pick_rows);
            if options.is_empty() {
                let said = empty_text(lang, !p.filter.trim().is_empty(), "tui.no_options");
                for l in wrap::wrap(&said, value_w) {
                    lines.push(Line::styled(format!("{pad} {l}"), DIM));
                }
            }
            for (text, here) in options {
                let style = if here {
                    Style::new().fg(ACCENT).add_modifier(Modifier::BOLD)
                } else {
                    Style::new()
                };
                lines.push(Line::styled(
                    format!("{pad}{}", truncate(&text, value_w)),
                    style,
                ));
            }
            lines.push(Line::styled(
                format!(
                    "{pad} ✓ {}",
                    truncate(&field.shown(), value_w.saturating_sub(3))
                ),
                DIM,
            ));
        }
        for e in &error_lines[i] {
            lines.push(Line::styled(
                truncate(&format!("{}  {e}", " ".repeat(label_w)), inner_w),
                Style::new().fg(Color::Red),
            ));
        }
    }
    if let Some(e) = &f.save_error {
        for l in wrap::wrap(&format!("✗ {e}"), inner_w) {
            lines.push(Line::styled(l, Style::new().fg(Color::Red)));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Rows with the marked ones flagged `✓` in their first cell (space marks
/// buildings or households); borrowed as they are when nothing is marked.
pub(crate) fn with_marks<'a>(
    rows: &'a [crate::tui::state::Row],
    marked: &[gridbook_domain::model::Id],
) -> std::borrow::Cow<'a, [crate::tui::state::Row]> {
    if marked.is_empty() {
        return std::borrow::Cow::Borrowed(rows);
    }
    std::borrow::Cow::Owned(
        rows.iter()
            .map(|r| {
                let mut r = r.clone();
                if marked.contains(&r.id)
                    && let Some(first) = r.cells.first_mut()
                {
                    *first = format!("✓ {first}");
                }
                r
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Today at 80 columns (78 inside the borders): what, zone, when, call
    /// and a note of care groups.
    #[test]
    fn a_whole_column_keeps_its_width_and_the_note_gives_way() {
        let widths = [18, 18, 15, 18, 40];
        // Left first, the caller is cut to make room for the note's `…`.
        assert!(fit(&widths, 78)[3] < 18);
        let kept = fit_keeping(&widths, 78, &[3]);
        assert_eq!(&kept[..4], &[18, 18, 15, 18]);
        // Two cells for the note are no note: left out, and the column it
        // cut keeps its text.
        assert_eq!(kept[4], 0);
        assert_eq!(
            &fit_keeping(&[18, 18, 15, 18, 17], 78, &[3])[..],
            &[18, 18, 15, 18, 0]
        );
        // With room, the note shows what fits.
        let kept = fit_keeping(&[10, 18, 14, 18, 40], 78, &[3]);
        assert_eq!(&kept[..4], &[10, 18, 14, 18]);
        assert_eq!(kept[4], 78 - 8 - 60);
        // Too narrow for the others: they are cut, never the whole one.
        let kept = fit_keeping(&[19, 21, 16, 20, 40], 78, &[3]);
        assert_eq!(kept[3], 20);
        assert!(kept.iter().sum::<usize>() + 2 * 3 <= 78, "{kept:?}");
        // Nothing kept: as before.
        assert_eq!(fit_keeping(&widths, 78, &[]), fit(&widths, 78));
    }
}
