//! A tiny local Pinterest Conversions API events endpoint, for benchmarks of `pinconv send`.
//!
//! ```sh
//! cargo run --release --example mock_capi -- --port 0
//! # listening on http://127.0.0.1:PORT/v5
//! ```
//!
//! It binds `127.0.0.1` only and serves each connection on its own thread, keep-alive. Every
//! `POST …/ad_accounts/<digits>/events` with a bearer token and a `{"data": [...]}` body is
//! answered at once (or after `--latency-ms`) with a 200 `ConversionApiResponse` that says
//! every event was processed. `GET /stats` answers `{"requests":R,"events":E}`, the totals so
//! far, so a benchmark can check that everything it sent arrived. Anything else is a 404, a
//! missing token a 401, a body without a `data` array a 400, as Pinterest would answer.
//!
//! Unlike the test mock (`tests/it/mock_server.rs`), it keeps nothing per request and does not
//! build a JSON tree of the body: memory stays flat over millions of events and the CPU it
//! takes from the client being measured is small. It never reaches the internet.

use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use serde::de::IgnoredAny;
use serde::Deserialize;

/// Largest request body accepted (Pinterest's limit for 1000 events is far below this).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// One event's entry in the answer.
const PROCESSED: &str = r#"{"status":"processed","error_message":null,"warning_message":null}"#;

/// Command-line arguments.
#[derive(Parser)]
#[command(
    about = "Serve a local Pinterest Conversions API events endpoint that accepts everything"
)]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free one (printed on the first stdout line).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Wait this many milliseconds before each answer, to stand in for network latency.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
}

/// Totals over all connections.
#[derive(Default)]
struct Stats {
    requests: AtomicU64,
    events: AtomicU64,
}

/// The part of a request body the mock looks at: how many events `data` holds.
#[derive(Deserialize)]
struct Body {
    data: Vec<IgnoredAny>,
}

/// A parsed request head.
struct Head {
    method: String,
    path: String,
    content_length: usize,
    authorized: bool,
    close: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let listener = match TcpListener::bind((Ipv4Addr::LOCALHOST, args.port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on `127.0.0.1:{}`: {e}", args.port);
            return ExitCode::FAILURE;
        }
    };
    let port = match listener.local_addr() {
        Ok(a) => a.port(),
        Err(e) => {
            eprintln!("error: cannot read the listening address: {e}");
            return ExitCode::FAILURE;
        }
    };
    {
        let mut out = io::stdout().lock();
        if writeln!(out, "listening on http://127.0.0.1:{port}/v5")
            .and_then(|()| out.flush())
            .is_err()
        {
            return ExitCode::FAILURE;
        }
    }
    let stats = Arc::new(Stats::default());
    let latency = Duration::from_millis(args.latency_ms);
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let stats = Arc::clone(&stats);
        std::thread::spawn(move || {
            // A dropped connection is the client's business, not an error of the mock.
            let _ = serve(stream, &stats, latency);
        });
    }
    ExitCode::SUCCESS
}

/// Serves requests on one keep-alive connection until the client closes it.
fn serve(stream: TcpStream, stats: &Stats, latency: Duration) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(256 * 1024, stream);
    let mut body = Vec::new();
    loop {
        let Some(head) = read_head(&mut reader)? else {
            return Ok(());
        };
        if head.content_length > MAX_BODY {
            respond(
                &mut writer,
                413,
                r#"{"code":413,"message":"Payload too large."}"#,
            )?;
            return Ok(());
        }
        body.clear();
        body.resize(head.content_length, 0);
        reader.read_exact(&mut body)?;
        stats.requests.fetch_add(1, Ordering::Relaxed);
        if !latency.is_zero() {
            std::thread::sleep(latency);
        }
        let (code, reply) = answer(&head, &body, stats);
        respond(&mut writer, code, &reply)?;
        if head.close {
            return Ok(());
        }
    }
}

/// Reads a request line and headers; `None` when the client closed the connection first.
fn read_head(reader: &mut impl BufRead) -> io::Result<Option<Head>> {
    let mut line = String::new();
    // Tolerate blank lines between requests (RFC 9112 §2.2).
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        if !line.trim().is_empty() {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default();
    let path = target.split_once('?').map_or(target, |(p, _)| p).to_owned();
    let mut head = Head {
        method,
        path,
        content_length: 0,
        authorized: false,
        close: false,
    };
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let l = line.trim_end();
        if l.is_empty() {
            return Ok(Some(head));
        }
        let Some((name, value)) = l.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            head.content_length = value
                .parse()
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad content-length"))?;
        } else if name.eq_ignore_ascii_case("authorization") {
            head.authorized = value
                .strip_prefix("Bearer ")
                .is_some_and(|t| !t.trim().is_empty());
        } else if name.eq_ignore_ascii_case("connection") {
            head.close = value.eq_ignore_ascii_case("close");
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "chunked request bodies are not supported",
            ));
        }
    }
}

/// The status and JSON body for one request.
fn answer(head: &Head, body: &[u8], stats: &Stats) -> (u16, String) {
    if head.method == "GET" && head.path == "/stats" {
        let r = stats.requests.load(Ordering::Relaxed);
        let e = stats.events.load(Ordering::Relaxed);
        return (200, format!(r#"{{"requests":{r},"events":{e}}}"#));
    }
    if head.method != "POST" || !is_events_path(&head.path) {
        return (404, r#"{"code":404,"message":"Not found."}"#.to_owned());
    }
    if !head.authorized {
        return (
            401,
            r#"{"code":2,"message":"Authentication failed."}"#.to_owned(),
        );
    }
    let Ok(parsed) = serde_json::from_slice::<Body>(body) else {
        return (
            400,
            r#"{"code":1,"message":"Invalid request body: a `data` array is required."}"#
                .to_owned(),
        );
    };
    let n = parsed.data.len();
    stats.events.fetch_add(n as u64, Ordering::Relaxed);
    let mut out = String::with_capacity(80 + n * (PROCESSED.len() + 1));
    // Writing to a `String` cannot fail.
    let _ = write!(
        out,
        r#"{{"num_events_received":{n},"num_events_processed":{n},"events":["#
    );
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        out.push_str(PROCESSED);
    }
    out.push_str("]}");
    (200, out)
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

/// Writes one response with a `Content-Length` body.
fn respond(w: &mut TcpStream, status: u16, body: &str) -> io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        413 => "Payload Too Large",
        _ => "Status",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    // One write for head and body: two small writes with nodelay would cost an extra packet.
    let mut out = Vec::with_capacity(head.len() + body.len());
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(body.as_bytes());
    w.write_all(&out)?;
    w.flush()
}
