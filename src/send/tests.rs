//! Delivery tests against the local mock server, with an instant fake sleeper.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use super::mock_server::{event_id, MockServer, Reply, Verdict};
use super::retry::fake::FakeSleeper;
use super::*;

const TOKEN: &str = "pina_TESTTOKEN_0123456789abcdef";

fn events(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            format!(
                r#"{{"event_name":"checkout","action_source":"offline","event_time":1700000000,"event_id":"e{i}","user_data":{{"em":["{:064x}"]}}}}"#,
                i
            )
        })
        .collect()
}

struct Setup {
    deliverer: Deliverer,
    sleeper: Arc<FakeSleeper>,
    cancel: Arc<AtomicBool>,
}

fn config(server: &MockServer) -> ClientConfig {
    ClientConfig {
        api_base: server.api_base(),
        ad_account: "549755885175".to_string(),
        token: SecretString::from(TOKEN),
        test: false,
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
    }
}

fn setup_with(cfg: ClientConfig, policy: RetryPolicy) -> Setup {
    let sleeper = Arc::new(FakeSleeper::new());
    let cancel = Arc::new(AtomicBool::new(false));
    let deliverer = Deliverer::new(
        Client::new(cfg).unwrap(),
        policy,
        sleeper.clone(),
        Arc::new(RateLimiter::new(None)),
        cancel.clone(),
        42,
    );
    Setup {
        deliverer,
        sleeper,
        cancel,
    }
}

fn setup(server: &MockServer) -> Setup {
    setup_with(config(server), RetryPolicy::default())
}

fn reason_of(o: &EventOutcome) -> (&str, FailureKind) {
    match o {
        EventOutcome::Failed { reason, kind } => (reason, *kind),
        EventOutcome::Accepted { .. } => panic!("expected a failure, got {o:?}"),
    }
}

