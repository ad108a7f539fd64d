//! Streams a large synthetic Shopify "Export orders" CSV to stdout, for benchmarks and load tests.
//!
//! ```sh
//! cargo run --release --example gen_shopify_export -- --rows 1000000 --seed 1 > big.csv
//! ```
//!
//! The header is the same 79 columns, in the same order, as `examples/shopify/orders_export.csv`.
//! Each order has 1 to 5 line items, one CSV row each. As in a real export, only an order's first
//! row carries the order-level columns (totals, addresses, payment, `Id`, `Source`, taxes); the
//! following rows repeat `Name`, `Email` and `Created at` and fill in the `Lineitem *` columns,
//! `Vendor` and `Lineitem discount`.
//!
//! Everyone is invented: `user<N>@example.com`, phone numbers in the fictional `555-01xx` range.
//! `Created at` rises through the 3 days before `--now`, so with the default `--now` every order
//! is less than 7 days old on 2026-11-22. The output depends only on the arguments: the same seed
//! gives the same bytes.

use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// The header row of Shopify's orders export, as of late 2025.
const HEADER: &str = "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,\
Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,\
Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,\
Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,\
Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,\
Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,\
Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,\
Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,\
Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,\
Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,\
Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,\
Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,\
Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References";

/// Number of columns in [`HEADER`].
const COLUMNS: usize = 79;

/// The window, before `--now`, that orders are spread over.
const WINDOW_SECONDS: i64 = 3 * 24 * 60 * 60;

/// Command-line arguments.
#[derive(Parser)]
#[command(about = "Write a synthetic Shopify orders export CSV to stdout")]
struct Args {
    /// Number of CSV data rows (line items, not orders) to write after the header.
    #[arg(long, default_value_t = 1000)]
    rows: u64,
    /// Seed of the random generator; the same seed gives the same file.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Orders are created within the 3 days before this instant (RFC 3339).
    #[arg(long, default_value = "2026-11-21T12:00:00Z")]
    now: Timestamp,
    /// IANA time zone of the shop, used to write `Created at` with its offset.
    #[arg(long, default_value = "America/New_York")]
    timezone: String,
}

/// A city with what Shopify writes for it.
struct City {
    name: &'static str,
    province: &'static str,
    province_name: &'static str,
    zip: &'static str,
    area_code: &'static str,
    tax_name: &'static str,
    /// Sales tax in millionths (6.625% = 66_250).
    tax_ppm: i64,
}

const CITIES: &[City] = &[
    City {
        name: "Hoboken",
        province: "NJ",
        province_name: "New Jersey",
        zip: "07030",
        area_code: "201",
        tax_name: "NJ State Tax 6.625%",
        tax_ppm: 66_250,
    },
    City {
        name: "Jersey City",
        province: "NJ",
        province_name: "New Jersey",
        zip: "07302",
        area_code: "201",
        tax_name: "NJ State Tax 6.625%",
        tax_ppm: 66_250,
    },
    City {
        name: "Montclair",
        province: "NJ",
        province_name: "New Jersey",
        zip: "07042",
        area_code: "973",
        tax_name: "NJ State Tax 6.625%",
        tax_ppm: 66_250,
    },
    City {
        name: "Brooklyn",
        province: "NY",
        province_name: "New York",
        zip: "11215",
        area_code: "718",
        tax_name: "NY State Tax 4%",
        tax_ppm: 40_000,
    },
    City {
        name: "Miami",
        province: "FL",
        province_name: "Florida",
        zip: "33130",
        area_code: "305",
        tax_name: "FL State Tax 6%",
        tax_ppm: 60_000,
    },
    City {
        name: "Cambridge",
        province: "MA",
        province_name: "Massachusetts",
        zip: "02139",
        area_code: "617",
        tax_name: "MA State Tax 6.25%",
        tax_ppm: 62_500,
    },
    City {
        name: "Austin",
        province: "TX",
        province_name: "Texas",
        zip: "78704",
        area_code: "512",
        tax_name: "TX State Tax 6.25%",
        tax_ppm: 62_500,
    },
    City {
        name: "Chicago",
        province: "IL",
        province_name: "Illinois",
        zip: "60614",
        area_code: "312",
        tax_name: "IL State Tax 6.25%",
        tax_ppm: 62_500,
    },
    City {
        name: "Stamford",
        province: "CT",
        province_name: "Connecticut",
        zip: "06902",
        area_code: "203",
        tax_name: "CT State Tax 6.35%",
        tax_ppm: 63_500,
    },
    City {
        name: "Portland",
        province: "OR",
        province_name: "Oregon",
        zip: "97205",
        area_code: "503",
        tax_name: "",
        tax_ppm: 0,
    },
];

