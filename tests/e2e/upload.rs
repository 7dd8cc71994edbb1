//! Uploading held-out sets: each file type, and a broken file that says which line failed and loses
//! nothing typed so far.

use crate::support::{file_with, Browser, Server};

async fn upload(browser: &Browser, file: &tempfile::NamedTempFile) {
    browser.upload(file.path()).await;
}

#[tokio::test]
async fn each_file_type_loads_its_snippets_and_a_txt_set_evaluates() {
    let server = Server::start();
    let browser = Browser::open(&server.url).await;

    let jsonl = file_with("heldout", 
        ".jsonl",
        "{\"text\": \"Good night, sweet prince.\"}\n{\"prompt\": \"The rest\", \"completion\": \" is silence.\"}\n",
    );
    upload(&browser, &jsonl).await;
    assert_eq!(browser.value_of("upload-summary").await, 2.0);

    let csv = file_with("heldout", ".csv", "id,text\n1,\"Frailty, thy name is woman!\"\n2,\"Brevity is the soul of wit.\"\n3,\"Something is rotten, in the state of Denmark.\"\n");
    upload(&browser, &csv).await;
    assert_eq!(browser.value_of("upload-summary").await, 3.0);

    let txt = file_with("heldout", 
        ".txt",
        "Neither a borrower nor a lender be.\n\nThis above all: to thine own self be true.\n\n\nThough this be madness, yet there is method in it.\n",
    );
    upload(&browser, &txt).await;
    assert_eq!(browser.value_of("upload-summary").await, 3.0);

    browser.click("evaluate-button").await;
    let progress = browser.by_testid("progress").await;
    let mut done = 0.0;
    for _ in 0..120 {
        done = progress
            .attr("data-done")
            .await
            .unwrap()
            .unwrap()
            .parse()
            .unwrap();
        if done == 6.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert_eq!(done, 6.0, "3 snippets × 2 models done");
    assert_eq!(
        progress.attr("data-total").await.unwrap().as_deref(),
        Some("6")
    );
    browser.by_testid("snippet-select").await;
    let wins = browser.value_of("wins-custom-base-light").await;
    assert!((0.0..=1.0).contains(&wins));
    browser.close().await;
}

#[tokio::test]
async fn a_broken_file_names_the_line_and_keeps_the_typed_text() {
    let server = Server::start();
    let browser = Browser::open(&server.url).await;
    let typed = "Words I typed before uploading.";
    browser.type_text("prompt-input", typed).await;

    let broken = file_with(
        "heldout",
        ".jsonl",
        "{\"text\": \"fine\"}\n{\"text\": oops}\n",
    );
    upload(&browser, &broken).await;
    let message = browser.text_of("error-message").await;
    assert!(
        message.contains("line 2"),
        "the message names the line: {message}"
    );

    let wrong = file_with("heldout", ".pdf", "%PDF-1.4");
    upload(&browser, &wrong).await;
    let message = browser.text_of("error-message").await;
    assert!(
        message.contains(".txt"),
        "the message says what to upload: {message}"
    );

    let value = browser
        .by_testid("prompt-input")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(value.as_deref(), Some(typed), "nothing typed is lost");
    browser.close().await;
}
