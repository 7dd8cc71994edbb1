//! The listing's SQL, built once for both databases from a [`RunFilter`]: the filters that are set,
//! the keyset condition, newest first. With a model filter the query walks the per-model rows by their
//! (model, time) index; otherwise the runs by time (or by set or author). One row more than the page
//! is asked for, to know whether another page follows.

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

/// A listing statement and its parameters.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ListQuery {
    pub sql: String,
    pub params: Vec<Param>,
    /// The page size (the statement asks for one more).
    pub page: usize,
}

impl ListQuery {
    /// The statement listing `filter`'s runs: columns `id`, `created_at_ms`, `document`.
    pub(crate) fn build(filter: &RunFilter, dialect: Dialect) -> Self {
        let mut params = Vec::new();
        let mut conditions = Vec::new();
        let mut bind = |param: Param| {
            params.push(param);
            format!("${}", params.len())
        };
        let (from, created, id) = match &filter.model {
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
        if let Some(text) = filter.text.as_deref().filter(|text| !text.is_empty()) {
            let needle = bind(Param::Text(text.to_lowercase()));
            conditions.push(match dialect {
                Dialect::Sqlite => format!("instr(r.search_text, {needle}) > 0"),
                Dialect::Postgres => format!("strpos(r.search_text, {needle}) > 0"),
            });
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
        let sql = format!(
            "SELECT r.id, r.created_at_ms, r.document FROM {from}{wher} \
             ORDER BY {created} DESC, {id} DESC LIMIT {}",
            page + 1
        );
        Self { sql, params, page }
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
        let query = ListQuery::build(&filter, Dialect::Postgres);
        assert!(query.sql.contains("m.model = $1"), "{}", query.sql);
        assert!(query.sql.contains("strpos(r.search_text, $2) > 0"));
        assert!(query.sql.contains("(m.created_at_ms, m.run_id) < ($3, $4)"));
        assert!(query.sql.ends_with("LIMIT 11"));
        assert_eq!(query.params[1], Param::Text("alice".into()));
        let plain = ListQuery::build(&RunFilter::default(), Dialect::Sqlite);
        assert!(!plain.sql.contains("WHERE"));
        assert!(plain.sql.ends_with("LIMIT 51"));
    }
}
