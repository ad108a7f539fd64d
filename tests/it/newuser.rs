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

/// Day-first dates: one that only reads day first, one that reads both ways.
fn day_first(first_ambiguous: bool) -> String {
    let rows = [
        "ava.chen@example.com,28/11/2026 15:20,10.00,USD,D-1",
        "ben.ode@example.com,01/12/2026 09:00,12.00,USD,D-2",
    ];
    let (a, b) = if first_ambiguous {
        (rows[1], rows[0])
    } else {
        (rows[0], rows[1])
    };
    format!("email,event_time,value,currency,order_id\n{a}\n{b}\n")
}

#[test]
fn the_date_order_is_inferred_from_the_files_own_dates() {
    for first_ambiguous in [false, true] {
        let f = temp_file(".csv", &day_first(first_ambiguous));
        let path = f.path().to_str().unwrap();
        let d = pinconv([
            "build",
            "--timezone",
            "UTC",
            "--now",
            "2026-12-02T00:00:00Z",
            path,
        ])
        .code(0);
        d.stderr_has("writes dates day first, as its date on line")
            .stderr_lacks("ambiguous_date")
            .stderr_lacks("too_old");
        let events = d.events();
        // 1 December, not 12 January.
        assert_eq!(
            crate::support::by_id(&events, "D-2")["event_time"],
            1_796_115_600
        );
        // The JSON report says so too.
        let j = pinconv([
            "check",
            "--json",
            "--timezone",
            "UTC",
            "--now",
            "2026-12-02T00:00:00Z",
            path,
        ])
        .code(0);
        let input = &j.json()["inputs"][0];
        assert_eq!(input["date_order"]["order"], "dmy");
        assert_eq!(input["date_order"]["source"], "inferred");
    }
}

#[test]
fn a_file_without_evidence_warns_and_an_age_skip_hints_at_the_date_order() {
    let f = temp_file(
        ".csv",
        "email,event_time,value,currency,order_id\nava.chen@example.com,01/12/2026 09:00,10.00,USD,D-2\n",
    );
    let d = pinconv([
        "check",
        "--timezone",
        "UTC",
        "--now",
        "2026-12-02T00:00:00Z",
        f.path().to_str().unwrap(),
    ])
    .code(0);
    d.stderr_has("no date in")
        .stderr_has("too_old")
        .stderr_has("pass `--date-order dmy`")
        .stderr_lacks("--max-age off");
    // A date that reads one way only keeps the usual hint.
    let old = temp_file(
        ".csv",
        "email,event_time,value,currency,order_id\nava.chen@example.com,11/13/2026 09:00,10.00,USD,D-3\n",
    );
    pinconv([
        "check",
        "--timezone",
        "UTC",
        "--now",
        "2026-12-02T00:00:00Z",
        old.path().to_str().unwrap(),
    ])
    .code(0)
    .stderr_has("--max-age off");
}

#[test]
fn milliseconds_in_a_built_event_are_named_as_such() {
    let hash = "a".repeat(64);
    let f = temp_file(
        ".ndjson",
        &format!(
            "{{\"event_name\":\"checkout\",\"action_source\":\"web\",\"event_time\":1794670877000,\"event_id\":\"E-1\",\"user_data\":{{\"em\":[\"{hash}\"]}}}}\n"
        ),
    );
    pinconv(["check", "--max-age", "off", f.path().to_str().unwrap()])
        .code(1)
        .stderr_has("`event_time` is in milliseconds (13 digits); Pinterest takes Unix seconds, here `1794670877`")
        .stderr_lacks("future");
    // In an order, milliseconds are read.
    let o = temp_file(
        ".csv",
        "email,event_time,value,currency,order_id\nava.chen@example.com,1794670877000,10.00,USD,M-1\n",
    );
    let d = pinconv(["build", "--max-age", "off", o.path().to_str().unwrap()]).code(0);
    assert_eq!(d.events()[0]["event_time"], 1_794_670_877);
}

#[test]
fn currency_symbols_are_read_where_they_name_one_currency() {
    let f = temp_file(
        ".csv",
        "email,event_time,value,currency,order_id\n\
         ava.chen@example.com,2026-11-20T10:00:00Z,10.00,€,S-1\n\
         ben.ode@example.com,2026-11-20T10:00:00Z,US$12.00,US$,S-2\n\
         cy.lee@example.com,2026-11-20T10:00:00Z,C$ 9.50,C$,S-3\n\
         dee.rao@example.com,2026-11-20T10:00:00Z,4500,¥,S-4\n",
    );
    let d = pinconv(["build", f.path().to_str().unwrap()]).code(1);
    let events = d.events();
    let by = |id| crate::support::by_id(&events, id)["custom_data"].clone();
    assert_eq!(by("S-1")["currency"], "EUR");
    assert_eq!(by("S-2")["currency"], "USD");
    assert_eq!(by("S-2")["value"], "12.00");
    assert_eq!(by("S-3")["currency"], "CAD");
    assert_eq!(events.len(), 3);
    d.stderr_has("is the symbol of JPY or CNY, so it does not say which")
        .stderr_has("ISO 4217 code");
}

