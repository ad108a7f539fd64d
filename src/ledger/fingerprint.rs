//! Event fingerprints (what was sent) and the decision of what to do with an event next.

use serde::Serialize;
use serde_json::Value;

use super::Entry;
use crate::normalize::sha256_hex;

/// The SHA-256, as 64 lowercase hex digits, of the event's canonical JSON bytes.
///
/// Canonical means: objects with their keys sorted (by bytes), no insignificant whitespace,
/// strings and numbers as `serde_json` writes them. Two texts of the same event that differ
/// only in key order or spacing therefore get the same fingerprint. Text that is not valid
/// JSON is hashed as given, so the function never fails.
#[must_use]
pub fn fingerprint(event_json: &str) -> String {
    match serde_json::from_str::<Value>(event_json) {
        Ok(value) => fingerprint_value(&value),
        Err(_) => sha256_hex(event_json),
    }
}

/// The prefix of the fingerprints `send` records: [`fingerprint_exact`].
const XXH3_PREFIX: &str = "xxh3:";

/// The fingerprint `send` records: `xxh3:` and the XXH3-128 hash of the event's bytes exactly
/// as sent, in 32 lowercase hex digits. Events pinconv builds are already canonical (fixed
/// field order, compact, no clock), so hashing them as they are gives the same answer for the
/// same input on every run, without re-parsing each event on the send path.
///
/// The fingerprint only tells whether an event changed since it was sent, so it needs no
/// cryptographic hash, and a send hashes every byte of every event: XXH3-128 takes a quarter
/// of SHA-256's time (with the CPU's SHA instructions) on events of 1.1 KB. Ledgers of
/// earlier builds hold the SHA-256 of the same bytes (64 hex digits); [`classify`] still
/// recognises those.
#[must_use]
pub fn fingerprint_exact(event_json: &str) -> String {
    let hash = xxhash_rust::xxh3::xxh3_128(event_json.as_bytes());
    let mut hex = [0u8; 32];
    let digits =
        const_hex::encode_to_str(hash.to_be_bytes(), &mut hex).expect("32 hex digits for 16 bytes");
    let mut out = String::with_capacity(XXH3_PREFIX.len() + digits.len());
    out.push_str(XXH3_PREFIX);
    out.push_str(digits);
    out
}

/// Whether `recorded`, a fingerprint from the ledger, is that of the event whose bytes are
/// `event_json` and whose [`fingerprint_exact`] is `current`. A fingerprint that earlier builds
/// recorded (the SHA-256 of the same bytes, 64 lowercase hex digits) is checked against the
/// SHA-256 of `event_json`, worked out only then.
fn same_content(recorded: &str, current: &str, event_json: &str) -> bool {
    // Only a text of the SHA-256's length is worth hashing for.
    recorded == current || (recorded.len() == 64 && recorded == sha256_hex(event_json))
}

/// [`fingerprint`] of an already parsed event, without a round trip through text.
#[must_use]
pub fn fingerprint_value(event: &Value) -> String {
    let mut canonical = Vec::with_capacity(512);
    write_canonical(event, &mut canonical);
    sha256_hex(&canonical)
}

fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(&Value::String(key.clone()), out);
                out.push(b':');
                write_canonical(item, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        scalar => write_scalar(scalar, out),
    }
}

fn write_scalar(value: &Value, out: &mut Vec<u8>) {
    // Serialising a JSON value into a Vec has no failure path (no I/O, no non-string keys).
    serde_json::to_writer(out, value).expect("a JSON scalar always serialises");
}

/// What to do with an event, given what the ledger knows about its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// The ledger has never seen this key: send it.
    New,
    /// Pinterest accepted exactly this content before: skip it.
    AlreadySent,
    /// Pinterest accepted this key before, with different content. Whether to send it again
    /// is the caller's policy (Pinterest deduplicates on `event_id`).
    Changed {
        /// The fingerprint of the accepted version.
        previous_fingerprint: String,
    },
    /// The key was sent before and failed, and was never accepted: send it again.
    RetryFailed,
}

