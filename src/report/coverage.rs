//! Match quality before anything is sent: how many built events carry each CAPI match key,
//! how many distinct emails they hold, what they are worth per day, and one warning per key
//! when a column meant to provide it had most of its values dropped by the normalizer.
//!
//! What an event carries is told in one place, [`Facts::new`]: the event stage calls it with
//! its typed payload, and [`Facts::of_json`] with what it reads back from an event built
//! elsewhere; everything else works on [`Facts`], so a change to the event's shape is adapted
//! in those two and nowhere else (debug builds check that both agree on every event built).

use std::borrow::Cow;
use std::collections::BTreeMap;

use compact_str::CompactString;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use rust_decimal::Decimal;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::event::Built;
use crate::report::Problem;
use crate::seen::{Answer, Hashed, Seen, EXACT_KEYS};

/// The keys coverage counts, in the order the summary and the reports list them: the CAPI
/// `user_data` field names, then `value` and `contents` of `custom_data`.
///
/// `client_ip_address` counts events that carry it together with `client_user_agent`
/// (Pinterest matches on the pair); `value` counts events with both `value` and `currency`.
pub const KEYS: [&str; 16] = [
    "em",
    "ph",
    "fn",
    "ln",
    "ct",
    "st",
    "zp",
    "country",
    "db",
    "ge",
    "external_id",
    "client_ip_address",
    "click_id",
    "hashed_maids",
    "value",
    "contents",
];

/// What a key means, for people (the HTML report and the README).
#[must_use]
pub fn label(key: &str) -> &'static str {
    match key {
        "em" => "email",
        "ph" => "phone",
        "fn" => "first name",
        "ln" => "last name",
        "ct" => "city",
        "st" => "state",
        "zp" => "zip code",
        "country" => "country",
        "db" => "date of birth",
        "ge" => "gender",
        "external_id" => "customer id",
        "client_ip_address" => "IP address with user agent",
        "click_id" => "Pinterest click id",
        "hashed_maids" => "mobile ad id",
        "value" => "value with currency",
        "contents" => "line items",
        _ => "",
    }
}

fn index(key: &str) -> Option<usize> {
    KEYS.iter().position(|k| *k == key)
}

/// The key whose value a normalizer warning says was dropped.
fn dropped_key(code: &str) -> Option<usize> {
    index(match code {
        "invalid_email" => "em",
        "invalid_phone" => "ph",
        "invalid_country" => "country",
        "invalid_state" => "st",
        "invalid_zip" => "zp",
        "invalid_gender" => "ge",
        "invalid_birth_date" => "db",
        _ => return None,
    })
}

/// A value the normalizer dropped from one event, with why.
#[derive(Clone, Debug, PartialEq)]
struct Dropped {
    key: usize,
    column: String,
    reason: String,
    hint: Option<String>,
}

/// What coverage needs to know about one built event.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    /// Bit `i` set: the event carries `KEYS[i]`.
    keys: u32,
    /// The hashed emails (`em`), as the distinct-email memory keeps them: hashed again where
    /// the event is built, so the thread that counts does not.
    emails: Emails,
    /// `event_time`.
    event_time: i64,
    /// `value` and `currency`, when both are there and the value is a number (a currency
    /// code is inline, not a string of its own).
    value: Option<(Decimal, CompactString)>,
    /// Values dropped from this order's identity fields.
    drops: Vec<Dropped>,
}

/// The emails of one event as [`Seen`] keys; the first (nearly always the only one) inline.
#[derive(Clone, Debug, Default, PartialEq)]
struct Emails {
    first: Option<Hashed>,
    more: Vec<Hashed>,
}

impl Emails {
    fn of<'e>(emails: impl IntoIterator<Item = &'e str>) -> Emails {
        let mut all = emails.into_iter().map(Seen::hashed);
        Emails {
            first: all.next(),
            more: all.collect(),
        }
    }

    fn iter(&self) -> impl Iterator<Item = Hashed> + '_ {
        self.first.into_iter().chain(self.more.iter().copied())
    }
}

/// The part of an event coverage reads, borrowed from its JSON text.
#[derive(Deserialize)]
struct View<'a> {
    #[serde(borrow, default)]
    user_data: Option<UserView<'a>>,
    #[serde(borrow, default)]
    custom_data: Option<CustomView<'a>>,
}

