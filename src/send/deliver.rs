//! Delivering one batch of built events and saying, per event and in order, what happened.
//!
//! The rules follow README §6 and §8: 200 and 422 carry per-event results matched by index;
//! 400 and 413 split the batch in halves until the offending events are alone (a 400 first
//! sends the batch's quarters: if every one gets the same answer, it is about the request and
//! the batch fails as a whole); 401, 403 and 404 (no such ad account) stop everything; 429 (unless it is the "spam" kind), 5xx and transport failures are retried with
//! full-jitter backoff, honouring `Retry-After`, within an attempt limit and a deadline; any
//! other status fails the events without a retry.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::Deserialize;

use super::client::{Client, HttpReply};
use super::retry::{backoff_delay, RateLimiter, RetryPolicy, Sleeper};

/// What happened to one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventOutcome {
    /// Pinterest processed the event, possibly with a warning about a non-standard field.
    Accepted {
        /// Pinterest's `warning_message`, when not empty.
        warning: Option<String>,
    },
    /// The event was not (known to be) recorded.
    Failed {
        /// Why, with Pinterest's message and code when there was one.
        reason: String,
        /// What kind of failure, which decides whether re-running can help.
        kind: FailureKind,
    },
}

impl EventOutcome {
    /// Whether Pinterest accepted the event.
    pub fn is_accepted(&self) -> bool {
        matches!(self, EventOutcome::Accepted { .. })
    }

    fn failed(kind: FailureKind, reason: impl Into<String>) -> EventOutcome {
        EventOutcome::Failed {
            reason: reason.into(),
            kind,
        }
    }
}

/// The kind of a failed event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// Pinterest said this event failed, or a 400 was isolated to it: fix the data.
    Rejected,
    /// Retries or the deadline ran out on a temporary problem: safe to re-run.
    GaveUp,
    /// A 429 that Pinterest flagged as spam; not retried.
    Spam,
    /// Not sent (or not finished) because of a cancel or an authentication stop.
    Aborted,
    /// Anything else (an unexpected status, an unreadable answer).
    Other,
}

/// A condition that stops the whole run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fatal {
    /// 401 or 403: the token is wrong or lacks access; nothing is retried.
    Auth {
        /// 401 or 403.
        status: u16,
        /// Pinterest's message and code.
        message: String,
    },
    /// 404: there is no such ad account (or no events endpoint at `--api-base`).
    NotFound {
        /// Pinterest's message and code.
        message: String,
    },
    /// A sender thread died (a bug): its batch may or may not have reached Pinterest.
    Crashed {
        /// The panic message.
        message: String,
    },
}

impl Fatal {
    /// What the user can do about it, when the token came from `PINTEREST_ACCESS_TOKEN`.
    pub fn hint(&self) -> String {
        self.hint_for_token("`PINTEREST_ACCESS_TOKEN`")
    }

    /// What the user can do about it; `token_source` names where the token came from (the
    /// variable, or the token file).
    pub fn hint_for_token(&self, token_source: &str) -> String {
        if let Fatal::Auth { status: 401, .. } = self {
            return format!(
                "check the access token ({token_source}): it may be mistyped, expired or revoked"
            );
        }
        match self {
            Fatal::Auth { status: 403, .. } => {
                "the token's user needs Admin, Analyst, Audience or Campaign access on the ad account (or to own it)"
            }
            Fatal::Auth { .. } => {
                "check the access token: it may be mistyped, expired or revoked"
            }
            Fatal::NotFound { .. } => {
                "check `--ad-account` (or `PINTEREST_AD_ACCOUNT_ID`): it must be the id of an ad account the token's user can see, the digits in the Ads Manager address; with `--api-base`, check that it ends in `/v5`"
            }
            Fatal::Crashed { .. } => {
                "this is a bug in pinconv: please report it; the events it held are in the failed-out file and the ledger as failed, so a re-run sends them again"
            }
        }
        .to_owned()
    }
}

