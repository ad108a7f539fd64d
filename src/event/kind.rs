//! What kind of event an order becomes: its `event_name` and `action_source`.

use crate::capi;
use crate::config::Settings;
use crate::map::{Key, Preset};
use crate::report::shown;

use super::stop::{Ctx, Stop};

/// The order's event name in Pinterest's form, else the configured one.
pub(super) fn event_name(ctx: &Ctx, s: &Settings) -> Result<&'static str, Stop> {
    match ctx.order.get(Key::EventName) {
        Some(c) => capi::event_name(&c.value).ok_or_else(|| {
            ctx.reject(
                Some(c),
                "unknown_event_name",
                format!("unknown event name {}", shown(&c.value)),
                Some("use a Pinterest event name such as `checkout`, `add_to_cart`, `lead`, or `custom`".into()),
            )
        }),
        None => Ok(capi::pinterest_event(&s.event_name).unwrap_or("checkout")),
    }
}

/// The forced action source, else the order's, else `web`; `offline` for point-of-sale
/// orders and for Meta's offline-conversions files, which hold purchases made in a store, by
/// phone or through a CRM (what Meta's offline event sets are for).
pub(super) fn action_source(ctx: &Ctx, s: &Settings) -> Result<&'static str, Stop> {
    let order = ctx.order;
    match (order.get(Key::ActionSource), s.action_source) {
        (_, Some(forced)) => Ok(forced),
        (Some(c), None) => capi::action_source(&c.value).ok_or_else(|| {
            ctx.reject(
                Some(c),
                "invalid_action_source",
                format!(
                    "unknown action source {}; use web, offline, app_android or app_ios",
                    shown(&c.value)
                ),
                None,
            )
        }),
        (None, None) => Ok(
            if order.preset == Preset::Meta
                || order
                    .get(Key::Source)
                    .is_some_and(|c| c.value.trim().eq_ignore_ascii_case("pos"))
            {
                "offline"
            } else {
                "web"
            },
        ),
    }
}
