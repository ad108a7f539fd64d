//! The `event_id` template as browser code sees it: the same text `build` parses
//! ([`crate::template::Template`], which decides what is valid), split into literals and
//! placeholders so each target can write it as a plain concatenation (no template language
//! and no regular expression at run time), and the rules for which placeholders a target can
//! fill.
//!
//! `build` fills a placeholder with the trimmed value of the order's field; the generated
//! code trims too, so both sides give the same bytes.

use crate::config::OrderIdSource;
use crate::template::{Template, Var};

use super::Target;

/// One piece of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Text copied as it is.
    Lit(String),
    /// A placeholder.
    Var(Var),
}

/// A validated `event_id` template and its pieces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdTemplate {
    text: String,
    parts: Vec<Part>,
}

/// An order identifier the page may know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ident {
    /// The platform's order id (Shopify Admin `id` / export `Id`, WooCommerce `get_id()`).
    Id,
    /// The order number.
    Number,
    /// The order name (Shopify `#1001`).
    Name,
}

/// The placeholder as written in a template.
#[must_use]
pub fn placeholder(v: Var) -> &'static str {
    match v {
        Var::OrderId => "{order_id}",
        Var::Id => "{id}",
        Var::OrderNumber => "{order_number}",
        Var::OrderName => "{order_name}",
        Var::EventName => "{event_name}",
    }
}

const VARS: [Var; 5] = [
    Var::OrderId,
    Var::Id,
    Var::OrderNumber,
    Var::OrderName,
    Var::EventName,
];

impl IdTemplate {
    /// Parses `s` with `build`'s own parser (same errors), then splits it.
    pub fn parse(s: &str) -> Result<IdTemplate, String> {
        Template::parse(s)?;
        let mut parts = Vec::new();
        let mut rest = s;
        // `Template::parse` accepted `s`: every `{` closes and names a known placeholder.
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Lit(rest[..open].to_owned()));
            }
            let close = open
                + rest[open..]
                    .find('}')
                    .ok_or_else(|| format!("event id template `{s}` has an unclosed `{{`"))?;
            let name = &rest[open..=close];
            let var = VARS
                .into_iter()
                .find(|v| placeholder(*v) == name)
                .ok_or_else(|| format!("unknown placeholder `{name}` in event id template"))?;
            parts.push(Part::Var(var));
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Lit(rest.to_owned()));
        }
        Ok(IdTemplate {
            text: s.to_owned(),
            parts,
        })
    }

    /// The template as the user wrote it.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Its pieces, in order.
    #[must_use]
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The order identifiers it needs, each once, in order of first use.
    #[must_use]
    pub fn needs(&self, order_id: OrderIdSource) -> Vec<Ident> {
        let mut out = Vec::new();
        for p in &self.parts {
            if let Part::Var(v) = p {
                if let Some(i) = ident(*v, order_id) {
                    if !out.contains(&i) {
                        out.push(i);
                    }
                }
            }
        }
        out
    }

    /// Fills the template, as `build` does, with `value` for the identifiers and `checkout`
    /// for `{event_name}` (the only event the browser fires with the server's id).
    #[must_use]
    pub fn render(&self, order_id: OrderIdSource, value: impl Fn(Ident) -> String) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Lit(s) => s.clone(),
                Part::Var(v) => ident(*v, order_id).map_or_else(|| "checkout".into(), &value),
            })
            .collect()
    }

    /// The template as an expression in the target language: literals through `lit`,
    /// identifiers through `ident_expr`, joined with `join` (` + ` in JS, ` . ` in PHP).
    #[must_use]
    pub fn expression(
        &self,
        order_id: OrderIdSource,
        lit: impl Fn(&str) -> String,
        ident_expr: impl Fn(Ident) -> String,
        join: &str,
    ) -> String {
        let mut pieces: Vec<String> = Vec::new();
        let mut pending = String::new();
        for p in &self.parts {
            match p {
                Part::Lit(s) => pending.push_str(s),
                Part::Var(v) => match ident(*v, order_id) {
                    None => pending.push_str("checkout"),
                    Some(i) => {
                        if !pending.is_empty() {
                            pieces.push(lit(&pending));
                            pending.clear();
                        }
                        pieces.push(ident_expr(i));
                    }
                },
            }
        }
        if !pending.is_empty() {
            pieces.push(lit(&pending));
        }
        // A template of only identifiers still yields a string in both languages.
        if pieces.len() == 1 && !pieces[0].starts_with(['"', '\'']) {
            pieces.insert(0, lit(""));
        }
        pieces.join(join)
    }
}

/// Which identifier a placeholder stands for, given what `{order_id}` means on the server;
/// `None` for `{event_name}`.
#[must_use]
pub fn ident(v: Var, order_id: OrderIdSource) -> Option<Ident> {
    match v {
        Var::OrderId => Some(match order_id {
            // `auto` is the id whenever the export has one: Shopify's `Id`/`id` and
            // WooCommerce's `id` are always there.
            OrderIdSource::Auto | OrderIdSource::Id => Ident::Id,
            OrderIdSource::Number => Ident::Number,
            OrderIdSource::Name => Ident::Name,
        }),
        Var::Id => Some(Ident::Id),
        Var::OrderNumber => Some(Ident::Number),
        Var::OrderName => Some(Ident::Name),
        Var::EventName => None,
    }
}

