//! Shopify GraphQL Admin API bulk operation output: one object per line, the nodes of a nested
//! connection (an order's `lineItems`) on lines of their own that name their parent in
//! `__parentId`. Children are folded back into their parent (`lineItems: [...]`) before the
//! order is handed on, so a line item is never mistaken for an order.
//!
//! With `groupObjects: true` every child follows its parent directly; with `groupObjects:
//! false` (the default from API version 2026-01) a child only comes somewhere after its
//! parent. Orders are therefore held in a window of [`WINDOW`] orders: a child whose order is
//! still in the window is attached wherever it comes; one whose order already left the window
//! stops the input with a message, rather than an order going out without its items.
//!
//! A saved GraphQL Admin API response (`{"data": {"orders": {"edges": [{"node": ...}]}}}`)
//! is opened up the same way: each node is an order, and its connections become arrays.

use std::collections::{HashMap, VecDeque};

use serde_json::Value;

use super::{InputError, Raw, ReadProblem};
use crate::seen::Seen;

type Item = Option<Result<Result<Raw, ReadProblem>, InputError>>;

/// Orders held back waiting for their children; bounds memory on big files.
pub const WINDOW: usize = 25_000;
/// The most bytes of order text held back: orders of up to 1 MiB each would make even a
/// window of [`WINDOW`] orders gigabytes.
pub const WINDOW_BYTES: usize = 64 << 20;

/// Folds bulk operation children into their parents; passes other records through.
#[derive(Default)]
pub struct Grouping {
    /// Records ready to hand out, in input order.
    held: VecDeque<Held>,
    /// `gid` of a held order → its sequence number.
    index: HashMap<String, u64>,
    /// Sequence number of `held[0]`.
    base: u64,
    /// The `gid`s of orders already handed out, in bounded memory.
    gone: Seen,
    /// Orders that are bulk objects (have a `gid://` id) among `held`.
    orders: usize,
    /// Bytes of text of the parked orders and their children.
    bytes: usize,
    /// Child lines folded into their parent: records of the input, like the line-item rows
    /// of a CSV order.
    folded: u64,
    /// Name of the input, for messages.
    name: String,
    done: bool,
}

struct Held {
    item: HeldItem,
    gid: Option<String>,
}

enum HeldItem {
    /// A record to hand out as it is.
    Ready(Result<Result<Raw, ReadProblem>, InputError>),
    /// An order waiting for its children, kept as compact JSON text: parsed, an order takes
    /// about ten times the memory of its text, and the window holds thousands of them.
    Parked {
        line: u64,
        text: Box<str>,
        /// Each child's connection (`lineItems`) and text, in input order.
        children: Vec<(String, Box<str>)>,
    },
}

impl HeldItem {
    /// The record to hand out: a parked order is parsed again with its children folded in.
    fn into_record(self) -> Result<Result<Raw, ReadProblem>, InputError> {
        let (line, text, children) = match self {
            HeldItem::Ready(item) => return item,
            HeldItem::Parked {
                line,
                text,
                children,
            } => (line, text, children),
        };
        // Text pinconv wrote from a value it parsed reads back the same.
        let parse = |t: &str| serde_json::from_str::<Value>(t).unwrap_or(Value::Null);
        let mut value = parse(&text);
        if let Some(obj) = value.as_object_mut() {
            for (field, child) in children {
                let slot = obj.entry(field).or_insert_with(|| Value::Array(Vec::new()));
                if !slot.is_array() {
                    *slot = Value::Array(Vec::new());
                }
                if let Value::Array(a) = slot {
                    a.push(parse(&child));
                }
            }
        }
        Ok(Ok(Raw::Object { line, value }))
    }
}

