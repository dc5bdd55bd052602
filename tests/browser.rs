//! Browser tests in headless Chromium (Debian's chromium and chromium-driver): the served
//! briefing is navigated, searched and live-reloaded as a reader would, with no console
//! errors. Screenshots are saved under target/browser-artifacts/.
//!
//! Without chromedriver the tests print a notice and pass, except under CI (`CI=true`),
//! where a missing browser is a failure: .ci/run installs it.

mod util;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use util::Project;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// Kills its process when dropped, so a failing test leaves nothing running.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn browser_available() -> bool {
    let present = Path::new(CHROMEDRIVER).exists() && Path::new(CHROMIUM).exists();
    if !present {
        assert!(
            std::env::var("CI").is_err(),
            "CI must install chromium and chromium-driver (see .ci/run)"
        );
        eprintln!(
            "notice: browser tests skipped: {CHROMEDRIVER} or {CHROMIUM} is missing (apt-get install chromium chromium-driver)"
        );
    }
    present
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on port {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser-artifacts");
    std::fs::create_dir_all(&dir).expect("artifact dir");
    dir
}

/// The browser's console log (chromedriver's extension endpoint).
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_string()))
    }
}

/// Console entries of level SEVERE since the last call.
async fn console_errors(c: &Client) -> Vec<String> {
    let log = c.issue_cmd(BrowserLog).await.expect("browser log");
    log.as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["level"] == "SEVERE")
        .map(|e| e["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn start_browser(profile: &Path) -> (Client, Guard) {
    let port = free_port();
    let driver = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let guard = Guard(driver);
    wait_for_port(port);
    let mut caps = Capabilities::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--window-size=1280,1600", format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    caps.insert("goog:loggingPrefs".into(), serde_json::json!({"browser": "ALL"}));
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session");
    (client, guard)
}

fn serve(project: &Project) -> (u16, Guard) {
    let port = free_port();
    let child = Command::new(assert_cmd::cargo::cargo_bin("sitrep"))
        .args(["serve", "--port", &port.to_string(), "--root"])
        .arg(project.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sitrep serve");
    let guard = Guard(child);
    wait_for_port(port);
    (port, guard)
}

/// The page's `<h1>`, as a reader sees it.
async fn main_heading(c: &Client) -> String {
    c.find(Locator::Css("main h1"))
        .await
        .expect("an h1")
        .text()
        .await
        .expect("its text")
}

async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(artifacts().join(format!("{name}.png")), png).expect("save screenshot");
}

async fn wait_until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_navigates_searches_and_sees_live_reload() {
    if !browser_available() {
        return;
    }
    let project = Project::fixture("seeds");
    let (port, _server) = serve(&project);
    let profile = tempfile::tempdir().expect("profile");
    let (c, _driver) = start_browser(profile.path()).await;
    let base = format!("http://127.0.0.1:{port}/");

    // Index → an incident → the source sentence it quotes.
    c.goto(&base).await.expect("index");
    let h1 = main_heading(&c).await;
    assert_eq!(h1, "Attacks on US forces in Iraq and Syria");
    assert!(
        c.find(Locator::Css("figure.picture svg")).await.is_ok(),
        "the index draws its pictures"
    );
    screenshot(&c, "index").await;
    c.find(Locator::Css("a[href='./incidents/2023-10-19-al-tanf/']"))
        .await
        .expect("incident link")
        .click()
        .await
        .expect("click");
    wait_until("the incident page", || async {
        c.current_url()
            .await
            .is_ok_and(|u| u.path() == "/incidents/2023-10-19-al-tanf/")
    })
    .await;
    let title = main_heading(&c).await;
    assert_eq!(title, "Drone attack on al-Tanf");
    screenshot(&c, "incident").await;
    let cite = c
        .find(Locator::Css("blockquote a.cite"))
        .await
        .expect("a quoted sentence");
    let href = cite.attr("href").await.expect("href").expect("has href");
    let anchor = href.rsplit('#').next().expect("an anchor").to_string();
    cite.click().await.expect("click");
    wait_until("the source page", || async {
        c.current_url().await.is_ok_and(|u| u.path().starts_with("/sources/"))
    })
    .await;
    let target = c
        .find(Locator::Css(&format!("#{anchor}")))
        .await
        .expect("the anchored sentence");
    let highlighted: serde_json::Value = c
        .execute(
            "return document.querySelector(':target') === arguments[0];",
            vec![serde_json::to_value(&target).expect("element")],
        )
        .await
        .expect("script");
    assert_eq!(
        highlighted,
        serde_json::Value::Bool(true),
        "the cited sentence is the page's target"
    );
    screenshot(&c, "source-sentence").await;

    // Search finds "Tanf".
    c.goto(&base).await.expect("index");
    let input = c
        .wait()
        .for_element(Locator::Css("#search-q"))
        .await
        .expect("search box");
    wait_until("the search box to show", || async {
        input.is_displayed().await.unwrap_or(false)
    })
    .await;
    input.send_keys("Tanf").await.expect("type");
    wait_until("search results", || async {
        match c.find_all(Locator::Css(".search-results a")).await {
            Ok(links) => {
                let mut found = false;
                for l in links {
                    found |= l.text().await.unwrap_or_default().contains("al-Tanf");
                }
                found
            }
            Err(_) => false,
        }
    })
    .await;
    screenshot(&c, "search").await;
    let results = c.find_all(Locator::Css(".search-results a")).await.expect("results");
    results[0].click().await.expect("follow a result");
    wait_until("a result page", || async {
        c.current_url().await.is_ok_and(|u| u.path() != "/")
    })
    .await;

    // Live reload: an edit shows without a manual reload.
    c.goto(&format!("{base}sources/")).await.expect("sources");
    c.execute("window.__notReloaded = true; return null;", vec![])
        .await
        .expect("mark page");
    let path = project
        .path()
        .join("content/articles/000-revolutionaries-claim-al-tanf-attack.md");
    let text = std::fs::read_to_string(&path).expect("article");
    std::fs::write(
        &path,
        text.replacen("+++\n", "+++\ntitle = \"Edited live in the browser test\"\n", 1),
    )
    .expect("edit");
    wait_until("the page to reload with the edit", || async {
        let reloaded = c
            .execute("return window.__notReloaded === undefined;", vec![])
            .await
            .is_ok_and(|v| v == true);
        reloaded
            && c.source()
                .await
                .is_ok_and(|s| s.contains("Edited live in the browser test"))
    })
    .await;
    screenshot(&c, "live-reload").await;

    // A broken edit shows an overlay and keeps the last good page.
    std::fs::write(&path, "+++\ndate = 2024-13-45\n+++\nBroken.\n").expect("break");
    wait_until("the error overlay", || async {
        c.find(Locator::Css("#sitrep-error")).await.is_ok()
    })
    .await;
    let overlay = c
        .find(Locator::Css("#sitrep-error"))
        .await
        .expect("overlay")
        .text()
        .await
        .expect("text");
    assert!(overlay.contains("month 13 is not a month"), "{overlay}");
    screenshot(&c, "error-overlay").await;

    let errors = console_errors(&c).await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    c.close().await.expect("close");
}

/// Hostile articles (OWASP filter-evasion payloads in every field) served and opened in
/// Chromium: no dialog opens and no script from content runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_content_runs_no_script_in_the_browser() {
    if !browser_available() {
        return;
    }
    let project = util::hostile_project();
    let (port, _server) = serve(&project);
    let profile = tempfile::tempdir().expect("profile");
    let (c, _driver) = start_browser(profile.path()).await;
    let base = format!("http://127.0.0.1:{port}/");
    let mut pages = vec![
        base.clone(),
        format!("{base}sources/"),
        format!("{base}groups/wire-example/"),
    ];
    for i in 0..util::PAYLOADS.len() {
        pages.push(format!("{base}sources/hostile-{i:02}/"));
    }
    pages.push(format!("{base}incidents/2024-03-11-camp-example/"));
    for url in &pages {
        c.goto(url).await.expect("page");
        // Give timers and late handlers a moment, then look for a dialog.
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(c.get_alert_text().await.is_err(), "a dialog opened on {url}");
        let injected: serde_json::Value = c
            .execute("return document.querySelectorAll('img, iframe, details, math, [onerror], [onload], [ontoggle]').length;", vec![])
            .await
            .expect("script");
        assert_eq!(injected, serde_json::json!(0), "content became markup on {url}");
    }
    screenshot(&c, "hostile-source").await;
    c.close().await.expect("close");
}
