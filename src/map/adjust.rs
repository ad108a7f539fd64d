//! What a preset's column table cannot say by itself: Stripe's amounts in minor units and its
//! `livemode`/`refunded` flags, BigCommerce's numeric `status_id`, Shopify's draft orders, and
//! the `;`-separated item columns of Meta's uploader layout. A derived value is a [`Cell`]
//! naming the field it came from, so a problem still points at the input.

use serde_json::Value;

use super::preset::is_shopify_draft;
use super::{Cell, Item, Key, Order, Preset};
use crate::money;

/// Stripe fields holding an integer amount in the currency's minor units.
const STRIPE_MINOR_UNITS: &[&str] = &[
    "amount_total",
    "amount_received",
    "amount",
    "line_items.data[].price.unit_amount",
];

/// Adjusts an order mapped from the JSON object `value` by its preset's rules.
pub fn json(preset: Preset, value: &Value, order: &mut Order) {
    match preset {
        Preset::Stripe => stripe(value, order),
        Preset::Bigcommerce => bigcommerce(value, order),
        Preset::Shopify if is_shopify_draft(value) => {
            let column = if value.get("invoice_url").is_some() {
                "invoice_url"
            } else {
                "name"
            };
            let cell = derived(order, "draft", column);
            order.fields.insert_first(Key::Status, cell);
        }
        _ => {}
    }
}

/// Whether [`row`] changes a row of `preset` once it is read (Meta's packed line items).
#[must_use]
pub fn changes_rows(preset: Preset) -> bool {
    preset == Preset::Meta
}

/// Adjusts an order fragment mapped from one CSV row by its preset's rules.
pub fn row(preset: Preset, order: &mut Order) {
    if changes_rows(preset) {
        order.items = std::mem::take(&mut order.items)
            .into_iter()
            .flat_map(split_item)
            .collect();
    }
}

/// A cell the preset derived from `column` of the order's record.
fn derived(order: &Order, value: &str, column: &'static str) -> Cell {
    Cell {
        value: value.into(),
        column,
        line: order.line,
    }
}

/// Minor units become the amount they stand for by the currency's exponent (`4500` is
/// `45.00` USD but `4500` JPY); a `processing` payment is pending; `livemode: false` is a
/// test payment; a fully refunded charge (`refunded: true`; a partial refund keeps it
/// `false`) is refunded.
fn stripe(value: &Value, order: &mut Order) {
    let currency = value.get("currency").and_then(Value::as_str).unwrap_or("");
    let cells = order
        .fields
        .cells_mut()
        .chain(order.items.iter_mut().flatten().map(|(_, c)| c));
    for c in cells {
        if STRIPE_MINOR_UNITS.contains(&c.column) {
            if let Ok(n) = c.value.trim().parse::<i64>() {
                c.value = money::from_stripe_minor(n, currency).to_string().into();
            }
        }
    }
    // A PaymentIntent `processing` (a bank debit on its way) is not paid yet; elsewhere
    // `processing` is WooCommerce's paid order, so the word alone cannot say it.
    if value.get("status").and_then(Value::as_str) == Some("processing") {
        let cell = derived(order, "pending", "status");
        order.fields.insert_first(Key::Status, cell);
    }
    if value.get("livemode") == Some(&Value::Bool(false)) {
        let cell = derived(order, "true", "livemode");
        order.fields.push(Key::Test, cell);
    }
    if value.get("refunded") == Some(&Value::Bool(true))
        && order.get(Key::FinancialStatus).is_none()
    {
        let cell = derived(order, "refunded", "refunded");
        order.fields.insert_first(Key::FinancialStatus, cell);
    }
}

/// BigCommerce's order status by `status_id`, as canonical statuses: 0 Incomplete (an
/// abandoned checkout), 1 Pending, 7 Awaiting Payment and 12 Manual Verification Required
/// (not paid yet), 4 Refunded, 5 Cancelled, 6 Declined. The others (2, 3, 8–11 shipped or
/// awaiting fulfilment, 13 Disputed, 14 Partially Refunded) are paid orders.
fn bigcommerce(value: &Value, order: &mut Order) {
    let id = match value.get("status_id") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let status = match id {
        Some(0) => "draft",
        Some(1 | 7 | 12) => "pending",
        Some(4) => "refunded",
        Some(5) => "cancelled",
        Some(6) => "failed",
        _ => return,
    };
    let cell = derived(order, status, "status_id");
    order.fields.insert_first(Key::Status, cell);
}

