//! JSON and NDJSON input. A JSON document is split into its order objects as it streams in,
//! so a file of any size is read with the memory of one order.

use std::io::{self, BufRead};
use std::sync::Arc;

use serde_json::Value;

use super::{InputError, Raw, ReadProblem};

type Item = Option<Result<Result<Raw, ReadProblem>, InputError>>;

/// The most bytes one order (a JSON value, an NDJSON line) may take. A longer one is skipped
/// without being held, and reported; the run goes on with the next.
pub const MAX_RECORD: usize = 1 << 20;

/// Whether a value was captured whole or cut at [`MAX_RECORD`] (and skipped to its end).
#[derive(Debug, PartialEq, Eq)]
enum Captured {
    Whole,
    TooLong,
}

/// Appends `b` to `out` while it is within [`MAX_RECORD`]; notes when it is not.
fn keep(out: &mut Vec<u8>, b: u8, over: &mut bool) {
    if out.len() < MAX_RECORD {
        out.push(b);
    } else {
        *over = true;
    }
}

/// Streams the orders of a JSON document: a top-level array of orders, an object holding the
/// array under `orders` (Shopify's API shape) or `draft_orders`, an object holding one order
/// under `order` or `draft_order`, a Stripe list page (`{"object": "list", "data": [...]}`),
/// or a single order object.
pub struct JsonReader {
    r: Box<dyn BufRead + Send>,
    name: Arc<str>,
    line: u64,
    state: State,
}

#[derive(Debug, PartialEq, Eq)]
enum State {
    Start,
    /// Inside the array of orders; `nested` when it is the value of `orders` in an object.
    Array {
        nested: bool,
    },
    /// Inside the top-level object, after the orders were found.
    ObjectRest,
    Done,
}

impl JsonReader {
    /// Wraps a decoded byte stream.
    pub fn new(r: Box<dyn BufRead + Send>, name: Arc<str>) -> JsonReader {
        JsonReader {
            r,
            name,
            line: 1,
            state: State::Start,
        }
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        Ok(self.r.fill_buf()?.first().copied())
    }

    fn bump(&mut self) -> io::Result<Option<u8>> {
        let b = self.peek()?;
        if let Some(b) = b {
            self.r.consume(1);
            if b == b'\n' {
                self.line += 1;
            }
        }
        Ok(b)
    }

    /// Skips whitespace, appending it to `keep` (within [`MAX_RECORD`]; the caller checks).
    fn skip_ws(&mut self, keep: Option<&mut Vec<u8>>) -> io::Result<Option<u8>> {
        let mut keep = keep;
        let mut over = false;
        loop {
            match self.peek()? {
                Some(b) if b.is_ascii_whitespace() => {
                    self.bump()?;
                    if let Some(k) = keep.as_deref_mut() {
                        self::keep(k, b, &mut over);
                    }
                }
                other => return Ok(other),
            }
        }
    }

