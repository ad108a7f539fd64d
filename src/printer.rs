//! Human output on stderr: problems as they happen, errors with hints, and the summary.
//! stdout is for data only. No colour is used, so `NO_COLOR` is honoured trivially.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};

use crate::report::{coverage, Problem, Totals};

/// Decides what reaches stderr.
#[derive(Debug, Clone)]
pub struct Printer {
    quiet: bool,
    listed: usize,
    limit: usize,
    /// Whether stderr is a terminal (progress bars only then).
    pub tty: bool,
}

impl Printer {
    /// A printer listing at most `limit` problems.
    #[must_use]
    pub fn new(quiet: bool, limit: usize) -> Printer {
        Printer {
            quiet,
            listed: 0,
            limit,
            tty: std::io::stderr().is_terminal(),
        }
    }

    fn line(&self, s: &str) {
        // A line printed while a bar is drawn would be glued to it: the bar steps aside.
        let bar = ACTIVE.lock().ok().and_then(|b| b.clone());
        let write = || {
            let _ = writeln!(std::io::stderr().lock(), "{s}");
        };
        match bar {
            Some(b) => b.suspend(write),
            None => write(),
        }
    }

    /// A summary line, printed even with `--quiet`.
    pub fn always(&self, s: &str) {
        self.line(s);
    }

    /// An informational line (hidden by `--quiet`).
    pub fn info(&self, s: &str) {
        if !self.quiet {
            self.line(s);
        }
    }

    /// One row problem, up to the limit. `--quiet` drops warnings and skips, never a
    /// rejection: a cron log must still say which order to fix.
    pub fn problem(&mut self, p: &Problem) {
        if self.quiet && p.severity != crate::report::Severity::Rejected {
            return;
        }
        self.listed += 1;
        if self.listed > self.limit {
            return;
        }
        let mut s = format!("{}: {}: {}", p.severity.label(), p.location(), p.reason);
        if let Some(o) = &p.order {
            let _ = write!(s, " (order `{o}`)");
        }
        if let Some(h) = &p.hint {
            hint_line(&mut s, h);
        }
        self.line(&s);
    }

    /// An error that stops the command, with its causes and a hint.
    pub fn error(&self, err: &anyhow::Error, hint: Option<&str>) {
        let mut s = format!("error: {err}");
        for cause in err.chain().skip(1) {
            let _ = write!(s, "\n  caused by: {cause}");
        }
        if let Some(h) = hint {
            hint_line(&mut s, h);
        }
        self.line(&s);
    }

    /// A warning about the run itself (not a row), shown even with `--quiet`.
    pub fn warning(&self, message: &str, hint: Option<&str>) {
        let mut s = format!("warning: {message}");
        if let Some(h) = hint {
            hint_line(&mut s, h);
        }
        self.line(&s);
    }

    /// The closing accounting.
    pub fn summary(&self, t: &Totals, verb: &str) {
        if self.listed > self.limit {
            self.line(&format!(
                "… {} more problems not listed (raise `--max-problems`, or use `check --json`)",
                self.listed - self.limit
            ));
        }
        let mut s = format!(
            "read {} record{} from {} input{}: {} order{}",
            t.records,
            plural(t.records),
            t.inputs.len(),
            plural(t.inputs.len() as u64),
            t.orders,
            plural(t.orders)
        );
        let _ = write!(s, "\n  {verb:<9} {} event{}", t.events, plural(t.events));
        if t.batches > 0 {
            let _ = write!(
                s,
                " in {} batch{}",
                t.batches,
                if t.batches == 1 { "" } else { "es" }
            );
        }
        for (label, n, by) in [
            ("skipped", t.skipped, &t.skipped_by_reason),
            ("rejected", t.rejected, &t.rejected_by_reason),
            ("warnings", t.warnings, &t.warnings_by_code),
        ] {
            let _ = write!(s, "\n  {label:<9} {n}");
            if !by.is_empty() {
                let parts: Vec<String> = by.iter().map(|(k, v)| format!("{k} {v}")).collect();
                let _ = write!(s, " ({})", parts.join(", "));
            }
        }
        coverage_lines(&mut s, t);
        if t.stopped_early {
            s.push_str("\n  stopped before the end of the input: orders after those counted here were not read");
        }
        self.line(&s);
    }
}

