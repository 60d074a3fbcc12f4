//! Time: one [`Clock`] for the engine (the system clock in production, a [`VirtualClock`] in
//! tests and the simulator), and the civil time of the dispatch centre.
//!
//! Times are unix seconds (`*_s: i64`) everywhere in the engine and the store. Operators read
//! and type Beijing time (Asia/Shanghai, UTC+08:00 all year: China has kept no daylight saving
//! since 1991), so [`parse_time`] reads `2026-11-24T14:00` / `2026-11-24 14:00` as +08:00 and
//! RFC 3339 with any offset, and [`format_time`] / [`format_rfc3339`] print +08:00.
//!
//! The calendar arithmetic is Howard Hinnant's `days_from_civil` / `civil_from_days`
//! (proleptic Gregorian calendar, exact for every year handled here); no date crate is needed.

use std::sync::atomic::{AtomicI64, Ordering};

/// The dispatch centre's offset from UTC: Beijing time, +08:00.
pub const LOCAL_OFFSET_S: i64 = 8 * 3600;

/// Where the engine reads the time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Now, unix seconds.
    fn now_s(&self) -> i64;
}

/// The operating system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_s(&self) -> i64 {
        match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => d.as_secs() as i64,
            Err(before) => -(before.duration().as_secs() as i64),
        }
    }
}

/// A clock that moves only when told to (tests, the simulator). Share it as
/// `Arc<VirtualClock>`: the store keeps one handle, the test another.
///
/// # Examples
///
/// ```
/// use gridcare::store::{parse_time, Clock, VirtualClock};
/// let clock = VirtualClock::new(parse_time("2026-11-24 08:00").unwrap());
/// clock.advance(90 * 60);
/// assert_eq!(gridcare::store::format_time(clock.now_s()), "2026-11-24 09:30");
/// ```
#[derive(Debug, Default)]
pub struct VirtualClock {
    now_s: AtomicI64,
}

impl VirtualClock {
    /// A clock standing at `now_s`.
    pub fn new(now_s: i64) -> Self {
        VirtualClock { now_s: AtomicI64::new(now_s) }
    }

    /// Moves the clock to `now_s` (backwards too).
    pub fn set(&self, now_s: i64) {
        self.now_s.store(now_s, Ordering::SeqCst);
    }

    /// Moves the clock on by `dt_s` seconds.
    pub fn advance(&self, dt_s: i64) {
        self.now_s.fetch_add(dt_s, Ordering::SeqCst);
    }
}

impl Clock for VirtualClock {
    fn now_s(&self) -> i64 {
        self.now_s.load(Ordering::SeqCst)
    }
}

/// A time an operator typed that is not a time.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{input}` is not a time: {problem} (expected 2026-11-24T14:00 or 2026-11-24 14:00 in \
     Beijing time, or RFC 3339 such as 2026-11-24T06:00:00Z)"
)]
pub struct TimeError {
    /// What was typed.
    pub input: String,
    /// What is wrong with it.
    pub problem: &'static str,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number since 1970-01-01 (Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// A small cursor over the ASCII of a time.
struct Cursor<'a> {
    s: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Option<u32> {
        let part = self.s.get(self.at..self.at + n)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.at += n;
        Some(part.iter().fold(0, |v, b| v * 10 + u32::from(b - b'0')))
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.s.get(self.at) == Some(&c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }
}

/// Reads a time an operator typed: `2026-11-24T14:00`, `2026-11-24 14:00` or with seconds
/// (Beijing time, +08:00), or RFC 3339 with an offset (`2026-11-24T14:00:00+08:00`,
/// `2026-11-24T06:00:00Z`; fractions of a second are dropped). Returns unix seconds.
///
/// # Examples
///
/// ```
/// use gridcare::store::parse_time;
/// let local = parse_time("2026-11-24 14:00").unwrap();
/// assert_eq!(parse_time("2026-11-24T06:00:00Z").unwrap(), local);
/// assert_eq!(parse_time("2026-11-24T14:00+08:00").unwrap(), local);
/// assert!(parse_time("2026-02-30 08:00").is_err());
/// ```
pub fn parse_time(text: &str) -> Result<i64, TimeError> {
    let input = text.trim();
    let err = |problem| TimeError { input: text.to_string(), problem };
    let mut c = Cursor { s: input.as_bytes(), at: 0 };
    let y = c.digits(4).ok_or_else(|| err("it does not start with a four-digit year"))?;
    let m = (c.eat(b'-')).then(|| c.digits(2)).flatten().ok_or_else(|| err("no -MM month"))?;
    let d = (c.eat(b'-')).then(|| c.digits(2)).flatten().ok_or_else(|| err("no -DD day"))?;
    if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
        return Err(err("no time of day after the date (add T14:00 or a space and 14:00)"));
    }
    let hh = c.digits(2).ok_or_else(|| err("no HH:MM time of day"))?;
    let mm = (c.eat(b':')).then(|| c.digits(2)).flatten().ok_or_else(|| err("no :MM minutes"))?;
    let ss = if c.eat(b':') { c.digits(2).ok_or_else(|| err("no seconds after `:`"))? } else { 0 };
    if c.eat(b'.') || c.eat(b',') {
        let start = c.at;
        while c.peek().is_some_and(|b| b.is_ascii_digit()) {
            c.at += 1;
        }
        if c.at == start {
            return Err(err("no digits after the decimal point"));
        }
    }
    let offset_s = match c.peek() {
        None => LOCAL_OFFSET_S,
        Some(b'Z' | b'z') => {
            c.at += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            c.at += 1;
            let oh = c.digits(2).ok_or_else(|| err("the offset is not +HH:MM"))?;
            c.eat(b':');
            let om = c.digits(2).ok_or_else(|| err("the offset is not +HH:MM"))?;
            if oh > 23 || om > 59 {
                return Err(err("the offset is out of range"));
            }
            let o = i64::from(oh * 3600 + om * 60);
            if sign == b'-' {
                -o
            } else {
                o
            }
        }
        Some(_) => return Err(err("unexpected text after the time")),
    };
    if c.at != input.len() {
        return Err(err("unexpected text after the offset"));
    }
    if !(1900..=9999).contains(&y) {
        return Err(err("the year is outside 1900–9999"));
    }
    if !(1..=12).contains(&m) {
        return Err(err("the month is not 01–12"));
    }
    if d == 0 || d > days_in_month(i64::from(y), m) {
        return Err(err("that month has no such day"));
    }
    if hh > 23 || mm > 59 || ss > 60 {
        return Err(err("the time of day is out of range"));
    }
    let days = days_from_civil(i64::from(y), m, d);
    let secs = i64::from(hh * 3600 + mm * 60 + ss.min(59));
    Ok(days * 86_400 + secs - offset_s)
}

