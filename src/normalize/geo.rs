//! Places and money: countries, states and provinces, zip codes, currencies.

use celes::Country;
use std::sync::OnceLock;

use iso_currency::Currency;

use super::text::{ascii_key, lower_alphanumeric};
use super::Context;

/// Every two-letter lowercase string `aa`..`zz` back to back, so an alpha-2 code can be
/// returned as `&'static str` without allocating or leaking.
static ALPHA2_LOWER: [u8; 26 * 26 * 2] = {
    let mut table = [0u8; 26 * 26 * 2];
    let mut i = 0;
    while i < 26 * 26 {
        table[2 * i] = b'a' + (i / 26) as u8;
        table[2 * i + 1] = b'a' + (i % 26) as u8;
        i += 1;
    }
    table
};

/// The lowercase `&'static str` for a two-letter ASCII code in either case.
fn lower_alpha2(code: &str) -> Option<&'static str> {
    let [a, b] = code.as_bytes() else { return None };
    if !a.is_ascii_alphabetic() || !b.is_ascii_alphabetic() {
        return None;
    }
    let index = usize::from(a.to_ascii_lowercase() - b'a') * 26
        + usize::from(b.to_ascii_lowercase() - b'a');
    std::str::from_utf8(&ALPHA2_LOWER[2 * index..2 * index + 2]).ok()
}

/// ISO 3166-1 alpha-2, lowercase, from an alpha-2 or alpha-3 code or an English name,
/// including common aliases (`USA`, `UK`, `Great Britain`, `Holland`, `South Korea`, ...).
/// Case, spaces, punctuation and accents do not matter; a leading "the" is optional.
pub fn country_alpha2(raw: &str) -> Option<&'static str> {
    let mut buf = [0u8; 64];
    let key = ascii_key(raw, &mut buf)?;
    match short_key_slot(key) {
        Some(slot) => *SHORT_KEYS[slot].get_or_init(|| country_of_key(key)),
        None => country_of_key(key),
    }
}

/// What [`country_of_key`] says of each key of two or three letters (`us`, `usa`, `uk`),
/// worked out once: `celes` compares a code against each country in turn, and every order
/// with a country asks, mostly in these forms.
static SHORT_KEYS: [OnceLock<Option<&'static str>>; 26 * 26 + 26 * 26 * 26] =
    [const { OnceLock::new() }; 26 * 26 + 26 * 26 * 26];

/// The place of a key of two or three lowercase ASCII letters in [`SHORT_KEYS`].
fn short_key_slot(key: &str) -> Option<usize> {
    let letter = |b: &u8| b.is_ascii_lowercase().then(|| usize::from(b - b'a'));
    match key.as_bytes() {
        [a, b] => Some(letter(a)? * 26 + letter(b)?),
        [a, b, c] => Some(26 * 26 + (letter(a)? * 26 + letter(b)?) * 26 + letter(c)?),
        _ => None,
    }
}

/// [`country_alpha2`] of a key as [`ascii_key`] writes it.
fn country_of_key(key: &str) -> Option<&'static str> {
    // Common names that are neither ISO codes nor in the `celes` alias table.
    let alias = match key {
        "uk" | "wales" => Some("gb"),
        "uae" => Some("ae"),
        "korea" | "korearepublicof" => Some("kr"),
        "drc" | "drcongo" | "congokinshasa" => Some("cd"),
        "republicofthecongo" | "congobrazzaville" => Some("cg"),
        "republicofireland" => Some("ie"),
        "unitedstatesvirginislands" | "usvirginislands" => Some("vi"),
        "sintmaarten" => Some("sx"),
        _ => endonym(key),
    };
    if alias.is_some() {
        return alias;
    }
    let country = match key.len() {
        2 => Country::from_alpha2(key).ok(),
        3 => Country::from_alpha3(key).ok(),
        _ => None,
    }
    .or_else(|| Country::from_alias(key).ok())
    .or_else(|| Country::from_name(key).ok())
    .or_else(|| {
        // `celes` spells some official names with a leading "the" and some without.
        let bare = key.strip_prefix("the")?;
        Country::from_alias(bare)
            .or_else(|_| Country::from_name(bare))
            .ok()
    })
    .or_else(|| {
        let mut with_the = [0u8; 67];
        with_the[..3].copy_from_slice(b"the");
        with_the[3..3 + key.len()].copy_from_slice(key.as_bytes());
        let with_the = std::str::from_utf8(&with_the[..3 + key.len()]).ok()?;
        Country::from_name(with_the).ok()
    })?;
    lower_alpha2(country.alpha2)
}

