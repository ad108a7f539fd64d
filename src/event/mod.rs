//! Event stage: builds one Pinterest CAPI event from one [`Order`], applying the shop's
//! settings, and validates it; or says why the order is skipped or not sendable.
//!
//! [`build`] is a list of steps, one module per concern, each a function of the order and
//! the settings that returns `Result<_, Stop>` (`stop`): `status` (skip rules), `ids` (order
//! identifiers and `event_id`), `window` (event time, age, future), `kind` (event name,
//! action source), `identity` (`user_data`), `items` (contents), `value` (currency and
//! value) and `payload` (the typed CAPI event). [`prebuilt`] takes events that were built
//! already, with the same window and identifier checks.

use std::mem;

use crate::config::Settings;
use crate::map::{Key, Order};

mod identity;
mod ids;
mod items;
mod kind;
mod outcome;
mod payload;
mod prebuilt;
mod status;
mod stop;
mod value;
mod window;

pub use outcome::{Built, Outcome};
pub use prebuilt::{prebuilt, prebuilt_event};

use ids::OrderIds;
use payload::{CustomData, Event};
use stop::{Ctx, Stop};

/// Builds the event for `order`.
#[must_use]
pub fn build(order: &Order, s: &Settings) -> Outcome {
    let ids = OrderIds::of(order, s);
    let mut ctx = Ctx {
        order,
        ids: &ids,
        order_ref: std::cell::OnceCell::new(),
        warnings: Vec::new(),
    };
    match steps(&mut ctx, s) {
        Ok(built) => Outcome::Built(built),
        Err(Stop::Skipped(p)) => Outcome::Skipped(*p),
        Err(Stop::Rejected(p)) => {
            let mut all = mem::take(&mut ctx.warnings);
            all.push(*p);
            Outcome::Rejected(all)
        }
    }
}

/// The steps of [`build`], in the order their problems are reported.
fn steps(ctx: &mut Ctx, s: &Settings) -> Result<Built, Stop> {
    let (order, ids) = (ctx.order, ctx.ids);
    // Shop rules first: a skipped order needs no other checks.
    status::rules(ctx, s)?;
    ids.check_mangled(ctx, s)?;
    let event_time = window::event_time(ctx, s)?;
    let event_name = kind::event_name(ctx, s)?;
    let action_source = kind::action_source(ctx, s)?;
    // An order with no identifier at all gets its event id from its content, once built.
    let event_id = if ids.derives_event_id(order, s) {
        None
    } else {
        Some(ids.event_id(ctx, event_name, s)?)
    };
    let user_data = identity::user_data(ctx, s)?;
    let currency = value::currency(ctx)?;
    let packed = items::packed(ctx);
    let contents = items::contents(ctx, s, currency, &packed);
    let value = value::value(ctx, s, contents.gross, currency)?;
    let custom_data = CustomData {
        currency,
        value,
        order_id: ids.order_id.clone(),
        content_ids: contents.content_ids,
        contents: contents.contents,
        num_items: contents.num_items,
    };
    let event_id = event_id
        .unwrap_or_else(|| ids::content_id(event_name, event_time, &custom_data, &user_data));
    let url = identity::plain(order, Key::EventSourceUrl);
    let event = Event {
        event_name,
        action_source,
        event_time,
        event_id: &event_id,
        event_source_url: url.as_deref(),
        partner_name: s.partner_name.as_deref(),
        opt_out: order.get(Key::OptOut).map(|c| status::truthy(&c.value)),
        user_data,
        custom_data: Some(custom_data),
    };
    let json = event.to_json();
    let warnings = mem::take(&mut ctx.warnings);
    let facts = event.into_facts(&warnings);
    Ok(Built {
        file: order.file.clone(),
        line: order.line,
        json,
        event_id,
        event_name,
        event_time,
        warnings,
        identifiers: ids.identifiers(order),
        facts: Some(facts),
    })
}

#[cfg(test)]
mod tests;
