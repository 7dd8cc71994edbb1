//! Custom models end to end: the real `likely` binary on loopback with the real embedded models
//! (`base-light` from ~/.cache/likely), trained from generated text of a domain the embedded models
//! have never read (a seeded grammar of apiary logs). Happy path and restart, bad inputs, queueing and
//! cancellation, SIGKILL during training, and the access token.

use crate::common;
use crate::common::apiary::apiary;
use likely_testkit::serve::{Launch, Served};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn txt(docs: &[String]) -> Vec<u8> {
    docs.join("\n\n").into_bytes()
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("likely-custom-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A `likely serve` process on 127.0.0.1:0 with its custom models in `dir`.
struct Server {
    served: Served,
    url: String,
    client: Client,
    token: Option<String>,
}

impl Server {
    fn start(dir: &Path, extra: &[&str], token: Option<&str>) -> Server {
        let mut launch = Launch::new(env!("CARGO_BIN_EXE_likely"))
            .custom_models(dir)
            .args(extra)
            .token(token);
        launch.command().stderr(Stdio::null());
        let served = launch.spawn();
        likely_proxy::backends::upstream::install_crypto_provider();
        assert!(
            served.url.starts_with("http://127.0.0.1:"),
            "{}",
            served.url
        );
        Server {
            url: served.url.clone(),
            served,
            client: Client::new(),
            token: token.map(str::to_string),
        }
    }

    fn auth(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path).await
    }

    async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::DELETE, path).await
    }

    async fn send(&self, method: reqwest::Method, path: &str) -> (StatusCode, Value) {
        let answer = self
            .auth(self.client.request(method, format!("{}{path}", self.url)))
            .send()
            .await
            .unwrap();
        let status = answer.status();
        (status, answer.json().await.unwrap_or(Value::Null))
    }

    /// `POST /v1/custom-models` with text fields and files (field, file name, bytes).
    async fn create(
        &self,
        fields: &[(&str, &str)],
        files: &[(&str, &str, Vec<u8>)],
    ) -> (StatusCode, Value) {
        let (content_type, body) = common::apiary::multipart(fields, files);
        let answer = self
            .auth(
                self.client
                    .post(format!("{}/v1/custom-models", self.url))
                    .header("content-type", content_type)
                    .body(body),
            )
            .send()
            .await
            .unwrap();
        let status = answer.status();
        (status, answer.json().await.unwrap_or(Value::Null))
    }

    async fn train(&self, name: &str, docs: &[String]) -> (StatusCode, Value) {
        self.create(
            &[("name", name), ("base", "base-light")],
            &[("train", "apiary.txt", txt(docs))],
        )
        .await
    }

    /// Polls a model until `done` holds of its record.
    async fn wait_for(&self, name: &str, done: impl Fn(&Value) -> bool) -> Value {
        let start = Instant::now();
        loop {
            let (status, record) = self.get(&format!("/v1/custom-models/{name}")).await;
            assert_eq!(status, StatusCode::OK, "{record}");
            if done(&record) {
                return record;
            }
            assert!(
                start.elapsed() < Duration::from_secs(300),
                "waited too long: {record}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn generate(&self, body: Value) -> Value {
        common::json_of(
            self.auth(self.client.post(format!("{}/v1/generate", self.url)))
                .json(&body),
        )
        .await
    }

    /// The average log-likelihood per scored token of `model` on `texts`.
    async fn average_likelihood(&self, model: &str, texts: &[String]) -> f64 {
        let (mut sum, mut n) = (0.0, 0usize);
        for text in texts {
            let answer = self
                .generate(json!({"model": model, "prompt": text, "max_tokens": 0,
                                 "return_likelihoods": "ALL"}))
                .await;
            for token in answer["generations"][0]["token_likelihoods"]
                .as_array()
                .unwrap_or_else(|| panic!("{answer}"))
            {
                if let Some(l) = token["likelihood"].as_f64() {
                    sum += l;
                    n += 1;
                }
            }
        }
        sum / n as f64
    }

    async fn model_names(&self) -> Vec<String> {
        let (_, list) = self.get("/v1/models").await;
        list["models"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_string())
            .collect()
    }

    fn kill(mut self) {
        self.served.kill();
    }
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn a_model_trained_from_a_file_is_served_survives_a_restart_and_can_be_deleted() {
    let dir = temp_dir("happy");
    let server = Server::start(&dir, &[], None);
    let (status, queued) = server.train("apiary", &apiary(1, 300)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
    assert_eq!(queued["name"], "apiary");
    assert_eq!(queued["base"], "base-light");
    assert!(matches!(
        queued["status"].as_str(),
        Some("queued" | "running")
    ));
    assert_eq!(queued["validation"]["source"], "split");
    assert_eq!(queued["validation"]["documents"], 30);
    assert_eq!(queued["training"]["documents"], 270);

    let done = server
        .wait_for("apiary", |r| {
            r["status"] != "queued" && r["status"] != "running"
        })
        .await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["progress"], 1.0);
    assert!(
        done["training"]["tokens"].as_u64().unwrap() > 20_000,
        "{done}"
    );
    assert!(done["validation"]["tokens"].as_u64().unwrap() > 2_000);
    let lambda = done["lambda"].as_f64().unwrap();
    assert!(lambda > 0.5 && lambda <= 1.0, "{done}");
    let curve = done["lambda_curve"].as_array().unwrap();
    assert!(curve.len() >= 21);
    let best = curve
        .iter()
        .min_by(|a, b| {
            a["loss"]
                .as_f64()
                .unwrap()
                .total_cmp(&b["loss"].as_f64().unwrap())
        })
        .unwrap();
    // λ minimises the loss (EM stops within 1e-7 of the optimum, which may be the bound 1).
    let loss_at = |l: f64| {
        curve
            .iter()
            .find(|p| p["lambda"].as_f64() == Some(l))
            .and_then(|p| p["loss"].as_f64())
            .unwrap()
    };
    assert!(
        loss_at(lambda) - best["loss"].as_f64().unwrap() < 1e-6,
        "{done}"
    );
    assert!(loss_at(lambda) < loss_at(0.0), "better than the base alone");
    assert!(done["size_bytes"].as_u64().unwrap() > 10_000);

    let (_, models) = server.get("/v1/models").await;
    let listed = models["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "apiary")
        .cloned()
        .unwrap_or_else(|| panic!("not listed: {models}"));
    assert_eq!(listed["backend"], "embedded");
    let description = listed["description"].as_str().unwrap();
    assert!(
        description.contains("apiary.txt") && description.contains("base-light"),
        "{description}"
    );

    let (status, validation) = server.get("/v1/custom-models/apiary/validation").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(validation["snippets"].as_array().unwrap().len(), 30);
    assert_eq!(validation["truncated"], false);
    // The held-out split is documents 5, 15, 25, … of the upload.
    assert_eq!(
        validation["snippets"][0].as_str(),
        Some(apiary(1, 6)[5].as_str())
    );

    let held_out = apiary(99, 20);
    let custom = server.average_likelihood("apiary", &held_out).await;
    let base = server.average_likelihood("base-light", &held_out).await;
    assert!(custom > base + 1.0, "custom {custom} vs base {base}");

    // Sampling works like for the built-in models.
    let sample = server
        .generate(
            json!({"model": "apiary", "prompt": "Hive Amber of the", "max_tokens": 8, "seed": 3}),
        )
        .await;
    assert!(
        !sample["generations"][0]["text"]
            .as_str()
            .unwrap()
            .is_empty(),
        "{sample}"
    );

    // Restart on the same folder: listed again, same scores.
    server.kill();
    let server = Server::start(&dir, &[], None);
    assert!(server.model_names().await.contains(&"apiary".to_string()));
    let (_, record) = server.get("/v1/custom-models/apiary").await;
    assert_eq!(record, done);
    assert_eq!(server.average_likelihood("apiary", &held_out).await, custom);

    // Built-in models cannot be deleted; a custom one can, with its files.
    let (status, refused) = server.delete("/v1/custom-models/base-light").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("built-in"));
    let (status, _) = server.delete("/v1/custom-models/apiary").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(!server.model_names().await.contains(&"apiary".to_string()));
    assert_eq!(entries(&dir), Vec::<String>::new());
    let (status, _) = server.get("/v1/custom-models/apiary").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_uploads_are_refused_with_their_reason() {
    let dir = temp_dir("bad");
    let server = Server::start(&dir, &["--max-upload-bytes", "200000"], None);
    let good = txt(&apiary(2, 40));
    let with = |name: &'static str, base: &'static str| [("name", name), ("base", base)];

    let bad_jsonl = b"{\"text\": \"fine\"}\n{\"text\": \"fine too\"}\n{\"text\": oops}\n".to_vec();
    let (status, answer) = server
        .create(
            &with("x", "base-light"),
            &[("train", "train.jsonl", bad_jsonl)],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .starts_with("train.jsonl, line 3:"),
        "{answer}"
    );

    let bad_csv = b"id,body\n1,hello\n".to_vec();
    let (status, answer) = server
        .create(
            &with("x", "base-light"),
            &[
                ("train", "t.txt", good.clone()),
                ("validation", "v.csv", bad_csv),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer["message"]
        .as_str()
        .unwrap()
        .contains("v.csv, line 1: no `text` column"));

    let tiny = txt(&apiary(3, 2));
    let (status, answer) = server
        .create(&with("x", "base-light"), &[("train", "t.txt", tiny)])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer["message"]
        .as_str()
        .unwrap()
        .contains("too little training data"));

    // Enough bytes but under 1,000 tokens: the training fails with the reason.
    let short: Vec<String> = apiary(4, 3);
    let (status, _) = server
        .create(
            &with("short", "base-light"),
            &[("train", "t.txt", txt(&short))],
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let failed = server.wait_for("short", |r| r["status"] == "failed").await;
    assert!(
        failed["reason"]
            .as_str()
            .unwrap()
            .contains("too little training data"),
        "{failed}"
    );

    for (name, base, status, needle) in [
        (
            "base-light",
            "base-light",
            StatusCode::CONFLICT,
            "already exists",
        ),
        (
            "custom-base-light",
            "base-light",
            StatusCode::CONFLICT,
            "already exists",
        ),
        (
            "Bad Name",
            "base-light",
            StatusCode::UNPROCESSABLE_ENTITY,
            "must start with",
        ),
        (
            "x/y",
            "base-light",
            StatusCode::UNPROCESSABLE_ENTITY,
            "`/` is not allowed",
        ),
        (
            "x",
            "gpt-17",
            StatusCode::NOT_FOUND,
            "unknown model `gpt-17`",
        ),
        (
            "x",
            "custom-base-light",
            StatusCode::UNPROCESSABLE_ENTITY,
            "the bases are: base-light",
        ),
    ] {
        let (got, answer) = server
            .create(
                &[("name", name), ("base", base)],
                &[("train", "t.txt", good.clone())],
            )
            .await;
        assert_eq!(got, status, "{name} on {base}: {answer}");
        assert!(
            answer["message"].as_str().unwrap().contains(needle),
            "{answer}"
        );
    }

    let (status, answer) = server
        .create(
            &with("x", "base-light"),
            &[("train", "t.txt", vec![b'a'; 300_000])],
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");

    let (status, answer) = server.create(&with("x", "base-light"), &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(answer["message"]
        .as_str()
        .unwrap()
        .contains("`train` is missing"));

    let (status, _) = server.get("/v1/custom-models/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = server.delete("/v1/custom-models/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(entries(&dir), Vec::<String>::new(), "nothing stored");
}

#[tokio::test(flavor = "multi_thread")]
async fn trainings_queue_one_at_a_time_and_can_be_cancelled() {
    let dir = temp_dir("queue");
    let server = Server::start(&dir, &[], Some("s3cret-token-long-enough-for-the-rule"));
    let big = apiary(5, 40_000);

    // The access token guards the API.
    likely_proxy::backends::upstream::install_crypto_provider();
    let anonymous = Client::new()
        .get(format!("{}/v1/custom-models", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let (status, first) = server.train("first", &big).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{first}");
    let (status, _) = server.train("second", &apiary(6, 300)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let running = server.wait_for("first", |r| r["status"] == "running").await;
    assert_eq!(running["queue_position"], Value::Null);
    let (_, second) = server.get("/v1/custom-models/second").await;
    assert_eq!(second["status"], "queued", "{second}");
    assert_eq!(second["queue_position"], 1);

    let counting = server
        .wait_for("first", |r| {
            matches!(
                r["stage"].as_str(),
                Some("counting" | "estimating" | "tuning")
            )
        })
        .await;
    assert!(counting["progress"].as_f64().unwrap() > 0.1, "{counting}");
    assert!(counting["training"]["tokens"].as_u64().unwrap() > 1_000_000);
    let (status, cancelled) = server.delete("/v1/custom-models/first").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cancelled["status"], "cancelled");

    // The queued one runs next and finishes; the cancelled one left nothing behind.
    let done = server.wait_for("second", |r| r["status"] == "done").await;
    assert_eq!(done["status"], "done");
    let (_, first) = server.get("/v1/custom-models/first").await;
    assert_eq!(first["status"], "cancelled");
    assert_eq!(entries(&dir), vec!["second".to_string()]);
    assert!(!server.model_names().await.contains(&"first".to_string()));

    // A queued training can be cancelled too, and a cancelled name can be used again.
    let (_, _) = server.train("third", &big).await;
    let (_, _) = server.train("fourth", &apiary(7, 300)).await;
    let (status, cancelled) = server.delete("/v1/custom-models/fourth").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cancelled["status"], "cancelled");
    let (status, _) = server.delete("/v1/custom-models/third").await;
    assert_eq!(status, StatusCode::OK);
    let (status, again) = server.train("first", &apiary(8, 300)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{again}");
    let again = server.wait_for("first", |r| r["status"] == "done").await;
    assert_eq!(again["status"], "done");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_killed_during_training_leaves_no_half_written_model() {
    let dir = temp_dir("sigkill");
    let server = Server::start(&dir, &[], None);
    let (status, _) = server.train("doomed", &apiary(9, 40_000)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    server
        .wait_for("doomed", |r| {
            matches!(r["stage"].as_str(), Some("estimating" | "tuning"))
                || r["progress"].as_f64().unwrap_or(0.0) > 0.5
        })
        .await;
    server.kill(); // SIGKILL
                   // A leftover of an interrupted write, as a kill while saving leaves one.
    std::fs::create_dir_all(dir.join(".tmp-doomed-1-0")).unwrap();
    std::fs::write(dir.join(".tmp-doomed-1-0").join("model.lkm"), b"half").unwrap();

    let server = Server::start(&dir, &[], None);
    assert!(!server.model_names().await.contains(&"doomed".to_string()));
    let (_, list) = server.get("/v1/custom-models").await;
    assert_eq!(list["models"], json!([]));
    assert_eq!(entries(&dir), Vec::<String>::new(), "leftovers removed");
}
