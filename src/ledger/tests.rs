//! Tests of the ledger against real files in temporary directories.

use super::*;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

const ACCOUNT: &str = "549755885175";
/// 2024-03-01T00:00:00Z.
const T0: i64 = 1_709_251_200;
const DAY: i64 = 86_400;

fn ledger_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path()
        .join("state")
        .join("pinconv")
        .join("ledger.sqlite")
}

fn open(path: &Path) -> Ledger {
    Ledger::open(path, ACCOUNT, None).expect("open ledger")
}

fn key(name: &str, id: &str) -> EventKey {
    EventKey::new(name, id)
}

fn accepted(name: &str, id: &str, fp: &str) -> Accepted {
    Accepted {
        key: key(name, id),
        fingerprint: fp.to_owned(),
        event_time: T0 - 3600,
        identifiers: Vec::new(),
    }
}

fn failed(name: &str, id: &str, fp: &str, reason: &str) -> Failed {
    Failed {
        key: key(name, id),
        fingerprint: fp.to_owned(),
        reason: reason.to_owned(),
        event_json: format!(
            r#"{{"event_name":"{name}","event_id":"{id}","user_data":{{"em":["{fp}"]}}}}"#
        ),
        source: format!("orders.csv:{}", id.len() + 1),
    }
}

fn one(ledger: &Ledger, name: &str, id: &str) -> Option<Entry> {
    ledger.lookup(&[key(name, id)]).unwrap().pop().unwrap()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn open_creates_private_dirs_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = ledger_path(&dir);
    let mut ledger = open(&path);
    ledger
        .record_accepted(&[accepted("checkout", "o-1", "aa")], None, T0)
        .unwrap();
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&lock_path(&path)), 0o600);
    // WAL mode: the -wal file exists while the ledger is open and has the database's mode.
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    assert!(wal.exists(), "no -wal file: not in WAL mode");
    assert_eq!(mode(&wal), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    assert_eq!(mode(path.parent().unwrap().parent().unwrap()), 0o700);
    let journal: String = ledger
        .conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    let sync: i64 = ledger
        .conn
        .pragma_query_value(None, "synchronous", |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 1, "synchronous should be NORMAL");
}

#[test]
fn reopen_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = ledger_path(&dir);
    {
        let mut ledger = open(&path);
        let run = ledger.begin_run(T0, "send orders.csv").unwrap();
        ledger
            .record_accepted(
                &[
                    accepted("checkout", "o-1", "aa"),
                    accepted("checkout", "o-2", "bb"),
                ],
                Some("req-1"),
                T0 + 10,
            )
            .unwrap();
        ledger
            .record_failed(
                &[failed("checkout", "o-3", "cc", "invalid currency")],
                T0 + 11,
            )
            .unwrap();
        let stats = RunStats {
            read: 3,
            built: 3,
            accepted: 2,
            failed: 1,
            requests: 1,
            ..RunStats::default()
        };
        ledger.finish_run(run, T0 + 12, &stats).unwrap();
    }
    let ledger = open(&path);
    let got = ledger
        .lookup(&[
            key("checkout", "o-2"),
            key("checkout", "missing"),
            key("checkout", "o-3"),
            key("add_to_cart", "o-1"),
            key("checkout", "o-1"),
        ])
        .unwrap();
    let expected_accepted = |fp: &str| Entry {
        fingerprint: fp.to_owned(),
        accepted_at: Some(T0 + 10),
        request_id: Some("req-1".to_owned()),
        last_failure: None,
    };
    assert_eq!(got[0], Some(expected_accepted("bb")));
    assert_eq!(got[1], None);
    assert_eq!(
        got[2],
        Some(Entry {
            fingerprint: "cc".into(),
            accepted_at: None,
            request_id: None,
            last_failure: Some("invalid currency".into()),
        })
    );
    assert_eq!(got[3], None, "the key includes the event name");
    assert_eq!(got[4], Some(expected_accepted("aa")));
    let summary = ledger.summary().unwrap();
    assert_eq!(summary.runs.len(), 1);
    assert_eq!(summary.runs[0].stats.unwrap().accepted, 2);
}

#[test]
fn empty_existing_file_becomes_a_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.sqlite");
    std::fs::write(&path, b"").unwrap();
    let mut ledger = open(&path);
    ledger
        .record_accepted(&[accepted("lead", "l-1", "aa")], None, T0)
        .unwrap();
    drop(ledger);
    assert!(open(&path).lookup(&[key("lead", "l-1")]).unwrap()[0].is_some());
}

#[test]
fn second_open_in_the_same_process_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let path = ledger_path(&dir);
    let first = open(&path);
    let err = Ledger::open(&path, ACCOUNT, None).unwrap_err();
    assert!(
        matches!(&err, LedgerError::Locked { path: p } if *p == path),
        "{err:?}"
    );
    // Locked even for a read-write open of the same file with a different ad account:
    // the lock comes first and protects the file whatever is asked of it.
    assert!(matches!(
        Ledger::open(&path, "other", None),
        Err(LedgerError::Locked { .. })
    ));
    drop(first);
    open(&path);
}

