//! Money amounts as exact decimals (never floats): currency symbols, thousands separators,
//! decimal commas and accounting negatives; and the one table of each currency's minor unit
//! (ISO 4217's exponents, with Stripe's documented exceptions for its API's minor units).

use rust_decimal::{Decimal, RoundingStrategy};

use crate::normalize::trim;

/// Decimal places of a currency's minor unit by ISO 4217 (`USD` 2, `JPY` 0, `KWD` 3); 2 when
/// the code is unknown.
#[must_use]
pub fn decimals(code: &str) -> u32 {
    // A table lookup: every money cell asks, and `Currency::from_code` is a linear search.
    crate::normalize::currency_exponent(code)
}

/// Currencies whose Stripe API amounts are whole units, not hundredths ("zero-decimal
/// currencies", docs.stripe.com/currencies): `500` JPY is ¥500. ISO 4217 gives MGA two
/// decimals, Stripe none.
const STRIPE_ZERO_DECIMAL: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
    "XAF", "XOF", "XPF",
];

/// Currencies whose Stripe API amounts are thousandths (`5120` KWD is 5.120 KWD).
const STRIPE_THREE_DECIMAL: &[&str] = &["BHD", "JOD", "KWD", "OMR", "TND"];

/// Decimal places of a Stripe API amount in `code` (lowercase, as Stripe writes it, or not):
/// Stripe's zero- and three-decimal lists, and two for every other currency, ISK included
/// (ISO 4217 gives ISK none, Stripe's API two).
#[must_use]
pub fn stripe_decimals(code: &str) -> u32 {
    let upper = code.trim().to_ascii_uppercase();
    if STRIPE_ZERO_DECIMAL.contains(&upper.as_str()) {
        0
    } else if STRIPE_THREE_DECIMAL.contains(&upper.as_str()) {
        3
    } else {
        2
    }
}

/// An integer amount in a currency's minor units (Stripe's `amount: 4500`) as the decimal
/// amount it stands for, by [`stripe_decimals`]: `4500` USD is `45.00`, `4500` JPY `4500`.
#[must_use]
pub fn from_stripe_minor(amount: i64, code: &str) -> Decimal {
    Decimal::new(amount, stripe_decimals(code))
}

/// Reads an amount like `1,234.50`, `$12.00`, `12,50 €`, `(3.00)`, `1.234,50` (with
/// `decimal_comma`). The message names no value.
pub fn parse(raw: &str, decimal_comma: bool) -> Result<Decimal, String> {
    let plain = trim(raw).trim_start_matches('\'');
    // The usual shape, `56.00`: digits and at most one dot, read as written by the rules
    // below too (no sign, brackets, letters or commas to weigh), without their copies. With
    // decimal commas a dot before exactly three digits groups thousands: the rules decide.
    if let Some(d) = plain_decimal(plain, decimal_comma) {
        return d;
    }
    by_rules(plain, decimal_comma)
}

/// [`parse`] of an amount of the usual shape, digits and at most one dot, first a digit; `None`
/// for any other (and, with decimal commas, for a dot before exactly three digits). Up to 18
/// digits with a digit after the dot, the value is made from the digits in one pass, as
/// `Decimal`'s parser makes it (same mantissa and scale); other such texts go to that parser.
fn plain_decimal(plain: &str, decimal_comma: bool) -> Option<Result<Decimal, String>> {
    let bytes = plain.as_bytes();
    if !bytes.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let (mut mantissa, mut digits, mut dot) = (0i64, 0u32, None);
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                // 18 digits always fit an i64; past that the parser decides.
                mantissa = mantissa.wrapping_mul(10).wrapping_add(i64::from(b - b'0'));
                digits += 1;
            }
            b'.' if dot.is_none() => dot = Some(i),
            _ => return None,
        }
    }
    let scale = dot.map_or(0, |d| bytes.len() - d - 1);
    if decimal_comma && dot.is_some() && scale == 3 {
        return None;
    }
    if digits <= 18 && (dot.is_none() || scale > 0) {
        // At most 17 digits after the dot: a scale `Decimal` holds (28 at most).
        return Some(Ok(Decimal::new(mantissa, scale as u32)));
    }
    Some(
        plain
            .parse::<Decimal>()
            .map_err(|_| "not a number".to_owned()),
    )
}

