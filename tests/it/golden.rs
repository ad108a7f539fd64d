//! Payload goldens: the exact bodies `build` writes for every example, reviewed like code.
//! A change to any payload shows up here as a diff. `UPDATE_GOLDEN=1 cargo test golden`
//! rewrites them after a deliberate change.

use crate::support::{pinconv, repo, EXAMPLES};

#[test]
fn build_output_matches_the_goldens() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    for args in EXAMPLES {
        let input = args.last().unwrap();
        let name = input
            .trim_start_matches("examples/")
            .replace(['/', '.'], "_");
        let golden = repo(&format!("tests/golden/{name}.ndjson"));
        let mut a = vec!["build"];
        a.extend_from_slice(args);
        let out = pinconv(&a).output();
        let got = String::from_utf8(out.stdout).unwrap();
        if update {
            std::fs::write(&golden, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run with UPDATE_GOLDEN=1 to create it",
                golden.display()
            )
        });
        assert!(
            got == want,
            "{input}: build output differs from {}; review and run with UPDATE_GOLDEN=1",
            golden.display()
        );
    }
}
