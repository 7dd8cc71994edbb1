//! The listing's SQL, built once for both databases from a [`RunFilter`]: the filters that are set,
//! the keyset condition, newest first. With a model filter the query walks the per-model rows by their
//! (model, time) index; otherwise the runs by time (or by set or author). One row more than the page
//! is asked for, to know whether another page follows. Free text is checked run by run, and, when
//! [`TextSearch::Indexed`], first looked up in the database's trigram index (`runs::search`).

use super::search::{fts_phrase, indexable, like_pattern, needle};
use super::types::RunFilter;

/// A statement parameter.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Param {
    Text(String),
    Int(i64),
}

/// Which database the statement is for (they spell substring search differently).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// How the free-text filter finds its runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TextSearch {
    /// Each run the listing walks is checked (`instr` / `strpos`).
    Scan,
    /// The trigram index names the candidates (only for text of 3 characters or more); each is
    /// still checked as in `Scan` on SQLite, and rechecked by PostgreSQL itself (`LIKE`).
    Indexed,
    /// SQLite: the candidates the trigram index named, already read (their rowids), each still
    /// checked as in `Scan`.
    Candidates(Vec<i64>),
}

/// A listing statement and its parameters.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ListQuery {
    pub sql: String,
    pub params: Vec<Param>,
    /// The page size (the statement asks for one more).
    pub page: usize,
    /// Whether the statement looks its free text up in the trigram index.
    pub text_indexed: bool,
}

