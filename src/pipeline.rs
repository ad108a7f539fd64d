//! The offline pipeline: read → map → group → (in parallel) normalize and build → account.
//! A reader thread numbers chunks of orders and queues them for build workers, one per core;
//! whichever worker is free takes the next chunk, builds it whole and hands its outcomes on to
//! the accounting (this thread), which takes them in the reader's order (one that comes early
//! waits for those before it). Reading, building and accounting overlap, a bounded number of
//! chunks is in flight, so memory stays flat, and every core works.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::config::Settings;
use crate::event::{self, Built, Outcome};
use crate::input::{self, InputError, Raw, ReadOptions, ReadProblem, Reader};
use crate::map::{detect_csv, detect_json, CsvMapper, Grouper, JsonMapper, MapError, Order};
use crate::report::coverage::{Facts, Tally};
use crate::report::{DateOrderNote, InputSummary, Problem, Severity, Totals};
use crate::seen::{Answer, Seen};
use crate::time::{self, DateEvidence, DateOrder};

/// Orders per chunk handed to a build worker, at most.
const CHUNK: usize = 2048;

/// Orders an input holds back at most while its date order is unknown (see [`DateGate`]).
pub const DATE_HOLD: usize = 5000;

/// Bytes of orders per chunk, about: a chunk is handed on when it holds this much, so memory
/// in flight (the one being filled, at most [`in_flight`] between the reader and the
/// accounting, the one being accounted, and one per worker on its way back to the reader to be
/// freed) stays a few MiB however wide the orders are.
const CHUNK_BYTES: usize = 512 * 1024;

/// Chunks queued between the reader and the build workers.
const QUEUED_CHUNKS: usize = 2;

/// Build workers at most: the reader, one thread, keeps about two busy (building a chunk costs
/// 1.2 to 1.5 times reading it).
const MAX_WORKERS: usize = 4;

/// Chunks between the reader and the accounting at most, with `workers` workers: the queued
/// ones, one being built by each worker, and one built by each waiting for an earlier one.
fn in_flight(workers: usize) -> usize {
    QUEUED_CHUNKS + 2 * workers
}

/// About how much memory a unit holds: its cells' text plus their bookkeeping.
fn unit_bytes(u: &Unit) -> usize {
    const CELL: usize = std::mem::size_of::<(crate::map::Key, crate::map::Cell)>();
    match u {
        Unit::Order(o) => {
            let cells = o.fields.iter().chain(o.items.iter().flatten());
            std::mem::size_of::<Order>() + cells.map(|(_, c)| CELL + c.value.len()).sum::<usize>()
        }
        // Parsed JSON: a few times its text; one KiB is what a CAPI event takes.
        Unit::Prebuilt(..) => 1024,
        Unit::Unreadable(..) => 256,
    }
}

/// What the pipeline reads.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Inputs, `-` for stdin.
    pub inputs: Vec<PathBuf>,
    /// How to read them.
    pub read: ReadOptions,
    /// Problems kept in the report.
    pub max_problems: usize,
    /// What the `event_id` template needs of each order, checked against each header.
    pub event_id: Vec<crate::map::IdNeed>,
}

/// Receives the pipeline's results in input order.
pub trait Sink {
    /// An input was opened and recognised.
    fn input(&mut self, _summary: &InputSummary) {}
    /// A problem (also counted in the totals).
    fn problem(&mut self, _problem: &Problem) {}
    /// A built event; an error stops the run.
    fn event(&mut self, event: Built) -> anyhow::Result<()>;
}

/// The input row a `--failed-out` (or `state failed`) line came from, its `file` and `line`:
/// a re-sent event keeps pointing at the row of the original export, in problems, in the next
/// failed-out file and in the ledger, however many re-sends it takes.
fn origin(record: &serde_json::Value) -> Option<(Arc<str>, u64)> {
    record.get("event").filter(|e| e.is_object())?;
    let file = record.get("file")?.as_str().filter(|f| !f.is_empty())?;
    let line = record.get("line")?.as_u64().filter(|l| *l > 0)?;
    Some((Arc::from(file), line))
}

