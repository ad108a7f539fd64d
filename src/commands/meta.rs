//! `pinconv completions` and `pinconv man`: shell completion scripts and the manual page,
//! both generated from the clap definition in [`crate::cli`], so they cannot drift from it.

use std::io::Write;

use crate::cli::{self, CompletionsArgs};
use crate::exit::Exit;
use crate::printer::Printer;

/// Prints the completion script for a shell.
pub fn completions(a: &CompletionsArgs) -> Exit {
    let mut text = Vec::new();
    cli::write_completions(a.shell, &mut text);
    print(&text)
}

/// Prints the man page.
pub fn man() -> Exit {
    let mut text = Vec::new();
    // Writing to memory does not fail.
    let _ = cli::write_man(&mut text);
    print(&text)
}

/// Writes to stdout; a closed pipe (`| head`) ends quietly.
fn print(text: &[u8]) -> Exit {
    let mut out = std::io::stdout().lock();
    match out.write_all(text).and_then(|()| out.flush()) {
        Ok(()) => Exit::Ok,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Ok,
        Err(e) => {
            Printer::new(false, 0).error(
                &anyhow::Error::from(e).context("cannot write to stdout"),
                None,
            );
            Exit::Usage
        }
    }
}
