//! Mapping stage: turns raw records into [`Order`]s of canonical fields, through a preset's
//! column table and the config's `[columns]`, and groups the rows of multi-row orders.

mod adjust;
mod contents;
mod fields;
mod group;
mod key;
mod preset;
pub mod suggest;

use std::sync::Arc;

use serde_json::Value;

pub use self::contents::parse_contents;
pub use self::fields::OrderFields;
pub use self::group::{Grouper, SameKey};
pub use self::key::Key;
pub use self::preset::{detect_csv, detect_json, group_key, Preset};
use self::suggest::Reason;
pub use self::suggest::{IdNeed, Suggestion};

/// One value with where it came from.
#[derive(Clone, Debug)]
pub struct Cell {
    /// The raw text: inline up to 24 bytes (most cells: amounts, names, codes, emails), so a
    /// row's cells do not cost an allocation each.
    pub value: compact_str::CompactString,
    /// Header name (CSV) or dotted path (JSON), interned ([`intern`]).
    pub column: &'static str,
    /// Line of the row it came from.
    pub line: u64,
}

/// `name` (a header name or a JSON path) as a string that lives as long as the process.
/// Names are interned rather than reference-counted: a cell is made for every mapped value of
/// every row, and one counter per column, raised on the reader thread and lowered on the build
/// threads at once, cost more than copying the cell (more than half of `CsvMapper::row`'s
/// time went to those atomic increments). Only header names, configured paths and the presets' own names
/// are interned, so what is kept is bounded by the inputs' headers, never by their rows.
pub fn intern(name: &str) -> &'static str {
    static NAMES: std::sync::LazyLock<std::sync::Mutex<std::collections::HashSet<&'static str>>> =
        std::sync::LazyLock::new(Default::default);
    let mut names = NAMES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(&known) = names.get(name) {
        return known;
    }
    let kept: &'static str = Box::leak(name.into());
    names.insert(kept);
    kept
}

/// A row's cells by column index: what the CSV reader yields, or a `Vec<String>` in tests.
/// Borrowed, so a row's cells are copied only into the fields a key uses.
pub trait Cells {
    /// The text of column `i`.
    fn cell(&self, i: usize) -> &str;
}

impl Cells for [String] {
    fn cell(&self, i: usize) -> &str {
        &self[i]
    }
}

impl Cells for Vec<String> {
    fn cell(&self, i: usize) -> &str {
        &self[i]
    }
}

/// A line item's fields.
pub type Item = Vec<(Key, Cell)>;

/// One order in canonical fields, still raw text.
#[derive(Clone, Debug)]
pub struct Order {
    /// Input name.
    pub file: Arc<str>,
    /// First line of the order.
    pub line: u64,
    /// Last line of the order's rows.
    pub end_line: u64,
    /// Preset that mapped it.
    pub preset: Preset,
    /// Order-level fields; scalar keys at most once, multi keys any number of times.
    pub fields: OrderFields,
    /// Line items.
    pub items: Vec<Item>,
    /// The grouping key (order name/id) when rows are grouped.
    pub group: Option<String>,
    /// Set when this order's key was already seen earlier, not next to it.
    pub repeat: bool,
    /// Set when the rows just before this order had the same key but were a different order
    /// (another customer, time or total): see [`Grouper`].
    pub same_key: Option<SameKey>,
    /// Whether its input has no order identifier column, nor one that looks like it (Meta's
    /// template): an order with no identifier then gets its event id from its content.
    pub derive_event_id: bool,
}

impl Order {
    /// The first value of `key`.
    #[must_use]
    pub fn get(&self, key: Key) -> Option<&Cell> {
        self.fields.get(key)
    }

    /// Every value of `key`.
    pub fn all(&self, key: Key) -> impl Iterator<Item = &Cell> {
        self.fields.all(key)
    }

    /// Folds the next row of the same order in: missing scalars are filled, multi values and
    /// items appended.
    pub fn absorb(&mut self, other: Order) {
        self.end_line = other.end_line;
        for (k, c) in other.fields {
            if k.is_multi() || !self.fields.has(k) {
                self.fields.push(k, c);
            }
        }
        self.items.extend(other.items);
    }
}

/// A mapping problem that stops the input (a `[columns]` entry naming a missing column, or
/// nothing recognisable at all).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct MapError {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// The `[columns]` lines that would fit the header (`pinconv init` writes them).
    pub suggestions: Vec<Suggestion>,
}

/// Column candidates per key, after the config's overrides.
fn candidates(
    preset: Preset,
    json: bool,
    overrides: &[(Key, Vec<String>)],
) -> Vec<(Key, Vec<String>, bool)> {
    let mut out: Vec<(Key, Vec<String>, bool)> = preset::table(preset, json)
        .iter()
        .filter(|(k, _)| !overrides.iter().any(|(o, _)| o == k))
        .map(|(k, names)| (*k, names.iter().map(|s| (*s).to_owned()).collect(), false))
        .collect();
    out.extend(overrides.iter().map(|(k, v)| (*k, v.clone(), true)));
    out
}

/// A CSV header compiled against a preset: which column indices feed which key.
#[derive(Debug)]
pub struct CsvMapper {
    preset: Preset,
    cols: Vec<(Key, Vec<usize>)>,
    /// `cols` as each row walks it ([`CsvMapper::row`], [`CsvMapper::continue_order`]).
    walk: Walk,
    names: Vec<&'static str>,
    group: Option<usize>,
    /// A time-of-day column joined to the `event_time` date.
    time_of_day: Option<usize>,
    /// The most line-item cells a row can have: a row's item is made with room for them all.
    item_cells: usize,
    /// Header columns no key uses, for the report.
    pub ignored: Vec<String>,
    /// Header names that appear more than once and feed a single-valued key.
    pub duplicate_scalars: Vec<String>,
    /// Whether rows without an identifier get their event id from their content: see
    /// [`CsvMapper::plan_event_ids`].
    derive_event_ids: bool,
}

