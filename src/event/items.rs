//! Items: line items as rows or packed into one cell (WooCommerce export plugins,
//! BigCommerce's `Product Details`, Meta's `contents` JSON), and what `custom_data` takes from them: `content_ids`,
//! `contents`, `num_items`, and the gross the value falls back to.

use rust_decimal::Decimal;

use crate::config::{ProductIdSource, Settings};
use crate::map::{Cell, Item, Key};
use crate::money;
use crate::normalize::trim;

use super::payload::Content;
use super::stop::Ctx;

/// What the order's items give `custom_data`, borrowing their texts.
pub(super) struct Contents<'a> {
    /// Product ids, without duplicates, in order.
    pub content_ids: Vec<&'a str>,
    /// One entry per item.
    pub contents: Vec<Content<'a>>,
    /// The order's own count, else the items' quantities added up.
    pub num_items: Option<i64>,
    /// The items' prices times quantities, when every item has a price and nothing
    /// overflowed.
    pub gross: Option<Decimal>,
}

/// Items the order packs into cells (packed or JSON columns), to go after its own rows'
/// items; a cell that does not read is a warning. The caller keeps them while the event is
/// built, as [`contents`] borrows their texts.
pub(super) fn packed(ctx: &mut Ctx) -> Vec<Item> {
    let order = ctx.order;
    let mut extra: Vec<Item> = Vec::new();
    for c in order.all(Key::LineItems) {
        extra.extend(packed_items(c));
    }
    // Meta's `contents`: a JSON (or relaxed JSON) array of items.
    if let Some(c) = order.get(Key::Contents) {
        match crate::map::parse_contents(c) {
            Ok(parsed) => extra.extend(parsed),
            Err(e) => ctx.warn(
                Some(c),
                "invalid_contents",
                format!("{e}; its items were left out"),
                Some("write it as Meta documents it, e.g. `[{id: \"SKU1\", quantity: 1, price: 9.99}]`".into()),
            ),
        }
    }
    extra
}

/// The order's items (rows, then the `packed` ones) as `custom_data` wants them, their
/// texts borrowed; a quantity or price that does not read is left out with a warning.
pub(super) fn contents<'o: 'x, 'x>(
    ctx: &mut Ctx<'o>,
    s: &Settings,
    currency: Option<&'static str>,
    packed: &'x [Item],
) -> Contents<'x> {
    let order = ctx.order;
    let mut content_ids = DistinctIds::default();
    let mut contents = Vec::new();
    let items: Vec<&Item> = order.items.iter().chain(packed).collect();
    let mut num_items: i64 = 0;
    let mut gross = Decimal::ZERO;
    let mut gross_known = !items.is_empty();
    for &item in &items {
        let qty_cell = item_value(item, Key::ItemQuantity);
        let quantity = qty_cell.and_then(|c| quantity(ctx, s, c));
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
        let pick = |k: Key| item_value(item, k).map(|c| trim(&c.value));
        let pid = product_id(item, s);
        if let Some(p) = pid {
            content_ids.push(p);
        }
        let price = price.map(|p| without_float_noise(p, currency));
        contents.push(Content {
            id: pid,
            item_price: price.map(|p| money::format_for(p, currency)),
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
            content_ids.push(id);
        }
    }
    let num_items = match order.get(Key::NumItems) {
        Some(c) => trim(&c.value).parse().ok(),
        None if !items.is_empty() => Some(num_items),
        None => None,
    };
    Contents {
        content_ids: content_ids.ids,
        contents,
        num_items,
        gross: gross_known.then_some(gross),
    }
}

/// Content ids in first-seen order, each once: a scan while there are few (almost every
/// order), a hash set past that, so an order of 100,000 distinct items costs linear time
/// rather than quadratic (issue #12: it took 13.5 s, and a million never finished).
#[derive(Default)]
struct DistinctIds<'a> {
    ids: Vec<&'a str>,
    index: Option<std::collections::HashSet<&'a str>>,
}

impl<'a> DistinctIds<'a> {
    /// Ids up to this many are compared one by one; more get the hash set.
    const SCAN: usize = 32;

