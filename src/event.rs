//! Event stage: builds one Pinterest CAPI event from one [`Order`], applying the shop's
//! settings, and validates it; or says why the order is skipped or not sendable.

use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::config::{self, MaxAge, OrderIdSource, ProductIdSource, Settings};
use crate::map::{Cell, Item, Key, Order};
use crate::money;
use crate::normalize::{self, Context, Field};
use crate::report::{shown, Problem, Severity};
use crate::time::{self, TimeOptions};

/// Placeholders of the `event_id` template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Var {
    /// The chosen order identifier (`order_id` setting).
    OrderId,
    /// The platform's order id.
    Id,
    /// The order number.
    OrderNumber,
    /// The order name.
    OrderName,
    /// The event name.
    EventName,
}

impl Var {
    fn name(self) -> &'static str {
        match self {
            Var::OrderId => "order_id",
            Var::Id => "id",
            Var::OrderNumber => "order_number",
            Var::OrderName => "order_name",
            Var::EventName => "event_name",
        }
    }
}

/// A parsed `event_id` template such as `order-{order_id}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template(Vec<Result<Var, String>>);

impl Template {
    /// Parses a template; unknown placeholders and unbalanced braces are errors.
    pub fn parse(s: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = s;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Err(rest[..open].to_owned()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| format!("event id template `{s}` has an unclosed `{{`"))?;
            let name = &rest[open + 1..open + close];
            let var = [Var::OrderId, Var::Id, Var::OrderNumber, Var::OrderName, Var::EventName]
                .into_iter()
                .find(|v| v.name() == name)
                .ok_or_else(|| {
                    format!(
                        "unknown placeholder `{{{name}}}` in event id template; use {{order_id}}, {{id}}, {{order_number}}, {{order_name}} or {{event_name}}"
                    )
                })?;
            parts.push(Ok(var));
            rest = &rest[open + close + 1..];
        }
        if rest.contains('}') {
            return Err(format!("event id template `{s}` has a stray `}}`"));
        }
        if !rest.is_empty() {
            parts.push(Err(rest.to_owned()));
        }
        if !parts.iter().any(Result::is_ok) {
            return Err(format!(
                "event id template `{s}` has no placeholder, so every event would share one id; use e.g. `{{order_id}}`"
            ));
        }
        Ok(Template(parts))
    }

    fn render(&self, value: impl Fn(Var) -> Option<String>) -> Result<String, Var> {
        let mut out = String::new();
        for p in &self.0 {
            match p {
                Err(lit) => out.push_str(lit),
                Ok(v) => out.push_str(&value(*v).ok_or(*v)?),
            }
        }
        Ok(out)
    }
}

/// A built event, serialized, with where it came from.
#[derive(Clone, Debug)]
pub struct Built {
    /// Input name.
    pub file: Arc<str>,
    /// First line of the order.
    pub line: u64,
    /// `event_id`.
    pub event_id: String,
    /// `event_name`.
    pub event_name: &'static str,
    /// `event_time`.
    pub event_time: i64,
    /// The event as compact JSON, exactly as sent.
    pub json: String,
    /// Warnings about this order.
    pub warnings: Vec<Problem>,
}

/// What became of an order.
#[derive(Debug)]
pub enum Outcome {
    /// An event.
    Built(Built),
    /// Left out by a rule; the problem's severity is `Skipped`.
    Skipped(Problem),
    /// Not sendable: exactly one `Rejected` problem, plus any warnings.
    Rejected(Vec<Problem>),
}

#[derive(Serialize)]
struct Event<'a> {
    event_name: &'a str,
    action_source: &'a str,
    event_time: i64,
    event_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_source_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    partner_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    opt_out: Option<bool>,
    user_data: UserData,
    #[serde(skip_serializing_if = "Option::is_none")]
    custom_data: Option<CustomData>,
}

#[derive(Serialize, Default)]
struct UserData {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    em: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashed_maids: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ph: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", rename = "fn")]
    first: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ln: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ge: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    db: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ct: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    st: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    zp: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    country: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_id: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_ip_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_user_agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    click_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    partner_id: Option<String>,
}

#[derive(Serialize, Default)]
struct CustomData {
    #[serde(skip_serializing_if = "Option::is_none")]
    currency: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    content_ids: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    contents: Vec<Content>,
    #[serde(skip_serializing_if = "Option::is_none")]
    num_items: Option<i64>,
}

#[derive(Serialize)]
struct Content {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    item_price: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quantity: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    item_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    item_category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    item_brand: Option<String>,
}

/// Collects the problems of one order.
struct Ctx<'a> {
    order: &'a Order,
    order_ref: Option<String>,
    warnings: Vec<Problem>,
}

impl Ctx<'_> {
    fn problem(
        &self,
        sev: Severity,
        cell: Option<&Cell>,
        code: &'static str,
        reason: String,
        hint: Option<String>,
    ) -> Problem {
        Problem {
            file: self.order.file.clone(),
            line: cell.map_or(self.order.line, |c| c.line),
            column: cell.map(|c| c.column.to_string()),
            severity: sev,
            code,
            reason,
            hint,
            order: self.order_ref.clone(),
        }
    }

    fn warn(
        &mut self,
        cell: Option<&Cell>,
        code: &'static str,
        reason: String,
        hint: Option<String>,
    ) {
        let p = self.problem(Severity::Warning, cell, code, reason, hint);
        self.warnings.push(p);
    }

    fn reject(
        mut self,
        cell: Option<&Cell>,
        code: &'static str,
        reason: String,
        hint: Option<String>,
    ) -> Outcome {
        let p = self.problem(Severity::Rejected, cell, code, reason, hint);
        self.warnings.push(p);
        Outcome::Rejected(self.warnings)
    }

    fn skip(
        &self,
        cell: Option<&Cell>,
        code: &'static str,
        reason: String,
        hint: Option<String>,
    ) -> Outcome {
        Outcome::Skipped(self.problem(Severity::Skipped, cell, code, reason, hint))
    }
}

fn truthy(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "true" | "1" | "yes" | "y" | "t"
    )
}

