//! A held-out set's fingerprint: the SHA-256 of its normalised snippets, as 64 lower-case hex
//! digits. The same set uploaded twice (as `.txt` or `.jsonl`, from Windows or not) is one set; the
//! files the snippets came from and their lines do not count, their order does.
//!
//! Normalised: line ends `\r\n` (and lone `\r`) become `\n`, and each snippet is trimmed of
//! surrounding white space. Each snippet is hashed as its length in bytes (8 bytes, little-endian)
//! then its bytes, so that no two different sets hash the same text.

use crate::evaluation::Snippet;
use sha2::{Digest, Sha256};

/// The fingerprint of a set of snippets.
pub fn fingerprint(snippets: &[Snippet]) -> String {
    let mut hasher = Sha256::new();
    for snippet in snippets {
        let text = normalise(&snippet.text);
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Whether `text` is written as a fingerprint is (64 lower-case hex digits).
pub fn is_fingerprint(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::SnippetSource;

    fn set(texts: &[&str]) -> Vec<Snippet> {
        texts.iter().map(|t| Snippet::pasted(*t)).collect()
    }

    #[test]
    fn the_same_texts_are_the_same_set_wherever_they_came_from() {
        let a = set(&["first line\r\nsecond", "  two  "]);
        let mut b = set(&["first line\nsecond", "two\n"]);
        b[0].source = SnippetSource {
            file: Some("held-out.jsonl".into()),
            line: Some(3),
        };
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert!(is_fingerprint(&fingerprint(&a)));
    }

    #[test]
    fn order_and_boundaries_count() {
        assert_ne!(
            fingerprint(&set(&["a", "b"])),
            fingerprint(&set(&["b", "a"]))
        );
        assert_ne!(
            fingerprint(&set(&["ab", "c"])),
            fingerprint(&set(&["a", "bc"]))
        );
        assert_ne!(fingerprint(&set(&["a"])), fingerprint(&set(&["a", ""])));
    }

    #[test]
    fn a_known_value() {
        // sha256 of 8 zero bytes (the length of the empty snippet) and nothing else.
        assert_eq!(
            fingerprint(&set(&[""])),
            "af5570f5a1810b7af78caf4bc70a660f0df51e42baf91d4de5b2328de0e83dfc"
        );
        assert!(!is_fingerprint("AF5570F5"));
        assert!(!is_fingerprint(&"g".repeat(64)));
    }
}
