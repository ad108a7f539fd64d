//! `send` end to end against a mock Pinterest on 127.0.0.1: answers per event, splitting,
//! auth failures, retries, dry run, test mode, batching, concurrency, failed-out, and a
//! fault-injection run of 20,000 events.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::mock_server::{MockServer, Reply, Verdict};
use crate::support::{pinconv, read_json, temp_file, Done};

pub const TOKEN: &str = "pina_SEKRET-token-9f8e7d";

/// A generic CSV of `n` sendable orders `O-0` .. `O-{n-1}`.
pub fn orders(n: usize) -> tempfile::NamedTempFile {
    let mut s = String::from("order_id,event_time,email,value,currency\n");
    for i in 0..n {
        s.push_str(&format!(
            "O-{i},2026-11-21T10:00:00Z,user{i}@example.com,{}.50,USD\n",
            10 + i % 90
        ));
    }
    temp_file(".csv", &s)
}

/// `pinconv send` to `server` in the background (for kill and signal tests), once it has
/// made `requests` requests.
pub fn spawn_send(
    server: &MockServer,
    extra: &[&str],
    input: &std::path::Path,
    requests: usize,
) -> std::process::Child {
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pinconv"))
        .args([
            "send",
            "--ad-account",
            "549769530006",
            "--api-base",
            &server.api_base(),
        ])
        .args(extra)
        .arg(input)
        .env("PINTEREST_ACCESS_TOKEN", TOKEN)
        .env("PINCONV_NOW", crate::support::NOW)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while server.request_count() < requests && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(10));
    }
    child
}

/// Sends `signal` (`-TERM`, `-INT`) to a run from [`spawn_send`], expects exit 130 and gives
/// back its stderr.
fn interrupt(child: std::process::Child, signal: &str) -> String {
    let killed = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    stderr
}

/// `pinconv send` to `server` with the token in the environment.
pub fn send(server: &MockServer, extra: &[&str], input: &str) -> crate::support::Run {
    let api = server.api_base();
    let mut args = vec![
        "send",
        "--ad-account",
        "549769530006",
        "--api-base",
        &api,
        "--retry-base-ms",
        "20",
    ];
    args.extend_from_slice(extra);
    args.push(input);
    pinconv(args).env("PINTEREST_ACCESS_TOKEN", TOKEN)
}

fn no_token(d: &Done) {
    assert!(
        !d.stdout.contains(TOKEN) && !d.stderr.contains(TOKEN),
        "token leaked"
    );
}

pub fn lines(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn success_posts_every_event_with_the_token_and_path() {
    let server = MockServer::builder().expect_token(TOKEN).start();
    let input = orders(5);
    let d = send(&server, &["--no-state"], input.path().to_str().unwrap()).code(0);
    d.stderr_has("accepted  5");
    no_token(&d);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].path, "/v5/ad_accounts/549769530006/events");
    assert_eq!(reqs[0].query, None);
    assert_eq!(reqs[0].event_ids(), ["O-0", "O-1", "O-2", "O-3", "O-4"]);
}

#[test]
fn test_mode_adds_the_query_flag() {
    let server = MockServer::ok();
    let input = orders(2);
    send(&server, &["--test"], input.path().to_str().unwrap())
        .code(0)
        .stderr_has("test mode");
    assert_eq!(server.requests()[0].query.as_deref(), Some("test=true"));
}

/// A server that gives `reply` once and, in it, fails the event `O-2` as
/// "Invalid event_timestamp" and processes every other.
pub fn failing_o_2(reply: Reply) -> MockServer {
    MockServer::builder()
        .script([reply])
        .event_rule(|e| {
            if e["event_id"] == "O-2" {
                Verdict::Failed("Invalid event_timestamp".into())
            } else {
                Verdict::Processed
            }
        })
        .start()
}

#[test]
fn per_event_failures_in_200_and_422_go_to_failed_out_with_their_rows() {
    for reply in [Reply::Ok, Reply::Unprocessable] {
        let server = failing_o_2(reply);
        let input = orders(4);
        let dir = tempfile::tempdir().unwrap();
        let failed = dir.path().join("failed.ndjson");
        let report = dir.path().join("report.json");
        let d = send(
            &server,
            &[
                "--no-state",
                "--failed-out",
                failed.to_str().unwrap(),
                "--report",
                report.to_str().unwrap(),
            ],
            input.path().to_str().unwrap(),
        )
        .code(3);
        d.stderr_has(":4: not accepted (rejected): Invalid event_timestamp");
        let f = lines(&failed);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0]["event_id"], "O-2");
        assert_eq!(f[0]["line"], 4);
        assert_eq!(f[0]["event"]["event_id"], "O-2");
        let r: serde_json::Value = read_json(&report);
        assert_eq!(r["send"]["accepted"], 3);
        assert_eq!(r["send"]["failed"], 1);
        assert_eq!(r["exit_code"], 3);
    }
}