/// [`parse`] of a trimmed amount, by the rules alone.
fn by_rules(plain: &str, decimal_comma: bool) -> Result<Decimal, String> {
    let mut s: String = plain.to_owned();
    let mut negative = false;
    if s.starts_with('(') && s.ends_with(')') {
        negative = true;
        s = s[1..s.len() - 1].to_owned();
    }
    let mut t: String = s
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+'))
        .collect();
    if s.chars().any(|c| c.is_ascii_digit()) && s.chars().any(|c| c.is_alphabetic()) {
        // Letters are only welcome as a currency around the number (`12.00 USD`, `US$12`).
        let letters: String = s.chars().filter(|c| c.is_alphabetic()).collect();
        let mark: String = s
            .chars()
            .filter(|c| {
                !c.is_ascii_digit() && !c.is_whitespace() && !matches!(c, '.' | ',' | '-' | '+')
            })
            .collect();
        if crate::normalize::currency_code(&letters).is_none() && symbol(&mark).is_none() {
            return Err("not a number".into());
        }
    }
    if t.starts_with('-') {
        negative = !negative;
        t.remove(0);
    } else if t.starts_with('+') {
        t.remove(0);
    }
    if t.is_empty() || t.contains(['-', '+']) {
        return Err("not a number".into());
    }
    let normalized = match (t.rfind('.'), t.rfind(',')) {
        (Some(d), Some(c)) if c > d => t.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => t.replace(',', ""),
        (None, Some(c)) => {
            // One comma not followed by exactly three digits is a decimal comma (`12,50`);
            // otherwise commas group thousands (`1,234`, `1,234,567`).
            let decimals = t.len() - c - 1;
            if decimal_comma || (decimals != 3 && t.matches(',').count() == 1) {
                t.replace(',', ".")
            } else {
                t.replace(',', "")
            }
        }
        // With decimal commas a dot groups thousands, but only before exactly three digits:
        // `12.50` is still twelve and a half (as in API JSON read with the same config).
        (Some(d), None) if decimal_comma && t.len() - d - 1 == 3 => t.replace('.', ""),
        _ => t,
    };
    let d: Decimal = normalized.parse().map_err(|_| "not a number".to_owned())?;
    Ok(if negative { -d } else { d })
}

/// A currency column's value as an ISO 4217 code: the code itself (`usd`), or a symbol or
/// prefix that names one currency (`€`, `US$`); a symbol several currencies share (`$`, `¥`,
/// `kr`) is an error naming them, since guessing would report the wrong revenue.
pub fn currency(raw: &str) -> Result<&'static str, CurrencyError> {
    let raw = trim(raw);
    if let Some(code) = crate::normalize::currency_code(raw) {
        return Ok(code);
    }
    match symbol(raw) {
        Some(Symbol::One(code)) => Ok(code),
        Some(Symbol::Shared(which)) => Err(CurrencyError::Shared(which)),
        None => Err(CurrencyError::Unknown),
    }
}

/// Why a currency value names no currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CurrencyError {
    /// A symbol several currencies write, with their codes (`JPY or CNY`).
    Shared(&'static str),
    /// Neither a code nor a known symbol.
    Unknown,
}

