//! The screens, one file each: what it loads, how it draws, and the
//! commands its hint line offers. The browser and the welcome screen draw
//! themselves; the report screens (today, members, problems, coverage, a
//! zone's timeline, a member's zones, a problem's history) load a
//! [`Report`] on the job runner and share one table view (`report.rs`).
//!
//! To add a report screen: a file here with `HINTS`, `LOADING` and `load`;
//! a `ReportKind` variant and its arm in each function below (`shows`:
//! which commits reload it); a command in the command table (`command.rs`)
//! and its arm in `update.rs` (the compiler points at both); its strings in
//! the two i18n catalogs.

pub mod browse;
pub mod caller;
pub mod conflicts;
pub mod cover;
pub mod coverage;
pub mod entry;
pub mod member_zones;
pub mod members;
pub mod plan;
pub mod problem_history;
pub mod problems;
pub mod report;
pub mod timeline;
pub mod today;
pub mod welcome;

use gridbook_domain::model::Id;

use super::command::Cmd;
use super::state::Report;
use super::world::{R, World};

/// What report screens' files use.
mod prelude {
    pub use std::collections::HashSet;

    pub use gridbook_core::report;
    pub use gridbook_core::zoneview;
    pub use gridbook_domain::model::*;

    pub use super::ReportKind;
    pub use super::caller;
    pub use super::report::{days, zone_row};
    pub use crate::tui::command::Cmd;
    pub use crate::tui::state::{Report, Row, RowKind};
    pub use crate::tui::world::*;
}

/// The report screens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportKind {
    Today,
    /// Members and their record for a period, filtered.
    Members(members::MembersView),
    Problems,
    Coverage,
    /// The timeline of a zone and everything inside it.
    Timeline(Id),
    /// One member's zones, with the history of their assignments.
    MemberZones(Id),
    /// Who looks after one zone: its responsibility spans.
    Cover(Id),
    /// One problem from report to now, with its age.
    ProblemHistory(Id),
    /// One timeline entry in full, opened from the timeline of `from`.
    Entry {
        event: Id,
        from: Id,
    },
    /// What merges left for people: conflicts, attention, quarantined.
    Conflicts,
    /// One of them with every version.
    ConflictItem(Id),
}

/// Loads a report screen's data (on the job runner: it may be slow).
pub fn load(w: &World, kind: ReportKind) -> R<Report> {
    match kind {
        ReportKind::Today => today::load(w),
        ReportKind::Members(v) => members::load(w, v),
        ReportKind::Problems => problems::load(w),
        ReportKind::Coverage => coverage::load(w),
        ReportKind::Timeline(zone) => timeline::load(w, zone),
        ReportKind::MemberZones(member) => member_zones::load(w, member),
        ReportKind::Cover(zone) => cover::load(w, zone),
        ReportKind::ProblemHistory(problem) => problem_history::load(w, problem),
        ReportKind::Entry { event, from } => entry::load(w, event, from),
        ReportKind::Conflicts => conflicts::load(w),
        ReportKind::ConflictItem(id) => conflicts::load_item(w, id),
    }
}

/// Columns of `kind`'s table drawn whole however narrow the screen is
/// (the others give way around them).
pub fn whole(kind: ReportKind) -> &'static [usize] {
    match kind {
        ReportKind::Today => today::WHOLE,
        _ => &[],
    }
}

/// The commands a report screen's hint line offers.
pub fn hints(kind: ReportKind) -> &'static [Cmd] {
    match kind {
        ReportKind::Today => today::HINTS,
        ReportKind::Members(_) => members::HINTS,
        ReportKind::Problems => problems::HINTS,
        ReportKind::Coverage => coverage::HINTS,
        ReportKind::Timeline(_) => timeline::HINTS,
        ReportKind::MemberZones(_) => member_zones::HINTS,
        ReportKind::Cover(_) => cover::HINTS,
        ReportKind::ProblemHistory(_) => problem_history::HINTS,
        ReportKind::Entry { .. } => entry::HINTS,
        ReportKind::Conflicts => conflicts::HINTS,
        ReportKind::ConflictItem(_) => conflicts::ITEM_HINTS,
    }
}

/// The catalog key of what the status line says while it loads.
pub fn loading(kind: ReportKind) -> &'static str {
    match kind {
        ReportKind::Today => today::LOADING,
        ReportKind::Members(_) => members::LOADING,
        ReportKind::Problems => problems::LOADING,
        ReportKind::Coverage => coverage::LOADING,
        ReportKind::Timeline(_) => timeline::LOADING,
        ReportKind::MemberZones(_) => member_zones::LOADING,
        ReportKind::Cover(_) => cover::LOADING,
        ReportKind::ProblemHistory(_) => problem_history::LOADING,
        ReportKind::Entry { .. } => entry::LOADING,
        ReportKind::Conflicts | ReportKind::ConflictItem(_) => conflicts::LOADING,
    }
}

/// What a report screen's table says when it has no rows: that nothing
/// matches the filter shown (a timeline's kind, the members' kind, tag or
/// branch), else what the screen has none of.
pub fn empty(lang: gridbook_domain::i18n::Lang, r: &Report) -> String {
    let (filtered, none) = match r.kind {
        ReportKind::Today => (false, "today.empty"),
        ReportKind::Members(v) => (v.filtered(), "mem.empty"),
        // The screen is about open problems: none open is no filter's doing.
        ReportKind::Problems if problems::shows_resolved(r) => (false, "prob.empty_resolved"),
        ReportKind::Problems => (false, "prob.empty"),
        ReportKind::Coverage => (false, "cov.empty"),
        ReportKind::Timeline(_) => (timeline::filtered(r), "timeline.empty"),
        ReportKind::MemberZones(_) => (false, "mem.no_zones"),
        ReportKind::Cover(_) => (false, "officeui.cover_empty"),
        ReportKind::Conflicts => (false, "merge.tui.empty"),
        // Never empty: an entry has its fields, a problem its report, an
        // item its versions.
        ReportKind::ProblemHistory(_) | ReportKind::Entry { .. } | ReportKind::ConflictItem(_) => {
            (false, "tui.empty")
        }
    };
    super::render::empty_text(lang, filtered, none)
}

/// Whether a report screen shows something a commit changed, so that it
/// reloads (`super::follow`). A screen about one zone follows that zone
/// (a change inside it names it too); the others show the whole estate.
pub fn shows(kind: ReportKind, c: &gridbook_store::writes::Changes) -> bool {
    match kind {
        ReportKind::Timeline(zone) | ReportKind::Entry { from: zone, .. } => c.touches(zone),
        ReportKind::Today
        | ReportKind::Members(_)
        | ReportKind::Problems
        | ReportKind::Coverage
        | ReportKind::MemberZones(_)
        // Who covers a zone can change by an assignment on any zone above it.
        | ReportKind::Cover(_)
        | ReportKind::Conflicts
        | ReportKind::ConflictItem(_)
        | ReportKind::ProblemHistory(_) => !c.is_empty(),
    }
}