/// The canonical status of a raw status value: the slugs WooCommerce and Shopify write
/// (`wc-cancelled`, `on-hold`, `checkout-draft`), and the labels order-export plugins write
/// instead (`Pending payment`, `On hold`), in English and in WooCommerce's German, French,
/// Spanish, Italian and Dutch translations; and other shops' words: BigCommerce's `Declined`
/// and `Incomplete` (an abandoned checkout), Magento's `Closed` (refunded), PrestaShop's
/// `Payment error` and `Awaiting bank wire payment`, Ecwid's `AWAITING_PAYMENT`, Wix's `Not Paid`.
fn canonical_status(raw: &str) -> Option<&'static str> {
    let v = raw.trim().to_lowercase().replace(['-', ' '], "_");
    let v = v.trim_start_matches("wc_");
    if v.starts_with("awaiting_") && v.ends_with("payment") {
        return Some("pending");
    }
    Some(match v {
        "voided" | "void" => "voided",
        "refunded" | "rückerstattet" | "remboursée" | "remboursé" | "reembolsado"
        | "rimborsato" | "terugbetaald" | "closed" => "refunded",
        "cancelled" | "canceled" | "storniert" | "abgebrochen" | "annulée" | "annulé"
        | "cancelado" | "cancelada" | "annullato" | "geannuleerd" => "cancelled",
        "failed" | "declined" | "payment_error" | "fehlgeschlagen" | "échouée" | "échoué"
        | "echouée" | "fallido" | "fallita" | "fallito" | "mislukt" => "failed",
        "pending"
        | "pending_payment"
        | "on_hold"
        | "authorized"
        | "unpaid"
        | "not_paid"
        | "payment_review"
        | "zahlung_ausstehend"
        | "in_wartestellung"
        | "wartend"
        | "attente_paiement"
        | "en_attente"
        | "pendiente_de_pago"
        | "en_espera"
        | "in_attesa_di_pagamento"
        | "in_sospeso"
        | "wachtend_op_betaling"
        | "in_de_wacht" => "pending",
        "trash" | "checkout_draft" | "draft" | "incomplete" | "entwurf" | "brouillon"
        | "borrador" | "bozza" | "concept" => "draft",
        "test" => "test",
        _ => return None,
    })
}

/// The canonical statuses an order has (test, voided, cancelled, ...), with the cell that says so.
fn statuses(order: &Order) -> Vec<(&'static str, Option<&Cell>)> {
    let mut out = Vec::new();
    if let Some(c) = order.get(Key::Test).filter(|c| truthy(&c.value)) {
        out.push(("test", Some(c)));
    }
    if let Some(c) = order
        .get(Key::PaymentMethod)
        .filter(|c| c.value.to_ascii_lowercase().contains("bogus"))
    {
        // Shopify's test gateway.
        out.push(("test", Some(c)));
    }
    if let Some(c) = order.get(Key::CancelledAt) {
        out.push(("cancelled", Some(c)));
    }
    for key in [Key::FinancialStatus, Key::Status, Key::FulfillmentStatus] {
        if let Some(c) = order.get(key) {
            let Some(s) = canonical_status(&c.value) else {
                continue;
            };
            // A shipping state says nothing about payment: Squarespace's `PENDING` is a paid
            // order not yet shipped; only its `CANCELED` counts.
            if key == Key::FulfillmentStatus && s != "cancelled" {
                continue;
            }
            out.push((s, Some(c)));
        }
    }
    out
}

fn money_cell(
    ctx: &mut Ctx,
    cell: Option<&Cell>,
    s: &Settings,
    what: &str,
) -> Result<Option<Decimal>, Box<Outcome>> {
    let Some(c) = cell else { return Ok(None) };
    let two_decimals = ctx
        .order
        .get(Key::Currency)
        .and_then(|c| normalize::currency_code(&c.value))
        .map_or(2, normalize::currency_decimals)
        < 3;
    if !s.decimal_comma && two_decimals && dot_thousands(&c.value) {
        ctx.warn(
            Some(c),
            "ambiguous_amount",
            format!("the {what} has three digits after a dot, as in `1.234`; it was read as a decimal point, not as thousands"),
            Some("if the file writes `1.234,50`, set `decimal_comma = true` (or `--decimal-comma`)".into()),
        );
    }
    money::parse(&c.value, s.decimal_comma).map(Some).map_err(|_| {
        let p = ctx.problem(
            Severity::Rejected,
            Some(c),
            "invalid_amount",
            format!("the {what} is not a number"),
            Some("use digits with `.` or `,` as decimal separator (set `decimal_comma = true` for `1.234,50`)".into()),
        );
        let mut all = std::mem::take(&mut ctx.warnings);
        all.push(p);
        Box::new(Outcome::Rejected(all))
    })
}

/// An amount such as `1.234` or `12.345.678`: dots before groups of exactly three digits and
/// no comma, which decimal-comma locales write for thousands (never after a leading `0`:
/// `0.125` is a price).
fn dot_thousands(raw: &str) -> bool {
    let t: String = raw
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
        .collect();
    let mut groups = t.split('.');
    let first = groups.next().unwrap_or("");
    !t.contains(',')
        && t.contains('.')
        && (1..=3).contains(&first.len())
        && !first.starts_with('0')
        && groups.all(|g| g.len() == 3)
}

fn epik(landing: &str) -> Option<String> {
    let query = landing.split_once('?')?.1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("epik="))
        .map(|v| v.split('#').next().unwrap_or(v).to_owned())
        .filter(|v| !v.is_empty())
}

fn item_value(item: &Item, key: Key) -> Option<&Cell> {
    item.iter().find(|(k, _)| *k == key).map(|(_, c)| c)
}

/// What a key of a packed item entry (`key:value|key:value`) holds.
enum PackedKey {
    /// An item field.
    Field(Key),
    /// `id`: the line item's own id (SkyVerge), the product id only without `product_id`.
    BareId,
    /// `total`: the line total, the unit price's source without a `price`.
    Total,
}

/// The meaning of a packed entry's key, if pinconv knows it.
fn packed_key(k: &str) -> Option<PackedKey> {
    Some(match k.trim().to_ascii_lowercase().as_str() {
        "name" | "item_name" | "product_name" => PackedKey::Field(Key::ItemName),
        "product_id" => PackedKey::Field(Key::ItemProductId),
        "id" => PackedKey::BareId,
        "variation_id" | "variant_id" => PackedKey::Field(Key::ItemVariantId),
        "sku" => PackedKey::Field(Key::ItemSku),
        "quantity" | "qty" => PackedKey::Field(Key::ItemQuantity),
        "price" | "item_price" | "cost" => PackedKey::Field(Key::ItemPrice),
        "total" | "line_total" => PackedKey::Total,
        _ => return None,
    })
}

/// Splits a packed cell into its item entries. A `;` or line break separates two entries only
/// when a `key:` follows it, so a product name such as `Napkins; Set of 4` stays whole.
fn packed_entries(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in value.char_indices() {
        if !matches!(c, ';' | '\n') {
            continue;
        }
        let next = value[i + 1..].trim_start();
        let starts_entry = next
            .split_once(':')
            .is_some_and(|(k, _)| !k.contains('|') && packed_key(k).is_some());
        if starts_entry {
            out.push(&value[start..i]);
            start = i + 1;
        }
    }
    out.push(&value[start..]);
    out
}

