//! The delivery ledger: an embedded SQLite database, one per ad account, that remembers which
//! events Pinterest accepted, so a re-export of overlapping days sends only what is new and a
//! crash loses nothing.
//!
//! # What it stores
//! One row per event key `(event_name, event_id)`: the fingerprint of the accepted event (`send`
//! records [`fingerprint_exact`]),
//! its `event_time`, when it was accepted and the request id of the accepting request; or, for
//! an event that failed, the failure reason, when it failed, where it came from (`file:line`)
//! and **the exact event JSON**, so that `pinconv state failed` can print a re-sendable NDJSON
//! line. Besides that: the ad account (checked on every open) and one row per run with its
//! argument summary and [`RunStats`].
//!
//! An accepted event built from an order also records the order's identifiers (platform id,
//! number, name) in `order_ids`, one row per `(event_name, kind, value)`, so that the same
//! order exported again under another `event_id` (an id a spreadsheet rounded, a changed
//! `--event-id-template` or `--order-id`) is recognised by [`Ledger::sent_as_other`] instead
//! of being counted twice by Pinterest. Schema version 1 had no such table: opening a
//! version-1 ledger for writing adds it (and knows only orders accepted from then on); a
//! read-only open of one leaves it as it is and finds no identifiers.
//!
//! No plaintext PII is stored: identity fields inside the event JSON are already SHA-256
//! hashed by the time an event is built. Be aware, though, that the stored JSON of a *failed*
//! event contains `client_ip_address` and `client_user_agent` as Pinterest requires them,
//! unhashed, if the export had them. That JSON is deleted as soon as the event is accepted,
//! and [`Ledger::forget_before`] removes old rows altogether.
//!
//! # Durability and locking
//! The database runs in WAL mode with `synchronous=NORMAL`: every call that records something
//! is one transaction, and a committed transaction survives the process being killed
//! (`kill -9`, a panic, an OOM kill). An operating-system crash or power loss may roll back the
//! last few transactions, never corrupt the file; the events concerned are then simply sent
//! again and Pinterest deduplicates them on `event_id`. Record each batch right after Pinterest
//! answers it and the window for that is one batch ([`Ledger::record`] takes several in one
//! transaction: `send`'s writer passes the one that queued up during its last write with the
//! next, so its window is two).
//!
//! [`Ledger::open`] takes an exclusive advisory lock on the sidecar file `<path>.lock` (`flock`
//! on Unix, `LockFileEx` on Windows) and holds it for the life of the [`Ledger`]. `<path>` is
//! the database file resolved (symlinks followed, `.` and `..` taken out), so a symlink to a
//! ledger and the ledger itself share one lock. The operating system releases the lock when
//! the process dies, however it dies, so a stale lock is impossible.
//!
//! On Unix the owner deletes the lock file when it closes the ledger, while still holding the
//! lock; a run that was waiting on the deleted file then finds, once it gets the lock, that
//! the path no longer names the file it locked, and starts over on a fresh one. So no second
//! run can get in through a deleted lock file, and none is left behind. (A lock file left by a
//! killed run is harmless: it is reused.)
//! [`Ledger::open_read_only`] takes no lock and can inspect a ledger while a run writes to it.
//!
//! A ledger path must be a regular file or not exist yet: a device (`/dev/null`), a FIFO or a
//! directory is refused with [`LedgerError::NotAFile`] before anything is created.
//!
//! The database file, its `-wal`/`-shm` companions and the lock file are created with mode
//! `0600` on Unix, directories created for them with `0700`. A file that is not a pinconv
//! ledger (random bytes, another program's SQLite database, a ledger of another ad account) is
//! refused with a typed error and never modified.
//!
//! Times are Unix seconds (UTC) supplied by the caller, so tests control the clock.

mod error;
mod fingerprint;
mod paths;

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use rusqlite::types::Value;
use rusqlite::vtab::array::Array;
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension};
use serde::{Deserialize, Serialize};

pub use error::LedgerError;
pub use fingerprint::{classify, fingerprint, fingerprint_exact, fingerprint_value, Decision};
pub use paths::default_path;

/// `PRAGMA application_id` of every pinconv ledger: the ASCII bytes `pinc`.
const APPLICATION_ID: i64 = 0x7069_6e63;
/// `PRAGMA user_version`: the schema version this build writes and understands.
const SCHEMA_VERSION: i64 = 2;
/// How often a waiting [`Ledger::open`] retries the lock.
const LOCK_POLL: Duration = Duration::from_millis(50);
/// How many runs [`Ledger::summary`] lists.
const SUMMARY_RUNS: i64 = 10;

/// The tables of a new ledger.
///
/// Every query on `events` and `order_ids` looks a key up by equality (or scans), so the order
/// of the key's columns is free, and it is chosen for the cost of writes: the column that
/// tells rows apart comes first (`event_id`, the identifier's `value`), so a comparison in the
/// B-tree ends at the first column instead of walking past the event name and kind that
/// nearly every row shares. A ledger made by an older build has the other order (and an index
/// on `last_activity`, which only `forget_before` used); it is read and written the same way.
const SCHEMA: &str = "
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE events (
    event_name           TEXT NOT NULL,
    event_id             TEXT NOT NULL,
    accepted_fingerprint TEXT,
    event_time           INTEGER,
    accepted_at          INTEGER,
    request_id           TEXT,
    failed_fingerprint   TEXT,
    failed_at            INTEGER,
    last_failure         TEXT,
    event_json           TEXT,
    source               TEXT,
    last_activity        INTEGER NOT NULL,
    PRIMARY KEY (event_id, event_name)
) WITHOUT ROWID;
CREATE INDEX events_failed ON events (failed_at) WHERE last_failure IS NOT NULL;

