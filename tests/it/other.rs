//! Order exports of other shop systems (`tests/fixtures/real/other/`), read without a config:
//! Squarespace as a Shopify-style CSV, BigCommerce, Magento, Ecwid and Wix through the generic
//! preset's qualified names, and Etsy and PrestaShop refused with one message saying why.

use serde_json::Value;

use crate::support::{by_id, hash, pinconv, Done};

const OTHER: &str = "tests/fixtures/real/other";

fn build(file: &str) -> (Done, Vec<Value>) {
    let d = pinconv(["build", "--max-age", "off", &format!("{OTHER}/{file}")]).code(0);
    let events = d.events();
    (d, events)
}

#[test]
fn squarespace_orders_csv() {
    let (d, events) = build("squarespace_orders.csv");
    d.stderr_has("as shopify csv")
        .stderr_has("(Squarespace's orders export)")
        .stderr_has("read 5 records from 1 input: 4 orders")
        .stderr_has("skipped   1 (status_cancelled 1)")
        .stderr_lacks("@example.com");
    assert_eq!(events.len(), 3);
    // Two rows, one order, keyed by `Order ID`; `-0500` honoured.
    let two = by_id(&events, "00231");
    assert_eq!(two["event_time"], 1_795_201_509); // 2026-11-20T19:05:09Z
    assert_eq!(two["custom_data"]["value"], "58.79");
    assert_eq!(two["custom_data"]["num_items"], 3);
    assert_eq!(
        two["custom_data"]["content_ids"],
        serde_json::json!(["SQ-TOWEL-01", "SQ-MUG-02"])
    );
    assert_eq!(
        two["user_data"]["ph"][0],
        hash("ph", Some("US"), "(503) 555-0142")
    );
    assert_eq!(two["user_data"]["ln"][0], hash("ln", None, "Tollefson"));
    let uk = by_id(&events, "00234");
    assert_eq!(uk["custom_data"]["currency"], "GBP");
    assert_eq!(uk["user_data"]["zp"][0], hash("zp", None, "LS1 4AP"));
    // A paid order not yet shipped (`Fulfillment Status` `PENDING`) is not a pending payment.
    pinconv([
        "check",
        "--max-age",
        "off",
        "--skip-status",
        "cancelled,pending",
        &format!("{OTHER}/squarespace_orders.csv"),
    ])
    .code(0)
    .stderr_has("built     3 events")
    .stderr_has("skipped   1 (status_cancelled 1)");
}

#[test]
fn bigcommerce_default_export() {
    let (d, events) = build("bigcommerce_orders.csv");
    d.stderr_has("as generic csv")
        .stderr_has("read 5 records from 1 input: 5 orders")
        .stderr_has("skipped   3 (status_cancelled 1, status_draft 1, status_failed 1)")
        .stderr_has("no_time_of_day")
        .stderr_lacks("@example.com");
    assert_eq!(events.len(), 2);
    let e = by_id(&events, "118");
    // `Order Total (inc tax)`, not `(ex tax)`; `$` and the currency code column.
    assert_eq!(e["custom_data"]["value"], "98.50");
    assert_eq!(e["custom_data"]["currency"], "USD");
    assert_eq!(e["event_time"], 1_795_132_800); // 11/20/2026, midnight UTC
    assert_eq!(e["user_data"]["fn"][0], hash("fn", None, "Priya"));
    assert_eq!(e["user_data"]["ct"][0], hash("ct", None, "Austin"));
    assert_eq!(e["user_data"]["st"][0], hash("st", None, "Texas"));
    assert_eq!(e["user_data"]["country"][0], hash("country", None, "us"));
    // `Billing Country` gives the national phone number its country.
    assert_eq!(
        e["user_data"]["ph"][0],
        hash("ph", Some("US"), "512-555-0148")
    );
    assert_eq!(
        e["user_data"]["external_id"][0],
        hash("external_id", None, "41")
    );
    // The packed `Product Details` column gives the items.
    assert_eq!(e["custom_data"]["num_items"], 3);
    assert_eq!(
        e["custom_data"]["content_ids"],
        serde_json::json!(["CND-SOY-8", "DIF-REED"])
    );
    assert_eq!(e["custom_data"]["contents"][0]["item_price"], "22.00");
    let comma = by_id(&events, "119");
    assert_eq!(
        comma["custom_data"]["contents"][0]["item_name"],
        "Matches, Gift Box"
    );
}

