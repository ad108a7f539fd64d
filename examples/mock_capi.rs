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
//! parse the body as JSON: one structural scan (strings skipped with `memchr`, brackets
//! counted) finds the top-level `data` array and counts its elements exactly, so memory stays
//! flat over millions of events and the CPU it takes from the client being measured is small
//! (it shares the machine's cores with it). A body that is not well-formed JSON may be counted
//! rather than refused; the client it serves writes its bodies by construction. It never
//! reaches the internet.

use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;

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
    let Some(n) = count_data(body) else {
        return (
            400,
            r#"{"code":1,"message":"Invalid request body: a `data` array is required."}"#
                .to_owned(),
        );
    };
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

/// JSON white space (RFC 8259 §2).
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The index of the first byte at or after `i` that is not white space.
fn skip_ws(body: &[u8], mut i: usize) -> usize {
    while body.get(i).copied().is_some_and(is_ws) {
        i += 1;
    }
    i
}

/// The index just past the string that opens at `body[i] == b'"'`.
fn string_end(body: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        i += memchr::memchr2(b'"', b'\\', &body[i..])?;
        if body[i] == b'"' {
            return Some(i + 1);
        }
        // A backslash escapes the byte after it (`\"`, `\\`, or the first of `\uXXXX`).
        i += 2;
        if i > body.len() {
            return None;
        }
    }
}

/// How deep arrays and objects may nest, as serde_json allows: a deeper body is not JSON to
/// this mock (400), rather than a stack overflow that would take the whole mock down.
const MAX_DEPTH: usize = 128;

/// Scans the value that starts at `body[i]`: the index just past it, and for an array or an
/// object the number of its direct elements (members).
fn value_end(body: &[u8], i: usize) -> Option<(usize, usize)> {
    value_end_at(body, i, 0)
}

fn value_end_at(body: &[u8], i: usize, depth: usize) -> Option<(usize, usize)> {
    match *body.get(i)? {
        b'"' => Some((string_end(body, i)?, 0)),
        open @ (b'[' | b'{') => {
            if depth >= MAX_DEPTH {
                return None;
            }
            let close = if open == b'[' { b']' } else { b'}' };
            let mut j = skip_ws(body, i + 1);
            if *body.get(j)? == close {
                return Some((j + 1, 0));
            }
            let mut items = 0;
            loop {
                if open == b'{' {
                    if *body.get(j)? != b'"' {
                        return None;
                    }
                    j = skip_ws(body, string_end(body, j)?);
                    if *body.get(j)? != b':' {
                        return None;
                    }
                    j = skip_ws(body, j + 1);
                }
                j = skip_ws(body, value_end_at(body, j, depth + 1)?.0);
                items += 1;
                match *body.get(j)? {
                    b',' => j = skip_ws(body, j + 1),
                    b if b == close => return Some((j + 1, items)),
                    _ => return None,
                }
            }
        }
        // A number, `true`, `false` or `null`: up to the next delimiter.
        _ => {
            let len = body[i..]
                .iter()
                .position(|&b| matches!(b, b',' | b']' | b'}') || is_ws(b))
                .unwrap_or(body.len() - i);
            (len > 0).then_some((i + len, 0))
        }
    }
}

/// The number of elements of the top-level `data` array, or `None` when the body is not an
/// object with one.
fn count_data(body: &[u8]) -> Option<usize> {
    let mut i = skip_ws(body, 0);
    if *body.get(i)? != b'{' {
        return None;
    }
    i = skip_ws(body, i + 1);
    loop {
        if *body.get(i)? != b'"' {
            return None;
        }
        let key_end = string_end(body, i)?;
        let key = &body[i + 1..key_end - 1];
        i = skip_ws(body, key_end);
        if *body.get(i)? != b':' {
            return None;
        }
        i = skip_ws(body, i + 1);
        let (end, items) = value_end(body, i)?;
        if key == b"data" {
            return (body[i] == b'[').then_some(items);
        }
        i = skip_ws(body, end);
        match *body.get(i)? {
            b',' => i = skip_ws(body, i + 1),
            _ => return None,
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

// `cargo test --example mock_capi`: the counter agrees with a JSON parser on what it counts.
#[cfg(test)]
mod tests {
    use super::count_data;

    #[test]
    fn counts_the_data_array_exactly() {
        for (body, n) in [
            (r#"{"data":[]}"#, 0),
            (r#"{"data":[{"a":1}]}"#, 1),
            (
                r#" { "x" : {"data":[1,2,3]} , "data" : [ {"b":"]},\"[{"}, [1,[2]], "s", 5 ] } "#,
                4,
            ),
            (r#"{"data":[{"u":"\\"},{"v":"\u005d"}]}"#, 2),
        ] {
            let parsed: serde_json::Value = serde_json::from_str(body).unwrap();
            assert_eq!(parsed["data"].as_array().map(Vec::len), Some(n), "{body}");
            assert_eq!(count_data(body.as_bytes()), Some(n), "{body}");
        }
    }

    #[test]
    fn refuses_a_body_without_a_data_array() {
        for body in [
            "",
            "[]",
            r#"{"data":{}}"#,
            r#"{"dat":[1]}"#,
            r#"{"x":[1],}"#,
            r#"{"data":[1,2"#,
            r#"{"data":["open]}"#,
        ] {
            assert_eq!(count_data(body.as_bytes()), None, "{body}");
        }
    }

    #[test]
    fn nesting_too_deep_is_refused_not_a_stack_overflow() {
        let deep = |n: usize| format!(r#"{{"data":[{}{}]}}"#, "[".repeat(n), "]".repeat(n));
        assert_eq!(count_data(deep(100).as_bytes()), Some(1));
        assert_eq!(count_data(deep(100_000).as_bytes()), None);
    }
}