    /// Appends one whole JSON value to `out`; past [`MAX_RECORD`] bytes in `out` the rest of
    /// the value is read to its end but not kept.
    fn capture_value(&mut self, out: &mut Vec<u8>) -> Result<Captured, InputError> {
        let mut over = false;
        let start = self.line;
        let eof = |s: &Self| InputError::Shape {
            path: s.name.to_string(),
            message: format!("the file ends inside the value that starts on line {start}"),
            hint: Some("the JSON is truncated or a bracket is missing".into()),
        };
        let first = self
            .bump()
            .map_err(|e| self.read_err(e))?
            .ok_or_else(|| eof(self))?;
        keep(out, first, &mut over);
        match first {
            b'{' | b'[' => {
                let mut depth = 1u32;
                let mut in_str = false;
                let mut esc = false;
                while depth > 0 {
                    let b = self
                        .bump()
                        .map_err(|e| self.read_err(e))?
                        .ok_or_else(|| eof(self))?;
                    keep(out, b, &mut over);
                    if in_str {
                        if esc {
                            esc = false;
                        } else if b == b'\\' {
                            esc = true;
                        } else if b == b'"' {
                            in_str = false;
                        }
                    } else {
                        match b {
                            b'"' => in_str = true,
                            b'{' | b'[' => depth += 1,
                            b'}' | b']' => depth -= 1,
                            _ => {}
                        }
                    }
                }
            }
            b'"' => {
                let mut esc = false;
                loop {
                    let b = self
                        .bump()
                        .map_err(|e| self.read_err(e))?
                        .ok_or_else(|| eof(self))?;
                    keep(out, b, &mut over);
                    if esc {
                        esc = false;
                    } else if b == b'\\' {
                        esc = true;
                    } else if b == b'"' {
                        break;
                    }
                }
            }
            _ => loop {
                match self.peek().map_err(|e| self.read_err(e))? {
                    Some(b) if !b.is_ascii_whitespace() && !matches!(b, b',' | b']' | b'}') => {
                        self.bump().map_err(|e| self.read_err(e))?;
                        keep(out, b, &mut over);
                    }
                    _ => break,
                }
            },
        }
        Ok(if over {
            Captured::TooLong
        } else {
            Captured::Whole
        })
    }

    fn read_err(&self, source: io::Error) -> InputError {
        InputError::Read {
            path: self.name.to_string(),
            line: self.line,
            source,
        }
    }

    fn shape(&self, message: String) -> InputError {
        InputError::Shape {
            path: self.name.to_string(),
            message,
            hint: Some(
                "pinconv reads a JSON array of orders, `{\"orders\": [...]}`, `{\"order\": {...}}`, a Stripe list `{\"object\": \"list\", \"data\": [...]}` or one order object; for one order per line use `--format ndjson`".into(),
            ),
        }
    }

    /// Reads one element of the orders array and parses it.
    fn element(&mut self) -> Result<Result<Raw, ReadProblem>, InputError> {
        let line = self.line;
        let mut buf = Vec::with_capacity(1024);
        if self.capture_value(&mut buf)? == Captured::TooLong {
            return Ok(Err(too_long(line, "order")));
        }
        Ok(parse_order(&buf, line))
    }

    /// The top-level object holding the orders grew past [`MAX_RECORD`]: it cannot be
    /// skipped like one order, so the input stops.
    fn object_too_long(&self, line: u64) -> InputError {
        InputError::Shape {
            path: self.name.to_string(),
            message: format!(
                "the object starting on line {line} is longer than {} before any order in it",
                super::csv::size(MAX_RECORD as u64)
            ),
            hint: Some(
                "this does not look like an order export: check that it is the file you meant"
                    .into(),
            ),
        }
    }

    fn start(&mut self) -> Item {
        let first = match self.skip_ws(None) {
            Ok(b) => b,
            Err(e) => return Some(Err(self.read_err(e))),
        };
        match first {
            None => Some(Err(InputError::Shape {
                path: self.name.to_string(),
                message: "the file is empty".into(),
                hint: None,
            })),
            Some(b'[') => {
                let _ = self.bump();
                self.state = State::Array { nested: false };
                self.next_record()
            }
            Some(b'{') => self.object(),
            Some(_) => Some(Err(
                self.shape("the file is not a JSON array or object".into())
            )),
        }
    }

