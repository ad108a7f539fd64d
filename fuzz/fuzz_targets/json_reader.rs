//! The JSON and NDJSON readers on any bytes (the first byte picks which), and format sniffing.
#![no_main]

use pinconv::input::Format;

#[path = "../common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    match pick % 3 {
        0 => common::read_all(rest, "fuzz.json", Some(Format::Json)),
        1 => common::read_all(rest, "fuzz.ndjson", Some(Format::Ndjson)),
        _ => common::read_all(rest, "fuzz", None),
    }
});
