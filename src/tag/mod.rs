//! The browser half of the hybrid layout: `pinconv tag` writes the Pinterest tag for a Google
//! Tag Manager container, a Shopify custom pixel, a WooCommerce PHP snippet or plain HTML.
//!
//! By default the browser fires the shopping events only and the purchase (`checkout`) is
//! sent from the server by `send`: Pinterest says events that took place offline (received
//! more than about an hour late) cannot be deduplicated, and pinconv's runs are late by
//! design. With `--web-checkout` the browser also fires `checkout`, with the `event_id` that
//! `build` gives the same order under the same template ([`template`]), so the two agree.
//!
//! One file per target; [`js`] holds the tag's base code and literal escaping they share,
//! [`late`] the `send` warning for checkouts the tag may already have counted.

mod gtm;
mod html;
pub mod js;
mod late;
mod shopify;
pub mod template;
mod woocommerce;

use serde::Deserialize;

use crate::config::OrderIdSource;

pub use late::LateCheckoutWarning;
pub use template::{IdTemplate, Ident};

/// The `[tag]` table of the config file: the browser tag's settings, shared by `tag` (which
/// writes the code) and `send` (which warns when they disagree with a late upload).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagConfig {
    /// The Pinterest tag id (13 digits starting with `26`).
    pub id: Option<String>,
    /// The browser tag fires `checkout` too (with the server's event id).
    pub web_checkout: Option<bool>,
    /// Which browser events to include.
    pub events: Option<Vec<String>>,
    /// Pass the customer's email to the tag where the page knows it.
    pub enhanced_match: Option<bool>,
}

/// Where the generated code goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A Google Tag Manager container export (Admin > Import Container > Merge).
    Gtm,
    /// A Shopify custom pixel (Settings > Customer events).
    ShopifyPixel,
    /// A WooCommerce PHP snippet (a code-snippets plugin or a must-use plugin file).
    Woocommerce,
    /// Plain HTML: the base code and one snippet per event.
    Html,
}

impl Target {
    /// Every target, in the order `--help` lists them.
    pub const ALL: [Target; 4] = [
        Target::Gtm,
        Target::ShopifyPixel,
        Target::Woocommerce,
        Target::Html,
    ];

    /// The name on the command line.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Target::Gtm => "gtm",
            Target::ShopifyPixel => "shopify-pixel",
            Target::Woocommerce => "woocommerce",
            Target::Html => "html",
        }
    }

    /// Parses a command-line name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == s.trim())
    }

    /// The browser events this target can fire, checkout last.
    #[must_use]
    pub fn supported(self) -> &'static [BrowserEvent] {
        use BrowserEvent::{
            AddPaymentInfo, AddToCart, Checkout, InitiateCheckout, PageVisit, Search, ViewCategory,
        };
        match self {
            // WooCommerce has no hook for "payment details entered" before the order exists.
            Target::Woocommerce => &[
                PageVisit,
                ViewCategory,
                Search,
                AddToCart,
                InitiateCheckout,
                Checkout,
            ],
            Target::Gtm | Target::ShopifyPixel | Target::Html => &[
                PageVisit,
                ViewCategory,
                Search,
                AddToCart,
                InitiateCheckout,
                AddPaymentInfo,
                Checkout,
            ],
        }
    }
}

/// A Pinterest tag event the generated code can fire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum BrowserEvent {
    /// A product page was viewed (`pagevisit` with the product).
    PageVisit,
    /// A category or collection was viewed.
    ViewCategory,
    /// A search was made.
    Search,
    /// A product was added to the cart.
    AddToCart,
    /// The checkout was started.
    InitiateCheckout,
    /// Payment details were entered.
    AddPaymentInfo,
    /// The order was placed: only with `--web-checkout`.
    Checkout,
}

