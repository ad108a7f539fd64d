//! Sources beyond Shopify and WooCommerce (`tests/fixtures/real/{meta,stripe,bigcommerce}`,
//! Shopify drafts, a generic file whose order id repeats across people), each through
//! `check`, `build` and `send --dry-run`; and `check --json` when an input is refused whole.

use serde_json::Value;

use crate::support::{by_id, hash, pinconv, read_json, temp_file, Done};

const REAL: &str = "tests/fixtures/real";

/// What the three offline commands make of `args`: `check`'s output (exit `code`), the
/// events `build` writes, and `send --dry-run`, whose bodies must be `build`'s.
fn run(code: i32, args: &[&str]) -> (Done, Vec<Value>) {
    let with = |cmd: &[&str]| {
        let mut a: Vec<&str> = cmd.to_vec();
        a.extend_from_slice(&["--max-age", "off"]);
        a.extend_from_slice(args);
        a.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let check = pinconv(with(&["check"])).code(code);
    let built = pinconv(with(&["build"])).code(code);
    let events = built.events();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bodies.ndjson");
    let out_s = out.to_str().unwrap().to_owned();
    let dry = pinconv(with(&["send", "--dry-run", "-o", &out_s])).code(code);
    dry.stderr_has(&format!(
        "{} event{} would be sent",
        events.len(),
        if events.len() == 1 { "" } else { "s" }
    ));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), built.stdout);
    check.stderr_lacks("@example.com");
    (check, events)
}

fn file(rel: &str) -> String {
    format!("{REAL}/{rel}")
}

/// The event built from the row or object at `time`.
fn at(events: &[Value], time: i64) -> &Value {
    events
        .iter()
        .find(|e| e["event_time"] == time)
        .unwrap_or_else(|| panic!("no event at {time}"))
}