/// A product: name, SKU, price and compare-at price in cents (0 = none), vendor.
type Product = (&'static str, &'static str, i64, i64, &'static str);

const PRODUCTS: &[Product] = &[
    (
        "Speckled Mug - Oat / 12 oz",
        "FH-MUG-OAT-12",
        2800,
        0,
        "Fernhill Pottery",
    ),
    (
        "Speckled Mug - Slate / 12 oz",
        "FH-MUG-SLT-12",
        2800,
        0,
        "Fernhill Pottery",
    ),
    (
        "Stoneware Dinner Plate - Sage",
        "FH-PLT-SAGE",
        3400,
        4000,
        "Fernhill Pottery",
    ),
    (
        "Pour-Over Coffee Set",
        "FH-POUR-SET",
        6800,
        0,
        "Fernhill Pottery",
    ),
    (
        "Linen Tea Towel, Natural",
        "KC-TOWEL-NAT",
        1400,
        0,
        "Kiln & Co.",
    ),
    (
        "Serving Bowl - Large / Ink Blue",
        "FH-BWL-L-INK",
        7200,
        0,
        "Fernhill Pottery",
    ),
    ("Bud Vase Trio", "FH-VASE-TRIO", 4500, 0, "Fernhill Pottery"),
    (
        "Olive Wood Spoon Set",
        "KC-SPOON-OLV",
        2200,
        2600,
        "Kiln & Co.",
    ),
];

const FIRST_NAMES: &[&str] = &[
    "Maya", "José", "Zoë", "Liam", "Priya", "Noor", "Aiden", "Grace", "Siobhán", "Mateo", "Hana",
    "Ingrid", "Kwame", "Renée", "Björn", "Lucía", "Amara", "Ethan", "Élodie", "Tomasz",
];

const LAST_NAMES: &[&str] = &[
    "Okafor",
    "Núñez",
    "Müller",
    "Chen",
    "Raman",
    "Haddad",
    "Brooks",
    "Lin",
    "O'Connor",
    "García",
    "Kobayashi",
    "Solberg",
    "Mensah",
    "Dubois",
    "Lindqvist",
    "Fernández",
    "Nwosu",
    "Park",
    "Laurent",
    "Wójcik",
];

const STREETS: &[&str] = &[
    "Willow Ave",
    "Coral Palm Way",
    "Prospect Row",
    "Harborview Blvd",
    "Elmwood Terrace",
    "Orchard Hill Rd",
    "Chestnut Hill Rd",
    "Magnolia St",
    "Birchwood Ln",
    "Lantana Court",
];

const REFERENCE_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// SplitMix64: tiny, fast, and stable across crate versions, so a seed always gives the same file.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (Lemire's multiply-shift; the bias is irrelevant here).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// An index into a slice of length `len`.
    fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// True with probability `percent` / 100.
    fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Writes the fields of one CSV row, quoting where needed and counting columns.
struct Row<'a, W: Write> {
    out: &'a mut W,
    column: usize,
}

impl<'a, W: Write> Row<'a, W> {
    fn new(out: &'a mut W) -> Self {
        Row { out, column: 0 }
    }

    fn sep(&mut self) -> io::Result<()> {
        if self.column > 0 {
            self.out.write_all(b",")?;
        }
        self.column += 1;
        Ok(())
    }

