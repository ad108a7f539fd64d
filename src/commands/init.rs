//! `pinconv init [SAMPLE]`: a commented starter `pinconv.toml`. From a sample export it
//! writes what pinconv detects (preset, delimiter, encoding) as settings, what the sample's
//! values show (decimal comma, day/month order) as settings when they are unambiguous, the
//! time-zone question as a commented line, and the `[columns]` lines of the mapping report
//! (the same suggestion code as `check`). Detected settings are written as pinconv would
//! apply them anyway, so the file gives the same events as detection did; the `[columns]`
//! lines only fill fields detection left empty.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use crate::cli::InitArgs;
use crate::config::DateOrder;
use crate::exit::Exit;
use crate::input::{self, Raw, ReadOptions, Reader};
use crate::map::suggest::{self, Reason, Suggestion};
use crate::map::{detect_csv, detect_json, CsvMapper, JsonMapper, Key, Order, Preset};
use crate::printer::Printer;
use crate::time::{self, TimeOptions};

/// Records read from the sample: enough to see its dates and amounts, bounded for big files.
const SAMPLE_RECORDS: u64 = 5000;

/// What the sample showed.
#[derive(Default)]
struct Detected {
    sample: String,
    format: &'static str,
    preset: Option<(Preset, String)>,
    delimiter: Option<u8>,
    encoding: Option<&'static str>,
    mapping: Vec<Suggestion>,
    /// Amounts with a decimal comma (`12,50`) and with a decimal point (`12.50`).
    comma_amounts: u64,
    point_amounts: u64,
    /// Dates only day-first can read (`28/11/2026`), only month-first can, and either.
    day_first: u64,
    month_first: u64,
    either_way: u64,
    /// Times without a UTC offset, and with one (or in a `_gmt` column).
    naive_times: u64,
    offset_times: u64,
    records: u64,
}

pub fn run(a: &InitArgs) -> Exit {
    let printer = Printer::new(false, 0);
    if let Some(out) = &a.output {
        if out.exists() && !a.force {
            let err = anyhow::anyhow!("`{}` exists already", out.display());
            return super::usage_error(
                &printer,
                &err,
                Some("pass `--force` to overwrite it, or `-o` another file"),
            );
        }
    }
    let detected = match &a.sample {
        Some(path) => match detect(path) {
            Ok(d) => d,
            Err((e, hint)) => return super::usage_error(&printer, &e, hint.as_deref()),
        },
        None => Detected::default(),
    };
    let config_name = a
        .output
        .as_deref()
        .map_or("pinconv.toml".to_owned(), |p| p.display().to_string());
    let text = render(&detected, &config_name);
    let written = match &a.output {
        Some(out) => write_file(out, &text, a.force),
        None => {
            let mut o = std::io::stdout().lock();
            o.write_all(text.as_bytes())
                .and_then(|()| o.flush())
                .map_err(anyhow::Error::from)
        }
    };
    if let Err(e) = written {
        if super::is_broken_pipe(&e) {
            return Exit::Ok;
        }
        return super::usage_error(&printer, &e, None);
    }
    printer.info(&summary(&detected, a.output.as_deref()));
    Exit::Ok
}

/// Writes a new file (or replaces it with `--force`), never half-overwriting another.
fn write_file(path: &Path, text: &str, force: bool) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .create_new(!force)
        .truncate(true)
        .open(path)
        .with_context(|| format!("cannot create `{}`", path.display()))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write `{}`", path.display()))
}

type Failure = (anyhow::Error, Option<String>);