fn ids(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["event_id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn meta_template_without_order_id_gets_stable_distinct_ids_from_each_row() {
    let path = file("meta/classic_template.csv");
    let (d, events) = run(0, &[&path]);
    d.stderr_has("as meta csv")
        .stderr_has("Meta's offline-conversions template")
        .stderr_has("read 7 records from 1 input: 7 orders")
        .stderr_has("built     7 events");
    // One note for the input, not one per row.
    assert_eq!(
        d.stderr.matches("derived from its content").count(),
        1,
        "{}",
        d.stderr
    );
    let first = ids(&events);
    let mut unique = first.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 7, "{first:?}");
    for id in &first {
        assert!(id.starts_with("row-") && id.len() == 28, "{id}");
        assert!(id[4..].bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    }
    // A re-run gives the same ids.
    let again = pinconv(["build", "--max-age", "off", &path])
        .code(0)
        .events();
    assert_eq!(ids(&again), first);
    // Every repeated email and phone column is read; the madid goes to hashed_maids.
    let ada = at(&events, 1_794_972_108);
    assert_eq!(ada["event_name"], "checkout");
    assert_eq!(
        ada["user_data"]["em"],
        serde_json::json!([
            hash("em", None, "ada.moreau@example.com"),
            hash("em", None, "ada.m@example.com")
        ])
    );
    assert_eq!(
        ada["user_data"]["hashed_maids"].as_array().unwrap().len(),
        1
    );
    assert_eq!(ada["user_data"]["ge"][0], hash("ge", None, "f"));
    assert_eq!(ada["custom_data"]["value"], "15.00");
    assert!(ada["custom_data"].get("order_id").is_none());
    // Offline-conversion files are offline by default.
    for e in &events {
        assert_eq!(e["action_source"], "offline");
    }
    let chen = by_id(&events, &first[2]);
    assert_eq!(chen["event_name"], "lead");
    assert_eq!(chen["user_data"]["ph"].as_array().unwrap().len(), 2);
    assert_eq!(by_id(&events, &first[3])["event_name"], "custom");
    // `PURCHASE` twice by one buyer at one time, different values: two events, two ids.
    assert_eq!(by_id(&events, &first[4])["event_name"], "checkout");
    assert_eq!(by_id(&events, &first[5])["custom_data"]["value"], "19.99");
    assert_ne!(first[4], first[5]);
    // An empty event name takes the default.
    assert_eq!(by_id(&events, &first[6])["event_name"], "checkout");
    let lead = pinconv(["build", "--max-age", "off", "--event-name", "lead", &path])
        .code(0)
        .events();
    assert_eq!(lead[6]["event_name"], "lead");
    assert_eq!(lead[0]["event_name"], "checkout");
    // `--action-source` still wins.
    let web = pinconv(["build", "--max-age", "off", "--action-source", "web", &path])
        .code(0)
        .events();
    assert!(web.iter().all(|e| e["action_source"] == "web"));
}

#[test]
fn meta_uploader_layout_splits_the_semicolon_item_columns() {
    let (d, events) = run(0, &[&file("meta/uploader_rich.csv")]);
    d.stderr_has("uploader layout");
    let gus = by_id(&events, "OC-5001");
    assert_eq!(
        gus["custom_data"]["content_ids"],
        serde_json::json!(["SKU1", "SKU2"])
    );
    assert_eq!(gus["custom_data"]["num_items"], 3);
    let contents = gus["custom_data"]["contents"].as_array().unwrap();
    assert_eq!(contents.len(), 2);
    assert_eq!(contents[1]["item_price"], "1.50");
    assert_eq!(contents[1]["quantity"], 2);
    assert_eq!(contents[1]["item_name"], "Gel Pen");
    assert_eq!(contents[0]["item_brand"], "Acme");
    assert_eq!(gus["event_name"], "checkout");
    assert_eq!(gus["action_source"], "offline");
    assert_eq!(by_id(&events, "OC-5002")["custom_data"]["num_items"], 1);
}

#[test]
fn meta_contents_in_relaxed_json() {
    let (d, events) = run(0, &[&file("meta/contents_json.csv")]);
    d.stderr_has("built     4 events")
        .stderr_has("invalid_contents 1");
    let ivy = at(&events, 1_795_161_600);
    assert_eq!(
        ivy["custom_data"]["contents"],
        serde_json::json!([{"id": "810547695", "item_price": "11.99", "quantity": 1}])
    );
    assert_eq!(
        ivy["custom_data"]["content_ids"],
        serde_json::json!(["810547695"])
    );
    assert_eq!(ivy["custom_data"]["num_items"], 1);
    // Single quotes, trailing commas, a brand.
    let jon = at(&events, 1_795_166_100);
    assert_eq!(jon["custom_data"]["num_items"], 3);
    assert_eq!(
        jon["custom_data"]["content_ids"],
        serde_json::json!(["A-100", "B-200"])
    );
    assert_eq!(jon["custom_data"]["contents"][0]["item_brand"], "Acme");
    assert_eq!(jon["custom_data"]["contents"][0]["item_price"], "9.99");
    // Strict JSON too.
    let kai = at(&events, 1_795_170_600);
    assert_eq!(kai["custom_data"]["contents"][0]["item_price"], "20.00");
    // A cell that is no JSON is named, and the row is still sent without items.
    d.stderr_has("column `contents`");
    let lea = at(&events, 1_795_175_100);
    assert!(lea["custom_data"].get("contents").is_none());
}

#[test]
fn rows_of_different_people_sharing_an_order_id_are_never_one_event() {
    let (d, events) = run(0, &[&file("generic/shared_order_id.csv")]);
    d.stderr_has("read 6 records from 1 input: 4 orders")
        // One warning for the key, naming both lines, though two rows split from the first.
        .stderr_has("duplicate_order_id 1)")
        .stderr_has(
            "shared_order_id.csv:3: order key `1001` is also the key of the order on line 2",
        )
        .stderr_lacks("duplicate_event_id")
        .stderr_has("line 2");
    assert_eq!(events.len(), 4);
    for (id, email) in [
        ("1001", "mia.ruiz@example.com"),
        ("1001-2", "noah.berg@example.com"),
        ("1001-3", "olga.ivanova@example.com"),
    ] {
        let e = by_id(&events, id);
        // Exactly the one person of its row, never another's email.
        assert_eq!(
            e["user_data"]["em"],
            serde_json::json!([hash("em", None, email)]),
            "{id}"
        );
        assert_eq!(e["custom_data"]["order_id"], "1001");
        assert!(e["custom_data"]["num_items"].as_i64().unwrap() > 0);
    }
    assert_eq!(by_id(&events, "1001-2")["custom_data"]["value"], "45.00");
    assert_eq!(by_id(&events, "1001-3")["event_time"], 1_795_252_500);
    // A real multi-row order still becomes one event with all its items.
    let pia = by_id(&events, "1002");
    assert_eq!(pia["custom_data"]["contents"].as_array().unwrap().len(), 3);
    assert_eq!(pia["custom_data"]["num_items"], 4);
    assert_eq!(pia["custom_data"]["value"], "30.00");
}

#[test]
fn stripe_dashboard_export_default_columns() {
    let path = file("stripe/unified_payments_default.csv");
    let (d, events) = run(0, &["--preset", "stripe", &path]);
    d.stderr_has("as stripe csv");
    let (d, events_detected) = run(0, &[&path]);
    assert_eq!(events_detected, events);
    d.stderr_has("Stripe payments export")
        .stderr_has("read 8 records from 1 input: 8 orders")
        .stderr_has("built     4 events")
        .stderr_has("skipped   4 (status_failed 1, status_pending 2, status_refunded 1)");
    let quinn = by_id(&events, "ch_3QaB1cDeFgHiJk0a1");
    assert_eq!(quinn["event_time"], 1_795_207_089);
    assert_eq!(quinn["custom_data"]["value"], "25.00");
    assert_eq!(quinn["custom_data"]["currency"], "USD");
    assert_eq!(
        quinn["user_data"]["external_id"][0],
        hash("external_id", None, "cus_R1aB2cD3eF4g")
    );
    // The email only in the metadata column.
    assert_eq!(
        by_id(&events, "py_3QaB2cDeFgHiJk0b2")["user_data"]["em"][0],
        hash("em", None, "rosa.marin@example.com")
    );
    assert_eq!(
        by_id(&events, "ch_3QaB3cDeFgHiJk0c3")["custom_data"]["currency"],
        "EUR"
    );
    // A partial refund stays a paid payment with its amount.
    assert_eq!(
        by_id(&events, "ch_3QaB4cDeFgHiJk0d4")["custom_data"]["value"],
        "40.00"
    );
    // The shop's order id in the metadata, on request.
    let by_number = pinconv(["build", "--max-age", "off", "--order-id", "number", &path])
        .code(0)
        .events();
    assert_eq!(ids(&by_number), ["4821", "4822", "4823", "4824"]);
}

#[test]
fn stripe_dashboard_export_all_columns_and_2023_layouts() {
    let (d, events) = run(0, &[&file("stripe/unified_payments_all_columns.csv")]);
    d.stderr_has("skipped   1 (status_test 1)");
    assert_eq!(events.len(), 1);
    let yara = by_id(&events, "ch_3QbC1dEfGhIjKl1a1");
    assert_eq!(yara["event_time"], 1_795_183_509);
    assert_eq!(yara["custom_data"]["value"], "58.40");
    assert_eq!(yara["user_data"]["fn"][0], hash("fn", None, "yara"));
    assert_eq!(yara["user_data"]["ln"][0], hash("ln", None, "lindqvist"));
    assert_eq!(yara["user_data"]["zp"][0], hash("zp", None, "07042"));
    assert_eq!(yara["user_data"]["ph"][0], hash("ph", None, "+19735550141"));

    let (d, events) = run(0, &[&file("stripe/unified_payments_2023.csv")]);
    d.stderr_has("`Created (UTC)`")
        .stderr_has("skipped   1 (status_failed 1)");
    assert_eq!(events.len(), 2);
    // Minutes only, UTC.
    assert_eq!(
        by_id(&events, "ch_3NjK1aBcDeFgHi2a1")["event_time"],
        1_795_119_480
    );
    assert_eq!(
        by_id(&events, "ch_3NjK2aBcDeFgHi2b2")["custom_data"]["value"],
        "50.00"
    );
}

#[test]
fn stripe_charges_in_each_currency_s_minor_units() {
    let (d, events) = run(
        0,
        &[
            &file("stripe/charge_usd.json"),
            &file("stripe/charge_jpy.json"),
            &file("stripe/charge_kwd.json"),
        ],
    );
    d.stderr_has("as stripe json")
        .stderr_has("Stripe `charge` objects");
    let usd = by_id(&events, "ch_3QcD1eFgHiJkLm1a");
    assert_eq!(usd["custom_data"]["value"], "45.99");
    assert_eq!(usd["event_time"], 1_795_183_509);
    assert_eq!(
        usd["user_data"]["em"][0],
        hash("em", None, "dora.vance@example.com")
    );
    assert_eq!(usd["user_data"]["ph"][0], hash("ph", None, "+16505550134"));
    assert_eq!(
        usd["user_data"]["external_id"][0],
        hash("external_id", None, "cus_T3cD4eF5gH6i")
    );
    // Zero decimals: 4500 is ¥4500, sent without decimals.
    let jpy = by_id(&events, "ch_3QcD2eFgHiJkLm2b");
    assert_eq!(jpy["custom_data"]["value"], "4500");
    assert_eq!(jpy["custom_data"]["currency"], "JPY");
    assert_eq!(
        jpy["user_data"]["em"][0],
        hash("em", None, "emi.tanaka@example.com")
    );
    // Three decimals.
    let kwd = by_id(&events, "ch_3QcD3eFgHiJkLm3c");
    assert_eq!(kwd["custom_data"]["value"], "12.340");
    assert_eq!(kwd["custom_data"]["currency"], "KWD");
}

#[test]
fn stripe_test_mode_charge_is_skipped_and_counted() {
    let (d, events) = run(0, &[&file("stripe/charge_test_mode.json")]);
    assert!(events.is_empty());
    d.stderr_has("skipped   1 (status_test 1)")
        .stderr_has("column `livemode`");
}

#[test]
fn stripe_payment_intent_with_expanded_charge() {
    let (_, events) = run(0, &[&file("stripe/payment_intent.json")]);
    let hal = by_id(&events, "pi_3QcD5eFgHiJkLm5e");
    assert_eq!(hal["custom_data"]["value"], "32.00");
    assert_eq!(hal["custom_data"]["currency"], "GBP");
    assert_eq!(
        hal["user_data"]["em"][0],
        hash("em", None, "hal.ewing@example.com")
    );
    assert_eq!(hal["user_data"]["ct"][0], hash("ct", None, "leeds"));
    assert_eq!(
        hal["user_data"]["external_id"][0],
        hash("external_id", None, "cus_T3cD4eF5gH8k")
    );
}

#[test]
fn stripe_checkout_session_list_page_with_line_items() {
    let (d, events) = run(0, &[&file("stripe/checkout_sessions_list.json")]);
    d.stderr_has("Stripe `checkout.session` objects")
        .stderr_has("read 2 records from 1 input: 2 orders")
        .stderr_has("skipped   1 (status_pending 1)");
    assert_eq!(events.len(), 1);
    let ines = by_id(&events, "cs_live_a1QcD6eFgHiJkLm6f");
    assert_eq!(ines["custom_data"]["value"], "54.00");
    assert_eq!(ines["custom_data"]["num_items"], 3);
    assert_eq!(
        ines["custom_data"]["content_ids"],
        serde_json::json!(["prod_NB001", "prod_AP002"])
    );
    assert_eq!(ines["custom_data"]["contents"][0]["item_price"], "15.00");
    assert_eq!(ines["custom_data"]["contents"][1]["item_price"], "20.00");
    assert_eq!(
        ines["user_data"]["em"][0],
        hash("em", None, "ines.ortiz@example.com")
    );
    assert_eq!(ines["user_data"]["st"][0], hash("st", None, "tx"));
}

#[test]
fn stripe_ndjson_and_concatenated_list_pages() {
    let (d, events) = run(0, &[&file("stripe/charges.ndjson")]);
    d.stderr_has("skipped   2 (status_failed 1, status_refunded 1)");
    assert_eq!(ids(&events), ["ch_3QcE1aBcDeFgHi1a", "ch_3QcE4aBcDeFgHi4d"]);
    assert_eq!(events[0]["custom_data"]["value"], "12.50");
    // A partial refund is a paid charge.
    assert_eq!(events[1]["custom_data"]["value"], "50.00");

    let (d, events) = run(0, &[&file("stripe/charges_pages.json")]);
    d.stderr_has("read 3 records from 1 input: 3 orders");
    assert_eq!(
        ids(&events),
        [
            "ch_3QcF1aBcDeFgHi1a",
            "ch_3QcF2aBcDeFgHi2b",
            "ch_3QcF3aBcDeFgHi3c"
        ]
    );
}

#[test]
fn bigcommerce_v2_orders() {
    let (d, events) = run(0, &[&file("bigcommerce/v2_orders.json")]);
    d.stderr_has("as bigcommerce json")
        .stderr_has("`status_id`")
        .stderr_has("read 7 records from 1 input: 7 orders")
        .stderr_has(
            "skipped   4 (status_cancelled 1, status_draft 1, status_pending 1, status_refunded 1)",
        )
        .stderr_lacks("warning:");
    assert_eq!(ids(&events), ["120", "121", "126"]);
    let sol = by_id(&events, "120");
    assert_eq!(sol["event_time"], 1_795_208_730);
    assert_eq!(sol["custom_data"]["value"], "107.95");
    assert_eq!(sol["custom_data"]["currency"], "USD");
    assert_eq!(sol["user_data"]["client_ip_address"], "198.51.100.23");
    assert_eq!(sol["user_data"]["st"][0], hash("st", None, "tx"));
    assert_eq!(sol["user_data"]["country"][0], hash("country", None, "us"));
    assert_eq!(
        sol["user_data"]["external_id"][0],
        hash("external_id", None, "17")
    );
    assert!(sol["custom_data"].get("contents").is_none());
    // A guest has no external_id.
    assert!(by_id(&events, "121")["user_data"]
        .get("external_id")
        .is_none());
    assert_eq!(by_id(&events, "126")["custom_data"]["currency"], "GBP");
    assert_eq!(by_id(&events, "126")["custom_data"]["value"], "75.50");
    // Value settings apply to its totals.
    let ex = pinconv([
        "build",
        "--max-age",
        "off",
        "--exclude-tax",
        &file("bigcommerce/v2_orders.json"),
    ])
    .code(0)
    .events();
    assert_eq!(by_id(&ex, "120")["custom_data"]["value"], "105.95");
}

#[test]
fn shopify_draft_orders_are_skipped_as_drafts() {
    let (d, events) = run(0, &[&file("shopify/draft_order.json")]);
    assert!(events.is_empty());
    d.stderr_has("draft orders")
        .stderr_has("skipped   1 (status_draft 1)");
    let (d, events) = run(0, &[&file("shopify/draft_orders.json")]);
    assert!(events.is_empty());
    d.stderr_has("read 2 records from 1 input: 2 orders")
        .stderr_has("skipped   2 (status_draft 2)");
}

/// The `event_time` `build` gives the first row of the CSV `text`, with `extra` options.
fn first_event_time(text: &str, extra: &[&str]) -> Value {
    let csv = temp_file(".csv", text);
    let mut args = vec!["build", "--max-age", "off"];
    args.extend_from_slice(extra);
    args.push(csv.path().to_str().unwrap());
    pinconv(args).code(0).events()[0]["event_time"].clone()
}

#[test]
fn a_time_column_behind_a_zone_qualifier() {
    let chicago = ["--timezone", "America/Chicago"];
    // `(GMT)` says the naive time is UTC, whatever the shop's zone.
    assert_eq!(
        first_event_time(
            "Order ID,Email,Order Date (GMT),Total,Currency\n1,a@example.com,2026-11-20 10:00,10,USD\n",
            &chicago,
        ),
        1_795_168_800
    );
    assert_eq!(
        first_event_time(
            "Order ID,Email,Date (local),Total,Currency\n1,a@example.com,2026-11-20 10:00,10,USD\n",
            &chicago,
        ),
        1_795_190_400
    );
    assert_eq!(
        first_event_time(
            "order,email,Created date (UTC),value,currency\n1,a@example.com,2026-11-20 10:00:00,10,USD\n",
            &[],
        ),
        1_795_168_800
    );
}

#[test]
fn check_json_answers_in_json_when_an_input_is_refused() {
    let csv = temp_file(".csv", "order_id,value,currency\n1,10,USD\n");
    let d = pinconv(["check", "--json", csv.path().to_str().unwrap()]).code(2);
    let v = d.json();
    assert_eq!(v["error"]["code"], "input_unmapped");
    assert_eq!(v["error"]["file"], csv.path().to_str().unwrap());
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no column of the header gives the customer's email"));
    assert!(v["error"]["hint"].as_str().unwrap().contains("[columns]"));
    assert_eq!(v["orders"], 0);
    d.stderr_has("error:");
    // A missing input, a broken config and a bad setting answer the same way.
    let d = pinconv(["check", "--json", "no/such/file.csv"]).code(2);
    assert_eq!(d.json()["error"]["code"], "input_unopenable");
    let toml = temp_file(".toml", "no_such_key = 1\n");
    let d = pinconv([
        "check",
        "--json",
        "--config",
        toml.path().to_str().unwrap(),
        csv.path().to_str().unwrap(),
    ])
    .code(2);
    let v = d.json();
    assert_eq!(v["error"]["code"], "config_invalid");
    assert_eq!(v["error"]["file"], toml.path().to_str().unwrap());
    let d = pinconv([
        "check",
        "--json",
        "--timezone",
        "Mars/Olympus",
        csv.path().to_str().unwrap(),
    ])
    .code(2);
    assert_eq!(d.json()["error"]["code"], "invalid_setting");
    // A JSON input that is not orders.
    let json = temp_file(".json", "42");
    let d = pinconv(["check", "--json", json.path().to_str().unwrap()]).code(2);
    assert_eq!(d.json()["error"]["code"], "input_shape");
    // Records read before a later input fails stay counted.
    let good = file("stripe/charges_pages.json");
    let d = pinconv([
        "check",
        "--json",
        "--max-age",
        "off",
        &good,
        csv.path().to_str().unwrap(),
    ])
    .code(2);
    let v = d.json();
    assert_eq!(v["error"]["code"], "input_unmapped");
    assert_eq!(v["events"], 3);
}

#[test]
fn send_report_holds_the_error_that_stopped_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let report_s = report.to_str().unwrap();
    let read = || read_json(&report);
    let csv = temp_file(".csv", "order_id,value,currency\n1,10,USD\n");
    pinconv([
        "send",
        "--dry-run",
        "--report",
        report_s,
        csv.path().to_str().unwrap(),
    ])
    .code(2)
    .stderr_has("no column of the header gives the customer's email");
    let v = read();
    assert_eq!(v["error"]["code"], "input_unmapped");
    assert_eq!(v["error"]["file"], csv.path().to_str().unwrap());
    assert_eq!(v["exit_code"], 2);
    // A broken config, before anything starts.
    pinconv([
        "send",
        "--dry-run",
        "--report",
        report_s,
        "--config",
        "no/such/pinconv.toml",
        csv.path().to_str().unwrap(),
    ])
    .code(2);
    assert_eq!(read()["error"]["code"], "config_unreadable");
    // No ad account for a real send.
    pinconv(["send", "--report", report_s, csv.path().to_str().unwrap()])
        .env("PINTEREST_ACCESS_TOKEN", "t")
        .code(2);
    assert_eq!(read()["error"]["code"], "no_ad_account");
    // A run that went through has no error member.
    pinconv([
        "send",
        "--dry-run",
        "--max-age",
        "off",
        "--report",
        report_s,
        &file("stripe/charges_pages.json"),
    ])
    .code(0);
    assert!(read().get("error").is_none());
}
