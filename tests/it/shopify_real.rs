//! Shopify exports as real shops hand them over: the current and an older admin CSV, the
//! same file after a round trip through Excel, REST API and webhook JSON, and GraphQL bulk
//! operation output. The fixtures are in `tests/fixtures/real/shopify/` (invented people).

use serde_json::Value;

use crate::support::{by_id, pinconv, temp_file};

const DIR: &str = "tests/fixtures/real/shopify/";

fn build(file: &str, extra: &[&str], code: i32) -> (Vec<Value>, String) {
    let path = format!("{DIR}{file}");
    let mut args = vec!["build", "--max-age", "off"];
    args.extend_from_slice(extra);
    args.push(&path);
    let d = pinconv(args).code(code);
    (d.events(), d.stderr)
}

fn ids(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["event_id"].as_str().unwrap())
        .collect()
}

#[test]
fn current_admin_export_accounts_for_every_order() {
    let (events, stderr) = build("orders_export_2026.csv", &[], 0);
    assert!(
        stderr.contains("read 13 records from 1 input: 11 orders"),
        "{stderr}"
    );
    assert!(
        stderr.contains("skipped   2 (status_cancelled 1, status_voided 1)"),
        "{stderr}"
    );
    assert!(!stderr.contains("@example.com"), "{stderr}");
    assert!(stderr.contains("warnings  0"), "{stderr}");
    assert_eq!(events.len(), 9);
    // Times carry the shop's offset (`-0500`), whoever the buyer.
    assert_eq!(by_id(&events, "5901100000001")["event_time"], 1_794_837_911);
    assert_eq!(by_id(&events, "5901100000002")["event_time"], 1_794_872_400);
    assert_eq!(by_id(&events, "5901100000003")["event_time"], 1_794_863_700);
    assert_eq!(by_id(&events, "5901100000010")["event_time"], 1_795_195_200);
    let two = by_id(&events, "5901100000001");
    assert_eq!(two["custom_data"]["value"], "63.58");
    assert_eq!(two["custom_data"]["num_items"], 3);
    assert_eq!(
        two["custom_data"]["content_ids"],
        serde_json::json!(["NB-DOT", "PC-BRS"])
    );
    assert_eq!(two["custom_data"]["contents"][1]["item_price"], "18.00");
    assert_eq!(two["custom_data"]["contents"][1]["quantity"], 2);
    for k in ["em", "ph", "fn", "ln", "ct", "st", "zp", "country"] {
        assert!(two["user_data"][k].is_array(), "{k} missing");
    }
    // Point of sale is offline; the app channel (numeric source) and drafts are web.
    assert_eq!(by_id(&events, "5901100000005")["action_source"], "offline");
    assert_eq!(by_id(&events, "5901100000009")["action_source"], "web");
    assert_eq!(
        by_id(&events, "5901100000010")["custom_data"]["currency"],
        "EUR"
    );
}