/// An input that cannot be used: the run stops (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// Reading failed.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Mapping failed.
    #[error("`{file}`: {error}")]
    Map {
        /// Input name.
        file: String,
        /// What is wrong (its message is already part of this one).
        error: MapError,
    },
    /// The sink failed (e.g. the output could not be written).
    #[error(transparent)]
    Sink(#[from] anyhow::Error),
}

impl PipelineError {
    /// The fix, where known.
    #[must_use]
    pub fn hint(&self) -> Option<String> {
        match self {
            PipelineError::Input(e) => e.hint().map(str::to_owned),
            PipelineError::Map { error, .. } => error.hint.clone(),
            PipelineError::Sink(_) => None,
        }
    }
}

enum Unit {
    Order(Order),
    Prebuilt(Arc<str>, u64, serde_json::Value),
    Unreadable(Arc<str>, ReadProblem),
}

enum Msg {
    Input(InputSummary),
    /// Orders, how many records were read for them, and the settings of their input.
    Chunk(Vec<Unit>, u64, Arc<Settings>),
    Fatal(PipelineError),
}

/// What a build worker hands to the accounting (which puts them back in input order).
enum Stage {
    Input(InputSummary),
    /// A chunk's outcomes, with what coverage reads of each built event, and how many
    /// records were read for it.
    Built(Vec<(Outcome, Option<Facts>)>, u64),
    Fatal(PipelineError),
}

/// The reader's ends of the channels to the build workers: numbered messages go out to
/// whichever worker is free, each taking a permit first (so at most [`in_flight`] chunks are
/// between the reader and the accounting, however the workers race), and the units of built
/// chunks come back to be dropped on the reader's thread, which allocated them. A free on the
/// allocating thread is the allocator's fast path; the build threads' frees of the reader's
/// orders went through its cross-thread queue, paid on both sides.
struct ToBuild {
    tx: crossbeam_channel::Sender<(u64, Msg)>,
    /// The number of the next message.
    next: std::cell::Cell<u64>,
    permits: crossbeam_channel::Receiver<()>,
    spent: crossbeam_channel::Receiver<Vec<Unit>>,
}

impl ToBuild {
    /// Sends `msg` (after dropping what came back); `false` when the build stage has gone.
    fn send(&self, msg: Msg) -> bool {
        while let Ok(units) = self.spent.try_recv() {
            drop(units);
        }
        if self.permits.recv().is_err() {
            return false;
        }
        let seq = self.next.get();
        self.next.set(seq + 1);
        self.tx.send((seq, msg)).is_ok()
    }
}

/// A build worker: each chunk it takes built here, whole, its units then handed back to
/// `spent` (or dropped here when that is full); stops when the reader is done or the
/// accounting has gone. Building a chunk on one thread, rather than splitting it
/// across a pool, keeps the hand-offs to two per chunk: a rayon pool woke and parked its
/// threads for every chunk (some 150 context switches each), and its idle threads spun on the
/// cores the ledger and the senders of `send` needed.
fn build_all(
    rx: &crossbeam_channel::Receiver<(u64, Msg)>,
    tx: &crossbeam_channel::Sender<(u64, Stage)>,
    spent: &crossbeam_channel::Sender<Vec<Unit>>,
) {
    for (seq, msg) in rx {
        let stage = match msg {
            Msg::Input(summary) => Stage::Input(summary),
            Msg::Fatal(e) => Stage::Fatal(e),
            Msg::Chunk(units, n, settings) => {
                // A panic here is a bug. Caught, it still answers for the chunk's number, so
                // the accounting ends the run with an error; a worker that died with its chunk
                // left the accounting waiting for that number while the other workers kept the
                // channel open, and the reader waiting for permits: the run hung.
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    fault_injection(seq);
                    build_chunk(&units, &settings)
                })) {
                    Ok(built) => {
                        let _ = spent.try_send(units);
                        Stage::Built(built, n)
                    }
                    Err(_) => Stage::Fatal(PipelineError::Sink(anyhow::anyhow!(BUILD_BUG))),
                }
            }
        };
        if tx.send((seq, stage)).is_err() {
            return;
        }
    }
}

/// What a run that lost a build worker to a bug ends with.
const BUILD_BUG: &str = "the build stage stopped unexpectedly (a bug: please report it)";

