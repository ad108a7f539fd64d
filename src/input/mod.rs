//! Reading stage: opens each input (a file or `-` for stdin, gzipped or not), detects its
//! format and yields raw records with the line they start on, streaming.

mod bulk;
mod csv;
mod json;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use encoding_rs::Encoding;
use flate2::read::MultiGzDecoder;

pub use self::csv::CsvReader;
pub use self::json::{JsonReader, NdjsonReader};

/// Input file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma-, semicolon-, tab- or pipe-separated values with a header row.
    Csv,
    /// A JSON array of orders, or an object holding them under `orders` (or one under `order`).
    Json,
    /// One JSON order per line (also `.jsonl`).
    Ndjson,
}

impl Format {
    /// Lowercase name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
        }
    }
}

/// One record as read: a CSV row (decoded fields) or a JSON order object.
#[derive(Debug)]
pub enum Raw {
    /// A CSV row; field `i` belongs to header column `i`.
    Row {
        /// Line the row starts on (1-based).
        line: u64,
        /// Decoded fields.
        fields: Fields,
    },
    /// A JSON object.
    Object {
        /// Line the object starts on (1-based).
        line: u64,
        /// The parsed order.
        value: serde_json::Value,
    },
}

/// A CSV row's fields, checked to be UTF-8 once for the whole row: the row's text in one
/// buffer, and the record that says where each field starts and ends. (The csv crate's
/// `StringRecord` checks a row that is not all ASCII field by field: on an export with
/// accented names that was one check per column, 79 a row.) A 79-column export costs no
/// allocation a row: both buffers are handed back ([`csv::CsvReader::recycle`]) and reused.
#[derive(Debug, Clone)]
pub struct Fields {
    text: String,
    record: ::csv::ByteRecord,
}

impl Fields {
    /// `record`'s fields as text, copied into `text` (whose content is dropped); or the index
    /// of the first field that is not UTF-8.
    pub(crate) fn decode(record: ::csv::ByteRecord, mut text: String) -> Result<Fields, usize> {
        let first_invalid =
            |r: &::csv::ByteRecord| r.iter().position(|f| std::str::from_utf8(f).is_err());
        let Ok(whole) = simdutf8::basic::from_utf8(record.as_slice()) else {
            return Err(first_invalid(&record).unwrap_or(0));
        };
        // The whole row is UTF-8; each field is too unless a field boundary falls inside a
        // character (`\xc3,\xa9` is `é` split in two): a field that starts with a
        // continuation byte.
        if !whole.is_ascii()
            && record
                .iter()
                .any(|f| f.first().is_some_and(|&b| b & 0xC0 == 0x80))
        {
            return Err(first_invalid(&record).unwrap_or(0));
        }
        text.clear();
        text.push_str(whole);
        Ok(Fields { text, record })
    }

    /// The buffers back, for the next row.
    pub(crate) fn into_buffers(self) -> (::csv::ByteRecord, String) {
        (self.record, self.text)
    }

    /// Number of fields.
    #[must_use]
    pub fn len(&self) -> usize {
        self.record.len()
    }

    /// Whether the row has no fields.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.record.is_empty()
    }

    /// The fields in column order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| &self[i])
    }
}

impl std::ops::Index<usize> for Fields {
    type Output = str;
    fn index(&self, i: usize) -> &str {
        // `decode` checked that every field boundary is a character boundary.
        &self.text[self.record.range(i).expect("field index within the row")]
    }
}

impl crate::map::Cells for Fields {
    fn cell(&self, i: usize) -> &str {
        &self[i]
    }
}

impl Raw {
    /// Line the record starts on.
    #[must_use]
    pub fn line(&self) -> u64 {
        match self {
            Raw::Row { line, .. } | Raw::Object { line, .. } => *line,
        }
    }
}

/// A record that could not be read; the run goes on without it.
#[derive(Debug, Clone)]
pub struct ReadProblem {
    /// Line the broken record starts on.
    pub line: u64,
    /// The column, where one is to blame.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

/// An input that cannot be read at all (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Opening failed.
    #[error("cannot open `{path}`")]
    Open {
        /// Path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: io::Error,
    },
    /// Reading failed part-way (I/O error, corrupt gzip).
    #[error("cannot read `{path}` near line {line}")]
    Read {
        /// Path.
        path: String,
        /// Last good line.
        line: u64,
        /// Cause.
        #[source]
        source: io::Error,
    },
    /// The input has a shape pinconv cannot use.
    #[error("`{path}`: {message}")]
    Shape {
        /// Path.
        path: String,
        /// What is wrong.
        message: String,
        /// How to fix it.
        hint: Option<String>,
    },
}

