//! Match quality and the HTML report, end to end: coverage of every bundled example computed
//! again here from the bodies `build` writes and pinned, the coverage warning, and the HTML
//! report opened in headless Chromium, whose rendered numbers must be the JSON report's.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use rust_decimal::Decimal;
use serde_json::Value;

use crate::support::{pinconv, read_json, repo, temp_file, EXAMPLES};

/// The coverage keys, in report order.
const KEYS: [&str; 16] = [
    "em",
    "ph",
    "fn",
    "ln",
    "ct",
    "st",
    "zp",
    "country",
    "db",
    "ge",
    "external_id",
    "client_ip_address",
    "click_id",
    "hashed_maids",
    "value",
    "contents",
];

fn carried(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    }
}

/// Coverage counted from the built events themselves, as the README defines it.
fn count_keys(events: &[Value]) -> BTreeMap<&'static str, u64> {
    let mut out: BTreeMap<&str, u64> = KEYS.iter().map(|k| (*k, 0)).collect();
    for e in events {
        let u = &e["user_data"];
        let c = &e["custom_data"];
        for key in KEYS {
            let on = match key {
                "client_ip_address" => {
                    carried(&u["client_ip_address"]) && carried(&u["client_user_agent"])
                }
                "value" => carried(&c["value"]) && carried(&c["currency"]),
                "contents" => carried(&c["contents"]),
                k => carried(&u[k]),
            };
            if on {
                *out.get_mut(key).unwrap() += 1;
            }
        }
    }
    out
}

fn distinct_emails(events: &[Value]) -> u64 {
    let set: BTreeSet<&str> = events
        .iter()
        .filter_map(|e| e["user_data"]["em"].as_array())
        .flatten()
        .map(|v| v.as_str().unwrap())
        .collect();
    set.len() as u64
}

/// The shop's time zone of an example: its config's `timezone`, else UTC.
fn zone(args: &[&str]) -> jiff::tz::TimeZone {
    let config = args
        .iter()
        .position(|a| *a == "--config")
        .map(|i| std::fs::read_to_string(repo(args[i + 1])).unwrap());
    let name = config
        .and_then(|c| c.parse::<toml::Table>().unwrap().get("timezone").cloned())
        .and_then(|v| v.as_str().map(str::to_owned));
    name.map_or(jiff::tz::TimeZone::UTC, |n| {
        jiff::tz::TimeZone::get(&n).unwrap()
    })
}

/// Events and value per day in the shop's time zone.
fn per_day(
    events: &[Value],
    tz: &jiff::tz::TimeZone,
) -> BTreeMap<String, (u64, BTreeMap<String, Decimal>)> {
    let mut out: BTreeMap<String, (u64, BTreeMap<String, Decimal>)> = BTreeMap::new();
    for e in events {
        let t = jiff::Timestamp::from_second(e["event_time"].as_i64().unwrap()).unwrap();
        let day = t.to_zoned(tz.clone()).date().to_string();
        let d = out.entry(day).or_default();
        d.0 += 1;
        let c = &e["custom_data"];
        if let (Some(v), Some(cur)) = (c["value"].as_str(), c["currency"].as_str()) {
            *d.1.entry(cur.to_owned()).or_default() += v.parse::<Decimal>().unwrap();
        }
    }
    out
}

fn share(n: u64, of: u64) -> f64 {
    (n as f64 / of as f64 * 10_000.0).round() / 10_000.0
}