#[cfg(unix)]
#[test]
fn a_symlink_to_a_ledger_shares_its_lock() {
    let dir = tempfile::tempdir().unwrap();
    let path = ledger_path(&dir);
    let first = open(&path);
    let link = dir.path().join("link.sqlite");
    std::os::unix::fs::symlink(&path, &link).unwrap();
    let dotted = path.parent().unwrap().join(".").join("ledger.sqlite");
    for other in [&link, &dotted] {
        let err = Ledger::open(other, ACCOUNT, None).unwrap_err();
        assert!(
            matches!(&err, LedgerError::Locked { path: p } if p == other),
            "{}: {err:?}",
            other.display()
        );
    }
    drop(first);
    open(&link);
}

#[cfg(unix)]
#[test]
fn the_lock_file_goes_with_the_ledger_and_a_stale_one_is_reused() {
    let dir = tempfile::tempdir().unwrap();
    let path = ledger_path(&dir);
    let ledger = open(&path);
    assert!(lock_path(&path).exists());
    drop(ledger);
    assert!(!lock_path(&path).exists(), "the lock file stayed behind");
    // One left by a killed run is simply locked again, and removed after.
    std::fs::write(lock_path(&path), "").unwrap();
    drop(open(&path));
    assert!(!lock_path(&path).exists());
}

/// The race that deleting a lock file invites: B waits on the lock file A holds; A deletes it
/// and lets go; B must not run on the deleted file while C creates a new one and runs too.
#[cfg(unix)]
#[test]
fn a_run_waiting_on_a_deleted_lock_file_does_not_let_a_second_run_in() {
    let dir = tempfile::tempdir().unwrap();
    let path = ledger_path(&dir);
    let a = open(&path);
    let waiting = {
        let path = path.clone();
        std::thread::spawn(move || Ledger::open(&path, ACCOUNT, Some(Duration::from_secs(20))))
    };
    // B has opened the lock file and polls it.
    std::thread::sleep(Duration::from_millis(300));
    drop(a);
    let b = waiting.join().unwrap().expect("b gets the lock");
    assert!(matches!(
        Ledger::open(&path, ACCOUNT, None),
        Err(LedgerError::Locked { .. })
    ));
    drop(b);
    open(&path);
}

#[cfg(unix)]
#[test]
fn a_path_that_is_not_a_regular_file_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    for path in [Path::new("/dev/null"), dir.path()] {
        let err = Ledger::open(path, ACCOUNT, None).unwrap_err();
        assert!(
            matches!(&err, LedgerError::NotAFile { path: p } if p == path),
            "{err:?}"
        );
        assert!(!err.to_string().contains("hint"), "{err}");
        assert!(
            err.hint().is_some_and(|h| h.contains("--no-state")),
            "{err:?}"
        );
        assert!(matches!(
            Ledger::open_read_only(path, ACCOUNT),
            Err(LedgerError::NotAFile { .. })
        ));
        assert!(matches!(
            stored_account(path),
            Err(LedgerError::NotAFile { .. })
        ));
    }
    assert!(!Path::new("/dev/null.lock").exists());
    assert!(!Path::new("/dev/null-journal").exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn waiting_open_gets_the_lock_when_it_is_released() {
    let dir = tempfile::tempdir().unwrap();
    let path = ledger_path(&dir);
    let first = open(&path);
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        drop(first);
    });
    let second = Ledger::open(&path, ACCOUNT, Some(Duration::from_secs(20)));
    releaser.join().unwrap();
    assert!(second.is_ok(), "{second:?}");
}

#[test]
fn waiting_open_gives_up_after_the_wait() {
    let dir = tempfile::tempdir().unwrap();
    let path = ledger_path(&dir);
    let _first = open(&path);
    let wait = Duration::from_millis(150);
    let start = Instant::now();
    let err = Ledger::open(&path, ACCOUNT, Some(wait)).unwrap_err();
    assert!(matches!(err, LedgerError::Locked { .. }), "{err:?}");
    assert!(start.elapsed() >= wait, "gave up before the wait was over");
}

const CHILD_ENV: &str = "PINCONV_LEDGER_TEST_CHILD";
const CHILD_READY: &str = "LEDGER-LOCK-HELD";

/// Not a test of its own: the child process of
/// `killed_holder_releases_the_lock_and_keeps_committed_batches`, which runs it with the
/// ledger path in [`CHILD_ENV`]. Without it, it does nothing.
#[test]
#[ignore = "helper process, run by killed_holder_releases_the_lock_and_keeps_committed_batches"]
fn child_holds_the_ledger() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let mut ledger = open(Path::new(&path));
    ledger
        .record_accepted(
            &[accepted("checkout", "child-1", "aa")],
            Some("req-child"),
            T0,
        )
        .unwrap();
    let mut out = std::io::stdout();
    writeln!(out, "\n{CHILD_READY}").unwrap();
    out.flush().unwrap();
    std::thread::sleep(Duration::from_secs(120));
}