impl BrowserEvent {
    /// The Conversions API name, as `--events` and the config take it.
    #[must_use]
    pub fn capi(self) -> &'static str {
        match self {
            BrowserEvent::PageVisit => "page_visit",
            BrowserEvent::ViewCategory => "view_category",
            BrowserEvent::Search => "search",
            BrowserEvent::AddToCart => "add_to_cart",
            BrowserEvent::InitiateCheckout => "initiate_checkout",
            BrowserEvent::AddPaymentInfo => "add_payment_info",
            BrowserEvent::Checkout => "checkout",
        }
    }

    /// The tag's own name: lowercase, as Pinterest's code writes it (its docs capitalise).
    #[must_use]
    pub fn tag(self) -> &'static str {
        match self {
            BrowserEvent::PageVisit => "pagevisit",
            BrowserEvent::ViewCategory => "viewcategory",
            BrowserEvent::Search => "search",
            BrowserEvent::AddToCart => "addtocart",
            BrowserEvent::InitiateCheckout => "initiatecheckout",
            BrowserEvent::AddPaymentInfo => "addpaymentinfo",
            BrowserEvent::Checkout => "checkout",
        }
    }

    /// Reads any form pinconv accepts for an event name (`add_to_cart`, `AddToCart`, ...).
    #[must_use]
    pub fn parse(raw: &str) -> Option<BrowserEvent> {
        let capi = crate::capi::event_name(raw)?;
        [
            BrowserEvent::PageVisit,
            BrowserEvent::ViewCategory,
            BrowserEvent::Search,
            BrowserEvent::AddToCart,
            BrowserEvent::InitiateCheckout,
            BrowserEvent::AddPaymentInfo,
            BrowserEvent::Checkout,
        ]
        .into_iter()
        .find(|e| e.capi() == capi)
    }
}

/// Everything a target needs, validated: see [`TagOptions::new`].
#[derive(Clone, Debug)]
pub struct TagOptions {
    /// Where the code goes.
    pub target: Target,
    /// Digits only, so it can be written into code as it is.
    pub tag_id: String,
    /// The browsing events, in [`BrowserEvent`] order, never `Checkout`.
    pub events: Vec<BrowserEvent>,
    /// With `Some`, the browser fires `checkout` with this event id.
    pub web_checkout: Option<IdTemplate>,
    /// What `{order_id}` means on the server (`--order-id` / `[order] id`).
    pub order_id: OrderIdSource,
    /// Pass the customer's email to the tag.
    pub enhanced_match: bool,
    /// The options as a command line, for the generated file's header.
    pub command: String,
}

/// Why the requested code cannot be generated: a usage error (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum TagError {
    /// No tag id from the flag, the environment or the config.
    #[error("no Pinterest tag id: pass `--tag-id ID`, set `PINTEREST_TAG_ID` or `[tag] id` in the config")]
    NoTagId,
    /// The tag id is not digits.
    #[error("tag id `{0}` is not a Pinterest tag id (digits only, e.g. `2612345678901`)")]
    BadTagId(String),
    /// An event name pinconv does not know, or the target cannot fire.
    #[error("{0}")]
    Event(String),
    /// The template cannot be filled in this target's browser code.
    #[error("{0}")]
    Template(String),
}

/// What the user asked for, before validation.
#[derive(Clone, Debug)]
pub struct TagRequest {
    /// Tag id, already merged from flag > environment > config.
    pub tag_id: Option<String>,
    /// Event names, or `None` for the target's default.
    pub events: Option<Vec<String>>,
    /// Fire `checkout` in the browser.
    pub web_checkout: bool,
    /// The event id template text (flag > config > `{order_id}`).
    pub template: String,
    /// `--order-id` / `[order] id`.
    pub order_id: OrderIdSource,
    /// The server's default event name, which `{event_name}` and the dedup need to be `checkout`.
    pub server_event_name: String,
    /// Pass the email.
    pub enhanced_match: bool,
}