#[test]
fn coverage_of_every_example_is_what_its_built_events_carry() {
    for args in EXAMPLES {
        let mut build = vec!["build"];
        build.extend_from_slice(args);
        let events = pinconv(&build).output();
        let events = crate::support::bodies(&String::from_utf8(events.stdout).unwrap())
            .into_iter()
            .flat_map(|b| b["data"].as_array().unwrap().clone())
            .collect::<Vec<_>>();
        let mut check = vec!["check", "--json"];
        check.extend_from_slice(args);
        let out = pinconv(&check).output();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let n = events.len() as u64;
        assert_eq!(report["events"], n, "{args:?}");
        let want = count_keys(&events);
        let cov = report["coverage"].as_object().unwrap();
        assert_eq!(
            cov.keys().map(String::as_str).collect::<Vec<_>>(),
            KEYS,
            "{args:?}: keys in order"
        );
        for key in KEYS {
            assert_eq!(cov[key]["count"], want[key], "{args:?}: `{key}`");
            assert_eq!(
                cov[key]["share"].as_f64().unwrap(),
                share(want[key], n),
                "{args:?}: `{key}` share"
            );
        }
        assert_eq!(
            report["distinct_emails"]["count"],
            distinct_emails(&events),
            "{args:?}"
        );
        assert_eq!(report["distinct_emails"]["exact"], true);
        let days = per_day(&events, &zone(args));
        let got = report["days"].as_array().unwrap();
        assert_eq!(got.len(), days.len(), "{args:?}: days");
        for d in got {
            let (events, value) = &days[d["date"].as_str().unwrap()];
            assert_eq!(d["events"], *events, "{args:?}: {d}");
            for (cur, sum) in value {
                assert_eq!(
                    d["value"][cur]
                        .as_str()
                        .unwrap()
                        .parse::<Decimal>()
                        .unwrap(),
                    *sum,
                    "{args:?}: {d}"
                );
            }
        }
    }
}

/// The coverage line of `key` in a summary: `count share`.
fn summary_line(stderr: &str, key: &str) -> String {
    stderr
        .lines()
        .find(|l| l.split_whitespace().next() == Some(key) && l.contains('%'))
        .unwrap_or_else(|| panic!("no coverage line for `{key}`:\n{stderr}"))
        .split_whitespace()
        .skip(1)
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn coverage_of_the_shopify_export_is_pinned_in_every_summary() {
    let input = "examples/shopify/orders_export.csv";
    // Counted by hand from the export: 7 orders are built (#1041, #1042, #1045 to #1049), all
    // with an email; #1045 has no billing address at all (so no phone, name, city, zip or
    // country) and #1049 no phone; only the US orders #1041, #1042, #1046 and #1049 have a
    // state (Germany's and Britain's orders have none); every order has a value and items.
    let pinned = [
        ("em", "7 100.0%"),
        ("ph", "5 71.4%"),
        ("fn", "6 85.7%"),
        ("ln", "6 85.7%"),
        ("ct", "6 85.7%"),
        ("st", "4 57.1%"),
        ("zp", "6 85.7%"),
        ("country", "6 85.7%"),
        ("db", "0 0.0%"),
        ("external_id", "0 0.0%"),
        ("client_ip_address", "0 0.0%"),
        ("value", "7 100.0%"),
        ("contents", "7 100.0%"),
    ];
    for cmd in [
        vec!["check", "--max-age", "off", input],
        vec!["build", "--max-age", "off", "-o", "/dev/null", input],
        vec!["send", "--dry-run", "--max-age", "off", input],
    ] {
        let d = pinconv(&cmd).code(1);
        d.stderr_has("coverage  share of the 7 events carrying each match key")
            .stderr_has("7 distinct");
        for (key, want) in pinned {
            assert_eq!(summary_line(&d.stderr, key), want, "{cmd:?}: `{key}`");
        }
    }
    let json = pinconv(["check", "--json", "--max-age", "off", input])
        .code(1)
        .json();
    assert_eq!(json["coverage"]["ph"]["count"], 5);
    assert_eq!(json["coverage"]["ph"]["share"], 0.7143);
    assert_eq!(json["distinct_emails"]["count"], 7);
}

#[test]
fn a_phone_column_whose_values_are_dropped_warns_once_with_the_reasons() {
    let f = temp_file(
        ".csv",
        "order_id,email,phone,country,created_at,value,currency\n\
         A1,ann@example.com,ask customer,US,2026-11-20T10:00:00Z,10.00,USD\n\
         A2,bob@example.com,ask customer,US,2026-11-20T11:00:00Z,12.50,USD\n\
         A3,cy@example.com,12,US,2026-11-21T11:00:00Z,7.25,USD\n\
         A4,ann@example.com,+1 212 555 0123,US,2026-11-21T12:00:00Z,3.00,USD\n",
    );
    let path = f.path().to_str().unwrap();
    let d = pinconv(["check", "--quiet", path]).code(0);
    let warning = "warning: `ph` is missing on 3 of 4 built events (75.0%) although column `phone` provides it: 3 values were dropped (not a phone number: no digits 2, not a phone number: cannot be parsed 1)";
    assert_eq!(d.stderr.matches(warning).count(), 1, "{}", d.stderr);
    d.stderr_has("hint: write international numbers with a leading `+`")
        .stderr_has("3 distinct");
    let json = pinconv(["check", "--json", path]).code(0).json();
    let w = &json["coverage_warnings"][0];
    assert_eq!(w["key"], "ph");
    assert_eq!(w["columns"][0], "phone");
    assert_eq!(w["events_without"], 3);
    assert_eq!(w["dropped"], 3);
    assert_eq!(w["reasons"][0]["reason"], "not a phone number: no digits");
    assert_eq!(w["reasons"][0]["count"], 2);
    assert_eq!(json["coverage_warnings"].as_array().unwrap().len(), 1);
    // Well covered keys do not warn.
    assert_eq!(json["coverage"]["em"]["count"], 4);
    assert_eq!(json["distinct_emails"]["count"], 3);
}

// ---- the HTML report in a browser ----------------------------------------------------------

/// Chromium, which CI installs (`.ci/run`); this test fails without it, by design.
fn chromium() -> PathBuf {
    let name = std::env::var_os("CHROMIUM").unwrap_or_else(|| "chromium".into());
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(&name))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "`chromium` is not on PATH: the HTML report test needs it; install it with `apt-get install -y chromium` (CI does, in .ci/run) or set CHROMIUM"
        )
    })
}