/// Decides what to do with an event whose ledger entry is `entry`, whose bytes are
/// `event_json` and whose current fingerprint is `fingerprint` ([`fingerprint_exact`] of them).
/// The bytes are only read for an entry an earlier build recorded with a SHA-256 fingerprint.
///
/// An acceptance outranks a failure: a key that was accepted and later failed with changed
/// content is still compared against the accepted version.
#[must_use]
pub fn classify(entry: Option<&Entry>, fingerprint: &str, event_json: &str) -> Decision {
    match entry {
        None => Decision::New,
        Some(entry) if entry.accepted_at.is_some() => {
            if same_content(&entry.fingerprint, fingerprint, event_json) {
                Decision::AlreadySent
            } else {
                Decision::Changed {
                    previous_fingerprint: entry.fingerprint.clone(),
                }
            }
        }
        Some(_) => Decision::RetryFailed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_fingerprint_hashes_the_bytes_as_sent() {
        let built = r#"{"event_name":"checkout","event_id":"1"}"#;
        // `python3 -c 'import xxhash; print(xxhash.xxh3_128_hexdigest(b"..."))'`
        assert_eq!(
            fingerprint_exact(built),
            "xxh3:f440659ecc160f2b3653aee7ac591fd3"
        );
        assert_eq!(
            fingerprint_exact(""),
            "xxh3:99aa06d3014798d86001c324468d497f"
        );
        assert_ne!(
            fingerprint_exact(built),
            fingerprint_exact(r#"{"event_id":"1","event_name":"checkout"}"#)
        );
    }
    use proptest::prelude::*;

    fn is_lower_hex_64(s: &str) -> bool {
        s.len() == 64
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    #[test]
    fn fingerprint_is_sha256_of_canonical_bytes() {
        // `printf '{}' | sha256sum`
        assert_eq!(
            fingerprint("{ }"),
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        // `printf '{"a":1,"b":[true,null,"x"]}' | sha256sum`
        assert_eq!(
            fingerprint(r#"{ "b": [true, null, "x"],  "a": 1 }"#),
            "eca8cfb31ab74533e1eb2f4c74d2d55dfe3c79ac704787e54be8647ea7777eb1"
        );
    }

    #[test]
    fn key_order_and_whitespace_do_not_matter_but_values_do() {
        let a = fingerprint(
            r#"{"event_name":"checkout","custom_data":{"value":"12.30","currency":"USD"}}"#,
        );
        let b = fingerprint(
            "{\n  \"custom_data\": {\"currency\": \"USD\", \"value\": \"12.30\"},\n  \"event_name\": \"checkout\"\n}",
        );
        let c = fingerprint(
            r#"{"event_name":"checkout","custom_data":{"value":"12.31","currency":"USD"}}"#,
        );
        assert_eq!(a, b);
        assert_ne!(a, c);
        // Arrays keep their order.
        assert_ne!(fingerprint("[1,2]"), fingerprint("[2,1]"));
    }

    #[test]
    fn invalid_json_is_hashed_as_given() {
        assert_eq!(fingerprint("not json"), sha256_hex("not json"));
        assert_ne!(fingerprint("not json"), fingerprint("not  json"));
    }

    proptest! {
        #[test]
        fn fingerprint_is_64_lower_hex_and_stable(name in "[a-z_]{1,12}", id in "[ -~]{0,40}", value in any::<i64>()) {
            let text = serde_json::json!({"event_name": name, "event_id": id, "value": value}).to_string();
            let fp = fingerprint(&text);
            prop_assert!(is_lower_hex_64(&fp), "{fp}");
            prop_assert_eq!(&fp, &fingerprint(&text));
            let value: Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(fp, fingerprint_value(&value));
        }
    }

    fn entry(fp: &str, accepted: bool, failure: Option<&str>) -> Entry {
        Entry {
            fingerprint: fp.to_owned(),
            accepted_at: accepted.then_some(1_700_000_000),
            request_id: accepted.then(|| "req-1".to_owned()),
            last_failure: failure.map(str::to_owned),
        }
    }

    #[test]
    fn a_sha256_fingerprint_of_an_earlier_build_is_checked_against_the_same_bytes() {
        let json = r#"{"event_name":"checkout","event_id":"1","custom_data":{"value":"1.00"}}"#;
        let now = fingerprint_exact(json);
        let old = sha256_hex(json);
        assert_eq!(
            classify(Some(&entry(&old, true, None)), &now, json),
            Decision::AlreadySent
        );
        let edited = json.replace("1.00", "2.00");
        assert_eq!(
            classify(
                Some(&entry(&old, true, None)),
                &fingerprint_exact(&edited),
                &edited
            ),
            Decision::Changed {
                previous_fingerprint: old.clone()
            }
        );
        // Only a SHA-256 in its own form is one: upper-case hex is another fingerprint.
        assert_eq!(
            classify(Some(&entry(&old.to_uppercase(), true, None)), &now, json),
            Decision::Changed {
                previous_fingerprint: old.to_uppercase()
            }
        );
        // A fingerprint this build recorded is compared as it is.
        assert_eq!(
            classify(Some(&entry(&now, true, None)), &now, "other bytes"),
            Decision::AlreadySent
        );
    }

    #[test]
    fn classify_covers_every_decision() {
        assert_eq!(classify(None, "aa", ""), Decision::New);
        assert_eq!(
            classify(Some(&entry("aa", true, None)), "aa", ""),
            Decision::AlreadySent
        );
        assert_eq!(
            classify(Some(&entry("aa", true, None)), "bb", ""),
            Decision::Changed {
                previous_fingerprint: "aa".into()
            }
        );
        assert_eq!(
            classify(Some(&entry("aa", false, Some("invalid email"))), "aa", ""),
            Decision::RetryFailed
        );
        assert_eq!(
            classify(Some(&entry("aa", false, Some("invalid email"))), "bb", ""),
            Decision::RetryFailed
        );
        // Accepted, then a changed version failed: the accepted version still decides.
        assert_eq!(
            classify(Some(&entry("aa", true, Some("rejected"))), "aa", ""),
            Decision::AlreadySent
        );
    }
}