/// Kills the child if the test fails before it does.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg(unix)]
#[test]
fn killed_holder_releases_the_lock_and_keeps_committed_batches() {
    let dir = tempfile::tempdir().unwrap();
    let path = ledger_path(&dir);
    let child = Command::new(std::env::current_exe().unwrap())
        .args([
            "ledger::tests::child_holds_the_ledger",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let stdout = BufReader::new(child.0.stdout.take().unwrap());
    let ready = stdout
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains(CHILD_READY));
    assert!(ready, "child exited without taking the lock");

    let err = Ledger::open(&path, ACCOUNT, None).unwrap_err();
    assert!(matches!(err, LedgerError::Locked { .. }), "{err:?}");

    // SIGKILL: no destructor, no SQLite close, no checkpoint.
    child.0.kill().unwrap();
    child.0.wait().unwrap();

    let ledger = Ledger::open(&path, ACCOUNT, None).expect("lock released by the kill");
    let entry = one(&ledger, "checkout", "child-1").expect("committed batch survived");
    assert_eq!(entry.request_id.as_deref(), Some("req-child"));
    assert_eq!(classify(Some(&entry), "aa", ""), Decision::AlreadySent);
}

#[test]
fn random_bytes_are_not_a_ledger_and_stay_untouched() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("random.sqlite", {
            use rand::{RngCore, SeedableRng};
            let mut bytes = vec![0u8; 8192];
            rand::rngs::StdRng::seed_from_u64(7).fill_bytes(&mut bytes);
            bytes
        }),
        (
            "text.sqlite",
            b"order_id,email\n1,ana@example.com\n".to_vec(),
        ),
        (
            "fake-header.sqlite",
            // The right magic string followed by garbage: a damaged database.
            [b"SQLite format 3\0".as_slice(), &[0xff; 4080]].concat(),
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let err = Ledger::open(&path, ACCOUNT, None).unwrap_err();
        assert!(
            matches!(&err, LedgerError::NotALedger { path: p, .. } if *p == path),
            "{name}: {err:?}"
        );
        let message = err.to_string();
        assert!(
            message.contains(&format!("`{}`", path.display())),
            "{message}"
        );
        assert!(!message.contains("hint"), "{message}");
        assert!(
            err.hint().is_some_and(|h| h.contains("never overwrites")),
            "{err:?}"
        );
        assert!(matches!(
            Ledger::open_read_only(&path, ACCOUNT),
            Err(LedgerError::NotALedger { .. })
        ));
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name} was modified");
        // The lock was released with the failed open.
        assert!(matches!(
            Ledger::open(&path, ACCOUNT, None),
            Err(LedgerError::NotALedger { .. })
        ));
    }
}

#[test]
fn foreign_sqlite_database_is_not_a_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE orders (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO orders VALUES (1, 'ana@example.com');")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Ledger::open(&path, ACCOUNT, None).unwrap_err();
    assert!(
        matches!(err, LedgerError::NotALedger { detail, .. } if detail.contains("another program")),
        "{err:?}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);

    // Our application id without our tables is refused too.
    let path = dir.path().join("half.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)
            .unwrap();
        conn.execute_batch("CREATE TABLE meta (key TEXT, value TEXT)")
            .unwrap();
    }
    let err = Ledger::open(&path, ACCOUNT, None).unwrap_err();
    assert!(matches!(err, LedgerError::NotALedger { .. }), "{err:?}");
}

#[test]
fn ledger_of_another_account_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = ledger_path(&dir);
    drop(open(&path));
    let err = Ledger::open(&path, "123456", None).unwrap_err();
    match &err {
        LedgerError::WrongAccount {
            path: p,
            expected,
            found,
        } => {
            assert_eq!(p, &path);
            assert_eq!(expected, "123456");
            assert_eq!(found, ACCOUNT);
        }
        other => panic!("{other:?}"),
    }
    let message = err.to_string();
    assert!(message.starts_with("ledger `"), "{message}");
    assert!(
        message.contains("`549755885175`, not `123456`"),
        "{message}"
    );
    assert!(matches!(
        Ledger::open_read_only(&path, "123456"),
        Err(LedgerError::WrongAccount { .. })
    ));
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = ledger_path(&dir);
    drop(open(&path));
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let err = Ledger::open(&path, ACCOUNT, None).unwrap_err();
    assert!(
        matches!(
            err,
            LedgerError::UnsupportedVersion {
                found: 3,
                supported: 2,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn unusable_ad_accounts_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = ledger_path(&dir);
    assert!(matches!(
        Ledger::open(&path, "", None),
        Err(LedgerError::BadAccount { .. })
    ));
    assert!(!path.exists());
}

#[test]
fn lookups_classify_as_new_already_sent_changed_and_retry() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = open(&ledger_path(&dir));
    ledger
        .record_accepted(&[accepted("checkout", "o-1", "aa")], Some("req-1"), T0)
        .unwrap();
    ledger
        .record_failed(&[failed("checkout", "o-2", "bb", "invalid email hash")], T0)
        .unwrap();
    let entries = ledger
        .lookup(&[
            key("checkout", "o-0"),
            key("checkout", "o-1"),
            key("checkout", "o-1"),
            key("checkout", "o-2"),
        ])
        .unwrap();
    let decisions: Vec<Decision> = entries
        .iter()
        .zip(["zz", "aa", "a2", "bb"])
        .map(|(entry, fp)| classify(entry.as_ref(), fp, ""))
        .collect();
    assert_eq!(
        decisions,
        [
            Decision::New,
            Decision::AlreadySent,
            Decision::Changed {
                previous_fingerprint: "aa".into()
            },
            Decision::RetryFailed,
        ]
    );
    assert!(ledger.lookup(&[]).unwrap().is_empty());
}

#[test]
fn acceptance_clears_the_failure_and_its_json() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = open(&ledger_path(&dir));
    let failure = failed("checkout", "o-9", "aa", "event_time too old");
    ledger
        .record_failed(std::slice::from_ref(&failure), T0)
        .unwrap();

    let rows = ledger.failed().unwrap();
    assert_eq!(
        rows,
        [FailedRow {
            event_name: "checkout".into(),
            event_id: "o-9".into(),
            fingerprint: "aa".into(),
            reason: "event_time too old".into(),
            failed_at: T0,
            event_json: failure.event_json.clone(),
            source: "orders.csv:4".into(),
            accepted_at: None,
        }]
    );

    ledger
        .record_accepted(&[accepted("checkout", "o-9", "a2")], Some("req-2"), T0 + 60)
        .unwrap();
    assert!(ledger.failed().unwrap().is_empty());
    let entry = one(&ledger, "checkout", "o-9").unwrap();
    assert_eq!(entry.last_failure, None);
    assert_eq!(entry.fingerprint, "a2");
    assert_eq!(entry.accepted_at, Some(T0 + 60));
    let leftover: Option<String> = ledger
        .conn
        .query_row(
            "SELECT coalesce(event_json, source, failed_fingerprint) FROM events WHERE event_id = 'o-9'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(leftover, None, "failure data kept after acceptance");
    assert_eq!(ledger.summary().unwrap().failed, 0);
}

#[test]
fn failure_after_acceptance_keeps_the_acceptance() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = open(&ledger_path(&dir));
    ledger
        .record_accepted(&[accepted("checkout", "o-1", "aa")], Some("req-1"), T0)
        .unwrap();
    ledger
        .record_failed(&[failed("checkout", "o-1", "a2", "rejected")], T0 + DAY)
        .unwrap();
    let entry = one(&ledger, "checkout", "o-1").unwrap();
    assert_eq!(entry.fingerprint, "aa");
    assert_eq!(entry.accepted_at, Some(T0));
    assert_eq!(entry.last_failure.as_deref(), Some("rejected"));
    let rows = ledger.failed().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].fingerprint, "a2");
    assert_eq!(rows[0].accepted_at, Some(T0));
}

