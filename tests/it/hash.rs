//! `pinconv hash`: known vectors, pass-through, and values that normalize to nothing.

use crate::support::pinconv;

#[test]
fn known_vectors() {
    pinconv(["hash", "--field", "em", " Test@Example.com "])
        .code(0)
        .stdout_has(
            "test@example.com\t973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b\n",
        );
    pinconv(["hash", "--field", "ct", "Menlo Park"])
        .code(0)
        .stdout_has("menlopark\t");
    pinconv(["hash", "--field", "zp", "SW1A 2AA"])
        .code(0)
        .stdout_has("sw1a2aa\t");
    pinconv(["hash", "--field", "ph", "--country", "GB", "07700 900123"])
        .code(0)
        .stdout_has("447700900123\t");
    pinconv(["hash", "--field", "country", "United States"])
        .code(0)
        .stdout_has("us\t");
    pinconv(["hash", "--field", "st", "New York"])
        .code(0)
        .stdout_has("ny\t");
}

#[test]
fn prehashed_passes_through_and_one_line_per_value() {
    let h = "973DFE463EC85785F5F95AF5BA3906EEDB2D931C24E69824A89EA65DBA4E813B";
    let d = pinconv(["hash", "--field", "em", h, "a@example.com"]).code(0);
    let lines: Vec<&str> = d.stdout.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], format!("{0}\t{0}", h.to_lowercase()));
}

#[test]
fn empty_or_invalid_values_print_empty_columns_and_exit_1() {
    let d = pinconv(["hash", "--field", "em", "not-an-email", "ok@example.com"]).code(1);
    assert_eq!(d.stdout.lines().next(), Some("\t"));
    d.stderr_has("value 1").stderr_lacks("not-an-email");
    pinconv(["hash", "--field", "fn", "   "]).code(1);
    pinconv(["hash", "--field", "nope", "x"]).code(2);
}

#[test]
fn values_from_stdin() {
    let d = pinconv(["hash", "--field", "em"])
        .stdin("a@example.com\nB@example.com\n")
        .code(0);
    assert_eq!(d.stdout.lines().count(), 2);
}

/// `hash --help` did not say which fields there are.
#[test]
fn help_lists_every_field() {
    let d = pinconv(["hash", "--help"]).code(0);
    for f in pinconv::normalize::Field::ALL {
        d.stdout_has(&format!("`{}`", f.key()));
    }
}
