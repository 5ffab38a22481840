//! Everything the command line prints goes through here.
//!
//! Standard output may be a pipe whose reader has gone (`gridbook report
//! problems --json | head -1`): that is not an error, so a closed pipe ends
//! the command quietly with exit 0 ([`Fail::closed_pipe`]); `println!` would
//! panic instead. Text from data reaches the terminal with every control
//! character made visible ([`text::visible_lines`]), and JSON with the raw
//! C1 and bidirectional controls a JSON writer leaves escaped
//! ([`text::json_visible`]).

use std::fmt::Display;
use std::io::{self, Write};

use gridbook_domain::error::ErrorKind;
use gridbook_domain::text;

use crate::fail::Fail;

/// What a failed write to standard output means for the command.
pub fn stdout_fail(e: io::Error) -> Fail {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Fail::closed_pipe()
    } else {
        // The place the user sent the output to cannot take it (a full disk
        // behind `> file`, /dev/full): the user's destination, not the store.
        Fail::of(
            ErrorKind::Input,
            format!("cannot write to standard output: {e}"),
        )
    }
}

thread_local! {
    /// Where this thread's output goes instead of the process's: a command
    /// the running TUI answers for another gridbook ([`crate::serve`]).
    static CAPTURE: std::cell::RefCell<Option<Captured>> = const { std::cell::RefCell::new(None) };
}

/// What a command printed, when its output was captured.
#[derive(Debug, Default)]
pub struct Captured {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Runs `f` with everything it prints through this module kept, not printed.
pub fn capture<T>(f: impl FnOnce() -> T) -> (T, Captured) {
    CAPTURE.with(|c| *c.borrow_mut() = Some(Captured::default()));
    let out = f();
    let got = CAPTURE.with(|c| c.borrow_mut().take()).unwrap_or_default();
    (out, got)
}

/// Keeps `bytes` if this thread's output is captured; false if it is not.
fn captured(bytes: &[u8], stderr: bool) -> bool {
    CAPTURE.with(|c| match c.borrow_mut().as_mut() {
        Some(c) if stderr => {
            c.stderr.extend_from_slice(bytes);
            true
        }
        Some(c) => {
            c.stdout.extend_from_slice(bytes);
            true
        }
        None => false,
    })
}

/// Writes `bytes` to standard output and flushes.
pub fn bytes(bytes: &[u8]) -> Result<(), Fail> {
    if captured(bytes, false) {
        return Ok(());
    }
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(stdout_fail)
}

/// Text for people, as it is (several lines allowed); hazards escaped.
pub fn text(s: &str) -> Result<(), Fail> {
    bytes(text::visible_lines(s).as_bytes())
}

/// One line of text for people.
pub fn line(s: impl Display) -> Result<(), Fail> {
    let mut s = s.to_string();
    s.push('\n');
    text(&s)
}

/// A value as pretty JSON, then a newline.
pub fn json<T: serde::Serialize>(v: &T) -> Result<(), Fail> {
    let s = serde_json::to_string_pretty(v)
        .map_err(|e| Fail::of(ErrorKind::Bug, format!("cannot write JSON: {e}")))?;
    let mut s = text::json_visible(s);
    s.push('\n');
    bytes(s.as_bytes())
}

/// A note for people on standard error (a warning, "no match"). Standard
/// error that cannot be written to is not worth failing a command over.
pub fn note(s: impl Display) {
    let mut s = s.to_string();
    s.push('\n');
    let s = text::visible_lines(&s);
    if captured(s.as_bytes(), true) {
        return;
    }
    let _ = io::stderr().lock().write_all(s.as_bytes());
}
