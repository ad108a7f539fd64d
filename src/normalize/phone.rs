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
//! Loading libphonenumber's metadata costs about 0.18 s and 17 MiB (deserializing and
//! syntax-checking every region's patterns, then compiling each pattern it uses with Unicode
//! classes), so it is loaded lazily, once, on the first number the fast path ([`fast`]) cannot
//! answer. The fast path reads the forms shops export most with a few facts of the metadata
//! copied into [`table`]: North American numbers (`+1 201 555 0123`, `(201) 555-0123` and bare
//! `2015550123` in a US or Canadian order), E.164 of the biggest markets (`+44 20 7946 0958`)
//! and their national form with the trunk prefix (`07700 900123` in a UK order). It answers
//! exactly what the library answers for those (tests compare the table with the library's
//! database and run many thousands of numbers through both); everything else goes to the
//! library.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::LazyLock;

use phonenumber::metadata::{Descriptor, Metadata, DATABASE};
use phonenumber::{country, Mode, PhoneNumber};

use super::{Context, Invalid};

mod table;

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

/// The library's answer when it is known without loading its metadata, for the forms shops
/// export most: North American numbers ([`nanp`], [`bare_nanp`]), and E.164 ([`international`])
/// or the trunk-prefix national form ([`national`]) of the markets in [`table::CODES`]. Each
/// reading follows libphonenumber's own steps (`parse_with`, `is_valid_with`) on the copied
/// facts of [`table`] and gives up wherever a step would need more of the metadata; a test runs
/// many thousands of numbers through this and the library.
fn fast(s: &str, ctx: &Context) -> Option<String> {
    nanp(s, ctx)
        .or_else(|| international(s))
        .or_else(|| national(s, ctx))
        .or_else(|| bare_nanp(s, ctx))
}

/// Most digits [`digit_groups`] collects: more than any phone number has.
const MAX_DIGITS: usize = 20;

/// The ASCII digits of `s` when it is only groups of digits, each two separated by exactly one
/// of `separators`.
fn digit_groups(s: &[u8], separators: &[u8]) -> Option<Vec<u8>> {
    let mut digits = Vec::with_capacity(16);
    let mut after_separator = true;
    for &c in s {
        if c.is_ascii_digit() {
            digits.push(c);
            after_separator = false;
        } else if separators.contains(&c) && !after_separator {
            after_separator = true;
        } else {
            return None;
        }
    }
    (!after_separator && digits.len() <= MAX_DIGITS).then_some(digits)
}

/// The table's facts for a region id (uppercase alpha-2).
fn table_region(id: &str) -> Option<&'static table::Region> {
    table::REGIONS.iter().find(|r| r.id == id)
}

/// The table's region for the context's country.
fn context_region(ctx: &Context) -> Option<&'static table::Region> {
    let alpha2 = ctx.region()?;
    table::REGIONS
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(alpha2))
}

/// Whether `n` has a length in `mask` and within libphonenumber's limits for a national number
/// (2 to 17 digits, and below 2^56 as a number: any of up to 16 digits is), and no leading zero
/// (those are kept apart by the library, Italy's).
fn plain_national(n: &str, mask: u32) -> bool {
    (2..=16).contains(&n.len())
        && !n.starts_with('0')
        && u32::try_from(n.len()).is_ok_and(|len| mask & (1 << len) != 0)
}

/// `+` and the digits of a number of [`table::CODES`], in groups separated by single spaces,
/// hyphens or dots (`+44 20 7946 0958`, `+49-30-1234567`, `+33612345678`): the calling code and
/// the rest, when the rest is a possible national number of that code (the main region's
/// lengths) that none of the code's regions would strip a trunk or carrier prefix from. Then
/// libphonenumber's `parse(None, ..)` keeps the digits as written, and E.164 is them.
fn international(s: &str) -> Option<String> {
    let digits = digit_groups(s.strip_prefix('+')?.as_bytes(), b" -.")?;
    let digits = String::from_utf8(digits).ok()?;
    // The library takes the shortest prefix that is a calling code; no proper prefix of a
    // code in the table is one (tested), so this is the one it takes.
    let code = table::CODES
        .iter()
        .find(|c| digits.starts_with(&c.code.to_string()))?;
    let code_len = code.code.to_string().len();
    let national = &digits[code_len..];
    // Without a space, libphonenumber reads the number as RFC 3966 (`+44-20-7946-0958`) and
    // takes everything before the first `-` or `.` as the calling code.
    let rfc3966_code = (!s.contains(' '))
        .then(|| s[1..].find(['-', '.']))
        .flatten();
    if rfc3966_code.is_some_and(|end| end != code_len) {
        return None;
    }
    // (The RFC 3966 reading wants more than two digits after the code.)
    if national.len() < 3 || !plain_national(national, code.mask) {
        return None;
    }
    for id in code.regions {
        let region = table_region(id)?;
        if region
            .national_prefix
            .is_some_and(|p| national.starts_with(p))
        {
            return None;
        }
        if let Some(pattern) = &region.for_parsing {
            if pattern.matches_at_start(national)? {
                return None;
            }
        }
    }
    Some(digits)
}

