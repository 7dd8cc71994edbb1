//! The PostgreSQL store: for teams running several `likely` replicas on one database.

mod schema;
mod store;

pub use store::PostgresStore;