impl CsvMapper {
    /// Compiles `header` for `preset` with the config's `[columns]` overrides.
    pub fn new(
        header: &[String],
        preset: Preset,
        overrides: &[(Key, Vec<String>)],
    ) -> Result<CsvMapper, MapError> {
        if preset::is_woo_analytics(header) && !overrides.iter().any(|(k, _)| *k == Key::Email) {
            return Err(MapError {
                message: "this is WooCommerce's Analytics > Orders download, which has no customer email, address or IP: Pinterest cannot match its orders to anyone".into(),
                hint: Some("export the orders with their billing details instead: the REST API (`/wp-json/wc/v3/orders`) or an order-export plugin (WebToffee, AlgolPlus Advanced Order Export)".into()),
                suggestions: Vec::new(),
            });
        }
        let mut cols = Vec::new();
        let mut used = vec![false; header.len()];
        // Keys matched only by a delivery recipient's column (`Shipping First Name`).
        let mut recipient_keys = Vec::new();
        for (key, names, configured) in candidates(preset, false, overrides) {
            let mut idx = Vec::new();
            let loose = preset.loose() && !configured;
            for name in &names {
                // Generic names also match however a shop spells them: `Order Date`,
                // `order-date` and `OrderDate` are `order_date`, `E-Mail` is `email`.
                let found: Vec<usize> = header
                    .iter()
                    .enumerate()
                    .filter(|(_, h)| {
                        column_matches(h, name.trim())
                            || loose && !name.ends_with('*') && loose_key(h) == loose_key(name)
                    })
                    .map(|(i, _)| i)
                    .collect();
                if found.is_empty() && configured {
                    return Err(MapError {
                        message: format!(
                            "`[columns] {} = \"{}\"` (or `--column {0}={1}`) names a column the header does not have",
                            key.name(),
                            name
                        ),
                        hint: Some(format!("the header's columns are: {}", quote_list(header))),
                        suggestions: Vec::new(),
                    });
                }
                for i in found {
                    if !idx.contains(&i) {
                        idx.push(i);
                    }
                }
            }
            if idx.is_empty() && loose {
                let recipients;
                (idx, recipients) = qualified_matches(header, key, &names);
                if recipients {
                    recipient_keys.push(key);
                }
            }
            if !idx.is_empty() {
                cols.push((key, idx));
            }
        }
        // The name is one person's: a delivery recipient's first or last name does not stand
        // beside the buyer's full name (`Bill-to Name`, `Ship-to First Name`).
        const NAME: [Key; 3] = [Key::FirstName, Key::LastName, Key::FullName];
        if cols
            .iter()
            .any(|(k, _)| NAME.contains(k) && !recipient_keys.contains(k))
        {
            cols.retain(|(k, _)| !(NAME.contains(k) && recipient_keys.contains(k)));
        }
        for (_, idx) in &cols {
            for &i in idx {
                used[i] = true;
            }
        }
        let time_of_day = split_time_column(header, &mut cols);
        if cols.is_empty() {
            let advice = suggest::advise(header, &cols, &suggest::default_id_needs());
            return Err(MapError {
                message: format!("no column of the header is known to the `{}` preset", preset.name()),
                hint: Some(format!(
                    "map the columns in a config file's `[columns]` table or with `--column FIELD=HEADER`, or pick another `--preset`; {}\n    the header's columns are: {}",
                    // A first row of data (a file without a header row) gets no suggestions:
                    // they would quote its cells.
                    if header.iter().any(|h| data_like(h)) {
                        "the first row looks like data, so no mapping is suggested".to_owned()
                    } else {
                        columns_hint(&advice)
                    },
                    quote_list(header)
                )),
                suggestions: advice,
            });
        }
        if !cols.iter().any(|(k, _)| {
            matches!(k, Key::Email | Key::Maid)
                || *k == Key::ClientIp && cols.iter().any(|(u, _)| *u == Key::UserAgent)
        }) {
            return Err(no_identifier_column(header, preset, &cols));
        }
        let mut duplicate_scalars = Vec::new();
        for (key, idx) in &cols {
            if !key.is_multi() {
                for (n, &i) in idx.iter().enumerate() {
                    if idx[..n]
                        .iter()
                        .any(|&j| header[j].eq_ignore_ascii_case(&header[i]))
                        && !duplicate_scalars.contains(&header[i])
                    {
                        duplicate_scalars.push(header[i].clone());
                    }
                }
            }
        }
        let group = group_key(preset)
            .iter()
            .find_map(|g| cols.iter().find(|(k, _)| k == g).map(|(_, idx)| idx[0]));
        let ignored = header
            .iter()
            .zip(&used)
            .filter(|(h, u)| !**u && !h.is_empty())
            .map(|(h, _)| h.clone())
            .collect();
        let item_cells = cols
            .iter()
            .filter(|(k, _)| k.is_item())
            .map(|(k, idx)| if k.is_multi() { idx.len() } else { 1 })
            .sum();
        Ok(CsvMapper {
            preset,
            item_cells,
            walk: Walk::of(&cols),
            cols,
            names: header.iter().map(|h| intern(h)).collect(),
            group,
            time_of_day,
            ignored,
            duplicate_scalars,
            derive_event_ids: false,
        })
    }

    /// Whether a key has any column.
    #[must_use]
    pub fn maps(&self, key: Key) -> bool {
        self.cols.iter().any(|(k, _)| *k == key)
    }

    /// The `[columns]` lines this header still needs (fields no column gives) or would
    /// profit from (unread columns that look like identity or money), all at once.
    #[must_use]
    pub fn advice(&self, needs: &[IdNeed]) -> Vec<Suggestion> {
        let header: Vec<String> = self.names.iter().map(|n| n.to_string()).collect();
        let mut out = suggest::advise(&header, &self.cols, needs);
        // Rows without an identifier get an event id from their content: no column to name.
        if self.derive_event_ids {
            out.retain(|s| !(s.field == Key::OrderId.name() && s.reason == Reason::Needed));
        }
        out
    }

    /// Stops an input whose `event_id` template (or `--order-id` choice) names an order
    /// identifier the header has no column for while it has another: every order would be
    /// rejected, so the run says which placeholder or column to use instead.
    pub fn check_event_id(&self, needs: &[IdNeed]) -> Result<(), MapError> {
        if self.maps(Key::EventId) {
            return Ok(());
        }
        for need in needs {
            if need.keys.iter().any(|k| self.maps(*k)) {
                continue;
            }
            let wanted = need.keys[0];
            // The nearest stand-in first: an order number is the name without its `#`.
            let order = match wanted {
                Key::OrderNumber => [Key::OrderName, Key::OrderId],
                Key::OrderName => [Key::OrderNumber, Key::OrderId],
                _ => [Key::OrderNumber, Key::OrderName],
            };
            let others: Vec<(Key, &str)> = order
                .into_iter()
                .filter_map(|k| {
                    let (_, idx) = self.cols.iter().find(|(c, _)| *c == k)?;
                    Some((k, &*self.names[idx[0]]))
                })
                .collect();
            let Some(&(first_key, first_col)) = others.first() else {
                // No identifier at all: the mapping report says so.
                continue;
            };
            let what = match wanted {
                Key::OrderId => "the order id",
                Key::OrderNumber => "the order number",
                _ => "the order name",
            };
            let placeholder = |k: Key| match k {
                Key::OrderId => "{id}",
                Key::OrderNumber => "{order_number}",
                _ => "{order_name}",
            };
            let message = match need.source {
                Some(src) => format!(
                    "`--order-id {src}` (`[order] id = \"{src}\"`) makes `{{order_id}}` {what}, but the `{}` preset finds no column for it in this header: every order would be rejected",
                    self.preset.name()
                ),
                None => format!(
                    "the event id template needs `{{{}}}`, {what}, but the `{}` preset finds no column for it in this header: every order would be rejected",
                    need.placeholder,
                    self.preset.name()
                ),
            };
            // A header name that looks like data (a file without a header row) is not shown.
            let has: Vec<String> = others
                .iter()
                .map(|(k, c)| {
                    if showable_header(c) {
                        format!("`{c}` ({})", k.name())
                    } else {
                        format!("a column ({})", k.name())
                    }
                })
                .collect();
            let instead = match need.source {
                Some(_) => "`--order-id auto`".to_owned(),
                None => format!(
                    "`--event-id-template '{}'` (`event_id_template` in the config)",
                    placeholder(first_key)
                ),
            };
            let shown = if showable_header(first_col) {
                first_col
            } else {
                "..."
            };
            return Err(MapError {
                message,
                hint: Some(format!(
                    "the export has the order's identifier as {}: use {instead}, or read that column as {what}: `--column {}={shown}` (`[columns] {} = \"{shown}\"`)",
                    has.join(" and "),
                    wanted.name(),
                    wanted.name()
                )),
                suggestions: Vec::new(),
            });
        }
        Ok(())
    }

