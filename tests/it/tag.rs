//! `pinconv tag`: each target's output run the way its platform runs it, with the `pintrk`
//! calls recorded and asserted. GTM containers go through a small GTM (tests/tag/gtm.js:
//! data layer of GA4 pushes, variables resolved as GTM does), the Shopify pixel through
//! stand-ins of `analytics`/`browser`/`init` (tests/tag/shopify.js), the WooCommerce snippet
//! through `php` under stand-in WordPress and WooCommerce functions (tests/tag/woo.php) and
//! then its pages' scripts, and the HTML through Node's `vm` (tests/tag/html.js). Checkout
//! ids are compared with what the real `pinconv build` gives the same order.
//!
//! These tests need `node` and `php`. Without them they fail, with the command that installs
//! them: CI (.ci/run) installs them, and a developer sees why rather than a silent skip.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use crate::support::{pinconv, repo};

const TAG_ID: &str = "2612345678901";
const SHOPIFY_CSV: &str = "tests/tag/fixtures/shopify_orders_export.csv";
const WOO_JSON: &str = "tests/tag/fixtures/woocommerce_orders.json";

/// A tool the tests cannot do without; a clear failure when it is missing.
fn tool(name: &'static str, install: &str) -> &'static str {
    let found = Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`{name}` is not installed, and the `tag` tests run the generated code with it; install it ({install}), as .ci/run does"
    );
    name
}

fn node() -> &'static str {
    tool(
        "node",
        "Node.js 18 or later, e.g. `apt-get install -y nodejs`",
    )
}

fn php() -> &'static str {
    tool("php", "`apt-get install -y php-cli`")
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().expect("tempdir"))
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.path().join(name);
        std::fs::write(&p, text).expect("write");
        p
    }
}

/// `pinconv tag ARGS` must succeed; its stdout.
fn tag(args: &[&str]) -> String {
    let mut all = vec!["tag", "--tag-id", TAG_ID];
    all.extend_from_slice(args);
    pinconv(all).code(0).stdout
}

/// Runs `tool script args...` and parses its JSON output.
fn run_json(tool: &str, script: &str, args: &[&Path]) -> Value {
    let out = Command::new(tool)
        .arg(repo(script))
        .args(args)
        .output()
        .expect("run the runner");
    assert!(
        out.status.success(),
        "{tool} {script} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{script} printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// The `pintrk` calls of a runner's output.
fn calls(v: &Value) -> Vec<Value> {
    v["calls"].as_array().expect("calls").clone()
}

/// The tracked events, by name.
fn tracked(calls: &[Value]) -> Vec<String> {
    calls
        .iter()
        .filter(|c| c[0] == "track")
        .map(|c| c[1].as_str().expect("event name").to_owned())
        .collect()
}

fn track<'a>(calls: &'a [Value], event: &str) -> &'a Value {
    let found: Vec<&Value> = calls
        .iter()
        .filter(|c| c[0] == "track" && c[1] == event)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "`{event}` tracked {} times: {calls:?}",
        found.len()
    );
    &found[0][2]
}

/// The browsing events every target tracks by default, in the order a visit fires them.
const BROWSING: [&str; 6] = [
    "pagevisit",
    "viewcategory",
    "search",
    "addtocart",
    "initiatecheckout",
    "addpaymentinfo",
];

/// A default tag's calls for a whole visit: it loads, counts the page and tracks the browsing
/// events, nothing else.
fn loads_and_tracks_the_browsing_events(calls: &[Value]) {
    assert_eq!(calls[0], json!(["load", TAG_ID]));
    assert_eq!(calls[1], json!(["page"]));
    assert_eq!(tracked(calls), BROWSING);
}

/// The `event_id` `pinconv build` gives the (only) order of `input`.
fn build_event_id(input: &str, extra: &[&str]) -> String {
    let mut args = vec!["build", "--max-age", "off", input];
    args.extend_from_slice(extra);
    let out = pinconv(args).code(0).stdout;
    let body: Value = serde_json::from_str(out.lines().next().expect("a body")).expect("json");
    let data = body["data"].as_array().expect("data");
    assert_eq!(data.len(), 1);
    data[0]["event_id"].as_str().expect("event_id").to_owned()
}

/// Both sides of a web checkout with `template`: the `target` tag made with `--web-checkout
/// --event-id-template TEMPLATE --enhanced-match`, and the event id `pinconv build` gives the
/// (only) order of `input` with the same template.
fn web_checkout(target: &str, template: &str, input: &str) -> (String, String) {
    let code = tag(&[
        "--target",
        target,
        "--web-checkout",
        "--event-id-template",
        template,
        "--enhanced-match",
    ]);
    let server = build_event_id(input, &["--event-id-template", template]);
    (code, server)
}

