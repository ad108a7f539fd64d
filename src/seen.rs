//! A memory of keys already seen, in bounded space: order keys that come back after other
//! orders, `event_id`s repeated in an input, bulk-operation orders already handed out.
//!
//! A rejection must never rest on a guess, so the memory is exact up to a bound and says
//! only "maybe" past it: [`Answer::Repeat`] is certain, [`Answer::Maybe`] is what callers
//! may warn about but never reject on.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::OnceLock;

use siphasher::sip128::{Hasher128, SipHasher13};

/// What the memory says about a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Not seen before (certain).
    New,
    /// Seen before (certain: 96 bits of the key's keyed hash are stored).
    Repeat,
    /// Possibly seen before: past the exact bound only a Bloom filter remembers, and its
    /// "yes" is wrong about once per thousand keys at ten million.
    Maybe,
}

impl Answer {
    /// True only when the key certainly came before: the one answer a rejection may rest on.
    #[must_use]
    pub fn is_repeat(self) -> bool {
        self == Answer::Repeat
    }
}

/// Remembers which keys were seen, in bounded memory: each key as 96 bits of its SipHash-1-3
/// under a key drawn for the process (two of two million keys sharing them has a chance of
/// about 1 in 10^16, and without the process's key nobody can make an input where they do),
/// exactly, for the first [`EXACT_KEYS`] keys (12 bytes each in a sorted array: 24 MiB at
/// most, and 1 MiB for its bucket index), then in a fixed 16 MiB Bloom filter (2^27 bits,
/// 6 probes) whose hits are only [`Answer::Maybe`]. Memory grows with the first two million
/// keys and then stays flat.
pub struct Seen {
    /// Older keys, sorted, searched by bucket.
    sorted: Vec<Packed>,
    /// Where each bucket of `sorted` begins: the keys whose top `bits` bits are `b` are
    /// `sorted[starts[b]..starts[b + 1]]`, [`PER_BUCKET`] to twice that many, so a lookup
    /// searches a few neighbouring keys instead of the whole array (whose binary search
    /// missed the cache at most steps).
    starts: Vec<u32>,
    /// How many top bits of a key choose its bucket (0 before the first merge: one bucket).
    bits: u32,
    /// Keys since the last merge into `sorted`.
    recent: HashSet<Packed, BuildHasherDefault<Uniform>>,
    /// How many keys are kept exactly.
    bound: usize,
    bloom: Option<Vec<u64>>,
}

/// Keys kept exactly before the Bloom filter takes over.
pub const EXACT_KEYS: usize = 2_000_000;
/// Keys gathered in `recent` before they are merged into the sorted array: merging costs a
/// pass over the array, so it is done rarely; looking up costs a hash probe and a search of
/// one bucket of the array.
const MERGE_EVERY: usize = 1 << 16;
/// Keys per bucket of `sorted`, at least and on average (the hashes are uniform): the index
/// takes 4 bytes per bucket, at most a twelfth of what the keys of a bucket take.
const PER_BUCKET: usize = 4;
const BITS_LOG2: u32 = 27;
const PROBES: u64 = 6;

impl Default for Seen {
    fn default() -> Seen {
        Seen::with_bound(EXACT_KEYS)
    }
}

impl Seen {
    /// A memory exact for the first `bound` keys.
    #[must_use]
    pub fn with_bound(bound: usize) -> Seen {
        Seen {
            sorted: Vec::new(),
            starts: Vec::new(),
            bits: 0,
            recent: HashSet::default(),
            bound,
            bloom: None,
        }
    }

    /// Records `key`; says whether it was seen before.
    pub fn insert(&mut self, key: &str) -> Answer {
        self.insert_hash(Self::hash(&[key]))
    }

    /// `key` as this memory stores it, to be computed on the thread that has the text and
    /// given to [`Seen::insert_hashed`] on the one that keeps the memory.
    #[must_use]
    pub fn hashed(key: &str) -> Hashed {
        Hashed(Self::hash(&[key]))
    }

    /// [`Seen::insert`] of a key hashed beforehand.
    pub fn insert_hashed(&mut self, key: Hashed) -> Answer {
        self.insert_hash(key.0)
    }

    /// Records the key made of `parts` joined with NUL characters (as if that string were
    /// given to [`Seen::insert`], without building it); says whether it was seen before.
    pub fn insert_joined(&mut self, parts: &[&str]) -> Answer {
        self.insert_hash(Self::hash(parts))
    }

