//! The `pinconv` binary: everything lives in the library.

/// mimalloc instead of the system allocator: parsing JSON orders allocates many small maps
/// and strings, and glibc's malloc was over a quarter of the profile.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    pinconv::main().into()
}
