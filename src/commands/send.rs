//! `pinconv send`: the command wiring around a [`session`](crate::send::session): flags become
//! session options, the phases run (prepare → deliver → settle), and the outcome becomes the
//! summary, the `--report` and `--html` files and the exit code.

use std::io::BufWriter;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::build::{AtomicFile, BodyWriter};
use super::check::RunError;
use super::Ending;
use crate::cli::SendArgs;
use crate::exit::Exit;
use crate::printer::Printer;
use crate::report::{Report, Totals};
use crate::send::session::{
    self, BodySink, Deliver, Options, PrepareError, SendStats, SessionError,
};

impl BodySink for BodyWriter<'_> {
    fn push(&mut self, event: String) -> anyhow::Result<()> {
        BodyWriter::push(self, event)
    }
    fn finish(&mut self) -> anyhow::Result<()> {
        BodyWriter::finish(self)
    }
}

/// Writes the JSON run report to `path`; false (with the error printed) when that failed.
fn write_report(path: &std::path::Path, printer: &Printer, report: &Report) -> bool {
    let written = crate::output::create_private(path).and_then(|f| {
        serde_json::to_writer_pretty(BufWriter::new(f), report).map_err(anyhow::Error::from)
    });
    if let Err(e) = written {
        printer.error(
            &e.context(format!("cannot write the report `{}`", path.display())),
            None,
        );
        return false;
    }
    true
}

/// A run that stopped before sending anything: the error printed and, with `--report`, a
/// report holding it, so a script always finds one.
fn stopped(
    a: &SendArgs,
    printer: &Printer,
    started: (Instant, jiff::Timestamp),
    (code, file): (&'static str, Option<String>),
    (err, hint): (anyhow::Error, Option<String>),
    exit: Exit,
) -> Exit {
    printer.error(&err, hint.as_deref());
    if let Some(path) = &a.report {
        let error = RunError::new(code, &err, hint, file);
        let report = Report {
            pinconv_version: env!("CARGO_PKG_VERSION"),
            command: "send",
            started_at: started.1.to_string(),
            finished_at: jiff::Timestamp::now().to_string(),
            duration_ms: started.0.elapsed().as_millis(),
            arguments: crate::report::arguments(),
            ad_account: a.ad_account.as_deref(),
            test: a.test,
            dry_run: a.dry_run,
            ledger: None,
            exit_code: exit.code(),
            offline: &Totals::default(),
            send: Some(&SendStats::default()),
            error: Some(&error),
        };
        write_report(path, printer, &report);
    }
    exit
}

/// The code of a problem that stops `send` before it starts.
fn prepare_code(e: &PrepareError) -> &'static str {
    match e {
        PrepareError::NoAdAccount => "no_ad_account",
        PrepareError::NoToken
        | PrepareError::EmptyTokenFile { .. }
        | PrepareError::TokenFileTooLarge { .. }
        | PrepareError::TokenFileNotText { .. }
        | PrepareError::TokenFile { .. } => "token_unusable",
        PrepareError::Locked(_) => "ledger_locked",
        PrepareError::Client(_) | PrepareError::Ledger(_) | PrepareError::Create { .. } => {
            "send_setup"
        }
    }
}