#[test]
fn forget_before_deletes_by_last_activity() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = open(&ledger_path(&dir));
    ledger
        .record_accepted(&[accepted("checkout", "old", "aa")], None, T0)
        .unwrap();
    ledger
        .record_failed(&[failed("checkout", "old-failed", "bb", "x")], T0 + 1)
        .unwrap();
    // Accepted long ago, failed recently: its last activity is recent.
    ledger
        .record_accepted(&[accepted("checkout", "touched", "cc")], None, T0)
        .unwrap();
    ledger
        .record_failed(&[failed("checkout", "touched", "c2", "y")], T0 + 10 * DAY)
        .unwrap();
    ledger
        .record_accepted(&[accepted("checkout", "new", "dd")], None, T0 + 10 * DAY)
        .unwrap();
    ledger.begin_run(T0, "old run").unwrap();
    let recent_run = ledger.begin_run(T0 + 10 * DAY, "recent run").unwrap();

    assert_eq!(ledger.forget_before(T0 + 5 * DAY).unwrap(), 2);
    let got = ledger
        .lookup(&[
            key("checkout", "old"),
            key("checkout", "old-failed"),
            key("checkout", "touched"),
            key("checkout", "new"),
        ])
        .unwrap();
    assert_eq!(
        got.iter().map(Option::is_some).collect::<Vec<_>>(),
        [false, false, true, true]
    );
    let runs = ledger.summary().unwrap().runs;
    assert_eq!(runs.iter().map(|r| r.id).collect::<Vec<_>>(), [recent_run]);
    assert_eq!(ledger.forget_before(T0 + 5 * DAY).unwrap(), 0);
    assert_eq!(ledger.forget_before(T0 + 11 * DAY).unwrap(), 2);
    assert_eq!(ledger.summary().unwrap().events, 0);
}

