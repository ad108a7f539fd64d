//! A `send` session as three phases, as uv's publish does it: [`prepare`] checks everything and
//! opens what the run needs (token, client, ledger, failed-out file) before a single request;
//! [`Prepared::deliver`] runs the offline pipeline into a pool of senders, with the ledger
//! deciding per event what is new; [`Delivered::settle`] waits for every answer, records the
//! run in the ledger and hands back what happened. Each phase has its own errors; the command
//! turns the result into a summary, a report and an exit code.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Context as _;
use crossbeam_channel::{Receiver, Sender};
use secrecy::SecretString;
use serde::Serialize;

use super::{
    BatchOutcome, Client, ClientConfig, Deliverer, EventOutcome, FailureKind, Fatal, RateLimiter,
    RealSleeper, RetryPolicy,
};
use crate::batch::Batcher;
use crate::config::Settings;
use crate::event::Built;
use crate::ledger::{self, Decision, EventKey, Ledger, LedgerError, RunStats};
use crate::pipeline::{self, PipelineError, Plan, Sink};
use crate::printer::{Printer, Progress};
use crate::report::{InputSummary, Problem, Severity, Totals};

/// How many request ids the report lists.
const MAX_REQUEST_IDS: usize = 1000;
/// What `send` did, for the summary and the report: the delivery part of the run report.
pub use crate::report::{Delivery as SendStats, HeldBack, SameOrder};

/// The name of a failure kind in messages, the report and failed-out files.
#[must_use]
pub fn kind_name(k: FailureKind) -> &'static str {
    match k {
        FailureKind::Rejected => "rejected",
        FailureKind::GaveUp => "gave_up",
        FailureKind::Spam => "spam",
        FailureKind::Aborted => "aborted",
        FailureKind::Other => "other",
    }
}

/// What the session needs to know, from the command line (the command maps its flags here).
#[derive(Debug, Clone)]
pub struct Options {
    /// API root.
    pub api_base: String,
    /// The ad account, trimmed; `None` only for a dry run.
    pub ad_account: Option<String>,
    /// `--token-file`; `None` reads `PINTEREST_ACCESS_TOKEN`.
    pub token_file: Option<PathBuf>,
    /// `--test`.
    pub test: bool,
    /// `--dry-run`: no network, no ledger.
    pub dry_run: bool,
    /// Events per request.
    pub batch_size: usize,
    /// Requests in flight.
    pub concurrency: usize,
    /// Requests per second, 0 for no limit.
    pub rate: f64,
    /// Attempts per request.
    pub max_attempts: u32,
    /// First backoff ceiling.
    pub retry_base: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
    /// `--failed-out`.
    pub failed_out: Option<PathBuf>,
    /// `--state`; `None` is the default path for the ad account.
    pub state: Option<PathBuf>,
    /// `--no-state`.
    pub no_state: bool,
    /// `--resend`.
    pub resend: bool,
    /// `--resend-changed`.
    pub resend_changed: bool,
    /// Seeds the retry jitter.
    pub seed: u64,
}

