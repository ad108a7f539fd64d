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
    /// Seen before (certain: 80 bits of the key's keyed hash are kept).
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

/// Remembers which keys were seen, in bounded memory: each key as 80 bits of its SipHash-1-3
/// under a key drawn for the process (two of two million keys sharing them has a chance of
/// about 1 in 10^12, and without the process's key nobody can make an input where they do),
/// exactly, for the first [`EXACT_KEYS`] keys, then in a fixed 16 MiB Bloom filter (2^27 bits,
/// 6 probes) whose hits are only [`Answer::Maybe`]. A key kept exactly takes 8 bytes in a
/// sorted array (16 MiB at most), plus its share of the bucket index (at most 2 MiB): the top
/// 16 of its 80 bits choose its bucket and are not stored. Memory grows with the first two
/// million keys and then stays flat.
pub struct Seen {
    /// Older keys by bucket, each bucket sorted: only [`Key::rest`] is stored, the bucket
    /// says the rest.
    sorted: Vec<u64>,
    /// Where each bucket of `sorted` begins: the keys whose top `bits` bits are `b` are
    /// `sorted[starts[b]..starts[b + 1]]`: on average one (the first merge puts
    /// [`MERGE_EVERY`] keys into `2^MIN_BITS` buckets) to twice [`PER_BUCKET`], so a lookup
    /// searches a few neighbouring keys instead of the whole array (whose binary search missed
    /// the cache at most steps). Empty before the first merge, when `sorted` is. A merge
    /// builds the new index while it reads the old, so both are held for that moment.
    starts: Vec<u32>,
    /// How many top bits of a key choose its bucket: at least [`MIN_BITS`] once `sorted` holds
    /// keys.
    bits: u32,
    /// Keys since the last merge into `sorted`.
    recent: HashSet<Key, BuildHasherDefault<Uniform>>,
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
/// Keys per bucket of `sorted` on average (the hashes are uniform) once there are more than
/// `PER_BUCKET << MIN_BITS` keys: the index then takes 4 bytes per bucket, an eighth of what
/// the keys of a bucket take.
const PER_BUCKET: usize = 4;
/// The fewest bits that choose a bucket: the top 16 bits of every key in `sorted` are its
/// bucket's, which is why they need not be stored.
const MIN_BITS: u32 = 16;
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
        let key = Key::of(h);
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
        if self.has_exact(Key::of(h)) {
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

    fn has_exact(&self, key: Key) -> bool {
        self.recent.contains(&key) || self.bucket(key).binary_search(&key.rest).is_ok()
    }

    /// The part of `sorted` where `key` is if anywhere.
    fn bucket(&self, key: Key) -> &[u64] {
        if self.starts.is_empty() {
            return &[];
        }
        let b = key.bucket(self.bits);
        &self.sorted[self.starts[b] as usize..self.starts[b + 1] as usize]
    }

    /// Moves `recent` into `sorted`, merging from the back in place (no second copy), and
    /// rebuilds the bucket index for the new number of keys.
    fn merge(&mut self) {
        let mut add: Vec<Key> = self.recent.drain().collect();
        add.sort_unstable();
        let old = self.sorted.len();
        // Room for every exact key at the first merge, once: pages are only resident once
        // written, so this costs what the keys take, and the array never moves (growing it
        // would copy it, holding the old and the new copy at once).
        if self.sorted.capacity() == 0 {
            self.sorted.reserve_exact(self.bound.min(EXACT_KEYS));
        }
        self.sorted.reserve_exact(add.len());
        let total = old + add.len();
        self.sorted.resize(total, 0);
        let (old_bits, old_starts) = (self.bits, std::mem::take(&mut self.starts));
        let bits = MIN_BITS.max((total / PER_BUCKET).max(1).ilog2());
        let buckets = 1usize << bits;
        // Filled from the back: each bucket's start is the last position written for it.
        let mut starts = vec![u32::MAX; buckets + 1];
        starts[buckets] = u32::try_from(total).expect("at most EXACT_KEYS keys");
        // The bucket (of the old index) of the old key at `i - 1`, walked down with `i`.
        let mut ob = old_starts.len().saturating_sub(2);
        let (mut i, mut j, mut k) = (old, add.len(), total);
        while k > 0 {
            let from_old = (i > 0).then(|| {
                while old_starts[ob] as usize > i - 1 {
                    ob -= 1;
                }
                Key::in_bucket(ob, old_bits, self.sorted[i - 1])
            });
            let key = match from_old {
                Some(o) if j == 0 || o > add[j - 1] => {
                    i -= 1;
                    o
                }
                _ => {
                    j -= 1;
                    add[j]
                }
            };
            k -= 1;
            self.sorted[k] = key.rest;
            starts[key.bucket(bits)] = u32::try_from(k).expect("at most EXACT_KEYS keys");
        }
        // An empty bucket starts where the next one does.
        for b in (0..buckets).rev() {
            if starts[b] == u32::MAX {
                starts[b] = starts[b + 1];
            }
        }
        self.bits = bits;
        self.starts = starts;
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

/// A key as kept: the first 80 bits of its 128-bit hash, the top 16 (which choose its bucket
/// of `sorted`, and are not stored there) and the next 64 (the 10 bytes a key costs in
/// `recent`; 8 in `sorted`). Ordered as the 80-bit number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    top: u16,
    rest: u64,
}

impl Key {
    #[allow(clippy::cast_possible_truncation)] // the top bits, on purpose
    fn of(h: u128) -> Key {
        Key {
            top: (h >> 112) as u16,
            rest: (h >> 48) as u64,
        }
    }

    /// The bucket of the `bits` top bits (at least [`MIN_BITS`]).
    fn bucket(self, bits: u32) -> usize {
        debug_assert!(bits >= MIN_BITS);
        let more = bits - MIN_BITS;
        // `checked_shr`: no bits past the top 16 is a shift by 64.
        (usize::from(self.top) << more) | self.rest.checked_shr(64 - more).unwrap_or(0) as usize
    }

    /// The key whose `rest` is stored in bucket `b` of an index of `bits` bits.
    #[allow(clippy::cast_possible_truncation)] // `b` has `bits` bits: its top 16 are the top
    fn in_bucket(b: usize, bits: u32, rest: u64) -> Key {
        Key {
            top: (b >> (bits - MIN_BITS)) as u16,
            rest,
        }
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.rest);
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
        // Only `Key`s are hashed here; any other input still hashes, just plainly.
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
        assert_index(&s);
        // Each key is in the bucket its bits say.
        for i in 0..n {
            let key = Key::of(Seen::hash(&[&format!("k{i}")]));
            assert!(
                s.recent.contains(&key) || s.bucket(key).contains(&key.rest),
                "k{i}"
            );
        }
        for i in (0..n).step_by(997) {
            assert_eq!(s.insert(&format!("k{i}")), Answer::Repeat);
            assert_eq!(s.contains(&format!("k{i}")), Answer::Repeat);
        }
    }

    /// The buckets split the sorted keys in order, each bucket sorted.
    fn assert_index(s: &Seen) {
        assert!(s.bits >= MIN_BITS);
        assert_eq!(s.starts.len(), (1 << s.bits) + 1);
        assert!(s.starts.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(s.starts.first(), Some(&0));
        assert_eq!(s.starts.last().map(|&n| n as usize), Some(s.sorted.len()));
        for b in s.starts.windows(2) {
            let bucket = &s.sorted[b[0] as usize..b[1] as usize];
            assert!(bucket.windows(2).all(|w| w[0] < w[1]), "bucket sorted");
        }
    }

    #[test]
    fn keys_that_share_their_top_bits_or_differ_only_there_are_told_apart() {
        let mut s = Seen::default();
        // Hashes that differ in the top 16 bits only, in the 64 after them only, and in the
        // last of the 80 bits kept only; uniform ones for the rest, so there are enough keys
        // for the index to grow past MIN_BITS (twice PER_BUCKET << MIN_BITS).
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut uniform = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (u128::from(x) << 64) | u128::from(x.rotate_left(29))
        };
        let crafted: Vec<u128> = (0..64u128)
            .flat_map(|i| {
                [
                    i << 112 | 0xabc << 48,
                    0x5a5a << 112 | i << 48,
                    0x7 << 112 | (i << 48 & (1 << 48)) | 1 << 60,
                ]
            })
            .collect();
        let mut all: Vec<u128> = crafted.clone();
        all.extend((0..(PER_BUCKET << (MIN_BITS + 1)) + MERGE_EVERY).map(|_| uniform()));
        let mut distinct = std::collections::HashSet::new();
        for &h in &all {
            let fresh = distinct.insert(Key::of(h));
            let want = if fresh { Answer::New } else { Answer::Repeat };
            assert_eq!(s.insert_hash(h), want, "{h:x}");
        }
        assert!(s.bits > MIN_BITS, "the index grew past its fewest bits");
        assert_index(&s);
        for &h in crafted.iter().chain(&all[all.len() - 1000..]) {
            assert_eq!(s.insert_hash(h), Answer::Repeat, "{h:x}");
        }
        // Differing only in bits past the 80 kept: the same key. One bit inside them: another.
        let last = all[all.len() - 7];
        assert_eq!(s.insert_hash(last ^ 1), Answer::Repeat);
        assert_eq!(s.insert_hash(last ^ 1 << 48), Answer::New);
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