#[test]
fn summary_counts_per_utc_day_and_lists_the_last_runs() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = open(&ledger_path(&dir));
    // 2024-03-01 23:59:59 and 2024-03-02 00:00:00 UTC fall on different days.
    ledger
        .record_accepted(
            &[
                accepted("checkout", "a", "1"),
                accepted("checkout", "b", "2"),
            ],
            None,
            T0 + DAY - 1,
        )
        .unwrap();
    ledger
        .record_accepted(&[accepted("page_visit", "a", "3")], None, T0 + DAY)
        .unwrap();
    ledger
        .record_failed(
            &[
                failed("checkout", "c", "4", "bad"),
                failed("checkout", "d", "5", "bad"),
            ],
            T0 + DAY + 5,
        )
        .unwrap();
    ledger
        .record_failed(&[failed("checkout", "e", "6", "bad")], T0 + 3 * DAY)
        .unwrap();

    let mut ids = Vec::new();
    for i in 0..12 {
        let id = ledger.begin_run(T0 + i, &format!("run {i}")).unwrap();
        if i != 11 {
            let stats = RunStats {
                read: u64::try_from(i).unwrap(),
                ..RunStats::default()
            };
            ledger.finish_run(id, T0 + i + 1, &stats).unwrap();
        }
        ids.push(id);
    }

    let summary = ledger.summary().unwrap();
    assert_eq!(summary.ad_account, ACCOUNT);
    assert_eq!(
        (summary.events, summary.accepted, summary.failed),
        (6, 3, 3)
    );
    assert_eq!(
        summary.days,
        [
            DayCounts {
                date: "2024-03-01".into(),
                accepted: 2,
                failed: 0
            },
            DayCounts {
                date: "2024-03-02".into(),
                accepted: 1,
                failed: 2
            },
            DayCounts {
                date: "2024-03-04".into(),
                accepted: 0,
                failed: 1
            },
        ]
    );
    assert_eq!(summary.runs.len(), 10);
    let listed: Vec<i64> = summary.runs.iter().map(|r| r.id).collect();
    let expected: Vec<i64> = ids.iter().rev().take(10).copied().collect();
    assert_eq!(listed, expected);
    assert_eq!(summary.runs[0].finished_at, None, "the unfinished run");
    assert_eq!(summary.runs[0].stats, None);
    assert_eq!(summary.runs[1].args_summary, "run 10");
    assert_eq!(summary.runs[1].stats.unwrap().read, 10);

    let json = serde_json::to_value(&summary).unwrap();
    assert_eq!(json["days"][1]["failed"], 2);
    assert_eq!(json["runs"][1]["stats"]["read"], 10);
}

#[test]
fn finishing_an_unknown_run_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = open(&ledger_path(&dir));
    let err = ledger.finish_run(42, T0, &RunStats::default()).unwrap_err();
    assert!(
        matches!(err, LedgerError::UnknownRun { run_id: 42, .. }),
        "{err:?}"
    );
}

#[test]
fn read_only_open_works_beside_a_writer_and_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = ledger_path(&dir);
    assert!(matches!(
        Ledger::open_read_only(&path, ACCOUNT),
        Err(LedgerError::NotFound { .. })
    ));
    let mut writer = open(&path);
    writer
        .record_accepted(&[accepted("checkout", "o-1", "aa")], None, T0)
        .unwrap();
    let mut reader = Ledger::open_read_only(&path, ACCOUNT).unwrap();
    assert!(one(&reader, "checkout", "o-1").is_some());
    writer
        .record_accepted(&[accepted("checkout", "o-2", "bb")], None, T0)
        .unwrap();
    assert!(
        one(&reader, "checkout", "o-2").is_some(),
        "sees new commits"
    );
    assert!(matches!(
        reader.record_accepted(&[accepted("checkout", "o-3", "cc")], None, T0),
        Err(LedgerError::ReadOnly { .. })
    ));
    assert!(matches!(
        reader.forget_before(T0 + DAY),
        Err(LedgerError::ReadOnly { .. })
    ));
    assert_eq!(reader.summary().unwrap().accepted, 2);
}

#[test]
fn messages_are_lowercase_with_backticked_paths() {
    let path = PathBuf::from("/var/lib/pinconv/ledger.sqlite");
    let errors = [
        LedgerError::Locked { path: path.clone() },
        LedgerError::NotALedger {
            path: path.clone(),
            detail: "it is not an SQLite database",
        },
        LedgerError::WrongAccount {
            path: path.clone(),
            expected: "1".into(),
            found: "2".into(),
        },
        LedgerError::Io {
            path: path.clone(),
            source: std::io::Error::other("boom"),
        },
    ];
    for err in errors {
        let message = err.to_string();
        let first = message.chars().next().unwrap();
        assert!(!first.is_uppercase(), "{message}");
        assert!(
            message.contains("`/var/lib/pinconv/ledger.sqlite`"),
            "{message}"
        );
        assert!(!message.lines().next().unwrap().ends_with('.'), "{message}");
    }
}

