//! The progress bar of the commands that can take more than a second: drawn on stderr
//! when it is a terminal, silent otherwise (a pipe, a CI log, `--quiet`), so output that
//! is read by programs never holds one.

use std::io::IsTerminal;

/// A bar on stderr reading "`message` [====] done/total `unit`", drawn only when `show`
/// and stderr is a terminal; hidden, every call on it does nothing.
pub fn bar(show: bool, message: &'static str, unit: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::hidden();
    if show && std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        bar.set_style(
            indicatif::ProgressStyle::with_template(&format!(
                "{{msg}} {{bar:30}} {{pos}}/{{len}} {unit}"
            ))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message(message);
    }
    bar
}

/// The callback `ops` reports progress to (`done` of `total`), moving `bar`.
pub fn callback(bar: &indicatif::ProgressBar) -> impl Fn(usize, usize) + Sync + '_ {
    move |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    }
}
