//! What a server says is never trusted to be clean: emails and phone numbers in its text are
//! replaced before anything is printed or stored (the token is scrubbed by the client, the
//! only place that knows it, in [`super::Client::redact`]).

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// Something shaped like an email address.
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+").expect("email pattern")
});

/// A candidate phone number: digits with spaces, dots, dashes or brackets between them,
/// optionally after a `+`. [`phone_like`] decides.
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\+?\(?\d[\d(). \-]{5,}\d").expect("phone pattern"));

/// An ISO date (`2026-11-21`), which [`PHONE`] would otherwise take for a number.
static DATE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d{4}-\d{2}-\d{2}").expect("date"));

/// A dotted IPv4 address (`192.168.100.200`, say in a connection error), likewise.
static IPV4: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{1,3}(?:\.\d{1,3}){3}$").expect("ipv4"));

/// Whether a [`PHONE`] match is shaped like a phone number rather than an id, a timestamp, a
/// date or an amount: 7 to 15 digits, and a `+` or a separator between digit groups (a plain
/// run of digits is far more often an ad account id or a Unix time in Pinterest's messages).
fn phone_like(m: &str) -> bool {
    let digits = m.bytes().filter(u8::is_ascii_digit).count();
    if !(7..=15).contains(&digits) || DATE.is_match(m) || IPV4.is_match(m.trim()) {
        return false;
    }
    let trimmed = m.trim();
    let separated = trimmed
        .bytes()
        .any(|b| matches!(b, b' ' | b'-' | b'(' | b')' | b'.'));
    // `1234.5678` is an amount, not a number to call.
    let decimal = trimmed.bytes().filter(|b| *b == b'.').count() == 1
        && trimmed.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    (trimmed.starts_with('+') || separated) && !decimal
}

/// `text` with every email replaced by `[email]` and every phone number by `[phone]`.
#[must_use]
pub fn pii(text: &str) -> Cow<'_, str> {
    let out = EMAIL.replace_all(text, "[email]");
    if !PHONE.is_match(&out) {
        return out;
    }
    let replaced = PHONE.replace_all(&out, |c: &regex::Captures<'_>| {
        let m = &c[0];
        if phone_like(m) {
            // Keep the spacing around the number as it was.
            let lead = &m[..m.len() - m.trim_start().len()];
            format!("{lead}[phone]")
        } else {
            m.to_owned()
        }
    });
    Cow::Owned(replaced.into_owned())
}

#[cfg(test)]
mod tests {
    use super::pii;

    #[test]
    fn emails_and_phones_are_replaced() {
        for (raw, clean) in [
            (
                "unknown user Jane.Doe+shop@mail.example.com here",
                "unknown user [email] here",
            ),
            ("call +1 (555) 555-0199 now", "call [phone] now"),
            ("call 555-0199", "call [phone]"),
            ("call 555.555.0199.", "call [phone]."),
            ("+15555550199", "[phone]"),
        ] {
            assert_eq!(pii(raw), clean, "{raw}");
        }
    }

    #[test]
    fn ids_times_dates_and_amounts_stay() {
        for text in [
            "Invalid request: 'value' is not a number (code 4196)",
            "ad account 549769530006 not found",
            "event_time 1763719200 is older than 7 days",
            "event_time 2026-11-21T10:00:00Z is in the future",
            "value 1234.5678 has too many decimals",
            "1000 events received",
            "error sending request for url (http://192.168.100.200:8080/v5/ad_accounts/1/events)",
        ] {
            assert_eq!(pii(text), text);
        }
    }
}
