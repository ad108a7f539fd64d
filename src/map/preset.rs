//! Column presets: where each canonical field lives in Shopify's, WooCommerce's, Stripe's,
//! BigCommerce's, Meta's and generic exports, and how a preset is recognised from a header or
//! an order object.

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
    /// Stripe's Dashboard payments export CSV and its API objects (charge, PaymentIntent,
    /// Checkout Session), single, in list pages or one per line.
    Stripe,
    /// BigCommerce's orders API (V2) JSON, a plain array of orders.
    Bigcommerce,
    /// Meta's offline-conversions files: the classic template (`email` and `phone` repeated,
    /// short names such as `fn`, `madid`, `doby`) and the uploader's layout with `;`-separated
    /// item columns. Read with the generic names.
    Meta,
    /// Columns named after the CAPI fields (long names, short names).
    Generic,
}

impl Preset {
    /// Lowercase name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Preset::Shopify => "shopify",
            Preset::Woocommerce => "woocommerce",
            Preset::Stripe => "stripe",
            Preset::Bigcommerce => "bigcommerce",
            Preset::Meta => "meta",
            Preset::Generic => "generic",
        }
    }

    /// Whether the preset's records are payments or orders whose every state but paid means
    /// no sale: a Stripe payment or a BigCommerce order that is pending (unpaid) or refunded is
    /// skipped unless `skip_statuses` is set, on top of the default statuses.
    #[must_use]
    pub fn skips_unpaid(self) -> bool {
        matches!(self, Preset::Stripe | Preset::Bigcommerce)
    }

    /// Whether the preset matches names however a file spells them (`Order Date`,
    /// `order-date`) and behind a qualifier; platform presets keep their exact names.
    #[must_use]
    pub fn loose(self) -> bool {
        matches!(self, Preset::Generic | Preset::Meta)
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
    // Meta's `contents`: a JSON array, often relaxed (`[{id: "A", quantity: 1}]`).
    (Key::Contents, &["contents"]),
    (Key::NumItems, &["num_items", "number_of_items"]),
    // BigCommerce's packed `Product Details`.
    (Key::LineItems, &["product_details"]),
    (Key::OptOut, &["opt_out"]),
    (Key::ItemProductId, &["item_id", "product_id", "content_id"]),
    (Key::ItemVariantId, &["variant_id"]),
    (Key::ItemSku, &["sku", "item_sku"]),
    (
        Key::ItemName,
        &["item_name", "product_name", "items_name", "item_title"],
    ),
    (Key::ItemPrice, &["item_price", "price", "items_price"]),
    (Key::ItemQuantity, &["quantity", "item_quantity", "qty"]),
    (Key::ItemCategory, &["item_category", "category"]),
    (Key::ItemBrand, &["item_brand", "brand"]),
];

/// Stripe Dashboard > Payments > Export (`unified_payments.csv`): one row per payment, the
/// columns the user ticked in the export dialog (the 2024-26 default set, "all columns", the
/// 2023 set with `Created (UTC)` in minutes), `Amount` in major units, `Currency` lowercase,
/// and one `<key> (metadata)` column per metadata key. The order id is the payment's own `id`
/// (`ch_…`, `py_…`), one per payment and stable across exports; the shop's order id, where
/// the checkout put one in the metadata, is the order number (`--order-id number`), since a
/// retried payment's failed and paid attempts share it.
const STRIPE_CSV: Table = &[
    (Key::OrderId, &["id"]),
    (
        Key::OrderNumber,
        &[
            "orderId (metadata)",
            "order_id (metadata)",
            "orderNumber (metadata)",
            "order_number (metadata)",
        ],
    ),
    (Key::EventTime, &["Created date (UTC)", "Created (UTC)"]),
    (Key::Currency, &["Currency"]),
    (Key::Total, &["Amount"]),
    (Key::FinancialStatus, &["Status"]),
    // `Mode` is `Live` or `Test` (all-columns export only): `Test` reads as the test status.
    (Key::Status, &["Mode"]),
    // Checkouts often keep the address in the metadata while `Customer Email` is empty.
    (
        Key::Email,
        &[
            "Customer Email",
            "email (metadata)",
            "customer_email (metadata)",
        ],
    ),
    (Key::Phone, &["Customer Phone"]),
    (Key::FullName, &["Card Name"]),
    (Key::City, &["Card Address City", "Shipping Address City"]),
    (
        Key::State,
        &["Card Address State", "Shipping Address State"],
    ),
    (
        Key::Zip,
        &["Card Address Zip", "Shipping Address Postal Code"],
    ),
    (
        Key::Country,
        &["Card Address Country", "Shipping Address Country"],
    ),
    (Key::ExternalId, &["Customer ID"]),
];

