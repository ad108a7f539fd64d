//! Batching stage: groups built events into request bodies of at most 1000 events
//! (`ConversionEvents.data` has `maxItems: 1000`), in input order.

/// Pinterest's limit on events per request.
pub const MAX_BATCH: usize = 1000;

/// What a request body starts with, before its first event.
pub const BODY_OPEN: &str = "{\"data\":[";
/// What a request body ends with, after its last event.
pub const BODY_CLOSE: &str = "]}";

/// Writes the request body `{"data":[...]}` from already-serialized events, without
/// re-serializing them, in one allocation of the exact size.
#[must_use]
pub fn body<'a>(events: impl IntoIterator<Item = &'a str> + Clone) -> String {
    let mut len = BODY_OPEN.len() + BODY_CLOSE.len();
    for (i, e) in events.clone().into_iter().enumerate() {
        len += e.len() + usize::from(i > 0);
    }
    let mut out = String::with_capacity(len);
    out.push_str(BODY_OPEN);
    for (i, e) in events.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(e);
    }
    out.push_str(BODY_CLOSE);
    out
}

/// Accumulates items and hands out full batches.
#[derive(Debug)]
pub struct Batcher<T> {
    size: usize,
    current: Vec<T>,
}

impl<T> Batcher<T> {
    /// A batcher of `size` (clamped to 1..=1000).
    #[must_use]
    pub fn new(size: usize) -> Batcher<T> {
        let size = size.clamp(1, MAX_BATCH);
        Batcher {
            size,
            current: Vec::with_capacity(size),
        }
    }

    /// Adds an item; returns a full batch when one is complete.
    pub fn push(&mut self, item: T) -> Option<Vec<T>> {
        self.current.push(item);
        (self.current.len() >= self.size)
            .then(|| std::mem::replace(&mut self.current, Vec::with_capacity(self.size)))
    }

    /// The last, partial batch.
    pub fn finish(&mut self) -> Option<Vec<T>> {
        (!self.current.is_empty()).then(|| std::mem::take(&mut self.current))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn body_joins_events() {
        assert_eq!(
            body(["{\"a\":1}", "{\"b\":2}"]),
            "{\"data\":[{\"a\":1},{\"b\":2}]}"
        );
    }

    proptest! {
        #[test]
        fn batches_never_exceed_the_limit_and_lose_nothing(n in 0usize..5000, size in 0usize..2000) {
            let mut b = Batcher::new(size);
            let mut out: Vec<Vec<usize>> = Vec::new();
            for i in 0..n {
                if let Some(batch) = b.push(i) {
                    out.push(batch);
                }
            }
            out.extend(b.finish());
            prop_assert!(out.iter().all(|x| !x.is_empty() && x.len() <= MAX_BATCH && x.len() <= size.max(1)));
            let flat: Vec<usize> = out.into_iter().flatten().collect();
            prop_assert_eq!(flat, (0..n).collect::<Vec<_>>());
        }
    }
}
