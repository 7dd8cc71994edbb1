//! Temporary files for tests: the page's file inputs, configuration files.

use std::io::Write;

/// A temporary file named `<prefix>….<suffix>` holding `contents`, removed when dropped.
///
/// # Panics
/// When the temporary folder cannot be written (a failed test).
pub fn file_with(prefix: &str, suffix: &str, contents: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .prefix(prefix)
        .suffix(suffix)
        .tempfile()
        .expect("a temporary file");
    file.write_all(contents.as_bytes()).expect("write the file");
    file
}