#[test]
fn one_poison_event_in_a_batch_of_1000_does_not_sink_the_rest() {
    let server = MockServer::builder()
        .handler(|req| {
            if req.event_ids().iter().any(|id| id == "O-617") {
                Reply::error(400, 4196, "Invalid request: 'value' is not a number")
            } else {
                Reply::Ok
            }
        })
        .start();
    let (d, f) = send_failing(&server, 1000, &[], 3);
    d.stderr_has("accepted  999");
    assert_eq!(server.accepted_event_ids().len(), 999);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["event_id"], "O-617");
    assert!(f[0]["reason"].as_str().unwrap().contains("not a number"));
    assert!(
        server.request_count() < 30,
        "{} requests",
        server.request_count()
    );
}

/// Sends `n` orders to `server` with `--no-state`, `extra` and `--failed-out`; expects exit
/// `exit` and gives back the run and the failed-out lines.
fn send_failing(
    server: &MockServer,
    n: usize,
    extra: &[&str],
    exit: i32,
) -> (Done, Vec<serde_json::Value>) {
    let input = orders(n);
    let dir = tempfile::tempdir().unwrap();
    let failed = dir.path().join("failed.ndjson");
    let mut args = vec!["--no-state"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--failed-out", failed.to_str().unwrap()]);
    let d = send(server, &args, input.path().to_str().unwrap()).code(exit);
    let f = lines(&failed);
    (d, f)
}

/// Sends 30 orders, 10 a batch and one batch at a time, to a server that answers every
/// request with http `status` (API code `api_code`, `message`); expects exit `exit` and gives
/// back the server, the run and the failed-out lines.
fn stop_test(
    status: u16,
    api_code: i64,
    message: &'static str,
    exit: i32,
) -> (MockServer, Done, Vec<serde_json::Value>) {
    let server = MockServer::builder()
        .handler(move |_| Reply::error(status, api_code, message))
        .start();
    let (d, f) = send_failing(
        &server,
        30,
        &["--batch-size", "10", "--concurrency", "1"],
        exit,
    );
    (server, d, f)
}

#[test]
fn auth_failures_stop_at_once_with_exit_4() {
    for (status, hint) in [(401, "access token"), (403, "Admin, Analyst")] {
        let (server, d, f) = stop_test(status, 2, "Authentication failed.", 4);
        d.stderr_has(&format!("http {status}")).stderr_has(hint);
        no_token(&d);
        assert_eq!(server.request_count(), 1, "nothing retried after {status}");
        assert_eq!(f.len(), 30, "every unsent event is in failed-out");
    }
}

#[test]
fn a_wrong_ad_account_stops_at_the_first_answer_with_exit_4() {
    let (server, d, f) = stop_test(404, 2, "Ad account not found.", 4);
    d.stderr_has("error: pinterest knows no such ad account (http 404)")
        .stderr_has("hint: check `--ad-account`")
        .stderr_lacks("access token");
    assert_eq!(server.request_count(), 1, "nothing posted after the 404");
    assert_eq!(f.len(), 30);
    assert!(f.iter().all(|l| l["kind"] == "aborted"));
}

#[test]
fn a_403_is_about_permission_on_the_ad_account() {
    let server = MockServer::builder()
        .handler(|_| Reply::error(403, 29, "You are not permitted to access that resource."))
        .start();
    let input = orders(3);
    send(&server, &["--no-state"], input.path().to_str().unwrap())
        .code(4)
        .stderr_has("refused access to the ad account")
        .stderr_has("lacks permission")
        .stderr_lacks("refused the access token");
}

#[test]
fn rate_limits_and_server_errors_are_retried() {
    let server = MockServer::script([
        Reply::error(429, 8, "This request exceeded a rate limit.").with_header("Retry-After", "1"),
        Reply::error(503, 4197, "ramped down"),
        Reply::Drop,
        Reply::Ok,
    ]);
    let input = orders(3);
    let d = send(&server, &["--no-state"], input.path().to_str().unwrap()).code(0);
    d.stderr_has("accepted  3").stderr_has("(3 retries)");
    assert_eq!(server.request_count(), 4);
}

#[test]
fn an_endless_answer_is_read_only_up_to_1_mib() {
    let server = MockServer::builder()
        .handler(|_| Reply::Endless(500))
        .start();
    let input = orders(2);
    send(
        &server,
        &["--no-state", "--max-attempts", "2"],
        input.path().to_str().unwrap(),
    )
    .timeout(Duration::from_secs(60))
    .code(5)
    .stderr_has("http 500: ")
    .stderr_has("the answer was longer than 1 MiB; only that much was read");
    assert_eq!(server.request_count(), 2);
    // A retry after a cut answer goes through as usual.
    let server = MockServer::script([Reply::Endless(503), Reply::Ok]);
    send(&server, &["--no-state"], input.path().to_str().unwrap())
        .timeout(Duration::from_secs(60))
        .code(0)
        .stderr_has("accepted  2");
}

#[test]
fn spam_429_is_not_retried() {
    let server = MockServer::script([Reply::error(429, 8, "Blocked as spam")]);
    let input = orders(2);
    send(&server, &["--no-state"], input.path().to_str().unwrap())
        .code(3)
        .stderr_has("spam");
    assert_eq!(server.request_count(), 1);
}

#[test]
fn timeouts_are_retried() {
    let server = MockServer::script([Reply::Stall(Duration::from_secs(5)), Reply::Ok]);
    let input = orders(2);
    send(
        &server,
        &["--no-state", "--timeout", "1"],
        input.path().to_str().unwrap(),
    )
    .code(0);
    assert_eq!(server.request_count(), 2);
}

#[test]
fn giving_up_after_retries_is_exit_5_and_safe_to_rerun() {
    let server = MockServer::builder()
        .handler(|_| Reply::error(500, 0, "Internal error."))
        .start();
    let (d, f) = send_failing(&server, 3, &["--max-attempts", "3"], 5);
    d.stderr_has("gave_up 3");
    assert_eq!(server.request_count(), 3);
    assert!(f.iter().all(|l| l["kind"] == "gave_up"));
}

#[test]
fn dry_run_makes_no_request_and_writes_the_bodies() {
    let server = MockServer::ok();
    let input = orders(5);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bodies.ndjson");
    let d = pinconv([
        "send",
        "--dry-run",
        "--batch-size",
        "2",
        "-o",
        out.to_str().unwrap(),
        "--api-base",
        &server.api_base(),
        input.path().to_str().unwrap(),
    ])
    .code(0);
    d.stderr_has("5 events would be sent in 3 requests");
    assert_eq!(server.request_count(), 0);
    let built = pinconv(["build", "--batch-size", "2", input.path().to_str().unwrap()]).code(0);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), built.stdout);
}

