//! Status and skip rules: which orders the shop leaves out (test, cancelled, refunded, ...,
//! or an excluded sales channel) and which cannot be merged (rows not together).

use crate::config::Settings;
use crate::map::{Cell, Key, Order};
use crate::normalize::trim;

use super::stop::{Ctx, Stop};

/// Whether a flag cell says yes (`true`, `1`, `yes`, ...).
pub(super) fn truthy(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "true" | "1" | "yes" | "y" | "t"
    )
}

/// The canonical status of a raw status value: the slugs WooCommerce and Shopify write
/// (`wc-cancelled`, `on-hold`, `checkout-draft`), and the labels order-export plugins write
/// instead (`Pending payment`, `On hold`), in English and in WooCommerce's German, French,
/// Spanish, Italian and Dutch translations; and other shops' words: BigCommerce's `Declined`
/// and `Incomplete` (an abandoned checkout), Magento's `Closed` (refunded), PrestaShop's
/// `Payment error` and `Awaiting bank wire payment`, Ecwid's `AWAITING_PAYMENT`, Wix's `Not Paid`;
/// Stripe's PaymentIntent states before a payment (`requires_payment_method`,
/// `requires_action`, `processing`, ...), its `Uncaptured` and `Blocked` payments.
fn canonical_status(raw: &str) -> Option<&'static str> {
    let raw = trim(raw);
    // Lowercased with `-` and spaces as `_`: ASCII (nearly every status) in a stack buffer,
    // anything else in a string; every order has one to three statuses.
    let mut buf = [0u8; 48];
    let owned: String;
    let v: &str = match buf.get_mut(..raw.len()) {
        Some(b) if raw.is_ascii() => {
            for (o, &c) in b.iter_mut().zip(raw.as_bytes()) {
                *o = match c {
                    b'-' | b' ' => b'_',
                    _ => c.to_ascii_lowercase(),
                };
            }
            std::str::from_utf8(b).expect("ASCII stays ASCII")
        }
        _ => {
            owned = raw.to_lowercase().replace(['-', ' '], "_");
            &owned
        }
    };
    let v = v.trim_start_matches("wc_");
    if v.starts_with("awaiting_") && v.ends_with("payment") {
        return Some("pending");
    }
    Some(match v {
        "voided" | "void" => "voided",
        "refunded" | "rückerstattet" | "remboursée" | "remboursé" | "reembolsado"
        | "rimborsato" | "terugbetaald" | "closed" => "refunded",
        "cancelled" | "canceled" | "storniert" | "abgebrochen" | "annulée" | "annulé"
        | "cancelado" | "cancelada" | "annullato" | "geannuleerd" => "cancelled",
        "failed" | "declined" | "payment_error" | "blocked" | "fehlgeschlagen" | "échouée"
        | "échoué" | "echouée" | "fallido" | "fallita" | "fallito" | "mislukt" => "failed",
        "pending"
        | "pending_payment"
        | "on_hold"
        | "authorized"
        | "unpaid"
        | "not_paid"
        | "payment_review"
        | "zahlung_ausstehend"
        | "in_wartestellung"
        | "wartend"
        | "attente_paiement"
        | "en_attente"
        | "pendiente_de_pago"
        | "en_espera"
        | "in_attesa_di_pagamento"
        | "in_sospeso"
        | "wachtend_op_betaling"
        | "in_de_wacht"
        | "requires_payment_method"
        | "requires_confirmation"
        | "requires_action"
        | "requires_capture"
        | "uncaptured" => "pending",
        "trash" | "checkout_draft" | "draft" | "incomplete" | "entwurf" | "brouillon"
        | "borrador" | "bozza" | "concept" => "draft",
        "test" => "test",
        _ => return None,
    })
}

/// The canonical statuses an order has (test, voided, cancelled, ...), with the cell that says so.
fn statuses(order: &Order) -> Vec<(&'static str, Option<&Cell>)> {
    let mut out = Vec::new();
    if let Some(c) = order.get(Key::Test).filter(|c| truthy(&c.value)) {
        out.push(("test", Some(c)));
    }
    if let Some(c) = order
        .get(Key::PaymentMethod)
        .filter(|c| contains_ignore_ascii_case(&c.value, "bogus"))
    {
        // Shopify's test gateway.
        out.push(("test", Some(c)));
    }
    if let Some(c) = order.get(Key::CancelledAt) {
        out.push(("cancelled", Some(c)));
    }
    for key in [Key::FinancialStatus, Key::Status, Key::FulfillmentStatus] {
        if let Some(c) = order.get(key) {
            let Some(s) = canonical_status(&c.value) else {
                continue;
            };
            // A shipping state says nothing about payment: Squarespace's `PENDING` is a paid
            // order not yet shipped; only its `CANCELED` counts.
            if key == Key::FulfillmentStatus && s != "cancelled" {
                continue;
            }
            out.push((s, Some(c)));
        }
    }
    out
}