/// Reads the sample's header (or first order) and up to [`SAMPLE_RECORDS`] records.
fn detect(path: &Path) -> Result<Detected, Failure> {
    let (mut reader, encoding) =
        input::open_detecting(path, &ReadOptions::default()).map_err(|e| {
            let hint = e.hint().map(str::to_owned);
            (anyhow::Error::from(e), hint)
        })?;
    let mut d = Detected {
        sample: input::display_name(path).to_string(),
        format: reader.format().name(),
        encoding: encoding.map(encoding_rs::Encoding::name),
        ..Detected::default()
    };
    let name = input::display_name(path);
    let csv_header = match &reader {
        Reader::Csv(csv) => Some((csv.header().to_vec(), csv.delimiter())),
        Reader::Json(..) | Reader::Ndjson(..) => None,
    };
    if let Some((header, delimiter)) = csv_header {
        let (preset, reason) = detect_csv(&header);
        d.preset = Some((preset, reason));
        d.delimiter = Some(delimiter);
        // The mapping as `check` reports it, then the sample read with its needed lines
        // applied, so the dates and amounts of a column only a suggestion maps count too.
        let mapping = match CsvMapper::new(&header, preset, &[]) {
            Ok(m) => m.advice(&suggest::default_id_needs()),
            Err(e) if !e.suggestions.is_empty() => e.suggestions,
            Err(e) => {
                let hint = e.hint.clone();
                return Err((anyhow::anyhow!("`{name}`: {e}"), hint));
            }
        };
        let overrides: Vec<(Key, Vec<String>)> = mapping
            .iter()
            .filter(|s| s.reason == Reason::Needed)
            .filter_map(|s| Some((Key::parse(s.field)?, vec![s.column.clone()?])))
            .collect();
        d.mapping = mapping;
        let mapper = CsvMapper::new(&header, preset, &overrides).map_err(|e| {
            let hint = e.hint.clone();
            (anyhow::anyhow!("`{name}`: {e}"), hint)
        })?;
        while let Some(item) = reader_next(&mut reader, d.records) {
            d.records += 1;
            if let Ok(Raw::Row { line, fields }) = item {
                look(&mut d, &mapper.row(&name, line, &fields));
            }
        }
    } else {
        let mut mapper: Option<JsonMapper> = None;
        while let Some(item) = reader_next(&mut reader, d.records) {
            d.records += 1;
            if let Ok(Raw::Object { line, value }) = item {
                if crate::event::prebuilt_event(&value).is_some() || value.get("data").is_some() {
                    continue;
                }
                let m = mapper.get_or_insert_with(|| {
                    let (preset, reason) = detect_json(&value);
                    d.preset = Some((preset, reason));
                    JsonMapper::new(preset, &[])
                });
                let order = m.order(&name, line, &value);
                look(&mut d, &order);
            }
        }
    }
    Ok(d)
}

/// The next record while the sample lasts; a fatal read error ends the sample too (the
/// records before it are enough to detect from, and `check` reports the error).
fn reader_next(r: &mut Reader, seen: u64) -> Option<Result<Raw, input::ReadProblem>> {
    if seen >= SAMPLE_RECORDS {
        return None;
    }
    r.next_record()?.ok()
}

/// Counts what one order's time and amounts show.
fn look(d: &mut Detected, order: &Order) {
    if let Some(c) = order.get(Key::EventTime) {
        match slash_date_parts(&c.value) {
            Some((a, b)) if a > 12 && b <= 12 => d.day_first += 1,
            Some((a, b)) if b > 12 && a <= 12 => d.month_first += 1,
            Some((a, b)) if a != b => d.either_way += 1,
            _ => {}
        }
        let utc = jiff::tz::TimeZone::UTC;
        let opts = TimeOptions {
            tz: &utc,
            date_order: DateOrder::Dmy,
            format: None,
        };
        if let Ok(m) = time::parse(&c.value, false, &opts) {
            count_offset(d, c.column, m.naive);
        }
    }
    let money = [
        Key::Value,
        Key::Total,
        Key::Subtotal,
        Key::Tax,
        Key::Shipping,
        Key::Discount,
    ];
    let items = order.items.iter().flatten();
    for (k, c) in order.fields.iter().chain(items) {
        if money.contains(k) || *k == Key::ItemPrice {
            match decimal_separator(&c.value) {
                Some(',') => d.comma_amounts += 1,
                Some(_) => d.point_amounts += 1,
                None => {}
            }
        }
    }
}

/// The first two numbers of a slash date (`20/11/2026`, `11/20/26 2:05 PM`), whichever
/// is the day.
fn slash_date_parts(raw: &str) -> Option<(u32, u32)> {
    let date = raw.split_whitespace().next()?;
    let mut parts = date.split('/');
    let a = parts.next()?.parse().ok()?;
    let b = parts.next()?.parse().ok()?;
    let year = parts.next()?;
    (year.len() >= 2 && year.chars().all(|c| c.is_ascii_digit()) && parts.next().is_none())
        .then_some((a, b))
}

fn count_offset(d: &mut Detected, column: &str, naive: bool) {
    let column = column.to_ascii_lowercase();
    // WooCommerce's `date_created_gmt` has no offset but is UTC, and read so.
    if naive && !column.ends_with("_gmt") && !column.ends_with("_utc") {
        d.naive_times += 1;
    } else {
        d.offset_times += 1;
    }
}

