//! The `likely serve --config` command itself: a missing key variable stops it with a message naming
//! the variable; a good configuration serves on the port it prints (a configuration without embedded
//! models starts without loading them).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

fn config_file(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("likely-{name}-{}.toml", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

/// One remote model whose key is read from `LIKELY_CLI_TEST_KEY`.
fn config() -> String {
    crate::common::one_model(
        "remote",
        "cohere",
        "https://api.cohere.com",
        "api_key_env = \"LIKELY_CLI_TEST_KEY\"",
    )
}

#[test]
fn a_missing_key_variable_stops_the_server_and_is_named() {
    let path = config_file("missing", &config());
    let output = Command::new(env!("CARGO_BIN_EXE_likely"))
        .args(["serve", "--port", "0", "--config"])
        .arg(&path)
        .env_remove("LIKELY_CLI_TEST_KEY")
        .env_remove("LIKELY_ACCESS_TOKEN")
        .output()
        .unwrap();
    std::fs::remove_file(&path).ok();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("LIKELY_CLI_TEST_KEY"), "{stderr}");
    assert!(stderr.contains("remote"), "{stderr}");
}

#[test]
fn a_configured_server_prints_its_address_and_lists_its_models() {
    let path = config_file("serve", &config());
    let mut child = Command::new(env!("CARGO_BIN_EXE_likely"))
        .args(["serve", "--port", "0", "--dist", "/nonexistent", "--config"])
        .arg(&path)
        .env("LIKELY_CLI_TEST_KEY", "cli-test-key-9d2e")
        .env_remove("LIKELY_ACCESS_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let address = line
        .trim()
        .strip_prefix("Likely is listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_string();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let answer = runtime.block_on(async {
        likely_proxy::backends::upstream::install_crypto_provider();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        client
            .get(format!("{address}/v1/models"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    child.kill().ok();
    let output = child.wait_with_output().unwrap();
    std::fs::remove_file(&path).ok();
    assert!(answer.contains("\"remote\""), "{answer}");
    assert!(
        !answer.contains("cli-test-key-9d2e") && !answer.contains("cohere.com"),
        "{answer}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("cli-test-key-9d2e"), "{stderr}");
}
