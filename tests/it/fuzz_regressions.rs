//! Regression tests for what `cargo fuzz` found (fuzz/, README "Fuzzing"). Each input
//! the fuzzers reduced is kept under `fuzz/regressions/<target>/`; each test here goes
//! through the same public path as the target that found it and asserts the correct
//! result, not only the absence of a panic.

use assure::diag::{self, Code, Diagnostic};
use assure::edit::rewrite::rewrite;
use assure::repo::source::SourceMap;
use assure::repo::yaml;
use serde_json::json;

use crate::support::{TestRepo, normalised, run_env};

/// `load_file` input: one selector byte (here 10: a services catalog file), then the text.
const TABS_IN_A_LONG_LINE: &[u8] =
    include_bytes!("../../fuzz/regressions/load_file/tabs-in-a-long-line");

/// The same kind of input: its label points at the first of 19 indenting tabs.
const LABEL_LEFT_OF_A_DEEP_INDENTATION: &[u8] =
    include_bytes!("../../fuzz/regressions/load_file/label-left-of-a-deep-indentation");

/// The human rendering of the YAML error in `text`, loaded as `path`.
fn human(path: &str, text: &str) -> String {
    let mut sources = SourceMap::default();
    let file = sources.add(path.into(), text.into());
    let e = yaml::parse(text).expect_err("malformed YAML");
    let d = [Diagnostic::new(Code::YamlSyntax, e.message).at(file, e.span, "here")];
    let mut out = Vec::new();
    diag::human::render(&mut out, &sources, &d, false).expect("writes to memory");
    String::from_utf8(out).expect("utf-8")
}

/// Found by `load_file`: the snippet renderer (annotate-snippets 0.11) overflowed on a
/// finding in a line indented with tabs and longer than the terminal width; a debug
/// build panicked. The finding is now shown with the tabs as spaces.
#[test]
fn a_finding_on_a_long_tab_indented_line_renders() {
    let text = std::str::from_utf8(&TABS_IN_A_LONG_LINE[1..]).expect("utf-8");
    let out = human("catalog/services.yaml", text);
    assert!(
        out.starts_with(
            "error[yaml-syntax]: invalid YAML: tabs disallowed within this context (block indentation)\n --> catalog/services.yaml:2:7\n"
        ),
        "{out}"
    );
    assert!(out.contains("\n2 |       -r5:AC-"), "{out}");
    assert!(out.ends_with("1 error, 0 warnings\n"), "{out}");
}

/// Found by `load_file` after the first fix: the same overflow when the label lies left
/// of the common indentation of a long line (here: the first of 19 indenting tabs).
#[test]
fn a_finding_left_of_a_deep_indentation_renders() {
    let text = std::str::from_utf8(&LABEL_LEFT_OF_A_DEEP_INDENTATION[1..]).expect("utf-8");
    let out = human("catalog/services.yaml", text);
    assert!(
        out.starts_with(
            "error[yaml-syntax]: invalid YAML: tab cannot be used as indentation\n --> catalog/services.yaml:3:1\n"
        ),
        "{out}"
    );
    assert!(out.contains("\n3 |                    :A.8.1"), "{out}");
}

/// The same through `assure validate`: a long line indented with tabs.
#[test]
fn validate_reports_a_tab_indented_long_line() {
    let repo = TestRepo::base();
    repo.write(
        "groups/default-group/group.yaml",
        format!(
            "name: Default Group\ndescription: [\n\t\t\t\t\t\t-{}]\n",
            "long text ".repeat(16)
        ),
    );
    let out = run_env(repo.path(), &["validate"], &[]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.starts_with(
            "error[yaml-syntax]: invalid YAML: tabs disallowed within this context (block indentation)\n --> groups/default-group/group.yaml:3:7\n"
        ),
        "{}",
        out.stdout
    );
    assert!(out.stderr.is_empty(), "{}", out.stderr);
}

/// Rewrites `text` with `f` applied to its JSON form; the result must read back as that.
fn edit(text: &str, f: impl FnOnce(&mut serde_json::Value)) -> Result<String, String> {
    let node = yaml::parse(text).expect("valid YAML");
    let mut doc = node.to_json();
    f(&mut doc);
    let out = rewrite(text, &doc).map_err(|e| e.to_string())?;
    assert_eq!(
        yaml::parse_to_json(&out).expect("the rewrite parses"),
        doc,
        "{out}"
    );
    Ok(out)
}

/// Found by `rewrite`: a key or value holding a byte order mark (U+FEFF) was written
/// plain, or in a `|` block, and YAML allows one only inside quotes, so the file no
/// longer parsed. (It is written as an escape, as every character that YAML or a reader
/// may take for something else: one way of quoting, `yaml::quote`, for every writer.)
#[test]
fn a_byte_order_mark_in_a_new_key_or_value_is_quoted() {
    assert!(!yaml::plain_is_string("\u{feff}"));
    assert!(!yaml::plain_is_string("x\u{feff}y"));
    assert_eq!(
        edit("a: 1\n", |d| d["\u{feff}"] = json!(2)).as_deref(),
        Ok("a: 1\n\"\\ufeff\": 2\n")
    );
    assert_eq!(
        edit("a: 1\n", |d| d["a"] = json!("x\u{feff}")).as_deref(),
        Ok("a: \"x\\ufeff\"\n")
    );
    assert_eq!(
        edit("a: |\n  x\n", |d| d["a"] = json!("one\ntwo\u{feff}")).as_deref(),
        Ok("a: \"one\\ntwo\\ufeff\"\n")
    );
}

/// Found by `rewrite`: text whose first line is empty and whose next line starts with
/// spaces was written as a `|` block, which takes those spaces for its indentation and
/// drops them, and text of line breaks only was written as an empty block; both are now
/// double-quoted. Text whose first line is indented was already.
#[test]
fn block_text_whose_first_non_empty_line_is_indented_is_quoted() {
    assert_eq!(
        edit("a: x\n", |d| d["a"] = json!("\n  indented\nnot")).as_deref(),
        Ok("a: \"\\n  indented\\nnot\"\n")
    );
    // Only line breaks: a `|` block with no lines would read as "".
    assert_eq!(
        edit("a: x\n", |d| d["a"] = json!("\n")).as_deref(),
        Ok("a: \"\\n\"\n")
    );
    assert_eq!(
        edit("a: x\n", |d| d["a"] = json!("\nfirst\n  second")).as_deref(),
        Ok("a: |-\n\n  first\n    second\n")
    );
}

/// Found by `rewrite`: YAML reads a lone carriage return as a line break, the rewriter
/// did not, so a key added to such a file went to the wrong line and level. Such files
/// are refused; CRLF files are edited as before.
#[test]
fn a_file_with_lone_carriage_returns_is_refused() {
    let refused = edit("# notes\r:\n", |d| d["a"] = json!(1)).expect_err("refused");
    assert!(refused.contains("lone carriage return (CR)"), "{refused}");
    assert_eq!(
        edit("a: 1\r\nb: 2\r\n", |d| d["b"] = json!(3)).as_deref(),
        Ok("a: 1\r\nb: 3\r\n")
    );
}

/// Found by `rewrite`: a value replaced by a `|` block left the blanks that followed the
/// old value on its line, which became the end of the block's text. The blanks are now
/// replaced too, and a value with a comment after it, on its line or indented on the
/// next, is quoted rather than made a block (the comment would have become its text).
#[test]
fn what_follows_a_value_never_becomes_block_text() {
    assert_eq!(
        edit("name: \ndescription: x\n", |d| d["name"] = json!("a\nb")).as_deref(),
        Ok("name: |-\n  a\n  b\ndescription: x\n")
    );
    assert_eq!(
        edit("name: old   \n", |d| d["name"] = json!("a\nb")).as_deref(),
        Ok("name: |-\n  a\n  b\n")
    );
    assert_eq!(
        edit("name: old  # why\n", |d| d["name"] = json!("a\nb")).as_deref(),
        Ok("name: \"a\\nb\"  # why\n")
    );
    assert_eq!(
        edit("name:  # why\n  old # more\n", |d| d["name"] =
            json!("a\nb"))
        .as_deref(),
        Ok("name:  # why\n  \"a\\nb\" # more\n")
    );
    // A comment on the next line, indented as deep as the block's text would be.
    assert_eq!(
        edit("name:\n  # note\nb: 1\n", |d| d["name"] = json!("a\nb")).as_deref(),
        Ok("name: \"a\\nb\"\n  # note\nb: 1\n")
    );
}

