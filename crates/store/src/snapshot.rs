//! The values that go in and out of a store: a new snapshot, its metadata, and the outcomes of a
//! lookup and of a deletion.

use std::time::SystemTime;

use crate::id::ShareId;
use crate::token::DeleteToken;

/// A snapshot to save. The store does not read `bytes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSnapshot {
    /// What the snapshot holds, for example `everything` or `figures`.
    pub kind: String,
    /// The page's encoded snapshot.
    pub bytes: Vec<u8>,
    /// When the snapshot stops being served; `None` keeps it until it is deleted. A time in the past
    /// saves a snapshot that is already expired.
    pub expires_at: Option<SystemTime>,
}

/// What a store knows about a snapshot besides its bytes. Times are kept to the millisecond.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotMeta {
    /// What the snapshot holds.
    pub kind: String,
    /// When it was saved.
    pub created_at: SystemTime,
    /// When it stops being served, if ever.
    pub expires_at: Option<SystemTime>,
    /// Its size in bytes.
    pub size_bytes: u64,
}

/// A saved snapshot, as `get` returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// Its id.
    pub id: ShareId,
    /// What the store knows of it.
    pub meta: SnapshotMeta,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// What `save` returns once the snapshot is committed.
#[derive(Clone, Debug)]
pub struct Saved {
    /// Its id.
    pub id: ShareId,
    /// The only copy of the delete token: the store keeps just its hash.
    pub delete_token: DeleteToken,
    /// What the store knows of it.
    pub meta: SnapshotMeta,
}

/// The outcome of looking a snapshot up by id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The snapshot.
    Found(Snapshot),
    /// No snapshot ever had this id, or the text is not an id at all.
    NotFound,
    /// The snapshot was deleted with its delete token.
    Deleted {
        /// When it was deleted.
        deleted_at: SystemTime,
    },
    /// The snapshot's expiry time has passed.
    Expired {
        /// When it expired.
        expired_at: SystemTime,
    },
}

/// The outcome of a deletion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deletion {
    /// The snapshot is now deleted; its id answers `Lookup::Deleted` from now on.
    Deleted,
    /// The token is right and the snapshot had already been deleted.
    AlreadyDeleted,
    /// The token does not belong to this snapshot; nothing changed.
    WrongToken,
    /// No snapshot has this id (or the text is not an id).
    NotFound,
}
