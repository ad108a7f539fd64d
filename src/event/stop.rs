//! Where building an event can stop, and the problems of one order collected on the way.
//! Every step of [`super::build`] takes a [`Ctx`] and returns `Result<_, Stop>`, so a rule
//! that leaves the order out is one `?` away.

use std::cell::OnceCell;

use crate::map::{Cell, Order};
use crate::report::{Problem, Severity};

use super::ids::OrderIds;

/// Why an order got no event. (Boxed: the `Err` of every step stays one pointer wide.)
#[derive(Debug)]
pub(super) enum Stop {
    /// Left out by a rule (the shop's or the age limit): the warnings do not matter.
    Skipped(Box<Problem>),
    /// Not sendable: reported with the warnings found before it.
    Rejected(Box<Problem>),
}

/// The order being built and the warnings found so far.
pub(super) struct Ctx<'a> {
    /// The order.
    pub order: &'a Order,
    /// Its identifiers.
    pub ids: &'a OrderIds<'a>,
    /// How problems name the order (`order` in reports): made for the first problem, since
    /// most orders have none.
    pub order_ref: OnceCell<Option<String>>,
    /// Warnings, in the order they were found.
    pub warnings: Vec<Problem>,
}

impl Ctx<'_> {
    /// A problem about `cell` (or the whole order) of this order.
    fn problem(
        &self,
        sev: Severity,
        cell: Option<&Cell>,
        code: &'static str,
        reason: String,
        hint: Option<String>,
    ) -> Problem {
        Problem {
            file: self.order.file.clone(),
            line: cell.map_or(self.order.line, |c| c.line),
            column: cell.map(|c| c.column.to_string()),
            severity: sev,
            code,
            reason,
            hint,
            order: self
                .order_ref
                .get_or_init(|| self.ids.reference(self.order))
                .clone(),
        }
    }

    /// Records a warning; building goes on.
    pub fn warn(
        &mut self,
        cell: Option<&Cell>,
        code: &'static str,
        reason: String,
        hint: Option<String>,
    ) {
        let p = self.problem(Severity::Warning, cell, code, reason, hint);
        self.warnings.push(p);
    }

    /// The stop of an order that cannot be sent.
    pub fn reject(
        &self,
        cell: Option<&Cell>,
        code: &'static str,
        reason: String,
        hint: Option<String>,
    ) -> Stop {
        Stop::Rejected(Box::new(self.problem(
            Severity::Rejected,
            cell,
            code,
            reason,
            hint,
        )))
    }

    /// The stop of an order a rule leaves out.
    pub fn skip(
        &self,
        cell: Option<&Cell>,
        code: &'static str,
        reason: String,
        hint: Option<String>,
    ) -> Stop {
        Stop::Skipped(Box::new(self.problem(
            Severity::Skipped,
            cell,
            code,
            reason,
            hint,
        )))
    }
}
