//! Reporting stage: problems tied to input rows, and the run's accounting, where every order
//! read ends in exactly one bucket (built, skipped with a reason, or rejected); the match
//! quality of the events built ([`coverage`]); and the run report ([`Report`]) with its HTML
//! rendering ([`html`]).

pub mod coverage;
pub mod html;
mod run;

pub use run::{arguments, Delivery, HeldBack, Report, RunError, SameOrder};

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use coverage::{Coverage, CoverageWarning, Day, Distinct, Quality};

/// Whether a cell value may appear in a message: it must not look like personal data (no
/// `@`, at most 4 digits, short). Emails, phones and names never reach a message this way.
#[must_use]
pub fn may_show(value: &str) -> bool {
    let v = value.trim();
    // Fullwidth and small `@` and digits of any script count too (`ｊａｎｅ＠…`, `５５５…`).
    v.chars().count() <= 32
        && !v.contains(['@', '\u{FF20}', '\u{FE6B}'])
        && v.chars().filter(|c| c.is_numeric()).count() <= 4
        && !v.contains(' ')
}

/// A cell value for a message: in backticks when [`may_show`] allows it, else "the value".
#[must_use]
pub fn shown(value: &str) -> String {
    if may_show(value) {
        format!("`{}`", value.trim())
    } else {
        "the value".to_owned()
    }
}

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Kept, but worth fixing.
    Warning,
    /// Left out on purpose by a rule.
    Skipped,
    /// Not sendable.
    Rejected,
}

impl Severity {
    /// Label for human output.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Skipped => "skipped",
            Severity::Rejected => "error",
        }
    }
}

/// One problem with one input row. Never carries a plaintext PII value.
#[derive(Clone, Debug, Serialize)]
pub struct Problem {
    /// Input name.
    #[serde(serialize_with = "ser_arc")]
    pub file: Arc<str>,
    /// Line of the row.
    pub line: u64,
    /// Column (header name or JSON path) to blame, if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Severity.
    pub severity: Severity,
    /// Stable machine code, e.g. `invalid_email`.
    pub code: &'static str,
    /// Lowercase message.
    pub reason: String,
    /// The fix, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The order's id/name, when known (not PII).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
}

fn ser_arc<S: serde::Serializer>(a: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(a)
}

impl Problem {
    /// `file:line: column `c`: reason` for human output.
    #[must_use]
    pub fn location(&self) -> String {
        match &self.column {
            Some(c) => format!("{}:{}: column `{}`", self.file, self.line, c),
            None => format!("{}:{}", self.file, self.line),
        }
    }
}

/// Per-input facts for the report.
#[derive(Clone, Debug, Serialize)]
pub struct InputSummary {
    /// Input name.
    pub file: String,
    /// Format read.
    pub format: &'static str,
    /// Preset used.
    pub preset: &'static str,
    /// Why that preset.
    pub preset_reason: String,
    /// CSV delimiter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// The encoding detected for an input that is not UTF-8 (none given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Columns no field uses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored_columns: Vec<String>,
    /// Header names that appear more than once and feed a single-valued field: the first
    /// non-empty one is used.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub duplicate_columns: Vec<String>,
    /// `[columns]` lines the header needs or would profit from (CSV only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mapping: Vec<crate::map::Suggestion>,
    /// How the day/month order of the input's slash dates was decided, when it writes
    /// dates that read both ways or one date showed the order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_order: Option<DateOrderNote>,
}

/// How an input's day/month order was decided (`pipeline`'s date inference).
#[derive(Clone, Debug, Serialize)]
pub struct DateOrderNote {
    /// `dmy` or `mdy`.
    pub order: &'static str,
    /// `inferred` (a date at `line` reads one way only) or `default` (no date shows which).
    pub source: &'static str,
    /// The line of the date that shows the order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

/// The accounting of a run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Totals {
    /// Inputs.
    pub inputs: Vec<InputSummary>,
    /// Records read, over all inputs.
    pub records: u64,
    /// Orders read (records grouped into orders, plus unreadable records).
    pub orders: u64,
    /// Events built.
    pub events: u64,
    /// Orders skipped by a rule.
    pub skipped: u64,
    /// Orders rejected locally.
    pub rejected: u64,
    /// Warnings.
    pub warnings: u64,
    /// Skips by reason code.
    pub skipped_by_reason: BTreeMap<String, u64>,
    /// Rejections by reason code.
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// Warnings by code.
    pub warnings_by_code: BTreeMap<String, u64>,
    /// Built events carrying each match key, keyed by CAPI field name ([`coverage::KEYS`]).
    pub coverage: Coverage,
    /// Distinct hashed emails over the events built.
    pub distinct_emails: Distinct,
    /// Keys most events lack because the normalizer dropped their column's values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coverage_warnings: Vec<CoverageWarning>,
    /// Events built and their value, per day of `event_time` in the shop's time zone.
    pub days: Vec<Day>,
    /// Request bodies.
    pub batches: u64,
    /// Problems kept for the report (the first `--max-problems`).
    pub problems: Vec<Problem>,
    /// Problems beyond the limit, counted only.
    pub problems_not_listed: u64,
    /// The run stopped before the end of the input (Ctrl-C, SIGTERM, authentication failure):
    /// the counts cover the orders read until then.
    pub stopped_early: bool,
}

impl Totals {
    /// Counts a problem into its bucket's reasons and keeps it if there is room.
    pub fn note(&mut self, p: Problem, keep: usize) {
        let map = match p.severity {
            Severity::Warning => {
                self.warnings += 1;
                &mut self.warnings_by_code
            }
            Severity::Skipped => &mut self.skipped_by_reason,
            Severity::Rejected => &mut self.rejected_by_reason,
        };
        *map.entry(p.code.to_owned()).or_default() += 1;
        if self.problems.len() < keep {
            self.problems.push(p);
        } else {
            self.problems_not_listed += 1;
        }
    }

    /// Takes in the match quality of the events built.
    pub fn set_quality(&mut self, q: Quality) {
        self.coverage = q.coverage;
        self.distinct_emails = q.distinct_emails;
        self.coverage_warnings = q.coverage_warnings;
        self.days = q.days;
    }

    /// Checks the invariant: every order is in exactly one bucket.
    #[must_use]
    pub fn balanced(&self) -> bool {
        self.orders == self.events + self.skipped + self.rejected
    }
}
