//! `update(state, msg) -> effects`: every change of the TUI's state, pure and
//! testable without a terminal. I/O is asked for as [`Effect`]s.

use crate::tui::keymap::{Action, Context, Key, Resolved};
use gridbook_core::zoneview::ZoneView;
use gridbook_domain::model::Id;

use super::form::{Form, Purpose};
use super::state::*;

/// What the outside world should do; results come back as [`Msg`]s.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Load a level of the browser, then select `select` if present.
    Load {
        level: Level,
        select: Option<Id>,
    },
    /// Load the detail pane for a zone (or the household itself).
    Detail(Id),
    Report(ReportKind),
    /// Build and open a form that needs the store (choices, current values).
    OpenForm(FormRequest),
    Save(Purpose, Vec<String>),
    Complete(String),
    /// Resolve an address typed by the user and jump there.
    Goto(String),
    /// Jump to a zone by id (from a report or a lookup result).
    GotoId(Id),
    Copy(String),
    /// Run a lookup query.
    Lookup(String),
    /// Preview a roster import.
    ImportPreview(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormRequest {
    New(Level),
    NewMember,
    Edit(RowKind, Id),
    Delete(RowKind, Id),
    Visit(Id),
    Problem(Id),
    Resolve(Id),
    Patrol(Id, Option<gridbook_domain::model::PatrolKind>),
    Assign(Id),
    Amend(Id),
}

#[derive(Clone, Debug)]
pub enum Msg {
    Key(Key),
    Resize(u16, u16),
    /// The store holds nothing yet.
    Empty,
    Loaded {
        level: Level,
        crumbs: Vec<String>,
        columns: Vec<String>,
        rows: Vec<Row>,
        select: Option<Id>,
        /// Levels above, for `back` after a jump.
        stack: Option<Vec<(Level, Id)>>,
    },
    Detail(Id, Box<ZoneView>),
    Report(Report),
    OpenForm(Box<Form>),
    Saved {
        message: String,
    },
    SaveFailed(String),
    Completions(Vec<String>),
    LookupResults {
        query: String,
        rows: Vec<LookupRow>,
        building: bool,
    },
    Status(String, bool),
}

fn status(state: &mut State, text: impl Into<String>, error: bool) {
    state.status = Some(Status {
        text: text.into(),
        error,
    });
}

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => on_key(state, key),
        Msg::Resize(w, h) => {
            state.width = w;
            state.height = h;
            vec![]
        }
        Msg::Empty => {
            state.view = View::Welcome;
            vec![]
        }
        Msg::Loaded {
            level,
            crumbs,
            columns,
            rows,
            select,
            stack,
        } => {
            let mut b = match std::mem::replace(&mut state.view, View::Welcome) {
                View::Browse(b) => b,
                View::Report(_) | View::Welcome => state.browse_behind.take().unwrap_or(Browse {
                    level,
                    crumbs: Vec::new(),
                    columns: Vec::new(),
                    rows: Vec::new(),
                    sel: 0,
                    detail: None,
                    stack: Vec::new(),
                    loading: false,
                }),
            };
            let same_level = b.level == level;
            b.level = level;
            b.crumbs = crumbs;
            b.columns = columns;
            b.rows = rows;
            b.loading = false;
            if let Some(s) = stack {
                b.stack = s;
            }
            let keep = if same_level { b.sel } else { 0 };
            b.sel = select
                .and_then(|id| b.rows.iter().position(|r| r.id == id))
                .unwrap_or(keep)
                .min(b.rows.len().saturating_sub(1));
            // A detail pane for a zone no longer in focus must not linger.
            if b.detail.as_ref().map(|d| d.id.clone()) != detail_target(&b).map(|i| i.to_string()) {
                b.detail = None;
            }
            let effect = detail_effect(&b);
            state.view = View::Browse(b);
            effect.into_iter().collect()
        }
        Msg::Detail(id, view) => {
            if let View::Browse(b) = &mut state.view {
                let current = detail_target(b);
                if current == Some(id) {
                    b.detail = Some(view);
                }
            }
            vec![]
        }
        Msg::Report(r) => {
            if let View::Browse(b) = std::mem::replace(&mut state.view, View::Welcome) {
                state.browse_behind = Some(b);
            }
            state.view = View::Report(r);
            vec![]
        }
        Msg::OpenForm(mut f) => {
            f.lang = state.lang;
            state.overlay = Some(Overlay::Form(f));
            vec![]
        }
        Msg::Saved { message } => {
            state.overlay = None;
            state.changed = true;
            status(state, message, false);
            reload(state)
        }
        Msg::SaveFailed(err) => {
            match state.form_mut() {
                Some(f) => f.save_error = Some(err),
                None => status(state, err, true),
            }
            vec![]
        }
        Msg::Completions(list) => {
            if let Some(Overlay::Command(input)) = &mut state.overlay {
                match list.as_slice() {
                    [] => {}
                    [one] => {
                        input.text = one.clone();
                        input.completions.clear();
                    }
                    _ => {
                        input.text = common_prefix(&list).unwrap_or_else(|| input.text.clone());
                        input.completions = list;
                        input.comp_idx = None;
                    }
                }
            }
            vec![]
        }
        Msg::LookupResults {
            query,
            rows,
            building,
        } => {
            if let Some(Overlay::Lookup(l)) = &mut state.overlay
                && l.input.text == query
            {
                l.results = rows;
                l.building = building;
                l.sel = l.sel.min(l.results.len().saturating_sub(1));
            }
            vec![]
        }
        Msg::Status(text, error) => {
            status(state, text, error);
            vec![]
        }
    }
}

