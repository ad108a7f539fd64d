//! Normalization and hashing of identity fields for Pinterest CAPI `user_data`.
//!
//! Each raw value from an order export is turned into exactly the form Pinterest asks for
//! (lowercase email, E.164 digits for phones, `YYYYMMDD` dates, two-letter state codes, ...;
//! see the Pinterest notes §3 and §4) and then SHA-256 hashed over its UTF-8 bytes as
//! lowercase hex. A value that already is 64 hex digits is taken as pre-hashed and passed
//! through lowercased, so nothing is ever hashed twice; a value that is empty after
//! normalization is dropped instead of hashing the empty string.
//!
//! Errors ([`Invalid`]) never carry the raw value: it is personal data.

mod date;
mod geo;
mod phone;
mod text;

use std::fmt;

use sha2::{Digest, Sha256};

pub(crate) use date::month_number;
pub use geo::{country_alpha2, currency_code, currency_exponent};
pub use text::trim;

/// A hashed identity field of CAPI `user_data`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// Email address (`em`).
    Em,
    /// Phone number (`ph`).
    Ph,
    /// First name (`fn`).
    Fn,
    /// Last name (`ln`).
    Ln,
    /// Gender (`ge`).
    Ge,
    /// Date of birth (`db`).
    Db,
    /// City (`ct`).
    Ct,
    /// State or province (`st`).
    St,
    /// Zip or postal code (`zp`).
    Zp,
    /// Country (`country`).
    Country,
    /// The advertiser's own user id (`external_id`).
    ExternalId,
    /// Mobile advertising id, GAID or IDFA (`hashed_maids`).
    HashedMaids,
}

impl Field {
    /// Every field, in CAPI documentation order.
    pub const ALL: [Field; 12] = [
        Field::Em,
        Field::Ph,
        Field::Fn,
        Field::Ln,
        Field::Ge,
        Field::Db,
        Field::Ct,
        Field::St,
        Field::Zp,
        Field::Country,
        Field::ExternalId,
        Field::HashedMaids,
    ];

    /// CAPI key: `em`, `ph`, `fn`, `ln`, `ge`, `db`, `ct`, `st`, `zp`, `country`,
    /// `external_id`, `hashed_maids`.
    pub fn key(self) -> &'static str {
        match self {
            Field::Em => "em",
            Field::Ph => "ph",
            Field::Fn => "fn",
            Field::Ln => "ln",
            Field::Ge => "ge",
            Field::Db => "db",
            Field::Ct => "ct",
            Field::St => "st",
            Field::Zp => "zp",
            Field::Country => "country",
            Field::ExternalId => "external_id",
            Field::HashedMaids => "hashed_maids",
        }
    }

    /// Accepts the CAPI key and common long names (`email`, `phone`, `first_name`,
    /// `last_name`, `gender`, `dob`/`birth_date`/`date_of_birth`, `city`, `state`,
    /// `zip`/`postcode`/`postal_code`, `country`, `external_id`, `maid`/`madid`),
    /// case-insensitive; spaces, dashes and underscores between words do not matter.
    pub fn parse(s: &str) -> Option<Field> {
        let mut buf = [0u8; 32];
        let key = text::ascii_key(s, &mut buf)?;
        Some(match key {
            "em" | "email" | "emailaddress" | "mail" => Field::Em,
            "ph" | "phone" | "phonenumber" | "telephone" | "tel" | "mobile" => Field::Ph,
            "fn" | "firstname" | "givenname" => Field::Fn,
            "ln" | "lastname" | "surname" | "familyname" => Field::Ln,
            "ge" | "gender" | "sex" => Field::Ge,
            "db" | "dob" | "birthdate" | "dateofbirth" | "birthday" => Field::Db,
            "ct" | "city" | "town" => Field::Ct,
            "st" | "state" | "province" | "stateprovince" => Field::St,
            "zp" | "zip" | "zipcode" | "postcode" | "postalcode" => Field::Zp,
            "country" | "countrycode" => Field::Country,
            "externalid" => Field::ExternalId,
            "hashedmaids" | "maid" | "maids" | "madid" | "madids" => Field::HashedMaids,
            _ => return None,
        })
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// What the normalizer knows about the order, for phone numbers, states and zip codes.
///
/// Countries may be spelt any way [`country_alpha2`] understands: `US`, `usa`,
/// `United States`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context<'a> {
    /// The order's own country (billing or shipping), if the export has one.
    pub country: Option<&'a str>,
    /// The fallback country for orders without a usable country (`--default-country`).
    pub default_country: Option<&'a str>,
}

