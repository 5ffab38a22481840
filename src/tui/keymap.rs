//! Keys to command strings. `keymaps/default.toml` is compiled in; a shipped
//! variant chosen in config and then the user's `keymap.toml` override it key
//! by key. Every entry binds a key (or a sequence such as `g t`) to a command
//! string from the command table (`"v" = "log visit"`); the older action
//! names (`log_visit`) are accepted as aliases. Problems are reported with
//! file and line while the defaults stay in force. Nothing outside this
//! module matches on keys.

use std::collections::BTreeMap;
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::command::{Cmd, Command, ParseError};

pub const DEFAULT: &str = include_str!("../../keymaps/default.toml");
pub const SHIPPED: &[(&str, &str)] = &[
    ("default", DEFAULT),
    ("vim", include_str!("../../keymaps/vim.toml")),
    ("arrows", include_str!("../../keymaps/arrows.toml")),
];

/// Where a key is pressed; each has its own section in the keymap files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    Global,
    Browse,
    /// The building plan: moves go door to door, so left and right move.
    Plan,
    Form,
    Search,
    Command,
    Help,
    Confirm,
    /// Editing text in any field (forms, lookup, the `:` line): consulted
    /// after the field's own section, so every text field edits alike.
    Text,
}

impl Context {
    pub const ALL: [Context; 9] = [
        Context::Global,
        Context::Browse,
        Context::Plan,
        Context::Form,
        Context::Search,
        Context::Command,
        Context::Help,
        Context::Confirm,
        Context::Text,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Browse => "browse",
            Context::Plan => "plan",
            Context::Form => "form",
            Context::Search => "search",
            Context::Command => "command",
            Context::Help => "help",
            Context::Confirm => "confirm",
            Context::Text => "text",
        }
    }
    fn from_name(s: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == s)
    }
    /// Whether a command may be bound in this section: where it applies;
    /// `global` also takes what applies on a screen, where it falls through.
    pub fn can_bind(self, cmd: Cmd) -> bool {
        cmd.applies(self) || (self == Context::Global && cmd.applies(Context::Browse))
    }

    /// Text contexts take printable characters as input, so global letter
    /// bindings must not fire there.
    pub fn takes_text(self) -> bool {
        matches!(self, Context::Form | Context::Search | Context::Command)
    }
}

/// One key with its modifiers, normalised (shift is part of the character).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyName,
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyName {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    Backspace,
    Delete,
    Insert,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    Space,
}

const NAMED: &[(&str, KeyName)] = &[
    ("enter", KeyName::Enter),
    ("esc", KeyName::Esc),
    ("tab", KeyName::Tab),
    ("backspace", KeyName::Backspace),
    ("delete", KeyName::Delete),
    ("insert", KeyName::Insert),
    ("up", KeyName::Up),
    ("down", KeyName::Down),
    ("left", KeyName::Left),
    ("right", KeyName::Right),
    ("home", KeyName::Home),
    ("end", KeyName::End),
    ("pageup", KeyName::PageUp),
    ("pagedown", KeyName::PageDown),
    ("space", KeyName::Space),
];