impl InputError {
    /// The fix, where one is known.
    #[must_use]
    pub fn hint(&self) -> Option<&str> {
        match self {
            InputError::Shape { hint, .. } => hint.as_deref(),
            InputError::Read { .. } => Some("if the file is gzipped, check that it is complete"),
            InputError::Open { .. } => None,
        }
    }
}

/// How to read one input, from flags and config.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Forced format.
    pub format: Option<Format>,
    /// Forced CSV delimiter.
    pub delimiter: Option<u8>,
    /// Forced encoding (`None`: UTF-8, or UTF-16 by its BOM).
    pub encoding: Option<&'static Encoding>,
}

/// Resolves an encoding label (`utf-8`, `windows-1252`, `latin1`, `utf-16le`, ...).
#[must_use]
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// An opened input, ready to yield records.
pub enum Reader {
    /// CSV.
    Csv(CsvReader),
    /// JSON document (Shopify bulk operation children folded into their parents).
    Json(JsonReader, bulk::Grouping),
    /// NDJSON (Shopify bulk operation children folded into their parents).
    Ndjson(NdjsonReader, bulk::Grouping),
}

impl Reader {
    /// The next record, a problem with one record, or the end. A fatal read error ends the input.
    pub fn next_record(&mut self) -> Option<Result<Result<Raw, ReadProblem>, InputError>> {
        match self {
            Reader::Csv(r) => r.next_record(),
            Reader::Json(r, g) => g.next(&mut || r.next_record()),
            Reader::Ndjson(r, g) => g.next(&mut || r.next_record()),
        }
    }

    /// Input lines folded into an earlier record (a Shopify bulk operation's line items) so
    /// far: records too, though [`Reader::next_record`] never yields them.
    #[must_use]
    pub fn folded(&self) -> u64 {
        match self {
            Reader::Csv(_) => 0,
            Reader::Json(_, g) | Reader::Ndjson(_, g) => g.folded(),
        }
    }

    /// The format being read.
    #[must_use]
    pub fn format(&self) -> Format {
        match self {
            Reader::Csv(_) => Format::Csv,
            Reader::Json(..) => Format::Json,
            Reader::Ndjson(..) => Format::Ndjson,
        }
    }
}

/// The display name of an input: its path, or `<stdin>`.
#[must_use]
pub fn display_name(path: &Path) -> Arc<str> {
    if path == Path::new("-") {
        Arc::from("<stdin>")
    } else {
        Arc::from(path.display().to_string())
    }
}

/// Opens `path` (`-` is stdin), undoes gzip (by magic bytes), decodes the encoding and
/// detects the format (from the extension, else by sniffing).
pub fn open(path: &Path, opts: &ReadOptions) -> Result<Reader, InputError> {
    open_detecting(path, opts).map(|(r, _)| r)
}

/// Like [`open`], and also says which encoding was detected when the input is not UTF-8
/// and none was given (Excel's CSV in a Western locale is Windows-1252, for instance).
pub fn open_detecting(
    path: &Path,
    opts: &ReadOptions,
) -> Result<(Reader, Option<&'static Encoding>), InputError> {
    let raw: Box<dyn Read + Send> = if path == Path::new("-") {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path).map_err(|source| InputError::Open {
            path: path.to_owned(),
            source,
        })?)
    };
    open_stream(raw, path, opts)
}

