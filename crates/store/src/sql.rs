//! The statements both backends run, written once. Parameters are `$1`, `$2`, … in order of first
//! appearance: PostgreSQL reads them as positions, and SQLite reads `$N` as a named parameter whose
//! index is its order of first appearance, so positional binding means the same in both.

/// Inserts a row: id, kind, created_at_ms, expires_at_ms, size_bytes, delete_token_sha256, body.
pub(crate) const INSERT: &str = "INSERT INTO likely_shares \
     (id, kind, created_at_ms, expires_at_ms, size_bytes, delete_token_sha256, body) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// The columns of `record::StoredRow`, in order, for the id `$1`.
pub(crate) const LOOKUP: &str =
    "SELECT kind, created_at_ms, expires_at_ms, size_bytes, deleted_at_ms, body \
     FROM likely_shares WHERE id = $1";

macro_rules! delete_row {
    () => {
        "SELECT delete_token_sha256, deleted_at_ms FROM likely_shares WHERE id = $1"
    };
}

/// The columns of `record::DeleteRow`, in order, for the id `$1` (SQLite: inside an IMMEDIATE
/// transaction, which already holds the write lock).
pub(crate) const DELETE_ROW: &str = delete_row!();

/// `DELETE_ROW` locking the row until the transaction ends (PostgreSQL).
pub(crate) const DELETE_ROW_FOR_UPDATE: &str = concat!(delete_row!(), " FOR UPDATE");

/// Turns the row with id `$2` into a tombstone deleted at `$1`.
pub(crate) const TOMBSTONE: &str =
    "UPDATE likely_shares SET deleted_at_ms = $1, body = NULL WHERE id = $2";

/// Drops the bodies of the snapshots expired at `$1`.
pub(crate) const PURGE_EXPIRED: &str = "UPDATE likely_shares SET body = NULL \
     WHERE expires_at_ms IS NOT NULL AND expires_at_ms <= $1 AND body IS NOT NULL";
