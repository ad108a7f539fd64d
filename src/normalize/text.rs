//! Text helpers and the free-text fields: email, names, gender, city and plain identifiers.

use std::borrow::Cow;

use icu_normalizer::ComposingNormalizerBorrowed;

use super::Invalid;

/// `s` without leading and trailing whitespace, as `str::trim` gives it. Most cells are
/// empty, or start and end with a printable ASCII character, and are returned as they are
/// after a look at two bytes; only the others are decoded by `str::trim`.
#[must_use]
#[inline]
pub fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (None, _) => s,
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Unicode NFC, so that `é` typed as `e` + combining accent hashes like the precomposed `é`.
/// ASCII is always NFC and skips the normalizer.
pub(super) fn nfc(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        Cow::Borrowed(s)
    } else {
        ComposingNormalizerBorrowed::new_nfc().normalize(s)
    }
}

/// [`nfc`] for an owned string, reusing it when it already is NFC. Applied again after
/// lowercasing or dropping characters, which can leave combining marks out of canonical
/// order; that keeps normalization idempotent.
pub(super) fn nfc_string(s: String) -> String {
    if s.is_ascii() {
        return s;
    }
    let composed = match nfc(&s) {
        Cow::Owned(composed) => Some(composed),
        Cow::Borrowed(_) => None,
    };
    composed.unwrap_or(s)
}

/// Unicode lowercase letters and digits of `s` only, in NFC; everything else is dropped.
pub(super) fn lower_alphanumeric(s: &str) -> String {
    // ASCII (most cities, zips and states) is NFC, and its letters lowercase to one letter.
    if s.is_ascii() {
        // Sized once: collecting a filter would grow the string a byte at a time.
        let mut out = String::with_capacity(s.len());
        out.extend(
            s.bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
        return out;
    }
    nfc_string(
        nfc(s)
            .chars()
            .flat_map(char::to_lowercase)
            .filter(|c| c.is_alphanumeric())
            .collect(),
    )
}

/// Folds a lowercase Latin letter with a diacritic to its base letter (`é` → `e`), for
/// matching names against ASCII tables; other characters are returned unchanged.
pub(super) fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'ď' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ğ' => 'g',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => 'i',
        'ł' => 'l',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ř' => 'r',
        'ś' | 'š' | 'ş' => 's',
        'ť' | 'ţ' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

/// A lookup key for `s` in `buf`: lowercase ASCII letters and digits only, accents folded,
/// everything else (spaces, punctuation, underscores) dropped. `None` when `s` holds a
/// letter that does not fold to ASCII or the key does not fit in `buf`.
pub(super) fn ascii_key<'b>(s: &str, buf: &'b mut [u8]) -> Option<&'b str> {
    let mut len = 0;
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = fold_accent(c);
        if c.is_ascii_alphanumeric() {
            *buf.get_mut(len)? = c as u8;
            len += 1;
        } else if c.is_alphanumeric() {
            return None;
        }
    }
    // Only ASCII alphanumerics were written.
    std::str::from_utf8(&buf[..len]).ok()
}

/// `em`: trimmed, lowercase, and shaped like an address: one `@`, a non-empty local part,
/// a dot inside the domain (not first or last) and no whitespace.
pub(super) fn email(s: &str) -> Result<String, Invalid> {
    // Printable ASCII (almost every address) holds no invisible character and no
    // whitespace, is NFC, and lowercases byte by byte: only other text takes the scans.
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic()) {
        return address(s.to_ascii_lowercase());
    }
    email_unicode(s)
}

/// [`email`] of any text, ASCII or not.
fn email_unicode(s: &str) -> Result<String, Invalid> {
    // Invisible characters (a zero-width space pasted with the address, a control byte)
    // would make a different hash of the same address.
    let visible: String;
    let s = if s.chars().any(invisible) {
        visible = s.chars().filter(|c| !invisible(*c)).collect();
        visible.trim()
    } else {
        s
    };
    if s.is_empty() {
        return Ok(String::new());
    }
    let lower = nfc(s).to_lowercase();
    if lower.chars().any(char::is_whitespace) {
        return Err(Invalid::EmailHasSpace);
    }
    address(lower)
}

/// `lower` (an email lowercased, without whitespace) after its `mailto:` prefixes, if shaped
/// like an address, in NFC.
fn address(mut lower: String) -> Result<String, Invalid> {
    while lower.starts_with("mailto:") {
        lower.drain(.."mailto:".len());
    }
    // Byte searches: `@` and `.` are ASCII, so they cannot be part of another character.
    let at = memchr::memchr(b'@', lower.as_bytes()).ok_or(Invalid::NotAnEmail)?;
    let (local, domain) = (&lower.as_bytes()[..at], &lower.as_bytes()[at + 1..]);
    let dotted = memchr::memchr(b'.', domain).is_some()
        && !domain.starts_with(b".")
        && !domain.ends_with(b".");
    if local.is_empty() || memchr::memchr(b'@', domain).is_some() || !dotted {
        return Err(Invalid::NotAnEmail);
    }
    Ok(nfc_string(lower))
}

