//! Output files and stdout: an output never destroys an input or another output, temporary
//! files are created exclusively and cleaned up, private files are 0600, a non-file ledger is
//! refused, a closed stdout ends quietly and a full one fails.

use std::path::{Path, PathBuf};

use crate::mock_server::{MockServer, Verdict};
use crate::send::{orders, send};
use crate::support::{pinconv, repo};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A copy of the Shopify CSV example in `dir`.
fn shopify_copy(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::copy(repo("examples/shopify/orders_export.csv"), &p).unwrap();
    p
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_dash_output_is_stdout_not_a_file_named_dash() {
    let dir = tempfile::tempdir().unwrap();
    let input = repo("examples/shopify/orders.json");
    let plain = pinconv(["build", "--max-age", "off", s(&input)]).code(0);
    assert!(plain.stdout.starts_with("{\"data\":["), "{}", plain.stdout);
    let dashed = pinconv(["build", "--max-age", "off", "-o", "-", s(&input)])
        .dir(dir.path())
        .code(0);
    assert_eq!(dashed.stdout, plain.stdout);
    // `send --dry-run -o -` writes the bodies `build` writes.
    let dry = pinconv([
        "send",
        "--dry-run",
        "--max-age",
        "off",
        "-o",
        "-",
        s(&input),
    ])
    .dir(dir.path())
    .code(0);
    assert_eq!(dry.stdout, plain.stdout);
    let init = pinconv(["init", "-o", "-"]).dir(dir.path()).code(0);
    let template = pinconv(["init"]).code(0);
    assert_eq!(init.stdout, template.stdout);
    assert!(!init.stdout.is_empty());
    let tag = ["tag", "--target", "html", "--tag-id", "2612345678901"];
    let dashed_tag = pinconv(tag.iter().chain(&["-o", "-"]))
        .dir(dir.path())
        .code(0);
    assert_eq!(dashed_tag.stdout, pinconv(tag).code(0).stdout);
    assert!(dashed_tag.stdout.contains("2612345678901"));
    assert_eq!(
        names(dir.path()),
        Vec::<String>::new(),
        "no file was written"
    );
}

#[test]
fn build_refuses_an_output_that_is_an_input_under_any_name() {
    let dir = tempfile::tempdir().unwrap();
    let input = shopify_copy(dir.path(), "a.csv");
    let before = std::fs::read(&input).unwrap();
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&input, &link).unwrap();
    let dotted = dir.path().join(".").join("a.csv");
    for out in [&input, &dotted, &link] {
        pinconv(["build", "--max-age", "off", "-o", s(out), s(&input)])
            .code(2)
            .stderr_has(&format!(
                "`{}` is given as an input and as `-o`; writing it would destroy the input before it is read",
                out.display()
            ))
            .stderr_has("hint: give `-o` a file of its own");
    }
    assert_eq!(
        std::fs::read(&input).unwrap(),
        before,
        "the input was changed"
    );
    assert_eq!(names(dir.path()), ["a.csv", "link.csv"]);
}