#[derive(Deserialize)]
struct UserView<'a> {
    #[serde(borrow, default)]
    em: Option<&'a RawValue>,
    #[serde(borrow, default)]
    ph: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "fn")]
    first: Option<&'a RawValue>,
    #[serde(borrow, default)]
    ln: Option<&'a RawValue>,
    #[serde(borrow, default)]
    ct: Option<&'a RawValue>,
    #[serde(borrow, default)]
    st: Option<&'a RawValue>,
    #[serde(borrow, default)]
    zp: Option<&'a RawValue>,
    #[serde(borrow, default)]
    country: Option<&'a RawValue>,
    #[serde(borrow, default)]
    db: Option<&'a RawValue>,
    #[serde(borrow, default)]
    ge: Option<&'a RawValue>,
    #[serde(borrow, default)]
    external_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    client_ip_address: Option<&'a RawValue>,
    #[serde(borrow, default)]
    client_user_agent: Option<&'a RawValue>,
    #[serde(borrow, default)]
    click_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    hashed_maids: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct CustomView<'a> {
    #[serde(borrow, default)]
    value: Option<&'a RawValue>,
    #[serde(borrow, default)]
    currency: Option<&'a RawValue>,
    #[serde(borrow, default)]
    contents: Option<&'a RawValue>,
}

/// Whether a JSON value carries something: not absent, `null`, `""` or `[]`.
fn carried(v: Option<&RawValue>) -> bool {
    let Some(v) = v else { return false };
    let t = v.get().trim();
    !(t == "null"
        || t == "\"\""
        || t.strip_prefix('[')
            .is_some_and(|rest| rest.trim_start().starts_with(']')))
}

impl Facts {
    /// What coverage counts of an event, from what it carries: `keys` are names from
    /// [`KEYS`] (unknown ones are ignored), `emails` its hashed emails, `value` its value with
    /// its currency, `warnings` those of its order. The event stage calls this with its typed
    /// payload, before the event is serialized; [`Facts::of`] with what it reads back from
    /// JSON.
    #[must_use]
    pub fn new<'k, 'e>(
        event_time: i64,
        keys: impl IntoIterator<Item = &'k str>,
        emails: impl IntoIterator<Item = &'e str>,
        value: Option<(Decimal, &str)>,
        warnings: &[Problem],
    ) -> Facts {
        let keys = keys
            .into_iter()
            .filter_map(index)
            .fold(0, |bits, i| bits | 1 << i);
        let drops = warnings
            .iter()
            .filter_map(|w| {
                let (key, column) = (dropped_key(w.code)?, w.column.as_ref()?);
                Some(Dropped {
                    key,
                    column: column.clone(),
                    reason: w
                        .reason
                        .trim_end_matches("; the value was dropped")
                        .to_owned(),
                    hint: w.hint.clone(),
                })
            })
            .collect();
        Facts {
            keys,
            emails: Emails::of(emails),
            event_time,
            value: value.map(|(amount, currency)| (amount, CompactString::from(currency))),
            drops,
        }
    }

    /// Reads what coverage counts from a built event: the facts the event stage gave it, or
    /// else (an event built elsewhere, read from a file) its JSON as sent.
    #[must_use]
    pub fn of(b: &mut Built) -> Facts {
        match b.facts.take() {
            Some(f) => {
                debug_assert_eq!(f, Facts::of_json(b), "typed and JSON facts of `{}`", b.json);
                f
            }
            None => Facts::of_json(b),
        }
    }