/// A stand-in HTTP proxy on 127.0.0.1 that answers every request with 502 and remembers its
/// first line (`GET http://host/path`, `CONNECT host:443`): what the browser tried to load.
struct Trap {
    port: u16,
    seen: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Trap {
    fn start() -> Trap {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let _ = conn.set_read_timeout(Some(std::time::Duration::from_secs(5)));
                let mut line = String::new();
                let _ = BufReader::new(&conn).read_line(&mut line);
                // A connection that closes before a request line is Chromium connecting to
                // its proxy ahead of need (seen once in a run of `.ci/run` as a request
                // ""), not a request.
                if !line.trim().is_empty() {
                    log.lock().unwrap().push(line.trim().to_owned());
                }
                let _ = (&conn).write_all(
                    b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            }
        });
        Trap { port, seen }
    }

    /// Requests for anything but Chromium's own services (its clock, update and account
    /// checks, which it makes whatever the page).
    fn page_requests(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|l| {
                let host = l
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("")
                    .trim_start_matches("http://")
                    .split(['/', ':'])
                    .next()
                    .unwrap_or("");
                !(host.ends_with(".google.com")
                    || host.ends_with(".googleapis.com")
                    || host.ends_with(".gvt1.com"))
            })
            .cloned()
            .collect()
    }
}

/// Headless Chromium with no network: no background services, and every request it makes
/// sent to `trap` on 127.0.0.1.
fn headless(profile: &Path, trap: &Trap) -> Command {
    let mut c = Command::new(chromium());
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--hide-scrollbars",
        "--proxy-bypass-list=<-loopback>",
    ])
    .arg(format!("--proxy-server=127.0.0.1:{}", trap.port))
    .arg(format!("--user-data-dir={}", profile.display()))
    .env("HOME", profile);
    c
}