#[test]
fn send_refuses_outputs_that_are_inputs_or_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::ok();
    // A failed-out file to re-send, written by a run where one event fails.
    let input = orders(3);
    let retry = dir.path().join("retry.ndjson");
    let failing = MockServer::builder()
        .event_rule(|e| {
            if e["event_id"] == "O-1" {
                Verdict::Failed("bad value".into())
            } else {
                Verdict::Processed
            }
        })
        .start();
    send(
        &failing,
        &["--no-state", "--failed-out", s(&retry)],
        s(input.path()),
    )
    .code(3);
    let before = std::fs::read(&retry).unwrap();
    assert!(!before.is_empty());

    send(
        &server,
        &["--no-state", "--failed-out", s(&retry)],
        s(&retry),
    )
    .code(2)
    .stderr_has("is given as an input and as `--failed-out`")
    .stderr_has("hint: give `--failed-out` a file of its own");
    let dotted = dir.path().join(".").join("retry.ndjson");
    send(&server, &["--no-state", "--report", s(&dotted)], s(&retry))
        .code(2)
        .stderr_has("as an input and as `--report`");
    assert_eq!(
        std::fs::read(&retry).unwrap(),
        before,
        "the input was changed"
    );

    let out = dir.path().join("out.json");
    send(
        &server,
        &["--no-state", "--report", s(&out), "--failed-out", s(&out)],
        s(input.path()),
    )
    .code(2)
    .stderr_has(
        "is given as `--failed-out` and as `--report`; the two outputs would overwrite each other",
    );
    let ledger = dir.path().join("ledger.sqlite");
    send(
        &server,
        &["--state", s(&ledger), "--failed-out", s(&ledger)],
        s(input.path()),
    )
    .code(2)
    .stderr_has("as `--state` and as `--failed-out`");
    let token = dir.path().join("token");
    std::fs::write(&token, "pina_x\n").unwrap();
    pinconv([
        "send",
        "--dry-run",
        "--token-file",
        s(&token),
        "--report",
        s(&token),
        s(input.path()),
    ])
    .code(2)
    .stderr_has("as `--token-file` and as `--report`");
    assert_eq!(std::fs::read_to_string(&token).unwrap(), "pina_x\n");
    assert_eq!(server.request_count(), 0, "a refused run sent something");
    assert!(!out.exists() && !ledger.exists());
    // Two outputs on /dev/null destroy nothing.
    pinconv([
        "send",
        "--dry-run",
        "--report",
        "/dev/null",
        "--failed-out",
        "/dev/null",
        s(input.path()),
    ])
    .code(0);
}

/// `<out>.pinconv-tmp` used to be opened with `File::create`, following a symlink planted
/// there: the run wrote through it into another file.
#[test]
fn the_temporary_file_is_created_exclusively_and_removed_on_error() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "keep me\n").unwrap();
    let out = dir.path().join("bodies.ndjson");
    std::os::unix::fs::symlink(&victim, dir.path().join("bodies.ndjson.pinconv-tmp")).unwrap();
    let d = pinconv([
        "build",
        "--max-age",
        "off",
        "-o",
        s(&out),
        "examples/shopify/orders.json",
    ])
    .code(0);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
    let meta = std::fs::symlink_metadata(&out).unwrap();
    assert!(meta.file_type().is_file(), "{:?}", meta.file_type());
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written.lines().count(), 1, "{}", d.stderr);
    assert_eq!(mode(&out), 0o600, "a new output is private");

    // An input that fails after bodies were written leaves the old output and no temporary.
    std::fs::write(&out, "old\n").unwrap();
    std::fs::set_permissions(&out, std::os::unix::fs::PermissionsExt::from_mode(0o640)).unwrap();
    pinconv([
        "build",
        "--max-age",
        "off",
        "--batch-size",
        "1",
        "-o",
        s(&out),
        "examples/shopify/orders.json",
        "tests/fixtures/bad/not_json.json",
    ])
    .code(2);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old\n");
    assert_eq!(
        names(dir.path()),
        ["bodies.ndjson", "bodies.ndjson.pinconv-tmp", "victim.txt"],
        "a temporary file was left behind"
    );
    // A replaced file keeps its permissions.
    pinconv([
        "build",
        "--max-age",
        "off",
        "-o",
        s(&out),
        "examples/shopify/orders.json",
    ])
    .code(0);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), written);
    assert_eq!(mode(&out), 0o640);
}