/// Run by hand: `cargo test --release --lib ledger::tests::time_one_million -- --ignored --nocapture`.
#[test]
#[ignore = "timing, run by hand"]
fn time_one_million_accepted_in_batches_of_1000() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = open(&ledger_path(&dir));
    let batch = |b: u64| -> Vec<Accepted> {
        (0..1000)
            .map(|i| Accepted {
                key: key("checkout", &format!("order-{:07}", b * 1000 + i)),
                fingerprint: format!("{:064x}", b * 1000 + i),
                event_time: T0,
                identifiers: Vec::new(),
            })
            .collect()
    };
    let start = Instant::now();
    for b in 0..1000 {
        ledger
            .record_accepted(&batch(b), Some(&format!("req-{b}")), T0)
            .unwrap();
    }
    let record = start.elapsed();
    let start = Instant::now();
    let mut found = 0;
    for b in 0..1000 {
        let keys: Vec<EventKey> = batch(b).into_iter().map(|a| a.key).collect();
        found += ledger.lookup(&keys).unwrap().iter().flatten().count();
    }
    let lookup = start.elapsed();
    let start = Instant::now();
    let summary = ledger.summary().unwrap();
    let summarise = start.elapsed();
    let size = std::fs::metadata(ledger.path()).unwrap().len()
        + std::fs::metadata(format!("{}-wal", ledger.path().display()))
            .map(|m| m.len())
            .unwrap_or(0);
    eprintln!(
        "record_accepted 1,000,000 in batches of 1000: {record:.2?}; lookup 1,000,000: {lookup:.2?}; summary: {summarise:.2?}; file + wal: {} MB",
        size / 1_000_000
    );
    assert_eq!(found, 1_000_000);
    assert_eq!(summary.accepted, 1_000_000);
}

fn accepted_order(id: &str, idents: &[(&'static str, &str)]) -> Accepted {
    Accepted {
        identifiers: idents.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
        ..accepted("checkout", id, "fp")
    }
}

fn idents(pairs: &[(&'static str, &str)]) -> Vec<OrderIdent> {
    pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
}

#[test]
fn an_order_accepted_under_one_event_id_is_found_under_another() {
    let dir = tempfile::tempdir().unwrap();
    let path = ledger_path(&dir);
    let mut ledger = open(&path);
    ledger
        .record_accepted(
            &[accepted_order("590", &[("id", "590"), ("name", "#1043")])],
            None,
            T0,
        )
        .unwrap();
    let same_name = idents(&[("name", "#1043")]);
    let other_order = idents(&[("name", "#1044")]);
    let own = key("checkout", "590");
    let renamed = key("checkout", "#1043");
    let other_name = key("purchase", "#1043");
    let got = ledger
        .sent_as_other(
            &[
                (&renamed, &same_name),
                (&own, &same_name),
                (&renamed, &other_order),
                (&other_name, &same_name),
                (&renamed, &[]),
            ],
            None,
        )
        .unwrap();
    assert_eq!(
        got,
        [
            Some(SentAs {
                kind: "name",
                event_id: "590".into()
            }),
            // Its own event id, another order, another event name, no identifiers: none.
            None,
            None,
            None,
            None,
        ]
    );
    // Forgotten with its event.
    ledger.forget_before(T0 + 1).unwrap();
    assert_eq!(
        ledger
            .sent_as_other(&[(&renamed, &same_name)], None)
            .unwrap(),
        [None]
    );
}

#[test]
fn a_failed_event_does_not_make_its_order_known() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = open(&ledger_path(&dir));
    ledger
        .record_failed(&[failed("checkout", "590", "fp", "bad")], T0)
        .unwrap();
    let renamed = key("checkout", "#1043");
    assert_eq!(
        ledger
            .sent_as_other(&[(&renamed, &idents(&[("name", "#1043")]))], None)
            .unwrap(),
        [None]
    );
}

/// Writes by hand the tables an earlier build created (the key columns in their earlier
/// order, and the index on `last_activity` it kept), with one accepted event `old-1`, as
/// schema `version`; `more` is further SQL, such as version 2's `order_ids`.
fn hand_made_ledger(path: &Path, version: i64, more: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(&format!(
        "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
         CREATE TABLE events (event_name TEXT NOT NULL, event_id TEXT NOT NULL,
             accepted_fingerprint TEXT, event_time INTEGER, accepted_at INTEGER,
             request_id TEXT, failed_fingerprint TEXT, failed_at INTEGER, last_failure TEXT,
             event_json TEXT, source TEXT, last_activity INTEGER NOT NULL,
             PRIMARY KEY (event_name, event_id)) WITHOUT ROWID;
         CREATE INDEX events_last_activity ON events (last_activity);
         CREATE INDEX events_failed ON events (failed_at) WHERE last_failure IS NOT NULL;
         CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at INTEGER NOT NULL,
             finished_at INTEGER, args_summary TEXT NOT NULL, stats TEXT);
         INSERT INTO meta VALUES ('ad_account', '549755885175');
         INSERT INTO events (event_name, event_id, accepted_fingerprint, accepted_at,
             last_activity) VALUES ('checkout', 'old-1', 'fp', 1709251200, 1709251200);
         {more}"
    ))
    .unwrap();
    conn.pragma_update(None, "application_id", APPLICATION_ID)
        .unwrap();
    conn.pragma_update(None, "user_version", version).unwrap();
}

#[test]
fn a_version_2_ledger_with_the_earlier_key_order_works_as_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = ledger_path(&dir);
    hand_made_ledger(
        &path,
        2,
        "CREATE TABLE order_ids (event_name TEXT NOT NULL, kind TEXT NOT NULL,
             value TEXT NOT NULL, event_id TEXT NOT NULL, run_id INTEGER,
             PRIMARY KEY (event_name, kind, value)) WITHOUT ROWID;",
    );
    let mut ledger = open(&path);
    assert_eq!(
        classify(one(&ledger, "checkout", "old-1").as_ref(), "fp", ""),
        Decision::AlreadySent
    );
    // Accepted twice (the second upsert replaces the first), then failed and accepted again.
    let order = accepted_order("590", &[("id", "590"), ("name", "#1043")]);
    ledger
        .record_accepted(std::slice::from_ref(&order), None, T0)
        .unwrap();
    ledger
        .record_failed(&[failed("checkout", "590", "fp2", "timeout")], T0 + 1)
        .unwrap();
    assert_eq!(ledger.failed().unwrap().len(), 1);
    ledger
        .record_accepted(&[order], Some("req-2"), T0 + 2)
        .unwrap();
    assert!(ledger.failed().unwrap().is_empty());
    let entry = one(&ledger, "checkout", "590").unwrap();
    assert_eq!(entry.request_id.as_deref(), Some("req-2"));
    let renamed = key("checkout", "#1043");
    assert_eq!(
        ledger
            .sent_as_other(&[(&renamed, &idents(&[("name", "#1043")]))], None)
            .unwrap()[0]
            .as_ref()
            .map(|s| s.event_id.as_str()),
        Some("590")
    );
    // Forgetting by last activity takes `old-1` and keeps `590`, with its identifiers.
    assert_eq!(ledger.forget_before(T0 + 1).unwrap(), 1);
    assert!(one(&ledger, "checkout", "old-1").is_none());
    assert!(one(&ledger, "checkout", "590").is_some());
    assert!(ledger
        .sent_as_other(&[(&renamed, &idents(&[("name", "#1043")]))], None)
        .unwrap()[0]
        .is_some());
}