CREATE TABLE runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    args_summary TEXT NOT NULL,
    stats        TEXT
);
";

/// Added in schema version 2; also the whole migration from version 1.
const ORDER_IDS: &str = "
CREATE TABLE IF NOT EXISTS order_ids (
    event_name TEXT NOT NULL,
    kind       TEXT NOT NULL,
    value      TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    run_id     INTEGER,
    PRIMARY KEY (value, kind, event_name)
) WITHOUT ROWID;
";

/// How many rows one multi-row `INSERT` of [`Ledger::record_accepted`] writes: a batch of
/// `n` rows takes `n / 100` statements of 100 rows, then of 10, then of 1 (at most 402 bound
/// parameters, far below SQLite's limit of 32766).
const ROWS: [usize; 3] = [100, 10, 1];

/// The `VALUES` list of a multi-row statement: `n` rows of four parameters each, numbered
/// from `?first` on, then `shared` (parameters every row repeats, such as `?1`).
fn values_rows(n: usize, first: usize, shared: &str) -> String {
    (0..n)
        .map(|r| {
            let at = first + 4 * r;
            format!("(?{at}, ?{}, ?{}, ?{}, {shared})", at + 1, at + 2, at + 3)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `INSERT INTO events … VALUES (…), (…) ON CONFLICT …` for each of [`ROWS`]: `?1` is the
/// time of acceptance, `?2` the request id, then four parameters per row.
static ACCEPTED_SQL: LazyLock<[String; 3]> = LazyLock::new(|| {
    ROWS.map(|n| {
        format!(
            "INSERT INTO events (event_name, event_id, accepted_fingerprint, event_time,
                                 accepted_at, request_id, last_activity)
             VALUES {}
             ON CONFLICT (event_name, event_id) DO UPDATE SET
                 accepted_fingerprint = excluded.accepted_fingerprint,
                 event_time = excluded.event_time,
                 accepted_at = excluded.accepted_at,
                 request_id = excluded.request_id,
                 failed_fingerprint = NULL,
                 failed_at = NULL,
                 last_failure = NULL,
                 event_json = NULL,
                 source = NULL,
                 last_activity = excluded.last_activity",
            values_rows(n, 3, "?1, ?2, ?1")
        )
    })
});

/// `INSERT INTO order_ids … ON CONFLICT …` for each of [`ROWS`]: `?1` is the run, then four
/// parameters per row.
static ORDER_IDS_SQL: LazyLock<[String; 3]> = LazyLock::new(|| {
    ROWS.map(|n| {
        format!(
            "INSERT INTO order_ids (event_name, kind, value, event_id, run_id)
             VALUES {}
             ON CONFLICT (event_name, kind, value) DO UPDATE SET
                 event_id = excluded.event_id,
                 run_id = excluded.run_id",
            values_rows(n, 2, "?1")
        )
    })
});

/// The largest of [`ROWS`] that `left` rows fill, with its statement from `sql`.
fn multi_row(left: usize, sql: &[String; 3]) -> (usize, &str) {
    let i = ROWS
        .iter()
        .position(|&n| n <= left)
        .unwrap_or(ROWS.len() - 1);
    (ROWS[i], &sql[i])
}

/// One identifier of an order: its kind (`id`, `number` or `name`) and its value.
pub type OrderIdent = (&'static str, String);

/// The key of an event within an ad account: Pinterest deduplicates on it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EventKey {
    /// The CAPI `event_name`, e.g. `checkout`.
    pub event_name: String,
    /// The CAPI `event_id`.
    pub event_id: String,
}

impl EventKey {
    /// A key from its two parts.
    pub fn new(event_name: impl Into<String>, event_id: impl Into<String>) -> Self {
        EventKey {
            event_name: event_name.into(),
            event_id: event_id.into(),
        }
    }
}

/// What the ledger knows about one event key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The fingerprint of the accepted version if there is one, else of the failed version.
    pub fingerprint: String,
    /// When Pinterest accepted it (Unix seconds), if it did.
    pub accepted_at: Option<i64>,
    /// The request id of the accepting request, if known.
    pub request_id: Option<String>,
    /// The reason of the last failure not yet superseded by an acceptance.
    pub last_failure: Option<String>,
}

/// An event Pinterest accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// Its key.
    pub key: EventKey,
    /// Fingerprint of the event as sent ([`fingerprint_exact`] in `send`).
    pub fingerprint: String,
    /// The event's own `event_time` (Unix seconds).
    pub event_time: i64,
    /// The identifiers of the order it was built from (none for an event built elsewhere).
    pub identifiers: Vec<OrderIdent>,
}

/// One answered batch for [`Ledger::record`].
#[derive(Debug, Clone, Copy)]
pub enum Record<'a> {
    /// Events Pinterest accepted, with the request id of the answer and when.
    Accepted {
        /// The events.
        items: &'a [Accepted],
        /// `x-pinterest-rid` of the accepting request, if known.
        request_id: Option<&'a str>,
        /// When (Unix seconds).
        now: i64,
    },
    /// Events that failed, and when.
    Failed {
        /// The events.
        items: &'a [Failed],
        /// When (Unix seconds).
        now: i64,
    },
}

/// The order of an event was accepted before under another `event_id`
/// ([`Ledger::sent_as_other`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentAs {
    /// The kind of the identifier the two share (`id`, `number` or `name`).
    pub kind: &'static str,
    /// The `event_id` it was accepted under.
    pub event_id: String,
}

/// An event that failed, locally or at Pinterest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    /// Its key.
    pub key: EventKey,
    /// Fingerprint of the event as built ([`fingerprint_exact`] in `send`).
    pub fingerprint: String,
    /// Why it failed, e.g. Pinterest's per-event message.
    pub reason: String,
    /// The exact event JSON (identity fields already hashed), kept until it is accepted.
    pub event_json: String,
    /// Where it came from, `file:line`.
    pub source: String,
}