#[test]
fn excel_rounded_ids_fall_back_to_the_order_name() {
    let (events, stderr) = build(
        "excel_uk_dmy.csv",
        &["--timezone", "America/New_York", "--date-order", "dmy"],
        0,
    );
    assert_eq!(events.len(), 9);
    // Before: every order shared the event id `5.9011E+12` and Pinterest kept one of them.
    assert_eq!(
        ids(&events),
        ["#2001", "#2002", "#2003", "#2005", "#2007", "#2008", "#2009", "#2010", "#2011"]
    );
    assert!(
        stderr.contains("warnings  11 (invalid_phone 2, mangled_order_id 9)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("rounded by a spreadsheet to scientific notation"),
        "{stderr}"
    );
    assert!(!stderr.contains("duplicate_event_id"), "{stderr}");
    // `--order-id id` cannot be honoured: those orders are rejected, skipped ones stay skipped.
    let path = format!("{DIR}excel_uk_dmy.csv");
    pinconv(["check", "-q", "--max-age", "off", "--order-id", "id", &path])
        .code(1)
        .stderr_has("rejected  9 (mangled_order_id 9)")
        .stderr_has("skipped   2");
}

/// The Excel re-saves, read with the shop's zone and date order, give the instants of the
/// original export (Excel keeps minutes, not seconds).
#[test]
fn excel_resaves_match_the_original_times_with_zone_and_date_order() {
    let (original, _) = build("orders_export_2026.csv", &[], 0);
    let times = |events: &[Value]| -> Vec<i64> {
        events
            .iter()
            .map(|e| e["event_time"].as_i64().unwrap())
            .collect()
    };
    let want = times(&original);
    for (file, extra) in [
        ("excel_uk_dmy.csv", vec!["--date-order", "dmy"]),
        ("excel_de_semicolon_bom.csv", vec!["--decimal-comma"]),
        (
            "excel_us_windows1252.csv",
            vec!["--encoding", "windows-1252", "--date-order", "mdy"],
        ),
    ] {
        let mut args = vec!["--timezone", "America/New_York"];
        args.extend(extra);
        let (events, stderr) = build(file, &args, 0);
        assert!(!stderr.contains("time_without_offset"), "{stderr}");
        assert!(!stderr.contains("ambiguous_date"), "{stderr}");
        let got = times(&events);
        assert_eq!(got.len(), want.len(), "{file}");
        for (g, w) in got.iter().zip(&want) {
            assert!((w - g).abs() < 60, "{file}: {g} vs {w}");
        }
        let values: Vec<&str> = events
            .iter()
            .map(|e| e["custom_data"]["value"].as_str().unwrap())
            .collect();
        assert_eq!(values[..3], ["63.58", "33.50", "90.00"], "{file}");
    }
}

#[test]
fn excel_times_without_offset_or_with_ambiguous_dates_warn() {
    // No zone given: the shop's `-0500` is gone and UTC would be hours off.
    let (_, stderr) = build("excel_uk_dmy.csv", &[], 0);
    assert!(
        stderr.contains("column `Created at`: the time has no UTC offset"),
        "{stderr}"
    );
    assert!(stderr.contains("time_without_offset 9"), "{stderr}");
    // `05/11/2026` is 5 November in this file, as its other dates show: read day first
    // without `--date-order`, and no guess to warn about.
    assert!(
        stderr.contains("excel_uk_dmy.csv` writes dates day first, as its date on line 2 shows"),
        "{stderr}"
    );
    assert!(!stderr.contains("ambiguous_date"), "{stderr}");
    // The API and the unedited export carry offsets: no such warning there.
    let (_, stderr) = build("orders_export_2026.csv", &[], 0);
    assert!(!stderr.contains("time_without_offset"), "{stderr}");
}

#[test]
fn a_rounded_phone_is_named_as_such() {
    let f = temp_file(
        ".csv",
        "Name,Email,Financial Status,Created at,Total,Currency,Phone,Billing Country\n\
         #1,a@example.com,paid,2026-11-20 10:00:00 -0500,5.00,USD,1.20156E+10,US\n",
    );
    pinconv(["check", "--max-age", "off", f.path().to_str().unwrap()])
        .code(0)
        .stderr_has("column `Phone`: not a phone number: a spreadsheet rounded it")
        .stderr_lacks("1.20156");
}

#[test]
fn bulk_operation_line_items_join_their_order_grouped_or_not() {
    for file in ["bulk_orders_grouped.jsonl", "bulk_orders_ungrouped.jsonl"] {
        let (events, stderr) = build(file, &[], 0);
        // Before: each line item line was taken for an order and rejected for lack of a time.
        assert!(stderr.contains("as shopify ndjson"), "{stderr}");
        // Every line is a record: 3 orders and their 4 line items.
        assert!(
            stderr.contains("read 7 records from 1 input: 3 orders"),
            "{stderr}"
        );
        assert!(stderr.contains("skipped   1 (status_voided 1)"), "{stderr}");
        assert!(stderr.contains("rejected  0"), "{stderr}");
        assert_eq!(ids(&events), ["5901300000001", "5901300000003"], "{file}");
        let first = by_id(&events, "5901300000001");
        assert_eq!(first["event_time"], 1_794_924_309);
        assert_eq!(first["custom_data"]["value"], "58.40");
        assert_eq!(first["custom_data"]["currency"], "USD");
        assert_eq!(first["custom_data"]["num_items"], 3);
        assert_eq!(
            first["custom_data"]["content_ids"],
            serde_json::json!(["VS-S"])
        );
        let vase = first["custom_data"]["contents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "VS-S")
            .unwrap();
        assert_eq!(vase["item_price"], "20.00");
        assert_eq!(vase["quantity"], 2);
        for k in [
            "em",
            "ph",
            "fn",
            "ln",
            "ct",
            "st",
            "zp",
            "country",
            "external_id",
        ] {
            assert!(first["user_data"][k].is_array(), "{k} missing in {file}");
        }
        // The customer gid hashes as its numeric REST id.
        let d = pinconv(["hash", "--field", "external_id", "7101300000001"]).code(0);
        let want = d.stdout.trim().split('\t').nth(1).unwrap().to_owned();
        assert_eq!(first["user_data"]["external_id"][0], want.as_str());
        assert_eq!(by_id(&events, "5901300000003")["action_source"], "offline");
    }
}

#[test]
fn a_bulk_line_item_without_its_order_is_reported() {
    let f = temp_file(
        ".jsonl",
        "{\"id\":\"gid://shopify/Order/1\",\"email\":\"a@example.com\",\"createdAt\":\"2026-11-20T10:00:00Z\",\"totalPriceSet\":{\"shopMoney\":{\"amount\":\"5.0\",\"currencyCode\":\"USD\"}}}\n\
         {\"id\":\"gid://shopify/LineItem/9\",\"sku\":\"A\",\"quantity\":1,\"__parentId\":\"gid://shopify/Order/2\"}\n",
    );
    pinconv(["check", "--max-age", "off", f.path().to_str().unwrap()])
        .code(1)
        .stderr_has(":2: column `__parentId`: this line belongs to `gid://shopify/Order/2`, which is not earlier in the input")
        .stderr_has("built     1 event");
}

#[test]
fn a_saved_graphql_response_is_read_as_its_orders() {
    let f = temp_file(
        ".json",
        r##"{"data": {"orders": {"edges": [
  {"node": {"id": "gid://shopify/Order/11", "name": "#11", "email": "a@example.com",
    "createdAt": "2026-11-20T10:00:00Z", "displayFinancialStatus": "PAID",
    "totalPriceSet": {"shopMoney": {"amount": "12.5", "currencyCode": "CAD"}},
    "lineItems": {"edges": [{"node": {"sku": "A-1", "quantity": 1,
      "originalUnitPriceSet": {"shopMoney": {"amount": "12.5", "currencyCode": "CAD"}}}}]}}},
  {"node": {"id": "gid://shopify/Order/12", "name": "#12", "email": "b@example.com",
    "createdAt": "2026-11-20T11:00:00Z", "displayFinancialStatus": "REFUNDED", "test": true,
    "totalPriceSet": {"shopMoney": {"amount": "3.0", "currencyCode": "CAD"}},
    "lineItems": {"nodes": []}}}
]}}, "extensions": {"cost": {"requestedQueryCost": 12}}}"##,
    );
    // Before: the whole response was taken for one order without a time.
    let d = pinconv(["build", "--max-age", "off", f.path().to_str().unwrap()]).code(0);
    d.stderr_has("as shopify json")
        .stderr_has("2 orders")
        .stderr_has("skipped   1 (status_test 1)");
    let events = d.events();
    assert_eq!(ids(&events), ["11"]);
    assert_eq!(events[0]["custom_data"]["value"], "12.50");
    assert_eq!(events[0]["custom_data"]["currency"], "CAD");
    assert_eq!(
        events[0]["custom_data"]["content_ids"],
        serde_json::json!(["A-1"])
    );
}

