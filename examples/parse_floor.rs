//! The benchmark floor: read every YAML file under a folder and parse it with the YAML
//! library alone (in parallel, as `assure validate` does), nothing else.
//! `cargo run --release --example parse_floor -- DIR [--read-only]`

use rayon::prelude::*;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: parse_floor DIR [--read-only]");
    let read_only = args.next().as_deref() == Some("--read-only");
    let files: Vec<_> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        .map(|e| e.into_path())
        .collect();
    let (bytes, nodes): (usize, usize) = files
        .par_iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("read");
            let n = if read_only {
                0
            } else {
                usize::from(assure::repo::yaml::parse(&text).is_ok())
            };
            (text.len(), n)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    println!("{} files, {bytes} bytes, {nodes} parsed", files.len());
}