/// Ctrl-C (here SIGINT while `build -o` waits for more input) removes the temporary file and
/// leaves the old output as it was: exit 130.
#[test]
fn an_interrupted_build_leaves_the_old_output_and_no_temporary() {
    use std::io::{BufRead, Write};
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bodies.ndjson");
    std::fs::write(&out, "old\n").unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("pinconv"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PINCONV_NOW", crate::support::NOW)
        .args(["build", "--format", "csv", "-o", s(&out), "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // More than the 64 KiB read ahead for encoding detection, so the rows are taken in.
    let mut rows = String::from("order_id,event_time,email,value,currency\n");
    for i in 0..2000 {
        rows.push_str(&format!(
            "O-{i},2026-11-21T10:00:00Z,user{i}@example.com,10.50,USD\n"
        ));
    }
    stdin.write_all(rows.as_bytes()).unwrap();
    stdin.flush().unwrap();
    // stderr on a thread of its own, so that a run that never says `reading` fails the test
    // instead of hanging it.
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in stderr.lines() {
            let _ = tx.send(line.unwrap());
        }
    });
    loop {
        match rx.recv_timeout(std::time::Duration::from_secs(60)) {
            Ok(line) if line.starts_with("reading `<stdin>`") => break,
            Ok(_) => {}
            Err(e) => {
                let _ = child.kill();
                panic!("no `reading` line: {e}");
            }
        }
    }
    assert!(Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    drop(stdin);
    let status = child.wait().unwrap();
    let rest: Vec<String> = rx.iter().collect();
    assert_eq!(status.code(), Some(130), "{rest:?}");
    assert!(
        rest.iter().any(|l| l.starts_with("error: interrupted: `")),
        "{rest:?}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old\n");
    assert_eq!(names(dir.path()), ["bodies.ndjson"]);
}

#[test]
fn failed_out_and_report_are_created_private() {
    let dir = tempfile::tempdir().unwrap();
    let input = orders(2);
    let failing = MockServer::builder()
        .event_rule(|_| Verdict::Failed("bad value".into()))
        .start();
    let failed = dir.path().join("failed.ndjson");
    let report = dir.path().join("run.json");
    send(
        &failing,
        &[
            "--no-state",
            "--failed-out",
            s(&failed),
            "--report",
            s(&report),
        ],
        s(input.path()),
    )
    .code(3);
    assert_eq!(crate::send::lines(&failed).len(), 2);
    assert_eq!(mode(&failed), 0o600);
    assert_eq!(mode(&report), 0o600);
}

/// `--state /dev/null` left `/dev/null-journal` and `/dev/null.lock` behind; a FIFO here.
#[test]
fn a_state_path_that_is_not_a_regular_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("ledger.fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let input = orders(1);
    let server = MockServer::ok();
    send(&server, &["--state", s(&fifo)], s(input.path()))
        .code(2)
        .stderr_has(&format!(
            "ledger `{}` is not a regular file",
            fifo.display()
        ))
        .stderr_has("hint: ");
    pinconv(["state", "--state", s(&fifo), "show"])
        .code(2)
        .stderr_has("is not a regular file");
    assert_eq!(server.request_count(), 0);
    assert_eq!(names(dir.path()), ["ledger.fifo"]);
}

/// Runs `pinconv ARGS` with stdout on a pipe that is closed after a few bytes; returns the
/// exit code and stderr.
fn with_closed_stdout(args: &[&str], stdin: Option<Vec<u8>>) -> (i32, String) {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("pinconv"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PINCONV_NOW", crate::support::NOW)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let feeder = stdin.map(|data| {
        let mut w = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            let _ = w.write_all(&data);
        })
    });
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    out.read_exact(&mut first).unwrap();
    drop(out);
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    if let Some(f) = feeder {
        f.join().unwrap();
    }
    (status.code().unwrap_or(-1), err)
}

#[test]
fn a_closed_stdout_ends_quietly_with_exit_0() {
    // Far more than a pipe buffer holds, so the writes meet the closed pipe.
    let input = orders(3000);
    let (code, err) = with_closed_stdout(&["build", "--batch-size", "1", s(input.path())], None);
    assert_eq!(code, 0, "{err}");
    assert!(
        !err.contains("Broken pipe") && !err.contains("error"),
        "{err}"
    );
    let values: String = (0..20_000)
        .map(|i| format!("user{i}@example.com\n"))
        .collect();
    let (code, err) = with_closed_stdout(&["hash", "--field", "em"], Some(values.into_bytes()));
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
}

/// Runs `pinconv ARGS` with stdout on `/dev/full`.
#[cfg(target_os = "linux")]
pub fn to_dev_full(args: &[&str]) -> crate::support::Done {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("pinconv"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PINCONV_NOW", crate::support::NOW)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(full)
        .output()
        .unwrap();
    crate::support::Done {
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_stdout_fails_with_exit_2() {
    for args in [
        &["hash", "--field", "em", "a@example.com"][..],
        &["build", "--max-age", "off", "examples/shopify/orders.json"],
        &[
            "check",
            "--json",
            "--max-age",
            "off",
            "examples/shopify/orders.json",
        ],
    ] {
        let d = to_dev_full(args);
        assert_eq!(d.code, 2, "{args:?}: {}", d.stderr);
        d.stderr_has("cannot write to stdout")
            .stderr_has("No space left on device");
    }
}
