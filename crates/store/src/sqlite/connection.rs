//! Opening a SQLite connection with the settings every connection of the store uses.
//!
//! Durability: WAL journal with `synchronous=FULL`, so a commit returns only after the WAL has been
//! fsynced. `NORMAL` would already survive a killed process (the WAL is in the OS's page cache) but
//! could lose the last commits on power loss; a share link that was handed out must keep working,
//! so the store pays one fsync per save.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::Result;

/// How long a statement waits for another process's lock before failing with "database is busy".
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Which connection of the store this is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Writer,
    Reader,
}

/// A connection to the database file at `path` (created if missing), set up for `role`.
pub(super) fn open(path: &Path, role: Role) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Space freed by purged or deleted bodies goes back to the file (takes effect on a new file).
    conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    // journal_mode answers with the mode it set; WAL persists in the file once set.
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "SQLite refused WAL mode (journal_mode is {mode})"
        ))
        .into());
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    if role == Role::Reader {
        conn.pragma_update(None, "query_only", true)?;
    }
    Ok(conn)
}
