//! The `pinconv` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    pinconv::main().into()
}