/// Counters of one run, stored with the run and shown by `pinconv state`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunStats {
    /// Input records read.
    pub read: u64,
    /// Events built from them.
    pub built: u64,
    /// Records skipped (not an event: filtered, invalid, ...).
    pub skipped: u64,
    /// Events not sent because the ledger shows them accepted with the same content.
    pub already_sent: u64,
    /// Events whose content changed since they were accepted.
    pub changed: u64,
    /// Events sent again after an earlier failure.
    pub retried: u64,
    /// Events Pinterest accepted in this run.
    pub accepted: u64,
    /// Events that failed in this run.
    pub failed: u64,
    /// HTTP requests made.
    pub requests: u64,
}

/// Event counts for one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayCounts {
    /// The UTC date, `YYYY-MM-DD`.
    pub date: String,
    /// Events whose (latest) acceptance happened that day.
    pub accepted: u64,
    /// Events with an outstanding failure recorded that day.
    pub failed: u64,
}

/// One run as recorded by [`Ledger::begin_run`] and [`Ledger::finish_run`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunRecord {
    /// The run id.
    pub id: i64,
    /// When it started (Unix seconds).
    pub started_at: i64,
    /// When it finished; `None` for a run that is going on or was killed.
    pub finished_at: Option<i64>,
    /// What it was asked to do, as the caller summarised it.
    pub args_summary: String,
    /// Its counters, once finished.
    pub stats: Option<RunStats>,
}

/// An overview of a ledger, for `pinconv state`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// The ad account the ledger belongs to.
    pub ad_account: String,
    /// The ledger file.
    pub path: PathBuf,
    /// Event keys known.
    pub events: u64,
    /// Event keys accepted.
    pub accepted: u64,
    /// Event keys with an outstanding failure (some of them may have been accepted before
    /// with other content).
    pub failed: u64,
    /// Counts per UTC day, oldest first.
    pub days: Vec<DayCounts>,
    /// The last runs, newest first.
    pub runs: Vec<RunRecord>,
}

/// A failed event, with everything needed to report or re-send it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedRow {
    /// The CAPI `event_name`.
    pub event_name: String,
    /// The CAPI `event_id`.
    pub event_id: String,
    /// The fingerprint of the failed version.
    pub fingerprint: String,
    /// Why it failed.
    pub reason: String,
    /// When it failed (Unix seconds).
    pub failed_at: i64,
    /// The exact event JSON, one NDJSON line.
    pub event_json: String,
    /// Where it came from, `file:line`.
    pub source: String,
    /// When an earlier version was accepted, if one was.
    pub accepted_at: Option<i64>,
}

/// An open ledger. Dropping it closes the database and then releases the lock.
pub struct Ledger {
    // Field order matters: the connection closes (and checkpoints) before the lock goes.
    conn: Connection,
    path: PathBuf,
    ad_account: String,
    /// The held lock; `None` for a read-only ledger.
    lock: Option<LockGuard>,
    /// Whether the `order_ids` table exists (not in a version-1 ledger opened read-only).
    has_order_ids: bool,
    /// The run [`Ledger::begin_run`] started, recorded with each order's identifiers.
    run: Option<i64>,
    /// The run [`Ledger::sent_as_other`] last answered for, and whether `order_ids` held a
    /// row of another run when it first looked (once per run). Without one there is nothing
    /// to look up: the run holds the lock, so no other run adds rows while it lasts, and the
    /// rows of other runs can only become this run's. A first backfill into a new ledger
    /// skips every lookup (3.7% of its time in `perf`).
    others: std::cell::Cell<Option<(i64, bool)>>,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger")
            .field("path", &self.path)
            .field("ad_account", &self.ad_account)
            .field("read_only", &self.lock.is_none())
            .finish_non_exhaustive()
    }
}

/// The ad account a ledger file belongs to, read without locking it (for `state` commands
/// given only `--state FILE`).
pub fn stored_account(path: &Path) -> Result<String, LedgerError> {
    check_regular(path)?;
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|source| {
            LedgerError::Sqlite {
                path: path.to_owned(),
                source,
            }
        })?;
    conn.query_row("SELECT value FROM meta WHERE key = 'ad_account'", [], |r| {
        r.get::<_, String>(0)
    })
    .map_err(|_| LedgerError::NotALedger {
        path: path.to_owned(),
        detail: "it has no ad account record",
    })
}

