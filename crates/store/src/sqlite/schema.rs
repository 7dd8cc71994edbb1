//! The SQLite schema's migrations, applied once each at open. The version lives in
//! `PRAGMA user_version`; an IMMEDIATE transaction makes processes opening the file at once take turns.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Result, StoreError};

/// The migrations in order; migration `i` brings the schema to version `i + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/sqlite/0001_shares.sql"),
    include_str!("../../migrations/sqlite/0002_record.sql"),
    include_str!("../../migrations/sqlite/0003_search.sql"),
    include_str!("../../migrations/sqlite/0004_grams.sql"),
];

/// Brings the database's schema up to date.
pub(super) fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    if found > known {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    for (version, sql) in (1..)
        .zip(MIGRATIONS)
        .skip(usize::try_from(found).unwrap_or(0))
    {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
    }
    tx.commit()?;
    Ok(())
}