/// Why a session could not start; nothing was sent.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    /// A real send needs an ad account.
    #[error("no ad account: pass `--ad-account ID` or set `PINTEREST_AD_ACCOUNT_ID`")]
    NoAdAccount,
    /// No usable token.
    #[error("no access token: set `PINTEREST_ACCESS_TOKEN` or pass `--token-file FILE`")]
    NoToken,
    /// The token file holds nothing but white space.
    #[error("token file `{}` is empty", path.display())]
    EmptyTokenFile {
        /// The file.
        path: PathBuf,
    },
    /// The token file is far larger than a token.
    #[error("token file `{}` is larger than {} KiB, far more than a token", path.display(), MAX_TOKEN_FILE_BYTES / 1024)]
    TokenFileTooLarge {
        /// The file.
        path: PathBuf,
    },
    /// The token file is not text.
    #[error("token file `{}` is not UTF-8 text", path.display())]
    TokenFileNotText {
        /// The file.
        path: PathBuf,
    },
    /// The token file cannot be read.
    #[error("cannot read token file `{}`", path.display())]
    TokenFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The client configuration is unusable.
    #[error(transparent)]
    Client(#[from] super::ConfigError),
    /// The ledger is held by another run.
    #[error(transparent)]
    Locked(LedgerError),
    /// The ledger cannot be opened.
    #[error(transparent)]
    Ledger(LedgerError),
    /// An output file cannot be created.
    #[error("cannot create `{}`", path.display())]
    Create {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl PrepareError {
    /// The fix, where one is known.
    #[must_use]
    pub fn hint(&self) -> Option<String> {
        match self {
            PrepareError::NoAdAccount => {
                Some("or use `--dry-run` to check everything without sending".into())
            }
            PrepareError::EmptyTokenFile { .. } => Some(
                "write the access token into it (one line), or set `PINTEREST_ACCESS_TOKEN` and leave out `--token-file`".into(),
            ),
            PrepareError::TokenFileTooLarge { .. } | PrepareError::TokenFileNotText { .. } => {
                Some("`--token-file` names a file holding only the access token".into())
            }
            PrepareError::Locked(e) | PrepareError::Ledger(e) => e.hint(),
            _ => None,
        }
    }
}

impl From<LedgerError> for PrepareError {
    fn from(e: LedgerError) -> PrepareError {
        match e {
            e @ LedgerError::Locked { .. } => PrepareError::Locked(e),
            e => PrepareError::Ledger(e),
        }
    }
}

/// The network side of a real send.
struct Network {
    deliverer: Arc<Deliverer>,
}

/// Everything opened and checked; nothing sent yet.
pub struct Prepared {
    opts: Options,
    /// Warnings to print before sending (e.g. a token file others can read).
    pub warnings: Vec<Warning>,
    network: Option<Network>,
    ledger: Option<Ledger>,
    lookup: Option<Ledger>,
    failed_out: Option<(PathBuf, BufWriter<File>)>,
}

/// The most of a token file that is read: a token is a few hundred bytes, and a wrong path
/// (`/dev/zero`, a log) must not be read without end.
pub const MAX_TOKEN_FILE_BYTES: u64 = 64 * 1024;

/// A warning found while preparing, printed before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// What is wrong.
    pub message: String,
    /// The fix.
    pub hint: Option<String>,
}

/// The access token, from `--token-file` or `PINTEREST_ACCESS_TOKEN`; never printed.
fn read_token(
    file: Option<&Path>,
    warnings: &mut Vec<Warning>,
) -> Result<SecretString, PrepareError> {
    let Some(p) = file else {
        let t = std::env::var("PINTEREST_ACCESS_TOKEN").unwrap_or_default();
        let t = t.trim();
        if t.is_empty() {
            return Err(PrepareError::NoToken);
        }
        return Ok(SecretString::from(t.to_owned()));
    };
    let read_error = |source| PrepareError::TokenFile {
        path: p.to_owned(),
        source,
    };
    let f = File::open(p).map_err(read_error)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = f.metadata().map_err(read_error)?.permissions().mode();
        if mode & 0o077 != 0 {
            warnings.push(Warning {
                message: format!(
                    "token file `{}` can be read by other users (mode {:04o})",
                    p.display(),
                    mode & 0o7777
                ),
                hint: Some(format!("chmod 600 '{}'", p.display())),
            });
        }
    }
    #[cfg(not(unix))]
    let _ = &warnings;
    let mut raw = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(f, MAX_TOKEN_FILE_BYTES + 1),
        &mut raw,
    )
    .map_err(read_error)?;
    if raw.len() as u64 > MAX_TOKEN_FILE_BYTES {
        return Err(PrepareError::TokenFileTooLarge { path: p.to_owned() });
    }
    let raw = String::from_utf8(raw)
        .map_err(|_| PrepareError::TokenFileNotText { path: p.to_owned() })?;
    let t = raw.trim();
    if t.is_empty() {
        return Err(PrepareError::EmptyTokenFile { path: p.to_owned() });
    }
    Ok(SecretString::from(t.to_owned()))
}

