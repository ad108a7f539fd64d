//! The floor for `pinconv build`: the least work a program must do to turn a Shopify orders
//! export into CAPI request bodies, and nothing more, so `scripts/bench.sh` can say how far
//! pinconv is from the machine's limit (issue #9: at most 1.5 times the floor's wall time).
//!
//! ```sh
//! cargo run --release --example floor -- bench-out/big.csv > /dev/null
//! ```
//!
//! The same work shape as pinconv on the same file: parse the CSV, group consecutive rows of an
//! order (`Name`), trim and lowercase 8 identity fields of the order's first row (`em`, `ph`,
//! `fn`, `ln`, `ct`, `st`, `zp`, `country`), SHA-256 each, and write `{"data":[...]}` bodies of
//! up to 1,000 events with the line items. What it leaves out is what pinconv adds on top: no
//! validation, no skip rules, no time zones (the event time is the row's line number), no phone
//! library (a phone keeps its digits), no decimal arithmetic (the `Total` text is the value), no
//! second thread. Only csv, sha2 and serde_json (for JSON string escaping).

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use sha2::{Digest, Sha256};

/// Events per request body, Pinterest's limit.
const BATCH: usize = 1000;

/// The identity fields: CAPI name and the Shopify column they come from. `fn` and `ln` both
/// come from `Billing Name`, split at the first space.
const IDENTITY: [(&str, &str); 7] = [
    ("em", "Email"),
    ("ph", "Billing Phone"),
    ("ct", "Billing City"),
    ("st", "Billing Province"),
    ("zp", "Billing Zip"),
    ("country", "Billing Country"),
    ("name", "Billing Name"),
];

/// Column indices the floor reads.
struct Cols {
    name: usize,
    currency: usize,
    total: usize,
    identity: [usize; IDENTITY.len()],
    sku: usize,
    quantity: usize,
    price: usize,
}