impl fmt::Display for Fatal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fatal::Auth {
                status: 403,
                message,
            } => {
                write!(
                    f,
                    "pinterest refused access to the ad account: the token's user lacks permission on it (http 403): {message}"
                )
            }
            Fatal::Auth { status, message } => {
                write!(
                    f,
                    "pinterest refused the access token (http {status}): {message}"
                )
            }
            Fatal::NotFound { message } => {
                write!(
                    f,
                    "pinterest knows no such ad account (http 404): {message}"
                )
            }
            Fatal::Crashed { message } => {
                write!(f, "a sender thread failed: {message}")
            }
        }
    }
}

impl std::error::Error for Fatal {}

/// Everything that happened while delivering one batch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BatchOutcome {
    /// One outcome per input event, in input order.
    pub outcomes: Vec<EventOutcome>,
    /// HTTP attempts made (split halves and retries included).
    pub requests: u32,
    /// Attempts that were retries after a temporary failure.
    pub retries: u32,
    /// `x-pinterest-rid` of every answer that had one.
    pub request_ids: Vec<String>,
    /// Events that came back with a non-empty `warning_message`.
    pub warnings: u32,
    /// Set when this batch hit a condition that stops the run.
    pub fatal: Option<Fatal>,
}

impl BatchOutcome {
    /// The outcome of a batch whose sender died: every event failed (it may or may not have
    /// reached Pinterest) and the run stops.
    #[must_use]
    pub fn crashed(n: usize, message: &str) -> BatchOutcome {
        let reason = format!(
            "a sender thread failed ({message}); pinterest may or may not have recorded the event"
        );
        BatchOutcome {
            outcomes: vec![EventOutcome::failed(FailureKind::Other, reason); n],
            fatal: Some(Fatal::Crashed {
                message: message.to_owned(),
            }),
            ..BatchOutcome::default()
        }
    }

    /// How many events were accepted.
    pub fn accepted(&self) -> usize {
        self.outcomes.iter().filter(|o| o.is_accepted()).count()
    }

    /// How many events failed with this kind.
    pub fn failed(&self, kind: FailureKind) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o, EventOutcome::Failed { kind: k, .. } if *k == kind))
            .count()
    }
}

/// Delivers batches through one [`Client`]; shareable across worker threads.
pub struct Deliverer {
    client: Client,
    policy: RetryPolicy,
    sleeper: Arc<dyn Sleeper>,
    limiter: Arc<RateLimiter>,
    cancel: Arc<AtomicBool>,
    seed: u64,
    batches: AtomicU64,
    halted: OnceLock<Fatal>,
}

impl fmt::Debug for Deliverer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deliverer")
            .field("client", &self.client)
            .field("policy", &self.policy)
            .field("halted", &self.halted.get())
            .finish_non_exhaustive()
    }
}

/// How one range of events ended.
enum RangeEnd {
    Settled(Vec<EventOutcome>),
    Split(Split),
    Fatal(Fatal),
    Abort(String),
}

/// An answer that refuses a range as a whole (400, 413): some of its events may be the cause.
#[derive(Clone)]
struct Split {
    status: u16,
    reason: String,
}

impl Split {
    /// Whether a part failed exactly as its whole did. Only a 400 counts: a 413 is about the
    /// size, which a smaller part changes.
    fn same_as(&self, whole: &Split) -> bool {
        self.status == 400 && whole.status == 400 && self.reason == whole.reason
    }
}

/// A range of a batch still to send.
enum Task {
    /// A range sent on its own.
    Whole(Range<usize>),
    /// A quarter of a batch refused with a 400, sent to learn whether the answer is about some
    /// events: `failed` are the quarters that got the same answer, `rest` those not sent yet.
    Probe {
        parent: Split,
        part: Range<usize>,
        rest: Vec<Range<usize>>,
        failed: Vec<Range<usize>>,
    },
}

