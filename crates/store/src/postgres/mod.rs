//! The PostgreSQL store: for teams running several `likely` replicas on one database.

mod columns;
mod runs;
mod schema;
mod store;

pub use store::PostgresStore;
