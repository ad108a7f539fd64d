//! Target `html`: for any site. The base code (with its `<noscript>` pixel) is live; each
//! event is a snippet inside an HTML comment, to be copied onto the page where the event
//! happens, with UPPER_CASE placeholders named for the value that goes in them (quoted ones
//! take text, bare ones a number).

use std::fmt::Write as _;

use super::js;
use super::{BrowserEvent, Ident, TagOptions};

/// The placeholder and JavaScript variable of an order identifier.
fn names(i: Ident) -> (&'static str, &'static str, &'static str) {
    match i {
        Ident::Id => (
            "ORDER_ID",
            "orderId",
            "the platform's order id (what pinconv reads as the order id column, e.g. Shopify's `Id`)",
        ),
        Ident::Number => ("ORDER_NUMBER", "orderNumber", "the order number"),
        Ident::Name => ("ORDER_NAME", "orderName", "the order name (e.g. `#1001`)"),
    }
}

const ITEM: &str = "{ product_id: \"PRODUCT_ID\", product_name: \"PRODUCT_NAME\", product_price: PRODUCT_PRICE, product_quantity: PRODUCT_QUANTITY, product_category: \"PRODUCT_CATEGORY\" }";

/// Writes the page code.
#[must_use]
pub fn generate(o: &TagOptions) -> String {
    let mut s = String::from("<!--\n");
    let header = super::header(
        o,
        "Pinterest tag for any website (plain HTML)",
        &[
            "1. Put the base code below in the <head> of every page, once, before any event snippet.",
            "2. Copy each event snippet (inside the comments further down) onto the page where the",
            "   event happens, after the base code, and replace its UPPER_CASE placeholders: quoted",
            "   ones with text, bare ones (PRODUCT_PRICE, VALUE, ...) with a number.",
        ],
    );
    for l in header {
        let _ = writeln!(s, "  {l}");
    }
    s.push_str("-->\n\n<!-- pinconv: Pinterest base code -->\n<script>\n");
    s.push_str(js::BASE_LOADER);
    s.push('\n');
    let id = js::string(&o.tag_id);
    if o.enhanced_match {
        let _ = writeln!(
            s,
            "// Enhanced match: CUSTOMER_EMAIL is the signed-in customer's email (the tag hashes it);\n\
             // on pages where nobody is signed in, drop the third argument.\n\
             pintrk(\"load\", {id}, {{ em: String(\"CUSTOMER_EMAIL\").trim().toLowerCase() }});"
        );
    } else {
        let _ = writeln!(s, "pintrk(\"load\", {id});");
    }
    s.push_str("pintrk(\"page\");\n</script>\n");
    s.push_str(&js::noscript(&o.tag_id));
    s.push_str("\n\n");
    for ev in &o.events {
        let (page, body) = match ev {
            BrowserEvent::PageVisit => (
                "a product page",
                format!("pintrk(\"track\", \"pagevisit\", {{\n  currency: \"CURRENCY\",\n  line_items: [{ITEM}]\n}});"),
            ),
            BrowserEvent::ViewCategory => (
                "a category page",
                "pintrk(\"track\", \"viewcategory\", { category_name: \"CATEGORY_NAME\" });".into(),
            ),
            BrowserEvent::Search => (
                "the search results page",
                "pintrk(\"track\", \"search\", { search_query: \"SEARCH_QUERY\" });".into(),
            ),
            BrowserEvent::AddToCart => (
                "where a product is added to the cart (run it when that happens)",
                format!("pintrk(\"track\", \"addtocart\", {{\n  value: VALUE,\n  currency: \"CURRENCY\",\n  order_quantity: ITEM_COUNT,\n  line_items: [{ITEM}]\n}});"),
            ),
            BrowserEvent::InitiateCheckout => (
                "the first checkout page",
                format!("pintrk(\"track\", \"initiatecheckout\", {{\n  value: VALUE,\n  currency: \"CURRENCY\",\n  order_quantity: ITEM_COUNT,\n  line_items: [{ITEM}]\n}});"),
            ),
            BrowserEvent::AddPaymentInfo => (
                "where payment details are entered (run it when they are)",
                format!("pintrk(\"track\", \"addpaymentinfo\", {{\n  value: VALUE,\n  currency: \"CURRENCY\",\n  order_quantity: ITEM_COUNT,\n  line_items: [{ITEM}]\n}});"),
            ),
            BrowserEvent::Checkout => continue,
        };
        let _ = writeln!(
            s,
            "<!-- pinconv event {}: on {page}; one line_items entry per product\n<script>\n{body}\n</script>\n-->\n",
            ev.tag()
        );
    }
    match &o.web_checkout {
        None => s.push_str(
            "<!-- No checkout snippet: the purchase is sent from the server by `pinconv send`\n     (server-only checkout). Do not add a browser checkout event. -->\n",
        ),
        Some(t) => {
            let mut idents = t.needs(o.order_id);
            let data_id = super::template::ident(crate::template::Var::OrderId, o.order_id)
                .unwrap_or(Ident::Id);
            if !idents.contains(&data_id) {
                idents.push(data_id);
            }
            let _ = writeln!(
                s,
                "<!-- pinconv event checkout: on the order confirmation page, once per order.\n     event_id is template `{}` filled as `pinconv build` fills it; the placeholders:",
                t.text()
            );
            for i in &idents {
                let (ph, _, what) = names(*i);
                let _ = writeln!(s, "       {ph}: {what}, the same value the export carries");
            }
            s.push_str("<script>\n(function () {\n");
            for i in &idents {
                let (ph, var, _) = names(*i);
                let _ = writeln!(s, "  var {var} = String(\"{ph}\").trim();");
            }
            let guard: Vec<String> = idents.iter().map(|i| format!("!{}", names(*i).1)).collect();
            let _ = writeln!(s, "  if ({}) return;", guard.join(" || "));
            if o.enhanced_match {
                s.push_str("  pintrk(\"set\", { em: String(\"CUSTOMER_EMAIL\").trim().toLowerCase() });\n");
            }
            let expr = js::event_id_expr(o, t, |i| names(i).1.into());
            let _ = writeln!(
                s,
                "  pintrk(\"track\", \"checkout\", {{\n    event_id: {expr},\n    order_id: {},\n    value: VALUE,\n    currency: \"CURRENCY\",\n    order_quantity: ITEM_COUNT,\n    line_items: [{ITEM}]\n  }});\n}})();\n</script>\n-->",
                names(data_id).1
            );
        }
    }
    s
}
