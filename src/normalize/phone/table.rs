//! The facts of libphonenumber's metadata that [`super::fast`]'s readings need, for the
//! calling codes of the biggest markets, copied from the `phonenumber` crate's database so that
//! reading those numbers does not load it (about 0.18 s and 17 MiB).
//!
//! Generated from `phonenumber` 0.3.10 (metadata 9.0.33); whitespace is left out of the
//! patterns, which libphonenumber compiles ignoring whitespace. The test
//! `the_embedded_metadata_is_the_librarys` compares every field with the crate's database, so a
//! `phonenumber` upgrade that changes one fails it. Then regenerate the three statics with
//! `cargo test --lib print_the_phone_table -- --ignored --nocapture` and `cargo fmt`.

use std::sync::OnceLock;

use regex::{Regex, RegexBuilder};

/// A pattern of libphonenumber's metadata (whitespace left out), compiled on first use.
pub(super) struct Re {
    /// The pattern.
    pub source: &'static str,
    /// Compiled as libphonenumber compiles it; `None` if that failed (never, tested).
    compiled: OnceLock<Option<Regex>>,
    /// The same, anchored at the start of the haystack, for [`Re::matches_at_start`].
    anchored: OnceLock<Option<Regex>>,
}

impl Re {
    const fn new(source: &'static str) -> Re {
        Re {
            source,
            compiled: OnceLock::new(),
            anchored: OnceLock::new(),
        }
    }

    /// `source` compiled as libphonenumber compiles its patterns.
    fn compile(source: &str) -> Option<Regex> {
        RegexBuilder::new(source)
            .ignore_whitespace(true)
            .unicode(false)
            .build()
            .ok()
    }

    /// The compiled pattern: whitespace ignored, as libphonenumber compiles its patterns. Only
    /// ASCII digits are matched against these, so Unicode classes are left out (a smaller
    /// program, the same matches).
    pub fn get(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| Re::compile(self.source))
            .as_ref()
    }

    /// Whether the pattern matches `digits` from its first digit, as libphonenumber tests it
    /// (`find` starting at 0); `None` when it did not compile. A match starting at 0 exists
    /// exactly when the leftmost one starts there, so the anchored pattern answers alone: it
    /// reads no further than a match needs, where `find` looks for the leftmost start and end.
    pub fn matches_at_start(&self, digits: &str) -> Option<bool> {
        let anchored = self
            .anchored
            .get_or_init(|| Re::compile(&format!("^(?:{}\n)", self.source)))
            .as_ref()?;
        Some(anchored.is_match(digits))
    }
}

/// One region's metadata, as far as parsing a number written for it goes.
pub(super) struct Region {
    /// ISO 3166-1 alpha-2 (libphonenumber's region id).
    pub id: &'static str,
    /// Its calling code.
    pub code: u16,
    /// The trunk prefix (`0` in most of Europe, `1` in North America).
    pub national_prefix: Option<&'static str>,
    /// What libphonenumber strips from a national number before reading it, when not just
    /// the trunk prefix.
    pub for_parsing: Option<Re>,
    /// What replaces the match of `for_parsing`, when not nothing.
    pub transform: Option<&'static str>,
    /// The international (IDD) prefix dialled from this region.
    pub idd: Option<Re>,
    /// Possible national number lengths over every kind of number, as [`super::LENGTHS`]
    /// holds them (bit `n`: `n` digits).
    pub mask: u32,
}

/// One calling code: its regions in the database's order (the main one first) and the length
/// mask of the main one.
pub(super) struct Code {
    /// The calling code.
    pub code: u16,
    /// Every region that has this code, as `DATABASE.region(&code)` lists them.
    pub regions: &'static [&'static str],
    /// [`Region::mask`] of `regions[0]`.
    pub mask: u32,
}

/// One kind of number (fixed line, mobile, ...) of a region: libphonenumber calls a national
/// number of that kind when its length is one of `lengths` (or `lengths` is empty) and `regex`
/// matches at its start.
pub(super) struct Pattern {
    /// Possible lengths of this kind; empty: any.
    pub lengths: &'static [u16],
    /// The national number pattern.
    pub regex: Re,
}

