//! The shared access token: read once from `LIKELY_ACCESS_TOKEN`, at least [`MIN_TOKEN_CHARS`]
//! characters a header or cookie can carry, kept in a `SecretString` and compared in constant time.

use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

/// The environment variable holding the access token.
pub const ACCESS_TOKEN_ENV: &str = "LIKELY_ACCESS_TOKEN";
/// The shortest token accepted: 24 characters (`openssl rand -base64 18` gives 144 random bits).
pub const MIN_TOKEN_CHARS: usize = 24;

/// The shared access token.
#[derive(Clone)]
pub struct AccessToken(SecretString);

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken([redacted])")
    }
}

/// Why the access token cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AccessTokenError {
    /// The variable is set but unusable.
    #[error("{ACCESS_TOKEN_ENV} is set but {0}")]
    Unusable(String),
}

impl AccessToken {
    /// The token from the variable's value: `None` when unset, an error when set but empty, shorter
    /// than [`MIN_TOKEN_CHARS`], or holding characters a header or cookie cannot carry.
    pub fn from_env_value(value: Option<String>) -> Result<Option<AccessToken>, AccessTokenError> {
        let Some(value) = value else {
            return Ok(None);
        };
        let value = value.trim();
        if value.is_empty() {
            return Err(AccessTokenError::Unusable("empty".into()));
        }
        let fits = value
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b';' && b != b',' && b != b'"' && b != b'\\');
        if !fits {
            return Err(AccessTokenError::Unusable(
                "holds spaces, control characters, non-ASCII or ; , \" \\ (use letters, digits and -_.~+/=)".into(),
            ));
        }
        if value.len() < MIN_TOKEN_CHARS {
            return Err(AccessTokenError::Unusable(format!(
                "shorter than {MIN_TOKEN_CHARS} characters, which is guessable; make one with `openssl rand -base64 18`"
            )));
        }
        Ok(Some(AccessToken(SecretString::from(value.to_string()))))
    }

    /// Whether `candidate` is the token (constant time).
    pub fn matches(&self, candidate: &str) -> bool {
        self.0
            .expose_secret()
            .as_bytes()
            .ct_eq(candidate.as_bytes())
            .into()
    }

    /// The token's text, for deriving the session value only.
    pub(super) fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusable_tokens_are_refused_without_showing_them() {
        assert!(AccessToken::from_env_value(None).unwrap().is_none());
        let error = AccessToken::from_env_value(Some("  ".into())).unwrap_err();
        assert!(error.to_string().contains(ACCESS_TOKEN_ENV));
        let error = AccessToken::from_env_value(Some("a;b".into())).unwrap_err();
        assert!(!error.to_string().contains("a;b"));
        let short = "x".repeat(MIN_TOKEN_CHARS - 1);
        let error = AccessToken::from_env_value(Some(short.clone())).unwrap_err();
        assert!(error.to_string().contains("24"), "{error}");
        assert!(!error.to_string().contains(&short));
        let long = "y".repeat(MIN_TOKEN_CHARS);
        let token = AccessToken::from_env_value(Some(long.clone()))
            .unwrap()
            .unwrap();
        assert!(token.matches(&long) && !token.matches(&long[1..]));
        assert!(!format!("{token:?}").contains(&long));
    }
}
