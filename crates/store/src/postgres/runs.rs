//! The record in PostgreSQL: a run and its per-model rows in one transaction, queries through the pool.

use std::time::SystemTime;

use tokio_postgres::types::ToSql;

use super::columns::columns;
use super::store::PostgresStore;
use crate::clock::{now_unix_ms, to_unix_ms};
use crate::error::Result;
use crate::id::ShareId;
use crate::runs::search::{grams, indexable, needle};
use crate::runs::statements::{self as st, at, meta, point};
use crate::runs::{
    Dataset, DatasetMeta, Dialect, KeepOutcome, ListQuery, ModelPoint, NewDataset, NewRun, Param,
    RunDeletion, RunFilter, RunPage, RunRow, RunSaved, RunStore, StoredRun, TextSearch,
};
use crate::token::DeleteToken;

fn meta_of(row: &tokio_postgres::Row) -> Result<DatasetMeta> {
    meta(columns(row)?)
}

impl RunStore for PostgresStore {
    async fn record_run(&self, new: NewRun) -> Result<RunSaved> {
        let id = ShareId::generate()?;
        let token = DeleteToken::generate()?;
        let created_at_ms = to_unix_ms(new.created_at);
        let digest = token.digest().0;
        let search_text = new.search_text.to_lowercase();
        let grams = grams(&search_text);
        let mut client = self.pool().get().await?;
        let tx = client.transaction().await?;
        tx.execute(
            st::INSERT_RUN,
            &[
                &id.as_str(),
                &created_at_ms,
                &new.author,
                &new.dataset_fingerprint,
                &new.dataset_name,
                &new.baseline,
                &search_text,
                &new.document,
                &new.snapshot_kind,
                &new.snapshot,
                &&digest[..],
            ],
        )
        .await?;
        for (position, figure) in (0i64..).zip(&new.models) {
            tx.execute(
                st::INSERT_MODEL,
                &[
                    &id.as_str(),
                    &figure.model,
                    &position,
                    &created_at_ms,
                    &new.dataset_fingerprint,
                    &figure.avg_loglik,
                    &figure.loss,
                    &figure.loss_low,
                    &figure.loss_high,
                ],
            )
            .await?;
        }
        tx.execute(
            st::INSERT_SEARCH,
            &[&id.as_str(), &created_at_ms, &search_text],
        )
        .await?;
        tx.execute(st::INSERT_GRAMS, &[&grams]).await?;
        // Committed (and, with synchronous_commit on, flushed) when the server answers.
        tx.commit().await?;
        Ok(RunSaved {
            id: id.as_str().to_owned(),
            delete_token: token,
            created_at: at(created_at_ms),
        })
    }

    async fn list_runs(&self, filter: RunFilter) -> Result<RunPage> {
        // Text the trigram index can look up is a `LIKE` the planner weighs against the time index
        // (a rare text: the index's few candidates; a common one: the newest runs, checked), planned
        // for this text each time (not a cached generic plan, which cannot tell the two apart).
        let query = ListQuery::build(&filter, Dialect::Postgres, TextSearch::Indexed);
        let params: Vec<Box<dyn ToSql + Sync + Send>> = query
            .params
            .into_iter()
            .map(|param| -> Box<dyn ToSql + Sync + Send> {
                match param {
                    Param::Text(text) => Box::new(text),
                    Param::Int(int) => Box::new(int),
                }
            })
            .collect();
        let refs: Vec<&(dyn ToSql + Sync)> = params
            .iter()
            .map(|param| param.as_ref() as &(dyn ToSql + Sync))
            .collect();
        let client = self.pool().get().await?;
        if let Some(short) = needle(filter.text.as_deref()).filter(|text| !indexable(text)) {
            let held: i64 = client
                .query_one(st::HAS_GRAM, &[&short])
                .await?
                .try_get(0)?;
            if held == 0 {
                return Ok(RunPage::default());
            }
        }
        let statement = if query.text_indexed {
            client.prepare(&query.sql).await?
        } else {
            client.prepare_cached(&query.sql).await?
        };
        let rows = client
            .query(&statement, &refs)
            .await?
            .into_iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(st::page(rows, query.page))
    }

