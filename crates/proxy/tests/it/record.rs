//! The team's record over real HTTP against the real `likely` binary: runs recorded, listed (keyset
//! pages, filters), opened and deleted; kept held-out sets and their leaderboard; what `--record
//! figures` keeps out of the database; bad input refused whole; SIGKILL in the middle of a burst of
//! recordings (SQLite and PostgreSQL); two servers on one PostgreSQL; PostgreSQL going away under
//! a server (503, then back, nothing acknowledged lost); `likely runs`.

use likely_core::record::{fingerprint, new_run, NewRun};
use likely_core::snapshot::{self, Scope};
use likely_core::{
    Evaluation, GenerateParams, ModelSpec, Outcome, ScoredToken, Snippet, SnippetResult,
};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

use crate::common::burst::{acknowledged_before_sigkill, client};
use crate::common::served;
use likely_testkit::postgres::postgres_url;
use likely_testkit::serve::Served;

/// Held-out text that must never reach the database with `--record figures`.
const PHRASE: &str = "quokkas of Zanzibar";

fn start(dir: &Path, store: &str, extra: &[&str], token: Option<&str>) -> Served {
    served::serve_stored(dir, store, extra, token)
}

fn sqlite(dir: &Path) -> String {
    format!("sqlite:{}", dir.join("record.sqlite3").display())
}

/// An evaluation of `snippets` snippets of the set `set` (a word in every text) by `base` and the
/// `customs`; a custom named `vN` is 0.2·N nats per token better than the base.
fn evaluation(set: &str, snippets: usize, customs: &[&str], finish: bool) -> Evaluation {
    let texts: Vec<String> = (0..snippets)
        .map(|i| format!("The {PHRASE} of {set} number {i} sing."))
        .collect();
    let mut e = Evaluation::new(
        texts.iter().map(Snippet::pasted).collect(),
        GenerateParams::default(),
        ModelSpec::named("base"),
        customs.iter().map(|c| ModelSpec::named(*c)).collect(),
    )
    .unwrap();
    let models: Vec<&str> = std::iter::once("base")
        .chain(customs.iter().copied())
        .collect();
    for (m, model) in models.iter().enumerate() {
        let better = model
            .strip_prefix('v')
            .and_then(|n| n.parse::<f64>().ok())
            .map_or(0.0, |n| 0.2 * n);
        for (i, text) in texts.iter().enumerate() {
            if !finish && m == models.len() - 1 && i == snippets - 1 {
                continue;
            }
            let tokens = text
                .split_inclusive(' ')
                .enumerate()
                .map(|(t, piece)| ScoredToken {
                    text: piece.to_string(),
                    logprob: (t > 0).then_some(-3.0 + better - ((t + i) % 3) as f64 / 2.0),
                    top: None,
                    rank: None,
                    id: None,
                    top_k: None,
                })
                .collect();
            e.set_outcome(model, i, Outcome::Scored(SnippetResult::single(tokens)))
                .unwrap();
        }
    }
    e
}

fn run_of(e: &Evaluation, author: Option<&str>) -> NewRun {
    new_run(
        e,
        &[],
        author.map(str::to_string),
        Some("held-out.txt".into()),
        Scope::Everything,
    )
    .unwrap()
}

async fn post_run(server: &Served, run: &impl serde::Serialize) -> reqwest::Response {
    client()
        .post(format!("{}/v1/runs", server.url))
        .json(run)
        .send()
        .await
        .unwrap()
}

async fn recorded(server: &Served, run: &NewRun) -> Value {
    let answer = post_run(server, run).await;
    let status = answer.status();
    let body: Value = answer.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    body
}

async fn get(server: &Served, path: &str) -> reqwest::Response {
    client()
        .get(format!("{}{path}", server.url))
        .send()
        .await
        .unwrap()
}

async fn get_json(server: &Served, path: &str) -> Value {
    let answer = get(server, path).await;
    assert_eq!(answer.status(), 200, "{path}");
    answer.json().await.unwrap()
}

async fn message(answer: reqwest::Response) -> String {
    let body: Value = answer.json().await.unwrap();
    body["message"].as_str().unwrap_or_default().to_string()
}