#[test]
fn magento_admin_grid_export() {
    let (d, events) = build("magento_order_grid.csv");
    d.stderr_has("read 4 records from 1 input: 4 orders")
        .stderr_has("skipped   1 (status_cancelled 1)")
        .stderr_has("missing_currency")
        .stderr_lacks("@example.com");
    assert_eq!(events.len(), 3);
    let e = by_id(&events, "000000412");
    // `Grand Total (Base)`, `Nov 20, 2026 2:05:09 PM`, `Bill-to Name` split.
    assert_eq!(e["custom_data"]["value"], "1204.50");
    assert_eq!(e["event_time"], 1_795_183_509);
    assert_eq!(e["user_data"]["fn"][0], hash("fn", None, "Hollis"));
    assert_eq!(e["user_data"]["ln"][0], hash("ln", None, "Vantreight"));
    // With `--skip-status refunded`, Magento's `Closed` (refunded) order is skipped too.
    pinconv([
        "check",
        "--max-age",
        "off",
        "--skip-status",
        "cancelled,refunded",
        &format!("{OTHER}/magento_order_grid.csv"),
    ])
    .code(0)
    .stderr_has("skipped   2 (status_cancelled 1, status_refunded 1)");
}

#[test]
fn ecwid_and_wix_exports() {
    let (d, events) = build("ecwid_orders.csv");
    d.stderr_has("skipped   1 (status_cancelled 1)")
        .stderr_has("column `payment_status`: cancelled order");
    let e = by_id(&events, "1047");
    assert_eq!(e["event_time"], 1_795_179_909); // 14:05:09 +0100
    assert_eq!(e["custom_data"]["currency"], "EUR");
    assert_eq!(e["user_data"]["zp"][0], hash("zp", None, "1011 AB"));
    assert_eq!(e["user_data"]["ph"][0], hash("ph", None, "+31 20 555 0123"));
    assert_eq!(events.len(), 2);

    // Wix: `Date` and `Time` in two columns, two rows of one order.
    let (d, events) = build("wix_orders.csv");
    d.stderr_has("read 3 records from 1 input: 2 orders");
    let e = by_id(&events, "10021");
    assert_eq!(e["event_time"], 1_795_183_500); // Nov 20, 2026 2:05 PM
    assert_eq!(e["custom_data"]["num_items"], 2);
    assert_eq!(
        e["user_data"]["em"][0],
        hash("em", None, "noor.castellan@example.com")
    );
    // A refunded order is built (the default skips keep refunds), its status read from `Payment`.
    pinconv([
        "check",
        "--max-age",
        "off",
        "--skip-status",
        "refunded",
        &format!("{OTHER}/wix_orders.csv"),
    ])
    .code(0)
    .stderr_has("column `Payment`: refunded order");
}

#[test]
fn exports_without_an_email_are_refused_with_one_message() {
    let d = pinconv([
        "check",
        "--max-age",
        "off",
        &format!("{OTHER}/etsy_sold_orders.csv"),
    ])
    .code(2);
    d.stderr_has("no column of the header gives the customer's email")
        .stderr_has("Etsy's sold-orders export (EtsySoldOrders) has no buyer email")
        .stderr_has("[columns] email = ")
        .stderr_lacks("Ashcombe");
    assert_eq!(d.stderr.matches("error:").count(), 1, "{}", d.stderr);
    pinconv([
        "check",
        "--max-age",
        "off",
        &format!("{OTHER}/prestashop_orders.csv"),
    ])
    .code(2)
    .stderr_has("PrestaShop's order list export")
    .stderr_lacks("Fontaine");
}
