//! The schema's migrations as each database runs them. The first two (share links, the record)
//! are one text for both databases, their types written as placeholders that [`Dialect`] spells;
//! the later ones (the free-text search index, short strings) differ in substance and are written
//! once per database.
//!
//! Only the version number of a migration is recorded (`PRAGMA user_version` in SQLite, rows of
//! `likely_store_migrations` in PostgreSQL), never its text, so a database migrated by an earlier
//! release is at the same version here.

/// One of the two databases the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite: STRICT tables of INTEGER, REAL and BLOB columns.
    Sqlite,
    /// PostgreSQL: BIGINT, DOUBLE PRECISION and BYTEA columns.
    Postgres,
}

impl Dialect {
    /// The database's words for the placeholders of the shared migrations: `{int}` (a 64-bit
    /// integer), `{float}` (a 64-bit float), `{bytes}` and `{strict}` (after a table's definition).
    fn words(self) -> [(&'static str, &'static str); 4] {
        match self {
            Dialect::Sqlite => [
                ("{int}", "INTEGER"),
                ("{float}", "REAL"),
                ("{bytes}", "BLOB"),
                ("{strict}", " STRICT"),
            ],
            Dialect::Postgres => [
                ("{int}", "BIGINT"),
                ("{float}", "DOUBLE PRECISION"),
                ("{bytes}", "BYTEA"),
                ("{strict}", ""),
            ],
        }
    }

    /// `sql` with the placeholders in this database's words.
    fn spell(self, sql: &str) -> String {
        self.words()
            .iter()
            .fold(sql.to_owned(), |sql, (placeholder, word)| {
                sql.replace(placeholder, word)
            })
    }
}

/// The migrations both databases share, in order from version 1.
const SHARED: &[&str] = &[
    include_str!("../migrations/0001_shares.sql"),
    include_str!("../migrations/0002_record.sql"),
];

/// SQLite's own migrations, after the shared ones.
const SQLITE: &[&str] = &[
    include_str!("../migrations/sqlite/0003_search.sql"),
    include_str!("../migrations/sqlite/0004_grams.sql"),
];

/// PostgreSQL's own migrations, after the shared ones.
const POSTGRES: &[&str] = &[
    include_str!("../migrations/postgres/0003_search.sql"),
    include_str!("../migrations/postgres/0004_grams.sql"),
];

/// Every migration in order as `dialect` runs it: migration `i` brings the schema to version
/// `i + 1`. Tests build a database as an older release left it from the first few.
pub fn migrations(dialect: Dialect) -> Vec<String> {
    let own = match dialect {
        Dialect::Sqlite => SQLITE,
        Dialect::Postgres => POSTGRES,
    };
    SHARED
        .iter()
        .map(|sql| dialect.spell(sql))
        .chain(own.iter().map(|sql| (*sql).to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_spelled_in_both_dialects() {
        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            for sql in migrations(dialect) {
                let left = sql
                    .lines()
                    .filter(|l| !l.starts_with("--"))
                    .any(|l| l.contains('{'));
                assert!(!left, "{dialect:?}: a placeholder is left in\n{sql}");
            }
        }
    }

    #[test]
    fn sqlite_runs_every_migration_into_strict_tables() {
        let conn = rusqlite::Connection::open_in_memory().expect("database");
        for sql in migrations(Dialect::Sqlite) {
            conn.execute_batch(&sql).expect("migration");
        }
        let strict: i64 = conn
            .query_row(
                "SELECT count(*) FROM pragma_table_list WHERE strict = 1 AND name LIKE 'likely_%'",
                [],
                |row| row.get(0),
            )
            .expect("tables");
        // likely_shares, likely_runs, likely_run_models, likely_datasets, likely_run_grams.
        assert_eq!(strict, 5);
    }
}