impl Cols {
    fn of(header: &csv::ByteRecord) -> Option<Cols> {
        let find = |n: &str| header.iter().position(|h| h == n.as_bytes());
        let mut identity = [0; IDENTITY.len()];
        for (slot, (_, col)) in identity.iter_mut().zip(IDENTITY) {
            *slot = find(col)?;
        }
        Some(Cols {
            name: find("Name")?,
            currency: find("Currency")?,
            total: find("Total")?,
            identity,
            sku: find("Lineitem sku")?,
            quantity: find("Lineitem quantity")?,
            price: find("Lineitem price")?,
        })
    }
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: floor <shopify-export.csv>  (bodies go to stdout)");
        return ExitCode::from(2);
    };
    match run(&path) {
        Ok(events) => {
            eprintln!("floor: {events} events");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: `{path}`: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One order being built: its event so far, without the closing of `contents`.
struct Floor<W> {
    out: W,
    event: Vec<u8>,
    in_batch: usize,
    events: u64,
    hex: String,
}

impl<W: Write> Floor<W> {
    /// Starts an event from an order's first row.
    fn start(&mut self, row: &csv::ByteRecord, c: &Cols, line: u64) -> io::Result<()> {
        let e = &mut self.event;
        e.clear();
        e.extend_from_slice(
            b"{\"event_name\":\"checkout\",\"action_source\":\"web\",\"event_time\":",
        );
        write!(e, "{line}")?;
        e.extend_from_slice(b",\"event_id\":");
        serde_json::to_writer(&mut *e, text(&row[c.name]))?;
        e.extend_from_slice(b",\"user_data\":{");
        let mut first = true;
        for ((key, _), &i) in IDENTITY.iter().zip(&c.identity) {
            let v = text(&row[i]).trim();
            if *key == "name" {
                let (f, l) = v.split_once(' ').unwrap_or((v, ""));
                self.field(&mut first, "fn", f);
                self.field(&mut first, "ln", l);
            } else if *key == "ph" {
                let digits: String = v.chars().filter(char::is_ascii_digit).collect();
                self.field(&mut first, key, &digits);
            } else {
                self.field(&mut first, key, v);
            }
        }
        let e = &mut self.event;
        e.extend_from_slice(b"},\"custom_data\":{\"currency\":");
        serde_json::to_writer(&mut *e, text(&row[c.currency]))?;
        e.extend_from_slice(b",\"value\":");
        serde_json::to_writer(&mut *e, text(&row[c.total]))?;
        e.extend_from_slice(b",\"order_id\":");
        serde_json::to_writer(&mut *e, text(&row[c.name]))?;
        e.extend_from_slice(b",\"contents\":[");
        Ok(())
    }

    /// Adds `"key":["<sha256 of the trimmed, lowercased value>"]`, unless it is empty.
    fn field(&mut self, first: &mut bool, key: &str, value: &str) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        let digest = Sha256::digest(value.to_lowercase().as_bytes());
        self.hex.clear();
        for b in digest {
            self.hex
                .push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
            self.hex
                .push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
        }
        if !*first {
            self.event.push(b',');
        }
        *first = false;
        self.event.push(b'"');
        self.event.extend_from_slice(key.as_bytes());
        self.event.extend_from_slice(b"\":[\"");
        self.event.extend_from_slice(self.hex.as_bytes());
        self.event.extend_from_slice(b"\"]");
    }

    /// Adds a row's line item.
    fn item(&mut self, row: &csv::ByteRecord, c: &Cols, first: bool) -> io::Result<()> {
        let e = &mut self.event;
        if !first {
            e.push(b',');
        }
        e.extend_from_slice(b"{\"id\":");
        serde_json::to_writer(&mut *e, text(&row[c.sku]))?;
        e.extend_from_slice(b",\"item_price\":");
        serde_json::to_writer(&mut *e, text(&row[c.price]))?;
        e.extend_from_slice(b",\"quantity\":");
        e.extend_from_slice(text(&row[c.quantity]).trim().as_bytes());
        e.push(b'}');
        Ok(())
    }

    /// Closes the event and writes it into the current body.
    fn finish(&mut self) -> io::Result<()> {
        self.event.extend_from_slice(b"]}}");
        self.out.write_all(if self.in_batch == 0 {
            b"{\"data\":["
        } else {
            b","
        })?;
        self.out.write_all(&self.event)?;
        self.in_batch += 1;
        self.events += 1;
        if self.in_batch == BATCH {
            self.out.write_all(b"]}\n")?;
            self.in_batch = 0;
        }
        Ok(())
    }
}

/// A cell as text; the generated exports are UTF-8, anything else reads as empty.
fn text(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or("")
}

fn run(path: &str) -> Result<u64, Box<dyn std::error::Error>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)?;
    let mut row = csv::ByteRecord::new();
    if !rdr.read_byte_record(&mut row)? {
        return Err("no header row".into());
    }
    let c = Cols::of(&row).ok_or("not a Shopify orders export")?;
    let stdout = io::stdout();
    let mut f = Floor {
        out: BufWriter::with_capacity(1 << 16, stdout.lock()),
        event: Vec::new(),
        in_batch: 0,
        events: 0,
        hex: String::with_capacity(64),
    };
    let mut current: Vec<u8> = Vec::new();
    let mut open = false;
    let mut line = 1u64;
    while rdr.read_byte_record(&mut row)? {
        line += 1;
        let same = open && row[c.name] == current[..];
        if !same {
            if open {
                f.finish()?;
            }
            current.clear();
            current.extend_from_slice(&row[c.name]);
            f.start(&row, &c, line)?;
            open = true;
        }
        f.item(&row, &c, !same)?;
    }
    if open {
        f.finish()?;
    }
    if f.in_batch > 0 {
        f.out.write_all(b"]}\n")?;
    }
    f.out.flush()?;
    Ok(f.events)
}