/// `gid://shopify/LineItem/1` → `lineItems`, the connection the node came from. A child whose
/// query did not select its `id` is a line item when it has a line item's fields (a bulk query
/// of orders nests little else that carries a quantity or a product).
fn connection(node: &Value) -> String {
    const LINE_ITEM_FIELDS: [&str; 6] = [
        "quantity",
        "sku",
        "product",
        "variant",
        "originalUnitPriceSet",
        "discountedUnitPriceSet",
    ];
    let ty = node
        .get("id")
        .and_then(Value::as_str)
        .and_then(|g| g.strip_prefix("gid://"))
        .and_then(|g| g.split('/').nth(1))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| {
            if LINE_ITEM_FIELDS.iter().any(|f| node.get(f).is_some()) {
                "LineItem"
            } else {
                "Child"
            }
        });
    let mut out = String::with_capacity(ty.len() + 1);
    let mut chars = ty.chars();
    if let Some(c) = chars.next() {
        out.extend(c.to_lowercase());
    }
    out.extend(chars);
    out.push('s');
    out
}

impl Grouping {
    /// Groups the records of the input `name`.
    #[must_use]
    pub fn new(name: &str) -> Grouping {
        Grouping {
            name: name.to_owned(),
            ..Grouping::default()
        }
    }

    /// How many child lines were folded into their parents so far.
    #[must_use]
    pub fn folded(&self) -> u64 {
        self.folded
    }

    /// The next record, reading from `next` as needed.
    pub fn next(&mut self, next: &mut dyn FnMut() -> Item) -> Item {
        loop {
            // Hand out what no child can change any more: anything before the first held
            // order, and the oldest orders once the window is full.
            if let Some(front) = self.held.front() {
                if front.gid.is_none()
                    || self.done
                    || self.orders > WINDOW
                    || self.bytes > WINDOW_BYTES
                {
                    return self.pop();
                }
            } else if self.done {
                return None;
            }
            match next() {
                None => self.done = true,
                Some(Ok(Ok(Raw::Object { line, value }))) => {
                    if let Some(item) = self.object(line, value) {
                        return Some(item);
                    }
                }
                Some(other) => {
                    // A fatal error ends the input: asking the reader again would only give
                    // the same error again. The orders held before it go out first.
                    if other.is_err() {
                        self.done = true;
                    }
                    if self.held.is_empty() {
                        return Some(other);
                    }
                    self.held.push_back(Held {
                        item: HeldItem::Ready(other),
                        gid: None,
                    });
                }
            }
        }
    }

    fn pop(&mut self) -> Item {
        let h = self.held.pop_front()?;
        self.base += 1;
        if let HeldItem::Parked { text, children, .. } = &h.item {
            self.bytes -= text.len() + children.iter().map(|(_, c)| c.len()).sum::<usize>();
        }
        if let Some(g) = h.gid {
            self.index.remove(&g);
            self.gone.insert(&g);
            self.orders -= 1;
        }
        Some(h.item.into_record())
    }

    /// Takes in one object; returns a record to hand out at once, or an error.
    fn object(
        &mut self,
        line: u64,
        value: Value,
    ) -> Option<Result<Result<Raw, ReadProblem>, InputError>> {
        let errors = graphql_error_codes(&value);
        match graphql_orders(value) {
            Err(orders) if orders.is_empty() && errors.is_some() => {
                Some(Err(graphql_error(&self.name, errors)))
            }
            Ok(value) if errors.is_some() && value.as_object().is_some_and(|o| o.len() <= 3) => {
                Some(Err(graphql_error(&self.name, errors)))
            }
            Ok(value) => self.bulk_object(line, value),
            Err(orders) => {
                let mut orders = orders.into_iter();
                let first = orders.next()?;
                let out = self.bulk_object(line, first);
                for value in orders {
                    if let Some(item) = self.bulk_object(line, value) {
                        self.held.push_back(Held {
                            item: HeldItem::Ready(item),
                            gid: None,
                        });
                    }
                }
                out
            }
        }
    }