/// Found by `rewrite`: an entry re-rendered whole (a list replaced) was rewritten from
/// the start of its line, dropping what came before its key there, here the `:` of an
/// empty parent key; what precedes the key on its line now stays.
#[test]
fn a_re_rendered_entry_keeps_what_precedes_its_key() {
    let text = ":\t.services:\n  - a\n  - b\n";
    assert_eq!(
        edit(text, |d| d[""][".services"] = json!(["b", "a"])).as_deref(),
        Ok(":\t.services:\n    - b\n    - a\n")
    );
}

/// Found by `rewrite`: a value replaced in place kept a form feed that ended it (the
/// parser read it as part of the plain value), which then trailed the new quoted value
/// and made the file invalid. YAML allows no control character but tab and line breaks
/// in a file, and the parser let them through (in the fifth pass, `&\u{2}x` read as an
/// anchor with no name): such files are now refused where the character is, with the
/// way out, before the parser sees them.
#[test]
fn a_control_character_is_refused_where_it_is() {
    for (text, at, ch) in [
        ("id: x\x0c\n", 5, "U+000C"),
        ("a: 1\nb: \"\x00\"\n", 9, "U+0000"),
        ("   &\x02x { }\n", 4, "U+0002"),
        ("a: \u{85}\u{9f}\n", 5, "U+009F"),
        ("a: \u{fffe}\n", 3, "U+FFFE"),
        ("a: é\x7f\n", 5, "U+007F"),
    ] {
        let e = yaml::parse(text).expect_err(text);
        assert_eq!(
            (e.kind, e.span.start),
            (yaml::ErrorKind::Unprintable, at),
            "{text:?}"
        );
        assert!(
            e.message.starts_with(&format!("the character {ch} ")),
            "{}",
            e.message
        );
        assert!(yaml::parse_to_json(text).is_err(), "{text:?}");
    }
    // Tab, line breaks, U+0085 and any printable character past a 64-byte stretch.
    let long = format!(
        "a: \"{}\\t\"\r\nb: \"\u{85}\t{}\u{fffd}\"\n",
        "x".repeat(70),
        "é".repeat(40)
    );
    assert!(yaml::parse(&long).is_ok(), "{long:?}");
    let repo = TestRepo::base();
    repo.write(
        "groups/default-group/group.yaml",
        "name: Default Group\ndescription: tab\x08\n",
    );
    let out = run_env(repo.path(), &["validate"], &[]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.starts_with(
            "error[yaml-syntax]: the character U+0008 is not allowed in a YAML file (it is a control character or not a character)\n --> groups/default-group/group.yaml:2:17\n"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "help: remove it; in a double-quoted value, write it as an escape instead (`\\u0002`)"
        ),
        "{}",
        out.stdout
    );
}

/// Found by `rewrite`: in a file saved with a byte order mark (as some Windows editors
/// do), the mark counted as indentation of the first line, so a new top-level key was
/// indented by three and the file no longer parsed. The mark now stays where it is.
#[test]
fn a_byte_order_mark_is_not_indentation() {
    let text = "\u{feff}name: Default Group\n";
    assert_eq!(
        edit(text, |d| d["description"] = json!("x")).as_deref(),
        Ok("\u{feff}name: Default Group\ndescription: x\n")
    );
    assert_eq!(
        edit("\u{feff}a: 1\nb: 2\n", |d| {
            d.as_object_mut().expect("map").shift_remove("a");
        })
        .as_deref(),
        Ok("\u{feff}b: 2\n")
    );
}

/// Found by `rewrite`: a tag the reader does not support was refused on a scalar but
/// ignored on a mapping or list, so such a file loaded, and an edit that emptied it left
/// the tag on nothing. Such tags are now refused wherever they are, as a located finding.
#[test]
fn an_unsupported_tag_on_a_mapping_is_refused_like_one_on_a_scalar() {
    for text in [
        "!custom\na: 1\n",
        "a: !custom [1]\n",
        "a: !custom\n  b: 1\n",
    ] {
        let e = yaml::parse(text).expect_err("refused");
        assert_eq!(e.kind, yaml::ErrorKind::Unsupported, "{text}");
        assert!(
            e.message.contains("`!custom` is not supported"),
            "{}",
            e.message
        );
    }
    assert!(yaml::parse("a: !!map\n  b: !!seq [1]\n").is_ok());
    let repo = TestRepo::base();
    repo.write(
        "groups/default-group/group.yaml",
        "name: Default Group\nowner: !person\n  email: a@example.com\n",
    );
    let out = run_env(repo.path(), &["validate"], &[]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.starts_with(
            "error[yaml-unsupported]: the YAML tag `!person` is not supported; remove it\n --> groups/default-group/group.yaml:2:"
        ),
        "{}",
        out.stdout
    );
}

/// Found by `rewrite`: layouts the rewriter misreads (a flow mapping whose plain key
/// holds `:` and `#`; an empty `|` block followed by a line of blanks) made two edits
/// overlap, and applying them panicked (slice index out of order or out of range).
/// Overlapping edits are now refused; since the third pass these layouts are read
/// right, and the edits are made.
#[test]
fn overlapping_edits_are_refused_not_a_panic() {
    for (text, intended) in [
        (
            "# yaml-language-ser\n     # legal has the draft\n    assigned_to: dave@example.com\n    action: { p:tirrioy mediu#, notes: Draft the policy by Q3. }\n\n ",
            r#"{"assigned_to":"dave@example.com","action":{"p:tirrioy mediu#":[{"~0o172019-04-02reviewed yea":null,"1.5#...":9.23779771e-315,"":null},null],"notes":"Draft the policy by Q3."}}"#,
        ),
        (
            "service: office-365\ncontrols:\n    AC-1:\n        status: planned\n        implementation: |\n         \n        assigned_to: dave@exuses with evesting\n",
            r#"{"service":"office-365","controls":{"AC-1":{"%%":{"%%":"%%","%":null,"":null},"":null}}}"#,
        ),
    ] {
        yaml::parse(text).expect("valid YAML");
        let doc: serde_json::Value = serde_json::from_str(intended).expect("JSON");
        match rewrite(text, &doc) {
            Err(e) => assert!(e.to_string().contains("overlap"), "{e}"),
            Ok(out) => assert_eq!(
                normalised(&yaml::parse_to_json(&out).expect("the rewrite parses")),
                normalised(&doc),
                "{out}"
            ),
        }
    }
}

/// Found by `rewrite`: a new key longer than YAML allows for a key written without `? `
/// (1,024 characters) made a file that did not parse; such an edit is now refused.
#[test]
fn a_key_longer_than_yaml_allows_is_refused() {
    let refused = edit("a: 1\n", |d| d["x".repeat(1100)] = json!(2)).expect_err("refused");
    assert_eq!(
        refused,
        "cannot edit this file in place: the key `xxxxxxxxxxxxxxxxxxxx…` is too long for YAML (more than 1,000 characters)"
    );
    let long = "y".repeat(990);
    let out = edit("a: 1\n", |d| d["a"] = json!({ long.clone(): [{ "b": 1 }] }));
    assert_eq!(out, Ok(format!("a:\n  {long}:\n    - b: 1\n")));
}

/// Found by `rewrite`: a mapping written into a flow list (`[a, b]`) had its keys
/// written plain even when they held a `,`, which ends a key there; such keys (and
/// values) are now quoted.
#[test]
fn a_comma_in_a_key_inside_a_flow_collection_is_quoted() {
    let text = "related:\n  - [gdpr:6.10.1.2, nist-800-53-r5:SC-13]\n";
    assert_eq!(
        edit(text, |d| d["related"][0][1] =
            json!({ "x, y": "a,b", "[z]": 1 }))
        .as_deref(),
        Ok("related:\n  - [gdpr:6.10.1.2, {\"x, y\": \"a,b\", \"[z]\": 1}]\n")
    );
    let text = "action: { priority: high }\n";
    assert_eq!(
        edit(text, |d| d["action"]["a,b"] = json!("c")).as_deref(),
        Ok("action: { priority: high, \"a,b\": c }\n")
    );
}

