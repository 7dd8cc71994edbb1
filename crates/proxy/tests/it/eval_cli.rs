//! `likely eval` as a user runs it, the real binary on the embedded models: the table, the JSON
//! document, the `--fail-if-worse` exit codes, errors (status 2 with a clear message), the same
//! numbers through `--server` (a `likely serve` with an access token) as in-process, and `--share`
//! keeping a link that opens to the same evaluation.

use likely_core::snapshot::{self, Scope};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::served;
use likely_testkit::serve::Served;

/// Modern prose: the Shakespeare-tuned custom model is worse on it.
const MODERN: &str = "The quarterly report shows revenue grew by twelve percent, driven by cloud \
subscriptions and new enterprise contracts in Europe.

To install the package, run the installer and restart your computer. The settings page lets you \
change the network configuration.

Scientists measured the temperature of the ocean surface using satellites and found a steady \
increase over the last decade.

The recipe calls for two cups of flour, one egg, and a teaspoon of baking powder; mix them and bake \
for twenty minutes.
";

/// Shakespeare: the custom model is better on it.
const BARD: &str = "To be, or not to be: that is the question: Whether 'tis nobler in the mind to \
suffer The slings and arrows of outrageous fortune.

Now is the winter of our discontent Made glorious summer by this sun of York; And all the clouds \
that lour'd upon our house.

Friends, Romans, countrymen, lend me your ears; I come to bury Caesar, not to praise him.

But, soft! what light through yonder window breaks? It is the east, and Juliet is the sun.
";

const TOKEN: &str = "eval-cli-test-token-5f1c9a";

fn set(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn eval(args: &[&str], file: &Path, token: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_likely"));
    command.arg("eval").arg(file).args(args);
    command.env_remove("LIKELY_CONFIG");
    match token {
        Some(token) => command.env("LIKELY_ACCESS_TOKEN", token),
        None => command.env_remove("LIKELY_ACCESS_TOKEN"),
    };
    command.output().unwrap()
}

const PAIR: [&str; 4] = ["--baseline", "base-light", "--custom", "custom-base-light"];
const REVERSED: [&str; 4] = ["--baseline", "custom-base-light", "--custom", "base-light"];

fn json(output: &Output) -> Value {
    assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_table_shows_every_figure_and_pill() {
    let dir = tempfile::tempdir().unwrap();
    let output = eval(&PAIR, &set(dir.path(), "modern.txt", MODERN), None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let table = String::from_utf8(output.stdout).unwrap();
    for needle in [
        "avg loglik",
        "perplexity",
        "bpb",
        "base-light (baseline)",
        "custom-base-light (custom)",
        "custom-base-light vs base-light",
        "95% interval",
        "worse",
    ] {
        assert!(table.contains(needle), "{needle:?} missing from\n{table}");
    }
}

#[test]
fn the_json_document_holds_the_figures_and_comparisons() {
    let dir = tempfile::tempdir().unwrap();
    let report = json(&eval(
        &[&PAIR[..], &["--json"]].concat(),
        &set(dir.path(), "modern.txt", MODERN),
        None,
    ));
    let models = report["models"].as_array().unwrap();
    assert_eq!(models.len(), 2);
    assert_eq!(models[0]["name"], "base-light");
    for model in models {
        for field in [
            "avg_loglik",
            "loss",
            "perplexity",
            "bits_per_byte",
            "accuracy",
        ] {
            assert!(model[field].is_f64(), "{field} in {model}");
        }
        let loss = model["loss"].as_f64().unwrap();
        assert_eq!(model["avg_loglik"].as_f64().unwrap(), -loss);
        assert!((model["perplexity"].as_f64().unwrap() - loss.exp()).abs() < 1e-9);
        assert!(model["tokens"].as_u64().unwrap() > 50);
    }
    let comparisons = report["comparisons"].as_array().unwrap();
    assert_eq!(comparisons.len(), 4);
    let loss = comparisons.iter().find(|c| c["metric"] == "loss").unwrap();
    assert_eq!(loss["baseline"], "base-light");
    assert_eq!(loss["custom"], "custom-base-light");
    assert_eq!(loss["verdict"], "worse");
    let delta = loss["delta"].as_f64().unwrap();
    let expected = models[1]["loss"].as_f64().unwrap() - models[0]["loss"].as_f64().unwrap();
    assert!((delta - expected).abs() < 1e-12);
    assert!(loss["ci_low"].as_f64().unwrap() > 0.0);
    assert!(loss["ci_high"].as_f64().unwrap() >= delta);
}

#[test]
fn fail_if_worse_fails_only_a_worse_custom_model() {
    let dir = tempfile::tempdir().unwrap();
    let modern = set(dir.path(), "modern.txt", MODERN);
    let bard = set(dir.path(), "bard.txt", BARD);
    let gate = |pair: &[&str], file: &Path| {
        eval(&[pair, &["--fail-if-worse", "--json"]].concat(), file, None)
            .status
            .code()
    };
    assert_eq!(gate(&PAIR, &modern), Some(1));
    assert_eq!(gate(&PAIR, &bard), Some(0));
    assert_eq!(gate(&REVERSED, &bard), Some(1));
    assert_eq!(gate(&REVERSED, &modern), Some(0));
    // Without the flag a worse model is reported, not failed.
    assert_eq!(eval(&PAIR, &modern, None).status.code(), Some(0));
}

#[test]
fn errors_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.txt");
    let output = eval(&PAIR, &missing, None);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot read"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("missing.txt"),
        "{}",
        stderr(&output)
    );

    let modern = set(dir.path(), "modern.txt", MODERN);
    let output = eval(
        &["--baseline", "base-light", "--custom", "no-such-model"],
        &modern,
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("unknown model `no-such-model`"),
        "{message}"
    );
    assert!(message.contains("custom-base-light"), "{message}");

    let bad = set(
        dir.path(),
        "bad.jsonl",
        "{\"text\": \"fine\"}\n{\"text\": \"also fine\"}\nnot json\n",
    );
    let output = eval(&PAIR, &bad, None);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("bad.jsonl, line 3"),
        "{}",
        stderr(&output)
    );

    let output = eval(
        &["--baseline", "base-light", "--custom", "base-light"],
        &modern,
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("picked twice"),
        "{}",
        stderr(&output)
    );
}

