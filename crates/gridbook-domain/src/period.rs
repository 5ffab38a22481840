//! A report's period, from the flags every report takes: `--days N`,
//! `--month YYYY-MM` (a calendar month in the local zone), or
//! `--from DATE --to DATE` (either bound alone leaves the other side open).

use jiff::civil::Date as CDate;
use jiff::tz::TimeZone;

use crate::model::{DAY_MS, Ts};
use crate::when;

/// The instants `[from, to)` a report counts; `None` is open on that side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: Option<Ts>,
    pub to: Option<Ts>,
    /// What the user asked for, for headings and file names.
    pub spec: Spec,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spec {
    Days(i64),
    Month {
        year: i16,
        month: i8,
    },
    Range {
        from: Option<CDate>,
        to: Option<CDate>,
    },
}

/// The flags as given on the command line.
#[derive(Clone, Debug, Default)]
pub struct Flags {
    pub days: Option<i64>,
    pub month: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

fn start_of(d: CDate, tz: &TimeZone) -> Option<Ts> {
    let z = d.to_zoned(tz.clone()).ok()?;
    Some(Ts(z.timestamp().as_millisecond()))
}

impl Period {
    /// The last `days` days up to `now`.
    pub fn last_days(days: i64, now: Ts) -> Period {
        Period {
            from: Some(Ts(now.0 - days * DAY_MS)),
            to: None,
            spec: Spec::Days(days),
        }
    }

    /// Reads the flags; with none given, the last `default_days` days.
    pub fn from_flags(
        f: &Flags,
        default_days: i64,
        now: Ts,
        tz: &TimeZone,
    ) -> Result<Period, String> {
        let given = [
            f.days.is_some(),
            f.month.is_some(),
            f.from.is_some() || f.to.is_some(),
        ]
        .iter()
        .filter(|g| **g)
        .count();
        if given > 1 {
            return Err("give one period: --days N, --month YYYY-MM, or --from/--to".into());
        }
        if let Some(d) = f.days {
            if !(1..=36_500).contains(&d) {
                return Err(format!("--days {d}: give a number of days from 1 to 36500"));
            }
            return Ok(Period::last_days(d, now));
        }
        if let Some(m) = &f.month {
            let bad = || format!("--month {m}: give a month as YYYY-MM, e.g. 2026-11");
            let (y, mo) = m.trim().split_once(['-', '/']).ok_or_else(bad)?;
            let year: i16 = y.parse().map_err(|_| bad())?;
            let month: i8 = mo.parse().map_err(|_| bad())?;
            let first = CDate::new(year, month, 1).map_err(|_| bad())?;
            let next = first
                .checked_add(jiff::Span::new().months(1))
                .map_err(|_| bad())?;
            return Ok(Period {
                from: Some(start_of(first, tz).ok_or_else(bad)?),
                to: Some(start_of(next, tz).ok_or_else(bad)?),
                spec: Spec::Month { year, month },
            });
        }
        if f.from.is_some() || f.to.is_some() {
            let day = |flag: &str, s: &str| {
                when::calendar_date(s)
                    .ok_or_else(|| format!("{flag} {s}: give a date as YYYY-MM-DD"))
            };
            let from = f.from.as_deref().map(|s| day("--from", s)).transpose()?;
            let to = f.to.as_deref().map(|s| day("--to", s)).transpose()?;
            if let (Some(a), Some(b)) = (from, to)
                && a > b
            {
                return Err(format!("--from {a} is after --to {b}"));
            }
            // `--to` names the last day counted, so the period ends at the next midnight.
            let end = to.and_then(|d| d.tomorrow().ok());
            return Ok(Period {
                from: from.and_then(|d| start_of(d, tz)),
                to: end.and_then(|d| start_of(d, tz)),
                spec: Spec::Range { from, to },
            });
        }
        Ok(Period::last_days(default_days, now))
    }

    pub fn contains(&self, t: Ts) -> bool {
        self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|e| t < e)
    }

