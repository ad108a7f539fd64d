//! Tests of whole orders through [`super::build`]: the steps together, as the pipeline runs them.

use std::sync::Arc;

use super::*;
use crate::config::{self, MaxAge, OrderIdSource, ProductIdSource};
use crate::map::{Cell, Item, Key};
use crate::template::Template;

fn settings() -> Settings {
    Settings {
        preset: None,
        columns: Vec::new(),
        event_name: "checkout".into(),
        action_source: None,
        default_country: None,
        timezone: jiff::tz::TimeZone::UTC,
        timezone_name: "UTC".into(),
        timezone_set: false,
        max_age: MaxAge::Off,
        since: None,
        until: None,
        event_id_template: Template::parse("{order_id}").unwrap(),
        partner_name: None,
        order_id: OrderIdSource::Auto,
        product_id: ProductIdSource::Auto,
        exclude_sources: Vec::new(),
        skip_statuses: ["test", "voided", "cancelled", "failed", "draft"]
            .map(str::to_owned)
            .to_vec(),
        skip_statuses_chosen: false,
        exclude_tax: false,
        exclude_shipping: false,
        deduct_discounts: true,
        decimal_comma: false,
        date_format: None,
        date_order: config::DateOrder::Mdy,
        date_order_set: false,
        now: 1_795_400_000,
        id_fallback: true,
        web_checkout: false,
    }
}

fn cell(v: &str) -> Cell {
    Cell {
        value: v.into(),
        column: "c",
        line: 2,
    }
}

fn order(fields: &[(Key, &str)], items: Vec<Item>) -> Order {
    Order {
        file: Arc::from("t"),
        line: 2,
        end_line: 2,
        preset: crate::map::Preset::Woocommerce,
        fields: fields.iter().map(|(k, v)| (*k, cell(v))).collect(),
        items,
        group: None,
        repeat: false,
        same_key: None,
        derive_event_id: false,
    }
}

fn built(o: &Order) -> serde_json::Value {
    match build(o, &settings()) {
        Outcome::Built(b) => serde_json::from_str(&b.json).unwrap(),
        other => panic!("{other:?}"),
    }
}

/// Builds `o`, which must build, and tells whether it warned with `code`.
fn warned(o: &Order, s: &Settings, code: &str) -> bool {
    match build(o, s) {
        Outcome::Built(b) => b.warnings.iter().any(|w| w.code == code),
        other => panic!("{other:?}"),
    }
}

const BASE: &[(Key, &str)] = &[
    (Key::OrderId, "7"),
    (Key::EventTime, "2026-11-20T10:00:00Z"),
    (Key::Email, "a@example.com"),
    (Key::Total, "10.00"),
];

#[test]
fn a_rounded_order_id_and_the_order_id_source() {
    let mut fields = BASE.to_vec();
    fields[0] = (Key::OrderId, "5.9011E+12");
    fields.push((Key::OrderName, "#2001"));
    fields.push((Key::Currency, "USD"));
    let o = order(&fields, Vec::new());
    let codes = |s: &Settings| match build(&o, s) {
        Outcome::Built(b) => (
            b.event_id.clone(),
            b.warnings.iter().map(|w| w.code).collect::<Vec<_>>(),
        ),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        codes(&settings()),
        ("#2001".to_owned(), vec!["mangled_order_id"])
    );
    // The hint's advice, `--order-id name`, builds the order without a word.
    let by_name = Settings {
        order_id: OrderIdSource::Name,
        ..settings()
    };
    assert_eq!(codes(&by_name), ("#2001".to_owned(), vec![]));
    let by_id = Settings {
        order_id: OrderIdSource::Id,
        ..settings()
    };
    assert!(matches!(build(&o, &by_id), Outcome::Rejected(_)));
}