#[test]
fn an_empty_orders_page_says_so() {
    // Shopify answers a page past the last one, or a day without orders, with `{"orders":[]}`.
    let f = temp_file(".json", "{\"orders\":[]}\n");
    pinconv(["check", "--max-age", "off", f.path().to_str().unwrap()])
        .code(0)
        .stderr_has("the input holds no orders")
        .stderr_lacks("already-built events");
}

#[test]
fn rest_api_orders_with_nulls_presentment_currency_and_channels() {
    let (events, stderr) = build("rest_orders.json", &[], 0);
    assert!(stderr.contains("7 orders"), "{stderr}");
    assert!(
        stderr.contains("skipped   3 (status_cancelled 1, status_test 1, status_voided 1)"),
        "{stderr}"
    );
    assert!(stderr.contains("warnings  0"), "{stderr}");
    assert_eq!(
        ids(&events),
        [
            "5901200000001",
            "5901200000002",
            "5901200000006",
            "5901200000007"
        ]
    );
    // `+05:30`; `email` empty so `contact_email`; the epik from `landing_site`.
    let india = by_id(&events, "5901200000001");
    assert_eq!(india["event_time"], 1_794_843_605);
    assert!(india["user_data"]["em"].is_array());
    assert_eq!(india["user_data"]["click_id"], "dj0yJnU9aW52ZW50ZWQ");
    // Shop money, not the presentment currency nor the refunded current total.
    let draft = by_id(&events, "5901200000002");
    assert_eq!(draft["custom_data"]["currency"], "USD");
    assert_eq!(draft["custom_data"]["value"], "108.00");
    // A custom item (no product, variant or SKU) is counted without an id.
    assert!(draft["custom_data"].get("content_ids").is_none());
    assert_eq!(draft["custom_data"]["contents"][0]["quantity"], 2);
    // `customer` and `billing_address` null: the shipping address still gives the location.
    assert!(draft["user_data"]["zp"].is_array());
    // Point of sale without addresses: offline, and the customer's phone takes the country of
    // the customer's default address.
    let pos = by_id(&events, "5901200000006");
    assert_eq!(pos["action_source"], "offline");
    let d = pinconv(["hash", "--field", "ph", "+12125550163"]).code(0);
    let want = d.stdout.trim().split('\t').nth(1).unwrap().to_owned();
    assert_eq!(pos["user_data"]["ph"][0], want.as_str());
}