/// Debug builds only: `PINCONV_FAULT_BUILD_PANIC=N` makes the worker that takes message `N`
/// panic, so the tests can see a run end when a build worker fails.
fn fault_injection(seq: u64) {
    #[cfg(debug_assertions)]
    if std::env::var("PINCONV_FAULT_BUILD_PANIC").is_ok_and(|v| v == seq.to_string()) {
        panic!("fault injection: PINCONV_FAULT_BUILD_PANIC={seq}");
    }
    #[cfg(not(debug_assertions))]
    let _ = seq;
}

/// Builds one chunk of units; the outcomes keep the units' order.
fn build_chunk(units: &[Unit], settings: &Settings) -> Vec<(Outcome, Option<Facts>)> {
    units
        .iter()
        .map(|u| match u {
            Unit::Order(o) => event::build(o, settings),
            Unit::Prebuilt(file, line, v) => {
                let ev = event::prebuilt_event(v).unwrap_or(v);
                let (file, line) = origin(v).unwrap_or_else(|| (file.clone(), *line));
                event::prebuilt(&file, line, ev, settings)
            }
            Unit::Unreadable(file, p) => Outcome::Rejected(vec![Problem {
                file: file.clone(),
                line: p.line,
                column: p.column.clone(),
                severity: Severity::Rejected,
                code: "unreadable_record",
                reason: p.message.clone(),
                hint: p.hint.clone(),
                order: None,
            }]),
        })
        // Coverage reads each event here, on the build worker, not on the accounting thread.
        .map(|mut o| {
            let facts = match &mut o {
                Outcome::Built(b) => Some(Facts::of(b)),
                _ => None,
            };
            (o, facts)
        })
        .collect()
}

/// How many build workers: one per core the process may use, at most [`MAX_WORKERS`].
fn workers() -> usize {
    std::thread::available_parallelism()
        .map_or(2, std::num::NonZeroUsize::get)
        .min(MAX_WORKERS)
}

/// Numbered items put back in their order: [`InOrder::take`] gives item 0, then 1, and so on,
/// each once it has been [`InOrder::put`]; one that comes early waits.
struct InOrder<T> {
    next: u64,
    early: std::collections::BTreeMap<u64, T>,
}

impl<T> Default for InOrder<T> {
    fn default() -> InOrder<T> {
        InOrder {
            next: 0,
            early: std::collections::BTreeMap::new(),
        }
    }
}

impl<T> InOrder<T> {
    fn put(&mut self, n: u64, item: T) {
        self.early.insert(n, item);
    }

    /// The next item in order, if it has come.
    fn take(&mut self) -> Option<T> {
        let item = self.early.remove(&self.next)?;
        self.next += 1;
        Some(item)
    }
}

/// Runs the pipeline to the end (or until `cancel`), feeding `sink`; returns the accounting.
pub fn run(
    plan: &Plan,
    settings: &Arc<Settings>,
    sink: &mut dyn Sink,
    cancel: &AtomicBool,
) -> Result<Totals, PipelineError> {
    match run_partial(plan, settings, sink, cancel) {
        (t, None) => Ok(t),
        (_, Some(e)) => Err(e),
    }
}

