//! The `event_id` template (`order-{order_id}`): parsed once when the settings are made,
//! rendered per order by the event stage. A leaf module of its own: it knows nothing of the
//! config or the order, so `Settings` holds a [`Template`] without `config` importing
//! `event` (which imports `config`).

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
    /// The placeholder's name, as written between braces.
    pub(crate) fn name(self) -> &'static str {
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

    /// The template with each placeholder replaced by `value`; the first placeholder that
    /// has no value is the error.
    /// Whether the only order identifier the template uses is `{order_id}` (beside
    /// `{event_name}` and text): then an order with no identifier at all may have its event id
    /// derived from its content instead.
    #[must_use]
    pub fn needs_only_order_id(&self) -> bool {
        self.0
            .iter()
            .all(|p| matches!(p, Err(_) | Ok(Var::OrderId | Var::EventName)))
    }

    pub(crate) fn render(&self, value: impl Fn(Var) -> Option<String>) -> Result<String, Var> {
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
}
