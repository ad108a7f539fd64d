//! Money amounts as exact decimals (never floats): currency symbols, thousands separators,
//! decimal commas and accounting negatives.

use rust_decimal::Decimal;

/// Reads an amount like `1,234.50`, `$12.00`, `12,50 €`, `(3.00)`, `1.234,50` (with
/// `decimal_comma`). The message names no value.
pub fn parse(raw: &str, decimal_comma: bool) -> Result<Decimal, String> {
    let mut s: String = raw.trim().trim_start_matches('\'').to_owned();
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
        // Letters are only welcome as a currency code around the number (`12.00 USD`).
        let letters: String = s.chars().filter(|c| c.is_alphabetic()).collect();
        if crate::normalize::currency_code(&letters).is_none() {
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

/// Formats for CAPI's string fields: plain decimal, no exponent, trailing zeros kept to 2.
#[must_use]
pub fn format(d: Decimal) -> String {
    let mut d = d.normalize();
    if d.scale() < 2 {
        d.rescale(2);
    }
    d.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn garbage() {
        assert!(parse("", false).is_err());
        assert!(parse("abc", false).is_err());
        assert!(parse("12abc", false).is_err());
        assert!(parse("1-2", false).is_err());
    }
}
