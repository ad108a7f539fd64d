//! JSON and NDJSON input. A JSON document is split into its order objects as it streams in,
//! so a file of any size is read with the memory of one order.

use std::io::{self, BufRead};
use std::sync::Arc;

use serde_json::Value;

use super::{InputError, Raw, ReadProblem};

type Item = Option<Result<Result<Raw, ReadProblem>, InputError>>;

/// Streams the orders of a JSON document: a top-level array of orders, an object holding the
/// array under `orders` (Shopify's API shape), an object holding one order under `order`, or a
/// single order object.
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

    fn skip_ws(&mut self, keep: Option<&mut Vec<u8>>) -> io::Result<Option<u8>> {
        let mut keep = keep;
        loop {
            match self.peek()? {
                Some(b) if b.is_ascii_whitespace() => {
                    self.bump()?;
                    if let Some(k) = keep.as_deref_mut() {
                        k.push(b);
                    }
                }
                other => return Ok(other),
            }
        }
    }

    /// Appends one whole JSON value to `out`.
    fn capture_value(&mut self, out: &mut Vec<u8>) -> Result<(), InputError> {
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
        out.push(first);
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
                    out.push(b);
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
                    out.push(b);
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
                        out.push(b);
                    }
                    _ => break,
                }
            },
        }
        Ok(())
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
                "pinconv reads a JSON array of orders, `{\"orders\": [...]}`, `{\"order\": {...}}` or one order object; for one order per line use `--format ndjson`".into(),
            ),
        }
    }

    /// Reads one element of the orders array and parses it.
    fn element(&mut self) -> Result<Result<Raw, ReadProblem>, InputError> {
        let line = self.line;
        let mut buf = Vec::with_capacity(1024);
        self.capture_value(&mut buf)?;
        Ok(parse_order(&buf, line))
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

    /// Scans the top-level object for `orders` or `order`; otherwise it is one order.
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
                    if let Err(e) = self.capture_value(&mut key) {
                        return Some(Err(e));
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
                        (b"\"orders\"", Some(b'[')) => {
                            let _ = self.bump();
                            self.state = State::Array { nested: true };
                            return self.next_record();
                        }
                        (b"\"order\"", Some(b'{')) => {
                            self.state = State::ObjectRest;
                            return Some(self.element());
                        }
                        _ => {
                            if let Err(e) = self.capture_value(&mut whole) {
                                return Some(Err(e));
                            }
                        }
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

fn parse_order(buf: &[u8], line: u64) -> Result<Raw, ReadProblem> {
    match serde_json::from_slice::<Value>(buf) {
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

/// Streams one JSON order per line.
pub struct NdjsonReader {
    r: Box<dyn BufRead + Send>,
    name: Arc<str>,
    line: u64,
    buf: String,
}

impl NdjsonReader {
    /// Wraps a decoded byte stream.
    pub fn new(r: Box<dyn BufRead + Send>, name: Arc<str>) -> NdjsonReader {
        NdjsonReader {
            r,
            name,
            line: 0,
            buf: String::new(),
        }
    }

    /// The next order.
    pub fn next_record(&mut self) -> Item {
        loop {
            self.buf.clear();
            let mut bytes = Vec::new();
            match self.r.read_until(b'\n', &mut bytes) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(source) => {
                    return Some(Err(InputError::Read {
                        path: self.name.to_string(),
                        line: self.line,
                        source,
                    }))
                }
            }
            self.line += 1;
            let Ok(text) = std::str::from_utf8(&bytes) else {
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
            return Some(Ok(parse_order(text.as_bytes(), self.line).map_err(
                |mut p| {
                    p.line = self.line;
                    p
                },
            )));
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
    fn truncated_is_fatal() {
        let got = all("[{\"id\": 1}, {\"id\": ");
        assert!(got.last().unwrap().is_err());
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
