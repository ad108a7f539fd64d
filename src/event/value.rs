//! Money: the order's currency and its `value`, explicit or added up from the total (or
//! subtotal, or the items) with the shop's tax, shipping and discount choices. Amounts are
//! decimals ([`crate::money`]), never floats.

use rust_decimal::Decimal;

use crate::config::Settings;
use crate::map::{Cell, Key};
use crate::money;
use crate::report::shown;

use super::stop::{Ctx, Stop};

/// The order's ISO 4217 code; without one, a warning (Pinterest assumes the account's).
pub(super) fn currency(ctx: &mut Ctx) -> Result<Option<&'static str>, Stop> {
    match ctx.order.get(Key::Currency) {
        Some(c) => match money::currency(&c.value) {
            Ok(code) => Ok(Some(code)),
            Err(money::CurrencyError::Shared(which)) => Err(ctx.reject(
                Some(c),
                "invalid_currency",
                format!("{} is the symbol of {which}, so it does not say which", shown(&c.value)),
                Some("export the currency as its ISO 4217 code, or map a column that holds it (`[columns] currency = \"...\"`)".into()),
            )),
            Err(money::CurrencyError::Unknown) => Err(ctx.reject(
                Some(c),
                "invalid_currency",
                format!("{} is not an ISO 4217 currency code", shown(&c.value)),
                Some("use a three-letter code such as `USD` or `EUR`".into()),
            )),
        },
        None => {
            ctx.warn(
                None,
                "missing_currency",
                "the order has no currency; Pinterest will assume the ad account's currency".into(),
                Some("map a currency column (`[columns] currency = \"...\"`)".into()),
            );
            Ok(None)
        }
    }
}

/// The order's `value`, formatted for `custom_data` by the currency's minor unit: explicit,
/// else the total with the shop's adjustments, else `gross` (the items). A negative value
/// stops the order; a zero or missing one is a warning.
pub(super) fn value(
    ctx: &mut Ctx,
    s: &Settings,
    gross: Option<Decimal>,
    currency: Option<&'static str>,
) -> Result<Option<String>, Stop> {
    let order = ctx.order;
    // Three-digit minor units (KWD, BHD…) write `1.234` as an amount, not as thousands.
    let two_decimals = currency.map_or(2, money::decimals) < 3;
    let value = match order.get(Key::Value) {
        Some(c) => money_cell(ctx, Some(c), s, two_decimals, "value")?,
        None => adjusted_total(ctx, s, two_decimals, gross)?,
    };
    match value {
        Some(v) if v.is_sign_negative() && !v.is_zero() => {
            return Err(ctx.reject(
                order.get(Key::Value).or(order.get(Key::Total)),
                "negative_value",
                "the order value is negative".into(),
                Some(
                    "refunds and credits are not conversions; remove the row or fix the amount"
                        .into(),
                ),
            ))
        }
        Some(v) if v.is_zero() => ctx.warn(
            order.get(Key::Value).or(order.get(Key::Total)),
            "zero_value",
            "the order value is zero".into(),
            None,
        ),
        None => ctx.warn(
            None,
            "missing_value",
            "the order has no value (no total, value or priced line items)".into(),
            None,
        ),
        Some(_) => {}
    }
    // The currency's minor unit: `4500` JPY, `12.35` USD for `12.3456`, `5.120` KWD.
    Ok(value.map(|v| money::format_for(v, currency)))
}

/// The total (else subtotal + shipping + tax, else the items' gross − discount + shipping +
/// tax), with tax, shipping and discounts taken out or put back as the shop chose.
fn adjusted_total(
    ctx: &mut Ctx,
    s: &Settings,
    two_decimals: bool,
    gross: Option<Decimal>,
) -> Result<Option<Decimal>, Stop> {
    let order = ctx.order;
    let amount = |ctx: &mut Ctx, key: Key, what: &str| {
        money_cell(ctx, order.get(key), s, two_decimals, what)
    };
    let total = amount(ctx, Key::Total, "total")?;
    let subtotal = amount(ctx, Key::Subtotal, "subtotal")?;
    let tax = amount(ctx, Key::Tax, "tax")?;
    let shipping = amount(ctx, Key::Shipping, "shipping")?;
    let discount = amount(ctx, Key::Discount, "discount")?;
    let tax = tax.unwrap_or_default();
    let shipping = shipping.unwrap_or_default();
    let discount = discount.unwrap_or_default().abs();
    let add = |a: Decimal, b: Decimal| a.checked_add(b);
    let sub = |a: Decimal, b: Decimal| a.checked_sub(b);
    // Outer `None`: no amount at all; inner `None`: an overflow.
    let computed = match total {
        Some(t) => Some(Some(t)),
        None => match subtotal {
            Some(st) => Some(add(st, shipping).and_then(|v| add(v, tax))),
            None => gross.map(|gross| {
                sub(gross, discount)
                    .and_then(|v| add(v, shipping))
                    .and_then(|v| add(v, tax))
            }),
        },
    };
    let adjusted = computed.map(|t| {
        let v = t?;
        let v = if s.exclude_tax { sub(v, tax)? } else { v };
        let v = if s.exclude_shipping {
            sub(v, shipping)?
        } else {
            v
        };
        if s.deduct_discounts {
            Some(v)
        } else {
            add(v, discount)
        }
    });
    match adjusted {
        Some(None) => Err(ctx.reject(
            order.get(Key::Total),
            "invalid_amount",
            "the order's amounts are too large to add up".into(),
            Some("check the total, tax, shipping and discount columns".into()),
        )),
        Some(v) => Ok(v),
        None => Ok(None),
    }
}

