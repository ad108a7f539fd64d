//! `pinconv init` end to end (#11 item 12): the starter config it writes from a sample loads
//! with no error and gives the same events as detection did, byte for byte; it never
//! overwrites a file without `--force`.

use std::collections::BTreeMap;

use crate::support::{pinconv, temp_file};

/// Bundled examples and exports modelled on real ones. The day-first files with an ambiguous
/// date (`slash_dates_dmy.csv`, `excel_unicode_text.txt`, Shopify's `excel_uk_dmy.csv`) are checked apart: init writes
/// `date_order = "dmy"` from their unambiguous dates, which reads `05/11` as November where
/// detection alone still reads it as May (until the date order is inferred per input, #11
/// item 3).
const SAMPLES: &[&str] = &[
    "examples/shopify/orders_export.csv",
    "examples/shopify/orders.json",
    "examples/woocommerce/orders.json",
    "examples/woocommerce/orders_export.csv",
    "examples/generic/conversions.csv",
    "examples/custom/orders.csv",
    "tests/fixtures/real/generic/excel_de_semicolon.csv",
    "tests/fixtures/real/generic/latin1_no_config.csv",
    "tests/fixtures/real/generic/report_with_title.csv",
    "tests/fixtures/real/shopify/excel_de_semicolon_bom.csv",
    "tests/fixtures/real/shopify/excel_us_windows1252.csv",
    "tests/fixtures/real/shopify/bulk_orders_grouped.jsonl",
    "tests/fixtures/real/woocommerce/webtoffee_orders.csv",
    "tests/fixtures/real/woocommerce/rest_v3_orders.json",
    "tests/fixtures/real/other/wix_orders.csv",
    "tests/fixtures/real/other/bigcommerce_orders.csv",
];

/// Runs `init` on a sample into a fresh file and returns the file and its text.
fn init(sample: &str) -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("pinconv.toml");
    pinconv(["init", sample, "-o", cfg.to_str().unwrap()])
        .code(0)
        .stderr_has("wrote `");
    let text = std::fs::read_to_string(&cfg).unwrap();
    (dir, cfg, text)
}

/// `pinconv build --max-age off --config CFG SAMPLE`.
fn build_with(cfg: &std::path::Path, sample: &str) -> crate::support::Run {
    pinconv([
        "build",
        "--max-age",
        "off",
        "--config",
        cfg.to_str().unwrap(),
        sample,
    ])
}

/// Each event of a `build` output by its `event_id`, as its exact JSON text.
fn events_by_id(stdout: &str) -> BTreeMap<String, String> {
    crate::support::bodies(stdout)
        .iter()
        .flat_map(|b| b["data"].as_array().unwrap().clone())
        .map(|e| (e["event_id"].as_str().unwrap().to_owned(), e.to_string()))
        .collect()
}

#[test]
fn the_config_init_writes_gives_the_events_detection_gave() {
    for sample in SAMPLES {
        let (_dir, cfg, text) = init(sample);
        let detected = pinconv(["build", "--max-age", "off", sample]).output();
        let configured = build_with(&cfg, sample).output();
        let stderr = String::from_utf8_lossy(&configured.stderr);
        assert_ne!(
            configured.status.code(),
            Some(2),
            "{sample}: {stderr}\n{text}"
        );
        let (before, after) = (
            String::from_utf8(detected.stdout).unwrap(),
            String::from_utf8(configured.stdout).unwrap(),
        );
        let filled = text
            .lines()
            .skip_while(|l| !l.starts_with("[columns]"))
            .any(|l| !l.starts_with('#') && !l.starts_with('[') && l.contains(" = "));
        if filled {
            // The lines init added fill fields detection left empty: every event detection
            // built is built the same, and more orders are.
            let (before, after) = (events_by_id(&before), events_by_id(&after));
            for (id, event) in &before {
                assert_eq!(after.get(id), Some(event), "{sample}: event {id}\n{text}");
            }
            assert!(after.len() > before.len(), "{sample}\n{text}");
        } else {
            assert!(!before.is_empty(), "{sample}");
            assert_eq!(before, after, "{sample}\n{text}");
        }
    }
}

