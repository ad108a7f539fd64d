//! The `dob` normalizer: idempotent, hashes lowercase hex, never panics.
#![no_main]

use pinconv::normalize::Field;

#[path = "../common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::check_normalizer(data, &[Field::Db]);
});
