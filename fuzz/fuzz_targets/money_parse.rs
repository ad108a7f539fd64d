//! The money parser: any text either fails or gives a decimal that reads back the same from
//! its own formatted form.
#![no_main]

use pinconv::money;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(raw) = std::str::from_utf8(rest) else {
        return;
    };
    if let Ok(d) = money::parse(raw, flags & 1 == 1) {
        let text = money::format(d);
        assert_eq!(money::parse(&text, false), Ok(d), "{raw:?} -> {text:?}");
    }
});
