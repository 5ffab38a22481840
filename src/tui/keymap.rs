//! Keys to named actions. `keymaps/default.toml` is compiled in; a shipped
//! variant chosen in config and then the user's `keymap.toml` override it key
//! by key. Problems are reported with file and line while the defaults stay
//! in force. Nothing outside this module matches on keys.

use std::collections::BTreeMap;
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub const DEFAULT: &str = include_str!("../../keymaps/default.toml");
pub const SHIPPED: &[(&str, &str)] = &[
    ("default", DEFAULT),
    ("vim", include_str!("../../keymaps/vim.toml")),
    ("arrows", include_str!("../../keymaps/arrows.toml")),
];

macro_rules! actions {
    ($($variant:ident = $name:literal),* $(,)?) => {
        /// Everything a key can ask for.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant),* }

        impl Action {
            pub const ALL: &[Action] = &[$(Action::$variant),*];
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),* }
            }
            pub fn from_name(s: &str) -> Option<Action> {
                match s { $($name => Some(Action::$variant),)* _ => None }
            }
        }
    };
}

actions! {
    Up = "up", Down = "down", PageUp = "page_up", PageDown = "page_down",
    Top = "top", Bottom = "bottom", Open = "open", Back = "back",
    NextPane = "next_pane", PrevPane = "prev_pane",
    Lookup = "lookup", Command = "command", Help = "help", Quit = "quit",
    LogVisit = "log_visit", ReportProblem = "report_problem", Resolve = "resolve",
    Patrol = "patrol", Assign = "assign", New = "new", Edit = "edit", Delete = "delete",
    Yank = "yank", MyZones = "my_zones", Sort = "sort", Filter = "filter",
    Today = "today", Members = "members", Problems = "problems", Coverage = "coverage",
    NextField = "next_field", PrevField = "prev_field", Save = "save", Cancel = "cancel",
    DeleteChar = "delete_char", ClearLine = "clear_line",
    ChoicePrev = "choice_prev", ChoiceNext = "choice_next",
    Submit = "submit", Complete = "complete",
    ConfirmYes = "confirm_yes", ConfirmNo = "confirm_no",
}

/// Where a key is pressed; each has its own section in the keymap files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    Global,
    Browse,
    Form,
    Search,
    Command,
    Help,
    Confirm,
}

impl Context {
    pub const ALL: [Context; 7] = [
        Context::Global,
        Context::Browse,
        Context::Form,
        Context::Search,
        Context::Command,
        Context::Help,
        Context::Confirm,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Browse => "browse",
            Context::Form => "form",
            Context::Search => "search",
            Context::Command => "command",
            Context::Help => "help",
            Context::Confirm => "confirm",
        }
    }
    fn from_name(s: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == s)
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
    bindings: BTreeMap<Context, BTreeMap<Seq, Action>>,
}