    /// Decides whether rows without an identifier get their event id from their content:
    /// when the header has no column that identifies an order (no order id, number or name,
    /// no `event_id`) nor, but in Meta's files, which have none by design (a `store_id` is no
    /// order id), one that looks like it; and the event id template asks only `{order_id}`
    /// with `--order-id auto` (`needs`). Otherwise such rows are rejected, and the mapping
    /// report names the column to map.
    pub fn plan_event_ids(&mut self, needs: &[IdNeed]) {
        let keys = [Key::OrderId, Key::OrderNumber, Key::OrderName, Key::EventId];
        let header: Vec<String> = self.names.iter().map(|n| n.to_string()).collect();
        let candidate = self.preset != Preset::Meta
            && suggest::advise(&header, &self.cols, needs)
                .iter()
                .any(|s| s.field == Key::OrderId.name() && s.column.is_some());
        self.derive_event_ids = needs.iter().all(IdNeed::is_any_order_id)
            && !keys.iter().any(|k| self.maps(*k))
            && !candidate;
    }

    /// The note for the detection line when [`CsvMapper::plan_event_ids`] decided so.
    #[must_use]
    pub fn note(&self) -> Option<&'static str> {
        self.derive_event_ids.then_some(
            "it has no order id column, so each row's event id is derived from its content",
        )
    }

    /// Turns one row into an order fragment (a whole order, or one row of a multi-row order).
    #[must_use]
    pub fn row<F: Cells + ?Sized>(&self, file: &Arc<str>, line: u64, fields: &F) -> Order {
        let group = self
            .group
            .map(|g| crate::normalize::trim(fields.cell(g)).to_owned())
            .filter(|s| !s.is_empty());
        let mut order_fields = OrderFields::with_capacity(self.cols.len());
        let mut item = Vec::new();
        for w in &self.walk.keys {
            let key = w.key;
            for &i in self.walk.columns(w) {
                let raw = fields.cell(i);
                if crate::normalize::trim(raw).is_empty() {
                    continue;
                }
                // Cloned, not moved: one column may feed several keys.
                let mut value = compact_str::CompactString::from(raw);
                if let Some(t) = self.time_of_day.filter(|_| key == Key::EventTime) {
                    let time = fields.cell(t).trim();
                    if !time.is_empty() && !value.contains(':') {
                        value = compact_str::format_compact!("{} {time}", value.trim());
                    }
                }
                let cell = Cell {
                    value,
                    column: self.names[i],
                    line,
                };
                if w.item {
                    if item.capacity() == 0 {
                        item.reserve_exact(self.item_cells);
                    }
                    item.push((key, cell));
                } else {
                    order_fields.push(key, cell);
                }
                if !w.multi {
                    break;
                }
            }
        }
        let mut order = Order {
            file: file.clone(),
            line,
            end_line: line,
            preset: self.preset,
            fields: order_fields,
            items: if item.is_empty() {
                Vec::new()
            } else {
                vec![item]
            },
            group,
            repeat: false,
            same_key: None,
            derive_event_id: self.derive_event_ids,
        };
        adjust::row(self.preset, &mut order);
        order
    }

    /// Adds the row at `line` to `order`, the order the rows above it make, if it continues
    /// that order: the same order key, and each order-level value either empty or one the
    /// order has. This is what [`CsvMapper::row`] and then [`Grouper::push`] do with
    /// such a row, without first making it an order of its own that is merged and dropped
    /// (two rows in three of a Shopify export are continuation rows).
    ///
    /// `false`, with `order` untouched, when the row does not continue it, or when the
    /// mapping changes cells after reading them (a separate time-of-day column, Meta's packed
    /// items): the row is then for [`CsvMapper::row`].
    pub fn continue_order<F: Cells + ?Sized>(
        &self,
        order: &mut Order,
        line: u64,
        fields: &F,
    ) -> bool {
        if self.time_of_day.is_some() || adjust::changes_rows(self.preset) {
            return false;
        }
        let Some(g) = self.group else {
            return false;
        };
        let key = crate::normalize::trim(fields.cell(g));
        if key.is_empty() || order.group.as_deref() != Some(key) {
            return false;
        }
        // Each order-level value the row has must be one the order has (`group::continues`).
        for w in &self.walk.order_level {
            for &i in self.walk.columns(w) {
                let raw = fields.cell(i);
                if crate::normalize::trim(raw).is_empty() {
                    continue;
                }
                if !order.all(w.key).any(|o| group::same(&o.value, raw)) {
                    return false;
                }
                if !w.multi {
                    break;
                }
            }
        }
        // As `Order::absorb` takes a fragment: its last line, every value of a key that takes
        // several, the first of any other key the order lacks, and its line item.
        order.end_line = line;
        let mut item = Vec::new();
        for w in &self.walk.keys {
            let key = w.key;
            if !w.item && !w.multi && order.fields.has(key) {
                continue;
            }
            for &i in self.walk.columns(w) {
                let raw = fields.cell(i);
                if crate::normalize::trim(raw).is_empty() {
                    continue;
                }
                let cell = Cell {
                    value: raw.into(),
                    column: self.names[i],
                    line,
                };
                if w.item {
                    if item.capacity() == 0 {
                        item.reserve_exact(self.item_cells);
                    }
                    item.push((key, cell));
                } else {
                    order.fields.push(key, cell);
                }
                if !w.multi {
                    break;
                }
            }
        }
        if !item.is_empty() {
            order.items.push(item);
        }
        true
    }
}

/// A mapper's keys as every row walks them: each key's kind looked up once per input, not
/// once per row, and every key's columns in one array, read in order, rather than one
/// allocation per key.
#[derive(Debug)]
struct Walk {
    /// Every mapped key, in the mapper's order.
    keys: Vec<WalkKey>,
    /// The order-level keys that are not line-item keys (`group::is_order_level`): what a
    /// continuation row is compared on.
    order_level: Vec<WalkKey>,
    columns: Vec<usize>,
}

#[derive(Clone, Copy, Debug)]
struct WalkKey {
    key: Key,
    item: bool,
    multi: bool,
    /// Its columns: `columns[from..to]`.
    from: usize,
    to: usize,
}

impl Walk {
    fn of(cols: &[(Key, Vec<usize>)]) -> Walk {
        let mut walk = Walk {
            keys: Vec::with_capacity(cols.len()),
            order_level: Vec::new(),
            columns: Vec::new(),
        };
        for (key, idx) in cols {
            let from = walk.columns.len();
            walk.columns.extend_from_slice(idx);
            let w = WalkKey {
                key: *key,
                item: key.is_item(),
                multi: key.is_multi(),
                from,
                to: walk.columns.len(),
            };
            walk.keys.push(w);
            if !w.item && group::is_order_level(*key) {
                walk.order_level.push(w);
            }
        }
        walk
    }

    fn columns(&self, w: &WalkKey) -> &[usize] {
        &self.columns[w.from..w.to]
    }
}

