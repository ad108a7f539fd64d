//! A local mock of the Pinterest Conversions API events endpoint, for tests.
//!
//! It listens on `127.0.0.1` on a random port and speaks just enough HTTP/1.1 (keep-alive,
//! `Content-Length` bodies) over a plain [`TcpListener`] to also misbehave on purpose: close
//! the socket without answering, stall past the client's timeout, or accept a batch and then
//! drop the connection. Every request is recorded (path, query, headers, body, parsed JSON),
//! every event the server treated as accepted is remembered by `event_id`, and the highest
//! number of requests in flight at once is tracked. The server stops when dropped.
//!
//! Used by the unit tests of `src/send` (through `#[path]`) and by the end-to-end tests of the
//! binary (`tests/it`). It never reaches the internet.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

/// How the server treats one event of a batch it answers with per-event results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// `status: processed`, no warning.
    Processed,
    /// `status: processed` with this `warning_message`.
    Warning(String),
    /// `status: failed` with this `error_message`.
    Failed(String),
}

impl Verdict {
    fn accepted(&self) -> bool {
        !matches!(self, Verdict::Failed(_))
    }

    fn to_json(&self) -> Value {
        match self {
            Verdict::Processed => {
                json!({"status": "processed", "error_message": null, "warning_message": null})
            }
            Verdict::Warning(w) => {
                json!({"status": "processed", "error_message": null, "warning_message": w})
            }
            Verdict::Failed(e) => {
                json!({"status": "failed", "error_message": e, "warning_message": null})
            }
        }
    }
}

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 `ConversionApiResponse`; each event judged by the server's event rule.
    Ok,
    /// 200 with these verdicts for the first events (the rest judged by the event rule).
    OkWith(Vec<Verdict>),
    /// 422 `DetailedError` whose `details` holds the per-event results (event rule).
    Unprocessable,
    /// Any status with a literal body and extra headers (e.g. `Retry-After`).
    Status {
        /// HTTP status code.
        code: u16,
        /// Response body, sent as is.
        body: String,
        /// Extra response headers.
        headers: Vec<(String, String)>,
    },
    /// Close the socket without answering.
    Drop,
    /// Wait this long (or until shutdown), then close without answering.
    Stall(Duration),
    /// Accept every event (recorded as accepted), then close without answering.
    AcceptThenDrop,
    /// This status with a body that does not end (no length, `x` after `x`) until the client
    /// closes the connection, the server stops, or 256 MiB or 30 s have gone by.
    Endless(u16),
}

impl Reply {
    /// A Pinterest `Error` body `{code, message}` with the given HTTP status.
    pub fn error(status: u16, code: i64, message: &str) -> Reply {
        Reply::Status {
            code: status,
            body: json!({"code": code, "message": message}).to_string(),
            headers: Vec::new(),
        }
    }

    /// A literal status and body.
    pub fn status(code: u16, body: &str) -> Reply {
        Reply::Status {
            code,
            body: body.to_string(),
            headers: Vec::new(),
        }
    }

    /// Adds a response header; only meaningful on [`Reply::Status`].
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Status { headers, .. } = &mut self {
            headers.push((name.to_string(), value.to_string()));
        }
        self
    }
}

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Request {
    /// 0-based arrival number.
    pub seq: usize,
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Headers in arrival order, names lowercased.
    pub headers: Vec<(String, String)>,
    /// Raw body.
    pub body: Vec<u8>,
    /// The body parsed as JSON, if it was JSON.
    pub json: Option<Value>,
}