impl ListQuery {
    /// The statement listing `filter`'s runs: columns `id`, `created_at_ms`, `document`.
    pub(crate) fn build(filter: &RunFilter, dialect: Dialect, search: TextSearch) -> Self {
        let mut params = Vec::new();
        let mut conditions = Vec::new();
        let mut bind = |param: Param| {
            params.push(param);
            format!("${}", params.len())
        };
        let text = needle(filter.text.as_deref());
        let indexable_text = text.as_deref().is_some_and(indexable);
        let text_alone =
            filter.model.is_none() && filter.dataset.is_none() && filter.author.is_none();
        // PostgreSQL, free text alone: the narrow copies of the runs' search text, by their own
        // trigram and time indexes (a walk reads the time index alone, which holds the text).
        let narrow = dialect == Dialect::Postgres && text.is_some() && text_alone;
        let (from, created, id) = match &filter.model {
            _ if narrow => ("likely_run_search r", "r.created_at_ms", "r.run_id"),
            Some(model) => {
                conditions.push(format!("m.model = {}", bind(Param::Text(model.clone()))));
                (
                    "likely_run_models m JOIN likely_runs r ON r.id = m.run_id",
                    "m.created_at_ms",
                    "m.run_id",
                )
            }
            None => ("likely_runs r", "r.created_at_ms", "r.id"),
        };
        if let Some(dataset) = &filter.dataset {
            conditions.push(format!(
                "r.dataset_fingerprint = {}",
                bind(Param::Text(dataset.clone()))
            ));
        }
        if let Some(author) = &filter.author {
            conditions.push(format!("r.author = {}", bind(Param::Text(author.clone()))));
        }
        let mut text_indexed = false;
        if let Some(text) = text {
            let search = if indexable_text {
                search
            } else {
                TextSearch::Scan
            };
            text_indexed = search != TextSearch::Scan;
            match (dialect, search) {
                (Dialect::Sqlite, TextSearch::Candidates(rowids)) => {
                    let listed: Vec<String> = rowids.iter().map(i64::to_string).collect();
                    conditions.push(format!("r.rowid IN ({})", listed.join(", ")));
                    let text = bind(Param::Text(text));
                    conditions.push(format!("instr(r.search_text, {text}) > 0"));
                }
                (Dialect::Sqlite, TextSearch::Indexed) => {
                    let phrase = bind(Param::Text(fts_phrase(&text)));
                    conditions.push(format!(
                        "r.rowid IN (SELECT rowid FROM likely_runs_search \
                         WHERE likely_runs_search MATCH {phrase})"
                    ));
                    let text = bind(Param::Text(text));
                    conditions.push(format!("instr(r.search_text, {text}) > 0"));
                }
                (Dialect::Sqlite, TextSearch::Scan) => {
                    let text = bind(Param::Text(text));
                    conditions.push(format!("instr(r.search_text, {text}) > 0"));
                }
                (Dialect::Postgres, TextSearch::Indexed | TextSearch::Candidates(_)) => {
                    let pattern = bind(Param::Text(like_pattern(&text)));
                    conditions.push(format!("r.search_text LIKE {pattern}"));
                }
                (Dialect::Postgres, TextSearch::Scan) => {
                    let text = bind(Param::Text(text));
                    conditions.push(format!("strpos(r.search_text, {text}) > 0"));
                }
            }
        }
        if let Some(before) = &filter.before {
            let at = bind(Param::Int(before.created_at_ms));
            let last = bind(Param::Text(before.id.clone()));
            conditions.push(format!("({created}, {id}) < ({at}, {last})"));
        }
        let page = filter.page_size();
        let wher = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let sql = match dialect {
            // SQLite reads a run's row only for the rows the page keeps (a deferred seek): a walk
            // checks the time index's own copy of search_text.
            Dialect::Sqlite => format!(
                "SELECT r.id, r.created_at_ms, r.document FROM {from}{wher} \
                 ORDER BY {created} DESC, {id} DESC LIMIT {}",
                page + 1
            ),
            // PostgreSQL would read every walked row, snapshot and all: the page's ids come from the
            // indexes first (an index-only walk of the time index, whose entries hold search_text),
            // then only its rows are read.
            Dialect::Postgres => format!(
                "SELECT p.id, p.created_at_ms, r.document FROM \
                 (SELECT {id} AS id, {created} AS created_at_ms FROM {from}{wher} \
                 ORDER BY {created} DESC, {id} DESC LIMIT {}) p \
                 JOIN likely_runs r ON r.id = p.id ORDER BY p.created_at_ms DESC, p.id DESC",
                page + 1
            ),
        };
        Self {
            sql,
            params,
            page,
            text_indexed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runs::RunCursor;

    #[test]
    fn filters_become_numbered_parameters_in_order() {
        let filter = RunFilter {
            model: Some("v3".into()),
            text: Some("Alice".into()),
            before: Some(RunCursor {
                created_at_ms: 5,
                id: "AAAAAAAAAAAAAAAAAAAAAA".into(),
            }),
            limit: 10,
            ..RunFilter::default()
        };
        let query = ListQuery::build(&filter, Dialect::Postgres, TextSearch::Scan);
        assert!(query.sql.contains("m.model = $1"), "{}", query.sql);
        assert!(query.sql.contains("strpos(r.search_text, $2) > 0"));
        assert!(query.sql.contains("(m.created_at_ms, m.run_id) < ($3, $4)"));
        assert!(query.sql.contains("LIMIT 11) p"), "{}", query.sql);
        assert_eq!(query.params[1], Param::Text("alice".into()));
        let plain = ListQuery::build(&RunFilter::default(), Dialect::Sqlite, TextSearch::Indexed);
        assert!(!plain.sql.contains("WHERE"));
        assert!(plain.sql.ends_with("LIMIT 51"));
    }

    #[test]
    fn indexed_text_asks_the_index_and_still_checks_the_run() {
        let filter = RunFilter {
            text: Some("Tune_3\"".into()),
            ..RunFilter::default()
        };
        let sqlite = ListQuery::build(&filter, Dialect::Sqlite, TextSearch::Indexed);
        assert!(
            sqlite.sql.contains("likely_runs_search MATCH $1"),
            "{}",
            sqlite.sql
        );
        assert!(sqlite.sql.contains("instr(r.search_text, $2) > 0"));
        assert_eq!(
            sqlite.params,
            [
                Param::Text("\"tune_3\"\"\"".into()),
                Param::Text("tune_3\"".into())
            ]
        );
        let postgres = ListQuery::build(&filter, Dialect::Postgres, TextSearch::Indexed);
        assert!(
            postgres.sql.contains("r.search_text LIKE $1"),
            "{}",
            postgres.sql
        );
        assert!(
            postgres.sql.contains("FROM likely_run_search r"),
            "{}",
            postgres.sql
        );
        assert_eq!(postgres.params, [Param::Text("%tune\\_3\"%".into())]);
        let empty = RunFilter {
            text: Some(String::new()),
            ..RunFilter::default()
        };
        let none = ListQuery::build(&empty, Dialect::Postgres, TextSearch::Indexed);
        assert!(!none.sql.contains("WHERE"));
    }
}
