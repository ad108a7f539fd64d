//! The TOML configuration file and the merged, validated [`Settings`] every stage reads.
//!
//! Precedence: flags > environment > config file > defaults, merged once in
//! [`Settings::resolve`]; nothing past that point sees raw flags or raw TOML.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::capi;
use crate::map::{Key, Preset};
use crate::template::Template;
// Re-exported: the type lives in `time` (which reads the dates) so that `time` needs nothing
// from `config`; commands and the command line keep naming it `config::DateOrder`.
pub use crate::time::DateOrder;

/// How a record is identified as an order, and so what `order_id` and `{order_id}` mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum OrderIdSource {
    /// The first of id, number, name that the order has.
    Auto,
    /// The platform's order id (Shopify `Id`/`id`, WooCommerce `id`).
    Id,
    /// The order number (Shopify `order_number`, WooCommerce `number`).
    Number,
    /// The order name (Shopify `Name`, e.g. `#1001`).
    Name,
}

/// Which product identifier becomes `contents[].id` and `content_ids`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum ProductIdSource {
    /// The first of SKU, variant id, product id that the line item has.
    Auto,
    /// The product id. Both spellings work on the command line and in the config file.
    #[serde(alias = "product-id")]
    #[value(alias = "product_id")]
    ProductId,
    /// The variant (variation) id.
    #[serde(alias = "variant-id")]
    #[value(alias = "variant_id")]
    VariantId,
    /// The SKU.
    Sku,
}

/// A `max_age_days` value: a number of days or `"off"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaxAge {
    /// Skip orders older than this many days.
    Days(u32),
    /// Never skip by age.
    Off,
}

impl std::str::FromStr for MaxAge {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("off") || t.eq_ignore_ascii_case("none") {
            return Ok(MaxAge::Off);
        }
        t.parse::<u32>()
            .map(MaxAge::Days)
            .map_err(|_| format!("`{s}` is not a number of days or `off`"))
    }
}

impl<'de> Deserialize<'de> for MaxAge {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u32),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(MaxAge::Days(n)),
            Raw::S(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}

/// One string or a list of strings in TOML.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum OneOrMany {
    /// `key = "Column"`
    One(String),
    /// `key = ["Column A", "Column B"]`
    Many(Vec<String>),
}

impl OneOrMany {
    /// The names, in order.
    #[must_use]
    pub fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// The `[order]` table: the shop's choices, as a store integration offers them.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderConfig {
    /// Which identifier becomes `order_id`.
    pub id: Option<OrderIdSource>,
    /// Which product identifier becomes `contents[].id`.
    pub product_id: Option<ProductIdSource>,
    /// Sales channels (the export's source column) whose orders are skipped.
    pub exclude_sources: Option<Vec<String>>,
    /// Order statuses that are skipped.
    pub skip_statuses: Option<Vec<String>>,
    /// Subtract taxes from the value.
    pub exclude_tax: Option<bool>,
    /// Subtract shipping from the value.
    pub exclude_shipping: Option<bool>,
    /// Keep discounts deducted from the value (the default); `false` adds them back.
    pub deduct_discounts: Option<bool>,
}

/// The whole configuration file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Column preset.
    pub preset: Option<Preset>,
    /// Default `event_name`.
    pub event_name: Option<String>,
    /// Default `action_source`.
    pub action_source: Option<String>,
    /// Country for phone numbers without a country code when the order has no country.
    pub default_country: Option<String>,
    /// IANA time zone for timestamps without an offset.
    pub timezone: Option<String>,
    /// Orders older than this are skipped.
    pub max_age_days: Option<MaxAge>,
    /// Template for `event_id`.
    pub event_id_template: Option<String>,
    /// `partner_name` on every event.
    pub partner_name: Option<String>,
    /// Numbers use a decimal comma (`1.234,50`).
    pub decimal_comma: Option<bool>,
    /// strftime format for timestamps that no built-in format reads.
    pub date_format: Option<String>,
    /// Day/month order of slash dates.
    pub date_order: Option<DateOrder>,
    /// CSV delimiter (one character).
    pub delimiter: Option<String>,
    /// Input character encoding.
    pub encoding: Option<String>,
    /// Shop settings.
    #[serde(default)]
    pub order: OrderConfig,
    /// The browser tag (`pinconv tag`, and `send`'s check of `web_checkout`).
    #[serde(default)]
    pub tag: crate::tag::TagConfig,
    /// Canonical field = column header (CSV) or dotted path (JSON).
    #[serde(default)]
    pub columns: BTreeMap<String, OneOrMany>,
}