/// Like [`run`], but keeps the accounting of what was done before a fatal error, for callers
/// that have already acted on it (`send`).
pub fn run_partial(
    plan: &Plan,
    settings: &Arc<Settings>,
    sink: &mut dyn Sink,
    cancel: &AtomicBool,
) -> (Totals, Option<PipelineError>) {
    // Every input must open before anything is done, so a typo in the last path does not
    // stop a send half-way.
    for path in &plan.inputs {
        if path.as_os_str() != "-" {
            if let Err(source) = std::fs::File::open(path) {
                return (
                    Totals::default(),
                    Some(
                        InputError::Open {
                            path: path.clone(),
                            source,
                        }
                        .into(),
                    ),
                );
            }
        }
    }
    let n = workers();
    let (tx, rx) = crossbeam_channel::bounded::<(u64, Msg)>(QUEUED_CHUNKS);
    let (built_tx, built_rx) = crossbeam_channel::bounded::<(u64, Stage)>(n);
    let (spent_tx, spent) = crossbeam_channel::bounded::<Vec<Unit>>(n);
    let limit = in_flight(n);
    let (permit, permits) = crossbeam_channel::bounded::<()>(limit);
    for _ in 0..limit {
        let _ = permit.send(());
    }
    let builders: Vec<_> = (0..n)
        .map(|i| {
            let (rx, built_tx, spent_tx) = (rx.clone(), built_tx.clone(), spent_tx.clone());
            std::thread::Builder::new()
                .name(format!("pinconv-build-{i}"))
                .spawn(move || build_all(&rx, &built_tx, &spent_tx))
                .expect("spawn build thread")
        })
        .collect();
    drop((rx, built_tx, spent_tx));
    let reader = {
        let plan = plan.clone();
        let settings = settings.clone();
        let to_build = ToBuild {
            tx,
            next: std::cell::Cell::new(0),
            permits,
            spent,
        };
        std::thread::Builder::new()
            .name("pinconv-read".into())
            .spawn(move || read_all(&plan, &settings, &to_build))
            .expect("spawn reader thread")
    };
    let mut totals = Totals::default();
    let mut quality = Tally::new(settings.timezone.clone());
    let mut ids = Seen::default();
    // The event ids of the input being accounted, to tell a repeat within an input from
    // one across inputs; none while the first input is accounted, whose ids are `ids`.
    let mut input_ids: (Arc<str>, Option<Seen>) = (Arc::from(""), None);
    let mut result = Ok(());
    // Records of the chunks accounted here: after a stop, the reader has read further than
    // what was built, and only this part was handled.
    let mut handed_records = 0u64;
    // The workers' outcomes in the reader's order: one that comes early waits here for those
    // before it (the permits bound how many), and each one taken frees a permit.
    let mut in_order = InOrder::default();
    let stages = std::iter::from_fn(|| loop {
        if let Some(stage) = in_order.take() {
            let _ = permit.try_send(());
            return Some(stage);
        }
        let (seq, stage) = built_rx.recv().ok()?;
        in_order.put(seq, stage);
    });
    for stage in stages {
        if cancel.load(Ordering::Relaxed) {
            totals.stopped_early = true;
            break;
        }
        match stage {
            Stage::Input(summary) => {
                sink.input(&summary);
                totals.inputs.push(summary);
            }
            Stage::Fatal(e) => {
                result = Err(e);
                break;
            }
            Stage::Built(outcomes, n) => {
                handed_records += n;
                let counted = account(
                    outcomes,
                    &mut totals,
                    &mut quality,
                    &mut ids,
                    &mut input_ids,
                    sink,
                    plan.max_problems,
                );
                if let Err(e) = counted {
                    result = Err(PipelineError::Sink(e));
                    break;
                }
            }
        }
    }
    // Closing the channels stops the build workers and the reader.
    drop((built_rx, permit));
    if builders.into_iter().map(|b| b.join()).any(|j| j.is_err()) {
        result = result.and(Err(PipelineError::Sink(anyhow::anyhow!(BUILD_BUG))));
    }
    totals.set_quality(quality.finish());
    match reader.join() {
        Ok(records) => {
            totals.records = if totals.stopped_early {
                handed_records
            } else {
                records
            };
        }
        Err(_) => {
            result = result.and(Err(PipelineError::Sink(anyhow::anyhow!(
                "the input reader stopped unexpectedly (a bug: please report it)"
            ))));
        }
    }
    (totals, result.err())
}

