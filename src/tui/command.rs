//! The command table: every command of the TUI, once, with its name, its
//! argument, the contexts where it does something, and (through the i18n
//! catalogs, `action.<id>` and `hint.<id>`) a one-line description and a
//! hint word in both languages.
//!
//! Keymaps bind keys to command strings (`"v" = "log visit"`), `:` parses the
//! same strings, and help, the hint line, the pop-up after a prefix key and
//! `:` completion are generated from this table. A command's `id` is the
//! name it had as a keymap action before commands had spaces (`log_visit`);
//! it stays accepted, so older `keymap.toml` files keep working.

use std::fmt;

use gridbook_domain::i18n::Lang;
use gridbook_domain::model::PatrolKind;

use super::keymap::Context;

/// What follows a command's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    None,
    Optional(ArgKind),
    Required(ArgKind),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// `AREA[/BUILDING[/HOUSEHOLD]]`, the rest of the line; completed from the store.
    Address,
    /// A file path, the rest of the line.
    Path,
    /// `hygiene` or `security` (also 卫生 / 治安).
    PatrolKind,
    /// A member: name, phone or id, the rest of the line.
    Member,
}

impl ArgKind {
    /// How help and completion show the argument.
    pub fn placeholder(self) -> &'static str {
        match self {
            ArgKind::Address => "ADDR",
            ArgKind::Path => "PATH",
            ArgKind::PatrolKind => "hygiene|security",
            ArgKind::Member => "NAME",
        }
    }

    /// The values completion offers, when they are a fixed list.
    pub fn choices(self) -> &'static [&'static str] {
        match self {
            ArgKind::PatrolKind => &["hygiene", "security"],
            ArgKind::Address | ArgKind::Path | ArgKind::Member => &[],
        }
    }

    fn accepts(self, value: &str) -> bool {
        match self {
            ArgKind::PatrolKind => PatrolKind::parse(value).is_some(),
            ArgKind::Address | ArgKind::Path | ArgKind::Member => !value.trim().is_empty(),
        }
    }
}

/// One row of the table.
#[derive(Debug)]
pub struct Spec {
    pub cmd: Cmd,
    /// The command string's name, as keymaps and `:` write it.
    pub name: &'static str,
    /// The catalog key (`action.<id>`, `hint.<id>`), also accepted as a name:
    /// the keymap action names from before command strings.
    pub id: &'static str,
    /// Further short names `:` accepts (`q`).
    pub aliases: &'static [&'static str],
    pub arg: Arg,
    /// The keymap sections in which the command does something.
    pub contexts: &'static [Context],
}

macro_rules! commands {
    ($($variant:ident = $name:literal, $id:literal, [$($alias:literal),*], $arg:expr, [$($ctx:ident),*];)*) => {
        /// Every command the TUI knows.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Cmd { $($variant),* }

        /// The table, in the order help lists it.
        pub const TABLE: &[Spec] = &[$(Spec {
            cmd: Cmd::$variant,
            name: $name,
            id: $id,
            aliases: &[$($alias),*],
            arg: $arg,
            contexts: &[$(Context::$ctx),*],
        }),*];
    };
}

use Arg::{None as NoArg, Optional, Required};

