//! Grouping of consecutive rows into orders, never mixing people: a row with the same order
//! key as the rows above it joins their order only when it is a continuation row, whose
//! order-level fields (email, phone, name, time, totals) are empty or the same as the order's.

use std::sync::Arc;

use super::{Cells, CsvMapper, Key, Order};
use crate::normalize::trim;
use crate::seen::Seen;

/// Whether a continuation row must leave `key` empty or repeat the order's value: the
/// order-level fields. A row that disagrees on any is another purchase (another customer,
/// time or total) that happens to carry the same key, as in a generic events file whose
/// `order_id` repeats.
pub(super) fn is_order_level(key: Key) -> bool {
    matches!(
        key,
        Key::Email
            | Key::Phone
            | Key::FirstName
            | Key::LastName
            | Key::FullName
            | Key::EventTime
            | Key::Value
            | Key::Total
            | Key::Subtotal
    )
}

/// Where an order whose key the order just before it also had came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SameKey {
    /// First line of the first order with the key in this run of rows.
    pub first_line: u64,
    /// How many orders with the key came before this one in the run (1 for the second).
    pub earlier: u32,
}

/// Folds consecutive rows that share a group key into one order; flags a key that comes back
/// after other orders, so it is reported instead of merged silently.
#[derive(Default)]
pub struct Grouper {
    current: Option<Order>,
    seen: Option<Seen>,
}

/// A value as compared between rows: trimmed, and case-insensitive (emails differ in case
/// between the rows of one Shopify order).
pub(super) fn same(a: &str, b: &str) -> bool {
    trim(a).eq_ignore_ascii_case(trim(b))
}

/// Whether `frag` may join `order`: each order-level value it has is one the order has too.
fn continues(order: &Order, frag: &Order) -> bool {
    frag.fields
        .iter()
        .filter(|(k, _)| is_order_level(*k))
        .all(|(k, c)| order.all(*k).any(|o| same(&o.value, &c.value)))
}

impl Grouper {
    /// Adds a row fragment; returns the previous order when this row starts a new one.
    pub fn push(&mut self, mut frag: Order) -> Option<Order> {
        if let (Some(cur), Some(g)) = (self.current.as_mut(), frag.group.as_deref()) {
            if cur.group.as_deref() == Some(g) {
                if continues(cur, &frag) {
                    cur.absorb(frag);
                    return None;
                }
                // Another order under the same key: its own order, never merged.
                frag.same_key = Some(match cur.same_key {
                    Some(k) => SameKey {
                        first_line: k.first_line,
                        earlier: k.earlier + 1,
                    },
                    None => SameKey {
                        first_line: cur.line,
                        earlier: 1,
                    },
                });
                return self.current.replace(frag);
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

    /// Adds the CSV row at `line`: straight into the open order when it continues it
    /// ([`CsvMapper::continue_order`]), else mapped as an order of its own and given to
    /// [`Grouper::push`]. Returns the previous order when this row starts a new one.
    pub fn push_row<F: Cells + ?Sized>(
        &mut self,
        mapper: &CsvMapper,
        file: &Arc<str>,
        line: u64,
        fields: &F,
    ) -> Option<Order> {
        if let Some(order) = self.current.as_mut() {
            if mapper.continue_order(order, line, fields) {
                return None;
            }
        }
        self.push(mapper.row(file, line, fields))
    }

    /// The last order, at the end of the input.
    pub fn finish(&mut self) -> Option<Order> {
        self.current.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::{Cell, Preset};
    use std::sync::Arc;

    fn frag(line: u64, g: &str) -> Order {
        Order {
            file: Arc::from("t"),
            line,
            end_line: line,
            preset: Preset::Shopify,
            fields: crate::map::OrderFields::default(),
            items: vec![Vec::new()],
            group: Some(g.to_owned()),
            repeat: false,
            same_key: None,
            derive_event_id: false,
        }
    }

    fn with(mut o: Order, key: Key, value: &str) -> Order {
        let line = o.line;
        o.fields.push(
            key,
            Cell {
                value: value.into(),
                column: key.name(),
                line,
            },
        );
        o
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
    fn continuation_rows_repeat_or_leave_out_the_order_fields() {
        let mut g = Grouper::default();
        let row = |line| {
            with(
                with(frag(line, "1001"), Key::Email, "Ada@Example.com"),
                Key::EventTime,
                "2026-11-20 10:00",
            )
        };
        assert!(g.push(row(2)).is_none());
        assert!(g
            .push(with(row(3), Key::Email, "ada@example.com "))
            .is_none());
        assert!(g.push(frag(4, "1001")).is_none());
        let o = g.finish().unwrap();
        assert_eq!((o.line, o.end_line, o.items.len()), (2, 4, 3));
        assert!(o.same_key.is_none());
    }

    #[test]
    fn rows_of_different_people_under_one_key_stay_apart() {
        let mut g = Grouper::default();
        let person = |line, email: &str, total: &str| {
            with(
                with(frag(line, "1001"), Key::Email, email),
                Key::Total,
                total,
            )
        };
        assert!(g.push(person(2, "a@example.com", "10.00")).is_none());
        let a = g.push(person(3, "b@example.com", "10.00")).unwrap();
        let b = g.push(person(4, "c@example.com", "25.00")).unwrap();
        // Same person, another total: another purchase too.
        let c = g.push(person(5, "c@example.com", "30.00")).unwrap();
        let d = g.finish().unwrap();
        assert_eq!((a.line, a.end_line, a.same_key), (2, 2, None));
        assert_eq!(
            b.same_key,
            Some(SameKey {
                first_line: 2,
                earlier: 1
            })
        );
        assert_eq!(c.same_key.map(|k| (k.first_line, k.earlier)), Some((2, 2)));
        assert_eq!(d.same_key.map(|k| (k.first_line, k.earlier)), Some((2, 3)));
        assert!(![a, b, c, d].iter().any(|o| o.repeat));
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
        let item_only = with(item_only, Key::Email, "a@example.com");
        assert_eq!(g.push(item_only).unwrap().line, 4);
        let own = g.finish().unwrap();
        assert_eq!((own.group.as_deref(), own.fields.len()), (None, 1));
    }
}