/// Counts each outcome and hands built events on. An event id already built from an
/// earlier input is skipped (`duplicate_order`); one repeated within an input is a warning.
fn account(
    outcomes: Vec<(Outcome, Option<Facts>)>,
    totals: &mut Totals,
    quality: &mut Tally,
    ids: &mut Seen,
    input: &mut (Arc<str>, Option<Seen>),
    sink: &mut dyn Sink,
    keep: usize,
) -> anyhow::Result<()> {
    for (o, facts) in outcomes {
        totals.orders += 1;
        match o {
            Outcome::Built(mut b) => {
                let key = [b.event_name, b.event_id.as_str()];
                if input.0 != b.file {
                    let first = input.0.is_empty();
                    *input = (b.file.clone(), (!first).then(Seen::default));
                }
                let in_all = ids.insert_joined(&key);
                let in_this_input = match &mut input.1 {
                    Some(seen) => seen.insert_joined(&key),
                    None => in_all,
                };
                let (code, reason) = match in_all {
                    Answer::New => ("", String::new()),
                    // The same order in two inputs (overlapping exports): one event, not two.
                    Answer::Repeat if in_this_input == Answer::New => {
                        totals.skipped += 1;
                        let p = Problem {
                            file: b.file.clone(),
                            line: b.line,
                            column: None,
                            severity: Severity::Skipped,
                            code: "duplicate_order",
                            reason: format!("an earlier input of this run already holds this order (event id `{}`); it is built once", b.event_id),
                            hint: None,
                            order: Some(b.event_id.clone()),
                        };
                        sink.problem(&p);
                        totals.note(p, keep);
                        continue;
                    }
                    Answer::Repeat => ("duplicate_event_id", format!("event id `{}` was already used by an earlier order in this run", b.event_id)),
                    Answer::Maybe => ("possible_duplicate_event_id", format!("event id `{}` may have been used by an earlier order in this run (past {} event ids the check is approximate)", b.event_id, crate::seen::EXACT_KEYS)),
                };
                if !code.is_empty() {
                    b.warnings.push(Problem {
                        file: b.file.clone(),
                        line: b.line,
                        column: None,
                        severity: Severity::Warning,
                        code,
                        reason,
                        hint: Some("Pinterest keeps only one event per id; check `--event-id-template` and `--order-id`".into()),
                        order: Some(b.event_id.clone()),
                    });
                }
                totals.events += 1;
                // Coverage counts the events built and handed on, not a skipped repeat.
                if let Some(f) = facts {
                    quality.observe(f);
                }
                for w in std::mem::take(&mut b.warnings) {
                    sink.problem(&w);
                    totals.note(w, keep);
                }
                sink.event(b)?;
            }
            Outcome::Skipped(p) => {
                totals.skipped += 1;
                sink.problem(&p);
                totals.note(p, keep);
            }
            Outcome::Rejected(ps) => {
                totals.rejected += 1;
                for p in ps {
                    sink.problem(&p);
                    totals.note(p, keep);
                }
            }
        }
    }
    Ok(())
}

/// A request body as `build` writes it: `{"data": [event, ...]}` and nothing else.
fn is_body(v: &serde_json::Value) -> bool {
    v.as_object().is_some_and(|o| {
        o.len() == 1
            && o.get("data")
                .and_then(serde_json::Value::as_array)
                .is_some_and(|a| {
                    a.first()
                        .is_some_and(|e| event::prebuilt_event(e).is_some())
                })
    })
}

/// The error code of a WordPress REST API error answer (`{"code": "...", "message": "...",
/// "data": {"status": 401}}`), saved in place of the orders when a request failed.
fn wp_rest_error(v: &serde_json::Value) -> Option<&str> {
    let o = v.as_object()?;
    let status = o.get("data")?.get("status")?;
    (o.len() <= 4 && o.contains_key("message") && status.is_u64())
        .then(|| o.get("code")?.as_str())
        .flatten()
}

/// The reader thread: every input in turn. Returns the number of records read.
fn read_all(plan: &Plan, settings: &Arc<Settings>, tx: &ToBuild) -> u64 {
    let mut total = 0;
    for path in &plan.inputs {
        match read_one(path, plan, settings, tx) {
            Ok((n, true)) => total += n,
            // Stopped (Ctrl-C, or a failure downstream): what was read still counts.
            Ok((n, false)) => return total + n,
            Err(e) => {
                let _ = tx.send(Msg::Fatal(e));
                return total;
            }
        }
    }
    total
}