impl Ledger {
    /// Opens the ledger at `path` for `ad_account`, creating it (and its parent directories)
    /// if missing.
    ///
    /// First takes the exclusive lock on `<path>.lock`. If another process or another
    /// `Ledger` holds it, fails with [`LedgerError::Locked`] at once when `wait` is `None`,
    /// else retries until `wait` has passed.
    ///
    /// # Errors
    /// [`LedgerError::Locked`], [`LedgerError::NotALedger`] for a file that is not a pinconv
    /// ledger, [`LedgerError::WrongAccount`], [`LedgerError::UnsupportedVersion`],
    /// [`LedgerError::BadAccount`], and `Io`/`Sqlite` for everything else.
    pub fn open(
        path: &Path,
        ad_account: &str,
        wait: Option<Duration>,
    ) -> Result<Ledger, LedgerError> {
        paths::check_account(ad_account)?;
        check_regular(path)?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            create_private_dirs(parent).map_err(|source| LedgerError::Io {
                path: parent.to_owned(),
                source,
            })?;
        }
        // Create the file ourselves so that it gets mode 0600; SQLite gives its -wal and -shm
        // files the same mode as the database. Creating an empty file (never truncating) before
        // the lock is harmless, and the file must exist for its path to be resolved.
        private_options()
            .open(path)
            .map_err(|source| LedgerError::Io {
                path: path.to_owned(),
                source,
            })?;
        let resolved = std::fs::canonicalize(path).map_err(|source| LedgerError::Io {
            path: path.to_owned(),
            source,
        })?;
        check_regular(&resolved)?;
        let lock = acquire_lock(path, &resolved, wait)?;
        let conn = connect(path)?;
        let mut ledger = Ledger {
            conn,
            path: path.to_owned(),
            ad_account: ad_account.to_owned(),
            lock: Some(lock),
            has_order_ids: true,
            run: None,
            others: std::cell::Cell::new(None),
        };
        ledger.prepare(false)?;
        Ok(ledger)
    }

    /// Opens an existing ledger for reading only, without taking the lock, so that
    /// `pinconv state` can look at a ledger while a run writes to it. The writing methods
    /// fail with [`LedgerError::ReadOnly`].
    ///
    /// # Errors
    /// [`LedgerError::NotFound`] if there is no file, and the errors of [`Ledger::open`]
    /// except `Locked`.
    pub fn open_read_only(path: &Path, ad_account: &str) -> Result<Ledger, LedgerError> {
        paths::check_account(ad_account)?;
        check_regular(path)?;
        match std::fs::metadata(path) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(LedgerError::NotFound {
                    path: path.to_owned(),
                })
            }
            Err(source) => {
                return Err(LedgerError::Io {
                    path: path.to_owned(),
                    source,
                })
            }
        }
        // Read-write at the SQLite level so that a reader can create the -shm file of a WAL
        // database if needed; `query_only` below forbids any change.
        let conn = connect(path)?;
        let mut ledger = Ledger {
            conn,
            path: path.to_owned(),
            ad_account: ad_account.to_owned(),
            lock: None,
            has_order_ids: true,
            run: None,
            others: std::cell::Cell::new(None),
        };
        ledger.prepare(true)?;
        Ok(ledger)
    }

    /// The ledger file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The ad account the ledger belongs to.
    pub fn ad_account(&self) -> &str {
        &self.ad_account
    }

    /// Recognises (or, for a new empty file, creates) the schema and checks the ad account.
    fn prepare(&mut self, read_only: bool) -> Result<(), LedgerError> {
        let conn = &self.conn;
        let oe = |e| open_error(&self.path, e);
        // Reading the header is the first access to the file: random bytes fail here with
        // SQLITE_NOTADB, which `open_error` turns into NotALedger.
        let app_id: i64 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(oe)?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(oe)?;
        let objects: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .map_err(oe)?;

        if app_id == 0 && version == 0 && objects == 0 {
            if read_only {
                return Err(self.not_a_ledger("an empty database"));
            }
            return self.create_schema();
        }
        if app_id != APPLICATION_ID {
            return Err(self.not_a_ledger("it is an SQLite database of another program"));
        }
        if version > SCHEMA_VERSION {
            return Err(LedgerError::UnsupportedVersion {
                path: self.path.clone(),
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        if version < 1 {
            return Err(self.not_a_ledger("its schema version is missing"));
        }
        let has_tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('meta', 'events', 'runs')",
                [],
                |r| r.get(0),
            )
            .map_err(oe)?;
        if has_tables != 3 {
            return Err(self.not_a_ledger("its ledger tables are missing"));
        }
        let found: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'ad_account'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(oe)?;
        let Some(found) = found else {
            return Err(self.not_a_ledger("it names no ad account"));
        };
        if found != self.ad_account {
            return Err(LedgerError::WrongAccount {
                path: self.path.clone(),
                expected: self.ad_account.clone(),
                found,
            });
        }
        self.set_connection_pragmas(read_only)?;
        if version < SCHEMA_VERSION {
            if read_only {
                // A reader must not change the file; it finds no identifiers instead.
                self.has_order_ids = false;
            } else {
                self.migrate()?;
            }
        }
        Ok(())
    }

    /// Brings a version-1 ledger to the current schema, in one transaction.
    fn migrate(&self) -> Result<(), LedgerError> {
        let sql = |e| self.sql_error(e);
        let tx = self.conn.unchecked_transaction().map_err(sql)?;
        tx.execute_batch(ORDER_IDS).map_err(sql)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(sql)?;
        tx.commit().map_err(sql)
    }

    fn create_schema(&self) -> Result<(), LedgerError> {
        let sql = |e| self.sql_error(e);
        // auto_vacuum must be chosen before the first table exists; incremental lets
        // `forget_before` give space back without a full VACUUM.
        self.conn
            .pragma_update(None, "auto_vacuum", "INCREMENTAL")
            .map_err(sql)?;
        self.set_connection_pragmas(false)?;
        let tx = self.conn.unchecked_transaction().map_err(sql)?;
        tx.execute_batch(SCHEMA).map_err(sql)?;
        tx.execute_batch(ORDER_IDS).map_err(sql)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('ad_account', ?1), ('created_by', ?2)",
            params![
                self.ad_account,
                concat!("pinconv ", env!("CARGO_PKG_VERSION"))
            ],
        )
        .map_err(sql)?;
        // Set last, in the same transaction: a file with our application id always has the
        // full schema.
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(sql)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(sql)?;
        tx.commit().map_err(sql)
    }

    fn set_connection_pragmas(&self, read_only: bool) -> Result<(), LedgerError> {
        let sql = |e| self.sql_error(e);
        // A reader may meet a writer's checkpoint; wait briefly instead of failing.
        self.conn
            .busy_timeout(Duration::from_secs(5))
            .map_err(sql)?;
        if read_only {
            return self
                .conn
                .pragma_update(None, "query_only", true)
                .map_err(sql);
        }
        let mode: String = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(sql)?;
        if !mode.eq_ignore_ascii_case("wal") {
            // WAL is what makes a committed batch survive a kill with `synchronous=NORMAL`;
            // SQLite refuses it on file systems without shared memory (some network mounts).
            return Err(self.sql_error(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
                Some(format!("cannot switch to WAL journal mode, still `{mode}`")),
            )));
        }
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql)
    }

    /// Looks up many keys in one read transaction; the result is parallel to `keys`.
    ///
    /// One statement per event name in `keys` (a batch has one or two), not one per key: the
    /// event ids go in as one `rarray` and SQLite seeks each of them in the primary key.
    ///
    /// # Errors
    /// [`LedgerError::Sqlite`] if the database cannot be read.
    pub fn lookup(&self, keys: &[EventKey]) -> Result<Vec<Option<Entry>>, LedgerError> {
        self.lookup_refs(&keys.iter().collect::<Vec<_>>())
    }

    /// [`Ledger::lookup`] of borrowed keys, for a caller that keeps its keys elsewhere.
    ///
    /// # Errors
    /// [`LedgerError::Sqlite`] if the database cannot be read.
    pub fn lookup_refs(&self, keys: &[&EventKey]) -> Result<Vec<Option<Entry>>, LedgerError> {
        let sql = |e| self.sql_error(e);
        let tx = self.conn.unchecked_transaction().map_err(sql)?;
        let mut out = vec![None; keys.len()];
        {
            // CROSS JOIN keeps the array as the outer loop: one primary-key seek per id.
            let mut stmt = tx
                .prepare_cached(
                    "SELECT k.rowid, coalesce(e.accepted_fingerprint, e.failed_fingerprint, ''),
                            e.accepted_at, e.request_id, e.last_failure
                     FROM rarray(?2) AS k CROSS JOIN events AS e
                     WHERE e.event_name = ?1 AND e.event_id = k.value",
                )
                .map_err(sql)?;
            for (name, at) in group_by(keys.iter().map(|k| k.event_name.as_str())) {
                let ids = text_array(at.iter().map(|&i| keys[i].event_id.as_str()));
                let mut rows = stmt.query(params![name, ids]).map_err(sql)?;
                while let Some(r) = rows.next().map_err(sql)? {
                    let i = at[array_index(r.get(0).map_err(sql)?)];
                    out[i] = Some(Entry {
                        fingerprint: r.get(1).map_err(sql)?,
                        accepted_at: r.get(2).map_err(sql)?,
                        request_id: r.get(3).map_err(sql)?,
                        last_failure: r.get(4).map_err(sql)?,
                    });
                }
            }
        }
        tx.commit().map_err(sql)?;
        Ok(out)
    }

    /// Records one accepted batch in one transaction. An accepted event's earlier failure,
    /// and the event JSON kept with it, are deleted.
    ///
    /// # Errors
    /// [`LedgerError::ReadOnly`], or [`LedgerError::Sqlite`] (nothing of the batch is
    /// recorded then).
    pub fn record_accepted(
        &mut self,
        items: &[Accepted],
        request_id: Option<&str>,
        now: i64,
    ) -> Result<(), LedgerError> {
        self.record(&[Record::Accepted {
            items,
            request_id,
            now,
        }])
    }

    /// Records several answered batches, in order, in one transaction: all of them or, on an
    /// error, none. [`Ledger::record_accepted`] and [`Ledger::record_failed`] are this for one.
    ///
    /// # Errors
    /// [`LedgerError::ReadOnly`], or [`LedgerError::Sqlite`] (nothing is recorded then).
    pub fn record(&mut self, records: &[Record<'_>]) -> Result<(), LedgerError> {
        self.check_writable()?;
        let path = &self.path;
        let sql = |e| LedgerError::Sqlite {
            path: path.clone(),
            source: e,
        };
        let run = self.run;
        let tx = self.conn.transaction().map_err(sql)?;
        for r in records {
            match *r {
                Record::Accepted {
                    items,
                    request_id,
                    now,
                } => insert_accepted(&tx, items, request_id, now, run).map_err(sql)?,
                Record::Failed { items, now } => insert_failed(&tx, items, now).map_err(sql)?,
            }
        }
        tx.commit().map_err(sql)
    }

    /// For each event key and the identifiers of its order, the identifier and the other
    /// `event_id` under which an order with that identifier was accepted (and is still in the
    /// ledger), if any; the result is parallel to `queries`. One read transaction.
    ///
    /// Orders accepted in run `this_run` do not count: within one run, whether an earlier
    /// batch is recorded before a later one is looked up is a matter of timing, and two rows
    /// of one run that share an identifier were both chosen by the user's export.
    ///
    /// # Errors
    /// [`LedgerError::Sqlite`] if the database cannot be read.
    pub fn sent_as_other(
        &self,
        queries: &[(&EventKey, &[OrderIdent])],
        this_run: Option<i64>,
    ) -> Result<Vec<Option<SentAs>>, LedgerError> {
        if !self.has_order_ids {
            return Ok(vec![None; queries.len()]);
        }
        let sql = |e| self.sql_error(e);
        if let Some(run) = this_run {
            let others = match self.others.get() {
                Some((r, others)) if r == run => others,
                _ => {
                    let others: bool = self
                        .conn
                        .query_row(
                            "SELECT EXISTS (SELECT 1 FROM order_ids WHERE run_id IS NOT ?1)",
                            [run],
                            |r| r.get(0),
                        )
                        .map_err(sql)?;
                    self.others.set(Some((run, others)));
                    others
                }
            };
            if !others {
                return Ok(vec![None; queries.len()]);
            }
        }
        let tx = self.conn.unchecked_transaction().map_err(sql)?;
        // `found[q][j]`: the event id the `j`th identifier of query `q` was accepted under.
        let mut found: Vec<Vec<Option<String>>> = queries
            .iter()
            .map(|(_, idents)| vec![None; idents.len()])
            .collect();
        {
            // One statement per (event name, identifier kind), its values as one `rarray`;
            // CROSS JOIN keeps the array as the outer loop (one primary-key seek per value).
            let mut stmt = tx
                .prepare_cached(
                    "SELECT v.rowid, o.event_id FROM rarray(?3) AS v
                     CROSS JOIN order_ids AS o
                     JOIN events AS e ON e.event_name = o.event_name AND e.event_id = o.event_id
                     WHERE o.event_name = ?1 AND o.kind = ?2 AND o.value = v.value
                       AND e.accepted_at IS NOT NULL
                       AND (?4 IS NULL OR o.run_id IS NOT ?4)",
                )
                .map_err(sql)?;
            let slots: Vec<(usize, usize)> = queries
                .iter()
                .enumerate()
                .flat_map(|(q, (_, idents))| (0..idents.len()).map(move |j| (q, j)))
                .collect();
            let group_keys = slots
                .iter()
                .map(|&(q, j)| (queries[q].0.event_name.as_str(), queries[q].1[j].0));
            for ((name, kind), at) in group_by(group_keys) {
                let values = text_array(at.iter().map(|&s| {
                    let (q, j) = slots[s];
                    queries[q].1[j].1.as_str()
                }));
                let mut rows = stmt
                    .query(params![name, kind, values, this_run])
                    .map_err(sql)?;
                while let Some(r) = rows.next().map_err(sql)? {
                    let (q, j) = slots[at[array_index(r.get(0).map_err(sql)?)]];
                    found[q][j] = Some(r.get(1).map_err(sql)?);
                }
            }
        }
        tx.commit().map_err(sql)?;
        // The first identifier, in the order given, under which the order was accepted as
        // another event.
        Ok(queries
            .iter()
            .zip(found)
            .map(|((key, idents), ids)| {
                idents.iter().zip(ids).find_map(|((kind, _), id)| {
                    id.filter(|id| *id != key.event_id)
                        .map(|event_id| SentAs { kind, event_id })
                })
            })
            .collect())
    }

    /// Records failed events in one transaction, keeping the reason, the source and the exact
    /// event JSON. An earlier acceptance of the same key is kept.
    ///
    /// # Errors
    /// [`LedgerError::ReadOnly`], or [`LedgerError::Sqlite`] (nothing is recorded then).
    pub fn record_failed(&mut self, items: &[Failed], now: i64) -> Result<(), LedgerError> {
        self.record(&[Record::Failed { items, now }])
    }

    /// Records the start of a run and returns its id. A run that never reaches
    /// [`Ledger::finish_run`] (killed) stays listed without `finished_at`.
    ///
    /// # Errors
    /// [`LedgerError::ReadOnly`] or [`LedgerError::Sqlite`].
    pub fn begin_run(&mut self, now: i64, args_summary: &str) -> Result<i64, LedgerError> {
        self.check_writable()?;
        self.conn
            .execute(
                "INSERT INTO runs (started_at, args_summary) VALUES (?1, ?2)",
                params![now, args_summary],
            )
            .map_err(|e| self.sql_error(e))?;
        let id = self.conn.last_insert_rowid();
        self.run = Some(id);
        Ok(id)
    }

    /// Records the end of run `run_id` with its counters.
    ///
    /// # Errors
    /// [`LedgerError::UnknownRun`] for an id `begin_run` did not return,
    /// [`LedgerError::ReadOnly`] or [`LedgerError::Sqlite`].
    pub fn finish_run(
        &mut self,
        run_id: i64,
        now: i64,
        stats: &RunStats,
    ) -> Result<(), LedgerError> {
        self.check_writable()?;
        let stats = serde_json::to_string(stats).expect("RunStats serialises to JSON");
        let changed = self
            .conn
            .execute(
                "UPDATE runs SET finished_at = ?1, stats = ?2 WHERE id = ?3",
                params![now, stats, run_id],
            )
            .map_err(|e| self.sql_error(e))?;
        if changed == 0 {
            return Err(LedgerError::UnknownRun {
                path: self.path.clone(),
                run_id,
            });
        }
        Ok(())
    }

    /// Counts per UTC day (of `accepted_at` and `failed_at`) and status, totals, and the last
    /// ten runs.
    ///
    /// # Errors
    /// [`LedgerError::Sqlite`] if the database cannot be read.
    pub fn summary(&self) -> Result<Summary, LedgerError> {
        let sql = |e| self.sql_error(e);
        let tx = self.conn.unchecked_transaction().map_err(sql)?;
        let (events, accepted, failed): (i64, i64, i64) = tx
            .query_row(
                "SELECT count(*), count(accepted_at), count(last_failure) FROM events",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(sql)?;
        let days = {
            let mut stmt = tx
                .prepare(
                    "SELECT day, sum(accepted), sum(failed) FROM (
                         SELECT date(accepted_at, 'unixepoch') AS day, 1 AS accepted, 0 AS failed
                         FROM events WHERE accepted_at IS NOT NULL
                         UNION ALL
                         SELECT date(failed_at, 'unixepoch'), 0, 1
                         FROM events WHERE last_failure IS NOT NULL
                     ) GROUP BY day ORDER BY day",
                )
                .map_err(sql)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(DayCounts {
                        date: r.get(0)?,
                        accepted: count(r.get(1)?),
                        failed: count(r.get(2)?),
                    })
                })
                .map_err(sql)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(sql)?
        };
        let runs = {
            let mut stmt = tx
                .prepare(
                    "SELECT id, started_at, finished_at, args_summary, stats
                     FROM runs ORDER BY id DESC LIMIT ?1",
                )
                .map_err(sql)?;
            let rows = stmt
                .query_map([SUMMARY_RUNS], |r| {
                    let stats: Option<String> = r.get(4)?;
                    Ok(RunRecord {
                        id: r.get(0)?,
                        started_at: r.get(1)?,
                        finished_at: r.get(2)?,
                        args_summary: r.get(3)?,
                        // Written by `finish_run` from a `#[serde(default)]` struct, so it
                        // parses; a hand-edited value shows as "no stats" rather than failing.
                        stats: stats.and_then(|s| serde_json::from_str(&s).ok()),
                    })
                })
                .map_err(sql)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(sql)?
        };
        tx.commit().map_err(sql)?;
        Ok(Summary {
            ad_account: self.ad_account.clone(),
            path: self.path.clone(),
            events: count(events),
            accepted: count(accepted),
            failed: count(failed),
            days,
            runs,
        })
    }

    /// Every event with an outstanding failure, oldest failure first.
    ///
    /// # Errors
    /// [`LedgerError::Sqlite`] if the database cannot be read.
    pub fn failed(&self) -> Result<Vec<FailedRow>, LedgerError> {
        let sql = |e| self.sql_error(e);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT event_name, event_id, coalesce(failed_fingerprint, ''), last_failure,
                        coalesce(failed_at, 0), coalesce(event_json, ''), coalesce(source, ''),
                        accepted_at
                 FROM events WHERE last_failure IS NOT NULL
                 ORDER BY failed_at, event_name, event_id",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(FailedRow {
                    event_name: r.get(0)?,
                    event_id: r.get(1)?,
                    fingerprint: r.get(2)?,
                    reason: r.get(3)?,
                    failed_at: r.get(4)?,
                    event_json: r.get(5)?,
                    source: r.get(6)?,
                    accepted_at: r.get(7)?,
                })
            })
            .map_err(sql)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(sql)
    }

    /// Deletes events whose last activity (acceptance or failure) is before `cutoff`, and runs
    /// that started before it; returns the number of events deleted. Freed pages go back to
    /// the file system.
    ///
    /// An event forgotten this way counts as new if it is exported again.
    ///
    /// # Errors
    /// [`LedgerError::ReadOnly`] or [`LedgerError::Sqlite`].
    pub fn forget_before(&mut self, cutoff: i64) -> Result<usize, LedgerError> {
        self.check_writable()?;
        let sql = |e| LedgerError::Sqlite {
            path: self.path.clone(),
            source: e,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        // A scan of the table: an index on `last_activity` would cost every recorded event a
        // B-tree insert to speed up this rare clean-up.
        let deleted = tx
            .execute("DELETE FROM events WHERE last_activity < ?1", [cutoff])
            .map_err(sql)?;
        tx.execute("DELETE FROM runs WHERE started_at < ?1", [cutoff])
            .map_err(sql)?;
        // An order whose event is forgotten is forgotten with it.
        tx.execute(
            "DELETE FROM order_ids WHERE NOT EXISTS (SELECT 1 FROM events e
                 WHERE e.event_name = order_ids.event_name AND e.event_id = order_ids.event_id)",
            [],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)?;
        self.conn
            .execute_batch("PRAGMA incremental_vacuum")
            .map_err(sql)?;
        Ok(deleted)
    }

    fn check_writable(&self) -> Result<(), LedgerError> {
        if self.lock.is_none() {
            return Err(LedgerError::ReadOnly {
                path: self.path.clone(),
            });
        }
        Ok(())
    }

    fn sql_error(&self, source: rusqlite::Error) -> LedgerError {
        LedgerError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    fn not_a_ledger(&self, detail: &'static str) -> LedgerError {
        LedgerError::NotALedger {
            path: self.path.clone(),
            detail,
        }
    }
}