/// The decimal separator an amount shows: the last `.` or `,` with one or two digits after
/// it (`1.234,50`, `12.5`); none for whole numbers and `1,234` (thousands or decimals).
fn decimal_separator(raw: &str) -> Option<char> {
    let t: String = raw
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
        .collect();
    let at = t.rfind(['.', ','])?;
    let decimals = t.len() - at - 1;
    ((1..=2).contains(&decimals) && at > 0).then(|| t[at..].chars().next().unwrap_or('.'))
}

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// The config text.
fn render(d: &Detected, config_name: &str) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# pinconv configuration: see the README's \"Configuration file\"."
    );
    if d.sample.is_empty() {
        let _ = writeln!(
            o,
            "# A template: `pinconv init SAMPLE` fills it in from one of your exports.\n"
        );
    } else {
        let _ = writeln!(
            o,
            "# Written by `pinconv init` from `{}` ({} {}, {} record{} read). Check it, then run\n# `pinconv check --config {config_name} {}`.\n",
            d.sample,
            d.preset.as_ref().map_or("generic", |(p, _)| p.name()),
            d.format,
            d.records,
            if d.records == 1 { "" } else { "s" },
            d.sample
        );
    }
    match &d.preset {
        Some((p, reason)) => {
            let _ = writeln!(o, "# detected: {reason}");
            let _ = writeln!(o, "preset = {}", quoted(p.name()));
        }
        None => {
            let _ = writeln!(o, "# preset = \"generic\"              # shopify | woocommerce | generic [default: detected]");
        }
    }
    if let Some(delim) = d.delimiter {
        let shown = if delim == b'\t' {
            "tab".to_owned()
        } else {
            (delim as char).to_string()
        };
        let _ = writeln!(
            o,
            "# detected from the header: columns separated by `{shown}`"
        );
        let _ = writeln!(o, "delimiter = {}", quoted(&(delim as char).to_string()));
    } else if d.sample.is_empty() {
        let _ = writeln!(
            o,
            "# delimiter = \";\"                  # CSV [default: detected from the header]"
        );
    }
    match d.encoding {
        Some(e) => {
            let _ = writeln!(o, "# detected: the file is not UTF-8; it reads as {e}");
            let _ = writeln!(o, "encoding = {}", quoted(&e.to_ascii_lowercase()));
        }
        None => {
            let _ = writeln!(
                o,
                "# encoding = \"windows-1252\"       # [default: UTF-8, or UTF-16 by its byte-order mark{}]",
                if d.sample.is_empty() { "" } else { "; the sample reads so" }
            );
        }
    }
    render_amounts(&mut o, d);
    render_dates(&mut o, d);
    render_timezone(&mut o, d);
    let _ = writeln!(o, "\n# event_name = \"checkout\"");
    let _ = writeln!(
        o,
        "# default_country = \"US\"          # for phone numbers without a country code"
    );
    let _ = writeln!(o, "# max_age_days = 7                # or \"off\"");
    let _ = writeln!(
        o,
        "# event_id_template = \"{{order_id}}\"  # make it match what your browser tag sends"
    );
    let _ = writeln!(o, "\n[order]");
    let _ = writeln!(
        o,
        "# id = \"auto\"                     # auto | id | number | name"
    );
    let _ = writeln!(
        o,
        "# skip_statuses = [\"test\", \"voided\", \"cancelled\", \"failed\", \"draft\"]"
    );
    let _ = writeln!(o, "# exclude_tax = false\n# exclude_shipping = false");
    render_columns(&mut o, d);
    o
}

fn render_amounts(o: &mut String, d: &Detected) {
    let _ = writeln!(o);
    match (d.comma_amounts, d.point_amounts) {
        (c, 0) if c > 0 => {
            let _ = writeln!(
                o,
                "# the sample's amounts use a decimal comma (`12,50`, `1.234,50`): {c} of them"
            );
            let _ = writeln!(o, "decimal_comma = true");
        }
        (0, p) if p > 0 => {
            let _ = writeln!(o, "# decimal_comma = true            # the sample's amounts use a decimal point (`12.50`): not needed");
        }
        (0, 0) => {
            let _ = writeln!(
                o,
                "# decimal_comma = true            # for amounts such as `1.234,50`"
            );
        }
        (c, p) => {
            let _ = writeln!(o, "# decimal_comma = true            # the sample has {c} amounts with a decimal comma and {p} with a point: check the file");
        }
    }
}

fn render_dates(o: &mut String, d: &Detected) {
    match (d.day_first, d.month_first) {
        (n, 0) if n > 0 => {
            let _ = writeln!(
                o,
                "# {n} of the sample's dates can only be read day first (`28/11/2026`)"
            );
            let _ = writeln!(o, "date_order = \"dmy\"");
        }
        (0, n) if n > 0 => {
            let _ = writeln!(
                o,
                "# {n} of the sample's dates can only be read month first (`11/28/2026`)"
            );
            let _ = writeln!(o, "date_order = \"mdy\"");
        }
        (0, 0) if d.either_way > 0 => {
            let _ = writeln!(
                o,
                "# date_order = \"dmy\"              # the sample's {} slash dates (`05/11/2026`) read both ways: name your shop's order (mdy is the default)",
                d.either_way
            );
        }
        (0, 0) => {
            let _ = writeln!(
                o,
                "# date_order = \"dmy\"              # for slash dates: mdy (default) or dmy"
            );
        }
        (a, b) => {
            let _ = writeln!(o, "# date_order = \"dmy\"              # the sample has {a} day-first and {b} month-first dates: check the file");
        }
    }
    let _ = writeln!(
        o,
        "# date_format = \"%d.%m.%Y %H:%M\"  # strftime, tried first"
    );
}