    async fn get_run(&self, id: &str) -> Result<Option<StoredRun>> {
        let Some(id) = ShareId::parse(id) else {
            return Ok(None);
        };
        let client = self.pool().get().await?;
        client
            .query_opt(st::GET_RUN, &[&id.as_str()])
            .await?
            .map(|row| -> Result<StoredRun> {
                Ok(StoredRun {
                    row: RunRow {
                        id: row.try_get(0)?,
                        created_at: at(row.try_get(1)?),
                        document: row.try_get(2)?,
                    },
                    snapshot_kind: row.try_get(3)?,
                    snapshot: row.try_get(4)?,
                })
            })
            .transpose()
    }

    async fn delete_run(&self, id: &str, delete_token: Option<&str>) -> Result<RunDeletion> {
        let Some(id) = ShareId::parse(id) else {
            return Ok(RunDeletion::NotFound);
        };
        let mut client = self.pool().get().await?;
        let tx = client.transaction().await?;
        let stored: Option<Vec<u8>> = tx
            .query_opt(&format!("{} FOR UPDATE", st::RUN_TOKEN), &[&id.as_str()])
            .await?
            .map(|row| row.try_get(0))
            .transpose()?;
        let outcome = st::deletion(stored, delete_token)?;
        if outcome == RunDeletion::Deleted {
            tx.execute(st::DELETE_MODELS, &[&id.as_str()]).await?;
            tx.execute(st::DELETE_RUN, &[&id.as_str()]).await?;
        }
        tx.commit().await?;
        Ok(outcome)
    }

    async fn purge_runs_before(&self, cutoff: SystemTime) -> Result<u64> {
        let cutoff_ms = to_unix_ms(cutoff);
        let mut client = self.pool().get().await?;
        let tx = client.transaction().await?;
        tx.execute(st::PURGE_MODELS, &[&cutoff_ms]).await?;
        let purged = tx.execute(st::PURGE_RUNS, &[&cutoff_ms]).await?;
        tx.commit().await?;
        Ok(purged)
    }

    async fn dataset_points(&self, fingerprint: &str) -> Result<Vec<ModelPoint>> {
        let client = self.pool().get().await?;
        client
            .query(st::POINTS, &[&fingerprint])
            .await?
            .into_iter()
            .map(|row| Ok(point(columns(&row)?)))
            .collect()
    }

    async fn keep_dataset(&self, new: NewDataset) -> Result<KeepOutcome> {
        let client = self.pool().get().await?;
        let inserted = client
            .execute(
                st::KEEP_DATASET,
                &[
                    &new.fingerprint,
                    &new.name,
                    &new.description,
                    &i64::try_from(new.snippet_count).unwrap_or(i64::MAX),
                    &i64::try_from(new.snippets.len()).unwrap_or(i64::MAX),
                    &new.snippets,
                    &now_unix_ms(),
                ],
            )
            .await?;
        let kept = meta_of(
            &client
                .query_one(st::DATASET_META, &[&new.fingerprint])
                .await?,
        )?;
        Ok(if inserted == 1 {
            KeepOutcome::Kept(kept)
        } else {
            KeepOutcome::AlreadyKept(kept)
        })
    }

    async fn list_datasets(&self) -> Result<Vec<DatasetMeta>> {
        let client = self.pool().get().await?;
        client
            .query(st::LIST_DATASETS, &[])
            .await?
            .iter()
            .map(meta_of)
            .collect()
    }

    async fn get_dataset(&self, fingerprint: &str) -> Result<Option<Dataset>> {
        let client = self.pool().get().await?;
        client
            .query_opt(st::GET_DATASET, &[&fingerprint])
            .await?
            .map(|row| {
                Ok(Dataset {
                    meta: meta_of(&row)?,
                    snippets: row.try_get(6)?,
                })
            })
            .transpose()
    }
}
