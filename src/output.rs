//! Output files and stdout: one place that decides how pinconv writes what it writes.
//!
//! - [`check_distinct`] refuses, before anything is opened for writing, an output path that
//!   is the same file as an input or as another output (truncating it would destroy the input
//!   before it is read).
//! - [`AtomicFile`] writes a file beside its final path and renames it into place.
//! - [`create_private`] creates the files that hold what the ledger keeps at 0600
//!   (`--failed-out`, `--report`) with that mode.
//! - [`is_broken_pipe`] tells a closed stdout (`| head`), which ends a run quietly, from a
//!   real write error (`>/dev/full`), which fails it.

use std::fs::File;
use std::path::{Component, Path, PathBuf};

use anyhow::Context as _;

/// A file as the operating system knows it, so that `a`, `./a`, `dir/../a` and a symlink to
/// `a` compare equal.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Identity {
    /// An existing file: device and inode (Unix), or its canonical path elsewhere.
    #[cfg(unix)]
    Inode(u64, u64),
    /// A file that does not exist yet, or any file where inodes are not available: the
    /// canonical path of its directory joined with its name, symlinks followed.
    Path(PathBuf),
}

/// What [`check_distinct`] compares: a path and what it is for, e.g. `--failed-out`.
#[derive(Debug, Clone, Copy)]
pub struct Role<'a> {
    /// How the user named the role: `input`, `--config`, `-o`, `--report`...
    pub name: &'a str,
    /// The path as given.
    pub path: &'a Path,
}

/// Two roles that name the same file.
#[derive(Debug, thiserror::Error)]
#[error("`{path}` is given as {first} and as {second}; {consequence}")]
pub struct PathClash {
    /// The path of the output, as given.
    pub path: String,
    /// The role named first (an input, or an earlier output).
    pub first: String,
    /// The output role.
    pub second: String,
    consequence: &'static str,
}

impl PathClash {
    /// The fix.
    #[must_use]
    pub fn hint(&self) -> String {
        format!("give {} a file of its own", self.second)
    }
}

/// Refuses an output that is the same file as an input or as another output.
///
/// `inputs` are read (order exports, `--config`, `--token-file`); `outputs` are written. `-`
/// (stdin) and paths that are not regular files (`/dev/null`, `/dev/stdout`, a FIFO) are not
/// compared: writing to them destroys nothing, and two outputs may well both be `/dev/null`.
///
/// # Errors
/// The first [`PathClash`] found.
pub fn check_distinct(inputs: &[Role<'_>], outputs: &[Role<'_>]) -> Result<(), PathClash> {
    let known = |r: &Role<'_>| {
        (r.path != Path::new("-"))
            .then(|| identity(r.path))
            .flatten()
    };
    let inputs: Vec<(&Role<'_>, Identity)> =
        inputs.iter().filter_map(|r| Some((r, known(r)?))).collect();
    let mut seen: Vec<(&Role<'_>, Identity)> = Vec::new();
    for out in outputs {
        let Some(id) = known(out) else { continue };
        let clash = |(first, _): &(&Role<'_>, Identity), what| PathClash {
            path: out.path.display().to_string(),
            first: first.name.to_owned(),
            second: out.name.to_owned(),
            consequence: what,
        };
        if let Some(hit) = inputs.iter().find(|(_, i)| *i == id) {
            return Err(clash(
                hit,
                "writing it would destroy the input before it is read",
            ));
        }
        if let Some(hit) = seen.iter().find(|(_, i)| *i == id) {
            return Err(clash(hit, "the two outputs would overwrite each other"));
        }
        seen.push((out, id));
    }
    Ok(())
}

/// The identity of `path`; `None` for something that is not a regular file (a device, a
/// FIFO, a directory), which writing does not destroy or which fails on its own.
fn identity(path: &Path) -> Option<Identity> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                Some(Identity::Inode(m.dev(), m.ino()))
            }
            #[cfg(not(unix))]
            {
                std::fs::canonicalize(path).ok().map(Identity::Path)
            }
        }
        Ok(_) => None,
        Err(_) => Some(Identity::Path(missing_target(path))),
    }
}

