//! `pinconv state` (in progress).
use crate::cli::StateArgs;
use crate::exit::Exit;
pub fn run(_a: &StateArgs) -> Exit {
    eprintln!("error: `state` is not available yet");
    Exit::Usage
}
