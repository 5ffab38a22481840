//! Care groups (重点人群) and the rule that says when a household is due for
//! a care visit.

use crate::model::Date;

use super::Vocabulary;

const SHIPPED: &str = include_str!("care_groups.toml");

/// The group residents join by age alone (80 and over).
pub const AGED_80: &str = "aged-80";

/// The shipped care groups, parsed once.
pub fn shipped() -> &'static Vocabulary {
    static GROUPS: std::sync::OnceLock<Vocabulary> = std::sync::OnceLock::new();
    GROUPS.get_or_init(|| {
        Vocabulary::parse("care_groups.toml", SHIPPED, "group")
            .expect("shipped care groups parse (tested)")
    })
}

/// Care groups: the shipped list, with a user's `care.toml` (text `user`,
/// named `file`) laid over it. Every group needs a cadence of 1 to 365 days.
pub fn groups(user: Option<(&str, &str)>) -> Result<Vocabulary, String> {
    let shipped = Vocabulary::parse("care_groups.toml", SHIPPED, "group")
        .expect("shipped care groups parse (tested)");
    let v = match user {
        None => shipped,
        Some((file, text)) => {
            let user = Vocabulary::parse(file, text, "group")?;
            if let Some(t) = user
                .all()
                .iter()
                .find(|t| !t.cadence_days.is_some_and(|d| (1..=365).contains(&d)))
            {
                return Err(format!(
                    "{file}: group `{}` needs cadence_days from 1 to 365",
                    t.code
                ));
            }
            shipped.overlay(user)
        }
    };
    Ok(v)
}

/// The shortest cadence among `codes` (unknown codes are passed over).
pub fn shortest_cadence<'a>(
    groups: &Vocabulary,
    codes: impl IntoIterator<Item = &'a str>,
) -> Option<u32> {
    codes
        .into_iter()
        .filter_map(|c| groups.get(c).and_then(|t| t.cadence_days))
        .min()
}

/// Whether a resident born in `birth_year` is in the age-based group on `today`.
pub fn is_aged_80(birth_year: i16, today: Date) -> bool {
    // Counted by year, as community offices count age (虚岁 differs by one at
    // most; the year of the 80th birthday counts).
    today.year as i32 - birth_year as i32 >= 80
}

/// The latest birth year [`is_aged_80`] holds for on `today`: readers of
/// the care index stop there.
pub fn aged_80_born_by(today: Date) -> i16 {
    (today.year as i32 - 80).clamp(i16::MIN as i32, i16::MAX as i32) as i16
}

/// The day a household's next care visit falls due: `cadence` days after its
/// last visit, or, never visited, the day its first care group was set.
pub fn due_on(last_visit: Option<Date>, since: Date, cadence: u32) -> Date {
    match last_visit {
        Some(v) => add_days(v, cadence as i64),
        None => since,
    }
}

/// How many days past due a household is on `today` (0 = due today), or
/// `None` when it is not yet due.
pub fn days_overdue(due: Date, today: Date) -> Option<i64> {
    let d = days_between(due, today)?;
    (d >= 0).then_some(d)
}

fn add_days(d: Date, n: i64) -> Date {
    d.to_jiff()
        .and_then(|j| j.checked_add(jiff::Span::new().days(n)).ok())
        .map_or(d, Date::from_jiff)
}

/// `to − from` in days.
pub fn days_between(from: Date, to: Date) -> Option<i64> {
    let (a, b) = (from.to_jiff()?, to.to_jiff()?);
    Some(a.until(b).ok()?.get_days() as i64)
}

