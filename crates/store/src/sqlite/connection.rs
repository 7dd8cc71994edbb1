//! Opening a SQLite connection with the settings every connection of the store uses.
//!
//! Durability: WAL journal with `synchronous=FULL`, so a commit returns only after the WAL has been
//! fsynced. `NORMAL` would already survive a killed process (the WAL is in the OS's page cache) but
//! could lose the last commits on power loss; a share link that was handed out must keep working,
//! so the store pays one fsync per save.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::error::Result;

/// How long a statement waits for another process's lock before failing with "database is busy".
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long [`switch_to_wal`] waits between tries while another connection holds the write lock.
const WAL_RETRY_PAUSE: Duration = Duration::from_millis(5);

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
    switch_to_wal(&conn)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    if role == Role::Reader {
        conn.pragma_update(None, "query_only", true)?;
    }
    Ok(conn)
}

/// Puts the file in WAL mode (it stays so once set) and checks that SQLite agreed.
///
/// On a new file this write happens inside the pragma's own read transaction, and SQLite does not
/// call the busy handler for a read that wants to become a write (it could deadlock), so the pragma
/// fails at once with "database is locked" while another connection opening the file at the same
/// moment holds the write lock. It is tried again until [`BUSY_TIMEOUT`], as the handler would.
fn switch_to_wal(conn: &Connection) -> Result<()> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    let mode: String = loop {
        // journal_mode answers with the mode it set.
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0)) {
            Err(err) if is_busy(&err) && Instant::now() < deadline => {
                std::thread::sleep(WAL_RETRY_PAUSE)
            }
            answer => break answer?,
        }
    };
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "SQLite refused WAL mode (journal_mode is {mode})"
        ))
        .into());
    }
    Ok(())
}

/// Whether SQLite answered "database is busy" or "locked".
fn is_busy(err: &rusqlite::Error) -> bool {
    matches!(
        err.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}
