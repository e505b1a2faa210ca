//! The one integration-test binary. `support` is the harness; each module tests one area
//! through the public interfaces (the `assure` binary and the library API).

mod bad_input;
mod catalog;
mod cli;
mod edit_diffs;
mod edit_errors;
mod edit_permissions;
mod example;
mod oscal;
mod score;
mod support;
mod sync;
mod validate;