/// The birth year in a mainland resident identity number (18 characters, the
/// birth date at positions 7–14), if the number is well formed and the date
/// is a real day. The number itself is never stored.
pub fn birth_year_from_id(id: &str) -> Option<i16> {
    let id = id.trim();
    let bytes = id.as_bytes();
    if bytes.len() != 18
        || !bytes[..17].iter().all(u8::is_ascii_digit)
        || !(bytes[17].is_ascii_digit() || bytes[17] == b'X' || bytes[17] == b'x')
    {
        return None;
    }
    let year: i16 = id[6..10].parse().ok()?;
    let month: i8 = id[10..12].parse().ok()?;
    let day: i8 = id[12..14].parse().ok()?;
    jiff::civil::Date::new(year, month, day).ok()?;
    (1880..=2100).contains(&year).then_some(year)
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_aged_80_bound_is_the_last_year_the_rule_holds_for() {
        for year in [1990i16, 2026, 2027] {
            let today = Date {
                year,
                month: 6,
                day: 1,
            };
            let by = aged_80_born_by(today);
            assert!(is_aged_80(by, today));
            assert!(!is_aged_80(by + 1, today));
        }
    }

    use super::*;
    use crate::i18n::Lang;

    fn d(y: i16, m: u8, day: u8) -> Date {
        Date {
            year: y,
            month: m,
            day,
        }
    }

    #[test]
    fn shipped_groups_have_both_labels_and_the_issue_cadences() {
        let g = groups(None).unwrap();
        let want = [
            ("alone-elder", "独居老人", 7),
            ("solitary-elder", "孤寡老人", 7),
            ("empty-nest", "空巢老人", 14),
            ("aged-80", "高龄老人", 14),
            ("seriously-ill", "重病", 14),
            ("disabled", "残疾人", 30),
            ("low-income", "低保户", 30),
            ("left-behind-child", "留守儿童", 30),
            ("entitled", "优抚对象", 30),
            ("watch", "重点关注", 7),
        ];
        assert_eq!(g.all().len(), want.len());
        for (code, zh, days) in want {
            let t = g.get(code).unwrap();
            assert_eq!((t.zh.as_str(), t.cadence_days), (zh, Some(days)), "{code}");
            assert!(!t.label(Lang::En).is_empty());
            assert_eq!(g.parse_word(zh).unwrap().code, code);
        }
        assert_eq!(g.parse_word("低保").unwrap().code, "low-income");
        assert_eq!(
            shortest_cadence(&g, ["disabled", "empty-nest", "nope"]),
            Some(14)
        );
        assert_eq!(shortest_cadence(&g, ["nope"]), None);
    }

    #[test]
    fn user_groups_need_a_cadence() {
        let err = groups(Some((
            "care.toml",
            "[[group]]\ncode = \"x\"\nen = \"x\"\nzh = \"x\"\n",
        )))
        .unwrap_err();
        assert!(err.contains("cadence_days"), "{err}");
        let g = groups(Some((
            "care.toml",
            "[[group]]\ncode = \"alone-elder\"\nen = \"alone\"\nzh = \"独居老人\"\ncadence_days = 3\n",
        )))
        .unwrap();
        assert_eq!(g.get("alone-elder").unwrap().cadence_days, Some(3));
    }

    #[test]
    fn due_ten_days_after_a_visit_with_a_seven_day_cadence_is_three_overdue() {
        let today = d(2026, 12, 1);
        let due = due_on(Some(d(2026, 11, 21)), d(2026, 1, 1), 7);
        assert_eq!(due, d(2026, 11, 28));
        assert_eq!(days_overdue(due, today), Some(3));
        // Visited today: next due in a week, not overdue.
        assert_eq!(
            days_overdue(due_on(Some(today), d(2026, 1, 1), 7), today),
            None
        );
        // Due exactly today counts as 0 days overdue.
        assert_eq!(
            days_overdue(due_on(Some(d(2026, 11, 24)), d(2026, 1, 1), 7), today),
            Some(0)
        );
    }

    #[test]
    fn never_visited_is_due_from_the_day_the_group_was_set() {
        let today = d(2026, 12, 1);
        assert_eq!(
            days_overdue(due_on(None, d(2026, 11, 25), 30), today),
            Some(6)
        );
        // A visit before the group was set is still the last visit: due
        // 30 days after it (2026-10-31), 31 days ago.
        assert_eq!(
            days_overdue(due_on(Some(d(2026, 10, 1)), d(2026, 11, 25), 30), today),
            Some(31)
        );
    }

    #[test]
    fn birth_years_from_identity_numbers() {
        assert_eq!(birth_year_from_id("370502194403150021"), Some(1944));
        assert_eq!(birth_year_from_id("37050219440315002X"), Some(1944));
        assert_eq!(birth_year_from_id(" 370502194403150021 "), Some(1944));
        assert_eq!(birth_year_from_id("370502194413150021"), None); // month 13
        assert_eq!(birth_year_from_id("37050219440315002"), None);
        assert_eq!(birth_year_from_id("3705021944031500211"), None);
        assert_eq!(birth_year_from_id("37050219440315002Y"), None);
        assert!(is_aged_80(1946, d(2026, 1, 1)));
        assert!(!is_aged_80(1947, d(2026, 12, 31)));
    }
}
