//! Everything the screen shows, and nothing it does not: the TUI's state.

use crate::tui::jobs::Job;
use crate::tui::keymap::{Context, Key, Keymap};
use gridbook_core::zoneview::ZoneView;
use gridbook_domain::i18n::Lang;
use gridbook_domain::model::Id;

use super::form::{Form, Purpose};

/// A level of the hierarchy browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Areas,
    Buildings(Id),
    Households(Id),
    /// Inside one household: its residents.
    Household(Id),
}

/// What a row of a list stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RowKind {
    Area,
    Building,
    Household,
    Resident,
    Member,
    Problem,
    /// A timeline entry.
    Event,
    /// A row that jumps to a zone (reports).
    Zone,
    /// A responsibility span (member's zones, a zone's cover): its id is the
    /// `Assigned` entry's, its zone the zone; `e`/`d`/`u` end it.
    Assignment,
}

/// (Serde for the saved first screen, [`super::firstscreen`].)
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Row {
    pub id: Id,
    pub kind: RowKind,
    pub cells: Vec<String>,
    /// The phone `y` copies.
    pub phone: Option<String>,
    /// Whose number `phone` is, or who has none: `y` always names them.
    pub whose: Option<String>,
    /// The zone `enter` jumps to from a report, and actions apply to.
    pub zone: Option<Id>,
}

#[derive(Clone, Debug)]
pub struct Browse {
    pub level: Level,
    /// Breadcrumb names from the area down.
    pub crumbs: Vec<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
    pub sel: usize,
    /// The selected row's zone (or the household itself when inside one).
    pub detail: Option<Box<ZoneView>>,
    /// Visits per week of the zone in the detail pane (by its id).
    pub chart: Option<(Id, super::charts::Chart)>,
    /// Where `back` returns to, with the selection there.
    pub stack: Vec<(Level, Id)>,
    /// The lists above, as they were when `enter` left them (innermost
    /// last): `back` shows one again without reading the store, unless a
    /// commit since has dropped them ([`Browse::forget_held`]).
    pub held: Vec<Held>,
    pub loading: bool,
    /// Rows marked with space (buildings or households), in marking order:
    /// `a` then assigns one member to all of them.
    pub marked: Vec<Id>,
}

/// A list of the browser kept for `back`.
#[derive(Clone, Debug)]
pub struct Held {
    pub level: Level,
    pub crumbs: Vec<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

impl Browse {
    /// Whatever was written may show in a list above: `back` reads it again.
    pub fn forget_held(&mut self) {
        self.held.clear();
    }
}

pub use super::screens::ReportKind;

/// A table view over a report (today, members, problems, coverage).
#[derive(Clone, Debug)]
pub struct Report {
    pub kind: ReportKind,
    pub title: String,
    pub summary: Vec<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
    pub sel: usize,
    /// Sort column for sortable reports.
    pub sort: usize,
    /// Every row with its kind tag, when the report can be filtered.
    pub all: Vec<(Row, &'static str)>,
    /// Index into the timeline's filters (`screens::timeline::FILTERS`), or
    /// whether the problems view shows resolved ones (1) or not (0).
    pub filter: usize,
    /// A picture of a trend between the summary and the table.
    pub chart: Option<super::charts::Chart>,
    /// The header's breadcrumb: the zone a zone's screen is about (empty
    /// for screens over everything).
    pub crumbs: Vec<String>,
    /// The screen `back` returns to (a timeline, for an entry opened from
    /// it), instead of the list behind.
    pub back: Option<ReportKind>,
    /// Columns a narrow screen leaves out, the least needed first, rather
    /// than cutting every column to `…`.
    pub drop: Vec<usize>,
}

impl Report {
    /// A report showing `rows` under `columns`, first row selected, in
    /// its first sort and filter, with no chart, breadcrumb or way back:
    /// screens set those they use with `..Report::new(…)`.
    pub fn new(
        kind: ReportKind,
        title: String,
        summary: Vec<String>,
        columns: Vec<String>,
        rows: Vec<Row>,
    ) -> Report {
        Report {
            kind,
            title,
            summary,
            columns,
            rows,
            sel: 0,
            sort: 0,
            all: vec![],
            filter: 0,
            chart: None,
            crumbs: vec![],
            back: None,
            drop: vec![],
        }
    }
}

#[derive(Clone, Debug)]
pub enum View {
    /// The store is empty.
    Welcome,
    Browse(Browse),
    Report(Report),
    /// A building's plan (楼盘表): a grid, not a table.
    Plan(Box<super::screens::plan::PlanView>),
}

/// One choice `tab` offers on the command line, with what it does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub text: String,
    /// The command's description, or nothing for an address.
    pub note: String,
}

#[derive(Clone, Debug, Default)]
pub struct LineInput {
    /// The text and its cursor.
    pub edit: super::input::TextInput,
    pub completions: Vec<Completion>,
    pub comp_idx: Option<usize>,
}

impl LineInput {
    pub fn new(text: &str) -> LineInput {
        LineInput {
            edit: super::input::TextInput::new(text),
            ..LineInput::default()
        }
    }

