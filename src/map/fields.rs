//! An order's fields, with a record of which keys it has: most of the keys the event stage
//! asks an order for are ones it does not have (no `value` column, no click id, no user
//! agent…), and the record answers those without a scan of every field.

use super::{Cell, Key};

/// Bits of a key in [`OrderFields::present`].
fn bit(key: Key) -> u128 {
    1u128 << key as u32
}

// One bit per key.
const _: () = assert!(Key::ALL.len() <= 128);

/// Order-level fields in the order they were added; scalar keys at most once, multi keys any
/// number of times. The record of the keys present is kept by every method that adds a
/// field; none takes a field's key away or changes it.
#[derive(Clone, Debug, Default)]
pub struct OrderFields {
    list: Vec<(Key, Cell)>,
    /// Bit `k` is set when some field has key `k`.
    present: u128,
}

impl OrderFields {
    /// No fields, room for `n`.
    #[must_use]
    pub fn with_capacity(n: usize) -> Self {
        OrderFields {
            list: Vec::with_capacity(n),
            present: 0,
        }
    }

    /// Whether some field has `key`.
    #[must_use]
    pub fn has(&self, key: Key) -> bool {
        self.present & bit(key) != 0
    }

    /// The first value of `key`.
    #[must_use]
    pub fn get(&self, key: Key) -> Option<&Cell> {
        if !self.has(key) {
            return None;
        }
        self.list.iter().find(|(k, _)| *k == key).map(|(_, c)| c)
    }

    /// Every value of `key`, in order.
    pub fn all(&self, key: Key) -> impl Iterator<Item = &Cell> {
        let list = if self.has(key) { &self.list[..] } else { &[] };
        list.iter().filter(move |(k, _)| *k == key).map(|(_, c)| c)
    }

    /// Adds a field after the others.
    pub fn push(&mut self, key: Key, cell: Cell) {
        self.present |= bit(key);
        self.list.push((key, cell));
    }

    /// Adds a field before the others: the value [`OrderFields::get`] answers from now on.
    pub fn insert_first(&mut self, key: Key, cell: Cell) {
        self.present |= bit(key);
        self.list.insert(0, (key, cell));
    }

    /// Every field, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, (Key, Cell)> {
        self.list.iter()
    }

    /// Every field's cell, to change its text (never its key).
    pub fn cells_mut(&mut self) -> impl Iterator<Item = &mut Cell> {
        self.list.iter_mut().map(|(_, c)| c)
    }

    /// How many fields there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there is none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

impl FromIterator<(Key, Cell)> for OrderFields {
    fn from_iter<I: IntoIterator<Item = (Key, Cell)>>(iter: I) -> Self {
        let mut fields = OrderFields::default();
        for (k, c) in iter {
            fields.push(k, c);
        }
        fields
    }
}

impl IntoIterator for OrderFields {
    type Item = (Key, Cell);
    type IntoIter = std::vec::IntoIter<(Key, Cell)>;

    fn into_iter(self) -> Self::IntoIter {
        self.list.into_iter()
    }
}

impl<'a> IntoIterator for &'a OrderFields {
    type Item = &'a (Key, Cell);
    type IntoIter = std::slice::Iter<'a, (Key, Cell)>;

    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(v: &str) -> Cell {
        Cell {
            value: v.into(),
            column: "c",
            line: 2,
        }
    }

    /// Every way of adding a field keeps `get` and `all` answering as a scan of the list does.
    #[test]
    fn lookups_answer_as_a_scan_does() {
        let mut f: OrderFields = [(Key::Email, cell("a")), (Key::Total, cell("1"))]
            .into_iter()
            .collect();
        f.push(Key::Email, cell("b"));
        f.insert_first(Key::Status, cell("paid"));
        f.insert_first(Key::Total, cell("2"));
        for &key in Key::ALL {
            let scan: Vec<&str> = f
                .iter()
                .filter(|(k, _)| *k == key)
                .map(|(_, c)| c.value.as_str())
                .collect();
            let all: Vec<&str> = f.all(key).map(|c| c.value.as_str()).collect();
            assert_eq!(all, scan, "{key:?}");
            assert_eq!(f.get(key).map(|c| c.value.as_str()), scan.first().copied());
            assert_eq!(f.has(key), !scan.is_empty());
        }
        assert_eq!(f.get(Key::Total).unwrap().value, "2");
        assert_eq!(f.len(), 5);
        for c in f.cells_mut() {
            c.value = "x".into();
        }
        assert_eq!(f.get(Key::Status).unwrap().value, "x");
        assert!(!OrderFields::default().has(Key::Email));
    }
}
