//! The team's record on the server: runs (`/v1/runs`) and held-out sets kept for the team
//! (`/v1/datasets`), with the wire types of `likely_core::record`.

use super::{call, call_without_answer, ApiFailure};
use crate::routes::RunsQuery;
use gloo_net::http::Request;
use likely_core::record::{
    CreatedRun, DatasetList, DatasetSnippets, KeptDataset, Leaderboard, NewDataset, NewRun,
    RunDetail, RunList,
};
use likely_core::share_api::DELETE_TOKEN_HEADER;

fn encoded(part: &str) -> String {
    String::from(js_sys::encode_uri_component(part))
}

/// Records a finished evaluation as a run.
pub async fn record_run(run: &NewRun) -> Result<CreatedRun, ApiFailure> {
    call(Request::post("/v1/runs").json(run)).await
}

/// One page of runs, newest first: `query`'s filters, after `before` (a previous page's `next`).
pub async fn list_runs(query: &RunsQuery, before: Option<&str>) -> Result<RunList, ApiFailure> {
    let mut pairs = query.pairs();
    if let Some(before) = before {
        pairs.push(("before", before));
    }
    call(Request::get("/v1/runs").query(pairs).build()).await
}

/// One run, with its snapshot.
pub async fn open_run(id: &str) -> Result<RunDetail, ApiFailure> {
    call(Request::get(&format!("/v1/runs/{}", encoded(id))).build()).await
}

/// Deletes run `id`, with its delete token when this browser holds one (a server with access
/// control needs none).
pub async fn delete_run(id: &str, token: Option<&str>) -> Result<(), ApiFailure> {
    let mut request = Request::delete(&format!("/v1/runs/{}", encoded(id)));
    if let Some(token) = token {
        request = request.header(DELETE_TOKEN_HEADER, token);
    }
    call_without_answer(request.build()).await
}

/// Keeps a held-out set for the team (the same snippets kept twice are one set).
pub async fn keep_dataset(set: &NewDataset) -> Result<KeptDataset, ApiFailure> {
    call(Request::post("/v1/datasets").json(set)).await
}

/// The kept sets, newest first.
pub async fn list_datasets() -> Result<DatasetList, ApiFailure> {
    call(Request::get("/v1/datasets").build()).await
}

/// A kept set's snippets.
pub async fn dataset_snippets(fingerprint: &str) -> Result<DatasetSnippets, ApiFailure> {
    call(Request::get(&format!("/v1/datasets/{}/snippets", encoded(fingerprint))).build()).await
}

/// A set's leaderboard: every model evaluated on it, with a point per run.
pub async fn leaderboard(fingerprint: &str) -> Result<Leaderboard, ApiFailure> {
    call(Request::get(&format!("/v1/datasets/{}", encoded(fingerprint))).build()).await
}
