//! Writing files: every write goes to a temporary file in the same folder and is renamed
//! into place, so a reader (or a crash) never sees half a file.

pub mod rewrite;

use std::io::Write;
use std::path::Path;

/// Writes `contents` to `path` atomically, creating the parent folder if needed.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".assure-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
