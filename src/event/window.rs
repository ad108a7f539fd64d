//! The event time and the window Pinterest accepts: not older than the age limit, not in the
//! future. The limits are shared with already-built events ([`super::prebuilt`]).

use crate::config::{MaxAge, Settings};
use crate::map::Key;
use crate::report::shown;
use crate::time::{self, DateOrder, TimeOptions};

use super::stop::{Ctx, Stop};

/// Pinterest takes an event up to an hour ahead of its clock (clock skew), not more.
const FUTURE_LEEWAY_SECS: i64 = 3600;

/// Whether `unix` is further in the future than Pinterest accepts.
pub(super) fn in_future(s: &Settings, unix: i64) -> bool {
    unix > s.now + FUTURE_LEEWAY_SECS
}

/// The age limit in days, when `unix` is older than it.
pub(super) fn too_old(s: &Settings, unix: i64) -> Option<u32> {
    match s.max_age {
        MaxAge::Days(days) if s.now - unix > i64::from(days) * 86_400 => Some(days),
        _ => None,
    }
}

/// The hint of every `too_old` skip.
pub(super) const TOO_OLD_HINT: &str =
    "pass `--max-age off` (or a larger `--max-age`) to keep it anyway";

/// Whether a time column's name says its naive times are UTC: WooCommerce's
/// `date_created_gmt`, `*_utc`, and a `(UTC)` or `(GMT)` qualifier (Stripe's `Created date
/// (UTC)`, `Order Date (GMT)`).
fn says_utc(column: &str) -> bool {
    let col = column.trim().to_ascii_lowercase();
    let qualifier = col
        .strip_suffix(')')
        .and_then(|c| c.rsplit_once('('))
        .map(|(_, q)| q.trim());
    col.ends_with("_gmt") || col.ends_with("_utc") || matches!(qualifier, Some("utc" | "gmt"))
}

/// The order's `event_time`, Unix seconds, with the warnings of a time read by a guess; the
/// order stops when it has none, it does not parse, or it is outside the window.
pub(super) fn event_time(ctx: &mut Ctx, s: &Settings) -> Result<i64, Stop> {
    let order = ctx.order;
    let Some(time_cell) = order.get(Key::EventTime) else {
        return Err(ctx.reject(
            None,
            "missing_event_time",
            "the order has no time".into(),
            Some(
                "map the order date column in the config: `[columns] event_time = \"...\"`".into(),
            ),
        ));
    };
    let naive_utc = says_utc(time_cell.column);
    let opts = TimeOptions {
        tz: &s.timezone,
        date_order: s.date_order,
        format: s.date_format.as_deref(),
    };
    let moment = time::parse(&time_cell.value, naive_utc, &opts).map_err(|e| {
        ctx.reject(
            Some(time_cell),
            "invalid_event_time",
            format!("{}: {e}", shown(&time_cell.value)),
            Some("use ISO 8601 (`2026-11-18T14:03:27-05:00`), Unix seconds, or set `date_format` in the config".into()),
        )
    })?;
    if moment.naive && !naive_utc && !s.timezone_set {
        // A time without an offset is a wall-clock time of some zone; UTC is only a guess,
        // wrong by hours for most shops, so every format says so until the zone is set.
        let (reason, hint) = if order.preset == crate::map::Preset::Shopify {
            // Shopify writes every time with its offset; one without was re-saved by a
            // spreadsheet, which drops it.
            ("the time has no UTC offset (Shopify writes one, e.g. `-0500`; a spreadsheet re-save drops it), so it was read as UTC",
             "pass `--timezone` with the shop's time zone (Shopify admin > Settings > General), e.g. `--timezone America/New_York`")
        } else {
            ("the time has no UTC offset and no time zone is set, so it was read as UTC",
             "pass `--timezone` with the shop's time zone (or set `timezone` in the config), e.g. `--timezone America/Chicago`")
        };
        ctx.warn(
            Some(time_cell),
            "time_without_offset",
            reason.into(),
            Some(hint.into()),
        );
    }
    if moment.ambiguous && !s.date_order_set {
        let (read, this, other) = match s.date_order {
            DateOrder::Mdy => ("month/day", "mdy", "dmy"),
            DateOrder::Dmy => ("day/month", "dmy", "mdy"),
        };
        ctx.warn(
            Some(time_cell),
            "ambiguous_date",
            format!("the date can be read day first or month first; it was read as {read}"),
            Some(format!("pass `--date-order {other}` if the file writes the other way round, or `--date-order {this}` to confirm")),
        );
    }
    if !moment.has_time {
        ctx.warn(
            Some(time_cell),
            "no_time_of_day",
            format!(
                "the order has a date but no time of day; midnight in `{}` is used",
                s.timezone_name
            ),
            None,
        );
    }
    if s.since.is_some_and(|t| moment.unix < t) || s.until.is_some_and(|t| moment.unix >= t) {
        return Err(ctx.skip(
            Some(time_cell),
            "outside_time_filter",
            "the order is outside `--since`/`--until`".into(),
            None,
        ));
    }
    if let Some(days) = too_old(s, moment.unix) {
        // A date read by a guess may be old only because it was read the wrong way round:
        // keeping it with `--max-age off` would send a wrong time, so the hint is the order.
        let hint = if moment.ambiguous && !s.date_order_set {
            format!(
                "the date reads both ways; if the file writes day first, pass `--date-order {}`",
                match s.date_order {
                    DateOrder::Mdy => "dmy",
                    DateOrder::Dmy => "mdy",
                }
            )
        } else {
            TOO_OLD_HINT.into()
        };
        return Err(ctx.skip(
            Some(time_cell),
            "too_old",
            format!("the order is older than {days} days, which Pinterest rejects"),
            Some(hint),
        ));
    }
    if in_future(s, moment.unix) {
        return Err(ctx.reject(
            Some(time_cell),
            "future_event_time",
            "the order time is in the future".into(),
            Some("check the time zone (`--timezone`) and the date order (`date_order`)".into()),
        ));
    }
    Ok(moment.unix)
}

#[cfg(test)]
mod tests {
    use super::says_utc;

    #[test]
    fn columns_that_say_utc() {
        for c in [
            "date_created_gmt",
            "Created date (UTC)",
            "Created (UTC)",
            "Order Date (GMT) ",
            "paid_at_utc",
        ] {
            assert!(says_utc(c), "{c}");
        }
        for c in ["Date (local)", "Created at", "order_date", "Date (UTC+2)"] {
            assert!(!says_utc(c), "{c}");
        }
    }
}