    /// A text field, quoted if it holds a comma, a quote or a line break.
    fn text(&mut self, value: &str) -> io::Result<&mut Self> {
        self.sep()?;
        if value
            .bytes()
            .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
        {
            self.out.write_all(b"\"")?;
            self.out.write_all(value.replace('"', "\"\"").as_bytes())?;
            self.out.write_all(b"\"")?;
        } else {
            self.out.write_all(value.as_bytes())?;
        }
        Ok(self)
    }

    /// An empty field written as `""`, as Shopify does for some empty text columns.
    fn quoted_empty(&mut self) -> io::Result<&mut Self> {
        self.sep()?;
        self.out.write_all(b"\"\"")?;
        Ok(self)
    }

    /// `n` empty fields.
    fn skip(&mut self, n: usize) -> io::Result<&mut Self> {
        for _ in 0..n {
            self.sep()?;
        }
        Ok(self)
    }

    /// A non-negative amount in cents, written as `12.34`.
    fn money(&mut self, cents: i64) -> io::Result<&mut Self> {
        debug_assert!(cents >= 0, "negative amount `{cents}`");
        self.sep()?;
        write!(self.out, "{}.{:02}", cents / 100, cents % 100)?;
        Ok(self)
    }

    fn int(&mut self, value: u64) -> io::Result<&mut Self> {
        self.sep()?;
        write!(self.out, "{value}")?;
        Ok(self)
    }

    fn end(&mut self) -> io::Result<()> {
        debug_assert_eq!(self.column, COLUMNS, "row has the wrong number of columns");
        self.out.write_all(b"\n")
    }
}

/// One line item of an order being written.
struct Item {
    product: &'static Product,
    quantity: u64,
    discount: i64,
}