/// The text of the element carrying attribute `attr="name"`.
fn dom_value(dom: &str, attr: &str, name: &str) -> String {
    let tag = format!("{attr}=\"{name}\"");
    let at = dom
        .find(&tag)
        .unwrap_or_else(|| panic!("the page has no {tag}"));
    let rest = &dom[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest[start..].find('<').unwrap() + start;
    rest[start..end].replace(',', "")
}

/// Every email and phone value of a CSV export's cells.
fn pii_of(csv: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rd = csv::Reader::from_reader(csv.as_bytes());
    let header = rd.headers().unwrap().clone();
    for rec in rd.records() {
        let rec = rec.unwrap();
        for (h, v) in header.iter().zip(rec.iter()) {
            let h = h.to_ascii_lowercase();
            let v = v.trim();
            if !v.is_empty() && (v.contains('@') || h.contains("phone")) {
                out.push(v.to_owned());
            }
        }
    }
    assert!(out.len() > 5, "the example should hold emails and phones");
    out
}

#[test]
fn the_html_report_renders_the_json_reports_numbers_and_loads_nothing() {
    let input = "examples/shopify/orders_export.csv";
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let out = pinconv([
        "check",
        "--json",
        "--max-age",
        "off",
        "--html",
        html.to_str().unwrap(),
        input,
    ])
    .code(1);
    let json = out.json();
    let page = std::fs::read_to_string(&html).unwrap();

    // Owner-only, like any file that names a shop's figures.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&html).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Nothing to load: a CSP that forbids it, and no URL anywhere in the file.
    assert!(page.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
    ));
    for bad in [
        "http://", "https://", "src=", "href=", "url(", "<script", "@import", "<link",
    ] {
        assert!(!page.contains(bad), "the page has `{bad}`");
    }
    // No email or phone of the input, in any form that was in the file.
    let source = std::fs::read_to_string(repo(input)).unwrap();
    for v in pii_of(&source) {
        assert!(!page.contains(&v), "the page holds an input value");
    }
    assert!(
        !page.replace("@media", "").contains('@'),
        "the page holds something like an email"
    );

    // The trap sees what a page loads: a page with an image URL and no CSP shows it.
    let profile = dir.path().join("profile");
    let trap = Trap::start();
    let control = dir.path().join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><p>control</p><img src=\"http://pinconv-control.invalid/x.png\">",
    )
    .unwrap();
    headless(&profile, &trap)
        .args(["--dump-dom", &format!("file://{}", control.display())])
        .output()
        .expect("run chromium");
    assert!(
        trap.page_requests()
            .iter()
            .any(|l| l.contains("pinconv-control.invalid")),
        "the trap saw no request of the control page: {:?}",
        trap.seen.lock().unwrap()
    );

    // The report as Chromium renders it, loading nothing.
    let trap = Trap::start();
    let url = format!("file://{}", html.display());
    let dumped = headless(&profile, &trap)
        .args(["--dump-dom", &url])
        .output()
        .expect("run chromium");
    assert_eq!(
        trap.page_requests(),
        Vec::<String>::new(),
        "the page made requests"
    );
    let dom = String::from_utf8_lossy(&dumped.stdout).into_owned();
    assert!(
        dom.contains("id=\"coverage\""),
        "chromium rendered nothing:\n{}",
        String::from_utf8_lossy(&dumped.stderr)
    );
    for k in [
        "records", "orders", "events", "skipped", "rejected", "warnings",
    ] {
        assert_eq!(dom_value(&dom, "data-k", k), json[k].to_string(), "`{k}`");
    }
    for key in KEYS {
        assert_eq!(
            dom_value(&dom, "data-cov", key),
            json["coverage"][key]["count"].to_string(),
            "coverage `{key}`"
        );
        let share = json["coverage"][key]["share"].as_f64().unwrap();
        assert_eq!(
            dom_value(&dom, "data-share", key),
            format!("{:.1}%", share * 100.0),
            "share `{key}`"
        );
    }
    assert_eq!(
        dom_value(&dom, "data-k", "distinct_emails"),
        json["distinct_emails"]["count"].to_string()
    );
    for (code, n) in json["rejected_by_reason"].as_object().unwrap() {
        assert_eq!(
            dom_value(&dom, "data-reason", &format!("rejected:{code}")),
            n.to_string()
        );
    }
    for d in json["days"].as_array().unwrap() {
        let date = d["date"].as_str().unwrap();
        assert_eq!(dom_value(&dom, "data-day", date), d["events"].to_string());
    }
    assert!(dom.contains("check only: nothing was sent to Pinterest"));
    // The rejected order's problem, with where and the fix.
    assert!(dom.contains("examples/shopify/orders_export.csv:19"));
    assert!(dom.contains("hint: orders without an email"));

    // A screenshot, as the README shows it (`UPDATE_SCREENSHOT=1` rewrites docs/report.png).
    let png = dir.path().join("report.png");
    let shot = headless(&profile, &trap)
        .args([
            "--window-size=820,2300",
            &format!("--screenshot={}", png.display()),
            &url,
        ])
        .output()
        .expect("run chromium");
    let bytes = std::fs::read(&png).unwrap_or_else(|e| {
        panic!(
            "no screenshot ({e}):\n{}",
            String::from_utf8_lossy(&shot.stderr)
        )
    });
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    if std::env::var_os("UPDATE_SCREENSHOT").is_some() {
        assert!(
            bytes.len() < 300_000,
            "the screenshot is too big for the README"
        );
        std::fs::write(repo("docs/report.png"), &bytes).unwrap();
    }
}
#[test]
fn send_dry_run_html_has_the_banner_and_the_reports_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("run.html");
    let report = dir.path().join("run.json");
    pinconv([
        "send",
        "--dry-run",
        "--max-age",
        "off",
        "--html",
        html.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "examples/shopify/orders.json",
        "examples/woocommerce/orders.json",
    ])
    .code(0);
    let page = std::fs::read_to_string(&html).unwrap();
    let json: Value = read_json(&report);
    assert!(page.contains("dry run (--dry-run): nothing was sent to Pinterest"));
    assert_eq!(json["command"], "send");
    assert_eq!(
        dom_value(&page, "data-k", "would_send"),
        json["send"]["would_send"].to_string()
    );
    assert_eq!(
        dom_value(&page, "data-k", "events"),
        json["offline"]["events"].to_string()
    );
    assert_eq!(
        dom_value(&page, "data-cov", "em"),
        json["offline"]["coverage"]["em"]["count"].to_string()
    );
}

