//! A fixed pool of worker threads that deliver batches from a channel.
//!
//! Each worker makes one request at a time, so at most `n` requests are ever in flight. Jobs
//! carry an opaque caller payload that comes back untouched with the outcome.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};

use super::deliver::{BatchOutcome, Deliverer};

/// One batch to deliver.
#[derive(Debug, Clone)]
pub struct Job<M> {
    /// The caller's sequence number, returned in [`Done::seq`].
    pub seq: u64,
    /// Serialized CAPI events (at most 1000).
    pub events: Vec<String>,
    /// Anything the caller wants back (e.g. the source rows of the events).
    pub meta: M,
}

/// A delivered batch.
#[derive(Debug, Clone)]
pub struct Done<M> {
    /// [`Job::seq`].
    pub seq: u64,
    /// [`Job::events`], handed back (e.g. for a retry file).
    pub events: Vec<String>,
    /// [`Job::meta`].
    pub meta: M,
    /// What happened to each event, in order.
    pub outcome: BatchOutcome,
}

/// The text of a panic payload.
fn panic_message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_owned())
}

/// Debug builds only: `PINCONV_FAULT_SENDER_PANIC` makes every sender panic before its
/// request, so the end-to-end tests can prove that a dying sender loses no event.
fn fault_injection() {
    #[cfg(debug_assertions)]
    if std::env::var_os("PINCONV_FAULT_SENDER_PANIC").is_some() {
        panic!("fault injection: PINCONV_FAULT_SENDER_PANIC");
    }
}

/// Starts `n` workers (at least one) that deliver every job from `jobs` and send the result to
/// `done`. They stop when `jobs` is closed and drained, or when `done` is closed.
pub fn spawn_workers<M: Send + 'static>(
    n: usize,
    deliverer: Arc<Deliverer>,
    jobs: Receiver<Job<M>>,
    done: Sender<Done<M>>,
) -> Vec<JoinHandle<()>> {
    (0..n.max(1))
        .map(|i| {
            let (deliverer, jobs, done) = (Arc::clone(&deliverer), jobs.clone(), done.clone());
            std::thread::Builder::new()
                .name(format!("pinconv-send-{i}"))
                .spawn(move || {
                    for job in jobs {
                        // A panic must not lose the batch: it comes back failed, and stops the run.
                        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
                            fault_injection();
                            deliverer.deliver(&job.events)
                        }))
                        .unwrap_or_else(|panic| {
                            BatchOutcome::crashed(job.events.len(), &panic_message(&*panic))
                        });
                        let result = Done {
                            seq: job.seq,
                            events: job.events,
                            meta: job.meta,
                            outcome,
                        };
                        if done.send(result).is_err() {
                            break;
                        }
                    }
                })
                .expect("spawn a send worker thread")
        })
        .collect()
}
