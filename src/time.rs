//! The one place timestamps are read: Unix seconds or milliseconds, RFC 3339 / ISO 8601 with
//! or without offset, Shopify's `2026-11-18 14:03:27 -0500`, RFC 2822, zoned
//! `...[America/New_York]`, slash and dot dates, English month names (`Nov 20, 2026 2:05 pm`),
//! date-only, and a configured strftime format.
//! Naive times take the configured zone (DST-aware), or UTC for `*_gmt` columns.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use serde::Deserialize;

use crate::normalize::trim;

/// The order of day and month in slash dates such as `03/04/2026` (`date_order`). It lives
/// here, with the code that reads such dates, so `time` depends on nothing in `config`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum, Default)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// Month first (US).
    #[default]
    Mdy,
    /// Day first.
    Dmy,
}

/// How to read ambiguous timestamps.
#[derive(Clone, Debug)]
pub struct TimeOptions<'a> {
    /// Zone for naive timestamps.
    pub tz: &'a TimeZone,
    /// Day/month order of slash dates.
    pub date_order: DateOrder,
    /// A strftime format tried first.
    pub format: Option<&'a str>,
}

/// A parsed moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Moment {
    /// Unix seconds.
    pub unix: i64,
    /// False for date-only values (placed at midnight).
    pub has_time: bool,
    /// True when the value had no offset and the configured zone (or UTC) placed it.
    pub naive: bool,
    /// True for a slash date whose day and month could be swapped (`05/11/2026`), read in
    /// the configured date order.
    pub ambiguous: bool,
}

/// Whether `s` is shaped `dddd-dd-dd dd:dd:dd +dddd` (or `-dddd`).
fn offset_shape(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 25
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 | 19 => c == b' ',
            13 | 16 => c == b':',
            20 => c == b'+' || c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// `s` read by jiff's format parser as Shopify writes its times, `%Y-%m-%d %H:%M:%S %z`.
fn offset_strtime(s: &str) -> Option<Timestamp> {
    jiff::fmt::strtime::parse("%Y-%m-%d %H:%M:%S %z", s)
        .and_then(|p| p.to_timestamp())
        .ok()
}

/// A value of [`offset_shape`] read by its fixed positions, without a format parser: the
/// instant [`offset_strtime`] reads, or `None` for anything out of the ordinary (a 30
/// February, a leap second, offset minutes past 59), which is left to that parser.
fn offset_instant(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    let num = |at: usize, len: usize| {
        b[at..at + len]
            .iter()
            .fold(0i32, |n, &d| n * 10 + i32::from(d - b'0'))
    };
    let small = |at| i8::try_from(num(at, 2)).ok();
    let dt = DateTime::new(
        i16::try_from(num(0, 4)).ok()?,
        small(5)?,
        small(8)?,
        small(11)?,
        small(14)?,
        small(17)?,
        0,
    )
    .ok()?;
    let (hours, minutes) = (num(21, 2), num(23, 2));
    if minutes > 59 {
        return None;
    }
    let secs = hours * 3600 + minutes * 60;
    let offset = jiff::tz::Offset::from_seconds(if b[20] == b'-' { -secs } else { secs }).ok()?;
    offset.to_timestamp(dt).ok()
}

/// Reads `raw`; `naive_utc` makes offset-less values UTC (WooCommerce `date_created_gmt`).
pub fn parse(raw: &str, naive_utc: bool, opts: &TimeOptions) -> Result<Moment, String> {
    let s = trim(trim(raw).trim_start_matches('\''));
    if s.is_empty() {
        return Err("the time is empty".into());
    }
    let tz = if naive_utc { &TimeZone::UTC } else { opts.tz };
    if let Some(m) = unix(s, tz) {
        return m;
    }
    if let Some(fmt) = opts.format {
        if let Ok(m) = strftime(s, fmt, tz) {
            return Ok(m);
        }
    }
    let at = |ts: Timestamp| Moment {
        unix: ts.as_second(),
        has_time: true,
        ..Moment::default()
    };
    // Shopify's `2026-11-14 09:12:46 -0500`, by far the commonest shape, is read by its format
    // first: the general parsers below fail on it, building an error message each time. Any
    // parser that read it would give the same instant.
    if offset_shape(s) {
        if let Some(ts) = offset_instant(s).or_else(|| offset_strtime(s)) {
            return Ok(at(ts));
        }
    }
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Ok(at(ts));
    }
    if let Ok(z) = s.parse::<Zoned>() {
        return Ok(at(z.timestamp()));
    }
    let no_utc = s.strip_suffix(" UTC").unwrap_or(s);
    for fmt in [
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M %z",
        "%Y/%m/%d %H:%M:%S %z",
    ] {
        if let Ok(z) = jiff::fmt::strtime::parse(fmt, no_utc).and_then(|p| p.to_timestamp()) {
            return Ok(at(z));
        }
    }
    if let Ok(z) = jiff::fmt::rfc2822::parse(s) {
        return Ok(at(z.timestamp()));
    }
    // jiff's `Date` parser also takes a date-time and drops the time: only for bare dates.
    if !s.contains(':') {
        if let Ok(d) = s.parse::<Date>() {
            return local(d.to_datetime(Time::midnight()), tz, false);
        }
    }
    if let Ok(dt) = s.parse::<DateTime>() {
        return local(dt, tz, true);
    }
    // `2026-11-20 14:05:09 UTC`: a naive time that says it is UTC.
    if let Some(dt) = ["UTC", "GMT"]
        .iter()
        .find_map(|z| s.strip_suffix(z))
        .and_then(|t| t.trim_end().parse::<DateTime>().ok())
    {
        return local(dt, &TimeZone::UTC, true).map(|m| Moment { naive: false, ..m });
    }
    if let Some((dt, has_time)) = named_month(s) {
        return local(dt, tz, has_time);
    }
    numeric_date(s, opts.date_order).map_or_else(
        || Err("not a time pinconv can read".to_owned()),
        |(dt, has_time, ambiguous)| local(dt, tz, has_time).map(|m| Moment { ambiguous, ..m }),
    )
}

