//! What a new user hit (#11 items 2, 3, 4, 7, 9, 11): times without an offset, day-first
//! dates, epoch milliseconds and currency symbols, `--quiet` and rejected orders in cron,
//! progress and order names, duplicates across inputs, and a re-saved export.

use crate::support::{pinconv, temp_file};

/// A WooCommerce-like export of a Chicago shop: times without an offset.
const WOO_NAIVE: &str = "\
order_id,order_number,order_date,status,order_total,order_currency,billing_email
7001,7001,2026-11-20 15:20:00,completed,10.00,USD,ava.chen@example.com
";

#[test]
fn a_time_without_offset_is_warned_about_in_every_format() {
    let f = temp_file(".csv", WOO_NAIVE);
    let d = pinconv(["check", "--deny-warnings", f.path().to_str().unwrap()]).code(1);
    d.stderr_has("time_without_offset")
        .stderr_has("no time zone is set, so it was read as UTC")
        .stderr_has("--timezone");
    // A generic file too.
    let g = temp_file(
        ".csv",
        "email,event_time,value,currency,order_id\nava.chen@example.com,2026-11-20 15:20,10.00,USD,A-1\n",
    );
    pinconv(["check", "--deny-warnings", g.path().to_str().unwrap()])
        .code(1)
        .stderr_has("time_without_offset");
    // Setting the zone answers it, and the time is read in that zone.
    let d = pinconv([
        "build",
        "--deny-warnings",
        "--timezone",
        "America/Chicago",
        f.path().to_str().unwrap(),
    ])
    .code(0);
    d.stderr_lacks("time_without_offset");
    // 15:20 in Chicago (CST, -6) is 21:20Z.
    assert_eq!(d.events()[0]["event_time"], 1_795_209_600);
    // A column that says its zone needs none.
    let u = temp_file(
        ".csv",
        "email,Created at (UTC),value,currency,order_id\nava.chen@example.com,2026-11-20 15:20,10.00,USD,A-1\n",
    );
    pinconv([
        "check",
        "--deny-warnings",
        "--column",
        "event_time=Created at (UTC)",
        u.path().to_str().unwrap(),
    ])
    .code(0)
    .stderr_lacks("time_without_offset");
}