#[test]
fn hash_hints_at_its_own_country_flag() {
    pinconv(["hash", "--field", "ph", "555-0199"])
        .code(1)
        .stderr_has("pass `--country`")
        .stderr_lacks("--default-country");
}

/// One order that can be sent, one phone-only order that never can.
const ONE_PHONE_ONLY: &str = "\
email,phone,event_time,value,currency,order_id
ava.chen@example.com,,2026-11-20T10:00:00Z,10.00,USD,Q-1
,+1 312 555 0110,2026-11-20T11:00:00Z,12.00,USD,Q-2
";

#[test]
fn quiet_still_names_the_rejected_order_and_rejected_ok_keeps_exit_zero() {
    let f = temp_file(".csv", ONE_PHONE_ONLY);
    let path = f.path().to_str().unwrap();
    pinconv(["check", "-q", "--max-age", "off", path])
        .code(1)
        .stderr_has(":3: no usable identifier")
        .stderr_has("(order `Q-2`)")
        .stderr_has("rejected  1 (no_identifier 1)")
        .stderr_lacks("reading `");
    let d = pinconv(["build", "-q", "--rejected-ok", "--max-age", "off", path]).code(0);
    d.stderr_has("(order `Q-2`)").stderr_has("rejected  1");
    assert_eq!(d.events().len(), 1);
    pinconv([
        "send",
        "--dry-run",
        "-q",
        "--rejected-ok",
        "--max-age",
        "off",
        path,
    ])
    .code(0)
    .stderr_has("(order `Q-2`)");
    // Warnings stay hidden with --quiet.
    let w = temp_file(".csv", WOO_NAIVE);
    pinconv(["check", "-q", w.path().to_str().unwrap()])
        .code(0)
        .stderr_lacks("time_without_offset:")
        .stderr_lacks("warning: ");
}

#[test]
fn an_order_in_two_inputs_is_built_once() {
    let a = temp_file(
        ".csv",
        "email,event_time,value,currency,order_id\nava.chen@example.com,2026-11-20T10:00:00Z,10.00,USD,O-1\nben.ode@example.com,2026-11-20T11:00:00Z,12.00,USD,O-2\n",
    );
    let b = temp_file(
        ".csv",
        "email,event_time,value,currency,order_id\nben.ode@example.com,2026-11-20T11:00:00Z,12.00,USD,O-2\ncy.lee@example.com,2026-11-20T12:00:00Z,9.00,USD,O-3\n",
    );
    let d = pinconv([
        "build",
        a.path().to_str().unwrap(),
        b.path().to_str().unwrap(),
    ])
    .code(0);
    let events = d.events();
    let ids: Vec<_> = events.iter().map(|e| e["event_id"].clone()).collect();
    assert_eq!(ids, ["O-1", "O-2", "O-3"]);
    d.stderr_has("an earlier input of this run already holds this order")
        .stderr_has("skipped   1 (duplicate_order 1)");
}

#[test]
fn shopify_orders_are_named_as_the_merchant_knows_them() {
    let f = temp_file(
        ".csv",
        "Name,Email,Financial Status,Created at,Currency,Total,Lineitem quantity,Lineitem name,Id\n\
         #1043,,paid,2026-11-20 10:00:00 -0500,USD,10.00,1,Mug,5901234567890\n",
    );
    pinconv(["check", f.path().to_str().unwrap()])
        .code(1)
        .stderr_has("(order `#1043 (Id 5901234567890)`)");
}

#[test]
fn check_and_build_draw_no_progress_when_stderr_is_not_a_terminal() {
    let rows: String = (0..3000)
        .map(|i| format!("p{i}@example.com,2026-11-20T10:00:00Z,10.00,USD,P-{i}\n"))
        .collect();
    let f = temp_file(
        ".csv",
        &format!("email,event_time,value,currency,order_id\n{rows}"),
    );
    for cmd in ["check", "build"] {
        pinconv([cmd, f.path().to_str().unwrap()])
            .code(0)
            .stderr_lacks("events checked")
            .stderr_lacks("events built")
            .stderr_lacks("/s");
    }
}

#[test]
fn send_does_not_build_an_event_from_a_stand_in_for_a_rounded_id() {
    let path = "tests/fixtures/real/shopify/excel_uk_dmy.csv";
    let args = |extra: &[&'static str]| {
        let mut v = vec![
            "send",
            "--dry-run",
            "--max-age",
            "off",
            "--timezone",
            "Europe/London",
        ];
        v.extend_from_slice(extra);
        v.push(path);
        v
    };
    // `build` warns and uses the order name; `send` refuses it, naming the flag.
    let d = pinconv(args(&[])).code(1);
    d.stderr_has("`send` does not send it under the stand-in `#2001`")
        .stderr_has("pass `--order-id name`")
        .stderr_has("rejected  9 (mangled_order_id 9)");
    // Chosen on purpose, the name is the order's identity.
    let d = pinconv(args(&["--order-id", "name"])).code(0);
    d.stderr_lacks("mangled_order_id");
}
