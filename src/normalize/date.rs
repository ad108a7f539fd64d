//! `db`: dates of birth in the common export layouts, as `YYYYMMDD`.

use jiff::civil::Date;

use super::Invalid;

/// Plausible years of birth; anything else is a typo or a placeholder.
const YEARS: std::ops::RangeInclusive<i16> = 1900..=2100;

/// One run of digits or letters in a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token<'a> {
    /// Value and number of digits (so `0512` stays distinguishable from `512`).
    Num(u32, usize),
    Word(&'a str),
}

/// `YYYYMMDD` from `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYYMMDD`, ISO date-times, `DD.MM.YYYY`,
/// `MM/DD/YYYY` (US order when ambiguous), `DD/MM/YYYY` when the first number is above 12,
/// and English month names (`Jan 2 1990`, `2 January 1990`, `January 2nd, 1990`). The date
/// must exist and its year be within 1900..=2100. Empty input gives an empty result.
pub(super) fn normalize(s: &str) -> Result<String, Invalid> {
    if s.is_empty() {
        return Ok(String::new());
    }
    let (year, month, day) = parse(strip_time(s)).ok_or(Invalid::DateFormat)?;
    let year = i16::try_from(year).map_err(|_| Invalid::ImplausibleYear)?;
    if !YEARS.contains(&year) {
        return Err(Invalid::ImplausibleYear);
    }
    let month = i8::try_from(month).map_err(|_| Invalid::NoSuchDate)?;
    let day = i8::try_from(day).map_err(|_| Invalid::NoSuchDate)?;
    let date = Date::new(year, month, day).map_err(|_| Invalid::NoSuchDate)?;
    Ok(format!(
        "{:04}{:02}{:02}",
        date.year(),
        date.month(),
        date.day()
    ))
}

/// Drops a time of day after the date: `1990-01-02T00:00:00Z`, `01/02/1990 00:00`.
fn strip_time(s: &str) -> &str {
    let Some(colon) = s.find(':') else { return s };
    match s[..colon].rfind(|c: char| c == 'T' || c.is_whitespace()) {
        Some(cut) => s[..cut].trim_end(),
        None => s,
    }
}

/// Splits into digit runs and letter runs; everything else separates. Also reports whether
/// a `.` separator was seen (`DD.MM.YYYY` is always day first).
fn tokens(s: &str) -> Option<(Vec<Token<'_>>, bool)> {
    let mut out = Vec::with_capacity(4);
    let mut dotted = false;
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() {
            let end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            // Eight digits is the longest meaningful run (`YYYYMMDD`).
            if end > 8 {
                return None;
            }
            out.push(Token::Num(rest[..end].parse().ok()?, end));
            rest = &rest[end..];
        } else if c.is_alphabetic() {
            let end = rest
                .find(|c: char| !c.is_alphabetic())
                .unwrap_or(rest.len());
            out.push(Token::Word(&rest[..end]));
            rest = &rest[end..];
        } else {
            dotted |= c == '.';
            rest = &rest[c.len_utf8()..];
        }
        if out.len() > 6 {
            return None;
        }
    }
    Some((out, dotted))
}

/// English month names and their usual abbreviations, case-insensitive.
pub(crate) fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if word.len() < 3 {
        return None;
    }
    let lower = word.to_ascii_lowercase();
    if lower == "sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(&lower))
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// `(year, month, day)` as written, not yet checked against the calendar.
fn parse(s: &str) -> Option<(u32, u32, u32)> {
    let (tokens, dotted) = tokens(s)?;
    match tokens[..] {
        [Token::Num(n, 8)] => Some((n / 10_000, n / 100 % 100, n % 100)),
        [Token::Num(y, 4), Token::Num(m, 1..=2), Token::Num(d, 1..=2)] => Some((y, m, d)),
        [Token::Num(a, 1..=2), Token::Num(b, 1..=2), Token::Num(y, 4)] => {
            if dotted || a > 12 {
                Some((y, b, a))
            } else {
                Some((y, a, b))
            }
        }
        _ => parse_with_month_name(&tokens),
    }
}

/// Dates with a month name: one month word, one four-digit year and one day of one or two
/// digits, in any order; ordinal suffixes and "of" are ignored.
fn parse_with_month_name(tokens: &[Token<'_>]) -> Option<(u32, u32, u32)> {
    let (mut year, mut month, mut day) = (None, None, None);
    for token in tokens {
        let slot = match *token {
            Token::Num(n, 4) => (&mut year, n),
            Token::Num(n, 1..=2) => (&mut day, n),
            Token::Word(w)
                if ["st", "nd", "rd", "th", "of"].contains(&w.to_ascii_lowercase().as_str()) =>
            {
                continue
            }
            Token::Word(w) => (&mut month, month_number(w)?),
            Token::Num(..) => return None,
        };
        if slot.0.replace(slot.1).is_some() {
            return None;
        }
    }
    Some((year?, month?, day?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_layouts() {
        for (raw, want) in [
            ("1990-01-02", "19900102"),
            ("1990/1/2", "19900102"),
            ("1990.01.02", "19900102"),
            ("19900102", "19900102"),
            ("1990-01-02T00:00:00Z", "19900102"),
            ("1990-01-02T10:30:00+02:00", "19900102"),
            ("1990-01-02 10:30", "19900102"),
            ("02.01.1990", "19900102"),
            ("2.1.1990", "19900102"),
            ("01/02/1990", "19900102"),
            ("1/2/1990", "19900102"),
            ("01-02-1990", "19900102"),
            ("13/01/1990", "19900113"),
            ("31/12/1999", "19991231"),
            ("12/31/1999", "19991231"),
            ("01/02/1990 00:00:00", "19900102"),
            ("2000-02-29", "20000229"),
            ("", ""),
        ] {
            assert_eq!(normalize(raw).as_deref(), Ok(want), "{raw}");
        }
    }

    #[test]
    fn month_names() {
        for (raw, want) in [
            ("Jan 2 1990", "19900102"),
            ("Jan 2, 1990", "19900102"),
            ("January 2nd, 1990", "19900102"),
            ("2 January 1990", "19900102"),
            ("2nd of January 1990", "19900102"),
            ("02-Jan-1990", "19900102"),
            ("1990-Jan-02", "19900102"),
            ("Sept 30 1985", "19850930"),
            ("sep 30 1985", "19850930"),
            ("DECEMBER 31 1999", "19991231"),
        ] {
            assert_eq!(normalize(raw).as_deref(), Ok(want), "{raw}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for (raw, want) in [
            ("1990-02-30", Invalid::NoSuchDate),
            ("1999-02-29", Invalid::NoSuchDate),
            ("1990-13-01", Invalid::NoSuchDate),
            ("13/13/1990", Invalid::NoSuchDate),
            ("1990-00-10", Invalid::NoSuchDate),
            ("19901301", Invalid::NoSuchDate),
            ("1850-01-01", Invalid::ImplausibleYear),
            ("2101-01-01", Invalid::ImplausibleYear),
            ("00000000", Invalid::ImplausibleYear),
            ("1/2/90", Invalid::DateFormat),
            ("yesterday", Invalid::DateFormat),
            ("Jan 1990", Invalid::DateFormat),
            ("Foo 2 1990", Invalid::DateFormat),
            ("Jan Feb 2 1990", Invalid::DateFormat),
            ("1990", Invalid::DateFormat),
            ("199001021", Invalid::DateFormat),
            ("1990-01-02-03", Invalid::DateFormat),
            ("ja 2 1990", Invalid::DateFormat),
        ] {
            assert_eq!(normalize(raw), Err(want.clone()), "{raw}");
        }
    }
}