    /// Scans the top-level object for `orders` or `order` (and their draft forms, and a list
    /// page's `data`: Stripe's `{"object": "list", "data": [...]}`, whose keys a pretty-printer
    /// may have sorted so that `data` comes first, or a `build` body); otherwise it is one
    /// order.
    fn object(&mut self) -> Item {
        let line = self.line;
        let mut whole = Vec::new();
        let _ = self.bump();
        whole.push(b'{');
        loop {
            let b = match self.skip_ws(Some(&mut whole)) {
                Ok(b) => b,
                Err(e) => return Some(Err(self.read_err(e))),
            };
            if whole.len() >= MAX_RECORD {
                return Some(Err(self.object_too_long(line)));
            }
            match b {
                Some(b'}') => {
                    let _ = self.bump();
                    whole.push(b'}');
                    self.state = State::Done;
                    return Some(Ok(parse_order(&whole, line)));
                }
                Some(b',') => {
                    let _ = self.bump();
                    whole.push(b',');
                }
                Some(b'"') => {
                    let mut key = Vec::new();
                    match self.capture_value(&mut key) {
                        Ok(Captured::Whole) => {}
                        Ok(Captured::TooLong) => return Some(Err(self.object_too_long(line))),
                        Err(e) => return Some(Err(e)),
                    }
                    whole.extend_from_slice(&key);
                    if let Err(e) = self.skip_ws(Some(&mut whole)) {
                        return Some(Err(self.read_err(e)));
                    }
                    if self.bump().ok().flatten() != Some(b':') {
                        return Some(Err(
                            self.shape(format!("expected `:` on line {}", self.line))
                        ));
                    }
                    whole.push(b':');
                    let next = match self.skip_ws(Some(&mut whole)) {
                        Ok(b) => b,
                        Err(e) => return Some(Err(self.read_err(e))),
                    };
                    match (key.as_slice(), next) {
                        (b"\"orders\"" | b"\"draft_orders\"" | b"\"data\"", Some(b'[')) => {
                            let _ = self.bump();
                            self.state = State::Array { nested: true };
                            return self.next_record();
                        }
                        (b"\"order\"" | b"\"draft_order\"", Some(b'{')) => {
                            self.state = State::ObjectRest;
                            return Some(self.element());
                        }
                        _ => match self.capture_value(&mut whole) {
                            Ok(Captured::Whole) => {}
                            Ok(Captured::TooLong) => return Some(Err(self.object_too_long(line))),
                            Err(e) => return Some(Err(e)),
                        },
                    }
                }
                Some(other) => {
                    return Some(Err(self.shape(format!(
                        "unexpected `{}` on line {}",
                        other as char, self.line
                    ))))
                }
                None => {
                    return Some(Err(
                        self.shape("the file ends inside the top-level object".into())
                    ))
                }
            }
        }
    }

    /// After the orders: skip the rest of the top-level object.
    fn rest(&mut self) -> Result<(), InputError> {
        let mut sink = Vec::new();
        loop {
            match self.skip_ws(None).map_err(|e| self.read_err(e))? {
                Some(b'}') | None => {
                    let _ = self.bump();
                    return Ok(());
                }
                Some(b',' | b':') => {
                    let _ = self.bump();
                }
                Some(_) => {
                    // What follows the orders is skipped, however long.
                    sink.clear();
                    self.capture_value(&mut sink)?;
                }
            }
        }
    }

    /// The next order.
    pub fn next_record(&mut self) -> Item {
        match self.state {
            State::Done => {
                // More after the first document: concatenated documents (`cat page*.json`)
                // or one object per line; read them all rather than drop them.
                match self.skip_ws(None) {
                    Ok(None) => None,
                    Ok(Some(_)) => {
                        self.state = State::Start;
                        self.start()
                    }
                    Err(e) => Some(Err(self.read_err(e))),
                }
            }
            State::Start => self.start(),
            State::ObjectRest => {
                self.state = State::Done;
                match self.rest() {
                    Ok(()) => self.next_record(),
                    Err(e) => Some(Err(e)),
                }
            }
            State::Array { nested } => loop {
                let b = match self.skip_ws(None) {
                    Ok(b) => b,
                    Err(e) => return Some(Err(self.read_err(e))),
                };
                match b {
                    Some(b',') => {
                        let _ = self.bump();
                    }
                    Some(b']') => {
                        let _ = self.bump();
                        if nested {
                            self.state = State::ObjectRest;
                            return self.next_record();
                        }
                        self.state = State::Done;
                        return self.next_record();
                    }
                    None => {
                        self.state = State::Done;
                        return Some(Err(
                            self.shape("the file ends inside the array of orders".into())
                        ));
                    }
                    Some(_) => return Some(self.element()),
                }
            },
        }
    }
}

