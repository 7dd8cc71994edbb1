//! Reading a held-out set: an uploaded file, chosen by its extension, or pasted text.
//!
//! - `.txt`: snippets separated by one or more blank (or whitespace-only) lines; each snippet is the
//!   exact text from its first to its last non-blank line, line endings inside kept.
//! - `.jsonl`: one JSON object a line with a `text` string, or `prompt` and `completion` strings
//!   (fine-tuning files), joined as the prompt followed directly by the completion. Blank lines are
//!   skipped.
//! - `.csv`: a header row with a `text` column (any case); quoted fields may hold newlines.
//! - Pasted text is one snippet, as typed.
//!
//! A UTF-8 byte order mark is ignored. An empty text is an error naming its line, rather than a
//! snippet silently dropped. Errors name the file, the 1-based line and what is wrong.

use crate::evaluation::{Snippet, SnippetSource};
use thiserror::Error;

/// Why a held-out set could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DatasetError {
    /// The file's extension is not one of `.txt`, `.jsonl`, `.csv`.
    #[error("{file}: unknown file type; upload a .txt, .jsonl or .csv file")]
    UnknownExtension {
        /// The file's name.
        file: String,
    },
    /// The file is not UTF-8 text.
    #[error("{file}, line {line}: not UTF-8 text (save the file as UTF-8)")]
    NotUtf8 {
        /// The file's name.
        file: String,
        /// The line holding the first invalid byte.
        line: usize,
    },
    /// Nothing to score.
    #[error("{file}: the file is empty (no snippet to score)")]
    Empty {
        /// The file's name.
        file: String,
    },
    /// A line that is not valid JSON, or not an object.
    #[error("{file}, line {line}: {message}")]
    BadJson {
        /// The file's name.
        file: String,
        /// The line.
        line: usize,
        /// What the parser said.
        message: String,
    },
    /// A record without the text to score.
    #[error("{file}, line {line}: {message}")]
    MissingField {
        /// The file's name.
        file: String,
        /// The line.
        line: usize,
        /// Which field is missing or wrong.
        message: String,
    },
    /// A record whose text is empty.
    #[error("{file}, line {line}: the text is empty")]
    EmptyText {
        /// The file's name.
        file: String,
        /// The line.
        line: usize,
    },
    /// A CSV file without a `text` column.
    #[error("{file}, line 1: no `text` column (the columns are: {columns})")]
    NoTextColumn {
        /// The file's name.
        file: String,
        /// The header's columns, comma-separated.
        columns: String,
    },
    /// A malformed CSV record.
    #[error("{file}, line {line}: {message}")]
    BadCsv {
        /// The file's name.
        file: String,
        /// The line.
        line: usize,
        /// What the parser said.
        message: String,
    },
}

/// The snippets of an uploaded file named `file` with contents `bytes`.
pub fn parse_file(file: &str, bytes: &[u8]) -> Result<Vec<Snippet>, DatasetError> {
    let text = std::str::from_utf8(bytes).map_err(|e| DatasetError::NotUtf8 {
        file: file.to_string(),
        line: line_of(&bytes[..e.valid_up_to()]),
    })?;
    parse_text(file, text)
}

/// The snippets of a file named `file` already read as text.
pub fn parse_text(file: &str, text: &str) -> Result<Vec<Snippet>, DatasetError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let extension = file
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    let snippets = match extension.as_str() {
        "txt" => parse_txt(file, text),
        "jsonl" => parse_jsonl(file, text)?,
        "csv" => parse_csv(file, text)?,
        _ => {
            return Err(DatasetError::UnknownExtension {
                file: file.to_string(),
            })
        }
    };
    if snippets.is_empty() {
        return Err(DatasetError::Empty {
            file: file.to_string(),
        });
    }
    Ok(snippets)
}

/// Pasted text as one snippet; `None` when it is blank.
pub fn pasted(text: &str) -> Option<Snippet> {
    (!text.trim().is_empty()).then(|| Snippet::pasted(text))
}

/// The 1-based line at the end of `bytes`.
fn line_of(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count() + 1
}