/// Stripe API objects as the API and `stripe get` print them: a charge
/// (`billing_details`, `receipt_email`, `amount`), a PaymentIntent (`amount_received`,
/// `receipt_email`, an expanded `latest_charge`), a Checkout Session (`customer_details`,
/// `amount_total`, `payment_status`, expanded `line_items`). Amounts are integers in the
/// currency's minor units, converted by [`super::adjust`]; `created` is Unix seconds.
/// The order id is the object's own `id` and the order number a metadata order id, as in
/// the CSV.
const STRIPE_JSON: Table = &[
    (Key::OrderId, &["id"]),
    (
        Key::OrderNumber,
        &[
            "metadata.orderId",
            "metadata.order_id",
            "metadata.orderNumber",
            "metadata.order_number",
        ],
    ),
    (Key::EventTime, &["created"]),
    (Key::Currency, &["currency"]),
    (Key::Total, &["amount_total", "amount_received", "amount"]),
    (Key::FinancialStatus, &["payment_status"]),
    (Key::Status, &["status"]),
    (
        Key::Email,
        &[
            "customer_details.email",
            "billing_details.email",
            "receipt_email",
            "customer_email",
            "latest_charge.billing_details.email",
            "latest_charge.receipt_email",
        ],
    ),
    (
        Key::Phone,
        &[
            "customer_details.phone",
            "billing_details.phone",
            "latest_charge.billing_details.phone",
        ],
    ),
    (
        Key::FullName,
        &[
            "customer_details.name",
            "customer_details.individual_name",
            "billing_details.name",
            "latest_charge.billing_details.name",
        ],
    ),
    (
        Key::City,
        &[
            "customer_details.address.city",
            "billing_details.address.city",
            "latest_charge.billing_details.address.city",
        ],
    ),
    (
        Key::State,
        &[
            "customer_details.address.state",
            "billing_details.address.state",
            "latest_charge.billing_details.address.state",
        ],
    ),
    (
        Key::Zip,
        &[
            "customer_details.address.postal_code",
            "billing_details.address.postal_code",
            "latest_charge.billing_details.address.postal_code",
        ],
    ),
    (
        Key::Country,
        &[
            "customer_details.address.country",
            "billing_details.address.country",
            "latest_charge.billing_details.address.country",
        ],
    ),
    (Key::ExternalId, &["customer", "customer.id"]),
    (
        Key::ItemProductId,
        &[
            "line_items.data[].price.product",
            "line_items.data[].price.product.id",
        ],
    ),
    (Key::ItemName, &["line_items.data[].description"]),
    (Key::ItemPrice, &["line_items.data[].price.unit_amount"]),
    (Key::ItemQuantity, &["line_items.data[].quantity"]),
];

/// BigCommerce `GET /v2/orders`: RFC 2822 `date_created`, amounts as 4-decimal strings,
/// `default_currency_code` (the currency the shopper pays in; `currency_code` is the
/// display currency), the buyer in `billing_address` (`country_iso2`), `status_id` (read by
/// [`super::adjust`], since merchants rename the `status` labels), `customer_id` 0 for
/// guests. `products` is a link to a sub-resource, so items come only when inlined.
const BIGCOMMERCE_JSON: Table = &[
    (Key::OrderId, &["id"]),
    (Key::EventTime, &["date_created"]),
    (Key::Currency, &["default_currency_code", "currency_code"]),
    (Key::Total, &["total_inc_tax"]),
    (Key::Subtotal, &["subtotal_ex_tax"]),
    (Key::Tax, &["total_tax"]),
    (Key::Shipping, &["shipping_cost_ex_tax"]),
    (Key::Discount, &["discount_amount"]),
    (Key::Email, &["billing_address.email"]),
    (Key::Phone, &["billing_address.phone"]),
    (Key::FirstName, &["billing_address.first_name"]),
    (Key::LastName, &["billing_address.last_name"]),
    (Key::City, &["billing_address.city"]),
    (Key::State, &["billing_address.state"]),
    (Key::Zip, &["billing_address.zip"]),
    (
        Key::Country,
        &["billing_address.country_iso2", "billing_address.country"],
    ),
    (Key::ExternalId, &["customer_id"]),
    (Key::ClientIp, &["ip_address", "ip_address_v6"]),
    (Key::Source, &["order_source"]),
    (Key::ItemProductId, &["products[].product_id"]),
    (Key::ItemVariantId, &["products[].variant_id"]),
    (Key::ItemSku, &["products[].sku"]),
    (Key::ItemName, &["products[].name"]),
    (Key::ItemPrice, &["products[].price_inc_tax"]),
    (Key::ItemQuantity, &["products[].quantity"]),
];

