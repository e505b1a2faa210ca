//! The benchmark floor: read every YAML file under a folder and parse it, in parallel on
//! every core as `assure validate` does, and nothing else.
//!
//! `cargo run --release --example parse_floor -- DIR [--read-only | --events]`
//! - default: assure's own YAML reader (`assure::repo::yaml::parse`: saphyr-parser's
//!   events built into the spanned tree every finding is located with);
//! - `--events`: saphyr-parser alone, every event pulled and dropped;
//! - `--read-only`: reading the bytes.

use rayon::prelude::*;

/// The allocator `assure` uses, so the floor is measured on the same terms.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .expect("usage: parse_floor DIR [--read-only | --events]");
    let mode = args.next().unwrap_or_default();
    let files: Vec<_> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        .map(|e| e.into_path())
        .collect();
    let (bytes, parsed): (usize, usize) = files
        .par_iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("read");
            let ok = match mode.as_str() {
                "--read-only" => false,
                "--events" => {
                    let mut parser = saphyr_parser::Parser::new_from_str(&text);
                    let mut ok = true;
                    while let Some(event) = parser.next_event() {
                        if event.is_err() {
                            ok = false;
                            break;
                        }
                    }
                    ok
                }
                _ => assure::repo::yaml::parse(&text).is_ok(),
            };
            (text.len(), usize::from(ok))
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    println!("{} files, {bytes} bytes, {parsed} parsed", files.len());
}