/// Where a path that does not resolve to an existing file would be created: dangling symlinks
/// followed, the directory canonicalized, `.` and `..` taken out.
fn missing_target(path: &Path) -> PathBuf {
    let mut p = path.to_owned();
    // The kernel's own limit on symlink hops (Linux `MAXSYMLINKS`).
    for _ in 0..40 {
        match std::fs::read_link(&p) {
            Ok(to) => p = p.parent().map_or(to.clone(), |dir| dir.join(&to)),
            Err(_) => break,
        }
    }
    let name = p.file_name().map(ToOwned::to_owned);
    let dir = p
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match (std::fs::canonicalize(dir), name) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => lexical_absolute(&p),
    }
}

/// `path` made absolute against the working directory, `.` and `..` removed by hand (for a
/// directory that does not exist either).
fn lexical_absolute(path: &Path) -> PathBuf {
    let base = std::env::current_dir().unwrap_or_default();
    let mut out = PathBuf::new();
    for c in base.join(path).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// An output file written beside its final path and renamed into place when complete, so a
/// reader never sees half a file and a failed run leaves the old file as it was.
///
/// The temporary file is created exclusively (`O_EXCL`, never through a symlink), with mode
/// 0600 and a unique name `<name>.pinconv-tmp.XXXXXX` in the target's directory, and is
/// removed if the run fails or ends early. A file it replaces keeps its permissions; a new
/// file is 0600, as it holds what the ledger keeps at 0600.
///
/// Only regular files are replaced that way. A path that names something else — `/dev/null`,
/// `/dev/stdout`, a FIFO, a terminal — is opened and written in place: renaming over it would
/// swap a device for a plain file (as root, `-o /dev/null` would otherwise break `/dev/null`
/// for the whole machine). A symlink to a regular file keeps the link: the file it points to is
/// the one replaced.
pub struct AtomicFile {
    /// The temporary file (removed when dropped) and the final path; `None` when written in
    /// place.
    rename: Option<(tempfile::TempPath, PathBuf)>,
}

impl AtomicFile {
    /// Creates the temporary file, or opens a non-regular target directly.
    ///
    /// # Errors
    /// A directory as the target, or any error creating or opening the file.
    pub fn create(path: &Path) -> anyhow::Result<(AtomicFile, File)> {
        let existing = match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                anyhow::bail!(
                    "`{}` is a directory; give a file name to write to",
                    path.display()
                )
            }
            Ok(m) if !m.is_file() => {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .with_context(|| format!("cannot open `{}` for writing", path.display()))?;
                return Ok((AtomicFile { rename: None }, f));
            }
            Ok(m) => Some(m.permissions()),
            Err(_) => None,
        };
        // Follow a symlink so the link itself survives; a dangling one is created through.
        let target = std::fs::canonicalize(path).unwrap_or_else(|_| missing_target(path));
        let mut prefix = target.file_name().unwrap_or_default().to_owned();
        prefix.push(".pinconv-tmp.");
        let dir = target
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let tmp = tempfile::Builder::new()
            .prefix(&prefix)
            .tempfile_in(dir)
            .with_context(|| {
                format!(
                    "cannot create a temporary file in `{}` to write `{}`",
                    dir.display(),
                    path.display()
                )
            })?;
        let (file, tmp) = tmp.into_parts();
        if let Some(perms) = existing {
            file.set_permissions(perms)
                .with_context(|| format!("cannot create `{}`", tmp.display()))?;
        }
        Ok((
            AtomicFile {
                rename: Some((tmp, target)),
            },
            file,
        ))
    }

    /// Moves the finished file into place.
    ///
    /// # Errors
    /// The rename failed; the temporary file is removed.
    pub fn commit(self) -> anyhow::Result<()> {
        match self.rename {
            Some((tmp, path)) => tmp
                .persist(&path)
                .map_err(|e| e.error)
                .with_context(|| format!("cannot write `{}`", path.display())),
            None => Ok(()),
        }
    }

    /// Removes the temporary file (dropping the [`AtomicFile`] does the same).
    pub fn abandon(self) {
        drop(self);
    }
}