fn common_prefix(list: &[String]) -> Option<String> {
    let first = list.first()?;
    let mut end = first.len();
    for s in &list[1..] {
        end = end.min(
            first
                .char_indices()
                .zip(s.chars())
                .take_while(|((_, a), b)| a == b)
                .last()
                .map_or(0, |((i, a), _)| i + a.len_utf8()),
        );
    }
    Some(first[..end].to_string())
}

/// Which zone the detail pane shows for the current browse state.
fn detail_target(b: &Browse) -> Option<Id> {
    match b.level {
        Level::Household(h) => Some(h),
        _ => b.rows.get(b.sel).map(|r| r.id),
    }
}

fn detail_effect(b: &Browse) -> Option<Effect> {
    detail_target(b).map(Effect::Detail)
}

/// Reloads whatever is on screen after a change.
fn reload(state: &State) -> Vec<Effect> {
    match &state.view {
        View::Browse(b) => vec![Effect::Load {
            level: b.level,
            select: b.rows.get(b.sel).map(|r| r.id),
        }],
        View::Report(r) => vec![Effect::Report(r.kind)],
        View::Welcome => vec![Effect::Load {
            level: Level::Areas,
            select: None,
        }],
    }
}

fn on_key(state: &mut State, key: Key) -> Vec<Effect> {
    let ctx = state.context();
    state.pending.push(key);
    let resolved = state.keymap.resolve(ctx, &state.pending);
    match resolved {
        Resolved::Pending => vec![],
        Resolved::Action(a) => {
            state.pending.clear();
            state.status = None;
            on_action(state, a)
        }
        Resolved::Unbound => {
            let keys = std::mem::take(&mut state.pending);
            if keys.len() > 1 {
                // A sequence that went nowhere: try the last key on its own.
                return on_key(state, key);
            }
            if ctx.takes_text()
                && let Some(c) = key.text()
            {
                return on_text(state, c);
            }
            vec![]
        }
    }
}

fn on_text(state: &mut State, c: char) -> Vec<Effect> {
    match &mut state.overlay {
        Some(Overlay::Form(f)) => {
            f.type_char(c);
            vec![]
        }
        Some(Overlay::Command(input)) => {
            input.text.push(c);
            input.completions.clear();
            vec![]
        }
        Some(Overlay::Lookup(l)) => {
            l.input.text.push(c);
            l.sel = 0;
            vec![Effect::Lookup(l.input.text.clone())]
        }
        _ => vec![],
    }
}

