//! The CAPI payload as typed structs, serialized by derive in Pinterest's field order
//! (`serde_json`'s `preserve_order` does not matter here: struct fields always come out in
//! declaration order). An absent field is left out, never sent as `null` or `[]`.

use serde::Serialize;

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
    pub custom_data: Option<CustomData>,
}

/// `user_data`: hashed identifiers (arrays, without duplicates) and the plain ones.
#[derive(Serialize, Default)]
pub(super) struct UserData {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub em: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashed_maids: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ph: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", rename = "fn")]
    pub first: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ln: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ge: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub db: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ct: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub st: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub zp: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub country: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub external_id: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_ip_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_user_agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub click_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<String>,
}

/// `custom_data`: money as decimal strings, as Pinterest asks.
#[derive(Serialize, Default)]
pub(super) struct CustomData {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub content_ids: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contents: Vec<Content>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_items: Option<i64>,
}

/// One entry of `custom_data.contents`.
#[derive(Serialize)]
pub(super) struct Content {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_price: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_brand: Option<String>,
}

impl Event<'_> {
    /// The event as compact JSON, exactly as sent.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("events serialize")
    }
}