impl TagOptions {
    /// Validates a request for `target`; refuses what the target cannot do, with the reason.
    pub fn new(target: Target, r: &TagRequest) -> Result<TagOptions, TagError> {
        let tag_id = r
            .tag_id
            .as_deref()
            .map(str::trim)
            .ok_or(TagError::NoTagId)?;
        if tag_id.is_empty() {
            return Err(TagError::NoTagId);
        }
        if !tag_id.bytes().all(|b| b.is_ascii_digit()) || tag_id.len() > 20 {
            return Err(TagError::BadTagId(tag_id.to_owned()));
        }
        let supported = target.supported();
        let events = match &r.events {
            None => supported
                .iter()
                .copied()
                .filter(|e| *e != BrowserEvent::Checkout)
                .collect(),
            Some(list) => parse_events(target, list)?,
        };
        let web_checkout = if r.web_checkout {
            if r.server_event_name != "checkout" {
                return Err(TagError::Template(format!(
                    "`--web-checkout` fires `checkout`, but the config sends orders as `{}`; Pinterest deduplicates only the same event, so the two would never match",
                    r.server_event_name
                )));
            }
            let t = IdTemplate::parse(&r.template).map_err(TagError::Template)?;
            template::check(&t, target, r.order_id).map_err(TagError::Template)?;
            Some(t)
        } else {
            // The template still has to be valid: it is the one `build` and `send` use.
            IdTemplate::parse(&r.template).map_err(TagError::Template)?;
            None
        };
        let mut command = format!("pinconv tag --target {} --tag-id {tag_id}", target.name());
        command.push_str(" --events ");
        command.push_str(
            &events
                .iter()
                .map(|e| e.capi())
                .collect::<Vec<_>>()
                .join(","),
        );
        if let Some(t) = &web_checkout {
            // Quoted for a POSIX shell, so the line can be run again as it is.
            command.push_str(" --web-checkout --event-id-template '");
            command.push_str(&t.text().replace('\'', "'\\''"));
            command.push('\'');
            if r.order_id != OrderIdSource::Auto {
                command.push_str(" --order-id ");
                command.push_str(order_id_name(r.order_id));
            }
        }
        if r.enhanced_match {
            command.push_str(" --enhanced-match");
        }
        Ok(TagOptions {
            target,
            tag_id: tag_id.to_owned(),
            events,
            web_checkout,
            order_id: r.order_id,
            enhanced_match: r.enhanced_match,
            command,
        })
    }

    /// Whether the code fires `ev`.
    #[must_use]
    pub fn has(&self, ev: BrowserEvent) -> bool {
        self.events.contains(&ev)
    }

    /// True when the tag id has the shape Pinterest's own GTM template checks (`26\d{11}`).
    #[must_use]
    pub fn tag_id_looks_right(&self) -> bool {
        self.tag_id.len() == 13 && self.tag_id.starts_with("26")
    }
}