/// The rows of one accepted batch, inside the caller's transaction.
fn insert_accepted(
    tx: &rusqlite::Transaction<'_>,
    items: &[Accepted],
    request_id: Option<&str>,
    now: i64,
    run: Option<i64>,
) -> rusqlite::Result<()> {
    // Multi-row upserts: one statement step per `ROWS` rows instead of one per row. Rows
    // go in in batch order, so a key twice in one batch ends as it did row by row.
    let mut rows = items;
    while !rows.is_empty() {
        let (n, sql_text) = multi_row(rows.len(), &ACCEPTED_SQL);
        let mut stmt = tx.prepare_cached(sql_text)?;
        stmt.raw_bind_parameter(1, now)?;
        stmt.raw_bind_parameter(2, request_id)?;
        for (r, item) in rows[..n].iter().enumerate() {
            let at = 3 + 4 * r;
            stmt.raw_bind_parameter(at, &item.key.event_name)?;
            stmt.raw_bind_parameter(at + 1, &item.key.event_id)?;
            stmt.raw_bind_parameter(at + 2, &item.fingerprint)?;
            stmt.raw_bind_parameter(at + 3, item.event_time)?;
        }
        stmt.raw_execute()?;
        rows = &rows[n..];
    }
    // The latest event id an identifier was accepted under (a `--resend` moves it).
    let idents: Vec<(&Accepted, &OrderIdent)> = items
        .iter()
        .flat_map(|item| item.identifiers.iter().map(move |ident| (item, ident)))
        .collect();
    let mut rows = idents.as_slice();
    while !rows.is_empty() {
        let (n, sql_text) = multi_row(rows.len(), &ORDER_IDS_SQL);
        let mut stmt = tx.prepare_cached(sql_text)?;
        stmt.raw_bind_parameter(1, run)?;
        for (r, (item, (kind, value))) in rows[..n].iter().enumerate() {
            let at = 2 + 4 * r;
            stmt.raw_bind_parameter(at, &item.key.event_name)?;
            stmt.raw_bind_parameter(at + 1, kind)?;
            stmt.raw_bind_parameter(at + 2, value)?;
            stmt.raw_bind_parameter(at + 3, &item.key.event_id)?;
        }
        stmt.raw_execute()?;
        rows = &rows[n..];
    }
    Ok(())
}

