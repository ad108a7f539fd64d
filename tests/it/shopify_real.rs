//! Shopify exports as real shops hand them over: the current and an older admin CSV, the
//! same file after a round trip through Excel, REST API and webhook JSON, and GraphQL bulk
//! operation output. The fixtures are in `tests/fixtures/real/shopify/` (invented people).

use serde_json::Value;

use crate::support::pinconv;

const DIR: &str = "tests/fixtures/real/shopify/";

fn build(file: &str, extra: &[&str], code: i32) -> (Vec<Value>, String) {
    let path = format!("{DIR}{file}");
    let mut args = vec!["build", "--max-age", "off"];
    args.extend_from_slice(extra);
    args.push(&path);
    let d = pinconv(args).code(code);
    (d.events(), d.stderr)
}

fn by_id<'a>(events: &'a [Value], id: &str) -> &'a Value {
    events
        .iter()
        .find(|e| e["event_id"] == id)
        .unwrap_or_else(|| panic!("no event `{id}`"))
}

#[test]
fn current_admin_export_accounts_for_every_order() {
    let (events, stderr) = build("orders_export_2026.csv", &[], 0);
    assert!(stderr.contains("read 12 records from 1 input: 10 orders"), "{stderr}");
    assert!(stderr.contains("skipped   2 (status_cancelled 1, status_voided 1)"), "{stderr}");
    assert!(!stderr.contains("@example.com"), "{stderr}");
    assert_eq!(events.len(), 8);
    // `-0500`, `+0000`, `+1100` and `+0100` offsets all land on the right instant.
    assert_eq!(by_id(&events, "5901100000001")["event_time"], 1_794_837_911);
    assert_eq!(by_id(&events, "5901100000002")["event_time"], 1_794_872_400);
    assert_eq!(by_id(&events, "5901100000003")["event_time"], 1_794_863_700);
    assert_eq!(by_id(&events, "5901100000010")["event_time"], 1_795_195_200);
    let two = by_id(&events, "5901100000001");
    assert_eq!(two["custom_data"]["value"], "63.58");
    assert_eq!(two["custom_data"]["num_items"], 3);
    assert_eq!(two["custom_data"]["content_ids"], serde_json::json!(["NB-DOT", "PC-BRS"]));
    assert_eq!(two["custom_data"]["contents"][1]["item_price"], "18.00");
    assert_eq!(two["custom_data"]["contents"][1]["quantity"], 2);
    for k in ["em", "ph", "fn", "ln", "ct", "st", "zp", "country"] {
        assert!(two["user_data"][k].is_array(), "{k} missing");
    }
    // Point of sale is offline; the app channel (numeric source) and drafts are web.
    assert_eq!(by_id(&events, "5901100000005")["action_source"], "offline");
    assert_eq!(by_id(&events, "5901100000009")["action_source"], "web");
    assert_eq!(by_id(&events, "5901100000010")["custom_data"]["currency"], "EUR");
}