commands! {
    Up = "up", "up", [], NoArg, [Browse, Search, Help];
    Down = "down", "down", [], NoArg, [Browse, Search, Help];
    PageUp = "page up", "page_up", [], NoArg, [Browse, Help];
    PageDown = "page down", "page_down", [], NoArg, [Browse, Help];
    Top = "top", "top", [], NoArg, [Browse, Help];
    Bottom = "bottom", "bottom", [], NoArg, [Browse, Help];
    Open = "open", "open", [], NoArg, [Browse, Search];
    Back = "back", "back", [], NoArg, [Browse];
    NextPane = "next pane", "next_pane", [], NoArg, [Browse];
    PrevPane = "prev pane", "prev_pane", [], NoArg, [Browse];
    Lookup = "lookup", "lookup", [], NoArg, [Global, Browse];
    Command = "command", "command", [], NoArg, [Global, Browse];
    Help = "help", "help", [], NoArg, [Global, Browse, Help];
    Quit = "quit", "quit", ["q"], NoArg, [Global, Browse, Form, Search, Command, Help, Confirm];
    LogVisit = "log visit", "log_visit", [], NoArg, [Browse];
    ReportProblem = "report problem", "report_problem", [], NoArg, [Browse];
    Resolve = "resolve", "resolve", [], NoArg, [Browse];
    Patrol = "patrol", "patrol", [], Optional(ArgKind::PatrolKind), [Browse];
    Assign = "assign", "assign", [], NoArg, [Browse];
    Mark = "mark", "office.mark", [], NoArg, [Browse];
    New = "new", "new", [], NoArg, [Browse];
    Edit = "edit", "edit", [], NoArg, [Browse];
    Delete = "delete", "delete", [], NoArg, [Browse];
    MoveResident = "move", "movemerge.move", [], NoArg, [Browse];
    CopyPhone = "copy phone", "yank", [], NoArg, [Browse, Search];
    MyZones = "my zones", "my_zones", [], NoArg, [Browse];
    Me = "me", "me", [], Required(ArgKind::Member), [Browse];
    Sort = "sort", "sort", [], NoArg, [Browse];
    Filter = "filter", "filter", [], NoArg, [Browse];
    ShowResolved = "show resolved", "show_resolved", [], NoArg, [Browse];
    Today = "today", "today", [], NoArg, [Browse];
    Members = "members", "members", [], NoArg, [Browse];
    Problems = "problems", "problems", [], NoArg, [Browse];
    Coverage = "coverage", "coverage", [], NoArg, [Browse];
    Timeline = "timeline", "timeline", [], NoArg, [Browse];
    Goto = "goto", "goto", ["g"], Required(ArgKind::Address), [Browse];
    Import = "import", "import", [], Required(ArgKind::Path), [Browse];
    Sync = "sync", "sync.run", [], NoArg, [Browse];
    Plan = "plan", "plan", [], NoArg, [Browse];
    Unassign = "unassign", "officeui.unassign", [], NoArg, [Browse];
    Cover = "who covers", "officeui.cover", [], NoArg, [Browse];
    Transfer = "transfer", "officeui.transfer", [], NoArg, [Browse];
    LogActivity = "log activity", "log_activity", [], NoArg, [Browse];
    CareOnly = "care only", "care_only", [], NoArg, [Browse];
    Period = "period", "period", [], NoArg, [Browse];
    FilterKind = "filter kind", "filter_kind", [], NoArg, [Browse];
    FilterTag = "filter tag", "filter_tag", [], NoArg, [Browse];
    FilterBranch = "filter branch", "filter_branch", [], NoArg, [Browse];
    Left = "left", "left", [], NoArg, [Plan];
    Right = "right", "right", [], NoArg, [Plan];
    NextField = "next field", "next_field", [], NoArg, [Form];
    PrevField = "prev field", "prev_field", [], NoArg, [Form];
    Save = "save", "save", [], NoArg, [Form];
    Cancel = "cancel", "cancel", [], NoArg, [Form, Search, Command, Help, Confirm];
    DeleteChar = "delete char", "delete_char", [], NoArg, [Text];
    ClearLine = "clear line", "clear_line", [], NoArg, [Text];
    CursorLeft = "cursor left", "cursor_left", [], NoArg, [Text];
    CursorRight = "cursor right", "cursor_right", [], NoArg, [Text];
    WordLeft = "word left", "word_left", [], NoArg, [Text];
    WordRight = "word right", "word_right", [], NoArg, [Text];
    LineStart = "line start", "line_start", [], NoArg, [Text];
    LineEnd = "line end", "line_end", [], NoArg, [Text];
    DeleteForward = "delete forward", "delete_forward", [], NoArg, [Text];
    DeleteWord = "delete word", "delete_word", [], NoArg, [Text];
    NewLine = "new line", "new_line", [], NoArg, [Text];
    PrevChoice = "prev choice", "choice_prev", [], NoArg, [Form];
    NextChoice = "next choice", "choice_next", [], NoArg, [Form];
    Submit = "submit", "submit", [], NoArg, [Command];
    Complete = "complete", "complete", [], NoArg, [Command];
    Yes = "yes", "confirm_yes", [], NoArg, [Confirm];
    No = "no", "confirm_no", [], NoArg, [Confirm];
    Conflicts = "conflicts", "merge.conflicts", [], NoArg, [Browse];
    Keep = "keep", "merge.keep", [], NoArg, [Browse];
}

