//! Lists the built-in assets (`catalog/`, `schemas/`) so `src/assets.rs` can embed them
//! with `include_str!` without a hand-kept list that could drift from the folders.

use std::{env, fs, path::Path};

fn main() {
    // Read when the script runs, not when it is compiled (`env!`): cargo reuses a compiled
    // build script for a copy of the project at another path (a worktree, a copied
    // target/), which would then list the files of the folder it was compiled in.
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest_dir);
    let mut out = String::new();
    for (name, dir, ext) in [
        ("CATALOG_FILES", "catalog", "yaml"),
        ("SCHEMA_FILES", "schemas", "json"),
    ] {
        println!("cargo:rerun-if-changed={dir}");
        // Top level only: `schemas/output/` describes the commands' JSON output
        // (docs/json.md); those are no file kinds, and the binary has no use for them.
        let depth = if dir == "schemas" { 1 } else { usize::MAX };
        let mut files: Vec<String> = walkdir::WalkDir::new(root.join(dir))
            .max_depth(depth)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == ext))
            .map(|e| {
                println!("cargo:rerun-if-changed={}", e.path().display());
                e.path()
                    .strip_prefix(root)
                    .expect("under the root")
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        files.sort();
        out.push_str(&format!("pub static {name}: &[(&str, &str)] = &[\n"));
        for f in files {
            out.push_str(&format!(
                "    ({f:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{f}\"))),\n"
            ));
        }
        out.push_str("];\n");
    }
    // The example repository, every file, for `assure demo`; but its `schemas/`: the
    // demo writes the binary's own schemas (the same bytes, as a test keeps them).
    println!("cargo:rerun-if-changed=example-repo");
    let mut files: Vec<String> = walkdir::WalkDir::new(root.join("example-repo"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| !e.path().starts_with(root.join("example-repo/schemas")))
        .map(|e| {
            println!("cargo:rerun-if-changed={}", e.path().display());
            e.path()
                .strip_prefix(root.join("example-repo"))
                .expect("under example-repo")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    files.sort();
    out.push_str("pub static EXAMPLE_FILES: &[(&str, &[u8])] = &[\n");
    for f in files {
        out.push_str(&format!("    ({f:?}, include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/example-repo/{f}\"))),\n"));
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("assets.rs");
    fs::write(dest, out).expect("OUT_DIR is writable");
}