/// The national significant number libphonenumber reads from `digits` written for `region`
/// (`parse_with(Some(region), ..)`), when its steps need nothing beyond the table: no
/// international prefix, no calling code in front, a trunk or carrier prefix stripped without a
/// transform, and a possible length for the region.
fn national_number<'a>(region: &table::Region, digits: &'a str) -> Option<&'a str> {
    if region
        .idd
        .as_ref()
        .map_or(Some(false), |p| p.matches_at_start(digits))?
    {
        return None;
    }
    if digits.starts_with(&region.code.to_string()) {
        return None;
    }
    let mut national = digits;
    match &region.for_parsing {
        None => {
            if let Some(rest) = region
                .national_prefix
                .and_then(|p| national.strip_prefix(p))
            {
                national = rest;
            }
        }
        Some(pattern) => {
            if let Some(captures) = pattern.get()?.captures(national) {
                let whole = captures.get(0)?;
                if whole.start() == 0 {
                    // A transform only applies when the last group took part in the match.
                    // (With no group, the "last group" is the whole match, as in the library.)
                    let last = captures.get(captures.len() - 1);
                    if region.transform.is_some() && last.is_some() {
                        return None;
                    }
                    national = &national[whole.end()..];
                }
            }
        }
    }
    // The library strips the trunk prefix once more after that, and keeps the result: the
    // general descriptions in the table have no lengths, so it is never "too short" (tested).
    if let Some(rest) = region
        .national_prefix
        .and_then(|p| national.strip_prefix(p))
    {
        national = rest;
    }
    plain_national(national, region.mask).then_some(national)
}

/// A national number in the order's region written with its trunk prefix or with punctuation
/// (`07700 900123` in GB, `030 1234567` or `0176/55501234` in DE, `06 12 34 56 78` in FR): the
/// calling code and the national significant number, when [`national_number`] knows it. A bare
/// digit string without the prefix is not read here (it has a second reading).
fn national(s: &str, ctx: &Context) -> Option<String> {
    let digits = String::from_utf8(digit_groups(s.as_bytes(), b" -./")?).ok()?;
    let bare = digits.len() == s.len() && !s.starts_with('0');
    // `00`: the library reads the number as international.
    if bare || s.starts_with("00") {
        return None;
    }
    let region = context_region(ctx)?;
    let national = national_number(region, &digits)?;
    Some(format!("{}{national}", region.code))
}

/// Whether libphonenumber calls the North American national number `national` a valid US
/// number (`number_type` is not unknown): then `is_valid` is true, as the US comes first among
/// calling code 1's regions and has no leading-digits pattern (tested).
fn valid_in_us(national: &str) -> Option<bool> {
    let kind = |pattern: &table::Pattern| -> Option<bool> {
        let length_ok = pattern.lengths.is_empty()
            || u16::try_from(national.len()).is_ok_and(|n| pattern.lengths.contains(&n));
        Some(length_ok && pattern.regex.matches_at_start(national)?)
    };
    let [general, kinds @ ..] = &table::US_TYPES;
    if !kind(general.as_ref()?)? {
        return Some(false);
    }
    for pattern in kinds.iter().flatten() {
        if kind(pattern)? {
            return Some(true);
        }
    }
    Some(false)
}