fn ga4_items() -> Value {
    json!([
        {"item_id": "FH-MUG-OAT-12", "item_name": "Speckled Mug", "price": 28.0, "quantity": 2, "item_category": "Mugs"},
        {"item_id": "FH-TOWEL", "item_name": "Linen Tea Towel", "price": "12.50", "item_category": "Linen"}
    ])
}

/// A shop's GA4 data layer for one visit: every ecommerce event, each after the usual
/// `{ecommerce: null}` clear.
fn ga4_visit(transaction_id: &str) -> Value {
    let ecommerce = |extra: Value| {
        let mut e = json!({"currency": "USD", "value": 68.5, "items": ga4_items()});
        for (k, v) in extra.as_object().expect("object") {
            e[k] = v.clone();
        }
        e
    };
    json!([
        {"gtm.start": 1, "event": "gtm.js"},
        {"event": "gtm.dom"},
        {"ecommerce": null},
        {"event": "view_item", "ecommerce": ecommerce(json!({}))},
        {"ecommerce": null},
        {"event": "view_item_list", "ecommerce": ecommerce(json!({"item_list_name": "Mugs"}))},
        {"event": "search", "search_term": "oat mug"},
        {"ecommerce": null},
        {"event": "add_to_cart", "ecommerce": ecommerce(json!({}))},
        {"ecommerce": null},
        {"event": "begin_checkout", "ecommerce": ecommerce(json!({}))},
        {"ecommerce": null},
        {"event": "add_payment_info", "ecommerce": ecommerce(json!({"payment_type": "card"}))},
        {"ecommerce": null},
        {"event": "purchase", "user_data": {"email": " Maya.Okafor@Example.com "},
         "ecommerce": ecommerce(json!({"transaction_id": transaction_id, "value": 67.71}))}
    ])
}

fn run_gtm(container: &str, pushes: &Value) -> Vec<Value> {
    let d = Dir::new();
    let c = d.write("container.json", container);
    let l = d.write("datalayer.json", &pushes.to_string());
    calls(&run_json(node(), "tests/tag/gtm.js", &[&c, &l]))
}