/// The rows of one failed batch, inside the caller's transaction.
fn insert_failed(
    tx: &rusqlite::Transaction<'_>,
    items: &[Failed],
    now: i64,
) -> rusqlite::Result<()> {
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO events (event_name, event_id, failed_fingerprint, failed_at,
                                     last_failure, event_json, source, last_activity)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?4)
                 ON CONFLICT (event_name, event_id) DO UPDATE SET
                     failed_fingerprint = excluded.failed_fingerprint,
                     failed_at = excluded.failed_at,
                     last_failure = excluded.last_failure,
                     event_json = excluded.event_json,
                     source = excluded.source,
                     last_activity = excluded.last_activity",
        )?;
        for item in items {
            stmt.execute(params![
                item.key.event_name,
                item.key.event_id,
                item.fingerprint,
                now,
                item.reason,
                item.event_json,
                item.source
            ])?;
        }
    }
    Ok(())
}

/// The positions of `items` grouped by value, groups in order of first appearance: a batch
/// holds one or two event names, so a linear search beats a hash map.
fn group_by<K: PartialEq>(items: impl Iterator<Item = K>) -> Vec<(K, Vec<usize>)> {
    let mut groups: Vec<(K, Vec<usize>)> = Vec::new();
    for (i, k) in items.enumerate() {
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, at)) => at.push(i),
            None => groups.push((k, vec![i])),
        }
    }
    groups
}

