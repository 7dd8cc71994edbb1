//! Debian's headless Chromium, driven through its ChromeDriver with fantoccini.

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long to wait for an element to appear.
pub const WAIT: Duration = Duration::from_secs(60);

/// A Chrome DevTools Protocol command, sent through ChromeDriver's `goog/cdp/execute` endpoint.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// A ChromeDriver process and a WebDriver session in headless Chromium.
pub struct Browser {
    driver: Child,
    /// The WebDriver session.
    pub client: Client,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

impl Browser {
    /// Starts ChromeDriver and opens a headless Chromium session.
    pub async fn start() -> Browser {
        let driver_bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let port = free_port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {driver_bin}: {e}; scripts/install-tools.sh installs it")
            });
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let capabilities = serde_json::json!({
            // "Replace the evaluation on screen?" is answered yes, as a person going on would.
            "unhandledPromptBehavior": "accept",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,900"
                ]
            }
        });
        let capabilities = match capabilities {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("a JSON object literal"),
        };
        let started = Instant::now();
        let client = loop {
            match ClientBuilder::native()
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => break client,
                Err(error) if started.elapsed() < Duration::from_secs(30) => {
                    let _ = error;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(error) => panic!("cannot open a Chromium session: {error}"),
            }
        };
        Browser { driver, client }
    }

    /// Sends a Chrome DevTools Protocol command.
    pub async fn cdp(&self, cmd: &'static str, params: serde_json::Value) {
        self.client
            .issue_cmd(Cdp { cmd, params })
            .await
            .unwrap_or_else(|e| panic!("CDP {cmd} failed: {e}"));
    }

    /// From now on, requests whose URL matches a pattern (`*` wildcards) fail in this browser, and
    /// every page records the URLs it fetches in `window.__likelyFetches`.
    pub async fn block_and_record(&self, patterns: &[&str]) {
        self.cdp("Network.enable", serde_json::json!({})).await;
        self.cdp(
            "Network.setBlockedURLs",
            serde_json::json!({ "urls": patterns }),
        )
        .await;
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            serde_json::json!({ "source": "window.__likelyFetches = []; const f = window.fetch; window.fetch = function (input, init) { window.__likelyFetches.push(String(input && input.url || input)); return f.call(this, input, init); };" }),
        )
        .await;
    }

    /// The URLs the page has fetched since it loaded (after [`Browser::block_and_record`]).
    pub async fn fetched(&self) -> Vec<String> {
        let value = self
            .client
            .execute("return window.__likelyFetches || null;", vec![])
            .await
            .expect("read the recorded fetches");
        serde_json::from_value(value).expect("fetches were recorded: call block_and_record first")
    }

    /// Runs `script` in the page and returns its string result.
    pub async fn js_string(&self, script: &str) -> String {
        let value = self
            .client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}"));
        value.as_str().unwrap_or_default().to_string()
    }

    /// Polls `script` for up to 30 s until it returns `expected` (or a non-empty value when
    /// `expected` is empty), and returns its last value.
    pub async fn settled(&self, script: &str, expected: &str) -> String {
        let mut last = String::new();
        for _ in 0..120 {
            last = self.js_string(script).await;
            if (expected.is_empty() && !last.is_empty())
                || (!expected.is_empty() && last == expected)
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        last
    }

    /// Starts a browser on `url` and waits until the page lists the server's models.
    pub async fn open(url: &str) -> Browser {
        let browser = Browser::start().await;
        browser.goto(url).await;
        browser.wait_for_models().await;
        browser
    }

    /// Opens `url` in this browser (a link, a reload, another page).
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    /// Clicks the element with this `data-testid`.
    pub async fn click(&self, testid: &str) {
        self.by_testid(testid)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {testid}: {e}"));
    }

    /// Types `text` into the element with this `data-testid`.
    pub async fn type_text(&self, testid: &str, text: &str) {
        self.by_testid(testid)
            .await
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("cannot type into {testid}: {e}"));
    }

    /// An attribute of the element with this `data-testid`.
    pub async fn attr(&self, testid: &str, name: &str) -> Option<String> {
        self.by_testid(testid)
            .await
            .attr(name)
            .await
            .unwrap_or_else(|e| panic!("cannot read {name} of {testid}: {e}"))
    }

    /// The attribute `name` of the element with this `data-testid` once it is `want`, asked every
    /// 100 ms up to `tries` times (the page updates after the event); the last value read.
    pub async fn attr_once(
        &self,
        testid: &str,
        name: &str,
        want: &str,
        tries: usize,
    ) -> Option<String> {
        let mut value = None;
        for _ in 0..tries {
            value = self.attr(testid, name).await;
            if value.as_deref() == Some(want) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        value
    }

    /// How many elements with this `data-testid` the page shows now (no waiting).
    pub async fn count_of(&self, testid: &str) -> usize {
        self.client
            .find_all(Locator::Css(&format!("[data-testid=\"{testid}\"]")))
            .await
            .unwrap_or_else(|e| panic!("cannot look for {testid}: {e}"))
            .len()
    }

    /// The element with this `data-testid`, waiting for it to appear.
    pub async fn by_testid(&self, testid: &str) -> Element {
        let css = format!("[data-testid=\"{testid}\"]");
        // A look-up sent while the page is still navigating (a link just opened) is aborted by the
        // navigation, which is not an answer: ask again, a few times.
        let mut tries = 0;
        loop {
            match self
                .client
                .wait()
                .at_most(WAIT)
                .for_element(Locator::Css(&css))
                .await
            {
                Ok(element) => return element,
                Err(e) if tries < 3 && e.to_string().contains("aborted by navigation") => {
                    tries += 1
                }
                Err(e) => panic!("no element with data-testid={testid}: {e}"),
            }
        }
    }

    /// The exact number in an element's `data-value`, waiting until there is one (a figure can be
    /// on the page before its model has answered).
    pub async fn value_of(&self, testid: &str) -> f64 {
        let started = Instant::now();
        loop {
            let element = self.by_testid(testid).await;
            let raw = element
                .attr("data-value")
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            if let Ok(value) = raw.parse::<f64>() {
                return value;
            }
            assert!(
                started.elapsed() < WAIT,
                "{testid} has no number in data-value: {raw:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The visible text of the element with this `data-testid`, waiting for it to appear.
    pub async fn text_of(&self, testid: &str) -> String {
        self.by_testid(testid)
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("cannot read the text of {testid}: {e}"))
    }

    /// Picks `file` in the page's file input, as a person choosing it would.
    pub async fn upload(&self, file: &std::path::Path) {
        let path = file.to_str().expect("a UTF-8 path");
        self.type_text("file-input", path).await;
    }

    /// Clicks Share and returns the link the page made.
    pub async fn share_link(&self) -> String {
        self.click("share-button").await;
        self.by_testid("share-link")
            .await
            .prop("value")
            .await
            .unwrap_or_else(|e| panic!("cannot read the share link: {e}"))
            .expect("a link")
    }

    /// Moves the mouse onto `element` (a token shows its tooltip).
    pub async fn hover(&self, element: &Element) {
        use fantoccini::actions::{InputSource, MouseActions, PointerAction};
        let hover = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
            element: element.clone(),
            duration: None,
            x: 0.0,
            y: 0.0,
        });
        self.client
            .perform_actions(hover)
            .await
            .unwrap_or_else(|e| panic!("cannot hover: {e}"));
    }

    /// Waits until the page has listed the server's models in the baseline picker.
    pub async fn wait_for_models(&self) {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("[data-testid=\"baseline-select\"] option"))
            .await
            .expect("the baseline picker lists the models");
    }

    /// Ends the session and the driver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