/// The column candidates of `preset` for a CSV header or a JSON order.
#[must_use]
pub fn table(preset: Preset, json: bool) -> Table {
    match (preset, json) {
        (Preset::Shopify, false) => SHOPIFY_CSV,
        (Preset::Shopify, true) => SHOPIFY_JSON,
        (Preset::Woocommerce, false) => WOO_CSV,
        (Preset::Woocommerce, true) => WOO_JSON,
        (Preset::Stripe, false) => STRIPE_CSV,
        (Preset::Stripe, true) => STRIPE_JSON,
        (Preset::Bigcommerce, true) => BIGCOMMERCE_JSON,
        // BigCommerce's CSV exports are read by their generic names.
        (Preset::Bigcommerce, false) | (Preset::Meta | Preset::Generic, _) => GENERIC,
    }
}

/// The column that groups rows into one order, per preset, for CSV.
#[must_use]
pub fn group_key(preset: Preset) -> &'static [Key] {
    match preset {
        Preset::Shopify => &[Key::OrderName, Key::OrderId],
        Preset::Woocommerce
        | Preset::Stripe
        | Preset::Bigcommerce
        | Preset::Meta
        | Preset::Generic => &[Key::OrderId, Key::OrderNumber, Key::OrderName],
    }
}

fn has(header: &[String], name: &str) -> bool {
    header.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// Meta's offline-conversions layouts: `event_name` and `event_time` beside a column only
/// Meta's files have (the template's `madid`, `doby`, `age`; the uploader's `item_number`,
/// `data_processing_options`). A file that merely uses CAPI's short names (`fn`, `ln`,
/// repeated `email`) stays generic. Says which of the two layouts it is.
fn meta_layout(header: &[String]) -> Option<&'static str> {
    const META_ONLY: &[&str] = &[
        "madid",
        "doby",
        "age",
        "item_number",
        "data_processing_options",
    ];
    let meta = has(header, "event_name")
        && has(header, "event_time")
        && META_ONLY.iter().any(|c| has(header, c));
    if !meta {
        return None;
    }
    Some(
        if has(header, "Item ID") || has(header, "data_processing_options") {
            "Meta's offline-conversions uploader layout (`;`-separated item columns)"
        } else {
            "Meta's offline-conversions template (`event_name`, `event_time`, `madid`, `doby`, `age`; `email` and `phone` may repeat)"
        },
    )
}