    pub fn text(&self) -> String {
        self.edit.text()
    }
}

/// One lookup result as the overlay shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct LookupRow {
    pub name: String,
    pub name_match: Vec<usize>,
    /// Said after the name of a resident who moved out or died, as `find`
    /// says it (`（迁出）`, ` (moved out)`), so nobody dials someone gone.
    pub gone: Option<String>,
    pub kind: String,
    pub address: String,
    pub phone: Option<String>,
    /// Whose number `phone` is, or who has none (a household's caller).
    pub whose: Option<String>,
    /// A household's head (`李秀英 → 李明` when another answers), shown on its row.
    pub contact: Option<String>,
    pub cover: Option<String>,
    pub zone: Option<Id>,
    /// A member's id: `enter` opens their zones.
    pub member: Option<Id>,
}

#[derive(Clone, Debug, Default)]
pub struct Lookup {
    pub input: LineInput,
    pub results: Vec<LookupRow>,
    pub sel: usize,
    /// The index is still being built in the background.
    pub building: bool,
}

/// What `yes` does in a confirm layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OnYes {
    /// Close the form below without saving.
    DiscardForm,
    /// Quit although a form holds typed text.
    Quit,
    /// Reopen a patrol form on the other checklist although items were
    /// answered, keeping the fields both checklists share.
    SwitchPatrol {
        zone: Id,
        kind: gridbook_domain::model::PatrolKind,
        keep: super::form::Values,
    },
}

#[derive(Clone, Debug)]
pub struct Confirm {
    pub question: String,
    pub on_yes: OnYes,
}

/// The pop-up after a prefix key: the keys so far, and the keymap section
/// they are resolved in (that of the layer below).
#[derive(Clone, Debug)]
pub struct Prefix {
    pub keys: Vec<Key>,
    pub ctx: Context,
}

/// One layer over the screen. Layers stack: the top one gets each key and
/// consumes it (help, command line, lookup, form and confirm are modal) or
/// passes it down (the prefix pop-up hands a finished sequence to the
/// layer below).
#[derive(Clone, Debug)]
pub enum Layer {
    Help { scroll: usize },
    Command(LineInput),
    Lookup(Lookup),
    Form(Box<Form>),
    Confirm(Confirm),
    Keys(Prefix),
}

