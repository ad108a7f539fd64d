//! Column presets: where each canonical field lives in Shopify's, WooCommerce's and generic
//! exports, and how a preset is recognised from a header or an order object.

use serde::{Deserialize, Serialize};

use super::Key;

/// A known export layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// Shopify's "Export orders" CSV and the Admin API order JSON.
    Shopify,
    /// WooCommerce's REST API order JSON and order-export CSVs.
    Woocommerce,
    /// Columns named after the CAPI fields (long names, short names, Meta's offline template).
    Generic,
}

impl Preset {
    /// Lowercase name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Preset::Shopify => "shopify",
            Preset::Woocommerce => "woocommerce",
            Preset::Generic => "generic",
        }
    }
}

type Table = &'static [(Key, &'static [&'static str])];

/// Shopify "Export orders" CSV. Order-level columns are filled on the first row of an order
/// only; every row carries `Name` and its line item.
/// Squarespace's orders CSV copies this layout but names the order `Order ID`, has no `Name`
/// or `Id`, and says `CANCELED` in `Fulfillment Status`.
const SHOPIFY_CSV: Table = &[
    (Key::OrderName, &["Name"]),
    (Key::OrderId, &["Id", "Order ID"]),
    (Key::Email, &["Email"]),
    (Key::Phone, &["Phone", "Billing Phone", "Shipping Phone"]),
    (Key::FullName, &["Billing Name", "Shipping Name"]),
    (Key::City, &["Billing City", "Shipping City"]),
    (
        Key::State,
        &[
            "Billing Province",
            "Billing Province Name",
            "Shipping Province",
            "Shipping Province Name",
        ],
    ),
    (Key::Zip, &["Billing Zip", "Shipping Zip"]),
    (Key::Country, &["Billing Country", "Shipping Country"]),
    (Key::EventTime, &["Created at"]),
    (Key::Currency, &["Currency"]),
    (Key::Total, &["Total"]),
    (Key::Subtotal, &["Subtotal"]),
    (Key::Tax, &["Taxes"]),
    (Key::Shipping, &["Shipping"]),
    (Key::Discount, &["Discount Amount"]),
    (Key::FinancialStatus, &["Financial Status"]),
    (Key::FulfillmentStatus, &["Fulfillment Status"]),
    (Key::CancelledAt, &["Cancelled at"]),
    (Key::PaymentMethod, &["Payment Method"]),
    (Key::Source, &["Source"]),
    (Key::ItemName, &["Lineitem name"]),
    (Key::ItemPrice, &["Lineitem price"]),
    (Key::ItemQuantity, &["Lineitem quantity"]),
    (Key::ItemSku, &["Lineitem sku"]),
    (Key::ItemBrand, &["Vendor"]),
];

/// Shopify Admin REST API order (`orders.json`, webhooks), then the GraphQL Admin API's names
/// for the same fields (bulk operation output, whose `lineItems` children the reader folds
/// into their order). Money is the shop's currency throughout (`total_price`,
/// `totalPriceSet.shopMoney`), never the presentment currency.
const SHOPIFY_JSON: Table = &[
    (Key::OrderId, &["id"]),
    (Key::OrderNumber, &["order_number"]),
    (Key::OrderName, &["name"]),
    (Key::Email, &["email", "contact_email", "customer.email"]),
    (
        Key::Phone,
        &[
            "phone",
            "customer.phone",
            "billing_address.phone",
            "shipping_address.phone",
            "billingAddress.phone",
            "shippingAddress.phone",
        ],
    ),
    (
        Key::FirstName,
        &[
            "billing_address.first_name",
            "customer.first_name",
            "shipping_address.first_name",
            "billingAddress.firstName",
            "customer.firstName",
            "shippingAddress.firstName",
        ],
    ),
    (
        Key::LastName,
        &[
            "billing_address.last_name",
            "customer.last_name",
            "shipping_address.last_name",
            "billingAddress.lastName",
            "customer.lastName",
            "shippingAddress.lastName",
        ],
    ),
    (
        Key::FullName,
        &[
            "billing_address.name",
            "shipping_address.name",
            "billingAddress.name",
            "shippingAddress.name",
        ],
    ),
    (
        Key::City,
        &[
            "billing_address.city",
            "shipping_address.city",
            "billingAddress.city",
            "shippingAddress.city",
        ],
    ),
    (
        Key::State,
        &[
            "billing_address.province_code",
            "billing_address.province",
            "shipping_address.province_code",
            "shipping_address.province",
            "billingAddress.provinceCode",
            "billingAddress.province",
            "shippingAddress.provinceCode",
            "shippingAddress.province",
        ],
    ),
    (
        Key::Zip,
        &[
            "billing_address.zip",
            "shipping_address.zip",
            "billingAddress.zip",
            "shippingAddress.zip",
        ],
    ),
    (
        Key::Country,
        &[
            "billing_address.country_code",
            "billing_address.country",
            "shipping_address.country_code",
            "shipping_address.country",
            "billingAddress.countryCodeV2",
            "billingAddress.country",
            "shippingAddress.countryCodeV2",
            "shippingAddress.country",
            "customer.default_address.country_code",
            "customer.defaultAddress.countryCodeV2",
        ],
    ),
    (Key::ExternalId, &["customer.id"]),
    (
        Key::ClientIp,
        &["browser_ip", "client_details.browser_ip", "clientIp"],
    ),
    (Key::UserAgent, &["client_details.user_agent"]),
    (Key::LandingSite, &["landing_site"]),
    (
        Key::EventTime,
        &["created_at", "processed_at", "createdAt", "processedAt"],
    ),
    (
        Key::Currency,
        &[
            "currency",
            "presentment_currency",
            "currencyCode",
            "totalPriceSet.shopMoney.currencyCode",
        ],
    ),
    (
        Key::Total,
        &[
            "total_price",
            "total_price_set.shop_money.amount",
            "totalPriceSet.shopMoney.amount",
        ],
    ),
    (
        Key::Subtotal,
        &["subtotal_price", "subtotalPriceSet.shopMoney.amount"],
    ),
    (Key::Tax, &["total_tax", "totalTaxSet.shopMoney.amount"]),
    (
        Key::Shipping,
        &[
            "total_shipping_price_set.shop_money.amount",
            "totalShippingPriceSet.shopMoney.amount",
        ],
    ),
    (
        Key::Discount,
        &["total_discounts", "totalDiscountsSet.shopMoney.amount"],
    ),
    (
        Key::FinancialStatus,
        &["financial_status", "displayFinancialStatus"],
    ),
    (Key::CancelledAt, &["cancelled_at", "cancelledAt"]),
    (Key::Test, &["test"]),
    (Key::Source, &["source_name", "sourceName"]),
    (
        Key::ItemProductId,
        &["line_items[].product_id", "lineItems[].product.id"],
    ),
    (
        Key::ItemVariantId,
        &["line_items[].variant_id", "lineItems[].variant.id"],
    ),
    (Key::ItemSku, &["line_items[].sku", "lineItems[].sku"]),
    (
        Key::ItemName,
        &[
            "line_items[].name",
            "line_items[].title",
            "lineItems[].name",
            "lineItems[].title",
        ],
    ),
    (
        Key::ItemPrice,
        &[
            "line_items[].price",
            "lineItems[].originalUnitPriceSet.shopMoney.amount",
        ],
    ),
    (
        Key::ItemQuantity,
        &["line_items[].quantity", "lineItems[].quantity"],
    ),
    (
        Key::ItemBrand,
        &["line_items[].vendor", "lineItems[].vendor"],
    ),
];

/// WooCommerce REST API v3 order. `date_created_gmt` is UTC without an offset.
/// The legacy API (WooCommerce 2.x, `/wc-api/v1..v3/orders`) spells the same fields
/// `billing_address.*`, `created_at` (UTC with `Z`), `customer_ip`, `total_shipping`.
const WOO_JSON: Table = &[
    (Key::OrderId, &["id"]),
    (Key::OrderNumber, &["number", "order_number"]),
    (
        Key::Email,
        &["billing.email", "billing_address.email", "customer.email"],
    ),
    (
        Key::Phone,
        &["billing.phone", "shipping.phone", "billing_address.phone"],
    ),
    (
        Key::FirstName,
        &[
            "billing.first_name",
            "shipping.first_name",
            "billing_address.first_name",
            "shipping_address.first_name",
        ],
    ),
    (
        Key::LastName,
        &[
            "billing.last_name",
            "shipping.last_name",
            "billing_address.last_name",
            "shipping_address.last_name",
        ],
    ),
    (
        Key::City,
        &[
            "billing.city",
            "shipping.city",
            "billing_address.city",
            "shipping_address.city",
        ],
    ),
    (
        Key::State,
        &[
            "billing.state",
            "shipping.state",
            "billing_address.state",
            "shipping_address.state",
        ],
    ),
    (
        Key::Zip,
        &[
            "billing.postcode",
            "shipping.postcode",
            "billing_address.postcode",
            "shipping_address.postcode",
        ],
    ),
    (
        Key::Country,
        &[
            "billing.country",
            "shipping.country",
            "billing_address.country",
            "shipping_address.country",
        ],
    ),
    (Key::ExternalId, &["customer_id"]),
    (Key::ClientIp, &["customer_ip_address", "customer_ip"]),
    (
        Key::UserAgent,
        &[
            "customer_user_agent",
            "meta_data[key=_wc_order_attribution_user_agent].value",
        ],
    ),
    // Order attribution (WooCommerce 8.5+) keeps the landing URL, with Pinterest's `epik`.
    (
        Key::LandingSite,
        &["meta_data[key=_wc_order_attribution_session_entry].value"],
    ),
    (
        Key::EventTime,
        &["date_created_gmt", "date_created", "created_at"],
    ),
    (Key::Currency, &["currency"]),
    (Key::Total, &["total"]),
    (Key::Subtotal, &["subtotal"]),
    (Key::Tax, &["total_tax"]),
    (Key::Shipping, &["shipping_total", "total_shipping"]),
    (Key::Discount, &["discount_total", "total_discount"]),
    (Key::Status, &["status"]),
    (Key::Source, &["created_via"]),
    (Key::ItemProductId, &["line_items[].product_id"]),
    (Key::ItemVariantId, &["line_items[].variation_id"]),
    (Key::ItemSku, &["line_items[].sku"]),
    (Key::ItemName, &["line_items[].name"]),
    (Key::ItemPrice, &["line_items[].price"]),
    (Key::ItemQuantity, &["line_items[].quantity"]),
];

/// WooCommerce order-export CSVs (WebToffee "Order Export & Order Import" and SkyVerge
/// "Customer/Order/Coupon Export" default columns; one row per line item or packed items).
const WOO_CSV: Table = &[
    (Key::OrderId, &["order_id", "Order ID"]),
    (Key::OrderNumber, &["order_number", "Order Number"]),
    (
        Key::Email,
        &[
            "billing_email",
            "customer_email",
            "Billing Email",
            "Customer Email",
            "Email (Billing)",
        ],
    ),
    (
        Key::Phone,
        &[
            "billing_phone",
            "shipping_phone",
            "Billing Phone",
            "Phone",
            "Phone (Billing)",
            "Phone (Shipping)",
        ],
    ),
    (
        Key::FirstName,
        &[
            "billing_first_name",
            "shipping_first_name",
            "Billing First Name",
            "First Name (Billing)",
            "First Name (Shipping)",
        ],
    ),
    (
        Key::LastName,
        &[
            "billing_last_name",
            "shipping_last_name",
            "Billing Last Name",
            "Last Name (Billing)",
            "Last Name (Shipping)",
        ],
    ),
    (
        Key::City,
        &[
            "billing_city",
            "shipping_city",
            "Billing City",
            "City (Billing)",
            "City (Shipping)",
        ],
    ),
    (
        Key::State,
        &[
            "billing_state",
            "shipping_state",
            "Billing State",
            "State Code (Billing)",
            "State Name (Billing)",
            "State Code (Shipping)",
        ],
    ),
    (
        Key::Zip,
        &[
            "billing_postcode",
            "shipping_postcode",
            "Billing Postcode",
            "Billing Zip",
            "Postcode (Billing)",
            "Postcode (Shipping)",
        ],
    ),
    (
        Key::Country,
        &[
            "billing_country",
            "shipping_country",
            "Billing Country",
            "Country Code (Billing)",
            "Country Name (Billing)",
            "Country Code (Shipping)",
        ],
    ),
    (
        Key::ExternalId,
        &[
            "customer_id",
            "customer_user",
            "Customer ID",
            "Customer User ID",
        ],
    ),
    (
        Key::ClientIp,
        &["customer_ip_address", "customer_ip", "Customer IP address"],
    ),
    (
        Key::UserAgent,
        &[
            "customer_user_agent",
            "Customer User Agent",
            "meta:_wc_order_attribution_user_agent",
        ],
    ),
    // WebToffee writes order meta as `meta:<key>` columns.
    (
        Key::LandingSite,
        &["meta:_wc_order_attribution_session_entry"],
    ),
    (
        Key::EventTime,
        &["date_created_gmt", "order_date", "date", "Order Date"],
    ),
    (
        Key::Currency,
        &["order_currency", "currency", "Order Currency"],
    ),
    (
        Key::Total,
        &["order_total", "Order Total", "Order Total Amount"],
    ),
    (Key::Subtotal, &["order_subtotal", "Order Subtotal Amount"]),
    (
        Key::Tax,
        &["tax_total", "order_tax", "Order Total Tax Amount"],
    ),
    (
        Key::Shipping,
        &["shipping_total", "order_shipping", "Order Shipping Amount"],
    ),
    (
        Key::Discount,
        &["discount_total", "cart_discount", "Cart Discount Amount"],
    ),
    (Key::Status, &["status", "order_status", "Order Status"]),
    (Key::Source, &["created_via"]),
    (Key::LineItems, &["line_items", "line_item_*"]),
    (
        Key::ItemProductId,
        &["item_product_id", "product_id", "Product ID"],
    ),
    (
        Key::ItemVariantId,
        &["item_variation_id", "variation_id", "Variation ID"],
    ),
    (Key::ItemSku, &["item_sku", "sku", "SKU"]),
    (Key::ItemName, &["item_name", "Item Name", "Product Name"]),
    (Key::ItemPrice, &["item_price", "Item Cost", "Item Price"]),
    (
        Key::ItemQuantity,
        &["item_quantity", "Quantity", "Quantity (- Refund)"],
    ),
];

/// Columns named after CAPI fields, their short names and Meta's offline-conversions template.
const GENERIC: Table = &[
    (
        Key::OrderId,
        &[
            "order_id",
            "orderid",
            "order id",
            "order",
            "transaction_id",
            "id",
        ],
    ),
    (Key::OrderNumber, &["order_number"]),
    (Key::OrderName, &["order_name"]),
    (
        Key::EventTime,
        &[
            "event_time",
            "timestamp",
            "time",
            "created_at",
            "order_date",
            "date",
            "date_created",
            "order_time",
            "purchase_date",
            "transaction_date",
            "created_date",
            "date_placed",
            "sale_date",
        ],
    ),
    (Key::EventName, &["event_name", "event"]),
    (Key::ActionSource, &["action_source"]),
    (Key::EventId, &["event_id"]),
    (
        Key::Email,
        &[
            "email",
            "em",
            "e-mail",
            "email_address",
            "mail",
            "customer_email",
            "billing_email",
            "hashed_email",
        ],
    ),
    (
        Key::Phone,
        &[
            "phone",
            "ph",
            "phone_number",
            "mobile",
            "telephone",
            "customer_phone",
            "billing_phone",
        ],
    ),
    (
        Key::FirstName,
        &["first_name", "fn", "firstname", "first name", "given_name"],
    ),
    (
        Key::LastName,
        &[
            "last_name",
            "ln",
            "lastname",
            "last name",
            "surname",
            "family_name",
        ],
    ),
    (Key::FullName, &["full_name", "name"]),
    (Key::City, &["city", "ct", "suburb"]),
    (Key::State, &["state", "st", "province", "region"]),
    (
        Key::Zip,
        &[
            "zip",
            "zp",
            "zipcode",
            "zip_code",
            "postcode",
            "postal_code",
        ],
    ),
    (Key::Country, &["country", "country_code"]),
    (Key::Gender, &["gender", "ge", "gen", "sex"]),
    (
        Key::BirthDate,
        &["birth_date", "dob", "db", "date_of_birth", "birthday"],
    ),
    (
        Key::ExternalId,
        &["external_id", "customer_id", "user_id", "extern_id"],
    ),
    (
        Key::Maid,
        &["madid", "maid", "hashed_maids", "idfa", "gaid"],
    ),
    (Key::ClientIp, &["client_ip_address", "ip", "ip_address"]),
    (Key::UserAgent, &["client_user_agent", "user_agent"]),
    (Key::ClickId, &["click_id", "epik"]),
    (Key::PartnerId, &["partner_id"]),
    (Key::EventSourceUrl, &["event_source_url", "url"]),
    (Key::Currency, &["currency", "currency_code"]),
    (Key::Value, &["value", "amount", "revenue"]),
    (
        Key::Total,
        &["total", "order_total", "grand_total", "total_amount"],
    ),
    (Key::Subtotal, &["subtotal"]),
    (Key::Tax, &["tax", "tax_total", "total_tax", "sales_tax"]),
    (Key::Shipping, &["shipping", "shipping_cost"]),
    (Key::Discount, &["discount", "discount_amount"]),
    (Key::Status, &["status"]),
    // Only the words a status understands count (`Paid`, `Refunded`); a payment method in a
    // `Payment` column is ignored.
    (
        Key::FinancialStatus,
        &["financial_status", "payment_status", "payment"],
    ),
    (Key::Source, &["source", "channel", "sales_channel"]),
    (Key::ContentIds, &["content_ids"]),
    (Key::NumItems, &["num_items", "number_of_items"]),
    // BigCommerce's packed `Product Details`.
    (Key::LineItems, &["product_details"]),
    (Key::OptOut, &["opt_out"]),
    (Key::ItemProductId, &["item_id", "product_id", "content_id"]),
    (Key::ItemVariantId, &["variant_id"]),
    (Key::ItemSku, &["sku", "item_sku"]),
    (Key::ItemName, &["item_name", "product_name", "items_name"]),
    (Key::ItemPrice, &["item_price", "price", "items_price"]),
    (Key::ItemQuantity, &["quantity", "item_quantity", "qty"]),
    (Key::ItemCategory, &["item_category", "category"]),
    (Key::ItemBrand, &["item_brand", "brand"]),
];

/// The column candidates of `preset` for a CSV header or a JSON order.
#[must_use]
pub fn table(preset: Preset, json: bool) -> Table {
    match (preset, json) {
        (Preset::Shopify, false) => SHOPIFY_CSV,
        (Preset::Shopify, true) => SHOPIFY_JSON,
        (Preset::Woocommerce, false) => WOO_CSV,
        (Preset::Woocommerce, true) => WOO_JSON,
        (Preset::Generic, _) => GENERIC,
    }
}

/// The column that groups rows into one order, per preset, for CSV.
#[must_use]
pub fn group_key(preset: Preset) -> &'static [Key] {
    match preset {
        Preset::Shopify => &[Key::OrderName, Key::OrderId],
        Preset::Woocommerce | Preset::Generic => &[Key::OrderId, Key::OrderNumber, Key::OrderName],
    }
}