/// Like [`open_detecting`], from bytes already open (`path` names them and gives the
/// format by its extension): what the fuzz targets and tests feed.
pub fn open_stream(
    raw: Box<dyn Read + Send>,
    path: &Path,
    opts: &ReadOptions,
) -> Result<(Reader, Option<&'static Encoding>), InputError> {
    let name = display_name(path);
    let mut buffered = BufReader::with_capacity(1 << 16, raw);
    let magic = buffered.fill_buf().map_err(|source| InputError::Read {
        path: name.to_string(),
        line: 0,
        source,
    })?;
    let gz = magic.starts_with(&[0x1f, 0x8b]);
    let mut plain: Box<dyn Read + Send> = if gz {
        Box::new(MultiGzDecoder::new(buffered))
    } else {
        Box::new(buffered)
    };
    let raw_prefix = read_prefix(&mut plain).map_err(|source| InputError::Read {
        path: name.to_string(),
        line: 0,
        source,
    })?;
    if let Some(kind) = spreadsheet(&raw_prefix) {
        return Err(InputError::Shape {
            path: name.to_string(),
            message: format!("this is {kind}, not a CSV or JSON file"),
            hint: Some(
                "open it in the spreadsheet program and save it as \"CSV UTF-8\" (or export CSV from the shop)".into(),
            ),
        });
    }
    let detected = match opts.encoding {
        Some(_) => None,
        None => detect_encoding(&raw_prefix),
    };
    let plain: Box<dyn Read + Send> = Box::new(io::Cursor::new(raw_prefix).chain(plain));
    // BOM sniffing turns UTF-16 into UTF-8 and drops a UTF-8 BOM; other bytes pass through
    // so invalid UTF-8 is reported per field rather than replaced.
    let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
        .encoding(
            opts.encoding
                .or(detected)
                .filter(|e| *e != encoding_rs::UTF_8),
        )
        .bom_sniffing(true)
        .utf8_passthru(true)
        .build(plain);
    // The decoder hands out small first reads, so gather the first line (or 64 KiB) for
    // format and delimiter detection, then read on from there.
    let mut decoded = decoded;
    let mut prefix = read_prefix(&mut decoded).map_err(|source| InputError::Read {
        path: name.to_string(),
        line: 0,
        source,
    })?;
    // The decoder passes a UTF-8 byte-order mark through; drop it here for every format.
    if prefix.starts_with(b"\xEF\xBB\xBF") {
        prefix.drain(..3);
    }
    let format = match opts.format.or_else(|| format_from_name(path)) {
        Some(f) => f,
        None => sniff(&prefix),
    };
    let reader = BufReader::with_capacity(1 << 16, io::Cursor::new(prefix).chain(decoded));
    let reader = match format {
        Format::Csv => Reader::Csv(CsvReader::new(reader, name, opts.delimiter)?),
        Format::Json => Reader::Json(
            JsonReader::new(Box::new(reader), name.clone()),
            bulk::Grouping::new(&name),
        ),
        Format::Ndjson => Reader::Ndjson(
            NdjsonReader::new(Box::new(reader), name.clone()),
            bulk::Grouping::new(&name),
        ),
    };
    Ok((reader, detected))
}

/// What kind of spreadsheet workbook the bytes start, if any: a ZIP container (`.xlsx`,
/// `.ods`, `.numbers`) or an OLE2 compound file (Excel 97-2003 `.xls`).
fn spreadsheet(prefix: &[u8]) -> Option<&'static str> {
    if prefix.starts_with(b"PK\x03\x04") {
        Some("a ZIP archive (an Excel `.xlsx` or OpenDocument workbook)")
    } else if prefix.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        Some("an Excel 97-2003 workbook (`.xls`)")
    } else {
        None
    }
}

/// The encoding of a start of input that is neither UTF-8 nor marked by a byte-order mark,
/// guessed by `chardetng` (Firefox's detector); `None` for UTF-8, a BOM, plain ASCII, or
/// UTF-8 with a few stray bytes.
fn detect_encoding(prefix: &[u8]) -> Option<&'static Encoding> {
    if prefix.starts_with(b"\xEF\xBB\xBF")
        || prefix.starts_with(b"\xFF\xFE")
        || prefix.starts_with(b"\xFE\xFF")
    {
        return None;
    }
    match std::str::from_utf8(prefix) {
        Ok(_) => return None,
        // Cut in the middle of a character at the end of the prefix: still UTF-8.
        Err(e) if e.error_len().is_none() => return None,
        Err(_) => {}
    }
    // UTF-8 characters beside the bad bytes: a UTF-8 file with a few stray bytes, which are
    // reported per field; decoding it all as a legacy encoding would garble the rest.
    if prefix
        .utf8_chunks()
        .any(|c| c.valid().bytes().any(|b| !b.is_ascii()))
    {
        return None;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(prefix, true);
    Some(detector.guess(None, chardetng::Utf8Detection::Deny))
}