impl Task {
    /// The range this task sends.
    fn range(&self) -> Range<usize> {
        match self {
            Task::Whole(r) | Task::Probe { part: r, .. } => r.clone(),
        }
    }
}

/// `0..n` in at most four contiguous, nearly equal parts.
fn quarters(n: usize) -> Vec<Range<usize>> {
    let parts = n.min(4);
    (0..parts)
        .map(|i| (i * n / parts)..((i + 1) * n / parts))
        .collect()
}

/// Records how a range ended: its outcomes, or its halves queued when it must be split.
fn settle(
    outcomes: &mut [Option<EventOutcome>],
    tasks: &mut Vec<Task>,
    range: Range<usize>,
    end: RangeEnd,
) {
    match end {
        RangeEnd::Settled(list) => {
            for (slot, o) in outcomes[range].iter_mut().zip(list) {
                *slot = Some(o);
            }
        }
        RangeEnd::Split(split) if range.len() == 1 => {
            outcomes[range.start] = Some(EventOutcome::failed(FailureKind::Rejected, split.reason));
        }
        RangeEnd::Split(_) => {
            let mid = range.start + range.len() / 2;
            tasks.push(Task::Whole(mid..range.end));
            tasks.push(Task::Whole(range.start..mid));
        }
        RangeEnd::Fatal(_) | RangeEnd::Abort(_) => unreachable!("handled by the caller"),
    }
}

/// What an HTTP answer means for the range that was sent.
enum Verdict {
    Settled(Vec<EventOutcome>),
    Split(Split),
    Fatal(Fatal),
    Retry(String),
}

/// The per-event shape shared by the 200 body and the 422 `details`; the status borrows from
/// the answer (no string per event for a thousand `"processed"`).
#[derive(Deserialize)]
struct ApiResponse<'a> {
    #[serde(borrow)]
    events: Vec<EventResult<'a>>,
}

#[derive(Deserialize)]
struct EventResult<'a> {
    #[serde(borrow)]
    status: Cow<'a, str>,
    #[serde(default)]
    error_message: Option<String>,
    #[serde(default)]
    warning_message: Option<String>,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    details: Option<serde_json::Value>,
}

/// Pinterest's `message (code <code>)`, or a short excerpt of a non-JSON body.
fn server_message(body: &[u8]) -> String {
    if let Ok(ApiError {
        code,
        message: Some(message),
        ..
    }) = serde_json::from_slice(body)
    {
        return match code {
            Some(code) if !code.is_null() => format!("{message} (code {code})"),
            _ => message,
        };
    }
    let text: String = String::from_utf8_lossy(body)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect();
    let text = text.trim();
    if text.is_empty() {
        "empty body".to_string()
    } else {
        text.to_string()
    }
}

/// `http <status>: <message> (code <code>)`, saying so when the answer was cut.
fn describe(reply: &HttpReply) -> String {
    let mut s = format!("http {}: {}", reply.status, server_message(&reply.body));
    if reply.truncated {
        s.push_str(&format!(
            " (the answer was longer than {} MiB; only that much was read)",
            super::client::MAX_RESPONSE_BYTES >> 20
        ));
    }
    s
}

/// `{"data":[e1,e2,…]}` from already serialized events, without re-serializing them; shared
/// (not copied) by every attempt at it.
fn build_body(events: &[String]) -> Bytes {
    Bytes::from(crate::batch::body(events.iter().map(String::as_str)).into_bytes())
}