/// Recognises a CSV header, with the reason for the report.
#[must_use]
pub fn detect_csv(header: &[String]) -> (Preset, String) {
    if let Some(created) = ["Created date (UTC)", "Created (UTC)"]
        .into_iter()
        .find(|c| has(header, c))
    {
        if has(header, "id")
            && has(header, "Amount")
            && (has(header, "Amount Refunded") || has(header, "Converted Amount"))
        {
            return (
                Preset::Stripe,
                format!("header has the Stripe payments export's `id`, `{created}` and `Amount Refunded` columns"),
            );
        }
    }
    if let Some(layout) = meta_layout(header) {
        return (Preset::Meta, format!("header is {layout}"));
    }
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

/// Stripe objects pinconv reads as payments.
pub const STRIPE_OBJECTS: &[&str] = &["charge", "payment_intent", "checkout.session"];

/// Whether an order object is a Shopify draft order: an `invoice_url`, a `#D` name, a
/// `DraftOrder` GraphQL id.
#[must_use]
pub fn is_shopify_draft(order: &serde_json::Value) -> bool {
    let text = |k: &str| order.get(k).and_then(serde_json::Value::as_str);
    order.get("invoice_url").is_some()
        || text("name").is_some_and(|n| n.starts_with("#D"))
        || text("id").is_some_and(|id| id.starts_with("gid://shopify/DraftOrder/"))
}

/// Recognises an order object, with the reason for the report.
#[must_use]
pub fn detect_json(order: &serde_json::Value) -> (Preset, String) {
    let has = |k: &str| order.get(k).is_some();
    if let Some(object) = order
        .get("object")
        .and_then(serde_json::Value::as_str)
        .filter(|o| STRIPE_OBJECTS.contains(o))
    {
        return (
            Preset::Stripe,
            format!(
                "records are Stripe `{object}` objects (amounts in the currency's minor units)"
            ),
        );
    }
    // BigCommerce's V2 order has `billing_address` and `date_created` as others do, but
    // `status_id` and the `_inc_tax` totals are its own.
    if has("status_id") && (has("total_inc_tax") || has("subtotal_ex_tax")) {
        return (
            Preset::Bigcommerce,
            "order has BigCommerce's `status_id` and `total_inc_tax` (orders API V2)".into(),
        );
    }
    if is_shopify_draft(order) {
        return (
            Preset::Shopify,
            "records are Shopify draft orders (`invoice_url`, `#D` names): a draft is not a purchase, so each is skipped".into(),
        );
    }
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
    fn stripe_exports_and_objects_are_recognised() {
        for h in [
            "id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Converted Amount,Status,Customer Email",
            "id,Description,Seller Message,Created (UTC),Amount,Amount Refunded,Currency,Converted Amount,Status",
        ] {
            let (p, why) = detect_csv(&header(h));
            assert_eq!(p, Preset::Stripe, "{h}");
            assert!(why.contains("Stripe"), "{why}");
        }
        // A generic file with a UTC date column is not Stripe.
        assert_eq!(
            detect_csv(&header("id,Created date (UTC),email,value")).0,
            Preset::Generic
        );
        for object in ["charge", "payment_intent", "checkout.session"] {
            let (p, why) = detect_json(&json!({"id": "x", "object": object, "amount": 1}));
            assert_eq!(p, Preset::Stripe);
            assert!(why.contains(object), "{why}");
        }
        assert_eq!(
            detect_json(&json!({"id": "x", "object": "customer"})).0,
            Preset::Generic
        );
    }

    #[test]
    fn meta_layouts_are_recognised() {
        let (p, why) = detect_csv(&header(
            "email,email,email,phone,phone,phone,madid,fn,ln,zip,ct,st,country,dob,doby,gen,age,event_name,event_time,value,currency",
        ));
        assert_eq!(p, Preset::Meta);
        assert!(why.contains("template"), "{why}");
        let (p, why) = detect_csv(&header(
            "email,phone,fn,ln,dob,ct,st,zip,country,event_time,event_name,value,currency,item_number,order_id,Item ID,Item Price",
        ));
        assert_eq!(p, Preset::Meta);
        assert!(why.contains("uploader"), "{why}");
        // CAPI's names, short ones and repeated emails included, stay generic.
        assert_eq!(
            detect_csv(&header("email,first_name,event_name,event_time,value")).0,
            Preset::Generic
        );
        assert_eq!(
            detect_csv(&header(
                "email,email,phone,fn,ln,zip,ct,st,country,dob,gen,event_name,event_time,value,currency,order_id"
            ))
            .0,
            Preset::Generic
        );
    }

    #[test]
    fn bigcommerce_and_drafts_are_not_shopify_orders() {
        let bc = json!({"id": 120, "status_id": 11, "date_created": "Fri, 20 Nov 2026 21:05:30 +0000",
            "total_inc_tax": "10.0000", "billing_address": {"email": "a@example.com"}, "ip_address": "198.51.100.1"});
        assert_eq!(detect_json(&bc).0, Preset::Bigcommerce);
        let draft = json!({"id": 9, "name": "#D2", "status": "open", "total_price": "1.00",
            "invoice_url": "https://shop.example.com/invoices/x"});
        let (p, why) = detect_json(&draft);
        assert_eq!(p, Preset::Shopify);
        assert!(why.contains("draft"), "{why}");
        assert!(is_shopify_draft(&draft));
        assert!(!is_shopify_draft(
            &json!({"id": 1, "name": "#1001", "total_price": "1.00"})
        ));
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