fn local(dt: DateTime, tz: &TimeZone, has_time: bool) -> Result<Moment, String> {
    dt.to_zoned(tz.clone())
        .map(|z| Moment {
            unix: z.timestamp().as_second(),
            has_time,
            naive: true,
            ambiguous: false,
        })
        .map_err(|e| format!("the time does not exist in the configured zone: {e}"))
}

fn unix(s: &str, tz: &TimeZone) -> Option<Result<Moment, String>> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    if int.len() == 8 && frac.is_empty() {
        // YYYYMMDD
        let d = Date::strptime("%Y%m%d", int).ok()?;
        return Some(local(d.to_datetime(Time::midnight()), tz, false));
    }
    let n: i64 = int.parse().ok()?;
    Some(match int.len() {
        9 | 10 => Ok(Moment {
            unix: n,
            has_time: true,
            ..Moment::default()
        }),
        12 | 13 => Ok(Moment {
            unix: n / 1000,
            has_time: true,
            ..Moment::default()
        }),
        15 | 16 => Ok(Moment {
            unix: n / 1_000_000,
            has_time: true,
            ..Moment::default()
        }),
        // The digits are not quoted: a number that is no time may be a phone number.
        digits => Err(format!(
            "a number of {digits} digits is not Unix seconds (10 digits) or milliseconds (13)"
        )),
    })
}

fn strftime(s: &str, fmt: &str, tz: &TimeZone) -> Result<Moment, String> {
    let p = jiff::fmt::strtime::parse(fmt, s).map_err(|e| e.to_string())?;
    if let Ok(ts) = p.to_timestamp() {
        return Ok(Moment {
            unix: ts.as_second(),
            has_time: true,
            ..Moment::default()
        });
    }
    if let Ok(dt) = p.to_datetime() {
        return local(dt, tz, true);
    }
    let d = p.to_date().map_err(|e| e.to_string())?;
    local(d.to_datetime(Time::midnight()), tz, false)
}