#[test]
fn send_html_shows_the_delivery_of_the_json_report_and_never_the_token() {
    let server = crate::send::failing_o_2(crate::mock_server::Reply::Ok);
    let input = crate::send::orders(4);
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("run.html");
    let report = dir.path().join("run.json");
    crate::send::send(
        &server,
        &[
            "--no-state",
            "--test",
            "--html",
            html.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
        input.path().to_str().unwrap(),
    )
    .code(3);
    let page = std::fs::read_to_string(&html).unwrap();
    let json: Value = read_json(&report);
    assert!(!page.contains(crate::send::TOKEN) && !page.contains("pina_"));
    assert!(!page.contains("@example.com"));
    assert!(page.contains("test run (--test): Pinterest validated the events but recorded nothing"));
    assert_eq!(json["send"]["accepted"], 3);
    for k in [
        "accepted",
        "failed",
        "already_sent",
        "retried_from_ledger",
        "requests",
        "retries",
    ] {
        assert_eq!(
            dom_value(&page, "data-k", k),
            json["send"][k].to_string(),
            "`{k}`"
        );
    }
    assert_eq!(
        dom_value(&page, "data-k", "request_ids"),
        json["send"]["request_ids"]
            .as_array()
            .unwrap()
            .len()
            .to_string()
    );
    let rid = json["send"]["request_ids"][0].as_str().unwrap();
    assert!(page.contains(rid), "request id `{rid}` not shown");
    assert!(page.contains("Invalid event_timestamp"));
    assert_eq!(dom_value(&page, "data-k", "exit_code"), "3");
    assert_eq!(json["exit_code"], 3);
    assert_eq!(
        dom_value(&page, "data-k", "duration_ms"),
        json["duration_ms"].to_string()
    );
}

#[test]
fn an_html_path_that_is_an_input_is_refused_before_anything_is_written() {
    let f = temp_file(
        ".csv",
        "order_id,email,created_at,value,currency\nA1,ann@example.com,2026-11-20T10:00:00Z,10.00,USD\n",
    );
    let path = f.path().to_str().unwrap();
    let before = std::fs::read(f.path()).unwrap();
    for cmd in ["check", "send"] {
        let mut args = vec![cmd, "--html", path, path];
        if cmd == "send" {
            args.insert(1, "--dry-run");
        }
        pinconv(&args)
            .code(2)
            .stderr_has("as an input and as `--html`");
        assert_eq!(std::fs::read(f.path()).unwrap(), before, "{cmd}");
    }
}
