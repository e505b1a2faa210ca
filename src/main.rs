//! The `assure` command. All logic lives in the library; see `cli::run`.

use std::process::ExitCode;

fn main() -> ExitCode {
    assure_cli::run(std::env::args_os())
}

mod assure_cli {
    pub use assure::cli::run;
}