    /// Reads what coverage counts from a built event's JSON as sent and the warnings of its
    /// order.
    #[must_use]
    pub fn of_json(b: &Built) -> Facts {
        let mut keys = Vec::new();
        let mut emails = Vec::new();
        let mut value = None;
        // Every built event is valid JSON; an unreadable one simply counts as carrying nothing.
        if let Ok(view) = serde_json::from_str::<View>(&b.json) {
            if let Some(u) = &view.user_data {
                for (key, v) in [
                    ("em", u.em),
                    ("ph", u.ph),
                    ("fn", u.first),
                    ("ln", u.ln),
                    ("ct", u.ct),
                    ("st", u.st),
                    ("zp", u.zp),
                    ("country", u.country),
                    ("db", u.db),
                    ("ge", u.ge),
                    ("external_id", u.external_id),
                    ("click_id", u.click_id),
                    ("hashed_maids", u.hashed_maids),
                ] {
                    if carried(v) {
                        keys.push(key);
                    }
                }
                if carried(u.client_ip_address) && carried(u.client_user_agent) {
                    keys.push("client_ip_address");
                }
                emails =
                    u.em.and_then(|v| serde_json::from_str::<Vec<Cow<str>>>(v.get()).ok())
                        .unwrap_or_default();
            }
            if let Some(c) = &view.custom_data {
                let with_currency = carried(c.value) && carried(c.currency);
                if with_currency {
                    keys.push("value");
                    let text = |v: &RawValue| v.get().trim().trim_matches('"').to_owned();
                    let amount = c.value.map(text).and_then(|v| v.parse::<Decimal>().ok());
                    let currency = c.currency.map(text);
                    value = amount.zip(currency);
                }
                if carried(c.contents) {
                    keys.push("contents");
                }
            }
        }
        let value = value
            .as_ref()
            .map(|(amount, currency)| (*amount, currency.as_str()));
        Facts::new(
            b.event_time,
            keys,
            emails.iter().map(|e| e.as_ref()),
            value,
            &b.warnings,
        )
    }
}

/// Reasons kept per column before the rest count as `other`: the normalizer has a dozen.
const MAX_REASONS: usize = 32;
/// Reasons a coverage warning names.
const TOP_REASONS: usize = 3;

#[derive(Default)]
struct DropTally {
    values: u64,
    /// Reason → (count, hint).
    reasons: BTreeMap<String, (u64, Option<String>)>,
}

#[derive(Default)]
struct DayTally {
    events: u64,
    value: BTreeMap<CompactString, Decimal>,
}

/// Counts [`Facts`] over a run, in memory that does not grow with the input (the distinct
/// emails are a [`Seen`]; days and columns are few), and writes the result into the totals.
pub struct Tally {
    tz: TimeZone,
    events: u64,
    counts: [u64; KEYS.len()],
    emails: Seen,
    /// Emails kept exactly before [`Seen`] answers from its Bloom filter.
    exact_bound: usize,
    distinct: u64,
    drops: BTreeMap<(usize, String), DropTally>,
    days: BTreeMap<Date, DayTally>,
}

impl Tally {
    /// An empty tally; days are calendar days in `tz` (the shop's `--timezone`).
    #[must_use]
    pub fn new(tz: TimeZone) -> Tally {
        Tally::with_bound(tz, EXACT_KEYS)
    }

    /// An empty tally that counts the first `bound` distinct emails exactly.
    #[must_use]
    pub fn with_bound(tz: TimeZone, bound: usize) -> Tally {
        Tally {
            tz,
            events: 0,
            counts: [0; KEYS.len()],
            emails: Seen::with_bound(bound),
            exact_bound: bound,
            distinct: 0,
            drops: BTreeMap::new(),
            days: BTreeMap::new(),
        }
    }

    /// Counts one built event.
    pub fn observe(&mut self, f: Facts) {
        self.events += 1;
        for (i, n) in self.counts.iter_mut().enumerate() {
            if f.keys & (1 << i) != 0 {
                *n += 1;
            }
        }
        for e in f.emails.iter() {
            // `New` is certain (a Bloom filter never forgets), so the count is a lower bound.
            if self.emails.insert_hashed(e) == Answer::New {
                self.distinct += 1;
            }
        }
        for d in f.drops {
            let t = self.drops.entry((d.key, d.column)).or_default();
            t.values += 1;
            let reason = if t.reasons.len() >= MAX_REASONS && !t.reasons.contains_key(&d.reason) {
                "other".to_owned()
            } else {
                d.reason
            };
            let r = t.reasons.entry(reason).or_insert((0, d.hint));
            r.0 += 1;
        }
        if let Some(day) = crate::time::local_day(f.event_time, &self.tz) {
            let t = self.days.entry(day).or_default();
            t.events += 1;
            if let Some((amount, currency)) = f.value {
                let sum = t.value.entry(currency).or_default();
                // Far beyond any shop's turnover; a sum that would overflow stays as it was.
                *sum = sum.checked_add(amount).unwrap_or(*sum);
            }
        }
    }

