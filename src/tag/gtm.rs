//! Target `gtm`: a Google Tag Manager container export (`exportFormatVersion: 2`) to import
//! with Admin > Import Container > Merge > "Overwrite conflicting". Only Custom HTML tags,
//! Custom Event triggers, and constant, data-layer and custom-JavaScript variables: no gallery
//! template, whose signature pinconv cannot make. The events are driven by the GA4
//! ecommerce data layer stores already push (`view_item`, `add_to_cart`, `purchase`, ...).
//!
//! Every name starts with [`PREFIX`] and stays the same from one version to the next,
//! because GTM matches a merge's conflicts by name: a re-import overwrites our items and
//! touches nothing else. The JSON has no comments; the header lives in
//! `containerVersion.description` and in the base tag's `notes`.

use serde_json::{json, Value};

use super::js;
use super::{BrowserEvent, TagOptions};

/// The prefix of every tag, trigger, variable and folder name.
pub const PREFIX: &str = "pinconv – ";

/// GTM's built-in "All Pages" trigger (page view), never listed in `trigger[]`.
pub const ALL_PAGES: &str = "2147479553";

const FOLDER_ID: &str = "900";

/// `YYYY-MM-DD HH:MM:SS` (UTC) for `exportTime`, as GTM writes it.
#[must_use]
pub fn now_stamp() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}

struct Builder {
    tags: Vec<Value>,
    triggers: Vec<Value>,
    variables: Vec<Value>,
    next_id: u32,
    fingerprint: String,
}

impl Builder {
    fn id(&mut self) -> String {
        self.next_id += 1;
        self.next_id.to_string()
    }

    fn common(&self, kind: &str, id: &str, name: &str) -> serde_json::Map<String, Value> {
        let mut m = serde_json::Map::new();
        m.insert("accountId".into(), json!("0"));
        m.insert("containerId".into(), json!("0"));
        m.insert(kind.into(), json!(id));
        m.insert("name".into(), json!(format!("{PREFIX}{name}")));
        m
    }

    fn constant(&mut self, name: &str, value: &str) {
        let id = self.id();
        let mut v = self.common("variableId", &id, name);
        v.insert("type".into(), json!("c"));
        v.insert(
            "parameter".into(),
            json!([{"type": "TEMPLATE", "key": "value", "value": value}]),
        );
        self.finish_variable(v);
    }

    fn data_layer(&mut self, path: &str) {
        let id = self.id();
        let mut v = self.common("variableId", &id, &format!("DLV – {path}"));
        v.insert("type".into(), json!("v"));
        v.insert(
            "parameter".into(),
            json!([
                {"type": "INTEGER", "key": "dataLayerVersion", "value": "2"},
                {"type": "BOOLEAN", "key": "setDefaultValue", "value": "false"},
                {"type": "TEMPLATE", "key": "name", "value": path}
            ]),
        );
        self.finish_variable(v);
    }

    fn javascript(&mut self, name: &str, function: &str) {
        let id = self.id();
        let mut v = self.common("variableId", &id, &format!("JS – {name}"));
        v.insert("type".into(), json!("jsm"));
        v.insert(
            "parameter".into(),
            json!([{"type": "TEMPLATE", "key": "javascript", "value": function}]),
        );
        self.finish_variable(v);
    }

    fn finish_variable(&mut self, mut v: serde_json::Map<String, Value>) {
        v.insert("fingerprint".into(), json!(self.fingerprint));
        v.insert("parentFolderId".into(), json!(FOLDER_ID));
        self.variables.push(Value::Object(v));
    }

    /// A Custom Event trigger on a data-layer `event`; returns its id.
    fn custom_event(&mut self, event: &str) -> String {
        let id = self.id();
        let mut t = self.common("triggerId", &id, &format!("CE – {event}"));
        t.insert("type".into(), json!("CUSTOM_EVENT"));
        t.insert(
            "customEventFilter".into(),
            json!([{"type": "EQUALS", "parameter": [
                {"type": "TEMPLATE", "key": "arg0", "value": "{{_event}}"},
                {"type": "TEMPLATE", "key": "arg1", "value": event}
            ]}]),
        );
        t.insert("fingerprint".into(), json!(self.fingerprint));
        t.insert("parentFolderId".into(), json!(FOLDER_ID));
        self.triggers.push(Value::Object(t));
        id
    }

    fn html_tag(&mut self, name: &str, html: &str, trigger: &str, base: bool, notes: &str) {
        let id = self.id();
        let mut t = self.common("tagId", &id, name);
        t.insert("type".into(), json!("html"));
        t.insert(
            "parameter".into(),
            json!([
                {"type": "TEMPLATE", "key": "html", "value": html},
                {"type": "BOOLEAN", "key": "supportDocumentWrite", "value": "false"}
            ]),
        );
        t.insert("fingerprint".into(), json!(self.fingerprint));
        t.insert("firingTriggerId".into(), json!([trigger]));
        t.insert("parentFolderId".into(), json!(FOLDER_ID));
        if base {
            // The base code calls `load`; a second `load` re-initialises the tag.
            t.insert("tagFiringOption".into(), json!("ONCE_PER_LOAD"));
        } else {
            t.insert("tagFiringOption".into(), json!("ONCE_PER_EVENT"));
            t.insert(
                "setupTag".into(),
                json!([{"tagName": format!("{PREFIX}{BASE_TAG}"), "stopOnSetupFailure": true}]),
            );
        }
        t.insert("notes".into(), json!(notes));
        t.insert("monitoringMetadata".into(), json!({"type": "MAP"}));
        self.tags.push(Value::Object(t));
    }
}

