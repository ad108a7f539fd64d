//! Pinterest's Conversions API vocabulary: the event names and action sources it accepts,
//! and the names other platforms use for them. A leaf module: it imports nothing from the
//! crate, so config, the event stage and the readers can all use it without a cycle.

/// Event names Pinterest documents (spec description, docs table and the official GTM tag).
pub const PINTEREST_EVENTS: &[&str] = &[
    "add_payment_info",
    "add_to_cart",
    "add_to_wishlist",
    "app_install",
    "app_open",
    "checkout",
    "contact",
    "custom",
    "customize_product",
    "find_location",
    "initiate_checkout",
    "lead",
    "page_visit",
    "schedule",
    "search",
    "signup",
    "start_trial",
    "submit_application",
    "subscribe",
    "view_category",
    "view_content",
    "watch_video",
];

/// The Pinterest event name for `raw`: Pinterest's own form, the tag form (`AddToCart`) or
/// another platform's common name (`Purchase`, `CompleteRegistration`, ...).
#[must_use]
pub fn event_name(raw: &str) -> Option<&'static str> {
    let folded: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    let alias = match folded.as_str() {
        "purchase" | "order" | "orderplaced" | "ordercompleted" | "completepayment"
        | "placeanorder" => Some("checkout"),
        "completeregistration" | "signup" | "register" | "registration" => Some("signup"),
        "pageview" | "pagevisit" | "viewpage" => Some("page_visit"),
        "addtocart" => Some("add_to_cart"),
        "addtowishlist" => Some("add_to_wishlist"),
        "addpaymentinfo" => Some("add_payment_info"),
        "initiatecheckout" | "begincheckout" | "startcheckout" => Some("initiate_checkout"),
        "viewcontent" | "viewitem" | "productview" => Some("view_content"),
        "viewcategory" | "viewitemlist" => Some("view_category"),
        "watchvideo" => Some("watch_video"),
        "appinstall" => Some("app_install"),
        "appopen" => Some("app_open"),
        "findlocation" => Some("find_location"),
        "customizeproduct" => Some("customize_product"),
        "starttrial" => Some("start_trial"),
        "submitapplication" => Some("submit_application"),
        "generatelead" | "lead" => Some("lead"),
        // Meta's offline-conversions files name events outside its standard list `Other`.
        "other" => Some("custom"),
        _ => None,
    };
    alias.or_else(|| {
        PINTEREST_EVENTS
            .iter()
            .copied()
            .find(|e| e.replace('_', "") == folded)
    })
}

/// `name` itself when it is one of Pinterest's event names as Pinterest writes them (no
/// alias: an already-built event goes out byte for byte).
#[must_use]
pub fn pinterest_event(name: &str) -> Option<&'static str> {
    PINTEREST_EVENTS.iter().copied().find(|e| *e == name)
}

/// Pinterest's `action_source` values.
pub const ACTION_SOURCES: &[&str] = &["app_android", "app_ios", "web", "offline"];

/// The action source `raw` names, in any case and with spaces around it.
#[must_use]
pub fn action_source(raw: &str) -> Option<&'static str> {
    let raw = raw.trim();
    ACTION_SOURCES
        .iter()
        .copied()
        .find(|a| a.eq_ignore_ascii_case(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_from_every_platform() {
        assert_eq!(event_name("checkout"), Some("checkout"));
        assert_eq!(event_name("Checkout"), Some("checkout"));
        assert_eq!(event_name("Purchase"), Some("checkout"));
        assert_eq!(event_name("AddToCart"), Some("add_to_cart"));
        assert_eq!(event_name("add_to_cart"), Some("add_to_cart"));
        assert_eq!(event_name("PageVisit"), Some("page_visit"));
        assert_eq!(event_name("ViewCategory"), Some("view_category"));
        assert_eq!(event_name("InitiateCheckout"), Some("initiate_checkout"));
        assert_eq!(event_name("AddPaymentInfo"), Some("add_payment_info"));
        assert_eq!(event_name("CompleteRegistration"), Some("signup"));
        assert_eq!(event_name("custom"), Some("custom"));
        assert_eq!(event_name("Other"), Some("custom"));
        assert_eq!(event_name("PURCHASE"), Some("checkout"));
        assert_eq!(event_name("Lead"), Some("lead"));
        assert_eq!(event_name("Frobnicate"), None);
    }

    #[test]
    fn action_sources_and_exact_event_names() {
        assert_eq!(action_source(" Offline "), Some("offline"));
        assert_eq!(action_source("APP_IOS"), Some("app_ios"));
        assert_eq!(action_source("store"), None);
        assert_eq!(pinterest_event("add_to_cart"), Some("add_to_cart"));
        assert_eq!(pinterest_event("AddToCart"), None);
    }
}
