//! Shopify bulk operation output (NDJSON with `gid://` ids and `__parentId` children) and
//! saved GraphQL responses: the grouping window on any lines.
#![no_main]

use pinconv::input::Format;

#[path = "../common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::read_all(data, "fuzz.jsonl", Some(Format::Ndjson));
});