/// One row's item whose cells hold `;`-separated lists (`SKU1;SKU2`, `1.00;1.50`, `1;1`) as
/// that many items, the n-th value of each cell in the n-th item.
fn split_item(item: Item) -> Vec<Item> {
    if !item.iter().any(|(_, c)| c.value.contains(';')) {
        return vec![item];
    }
    let mut out: Vec<Item> = Vec::new();
    for (key, cell) in item {
        for (n, part) in cell.value.split(';').enumerate() {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            if out.len() <= n {
                out.resize_with(n + 1, Vec::new);
            }
            out[n].push((
                key,
                Cell {
                    value: part.into(),
                    column: cell.column,
                    line: cell.line,
                },
            ));
        }
    }
    out.retain(|i| !i.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order(fields: Vec<(Key, &str, &str)>) -> Order {
        Order {
            file: std::sync::Arc::from("t"),
            line: 1,
            end_line: 1,
            preset: Preset::Stripe,
            fields: fields
                .into_iter()
                .map(|(k, v, col)| {
                    (
                        k,
                        Cell {
                            value: v.into(),
                            column: crate::map::intern(col),
                            line: 1,
                        },
                    )
                })
                .collect(),
            items: Vec::new(),
            group: None,
            repeat: false,
            same_key: None,
            derive_event_id: false,
        }
    }

    #[test]
    fn stripe_minor_units_and_flags() {
        for (currency, amount, want) in [
            ("usd", "4500", "45.00"),
            ("jpy", "4500", "4500"),
            ("kwd", "12340", "12.340"),
        ] {
            let mut o = order(vec![(Key::Total, amount, "amount")]);
            stripe(
                &json!({"currency": currency, "livemode": true, "refunded": false}),
                &mut o,
            );
            assert_eq!(o.get(Key::Total).unwrap().value, want, "{currency}");
            assert!(o.get(Key::Test).is_none());
            assert!(o.get(Key::FinancialStatus).is_none());
        }
        let mut o = order(vec![(Key::Total, "100", "amount")]);
        stripe(
            &json!({"currency": "usd", "livemode": false, "refunded": true}),
            &mut o,
        );
        assert_eq!(o.get(Key::Test).unwrap().value, "true");
        assert_eq!(o.get(Key::Test).unwrap().column, "livemode");
        assert_eq!(o.get(Key::FinancialStatus).unwrap().value, "refunded");
    }

    #[test]
    fn bigcommerce_status_ids() {
        for (id, want) in [
            (json!(0), Some("draft")),
            (json!(1), Some("pending")),
            (json!(4), Some("refunded")),
            (json!("5"), Some("cancelled")),
            (json!(6), Some("failed")),
            (json!(7), Some("pending")),
            (json!(10), None),
            (json!(11), None),
            (json!(14), None),
        ] {
            let mut o = order(Vec::new());
            bigcommerce(&json!({ "status_id": id }), &mut o);
            assert_eq!(o.get(Key::Status).map(|c| c.value.as_str()), want, "{id}");
        }
    }

    #[test]
    fn meta_semicolon_items_split() {
        let cell = |v: &str, col: &str| Cell {
            value: v.into(),
            column: crate::map::intern(col),
            line: 3,
        };
        let item = vec![
            (Key::ItemProductId, cell("SKU1;SKU2", "Item ID")),
            (Key::ItemPrice, cell("1.00;1.50", "Item Price")),
            (Key::ItemQuantity, cell("1;2", "Item Quantity")),
            (Key::ItemBrand, cell("Acme", "Item Brand")),
        ];
        let items = split_item(item);
        assert_eq!(items.len(), 2);
        assert_eq!(items[1][0].1.value, "SKU2");
        assert_eq!(items[1][1].1.value, "1.50");
        assert_eq!(items[1][2].1.value, "2");
        assert_eq!(items[0].len(), 4);
        assert_eq!(items[1].len(), 3);
    }
}
