//! The record in the SQLite file: runs and their per-model rows written in one IMMEDIATE
//! transaction on the writer connection, queries on the reader.

use std::time::SystemTime;

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension, TransactionBehavior};

use super::connection::Role;
use super::store::SqliteStore;
use crate::clock::{now_unix_ms, to_unix_ms};
use crate::error::Result;
use crate::id::ShareId;
use crate::runs::search::{fts_phrase, grams, indexable, needle, MAX_INDEXED_CANDIDATES};
use crate::runs::statements::{self as st, at, meta, point, MetaColumns};
use crate::runs::{
    Dataset, DatasetMeta, Dialect, KeepOutcome, ListQuery, ModelPoint, NewDataset, NewRun, Param,
    RunDeletion, RunFilter, RunPage, RunRow, RunSaved, RunStore, StoredRun, TextSearch,
};
use crate::token::DeleteToken;

fn value(param: Param) -> Value {
    match param {
        Param::Text(text) => Value::Text(text),
        Param::Int(int) => Value::Integer(int),
    }
}

/// How to find the filter's free text: the trigram index's candidates when it names at most
/// [`MAX_INDEXED_CANDIDATES`] runs (reading stops there), else by walking the runs newest first,
/// where a common text fills a page after a few rows.
fn text_search(conn: &rusqlite::Connection, filter: &RunFilter) -> Result<TextSearch> {
    let Some(text) = needle(filter.text.as_deref()).filter(|text| indexable(text)) else {
        return Ok(TextSearch::Scan);
    };
    let rowids = conn
        .prepare_cached(
            "SELECT rowid FROM likely_runs_search WHERE likely_runs_search MATCH ?1 LIMIT ?2",
        )?
        .query_map(
            params![fts_phrase(&text), MAX_INDEXED_CANDIDATES + 1],
            |row| row.get(0),
        )?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(
        if i64::try_from(rowids.len()).unwrap_or(i64::MAX) > MAX_INDEXED_CANDIDATES {
            TextSearch::Scan
        } else {
            TextSearch::Candidates(rowids)
        },
    )
}