    /// One bulk operation line (or plain record).
    fn bulk_object(
        &mut self,
        line: u64,
        mut value: Value,
    ) -> Option<Result<Result<Raw, ReadProblem>, InputError>> {
        let parent = value
            .get("__parentId")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let Some(parent) = parent else {
            let gid = value
                .get("id")
                .and_then(Value::as_str)
                .filter(|id| id.starts_with("gid://"))
                .map(str::to_owned);
            if gid.is_none() && self.held.is_empty() {
                return Some(Ok(Ok(Raw::Object { line, value })));
            }
            let item = match &gid {
                Some(g) => {
                    self.index
                        .insert(g.clone(), self.base + self.held.len() as u64);
                    self.orders += 1;
                    let text: Box<str> = value.to_string().into();
                    self.bytes += text.len();
                    HeldItem::Parked {
                        line,
                        text,
                        children: Vec::new(),
                    }
                }
                None => HeldItem::Ready(Ok(Ok(Raw::Object { line, value }))),
            };
            self.held.push_back(Held { item, gid });
            return None;
        };
        if let Some(obj) = value.as_object_mut() {
            obj.remove("__parentId");
        }
        let at = self
            .index
            .get(&parent)
            .map(|seq| (seq - self.base) as usize);
        if let Some(Held {
            item: HeldItem::Parked { children, .. },
            ..
        }) = at.and_then(|i| self.held.get_mut(i))
        {
            let text: Box<str> = value.to_string().into();
            self.bytes += text.len();
            children.push((connection(&value), text));
            self.folded += 1;
            return None;
        }
        // Only a certain answer stops the input; past the exact memory's bound a parent that
        // is merely possibly gone leaves this line reported below, not the run stopped.
        if self.gone.contains(&parent).is_repeat() {
            return Some(Err(InputError::Shape {
                path: self.name.clone(),
                message: format!(
                    "line {line}: a line item of order `{parent}` comes more than {WINDOW} orders (or {} MiB of orders) after its order, which was already read without it",
                    WINDOW_BYTES >> 20
                ),
                hint: Some(
                    "the bulk operation output is not grouped; run `bulkOperationRunQuery` with `groupObjects: true`, or group the file first: `jq -c -s 'group_by(.__parentId // .id) | map(sort_by(has(\"__parentId\"))) | .[][]' in.jsonl > grouped.jsonl`"
                        .into(),
                ),
            }));
        }
        Some(Ok(Err(ReadProblem {
            line,
            column: Some("__parentId".into()),
            message: format!("this line belongs to `{parent}`, which is not earlier in the input; it was left out"),
            hint: Some("bulk operation output lists every parent before its children: is the file complete and unsorted?".into()),
        })))
    }
}

/// The `extensions.code`s of a GraphQL error answer (`{"errors": [...]}`), `None` when the value
/// has no `errors` list. Only the codes are shown: an error's message may quote the query's
/// variables.
fn graphql_error_codes(value: &Value) -> Option<Vec<String>> {
    let errors = value.get("errors")?.as_array()?;
    Some(
        errors
            .iter()
            .filter_map(|e| e.get("extensions")?.get("code")?.as_str())
            .map(str::to_owned)
            .collect(),
    )
}

/// The error for a saved GraphQL error answer that holds no orders.
fn graphql_error(name: &str, codes: Option<Vec<String>>) -> InputError {
    let codes = codes.unwrap_or_default();
    let codes = if codes.is_empty() {
        String::new()
    } else {
        format!(" (`{}`)", codes.join("`, `"))
    };
    InputError::Shape {
        path: name.to_owned(),
        message: format!("this is an error answer of the Shopify GraphQL Admin API{codes}, not orders"),
        hint: Some("run the query again with an access token that has the `read_orders` scope (`ACCESS_DENIED`), or later (`THROTTLED`), and save its `data`".into()),
    }
}