/// The format an extension implies (`.gz` is looked through).
#[must_use]
pub fn format_from_name(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let ext = name.rsplit_once('.')?.1;
    match ext {
        "csv" | "tsv" | "txt" | "tab" | "psv" => Some(Format::Csv),
        "json" => Some(Format::Json),
        "ndjson" | "jsonl" | "ldjson" => Some(Format::Ndjson),
        _ => None,
    }
}

/// Reads the first 64 KiB (or the whole input, if smaller): enough for the header, a few
/// rows, leading blank lines and Excel's `sep=` line.
fn read_prefix(r: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(1 << 16);
    let mut chunk = [0u8; 8192];
    while buf.len() < 1 << 16 {
        let n = r.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(buf)
}

fn sniff(buf: &[u8]) -> Format {
    let text = String::from_utf8_lossy(buf);
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        return Format::Json;
    }
    if trimmed.starts_with('{') {
        // NDJSON when the first line is a whole object on its own.
        let first = trimmed.lines().next().unwrap_or("");
        let ndjson = serde_json::from_str::<serde_json::Value>(first).is_ok()
            && trimmed
                .lines()
                .nth(1)
                .is_some_and(|l| l.trim_start().starts_with('{'));
        return if ndjson { Format::Ndjson } else { Format::Json };
    }
    Format::Csv
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// A row decodes as the csv crate's own per-field check does: the same fields, or the
        /// same first field that is not UTF-8. The bytes lean to UTF-8 lead and continuation
        /// bytes, so characters split across fields, truncated and overlong ones all occur.
        #[test]
        fn a_row_decodes_as_a_field_by_field_check_does(
            fields in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::prop_oneof![
                        proptest::prelude::any::<u8>(),
                        0x80u8..0xc0,
                        0xc2u8..0xf5,
                        proptest::strategy::Just(b'a'),
                    ],
                    0..6,
                ),
                0..8,
            ),
            spare in ".{0,8}",
        ) {
            let record = ::csv::ByteRecord::from(fields.clone());
            let expected = ::csv::StringRecord::from_byte_record(record.clone());
            match (Fields::decode(record, spare), expected) {
                (Ok(got), Ok(want)) => {
                    let got: Vec<&str> = got.iter().collect();
                    let want: Vec<&str> = want.iter().collect();
                    proptest::prop_assert_eq!(got, want);
                }
                (Err(field), Err(e)) => proptest::prop_assert_eq!(field, e.utf8_error().field()),
                (got, want) => proptest::prop_assert!(false, "{:?} vs {:?}", got.map(|f| f.len()), want),
            }
        }
    }

    #[test]
    fn non_utf8_input_gets_a_detected_encoding() {
        let latin = "order_id,city\nL-1,Montréal\nL-2,Zürich\n";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(latin);
        assert_eq!(detect_encoding(&bytes), Some(encoding_rs::WINDOWS_1252));
        assert_eq!(detect_encoding(latin.as_bytes()), None);
        assert_eq!(detect_encoding(b"\xFF\xFEa\x00"), None);
        // A UTF-8 character cut by the end of the prefix is not a sign of another encoding.
        assert_eq!(detect_encoding(&"aé".as_bytes()[..2]), None);
        // Nor is one stray byte in a UTF-8 file.
        assert_eq!(detect_encoding("Zoë,Orl\u{e9}ans".as_bytes()), None);
        assert_eq!(detect_encoding(b"Zo\xc3\xab,Orl\xe9ans"), None);
    }

    #[test]
    fn workbooks_are_recognised() {
        assert!(spreadsheet(b"PK\x03\x04\x14\x00")
            .unwrap()
            .contains(".xlsx"));
        assert!(spreadsheet(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00")
            .unwrap()
            .contains(".xls"));
        assert_eq!(spreadsheet(b"PK,order_id\n"), None);
    }

    #[test]
    fn formats_from_extensions() {
        assert_eq!(format_from_name(Path::new("a.csv")), Some(Format::Csv));
        assert_eq!(format_from_name(Path::new("a.CSV.gz")), Some(Format::Csv));
        assert_eq!(format_from_name(Path::new("a.jsonl")), Some(Format::Ndjson));
        assert_eq!(format_from_name(Path::new("a.json.gz")), Some(Format::Json));
        assert_eq!(format_from_name(Path::new("a")), None);
    }
}
