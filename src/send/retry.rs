//! Retry policy, backoff maths, the injectable sleeper/clock and the request-rate limiter.
//!
//! Pinterest asks for exponential backoff with jitter on 429 and 5xx (README §8); the policy
//! here is "full jitter": a uniform wait in `[0, min(cap, base * 2^attempt)]`. Tests swap the
//! [`Sleeper`] for one that only records waits, so retry paths run instantly.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often and how long to retry one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first one included.
    pub max_attempts: u32,
    /// The backoff ceiling of the first retry.
    pub base: Duration,
    /// The largest backoff ceiling.
    pub cap: Duration,
    /// Total time one batch may spend, retries and waits included.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base: Duration::from_secs(1),
            cap: Duration::from_secs(60),
            deadline: Duration::from_secs(600),
        }
    }
}

/// Waits and tells the time; replaced by a recording fake in tests.
pub trait Sleeper: Send + Sync {
    /// Blocks for `d`.
    fn sleep(&self, d: Duration);

    /// The current instant on this sleeper's clock.
    fn now(&self) -> Instant {
        Instant::now()
    }

    /// Waits for `d` unless `cancel` becomes true first; returns `false` when cancelled.
    ///
    /// The default sleeps in short slices so a cancel is noticed within 50 ms.
    fn sleep_unless(&self, d: Duration, cancel: &AtomicBool) -> bool {
        const SLICE: Duration = Duration::from_millis(50);
        let mut left = d;
        loop {
            if cancel.load(Ordering::SeqCst) {
                return false;
            }
            if left.is_zero() {
                return true;
            }
            let step = left.min(SLICE);
            self.sleep(step);
            left -= step;
        }
    }
}

/// The real thing: [`std::thread::sleep`] and [`Instant::now`].
#[derive(Debug, Clone, Copy, Default)]
pub struct RealSleeper;

impl Sleeper for RealSleeper {
    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// The wait before retry number `attempt + 1` (so `attempt` 0 is the first retry): uniform in
/// `[0, min(cap, base * 2^attempt)]`.
pub fn backoff_delay(policy: &RetryPolicy, attempt: u32, rng: &mut impl rand::Rng) -> Duration {
    let ceiling = if attempt >= 32 {
        if policy.base.is_zero() {
            Duration::ZERO
        } else {
            policy.cap
        }
    } else {
        policy.base.saturating_mul(1u32 << attempt).min(policy.cap)
    };
    let max = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(rng.random_range(0..=max))
}

/// Reads a `Retry-After` value: whole seconds, or an HTTP date (turned into a wait from `now`,
/// zero when it is already past). `None` when it is neither.
pub fn parse_retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    let wait = when.duration_since(now);
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

/// Spaces requests evenly, across all threads sharing it: at most `per_second` requests start
/// per second. Slots are reserved under a lock, so concurrent callers queue up fairly.
#[derive(Debug)]
pub struct RateLimiter {
    interval: Option<Duration>,
    next: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// A limiter for `per_second` requests per second; `None`, zero, negative or non-finite
    /// rates mean no limit.
    pub fn new(per_second: Option<f64>) -> Self {
        let interval = per_second
            .filter(|r| r.is_finite() && *r > 0.0)
            .map(|r| Duration::try_from_secs_f64(1.0 / r).unwrap_or(Duration::MAX));
        RateLimiter {
            interval,
            next: Mutex::new(None),
        }
    }

    /// Blocks until the caller may start a request.
    pub fn acquire(&self, sleeper: &dyn Sleeper) {
        let never = AtomicBool::new(false);
        self.acquire_unless(sleeper, &never);
    }

    /// Like [`RateLimiter::acquire`], but gives up when `cancel` becomes true (returns `false`).
    pub fn acquire_unless(&self, sleeper: &dyn Sleeper, cancel: &AtomicBool) -> bool {
        let Some(interval) = self.interval else {
            return !cancel.load(Ordering::SeqCst);
        };
        let (slot, now) = {
            let mut next = self
                .next
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = sleeper.now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot.checked_add(interval).unwrap_or(slot));
            (slot, now)
        };
        let wait = slot.saturating_duration_since(now);
        if wait.is_zero() {
            return !cancel.load(Ordering::SeqCst);
        }
        sleeper.sleep_unless(wait, cancel)
    }
}

#[cfg(test)]
pub(crate) mod fake {
    //! An instant sleeper with a virtual clock, for tests.
    use super::*;

    /// Records every wait and advances a virtual clock instead of blocking.
    #[derive(Debug)]
    pub struct FakeSleeper {
        start: Instant,
        state: Mutex<(Duration, Vec<Duration>)>,
    }

    impl FakeSleeper {
        pub fn new() -> Self {
            FakeSleeper {
                start: Instant::now(),
                state: Mutex::new((Duration::ZERO, Vec::new())),
            }
        }

        /// Every wait asked for, in order (one entry per `sleep` / `sleep_unless`).
        pub fn sleeps(&self) -> Vec<Duration> {
            self.state.lock().unwrap().1.clone()
        }

        /// Virtual time elapsed.
        pub fn elapsed(&self) -> Duration {
            self.state.lock().unwrap().0
        }
    }

    impl Sleeper for FakeSleeper {
        fn sleep(&self, d: Duration) {
            let mut s = self.state.lock().unwrap();
            s.0 += d;
            s.1.push(d);
        }

