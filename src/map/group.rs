//! Grouping of consecutive rows into orders.

use super::Order;
use crate::seen::Seen;

/// Folds consecutive rows that share a group key into one order; flags a key that comes back
/// after other orders, so it is reported instead of merged silently.
#[derive(Default)]
pub struct Grouper {
    current: Option<Order>,
    seen: Option<Seen>,
}

impl Grouper {
    /// Adds a row fragment; returns the previous order when this row starts a new one.
    pub fn push(&mut self, mut frag: Order) -> Option<Order> {
        if let (Some(cur), Some(g)) = (self.current.as_mut(), frag.group.as_deref()) {
            if cur.group.as_deref() == Some(g) {
                cur.absorb(frag);
                return None;
            }
        }
        // A row with a line item and nothing else, not even the order key, continues the
        // order above it: exports that fill order columns on an order's first row only
        // (AlgolPlus "Advanced Order Export") leave the key blank too. Alone it could never
        // become an event.
        if let Some(cur) = self.current.as_mut() {
            if frag.group.is_none()
                && cur.group.is_some()
                && frag.fields.is_empty()
                && !frag.items.is_empty()
            {
                cur.absorb(frag);
                return None;
            }
        }
        if let Some(g) = frag.group.as_deref() {
            // Only a certain repeat rejects the order (see `Seen`); a "maybe" is left to the
            // event-id check, which warns.
            frag.repeat = self
                .seen
                .get_or_insert_with(Seen::default)
                .insert(g)
                .is_repeat();
        }
        self.current.replace(frag)
    }

    /// The last order, at the end of the input.
    pub fn finish(&mut self) -> Option<Order> {
        self.current.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::Preset;
    use std::sync::Arc;

    fn frag(line: u64, g: &str) -> Order {
        Order {
            file: Arc::from("t"),
            line,
            end_line: line,
            preset: Preset::Shopify,
            fields: Vec::new(),
            items: vec![Vec::new()],
            group: Some(g.to_owned()),
            repeat: false,
        }
    }

    #[test]
    fn groups_consecutive_and_flags_repeats() {
        let mut g = Grouper::default();
        assert!(g.push(frag(2, "#1")).is_none());
        assert!(g.push(frag(3, "#1")).is_none());
        let first = g.push(frag(4, "#2")).unwrap();
        assert_eq!((first.line, first.end_line, first.items.len()), (2, 3, 2));
        let second = g.push(frag(5, "#1")).unwrap();
        assert!(!second.repeat);
        let third = g.finish().unwrap();
        assert!(third.repeat);
        assert_eq!(third.line, 5);
    }

    #[test]
    fn past_the_exact_bound_a_repeat_is_never_rejected_on_a_guess() {
        let mut g = Grouper {
            seen: Some(Seen::with_bound(1)),
            ..Grouper::default()
        };
        let mut out = Vec::new();
        for (line, key) in [(2, "#1"), (3, "#2"), (4, "#3"), (5, "#2"), (6, "#1")] {
            out.extend(g.push(frag(line, key)));
        }
        out.extend(g.finish());
        let repeats: Vec<bool> = out.iter().map(|o| o.repeat).collect();
        // `#1` is within the bound: its return is certain. `#2` came past it: only "maybe".
        assert_eq!(repeats, [false, false, false, false, true]);
    }

    #[test]
    fn item_only_rows_without_a_key_continue_the_order_above() {
        let mut g = Grouper::default();
        assert!(g.push(frag(2, "#1")).is_none());
        let mut item_only = frag(3, "");
        item_only.group = None;
        assert!(g.push(item_only.clone()).is_none());
        let first = g.push(frag(4, "#2")).unwrap();
        assert_eq!((first.line, first.end_line, first.items.len()), (2, 3, 2));
        // A row with order fields but no key stays an order of its own (and is reported).
        item_only.fields.push((
            crate::map::Key::Email,
            crate::map::Cell {
                value: "a@example.com".into(),
                column: Arc::from("email"),
                line: 5,
            },
        ));
        assert_eq!(g.push(item_only).unwrap().line, 4);
        let own = g.finish().unwrap();
        assert_eq!((own.group.as_deref(), own.fields.len()), (None, 1));
    }
}
