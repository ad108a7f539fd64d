//! The one timestamp parser, with a configured strftime format (after a NUL byte) or none.
#![no_main]

use jiff::tz::TimeZone;
use pinconv::config::DateOrder;
use pinconv::time::{self, TimeOptions};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (raw, format) = match text.split_once('\0') {
        Some((raw, format)) => (raw, Some(format)),
        None => (text, None),
    };
    let tz = if flags & 1 == 0 {
        TimeZone::UTC
    } else {
        TimeZone::get("America/New_York").expect("bundled zone")
    };
    let opts = TimeOptions {
        tz: &tz,
        date_order: if flags & 2 == 0 {
            DateOrder::Mdy
        } else {
            DateOrder::Dmy
        },
        format,
    };
    let _ = time::parse(raw, flags & 4 != 0, &opts);
});
