//! The SQLite store: one file, WAL mode, `synchronous=FULL`; the embedded default.

mod connection;
mod runs;
mod schema;
mod store;

pub use store::SqliteStore;
