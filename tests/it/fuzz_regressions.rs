//! Regression tests for what `cargo fuzz` found (fuzz/, README "Fuzzing"). Each input
//! the fuzzers reduced is kept under `fuzz/regressions/<target>/`; each test here goes
//! through the same public path as the target that found it and asserts the correct
//! result, not only the absence of a panic.

use assure::diag::{self, Code, Diagnostic};
use assure::edit::rewrite::rewrite;
use assure::repo::source::SourceMap;
use assure::repo::yaml;
use serde_json::json;

use crate::support::{TestRepo, run_env};

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
    let out = rewrite(text, &node, &doc).map_err(|e| e.to_string())?;
    assert_eq!(
        yaml::parse_to_json(&out).expect("the rewrite parses"),
        doc,
        "{out}"
    );
    Ok(out)
}

/// Found by `rewrite`: a key or value holding a byte order mark (U+FEFF) was written
/// plain, or in a `|` block, and YAML allows one only inside quotes, so the file no
/// longer parsed.
#[test]
fn a_byte_order_mark_in_a_new_key_or_value_is_quoted() {
    assert!(!yaml::plain_is_string("\u{feff}"));
    assert!(!yaml::plain_is_string("x\u{feff}y"));
    assert_eq!(
        edit("a: 1\n", |d| d["\u{feff}"] = json!(2)).as_deref(),
        Ok("a: 1\n\"\u{feff}\": 2\n")
    );
    assert_eq!(
        edit("a: 1\n", |d| d["a"] = json!("x\u{feff}")).as_deref(),
        Ok("a: \"x\u{feff}\"\n")
    );
    assert_eq!(
        edit("a: |\n  x\n", |d| d["a"] = json!("one\ntwo\u{feff}")).as_deref(),
        Ok("a: \"one\\ntwo\u{feff}\"\n")
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
/// rewriter took it for white space, YAML does not), which then trailed the new quoted
/// value and made the file invalid.
#[test]
fn a_form_feed_ending_a_value_is_replaced_with_it() {
    assert_eq!(
        edit("id: x\x0c\n", |d| d["id"] = json!("a: b")).as_deref(),
        Ok("id: \"a: b\"\n")
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
/// Overlapping edits are now refused.
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
        let node = yaml::parse(text).expect("valid YAML");
        let doc: serde_json::Value = serde_json::from_str(intended).expect("JSON");
        match rewrite(text, &node, &doc) {
            Err(e) => assert!(e.to_string().contains("overlap"), "{e}"),
            Ok(out) => assert_eq!(
                yaml::parse_to_json(&out).expect("the rewrite parses"),
                doc,
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