    fn insert_hash(&mut self, h: u128) -> Answer {
        let key = Packed::of(h);
        if self.has_exact(key) {
            return Answer::Repeat;
        }
        if self.sorted.len() + self.recent.len() < self.bound {
            self.recent.insert(key);
            if self.recent.len() >= MERGE_EVERY {
                self.merge();
            }
            return Answer::New;
        }
        let bits = self
            .bloom
            .get_or_insert_with(|| vec![0; 1 << (BITS_LOG2 - 6)]);
        let mut present = true;
        for (word, bit) in Self::probes(h) {
            if bits[word] & bit == 0 {
                present = false;
                bits[word] |= bit;
            }
        }
        if present {
            Answer::Maybe
        } else {
            Answer::New
        }
    }

    /// Whether `key` was recorded; records nothing.
    #[must_use]
    pub fn contains(&self, key: &str) -> Answer {
        let h = Self::hash(&[key]);
        if self.has_exact(Packed::of(h)) {
            Answer::Repeat
        } else if self
            .bloom
            .as_ref()
            .is_some_and(|bits| Self::probes(h).all(|(word, bit)| bits[word] & bit != 0))
        {
            Answer::Maybe
        } else {
            Answer::New
        }
    }

    fn has_exact(&self, key: Packed) -> bool {
        self.recent.contains(&key) || self.bucket(key).binary_search(&key).is_ok()
    }

    /// The part of `sorted` where `key` is if anywhere.
    fn bucket(&self, key: Packed) -> &[Packed] {
        if self.starts.is_empty() {
            return &self.sorted;
        }
        let b = Self::bucket_of(key, self.bits);
        &self.sorted[self.starts[b] as usize..self.starts[b + 1] as usize]
    }

    fn bucket_of(key: Packed, bits: u32) -> usize {
        // `checked_shr`: no bits (an index of one bucket) is bucket 0.
        key.0[0].checked_shr(32 - bits).unwrap_or(0) as usize
    }

    /// Rebuilds `starts` for the keys now in `sorted`, with enough buckets for about
    /// [`PER_BUCKET`] keys each.
    fn index(&mut self) {
        let bits = (self.sorted.len() / PER_BUCKET).max(1).ilog2();
        self.bits = bits;
        let buckets = 1usize << bits;
        self.starts.clear();
        self.starts.reserve_exact(buckets + 1);
        let mut at = 0usize;
        for b in 0..buckets {
            while at < self.sorted.len() && Self::bucket_of(self.sorted[at], bits) < b {
                at += 1;
            }
            self.starts
                .push(u32::try_from(at).expect("at most EXACT_KEYS keys"));
        }
        self.starts
            .push(u32::try_from(self.sorted.len()).expect("at most EXACT_KEYS keys"));
    }

    /// Moves `recent` into `sorted`, merging from the back in place (no second copy).
    fn merge(&mut self) {
        let mut add: Vec<Packed> = self.recent.drain().collect();
        add.sort_unstable();
        let old = self.sorted.len();
        // Room for every exact key at the first merge, once: pages are only resident once
        // written, so this costs what the keys take, and the array never moves (growing it
        // would copy it, holding the old and the new copy at once).
        if self.sorted.capacity() == 0 {
            self.sorted.reserve_exact(self.bound.min(EXACT_KEYS));
        }
        self.sorted.reserve_exact(add.len());
        self.sorted.resize(old + add.len(), Packed::default());
        let (mut i, mut j, mut k) = (old, add.len(), self.sorted.len());
        while j > 0 {
            k -= 1;
            if i > 0 && self.sorted[i - 1] > add[j - 1] {
                i -= 1;
                self.sorted[k] = self.sorted[i];
            } else {
                j -= 1;
                self.sorted[k] = add[j];
            }
        }
        self.index();
    }