/// Whether `haystack` holds `needle` (ASCII) in any ASCII case, as its ASCII lowercasing
/// would, without making that copy.
fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    needle.is_empty()
        || haystack
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Statuses a payment source skips besides the default ones, unless `skip_statuses` is set:
/// a payment not made yet, or paid back in full, is no sale.
const UNPAID: &[&str] = &["pending", "refunded"];

/// Whether `status` is skipped for `order`: the settings' list, and for a payment source
/// ([`crate::map::Preset::skips_unpaid`]) with the default list, [`UNPAID`] too.
fn skipped(status: &str, order: &Order, s: &Settings) -> bool {
    s.skip_statuses.iter().any(|x| x == status)
        || !s.skip_statuses_chosen && order.preset.skips_unpaid() && UNPAID.contains(&status)
}

/// The shop's rules, applied first: a skipped order needs no other checks.
pub(super) fn rules(ctx: &Ctx, s: &Settings) -> Result<(), Stop> {
    let order = ctx.order;
    if order.repeat {
        return Err(ctx.reject(
            None,
            "order_rows_not_consecutive",
            "this order already appeared earlier in the input, with other orders in between; it was not merged".into(),
            Some("sort the export by order so each order's rows are together, or remove the duplicate".into()),
        ));
    }
    for (status, cell) in statuses(order) {
        if skipped(status, order, s) {
            return Err(ctx.skip(
                cell,
                match status {
                    "test" => "status_test",
                    "voided" => "status_voided",
                    "cancelled" => "status_cancelled",
                    "refunded" => "status_refunded",
                    "failed" => "status_failed",
                    "pending" => "status_pending",
                    _ => "status_draft",
                },
                format!("{status} order"),
                None,
            ));
        }
    }
    if let Some(c) = order
        .get(Key::Source)
        .filter(|_| !s.exclude_sources.is_empty())
    {
        let v = c.value.trim().to_lowercase();
        if s.exclude_sources.contains(&v) {
            return Err(ctx.skip(
                Some(c),
                "excluded_source",
                format!("sales channel `{v}` is excluded"),
                None,
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_ignore_ascii_case_agrees_with_lowercasing() {
        for hay in [
            "Bogus Gateway",
            "(for testing) BOGUS",
            "bogus",
            "bog",
            "",
            "Bögus",
            "Shopify Payments",
            "xBoGuSx",
        ] {
            assert_eq!(
                contains_ignore_ascii_case(hay, "bogus"),
                hay.to_ascii_lowercase().contains("bogus"),
                "{hay:?}"
            );
        }
        assert!(contains_ignore_ascii_case("anything", ""));
    }

    #[test]
    fn status_slugs_and_labels() {
        for (raw, want) in [
            ("wc-cancelled", Some("cancelled")),
            ("checkout-draft", Some("draft")),
            ("trash", Some("draft")),
            ("Pending payment", Some("pending")),
            ("On hold", Some("pending")),
            ("Storniert", Some("cancelled")),
            ("Zahlung ausstehend", Some("pending")),
            ("Remboursée", Some("refunded")),
            ("Completed", None),
            ("processing", None),
            ("Declined", Some("failed")),
            ("Incomplete", Some("draft")),
            ("Closed", Some("refunded")),
            ("Payment error", Some("failed")),
            ("Awaiting bank wire payment", Some("pending")),
            // Longer than the stack buffer: lowercased in a string instead.
            (
                " Awaiting a manual bank transfer from the customer's own account payment ",
                Some("pending"),
            ),
            ("AWAITING_PAYMENT", Some("pending")),
            ("Awaiting Fulfillment", None),
            ("Not Paid", Some("pending")),
            ("requires_payment_method", Some("pending")),
            ("Uncaptured", Some("pending")),
            ("Blocked", Some("failed")),
            ("Paid", None),
            ("succeeded", None),
            ("Payment accepted", None),
            ("Bank wire", None),
        ] {
            assert_eq!(canonical_status(raw), want, "{raw}");
        }
    }
}