/// Maps per-event results to outcomes by index; unmatched events fail with a clear reason.
fn per_event(
    results: &[EventResult],
    n: usize,
    status: u16,
    warnings: &mut u32,
) -> Vec<EventOutcome> {
    (0..n)
        .map(|i| {
            let Some(r) = results.get(i) else {
                return EventOutcome::failed(
                    FailureKind::Other,
                    format!(
                        "pinterest's answer (http {status}) has {} results for {n} events, none for this one; it may or may not have been recorded",
                        results.len()
                    ),
                );
            };
            let warning = r.warning_message.clone().filter(|w| !w.trim().is_empty());
            if warning.is_some() {
                *warnings += 1;
            }
            match &*r.status {
                "processed" => EventOutcome::Accepted { warning },
                "failed" => {
                    let mut reason = r
                        .error_message
                        .clone()
                        .filter(|m| !m.trim().is_empty())
                        .unwrap_or_else(|| "pinterest marked the event as failed".to_string());
                    if let Some(w) = warning {
                        reason.push_str(&format!(" (warning: {w})"));
                    }
                    EventOutcome::failed(FailureKind::Rejected, reason)
                }
                other => EventOutcome::failed(
                    FailureKind::Other,
                    format!("unexpected event status `{other}` in pinterest's answer"),
                ),
            }
        })
        .collect()
}

/// Reads one HTTP answer for a range of `n` events.
fn judge(reply: &HttpReply, n: usize, warnings: &mut u32) -> Verdict {
    let status = reply.status;
    let all = |kind, reason: String| Verdict::Settled(vec![EventOutcome::failed(kind, reason); n]);
    match status {
        200 => match serde_json::from_slice::<ApiResponse>(&reply.body) {
            Ok(resp) => Verdict::Settled(per_event(&resp.events, n, status, warnings)),
            Err(e) => all(
                FailureKind::Other,
                format!(
                    "pinterest answered http 200 but its per-event results cannot be read ({e}{}); the events may or may not have been recorded",
                    if reply.truncated { ", the answer was longer than 1 MiB" } else { "" }
                ),
            ),
        },
        422 => {
            let details = serde_json::from_slice::<ApiError>(&reply.body)
                .ok()
                .and_then(|e| e.details)
                .and_then(|d| ApiResponse::deserialize(&d).ok().map(|r| per_event(&r.events, n, status, warnings)));
            match details {
                Some(outcomes) => Verdict::Settled(outcomes),
                None => all(FailureKind::Rejected, describe(reply)),
            }
        }
        400 | 413 => Verdict::Split(Split {
            status,
            reason: describe(reply),
        }),
        401 | 403 => Verdict::Fatal(Fatal::Auth {
            status,
            message: server_message(&reply.body),
        }),
        // The same address answers every batch alike: stop at the first one, as for a 401.
        404 => Verdict::Fatal(Fatal::NotFound {
            message: server_message(&reply.body),
        }),
        429 => {
            let reason = describe(reply);
            // Pinterest's quickstart treats a "spam" 429 as its own, non-rate-limit condition.
            if reason.to_lowercase().contains("spam") {
                all(FailureKind::Spam, reason)
            } else {
                Verdict::Retry(reason)
            }
        }
        500..=599 => Verdict::Retry(describe(reply)),
        _ => all(FailureKind::Other, describe(reply)),
    }
}

/// Reads one answer (`status`, `body`) to a request of `n` events as delivery does: each
/// event's outcome when the answer settles them, `None` when it means retry, split or stop.
/// A pure function over the server's bytes, for the fuzz target.
#[must_use]
pub fn parse_response(status: u16, body: &[u8], n: usize) -> Option<Vec<EventOutcome>> {
    let reply = HttpReply {
        status,
        body: body.to_vec(),
        ..HttpReply::default()
    };
    match judge(&reply, n, &mut 0) {
        Verdict::Settled(outcomes) => Some(outcomes),
        Verdict::Split(_) | Verdict::Fatal(_) | Verdict::Retry(_) => None,
    }
}

/// Per-call state: jitter, deadline and counters.
struct Run {
    rng: StdRng,
    deadline_at: Instant,
    out: BatchOutcome,
}