/// A configuration problem: always a usage error (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file `{path}`")]
    Read {
        /// Where.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The TOML is malformed or has unknown keys.
    #[error("invalid config file `{path}`: {message}")]
    Parse {
        /// Where.
        path: PathBuf,
        /// The TOML parser's message, with line and column.
        message: String,
    },
    /// A value is out of range or unknown.
    #[error("{0}")]
    Invalid(String),
}

/// The largest config file read.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

impl ConfigFile {
    /// Reads and parses a config file; unknown keys are errors.
    pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
        use std::io::Read;
        let read_err = |source| ConfigError::Read {
            path: path.to_owned(),
            source,
        };
        // Read a bounded amount: `--config /dev/zero` (or a wrong, huge file) must not read
        // forever.
        let mut text = String::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_CONFIG_BYTES + 1).read_to_string(&mut text))
            .map_err(read_err)?;
        if text.len() as u64 > MAX_CONFIG_BYTES {
            return Err(ConfigError::Invalid(format!(
                "config file `{}` is larger than 1 MiB: it is not a pinconv config",
                path.display()
            )));
        }
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })
    }
}

/// Canonical order statuses that `skip_statuses` can name.
pub const STATUSES: &[&str] = &[
    "test",
    "voided",
    "cancelled",
    "refunded",
    "failed",
    "pending",
    "draft",
];

/// Statuses skipped when the config names none.
pub const DEFAULT_SKIP_STATUSES: &[&str] = &["test", "voided", "cancelled", "failed", "draft"];

/// Sales-channel aliases for `exclude_sources`: friendly name → the values exports carry.
#[must_use]
pub fn source_aliases(name: &str) -> Vec<String> {
    let n = name.trim().to_lowercase();
    let expanded: &[&str] = match n.as_str() {
        "pos" | "point_of_sale" | "point of sale" => &["pos"],
        "draft" | "draft_orders" | "draft orders" | "shopify_draft_order" => {
            &["shopify_draft_order"]
        }
        "recharge" | "subscription" | "subscriptions" => &[
            "subscription_contract",
            "subscription_contract_checkout_one",
            "recharge",
        ],
        _ => &[],
    };
    if expanded.is_empty() {
        vec![n]
    } else {
        expanded.iter().map(|s| (*s).to_owned()).collect()
    }
}

/// Everything a run needs, merged and validated once.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Forced preset, or `None` to detect per input.
    pub preset: Option<Preset>,
    /// Extra or overriding column mappings from `[columns]`.
    pub columns: Vec<(Key, Vec<String>)>,
    /// Default event name (Pinterest form).
    pub event_name: String,
    /// Forced action source, or `None` for per-order (`web`, POS `offline`).
    pub action_source: Option<&'static str>,
    /// Lowercase alpha-2.
    pub default_country: Option<String>,
    /// For naive timestamps.
    pub timezone: TimeZone,
    /// Its name, for messages.
    pub timezone_name: String,
    /// Whether the zone was chosen (flag, environment or config) rather than the UTC default.
    pub timezone_set: bool,
    /// Age limit.
    pub max_age: MaxAge,
    /// Only orders at or after this Unix second.
    pub since: Option<i64>,
    /// Only orders before this Unix second.
    pub until: Option<i64>,
    /// Parsed `event_id` template.
    pub event_id_template: Template,
    /// `partner_name` on every event.
    pub partner_name: Option<String>,
    /// Order identifier choice.
    pub order_id: OrderIdSource,
    /// Product identifier choice.
    pub product_id: ProductIdSource,
    /// Lowercased source values to skip.
    pub exclude_sources: Vec<String>,
    /// Canonical statuses to skip.
    pub skip_statuses: Vec<String>,
    /// Whether `skip_statuses` is the user's (`--skip-status`, `[order] skip_statuses`) rather
    /// than the default: payment sources then skip only what it names.
    pub skip_statuses_chosen: bool,
    /// Value adjustments.
    pub exclude_tax: bool,
    /// Value adjustments.
    pub exclude_shipping: bool,
    /// Value adjustments.
    pub deduct_discounts: bool,
    /// Numbers use a decimal comma.
    pub decimal_comma: bool,
    /// strftime override.
    pub date_format: Option<String>,
    /// Slash date order.
    pub date_order: DateOrder,
    /// Whether `date_order` was chosen (flag or config) rather than defaulted, so a date
    /// that reads either way is not worth a warning.
    pub date_order_set: bool,
    /// The run's "now", Unix seconds: wall clock unless `--now` pins it.
    pub now: i64,
    /// Whether an order whose id a spreadsheet rounded may stand in with its number or name
    /// as `order_id` (`check`, `build`: a warning). `send` refuses the stand-in unless
    /// `--order-id` chose it, so an order is never sent a second time under another id.
    pub id_fallback: bool,
    /// `[tag] web_checkout = true`: the browser tag fires checkout too, so `send` warns
    /// about a checkout too late for Pinterest to deduplicate.
    pub web_checkout: bool,
}