/// What the container export format needs, as far as it is documented: the top-level keys,
/// each entity's keys, ids unique per kind, every trigger, folder, setup tag and `{{variable}}`
/// referenced existing, every name carrying the one prefix (so a merge overwrites, not
/// duplicates).
fn validate_container(text: &str) {
    let c: Value = serde_json::from_str(text).expect("the container is JSON");
    assert_eq!(c["exportFormatVersion"], 2);
    let stamp = c["exportTime"].as_str().expect("exportTime");
    assert!(
        jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M:%S", stamp).is_ok(),
        "exportTime `{stamp}`"
    );
    let cv = &c["containerVersion"];
    for k in [
        "path",
        "accountId",
        "containerId",
        "containerVersionId",
        "container",
    ] {
        assert!(!cv[k].is_null(), "containerVersion.{k} missing");
    }
    for k in [
        "path",
        "accountId",
        "containerId",
        "name",
        "publicId",
        "usageContext",
    ] {
        assert!(!cv["container"][k].is_null(), "container.{k} missing");
    }
    let list = |k: &str| cv[k].as_array().cloned().unwrap_or_default();
    let ids = |k: &str, id: &str| -> Vec<String> {
        let v: Vec<String> = list(k)
            .iter()
            .map(|e| {
                e[id]
                    .as_str()
                    .unwrap_or_else(|| panic!("{k} without {id}"))
                    .to_owned()
            })
            .collect();
        let mut u = v.clone();
        u.sort();
        u.dedup();
        assert_eq!(u.len(), v.len(), "duplicate {id} in {k}: {v:?}");
        v
    };
    let tag_ids = ids("tag", "tagId");
    let trigger_ids = ids("trigger", "triggerId");
    let variable_ids = ids("variable", "variableId");
    let folder_ids = ids("folder", "folderId");
    assert!(!tag_ids.is_empty() && !variable_ids.is_empty());
    let mut names: Vec<String> = Vec::new();
    for kind in ["tag", "trigger", "variable", "folder"] {
        for e in list(kind) {
            for k in ["accountId", "containerId", "name"] {
                assert!(e[k].is_string(), "{kind} without {k}: {e}");
            }
            let name = e["name"].as_str().expect("name").to_owned();
            assert!(
                name.starts_with("pinconv – "),
                "{kind} `{name}` without the prefix"
            );
            assert!(!names.contains(&name), "name `{name}` used twice");
            names.push(name);
            if kind != "folder" {
                let folder = e["parentFolderId"].as_str().expect("parentFolderId");
                assert!(
                    folder_ids.iter().any(|f| f == folder),
                    "{folder} is no folder"
                );
                assert!(e["type"].is_string(), "{kind} without type");
            }
        }
    }
    let variable_names: Vec<String> = list("variable")
        .iter()
        .map(|v| v["name"].as_str().expect("name").to_owned())
        .collect();
    let built_in: Vec<String> = list("builtInVariable")
        .iter()
        .map(|b| {
            assert!(
                b["type"].is_string() && b["name"].is_string(),
                "builtInVariable {b}"
            );
            b["name"].as_str().expect("name").to_owned()
        })
        .collect();
    let tag_names: Vec<String> = list("tag")
        .iter()
        .map(|t| t["name"].as_str().expect("name").to_owned())
        .collect();
    for t in list("tag") {
        assert_eq!(t["type"], "html", "only Custom HTML tags: {t}");
        let fires = t["firingTriggerId"].as_array().expect("firingTriggerId");
        assert!(!fires.is_empty());
        for id in fires {
            let id = id.as_str().expect("trigger id");
            assert!(
                id == "2147479553" || trigger_ids.iter().any(|t| t == id),
                "tag fires on trigger `{id}`, which does not exist"
            );
        }
        for s in t["setupTag"].as_array().cloned().unwrap_or_default() {
            let n = s["tagName"].as_str().expect("tagName");
            assert!(
                tag_names.iter().any(|t| t == n),
                "setup tag `{n}` does not exist"
            );
        }
        assert!(["ONCE_PER_EVENT", "ONCE_PER_LOAD", "UNLIMITED"]
            .contains(&t["tagFiringOption"].as_str().expect("tagFiringOption")));
    }
    // Every {{reference}} anywhere names a variable or a built-in (`_event` is Event's).
    let re_text = text.replace("\\\"", "");
    let mut rest = re_text.as_str();
    while let Some(i) = rest.find("{{") {
        let end = rest[i..].find("}}").expect("closed reference");
        let name = &rest[i + 2..i + end];
        let known = variable_names.iter().any(|v| v == name)
            || (name == "_event" && built_in.iter().any(|b| b == "Event"));
        assert!(known, "`{{{{{name}}}}}` is referenced but not defined");
        rest = &rest[i + end + 2..];
    }
}

#[test]
fn gtm_container_is_a_valid_export() {
    for args in [
        vec!["--target", "gtm"],
        vec!["--target", "gtm", "--web-checkout", "--enhanced-match"],
        vec!["--target", "gtm", "--events", "search"],
    ] {
        validate_container(&tag(&args));
    }
}

#[test]
fn gtm_default_fires_the_browsing_events_from_ga4_pushes_and_no_checkout() {
    let container = tag(&["--target", "gtm"]);
    let calls = run_gtm(&container, &ga4_visit("6713208471801"));
    loads_and_tracks_the_browsing_events(&calls);
    let items = json!([
        {"product_id": "FH-MUG-OAT-12", "product_name": "Speckled Mug", "product_price": 28, "product_quantity": 2, "product_category": "Mugs"},
        {"product_id": "FH-TOWEL", "product_name": "Linen Tea Towel", "product_price": 12.5, "product_category": "Linen"}
    ]);
    assert_eq!(
        *track(&calls, "pagevisit"),
        json!({"currency": "USD", "line_items": items})
    );
    assert_eq!(track(&calls, "viewcategory")["category_name"], "Mugs");
    assert_eq!(*track(&calls, "search"), json!({"search_query": "oat mug"}));
    assert_eq!(
        *track(&calls, "addtocart"),
        json!({"value": 68.5, "currency": "USD", "order_quantity": 3, "line_items": items})
    );
    // No enhanced match unless asked for.
    assert!(!calls.iter().any(|c| c[0] == "set"), "{calls:?}");
}

