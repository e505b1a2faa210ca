//! The one integration-test binary. `support` is the harness; each module tests one area
//! through the public interfaces (the `assure` binary and the library API).

mod architecture;
mod bad_input;
mod catalog;
mod cli;
mod data_safety;
mod demo;
mod edit_diffs;
mod edit_errors;
mod edit_permissions;
mod example;
mod fuzz_regressions;
mod gate;
mod gate_attacks;
mod gate_histories;
mod gate_review;
mod git_model;
mod history;
mod hostile;
mod hostile_text;
mod loader;
mod notify;
mod oscal;
mod paths_and_links;
mod recipes;
mod report_data;
mod report_excel;
mod review;
mod rewrite_props;
mod schemas;
mod score;
mod site;
mod support;
mod sync;
mod validate;
mod workbook_office;