impl Context<'_> {
    /// The order's country as lowercase ISO 3166-1 alpha-2: `country` when it is a known
    /// country, else `default_country` when that is.
    pub fn region(&self) -> Option<&'static str> {
        self.country
            .and_then(country_alpha2)
            .or_else(|| self.default_country.and_then(country_alpha2))
    }
}

/// The outcome of normalizing one value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Normalized {
    /// The normalized plain value, ready to hash.
    Value(String),
    /// The input already was a SHA-256 digest; lowercased, to be sent as is.
    PreHashed(Sha256Hex),
    /// Nothing left after normalization: send nothing for this field.
    Empty,
}

impl Normalized {
    /// The digest to send: the hash of a value, a pre-hashed value as is, or `None`.
    pub fn into_hash(self) -> Option<String> {
        self.into_digest().map(|d| d.as_str().to_owned())
    }

    /// [`Normalized::into_hash`] kept inline.
    #[must_use]
    pub fn into_digest(self) -> Option<Sha256Hex> {
        match self {
            Normalized::Value(v) => Some(Sha256Hex::of(&v)),
            Normalized::PreHashed(h) => Some(h),
            Normalized::Empty => None,
        }
    }
}

/// A SHA-256 digest as 64 hex digits, kept inline: an event carries about ten, and each
/// used to be a string of its own.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Sha256Hex([u8; 64]);

impl Sha256Hex {
    /// The SHA-256 of `bytes` (of a text: its UTF-8 bytes), in lowercase hex.
    #[must_use]
    pub fn of(bytes: impl AsRef<[u8]>) -> Sha256Hex {
        let digest = Sha256::digest(bytes.as_ref());
        let mut out = [0u8; 64];
        // 32 bytes into exactly 64: the one error (a wrong output length) cannot happen.
        const_hex::encode_to_slice(digest, &mut out).expect("64 hex digits for 32 bytes");
        Sha256Hex(out)
    }

    /// `s` when it is 64 hex digits ([`is_sha256_hex`]), in the case it is written in.
    #[must_use]
    pub fn from_hex(s: &str) -> Option<Sha256Hex> {
        let bytes: [u8; 64] = s.as_bytes().try_into().ok()?;
        bytes
            .iter()
            .all(u8::is_ascii_hexdigit)
            .then_some(Sha256Hex(bytes))
    }

    /// The same digits in lowercase.
    #[must_use]
    pub fn to_ascii_lowercase(mut self) -> Sha256Hex {
        self.0.make_ascii_lowercase();
        self
    }

    /// The 64 digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        simdutf8::basic::from_utf8(&self.0).expect("hex digits are ASCII")
    }
}

impl fmt::Debug for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a raw value cannot be normalized.
///
/// Messages never contain the raw value (it is personal data) and contain no digits, so
/// they cannot echo a phone number or date by accident.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    /// The email address lacks a single `@`, a local part or a dotted domain.
    #[error("not an email address: needs one `@` and a dot in the domain")]
    NotAnEmail,
    /// The email address contains whitespace inside it.
    #[error("not an email address: contains a space")]
    EmailHasSpace,
    /// The phone value contains no digits at all.
    #[error("not a phone number: no digits")]
    PhoneNoDigits,
    /// A national phone number was given but no country is known to supply the calling code.
    #[error("phone number has no country calling code and the order has no known country")]
    PhoneNoCountry,
    /// The phone number cannot be parsed, e.g. an unknown country calling code.
    #[error("not a phone number: cannot be parsed")]
    PhoneUnparseable,
    /// A spreadsheet saved the number rounded, in scientific notation (`1.20156E+10`).
    #[error(
        "not a phone number: a spreadsheet rounded it to scientific notation, its digits are lost"
    )]
    PhoneSpreadsheetRounded,
    /// The phone number parsed but its length is impossible for its country.
    #[error("phone number has an impossible length for its country")]
    PhoneLength,
    /// The country is neither an ISO 3166-1 code nor a known English name.
    #[error("unknown country: expected a two- or three-letter code or an english name")]
    UnknownCountry,
    /// The gender is not a spelling of male, female or non-binary.
    #[error("unknown gender: expected `m`, `f` or `n`")]
    UnknownGender,
    /// The date of birth is in no recognised date layout.
    #[error("not a date of birth: unrecognised date format")]
    DateFormat,
    /// The date of birth has a day or month that does not exist.
    #[error("not a date of birth: no such calendar date")]
    NoSuchDate,
    /// The year of the date of birth is outside the plausible range.
    #[error("not a date of birth: year is not plausible")]
    ImplausibleYear,
}