#[test]
fn init_writes_what_it_detected() {
    let (_d, _c, text) = init("tests/fixtures/real/generic/excel_de_semicolon.csv");
    for line in [
        "preset = \"generic\"",
        "delimiter = \";\"",
        "encoding = \"windows-1252\"",
        "decimal_comma = true",
        "# timezone = ",
        "event_time = \"Bestelldatum\"",
        "order_id = \"Bestellnummer\"",
        "total = \"Gesamtsumme\"",
        "currency = \"Währung\"",
        "# first_name = \"Vorname\"",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    assert!(text.contains("times carry no UTC offset"), "{text}");
    // Day-first files: the order is written, and it reads the ambiguous `05/11` as November.
    for (sample, time) in [
        (
            "tests/fixtures/real/generic/slash_dates_dmy.csv",
            1_793_869_200,
        ), // 2026-11-05 09:00Z
        (
            "tests/fixtures/real/generic/excel_unicode_text.txt",
            1_793_895_600,
        ), // 2026-11-05 16:20Z
    ] {
        let (_d, cfg, text) = init(sample);
        assert!(text.contains("\ndate_order = \"dmy\"\n"), "{text}");
        let d = build_with(&cfg, sample).code(0);
        d.stderr_lacks("ambiguous");
        assert!(
            d.events().iter().any(|e| e["event_time"] == time),
            "{sample}: {}",
            d.stdout
        );
    }
    let sample = "tests/fixtures/real/shopify/excel_uk_dmy.csv";
    let (_d, cfg, text) = init(sample);
    assert!(text.contains("\ndate_order = \"dmy\"\n"), "{text}");
    let before = pinconv(["build", "--max-age", "off", sample]).output();
    // The file's own dates show it writes day first: no guess before the config either.
    assert!(!String::from_utf8_lossy(&before.stderr).contains("ambiguous"));
    let after = build_with(&cfg, sample).output();
    assert_eq!(after.status.code(), before.status.code());
    assert_eq!(
        after.stdout, before.stdout,
        "the config gives the same events"
    );
    assert!(!String::from_utf8_lossy(&after.stderr).contains("ambiguous"));
    // Shopify's export: offsets in the times, nothing to map.
    let (_d, _c, text) = init("examples/shopify/orders_export.csv");
    assert!(text.contains("preset = \"shopify\"") && text.contains("carry their UTC offset"));
    assert!(
        text.contains("# the preset reads every field pinconv needs"),
        "{text}"
    );
}

#[test]
fn init_maps_a_header_pinconv_cannot_read_alone() {
    let f = temp_file(
        ".csv",
        "Bestellnummer;Bestelldatum;Kontakt-Mail;Vorname;Betrag;Währung\n10001;20.11.2026 14:05;anna.mueller@example.com;Anna;12,50;EUR\n",
    );
    let sample = f.path().to_str().unwrap();
    pinconv(["build", sample]).code(2);
    let (_d, cfg, text) = init(sample);
    assert!(text.contains("email = \"Kontakt-Mail\""), "{text}");
    assert!(!text.contains("anna.mueller"), "{text}");
    let d = pinconv(["build", "--config", cfg.to_str().unwrap(), sample]).code(0);
    assert_eq!(d.events()[0]["custom_data"]["value"], "12.50");
}

#[test]
fn init_never_overwrites_without_force() {
    let existing = temp_file(".toml", "# mine\n");
    let path = existing.path().to_str().unwrap();
    pinconv(["init", "examples/generic/conversions.csv", "-o", path])
        .code(2)
        .stderr_has("exists already")
        .stderr_has("`--force`");
    assert_eq!(std::fs::read_to_string(path).unwrap(), "# mine\n");
    pinconv([
        "init",
        "examples/generic/conversions.csv",
        "-o",
        path,
        "--force",
    ])
    .code(0);
    assert!(std::fs::read_to_string(path)
        .unwrap()
        .contains("preset = \"generic\""));
}

#[test]
fn init_without_a_sample_prints_a_template_that_loads() {
    let d = pinconv(["init"]).code(0);
    assert!(d.stdout.contains("[columns]"), "{}", d.stdout);
    let cfg = temp_file(".toml", &d.stdout);
    let sample = "examples/generic/conversions.csv";
    let with = pinconv([
        "build",
        "--config",
        cfg.path().to_str().unwrap(),
        "--max-age",
        "off",
        sample,
    ])
    .code(0);
    let without = pinconv(["build", "--max-age", "off", sample]).code(0);
    assert_eq!(with.stdout, without.stdout);
}
