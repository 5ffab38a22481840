//! Everything the command line prints goes through here.
//!
//! Standard output may be a pipe whose reader has gone (`gridbook report
//! problems --json | head -1`): that is not an error, so a closed pipe ends
//! the command quietly with exit 0 ([`Fail::closed_pipe`]); `println!` would
//! panic instead. Text from data reaches the terminal with every control
//! character made visible ([`text::visible_lines`]), and JSON with the raw
//! C1 and bidirectional controls a JSON writer leaves escaped
//! ([`text::json_visible`]).
//!
//! Colour: `--color auto|always|never` and `NO_COLOR`. Auto colours only a
//! stream that is a terminal and only when `NO_COLOR` is unset or empty;
//! escapes are added after the text is made safe, so data never carries one.

use std::fmt::Display;
use std::io::{self, IsTerminal, Write};
use std::sync::OnceLock;

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
    /// Whether each stream takes colour: the caller's choice (its
    /// `--color`, `NO_COLOR`, whether its own streams are terminals), not
    /// this process's.
    pub colors: Colors,
}

/// Whether standard output and standard error take colour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Colors {
    pub stdout: bool,
    pub stderr: bool,
}

impl Colors {
    /// This process's own choice for its streams.
    pub fn here() -> Colors {
        Colors {
            stdout: color_stdout(),
            stderr: color_stderr(),
        }
    }
}

/// Runs `f` with everything it prints through this module kept, not
/// printed, coloured as `colors` says.
pub fn capture<T>(colors: Colors, f: impl FnOnce() -> T) -> (T, Captured) {
    CAPTURE.with(|c| {
        *c.borrow_mut() = Some(Captured {
            colors,
            ..Captured::default()
        })
    });
    let out = f();
    let got = CAPTURE.with(|c| c.borrow_mut().take()).unwrap_or_default();
    (out, got)
}

/// The colours of this thread's captured output, if it is captured.
fn captured_colors() -> Option<Colors> {
    CAPTURE.with(|c| c.borrow().as_ref().map(|c| c.colors))
}

/// Whether this thread's output is captured (for another process): nothing
/// may be drawn on this process's own terminal meanwhile.
pub fn capturing() -> bool {
    captured_colors().is_some()
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

/// `--color`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

static COLOR: OnceLock<ColorChoice> = OnceLock::new();

/// Sets `--color` once for the process (the first call wins).
pub fn set_color(c: ColorChoice) {
    let _ = COLOR.set(c);
}

/// Whether `NO_COLOR` asks for no colour (set and not empty, as no-color.org says).
fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Whether output to a stream that `is_tty` (or not) gets colour.
pub fn color_for(is_tty: bool) -> bool {
    match COLOR.get().copied().unwrap_or_default() {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_tty && !no_color_env(),
    }
}

/// Colour on standard output (the caller's, when output is captured).
pub fn color_stdout() -> bool {
    match captured_colors() {
        Some(c) => c.stdout,
        None => color_for(io::stdout().is_terminal()),
    }
}

/// Colour on standard error (the caller's, when output is captured).
pub fn color_stderr() -> bool {
    match captured_colors() {
        Some(c) => c.stderr,
        None => color_for(io::stderr().is_terminal()),
    }
}

/// Colour in the TUI (it always owns a terminal).
pub fn color_tui() -> bool {
    color_for(true)
}

/// SGR codes used on the command line.
#[derive(Clone, Copy)]
pub enum Paint {
    Bold,
    Red,
    Yellow,
}

/// `s` (already made safe) in `paint` when `on`.
pub fn paint(on: bool, paint: Paint, s: &str) -> String {
    if !on || s.is_empty() {
        return s.to_string();
    }
    let code = match paint {
        Paint::Bold => "1",
        Paint::Red => "31",
        Paint::Yellow => "33",
    };
    format!("\x1b[{code}m{s}\x1b[0m")
}

/// A text with an aligned table below it; the table's header row is bold
/// when standard output takes colour.
pub fn with_table(before: &str, table: &str) -> Result<(), Fail> {
    let before = text::visible_lines(before);
    let table = text::visible_lines(table);
    let (head, rest) = table.split_once('\n').unwrap_or((&table, ""));
    let mut s = before.into_owned();
    if !s.is_empty() && !s.ends_with('\n') {
        s.push('\n');
    }
    s.push_str(&paint(color_stdout(), Paint::Bold, head));
    s.push('\n');
    s.push_str(rest);
    bytes(s.as_bytes())
}

/// A warning for people on standard error, its `warning:` in yellow on a
/// terminal that takes colour.
pub fn warn(s: impl Display) {
    let s = s.to_string();
    let s = text::visible_lines(&s);
    let on = color_stderr();
    let line = format!("{} {s}\n", paint(on, Paint::Yellow, "warning:"));
    if captured(line.as_bytes(), true) {
        return;
    }
    let _ = io::stderr().lock().write_all(line.as_bytes());
}
