//! The keyset cursor of the run listing: the (created at, id) of the last run a page showed, written
//! `<milliseconds>.<id>` so that it travels in a query string. Not an offset: a page stays right while
//! runs are recorded or deleted.

use std::fmt;
use std::str::FromStr;

use crate::id::ShareId;

/// Where a page of runs continues: runs strictly older than this point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunCursor {
    /// The last run's creation time, milliseconds since the Unix epoch.
    pub created_at_ms: i64,
    /// The last run's id.
    pub id: String,
}

/// Text that is not a run cursor.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a page cursor: use the `next` value of the previous page")]
pub struct BadCursor(pub String);

impl FromStr for RunCursor {
    type Err = BadCursor;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadCursor(text.chars().take(64).collect());
        let (ms, id) = text.split_once('.').ok_or_else(bad)?;
        let created_at_ms: i64 = ms.parse().map_err(|_| bad())?;
        if created_at_ms < 0 || ShareId::parse(id).is_none() {
            return Err(bad());
        }
        Ok(Self {
            created_at_ms,
            id: id.to_owned(),
        })
    }
}

impl fmt::Display for RunCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.created_at_ms, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_junk() {
        let cursor: RunCursor = "1700000000123.AAAAAAAAAAAAAAAAAAAAAA".parse().unwrap();
        assert_eq!(cursor.created_at_ms, 1_700_000_000_123);
        assert_eq!(cursor.to_string(), "1700000000123.AAAAAAAAAAAAAAAAAAAAAA");
        for junk in [
            "",
            "12",
            "x.AAAAAAAAAAAAAAAAAAAAAA",
            "-1.AAAAAAAAAAAAAAAAAAAAAA",
            "5.short",
            "5.' OR 1=1 --",
        ] {
            assert!(junk.parse::<RunCursor>().is_err(), "{junk}");
        }
    }
}
