//! The whole offline pipeline, as `pinconv build --max-age off -o FILE INPUT` runs it: the
//! command line resolved into settings and a plan (`commands::resolve`), then read → map →
//! group → normalize → build → account (`pipeline::run`), each problem and the summary told
//! to the real `Printer`, and each event's JSON put into request bodies.
//!
//! The first byte picks what the rest is:
//!   0: CSV rows under a Shopify export's header (`orders_export.csv`),
//!   1: CSV rows under a WooCommerce export's header,
//!   2: any bytes, the format sniffed (CSV, JSON, NDJSON, gzip),
//!   3: any bytes as a `.csv`.
//!
//! Oracle: no panic (in any pipeline thread); `Totals::balanced()` (every order in exactly one
//! bucket), which the code promises. Other relations that look true but that the code does
//! not state as invariants are checked softly: a violation writes the input to
//! `$PINCONV_FUZZ_SOFT` (default /tmp/fuzz-soft/) instead of crashing.
#![no_main]

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};

use clap::Parser as _;
use pinconv::cli::{Cli, Command};
use pinconv::config::Settings;
use pinconv::event::Built;
use pinconv::pipeline::{self, Plan, Sink};
use pinconv::printer::Printer;
use pinconv::report::{InputSummary, Problem, Severity, Totals};

const SHOPIFY_HEADER: &str = "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References\n";

const WOO_HEADER: &str = "order_id,order_number,order_date,paid_date,status,shipping_total,shipping_tax_total,fee_total,fee_tax_total,tax_total,cart_discount,order_discount,discount_total,order_total,order_subtotal,order_currency,payment_method,payment_method_title,transaction_id,customer_ip_address,customer_user_agent,shipping_method,customer_id,customer_user,customer_email,billing_first_name,billing_last_name,billing_company,billing_email,billing_phone,billing_address_1,billing_address_2,billing_postcode,billing_city,billing_state,billing_country,shipping_first_name,shipping_last_name,shipping_company,shipping_phone,shipping_address_1,shipping_address_2,shipping_postcode,shipping_city,shipping_state,shipping_country,customer_note,wt_import_key,shipping_items,fee_items,tax_items,coupon_items,refund_items,order_notes,download_permissions,line_item_1,line_item_2,line_item_3\n";

/// Modes: (file name, header written before the input).
const MODES: [(&str, &str); 4] = [
    ("orders_export.csv", SHOPIFY_HEADER),
    ("woo_orders_export.csv", WOO_HEADER),
    ("input", ""),
    ("input.csv", ""),
];

struct Mode {
    path: PathBuf,
    header: &'static str,
    settings: Arc<Settings>,
    plan: Plan,
    max_problems: usize,
}

fn modes() -> &'static [Mode] {
    static MODES_CELL: OnceLock<Vec<Mode>> = OnceLock::new();
    MODES_CELL.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("fuzz-pipeline-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        MODES
            .iter()
            .map(|&(name, header)| {
                let path = dir.join(name);
                let cli = Cli::try_parse_from([
                    std::ffi::OsStr::new("pinconv"),
                    "build".as_ref(),
                    "--max-age".as_ref(),
                    "off".as_ref(),
                    // Pinned, so an input behaves the same run after run.
                    "--now".as_ref(),
                    "2026-12-01T00:00:00Z".as_ref(),
                    "-o".as_ref(),
                    "/dev/null".as_ref(),
                    path.as_os_str(),
                ])
                .expect("command line");
                let Command::Build(args) = cli.command else {
                    unreachable!()
                };
                let (settings, plan) =
                    pinconv::commands::resolve(&args.input).expect("settings resolve");
                Mode {
                    path,
                    header,
                    settings,
                    plan,
                    max_problems: args.input.max_problems,
                }
            })
            .collect()
    })
}

/// What `build`'s sink does: problems and inputs to the printer, events into bodies.
struct FuzzSink {
    printer: Printer,
    body: Vec<u8>,
    in_body: usize,
    events: u64,
    problems: u64,
    warnings: u64,
    skipped: u64,
    rejected_problems: u64,
    bad_json: Option<String>,
}