#[test]
fn gtm_web_checkout_fires_checkout_with_builds_event_id() {
    let template = "order-{order_id}-{event_name}";
    let (container, server) = web_checkout("gtm", template, SHOPIFY_CSV);
    assert_eq!(server, "order-6713208471801-checkout");
    // A data layer that writes the id as a number, with stray spaces: still the same id.
    let mut visit = ga4_visit("6713208471801");
    let last = visit.as_array_mut().unwrap().last_mut().unwrap();
    last["ecommerce"]["transaction_id"] = json!(6_713_208_471_801_u64);
    let calls = run_gtm(&container, &visit);
    let checkout = track(&calls, "checkout");
    assert_eq!(checkout["event_id"], server.as_str());
    assert_eq!(checkout["order_id"], "6713208471801");
    assert_eq!(checkout["value"], 67.71);
    assert_eq!(checkout["order_quantity"], 3);
    // The email, trimmed and lowercased for the tag to hash, before the purchase.
    let set = calls
        .iter()
        .position(|c| c[0] == "set")
        .expect("a set call");
    let at = calls
        .iter()
        .position(|c| c[0] == "track" && c[1] == "checkout")
        .unwrap();
    assert!(set < at);
    assert_eq!(calls[set][1], json!({"em": "maya.okafor@example.com"}));
    // Without a transaction id there is no checkout (a checkout without the id would count twice).
    let mut visit = ga4_visit("x");
    let last = visit.as_array_mut().unwrap().last_mut().unwrap();
    last["ecommerce"]
        .as_object_mut()
        .unwrap()
        .remove("transaction_id");
    assert!(!tracked(&run_gtm(&container, &visit)).contains(&"checkout".to_owned()));
}

#[test]
fn gtm_order_number_side_uses_order_id_setting() {
    // GTM4WP writes the order number into transaction_id: `--order-id number` on both sides.
    let template = "wc-{order_id}";
    let container = tag(&[
        "--target",
        "gtm",
        "--web-checkout",
        "--event-id-template",
        template,
        "--order-id",
        "number",
    ]);
    let server = build_event_id(
        WOO_JSON,
        &["--event-id-template", template, "--order-id", "number"],
    );
    assert_eq!(server, "wc-W-5123");
    let calls = run_gtm(&container, &ga4_visit("W-5123"));
    assert_eq!(track(&calls, "checkout")["event_id"], server.as_str());
}

#[test]
fn gtm_refuses_placeholders_the_data_layer_cannot_fill() {
    for t in ["{order_name}", "{order_number}", "{id}-{order_id}"] {
        let out = pinconv([
            "tag",
            "--target",
            "gtm",
            "--tag-id",
            TAG_ID,
            "--web-checkout",
            "--event-id-template",
            t,
        ])
        .code(2);
        assert!(out.stderr.contains("transaction_id"), "{}", out.stderr);
        assert!(out.stdout.is_empty());
    }
}

fn money(amount: f64) -> Value {
    json!({"amount": amount, "currencyCode": "USD"})
}

fn shopify_variant() -> Value {
    json!({"id": "44890123", "title": "Oat / 12 oz", "price": money(28.0), "sku": "FH-MUG-OAT-12",
           "product": {"id": "8123456", "title": "Speckled Mug", "type": "Mugs", "vendor": "Fernhill"}})
}

fn shopify_checkout(order_id: Value) -> Value {
    json!({
        "currencyCode": "USD",
        "email": " Maya.Okafor@Example.com",
        "totalPrice": money(67.71),
        "order": {"id": order_id, "customer": {"id": "7001", "isFirstOrder": true}},
        "lineItems": [{"quantity": 2, "title": "Speckled Mug", "variant": shopify_variant()}]
    })
}

fn shopify_visit(order_id: Value) -> Value {
    json!({
        "init": {"data": {"customer": {"email": "maya.okafor@example.com"}}},
        "events": [
            {"name": "page_viewed", "data": {}},
            {"name": "product_viewed", "data": {"productVariant": shopify_variant()}},
            {"name": "collection_viewed", "data": {"collection": {"id": "1", "title": "Mugs", "productVariants": []}}},
            {"name": "search_submitted", "data": {"searchResult": {"query": "oat mug", "productVariants": []}}},
            {"name": "product_added_to_cart", "data": {"cartLine": {"quantity": 2, "cost": {"totalAmount": money(56.0)}, "merchandise": shopify_variant()}}},
            {"name": "checkout_started", "data": {"checkout": shopify_checkout(Value::Null)}},
            {"name": "payment_info_submitted", "data": {"checkout": shopify_checkout(Value::Null)}},
            {"name": "checkout_completed", "data": {"checkout": shopify_checkout(order_id)}}
        ]
    })
}