#[test]
fn batches_never_exceed_the_batch_size_and_concurrency_is_honoured() {
    let server = MockServer::builder()
        .latency(Duration::from_millis(60))
        .start();
    let input = orders(45);
    send(
        &server,
        &["--no-state", "--batch-size", "2", "--concurrency", "3"],
        input.path().to_str().unwrap(),
    )
    .code(0);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 23);
    assert!(reqs.iter().all(|r| r.events().len() <= 2));
    assert!(
        server.max_in_flight() <= 3,
        "{} in flight",
        server.max_in_flight()
    );
    assert!(server.max_in_flight() >= 2, "requests never overlapped");
    let ids: BTreeSet<String> = server.accepted_event_ids().into_iter().collect();
    assert_eq!(ids.len(), 45);
}

#[test]
fn failed_out_is_sent_again_as_it_is() {
    let first = MockServer::builder()
        .event_rule(|e| {
            if e["event_id"] == "O-1" {
                Verdict::Failed("temporarily bad".into())
            } else {
                Verdict::Processed
            }
        })
        .start();
    let input = orders(3);
    let dir = tempfile::tempdir().unwrap();
    let failed = dir.path().join("failed.ndjson");
    send(
        &first,
        &["--no-state", "--failed-out", failed.to_str().unwrap()],
        input.path().to_str().unwrap(),
    )
    .code(3);
    let original = first.requests()[0].events()[1].clone();
    let second = MockServer::ok();
    let d = send(&second, &["--no-state"], failed.to_str().unwrap()).code(0);
    d.stderr_has("already-built events")
        .stderr_has("accepted  1");
    assert_eq!(
        second.requests()[0].events()[0],
        original,
        "re-sent byte for byte, not hashed twice"
    );
}

