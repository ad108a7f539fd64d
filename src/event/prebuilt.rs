//! Already-built events read back (a `--failed-out` file, or CAPI events written elsewhere):
//! sent as they are, after the checks a built event passes too (time window, identifiers).

use std::sync::Arc;

use crate::capi;
use crate::config::Settings;
use crate::normalize::{self, Field};
use crate::report::{Problem, Severity};

use super::outcome::{Built, Outcome};
use super::{identity, window};

/// Whether a JSON record is an already-built event rather than an order: a line of
/// `--failed-out` (`{"event": {...}}`) or a CAPI event itself (has `user_data` and `event_id`).
#[must_use]
pub fn prebuilt_event(value: &serde_json::Value) -> Option<&serde_json::Value> {
    let ev = value
        .get("event")
        .filter(|e| e.is_object())
        .unwrap_or(value);
    (ev.get("user_data")
        .is_some_and(serde_json::Value::is_object)
        && ev.get("event_id").is_some())
    .then_some(ev)
}

/// Takes an already-built event as it is (its identifiers are hashed already: never hashed
/// twice), checking the required fields and the age limit.
#[must_use]
pub fn prebuilt(file: &Arc<str>, line: u64, ev: &serde_json::Value, s: &Settings) -> Outcome {
    let problem = |sev, code, reason: String, hint: Option<String>| Problem {
        file: file.clone(),
        line,
        column: None,
        severity: sev,
        code,
        reason,
        hint,
        order: ev
            .get("event_id")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
    };
    let reject = |reason: String| {
        Outcome::Rejected(vec![problem(
            Severity::Rejected,
            "invalid_event",
            reason,
            Some("already-built events are sent as they are, so they must follow the API contract; rebuild them from the orders otherwise".into()),
        )])
    };
    // Pinterest's own form only: the event goes out byte for byte, so no alias is rewritten.
    let Some(name) = ev
        .get("event_name")
        .and_then(|v| v.as_str())
        .and_then(capi::pinterest_event)
    else {
        return reject("`event_name` is missing or not one of Pinterest's event names".into());
    };
    let Some(id) = ev
        .get("event_id")
        .and_then(|v| v.as_str())
        .filter(|v| !v.is_empty())
    else {
        return reject("`event_id` is missing or empty".into());
    };
    if !ev
        .get("action_source")
        .and_then(|v| v.as_str())
        .is_some_and(|a| capi::ACTION_SOURCES.contains(&a))
    {
        return reject(
            "`action_source` is missing or not one of web, offline, app_android, app_ios".into(),
        );
    }
    let Some(time) = ev.get("event_time").and_then(serde_json::Value::as_i64) else {
        return reject("`event_time` is missing or not an integer".into());
    };
    // Thirteen digits are milliseconds (JavaScript's `Date.now()`), not a time in the
    // future: say so, since "the future" would send the user looking at time zones. The
    // event goes out byte for byte, so pinconv does not rewrite it.
    if (1_000_000_000_000..10_000_000_000_000).contains(&time) {
        return Outcome::Rejected(vec![problem(
            Severity::Rejected,
            "invalid_event",
            format!("`event_time` is in milliseconds (13 digits); Pinterest takes Unix seconds, here `{}`", time / 1000),
            Some("write `event_time` in seconds (milliseconds divided by 1000), or rebuild the events from the orders, where pinconv reads milliseconds".into()),
        )]);
    }
    // Below 10⁹ is not Unix seconds of this century.
    if time < 1_000_000_000 || window::in_future(s, time) {
        return reject(
            "`event_time` must be Unix seconds and not in the future (milliseconds are too large)"
                .into(),
        );
    }
    let ud = &ev["user_data"];
    for f in Field::ALL {
        let Some(v) = ud.get(f.key()) else { continue };
        let hashed = v.as_array().is_some_and(|a| {
            a.iter()
                .all(|h| h.as_str().is_some_and(normalize::is_sha256_hex))
        });
        if !hashed {
            return reject(format!(
                "`user_data.{}` must be an array of SHA-256 hashes; already-built events are never hashed again",
                f.key()
            ));
        }
    }
    let has = |k: &str| {
        ud.get(k)
            .and_then(|v| v.as_array())
            .is_some_and(|a| !a.is_empty())
    };
    let plain = |k: &str| {
        ud.get(k)
            .and_then(|v| v.as_str())
            .is_some_and(|v| !v.is_empty())
    };
    if !identity::identifiable(
        has("em"),
        has("hashed_maids"),
        plain("client_ip_address"),
        plain("client_user_agent"),
    ) {
        return reject(
            "no usable identifier: needs `em`, `hashed_maids`, or both IP address and user agent"
                .into(),
        );
    }
    let cd = &ev["custom_data"];
    let strings_ok = cd.get("value").is_none_or(|v| v.is_string() || v.is_null())
        && cd
            .get("contents")
            .and_then(|c| c.as_array())
            .is_none_or(|c| {
                c.iter()
                    .all(|i| i.get("item_price").is_none_or(serde_json::Value::is_string))
            });
    if !strings_ok {
        return reject("`custom_data.value` and `contents[].item_price` must be strings".into());
    }
    if let Some(days) = window::too_old(s, time) {
        return Outcome::Skipped(problem(
            Severity::Skipped,
            "too_old",
            format!("the event is older than {days} days, which Pinterest rejects"),
            Some(window::TOO_OLD_HINT.into()),
        ));
    }
    Outcome::Built(Built {
        file: file.clone(),
        line,
        event_id: id.to_owned(),
        event_name: name,
        event_time: time,
        json: serde_json::to_string(ev).expect("values serialize"),
        warnings: Vec::new(),
        identifiers: Vec::new(),
        facts: None,
    })
}