/// Found by `rewrite`: an alias (`*name`) is read as a copy of its anchor's value, span
/// included, so editing it wrote the new value in the wrong place ("b: 2 *x"), editing
/// an anchored value dropped the anchor its aliases need, and editing inside an
/// anchored mapping changed its aliases too. These edits are now refused with a reason;
/// edits elsewhere in such a file still work.
#[test]
fn edits_that_touch_an_alias_or_its_anchor_are_refused() {
    let scalar = "a: &x 1\nb: *x\nc: 1\n";
    let refused = edit(scalar, |d| d["b"] = json!(2)).expect_err("refused");
    assert!(
        refused.contains("`b` is or holds a YAML alias"),
        "{refused}"
    );
    let refused = edit(scalar, |d| d["a"] = json!(2)).expect_err("refused");
    assert!(refused.contains("has a YAML anchor"), "{refused}");
    assert_eq!(
        edit(scalar, |d| d["c"] = json!(2)).as_deref(),
        Ok("a: &x 1\nb: *x\nc: 2\n")
    );

    let mapping = "a: &x\n  c: 1\nb: *x\n";
    for f in [
        (|d: &mut serde_json::Value| d["b"]["c"] = json!(2)) as fn(&mut serde_json::Value),
        |d| d["b"]["d"] = json!(2),
        |d| d["a"]["c"] = json!(2),
        |d| d["a"]["d"] = json!(2),
    ] {
        let refused = edit(mapping, f).expect_err("refused");
        assert!(refused.contains("YAML a"), "{refused}");
    }

    // A list holding aliases, replaced or followed by a new key.
    let lists = "a: &a [1, 2]\nb:\n  - *a\n  - *a\nc: 1\n";
    for f in [
        (|d: &mut serde_json::Value| d["b"][1][0] = json!(3)) as fn(&mut serde_json::Value),
        |d| d["b"] = json!([]),
        |d| d["a"] = json!(1),
    ] {
        let refused = edit(lists, f).expect_err("refused");
        assert!(refused.contains("YAML a"), "{refused}");
    }
    assert_eq!(
        edit(lists, |d| d["c"] = json!(2)).as_deref(),
        Ok("a: &a [1, 2]\nb:\n  - *a\n  - *a\nc: 2\n")
    );

    let list = "l:\n  - &x 1\n  - *x\n  - 3\n";
    let refused = edit(list, |d| {
        d["l"].as_array_mut().expect("list").remove(1);
    })
    .expect_err("refused");
    assert!(refused.contains("YAML a"), "{refused}");
}

/// The alias case through the CLI: `assign` on a control whose `assigned_to` is an alias
/// says why it cannot, and writes nothing; an edit elsewhere in the file still works.
#[test]
fn assign_refuses_to_rewrite_an_alias() {
    let repo = TestRepo::base();
    let path = "groups/default-group/office-365--gdpr.yaml";
    let text = repo
        .read(path)
        .replace(
            "    assigned_to: bob@example.com\n",
            "    assigned_to: &owner bob@example.com\n",
        )
        .replace(
            "    assigned_to: dave@example.com\n",
            "    assigned_to: *owner\n",
        );
    assert!(text.contains("*owner"), "{text}");
    repo.write(path, &text);
    let gdpr = "default-group/office-365--gdpr";
    let out = run_env(
        repo.path(),
        &[
            "--as",
            "alice@example.com",
            "assign",
            gdpr,
            "6.2.1.1",
            "--to",
            "carol@example.com",
        ],
        &[],
    );
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("`assigned_to` is or holds a YAML alias (`*name`); write its value out"),
        "{}",
        out.stderr
    );
    // A layout the editor refuses is no internal error.
    assert!(
        out.stderr.contains("; nothing was written"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("internal error"), "{}", out.stderr);
    assert_eq!(repo.read(path), text);

    let out = run_env(
        repo.path(),
        &[
            "--as",
            "alice@example.com",
            "control",
            "set",
            gdpr,
            "6.2.1.1",
            "--status",
            "implemented",
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(
        repo.read(path),
        text.replacen("    status: planned\n", "    status: implemented\n", 1)
    );
}

/// Every input under `fuzz/regressions/rewrite/`, replayed through `rewrite`. The
/// target reads the document to write from the control bytes after the text (with
/// `arbitrary`); `fuzz/regressions/rewrite.json` holds that document for each input, as
/// `ASSURE_FUZZ_SHOW=1` prints it, and the refusal where refusing is the right answer
/// (`not_yaml`: the text itself is now rejected by the parser).
#[test]
fn every_rewrite_regression_reads_back_as_intended() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/rewrite");
    let cases: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(dir.with_extension("json")).expect("rewrite.json"),
    )
    .expect("JSON");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("the regressions folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        cases.keys().cloned().collect::<Vec<_>>(),
        "every input has an expectation in rewrite.json, and only those"
    );
    for (name, case) in &cases {
        let bytes = std::fs::read(dir.join(name)).expect("the input");
        let split = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        let text = std::str::from_utf8(&bytes[..split]).expect("UTF-8 text");
        if case["not_yaml"] == json!(true) {
            assert!(yaml::parse(text).is_err(), "{name}: parses");
            continue;
        }
        yaml::parse(text).expect("valid YAML");
        let intended = &case["intended"];
        match rewrite(text, intended) {
            Ok(out) => {
                assert!(case.get("refused").is_none(), "{name}: not refused:\n{out}");
                let back = yaml::parse_to_json(&out).unwrap_or_else(|e| {
                    panic!("{name}: the rewrite does not parse ({e:?}):\n{out}")
                });
                assert_eq!(normalised(&back), normalised(intended), "{name}:\n{out}");
            }
            Err(e) => assert_eq!(
                case.get("refused").and_then(|r| r.as_str()),
                Some(e.to_string().as_str()),
                "{name}: refused"
            ),
        }
    }
}

/// Found by `rewrite` (`key-like-a-document-end-marker`): a new key starting with `...`
/// or `---` was written plain, and at the start of a line those end or start a document,
/// so the file no longer parsed. Such strings are now quoted.
#[test]
fn a_key_like_a_document_marker_is_quoted() {
    assert_eq!(
        edit("a: 1\n", |d| {
            d["... x"] = json!(2);
            d["--- y"] = json!("... z");
        })
        .as_deref(),
        Ok("a: 1\n\"... x\": 2\n\"--- y\": \"... z\"\n")
    );
    assert_eq!(
        edit("", |d| *d = json!({ "...": 1 })).as_deref(),
        Ok("\"...\": 1\n")
    );
}

/// Found by `rewrite` (`empty-block-scalar-before-a-key`, `empty-block-scalar-removed`,
/// `empty-block-scalar-at-the-end`, `block-header-with-a-comment`): a `|` or `>` block
/// with no text has a span that starts at what follows it, often the next key, so
/// replacing it joined the next key to its line and removing it took the next entry
/// too; and a comment after a header kept the header. An empty block now ends at its
/// header, a comment after a header stays after the new value, and a `|+` block keeps
/// the blank lines that are its text.
#[test]
fn an_empty_block_scalar_ends_at_its_header() {
    assert_eq!(
        edit("a: |\nb: 1\n", |d| d["a"] = json!("x")).as_deref(),
        Ok("a: x\nb: 1\n")
    );
    assert_eq!(
        edit("a: >\n: 1\n", |d| d["a"] = json!(null)).as_deref(),
        Ok("a: \n: 1\n")
    );
    assert_eq!(
        edit("a: |\nb: 1\n", |d| {
            d.as_object_mut().expect("map").shift_remove("a");
        })
        .as_deref(),
        Ok("b: 1\n")
    );
    assert_eq!(
        edit("a: |+\nb: 1\n", |d| d["a"] = json!("x")).as_deref(),
        Ok("a: x\nb: 1\n")
    );
    assert_eq!(
        edit("a: > # why\n  old\n", |d| d["a"] = json!("new")).as_deref(),
        Ok("a: new  # why\n")
    );
    assert_eq!(
        edit("a: > # why\n  old\n", |d| d["a"] = json!("one\ntwo")).as_deref(),
        Ok("a: |-  # why\n  one\n  two\n")
    );
    // Blank lines after a `|+` block are its text: a new key goes after them.
    assert_eq!(
        edit("a: |+\n  x\n\nb: 1\n\nc: 1\n", |d| {
            *d = json!({ "a": "x\n\n", "m": 2, "b": 1, "c": 1 });
        })
        .as_deref(),
        Ok("a: |+\n  x\n\nm: 2\nb: 1\n\nc: 1\n")
    );
}