/// A listing statement's rows: id, created_at_ms, document.
fn page_rows(
    statement: &mut rusqlite::Statement<'_>,
    params: Vec<Param>,
) -> rusqlite::Result<Vec<(String, i64, String)>> {
    statement
        .query_map(params_from_iter(params.into_iter().map(value)), |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?
        .collect()
}

impl RunStore for SqliteStore {
    async fn record_run(&self, new: NewRun) -> Result<RunSaved> {
        let id = ShareId::generate()?;
        let token = DeleteToken::generate()?;
        let created_at_ms = to_unix_ms(new.created_at);
        let digest = token.digest().0;
        let run_id = id.as_str().to_owned();
        let search_text = new.search_text.to_lowercase();
        let grams = grams(&search_text);
        self.run(Role::Writer, move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                st::INSERT_RUN,
                params![
                    run_id,
                    created_at_ms,
                    new.author,
                    new.dataset_fingerprint,
                    new.dataset_name,
                    new.baseline,
                    search_text,
                    new.document,
                    new.snapshot_kind,
                    new.snapshot,
                    &digest[..],
                ],
            )?;
            for (position, figure) in (0i64..).zip(&new.models) {
                tx.execute(
                    st::INSERT_MODEL,
                    params![
                        run_id,
                        figure.model,
                        position,
                        created_at_ms,
                        new.dataset_fingerprint,
                        figure.avg_loglik,
                        figure.loss,
                        figure.loss_low,
                        figure.loss_high,
                    ],
                )?;
            }
            {
                let mut insert = tx.prepare_cached(st::INSERT_GRAM)?;
                for gram in &grams {
                    insert.execute([gram])?;
                }
            }
            tx.commit()?;
            Ok(())
        })
        .await?;
        Ok(RunSaved {
            id: id.as_str().to_owned(),
            delete_token: token,
            created_at: at(created_at_ms),
        })
    }

    async fn list_runs(&self, filter: RunFilter) -> Result<RunPage> {
        self.run(Role::Reader, move |conn| {
            if let Some(short) = needle(filter.text.as_deref()).filter(|text| !indexable(text)) {
                let held: i64 = conn
                    .prepare_cached(st::HAS_GRAM)?
                    .query_row([short], |row| row.get(0))?;
                if held == 0 {
                    return Ok(RunPage::default());
                }
            }
            let query = ListQuery::build(&filter, Dialect::Sqlite, text_search(conn, &filter)?);
            // A list of candidates makes a statement of its own: not one for the cache.
            let rows = if query.text_indexed {
                page_rows(&mut conn.prepare(&query.sql)?, query.params)?
            } else {
                let mut cached = conn.prepare_cached(&query.sql)?;
                page_rows(&mut cached, query.params)?
            };
            Ok(st::page(rows, query.page))
        })
        .await
    }

    async fn get_run(&self, id: &str) -> Result<Option<StoredRun>> {
        let Some(id) = ShareId::parse(id) else {
            return Ok(None);
        };
        self.run(Role::Reader, move |conn| {
            Ok(conn
                .query_row(st::GET_RUN, [id.as_str()], |row| {
                    Ok(StoredRun {
                        row: RunRow {
                            id: row.get(0)?,
                            created_at: at(row.get(1)?),
                            document: row.get(2)?,
                        },
                        snapshot_kind: row.get(3)?,
                        snapshot: row.get(4)?,
                    })
                })
                .optional()?)
        })
        .await
    }

    async fn delete_run(&self, id: &str, delete_token: Option<&str>) -> Result<RunDeletion> {
        let Some(id) = ShareId::parse(id) else {
            return Ok(RunDeletion::NotFound);
        };
        let token = delete_token.map(str::to_owned);
        self.run(Role::Writer, move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let stored: Option<Vec<u8>> = tx
                .query_row(st::RUN_TOKEN, [id.as_str()], |row| row.get(0))
                .optional()?;
            let outcome = st::deletion(stored, token.as_deref())?;
            if outcome == RunDeletion::Deleted {
                tx.execute(st::DELETE_MODELS, [id.as_str()])?;
                tx.execute(st::DELETE_RUN, [id.as_str()])?;
            }
            tx.commit()?;
            Ok(outcome)
        })
        .await
    }

    async fn purge_runs_before(&self, cutoff: SystemTime) -> Result<u64> {
        let cutoff_ms = to_unix_ms(cutoff);
        self.run(Role::Writer, move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(st::PURGE_MODELS, [cutoff_ms])?;
            let purged = tx.execute(st::PURGE_RUNS, [cutoff_ms])?;
            tx.commit()?;
            if purged > 0 {
                conn.execute_batch("PRAGMA incremental_vacuum")?;
            }
            Ok(u64::try_from(purged).unwrap_or(u64::MAX))
        })
        .await
    }

    async fn dataset_points(&self, fingerprint: &str) -> Result<Vec<ModelPoint>> {
        let fingerprint = fingerprint.to_owned();
        self.run(Role::Reader, move |conn| {
            let mut statement = conn.prepare_cached(st::POINTS)?;
            let points = statement
                .query_map([fingerprint], |row| Ok(point(row.try_into()?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(points)
        })
        .await
    }

    async fn keep_dataset(&self, new: NewDataset) -> Result<KeepOutcome> {
        let now_ms = now_unix_ms();
        self.run(Role::Writer, move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let inserted = tx.execute(
                st::KEEP_DATASET,
                params![
                    new.fingerprint,
                    new.name,
                    new.description,
                    i64::try_from(new.snippet_count).unwrap_or(i64::MAX),
                    i64::try_from(new.snippets.len()).unwrap_or(i64::MAX),
                    new.snippets,
                    now_ms,
                ],
            )?;
            let columns: MetaColumns =
                tx.query_row(st::DATASET_META, [&new.fingerprint], |row| row.try_into())?;
            tx.commit()?;
            let kept = meta(columns)?;
            Ok(if inserted == 1 {
                KeepOutcome::Kept(kept)
            } else {
                KeepOutcome::AlreadyKept(kept)
            })
        })
        .await
    }

    async fn list_datasets(&self) -> Result<Vec<DatasetMeta>> {
        self.run(Role::Reader, move |conn| {
            let mut statement = conn.prepare_cached(st::LIST_DATASETS)?;
            let rows = statement
                .query_map([], |row| MetaColumns::try_from(row))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter().map(meta).collect()
        })
        .await
    }

    async fn get_dataset(&self, fingerprint: &str) -> Result<Option<Dataset>> {
        let fingerprint = fingerprint.to_owned();
        self.run(Role::Reader, move |conn| {
            let row = conn
                .query_row(st::GET_DATASET, [fingerprint], |row| {
                    Ok((MetaColumns::try_from(row)?, row.get::<_, String>(6)?))
                })
                .optional()?;
            row.map(|(columns, snippets)| {
                Ok(Dataset {
                    meta: meta(columns)?,
                    snippets,
                })
            })
            .transpose()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runs::MAX_PAGE;
    use rusqlite::Connection;

    /// A migrated in-memory database holding a run per text (and `common` runs holding "common").
    fn database(texts: &[&str], common: usize) -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        let all = texts
            .iter()
            .map(|text| (*text).to_owned())
            .chain((0..common).map(|i| format!("base\ncommon-{i}")));
        for (i, text) in all.enumerate() {
            conn.execute(
                st::INSERT_RUN,
                params![
                    format!("{i:0>22}"),
                    i64::try_from(i / 3).unwrap(),
                    None::<String>,
                    "set",
                    None::<String>,
                    "base",
                    text.to_lowercase(),
                    "{}",
                    None::<String>,
                    None::<Vec<u8>>,
                    &[0u8; 32][..],
                ],
            )
            .unwrap();
        }
        conn
    }

    fn ids(conn: &Connection, filter: &RunFilter, search: TextSearch) -> Vec<String> {
        let query = ListQuery::build(filter, Dialect::Sqlite, search);
        let mut statement = conn.prepare(&query.sql).unwrap();
        statement
            .query_map(
                params_from_iter(query.params.into_iter().map(value)),
                |row| row.get(0),
            )
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn the_index_and_the_walk_find_the_same_runs() {
        let texts = [
            "Base\nTUNE-3-v1\nalice",
            "base\ntune-30\nbob\nTeam Set",
            "ünï\nmodel_50%",
            "quote\"d\nback\\slash",
            "ab",
            "İstanbul",
        ];
        let conn = database(&texts, 0);
        for needle in [
            "a", "ab", "tune-3", "TUNE", "ünï", "ÜNÏ", "_50%", "\"d", "k\\s", "e\nt", "i̇st", "zzz",
            "team set", "*", "a OR b",
        ] {
            let filter = RunFilter {
                text: Some(needle.into()),
                limit: MAX_PAGE,
                ..RunFilter::default()
            };
            let lower = needle.to_lowercase();
            let expected: Vec<String> = (0..texts.len())
                .rev()
                .filter(|&i| texts[i].to_lowercase().contains(&lower))
                .map(|i| format!("{i:0>22}"))
                .collect();
            assert_eq!(
                ids(&conn, &filter, TextSearch::Scan),
                expected,
                "{needle:?}"
            );
            assert_eq!(
                ids(&conn, &filter, TextSearch::Indexed),
                expected,
                "{needle:?}"
            );
            let found = text_search(&conn, &filter).unwrap();
            assert_eq!(ids(&conn, &filter, found), expected, "{needle:?}");
        }
    }

    #[test]
    fn common_text_walks_the_runs_and_rare_text_asks_the_index() {
        let conn = database(&["rare-model"], 2_001);
        let search = |text: &str| {
            let filter = RunFilter {
                text: Some(text.into()),
                ..RunFilter::default()
            };
            text_search(&conn, &filter).unwrap()
        };
        assert_eq!(search("Rare-"), TextSearch::Candidates(vec![1]));
        assert_eq!(search("zzz"), TextSearch::Candidates(vec![]));
        assert_eq!(search("common"), TextSearch::Scan);
        assert_eq!(search("co"), TextSearch::Scan);
        let common = RunFilter {
            text: Some("COMMON-20".into()),
            limit: MAX_PAGE,
            ..RunFilter::default()
        };
        // "common-20", "common-200" … "common-209" and "common-2000": 12 runs either way.
        let walked = ids(&conn, &common, TextSearch::Scan);
        assert_eq!(walked.len(), 12);
        assert_eq!(ids(&conn, &common, TextSearch::Indexed), walked);
    }

    #[test]
    fn the_index_follows_inserts_updates_deletes_and_purges() {
        let conn = database(&["alpha-model", "beta-model", "gamma-model"], 0);
        let check = || {
            conn.execute(
                "INSERT INTO likely_runs_search (likely_runs_search) VALUES ('integrity-check')",
                [],
            )
            .unwrap();
        };
        let found = |text: &str| {
            let filter = RunFilter {
                text: Some(text.into()),
                ..RunFilter::default()
            };
            ids(&conn, &filter, TextSearch::Indexed)
        };
        check();
        conn.execute(st::DELETE_RUN, [format!("{:0>22}", 1)])
            .unwrap();
        check();
        assert!(found("beta").is_empty());
        conn.execute(
            "UPDATE likely_runs SET search_text = 'delta-model' WHERE id = ?1",
            [format!("{:0>22}", 2)],
        )
        .unwrap();
        check();
        assert!(found("gamma").is_empty());
        assert_eq!(found("delta"), [format!("{:0>22}", 2)]);
        conn.execute(st::PURGE_RUNS, [1]).unwrap();
        check();
        assert!(found("model").is_empty());
    }
}
