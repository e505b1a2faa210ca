//! The one integration-test binary. `support` is the harness; each module tests one area
//! through the public interfaces (the `assure` binary and the library API).

mod bad_input;
mod catalog;
mod cli;
mod example;
mod oscal;
mod score;
mod support;
mod validate;