/// Phase one: checks the options, builds the client and the senders' deliverer, opens the
/// ledger and the failed-out file. `cancel` stops the senders later.
pub fn prepare(opts: Options, cancel: &Arc<AtomicBool>) -> Result<Prepared, PrepareError> {
    let mut warnings = Vec::new();
    let network = if opts.dry_run {
        None
    } else {
        let ad = opts
            .ad_account
            .as_deref()
            .ok_or(PrepareError::NoAdAccount)?;
        let token = read_token(opts.token_file.as_deref(), &mut warnings)?;
        let client = Client::new(ClientConfig {
            api_base: opts.api_base.clone(),
            ad_account: ad.to_owned(),
            token,
            test: opts.test,
            connect_timeout: Duration::from_secs(10),
            timeout: opts.timeout,
        })?;
        let policy = RetryPolicy {
            max_attempts: opts.max_attempts,
            base: opts.retry_base,
            ..RetryPolicy::default()
        };
        // Pinterest allows test requests 10 per second per app.
        let rate = if opts.test && (opts.rate <= 0.0 || opts.rate > 10.0) {
            10.0
        } else {
            opts.rate
        };
        let limiter = Arc::new(RateLimiter::new((rate > 0.0).then_some(rate)));
        Some(Network {
            deliverer: Arc::new(Deliverer::new(
                client,
                policy,
                Arc::new(RealSleeper),
                limiter,
                cancel.clone(),
                opts.seed,
            )),
        })
    };

    // The ledger: on by default for real sends.
    let (ledger, lookup) = if !opts.dry_run && !opts.test && !opts.no_state {
        let ad = opts.ad_account.clone().unwrap_or_default();
        let path = match opts.state.clone() {
            Some(p) => p,
            None => ledger::default_path(&ad)?,
        };
        let l = Ledger::open(&path, &ad, None)?;
        let r = Ledger::open_read_only(l.path(), l.ad_account())?;
        (Some(l), Some(r))
    } else {
        (None, None)
    };

    let failed_out = match &opts.failed_out {
        Some(p) => Some((
            p.clone(),
            BufWriter::new(crate::output::open_private(p).map_err(|source| {
                PrepareError::Create {
                    path: p.clone(),
                    source,
                }
            })?),
        )),
        None => None,
    };
    Ok(Prepared {
        opts,
        warnings,
        network,
        ledger,
        lookup,
        failed_out,
    })
}

/// Where the bodies of a dry run go (`send --dry-run -o FILE`).
pub trait BodySink {
    /// Adds one serialized event.
    fn push(&mut self, event: String) -> anyhow::Result<()>;
    /// Writes what is left and flushes.
    fn finish(&mut self) -> anyhow::Result<()>;
}

/// Where an event came from, carried through the senders and back.
struct Meta {
    file: Arc<str>,
    line: u64,
    key: EventKey,
    event_time: i64,
    fingerprint: String,
    /// The order's identifiers, recorded with the acceptance.
    identifiers: Vec<ledger::OrderIdent>,
}

type Job = super::Job<Vec<Meta>>;
type Done = super::Done<Vec<Meta>>;

/// A write to the ledger, done on the writer thread so that recording one batch overlaps
/// with building and sending the next.
enum LedgerWrite {
    Accepted(Vec<ledger::Accepted>, Option<String>, i64),
    Failed(Vec<ledger::Failed>, i64),
}

/// Records answered batches in the ledger, in the order the answers came, in one transaction.
fn record(ledger: &mut Ledger, group: &[LedgerWrite]) -> anyhow::Result<()> {
    let records: Vec<ledger::Record<'_>> = group
        .iter()
        .map(|w| match w {
            LedgerWrite::Accepted(items, rid, now) => ledger::Record::Accepted {
                items,
                request_id: rid.as_deref(),
                now: *now,
            },
            LedgerWrite::Failed(items, now) => ledger::Record::Failed { items, now: *now },
        })
        .collect();
    let what = if group.iter().any(|w| matches!(w, LedgerWrite::Accepted(..))) {
        "cannot record accepted events in the ledger"
    } else {
        "cannot record failed events in the ledger"
    };
    ledger.record(&records).context(what)
}

/// The thread that owns the locked ledger and records the answered batches in the order the
/// answers came: one transaction per batch, or per group of the batches that queued up
/// while the last one was written.
struct LedgerWriter {
    tx: Sender<LedgerWrite>,
    handle: JoinHandle<(Ledger, anyhow::Result<()>)>,
}

