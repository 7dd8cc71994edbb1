//! The store URL a server is configured with: `none`, `sqlite:PATH` or `postgres://…`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::error::StoreError;

/// Where the share snapshots are kept.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// No store: the server offers no stored share links.
    None,
    /// A SQLite file (created with its folder if missing).
    Sqlite(PathBuf),
    /// A PostgreSQL database, as a `postgres://` or `postgresql://` URL.
    Postgres(String),
}

impl FromStr for StoreUrl {
    type Err = StoreError;

    /// Reads `none`, `sqlite:PATH` (also `sqlite://PATH`, so `sqlite:///abs/path` works) or
    /// `postgres://…` / `postgresql://…`.
    fn from_str(text: &str) -> Result<Self, StoreError> {
        let text = text.trim();
        if text == "none" {
            return Ok(Self::None);
        }
        if let Some(rest) = text.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(StoreError::UnusableUrl {
                    url: text.to_owned(),
                    reason: "the SQLite path is empty".to_owned(),
                });
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            if let Err(err) = text.parse::<tokio_postgres::Config>() {
                return Err(StoreError::UnusableUrl {
                    url: redact(text),
                    reason: err.to_string(),
                });
            }
            return Ok(Self::Postgres(text.to_owned()));
        }
        Err(StoreError::BadUrl(redact(text)))
    }
}

/// `text` with any password between `://USER:` and `@` replaced by `***`.
fn redact(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_owned();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return text.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => text.to_owned(),
    }
}

/// Shows the URL with its password hidden, fit for a log line.
impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("none"),
            Self::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            Self::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

impl fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StoreUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_forms_parse() {
        assert_eq!("none".parse::<StoreUrl>().unwrap(), StoreUrl::None);
        assert_eq!(
            "sqlite:data/s.db".parse::<StoreUrl>().unwrap(),
            StoreUrl::Sqlite("data/s.db".into())
        );
        assert_eq!(
            "sqlite:///tmp/s.db".parse::<StoreUrl>().unwrap(),
            StoreUrl::Sqlite("/tmp/s.db".into())
        );
        let url = "postgres://u@127.0.0.1:5432/likely";
        assert_eq!(
            url.parse::<StoreUrl>().unwrap(),
            StoreUrl::Postgres(url.to_owned())
        );
    }

    #[test]
    fn bad_urls_are_refused_without_their_password() {
        assert!(matches!(
            "sqlite:".parse::<StoreUrl>(),
            Err(StoreError::UnusableUrl { .. })
        ));
        assert!(matches!(
            "mysql://u:pw@h/db".parse::<StoreUrl>(),
            Err(StoreError::BadUrl(_))
        ));
        let err = "mysql://u:secret@h/db"
            .parse::<StoreUrl>()
            .unwrap_err()
            .to_string();
        assert!(!err.contains("secret"), "{err}");
        let err = "postgres://u:secret@h:notaport/db"
            .parse::<StoreUrl>()
            .unwrap_err()
            .to_string();
        assert!(!err.contains("secret"), "{err}");
    }

    #[test]
    fn display_hides_the_password() {
        let url: StoreUrl = "postgres://likely:hunter2@db:5432/likely".parse().unwrap();
        assert_eq!(url.to_string(), "postgres://likely:***@db:5432/likely");
        assert!(!format!("{url:?}").contains("hunter2"));
    }
}
