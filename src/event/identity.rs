//! `user_data`: the order's identity fields, normalized and hashed (a value that does not
//! normalize is dropped with a warning), and the rule that an event needs an identifier.

use crate::config::Settings;
use crate::map::{Cell, Key, Order};
use crate::normalize::{self, Context, Field};

use super::payload::{Digests, UserData};
use super::stop::{Ctx, Stop};

/// Whether the identifiers are enough for Pinterest to match the event: an email, a mobile
/// ad id, or both IP address and user agent. Built and already-built events alike.
pub(super) fn identifiable(email: bool, maid: bool, ip: bool, user_agent: bool) -> bool {
    email || maid || (ip && user_agent)
}

/// A plain (unhashed) field: trimmed, absent when empty.
pub(super) fn plain(order: &Order, k: Key) -> Option<String> {
    order
        .get(k)
        .map(|c| normalize::trim(&c.value).to_owned())
        .filter(|v| !v.is_empty())
}

/// The problem code of a value of `field` that does not normalize.
fn invalid_code(field: Field) -> &'static str {
    match field {
        Field::Em => "invalid_email",
        Field::Ph => "invalid_phone",
        Field::Country => "invalid_country",
        Field::St => "invalid_state",
        Field::Zp => "invalid_zip",
        Field::Ge => "invalid_gender",
        Field::Db => "invalid_birth_date",
        _ => "invalid_value",
    }
}

/// The order's `user_data`; the order stops when nothing in it identifies the customer.
pub(super) fn user_data(ctx: &mut Ctx, s: &Settings) -> Result<UserData, Stop> {
    let order = ctx.order;
    let country_cell = order.get(Key::Country);
    let country_code = country_cell.and_then(|c| normalize::country_alpha2(&c.value));
    let nctx = Context {
        country: country_code.or(country_cell.map(|c| c.value.as_str())),
        default_country: s.default_country.as_deref(),
    };
    let mut ud = UserData::default();
    let hash_into =
        |ctx: &mut Ctx, field: Field, cell: &Cell, out: &mut Digests| match normalize::hash_digest(
            field,
            &cell.value,
            &nctx,
        ) {
            Ok(Some(h)) => out.insert(h),
            Ok(None) => {}
            Err(e) => ctx.warn(
                Some(cell),
                invalid_code(field),
                format!("{e}; the value was dropped"),
                e.hint().map(str::to_owned),
            ),
        };
    for c in order.all(Key::Email) {
        hash_into(ctx, Field::Em, c, &mut ud.em);
    }
    for c in order.all(Key::Maid) {
        hash_into(ctx, Field::HashedMaids, c, &mut ud.hashed_maids);
    }
    for c in order.all(Key::Phone) {
        hash_into(ctx, Field::Ph, c, &mut ud.ph);
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
                        value: p.into(),
                        column: full.column,
                        line: full.line,
                    };
                    hash_into(ctx, field, &cell, out);
                }
            }
        }
        (f, l, _) => {
            if let Some(c) = f {
                hash_into(ctx, Field::Fn, c, &mut ud.first);
            }
            if let Some(c) = l {
                hash_into(ctx, Field::Ln, c, &mut ud.ln);
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
            hash_into(ctx, field, c, out);
        }
    }
    for c in order.all(Key::ExternalId) {
        // WooCommerce and others use 0 for guest checkouts: not a customer id.
        if normalize::trim(&c.value) != "0" {
            hash_into(ctx, Field::ExternalId, c, &mut ud.external_id);
        }
    }
    ud.client_ip_address = plain(order, Key::ClientIp);
    ud.client_user_agent = plain(order, Key::UserAgent);
    ud.click_id = plain(order, Key::ClickId)
        .or_else(|| order.get(Key::LandingSite).and_then(|c| epik(&c.value)));
    ud.partner_id = plain(order, Key::PartnerId);
    if !identifiable(
        !ud.em.is_empty(),
        !ud.hashed_maids.is_empty(),
        ud.client_ip_address.is_some(),
        ud.client_user_agent.is_some(),
    ) {
        let had_email = order.get(Key::Email).is_some();
        return Err(ctx.reject(
            order.get(Key::Email),
            "no_identifier",
            if had_email {
                "no usable identifier: the email is not valid, and there is no mobile ad id nor both IP address and user agent".into()
            } else {
                "no usable identifier: Pinterest needs an email, a mobile ad id, or both IP address and user agent".into()
            },
            Some("orders without an email (e.g. phone-only or point-of-sale orders) cannot be sent; add the customer's email to the export".into()),
        ));
    }
    Ok(ud)
}

/// Pinterest's click id from the landing page's `epik` query parameter.
fn epik(landing: &str) -> Option<String> {
    let query = landing.split_once('?')?.1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("epik="))
        .map(|v| v.split('#').next().unwrap_or(v).to_owned())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epik_from_landing_site() {
        assert_eq!(
            epik("/products/x?utm=a&epik=dj0yJnU9&b=1").as_deref(),
            Some("dj0yJnU9")
        );
        assert_eq!(epik("/products/x"), None);
    }
}
