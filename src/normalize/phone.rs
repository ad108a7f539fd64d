//! `ph`: phone numbers as E.164 digits without the `+`, via the `phonenumber` crate
//! (libphonenumber's metadata).
//!
//! Pinterest asks for "digits only, with the country code, without leading zeros"; that only
//! works if a national number gets its country's calling code first (UK `07700 900123` →
//! `447700900123`), which needs the order's country.
//!
//! Numbers are accepted when they parse and their length is possible for their calling
//! code, even if the metadata does not call them valid: fictional `555` numbers and
//! unusual real numbers must not be lost. Validity is only used to choose between two
//! readings of a bare digit string (national number, or E.164 digits without the `+`).
//!
//! Loading libphonenumber's metadata costs about 0.18 s and 17 MiB, so it is loaded lazily,
//! once, on the first number the fast path ([`fast`]) cannot answer: North American numbers
//! written as `+1 201 555 0123` or, in a US or Canadian order, as `(201) 555-0123`, the forms
//! shops export most. The fast path answers exactly what the library answers for those (a test
//! runs thousands of numbers through both); everything else goes to the library.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::LazyLock;

use phonenumber::metadata::{Descriptor, Metadata, DATABASE};
use phonenumber::{country, Mode, PhoneNumber};

use super::{Context, Invalid};

/// National significant number lengths that libphonenumber's metadata allows, as bit masks
/// (bit `n` set: `n` digits possible), over every kind of number (fixed, mobile, toll-free,
/// ...).
struct Lengths {
    /// Per region: its calling code and its mask.
    by_region: HashMap<country::Id, (u16, u32)>,
    /// Per calling code (the index): the mask of the code's main region (GB for `44`, US
    /// for `1`), used when the region of an international number is not given.
    by_code: Vec<u32>,
}

static LENGTHS: LazyLock<Lengths> = LazyLock::new(|| {
    fn mask(meta: &Metadata) -> u32 {
        let d = meta.descriptors();
        [
            Some(d.general()),
            d.fixed_line(),
            d.mobile(),
            d.toll_free(),
            d.premium_rate(),
            d.shared_cost(),
            d.personal_number(),
            d.voip(),
            d.pager(),
            d.uan(),
            d.voicemail(),
        ]
        .into_iter()
        .flatten()
        .flat_map(Descriptor::possible_length)
        .filter(|&&n| n < 32)
        .fold(0, |mask, &n| mask | 1 << n)
    }
    let mut lengths = Lengths {
        by_region: HashMap::new(),
        by_code: vec![0; 1000],
    };
    for meta in DATABASE.iter() {
        let code = meta.country_code();
        if let Ok(id) = country::Id::from_str(meta.id()) {
            lengths.by_region.insert(id, (code, mask(meta)));
        }
        if let (Some(slot), Some(main)) = (
            lengths.by_code.get_mut(usize::from(code)),
            DATABASE.by_code(&code).and_then(|m| m.first().copied()),
        ) {
            *slot = mask(main);
        }
    }
    lengths
});

/// Whether the national significant number has a length possible in `region` (when the
/// number has that region's calling code) or else in the main region of its calling code.
/// Local-only lengths (a US number without its area code) do not count.
fn has_possible_length(number: &PhoneNumber, region: Option<country::Id>) -> bool {
    let code = number.code().value();
    let national = number.national();
    let digits =
        national.value().checked_ilog10().map_or(1, |l| l + 1) + u32::from(national.zeros());
    let mask = region
        .and_then(|r| LENGTHS.by_region.get(&r))
        .filter(|(region_code, _)| *region_code == code)
        .map(|(_, mask)| *mask)
        .or_else(|| LENGTHS.by_code.get(usize::from(code)).copied())
        .unwrap_or(0);
    digits < 32 && mask & (1 << digits) != 0
}

/// Fewest digits a bare digit string needs to be read as E.164 when no country is known.
const MIN_BARE_E164: usize = 11;

/// E.164 without the `+` and without any extension.
fn e164_digits(number: &PhoneNumber) -> String {
    let mut out = number.format().mode(Mode::E164).to_string();
    if out.starts_with('+') {
        out.remove(0);
    }
    out
}

/// The region for `phonenumber`, from the context's country spelt any way.
fn region(ctx: &Context) -> Option<country::Id> {
    let alpha2 = ctx.region()?;
    let mut upper = [0u8; 2];
    upper.copy_from_slice(alpha2.as_bytes());
    upper.make_ascii_uppercase();
    country::Id::from_str(std::str::from_utf8(&upper).ok()?).ok()
}

