//! The CSV reader on any bytes: header detection, delimiters, quoting, encodings, gzip.
#![no_main]

#[path = "../common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::read_all(data, "fuzz.csv", Some(pinconv::input::Format::Csv));
});