/// Found by `rewrite` (`flow-mapping-key-without-a-value`,
/// `flow-mapping-with-a-trailing-comma`, `anchored-flow-mapping`): in a flow mapping a
/// key without a value (`{a, b}`) has its empty value placed at the `,` or `}` after it,
/// so removing the last key took the `}`; a trailing comma (`{a,}`) left the `}` out of
/// the mapping's span, a comment after it was taken in; and an anchored flow mapping
/// (`&x {…}`) was taken for a block one. Flow mappings now end at their bracket.
#[test]
fn flow_mappings_end_at_their_bracket() {
    assert_eq!(
        edit("a: {x, y}\n", |d| d["a"]["x"] = json!(1)).as_deref(),
        Ok("a: {x: 1, y}\n")
    );
    assert_eq!(
        edit("a: {x, y}\n", |d| {
            d["a"].as_object_mut().expect("map").shift_remove("y");
        })
        .as_deref(),
        Ok("a: {x}\n")
    );
    assert_eq!(
        edit("a: {x: 1,}\nb: 2\n", |d| d["a"]["z"] = json!(3)).as_deref(),
        Ok("a: {x: 1, z: 3,}\nb: 2\n")
    );
    assert_eq!(
        edit("a: {x: 1,}\nb: 2\n", |d| d["a"] = json!(null)).as_deref(),
        Ok("a: \nb: 2\n")
    );
    assert_eq!(
        edit("a: {x: \"}\"} # note\n", |d| d["a"]["z"] = json!(1)).as_deref(),
        Ok("a: {x: \"}\", z: 1} # note\n")
    );
    assert_eq!(
        edit("a: {} # note\n", |d| d["a"] = json!({ "c": 1 })).as_deref(),
        Ok("a: # note\n  c: 1\n")
    );
    assert_eq!(
        edit("&x {a: 1}", |d| d["b"] = json!(3)).as_deref(),
        Ok("&x {a: 1, b: 3}")
    );
}

/// Found by `rewrite` (`key-added-after-an-explicit-key`,
/// `key-added-after-an-empty-explicit-key`, `explicit-empty-key-set`,
/// `explicit-key-in-a-compact-mapping`): with explicit keys (`? key`, the value on a
/// `: ` line or none) the mapping's indentation was taken from the key, not the `?`, the
/// value from the next `:` in the file, and an empty key is placed after the `?`'s line.
/// An explicit entry that changes is now written anew as `key: value`; keys are added
/// after it at the `?`'s indentation.
#[test]
fn explicit_keys_are_followed_and_rewritten_plain() {
    let text = "? a\n: 1\n? b\nc: 3\n";
    assert_eq!(
        edit(text, |d| d["a"] = json!(2)).as_deref(),
        Ok("a: 2\n? b\nc: 3\n")
    );
    assert_eq!(
        edit(text, |d| d["b"] = json!("x")).as_deref(),
        Ok("? a\n: 1\nb: x\nc: 3\n")
    );
    assert_eq!(
        edit(text, |d| *d = json!({ "a": 1, "b": null, "m": 0, "c": 3 })).as_deref(),
        Ok("? a\n: 1\n? b\nm: 0\nc: 3\n")
    );
    assert_eq!(
        edit("top:\n  ? a\n  ? b\n", |d| d["top"]["c"] = json!(1)).as_deref(),
        Ok("top:\n  ? a\n  ? b\n  c: 1\n")
    );
    assert_eq!(
        edit("?\nm: 1\n", |d| d[""] = json!("x")).as_deref(),
        Ok("\"\": x\nm: 1\n")
    );
}

/// Found by `rewrite` (`blank-line-after-a-new-block`, `tab-after-an-expanded-key`,
/// `comment-after-a-re-rendered-entry`, `comment-after-a-removed-first-key`): text
/// written as a `|` block took what followed it for more of its text: a line of blanks,
/// a blank or tab left after the `:` it replaced, or a comment as deep as the block. A
/// block is now written only where the next line is not blank and not deeper than its
/// key (otherwise the text is quoted), and blanks after a replaced value go with it.
#[test]
fn text_after_a_new_block_never_becomes_its_text() {
    assert_eq!(
        edit("a:\n  \nb: 1\n", |d| d["a"] = json!("x\ny")).as_deref(),
        Ok("a: \"x\\ny\"\n  \nb: 1\n")
    );
    assert_eq!(
        edit("a: 1\n  # note\n", |d| d["b"] = json!("x\ny")).as_deref(),
        Ok("a: 1\nb: \"x\\ny\"\n  # note\n")
    );
    assert_eq!(
        edit("a:\t\nb: 1\n", |d| d["a"] = json!({ "c": "x\ny" })).as_deref(),
        Ok("a:\n  c: |-\n    x\n    y\nb: 1\n")
    );
    assert_eq!(
        edit("a:\n  b: 1\n  # note\n", |d| d["a"] = json!("x\ny")).as_deref(),
        Ok("a: \"x\\ny\"\n  # note\n")
    );
}

/// Found by `rewrite` (`empty-key-with-an-anchor`, `empty-key-with-a-tag`): an empty key
/// with an anchor or tag (`&a : 1`) was re-rendered as `&a:`, which is an anchor named
/// `a:`; the blank before the `:` now stays.
#[test]
fn an_empty_key_with_an_anchor_keeps_its_blank() {
    assert_eq!(
        edit("&a : 1\n", |d| d[""] = json!([1])).as_deref(),
        Ok("&a :\n  - 1\n")
    );
    assert_eq!(
        edit("!!str : 1\n", |d| d[""] = json!({ "x": 1 })).as_deref(),
        Ok("!!str :\n  x: 1\n")
    );
}

/// Found by `rewrite` (`tagged-mapping-emptied`, `tagged-mapping-keeps-a-key`): a
/// tagged mapping whose keys were all removed left its tag on nothing (`key: !!map`,
/// which is no mapping); such a mapping is now re-rendered whole, unless a key it has
/// stays (with an empty value: `b: {}`), which keeps the lines before it as they are.
#[test]
fn a_tagged_mapping_emptied_is_rewritten_whole() {
    assert_eq!(
        edit("a: !!map\n  b: 1\n", |d| d["a"] = json!({ "c": null })).as_deref(),
        Ok("a:\n  c: \n")
    );
    assert_eq!(
        edit("a: !!map\n  b: 1\n", |d| d["a"]["b"] = json!({})).as_deref(),
        Ok("a: !!map\n  b: {}\n")
    );
    assert_eq!(
        edit("a: !!map\n  b: 1\n", |d| d["a"]["b"] = json!(2)).as_deref(),
        Ok("a: !!map\n  b: 2\n")
    );
}

/// Found by `rewrite` (`str-tag-on-a-mapping`, `int-tag-on-a-block`): the reader took a
/// core schema tag on a value of another type as nothing (`!!str` on a mapping, `!!int`
/// on a `|` block), so a mapping tagged `!!str` emptied by an edit read back as `""`,
/// and a tagged block's text changed when a key was added after it. A tag that names a
/// type now has to be the value's type, or the file is refused, located, with the way
/// out; the tags that fit still read as before.
#[test]
fn a_tag_naming_another_type_is_refused() {
    for (text, tag) in [
        ("!!str\na: 1\n", "!!str"),
        ("a: !!str [1]\n", "!!str"),
        ("a: !!seq\n  b: 1\n", "!!seq"),
        ("a: !!map [1]\n", "!!map"),
        ("a: !!map x\n", "!!map"),
        ("a: !!map\n", "!!map"),
        ("a: !!int abc\n", "!!int"),
        ("a: !!int \"3\"\n", "!!int"),
        ("a: !!int |+\n  3\n", "!!int"),
        ("a: !!float 1.5x\n", "!!float"),
        ("a: !!bool yes\n", "!!bool"),
        ("a: !!null 0\n", "!!null"),
    ] {
        let e = yaml::parse(text).expect_err(text);
        assert_eq!(e.kind, yaml::ErrorKind::Unsupported, "{text}");
        assert!(
            e.message
                .starts_with(&format!("the YAML tag `{tag}` says this value is "))
                && e.message.ends_with("and it is not; remove the tag"),
            "{text}: {}",
            e.message
        );
    }
    for (text, value) in [
        ("a: !!str 3\n", json!({ "a": "3" })),
        ("a: !!str\n", json!({ "a": "" })),
        ("a: !!int 3\n", json!({ "a": 3 })),
        ("a: !!float 3\n", json!({ "a": 3.0 })),
        ("a: !!float -1.5e3\n", json!({ "a": -1500.0 })),
        ("a: !!bool false\n", json!({ "a": false })),
        ("a: !!null\n", json!({ "a": null })),
        ("a: !!null ~\n", json!({ "a": null })),
        ("!!map\na: !!seq [!!str x]\n", json!({ "a": ["x"] })),
    ] {
        assert_eq!(yaml::parse_to_json(text).expect(text), value, "{text}");
    }
    let repo = TestRepo::base();
    repo.write(
        "groups/default-group/group.yaml",
        "name: Default Group\nowner: !!str\n  email: a@example.com\n",
    );
    let out = run_env(repo.path(), &["validate"], &[]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.starts_with(
            "error[yaml-unsupported]: the YAML tag `!!str` says this value is a single value (text), and it is not; remove the tag\n --> groups/default-group/group.yaml:2:8"
        ),
        "{}",
        out.stdout
    );
}

