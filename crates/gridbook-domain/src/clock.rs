//! The one source of "now" and of the local time zone. Tests (and the CLI
//! tests through `GRIDBOOK_NOW` / `GRIDBOOK_TZ`) pin both so that screens and
//! reports are reproducible; everyone else gets the real clock.

use std::sync::Mutex;

use jiff::tz::TimeZone;

use crate::model::Ts;

struct Pinned {
    now: Option<i64>,
    tz: Option<TimeZone>,
}

static PINNED: Mutex<Option<Pinned>> = Mutex::new(None);

fn pinned<T>(f: impl FnOnce(&Pinned) -> T) -> T {
    let mut guard = PINNED.lock().unwrap_or_else(|e| e.into_inner());
    let p = guard.get_or_insert_with(|| Pinned {
        now: std::env::var("GRIDBOOK_NOW")
            .ok()
            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
            .map(|t| t.as_millisecond()),
        tz: std::env::var("GRIDBOOK_TZ")
            .ok()
            .and_then(|s| TimeZone::get(&s).ok()),
    });
    f(p)
}

/// Now, unless pinned.
pub fn now() -> Ts {
    pinned(|p| p.now).map_or_else(|| Ts(jiff::Timestamp::now().as_millisecond()), Ts)
}

/// The zone dates and times are shown in: the system's, unless pinned.
pub fn tz() -> TimeZone {
    pinned(|p| p.tz.clone()).unwrap_or_else(TimeZone::system)
}

/// Pins the clock and zone for this process (tests only).
pub fn pin(now: Ts, tz: TimeZone) {
    let mut guard = PINNED.lock().unwrap_or_else(|e| e.into_inner());
    *guard = Some(Pinned {
        now: Some(now.0),
        tz: Some(tz),
    });
}
