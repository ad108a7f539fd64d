//! The order's identifiers (platform id, number, name), which of them is `order_id`, and the
//! `event_id`: rendered from the template, with `-2`, `-3`, ... for the later orders that
//! share an order key with the order before them, or derived from the event's content for an
//! order with no identifier at all (Meta's template has no order id column).

use sha2::{Digest, Sha256};

use crate::config::{OrderIdSource, Settings};
use crate::map::{Cell, Key, Order};
use crate::normalize::{self, trim};

use super::payload::{CustomData, UserData};
use super::stop::{Ctx, Stop};
use crate::template::Var;

/// Hex digits of the SHA-256 kept in a derived event id (96 bits: no two different rows of
/// any realistic run collide).
const DERIVED_ID_HEX: usize = 24;

/// The event id of an order with no identifier: `row-` and the first [`DERIVED_ID_HEX`] hex
/// digits of the SHA-256 of its event name, event time, `custom_data` and `user_data` (as
/// sent: normalized and hashed), one per line, the last two as JSON. The same row gives the
/// same id on every run; rows that differ in any of these give different ids (rows equal in
/// all of them are one event to Pinterest too).
pub(super) fn content_id(
    event_name: &str,
    event_time: i64,
    custom_data: &CustomData,
    user_data: &UserData,
) -> String {
    let text = format!(
        "{event_name}\n{event_time}\n{}\n{}",
        sonic_rs::to_string(custom_data).expect("custom_data serializes"),
        sonic_rs::to_string(user_data).expect("user_data serializes"),
    );
    let digest = Sha256::digest(text.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("row-{}", &hex[..DERIVED_ID_HEX])
}

/// The identifiers an order has, trimmed.
pub(super) struct OrderIds<'a> {
    /// The platform's id, unless a spreadsheet rounded it.
    id: Option<String>,
    /// The order number.
    number: Option<String>,
    /// The order name.
    name: Option<String>,
    /// The one the `order_id` setting chose.
    pub order_id: Option<String>,
    /// The id cell, when a spreadsheet rounded it.
    mangled: Option<&'a Cell>,
}