impl LedgerWriter {
    fn spawn(mut ledger: Ledger, cancel: Arc<AtomicBool>) -> LedgerWriter {
        // Few batches may wait: after a crash, accepted but unrecorded batches are sent again.
        // One queued and at most two in the transaction under way: three, as many as before
        // the writer grouped its commits (two queued, one written).
        let (tx, rx) = crossbeam_channel::bounded::<LedgerWrite>(1);
        let handle = std::thread::Builder::new()
            .name("pinconv-ledger".into())
            .spawn(move || {
                let mut result = Ok(());
                while let Ok(first) = rx.recv() {
                    // Group commit: the batch that queued up while the last transaction was
                    // written goes into the next one with this one, so a writer that fell
                    // behind catches up with one commit instead of two.
                    // At most the one that queued: taking all that keep arriving would let a
                    // group, and what a crash can lose, grow past the window promised above.
                    let group: Vec<LedgerWrite> = std::iter::once(first)
                        .chain(rx.try_iter().take(1))
                        .collect();
                    if result.is_err() {
                        continue;
                    }
                    if let Err(e) = record(&mut ledger, &group) {
                        // Stop sending what could not be remembered.
                        cancel.store(true, Ordering::SeqCst);
                        result = Err(e);
                    }
                }
                (ledger, result)
            })
            .expect("spawn the ledger thread");
        LedgerWriter { tx, handle }
    }

    fn send(&self, w: LedgerWrite) {
        // The thread only stops when the channel closes, so a send cannot fail.
        let _ = self.tx.send(w);
    }

    /// Waits for every write; hands the ledger back.
    fn finish(self) -> (Ledger, anyhow::Result<()>) {
        drop(self.tx);
        self.handle.join().expect("ledger thread")
    }
}

/// One line of `--failed-out`: the event as it was, where it came from, and why it failed.
/// `send` reads such lines back as already-built events.
#[derive(Serialize)]
struct FailedLine<'a> {
    file: &'a str,
    line: u64,
    event_id: &'a str,
    kind: &'static str,
    reason: &'a str,
    event: &'a serde_json::value::RawValue,
}

/// The pipeline's sink during delivery: ledger decisions, hand-off to the senders, and the
/// mapping of answers back to rows.
struct Session<'a> {
    printer: &'a mut Printer,
    describe: fn(&InputSummary) -> String,
    batcher: Batcher<Built>,
    jobs: Option<Sender<Job>>,
    done: Option<Receiver<Done>>,
    /// A read-only view for lookups; the writes go through `writer` on its own thread.
    lookup: Option<Ledger>,
    writer: Option<LedgerWriter>,
    failed_out: Option<BufWriter<File>>,
    /// Lines written to `failed_out`.
    failed_lines: u64,
    dry: Option<&'a mut dyn BodySink>,
    stats: SendStats,
    fatal: Option<Fatal>,
    resend: bool,
    resend_changed: bool,
    /// This run in the ledger: its own acceptances are not "sent before".
    run_id: Option<i64>,
    cancel: Arc<AtomicBool>,
    progress: Progress,
    error: Option<anyhow::Error>,
    seq: u64,
}