/// Buffers reused from order to order, so that most rows allocate nothing.
#[derive(Default)]
struct Scratch {
    email: String,
    created: String,
    paid: String,
    fulfilled: String,
    cancelled: String,
    order_name: String,
    zip: String,
    apartment: String,
    name: String,
    street: String,
    address1: String,
    phone: String,
    phone_e164: String,
    reference: String,
    items: Vec<Item>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let tz = match TimeZone::get(&args.timezone) {
        Ok(tz) => tz,
        Err(err) => {
            eprintln!("error: unknown time zone `{}`: {err}", args.timezone);
            return ExitCode::FAILURE;
        }
    };
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    match generate(&args, &tz, &mut out).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // `... | head` closes the pipe early; that is not a failure.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: cannot write the export: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Writes the header and `args.rows` data rows.
fn generate<W: Write>(args: &Args, tz: &TimeZone, out: &mut W) -> io::Result<()> {
    out.write_all(HEADER.as_bytes())?;
    out.write_all(b"\n")?;
    let mut rng = SplitMix64(args.seed);
    let mut scratch = Scratch::default();
    let start = args.now.as_second() - WINDOW_SECONDS;
    let mut written = 0u64;
    let mut order = 0u64;
    while written < args.rows {
        // Spread orders evenly over the window, in file order, like a real export.
        let progress =
            (i128::from(written) * i128::from(WINDOW_SECONDS) / i128::from(args.rows)) as i64;
        let created = start + progress;
        let lines = (1 + rng.below(5)).min(args.rows - written);
        write_order(
            out,
            &mut rng,
            &mut scratch,
            tz,
            order,
            created,
            lines,
            args.now.as_second(),
        )?;
        written += lines;
        order += 1;
    }
    Ok(())
}

/// Formats a Unix time in the shop's zone the way Shopify's export does: `2026-11-18 14:03:27 -0500`.
fn format_time(buf: &mut String, tz: &TimeZone, second: i64) -> io::Result<()> {
    buf.clear();
    let ts = Timestamp::from_second(second).map_err(io::Error::other)?;
    write!(
        buf,
        "{}",
        ts.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M:%S %z")
    )
    .map_err(io::Error::other)
}

/// Writes one order of `lines` rows.
#[allow(clippy::too_many_arguments)]
fn write_order<W: Write>(
    out: &mut W,
    rng: &mut SplitMix64,
    s: &mut Scratch,
    tz: &TimeZone,
    index: u64,
    created: i64,
    lines: u64,
    now: i64,
) -> io::Result<()> {
    let number = 1001 + index;
    let city = &CITIES[rng.index(CITIES.len())];
    let first = FIRST_NAMES[rng.index(FIRST_NAMES.len())];
    let last = LAST_NAMES[rng.index(LAST_NAMES.len())];
    let source = match rng.below(100) {
        0..=1 => "pos",
        2 => "shopify_draft_order",
        _ => "web",
    };
    let pos = source == "pos";
    // About 2% of checkouts are phone-only and have no email at all.
    s.email.clear();
    if !rng.percent(2) {
        let _ = write!(s.email, "user{number}@example.com");
    }
    let has_phone = !pos && (s.email.is_empty() || rng.percent(70));
    let line = rng.below(100);
    s.phone.clear();
    s.phone_e164.clear();
    if has_phone {
        let area = city.area_code;
        let sub = line;
        let _ = match rng.below(4) {
            0 => write!(s.phone, "+1 {area}-555-01{sub:02}"),
            1 => write!(s.phone, "({area}) 555-01{sub:02}"),
            2 => write!(s.phone, "{area}55501{sub:02}"),
            _ => write!(s.phone, "+1 ({area}) 555-01{sub:02}"),
        };
        if rng.percent(30) {
            let _ = write!(s.phone_e164, "+1{area}55501{sub:02}");
        }
    }
    s.name.clear();
    let _ = write!(s.name, "{first} {last}");
    let house = 1 + rng.below(999);
    let street = STREETS[rng.index(STREETS.len())];
    s.address1.clear();
    let _ = write!(s.address1, "{house} {street}");
    s.street.clear();
    s.street.push_str(&s.address1);
    s.apartment.clear();
    if rng.percent(25) {
        let _ = write!(s.apartment, "Apt {}", 1 + rng.below(20));
        let _ = write!(s.street, ", {}", s.apartment);
    }
    s.reference.clear();
    s.reference.push('r');
    for _ in 0..24 {
        s.reference.push(char::from(
            REFERENCE_ALPHABET[rng.index(REFERENCE_ALPHABET.len())],
        ));
    }

    let with_code = rng.percent(15);
    s.items.clear();
    for _ in 0..lines {
        let product = &PRODUCTS[rng.index(PRODUCTS.len())];
        let quantity = match rng.below(10) {
            0..=6 => 1,
            7..=8 => 2,
            _ => 3,
        };
        let gross = product.2 * quantity as i64;
        let discount = if with_code { gross / 10 } else { 0 };
        s.items.push(Item {
            product,
            quantity,
            discount,
        });
    }
    let gross: i64 = s
        .items
        .iter()
        .map(|i| i.product.2 * i.quantity as i64)
        .sum();
    let discount: i64 = s.items.iter().map(|i| i.discount).sum();
    let subtotal = gross - discount;
    let shipping = if pos || subtotal >= 10_000 { 0 } else { 800 };
    let taxes = (subtotal * city.tax_ppm + 500_000) / 1_000_000;
    let total = subtotal + shipping + taxes;

    let (financial, cancelled, refunded) = match rng.below(100) {
        0..=1 => ("refunded", true, total),
        2 if source != "shopify_draft_order" => ("partially_refunded", false, s.items[0].product.2),
        3 => ("pending", false, 0),
        _ if source == "shopify_draft_order" => ("pending", false, 0),
        _ => ("paid", false, 0),
    };
    let fulfilled = pos || (!cancelled && now - created > 86_400);
    format_time(&mut s.created, tz, created)?;
    if financial == "pending" {
        s.paid.clear();
    } else {
        format_time(&mut s.paid, tz, created + 2)?;
    }
    if fulfilled {
        format_time(
            &mut s.fulfilled,
            tz,
            if pos { created + 1 } else { created + 20_000 },
        )?;
    } else {
        s.fulfilled.clear();
    }
    if cancelled {
        // Cancelled a few hours after it was placed.
        format_time(&mut s.cancelled, tz, created + 14_400)?;
    } else {
        s.cancelled.clear();
    }
    s.order_name.clear();
    let _ = write!(s.order_name, "#{number}");
    s.zip.clear();
    // Shopify prefixes numeric zips with `'` so spreadsheets keep the leading zero.
    let _ = write!(s.zip, "'{}", city.zip);
    let line_status = if fulfilled { "fulfilled" } else { "pending" };

    for (i, item) in s.items.iter().enumerate() {
        let (product_name, sku, price, compare, vendor) = *item.product;
        let mut row = Row::new(out);
        row.text(&s.order_name)?.text(&s.email)?;
        if i > 0 {
            row.skip(13)?
                .text(&s.created)?
                .int(item.quantity)?
                .text(product_name)?
                .money(price)?;
            if compare > 0 {
                row.money(compare)?;
            } else {
                row.quoted_empty()?;
            }
            row.text(sku)?
                .text("true")?
                .text("true")?
                .text(line_status)?
                .skip(26)?
                .text(vendor)?
                .skip(8)?
                .money(item.discount)?
                .skip(19)?
                .end()?;
            continue;
        }
        row.text(financial)?
            .text(&s.paid)?
            .text(if fulfilled {
                "fulfilled"
            } else {
                "unfulfilled"
            })?
            .text(&s.fulfilled)?
            .text(if rng.percent(40) { "yes" } else { "no" })?
            .text("USD")?
            .money(subtotal)?
            .money(shipping)?
            .money(taxes)?
            .money(total)?;
        if with_code {
            row.text("WELCOME10")?;
        } else {
            row.quoted_empty()?;
        }
        row.money(discount)?;
        if pos {
            row.quoted_empty()?;
        } else if shipping == 0 {
            row.text("Free Shipping")?;
        } else {
            row.text("Standard")?;
        }
        row.text(&s.created)?
            .int(item.quantity)?
            .text(product_name)?
            .money(price)?;
        if compare > 0 {
            row.money(compare)?;
        } else {
            row.skip(1)?;
        }
        row.text(sku)?
            .text("true")?
            .text("true")?
            .text(line_status)?;
        // Billing, then shipping: the same address. POS sales have none.
        for _ in 0..2 {
            if pos {
                row.skip(10)?;
                continue;
            }
            row.text(&s.name)?.text(&s.street)?.text(&s.address1)?;
            row.text(&s.apartment)?
                .quoted_empty()?
                .text(city.name)?
                .text(&s.zip)?
                .text(city.province)?
                .text("US")?
                .text(&s.phone)?;
        }
        row.skip(1)? // Notes
            .quoted_empty()? // Note Attributes
            .text(&s.cancelled)?;
        row.text(if pos { "Cash" } else { "Shopify Payments" })?
            .text(if pos { "" } else { &s.reference })?
            .money(refunded)?
            .text(vendor)?
            .money(if financial == "pending" { total } else { 0 })?
            .text(if pos { "Lena Park" } else { "" })?
            .text(if pos { "Fernhill Hoboken Studio" } else { "" })?
            .text(if pos { "41872356" } else { "" })?
            .int(6_700_000_000_000 + index)?
            .quoted_empty()?
            .text("Low")?
            .text(source)?
            .money(item.discount)?;
        if city.tax_ppm > 0 {
            row.text(city.tax_name)?.money(taxes)?;
        } else {
            row.skip(2)?;
        }
        row.skip(8)?.text(&s.phone_e164)?.skip(2)?;
        if pos {
            row.skip(3)?;
        } else {
            row.text(city.province_name)?
                .text(city.province_name)?
                .text(&s.reference)?;
        }
        row.skip(2)?
            .text(if pos { "" } else { &s.reference })?
            .end()?;
    }
    Ok(())
}