/// Found by `rewrite` (`list-as-deep-as-its-key-of-flow-lists`): a block list as deep
/// as its key (`key:\n- [a, b]`, common in mapping files) starts where its first item
/// does, so one whose first item is a flow list was taken for a flow list itself.
#[test]
fn a_list_as_deep_as_its_key_starting_with_a_flow_list_is_a_block_list() {
    let text = "related:\n- [a, b]\n- x\nname: n\n";
    assert_eq!(
        edit(text, |d| d["related"]
            .as_array_mut()
            .expect("list")
            .push(json!("z")))
        .as_deref(),
        Ok("related:\n- [a, b]\n- x\n- z\nname: n\n")
    );
    assert_eq!(
        edit(text, |d| {
            d["related"].as_array_mut().expect("list").pop();
        })
        .as_deref(),
        Ok("related:\n- [a, b]\nname: n\n")
    );
    assert_eq!(
        edit(text, |d| d["related"] = json!(null)).as_deref(),
        Ok("related: \nname: n\n")
    );
}

/// Found by `rewrite` (`blank-last-line-after-a-block`): the parser reads a last line
/// of blanks without a line break after a `|` block as one more line of its text (a
/// `\n` more than YAML says), so anything added after it changes that text. Such an
/// edit is refused with the way out.
#[test]
fn a_key_after_a_block_ending_in_an_unfinished_blank_line_is_refused() {
    let refused = edit("a: 1\nb: |\n  x\n  ", |d| d["c"] = json!(1)).expect_err("refused");
    assert!(refused.contains("remove those blanks first"), "{refused}");
    // Found in the fifth pass (`empty-keep-block-ending-in-blanks`): a `|+` block with
    // no text, whose span starts at its header, was not seen as a block at all.
    let refused = edit("a:\n  b: |+\n   ", |d| d["a"]["c"] = json!(1)).expect_err("refused");
    assert!(refused.contains("remove those blanks first"), "{refused}");
    assert_eq!(
        edit("a: 1\nb: |\n  x\n  ", |d| d["a"] = json!(2)).as_deref(),
        Ok("a: 2\nb: |\n  x\n  ")
    );
}

/// Found by `rewrite` in its third pass (`empty-explicit-keys-on-consecutive-lines`):
/// the parser gives an empty explicit key and its empty value the same span, lines
/// away, which the alias check took for "the value lies before its key", so the edit
/// was refused for an alias in a file without one. An alias's copy must now lie wholly
/// before its key; a key the editor cannot place (over several lines, or without its
/// `:`) is refused for that reason.
#[test]
fn a_key_the_editor_cannot_place_is_refused_for_that_reason() {
    // (The input had form feeds where `xx` is, which the reader now refuses.)
    let refused = edit("?\n?\n \n xx", |d| d[""] = json!({ "a": 1 })).expect_err("refused");
    assert!(
        refused.contains("is laid out in a way this editor does not follow"),
        "{refused}"
    );
    // An alias of an empty value is still an alias.
    let refused = edit("a: &x\nb: *x\nc: 1\n", |d| d["b"] = json!(2)).expect_err("refused");
    assert!(
        refused.contains("`b` is or holds a YAML alias"),
        "{refused}"
    );
}

/// Found by `rewrite` in its third pass (`anchor-on-an-empty-value`,
/// `anchor-on-an-empty-value-lines-later`, `empty-flow-key-with-an-anchor`): an anchor
/// on an empty value (`key: &a`, no alias uses it) was left after the new value
/// (`key: 1 &a`), and a value given to an empty flow key with an anchor made `{&a: 1}`,
/// an anchor named `a:`. The anchor now goes with the value it was on; the flow key
/// keeps a blank before its `:`.
#[test]
fn an_anchor_on_an_empty_value_goes_with_it() {
    assert_eq!(
        edit("a: &x\nb: 1\n", |d| d["a"] = json!(2)).as_deref(),
        Ok("a: 2\nb: 1\n")
    );
    assert_eq!(
        edit("a: &x  # why\nb: 1\n", |d| d["a"] = json!("c")).as_deref(),
        Ok("a: c  # why\nb: 1\n")
    );
    assert_eq!(
        edit("a:\n  &x\nb: 1\n", |d| d["a"] = json!(2)).as_deref(),
        Ok("a: 2\nb: 1\n")
    );
    assert_eq!(
        edit("{&a , b: 1}", |d| d[""] = json!(1)).as_deref(),
        Ok("{&a : 1 , b: 1}")
    );
}

/// Found by `rewrite` in its third pass (`flow-item-ending-in-a-dash`): a string ending
/// in ` -` written plain in a flow list (`[a -, b]`) does not parse (the parser takes
/// the `-` for the start of a scalar); it is now quoted there.
#[test]
fn a_flow_item_ending_in_a_dash_is_quoted() {
    assert_eq!(
        edit("l: [a]\n", |d| d["l"] = json!(["x -", "y-", "z - w"])).as_deref(),
        Ok("l: [\"x -\", y-, z - w]\n")
    );
}

/// Found by `rewrite` in its third pass (`byte-order-mark-starting-a-later-line`): a
/// byte order mark at the start of a later line (which the parser skips, as at the
/// start of the file) counted as three columns of indentation, so new keys were
/// indented by three and the file no longer parsed.
#[test]
fn a_byte_order_mark_on_a_later_line_is_not_indentation() {
    assert_eq!(
        edit("# notes\n\u{feff}a: 1\nb:\n- 2\n", |d| d["c"] =
            json!({ "d": 3 }))
        .as_deref(),
        Ok("# notes\n\u{feff}a: 1\nb:\n- 2\nc:\n  d: 3\n")
    );
}

/// Found by `rewrite` in its third pass (`colon-starting-the-next-key`): the `:` of an
/// explicit key's value was looked for past blank and comment lines, and the first `:`
/// of a next key starting with one (`::b`) was taken for it. A value indicator is now a `:`
/// followed by a blank, the end, or a flow indicator (or right after a quoted key).
#[test]
fn a_key_starting_with_a_colon_is_not_a_value_indicator() {
    assert_eq!(
        edit("? a\n::b: 1\n", |d| d["a"] = json!("x")).as_deref(),
        Ok("a: x\n::b: 1\n")
    );
    assert_eq!(
        edit("{\"a\":1}", |d| d["a"] = json!(2)).as_deref(),
        Ok("{\"a\": 2}")
    );
}

/// Found by `rewrite` in its third pass (`flow-mapping-continued-at-its-key-indentation`):
/// a flow mapping that continues on a line indented no deeper than its key (which the
/// parser lets pass) got a new key on that line, which the parser does not. Edits
/// inside such a mapping are refused; replacing it whole still works.
#[test]
fn a_flow_mapping_continued_at_its_key_indentation_is_refused() {
    // The key `c d` runs over two lines.
    let text = "a:\n  b: { c\n  d }\n";
    let refused = edit(text, |d| d["a"]["b"]["e"] = json!(3)).expect_err("refused");
    assert!(
        refused.contains("indented no deeper than its key"),
        "{refused}"
    );
    assert_eq!(
        edit(text, |d| d["a"]["b"] = json!("x")).as_deref(),
        Ok("a:\n  b: x\n")
    );
}