/// Country names as European shops write them in their own language (accents already
/// folded: `Österreich` is `osterreich`), for the countries such exports mostly hold.
fn endonym(key: &str) -> Option<&'static str> {
    Some(match key {
        "deutschland" | "allemagne" | "alemania" | "germania" | "duitsland" | "niemcy" => "de",
        "osterreich" | "autriche" | "austria" | "oostenrijk" => "at",
        "schweiz" | "suisse" | "svizzera" | "svizra" | "zwitserland" | "suiza" => "ch",
        "frankreich" | "francia" | "frankrijk" | "francja" => "fr",
        "espana" | "spanien" | "espagne" | "spagna" | "spanje" | "hiszpania" => "es",
        "italia" | "italien" | "italie" | "wlochy" => "it",
        "nederland" | "niederlande" | "paysbas" | "paesibassi" | "paisesbajos" => "nl",
        "belgie" | "belgique" | "belgien" | "belgio" | "belgica" => "be",
        "luxemburg" | "luxembourg" | "lussemburgo" => "lu",
        "polska" | "polen" | "pologne" | "polonia" => "pl",
        "cesko" | "ceskarepublika" | "tschechien" => "cz",
        "slovensko" | "slowakei" => "sk",
        "magyarorszag" | "ungarn" => "hu",
        "danmark" | "danemark" | "danimarca" | "dinamarca" | "denemarken" => "dk",
        "sverige" | "schweden" | "suede" | "svezia" | "suecia" | "zweden" => "se",
        "norge" | "norwegen" | "norvege" | "noorwegen" => "no",
        "suomi" | "finnland" => "fi",
        "eire" | "irland" | "irlande" | "irlanda" | "ierland" => "ie",
        "grossbritannien"
        | "vereinigteskonigreich"
        | "royaumeuni"
        | "reinounido"
        | "regnounito"
        | "verenigdkoninkrijk" => "gb",
        "vereinigtestaaten" | "etatsunis" | "estadosunidos" | "statiuniti" => "us",
        "brasil" | "brasilien" => "br",
        "hrvatska" | "kroatien" => "hr",
        "slovenija" | "slowenien" => "si",
        "ellada" | "griechenland" | "grece" => "gr",
        "turkiye" | "turkei" => "tr",
        _ => return None,
    })
}

/// The ISO 4217 code, uppercase, if `raw` (any case, trimmed) is a real, active currency
/// code. Superseded codes (`HRK`) and special ones (`XXX`, `XAU`, `XTS`) are not.
pub fn currency_code(raw: &str) -> Option<&'static str> {
    let currency = currency(super::trim(raw).as_bytes())?;
    (!currency.is_special() && currency.is_superseded().is_none()).then(|| currency.code())
}

/// The minor-unit exponent of a code in any case, trimmed, from the table below; 2 when
/// unknown. This is the one table every stage asks, through `money::decimals`.
#[must_use]
pub fn currency_exponent(raw: &str) -> u32 {
    currency(super::trim(raw).as_bytes())
        .and_then(Currency::exponent)
        .map_or(2, u32::from)
}

/// Every three-letter code, looked up once: `Currency::from_code` compares against each code
/// in turn, and every money cell asks.
static CURRENCIES: [OnceLock<Option<Currency>>; 26 * 26 * 26] =
    [const { OnceLock::new() }; 26 * 26 * 26];

/// The currency of a three-letter code in either case, in constant time.
fn currency(code: &[u8]) -> Option<Currency> {
    let [a, b, c] = code else { return None };
    let upper = [
        a.to_ascii_uppercase(),
        b.to_ascii_uppercase(),
        c.to_ascii_uppercase(),
    ];
    if !upper.iter().all(u8::is_ascii_uppercase) {
        return None;
    }
    let slot = upper.iter().fold(0, |i, l| i * 26 + usize::from(l - b'A'));
    *CURRENCIES[slot].get_or_init(|| Currency::from_code(std::str::from_utf8(&upper).ok()?))
}