fn ids(list: &Value) -> Vec<String> {
    list["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|run| run["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_finished_run_is_recorded_listed_opened_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &sqlite(dir.path()), &[], None);
    let e = evaluation("alpha", 6, &["v1", "v2"], true);
    let run = run_of(&e, Some("alice"));
    let created = recorded(&server, &run).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["path"], format!("/runs/{id}"));
    assert_eq!(created["recorded"], "figures");
    let other = recorded(
        &server,
        &run_of(&evaluation("beta", 3, &["v3"], true), None),
    )
    .await;

    let list = get_json(&server, "/v1/runs").await;
    assert_eq!(
        ids(&list),
        [other["id"].as_str().unwrap(), id],
        "newest first"
    );
    let row = &list["runs"][1];
    assert_eq!(row["author"], "alice");
    assert_eq!(row["baseline"], "base");
    assert_eq!(row["dataset"]["fingerprint"], fingerprint(&e.snippets));
    assert_eq!(row["dataset"]["name"], "held-out.txt");
    assert_eq!(row["customs"][0]["model"], "v1");
    let loss = run
        .document
        .comparisons
        .iter()
        .find(|c| c.custom == "v1" && c.metric == "loss")
        .unwrap();
    assert_eq!(row["customs"][0]["delta_loss"].as_f64(), loss.delta);
    assert_eq!(row["customs"][0]["loss_verdict"], json!(loss.verdict));

    let fp = fingerprint(&e.snippets);
    for (query, expected) in [
        ("model=v1".to_string(), vec![id]),
        ("model=v3".to_string(), vec![other["id"].as_str().unwrap()]),
        (format!("dataset={fp}"), vec![id]),
        ("author=alice".to_string(), vec![id]),
        ("q=ALI".to_string(), vec![id]),
        ("q=command".to_string(), vec![]),
        ("model=v1&author=bob".to_string(), vec![]),
    ] {
        let list = get_json(&server, &format!("/v1/runs?{query}")).await;
        assert_eq!(ids(&list), expected, "{query}");
    }

    // Opened as a share link opens: the same figures from its snapshot, without the texts.
    let detail = get_json(&server, &format!("/v1/runs/{id}")).await;
    assert_eq!(detail["snapshot_scope"], "figures");
    assert_eq!(detail["models"][1]["backend"], Value::Null);
    assert_eq!(detail["figures"], json!(run.document.figures));
    let opened = snapshot::from_fragment(detail["snapshot"].as_str().unwrap()).unwrap();
    assert_eq!(opened.scope, Scope::Figures);
    assert_eq!(
        likely_core::record::run_figures(&opened.evaluation).0,
        run.document.figures
    );
    assert!(!opened.evaluation.snippets[0].text.contains(PHRASE));

    let delete = |token: Option<&str>| {
        let mut request = client().delete(format!("{}/v1/runs/{id}", server.url));
        if let Some(token) = token {
            request = request.header("likely-delete-token", token);
        }
        request.send()
    };
    assert_eq!(delete(None).await.unwrap().status(), 403);
    assert_eq!(delete(Some("not-the-token")).await.unwrap().status(), 403);
    let token = created["delete_token"].as_str().unwrap();
    assert_eq!(delete(Some(token)).await.unwrap().status(), 204);
    let gone = get(&server, &format!("/v1/runs/{id}")).await;
    assert_eq!(gone.status(), 404);
    assert!(message(gone).await.contains("no run with this id"));
    assert_eq!(delete(Some(token)).await.unwrap().status(), 404);
    assert_eq!(ids(&get_json(&server, "/v1/runs").await).len(), 1);
}

