//! The run report: one model, serialized as the JSON report and rendered as the HTML report,
//! so both always show the same numbers. Never the token, never a plaintext PII value.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Totals;

/// How many distinct failure reasons the report lists before folding them into `other`.
const MAX_REASONS: usize = 100;

/// What `send` did with the events built: the delivery part of the report.
#[derive(Debug, Default, Serialize)]
pub struct Delivery {
    /// Events Pinterest accepted.
    pub accepted: u64,
    /// Events not accepted (failed at Pinterest, gave up, or not sent after a stop).
    pub failed: u64,
    /// Failures by kind (`rejected`, `gave_up`, `spam`, `aborted`, `other`).
    pub failed_by_kind: BTreeMap<String, u64>,
    /// Failures by reason (Pinterest's message or the transport error).
    pub failed_by_reason: BTreeMap<String, u64>,
    /// Events the ledger says were accepted before with the same content.
    pub already_sent: u64,
    /// Events accepted before with different content, held back (see `--resend-changed`).
    pub changed_not_sent: u64,
    /// Which events those are, with their input rows (the first 1000).
    pub changed_not_sent_events: Vec<HeldBack>,
    /// Events held back because their order was accepted before under another `event_id`
    /// (see `--resend`).
    pub same_order_not_sent: u64,
    /// Which events those are, the event ids their orders were accepted under, and their
    /// input rows (the first 1000).
    pub same_order_not_sent_events: Vec<SameOrder>,
    /// Events that failed in an earlier run and were sent again.
    pub retried_from_ledger: u64,
    /// Events Pinterest accepted with a warning.
    pub pinterest_warnings: u64,
    /// Request bodies handed to the senders (or written, in a dry run).
    pub batches: u64,
    /// HTTP requests made, retries and split halves included.
    pub requests: u64,
    /// Requests that were retries.
    pub retries: u64,
    /// `x-pinterest-rid` of the answers (the first 1000).
    pub request_ids: Vec<String>,
    /// The authentication failure that stopped the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fatal: Option<String>,
    /// Whether Ctrl-C / SIGTERM stopped the run.
    pub interrupted: bool,
    /// Events a dry run would send.
    pub would_send: u64,
}

/// An event held back because it changed since it was accepted.
#[derive(Debug, Serialize)]
pub struct HeldBack {
    /// Its `event_id`.
    pub event_id: String,
    /// The input it came from.
    pub file: String,
    /// Its line in that input.
    pub line: u64,
}

/// An event held back because its order was accepted before under another `event_id`.
#[derive(Debug, Serialize)]
pub struct SameOrder {
    /// Its `event_id`.
    pub event_id: String,
    /// The `event_id` the order was accepted under.
    pub sent_as: String,
    /// Which identifier of the order the two share: `id`, `number` or `name`.
    pub identifier: &'static str,
    /// The input it came from.
    pub file: String,
    /// Its line in that input.
    pub line: u64,
}

impl Delivery {
    /// Counts one event not accepted, of failure `kind`, for `reason`.
    pub fn fail(&mut self, kind: &str, reason: &str) {
        self.failed += 1;
        *self.failed_by_kind.entry(kind.to_owned()).or_default() += 1;
        let key = if self.failed_by_reason.len() >= MAX_REASONS
            && !self.failed_by_reason.contains_key(reason)
        {
            "other".to_owned()
        } else {
            reason.to_owned()
        };
        *self.failed_by_reason.entry(key).or_default() += 1;
    }
}

/// What stopped a run, for a machine report's `error` member: a stable code, the message
/// (with its causes), the hint and the file it is about. Names no PII, as the messages do not.
#[derive(Debug, Serialize)]
pub struct RunError {
    /// Stable code: `config_unreadable`, `config_invalid`, `invalid_setting`,
    /// `input_unopenable`, `input_unreadable`, `input_shape`, `input_unmapped` or
    /// `output_failed`.
    pub code: &'static str,
    /// The message, as printed on stderr.
    pub message: String,
    /// The fix, when known.
    pub hint: Option<String>,
    /// The input or config file it is about.
    pub file: Option<String>,
}

impl RunError {
    /// The error `err` under `code`, about `file`.
    #[must_use]
    pub fn new(
        code: &'static str,
        err: &anyhow::Error,
        hint: Option<String>,
        file: Option<String>,
    ) -> RunError {
        let mut message = err.to_string();
        for cause in err.chain().skip(1) {
            message.push_str(&format!(": {cause}"));
        }
        RunError {
            code,
            message,
            hint,
            file,
        }
    }
}

/// The whole run report (`send --report`, `check --html`, `send --html`): what was read and
/// how, the accounting and match quality of every order, and for `send` the delivery.
#[derive(Serialize)]
pub struct Report<'a> {
    /// pinconv's version.
    pub pinconv_version: &'static str,
    /// `check` or `send`.
    pub command: &'static str,
    /// When the run started (RFC 3339, UTC).
    pub started_at: String,
    /// When it finished.
    pub finished_at: String,
    /// How long it took.
    pub duration_ms: u128,
    /// The options given, as typed (never the token: it is read from the environment or a
    /// file, never from the command line).
    pub arguments: Vec<String>,
    /// The ad account sent to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ad_account: Option<&'a str>,
    /// `--test`: Pinterest validated but recorded nothing.
    pub test: bool,
    /// `--dry-run` (and `check`): nothing was sent.
    pub dry_run: bool,
    /// The ledger file used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger: Option<String>,
    /// The exit code.
    pub exit_code: u8,
    /// The offline accounting, coverage included.
    pub offline: &'a Totals,
    /// What `send` did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send: Option<&'a Delivery>,
    /// What stopped the run (exit 2), as in `check --json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a RunError>,
}

/// The command line after the program name, for the report: what the user typed. A value
/// that looks like a Pinterest access token (`pina_...`) is masked, in case one was pasted
/// where it does not belong.
#[must_use]
pub fn arguments() -> Vec<String> {
    std::env::args_os()
        .skip(1)
        .map(|a| {
            let a = a.to_string_lossy().into_owned();
            if a.contains("pina_") {
                "[redacted]".to_owned()
            } else {
                a
            }
        })
        .collect()
}