/// The code and file of a local failure after sending started.
fn session_error_code(e: &SessionError) -> (&'static str, Option<String>) {
    match e {
        SessionError::Input(p) => RunError::pipeline_code(p),
        SessionError::Local(_) => ("output_failed", None),
    }
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

fn options(a: &SendArgs, seed: u64) -> Options {
    Options {
        api_base: a.api_base.clone(),
        ad_account: a.ad_account.as_deref().map(|s| s.trim().to_owned()),
        token_file: a.token_file.clone(),
        test: a.test,
        dry_run: a.dry_run,
        batch_size: usize::from(a.batch_size),
        concurrency: usize::from(a.concurrency),
        rate: a.rate,
        max_attempts: a.max_attempts,
        retry_base: Duration::from_millis(a.retry_base_ms.max(1)),
        timeout: Duration::from_secs(a.timeout.max(1)),
        failed_out: a.failed_out.clone(),
        state: a.state.clone(),
        no_state: a.no_state,
        resend: a.resend,
        resend_changed: a.resend_changed,
        seed,
    }
}

/// How a run whose session could not start ends.
fn prepare_exit(e: &PrepareError) -> Exit {
    super::exit_code(&match e {
        PrepareError::Locked(_) => Ending::Locked,
        _ => Ending::Usage,
    })
}

pub fn run(a: &SendArgs) -> Exit {
    let started = Instant::now();
    let started_at = jiff::Timestamp::now();
    let mut printer = Printer::new(a.input.quiet, a.input.max_problems);
    let usage = super::exit_code(&Ending::Usage);
    let (settings, plan) = match super::resolve(&a.input) {
        // An order's identity must not change between sends: no stand-in for a rounded id
        // unless `--order-id` chose it (#11.4).
        Ok((s, plan)) => (
            Arc::new(crate::config::Settings {
                id_fallback: false,
                ..(*s).clone()
            }),
            plan,
        ),
        Err(e) => {
            let code = RunError::config_code(&e, a.input.config.as_deref());
            let t = (started, started_at);
            return stopped(a, &printer, t, code, (e.into(), None), usage);
        }
    };
    if let Some(exit) = super::refuse_clashes(
        &printer,
        &a.input,
        &[("--token-file", a.token_file.as_deref())],
        &[
            (
                "--state",
                a.state
                    .as_deref()
                    .filter(|_| !(a.dry_run || a.test || a.no_state)),
            ),
            ("-o", a.output.as_deref()),
            ("--failed-out", a.failed_out.as_deref()),
            ("--report", a.report.as_deref()),
            ("--html", a.html.as_deref()),
        ],
    ) {
        return exit;
    }
    if a.output.is_some() && !a.dry_run {
        let err = anyhow::anyhow!("`--output` goes with `--dry-run`");
        let hint = "use `pinconv build -o FILE` to write the bodies without sending";
        let t = (started, started_at);
        let code = ("invalid_setting", None);
        return stopped(a, &printer, t, code, (err, Some(hint.into())), usage);
    }
    let cancel = Arc::new(AtomicBool::new(false));
    let interrupted = Arc::new(AtomicBool::new(false));
    let seed = u64::try_from(started_at.as_nanosecond()).unwrap_or_default();
    let opts = options(a, seed);
    let ad_account = opts.ad_account.clone();
    let prepared = match session::prepare(opts, &cancel) {
        Ok(p) => p,
        Err(e) => {
            let (exit, code, hint) = (prepare_exit(&e), prepare_code(&e), e.hint());
            let t = (started, started_at);
            return stopped(a, &printer, t, (code, None), (e.into(), hint), exit);
        }
    };
    let ledger_path = prepared.ledger_path().map(|p| p.display().to_string());
    for w in &prepared.warnings {
        printer.warning(&w.message, w.hint.as_deref());
    }

    let mut dry_file: Option<AtomicFile> = None;
    let mut dry = match (&a.output, a.dry_run) {
        (Some(p), true) => match crate::output::create_or_stdout(p) {
            Ok((atomic, out)) => {
                dry_file = atomic;
                Some(BodyWriter::new(out, usize::from(a.batch_size)))
            }
            Err(e) => return super::usage_error(&printer, &e, None),
        },
        _ => None,
    };
    install_signal_handler(&cancel, &interrupted);

    let delivered = prepared.deliver(Deliver {
        plan: &plan,
        settings: &settings,
        printer: &mut printer,
        describe: super::check::describe_input,
        dry: dry.as_mut().map(|w| w as &mut dyn BodySink),
        cancel: &cancel,
        started_at: started_at.as_second(),
    });
    drop(dry);
    let mut settled = delivered.settle(interrupted.load(Ordering::SeqCst));

    let exit = super::exit_code(&Ending::Send {
        settled: &settled,
        deny_warnings: a.input.deny_warnings,
        rejected_ok: a.input.rejected_ok,
    });
    // A fatal input or output error after sending started: what was sent is still accounted
    // for below (summary, report, ledger run), and the run exits 2.
    let failed_locally = !settled.errors.is_empty();
    let mut first_error = None;
    for e in std::mem::take(&mut settled.errors) {
        let hint = e.hint();
        let code = first_error.is_none().then(|| session_error_code(&e));
        let err = e.into_error();
        printer.error(&err, hint.as_deref());
        if let Some((code, file)) = code {
            first_error = Some(RunError::new(code, &err, hint, file));
        }
    }
    if let Some(f) = dry_file {
        if failed_locally {
            f.abandon();
        } else if let Err(e) = f.commit() {
            return super::usage_error(&printer, &e, None);
        }
    }
    for e in &settled.ledger_errors {
        printer.error(e, None);
    }

    printer.summary(&settled.totals, "built");
    send_summary(&printer, &settled.stats, a.dry_run, a.test);
    if let Some(f) = &settled.fatal {
        let hint = match &a.token_file {
            Some(p) => f.hint_for_token(&format!("the token file `{}`", p.display())),
            None => f.hint(),
        };
        printer.error(&anyhow::anyhow!("{f}"), Some(&hint));
    }
    let report = Report {
        pinconv_version: env!("CARGO_PKG_VERSION"),
        command: "send",
        started_at: started_at.to_string(),
        finished_at: jiff::Timestamp::now().to_string(),
        duration_ms: started.elapsed().as_millis(),
        arguments: crate::report::arguments(),
        ad_account: ad_account.as_deref(),
        test: a.test,
        dry_run: a.dry_run,
        ledger: ledger_path,
        exit_code: exit.code(),
        offline: &settled.totals,
        send: Some(&settled.stats),
        error: first_error.as_ref(),
    };
    // Both reports are written even when one of them cannot be.
    let mut exit = exit;
    if let Some(path) = &a.report {
        if !write_report(path, &printer, &report) {
            exit = exit.worst(usage);
        }
    }
    if let Some(path) = &a.html {
        if let Err(e) = super::write_html(path, &report) {
            printer.error(&e, None);
            exit = exit.worst(usage);
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
    if s.same_order_not_sent > 0 {
        lines.push(format!(
            "  ledger    {} held back: their orders were sent before under other event ids",
            s.same_order_not_sent
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