/// The Beijing-time calendar fields of a unix time: (year, month, day, hour, minute, second).
fn local_fields(t_s: i64) -> (i64, u32, u32, u32, u32, u32) {
    let local = t_s + LOCAL_OFFSET_S;
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    let secs = local.rem_euclid(86_400) as u32;
    (y, m, d, secs / 3600, secs / 60 % 60, secs % 60)
}

/// A unix time as operators read it: `2026-11-24 14:00` (Beijing time, to the minute).
pub fn format_time(t_s: i64) -> String {
    let (y, m, d, hh, mm, _) = local_fields(t_s);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}")
}

/// A unix time in RFC 3339 with the +08:00 offset: `2026-11-24T14:00:00+08:00`.
pub fn format_rfc3339(t_s: i64) -> String {
    let (y, m, d, hh, mm, ss) = local_fields(t_s);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}+08:00")
}

/// A duration as operators read it: `2 h 05 min`, `45 min`, `-30 min`.
pub fn format_duration(dt_s: i64) -> String {
    let sign = if dt_s < 0 { "-" } else { "" };
    let mins = dt_s.unsigned_abs().div_ceil(60);
    match (mins / 60, mins % 60) {
        (0, m) => format!("{sign}{m} min"),
        (h, 0) => format!("{sign}{h} h"),
        (h, m) => format!("{sign}{h} h {m:02} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calendar_round_trips_every_day_of_four_centuries() {
        for day in -200_000..200_000 {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day, "{y}-{m}-{d}");
            assert!(d >= 1 && d <= days_in_month(y, m));
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn beijing_time_is_eight_hours_ahead_of_utc() {
        // `date -u -d 2026-11-24T06:00:00Z +%s`
        let t = parse_time("2026-11-24T06:00:00Z").expect("a time");
        assert_eq!(t, 1_795_500_000);
        assert_eq!(parse_time("2026-11-24 14:00").expect("a time"), t);
        assert_eq!(parse_time("2026-11-24T14:00").expect("a time"), t);
        assert_eq!(parse_time(" 2026-11-24t14:00:00.250+08:00 ").expect("a time"), t);
        assert_eq!(parse_time("2026-11-24T01:00:00-05:00").expect("a time"), t);
        assert_eq!(format_time(t), "2026-11-24 14:00");
        assert_eq!(format_rfc3339(t), "2026-11-24T14:00:00+08:00");
        assert_eq!(
            format_time(parse_time("2026-11-24T23:30:00Z").expect("a time")),
            "2026-11-25 07:30"
        );
    }

    #[test]
    fn known_unix_times() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z").expect("a time"), 0);
        assert_eq!(parse_time("1970-01-01 08:00").expect("a time"), 0);
        assert_eq!(parse_time("2000-01-01T00:00:00Z").expect("a time"), 946_684_800);
        assert_eq!(parse_time("2024-02-29T12:00:00Z").expect("a time"), 1_709_208_000);
        assert_eq!(format_rfc3339(1_709_208_000), "2024-02-29T20:00:00+08:00");
    }

    #[test]
    fn nonsense_is_refused_with_the_reason() {
        for (bad, why) in [
            ("", "four-digit year"),
            ("tomorrow", "four-digit year"),
            ("2026-11-24", "no time of day"),
            ("2026-13-01 08:00", "month"),
            ("2025-02-29 08:00", "no such day"),
            ("2026-11-24 24:00", "out of range"),
            ("2026-11-24 14:00+8", "offset"),
            ("2026-11-24 14:00 +08:00", "after the time"),
            ("2026-11-24 14:00:00+08:00x", "after the offset"),
            ("2026/11/24 14:00", "month"),
        ] {
            let e = parse_time(bad).expect_err(bad);
            assert!(e.to_string().contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn durations_read_like_an_operator_says_them() {
        assert_eq!(format_duration(45 * 60), "45 min");
        assert_eq!(format_duration(2 * 3600), "2 h");
        assert_eq!(format_duration(2 * 3600 + 5 * 60), "2 h 05 min");
        assert_eq!(format_duration(-30 * 60), "-30 min");
        assert_eq!(format_duration(1), "1 min");
    }

    #[test]
    fn the_virtual_clock_moves_only_when_told() {
        let c = VirtualClock::new(100);
        assert_eq!(c.now_s(), 100);
        c.advance(50);
        assert_eq!(c.now_s(), 150);
        c.set(10);
        assert_eq!(c.now_s(), 10);
        assert!(SystemClock.now_s() > 1_700_000_000);
    }
}