/// US states, territories and military "states", Canadian provinces and territories, and
/// Australian states, by name (as an [`ascii_key`]) to their postal abbreviation.
fn state_by_name(key: &str) -> Option<&'static str> {
    Some(match key {
        "alabama" => "al",
        "alaska" => "ak",
        "arizona" => "az",
        "arkansas" => "ar",
        "california" => "ca",
        "colorado" => "co",
        "connecticut" => "ct",
        "delaware" => "de",
        "districtofcolumbia" | "washingtondc" => "dc",
        "florida" => "fl",
        "georgia" => "ga",
        "hawaii" => "hi",
        "idaho" => "id",
        "illinois" => "il",
        "indiana" => "in",
        "iowa" => "ia",
        "kansas" => "ks",
        "kentucky" => "ky",
        "louisiana" => "la",
        "maine" => "me",
        "maryland" => "md",
        "massachusetts" => "ma",
        "michigan" => "mi",
        "minnesota" => "mn",
        "mississippi" => "ms",
        "missouri" => "mo",
        "montana" => "mt",
        "nebraska" => "ne",
        "nevada" => "nv",
        "newhampshire" => "nh",
        "newjersey" => "nj",
        "newmexico" => "nm",
        "newyork" | "newyorkstate" => "ny",
        "northcarolina" => "nc",
        "northdakota" => "nd",
        "ohio" => "oh",
        "oklahoma" => "ok",
        "oregon" => "or",
        "pennsylvania" => "pa",
        "rhodeisland" => "ri",
        "southcarolina" => "sc",
        "southdakota" => "sd",
        "tennessee" => "tn",
        "texas" => "tx",
        "utah" => "ut",
        "vermont" => "vt",
        "virginia" => "va",
        "washington" | "washingtonstate" => "wa",
        "westvirginia" => "wv",
        "wisconsin" => "wi",
        "wyoming" => "wy",
        "americansamoa" => "as",
        "guam" => "gu",
        "northernmarianaislands" => "mp",
        "puertorico" => "pr",
        "usvirginislands" | "virginislands" | "unitedstatesvirginislands" => "vi",
        "unitedstatesminoroutlyingislands" => "um",
        "armedforcesamericas" => "aa",
        "armedforceseurope" => "ae",
        "armedforcespacific" => "ap",
        "alberta" => "ab",
        "britishcolumbia" => "bc",
        "manitoba" => "mb",
        "newbrunswick" => "nb",
        "newfoundlandandlabrador" | "newfoundland" => "nl",
        "novascotia" => "ns",
        "northwestterritories" => "nt",
        "nunavut" => "nu",
        "ontario" => "on",
        "princeedwardisland" => "pe",
        "quebec" => "qc",
        "saskatchewan" => "sk",
        "yukon" | "yukonterritory" => "yt",
        "newsouthwales" => "nsw",
        "victoria" => "vic",
        "queensland" => "qld",
        "westernaustralia" => "wa",
        "southaustralia" => "sa",
        "tasmania" => "tas",
        "australiancapitalterritory" => "act",
        "northernterritory" => "nt",
        _ => return None,
    })
}

/// `st`: a lowercase state code. US state, Canadian province and Australian state names
/// become their codes (`New York` → `ny`, `Québec` → `qc`), ISO 3166-2 codes lose their
/// country prefix (`US-NY` → `ny`); anything else is lowercased with non-alphanumerics
/// removed.
pub(super) fn state(s: &str) -> String {
    if let Some((country, sub)) = s.split_once('-') {
        let iso = country.len() == 2
            && country_alpha2(country).is_some()
            && (1..=3).contains(&sub.len())
            && sub.bytes().all(|b| b.is_ascii_alphanumeric());
        if iso {
            return sub.to_ascii_lowercase();
        }
    }
    let mut buf = [0u8; 64];
    if let Some(code) = ascii_key(s, &mut buf).and_then(state_by_name) {
        return code.to_owned();
    }
    lower_alphanumeric(s)
}

