//! `pinconv check`: the whole offline pipeline, sending nothing; a report of every problem,
//! on stderr, as JSON on stdout (`--json`) and as an HTML page (`--html`).

use std::io::Write;
use std::sync::atomic::AtomicBool;

use crate::cli::CheckArgs;
use crate::config::ConfigError;
use crate::event::Built;
use crate::exit::Exit;
use crate::input::InputError;
use crate::pipeline::{self, PipelineError, Sink};
use crate::printer::{Printer, Progress};
use crate::report::{InputSummary, Problem, Report, Totals};

struct CheckSink<'a> {
    printer: &'a mut Printer,
    progress: Progress,
}

impl Sink for CheckSink<'_> {
    fn input(&mut self, s: &InputSummary) {
        self.printer.info(&describe_input(s));
    }
    fn problem(&mut self, p: &Problem) {
        self.printer.problem(p);
    }
    fn event(&mut self, _e: Built) -> anyhow::Result<()> {
        self.progress.inc(1);
        Ok(())
    }
}

/// One line on what an input was recognised as.
#[must_use]
pub fn describe_input(s: &InputSummary) -> String {
    let mut line = format!("reading `{}` as {} {}", s.file, s.preset, s.format);
    if let Some(d) = &s.delimiter {
        line.push_str(&format!(" (delimiter `{d}`)"));
    }
    line.push_str(&format!(": {}", s.preset_reason));
    if let Some(n) = &s.date_order {
        let order = if n.order == "dmy" {
            "day first"
        } else {
            "month first"
        };
        line.push_str(&match n.line {
            Some(l) => format!("\nnote: `{}` writes dates {order}, as its date on line {l} shows", s.file),
            None => format!("\nnote: no date in `{}` shows whether it writes day or month first; dates that read both ways are read {order}", s.file),
        });
    }
    if let Some(e) = &s.encoding {
        line.push_str(&format!(
            "\nnote: `{}` is not UTF-8; read as {e} (detected); pass `--encoding` if that is wrong",
            s.file
        ));
    }
    describe_mapping(&mut line, s);
    for d in &s.duplicate_columns {
        line.push_str(&format!(
            "\nwarning: column `{d}` appears more than once in the header; the first non-empty value of each row is used"
        ));
    }
    line
}

/// The mapping report: every needed field no column gives, every unread column that looks
/// like an identity or money field, and the `[columns]` lines for all of them at once.
fn describe_mapping(out: &mut String, s: &InputSummary) {
    use crate::map::suggest::{self, Reason};
    let needed: Vec<String> = s
        .mapping
        .iter()
        .filter(|m| m.reason == Reason::Needed)
        .map(|m| format!("`{}` ({})", m.field, m.what))
        .collect();
    let unread: Vec<String> = s
        .mapping
        .iter()
        .filter(|m| m.reason == Reason::Unread)
        .filter_map(|m| m.column.as_ref().map(|c| format!("`{c}` ({})", m.field)))
        .collect();
    if needed.is_empty() && unread.is_empty() {
        return;
    }
    if !needed.is_empty() {
        out.push_str(&format!(
            "\nwarning: `{}`: no column gives {}",
            s.file,
            needed.join(", ")
        ));
    }
    if !unread.is_empty() {
        out.push_str(&format!(
            "\nnote: `{}`: no field reads {}, which look like customer or money details",
            s.file,
            unread.join(", ")
        ));
    }
    out.push_str(
        "\n  hint: add these lines to the config's `[columns]` table (check each), or pass them as `--column FIELD=HEADER`:",
    );
    for l in suggest::toml_lines(&s.mapping) {
        out.push_str("\n    ");
        out.push_str(&l);
    }
}

pub use crate::report::RunError;

impl RunError {
    /// The code and file of a configuration problem (`config` is the `--config` path).
    #[must_use]
    pub fn config_code(
        e: &ConfigError,
        config: Option<&std::path::Path>,
    ) -> (&'static str, Option<String>) {
        let (code, file) = match e {
            ConfigError::Read { path, .. } => ("config_unreadable", Some(path.as_path())),
            ConfigError::Parse { path, .. } => ("config_invalid", Some(path.as_path())),
            ConfigError::Invalid(_) => ("invalid_setting", config),
        };
        (code, file.map(|p| p.display().to_string()))
    }

