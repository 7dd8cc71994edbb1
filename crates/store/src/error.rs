//! The one error type of the store. Outcomes a caller expects (a link that was never made, deleted or
//! expired; a wrong delete token) are not errors: they are values of `Lookup` and `Deletion`.

use std::path::PathBuf;

/// Why a store operation failed.
///
/// The `Display` text of the database variants can name tables and SQL: a server logs it and answers
/// a generic message, never this text.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The snapshot is larger than the store's configured maximum (HTTP 413).
    #[error(
        "the snapshot is {size_bytes} bytes, more than the {max_bytes} bytes a snapshot may have"
    )]
    TooLarge {
        /// The snapshot's size.
        size_bytes: u64,
        /// The store's cap.
        max_bytes: u64,
    },
    /// The kind is empty, too long or not made of `[A-Za-z0-9_-]` (HTTP 400).
    #[error("the snapshot kind must be 1 to {max_len} characters of A-Z, a-z, 0-9, '-' or '_'")]
    InvalidKind {
        /// The longest kind allowed.
        max_len: usize,
    },
    /// The store URL is not `none`, `sqlite:PATH` or `postgres://…`.
    #[error("unrecognised store URL {0:?}: use none, sqlite:PATH or postgres://USER@HOST:PORT/DB")]
    BadUrl(String),
    /// The store URL names no usable place (for example `sqlite:` with an empty path).
    #[error("the store URL {url:?} is not usable: {reason}")]
    UnusableUrl {
        /// The URL as given.
        url: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// The SQLite file's folder could not be created.
    #[error("cannot create the folder {path} for the SQLite store: {source}")]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// Why it could not be created.
        source: std::io::Error,
    },
    /// No data folder could be found for the default SQLite path (no HOME and no XDG_DATA_HOME).
    #[error("no data folder: set LIKELY_DATA_HOME, XDG_DATA_HOME or HOME")]
    NoDataDir,
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed: {0}")]
    Random(getrandom::Error),
    /// SQLite failed.
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// No PostgreSQL connection could be had from the pool.
    #[error("PostgreSQL connection pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    /// The PostgreSQL pool could not be built.
    #[error("PostgreSQL connection pool: {0}")]
    BuildPool(#[from] deadpool_postgres::BuildError),
    /// A stored row breaks the schema's invariants (a negative size, a body of the wrong length).
    #[error("a stored snapshot is corrupt: {0}")]
    Corrupt(String),
    /// The blocking task that ran a SQLite statement panicked or was cancelled.
    #[error("the SQLite worker task failed: {0}")]
    Worker(#[from] tokio::task::JoinError),
    /// The schema in the database is newer than this program knows.
    #[error(
        "the store's schema version {found} is newer than this program's {known}: upgrade likely"
    )]
    SchemaTooNew {
        /// The database's version.
        found: i64,
        /// The newest version this program knows.
        known: i64,
    },
}

impl StoreError {
    /// Whether the database could not be reached or was shutting down: a server answers 503 and
    /// tries again later (the pool reconnects), rather than 500.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Pool(_) => true,
            Self::Postgres(error) => {
                error.is_closed()
                    || error.as_db_error().is_none_or(|db| {
                        // admin_shutdown, crash_shutdown, cannot_connect_now
                        matches!(db.code().code(), "57P01" | "57P02" | "57P03")
                    }) && !error.to_string().contains("error deserializing")
            }
            Self::Sqlite(rusqlite::Error::SqliteFailure(failure, _)) => matches!(
                failure.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ),
            _ => false,
        }
    }
}

/// The store's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
