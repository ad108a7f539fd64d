//! The CAPI payload as typed structs, serialized by derive in Pinterest's field order
//! (`serde_json`'s `preserve_order` does not matter here: struct fields always come out in
//! declaration order). An absent field is left out, never sent as `null` or `[]`.
//!
//! The serializer is `sonic_rs`'s: the same compact JSON as `serde_json` (the same escapes,
//! the same numbers; a property test below holds them to it), with strings checked for what
//! needs escaping 32 bytes at a time instead of one. An event is mostly strings (ten
//! 64-digit hex digests, ids, names), and `serde_json`'s byte-by-byte escaping was the
//! largest single cost of building one.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::normalize::Sha256Hex;
use crate::report::coverage::Facts;

/// One CAPI event, fields in the order of Pinterest's reference; absent fields are left out.
#[derive(Serialize)]
pub(super) struct Event<'a> {
    /// One of [`crate::capi::PINTEREST_EVENTS`].
    pub event_name: &'static str,
    /// One of [`crate::capi::ACTION_SOURCES`].
    pub action_source: &'static str,
    pub event_time: i64,
    pub event_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_source_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opt_out: Option<bool>,
    pub user_data: UserData,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<CustomData<'a>>,
}

/// `user_data`: hashed identifiers (arrays, without duplicates) and the plain ones.
#[derive(Serialize, Default)]
pub(super) struct UserData {
    #[serde(skip_serializing_if = "Digests::is_empty")]
    pub em: Digests,
    #[serde(skip_serializing_if = "Digests::is_empty")]
    pub hashed_maids: Digests,
    #[serde(skip_serializing_if = "Digests::is_empty")]
    pub ph: Digests,
    #[serde(skip_serializing_if = "Digests::is_empty", rename = "fn")]
    pub first: Digests,
    #[serde(skip_serializing_if = "Digests::is_empty")]
    pub ln: Digests,
    #[serde(skip_serializing_if = "Digests::is_empty")]
    pub ge: Digests,
    #[serde(skip_serializing_if = "Digests::is_empty")]
    pub db: Digests,
    #[serde(skip_serializing_if = "Digests::is_empty")]
    pub ct: Digests,
    #[serde(skip_serializing_if = "Digests::is_empty")]
    pub st: Digests,
    #[serde(skip_serializing_if = "Digests::is_empty")]
    pub zp: Digests,
    #[serde(skip_serializing_if = "Digests::is_empty")]
    pub country: Digests,
    #[serde(skip_serializing_if = "Digests::is_empty")]
    pub external_id: Digests,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_ip_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_user_agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub click_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<String>,
}

/// The digests of one hashed identifier, without duplicates, in order; serialized as the
/// array Pinterest asks for. The first (almost always the only one) is kept inline.
#[derive(Default)]
pub(super) struct Digests {
    first: Option<Sha256Hex>,
    more: Vec<Sha256Hex>,
}

impl Digests {
    /// Adds `d` unless it is there already.
    pub fn insert(&mut self, d: Sha256Hex) {
        match self.first {
            None => self.first = Some(d),
            Some(f) if f == d => {}
            Some(_) if self.more.contains(&d) => {}
            Some(_) => self.more.push(d),
        }
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.first.is_none()
    }

    /// Every digest, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Sha256Hex> {
        self.first.iter().chain(&self.more)
    }
}

impl Serialize for Digests {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(Sha256Hex::as_str))
    }
}

/// `custom_data`: money as decimal strings, as Pinterest asks. Product ids and item texts
/// are borrowed from the order's cells.
#[derive(Serialize, Default)]
pub(super) struct CustomData<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub content_ids: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contents: Vec<Content<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_items: Option<i64>,
}

/// One entry of `custom_data.contents`.
#[derive(Serialize)]
pub(super) struct Content<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_price: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_category: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_brand: Option<&'a str>,
}