impl Layer {
    /// The keymap section of this layer, `None` for one that passes keys.
    pub fn context(&self) -> Option<Context> {
        match self {
            Layer::Help { .. } => Some(Context::Help),
            Layer::Command(_) => Some(Context::Command),
            Layer::Lookup(_) => Some(Context::Search),
            Layer::Form(_) => Some(Context::Form),
            Layer::Confirm(_) => Some(Context::Confirm),
            Layer::Keys(_) => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

/// A background job whose result the screen waits for.
#[derive(Clone, Debug, PartialEq)]
pub struct Loading {
    pub ticket: u64,
    pub job: Job,
}

/// Which held screens a commit changed while they were out of view.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stale {
    /// The browser behind a report or plan.
    pub browse: bool,
    /// The members list behind one member's zones.
    pub members: bool,
}

/// Below this the layout cannot work; a notice is shown instead.
pub const MIN_WIDTH: u16 = 50;
pub const MIN_HEIGHT: u16 = 12;

pub struct State {
    pub lang: Lang,
    pub keymap: Keymap,
    /// The member working, if known (`--as` / `me`).
    pub me: Option<(Id, String)>,
    pub view: View,
    /// The browser, kept while a report is shown so `back` returns to it.
    pub browse_behind: Option<Browse>,
    /// The members list, kept while one member's zones are shown so `back`
    /// returns to it at the same row.
    pub members_behind: Option<Report>,
    /// Overlays, bottom first.
    pub layers: Vec<Layer>,
    pub status: Option<Status>,
    /// The idle privacy screen ([`super::privacy`]).
    pub privacy: super::privacy::Privacy,
    /// The job the screen waits for; a newer request replaces it.
    pub loading: Option<Loading>,
    /// The last job ticket handed out.
    pub tickets: u64,
    /// The side pane's job (its chart) not yet answered.
    pub pane_ticket: Option<u64>,
    /// The list's column job (an area's "not visited" counts) not yet
    /// answered: only its answer fills the column.
    pub list_wait: Option<Loading>,
    /// A record the last save created: the list selects it when it
    /// reloads after the commit ([`super::follow`]).
    pub select_next: Option<Id>,
    /// Screens held behind the view that a commit changed: reloaded when
    /// `back` shows them again.
    pub stale: Stale,
    pub width: u16,
    pub height: u16,
    pub my_zones_only: bool,
    /// The browser shows care households only.
    pub care_only: bool,
    pub quit: bool,
    /// Whether this session wrote anything (a backup follows on exit).
    pub changed: bool,
    /// Conflicts, attention items and quarantined entries (the header's ⚠),
    /// as last counted (with Today and the conflicts screen).
    pub warnings: usize,
}

impl State {
    pub fn new(lang: Lang, keymap: Keymap, me: Option<(Id, String)>) -> State {
        State {
            lang,
            keymap,
            me,
            view: View::Welcome,
            browse_behind: None,
            members_behind: None,
            layers: Vec::new(),
            status: None,
            // Set from config by `App::new`.
            privacy: super::privacy::Privacy::default(),
            loading: None,
            tickets: 0,
            pane_ticket: None,
            list_wait: None,
            select_next: None,
            stale: Stale::default(),
            width: 80,
            height: 24,
            my_zones_only: false,
            care_only: false,
            quit: false,
            changed: false,
            warnings: 0,
        }
    }

    /// The keymap section that applies now: the topmost layer that has one,
    /// else the screen's.
    pub fn context(&self) -> Context {
        self.layers
            .iter()
            .rev()
            .find_map(Layer::context)
            .unwrap_or(match self.view {
                View::Plan(_) => Context::Plan,
                _ => Context::Browse,
            })
    }

    /// The topmost modal layer (not the prefix pop-up).
    pub fn top(&self) -> Option<&Layer> {
        self.layers.iter().rev().find(|l| l.context().is_some())
    }

    pub fn top_mut(&mut self) -> Option<&mut Layer> {
        self.layers.iter_mut().rev().find(|l| l.context().is_some())
    }

    /// Closes the topmost modal layer (and a pop-up above it).
    pub fn pop(&mut self) {
        while let Some(l) = self.layers.pop() {
            if l.context().is_some() {
                break;
            }
        }
    }

    /// The keys of a prefix typed so far, if the pop-up is open.
    pub fn prefix(&self) -> Option<&Prefix> {
        match self.layers.last() {
            Some(Layer::Keys(p)) => Some(p),
            _ => None,
        }
    }

    /// Below the smallest usable size only a notice shows, and keys other
    /// than quitting do nothing.
    pub fn too_small(&self) -> bool {
        self.width < MIN_WIDTH || self.height < MIN_HEIGHT
    }

    /// Whether a form on the stack holds typed text.
    pub fn typed_in_form(&self) -> bool {
        self.layers
            .iter()
            .any(|l| matches!(l, Layer::Form(f) if f.dirty))
    }

    /// Rows of the main list that fit on screen (for paging).
    pub fn page(&self) -> usize {
        (self.height as usize).saturating_sub(8).max(1)
    }

    pub fn form(&self) -> Option<&Form> {
        self.layers.iter().rev().find_map(|l| match l {
            Layer::Form(f) => Some(&**f),
            _ => None,
        })
    }

    pub fn form_mut(&mut self) -> Option<&mut Form> {
        self.layers.iter_mut().rev().find_map(|l| match l {
            Layer::Form(f) => Some(&mut **f),
            _ => None,
        })
    }

    pub fn form_purpose(&self) -> Option<&Purpose> {
        self.form().map(|f| &f.purpose)
    }

    pub fn selected_row(&self) -> Option<&Row> {
        match &self.view {
            View::Browse(b) => b.rows.get(b.sel),
            View::Report(r) => r.rows.get(r.sel),
            View::Plan(_) | View::Welcome => None,
        }
    }
}