#[test]
fn ok_with_per_event_failures_and_warnings() {
    let server = MockServer::builder()
        .event_rule(|ev| match event_id(ev).as_str() {
            "e1" => Verdict::Failed("Invalid email hash.".into()),
            "e2" => Verdict::Warning("Unknown field `foo`.".into()),
            _ => Verdict::Processed,
        })
        .start();
    let s = setup(&server);
    let evs = events(4);
    let out = s.deliverer.deliver(&evs);
    assert_eq!(out.outcomes.len(), 4);
    assert_eq!(out.outcomes[0], EventOutcome::Accepted { warning: None });
    assert_eq!(
        reason_of(&out.outcomes[1]),
        ("Invalid email hash.", FailureKind::Rejected)
    );
    assert_eq!(
        out.outcomes[2],
        EventOutcome::Accepted {
            warning: Some("Unknown field `foo`.".into())
        }
    );
    assert!(out.outcomes[3].is_accepted());
    assert_eq!((out.requests, out.retries, out.warnings), (1, 0, 1));
    assert_eq!(out.request_ids, ["mock-0"]);
    assert_eq!(out.fatal, None);

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let req = &reqs[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/v5/ad_accounts/549755885175/events");
    assert_eq!(req.query, None);
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(req.header("content-type"), Some("application/json"));
    // The body is the given strings, verbatim, inside {"data":[…]}.
    assert_eq!(
        req.body,
        format!(r#"{{"data":[{}]}}"#, evs.join(",")).into_bytes()
    );
}

#[test]
fn test_flag_adds_query_only_when_set() {
    let server = MockServer::ok();
    let mut cfg = config(&server);
    cfg.test = true;
    let s = setup_with(cfg, RetryPolicy::default());
    assert_eq!(s.deliverer.deliver(&events(1)).accepted(), 1);
    assert_eq!(server.requests()[0].query.as_deref(), Some("test=true"));
    let plain = setup(&server);
    plain.deliverer.deliver(&events(1));
    assert_eq!(server.requests()[1].query, None);
}

#[test]
fn unprocessable_is_read_per_event() {
    let server = MockServer::builder()
        .script([Reply::Unprocessable])
        .event_rule(|ev| {
            if event_id(ev) == "e0" {
                Verdict::Failed(
                    "Invalid event_timestamp parameter. Given timestamp is in the past.".into(),
                )
            } else {
                Verdict::Processed
            }
        })
        .start();
    let s = setup(&server);
    let out = s.deliverer.deliver(&events(3));
    let (reason, kind) = reason_of(&out.outcomes[0]);
    assert_eq!(kind, FailureKind::Rejected);
    assert!(reason.contains("timestamp is in the past"), "{reason}");
    assert!(out.outcomes[1].is_accepted() && out.outcomes[2].is_accepted());
    assert_eq!(out.requests, 1);
}

#[test]
fn unprocessable_without_readable_details_fails_all() {
    let body = r#"{"code":953,"message":"Some data was invalid.","details":{"oops":1}}"#;
    let server = MockServer::script([Reply::status(422, body)]);
    let s = setup(&server);
    let out = s.deliverer.deliver(&events(2));
    for o in &out.outcomes {
        assert_eq!(
            reason_of(o),
            (
                "http 422: Some data was invalid. (code 953)",
                FailureKind::Rejected
            )
        );
    }
    assert_eq!(out.requests, 1);
}

#[test]
fn bad_request_isolates_one_poison_event_in_a_thousand() {
    let message = "Invalid request: Additional properties are not allowed ('bogus' was unexpected)";
    let server = MockServer::builder()
        .handler(move |req| {
            if req.event_ids().iter().any(|id| id == "e613") {
                Reply::error(400, 4196, message)
            } else {
                Reply::Ok
            }
        })
        .start();
    let s = setup(&server);
    let out = s.deliverer.deliver(&events(1000));
    assert_eq!(out.accepted(), 999);
    let (reason, kind) = reason_of(&out.outcomes[613]);
    assert_eq!(kind, FailureKind::Rejected);
    assert_eq!(reason, format!("http 400: {message} (code 4196)"));
    // One request per half on the way down to the poison event: about 2·log2(1000)+1.
    assert!(
        (19..=21).contains(&out.requests),
        "{} requests",
        out.requests
    );
    assert_eq!(out.retries, 0);
    assert!(s.sleeper.sleeps().is_empty());
    let accepted: HashSet<String> = server.accepted_event_ids().into_iter().collect();
    assert_eq!(accepted.len(), 999);
    assert!(!accepted.contains("e613"));
}

#[test]
fn payload_too_large_splits_too() {
    let server = MockServer::builder()
        .handler(|req| {
            if req.events().len() > 2 {
                Reply::error(413, 0, "Request entity too large.")
            } else {
                Reply::Ok
            }
        })
        .start();
    let s = setup(&server);
    let out = s.deliverer.deliver(&events(8));
    assert_eq!(out.accepted(), 8);
    assert_eq!(out.requests, 1 + 2 + 4);
}

#[test]
fn unauthorized_stops_everything() {
    let server = MockServer::builder()
        .expect_token("another-token-entirely")
        .start();
    let s = setup(&server);
    let out = s.deliverer.deliver(&events(5));
    let fatal = out.fatal.clone().expect("fatal");
    assert_eq!(
        fatal,
        Fatal::Auth {
            status: 401,
            message: "Authentication failed. (code 2)".into()
        }
    );
    assert!(fatal.hint().contains("PINTEREST_ACCESS_TOKEN"));
    assert!(fatal.to_string().contains("http 401"));
    assert_eq!(out.failed(FailureKind::Aborted), 5);
    assert_eq!((out.requests, out.retries), (1, 0));
    assert!(s.sleeper.sleeps().is_empty());
    // Later batches are not even sent.
    let again = s.deliverer.deliver(&events(3));
    assert_eq!(again.failed(FailureKind::Aborted), 3);
    assert_eq!(again.requests, 0);
    assert_eq!(server.request_count(), 1);
    assert!(s.deliverer.fatal().is_some());
}

#[test]
fn forbidden_stops_with_access_hint() {
    let msg = "You are not permitted to access that resource.";
    let server = MockServer::script([Reply::error(403, 29, msg)]);
    let s = setup(&server);
    let out = s.deliverer.deliver(&events(2));
    let fatal = out.fatal.expect("fatal");
    assert_eq!(
        fatal,
        Fatal::Auth {
            status: 403,
            message: format!("{msg} (code 29)")
        }
    );
    assert!(fatal
        .hint()
        .contains("Admin, Analyst, Audience or Campaign"));
    assert_eq!(out.outcomes.len(), 2);
    assert!(out
        .outcomes
        .iter()
        .all(|o| reason_of(o).1 == FailureKind::Aborted));
    assert_eq!(server.request_count(), 1);
}

#[test]
fn rate_limited_then_ok_honours_retry_after() {
    let server =
        MockServer::script([Reply::error(429, 8, "This request exceeded a rate limit.")
            .with_header("Retry-After", "7")]);
    let s = setup(&server);
    let out = s.deliverer.deliver(&events(3));
    assert_eq!(out.accepted(), 3);
    assert_eq!((out.requests, out.retries), (2, 1));
    assert_eq!(s.sleeper.sleeps(), [Duration::from_secs(7)]);
    assert_eq!(out.request_ids, ["mock-0", "mock-1"]);
}

#[test]
fn spam_429_is_not_retried() {
    let server = MockServer::script([Reply::error(429, 8, "Request flagged as spam.")]);
    let s = setup(&server);
    let out = s.deliverer.deliver(&events(2));
    for o in &out.outcomes {
        assert_eq!(
            reason_of(o),
            (
                "http 429: Request flagged as spam. (code 8)",
                FailureKind::Spam
            )
        );
    }
    assert_eq!(out.requests, 1);
    assert!(s.sleeper.sleeps().is_empty());
}

#[test]
fn server_error_then_ok_backs_off_within_base() {
    let server = MockServer::script([
        Reply::error(500, 0, "Internal error."),
        Reply::status(503, ""),
    ]);
    let s = setup(&server);
    let out = s.deliverer.deliver(&events(2));
    assert_eq!(out.accepted(), 2);
    assert_eq!((out.requests, out.retries), (3, 2));
    let sleeps = s.sleeper.sleeps();
    assert_eq!(sleeps.len(), 2);
    assert!(sleeps[0] <= Duration::from_secs(1), "{sleeps:?}");
    assert!(sleeps[1] <= Duration::from_secs(2), "{sleeps:?}");
}

#[test]
fn dropped_connection_then_ok() {
    let server = MockServer::script([Reply::Drop]);
    let s = setup(&server);
    let out = s.deliverer.deliver(&events(2));
    assert_eq!(out.accepted(), 2);
    assert_eq!((out.requests, out.retries), (2, 1));
    assert_eq!(server.request_count(), 2);
}

#[test]
fn timeout_then_ok() {
    let server = MockServer::script([Reply::Stall(Duration::from_secs(5))]);
    let mut cfg = config(&server);
    cfg.timeout = Duration::from_millis(300);
    let s = setup_with(cfg, RetryPolicy::default());
    let out = s.deliverer.deliver(&events(2));
    assert_eq!(out.accepted(), 2, "{:?}", out.outcomes);
    assert_eq!((out.requests, out.retries), (2, 1));
}

#[test]
fn gives_up_after_max_attempts_with_last_reason() {
    let server = MockServer::builder()
        .handler(|_| Reply::error(503, 4197, "The endpoint has been ramped down."))
        .start();
    let policy = RetryPolicy {
        max_attempts: 4,
        ..RetryPolicy::default()
    };
    let s = setup_with(config(&server), policy);
    let out = s.deliverer.deliver(&events(3));
    for o in &out.outcomes {
        let (reason, kind) = reason_of(o);
        assert_eq!(kind, FailureKind::GaveUp);
        assert!(reason.contains("after 4 attempts"), "{reason}");
        assert!(reason.contains("ramped down. (code 4197)"), "{reason}");
    }
    assert_eq!((out.requests, out.retries), (4, 3));
    assert_eq!(server.request_count(), 4);
    assert_eq!(s.sleeper.sleeps().len(), 3);
}

#[test]
fn retry_after_beyond_deadline_gives_up_at_once() {
    let server = MockServer::builder()
        .handler(|_| Reply::error(429, 8, "Slow down.").with_header("Retry-After", "120"))
        .start();
    let policy = RetryPolicy {
        deadline: Duration::from_secs(60),
        ..RetryPolicy::default()
    };
    let s = setup_with(config(&server), policy);
    let out = s.deliverer.deliver(&events(1));
    let (reason, kind) = reason_of(&out.outcomes[0]);
    assert_eq!(kind, FailureKind::GaveUp);
    assert!(reason.contains("deadline"), "{reason}");
    assert_eq!(out.requests, 1);
    assert!(s.sleeper.sleeps().is_empty());
}

#[test]
fn deadline_bounds_total_backoff() {
    let server = MockServer::builder()
        .handler(|_| Reply::error(500, 0, "Boom."))
        .start();
    let policy = RetryPolicy {
        max_attempts: 1000,
        base: Duration::from_secs(10),
        cap: Duration::from_secs(10),
        deadline: Duration::from_secs(60),
    };
    let s = setup_with(config(&server), policy);
    let out = s.deliverer.deliver(&events(1));
    assert_eq!(reason_of(&out.outcomes[0]).1, FailureKind::GaveUp);
    assert!(s.sleeper.elapsed() <= Duration::from_secs(60));
    assert!(out.requests > 2 && out.requests < 1000, "{}", out.requests);
}

#[test]
fn other_client_errors_fail_without_retry() {
    let server = MockServer::script([Reply::error(409, 409, "Conflict.")]);
    let s = setup(&server);
    let out = s.deliverer.deliver(&events(2));
    for o in &out.outcomes {
        assert_eq!(
            reason_of(o),
            ("http 409: Conflict. (code 409)", FailureKind::Other)
        );
    }
    assert_eq!(out.requests, 1);
}

#[test]
fn not_found_stops_everything_like_unauthorized() {
    let server = MockServer::script([Reply::error(404, 404, "Ad account not found.")]);
    let s = setup(&server);
    let out = s.deliverer.deliver(&events(2));
    let fatal = out.fatal.clone().expect("fatal");
    assert_eq!(
        fatal,
        Fatal::NotFound {
            message: "Ad account not found. (code 404)".into()
        }
    );
    assert!(fatal.hint().contains("--ad-account"));
    assert_eq!(out.failed(FailureKind::Aborted), 2);
    assert_eq!(s.deliverer.deliver(&events(1)).requests, 0);
    assert_eq!(server.request_count(), 1);
}

#[test]
fn short_results_fail_the_unmatched_events() {
    let body = r#"{"num_events_received":3,"num_events_processed":1,"events":[{"status":"processed","error_message":null,"warning_message":""}]}"#;
    let server = MockServer::script([Reply::status(200, body)]);
    let s = setup(&server);
    let out = s.deliverer.deliver(&events(3));
    assert!(out.outcomes[0].is_accepted());
    for o in &out.outcomes[1..] {
        let (reason, kind) = reason_of(o);
        assert_eq!(kind, FailureKind::Other);
        assert!(reason.contains("1 results for 3 events"), "{reason}");
    }
    assert_eq!(out.warnings, 0);

    let server = MockServer::script([Reply::status(200, r#"{"num_events_received":1}"#)]);
    let out = setup(&server).deliverer.deliver(&events(1));
    assert_eq!(reason_of(&out.outcomes[0]).1, FailureKind::Other);
}

#[test]
fn reasons_never_contain_the_token_even_when_echoed() {
    let server = MockServer::builder()
        .handler(|req| {
            let auth = req.header("authorization").unwrap_or_default().to_string();
            Reply::error(500, 1, &format!("bad header {auth}"))
        })
        .start();
    let policy = RetryPolicy {
        max_attempts: 2,
        ..RetryPolicy::default()
    };
    let s = setup_with(config(&server), policy);
    let out = s.deliverer.deliver(&events(1));
    let (reason, _) = reason_of(&out.outcomes[0]);
    assert!(reason.contains("bad header Bearer [REDACTED]"), "{reason}");
    assert!(!format!("{out:?}").contains(TOKEN));
    assert!(!format!("{:?}", s.deliverer).contains(TOKEN));
}

#[test]
fn cancel_before_sending_aborts_without_requests() {
    let server = MockServer::ok();
    let s = setup(&server);
    s.cancel.store(true, Ordering::SeqCst);
    let out = s.deliverer.deliver(&events(3));
    assert_eq!(out.failed(FailureKind::Aborted), 3);
    assert_eq!(out.requests, 0);
    assert_eq!(server.request_count(), 0);
}

#[test]
fn cancel_during_backoff_aborts() {
    /// Cancels the run the moment a retry wait starts.
    struct CancelOnWait(Arc<AtomicBool>);
    impl Sleeper for CancelOnWait {
        fn sleep(&self, _: Duration) {}
        fn sleep_unless(&self, _: Duration, cancel: &AtomicBool) -> bool {
            self.0.store(true, Ordering::SeqCst);
            !cancel.load(Ordering::SeqCst)
        }
    }
    let server = MockServer::script([Reply::error(500, 0, "Boom.")]);
    let cancel = Arc::new(AtomicBool::new(false));
    let deliverer = Deliverer::new(
        Client::new(config(&server)).unwrap(),
        RetryPolicy::default(),
        Arc::new(CancelOnWait(cancel.clone())),
        Arc::new(RateLimiter::new(None)),
        cancel,
        1,
    );
    let out = deliverer.deliver(&events(2));
    for o in &out.outcomes {
        let (reason, kind) = reason_of(o);
        assert_eq!(kind, FailureKind::Aborted);
        assert!(
            reason.contains("cancelled") && reason.contains("Boom."),
            "{reason}"
        );
    }
    assert_eq!(server.request_count(), 1);
}

#[test]
fn empty_batch_sends_nothing() {
    let server = MockServer::ok();
    let out = setup(&server).deliverer.deliver(&[]);
    assert_eq!(out, BatchOutcome::default());
    assert_eq!(server.request_count(), 0);
}

#[test]
fn chaos_loses_no_event() {
    let (mut retried, mut redelivered) = (false, false);
    for seed in [1u64, 2, 3] {
        let server = MockServer::chaos(seed);
        let policy = RetryPolicy {
            max_attempts: 12,
            ..RetryPolicy::default()
        };
        let s = setup_with(config(&server), policy);
        let all = events(400);
        let mut outcomes = Vec::new();
        for chunk in all.chunks(50) {
            let out = s.deliverer.deliver(chunk);
            assert_eq!(out.outcomes.len(), chunk.len());
            outcomes.extend(out.outcomes);
        }
        let accepted: HashSet<String> = server.accepted_event_ids().into_iter().collect();
        let mut rejected = 0;
        for (i, o) in outcomes.iter().enumerate() {
            match o {
                // Whatever we report as accepted, the server really has.
                EventOutcome::Accepted { .. } => {
                    assert!(
                        accepted.contains(&format!("e{i}")),
                        "seed {seed}: e{i} lost"
                    );
                }
                EventOutcome::Failed {
                    kind: FailureKind::Rejected,
                    reason,
                } => {
                    assert_eq!(reason, "chaos: invalid event");
                    rejected += 1;
                }
                EventOutcome::Failed { kind, reason } => {
                    assert_eq!(*kind, FailureKind::GaveUp, "seed {seed}: {reason}");
                }
            }
        }
        // Chaos fails single events, never more than one per request.
        assert!(rejected <= server.request_count());
        let ids = server.accepted_event_ids();
        retried |= server.request_count() > all.len() / 50;
        redelivered |= ids.len() > accepted.len();
        assert!(
            outcomes.iter().filter(|o| o.is_accepted()).count() > 300,
            "seed {seed}"
        );
    }
    // The seeds above do exercise the nasty paths: retries, and batches accepted twice because
    // the answer to the first delivery was lost.
    assert!(retried && redelivered);
}

#[test]
fn worker_pool_caps_concurrency_and_returns_every_job() {
    let server = MockServer::builder()
        .latency(Duration::from_millis(40))
        .start();
    let s = setup(&server);
    let deliverer = Arc::new(s.deliverer);
    let (job_tx, job_rx) = crossbeam_channel::unbounded();
    let (done_tx, done_rx) = crossbeam_channel::unbounded();
    let workers = spawn_workers(3, deliverer, job_rx, done_tx);
    let all = events(200);
    for (seq, chunk) in all.chunks(10).enumerate() {
        let meta: Vec<usize> = (seq * 10..seq * 10 + chunk.len()).collect();
        job_tx
            .send(Job {
                seq: seq as u64,
                events: chunk.to_vec(),
                meta,
            })
            .unwrap();
    }
    drop(job_tx);
    let mut done: Vec<Done<Vec<usize>>> = done_rx.iter().collect();
    for w in workers {
        w.join().unwrap();
    }
    done.sort_by_key(|d| d.seq);
    assert_eq!(
        done.iter().map(|d| d.seq).collect::<Vec<_>>(),
        (0..20).collect::<Vec<_>>()
    );
    for d in &done {
        assert_eq!(d.meta[0], d.seq as usize * 10);
        assert_eq!(d.events, all[d.meta[0]..d.meta[0] + 10]);
        assert_eq!(d.outcome.accepted(), 10);
    }
    assert!(server.max_in_flight() <= 3, "{}", server.max_in_flight());
    assert!(
        server.max_in_flight() >= 2,
        "workers did not run in parallel"
    );
    assert_eq!(server.request_count(), 20);
}