/// Texts as one `rarray(?)` parameter.
fn text_array<'a>(texts: impl Iterator<Item = &'a str>) -> Array {
    Rc::new(texts.map(|t| Value::Text(t.to_owned())).collect())
}

/// The 0-based index of an `rarray` row from its (1-based) rowid.
fn array_index(rowid: i64) -> usize {
    usize::try_from(rowid - 1).expect("rarray rowids start at 1")
}

/// A count from SQLite (never negative) as `u64`.
fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Maps an SQLite error met while recognising a file: "not a database" and "corrupt" mean the
/// file is not (or no longer) a usable ledger.
fn open_error(path: &Path, source: rusqlite::Error) -> LedgerError {
    match source.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => LedgerError::NotALedger {
            path: path.to_owned(),
            detail: "it is not an SQLite database",
        },
        Some(ErrorCode::DatabaseCorrupt) => LedgerError::NotALedger {
            path: path.to_owned(),
            detail: "it is a damaged SQLite database",
        },
        _ => LedgerError::Sqlite {
            path: path.to_owned(),
            source,
        },
    }
}

/// Opens the database read-write (for the rest of its life on one thread at a time) with the
/// `rarray` table-valued function that batch lookups pass their keys in.
fn connect(path: &Path) -> Result<Connection, LedgerError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| open_error(path, e))?;
    rusqlite::vtab::array::load_module(&conn).map_err(|e| open_error(path, e))?;
    Ok(conn)
}

