//! CSV input: delimiter detection, header, quoted fields, UTF-8 checks (once per row).

use std::io::{BufRead, Read};
use std::sync::Arc;

use super::{InputError, Raw, ReadProblem};

/// Streams rows of a delimited file with a header row.
pub struct CsvReader {
    inner: csv::Reader<Box<dyn Read + Send>>,
    header: Vec<String>,
    name: Arc<str>,
    delimiter: u8,
    record: csv::ByteRecord,
    /// A record handed back ([`CsvReader::recycle`]) once its row was mapped: the next row is
    /// read into its buffers, so reading allocates nothing per row.
    spare: Option<csv::ByteRecord>,
    /// The text buffer of the row handed back, likewise.
    spare_text: String,
    lines: LineIndex,
}

/// The most bytes one record (a row, with any quoted line breaks) may take: past it the input
/// stops, since a CSV parser cannot find the next row for sure inside an open quote.
pub const MAX_RECORD: u64 = 1 << 20;
/// The most bytes the header row may take.
pub const MAX_HEADER: u64 = 64 << 10;
/// The most bytes one field may take: a longer one makes its row unreadable (the run goes on).
pub const MAX_FIELD: usize = 512 << 10;

/// Where the line breaks are, so a record's end offset gives its lines. (The csv crate's own
/// line counter is off for CRLF, CR-only and mixed line ends, and counts skipped blank lines
/// into the next record.) A `\r\n` pair, a lone `\r` and a lone `\n` each end one line; a
/// break is stored as the offset of its last byte.
#[derive(Clone, Default)]
struct LineIndex {
    breaks: Arc<std::sync::Mutex<Breaks>>,
    /// Breaks already passed, plus lines skipped before the header.
    passed: u64,
}

/// The line breaks the reader has seen and the parser has not yet passed, shared between
/// [`Counting`] (which sees the bytes) and [`LineIndex`] (which learns where records end).
#[derive(Default)]
struct Breaks {
    /// Offsets of breaks in bytes read since the parser last asked for more.
    queue: std::collections::VecDeque<u64>,
    /// Breaks in bytes the parser has already passed, counted but not kept: blank lines the
    /// csv crate skips inside one read cost nothing but this count.
    behind: u64,
    /// The offset of the last of `behind`.
    last_behind: Option<u64>,
    /// Where the record being read began (just past the one before, or past blank lines).
    record_start: u64,
    /// Whether a byte other than a line break came since `record_start`.
    content: bool,
    /// The most bytes the record being read may take.
    limit: u64,
    /// The longest `queue` has been, so a test can see that skipped lines are not kept.
    #[cfg(test)]
    peak: usize,
}

/// A record longer than its limit (the I/O error a [`Counting`] reader returns).
#[derive(Debug, thiserror::Error)]
#[error("a record is longer than {limit} bytes")]
struct TooLong {
    limit: u64,
}

impl LineIndex {
    /// The line a record ends on, given the offset just past it; offsets never go backwards.
    fn last_line(&mut self, end: u64) -> u64 {
        let mut st = self.breaks.lock().expect("line index lock");
        let mut last = None;
        if st.behind > 0 {
            self.passed += st.behind;
            st.behind = 0;
            last = st.last_behind;
        }
        while let Some(&b) = st.queue.front().filter(|b| **b < end) {
            st.queue.pop_front();
            self.passed += 1;
            last = Some(b);
        }
        st.record_start = end;
        st.content = false;
        if last.is_some_and(|b| b + 1 == end) {
            self.passed
        } else {
            self.passed + 1
        }
    }

    /// From now on records may take `limit` bytes, counted from `start`.
    fn limit(&self, start: u64, limit: u64) {
        let mut st = self.breaks.lock().expect("line index lock");
        st.record_start = start;
        st.content = false;
        st.limit = limit;
    }
}

