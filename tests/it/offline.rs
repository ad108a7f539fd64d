//! `check` and `build` end to end: examples, presets, settings, and every kind of bad input.

use crate::support::{bodies, pinconv, repo, temp_file, EXAMPLES};

#[test]
fn shopify_export_groups_rows_skips_and_rejects() {
    let d = pinconv([
        "build",
        "--max-age",
        "off",
        "examples/shopify/orders_export.csv",
    ])
    .code(1);
    d.stderr_has("as shopify csv")
        .stderr_has("cancelled order")
        .stderr_has("test order")
        .stderr_has("orders_export.csv:19: no usable identifier")
        .stderr_has("read 17 records from 1 input: 10 orders")
        .stderr_lacks("@example.com");
    let events = d.events();
    assert_eq!(events.len(), 7);
    // #1042 has three line items over three rows: one event.
    let multi = events
        .iter()
        .find(|e| e["custom_data"]["contents"].as_array().unwrap().len() == 3)
        .expect("3-item order");
    assert_eq!(multi["custom_data"]["num_items"], 7);
    // The point-of-sale order is offline; web orders are web.
    assert!(events.iter().any(|e| e["action_source"] == "offline"));
    assert!(events.iter().all(|e| e["event_name"] == "checkout"));
    // Every event id is the order id and matches custom_data.order_id.
    for e in &events {
        assert_eq!(e["event_id"], e["custom_data"]["order_id"]);
    }
}

#[test]
fn uk_phone_gets_the_orders_country_code() {
    let d = pinconv([
        "build",
        "--max-age",
        "off",
        "examples/shopify/orders_export.csv",
    ])
    .code(1);
    let want = pinconv_hash("ph", "+447700900123");
    assert!(d.events().iter().any(|e| e["user_data"]["ph"]
        .as_array()
        .is_some_and(|a| a.iter().any(|h| *h == want))));
}

fn pinconv_hash(field: &str, value: &str) -> String {
    let d = pinconv(["hash", "--field", field, value]).code(0);
    d.stdout.trim().split('\t').nth(1).unwrap().to_owned()
}

#[test]
fn every_example_runs_with_its_documented_exit_code() {
    let expected = [1, 0, 0, 0, 0, 1];
    for (args, code) in EXAMPLES.iter().zip(expected) {
        let mut a = vec!["check"];
        a.extend_from_slice(args);
        pinconv(&a).code(code);
    }
}

#[test]
fn check_json_report_accounts_for_every_order() {
    let d = pinconv([
        "check",
        "--max-age",
        "off",
        "--json",
        "examples/shopify/orders_export.csv",
    ])
    .code(1);
    let r = d.json();
    for k in [
        "orders", "events", "skipped", "rejected", "warnings", "problems", "records", "inputs",
    ] {
        assert!(r.get(k).is_some(), "report lacks {k}");
    }
    let n = |k: &str| r[k].as_u64().unwrap();
    assert_eq!(n("orders"), n("events") + n("skipped") + n("rejected"));
    assert_eq!(
        (n("orders"), n("events"), n("skipped"), n("rejected")),
        (10, 7, 2, 1)
    );
    assert_eq!(r["rejected_by_reason"]["no_identifier"], 1);
    assert_eq!(r["inputs"][0]["preset"], "shopify");
    let p = &r["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["severity"] == "rejected")
        .unwrap();
    assert_eq!(p["line"], 19);
    assert!(p["reason"].as_str().unwrap().contains("identifier"));
    assert!(!d.stdout.contains("@example.com"));
}

#[test]
fn build_is_byte_for_byte_deterministic_and_batched() {
    let a = pinconv([
        "build",
        "--max-age",
        "off",
        "--batch-size",
        "2",
        "examples/shopify/orders_export.csv",
    ])
    .code(1);
    let b = pinconv([
        "build",
        "--max-age",
        "off",
        "--batch-size",
        "2",
        "examples/shopify/orders_export.csv",
    ])
    .code(1);
    assert_eq!(a.stdout, b.stdout);
    let bodies = bodies(&a.stdout);
    assert_eq!(bodies.len(), 4);
    assert!(bodies
        .iter()
        .all(|b| b["data"].as_array().unwrap().len() <= 2));
    pinconv([
        "build",
        "--max-age",
        "off",
        "--batch-size",
        "1001",
        "examples/shopify/orders.json",
    ])
    .code(2);
    pinconv([
        "build",
        "--max-age",
        "off",
        "--batch-size",
        "0",
        "examples/shopify/orders.json",
    ])
    .code(2);
}

#[test]
fn build_writes_a_file_and_gzip_and_stdin_read_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bodies.ndjson");
    pinconv([
        "build",
        "--max-age",
        "off",
        "-o",
        out.to_str().unwrap(),
        "examples/shopify/orders_export.csv",
    ])
    .code(1);
    let file = std::fs::read_to_string(&out).unwrap();
    let gz = pinconv([
        "build",
        "--max-age",
        "off",
        "tests/fixtures/bad/gz/orders_export.csv.gz",
    ])
    .code(1);
    assert_eq!(file, gz.stdout);
    let csv = std::fs::read(repo("examples/shopify/orders_export.csv")).unwrap();
    let stdin = pinconv(["build", "--max-age", "off", "-"])
        .stdin(csv)
        .code(1);
    assert_eq!(file, stdin.stdout);
}