impl Key {
    pub fn plain(code: KeyName) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
            shift: false,
        }
    }

    /// Parses `ctrl-s`, `shift-tab`, `G`, `?`, `f1`, `-`.
    pub fn parse(s: &str) -> Option<Key> {
        let mut key = Key::plain(KeyName::Space);
        let mut rest = s;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-").filter(|r| !r.is_empty()) {
                key.ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-").filter(|r| !r.is_empty()) {
                key.alt = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("shift-").filter(|r| !r.is_empty()) {
                key.shift = true;
                rest = r;
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        key.code = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                if key.shift && c.is_ascii_lowercase() {
                    key.shift = false;
                    KeyName::Char(c.to_ascii_uppercase())
                } else {
                    KeyName::Char(c)
                }
            }
            _ => {
                if let Some((_, k)) = NAMED.iter().find(|(n, _)| *n == rest) {
                    *k
                } else if let Some(n) = rest.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    if (1..=24).contains(&n) {
                        KeyName::F(n)
                    } else {
                        return None;
                    }
                } else {
                    return None;
                }
            }
        };
        Some(key)
    }

    /// From a terminal key event (key-press only is the caller's job).
    pub fn from_event(e: KeyEvent) -> Option<Key> {
        let ctrl = e.modifiers.contains(KeyModifiers::CONTROL);
        let alt = e.modifiers.contains(KeyModifiers::ALT);
        let shift = e.modifiers.contains(KeyModifiers::SHIFT);
        let (code, shift) = match e.code {
            KeyCode::Char(' ') => (KeyName::Space, shift),
            // The character already carries shift (`G`, `?`).
            KeyCode::Char(c) => (KeyName::Char(c), false),
            KeyCode::F(n) => (KeyName::F(n), shift),
            KeyCode::Enter => (KeyName::Enter, shift),
            KeyCode::Esc => (KeyName::Esc, shift),
            KeyCode::Tab => (KeyName::Tab, shift),
            KeyCode::BackTab => (KeyName::Tab, true),
            KeyCode::Backspace => (KeyName::Backspace, shift),
            KeyCode::Delete => (KeyName::Delete, shift),
            KeyCode::Insert => (KeyName::Insert, shift),
            KeyCode::Up => (KeyName::Up, shift),
            KeyCode::Down => (KeyName::Down, shift),
            KeyCode::Left => (KeyName::Left, shift),
            KeyCode::Right => (KeyName::Right, shift),
            KeyCode::Home => (KeyName::Home, shift),
            KeyCode::End => (KeyName::End, shift),
            KeyCode::PageUp => (KeyName::PageUp, shift),
            KeyCode::PageDown => (KeyName::PageDown, shift),
            _ => return None,
        };
        Some(Key {
            code,
            ctrl,
            alt,
            shift,
        })
    }

    /// The character this key types in a text field, if any.
    pub fn text(self) -> Option<char> {
        if self.ctrl || self.alt {
            return None;
        }
        match self.code {
            KeyName::Char(c) => Some(c),
            KeyName::Space => Some(' '),
            _ => None,
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        if self.shift {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyName::Char(c) => write!(f, "{c}"),
            KeyName::F(n) => write!(f, "f{n}"),
            other => {
                let name = NAMED
                    .iter()
                    .find(|(_, k)| *k == other)
                    .map_or("?", |(n, _)| n);
                f.write_str(name)
            }
        }
    }
}

/// A key sequence such as `g g`.
pub type Seq = Vec<Key>;

pub fn seq_text(seq: &[Key]) -> String {
    seq.iter().map(Key::to_string).collect::<Vec<_>>().join(" ")
}

/// A problem found in a keymap file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeymapError {
    pub file: String,
    pub line: usize,
    pub msg: String,
}

impl fmt::Display for KeymapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.msg)
    }
}

/// The merged bindings, per context.
#[derive(Clone, Debug, Default)]
pub struct Keymap {
    bindings: BTreeMap<Context, BTreeMap<Seq, Command>>,
}

/// What a key press amounts to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    Command(Command),
    /// The keys so far begin a longer sequence: wait for the next.
    Pending,
    /// Not bound here; in a text context the caller may type it.
    Unbound,
}

/// What can follow a prefix, for the pop-up: a command, or more keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    Command(Command),
    /// This key begins a longer sequence still.
    More,
}

fn line_of(text: &str, section: &str, key: &str) -> usize {
    let mut in_section = section.is_empty();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.starts_with('[') {
            in_section = t.trim_matches(|c| c == '[' || c == ']').trim() == section;
            continue;
        }
        if in_section {
            let k = t.split('=').next().unwrap_or("").trim().trim_matches('"');
            if k == key {
                return i + 1;
            }
        }
    }
    1
}

/// Why a command string cannot be bound, in English like the rest of a
/// keymap file's errors.
fn binding_error(e: &ParseError) -> String {
    match e {
        ParseError::Empty => "an empty command; use \"none\" to free a key".to_string(),
        ParseError::Unknown(word) => match super::command::suggest(word) {
            Some(s) => format!("unknown command `{word}`; did you mean `{s}`?"),
            None => format!("unknown command `{word}`"),
        },
        ParseError::MissingArgument(c) => format!("`{}` needs its argument", c.usage()),
        _ => e.message(gridbook_domain::i18n::Lang::En),
    }
}