fn snippet(file: &str, line: usize, text: String) -> Snippet {
    Snippet {
        text,
        source: SnippetSource {
            file: Some(file.to_string()),
            line: Some(line),
        },
    }
}

fn parse_txt(file: &str, text: &str) -> Vec<Snippet> {
    let mut snippets = Vec::new();
    // (byte offset of the snippet's first line, its line number, byte end of its last line so far)
    let mut current: Option<(usize, usize, usize)> = None;
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let content = line.trim_end_matches(['\n', '\r']);
        let start = offset;
        offset += line.len();
        if content.trim().is_empty() {
            if let Some((from, number, to)) = current.take() {
                snippets.push(snippet(file, number, text[from..to].to_string()));
            }
        } else {
            let end = start + content.len();
            current = Some(match current {
                Some((from, number, _)) => (from, number, end),
                None => (start, index + 1, end),
            });
        }
    }
    if let Some((from, number, to)) = current {
        snippets.push(snippet(file, number, text[from..to].to_string()));
    }
    snippets
}

fn parse_jsonl(file: &str, text: &str) -> Result<Vec<Snippet>, DatasetError> {
    let mut snippets = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |message: String| DatasetError::BadJson {
            file: file.to_string(),
            line: number,
            message,
        };
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| bad(format!("not valid JSON ({e})")))?;
        let object = value
            .as_object()
            .ok_or_else(|| bad("expected a JSON object like {\"text\": \"...\"}".to_string()))?;
        let missing = |message: &str| DatasetError::MissingField {
            file: file.to_string(),
            line: number,
            message: message.to_string(),
        };
        let string = |key: &str| match object.get(key) {
            None => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(missing(&format!("the `{key}` field is not a string"))),
        };
        let joined = match (string("text")?, string("prompt")?, string("completion")?) {
            (Some(text), ..) => text.to_string(),
            (None, Some(prompt), Some(completion)) => format!("{prompt}{completion}"),
            (None, Some(_), None) => return Err(missing("a `prompt` without a `completion`")),
            _ => {
                return Err(missing(
                    "no `text` field, nor `prompt` and `completion` fields",
                ))
            }
        };
        if joined.trim().is_empty() {
            return Err(DatasetError::EmptyText {
                file: file.to_string(),
                line: number,
            });
        }
        snippets.push(snippet(file, number, joined));
    }
    Ok(snippets)
}

