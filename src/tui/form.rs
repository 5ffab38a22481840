//! A modal, keyboard-only form: text, phone, date and choice fields with
//! inline validation. Every add/edit/log dialog is one of these. Fields have
//! names; what a form hands to saving is its [`Values`] by name, from which
//! the save effect builds the domain's input structs. Editing a field's
//! text is [`super::input`]'s job; a form only routes to the focused field.

use gridbook_domain::i18n::Lang;
use gridbook_domain::validate;

use super::input::{Edit, TextInput};
pub use super::pick::Pick;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// Must not be empty.
    Required,
    /// One or more phone numbers separated by `;`, may be empty.
    Phones,
    /// One phone number, required.
    Phone,
    /// A date (`today`, `+7d`, `2026-11-28`), may be empty.
    Date,
    /// A time (`now`, `14:30`, `yesterday 09:00`).
    Time,
    /// One of fixed choices (code, label); left/right cycle.
    Choice(Vec<(String, String)>),
    /// A checklist item: ok, or an issue with the typed note.
    Check,
    /// Several of a list, marked with space after typing to filter.
    Multi(Pick),
    /// A duration in hours (`2`, `1.5`, `2h`, `1.5小时`): more than 0, at most 24.
    Hours,
}

/// Why a typed duration in hours is refused: the reason differs, so the
/// message does (`两小时` is not a number; `30` is one, out of range).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HoursError {
    NotANumber,
    OutOfRange,
}

impl HoursError {
    /// The message for `typed`, in `lang`.
    pub fn say(self, lang: Lang, typed: &str) -> String {
        let key = match self {
            HoursError::NotANumber => "caretui.err.hours_nan",
            HoursError::OutOfRange => "caretui.err.hours",
        };
        lang.f(key, &[typed.trim()])
    }
}

/// Minutes in a duration typed in hours, when it is more than 0 and at
/// most 24 hours.
pub fn hours_minutes(text: &str) -> Result<u32, HoursError> {
    let t = text.trim();
    let t = t
        .strip_suffix("小时")
        .or_else(|| t.strip_suffix('h'))
        .unwrap_or(t)
        .trim();
    let h: f64 = t.parse().map_err(|_| HoursError::NotANumber)?;
    // `inf` and `NaN` parse as floats, but no one means them as hours.
    if !h.is_finite() {
        return Err(HoursError::NotANumber);
    }
    let m = (h * 60.0).round();
    if (1.0..=24.0 * 60.0).contains(&m) {
        Ok(m as u32)
    } else {
        Err(HoursError::OutOfRange)
    }
}

#[derive(Clone, Debug)]
pub struct Field {
    /// What saving reads the value by (`note`, `follow_up`); checklist items
    /// all share `check`, in order.
    pub name: &'static str,
    pub label: String,
    /// The text and its cursor (unused by choices).
    pub input: TextInput,
    pub kind: FieldKind,
    /// For choices: the selected index. For checks: 1 when marked as an issue.
    pub choice: usize,
    pub error: Option<String>,
}

impl Field {
    pub fn new(
        name: &'static str,
        label: impl Into<String>,
        kind: FieldKind,
        value: impl Into<String>,
    ) -> Field {
        let value = value.into();
        // Notes may span lines; dates and times filled with `today`/`now`
        // show a default the first typed key replaces.
        let input = if matches!(name, "note" | "notes") {
            TextInput::multiline(&value)
        } else if matches!(kind, FieldKind::Date | FieldKind::Time)
            && DEFAULT_WORDS.contains(&value.as_str())
        {
            TextInput::new(&value).as_default()
        } else {
            TextInput::new(&value)
        };
        Field {
            name,
            label: label.into(),
            input,
            kind,
            choice: 0,
            error: None,
        }
    }

    /// The text typed (or filled in).
    pub fn value(&self) -> String {
        self.input.text()
    }

    /// Shows an untouched default (`today`, `now`) in `lang`'s words; both
    /// languages' words are accepted when typed.
    fn localise_default(&mut self, lang: Lang) {
        if !self.input.shows_default() {
            return;
        }
        let word = match self.input.text().as_str() {
            "today" | "今天" => lang.t("entry.today"),
            "now" | "现在" => lang.t("entry.now"),
            _ => return,
        };
        self.input = TextInput::new(word).as_default();
    }

    pub fn choice(
        name: &'static str,
        label: impl Into<String>,
        options: Vec<(String, String)>,
        selected: &str,
    ) -> Field {
        let idx = options.iter().position(|(c, _)| c == selected).unwrap_or(0);
        Field {
            name,
            label: label.into(),
            input: TextInput::default(),
            kind: FieldKind::Choice(options),
            choice: idx,
            error: None,
        }
    }