    /// The coverage, distinct emails, warnings and days of everything observed.
    #[must_use]
    pub fn finish(self) -> Quality {
        let events = self.events;
        let coverage = Coverage(
            KEYS.iter()
                .zip(self.counts)
                .map(|(key, count)| KeyCoverage {
                    key,
                    count,
                    share: share(count, events),
                })
                .collect(),
        );
        let warnings = self.warnings(&coverage);
        Quality {
            coverage,
            distinct_emails: Distinct {
                count: self.distinct,
                exact: self.distinct <= self.exact_bound as u64,
            },
            coverage_warnings: warnings,
            days: self
                .days
                .into_iter()
                .map(|(date, t)| Day {
                    date: date.to_string(),
                    events: t.events,
                    value: t
                        .value
                        .into_iter()
                        .map(|(currency, sum)| (currency.into(), sum))
                        .collect(),
                })
                .collect(),
        }
    }

    /// One warning per key that most events lack although a column provided values for it
    /// that the normalizer dropped.
    fn warnings(&self, coverage: &Coverage) -> Vec<CoverageWarning> {
        let mut out = Vec::new();
        for (i, kc) in coverage.0.iter().enumerate() {
            let without = self.events - kc.count;
            if without * 2 <= self.events {
                continue;
            }
            let mut columns: Vec<(&String, &DropTally)> = self
                .drops
                .iter()
                .filter(|((k, _), _)| *k == i)
                .map(|((_, c), t)| (c, t))
                .collect();
            if columns.is_empty() {
                continue;
            }
            columns.sort_by(|a, b| b.1.values.cmp(&a.1.values).then(a.0.cmp(b.0)));
            let mut reasons: BTreeMap<&str, (u64, Option<&String>)> = BTreeMap::new();
            for (_, t) in &columns {
                for (r, (n, h)) in &t.reasons {
                    let e = reasons.entry(r.as_str()).or_insert((0, h.as_ref()));
                    e.0 += n;
                }
            }
            let mut reasons: Vec<(&str, u64, Option<&String>)> =
                reasons.into_iter().map(|(r, (n, h))| (r, n, h)).collect();
            reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let hint = reasons.iter().find_map(|r| r.2.cloned());
            out.push(CoverageWarning {
                key: kc.key,
                columns: columns.iter().map(|(c, _)| (*c).clone()).collect(),
                events_without: without,
                share_without: share(without, self.events),
                dropped: columns.iter().map(|(_, t)| t.values).sum(),
                reasons: reasons
                    .into_iter()
                    .take(TOP_REASONS)
                    .map(|(reason, count, _)| ReasonCount {
                        reason: reason.to_owned(),
                        count,
                    })
                    .collect(),
                hint,
            });
        }
        out
    }
}

/// `n / of`, rounded to four decimals so the reports show the same digits; 0 of nothing is 0.
#[must_use]
#[allow(clippy::cast_precision_loss)]
pub fn share(n: u64, of: u64) -> f64 {
    if of == 0 {
        return 0.0;
    }
    (n as f64 / of as f64 * 10_000.0).round() / 10_000.0
}

/// What [`Tally::finish`] found.
pub struct Quality {
    /// Events carrying each key.
    pub coverage: Coverage,
    /// Distinct hashed emails.
    pub distinct_emails: Distinct,
    /// Keys most events lack because their column's values were dropped.
    pub coverage_warnings: Vec<CoverageWarning>,
    /// Events and value per day.
    pub days: Vec<Day>,
}

/// How many built events carry one key.
#[derive(Clone, Debug)]
pub struct KeyCoverage {
    /// The key (one of [`KEYS`]).
    pub key: &'static str,
    /// Events carrying it.
    pub count: u64,
    /// `count` over the events built, four decimals.
    pub share: f64,
}

/// Coverage of every key of [`KEYS`], in that order; serialized as
/// `{"em": {"count": 9210, "share": 0.97}, ...}`.
#[derive(Clone, Debug)]
pub struct Coverage(pub Vec<KeyCoverage>);

impl Default for Coverage {
    fn default() -> Coverage {
        Coverage(
            KEYS.iter()
                .map(|key| KeyCoverage {
                    key,
                    count: 0,
                    share: 0.0,
                })
                .collect(),
        )
    }
}

impl Coverage {
    /// The coverage of `key`.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&KeyCoverage> {
        self.0.iter().find(|k| k.key == key)
    }
}