fn has(header: &[String], name: &str) -> bool {
    header.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// Recognises a CSV header, with the reason for the report.
#[must_use]
pub fn detect_csv(header: &[String]) -> (Preset, String) {
    if has(header, "Lineitem quantity") && !has(header, "Name") && has(header, "Order ID") {
        return (
            Preset::Shopify,
            "header has Shopify-style `Lineitem quantity` columns keyed by `Order ID` (Squarespace's orders export)".into(),
        );
    }
    if has(header, "Lineitem quantity") || (has(header, "Name") && has(header, "Financial Status"))
    {
        return (
            Preset::Shopify,
            "header has Shopify's `Name`/`Lineitem quantity` columns".into(),
        );
    }
    // Columns only WooCommerce order-export plugins write: WebToffee / SkyVerge snake_case,
    // AlgolPlus "Advanced Order Export" labels.
    let woo =
        if has(header, "order_id") && (has(header, "order_total") || has(header, "order_status")) {
            Some("order_id")
        } else {
            ["billing_email", "Email (Billing)", "Order Total Amount"]
                .into_iter()
                .find(|c| has(header, c))
        };
    if let Some(column) = woo {
        return (
            Preset::Woocommerce,
            format!("header has the WooCommerce order-export column `{column}`"),
        );
    }
    (
        Preset::Generic,
        "no platform-specific columns; matching columns by CAPI field names".into(),
    )
}

/// Whether a header is WooCommerce's Analytics > Orders download (`Order #`, `Customer type`,
/// `Product(s)`): a sales report with the customer's name but no email or address.
#[must_use]
pub fn is_woo_analytics(header: &[String]) -> bool {
    has(header, "Order #") && (has(header, "Customer type") || has(header, "Product(s)"))
}

/// Recognises an order object, with the reason for the report.
#[must_use]
pub fn detect_json(order: &serde_json::Value) -> (Preset, String) {
    let has = |k: &str| order.get(k).is_some();
    if has("billing")
        && (has("date_created_gmt") || has("customer_ip_address") || has("shipping_total"))
    {
        return (
            Preset::Woocommerce,
            "order has WooCommerce's `billing` and `date_created_gmt`".into(),
        );
    }
    // The legacy WooCommerce API also has `billing_address` and `order_number`, as Shopify
    // does, but never `total_price`; these keys are its own.
    if !has("total_price")
        && has("billing_address")
        && (has("total_shipping") || has("customer_ip") || has("payment_details"))
    {
        return (
            Preset::Woocommerce,
            "order has the legacy WooCommerce API's `billing_address` and `total_shipping`".into(),
        );
    }
    if has("total_price")
        || has("financial_status")
        || has("billing_address")
        || has("order_number")
    {
        return (
            Preset::Shopify,
            "order has Shopify's `total_price`/`financial_status`".into(),
        );
    }
    if has("totalPriceSet")
        || has("displayFinancialStatus")
        || order
            .get("id")
            .and_then(serde_json::Value::as_str)
            .is_some_and(|id| id.starts_with("gid://shopify/Order/"))
    {
        return (
            Preset::Shopify,
            "order has Shopify GraphQL `gid://shopify/Order/` ids or `totalPriceSet`".into(),
        );
    }
    (
        Preset::Generic,
        "no platform-specific keys; matching keys by CAPI field names".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn header(s: &str) -> Vec<String> {
        s.split(',').map(str::to_owned).collect()
    }

    #[test]
    fn woo_csv_detection_names_the_column_it_saw() {
        let (p, why) = detect_csv(&header(
            "Order Number,Order Status,Order Date,First Name (Billing),Email (Billing),SKU,Quantity",
        ));
        assert_eq!(p, Preset::Woocommerce);
        assert!(why.contains("`Email (Billing)`"), "{why}");
        let (p, why) = detect_csv(&header("order_id,order_total,billing_email"));
        assert_eq!(p, Preset::Woocommerce);
        assert!(why.contains("`order_id`"), "{why}");
        assert_eq!(detect_csv(&header("email,value")).0, Preset::Generic);
    }

    #[test]
    fn squarespace_is_read_as_shopify_and_says_so() {
        let (p, why) = detect_csv(&header(
            "Order ID,Email,Financial Status,Paid at,Fulfillment Status,Created at,Lineitem quantity,Lineitem name,Billing Name",
        ));
        assert_eq!(p, Preset::Shopify);
        assert!(why.contains("Squarespace"), "{why}");
        let (p, why) = detect_csv(&header("Name,Email,Financial Status,Lineitem quantity,Id"));
        assert_eq!(p, Preset::Shopify);
        assert!(!why.contains("Squarespace"), "{why}");
    }

    #[test]
    fn woo_analytics_download_is_recognised() {
        assert!(is_woo_analytics(&header(
            "Date,Order #,N. Revenue (formatted),Status,Customer,Customer type,Product(s),Items sold,Coupon(s),Net Sales"
        )));
        assert!(!is_woo_analytics(&header("Order #,Email,Total")));
    }

    #[test]
    fn legacy_woo_api_is_not_shopify() {
        let legacy = json!({"id": 645, "order_number": 645, "created_at": "2026-11-20T20:00:21Z",
            "total": "43.00", "total_shipping": "0.00", "customer_ip": "198.51.100.23",
            "billing_address": {"email": "x@example.com"}});
        assert_eq!(detect_json(&legacy).0, Preset::Woocommerce);
        let shopify = json!({"id": 1, "order_number": 1001, "total_price": "10.00",
            "billing_address": {"zip": "10001"}, "total_shipping_price_set": {}});
        assert_eq!(detect_json(&shopify).0, Preset::Shopify);
    }
}