/// The amount in `cell`, if any; one that is not a number stops the order. `two_decimals`:
/// the order's currency has at most two (the currency step has already read it).
fn money_cell(
    ctx: &mut Ctx,
    cell: Option<&Cell>,
    s: &Settings,
    two_decimals: bool,
    what: &str,
) -> Result<Option<Decimal>, Stop> {
    let Some(c) = cell else { return Ok(None) };
    if !s.decimal_comma && two_decimals && dot_thousands(&c.value) {
        ctx.warn(
            Some(c),
            "ambiguous_amount",
            format!("the {what} has three digits after a dot, as in `1.234`; it was read as a decimal point, not as thousands"),
            Some("if the file writes `1.234,50`, set `decimal_comma = true` (or `--decimal-comma`)".into()),
        );
    }
    money::parse(&c.value, s.decimal_comma).map(Some).map_err(|_| {
        ctx.reject(
            Some(c),
            "invalid_amount",
            format!("the {what} is not a number"),
            Some("use digits with `.` or `,` as decimal separator (set `decimal_comma = true` for `1.234,50`)".into()),
        )
    })
}

/// An amount such as `1.234` or `12.345.678`: dots before groups of exactly three digits and
/// no comma, which decimal-comma locales write for thousands (never after a leading `0`:
/// `0.125` is a price).
///
/// One pass over the bytes, only digits, `.` and `,` counting (every other character, a
/// currency sign or a space, is skipped; none of their UTF-8 bytes is one of those).
fn dot_thousands(raw: &str) -> bool {
    // Digits in the group being read, and how many dots came before it.
    let (mut digits, mut dots) = (0usize, 0usize);
    let mut leading_zero = false;
    for b in raw.bytes() {
        match b {
            b',' => return false,
            b'.' => {
                let fits = if dots == 0 {
                    (1..=3).contains(&digits) && !leading_zero
                } else {
                    digits == 3
                };
                if !fits {
                    return false;
                }
                dots += 1;
                digits = 0;
            }
            b'0'..=b'9' => {
                if dots == 0 && digits == 0 {
                    leading_zero = b == b'0';
                }
                digits += 1;
            }
            _ => {}
        }
    }
    dots > 0 && digits == 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_thousands_amounts() {
        assert!(dot_thousands("1.234"));
        assert!(dot_thousands("€ 12.345.678"));
        assert!(!dot_thousands("1.23"));
        assert!(!dot_thousands("1.234,50"));
        assert!(!dot_thousands("1234.567"));
        assert!(!dot_thousands("0.125"));
        assert!(!dot_thousands(".123"));
        assert!(!dot_thousands("1.234."));
        assert!(!dot_thousands("1234"));
    }

    /// The filter-then-split reading `dot_thousands` replaced, for comparison.
    fn dot_thousands_by_split(raw: &str) -> bool {
        let t: String = raw
            .chars()
            .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
            .collect();
        let mut groups = t.split('.');
        let first = groups.next().unwrap_or("");
        !t.contains(',')
            && t.contains('.')
            && (1..=3).contains(&first.len())
            && !first.starts_with('0')
            && groups.all(|g| g.len() == 3)
    }

    proptest::proptest! {
        #[test]
        fn dot_thousands_reads_as_the_split_did(raw in "[0-9.,€ $a]{0,14}") {
            proptest::prop_assert_eq!(dot_thousands(&raw), dot_thousands_by_split(&raw));
        }

        #[test]
        fn dot_thousands_reads_amount_shapes_as_the_split_did(
            raw in "(€ )?[0-9]{0,4}(\\.[0-9]{2,4}){0,3}(,[0-9]{2})?",
        ) {
            proptest::prop_assert_eq!(dot_thousands(&raw), dot_thousands_by_split(&raw));
        }
    }
}