#[test]
fn setup_errors_are_usage_errors_without_the_token() {
    let input = orders(1);
    let path = input.path().to_str().unwrap();
    pinconv(["send", "--ad-account", "1", path])
        .code(2)
        .stderr_has("PINTEREST_ACCESS_TOKEN");
    pinconv(["send", path])
        .env("PINTEREST_ACCESS_TOKEN", TOKEN)
        .code(2)
        .stderr_has("--ad-account");
    let d = pinconv([
        "send",
        "--ad-account",
        "1",
        "--api-base",
        "http://example.com/v5",
        path,
    ])
    .env("PINTEREST_ACCESS_TOKEN", TOKEN)
    .code(2);
    d.stderr_has("http");
    no_token(&d);
    pinconv(["send", "--ad-account", "12ab", "--no-state", path])
        .env("PINTEREST_ACCESS_TOKEN", TOKEN)
        .code(2);
    let tokfile = temp_file(".txt", &format!("{TOKEN}\n"));
    let server = MockServer::builder().expect_token(TOKEN).start();
    let d = pinconv([
        "send",
        "--ad-account",
        "1",
        "--no-state",
        "--token-file",
        tokfile.path().to_str().unwrap(),
        "--api-base",
        &server.api_base(),
        path,
    ])
    .code(0);
    no_token(&d);
    let help = pinconv(["send", "--help"])
        .env("PINTEREST_ACCESS_TOKEN", TOKEN)
        .code(0);
    no_token(&help);
}