#[test]
fn webhook_payloads_and_single_orders() {
    let all: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{DIR}rest_orders.json")).unwrap())
            .unwrap();
    let order = &all["orders"][0];
    // `orders/create` and `orders/paid` deliver the bare order; `GET /orders/{id}.json` wraps
    // it in `order`; a file of webhook bodies has one per line.
    for (ext, text) in [
        (".json", order.to_string()),
        (".json", serde_json::json!({ "order": order }).to_string()),
        (".ndjson", format!("{order}\n{}\n", all["orders"][1])),
    ] {
        let f = temp_file(ext, &text);
        let d = pinconv(["build", "--max-age", "off", f.path().to_str().unwrap()]).code(0);
        d.stderr_has("as shopify");
        assert_eq!(d.events()[0]["event_id"], "5901200000001");
    }
}

#[test]
fn legacy_export_without_the_newer_columns() {
    let (events, stderr) = build("orders_export_legacy.csv", &[], 0);
    assert!(stderr.contains("as shopify csv"), "{stderr}");
    assert!(stderr.contains("warnings  0"), "{stderr}");
    assert_eq!(
        ids(&events),
        ["5901100000001", "5901100000002", "5901100000003"]
    );
    assert_eq!(
        by_id(&events, "5901100000001")["custom_data"]["num_items"],
        3
    );
}
