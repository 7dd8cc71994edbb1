//! The real tools, run as a user runs them against the real `likely serve` (embedded models, access
//! token on): lm-evaluation-harness 0.4.13 (`lm_eval --model local-completions`, the tokenizer taken
//! from the server with lm-eval's own defaults, no download) on a `loglikelihood_rolling` and a
//! `multiple_choice` task over local data, its bits per byte set beside `likely eval`'s on the same
//! texts; and OpenAI's Python SDK against both base URLs, answers and errors.
//!
//! The tools live in the virtual environment `scripts/install-python-tools.sh` makes
//! (`$LIKELY_PYTHON_TOOLS`, default `$LIKELY_TOOLS_DIR/python`); without it these tests say so loudly
//! and pass, as the test command always installs it first.

use crate::common;
use crate::common::served;
use likely_testkit::serve::Served;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const TOKEN: &str = "python-tools-test-token-4b1e7c";
const MODEL: &str = "custom-base-light";
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lm_eval");

/// The virtual environment with lm-eval and openai, or `None` (after a loud message).
fn tools() -> Option<PathBuf> {
    let dir = std::env::var_os("LIKELY_PYTHON_TOOLS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("LIKELY_TOOLS_DIR").map(|tools| PathBuf::from(tools).join("python"))
        })
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|home| PathBuf::from(home).join(".local/share/likely-tools/python"))
        })?;
    if dir.join("bin/lm_eval").exists() && dir.join("bin/python").exists() {
        return Some(dir);
    }
    eprintln!(
        "\n*** SKIPPED: no lm-eval / openai virtual environment at {}; run `bash scripts/install-python-tools.sh` (the test command does) ***\n",
        dir.display()
    );
    None
}

fn serve(dir: &Path) -> Served {
    served::serve_api("none")
        .custom_models(&dir.join("models"))
        .token(Some(TOKEN))
        .quiet()
        .spawn()
}

/// What `command` prints on its standard output, as JSON, once it has succeeded.
fn json_printed(command: &mut Command) -> Value {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A command of the environment, offline: no Hugging Face download, caches in `home`.
fn offline(program: PathBuf, home: &Path) -> Command {
    let mut command = Command::new(program);
    command
        .env("HF_HUB_OFFLINE", "1")
        .env("HF_DATASETS_OFFLINE", "1")
        .env("TRANSFORMERS_OFFLINE", "1")
        .env("HF_HOME", home.join("hf"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env_remove("LIKELY_ACCESS_TOKEN");
    command
}

/// The results document `lm_eval --output_path DIR` wrote somewhere under `dir`.
fn results_file(dir: &Path) -> Value {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if let Ok(found) = std::panic::catch_unwind(|| results_file(&path)) {
                return found;
            }
        } else if path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with("results"))
        {
            return serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        }
    }
    panic!("no results file under {}", dir.display());
}

/// The log-likelihood of each text's first token given the start of text, through the model's own
/// base URL (the ids `[<|endoftext|>, first]`, as lm-eval's first window sends them).
async fn first_token_logliks(base: &str, texts: &[String]) -> f64 {
    likely_proxy::backends::upstream::install_crypto_provider();
    let client = reqwest::Client::new();
    let mut sum = 0.0;
    for text in texts {
        let url = format!("{base}/vllm/{MODEL}/tokenize");
        let tokens: Value = common::json_of(
            client
                .post(url)
                .bearer_auth(TOKEN)
                .json(&serde_json::json!({"prompt": text, "add_special_tokens": false})),
        )
        .await;
        let first = tokens["tokens"][0].as_u64().unwrap();
        let url = format!("{base}/vllm/{MODEL}/v1/completions");
        let body = serde_json::json!({"prompt": [50_256, first], "echo": true, "logprobs": 1, "max_tokens": 1, "temperature": 0});
        let answer: Value = common::json_of(client.post(url).bearer_auth(TOKEN).json(&body)).await;
        sum += answer["choices"][0]["logprobs"]["token_logprobs"][1]
            .as_f64()
            .unwrap();
    }
    sum
}

