//! A multi-select list inside a form (the members of an activity, a
//! resident's care groups): typing filters the options by name, pinyin or
//! initials, `←`/`→` move through what matches, and space marks or unmarks
//! the option under the cursor.

/// One option: what saving reads (`code`), what is shown, and what a typed
/// filter matches besides the label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PickOption {
    pub code: String,
    pub label: String,
    /// Lower-case words the filter also matches (pinyin, initials, codes).
    keys: Vec<String>,
    pub marked: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pick {
    pub options: Vec<PickOption>,
    /// What has been typed to narrow the list.
    pub filter: String,
    /// Index into [`Pick::visible`].
    pub cursor: usize,
    /// How many must be marked for the form to save.
    pub min: usize,
}

/// Whether what was typed lets an option through: part of its label or of
/// one of its keys (pinyin, initials, phone), ignoring case; nothing typed
/// lets everything through. A form's one-member field matches the same way.
pub fn matches(typed: &str, label: &str, keys: &[String]) -> bool {
    let f = typed.trim().to_lowercase();
    f.is_empty()
        || label.to_lowercase().contains(&f)
        || keys.iter().any(|k| k.to_lowercase().contains(&f))
}

impl Pick {
    /// Options as `(code, label, keys)`; those whose code is in `marked`
    /// start marked.
    pub fn new(options: Vec<(String, String, Vec<String>)>, marked: &[String], min: usize) -> Pick {
        Pick {
            options: options
                .into_iter()
                .map(|(code, label, keys)| PickOption {
                    marked: marked.contains(&code),
                    keys: keys.into_iter().map(|k| k.to_lowercase()).collect(),
                    code,
                    label,
                })
                .collect(),
            filter: String::new(),
            cursor: 0,
            min,
        }
    }

    /// Indexes of the options the filter lets through, in list order.
    pub fn visible(&self) -> Vec<usize> {
        self.options
            .iter()
            .enumerate()
            .filter(|(_, o)| matches(&self.filter, &o.label, &o.keys))
            .map(|(i, _)| i)
            .collect()
    }

    /// A typed character: space marks the option under the cursor (and
    /// clears the filter for the next name); anything else narrows the list.
    pub fn type_char(&mut self, c: char) {
        if c == ' ' {
            self.toggle();
        } else {
            self.filter.push(c);
            self.cursor = 0;
        }
    }

    fn toggle(&mut self) {
        let Some(&i) = self.visible().get(self.cursor) else {
            return;
        };
        let o = &mut self.options[i];
        o.marked = !o.marked;
        if o.marked && !self.filter.is_empty() {
            self.filter.clear();
            // Stay on the option just marked in the whole list.
            self.cursor = i;
        }
    }

    /// Backspace: takes back the last filter character; false when none.
    pub fn backspace(&mut self) -> bool {
        let popped = self.filter.pop().is_some();
        self.cursor = 0;
        popped
    }

    pub fn clear_filter(&mut self) {
        self.filter.clear();
        self.cursor = 0;
    }

    /// Moves the cursor through the visible options, wrapping.
    pub fn step(&mut self, forward: bool) {
        let n = self.visible().len();
        if n == 0 {
            return;
        }
        self.cursor = if forward {
            (self.cursor + 1) % n
        } else {
            (self.cursor + n - 1) % n
        };
    }

    pub fn marked(&self) -> impl Iterator<Item = &PickOption> {
        self.options.iter().filter(|o| o.marked)
    }

    /// The lines shown under the focused field: up to `rows` visible
    /// options around the cursor, each with its mark.
    pub fn lines(&self, rows: usize) -> Vec<(String, bool)> {
        let vis = self.visible();
        let start = self
            .cursor
            .saturating_sub(rows / 2)
            .min(vis.len().saturating_sub(rows));
        vis.iter()
            .enumerate()
            .skip(start)
            .take(rows)
            .map(|(pos, &i)| {
                let o = &self.options[i];
                let mark = if o.marked { "[x]" } else { "[ ]" };
                let here = pos == self.cursor;
                (
                    format!("{} {mark} {}", if here { "›" } else { " " }, o.label),
                    here,
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick() -> Pick {
        let o = |c: &str, l: &str, k: &[&str]| {
            (
                c.to_string(),
                l.to_string(),
                k.iter().map(|s| s.to_string()).collect(),
            )
        };
        Pick::new(
            vec![
                o("1", "赵建国", &["zhaojianguo", "zjg"]),
                o("2", "孙丽", &["sunli", "sl"]),
                o("3", "Li Wei", &[]),
            ],
            &["3".to_string()],
            1,
        )
    }

    #[test]
    fn typing_filters_by_label_pinyin_and_initials_and_space_marks() {
        let mut p = pick();
        assert_eq!(p.visible(), vec![0, 1, 2]);
        p.type_char('z');
        p.type_char('j');
        assert_eq!(p.visible(), vec![0]);
        p.type_char(' ');
        assert!(p.options[0].marked);
        assert_eq!(p.filter, "", "marking clears the filter for the next name");
        for c in "sunli".chars() {
            p.type_char(c);
        }
        assert_eq!(p.visible(), vec![1]);
        p.type_char(' ');
        let codes: Vec<&str> = p.marked().map(|o| o.code.as_str()).collect();
        assert_eq!(codes, vec!["1", "2", "3"]);
        // Unmark with the cursor: space on a marked option takes it out.
        p.cursor = 2;
        p.type_char(' ');
        assert!(!p.options[2].marked);
        p.step(true);
        assert_eq!(p.cursor, 0);
        p.step(false);
        assert_eq!(p.cursor, 2);
        p.type_char('孙');
        assert_eq!(p.visible(), vec![1]);
        assert!(p.backspace());
        assert!(!p.backspace());
    }
}
