//! `pinconv completions` and `pinconv man` (#11 item 12): generated from the clap definition,
//! so every subcommand is in them, and bash can load the script.

use crate::support::pinconv;

const SUBCOMMANDS: &[&str] = &[
    "check",
    "build",
    "send",
    "hash",
    "state",
    "init",
    "completions",
    "man",
    "tag",
];

#[test]
fn completions_for_every_shell_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let d = pinconv(["completions", shell]).code(0);
        assert!(!d.stdout.trim().is_empty(), "{shell}");
        for sub in SUBCOMMANDS {
            assert!(d.stdout.contains(sub), "{shell}: no `{sub}`");
        }
        assert!(d.stdout.contains("column"), "{shell}");
    }
    pinconv(["completions", "tcsh"]).code(2);
}

#[test]
fn bash_loads_the_completion_script() {
    let d = pinconv(["completions", "bash"]).code(0);
    let script = crate::support::temp_file(".bash", &d.stdout);
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && complete -p pinconv",
            script.path().display()
        ))
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("_pinconv pinconv"));
    // And from a process substitution, as the README says.
    let exe = assert_cmd::cargo::cargo_bin("pinconv");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source <('{}' completions bash) && complete -p pinconv",
            exe.display()
        ))
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_man_page_has_name_synopsis_and_every_subcommand() {
    let d = pinconv(["man"]).code(0);
    assert!(d.stdout.starts_with(".ie") || d.stdout.starts_with(".TH"));
    for section in [".TH pinconv 1", ".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS"] {
        assert!(d.stdout.contains(section), "{section}");
    }
    for sub in SUBCOMMANDS {
        let heading = format!(".SH \"PINCONV {}\"", sub.to_uppercase());
        assert!(d.stdout.contains(&heading), "{heading}");
    }
    // Each subcommand's flags are there, as `--help` has them.
    assert!(d.stdout.contains("\\-\\-event\\-id\\-template"));
    assert!(d.stdout.contains("\\-\\-force"));
}