    /// The value handed to the save effect: the code for choices, `ok` or
    /// `issue:<note>` for checks, else the text.
    pub fn output(&self) -> String {
        match &self.kind {
            FieldKind::Choice(opts) => opts
                .get(self.choice)
                .map(|o| o.0.clone())
                .unwrap_or_default(),
            FieldKind::Check => {
                let v = self.value();
                if self.choice == 1 || !v.trim().is_empty() {
                    format!("issue:{}", v.trim())
                } else {
                    "ok".to_string()
                }
            }
            FieldKind::Multi(p) => p
                .marked()
                .map(|o| o.code.as_str())
                .collect::<Vec<_>>()
                .join(","),
            _ => self.value(),
        }
    }

    /// What stands before the text when a check shows it (`✗ `).
    pub fn prefix(&self) -> &'static str {
        match &self.kind {
            FieldKind::Check if self.choice == 1 || !self.input.is_empty() => "✗ ",
            FieldKind::Check => "✓",
            _ => "",
        }
    }

    /// Whether the field edits text (a check's note counts).
    pub fn takes_text(&self) -> bool {
        !matches!(self.kind, FieldKind::Choice(_) | FieldKind::Multi(_))
    }

    /// What the field shows.
    pub fn shown(&self) -> String {
        match &self.kind {
            FieldKind::Choice(opts) => opts
                .get(self.choice)
                .map(|o| format!("‹ {} ›", o.1))
                .unwrap_or_default(),
            FieldKind::Check => {
                if self.choice == 1 || !self.input.is_empty() {
                    format!("✗ {}", self.value())
                } else {
                    "✓".to_string()
                }
            }
            FieldKind::Multi(p) => {
                let marked: Vec<&str> = p.marked().map(|o| o.label.as_str()).collect();
                if marked.is_empty() {
                    "—".to_string()
                } else {
                    marked.join(", ")
                }
            }
            _ => self.value(),
        }
    }

    /// The inline error for the current value, in the UI's language.
    fn check(&self, lang: Lang) -> Option<String> {
        let value = self.value();
        let v = value.trim();
        let now = gridbook_domain::model::Ts::now();
        let bad = |key: &str| Some(lang.f(key, &[v]));
        match &self.kind {
            FieldKind::Required if v.is_empty() => Some(lang.t("err.required").to_string()),
            FieldKind::Phone if v.is_empty() => Some(lang.t("err.required").to_string()),
            FieldKind::Phone => validate::phone(v).err().and_then(|_| bad("err.phone")),
            FieldKind::Phones if !v.is_empty() => {
                validate::phones(v).err().and_then(|_| bad("err.phone"))
            }
            FieldKind::Date if !v.is_empty() => {
                gridbook_domain::when::date(v, now, &gridbook_domain::clock::tz())
                    .err()
                    .and_then(|_| bad("err.date"))
            }
            FieldKind::Multi(p) if p.marked().count() < p.min => {
                Some(lang.t("caretui.err.pick_min").to_string())
            }
            FieldKind::Hours if v.is_empty() => Some(lang.t("err.required").to_string()),
            FieldKind::Hours => hours_minutes(v).err().map(|e| e.say(lang, v)),
            FieldKind::Time => {
                gridbook_domain::when::instant(v, now, &gridbook_domain::clock::tz())
                    .err()
                    .and_then(|_| bad("err.time"))
            }
            _ => None,
        }
    }
}

/// Defaults a date or time field may be filled with, in either language.
const DEFAULT_WORDS: &[&str] = &["today", "now", "今天", "现在"];