impl Request {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The events of the `data` array (empty when the body has none).
    pub fn events(&self) -> &[Value] {
        self.json
            .as_ref()
            .and_then(|j| j.get("data"))
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// The `event_id` of every event in the body, in order (`""` when missing).
    pub fn event_ids(&self) -> Vec<String> {
        self.events().iter().map(event_id).collect()
    }
}

/// The `event_id` of an event, or `""`.
pub fn event_id(event: &Value) -> String {
    event
        .get("event_id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

type Handler = Box<dyn Fn(&Request) -> Reply + Send + Sync>;
type Rule = Box<dyn Fn(&Value) -> Verdict + Send + Sync>;

struct State {
    handler: Handler,
    rule: Rule,
    token: Option<String>,
    latency: Duration,
    requests: Mutex<Vec<Request>>,
    accepted: Mutex<Vec<String>>,
    accepted_unanswered: Mutex<Vec<String>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    seq: AtomicUsize,
    shutdown: AtomicBool,
}

/// Configures a [`MockServer`] before it starts.
pub struct MockBuilder {
    handler: Option<Handler>,
    rule: Option<Rule>,
    token: Option<String>,
    latency: Duration,
}

impl MockBuilder {
    /// Answers requests in this order, then [`Reply::Ok`] once the script runs out.
    pub fn script(mut self, replies: impl IntoIterator<Item = Reply>) -> Self {
        let queue = Mutex::new(replies.into_iter().collect::<VecDeque<_>>());
        self.handler = Some(Box::new(move |_| {
            lock(&queue).pop_front().unwrap_or(Reply::Ok)
        }));
        self
    }

    /// Answers each request with whatever the closure says.
    pub fn handler(mut self, f: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
        self.handler = Some(Box::new(f));
        self
    }

    /// Randomised misbehaviour from a seed: 429s, 500s, dropped connections, batches accepted
    /// and then dropped before the answer, single failed events, and plain successes.
    pub fn chaos(mut self, seed: u64) -> Self {
        let rng = Mutex::new(StdRng::seed_from_u64(seed));
        self.handler = Some(Box::new(move |req| {
            let mut rng = lock(&rng);
            let roll: u32 = rng.random_range(0..100);
            match roll {
                0..=11 => Reply::error(429, 8, "This request exceeded a rate limit.")
                    .with_header("Retry-After", "0"),
                12..=23 => Reply::error(500, 0, "Internal server error."),
                24..=31 => Reply::Drop,
                32..=39 => Reply::AcceptThenDrop,
                40..=49 if !req.events().is_empty() => {
                    let n = req.events().len();
                    let bad = rng.random_range(0..n);
                    let mut verdicts = vec![Verdict::Processed; n];
                    verdicts[bad] = Verdict::Failed("chaos: invalid event".to_string());
                    Reply::OkWith(verdicts)
                }
                _ => Reply::Ok,
            }
        }));
        self
    }

    /// Judges each event of [`Reply::Ok`] / [`Reply::Unprocessable`] answers.
    pub fn event_rule(mut self, f: impl Fn(&Value) -> Verdict + Send + Sync + 'static) -> Self {
        self.rule = Some(Box::new(f));
        self
    }

    /// Answers 401 unless `Authorization` is exactly `Bearer <token>`.
    pub fn expect_token(mut self, token: &str) -> Self {
        self.token = Some(token.to_string());
        self
    }

    /// Waits this long before answering each request (to build up concurrency).
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Binds `127.0.0.1:0` and starts serving.
    pub fn start(self) -> MockServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind mock server");
        let addr = listener.local_addr().expect("mock server address");
        let state = Arc::new(State {
            handler: self.handler.unwrap_or_else(|| Box::new(|_| Reply::Ok)),
            rule: self
                .rule
                .unwrap_or_else(|| Box::new(|_| Verdict::Processed)),
            token: self.token,
            latency: self.latency,
            requests: Mutex::new(Vec::new()),
            accepted: Mutex::new(Vec::new()),
            accepted_unanswered: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            seq: AtomicUsize::new(0),
            shutdown: AtomicBool::new(false),
        });
        let accept_state = Arc::clone(&state);
        let accept = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if accept_state.shutdown.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let st = Arc::clone(&accept_state);
                std::thread::spawn(move || serve_connection(&st, stream));
            }
        });
        MockServer {
            addr,
            state,
            accept: Some(accept),
        }
    }
}