/// Dates with an English month name, as reports and admin screens write them:
/// `November 20, 2026 2:05 pm`, `Nov 20, 2026`, `20 Nov 2026 14:05`, `20-Nov-2026`.
fn named_month(s: &str) -> Option<(DateTime, bool)> {
    // Full names and `Sept` become the three letters `%b` reads; commas go.
    let mut found = false;
    let words: Vec<String> = s
        .split([' ', ','])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let month = crate::normalize::month_number(w)
                .and_then(|m| i8::try_from(m).ok())
                .and_then(|m| Date::new(2000, m, 1).ok());
            if let Some(m) = month {
                found = true;
                return m.strftime("%b").to_string();
            }
            // `20-Nov-2026`
            found |= w
                .split('-')
                .any(|p| crate::normalize::month_number(p).is_some());
            w.to_owned()
        })
        .collect();
    if !found {
        return None;
    }
    let text = words.join(" ");
    for fmt in [
        "%b %d %Y %I:%M %p",
        "%b %d %Y %I:%M:%S %p",
        "%b %d %Y %H:%M:%S",
        "%b %d %Y %H:%M",
        "%d %b %Y %H:%M:%S",
        "%d %b %Y %H:%M",
        "%d %b %Y %I:%M %p",
        "%d-%b-%Y %H:%M:%S",
        "%d-%b-%Y %H:%M",
    ] {
        if let Ok(dt) = jiff::fmt::strtime::parse(fmt, &text).and_then(|p| p.to_datetime()) {
            return Some((dt, true));
        }
    }
    for fmt in ["%b %d %Y", "%d %b %Y", "%d-%b-%Y"] {
        if let Ok(d) = jiff::fmt::strtime::parse(fmt, &text).and_then(|p| p.to_date()) {
            return Some((d.to_datetime(Time::midnight()), false));
        }
    }
    None
}

/// What one time value says about the day/month order of the file it is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateEvidence {
    /// A slash or dash date that only reads one way (`28/11/2026`, `11/28/2026`).
    Shows(DateOrder),
    /// A slash or dash date that reads both ways (`01/12/2026`, also `11/11/2026`).
    Either,
    /// Not a day-month-year date (ISO, Unix seconds, dotted, a month name): no evidence,
    /// and a sign the file writes no such dates.
    NotSlash,
}

/// What `raw` says about the file's date order, as [`parse`] would read it.
#[must_use]
pub fn date_evidence(raw: &str) -> DateEvidence {
    let s = raw.trim().trim_start_matches('\'').trim();
    let date = s
        .split_once([' ', 'T'])
        .map_or(s, |(d, _)| d.trim_end_matches(','));
    let Some(sep) = date.chars().find(|c| matches!(c, '/' | '-')) else {
        return DateEvidence::NotSlash;
    };
    let parts: Option<Vec<u32>> = date.split(sep).map(|p| p.parse().ok()).collect();
    let Some([a, b, _]) = parts.as_deref().and_then(|p| <[u32; 3]>::try_from(p).ok()) else {
        return DateEvidence::NotSlash;
    };
    match (a, b) {
        (1..=12, 1..=12) => DateEvidence::Either,
        (13..=31, 1..=12) => DateEvidence::Shows(DateOrder::Dmy),
        (1..=12, 13..=31) => DateEvidence::Shows(DateOrder::Mdy),
        _ => DateEvidence::NotSlash,
    }
}