/// Appends a `hint:` line: the one way a hint is printed, under a problem or an error.
fn hint_line(s: &mut String, hint: &str) {
    let _ = write!(s, "\n  hint: {hint}");
}

/// The coverage block of the summary: one line per key, in [`coverage::KEYS`] order, with
/// the share of built events carrying it; then one warning per key whose column's values
/// were mostly dropped.
fn coverage_lines(s: &mut String, t: &Totals) {
    if t.events == 0 {
        return;
    }
    let _ = write!(
        s,
        "\n  coverage  share of the {} event{} carrying each match key",
        t.events,
        plural(t.events)
    );
    for k in &t.coverage.0 {
        let _ = write!(
            s,
            "\n    {:<18}{:>7} {:>6}",
            k.key,
            k.count,
            coverage::percent(k.share)
        );
        if k.key == "em" && k.count > 0 {
            let _ = write!(s, "  {} distinct", t.distinct_emails.phrase());
        }
    }
    for w in &t.coverage_warnings {
        let _ = write!(s, "\nwarning: {}", w.message(t.events));
        if let Some(h) = &w.hint {
            hint_line(s, h);
        }
    }
}

/// `s` for counts other than one.
#[must_use]
pub fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The bar being drawn, so [`Printer`] lines go above it instead of onto it.
static ACTIVE: std::sync::Mutex<Option<indicatif::ProgressBar>> = std::sync::Mutex::new(None);

/// Progress of a long run, from this one factory: an `indicatif` bar on a terminal; for
/// `send`, a plain line every ten seconds otherwise (cron, CI); nothing with `--quiet`.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    plain: bool,
    what: &'static str,
    done: u64,
    started: std::time::Instant,
    last_line: std::time::Instant,
}

impl Progress {
    /// The progress of a send, for `printer`'s stream.
    #[must_use]
    pub fn new(printer: &Printer) -> Progress {
        Progress::make(printer, "events sent", !printer.tty && !printer.quiet)
    }

    /// The progress of `check` or `build` (`what`: `orders checked`): on a terminal only,
    /// since their stderr in a pipe or a log is for problems.
    #[must_use]
    pub fn offline(printer: &Printer, what: &'static str) -> Progress {
        Progress::make(printer, what, false)
    }

    fn make(printer: &Printer, what: &'static str, plain: bool) -> Progress {
        let bar = (printer.tty && !printer.quiet).then(|| {
            let b = indicatif::ProgressBar::new_spinner();
            b.set_style(
                indicatif::ProgressStyle::with_template(&format!(
                    "{{spinner}} {{pos}} {what} ({{rate}}, {{elapsed}})"
                ))
                .map(|st| st.with_key("rate", rate))
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            b.enable_steady_tick(std::time::Duration::from_millis(200));
            if let Ok(mut active) = ACTIVE.lock() {
                *active = Some(b.clone());
            }
            b
        });
        let now = std::time::Instant::now();
        Progress {
            bar,
            plain,
            what,
            done: 0,
            started: now,
            last_line: now,
        }
    }

    /// Counts `n` more items handled.
    pub fn inc(&mut self, n: u64) {
        self.done += n;
        if let Some(b) = &self.bar {
            b.inc(n);
        } else if self.plain && self.last_line.elapsed() >= std::time::Duration::from_secs(10) {
            self.last_line = std::time::Instant::now();
            let secs = self.started.elapsed().as_secs_f64().max(0.001);
            eprintln!(
                "progress: {} {} ({})",
                self.done,
                self.what,
                per_second(self.done as f64 / secs)
            );
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
            if let Ok(mut active) = ACTIVE.lock() {
                *active = None;
            }
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The `{rate}` of the bar: whole items per second.
fn rate(state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write) {
    let _ = w.write_str(&per_second(state.per_sec()));
}

/// `22221/s`: a rate in whole items per second (`22,221.3753/s` said more than it knew).
#[must_use]
pub fn per_second(rate: f64) -> String {
    format!("{:.0}/s", rate.max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_whole_numbers() {
        assert_eq!(per_second(22_221.375_3), "22221/s");
        assert_eq!(per_second(0.4), "0/s");
    }
}
