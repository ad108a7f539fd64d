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
    let values: Vec<String> = if a.values.is_empty() {
        std::io::stdin()
            .lock()
            .lines()
            .map_while(Result::ok)
            .collect()
    } else {
        a.values.clone()
    };
    let mut exit = Exit::Ok;
    let mut out = std::io::stdout().lock();
    for (i, v) in values.iter().enumerate() {
        let line = match normalize::normalize(a.field, v, &ctx) {
            Ok(Normalized::Value(n)) => format!("{n}\t{}", normalize::sha256_hex(&n)),
            Ok(Normalized::PreHashed(h)) => format!("{h}\t{h}"),
            Ok(Normalized::Empty) => {
                printer.info(&format!(
                    "warning: value {}: empty after normalization, nothing to hash",
                    i + 1
                ));
                exit = Exit::Rejected;
                "\t".to_owned()
            }
            Err(e) => {
                let hint = e
                    .hint()
                    .map(|h| format!("\n  hint: {h}"))
                    .unwrap_or_default();
                printer.info(&format!("warning: value {}: {e}{hint}", i + 1));
                exit = Exit::Rejected;
                "\t".to_owned()
            }
        };
        if writeln!(out, "{line}").is_err() {
            return exit;
        }
    }
    exit
}