/// BigCommerce's `Product Details` column: products separated by `|`, each a list of
/// `Product Key: value` pairs separated by `, ` (`Product ID: 77, Product Qty: 2, Product SKU:
/// CND-8, Product Name: Candle, Product Variation Details: Scent: Cedar, Product Unit Price:
/// 22.00, ...`). A comma inside a value (`Matches, Gift Box`) stays in it: only `, Product `
/// starts the next pair.
fn product_details_items(cell: &Cell) -> Option<Vec<Item>> {
    let value = cell.value.trim();
    if !value
        .get(..11)
        .is_some_and(|p| p.eq_ignore_ascii_case("Product ID:"))
    {
        return None;
    }
    let items = value
        .split("|Product ID:")
        .map(|product| {
            let product = product.strip_prefix("Product ID:").unwrap_or(product);
            let mut item: Item = Vec::new();
            for (n, pair) in product.split(", Product ").enumerate() {
                // The first pair is the id, its `Product ID:` already split off.
                let (k, v) = if n == 0 {
                    ("id", pair)
                } else {
                    match pair.split_once(':') {
                        Some(kv) => kv,
                        None => continue,
                    }
                };
                let v = v.trim();
                let key = match k.trim().to_ascii_lowercase().as_str() {
                    "id" => Key::ItemProductId,
                    "qty" => Key::ItemQuantity,
                    "sku" => Key::ItemSku,
                    "name" => Key::ItemName,
                    "unit price" => Key::ItemPrice,
                    _ => continue,
                };
                if !v.is_empty() {
                    item.push((
                        key,
                        Cell {
                            value: v.to_owned(),
                            column: cell.column.clone(),
                            line: cell.line,
                        },
                    ));
                }
            }
            item
        })
        .filter(|item| !item.is_empty())
        .collect();
    Some(items)
}

/// Expands a packed `line_items` cell (`name:Mug|sku:M-1|quantity:2|total:20.00;...`, the
/// format of WooCommerce order-export plugins, or BigCommerce's `Product Details`) into items.
fn packed_items(cell: &Cell) -> Vec<Item> {
    if let Some(items) = product_details_items(cell) {
        return items;
    }
    packed_entries(&cell.value)
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .map(|entry| {
            let mut item: Item = Vec::new();
            let mut total = None;
            // SkyVerge writes the line item's own `id` beside `product_id`: a product id only
            // when there is no `product_id`.
            let mut bare_id = None;
            for kv in entry.split('|') {
                let Some((k, v)) = kv.split_once(':') else {
                    continue;
                };
                let v = v.trim();
                if v.is_empty() {
                    continue;
                }
                let key = match packed_key(k) {
                    Some(PackedKey::Field(key)) => key,
                    Some(PackedKey::BareId) => {
                        bare_id = Some(v.to_owned());
                        continue;
                    }
                    Some(PackedKey::Total) => {
                        total = Some(v.to_owned());
                        continue;
                    }
                    None => continue,
                };
                item.push((
                    key,
                    Cell {
                        value: v.to_owned(),
                        column: cell.column.clone(),
                        line: cell.line,
                    },
                ));
            }
            if let Some(id) = bare_id.filter(|_| item_value(&item, Key::ItemProductId).is_none()) {
                item.push((
                    Key::ItemProductId,
                    Cell {
                        value: id,
                        column: cell.column.clone(),
                        line: cell.line,
                    },
                ));
            }
            if item_value(&item, Key::ItemPrice).is_none() {
                // A line total over its quantity is the unit price.
                let qty = item_value(&item, Key::ItemQuantity)
                    .and_then(|c| c.value.parse::<Decimal>().ok());
                if let (Some(t), Some(q)) = (total.and_then(|t| money::parse(&t, false).ok()), qty)
                {
                    if let Some(unit) = t.checked_div(q).filter(|_| q > Decimal::ZERO) {
                        item.push((
                            Key::ItemPrice,
                            Cell {
                                value: unit.round_dp(2).to_string(),
                                column: cell.column.clone(),
                                line: cell.line,
                            },
                        ));
                    }
                }
            }
            item
        })
        .filter(|i| !i.is_empty())
        .collect()
}

/// More decimals than this in an item price are float noise, not a price.
const FLOAT_NOISE_SCALE: u32 = 6;