/// Reads one input; returns the records read and whether the input was read to its end
/// (`false` when the receiver went away).
fn read_one(
    path: &std::path::Path,
    plan: &Plan,
    settings: &Arc<Settings>,
    tx: &ToBuild,
) -> Result<(u64, bool), PipelineError> {
    let mut name = input::display_name(path);
    let (mut reader, detected_encoding) = input::open_detecting(path, &plan.read)?;
    let mut chunk: Vec<Unit> = Vec::with_capacity(CHUNK);
    // What `chunk` holds, about, in bytes, and how many of its units that counts.
    let chunk_bytes = std::cell::Cell::new((0usize, 0usize));
    let full = |chunk: &Vec<Unit>| {
        let (mut bytes, counted) = chunk_bytes.get();
        bytes += chunk[counted.min(chunk.len())..]
            .iter()
            .map(unit_bytes)
            .sum::<usize>();
        chunk_bytes.set((bytes, chunk.len()));
        chunk.len() >= CHUNK || bytes >= CHUNK_BYTES
    };
    let mut records = 0u64;
    // Records read up to the last chunk sent, so each chunk says how many records it took.
    let sent_records = std::cell::Cell::new(0u64);
    let flush = |chunk: &mut Vec<Unit>, records: u64, settings: &Arc<Settings>| -> bool {
        if chunk.is_empty() {
            return true;
        }
        let n = records - sent_records.replace(records);
        chunk_bytes.set((0, 0));
        tx.send(Msg::Chunk(
            std::mem::replace(chunk, Vec::with_capacity(CHUNK)),
            n,
            settings.clone(),
        ))
    };
    let mut summary = InputSummary {
        file: name.to_string(),
        format: reader.format().name(),
        preset: "generic",
        preset_reason: String::new(),
        delimiter: None,
        encoding: detected_encoding.map(|e| e.name().to_owned()),
        ignored_columns: Vec::new(),
        duplicate_columns: Vec::new(),
        mapping: Vec::new(),
        date_order: None,
    };
    match &mut reader {
        Reader::Csv(csv) => {
            let (preset, reason) = match settings.preset {
                Some(p) => (p, "chosen with `--preset` or the config".to_owned()),
                None => detect_csv(csv.header()),
            };
            let mapper = CsvMapper::new(csv.header(), preset, &settings.columns)
                .and_then(|m| m.check_event_id(&plan.event_id).map(|()| m))
                .map(|mut m| {
                    m.plan_event_ids(&plan.event_id);
                    m
                })
                .map_err(|error| PipelineError::Map {
                    file: name.to_string(),
                    error,
                })?;
            summary.mapping = mapper.advice(&plan.event_id);
            summary.preset = preset.name();
            summary.preset_reason = match mapper.note() {
                Some(note) => format!("{reason}; {note}"),
                None => reason,
            };
            summary.delimiter = Some(match csv.delimiter() {
                b'\t' => "tab".into(),
                d => (d as char).to_string(),
            });
            summary.ignored_columns.clone_from(&mapper.ignored);
            summary
                .duplicate_columns
                .clone_from(&mapper.duplicate_scalars);
            let mut summary = Some(summary);
            let mut gate = DateGate::new(settings);
            // The input's line goes out when its date order is known, before its orders.
            let mut announce = |gate: &DateGate| -> bool {
                summary.take().is_none_or(|mut s| {
                    s.date_order.clone_from(&gate.note);
                    tx.send(Msg::Input(s))
                })
            };
            if gate.open && !announce(&gate) {
                return Ok((records, false));
            }
            let mut grouper = Grouper::default();
            // Rows of the order the grouper still holds: read, but not handed on yet.
            let mut pending_rows = 0u64;
            while let Some(item) = csv.next_record() {
                records += 1;
                // Orders read before a fatal error still count.
                let item = item.map_err(|e| {
                    gate.finish(&mut chunk);
                    if announce(&gate) {
                        flush(&mut chunk, records - pending_rows, &gate.settings);
                    }
                    PipelineError::from(e)
                })?;
                let unit = match item {
                    Ok(Raw::Row { line, fields }) => {
                        let done = grouper.push_row(&mapper, &name, line, &fields);
                        csv.recycle(fields);
                        if done.is_some() {
                            pending_rows = 0;
                        }
                        pending_rows += 1;
                        done.map(Unit::Order)
                    }
                    Ok(Raw::Object { .. }) => unreachable!("csv yields rows"),
                    Err(p) => Some(Unit::Unreadable(name.clone(), p)),
                };
                if let Some(unit) = unit {
                    if gate.push(unit, &mut chunk) && !announce(&gate) {
                        return Ok((records, false));
                    }
                }
                if full(&chunk) {
                    if !flush(&mut chunk, records - pending_rows, &gate.settings) {
                        return Ok((records, false));
                    }
                    // Each row's order holds the input's name and the build threads drop
                    // them: with one reference count for the whole input, this thread's
                    // increments and their decrements fought over one cache line. The
                    // next chunk's orders share a count of their own.
                    name = Arc::from(&*name);
                }
            }
            if let Some(done) = grouper.finish() {
                gate.push(Unit::Order(done), &mut chunk);
            }
            gate.finish(&mut chunk);
            if !announce(&gate) || !flush(&mut chunk, records, &gate.settings) {
                return Ok((records, false));
            }
        }
        Reader::Json(..) | Reader::Ndjson(..) => {
            let mut mapper: Option<JsonMapper> = None;
            let mut summary = Some(summary);
            let mut seen = Seen::default();
            // Whether any record was an already-built event, for the input's summary.
            let mut prebuilt = false;
            while let Some(item) = reader.next_record() {
                records += 1;
                // Orders read before a fatal error still count.
                let item = item.map_err(|e| {
                    flush(&mut chunk, records, settings);
                    PipelineError::from(e)
                })?;
                match item {
                    Ok(Raw::Object { line, value }) if event::prebuilt_event(&value).is_some() => {
                        prebuilt = true;
                        chunk.push(Unit::Prebuilt(name.clone(), line, value));
                    }
                    Ok(Raw::Object { line, mut value }) if is_body(&value) => {
                        // A line of `build` output: each event of `data` as it is.
                        prebuilt = true;
                        if let Some(serde_json::Value::Array(events)) =
                            value.get_mut("data").map(serde_json::Value::take)
                        {
                            records += events.len().saturating_sub(1) as u64;
                            chunk.extend(
                                events
                                    .into_iter()
                                    .map(|e| Unit::Prebuilt(name.clone(), line, e)),
                            );
                        }
                    }
                    Ok(Raw::Object { value, .. }) if wp_rest_error(&value).is_some() => {
                        flush(&mut chunk, records, settings);
                        return Err(InputError::Shape {
                            path: name.to_string(),
                            message: format!(
                                "this is an error answer of the WordPress REST API (`{}`), not orders",
                                wp_rest_error(&value).unwrap_or_default()
                            ),
                            hint: Some("fetch the orders again with API keys that may read orders (WooCommerce > Settings > Advanced > REST API, permission Read)".into()),
                        }
                        .into());
                    }
                    Ok(Raw::Object { line, value }) => {
                        let m = mapper.get_or_insert_with(|| {
                            let (preset, reason) = match settings.preset {
                                Some(p) => (p, "chosen with `--preset` or the config".to_owned()),
                                None => detect_json(&value),
                            };
                            if let Some(mut s) = summary.take() {
                                s.preset = preset.name();
                                s.preset_reason = reason;
                                let _ = tx.send(Msg::Input(s));
                            }
                            JsonMapper::new(preset, &settings.columns)
                        });
                        let mut order = m.order(&name, line, &value);
                        // A JSON order is whole: a second one with the same id is a repeat.
                        if let Some(id) = order
                            .get(crate::map::Key::OrderId)
                            .map(|c| c.value.to_string())
                        {
                            order.repeat = seen.insert(&id).is_repeat();
                            order.group = Some(id);
                        }
                        chunk.push(Unit::Order(order));
                    }
                    Ok(Raw::Row { .. }) => unreachable!("json yields objects"),
                    Err(p) => chunk.push(Unit::Unreadable(name.clone(), p)),
                }
                if full(&chunk) && !flush(&mut chunk, records, settings) {
                    return Ok((records, false));
                }
            }
            // A bulk operation's line-item lines are records of their own, as CSV rows are.
            records += reader.folded();
            if let Some(mut s) = summary.take() {
                s.preset_reason = if prebuilt {
                    "the records are already-built events, sent as they are".into()
                } else if records == 0 {
                    "the input holds no orders".into()
                } else {
                    "no record could be read as an order".into()
                };
                let _ = tx.send(Msg::Input(s));
            }
            if !flush(&mut chunk, records, settings) {
                return Ok((records, false));
            }
        }
    }
    Ok((records, true))
}