impl Session<'_> {
    /// Decides per event with the ledger, then hands the rest to the senders.
    fn dispatch(&mut self, mut batch: Vec<Built>) -> anyhow::Result<()> {
        // Fingerprints only matter to the ledger.
        let with_ledger = self.lookup.is_some();
        let metas: Vec<Meta> = batch
            .iter_mut()
            .map(|b| Meta {
                file: b.file.clone(),
                line: b.line,
                // Only the JSON goes on from here: the id moves into the key.
                key: EventKey::new(b.event_name, std::mem::take(&mut b.event_id)),
                event_time: b.event_time,
                fingerprint: if with_ledger {
                    ledger::fingerprint_exact(&b.json)
                } else {
                    String::new()
                },
                identifiers: std::mem::take(&mut b.identifiers),
            })
            .collect();
        let decisions: Vec<Decision> = match &self.lookup {
            Some(l) => {
                let keys: Vec<&EventKey> = metas.iter().map(|m| &m.key).collect();
                let entries = l.lookup_refs(&keys).context("cannot read the ledger")?;
                entries
                    .iter()
                    .zip(&metas)
                    .zip(&batch)
                    .map(|((e, m), b)| ledger::classify(e.as_ref(), &m.fingerprint, &b.json))
                    .collect()
            }
            None => vec![Decision::New; metas.len()],
        };
        let sent_as = self.sent_as_other(&metas, &decisions)?;
        self.seq += 1;
        let mut job = Job {
            seq: self.seq,
            meta: Vec::new(),
            events: Vec::new(),
        };
        for (((meta, built), decision), sent_as) in
            metas.into_iter().zip(batch).zip(decisions).zip(sent_as)
        {
            if let Some(other) = sent_as {
                self.hold_back_same_order(&meta, &other);
                continue;
            }
            match decision {
                Decision::AlreadySent if !self.resend => {
                    self.stats.already_sent += 1;
                    continue;
                }
                Decision::Changed { .. } if !self.resend_changed && !self.resend => {
                    self.stats.changed_not_sent += 1;
                    if self.stats.changed_not_sent_events.len() < MAX_REQUEST_IDS {
                        self.stats.changed_not_sent_events.push(HeldBack {
                            event_id: meta.key.event_id.clone(),
                            file: meta.file.to_string(),
                            line: meta.line,
                        });
                    }
                    let p = Problem {
                        file: meta.file.clone(),
                        line: meta.line,
                        column: None,
                        severity: Severity::Warning,
                        code: "changed_since_sent",
                        reason: format!(
                            "event `{}` was accepted before with different content; not sent again",
                            meta.key.event_id
                        ),
                        hint: Some("if the change matters (an edited value, a refund), pass `--resend-changed` to send it; it keeps its `event_id`, and Pinterest deduplicates by `event_id`, so it may keep the version it received first".into()),
                        order: Some(meta.key.event_id.clone()),
                    };
                    self.printer.problem(&p);
                    continue;
                }
                Decision::RetryFailed => self.stats.retried_from_ledger += 1,
                _ => {}
            }
            job.meta.push(meta);
            job.events.push(built.json);
        }
        if job.events.is_empty() {
            return Ok(());
        }
        self.stats.batches += 1;
        let Some(tx) = &self.jobs else {
            // A dry run has no senders: count the events, and write them with `-o`.
            self.stats.would_send += job.events.len() as u64;
            if let Some(w) = &mut self.dry {
                for e in job.events {
                    w.push(e)?;
                }
            }
            return Ok(());
        };
        if self.cancel.load(Ordering::SeqCst) {
            return self.not_sent(job, "not sent: the run was stopped before this batch");
        }
        if let Err(e) = tx.send(job) {
            return self.not_sent(e.0, "not sent: the senders stopped");
        }
        self.drain(false)
    }

    /// For each event the ledger would send (new, or failed before), the other `event_id` its
    /// order was accepted under, if any; nothing with `--resend` or without a ledger.
    fn sent_as_other(
        &self,
        metas: &[Meta],
        decisions: &[Decision],
    ) -> anyhow::Result<Vec<Option<ledger::SentAs>>> {
        let Some(l) = self.lookup.as_ref().filter(|_| !self.resend) else {
            return Ok(vec![None; metas.len()]);
        };
        let none: &[ledger::OrderIdent] = &[];
        let queries: Vec<(&EventKey, &[ledger::OrderIdent])> = metas
            .iter()
            .zip(decisions)
            .map(|(m, d)| match d {
                Decision::New | Decision::RetryFailed => (&m.key, m.identifiers.as_slice()),
                _ => (&m.key, none),
            })
            .collect();
        l.sent_as_other(&queries, self.run_id)
            .context("cannot read the ledger")
    }

    /// Holds back an event whose order was accepted before under another `event_id`: sent,
    /// Pinterest would count the order twice.
    fn hold_back_same_order(&mut self, meta: &Meta, other: &ledger::SentAs) {
        self.stats.same_order_not_sent += 1;
        if self.stats.same_order_not_sent_events.len() < MAX_REQUEST_IDS {
            self.stats.same_order_not_sent_events.push(SameOrder {
                event_id: meta.key.event_id.clone(),
                sent_as: other.event_id.clone(),
                identifier: other.kind,
                file: meta.file.to_string(),
                line: meta.line,
            });
        }
        self.printer.problem(&Problem {
            file: meta.file.clone(),
            line: meta.line,
            column: None,
            severity: Severity::Warning,
            code: "sent_under_other_event_id",
            reason: format!(
                "this order (by its order {}) was accepted before as event `{}`; not sent again as event `{}`, or Pinterest would count it twice",
                other.kind, other.event_id, meta.key.event_id
            ),
            hint: Some("its identity changed between runs (an id a spreadsheet rounded, another `--event-id-template` or `--order-id`); send the original export, or pass `--resend` if this really is another order".into()),
            order: Some(meta.key.event_id.clone()),
        });
    }

    fn not_sent(&mut self, job: Job, reason: &str) -> anyhow::Result<()> {
        let n = job.events.len();
        let outcome = BatchOutcome {
            outcomes: vec![
                EventOutcome::Failed {
                    reason: reason.to_owned(),
                    kind: FailureKind::Aborted
                };
                n
            ],
            ..BatchOutcome::default()
        };
        self.answer(Done {
            seq: job.seq,
            events: job.events,
            meta: job.meta,
            outcome,
        })
    }

    /// Handles finished batches; `block` waits for all of them (the senders must be closed).
    fn drain(&mut self, block: bool) -> anyhow::Result<()> {
        let Some(rx) = self.done.clone() else {
            return Ok(());
        };
        loop {
            let next = if block {
                rx.recv().ok()
            } else {
                rx.try_recv().ok()
            };
            match next {
                Some(done) => self.answer(done)?,
                None => return Ok(()),
            }
        }
    }

    /// Maps a batch's per-event answers back to input rows, the ledger and failed-out.
    fn answer(&mut self, done: Done) -> anyhow::Result<()> {
        let Done {
            events,
            meta,
            outcome,
            ..
        } = done;
        self.stats.requests += u64::from(outcome.requests);
        self.stats.retries += u64::from(outcome.retries);
        for rid in &outcome.request_ids {
            if self.stats.request_ids.len() < MAX_REQUEST_IDS {
                self.stats.request_ids.push(rid.clone());
            }
        }
        if let Some(f) = &outcome.fatal {
            if self.fatal.is_none() {
                self.stats.fatal = Some(f.to_string());
                self.fatal = Some(f.clone());
            }
            self.cancel.store(true, Ordering::SeqCst);
        }
        let now = jiff::Timestamp::now().as_second();
        let mut accepted = Vec::new();
        let mut failed = Vec::new();
        let n = events.len();
        // Each event's meta and JSON move into what is recorded, nothing is cloned per event.
        for ((meta, json), result) in meta.into_iter().zip(events).zip(&outcome.outcomes) {
            match result {
                EventOutcome::Accepted { warning } => {
                    self.stats.accepted += 1;
                    if let Some(w) = warning {
                        self.stats.pinterest_warnings += 1;
                        self.printer.problem(&Problem {
                            file: meta.file.clone(),
                            line: meta.line,
                            column: None,
                            severity: Severity::Warning,
                            code: "pinterest_warning",
                            reason: format!("pinterest accepted the event with a warning: {w}"),
                            hint: None,
                            order: Some(meta.key.event_id.clone()),
                        });
                    }
                    accepted.push(ledger::Accepted {
                        key: meta.key,
                        fingerprint: meta.fingerprint,
                        event_time: meta.event_time,
                        identifiers: meta.identifiers,
                    });
                }
                EventOutcome::Failed { reason, kind } => {
                    self.stats.fail(kind_name(*kind), reason);
                    self.printer.problem(&Problem {
                        file: meta.file.clone(),
                        line: meta.line,
                        column: None,
                        severity: Severity::Rejected,
                        code: "not_accepted",
                        reason: format!("not accepted ({}): {reason}", kind_name(*kind)),
                        hint: None,
                        order: Some(meta.key.event_id.clone()),
                    });
                    if let Some(out) = &mut self.failed_out {
                        let raw = serde_json::value::RawValue::from_string(json.clone())?;
                        let line = FailedLine {
                            file: &meta.file,
                            line: meta.line,
                            event_id: &meta.key.event_id,
                            kind: kind_name(*kind),
                            reason,
                            event: &raw,
                        };
                        serde_json::to_writer(&mut *out, &line)?;
                        out.write_all(b"\n")?;
                        self.failed_lines += 1;
                    }
                    if *kind != FailureKind::Aborted {
                        failed.push(ledger::Failed {
                            source: format!("{}:{}", meta.file, meta.line),
                            key: meta.key,
                            fingerprint: meta.fingerprint,
                            reason: reason.clone(),
                            event_json: json,
                        });
                    }
                }
            }
        }
        self.progress.inc(n as u64);
        if let Some(w) = &self.writer {
            if !accepted.is_empty() {
                w.send(LedgerWrite::Accepted(
                    accepted,
                    outcome.request_ids.first().cloned(),
                    now,
                ));
            }
            if !failed.is_empty() {
                w.send(LedgerWrite::Failed(failed, now));
            }
        }
        Ok(())
    }

    /// Sends the last partial batch, closes the senders and waits for every answer.
    fn finish(&mut self) -> anyhow::Result<()> {
        let last = match self.batcher.finish() {
            Some(rest) => self.dispatch(rest),
            None => Ok(()),
        };
        // Close the senders whatever happened, or the workers wait for jobs for ever.
        self.jobs = None;
        let drained = self.drain(true);
        last?;
        drained?;
        if let Some(w) = &mut self.dry {
            w.finish()?;
        }
        if let Some(f) = &mut self.failed_out {
            f.flush()?;
        }
        Ok(())
    }
}

