//! `update(state, msg) -> effects`: every change of the TUI's state, pure and
//! testable without a terminal. I/O is asked for as [`Effect`]s; slow work as
//! [`Effect::Job`], whose answer comes back as [`Msg::JobDone`].
//!
//! A key goes to the top layer of the overlay stack, which resolves it in
//! its keymap section to a command string from the command table and runs
//! it (or types it, in a text field); the prefix pop-up passes a finished
//! sequence down to the layer below. With no layer, the screen runs it.

use crate::tui::command::{self, Cmd, Command};
use crate::tui::jobs::{Job, Lane};
use crate::tui::keymap::{Context, Key, Resolved};
use gridbook_core::zoneview::ZoneView;
use gridbook_domain::model::{Id, PatrolKind};

use super::form::{FieldKind, Form, Purpose, Values};
use super::input::Edit;
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
    /// Work that may take longer than a frame, on the job runner.
    Job(u64, Job),
    /// Build and open a form that needs the store (choices, current values).
    OpenForm(FormRequest),
    Save(Purpose, Values),
    /// Complete an address argument on the command line (`goto slhy/3`).
    Complete(String),
    /// Resolve an address typed by the user and jump there.
    Goto(String),
    /// Jump to a zone by id (from a report or a lookup result).
    GotoId(Id),
    Copy(String),
    /// Who I am from now on (`:me NAME`): the runtime's, which knows
    /// where the config lives.
    SetMe(String),
    /// Run a lookup query.
    Lookup(String),
    /// Resolve conflict `item` by keeping its version `keep` (from 1).
    Keep {
        item: Id,
        keep: usize,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormRequest {
    New(Level),
    NewMember,
    Edit(RowKind, Id),
    Delete(RowKind, Id),
    /// Move a resident to another household.
    Move(Id),
    Visit(Id),
    Problem(Id),
    Resolve(Id),
    /// A patrol form in a zone, of a kind (or the one most overdue), with
    /// the fields both checklists share already filled (after a switch).
    Patrol(Id, Option<PatrolKind>, Values),
    Assign(Id),
    Amend(Id),
    /// A service activity in a zone, with a member already marked.
    Activity {
        zone: Id,
        member: Option<Id>,
    },
    /// The marked buildings or households.
    AssignMany(Vec<Id>),
    /// End a responsibility span (the `Assigned` entry's id).
    EndAssignment(Id),
    /// Hand every zone of a member to another.
    Transfer(Id),
}

#[derive(Clone, Debug)]
pub enum Msg {
    Key(Key),
    /// Time passed without a key (the idle privacy screen).
    Tick(std::time::Duration),
    /// Text pasted into the terminal, as one event (bracketed paste).
    Paste(String),
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
    /// The detail pane's chart for a zone.
    Chart(Id, super::charts::Chart),
    /// An area's buildings' households not visited lately, per building.
    NotVisited(Id, Vec<(Id, usize)>),
    Report(Box<Report>),
    /// A building's plan, loaded.
    Plan(Box<super::screens::plan::PlanView>),
    OpenForm(Box<Form>),
    /// The next step of a form (a preview to confirm) in place of the top one.
    ReplaceForm(Box<Form>),
    Saved {
        message: String,
        /// A record the save created: the list selects it.
        select: Option<Id>,
    },
    SaveFailed(String),
    Completions(Vec<Completion>),
    LookupResults {
        query: String,
        rows: Vec<LookupRow>,
        building: bool,
    },
    Status(String, bool),
    /// How many conflicts, attention items and quarantined entries there
    /// are (the header's ⚠).
    Warnings(usize),
    /// A conflict was resolved: what was kept.
    Kept(String),
    /// I am this member now; `saved` is the config file that keeps it,
    /// or why it could not be written (the session keeps it either way).
    Me {
        id: Id,
        name: String,
        saved: Result<String, String>,
    },
    /// A sync finished: its summary line, or its error. Shown even when
    /// another job was asked for meanwhile.
    Synced(String, bool),
    /// A job's answer: the messages it produced, for the ticket it was asked with.
    JobDone {
        ticket: u64,
        msgs: Vec<Msg>,
    },
    /// What commits to the store changed (from a save here or any other
    /// path): the screens showing it refresh ([`super::follow`]).
    Changed(gridbook_store::writes::Changes),
}

fn status(state: &mut State, text: impl Into<String>, error: bool) {
    state.status = Some(Status {
        text: text.into(),
        error,
    });
}

/// Asks for a job the screen does not wait for (its answer is kept
/// whenever it comes, unless a later request replaced it on the runner).
pub fn side_job(state: &mut State, job: Job) -> Effect {
    state.tickets += 1;
    Effect::Job(state.tickets, job)
}

/// Asks for a job; the screen shows it is loading until the answer comes.
/// A pane's job (the zone chart) does not hold up the screen: it is waited
/// for apart, and the pane draws "…" meanwhile.
pub fn start_job(state: &mut State, job: Job) -> Effect {
    state.tickets += 1;
    match job.lane() {
        Lane::Pane => {
            state.pane_ticket = Some(state.tickets);
            return Effect::Job(state.tickets, job);
        }
        Lane::List => {
            state.list_wait = Some(Loading {
                ticket: state.tickets,
                job: job.clone(),
            });
            return Effect::Job(state.tickets, job);
        }
        Lane::Screen => {}
    }
    state.loading = Some(Loading {
        ticket: state.tickets,
        job: job.clone(),
    });
    Effect::Job(state.tickets, job)
}

fn report(state: &mut State, kind: ReportKind) -> Vec<Effect> {
    vec![start_job(state, Job::Report(kind))]
}

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        // The key that wakes the privacy screen does nothing else.
        Msg::Key(_) if state.privacy.key() => vec![],
        Msg::Key(key) => on_key(state, key),
        Msg::Tick(elapsed) => {
            state.privacy.tick(elapsed);
            vec![]
        }
        Msg::Paste(text) => on_paste(state, &text),
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
                View::Report(_) | View::Plan(_) | View::Welcome => {
                    // Loaded afresh: whatever changed behind is in it.
                    state.stale.browse = false;
                    state.browse_behind.take().unwrap_or(Browse {
                        level,
                        crumbs: Vec::new(),
                        columns: Vec::new(),
                        rows: Vec::new(),
                        sel: 0,
                        detail: None,
                        chart: None,
                        stack: Vec::new(),
                        held: Vec::new(),
                        loading: false,
                        marked: Vec::new(),
                    })
                }
            };
            let same_level = b.level == level;
            b.level = level;
            b.crumbs = crumbs;
            b.columns = columns;
            b.rows = rows;
            b.loading = false;
            if let Some(s) = stack {
                // A jump: the lists above are another place's.
                b.stack = s;
                b.held.clear();
            }
            let keep = if same_level { b.sel } else { 0 };
            // Marks belong to one list: another list starts with none.
            if same_level {
                let rows = &b.rows;
                b.marked.retain(|id| rows.iter().any(|r| r.id == *id));
            } else {
                b.marked.clear();
            }
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
            effect.into_iter().chain(list_column(state, true)).collect()
        }
        Msg::Chart(id, chart) => {
            if let View::Browse(b) = &mut state.view
                && detail_target(b) == Some(id)
            {
                b.chart = Some((id, chart));
            }
            vec![]
        }
        Msg::NotVisited(area, counts) => {
            use super::screens::browse::fill_not_visited;
            if let View::Browse(b) = &mut state.view {
                fill_not_visited(b, area, &counts);
            }
            if let Some(b) = &mut state.browse_behind {
                fill_not_visited(b, area, &counts);
            }
            vec![]
        }
        Msg::Detail(id, view) => {
            if let View::Browse(b) = &mut state.view
                && detail_target(b) == Some(id)
            {
                b.detail = Some(view);
                // Its chart follows, off the UI thread.
                return vec![start_job(state, Job::Chart(id))];
            }
            vec![]
        }
        Msg::Report(mut r) => {
            let zones = matches!(r.kind, ReportKind::MemberZones(_));
            match std::mem::replace(&mut state.view, View::Welcome) {
                View::Browse(b) => {
                    state.browse_behind = Some(b);
                    state.stale.browse = false;
                }
                // Reloaded after a change: where `back` goes, the problems
                // view's filter and the selection stay.
                View::Report(old) if old.kind == r.kind => {
                    r.back = r.back.or(old.back);
                    if r.kind == ReportKind::Problems && old.filter != r.filter {
                        super::screens::problems::toggle_resolved(&mut r, state.lang);
                    }
                    // A timeline keeps the kind it was filtered to.
                    if matches!(r.kind, ReportKind::Timeline(_)) && old.filter != r.filter {
                        r.filter = old.filter;
                        super::screens::timeline::apply_filter(&mut r, state.lang);
                    }
                    if old.filter == r.filter {
                        r.sel = old.sel.min(r.rows.len().saturating_sub(1));
                    }
                }
                // A member's zones opened from the members list: `esc`
                // returns to that list.
                View::Report(m) if zones && matches!(m.kind, ReportKind::Members(_)) => {
                    state.members_behind = Some(m);
                    state.stale.members = false;
                }
                _ => {}
            }
            if !zones {
                state.members_behind = None;
            }
            state.view = View::Report(*r);
            vec![]
        }
        Msg::Plan(mut p) => {
            match std::mem::replace(&mut state.view, View::Welcome) {
                View::Browse(b) => {
                    // Opened on a household (selected, or the one we are
                    // in): the cursor starts on its door.
                    let here = match b.level {
                        Level::Household(h) => Some(h),
                        Level::Households(_) => b.rows.get(b.sel).map(|r| r.id),
                        _ => None,
                    };
                    if let Some(h) = here {
                        p.select(h);
                    }
                    state.browse_behind = Some(b);
                    state.stale.browse = false;
                }
                // Reloaded after a change: the cursor stays on its door.
                View::Plan(old) if old.building == p.building => {
                    if let Some(d) = old.current() {
                        p.select(d.door.id);
                    }
                }
                _ => {}
            }
            state.view = View::Plan(p);
            vec![]
        }
        Msg::OpenForm(mut f) => {
            f.set_lang(state.lang);
            state.layers.push(Layer::Form(f));
            vec![]
        }
        Msg::ReplaceForm(mut f) => {
            f.set_lang(state.lang);
            if let Some(i) = state
                .layers
                .iter()
                .rposition(|l| matches!(l, Layer::Form(_)))
            {
                state.layers.truncate(i);
            }
            state.layers.push(Layer::Form(f));
            vec![]
        }
        Msg::Saved { message, select } => {
            // The form, and anything opened over it, closes.
            if let Some(i) = state
                .layers
                .iter()
                .rposition(|l| matches!(l, Layer::Form(_)))
            {
                state.layers.truncate(i);
            }
            state.changed = true;
            // What was marked has been acted on.
            if let View::Browse(b) = &mut state.view {
                b.marked.clear();
            }
            status(state, message, false);
            // The screens refresh from what the commit changed (the
            // `Changed` that follows), selecting what the save created.
            state.select_next = select;
            vec![]
        }
        Msg::Changed(changes) => super::follow::refresh(state, &changes),
        Msg::SaveFailed(err) => {
            match state.form_mut() {
                Some(f) => f.save_error = Some(err),
                None => status(state, err, true),
            }
            vec![]
        }
        Msg::Completions(list) => {
            if let Some(Layer::Command(input)) = state.top_mut() {
                fill_completions(input, list);
            }
            vec![]
        }
        Msg::LookupResults {
            query,
            rows,
            building,
        } => {
            if let Some(Layer::Lookup(l)) = state.top_mut()
                && l.input.text() == query
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
        Msg::Warnings(n) => {
            state.warnings = n;
            vec![]
        }
        Msg::Me { id, name, saved } => {
            let text = match &saved {
                Ok(path) => state.lang.f("tui.me_saved", &[&name, path]),
                Err(why) => state.lang.f("tui.me_session", &[&name, why]),
            };
            state.me = Some((id, name));
            status(state, text, saved.is_err());
            // Today and "my zones" are mine now.
            reload(state)
        }
        Msg::Kept(text) => {
            state.changed = true;
            status(state, text, false);
            report(state, ReportKind::Conflicts)
        }
        Msg::Synced(text, error) => {
            status(state, text, error);
            if error {
                return vec![];
            }
            // What arrived shows at once.
            state.changed = true;
            reload(state)
        }
        Msg::JobDone { ticket, msgs } => {
            // A count is kept whenever it comes.
            if let [Msg::Warnings(n)] = msgs.as_slice() {
                state.warnings = *n;
                return vec![];
            }
            // Only the answer the screen (or the pane) still waits for counts,
            // but what a sync did is said whatever was asked for since.
            if state.pane_ticket == Some(ticket) {
                state.pane_ticket = None;
            } else if state.list_wait.as_ref().map(|l| l.ticket) == Some(ticket) {
                state.list_wait = None;
            } else if state.loading.as_ref().map(|l| l.ticket) == Some(ticket) {
                state.loading = None;
            } else {
                let mut effects = Vec::new();
                for m in msgs {
                    if let m @ Msg::Synced(..) = m {
                        effects.extend(update(state, m));
                    }
                }
                return effects;
            }
            let mut effects = Vec::new();
            for m in msgs {
                effects.extend(update(state, m));
            }
            effects
        }
    }
}

