//! The ledger's typed error: one variant per situation a caller may branch on or explain.

use std::path::PathBuf;

/// Everything that can go wrong while opening or using a [`Ledger`](super::Ledger).
///
/// Messages are lowercase and name paths and values in backticks; the fix, when one is
/// known, is [`LedgerError::hint`], printed as the message's `hint:` line. Variants that wrap a cause (`Io`, `Sqlite`) do not repeat it in
/// their own message; it is available through [`std::error::Error::source`].
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// Another process (or another [`Ledger`](super::Ledger) in this process) holds the lock.
    #[error(
        "ledger `{}` is in use by another pinconv run",
        path.display()
    )]
    Locked {
        /// The ledger file (the lock itself is the sidecar `<resolved path>.lock`).
        path: PathBuf,
    },

    /// The file exists but is not a pinconv ledger: random bytes, a damaged file, or an SQLite
    /// database that belongs to some other program. It is never modified.
    #[error(
        "`{}` is not a pinconv ledger: {detail}",
        path.display()
    )]
    NotALedger {
        /// The offending file.
        path: PathBuf,
        /// What was found instead, for the message.
        detail: &'static str,
    },

    /// The ledger path names something other than a regular file (a device such as
    /// `/dev/null`, a FIFO, a directory): SQLite would leave `-journal` and lock files beside
    /// it, and nothing would be remembered.
    #[error(
        "ledger `{}` is not a regular file",
        path.display()
    )]
    NotAFile {
        /// The offending path.
        path: PathBuf,
    },

    /// The ledger was created for a different ad account.
    #[error(
        "ledger `{}` belongs to ad account `{found}`, not `{expected}`",
        path.display()
    )]
    WrongAccount {
        /// The ledger file.
        path: PathBuf,
        /// The ad account the caller asked for.
        expected: String,
        /// The ad account stored in the ledger.
        found: String,
    },

    /// The ledger was written by a newer pinconv with a schema this version does not know.
    #[error(
        "ledger `{}` has schema version `{found}`, newer than this pinconv understands (`{supported}`)",
        path.display()
    )]
    UnsupportedVersion {
        /// The ledger file.
        path: PathBuf,
        /// The schema version found in the file.
        found: i64,
        /// The newest schema version this build understands.
        supported: i64,
    },

    /// A read-only open found no ledger file.
    #[error(
        "no ledger at `{}`",
        path.display()
    )]
    NotFound {
        /// The path that was looked at.
        path: PathBuf,
    },

    /// A write was attempted on a ledger opened with [`Ledger::open_read_only`](super::Ledger::open_read_only).
    #[error("ledger `{}` was opened read-only", path.display())]
    ReadOnly {
        /// The ledger file.
        path: PathBuf,
    },

    /// [`Ledger::finish_run`](super::Ledger::finish_run) was given an id that `begin_run` never returned.
    #[error("ledger `{}` has no run `{run_id}`", path.display())]
    UnknownRun {
        /// The ledger file.
        path: PathBuf,
        /// The id that was not found.
        run_id: i64,
    },

    /// The ad account cannot be used to name a ledger.
    #[error("ad account `{ad_account}` cannot name a ledger")]
    BadAccount {
        /// The rejected ad account.
        ad_account: String,
    },

    /// No per-user directory could be found for the default ledger path.
    #[error("cannot find a directory for the ledger: `{vars}` is not set")]
    NoStateDir {
        /// The environment variable(s) that were consulted.
        vars: &'static str,
    },

    /// A file system operation on the ledger, its directory or its lock file failed.
    #[error("cannot access `{}`", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// SQLite reported an error while reading or writing the ledger.
    #[error("database error in ledger `{}`", path.display())]
    Sqlite {
        /// The ledger file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: rusqlite::Error,
    },
}

impl LedgerError {
    /// The fix, where one is known: printed as the message's `hint:` line.
    #[must_use]
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            LedgerError::Locked { .. } => "only one run per ad account can use its ledger at a time; wait for the other run to finish".to_owned(),
            LedgerError::NotALedger { .. } => "pinconv never overwrites a file it did not create; move the file away or use another ledger path".to_owned(),
            LedgerError::NotAFile { .. } => "give `--state` the path of a file (it is created if missing), or pass `--no-state` to send without a ledger".to_owned(),
            LedgerError::WrongAccount { expected, .. } => format!("each ad account keeps its own ledger; use the ledger path for ad account `{expected}`"),
            LedgerError::UnsupportedVersion { .. } => "upgrade pinconv".to_owned(),
            LedgerError::NotFound { .. } => "the first `pinconv send` for this ad account creates it".to_owned(),
            LedgerError::BadAccount { .. } => "an ad account id is made of letters, digits, `-` and `_` (Pinterest uses digits only)".to_owned(),
            LedgerError::NoStateDir { vars, .. } => format!("set `{vars}` or give an explicit ledger path"),
            _ => return None,
        })
    }
}