    /// The code and file of a pipeline error: an input that cannot be opened, read or
    /// mapped, or the output failing.
    #[must_use]
    pub fn pipeline_code(e: &PipelineError) -> (&'static str, Option<String>) {
        match e {
            PipelineError::Input(InputError::Open { path, .. }) => {
                ("input_unopenable", Some(path.display().to_string()))
            }
            PipelineError::Input(InputError::Read { path, .. }) => {
                ("input_unreadable", Some(path.clone()))
            }
            PipelineError::Input(InputError::Shape { path, .. }) => {
                ("input_shape", Some(path.clone()))
            }
            PipelineError::Map { file, .. } => ("input_unmapped", Some(file.clone())),
            PipelineError::Sink(_) => ("output_failed", None),
        }
    }
}

/// The machine report: the accounting, with `error` beside it when the run stopped.
#[must_use]
pub fn report_json(totals: &Totals, error: Option<&RunError>) -> serde_json::Value {
    let mut v = serde_json::to_value(totals).expect("totals serialize");
    if let (Some(e), serde_json::Value::Object(map)) = (error, &mut v) {
        map.insert(
            "error".into(),
            serde_json::to_value(e).expect("errors serialize"),
        );
    }
    v
}

pub fn run(a: &CheckArgs) -> Exit {
    let started = std::time::Instant::now();
    let started_at = jiff::Timestamp::now();
    let mut printer = Printer::new(a.input.quiet, a.input.max_problems);
    let (settings, plan) = match super::resolve(&a.input) {
        Ok(x) => x,
        Err(e) => {
            let (code, file) = RunError::config_code(&e, a.input.config.as_deref());
            return stop(a, &printer, &Totals::default(), code, file, e.into(), None);
        }
    };
    if let Some(exit) =
        super::refuse_clashes(&printer, &a.input, &[], &[("--html", a.html.as_deref())])
    {
        return exit;
    }
    let cancel = AtomicBool::new(false);
    let totals = {
        let progress = Progress::offline(&printer, "events checked");
        let mut sink = CheckSink {
            printer: &mut printer,
            progress,
        };
        match pipeline::run_partial(&plan, &settings, &mut sink, &cancel) {
            (t, None) => t,
            (t, Some(e)) => {
                let (code, file) = RunError::pipeline_code(&e);
                let hint = e.hint();
                return stop(a, &printer, &t, code, file, e.into(), hint);
            }
        }
    };
    printer.summary(&totals, "built");
    if a.json && !write_json(&printer, &report_json(&totals, None)) {
        return Exit::Usage;
    }
    let exit = super::offline_exit(&totals, a.input.deny_warnings, a.input.rejected_ok);
    if let Some(path) = &a.html {
        let report = Report {
            pinconv_version: env!("CARGO_PKG_VERSION"),
            command: "check",
            started_at: started_at.to_string(),
            finished_at: jiff::Timestamp::now().to_string(),
            duration_ms: started.elapsed().as_millis(),
            arguments: crate::report::arguments(),
            ad_account: None,
            test: false,
            dry_run: true,
            ledger: None,
            exit_code: exit.code(),
            offline: &totals,
            send: None,
            error: None,
        };
        if let Err(e) = super::write_html(path, &report) {
            printer.error(&e, None);
            return exit.worst(Exit::Usage);
        }
    }
    exit
}

/// A run that stopped (exit 2): the error on stderr and, with `--json`, in the report on
/// stdout, so a script always gets one JSON document.
fn stop(
    a: &CheckArgs,
    printer: &Printer,
    totals: &Totals,
    code: &'static str,
    file: Option<String>,
    err: anyhow::Error,
    hint: Option<String>,
) -> Exit {
    printer.error(&err, hint.as_deref());
    if a.json {
        let e = RunError::new(code, &err, hint, file);
        write_json(printer, &report_json(totals, Some(&e)));
    }
    Exit::Usage
}

/// Writes the report on stdout; false when that failed (a closed pipe is not a failure).
fn write_json(printer: &Printer, report: &serde_json::Value) -> bool {
    let mut out = crate::output::stdout();
    let written = serde_json::to_writer_pretty(&mut out, report)
        .map_err(anyhow::Error::from)
        .and_then(|()| writeln!(out).map_err(anyhow::Error::from))
        .and_then(|()| out.flush().map_err(anyhow::Error::from));
    match written {
        Err(e) if !super::is_broken_pipe(&e) => {
            printer.error(&e, None);
            false
        }
        _ => true,
    }
}
