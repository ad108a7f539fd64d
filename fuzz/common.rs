//! What the fuzz targets share: reading a whole input from bytes, and the normalizer check.

#![allow(dead_code)] // each target uses part of it

use std::io::Cursor;
use std::path::Path;

use pinconv::input::{self, Format, ReadOptions};
use pinconv::normalize::{self, Context, Field, Normalized};

/// Opens `data` as the input `name` (its extension may pick the format) and reads every
/// record, as the pipeline does: a fatal error ends the input. Panics on a reader that
/// yields more records than the input has bytes (a loop).
pub fn read_all(data: &[u8], name: &str, format: Option<Format>) {
    let opts = ReadOptions {
        format,
        ..ReadOptions::default()
    };
    let raw = Box::new(Cursor::new(data.to_vec()));
    let Ok((mut reader, _)) = input::open_stream(raw, Path::new(name), &opts) else {
        return;
    };
    let mut n = 0usize;
    while let Some(item) = reader.next_record() {
        n += 1;
        assert!(
            n <= data.len() + 1,
            "more records than bytes: the reader loops"
        );
        if item.is_err() {
            break;
        }
    }
    if let input::Reader::Csv(_) = reader {
        assert_eq!(
            csv_rows(data, name, &opts, false),
            csv_rows(data, name, &opts, true),
            "rows read into recycled records differ"
        );
    }
}

/// Every CSV row of `data` as (line, fields) or its problem, read as the pipeline reads them:
/// with `recycle`, each row's record is handed back before the next is read.
fn csv_rows(
    data: &[u8],
    name: &str,
    opts: &ReadOptions,
    recycle: bool,
) -> Vec<Result<(u64, Vec<String>), String>> {
    let raw = Box::new(Cursor::new(data.to_vec()));
    let Ok((input::Reader::Csv(mut csv), _)) = input::open_stream(raw, Path::new(name), opts)
    else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    while let Some(Ok(item)) = csv.next_record() {
        match item {
            Ok(input::Raw::Row { line, fields }) => {
                rows.push(Ok((line, fields.iter().map(str::to_owned).collect())));
                if recycle {
                    csv.recycle(fields);
                }
            }
            Ok(input::Raw::Object { .. }) => rows.push(Err("an object".into())),
            Err(p) => rows.push(Err(format!("{}:{:?} {}", p.line, p.column, p.message))),
        }
    }
    rows
}

/// The countries a normalizer is tried under, picked by one byte.
pub fn context(b: u8) -> Context<'static> {
    const COUNTRIES: [Option<&str>; 6] = [
        None,
        Some("US"),
        Some("GB"),
        Some("DE"),
        Some("JP"),
        Some("Brasil"),
    ];
    Context {
        country: COUNTRIES[usize::from(b) % COUNTRIES.len()],
        default_country: [None, Some("US")][usize::from(b >> 4) % 2],
    }
}

/// Normalizes `data` (first byte: the context) for each of `fields` and checks what every
/// normalizer promises: the result normalizes to itself, and a hash is 64 lowercase hex.
pub fn check_normalizer(data: &[u8], fields: &[Field]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(raw) = std::str::from_utf8(rest) else {
        return;
    };
    let ctx = context(first);
    for &field in fields {
        let Ok(out) = normalize::normalize(field, raw, &ctx) else {
            continue;
        };
        let again = match &out {
            Normalized::Value(v) | Normalized::PreHashed(v) => normalize::normalize(field, v, &ctx),
            Normalized::Empty => Ok(Normalized::Empty),
        };
        assert_eq!(
            again,
            Ok(out.clone()),
            "{field} is not idempotent on {raw:?}"
        );
        if let Some(h) = out.into_hash() {
            assert!(
                normalize::is_sha256_hex(&h) && h == h.to_ascii_lowercase(),
                "{h}"
            );
        }
    }
}
