//! The `assure` command. All logic lives in the library; see `cli::run`.

use std::process::ExitCode;

/// mimalloc: parsing allocates a node per YAML value on every core, where it is markedly
/// faster than the system allocator (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    assure_cli::run(std::env::args_os())
}

mod assure_cli {
    pub use assure::cli::run;
}