/// Refuses a path that exists and is not a regular file (symlinks followed).
fn check_regular(path: &Path) -> Result<(), LedgerError> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => Err(LedgerError::NotAFile {
            path: path.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// `<path>.lock`.
fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// A held lock on `<resolved ledger>.lock`. Dropping it deletes the lock file (Unix), then
/// releases the lock by closing it.
struct LockGuard {
    file: File,
    path: PathBuf,
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        // Only while the path still names the file this guard locked: a lock file someone
        // replaced by hand is not ours to delete.
        #[cfg(unix)]
        if same_file(&self.file, &self.path) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Whether `path` names the open `file` (same device and inode).
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// On Windows an open file cannot be deleted, so the lock file is never removed and always
/// names the file that was locked.
#[cfg(not(unix))]
fn same_file(_file: &File, _path: &Path) -> bool {
    true
}

/// Opens (creating with mode 0600) `<resolved>.lock` on a fresh file descriptor and takes an
/// exclusive lock on it, polling until `wait` has passed. `path` is the ledger as given, for
/// messages.
fn acquire_lock(
    path: &Path,
    resolved: &Path,
    wait: Option<Duration>,
) -> Result<LockGuard, LedgerError> {
    let lock_path = lock_path(resolved);
    let io = |source| LedgerError::Io {
        path: lock_path.clone(),
        source,
    };
    let deadline = wait.map(|w| Instant::now() + w);
    loop {
        // Each open is its own open file description, so two `Ledger`s in one process exclude
        // each other just like two processes do (flock semantics).
        let file = private_options().open(&lock_path).map_err(io)?;
        loop {
            match file.try_lock() {
                // The holder we waited for deletes the file before it lets go: a lock on a
                // deleted file excludes no one, so start again on the file the path names now.
                Ok(()) if !same_file(&file, &lock_path) => break,
                Ok(()) => {
                    return Ok(LockGuard {
                        file,
                        path: lock_path,
                    })
                }
                Err(TryLockError::WouldBlock) => {
                    let now = Instant::now();
                    match deadline {
                        Some(deadline) if now < deadline => {
                            std::thread::sleep(LOCK_POLL.min(deadline - now));
                        }
                        _ => {
                            return Err(LedgerError::Locked {
                                path: path.to_owned(),
                            })
                        }
                    }
                }
                Err(TryLockError::Error(source)) => return Err(io(source)),
            }
        }
    }
}

/// Read-write, create if missing, never truncate; mode 0600 on Unix.
fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// `create_dir_all`, with mode 0700 on Unix for the directories it creates.
fn create_private_dirs(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
mod tests;