impl Cmd {
    pub fn spec(self) -> &'static Spec {
        // The table is built in declaration order by the macro.
        &TABLE[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// Whether the command does something in `ctx`.
    pub fn applies(self, ctx: Context) -> bool {
        let c = self.spec().contexts;
        // The plan is a screen: what works on screens works there too;
        // editing works in every text field.
        c.contains(&ctx)
            || (ctx == Context::Plan && c.contains(&Context::Browse))
            || (ctx.takes_text() && c.contains(&Context::Text))
    }

    /// The one-line description, in `lang`.
    pub fn describe(self, lang: Lang) -> &'static str {
        catalog(lang, "action", self.spec().id)
    }

    /// The word the hint line shows, in `lang`.
    pub fn hint(self, lang: Lang) -> &'static str {
        catalog(lang, "hint", self.spec().id)
    }

    /// `goto ADDR`, `patrol [hygiene|security]`: the name with its argument.
    pub fn usage(self) -> String {
        let spec = self.spec();
        match spec.arg {
            Arg::None => spec.name.to_string(),
            Arg::Optional(k) => format!("{} [{}]", spec.name, k.placeholder()),
            Arg::Required(k) => format!("{} {}", spec.name, k.placeholder()),
        }
    }
}

/// `family.id` from the catalogs; the text-editing commands keep theirs
/// under `entry.family.id`.
fn catalog(lang: Lang, family: &str, id: &str) -> &'static str {
    let key = format!("{family}.{id}");
    let t = lang.t(&key);
    if t != key {
        return t;
    }
    lang.t(&format!("entry.{key}"))
}

/// A parsed command string: a command and its argument.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Command {
    pub cmd: Cmd,
    pub arg: Option<String>,
}

impl Command {
    pub fn new(cmd: Cmd) -> Command {
        Command { cmd, arg: None }
    }

    pub fn with_arg(cmd: Cmd, arg: impl Into<String>) -> Command {
        Command {
            cmd,
            arg: Some(arg.into()),
        }
    }

    /// Parses `log visit`, `goto 胜利花苑/3栋`, `patrol security`, and the old
    /// action names (`log_visit`). The longest name that matches wins, so
    /// `delete char` is not `delete` with an argument.
    pub fn parse(text: &str) -> Result<Command, ParseError> {
        let text = text.trim();
        let words: Vec<&str> = text.split_whitespace().collect();
        if words.is_empty() {
            return Err(ParseError::Empty);
        }
        let mut best: Option<(&Spec, usize)> = None;
        for spec in TABLE {
            for name in std::iter::once(spec.name)
                .chain(std::iter::once(spec.id))
                .chain(spec.aliases.iter().copied())
            {
                let n: Vec<&str> = name.split(' ').collect();
                if words.len() >= n.len()
                    && words[..n.len()] == n[..]
                    && best.is_none_or(|(_, len)| n.len() > len)
                {
                    best = Some((spec, n.len()));
                }
            }
        }
        let Some((spec, len)) = best else {
            return Err(ParseError::Unknown(words[0].to_string()));
        };
        // The argument is the rest of the line as typed (paths may hold spaces).
        let mut rest = text;
        for w in &words[..len] {
            rest = rest.trim_start().strip_prefix(w).unwrap_or(rest);
        }
        let rest = rest.trim();
        let arg = (!rest.is_empty()).then(|| rest.to_string());
        match (spec.arg, &arg) {
            (Arg::None, Some(a)) => Err(ParseError::NoArgument(spec.cmd, a.clone())),
            (Arg::Required(_), None) => Err(ParseError::MissingArgument(spec.cmd)),
            (Arg::Optional(k) | Arg::Required(k), Some(a)) if !k.accepts(a) => {
                Err(ParseError::BadArgument(spec.cmd, a.clone()))
            }
            _ => Ok(Command { cmd: spec.cmd, arg }),
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cmd.name())?;
        if let Some(a) = &self.arg {
            write!(f, " {a}")?;
        }
        Ok(())
    }
}

/// Why a command string does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    Empty,
    Unknown(String),
    NoArgument(Cmd, String),
    MissingArgument(Cmd),
    BadArgument(Cmd, String),
}

impl ParseError {
    /// The message in `lang`, with a suggestion for a mistyped name.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ParseError::Empty => lang.t("cmd.empty").to_string(),
            ParseError::Unknown(word) => match suggest(word) {
                Some(s) => lang.f("cmd.unknown_did_you_mean", &[word, s]),
                None => lang.f("tui.unknown_command", &[word]),
            },
            ParseError::NoArgument(c, a) => lang.f("cmd.no_argument", &[c.name(), a]),
            ParseError::MissingArgument(c) => match c.spec().arg {
                // Say what goes there, not just that something is missing.
                Arg::Required(ArgKind::Address) => lang.f("entry.needs_address", &[c.name()]),
                Arg::Required(ArgKind::Path) => lang.f("entry.needs_path", &[c.name()]),
                _ => lang.f("cmd.missing_argument", &[&c.usage()]),
            },
            ParseError::BadArgument(c, a) => lang.f("cmd.bad_argument", &[&c.usage(), a]),
        }
    }
}

