//! One row of the `likely_shares` table as both backends read it, and the decisions made from it:
//! what a lookup answers and whether a deletion may go ahead. Keeping them here gives SQLite and
//! PostgreSQL the same rules.

use crate::clock::{from_unix_ms, to_unix_ms};
use crate::error::{Result, StoreError};
use crate::id::ShareId;
use crate::snapshot::{Deletion, Lookup, NewSnapshot, Snapshot, SnapshotMeta};
use crate::token::{DeleteToken, TokenDigest};

/// The columns of a new row, ready to insert.
pub(crate) struct NewRow {
    pub id: ShareId,
    pub kind: String,
    pub created_at_ms: i64,
    pub expires_at_ms: Option<i64>,
    pub size_bytes: i64,
    pub delete_token_sha256: [u8; 32],
    pub body: Vec<u8>,
}

impl NewRow {
    /// The row for `new`, created at `now_ms`, with a fresh id and delete token.
    pub(crate) fn build(new: NewSnapshot, now_ms: i64) -> Result<(Self, DeleteToken)> {
        let token = DeleteToken::generate()?;
        let row = Self {
            id: ShareId::generate()?,
            kind: new.kind,
            created_at_ms: now_ms,
            expires_at_ms: new.expires_at.map(to_unix_ms),
            size_bytes: i64::try_from(new.bytes.len()).unwrap_or(i64::MAX),
            delete_token_sha256: token.digest().0,
            body: new.bytes,
        };
        Ok((row, token))
    }

    /// The metadata `get` will return for this row.
    pub(crate) fn meta(&self) -> SnapshotMeta {
        SnapshotMeta {
            kind: self.kind.clone(),
            created_at: from_unix_ms(self.created_at_ms),
            expires_at: self.expires_at_ms.map(from_unix_ms),
            size_bytes: u64::try_from(self.size_bytes).unwrap_or(0),
        }
    }
}

/// The columns a lookup reads. `body` is NULL once the snapshot is deleted or purged.
pub(crate) struct StoredRow {
    pub kind: String,
    pub created_at_ms: i64,
    pub expires_at_ms: Option<i64>,
    pub size_bytes: i64,
    pub deleted_at_ms: Option<i64>,
    pub body: Option<Vec<u8>>,
}

/// What a lookup of `id` answers, given its row (if any) and the time now.
pub(crate) fn lookup(id: ShareId, row: Option<StoredRow>, now_ms: i64) -> Result<Lookup> {
    let Some(row) = row else {
        return Ok(Lookup::NotFound);
    };
    if let Some(deleted_at_ms) = row.deleted_at_ms {
        return Ok(Lookup::Deleted {
            deleted_at: from_unix_ms(deleted_at_ms),
        });
    }
    if let Some(expires_at_ms) = row.expires_at_ms.filter(|&at| at <= now_ms) {
        return Ok(Lookup::Expired {
            expired_at: from_unix_ms(expires_at_ms),
        });
    }
    let size_bytes = u64::try_from(row.size_bytes)
        .map_err(|_| StoreError::Corrupt(format!("snapshot {id} has a negative size")))?;
    let Some(bytes) = row.body else {
        return Err(StoreError::Corrupt(format!(
            "snapshot {id} is neither deleted nor expired but has no body"
        )));
    };
    if u64::try_from(bytes.len()).ok() != Some(size_bytes) {
        return Err(StoreError::Corrupt(format!(
            "snapshot {id} has {} bytes where {size_bytes} were saved",
            bytes.len()
        )));
    }
    let meta = SnapshotMeta {
        kind: row.kind,
        created_at: from_unix_ms(row.created_at_ms),
        expires_at: row.expires_at_ms.map(from_unix_ms),
        size_bytes,
    };
    Ok(Lookup::Found(Snapshot { id, meta, bytes }))
}

/// The columns a deletion reads.
pub(crate) struct DeleteRow {
    pub delete_token_sha256: Vec<u8>,
    pub deleted_at_ms: Option<i64>,
}

/// What a deletion presenting `token_text` answers, given the row (if any). Only
/// `Deletion::Deleted` changes the row.
pub(crate) fn deletion(row: Option<DeleteRow>, token_text: &str) -> Result<Deletion> {
    let Some(row) = row else {
        return Ok(Deletion::NotFound);
    };
    let stored = TokenDigest::from_stored(&row.delete_token_sha256)
        .ok_or_else(|| StoreError::Corrupt("a delete token hash is not 32 bytes".to_owned()))?;
    if !TokenDigest::of(token_text).matches(&stored) {
        return Ok(Deletion::WrongToken);
    }
    Ok(if row.deleted_at_ms.is_some() {
        Deletion::AlreadyDeleted
    } else {
        Deletion::Deleted
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> ShareId {
        ShareId::generate().unwrap()
    }

    fn row(
        expires_at_ms: Option<i64>,
        deleted_at_ms: Option<i64>,
        body: Option<Vec<u8>>,
    ) -> StoredRow {
        StoredRow {
            kind: "figures".into(),
            created_at_ms: 1_000,
            expires_at_ms,
            size_bytes: 3,
            deleted_at_ms,
            body,
        }
    }

    #[test]
    fn lookups_tell_missing_deleted_expired_and_found_apart() {
        assert_eq!(lookup(id(), None, 5_000).unwrap(), Lookup::NotFound);
        assert_eq!(
            lookup(id(), Some(row(Some(2_000), Some(4_000), None)), 5_000).unwrap(),
            Lookup::Deleted {
                deleted_at: from_unix_ms(4_000)
            }
        );
        assert_eq!(
            lookup(
                id(),
                Some(row(Some(5_000), None, Some(vec![1, 2, 3]))),
                5_000
            )
            .unwrap(),
            Lookup::Expired {
                expired_at: from_unix_ms(5_000)
            }
        );
        let Lookup::Found(found) = lookup(
            id(),
            Some(row(Some(5_001), None, Some(vec![1, 2, 3]))),
            5_000,
        )
        .unwrap() else {
            panic!("not found")
        };
        assert_eq!(found.bytes, vec![1, 2, 3]);
        assert_eq!(found.meta.size_bytes, 3);
    }

    #[test]
    fn a_short_body_is_corruption_not_a_snapshot() {
        assert!(matches!(
            lookup(id(), Some(row(None, None, Some(vec![1]))), 0),
            Err(StoreError::Corrupt(_))
        ));
        assert!(matches!(
            lookup(id(), Some(row(None, None, None)), 0),
            Err(StoreError::Corrupt(_))
        ));
    }

    #[test]
    fn deletion_checks_the_token_before_the_state() {
        let token = DeleteToken::generate().unwrap();
        let stored = |deleted_at_ms| {
            Some(DeleteRow {
                delete_token_sha256: token.digest().0.to_vec(),
                deleted_at_ms,
            })
        };
        assert_eq!(deletion(None, token.expose()).unwrap(), Deletion::NotFound);
        assert_eq!(
            deletion(stored(None), "nope").unwrap(),
            Deletion::WrongToken
        );
        assert_eq!(
            deletion(stored(Some(1)), "nope").unwrap(),
            Deletion::WrongToken
        );
        assert_eq!(
            deletion(stored(None), token.expose()).unwrap(),
            Deletion::Deleted
        );
        assert_eq!(
            deletion(stored(Some(1)), token.expose()).unwrap(),
            Deletion::AlreadyDeleted
        );
    }
}