impl Sink for Session<'_> {
    fn input(&mut self, s: &InputSummary) {
        self.printer.info(&(self.describe)(s));
    }
    fn problem(&mut self, p: &Problem) {
        self.printer.problem(p);
    }
    fn event(&mut self, e: Built) -> anyhow::Result<()> {
        if let Some(full) = self.batcher.push(e) {
            if let Err(err) = self.dispatch(full) {
                self.error.get_or_insert(err);
                self.cancel.store(true, Ordering::SeqCst);
            }
        }
        Ok(())
    }
}

/// Where the pipeline's output goes during delivery, and what it says about inputs.
pub struct Deliver<'a> {
    /// The read plan.
    pub plan: &'a Plan,
    /// The merged settings.
    pub settings: &'a Arc<Settings>,
    /// Problems and progress.
    pub printer: &'a mut Printer,
    /// The line printed when an input is recognised.
    pub describe: fn(&InputSummary) -> String,
    /// A dry run's body writer (`-o`).
    pub dry: Option<&'a mut dyn BodySink>,
    /// Set by Ctrl-C, an authentication stop or a local failure.
    pub cancel: &'a Arc<AtomicBool>,
    /// Started, for the ledger's run record.
    pub started_at: i64,
}

/// A delivery that ran to its end (or to a stop); the ledger run is not recorded yet.
pub struct Delivered {
    totals: Totals,
    stats: SendStats,
    fatal: Option<Fatal>,
    ledger: Option<Ledger>,
    run_id: Option<i64>,
    errors: Vec<SessionError>,
    failed_out: Option<PathBuf>,
}