/// `-o` to something that is not a regular file (a FIFO here; `/dev/null` or `/dev/stdout` in
/// real use) is written in place, never replaced by a plain file; `-o` through a symlink keeps
/// the link and replaces the file it points to.
#[test]
fn output_to_a_fifo_or_symlink_keeps_what_the_path_is() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let args = |out: &std::path::Path| {
        [
            "build".to_string(),
            "--max-age".into(),
            "off".into(),
            "-o".into(),
            out.display().to_string(),
            "examples/shopify/orders_export.csv".into(),
        ]
    };
    let expected = pinconv([
        "build",
        "--max-age",
        "off",
        "examples/shopify/orders_export.csv",
    ])
    .code(1)
    .stdout;

    let fifo = dir.path().join("bodies.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    pinconv(args(&fifo)).code(1);
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced: {kind:?}");
    assert_eq!(reader.join().unwrap(), expected);

    let real = dir.path().join("real.ndjson");
    std::fs::write(&real, "old\n").unwrap();
    let link = dir.path().join("link.ndjson");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    pinconv(args(&link)).code(1);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&real).unwrap(), expected);

    pinconv(args(dir.path()))
        .code(2)
        .stderr_has("is a directory");
}
#[test]
fn json_inputs_shopify_woocommerce_and_single_order() {
    let s = pinconv(["build", "--max-age", "off", "examples/shopify/orders.json"]).code(0);
    s.stderr_has("as shopify json");
    let events = s.events();
    assert_eq!(events.len(), 2);
    assert!(events
        .iter()
        .any(|e| e["user_data"]["client_ip_address"].is_string()
            && e["user_data"]["client_user_agent"].is_string()));
    assert!(events
        .iter()
        .all(|e| e["user_data"]["external_id"].is_array()));
    let w = pinconv([
        "build",
        "--max-age",
        "off",
        "examples/woocommerce/orders.json",
    ])
    .code(0);
    w.stderr_has("as woocommerce json")
        .stderr_has("failed order")
        .stderr_has("cancelled order");
    pinconv(["check", "tests/fixtures/bad/json_object.json"])
        .code(0)
        .stderr_has("1 order");
}

#[test]
fn woocommerce_export_with_packed_line_items() {
    let d = pinconv([
        "build",
        "--max-age",
        "off",
        "--config",
        "examples/woocommerce/pinconv.toml",
        "examples/woocommerce/orders_export.csv",
    ])
    .code(0);
    let events = d.events();
    let first = &events[0];
    assert_eq!(
        first["custom_data"]["contents"].as_array().unwrap().len(),
        3
    );
    assert_eq!(first["custom_data"]["content_ids"][0], "HP-TOTE-OLV");
    assert_eq!(first["custom_data"]["value"], "139.95");
}

#[test]
fn generic_meta_template_with_repeated_email_columns() {
    let d = pinconv([
        "build",
        "--max-age",
        "off",
        "examples/generic/conversions.csv",
    ])
    .code(0);
    let events = d.events();
    assert_eq!(events.len(), 6);
    assert_eq!(
        events[0]["user_data"]["em"].as_array().unwrap().len(),
        2,
        "both email columns count"
    );
    assert_eq!(
        events[0]["event_name"], "checkout",
        "Purchase maps to checkout"
    );
    assert!(events[0]["user_data"]["db"].is_array() && events[0]["user_data"]["ge"].is_array());
}