/// Words in front of a generic name that say it is the buyer's, in order of preference:
/// `Billing Country`, `Bill-to Name`, `Customer Email`, `Buyer's Email`.
const BUYER_QUALIFIERS: &[&str] = &[
    "billing",
    "billto",
    "bill",
    "customer",
    "customers",
    "buyer",
    "buyers",
    "contact",
];

/// Words in front of a generic name that say it is the delivery's (`Ship Zipcode`,
/// `Ship-to Name`): the recipient, who may be someone else than the buyer (a gift), so these
/// are only used when the buyer has no such column.
const RECIPIENT_QUALIFIERS: &[&str] = &["shipping", "shipto", "ship", "delivery", "recipient"];

/// Bracketed qualifiers after an amount that keep it the order's own figure: tax included
/// (`Order Total (inc tax)`) and the shop's base currency (Magento's `Grand Total (Base)`, the
/// shop currency as elsewhere). `(ex tax)` and `(Purchased)` are left alone.
const AMOUNT_QUALIFIERS: &[&str] = &["inctax", "incltax", "includingtax", "base"];

/// Bracketed qualifiers after a date that say its zone (`Created date (UTC)`, `Order Date
/// (GMT)`, `Date (local)`); the event stage reads naive times under `(UTC)`/`(GMT)` as UTC.
const TIME_QUALIFIERS: &[&str] = &["utc", "gmt", "local", "localtime"];

/// Columns for `key` whose name is a generic name with a qualifier: a person prefix on
/// identity and address fields, `Order` and an amount qualifier on money and status fields.
/// Only tried when no column has the plain name. Says too whether the columns are the
/// delivery recipient's (the buyer had none).
fn qualified_matches(header: &[String], key: Key, names: &[String]) -> (Vec<usize>, bool) {
    let groups: &[&[&str]] = match key {
        Key::Email
        | Key::Phone
        | Key::FirstName
        | Key::LastName
        | Key::FullName
        | Key::City
        | Key::State
        | Key::Zip
        | Key::Country => &[BUYER_QUALIFIERS, RECIPIENT_QUALIFIERS],
        Key::Status
        | Key::FinancialStatus
        | Key::Currency
        | Key::Total
        | Key::Subtotal
        | Key::Tax
        | Key::Shipping
        | Key::Discount
        | Key::EventTime => &[&["", "order"]],
        _ => return (Vec::new(), false),
    };
    let qualifiers = if key == Key::EventTime {
        TIME_QUALIFIERS
    } else {
        AMOUNT_QUALIFIERS
    };
    let stripped: Vec<String> = header
        .iter()
        .map(|h| {
            match h
                .trim_end()
                .strip_suffix(')')
                .and_then(|t| t.rsplit_once('('))
            {
                Some((base, q)) if qualifiers.contains(&loose_key(q).as_str()) => loose_key(base),
                _ => loose_key(h),
            }
        })
        .collect();
    for (n, prefixes) in groups.iter().enumerate() {
        let mut out = Vec::new();
        for prefix in *prefixes {
            for name in names {
                let want = format!("{prefix}{}", loose_key(name));
                for (i, h) in stripped.iter().enumerate() {
                    if *h == want && !out.contains(&i) {
                        out.push(i);
                    }
                }
            }
            if !out.is_empty() && !key.is_multi() {
                break;
            }
        }
        // A multi-valued key takes every column of the first group that has one: the buyer's
        // billing and customer emails, never a recipient's beside them.
        if !out.is_empty() {
            return (out, n > 0);
        }
    }
    (Vec::new(), false)
}

/// A time-of-day column beside the date column (Wix writes `Date` `Nov 20, 2026` and `Time`
/// `2:05 PM`): taken out of `event_time` and joined to the date when a row is read.
fn split_time_column(header: &[String], cols: &mut [(Key, Vec<usize>)]) -> Option<usize> {
    let (_, idx) = cols.iter_mut().find(|(k, _)| *k == Key::EventTime)?;
    let at = idx.iter().position(|&i| {
        matches!(
            loose_key(&header[i]).as_str(),
            "time" | "ordertime" | "purchasetime" | "saletime"
        )
    })?;
    if idx.len() < 2 {
        return None;
    }
    Some(idx.remove(at))
}

/// Known exports that carry no customer email, and what they are.
const EXPORTS_WITHOUT_EMAIL: &[(&[&str], &str)] = &[
    (
        &["Sale Date", "Buyer User ID"],
        "Etsy's sold-orders export (EtsySoldOrders) has no buyer email",
    ),
    (
        &["Sale Date", "Transaction ID", "Listing ID"],
        "Etsy's sold-order-items export (EtsySoldOrderItems) has no buyer email",
    ),
    (
        &["Reference", "New client", "Customer"],
        "PrestaShop's order list export has the customer's initial and surname only",
    ),
];

/// The `[columns]` lines suggested for a header, introduced for a hint, one per line.
fn columns_hint(advice: &[Suggestion]) -> String {
    let mut s = "these lines fit the header's names (check each):".to_owned();
    for line in suggest::toml_lines(advice) {
        s.push_str("\n    ");
        s.push_str(&line);
    }
    s
}

/// The error for a header with no column Pinterest can match a person by, with every other
/// field the header lacks, so that one run tells the whole mapping.
fn no_identifier_column(header: &[String], preset: Preset, cols: &[(Key, Vec<usize>)]) -> MapError {
    let advice = suggest::advise(header, cols, &suggest::default_id_needs());
    let known = EXPORTS_WITHOUT_EMAIL
        .iter()
        .find(|(cols, _)| {
            cols.iter()
                .all(|c| header.iter().any(|h| h.eq_ignore_ascii_case(c)))
        })
        .map(|(_, what)| format!(" ({what})"));
    let mail = advice
        .iter()
        .find(|s| s.field == Key::Email.name())
        .and_then(|s| s.column.as_ref())
        .filter(|_| !header.iter().any(|h| data_like(h)));
    let fix = match mail {
        Some(h) => format!("if `{h}` holds the customer's email, map it: `[columns] email = \"{h}\"`"),
        None => "if a column holds the customer's email under another name, map it: `[columns] email = \"...\"`; otherwise export the orders with the customer's email".to_owned(),
    };
    MapError {
        message: format!(
            "no column of the header gives the customer's email (or a mobile ad id, or IP address and user agent) to the `{}` preset{}: Pinterest cannot match these orders to anyone",
            preset.name(),
            known.unwrap_or_default()
        ),
        hint: Some(format!(
            "{fix}; {}\n    the header's columns are: {}",
            columns_hint(&advice),
            quote_list(header)
        )),
        suggestions: advice,
    }
}

/// Header cells longer than this are no column name pinconv knows (the longest is about 30
/// bytes): they are never matched loosely, so a huge cell costs nothing per alias.
const MAX_COLUMN_NAME: usize = 256;

/// A header name without case, spaces or punctuation; a cell past [`MAX_COLUMN_NAME`] gets
/// a key no name has (a NUL), without looking at its text.
fn loose_key(name: &str) -> String {
    if name.len() > MAX_COLUMN_NAME {
        return "\0".to_owned();
    }
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Case-insensitive header match; a trailing `*` matches numbered columns (`line_item_*`).
fn column_matches(header: &str, pattern: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => {
            header.len() > prefix.len()
                && header.is_char_boundary(prefix.len())
                && header[..prefix.len()].eq_ignore_ascii_case(prefix)
        }
        None => header.eq_ignore_ascii_case(pattern),
    }
}

