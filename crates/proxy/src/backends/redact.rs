//! Redaction of key-shaped text in what upstreams say: not only the configured key (scrubbed
//! exactly by the caller) but anything that looks like a key or a masked echo of one, since
//! upstreams quote keys partly in their 401/403 messages ("Incorrect API key provided:
//! sk-live-****e30"). A word is key-shaped when it holds mask characters (`*`, `•`, `…`, `...`)
//! next to letters or digits, starts like a key (`sk-`, `sk_`, `pk_`, `rk_`, `hf_`, `gsk_`, `xai-`,
//! `key-`), or is 20 characters or longer with both letters and digits (and no dot or `//`, which
//! host names and URLs have).

const REDACTED: &str = "[redacted]";
const KEY_PREFIXES: &[&str] = &[
    "sk-", "sk_", "pk-", "pk_", "rk_", "hf_", "gsk_", "xai-", "key-",
];

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || "-_.*•…+/=".contains(c)
}

fn is_key_shaped(word: &str) -> bool {
    let alnum = word.chars().filter(char::is_ascii_alphanumeric).count();
    let masked =
        word.contains('*') || word.contains('•') || word.contains('…') || word.contains("...");
    if masked {
        return alnum >= 2;
    }
    let lower = word.to_ascii_lowercase();
    if KEY_PREFIXES.iter().any(|prefix| lower.starts_with(prefix)) && word.len() >= 8 {
        return true;
    }
    // Long random-looking words, but not host names, paths or URLs (dots, `//`).
    word.chars().count() >= 20
        && !word.contains('.')
        && !word.contains("//")
        && word.chars().any(|c| c.is_ascii_digit())
        && word.chars().any(|c| c.is_ascii_alphabetic())
}

/// `text` with every key-shaped word replaced by `[redacted]`.
pub fn redact_key_shaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        // A sentence's final dot or comma is not part of the word.
        let core = word.trim_end_matches(['.', ',']);
        if !core.is_empty() && is_key_shaped(core) {
            out.push_str(REDACTED);
            out.push_str(&word[core.len()..]);
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if is_word_char(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_echoes_and_key_like_words_are_redacted() {
        for (text, gone) in [
            (
                "Incorrect API key provided: sk-live-****************e30.",
                "e30",
            ),
            ("invalid api token ****************2a6f", "2a6f"),
            ("key sk-proj-abc...xyz9 rejected", "xyz9"),
            ("Bearer 4e9b1c7d2a6f8e30aa55bb66 is not valid", "4e9b1c7d"),
            ("token hf_AbCdEfGhIjKl is revoked", "hf_AbCd"),
        ] {
            let redacted = redact_key_shaped(text);
            assert!(!redacted.contains(gone), "{redacted}");
            assert!(redacted.contains(REDACTED), "{redacted}");
        }
        let plain =
            "model `command-light` is not available for this key, see https://docs.cohere.com/v1.";
        assert_eq!(redact_key_shaped(plain), plain);
    }
}