/// A local failure after sending started: what was sent is still accounted for.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// An input could not be read or mapped.
    #[error(transparent)]
    Input(#[from] PipelineError),
    /// The ledger, failed-out or dry-run output could not be written.
    #[error(transparent)]
    Local(anyhow::Error),
}

impl SessionError {
    /// The fix, where one is known.
    #[must_use]
    pub fn hint(&self) -> Option<String> {
        match self {
            SessionError::Input(e) => e.hint(),
            SessionError::Local(_) => None,
        }
    }

    /// The error with its chain of causes, for printing.
    #[must_use]
    pub fn into_error(self) -> anyhow::Error {
        match self {
            SessionError::Input(e) => e.into(),
            SessionError::Local(e) => e,
        }
    }
}

impl Prepared {
    /// The ledger file, when the ledger is on.
    #[must_use]
    pub fn ledger_path(&self) -> Option<PathBuf> {
        self.ledger.as_ref().map(|l| l.path().to_owned())
    }

    /// Phase two: reads, builds and sends everything, mapping each answer to its row.
    pub fn deliver(self, d: Deliver<'_>) -> Delivered {
        let Prepared {
            opts,
            network,
            warnings: _,
            mut ledger,
            lookup,
            failed_out,
        } = self;
        let (failed_out_path, failed_out) = match failed_out {
            Some((p, w)) => (Some(p), Some(w)),
            None => (None, None),
        };
        let mut workers = Vec::new();
        let (mut jobs, mut done) = (None, None);
        if let Some(net) = network {
            let (jtx, jrx) = crossbeam_channel::bounded::<Job>(2 * opts.concurrency);
            let (dtx, drx) = crossbeam_channel::unbounded::<Done>();
            workers = super::spawn_workers(opts.concurrency, net.deliverer, jrx, dtx);
            jobs = Some(jtx);
            done = Some(drx);
        }
        let mut run_id = None;
        if let Some(l) = &mut ledger {
            let summary = format!(
                "{} input{}, batch {}, concurrency {}",
                d.plan.inputs.len(),
                crate::printer::plural(d.plan.inputs.len() as u64),
                opts.batch_size,
                opts.concurrency
            );
            run_id = l.begin_run(d.started_at, &summary).ok();
        }
        let writer = ledger.map(|l| LedgerWriter::spawn(l, d.cancel.clone()));
        let progress = Progress::new(d.printer);
        let mut session = Session {
            printer: d.printer,
            describe: d.describe,
            batcher: Batcher::new(opts.batch_size),
            jobs,
            done,
            lookup,
            writer,
            failed_out,
            failed_lines: 0,
            dry: d.dry,
            stats: SendStats::default(),
            fatal: None,
            resend: opts.resend,
            resend_changed: opts.resend_changed,
            run_id,
            cancel: d.cancel.clone(),
            progress,
            error: None,
            seq: 0,
        };
        let (mut totals, input_error) = pipeline::run_partial(
            d.plan,
            d.settings,
            &mut crate::tag::LateCheckoutWarning::wrap(d.settings, &mut session),
            d.cancel,
        );
        let finished = session.finish();
        for w in workers {
            let _ = w.join();
        }
        session.progress.finish();
        let stats = std::mem::take(&mut session.stats);
        let fatal = session.fatal.take();
        let mut errors: Vec<SessionError> = Vec::new();
        if let Some(e) = input_error {
            errors.push(e.into());
        }
        let mut local = session.error.take();
        let mut ledger = None;
        if let Some(w) = session.writer.take() {
            let (l, written) = w.finish();
            ledger = Some(l);
            if let Err(e) = written {
                local.get_or_insert(e);
            }
        }
        if let Some(e) = local.or(finished.err()) {
            errors.push(SessionError::Local(e));
        }
        totals.batches = stats.batches;
        let failed_lines = session.failed_lines;
        drop(session);
        // Every event was accepted: no failed-out file rather than an empty one, so its
        // presence alone says something needs a look (a device such as `/dev/null` stays).
        let failed_out_path = failed_out_path.filter(|p| {
            let empty = failed_lines == 0 && std::fs::metadata(p).is_ok_and(|m| m.is_file());
            !(empty && std::fs::remove_file(p).is_ok())
        });
        Delivered {
            totals,
            stats,
            fatal,
            ledger,
            run_id,
            errors,
            failed_out: failed_out_path,
        }
    }
}

