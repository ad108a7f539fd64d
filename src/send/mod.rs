//! Delivery of request bodies to the Pinterest Conversions API.
//!
//! [`client`] makes single HTTP attempts, [`retry`] holds the backoff policy, the sleeper and
//! the rate limiter, [`deliver`] turns a batch into per-event outcomes (retrying, splitting,
//! stopping), [`pool`] runs deliveries on a fixed number of threads and [`session`] runs a whole
//! `send` as prepare → deliver → settle.

pub mod client;
pub mod deliver;
pub mod pool;
pub mod redact;
pub mod retry;
pub mod session;

pub use client::{Client, ClientConfig, ConfigError, HttpReply, TransportError, TransportKind};
pub use deliver::{BatchOutcome, Deliverer, EventOutcome, FailureKind, Fatal};
pub use pool::{spawn_workers, Done, Job};
pub use retry::{backoff_delay, RateLimiter, RealSleeper, RetryPolicy, Sleeper};

#[cfg(test)]
#[path = "../../tests/it/mock_server.rs"]
mod mock_server;

#[cfg(test)]
mod tests;