/// A running mock server; stops when dropped.
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<State>,
    accept: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Starts configuring a server.
    pub fn builder() -> MockBuilder {
        MockBuilder {
            handler: None,
            rule: None,
            token: None,
            latency: Duration::ZERO,
        }
    }

    /// A server that accepts everything.
    pub fn ok() -> MockServer {
        Self::builder().start()
    }

    /// A server that follows a script, then accepts everything.
    pub fn script(replies: impl IntoIterator<Item = Reply>) -> MockServer {
        Self::builder().script(replies).start()
    }

    /// A seeded chaos server (see [`MockBuilder::chaos`]).
    pub fn chaos(seed: u64) -> MockServer {
        Self::builder().chaos(seed).start()
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// An API base like Pinterest's: `http://127.0.0.1:<port>/v5`.
    pub fn api_base(&self) -> String {
        format!("{}/v5", self.url())
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        let mut reqs = lock(&self.state.requests).clone();
        reqs.sort_by_key(|r| r.seq);
        reqs
    }

    /// How many requests arrived.
    pub fn request_count(&self) -> usize {
        lock(&self.state.requests).len()
    }

    /// The `event_id` of every event the server accepted, once per acceptance (so a batch
    /// accepted twice shows its ids twice).
    pub fn accepted_event_ids(&self) -> Vec<String> {
        lock(&self.state.accepted).clone()
    }

    /// The `event_id`s of batches accepted whose answer was then lost (dropped connection).
    pub fn accepted_unanswered_event_ids(&self) -> Vec<String> {
        lock(&self.state.accepted_unanswered).clone()
    }

    /// The highest number of requests being handled at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.state.shutdown.store(true, Ordering::SeqCst);
        // Wake the blocking accept loop.
        let _ = TcpStream::connect(self.addr);
        if let Some(handle) = self.accept.take() {
            let _ = handle.join();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Serves requests on one keep-alive connection until it closes or the server stops.
fn serve_connection(state: &State, mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
    let _ = stream.set_nodelay(true);
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let Some(req) = read_request(state, &mut stream, &mut buf) else {
            return;
        };
        let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        state.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let close = req
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let keep = answer(state, &mut stream, &req) && !close;
        state.in_flight.fetch_sub(1, Ordering::SeqCst);
        if !keep {
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
    }
}

/// Reads one request; `None` when the peer closed or the server is stopping.
fn read_request(state: &State, stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Request> {
    let mut chunk = [0u8; 64 * 1024];
    let mut head_end = None;
    let mut content_length = 0usize;
    // Method, path, query and headers once the head is complete.
    type Head = (String, String, Option<String>, Vec<(String, String)>);
    let mut parsed: Option<Head> = None;
    loop {
        if parsed.is_none() {
            head_end = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4);
            if let Some(end) = head_end {
                let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                let mut lines = head.split("\r\n");
                let mut first = lines.next()?.split(' ');
                let method = first.next()?.to_string();
                let target = first.next()?.to_string();
                let headers: Vec<(String, String)> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                    .collect();
                content_length = headers
                    .iter()
                    .find(|(k, _)| k == "content-length")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                let (path, query) = match target.split_once('?') {
                    Some((p, q)) => (p.to_string(), Some(q.to_string())),
                    None => (target, None),
                };
                parsed = Some((method, path, query, headers));
            }
        }
        if let (Some(end), Some(_)) = (head_end, parsed.as_ref()) {
            if buf.len() >= end + content_length {
                let (method, path, query, headers) = parsed.take()?;
                let body = buf[end..end + content_length].to_vec();
                buf.drain(..end + content_length);
                let json = serde_json::from_slice(&body).ok();
                let seq = state.seq.fetch_add(1, Ordering::SeqCst);
                return Some(Request {
                    seq,
                    method,
                    path,
                    query,
                    headers,
                    body,
                    json,
                });
            }
        }
        match stream.read(&mut chunk) {
            Ok(0) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if state.shutdown.load(Ordering::SeqCst) {
                    return None;
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}

/// Whether a path looks like `…/ad_accounts/<1-18 digits>/events`.
fn is_events_path(path: &str) -> bool {
    let Some(rest) = path.strip_suffix("/events") else {
        return false;
    };
    let Some((_, id)) = rest.rsplit_once("/ad_accounts/") else {
        return false;
    };
    !id.is_empty() && id.len() <= 18 && id.bytes().all(|b| b.is_ascii_digit())
}

/// Records and answers one request; returns whether to keep the connection open.
fn answer(state: &State, stream: &mut TcpStream, req: &Request) -> bool {
    lock(&state.requests).push(req.clone());
    sleep_unless_shutdown(state, state.latency);
    if req.method != "POST" || !is_events_path(&req.path) {
        let body = json!({"code": 404, "message": "Not found."}).to_string();
        return respond(stream, req, 404, &body, &[]);
    }
    if let Some(token) = &state.token {
        if req.header("authorization") != Some(&format!("Bearer {token}")) {
            let body = json!({"code": 2, "message": "Authentication failed."}).to_string();
            return respond(stream, req, 401, &body, &[]);
        }
    }
    match (state.handler)(req) {
        Reply::Ok => {
            let body = judge(state, req, &[]);
            respond(stream, req, 200, &body.to_string(), &[])
        }
        Reply::OkWith(verdicts) => {
            let body = judge(state, req, &verdicts);
            respond(stream, req, 200, &body.to_string(), &[])
        }
        Reply::Unprocessable => {
            let details = judge(state, req, &[]);
            let body = json!({
                "code": 953,
                "message": "The action could not be processed properly due to some or all data provided being invalid.",
                "details": details,
            });
            respond(stream, req, 422, &body.to_string(), &[])
        }
        Reply::Status {
            code,
            body,
            headers,
        } => respond(stream, req, code, &body, &headers),
        Reply::Drop => false,
        Reply::Stall(d) => {
            sleep_unless_shutdown(state, d);
            false
        }
        Reply::Endless(code) => {
            let head = format!(
                "HTTP/1.1 {code} Status\r\ncontent-type: application/json\r\nconnection: close\r\nx-pinterest-rid: mock-{}\r\n\r\n",
                req.seq
            );
            if stream.write_all(head.as_bytes()).is_err() {
                return false;
            }
            let chunk = vec![b'x'; 64 * 1024];
            let start = Instant::now();
            for _ in 0..4096 {
                if state.shutdown.load(Ordering::SeqCst)
                    || start.elapsed() > Duration::from_secs(30)
                    || stream.write_all(&chunk).is_err()
                {
                    break;
                }
            }
            false
        }
        Reply::AcceptThenDrop => {
            lock(&state.accepted).extend(req.event_ids());
            lock(&state.accepted_unanswered).extend(req.event_ids());
            false
        }
    }
}

/// Builds a `ConversionApiResponse` and records the accepted events.
fn judge(state: &State, req: &Request, given: &[Verdict]) -> Value {
    let events = req.events();
    let verdicts: Vec<Verdict> = events
        .iter()
        .enumerate()
        .map(|(i, ev)| given.get(i).cloned().unwrap_or_else(|| (state.rule)(ev)))
        .collect();
    let accepted: Vec<String> = events
        .iter()
        .zip(&verdicts)
        .filter(|(_, v)| v.accepted())
        .map(|(ev, _)| event_id(ev))
        .collect();
    let processed = accepted.len();
    lock(&state.accepted).extend(accepted);
    json!({
        "num_events_received": events.len(),
        "num_events_processed": processed,
        "events": verdicts.iter().map(Verdict::to_json).collect::<Vec<_>>(),
    })
}

fn respond(
    stream: &mut TcpStream,
    req: &Request,
    code: u16,
    body: &str,
    headers: &[(String, String)],
) -> bool {
    let reason = match code {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let mut out = format!(
        "HTTP/1.1 {code} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
        body.len(),
    );
    // A scripted request id replaces the default one.
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("x-pinterest-rid"))
    {
        out.push_str(&format!("x-pinterest-rid: mock-{}\r\n", req.seq));
    }
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    stream
        .write_all(out.as_bytes())
        .and_then(|()| stream.flush())
        .is_ok()
}

fn sleep_unless_shutdown(state: &State, d: Duration) {
    let end = Instant::now() + d;
    while !state.shutdown.load(Ordering::SeqCst) {
        let now = Instant::now();
        if now >= end {
            return;
        }
        std::thread::sleep((end - now).min(Duration::from_millis(20)));
    }
}

#[cfg(test)]
mod mock_self_tests {
    use super::*;

    fn post(server: &MockServer, path: &str, body: &str) -> String {
        let mut s = TcpStream::connect(server.addr).unwrap();
        let req = format!(
            "POST {path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer t\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    }

    #[test]
    fn records_requests_and_judges_events() {
        let server = MockServer::builder()
            .event_rule(|ev| {
                if event_id(ev) == "b" {
                    Verdict::Failed("bad".into())
                } else {
                    Verdict::Processed
                }
            })
            .start();
        let out = post(
            &server,
            "/v5/ad_accounts/123/events?test=true",
            r#"{"data":[{"event_id":"a"},{"event_id":"b"}]}"#,
        );
        assert!(out.starts_with("HTTP/1.1 200"), "{out}");
        assert!(out.contains(r#""num_events_processed":1"#), "{out}");
        let reqs = server.requests();
        assert_eq!(reqs.len(), 1);
        assert_eq!(reqs[0].path, "/v5/ad_accounts/123/events");
        assert_eq!(reqs[0].query.as_deref(), Some("test=true"));
        assert_eq!(reqs[0].header("Authorization"), Some("Bearer t"));
        assert_eq!(reqs[0].event_ids(), ["a", "b"]);
        assert_eq!(server.accepted_event_ids(), ["a"]);
    }

    #[test]
    fn wrong_path_is_404_and_wrong_token_is_401() {
        let server = MockServer::builder().expect_token("other").start();
        assert!(post(&server, "/v5/ad_accounts/x/events", "{}").starts_with("HTTP/1.1 404"));
        assert!(post(&server, "/v5/ad_accounts/1/events", "{}").starts_with("HTTP/1.1 401"));
    }

    #[test]
    fn drop_closes_without_answer_and_script_falls_back_to_ok() {
        let server = MockServer::script([Reply::Drop, Reply::AcceptThenDrop]);
        let body = r#"{"data":[{"event_id":"a"}]}"#;
        assert_eq!(post(&server, "/ad_accounts/1/events", body), "");
        assert_eq!(post(&server, "/ad_accounts/1/events", body), "");
        assert!(post(&server, "/ad_accounts/1/events", body).starts_with("HTTP/1.1 200"));
        assert_eq!(server.accepted_event_ids(), ["a", "a"]);
    }
}