    /// `last 30 days`, `2026-11`, `2026-11-01 – 2026-11-15`, `from 2026-11-01`.
    pub fn describe(&self) -> String {
        match self.spec {
            Spec::Days(d) => format!("{d}d"),
            Spec::Month { year, month } => format!("{year:04}-{month:02}"),
            Spec::Range { from, to } => match (from, to) {
                (Some(a), Some(b)) => format!("{a}..{b}"),
                (Some(a), None) => format!("{a}.."),
                (None, Some(b)) => format!("..{b}"),
                (None, None) => "..".into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> (Ts, TimeZone) {
        let t: jiff::Timestamp = "2026-12-01T06:30:00Z".parse().unwrap();
        (Ts(t.as_millisecond()), TimeZone::fixed(jiff::tz::offset(8)))
    }

    fn at(s: &str, tz: &TimeZone) -> Ts {
        let dt: jiff::civil::DateTime = s.parse().unwrap();
        Ts(dt
            .to_zoned(tz.clone())
            .unwrap()
            .timestamp()
            .as_millisecond())
    }

    #[test]
    fn days_month_and_ranges() {
        let (now, tz) = now();
        let p = Period::from_flags(&Flags::default(), 30, now, &tz).unwrap();
        assert_eq!(p, Period::last_days(30, now));
        assert!(p.contains(at("2026-11-02T15:00", &tz)));
        assert!(!p.contains(at("2026-11-01T14:00", &tz)));

        let m = Flags {
            month: Some("2026-11".into()),
            ..Flags::default()
        };
        let p = Period::from_flags(&m, 30, now, &tz).unwrap();
        assert!(p.contains(at("2026-11-01T00:00", &tz)));
        assert!(p.contains(at("2026-11-30T23:59", &tz)));
        assert!(!p.contains(at("2026-10-31T23:59", &tz)));
        assert!(!p.contains(at("2026-12-01T00:00", &tz)));
        assert_eq!(p.describe(), "2026-11");

        let r = Flags {
            from: Some("2026/11/10".into()),
            to: Some("2026-11-12".into()),
            ..Flags::default()
        };
        let p = Period::from_flags(&r, 30, now, &tz).unwrap();
        assert!(p.contains(at("2026-11-12T23:00", &tz)));
        assert!(!p.contains(at("2026-11-13T00:00", &tz)));
        assert!(!p.contains(at("2026-11-09T23:59", &tz)));

        let open = Flags {
            from: Some("2026-11-10".into()),
            ..Flags::default()
        };
        let p = Period::from_flags(&open, 30, now, &tz).unwrap();
        assert!(p.contains(at("2030-01-01T00:00", &tz)));
        assert!(!p.contains(at("2026-11-09T00:00", &tz)));
    }

    #[test]
    fn bad_flags_say_what_to_give() {
        let (now, tz) = now();
        let cases = [
            (
                Flags {
                    days: Some(0),
                    ..Flags::default()
                },
                "--days 0",
            ),
            (
                Flags {
                    month: Some("2026-13".into()),
                    ..Flags::default()
                },
                "--month 2026-13",
            ),
            (
                Flags {
                    month: Some("Nov".into()),
                    ..Flags::default()
                },
                "YYYY-MM",
            ),
            (
                Flags {
                    from: Some("soon".into()),
                    ..Flags::default()
                },
                "--from soon",
            ),
            (
                Flags {
                    from: Some("2026-11-12".into()),
                    to: Some("2026-11-10".into()),
                    ..Flags::default()
                },
                "is after",
            ),
            (
                Flags {
                    days: Some(7),
                    month: Some("2026-11".into()),
                    ..Flags::default()
                },
                "one period",
            ),
        ];
        for (f, want) in cases {
            let err = Period::from_flags(&f, 30, now, &tz).unwrap_err();
            assert!(err.contains(want), "{f:?}: {err}");
        }
    }
}