impl Invalid {
    /// How to fix the problem, when that is known.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Invalid::NotAnEmail | Invalid::EmailHasSpace => None,
            Invalid::PhoneNoDigits => None,
            Invalid::PhoneNoCountry => Some("pass `--default-country` or add a country column"),
            Invalid::PhoneUnparseable => {
                Some("write international numbers with a leading `+` and the country code")
            }
            Invalid::PhoneLength => Some("check the number and the order's country"),
            Invalid::PhoneSpreadsheetRounded => Some(
                "export the orders again and do not re-save the file in Excel, or import the phone columns as text",
            ),
            Invalid::UnknownCountry => Some("use a two-letter code such as `us` or `gb`"),
            Invalid::UnknownGender => {
                Some("use `male`, `female` or `non-binary` (or `m`, `f`, `n`)")
            }
            Invalid::DateFormat => Some("write dates as `YYYY-MM-DD`"),
            Invalid::NoSuchDate | Invalid::ImplausibleYear => None,
        }
    }
}

/// Whether `s` is how Excel's "General" format saves a long number (`5.9011E+12`,
/// `1.20156E+10`): rounded to six digits, the rest lost.
pub fn spreadsheet_number(s: &str) -> bool {
    let Some((mantissa, exp)) = s.split_once(['E', 'e']) else {
        return false;
    };
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !exp.is_empty()
        && exp.bytes().all(|b| b.is_ascii_digit())
}

/// Normalizes `raw` for `field` into the exact form Pinterest hashes.
///
/// A value that is 64 hex digits after trimming is returned as [`Normalized::PreHashed`],
/// lowercased; a value with nothing left after normalization is [`Normalized::Empty`].
pub fn normalize(field: Field, raw: &str, ctx: &Context) -> Result<Normalized, Invalid> {
    let trimmed = trim(raw);
    if let Some(h) = Sha256Hex::from_hex(trimmed) {
        return Ok(Normalized::PreHashed(h.to_ascii_lowercase()));
    }
    let value = match field {
        Field::Em => text::email(trimmed)?,
        Field::Ph => phone::normalize(trimmed, ctx)?,
        Field::Fn | Field::Ln => text::name(trimmed),
        Field::Ge => text::gender(trimmed)?,
        Field::Db => date::normalize(trimmed)?,
        Field::Ct => text::city(trimmed),
        Field::St => geo::state(trimmed),
        Field::Zp => geo::zip(trimmed, ctx),
        Field::Country => match trimmed {
            "" => String::new(),
            _ => country_alpha2(trimmed)
                .ok_or(Invalid::UnknownCountry)?
                .to_owned(),
        },
        Field::ExternalId | Field::HashedMaids => text::identifier(trimmed),
    };
    Ok(if value.is_empty() {
        Normalized::Empty
    } else if let Some(h) = Sha256Hex::from_hex(&value) {
        // Only reachable when stripping punctuation left 64 hex digits; treating it as a
        // digest keeps normalization idempotent and never hashes a hash.
        Normalized::PreHashed(h)
    } else {
        Normalized::Value(value)
    })
}

