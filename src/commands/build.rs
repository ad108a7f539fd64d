//! `pinconv build`: the exact request bodies `send` would POST, as NDJSON, deterministic.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::Context as _;

use crate::batch::{self, Batcher};
use crate::cli::BuildArgs;
use crate::event::Built;
use crate::exit::Exit;
use crate::pipeline::{self, Sink};
use crate::printer::Printer;
use crate::report::{InputSummary, Problem};

/// Writes full batches as NDJSON lines.
pub struct BodyWriter<'a> {
    out: Box<dyn Write + 'a>,
    batcher: Batcher<String>,
    /// Bodies written.
    pub batches: u64,
}

impl<'a> BodyWriter<'a> {
    /// Writes to `out`, `size` events per body.
    pub fn new(out: Box<dyn Write + 'a>, size: usize) -> BodyWriter<'a> {
        BodyWriter {
            out,
            batcher: Batcher::new(size),
            batches: 0,
        }
    }

    fn write(&mut self, events: &[String]) -> anyhow::Result<()> {
        self.batches += 1;
        let body = batch::body(events.iter().map(String::as_str));
        self.out.write_all(body.as_bytes())?;
        self.out.write_all(b"\n")?;
        Ok(())
    }

    /// Adds one event.
    pub fn push(&mut self, json: String) -> anyhow::Result<()> {
        if let Some(full) = self.batcher.push(json) {
            self.write(&full)?;
        }
        Ok(())
    }

    /// Writes the last batch and flushes.
    pub fn finish(&mut self) -> anyhow::Result<()> {
        if let Some(rest) = self.batcher.finish() {
            self.write(&rest)?;
        }
        self.out.flush()?;
        Ok(())
    }
}

/// An output file written beside its final path and renamed into place when complete, so a
/// reader never sees half a file and a failed run leaves the old file as it was.
///
/// Only regular files are replaced that way. A path that names something else — `/dev/null`,
/// `/dev/stdout`, a FIFO, a terminal — is opened and written in place: renaming over it would
/// swap a device for a plain file (as root, `-o /dev/null` would otherwise break `/dev/null`
/// for the whole machine). A symlink to a regular file keeps the link: the file it points to is
/// the one replaced.
pub struct AtomicFile {
    /// The temporary file and the final path; `None` when written in place.
    rename: Option<(PathBuf, PathBuf)>,
}

impl AtomicFile {
    /// Creates the temporary file, or opens a non-regular target directly.
    pub fn create(path: &Path) -> anyhow::Result<(AtomicFile, File)> {
        match std::fs::metadata(path) {
            Ok(m) if !m.is_file() && !m.is_dir() => {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .with_context(|| format!("cannot open `{}` for writing", path.display()))?;
                return Ok((AtomicFile { rename: None }, f));
            }
            Ok(m) if m.is_dir() => {
                anyhow::bail!(
                    "`{}` is a directory; give a file name to write to",
                    path.display()
                )
            }
            _ => {}
        }
        // Follow a symlink so the link itself survives; a dangling one is created through.
        let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        let mut name = target.file_name().unwrap_or_default().to_owned();
        name.push(".pinconv-tmp");
        let tmp = target.with_file_name(name);
        let f = File::create(&tmp).with_context(|| format!("cannot create `{}`", tmp.display()))?;
        Ok((
            AtomicFile {
                rename: Some((tmp, target)),
            },
            f,
        ))
    }

    /// Moves the finished file into place.
    pub fn commit(self) -> anyhow::Result<()> {
        match &self.rename {
            Some((tmp, path)) => std::fs::rename(tmp, path)
                .with_context(|| format!("cannot write `{}`", path.display())),
            None => Ok(()),
        }
    }

    /// Removes the temporary file.
    pub fn abandon(self) {
        if let Some((tmp, _)) = &self.rename {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

struct BuildSink<'a, 'w> {
    printer: &'a mut Printer,
    writer: BodyWriter<'w>,
}

impl Sink for BuildSink<'_, '_> {
    fn input(&mut self, s: &InputSummary) {
        self.printer.info(&super::check::describe_input(s));
    }
    fn problem(&mut self, p: &Problem) {
        self.printer.problem(p);
    }
    fn event(&mut self, e: Built) -> anyhow::Result<()> {
        self.writer.push(e.json)
    }
}

pub fn run(a: &BuildArgs) -> Exit {
    let mut printer = Printer::new(a.input.quiet, a.input.max_problems);
    let (settings, plan) = match super::resolve(&a.input) {
        Ok(x) => x,
        Err(e) => return super::usage_error(&printer, &e.into(), None),
    };
    let (atomic, out): (Option<AtomicFile>, Box<dyn Write>) = match &a.output {
        Some(p) => match AtomicFile::create(p) {
            Ok((atomic, f)) => (Some(atomic), Box::new(BufWriter::new(f))),
            Err(e) => return super::usage_error(&printer, &e, None),
        },
        None => (None, Box::new(BufWriter::new(std::io::stdout().lock()))),
    };
    let cancel = AtomicBool::new(false);
    let mut sink = BuildSink {
        printer: &mut printer,
        writer: BodyWriter::new(out, usize::from(a.batch_size)),
    };
    let result = pipeline::run(&plan, &settings, &mut sink, &cancel)
        .map_err(|e| {
            let hint = e.hint();
            (anyhow::Error::from(e), hint)
        })
        .and_then(|t| sink.writer.finish().map(|()| t).map_err(|e| (e, None)));
    let batches = sink.writer.batches;
    drop(sink);
    match result {
        Ok(mut totals) => {
            if let Some(f) = atomic {
                if let Err(e) = f.commit() {
                    return super::usage_error(&printer, &e, None);
                }
            }
            totals.batches = batches;
            printer.summary(&totals, "built");
            super::offline_exit(&totals, a.input.deny_warnings)
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