/// Refuses a template whose placeholders `target`'s browser code cannot fill, with the reason.
pub fn check(t: &IdTemplate, target: Target, order_id: OrderIdSource) -> Result<(), String> {
    for p in t.parts() {
        let Part::Var(v) = p else { continue };
        let Some(i) = ident(*v, order_id) else {
            continue;
        };
        let ph = placeholder(*v);
        match target {
            Target::Gtm if *v != Var::OrderId => {
                return Err(format!(
                    "the gtm target cannot fill `{ph}` in event id template `{}`: the GA4 data layer carries one order identifier, `ecommerce.transaction_id`, and which one it is depends on the shop's data-layer code",
                    t.text()
                ) + "; use `{order_id}` and set `[order] id` (`--order-id`) to the identifier your `transaction_id` holds");
            }
            Target::ShopifyPixel if i != Ident::Id => {
                let why = if *v == Var::OrderId {
                    format!(
                        "`{{order_id}}` is the order {} under `--order-id {}`",
                        if i == Ident::Number { "number" } else { "name" },
                        super::order_id_name(order_id)
                    )
                } else {
                    format!(
                        "`{ph}` is the order {}",
                        if i == Ident::Number { "number" } else { "name" }
                    )
                };
                return Err(format!(
                    "the shopify-pixel target cannot fill event id template `{}`: {why}, and a custom pixel's `checkout_completed` event carries only the order id (`event.data.checkout.order.id`), never the order name or number; use `{{order_id}}` with `[order] id = \"id\"` or `\"auto\"` (Shopify's export `Id` column is that id)",
                    t.text()
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_into_the_pieces_build_fills() {
        let t = IdTemplate::parse("order-{order_id}-{event_name}").unwrap();
        assert_eq!(
            t.parts(),
            [
                Part::Lit("order-".into()),
                Part::Var(Var::OrderId),
                Part::Lit("-".into()),
                Part::Var(Var::EventName),
            ]
        );
        let t = IdTemplate::parse("{id}{order_name}").unwrap();
        assert_eq!(t.parts(), [Part::Var(Var::Id), Part::Var(Var::OrderName)]);
    }

    #[test]
    fn refuses_what_build_refuses() {
        for bad in ["{nope}", "fixed", "{order_id", "{order_id}}"] {
            assert_eq!(
                IdTemplate::parse(bad).unwrap_err(),
                Template::parse(bad).unwrap_err()
            );
        }
    }

    #[test]
    fn renders_and_writes_expressions() {
        let t = IdTemplate::parse("p-{order_id}-{event_name}-{order_name}").unwrap();
        let got = t.render(OrderIdSource::Auto, |i| format!("{i:?}"));
        assert_eq!(got, "p-Id-checkout-Name");
        let js = t.expression(
            OrderIdSource::Number,
            |s| format!("\"{s}\""),
            |i| format!("{i:?}"),
            " + ",
        );
        assert_eq!(js, "\"p-\" + Number + \"-checkout-\" + Name");
        let t = IdTemplate::parse("{order_id}").unwrap();
        let js = t.expression(
            OrderIdSource::Auto,
            |s| format!("'{s}'"),
            |_| "x".into(),
            " . ",
        );
        assert_eq!(js, "'' . x");
        assert_eq!(t.needs(OrderIdSource::Name), [Ident::Name]);
    }

    #[test]
    fn each_target_fills_what_its_page_knows() {
        let id = IdTemplate::parse("{order_id}").unwrap();
        let name = IdTemplate::parse("{order_name}").unwrap();
        let both = IdTemplate::parse("{id}-{order_number}").unwrap();
        for t in [Target::Woocommerce, Target::Html] {
            assert!(check(&name, t, OrderIdSource::Auto).is_ok());
            assert!(check(&both, t, OrderIdSource::Auto).is_ok());
        }
        assert!(check(&id, Target::ShopifyPixel, OrderIdSource::Auto).is_ok());
        assert!(check(&id, Target::ShopifyPixel, OrderIdSource::Id).is_ok());
        let e = check(&id, Target::ShopifyPixel, OrderIdSource::Name).unwrap_err();
        assert!(e.contains("--order-id name"), "{e}");
        let e = check(&name, Target::ShopifyPixel, OrderIdSource::Auto).unwrap_err();
        assert!(e.contains("order name"), "{e}");
        assert!(check(&id, Target::Gtm, OrderIdSource::Number).is_ok());
        let e = check(&both, Target::Gtm, OrderIdSource::Auto).unwrap_err();
        assert!(e.contains("transaction_id"), "{e}");
    }
}
