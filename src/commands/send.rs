//! `pinconv send`: the offline pipeline feeding a pool of senders, the ledger deciding what is
//! new, Pinterest's per-event answers mapped back to input rows, and a report of every order.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use crossbeam_channel::{Receiver, Sender};
use secrecy::SecretString;
use serde::Serialize;

use super::build::{AtomicFile, BodyWriter};
use crate::batch::Batcher;
use crate::cli::SendArgs;
use crate::event::Built;
use crate::exit::Exit;
use crate::ledger::{self, Decision, EventKey, Ledger, LedgerError, RunStats};
use crate::pipeline::{self, Sink};
use crate::printer::{Printer, Progress};
use crate::report::{InputSummary, Problem, Severity, Totals};
use crate::send::{
    BatchOutcome, Client, ClientConfig, Deliverer, EventOutcome, FailureKind, RateLimiter,
    RealSleeper, RetryPolicy,
};

/// How many request ids the report lists.
const MAX_REQUEST_IDS: usize = 1000;
/// How many distinct failure reasons the report lists before folding them into `other`.
const MAX_REASONS: usize = 100;

/// What `send` did, for the summary and the report.
#[derive(Debug, Default, Serialize)]
pub struct SendStats {
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

impl SendStats {
    fn fail(&mut self, kind: FailureKind, reason: &str) {
        self.failed += 1;
        *self
            .failed_by_kind
            .entry(kind_name(kind).to_owned())
            .or_default() += 1;
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

fn kind_name(k: FailureKind) -> &'static str {
    match k {
        FailureKind::Rejected => "rejected",
        FailureKind::GaveUp => "gave_up",
        FailureKind::Spam => "spam",
        FailureKind::Aborted => "aborted",
        FailureKind::Other => "other",
    }
}

/// Where an event came from, carried through the senders and back.
struct Meta {
    file: Arc<str>,
    line: u64,
    key: EventKey,
    event_time: i64,
    fingerprint: String,
}

type Job = crate::send::Job<Vec<Meta>>;
type Done = crate::send::Done<Vec<Meta>>;

/// A write to the ledger, done on the writer thread so that recording one batch overlaps
/// with building and sending the next.
enum LedgerWrite {
    Accepted(Vec<ledger::Accepted>, Option<String>, i64),
    Failed(Vec<ledger::Failed>, i64),
}

/// The thread that owns the locked ledger and records each answered batch, one transaction
/// per batch, in the order the answers came.
struct LedgerWriter {
    tx: Sender<LedgerWrite>,
    handle: std::thread::JoinHandle<(Ledger, anyhow::Result<()>)>,
}

impl LedgerWriter {
    fn spawn(mut ledger: Ledger, cancel: Arc<AtomicBool>) -> LedgerWriter {
        // Few batches may wait: after a crash, accepted but unrecorded batches are sent again.
        let (tx, rx) = crossbeam_channel::bounded::<LedgerWrite>(2);
        let handle = std::thread::Builder::new()
            .name("pinconv-ledger".into())
            .spawn(move || {
                let mut result = Ok(());
                for w in rx {
                    if result.is_err() {
                        continue;
                    }
                    let r = match w {
                        LedgerWrite::Accepted(items, rid, now) => ledger
                            .record_accepted(&items, rid.as_deref(), now)
                            .context("cannot record accepted events in the ledger"),
                        LedgerWrite::Failed(items, now) => ledger
                            .record_failed(&items, now)
                            .context("cannot record failed events in the ledger"),
                    };
                    if let Err(e) = r {
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

struct SendSink<'a> {
    printer: &'a mut Printer,
    batcher: Batcher<Built>,
    jobs: Option<Sender<Job>>,
    done: Option<Receiver<Done>>,
    /// A read-only view for lookups; the writes go through `writer` on its own thread.
    lookup: Option<Ledger>,
    writer: Option<LedgerWriter>,
    failed_out: Option<BufWriter<File>>,
    dry: Option<BodyWriter<'static>>,
    stats: SendStats,
    resend: bool,
    resend_changed: bool,
    cancel: Arc<AtomicBool>,
    progress: Progress,
    error: Option<anyhow::Error>,
    seq: u64,
}

impl SendSink<'_> {
    /// Decides per event with the ledger, then hands the rest to the senders.
    fn dispatch(&mut self, batch: Vec<Built>) -> anyhow::Result<()> {
        // Fingerprints only matter to the ledger; computed in parallel, off the ordered path.
        let fingerprints: Vec<String> = if self.lookup.is_some() {
            use rayon::prelude::*;
            batch
                .par_iter()
                .map(|b| ledger::fingerprint_exact(&b.json))
                .collect()
        } else {
            vec![String::new(); batch.len()]
        };
        let metas: Vec<Meta> = batch
            .iter()
            .zip(fingerprints)
            .map(|(b, fingerprint)| Meta {
                file: b.file.clone(),
                line: b.line,
                key: EventKey::new(b.event_name, b.event_id.clone()),
                event_time: b.event_time,
                fingerprint,
            })
            .collect();
        let decisions: Vec<Decision> = match &self.lookup {
            Some(l) => {
                let keys: Vec<EventKey> = metas.iter().map(|m| m.key.clone()).collect();
                let entries = l.lookup(&keys).context("cannot read the ledger")?;
                entries
                    .iter()
                    .zip(&metas)
                    .map(|(e, m)| ledger::classify(e.as_ref(), &m.fingerprint))
                    .collect()
            }
            None => vec![Decision::New; metas.len()],
        };
        self.seq += 1;
        let mut job = Job {
            seq: self.seq,
            meta: Vec::new(),
            events: Vec::new(),
        };
        for ((meta, built), decision) in metas.into_iter().zip(batch).zip(decisions) {
            match decision {
                Decision::AlreadySent if !self.resend => {
                    self.stats.already_sent += 1;
                    continue;
                }
                Decision::Changed { .. } if !self.resend_changed && !self.resend => {
                    self.stats.changed_not_sent += 1;
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
                        hint: Some("pass `--resend-changed` to send the new version (Pinterest deduplicates by event id)".into()),
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
        self.settle(Done {
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
                Some(done) => self.settle(done)?,
                None => return Ok(()),
            }
        }
    }

    /// Maps a batch's per-event answers back to input rows, the ledger and failed-out.
    fn settle(&mut self, done: Done) -> anyhow::Result<()> {
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
            if self.stats.fatal.is_none() {
                self.stats.fatal = Some(format!("{f}\nhint: {}", f.hint()));
            }
            self.cancel.store(true, Ordering::SeqCst);
        }
        let now = jiff::Timestamp::now().as_second();
        let mut accepted = Vec::new();
        let mut failed = Vec::new();
        for ((meta, json), result) in meta.iter().zip(&events).zip(&outcome.outcomes) {
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
                        key: meta.key.clone(),
                        fingerprint: meta.fingerprint.clone(),
                        event_time: meta.event_time,
                    });
                }
                EventOutcome::Failed { reason, kind } => {
                    self.stats.fail(*kind, reason);
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
                    }
                    if *kind != FailureKind::Aborted {
                        failed.push(ledger::Failed {
                            key: meta.key.clone(),
                            fingerprint: meta.fingerprint.clone(),
                            reason: reason.clone(),
                            event_json: json.clone(),
                            source: format!("{}:{}", meta.file, meta.line),
                        });
                    }
                }
            }
        }
        self.progress.inc(events.len() as u64);
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

impl Sink for SendSink<'_> {
    fn input(&mut self, s: &InputSummary) {
        self.printer.info(&super::check::describe_input(s));
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

/// The access token, from `--token-file` or `PINTEREST_ACCESS_TOKEN`; never printed.
fn read_token(file: Option<&Path>) -> anyhow::Result<SecretString> {
    let raw = match file {
        Some(p) => std::fs::read_to_string(p)
            .with_context(|| format!("cannot read token file `{}`", p.display()))?,
        None => std::env::var("PINTEREST_ACCESS_TOKEN").unwrap_or_default(),
    };
    let t = raw.trim();
    if t.is_empty() {
        anyhow::bail!("no access token: set `PINTEREST_ACCESS_TOKEN` or pass `--token-file FILE`");
    }
    Ok(SecretString::from(t.to_owned()))
}

/// The whole run report written by `--report`: counts, reasons, batches, retries, durations
/// and request ids; never the token, never plaintext PII.
#[derive(Serialize)]
struct RunReport<'a> {
    pinconv_version: &'static str,
    started_at: String,
    finished_at: String,
    duration_ms: u128,
    #[serde(skip_serializing_if = "Option::is_none")]
    ad_account: Option<&'a str>,
    test: bool,
    dry_run: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    ledger: Option<String>,
    exit_code: u8,
    offline: &'a Totals,
    send: &'a SendStats,
}

fn install_signal_handler(cancel: &Arc<AtomicBool>, interrupted: &Arc<AtomicBool>) {
    let (c, i) = (cancel.clone(), interrupted.clone());
    let _ = ctrlc::set_handler(move || {
        if i.swap(true, Ordering::SeqCst) {
            // A second signal: stop at once.
            std::process::exit(i32::from(Exit::Interrupted.code()));
        }
        c.store(true, Ordering::SeqCst);
        eprintln!(
            "stopping: finishing the requests in flight (press Ctrl-C again to quit at once)"
        );
    });
}

#[allow(clippy::too_many_lines)]
pub fn run(a: &SendArgs) -> Exit {
    let started = Instant::now();
    let started_at = jiff::Timestamp::now();
    let mut printer = Printer::new(a.input.quiet, a.input.max_problems);
    let (settings, plan) = match super::resolve(&a.input) {
        Ok(x) => x,
        Err(e) => return super::usage_error(&printer, &e.into(), None),
    };
    if a.output.is_some() && !a.dry_run {
        return super::usage_error(
            &printer,
            &anyhow::anyhow!("`--output` goes with `--dry-run`"),
            Some("use `pinconv build -o FILE` to write the bodies without sending"),
        );
    }
    let cancel = Arc::new(AtomicBool::new(false));
    let interrupted = Arc::new(AtomicBool::new(false));

    // The network side: nothing of it in a dry run.
    let ad_account = a.ad_account.as_deref().map(str::trim);
    let mut workers = Vec::new();
    let mut jobs_tx = None;
    let mut done_rx = None;
    if !a.dry_run {
        let Some(ad) = ad_account else {
            return super::usage_error(
                &printer,
                &anyhow::anyhow!(
                    "no ad account: pass `--ad-account ID` or set `PINTEREST_AD_ACCOUNT_ID`"
                ),
                Some("or use `--dry-run` to check everything without sending"),
            );
        };
        let token = match read_token(a.token_file.as_deref()) {
            Ok(t) => t,
            Err(e) => return super::usage_error(&printer, &e, None),
        };
        let client = match Client::new(ClientConfig {
            api_base: a.api_base.clone(),
            ad_account: ad.to_owned(),
            token,
            test: a.test,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(a.timeout.max(1)),
        }) {
            Ok(c) => c,
            Err(e) => return super::usage_error(&printer, &e.into(), None),
        };
        let policy = RetryPolicy {
            max_attempts: a.max_attempts,
            base: Duration::from_millis(a.retry_base_ms.max(1)),
            ..RetryPolicy::default()
        };
        // Pinterest allows test requests 10 per second per app.
        let rate = if a.test && (a.rate <= 0.0 || a.rate > 10.0) {
            10.0
        } else {
            a.rate
        };
        let limiter = Arc::new(RateLimiter::new((rate > 0.0).then_some(rate)));
        let seed = u64::try_from(started_at.as_nanosecond()).unwrap_or_default();
        let deliverer = Arc::new(Deliverer::new(
            client,
            policy,
            Arc::new(RealSleeper),
            limiter,
            cancel.clone(),
            seed,
        ));
        let (jtx, jrx) = crossbeam_channel::bounded::<Job>(2 * usize::from(a.concurrency));
        let (dtx, drx) = crossbeam_channel::unbounded::<Done>();
        workers = crate::send::spawn_workers(usize::from(a.concurrency), deliverer, jrx, dtx);
        jobs_tx = Some(jtx);
        done_rx = Some(drx);
    }

    // The ledger: on by default for real sends.
    let use_ledger = !a.dry_run && !a.test && !a.no_state;
    let ledger = if use_ledger {
        let ad = ad_account.unwrap_or_default();
        let path = match a.state.clone().map_or_else(|| ledger::default_path(ad), Ok) {
            Ok(p) => p,
            Err(e) => return super::usage_error(&printer, &e.into(), None),
        };
        match Ledger::open(&path, ad, None) {
            Ok(l) => Some(l),
            Err(e @ LedgerError::Locked { .. }) => {
                printer.error(&e.into(), None);
                return Exit::Locked;
            }
            Err(e) => return super::usage_error(&printer, &e.into(), None),
        }
    } else {
        None
    };
    let ledger_path = ledger.as_ref().map(|l| l.path().display().to_string());
    let lookup = match &ledger {
        Some(l) => match Ledger::open_read_only(l.path(), l.ad_account()) {
            Ok(r) => Some(r),
            Err(e) => return super::usage_error(&printer, &e.into(), None),
        },
        None => None,
    };

    let failed_out = match &a.failed_out {
        Some(p) => match File::create(p) {
            Ok(f) => Some(BufWriter::new(f)),
            Err(e) => {
                return super::usage_error(
                    &printer,
                    &anyhow::Error::from(e).context(format!("cannot create `{}`", p.display())),
                    None,
                )
            }
        },
        None => None,
    };
    let mut dry_file: Option<AtomicFile> = None;
    let dry = match (&a.output, a.dry_run) {
        (Some(p), true) => match AtomicFile::create(p) {
            Ok((atomic, f)) => {
                dry_file = Some(atomic);
                Some(BodyWriter::new(
                    Box::new(BufWriter::new(f)),
                    usize::from(a.batch_size),
                ))
            }
            Err(e) => return super::usage_error(&printer, &e, None),
        },
        _ => None,
    };
    install_signal_handler(&cancel, &interrupted);

    let mut run_id = None;
    let mut ledger = ledger;
    if let Some(l) = &mut ledger {
        let summary = format!(
            "{} input{}, batch {}, concurrency {}",
            plan.inputs.len(),
            crate::printer::plural(plan.inputs.len() as u64),
            a.batch_size,
            a.concurrency
        );
        run_id = l.begin_run(started_at.as_second(), &summary).ok();
    }

    let writer = ledger.map(|l| LedgerWriter::spawn(l, cancel.clone()));
    let progress = Progress::new(&printer);
    let mut sink = SendSink {
        printer: &mut printer,
        batcher: Batcher::new(usize::from(a.batch_size)),
        jobs: jobs_tx,
        done: done_rx,
        lookup,
        writer,
        failed_out,
        dry,
        stats: SendStats::default(),
        resend: a.resend,
        resend_changed: a.resend_changed,
        cancel: cancel.clone(),
        progress,
        error: None,
        seq: 0,
    };
    let (mut totals, input_error) = pipeline::run_partial(
        &plan,
        &settings,
        &mut crate::tag::LateCheckoutWarning::wrap(
            a.input.config.as_deref(),
            settings.now,
            &mut sink,
        ),
        &cancel,
    );
    let finished = sink.finish();
    for w in workers {
        let _ = w.join();
    }
    sink.progress.finish();
    let mut stats = std::mem::take(&mut sink.stats);
    stats.interrupted = interrupted.load(Ordering::SeqCst);
    let mut sink_error = sink.error.take();
    let mut ledger = None;
    if let Some(w) = sink.writer.take() {
        let (l, written) = w.finish();
        ledger = Some(l);
        if let Err(e) = written {
            sink_error.get_or_insert(e);
        }
    }
    drop(sink);

    // A fatal input or output error after sending started: what was sent is still accounted
    // for below (summary, report, ledger run), and the run exits 2.
    let mut fatal_error = false;
    if let Some(e) = input_error {
        let hint = e.hint();
        printer.error(&e.into(), hint.as_deref());
        fatal_error = true;
    }
    if let Some(e) = sink_error.or(finished.err()) {
        printer.error(&e, None);
        fatal_error = true;
    }
    if fatal_error {
        if let Some(f) = dry_file.take() {
            f.abandon();
        }
    }
    if let Some(f) = dry_file {
        if let Err(e) = f.commit() {
            return super::usage_error(&printer, &e, None);
        }
    }
    totals.batches = stats.batches;

    let exit = if fatal_error {
        Exit::Usage
    } else if stats.interrupted {
        Exit::Interrupted
    } else if stats.fatal.is_some() {
        Exit::Auth
    } else if stats.failed_by_kind.contains_key("gave_up") {
        Exit::Temporary
    } else if stats.failed > 0 {
        Exit::PartialFailure
    } else {
        let send_warnings = stats.changed_not_sent + stats.pinterest_warnings > 0;
        super::offline_exit(&totals, a.input.deny_warnings).worst(
            if a.input.deny_warnings && send_warnings {
                Exit::Rejected
            } else {
                Exit::Ok
            },
        )
    };

    if let (Some(l), Some(id)) = (&mut ledger, run_id) {
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
            printer.error(
                &anyhow::Error::from(e).context("cannot record the run in the ledger"),
                None,
            );
        }
    }

    printer.summary(&totals, "built");
    send_summary(&printer, &stats, a.dry_run, a.test);
    if let Some(f) = &stats.fatal {
        printer.error(&anyhow::anyhow!("{f}"), None);
    }
    if let Some(path) = &a.report {
        let report = RunReport {
            pinconv_version: env!("CARGO_PKG_VERSION"),
            started_at: started_at.to_string(),
            finished_at: jiff::Timestamp::now().to_string(),
            duration_ms: started.elapsed().as_millis(),
            ad_account,
            test: a.test,
            dry_run: a.dry_run,
            ledger: ledger_path,
            exit_code: exit.code(),
            offline: &totals,
            send: &stats,
        };
        let written = File::create(path)
            .map_err(anyhow::Error::from)
            .and_then(|f| {
                serde_json::to_writer_pretty(BufWriter::new(f), &report)
                    .map_err(anyhow::Error::from)
            });
        if let Err(e) = written {
            printer.error(
                &e.context(format!("cannot write the report `{}`", path.display())),
                None,
            );
            return exit.worst(Exit::Usage);
        }
    }
    exit
}

fn send_summary(printer: &Printer, s: &SendStats, dry_run: bool, test: bool) {
    let mut lines = Vec::new();
    if dry_run {
        lines.push(format!(
            "  dry run   {} event{} would be sent in {} request{}; nothing was sent",
            s.would_send,
            crate::printer::plural(s.would_send),
            s.batches,
            crate::printer::plural(s.batches)
        ));
    } else {
        let mode = if test {
            " (test mode: validated, not recorded)"
        } else {
            ""
        };
        lines.push(format!("  accepted  {}{mode}", s.accepted));
        let reasons: Vec<String> = s
            .failed_by_kind
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        lines.push(format!(
            "  failed    {}{}",
            s.failed,
            if reasons.is_empty() {
                String::new()
            } else {
                format!(" ({})", reasons.join(", "))
            }
        ));
        lines.push(format!(
            "  requests  {} ({} retries)",
            s.requests, s.retries
        ));
    }
    if s.already_sent > 0 || s.changed_not_sent > 0 || s.retried_from_ledger > 0 {
        lines.push(format!(
            "  ledger    {} already sent, {} changed and held back, {} failed before and sent again",
            s.already_sent, s.changed_not_sent, s.retried_from_ledger
        ));
    }
    if s.pinterest_warnings > 0 {
        lines.push(format!("  pinterest warnings {}", s.pinterest_warnings));
    }
    if s.interrupted {
        lines.push(
            "  interrupted: events not sent are in the failed-out file (kind `aborted`)".into(),
        );
    }
    // Part of the summary: shown with `--quiet` too, as cron logs want the counts.
    printer.always(&lines.join("\n"));
}