/// What a session did, for the summary, the report and the exit code.
pub struct Settled {
    /// The offline accounting.
    pub totals: Totals,
    /// The delivery accounting.
    pub stats: SendStats,
    /// The stop that Pinterest's answer caused, if any.
    pub fatal: Option<Fatal>,
    /// Local failures after sending started.
    pub errors: Vec<SessionError>,
    /// Failures recording the run in the ledger (reported; they do not change the outcome).
    pub ledger_errors: Vec<anyhow::Error>,
    /// `--failed-out`, when given and written (it is removed when nothing failed).
    pub failed_out: Option<PathBuf>,
}

impl Delivered {
    /// Phase three: records the run in the ledger and hands back the whole accounting.
    pub fn settle(self, interrupted: bool) -> Settled {
        let Delivered {
            totals,
            mut stats,
            fatal,
            ledger,
            run_id,
            errors,
            failed_out,
        } = self;
        stats.interrupted = interrupted;
        let mut ledger_errors = Vec::new();
        if let (Some(mut l), Some(id)) = (ledger, run_id) {
            let rs = RunStats {
                read: totals.orders,
                built: totals.events,
                skipped: totals.skipped,
                already_sent: stats.already_sent,
                changed: stats.changed_not_sent,
                retried: stats.retried_from_ledger,
                accepted: stats.accepted,
                failed: stats.failed,
                requests: stats.requests,
            };
            if let Err(e) = l.finish_run(id, jiff::Timestamp::now().as_second(), &rs) {
                ledger_errors
                    .push(anyhow::Error::from(e).context("cannot record the run in the ledger"));
            }
        }
        Settled {
            totals,
            stats,
            fatal,
            errors,
            ledger_errors,
            failed_out,
        }
    }
}
