//! `pinconv send` (in progress).
use crate::cli::SendArgs;
use crate::exit::Exit;
pub fn run(_a: &SendArgs) -> Exit {
    eprintln!("error: `send` is not available yet");
    Exit::Usage
}