/// The order nodes of a GraphQL response (`Err`), or the value itself when it is not one.
fn graphql_orders(value: Value) -> Result<Value, Vec<Value>> {
    let is_response = value
        .get("data")
        .and_then(Value::as_object)
        .is_some_and(|d| d.contains_key("orders") || d.contains_key("order"));
    if !is_response {
        return Ok(value);
    }
    let Value::Object(mut top) = value else {
        return Ok(Value::Null);
    };
    let Some(Value::Object(mut data)) = top.remove("data") else {
        return Err(Vec::new());
    };
    let nodes = match data.remove("orders") {
        Some(conn) => connection_nodes(conn).unwrap_or_default(),
        None => data.remove("order").into_iter().collect(),
    };
    Err(nodes
        .into_iter()
        .filter(Value::is_object)
        .map(|mut order| {
            if let Some(obj) = order.as_object_mut() {
                for v in obj.values_mut() {
                    if let Some(nodes) = connection_nodes(v.clone()) {
                        *v = Value::Array(nodes);
                    }
                }
            }
            order
        })
        .collect())
}

/// The nodes of a connection, `{"edges": [{"node": ...}]}` or `{"nodes": [...]}`.
fn connection_nodes(conn: Value) -> Option<Vec<Value>> {
    let Value::Object(mut c) = conn else {
        return None;
    };
    if let Some(Value::Array(nodes)) = c.remove("nodes") {
        return Some(nodes);
    }
    match c.remove("edges") {
        Some(Value::Array(edges)) => Some(
            edges
                .into_iter()
                .filter_map(|mut e| e.get_mut("node").map(Value::take))
                .collect(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(lines: Vec<Value>) -> Vec<Result<Result<Raw, ReadProblem>, InputError>> {
        run_counted(lines).0
    }

    type Record = Result<Result<Raw, ReadProblem>, InputError>;

    fn run_counted(lines: Vec<Value>) -> (Vec<Record>, u64) {
        let mut src = lines
            .into_iter()
            .enumerate()
            .map(|(i, value)| {
                Ok(Ok(Raw::Object {
                    line: i as u64 + 1,
                    value,
                }))
            })
            .collect::<VecDeque<_>>();
        let mut g = Grouping::new("t.jsonl");
        let mut next = || src.pop_front();
        let got = std::iter::from_fn(|| g.next(&mut next)).collect();
        (got, g.folded())
    }

    fn objects(got: &[Result<Result<Raw, ReadProblem>, InputError>]) -> Vec<(u64, Value)> {
        got.iter()
            .filter_map(|r| match r {
                Ok(Ok(Raw::Object { line, value })) => Some((*line, value.clone())),
                _ => None,
            })
            .collect()
    }

    fn order(n: u32) -> Value {
        json!({"id": format!("gid://shopify/Order/{n}")})
    }

    fn item(n: u32, parent: u32) -> Value {
        json!({"id": format!("gid://shopify/LineItem/{n}"), "__parentId": format!("gid://shopify/Order/{parent}")})
    }

    #[test]
    fn grouped_children_join_their_order() {
        let (got, folded) = run_counted(vec![
            order(1),
            item(10, 1),
            item(11, 1),
            order(2),
            item(20, 2),
        ]);
        let o = objects(&got);
        assert_eq!(o.len(), 2);
        assert_eq!(folded, 3, "every line is accounted for");
        assert_eq!(o[0].0, 1);
        assert_eq!(o[0].1["lineItems"].as_array().unwrap().len(), 2);
        assert_eq!(o[1].0, 4);
        assert_eq!(o[1].1["lineItems"][0]["id"], "gid://shopify/LineItem/20");
        assert!(o[1].1["lineItems"][0].get("__parentId").is_none());
    }

    #[test]
    fn ungrouped_children_anywhere_after_their_order() {
        let got = run(vec![
            order(1),
            order(2),
            order(3),
            item(30, 3),
            item(10, 1),
            item(20, 2),
        ]);
        let o = objects(&got);
        assert_eq!(
            o.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            vec![1, 2, 3],
            "input order is kept"
        );
        for (_, v) in &o {
            assert_eq!(v["lineItems"].as_array().unwrap().len(), 1);
        }
    }

    #[test]
    fn plain_ndjson_passes_straight_through() {
        let got = run(vec![json!({"id": 1}), json!({"id": 2})]);
        assert_eq!(objects(&got).len(), 2);
    }

    #[test]
    fn an_orphan_is_a_row_problem() {
        let got = run(vec![order(1), item(90, 9)]);
        assert_eq!(objects(&got).len(), 1);
        let p = got
            .iter()
            .find_map(|r| r.as_ref().ok()?.as_ref().err())
            .unwrap();
        assert_eq!(p.line, 2);
        assert!(p.message.contains("gid://shopify/Order/9"));
    }

    #[test]
    fn a_child_after_its_order_left_the_window_stops_the_input() {
        let mut lines: Vec<Value> = (0..=WINDOW as u32 + 1).map(order).collect();
        lines.push(item(1, 0));
        let got = run(lines);
        assert!(got.iter().any(
            |r| matches!(r, Err(InputError::Shape { message, .. }) if message.contains("Order/0`"))
        ));
    }

    #[test]
    fn graphql_responses_open_up_into_orders() {
        let got = run(vec![json!({"data": {"orders": {"edges": [
            {"node": {"id": "gid://shopify/Order/1", "lineItems": {"edges": [{"node": {"sku": "A"}}]}}},
            {"node": {"id": "gid://shopify/Order/2", "lineItems": {"nodes": [{"sku": "B"}, {"sku": "C"}]}}}
        ]}}, "extensions": {"cost": {}}})]);
        let o = objects(&got);
        assert_eq!(o.len(), 2);
        assert_eq!(o[0].1["lineItems"][0]["sku"], "A");
        assert_eq!(o[1].1["lineItems"].as_array().unwrap().len(), 2);
        let one = run(vec![
            json!({"data": {"order": {"id": "gid://shopify/Order/3"}}}),
        ]);
        assert_eq!(objects(&one)[0].1["id"], "gid://shopify/Order/3");
        // A shop's own `data` field is left alone.
        let plain = run(vec![json!({"id": 4, "data": {"x": 1}})]);
        assert_eq!(objects(&plain)[0].1["data"]["x"], 1);
    }

    #[test]
    fn a_graphql_error_answer_stops_the_input_with_its_codes() {
        let denied = json!({
            "data": {"orders": null},
            "errors": [{"message": "Access denied for orders field.", "extensions": {"code": "ACCESS_DENIED"}}],
        });
        let bare =
            json!({"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]});
        for (value, code) in [(denied, "ACCESS_DENIED"), (bare, "THROTTLED")] {
            let got = run(vec![value]);
            match got.as_slice() {
                [Err(InputError::Shape { message, .. })] => {
                    assert!(message.contains(code), "{message}");
                    assert!(!message.contains("denied for"), "{message}");
                }
                other => panic!("not an input error: {other:?}"),
            }
        }
        // Orders beside partial errors are still read.
        let partial = json!({
            "data": {"orders": {"nodes": [order(1)]}},
            "errors": [{"message": "x", "extensions": {"code": "MAX_COST_EXCEEDED"}}],
        });
        assert_eq!(objects(&run(vec![partial])).len(), 1);
    }

    #[test]
    fn connection_names() {
        assert_eq!(
            connection(&json!({"id": "gid://shopify/LineItem/1"})),
            "lineItems"
        );
        assert_eq!(
            connection(&json!({"id": "gid://shopify/Metafield/1"})),
            "metafields"
        );
        // No `id` selected: the fields tell a line item from anything else.
        assert_eq!(
            connection(&json!({"quantity": 2, "sku": "MUG-1"})),
            "lineItems"
        );
        assert_eq!(connection(&json!({"key": "gift"})), "childs");
    }
}