/// The calling codes read without the library (North America has its own path).
pub(super) static CODES: &[Code] = &[
    Code {
        code: 44,
        regions: &["GB", "GG", "IM", "JE"],
        mask: 0x680,
    },
    Code {
        code: 49,
        regions: &["DE"],
        mask: 0xfff0,
    },
    Code {
        code: 33,
        regions: &["FR"],
        mask: 0x200,
    },
    Code {
        code: 61,
        regions: &["AU", "CC", "CX"],
        mask: 0x17e0,
    },
    Code {
        code: 43,
        regions: &["AT"],
        mask: 0x3ff0,
    },
    Code {
        code: 34,
        regions: &["ES"],
        mask: 0x200,
    },
    Code {
        code: 31,
        regions: &["NL"],
        mask: 0xfe0,
    },
    Code {
        code: 32,
        regions: &["BE"],
        mask: 0x300,
    },
    Code {
        code: 41,
        regions: &["CH"],
        mask: 0x1200,
    },
    Code {
        code: 45,
        regions: &["DK"],
        mask: 0x100,
    },
    Code {
        code: 46,
        regions: &["SE"],
        mask: 0x17c0,
    },
    Code {
        code: 47,
        regions: &["NO", "SJ"],
        mask: 0x120,
    },
    Code {
        code: 48,
        regions: &["PL"],
        mask: 0x7c0,
    },
    Code {
        code: 351,
        regions: &["PT"],
        mask: 0x200,
    },
    Code {
        code: 353,
        regions: &["IE"],
        mask: 0x780,
    },
    Code {
        code: 358,
        regions: &["FI", "AX"],
        mask: 0x1fe0,
    },
    Code {
        code: 64,
        regions: &["NZ"],
        mask: 0x7e0,
    },
    Code {
        code: 27,
        regions: &["ZA"],
        mask: 0x7e0,
    },
    Code {
        code: 65,
        regions: &["SG"],
        mask: 0xd00,
    },
    Code {
        code: 81,
        regions: &["JP"],
        mask: 0x3ff00,
    },
    Code {
        code: 82,
        regions: &["KR"],
        mask: 0x7f60,
    },
    Code {
        code: 86,
        regions: &["CN"],
        mask: 0x1f80,
    },
    Code {
        code: 91,
        regions: &["IN"],
        mask: 0x3f00,
    },
    Code {
        code: 52,
        regions: &["MX"],
        mask: 0x400,
    },
    Code {
        code: 55,
        regions: &["BR"],
        mask: 0xf00,
    },
    Code {
        code: 39,
        regions: &["IT", "VA"],
        mask: 0x1fc0,
    },
];

