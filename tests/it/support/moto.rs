//! A real S3-compatible server for tests: moto's server mode (PyPI), started on a free
//! local port and stopped when dropped. `scripts/test.sh` installs it and names it in
//! `PORTICO_MOTO`; a bare `cargo test` also finds it on `PATH` or where the script puts
//! it (`target/moto`). Without it, [`Moto::start`] answers `None` and the test says so.

use std::process::Stdio;
use std::time::{Duration, Instant};

use portico::files::s3::S3Settings;
use tokio::process::{Child, Command};

pub struct Moto {
    pub endpoint: String,
    _child: Child,
}

fn moto_program() -> Option<String> {
    if let Ok(p) = std::env::var("PORTICO_MOTO") {
        return Some(p);
    }
    let beside = concat!(env!("CARGO_MANIFEST_DIR"), "/target/moto/bin/moto_server");
    if std::path::Path::new(beside).is_file() {
        return Some(beside.to_string());
    }
    std::process::Command::new("moto_server")
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()
        .filter(|s| s.success())
        .map(|_| "moto_server".to_string())
}

impl Moto {
    /// Starts moto, or prints why not and answers `None`.
    pub async fn start() -> Option<Self> {
        let Some(program) = moto_program() else {
            eprintln!("moto_server not installed: skipped (scripts/test.sh installs it)");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
        let endpoint = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let http = reqwest::Client::new();
        loop {
            if http.get(&endpoint).send().await.is_ok() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "moto did not start on {endpoint}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Some(Self {
            endpoint,
            _child: child,
        })
    }

    /// Creates `bucket` (moto accepts any credentials).
    pub async fn bucket(&self, bucket: &str) {
        let r = reqwest::Client::new()
            .put(format!("{}/{bucket}", self.endpoint))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "creating bucket: {}", r.status());
    }

    /// The environment that points Portico at `s3://<bucket>/<prefix>` on this server.
    pub fn env(&self, bucket: &str, prefix: &str) -> Vec<(&'static str, String)> {
        vec![
            ("PORTICO_FILES_URL", format!("s3://{bucket}/{prefix}")),
            ("PORTICO_S3_ENDPOINT", self.endpoint.clone()),
            ("PORTICO_S3_REGION", "us-east-1".to_string()),
            ("PORTICO_S3_ACCESS_KEY_ID", "testing".to_string()),
            ("PORTICO_S3_SECRET_ACCESS_KEY", "testing-secret".to_string()),
        ]
    }

    pub fn settings(&self, bucket: &str, prefix: &str) -> S3Settings {
        let env = self.env(bucket, prefix);
        let get = |var: &'static str| env.iter().find(|(k, _)| *k == var).map(|(_, v)| v.clone());
        S3Settings::parse(&get("PORTICO_FILES_URL").unwrap(), get).unwrap()
    }
}
