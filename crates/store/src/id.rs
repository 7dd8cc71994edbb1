//! Share ids: 128 random bits, written as 22 characters of unpadded base64url, safe in a URL path.

use std::fmt;

use crate::error::Result;
use crate::random::{decode_base64url, random_base64url};

/// Random bytes in an id: 128 bits, too many to guess or to collide.
const ID_BYTES: usize = 16;

/// The id of a stored snapshot: 22 characters of `[A-Za-z0-9_-]`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ShareId(String);

impl ShareId {
    /// A new random id.
    pub(crate) fn generate() -> Result<Self> {
        random_base64url::<ID_BYTES>().map(Self)
    }

    /// The id written in `text`, or `None` when `text` cannot be an id (wrong length, characters
    /// outside base64url, padding, non-canonical encoding). A store answers such text "not found"
    /// without asking its database.
    pub fn parse(text: &str) -> Option<Self> {
        decode_base64url::<ID_BYTES>(text).map(|_| Self(text.to_owned()))
    }

    /// The id as text, as it appears in a link.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ShareId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ShareId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ShareId({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_back() {
        let id = ShareId::generate().unwrap();
        assert_eq!(id.as_str().len(), 22);
        assert!(id
            .as_str()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(ShareId::parse(id.as_str()), Some(id));
    }

    #[test]
    fn sql_and_path_text_is_not_an_id() {
        for text in [
            "' OR 1=1 --",
            "../../etc/passwd",
            "AAAAAAAAAAAAAAAAAAA'--",
            "%00",
        ] {
            assert_eq!(ShareId::parse(text), None, "{text}");
        }
    }
}
