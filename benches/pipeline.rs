//! Micro-benchmarks of the hot path: hashing one identity field, building one event, the
//! whole offline pipeline over a generated Shopify export, and the delivery ledger's side of
//! a `send` (look up, then record, 20 batches of 1,000 events in a fresh ledger). Whole-run figures (orders/s,
//! peak memory, events/s sent) come from `scripts/bench.sh`.

use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use pinconv::cli::Cli;
use pinconv::normalize::{self, Context, Field};

fn main() {
    divan::main();
}

#[divan::bench]
fn hash_email() -> Option<String> {
    normalize::hash(
        Field::Em,
        divan::black_box(" Zoe.Mueller@Example.com "),
        &Context::default(),
    )
    .ok()
    .flatten()
}

#[divan::bench]
fn hash_phone() -> Option<String> {
    let ctx = Context {
        country: Some("US"),
        default_country: None,
    };
    normalize::hash(Field::Ph, divan::black_box("(201) 555-0123"), &ctx)
        .ok()
        .flatten()
}

/// A small Shopify export: 2,000 orders of two rows each.
fn export() -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new()
        .suffix(".csv")
        .tempfile()
        .expect("temp file");
    writeln!(f, "Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Id,Source").unwrap();
    for i in 0..2000 {
        writeln!(f, "#{i},user{i}@example.com,paid,USD,30.00,5.00,2.00,37.00,2026-11-20 10:00:00 -0500,1,Mug,10.00,SKU-{i},Ana Lima {i},Menlo Park,94025,CA,US,+1 201 555 01{:02},{},web", i % 100, 5_000_000 + i).unwrap();
        writeln!(
            f,
            "#{i},user{i}@example.com,,,,,,,2026-11-20 10:00:00 -0500,2,Plate,10.00,SKU-P,,,,,,,,"
        )
        .unwrap();
    }
    f.flush().unwrap();
    f
}

#[divan::bench(sample_count = 10)]
fn pipeline_4000_rows(bencher: divan::Bencher) {
    let file = export();
    let path = file.path().to_str().unwrap().to_owned();
    let cli =
        <Cli as clap::Parser>::parse_from(["pinconv", "check", "--max-age", "off", "-q", &path]);
    let pinconv::cli::Command::Check(args) = cli.command else {
        unreachable!()
    };
    let (settings, plan) = pinconv::commands::resolve(&args.input).expect("settings");
    struct Count(u64);
    impl pinconv::pipeline::Sink for Count {
        fn event(&mut self, _e: pinconv::event::Built) -> anyhow::Result<()> {
            self.0 += 1;
            Ok(())
        }
    }
    let settings: Arc<_> = settings;
    bencher.bench(|| {
        let mut sink = Count(0);
        pinconv::pipeline::run(&plan, &settings, &mut sink, &AtomicBool::new(false)).expect("run");
        assert_eq!(sink.0, 2000);
    });
}

/// One `send` batch as the ledger sees it: 1,000 events of a Shopify export (keyed by order
/// id, with the order's id and name as identifiers), the `n`th batch of the run.
fn ledger_batch(n: usize) -> Vec<pinconv::ledger::Accepted> {
    (0..1000)
        .map(|i| {
            let id = (6_700_000_000_000_u64 + (n * 1000 + i) as u64).to_string();
            pinconv::ledger::Accepted {
                key: pinconv::ledger::EventKey::new("checkout", id.clone()),
                fingerprint: pinconv::ledger::fingerprint_exact(&id),
                event_time: 1_795_000_000 + (n * 1000 + i) as i64,
                identifiers: vec![("id", id), ("name", format!("#{}", 1001 + n * 1000 + i))],
            }
        })
        .collect()
}

#[divan::bench(sample_count = 10)]
fn ledger_send_20000_events(bencher: divan::Bencher) {
    let batches: Vec<_> = (0..20).map(ledger_batch).collect();
    bencher
        .with_inputs(|| tempfile::tempdir().expect("temp dir"))
        .bench_local_values(|dir| {
            let path = dir.path().join("ledger.sqlite");
            let mut ledger = pinconv::ledger::Ledger::open(&path, "123456", None).expect("open");
            let run = ledger.begin_run(1_796_000_000, "bench").expect("run");
            for batch in &batches {
                let keys: Vec<_> = batch.iter().map(|a| &a.key).collect();
                let found = ledger.lookup_refs(&keys).expect("lookup");
                assert!(found.iter().all(Option::is_none));
                let queries: Vec<_> = batch
                    .iter()
                    .map(|a| (&a.key, a.identifiers.as_slice()))
                    .collect();
                let sent = ledger.sent_as_other(&queries, Some(run)).expect("sent as");
                assert!(sent.iter().all(Option::is_none));
                ledger
                    .record_accepted(batch, Some("req"), 1_796_000_000)
                    .expect("record");
            }
            dir
        });
}
