//! Column mapping end to end (#11 item 8): every field a header lacks and every unread
//! identity or money column is reported in one run, with `[columns]` lines chosen by name;
//! `--column FIELD=HEADER` maps a column for one run; an event id template that names an
//! identifier the export lacks stops with the column it has instead.

use crate::support::{pinconv, temp_file};

const GERMAN: &str =
    "Bestellnummer;Bestelldatum;Kontakt-Mail;Vorname;Nachname;Stadt;PLZ;Betrag;Währung\n\
    10001;20.11.2026 14:05;anna.mueller@example.com;Anna;Müller;Berlin;10115;12,50;EUR\n";

/// The `[columns]` lines the German header needs, as the report prints them.
const GERMAN_LINES: &[&str] = &[
    "email = \"Kontakt-Mail\"",
    "event_time = \"Bestelldatum\"",
    "order_id = \"Bestellnummer\"",
    "total = \"Betrag\"",
    "currency = \"Währung\"",
    "first_name = \"Vorname\"",
    "last_name = \"Nachname\"",
    "city = \"Stadt\"",
    "zip = \"PLZ\"",
];

#[test]
fn a_german_header_gets_every_line_to_add_in_one_run() {
    let f = temp_file(".csv", GERMAN);
    let d = pinconv(["check", f.path().to_str().unwrap()]).code(2);
    d.stderr_has("no column of the header is known to the `generic` preset");
    for line in GERMAN_LINES {
        d.stderr_has(&format!("\n    {line}\n"));
    }
    // Chosen by name, not the first column.
    d.stderr_lacks("email = \"Bestellnummer\"")
        .stderr_lacks("anna.mueller");
}

#[test]
fn the_lines_of_the_report_passed_as_column_flags_build_the_order() {
    let f = temp_file(".csv", GERMAN);
    let mut args = vec!["build".to_owned(), f.path().to_str().unwrap().to_owned()];
    for line in GERMAN_LINES {
        let (field, header) = line.split_once(" = ").unwrap();
        args.push("--column".into());
        args.push(format!("{field}={}", header.trim_matches('"')));
    }
    args.extend(
        [
            "--decimal-comma",
            "--date-order",
            "dmy",
            "--timezone",
            "Europe/Berlin",
        ]
        .map(String::from),
    );
    let d = pinconv(&args).code(0);
    d.stderr_lacks("no column gives")
        .stderr_lacks("no field reads");
    let events = d.events();
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["event_id"], "10001");
    // 2026-11-20 14:05 in Berlin (UTC+1).
    assert_eq!(e["event_time"], 1_795_179_900);
    assert_eq!(e["custom_data"]["value"], "12.50");
    assert_eq!(e["custom_data"]["currency"], "EUR");
    for k in ["em", "fn", "ln", "ct", "zp"] {
        assert!(e["user_data"][k].is_array(), "{k}: {e}");
    }
}