impl Serialize for Coverage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Entry {
            count: u64,
            share: f64,
        }
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for k in &self.0 {
            map.serialize_entry(
                k.key,
                &Entry {
                    count: k.count,
                    share: k.share,
                },
            )?;
        }
        map.end()
    }
}

/// A count of distinct values: exact up to [`EXACT_KEYS`], past that a lower bound (a Bloom
/// filter may take a new value for one already seen, never the other way round).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Distinct {
    /// Distinct values counted.
    pub count: u64,
    /// False when `count` is a lower bound.
    pub exact: bool,
}

impl Default for Distinct {
    fn default() -> Distinct {
        Distinct {
            count: 0,
            exact: true,
        }
    }
}

impl Distinct {
    /// `812` or `at least 2000123` for messages.
    #[must_use]
    pub fn phrase(&self) -> String {
        if self.exact {
            self.count.to_string()
        } else {
            format!("at least {}", self.count)
        }
    }
}

/// A key most built events lack although a column provided values for it, most of which the
/// normalizer dropped. Never carries a value.
#[derive(Clone, Debug, Serialize)]
pub struct CoverageWarning {
    /// The key.
    pub key: &'static str,
    /// Columns whose values for it were dropped, most drops first.
    pub columns: Vec<String>,
    /// Built events without the key.
    pub events_without: u64,
    /// `events_without` over the events built.
    pub share_without: f64,
    /// Values dropped from those columns.
    pub dropped: u64,
    /// The most common reasons, most frequent first.
    pub reasons: Vec<ReasonCount>,
    /// The fix for the most common reason that has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// A reason and how often it occurred.
#[derive(Clone, Debug, Serialize)]
pub struct ReasonCount {
    /// Lowercase reason.
    pub reason: String,
    /// Occurrences.
    pub count: u64,
}

impl CoverageWarning {
    /// The warning's message (without its hint).
    #[must_use]
    pub fn message(&self, events: u64) -> String {
        let columns: Vec<String> = self.columns.iter().map(|c| format!("`{c}`")).collect();
        let reasons: Vec<String> = self
            .reasons
            .iter()
            .map(|r| format!("{} {}", r.reason, r.count))
            .collect();
        format!(
            "`{}` is missing on {} of {} built events ({}) although column{} {} provide{} it: {} value{} dropped ({})",
            self.key,
            self.events_without,
            events,
            percent(self.share_without),
            if columns.len() == 1 { "" } else { "s" },
            columns.join(", "),
            if columns.len() == 1 { "s" } else { "" },
            self.dropped,
            if self.dropped == 1 { " was" } else { "s were" },
            reasons.join(", ")
        )
    }
}

/// A share as a percentage with one decimal: `97.0%`.
#[must_use]
pub fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// Events and value of one calendar day.
#[derive(Clone, Debug, Serialize)]
pub struct Day {
    /// `YYYY-MM-DD` in the shop's time zone.
    pub date: String,
    /// Events built with an `event_time` on that day.
    pub events: u64,
    /// Their value per currency.
    pub value: BTreeMap<String, Decimal>,
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::report::{Problem, Severity};

    fn built(json: &str, warnings: Vec<Problem>) -> Built {
        Built {
            file: Arc::from("in.csv"),
            line: 2,
            event_id: "1".into(),
            event_name: "checkout",
            event_time: 1_794_665_564,
            json: json.into(),
            warnings,
            identifiers: Vec::new(),
            facts: None,
        }
    }

    fn dropped_phone(line: u64) -> Problem {
        Problem {
            file: Arc::from("in.csv"),
            line,
            column: Some("Phone".into()),
            severity: Severity::Warning,
            code: "invalid_phone",
            reason: "not a phone number: cannot be parsed; the value was dropped".into(),
            hint: Some("write international numbers with a leading `+`".into()),
            order: None,
        }
    }