/// Parses `s` as written for `region` and keeps it only if its length is possible.
fn parse_possible(region: Option<country::Id>, s: &str) -> Result<PhoneNumber, Invalid> {
    let number = phonenumber::parse(region, s).map_err(|_| Invalid::PhoneUnparseable)?;
    if has_possible_length(&number, region) {
        Ok(number)
    } else {
        Err(Invalid::PhoneLength)
    }
}

/// `s` with fullwidth forms (`＋４４ ２０…`, as East Asian keyboards type them) and
/// Arabic-Indic digits folded to ASCII; `None` when there is nothing to fold.
fn fold_digits(s: &str) -> Option<String> {
    let fold = |c: char| match c {
        // Fullwidth ASCII: `！` to `～` are `!` to `~` shifted by 0xFEE0.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
        '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
        _ => c,
    };
    s.chars()
        .any(|c| fold(c) != c)
        .then(|| s.chars().map(fold).collect())
}

/// Normalizes a trimmed phone value to E.164 digits without `+`.
pub(super) fn normalize(s: &str, ctx: &Context) -> Result<String, Invalid> {
    let folded = fold_digits(s);
    let s = folded.as_deref().unwrap_or(s).trim();
    // Spreadsheets keep leading zeros and `+` with a leading apostrophe or as a formula.
    let s = s.trim_start_matches('\'');
    let s = s
        .strip_prefix("=\"")
        .and_then(|inner| inner.strip_suffix('"'))
        .unwrap_or(s)
        .trim();
    if s.is_empty() {
        return Ok(String::new());
    }
    if super::spreadsheet_number(s) {
        return Err(Invalid::PhoneSpreadsheetRounded);
    }
    if let Some(digits) = fast(s, ctx) {
        return Ok(digits);
    }
    library(s, ctx)
}

/// Regions whose numbers [`fast`] reads in national form: those of calling code 1 whose
/// metadata allows exactly 10 national digits (no national prefix other than `1`).
const NANP_FAST: [&str; 2] = ["us", "ca"];

/// The E.164 digits of a North American number in one of its two common dresses, without
/// libphonenumber: `+1` and ten digits (`+12015550123`, `+1 (201) 555-0123`,
/// `+1-201-555-0123`, `+1201 555 0123`), or, when the order's region is the US or Canada, ten digits with the
/// usual punctuation (`(201) 555-0123`, `201-555-0123`, `201.555.0123`, `201 555 0123`).
/// The area code starts with 2-9, so no national prefix is stripped and the length (10) is the
/// only one the metadata allows: the library gives the same answer. A bare digit string is left
/// to the library (its reading depends on validity, which needs the metadata), and so is
/// anything else.
fn fast(s: &str, ctx: &Context) -> Option<String> {
    let b = s.as_bytes();
    let (international, mut rest) = match b.strip_prefix(b"+1") {
        Some(r) => (true, r),
        None => (false, b),
    };
    // `+1` right before the area code: the library reads `+1201-555-0123` as something
    // else, so only spaces (or nothing) may separate the groups then.
    let mut tight = international;
    if international {
        if let Some((&(b' ' | b'-' | b'.'), r)) = rest.split_first() {
            rest = r;
            tight = false;
        }
    }
    let mut digits = [0u8; 11];
    digits[0] = b'1';
    // The area code, in brackets or not.
    let bracketed = rest.first() == Some(&b'(');
    if bracketed {
        rest = &rest[1..];
        tight = false;
    }
    let separator: &[u8] = if tight { b" " } else { b" -." };
    let mut separators = 0;
    let take = |rest: &mut &[u8], into: &mut [u8]| -> Option<()> {
        let (group, r) = rest.split_at_checked(into.len())?;
        if !group.iter().all(u8::is_ascii_digit) {
            return None;
        }
        into.copy_from_slice(group);
        *rest = r;
        Some(())
    };
    take(&mut rest, &mut digits[1..4])?;
    if bracketed {
        rest = rest.strip_prefix(b")")?;
        separators += 1;
        if let Some(r) = rest.strip_prefix(b" ") {
            rest = r;
        }
    } else if let Some((_, r)) = rest.split_first().filter(|(c, _)| separator.contains(c)) {
        rest = r;
        separators += 1;
    }
    take(&mut rest, &mut digits[4..7])?;
    if let Some((_, r)) = rest.split_first().filter(|(c, _)| separator.contains(c)) {
        rest = r;
        separators += 1;
    }
    take(&mut rest, &mut digits[7..11])?;
    if !rest.is_empty() || !(b'2'..=b'9').contains(&digits[1]) {
        return None;
    }
    // A national number must be written with punctuation (a bare one has two readings) and
    // belong to an order from a region whose national form this is.
    if !international && (separators == 0 || !ctx.region().is_some_and(|r| NANP_FAST.contains(&r)))
    {
        return None;
    }
    String::from_utf8(digits.to_vec()).ok()
}