impl Deliverer {
    /// A deliverer; `seed` makes the jitter reproducible (each batch derives its own stream).
    pub fn new(
        client: Client,
        policy: RetryPolicy,
        sleeper: Arc<dyn Sleeper>,
        limiter: Arc<RateLimiter>,
        cancel: Arc<AtomicBool>,
        seed: u64,
    ) -> Deliverer {
        Deliverer {
            client,
            policy,
            sleeper,
            limiter,
            cancel,
            seed,
            batches: AtomicU64::new(0),
            halted: OnceLock::new(),
        }
    }

    /// The authentication stop, once any batch has hit one.
    pub fn fatal(&self) -> Option<&Fatal> {
        self.halted.get()
    }

    /// Delivers `events` (≤ 1000 serialized CAPI events) and reports each one's fate.
    pub fn deliver(&self, events: &[String]) -> BatchOutcome {
        let n = events.len();
        let batch = self.batches.fetch_add(1, Ordering::Relaxed);
        let mut run = Run {
            rng: StdRng::seed_from_u64(self.seed ^ batch.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            deadline_at: self
                .sleeper
                .now()
                .checked_add(self.policy.deadline)
                .unwrap_or_else(|| self.sleeper.now() + Duration::from_secs(365 * 86_400)),
            out: BatchOutcome::default(),
        };
        let mut outcomes: Vec<Option<EventOutcome>> = vec![None; n];
        let mut tasks: Vec<Task> = Vec::new();
        if n > 0 {
            tasks.push(Task::Whole(0..n));
        }
        while let Some(task) = tasks.pop() {
            let range = task.range();
            let end = self.send_range(&events[range.clone()], &mut run);
            let stop = match (task, end) {
                (_, RangeEnd::Fatal(fatal)) => {
                    let reason = format!("not sent: {fatal}");
                    let _ = self.halted.set(fatal.clone());
                    run.out.fatal = Some(fatal);
                    reason
                }
                (_, RangeEnd::Abort(reason)) => reason,
                // The whole batch refused with a 400: before splitting it down to single
                // events, find out whether the answer is about some events or about the
                // request, by sending its quarters.
                (Task::Whole(r), RangeEnd::Split(split))
                    if r == (0..n) && n > 1 && split.status == 400 =>
                {
                    let mut rest = quarters(n);
                    let part = rest.remove(0);
                    rest.reverse();
                    tasks.push(Task::Probe {
                        parent: split,
                        part,
                        rest,
                        failed: Vec::new(),
                    });
                    continue;
                }
                (Task::Whole(_), end) => {
                    settle(&mut outcomes, &mut tasks, range, end);
                    continue;
                }
                (
                    Task::Probe {
                        parent,
                        mut rest,
                        mut failed,
                        ..
                    },
                    RangeEnd::Split(split),
                ) if split.same_as(&parent) => {
                    failed.push(range);
                    if let Some(part) = rest.pop() {
                        tasks.push(Task::Probe {
                            parent,
                            part,
                            rest,
                            failed,
                        });
                    } else {
                        // Every quarter failed exactly as the whole: the answer is about the
                        // request, and splitting further would only repeat it.
                        let reason = format!(
                            "{}; every part of the batch got the same answer, so it was not split further",
                            parent.reason
                        );
                        for slot in &mut outcomes {
                            *slot =
                                Some(EventOutcome::failed(FailureKind::Rejected, reason.clone()));
                        }
                    }
                    continue;
                }
                // A quarter answered otherwise: the 400 is about some events, so the quarters
                // that got it are split until those events are alone.
                (
                    Task::Probe {
                        parent,
                        rest,
                        failed,
                        ..
                    },
                    end,
                ) => {
                    tasks.extend(rest.into_iter().map(Task::Whole));
                    settle(&mut outcomes, &mut tasks, range, end);
                    for r in failed {
                        settle(
                            &mut outcomes,
                            &mut tasks,
                            r,
                            RangeEnd::Split(parent.clone()),
                        );
                    }
                    continue;
                }
            };
            for slot in outcomes.iter_mut().filter(|o| o.is_none()) {
                *slot = Some(EventOutcome::failed(FailureKind::Aborted, stop.clone()));
            }
            tasks.clear();
        }
        run.out.outcomes = outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| EventOutcome::failed(FailureKind::Aborted, "not sent")))
            .map(|o| self.redact(o))
            .collect();
        run.out.fatal = run.out.fatal.take().map(|f| match f {
            Fatal::Auth { status, message } => Fatal::Auth {
                status,
                message: self.client.redact(&message),
            },
            Fatal::NotFound { message } => Fatal::NotFound {
                message: self.client.redact(&message),
            },
            crashed @ Fatal::Crashed { .. } => crashed,
        });
        run.out
    }

    /// The outcome with the server's text made safe to print and store (no token, no email,
    /// no phone number); every reason and warning passes here before it leaves delivery.
    fn redact(&self, o: EventOutcome) -> EventOutcome {
        match o {
            EventOutcome::Accepted { warning } => EventOutcome::Accepted {
                warning: warning.map(|w| self.client.redact(&w)),
            },
            EventOutcome::Failed { reason, kind } => EventOutcome::Failed {
                reason: self.client.redact(&reason),
                kind,
            },
        }
    }

    /// Why no further attempt may start, if so.
    fn stopped(&self, last: Option<&str>) -> Option<String> {
        let suffix = last
            .map(|l| format!(" (last error: {l})"))
            .unwrap_or_default();
        if self.cancel.load(Ordering::SeqCst) {
            return Some(format!("not sent: cancelled{suffix}"));
        }
        self.halted
            .get()
            .map(|f| format!("not sent: an earlier request failed: {f}"))
    }

    /// Sends one range until it is settled, must be split, or the run stops.
    fn send_range(&self, events: &[String], run: &mut Run) -> RangeEnd {
        let body = build_body(events);
        let max_attempts = self.policy.max_attempts.max(1);
        let mut last: Option<String> = None;
        let mut attempt = 0u32;
        loop {
            if let Some(reason) = self.stopped(last.as_deref()) {
                return RangeEnd::Abort(reason);
            }
            if !self.limiter.acquire_unless(&*self.sleeper, &self.cancel) {
                return RangeEnd::Abort(self.stopped(last.as_deref()).unwrap_or_default());
            }
            run.out.requests += 1;
            if attempt > 0 {
                run.out.retries += 1;
            }
            attempt += 1;
            let (reason, retry_after) = match self.client.post(&body) {
                Ok(reply) => {
                    if let Some(rid) = &reply.request_id {
                        run.out.request_ids.push(rid.clone());
                    }
                    match judge(&reply, events.len(), &mut run.out.warnings) {
                        Verdict::Settled(list) => return RangeEnd::Settled(list),
                        Verdict::Split(split) => return RangeEnd::Split(split),
                        Verdict::Fatal(f) => return RangeEnd::Fatal(f),
                        Verdict::Retry(reason) => (reason, reply.retry_after),
                    }
                }
                Err(e) => (e.to_string(), None),
            };
            let gave_up = |why: String| {
                RangeEnd::Settled(vec![
                    EventOutcome::failed(FailureKind::GaveUp, why);
                    events.len()
                ])
            };
            if attempt >= max_attempts {
                return gave_up(format!("gave up after {attempt} attempts: {reason}"));
            }
            let delay = retry_after
                .unwrap_or_else(|| backoff_delay(&self.policy, attempt - 1, &mut run.rng));
            let now = self.sleeper.now();
            if now.checked_add(delay).is_none_or(|t| t > run.deadline_at) {
                return gave_up(format!(
                    "gave up after {attempt} attempts, waiting {}s more would pass the {}s deadline: {reason}",
                    delay.as_secs_f64().ceil(),
                    self.policy.deadline.as_secs()
                ));
            }
            if !self.sleeper.sleep_unless(delay, &self.cancel) {
                return RangeEnd::Abort(format!("not sent: cancelled (last error: {reason})"));
            }
            last = Some(reason);
        }
    }
}