/// Line breaks inside a record's fields (quoted newlines).
fn inner_breaks(record: &csv::ByteRecord) -> u64 {
    // Most records have none: one scan over the whole record says so, instead of one per field.
    if memchr::memchr2(b'\n', b'\r', record.as_slice()).is_none() {
        return 0;
    }
    record
        .iter()
        .map(|f| {
            let lf = memchr::memchr_iter(b'\n', f).count();
            let lone_cr = memchr::memchr_iter(b'\r', f)
                .filter(|&i| f.get(i + 1) != Some(&b'\n'))
                .count();
            (lf + lone_cr) as u64
        })
        .sum()
}

/// A reader that records the offsets of line breaks as bytes pass through.
struct Counting<R> {
    inner: R,
    pos: u64,
    /// A `\r` at the end of the last read: a break unless a `\n` comes next.
    pending_cr: Option<u64>,
    breaks: Arc<std::sync::Mutex<Breaks>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut st = self.breaks.lock().expect("line index lock");
        // The parser asks for more only once it has used every byte read so far, so every
        // break stored is behind it and before the end of any record still to come: keep
        // their count, not their offsets.
        st.behind += st.queue.len() as u64;
        if let Some(&b) = st.queue.back() {
            st.last_behind = Some(b);
        }
        st.queue.clear();
        // Blank lines are no part of a record: the record starts after them.
        if !st.content {
            st.record_start = self.pos;
        }
        if st.limit > 0 && self.pos - st.record_start > st.limit {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                TooLong { limit: st.limit },
            ));
        }
        let n = self.inner.read(buf)?;
        if let Some(cr) = self.pending_cr.take() {
            if n == 0 || buf[0] != b'\n' {
                st.queue.push_back(cr);
            }
        }
        for i in memchr::memchr2_iter(b'\r', b'\n', &buf[..n]) {
            let at = self.pos + i as u64;
            if buf[i] == b'\n' {
                st.queue.push_back(at);
            } else if i + 1 == n {
                self.pending_cr = Some(at);
            } else if buf[i + 1] != b'\n' {
                st.queue.push_back(at);
            }
        }
        if !st.content {
            st.content = buf[..n].iter().any(|b| !matches!(b, b'\r' | b'\n'));
        }
        #[cfg(test)]
        {
            st.peak = st.peak.max(st.queue.len());
        }
        self.pos += n as u64;
        Ok(n)
    }
}

/// The [`TooLong`] inside an I/O error, if that is what it is.
fn too_long(e: &std::io::Error) -> Option<u64> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<TooLong>())
        .map(|t| t.limit)
}

fn header_too_long(name: &str, line: u64) -> InputError {
    InputError::Shape {
        path: name.to_owned(),
        message: format!(
            "line {line}: the header row is longer than {}",
            size(MAX_HEADER)
        ),
        hint: Some(
            "this does not look like an order export: check that it is the file you meant, and its quoting".into(),
        ),
    }
}

/// `1 MiB`, `64 KiB`: a limit as the README states it.
pub(super) fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{} KiB", bytes >> 10)
    }
}

/// Title lines above the header that are skipped, at most.
const MAX_TITLE_LINES: usize = 10;

/// Candidate delimiters, in order of preference on a tie.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How many fields of a line hold something, splitting on any candidate delimiter outside
/// quotes.
fn filled_fields(line: &[u8]) -> usize {
    let mut quoted = false;
    let mut filled = 0;
    let mut current = false;
    for &b in line {
        if b == b'"' {
            quoted = !quoted;
        }
        if !quoted && DELIMITERS.contains(&b) {
            filled += usize::from(current);
            current = false;
        } else if !b.is_ascii_whitespace() && b != b'"' {
            current = true;
        }
    }
    filled + usize::from(current)
}

/// Counts each candidate delimiter outside quotes in the first line of `buf`.
fn detect_delimiter(buf: &[u8]) -> u8 {
    let mut counts = [0usize; DELIMITERS.len()];
    let mut quoted = false;
    for &b in buf {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(i) = DELIMITERS.iter().position(|d| *d == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let best = counts
        .iter()
        .enumerate()
        .max_by_key(|(i, c)| (**c, std::cmp::Reverse(*i)))
        .map_or(0, |(i, _)| i);
    DELIMITERS[best]
}

fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "tab".to_owned(),
        _ => format!("`{}`", d as char),
    }
}