/// Builds the event for `order`.
#[must_use]
#[allow(clippy::too_many_lines)]
pub fn build(order: &Order, s: &Settings) -> Outcome {
    let id = order.get(Key::OrderId).map(|c| c.value.trim().to_owned());
    let number = order
        .get(Key::OrderNumber)
        .map(|c| c.value.trim().to_owned());
    let name = order.get(Key::OrderName).map(|c| c.value.trim().to_owned());
    // An id a spreadsheet rounded (`5.9011E+12`) is shared by many orders: never use it.
    let mangled_id = order
        .get(Key::OrderId)
        .filter(|c| normalize::spreadsheet_number(c.value.trim()));
    let id = id.filter(|_| mangled_id.is_none());
    let order_id = match s.order_id {
        OrderIdSource::Auto => id
            .clone()
            .or_else(|| number.clone())
            .or_else(|| name.clone()),
        OrderIdSource::Id => id.clone(),
        OrderIdSource::Number => number.clone(),
        OrderIdSource::Name => name.clone(),
    };
    let mut ctx = Ctx {
        order,
        order_ref: order_id
            .clone()
            .or_else(|| name.clone())
            .or_else(|| order.group.clone()),
        warnings: Vec::new(),
    };

    if order.repeat {
        return ctx.reject(
            None,
            "order_rows_not_consecutive",
            "this order already appeared earlier in the input, with other orders in between; it was not merged".into(),
            Some("sort the export by order so each order's rows are together, or remove the duplicate".into()),
        );
    }

    // Shop rules first: a skipped order needs no other checks.
    for (status, cell) in statuses(order) {
        if s.skip_statuses.iter().any(|x| x == status) {
            return ctx.skip(
                cell,
                match status {
                    "test" => "status_test",
                    "voided" => "status_voided",
                    "cancelled" => "status_cancelled",
                    "refunded" => "status_refunded",
                    "failed" => "status_failed",
                    "pending" => "status_pending",
                    _ => "status_draft",
                },
                format!("{status} order"),
                None,
            );
        }
    }
    let source = order.get(Key::Source);
    if let Some(c) = source {
        let v = c.value.trim().to_lowercase();
        if s.exclude_sources.contains(&v) {
            return ctx.skip(
                Some(c),
                "excluded_source",
                format!("sales channel `{v}` is excluded"),
                None,
            );
        }
    }

    if let Some(c) = mangled_id {
        let reason = "the order id was rounded by a spreadsheet to scientific notation (like `5.9E+12`), so it no longer identifies the order".to_owned();
        let hint = "export the orders again and do not re-save the file in Excel, or import the column as text";
        match (&order_id, s.order_id) {
            // `--order-id number|name` does not use the id column.
            (Some(_), OrderIdSource::Number | OrderIdSource::Name) => {}
            (Some(other), OrderIdSource::Auto) => ctx.warn(
                Some(c),
                "mangled_order_id",
                format!("{reason}; `{other}` is used as the order id instead"),
                Some(hint.into()),
            ),
            _ => {
                return ctx.reject(
                    Some(c),
                    "mangled_order_id",
                    reason,
                    Some(format!(
                        "{hint}; or pass `--order-id name` to use the order name"
                    )),
                )
            }
        }
    }

    // event_time
    let Some(time_cell) = order.get(Key::EventTime) else {
        return ctx.reject(
            None,
            "missing_event_time",
            "the order has no time".into(),
            Some(
                "map the order date column in the config: `[columns] event_time = \"...\"`".into(),
            ),
        );
    };
    let col = time_cell.column.to_ascii_lowercase();
    let naive_utc = col.ends_with("_gmt") || col.ends_with("_utc");
    let opts = TimeOptions {
        tz: &s.timezone,
        date_order: s.date_order,
        format: s.date_format.as_deref(),
    };
    let moment = match time::parse(&time_cell.value, naive_utc, &opts) {
        Ok(m) => m,
        Err(e) => {
            return ctx.reject(
                Some(time_cell),
                "invalid_event_time",
                format!("{}: {e}", shown(&time_cell.value)),
                Some("use ISO 8601 (`2026-11-18T14:03:27-05:00`), Unix seconds, or set `date_format` in the config".into()),
            )
        }
    };
    if moment.naive && !s.timezone_set && order.preset == crate::map::Preset::Shopify {
        // Shopify writes every time with its offset; one without was re-saved by a
        // spreadsheet, which drops it, and UTC is then most likely wrong by hours.
        ctx.warn(
            Some(time_cell),
            "time_without_offset",
            "the time has no UTC offset (Shopify writes one, e.g. `-0500`; a spreadsheet re-save drops it), so it was read as UTC".into(),
            Some("pass `--timezone` with the shop's time zone (Shopify admin > Settings > General), e.g. `--timezone America/New_York`".into()),
        );
    }
    if moment.ambiguous && !s.date_order_set {
        let (read, this, other) = match s.date_order {
            config::DateOrder::Mdy => ("month/day", "mdy", "dmy"),
            config::DateOrder::Dmy => ("day/month", "dmy", "mdy"),
        };
        ctx.warn(
            Some(time_cell),
            "ambiguous_date",
            format!("the date can be read day first or month first; it was read as {read}"),
            Some(format!("pass `--date-order {other}` if the file writes the other way round, or `--date-order {this}` to confirm")),
        );
    }
    if !moment.has_time {
        ctx.warn(
            Some(time_cell),
            "no_time_of_day",
            format!(
                "the order has a date but no time of day; midnight in `{}` is used",
                s.timezone_name
            ),
            None,
        );
    }
    if s.since.is_some_and(|t| moment.unix < t) || s.until.is_some_and(|t| moment.unix >= t) {
        return ctx.skip(
            Some(time_cell),
            "outside_time_filter",
            "the order is outside `--since`/`--until`".into(),
            None,
        );
    }
    if let MaxAge::Days(days) = s.max_age {
        if s.now - moment.unix > i64::from(days) * 86_400 {
            return ctx.skip(
                Some(time_cell),
                "too_old",
                format!("the order is older than {days} days, which Pinterest rejects"),
                Some("pass `--max-age off` (or a larger `--max-age`) to keep it anyway".into()),
            );
        }
    }
    if moment.unix > s.now + 3600 {
        return ctx.reject(
            Some(time_cell),
            "future_event_time",
            "the order time is in the future".into(),
            Some("check the time zone (`--timezone`) and the date order (`date_order`)".into()),
        );
    }

    // event_name, action_source
    let event_name: &'static str = match order.get(Key::EventName) {
        Some(c) => match config::event_name(&c.value) {
            Some(n) => n,
            None => {
                return ctx.reject(
                    Some(c),
                    "unknown_event_name",
                    format!("unknown event name {}", shown(&c.value)),
                    Some("use a Pinterest event name such as `checkout`, `add_to_cart`, `lead`, or `custom`".into()),
                )
            }
        },
        None => config::PINTEREST_EVENTS
            .iter()
            .copied()
            .find(|e| *e == s.event_name)
            .unwrap_or("checkout"),
    };
    let action_source: String = match (order.get(Key::ActionSource), &s.action_source) {
        (_, Some(forced)) => forced.clone(),
        (Some(c), None) => match config::action_source_setting(&c.value) {
            Ok(v) => v,
            Err(_) => {
                return ctx.reject(
                    Some(c),
                    "invalid_action_source",
                    format!(
                        "unknown action source {}; use web, offline, app_android or app_ios",
                        shown(&c.value)
                    ),
                    None,
                )
            }
        },
        (None, None) => {
            if source.is_some_and(|c| c.value.trim().eq_ignore_ascii_case("pos")) {
                "offline".into()
            } else {
                "web".into()
            }
        }
    };

    // event_id
    let event_id = match order.get(Key::EventId) {
        Some(c) => c.value.trim().to_owned(),
        None => {
            match s.event_id_template.render(|v| match v {
                Var::OrderId => order_id.clone(),
                Var::Id => id.clone(),
                Var::OrderNumber => number.clone(),
                Var::OrderName => name.clone(),
                Var::EventName => Some(event_name.to_owned()),
            }) {
                Ok(e) => e,
                Err(v) => {
                    // `--order-id` / `[order] id` chose an identifier the order lacks.
                    let chosen = match (v, s.order_id) {
                        (Var::OrderId, OrderIdSource::Id) => Some("id"),
                        (Var::OrderId, OrderIdSource::Number) => Some("number"),
                        (Var::OrderId, OrderIdSource::Name) => Some("name"),
                        _ => None,
                    };
                    let hint = match chosen {
                        Some(c) => format!(
                            "`--order-id {c}` (`[order] id = \"{c}\"`) uses the order {c}, which this order does not have; map its column (`[columns] order_{c} = \"...\"`) or use `auto`"
                        ),
                        None => "map the order id column (`[columns] order_id = \"...\"`) or change `--event-id-template`".into(),
                    };
                    return ctx.reject(
                        None,
                        "missing_event_id",
                        format!(
                            "the event id template needs `{{{}}}` but the order has none",
                            v.name()
                        ),
                        Some(hint),
                    );
                }
            }
        }
    };
    if event_id.is_empty() {
        return ctx.reject(
            None,
            "missing_event_id",
            "the event id is empty".into(),
            None,
        );
    }

    // user_data
    let country_cell = order.get(Key::Country);
    let country_code = country_cell.and_then(|c| normalize::country_alpha2(&c.value));
    let nctx = Context {
        country: country_code.or(country_cell.map(|c| c.value.as_str())),
        default_country: s.default_country.as_deref(),
    };
    let mut ud = UserData::default();
    let hash_into =
        |ctx: &mut Ctx, field: Field, cell: &Cell, out: &mut Vec<String>| match normalize::hash(
            field,
            &cell.value,
            &nctx,
        ) {
            Ok(Some(h)) => {
                if !out.contains(&h) {
                    out.push(h);
                }
            }
            Ok(None) => {}
            Err(e) => ctx.warn(
                Some(cell),
                match field {
                    Field::Em => "invalid_email",
                    Field::Ph => "invalid_phone",
                    Field::Country => "invalid_country",
                    Field::St => "invalid_state",
                    Field::Zp => "invalid_zip",
                    Field::Ge => "invalid_gender",
                    Field::Db => "invalid_birth_date",
                    _ => "invalid_value",
                },
                format!("{e}; the value was dropped"),
                e.hint().map(str::to_owned),
            ),
        };
    for c in order.all(Key::Email) {
        hash_into(&mut ctx, Field::Em, c, &mut ud.em);
    }
    for c in order.all(Key::Maid) {
        hash_into(&mut ctx, Field::HashedMaids, c, &mut ud.hashed_maids);
    }
    for c in order.all(Key::Phone) {
        hash_into(&mut ctx, Field::Ph, c, &mut ud.ph);
    }
    match (
        order.get(Key::FirstName),
        order.get(Key::LastName),
        order.get(Key::FullName),
    ) {
        (None, None, Some(full)) => {
            let (f, l) = normalize::split_full_name(&full.value);
            for (part, field, out) in [(f, Field::Fn, &mut ud.first), (l, Field::Ln, &mut ud.ln)] {
                if let Some(p) = part {
                    let cell = Cell {
                        value: p.to_owned(),
                        column: full.column.clone(),
                        line: full.line,
                    };
                    hash_into(&mut ctx, field, &cell, out);
                }
            }
        }
        (f, l, _) => {
            if let Some(c) = f {
                hash_into(&mut ctx, Field::Fn, c, &mut ud.first);
            }
            if let Some(c) = l {
                hash_into(&mut ctx, Field::Ln, c, &mut ud.ln);
            }
        }
    }
    for (key, field) in [
        (Key::Gender, Field::Ge),
        (Key::BirthDate, Field::Db),
        (Key::City, Field::Ct),
        (Key::State, Field::St),
        (Key::Zip, Field::Zp),
        (Key::Country, Field::Country),
    ] {
        if let Some(c) = order.get(key) {
            let out = match field {
                Field::Ge => &mut ud.ge,
                Field::Db => &mut ud.db,
                Field::Ct => &mut ud.ct,
                Field::St => &mut ud.st,
                Field::Zp => &mut ud.zp,
                _ => &mut ud.country,
            };
            hash_into(&mut ctx, field, c, out);
        }
    }
    for c in order.all(Key::ExternalId) {
        // WooCommerce and others use 0 for guest checkouts: not a customer id.
        if c.value.trim() != "0" {
            hash_into(&mut ctx, Field::ExternalId, c, &mut ud.external_id);
        }
    }
    let plain = |k: Key| {
        order
            .get(k)
            .map(|c| c.value.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    ud.client_ip_address = plain(Key::ClientIp);
    ud.client_user_agent = plain(Key::UserAgent);
    ud.click_id =
        plain(Key::ClickId).or_else(|| order.get(Key::LandingSite).and_then(|c| epik(&c.value)));
    ud.partner_id = plain(Key::PartnerId);
    if ud.em.is_empty()
        && ud.hashed_maids.is_empty()
        && !(ud.client_ip_address.is_some() && ud.client_user_agent.is_some())
    {
        let had_email = order.get(Key::Email).is_some();
        return ctx.reject(
            order.get(Key::Email),
            "no_identifier",
            if had_email {
                "no usable identifier: the email is not valid, and there is no mobile ad id nor both IP address and user agent".into()
            } else {
                "no usable identifier: Pinterest needs an email, a mobile ad id, or both IP address and user agent".into()
            },
            Some("orders without an email (e.g. phone-only or point-of-sale orders) cannot be sent; add the customer's email to the export".into()),
        );
    }

    // custom_data
    let mut cd = CustomData {
        order_id: order_id.clone(),
        ..CustomData::default()
    };
    match order.get(Key::Currency) {
        Some(c) => match normalize::currency_code(&c.value) {
            Some(code) => cd.currency = Some(code),
            None => {
                return ctx.reject(
                    Some(c),
                    "invalid_currency",
                    format!("{} is not an ISO 4217 currency code", shown(&c.value)),
                    Some("use a three-letter code such as `USD` or `EUR`".into()),
                )
            }
        },
        None => ctx.warn(
            None,
            "missing_currency",
            "the order has no currency; Pinterest will assume the ad account's currency".into(),
            Some("map a currency column (`[columns] currency = \"...\"`)".into()),
        ),
    }
    let mut items: Vec<Item> = order.items.clone();
    for c in order.all(Key::LineItems) {
        items.extend(packed_items(c));
    }
    let mut num_items: i64 = 0;
    let mut gross = Decimal::ZERO;
    let mut gross_known = !items.is_empty();
    for item in &items {
        let qty_cell = item_value(item, Key::ItemQuantity);
        let quantity = qty_cell.and_then(|c| {
            let v = c.value.trim();
            // Spreadsheets in decimal-comma locales write `2,00`.
            let q = v
                .parse::<Decimal>()
                .ok()
                .or_else(|| {
                    v.bytes()
                        .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
                        .then(|| money::parse(v, s.decimal_comma).ok())
                        .flatten()
                })
                .filter(|q| q.fract().is_zero());
            if q.is_none() {
                ctx.warn(
                    Some(c),
                    "invalid_quantity",
                    "the quantity is not a whole number; it was left out".into(),
                    None,
                );
            }
            q.and_then(|q| i64::try_from(q).ok())
        });
        let price_cell = item_value(item, Key::ItemPrice);
        let price = price_cell.and_then(|c| match money::parse(&c.value, s.decimal_comma) {
            Ok(p) => Some(p),
            Err(_) => {
                ctx.warn(
                    Some(c),
                    "invalid_item_price",
                    "the item price is not a number; it was left out".into(),
                    None,
                );
                None
            }
        });
        match (price, quantity) {
            (Some(p), q) => {
                // Overflow (absurd amounts) leaves the total unknown rather than panicking.
                match p
                    .checked_mul(Decimal::from(q.unwrap_or(1)))
                    .and_then(|line| gross.checked_add(line))
                {
                    Some(g) => gross = g,
                    None => gross_known = false,
                }
            }
            (None, _) => gross_known = false,
        }
        num_items = num_items.saturating_add(quantity.unwrap_or(1));
        let pick = |k: Key| item_value(item, k).map(|c| c.value.trim().to_owned());
        // WooCommerce writes `variation_id: 0` (and often an empty SKU) for simple products:
        // not an identifier, so `auto` goes on to the next one.
        let pick_id = |k: Key| pick(k).filter(|v| !v.is_empty() && v != "0");
        let pid = match s.product_id {
            ProductIdSource::Auto => pick_id(Key::ItemSku)
                .or_else(|| pick_id(Key::ItemVariantId))
                .or_else(|| pick_id(Key::ItemProductId)),
            ProductIdSource::Sku => pick_id(Key::ItemSku),
            ProductIdSource::VariantId => pick_id(Key::ItemVariantId),
            ProductIdSource::ProductId => pick_id(Key::ItemProductId),
        };
        if let Some(p) = &pid {
            if !cd.content_ids.contains(p) {
                cd.content_ids.push(p.clone());
            }
        }
        // WooCommerce's API gives a line's `price` as a float (its total over its quantity,
        // `16.666666666666668`): such float noise is rounded to the currency's minor unit.
        let price = price.map(|p| {
            if p.scale() > FLOAT_NOISE_SCALE {
                // Half away from zero, as prices are rounded; `round_dp` would round a
                // half to even (`16.6650000` to `16.66`).
                p.round_dp_with_strategy(
                    cd.currency.map_or(2, normalize::currency_decimals),
                    rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                )
            } else {
                p
            }
        });
        cd.contents.push(Content {
            id: pid,
            item_price: price.map(money::format),
            quantity,
            item_name: pick(Key::ItemName),
            item_category: pick(Key::ItemCategory),
            item_brand: pick(Key::ItemBrand),
        });
    }
    for c in order.all(Key::ContentIds) {
        for id in c
            .value
            .split([',', '|', ';'])
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            if !cd.content_ids.iter().any(|x| x == id) {
                cd.content_ids.push(id.to_owned());
            }
        }
    }
    cd.num_items = match order.get(Key::NumItems) {
        Some(c) => c.value.trim().parse().ok(),
        None if !items.is_empty() => Some(num_items),
        None => None,
    };

    // value: explicit, else total with the shop's adjustments, else the items.
    let value = match order.get(Key::Value) {
        Some(c) => match money_cell(&mut ctx, Some(c), s, "value") {
            Ok(v) => v,
            Err(o) => return *o,
        },
        None => {
            let amounts = (|| -> Result<_, Box<Outcome>> {
                Ok((
                    money_cell(&mut ctx, order.get(Key::Total), s, "total")?,
                    money_cell(&mut ctx, order.get(Key::Subtotal), s, "subtotal")?,
                    money_cell(&mut ctx, order.get(Key::Tax), s, "tax")?,
                    money_cell(&mut ctx, order.get(Key::Shipping), s, "shipping")?,
                    money_cell(&mut ctx, order.get(Key::Discount), s, "discount")?,
                ))
            })();
            let (total, subtotal, tax, shipping, discount) = match amounts {
                Ok(a) => a,
                Err(o) => return *o,
            };
            let tax = tax.unwrap_or_default();
            let shipping = shipping.unwrap_or_default();
            let discount = discount.unwrap_or_default().abs();
            let add = |a: Decimal, b: Decimal| a.checked_add(b);
            let sub = |a: Decimal, b: Decimal| a.checked_sub(b);
            let computed = match total {
                Some(t) => Some(Some(t)),
                None => match subtotal {
                    Some(st) => Some(add(st, shipping).and_then(|v| add(v, tax))),
                    None => gross_known.then(|| {
                        sub(gross, discount)
                            .and_then(|v| add(v, shipping))
                            .and_then(|v| add(v, tax))
                    }),
                },
            };
            let adjusted = computed.map(|t| {
                let v = t?;
                let v = if s.exclude_tax { sub(v, tax)? } else { v };
                let v = if s.exclude_shipping {
                    sub(v, shipping)?
                } else {
                    v
                };
                if s.deduct_discounts {
                    Some(v)
                } else {
                    add(v, discount)
                }
            });
            match adjusted {
                Some(None) => {
                    return ctx.reject(
                        order.get(Key::Total),
                        "invalid_amount",
                        "the order's amounts are too large to add up".into(),
                        Some("check the total, tax, shipping and discount columns".into()),
                    )
                }
                Some(v) => v,
                None => None,
            }
        }
    };
    match value {
        Some(v) if v.is_sign_negative() && !v.is_zero() => {
            return ctx.reject(
                order.get(Key::Value).or(order.get(Key::Total)),
                "negative_value",
                "the order value is negative".into(),
                Some(
                    "refunds and credits are not conversions; remove the row or fix the amount"
                        .into(),
                ),
            )
        }
        Some(v) if v.is_zero() => ctx.warn(
            order.get(Key::Value).or(order.get(Key::Total)),
            "zero_value",
            "the order value is zero".into(),
            None,
        ),
        None => ctx.warn(
            None,
            "missing_value",
            "the order has no value (no total, value or priced line items)".into(),
            None,
        ),
        Some(_) => {}
    }
    cd.value = value.map(money::format);

    let opt_out = order.get(Key::OptOut).map(|c| truthy(&c.value));
    let url = plain(Key::EventSourceUrl);
    let event = Event {
        event_name,
        action_source: &action_source,
        event_time: moment.unix,
        event_id: &event_id,
        event_source_url: url.as_deref(),
        partner_name: s.partner_name.as_deref(),
        opt_out,
        user_data: ud,
        custom_data: Some(cd),
    };
    let json = serde_json::to_string(&event).expect("events serialize");
    Outcome::Built(Built {
        file: order.file.clone(),
        line: order.line,
        event_id,
        event_name,
        event_time: moment.unix,
        json,
        warnings: ctx.warnings,
    })
}

