//! Progress on long work (import, export, backup, restore, gen, check
//! --rebuild): a spinner with the elapsed time on standard error, drawn only
//! when standard error is a terminal, and never for a command asked for
//! `--json` (a script reads that output). It is cleared when the work ends,
//! so nothing of it stays in the terminal's scrollback.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A running spinner; cleared when dropped.
pub struct Progress(Option<ProgressBar>);

/// Whether progress may be drawn: standard error is a terminal and the
/// output is not for a machine.
pub fn shown(json: bool) -> bool {
    !json && std::io::stderr().is_terminal()
}

/// Starts a spinner saying `what` (already in the user's language).
pub fn start(what: &str, json: bool) -> Progress {
    if !shown(json) {
        return Progress(None);
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let template = if crate::cli::out::color_stderr() {
        "{spinner:.cyan} {msg} {elapsed}"
    } else {
        "{spinner} {msg} {elapsed}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.set_message(gridbook_domain::text::visible(what).into_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    Progress(Some(bar))
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(b) = self.0.take() {
            b.finish_and_clear();
        }
    }
}
