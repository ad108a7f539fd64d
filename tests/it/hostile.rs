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

const CSV_HEADER: &str = "order_id,email,event_time,value,currency,note\n";

/// A CSV row of a sendable order with `note` in the last column.
fn csv_row(id: &str, note: &str) -> String {
    format!("{id},{id}@example.com,2026-11-20T10:00:00Z,5.00,USD,{note}\n")
}

/// A JSON order that builds, with `note`.
fn json_order(id: &str, note: &str) -> String {
    format!("{{\"order_id\":\"{id}\",\"email\":\"{id}@example.com\",\"event_time\":\"2026-11-20T10:00:00Z\",\"value\":\"5\",\"currency\":\"USD\",\"note\":\"{note}\"}}")
}

fn check(path: &std::path::Path) -> crate::support::Run {
    pinconv(["check", "--max-age", "off", path.to_str().unwrap()]).timeout(LIMIT)
}

#[test]
fn a_csv_record_past_1_mib_stops_the_input_with_its_line() {
    // 8 MiB of an open quote, gzipped to a few KB.
    let mut text = format!("{CSV_HEADER}{}", csv_row("O-1", "ok"));
    text.push_str("O-2,b@example.com,2026-11-20T10:00:00Z,5.00,USD,\"");
    text.push_str(&"x".repeat(8 << 20));
    let f = gz_file(".csv.gz", text.as_bytes());
    assert!(std::fs::metadata(f.path()).unwrap().len() < 64 << 10);
    check(f.path())
        .code(2)
        .stderr_has("the record after line 2 is longer than 1 MiB; reading stopped there")
        .stderr_has("hint: a `\"` is probably opened and never closed");
}

#[test]
fn a_csv_field_past_512_kib_rejects_its_row_and_the_run_goes_on() {
    let text = format!(
        "{CSV_HEADER}{}{}",
        csv_row("O-1", &"x".repeat(600 << 10)),
        csv_row("O-2", "ok")
    );
    let f = gz_file(".csv.gz", text.as_bytes());
    check(f.path())
        .code(1)
        .stderr_has(":2: column `note`: the value is longer than 512 KiB")
        .stderr_has("built     1 event");
}

#[test]
fn a_contents_cell_of_thousands_of_brackets_is_a_warning_not_a_crash() {
    // 100,000 levels: the JSON5 parser recursed once per level and the build thread's stack
    // overflowed from about 5,400 (the process aborted).
    let text = format!(
        "email,event_time,value,currency,contents\na@example.com,2026-11-20T10:00:00Z,12.50,USD,{}\n",
        "[".repeat(100_000)
    );
    let f = gz_file(".csv.gz", text.as_bytes());
    check(f.path())
        .code(0)
        .stderr_has(":2: column `contents`: `contents` nests brackets more than 64 levels deep")
        .stderr_has("built     1 event");
}

#[test]
fn a_build_worker_that_panics_ends_the_run_with_an_error_instead_of_hanging() {
    // 40,000 orders are some 20 chunks. The one that fails comes after more chunks than may
    // be in flight (2 + 2 per worker, at most 4 workers): the reader had to wait for permits
    // that only the lost chunk would have given back, and every thread waited for good.
    let mut text = String::from("order_id,email,event_time,value,currency\n");
    for i in 0..40_000 {
        text.push_str(&format!(
            "{i},u{i}@example.com,2026-11-20T10:00:00Z,12.50,USD\n"
        ));
    }
    let f = temp_file(".csv", &text);
    for args in [
        vec!["check", "--max-age", "off"],
        vec!["build", "--max-age", "off", "-q", "-o", "/dev/null"],
    ] {
        let mut args = args;
        args.push(f.path().to_str().unwrap());
        pinconv(&args)
            .env("PINCONV_FAULT_BUILD_PANIC", "13")
            .timeout(LIMIT)
            .code(2)
            .stderr_has("fault injection: PINCONV_FAULT_BUILD_PANIC=13")
            .stderr_has("error: the build stage stopped unexpectedly (a bug: please report it)");
    }
}

#[test]
fn a_csv_header_past_64_kib_is_refused() {
    let text = format!("order_id,{}\n1,2\n", "h".repeat(100 << 10));
    let f = gz_file(".csv.gz", text.as_bytes());
    check(f.path())
        .code(2)
        .stderr_has("line 1: the header row is longer than 64 KiB");
}

#[test]
fn blank_lines_are_skipped_and_lines_still_counted() {
    // Two million blank lines (a few KB of gzip) between two orders; the unit test in
    // `input::csv` checks they are counted, not kept.
    let mut text = format!("{CSV_HEADER}{}", csv_row("O-1", "ok"));
    text.push_str(&"\n".repeat(2_000_000));
    text.push_str(&csv_row("O-2", "x@y"));
    let f = gz_file(".csv.gz", text.as_bytes());
    let d = pinconv(["build", "--max-age", "off", f.path().to_str().unwrap()])
        .timeout(LIMIT)
        .code(0);
    assert_eq!(d.events().len(), 2);
    // A problem on the last row names its true line.
    let text = text.replace("O-2,O-2@example.com", "O-2,not-an-email");
    let f = gz_file(".csv.gz", text.as_bytes());
    check(f.path())
        .code(1)
        .stderr_has(":2000003: column `email`");
}

