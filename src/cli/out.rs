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

/// Writes `bytes` to standard output and flushes.
pub fn bytes(bytes: &[u8]) -> Result<(), Fail> {
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
    let _ = io::stderr()
        .lock()
        .write_all(text::visible_lines(&s).as_bytes());
}
