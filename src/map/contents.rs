//! Meta's `contents` column: a JSON array of items, which Meta's own examples write as
//! JavaScript (`[{id: "A", quantity: 1, price: 11.99}]`: unquoted keys, single quotes,
//! trailing commas), so it is read as JSON5, a superset of JSON.

use serde_json::Value;

use super::{Cell, Item, Key};

/// Item keys Meta and CAPI use inside `contents`, to the item fields they fill.
const ITEM_KEYS: &[(&str, Key)] = &[
    ("id", Key::ItemProductId),
    ("content_id", Key::ItemProductId),
    ("quantity", Key::ItemQuantity),
    ("price", Key::ItemPrice),
    ("item_price", Key::ItemPrice),
    ("brand", Key::ItemBrand),
    ("item_brand", Key::ItemBrand),
    ("category", Key::ItemCategory),
    ("item_category", Key::ItemCategory),
    ("title", Key::ItemName),
    ("name", Key::ItemName),
    ("item_name", Key::ItemName),
];

/// The deepest nesting of `[` and `{` a `contents` cell may have. Items are flat objects in
/// an array, two levels; the rest is room for brackets inside item names, which this count
/// does not tell from structure. The JSON5 parser recurses once per level with no limit of
/// its own: a cell of a few thousand `[` overflowed the build thread's stack.
const MAX_DEPTH: usize = 64;

/// Whether `text` opens more than [`MAX_DEPTH`] brackets at once, counting every `[` and `{`,
/// in strings and comments too: an overcount only turns a strange cell into a warning,
/// while a quote that fooled the count could let a deep one reach the parser.
fn too_deep(text: &str) -> bool {
    let mut depth = 0usize;
    for &b in text.as_bytes() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// The items of a `contents` cell (an array of item objects, or one object); the message of
/// an error names no value.
pub fn parse_contents(cell: &Cell) -> Result<Vec<Item>, String> {
    let text = cell.value.trim();
    if too_deep(text) {
        return Err(format!(
            "`contents` nests brackets more than {MAX_DEPTH} levels deep, so it is no array of items"
        ));
    }
    let value: Value = json5::from_str(text).map_err(|_| {
        "`contents` is not a JSON array of items (such as `[{id: \"A\", quantity: 1}]`)".to_owned()
    })?;
    let objects = match value {
        Value::Array(a) => a,
        o @ Value::Object(_) => vec![o],
        _ => return Err("`contents` is not a JSON array of items".to_owned()),
    };
    let column = cell.column;
    let mut items = Vec::new();
    for o in objects {
        let Value::Object(map) = o else {
            return Err("an element of `contents` is not an item object".to_owned());
        };
        let mut item: Item = Vec::new();
        for (name, key) in ITEM_KEYS {
            if item.iter().any(|(k, _)| k == key) {
                continue;
            }
            let text = match map.get(*name) {
                Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
                Some(Value::Number(n)) => n.to_string(),
                _ => continue,
            };
            item.push((
                *key,
                Cell {
                    value: text.into(),
                    column,
                    line: cell.line,
                },
            ));
        }
        if !item.is_empty() {
            items.push(item);
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(v: &str) -> Cell {
        Cell {
            value: v.into(),
            column: "contents",
            line: 4,
        }
    }

    fn get(item: &Item, k: Key) -> Option<&str> {
        item.iter()
            .find(|(x, _)| *x == k)
            .map(|(_, c)| c.value.as_str())
    }

    #[test]
    fn relaxed_and_strict_json() {
        for text in [
            r#"[{ id: "810547695", quantity: 1, price: 11.99 }]"#,
            r#"[{'id': '810547695', 'quantity': 1, 'price': 11.99,},]"#,
            r#"[{"id": "810547695", "quantity": 1, "item_price": "11.99"}]"#,
            r#"{id: 810547695, quantity: 1, price: 11.99}"#,
        ] {
            let items = parse_contents(&cell(text)).unwrap();
            assert_eq!(items.len(), 1, "{text}");
            assert_eq!(get(&items[0], Key::ItemProductId), Some("810547695"));
            assert_eq!(get(&items[0], Key::ItemQuantity), Some("1"));
            assert_eq!(get(&items[0], Key::ItemPrice), Some("11.99"));
            assert_eq!(items[0][0].1.line, 4);
        }
        let two = parse_contents(&cell(
            "[{id: 'A', quantity: 2, brand: 'Acme'}, {id: 'B', quantity: 1}]",
        ))
        .unwrap();
        assert_eq!(two.len(), 2);
        assert_eq!(get(&two[0], Key::ItemBrand), Some("Acme"));
    }

    #[test]
    fn not_contents() {
        assert!(parse_contents(&cell("SKU1;SKU2")).is_err());
        assert!(parse_contents(&cell("[1, 2]")).is_err());
        assert!(parse_contents(&cell("\"x\"")).is_err());
        assert!(parse_contents(&cell("[]")).unwrap().is_empty());
    }

    #[test]
    fn deep_nesting_is_refused_before_the_parser_recurses() {
        // Enough to overflow a thread's stack in the parser (about 5,400 levels did).
        for text in [
            "[".repeat(100_000),
            "{a:".repeat(100_000),
            "[{".repeat(50_000),
        ] {
            let e = parse_contents(&cell(&text)).unwrap_err();
            assert!(e.contains("more than 64 levels"), "{e}");
        }
        // Within the limit it is the parser's to judge; brackets in names are counted but
        // close again.
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(!parse_contents(&cell(&ok))
            .unwrap_err()
            .contains("levels deep"));
        let named = parse_contents(&cell(
            "[{id: 'A', title: 'Shirt [XL] {blue}', quantity: 1}, {id: 'B'}]",
        ))
        .unwrap();
        assert_eq!(get(&named[0], Key::ItemName), Some("Shirt [XL] {blue}"));
    }
}