#[test]
fn json_strings_numbers_and_whitespace_past_1_mib_are_skipped_or_stop() {
    let big = "x".repeat(8 << 20);
    let digits = "1".repeat(8 << 20);
    let text = format!(
        "[{},\n{},\n{digits},\n{}]",
        json_order("J-1", "ok"),
        json_order("J-2", &big),
        json_order("J-3", "ok")
    );
    let f = gz_file(".json.gz", text.as_bytes());
    check(f.path())
        .code(1)
        .stderr_has(":2: the order is longer than 1 MiB (the limit for one record); it was skipped")
        .stderr_has(":3: the order is longer than 1 MiB")
        .stderr_has("built     2 events");
    // `{` and then 8 MiB of spaces: no order to skip to, so the input stops.
    let text = format!("{{{}}}", " ".repeat(8 << 20));
    let f = gz_file(".json.gz", text.as_bytes());
    check(f.path())
        .code(2)
        .stderr_has("the object starting on line 1 is longer than 1 MiB");
}

#[test]
fn an_ndjson_line_past_1_mib_is_skipped() {
    let text = format!(
        "{}\n{}\n{}\n",
        json_order("J-1", "ok"),
        json_order("J-2", &"x".repeat(8 << 20)),
        json_order("J-3", "ok")
    );
    let f = gz_file(".ndjson.gz", text.as_bytes());
    check(f.path())
        .code(1)
        .stderr_has(":2: the line is longer than 1 MiB")
        .stderr_has("built     2 events");
}

#[test]
fn a_config_file_is_read_up_to_1_mib() {
    pinconv([
        "check",
        "--config",
        "/dev/zero",
        "examples/generic/conversions.csv",
    ])
    .timeout(LIMIT)
    .code(2)
    .stderr_has("config file `/dev/zero` is larger than 1 MiB");
}

#[test]
fn a_file_without_a_header_row_never_shows_its_first_row() {
    for row in [
        "Jane,Doe,jane@example.com,555-0100,2026-11-20,5.00\n",
        // Fullwidth `@` and digits are data too.
        "Jane,Doe,jane\u{FF20}example.com,\u{FF15}\u{FF15}\u{FF15}\u{FF10}\u{FF11}\u{FF10}\u{FF10},2026-11-20,5.00\n",
    ] {
        let f = temp_file(".csv", &format!("{row}{row}"));
        let d = check(f.path()).code(2);
        d.stderr_has("does the file start with a header row?");
        for cell in row.trim().split(',') {
            d.stderr_lacks(cell);
        }
    }
}

#[test]
fn a_long_header_cell_is_no_column_name() {
    // `E----...----mail` would loosely be `email`; a cell this long is matched against no
    // alias (it used to take seconds for a few MB) and is not echoed in the hint.
    let long = format!("E{}mail", "-".repeat(60_000));
    let f = temp_file(
        ".csv",
        &format!("order_id,{long},event_time,value,currency\nO-1,a@example.com,2026-11-20T10:00:00Z,5.00,USD\n"),
    );
    let d = check(f.path()).code(2);
    d.stderr_has("no column of the header gives the customer's email")
        .stderr_has("`order_id`")
        .stderr_lacks("-----");
}

#[test]
fn an_unreadable_first_json_record_is_not_called_built_events() {
    let f = temp_file(".json", "[{\"id\": 1,\n \"bad\": }]");
    check(f.path())
        .code(1)
        .stderr_has("no record could be read as an order")
        .stderr_lacks("already-built events");
}

#[test]
fn a_json_id_past_64_bits_is_kept_exactly_not_blamed_on_a_spreadsheet() {
    let f = temp_file(
        ".json",
        "[{\"order_id\": 18446744073709551616, \"email\": \"a@example.com\", \"event_time\": \"2026-11-20T10:00:00Z\", \"value\": \"5\", \"currency\": \"USD\"}]",
    );
    let d = pinconv(["build", "--max-age", "off", f.path().to_str().unwrap()])
        .timeout(LIMIT)
        .code(0);
    d.stderr_lacks("spreadsheet");
    assert_eq!(d.events()[0]["event_id"], "18446744073709551616");
}

#[test]
fn invisible_characters_in_emails_and_fullwidth_phone_digits() {
    let plain = crate::support::hash("em", None, "jane@example.com");
    for raw in [
        "\u{200B}jane@example.com",
        "jane\u{200D}@example.com\u{FEFF}",
        "ja\u{1}ne@example.com",
    ] {
        assert_eq!(crate::support::hash("em", None, raw), plain, "{raw:?}");
    }
    let ascii = crate::support::hash("ph", Some("US"), "(201) 555-0123");
    let wide = "\u{FF08}\u{FF12}\u{FF10}\u{FF11}\u{FF09} \u{FF15}\u{FF15}\u{FF15}\u{FF0D}\u{FF10}\u{FF11}\u{FF12}\u{FF13}";
    assert_eq!(crate::support::hash("ph", Some("US"), wide), ascii);
}

#[test]
fn a_date_format_that_reads_no_date_is_a_usage_error() {
    for bad in ["%Q", "%H:%M"] {
        pinconv([
            "check",
            "--date-format",
            bad,
            "examples/generic/conversions.csv",
        ])
        .code(2)
        .stderr_has(&format!("`--date-format` / `date_format` `{bad}`"));
    }
    pinconv([
        "check",
        "--max-age",
        "off",
        "--date-format",
        "%d.%m.%Y %H:%M",
        "examples/generic/conversions.csv",
    ])
    .code(0);
}