/// Whether a cell looks like a customer's data rather than a column name: an `@` (or its
/// fullwidth and small forms) or more than four digits of any script.
fn data_like(h: &str) -> bool {
    h.contains(['@', '\u{FF20}', '\u{FE6B}']) || h.chars().filter(|c| c.is_numeric()).count() > 4
}

/// The header names for a hint; names that look like data (an email, a phone number) are
/// not shown, since a file without a header row has a customer's details there. When any
/// cell looks like data the row is taken for a row of data and none of it is shown: beside
/// an email, `Jane` and `Doe` are a name, not columns.
fn quote_list(names: &[String]) -> String {
    if names.iter().any(|h| data_like(h)) {
        return "not shown: the first row looks like an order (a cell holds an email or a phone number), not a header; does the file start with a header row?".to_owned();
    }
    let mut s: Vec<String> = names
        .iter()
        .take(40)
        .map(|h| {
            if showable_header(h) {
                format!("`{h}`")
            } else {
                "…".to_owned()
            }
        })
        .collect();
    if names.len() > 40 {
        s.push(format!("… ({} more)", names.len() - 40));
    }
    let mut out = s.join(", ");
    if s.iter().any(|x| x == "…") {
        out.push_str(
            " (columns shown as … look like data: does the file start with a header row?)",
        );
    }
    out
}

/// Whether a header name may be shown: it does not look like a customer's data. An apostrophe
/// only as a possessive (`Buyer's Email`): `Mary O'Neil` is a name, as in a file whose first
/// row is an order rather than a header.
fn showable_header(h: &str) -> bool {
    // A cell past any column name's length is neither shown nor suggested.
    if h.len() > MAX_COLUMN_NAME {
        return false;
    }
    let possessive = h.replace("'s ", "s ");
    let possessive = possessive
        .strip_suffix("'s")
        .map_or(possessive.as_str(), |p| p);
    crate::report::may_show(h)
        || possessive
            .chars()
            .all(|c| c.is_alphanumeric() || " _-#().".contains(c))
            && !h.chars().any(|c| c.is_ascii_digit())
}

/// Maps JSON orders by dotted paths; `a[].b` reaches into the array `a` for line items.
#[derive(Debug)]
pub struct JsonMapper {
    preset: Preset,
    cols: Vec<(Key, Vec<Path>)>,
}

#[derive(Debug, Clone)]
struct Path {
    text: &'static str,
    array: Option<Vec<String>>,
    /// `a[key=x].b`: the first element of `a` whose `key` is `x` (an order-level value).
    pick: Option<(Vec<String>, String, String)>,
    rest: Vec<String>,
}

fn parse_path(s: &str) -> Path {
    let text = intern(s.trim());
    let dotted = |p: &str| -> Vec<String> {
        p.trim_start_matches('.')
            .split('.')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    };
    // `meta_data[key=_wc_order_attribution_session_entry].value`
    if let Some((array, tail)) = s.trim().split_once('[') {
        if let Some((cond, rest)) = tail.split_once(']') {
            if let Some((k, v)) = cond.split_once('=') {
                return Path {
                    text,
                    array: None,
                    pick: Some((dotted(array), k.trim().to_owned(), v.trim().to_owned())),
                    rest: dotted(rest),
                };
            }
        }
    }
    match s.split_once("[]") {
        Some((array, rest)) => Path {
            text,
            array: Some(array.split('.').map(str::to_owned).collect()),
            pick: None,
            rest: rest
                .trim_start_matches('.')
                .split('.')
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect(),
        },
        None => Path {
            text,
            array: None,
            pick: None,
            rest: s.trim().split('.').map(str::to_owned).collect(),
        },
    }
}