impl Keymap {
    /// The default keymap, then `variant` (a shipped name), then the user's file.
    pub fn load(variant: Option<&str>, user: Option<(&str, &str)>) -> (Keymap, Vec<KeymapError>) {
        let mut km = Keymap::default();
        let mut errors = Vec::new();
        km.merge("keymaps/default.toml", DEFAULT, &mut errors);
        if let Some(v) = variant.filter(|v| *v != "default") {
            match SHIPPED.iter().find(|(n, _)| *n == v) {
                Some((n, text)) => km.merge(&format!("keymaps/{n}.toml"), text, &mut errors),
                None => errors.push(KeymapError {
                    file: "config.toml".into(),
                    line: 1,
                    msg: format!(
                        "unknown keymap `{v}`; shipped: {}",
                        SHIPPED
                            .iter()
                            .map(|(n, _)| *n)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }),
            }
        }
        if let Some((file, text)) = user {
            km.merge(file, text, &mut errors);
        }
        (km, errors)
    }

    /// Merges one file over the current bindings, key by key. Bad entries are
    /// skipped and reported; good ones still apply.
    pub fn merge(&mut self, file: &str, text: &str, errors: &mut Vec<KeymapError>) {
        let start = errors.len();
        self.merge_inner(file, text, errors);
        // TOML tables come back sorted by key; report in file order.
        errors[start..].sort_by_key(|e| e.line);
    }

    fn merge_inner(&mut self, file: &str, text: &str, errors: &mut Vec<KeymapError>) {
        let table: toml::Table = match toml::from_str(text) {
            Ok(t) => t,
            Err(e) => {
                let line = e
                    .span()
                    .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
                    .unwrap_or(1);
                errors.push(KeymapError {
                    file: file.into(),
                    line,
                    msg: format!("not valid TOML: {}", e.message()),
                });
                return;
            }
        };
        for (section, entries) in &table {
            let Some(ctx) = Context::from_name(section) else {
                errors.push(KeymapError {
                    file: file.into(),
                    line: line_of(text, "", section).max(
                        text.lines()
                            .position(|l| l.trim() == format!("[{section}]"))
                            .map_or(1, |i| i + 1),
                    ),
                    msg: format!(
                        "unknown section [{section}]; known: {}",
                        Context::ALL.map(|c| c.name()).join(", ")
                    ),
                });
                continue;
            };
            let Some(entries) = entries.as_table() else {
                continue;
            };
            for (keys, value) in entries {
                let line = line_of(text, section, keys);
                let err = |msg: String| KeymapError {
                    file: file.into(),
                    line,
                    msg,
                };
                let seq: Option<Seq> = keys.split_whitespace().map(Key::parse).collect();
                let Some(seq) = seq.filter(|s| !s.is_empty()) else {
                    errors.push(err(format!("unknown key `{keys}`")));
                    continue;
                };
                let Some(string) = value.as_str() else {
                    errors.push(err(format!(
                        "the command for `{keys}` must be a string, such as \"log visit\""
                    )));
                    continue;
                };
                if string.trim() == "none" {
                    if let Some(map) = self.bindings.get_mut(&ctx) {
                        map.remove(&seq);
                    }
                    continue;
                }
                let command = match Command::parse(string) {
                    Ok(c) => c,
                    Err(e) => {
                        errors.push(err(binding_error(&e)));
                        continue;
                    }
                };
                if !ctx.can_bind(command.cmd) {
                    let places: Vec<String> = command
                        .cmd
                        .spec()
                        .contexts
                        .iter()
                        .map(|c| format!("[{}]", c.name()))
                        .collect();
                    errors.push(err(format!(
                        "`{}` does nothing in [{section}]; it applies in {}",
                        command.cmd.name(),
                        places.join(", ")
                    )));
                    continue;
                }
                self.bindings.entry(ctx).or_default().insert(seq, command);
            }
        }
    }

    /// The sections consulted in `ctx` for `keys`: the context itself, then
    /// `global` outside text contexts (and for keys that type nothing in them).
    fn sections(ctx: Context, keys: &[Key]) -> Vec<Context> {
        let mut contexts = vec![ctx];
        // The plan falls through to the screens' section, then global.
        if ctx == Context::Plan {
            contexts.push(Context::Browse);
        }
        // Text fields share one section of editing keys.
        if ctx.takes_text() {
            contexts.push(Context::Text);
        }
        let typing = keys.len() == 1 && keys[0].text().is_some();
        if ctx != Context::Global && !(ctx.takes_text() && typing) && ctx != Context::Confirm {
            contexts.push(Context::Global);
        }
        contexts
    }

    /// Resolves the keys pressed so far in `ctx`.
    pub fn resolve(&self, ctx: Context, keys: &[Key]) -> Resolved {
        let mut pending = false;
        for c in Keymap::sections(ctx, keys) {
            let Some(map) = self.bindings.get(&c) else {
                continue;
            };
            if let Some(command) = map.get(keys) {
                return Resolved::Command(command.clone());
            }
            if map
                .keys()
                .any(|s| s.len() > keys.len() && s.starts_with(keys))
            {
                pending = true;
            }
        }
        if pending {
            Resolved::Pending
        } else {
            Resolved::Unbound
        }
    }

    /// What can follow `prefix` in `ctx`: each next key with the command it
    /// completes or `More`, sorted by key. A binding of the context hides
    /// the same keys in `global`.
    pub fn continuations(&self, ctx: Context, prefix: &[Key]) -> Vec<(Key, Next)> {
        let mut out: BTreeMap<Key, Next> = BTreeMap::new();
        for c in Keymap::sections(ctx, prefix) {
            let Some(map) = self.bindings.get(&c) else {
                continue;
            };
            let mut here: BTreeMap<Key, Next> = BTreeMap::new();
            for (seq, command) in map {
                if seq.len() <= prefix.len() || !seq.starts_with(prefix) {
                    continue;
                }
                let key = seq[prefix.len()];
                if seq.len() == prefix.len() + 1 {
                    here.insert(key, Next::Command(command.clone()));
                } else {
                    here.entry(key).or_insert(Next::More);
                }
            }
            for (k, n) in here {
                out.entry(k).or_insert(n);
            }
        }
        out.into_iter().collect()
    }

    /// Bindings of a context, grouped by command (in table order), for help.
    pub fn bindings(&self, ctx: Context) -> Vec<(Command, Vec<String>)> {
        let mut by_command: BTreeMap<Command, Vec<String>> = BTreeMap::new();
        if let Some(map) = self.bindings.get(&ctx) {
            for (seq, c) in map {
                by_command.entry(c.clone()).or_default().push(seq_text(seq));
            }
        }
        by_command.into_iter().collect()
    }

    /// The first key bound to `cmd` (without an argument) in `ctx` or
    /// global, for hint lines.
    pub fn key_for(&self, ctx: Context, cmd: Cmd) -> Option<String> {
        self.keys_for(ctx, cmd).into_iter().next()
    }

    /// Every key bound to `cmd` in the first section of `ctx`'s that binds
    /// it, the one a hint names first: a dialog that takes both `enter` and
    /// `y` says both.
    pub fn keys_for(&self, ctx: Context, cmd: Cmd) -> Vec<String> {
        let wanted = Command::new(cmd);
        let mut sections = vec![ctx];
        if ctx == Context::Plan {
            sections.push(Context::Browse);
        }
        if ctx.takes_text() {
            sections.push(Context::Text);
        }
        sections.push(Context::Global);
        let shadowed = |c: Context, seq: &Seq| {
            c != ctx && self.bindings.get(&ctx).is_some_and(|m| m.contains_key(seq))
        };
        for c in sections {
            if let Some(map) = self.bindings.get(&c) {
                // Prefer single keys, and letters over named keys, as hints.
                let mut found: Vec<&Seq> = map
                    .iter()
                    .filter(|(seq, command)| **command == wanted && !shadowed(c, seq))
                    .map(|(s, _)| s)
                    .collect();
                found.sort_by_key(|s| {
                    let k = s[0];
                    let rank = match k.code {
                        KeyName::Tab => 0,
                        KeyName::Enter | KeyName::Esc => 1,
                        KeyName::Char(_) => 2,
                        _ => 3,
                    };
                    (s.len(), k.ctrl || k.alt, rank)
                });
                if !found.is_empty() {
                    return found.into_iter().map(|s| seq_text(s)).collect();
                }
            }
        }
        Vec::new()
    }

    /// Every (context, sequence, command) bound, for tests.
    pub fn all(&self) -> impl Iterator<Item = (Context, &Seq, &Command)> {
        self.bindings
            .iter()
            .flat_map(|(c, m)| m.iter().map(move |(s, command)| (*c, s, command)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> Vec<Key> {
        s.split_whitespace()
            .map(|x| Key::parse(x).unwrap())
            .collect()
    }

    fn cmd(c: Cmd) -> Resolved {
        Resolved::Command(Command::new(c))
    }

    #[test]
    fn shipped_keymaps_parse_cleanly_with_no_duplicate_keys() {
        for (name, text) in SHIPPED {
            let mut km = Keymap::default();
            let mut errors = Vec::new();
            km.merge(name, text, &mut errors);
            assert!(errors.is_empty(), "{name}: {errors:?}");
            // A TOML table cannot hold the same key twice, but two spellings
            // could name the same key (`G` and `shift-g`).
            let table: toml::Table = toml::from_str(text).unwrap();
            for (section, entries) in table {
                let mut seen = std::collections::HashSet::new();
                for (key, value) in entries.as_table().unwrap() {
                    let seq: Vec<Key> = key
                        .split_whitespace()
                        .map(|x| Key::parse(x).unwrap())
                        .collect();
                    assert!(seen.insert(seq), "{name} [{section}]: `{key}` bound twice");
                    // Shipped files use the command names, not the old aliases.
                    let v = value.as_str().unwrap();
                    if v != "none" {
                        let c = Command::parse(v).unwrap();
                        assert_eq!(
                            c.to_string(),
                            v,
                            "{name} [{section}] `{key}`: write the command's name"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn design_default_bindings_are_present() {
        let (km, errors) = Keymap::load(None, None);
        assert!(errors.is_empty());
        let b = Context::Browse;
        for (keys, c) in [
            ("j", Cmd::Down),
            ("down", Cmd::Down),
            ("k", Cmd::Up),
            ("up", Cmd::Up),
            ("enter", Cmd::Open),
            ("l", Cmd::Open),
            ("right", Cmd::Open),
            ("esc", Cmd::Back),
            ("h", Cmd::Back),
            ("left", Cmd::Back),
            ("/", Cmd::Lookup),
            (":", Cmd::Command),
            ("v", Cmd::LogVisit),
            ("p", Cmd::ReportProblem),
            ("r", Cmd::Resolve),
            ("t", Cmd::Patrol),
            ("a", Cmd::Assign),
            ("n", Cmd::New),
            ("e", Cmd::Edit),
            ("d", Cmd::Delete),
            ("y", Cmd::CopyPhone),
            ("tab", Cmd::NextPane),
            ("shift-tab", Cmd::PrevPane),
            ("?", Cmd::Help),
            ("q", Cmd::Quit),
            ("g g", Cmd::Top),
            ("g t", Cmd::Today),
            ("g m", Cmd::Members),
            ("g p", Cmd::Problems),
            ("g c", Cmd::Coverage),
        ] {
            assert_eq!(km.resolve(b, &k(keys)), cmd(c), "{keys}");
        }
        let f = Context::Form;
        for (keys, c) in [
            ("ctrl-s", Cmd::Save),
            ("tab", Cmd::NextField),
            ("shift-tab", Cmd::PrevField),
            ("esc", Cmd::Cancel),
        ] {
            assert_eq!(km.resolve(f, &k(keys)), cmd(c), "{keys}");
        }
        assert_eq!(km.resolve(Context::Browse, &k("g")), Resolved::Pending);
    }

    #[test]
    fn text_contexts_type_letters_instead_of_global_bindings() {
        let (km, _) = Keymap::load(None, None);
        assert_eq!(km.resolve(Context::Form, &k("q")), Resolved::Unbound);
        assert_eq!(km.resolve(Context::Search, &k("?")), Resolved::Unbound);
        assert_eq!(km.resolve(Context::Form, &k("ctrl-c")), cmd(Cmd::Quit));
    }

    #[test]
    fn user_file_overrides_key_by_key_and_reports_errors_with_lines() {
        let user = "[browse]\n\"x\" = \"delete\"\n\"j\" = \"none\"\n\"z\" = \"fly\"\n\"ctrl-\" = \"up\"\n[nowhere]\n\"a\" = \"up\"\n[form]\n\"ctrl-v\" = \"log visit\"\n\"ctrl-g\" = \"goto\"\n";
        let (km, errors) = Keymap::load(None, Some(("keymap.toml", user)));
        assert_eq!(km.resolve(Context::Browse, &k("x")), cmd(Cmd::Delete));
        assert_eq!(km.resolve(Context::Browse, &k("j")), Resolved::Unbound);
        // Defaults the user did not touch stay in force.
        assert_eq!(km.resolve(Context::Browse, &k("k")), cmd(Cmd::Up));
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            shown,
            vec![
                "keymap.toml:4: unknown command `fly`",
                "keymap.toml:5: unknown key `ctrl-`",
                "keymap.toml:6: unknown section [nowhere]; known: global, browse, plan, form, search, command, help, confirm, text",
                "keymap.toml:9: `log visit` does nothing in [form]; it applies in [browse]",
                "keymap.toml:10: `goto ADDR` needs its argument",
            ]
        );
    }

    #[test]
    fn old_action_names_in_a_users_file_keep_working() {
        // A keymap.toml written before command strings.
        let user = "[browse]\n\"V\" = \"log_visit\"\n\"P\" = \"report_problem\"\n\"Y\" = \"yank\"\n\"ctrl-d\" = \"page_down\"\n\"g z\" = \"my_zones\"\n[form]\n\"ctrl-j\" = \"next_field\"\n\"alt-left\" = \"choice_prev\"\n[confirm]\n\"o\" = \"confirm_yes\"\n";
        let (km, errors) = Keymap::load(None, Some(("keymap.toml", user)));
        assert!(errors.is_empty(), "{errors:?}");
        let b = Context::Browse;
        assert_eq!(km.resolve(b, &k("V")), cmd(Cmd::LogVisit));
        assert_eq!(km.resolve(b, &k("P")), cmd(Cmd::ReportProblem));
        assert_eq!(km.resolve(b, &k("Y")), cmd(Cmd::CopyPhone));
        assert_eq!(km.resolve(b, &k("ctrl-d")), cmd(Cmd::PageDown));
        assert_eq!(km.resolve(b, &k("g z")), cmd(Cmd::MyZones));
        assert_eq!(km.resolve(Context::Form, &k("ctrl-j")), cmd(Cmd::NextField));
        assert_eq!(
            km.resolve(Context::Form, &k("alt-left")),
            cmd(Cmd::PrevChoice)
        );
        assert_eq!(km.resolve(Context::Confirm, &k("o")), cmd(Cmd::Yes));
        // Help and hints show the command's name whichever spelling bound it.
        assert!(
            km.bindings(b)
                .iter()
                .any(|(c, keys)| c.to_string() == "log visit" && keys.contains(&"V".to_string()))
        );
    }

    #[test]
    fn commands_with_arguments_can_be_bound() {
        let user = "[browse]\n\"g 3\" = \"goto slhy/3\"\n\"H\" = \"patrol hygiene\"\n\"S\" = \"patrol traffic\"\n";
        let (km, errors) = Keymap::load(None, Some(("keymap.toml", user)));
        assert_eq!(
            km.resolve(Context::Browse, &k("g 3")),
            Resolved::Command(Command::with_arg(Cmd::Goto, "slhy/3"))
        );
        assert_eq!(
            km.resolve(Context::Browse, &k("H")),
            Resolved::Command(Command::with_arg(Cmd::Patrol, "hygiene"))
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 4);
        assert!(errors[0].msg.contains("traffic"), "{}", errors[0]);
    }

    #[test]
    fn the_plan_moves_left_and_right_and_falls_through_to_browse() {
        let (km, _) = Keymap::load(None, None);
        let p = Context::Plan;
        assert_eq!(km.resolve(p, &k("h")), cmd(Cmd::Left));
        assert_eq!(km.resolve(p, &k("right")), cmd(Cmd::Right));
        assert_eq!(km.resolve(p, &k("j")), cmd(Cmd::Down));
        assert_eq!(km.resolve(p, &k("esc")), cmd(Cmd::Back));
        assert_eq!(km.resolve(p, &k("?")), cmd(Cmd::Help));
        // In browse, `h` still backs up.
        assert_eq!(km.resolve(Context::Browse, &k("h")), cmd(Cmd::Back));
        // A hint never names a key the plan took over.
        assert_eq!(km.key_for(p, Cmd::Back).as_deref(), Some("esc"));
        assert_eq!(km.key_for(p, Cmd::Left).as_deref(), Some("h"));
    }

    #[test]
    fn continuations_list_what_can_follow_a_prefix() {
        let (km, _) = Keymap::load(None, None);
        let next: Vec<(String, Next)> = km
            .continuations(Context::Browse, &k("g"))
            .into_iter()
            .map(|(key, n)| (key.to_string(), n))
            .collect();
        let want = |c: Cmd| Next::Command(Command::new(c));
        assert_eq!(
            next,
            vec![
                ("!".to_string(), want(Cmd::Conflicts)),
                ("b".to_string(), want(Cmd::Plan)),
                ("c".to_string(), want(Cmd::Coverage)),
                ("g".to_string(), want(Cmd::Top)),
                ("m".to_string(), want(Cmd::Members)),
                ("p".to_string(), want(Cmd::Problems)),
                ("t".to_string(), want(Cmd::Today)),
            ]
        );
        // A deeper sequence shows as more keys to come.
        let user = "[browse]\n\"g x y\" = \"coverage\"\n";
        let (km, _) = Keymap::load(None, Some(("keymap.toml", user)));
        assert!(
            km.continuations(Context::Browse, &k("g"))
                .contains(&(Key::parse("x").unwrap(), Next::More))
        );
    }

    #[test]
    fn broken_toml_keeps_defaults() {
        let (km, errors) = Keymap::load(None, Some(("keymap.toml", "[browse]\n\"j\" = \n")));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 2);
        assert_eq!(km.resolve(Context::Browse, &k("j")), cmd(Cmd::Down));
    }

    #[test]
    fn shipped_variants_apply() {
        let (km, errors) = Keymap::load(Some("arrows"), None);
        assert!(errors.is_empty());
        assert_eq!(km.resolve(Context::Browse, &k("j")), Resolved::Unbound);
        assert_eq!(km.resolve(Context::Browse, &k("down")), cmd(Cmd::Down));
        let (km, errors) = Keymap::load(Some("vim"), None);
        assert!(errors.is_empty());
        assert_eq!(
            km.resolve(Context::Browse, &k("ctrl-d")),
            cmd(Cmd::PageDown)
        );
        assert_eq!(km.resolve(Context::Browse, &k("x")), cmd(Cmd::Delete));
        let (_, errors) = Keymap::load(Some("emacs"), None);
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn keys_round_trip_through_text() {
        for s in [
            "ctrl-s",
            "shift-tab",
            "G",
            "?",
            "f5",
            "pagedown",
            "alt-x",
            "space",
        ] {
            assert_eq!(Key::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(Key::parse("shift-g").unwrap(), Key::parse("G").unwrap());
        assert!(Key::parse("f99").is_none());
        assert!(Key::parse("hyper-x").is_none());
    }
}