#[test]
fn custom_export_through_a_config_mapping() {
    let d = pinconv([
        "build",
        "--max-age",
        "off",
        "--config",
        "examples/custom/pinconv.toml",
        "examples/custom/orders.csv",
    ])
    .code(1);
    d.stderr_has("delimiter `;`");
    let events = d.events();
    assert!(
        events
            .iter()
            .any(|e| e["custom_data"]["value"] == "1234.50"),
        "decimal comma"
    );
    assert!(events.iter().all(|e| e["custom_data"]["currency"] == "EUR"));
}

#[test]
fn max_age_skips_old_orders_with_a_hint() {
    let d = pinconv([
        "check",
        "--now",
        "2027-06-01T00:00:00Z",
        "examples/shopify/orders.json",
    ])
    .code(0);
    d.stderr_has("older than 7 days")
        .stderr_has("--max-age off")
        .stderr_has("too_old 2");
    pinconv([
        "check",
        "--now",
        "2027-06-01T00:00:00Z",
        "--max-age",
        "off",
        "examples/shopify/orders.json",
    ])
    .code(0)
    .stderr_has("built     2 events");
    pinconv(["check", "--max-age", "soon", "examples/shopify/orders.json"]).code(2);
}

#[test]
fn shop_settings_channels_statuses_ids_and_value() {
    let d = pinconv([
        "check",
        "--max-age",
        "off",
        "--exclude-source",
        "pos",
        "examples/shopify/orders_export.csv",
    ])
    .code(1);
    d.stderr_has("excluded_source 1");
    let d = pinconv([
        "check",
        "--max-age",
        "off",
        "--skip-status",
        "none",
        "examples/shopify/orders_export.csv",
    ])
    .code(1);
    d.stderr_has("built     9 events");
    let d = pinconv([
        "build",
        "--max-age",
        "off",
        "--order-id",
        "name",
        "--event-id-template",
        "order-{order_name}",
        "examples/shopify/orders_export.csv",
    ])
    .code(1);
    let e = &d.events()[0];
    assert_eq!(e["event_id"], "order-#1041");
    assert_eq!(e["custom_data"]["order_id"], "#1041");

    let csv = "order_id,event_time,email,total,tax,shipping,discount,currency\nV-1,2026-11-20T10:00:00Z,a@example.com,110.00,8.00,12.00,5.00,USD\n";
    let f = temp_file(".csv", csv);
    let value = |extra: &[&str]| {
        let mut args = vec!["build"];
        args.extend_from_slice(extra);
        args.push(f.path().to_str().unwrap());
        pinconv(&args).code(0).events()[0]["custom_data"]["value"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(value(&[]), "110.00");
    assert_eq!(value(&["--exclude-tax"]), "102.00");
    assert_eq!(value(&["--exclude-tax", "--exclude-shipping"]), "90.00");
    assert_eq!(value(&["--keep-discounts"]), "115.00");
}

#[test]
fn product_identifier_setting() {
    let sku = pinconv([
        "build",
        "--max-age",
        "off",
        "--product-id",
        "sku",
        "examples/shopify/orders.json",
    ])
    .code(0);
    let pid = pinconv([
        "build",
        "--max-age",
        "off",
        "--product-id",
        "product-id",
        "examples/shopify/orders.json",
    ])
    .code(0);
    let first = |d: &crate::support::Done| d.events()[0]["custom_data"]["content_ids"][0].clone();
    assert_ne!(first(&sku), first(&pid));
    assert!(first(&pid)
        .as_str()
        .unwrap()
        .chars()
        .all(|c| c.is_ascii_digit()));
}

/// `--product-id product-id` on the command line was `product_id` in the config file; each
/// place now takes both spellings, with the same events.
#[test]
fn product_id_spellings_agree_on_the_command_line_and_in_the_config() {
    let build = |extra: &[&str]| {
        let mut args = vec!["build", "--max-age", "off"];
        args.extend_from_slice(extra);
        args.push("examples/shopify/orders.json");
        pinconv(args).code(0).stdout
    };
    for (dash, snake) in [("product-id", "product_id"), ("variant-id", "variant_id")] {
        let expected = build(&["--product-id", dash]);
        assert_ne!(
            expected,
            build(&["--product-id", "sku"]),
            "{dash} changes nothing"
        );
        assert_eq!(build(&["--product-id", snake]), expected, "{snake}");
        for spelling in [dash, snake] {
            let config = temp_file(".toml", &format!("[order]\nproduct_id = \"{spelling}\"\n"));
            let path = config.path().to_str().unwrap();
            assert_eq!(build(&["--config", path]), expected, "config {spelling}");
        }
    }
}

#[test]
fn event_name_help_shows_its_default() {
    let help = pinconv(["build", "--help"]).code(0).stdout;
    let line = help
        .split("--event-name")
        .nth(1)
        .and_then(|rest| rest.split("\n      --").next())
        .unwrap_or_default()
        .to_owned();
    assert!(line.contains("[default: checkout]"), "{line}");
    let events = pinconv(["build", "--max-age", "off", "examples/shopify/orders.json"])
        .code(0)
        .events();
    assert!(events.iter().all(|e| e["event_name"] == "checkout"));
}

#[test]
fn empty_file_is_a_usage_error() {
    pinconv(["check", "tests/fixtures/bad/empty.csv"])
        .code(2)
        .stderr_has("empty");
}

#[test]
fn header_only_is_zero_orders() {
    pinconv(["check", "tests/fixtures/bad/header_only.csv"])
        .code(0)
        .stderr_has("0 orders");
}

#[test]
fn unknown_columns_name_what_is_there() {
    pinconv(["check", "tests/fixtures/bad/unknown_columns.csv"])
        .code(2)
        .stderr_has("no column of the header is known")
        .stderr_has("`Landing page path`")
        .stderr_has("hint: map the columns");
}

#[test]
fn delimiters_detected_and_a_wrong_one_explained() {
    pinconv(["check", "tests/fixtures/bad/semicolon.csv"])
        .code(0)
        .stderr_has("delimiter `;`");
    pinconv(["check", "tests/fixtures/bad/tabs.tsv"])
        .code(0)
        .stderr_has("delimiter `tab`");
    pinconv([
        "check",
        "--delimiter",
        ",",
        "tests/fixtures/bad/semicolon.csv",
    ])
    .code(2)
    .stderr_has("`;`-separated")
    .stderr_has("hint:");
}

#[test]
fn broken_quoting_names_the_line() {
    pinconv(["check", "tests/fixtures/bad/broken_quoting.csv"])
        .code(1)
        .stderr_has("broken_quoting.csv:3: broken quoting")
        .stderr_has("never closed");
}

#[test]
fn invalid_utf8_names_line_and_column_and_the_fix() {
    let d = pinconv(["check", "tests/fixtures/bad/invalid_utf8.csv"]).code(1);
    d.stderr_has("invalid_utf8.csv:2: column `city`")
        .stderr_has("--encoding windows-1252");
    // A file that is all Windows-1252 / Latin-1 is detected as such and said so.
    pinconv(["check", "tests/fixtures/bad/latin1.csv"])
        .code(0)
        .stderr_has("is not UTF-8; read as windows-1252 (detected)")
        .stderr_has("built     3 events");
    pinconv([
        "check",
        "--encoding",
        "latin1",
        "tests/fixtures/bad/latin1.csv",
    ])
    .code(0)
    .stderr_has("built     3 events");
    pinconv([
        "check",
        "--encoding",
        "klingon",
        "tests/fixtures/bad/latin1.csv",
    ])
    .code(2)
    .stderr_has("unknown encoding");
}

#[test]
fn bom_and_crlf() {
    let d = pinconv(["build", "tests/fixtures/bad/bom.csv"]).code(0);
    assert_eq!(d.events().len(), 2);
}

#[test]
fn dates_in_many_formats() {
    let d = pinconv(["build", "tests/fixtures/bad/dates.csv"]).code(1);
    d.stderr_has("the value: not a time pinconv can read")
        .stderr_has("no time of day");
    let events = d.events();
    assert_eq!(events.len(), 9);
    // Every row but the date-only one means the same moment, 2026-11-18.
    let day = |e: &serde_json::Value| e["event_time"].as_i64().unwrap() / 86_400;
    assert!(events.iter().all(|e| day(e) == day(&events[0])));
}

#[test]
fn negative_zero_and_garbage_values() {
    let d = pinconv(["check", "tests/fixtures/bad/values.csv"]).code(1);
    d.stderr_has("value is negative")
        .stderr_has("value is zero")
        .stderr_has("not a number")
        .stderr_has("column `value`");
    let b = pinconv(["build", "tests/fixtures/bad/values.csv"]).code(1);
    let values: Vec<&str> = b
        .events()
        .iter()
        .filter_map(|e| e["custom_data"]["value"].as_str().map(|_| ""))
        .collect();
    assert!(!values.is_empty());
    assert!(b.stdout.contains("\"value\":\"1234.50\"") && b.stdout.contains("\"value\":\"12.00\""));
}

#[test]
fn orders_without_identifiers_are_rejected() {
    pinconv(["check", "tests/fixtures/bad/no_identifiers.csv"])
        .code(1)
        .stderr_has("no_identifier 3");
}

#[test]
fn non_consecutive_rows_are_reported_not_merged() {
    pinconv([
        "check",
        "--max-age",
        "off",
        "tests/fixtures/bad/duplicate_ids.csv",
    ])
    .code(1)
    .stderr_has("duplicate_ids.csv:4")
    .stderr_has("not merged");
}

#[test]
fn ndjson_bad_line_is_one_problem() {
    let d = pinconv(["build", "tests/fixtures/bad/orders.ndjson"]).code(1);
    d.stderr_has("orders.ndjson:2: invalid JSON");
    assert_eq!(d.events().len(), 2);
}

#[test]
fn not_json_is_a_usage_error() {
    pinconv(["check", "tests/fixtures/bad/not_json.json"])
        .code(2)
        .stderr_has("not a JSON array or object")
        .stderr_lacks("<html");
}

#[test]
fn config_errors_are_usage_errors() {
    let typo = temp_file(".toml", "presett = \"shopify\"\n");
    pinconv([
        "check",
        "--max-age",
        "off",
        "--config",
        typo.path().to_str().unwrap(),
        "examples/shopify/orders.json",
    ])
    .code(2)
    .stderr_has("presett");
    let bad_col = temp_file(".toml", "[columns]\nemail = \"E-Mail\"\n");
    pinconv([
        "check",
        "--max-age",
        "off",
        "--config",
        bad_col.path().to_str().unwrap(),
        "examples/generic/conversions.csv",
    ])
    .code(2)
    .stderr_has("`[columns] email = \"E-Mail\"`");
    pinconv([
        "check",
        "--max-age",
        "off",
        "--event-name",
        "frobnicate",
        "examples/shopify/orders.json",
    ])
    .code(2)
    .stderr_has("unknown event name");
    pinconv([
        "check",
        "--max-age",
        "off",
        "--event-id-template",
        "{nope}",
        "examples/shopify/orders.json",
    ])
    .code(2)
    .stderr_has("{nope}");
    pinconv([
        "check",
        "--max-age",
        "off",
        "--timezone",
        "Mars/Olympus",
        "examples/shopify/orders.json",
    ])
    .code(2)
    .stderr_has("time zone");
    pinconv(["check", "missing.csv"])
        .code(2)
        .stderr_has("cannot open `missing.csv`");
    pinconv(["check"]).code(2);
}

#[test]
fn event_names_from_the_file_and_unknown_ones() {
    let csv = "order_id,event_time,email,event_name\nA,2026-11-20T10:00:00Z,a@example.com,AddToCart\nB,2026-11-20T10:00:00Z,b@example.com,Teleport\nC,2026-11-20T10:00:00Z,c@example.com,CompleteRegistration\n";
    let f = temp_file(".csv", csv);
    let d = pinconv(["build", f.path().to_str().unwrap()]).code(1);
    d.stderr_has("unknown event name `Teleport`");
    let names: Vec<_> = d
        .events()
        .iter()
        .map(|e| e["event_name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["add_to_cart", "signup"]);
}

#[test]
fn plaintext_pii_never_reaches_messages() {
    let csv = "order_id,event_time,email,phone,country\nP-1,2026-11-20T10:00:00Z,broken.address@@example,12,US\nP-2,2026-11-20T10:00:00Z,fine@example.com,+1 201 555 0123 ext 9 x,XX\n";
    let f = temp_file(".csv", csv);
    let d = pinconv(["check", "--json", f.path().to_str().unwrap()]).code(1);
    d.stderr_has("invalid_email").stderr_has("invalid_phone");
    for secret in [
        "broken.address",
        "@@example",
        "fine@example.com",
        "555 0123",
    ] {
        d.stderr_lacks(secret);
        assert!(!d.stdout.contains(secret), "report leaks {secret}");
    }
}

#[test]
fn a_phone_number_in_the_time_column_is_not_quoted() {
    let csv = "order_id,email,event_time\nT-1,a@example.com,12065550188\n";
    let f = temp_file(".csv", csv);
    let d = pinconv(["check", "--json", f.path().to_str().unwrap()]).code(1);
    d.stderr_has("invalid_event_time").stderr_has("11 digits");
    d.stderr_lacks("12065550188");
    assert!(!d.stdout.contains("12065550188"), "report leaks the number");
}

#[test]
fn deny_warnings_turns_warnings_into_exit_1() {
    pinconv(["check", "tests/fixtures/bad/semicolon.csv"]).code(0);
    let csv = "order_id,event_time,email,value\nW-1,2026-11-20T10:00:00Z,a@example.com,10\n";
    let f = temp_file(".csv", csv);
    pinconv(["check", f.path().to_str().unwrap()])
        .code(0)
        .stderr_has("missing_currency");
    pinconv(["check", "--deny-warnings", f.path().to_str().unwrap()]).code(1);
}

#[test]
fn help_lists_exit_codes() {
    let d = pinconv(["--help"]).code(0);
    d.stdout_has("exit codes:").stdout_has("130");
    pinconv(["send", "--help"])
        .code(0)
        .stdout_has("--failed-out")
        .stdout_has("exit codes:");
}

#[test]
fn since_until_and_duplicate_columns() {
    let csv = "order_id,event_time,email,total,total,currency\nS-1,2026-11-18T10:00:00Z,a@example.com,10,99,USD\nS-2,2026-11-19T10:00:00Z,b@example.com,,20,USD\nS-3,2026-11-20T10:00:00Z,c@example.com,30,,USD\n";
    let f = temp_file(".csv", csv);
    let p = f.path().to_str().unwrap();
    let d = pinconv(["build", "--since", "2026-11-19", "--until", "2026-11-19", p]).code(0);
    d.stderr_has("outside_time_filter 2")
        .stderr_has("column `total` appears more than once");
    let events = d.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event_id"], "S-2");
    assert_eq!(
        events[0]["custom_data"]["value"], "20.00",
        "first non-empty of the duplicate columns"
    );
    pinconv(["check", "--since", "yesterday-ish", p])
        .code(2)
        .stderr_has("`--since`");
}

#[test]
fn forced_format_and_preset() {
    let json = std::fs::read(repo("examples/woocommerce/orders.json")).unwrap();
    pinconv(["check", "--max-age", "off", "--format", "json", "-"])
        .stdin(json.clone())
        .code(0)
        .stderr_has("as woocommerce json");
    pinconv([
        "check",
        "--max-age",
        "off",
        "--format",
        "json",
        "--preset",
        "shopify",
        "-",
    ])
    .stdin(json)
    .code(1)
    .stderr_has("chosen with `--preset`");
}

#[test]
fn already_built_events_must_follow_the_contract() {
    let plain = r#"{"event_name":"checkout","action_source":"web","event_time":1794996000,"event_id":"o-1","user_data":{"em":["Jane.Doe@example.com"]},"custom_data":{"value":"12.50"}}"#;
    let millis = r#"{"event_name":"checkout","action_source":"web","event_time":1794996000000,"event_id":"o-2","user_data":{"em":["973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"]}}"#;
    let alias = r#"{"event_name":"Purchase","action_source":"web","event_time":1794996000,"event_id":"o-3","user_data":{"em":["973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"]}}"#;
    let number = r#"{"event_name":"checkout","action_source":"web","event_time":1794996000,"event_id":"o-4","user_data":{"em":["973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"]},"custom_data":{"value":12.5}}"#;
    let good = r#"{"event_name":"checkout","action_source":"web","event_time":1794996000,"event_id":"o-5","user_data":{"em":["973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"]},"custom_data":{"value":"12.50"}}"#;
    let f = temp_file(".ndjson", &[plain, millis, alias, number, good].join("\n"));
    let d = pinconv(["build", "--max-age", "off", f.path().to_str().unwrap()]).code(1);
    d.stderr_has("`user_data.em` must be an array of SHA-256 hashes")
        .stderr_has("Unix seconds")
        .stderr_has("not one of Pinterest's event names")
        .stderr_has("must be strings")
        .stderr_lacks("Jane.Doe");
    let events = d.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event_id"], "o-5");
}

#[test]
fn concatenated_json_documents_are_all_read() {
    let one = r#"{"id": 1, "email": "a@example.com", "created_at": "2026-11-20T10:00:00Z", "total_price": "1.00", "currency": "USD"}"#;
    let two = r#"{"id": 2, "email": "b@example.com", "created_at": "2026-11-20T10:00:00Z", "total_price": "2.00", "currency": "USD"}"#;
    let f = temp_file(".json", &format!("{one}\n{two}\n"));
    pinconv(["check", "--json", f.path().to_str().unwrap()])
        .code(0)
        .stdout_has("\"orders\": 2");
    let arrays = temp_file(".json", &format!("[{one}]\n[{two}]"));
    pinconv(["check", "--json", arrays.path().to_str().unwrap()])
        .code(0)
        .stdout_has("\"events\": 2");
}

#[test]
fn decimal_comma_keeps_dot_decimals() {
    let d = pinconv([
        "build",
        "--max-age",
        "off",
        "--decimal-comma",
        "examples/shopify/orders.json",
    ])
    .code(0);
    assert!(d.events().iter().all(|e| e["custom_data"]["value"]
        .as_str()
        .unwrap()
        .parse::<f64>()
        .unwrap()
        < 1000.0));
}

#[test]
fn line_numbers_hold_for_every_line_ending_and_preamble() {
    let cases: [(&str, &[u8], &[u32]); 5] = [
        (
            "lf-blank",
            b"order_id,event_time,email\nA,bad,x@example.com\n\nB,bad,y@example.com\n",
            &[2, 4],
        ),
        (
            "crlf-blank",
            b"order_id,event_time,email\r\nA,bad,x@example.com\r\n\r\nB,bad,y@example.com\r\n",
            &[2, 4],
        ),
        (
            "mixed",
            b"order_id,event_time,email\nA,bad,x@example.com\r\nB,bad,y@example.com\r\n",
            &[2, 3],
        ),
        (
            "cr-only",
            b"order_id,event_time,email\rA,bad,x@example.com\rB,bad,y@example.com\r",
            &[2, 3],
        ),
        (
            "sep-line",
            b"\n\nsep=;\norder_id;event_time;email\nA;bad;x@example.com\n",
            &[5],
        ),
    ];
    for (name, bytes, want) in cases {
        let f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
        std::fs::write(f.path(), bytes).unwrap();
        let d = pinconv(["check", "--json", f.path().to_str().unwrap()]).code(1);
        let got: Vec<u64> = d.json()["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["line"].as_u64().unwrap())
            .collect();
        let want: Vec<u64> = want.iter().map(|w| u64::from(*w)).collect();
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn order_id_choice_the_export_lacks_is_named_in_the_hint() {
    // The generic example has an `order_id` column but no order name: `--order-id name`
    // would leave every order without an id, so the input stops before any order is read
    // (exit 2), saying which setting did that and which column the export has instead.
    let d = pinconv([
        "check",
        "--max-age",
        "off",
        "--order-id",
        "name",
        "examples/generic/conversions.csv",
    ])
    .code(2);
    d.stderr_has("`--order-id name` (`[order] id = \"name\"`) makes `{order_id}` the order name")
        .stderr_has("every order would be rejected")
        .stderr_has(
            "the export has the order's identifier as `order_id` (order_id): use `--order-id auto`",
        )
        .stderr_has("`--column order_name=order_id`")
        .stderr_lacks("built");
}

#[test]
fn an_unreadable_since_shows_the_value_and_a_form_that_works() {
    let d = pinconv([
        "check",
        "--since",
        "yesterday",
        "examples/generic/conversions.csv",
    ])
    .code(2);
    d.stderr_has("`--since`: `yesterday`: not a time pinconv can read")
        .stderr_has("use a date such as `2026-11-20`");
}
