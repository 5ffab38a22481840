//! Progress on long work (import, export, backup, restore, gen, check,
//! check --rebuild and sync) on standard error, drawn only when standard error is a
//! terminal, and never for a command asked for `--json` (a script reads that
//! output): a counting bar fed by the core's
//! [`gridbook_core::progress::Progress`] (rows, records, entries replayed),
//! cleared when the work ends, so nothing of it stays in the terminal's
//! scrollback.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A running bar; cleared when dropped.
pub struct Progress(Option<ProgressBar>);

/// Whether progress may be drawn: standard error is a terminal and the
/// output is not for a machine. Never for a command the running TUI answers
/// for another process: its standard error is the TUI's screen.
pub fn shown(json: bool) -> bool {
    !json && std::io::stderr().is_terminal() && !crate::cli::out::capturing()
}

/// Starts a counting bar saying `what`; its length and position come from
/// the core's ticks (see [`Progress::counts`]). Until the first tick it is
/// an empty bar with the elapsed time.
pub fn bar(what: &str, json: bool) -> Progress {
    if !shown(json) {
        return Progress(None);
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    let template = if crate::cli::out::color_stderr() {
        "{msg} [{bar:30.cyan/blue}] {human_pos}/{human_len} {elapsed}"
    } else {
        "{msg} [{bar:30}] {human_pos}/{human_len} {elapsed}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(gridbook_domain::text::visible(what).into_owned());
    bar.enable_steady_tick(Duration::from_millis(250));
    Progress(Some(bar))
}

impl Progress {
    /// Changes what the bar says it is doing (a sync's fetch, send, push).
    pub fn say(&self, what: &str) {
        if let Some(b) = &self.0 {
            b.set_message(gridbook_domain::text::visible(what).into_owned());
        }
    }

    /// What the core's loops tick: a bar moves, a hidden one does nothing.
    pub fn counts(&self) -> &dyn gridbook_core::progress::Progress {
        self
    }
}

impl gridbook_core::progress::Progress for Progress {
    fn tick(&self, done: u64, total: u64) {
        if let Some(b) = &self.0 {
            b.set_length(total);
            b.set_position(done);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(b) = self.0.take() {
            b.finish_and_clear();
        }
    }
}