/// Whether a JSON record is an already-built event rather than an order: a line of
/// `--failed-out` (`{"event": {...}}`) or a CAPI event itself (has `user_data` and `event_id`).
#[must_use]
pub fn prebuilt_event(value: &serde_json::Value) -> Option<&serde_json::Value> {
    let ev = value
        .get("event")
        .filter(|e| e.is_object())
        .unwrap_or(value);
    (ev.get("user_data")
        .is_some_and(serde_json::Value::is_object)
        && ev.get("event_id").is_some())
    .then_some(ev)
}

/// Takes an already-built event as it is (its identifiers are hashed already: never hashed
/// twice), checking the required fields and the age limit.
#[must_use]
pub fn prebuilt(file: &Arc<str>, line: u64, ev: &serde_json::Value, s: &Settings) -> Outcome {
    let problem = |sev, code, reason: String, hint: Option<String>| Problem {
        file: file.clone(),
        line,
        column: None,
        severity: sev,
        code,
        reason,
        hint,
        order: ev
            .get("event_id")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
    };
    let reject = |reason: String| {
        Outcome::Rejected(vec![problem(
            Severity::Rejected,
            "invalid_event",
            reason,
            Some("already-built events are sent as they are, so they must follow the API contract; rebuild them from the orders otherwise".into()),
        )])
    };
    // Pinterest's own form only: the event goes out byte for byte, so no alias is rewritten.
    let Some(name) = ev
        .get("event_name")
        .and_then(|v| v.as_str())
        .and_then(|n| config::PINTEREST_EVENTS.iter().copied().find(|e| *e == n))
    else {
        return reject("`event_name` is missing or not one of Pinterest's event names".into());
    };
    let Some(id) = ev
        .get("event_id")
        .and_then(|v| v.as_str())
        .filter(|v| !v.is_empty())
    else {
        return reject("`event_id` is missing or empty".into());
    };
    if !ev
        .get("action_source")
        .and_then(|v| v.as_str())
        .is_some_and(|a| config::ACTION_SOURCES.contains(&a))
    {
        return reject(
            "`action_source` is missing or not one of web, offline, app_android, app_ios".into(),
        );
    }
    let Some(time) = ev.get("event_time").and_then(serde_json::Value::as_i64) else {
        return reject("`event_time` is missing or not an integer".into());
    };
    if !(1_000_000_000..=s.now + 3600).contains(&time) {
        return reject(
            "`event_time` must be Unix seconds and not in the future (milliseconds are too large)"
                .into(),
        );
    }
    let ud = &ev["user_data"];
    for f in Field::ALL {
        let Some(v) = ud.get(f.key()) else { continue };
        let hashed = v.as_array().is_some_and(|a| {
            a.iter()
                .all(|h| h.as_str().is_some_and(normalize::is_sha256_hex))
        });
        if !hashed {
            return reject(format!(
                "`user_data.{}` must be an array of SHA-256 hashes; already-built events are never hashed again",
                f.key()
            ));
        }
    }
    let has = |k: &str| {
        ud.get(k)
            .and_then(|v| v.as_array())
            .is_some_and(|a| !a.is_empty())
    };
    let plain = |k: &str| {
        ud.get(k)
            .and_then(|v| v.as_str())
            .is_some_and(|v| !v.is_empty())
    };
    if !(has("em")
        || has("hashed_maids")
        || (plain("client_ip_address") && plain("client_user_agent")))
    {
        return reject(
            "no usable identifier: needs `em`, `hashed_maids`, or both IP address and user agent"
                .into(),
        );
    }
    let cd = &ev["custom_data"];
    let strings_ok = cd.get("value").is_none_or(|v| v.is_string() || v.is_null())
        && cd
            .get("contents")
            .and_then(|c| c.as_array())
            .is_none_or(|c| {
                c.iter()
                    .all(|i| i.get("item_price").is_none_or(serde_json::Value::is_string))
            });
    if !strings_ok {
        return reject("`custom_data.value` and `contents[].item_price` must be strings".into());
    }
    if let MaxAge::Days(days) = s.max_age {
        if s.now - time > i64::from(days) * 86_400 {
            return Outcome::Skipped(problem(
                Severity::Skipped,
                "too_old",
                format!("the event is older than {days} days, which Pinterest rejects"),
                Some("pass `--max-age off` (or a larger `--max-age`) to keep it anyway".into()),
            ));
        }
    }
    Outcome::Built(Built {
        file: file.clone(),
        line,
        event_id: id.to_owned(),
        event_name: name,
        event_time: time,
        json: serde_json::to_string(ev).expect("values serialize"),
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        let t = Template::parse("order-{order_id}-{event_name}").unwrap();
        let got = t.render(|v| Some(v.name().to_uppercase())).unwrap();
        assert_eq!(got, "order-ORDER_ID-EVENT_NAME");
        assert!(Template::parse("{nope}").is_err());
        assert!(Template::parse("fixed").is_err());
        assert!(Template::parse("{order_id").is_err());
        assert_eq!(
            t.render(|v| (v != Var::EventName).then(String::new)),
            Err(Var::EventName)
        );
    }

    #[test]
    fn epik_from_landing_site() {
        assert_eq!(
            epik("/products/x?utm=a&epik=dj0yJnU9&b=1").as_deref(),
            Some("dj0yJnU9")
        );
        assert_eq!(epik("/products/x"), None);
    }

    #[test]
    fn bigcommerce_product_details() {
        let c = Cell {
            value: "Product ID: 77, Product Qty: 2, Product SKU: CND-8, Product Name: Matches, Gift Box, Product Weight: 0.5000, Product Variation Details: Scent: Cedar, Size: L, Product Unit Price: 22.00, Product Total Price: 44.00|Product ID: 80, Product Qty: 1, Product SKU: , Product Name: Reed, Product Variation Details: , Product Unit Price: 37.00, Product Total Price: 37.00".into(),
            column: Arc::from("Product Details"),
            line: 2,
        };
        let items = packed_items(&c);
        assert_eq!(items.len(), 2);
        let get = |i: usize, k: Key| item_value(&items[i], k).map(|c| c.value.as_str());
        assert_eq!(get(0, Key::ItemProductId), Some("77"));
        assert_eq!(get(0, Key::ItemQuantity), Some("2"));
        assert_eq!(get(0, Key::ItemSku), Some("CND-8"));
        assert_eq!(get(0, Key::ItemName), Some("Matches, Gift Box"));
        assert_eq!(get(0, Key::ItemPrice), Some("22.00"));
        assert_eq!(get(1, Key::ItemProductId), Some("80"));
        assert_eq!(get(1, Key::ItemSku), None);
        assert_eq!(get(1, Key::ItemPrice), Some("37.00"));
    }

    #[test]
    fn packed_woo_items() {
        let c = Cell {
            value:
                "name:Mug|sku:M-1|quantity:2|total:20.00;name:Tee|product_id:7|quantity:1|total:5"
                    .into(),
            column: Arc::from("line_items"),
            line: 2,
        };
        let items = packed_items(&c);
        assert_eq!(items.len(), 2);
        assert_eq!(
            item_value(&items[0], Key::ItemPrice).unwrap().value,
            "10.00"
        );
        assert_eq!(
            item_value(&items[1], Key::ItemProductId).unwrap().value,
            "7"
        );
    }

    #[test]
    fn status_slugs_and_labels() {
        for (raw, want) in [
            ("wc-cancelled", Some("cancelled")),
            ("checkout-draft", Some("draft")),
            ("trash", Some("draft")),
            ("Pending payment", Some("pending")),
            ("On hold", Some("pending")),
            ("Storniert", Some("cancelled")),
            ("Zahlung ausstehend", Some("pending")),
            ("Remboursée", Some("refunded")),
            ("Completed", None),
            ("processing", None),
            ("Declined", Some("failed")),
            ("Incomplete", Some("draft")),
            ("Closed", Some("refunded")),
            ("Payment error", Some("failed")),
            ("Awaiting bank wire payment", Some("pending")),
            ("AWAITING_PAYMENT", Some("pending")),
            ("Awaiting Fulfillment", None),
            ("Not Paid", Some("pending")),
            ("Payment accepted", None),
            ("Bank wire", None),
        ] {
            assert_eq!(canonical_status(raw), want, "{raw}");
        }
    }

    fn settings() -> Settings {
        Settings {
            preset: None,
            columns: Vec::new(),
            event_name: "checkout".into(),
            action_source: None,
            default_country: None,
            timezone: jiff::tz::TimeZone::UTC,
            timezone_name: "UTC".into(),
            timezone_set: false,
            max_age: MaxAge::Off,
            since: None,
            until: None,
            event_id_template: Template::parse("{order_id}").unwrap(),
            partner_name: None,
            order_id: OrderIdSource::Auto,
            product_id: ProductIdSource::Auto,
            exclude_sources: Vec::new(),
            skip_statuses: ["test", "voided", "cancelled", "failed", "draft"]
                .map(str::to_owned)
                .to_vec(),
            exclude_tax: false,
            exclude_shipping: false,
            deduct_discounts: true,
            decimal_comma: false,
            date_format: None,
            date_order: config::DateOrder::Mdy,
            date_order_set: false,
            now: 1_795_400_000,
        }
    }

    fn cell(v: &str) -> Cell {
        Cell {
            value: v.into(),
            column: Arc::from("c"),
            line: 2,
        }
    }

    fn order(fields: &[(Key, &str)], items: Vec<Item>) -> Order {
        Order {
            file: Arc::from("t"),
            line: 2,
            end_line: 2,
            preset: crate::map::Preset::Woocommerce,
            fields: fields.iter().map(|(k, v)| (*k, cell(v))).collect(),
            items,
            group: None,
            repeat: false,
        }
    }

    fn built(o: &Order) -> serde_json::Value {
        match build(o, &settings()) {
            Outcome::Built(b) => serde_json::from_str(&b.json).unwrap(),
            other => panic!("{other:?}"),
        }
    }

    /// Builds `o`, which must build, and tells whether it warned with `code`.
    fn warned(o: &Order, s: &Settings, code: &str) -> bool {
        match build(o, s) {
            Outcome::Built(b) => b.warnings.iter().any(|w| w.code == code),
            other => panic!("{other:?}"),
        }
    }

    const BASE: &[(Key, &str)] = &[
        (Key::OrderId, "7"),
        (Key::EventTime, "2026-11-20T10:00:00Z"),
        (Key::Email, "a@example.com"),
        (Key::Total, "10.00"),
    ];

    #[test]
    fn a_rounded_order_id_and_the_order_id_source() {
        let mut fields = BASE.to_vec();
        fields[0] = (Key::OrderId, "5.9011E+12");
        fields.push((Key::OrderName, "#2001"));
        fields.push((Key::Currency, "USD"));
        let o = order(&fields, Vec::new());
        let codes = |s: &Settings| match build(&o, s) {
            Outcome::Built(b) => (
                b.event_id.clone(),
                b.warnings.iter().map(|w| w.code).collect::<Vec<_>>(),
            ),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            codes(&settings()),
            ("#2001".to_owned(), vec!["mangled_order_id"])
        );
        // The hint's advice, `--order-id name`, builds the order without a word.
        let by_name = Settings {
            order_id: OrderIdSource::Name,
            ..settings()
        };
        assert_eq!(codes(&by_name), ("#2001".to_owned(), vec![]));
        let by_id = Settings {
            order_id: OrderIdSource::Id,
            ..settings()
        };
        assert!(matches!(build(&o, &by_id), Outcome::Rejected(_)));
    }

    #[test]
    fn variation_id_zero_falls_back_to_the_product_id() {
        let item = vec![
            (Key::ItemProductId, cell("240")),
            (Key::ItemVariantId, cell("0")),
            (Key::ItemQuantity, cell("1")),
        ];
        let e = built(&order(BASE, vec![item]));
        assert_eq!(e["custom_data"]["content_ids"], serde_json::json!(["240"]));
        assert_eq!(e["custom_data"]["contents"][0]["id"], "240");
    }

    #[test]
    fn ambiguous_slash_dates_warn_unless_the_order_is_set() {
        let mut fields = BASE.to_vec();
        fields[1] = (Key::EventTime, "05/11/2026 09:00");
        let o = order(&fields, Vec::new());
        assert!(warned(&o, &settings(), "ambiguous_date"));
        let set = Settings {
            date_order: config::DateOrder::Dmy,
            date_order_set: true,
            ..settings()
        };
        let Outcome::Built(b) = build(&o, &set) else {
            panic!("not built")
        };
        assert!(!b.warnings.iter().any(|w| w.code == "ambiguous_date"));
        assert_eq!(b.event_time, 1_793_869_200); // 2026-11-05T09:00:00Z
        fields[1] = (Key::EventTime, "13/11/2026 09:00");
        assert!(!warned(
            &order(&fields, Vec::new()),
            &settings(),
            "ambiguous_date"
        ));
    }

    #[test]
    fn float_noise_in_item_prices_is_rounded_to_the_currency() {
        let item = |price: &str| {
            vec![
                (Key::ItemSku, cell("C-2")),
                (Key::ItemPrice, cell(price)),
                (Key::ItemQuantity, cell("3")),
            ]
        };
        let mut fields = BASE.to_vec();
        fields.push((Key::Currency, "USD"));
        let e = built(&order(&fields, vec![item("16.666666666666668")]));
        assert_eq!(e["custom_data"]["contents"][0]["item_price"], "16.67");
        let e = built(&order(&fields, vec![item("16.6650000")]));
        assert_eq!(e["custom_data"]["contents"][0]["item_price"], "16.67");
        let e = built(&order(&fields, vec![item("0.125")]));
        assert_eq!(e["custom_data"]["contents"][0]["item_price"], "0.125");
        fields.pop();
        fields.push((Key::Currency, "JPY"));
        let e = built(&order(&fields, vec![item("333.33333333333337")]));
        assert_eq!(e["custom_data"]["contents"][0]["item_price"], "333.00");
    }

    #[test]
    fn dot_thousands_amounts_warn_without_decimal_comma() {
        assert!(dot_thousands("1.234"));
        assert!(dot_thousands("€ 12.345.678"));
        assert!(!dot_thousands("1.23"));
        assert!(!dot_thousands("1.234,50"));
        assert!(!dot_thousands("1234.567"));
        assert!(!dot_thousands("0.125"));
        let mut fields = BASE.to_vec();
        fields[3] = (Key::Total, "1.234");
        assert!(warned(
            &order(&fields, Vec::new()),
            &settings(),
            "ambiguous_amount"
        ));
        fields.push((Key::Currency, "KWD"));
        assert!(!warned(
            &order(&fields, Vec::new()),
            &settings(),
            "ambiguous_amount"
        ));
    }

    #[test]
    fn decimal_comma_quantities() {
        let item = |q: &str| {
            vec![
                (Key::ItemSku, cell("A")),
                (Key::ItemPrice, cell("5,00")),
                (Key::ItemQuantity, cell(q)),
            ]
        };
        let e = built(&order(BASE, vec![item("2,00"), item("3")]));
        assert_eq!(e["custom_data"]["num_items"], 5);
        assert_eq!(e["custom_data"]["contents"][0]["quantity"], 2);
        let o = order(BASE, vec![item("2,5")]);
        assert!(warned(&o, &settings(), "invalid_quantity"));
    }

    #[test]
    fn packed_line_item_id_does_not_shadow_the_product_id() {
        let c = Cell {
            value: "id:991|name:Mug|product_id:240|quantity:1|total:12.50;id:77|name:Tee|quantity:1|total:5".into(),
            column: Arc::from("line_items"),
            line: 2,
        };
        let items = packed_items(&c);
        assert_eq!(
            item_value(&items[0], Key::ItemProductId).unwrap().value,
            "240"
        );
        assert_eq!(
            item_value(&items[1], Key::ItemProductId).unwrap().value,
            "77"
        );
    }

    #[test]
    fn packed_item_names_keep_their_semicolons() {
        let c = Cell {
            value: "name:Napkins; Set of 4|sku:NAP-4|quantity:2|total:40.00\nname:Board: Oak|product_id:302|quantity:1|total:50.00".into(),
            column: Arc::from("line_item_1"),
            line: 2,
        };
        let items = packed_items(&c);
        assert_eq!(items.len(), 2);
        assert_eq!(
            item_value(&items[0], Key::ItemName).unwrap().value,
            "Napkins; Set of 4"
        );
        assert_eq!(item_value(&items[0], Key::ItemSku).unwrap().value, "NAP-4");
        assert_eq!(
            item_value(&items[1], Key::ItemName).unwrap().value,
            "Board: Oak"
        );
    }
}
