//! Target `shopify-pixel`: a custom pixel for Settings > Customer events. With Checkout
//! Extensibility the thank-you page takes no scripts; a custom pixel runs in a sandboxed
//! iframe that may inject `core.js`, and hears Shopify's standard events through
//! `analytics.subscribe`. `checkout_completed` carries the order id only
//! (`event.data.checkout.order.id`, a `gid://shopify/OrderIdentity/<n>` or `<n>`), the same
//! number as the export's `Id` column and the Admin API's `id`.

use std::fmt::Write as _;

use super::js;
use super::{BrowserEvent, Ident, TagOptions};

/// Writes the pixel's code.
#[must_use]
pub fn generate(o: &TagOptions) -> String {
    let mut s = String::new();
    let header = super::header(
        o,
        "Pinterest tag as a Shopify custom pixel",
        &[
            "Shopify admin > Settings > Customer events > Add custom pixel; name it `pinconv Pinterest`.",
            "Customer privacy: Permission `Required`, category `Marketing` (events wait for consent",
            "where the shop asks for it).",
            "Paste this whole file into the Code box, then Save and Connect.",
            "Uninstall or disconnect any other Pinterest tag first (the Pinterest sales channel app fires",
            "its own tag and checkout with ids pinconv cannot match, so purchases would count twice).",
        ],
    );
    for l in header {
        let _ = writeln!(s, "// {l}");
    }
    s = s.replace("// \n", "//\n");
    let _ = writeln!(s);
    let _ = writeln!(s, "const PINCONV_TAG_ID = {};", js::string(&o.tag_id));
    let _ = writeln!(s, "{}", js::BASE_LOADER);
    s.push_str(HELPERS);
    if o.enhanced_match {
        s.push_str(
            "\n// Enhanced match: the tag hashes the email itself; trimmed and lowercased as pinconv does.\n\
             function pinconvEmail(v) {\n  return typeof v === \"string\" && v.trim() ? v.trim().toLowerCase() : undefined;\n}\n\
             var pinconvLoadEmail = pinconvEmail(init && init.data && init.data.customer && init.data.customer.email);\n\
             if (pinconvLoadEmail) {\n  pintrk(\"load\", PINCONV_TAG_ID, { em: pinconvLoadEmail });\n} else {\n  pintrk(\"load\", PINCONV_TAG_ID);\n}\n",
        );
    } else {
        s.push_str("\npintrk(\"load\", PINCONV_TAG_ID);\n");
    }
    s.push_str("\nanalytics.subscribe(\"page_viewed\", function () {\n  pintrk(\"page\");\n});\n");
    for ev in &o.events {
        s.push('\n');
        s.push_str(match ev {
            BrowserEvent::PageVisit => "analytics.subscribe(\"product_viewed\", function (event) {\n  var v = event.data.productVariant || {};\n  pintrk(\"track\", \"pagevisit\", pinconvClean({\n    currency: v.price && v.price.currencyCode,\n    line_items: [pinconvItem(v, 1)]\n  }));\n});\n",
            BrowserEvent::ViewCategory => "analytics.subscribe(\"collection_viewed\", function (event) {\n  var c = event.data.collection || {};\n  pintrk(\"track\", \"viewcategory\", pinconvClean({ category_name: c.title }));\n});\n",
            BrowserEvent::Search => "analytics.subscribe(\"search_submitted\", function (event) {\n  var r = event.data.searchResult || {};\n  pintrk(\"track\", \"search\", pinconvClean({ search_query: r.query }));\n});\n",
            BrowserEvent::AddToCart => "analytics.subscribe(\"product_added_to_cart\", function (event) {\n  var l = event.data.cartLine || {};\n  var total = (l.cost && l.cost.totalAmount) || {};\n  pintrk(\"track\", \"addtocart\", pinconvClean({\n    value: total.amount,\n    currency: total.currencyCode,\n    order_quantity: l.quantity,\n    line_items: [pinconvItem(l.merchandise, l.quantity)]\n  }));\n});\n",
            BrowserEvent::InitiateCheckout => "analytics.subscribe(\"checkout_started\", function (event) {\n  pintrk(\"track\", \"initiatecheckout\", pinconvCart(event.data.checkout || {}, {}));\n});\n",
            BrowserEvent::AddPaymentInfo => "analytics.subscribe(\"payment_info_submitted\", function (event) {\n  pintrk(\"track\", \"addpaymentinfo\", pinconvCart(event.data.checkout || {}, {}));\n});\n",
            BrowserEvent::Checkout => "",
        });
    }
    if let Some(t) = &o.web_checkout {
        let id = js::event_id_expr(o, t, |i| match i {
            // `check` refused every other identifier for this target.
            Ident::Id | Ident::Number | Ident::Name => "orderId".into(),
        });
        let _ = write!(
            s,
            "\n// The purchase, with the event id `pinconv build` gives the order: template `{}`.\n\
             analytics.subscribe(\"checkout_completed\", function (event) {{\n  \
             var c = event.data.checkout || {{}};\n  \
             // `gid://shopify/OrderIdentity/5396439498987` or `5396439498987`: the Admin order id,\n  \
             // the export's `Id` column.\n  \
             var orderId = String((c.order && c.order.id) || \"\").split(\"/\").pop().trim();\n  \
             if (!orderId) return;\n",
            t.text().replace('\n', " ")
        );
        if o.enhanced_match {
            s.push_str(
                "  var em = pinconvEmail(c.email);\n  if (em) pintrk(\"set\", { em: em });\n",
            );
        }
        let _ = write!(
            s,
            "  pintrk(\"track\", \"checkout\", pinconvCart(c, {{ event_id: {id}, order_id: orderId }}));\n}});\n"
        );
    }
    s
}

const HELPERS: &str = r#"
// Drops empty fields, so the tag never receives `undefined`.
function pinconvClean(d) {
  Object.keys(d).forEach(function (k) {
    if (d[k] === undefined || d[k] === null || d[k] === "") delete d[k];
  });
  return d;
}

// A Shopify ProductVariant as one of Pinterest's line items.
function pinconvItem(v, quantity) {
  v = v || {};
  var p = v.product || {};
  return pinconvClean({
    product_id: p.id,
    product_variant_id: v.id,
    product_name: p.title || v.title,
    product_price: v.price && v.price.amount,
    product_quantity: quantity,
    product_category: p.type
  });
}

// A Shopify Checkout's value, currency and items, after the fields in `first`.
function pinconvCart(c, first) {
  var items = c.lineItems || [];
  var d = first;
  d.value = c.totalPrice && c.totalPrice.amount;
  d.currency = c.currencyCode;
  d.order_quantity = items.reduce(function (n, l) { return n + (l.quantity || 0); }, 0);
  d.line_items = items.map(function (l) {
    var item = pinconvItem(l.variant, l.quantity);
    if (l.title) item.product_name = l.title;
    return item;
  });
  return pinconvClean(d);
}
"#;