/// What a form is for; the save effect dispatches on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Purpose {
    NewArea,
    NewBuilding {
        area: gridbook_domain::model::Id,
    },
    NewHousehold {
        building: gridbook_domain::model::Id,
    },
    NewResident {
        household: gridbook_domain::model::Id,
    },
    EditPlace {
        id: gridbook_domain::model::Id,
    },
    EditResident {
        id: gridbook_domain::model::Id,
    },
    Delete {
        id: gridbook_domain::model::Id,
    },
    /// Move a resident to the household the `to` field names.
    Move {
        id: gridbook_domain::model::Id,
    },
    Visit {
        household: gridbook_domain::model::Id,
    },
    Problem {
        zone: gridbook_domain::model::Id,
    },
    /// A step on one problem: the first field picks the step.
    Step {
        problem: gridbook_domain::model::Id,
    },
    /// Resolve one of the open problems in a zone: the first field picks it.
    ResolveIn {
        zone: gridbook_domain::model::Id,
    },
    Patrol {
        zone: gridbook_domain::model::Id,
        kind: gridbook_domain::model::PatrolKind,
    },
    Assign {
        zone: gridbook_domain::model::Id,
    },
    /// One member for several marked buildings or households at once.
    AssignMany {
        zones: Vec<gridbook_domain::model::Id>,
    },
    /// End a responsibility span (the `Assigned` entry) on the day given.
    EndAssignment {
        id: gridbook_domain::model::Id,
    },
    /// Hand `from`'s zones to the member typed, from the day typed: saving
    /// shows what would move, to confirm.
    Transfer {
        from: gridbook_domain::model::Id,
    },
    /// The transfer as previewed; saving carries it out.
    TransferConfirm {
        from: gridbook_domain::model::Id,
        to: gridbook_domain::model::Id,
        since: gridbook_domain::model::Ts,
    },
    NewMember,
    EditMember {
        id: gridbook_domain::model::Id,
    },
    Import {
        path: String,
    },
    /// Correct an earlier entry: the fields depend on its kind.
    Amend {
        event: gridbook_domain::model::Id,
    },
    /// A service activity in a zone, with the members who took part.
    Activity {
        zone: gridbook_domain::model::Id,
    },
}

#[derive(Clone, Debug)]
pub struct Form {
    pub purpose: Purpose,
    pub title: String,
    /// A line above the fields (e.g. what is being deleted).
    pub intro: Option<String>,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub dirty: bool,
    /// An error from saving (shown at the bottom; the form stays open).
    pub save_error: Option<String>,
    /// The language inline errors are written in (set when the form opens).
    pub lang: Lang,
}

impl Form {
    pub fn new(purpose: Purpose, title: impl Into<String>, fields: Vec<Field>) -> Form {
        Form {
            purpose,
            title: title.into(),
            intro: None,
            fields,
            focus: 0,
            dirty: false,
            save_error: None,
            lang: Lang::En,
        }
    }

    /// Sets the language of inline errors and of shown defaults.
    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
        for f in &mut self.fields {
            f.localise_default(lang);
        }
    }

    pub fn with_intro(mut self, intro: impl Into<String>) -> Form {
        self.intro = Some(intro.into());
        self
    }

    pub fn next(&mut self) {
        if !self.fields.is_empty() {
            self.validate_focused();
            self.focus = (self.focus + 1) % self.fields.len();
        }
    }

    pub fn prev(&mut self) {
        if !self.fields.is_empty() {
            self.validate_focused();
            self.focus = (self.focus + self.fields.len() - 1) % self.fields.len();
        }
    }

    fn focused(&mut self) -> Option<&mut Field> {
        self.fields.get_mut(self.focus)
    }

    pub fn type_char(&mut self, c: char) {
        if let Some(f) = self.focused() {
            // Choices take no text; space steps them in `update`, where a
            // patrol's kind reopens its form on the other checklist.
            if matches!(f.kind, FieldKind::Choice(_)) {
                return;
            }
            if let FieldKind::Multi(p) = &mut f.kind {
                p.type_char(c);
                f.error = None;
                self.dirty = true;
                return;
            }
            if f.takes_text() && f.input.type_char(c) {
                f.error = None;
                self.dirty = true;
            }
        }
    }

    /// Pasted text goes into the focused field as one insertion.
    pub fn paste(&mut self, text: &str) -> bool {
        if let Some(f) = self.focused()
            && f.takes_text()
            && f.input.paste(text)
        {
            f.error = None;
            self.dirty = true;
            return true;
        }
        false
    }

    /// One editing step in the focused field. Left and right change a
    /// choice (and a check with no note) and move in a multi-select;
    /// elsewhere they move the cursor.
    pub fn edit(&mut self, e: Edit) {
        let Some(f) = self.focused() else { return };
        if let FieldKind::Multi(p) = &mut f.kind {
            match e {
                Edit::Left | Edit::Right => p.step(e == Edit::Right),
                Edit::DeleteBack => {
                    p.backspace();
                }
                Edit::DeleteToStart => p.clear_filter(),
                _ => {}
            }
            return;
        }
        let cycles = match f.kind {
            FieldKind::Choice(_) => true,
            FieldKind::Check => f.input.is_empty(),
            _ => false,
        };
        if cycles && matches!(e, Edit::Left | Edit::Right) {
            self.cycle(e == Edit::Right);
            return;
        }
        if f.takes_text() && f.input.edit(e) {
            f.error = None;
            self.dirty = true;
        }
    }

    pub fn delete_char(&mut self) {
        self.edit(Edit::DeleteBack);
    }

    pub fn clear(&mut self) {
        self.edit(Edit::DeleteToStart);
    }

    pub fn cycle(&mut self, forward: bool) {
        if let Some(f) = self.focused() {
            if let FieldKind::Multi(p) = &mut f.kind {
                p.step(forward);
                return;
            }
            let n = match &f.kind {
                FieldKind::Choice(o) => o.len(),
                FieldKind::Check => 2,
                _ => return,
            };
            if n == 0 {
                return;
            }
            f.choice = if forward {
                (f.choice + 1) % n
            } else {
                (f.choice + n - 1) % n
            };
            self.dirty = true;
        }
    }

    fn validate_focused(&mut self) {
        let lang = self.lang;
        if let Some(f) = self.focused() {
            f.error = f.check(lang);
        }
    }

    /// Checks every field; true when all pass. Errors show inline.
    pub fn validate(&mut self) -> bool {
        let mut ok = true;
        for f in &mut self.fields {
            f.error = f.check(self.lang);
            ok &= f.error.is_none();
        }
        if !ok && let Some(i) = self.fields.iter().position(|f| f.error.is_some()) {
            self.focus = i;
        }
        ok
    }

    /// What the form holds, by field name, for saving.
    pub fn values(&self) -> Values {
        Values(self.fields.iter().map(|f| (f.name, f.output())).collect())
    }
}

