//! Dates and times as people type them: `today`, `yesterday`, `-2d`, `+7d`,
//! `2026-11-28`, `14:30`, `2026-11-28 14:30`, `今天`, `昨天`.

use jiff::civil::{Date as CDate, Time};
use jiff::tz::TimeZone;

use crate::model::{Date, Ts};

fn parse_day(s: &str, today: CDate) -> Option<CDate> {
    let s = s.trim();
    match s {
        "today" | "今天" | "now" => return Some(today),
        "yesterday" | "昨天" => return today.yesterday().ok(),
        "tomorrow" | "明天" => return today.tomorrow().ok(),
        _ => {}
    }
    if let Some(n) = s.strip_suffix('d').or_else(|| s.strip_suffix('天')) {
        let (sign, digits) = match n.chars().next()? {
            '-' => (-1, &n[1..]),
            '+' => (1, &n[1..]),
            _ => return None,
        };
        let days: i64 = digits.parse().ok()?;
        if days > 36_500 {
            return None;
        }
        return today.checked_add(jiff::Span::new().days(sign * days)).ok();
    }
    calendar_date(s)
}

/// A calendar date as offices and Excel write it: `2024-03-01`, `2024-3-1`,
/// `2024/3/1`, `2024.3.1`, `2024年3月1日`, `20240301`.
pub fn calendar_date(s: &str) -> Option<CDate> {
    let s = s.trim();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return CDate::new(
            s[..4].parse().ok()?,
            s[4..6].parse().ok()?,
            s[6..].parse().ok()?,
        )
        .ok();
    }
    let s = s.strip_suffix('日').unwrap_or(s);
    let mut parts = s.split(['-', '/', '.', '年', '月']);
    let year: i16 = parts.next()?.trim().parse().ok()?;
    let month: i8 = parts.next()?.trim().parse().ok()?;
    let day: i8 = parts.next()?.trim().parse().ok()?;
    if parts.next().is_some() || !(1000..=9999).contains(&year) {
        return None;
    }
    CDate::new(year, month, day).ok()
}

fn parse_time(s: &str) -> Option<Time> {
    let (h, m) = s.trim().split_once([':', '：'])?;
    Time::new(h.trim().parse().ok()?, m.trim().parse().ok()?, 0, 0).ok()
}

/// A calendar day relative to `now` in `tz`.
pub fn date(s: &str, now: Ts, tz: &TimeZone) -> Result<Date, String> {
    let today = now.to_jiff().to_zoned(tz.clone()).date();
    parse_day(s, today)
        .map(Date::from_jiff)
        .ok_or_else(|| format!("`{s}` is not a date: try today, yesterday, -2d, +7d or 2026-11-28"))
}

/// An instant: a day, a time, or both (`-1d 09:30`). A bare time is today;
/// a bare day is now's time of day on that day (or noon for past days).
pub fn instant(s: &str, now: Ts, tz: &TimeZone) -> Result<Ts, String> {
    let err =
        || format!("`{s}` is not a time: try now, 14:30, yesterday 09:00, -2d or 2026-11-28 14:30");
    let s = s.trim();
    let zoned_now = now.to_jiff().to_zoned(tz.clone());
    if s.is_empty() || s == "now" || s == "现在" {
        return Ok(now);
    }
    let mut day = None;
    let mut time = None;
    for part in s.split_whitespace() {
        if let Some(t) = parse_time(part) {
            time = Some(t);
        } else if let Some(d) = parse_day(part, zoned_now.date()) {
            day = Some(d);
        } else if let Some((d, t)) = part.split_once('T') {
            day = Some(parse_day(d, zoned_now.date()).ok_or_else(err)?);
            time = Some(parse_time(t).ok_or_else(err)?);
        } else {
            return Err(err());
        }
    }
    let day = day.unwrap_or(zoned_now.date());
    let time = match time {
        Some(t) => t,
        None if day == zoned_now.date() => zoned_now.time(),
        None => Time::new(12, 0, 0, 0).map_err(|_| err())?,
    };
    let zoned = day
        .to_datetime(time)
        .to_zoned(tz.clone())
        .map_err(|_| err())?;
    Ok(Ts(zoned.timestamp().as_millisecond()))
}