#[tokio::test]
async fn runs_come_fifty_at_a_time_by_keyset() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &sqlite(dir.path()), &[], None);
    let run = run_of(&evaluation("paged", 2, &["v"], true), None);
    let mut made = Vec::new();
    for _ in 0..53 {
        made.push(
            recorded(&server, &run).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let first = get_json(&server, "/v1/runs").await;
    assert_eq!(ids(&first).len(), 50);
    let next = first["next"].as_str().unwrap();
    // A run recorded between the pages does not shift the second page.
    recorded(&server, &run).await;
    let second = get_json(&server, &format!("/v1/runs?before={next}")).await;
    assert_eq!(ids(&second).len(), 3);
    assert!(second["next"].is_null());
    let mut seen = ids(&first);
    seen.extend(ids(&second));
    made.reverse();
    let mut sorted_seen = seen.clone();
    sorted_seen.sort();
    let mut sorted_made = made.clone();
    sorted_made.sort();
    assert_eq!(sorted_seen, sorted_made, "every run once");
    let small = get_json(&server, "/v1/runs?limit=5").await;
    assert_eq!(ids(&small).len(), 5);
}

#[tokio::test]
async fn bad_input_is_refused_with_a_reason_and_nothing_is_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("record.sqlite3");
    let server = start(
        dir.path(),
        &format!("sqlite:{}", db.display()),
        &["--max-upload-bytes", "20000"],
        None,
    );
    let unknown = get(&server, "/v1/runs/AAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(unknown.status(), 404);
    assert!(message(unknown).await.contains("no run with this id"));
    assert_eq!(get(&server, "/v1/runs/..%2F..%2Fetc").await.status(), 404);
    for (query, named) in [
        ("before=yesterday", "`before`"),
        ("limit=0", "`limit`"),
        ("limit=many", "`limit`"),
        ("limit=100000", "`limit`"),
        ("dataset=not-a-fingerprint", "`dataset`"),
    ] {
        let answer = get(&server, &format!("/v1/runs?{query}")).await;
        assert_eq!(answer.status(), 400, "{query}");
        assert!(message(answer).await.contains(named), "{query}");
    }
    let long = "m".repeat(500);
    let answer = get(&server, &format!("/v1/runs?model={long}")).await;
    assert_eq!(answer.status(), 400);
    assert!(message(answer).await.contains("`model`"));

    let e = evaluation("tamper", 4, &["v1"], true);
    let honest = run_of(&e, None);
    let mut tampered = honest.clone();
    tampered.document.figures[1].avg_loglik = Some(-0.01);
    let answer = post_run(&server, &tampered).await;
    assert_eq!(answer.status(), 422);
    assert!(message(answer)
        .await
        .contains("does not match its snapshot"));
    let mut damaged = honest.clone();
    damaged.snapshot.replace_range(12..20, "AAAAAAAA");
    assert_eq!(post_run(&server, &damaged).await.status(), 422);
    let unfinished = run_of(&evaluation("tamper", 4, &["v1"], false), None);
    let answer = post_run(&server, &unfinished).await;
    assert_eq!(answer.status(), 422);
    assert!(message(answer).await.contains("finished"));
    let answer = post_run(&server, &json!({"models": "nope"})).await;
    assert_eq!(answer.status(), 400);

    let big: Vec<Value> = (0..400)
        .map(|i| json!({"text": format!("snippet {i} {}", "word ".repeat(20))}))
        .collect();
    let answer = client()
        .post(format!("{}/v1/datasets", server.url))
        .json(&json!({"name": "too big", "snippets": big}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 413);
    let answer = client()
        .post(format!("{}/v1/datasets", server.url))
        .json(&json!({"name": "", "snippets": [{"text": "a"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    assert_eq!(get(&server, "/v1/datasets/xyz").await.status(), 400);
    assert_eq!(
        get(&server, &format!("/v1/datasets/{}", "a".repeat(64)))
            .await
            .status(),
        404
    );

    // Nothing of the refused requests was kept.
    assert!(ids(&get_json(&server, "/v1/runs").await).is_empty());
    assert!(get_json(&server, "/v1/datasets").await["datasets"]
        .as_array()
        .unwrap()
        .is_empty());
    recorded(&server, &honest).await;
    assert_eq!(ids(&get_json(&server, "/v1/runs").await).len(), 1);
}

fn holds_phrase(bytes: &[u8]) -> bool {
    bytes.windows(PHRASE.len()).any(|w| w == PHRASE.as_bytes())
}

#[tokio::test]
async fn with_record_figures_no_held_out_text_reaches_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &sqlite(dir.path()), &[], None);
    let capabilities = get_json(&server, "/v1/capabilities").await;
    assert_eq!(capabilities["record"]["mode"], "figures");
    assert_eq!(capabilities["record"]["access_control"], false);
    for i in 0..3 {
        let e = evaluation(&format!("secret{i}"), 5, &["v1"], true);
        // The page sends everything; the server keeps the figures.
        recorded(&server, &run_of(&e, Some("carol"))).await;
    }
    drop(server);
    let mut files = 0;
    for file in std::fs::read_dir(dir.path()).unwrap() {
        let path = file.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        files += 1;
        assert!(
            !holds_phrase(&bytes),
            "{} holds held-out text",
            path.display()
        );
        // Nor a token's string: the first tokens of the texts.
        assert!(!bytes.windows(9).any(|w| w == b"quokkas o"));
    }
    assert!(files >= 2);

    // `--record everything` keeps the texts (the same search sees them).
    let dir = tempfile::tempdir().unwrap();
    let server = start(
        dir.path(),
        &sqlite(dir.path()),
        &["--record", "everything"],
        None,
    );
    let e = evaluation("open", 3, &["v1"], true);
    let created = recorded(&server, &run_of(&e, None)).await;
    assert_eq!(created["recorded"], "everything");
    let detail = get_json(
        &server,
        &format!("/v1/runs/{}", created["id"].as_str().unwrap()),
    )
    .await;
    let opened = snapshot::from_fragment(detail["snapshot"].as_str().unwrap()).unwrap();
    assert_eq!(opened.evaluation, e);

    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &sqlite(dir.path()), &["--record", "off"], None);
    let answer = post_run(&server, &run_of(&e, None)).await;
    assert_eq!(answer.status(), 403);
    assert!(message(answer).await.contains("--record off"));
}

#[tokio::test]
async fn kept_sets_are_one_per_fingerprint_and_their_page_ranks_models() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &sqlite(dir.path()), &[], None);
    let e = evaluation("ranked", 5, &["v1", "v2"], true);
    let keep = |name: &str, snippets: &[Snippet]| {
        client()
            .post(format!("{}/v1/datasets", server.url))
            .json(&json!({"name": name, "description": "held out in May", "snippets": snippets}))
            .send()
    };
    let first = keep("Support set", &e.snippets).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let fp = fingerprint(&e.snippets);
    assert_eq!(first["dataset"]["fingerprint"], fp);
    assert_eq!(first["dataset"]["path"], format!("/datasets/{fp}"));
    // The same snippets with Windows line ends and another name: the same set.
    let again: Vec<Snippet> = e
        .snippets
        .iter()
        .map(|s| Snippet::pasted(format!("{}\r\n", s.text)))
        .collect();
    let second = keep("Another name", &again).await.unwrap();
    assert_eq!(second.status(), 200);
    let second: Value = second.json().await.unwrap();
    assert_eq!(second["created"], false);
    assert_eq!(second["dataset"]["name"], "Support set");
    let list = get_json(&server, "/v1/datasets").await;
    assert_eq!(list["datasets"].as_array().unwrap().len(), 1);
    let snippets = get_json(&server, &format!("/v1/datasets/{fp}/snippets")).await;
    assert_eq!(snippets["snippets"], json!(e.snippets));

    recorded(&server, &run_of(&e, None)).await;
    // A later run in which only the base and v2 took part.
    let later = evaluation("ranked", 5, &["v2"], true);
    recorded(&server, &run_of(&later, None)).await;
    let board = get_json(&server, &format!("/v1/datasets/{fp}")).await;
    assert_eq!(board["runs"], 2);
    assert_eq!(board["dataset"]["name"], "Support set");
    let models: Vec<&str> = board["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["model"].as_str().unwrap())
        .collect();
    // vN is 0.2·N nats per token better than the base, whichever run it took part in.
    assert_eq!(models, ["v2", "v1", "base"]);
    let base = board["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model"] == "base")
        .unwrap();
    assert_eq!(base["runs"], 2);
    assert_eq!(base["points"].as_array().unwrap().len(), 2);
    assert!(base["points"][0]["loss_ci"]["low"].as_f64().is_some());
}

/// Records runs from eight tasks until `count` are acknowledged, kills the server with SIGKILL
/// with recordings in flight, restarts it on the same store and checks every acknowledged run.
async fn acknowledged_runs_survive_sigkill(dir: &Path, store: &str) {
    let mut server = start(dir, store, &[], None);
    let run = run_of(&evaluation("burst", 4, &["v1"], true), None);
    let sent = run.clone();
    let ids = acknowledged_before_sigkill(&mut server, 30, move |client, base| {
        client.post(format!("{base}/v1/runs")).json(&sent)
    })
    .await;
    let server = start(dir, store, &[], None);
    for id in &ids {
        let answer = get(&server, &format!("/v1/runs/{id}")).await;
        assert_eq!(answer.status(), 200, "acknowledged run {id} lost");
        let detail: Value = answer.json().await.unwrap();
        assert_eq!(detail["figures"], json!(run.document.figures));
    }
    // Every listed run reads whole: nothing half-written.
    let mut before: Option<String> = None;
    loop {
        let path = match &before {
            Some(next) => format!("/v1/runs?limit=200&before={next}"),
            None => "/v1/runs?limit=200".to_string(),
        };
        let page = get_json(&server, &path).await;
        for run_row in page["runs"].as_array().unwrap() {
            assert_eq!(run_row["customs"][0]["model"], "v1");
        }
        match page["next"].as_str() {
            Some(next) => before = Some(next.to_string()),
            None => break,
        }
    }
}

#[tokio::test]
async fn every_acknowledged_run_survives_sigkill_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    acknowledged_runs_survive_sigkill(dir.path(), &sqlite(dir.path())).await;
}

#[tokio::test]
async fn every_acknowledged_run_survives_sigkill_on_postgres() {
    let Some(url) = postgres_url("every_acknowledged_run_survives_sigkill_on_postgres") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    acknowledged_runs_survive_sigkill(dir.path(), &url).await;
}

#[tokio::test]
async fn two_servers_on_one_postgres_share_runs_and_kept_sets() {
    let Some(url) = postgres_url("two_servers_on_one_postgres_share_runs_and_kept_sets") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let a = start(dir.path(), &url, &[], None);
    let b = start(dir.path(), &url, &[], None);
    // A set of its own, so other tests on the same database do not show in its listing.
    let set = format!("replica{}", std::process::id());
    let e = evaluation(&set, 3, &["v1"], true);
    let fp = fingerprint(&e.snippets);
    let created = recorded(&a, &run_of(&e, Some("dana"))).await;
    let id = created["id"].as_str().unwrap();
    let listed = get_json(&b, &format!("/v1/runs?dataset={fp}")).await;
    assert_eq!(ids(&listed), [id]);
    let detail = get_json(&b, &format!("/v1/runs/{id}")).await;
    assert_eq!(detail["author"], "dana");
    let kept = client()
        .post(format!("{}/v1/datasets", b.url))
        .json(&json!({"name": set, "snippets": e.snippets}))
        .send()
        .await
        .unwrap();
    assert_eq!(kept.status(), 201);
    let board = get_json(&a, &format!("/v1/datasets/{fp}")).await;
    assert_eq!(board["dataset"]["name"], set);
    assert_eq!(board["runs"], 1);
    let listed = get_json(&a, "/v1/datasets").await;
    assert!(listed["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["fingerprint"] == fp));
    let deleted = client()
        .delete(format!("{}/v1/runs/{id}", a.url))
        .header(
            "likely-delete-token",
            created["delete_token"].as_str().unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(get(&b, &format!("/v1/runs/{id}")).await.status(), 404);
}

/// A TCP relay from a loopback port to PostgreSQL that can be cut (every connection closed, new
/// ones refused) and restored on the same port: the database going away under a server.
struct Relay {
    port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    target: String,
}

impl Relay {
    async fn start(target: &str, port: u16) -> Relay {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let to = target.to_string();
        tokio::spawn(async move {
            let mut links = tokio::task::JoinSet::new();
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    accepted = listener.accept() => {
                        let Ok((mut inbound, _)) = accepted else { break };
                        let to = to.clone();
                        links.spawn(async move {
                            if let Ok(mut outbound) = tokio::net::TcpStream::connect(&to).await {
                                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                            }
                        });
                    }
                }
            }
            links.shutdown().await;
        });
        Relay {
            port,
            stop: Some(stop),
            target: target.to_string(),
        }
    }

    fn cut(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    async fn restore(&mut self) {
        *self = Relay::start(&self.target, self.port).await;
    }
}

/// The run posted again every 200 ms, answered 503 until the server has its database back, then 201:
/// the created run (at most 10 s).
async fn reconnected(server: &Served, run: &NewRun) -> Value {
    for _ in 0..50 {
        let answer = post_run(server, run).await;
        if answer.status() == 201 {
            return answer.json::<Value>().await.unwrap();
        }
        assert_eq!(answer.status(), 503);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the server never reconnected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_going_away_answers_503_and_the_server_reconnects() {
    let Some(url) = postgres_url("postgres_going_away_answers_503_and_the_server_reconnects")
    else {
        return;
    };
    // postgres://user@host:port/db → the relay stands in for host:port.
    let (scheme_user, rest) = url.rsplit_once('@').unwrap();
    let (host_port, db) = rest.split_once('/').unwrap();
    let mut relay = Relay::start(host_port, 0).await;
    let relayed = format!("{scheme_user}@127.0.0.1:{}/{db}", relay.port);
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &relayed, &[], None);
    let set = format!("outage{}", std::process::id());
    let run = run_of(&evaluation(&set, 3, &["v1"], true), None);
    let before = recorded(&server, &run).await;

    relay.cut();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    for _ in 0..3 {
        // An answer, not a hang: the request is given up on after 15 s.
        let answer = tokio::time::timeout(Duration::from_secs(15), post_run(&server, &run))
            .await
            .expect("an answer while the database is away, not a hang");
        assert_eq!(answer.status(), 503, "while the database is away");
        assert!(answer.headers().contains_key("retry-after"));
        let answer = get(&server, "/v1/runs").await;
        assert_eq!(answer.status(), 503);
    }

    relay.restore().await;
    let after = reconnected(&server, &run).await;
    for created in [&before, &after] {
        let id = created["id"].as_str().unwrap();
        assert_eq!(get(&server, &format!("/v1/runs/{id}")).await.status(), 200);
    }
}

#[tokio::test]
async fn likely_runs_lists_the_runs_as_a_table_or_json() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &sqlite(dir.path()), &[], None);
    let e = evaluation("cli", 3, &["v1"], true);
    let created = recorded(&server, &run_of(&e, Some("erin"))).await;
    recorded(
        &server,
        &run_of(&evaluation("cli2", 3, &["v2"], true), None),
    )
    .await;
    let runs = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_likely"))
            .arg("runs")
            .args(["--server", &server.url])
            .args(args)
            .env_remove("LIKELY_ACCESS_TOKEN")
            .output()
            .unwrap()
    };
    let table = runs(&[]);
    assert_eq!(table.status.code(), Some(0));
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.contains(created["id"].as_str().unwrap()), "{table}");
    assert!(
        table.contains("erin") && table.contains("v1 ") && table.contains("v2 "),
        "{table}"
    );
    let fp = fingerprint(&e.snippets);
    let filtered = runs(&["--dataset", &fp, "--json"]);
    assert_eq!(filtered.status.code(), Some(0));
    let list: Value = serde_json::from_slice(&filtered.stdout).unwrap();
    assert_eq!(ids(&list), [created["id"].as_str().unwrap()]);
    let by_model: Value =
        serde_json::from_slice(&runs(&["--model", "v2", "--json"]).stdout).unwrap();
    assert_eq!(ids(&by_model).len(), 1);
    let bad = runs(&["--dataset", "nope"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("`dataset`"));
}

#[tokio::test]
async fn likely_eval_record_posts_the_finished_evaluation_as_a_run() {
    let dir = tempfile::tempdir().unwrap();
    // The embedded models, with an access token: the CLI sends it, and deleting needs only it.
    let token = "record-cli-test-token-81c2";
    let server = served::serve_api(&sqlite(dir.path()))
        .custom_models(&dir.path().join("models"))
        .token(Some(token))
        .quiet()
        .spawn();
    let set = dir.path().join("held-out.txt");
    std::fs::write(
        &set,
        "The quarterly report shows revenue grew by twelve percent.\n\n\
         To be, or not to be: that is the question.\n\n\
         Scientists measured the temperature of the ocean surface.\n",
    )
    .unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_likely"))
        .arg("eval")
        .arg(&set)
        .args(["--baseline", "base-light", "--custom", "custom-base-light"])
        .args([
            "--server",
            &server.url,
            "--record",
            "--author",
            "fay",
            "--json",
        ])
        .env("LIKELY_ACCESS_TOKEN", token)
        .env_remove("LIKELY_CONFIG")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let url = report["run_url"].as_str().unwrap();
    let id = url.rsplit('/').next().unwrap();
    assert!(url.starts_with(&format!("{}/runs/", server.url)), "{url}");
    let authorised = |request: reqwest::RequestBuilder| request.bearer_auth(token).send();
    let list: Value = authorised(client().get(format!("{}/v1/runs?author=fay", server.url)))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ids(&list), [id]);
    let row = &list["runs"][0];
    assert_eq!(row["baseline"], "base-light");
    assert_eq!(row["customs"][0]["model"], "custom-base-light");
    assert_eq!(row["dataset"]["name"], "held-out.txt");
    let snippets =
        likely_core::dataset::parse_file("held-out.txt", &std::fs::read(&set).unwrap()).unwrap();
    assert_eq!(row["dataset"]["fingerprint"], fingerprint(&snippets));
    // The report's loss pill is the run's.
    let pill = report["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["metric"] == "loss")
        .unwrap();
    assert_eq!(row["customs"][0]["delta_loss"], pill["delta"]);
    let detail: Value = authorised(client().get(format!("{}/v1/runs/{id}", server.url)))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["models"][0]["backend"], "embedded");
    // The page learns that whoever passed the access token may delete any run.
    let capabilities: Value = authorised(client().get(format!("{}/v1/capabilities", server.url)))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(capabilities["record"]["access_control"], true);
    // With the access token, deleting needs no delete token.
    let deleted = authorised(client().delete(format!("{}/v1/runs/{id}", server.url)))
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
}