fn run_pixel(code: &str, scenario: &Value) -> Value {
    let d = Dir::new();
    let p = d.write("pixel.js", code);
    let s = d.write("scenario.json", &scenario.to_string());
    run_json(node(), "tests/tag/shopify.js", &[&p, &s])
}

#[test]
fn shopify_pixel_default_fires_browsing_events_and_no_checkout() {
    let code = tag(&["--target", "shopify-pixel"]);
    let out = run_pixel(
        &code,
        &shopify_visit(json!("gid://shopify/OrderIdentity/6713208471801")),
    );
    assert_eq!(out["injected"], json!(["https://s.pinimg.com/ct/core.js"]));
    assert!(!out["subscribed"]
        .as_array()
        .unwrap()
        .contains(&json!("checkout_completed")));
    let calls = calls(&out);
    loads_and_tracks_the_browsing_events(&calls);
    let item = json!({"product_id": "8123456", "product_variant_id": "44890123", "product_name": "Speckled Mug",
                      "product_price": 28, "product_quantity": 2, "product_category": "Mugs"});
    assert_eq!(
        *track(&calls, "addtocart"),
        json!({"value": 56, "currency": "USD", "order_quantity": 2, "line_items": [item]})
    );
    assert_eq!(*track(&calls, "search"), json!({"search_query": "oat mug"}));
    assert_eq!(
        *track(&calls, "viewcategory"),
        json!({"category_name": "Mugs"})
    );
}

#[test]
fn shopify_pixel_web_checkout_matches_build_for_gid_and_plain_ids() {
    let template = "shop-{order_id}";
    let (code, server) = web_checkout("shopify-pixel", template, SHOPIFY_CSV);
    assert_eq!(server, "shop-6713208471801");
    for id in [
        json!("gid://shopify/OrderIdentity/6713208471801"),
        json!("6713208471801"),
    ] {
        let calls = calls(&run_pixel(&code, &shopify_visit(id)));
        assert_eq!(
            calls[0],
            json!(["load", TAG_ID, {"em": "maya.okafor@example.com"}])
        );
        let c = track(&calls, "checkout");
        assert_eq!(c["event_id"], server.as_str());
        assert_eq!(c["order_id"], "6713208471801");
        assert_eq!(c["value"], 67.71);
        assert_eq!(c["currency"], "USD");
        assert_eq!(c["order_quantity"], 2);
    }
    // No order id (it is null on every event but checkout_completed): no checkout.
    let calls = calls(&run_pixel(&code, &shopify_visit(Value::Null)));
    assert!(!tracked(&calls).contains(&"checkout".to_owned()));
}

#[test]
fn shopify_pixel_refuses_templates_needing_the_order_name() {
    for args in [
        vec!["--event-id-template", "{order_name}"],
        vec!["--event-id-template", "{order_number}"],
        vec!["--event-id-template", "{order_id}", "--order-id", "name"],
    ] {
        let mut all = vec![
            "tag",
            "--target",
            "shopify-pixel",
            "--tag-id",
            TAG_ID,
            "--web-checkout",
        ];
        all.extend(args);
        let out = pinconv(all).code(2);
        assert!(
            out.stderr.contains("carries only the order id"),
            "{}",
            out.stderr
        );
    }
    // Without --web-checkout the template is not used in the pixel, so it is not refused.
    tag(&[
        "--target",
        "shopify-pixel",
        "--event-id-template",
        "{order_name}",
    ]);
}

