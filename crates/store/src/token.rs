//! Delete tokens: a random secret handed to the snapshot's creator once. The store keeps only its
//! SHA-256 and compares in constant time.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::Result;

/// Random bytes in a delete token: 256 bits.
const TOKEN_BYTES: usize = 32;

/// The secret that deletes one snapshot. Its `Debug` does not show it; read it with `expose`.
#[derive(Clone, PartialEq, Eq)]
pub struct DeleteToken(String);

impl DeleteToken {
    /// A new random token.
    pub(crate) fn generate() -> Result<Self> {
        crate::random::random_base64url::<TOKEN_BYTES>().map(Self)
    }

    /// The token's text (43 characters of base64url), to hand to the snapshot's creator once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the store keeps: the SHA-256 of the token's text.
    pub(crate) fn digest(&self) -> TokenDigest {
        TokenDigest::of(&self.0)
    }
}

impl fmt::Debug for DeleteToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeleteToken(<redacted>)")
    }
}

/// The SHA-256 of a delete token's text.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TokenDigest(pub(crate) [u8; 32]);

impl TokenDigest {
    /// The digest of the token text a caller presents (any text: a wrong one simply does not match).
    pub(crate) fn of(token_text: &str) -> Self {
        Self(Sha256::digest(token_text.as_bytes()).into())
    }

    /// The digest read back from a database column; `None` when it is not 32 bytes.
    pub(crate) fn from_stored(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    /// Whether two digests are equal, in time that does not depend on where they differ.
    pub(crate) fn matches(&self, other: &TokenDigest) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_matches_its_digest_and_no_other() {
        let token = DeleteToken::generate().unwrap();
        assert_eq!(token.expose().len(), 43);
        let stored = token.digest();
        assert!(TokenDigest::of(token.expose()).matches(&stored));
        assert!(!TokenDigest::of("wrong").matches(&stored));
        assert!(!TokenDigest::of("").matches(&stored));
    }

    #[test]
    fn debug_hides_the_token() {
        let token = DeleteToken::generate().unwrap();
        assert!(!format!("{token:?}").contains(token.expose()));
    }
}