/// Creates (or truncates) `path` for writing, with mode 0600 when it is created: for the
/// files that hold what the ledger keeps private (`--failed-out`, `--report`). An existing
/// file keeps its permissions.
///
/// # Errors
/// The file cannot be created; the message names it.
pub fn create_private(path: &Path) -> anyhow::Result<File> {
    open_private(path).with_context(|| format!("cannot create `{}`", path.display()))
}

/// [`create_private`] for callers with their own error type: the bare I/O error.
pub fn open_private(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Standard output for data, whose write errors say they are about stdout (`cannot write to
/// stdout: No space left on device`) and keep their kind, so [`is_broken_pipe`] still knows a
/// closed pipe.
pub struct Stdout(std::io::StdoutLock<'static>);

/// Where `-o PATH` writes: PATH, replaced whole once the run commits the [`AtomicFile`], or
/// stdout for `-` (as `-` is stdin for inputs), with no file to commit.
///
/// # Errors
/// As [`AtomicFile::create`].
pub fn create_or_stdout(
    path: &Path,
) -> anyhow::Result<(Option<AtomicFile>, Box<dyn std::io::Write>)> {
    if path.as_os_str() == "-" {
        return Ok((None, Box::new(std::io::BufWriter::new(stdout()))));
    }
    let (atomic, file) = AtomicFile::create(path)?;
    Ok((Some(atomic), Box::new(std::io::BufWriter::new(file))))
}

/// Locks standard output for data.
#[must_use]
pub fn stdout() -> Stdout {
    Stdout(std::io::stdout().lock())
}

fn on_stdout(e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("cannot write to stdout: {e}"))
}

impl std::io::Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf).map_err(on_stdout)
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.0.write_all(buf).map_err(on_stdout)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush().map_err(on_stdout)
    }
}

/// True when the error is a closed stdout (e.g. `| head`), however it was wrapped: the run
/// ends quietly with exit 0, as ripgrep does. Any other write error is a failure.
#[must_use]
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            // serde_json hides the io::Error it wraps from `source()`.
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|e| e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
            // A transparent wrapper forwards `source()` past the error it holds.
            || c.downcast_ref::<crate::pipeline::PipelineError>()
                .is_some_and(|e| match e {
                    crate::pipeline::PipelineError::Sink(inner) => is_broken_pipe(inner),
                    _ => false,
                })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role<'a>(name: &'a str, path: &'a Path) -> Role<'a> {
        Role { name, path }
    }

    #[test]
    fn the_same_file_under_other_names_clashes() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.csv");
        std::fs::write(&a, "x").unwrap();
        let dotted = dir.path().join(".").join("a.csv");
        let err = check_distinct(&[role("input", &a)], &[role("-o", &dotted)]).unwrap_err();
        assert_eq!(err.first, "input");
        assert_eq!(err.second, "-o");
        #[cfg(unix)]
        {
            let link = dir.path().join("link.csv");
            std::os::unix::fs::symlink(&a, &link).unwrap();
            assert!(check_distinct(&[role("input", &a)], &[role("--report", &link)]).is_err());
        }
    }

    #[test]
    fn two_outputs_that_do_not_exist_yet_clash() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("out.json");
        let b = dir.path().join("sub").join("..").join("out.json");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let err =
            check_distinct(&[], &[role("--report", &a), role("--failed-out", &b)]).unwrap_err();
        assert_eq!(err.first, "--report");
        assert_eq!(err.second, "--failed-out");
    }

    #[test]
    fn distinct_files_stdin_and_devices_pass() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.csv");
        std::fs::write(&a, "x").unwrap();
        let b = dir.path().join("b.csv");
        let dash = Path::new("-");
        check_distinct(&[role("input", &a), role("input", dash)], &[role("-o", &b)]).unwrap();
        #[cfg(unix)]
        {
            let null = Path::new("/dev/null");
            check_distinct(
                &[role("input", dash)],
                &[role("-o", null), role("--report", null)],
            )
            .unwrap();
        }
    }
}