impl CsvReader {
    /// Reads the header row. `delimiter` forces one; otherwise it is detected from the header.
    pub fn new<R: BufRead + Send + 'static>(
        mut reader: R,
        name: Arc<str>,
        delimiter: Option<u8>,
    ) -> Result<CsvReader, InputError> {
        let read_err = |source| InputError::Read {
            path: name.to_string(),
            line: 0,
            source,
        };
        // Blank lines before the header, and Excel's `sep=;` line, are not the header.
        let mut skipped = 0u64;
        let mut titles = 0;
        let mut delimiter = delimiter;
        loop {
            let buf = reader.fill_buf().map_err(read_err)?;
            let end = buf.iter().position(|b| *b == b'\n');
            let line = &buf[..end.unwrap_or(buf.len())];
            let text = line.strip_suffix(b"\r").unwrap_or(line);
            let sep = text
                .strip_prefix(b"sep=")
                .filter(|d| d.len() == 1)
                .map(|d| d[0]);
            let blank = !buf.is_empty() && text.iter().all(u8::is_ascii_whitespace);
            // A report title above the header (`Orders report`, `Exported 28.11.2026`, or
            // `Orders report;;;;` as Excel pads it): a line with one filled cell at most,
            // followed by lines with several.
            // A line with an unclosed quote is the start of a header cell with a line break
            // in it, never a title.
            let title = |e: usize| {
                titles < MAX_TITLE_LINES
                    && text.iter().filter(|b| **b == b'"').count() % 2 == 0
                    && filled_fields(text) <= 1
                    && buf[e + 1..]
                        .split(|b| *b == b'\n')
                        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
                        .take(MAX_TITLE_LINES)
                        .any(|l| filled_fields(l) > 1)
            };
            match (end, sep, blank) {
                (Some(e), Some(d), _) => {
                    delimiter = delimiter.or(Some(d));
                    reader.consume(e + 1);
                }
                (Some(e), None, true) => reader.consume(e + 1),
                (Some(e), None, false) if title(e) => {
                    titles += 1;
                    reader.consume(e + 1);
                }
                _ => break,
            }
            skipped += 1;
        }
        let peek = reader.fill_buf().map_err(read_err)?;
        if peek.iter().all(u8::is_ascii_whitespace) {
            return Err(InputError::Shape {
                path: name.to_string(),
                message: "the file is empty: no header row".into(),
                hint: Some(
                    "export the orders again; pinconv needs a header row naming the columns".into(),
                ),
            });
        }
        let detected = detect_delimiter(peek);
        let delim = delimiter.unwrap_or(detected);
        let lines = LineIndex {
            passed: skipped,
            ..LineIndex::default()
        };
        lines.limit(0, MAX_HEADER);
        let boxed: Box<dyn Read + Send> = Box::new(Counting {
            inner: reader,
            pos: 0,
            pending_cr: None,
            breaks: lines.breaks.clone(),
        });
        let mut inner = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delim)
            .from_reader(boxed);
        let mut head = csv::ByteRecord::new();
        match inner.read_byte_record(&mut head) {
            Ok(true) => {}
            Ok(false) => {
                return Err(InputError::Shape {
                    path: name.to_string(),
                    message: "the file is empty: no header row".into(),
                    hint: None,
                })
            }
            Err(e) => {
                if let csv::ErrorKind::Io(io) = e.kind() {
                    if too_long(io).is_some() {
                        return Err(header_too_long(&name, skipped + 1));
                    }
                }
                return Err(InputError::Shape {
                    path: name.to_string(),
                    message: format!("cannot read the header row: {e}"),
                    hint: None,
                });
            }
        }
        // The reader checks the limit a read-ahead buffer late; the header's own end is exact.
        if inner.position().byte() > MAX_HEADER + 2 {
            return Err(header_too_long(&name, skipped + 1));
        }
        lines.limit(inner.position().byte(), MAX_RECORD);
        let mut header = Vec::with_capacity(head.len());
        for (i, f) in head.iter().enumerate() {
            let s = std::str::from_utf8(f).map_err(|_| InputError::Shape {
                path: name.to_string(),
                message: format!("header column {} is not valid UTF-8", i + 1),
                hint: Some("re-save the file as UTF-8, or pass `--encoding windows-1252`".into()),
            })?;
            header.push(s.trim().to_owned());
        }
        if header.len() == 1 && delimiter.is_some() && detected != delim {
            return Err(InputError::Shape {
                path: name.to_string(),
                message: format!(
                    "the header has one column with delimiter {}, but the file looks {}-separated",
                    delimiter_name(delim),
                    delimiter_name(detected)
                ),
                hint: Some(format!(
                    "drop `--delimiter` to detect it, or pass `--delimiter '{}'`",
                    if detected == b'\t' {
                        "\\t".to_owned()
                    } else {
                        (detected as char).to_string()
                    }
                )),
            });
        }
        Ok(CsvReader {
            inner,
            header,
            name,
            delimiter: delim,
            record: csv::ByteRecord::new(),
            spare: None,
            spare_text: String::new(),
            lines,
        })
    }

    /// The header names, trimmed, in file order (duplicates kept).
    #[must_use]
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The delimiter in use.
    #[must_use]
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// Hands a row's fields back once they are used, so the next row reuses their buffers.
    pub fn recycle(&mut self, fields: super::Fields) {
        let (mut record, text) = fields.into_buffers();
        record.clear();
        self.spare = Some(record);
        self.spare_text = text;
    }

    /// The next row.
    pub fn next_record(&mut self) -> Option<Result<Result<Raw, ReadProblem>, InputError>> {
        loop {
            match self.inner.read_byte_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map_or(0, |p| self.lines.last_line(p.byte()));
                    return Some(match e.into_kind() {
                        csv::ErrorKind::Io(source) if too_long(&source).is_some() => {
                            Err(InputError::Shape {
                                path: self.name.to_string(),
                                message: format!(
                                    "the record after line {} is longer than {}; reading stopped there",
                                    self.lines.passed,
                                    size(MAX_RECORD)
                                ),
                                hint: Some(
                                    "a `\"` is probably opened and never closed; fix the quoting after that line (no order row is that long)".into(),
                                ),
                            })
                        }
                        csv::ErrorKind::Io(source) => Err(InputError::Read {
                            path: self.name.to_string(),
                            line,
                            source,
                        }),
                        other => Ok(Err(ReadProblem {
                            line,
                            column: None,
                            message: format!("unreadable row: {other:?}"),
                            hint: None,
                        })),
                    });
                }
            }
            let end = self.inner.position().byte();
            let last = self.lines.last_line(end);
            let mut line = last.saturating_sub(inner_breaks(&self.record));
            // A quote left open runs to the end of the file and takes the final line break
            // into its field: that break is not a terminator, so the record starts a line later.
            let swallowed_end = self.record.len() != self.header.len()
                && self
                    .record
                    .iter()
                    .next_back()
                    .is_some_and(|f| f.ends_with(b"\n") || f.ends_with(b"\r"));
            if swallowed_end {
                line += 1;
            }
            // A blank line inside the data is not a record, nor is a row of empty fields
            // (`;;;;`, what a spreadsheet writes for an empty row).
            if self
                .record
                .iter()
                .all(|f| f.iter().all(u8::is_ascii_whitespace))
            {
                continue;
            }
            return Some(Ok(self.decode(line, last)));
        }
    }

    fn decode(&mut self, line: u64, last: u64) -> Result<Raw, ReadProblem> {
        let want = self.header.len();
        // Spreadsheets pad rows with empty cells past the last header column: they hold
        // nothing, so they are dropped rather than making the row unreadable.
        let n = if self.record.len() > want
            && self
                .record
                .iter()
                .skip(want)
                .all(|f| f.iter().all(u8::is_ascii_whitespace))
        {
            want
        } else {
            self.record.len()
        };
        if n != want {
            let spans = self.record.iter().any(|f| f.contains(&b'\n'));
            return Err(
                if spans || n < want && self.record.iter().any(|f| f.contains(&b'"')) {
                    ReadProblem {
                    line,
                    column: None,
                    message: format!(
                        "broken quoting: this row has {n} fields but the header has {want}; a quoted field opened on line {line} runs on to line {last}, and the rows in between could not be read"
                    ),
                    hint: Some(
                        "a `\"` is opened and never closed (or a quote inside a field is not doubled as `\"\"`); fix the quoting near this line".into(),
                    ),
                }
                } else {
                    ReadProblem {
                    line,
                    column: None,
                    message: format!("this row has {n} fields but the header has {want}"),
                    hint: Some(format!(
                        "check the delimiter ({}) and quoting on this line; a field containing the delimiter must be quoted",
                        delimiter_name(self.delimiter)
                    )),
                }
                },
            );
        }
        // A record no longer than the limit has no field over it: only longer ones are looked
        // into, field by field.
        let long = self.record.as_slice().len() > MAX_FIELD;
        if let Some(i) = long
            .then(|| self.record.iter().take(n).position(|f| f.len() > MAX_FIELD))
            .flatten()
        {
            return Err(ReadProblem {
                line,
                column: Some(self.header[i].clone()),
                message: format!(
                    "the value is longer than {} (the limit for one field)",
                    size(MAX_FIELD as u64)
                ),
                hint: Some("no order value is that long: check the quoting near this line".into()),
            });
        }
        // The record moves out (its text is not copied); the next one is read into the
        // buffers of one handed back, or into new ones of the same size.
        let size = self.record.as_slice().len();
        let fields = self.record.len();
        let next = self
            .spare
            .take()
            .unwrap_or_else(|| csv::ByteRecord::with_capacity(size, fields));
        let mut record = std::mem::replace(&mut self.record, next);
        record.truncate(n);
        let text = std::mem::take(&mut self.spare_text);
        let fields = match super::Fields::decode(record, text) {
            Ok(fields) => fields,
            Err(field) => {
                return Err(ReadProblem {
                    line,
                    column: Some(self.header[field].clone()),
                    message: "the value is not valid UTF-8".into(),
                    hint: Some(
                        "re-export as UTF-8, or pass `--encoding windows-1252` (Excel's usual encoding)".into(),
                    ),
                })
            }
        };
        Ok(Raw::Row { line, fields })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn reader(text: &'static [u8], d: Option<u8>) -> Result<CsvReader, InputError> {
        CsvReader::new(Cursor::new(text), Arc::from("t.csv"), d)
    }

    #[test]
    fn a_recycled_record_holds_only_the_next_row() {
        let text: &'static [u8] =
            b"a,b,c\nlong value one,\"two, quoted\",three\nx,,z\n\"multi\nline\",\xc3\xa9,\n";
        let mut plain = reader(text, None).unwrap();
        let expected: Vec<(u64, Vec<String>)> = rows(&mut plain)
            .into_iter()
            .map(|r| match r {
                Ok(Raw::Row { line, fields }) => (line, fields.iter().map(str::to_owned).collect()),
                other => panic!("{other:?}"),
            })
            .collect();
        let mut r = reader(text, None).unwrap();
        let mut got = Vec::new();
        while let Some(item) = r.next_record() {
            match item.unwrap() {
                Ok(Raw::Row { line, fields }) => {
                    got.push((line, fields.iter().map(str::to_owned).collect::<Vec<_>>()));
                    r.recycle(fields);
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(got, expected);
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].1, ["x", "", "z"]);
    }

    fn rows(r: &mut CsvReader) -> Vec<Result<Raw, ReadProblem>> {
        std::iter::from_fn(|| r.next_record())
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn detects_delimiters() {
        assert_eq!(detect_delimiter(b"a,b,c\n1;2"), b',');
        assert_eq!(detect_delimiter(b"a;b;c\n"), b';');
        assert_eq!(detect_delimiter(b"a\tb\tc\n"), b'\t');
        assert_eq!(detect_delimiter(b"\"a;x\",b,c\n"), b',');
    }

    #[test]
    fn quoted_newlines_and_crlf() {
        let mut r = reader(b"Name,Notes\r\n#1,\"a, b\r\nc\"\r\n#2,x\r\n", None).unwrap();
        let got = rows(&mut r);
        assert_eq!(got.len(), 2);
        match &got[0] {
            Ok(Raw::Row { line, fields }) => {
                assert_eq!(*line, 2);
                assert_eq!(&fields[1], "a, b\r\nc");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(got[1].as_ref().unwrap().line(), 4);
    }

    #[test]
    fn field_count_mismatch_is_a_row_problem() {
        let mut r = reader(b"a,b\n1,2,3\n4,5\n", None).unwrap();
        let got = rows(&mut r);
        let p = got[0].as_ref().unwrap_err();
        assert_eq!(p.line, 2);
        assert!(p.message.contains("3 fields"));
        assert!(got[1].is_ok());
    }

    #[test]
    fn empty_rows_and_trailing_empty_cells() {
        let mut r = reader(b"a;b\r\n1;2;;\r\n;;\r\n ; \r\n3;4\r\n5;6;x\r\n", None).unwrap();
        let got = rows(&mut r);
        assert_eq!(got.len(), 3, "{got:?}");
        match &got[0] {
            Ok(Raw::Row { line, fields }) => assert_eq!((*line, fields.len()), (2, 2)),
            other => panic!("{other:?}"),
        }
        assert_eq!(got[1].as_ref().unwrap().line(), 5);
        // A non-empty extra field is still a problem.
        assert!(got[2].as_ref().unwrap_err().message.contains("3 fields"));
    }

    #[test]
    fn title_lines_above_the_header_are_skipped() {
        let mut r = reader(
            b"\"Orders report\"\nExported 2026-11-28\n\norder_id,email\nR-1,a@example.com\n",
            None,
        )
        .unwrap();
        assert_eq!(r.header(), ["order_id", "email"]);
        assert_eq!(rows(&mut r)[0].as_ref().unwrap().line(), 5);
        // Excel pads a title cell with the delimiters of the columns below it.
        let mut r = reader(
            b"Orders report;;;\r\n;;;\r\nid;email;total;x\r\n1;a@example.com;2;\r\n",
            None,
        )
        .unwrap();
        assert_eq!(r.header(), ["id", "email", "total", "x"]);
        assert_eq!(rows(&mut r)[0].as_ref().unwrap().line(), 4);
        // A header cell with a line break is not a title line.
        let mut r = reader(b"\"Order\nID\",email,total\nR-1,a@example.com,2\n", None).unwrap();
        assert_eq!(r.header(), ["Order\nID", "email", "total"]);
        assert_eq!(rows(&mut r)[0].as_ref().unwrap().line(), 3);
        // A one-column file keeps its header, even with a delimiter inside quotes.
        let mut r = reader(b"name\n\"Doe, Jo\"\nAl\n", None).unwrap();
        assert_eq!(r.header(), ["name"]);
        assert_eq!(rows(&mut r).len(), 2);
    }

    #[test]
    fn invalid_utf8_names_the_column() {
        let mut r = reader(b"city,zip\nMontr\xe9al,1\n", None).unwrap();
        let got = rows(&mut r);
        let p = got[0].as_ref().unwrap_err();
        assert_eq!(p.column.as_deref(), Some("city"));
        assert!(p.hint.as_ref().unwrap().contains("windows-1252"));
    }

    #[test]
    fn a_character_split_by_the_delimiter_names_its_column() {
        // The row's bytes, fields joined, are UTF-8 (`é` = c3 a9); each field alone is not.
        let mut r = reader(
            b"a,city,zip\nok,Montr\xc3,\xa9al\nx,Montr\xc3\xa9al,\xc3\xa9\n",
            None,
        )
        .unwrap();
        let got = rows(&mut r);
        let p = got[0].as_ref().unwrap_err();
        assert_eq!((p.line, p.column.as_deref()), (2, Some("city")));
        // The row after it reads whole, each field where it belongs.
        let Ok(Raw::Row { line, fields }) = &got[1] else {
            panic!("{:?}", got[1])
        };
        assert_eq!(*line, 3);
        let cells: Vec<&str> = fields.iter().collect();
        assert_eq!(cells, ["x", "Montréal", "é"]);
        assert_eq!(&fields[1], "Montréal");
    }

    #[test]
    fn wrong_forced_delimiter_is_explained() {
        let Err(e) = reader(b"a;b;c\n1;2;3\n", Some(b',')) else {
            panic!("should fail")
        };
        assert!(e.to_string().contains("`;`-separated"), "{e}");
    }

    #[test]
    fn skipped_blank_lines_are_counted_not_kept() {
        let mut text = b"a,b\n1,2\n".to_vec();
        text.extend(std::iter::repeat_n(b'\n', 1_000_000));
        text.extend_from_slice(b"\r\n\r\n3,4\n");
        let mut r = CsvReader::new(Cursor::new(text), Arc::from("t.csv"), None).unwrap();
        let got = rows(&mut r);
        assert_eq!(got[1].as_ref().unwrap().line(), 1_000_005);
        let peak = r.lines.breaks.lock().unwrap().peak;
        assert!(peak < 100_000, "{peak} line breaks kept at once");
    }

    #[test]
    fn limits_on_header_record_and_field() {
        let long = |n: usize| "x".repeat(n);
        let header = format!("a,{}\n1,2\n", long(MAX_HEADER as usize));
        let Err(e) = CsvReader::new(Cursor::new(header), Arc::from("t.csv"), None) else {
            panic!("a long header is refused")
        };
        assert!(
            e.to_string()
                .contains("line 1: the header row is longer than 64 KiB"),
            "{e}"
        );
        // A long field makes its row unreadable; the next row is read.
        let text = format!("a,b\n1,\"{}\"\n3,4\n", long(MAX_FIELD + 1));
        let mut r = CsvReader::new(Cursor::new(text), Arc::from("t.csv"), None).unwrap();
        let got = rows(&mut r);
        let p = got[0].as_ref().unwrap_err();
        assert_eq!((p.line, p.column.as_deref()), (2, Some("b")));
        assert!(p.message.contains("longer than 512 KiB"), "{}", p.message);
        assert_eq!(got[1].as_ref().unwrap().line(), 3);
        // Fields up to the limit are read, also when together they are longer than it; a long
        // field after them still makes its row unreadable.
        let half = long(MAX_FIELD / 2 + 1);
        let text = format!(
            "a,b\n{half},{half}\n{},1\n{half},{half}x{}\n",
            long(MAX_FIELD),
            long(MAX_FIELD / 2)
        );
        let mut r = CsvReader::new(Cursor::new(text), Arc::from("t.csv"), None).unwrap();
        let got = rows(&mut r);
        assert!(got[0].is_ok() && got[1].is_ok());
        let p = got[2].as_ref().unwrap_err();
        assert_eq!((p.line, p.column.as_deref()), (4, Some("b")));
        // A record past the limit stops the input, naming where it began.
        let text = format!("a,b\n1,2\n\n3,\"{}", long(MAX_RECORD as usize + 100_000));
        let mut r = CsvReader::new(Cursor::new(text), Arc::from("t.csv"), None).unwrap();
        assert!(r.next_record().unwrap().unwrap().is_ok());
        let Some(Err(e)) = r.next_record() else {
            panic!("a long record stops the input")
        };
        assert!(
            e.to_string()
                .contains("the record after line 2 is longer than 1 MiB"),
            "{e}"
        );
    }

    #[test]
    fn empty_is_an_error() {
        assert!(reader(b"", None).is_err());
        assert!(reader(b"  \n", None).is_err());
    }
}