/// [`normalize`] by libphonenumber alone, for a trimmed value that is not empty nor a
/// spreadsheet-rounded number.
fn library(s: &str, ctx: &Context) -> Result<String, Invalid> {
    let first_digit = s
        .find(|c: char| c.is_ascii_digit())
        .ok_or(Invalid::PhoneNoDigits)?;
    let lead = &s[..first_digit];
    let number = &s[first_digit..];

    // An explicit `+` or `00` international prefix wins over any country we know.
    if let Some(plus) = lead.find('+') {
        let international = &s[plus..];
        // `+44 (0)20 ...`: the trunk zero in brackets is not dialled from abroad.
        if international.contains("(0)") {
            return parse_possible(None, &international.replacen("(0)", "", 1))
                .map(|n| e164_digits(&n));
        }
        return parse_possible(None, international).map(|n| e164_digits(&n));
    }
    if let Some(rest) = number.strip_prefix("00") {
        if !rest.starts_with('0') {
            return parse_possible(None, &format!("+{rest}")).map(|n| e164_digits(&n));
        }
    }

    // A bare digit string may be E.164 digits without the `+` (a spreadsheet ate it, or
    // our own output is fed back in), so it gets a second reading.
    let bare =
        lead.is_empty() && !number.starts_with('0') && number.bytes().all(|b| b.is_ascii_digit());
    let as_international = || {
        bare.then(|| parse_possible(None, &format!("+{number}")).ok())
            .flatten()
    };

    let Some(region) = region(ctx) else {
        // Without a country only valid E.164 digits are trusted, and only from eleven
        // digits on: national numbers without a trunk prefix are at most ten digits in the
        // big markets, and a national number read as international is silently wrong (US
        // `2015550123` is a valid Egyptian `+20 15550123`).
        return match as_international() {
            Some(n) if number.len() >= MIN_BARE_E164 && n.is_valid() => Ok(e164_digits(&n)),
            _ => Err(Invalid::PhoneNoCountry),
        };
    };
    // The order's country first. Only a bare digit string has a second reading, and then
    // valid beats merely possible (validity checks are costly, so only then).
    let national = parse_possible(Some(region), s);
    if !bare {
        return national.map(|n| e164_digits(&n));
    }
    if let Ok(n) = &national {
        if n.is_valid() {
            return Ok(e164_digits(n));
        }
    }
    let international = as_international();
    if let Some(n) = international.as_ref().filter(|n| n.is_valid()) {
        return Ok(e164_digits(n));
    }
    match (national, international) {
        (Ok(n), _) | (Err(_), Some(n)) => Ok(e164_digits(&n)),
        (Err(e), None) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(country: &str) -> Context<'_> {
        Context {
            country: Some(country),
            default_country: None,
        }
    }

    /// Found by `scripts/fuzz.sh` (normalize_phone, input `'+15002151123` with the order's
    /// country DE): `+1 500 215 1123` gives the digits `15002151123`, which read again as bare
    /// digits under DE are a valid German national number as well. The rule, decided: a `+`
    /// or `00` always makes a number international, and a bare digit string that is a valid
    /// national number of the order's country is read as one, since a shop's buyers are
    /// mostly at home and spreadsheets drop a trunk `0` as often as a `+`. So the output is
    /// not read again as input (pinconv hashes it), and `ph` is idempotent only on what
    /// cannot be read both ways.
    #[test]
    fn a_plus_is_international_and_bare_digits_valid_at_home_are_national() {
        let de = ctx("DE");
        assert_eq!(normalize("'+15002151123", &de).unwrap(), "15002151123");
        assert_eq!(normalize("0015002151123", &de).unwrap(), "15002151123");
        assert_eq!(normalize("15002151123", &de).unwrap(), "4915002151123");
    }

    #[test]
    fn fullwidth_and_arabic_indic_digits_are_read() {
        let us = ctx("US");
        for raw in [
            "\u{FF08}\u{FF12}\u{FF10}\u{FF11}\u{FF09}\u{3000}\u{FF15}\u{FF15}\u{FF15}\u{FF0D}\u{FF10}\u{FF11}\u{FF12}\u{FF13}",
            "\u{FF0B}\u{FF11} 201 555 0123",
            "\u{0662}\u{0660}\u{0661}\u{0665}\u{0665}\u{0665}\u{0660}\u{0661}\u{0662}\u{0663}",
        ] {
            assert_eq!(normalize(raw, &us).unwrap(), "12015550123", "{raw:?}");
        }
        assert_eq!(fold_digits("201 555 0123"), None);
    }

    #[test]
    fn us_numbers_in_every_dress() {
        let us = ctx("US");
        for raw in [
            "(201) 555-0123",
            "201-555-0123",
            "201.555.0123",
            "201 555 0123",
            "2015550123",
            "12015550123",
            "1 (201) 555-0123",
            "+1 201 555 0123",
            "+1-201-555-0123",
            "'+12015550123",
            "'2015550123",
            "=\"2015550123\"",
            "001 201 555 0123",
            "011 1 201 555 0123",
            "201-555-0123 ext. 45",
            "201-555-0123 x45",
            "(201) 555-0123 #45",
        ] {
            assert_eq!(normalize(raw, &us).as_deref(), Ok("12015550123"), "{raw}");
        }
    }

    #[test]
    fn fictional_555_numbers_are_kept() {
        let us = ctx("us");
        assert_eq!(normalize("+1 415 555 0134", &us).unwrap(), "14155550134");
        assert_eq!(
            normalize("+1 415 555 0134", &Context::default()).unwrap(),
            "14155550134"
        );
        assert_eq!(normalize("(555) 555-0123", &us).unwrap(), "15555550123");
        assert_eq!(normalize("15555550123", &us).unwrap(), "15555550123");
        assert_eq!(normalize("5555550123", &us).unwrap(), "15555550123");
    }

    #[test]
    fn national_numbers_get_the_order_country() {
        let gb = ctx("United Kingdom");
        assert_eq!(normalize("07700 900123", &gb).unwrap(), "447700900123");
        assert_eq!(normalize("447700900123", &gb).unwrap(), "447700900123");
        assert_eq!(
            normalize("+44 (0)7700 900123", &gb).unwrap(),
            "447700900123"
        );
        assert_eq!(
            normalize("0044 7700 900123", &ctx("US")).unwrap(),
            "447700900123"
        );
        assert_eq!(
            normalize("06 1234 5678", &ctx("Italy")).unwrap(),
            "390612345678"
        );
        assert_eq!(
            normalize("030 1234567", &ctx("DEU")).unwrap(),
            "49301234567"
        );
        assert_eq!(
            normalize("06 12 34 56 78", &ctx("fr")).unwrap(),
            "33612345678"
        );
        assert_eq!(
            normalize("0412 345 678", &ctx("Australia")).unwrap(),
            "61412345678"
        );
    }

    #[test]
    fn default_country_is_the_fallback() {
        let fallback = Context {
            country: None,
            default_country: Some("GB"),
        };
        assert_eq!(
            normalize("07700 900123", &fallback).unwrap(),
            "447700900123"
        );
        let unknown_country = Context {
            country: Some("Narnia"),
            default_country: Some("gbr"),
        };
        assert_eq!(
            normalize("07700 900123", &unknown_country).unwrap(),
            "447700900123"
        );
        let both = Context {
            country: Some("US"),
            default_country: Some("GB"),
        };
        assert_eq!(normalize("(201) 555-0123", &both).unwrap(), "12015550123");
    }

    #[test]
    fn foreign_e164_digits_under_another_country_stay_foreign() {
        let us = ctx("US");
        assert_eq!(normalize("447700900123", &us).unwrap(), "447700900123");
        assert_eq!(normalize("447911123456", &us).unwrap(), "447911123456");
    }

    #[test]
    fn no_country_means_no_guessing() {
        let none = Context::default();
        assert_eq!(
            normalize("(201) 555-0123", &none),
            Err(Invalid::PhoneNoCountry)
        );
        assert_eq!(
            normalize("07700 900123", &none),
            Err(Invalid::PhoneNoCountry)
        );
        assert_eq!(normalize("2015550123", &none), Err(Invalid::PhoneNoCountry));
        // Valid E.164 digits without the `+` are recognised.
        assert_eq!(normalize("12015550123", &none).unwrap(), "12015550123");
        assert_eq!(normalize("+447700900123", &none).unwrap(), "447700900123");
    }

    #[test]
    fn rejects_what_is_not_a_phone() {
        let us = ctx("US");
        assert_eq!(normalize("n/a", &us), Err(Invalid::PhoneNoDigits));
        assert_eq!(normalize("---", &us), Err(Invalid::PhoneNoDigits));
        assert_eq!(normalize("12", &us), Err(Invalid::PhoneUnparseable));
        assert_eq!(normalize("555-0123", &us), Err(Invalid::PhoneLength));
        assert_eq!(
            normalize("+1 201 555 01234567", &us),
            Err(Invalid::PhoneLength)
        );
        assert_eq!(
            normalize("+999 1234 5678", &us),
            Err(Invalid::PhoneUnparseable)
        );
        assert_eq!(normalize("", &us).as_deref(), Ok(""));
        assert_eq!(normalize("'", &us).as_deref(), Ok(""));
        // Excel's save of `+12015550123`: six digits kept, the number lost.
        assert_eq!(
            normalize("1.20156E+10", &us),
            Err(Invalid::PhoneSpreadsheetRounded)
        );
        assert_eq!(
            normalize("4.47701E+11", &ctx("GB")),
            Err(Invalid::PhoneSpreadsheetRounded)
        );
    }

    /// Every dress the fast path reads, over area codes, exchanges and regions: the fast path
    /// answers for most of them, and each answer is the library's.
    #[test]
    fn the_fast_path_answers_as_the_library_does() {
        let regions = [
            Some("US"),
            Some("ca"),
            Some("United States"),
            Some("GB"),
            Some("de"),
            Some("PR"),
            Some("mx"),
            None,
        ];
        let dresses = [
            "+1{a}{e}{l}",
            "+1 {a} {e} {l}",
            "+1-{a}-{e}-{l}",
            "+1.{a}.{e}.{l}",
            "+1 ({a}) {e}-{l}",
            "+1({a}){e}-{l}",
            "({a}) {e}-{l}",
            "({a}){e}-{l}",
            "({a}) {e} {l}",
            "{a}-{e}-{l}",
            "{a}.{e}.{l}",
            "{a} {e} {l}",
            "{a} {e}-{l}",
            "{a}{e}-{l}",
            "{a}{e}{l}",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let (mut fast_answers, mut checked) = (0, 0);
        for i in 0..4000 {
            // Area codes from 100 (not a valid start) to 999, exchanges and lines anywhere.
            let a = 100 + next(900);
            let e = next(1000);
            let l = next(10_000);
            let raw = dresses[i % dresses.len()]
                .replace("{a}", &format!("{a:03}"))
                .replace("{e}", &format!("{e:03}"))
                .replace("{l}", &format!("{l:04}"));
            let ctx = Context {
                country: regions[(i / dresses.len()) % regions.len()],
                default_country: None,
            };
            checked += 1;
            if let Some(got) = fast(&raw, &ctx) {
                fast_answers += 1;
                assert_eq!(Ok(got), library(&raw, &ctx), "{raw} in {:?}", ctx.country);
            }
        }
        assert!(
            fast_answers > checked / 2,
            "the fast path answered {fast_answers} of {checked}"
        );
    }

    proptest::proptest! {
        /// Any string of digits and phone punctuation, in any of a few regions: whatever the
        /// fast path answers, the library answers too.
        #[test]
        fn the_fast_path_never_disagrees(
            raw in "[+]?1?[ .-]?[(]?[0-9]{3}[)]?[ .-]?[0-9]{3}[ .-]?[0-9]{4}",
            region in proptest::sample::select(vec!["US", "CA", "GB", "FR", "PR", ""]),
        ) {
            let ctx = Context { country: Some(region).filter(|r| !r.is_empty()), default_country: None };
            if let Some(got) = fast(&raw, &ctx) {
                proptest::prop_assert_eq!(Ok(got), library(&raw, &ctx), "{} in {}", raw, region);
            }
        }
    }
}