        fn now(&self) -> Instant {
            self.start + self.state.lock().unwrap().0
        }

        fn sleep_unless(&self, d: Duration, cancel: &AtomicBool) -> bool {
            if cancel.load(Ordering::SeqCst) {
                return false;
            }
            self.sleep(d);
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fake::FakeSleeper;
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn backoff_stays_within_full_jitter_bounds() {
        let policy = RetryPolicy::default();
        let mut rng = StdRng::seed_from_u64(7);
        for attempt in 0..40u32 {
            let ceiling = if attempt < 32 {
                (policy.base * 2u32.pow(attempt.min(31))).min(policy.cap)
            } else {
                policy.cap
            };
            let mut top = Duration::ZERO;
            for _ in 0..200 {
                let d = backoff_delay(&policy, attempt, &mut rng);
                assert!(d <= ceiling, "attempt {attempt}: {d:?} > {ceiling:?}");
                top = top.max(d);
            }
            // Full jitter spreads over the whole range, not just its bottom.
            assert!(
                top > ceiling / 2,
                "attempt {attempt}: max {top:?} of {ceiling:?}"
            );
        }
        let zero = RetryPolicy {
            base: Duration::ZERO,
            ..RetryPolicy::default()
        };
        assert_eq!(backoff_delay(&zero, 3, &mut rng), Duration::ZERO);
        assert_eq!(backoff_delay(&zero, 40, &mut rng), Duration::ZERO);
    }

    #[test]
    fn backoff_ceiling_doubles_until_cap() {
        let policy = RetryPolicy {
            base: Duration::from_millis(100),
            cap: Duration::from_millis(500),
            ..RetryPolicy::default()
        };
        let mut rng = StdRng::seed_from_u64(1);
        let max_of = |attempt, rng: &mut StdRng| {
            (0..500)
                .map(|_| backoff_delay(&policy, attempt, rng))
                .max()
                .unwrap()
        };
        assert!(max_of(0, &mut rng) <= Duration::from_millis(100));
        assert!(max_of(1, &mut rng) > Duration::from_millis(100));
        assert!(max_of(1, &mut rng) <= Duration::from_millis(200));
        assert!(max_of(5, &mut rng) <= Duration::from_millis(500));
        assert!(max_of(5, &mut rng) > Duration::from_millis(400));
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        let now: jiff::Timestamp = "2024-07-13T15:09:00Z".parse().unwrap();
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sat, 13 Jul 2024 15:09:59 GMT", now),
            Some(Duration::from_secs(59))
        );
        assert_eq!(
            parse_retry_after("Sat, 13 Jul 2024 15:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    #[test]
    fn rate_limiter_spaces_requests() {
        let sleeper = FakeSleeper::new();
        let limiter = RateLimiter::new(Some(4.0));
        for _ in 0..5 {
            limiter.acquire(&sleeper);
        }
        // The first goes at once; each later one waits for its 250 ms slot.
        assert_eq!(sleeper.elapsed(), Duration::from_millis(1000));
        assert_eq!(sleeper.sleeps(), vec![Duration::from_millis(250); 4]);
    }

    #[test]
    fn rate_limiter_shared_across_threads() {
        /// A clock that never moves: every wait is then exactly the distance to the slot.
        struct Frozen(Instant, Mutex<Vec<Duration>>);
        impl Sleeper for Frozen {
            fn sleep(&self, d: Duration) {
                self.1.lock().unwrap().push(d);
            }
            fn now(&self) -> Instant {
                self.0
            }
            fn sleep_unless(&self, d: Duration, _: &AtomicBool) -> bool {
                self.sleep(d);
                true
            }
        }
        let sleeper = std::sync::Arc::new(Frozen(Instant::now(), Mutex::new(Vec::new())));
        let limiter = std::sync::Arc::new(RateLimiter::new(Some(10.0)));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (s, l) = (sleeper.clone(), limiter.clone());
                std::thread::spawn(move || {
                    for _ in 0..5 {
                        l.acquire(&*s);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        // 20 requests at 10/s from 4 threads get 20 distinct slots 100 ms apart (the first
        // one, at once, does not wait).
        let mut waits = sleeper.1.lock().unwrap().clone();
        waits.sort();
        let expected: Vec<_> = (1..20u64).map(|k| Duration::from_millis(100 * k)).collect();
        assert_eq!(waits, expected);
    }

    #[test]
    fn unlimited_rate_never_waits() {
        let sleeper = FakeSleeper::new();
        for rate in [None, Some(0.0), Some(-1.0), Some(f64::NAN)] {
            let limiter = RateLimiter::new(rate);
            for _ in 0..10 {
                limiter.acquire(&sleeper);
            }
        }
        assert!(sleeper.sleeps().is_empty());
    }

    #[test]
    fn default_sleep_unless_stops_on_cancel() {
        let cancel = AtomicBool::new(true);
        let start = Instant::now();
        assert!(!RealSleeper.sleep_unless(Duration::from_secs(30), &cancel));
        assert!(start.elapsed() < Duration::from_secs(1));
        cancel.store(false, Ordering::SeqCst);
        assert!(RealSleeper.sleep_unless(Duration::from_millis(60), &cancel));
    }
}