fn fill_completions(input: &mut LineInput, list: Vec<Completion>) {
    match list.as_slice() {
        [] => {}
        [one] => {
            input.edit.set(&one.text);
            input.completions.clear();
        }
        _ => {
            let texts: Vec<String> = list.iter().map(|c| c.text.clone()).collect();
            if let Some(p) = common_prefix(&texts) {
                input.edit.set(&p);
            }
            input.completions = list;
            input.comp_idx = None;
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
pub(super) fn detail_target(b: &Browse) -> Option<Id> {
    match b.level {
        Level::Household(h) => Some(h),
        _ => b.rows.get(b.sel).map(|r| r.id),
    }
}

fn detail_effect(b: &Browse) -> Option<Effect> {
    detail_target(b).map(Effect::Detail)
}

/// The job that fills a column of the list in view still showing "…"
/// (an area's buildings' "not visited" counts). Its answer fills the list
/// only if no later request has replaced it, so a list read afresh (after
/// a commit or a sync) asks again: an answer counted before is dropped.
/// A list shown again as it was (`back`) asks only if nothing waits for
/// the same counts.
fn list_column(state: &mut State, fresh: bool) -> Option<Effect> {
    let View::Browse(b) = &state.view else {
        return None;
    };
    let job = super::screens::browse::not_visited_job(b, state.lang)?;
    if !fresh && state.list_wait.as_ref().is_some_and(|l| l.job == job) {
        return None;
    }
    Some(start_job(state, job))
}

/// Reloads whatever is on screen after a change.
fn reload(state: &mut State) -> Vec<Effect> {
    if let View::Browse(b) = &mut state.view {
        b.forget_held();
    }
    if let Some(b) = &mut state.browse_behind {
        b.forget_held();
    }
    match &state.view {
        View::Browse(b) => vec![Effect::Load {
            level: b.level,
            select: b.rows.get(b.sel).map(|r| r.id),
        }],
        View::Report(r) => {
            let kind = r.kind;
            report(state, kind)
        }
        View::Plan(p) => {
            let b = p.building;
            vec![start_job(state, Job::Plan(b))]
        }
        View::Welcome => vec![Effect::Load {
            level: Level::Areas,
            select: None,
        }],
    }
}

fn on_key(state: &mut State, key: Key) -> Vec<Effect> {
    // With the pop-up open, the key extends its sequence in the section below.
    let (ctx, mut keys) = match state.prefix() {
        Some(p) => (p.ctx, p.keys.clone()),
        None => (state.context(), Vec::new()),
    };
    // Behind the "too small" notice nothing can be seen, so nothing acts
    // but quitting.
    if state.too_small() {
        return match state.keymap.resolve(ctx, &[key]) {
            Resolved::Command(c) if c.cmd == Cmd::Quit => run(state, ctx, c),
            _ => vec![],
        };
    }
    let had_prefix = !keys.is_empty();
    keys.push(key);
    match state.keymap.resolve(ctx, &keys) {
        Resolved::Pending => {
            if had_prefix {
                state.layers.pop();
            }
            state.layers.push(Layer::Keys(Prefix { keys, ctx }));
            vec![]
        }
        Resolved::Command(c) => {
            if had_prefix {
                state.layers.pop();
            }
            state.status = None;
            run(state, ctx, c)
        }
        Resolved::Unbound => {
            if had_prefix {
                // A sequence that went nowhere: try the last key on its own.
                state.layers.pop();
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
    // Space on a choice steps it as `ctrl-n` does (a patrol's kind too).
    if c == ' '
        && let Some(Layer::Form(f)) = state.top()
        && let Some(FieldKind::Choice(_)) = f.fields.get(f.focus).map(|x| &x.kind)
    {
        return form_command(state, Cmd::NextChoice);
    }
    match state.top_mut() {
        Some(Layer::Form(f)) => {
            f.type_char(c);
            vec![]
        }
        Some(Layer::Command(input)) => {
            input.edit.type_char(c);
            input.completions.clear();
            vec![]
        }
        Some(Layer::Lookup(l)) => {
            l.input.edit.type_char(c);
            l.sel = 0;
            vec![Effect::Lookup(l.input.text())]
        }
        _ => vec![],
    }
}

/// Pasted text goes into the field in focus, whole; with no field open it
/// is dropped, so pasted letters never run commands.
fn on_paste(state: &mut State, text: &str) -> Vec<Effect> {
    if state.too_small() {
        return vec![];
    }
    match state.top_mut() {
        Some(Layer::Form(f)) => {
            f.paste(text);
            vec![]
        }
        Some(Layer::Command(input)) => {
            input.edit.paste(text);
            input.completions.clear();
            vec![]
        }
        Some(Layer::Lookup(l)) => {
            l.input.edit.paste(text);
            l.sel = 0;
            vec![Effect::Lookup(l.input.text())]
        }
        _ => {
            status(state, state.lang.t("entry.paste_ignored"), false);
            vec![]
        }
    }
}

/// The editing step a text command stands for, in any text field.
fn text_edit(cmd: Cmd) -> Option<Edit> {
    Some(match cmd {
        Cmd::CursorLeft => Edit::Left,
        Cmd::CursorRight => Edit::Right,
        Cmd::WordLeft => Edit::WordLeft,
        Cmd::WordRight => Edit::WordRight,
        Cmd::LineStart => Edit::Home,
        Cmd::LineEnd => Edit::End,
        Cmd::DeleteChar => Edit::DeleteBack,
        Cmd::DeleteForward => Edit::DeleteForward,
        Cmd::DeleteWord => Edit::DeleteWord,
        Cmd::ClearLine => Edit::DeleteToStart,
        Cmd::NewLine => Edit::Newline,
        _ => return None,
    })
}

fn move_sel(sel: &mut usize, len: usize, cmd: Cmd, page: usize) {
    if len == 0 {
        *sel = 0;
        return;
    }
    *sel = match cmd {
        Cmd::Up => sel.saturating_sub(1),
        Cmd::Down => (*sel + 1).min(len - 1),
        Cmd::PageUp => sel.saturating_sub(page),
        Cmd::PageDown => (*sel + page).min(len - 1),
        Cmd::Top => 0,
        Cmd::Bottom => len - 1,
        _ => *sel,
    };
}

/// Runs a command in `ctx`: the top layer's, or the screen's.
pub fn run(state: &mut State, ctx: Context, c: Command) -> Vec<Effect> {
    if c.cmd == Cmd::Quit {
        // Typed text is not thrown away without asking, as with `esc`;
        // quitting again at the question quits.
        if state.typed_in_form() && !matches!(state.top(), Some(Layer::Confirm(_))) {
            state.layers.push(Layer::Confirm(Confirm {
                question: state.lang.t("entry.quit_discard").to_string(),
                on_yes: OnYes::Quit,
            }));
            return vec![];
        }
        state.quit = true;
        return vec![];
    }
    if !c.cmd.applies(ctx) {
        return vec![];
    }
    match state.top() {
        Some(Layer::Help { .. }) => help_command(state, c.cmd),
        Some(Layer::Command(_)) => command_line(state, c.cmd),
        Some(Layer::Lookup(_)) => lookup_command(state, c.cmd),
        Some(Layer::Form(_)) => form_command(state, c.cmd),
        Some(Layer::Confirm(_)) => confirm_command(state, c.cmd),
        Some(Layer::Keys(_)) | None => screen_command(state, c),
    }
}

fn help_command(state: &mut State, cmd: Cmd) -> Vec<Effect> {
    let page = state.page();
    if let Some(Layer::Help { scroll }) = state.top_mut() {
        match cmd {
            Cmd::Down => *scroll += 1,
            Cmd::Up => *scroll = scroll.saturating_sub(1),
            Cmd::PageDown => *scroll += page,
            Cmd::PageUp => *scroll = scroll.saturating_sub(page),
            Cmd::Top => *scroll = 0,
            // Render clamps the scroll to the help's length.
            Cmd::Bottom => *scroll = usize::MAX / 2,
            Cmd::Cancel | Cmd::Help => state.pop(),
            _ => {}
        }
    }
    vec![]
}

fn screen_command(state: &mut State, c: Command) -> Vec<Effect> {
    let page = state.page();
    let cmd = c.cmd;
    match cmd {
        Cmd::Help => {
            state.layers.push(Layer::Help { scroll: 0 });
            vec![]
        }
        Cmd::Command => {
            state.layers.push(Layer::Command(LineInput::default()));
            vec![]
        }
        Cmd::Lookup => {
            state.layers.push(Layer::Lookup(Lookup::default()));
            vec![Effect::Lookup(String::new())]
        }
        Cmd::Today => report(state, ReportKind::Today),
        Cmd::Conflicts => report(state, ReportKind::Conflicts),
        Cmd::Keep => match &state.view {
            View::Report(r) => match (r.kind, r.rows.get(r.sel)) {
                (ReportKind::ConflictItem(item), Some(_)) => vec![Effect::Keep {
                    item,
                    keep: r.sel + 1,
                }],
                _ => {
                    status(state, state.lang.t("merge.tui.keep_where"), true);
                    vec![]
                }
            },
            _ => {
                status(state, state.lang.t("merge.tui.keep_where"), true);
                vec![]
            }
        },
        Cmd::Members => report(state, ReportKind::Members(Default::default())),
        Cmd::Problems => report(state, ReportKind::Problems),
        Cmd::Coverage => report(state, ReportKind::Coverage),
        Cmd::Timeline => match zone_in_focus(state) {
            Some(z) => report(state, ReportKind::Timeline(z)),
            None => vec![],
        },
        Cmd::Plan => match building_in_focus(state) {
            Some(b) => vec![start_job(state, Job::Plan(b))],
            None => {
                status(state, state.lang.t("tui.plan_needs_building"), true);
                vec![]
            }
        },
        Cmd::Left | Cmd::Right => {
            if let View::Plan(p) = &mut state.view {
                p.step(cmd, page);
            }
            vec![]
        }
        Cmd::Goto => c.arg.map(Effect::Goto).into_iter().collect(),
        Cmd::Sync => vec![start_job(
            state,
            Job::Sync(super::jobs::SyncProgress::default()),
        )],
        Cmd::Import => match c.arg {
            Some(path) => vec![start_job(state, Job::ImportPreview(path))],
            None => vec![],
        },
        Cmd::Me => match c.arg {
            Some(name) => vec![Effect::SetMe(name)],
            None => vec![],
        },
        Cmd::MyZones => {
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
        Cmd::Up | Cmd::Down | Cmd::PageUp | Cmd::PageDown | Cmd::Top | Cmd::Bottom => {
            match &mut state.view {
                View::Browse(b) => {
                    let before = b.sel;
                    move_sel(&mut b.sel, b.rows.len(), cmd, page);
                    if b.sel != before && !matches!(b.level, Level::Household(_)) {
                        return detail_effect(b).into_iter().collect();
                    }
                }
                View::Report(r) => move_sel(&mut r.sel, r.rows.len(), cmd, page),
                View::Plan(p) => p.step(cmd, page),
                View::Welcome => {}
            }
            vec![]
        }
        Cmd::Open => match &mut state.view {
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
                b.held.push(Held {
                    level: b.level,
                    crumbs: b.crumbs.clone(),
                    columns: b.columns.clone(),
                    rows: b.rows.clone(),
                });
                b.sel = 0;
                b.detail = None;
                b.loading = true;
                vec![Effect::Load {
                    level: next,
                    select: None,
                }]
            }
            View::Report(r) => match r.rows.get(r.sel) {
                Some(row) if r.kind == ReportKind::Conflicts => {
                    let id = row.id;
                    report(state, ReportKind::ConflictItem(id))
                }
                Some(row) if row.kind == RowKind::Member => {
                    let id = row.id;
                    report(state, ReportKind::MemberZones(id))
                }
                Some(row) if row.kind == RowKind::Problem => {
                    let id = row.id;
                    report(state, ReportKind::ProblemHistory(id))
                }
                // A timeline entry opens in full; a problem's opens its history.
                Some(row) if row.kind == RowKind::Event => match r.kind {
                    ReportKind::Timeline(zone) => {
                        let id = row.id;
                        report(
                            state,
                            ReportKind::Entry {
                                event: id,
                                from: zone,
                            },
                        )
                    }
                    _ => row.zone.map(Effect::GotoId).into_iter().collect(),
                },
                Some(row) => row.zone.map(Effect::GotoId).into_iter().collect(),
                None => vec![],
            },
            View::Plan(p) => p
                .current()
                .map(|d| Effect::GotoId(d.door.id))
                .into_iter()
                .collect(),
            View::Welcome => vec![],
        },
        Cmd::Back => {
            // Waiting for a report: `back` stops waiting and stays here.
            if state.loading.take().is_some() {
                status(state, state.lang.t("tui.cancelled"), false);
                return vec![];
            }
            if let View::Report(r) = &state.view
                && matches!(r.kind, ReportKind::MemberZones(_))
                && let Some(m) = state.members_behind.take()
            {
                let kind = m.kind;
                state.view = View::Report(m);
                // Changed while out of view: shown as it was, then reloaded.
                if std::mem::take(&mut state.stale.members) {
                    return report(state, kind);
                }
                return vec![];
            }
            match &mut state.view {
                View::Browse(b) => match b.stack.pop() {
                    // The list left by `enter`, unchanged since: shown as
                    // it was (an area's buildings count every household
                    // of the area, too slow to read again on a key).
                    Some((level, id)) => match b.held.pop().filter(|h| h.level == level) {
                        Some(h) => {
                            b.level = h.level;
                            b.crumbs = h.crumbs;
                            b.columns = h.columns;
                            b.rows = h.rows;
                            b.marked.clear();
                            b.sel = b.rows.iter().position(|r| r.id == id).unwrap_or(0);
                            b.detail = None;
                            let effect = detail_effect(b);
                            effect
                                .into_iter()
                                .chain(list_column(state, false))
                                .collect()
                        }
                        None => {
                            b.held.clear();
                            b.detail = None;
                            vec![Effect::Load {
                                level,
                                select: Some(id),
                            }]
                        }
                    },
                    None => vec![],
                },
                View::Report(r) if r.back.is_some() => {
                    let back = r.back.unwrap_or(ReportKind::Today);
                    report(state, back)
                }
                View::Report(_) | View::Plan(_) => match state.browse_behind.take() {
                    Some(b) => {
                        // Changed while out of view: the list reloads (and
                        // its pane with it), else the pane alone.
                        let effects = if std::mem::take(&mut state.stale.browse) {
                            vec![Effect::Load {
                                level: b.level,
                                select: b.rows.get(b.sel).map(|r| r.id),
                            }]
                        } else {
                            detail_effect(&b).into_iter().collect()
                        };
                        state.view = View::Browse(b);
                        let mut effects = effects;
                        if !matches!(effects.first(), Some(Effect::Load { .. })) {
                            effects.extend(list_column(state, false));
                        }
                        effects
                    }
                    None => vec![Effect::Load {
                        level: Level::Areas,
                        select: None,
                    }],
                },
                View::Welcome => vec![],
            }
        }
        Cmd::NextPane | Cmd::PrevPane => match &state.view {
            // tab flips between a zone's list and its timeline.
            View::Report(r) if matches!(r.kind, ReportKind::Timeline(_)) => {
                screen_command(state, Command::new(Cmd::Back))
            }
            View::Browse(_) => match zone_in_focus(state) {
                Some(z) => report(state, ReportKind::Timeline(z)),
                None => vec![],
            },
            _ => vec![],
        },
        Cmd::Filter => {
            if let View::Report(r) = &mut state.view
                && matches!(r.kind, ReportKind::Timeline(_))
            {
                let text = super::screens::timeline::next_filter(r, state.lang);
                status(state, text, false);
            }
            vec![]
        }
        Cmd::ShowResolved => {
            match &mut state.view {
                View::Report(r) if r.kind == ReportKind::Problems => {
                    let text = super::screens::problems::toggle_resolved(r, state.lang);
                    status(state, text, false);
                }
                _ => status(state, state.lang.t("lifecycle.resolved_where"), true),
            }
            vec![]
        }
        Cmd::Sort => {
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
        Cmd::New => match &state.view {
            View::Browse(b) => vec![Effect::OpenForm(FormRequest::New(b.level))],
            View::Welcome => vec![Effect::OpenForm(FormRequest::New(Level::Areas))],
            View::Report(r) if matches!(r.kind, ReportKind::Members(_)) => {
                vec![Effect::OpenForm(FormRequest::NewMember)]
            }
            View::Report(_) | View::Plan(_) => vec![],
        },
        Cmd::Edit | Cmd::Delete => {
            let Some(row) = state.selected_row() else {
                return vec![];
            };
            if row.kind == RowKind::Event && cmd == Cmd::Edit {
                return vec![Effect::OpenForm(FormRequest::Amend(row.id))];
            }
            // A span is never deleted: editing or deleting it sets its end.
            if row.kind == RowKind::Assignment {
                return vec![Effect::OpenForm(FormRequest::EndAssignment(row.id))];
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
            let req = if cmd == Cmd::Edit {
                FormRequest::Edit(row.kind, row.id)
            } else {
                FormRequest::Delete(row.kind, row.id)
            };
            vec![Effect::OpenForm(req)]
        }
        Cmd::Unassign => match state.selected_row() {
            Some(row) if row.kind == RowKind::Assignment => {
                vec![Effect::OpenForm(FormRequest::EndAssignment(row.id))]
            }
            _ => {
                status(state, state.lang.t("officeui.unassign_where"), true);
                vec![]
            }
        },
        Cmd::Cover => match zone_in_focus(state) {
            Some(z) => report(state, ReportKind::Cover(z)),
            None => {
                status(state, state.lang.t("officeui.cover_where"), true);
                vec![]
            }
        },
        Cmd::Transfer => {
            let member = match &state.view {
                View::Report(r) if matches!(r.kind, ReportKind::Members(_)) => r
                    .rows
                    .get(r.sel)
                    .filter(|row| row.kind == RowKind::Member)
                    .map(|row| row.id),
                View::Report(r) => match r.kind {
                    ReportKind::MemberZones(m) => Some(m),
                    _ => None,
                },
                _ => None,
            };
            match member {
                Some(m) => vec![Effect::OpenForm(FormRequest::Transfer(m))],
                None => {
                    status(state, state.lang.t("officeui.transfer_where"), true);
                    vec![]
                }
            }
        }
        Cmd::MoveResident => match state.selected_row() {
            Some(row) if row.kind == RowKind::Resident => {
                vec![Effect::OpenForm(FormRequest::Move(row.id))]
            }
            _ => {
                status(
                    state,
                    state.lang.t("movemerge.tui.move_needs_resident"),
                    true,
                );
                vec![]
            }
        },
        Cmd::LogVisit => match household_in_focus(state) {
            Some(h) => vec![Effect::OpenForm(FormRequest::Visit(h))],
            None => {
                status(state, state.lang.t("tui.visit_needs_household"), true);
                vec![]
            }
        },
        Cmd::ReportProblem => match zone_in_focus(state) {
            Some(z) => vec![Effect::OpenForm(FormRequest::Problem(z))],
            None => vec![],
        },
        Cmd::Resolve => {
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
        Cmd::Patrol => {
            let kind = c.arg.as_deref().and_then(PatrolKind::parse);
            match patrol_zone(state) {
                Some(z) => vec![Effect::OpenForm(FormRequest::Patrol(
                    z,
                    kind,
                    Values::default(),
                ))],
                None => {
                    status(state, state.lang.t("tui.patrol_needs_zone"), true);
                    vec![]
                }
            }
        }
        Cmd::Assign => {
            if let View::Browse(b) = &state.view
                && !b.marked.is_empty()
            {
                return vec![Effect::OpenForm(FormRequest::AssignMany(b.marked.clone()))];
            }
            match zone_in_focus(state) {
                Some(z) => vec![Effect::OpenForm(FormRequest::Assign(z))],
                None => vec![],
            }
        }
        Cmd::Mark => {
            if let View::Browse(b) = &mut state.view
                && matches!(b.level, Level::Buildings(_) | Level::Households(_))
                && let Some(id) = b.rows.get(b.sel).map(|r| r.id)
            {
                match b.marked.iter().position(|m| *m == id) {
                    Some(i) => {
                        b.marked.remove(i);
                    }
                    None => b.marked.push(id),
                }
                // Marking runs down the list, as in a file manager.
                b.sel = (b.sel + 1).min(b.rows.len().saturating_sub(1));
                return detail_effect(b).into_iter().collect();
            }
            status(state, state.lang.t("office.mark_where"), true);
            vec![]
        }
        Cmd::LogActivity => {
            // From the members view: the member selected, in the zone the
            // browser behind it is on.
            let member = state
                .selected_row()
                .filter(|r| r.kind == RowKind::Member)
                .map(|r| r.id);
            let zone = zone_in_focus(state).or_else(|| {
                state.browse_behind.as_ref().and_then(|b| match b.level {
                    Level::Household(h) => Some(h),
                    _ => b.rows.get(b.sel).map(|r| r.id),
                })
            });
            match zone {
                Some(zone) => vec![Effect::OpenForm(FormRequest::Activity { zone, member })],
                None => {
                    status(state, state.lang.t("caretui.activity_needs_zone"), true);
                    vec![]
                }
            }
        }
        Cmd::CareOnly => {
            state.care_only = !state.care_only;
            let key = if state.care_only {
                "caretui.care_only_on"
            } else {
                "caretui.care_only_off"
            };
            status(state, state.lang.t(key), false);
            if matches!(state.view, View::Browse(_) | View::Welcome) {
                reload(state)
            } else {
                vec![]
            }
        }
        Cmd::Period | Cmd::FilterKind | Cmd::FilterTag | Cmd::FilterBranch => {
            let shown = match &state.view {
                View::Report(r) => Some(r.kind),
                _ => None,
            };
            match shown {
                Some(ReportKind::Members(v)) => report(state, ReportKind::Members(v.next(cmd))),
                _ => {
                    status(state, state.lang.t("caretui.members_only"), true);
                    vec![]
                }
            }
        }
        Cmd::CopyPhone => {
            if let View::Plan(p) = &state.view {
                let Some(d) = p.current() else {
                    return vec![];
                };
                return match &d.door.phone {
                    Some(phone) => {
                        let whose = d.door.head.clone().unwrap_or_else(|| d.door.room.clone());
                        let text = state.lang.f("tui.copied_whose", &[phone, &whose]);
                        let phone = phone.clone();
                        status(state, text, false);
                        vec![Effect::Copy(phone)]
                    }
                    None => {
                        status(state, state.lang.t("tui.no_phone"), true);
                        vec![]
                    }
                };
            }
            // Only the selected row's own person: never the covering member's
            // number in place of a resident's.
            let (phone, whose) = state
                .selected_row()
                .map(|r| (r.phone.clone(), r.whose.clone()))
                .unwrap_or_default();
            copy_feedback(state, phone, whose)
        }
        // Commands of layers (forms, the command line, confirm) and quit,
        // handled before the screen is asked.
        Cmd::Quit
        | Cmd::NextField
        | Cmd::PrevField
        | Cmd::Save
        | Cmd::Cancel
        | Cmd::DeleteChar
        | Cmd::ClearLine
        | Cmd::CursorLeft
        | Cmd::CursorRight
        | Cmd::WordLeft
        | Cmd::WordRight
        | Cmd::LineStart
        | Cmd::LineEnd
        | Cmd::DeleteForward
        | Cmd::DeleteWord
        | Cmd::NewLine
        | Cmd::PrevChoice
        | Cmd::NextChoice
        | Cmd::Submit
        | Cmd::Complete
        | Cmd::Yes
        | Cmd::No => vec![],
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

/// The household a command applies to: the one we are in, or the selected one.
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
        View::Plan(p) => p.current().map(|d| d.door.id),
        View::Welcome => None,
    }
}

/// The building the plan is for: the selected building, the one we are
/// in (or whose household we are in), or a building row of a report.
fn building_in_focus(state: &State) -> Option<Id> {
    match &state.view {
        View::Browse(b) => match b.level {
            Level::Areas => None,
            Level::Buildings(_) => b.rows.get(b.sel).map(|r| r.id),
            Level::Households(building) => Some(building),
            Level::Household(_) => b.stack.iter().rev().find_map(|(level, _)| match level {
                Level::Households(building) => Some(*building),
                _ => None,
            }),
        },
        View::Report(r) => r.rows.get(r.sel).and_then(|row| match row.kind {
            RowKind::Building => Some(row.id),
            _ => None,
        }),
        View::Plan(p) => Some(p.building),
        View::Welcome => None,
    }
}

/// The zone a command applies to: the household we are in, else the selected row's zone.
fn zone_in_focus(state: &State) -> Option<Id> {
    match &state.view {
        View::Browse(b) => match b.level {
            Level::Household(h) => Some(h),
            _ => b.rows.get(b.sel).map(|r| r.id),
        },
        View::Report(r) => r.rows.get(r.sel).and_then(|row| row.zone),
        View::Plan(p) => p.current().map(|d| d.door.id),
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
        View::Plan(p) => Some(p.building),
        View::Welcome => None,
    }
}

/// A patrol's kind decides its checklist: stepping the kind field (`←`/`→`,
/// `ctrl-n`/`ctrl-p`, space) reopens the form on the other checklist, so
/// the kind shown is always the kind saved. The note, the time and whether
/// to open problems carry over; answered items would not, so that asks
/// first. `None` when `cmd` is not such a step.
fn switch_patrol(state: &mut State, cmd: Cmd) -> Option<Vec<Effect>> {
    let forward = match cmd {
        Cmd::CursorRight | Cmd::NextChoice => true,
        Cmd::CursorLeft | Cmd::PrevChoice => false,
        _ => return None,
    };
    let Some(Layer::Form(f)) = state.top() else {
        return None;
    };
    let Purpose::Patrol { zone, kind } = f.purpose else {
        return None;
    };
    if f.fields.get(f.focus).is_none_or(|x| x.name != "kind") {
        return None;
    }
    let mut probe = f.clone();
    probe.cycle(forward);
    let new = PatrolKind::parse(&probe.fields[probe.focus].output()).filter(|k| *k != kind)?;
    let keep = Values(
        f.fields
            .iter()
            .filter(|x| matches!(x.name, "note" | "when" | "open_problems"))
            .map(|x| (x.name, x.output()))
            .collect(),
    );
    let answered = f
        .fields
        .iter()
        .any(|x| x.name == "check" && x.output() != "ok");
    if answered {
        let question = state.lang.f(
            "form.patrol_switch",
            &[&state.lang.label("patrol", new.code())],
        );
        state.layers.push(Layer::Confirm(Confirm {
            question,
            on_yes: OnYes::SwitchPatrol {
                zone,
                kind: new,
                keep,
            },
        }));
        return Some(vec![]);
    }
    state.pop();
    Some(vec![Effect::OpenForm(FormRequest::Patrol(
        zone,
        Some(new),
        keep,
    ))])
}

fn form_command(state: &mut State, cmd: Cmd) -> Vec<Effect> {
    let lang = state.lang;
    if let Some(effects) = switch_patrol(state, cmd) {
        return effects;
    }
    let Some(Layer::Form(f)) = state.top_mut() else {
        return vec![];
    };
    if let Some(e) = text_edit(cmd) {
        f.edit(e);
        return vec![];
    }
    if let Cmd::PrevChoice | Cmd::NextChoice = cmd {
        f.cycle(cmd == Cmd::NextChoice);
        return vec![];
    }
    match cmd {
        Cmd::NextField => f.next(),
        Cmd::PrevField => f.prev(),
        Cmd::Cancel => {
            if f.dirty {
                // What was typed is not thrown away without asking.
                state.layers.push(Layer::Confirm(Confirm {
                    question: lang.t("form.discard").to_string(),
                    on_yes: OnYes::DiscardForm,
                }));
            } else {
                state.pop();
            }
        }
        Cmd::Save => {
            f.save_error = None;
            if f.validate() {
                return vec![Effect::Save(f.purpose.clone(), f.values())];
            }
        }
        _ => {}
    }
    vec![]
}

fn confirm_command(state: &mut State, cmd: Cmd) -> Vec<Effect> {
    let Some(Layer::Confirm(c)) = state.top() else {
        return vec![];
    };
    let on_yes = c.on_yes.clone();
    match cmd {
        Cmd::Yes => {
            state.pop();
            match on_yes {
                OnYes::DiscardForm => state.pop(),
                OnYes::Quit => state.quit = true,
                OnYes::SwitchPatrol { zone, kind, keep } => {
                    state.pop();
                    return vec![Effect::OpenForm(FormRequest::Patrol(
                        zone,
                        Some(kind),
                        keep,
                    ))];
                }
            }
        }
        Cmd::No | Cmd::Cancel => state.pop(),
        _ => {}
    }
    vec![]
}

/// What `tab` offers for the text typed so far: command names and their
/// fixed arguments from the table; addresses are asked of the store.
fn complete(text: &str, lang: gridbook_domain::i18n::Lang) -> Result<Vec<Completion>, Effect> {
    if command::completing_arg(text).is_some() {
        return Err(Effect::Complete(text.to_string()));
    }
    Ok(command::complete_name(text)
        .into_iter()
        .map(|(text, cmd)| Completion {
            text,
            note: cmd.describe(lang).to_string(),
        })
        .collect())
}

fn command_line(state: &mut State, cmd: Cmd) -> Vec<Effect> {
    let lang = state.lang;
    let Some(Layer::Command(input)) = state.top_mut() else {
        return vec![];
    };
    if let Some(e) = text_edit(cmd) {
        if input.edit.edit(e) {
            input.completions.clear();
        }
        return vec![];
    }
    match cmd {
        Cmd::Cancel => state.pop(),
        Cmd::Complete => {
            if !input.completions.is_empty() {
                let i = input
                    .comp_idx
                    .map_or(0, |i| (i + 1) % input.completions.len());
                input.comp_idx = Some(i);
                input.edit.set(&input.completions[i].text);
                return vec![];
            }
            match complete(&input.text(), lang) {
                Ok(list) => fill_completions(input, list),
                Err(effect) => return vec![effect],
            }
        }
        Cmd::Submit => {
            let line = input.text().trim().to_string();
            state.pop();
            return run_line(state, &line);
        }
        _ => {}
    }
    vec![]
}

/// Runs a command line (`goto 3/2-501`, `members`, `q`) on the screen.
pub fn run_line(state: &mut State, line: &str) -> Vec<Effect> {
    if line.trim().is_empty() {
        return vec![];
    }
    match Command::parse(line) {
        Ok(c) if c.cmd == Cmd::Quit || c.cmd.applies(Context::Browse) => {
            run(state, Context::Browse, c)
        }
        Ok(c) => {
            let text = state.lang.f("cmd.not_here", &[c.cmd.name()]);
            status(state, text, true);
            vec![]
        }
        Err(e) => {
            let text = e.message(state.lang);
            status(state, text, true);
            vec![]
        }
    }
}

/// `y`: copies `phone` and says whose it is, or says who has none.
fn copy_feedback(state: &mut State, phone: Option<String>, whose: Option<String>) -> Vec<Effect> {
    let lang = state.lang;
    match (phone, whose) {
        (Some(p), Some(w)) => {
            status(state, lang.f("contacts.copied", &[&w, &p]), false);
            vec![Effect::Copy(p)]
        }
        (Some(p), None) => {
            status(state, lang.f("tui.copied", &[&p]), false);
            vec![Effect::Copy(p)]
        }
        (None, Some(w)) => {
            status(state, lang.f("contacts.no_phone_of", &[&w]), true);
            vec![]
        }
        (None, None) => {
            status(state, lang.t("tui.no_phone"), true);
            vec![]
        }
    }
}

fn lookup_command(state: &mut State, cmd: Cmd) -> Vec<Effect> {
    let Some(Layer::Lookup(l)) = state.top_mut() else {
        return vec![];
    };
    if let Some(e) = text_edit(cmd) {
        if l.input.edit.edit(e) {
            l.sel = 0;
            return vec![Effect::Lookup(l.input.text())];
        }
        return vec![];
    }
    match cmd {
        Cmd::Cancel => state.pop(),
        Cmd::Up | Cmd::Down => move_sel(&mut l.sel, l.results.len(), cmd, 1),
        Cmd::Open => {
            let (member, target) = l
                .results
                .get(l.sel)
                .map(|r| (r.member, r.zone))
                .unwrap_or_default();
            state.pop();
            // A member opens as themselves (their zones), not as a place.
            if let Some(m) = member {
                return report(state, ReportKind::MemberZones(m));
            }
            return target.map(Effect::GotoId).into_iter().collect();
        }
        Cmd::CopyPhone => {
            let (phone, whose) = l
                .results
                .get(l.sel)
                .map(|r| (r.phone.clone(), r.whose.clone()))
                .unwrap_or_default();
            return copy_feedback(state, phone, whose);
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

    fn type_text(s: &mut State, text: &str) {
        for c in text.chars() {
            let k = if c == ' ' {
                crate::tui::keymap::KeyName::Space
            } else {
                crate::tui::keymap::KeyName::Char(c)
            };
            update(s, Msg::Key(Key::plain(k)));
        }
    }

    fn rows(kind: RowKind, n: u128) -> Vec<Row> {
        (1..=n)
            .map(|i| Row {
                id: Id(i),
                kind,
                cells: vec![format!("row {i}")],
                phone: Some(format!("1380000000{i}")),
                whose: None,
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
            View::Plan(p) => p.row,
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
        // The areas as `enter` left them: shown again without a load,
        // only the pane of the row asks for its detail.
        let fx = keys(&mut s, "esc");
        assert_eq!(fx, vec![Effect::Detail(Id(2))]);
        assert!(matches!(&s.view, View::Browse(b) if b.level == Level::Areas && b.rows.len() == 3));
        assert_eq!(sel(&s), 1);
        // At the top, back does nothing.
        assert_eq!(keys(&mut s, "esc"), vec![]);
    }

    #[test]
    fn after_a_commit_back_reads_the_list_above_again() {
        use gridbook_store::writes::Changes;
        let mut s = state();
        loaded(&mut s, Level::Areas, RowKind::Area, 3);
        keys(&mut s, "j enter");
        loaded(&mut s, Level::Buildings(Id(2)), RowKind::Building, 5);
        keys(&mut s, "enter");
        loaded(&mut s, Level::Households(Id(1)), RowKind::Household, 4);
        // Anything written may count in a list above (a visit changes an
        // area's "not visited" column), wherever it was.
        let far = Changes {
            zones: [Id(99)].into_iter().collect(),
            ..Changes::default()
        };
        update(&mut s, Msg::Changed(far));
        assert_eq!(
            keys(&mut s, "esc"),
            vec![Effect::Load {
                level: Level::Buildings(Id(2)),
                select: Some(Id(1))
            }]
        );
        loaded(&mut s, Level::Buildings(Id(2)), RowKind::Building, 5);
        assert_eq!(
            keys(&mut s, "esc"),
            vec![Effect::Load {
                level: Level::Areas,
                select: Some(Id(2))
            }]
        );
        // A jump (`goto`, a lookup) starts from lists of another place.
        loaded(&mut s, Level::Areas, RowKind::Area, 3);
        keys(&mut s, "enter");
        update(
            &mut s,
            Msg::Loaded {
                level: Level::Buildings(Id(3)),
                crumbs: vec![],
                columns: vec![],
                rows: rows(RowKind::Building, 2),
                select: None,
                stack: Some(vec![(Level::Areas, Id(3))]),
            },
        );
        assert_eq!(
            keys(&mut s, "esc"),
            vec![Effect::Load {
                level: Level::Areas,
                select: Some(Id(3))
            }]
        );
    }

    #[test]
    fn quit_and_help_and_command_line() {
        let mut s = state();
        loaded(&mut s, Level::Areas, RowKind::Area, 1);
        keys(&mut s, "?");
        assert!(matches!(s.layers.last(), Some(Layer::Help { .. })));
        // `q` inside help closes it instead of quitting.
        keys(&mut s, "q");
        assert!(s.layers.is_empty() && !s.quit);
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
        s.layers.push(Layer::Command(LineInput::new("goto 胜")));
        let c = |t: &str| Completion {
            text: t.into(),
            note: String::new(),
        };
        update(
            &mut s,
            Msg::Completions(vec![c("goto 胜利花苑"), c("goto 胜利新村")]),
        );
        let Some(Layer::Command(input)) = s.layers.last() else {
            panic!()
        };
        assert_eq!(input.text(), "goto 胜利");
        keys(&mut s, "tab");
        let Some(Layer::Command(input)) = s.layers.last() else {
            panic!()
        };
        assert_eq!(input.text(), "goto 胜利花苑");
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
            vec![Effect::OpenForm(FormRequest::Patrol(
                Id(1),
                None,
                Values::default()
            ))]
        );
        // The same command with an argument, from the command line.
        keys(&mut s, ":");
        type_text(&mut s, "patrol security");
        assert_eq!(
            keys(&mut s, "enter"),
            vec![Effect::OpenForm(FormRequest::Patrol(
                Id(1),
                Some(PatrolKind::Security),
                Values::default()
            ))]
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
        s.layers.push(Layer::Form(Box::new(Form::new(
            Purpose::NewArea,
            "t",
            vec![],
        ))));
        let fx = update(
            &mut s,
            Msg::Saved {
                message: "saved".into(),
                select: Some(Id(9)),
            },
        );
        assert!(s.layers.is_empty() && s.changed);
        // The reload comes from what the commit changed, and selects what
        // the save created.
        assert_eq!(fx, vec![]);
        let mut new_area = gridbook_store::writes::Changes::default();
        new_area
            .records
            .insert(Id(9), gridbook_domain::model::Kind::Area);
        assert_eq!(
            update(&mut s, Msg::Changed(new_area)),
            vec![Effect::Load {
                level: Level::Areas,
                select: Some(Id(9))
            }]
        );
        s.layers.push(Layer::Form(Box::new(Form::new(
            Purpose::NewArea,
            "t",
            vec![],
        ))));
        update(&mut s, Msg::SaveFailed("duplicate".into()));
        let Some(Layer::Form(f)) = s.layers.last() else {
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
        let Some(Layer::Lookup(l)) = s.layers.last() else {
            panic!()
        };
        assert_eq!(l.input.text(), "z");
        assert!(l.results.is_empty());
    }

    fn report_msg(kind: ReportKind) -> Msg {
        Msg::Report(Box::new(Report::new(
            kind,
            format!("{kind:?}"),
            vec![],
            vec!["c".into()],
            rows(RowKind::Zone, 2),
        )))
    }

    #[test]
    fn a_prefix_key_opens_the_pop_up_and_the_next_key_runs_the_sequence() {
        let mut s = state();
        loaded(&mut s, Level::Areas, RowKind::Area, 3);
        keys(&mut s, "j j");
        assert_eq!(keys(&mut s, "g"), vec![]);
        let Some(p) = s.prefix() else {
            panic!("the pop-up is open")
        };
        assert_eq!(p.ctx, Context::Browse);
        assert_eq!(crate::tui::keymap::seq_text(&p.keys), "g");
        // `g g` runs `top` and closes the pop-up.
        keys(&mut s, "g");
        assert!(s.layers.is_empty());
        assert_eq!(sel(&s), 0);
        // `g t` asks for today's list as a job.
        let fx = keys(&mut s, "g t");
        assert_eq!(fx, vec![Effect::Job(1, Job::Report(ReportKind::Today))]);
        // A key that continues nothing closes the pop-up and counts alone.
        keys(&mut s, "g j");
        assert!(s.layers.is_empty());
        assert_eq!(sel(&s), 1);
        // `esc` is not bound after `g`: back, on its own.
        keys(&mut s, "g");
        assert!(s.prefix().is_some());
        keys(&mut s, "esc");
        assert!(s.prefix().is_none());
    }

    #[test]
    fn jobs_answer_by_ticket_and_the_latest_request_wins() {
        let mut s = state();
        loaded(&mut s, Level::Areas, RowKind::Area, 3);
        let fx = keys(&mut s, "g c");
        assert_eq!(fx, vec![Effect::Job(1, Job::Report(ReportKind::Coverage))]);
        assert_eq!(s.loading.as_ref().map(|l| l.ticket), Some(1));
        // The screen stays usable while the job runs.
        keys(&mut s, "j");
        assert_eq!(sel(&s), 1);
        let fx = keys(&mut s, "g m");
        assert_eq!(
            fx,
            vec![Effect::Job(
                2,
                Job::Report(ReportKind::Members(Default::default()))
            )]
        );
        // The coverage answer comes late: nobody waits for it any more.
        update(
            &mut s,
            Msg::JobDone {
                ticket: 1,
                msgs: vec![report_msg(ReportKind::Coverage)],
            },
        );
        assert!(matches!(s.view, View::Browse(_)));
        assert!(s.loading.is_some());
        update(
            &mut s,
            Msg::JobDone {
                ticket: 2,
                msgs: vec![report_msg(ReportKind::Members(Default::default()))],
            },
        );
        assert!(matches!(&s.view, View::Report(r) if matches!(r.kind, ReportKind::Members(_))));
        assert!(s.loading.is_none());
        // `back` while waiting stops the wait and stays on this screen.
        keys(&mut s, "g p");
        keys(&mut s, "esc");
        assert!(s.loading.is_none());
        assert!(matches!(&s.view, View::Report(r) if matches!(r.kind, ReportKind::Members(_))));
        update(
            &mut s,
            Msg::JobDone {
                ticket: 3,
                msgs: vec![report_msg(ReportKind::Problems)],
            },
        );
        assert!(matches!(&s.view, View::Report(r) if matches!(r.kind, ReportKind::Members(_))));
    }

    #[test]
    fn confirm_is_a_layer_over_the_form() {
        let mut s = state();
        loaded(&mut s, Level::Areas, RowKind::Area, 1);
        s.layers.push(Layer::Form(Box::new(Form::new(
            Purpose::NewArea,
            "t",
            vec![crate::tui::form::Field::new(
                "name",
                "name",
                crate::tui::form::FieldKind::Text,
                "",
            )],
        ))));
        // A clean form closes at once.
        keys(&mut s, "esc");
        assert!(s.layers.is_empty());
        s.layers.push(Layer::Form(Box::new(Form::new(
            Purpose::NewArea,
            "t",
            vec![crate::tui::form::Field::new(
                "name",
                "name",
                crate::tui::form::FieldKind::Text,
                "",
            )],
        ))));
        type_text(&mut s, "张");
        keys(&mut s, "esc");
        assert_eq!(s.context(), Context::Confirm);
        assert!(matches!(
            s.layers.as_slice(),
            [Layer::Form(_), Layer::Confirm(_)]
        ));
        // `n` keeps the form and what was typed.
        keys(&mut s, "n");
        assert_eq!(
            s.form().map(|f| f.values().get("name").to_string()),
            Some("张".to_string())
        );
        assert_eq!(s.context(), Context::Form);
        keys(&mut s, "esc y");
        assert!(s.layers.is_empty());
    }

    #[test]
    fn the_command_line_runs_command_strings_and_old_names() {
        let mut s = state();
        loaded(&mut s, Level::Households(Id(9)), RowKind::Household, 2);
        keys(&mut s, ":");
        type_text(&mut s, "log visit");
        assert_eq!(
            keys(&mut s, "enter"),
            vec![Effect::OpenForm(FormRequest::Visit(Id(1)))]
        );
        s.layers.clear();
        keys(&mut s, ":");
        type_text(&mut s, "log_visit");
        assert_eq!(
            keys(&mut s, "enter"),
            vec![Effect::OpenForm(FormRequest::Visit(Id(1)))]
        );
        s.layers.clear();
        keys(&mut s, ":");
        type_text(&mut s, "save");
        assert_eq!(keys(&mut s, "enter"), vec![]);
        let st = s.status.clone().unwrap();
        assert!(st.error && st.text.contains("save"), "{}", st.text);
        keys(&mut s, ":");
        type_text(&mut s, "covrage");
        keys(&mut s, "enter");
        let st = s.status.clone().unwrap();
        assert!(st.error && st.text.contains("coverage"), "{}", st.text);
    }

    #[test]
    fn tab_completes_command_names_from_the_table() {
        let mut s = state();
        loaded(&mut s, Level::Areas, RowKind::Area, 1);
        keys(&mut s, ":");
        type_text(&mut s, "cov");
        assert_eq!(keys(&mut s, "tab"), vec![]);
        let Some(Layer::Command(input)) = s.layers.last() else {
            panic!()
        };
        assert_eq!(input.text(), "coverage");
        keys(&mut s, "ctrl-u");
        type_text(&mut s, "p");
        keys(&mut s, "tab");
        let Some(Layer::Command(input)) = s.layers.last() else {
            panic!()
        };
        let offered: Vec<&str> = input.completions.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            offered,
            vec![
                "page up",
                "page down",
                "prev pane",
                "patrol",
                "patrol hygiene",
                "patrol security",
                "problems",
                "plan",
                "period"
            ]
        );
        assert!(input.completions.iter().all(|c| !c.note.is_empty()));
        // An address is completed from the store.
        keys(&mut s, "ctrl-u");
        type_text(&mut s, "goto sl");
        assert_eq!(
            keys(&mut s, "tab"),
            vec![Effect::Complete("goto sl".into())]
        );
    }

    #[test]
    fn care_filter_activity_form_and_the_members_period_are_commands() {
        let mut s = state();
        loaded(&mut s, Level::Households(Id(9)), RowKind::Household, 2);
        // `c` narrows the browser and reloads the level in view.
        keys(&mut s, "j");
        let fx = keys(&mut s, "c");
        assert!(s.care_only);
        assert_eq!(
            fx,
            vec![Effect::Load {
                level: Level::Households(Id(9)),
                select: Some(Id(2))
            }]
        );
        // `A` logs an activity in the zone in focus.
        assert_eq!(
            keys(&mut s, "A"),
            vec![Effect::OpenForm(FormRequest::Activity {
                zone: Id(2),
                member: None
            })]
        );
        // Off the members view, the period key says where it works.
        assert_eq!(keys(&mut s, "P"), vec![]);
        assert!(s.status.as_ref().unwrap().error);
        // On it, `P` and `K` ask for the report again with the next
        // period and kind; `A` marks the selected member, in the zone of
        // the browser behind.
        keys(&mut s, "g m");
        let v = crate::tui::screens::members::MembersView::default();
        update(&mut s, report_msg(ReportKind::Members(v)));
        if let View::Report(r) = &mut s.view {
            for row in &mut r.rows {
                row.kind = RowKind::Member;
                row.zone = None;
            }
        }
        let asked = |fx: Vec<Effect>| match fx.as_slice() {
            [Effect::Job(_, Job::Report(k))] => Some(*k),
            _ => None,
        };
        let p = keys(&mut s, "P");
        assert_eq!(asked(p), Some(ReportKind::Members(v.next(Cmd::Period))));
        let k = keys(&mut s, "K");
        assert_eq!(asked(k), Some(ReportKind::Members(v.next(Cmd::FilterKind))));
        assert_eq!(
            keys(&mut s, "j A"),
            vec![Effect::OpenForm(FormRequest::Activity {
                zone: Id(2),
                member: Some(Id(2))
            })]
        );
    }
}