/// Normalizes then hashes: `Ok(None)` when the value is empty after normalization; a value
/// already 64 hex digits passes through lowercased (never hashed twice).
pub fn hash(field: Field, raw: &str, ctx: &Context) -> Result<Option<String>, Invalid> {
    normalize(field, raw, ctx).map(Normalized::into_hash)
}

/// [`hash`] kept inline.
pub fn hash_digest(field: Field, raw: &str, ctx: &Context) -> Result<Option<Sha256Hex>, Invalid> {
    normalize(field, raw, ctx).map(Normalized::into_digest)
}

/// SHA-256 of `bytes` (of a text: its UTF-8 bytes), as 64 lowercase hex digits.
pub fn sha256_hex(bytes: impl AsRef<[u8]>) -> String {
    Sha256Hex::of(bytes).as_str().to_owned()
}

/// Whether `s` is exactly 64 hex digits (either case), the shape of a SHA-256 digest.
pub fn is_sha256_hex(s: &str) -> bool {
    Sha256Hex::from_hex(s).is_some()
}

/// Splits a full name ("Billing Name") into first and last name: the first word and the
/// rest. Both are trimmed; a missing part is `None`.
pub fn split_full_name(raw: &str) -> (Option<&str>, Option<&str>) {
    let raw = raw.trim();
    match raw.split_once(char::is_whitespace) {
        None if raw.is_empty() => (None, None),
        None => (Some(raw), None),
        Some((first, rest)) => {
            let rest = rest.trim();
            (Some(first), (!rest.is_empty()).then_some(rest))
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const US: Context<'static> = Context {
        country: Some("US"),
        default_country: None,
    };

    #[test]
    fn known_sha256_vectors() {
        assert_eq!(
            sha256_hex("test@example.com"),
            "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"
        );
        assert_eq!(
            sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // UTF-8 bytes: "é" is c3 a9.
        assert_eq!(sha256_hex("é"), sha256_hex("\u{e9}"));
        assert_ne!(sha256_hex("é"), sha256_hex("e\u{301}"));
    }

    #[test]
    fn hash_normalizes_first() {
        assert_eq!(
            hash(Field::Em, "  Test@Example.COM ", &US)
                .unwrap()
                .as_deref(),
            Some("973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b")
        );
        assert_eq!(
            hash(Field::Ph, "(201) 555-0123", &US).unwrap(),
            Some(sha256_hex("12015550123"))
        );
        assert_eq!(
            hash(Field::Country, "United States", &US).unwrap(),
            Some(sha256_hex("us"))
        );
        assert_eq!(hash(Field::Ge, "Male", &US).unwrap(), Some(sha256_hex("m")));
        assert_eq!(
            hash(Field::Ct, "Menlo Park", &US).unwrap(),
            Some(sha256_hex("menlopark"))
        );
    }

    #[test]
    fn empty_is_never_hashed() {
        for field in Field::ALL {
            assert_eq!(normalize(field, "", &US), Ok(Normalized::Empty), "{field}");
            assert_eq!(
                normalize(field, "   ", &US),
                Ok(Normalized::Empty),
                "{field}"
            );
            assert_eq!(hash(field, " \t ", &US), Ok(None), "{field}");
        }
        assert_eq!(normalize(Field::Ct, " - ", &US), Ok(Normalized::Empty));
        assert_eq!(normalize(Field::Zp, "'", &US), Ok(Normalized::Empty));
    }

    #[test]
    fn pre_hashed_passes_through_lowercased() {
        let upper = "973DFE463EC85785F5F95AF5BA3906EEDB2D931C24E69824A89EA65DBA4E813B";
        for field in Field::ALL {
            assert_eq!(
                normalize(field, &format!(" {upper} "), &US),
                Ok(Normalized::PreHashed(
                    Sha256Hex::from_hex(&upper.to_ascii_lowercase()).unwrap()
                )),
                "{field}"
            );
            assert_eq!(
                hash(field, upper, &Context::default()).unwrap().as_deref(),
                Some("973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b")
            );
        }
        // Punctuation around a digest is stripped by `ct`; the digest is still not rehashed.
        let spaced = "973dfe46 3ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b";
        assert!(matches!(
            normalize(Field::Ct, spaced, &US),
            Ok(Normalized::PreHashed(_))
        ));
    }

    #[test]
    fn sha256_shape() {
        assert!(is_sha256_hex(&sha256_hex("x")));
        assert!(is_sha256_hex(&"A".repeat(64)));
        assert!(!is_sha256_hex(&"a".repeat(63)));
        assert!(!is_sha256_hex(&"a".repeat(65)));
        assert!(!is_sha256_hex(&"g".repeat(64)));
        assert!(!is_sha256_hex(""));
    }

    #[test]
    fn field_keys_round_trip() {
        for field in Field::ALL {
            assert_eq!(Field::parse(field.key()), Some(field));
            assert_eq!(Field::parse(&field.key().to_uppercase()), Some(field));
            assert_eq!(field.to_string(), field.key());
        }
        for (name, field) in [
            ("email", Field::Em),
            ("E-Mail", Field::Em),
            ("phone", Field::Ph),
            ("first_name", Field::Fn),
            ("First Name", Field::Fn),
            ("last_name", Field::Ln),
            ("gender", Field::Ge),
            ("dob", Field::Db),
            ("birth_date", Field::Db),
            ("date_of_birth", Field::Db),
            ("city", Field::Ct),
            ("state", Field::St),
            ("zip", Field::Zp),
            ("postcode", Field::Zp),
            ("postal_code", Field::Zp),
            ("Country", Field::Country),
            ("external_id", Field::ExternalId),
            ("maid", Field::HashedMaids),
            ("madid", Field::HashedMaids),
        ] {
            assert_eq!(Field::parse(name), Some(field), "{name}");
        }
        for bad in [
            "",
            "name",
            "address",
            "emails please",
            "a_very_long_name_that_fits_no_buffer_at_all",
        ] {
            assert_eq!(Field::parse(bad), None, "{bad}");
        }
        let mut sorted = Field::ALL;
        sorted.sort();
        assert_eq!(sorted, Field::ALL);
    }

    #[test]
    fn field_rules_end_to_end() {
        let gb = Context {
            country: Some("gb"),
            default_country: None,
        };
        let v = |s: &str| Ok(Normalized::Value(s.to_owned()));
        assert_eq!(
            normalize(Field::Em, " Jane@Example.com", &US),
            v("jane@example.com")
        );
        assert_eq!(normalize(Field::Ph, "07700 900123", &gb), v("447700900123"));
        assert_eq!(normalize(Field::Fn, " Zoë ", &US), v("zoë"));
        assert_eq!(
            normalize(Field::Ln, "Van  Der Berg", &US),
            v("van der berg")
        );
        assert_eq!(normalize(Field::Ge, "Female", &US), v("f"));
        assert_eq!(normalize(Field::Db, "1990-01-02", &US), v("19900102"));
        assert_eq!(
            normalize(Field::Ct, "Saint-Étienne", &US),
            v("saintétienne")
        );
        assert_eq!(normalize(Field::St, "New York", &US), v("ny"));
        assert_eq!(normalize(Field::Zp, "'02759", &US), v("02759"));
        assert_eq!(normalize(Field::Zp, "SW1A 2AA", &gb), v("sw1a2aa"));
        assert_eq!(normalize(Field::Country, "USA", &US), v("us"));
        assert_eq!(
            normalize(Field::Country, "Narnia", &US),
            Err(Invalid::UnknownCountry)
        );
        assert_eq!(normalize(Field::ExternalId, " CUST-42 ", &US), v("cust-42"));
        assert_eq!(
            normalize(
                Field::HashedMaids,
                "AEBE52E7-03EE-455A-B3C4-E57283966239",
                &US
            ),
            v("aebe52e7-03ee-455a-b3c4-e57283966239")
        );
    }

    #[test]
    fn invalid_messages_follow_the_style() {
        let all = [
            Invalid::NotAnEmail,
            Invalid::EmailHasSpace,
            Invalid::PhoneNoDigits,
            Invalid::PhoneNoCountry,
            Invalid::PhoneUnparseable,
            Invalid::PhoneLength,
            Invalid::UnknownCountry,
            Invalid::UnknownGender,
            Invalid::DateFormat,
            Invalid::NoSuchDate,
            Invalid::ImplausibleYear,
        ];
        for invalid in all {
            let message = invalid.to_string();
            assert!(message.starts_with(|c: char| c.is_lowercase()), "{message}");
            assert!(!message.ends_with('.'), "{message}");
            assert!(!message.contains(|c: char| c.is_ascii_digit()), "{message}");
        }
        assert_eq!(
            Invalid::PhoneNoCountry.hint(),
            Some("pass `--default-country` or add a country column")
        );
    }

    #[test]
    fn spreadsheet_numbers() {
        for s in ["5.9011E+12", "1.20156E+10", "6E+12", "1.2e15", "5.9011E12"] {
            assert!(spreadsheet_number(s), "{s}");
        }
        for s in [
            "5901100000001",
            "#1001",
            "E+12",
            "1.2E+",
            "201-555-0123 ext 5",
            "1.2.3E+4",
            "",
        ] {
            assert!(!spreadsheet_number(s), "{s}");
        }
    }

    #[test]
    fn split_names() {
        assert_eq!(split_full_name("Jane Doe"), (Some("Jane"), Some("Doe")));
        assert_eq!(
            split_full_name("  Jane   van der  Berg "),
            (Some("Jane"), Some("van der  Berg"))
        );
        assert_eq!(split_full_name("Cher"), (Some("Cher"), None));
        assert_eq!(split_full_name("   "), (None, None));
        assert_eq!(split_full_name("Jane\tDoe"), (Some("Jane"), Some("Doe")));
    }

    #[test]
    fn context_region_prefers_the_order_country() {
        let ctx = Context {
            country: Some("Canada"),
            default_country: Some("US"),
        };
        assert_eq!(ctx.region(), Some("ca"));
        let ctx = Context {
            country: Some("??"),
            default_country: Some("United States"),
        };
        assert_eq!(ctx.region(), Some("us"));
        assert_eq!(Context::default().region(), None);
    }

    /// A few regions and a real-looking number of each: calling code plus a national
    /// number that libphonenumber considers valid (the tail is randomised).
    const PHONE_REGIONS: [(&str, &str, &str); 10] = [
        ("US", "1", "201555"),
        ("CA", "1", "416555"),
        ("GB", "44", "7911"),
        ("DE", "49", "30"),
        ("FR", "33", "6"),
        ("IT", "39", "06"),
        ("AU", "61", "4"),
        ("BR", "55", "119"),
        ("IN", "91", "98"),
        ("JP", "81", "90"),
    ];

    /// Phone strings in assorted national and international dress, with their region.
    fn phone_inputs() -> impl Strategy<Value = (String, &'static str)> {
        (
            0..PHONE_REGIONS.len(),
            proptest::collection::vec(0u8..10, 8),
            0..4usize,
        )
            .prop_filter_map("not a possible number", |(i, tail, dress)| {
                let (region, code, prefix) = PHONE_REGIONS[i];
                let nsn_len = if matches!(region, "FR" | "AU") { 9 } else { 10 };
                let mut nsn = prefix.to_owned();
                for d in tail.iter().take(nsn_len - prefix.len()) {
                    nsn.push(char::from(b'0' + d));
                }
                let id: phonenumber::country::Id = region.parse().ok()?;
                let number = phonenumber::parse(Some(id), format!("+{code}{nsn}")).ok()?;
                if !number.is_valid() {
                    return None;
                }
                let text = match dress {
                    0 => number
                        .format()
                        .mode(phonenumber::Mode::National)
                        .to_string(),
                    1 => number
                        .format()
                        .mode(phonenumber::Mode::International)
                        .to_string(),
                    2 => format!("'{}", number.format().mode(phonenumber::Mode::E164)),
                    _ => format!("{code}{nsn}"),
                };
                Some((text, region))
            })
    }

    fn any_field() -> impl Strategy<Value = Field> {
        proptest::sample::select(Field::ALL.to_vec())
    }

    fn contexts() -> impl Strategy<Value = Context<'static>> {
        let countries = proptest::option::of(proptest::sample::select(vec![
            "US", "gb", "Germany", "FRA", "Canada", "Narnia",
        ]));
        let defaults = proptest::option::of(proptest::sample::select(vec!["US", "GB"]));
        (countries, defaults).prop_map(|(country, default_country)| Context {
            country,
            default_country,
        })
    }

    /// Free text of the kind found in exports: letters with accents, digits, spaces,
    /// punctuation, `@`, `+`, apostrophes.
    fn messy_text() -> impl Strategy<Value = String> {
        "[ a-zA-Z0-9éÉüßøÅçñ.,'@+()/:_-]{0,40}"
    }

    fn emails() -> impl Strategy<Value = String> {
        "[ ]{0,2}[a-zA-Z0-9._%+-]{1,16}@[a-zA-Z0-9-]{1,12}\\.[a-zA-Z]{2,6}[ ]{0,2}"
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn normalize_is_idempotent(field in any_field(), raw in messy_text(), ctx in contexts()) {
            if let Ok(first) = normalize(field, &raw, &ctx) {
                let again = match &first {
                    Normalized::Value(v) => normalize(field, v, &ctx),
                    Normalized::PreHashed(h) => normalize(field, h.as_str(), &ctx),
                    Normalized::Empty => Ok(Normalized::Empty),
                };
                prop_assert_eq!(again, Ok(first));
            }
        }

        #[test]
        fn emails_are_idempotent(raw in emails()) {
            let first = normalize(Field::Em, &raw, &US).unwrap();
            let Normalized::Value(v) = &first else { panic!("{first:?}") };
            prop_assert_eq!(normalize(Field::Em, v, &US), Ok(first.clone()));
            prop_assert_eq!(v.to_lowercase(), v.clone());
        }

        #[test]
        fn hashes_are_lowercase_hex_or_none(field in any_field(), raw in messy_text(), ctx in contexts()) {
            if let Ok(Some(h)) = hash(field, &raw, &ctx) {
                prop_assert!(is_sha256_hex(&h));
                prop_assert_eq!(h.to_ascii_lowercase(), h);
            }
        }

        #[test]
        fn pre_hashed_passes_through(field in any_field(), digest in "[0-9a-fA-F]{64}", pad in "[ ]{0,3}", ctx in contexts()) {
            let raw = format!("{pad}{digest}{pad}");
            prop_assert_eq!(hash(field, &raw, &ctx), Ok(Some(digest.to_ascii_lowercase())));
        }

        #[test]
        fn errors_never_echo_the_value(
            field in any_field(),
            raw in prop_oneof![
                emails(),
                "[0-9 ()+.-]{3,20}",
                "[a-z]{1,8}[0-9]{1,4}[@./-]?[a-z]{0,8}",
                "[0-9]{1,2}[./-][0-9]{1,2}[./-][0-9]{2,4}",
            ],
            ctx in contexts(),
        ) {
            if let Err(invalid) = normalize(field, &raw, &ctx) {
                let message = invalid.to_string();
                prop_assert!(!message.contains(raw.trim()), "{} echoed in {}", raw, message);
                if let Some(hint) = invalid.hint() {
                    prop_assert!(!hint.contains(raw.trim()));
                }
            }
        }
    }

    proptest! {
        // Fewer cases: libphonenumber is slow in debug builds.
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn phones_are_idempotent((raw, region) in phone_inputs()) {
            let ctx = Context { country: Some(region), default_country: None };
            let first = normalize(Field::Ph, &raw, &ctx).unwrap();
            let Normalized::Value(v) = &first else { panic!("{first:?}") };
            prop_assert!(v.bytes().all(|b| b.is_ascii_digit()) && !v.starts_with('0'));
            prop_assert_eq!(normalize(Field::Ph, v, &ctx), Ok(first.clone()));
            // Valid E.164 digits are understood without any country too.
            prop_assert_eq!(normalize(Field::Ph, v, &Context::default()), Ok(first.clone()));
            // And under another country (a foreign customer of a US shop).
            prop_assert_eq!(normalize(Field::Ph, &format!("+{v}"), &US), Ok(first));
        }
    }
}