/// The closest command name to a mistyped one, if it is close enough.
pub(super) fn suggest(word: &str) -> Option<&'static str> {
    TABLE
        .iter()
        .map(|s| (strsim::jaro_winkler(word, s.name), s.name))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n)
}

/// Commands `:` can run: those that do something on a screen.
pub fn runnable() -> impl Iterator<Item = &'static Spec> {
    TABLE
        .iter()
        .filter(|s| s.contexts.contains(&Context::Browse))
}

/// What `:` completion offers for `text` when it is a command name (not an
/// address or path): full command strings, each with its description key.
pub fn complete_name(text: &str) -> Vec<(String, Cmd)> {
    let text = text.trim_start();
    let mut out = Vec::new();
    for spec in runnable() {
        match spec.arg {
            Arg::None => {
                if spec.name.starts_with(text) {
                    out.push((spec.name.to_string(), spec.cmd));
                }
            }
            Arg::Optional(k) | Arg::Required(k) => {
                if k.choices().is_empty() {
                    let head = format!("{} ", spec.name);
                    if head.starts_with(text) {
                        out.push((head, spec.cmd));
                    }
                } else {
                    if matches!(spec.arg, Arg::Optional(_)) && spec.name.starts_with(text) {
                        out.push((spec.name.to_string(), spec.cmd));
                    }
                    for c in k.choices() {
                        let full = format!("{} {c}", spec.name);
                        if full.starts_with(text) && full != text {
                            out.push((full, spec.cmd));
                        }
                    }
                }
            }
        }
    }
    out
}

