//! Exit codes: part of pinconv's interface, documented in the README and `--help`.

use std::process::ExitCode;

/// Every way a pinconv run can end, most severe last within each family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Everything read was built (and, for `send`, accepted), or skipped by a rule.
    Ok = 0,
    /// Some orders were rejected locally (not sendable; unless `--rejected-ok`), a warning was denied by
    /// `--deny-warnings`, or `hash` got a value that normalizes to nothing.
    Rejected = 1,
    /// Usage, configuration or input error, or an internal failure: nothing (more) was done.
    Usage = 2,
    /// `send`: Pinterest refused some events (see the failed-out file).
    PartialFailure = 3,
    /// `send`: Pinterest refused the token or the ad account (401/403), or knows no such ad
    /// account (404); nothing retried.
    Auth = 4,
    /// `send`: gave up after retries on rate limits, server or network errors; safe to re-run.
    Temporary = 5,
    /// The delivery ledger is held by another pinconv run.
    Locked = 6,
    /// Stopped by Ctrl-C or SIGTERM; the report says what was delivered.
    Interrupted = 130,
}

impl Exit {
    /// The documented table, for `--help` and the README.
    pub const TABLE: &'static str = "\
exit codes:
  0    success: every order was built (and accepted, for send) or skipped by a rule
  1    some orders were rejected locally (see the problems; not with --rejected-ok),
       --deny-warnings hit a warning, or `hash` got a value that normalizes to nothing
  2    usage, configuration or input error (or an internal failure in send)
  3    send: Pinterest refused some events (see --failed-out)
  4    send: authentication or permission failure (HTTP 401/403), or no such ad account (404)
  5    send: gave up after retries (rate limit, server or network errors); safe to re-run
  6    the delivery ledger is in use by another pinconv run
  130  interrupted (Ctrl-C / SIGTERM)";

    /// The more serious of two outcomes, so a run reports its worst problem.
    #[must_use]
    pub fn worst(self, other: Exit) -> Exit {
        fn rank(e: Exit) -> u8 {
            match e {
                Exit::Ok => 0,
                Exit::Rejected => 1,
                Exit::PartialFailure => 2,
                Exit::Temporary => 3,
                Exit::Locked => 4,
                Exit::Auth => 5,
                Exit::Usage => 6,
                Exit::Interrupted => 7,
            }
        }
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }

    /// The numeric process exit status.
    #[must_use]
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_picks_the_more_serious() {
        assert_eq!(Exit::Ok.worst(Exit::Rejected), Exit::Rejected);
        assert_eq!(Exit::Auth.worst(Exit::PartialFailure), Exit::Auth);
        assert_eq!(Exit::Temporary.worst(Exit::PartialFailure), Exit::Temporary);
        assert_eq!(Exit::Rejected.worst(Exit::Ok), Exit::Rejected);
    }

    #[test]
    fn table_lists_every_code() {
        for e in [
            Exit::Ok,
            Exit::Rejected,
            Exit::Usage,
            Exit::PartialFailure,
            Exit::Auth,
            Exit::Temporary,
            Exit::Locked,
            Exit::Interrupted,
        ] {
            let needle = format!("\n  {:<4} ", e.code());
            assert!(Exit::TABLE.contains(&needle), "missing {}", e.code());
        }
    }
}
