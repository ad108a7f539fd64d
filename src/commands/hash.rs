//! `pinconv hash`: shows how a value is normalized and hashed, for debugging match rates.

use std::io::{BufRead, Write};

use crate::cli::HashArgs;
use crate::exit::Exit;
use crate::normalize::{self, Context, Normalized};
use crate::printer::Printer;

pub fn run(a: &HashArgs) -> Exit {
    let printer = Printer::new(false, usize::MAX);
    let country = match a
        .country
        .as_deref()
        .map(crate::config::country_setting)
        .transpose()
    {
        Ok(c) => c,
        Err(e) => return super::usage_error(&printer, &e.into(), None),
    };
    let ctx = Context {
        country: country.as_deref(),
        default_country: None,
    };
    let mut exit = Exit::Ok;
    let values: Vec<String> = if a.values.is_empty() {
        let mut values = Vec::new();
        for (i, line) in std::io::stdin().lock().split(b'\n').enumerate() {
            let Ok(bytes) = line else { break };
            let bytes = bytes.strip_suffix(b"\r").unwrap_or(&bytes);
            // A line that is not UTF-8 still gets its (empty) output line, so lines stay aligned.
            values.push(String::from_utf8(bytes.to_vec()).unwrap_or_else(|_| {
                printer.info(&format!("warning: value {}: not valid UTF-8", i + 1));
                exit = Exit::Rejected;
                String::new()
            }));
        }
        values
    } else {
        a.values.clone()
    };
    let mut out = crate::output::stdout();
    for (i, v) in values.iter().enumerate() {
        let line = match normalize::normalize(a.field, v, &ctx) {
            Ok(Normalized::Value(n)) => format!("{n}\t{}", normalize::sha256_hex(&n)),
            Ok(Normalized::PreHashed(h)) => format!("{h}\t{h}", h = h.as_str()),
            Ok(Normalized::Empty) => {
                printer.info(&format!(
                    "warning: value {}: empty after normalization, nothing to hash",
                    i + 1
                ));
                exit = Exit::Rejected;
                "\t".to_owned()
            }
            Err(e) => {
                // `hash` has `--country`, not the pipeline's `--default-country`.
                let hint = match e {
                    normalize::Invalid::PhoneNoCountry => {
                        Some("pass `--country` with the customer's country, e.g. `--country US`")
                    }
                    _ => e.hint(),
                }
                .map(|h| format!("\n  hint: {h}"))
                .unwrap_or_default();
                printer.info(&format!("warning: value {}: {e}{hint}", i + 1));
                exit = Exit::Rejected;
                "\t".to_owned()
            }
        };
        if let Err(e) = writeln!(out, "{line}") {
            return write_failed(&printer, e);
        }
    }
    match out.flush() {
        Ok(()) => exit,
        Err(e) => write_failed(&printer, e),
    }
}

/// A closed stdout (`| head`) ends quietly with exit 0; any other write error fails.
fn write_failed(printer: &Printer, e: std::io::Error) -> Exit {
    let e = anyhow::Error::from(e);
    if super::is_broken_pipe(&e) {
        Exit::Ok
    } else {
        super::usage_error(printer, &e, None)
    }
}