/// Infers one CSV input's day/month order from its own dates (#11.3): the first date that
/// reads one way only (`28/11/2026`) decides it for the whole input, so `01/12/2026` in the
/// same file is 1 December. Orders wait in the gate from the first date that reads both
/// ways until one shows the order, at most [`DATE_HOLD`] of them (memory stays bounded;
/// streaming pauses, it does not end); without evidence by then, or by the end of the
/// input, the configured default is used and each such date is warned `ambiguous_date`.
/// A `date_order` the user set is never second-guessed; an input whose first time is not a
/// slash date (ISO 8601, Unix seconds) opens the gate at once.
struct DateGate {
    /// Whether orders pass straight through (the order is known or needs no guess).
    open: bool,
    /// Orders waiting for the decision, in input order.
    held: Vec<Unit>,
    /// Whether a held order's date reads both ways.
    either: bool,
    /// What the detection line and the JSON report say.
    note: Option<DateOrderNote>,
    /// The settings of this input's orders: the run's, with an inferred `date_order`.
    settings: Arc<Settings>,
}

impl DateGate {
    fn new(settings: &Arc<Settings>) -> DateGate {
        DateGate {
            open: settings.date_order_set,
            held: Vec::new(),
            either: false,
            note: None,
            settings: settings.clone(),
        }
    }

