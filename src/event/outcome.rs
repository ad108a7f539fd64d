//! What the event stage gives back for one order or one already-built event. A leaf, so
//! [`super::build`] and [`super::prebuilt`] share it without importing each other.

use std::sync::Arc;

use crate::report::Problem;

/// A built event, serialized, with where it came from.
#[derive(Clone, Debug)]
pub struct Built {
    /// Input name.
    pub file: Arc<str>,
    /// First line of the order.
    pub line: u64,
    /// `event_id`.
    pub event_id: String,
    /// `event_name`.
    pub event_name: &'static str,
    /// `event_time`.
    pub event_time: i64,
    /// The event as compact JSON, exactly as sent.
    pub json: String,
    /// Warnings about this order.
    pub warnings: Vec<Problem>,
    /// The order's identifiers (`id`, `number`, `name` and value), by which the ledger knows
    /// the order whatever its `event_id`; empty for an event built elsewhere and for a row
    /// split off under an order key it shares with the row before it.
    pub identifiers: Vec<(&'static str, String)>,
    /// What coverage counts of it, told by the event stage (none for an event built
    /// elsewhere: coverage then reads its JSON).
    pub facts: Option<crate::report::coverage::Facts>,
}

/// What became of an order.
#[derive(Debug)]
pub enum Outcome {
    /// An event.
    Built(Built),
    /// Left out by a rule; the problem's severity is `Skipped`.
    Skipped(Problem),
    /// Not sendable: exactly one `Rejected` problem, plus any warnings.
    Rejected(Vec<Problem>),
}