#[test]
fn fault_injection_20000_events_none_lost() {
    let server = MockServer::chaos(7);
    let input = orders(20_000);
    let dir = tempfile::tempdir().unwrap();
    let failed = dir.path().join("failed.ndjson");
    let report = dir.path().join("report.json");
    let d = send(
        &server,
        &[
            "--no-state",
            "--batch-size",
            "500",
            "--concurrency",
            "4",
            "--rate",
            "0",
            "--max-attempts",
            "20",
            "--failed-out",
            failed.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
        input.path().to_str().unwrap(),
    )
    .output();
    assert!(
        matches!(d.status.code(), Some(0 | 3)),
        "exit {:?}: {}",
        d.status.code(),
        String::from_utf8_lossy(&d.stderr)
    );
    let mut accepted: BTreeMap<String, usize> = BTreeMap::new();
    for id in server.accepted_event_ids() {
        *accepted.entry(id).or_default() += 1;
    }
    let failed_ids: BTreeSet<String> = lines(&failed)
        .iter()
        .map(|l| l["event_id"].as_str().unwrap().to_owned())
        .collect();
    for i in 0..20_000 {
        let id = format!("O-{i}");
        assert!(
            accepted.contains_key(&id) || failed_ids.contains(&id),
            "{id} lost"
        );
    }
    // Duplicates only where the server accepted a batch and then dropped the answer.
    let unanswered: BTreeSet<String> = server.accepted_unanswered_event_ids().into_iter().collect();
    let dup = accepted.values().filter(|n| **n > 1).count();
    for (id, n) in &accepted {
        assert!(
            *n == 1 || unanswered.contains(id),
            "{id} delivered {n} times without a lost answer"
        );
    }
    let r: serde_json::Value = read_json(&report);
    assert_eq!(
        r["send"]["accepted"].as_u64().unwrap() + r["send"]["failed"].as_u64().unwrap(),
        20_000
    );
    assert!(
        r["send"]["retries"].as_u64().unwrap() > 0,
        "chaos caused no retry"
    );
    eprintln!(
        "fault injection: {} accepted, {} failed-out, {dup} delivered twice",
        accepted.len(),
        failed_ids.len()
    );
}

#[test]
fn sigterm_stops_cleanly_and_accounts_for_every_event() {
    let server = MockServer::builder()
        .latency(Duration::from_millis(200))
        .start();
    let input = orders(400);
    let dir = tempfile::tempdir().unwrap();
    let failed = dir.path().join("failed.ndjson");
    let report = dir.path().join("report.json");
    let child = spawn_send(
        &server,
        &[
            "--no-state",
            "--batch-size",
            "10",
            "--concurrency",
            "1",
            "--failed-out",
            failed.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
        input.path(),
        3,
    );
    let stderr = interrupt(child, "-TERM");
    assert!(stderr.contains("stopping"), "{stderr}");
    let r: serde_json::Value = read_json(&report);
    assert_eq!(r["send"]["interrupted"], true);
    let accepted = r["send"]["accepted"].as_u64().unwrap();
    assert!(accepted > 0 && accepted < 400, "{accepted}");
    assert_eq!(accepted, server.accepted_event_ids().len() as u64);
    let not_sent = lines(&failed);
    assert_eq!(
        accepted + not_sent.len() as u64,
        400,
        "every event is accepted or in failed-out"
    );
    assert!(not_sent.iter().all(|l| l["kind"] == "aborted"));
}

#[test]
fn a_local_write_failure_ends_the_run_instead_of_hanging() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    let server = MockServer::builder()
        .handler(|_| Reply::error(400, 1, "bad"))
        .start();
    let input = orders(35);
    let out = send(
        &server,
        &[
            "--no-state",
            "--batch-size",
            "10",
            "--failed-out",
            "/dev/full",
        ],
        input.path().to_str().unwrap(),
    )
    .timeout(Duration::from_secs(60))
    .output();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn numeric_send_options_have_ranges() {
    let server = MockServer::ok();
    let input = orders(6);
    for (flag, value) in [
        ("--timeout", "9223372036854775807"),
        ("--timeout", "0"),
        ("--rate", "NaN"),
        ("--rate", "-1"),
        ("--rate", "1e300"),
        ("--retry-base-ms", "18446744073709551615"),
        ("--concurrency", "0"),
        ("--max-attempts", "0"),
        ("--batch-size", "1001"),
    ] {
        let arg = format!("{flag}={value}");
        let d = send(
            &server,
            &["--no-state", &arg],
            input.path().to_str().unwrap(),
        )
        .code(2);
        d.stderr_has(flag);
    }
    assert_eq!(server.request_count(), 0, "nothing sent with a bad option");
    let help = pinconv(["send", "--help"]).code(0);
    help.stderr_lacks("panicked");
    help.stdout_has("1..=3600").stdout_has("0..=10000");
}

#[test]
fn a_sender_that_dies_fails_the_run_and_accounts_for_its_events() {
    let server = MockServer::ok();
    let input = orders(30);
    let dir = tempfile::tempdir().unwrap();
    let failed = dir.path().join("failed.ndjson");
    let report = dir.path().join("report.json");
    let state = dir.path().join("ledger.sqlite");
    let d = send(
        &server,
        &[
            "--state",
            state.to_str().unwrap(),
            "--batch-size",
            "10",
            "--concurrency",
            "1",
            "--failed-out",
            failed.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
        input.path().to_str().unwrap(),
    )
    .env("PINCONV_FAULT_SENDER_PANIC", "1")
    .code(2);
    d.stderr_has("a sender thread failed")
        .stderr_has("hint: this is a bug in pinconv");
    let f = lines(&failed);
    assert_eq!(f.len(), 30, "every event is in failed-out");
    assert!(f.iter().any(|l| l["kind"] == "other"), "{f:?}");
    let r: serde_json::Value = read_json(&report);
    assert_eq!(r["exit_code"], 2);
    assert_eq!(r["send"]["accepted"], 0);
    assert_eq!(r["send"]["failed"], 30);
    // The batch the sender held may have reached Pinterest: the ledger keeps it as failed,
    // so the next run sends it again.
    let held = pinconv(["state", "failed", "--state", state.to_str().unwrap()]).code(0);
    assert!(!held.stdout.trim().is_empty(), "{}", held.stderr);
}

#[test]
fn a_400_about_the_whole_batch_is_not_split_down_to_single_events() {
    let server = MockServer::builder()
        .handler(|_| Reply::error(400, 1, "Invalid parameters."))
        .start();
    let (d, f) = send_failing(&server, 444, &[], 3);
    d.stderr_has("every part of the batch got the same answer");
    // The batch, then each quarter: every quarter failing as the whole did ends the splitting.
    assert_eq!(server.request_count(), 5);
    assert_eq!(f.len(), 444);
    assert!(f.iter().all(|l| l["kind"] == "rejected"));
    assert!(f.iter().all(|l| l["reason"]
        .as_str()
        .unwrap()
        .contains("Invalid parameters.")));
}

#[test]
fn a_400_in_one_half_only_is_still_isolated() {
    // Two poison events with the same message, one in each half: halves alone cannot tell
    // this from a 400 about the request, the quarters can (two of them are accepted).
    let server = MockServer::builder()
        .handler(|req| {
            if req.event_ids().iter().any(|id| id == "O-3" || id == "O-33") {
                Reply::error(400, 4196, "Invalid request: 'value' is not a number")
            } else {
                Reply::Ok
            }
        })
        .start();
    let (d, f) = send_failing(&server, 40, &[], 3);
    d.stderr_has("accepted  38");
    let ids: BTreeSet<String> = f
        .iter()
        .map(|l| l["event_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, BTreeSet::from(["O-3".to_owned(), "O-33".to_owned()]));
}

#[test]
fn token_and_pii_from_the_server_never_reach_files() {
    // The token JSON-escaped letter by letter, an email and a phone number in the message,
    // and the token again as the request id.
    let escaped: String = TOKEN
        .chars()
        .map(|c| format!("\\u{:04x}", c as u32))
        .collect();
    let body = format!(
        r#"{{"code":1,"message":"token {escaped} may not send for jane.doe@example.com or +1 (555) 555-0199"}}"#
    );
    let server = MockServer::builder()
        .handler(move |_| Reply::status(422, &body).with_header("x-pinterest-rid", TOKEN))
        .start();
    let input = orders(2);
    let dir = tempfile::tempdir().unwrap();
    let failed = dir.path().join("failed.ndjson");
    let report = dir.path().join("report.json");
    let state = dir.path().join("ledger.sqlite");
    let d = send(
        &server,
        &[
            "--state",
            state.to_str().unwrap(),
            "--failed-out",
            failed.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
        input.path().to_str().unwrap(),
    )
    .code(3);
    d.stderr_has("token [REDACTED] may not send for [email] or [phone]");
    let held = pinconv(["state", "failed", "--state", state.to_str().unwrap()]).code(0);
    let texts = [
        d.stderr.clone(),
        std::fs::read_to_string(&failed).unwrap(),
        std::fs::read_to_string(&report).unwrap(),
        held.stdout.clone(),
        String::from_utf8_lossy(&std::fs::read(&state).unwrap()).into_owned(),
        std::fs::read(dir.path().join("ledger.sqlite-wal"))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default(),
    ];
    for (i, t) in texts.iter().enumerate() {
        for secret in [TOKEN, "jane.doe@example.com", "555-0199", "SEKRET"] {
            assert!(!t.contains(secret), "text {i} holds {secret:?}:\n{t}");
        }
    }
    let r: serde_json::Value = serde_json::from_str(&texts[2]).unwrap();
    assert_eq!(
        r["send"]["request_ids"],
        serde_json::json!([]),
        "a token-shaped request id is dropped"
    );
}

#[test]
fn after_ctrl_c_the_records_read_are_counted() {
    let server = MockServer::builder()
        .latency(Duration::from_millis(200))
        .start();
    let input = orders(20_480);
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let child = spawn_send(
        &server,
        &[
            "--no-state",
            "--concurrency",
            "1",
            "--report",
            report.to_str().unwrap(),
        ],
        input.path(),
        2,
    );
    let stderr = interrupt(child, "-INT");
    let r: serde_json::Value = read_json(&report);
    let (records, orders) = (
        r["offline"]["records"].as_u64().unwrap(),
        r["offline"]["orders"].as_u64().unwrap(),
    );
    assert!(orders > 0 && orders < 20_480, "{orders} orders");
    // One row per order in this file: the records counted are those of the orders handled.
    assert_eq!(records, orders, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "read {records} records from 1 input: {orders} orders"
        )),
        "{stderr}"
    );
}

#[test]
fn no_failed_out_file_when_every_event_was_accepted() {
    let server = MockServer::ok();
    let input = orders(3);
    let dir = tempfile::tempdir().unwrap();
    let failed = dir.path().join("failed.ndjson");
    // A file left by an earlier run: its failures are not this run's.
    std::fs::write(&failed, "{\"stale\":true}\n").unwrap();
    send(
        &server,
        &["--no-state", "--failed-out", failed.to_str().unwrap()],
        input.path().to_str().unwrap(),
    )
    .code(0)
    .stderr_has("accepted  3");
    assert!(!failed.exists(), "an empty failed-out file was left");
    // `/dev/null` is never removed.
    send(
        &server,
        &["--no-state", "--failed-out", "/dev/null"],
        input.path().to_str().unwrap(),
    )
    .code(0);
    assert!(std::path::Path::new("/dev/null").exists());
}

#[test]
fn the_report_names_the_events_held_back_as_changed() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("ledger.sqlite");
    let report = dir.path().join("report.json");
    let server = MockServer::ok();
    let csv = |value: &str| {
        temp_file(
            ".csv",
            &format!("order_id,event_time,email,value,currency\nE-1,2026-11-21T10:00:00Z,a@example.com,10.00,USD\nE-2,2026-11-21T10:00:00Z,b@example.com,{value},USD\n"),
        )
    };
    let before = csv("20.00");
    send(
        &server,
        &["--state", state.to_str().unwrap()],
        before.path().to_str().unwrap(),
    )
    .code(0);
    let after = csv("25.00");
    let d = send(
        &server,
        &[
            "--state",
            state.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
        after.path().to_str().unwrap(),
    )
    .code(0);
    // The hint says what the flag does and what it cannot promise.
    d.stderr_has("pass `--resend-changed` to send it")
        .stderr_has("may keep the version it received first");
    let r: serde_json::Value = read_json(&report);
    assert_eq!(r["send"]["changed_not_sent"], 1);
    let held = &r["send"]["changed_not_sent_events"];
    assert_eq!(held.as_array().unwrap().len(), 1, "{held}");
    assert_eq!(held[0]["event_id"], "E-2");
    assert_eq!(held[0]["line"], 3);
    assert_eq!(held[0]["file"], after.path().to_str().unwrap());
}

/// `pinconv send --token-file FILE` to `server`, with no token in the environment.
fn send_with_token_file(server: &MockServer, file: &str, input: &str) -> crate::support::Run {
    pinconv([
        "send",
        "--ad-account",
        "549769530006",
        "--no-state",
        "--api-base",
        &server.api_base(),
        "--token-file",
        file,
        input,
    ])
}

#[test]
fn a_401_with_a_token_file_names_the_file() {
    let server = MockServer::builder().expect_token("another-token").start();
    let input = orders(2);
    let tokfile = temp_file(".txt", &format!("{TOKEN}\n"));
    let d = send_with_token_file(
        &server,
        tokfile.path().to_str().unwrap(),
        input.path().to_str().unwrap(),
    )
    .code(4);
    d.stderr_has(&format!(
        "hint: check the access token (the token file `{}`)",
        tokfile.path().display()
    ))
    .stderr_lacks("PINTEREST_ACCESS_TOKEN");
    no_token(&d);
}

#[test]
fn token_file_problems_are_named_as_such() {
    let server = MockServer::ok();
    let input = orders(1);
    let path = input.path().to_str().unwrap();
    // Empty: the file was passed, so saying to pass it would point the wrong way.
    let empty = temp_file(".txt", "  \n");
    send_with_token_file(&server, empty.path().to_str().unwrap(), path)
        .code(2)
        .stderr_has(&format!("token file `{}` is empty", empty.path().display()))
        .stderr_lacks("pass `--token-file");
    // Endless: read up to a cap, then refused.
    if std::path::Path::new("/dev/zero").exists() {
        send_with_token_file(&server, "/dev/zero", path)
            .timeout(Duration::from_secs(30))
            .code(2)
            .stderr_has("token file `/dev/zero` is larger than 64 KiB");
    }
    assert_eq!(server.request_count(), 0);
}

#[cfg(unix)]
#[test]
fn a_token_file_others_can_read_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let server = MockServer::builder().expect_token(TOKEN).start();
    let input = orders(1);
    let tokfile = temp_file(".txt", &format!("{TOKEN}\n"));
    let shown = tokfile.path().display().to_string();
    std::fs::set_permissions(tokfile.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let d = send_with_token_file(
        &server,
        tokfile.path().to_str().unwrap(),
        input.path().to_str().unwrap(),
    )
    .code(0);
    d.stderr_has(&format!(
        "warning: token file `{shown}` can be read by other users (mode 0644)"
    ))
    .stderr_has(&format!("hint: chmod 600 '{shown}'"));
    no_token(&d);
    std::fs::set_permissions(tokfile.path(), std::fs::Permissions::from_mode(0o600)).unwrap();
    send_with_token_file(
        &server,
        tokfile.path().to_str().unwrap(),
        input.path().to_str().unwrap(),
    )
    .code(0)
    .stderr_lacks("can be read by other users");
}