    /// The 128-bit SipHash-1-3 of `parts` joined with NULs, under the process's key: a keyed
    /// hash is as good as a cryptographic digest against collisions nobody can aim at, and a
    /// tenth of its cost on the short keys stored here.
    fn hash(parts: &[&str]) -> u128 {
        static KEY: OnceLock<(u64, u64)> = OnceLock::new();
        let &(k0, k1) = KEY.get_or_init(rand::random);
        let mut h = SipHasher13::new_with_keys(k0, k1);
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                h.write_u8(0);
            }
            h.write(part.as_bytes());
        }
        h.finish128().as_u128()
    }

    /// The Bloom filter's word index and bit mask for each probe of hash `h`.
    fn probes(h: u128) -> impl Iterator<Item = (usize, u64)> {
        #[allow(clippy::cast_possible_truncation)] // the two halves, on purpose
        let (a, b) = (h as u64, ((h >> 64) as u64) | 1);
        let mask = (1u64 << BITS_LOG2) - 1;
        (0..PROBES).map(move |i| {
            let bit = a.wrapping_add(i.wrapping_mul(b)) & mask;
            ((bit >> 6) as usize, 1 << (bit & 63))
        })
    }
}

/// A key hashed for [`Seen`] ([`Seen::hashed`]): the same key gives the same value on every
/// thread of the process, and two keys almost certainly different ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hashed(u128);

/// A key as stored: the first 96 bits of its 128-bit hash, in 12 bytes rather than 16 (the
/// memories hold up to two million keys each).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Packed([u32; 3]);

impl Packed {
    #[allow(clippy::cast_possible_truncation)] // the three top words, on purpose
    fn of(h: u128) -> Packed {
        Packed([(h >> 96) as u32, (h >> 64) as u32, (h >> 32) as u32])
    }
}

impl Hash for Packed {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(u64::from(self.0[1]) << 32 | u64::from(self.0[2]));
    }
}

/// The hasher of `recent`: its keys are uniform hashes already, so 64 of their bits place
/// them in the table as well as hashing them again would.
#[derive(Default)]
struct Uniform(u64);

impl Hasher for Uniform {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `Packed` keys are hashed here; any other input still hashes, just plainly.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_joined_key_is_the_key_of_its_joined_text() {
        let mut s = Seen::default();
        assert_eq!(s.insert("checkout\u{0}1001"), Answer::New);
        assert_eq!(s.insert_joined(&["checkout", "1001"]), Answer::Repeat);
        assert_eq!(s.insert_joined(&["checkout", "1002"]), Answer::New);
        assert_eq!(s.insert_joined(&["checkout1", "002"]), Answer::New);
        assert_eq!(s.contains("checkout\u{0}1002"), Answer::Repeat);
    }

    #[test]
    fn seen_remembers_exactly_across_merges() {
        let mut s = Seen::default();
        let n = MERGE_EVERY * 2 + 77;
        for i in 0..n {
            assert_eq!(s.contains(&format!("k{i}")), Answer::New);
            assert_eq!(s.insert(&format!("k{i}")), Answer::New, "at {i}");
        }
        assert!(s.sorted.len() >= MERGE_EVERY * 2);
        assert!(
            s.sorted.windows(2).all(|w| w[0] < w[1]),
            "sorted after merges"
        );
        // The buckets split the sorted keys in order, each key in the bucket its bits say.
        assert!(s.bits > 0);
        assert_eq!(s.starts.len(), (1 << s.bits) + 1);
        assert!(s.starts.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(s.starts.first(), Some(&0));
        assert_eq!(s.starts.last().map(|&n| n as usize), Some(s.sorted.len()));
        assert!(s.sorted.iter().all(|k| s.bucket(*k).contains(k)));
        for i in (0..n).step_by(997) {
            assert_eq!(s.insert(&format!("k{i}")), Answer::Repeat);
            assert_eq!(s.contains(&format!("k{i}")), Answer::Repeat);
        }
    }

    #[test]
    fn below_the_bound_answers_are_certain_and_past_it_only_maybe() {
        let mut s = Seen::with_bound(3);
        for k in ["a", "b", "c"] {
            assert_eq!(s.insert(k), Answer::New);
        }
        // Inside the bound: a repeat is certain, and stays so once the bound is passed.
        assert_eq!(s.insert("b"), Answer::Repeat);
        // Past the bound: new keys go to the Bloom filter; seeing one again is only "maybe",
        // which no caller may reject on.
        assert_eq!(s.insert("late"), Answer::New);
        assert_eq!(s.contains("late"), Answer::Maybe);
        assert_eq!(s.insert("late"), Answer::Maybe);
        assert!(!s.insert("late").is_repeat());
        assert_eq!(s.insert("a"), Answer::Repeat);
        assert_eq!(s.contains("never"), Answer::New);
    }
}