/// Every region of [`CODES`], and the US and Canada for their national numbers.
pub(super) static REGIONS: [Region; 36] = [
    Region {
        id: "US",
        code: 1,
        national_prefix: Some("1"),
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("011")),
        mask: 0x400,
    },
    Region {
        id: "CA",
        code: 1,
        national_prefix: Some("1"),
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("011")),
        mask: 0x480,
    },
    Region {
        id: "GB",
        code: 44,
        national_prefix: Some("0"),
        for_parsing: Some(Re::new("0|180020")),
        transform: None,
        idd: Some(Re::new("00")),
        mask: 0x680,
    },
    Region {
        id: "GG",
        code: 44,
        national_prefix: Some("0"),
        for_parsing: Some(Re::new("([25-9]\\d{5})$|0|180020")),
        transform: Some("1481$1"),
        idd: Some(Re::new("00")),
        mask: 0x680,
    },
    Region {
        id: "IM",
        code: 44,
        national_prefix: Some("0"),
        for_parsing: Some(Re::new("([25-8]\\d{5})$|0|180020")),
        transform: Some("1624$1"),
        idd: Some(Re::new("00")),
        mask: 0x400,
    },
    Region {
        id: "JE",
        code: 44,
        national_prefix: Some("0"),
        for_parsing: Some(Re::new("([0-24-8]\\d{5})$|0|180020")),
        transform: Some("1534$1"),
        idd: Some(Re::new("00")),
        mask: 0x400,
    },
    Region {
        id: "DE",
        code: 49,
        national_prefix: Some("0"),
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("00")),
        mask: 0xfff0,
    },
    Region {
        id: "FR",
        code: 33,
        national_prefix: Some("0"),
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("00")),
        mask: 0x200,
    },
    Region {
        id: "AU",
        code: 61,
        national_prefix: Some("0"),
        for_parsing: Some(Re::new("(183[12])|0")),
        transform: None,
        idd: Some(Re::new(
            "001[14-689]|14(?:1[14]|34|4[17]|[56]6|7[47]|88)0011",
        )),
        mask: 0x17e0,
    },
    Region {
        id: "CC",
        code: 61,
        national_prefix: Some("0"),
        for_parsing: Some(Re::new("([59]\\d{7})$|0")),
        transform: Some("8$1"),
        idd: Some(Re::new(
            "001[14-689]|14(?:1[14]|34|4[17]|[56]6|7[47]|88)0011",
        )),
        mask: 0x17c0,
    },
    Region {
        id: "CX",
        code: 61,
        national_prefix: Some("0"),
        for_parsing: Some(Re::new("([59]\\d{7})$|0")),
        transform: Some("8$1"),
        idd: Some(Re::new(
            "001[14-689]|14(?:1[14]|34|4[17]|[56]6|7[47]|88)0011",
        )),
        mask: 0x17c0,
    },
    Region {
        id: "AT",
        code: 43,
        national_prefix: Some("0"),
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("00")),
        mask: 0x3ff0,
    },
    Region {
        id: "ES",
        code: 34,
        national_prefix: None,
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("00")),
        mask: 0x200,
    },
    Region {
        id: "NL",
        code: 31,
        national_prefix: Some("0"),
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("00")),
        mask: 0xfe0,
    },
    Region {
        id: "BE",
        code: 32,
        national_prefix: Some("0"),
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("00")),
        mask: 0x300,
    },
    Region {
        id: "CH",
        code: 41,
        national_prefix: Some("0"),
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("00")),
        mask: 0x1200,
    },
    Region {
        id: "DK",
        code: 45,
        national_prefix: None,
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("00")),
        mask: 0x100,
    },
    Region {
        id: "SE",
        code: 46,
        national_prefix: Some("0"),
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("00")),
        mask: 0x17c0,
    },
    Region {
        id: "NO",
        code: 47,
        national_prefix: None,
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("00")),
        mask: 0x120,
    },
    Region {
        id: "SJ",
        code: 47,
        national_prefix: None,
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("00")),
        mask: 0x120,
    },
    Region {
        id: "PL",
        code: 48,
        national_prefix: None,
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("00")),
        mask: 0x7c0,
    },
    Region {
        id: "PT",
        code: 351,
        national_prefix: None,
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("00")),
        mask: 0x200,
    },
    Region {
        id: "IE",
        code: 353,
        national_prefix: Some("0"),
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("00")),
        mask: 0x780,
    },
    Region {
        id: "FI",
        code: 358,
        national_prefix: Some("0"),
        for_parsing: None,
        transform: None,
        idd: Some(Re::new(
            "00|99(?:[01469]|5(?:[14]1|3[23]|5[59]|77|88|9[09]))",
        )),
        mask: 0x1fe0,
    },
    Region {
        id: "AX",
        code: 358,
        national_prefix: Some("0"),
        for_parsing: None,
        transform: None,
        idd: Some(Re::new(
            "00|99(?:[01469]|5(?:[14]1|3[23]|5[59]|77|88|9[09]))",
        )),
        mask: 0x1fe0,
    },
    Region {
        id: "NZ",
        code: 64,
        national_prefix: Some("0"),
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("0(?:0|161)")),
        mask: 0x7e0,
    },
    Region {
        id: "ZA",
        code: 27,
        national_prefix: Some("0"),
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("00")),
        mask: 0x7e0,
    },
    Region {
        id: "SG",
        code: 65,
        national_prefix: None,
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("0[0-3]\\d")),
        mask: 0xd00,
    },
    Region {
        id: "JP",
        code: 81,
        national_prefix: Some("0"),
        for_parsing: Some(Re::new("(000[2569]\\d{4,6})$|(?:(?:003768)0?)|0")),
        transform: Some("$1"),
        idd: Some(Re::new("010")),
        mask: 0x3ff00,
    },
    Region {
        id: "KR",
        code: 82,
        national_prefix: Some("0"),
        for_parsing: Some(Re::new("0(8(?:[1-46-8]|5\\d\\d))?")),
        transform: None,
        idd: Some(Re::new(
            "00(?:[125689]|3(?:[46]5|91)|7(?:00|27|3|55|6[126]))",
        )),
        mask: 0x7f60,
    },
    Region {
        id: "CN",
        code: 86,
        national_prefix: Some("0"),
        for_parsing: Some(Re::new("(1(?:[12]\\d|79)\\d\\d)|0")),
        transform: None,
        idd: Some(Re::new("00|1(?:[12]\\d|79)\\d\\d00")),
        mask: 0x1f80,
    },
    Region {
        id: "IN",
        code: 91,
        national_prefix: Some("0"),
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("00")),
        mask: 0x3f00,
    },
    Region {
        id: "MX",
        code: 52,
        national_prefix: None,
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("0[09]")),
        mask: 0x400,
    },
    Region {
        id: "BR",
        code: 55,
        national_prefix: Some("0"),
        for_parsing: Some(Re::new(
            "(?:0|90)(?:(1[245]|2[1-35]|31|4[13]|[56]5|99)(\\d{10,11}))?",
        )),
        transform: Some("$2"),
        idd: Some(Re::new("00(?:1[245]|2[1-35]|31|4[13]|[56]5|99)")),
        mask: 0xf00,
    },
    Region {
        id: "IT",
        code: 39,
        national_prefix: None,
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("00")),
        mask: 0x1fc0,
    },
    Region {
        id: "VA",
        code: 39,
        national_prefix: None,
        for_parsing: None,
        transform: None,
        idd: Some(Re::new("00")),
        mask: 0x1fc0,
    },
];

