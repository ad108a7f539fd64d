//! Exports modelled on real ones (`tests/fixtures/real/`): WooCommerce's REST API (v3 and the
//! legacy API), its order-export plugins and Analytics download, and shop CSVs as Excel
//! writes them in other locales. Every order must be built, skipped or rejected, with the
//! right time, value, items and identifiers.

use serde_json::Value;

use crate::support::{by_id, hash, pinconv, temp_file, Done};

const WOO: &str = "tests/fixtures/real/woocommerce";
const GENERIC: &str = "tests/fixtures/real/generic";

fn build(args: &[&str]) -> (Done, Vec<Value>) {
    let mut a = vec!["build", "--max-age", "off"];
    a.extend_from_slice(args);
    let d = pinconv(&a).code(0);
    let events = d.events();
    (d, events)
}

#[test]
fn woo_rest_v3_orders() {
    let (d, events) = build(&[&format!("{WOO}/rest_v3_orders.json")]);
    d.stderr_has("as woocommerce json")
        .stderr_has("read 11 records from 1 input: 11 orders")
        .stderr_has("skipped   4 (status_cancelled 1, status_draft 2, status_failed 1)")
        .stderr_lacks("@example.com");
    assert_eq!(events.len(), 7);
    // date_created_gmt is UTC without a `Z`; date_created (Chicago) is six hours behind.
    let registered = by_id(&events, "7001");
    assert_eq!(registered["event_time"], 1_795_189_277); // 2026-11-20T15:41:17Z
    assert_eq!(registered["custom_data"]["value"], "111.95");
    assert_eq!(registered["custom_data"]["currency"], "USD");
    assert_eq!(registered["custom_data"]["num_items"], 4);
    // The API's float price (50.00 / 3) is rounded to cents.
    assert_eq!(
        registered["custom_data"]["contents"][1]["item_price"],
        "16.67"
    );
    assert_eq!(
        registered["user_data"]["external_id"][0],
        hash("external_id", None, "58")
    );
    assert_eq!(registered["user_data"]["st"][0], hash("st", None, "IL"));
    // The epik of the order-attribution landing URL.
    assert_eq!(registered["user_data"]["click_id"], "dj0yJnU9ZXhhbXBsZQ");
    // A guest (customer_id 0) has no external_id; a UK national number takes +44; a simple
    // product without SKU (variation_id 0) is identified by its product id.
    let guest = by_id(&events, "7002");
    assert!(guest["user_data"].get("external_id").is_none());
    assert_eq!(
        guest["user_data"]["ph"][0],
        hash("ph", None, "+44 113 496 0555")
    );
    assert_eq!(
        guest["user_data"]["em"][0],
        hash("em", None, "rowan.ellery@example.com")
    );
    assert_eq!(guest["custom_data"]["content_ids"][0], "240");
    // No customer_user_agent: the one order attribution kept.
    assert_eq!(
        guest["user_data"]["client_user_agent"],
        "Mozilla/5.0 (Android 15; Mobile) Firefox/144.0"
    );
    assert_eq!(guest["custom_data"]["currency"], "GBP");
    // Point of sale is offline; every event id is the order id.
    assert_eq!(by_id(&events, "7011")["action_source"], "offline");
    for e in &events {
        assert_eq!(e["event_id"], e["custom_data"]["order_id"]);
    }
    // Refunded and pending orders are skipped on request.
    let (_, events) = build(&[
        "--skip-status",
        "cancelled,failed,draft,refunded,pending",
        &format!("{WOO}/rest_v3_orders.json"),
    ]);
    let ids: Vec<&str> = events
        .iter()
        .map(|e| e["event_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["7001", "7002", "7010", "7011"]);
}

#[test]
fn woo_legacy_api_orders_are_woocommerce() {
    let (d, events) = build(&[&format!("{WOO}/legacy_v3_orders.json")]);
    d.stderr_has("as woocommerce json: order has the legacy WooCommerce API")
        .stderr_has("cancelled order (order `646`)");
    assert_eq!(events.len(), 2);
    let e = by_id(&events, "645");
    assert_eq!(e["event_time"], 1_795_204_821); // created_at 2026-11-20T20:00:21Z
    assert_eq!(e["user_data"]["client_ip_address"], "198.51.100.23");
    assert_eq!(e["user_data"]["zp"][0], hash("zp", None, "94103"));
    assert_eq!(e["custom_data"]["value"], "43.00");
    assert_eq!(e["custom_data"]["contents"][0]["item_price"], "21.50");
}

#[test]
fn webtoffee_packed_items() {
    let (d, events) = build(&[&format!("{WOO}/webtoffee_orders.csv")]);
    d.stderr_has("header has the WooCommerce order-export column `order_id`")
        .stderr_has("cancelled order (order `8103`)")
        .stderr_has("draft order (order `8104`)");
    assert_eq!(events.len(), 3);
    let e = by_id(&events, "8101");
    let contents = e["custom_data"]["contents"].as_array().unwrap();
    assert_eq!(contents.len(), 2, "{contents:?}");
    assert_eq!(contents[0]["item_name"], "Linen Napkins; Set of 4");
    assert_eq!(contents[0]["item_price"], "20.00");
    assert_eq!(contents[1]["id"], "302");
    assert_eq!(e["custom_data"]["value"], "95.00");
    assert_eq!(by_id(&events, "8102")["custom_data"]["value"], "1250.00");
}

#[test]
fn algolplus_rows_per_product() {
    let (d, events) = build(&[&format!("{WOO}/algolplus_orders.csv")]);
    d.stderr_has("header has the WooCommerce order-export column `Email (Billing)`")
        .stderr_has("cancelled order (order `9004`)")
        .stderr_has("read 5 records from 1 input: 4 orders");
    assert_eq!(events.len(), 3);
    let e = by_id(&events, "9001");
    assert_eq!(
        e["custom_data"]["content_ids"],
        serde_json::json!(["TEE-S", "CAP-1"])
    );
    assert_eq!(e["custom_data"]["value"], "70.00");
    assert_eq!(
        e["user_data"]["em"][0],
        hash("em", None, "quinn.abbott@example.com")
    );
    assert_eq!(e["user_data"]["country"][0], hash("country", None, "US"));
    // "Pending payment" and "On hold" are the labels of pending orders.
    let (_, events) = build(&[
        "--skip-status",
        "cancelled,pending",
        &format!("{WOO}/algolplus_orders.csv"),
    ]);
    assert_eq!(events.len(), 1);
}

#[test]
fn woo_analytics_download_is_refused_with_a_reason() {
    pinconv([
        "check",
        "--max-age",
        "off",
        &format!("{WOO}/analytics_orders.csv"),
    ])
    .code(2)
    .stderr_has("WooCommerce's Analytics > Orders download")
    .stderr_has("hint: export the orders with their billing details");
}

#[test]
fn excel_german_semicolon_windows_1252() {
    let (d, events) = build(&[
        "--config",
        &format!("{GENERIC}/excel_de_semicolon.toml"),
        &format!("{GENERIC}/excel_de_semicolon.csv"),
    ]);
    // Two rows of empty cells are not orders; `storniert` is a cancelled order.
    d.stderr_has("read 3 records from 1 input: 3 orders")
        .stderr_has("cancelled order (order `10003`)");
    assert_eq!(events.len(), 2);
    let e = by_id(&events, "10001");
    assert_eq!(e["event_time"], 1_795_179_900); // 20.11.2026 14:05 in Berlin
    assert_eq!(e["custom_data"]["value"], "1234.56");
    assert_eq!(e["user_data"]["country"][0], hash("country", None, "DE"));
    assert_eq!(e["user_data"]["ln"][0], hash("ln", None, "Müller"));
    assert_eq!(e["user_data"]["ph"][0], hash("ph", None, "+49 30 5550123"));
    assert_eq!(by_id(&events, "10002")["custom_data"]["value"], "89.90");
}

#[test]
fn excel_unicode_text_and_ambiguous_dates() {
    let input = format!("{GENERIC}/excel_unicode_text.txt");
    let (d, events) = build(&[&input]);
    // `20/11/2026` on line 2 shows the file writes day first, so `05/11/2026` on line 3 is
    // 5 November without a flag and without a guess.
    d.stderr_has("delimiter `tab`")
        .stderr_has("excel_unicode_text.txt` writes dates day first, as its date on line 2 shows")
        .stderr_has("warnings  2 (time_without_offset 2)");
    assert_eq!(by_id(&events, "U-1")["custom_data"]["value"], "59.90");
    assert_eq!(
        by_id(&events, "U-1")["user_data"]["fn"][0],
        hash("fn", None, "María")
    );
    assert_eq!(by_id(&events, "U-2")["event_time"], 1_793_895_600); // 5 November 16:20
    let (d, events) = build(&["--date-order", "dmy", &input]);
    d.stderr_lacks("ambiguous").stderr_lacks("writes dates");
    assert_eq!(by_id(&events, "U-2")["event_time"], 1_793_895_600);
}

#[test]
fn latin1_without_a_config_is_detected() {
    let (d, events) = build(&[&format!("{GENERIC}/latin1_no_config.csv")]);
    d.stderr_has("is not UTF-8; read as windows-1252 (detected)");
    let e = by_id(&events, "L-1");
    assert_eq!(e["user_data"]["fn"][0], hash("fn", None, "François"));
    assert_eq!(e["user_data"]["ct"][0], hash("ct", None, "Montréal"));
    assert_eq!(e["custom_data"]["value"], "75.00");
}

#[test]
fn report_title_quoted_headers_and_empty_rows() {
    let (d, events) = build(&[&format!("{GENERIC}/report_with_title.csv")]);
    d.stderr_has("read 2 records from 1 input: 2 orders");
    assert_eq!(events.len(), 2);
    assert_eq!(by_id(&events, "R-2")["custom_data"]["value"], "29.99");
    assert_eq!(by_id(&events, "R-1")["event_time"], 1_795_168_800);
}

#[test]
fn very_long_fields() {
    let (_, events) = build(&[&format!("{GENERIC}/long_fields.csv")]);
    assert_eq!(events.len(), 2);
}

#[test]
fn a_saved_wordpress_error_answer_is_not_an_order() {
    let f = temp_file(
        ".json",
        r#"{"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot list resources.","data":{"status":401}}"#,
    );
    pinconv(["check", "--max-age", "off", f.path().to_str().unwrap()])
        .code(2)
        .stderr_has("error answer of the WordPress REST API (`woocommerce_rest_cannot_view`)")
        .stderr_has("hint: fetch the orders again");
    let f = temp_file(".json", "[]");
    pinconv(["check", f.path().to_str().unwrap()])
        .code(0)
        .stderr_has("the input holds no orders");
}

#[test]
fn a_workbook_is_not_read_as_csv() {
    let f = temp_file(".csv", "PK\u{3}\u{4}\u{14}\u{0}[Content_Types].xml");
    pinconv(["check", f.path().to_str().unwrap()])
        .code(2)
        .stderr_has("this is a ZIP archive (an Excel `.xlsx` or OpenDocument workbook)")
        .stderr_has("save it as \"CSV UTF-8\"");
}

#[test]
fn algolplus_order_columns_on_the_first_row_only() {
    let (d, events) = build(&[&format!("{WOO}/algolplus_orders_first_row_only.csv")]);
    d.stderr_has("read 5 records from 1 input: 4 orders")
        .stderr_has("rejected  0");
    let e = by_id(&events, "9001");
    assert_eq!(
        e["custom_data"]["content_ids"],
        serde_json::json!(["TEE-S", "CAP-1"])
    );
    assert_eq!(e["custom_data"]["num_items"], 3);
}