#[test]
fn variation_id_zero_falls_back_to_the_product_id() {
    let item = vec![
        (Key::ItemProductId, cell("240")),
        (Key::ItemVariantId, cell("0")),
        (Key::ItemQuantity, cell("1")),
    ];
    let e = built(&order(BASE, vec![item]));
    assert_eq!(e["custom_data"]["content_ids"], serde_json::json!(["240"]));
    assert_eq!(e["custom_data"]["contents"][0]["id"], "240");
}

#[test]
fn ambiguous_slash_dates_warn_unless_the_order_is_set() {
    let mut fields = BASE.to_vec();
    fields[1] = (Key::EventTime, "05/11/2026 09:00");
    let o = order(&fields, Vec::new());
    assert!(warned(&o, &settings(), "ambiguous_date"));
    let set = Settings {
        date_order: config::DateOrder::Dmy,
        date_order_set: true,
        ..settings()
    };
    let Outcome::Built(b) = build(&o, &set) else {
        panic!("not built")
    };
    assert!(!b.warnings.iter().any(|w| w.code == "ambiguous_date"));
    assert_eq!(b.event_time, 1_793_869_200); // 2026-11-05T09:00:00Z
    fields[1] = (Key::EventTime, "13/11/2026 09:00");
    assert!(!warned(
        &order(&fields, Vec::new()),
        &settings(),
        "ambiguous_date"
    ));
}

#[test]
fn item_prices_follow_the_currency_s_minor_unit() {
    let item = |price: &str| {
        vec![
            (Key::ItemSku, cell("C-2")),
            (Key::ItemPrice, cell(price)),
            (Key::ItemQuantity, cell("3")),
        ]
    };
    let mut fields = BASE.to_vec();
    fields.push((Key::Currency, "USD"));
    let e = built(&order(&fields, vec![item("16.666666666666668")]));
    assert_eq!(e["custom_data"]["contents"][0]["item_price"], "16.67");
    let e = built(&order(&fields, vec![item("16.6650000")]));
    assert_eq!(e["custom_data"]["contents"][0]["item_price"], "16.67");
    // Every price follows the currency's minor unit (#11 item 10), half away from zero.
    let e = built(&order(&fields, vec![item("0.125")]));
    assert_eq!(e["custom_data"]["contents"][0]["item_price"], "0.13");
    let e = built(&order(&fields, vec![item("12.3456")]));
    assert_eq!(e["custom_data"]["contents"][0]["item_price"], "12.35");
    fields.pop();
    fields.push((Key::Currency, "JPY"));
    let e = built(&order(&fields, vec![item("333.33333333333337")]));
    assert_eq!(e["custom_data"]["contents"][0]["item_price"], "333");
    fields.pop();
    fields.push((Key::Currency, "KWD"));
    let e = built(&order(&fields, vec![item("5.12")]));
    assert_eq!(e["custom_data"]["contents"][0]["item_price"], "5.120");
    // Without a currency, as read.
    fields.pop();
    let e = built(&order(&fields, vec![item("0.125")]));
    assert_eq!(e["custom_data"]["contents"][0]["item_price"], "0.125");
}

#[test]
fn dot_thousands_amounts_warn_without_decimal_comma() {
    let mut fields = BASE.to_vec();
    fields[3] = (Key::Total, "1.234");
    assert!(warned(
        &order(&fields, Vec::new()),
        &settings(),
        "ambiguous_amount"
    ));
    fields.push((Key::Currency, "KWD"));
    assert!(!warned(
        &order(&fields, Vec::new()),
        &settings(),
        "ambiguous_amount"
    ));
}

#[test]
fn decimal_comma_quantities() {
    let item = |q: &str| {
        vec![
            (Key::ItemSku, cell("A")),
            (Key::ItemPrice, cell("5,00")),
            (Key::ItemQuantity, cell(q)),
        ]
    };
    let e = built(&order(BASE, vec![item("2,00"), item("3")]));
    assert_eq!(e["custom_data"]["num_items"], 5);
    assert_eq!(e["custom_data"]["contents"][0]["quantity"], 2);
    let o = order(BASE, vec![item("2,5")]);
    assert!(warned(&o, &settings(), "invalid_quantity"));
}