fn render_timezone(o: &mut String, d: &Detected) {
    if d.naive_times > 0 {
        let _ = writeln!(
            o,
            "\n# The time zone question: {} of the sample's times carry no UTC offset (`2026-11-20 14:05`),\n# so they are read as UTC, hours off unless the shop keeps UTC. Name the shop's IANA zone\n# (the one its admin shows) and uncomment:",
            d.naive_times
        );
        let _ = writeln!(o, "# timezone = \"America/Chicago\"");
    } else if d.offset_times > 0 {
        let _ = writeln!(
            o,
            "\n# The sample's times carry their UTC offset, so no time zone is needed to read them; one\n# only says which day a bare `--since`/`--until` date means:"
        );
        let _ = writeln!(o, "# timezone = \"UTC\"");
    } else {
        let _ = writeln!(o, "\n# timezone = \"Europe/Berlin\"      # IANA zone for times without a UTC offset [default: UTC]");
    }
}

fn render_columns(o: &mut String, d: &Detected) {
    let _ = writeln!(
        o,
        "\n[columns]                         # field = CSV header or JSON dotted path"
    );
    if d.mapping.is_empty() {
        let _ = writeln!(
            o,
            "# {}",
            if d.sample.is_empty() || d.format != "csv" {
                "email = \"E-Mail\""
            } else {
                "the preset reads every field pinconv needs from this header"
            }
        );
        return;
    }
    let needed: Vec<&Suggestion> = d
        .mapping
        .iter()
        .filter(|s| s.reason == Reason::Needed)
        .collect();
    let unread: Vec<&Suggestion> = d
        .mapping
        .iter()
        .filter(|s| s.reason == Reason::Unread)
        .collect();
    if !needed.is_empty() {
        let _ = writeln!(o, "# Fields pinconv needs that the preset finds no column for, with the column whose\n# name looks like it: check each.");
        for s in needed {
            let line = suggest::toml_line(s);
            if s.column.is_some() {
                let _ = writeln!(o, "{line:<40}# {}", s.what);
            } else {
                let _ = writeln!(o, "{line}");
            }
        }
    }
    if !unread.is_empty() {
        let _ = writeln!(o, "# Columns no field reads that look like customer or money details: uncomment to use them.");
        for s in unread {
            let _ = writeln!(o, "# {:<38}# {}", suggest::toml_line(s), s.what);
        }
    }
}

/// The stderr line after writing.
fn summary(d: &Detected, out: Option<&Path>) -> String {
    let target = out.map_or("the config".to_owned(), |p| format!("`{}`", p.display()));
    if d.sample.is_empty() {
        return format!("wrote {target}: a template, every setting commented out");
    }
    let needed = d
        .mapping
        .iter()
        .filter(|s| s.reason == Reason::Needed)
        .count();
    let mut s = format!(
        "wrote {target} from `{}`: preset `{}`",
        d.sample,
        d.preset.as_ref().map_or("generic", |(p, _)| p.name())
    );
    if needed > 0 {
        let _ = write!(
            s,
            "; {needed} `[columns]` line{} to check",
            if needed == 1 { "" } else { "s" }
        );
    }
    if d.naive_times > 0 {
        s.push_str("; the times have no UTC offset: set `timezone`");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_separators() {
        assert_eq!(decimal_separator("1.234,50 €"), Some(','));
        assert_eq!(decimal_separator("12,5"), Some(','));
        assert_eq!(decimal_separator("$1,234.50"), Some('.'));
        assert_eq!(decimal_separator("1,234"), None);
        assert_eq!(decimal_separator("100"), None);
    }

    #[test]
    fn slash_dates() {
        assert_eq!(slash_date_parts("20/11/2026 14:05"), Some((20, 11)));
        assert_eq!(slash_date_parts("11/20/26"), Some((11, 20)));
        assert_eq!(slash_date_parts("2026-11-20"), None);
        assert_eq!(slash_date_parts("20.11.2026"), None);
    }

    #[test]
    fn the_template_loads_and_sets_nothing() {
        let text = render(&Detected::default(), "pinconv.toml");
        let parsed: crate::config::ConfigFile = toml::from_str(&text).unwrap();
        assert!(parsed.preset.is_none() && parsed.columns.is_empty());
    }
}
