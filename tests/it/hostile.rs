//! Hostile input (#12): files built to loop, to exhaust memory or to make pinconv echo what
//! it should not. Each file is generated here, small (a bomb is a few KB of gzip), and each
//! run must end, with its problem reported against the file and line.

use std::io::Write;
use std::time::Duration;

use crate::mock_server::MockServer;
use crate::send::send;
use crate::support::{pinconv, temp_file};

/// Long enough for a slow machine, short enough that a loop fails the test instead of
/// hanging the suite.
const LIMIT: Duration = Duration::from_secs(20);

/// A temporary file holding `bytes` gzipped.
fn gz_file(ext: &str, bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(ext).tempfile().unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).unwrap();
    f.write_all(&enc.finish().unwrap()).unwrap();
    f.flush().unwrap();
    f
}

const BULK_ORDER: &str = "{\"id\":\"gid://shopify/Order/1\",\"email\":\"a@example.com\",\"createdAt\":\"2026-11-20T10:00:00Z\",\"totalPriceSet\":{\"shopMoney\":{\"amount\":\"5.0\",\"currencyCode\":\"USD\"}}}\n";

#[test]
fn a_bulk_order_then_a_fatal_error_ends_with_the_error() {
    // One bulk line then garbage: the JSON reader stops at the `]`.
    let f = temp_file(".json", &format!("{BULK_ORDER}]\n"));
    pinconv(["check", "--max-age", "off", f.path().to_str().unwrap()])
        .timeout(LIMIT)
        .code(2)
        .stderr_has("not a JSON array or object");
    // The order before the error is sent and accounted for.
    let server = MockServer::ok();
    let d = send(
        &server,
        &["--no-state", "--max-age", "off"],
        f.path().to_str().unwrap(),
    )
    .timeout(LIMIT)
    .code(2);
    d.stderr_has("not a JSON array or object");
    assert_eq!(server.accepted_event_ids().len(), 1, "{}", d.stderr);
}

#[test]
fn a_truncated_bulk_download_ends_with_the_error() {
    let mut text = String::new();
    for i in 1..=2000 {
        text.push_str(&BULK_ORDER.replace("Order/1", &format!("Order/{i}")));
    }
    let whole = gz_file(".jsonl.gz", text.as_bytes());
    let bytes = std::fs::read(whole.path()).unwrap();
    let cut = temp_file(".jsonl.gz", "");
    std::fs::write(cut.path(), &bytes[..bytes.len() - 12]).unwrap();
    pinconv(["check", "--max-age", "off", cut.path().to_str().unwrap()])
        .timeout(LIMIT)
        .code(2)
        .stderr_has("cannot read")
        .stderr_has("check that it is complete");
    // The orders read before the cut are sent and accounted for.
    let server = MockServer::ok();
    let d = send(
        &server,
        &["--no-state", "--max-age", "off"],
        cut.path().to_str().unwrap(),
    )
    .timeout(LIMIT)
    .code(2);
    d.stderr_has("cannot read");
    let sent = server.accepted_event_ids().len();
    assert!(sent > 0 && sent < 2000, "{sent} sent\n{}", d.stderr);
}
