//! `pinconv check`: the whole offline pipeline, sending nothing; a report of every problem.

use std::io::Write;
use std::sync::atomic::AtomicBool;

use crate::cli::CheckArgs;
use crate::event::Built;
use crate::exit::Exit;
use crate::pipeline::{self, Sink};
use crate::printer::Printer;
use crate::report::{InputSummary, Problem};

struct CheckSink<'a> {
    printer: &'a mut Printer,
}

impl Sink for CheckSink<'_> {
    fn input(&mut self, s: &InputSummary) {
        self.printer.info(&describe_input(s));
    }
    fn problem(&mut self, p: &Problem) {
        self.printer.problem(p);
    }
    fn event(&mut self, _e: Built) -> anyhow::Result<()> {
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

pub fn run(a: &CheckArgs) -> Exit {
    let mut printer = Printer::new(a.input.quiet, a.input.max_problems);
    let (settings, plan) = match super::resolve(&a.input) {
        Ok(x) => x,
        Err(e) => return super::usage_error(&printer, &e.into(), None),
    };
    let cancel = AtomicBool::new(false);
    let totals = {
        let mut sink = CheckSink {
            printer: &mut printer,
        };
        match pipeline::run(&plan, &settings, &mut sink, &cancel) {
            Ok(t) => t,
            Err(e) => {
                let hint = e.hint();
                return super::usage_error(&printer, &e.into(), hint.as_deref());
            }
        }
    };
    printer.summary(&totals, "built");
    if a.json {
        let mut out = crate::output::stdout();
        let written = serde_json::to_writer_pretty(&mut out, &totals)
            .map_err(anyhow::Error::from)
            .and_then(|()| writeln!(out).map_err(anyhow::Error::from))
            .and_then(|()| out.flush().map_err(anyhow::Error::from));
        if let Err(e) = written {
            if !super::is_broken_pipe(&e) {
                printer.error(&e, None);
                return Exit::Usage;
            }
        }
    }
    super::offline_exit(&totals, a.input.deny_warnings)
}
