//! `pinconv build`: the exact request bodies `send` would POST, as NDJSON, deterministic.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::batch;
use crate::cli::BuildArgs;
use crate::event::Built;
use crate::exit::Exit;
use crate::pipeline::{self, Sink};
use crate::printer::{Printer, Progress};
use crate::report::{InputSummary, Problem};

pub use crate::output::AtomicFile;

/// Writes full batches as NDJSON lines. Each event is copied into the body being filled as
/// it comes, and the body's buffer is reused from batch to batch: no event is held as well,
/// and no new megabyte-sized body is allocated and grown for each batch.
pub struct BodyWriter<'a> {
    out: Box<dyn Write + 'a>,
    /// Events per body.
    size: usize,
    /// The body being filled, without its closing `]}`.
    body: Vec<u8>,
    /// Events in `body`.
    in_body: usize,
    /// Bodies written.
    pub batches: u64,
}

impl<'a> BodyWriter<'a> {
    /// Writes to `out`, `size` events per body (clamped to 1..=1000).
    pub fn new(out: Box<dyn Write + 'a>, size: usize) -> BodyWriter<'a> {
        BodyWriter {
            out,
            size: size.clamp(1, batch::MAX_BATCH),
            body: Vec::new(),
            in_body: 0,
            batches: 0,
        }
    }

    /// Closes the body and writes it as one line.
    fn write(&mut self) -> anyhow::Result<()> {
        self.batches += 1;
        self.in_body = 0;
        self.body.extend_from_slice(batch::BODY_CLOSE.as_bytes());
        self.body.push(b'\n');
        self.out.write_all(&self.body)?;
        self.body.clear();
        Ok(())
    }

    /// Adds one event.
    pub fn push(&mut self, json: String) -> anyhow::Result<()> {
        self.body.extend_from_slice(if self.in_body == 0 {
            batch::BODY_OPEN.as_bytes()
        } else {
            b","
        });
        self.body.extend_from_slice(json.as_bytes());
        self.in_body += 1;
        if self.in_body == self.size {
            self.write()?;
        }
        Ok(())
    }

    /// Writes the last batch and flushes.
    pub fn finish(&mut self) -> anyhow::Result<()> {
        if self.in_body > 0 {
            self.write()?;
        }
        self.out.flush()?;
        Ok(())
    }
}

struct BuildSink<'a, 'w> {
    printer: &'a mut Printer,
    writer: BodyWriter<'w>,
    progress: Progress,
}

impl Sink for BuildSink<'_, '_> {
    fn input(&mut self, s: &InputSummary) {
        self.printer.info(&super::check::describe_input(s));
    }
    fn problem(&mut self, p: &Problem) {
        self.printer.problem(p);
    }
    fn event(&mut self, e: Built) -> anyhow::Result<()> {
        self.progress.inc(1);
        self.writer.push(e.json)
    }
}

pub fn run(a: &BuildArgs) -> Exit {
    let mut printer = Printer::new(a.input.quiet, a.input.max_problems);
    let (settings, plan) = match super::resolve(&a.input) {
        Ok(x) => x,
        Err(e) => return super::usage_error(&printer, &e.into(), None),
    };
    let outputs = [("-o", a.output.as_deref())];
    if let Some(exit) = super::refuse_clashes(&printer, &a.input, &[], &outputs) {
        return exit;
    }
    let out = a.output.as_deref().unwrap_or(std::path::Path::new("-"));
    let (atomic, out) = match crate::output::create_or_stdout(out) {
        Ok(x) => x,
        Err(e) => return super::usage_error(&printer, &e, None),
    };
    let cancel = Arc::new(AtomicBool::new(false));
    if atomic.is_some() {
        stop_on_signal(&cancel);
    }
    let progress = Progress::offline(&printer, "events built");
    let mut sink = BuildSink {
        printer: &mut printer,
        writer: BodyWriter::new(out, usize::from(a.batch_size)),
        progress,
    };
    let result = pipeline::run(&plan, &settings, &mut sink, &cancel)
        .map_err(|e| {
            let hint = e.hint();
            (anyhow::Error::from(e), hint)
        })
        .and_then(|t| sink.writer.finish().map(|()| t).map_err(|e| (e, None)));
    let batches = sink.writer.batches;
    drop(sink);
    if cancel.load(Ordering::SeqCst) {
        // Half a file is no file: leave the old one as it was, and no temporary behind.
        if let Some(f) = atomic {
            f.abandon();
        }
        let out = a.output.as_deref().unwrap_or(std::path::Path::new("-"));
        printer.error(
            &anyhow::anyhow!("interrupted: `{}` was left as it was", out.display()),
            None,
        );
        return Exit::Interrupted;
    }
    match result {
        Ok(mut totals) => {
            if let Some(f) = atomic {
                if let Err(e) = f.commit() {
                    return super::usage_error(&printer, &e, None);
                }
            }
            totals.batches = batches;
            printer.summary(&totals, "built");
            super::offline_exit(&totals, a.input.deny_warnings, a.input.rejected_ok)
        }
        Err((e, hint)) => {
            if let Some(f) = atomic {
                f.abandon();
            }
            if super::is_broken_pipe(&e) {
                return Exit::Ok;
            }
            super::usage_error(&printer, &e, hint.as_deref())
        }
    }
}

/// With `-o FILE`, Ctrl-C or SIGTERM stops reading so the temporary file can be removed; a
/// second signal quits at once (and may leave it).
fn stop_on_signal(cancel: &Arc<AtomicBool>) {
    let cancel = cancel.clone();
    let _ = ctrlc::set_handler(move || {
        if cancel.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(Exit::Interrupted.code()));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{body, Batcher};

    /// `build` prints the bodies `send` posts: each line is `batch::body` of the same events,
    /// batched the same way, and the capacity `body` computes is its exact length.
    #[test]
    fn each_line_is_the_body_send_posts() {
        let events: Vec<String> = (0..7).map(|i| format!("{{\"n\":{i}}}")).collect();
        for size in [1, 3, 7, 1000] {
            let mut out = Vec::new();
            let mut w = BodyWriter::new(Box::new(&mut out), size);
            for e in &events {
                w.push(e.clone()).unwrap();
            }
            w.finish().unwrap();
            let batches = w.batches;
            drop(w);
            let mut b = Batcher::new(size);
            let mut batches_of = Vec::new();
            for e in &events {
                batches_of.extend(b.push(e.as_str()));
            }
            batches_of.extend(b.finish());
            let mut expected = String::new();
            for batch in &batches_of {
                let text = body(batch.iter().copied());
                assert_eq!(text.len(), text.capacity());
                expected.push_str(&text);
                expected.push('\n');
            }
            assert_eq!(String::from_utf8(out).unwrap(), expected, "size {size}");
            assert_eq!(batches, batches_of.len() as u64);
        }
    }
}
