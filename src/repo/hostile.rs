//! Files that are not what they should be, named for what they are: a file left
//! mid-merge, whose git conflict markers (`<<<<<<<`, `=======`, `>>>>>>>`) make it invalid
//! YAML (the parser's complaint about some later line would not say why), and a path
//! where a file belongs that is a folder or a named pipe (reading a pipe would wait
//! forever for a writer) or a symbolic link.
//!
//! Invariant: a symbolic link where data belongs (the file, or any folder on the way to
//! it) is never followed, wherever it points: the data validated is the data at its
//! path, so nobody can put an assessment's content in a file no review looks at.

use std::ops::Range;
use std::path::Path;

use crate::diag::{Code, Diagnostic};
use crate::repo::source::FileId;

/// The marker lines of the first conflict in `text`: the `<<<<<<<` line, then the
/// `|||||||` (diff3 style), `=======` and `>>>>>>>` lines that follow it, as byte ranges
/// without the line end; and how many conflicts the file has.
fn markers(text: &str) -> Option<(Vec<Range<usize>>, usize)> {
    let is = |line: &str, marker: &str| {
        line.strip_prefix(marker)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
    };
    let mut first: Vec<Range<usize>> = Vec::new();
    let mut count = 0;
    let mut at = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let span = at..at + line.len();
        at += raw.len();
        if is(line, "<<<<<<<") {
            count += 1;
            if count == 1 {
                first.push(span);
            }
        } else if count == 1
            && first.len() < 4
            && (is(line, "|||||||") || line == "=======" || is(line, ">>>>>>>"))
        {
            first.push(span);
        }
    }
    (count > 0).then_some((first, count))
}

/// A finding for the unresolved merge conflict in `text`, if it has one.
pub fn merge_conflict(file: FileId, text: &str) -> Option<Diagnostic> {
    let (spans, count) = markers(text)?;
    let mut spans = spans.into_iter();
    let start = spans.next()?;
    let more = match count {
        1 => String::new(),
        n => format!(" (and {} more below)", n - 1),
    };
    let mut d = Diagnostic::new(
        Code::YamlSyntax,
        format!("unresolved merge conflict: the file still has git's conflict markers{more}"),
    )
    .at(file, start, "the conflict starts here");
    for span in spans {
        let label = match text.as_bytes().get(span.start) {
            Some(b'|') => "the common ancestor's lines follow",
            Some(b'=') => "the other side's lines follow",
            _ => "the conflict ends here",
        };
        d = d.also(file, span, label);
    }
    Some(d.help(
        "resolve the conflict: keep the lines that should stay from each side, delete the marker lines (<<<<<<<, =======, >>>>>>>), then `git add` the file",
    ))
}

/// What a file system entry that is not a regular file is, for messages: "a folder", "a
/// named pipe (FIFO)"…
pub fn kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_file() {
        "a file"
    } else {
        "not a regular file"
    }
}

/// The finding for a path where a file belongs that is `what` (see [`kind`]); it is not
/// read.
pub fn not_a_file(file: FileId, what: &str) -> Diagnostic {
    Diagnostic::new(
        Code::FileUnreadable,
        format!("this is {what}, not a file, so assure does not read it"),
    )
    .at(file, 0..0, "not a file")
    .help("put the YAML file here, or remove what is in its place")
}

/// What is at a repository file's path, looked at before it is opened.
pub enum Stat {
    /// A regular file: read it.
    File(std::fs::Metadata),
    /// Not there, or not readable.
    Io(std::io::Error),
    /// Something else (see [`kind`]): not opened.
    NotAFile(&'static str),
    /// A symbolic link, or a path through a linked folder: never followed, so that what
    /// is validated is what sits at the path (a link to a file nobody reviews as data,
    /// or to a private file outside the repository, whose lines findings would show).
    Link,
}

/// Looks at `path`, the repository file `rel` (relative to the root, `/`-separated):
/// `rel` and every folder on the way to it are looked at without following links.
pub fn stat(path: &Path, rel: &str) -> Stat {
    // The folders between the root and the file (`groups`, `groups/g`), then the file.
    let depth = rel.split('/').count();
    for up in (1..depth).rev() {
        if let Some(dir) = path.ancestors().nth(up)
            && std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink())
        {
            return Stat::Link;
        }
    }
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => return Stat::Link,
        Ok(m) => m,
        Err(e) => return Stat::Io(e),
    };
    if meta.is_file() {
        Stat::File(meta)
    } else {
        Stat::NotAFile(kind(&meta.file_type()))
    }
}

/// The finding for a symbolic link where a data file or folder belongs (`assure.yaml`,
/// `catalog/`, `groups/`); it is not followed.
pub fn symbolic_link(file: FileId) -> Diagnostic {
    Diagnostic::new(
        Code::SymbolicLink,
        "this is a symbolic link, so assure does not follow it: assure.yaml, catalog/ and groups/ hold regular files and folders only",
    )
    .at(file, 0..0, "symbolic link")
    .help("replace the link with the file or folder itself (a copy of what it points to), or remove it")
}

#[cfg(test)]
mod tests {
    use super::markers;

    #[test]
    fn finds_the_first_conflict_and_counts_them() {
        let text = "a: 1\n<<<<<<< HEAD\nb: 2\n=======\nb: 3\n>>>>>>> other\n<<<<<<< HEAD\n=======\n>>>>>>> x\n";
        let (spans, count) = markers(text).expect("a conflict");
        let lines: Vec<&str> = spans.iter().map(|s| &text[s.clone()]).collect();
        assert_eq!(lines, ["<<<<<<< HEAD", "=======", ">>>>>>> other"]);
        assert_eq!(count, 2);
    }

    #[test]
    fn diff3_style_and_crlf() {
        let text = "<<<<<<< ours\r\nx\r\n||||||| base\r\n=======\r\n>>>>>>> theirs\r\n";
        let (spans, _) = markers(text).expect("a conflict");
        assert_eq!(spans.len(), 4);
        assert_eq!(&text[spans[1].clone()], "||||||| base");
    }

    #[test]
    fn text_that_merely_looks_alike_is_no_conflict() {
        assert!(markers("notes: <<<<<<< not at the start\n=======\n").is_none());
        assert!(markers("<<<<<<<<< nine\n").is_none());
    }
}
