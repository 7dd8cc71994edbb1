//! What a store accepts: its size cap and the shape of a snapshot's kind, checked before any database
//! work.

use crate::error::{Result, StoreError};
use crate::snapshot::NewSnapshot;

/// The longest kind a snapshot may have, in bytes.
pub const MAX_KIND_LEN: usize = 64;

/// The size cap when the server does not set one: 8 MiB.
pub const DEFAULT_MAX_SNAPSHOT_BYTES: u64 = 8 * 1024 * 1024;

/// Settings of a store, fixed when it is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreConfig {
    /// The largest snapshot `save` accepts, in bytes; larger ones are refused with
    /// `StoreError::TooLarge`.
    pub max_snapshot_bytes: u64,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            max_snapshot_bytes: DEFAULT_MAX_SNAPSHOT_BYTES,
        }
    }
}

impl StoreConfig {
    /// Whether `new` may be saved: within the size cap, and with a kind of 1 to `MAX_KIND_LEN`
    /// characters of `[A-Za-z0-9_-]`.
    pub fn check(&self, new: &NewSnapshot) -> Result<()> {
        let size_bytes = u64::try_from(new.bytes.len()).unwrap_or(u64::MAX);
        if size_bytes > self.max_snapshot_bytes {
            return Err(StoreError::TooLarge {
                size_bytes,
                max_bytes: self.max_snapshot_bytes,
            });
        }
        let kind_ok = !new.kind.is_empty()
            && new.kind.len() <= MAX_KIND_LEN
            && new
                .kind
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !kind_ok {
            return Err(StoreError::InvalidKind {
                max_len: MAX_KIND_LEN,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(kind: &str, len: usize) -> NewSnapshot {
        NewSnapshot {
            kind: kind.to_owned(),
            bytes: vec![0; len],
            expires_at: None,
        }
    }

    #[test]
    fn the_cap_is_inclusive() {
        let config = StoreConfig {
            max_snapshot_bytes: 10,
        };
        assert!(config.check(&snapshot("everything", 10)).is_ok());
        assert!(matches!(
            config.check(&snapshot("everything", 11)),
            Err(StoreError::TooLarge {
                size_bytes: 11,
                max_bytes: 10
            })
        ));
    }

    #[test]
    fn kinds_are_short_plain_words() {
        let config = StoreConfig::default();
        assert!(config.check(&snapshot("figures", 1)).is_ok());
        assert!(config
            .check(&snapshot(&"k".repeat(MAX_KIND_LEN), 1))
            .is_ok());
        for bad in ["", "a b", "x'--", "é", &"k".repeat(MAX_KIND_LEN + 1)] {
            assert!(
                matches!(
                    config.check(&snapshot(bad, 1)),
                    Err(StoreError::InvalidKind { .. })
                ),
                "{bad}"
            );
        }
    }
}