/// Found by `rewrite` in its third pass (`empty-keep-block-before-an-indented-key`): the
/// span of an empty `|+` block ran on over the indentation of the next key's line, so
/// replacing the block took that line break with it.
#[test]
fn an_empty_keep_block_ends_before_the_next_line() {
    assert_eq!(
        edit("a:\n  b: |+\n  c: 1\n", |d| d["a"]["b"] = json!(null)).as_deref(),
        Ok("a:\n  b: \n  c: 1\n")
    );
}

/// Found by `rewrite` in its third pass (`explicit-key-lines-after-its-question-mark`,
/// `explicit-key-value-at-the-parent-indentation`): an explicit key may follow its `?`
/// after blank and comment lines, and was then taken for a plain key (a new key went at
/// its indentation); and a `:` on a later line was taken for an explicit key's value
/// indicator at any depth, here an empty key of the parent mapping, which a removal
/// then took with it. The `?` is now found on earlier lines, and its `:` must be as deep.
/// (`empty-key-after-a-deeper-explicit-key`: the parser places a `?` key without a
/// value at the next token, and when that is an empty key `:` less deep, both keys have
/// the same place and cannot be told apart: such a file is refused.)
#[test]
fn an_explicit_key_is_found_lines_after_its_question_mark() {
    let text = "? # c\n\n  k\n: 1\nb: 2\n";
    assert_eq!(
        edit(text, |d| *d = json!({ "k": 1, "c": 3, "b": 2 })).as_deref(),
        Ok("? # c\n\n  k\n: 1\nc: 3\nb: 2\n")
    );
    assert_eq!(
        edit(text, |d| d["k"] = json!(5)).as_deref(),
        Ok("k: 5\nb: 2\n")
    );
    let text = "a:\n ?\n: x\n";
    let refused = edit(text, |d| {
        d.as_object_mut().expect("map").shift_remove("a");
    })
    .expect_err("refused");
    assert!(refused.contains("cannot be told apart"), "{refused}");
}

/// Found by `rewrite` in its third pass (`folded-block-ending-in-deeper-blank-lines`):
/// blank lines after a block's text that are deeper than its indentation are more of
/// its text (one blank each), but the end of the block was found by dropping all
/// trailing white space, so a key added after it cut them off.
#[test]
fn blank_lines_deeper_than_a_block_stay_its_text() {
    let text = "a: |-\n  x\n   \n\nb: 1\n";
    assert_eq!(
        yaml::parse_to_json(text).expect("valid")["a"],
        json!("x\n ")
    );
    assert_eq!(
        edit(text, |d| *d = json!({ "a": "x\n ", "c": 2, "b": 1 })).as_deref(),
        Ok("a: |-\n  x\n   \n\nc: 2\n\nb: 1\n")
    );
}

/// Found by `rewrite` in its third pass (`two-byte-order-marks`): only one byte order
/// mark at the start of a line was skipped, so with two the first key's indentation
/// was three and new keys went one level too deep.
#[test]
fn every_byte_order_mark_starting_a_line_is_skipped() {
    assert_eq!(
        edit("\u{feff}\u{feff}a: 1\n", |d| d["b"] = json!(2)).as_deref(),
        Ok("\u{feff}\u{feff}a: 1\nb: 2\n")
    );
}

/// Found by `rewrite` in its fifth pass (`alias-as-a-key`, `alias-as-a-key-in-a-list`): a
/// key that is an alias (`*a : 1`) has its anchor's text and position, so removing the
/// anchored node left the alias without its anchor. A key is now written out, or the
/// file is refused, located at the alias.
#[test]
fn an_alias_as_a_key_is_refused() {
    let e = yaml::parse("a: &k x\n*k : 1\n").expect_err("refused");
    assert_eq!((e.kind, e.span), (yaml::ErrorKind::Unsupported, 8..10));
    assert!(
        e.message.contains("not an alias (`*name`)"),
        "{}",
        e.message
    );
    // As a value an alias still reads as its anchor's value.
    assert_eq!(
        yaml::parse_to_json("a: &k x\nb: *k\n").expect("valid"),
        json!({ "a": "x", "b": "x" })
    );
}

/// Found by `rewrite` in its fifth pass (`tagged-document-emptied`): removing every key
/// of a document tagged `!!map` left the tag on nothing, which is no mapping; the tag
/// now goes with the last key.
#[test]
fn a_tagged_document_emptied_loses_its_tag() {
    // (An empty document reads as nothing, which the editor's callers take for `{}`.)
    let text = "!!map\na: 1\n";
    let out = rewrite(text, &json!({})).expect("edited");
    assert_eq!(out, "\n");
    assert_eq!(yaml::parse_to_json(&out).expect("valid"), json!(null));
    assert_eq!(
        edit("!!map\na: 1\n", |d| d["b"] = json!(2)).as_deref(),
        Ok("!!map\na: 1\nb: 2\n")
    );
}

/// Found by `rewrite` in its fifth pass (`quote-inside-a-plain-flow-item`): a `"` inside
/// a plain item of a flow list (`[a"b]`) was taken for the start of a quoted string, so
/// the list's end was looked for lines later and the keys between were dropped. A quote
/// now opens a string only where an item, key or value starts.
#[test]
fn a_quote_inside_a_plain_flow_item_is_plain_text() {
    let text = "a: [x\"y, {k: v}]\nb: \"z\"\n";
    assert_eq!(
        edit(text, |d| d["a"][1]["l"] = json!(1)).as_deref(),
        Ok("a: [x\"y, {k: v, l: 1}]\nb: \"z\"\n")
    );
    assert_eq!(
        edit("a: [\"x]\", 'y'']', &n \"]\"]\nb: 1\n", |d| d["a"][0] =
            json!("w"))
        .as_deref(),
        Ok("a: [w, \"y']\", \"]\"]\nb: 1\n")
    );
}

/// Found by `rewrite` in its fifth pass (`delete-character-in-a-new-value`): a new value
/// holding DEL (U+007F) was written in quotes but unescaped, and YAML allows no such
/// character in a file; it is now written `\u007f`, as are C1 controls, U+FFFE and U+FFFF.
#[test]
fn characters_yaml_does_not_allow_are_escaped() {
    assert_eq!(
        edit("a: 1\n", |d| d["a"] = json!("x\u{7f}\u{85}\u{9f}\u{fffe}é")).as_deref(),
        Ok("a: \"x\\u007f\\u0085\\u009f\\ufffeé\"\n")
    );
    assert_eq!(
        edit("a: 1\n", |d| d["\u{1}"] = json!("\u{8}")).as_deref(),
        Ok("a: 1\n\"\\u0001\": \"\\u0008\"\n")
    );
}

/// Found by `rewrite` in its fifth pass (`removed-key-after-a-keep-block`): the blank
/// lines after a removed entry joined the `|+` block before it, whose text they then
/// were; they are now removed with the entry.
#[test]
fn blank_lines_after_a_removed_key_stay_out_of_a_keep_block() {
    let text = "a: |+\n  x\n\nb: >-\n  y\n\n\nc: 2\n";
    assert_eq!(
        edit(text, |d| {
            d.as_object_mut().expect("mapping").shift_remove("b");
        })
        .as_deref(),
        Ok("a: |+\n  x\n\nc: 2\n")
    );
    assert_eq!(
        edit("a: |+\n  x\nb: 1\n\n\n", |d| {
            d.as_object_mut().expect("mapping").shift_remove("b");
        })
        .as_deref(),
        Ok("a: |+\n  x\n")
    );
    // After a block that does not keep them, blank lines stay where they are.
    assert_eq!(
        edit("a: |\n  x\nb: 1\n\nc: 2\n", |d| {
            d.as_object_mut().expect("mapping").shift_remove("b");
        })
        .as_deref(),
        Ok("a: |\n  x\n\nc: 2\n")
    );
}

/// Found by `rewrite` in its fifth pass (`key-into-an-anchored-empty-flow-mapping`,
/// `key-over-lines-in-a-flow-mapping`): a key added to an empty flow mapping with an
/// anchor (`&q {}`) was written over the anchor; a key over several lines in a flow
/// mapping got its value after its last line. The first now goes between the brackets;
/// the second is refused, as in a block mapping.
#[test]
fn flow_mapping_keys_go_between_the_brackets_or_are_refused() {
    assert_eq!(
        edit("&q {}\n", |d| d["k"] = json!(1)).as_deref(),
        Ok("&q { k: 1 }\n")
    );
    assert_eq!(
        edit("!!map {  }  # c\n", |d| d["k"] = json!(1)).as_deref(),
        Ok("!!map { k: 1 }  # c\n")
    );
    let refused =
        edit("a: {x\n  y, b: 1}\n", |d| d["a"]["x y"] = json!(true)).expect_err("refused");
    assert!(
        refused.contains("the key `x y` is laid out in a way this editor does not follow"),
        "{refused}"
    );
}

