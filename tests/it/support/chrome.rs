//! Headless Chromium driven over WebDriver (Debian's chromium and chromium-driver), and
//! the built `portico` binary run as its own process.

use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use tokio::process::{Child, Command};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_for_http(url: &str, what: &str, child: &mut Child) {
    for _ in 0..200 {
        if let Ok(r) = reqwest::get(url).await {
            if r.status().is_success() {
                return;
            }
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited early: {status}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what} did not answer at {url}");
}

/// A chromedriver process and a browser session through it. Both end on drop.
pub struct Chrome {
    pub client: Client,
    _driver: Child,
    _profile: tempfile::TempDir,
}

impl Chrome {
    pub async fn start() -> Chrome {
        Self::start_with(None).await
    }

    /// A browser that saves downloads into `dir` without asking.
    pub async fn with_downloads(dir: &std::path::Path) -> Chrome {
        Self::start_with(Some(dir)).await
    }

    async fn start_with(download_dir: Option<&std::path::Path>) -> Chrome {
        let port = free_port();
        let mut driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver is needed for browser tests: run scripts/test.sh, which installs Debian's chromium-driver");
        wait_for_http(
            &format!("http://127.0.0.1:{port}/status"),
            "chromedriver",
            &mut driver,
        )
        .await;
        let profile = tempfile::tempdir().unwrap();
        let mut options = serde_json::json!({
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        });
        if let Some(dir) = download_dir {
            options["prefs"] = serde_json::json!({
                "download.default_directory": dir.display().to_string(),
                "download.prompt_for_download": false,
                "download.directory_upgrade": true,
                "safebrowsing.enabled": false,
            });
        }
        if std::path::Path::new("/usr/bin/chromium").exists() {
            options["binary"] = serde_json::json!("/usr/bin/chromium");
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session in headless chromium");
        Chrome {
            client,
            _driver: driver,
            _profile: profile,
        }
    }

    /// Saves a screenshot under target/screenshots for people to look at.
    pub async fn screenshot(&self, name: &str) {
        if let Ok(png) = self.client.screenshot().await {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(format!("{name}.png")), png);
        }
    }
}

impl Drop for Chrome {
    /// A test that fails (or forgets `close`) would leave its browser running once
    /// chromedriver is gone; end every process started with this test's profile.
    fn drop(&mut self) {
        let marker = format!("--user-data-dir={}", self._profile.path().display());
        let _ = std::process::Command::new("pkill")
            .args(["-TERM", "-f", "--", &marker])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The built `portico` binary serving `database_url`, sending mail to `smtp_url`.
pub struct Server {
    pub base: String,
    /// The server's `PORTICO_DATA_DIR` (its file store is `files/` inside).
    pub data_dir: std::path::PathBuf,
    _child: Child,
    _dir: tempfile::TempDir,
}

impl Server {
    pub async fn start(database_url: &str, smtp_url: &str) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let mut child = Command::new(env!("CARGO_BIN_EXE_portico"))
            .arg("serve")
            .env("PORTICO_BIND", format!("127.0.0.1:{port}"))
            .env("PORTICO_PUBLIC_URL", &base)
            .env("PORTICO_DATA_DIR", dir.path())
            .env("DATABASE_URL", database_url)
            .env("PORTICO_SMTP_URL", smtp_url)
            .env("PORTICO_LOG", "warn")
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("the portico binary");
        wait_for_http(&format!("{base}/healthz"), "portico serve", &mut child).await;
        Server {
            base,
            data_dir: dir.path().to_path_buf(),
            _child: child,
            _dir: dir,
        }
    }
}

/// Waits (up to 5 s) until the browser's address has this path.
pub async fn wait_for_path(c: &Client, path: &str) {
    for _ in 0..100 {
        if c.current_url().await.unwrap().path() == path {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "browser never reached {path}; it is at {}",
        c.current_url().await.unwrap()
    );
}

/// Signs a staff member in through the real sign-in page at `base`; returns once the
/// browser is at the client list.
pub async fn staff_sign_in(c: &Client, base: &str, email: &str, password: &str) {
    use fantoccini::Locator;
    c.goto(&format!("{base}/staff/login")).await.unwrap();
    for (id, value) in [("email", email), ("password", password)] {
        c.find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    c.find(Locator::XPath("//button[normalize-space()='Sign in']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_path(c, "/staff/clients").await;
}

/// Signs a contact in through the portal link `link` (a path under `base`): types the
/// email, reads the code from the next message the test SMTP server receives for it,
/// types the code; returns once the browser is at the portal home.
pub async fn portal_sign_in(
    c: &Client,
    app: &crate::support::TestApp,
    base: &str,
    link: &str,
    email: &str,
) {
    use fantoccini::Locator;
    let before = app.smtp.to(email).len();
    c.goto(&format!("{base}{link}")).await.unwrap();
    c.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    c.find(Locator::XPath(
        "//button[normalize-space()='Email me a code']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    wait_for_path(c, "/portal/verify").await;
    let code = app
        .smtp
        .wait_for(email, before + 1)
        .await
        .code()
        .expect("the code is in the message");
    c.find(Locator::Id("code"))
        .await
        .unwrap()
        .send_keys(&code)
        .await
        .unwrap();
    c.find(Locator::XPath("//button[normalize-space()='Verify code']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_path(c, "/portal/home").await;
}

/// The bytes of `name` once the browser has finished saving it into `dir` (up to 10 s).
pub async fn wait_for_download(dir: &std::path::Path, name: &str) -> Vec<u8> {
    let saved = dir.join(name);
    for _ in 0..200 {
        let partial = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().ends_with(".crdownload"));
        if saved.is_file() && !partial {
            return std::fs::read(&saved).unwrap();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the browser never saved {name}");
}