/// How long ago a day was, as people say it: "today", "yesterday",
/// "1 day ago" / "5 days ago"; 今天, 昨天, 5 天前. A day ahead (a clock
/// set wrong) reads as today rather than "-1 days ago".
pub fn days_ago(lang: crate::i18n::Lang, days: i64) -> String {
    match days {
        ..=0 => lang.t("entry.today").to_string(),
        1 => lang.t("entry.yesterday").to_string(),
        n => lang.f("show.days_ago", &[&n.to_string()]),
    }
}

/// "1 day overdue" / "3 days overdue" (1 天 / 3 天 in Chinese).
pub fn days_overdue(lang: crate::i18n::Lang, days: i64) -> String {
    if days == 1 {
        lang.t("entry.one_day_overdue").to_string()
    } else {
        lang.f("today.overdue", &[&days.to_string()])
    }
}

/// When something is due, as Today says it: "N days overdue", or "due
/// today" when it is not overdue yet.
pub fn due_when(lang: crate::i18n::Lang, days: i64) -> String {
    if days > 0 {
        days_overdue(lang, days)
    } else {
        lang.t("today.due").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_days_read_as_people_say_them() {
        use crate::i18n::Lang;
        assert_eq!(days_ago(Lang::En, 0), "today");
        assert_eq!(days_ago(Lang::En, 1), "yesterday");
        assert_eq!(days_ago(Lang::En, 2), "2 days ago");
        assert_eq!(days_ago(Lang::En, -1), "today");
        assert_eq!(days_ago(Lang::Zh, 0), "今天");
        assert_eq!(days_ago(Lang::Zh, 1), "昨天");
        assert_eq!(days_ago(Lang::Zh, 30), "30 天前");
        assert_eq!(days_overdue(Lang::En, 1), "1 day overdue");
        assert_eq!(days_overdue(Lang::En, 4), "4 days overdue");
    }

    fn fixed() -> (Ts, TimeZone) {
        let tz = TimeZone::fixed(jiff::tz::offset(8));
        let now: jiff::Timestamp = "2026-11-28T06:30:00Z".parse().unwrap(); // 14:30 in UTC+8
        (Ts(now.as_millisecond()), tz)
    }

    #[test]
    fn days() {
        let (now, tz) = fixed();
        assert_eq!(date("today", now, &tz).unwrap().to_string(), "2026-11-28");
        assert_eq!(
            date("yesterday", now, &tz).unwrap().to_string(),
            "2026-11-27"
        );
        assert_eq!(date("-2d", now, &tz).unwrap().to_string(), "2026-11-26");
        assert_eq!(date("+7d", now, &tz).unwrap().to_string(), "2026-12-05");
        assert_eq!(
            date("2026-11-28", now, &tz).unwrap().to_string(),
            "2026-11-28"
        );
        for office in [
            "2024-3-1",
            "2024/3/1",
            "2024.3.1",
            "2024年3月1日",
            "20240301",
            "2024-03-01",
        ] {
            assert_eq!(
                date(office, now, &tz).unwrap().to_string(),
                "2024-03-01",
                "{office}"
            );
        }
        for bad in [
            "2024-13-01",
            "2024-2-30",
            "2024/3",
            "2024/3/1/2",
            "24/3/1",
            "2024年3月",
        ] {
            assert!(date(bad, now, &tz).is_err(), "{bad}");
        }
        assert!(date("soon", now, &tz).is_err());
        assert!(date("+99999999d", now, &tz).is_err());
    }

    #[test]
    fn instants() {
        let (now, tz) = fixed();
        let show = |s: &str| {
            instant(s, now, &tz).map(|t| {
                t.to_jiff()
                    .to_zoned(tz.clone())
                    .strftime("%F %H:%M")
                    .to_string()
            })
        };
        assert_eq!(show("now").unwrap(), "2026-11-28 14:30");
        assert_eq!(show("09:15").unwrap(), "2026-11-28 09:15");
        assert_eq!(show("yesterday 18:00").unwrap(), "2026-11-27 18:00");
        assert_eq!(show("-2d").unwrap(), "2026-11-26 12:00");
        assert_eq!(show("2026-11-01 08:05").unwrap(), "2026-11-01 08:05");
        assert!(show("25:00").is_err());
        assert!(show("later").is_err());
    }
}
