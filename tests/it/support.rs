//! A small fluent runner for the binary: arguments in; stdout, stderr and exit code checked
//! together.

use std::path::{Path, PathBuf};
use std::process::Output;

/// "Now" for every test run, so `--max-age` does not depend on the calendar.
pub const NOW: &str = "2026-11-22T00:00:00Z";

/// Path of a file in the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The JSON file at `path` (a `--report`), parsed.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read `{}`: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("`{}` is not JSON ({e}):\n{text}", path.display()))
}

/// A prepared command.
pub struct Run {
    cmd: assert_cmd::Command,
}

/// `pinconv ARGS...` with a pinned clock, no ambient token or ad account, and a private
/// state directory.
pub fn pinconv<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = assert_cmd::Command::cargo_bin("pinconv").expect("binary");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PINCONV_NOW", NOW)
        .env_remove("PINTEREST_ACCESS_TOKEN")
        .env_remove("PINTEREST_AD_ACCOUNT_ID")
        .env_remove("PINCONV_CONFIG")
        .env_remove("PINCONV_STATE")
        .env_remove("PINTEREST_TAG_ID")
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join("pinconv-it-no-state"),
        )
        .args(args);
    Run { cmd }
}

/// What a run produced.
pub struct Done {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Run {
        self.cmd.env(k, v);
        self
    }

    /// Runs in `dir` instead of the repository.
    pub fn dir(mut self, dir: &Path) -> Run {
        self.cmd.current_dir(dir);
        self
    }

    pub fn timeout(mut self, d: std::time::Duration) -> Run {
        self.cmd.timeout(d);
        self
    }

    pub fn stdin(mut self, data: impl Into<Vec<u8>>) -> Run {
        self.cmd.write_stdin(data.into());
        self
    }

    pub fn output(mut self) -> Output {
        self.cmd.output().expect("run pinconv")
    }

    /// Runs and checks the exit code, returning the output for more checks.
    pub fn code(self, expected: i32) -> Done {
        let out = self.output();
        let done = Done {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
        };
        assert_eq!(
            done.code, expected,
            "exit code {} (expected {expected})\n--- stderr\n{}\n--- stdout\n{}",
            done.code, done.stderr, done.stdout
        );
        done
    }
}

impl Done {
    pub fn stderr_has(&self, needle: &str) -> &Done {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    pub fn stderr_lacks(&self, needle: &str) -> &Done {
        assert!(
            !self.stderr.contains(needle),
            "stderr has {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    pub fn stdout_has(&self, needle: &str) -> &Done {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{}",
            self.stdout
        );
        self
    }

    /// stdout as one JSON value.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// stdout as NDJSON request bodies; returns every event.
    pub fn events(&self) -> Vec<serde_json::Value> {
        bodies(&self.stdout)
            .into_iter()
            .flat_map(|b| b["data"].as_array().unwrap().clone())
            .collect()
    }
}

/// The hash `pinconv hash --field FIELD [--country CC] VALUE` prints for a value.
pub fn hash(field: &str, country: Option<&str>, value: &str) -> String {
    let mut args = vec!["hash", "--field", field];
    if let Some(c) = country {
        args.extend(["--country", c]);
    }
    args.push(value);
    let d = pinconv(&args).code(0);
    d.stdout.trim().split('\t').nth(1).unwrap().to_owned()
}

/// The event whose `event_id` is `id`.
pub fn by_id<'a>(events: &'a [serde_json::Value], id: &str) -> &'a serde_json::Value {
    events
        .iter()
        .find(|e| e["event_id"] == id)
        .unwrap_or_else(|| panic!("no event `{id}`"))
}

/// Parses NDJSON bodies.
pub fn bodies(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).expect("body line is JSON"))
        .collect()
}

/// Writes a temporary file with `content` and the given extension.
pub fn temp_file(ext: &str, content: &str) -> tempfile::NamedTempFile {
    use std::io::Write;
    let mut f = tempfile::Builder::new()
        .suffix(ext)
        .tempfile()
        .expect("temp file");
    f.write_all(content.as_bytes()).unwrap();
    f.flush().unwrap();
    f
}

/// The examples and the options each needs.
/// (They are dated 2026-11-14 to 21, so `--max-age off` keeps them all.)
pub const EXAMPLES: &[&[&str]] = &[
    &["--max-age", "off", "examples/shopify/orders_export.csv"],
    &["--max-age", "off", "examples/shopify/orders.json"],
    &["--max-age", "off", "examples/woocommerce/orders.json"],
    &[
        "--max-age",
        "off",
        "--config",
        "examples/woocommerce/pinconv.toml",
        "examples/woocommerce/orders_export.csv",
    ],
    &["--max-age", "off", "examples/generic/conversions.csv"],
    &[
        "--max-age",
        "off",
        "--config",
        "examples/custom/pinconv.toml",
        "examples/custom/orders.csv",
    ],
];