/// Found by `rewrite` in its fifth pass (`explicit-key-in-a-flow-mapping`,
/// `anchored-empty-keep-block-at-the-end`): an explicit key in a flow mapping
/// (`{? , b}`) was given a second empty key; an empty `|+` block at the end of the file
/// after an anchor and a comment line was not seen as a block, so a key added after it
/// changed its text. The first is refused; the second is refused like any block ending
/// in an unfinished blank line.
#[test]
fn explicit_flow_keys_and_anchored_empty_blocks_are_refused() {
    let refused = edit("a: {? \n ,\n b, c}\n", |d| d["a"][""] = json!(true)).expect_err("refused");
    assert!(
        refused.contains("has an explicit key (`? key`)"),
        "{refused}"
    );
    // An explicit key in a string or after a plain scalar's start is no explicit key.
    assert_eq!(
        edit("a: {b?: 1, \"? c\": 2}\n", |d| d["a"]["b?"] = json!(3)).as_deref(),
        Ok("a: {b?: 3, \"? c\": 2}\n")
    );
    let refused = edit("b: 1\na: &x\n  # c\n  |+\n ", |d| d["c"] = json!(1)).expect_err("refused");
    assert!(refused.contains("remove those blanks first"), "{refused}");
}

/// Found by `rewrite` (sixth pass, `block-ending-in-a-blank-runs-over-the-next-indentation`):
/// the parser's span of a `|` block whose last line ends in a blank runs on over the
/// indentation of the line after it, so replacing the block joined the next key to its
/// line (`i: 5c: 1`).
#[test]
fn a_block_ending_in_a_blank_ends_before_the_next_line() {
    let out = edit("b:\n  i: |\n   x \n  c: 1\n", |d| d["b"]["i"] = json!(5)).expect("edits");
    assert_eq!(out, "b:\n  i: 5\n  c: 1\n");
    let out = edit(" n: |\n  : \n :", |d| d["n"] = json!(null)).expect("edits");
    assert_eq!(out, " n: \n :");
}

/// Found by `rewrite` (sixth pass, `blank-line-left-between-removed-keys`): a new value
/// was written as a `|` block where the line after it would be a line of blanks that the
/// removal of the keys around it left behind (a block's own blank lines, or those between
/// two keys), which then became the block's text. The lines after a removed block go with
/// it, and a block is written only if the line that stays after it cannot continue it.
#[test]
fn blank_lines_left_by_removed_keys_never_become_block_text() {
    let text = "controls:\n a: |\n         \n G: davee\n";
    let out = edit(text, |d| d["controls"] = json!({"k": "...\n   Q"})).expect("edits");
    assert_eq!(out, "controls:\n k: |-\n  ...\n     Q\n");
    let text = ":\n s:\n  :\n   \n G:";
    let out = edit(text, |d| d[""] = json!({"k": "|\n", "G": null})).expect("edits");
    // (Since the seventh pass the line of blanks goes with the removed key, so the block
    // can be written.)
    assert_eq!(out, ":\n k: |\n  |\n G:");
}

/// Found by `rewrite` (sixth pass, `next-line-character-*`): U+0085 (next line) is text
/// to YAML 1.2 and to the parser, but white space to Rust's `str::trim`, which the editor
/// used: a mapping whose first key starts with it and a `[` was taken for a flow mapping
/// (a new key went after its "bracket"), and an anchor followed by it for an anchor on
/// an empty value. The editor's white space is now YAML's (blanks and line breaks).
#[test]
fn a_next_line_character_is_text_not_white_space() {
    let out = edit("a:\n \u{85}[b: 1\n", |d| d["a"]["c"] = json!(2)).expect("edits");
    assert_eq!(out, "a:\n \u{85}[b: 1\n c: 2\n");
    let out = edit("3:\t&m\n \u{85}[:\n:", |d| d["3"] = json!(null)).expect("edits");
    assert_eq!(out, "3: \n:");
}

/// Found by `rewrite` (sixth pass, `flow-key-with-its-colon-on-the-next-line`): in a flow
/// mapping a key's `:` may follow on a later line (`{n\n:}`); the editor did not see it,
/// and a new value went after the key with a second `:`. Refused, with the reason.
#[test]
fn a_flow_key_with_its_colon_on_a_later_line_is_refused() {
    let refused = edit("{n\n:}", |d| d["n"] = json!(0)).expect_err("refused");
    assert!(
        refused.contains("the key `n` is laid out in a way"),
        "{refused}"
    );
    // A value already there is replaced where it is; a `:` on the key's line is followed.
    assert_eq!(
        edit("a: {n # c\n  : 1}\n", |d| d["a"]["n"] = json!(0)).as_deref(),
        Ok("a: {n # c\n  : 0}\n")
    );
    assert_eq!(
        edit("a: {n  : 1, m}\n", |d| d["a"]["n"] = json!(0)).as_deref(),
        Ok("a: {n  : 0, m}\n")
    );
}

/// Found by `rewrite` (sixth pass, `comment-after-a-removed-key-joins-a-block`): a comment
/// line deeper than the keys, after a removed key that follows a `>` or `|` block, became
/// that block's text. Such comment lines were the removed entry's, and go with it.
#[test]
fn comments_after_a_removed_key_never_become_block_text() {
    let out = edit(": >\nd: s\n #", |d| {
        d.as_object_mut().expect("map").remove("d");
    })
    .expect("edits");
    assert_eq!(out, ": >\n");
    let text = "a: |\n  text\nb: 1\n\n   # about b\nc: 2\n";
    let out = edit(text, |d| {
        d.as_object_mut().expect("map").remove("b");
    })
    .expect("edits");
    assert_eq!(out, "a: |\n  text\nc: 2\n");
}

/// Found by `rewrite` (seventh pass, `empty-block-key-before-the-next-key`): a key written
/// as a block scalar (`? |+`) is placed by the parser after its header's line (an empty
/// one at the next key), so the editor took the next key for it, and replacing the
/// mapping holding it took the next key away too. Such keys are refused, with the way out.
#[test]
fn a_key_written_as_a_block_scalar_is_refused() {
    let refused = edit(":\n\n ? |+\nb: 1\n", |d| d[""] = json!(null)).expect_err("refused");
    assert!(refused.contains("block scalar (`? |`)"), "{refused}");
    assert!(refused.contains("write it as `key:` by hand"), "{refused}");
    // A block value before a key is no block key.
    assert_eq!(
        edit("a: |\nb: 1\n", |d| d["b"] = json!(2)).as_deref(),
        Ok("a: |\nb: 2\n")
    );
}

/// Found by `rewrite` (seventh pass, `tab-line-left-after-a-removed-key`,
/// `blank-line-after-a-comment-after-a-removed-key-joins-a-keep-block`): lines of blanks
/// after a removed key stayed behind: one holding a tab, which the parser refuses after
/// an explicit key's `?`, and, after the deeper comment lines that went with the key, one
/// that joined a `|+` block before it. Every line of blanks after a removed key now goes
/// with it; the empty lines after the last of them stay (but after a `|+` block).
#[test]
fn lines_of_blanks_after_a_removed_key_go_with_it() {
    assert_eq!(
        edit("&a\n?\n:x: y\n\n\t\n\n# c", remove(":x")).as_deref(),
        Ok("&a\n?\n\n# c")
    );
    assert_eq!(
        edit(
            "r:\n :\n  N: |+\n\n \ned:\n :\n #c\n\n \n\n? # 1\n",
            remove("ed")
        )
        .as_deref(),
        Ok("r:\n :\n  N: |+\n\n \n? # 1\n")
    );
    assert_eq!(
        edit("a: 1\nb: 2\n  \n\nc: 3\n", remove("b")).as_deref(),
        Ok("a: 1\n\nc: 3\n")
    );
}

/// Removes a top-level key (for [`edit`]).
fn remove(key: &'static str) -> impl FnOnce(&mut serde_json::Value) {
    move |d| {
        d.as_object_mut().expect("a mapping").remove(key);
    }
}