/// An order (or NDJSON line) past [`MAX_RECORD`], skipped.
fn too_long(line: u64, what: &str) -> ReadProblem {
    ReadProblem {
        line,
        column: None,
        message: format!(
            "the {what} is longer than {} (the limit for one record); it was skipped",
            super::csv::size(MAX_RECORD as u64)
        ),
        hint: Some("no order is that long: check that the file is an order export".into()),
    }
}

/// Whether `v` holds an integer too big for 64 bits, which serde_json rounds to a float.
fn has_rounded_integer(v: &Value) -> bool {
    match v {
        Value::Number(n) => {
            n.is_f64()
                && n.as_f64()
                    .is_some_and(|f| f.fract() == 0.0 && f.abs() >= 9.2e18)
        }
        Value::Array(a) => a.iter().any(has_rounded_integer),
        Value::Object(o) => o.values().any(has_rounded_integer),
        _ => false,
    }
}

/// `buf` with each integer literal that does not fit 64 bits turned into a string of its
/// digits: such a number is an id (a float would round it, and then it no longer names its
/// order), never an amount.
fn quote_big_integers(buf: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(buf.len() + 16);
    let (mut in_str, mut esc) = (false, false);
    let mut i = 0;
    while i < buf.len() {
        let b = buf[i];
        if in_str {
            out.push(b);
            if esc {
                esc = false;
            } else if b == b'\\' {
                esc = true;
            } else if b == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        if b == b'-' || b.is_ascii_digit() {
            let end = buf[i..]
                .iter()
                .position(|c| {
                    !(c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
                })
                .map_or(buf.len(), |n| i + n);
            let token = &buf[i..end];
            let digits = token.strip_prefix(b"-").unwrap_or(token);
            let text = std::str::from_utf8(token).unwrap_or("");
            if !digits.is_empty()
                && digits.iter().all(u8::is_ascii_digit)
                && text.parse::<i64>().is_err()
                && text.parse::<u64>().is_err()
            {
                out.push(b'"');
                out.extend_from_slice(token);
                out.push(b'"');
            } else {
                out.extend_from_slice(token);
            }
            i = end;
            continue;
        }
        in_str = b == b'"';
        out.push(b);
        i += 1;
    }
    out
}

fn parse_order(buf: &[u8], line: u64) -> Result<Raw, ReadProblem> {
    let parsed = serde_json::from_slice::<Value>(buf).map(|v| {
        if has_rounded_integer(&v) {
            serde_json::from_slice(&quote_big_integers(buf)).unwrap_or(v)
        } else {
            v
        }
    });
    match parsed {
        Ok(value @ Value::Object(_)) => Ok(Raw::Object { line, value }),
        Ok(other) => Err(ReadProblem {
            line,
            column: None,
            message: format!("expected an order object, found {}", kind(&other)),
            hint: None,
        }),
        Err(e) => Err(ReadProblem {
            line: line + e.line().saturating_sub(1) as u64,
            column: None,
            message: format!("invalid JSON: {}", strip_position(&e)),
            hint: None,
        }),
    }
}

/// A parsed value as an order record, or the problem that it is none.
fn object(value: Value, line: u64) -> Result<Raw, ReadProblem> {
    match value {
        value @ Value::Object(_) => Ok(Raw::Object { line, value }),
        other => Err(ReadProblem {
            line,
            column: None,
            message: format!("expected an order object, found {}", kind(&other)),
            hint: None,
        }),
    }
}

/// serde_json's message without its own "at line L column C" (we report the file line).
fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) if e.column() > 0 => format!("{} (column {})", &s[..i], e.column()),
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Streams one JSON order per line; a line that is an envelope (a Stripe list page,
/// `{"orders": [...]}`, `{"draft_order": {...}}`) gives each of its orders.
pub struct NdjsonReader {
    r: Box<dyn BufRead + Send>,
    name: Arc<str>,
    line: u64,
    buf: Vec<u8>,
    /// The rest of an envelope line's orders.
    pending: std::collections::VecDeque<Value>,
}

/// Reads one line (with its `\n`) into `out`, keeping at most [`MAX_RECORD`] bytes of it;
/// true when the line was longer (the rest is read and dropped).
fn read_line_capped(r: &mut dyn BufRead, out: &mut Vec<u8>) -> io::Result<Option<bool>> {
    let mut over = false;
    let mut any = false;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(any.then_some(over));
        }
        any = true;
        let (n, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = MAX_RECORD.saturating_sub(out.len());
        out.extend_from_slice(&buf[..n.min(room)]);
        over |= n > room;
        r.consume(n);
        if done {
            return Ok(Some(over));
        }
    }
}

/// The orders an envelope object holds, or the object itself when it is no envelope.
fn unwrap_envelope(value: Value) -> Result<Vec<Value>, Value> {
    let Value::Object(mut map) = value else {
        return Err(value);
    };
    let list = map.get("object").and_then(Value::as_str) == Some("list");
    for key in ["orders", "draft_orders", "data"] {
        if key == "data" && !list {
            continue;
        }
        if matches!(map.get(key), Some(Value::Array(_))) {
            if let Some(Value::Array(a)) = map.remove(key) {
                return Ok(a);
            }
        }
    }
    for key in ["order", "draft_order"] {
        if map.len() <= 2 && matches!(map.get(key), Some(Value::Object(_))) {
            if let Some(o) = map.remove(key) {
                return Ok(vec![o]);
            }
        }
    }
    Err(Value::Object(map))
}

impl NdjsonReader {
    /// Wraps a decoded byte stream.
    pub fn new(r: Box<dyn BufRead + Send>, name: Arc<str>) -> NdjsonReader {
        NdjsonReader {
            r,
            name,
            line: 0,
            buf: Vec::new(),
            pending: std::collections::VecDeque::new(),
        }
    }

    /// The next order.
    pub fn next_record(&mut self) -> Item {
        if let Some(value) = self.pending.pop_front() {
            return Some(Ok(object(value, self.line)));
        }
        loop {
            self.buf.clear();
            let over = match read_line_capped(&mut self.r, &mut self.buf) {
                Ok(None) => return None,
                Ok(Some(over)) => over,
                Err(source) => {
                    return Some(Err(InputError::Read {
                        path: self.name.to_string(),
                        line: self.line,
                        source,
                    }))
                }
            };
            self.line += 1;
            if over {
                return Some(Ok(Err(too_long(self.line, "line"))));
            }
            let Ok(text) = std::str::from_utf8(&self.buf) else {
                return Some(Ok(Err(ReadProblem {
                    line: self.line,
                    column: None,
                    message: "the line is not valid UTF-8".into(),
                    hint: Some("re-export as UTF-8, or pass `--encoding windows-1252`".into()),
                })));
            };
            if text.trim().is_empty() {
                continue;
            }
            let value = match parse_order(text.as_bytes(), self.line) {
                Ok(Raw::Object { value, .. }) => value,
                other => {
                    return Some(Ok(other.map_err(|mut p| {
                        p.line = self.line;
                        p
                    })))
                }
            };
            return match unwrap_envelope(value) {
                Ok(orders) => {
                    self.pending.extend(orders);
                    match self.pending.pop_front() {
                        Some(v) => Some(Ok(object(v, self.line))),
                        None => continue,
                    }
                }
                Err(v) => Some(Ok(object(v, self.line))),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn all(text: &'static str) -> Vec<Result<Result<Raw, ReadProblem>, InputError>> {
        let mut r = JsonReader::new(Box::new(Cursor::new(text.as_bytes())), Arc::from("t.json"));
        std::iter::from_fn(|| r.next_record()).collect()
    }

    fn lines(v: &[Result<Result<Raw, ReadProblem>, InputError>]) -> Vec<u64> {
        v.iter()
            .map(|r| r.as_ref().unwrap().as_ref().unwrap().line())
            .collect()
    }

    #[test]
    fn top_level_array() {
        let got = all("[\n {\"id\": 1},\n {\"id\": \"a]}\"}\n]\n");
        assert_eq!(lines(&got), vec![2, 3]);
    }

    #[test]
    fn shopify_orders_object() {
        let got = all(
            "{\n\"count\": 2, \"orders\": [\n{\"id\":1},\n{\"id\":2}\n], \"next\": {\"a\": [1]}\n}",
        );
        assert_eq!(lines(&got), vec![3, 4]);
    }

    #[test]
    fn single_order_object_and_order_key() {
        assert_eq!(lines(&all("{\"id\": 5, \"line_items\": []}")), vec![1]);
        assert_eq!(lines(&all("{\"order\": {\"id\": 5}}")), vec![1]);
    }

    #[test]
    fn bad_element_is_a_row_problem_and_the_rest_continues() {
        let got = all("[{\"id\": 1}, 7, {\"id\": 2}]");
        assert!(got[0].as_ref().unwrap().is_ok());
        assert!(got[1].as_ref().unwrap().is_err());
        assert!(got[2].as_ref().unwrap().is_ok());
    }

    #[test]
    fn concatenated_documents_are_all_read() {
        assert_eq!(lines(&all("{\"id\": 1}\n{\"id\": 2}\n")), vec![1, 2]);
        assert_eq!(lines(&all("[{\"id\": 1}]\n[{\"id\": 2}]")), vec![1, 2]);
        assert_eq!(
            lines(&all(
                "{\"orders\": [{\"id\": 1}]}\n{\"orders\": [{\"id\": 2}]}"
            )),
            vec![1, 2]
        );
    }

    #[test]
    fn stripe_lists_and_draft_envelopes() {
        let page = "{\n\"object\": \"list\",\n\"data\": [\n{\"id\": \"ch_1\"},\n{\"id\": \"ch_2\"}\n],\n\"has_more\": false, \"url\": \"/v1/charges\"}";
        assert_eq!(lines(&all(page)), vec![4, 5]);
        // Pages one after another, one per line.
        assert_eq!(
            lines(&all(
                "{\"object\":\"list\",\"data\":[{\"id\":1}]}\n{\"object\":\"list\",\"data\":[{\"id\":2},{\"id\":3}]}\n"
            )),
            vec![1, 2, 2]
        );
        // Keys sorted (Python's `json.dumps(sort_keys=True)`, as stripe-python prints
        // objects): `data` before `object`.
        assert_eq!(
            lines(&all(
                "{\"data\": [\n{\"id\": 1},\n{\"id\": 2}\n], \"has_more\": false, \"object\": \"list\"}"
            )),
            vec![2, 3]
        );
        // A `data` that is no array stays part of the object (a WordPress error answer).
        assert_eq!(
            lines(&all("{\"code\": \"x\", \"data\": {\"status\": 401}}")),
            vec![1]
        );
        assert_eq!(
            lines(&all("{\"draft_orders\": [{\"id\": 1}, {\"id\": 2}]}")),
            vec![1, 1]
        );
        assert_eq!(lines(&all("{\"draft_order\": {\"id\": 1}}")), vec![1]);
    }

    #[test]
    fn ndjson_envelopes_give_their_orders() {
        let text = "{\"object\":\"list\",\"data\":[{\"id\":1},{\"id\":2}]}\n{\"id\":3}\n{\"object\":\"list\",\"data\":[]}\n{\"draft_order\":{\"id\":4}}\n";
        let mut r = NdjsonReader::new(Box::new(Cursor::new(text.as_bytes())), Arc::from("t"));
        let got: Vec<_> = std::iter::from_fn(|| r.next_record())
            .map(|x| x.unwrap().unwrap())
            .collect();
        let ids: Vec<(u64, i64)> = got
            .iter()
            .map(|raw| match raw {
                Raw::Object { line, value } => (*line, value["id"].as_i64().unwrap()),
                Raw::Row { .. } => unreachable!(),
            })
            .collect();
        assert_eq!(ids, vec![(1, 1), (1, 2), (2, 3), (4, 4)]);
    }

    #[test]
    fn truncated_is_fatal() {
        let got = all("[{\"id\": 1}, {\"id\": ");
        assert!(got.last().unwrap().is_err());
    }

    #[test]
    fn an_order_past_the_limit_is_skipped_and_the_next_read() {
        let big = "x".repeat(MAX_RECORD + 10);
        let text = format!("[{{\"id\": 1}},\n{{\"note\": \"{big}\"}},\n {big}1, {{\"id\": 2}}]");
        let mut r = JsonReader::new(Box::new(Cursor::new(text.into_bytes())), Arc::from("t"));
        let got: Vec<_> = std::iter::from_fn(|| r.next_record())
            .map(Result::unwrap)
            .collect();
        assert_eq!(got.len(), 4, "{got:?}");
        let p = got[1].as_ref().unwrap_err();
        assert_eq!(p.line, 2);
        assert!(p.message.contains("longer than 1 MiB"), "{}", p.message);
        assert!(got[2]
            .as_ref()
            .unwrap_err()
            .message
            .contains("longer than 1 MiB"));
        assert_eq!(got[3].as_ref().unwrap().line(), 3);
        // A top-level object that grows past the limit stops the input.
        let text = format!("{{{}}}", " ".repeat(MAX_RECORD + 10));
        let mut r = JsonReader::new(Box::new(Cursor::new(text.into_bytes())), Arc::from("t"));
        let e = r.next_record().unwrap().unwrap_err();
        assert!(e.to_string().contains("line 1 is longer than 1 MiB"), "{e}");
        // An NDJSON line past the limit is skipped; the next line is read.
        let text = format!("{{\"id\": \"{big}\"}}\n{{\"id\": 2}}\n");
        let mut r = NdjsonReader::new(Box::new(Cursor::new(text.into_bytes())), Arc::from("t"));
        let p = r.next_record().unwrap().unwrap().unwrap_err();
        assert_eq!(p.line, 1);
        assert!(
            p.message.contains("line is longer than 1 MiB"),
            "{}",
            p.message
        );
        assert_eq!(r.next_record().unwrap().unwrap().unwrap().line(), 2);
        assert!(r.next_record().is_none());
    }

    #[test]
    fn integers_past_64_bits_are_kept_as_their_digits() {
        let got = all("[{\"id\": 18446744073709551616, \"total\": 1e19, \"n\": -99999999999999999999, \"s\": \"18446744073709551616\", \"ok\": 12}]");
        let Ok(Raw::Object { value, .. }) = got[0].as_ref().unwrap() else {
            panic!("{got:?}")
        };
        assert_eq!(value["id"], "18446744073709551616");
        assert_eq!(value["n"], "-99999999999999999999");
        // Floats stay numbers, and strings and small integers are untouched.
        assert!(value["total"].is_f64());
        assert_eq!(value["s"], "18446744073709551616");
        assert_eq!(value["ok"], 12);
    }

    #[test]
    fn ndjson_lines() {
        let text = "{\"id\":1}\n\n{bad\n{\"id\":3}\n";
        let mut r = NdjsonReader::new(Box::new(Cursor::new(text.as_bytes())), Arc::from("t"));
        let got: Vec<_> = std::iter::from_fn(|| r.next_record())
            .map(Result::unwrap)
            .collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].as_ref().unwrap_err().line, 3);
        assert_eq!(got[2].as_ref().unwrap().line(), 4);
    }
}
