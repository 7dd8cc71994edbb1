//! Random secrets from the operating system's CSPRNG, written as unpadded base64url.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::error::{Result, StoreError};

/// `N` random bytes from the operating system, as unpadded base64url text.
pub(crate) fn random_base64url<const N: usize>() -> Result<String> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(StoreError::Random)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The bytes of unpadded base64url `text`, when it is exactly `N` bytes' worth in canonical form.
pub(crate) fn decode_base64url<const N: usize>(text: &str) -> Option<[u8; N]> {
    // Unpadded base64 of N bytes has ceil(4N/3) characters; checking first keeps long input cheap.
    if text.len() != (4 * N).div_ceil(3) {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
    bytes.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_text_round_trips_and_differs() {
        let a = random_base64url::<16>().unwrap();
        let b = random_base64url::<16>().unwrap();
        assert_eq!(a.len(), 22);
        assert_ne!(a, b);
        assert!(decode_base64url::<16>(&a).is_some());
    }

    #[test]
    fn decoding_refuses_wrong_lengths_and_alphabets() {
        assert!(decode_base64url::<16>("").is_none());
        assert!(decode_base64url::<16>("AAAAAAAAAAAAAAAAAAAAA").is_none()); // 21 characters
        assert!(decode_base64url::<16>("AAAAAAAAAAAAAAAAAAAAAAA").is_none()); // 23 characters
        assert!(decode_base64url::<16>("AAAAAAAAAAAAAAAAAAAA+/").is_none()); // standard alphabet
        assert!(decode_base64url::<16>("AAAAAAAAAAAAAAAAAAAA==").is_none()); // padding
                                                                             // Non-canonical: the last character's low bits must be zero for 16 bytes.
        assert!(decode_base64url::<16>("AAAAAAAAAAAAAAAAAAAAAB").is_none());
        assert_eq!(
            decode_base64url::<16>("AAAAAAAAAAAAAAAAAAAAAA"),
            Some([0u8; 16])
        );
    }
}