#[test]
fn a_header_with_an_email_lists_the_other_needed_fields_and_unread_columns() {
    // Excel's German export: `E-Mail` is read by its name; the rest needs a mapping.
    let d = pinconv([
        "check",
        "--max-age",
        "off",
        "tests/fixtures/real/generic/excel_de_semicolon.csv",
    ])
    .code(1);
    d.stderr_has("warning: `tests/fixtures/real/generic/excel_de_semicolon.csv`: no column gives `event_time` (the order's date and time), `order_id` (the order's identifier, for `event_id`), `total` (the order's value), `currency` (the currency of the value)")
        .stderr_has("no field reads `Telefon` (phone), `Vorname` (first_name), `Nachname` (last_name), `Ort` (city), `PLZ` (zip), `Land` (country)")
        .stderr_has("pass them as `--column FIELD=HEADER`");
    for line in [
        "event_time = \"Bestelldatum\"",
        "order_id = \"Bestellnummer\"",
        "total = \"Gesamtsumme\"",
        "currency = \"Währung\"",
        "phone = \"Telefon\"",
    ] {
        d.stderr_has(&format!("\n    {line}\n"));
    }
    // The same report, as data.
    let d = pinconv([
        "check",
        "--json",
        "--max-age",
        "off",
        "tests/fixtures/real/generic/excel_de_semicolon.csv",
    ])
    .code(1);
    let mapping = &d.json()["inputs"][0]["mapping"];
    assert_eq!(mapping[0]["field"], "event_time");
    assert_eq!(mapping[0]["column"], "Bestelldatum");
    assert_eq!(mapping[0]["reason"], "needed");
    assert!(mapping
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["field"] == "first_name" && m["reason"] == "unread"));
    // A mapped file says nothing of the kind.
    pinconv([
        "check",
        "--max-age",
        "off",
        "--config",
        "tests/fixtures/real/generic/excel_de_semicolon.toml",
        "tests/fixtures/real/generic/excel_de_semicolon.csv",
    ])
    .code(0)
    .stderr_lacks("no column gives")
    .stderr_lacks("no field reads");
}

#[test]
fn column_flags_replace_the_config_for_their_field() {
    let cfg = temp_file(
        ".toml",
        "[columns]\nemail = \"Nope\"\nevent_time = \"Bestelldatum\"\norder_id = \"Bestellnummer\"\n",
    );
    let f = temp_file(".csv", GERMAN);
    let (cfg, f) = (cfg.path().to_str().unwrap(), f.path().to_str().unwrap());
    pinconv(["check", "--config", cfg, f])
        .code(2)
        .stderr_has("`[columns] email = \"Nope\"` (or `--column email=Nope`) names a column the header does not have");
    let d = pinconv([
        "build",
        "--config",
        cfg,
        "--column",
        "email=Kontakt-Mail",
        f,
    ])
    .code(0);
    // The config's other lines still apply.
    assert_eq!(d.events()[0]["event_id"], "10001");
    // Two flags for one field make a list; a bad flag is a usage error.
    pinconv([
        "check",
        "--column",
        "email=Kontakt-Mail",
        "--column",
        "email=Vorname",
        f,
    ])
    .code(1)
    .stderr_lacks("no field reads `Vorname`");
    pinconv(["check", "--column", "email", f])
        .code(2)
        .stderr_has("`--column email` must be FIELD=HEADER");
    pinconv(["check", "--column", "mail=Kontakt-Mail", f])
        .code(2)
        .stderr_has("unknown field `mail` in `--column mail=Kontakt-Mail`");
}

#[test]
fn an_event_id_template_the_export_cannot_fill_names_the_column_it_has() {
    let d = pinconv([
        "build",
        "--max-age",
        "off",
        "--event-id-template",
        "{order_number}",
        "examples/shopify/orders_export.csv",
    ])
    .code(2);
    d.stderr_has("the event id template needs `{order_number}`, the order number, but the `shopify` preset finds no column for it")
        .stderr_has("the export has the order's identifier as `Name` (order_name)")
        .stderr_has("use `--event-id-template '{order_name}'`")
        .stderr_has("`--column order_number=Name`")
        .stderr_lacks("`[columns] order_id");
    assert!(d.stdout.is_empty());
    // Either fix works.
    let by_name = pinconv([
        "build",
        "--max-age",
        "off",
        "--event-id-template",
        "{order_name}",
        "examples/shopify/orders_export.csv",
    ])
    .code(1);
    let mapped = pinconv([
        "build",
        "--max-age",
        "off",
        "--event-id-template",
        "{order_number}",
        "--column",
        "order_number=Name",
        "examples/shopify/orders_export.csv",
    ])
    .code(1);
    let ids = |d: &crate::support::Done| {
        d.events()
            .iter()
            .map(|e| e["event_id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&by_name), ids(&mapped));
    assert!(ids(&by_name).contains(&"#1041".to_owned()));
}
