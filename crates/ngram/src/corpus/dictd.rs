//! Reading dictd dictionaries: the `.index` lists `headword TAB offset TAB length` (numbers in
//! dictd's base64 digits) into the `.dict.dz` file, which is gzip-compatible (dictzip).

use std::io::Read;
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::error::NgramError;

/// Decodes a dictd base64 number.
fn b64_number(s: &str) -> Option<usize> {
    s.bytes().try_fold(0usize, |acc, b| {
        let d = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc.checked_mul(64)?.checked_add(usize::from(d))
    })
}

/// Decompresses a `.dict.dz` file.
pub fn read_dz(path: &Path) -> Result<Vec<u8>, NgramError> {
    let file = std::fs::File::open(path).map_err(|e| NgramError::io("opening", path, e))?;
    let mut out = Vec::new();
    MultiGzDecoder::new(file)
        .read_to_end(&mut out)
        .map_err(|e| NgramError::io("decompressing", path, e))?;
    Ok(out)
}

/// The dictionary's entries in file order, each once (several headwords may share an entry),
/// without the `00-database-*` metadata entries.
pub fn read_entries(dict: &Path, index: &Path) -> Result<Vec<String>, NgramError> {
    for (what, p) in [("dictd dictionary", dict), ("dictd index", index)] {
        if !p.exists() {
            return Err(NgramError::CorpusMissing {
                what,
                path: p.to_path_buf(),
            });
        }
    }
    let data = read_dz(dict)?;
    let idx = std::fs::read(index).map_err(|e| NgramError::io("reading", index, e))?;
    let idx = String::from_utf8_lossy(&idx);
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for line in idx.lines() {
        let mut f = line.split('\t');
        let (Some(head), Some(off), Some(len)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        if head.starts_with("00-database") || head.starts_with("00database") {
            continue;
        }
        let (Some(off), Some(len)) = (b64_number(off), b64_number(len)) else {
            return Err(NgramError::CorpusFormat {
                path: index.to_path_buf(),
                reason: format!("bad offset in line {line:?}"),
            });
        };
        if off.checked_add(len).is_none_or(|end| end > data.len()) {
            return Err(NgramError::CorpusFormat {
                path: index.to_path_buf(),
                reason: format!("entry {head:?} beyond the end of the dictionary"),
            });
        }
        spans.push((off, len));
    }
    spans.sort_unstable();
    spans.dedup();
    Ok(spans
        .into_iter()
        .map(|(o, l)| String::from_utf8_lossy(&data[o..o + l]).into_owned())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_numbers() {
        assert_eq!(b64_number("A"), Some(0));
        assert_eq!(b64_number("b"), Some(27));
        assert_eq!(b64_number("BA"), Some(64));
        assert_eq!(b64_number("?"), None);
    }
}