/// `11/18/2026`, `18.11.2026 14:03`, `2026/11/18 2:03 PM`, ...; with whether day and month
/// could be swapped (`05/11/2026`; dotted dates are always day first).
fn numeric_date(s: &str, order: DateOrder) -> Option<(DateTime, bool, bool)> {
    let (date, time) = match s.split_once([' ', 'T']) {
        // `20.11.2026, 14:05`, as some locales write it.
        Some((d, t)) => (d.trim_end_matches(','), Some(t.trim())),
        None => (s, None),
    };
    let sep = date.chars().find(|c| matches!(c, '/' | '.' | '-'))?;
    let parts: Vec<i64> = date
        .split(sep)
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let [a, b, c] = parts[..] else { return None };
    let ambiguous = sep != '.' && a != b && (1..=12).contains(&a) && (1..=12).contains(&b);
    let (y, m, d) = if a > 31 {
        (a, b, c)
    } else if sep == '.' || a > 12 {
        (c, b, a)
    } else if b > 12 {
        (c, a, b)
    } else {
        match order {
            DateOrder::Mdy => (c, a, b),
            DateOrder::Dmy => (c, b, a),
        }
    };
    let y = if y < 100 { 2000 + y } else { y };
    let date = Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()?;
    let Some(t) = time.filter(|t| !t.is_empty()) else {
        return Some((date.to_datetime(Time::midnight()), false, ambiguous));
    };
    let upper = t.to_ascii_uppercase();
    let (clock, pm) = if let Some(c) = upper.strip_suffix("PM") {
        (c.trim().to_owned(), Some(true))
    } else if let Some(c) = upper.strip_suffix("AM") {
        (c.trim().to_owned(), Some(false))
    } else {
        (upper.clone(), None)
    };
    let nums: Vec<i64> = clock
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let (mut h, mi, se) = match nums[..] {
        [h, m] => (h, m, 0),
        [h, m, s] => (h, m, s),
        _ => return None,
    };
    match pm {
        Some(true) if h < 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        _ => {}
    }
    let time = Time::new(
        i8::try_from(h).ok()?,
        i8::try_from(mi).ok()?,
        i8::try_from(se).ok()?,
        0,
    )
    .ok()?;
    Some((date.to_datetime(time), true, ambiguous))
}

/// Checks a configured `date_format` once, at start-up: it must be a strftime format jiff
/// knows (`%Q` is none) that reads back a date, or no timestamp could ever match it.
pub fn check_format(fmt: &str) -> Result<(), String> {
    let sample: Zoned = "2026-11-20T14:05:09-05:00[America/New_York]"
        .parse()
        .expect("a valid sample time");
    let bad = |why: String| {
        Err(format!(
            "`--date-format` / `date_format` `{fmt}` {why}; use strftime directives such as `%d.%m.%Y %H:%M`"
        ))
    };
    let text = match jiff::fmt::strtime::format(fmt, &sample) {
        Ok(t) => t,
        Err(e) => return bad(format!("is not a format pinconv can read ({e})")),
    };
    match jiff::fmt::strtime::parse(fmt, &text) {
        Ok(p) if p.to_date().is_ok() || p.to_timestamp().is_ok() => Ok(()),
        Ok(_) => bad("names no date (it needs a year, month and day, or `%s`)".into()),
        Err(e) => bad(format!("cannot be read back ({e})")),
    }
}

