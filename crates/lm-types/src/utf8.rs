//! The text pieces of byte-level tokens: a token may end inside a multi-byte character (GPT-2's and
//! SmolLM2's BPE split `’` and emoji over several tokens), so each token's bytes are cut after its
//! last complete character and the rest is kept for the next token.

/// Splits `bytes` into the text of its complete characters and the bytes of a trailing unfinished
/// character (kept for the next token unless `flush`). Invalid sequences become U+FFFD.
pub fn split_complete_utf8(bytes: &[u8], flush: bool) -> (String, Vec<u8>) {
    let mut out = String::new();
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                return (out, Vec::new());
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                // `good` is valid UTF-8 by construction.
                out.push_str(&String::from_utf8_lossy(good));
                match e.error_len() {
                    Some(n) => {
                        out.push(char::REPLACEMENT_CHARACTER);
                        rest = &bad[n..];
                    }
                    None if flush => {
                        out.push(char::REPLACEMENT_CHARACTER);
                        return (out, Vec::new());
                    }
                    None => return (out, bad.to_vec()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_character_goes_to_the_completing_token() {
        let (text, rest) = split_complete_utf8("a’".as_bytes()[..3].as_ref(), false);
        assert_eq!(text, "a");
        assert_eq!(rest.len(), 2);
        let (text, rest) = split_complete_utf8(&[0xE2, 0x80], true);
        assert_eq!(text, "\u{FFFD}");
        assert!(rest.is_empty());
    }

    #[test]
    fn invalid_bytes_become_replacement_characters() {
        let (text, rest) = split_complete_utf8(&[b'a', 0xFF, b'b'], false);
        assert_eq!(text, "a\u{FFFD}b");
        assert!(rest.is_empty());
    }
}
