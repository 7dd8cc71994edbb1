//! The SQLite schema's migrations, applied once each at open. The version lives in
//! `PRAGMA user_version`; an IMMEDIATE transaction makes processes opening the file at once take turns.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Result, StoreError};
use crate::migrations::{migrations, Dialect};

/// Brings the database's schema up to date.
pub(super) fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let all = migrations(Dialect::Sqlite);
    let known = i64::try_from(all.len()).unwrap_or(i64::MAX);
    if found > known {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    for (version, sql) in (1..).zip(&all).skip(usize::try_from(found).unwrap_or(0)) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
    }
    tx.commit()?;
    Ok(())
}