fn move_sel(sel: &mut usize, len: usize, a: Action, page: usize) {
    if len == 0 {
        *sel = 0;
        return;
    }
    *sel = match a {
        Action::Up => sel.saturating_sub(1),
        Action::Down => (*sel + 1).min(len - 1),
        Action::PageUp => sel.saturating_sub(page),
        Action::PageDown => (*sel + page).min(len - 1),
        Action::Top => 0,
        Action::Bottom => len - 1,
        _ => *sel,
    };
}

fn on_action(state: &mut State, a: Action) -> Vec<Effect> {
    if a == Action::Quit {
        state.quit = true;
        return vec![];
    }
    match state.context() {
        Context::Form | Context::Confirm => return form_action(state, a),
        Context::Command => return command_action(state, a),
        Context::Search => return lookup_action(state, a),
        Context::Help => {
            if let Some(Overlay::Help { scroll }) = &mut state.overlay {
                match a {
                    Action::Down => *scroll += 1,
                    Action::Up => *scroll = scroll.saturating_sub(1),
                    Action::Cancel | Action::Help => state.overlay = None,
                    _ => {}
                }
            }
            return vec![];
        }
        _ => {}
    }
    let page = state.page();
    match a {
        Action::Help => {
            state.overlay = Some(Overlay::Help { scroll: 0 });
            vec![]
        }
        Action::Command => {
            state.overlay = Some(Overlay::Command(LineInput::default()));
            vec![]
        }
        Action::Lookup => {
            state.overlay = Some(Overlay::Lookup(Lookup::default()));
            vec![Effect::Lookup(String::new())]
        }
        Action::Today => vec![Effect::Report(ReportKind::Today)],
        Action::Members => vec![Effect::Report(ReportKind::Members)],
        Action::Problems => vec![Effect::Report(ReportKind::Problems)],
        Action::Coverage => vec![Effect::Report(ReportKind::Coverage)],
        Action::MyZones => {
            if state.me.is_none() {
                status(state, state.lang.t("tui.no_me"), true);
                return vec![];
            }
            state.my_zones_only = !state.my_zones_only;
            let key = if state.my_zones_only {
                "tui.my_zones_on"
            } else {
                "tui.my_zones_off"
            };
            status(state, state.lang.t(key), false);
            reload(state)
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => {
            match &mut state.view {
                View::Browse(b) => {
                    let before = b.sel;
                    move_sel(&mut b.sel, b.rows.len(), a, page);
                    if b.sel != before && !matches!(b.level, Level::Household(_)) {
                        return detail_effect(b).into_iter().collect();
                    }
                }
                View::Report(r) => move_sel(&mut r.sel, r.rows.len(), a, page),
                View::Welcome => {}
            }
            vec![]
        }
        Action::Open => match &mut state.view {
            View::Browse(b) => {
                let Some(row) = b.rows.get(b.sel) else {
                    return vec![];
                };
                let next = match (b.level, row.kind) {
                    (Level::Areas, RowKind::Area) => Level::Buildings(row.id),
                    (Level::Buildings(_), RowKind::Building) => Level::Households(row.id),
                    (Level::Households(_), RowKind::Household) => Level::Household(row.id),
                    _ => return vec![],
                };
                b.stack.push((b.level, row.id));
                b.sel = 0;
                b.detail = None;
                b.loading = true;
                vec![Effect::Load {
                    level: next,
                    select: None,
                }]
            }
            View::Report(r) => match r.rows.get(r.sel) {
                Some(row) if row.kind == RowKind::Member => {
                    vec![Effect::Report(ReportKind::MemberZones(row.id))]
                }
                Some(row) if row.kind == RowKind::Problem => {
                    vec![Effect::Report(ReportKind::ProblemHistory(row.id))]
                }
                Some(row) => row.zone.map(Effect::GotoId).into_iter().collect(),
                None => vec![],
            },
            View::Welcome => vec![],
        },
        Action::Back => match &mut state.view {
            View::Browse(b) => match b.stack.pop() {
                Some((level, id)) => {
                    b.detail = None;
                    vec![Effect::Load {
                        level,
                        select: Some(id),
                    }]
                }
                None => vec![],
            },
            View::Report(_) => match state.browse_behind.take() {
                Some(b) => {
                    let effects = detail_effect(&b).into_iter().collect();
                    state.view = View::Browse(b);
                    effects
                }
                None => vec![Effect::Load {
                    level: Level::Areas,
                    select: None,
                }],
            },
            View::Welcome => vec![],
        },
        Action::NextPane | Action::PrevPane => match &state.view {
            // tab flips between a zone's list and its timeline.
            View::Report(r) if matches!(r.kind, ReportKind::Timeline(_)) => {
                on_action(state, Action::Back)
            }
            View::Browse(_) => match zone_in_focus(state) {
                Some(z) => vec![Effect::Report(ReportKind::Timeline(z))],
                None => vec![],
            },
            _ => vec![],
        },
        Action::Filter => {
            if let View::Report(r) = &mut state.view
                && matches!(r.kind, ReportKind::Timeline(_))
            {
                r.filter = (r.filter + 1) % TIMELINE_FILTERS.len();
                r.apply_filter();
                let name = TIMELINE_FILTERS[r.filter];
                let label = if name.is_empty() {
                    state.lang.t("filter.all").to_string()
                } else {
                    state.lang.t(&format!("filter.{name}")).to_string()
                };
                status(state, state.lang.f("tui.filtered", &[&label]), false);
            }
            vec![]
        }
        Action::Sort => {
            if let View::Report(r) = &mut state.view
                && !r.columns.is_empty()
            {
                r.sort = (r.sort + 1) % r.columns.len();
                let col = r.sort;
                r.rows
                    .sort_by(|x, y| cmp_cells(x.cells.get(col), y.cells.get(col)));
                r.sel = 0;
                let name = r.columns[col].clone();
                status(state, state.lang.f("tui.sorted_by", &[&name]), false);
            }
            vec![]
        }
        Action::New => match &state.view {
            View::Browse(b) => vec![Effect::OpenForm(FormRequest::New(b.level))],
            View::Welcome => vec![Effect::OpenForm(FormRequest::New(Level::Areas))],
            View::Report(r) if r.kind == ReportKind::Members => {
                vec![Effect::OpenForm(FormRequest::NewMember)]
            }
            View::Report(_) => vec![],
        },
        Action::Edit | Action::Delete => {
            let Some(row) = state.selected_row() else {
                return vec![];
            };
            if row.kind == RowKind::Event && a == Action::Edit {
                return vec![Effect::OpenForm(FormRequest::Amend(row.id))];
            }
            let editable = matches!(
                row.kind,
                RowKind::Area
                    | RowKind::Building
                    | RowKind::Household
                    | RowKind::Resident
                    | RowKind::Member
            );
            if !editable {
                return vec![];
            }
            let req = if a == Action::Edit {
                FormRequest::Edit(row.kind, row.id)
            } else {
                FormRequest::Delete(row.kind, row.id)
            };
            vec![Effect::OpenForm(req)]
        }
        Action::LogVisit => match household_in_focus(state) {
            Some(h) => vec![Effect::OpenForm(FormRequest::Visit(h))],
            None => {
                status(state, state.lang.t("tui.visit_needs_household"), true);
                vec![]
            }
        },
        Action::ReportProblem => match zone_in_focus(state) {
            Some(z) => vec![Effect::OpenForm(FormRequest::Problem(z))],
            None => vec![],
        },
        Action::Resolve => {
            if let View::Report(r) = &state.view
                && let ReportKind::ProblemHistory(p) = r.kind
            {
                return vec![Effect::OpenForm(FormRequest::Resolve(p))];
            }
            if let Some(row) = state.selected_row()
                && row.kind == RowKind::Problem
            {
                return vec![Effect::OpenForm(FormRequest::Resolve(row.id))];
            }
            match zone_in_focus(state) {
                Some(z) => vec![Effect::OpenForm(FormRequest::Resolve(z))],
                None => vec![],
            }
        }
        Action::Patrol => match patrol_zone(state) {
            Some(z) => vec![Effect::OpenForm(FormRequest::Patrol(z, None))],
            None => {
                status(state, state.lang.t("tui.patrol_needs_zone"), true);
                vec![]
            }
        },
        Action::Assign => match zone_in_focus(state) {
            Some(z) => vec![Effect::OpenForm(FormRequest::Assign(z))],
            None => vec![],
        },
        Action::Yank => {
            let phone = match &state.view {
                View::Browse(b) if matches!(b.level, Level::Household(_)) => {
                    b.rows.get(b.sel).and_then(|r| r.phone.clone()).or_else(|| {
                        b.detail
                            .as_ref()
                            .and_then(|d| d.covered_by.as_ref().map(|c| c.phone.clone()))
                    })
                }
                _ => state.selected_row().and_then(|r| r.phone.clone()),
            };
            match phone {
                Some(p) => {
                    status(state, state.lang.f("tui.copied", &[&p]), false);
                    vec![Effect::Copy(p)]
                }
                None => {
                    status(state, state.lang.t("tui.no_phone"), true);
                    vec![]
                }
            }
        }
        _ => vec![],
    }
}

fn cmp_cells(a: Option<&String>, b: Option<&String>) -> std::cmp::Ordering {
    let (a, b) = (a.map_or("", |s| s), b.map_or("", |s| s));
    let num = |s: &str| s.trim_end_matches('%').parse::<f64>().ok();
    match (num(a), num(b)) {
        // Numbers sort largest first: the busiest member, the oldest problem.
        (Some(x), Some(y)) => y.total_cmp(&x),
        _ => a.cmp(b),
    }
}

/// The household an action applies to: the one we are in, or the selected one.
fn household_in_focus(state: &State) -> Option<Id> {
    match &state.view {
        View::Browse(b) => match b.level {
            Level::Household(h) => Some(h),
            Level::Households(_) => b.rows.get(b.sel).map(|r| r.id),
            _ => None,
        },
        View::Report(r) => r.rows.get(r.sel).and_then(|row| match row.kind {
            RowKind::Household => Some(row.id),
            _ => None,
        }),
        View::Welcome => None,
    }
}

/// The zone an action applies to: the household we are in, else the selected row's zone.
fn zone_in_focus(state: &State) -> Option<Id> {
    match &state.view {
        View::Browse(b) => match b.level {
            Level::Household(h) => Some(h),
            _ => b.rows.get(b.sel).map(|r| r.id),
        },
        View::Report(r) => r.rows.get(r.sel).and_then(|row| row.zone),
        View::Welcome => None,
    }
}

/// Patrols cover areas and buildings: the selected one, or the building we are in.
fn patrol_zone(state: &State) -> Option<Id> {
    match &state.view {
        View::Browse(b) => match b.level {
            Level::Areas | Level::Buildings(_) => b.rows.get(b.sel).map(|r| r.id),
            Level::Households(building) => Some(building),
            // Inside a household: the building it is in.
            Level::Household(_) => b.stack.iter().rev().find_map(|(level, _)| match level {
                Level::Households(building) => Some(*building),
                _ => None,
            }),
        },
        View::Report(r) => r.rows.get(r.sel).and_then(|row| match row.kind {
            RowKind::Area | RowKind::Building => Some(row.id),
            _ => None,
        }),
        View::Welcome => None,
    }
}

fn form_action(state: &mut State, a: Action) -> Vec<Effect> {
    let Some(Overlay::Form(f)) = &mut state.overlay else {
        return vec![];
    };
    if f.confirm_discard {
        match a {
            Action::ConfirmYes => state.overlay = None,
            Action::ConfirmNo | Action::Cancel => f.confirm_discard = false,
            _ => {}
        }
        return vec![];
    }
    match a {
        Action::NextField => f.next(),
        Action::PrevField => f.prev(),
        Action::DeleteChar => f.delete_char(),
        Action::ClearLine => f.clear(),
        Action::ChoicePrev => f.cycle(false),
        Action::ChoiceNext => f.cycle(true),
        Action::Cancel => {
            if f.dirty {
                f.confirm_discard = true;
            } else {
                state.overlay = None;
            }
        }
        Action::Save => {
            f.save_error = None;
            if f.validate() {
                return vec![Effect::Save(f.purpose.clone(), f.values())];
            }
        }
        _ => {}
    }
    vec![]
}

/// The commands `:` understands, for completion and help.
pub const COMMANDS: &[&str] = &[
    "today",
    "members",
    "problems",
    "coverage",
    "timeline",
    "goto ",
    "import ",
    "patrol hygiene",
    "patrol security",
    "help",
    "q",
    "quit",
];

fn command_action(state: &mut State, a: Action) -> Vec<Effect> {
    let Some(Overlay::Command(input)) = &mut state.overlay else {
        return vec![];
    };
    match a {
        Action::Cancel => state.overlay = None,
        Action::DeleteChar => {
            input.text.pop();
            input.completions.clear();
        }
        Action::ClearLine => input.text.clear(),
        Action::Complete => {
            if !input.completions.is_empty() {
                let i = input
                    .comp_idx
                    .map_or(0, |i| (i + 1) % input.completions.len());
                input.comp_idx = Some(i);
                input.text = input.completions[i].clone();
                return vec![];
            }
            return vec![Effect::Complete(input.text.clone())];
        }
        Action::Submit => {
            let line = input.text.trim().to_string();
            state.overlay = None;
            return run_command(state, &line);
        }
        _ => {}
    }
    vec![]
}

/// Runs a command line (`goto 3/2-501`, `members`, `q`).
pub fn run_command(state: &mut State, line: &str) -> Vec<Effect> {
    let (cmd, arg) = line
        .split_once(' ')
        .map_or((line, ""), |(c, a)| (c, a.trim()));
    match cmd {
        "" => vec![],
        "q" | "quit" => {
            state.quit = true;
            vec![]
        }
        "today" => vec![Effect::Report(ReportKind::Today)],
        "members" => vec![Effect::Report(ReportKind::Members)],
        "problems" => vec![Effect::Report(ReportKind::Problems)],
        "coverage" => vec![Effect::Report(ReportKind::Coverage)],
        "timeline" => match zone_in_focus(state) {
            Some(z) => vec![Effect::Report(ReportKind::Timeline(z))],
            None => vec![],
        },
        "help" => {
            state.overlay = Some(Overlay::Help { scroll: 0 });
            vec![]
        }
        "goto" | "g" if !arg.is_empty() => vec![Effect::Goto(arg.to_string())],
        "import" if !arg.is_empty() => vec![Effect::ImportPreview(arg.to_string())],
        "patrol" => match (
            patrol_zone(state),
            gridbook_domain::model::PatrolKind::parse(arg),
        ) {
            (Some(z), kind) => vec![Effect::OpenForm(FormRequest::Patrol(z, kind))],
            (None, _) => {
                status(state, state.lang.t("tui.patrol_needs_zone"), true);
                vec![]
            }
        },
        other => {
            status(state, state.lang.f("tui.unknown_command", &[other]), true);
            vec![]
        }
    }
}

fn lookup_action(state: &mut State, a: Action) -> Vec<Effect> {
    let Some(Overlay::Lookup(l)) = &mut state.overlay else {
        return vec![];
    };
    match a {
        Action::Cancel => state.overlay = None,
        Action::Up | Action::Down => {
            let page = 1;
            move_sel(&mut l.sel, l.results.len(), a, page);
        }
        Action::DeleteChar => {
            l.input.text.pop();
            l.sel = 0;
            return vec![Effect::Lookup(l.input.text.clone())];
        }
        Action::ClearLine => {
            l.input.text.clear();
            l.sel = 0;
            return vec![Effect::Lookup(String::new())];
        }
        Action::Open => {
            let target = l.results.get(l.sel).and_then(|r| r.zone);
            state.overlay = None;
            return target.map(Effect::GotoId).into_iter().collect();
        }
        Action::Yank => {
            if let Some(p) = l.results.get(l.sel).and_then(|r| r.phone.clone()) {
                status(state, state.lang.f("tui.copied", &[&p]), false);
                return vec![Effect::Copy(p)];
            }
        }
        _ => {}
    }
    vec![]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::Keymap;
    use gridbook_domain::i18n::Lang;

    fn state() -> State {
        let (km, _) = Keymap::load(None, None);
        State::new(Lang::En, km, None)
    }

    fn keys(s: &mut State, text: &str) -> Vec<Effect> {
        let mut out = Vec::new();
        for k in text.split_whitespace() {
            out.extend(update(s, Msg::Key(Key::parse(k).unwrap())));
        }
        out
    }

    fn rows(kind: RowKind, n: u128) -> Vec<Row> {
        (1..=n)
            .map(|i| Row {
                id: Id(i),
                kind,
                cells: vec![format!("row {i}")],
                phone: Some(format!("1380000000{i}")),
                zone: Some(Id(i)),
            })
            .collect()
    }

    fn loaded(s: &mut State, level: Level, kind: RowKind, n: u128) -> Vec<Effect> {
        update(
            s,
            Msg::Loaded {
                level,
                crumbs: vec![],
                columns: vec!["name".into()],
                rows: rows(kind, n),
                select: None,
                stack: None,
            },
        )
    }

    fn sel(s: &State) -> usize {
        match &s.view {
            View::Browse(b) => b.sel,
            View::Report(r) => r.sel,
            View::Welcome => usize::MAX,
        }
    }

    #[test]
    fn loading_a_level_asks_for_the_detail_of_the_first_row() {
        let mut s = state();
        let fx = loaded(&mut s, Level::Areas, RowKind::Area, 3);
        assert_eq!(fx, vec![Effect::Detail(Id(1))]);
    }

    #[test]
    fn movement_stays_in_bounds_and_follows_with_the_detail() {
        let mut s = state();
        loaded(&mut s, Level::Areas, RowKind::Area, 3);
        assert_eq!(keys(&mut s, "k"), vec![]);
        assert_eq!(sel(&s), 0);
        assert_eq!(
            keys(&mut s, "j j j j"),
            vec![Effect::Detail(Id(2)), Effect::Detail(Id(3))]
        );
        assert_eq!(sel(&s), 2);
        keys(&mut s, "g g");
        assert_eq!(sel(&s), 0);
        keys(&mut s, "G");
        assert_eq!(sel(&s), 2);
    }

    #[test]
    fn open_drills_down_and_back_returns_to_the_same_row() {
        let mut s = state();
        loaded(&mut s, Level::Areas, RowKind::Area, 3);
        keys(&mut s, "j");
        let fx = keys(&mut s, "enter");
        assert_eq!(
            fx,
            vec![Effect::Load {
                level: Level::Buildings(Id(2)),
                select: None
            }]
        );
        loaded(&mut s, Level::Buildings(Id(2)), RowKind::Building, 5);
        let fx = keys(&mut s, "esc");
        assert_eq!(
            fx,
            vec![Effect::Load {
                level: Level::Areas,
                select: Some(Id(2))
            }]
        );
        // At the top, back does nothing.
        update(
            &mut s,
            Msg::Loaded {
                level: Level::Areas,
                crumbs: vec![],
                columns: vec![],
                rows: rows(RowKind::Area, 3),
                select: Some(Id(2)),
                stack: None,
            },
        );
        assert_eq!(sel(&s), 1);
        assert_eq!(keys(&mut s, "esc"), vec![]);
    }

    #[test]
    fn quit_and_help_and_command_line() {
        let mut s = state();
        loaded(&mut s, Level::Areas, RowKind::Area, 1);
        keys(&mut s, "?");
        assert!(matches!(s.overlay, Some(Overlay::Help { .. })));
        // `q` inside help closes it instead of quitting.
        keys(&mut s, "q");
        assert!(s.overlay.is_none() && !s.quit);
        keys(&mut s, ":");
        for c in "goto sl/3".chars() {
            update(
                &mut s,
                Msg::Key(Key::plain(crate::tui::keymap::KeyName::Char(c))),
            );
        }
        assert_eq!(keys(&mut s, "enter"), vec![Effect::Goto("sl/3".into())]);
        keys(&mut s, ":");
        for c in "q".chars() {
            update(
                &mut s,
                Msg::Key(Key::plain(crate::tui::keymap::KeyName::Char(c))),
            );
        }
        keys(&mut s, "enter");
        assert!(s.quit);
    }

    #[test]
    fn completion_fills_the_common_prefix_then_cycles() {
        let mut s = state();
        s.overlay = Some(Overlay::Command(LineInput {
            text: "goto 胜".into(),
            ..LineInput::default()
        }));
        update(
            &mut s,
            Msg::Completions(vec!["goto 胜利花苑".into(), "goto 胜利新村".into()]),
        );
        let Some(Overlay::Command(input)) = &s.overlay else {
            panic!()
        };
        assert_eq!(input.text, "goto 胜利");
        keys(&mut s, "tab");
        let Some(Overlay::Command(input)) = &s.overlay else {
            panic!()
        };
        assert_eq!(input.text, "goto 胜利花苑");
    }

    #[test]
    fn yank_copies_the_selected_phone() {
        let mut s = state();
        loaded(&mut s, Level::Households(Id(9)), RowKind::Household, 2);
        let fx = keys(&mut s, "j y");
        assert_eq!(fx.last(), Some(&Effect::Copy("13800000002".into())));
        assert!(s.status.as_ref().unwrap().text.contains("13800000002"));
    }

    #[test]
    fn actions_need_the_right_zone() {
        let mut s = state();
        loaded(&mut s, Level::Areas, RowKind::Area, 2);
        assert_eq!(keys(&mut s, "v"), vec![], "no visit on an area");
        assert!(s.status.as_ref().unwrap().error);
        assert_eq!(
            keys(&mut s, "t"),
            vec![Effect::OpenForm(FormRequest::Patrol(Id(1), None))]
        );
        loaded(&mut s, Level::Household(Id(7)), RowKind::Resident, 2);
        assert_eq!(
            keys(&mut s, "v"),
            vec![Effect::OpenForm(FormRequest::Visit(Id(7)))]
        );
        assert_eq!(
            keys(&mut s, "p"),
            vec![Effect::OpenForm(FormRequest::Problem(Id(7)))]
        );
        assert_eq!(
            keys(&mut s, "n"),
            vec![Effect::OpenForm(FormRequest::New(Level::Household(Id(7))))]
        );
    }

    #[test]
    fn a_saved_form_closes_reloads_and_marks_the_session_changed() {
        let mut s = state();
        loaded(&mut s, Level::Areas, RowKind::Area, 2);
        s.overlay = Some(Overlay::Form(Box::new(Form::new(
            Purpose::NewArea,
            "t",
            vec![],
        ))));
        let fx = update(
            &mut s,
            Msg::Saved {
                message: "saved".into(),
            },
        );
        assert!(s.overlay.is_none() && s.changed);
        assert_eq!(
            fx,
            vec![Effect::Load {
                level: Level::Areas,
                select: Some(Id(1))
            }]
        );
        s.overlay = Some(Overlay::Form(Box::new(Form::new(
            Purpose::NewArea,
            "t",
            vec![],
        ))));
        update(&mut s, Msg::SaveFailed("duplicate".into()));
        let Some(Overlay::Form(f)) = &s.overlay else {
            panic!("the form stays open on failure")
        };
        assert_eq!(f.save_error.as_deref(), Some("duplicate"));
    }

    #[test]
    fn stale_lookup_results_are_dropped() {
        let mut s = state();
        keys(&mut s, "/");
        update(
            &mut s,
            Msg::Key(Key::plain(crate::tui::keymap::KeyName::Char('z'))),
        );
        update(
            &mut s,
            Msg::LookupResults {
                query: "old".into(),
                rows: vec![],
                building: false,
            },
        );
        let Some(Overlay::Lookup(l)) = &s.overlay else {
            panic!()
        };
        assert_eq!(l.input.text, "z");
        assert!(l.results.is_empty());
    }
}