/// Control characters other than whitespace (a tab inside an address stays a space, which
/// is reported) and the invisible format characters (zero-width spaces and joiners, soft
/// hyphens, direction marks, byte-order marks, tag characters).
fn invisible(c: char) -> bool {
    c.is_control() && !c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

/// `fn`, `ln`: trimmed, Unicode lowercase with accents kept, inner whitespace collapsed to
/// single spaces.
pub(super) fn name(s: &str) -> String {
    // ASCII (most names) is NFC and lowercases byte by byte, in place.
    if s.is_ascii() {
        let mut out = String::with_capacity(s.len());
        for word in s.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
        out.make_ascii_lowercase();
        return out;
    }
    name_unicode(s)
}

/// [`name`] of any text, ASCII or not.
fn name_unicode(s: &str) -> String {
    let s = nfc(s);
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    nfc_string(out)
}

/// `ct`: Unicode lowercase, letters (accents kept) and digits only: `Menlo Park` →
/// `menlopark`, `Saint-Étienne` → `saintétienne`.
pub(super) fn city(s: &str) -> String {
    lower_alphanumeric(s)
}

/// `external_id`, `hashed_maids`: trimmed and lowercased.
pub(super) fn identifier(s: &str) -> String {
    nfc_string(nfc(s).to_lowercase())
}

/// `ge`: `m`, `f` or `n` from common spellings. Values that only say "unknown" give an
/// empty result (nothing to send) rather than an error.
pub(super) fn gender(s: &str) -> Result<String, Invalid> {
    let mut buf = [0u8; 32];
    let key = ascii_key(s, &mut buf).ok_or(Invalid::UnknownGender)?;
    let code = match key {
        "" => "",
        "m" | "male" | "man" | "mr" | "masculine" => "m",
        "f" | "female" | "woman" | "w" | "mrs" | "ms" | "miss" | "feminine" => "f",
        "n" | "nonbinary" | "x" | "diverse" | "other" => "n",
        "u" | "unknown" | "unspecified" | "notspecified" | "prefernottosay" | "na" => "",
        _ => return Err(Invalid::UnknownGender),
    };
    Ok(code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_key_folds_and_drops_punctuation() {
        let mut buf = [0u8; 32];
        assert_eq!(ascii_key(" Québec ", &mut buf), Some("quebec"));
        assert_eq!(ascii_key("First-Name", &mut buf), Some("firstname"));
        assert_eq!(ascii_key("date_of_birth", &mut buf), Some("dateofbirth"));
        assert_eq!(ascii_key("東京", &mut buf), None);
        let mut small = [0u8; 4];
        assert_eq!(ascii_key("abcde", &mut small), None);
        assert_eq!(ascii_key("abcd", &mut small), Some("abcd"));
    }

    #[test]
    fn email_lowercases_and_trims() {
        assert_eq!(
            email("Jane.Doe@Example.COM").unwrap(),
            "jane.doe@example.com"
        );
        assert_eq!(
            email("mailto:jane@example.com").unwrap(),
            "jane@example.com"
        );
        assert_eq!(email("").unwrap(), "");
        assert_eq!(email("JOSÉ@example.com").unwrap(), "josé@example.com");
    }

    #[test]
    fn email_drops_invisible_characters() {
        for raw in [
            "\u{200B}jane@example.com",
            "jane\u{200D}@example.com\u{FEFF}",
            "ja\u{0}ne@exa\u{7}mple.com",
            "\u{200B} jane@example.com\u{2060}",
            "jane@example\u{00AD}.com\r\n",
        ] {
            let got = email(raw).unwrap();
            assert_eq!(got, "jane@example.com", "{raw:?}");
            assert_eq!(email(&got).unwrap(), got);
        }
    }

    #[test]
    fn trim_agrees_with_str_trim_on_blank_and_edge_cells() {
        for cell in [
            "",
            " ",
            "\t\r\n",
            "\u{a0}",
            "\u{3000} \u{2003}",
            "a",
            " a",
            "a ",
            "\u{a0}x",
            "#1001",
            "é",
            "\u{feff}",
            "\u{200b}",
            "\u{7f}",
            "\u{1}",
        ] {
            assert_eq!(trim(cell), cell.trim(), "{cell:?}");
            assert_eq!(trim(cell).is_empty(), cell.trim().is_empty(), "{cell:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn trim_trims_as_str_trim_does(s in "[ a-z\\t\\n\\r\\u{b}\\u{c}\\u{a0}\\u{2003}\\u{3000}\\u{200b}\\u{85}é.-]{0,8}") {
            proptest::prop_assert_eq!(trim(&s), s.trim());
        }
    }

    proptest::proptest! {
        #[test]
        fn name_reads_as_the_char_scan_did(raw in "[A-Za-z' .\t\u{b}\u{c}\r\n\u{a0}\u{3000}éÉ-]{0,16}") {
            // The general path, applied to ASCII too, is how names read before the ASCII one.
            proptest::prop_assert_eq!(name(&raw), name_unicode(&raw));
        }

        #[test]
        fn email_reads_as_the_char_scan_did(
            raw in "(MAILTO:|mailto:)?[A-Za-z0-9._%+ \t\u{0}\u{7}\u{7f}\u{200b}\u{feff}é-]{0,12}@?[A-Za-z0-9.é-]{0,10}",
        ) {
            // The general path, applied to ASCII too, is how emails read before the ASCII one.
            proptest::prop_assert_eq!(email(&raw), email_unicode(&raw));
        }
    }

    #[test]
    fn email_rejects_bad_shapes() {
        for bad in [
            "jane",
            "@example.com",
            "jane@example",
            "jane@.example",
            "jane@example.",
            "jane@@example.com",
            "jane@doe@example.com",
            "jane@",
        ] {
            assert_eq!(email(bad), Err(Invalid::NotAnEmail), "{bad}");
        }
        assert_eq!(email("jane doe@example.com"), Err(Invalid::EmailHasSpace));
        assert_eq!(email("jane@exa\tmple.com"), Err(Invalid::EmailHasSpace));
    }

    #[test]
    fn ascii_lowercases_and_filters_as_unicode_does() {
        for raw in [
            "New York",
            "SAN-JOSÉ",
            "st. john's",
            "W1A 1AA",
            "",
            " 1-2_3 ",
            "Ab\tC\u{7f}d",
        ] {
            let unicode: String = nfc(raw)
                .chars()
                .flat_map(char::to_lowercase)
                .filter(|c| c.is_alphanumeric())
                .collect();
            assert_eq!(lower_alphanumeric(raw), nfc_string(unicode), "`{raw}`");
        }
    }

    #[test]
    fn names_keep_accents_and_collapse_space() {
        assert_eq!(name("  Zoë   Ann  "), "zoë ann");
        assert_eq!(name("ÉLODIE"), "élodie");
        assert_eq!(name("O'Brien-Smith"), "o'brien-smith");
        assert_eq!(name("Jo\u{0301}se"), "jóse", "combining accent is composed");
        assert_eq!(name("   "), "");
    }

    #[test]
    fn city_strips_space_and_punctuation() {
        assert_eq!(city("Menlo Park"), "menlopark");
        assert_eq!(city("Saint-Étienne"), "saintétienne");
        assert_eq!(city("Saint-E\u{0301}tienne"), "saintétienne");
        assert_eq!(city("St. Louis"), "stlouis");
        assert_eq!(city("München"), "münchen");
        assert_eq!(city("29 Palms"), "29palms");
        assert_eq!(city(" - "), "");
    }

    #[test]
    fn dropping_characters_keeps_canonical_order() {
        // Removing the `᧞` between two combining marks of different classes puts them side
        // by side, and NFC then reorders them; the output must already be in that order.
        let once = city("\u{c55}\u{19de}\u{16ff0}");
        assert_eq!(city(&once), once);
        assert_eq!(once, "\u{16ff0}\u{c55}");
    }

    #[test]
    fn identifiers_are_lowercased() {
        assert_eq!(identifier("CUST-00042"), "cust-00042");
        assert_eq!(
            identifier("AEBE52E7-03EE-455A-B3C4-E57283966239"),
            "aebe52e7-03ee-455a-b3c4-e57283966239"
        );
    }

    #[test]
    fn gender_spellings() {
        for (raw, want) in [
            ("M", "m"),
            ("male", "m"),
            ("Man", "m"),
            ("Mr.", "m"),
            ("masculine", "m"),
            ("F", "f"),
            ("FEMALE", "f"),
            ("woman", "f"),
            ("w", "f"),
            ("Mrs", "f"),
            ("Ms.", "f"),
            ("miss", "f"),
            ("feminine", "f"),
            ("n", "n"),
            ("Non-Binary", "n"),
            ("nonbinary", "n"),
            ("non binary", "n"),
            ("X", "n"),
            ("diverse", "n"),
            ("Other", "n"),
            ("", ""),
            ("unknown", ""),
            ("Prefer not to say", ""),
        ] {
            assert_eq!(gender(raw).as_deref(), Ok(want), "{raw}");
        }
        for bad in ["q", "males", "yes", "漢"] {
            assert_eq!(gender(bad), Err(Invalid::UnknownGender), "{bad}");
        }
    }
}