#[tokio::test]
async fn lm_eval_scores_local_tasks_offline_with_the_servers_tokenizer() {
    let Some(venv) = tools() else { return };
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path());
    let work = dir.path().join("tasks");
    std::fs::create_dir_all(&work).unwrap();
    for name in [
        "likely_rolling.yaml",
        "likely_choice.yaml",
        "rolling.jsonl",
        "choice.jsonl",
    ] {
        std::fs::copy(Path::new(FIXTURES).join(name), work.join(name)).unwrap();
    }
    let base_url = format!("{}/vllm/{MODEL}/v1/completions", server.url);
    let output = offline(venv.join("bin/lm_eval"), dir.path())
        .current_dir(&work)
        .env("OPENAI_API_KEY", TOKEN)
        .args([
            "--model",
            "local-completions",
            "--tasks",
            "likely_rolling,likely_choice",
        ])
        .arg("--model_args")
        .arg(format!(
            "model={MODEL},base_url={base_url},auth_token={TOKEN}"
        ))
        .args(["--include_path", ".", "--output_path", "out"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "lm_eval failed:\n{log}");
    assert!(
        log.contains("remote tokenizer"),
        "lm-eval should take the server's tokenizer:\n{log}"
    );
    let results = results_file(&work.join("out"));
    let rolling = &results["results"]["likely_rolling"];
    let choice = &results["results"]["likely_choice"];
    eprintln!("lm-eval: {rolling}\n{choice}");
    assert_eq!(
        choice["acc,none"].as_f64(),
        Some(1.0),
        "each right choice is far likelier: {choice}"
    );

    // `likely eval` on the same texts, in-process.
    let report = json_printed(
        Command::new(env!("CARGO_BIN_EXE_likely"))
            .arg("eval")
            .arg(work.join("rolling.jsonl"))
            .args(["--baseline", "base-light", "--custom", MODEL, "--json"])
            .env_remove("LIKELY_CONFIG")
            .env_remove("LIKELY_ACCESS_TOKEN"),
    );
    let model = report["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|model| model["name"] == MODEL)
        .unwrap();
    let ours = &model["lm_eval"];
    eprintln!("likely eval: {ours}");
    let theirs_bpb = rolling["bits_per_byte,none"].as_f64().unwrap();
    let ours_bpb = ours["bits_per_byte"].as_f64().unwrap();
    assert!(
        (theirs_bpb - ours_bpb).abs() < 0.01,
        "bits per byte: lm-eval {theirs_bpb}, likely eval {ours_bpb}"
    );
    assert!(
        ours_bpb <= theirs_bpb,
        "Likely leaves each text's first token out, lm-eval counts it"
    );
    let page_bpb = model["bits_per_byte"].as_f64().unwrap();
    assert!(
        (theirs_bpb - page_bpb).abs() < 0.01,
        "page's bpb {page_bpb}"
    );
    for key in ["word_perplexity", "byte_perplexity"] {
        let theirs = rolling[format!("{key},none")].as_f64().unwrap();
        let ours = ours[key].as_f64().unwrap();
        assert!(
            (theirs / ours - 1.0).abs() < 0.05,
            "{key}: lm-eval {theirs}, likely eval {ours}"
        );
    }
    assert_eq!(ours["documents"], 2);

    // The whole difference is the texts' first tokens, which lm-eval scores after its prefix token.
    let texts: Vec<String> = std::fs::read_to_string(work.join("rolling.jsonl"))
        .unwrap()
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap()["text"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let bytes = ours["bytes"].as_f64().unwrap();
    let first = first_token_logliks(&server.url, &texts).await;
    let missing_bits = (theirs_bpb - ours_bpb) * bytes;
    let first_bits = -first / std::f64::consts::LN_2;
    eprintln!("first tokens: {first_bits} bits; the difference: {missing_bits} bits");
    assert!(
        (missing_bits - first_bits).abs() < 1e-6 * first_bits.max(1.0),
        "the difference is exactly the first tokens: {missing_bits} against {first_bits}"
    );
}

/// OpenAI's SDK: the same scoring call against `/v1` and the model's own base URL, then errors.
const SDK_SCRIPT: &str = r#"
import json, sys
import openai

base, token, model = sys.argv[1], sys.argv[2], sys.argv[3]
out = {"version": openai.__version__}

def error(call):
    try:
        call()
    except openai.APIStatusError as e:
        return {"class": type(e).__name__, "status": e.status_code, "message": e.message,
                "type": getattr(e, "type", None), "code": getattr(e, "code", None)}
    return None

for name, url in [("root", base + "/v1"), ("model", base + "/vllm/" + model + "/v1")]:
    client = openai.OpenAI(base_url=url, api_key=token, max_retries=0)
    answer = client.completions.create(model=model, prompt="To be, or not to be", echo=True,
                                       logprobs=1, max_tokens=0)
    choice = answer.choices[0]
    out[name] = {"text": choice.text, "tokens": choice.logprobs.tokens,
                 "token_logprobs": choice.logprobs.token_logprobs,
                 "top_logprobs": choice.logprobs.top_logprobs,
                 "text_offset": choice.logprobs.text_offset}
    out[name + "_ids"] = client.completions.create(model=model, prompt=[50256, 2514, 307],
        echo=True, logprobs=1, max_tokens=1, temperature=0).choices[0].logprobs.token_logprobs
    out[name + "_bad_id"] = error(lambda: client.completions.create(
        model=model, prompt=[1, 50257], echo=True, logprobs=1, max_tokens=0))
    out[name + "_mixed"] = error(lambda: client.completions.create(
        model=model, prompt=["a", [1]], echo=True, logprobs=1, max_tokens=0))
    wrong = openai.OpenAI(base_url=url, api_key="not-the-token-0000000000000", max_retries=0)
    out[name + "_unauthorized"] = error(lambda: wrong.completions.create(
        model=model, prompt="a", echo=True, logprobs=1, max_tokens=0))

root = openai.OpenAI(base_url=base + "/v1", api_key=token, max_retries=0)
out["unknown_model"] = error(lambda: root.completions.create(
    model="no-such-model", prompt="a", echo=True, logprobs=1, max_tokens=0))
gone = openai.OpenAI(base_url=base + "/vllm/no-such-model/v1", api_key=token, max_retries=0)
out["unknown_base"] = error(lambda: gone.completions.create(
    model="no-such-model", prompt="a", echo=True, logprobs=1, max_tokens=0))
per_model = openai.OpenAI(base_url=base + "/vllm/" + model + "/v1", api_key=token, max_retries=0)
out["listed"] = [m.id for m in per_model.models.list()]
print(json.dumps(out))
"#;

#[test]
fn openai_s_sdk_scores_and_reads_errors_on_both_base_urls() {
    let Some(venv) = tools() else { return };
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path());
    let out = json_printed(offline(venv.join("bin/python"), dir.path()).args([
        "-c",
        SDK_SCRIPT,
        &server.url,
        TOKEN,
        MODEL,
    ]));
    assert!(
        out["version"].as_str().unwrap().starts_with("3."),
        "{}",
        out["version"]
    );
    for name in ["root", "model"] {
        let answer = &out[name];
        assert_eq!(answer["text"], "To be, or not to be");
        assert!(answer["token_logprobs"][0].is_null());
        assert!(answer["token_logprobs"][1].as_f64().unwrap() < 0.0);
        assert_eq!(answer["text_offset"][0], 0);
        assert_eq!(answer["tokens"].as_array().unwrap().len(), 7);
        let ids = out[format!("{name}_ids")].as_array().unwrap();
        assert_eq!(ids.len(), 4, "three ids, one generated token");
        assert_eq!(
            ids[2], answer["token_logprobs"][1],
            "` be` after `To`, by ids or text"
        );
        let bad = &out[format!("{name}_bad_id")];
        assert_eq!(bad["class"], "BadRequestError", "{bad}");
        assert!(bad["message"].as_str().unwrap().contains("50257"), "{bad}");
        let mixed = &out[format!("{name}_mixed")];
        assert_eq!(mixed["status"], 400);
        assert!(mixed["message"]
            .as_str()
            .unwrap()
            .contains("mixes texts and token ids"));
        assert_eq!(
            out[format!("{name}_unauthorized")]["class"],
            "AuthenticationError"
        );
    }
    assert_eq!(out["root"], out["model"], "both base URLs answer the same");
    for key in ["unknown_model", "unknown_base"] {
        let error = &out[key];
        assert_eq!(error["class"], "NotFoundError", "{error}");
        assert_eq!(error["type"], "not_found_error", "{error}");
        assert!(
            error["message"].as_str().unwrap().contains("no-such-model"),
            "{error}"
        );
    }
    assert_eq!(out["listed"], serde_json::json!([MODEL]));
}
