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

/// One text piece per token of `ids`, `token_bytes(id)` giving each token's bytes: their
/// concatenation is the decoded text; a token that ends inside a multi-byte character gets `""` and
/// the token completing the character carries all of it; invalid UTF-8 becomes U+FFFD.
pub fn decode_pieces<'a>(ids: &[u32], token_bytes: impl Fn(u32) -> &'a [u8]) -> Vec<String> {
    let mut pieces = Vec::with_capacity(ids.len());
    // Bytes of an unfinished character carried over from earlier tokens.
    let mut pending: Vec<u8> = Vec::new();
    for (i, &id) in ids.iter().enumerate() {
        pending.extend_from_slice(token_bytes(id));
        let (text, rest) = split_complete_utf8(&pending, i + 1 == ids.len());
        pieces.push(text);
        pending = rest;
    }
    pieces
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
    fn a_split_character_is_carried_by_the_token_that_completes_it() {
        let bytes: [&[u8]; 3] = [b"a\xE2", b"\x80", b"\x99b"];
        let pieces = decode_pieces(&[0, 1, 2], |id| bytes[id as usize]);
        assert_eq!(pieces, ["a", "", "’b"]);
    }

    #[test]
    fn invalid_bytes_become_replacement_characters() {
        let (text, rest) = split_complete_utf8(&[b'a', 0xFF, b'b'], false);
        assert_eq!(text, "a\u{FFFD}b");
        assert!(rest.is_empty());
    }
}