#[test]
fn a_version_1_ledger_is_migrated_on_open_and_read_as_is_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = ledger_path(&dir);
    hand_made_ledger(&path, 1, "");
    let renamed = key("checkout", "#1043");
    let name = idents(&[("name", "#1043")]);
    {
        let reader = Ledger::open_read_only(&path, ACCOUNT).unwrap();
        assert_eq!(reader.summary().unwrap().accepted, 1);
        assert_eq!(
            reader.sent_as_other(&[(&renamed, &name)], None).unwrap(),
            [None]
        );
    }
    let mut ledger = open(&path);
    assert!(ledger.lookup(&[key("checkout", "old-1")]).unwrap()[0].is_some());
    ledger
        .record_accepted(&[accepted_order("590", &[("name", "#1043")])], None, T0)
        .unwrap();
    assert_eq!(
        ledger.sent_as_other(&[(&renamed, &name)], None).unwrap()[0]
            .as_ref()
            .map(|s| s.event_id.as_str()),
        Some("590")
    );
    drop(ledger);
    let version: i64 = Connection::open(&path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
}

#[test]
fn orders_accepted_in_this_run_do_not_count_as_sent_before() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = open(&ledger_path(&dir));
    let run = ledger.begin_run(T0, "test").unwrap();
    ledger
        .record_accepted(&[accepted_order("590", &[("name", "#1043")])], None, T0)
        .unwrap();
    let renamed = key("checkout", "#1043");
    let name = idents(&[("name", "#1043")]);
    let other = idents(&[("name", "#1044")]);
    // Nothing came before this run: nothing is found, now or after more rows.
    for _ in 0..2 {
        assert_eq!(
            ledger
                .sent_as_other(&[(&renamed, &name)], Some(run))
                .unwrap(),
            [None]
        );
    }
    // The next run sees it, asked twice while it records its own orders (the first look at
    // the table decides for the whole run).
    let next = ledger.begin_run(T0 + 1, "next").unwrap();
    for _ in 0..2 {
        let got = ledger
            .sent_as_other(&[(&renamed, &name), (&renamed, &other)], Some(next))
            .unwrap();
        assert_eq!(got[0].as_ref().map(|s| s.event_id.as_str()), Some("590"));
        assert_eq!(got[1], None);
        ledger
            .record_accepted(&[accepted_order("591", &[("name", "#1044")])], None, T0 + 1)
            .unwrap();
    }
}

#[test]
fn batch_lookups_answer_each_key_whatever_the_mix_of_names_and_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = open(&ledger_path(&dir));
    ledger
        .record_accepted(
            &[
                accepted("checkout", "o-1", "c1"),
                accepted("add_to_cart", "o-1", "a1"),
                accepted_order("590", &[("id", "590"), ("name", "#1043")]),
                accepted_order("591", &[("number", "1044"), ("name", "#1044")]),
            ],
            None,
            T0,
        )
        .unwrap();
    // Event names interleaved, a key twice, one unknown: each answer lands on its own key.
    let fps: Vec<Option<String>> = ledger
        .lookup(&[
            key("add_to_cart", "o-1"),
            key("checkout", "o-1"),
            key("checkout", "o-9"),
            key("add_to_cart", "o-1"),
            key("checkout", "591"),
        ])
        .unwrap()
        .into_iter()
        .map(|e| e.map(|e| e.fingerprint))
        .collect();
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(fps, [some("a1"), some("c1"), None, some("a1"), some("fp")]);

    // The first identifier given that names another event wins; one naming the event itself
    // does not count.
    let k = key("checkout", "x-1");
    let own = key("checkout", "590");
    let name_first = idents(&[("name", "#1044"), ("id", "590")]);
    let id_first = idents(&[("id", "590"), ("name", "#1044")]);
    let own_then_other = idents(&[("id", "590"), ("number", "1044")]);
    let got = ledger
        .sent_as_other(
            &[(&k, &name_first), (&k, &id_first), (&own, &own_then_other)],
            None,
        )
        .unwrap();
    let sent_as = |kind, id: &str| {
        Some(SentAs {
            kind,
            event_id: id.into(),
        })
    };
    assert_eq!(
        got,
        [
            sent_as("name", "591"),
            sent_as("id", "590"),
            sent_as("number", "591")
        ]
    );
}

