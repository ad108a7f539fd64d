//! The order's identifiers (platform id, number, name), which of them is `order_id`, and the
//! `event_id` rendered from the template.

use crate::config::{OrderIdSource, Settings};
use crate::map::{Cell, Key, Order};
use crate::normalize;

use super::stop::{Ctx, Stop};
use super::template::Var;

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
        let id = order.get(Key::OrderId).map(|c| c.value.trim().to_owned());
        let number = order
            .get(Key::OrderNumber)
            .map(|c| c.value.trim().to_owned());
        let name = order.get(Key::OrderName).map(|c| c.value.trim().to_owned());
        // An id a spreadsheet rounded (`5.9011E+12`) is shared by many orders: never use it.
        let mangled = order
            .get(Key::OrderId)
            .filter(|c| normalize::spreadsheet_number(c.value.trim()));
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

    /// How problems name the order: its `order_id`, else its name, else its group key.
    pub fn reference(&self, order: &Order) -> Option<String> {
        self.order_id
            .clone()
            .or_else(|| self.name.clone())
            .or_else(|| order.group.clone())
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

    /// The `event_id`: the order's own, else the template rendered with its identifiers.
    pub fn event_id(
        &self,
        ctx: &Ctx,
        event_name: &'static str,
        s: &Settings,
    ) -> Result<String, Stop> {
        let event_id = match ctx.order.get(Key::EventId) {
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