const BASE_TAG: &str = "Pinterest – Base";

fn var(name: &str) -> String {
    format!("{{{{{PREFIX}{name}}}}}")
}

/// The GA4 event that drives each Pinterest event, and the data it sends.
fn ga4(ev: BrowserEvent) -> &'static str {
    match ev {
        BrowserEvent::PageVisit => "view_item",
        BrowserEvent::ViewCategory => "view_item_list",
        BrowserEvent::Search => "search",
        BrowserEvent::AddToCart => "add_to_cart",
        BrowserEvent::InitiateCheckout => "begin_checkout",
        BrowserEvent::AddPaymentInfo => "add_payment_info",
        BrowserEvent::Checkout => "purchase",
    }
}

const LINE_ITEMS_JS: &str = "function () {
  // GA4 `ecommerce.items[]` as Pinterest `line_items[]`.
  var items = ITEMS;
  if (!items || !items.length) return undefined;
  var out = [];
  for (var i = 0; i < items.length; i++) {
    var it = items[i] || {};
    var li = {};
    if (it.item_id !== undefined && it.item_id !== null && it.item_id !== '') li.product_id = String(it.item_id);
    if (it.item_name) li.product_name = String(it.item_name);
    if (it.price !== undefined && it.price !== null && it.price !== '') li.product_price = Number(it.price);
    if (it.quantity !== undefined && it.quantity !== null && it.quantity !== '') li.product_quantity = Number(it.quantity);
    if (it.item_category) li.product_category = String(it.item_category);
    if (it.item_variant) li.product_variant = String(it.item_variant);
    if (it.item_brand) li.product_brand = String(it.item_brand);
    out.push(li);
  }
  return out;
}";

const ORDER_QUANTITY_JS: &str = "function () {
  // The number of units: the sum of the items' quantities (1 where an item has none).
  var items = ITEMS;
  if (!items || !items.length) return undefined;
  var n = 0;
  for (var i = 0; i < items.length; i++) {
    var q = items[i] && items[i].quantity;
    n += (q === undefined || q === null || q === '') ? 1 : Number(q);
  }
  return n;
}";

const CLEAN: &str =
    "  for (var k in d) { if (d[k] === undefined || d[k] === null || d[k] === '') delete d[k]; }\n";