    /// Takes the next unit; moves what may go on into `chunk`. True when the gate opened
    /// just now (the input's line can be announced).
    fn push(&mut self, unit: Unit, chunk: &mut Vec<Unit>) -> bool {
        if self.open {
            chunk.push(unit);
            return false;
        }
        let time = match &unit {
            Unit::Order(o) => o.get(crate::map::Key::EventTime),
            _ => None,
        };
        match time.map(|c| (time::date_evidence(&c.value), c.line)) {
            Some((DateEvidence::Shows(order), line)) => self.infer(order, line),
            Some((DateEvidence::NotSlash, _)) if self.held.is_empty() => self.open = true,
            Some((DateEvidence::Either, _)) => self.either = true,
            _ => {}
        }
        self.held.push(unit);
        if !self.open && self.held.len() >= DATE_HOLD {
            self.default_order();
        }
        if self.open {
            chunk.append(&mut self.held);
        }
        self.open
    }

    /// The end of the input (or a fatal error): what is held goes on. True when the gate
    /// opened just now.
    fn finish(&mut self, chunk: &mut Vec<Unit>) -> bool {
        if self.open {
            return false;
        }
        self.default_order();
        chunk.append(&mut self.held);
        true
    }

    fn infer(&mut self, order: DateOrder, line: u64) {
        self.open = true;
        self.note = Some(DateOrderNote {
            order: order_name(order),
            source: "inferred",
            line: Some(line),
        });
        let mut s = (*self.settings).clone();
        s.date_order = order;
        // Evidence is as good as the flag: no `ambiguous_date` warnings for this input.
        s.date_order_set = true;
        self.settings = Arc::new(s);
    }

    fn default_order(&mut self) {
        self.open = true;
        self.note = self.either.then(|| DateOrderNote {
            order: order_name(self.settings.date_order),
            source: "default",
            line: None,
        });
    }
}

fn order_name(order: DateOrder) -> &'static str {
    match order {
        DateOrder::Mdy => "mdy",
        DateOrder::Dmy => "dmy",
    }
}

#[cfg(test)]
mod tests {
    use super::InOrder;

    #[test]
    fn outcomes_come_out_in_the_readers_order_whatever_order_they_arrive_in() {
        let mut q = InOrder::default();
        q.put(2, "c");
        assert_eq!(q.take(), None, "item 2 waits for 0 and 1");
        q.put(0, "a");
        assert_eq!(q.take(), Some("a"));
        assert_eq!(q.take(), None);
        q.put(3, "d");
        q.put(1, "b");
        assert_eq!(
            std::iter::from_fn(|| q.take()).collect::<Vec<_>>(),
            ["b", "c", "d"]
        );
        assert_eq!(q.take(), None, "each item once");
    }
}