/// What a currency symbol stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Symbol {
    One(&'static str),
    Shared(&'static str),
}

/// Currency symbols and prefixes as shops and spreadsheets write them (case-insensitive
/// for the letters); only a symbol one currency owns is read as it.
#[rustfmt::skip]
fn symbol(raw: &str) -> Option<Symbol> {
    use Symbol::{One, Shared};
    Some(match raw.trim().to_uppercase().as_str() {
        "€" | "EURO" | "EUROS" => One("EUR"),
        "£" | "UK£" => One("GBP"),
        "US$" | "$US" | "U$S" => One("USD"),
        "C$" | "CA$" | "CAN$" => One("CAD"),
        "A$" | "AU$" => One("AUD"),
        "NZ$" => One("NZD"),
        "R$" => One("BRL"),
        "MX$" => One("MXN"),
        "HK$" => One("HKD"),
        "S$" => One("SGD"),
        "NT$" => One("TWD"),
        "FR." | "SFR." => One("CHF"),
        "₹" | "RS." => One("INR"),
        "₩" => One("KRW"),
        "₽" => One("RUB"),
        "₺" => One("TRY"),
        "₪" => One("ILS"),
        "₫" => One("VND"),
        "₴" => One("UAH"),
        "₱" => One("PHP"),
        "฿" => One("THB"),
        "ZŁ" => One("PLN"),
        "KČ" => One("CZK"),
        "FT" => One("HUF"),
        "RMB" | "元" => One("CNY"),
        "円" => One("JPY"),
        "¥" | "￥" => Shared("JPY or CNY"),
        "$" => Shared("USD, CAD, AUD, MXN or another dollar or peso"),
        "KR" | "KR." => Shared("SEK, NOK, DKK or ISK"),
        _ => return None,
    })
}

/// Formats for CAPI's string fields when the currency is unknown: plain decimal, no
/// exponent, trailing zeros kept to 2.
#[must_use]
pub fn format(d: Decimal) -> String {
    let mut d = d.normalize();
    if d.scale() < 2 {
        d.rescale(2);
    }
    text(d)
}

/// `d` as `Decimal`'s `Display` writes it (every digit of its scale, `-` when negative),
/// without the formatting machinery for the amounts prices are: a mantissa that fits in
/// 64 bits is written digit by digit, anything else by `Display`.
fn text(d: Decimal) -> String {
    let Ok(mut m) = u64::try_from(d.mantissa().unsigned_abs()) else {
        return d.to_string();
    };
    if m == 0 && d.is_sign_negative() {
        // Negative zero: whatever `Display` makes of it.
        return d.to_string();
    }
    let scale = d.scale() as usize;
    // Digits right to left: at most 20 of the mantissa, the zeros up to the scale (at most
    // 28), one before the point.
    let mut digits = [b'0'; 50];
    let mut n = 0;
    while m > 0 {
        digits[n] = b'0' + (m % 10) as u8;
        m /= 10;
        n += 1;
    }
    let n = n.max(scale + 1);
    let mut out = String::with_capacity(n + 2);
    if d.is_sign_negative() {
        out.push('-');
    }
    for (i, &b) in digits[..n].iter().enumerate().rev() {
        out.push(char::from(b));
        if i == scale && scale > 0 {
            out.push('.');
        }
    }
    out
}

/// Formats an amount in `code` by the currency's minor unit ([`decimals`]): rounded half away
/// from zero to that many places, and padded to them (`12.3456` USD is `12.35`, `4500` JPY is
/// `4500`, `5.12` KWD is `5.120`).
#[must_use]
pub fn format_in(d: Decimal, code: &str) -> String {
    let places = decimals(code);
    let mut d = d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    d.rescale(places);
    text(d)
}

/// Formats an amount for `custom_data`: by the currency's minor unit ([`format_in`]) when
/// the currency is known, else as [`format`].
#[must_use]
pub fn format_for(d: Decimal, currency: Option<&str>) -> String {
    match currency {
        Some(code) => format_in(d, code),
        None => format(d),
    }
}

#[cfg(test)]
mod tests {
    use proptest::strategy::Strategy as _;

    use super::*;

    proptest::proptest! {
        #[test]
        fn text_writes_what_display_writes(
            m in proptest::prop_oneof![
                proptest::num::i64::ANY.prop_map(i128::from),
                -99_999i128..99_999,
                -(1i128 << 96) + 1..(1i128 << 96),
            ],
            scale in 0u32..=28,
            negative_zero in proptest::bool::weighted(0.05),
        ) {
            let mut d = Decimal::try_from_i128_with_scale(m, scale).unwrap();
            if negative_zero {
                d = Decimal::new(0, scale);
                d.set_sign_negative(true);
            }
            proptest::prop_assert_eq!(text(d), d.to_string());
        }
    }

    proptest::proptest! {
        /// The one-pass reading of the usual shape answers as the checks it replaced did: those
        /// conditions, then `Decimal`'s parser; the same value, mantissa and scale.
        #[test]
        fn a_plain_amount_reads_as_decimal_parses_it(
            text in "[0-9.]{1,24}|[0-9]{1,20}(\\.[0-9]{0,20})?|0{0,3}[1-9][0-9]{0,4}\\.[0-9]{2,3}",
            decimal_comma in proptest::bool::ANY,
        ) {
            let dot = text.find('.');
            let before = (text.bytes().next().is_some_and(|b| b.is_ascii_digit())
                && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && text.bytes().filter(|&b| b == b'.').count() <= 1
                && !(decimal_comma && dot.is_some_and(|d| text.len() - d - 1 == 3)))
            .then(|| text.parse::<Decimal>().map_err(|_| "not a number".to_owned()));
            let now = plain_decimal(&text, decimal_comma);
            let shape = |r: &Option<Result<Decimal, String>>| {
                r.clone().map(|r| r.map(|d| (d.mantissa(), d.scale(), d.is_sign_negative())))
            };
            proptest::prop_assert_eq!(shape(&now), shape(&before), "{}", text);
        }
    }

    #[test]
    fn text_pads_the_scale() {
        for (m, scale, want) in [
            (0, 0, "0"),
            (0, 2, "0.00"),
            (5, 2, "0.05"),
            (-5, 3, "-0.005"),
            (1234, 2, "12.34"),
            (4500, 0, "4500"),
            (i64::MAX, 28, "0.0000000009223372036854775807"),
        ] {
            assert_eq!(text(Decimal::new(m, scale)), want);
        }
    }

    #[test]
    fn the_plain_shape_reads_as_the_rules_read_it() {
        let mut amounts = vec![
            "0",
            "7",
            "56.00",
            "56.0",
            "1.234",
            "12.5",
            "1.",
            ".5",
            "007.10",
            "1234567.891",
            "99999999999999999999999999999",
            "1.2345678901234567890123456789",
        ];
        let long = "1".repeat(40);
        amounts.push(&long);
        for a in amounts {
            for decimal_comma in [false, true] {
                assert_eq!(
                    parse(a, decimal_comma),
                    by_rules(a, decimal_comma),
                    "`{a}`, decimal comma {decimal_comma}"
                );
            }
        }
    }

    #[test]
    fn minor_units_follow_each_currency() {
        assert_eq!(decimals("USD"), 2);
        assert_eq!(decimals("jpy"), 0);
        assert_eq!(decimals("KWD"), 3);
        assert_eq!(decimals("XYZ"), 2);
        assert_eq!(from_stripe_minor(4500, "usd").to_string(), "45.00");
        assert_eq!(from_stripe_minor(4500, "jpy").to_string(), "4500");
        assert_eq!(from_stripe_minor(5120, "kwd").to_string(), "5.120");
        assert_eq!(from_stripe_minor(120_000, "krw").to_string(), "120000");
        assert_eq!(from_stripe_minor(9900, "isk").to_string(), "99.00");
        assert_eq!(from_stripe_minor(-250, "eur").to_string(), "-2.50");
    }

    #[test]
    fn amounts_are_formatted_to_the_minor_unit() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(format_in(d("4500"), "JPY"), "4500");
        assert_eq!(format_in(d("4500.00"), "JPY"), "4500");
        assert_eq!(format_in(d("12.3456"), "USD"), "12.35");
        assert_eq!(format_in(d("12.345"), "USD"), "12.35");
        assert_eq!(format_in(d("-12.345"), "USD"), "-12.35");
        assert_eq!(format_in(d("12"), "USD"), "12.00");
        assert_eq!(format_in(d("5.12"), "KWD"), "5.120");
        assert_eq!(format_in(d("1234.5"), "EUR"), "1234.50");
    }

    fn p(s: &str) -> String {
        format(parse(s, false).unwrap())
    }

    #[test]
    fn amounts() {
        assert_eq!(p("12"), "12.00");
        assert_eq!(p("12.5"), "12.50");
        assert_eq!(p("1,234.50"), "1234.50");
        assert_eq!(p("$1,234.50"), "1234.50");
        assert_eq!(p("1.234,50"), "1234.50");
        assert_eq!(p("12,50"), "12.50");
        assert_eq!(p("1,234"), "1234.00");
        assert_eq!(p("12.00 USD"), "12.00");
        assert_eq!(p("(3.00)"), "-3.00");
        assert_eq!(p("-3"), "-3.00");
        assert_eq!(p("0.125"), "0.125");
        assert_eq!(format(parse("1.234,5", true).unwrap()), "1234.50");
        assert_eq!(format(parse("1.234", true).unwrap()), "1234.00");
        assert_eq!(format(parse("12,345", true).unwrap()), "12.345");
        assert_eq!(format(parse("12.50", true).unwrap()), "12.50");
        assert_eq!(format(parse("28.0", true).unwrap()), "28.00");
        assert_eq!(format(parse("1.234.567", true).unwrap()), "1234567.00");
    }

    #[test]
    fn currency_symbols() {
        for (raw, want) in [
            ("usd", Ok("USD")),
            ("€", Ok("EUR")),
            (" £ ", Ok("GBP")),
            ("US$", Ok("USD")),
            ("C$", Ok("CAD")),
            ("A$", Ok("AUD")),
            ("R$", Ok("BRL")),
            ("CHF", Ok("CHF")),
            ("zł", Ok("PLN")),
            ("¥", Err(CurrencyError::Shared("JPY or CNY"))),
            ("kr", Err(CurrencyError::Shared("SEK, NOK, DKK or ISK"))),
            ("dollars", Err(CurrencyError::Unknown)),
        ] {
            assert_eq!(currency(raw), want, "{raw}");
        }
        assert_eq!(p("US$12.00"), "12.00");
        assert_eq!(p("C$ 12.00"), "12.00");
        assert_eq!(format(parse("R$ 1.234,50", true).unwrap()), "1234.50");
    }

    #[test]
    fn garbage() {
        assert!(parse("", false).is_err());
        assert!(parse("abc", false).is_err());
        assert!(parse("12abc", false).is_err());
        assert!(parse("1-2", false).is_err());
    }
}