/// The calendar day of Unix second `unix` in `tz`, for per-day report figures; `None` past
/// the range jiff represents.
#[must_use]
pub fn local_day(unix: i64, tz: &TimeZone) -> Option<Date> {
    Timestamp::from_second(unix)
        .ok()
        .map(|ts| tz.to_datetime(ts).date())
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The fixed-position reading agrees with jiff's format parser wherever it answers,
        /// and answers for every ordinary Shopify time.
        #[test]
        fn offset_instant_reads_as_strtime(
            s in "[0-9]{4}-[0-1][0-9]-[0-3][0-9] [0-2][0-9]:[0-6][0-9]:[0-6][0-9] [+-][0-2][0-9][0-9]{2}",
        ) {
            let strtime = offset_strtime(&s);
            if let Some(ts) = offset_instant(&s) {
                proptest::prop_assert_eq!(Some(ts), strtime);
            }
        }

        #[test]
        fn offset_instant_reads_ordinary_times(
            y in 1970u32..2100, mo in 1u32..=12, d in 1u32..=28, h in 0u32..24, mi in 0u32..60,
            sec in 0u32..60, east in proptest::bool::ANY, oh in 0u32..=14,
            om in proptest::sample::select(vec![0u32, 30, 45]),
        ) {
            let sign = if east { '+' } else { '-' };
            let s = format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{sec:02} {sign}{oh:02}{om:02}");
            let strtime = offset_strtime(&s);
            proptest::prop_assert!(strtime.is_some());
            proptest::prop_assert_eq!(offset_instant(&s), strtime);
        }
    }

    #[test]
    fn date_formats_are_checked() {
        for good in [
            "%d.%m.%Y",
            "%d.%m.%Y %H:%M",
            "%Y%m%d",
            "%s",
            "%m/%d/%y %I:%M %p",
            "%FT%T%z",
        ] {
            assert_eq!(check_format(good), Ok(()), "{good}");
        }
        for bad in ["%Q", "%H:%M", "no directives", "%d.%m"] {
            let e = check_format(bad).unwrap_err();
            assert!(e.contains(&format!("`{bad}`")), "{e}");
        }
    }

    fn p(s: &str) -> Result<Moment, String> {
        let tz = TimeZone::get("America/New_York").unwrap();
        parse(
            s,
            false,
            &TimeOptions {
                tz: &tz,
                date_order: DateOrder::Mdy,
                format: None,
            },
        )
    }

    const T: i64 = 1_763_492_607; // 2025-11-18T19:03:27Z

    #[test]
    fn the_offset_shape_reads_as_the_general_parsers_do() {
        let m = p("2026-11-14 09:12:46 -0500").unwrap();
        assert_eq!((m.unix, m.has_time, m.naive), (1_794_665_566, true, false));
        assert_eq!(p("2026-11-14 14:12:46 +0000").unwrap().unix, 1_794_665_566);
        assert_eq!(p("2026-11-15 03:42:46 +1330").unwrap().unix, 1_794_665_566);
        // Not a date in that shape: it falls through to the other readings, as before.
        assert!(p("2026-02-30 10:00:00 -0500").is_err());
        assert!(offset_shape("2026-11-14 09:12:46 -0500"));
        assert!(!offset_shape("2026-11-14 09:12:46 -05:00"));
        assert!(!offset_shape("2026-11-14T09:12:46 -0500"));
    }

    #[test]
    fn offsets_and_unix() {
        assert_eq!(p("1763492607").unwrap().unix, T);
        assert_eq!(p("1763492607000").unwrap().unix, T);
        assert_eq!(p("2025-11-18T19:03:27Z").unwrap().unix, T);
        assert_eq!(p("2025-11-18T14:03:27-05:00").unwrap().unix, T);
        assert_eq!(p("2025-11-18 14:03:27 -0500").unwrap().unix, T);
        assert_eq!(p("Tue, 18 Nov 2025 19:03:27 +0000").unwrap().unix, T);
        assert_eq!(
            p("2025-11-18T14:03:27-05:00[America/New_York]")
                .unwrap()
                .unix,
            T
        );
    }

    #[test]
    fn naive_times_take_the_zone() {
        assert_eq!(p("2025-11-18T14:03:27").unwrap().unix, T);
        assert_eq!(p("2025-11-18 14:03:27").unwrap().unix, T);
        assert_eq!(p("11/18/2025 2:03:27 PM").unwrap().unix, T);
        assert_eq!(p("18.11.2025 14:03:27").unwrap().unix, T);
        assert_eq!(p("18.11.2025, 14:03:27").unwrap().unix, T);
        let tz = TimeZone::get("America/New_York").unwrap();
        let o = TimeOptions {
            tz: &tz,
            date_order: DateOrder::Mdy,
            format: None,
        };
        assert_eq!(parse("2025-11-18T19:03:27", true, &o).unwrap().unix, T);
    }

    #[test]
    fn a_number_that_is_no_time_is_not_quoted() {
        let e = p("12065550188").unwrap_err();
        assert!(!e.contains("12065550188"), "{e}");
        assert!(e.contains("11 digits"), "{e}");
    }

    #[test]
    fn naive_and_ambiguous_are_flagged() {
        assert!(!p("2025-11-18 14:03:27 -0500").unwrap().naive);
        assert!(!p("1763492607").unwrap().naive);
        assert!(p("2025-11-18 14:03:27").unwrap().naive);
        // A time that names its zone in words is not naive either.
        assert!(!p("2025-11-18 14:03:27 UTC").unwrap().naive);
        let excel = p("11/5/2025 14:03").unwrap();
        assert!(excel.naive && excel.ambiguous);
        assert!(!p("11/18/2025 14:03").unwrap().ambiguous);
        assert!(!p("18/11/2025 14:03").unwrap().ambiguous);
        assert!(!p("11/11/2025").unwrap().ambiguous);
        assert!(!p("05.11.2025 14:03").unwrap().ambiguous);
        assert!(!p("2025/11/05 14:03").unwrap().ambiguous);
    }

    #[test]
    fn date_only_has_no_time() {
        let m = p("2025-11-18").unwrap();
        assert!(!m.has_time);
        assert_eq!(m.unix, T - (19 * 3600 + 3 * 60 + 27) + 5 * 3600);
        assert!(!p("11/18/2025").unwrap().has_time);
    }

    #[test]
    fn date_evidence_of_one_value() {
        use DateEvidence::{Either, NotSlash, Shows};
        for (raw, want) in [
            ("28/11/2026", Shows(DateOrder::Dmy)),
            ("28/11/2026 15:20", Shows(DateOrder::Dmy)),
            ("11/28/2026 3:20 PM", Shows(DateOrder::Mdy)),
            ("28-11-2026", Shows(DateOrder::Dmy)),
            ("01/12/2026", Either),
            ("11/11/2026", Either),
            ("2026-11-28 15:20", NotSlash),
            ("2026/11/05", NotSlash),
            ("05.11.2026", NotSlash),
            ("1794670877", NotSlash),
            ("Nov 5, 2026", NotSlash),
            ("13/13/2026", NotSlash),
        ] {
            assert_eq!(date_evidence(raw), want, "{raw}");
        }
    }

    #[test]
    fn swappable_day_and_month_are_flagged() {
        assert!(p("05/11/2026 09:00").unwrap().ambiguous);
        assert!(p("05/11/2026").unwrap().ambiguous);
        assert!(!p("28/11/2026").unwrap().ambiguous);
        assert!(!p("11/11/2026").unwrap().ambiguous);
        assert!(!p("05.11.2026").unwrap().ambiguous);
        assert!(!p("2026-11-05").unwrap().ambiguous);
        assert!(!p("2026/11/05 10:00").unwrap().ambiguous);
    }

    #[test]
    fn month_names_and_a_utc_suffix() {
        // T is 2025-11-18 14:03:27 in New York.
        assert_eq!(p("November 18, 2025 2:03:27 pm").unwrap().unix, T);
        assert_eq!(p("Nov 18, 2025 14:03:27").unwrap().unix, T);
        assert_eq!(p("18 Nov 2025 14:03:27").unwrap().unix, T);
        assert_eq!(p("18 November 2025 2:03 PM").unwrap().unix, T - 27);
        assert_eq!(p("2025-11-18 19:03:27 UTC").unwrap().unix, T);
        let d = p("18-Nov-2025").unwrap();
        assert!(!d.has_time);
        assert_eq!(d.unix, p("2025-11-18").unwrap().unix);
        assert!(p("Sept 3, 2025").is_ok());
        assert!(p("Nov 31, 2025").is_err());
        assert!(p("Novembre 18").is_err());
    }

    #[test]
    fn configured_format() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let o = TimeOptions {
            tz: &tz,
            date_order: DateOrder::Dmy,
            format: Some("%d|%m|%Y %H:%M"),
        };
        assert_eq!(parse("18|11|2025 20:03", false, &o).unwrap().unix, T - 27);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(p("next tuesday").is_err());
        assert!(p("13/13/2025").is_err());
        assert!(p("12345").is_err());
        assert!(p("").is_err());
    }
}