    fn push(&mut self, id: &'a str) {
        let known = match &self.index {
            Some(set) => set.contains(id),
            None => self.ids.contains(&id),
        };
        if known {
            return;
        }
        self.ids.push(id);
        match &mut self.index {
            Some(set) => {
                set.insert(id);
            }
            None if self.ids.len() > Self::SCAN => {
                self.index = Some(self.ids.iter().copied().collect());
            }
            None => {}
        }
    }
}

/// An item's quantity: a whole number, also as a decimal-comma spreadsheet writes it (`2,00`).
fn quantity(ctx: &mut Ctx, s: &Settings, c: &Cell) -> Option<i64> {
    let v = trim(&c.value);
    // Plain digits (almost every quantity) are the whole number they spell: no decimal to
    // read first. Eighteen digits always fit in an i64.
    if (1..=18).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()) {
        return v.parse().ok();
    }
    let q = whole_decimal(v, s.decimal_comma);
    if q.is_none() {
        ctx.warn(
            Some(c),
            "invalid_quantity",
            "the quantity is not a whole number; it was left out".into(),
            None,
        );
    }
    q.and_then(|q| i64::try_from(q).ok())
}

/// `v` as a decimal with no fraction, also as a decimal-comma spreadsheet writes it (`2,00`).
fn whole_decimal(v: &str, decimal_comma: bool) -> Option<Decimal> {
    v.parse::<Decimal>()
        .ok()
        .or_else(|| {
            v.bytes()
                .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
                .then(|| money::parse(v, decimal_comma).ok())
                .flatten()
        })
        .filter(|q| q.fract().is_zero())
}

/// The product identifier the `product_id` setting chooses for `item`.
fn product_id<'a>(item: &'a Item, s: &Settings) -> Option<&'a str> {
    // WooCommerce writes `variation_id: 0` (and often an empty SKU) for simple products:
    // not an identifier, so `auto` goes on to the next one.
    let pick_id = |k: Key| {
        item_value(item, k)
            .map(|c| trim(&c.value))
            .filter(|v| !v.is_empty() && *v != "0")
    };
    match s.product_id {
        ProductIdSource::Auto => pick_id(Key::ItemSku)
            .or_else(|| pick_id(Key::ItemVariantId))
            .or_else(|| pick_id(Key::ItemProductId)),
        ProductIdSource::Sku => pick_id(Key::ItemSku),
        ProductIdSource::VariantId => pick_id(Key::ItemVariantId),
        ProductIdSource::ProductId => pick_id(Key::ItemProductId),
    }
}

/// More decimals than this in an item price are float noise, not a price.
const FLOAT_NOISE_SCALE: u32 = 6;