#[test]
fn a_large_batch_is_recorded_row_for_row_with_a_repeated_key_ending_as_its_last_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = open(&ledger_path(&dir));
    // 237 rows: statements of 100, 10 and 1 rows; `o-5` again as the last row, another
    // fingerprint, and an identifier moved to it.
    let mut items: Vec<Accepted> = (0..236)
        .map(|i| {
            let id = format!("o-{i}");
            Accepted {
                identifiers: idents(&[("id", &id), ("name", &format!("#{i}"))]),
                ..accepted("checkout", &id, &format!("fp-{i}"))
            }
        })
        .collect();
    items.push(Accepted {
        identifiers: idents(&[("name", "#7")]),
        ..accepted("checkout", "o-5", "fp-again")
    });
    ledger.record_accepted(&items, Some("req-9"), T0).unwrap();
    let keys: Vec<EventKey> = (0..237)
        .map(|i| key("checkout", &format!("o-{i}")))
        .collect();
    let entries = ledger.lookup(&keys).unwrap();
    for (i, e) in entries.iter().enumerate() {
        let expect = match i {
            5 => Some("fp-again".to_owned()),
            236 => None,
            _ => Some(format!("fp-{i}")),
        };
        assert_eq!(e.as_ref().map(|e| e.fingerprint.clone()), expect, "o-{i}");
        if let Some(e) = e {
            assert_eq!(
                (e.accepted_at, e.request_id.as_deref()),
                (Some(T0), Some("req-9"))
            );
        }
    }
    assert_eq!(ledger.summary().unwrap().accepted, 236);
    // Every identifier is known, `#7` under the event it was accepted under last.
    let other = key("checkout", "elsewhere");
    let queries: Vec<Vec<OrderIdent>> = (0..236)
        .map(|i| idents(&[("id", &format!("o-{i}")), ("name", &format!("#{i}"))]))
        .collect();
    let asked: Vec<(&EventKey, &[OrderIdent])> =
        queries.iter().map(|q| (&other, q.as_slice())).collect();
    let got = ledger.sent_as_other(&asked, None).unwrap();
    for (i, g) in got.iter().enumerate() {
        let g = g.as_ref().expect("known");
        assert_eq!(
            (g.kind, g.event_id.as_str()),
            ("id", format!("o-{i}").as_str())
        );
    }
    let seven = idents(&[("name", "#7")]);
    let got = ledger.sent_as_other(&[(&other, &seven)], None).unwrap();
    assert_eq!(got[0].as_ref().map(|s| s.event_id.as_str()), Some("o-5"));
}

#[test]
fn several_batches_recorded_together_end_as_recorded_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = open(&ledger_path(&dir));
    let first_failed = [failed("checkout", "o-1", "f1", "invalid email hash")];
    let then_accepted = [
        accepted("checkout", "o-1", "a1"),
        accepted("checkout", "o-2", "a2"),
    ];
    let then_failed = [failed("checkout", "o-2", "f2", "rejected")];
    ledger
        .record(&[
            Record::Failed {
                items: &first_failed,
                now: T0,
            },
            Record::Accepted {
                items: &then_accepted,
                request_id: Some("req-1"),
                now: T0 + 1,
            },
            Record::Failed {
                items: &then_failed,
                now: T0 + 2,
            },
        ])
        .unwrap();
    // In order: o-1's failure is cleared by its acceptance; o-2's later failure keeps it.
    let o1 = one(&ledger, "checkout", "o-1").unwrap();
    assert_eq!(
        (o1.fingerprint.as_str(), o1.accepted_at, o1.last_failure),
        ("a1", Some(T0 + 1), None)
    );
    let o2 = one(&ledger, "checkout", "o-2").unwrap();
    assert_eq!(
        (
            o2.fingerprint.as_str(),
            o2.accepted_at,
            o2.last_failure.as_deref()
        ),
        ("a2", Some(T0 + 1), Some("rejected"))
    );
    assert_eq!(ledger.failed().unwrap().len(), 1);
    assert!(ledger.record(&[]).is_ok());

    // A read-only ledger records nothing, whatever it is given.
    let reader = Ledger::open_read_only(ledger.path(), ledger.ad_account());
    let mut reader = reader.unwrap();
    let err = reader
        .record(&[Record::Accepted {
            items: &then_accepted,
            request_id: None,
            now: T0,
        }])
        .unwrap_err();
    assert!(matches!(err, LedgerError::ReadOnly { .. }), "{err}");
}