impl Sink for FuzzSink {
    fn input(&mut self, s: &InputSummary) {
        // `describe_input` is private to the commands; its parts are these.
        let _ = format!("{s:?}");
        self.printer.info(&format!("reading `{}` as {} {}", s.file, s.preset, s.format));
    }
    fn problem(&mut self, p: &Problem) {
        self.problems += 1;
        match p.severity {
            Severity::Warning => self.warnings += 1,
            Severity::Skipped => self.skipped += 1,
            Severity::Rejected => self.rejected_problems += 1,
        }
        let _ = p.location();
        self.printer.problem(p);
    }
    fn event(&mut self, e: Built) -> anyhow::Result<()> {
        self.events += 1;
        if self.bad_json.is_none()
            && serde_json::from_str::<serde_json::Value>(&e.json)
                .map(|v| !v.is_object())
                .unwrap_or(true)
        {
            self.bad_json = Some(e.json.clone());
        }
        self.body.extend_from_slice(if self.in_body == 0 {
            br#"{"data":["#
        } else {
            b","
        });
        self.body.extend_from_slice(e.json.as_bytes());
        self.in_body += 1;
        if self.in_body == 1000 {
            self.body.clear();
            self.in_body = 0;
        }
        Ok(())
    }
}

fn soft(data: &[u8], what: &str, totals: &Totals) {
    let dir = std::env::var_os("PINCONV_FUZZ_SOFT")
        .map_or_else(|| PathBuf::from("/tmp/fuzz-soft"), PathBuf::from);
    let _ = std::fs::create_dir_all(&dir);
    let name = format!("{:016x}", {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        data.hash(&mut h);
        h.finish()
    });
    let _ = std::fs::write(dir.join(&name), data);
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("LOG"))
    {
        let _ = writeln!(
            f,
            "{name}: {what}: records {} orders {} events {} skipped {} rejected {} warnings {}",
            totals.records,
            totals.orders,
            totals.events,
            totals.skipped,
            totals.rejected,
            totals.warnings
        );
    }
}

fn run(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let mode = &modes()[usize::from(first) % MODES.len()];
    let mut bytes = Vec::with_capacity(mode.header.len() + rest.len());
    bytes.extend_from_slice(mode.header.as_bytes());
    bytes.extend_from_slice(rest);
    std::fs::write(&mode.path, &bytes).expect("write the input");

    let mut sink = FuzzSink {
        printer: Printer::new(false, mode.max_problems),
        body: Vec::new(),
        in_body: 0,
        events: 0,
        problems: 0,
        warnings: 0,
        skipped: 0,
        rejected_problems: 0,
        bad_json: None,
    };
    let cancel = AtomicBool::new(false);
    match pipeline::run(&mode.plan, &mode.settings, &mut sink, &cancel) {
        Ok(mut totals) => {
            totals.batches = u64::from(sink.in_body > 0);
            sink.printer.summary(&totals, "built");
            let _ = pinconv::commands::offline_exit(&totals, false, false);
            let _ = serde_json::to_string(&totals);

            // Promised by `Totals::balanced`: every order is in exactly one bucket.
            assert!(
                totals.balanced(),
                "totals do not add up: orders {} != events {} + skipped {} + rejected {}",
                totals.orders,
                totals.events,
                totals.skipped,
                totals.rejected
            );

            // Not stated as invariants; checked softly.
            if totals.events != sink.events {
                soft(data, "events counted != events handed to the sink", &totals);
            }
            if totals.orders > totals.records {
                soft(data, "more orders than records read", &totals);
            }
            let sum = |m: &std::collections::BTreeMap<String, u64>| m.values().sum::<u64>();
            if sum(&totals.skipped_by_reason) != totals.skipped {
                soft(data, "skipped_by_reason does not sum to skipped", &totals);
            }
            if sum(&totals.warnings_by_code) != totals.warnings {
                soft(data, "warnings_by_code does not sum to warnings", &totals);
            }
            if sum(&totals.rejected_by_reason) < totals.rejected {
                soft(data, "a rejected order without a reason", &totals);
            }
            if totals.problems.len() as u64 + totals.problems_not_listed != sink.problems {
                soft(data, "problems kept + not listed != problems told", &totals);
            }
            if sink.skipped != totals.skipped || sink.warnings != totals.warnings {
                soft(data, "sink's problem counts differ from the totals", &totals);
            }
            let days: u64 = totals.days.iter().map(|d| d.events).sum();
            if days > totals.events {
                soft(data, "more events by day than events", &totals);
            }
            if sink.bad_json.is_some() {
                soft(data, "an event's JSON is not a JSON object", &totals);
            }
        }
        Err(e) => {
            let hint = e.hint();
            sink.printer
                .error(&anyhow::Error::from(e), hint.as_deref());
        }
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| run(data));