fn parse_csv(file: &str, text: &str) -> Result<Vec<Snippet>, DatasetError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let bad = |line: usize, e: csv::Error| DatasetError::BadCsv {
        file: file.to_string(),
        line,
        message: e.to_string(),
    };
    let headers = reader.headers().map_err(|e| bad(1, e))?.clone();
    if headers.is_empty() {
        return Ok(Vec::new());
    }
    let column = headers
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case("text"))
        .ok_or_else(|| DatasetError::NoTextColumn {
            file: file.to_string(),
            columns: headers.iter().collect::<Vec<_>>().join(", "),
        })?;
    let mut snippets = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line() as usize);
                return Err(bad(line, e));
            }
        }
        let line = record.position().map_or(line, |p| p.line() as usize);
        let value = record.get(column).unwrap_or_default();
        if value.trim().is_empty() {
            return Err(DatasetError::EmptyText {
                file: file.to_string(),
                line,
            });
        }
        snippets.push(snippet(file, line, value.to_string()));
    }
    Ok(snippets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(snippets: &[Snippet]) -> Vec<&str> {
        snippets.iter().map(|s| s.text.as_str()).collect()
    }

    fn lines(snippets: &[Snippet]) -> Vec<usize> {
        snippets.iter().filter_map(|s| s.source.line).collect()
    }

    #[test]
    fn txt_splits_on_blank_lines_and_keeps_inner_text() {
        let s = parse_text("set.TXT", "\n  first line\nsecond\r\n\n \t\n\nthird\n").unwrap();
        assert_eq!(texts(&s), ["  first line\nsecond", "third"]);
        assert_eq!(lines(&s), [2, 7]);
        assert_eq!(s[0].source.to_string(), "set.TXT:2");
    }

    #[test]
    fn jsonl_reads_text_or_prompt_and_completion() {
        let input = "{\"text\": \"To be\"}\n\n{\"prompt\": \"Q: \", \"completion\": \"A\"}\n";
        let s = parse_text("set.jsonl", input).unwrap();
        assert_eq!(texts(&s), ["To be", "Q: A"]);
        assert_eq!(lines(&s), [1, 3]);
    }

    #[test]
    fn jsonl_errors_name_the_line() {
        let err = parse_text("set.jsonl", "{\"text\": \"a\"}\n{\"text\": \n").unwrap_err();
        assert!(
            matches!(err, DatasetError::BadJson { line: 2, .. }),
            "{err}"
        );
        assert!(err
            .to_string()
            .starts_with("set.jsonl, line 2: not valid JSON"));
        let err = parse_text("set.jsonl", "{\"body\": \"a\"}").unwrap_err();
        assert!(matches!(err, DatasetError::MissingField { line: 1, .. }));
        assert!(err.to_string().contains("no `text` field"));
        let err = parse_text("set.jsonl", "[1]").unwrap_err();
        assert!(err.to_string().contains("expected a JSON object"));
        let err = parse_text("set.jsonl", "{\"text\": 3}").unwrap_err();
        assert!(err.to_string().contains("`text` field is not a string"));
        let err = parse_text("set.jsonl", "{\"text\": \"  \"}").unwrap_err();
        assert_eq!(
            err,
            DatasetError::EmptyText {
                file: "set.jsonl".into(),
                line: 1
            }
        );
    }

    #[test]
    fn csv_reads_the_text_column_with_quoted_newlines() {
        let input = "id,Text\n1,\"To be,\nor not\"\n2,\"say \"\"hi\"\"\"\n";
        let s = parse_text("set.csv", input).unwrap();
        assert_eq!(texts(&s), ["To be,\nor not", "say \"hi\""]);
        assert_eq!(lines(&s), [2, 4]);
    }

    #[test]
    fn csv_errors() {
        let err = parse_text("set.csv", "id,body\n1,a\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "set.csv, line 1: no `text` column (the columns are: id, body)"
        );
        let err = parse_text("set.csv", "id,text\n1,a\n2,b,extra\n").unwrap_err();
        assert!(
            matches!(err, DatasetError::BadCsv { line: 3, .. }),
            "{err:?}"
        );
        let err = parse_text("set.csv", "id,text\n1,\n").unwrap_err();
        assert!(matches!(err, DatasetError::EmptyText { line: 2, .. }));
        assert!(matches!(
            parse_text("set.csv", "text\n"),
            Err(DatasetError::Empty { .. })
        ));
    }

    #[test]
    fn empty_unknown_and_non_utf8_files() {
        assert_eq!(
            parse_file("set.txt", b"\n \n").unwrap_err().to_string(),
            "set.txt: the file is empty (no snippet to score)"
        );
        assert!(matches!(
            parse_file("set.csv", b""),
            Err(DatasetError::Empty { .. })
        ));
        assert!(matches!(
            parse_file("set.jsonl", b""),
            Err(DatasetError::Empty { .. })
        ));
        assert!(matches!(
            parse_file("set.pdf", b"x"),
            Err(DatasetError::UnknownExtension { .. })
        ));
        assert!(matches!(
            parse_file("README", b"x"),
            Err(DatasetError::UnknownExtension { .. })
        ));
        let err = parse_file("set.txt", b"ok\nfine\n\xff\xfe").unwrap_err();
        assert_eq!(
            err.to_string(),
            "set.txt, line 3: not UTF-8 text (save the file as UTF-8)"
        );
        let s = parse_file("set.txt", "\u{feff}hello".as_bytes()).unwrap();
        assert_eq!(texts(&s), ["hello"]);
    }

    #[test]
    fn pasted_text_is_one_snippet() {
        let s = pasted("To be\n\nor not").unwrap();
        assert_eq!(s.text, "To be\n\nor not");
        assert_eq!(s.source.file, None);
        assert!(pasted(" \n ").is_none());
    }
}