    #[test]
    fn keys_are_read_from_the_event() {
        let f = Facts::of(&mut built(
            r#"{"user_data":{"em":["a","b"],"ph":[],"client_ip_address":"1.2.3.4"},"custom_data":{"value":"10.50","currency":"EUR","contents":[{"id":"x"}]}}"#,
            vec![],
        ));
        let on: Vec<&str> = KEYS
            .iter()
            .enumerate()
            .filter(|(i, _)| f.keys & (1 << i) != 0)
            .map(|(_, k)| *k)
            .collect();
        // An IP without a user agent is no match key; an empty `ph` is none either.
        assert_eq!(on, ["em", "value", "contents"]);
        let emails: Vec<Hashed> = f.emails.iter().collect();
        assert_eq!(emails, [Seen::hashed("a"), Seen::hashed("b")]);
        assert_ne!(emails[0], emails[1]);
        assert_eq!(f.value, Some((Decimal::new(1050, 2), "EUR".into())));
    }

    #[test]
    fn shares_distinct_emails_and_days() {
        let mut t = Tally::new(TimeZone::UTC);
        for em in ["a", "b", "a"] {
            t.observe(Facts::of(&mut built(
                &format!(r#"{{"user_data":{{"em":["{em}"]}},"custom_data":{{"value":2.5,"currency":"USD"}}}}"#),
                vec![],
            )));
        }
        t.observe(Facts::of(&mut built(
            r#"{"user_data":{"hashed_maids":["m"]}}"#,
            vec![],
        )));
        let q = t.finish();
        let em = q.coverage.get("em").unwrap();
        assert_eq!((em.count, em.share), (3, 0.75));
        assert_eq!(q.distinct_emails.count, 2);
        assert!(q.distinct_emails.exact);
        assert_eq!(q.days.len(), 1);
        assert_eq!(q.days[0].date, "2026-11-14");
        assert_eq!(q.days[0].events, 4);
        assert_eq!(q.days[0].value["USD"], Decimal::new(75, 1));
        assert!(q.coverage_warnings.is_empty());
    }

    #[test]
    fn a_column_dropped_on_most_events_warns_once() {
        let mut t = Tally::new(TimeZone::UTC);
        for line in 2..5 {
            t.observe(Facts::of(&mut built(
                r#"{"user_data":{"em":["a"]}}"#,
                vec![dropped_phone(line)],
            )));
        }
        t.observe(Facts::of(&mut built(
            r#"{"user_data":{"em":["a"],"ph":["p"]}}"#,
            vec![],
        )));
        let q = t.finish();
        assert_eq!(q.coverage_warnings.len(), 1);
        let w = &q.coverage_warnings[0];
        assert_eq!((w.key, w.events_without, w.dropped), ("ph", 3, 3));
        assert_eq!(
            w.message(4),
            "`ph` is missing on 3 of 4 built events (75.0%) although column `Phone` provides it: 3 values were dropped (not a phone number: cannot be parsed 3)"
        );
        assert!(w.hint.as_deref().unwrap().contains("leading `+`"));
    }

    #[test]
    fn a_few_drops_on_a_well_covered_key_do_not_warn() {
        let mut t = Tally::new(TimeZone::UTC);
        t.observe(Facts::of(&mut built(
            r#"{"user_data":{"em":["a"]}}"#,
            vec![dropped_phone(2)],
        )));
        for _ in 0..2 {
            t.observe(Facts::of(&mut built(
                r#"{"user_data":{"em":["a"],"ph":["p"]}}"#,
                vec![],
            )));
        }
        assert!(t.finish().coverage_warnings.is_empty());
    }

    #[test]
    fn past_the_exact_bound_the_count_says_at_least() {
        let mut t = Tally::with_bound(TimeZone::UTC, 3);
        for em in ["a", "b", "a", "c"] {
            t.observe(Facts::of(&mut built(
                &format!(r#"{{"user_data":{{"em":["{em}"]}}}}"#),
                vec![],
            )));
        }
        let exact = t.finish().distinct_emails;
        assert_eq!((exact.count, exact.exact), (3, true));
        assert_eq!(exact.phrase(), "3");
        let mut t = Tally::with_bound(TimeZone::UTC, 3);
        for i in 0..50 {
            t.observe(Facts::of(&mut built(
                &format!(r#"{{"user_data":{{"em":["e{}"]}}}}"#, i % 25),
                vec![],
            )));
        }
        let d = t.finish().distinct_emails;
        // 25 distinct emails; past 3 the Bloom filter may only undercount, never count a
        // repeat as new.
        assert!(!d.exact);
        assert!(d.count <= 25 && d.count > 3, "{}", d.count);
        assert_eq!(d.phrase(), format!("at least {}", d.count));
    }
}