fn lookup<'v>(v: &'v Value, parts: &[String]) -> Option<&'v Value> {
    parts.iter().try_fold(v, |cur, p| match cur {
        Value::Object(map) => map.get(p.as_str()).or_else(|| {
            map.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(p))
                .map(|(_, v)| v)
        }),
        _ => None,
    })
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        // Shopify's GraphQL ids (`gid://shopify/Order/5901300000001`) end in the REST id,
        // the one the REST API, the CSV export and the storefront use.
        Value::String(s) if s.starts_with("gid://shopify/") => s
            .rsplit('/')
            .next()
            .map(|tail| tail.split('?').next().unwrap_or(tail).to_owned())
            .filter(|t| !t.is_empty()),
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl JsonMapper {
    /// Builds the path table for `preset` with the config's overrides.
    #[must_use]
    pub fn new(preset: Preset, overrides: &[(Key, Vec<String>)]) -> JsonMapper {
        let cols = candidates(preset, true, overrides)
            .into_iter()
            .map(|(k, names, _)| (k, names.iter().map(|n| parse_path(n)).collect()))
            .collect();
        JsonMapper { preset, cols }
    }

    /// Turns one order object into an [`Order`].
    #[must_use]
    pub fn order(&self, file: &Arc<str>, line: u64, value: &Value) -> Order {
        let mut fields = OrderFields::default();
        let mut items: Vec<Item> = Vec::new();
        let mut loose_item = Vec::new();
        for (key, paths) in &self.cols {
            for path in paths {
                match &path.array {
                    None => {
                        let found = match &path.pick {
                            None => lookup(value, &path.rest),
                            Some((array, k, v)) => match lookup(value, array) {
                                Some(Value::Array(elems)) => elems
                                    .iter()
                                    .find(|e| {
                                        lookup(e, std::slice::from_ref(k))
                                            .and_then(scalar_text)
                                            .is_some_and(|t| t == *v)
                                    })
                                    .and_then(|e| lookup(e, &path.rest)),
                                _ => None,
                            },
                        };
                        let texts: Vec<String> = match found {
                            Some(Value::Array(a)) if key.is_multi() => {
                                a.iter().filter_map(scalar_text).collect()
                            }
                            Some(v) => scalar_text(v).into_iter().collect(),
                            None => Vec::new(),
                        };
                        if texts.is_empty() {
                            continue;
                        }
                        for t in texts {
                            let cell = Cell {
                                value: t.into(),
                                column: path.text,
                                line,
                            };
                            if key.is_item() {
                                loose_item.push((*key, cell));
                            } else {
                                fields.push(*key, cell);
                            }
                        }
                        if !key.is_multi() {
                            break;
                        }
                    }
                    Some(array) => {
                        let Some(Value::Array(elems)) = lookup(value, array) else {
                            continue;
                        };
                        if items.len() < elems.len() {
                            items.resize_with(elems.len(), Vec::new);
                        }
                        for (slot, e) in items.iter_mut().zip(elems) {
                            if slot.iter().any(|(k, _)| k == key) {
                                continue;
                            }
                            if let Some(t) = lookup(e, &path.rest).and_then(scalar_text) {
                                slot.push((
                                    *key,
                                    Cell {
                                        value: t.into(),
                                        column: path.text,
                                        line,
                                    },
                                ));
                            }
                        }
                    }
                }
            }
        }
        if !loose_item.is_empty() {
            items.push(loose_item);
        }
        items.retain(|i| !i.is_empty());
        let mut order = Order {
            file: file.clone(),
            line,
            end_line: line,
            preset: self.preset,
            fields,
            items,
            group: None,
            repeat: false,
            same_key: None,
            derive_event_id: false,
        };
        adjust::json(self.preset, value, &mut order);
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn header(s: &str) -> Vec<String> {
        s.split(',').map(str::to_owned).collect()
    }

    #[test]
    fn a_name_is_interned_once() {
        let a = intern("Billing Phone");
        let b = intern(&String::from("Billing Phone"));
        assert!(std::ptr::eq(a, b), "the same name is kept once");
        assert_eq!(a, "Billing Phone");
        assert!(!std::ptr::eq(a, intern("Shipping Phone")));
    }

    /// The orders of `rows`: as the pipeline groups them (`Grouper::push_row`, with its
    /// shortcut for continuation rows), or with `shortcut` false each row mapped into an order
    /// of its own and given to `Grouper::push`.
    fn grouped(m: &CsvMapper, rows: &[Vec<String>], shortcut: bool) -> Vec<String> {
        let file: Arc<str> = Arc::from("t.csv");
        let mut grouper = group::Grouper::default();
        let mut out = Vec::new();
        for (n, row) in rows.iter().enumerate() {
            let line = n as u64 + 2;
            out.extend(if shortcut {
                grouper.push_row(m, &file, line, row)
            } else {
                grouper.push(m.row(&file, line, row))
            });
        }
        out.extend(grouper.finish());
        out.iter().map(|o| format!("{o:?}")).collect()
    }

    proptest::proptest! {
        /// Continuation rows taken straight into their order give the orders the grouper
        /// makes of them row by row, whatever the rows hold: keys that repeat, come back or
        /// are blank, order-level values that agree (in another case, with spaces), differ
        /// or are empty, several phones, line items or none.
        #[test]
        fn continuation_rows_join_their_order_as_the_grouper_joins_them(
            shape in 0..3usize,
            rows in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["#1", "#2", " #1 ", "", "#3"]),
                    proptest::sample::select(vec!["", "a@example.com", "A@Example.com ", "b@example.com"]),
                    proptest::sample::select(vec!["", "paid", "refunded"]),
                    proptest::sample::select(vec!["", "2026-11-20 10:00:00 -0500", "2026-11-21 10:00:00 -0500"]),
                    proptest::sample::select(vec!["", "10.00", "12.00"]),
                    proptest::sample::select(vec!["", "Mug", "Plate"]),
                    proptest::sample::select(vec!["", "1", "2"]),
                    proptest::sample::select(vec!["", "+1 201 555 0123", "+1 201 555 0199"]),
                    proptest::sample::select(vec!["", "+1 201 555 0124"]),
                    proptest::sample::select(vec!["", "Ana Lima", "Bo Chen"]),
                ),
                0..24,
            ),
        ) {
            // Shopify's columns; a generic file with two phone columns; one whose total and
            // item name each appear twice (a single-valued key takes the first non-blank).
            let (h, preset) = [
                ("Name,Email,Financial Status,Created at,Total,Lineitem name,Lineitem quantity,Billing Phone,Shipping Phone,Billing Name", Preset::Shopify),
                ("order_id,email,status,date,value,item_name,quantity,phone,phone,name", Preset::Generic),
                ("order_id,email,status,date,total,item_name,total,item_name,quantity,name", Preset::Generic),
            ][shape];
            let m = CsvMapper::new(&header(h), preset, &[]).unwrap();
            proptest::prop_assert_eq!(shape == 2, !m.duplicate_scalars.is_empty());
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    [r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9]
                        .map(str::to_owned)
                        .to_vec()
                })
                .collect();
            proptest::prop_assert_eq!(grouped(&m, &rows, true), grouped(&m, &rows, false));
        }
    }

    #[test]
    fn shopify_row_maps_order_and_item() {
        let h = header("Name,Email,Phone,Billing Phone,Lineitem sku,Lineitem quantity,Total");
        let m = CsvMapper::new(&h, Preset::Shopify, &[]).unwrap();
        let f = Arc::from("t.csv");
        let row: Vec<String> = "#1001,a@example.com,+12015550123,+12015550124,SKU-1,2,10.00"
            .split(',')
            .map(str::to_owned)
            .collect();
        let o = m.row(&f, 2, &row);
        assert_eq!(o.group.as_deref(), Some("#1001"));
        assert_eq!(o.all(Key::Phone).count(), 2);
        assert_eq!(o.get(Key::OrderName).unwrap().value, "#1001");
        assert_eq!(o.items.len(), 1);
        assert_eq!(o.get(Key::Email).unwrap().column, "Email");
    }

    #[test]
    fn repeated_generic_email_columns_all_count() {
        let h = header("email,email,value");
        let m = CsvMapper::new(&h, Preset::Generic, &[]).unwrap();
        let o = m.row(&Arc::from("t"), 2, &header("a@example.com,b@example.com,1"));
        assert_eq!(o.all(Key::Email).count(), 2);
    }

    #[test]
    fn generic_names_match_loosely() {
        let h = header("Order ID,Order Date,E-Mail,First Name,Zip Code,Total");
        let m = CsvMapper::new(&h, Preset::Generic, &[]).unwrap();
        for k in [
            Key::OrderId,
            Key::EventTime,
            Key::Email,
            Key::FirstName,
            Key::Zip,
            Key::Total,
        ] {
            assert!(m.maps(k), "{k:?}");
        }
        assert!(m.ignored.is_empty(), "{:?}", m.ignored);
        let h = header("Order Number,Customer Email,Order Total,Date Created,Currency Code");
        let m = CsvMapper::new(&h, Preset::Generic, &[]).unwrap();
        assert!(m.ignored.is_empty(), "{:?}", m.ignored);
        let h = header("order_id,billing_email,meta:_wc_order_attribution_session_entry");
        let m = CsvMapper::new(&h, Preset::Woocommerce, &[]).unwrap();
        assert!(m.maps(Key::LandingSite));
        // Platform presets keep their exact names.
        let m = CsvMapper::new(
            &header("Name,Email,Lineitem-quantity"),
            Preset::Shopify,
            &[],
        )
        .unwrap();
        assert!(!m.maps(Key::ItemQuantity));
    }

    #[test]
    fn generic_names_with_a_person_or_order_qualifier() {
        // BigCommerce, Magento, Etsy, Wix, Ecwid spellings.
        let h = header("Order ID,Customer Email,Order Date,Order Status,Order Total (ex tax),Order Total (inc tax),Grand Total (Purchased),Order Currency Code,Billing First Name,Shipping First Name,Bill-to Name,Ship City,Ship Zipcode,Billing Country,Shipping Discount,Order Value");
        let m = CsvMapper::new(&h, Preset::Generic, &[]).unwrap();
        let row = |i: usize| {
            let mut f = vec![String::new(); h.len()];
            f[i] = "x".into();
            m.row(&Arc::from("t"), 2, &f)
        };
        let col = |k: Key| {
            (0..h.len())
                .find(|&i| row(i).get(k).is_some())
                .map(|i| h[i].as_str())
        };
        assert_eq!(col(Key::Status), Some("Order Status"));
        // Tax included, never the ex-tax or presentment-currency figure.
        assert_eq!(col(Key::Total), Some("Order Total (inc tax)"));
        assert_eq!(col(Key::Currency), Some("Order Currency Code"));
        assert_eq!(col(Key::FirstName), Some("Billing First Name"));
        assert_eq!(col(Key::FullName), Some("Bill-to Name"));
        assert_eq!(col(Key::City), Some("Ship City"));
        assert_eq!(col(Key::Zip), Some("Ship Zipcode"));
        assert_eq!(col(Key::Country), Some("Billing Country"));
        // A shipping discount is not the order's discount, nor Etsy's `Order Value` its value.
        assert_eq!(col(Key::Discount), None);
        assert_eq!(col(Key::Value), None);
        // The billing name wins over the shipping one when both are filled.
        let mut f = vec![String::new(); h.len()];
        f[8] = "Billing".into();
        f[9] = "Shipping".into();
        let o = m.row(&Arc::from("t"), 2, &f);
        assert_eq!(o.get(Key::FirstName).unwrap().value, "Billing");
        // Platform presets keep their exact names.
        let m =
            CsvMapper::new(&header("Name,Email,Billing Zipcode"), Preset::Shopify, &[]).unwrap();
        assert!(!m.maps(Key::Zip));
    }

    #[test]
    fn the_buyer_is_never_mixed_with_the_delivery_recipient() {
        let value = |h: &[String], f: &str, k: Key| {
            let m = CsvMapper::new(h, Preset::Generic, &[]).unwrap();
            m.row(&Arc::from("t"), 2, &header(f))
                .fields
                .iter()
                .filter(|(key, _)| *key == k)
                .map(|(_, c)| c.value.clone())
                .collect::<Vec<_>>()
        };
        // A billing full name and a recipient's first and last name: the buyer's name is the
        // billing one, so the recipient's parts are not used, whatever the column order.
        for h in [
            "Order ID,Email,Bill-to Name,Ship-to First Name,Ship-to Last Name",
            "Order ID,Email,Ship-to First Name,Ship-to Last Name,Bill-to Name",
        ] {
            let h = header(h);
            let f = if h[2] == "Bill-to Name" {
                "1,a@example.com,Alice Buyer,Rita,Giftee"
            } else {
                "1,a@example.com,Rita,Giftee,Alice Buyer"
            };
            assert!(value(&h, f, Key::FirstName).is_empty(), "{h:?}");
            assert!(value(&h, f, Key::LastName).is_empty(), "{h:?}");
            assert_eq!(value(&h, f, Key::FullName), ["Alice Buyer"], "{h:?}");
        }
        // A recipient's email or phone is not the buyer's.
        let h = header("Order ID,Recipient Email,Buyer Email,Delivery Phone,Customer Phone");
        let f = "1,r@example.com,a@example.com,555-0100,555-0199";
        assert_eq!(value(&h, f, Key::Email), ["a@example.com"]);
        assert_eq!(value(&h, f, Key::Phone), ["555-0199"]);
        // Only a recipient's column is still used when the buyer has none.
        let h = header("Order ID,Buyer Email,Shipping First Name,Shipping Zip");
        let f = "1,a@example.com,Rita,97205";
        assert_eq!(value(&h, f, Key::FirstName), ["Rita"]);
        assert_eq!(value(&h, f, Key::Zip), ["97205"]);
    }

    #[test]
    fn a_time_of_day_column_joins_the_date() {
        let h = header("Order #,Date,Time,Buyer's Email");
        let m = CsvMapper::new(&h, Preset::Generic, &[]).unwrap();
        let o = m.row(
            &Arc::from("t"),
            2,
            &header("7,Nov 20 2026,2:05 PM,a@example.com"),
        );
        assert_eq!(o.get(Key::EventTime).unwrap().value, "Nov 20 2026 2:05 PM");
        assert_eq!(o.get(Key::EventTime).unwrap().column, "Date");
        assert!(o.get(Key::Email).is_some());
        // A date that has its time already is left alone; a lone `Time` column is the time.
        let o = m.row(
            &Arc::from("t"),
            2,
            &header("7,2026-11-20 14:05,2:05 PM,a@example.com"),
        );
        assert_eq!(o.get(Key::EventTime).unwrap().value, "2026-11-20 14:05");
        let m = CsvMapper::new(&header("email,time"), Preset::Generic, &[]).unwrap();
        let o = m.row(&Arc::from("t"), 2, &header("a@example.com,1795201509"));
        assert_eq!(o.get(Key::EventTime).unwrap().value, "1795201509");
    }

    #[test]
    fn an_apostrophe_in_a_header_is_shown_only_as_a_possessive() {
        // A file without a header row has a customer's name where a column name would be.
        let shown = quote_list(&header("Buyer's Email,Item's Name,Mary O'Neil,Dana D'Arcy"));
        assert!(shown.contains("`Buyer's Email`, `Item's Name`"), "{shown}");
        assert!(
            !shown.contains("O'Neil") && !shown.contains("D'Arcy"),
            "{shown}"
        );
    }

    #[test]
    fn a_header_with_an_identifier_under_any_known_name_is_read() {
        for (h, preset) in [
            // Meta's offline-conversions template: `email` repeated, `madid`.
            (
                "event_time,email,email,email,phone,fn,ln,madid,value,currency",
                Preset::Generic,
            ),
            ("order_id,madid,value", Preset::Generic),
            // Pre-hashed emails under their CAPI or a descriptive name.
            ("order_id,em,value", Preset::Generic),
            ("order_id,hashed_email,value", Preset::Generic),
            ("Order ID,Contact Email,Total", Preset::Generic),
            (
                "Name,Email,Financial Status,Lineitem quantity",
                Preset::Shopify,
            ),
            ("order_id,billing_email,line_item_1", Preset::Woocommerce),
            (
                "order_id,customer_ip_address,customer_user_agent",
                Preset::Woocommerce,
            ),
        ] {
            let m = CsvMapper::new(&header(h), preset, &[]);
            assert!(m.is_ok(), "{h}: {:?}", m.err().map(|e| e.message));
        }
        let cfg = [(Key::Email, vec!["Mail".to_owned()])];
        assert!(CsvMapper::new(&header("Order,Mail"), Preset::Shopify, &cfg).is_ok());
    }

    #[test]
    fn a_header_without_any_identifier_is_refused_with_the_fix() {
        let err = CsvMapper::new(
            &header("Order ID,Sale Date,Buyer User ID,Full Name,Ship Zipcode,Order Total"),
            Preset::Generic,
            &[],
        )
        .unwrap_err();
        assert!(
            err.message
                .contains("no column of the header gives the customer's email"),
            "{}",
            err.message
        );
        assert!(err.message.contains("Etsy"), "{}", err.message);
        assert!(err.hint.unwrap().contains("`[columns] email = \"...\"`"));
        // A column with `mail` in its name is named in the fix.
        let err = CsvMapper::new(
            &header("Order ID,Date,Kunden Mail-Adresse"),
            Preset::Generic,
            &[],
        )
        .unwrap_err();
        assert!(err
            .hint
            .unwrap()
            .contains("`[columns] email = \"Kunden Mail-Adresse\"`"),);
        // IP address and user agent together are enough; either alone is not.
        assert!(CsvMapper::new(&header("order_id,ip,user_agent"), Preset::Generic, &[]).is_ok());
        assert!(CsvMapper::new(&header("order_id,ip"), Preset::Generic, &[]).is_err());
        // Mapping the column in `[columns]` fixes it.
        let h = header("Order ID,Sale Date,Buyer Contact");
        assert!(CsvMapper::new(
            &h,
            Preset::Generic,
            &[(Key::Email, vec!["Buyer Contact".into()])]
        )
        .is_ok());
    }

    #[test]
    fn an_event_id_placeholder_without_a_column_names_the_one_there_is() {
        use crate::config::OrderIdSource;
        let m = CsvMapper::new(&header("Name,Email,Total"), Preset::Shopify, &[]).unwrap();
        let needs = suggest::event_id_needs("{order_number}", OrderIdSource::Auto);
        let err = m.check_event_id(&needs).unwrap_err();
        assert!(err.message.contains("`{order_number}`"), "{}", err.message);
        let hint = err.hint.unwrap();
        assert!(hint.contains("`Name` (order_name)"), "{hint}");
        assert!(
            hint.contains("'{order_name}'") && hint.contains("order_number=Name"),
            "{hint}"
        );
        assert!(m
            .check_event_id(&suggest::event_id_needs(
                "{order_name}",
                OrderIdSource::Auto
            ))
            .is_ok());
        assert!(m.check_event_id(&suggest::default_id_needs()).is_ok());
        let err = m
            .check_event_id(&suggest::event_id_needs(
                "{order_id}",
                OrderIdSource::Number,
            ))
            .unwrap_err();
        assert!(
            err.message.contains("`--order-id number`"),
            "{}",
            err.message
        );
        assert!(err.hint.unwrap().contains("`--order-id auto`"));
        // A file whose header row is an order: a name there is not shown.
        let h = header("email,Mary O'Neil");
        let cfg = [(Key::OrderName, vec!["Mary O'Neil".to_owned()])];
        let m = CsvMapper::new(&h, Preset::Generic, &cfg).unwrap();
        let err = m
            .check_event_id(&suggest::event_id_needs(
                "{order_number}",
                OrderIdSource::Auto,
            ))
            .unwrap_err();
        let hint = err.hint.unwrap();
        assert!(hint.contains("a column (order_name)"), "{hint}");
        assert!(!hint.contains("O'Neil"), "{hint}");
        // No identifier at all is the mapping report's, not this check's.
        let m = CsvMapper::new(&header("email,total"), Preset::Generic, &[]).unwrap();
        assert!(m
            .check_event_id(&suggest::event_id_needs(
                "{order_name}",
                OrderIdSource::Auto
            ))
            .is_ok());
    }

    #[test]
    fn configured_missing_column_is_an_error() {
        let h = header("a,b");
        let err = CsvMapper::new(&h, Preset::Generic, &[(Key::Email, vec!["E-Mail".into()])])
            .unwrap_err();
        assert!(err.message.contains("E-Mail"));
    }

    #[test]
    fn unknown_header_is_an_error_with_hint() {
        let err = CsvMapper::new(&header("foo,bar"), Preset::Generic, &[]).unwrap_err();
        assert!(err.hint.unwrap().contains("`foo`"));
    }

    #[test]
    fn woo_analytics_download_is_explained() {
        let h = header("Date,Order #,N. Revenue (formatted),Status,Customer,Customer type,Product(s),Items sold,Coupon(s),Net Sales");
        let err = CsvMapper::new(&h, Preset::Generic, &[]).unwrap_err();
        assert!(err.message.contains("Analytics"), "{}", err.message);
        assert!(err.hint.unwrap().contains("order-export plugin"));
    }

    #[test]
    fn json_path_picks_an_array_element_by_key() {
        let m = JsonMapper::new(
            Preset::Generic,
            &[(Key::LandingSite, vec!["meta_data[key=entry].value".into()])],
        );
        let v = json!({"meta_data": [{"key": "other", "value": "x"}, {"key": "entry", "value": "/p?epik=abc"}]});
        let o = m.order(&Arc::from("t.json"), 1, &v);
        assert_eq!(o.get(Key::LandingSite).unwrap().value, "/p?epik=abc");
        assert_eq!(
            o.get(Key::LandingSite).unwrap().column,
            "meta_data[key=entry].value"
        );
        let none = m.order(&Arc::from("t.json"), 1, &json!({"meta_data": []}));
        assert!(none.get(Key::LandingSite).is_none());
    }

    #[test]
    fn json_paths_and_items() {
        let m = JsonMapper::new(Preset::Shopify, &[]);
        let v = json!({"id": 5, "email": "x@example.com", "customer": {"id": 9, "phone": null},
            "billing_address": {"city": "Menlo Park"},
            "line_items": [{"sku": "A", "quantity": 2, "price": "1.50"}, {"product_id": 7, "quantity": 1}]});
        let o = m.order(&Arc::from("t.json"), 3, &v);
        assert_eq!(o.get(Key::OrderId).unwrap().value, "5");
        assert_eq!(o.get(Key::ExternalId).unwrap().value, "9");
        assert_eq!(o.get(Key::City).unwrap().column, "billing_address.city");
        assert_eq!(o.items.len(), 2);
        assert!(o.get(Key::Phone).is_none());
    }

    #[test]
    fn shopify_graphql_order_with_folded_line_items() {
        let v = json!({"id": "gid://shopify/Order/5901300000001", "createdAt": "2026-11-17T14:05:09Z",
            "displayFinancialStatus": "PAID", "customer": {"id": "gid://shopify/Customer/71"},
            "totalPriceSet": {"shopMoney": {"amount": "58.4", "currencyCode": "USD"}},
            "billingAddress": {"countryCodeV2": "US", "provinceCode": "WA"},
            "lineItems": [{"sku": "VS-S", "quantity": 2, "variant": {"id": "gid://shopify/ProductVariant/45"},
                "originalUnitPriceSet": {"shopMoney": {"amount": "20.0", "currencyCode": "USD"}}}]});
        assert_eq!(detect_json(&v).0, Preset::Shopify);
        let o = JsonMapper::new(Preset::Shopify, &[]).order(&Arc::from("t.jsonl"), 1, &v);
        assert_eq!(o.get(Key::OrderId).unwrap().value, "5901300000001");
        assert_eq!(o.get(Key::ExternalId).unwrap().value, "71");
        assert_eq!(o.get(Key::Total).unwrap().value, "58.4");
        assert_eq!(o.get(Key::Currency).unwrap().value, "USD");
        assert_eq!(o.get(Key::Country).unwrap().value, "US");
        assert_eq!(o.get(Key::FinancialStatus).unwrap().value, "PAID");
        let item = &o.items[0];
        let get = |k: Key| {
            item.iter()
                .find(|(x, _)| *x == k)
                .map(|(_, c)| c.value.as_str())
        };
        assert_eq!(get(Key::ItemVariantId), Some("45"));
        assert_eq!(get(Key::ItemPrice), Some("20.0"));
        assert_eq!(get(Key::ItemQuantity), Some("2"));
    }
}