fn parse_events(target: Target, list: &[String]) -> Result<Vec<BrowserEvent>, TagError> {
    let supported = target.supported();
    let names = || {
        supported
            .iter()
            .filter(|e| **e != BrowserEvent::Checkout)
            .map(|e| format!("`{}`", e.capi()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = Vec::new();
    for raw in list.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let ev = BrowserEvent::parse(raw).ok_or_else(|| {
            TagError::Event(format!(
                "unknown browser event `{raw}`; `{}` can fire {}",
                target.name(),
                names()
            ))
        })?;
        if ev == BrowserEvent::Checkout {
            return Err(TagError::Event(
                "`checkout` is not a browsing event: by default pinconv sends it from the server; pass `--web-checkout` to fire it in the browser as well, with the server's event id".into(),
            ));
        }
        if !supported.contains(&ev) {
            return Err(TagError::Event(format!(
                "`{}` cannot fire `{}`; it can fire {}",
                target.name(),
                ev.capi(),
                names()
            )));
        }
        if !out.contains(&ev) {
            out.push(ev);
        }
    }
    if out.is_empty() {
        return Err(TagError::Event(format!(
            "`--events` names no event; `{}` can fire {}",
            target.name(),
            names()
        )));
    }
    out.sort();
    Ok(out)
}

/// The config/flag name of an order id choice.
#[must_use]
pub fn order_id_name(s: OrderIdSource) -> &'static str {
    match s {
        OrderIdSource::Auto => "auto",
        OrderIdSource::Id => "id",
        OrderIdSource::Number => "number",
        OrderIdSource::Name => "name",
    }
}

/// Generates the code for `o.target`.
#[must_use]
pub fn generate(o: &TagOptions) -> String {
    match o.target {
        Target::Gtm => gtm::generate(o, &gtm::now_stamp()),
        Target::ShopifyPixel => shopify::generate(o),
        Target::Woocommerce => woocommerce::generate(o),
        Target::Html => html::generate(o),
    }
}

/// The lines every generated file opens with: what it is, the version and options that made
/// it, where it goes, and where checkout is sent from. Each target wraps them in its comments.
#[must_use]
pub fn header(o: &TagOptions, what: &str, install: &[&str]) -> Vec<String> {
    let mut lines = vec![
        format!(
            "{what}, generated by pinconv {}.",
            env!("CARGO_PKG_VERSION")
        ),
        format!("Made with: {}", o.command),
        String::new(),
        "Install:".to_owned(),
    ];
    lines.extend(install.iter().map(|l| format!("  {l}")));
    lines.push(String::new());
    match &o.web_checkout {
        None => {
            lines.push("Checkout is NOT fired here: the purchase is sent from the server by `pinconv send`".into());
            lines.push("(server-only checkout), so Pinterest counts each order once however late the upload is.".into());
            lines.push(
                "Remove any other browser `checkout` event (an app, a plugin, an old snippet) too."
                    .into(),
            );
        }
        Some(t) => {
            let which = match o.order_id {
                OrderIdSource::Auto | OrderIdSource::Id => "id",
                OrderIdSource::Number => "number",
                OrderIdSource::Name => "name",
            };
            lines.push(format!(
                "Checkout IS fired here, with event_id = `{}` (`{{order_id}}` = the order {which}),",
                t.text()
            ));
            if o.target == Target::Gtm {
                lines.push(format!(
                    "filled from the purchase's `ecommerce.transaction_id`, which must hold the order {which};"
                ));
            }
            lines.push("the same id `pinconv build`/`send` give the order with the same template and config.".into());
            lines.push(
                "Pinterest may not deduplicate events it receives more than about an hour late:"
                    .into(),
            );
            lines.push(
                "send each order within the hour, or regenerate without --web-checkout.".into(),
            );
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> TagRequest {
        TagRequest {
            tag_id: Some("2612345678901".into()),
            template: "{order_id}".into(),
            server_event_name: "checkout".into(),
            events: None,
            web_checkout: false,
            order_id: OrderIdSource::Auto,
            enhanced_match: false,
        }
    }

    #[test]
    fn default_events_leave_checkout_out() {
        for t in Target::ALL {
            let o = TagOptions::new(t, &req()).unwrap();
            assert!(!o.events.contains(&BrowserEvent::Checkout));
            assert!(o.web_checkout.is_none());
            assert_eq!(o.events.len(), t.supported().len() - 1);
        }
    }

    #[test]
    fn events_are_checked_against_the_target() {
        let mut r = req();
        r.events = Some(vec!["AddToCart".into(), "page_visit".into()]);
        let o = TagOptions::new(Target::Gtm, &r).unwrap();
        assert_eq!(o.events, [BrowserEvent::PageVisit, BrowserEvent::AddToCart]);
        r.events = Some(vec!["add_payment_info".into()]);
        let e = TagOptions::new(Target::Woocommerce, &r).unwrap_err();
        assert!(
            e.to_string().contains("cannot fire `add_payment_info`"),
            "{e}"
        );
        r.events = Some(vec!["checkout".into()]);
        let e = TagOptions::new(Target::Html, &r).unwrap_err();
        assert!(e.to_string().contains("--web-checkout"), "{e}");
        r.events = Some(vec!["frobnicate".into()]);
        assert!(TagOptions::new(Target::Html, &r).is_err());
    }

    #[test]
    fn tag_id_must_be_digits() {
        let mut r = req();
        r.tag_id = Some("26123'; alert(1)".into());
        assert!(matches!(
            TagOptions::new(Target::Html, &r),
            Err(TagError::BadTagId(_))
        ));
        r.tag_id = None;
        assert!(matches!(
            TagOptions::new(Target::Html, &r),
            Err(TagError::NoTagId)
        ));
    }

    #[test]
    fn web_checkout_needs_the_server_to_send_checkout() {
        let mut r = req();
        r.web_checkout = true;
        r.server_event_name = "lead".into();
        let e = TagOptions::new(Target::Html, &r).unwrap_err();
        assert!(e.to_string().contains("`lead`"), "{e}");
    }
}