/// Serves a WooCommerce scenario through the snippet; the pages' `pintrk` calls, one list per page.
fn run_woo(snippet: &str, scenario: &Value) -> Vec<Vec<Value>> {
    let d = Dir::new();
    let p = d.write("snippet.php", snippet);
    let s = d.write("scenario.json", &scenario.to_string());
    let pages = run_json(php(), "tests/tag/woo.php", &[&p, &s]);
    pages["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .enumerate()
        .map(|(i, html)| {
            let f = d.write(&format!("page{i}.html"), html.as_str().expect("html"));
            calls(&run_json(node(), "tests/tag/html.js", &[&f]))
        })
        .collect()
}

fn woo_scenario(status: &str) -> Value {
    json!({
        "currency": "USD",
        "user_email": "Hana.Kobayashi@Example.com ",
        "products": {"11": {"name": "Speckled Mug </script><script>alert(1)</script>", "price": "28.00"},
                     "12": {"name": "Linen Tea Towel", "price": "12.50"}},
        "cart": [{"product_id": 11, "quantity": 2}, {"product_id": 12, "quantity": 1}],
        "cart_total": "68.50",
        "orders": {"5123": {"number": "W-5123", "status": status, "total": "105.14", "currency": "USD",
                            "email": "hana.kobayashi@example.com",
                            "items": [{"product_id": 11, "name": "Speckled Mug", "quantity": 2, "total": "56.00"},
                                      {"product_id": 12, "name": "Linen Tea Towel", "quantity": 1, "total": "12.50"}]}},
        "requests": [
            {"page": "home"},
            {"page": "product", "product_id": 11},
            {"add_to_cart": {"product_id": 11, "quantity": 2}},
            {"page": "category", "category": "Mugs"},
            {"page": "search", "search": "oat \"mug\""},
            {"page": "checkout"},
            {"page": "thankyou", "order_id": 5123},
            {"page": "thankyou", "order_id": 5123}
        ]
    })
}

#[test]
fn woocommerce_default_fires_on_the_shops_hooks_and_no_checkout() {
    let snippet = tag(&["--target", "woocommerce"]);
    let pages = run_woo(&snippet, &woo_scenario("processing"));
    assert_eq!(pages.len(), 7);
    for p in &pages {
        // The base code on every page, once, first.
        assert_eq!(p[0], json!(["load", TAG_ID]));
        assert_eq!(p[1], json!(["page"]));
        assert!(!tracked(p).contains(&"checkout".to_owned()));
    }
    assert!(tracked(&pages[0]).is_empty());
    let visit = track(&pages[1], "pagevisit");
    // The product name survives intact; it could not close the script element.
    assert_eq!(
        visit["line_items"][0]["product_name"],
        "Speckled Mug </script><script>alert(1)</script>"
    );
    assert_eq!(visit["line_items"][0]["product_price"], 28.0);
    // The add to cart of the form post fires on the next page, once.
    assert_eq!(tracked(&pages[2]), ["viewcategory", "addtocart"]);
    assert_eq!(track(&pages[2], "addtocart")["value"], 56.0);
    assert_eq!(track(&pages[2], "viewcategory")["category_name"], "Mugs");
    assert_eq!(
        *track(&pages[3], "search"),
        json!({"search_query": "oat \"mug\""})
    );
    let ic = track(&pages[4], "initiatecheckout");
    assert_eq!(ic["value"], 68.5);
    assert_eq!(ic["order_quantity"], 3);
    assert!(tracked(&pages[5]).is_empty() && tracked(&pages[6]).is_empty());
}

#[test]
fn woocommerce_web_checkout_matches_build_once_per_order_never_failed() {
    let template = "wc-{order_number}-{order_id}-{event_name}";
    let (snippet, server) = web_checkout("woocommerce", template, WOO_JSON);
    assert_eq!(server, "wc-W-5123-5123-checkout");
    let pages = run_woo(&snippet, &woo_scenario("processing"));
    let sha = "77736e01e7d6d3f97839ab17b121503f22ba63ef6a935aaaa3c4430c44932a47";
    // Signed in: the SHA-256 of the trimmed, lowercased email, as pinconv sends `em`.
    assert_eq!(pages[0][0], json!(["load", TAG_ID, {"em": sha}]));
    let thankyou = &pages[5];
    let c = track(thankyou, "checkout");
    assert_eq!(c["event_id"], server.as_str());
    assert_eq!(c["order_id"], "5123");
    assert_eq!(c["value"], 105.14);
    assert_eq!(c["currency"], "USD");
    assert_eq!(c["order_quantity"], 3);
    assert_eq!(
        c["line_items"][1],
        json!({"product_id": "12", "product_name": "Linen Tea Towel", "product_price": 12.5, "product_quantity": 1})
    );
    assert!(thankyou.contains(&json!(["set", {"em": sha}])));
    // A reload of the thank-you page prints it no more.
    assert!(!tracked(&pages[6]).contains(&"checkout".to_owned()));
    // Failed and cancelled orders never.
    for status in ["failed", "cancelled"] {
        let pages = run_woo(&snippet, &woo_scenario(status));
        assert!(pages
            .iter()
            .all(|p| !tracked(p).contains(&"checkout".to_owned())));
    }
    // `{order_name}` is the order number in WooCommerce.
    let snippet = tag(&[
        "--target",
        "woocommerce",
        "--web-checkout",
        "--event-id-template",
        "{order_name}",
    ]);
    let pages = run_woo(&snippet, &woo_scenario("completed"));
    assert_eq!(track(&pages[5], "checkout")["event_id"], "W-5123");
}

#[test]
fn woocommerce_snippet_says_what_to_do_with_the_official_plugin() {
    let snippet = tag(&["--target", "woocommerce"]);
    assert!(snippet.starts_with("<?php\n/**\n * Pinterest tag for WooCommerce"));
    assert!(snippet.contains("Pinterest for WooCommerce"));
    assert!(snippet.contains("checkout_{order_id}"));
}

fn run_html(html: &str, scenario: &Value) -> Value {
    let d = Dir::new();
    let p = d.write("page.html", html);
    let s = d.write("scenario.json", &scenario.to_string());
    run_json(node(), "tests/tag/html.js", &[&p, &s])
}

fn html_values() -> Value {
    json!({"PRODUCT_ID": "FH-MUG-OAT-12", "PRODUCT_NAME": "Speckled Mug", "PRODUCT_PRICE": 28,
           "PRODUCT_QUANTITY": 2, "PRODUCT_CATEGORY": "Mugs", "CURRENCY": "USD", "VALUE": 67.71,
           "ITEM_COUNT": 2, "CATEGORY_NAME": "Mugs", "SEARCH_QUERY": "oat mug",
           "ORDER_ID": "6713208471801", "ORDER_NAME": " #1041", "ORDER_NUMBER": "1041",
           "CUSTOMER_EMAIL": "maya.okafor@example.com"})
}

#[test]
fn html_base_code_and_snippets_run_and_default_has_no_checkout() {
    let html = tag(&["--target", "html"]);
    assert!(html.starts_with("<!--\n  Pinterest tag for any website"));
    assert!(html.contains("<noscript><img"));
    assert!(html.contains(&format!("tid={TAG_ID}&amp;noscript=1")));
    // The page as pasted: the base code only; every event waits in its comment.
    let out = run_html(&html, &json!({}));
    assert_eq!(calls(&out), [json!(["load", TAG_ID]), json!(["page"])]);
    assert_eq!(out["snippets"], json!(BROWSING));
    let all = json!({"snippets": BROWSING,
                     "values": html_values()});
    let calls = calls(&run_html(&html, &all));
    assert_eq!(tracked(&calls), BROWSING);
    assert_eq!(track(&calls, "addtocart")["value"], 67.71);
}

#[test]
fn html_web_checkout_matches_build_with_the_order_name() {
    let template = "{order_name}";
    let (html, server) = web_checkout("html", template, SHOPIFY_CSV);
    assert_eq!(server, "#1041");
    let scenario = json!({"snippets": ["checkout"], "values": html_values()});
    let calls = calls(&run_html(&html, &scenario));
    assert_eq!(
        calls[0],
        json!(["load", TAG_ID, {"em": "maya.okafor@example.com"}])
    );
    let c = track(&calls, "checkout");
    assert_eq!(c["event_id"], server.as_str());
    assert_eq!(c["order_id"], "6713208471801");
}

#[test]
fn config_tag_table_and_environment_feed_tag_and_send_warns_about_late_checkouts() {
    let d = Dir::new();
    let cfg = d.write(
        "pinconv.toml",
        &format!(
            "event_id_template = \"p-{{order_id}}\"\n\n[tag]\nid = \"{TAG_ID}\"\nweb_checkout = true\nevents = [\"search\"]\n"
        ),
    );
    let cfg_s = cfg.to_str().unwrap();
    let pixel = pinconv(["tag", "--target", "shopify-pixel", "--config", cfg_s])
        .code(0)
        .stdout;
    assert!(pixel.contains("--events search --web-checkout --event-id-template 'p-{order_id}'"));
    let out = run_pixel(
        &pixel,
        &shopify_visit(json!("gid://shopify/OrderIdentity/6713208471801")),
    );
    let calls = calls(&out);
    assert_eq!(tracked(&calls), ["search", "checkout"]);
    let server = build_event_id(SHOPIFY_CSV, &["--config", cfg_s]);
    assert_eq!(track(&calls, "checkout")["event_id"], server.as_str());
    // The tag id from the environment wins over the config's.
    let html = pinconv(["tag", "--target", "html", "--config", cfg_s])
        .env("PINTEREST_TAG_ID", "2699999999999")
        .code(0)
        .stdout;
    assert!(html.contains("pintrk(\"load\", \"2699999999999\")"));

    // `send` with that config: the export's orders are days old, so the warning, once.
    let both = [SHOPIFY_CSV, WOO_JSON];
    let mut args = vec!["send", "--dry-run", "--max-age", "off", "--config", cfg_s];
    args.extend(both);
    let out = pinconv(args.clone()).code(0);
    assert_eq!(
        out.stderr.matches("`[tag] web_checkout = true`").count(),
        1,
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("hint: send within the hour"));
    // `send --dry-run` of the Shopify order with that config at `now`.
    let send_at = |now: &str| {
        pinconv([
            "send",
            "--dry-run",
            "--max-age",
            "off",
            "--config",
            cfg_s,
            "--now",
            now,
            SHOPIFY_CSV,
        ])
        .code(0)
    };
    // Sent within the hour (the Shopify order was placed at 14:12:44 UTC): no warning.
    let out = send_at("2026-11-14T15:00:00Z");
    assert!(!out.stderr.contains("web_checkout"), "{}", out.stderr);
    let out = send_at("2026-11-14T15:20:00Z");
    assert!(
        out.stderr.contains("this checkout is 1 hour old"),
        "{}",
        out.stderr
    );
    // Server-only checkout: no warning.
    let plain = d.write("plain.toml", "[tag]\nweb_checkout = false\n");
    args[5] = plain.to_str().unwrap();
    let out = pinconv(args).code(0);
    assert!(!out.stderr.contains("web_checkout"), "{}", out.stderr);
    // A misspelt key in [tag] still fails, in every command.
    let bad = d.write("bad.toml", "[tag]\nweb_chekout = true\n");
    let out = pinconv(["build", "--config", bad.to_str().unwrap(), SHOPIFY_CSV]).code(2);
    assert!(out.stderr.contains("web_chekout"), "{}", out.stderr);
}

#[test]
fn tag_needs_an_id_and_writes_files() {
    let out = pinconv(["tag", "--target", "html"]).code(2);
    assert!(out.stderr.contains("no Pinterest tag id"), "{}", out.stderr);
    let out = pinconv(["tag", "--target", "nope", "--tag-id", TAG_ID]).code(2);
    assert!(
        out.stderr.contains("gtm, shopify-pixel, woocommerce, html"),
        "{}",
        out.stderr
    );
    let out = pinconv(["tag", "--target", "html", "--tag-id", "123"]).code(0);
    assert!(out.stderr.contains("does not look like a Pinterest tag id"));
    let d = Dir::new();
    let f = d.0.path().join("pixel.js");
    let out = pinconv([
        "tag",
        "--target",
        "shopify-pixel",
        "--tag-id",
        TAG_ID,
        "-o",
        f.to_str().unwrap(),
    ])
    .code(0);
    assert!(out.stdout.is_empty());
    assert!(std::fs::read_to_string(&f)
        .unwrap()
        .starts_with("// Pinterest tag as a Shopify custom pixel"));
    let help = pinconv(["tag", "--help"]).code(0).stdout;
    for word in [
        "--target",
        "--tag-id",
        "--events",
        "--web-checkout",
        "--event-id-template",
        "--config",
        "--enhanced-match",
        "PINTEREST_TAG_ID",
        "shopify-pixel",
    ] {
        assert!(help.contains(word), "`{word}` missing from tag --help");
    }
}

#[test]
fn every_file_says_what_it_is_and_where_checkout_is_sent_from() {
    let version = env!("CARGO_PKG_VERSION");
    for target in ["gtm", "shopify-pixel", "woocommerce", "html"] {
        let default = tag(&["--target", target]);
        let web = tag(&[
            "--target",
            target,
            "--web-checkout",
            "--event-id-template",
            "it's-{order_id}",
        ]);
        for (text, checkout) in [
            (
                &default,
                "Checkout is NOT fired here: the purchase is sent from the server",
            ),
            (
                &web,
                "Checkout IS fired here, with event_id = `it's-{order_id}`",
            ),
        ] {
            // The JSON of a container has no comments: its header is the description.
            let head: String = if target == "gtm" {
                let c: Value = serde_json::from_str(text).unwrap();
                c["containerVersion"]["description"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            } else {
                text.lines().take(25).collect::<Vec<_>>().join("\n")
            };
            assert!(
                head.contains(&format!("generated by pinconv {version}")),
                "{target}: {head}"
            );
            assert!(
                head.contains(&format!(
                    "Made with: pinconv tag --target {target} --tag-id {TAG_ID}"
                )),
                "{target}: {head}"
            );
            assert!(head.contains("Install:"), "{target}");
            assert!(head.contains(checkout), "{target}: {head}");
        }
        assert!(web.contains("--event-id-template 'it'\\''s-{order_id}'") || target == "gtm");
    }
}