/// What a key press amounts to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    Action(Action),
    /// The keys so far begin a longer sequence: wait for the next.
    Pending,
    /// Not bound here; in a text context the caller may type it.
    Unbound,
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
            for (keys, action) in entries {
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
                let Some(name) = action.as_str() else {
                    errors.push(err(format!("the action for `{keys}` must be a string")));
                    continue;
                };
                let map = self.bindings.entry(ctx).or_default();
                if name == "none" {
                    map.remove(&seq);
                    continue;
                }
                match Action::from_name(name) {
                    Some(a) => {
                        map.insert(seq, a);
                    }
                    None => errors.push(err(format!("unknown action `{name}`"))),
                }
            }
        }
    }

    /// Resolves the keys pressed so far in `ctx` (falling back to `global`
    /// outside text contexts, and for keys that type nothing inside them).
    pub fn resolve(&self, ctx: Context, keys: &[Key]) -> Resolved {
        let mut contexts = vec![ctx];
        let typing = keys.len() == 1 && keys[0].text().is_some();
        if ctx != Context::Global && !(ctx.takes_text() && typing) && ctx != Context::Confirm {
            contexts.push(Context::Global);
        }
        let mut pending = false;
        for c in contexts {
            let Some(map) = self.bindings.get(&c) else {
                continue;
            };
            if let Some(a) = map.get(keys) {
                return Resolved::Action(*a);
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

    /// Bindings of a context, grouped by action, for help and hints.
    pub fn bindings(&self, ctx: Context) -> Vec<(Action, Vec<String>)> {
        let mut by_action: BTreeMap<Action, Vec<String>> = BTreeMap::new();
        if let Some(map) = self.bindings.get(&ctx) {
            for (seq, a) in map {
                by_action.entry(*a).or_default().push(seq_text(seq));
            }
        }
        by_action.into_iter().collect()
    }

    /// The first key bound to `action` in `ctx` (or global), for hint lines.
    pub fn key_for(&self, ctx: Context, action: Action) -> Option<String> {
        for c in [ctx, Context::Global] {
            if let Some(map) = self.bindings.get(&c) {
                // Prefer single keys, and letters over named keys, as hints.
                let mut found: Vec<&Seq> = map
                    .iter()
                    .filter(|(_, a)| **a == action)
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
                if let Some(s) = found.first() {
                    return Some(seq_text(s));
                }
            }
        }
        None
    }

    /// Every (context, sequence) pair bound, for tests.
    pub fn all(&self) -> impl Iterator<Item = (Context, &Seq, Action)> {
        self.bindings
            .iter()
            .flat_map(|(c, m)| m.iter().map(move |(s, a)| (*c, s, *a)))
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
                for key in entries.as_table().unwrap().keys() {
                    let seq: Vec<Key> = key
                        .split_whitespace()
                        .map(|x| Key::parse(x).unwrap())
                        .collect();
                    assert!(seen.insert(seq), "{name} [{section}]: `{key}` bound twice");
                }
            }
        }
    }

    #[test]
    fn design_default_bindings_are_present() {
        let (km, errors) = Keymap::load(None, None);
        assert!(errors.is_empty());
        let b = Context::Browse;
        for (keys, action) in [
            ("j", Action::Down),
            ("down", Action::Down),
            ("k", Action::Up),
            ("enter", Action::Open),
            ("l", Action::Open),
            ("esc", Action::Back),
            ("h", Action::Back),
            ("/", Action::Lookup),
            (":", Action::Command),
            ("v", Action::LogVisit),
            ("p", Action::ReportProblem),
            ("r", Action::Resolve),
            ("t", Action::Patrol),
            ("a", Action::Assign),
            ("n", Action::New),
            ("e", Action::Edit),
            ("d", Action::Delete),
            ("y", Action::Yank),
            ("?", Action::Help),
            ("q", Action::Quit),
            ("g g", Action::Top),
        ] {
            assert_eq!(km.resolve(b, &k(keys)), Resolved::Action(action), "{keys}");
        }
        assert_eq!(
            km.resolve(Context::Form, &k("ctrl-s")),
            Resolved::Action(Action::Save)
        );
        assert_eq!(
            km.resolve(Context::Form, &k("shift-tab")),
            Resolved::Action(Action::PrevField)
        );
        assert_eq!(km.resolve(Context::Browse, &k("g")), Resolved::Pending);
    }

    #[test]
    fn text_contexts_type_letters_instead_of_global_bindings() {
        let (km, _) = Keymap::load(None, None);
        assert_eq!(km.resolve(Context::Form, &k("q")), Resolved::Unbound);
        assert_eq!(km.resolve(Context::Search, &k("?")), Resolved::Unbound);
        assert_eq!(
            km.resolve(Context::Form, &k("ctrl-c")),
            Resolved::Action(Action::Quit)
        );
    }

    #[test]
    fn user_file_overrides_key_by_key_and_reports_errors_with_lines() {
        let user = "[browse]\n\"x\" = \"delete\"\n\"j\" = \"none\"\n\"z\" = \"fly\"\n\"ctrl-\" = \"up\"\n[nowhere]\n\"a\" = \"up\"\n";
        let (km, errors) = Keymap::load(None, Some(("keymap.toml", user)));
        assert_eq!(
            km.resolve(Context::Browse, &k("x")),
            Resolved::Action(Action::Delete)
        );
        assert_eq!(km.resolve(Context::Browse, &k("j")), Resolved::Unbound);
        // Defaults the user did not touch stay in force.
        assert_eq!(
            km.resolve(Context::Browse, &k("k")),
            Resolved::Action(Action::Up)
        );
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            shown,
            vec![
                "keymap.toml:4: unknown action `fly`",
                "keymap.toml:5: unknown key `ctrl-`",
                "keymap.toml:6: unknown section [nowhere]; known: global, browse, form, search, command, help, confirm",
            ]
        );
    }

    #[test]
    fn broken_toml_keeps_defaults() {
        let (km, errors) = Keymap::load(None, Some(("keymap.toml", "[browse]\n\"j\" = \n")));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 2);
        assert_eq!(
            km.resolve(Context::Browse, &k("j")),
            Resolved::Action(Action::Down)
        );
    }

    #[test]
    fn shipped_variants_apply() {
        let (km, errors) = Keymap::load(Some("arrows"), None);
        assert!(errors.is_empty());
        assert_eq!(km.resolve(Context::Browse, &k("j")), Resolved::Unbound);
        assert_eq!(
            km.resolve(Context::Browse, &k("down")),
            Resolved::Action(Action::Down)
        );
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

    #[test]
    fn every_action_has_help_text_in_both_languages() {
        use gridbook_domain::i18n::Lang;
        for a in Action::ALL {
            let key = format!("action.{}", a.name());
            assert_ne!(Lang::En.t(&key), key, "missing {key} in en.toml");
            assert_ne!(Lang::Zh.t(&key), key, "missing {key} in zh.toml");
        }
    }
}