/// Validates a two-letter country given on the command line or in the config.
pub fn country_setting(raw: &str) -> Result<String, ConfigError> {
    crate::normalize::country_alpha2(raw)
        .map(str::to_owned)
        .ok_or_else(|| {
            ConfigError::Invalid(format!(
                "unknown country `{raw}`; use an ISO 3166 code such as `US` or `GB`"
            ))
        })
}

/// Resolves an IANA time-zone name.
pub fn timezone_setting(name: &str) -> Result<TimeZone, ConfigError> {
    if name.eq_ignore_ascii_case("utc") {
        return Ok(TimeZone::UTC);
    }
    TimeZone::get(name).map_err(|_| {
        ConfigError::Invalid(format!(
            "unknown time zone `{name}`; use an IANA name such as `America/New_York` or `UTC`"
        ))
    })
}

/// Validates an event name setting into Pinterest's form.
pub fn event_name_setting(raw: &str) -> Result<String, ConfigError> {
    capi::event_name(raw).map(str::to_owned).ok_or_else(|| {
        ConfigError::Invalid(format!(
            "unknown event name `{raw}`; use one of {} (or `custom`)",
            capi::PINTEREST_EVENTS.join(", ")
        ))
    })
}

/// Validates an action source setting.
pub fn action_source_setting(raw: &str) -> Result<&'static str, ConfigError> {
    capi::action_source(raw).ok_or_else(|| {
        ConfigError::Invalid(format!(
            "unknown action source `{raw}`; use one of {}",
            capi::ACTION_SOURCES.join(", ")
        ))
    })
}

/// Validates status names for `skip_statuses`.
pub fn statuses_setting(list: &[String]) -> Result<Vec<String>, ConfigError> {
    list.iter()
        .map(|s| {
            let v = s.trim().to_lowercase();
            if STATUSES.contains(&v.as_str()) {
                Ok(v)
            } else {
                Err(ConfigError::Invalid(format!(
                    "unknown order status `{s}` in skip statuses; use any of {}",
                    STATUSES.join(", ")
                )))
            }
        })
        .collect()
}

/// Parses the `[columns]` table into canonical keys.
pub fn columns_setting(
    table: &BTreeMap<String, OneOrMany>,
) -> Result<Vec<(Key, Vec<String>)>, ConfigError> {
    table
        .iter()
        .map(|(k, v)| {
            let key = Key::parse(k).ok_or_else(|| {
                ConfigError::Invalid(format!(
                    "unknown field `{k}` in `[columns]`; known fields: {}",
                    Key::ALL
                        .iter()
                        .map(|k| k.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            Ok((key, v.clone().into_vec()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_parses() {
        assert_eq!("7".parse::<MaxAge>(), Ok(MaxAge::Days(7)));
        assert_eq!("off".parse::<MaxAge>(), Ok(MaxAge::Off));
        assert!("seven".parse::<MaxAge>().is_err());
    }

    #[test]
    fn unknown_config_keys_fail() {
        let err = toml::from_str::<ConfigFile>("presett = \"shopify\"").unwrap_err();
        assert!(err.to_string().contains("presett"));
        let err = toml::from_str::<ConfigFile>("[order]\nexclude_taxes = true").unwrap_err();
        assert!(err.to_string().contains("exclude_taxes"));
    }

    #[test]
    fn source_aliases_expand() {
        assert_eq!(source_aliases("POS"), vec!["pos"]);
        assert_eq!(source_aliases("draft"), vec!["shopify_draft_order"]);
        assert_eq!(source_aliases("580111"), vec!["580111"]);
    }
}
