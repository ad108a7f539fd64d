//! A memory of keys already seen, in bounded space: order keys that come back after other
//! orders, `event_id`s repeated in an input, bulk-operation orders already handed out.

use std::hash::{DefaultHasher, Hash, Hasher};

/// Remembers which keys were seen, in bounded memory: an exact set of 64-bit key hashes for
/// the first [`EXACT_KEYS`] keys (about 40 MB at most), then a fixed 16 MiB Bloom filter for
/// the rest (2^27 bits, 6 probes: a false positive about once per thousand keys at ten million).
/// Memory grows with the first two million orders and then stays flat.
#[derive(Default)]
pub struct Seen {
    exact: std::collections::HashSet<u64>,
    bloom: Option<Vec<u64>>,
}

/// Keys kept exactly before the Bloom filter takes over.
pub const EXACT_KEYS: usize = 2_000_000;
const BITS_LOG2: u32 = 27;
const PROBES: u64 = 6;

impl Seen {
    /// Records `key`; true when it was seen before (for keys past [`EXACT_KEYS`]: probably).
    pub fn insert(&mut self, key: &str) -> bool {
        let a = Self::hash(key);
        if self.exact.contains(&a) {
            return true;
        }
        if self.exact.len() < EXACT_KEYS {
            self.exact.insert(a);
            return false;
        }
        let bits = self
            .bloom
            .get_or_insert_with(|| vec![0; 1 << (BITS_LOG2 - 6)]);
        let mut present = true;
        for (word, bit) in Self::probes(a) {
            if bits[word] & bit == 0 {
                present = false;
                bits[word] |= bit;
            }
        }
        present
    }

    /// True when `key` was recorded (for keys past [`EXACT_KEYS`]: probably); records nothing.
    pub fn contains(&self, key: &str) -> bool {
        let a = Self::hash(key);
        self.exact.contains(&a)
            || self
                .bloom
                .as_ref()
                .is_some_and(|bits| Self::probes(a).all(|(word, bit)| bits[word] & bit != 0))
    }

    fn hash(key: &str) -> u64 {
        // Fixed keys: the same input always gives the same answers.
        let mut h = DefaultHasher::new();
        key.hash(&mut h);
        h.finish()
    }

    /// The Bloom filter's word index and bit mask for each probe of hash `a`.
    fn probes(a: u64) -> impl Iterator<Item = (usize, u64)> {
        let b = a.rotate_left(32) | 1;
        let mask = (1u64 << BITS_LOG2) - 1;
        (0..PROBES).map(move |i| {
            let bit = a.wrapping_add(i.wrapping_mul(b)) & mask;
            ((bit >> 6) as usize, 1 << (bit & 63))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_remembers() {
        let mut s = Seen::default();
        for i in 0..10_000 {
            assert!(!s.contains(&format!("k{i}")));
            assert!(!s.insert(&format!("k{i}")), "false positive at {i}");
        }
        assert!(s.insert("k42"));
        assert!(s.contains("k42"));
    }

    #[test]
    fn past_the_exact_set_the_bloom_filter_answers() {
        let mut s = Seen {
            exact: std::collections::HashSet::from([1]),
            bloom: None,
        };
        // Fill the exact set artificially small: only its length is checked.
        while s.exact.len() < EXACT_KEYS {
            let n = s.exact.len() as u64 + 1;
            s.exact.insert(n);
        }
        assert!(!s.contains("late"));
        assert!(!s.insert("late"));
        assert!(s.contains("late"));
        assert!(s.insert("late"));
    }
}