impl Event<'_> {
    /// The event as compact JSON, exactly as sent.
    pub fn to_json(&self) -> String {
        /// Scratch room kept between events; a buffer grown past it (an event of huge
        /// values) is let go.
        const KEEP: usize = 64 << 10;
        thread_local! {
            static SCRATCH: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(Vec::with_capacity(4096));
        }
        SCRATCH.with_borrow_mut(|buf| {
            buf.clear();
            sonic_rs::to_writer(&mut *buf, self).expect("events serialize");
            // The event is copied out at its exact size: sonic_rs reserves room for each
            // string as if every byte needed a six-byte escape, and events waiting in `send`'s
            // batches kept that slack (5 MiB of peak RSS on 100k orders).
            let json = simdutf8::basic::from_utf8(buf)
                .expect("sonic_rs writes UTF-8")
                .to_owned();
            if buf.capacity() > KEEP {
                *buf = Vec::with_capacity(4096);
            }
            json
        })
    }

    /// What coverage counts of this event (the keys it carries, as its JSON shows them), with
    /// the warnings of its order. Nothing of it is copied: the emails go in as the distinct-email
    /// memory keeps them, the currency code inline.
    pub fn into_facts(self, warnings: &[crate::report::Problem]) -> Facts {
        let u = self.user_data;
        let text = |v: &Option<String>| v.as_ref().is_some_and(|v| !v.is_empty());
        let lists = [
            ("em", &u.em),
            ("ph", &u.ph),
            ("fn", &u.first),
            ("ln", &u.ln),
            ("ct", &u.ct),
            ("st", &u.st),
            ("zp", &u.zp),
            ("country", &u.country),
            ("db", &u.db),
            ("ge", &u.ge),
            ("external_id", &u.external_id),
            ("hashed_maids", &u.hashed_maids),
        ];
        let listed = lists.iter().filter(|(_, v)| !v.is_empty()).map(|(k, _)| *k);
        let click = text(&u.click_id).then_some("click_id");
        let ip = (text(&u.client_ip_address) && text(&u.client_user_agent))
            .then_some("client_ip_address");
        let (mut with_value, mut with_contents, mut value) = (None, None, None);
        if let Some(c) = &self.custom_data {
            if let (Some(currency), Some(v)) = (c.currency.filter(|c| !c.is_empty()), &c.value) {
                if !v.is_empty() {
                    with_value = Some("value");
                    value = v.parse::<Decimal>().ok().map(|v| (v, currency));
                }
            }
            with_contents = (!c.contents.is_empty()).then_some("contents");
        }
        let keys = listed.chain([click, ip, with_value, with_contents].into_iter().flatten());
        Facts::new(
            self.event_time,
            keys,
            u.em.iter().map(Sha256Hex::as_str),
            value,
            warnings,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Text with what JSON escapes (quotes, backslashes, every control character), what it
    /// does not (DEL, U+2028, non-ASCII), and runs long enough for the 32-byte steps.
    fn text() -> impl Strategy<Value = String> {
        proptest::string::string_regex(
            "([\\x00-\\x1f\"\\\\/\\x7f\u{80}\u{2028}\u{2029}éø€😀]|[a-z0-9 .@+-]{0,40}){0,12}",
        )
        .expect("valid regex")
    }

    fn opt_text() -> impl Strategy<Value = Option<String>> {
        proptest::option::of(text())
    }

    fn digests() -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec(text(), 0..3)
    }

    fn to_digests(v: &[String]) -> Digests {
        let mut d = Digests::default();
        for s in v {
            d.insert(Sha256Hex::of(s));
        }
        d
    }

    proptest! {
        /// The JSON sent is what `serde_json` writes for the same event, byte for byte.
        #[test]
        fn events_serialize_as_serde_json_does(
            (event_id, url, partner, ip, agent, click) in
                (text(), opt_text(), opt_text(), opt_text(), opt_text(), opt_text()),
            (time, opt_out, num_items) in
                (any::<i64>(), proptest::option::of(any::<bool>()), proptest::option::of(any::<i64>())),
            (em, ph, ext) in (digests(), digests(), digests()),
            (value, order_id, ids) in
                (opt_text(), opt_text(), proptest::collection::vec(text(), 0..3)),
            items in proptest::collection::vec(
                (opt_text(), opt_text(), proptest::option::of(any::<i64>()), opt_text(), opt_text(), opt_text()),
                0..3,
            ),
            with_custom in any::<bool>(),
        ) {
            let contents = items
                .iter()
                .map(|(id, price, quantity, name, category, brand)| Content {
                    id: id.as_deref(),
                    item_price: price.clone(),
                    quantity: *quantity,
                    item_name: name.as_deref(),
                    item_category: category.as_deref(),
                    item_brand: brand.as_deref(),
                })
                .collect();
            let custom = CustomData {
                currency: Some("EUR"),
                value,
                order_id,
                content_ids: ids.iter().map(String::as_str).collect(),
                contents,
                num_items,
            };
            let event = Event {
                event_name: "checkout",
                action_source: "web",
                event_time: time,
                event_id: &event_id,
                event_source_url: url.as_deref(),
                partner_name: partner.as_deref(),
                opt_out,
                user_data: UserData {
                    em: to_digests(&em),
                    ph: to_digests(&ph),
                    external_id: to_digests(&ext),
                    client_ip_address: ip,
                    client_user_agent: agent,
                    click_id: click,
                    ..UserData::default()
                },
                custom_data: with_custom.then_some(custom),
            };
            let expected = serde_json::to_string(&event).unwrap();
            prop_assert_eq!(event.to_json(), expected);
        }
    }

    #[test]
    fn digests_keep_first_seen_order_without_duplicates_and_serialize_as_an_array() {
        let [a, b, c] = ["a", "b", "c"].map(Sha256Hex::of);
        let mut d = Digests::default();
        assert!(d.is_empty());
        assert_eq!(serde_json::to_string(&d).unwrap(), "[]");
        for x in [a, a, b, a, c, b] {
            d.insert(x);
        }
        assert!(!d.is_empty());
        let got: Vec<&str> = d.iter().map(Sha256Hex::as_str).collect();
        assert_eq!(got, [a.as_str(), b.as_str(), c.as_str()]);
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            serde_json::to_string(&got).unwrap()
        );
    }
}