/// Found by `rewrite` (seventh pass, `question-mark-inside-a-plain-flow-item`): a `? `
/// inside a plain scalar of a flow collection (`[a, b? 'c]`) was taken for an explicit
/// key's indicator, so the quote after it for the start of a quoted string, and the
/// collection's end was looked for after the next quote, lines later: removing the
/// collection took the keys after it.
#[test]
fn a_question_mark_inside_a_plain_flow_item_is_plain_text() {
    assert_eq!(
        edit(
            "related:\n  - [a, b? 'c, d]\nx:\n  d: e'f]\n",
            remove("related")
        )
        .as_deref(),
        Ok("x:\n  d: e'f]\n")
    );
    let refused = edit("a: {? b: 1}\n", |d| d["a"]["c"] = json!(2)).expect_err("refused");
    assert!(refused.contains("explicit key"), "{refused}");
}

/// Found by `rewrite` (seventh pass, `flow-mapping-emptied-with-a-trailing-comma`):
/// removing every key of a flow mapping with a trailing comma left `{,}`, which does not
/// parse. A flow mapping losing all its keys is now emptied whole between its brackets.
#[test]
fn a_flow_mapping_losing_all_its_keys_is_emptied_whole() {
    assert_eq!(
        edit("rod: {a: 1,}\nx: 2\n", |d| d["rod"] = json!({})).as_deref(),
        Ok("rod: {}\nx: 2\n")
    );
    assert_eq!(
        edit("rod: &x {a: 1, b: 2,} # c\n", |d| d["rod"] =
            json!({"c": 3}))
        .as_deref(),
        Ok("rod: &x { c: 3 } # c\n")
    );
}

/// Found by `rewrite` (seventh pass, `anchor-and-tag-on-a-first-key-are-the-keys`):
/// properties on the line of a block mapping's first key (`&a !!str key: 1`) are that
/// key's, but were taken for the mapping's tag, so emptying the mapping (a tagged document
/// loses its tag with its last key) cut them off the key that stayed.
#[test]
fn properties_on_a_first_keys_line_are_the_keys() {
    // (`k` has an empty value, which stays as nothing: the text is unchanged.)
    let text = "&a!!map !!str k:\n &b";
    yaml::parse(text).expect("parses");
    assert_eq!(rewrite(text, &json!({})).expect("edits"), text);
    assert_eq!(
        edit("&a !!str k: 1\n", |d| d["k"] = json!(2)).as_deref(),
        Ok("&a !!str k: 2\n")
    );
}

/// Found by `rewrite` (eighth pass, `bare-question-mark-before-keys-as-deep`): a key
/// given a multi-line value (written as a `|` block) before a key that was removed took
/// the comment lines after the removed key, deeper than the keys, as its block's text.
/// The lines a removed key takes with it now count the block a kept key is rendered with,
/// not only the one it had.
#[test]
fn a_key_rendered_as_a_block_before_a_removed_key_keeps_its_text() {
    assert_eq!(
        edit("a: 1\nb: 2\n    # c\nd: 3\n", |d| {
            d["a"] = json!("x\n");
            remove("b")(d);
        })
        .as_deref(),
        Ok("a: |\n  x\nd: 3\n")
    );
}

/// Found by `rewrite` (eighth pass, `tab-comment-after-an-explicit-key`): after a `?`
/// with no key, the parser takes a tab that starts a line for indentation, even on a
/// comment line, and rejects the file; removing the key between the two made them
/// neighbours. That removal is refused, saying which line to fix.
#[test]
fn removing_a_key_between_a_bare_question_mark_and_a_tab_indented_line_is_refused() {
    for text in ["?\nb: 1\n\t# c\nd: 2\n", "x:\n  ?\n  b: 1\n\t# c\n"] {
        let refused = edit(text, |d| match d.get_mut("x") {
            Some(x) => remove("b")(x),
            None => remove("b")(d),
        })
        .expect_err("refused");
        assert!(
            refused.contains("cannot remove `b`")
                && refused.contains("indent that line with spaces"),
            "{refused}"
        );
    }
    // A tab-indented comment after a key that has a value is no trouble.
    assert_eq!(
        edit("? a\nb: 1\n\t# c\nd: 2\n", remove("b")).as_deref(),
        Ok("? a\n\t# c\nd: 2\n")
    );
}

/// Found by `rewrite` (eighth pass, `plain-flow-key-ending-in-a-dash`): in a flow
/// mapping, a plain scalar ending in ` -` right before a `,` or a bracket is read by the
/// parser as a new scalar starting with `-`, which it refuses (`{a -, b: 1}`); a key added
/// after such a scalar, or removed after it, put a `,` or the `}` right behind it. A blank
/// now stays between.
#[test]
fn a_plain_flow_scalar_ending_in_a_dash_keeps_a_blank_before_what_follows() {
    assert_eq!(
        edit("x: {a -\n }\n", |d| d["x"]["b"] = json!(1)).as_deref(),
        Ok("x: {a - , b: 1\n }\n")
    );
    assert_eq!(
        edit("x: {a - , b: 1}\n", |d| remove("b")(&mut d["x"])).as_deref(),
        Ok("x: {a - }\n")
    );
    assert_eq!(
        edit("x: {a: b - , d: 1, c: 2}\n", |d| remove("d")(&mut d["x"])).as_deref(),
        Ok("x: {a: b - , c: 2}\n")
    );
    assert_eq!(
        edit("x: {a -\t, d: 1}\n", |d| remove("d")(&mut d["x"])).as_deref(),
        Ok("x: {a - }\n")
    );
}

/// Found by `rewrite` (eighth pass, `comment-between-an-anchor-and-a-tag`): a comment may
/// come between a node's properties (`&a # c`, then `!!map` on the next line), but the
/// editor stopped looking for them at the comment, so a document emptied of its last key
/// kept its `!!map` tag on nothing. The properties are now read past comments.
#[test]
fn properties_are_read_past_a_comment_between_them() {
    let text = "&a # c\n!!map\nk:\n- 1\n";
    let out = rewrite(text, &json!({})).expect("edited");
    assert_eq!(out, "\n");
    assert_eq!(
        edit("x: &a # c\n  !!map\n  k: 1\ny: 2\n", |d| d["x"] = json!({})).as_deref(),
        Ok("x: {}\ny: 2\n")
    );
    assert_eq!(
        edit("x: &a # c\n  {k: 1}\n", |d| d["x"]["l"] = json!(2)).as_deref(),
        Ok("x: &a # c\n  {k: 1, l: 2}\n")
    );
}

/// Found by `rewrite` (eighth pass, `alias-of-its-own-key`): an alias may repeat the key
/// it is the value of (`&a key: *a`); the parser gives it the key's place, which the
/// editor did not take for an alias, so changing or removing the list holding such an
/// entry left the alias behind, on its own, with its anchor gone. It is now refused like
/// any alias, with the way out.
#[test]
fn an_alias_of_its_own_key_is_refused_like_any_alias() {
    let refused = edit("&a k: *a\nb: 1\n", |d| d["k"] = json!(2)).expect_err("refused");
    assert!(
        refused.contains("`k` is or holds a YAML alias"),
        "{refused}"
    );
    let refused =
        edit("x:\n- &a k:\n    *a\ny: 1\n", |d| d["x"] = json!(null)).expect_err("refused");
    assert!(
        refused.contains("`x` is or holds a YAML alias"),
        "{refused}"
    );
}

/// Found reading the eighth pass's fixes: a block mapping's own properties end before its
/// first key's line, and those on that line are the key's. With the mapping's tag on a
/// line of its own and an anchor on the key (`!!map`, then `&b k: 1`), the key's anchor
/// was taken for the mapping's, and emptying it kept the tag on nothing; and a tag on the
/// first key (`&b`, then `!!str k: 1`) was taken for the mapping's.
#[test]
fn a_mappings_own_properties_end_before_its_first_keys_line() {
    let text = "!!map\n&b k: 1\n";
    let out = rewrite(text, &json!({})).expect("edited");
    assert_eq!(
        yaml::parse_to_json(&out).expect("parses"),
        json!(null),
        "{out:?}"
    );
    assert_eq!(
        edit("&b\n!!str k: 1\nl: 2\n", |d| remove("l")(d)).as_deref(),
        Ok("&b\n!!str k: 1\n")
    );
    let text = "&b\n!!str k: 1\n";
    let out = rewrite(text, &json!({})).expect("edited");
    assert_eq!(
        yaml::parse_to_json(&out).expect("parses"),
        json!(null),
        "{out:?}"
    );
}