/// A `likely serve` on the embedded models with an access token and a share store in `dir`.
fn serve(dir: &Path) -> Served {
    let store = format!("sqlite:{}", dir.join("shares.sqlite").display());
    served::serve_api(&store)
        .custom_models(&dir.join("models"))
        .token(Some(TOKEN))
        .quiet()
        .spawn()
}

#[test]
fn a_server_gives_the_same_numbers_and_keeps_a_share_link() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path());
    let modern = set(dir.path(), "modern.txt", MODERN);
    let json_args = [&PAIR[..], &["--json"]].concat();
    let local = json(&eval(&json_args, &modern, None));
    let remote_args = [&json_args[..], &["--server", &server.url]].concat();
    let remote = json(&eval(&remote_args, &modern, Some(TOKEN)));
    assert_eq!(local, remote);

    // Without the token the server refuses, and that is an error.
    let refused = eval(&remote_args, &modern, None);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("401"), "{}", stderr(&refused));

    let shared = eval(
        &[&PAIR[..], &["--server", &server.url, "--share"]].concat(),
        &modern,
        Some(TOKEN),
    );
    assert_eq!(shared.status.code(), Some(0), "{}", stderr(&shared));
    let stdout = String::from_utf8(shared.stdout.clone()).unwrap();
    let url = stdout.lines().last().unwrap();
    assert!(url.starts_with(&format!("{}/s/", server.url)), "{stdout}");
    assert!(
        stderr(&shared).contains("delete token"),
        "{}",
        stderr(&shared)
    );
    let id = url.rsplit('/').next().unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let bytes = runtime.block_on(async {
        let response = reqwest::Client::new()
            .get(format!("{}/v1/shares/{id}", server.url))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.bytes().await.unwrap()
    });
    let snapshot = snapshot::decode(&bytes).unwrap();
    assert_eq!(snapshot.scope, Scope::Everything);
    let evaluation = snapshot.evaluation;
    assert_eq!(evaluation.snippets.len(), 4);
    assert_eq!(
        evaluation.snippets[0].source.file.as_deref(),
        Some("modern.txt")
    );
    let loss = local["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["metric"] == "loss")
        .unwrap();
    let pill = evaluation.comparisons()[0]
        .pill(likely_core::Metric::Loss)
        .cloned()
        .unwrap();
    assert_eq!(pill.delta, loss["delta"].as_f64());
    assert_eq!(pill.ci.map(|ci| ci.low), loss["ci_low"].as_f64());
    assert_eq!(
        evaluation.metrics("base-light").unwrap().loss,
        local["models"][0]["loss"].as_f64().unwrap()
    );
}