impl<'a> OrderIds<'a> {
    /// Reads the identifiers of `order` and picks `order_id`.
    pub fn of(order: &'a Order, s: &Settings) -> OrderIds<'a> {
        let id = order.get(Key::OrderId).map(|c| trim(&c.value).to_owned());
        let number = order
            .get(Key::OrderNumber)
            .map(|c| trim(&c.value).to_owned());
        let name = order.get(Key::OrderName).map(|c| trim(&c.value).to_owned());
        // An id a spreadsheet rounded (`5.9011E+12`) is shared by many orders: never use it.
        let mangled = order
            .get(Key::OrderId)
            .filter(|c| normalize::spreadsheet_number(trim(&c.value)));
        let id = id.filter(|_| mangled.is_none());
        let order_id = match s.order_id {
            OrderIdSource::Auto => id
                .clone()
                .or_else(|| number.clone())
                .or_else(|| name.clone()),
            OrderIdSource::Id => id.clone(),
            OrderIdSource::Number => number.clone(),
            OrderIdSource::Name => name.clone(),
        };
        OrderIds {
            id,
            number,
            name,
            order_id,
            mangled,
        }
    }

    /// How problems name the order: its `order_id`, else its name, else its group key. When
    /// the `order_id` is the platform's id and the order also has a name, both, name first:
    /// a merchant knows Shopify's `#1043`, not `5901234567890` (`#1043 (Id 5901234567890)`).
    pub fn reference(&self, order: &Order) -> Option<String> {
        match (&self.order_id, &self.id, &self.name) {
            (Some(o), Some(id), Some(name)) if o == id && name != id && !name.is_empty() => {
                Some(format!("{name} (Id {id})"))
            }
            _ => self
                .order_id
                .clone()
                .or_else(|| self.name.clone())
                .or_else(|| order.group.clone()),
        }
    }

    /// The identifiers the ledger knows the order by: its id (unless rounded), number and
    /// name, each that is not empty. None for a row split off under the order key of the row
    /// before it (`same_key`): it shares that order's identifiers by design, and holding it
    /// back as the same order would lose it.
    pub fn identifiers(&self, order: &Order) -> Vec<(&'static str, String)> {
        if order.same_key.is_some() {
            return Vec::new();
        }
        [
            ("id", &self.id),
            ("number", &self.number),
            ("name", &self.name),
        ]
        .into_iter()
        .filter_map(|(kind, v)| {
            v.as_ref()
                .filter(|v| !v.is_empty())
                .map(|v| (kind, v.clone()))
        })
        .collect()
    }

    /// A rounded id: a warning when another identifier stands in, else a rejection.
    pub fn check_mangled(&self, ctx: &mut Ctx, s: &Settings) -> Result<(), Stop> {
        let Some(c) = self.mangled else {
            return Ok(());
        };
        let reason = "the order id was rounded by a spreadsheet to scientific notation (like `5.9E+12`), so it no longer identifies the order".to_owned();
        let hint = "export the orders again and do not re-save the file in Excel, or import the column as text";
        match (&self.order_id, s.order_id) {
            // `--order-id number|name` does not use the id column.
            (Some(_), OrderIdSource::Number | OrderIdSource::Name) => {}
            (Some(other), OrderIdSource::Auto) if !s.id_fallback => {
                // The same order sent before with its real id would get a second event id.
                return Err(ctx.reject(
                    Some(c),
                    "mangled_order_id",
                    format!("{reason}; `send` does not send it under the stand-in `{other}`: sent from an unedited export under its id, Pinterest would count the order twice"),
                    Some(format!("{hint}; or pass `--order-id name` (or `number`) if the orders are always sent by that identifier")),
                ));
            }
            (Some(other), OrderIdSource::Auto) => ctx.warn(
                Some(c),
                "mangled_order_id",
                format!("{reason}; `{other}` is used as the order id instead"),
                Some(hint.into()),
            ),
            _ => {
                return Err(ctx.reject(
                    Some(c),
                    "mangled_order_id",
                    reason,
                    Some(format!(
                        "{hint}; or pass `--order-id name` to use the order name"
                    )),
                ))
            }
        }
        Ok(())
    }

    /// Whether the order has no identifier at all (nor an `event_id` of its own), its input
    /// no column for one ([`Order::derive_event_id`]), and the template asks only `{order_id}`
    /// with `--order-id auto`: its event id is then derived from its content ([`content_id`]).
    pub fn derives_event_id(&self, order: &Order, s: &Settings) -> bool {
        order.derive_event_id
            && self.id.is_none()
            && self.number.is_none()
            && self.name.is_none()
            && self.mangled.is_none()
            && order.get(Key::EventId).is_none()
            && s.order_id == OrderIdSource::Auto
            && s.event_id_template.needs_only_order_id()
    }

    /// The `event_id`: the order's own, else the template rendered with its identifiers;
    /// `-2`, `-3`, ... for a later order under the key of the order before it, which is
    /// warned about (`duplicate_order_id`).
    pub fn event_id(
        &self,
        ctx: &mut Ctx,
        event_name: &'static str,
        s: &Settings,
    ) -> Result<String, Stop> {
        let mut event_id = match ctx.order.get(Key::EventId) {
            Some(c) => c.value.trim().to_owned(),
            None => s
                .event_id_template
                .render(|v| match v {
                    Var::OrderId => self.order_id.clone(),
                    Var::Id => self.id.clone(),
                    Var::OrderNumber => self.number.clone(),
                    Var::OrderName => self.name.clone(),
                    Var::EventName => Some(event_name.to_owned()),
                })
                .map_err(|v| missing_var(ctx, v, s))?,
        };
        if let Some(k) = ctx.order.same_key {
            let key = ctx.order.group.clone().unwrap_or_default();
            if ctx.order.get(Key::EventId).is_none() {
                event_id = format!("{event_id}-{}", k.earlier + 1);
            }
            // One warning per repeated key, at its first split: it names both lines, and
            // says what the rows after it under the same key become.
            if k.earlier == 1 {
                ctx.warn(
                    None,
                    "duplicate_order_id",
                    format!(
                        "order key `{key}` is also the key of the order on line {}, with another customer, time or total; this row is its own order, sent as event `{event_id}`, and each later row that differs again under this key is one more (`-3`, `-4`, ...)",
                        k.first_line
                    ),
                    Some("if these rows are one order, give them the same email, phone, name, time and totals; if they are different orders, give each its own order id".into()),
                );
            }
        }
        if event_id.is_empty() {
            return Err(ctx.reject(
                None,
                "missing_event_id",
                "the event id is empty".into(),
                None,
            ));
        }
        Ok(event_id)
    }
}

/// The rejection of an order that lacks the template's placeholder `v`.
fn missing_var(ctx: &Ctx, v: Var, s: &Settings) -> Stop {
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
    ctx.reject(
        None,
        "missing_event_id",
        format!(
            "the event id template needs `{{{}}}` but the order has none",
            v.name()
        ),
        Some(hint),
    )
}