/// The kinds of US number in the order libphonenumber's `number_type` tries them: general
/// description, premium rate, toll free, shared cost, VoIP, personal, pager, UAN, voicemail, fixed
/// line, mobile.
pub(super) static US_TYPES: [Option<Pattern>; 11] = [
    Some(Pattern { lengths: &[], regex: Re::new("[2-9]\\d{9}|3\\d{6}") }),
    Some(Pattern { lengths: &[10], regex: Re::new("900[2-9]\\d{6}") }),
    Some(Pattern { lengths: &[10], regex: Re::new("8(?:00|33|44|55|66|77|88)[2-9]\\d{6}") }),
    None,
    None,
    Some(Pattern { lengths: &[10], regex: Re::new("52(?:3(?:[2-46-9][02-9]\\d|5(?:[02-46-9]\\d|5[0-46-9]))|4(?:[2-478][02-9]\\d|5(?:[034]\\d|2[024-9]|5[0-46-9])|6(?:0[1-9]|[2-9]\\d)|9(?:[05-9]\\d|2[0-5]|49)))\\d{4}|52[34][2-9]1[02-9]\\d{4}|5(?:00|2[125-9]|3[23]|44|66|77|88)[2-9]\\d{6}") }),
    None,
    None,
    None,
    Some(Pattern { lengths: &[10], regex: Re::new("(?:274[27]|(?:472|983)[2-47-9])\\d{6}|(?:2(?:0[1-35-9]|1[02-9]|2[03-57-9]|3[1459]|4[08]|5[1-46]|6[0279]|7[0269]|8[13])|3(?:0[1-57-9]|1[02-9]|2[013-79]|3[0-24679]|4[167]|5[0-3]|6[01349]|8[056])|4(?:0[124-9]|1[02-579]|2[3-5]|3[0245]|4[023578]|58|6[349]|7[0589]|8[04])|5(?:0[1-57-9]|1[0235-8]|20|3[0149]|4[01]|5[179]|6[1-47]|7[0-5]|8[0256])|6(?:0[1-35-9]|1[024-9]|2[03689]|3[016]|4[0156]|5[01679]|6[0-279]|78|8[0-269])|7(?:0[1-46-8]|1[2-9]|2[04-8]|3[0-2478]|4[0378]|5[47]|6[02359]|7[0-59]|8[156])|8(?:0[1-68]|1[02-8]|2[0168]|3[0-2589]|4[03578]|5[046-9]|6[02-5]|7[028])|9(?:0[1346-9]|1[02-9]|2[0589]|3[0146-8]|4[01357-9]|5[12469]|7[0-3589]|8[04-69]))[2-9]\\d{6}") }),
    Some(Pattern { lengths: &[10], regex: Re::new("(?:274[27]|(?:472|983)[2-47-9])\\d{6}|(?:2(?:0[1-35-9]|1[02-9]|2[03-57-9]|3[1459]|4[08]|5[1-46]|6[0279]|7[0269]|8[13])|3(?:0[1-57-9]|1[02-9]|2[013-79]|3[0-24679]|4[167]|5[0-3]|6[01349]|8[056])|4(?:0[124-9]|1[02-579]|2[3-5]|3[0245]|4[023578]|58|6[349]|7[0589]|8[04])|5(?:0[1-57-9]|1[0235-8]|20|3[0149]|4[01]|5[179]|6[1-47]|7[0-5]|8[0256])|6(?:0[1-35-9]|1[024-9]|2[03689]|3[016]|4[0156]|5[01679]|6[0-279]|78|8[0-269])|7(?:0[1-46-8]|1[2-9]|2[04-8]|3[0-2478]|4[0378]|5[47]|6[02359]|7[0-59]|8[156])|8(?:0[1-68]|1[02-8]|2[0168]|3[0-2589]|4[03578]|5[046-9]|6[02-5]|7[028])|9(?:0[1346-9]|1[02-9]|2[0589]|3[0146-8]|4[01357-9]|5[12469]|7[0-3589]|8[04-69]))[2-9]\\d{6}") }),
];