/// A PostgreSQL cluster of the test's own (`scripts/postgres.sh`), stopped and removed when dropped.
struct OwnCluster {
    url: String,
    dir: String,
}

impl OwnCluster {
    fn start() -> OwnCluster {
        let exports = postgres_script(&["start"]);
        let value = |name: &str| {
            exports
                .lines()
                .find_map(|line| line.strip_prefix(&format!("export {name}=")))
                .unwrap_or_else(|| panic!("{name} in {exports}"))
                .trim_matches('\'')
                .to_string()
        };
        OwnCluster {
            url: value("LIKELY_TEST_POSTGRES_URL"),
            dir: value("LIKELY_TEST_POSTGRES_DIR"),
        }
    }

    fn restart(&self) {
        postgres_script(&["restart", &self.dir]);
    }
}

/// The project's throwaway-cluster script.
const POSTGRES_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/postgres.sh");

/// `scripts/postgres.sh` run with `args`: its standard output, once it has succeeded.
fn postgres_script(args: &[&str]) -> String {
    let out = std::process::Command::new("bash")
        .arg(POSTGRES_SCRIPT)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        // Never a panic while dropping (a failed test is unwinding): the folder is a temporary one.
        let _ = std::process::Command::new("bash")
            .args([POSTGRES_SCRIPT, "stop", &self.dir])
            .output();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_under_the_server_loses_nothing_acknowledged() {
    // The shared test cluster must stay up for the other tests: this one restarts a cluster of its own.
    if postgres_url("postgres_restarted_under_the_server_loses_nothing_acknowledged").is_none() {
        return;
    }
    let cluster = OwnCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &cluster.url, &[], None);
    let run = run_of(&evaluation("restart", 3, &["v1"], true), None);
    let before = recorded(&server, &run).await;

    // Runs keep arriving while the database stops and starts again: each gets an answer (never a
    // hang), 201 or 503 (never a 500), and every 201 is a run that is there afterwards.
    let posting = {
        let (url, run) = (server.url.clone(), run.clone());
        tokio::spawn(async move {
            let mut answers = Vec::new();
            let started = std::time::Instant::now();
            while started.elapsed() < Duration::from_secs(8) {
                let answer = tokio::time::timeout(
                    Duration::from_secs(15),
                    client().post(format!("{url}/v1/runs")).json(&run).send(),
                )
                .await
                .expect("an answer while the database restarts, not a hang")
                .unwrap();
                let status = answer.status().as_u16();
                let body: Value = answer.json().await.unwrap_or(Value::Null);
                answers.push((status, body));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            answers
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    cluster.restart();
    let answers = posting.await.unwrap();
    for (status, body) in &answers {
        assert!(matches!(status, 201 | 503), "{status}: {body}");
    }
    let after = reconnected(&server, &run).await;
    let acknowledged = answers
        .iter()
        .filter(|(status, _)| *status == 201)
        .map(|(_, body)| body)
        .chain([&before, &after]);
    for created in acknowledged {
        let id = created["id"].as_str().unwrap();
        assert_eq!(get(&server, &format!("/v1/runs/{id}")).await.status(), 200);
    }
    eprintln!(
        "{} runs posted during the restart: {} answered 503",
        answers.len(),
        answers.iter().filter(|(status, _)| *status == 503).count()
    );
}