/// A submitted form's values by field name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Values(pub Vec<(&'static str, String)>);

impl Values {
    /// The value of the field `name`, or "" when the form has none.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The value, trimmed, or `None` when it is empty.
    pub fn filled(&self, name: &str) -> Option<&str> {
        Some(self.get(name).trim()).filter(|v| !v.is_empty())
    }

    /// Every value of fields sharing `name` (checklist items), in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_replaced_by_typing_and_shown_in_the_ui_language() {
        let mut f = Form::new(
            Purpose::NewArea,
            "t",
            vec![
                Field::new("when", "when", FieldKind::Time, "now"),
                Field::new("since", "since", FieldKind::Date, "today"),
                Field::new("room", "room", FieldKind::Required, "today"),
            ],
        );
        f.set_lang(Lang::Zh);
        assert_eq!(f.fields[0].value(), "现在");
        assert_eq!(f.fields[1].value(), "今天");
        // Not a date field: an ordinary value, never a default.
        assert_eq!(f.fields[2].value(), "today");
        f.type_char('-');
        f.type_char('2');
        f.type_char('d');
        assert_eq!(f.values().get("when"), "-2d");
        f.next();
        f.edit(Edit::End);
        assert!(f.validate(), "今天 is a date: {:?}", f.fields[1].error);
        f.focus = 2;
        f.type_char('x');
        assert_eq!(f.values().get("room"), "todayx");
    }

    #[test]
    fn left_and_right_move_in_text_and_change_choices() {
        let mut f = Form::new(
            Purpose::NewArea,
            "t",
            vec![
                Field::new("name", "name", FieldKind::Text, "王明"),
                Field::choice(
                    "kind",
                    "kind",
                    vec![("a".into(), "A".into()), ("b".into(), "B".into())],
                    "a",
                ),
                Field::new("note", "note", FieldKind::Text, ""),
            ],
        );
        f.edit(Edit::Left);
        f.type_char('长');
        assert_eq!(f.values().get("name"), "王长明");
        f.next();
        f.edit(Edit::Right);
        assert_eq!(f.values().get("kind"), "b");
        f.next();
        assert!(f.paste("独居\n行动不便"));
        f.edit(Edit::Newline);
        f.type_char('x');
        assert_eq!(f.values().get("note"), "独居\n行动不便\nx");
    }

    #[test]
    fn typing_validation_and_choices() {
        let mut f = Form::new(
            Purpose::NewArea,
            "t",
            vec![
                Field::new("name", "name", FieldKind::Required, ""),
                Field::new("phone", "phone", FieldKind::Phone, ""),
                Field::choice(
                    "kind",
                    "kind",
                    vec![("a".into(), "A".into()), ("b".into(), "B".into())],
                    "b",
                ),
                Field::new("check", "item", FieldKind::Check, ""),
                Field::new("check", "item 2", FieldKind::Check, ""),
            ],
        );
        assert!(!f.validate());
        assert_eq!(f.focus, 0);
        for c in "张三".chars() {
            f.type_char(c);
        }
        f.next();
        for c in "138 1234 5678".chars() {
            f.type_char(c);
        }
        f.next();
        f.type_char('x'); // choices take no text
        f.cycle(true);
        f.next();
        assert!(f.validate());
        let v = f.values();
        assert_eq!(
            (v.get("name"), v.get("phone"), v.get("kind")),
            ("张三", "138 1234 5678", "a")
        );
        assert_eq!(v.all("check").collect::<Vec<_>>(), vec!["ok", "ok"]);
        assert_eq!(v.get("nothing"), "");
        assert_eq!(v.filled("nothing"), None);
        f.cycle(true);
        assert_eq!(f.values().get("check"), "issue:");
        f.type_char('坏');
        assert_eq!(
            f.values().all("check").collect::<Vec<_>>(),
            vec!["issue:坏", "ok"]
        );
        assert!(f.dirty);
    }

    /// Inline errors teach what the parser takes, in the UI's words, and
    /// say why a value is refused (not a number vs. out of range).
    #[test]
    fn inline_errors_name_accepted_words_in_the_ui_language() {
        let check = |lang: Lang, kind: FieldKind, typed: &str| {
            let mut f = Field::new("x", "x", kind, "");
            f.input = TextInput::new(typed);
            f.check(lang).unwrap_or_default()
        };
        let zh_date = check(Lang::Zh, FieldKind::Date, "abc");
        assert_eq!(
            zh_date,
            "「abc」不是有效日期：可填 今天、昨天、明天、-2d、+7d 或 2026-11-28"
        );
        let zh_time = check(Lang::Zh, FieldKind::Time, "昨天下午");
        assert_eq!(
            zh_time,
            "「昨天下午」不是有效时间：可填 现在、14:30、昨天 09:00 或 2026-11-28 14:30"
        );
        assert!(
            check(Lang::En, FieldKind::Date, "abc").starts_with("`abc` is not a date: try today")
        );
        assert!(
            check(Lang::En, FieldKind::Time, "later").starts_with("`later` is not a time: try now")
        );
        // Every word the Chinese hints offer is one the fields accept.
        for ok in ["今天", "昨天", "明天", "-2d", "+7d", "2026-11-28"] {
            assert_eq!(check(Lang::Zh, FieldKind::Date, ok), "", "{ok}");
        }
        for ok in ["现在", "14:30", "昨天 09:00", "2026-11-28 14:30"] {
            assert_eq!(check(Lang::Zh, FieldKind::Time, ok), "", "{ok}");
        }
        assert_eq!(
            check(Lang::Zh, FieldKind::Hours, "两小时"),
            "「两小时」不是数字：时长填小时数，如 2 或 1.5"
        );
        assert_eq!(
            check(Lang::En, FieldKind::Hours, "abc"),
            "`abc` is not a number of hours, e.g. 2 or 1.5"
        );
        assert_eq!(
            check(Lang::Zh, FieldKind::Hours, "30"),
            "「30」：时长须大于 0 且不超过 24 小时"
        );
        assert_eq!(
            check(Lang::En, FieldKind::Hours, "30"),
            "`30`: hours must be more than 0 and at most 24"
        );
    }

    #[test]
    fn hours_and_a_multi_select_are_checked_before_saving() {
        assert_eq!(hours_minutes("2"), Ok(120));
        assert_eq!(hours_minutes(" 1.5h "), Ok(90));
        assert_eq!(hours_minutes("1.5小时"), Ok(90));
        assert_eq!(hours_minutes("24"), Ok(1440));
        for bad in ["0", "-1", "24.5", "0.001"] {
            assert_eq!(hours_minutes(bad), Err(HoursError::OutOfRange), "{bad}");
        }
        for bad in ["", "abc", "两小时", "NaN", "inf"] {
            assert_eq!(hours_minutes(bad), Err(HoursError::NotANumber), "{bad}");
        }
        let people = vec![
            (
                "1".to_string(),
                "赵建国".to_string(),
                vec!["zjg".to_string()],
            ),
            ("2".to_string(), "孙丽".to_string(), vec!["sl".to_string()]),
        ];
        let mut f = Form::new(
            Purpose::NewArea,
            "t",
            vec![
                Field::new("hours", "hours", FieldKind::Hours, "0"),
                Field::new(
                    "members",
                    "members",
                    FieldKind::Multi(Pick::new(people, &[], 1)),
                    "",
                ),
            ],
        );
        assert!(!f.validate());
        assert!(f.fields.iter().all(|x| x.error.is_some()));
        f.clear();
        f.type_char('2');
        f.next();
        for c in "sl ".chars() {
            f.type_char(c);
        }
        assert!(f.validate());
        let v = f.values();
        assert_eq!((v.get("hours"), v.get("members")), ("2", "2"));
        assert_eq!(f.fields[1].shown(), "孙丽");
    }
}