/// The argument kind that completes `text` from the store, with the part
/// typed after the command's name: `goto slhy/3` → (Address, "slhy/3").
pub fn completing_arg(text: &str) -> Option<(Cmd, ArgKind, &str)> {
    let (name, rest) = text.split_once(' ')?;
    let spec = TABLE
        .iter()
        .find(|s| s.name == name || s.id == name || s.aliases.contains(&name))?;
    match spec.arg {
        Arg::Required(ArgKind::Address) | Arg::Optional(ArgKind::Address) => {
            Some((spec.cmd, ArgKind::Address, rest))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_declaration_order_and_names_are_unique() {
        for (i, spec) in TABLE.iter().enumerate() {
            assert_eq!(spec.cmd as usize, i);
            assert!(!spec.contexts.is_empty(), "{} applies nowhere", spec.name);
        }
        let mut names: Vec<&str> = TABLE
            .iter()
            .flat_map(|s| {
                let mut v = vec![s.name];
                if s.id != s.name {
                    v.push(s.id);
                }
                v.extend(s.aliases);
                v
            })
            .collect();
        let before = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), before, "a name names two commands");
    }

    #[test]
    fn every_command_has_a_description_and_a_hint_in_both_languages() {
        for spec in TABLE {
            for lang in [Lang::En, Lang::Zh] {
                for family in ["action", "hint"] {
                    let t = catalog(lang, family, spec.id);
                    let fallback = format!("entry.{family}.{}", spec.id);
                    assert_ne!(t, fallback, "missing {family}.{} in {lang:?}", spec.id);
                }
            }
        }
    }

    #[test]
    fn command_strings_parse_with_their_arguments() {
        let p = |s: &str| Command::parse(s);
        assert_eq!(p("log visit"), Ok(Command::new(Cmd::LogVisit)));
        assert_eq!(p("  log   visit "), Ok(Command::new(Cmd::LogVisit)));
        assert_eq!(p("today"), Ok(Command::new(Cmd::Today)));
        assert_eq!(p("q"), Ok(Command::new(Cmd::Quit)));
        assert_eq!(p("delete char"), Ok(Command::new(Cmd::DeleteChar)));
        assert_eq!(p("delete"), Ok(Command::new(Cmd::Delete)));
        assert_eq!(
            p("goto 胜利花苑/3栋/2-501"),
            Ok(Command::with_arg(Cmd::Goto, "胜利花苑/3栋/2-501"))
        );
        assert_eq!(p("g xf/3"), Ok(Command::with_arg(Cmd::Goto, "xf/3")));
        assert_eq!(
            p("import /tmp/my roster.csv"),
            Ok(Command::with_arg(Cmd::Import, "/tmp/my roster.csv"))
        );
        assert_eq!(p("patrol"), Ok(Command::new(Cmd::Patrol)));
        assert_eq!(
            p("patrol security"),
            Ok(Command::with_arg(Cmd::Patrol, "security"))
        );
        assert_eq!(p("patrol 卫生"), Ok(Command::with_arg(Cmd::Patrol, "卫生")));
        assert_eq!(
            p("patrol traffic"),
            Err(ParseError::BadArgument(Cmd::Patrol, "traffic".into()))
        );
        assert_eq!(p("goto"), Err(ParseError::MissingArgument(Cmd::Goto)));
        assert_eq!(
            p("today please"),
            Err(ParseError::NoArgument(Cmd::Today, "please".into()))
        );
        assert_eq!(p("fly"), Err(ParseError::Unknown("fly".into())));
        assert_eq!(p("  "), Err(ParseError::Empty));
    }

    #[test]
    fn the_old_action_names_are_aliases() {
        for (old, cmd) in [
            ("log_visit", Cmd::LogVisit),
            ("report_problem", Cmd::ReportProblem),
            ("page_down", Cmd::PageDown),
            ("next_pane", Cmd::NextPane),
            ("yank", Cmd::CopyPhone),
            ("my_zones", Cmd::MyZones),
            ("next_field", Cmd::NextField),
            ("choice_prev", Cmd::PrevChoice),
            ("choice_next", Cmd::NextChoice),
            ("delete_char", Cmd::DeleteChar),
            ("clear_line", Cmd::ClearLine),
            ("confirm_yes", Cmd::Yes),
            ("confirm_no", Cmd::No),
        ] {
            assert_eq!(Command::parse(old), Ok(Command::new(cmd)), "{old}");
        }
    }

    #[test]
    fn every_command_string_round_trips_through_display() {
        for spec in TABLE {
            let c = match spec.arg {
                Arg::Required(ArgKind::Address) => Command::with_arg(spec.cmd, "slhy/3/2-501"),
                Arg::Required(ArgKind::Path) => Command::with_arg(spec.cmd, "roster.csv"),
                Arg::Required(ArgKind::Member) => Command::with_arg(spec.cmd, "孙丽"),
                Arg::Required(ArgKind::PatrolKind) | Arg::Optional(_) | Arg::None => {
                    Command::new(spec.cmd)
                }
            };
            assert_eq!(Command::parse(&c.to_string()), Ok(c));
        }
    }

    #[test]
    fn a_missing_address_says_what_it_needs() {
        let msg = Command::parse("goto").unwrap_err().message(Lang::En);
        assert!(
            msg.contains("AREA/BUILDING/ROOM") && msg.contains("tab"),
            "{msg}"
        );
        let msg = Command::parse("goto").unwrap_err().message(Lang::Zh);
        assert!(msg.contains("地址"), "{msg}");
        let msg = Command::parse("import").unwrap_err().message(Lang::En);
        assert!(msg.contains("file"), "{msg}");
    }

    #[test]
    fn mistyped_names_get_a_suggestion() {
        let msg = Command::parse("covrage").unwrap_err().message(Lang::En);
        assert!(msg.contains("covrage") && msg.contains("coverage"), "{msg}");
        let msg = Command::parse("xyzzy").unwrap_err().message(Lang::En);
        assert!(msg.contains("xyzzy"), "{msg}");
    }

    #[test]
    fn completion_of_names_comes_from_the_table() {
        let names =
            |t: &str| -> Vec<String> { complete_name(t).into_iter().map(|(s, _)| s).collect() };
        assert_eq!(names("cov"), vec!["coverage"]);
        assert_eq!(names("patrol "), vec!["patrol hygiene", "patrol security"]);
        assert_eq!(names("go"), vec!["goto "]);
        // Form-only commands are not offered on the command line.
        assert!(names("").iter().all(|n| n != "save" && n != "next field"));
        assert!(names("").iter().any(|n| n == "log visit"));
        assert_eq!(
            completing_arg("goto slhy/3"),
            Some((Cmd::Goto, ArgKind::Address, "slhy/3"))
        );
        assert_eq!(completing_arg("import x"), None);
    }
}