/// Writes the container export; `stamp` is its `exportTime` and fingerprint moment.
#[must_use]
pub fn generate(o: &TagOptions, stamp: &str) -> String {
    let fingerprint = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M:%S", stamp)
        .ok()
        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map_or_else(
            || "0".into(),
            |z| z.timestamp().as_millisecond().to_string(),
        );
    let mut b = Builder {
        tags: Vec::new(),
        triggers: Vec::new(),
        variables: Vec::new(),
        next_id: 0,
        fingerprint,
    };
    let header = super::header(
        o,
        "Pinterest tag as a Google Tag Manager container",
        &[
            "GTM > Admin > Import Container: choose this file, workspace Existing (or New),",
            "option Merge > Overwrite conflicting tags, triggers and variables; Confirm.",
            "Then Preview (Tag Assistant) and Publish. Every item is named `pinconv – ...` and sits",
            "in the folder `pinconv – Pinterest`: importing a newer file replaces exactly those.",
            "The site must push the GA4 ecommerce data layer (view_item, add_to_cart, purchase, ...).",
        ],
    );
    let header_text = header.join("\n");

    b.constant("Pinterest tag id", &o.tag_id);
    let items = var("DLV – ecommerce.items");
    let needs_items =
        o.events.iter().any(|e| *e != BrowserEvent::Search) || o.web_checkout.is_some();
    if needs_items {
        b.data_layer("ecommerce.items");
        b.data_layer("ecommerce.value");
        b.data_layer("ecommerce.currency");
        b.javascript("line_items", &LINE_ITEMS_JS.replace("ITEMS", &items));
        b.javascript(
            "order_quantity",
            &ORDER_QUANTITY_JS.replace("ITEMS", &items),
        );
    }
    if o.has(BrowserEvent::ViewCategory) {
        b.data_layer("ecommerce.item_list_name");
    }
    if o.has(BrowserEvent::Search) {
        // GA4's `search` event carries `search_term` as a parameter, outside `ecommerce`.
        b.data_layer("search_term");
    }
    if o.enhanced_match {
        b.data_layer("user_data.email");
        b.javascript(
            "em",
            &format!(
                "function () {{\n  // Enhanced match: the tag hashes the email itself; trimmed and lowercased as pinconv does.\n  var e = {};\n  return typeof e === 'string' && e.replace(/^\\s+|\\s+$/g, '') ? e.replace(/^\\s+|\\s+$/g, '').toLowerCase() : undefined;\n}}",
                var("DLV – user_data.email")
            ),
        );
    }
    if let Some(t) = &o.web_checkout {
        b.data_layer("ecommerce.transaction_id");
        let txn = var("DLV – ecommerce.transaction_id");
        b.javascript(
            "order_id",
            &format!("function () {{\n  // `transaction_id`, trimmed as pinconv trims the order's identifier.\n  var id = {txn};\n  if (id === undefined || id === null) return undefined;\n  id = String(id).replace(/^\\s+|\\s+$/g, '');\n  return id === '' ? undefined : id;\n}}"),
        );
        let expr = js::event_id_expr(o, t, |_| "id".into());
        b.javascript(
            "event_id",
            &format!(
                "function () {{\n  // Template `{}` applied to `ecommerce.transaction_id`, as `pinconv build` applies it.\n  var id = {};\n  if (id === undefined) return undefined;\n  return {expr};\n}}",
                t.text().replace('\n', " "),
                var("JS – order_id")
            ),
        );
    }

    let set_em = if o.enhanced_match {
        format!(
            "  var em = {};\n  if (em) window.pintrk('set', {{ em: em }});\n",
            var("JS – em")
        )
    } else {
        String::new()
    };
    let load = if o.enhanced_match {
        format!(
            "var pinconvEm = {};\nif (pinconvEm) {{ pintrk('load', {id}, {{ em: pinconvEm }}); }} else {{ pintrk('load', {id}); }}\n",
            var("JS – em"),
            id = var("Pinterest tag id")
        )
    } else {
        format!("pintrk('load', {});\n", var("Pinterest tag id"))
    };
    let base_html = format!(
        "<script>\n{}\n{load}pintrk('page');\n</script>",
        js::BASE_LOADER
    );
    b.html_tag(BASE_TAG, &base_html, ALL_PAGES, true, &header_text);

    let cart = format!(
        "value: {}, currency: {}, order_quantity: {}, line_items: {}",
        var("DLV – ecommerce.value"),
        var("DLV – ecommerce.currency"),
        var("JS – order_quantity"),
        var("JS – line_items")
    );
    let mut events: Vec<BrowserEvent> = o.events.clone();
    if o.web_checkout.is_some() {
        events.push(BrowserEvent::Checkout);
    }
    for ev in events {
        let data = match ev {
            BrowserEvent::PageVisit => format!(
                "currency: {}, line_items: {}",
                var("DLV – ecommerce.currency"),
                var("JS – line_items")
            ),
            BrowserEvent::ViewCategory => format!(
                "category_name: {}, line_items: {}",
                var("DLV – ecommerce.item_list_name"),
                var("JS – line_items")
            ),
            BrowserEvent::Search => format!("search_query: {}", var("DLV – search_term")),
            BrowserEvent::AddToCart
            | BrowserEvent::InitiateCheckout
            | BrowserEvent::AddPaymentInfo => cart.clone(),
            BrowserEvent::Checkout => format!(
                "event_id: {}, order_id: {}, {cart}",
                var("JS – event_id"),
                var("JS – order_id")
            ),
        };
        let guard = if ev == BrowserEvent::Checkout {
            // No id, no checkout: an event without the server's id would count twice.
            "  if (!d.event_id) return;\n"
        } else {
            ""
        };
        let html = format!(
            "<script>\n(function () {{\n  var d = {{ {data} }};\n{CLEAN}{guard}{set_em}  window.pintrk('track', '{}', d);\n}})();\n</script>",
            ev.tag()
        );
        let trigger = b.custom_event(ga4(ev));
        let notes = format!(
            "Fires the Pinterest `{}` event on the GA4 data-layer event `{}`.",
            ev.tag(),
            ga4(ev)
        );
        b.html_tag(
            &format!("Pinterest – {}", ev.tag()),
            &html,
            &trigger,
            false,
            &notes,
        );
    }

    let container = json!({
        "exportFormatVersion": 2,
        "exportTime": stamp,
        "containerVersion": {
            "path": "accounts/0/containers/0/versions/0",
            "accountId": "0",
            "containerId": "0",
            "containerVersionId": "0",
            "name": format!("{PREFIX}Pinterest tag"),
            "description": header_text,
            "container": {
                "path": "accounts/0/containers/0",
                "accountId": "0",
                "containerId": "0",
                "name": "pinconv",
                "publicId": "GTM-XXXXXXX",
                "usageContext": ["WEB"],
                "fingerprint": b.fingerprint,
            },
            "tag": b.tags,
            "trigger": b.triggers,
            "variable": b.variables,
            "folder": [{
                "accountId": "0",
                "containerId": "0",
                "folderId": FOLDER_ID,
                "name": format!("{PREFIX}Pinterest"),
                "fingerprint": b.fingerprint,
            }],
            "builtInVariable": [{
                "accountId": "0",
                "containerId": "0",
                "type": "EVENT",
                "name": "Event",
            }],
            "fingerprint": b.fingerprint,
        }
    });
    let mut out = serde_json::to_string_pretty(&container).expect("json");
    out.push('\n');
    out
}