/// WooCommerce's API gives a line's `price` as a float (its total over its quantity,
/// `16.666666666666668`): such float noise is rounded to the currency's minor unit.
fn without_float_noise(p: Decimal, currency: Option<&'static str>) -> Decimal {
    if p.scale() > FLOAT_NOISE_SCALE {
        // Half away from zero, as prices are rounded; `round_dp` would round a
        // half to even (`16.6650000` to `16.66`).
        p.round_dp_with_strategy(
            currency.map_or(2, money::decimals),
            rust_decimal::RoundingStrategy::MidpointAwayFromZero,
        )
    } else {
        p
    }
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
                            value: v.into(),
                            column: cell.column,
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
                        value: v.into(),
                        column: cell.column,
                        line: cell.line,
                    },
                ));
            }
            if let Some(id) = bare_id.filter(|_| item_value(&item, Key::ItemProductId).is_none()) {
                item.push((
                    Key::ItemProductId,
                    Cell {
                        value: id.into(),
                        column: cell.column,
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
                                value: unit.round_dp(2).to_string().into(),
                                column: cell.column,
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

#[cfg(test)]
mod tests {
    proptest::proptest! {
        /// Plain digits, which `quantity` reads as an integer, are the number the decimal
        /// reading gives.
        #[test]
        fn digits_are_the_whole_decimal_they_spell(v in "[0-9]{1,18}", decimal_comma in proptest::bool::ANY) {
            let decimal = super::whole_decimal(&v, decimal_comma).and_then(|q| i64::try_from(q).ok());
            proptest::prop_assert_eq!(v.parse::<i64>().ok(), decimal);
        }
    }

    use super::*;

    /// The items packed in `value`, a cell of `column` on line 2.
    fn packed(column: &str, value: &str) -> Vec<Item> {
        packed_items(&Cell {
            value: value.into(),
            column: crate::map::intern(column),
            line: 2,
        })
    }

    /// The text of `key` in item `i`, if it has one.
    fn get(items: &[Item], i: usize, key: Key) -> Option<&str> {
        item_value(&items[i], key).map(|c| c.value.as_str())
    }

    #[test]
    fn bigcommerce_product_details() {
        let items = packed("Product Details", "Product ID: 77, Product Qty: 2, Product SKU: CND-8, Product Name: Matches, Gift Box, Product Weight: 0.5000, Product Variation Details: Scent: Cedar, Size: L, Product Unit Price: 22.00, Product Total Price: 44.00|Product ID: 80, Product Qty: 1, Product SKU: , Product Name: Reed, Product Variation Details: , Product Unit Price: 37.00, Product Total Price: 37.00");
        assert_eq!(items.len(), 2);
        assert_eq!(get(&items, 0, Key::ItemProductId), Some("77"));
        assert_eq!(get(&items, 0, Key::ItemQuantity), Some("2"));
        assert_eq!(get(&items, 0, Key::ItemSku), Some("CND-8"));
        assert_eq!(get(&items, 0, Key::ItemName), Some("Matches, Gift Box"));
        assert_eq!(get(&items, 0, Key::ItemPrice), Some("22.00"));
        assert_eq!(get(&items, 1, Key::ItemProductId), Some("80"));
        assert_eq!(get(&items, 1, Key::ItemSku), None);
        assert_eq!(get(&items, 1, Key::ItemPrice), Some("37.00"));
    }

    #[test]
    fn packed_woo_items() {
        let items = packed(
            "line_items",
            "name:Mug|sku:M-1|quantity:2|total:20.00;name:Tee|product_id:7|quantity:1|total:5",
        );
        assert_eq!(items.len(), 2);
        assert_eq!(get(&items, 0, Key::ItemPrice), Some("10.00"));
        assert_eq!(get(&items, 1, Key::ItemProductId), Some("7"));
    }

    #[test]
    fn distinct_ids_keep_first_seen_order_on_both_sides_of_the_scan_bound() {
        for n in [3, DistinctIds::SCAN, DistinctIds::SCAN + 1, 200_000] {
            let skus: Vec<String> = (0..n).rev().map(|i| format!("sku-{i}")).collect();
            let mut d = DistinctIds::default();
            for round in 0..2 {
                for sku in &skus {
                    d.push(sku);
                }
                assert_eq!(d.ids.len(), n, "round {round}");
            }
            assert_eq!(d.ids[0], format!("sku-{}", n - 1));
            assert_eq!(d.ids[n - 1], "sku-0");
            assert_eq!(d.index.is_some(), n > DistinctIds::SCAN);
        }
    }

    #[test]
    fn packed_line_item_id_does_not_shadow_the_product_id() {
        let items = packed("line_items", "id:991|name:Mug|product_id:240|quantity:1|total:12.50;id:77|name:Tee|quantity:1|total:5");
        assert_eq!(get(&items, 0, Key::ItemProductId), Some("240"));
        assert_eq!(get(&items, 1, Key::ItemProductId), Some("77"));
    }

    #[test]
    fn packed_item_names_keep_their_semicolons() {
        let items = packed("line_item_1", "name:Napkins; Set of 4|sku:NAP-4|quantity:2|total:40.00\nname:Board: Oak|product_id:302|quantity:1|total:50.00");
        assert_eq!(items.len(), 2);
        assert_eq!(get(&items, 0, Key::ItemName), Some("Napkins; Set of 4"));
        assert_eq!(get(&items, 0, Key::ItemSku), Some("NAP-4"));
        assert_eq!(get(&items, 1, Key::ItemName), Some("Board: Oak"));
    }
}
