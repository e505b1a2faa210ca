//! The rules each layer keeps (docs/architecture.md), checked on the source itself so a
//! change that breaks one fails here, not in a reviewer's memory: the YAML parser is
//! known to one module, reports and rules never open git, a command's errors are typed,
//! no file grows past 1,000 lines nor a function past 80, and the test hooks stay out of
//! the shipped binary.
//! (git2 staying in src/git/ is `git_model::git2_is_named_only_under_src_git`.)

use std::path::{Path, PathBuf};

use crate::support::project_root;

/// Every `.rs` file under `src/`, with its path relative to the project root and text.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read src/") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = project_root();
    let mut files = Vec::new();
    walk(&root.join("src"), &mut files);
    files.sort();
    let out: Vec<(String, String)> = files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&root)
                .expect("under root")
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read_to_string(&p).expect("read"))
        })
        .collect();
    assert!(out.len() > 50, "only {} files under src/", out.len());
    out
}

/// The lines of files outside `allowed` (path prefixes) that contain `needle`, ignoring
/// comment lines.
fn uses_outside(needle: &str, allowed: &[&str]) -> Vec<String> {
    sources()
        .into_iter()
        .filter(|(path, _)| !allowed.iter().any(|a| path.starts_with(a)))
        .flat_map(|(path, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, l)| !l.trim_start().starts_with("//") && l.contains(needle))
                .map(|(i, l)| format!("{path}:{}: {}", i + 1, l.trim()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn only_the_yaml_module_knows_the_parser() {
    let found = uses_outside("saphyr", &["src/repo/yaml/"]);
    assert!(
        found.is_empty(),
        "saphyr named outside src/repo/yaml/:\n{}",
        found.join("\n")
    );
    assert!(
        !uses_outside("saphyr", &[]).is_empty(),
        "the check sees the parser where it is"
    );
}

#[test]
fn reports_rules_and_oscal_never_open_git() {
    for layer in ["src/report/", "src/rules/", "src/oscal/"] {
        // git itself, or the functions of ops that read it (reports get their results).
        let found: Vec<String> = [
            "crate::git",
            "git::Git",
            "Git::open",
            "Git::require",
            "last_commit_times",
            "assessment_histories",
            "Versions",
        ]
        .iter()
        .flat_map(|needle| {
            sources()
                .into_iter()
                .filter(|(path, _)| path.starts_with(layer))
                .flat_map(|(path, text)| {
                    text.lines()
                        .enumerate()
                        .filter(|(_, l)| l.contains(needle))
                        .map(|(i, l)| format!("{path}:{}: {}", i + 1, l.trim()))
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        })
        .collect();
        assert!(
            found.is_empty(),
            "{layer} reaches git:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn no_source_file_is_over_a_thousand_lines() {
    let long: Vec<String> = sources()
        .into_iter()
        .map(|(path, text)| (path, text.lines().count()))
        .filter(|(_, n)| *n > 1000)
        .map(|(path, n)| format!("{path}: {n} lines"))
        .collect();
    assert!(
        long.is_empty(),
        "split these by purpose:\n{}",
        long.join("\n")
    );
}

/// The functions of `text` longer than `max` lines, as `path:line: name (n lines)`. A
/// function runs from its `fn` line to the first line that is its indentation and a
/// lone `}` (rustfmt's layout); a declaration without a body (`fn f();`) is none.
fn long_functions(path: &str, text: &str, max: usize) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let rest = line.trim_start();
        let indent = &line[..line.len() - rest.len()];
        let mut rest = rest;
        if let Some(r) = rest.strip_prefix("pub") {
            rest = match r.strip_prefix('(') {
                Some(r) => r.split_once(") ").map_or(rest, |(_, r)| r),
                None => r.strip_prefix(' ').unwrap_or(rest),
            };
        }
        for qualifier in ["const ", "async ", "unsafe "] {
            rest = rest.strip_prefix(qualifier).unwrap_or(rest);
        }
        let Some(name) = rest.strip_prefix("fn ") else {
            continue;
        };
        let name: String = name
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() || line.trim_end().ends_with(';') {
            continue;
        }
        let end = lines[i..]
            .iter()
            .position(|l| l.strip_prefix(indent).is_some_and(|l| l.trim_end() == "}"))
            .map_or(lines.len(), |n| i + n);
        let n = end - i + 1;
        if n > max {
            out.push(format!("{path}:{}: {name} ({n} lines)", i + 1));
        }
    }
    out
}

#[test]
fn no_function_is_longer_than_80_lines() {
    let long: Vec<String> = sources()
        .into_iter()
        .flat_map(|(path, text)| long_functions(&path, &text, 80))
        .collect();
    assert!(
        long.is_empty(),
        "split these where the pieces have names (a step, a section, a check, a phase):\n{}",
        long.join("\n")
    );
    // The scan sees a long function, a long method, and nothing else.
    let body = "    x += 1;\n".repeat(79);
    let text = format!(
        "pub(crate) fn long() {{\n{body}}}\n\nfn short() {{\n}}\n\nimpl T {{\n    pub async fn method(&self) {{\n    {body}    }}\n    fn declared();\n}}\n"
    );
    assert_eq!(
        long_functions("t.rs", &text, 80),
        ["t.rs:1: long (81 lines)", "t.rs:87: method (81 lines)"]
    );
}

/// Errors keep their type up to the one place that turns them into an exit status: no
/// error is flattened into a string on the way, and no exit code is chosen elsewhere.
#[test]
fn errors_are_typed_and_the_exit_status_is_decided_in_one_place() {
    let stringly = uses_outside("Failure(e.to_string())", &[]);
    assert!(stringly.is_empty(), "{}", stringly.join("\n"));
    let codes: Vec<String> = uses_outside("ExitCode::from(", &["src/cli/mod.rs"]);
    assert!(
        codes.is_empty(),
        "exit codes chosen outside cli::run:\n{}",
        codes.join("\n")
    );
    let words = uses_outside("Broken pipe", &[]);
    assert!(
        words.is_empty(),
        "a closed pipe is an error kind, not words:\n{}",
        words.join("\n")
    );
}

/// The write-fault hooks exist only with the `fault-injection` feature, which only the
/// tests turn on: every mention of them in `src/` sits behind that feature.
#[test]
fn the_fault_hooks_are_behind_the_test_feature() {
    for (path, text) in sources() {
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !line.contains("_AFTER_WRITES") || line.trim_start().starts_with("//") {
                continue;
            }
            let gated = lines[..i]
                .iter()
                .rev()
                .take(12)
                .any(|l| l.contains("cfg(feature = \"fault-injection\")"));
            assert!(gated, "{path}:{}: a fault hook outside the feature", i + 1);
        }
    }
    let manifest = std::fs::read_to_string(project_root().join("Cargo.toml")).expect("read");
    assert!(!manifest.contains("default = [\"fault-injection\""));
}

/// A spanned tree has a node per YAML value (hundreds of thousands in a large catalog,
/// parsed on every command), so what the layout records must not grow it: 56 bytes a
/// node (its span, value, style and end). What only an edit needs (an entry's `?` and
/// `:`, a block's header) is recorded beside the tree, by the parse for an edit.
#[test]
fn a_yaml_node_stays_small() {
    assert!(std::mem::size_of::<assure::repo::yaml::Node>() <= 56);
    assert!(std::mem::size_of::<assure::repo::yaml::Entry>() <= 96);
}

/// The rewriter plans span replacements over the layout the YAML module records and
/// reads for it (`repo::yaml::layout`): it never slices the file's text itself, and
/// the `?` and `:` of a key are recorded while parsing, not searched for.
#[test]
fn the_rewriter_reads_the_layout_only_through_the_yaml_module() {
    let slicing: Vec<String> = sources()
        .into_iter()
        .filter(|(path, _)| path.starts_with("src/edit/rewrite/"))
        .flat_map(|(path, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, l)| {
                    !l.trim_start().starts_with("//")
                        && (l.contains("self.text") || l.contains("text["))
                })
                .map(|(i, l)| format!("{path}:{}: {}", i + 1, l.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        slicing.is_empty(),
        "ask repo::yaml::layout instead:\n{}",
        slicing.join("\n")
    );
    let layout = std::fs::read_to_string(project_root().join("src/repo/yaml/layout/mod.rs"))
        .expect("read layout/mod.rs");
    for recorded in [
        "Some(m) => m.question,",
        "Some(m) => m.colon,",
        "Some(m) => m.key_style,",
        "(Some(r), Style::Literal | Style::Folded) => r.header(node),",
        "pub fn content_end(&self, node: &Node) -> usize {\n        node.end as usize",
    ] {
        assert!(layout.contains(recorded), "no longer a lookup: {recorded}");
    }
    let rewriter = std::fs::read_to_string(project_root().join("src/edit/rewrite/mod.rs"))
        .expect("read rewrite/mod.rs");
    assert!(
        rewriter.contains("yaml::parse_with_layout(text)")
            && rewriter.contains("Layout::recorded(text, &recorded)"),
        "the rewriter plans over the layout recorded while parsing"
    );
}