/// Ten bare digits in a US or Canadian order (`2015550123`): `1` and the digits, when they
/// are a valid US number. [`library`] reads a bare digit string at home first and keeps that
/// reading when valid; when not, the E.164 reading might win, and that is left to it.
fn bare_nanp(s: &str, ctx: &Context) -> Option<String> {
    if s.len() != 10 || !s.bytes().all(|b| b.is_ascii_digit()) || s.starts_with(['0', '1']) {
        return None;
    }
    let region = context_region(ctx).filter(|r| r.code == 1)?;
    let national = national_number(region, s)?;
    valid_in_us(national)?.then(|| format!("1{national}"))
}

/// Regions whose numbers [`nanp`] reads in national form: those of calling code 1 whose
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
fn nanp(s: &str, ctx: &Context) -> Option<String> {
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

    /// A fixed-seed xorshift64 generator: `next(n)` is a number below `n`, the same on every
    /// run, so the generated numbers a failure names can be generated again.
    fn xorshift(mut seed: u64) -> impl FnMut(u64) -> u64 {
        move |n| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        }
    }

    /// The US number kinds in the order libphonenumber's `number_type` tries them (the order
    /// of `table::US_TYPES`).
    fn us_kinds() -> [Option<&'static Descriptor>; 11] {
        let d = DATABASE.by_id("US").unwrap().descriptors();
        [
            Some(d.general()),
            d.premium_rate(),
            d.toll_free(),
            d.shared_cost(),
            d.voip(),
            d.personal_number(),
            d.pager(),
            d.uan(),
            d.voicemail(),
            d.fixed_line(),
            d.mobile(),
        ]
    }

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
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15_u64);
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

    /// `matches_at_start` (an anchored match) answers as libphonenumber's test does (`find`,
    /// then a start at 0) for every pattern of the table, on digit strings made to begin the
    /// way those patterns do and on random ones.
    #[test]
    fn an_anchored_match_answers_as_find_at_the_start_does() {
        let patterns: Vec<&table::Re> = table::REGIONS
            .iter()
            .flat_map(|r| [&r.for_parsing, &r.idd])
            .flatten()
            .chain(table::US_TYPES.iter().flatten().map(|p| &p.regex))
            .collect();
        let mut next = xorshift(0x5eed_0001);
        let starts = [
            "", "0", "00", "011", "1", "01", "2", "8", "9", "0011", "810", "119",
        ];
        let mut checked = 0;
        for _ in 0..4000 {
            let mut digits = starts[next(starts.len() as u64) as usize].to_owned();
            for _ in 0..next(15) {
                digits.push(char::from(b'0' + next(10) as u8));
            }
            for re in &patterns {
                let found = re
                    .get()
                    .unwrap()
                    .find(&digits)
                    .is_some_and(|m| m.start() == 0);
                assert_eq!(
                    re.matches_at_start(&digits),
                    Some(found),
                    "{} on {digits}",
                    re.source
                );
                checked += usize::from(found);
            }
        }
        assert!(
            checked > 1000,
            "the strings match often enough to tell: {checked}"
        );
    }

    /// Every field of the embedded table is the `phonenumber` crate's: a `phonenumber` upgrade
    /// that changes one fails here (regenerate `phone/table.rs` then).
    #[test]
    fn the_embedded_metadata_is_the_librarys() {
        let stripped = |s: &str| -> String {
            // The table leaves out whitespace, which the library ignores; a `#` would start
            // a comment there, and then leaving out whitespace could change the pattern.
            assert!(!s.contains('#'), "{s}");
            s.chars().filter(|c| !c.is_whitespace()).collect()
        };
        for code in table::CODES {
            let regions = DATABASE.region(&code.code).expect("a calling code");
            assert_eq!(regions, code.regions, "regions of {}", code.code);
            assert_eq!(
                LENGTHS.by_code[usize::from(code.code)],
                code.mask,
                "lengths of {}",
                code.code
            );
            let digits = code.code.to_string();
            for len in 1..digits.len() {
                let prefix: u16 = digits[..len].parse().unwrap();
                assert!(DATABASE.by_code(&prefix).is_none(), "{prefix} is a code");
            }
            assert_ne!(code.code, 1, "North America has its own path");
            for id in code.regions {
                assert!(
                    table_region(id).is_some(),
                    "{id} of {} is in the table",
                    code.code
                );
            }
        }
        for region in &table::REGIONS {
            let id = country::Id::from_str(region.id).expect("a region");
            let meta = DATABASE.by_id(region.id).expect("in the database");
            assert_eq!(meta.country_code(), region.code, "{}", region.id);
            assert_eq!(
                meta.national_prefix(),
                region.national_prefix,
                "{}",
                region.id
            );
            assert_eq!(
                meta.national_prefix_for_parsing()
                    .map(|r| stripped(r.as_str())),
                region.for_parsing.as_ref().map(|r| r.source.to_owned()),
                "{}",
                region.id
            );
            assert_eq!(
                meta.national_prefix_transform_rule(),
                region.transform,
                "{}",
                region.id
            );
            assert_eq!(
                meta.international_prefix().map(|r| stripped(r.as_str())),
                region.idd.as_ref().map(|r| r.source.to_owned()),
                "{}",
                region.id
            );
            assert_eq!(
                LENGTHS.by_region[&id],
                (region.code, region.mask),
                "{}",
                region.id
            );
            // So the library keeps a stripped national number whatever its length.
            assert!(meta.descriptors().general().possible_length().is_empty());
            for re in [&region.for_parsing, &region.idd].into_iter().flatten() {
                assert!(re.get().is_some(), "{} compiles", re.source);
            }
        }
        let nanp = DATABASE.region(&1).unwrap();
        assert_eq!(nanp[0], "US");
        let us = DATABASE.by_id("US").unwrap();
        assert!(us.leading_digits().is_none());
        let kinds = us_kinds();
        for (kind, copied) in kinds.iter().zip(&table::US_TYPES) {
            assert_eq!(
                kind.map(|k| (
                    k.possible_length().to_vec(),
                    stripped(k.national_number().as_str())
                )),
                copied
                    .as_ref()
                    .map(|p| (p.lengths.to_vec(), p.regex.source.to_owned()))
            );
            if let Some(p) = copied {
                assert!(p.regex.get().is_some());
            }
        }
    }

    /// Prints the data of `phone/table.rs` from the `phonenumber` crate's database, for the same
    /// calling codes and North American regions: after a `phonenumber` upgrade that fails
    /// `the_embedded_metadata_is_the_librarys`, run
    /// `cargo test --lib print_the_phone_table -- --ignored --nocapture`, put the output in
    /// place of the three statics and run `cargo fmt`.
    #[test]
    #[ignore = "a generator, run by hand"]
    fn print_the_phone_table() {
        let stripped = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
        let quoted =
            |s: Option<String>| s.map_or("None".into(), |s| format!("Some(Re::new({s:?}))"));
        let mask_of = |id: &str| LENGTHS.by_region[&country::Id::from_str(id).unwrap()].1;
        println!(
            "/// The calling codes read without the library (North America has its own path)."
        );
        println!("pub(super) static CODES: &[Code] = &[");
        let mut ids = vec!["US", "CA"];
        for code in table::CODES {
            let regions = DATABASE.region(&code.code).unwrap();
            let mask = LENGTHS.by_code[usize::from(code.code)];
            println!(
                "    Code {{ code: {}, regions: &{regions:?}, mask: {mask:#x} }},",
                code.code
            );
            ids.extend(regions);
        }
        println!("];\n");
        println!(
            "/// Every region of [`CODES`], and the US and Canada for their national numbers."
        );
        println!("pub(super) static REGIONS: [Region; {}] = [", ids.len());
        for id in ids {
            let m = DATABASE.by_id(id).unwrap();
            println!(
                "    Region {{ id: {id:?}, code: {}, national_prefix: {:?}, for_parsing: {}, transform: {:?}, idd: {}, mask: {:#x} }},",
                m.country_code(),
                m.national_prefix(),
                quoted(m.national_prefix_for_parsing().map(|r| stripped(r.as_str()))),
                m.national_prefix_transform_rule(),
                quoted(m.international_prefix().map(|r| stripped(r.as_str()))),
                mask_of(id),
            );
        }
        println!("];\n");
        println!("/// The kinds of US number in the order libphonenumber's `number_type` tries them: general");
        println!("/// description, premium rate, toll free, shared cost, VoIP, personal, pager, UAN, voicemail, fixed");
        println!("/// line, mobile.");
        println!("pub(super) static US_TYPES: [Option<Pattern>; 11] = [");
        for kind in us_kinds() {
            match kind {
                None => println!("    None,"),
                Some(k) => println!(
                    "    Some(Pattern {{ lengths: &{:?}, regex: Re::new({:?}) }}),",
                    k.possible_length(),
                    stripped(k.national_number().as_str())
                ),
            }
        }
        println!("];");
    }

    /// Numbers of every region in the table (and a few others), in E.164, national and bare
    /// forms, of every length from 3 to 17 digits, with each separator and the edge cases
    /// (`00`, `(0)`, trunk and carrier prefixes, leading zeros, US numbers valid or not):
    /// whatever the fast path answers is the library's answer, and each of its readings answers
    /// for many.
    #[test]
    fn the_wider_fast_path_answers_as_the_library_does() {
        let mut next = xorshift(0x2545_f491_4f6c_dd1d_u64);
        let mut regions: Vec<&str> = table::REGIONS.iter().map(|r| r.id).collect();
        regions.extend(["IT", "MX", "BR", "JP", "EG", "AR", "RU"]);
        let separators = [" ", " ", "-", ".", "/", "", "  "];
        let (mut answered, mut checked) = ([0; 3], 0);
        for i in 0..12_000 {
            // Bare ten digits (the last form) mostly in North American orders.
            let region = if i % 7 == 6 {
                ["US", "CA", "PR", "GB"][(i / 7) % 4]
            } else {
                regions[i % regions.len()]
            };
            let code = DATABASE.by_id(region).map_or(44, |m| m.country_code());
            let len = 3 + next(15) as usize;
            let mut digits: String = (0..len)
                .map(|_| char::from(b'0' + next(10) as u8))
                .collect();
            if next(3) == 0 {
                // Mostly a first digit that is not a trunk prefix; sometimes the carrier
                // prefixes and special starts of the metadata.
                let starts = ["1831", "180020", "0", "00", "1", "8", "90", "5"];
                digits.replace_range(0..0, starts[next(starts.len() as u64) as usize]);
            }
            let mut groups = String::new();
            let sep = separators[next(separators.len() as u64) as usize];
            for (j, c) in digits.chars().enumerate() {
                if j > 0 && j % (2 + (i % 3)) == 0 {
                    groups.push_str(sep);
                }
                groups.push(c);
            }
            let raw = match i % 7 {
                0 => format!("+{code} {groups}"),
                1 => format!("+{code}{sep}{groups}"),
                // The code run into the first group: RFC 3966 reads `+4420-...` as code 4420.
                2 if i % 2 == 0 => format!("+{code}{groups}"),
                2 => format!("+{code}{digits}"),
                3 | 4 => format!("0{groups}"),
                5 => match i % 4 {
                    0 => format!("00{code} {groups}"),
                    1 => format!("+{code} (0){groups}"),
                    2 => format!("({code}) {groups}"),
                    _ => digits.clone(),
                },
                _ => format!("{}{:02}{:07}", 2 + next(8), next(100), next(10_000_000)),
            };
            let ctx = Context {
                country: Some(region).filter(|_| i % 11 != 0),
                default_country: None,
            };
            checked += 1;
            let reading = [
                international(&raw).is_some(),
                national(&raw, &ctx).is_some(),
                bare_nanp(&raw, &ctx).is_some(),
            ];
            if let Some(got) = fast(&raw, &ctx) {
                for (n, read) in answered.iter_mut().zip(reading) {
                    *n += usize::from(read);
                }
                assert_eq!(Ok(got), library(&raw, &ctx), "{raw:?} in {region}");
            }
        }
        assert!(
            answered.iter().all(|&n| n > 300),
            "international, national and bare US readings answered {answered:?} of {checked}"
        );
    }

    proptest::proptest! {
        /// Any string of `+`, digits and phone punctuation in the regions of the table (and
        /// a few others): whatever the fast path answers, the library answers too.
        #[test]
        fn the_wider_fast_path_never_disagrees(
            raw in "[+]?(0|00|1|[2-9][0-9]?)?[ ./-]?[0-9]{1,4}([ ./-]?[0-9]{2,4}){0,4}",
            region in proptest::sample::select(vec!["GB", "DE", "FR", "AU", "JP", "BR", "US", "CA", "IT", "EG", ""]),
        ) {
            let ctx = Context { country: Some(region).filter(|r| !r.is_empty()), default_country: None };
            if let Some(got) = fast(&raw, &ctx) {
                proptest::prop_assert_eq!(Ok(got), library(&raw, &ctx), "{} in {}", raw, region);
            }
        }

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