/// Countries whose postal codes are US ZIP codes.
fn uses_us_zip(region: &str) -> bool {
    matches!(region, "us" | "pr" | "vi" | "gu" | "as" | "mp" | "um")
}

/// `zp`: lowercase letters and digits only. A leading spreadsheet apostrophe goes, US
/// ZIP+4 keeps its first five digits, and for a US order a ZIP of three or four digits (a
/// spreadsheet dropped its leading zeros) is padded back to five. Alphanumeric postcodes
/// keep their letters: `SW1A 2AA` → `sw1a2aa`.
pub(super) fn zip(s: &str, ctx: &Context) -> String {
    let s = s.trim_start_matches('\'').trim();
    let mut out = lower_alphanumeric(s);
    let digits_only = out.bytes().all(|b| b.is_ascii_digit());
    if !digits_only {
        return out;
    }
    let us = ctx.region().is_some_and(uses_us_zip);
    if is_zip_plus_four(s) || (us && out.len() == 9) {
        out.truncate(5);
    } else if us && (3..5).contains(&out.len()) {
        out.insert_str(0, &"00"[..5 - out.len()]);
    }
    out
}

/// `12345-6789` or `12345 6789`.
fn is_zip_plus_four(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && matches!(b[5], b'-' | b' ')
        && b[..5].iter().chain(&b[6..]).all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_short_key_has_a_slot_of_its_own_and_its_answer_is_the_slow_one() {
        let letters = || (b'a'..=b'z').map(char::from);
        let mut keys: Vec<String> = letters()
            .flat_map(|a| letters().map(move |b| format!("{a}{b}")))
            .collect();
        let twos = keys.clone();
        keys.extend(
            twos.iter()
                .flat_map(|ab| letters().map(move |c| format!("{ab}{c}"))),
        );
        let mut used = vec![false; SHORT_KEYS.len()];
        for key in &keys {
            let slot = short_key_slot(key).unwrap();
            assert!(
                !std::mem::replace(&mut used[slot], true),
                "{key} shares {slot}"
            );
            // Twice: once filling the slot, once reading it; both in any case.
            assert_eq!(country_alpha2(key), country_of_key(key), "{key}");
            assert_eq!(
                country_alpha2(&key.to_uppercase()),
                country_of_key(key),
                "{key}"
            );
        }
        assert!(used.iter().all(|u| *u));
        for other in ["u", "usab", "u1", "1s", "", "us "] {
            assert_eq!(short_key_slot(other), None, "{other:?}");
        }
        assert_eq!(country_alpha2("USA"), Some("us"));
        assert_eq!(country_alpha2("U.K."), Some("gb"));
        assert_eq!(country_alpha2("zz"), None);
    }

    #[test]
    fn alpha2_table_is_complete() {
        assert_eq!(lower_alpha2("AA"), Some("aa"));
        assert_eq!(lower_alpha2("zZ"), Some("zz"));
        assert_eq!(lower_alpha2("Gb"), Some("gb"));
        assert_eq!(lower_alpha2("g1"), None);
        assert_eq!(lower_alpha2("gbr"), None);
    }

    #[test]
    fn countries_from_codes_and_names() {
        for (raw, want) in [
            ("US", "us"),
            ("us", "us"),
            ("USA", "us"),
            ("U.S.A.", "us"),
            ("U.S.", "us"),
            ("United States", "us"),
            ("United States of America", "us"),
            ("the United States", "us"),
            ("America", "us"),
            ("UK", "gb"),
            ("GB", "gb"),
            ("GBR", "gb"),
            ("Great Britain", "gb"),
            ("United Kingdom", "gb"),
            ("England", "gb"),
            ("Wales", "gb"),
            ("Germany", "de"),
            ("DEU", "de"),
            ("The Netherlands", "nl"),
            ("Netherlands", "nl"),
            ("Holland", "nl"),
            ("South Korea", "kr"),
            ("Korea", "kr"),
            ("Russia", "ru"),
            ("Russian Federation", "ru"),
            ("Côte d'Ivoire", "ci"),
            ("Ivory Coast", "ci"),
            ("Curaçao", "cw"),
            ("Réunion", "re"),
            ("Viet Nam", "vn"),
            ("Vietnam", "vn"),
            ("Bahamas", "bs"),
            ("the Bahamas", "bs"),
            ("Philippines", "ph"),
            ("Czech Republic", "cz"),
            ("Czechia", "cz"),
            ("  canada  ", "ca"),
            ("New Zealand", "nz"),
            ("UAE", "ae"),
            ("United Arab Emirates", "ae"),
            ("Türkiye", "tr"),
            ("Turkey", "tr"),
        ] {
            assert_eq!(country_alpha2(raw), Some(want), "{raw}");
        }
        for bad in [
            "",
            "U",
            "Narnia",
            "ZZ",
            "XYZ",
            "840",
            "日本",
            "Unitedstatesx",
        ] {
            assert_eq!(country_alpha2(bad), None, "{bad}");
        }
    }

    #[test]
    fn countries_in_their_own_language() {
        for (raw, want) in [
            ("Deutschland", "de"),
            ("Österreich", "at"),
            ("Schweiz", "ch"),
            ("España", "es"),
            ("Belgique", "be"),
            ("Česko", "cz"),
            ("Vereinigtes Königreich", "gb"),
            ("Türkiye", "tr"),
        ] {
            assert_eq!(country_alpha2(raw), Some(want), "{raw}");
        }
    }

    #[test]
    fn currencies() {
        assert_eq!(currency_exponent("USD"), 2);
        assert_eq!(currency_exponent("JPY"), 0);
        assert_eq!(currency_exponent("KWD"), 3);
        assert_eq!(currency_code("usd"), Some("USD"));
        assert_eq!(currency_code(" EUR "), Some("EUR"));
        assert_eq!(currency_code("Gbp"), Some("GBP"));
        assert_eq!(currency_code("JPY"), Some("JPY"));
        for bad in [
            "", "US", "USDD", "ABC", "HRK", "XXX", "XTS", "XAU", "€", "1.5",
        ] {
            assert_eq!(currency_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn states_by_code_name_and_iso() {
        for (raw, want) in [
            ("NY", "ny"),
            ("ny", "ny"),
            ("New York", "ny"),
            ("new york", "ny"),
            ("CALIFORNIA", "ca"),
            ("District of Columbia", "dc"),
            ("Québec", "qc"),
            ("Quebec", "qc"),
            ("QC", "qc"),
            ("Newfoundland and Labrador", "nl"),
            ("Puerto Rico", "pr"),
            ("US-NY", "ny"),
            ("us-ca", "ca"),
            ("CA-QC", "qc"),
            ("AU-NSW", "nsw"),
            ("New South Wales", "nsw"),
            ("Western Australia", "wa"),
            ("N.Y.", "ny"),
            ("Île-de-France", "îledefrance"),
            ("Bayern", "bayern"),
            ("", ""),
        ] {
            assert_eq!(state(raw), want, "{raw}");
        }
    }

    #[test]
    fn zips() {
        let us = Context {
            country: Some("United States"),
            default_country: None,
        };
        let gb = Context {
            country: Some("GB"),
            default_country: None,
        };
        let none = Context::default();
        let default_us = Context {
            country: Some("Narnia"),
            default_country: Some("usa"),
        };
        for (raw, ctx, want) in [
            ("94025", &us, "94025"),
            ("'02759", &us, "02759"),
            ("'02759", &none, "02759"),
            ("2759", &us, "02759"),
            ("2759", &default_us, "02759"),
            ("501", &us, "00501"),
            ("2759", &none, "2759"),
            ("2759", &gb, "2759"),
            ("94025-1234", &none, "94025"),
            ("94025 1234", &gb, "94025"),
            ("940251234", &us, "94025"),
            ("940251234", &none, "940251234"),
            ("SW1A 2AA", &gb, "sw1a2aa"),
            ("K1A 0B1", &none, "k1a0b1"),
            ("1234 AB", &none, "1234ab"),
            ("-", &us, ""),
        ] {
            assert_eq!(zip(raw, ctx), want, "{raw} {ctx:?}");
        }
    }
}
