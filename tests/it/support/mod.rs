//! `TestApp`: the real server on a random port, a fresh database, a real SMTP sink and a
//! clock the test controls. Plus a `World` of seeded records and an HTTP `Browser`.

pub mod api;
pub mod chrome;
pub mod db;
pub mod http;
pub mod logs;
pub mod moto;
pub mod records;
pub mod smtp;
pub mod stripe_standin;
pub mod telr_standin;
pub mod world;

use std::collections::HashMap;
use std::sync::Arc;

use portico::app::AppState;
use portico::clock::ManualClock;
use portico::config::Config;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use smtp::SmtpSink;

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub clock: ManualClock,
    pub smtp: SmtpSink,
    _dir: TempDir,
    pub database_url: String,
    _stop: oneshot::Sender<()>,
}

/// A local address nothing listens on (the discard port), for providers without a stand-in.
pub const UNREACHABLE: &str = "http://127.0.0.1:9";

#[derive(Default)]
pub struct Options {
    pub public_url: Option<String>,
    /// `PORTICO_TRUSTED_PROXIES`, so tests can speak from many addresses.
    pub trusted_proxies: Option<String>,
    /// `PORTICO_STRIPE_API_BASE` and `PORTICO_TELR_API_BASE` (the payment stand-ins).
    pub stripe_api_base: Option<String>,
    pub telr_api_base: Option<String>,
    /// `PORTICO_MAX_UPLOAD_MIB`, for upload limit tests.
    pub max_upload_mib: Option<String>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let smtp = SmtpSink::start().await;
        let database_url = db::fresh_database_url(dir.path()).await;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut env = HashMap::new();
        env.insert(
            "PORTICO_DATA_DIR".to_string(),
            dir.path().display().to_string(),
        );
        env.insert("DATABASE_URL".to_string(), database_url.clone());
        env.insert("PORTICO_SMTP_URL".to_string(), smtp.url());
        env.insert("PORTICO_BIND".to_string(), addr.to_string());
        env.insert(
            "PORTICO_PUBLIC_URL".to_string(),
            options
                .public_url
                .unwrap_or_else(|| format!("http://{addr}")),
        );
        // No test reaches a real provider: without a stand-in, an unreachable local port.
        env.insert(
            "PORTICO_STRIPE_API_BASE".to_string(),
            options
                .stripe_api_base
                .unwrap_or_else(|| UNREACHABLE.to_string()),
        );
        env.insert(
            "PORTICO_TELR_API_BASE".to_string(),
            options
                .telr_api_base
                .unwrap_or_else(|| UNREACHABLE.to_string()),
        );
        if let Some(mib) = options.max_upload_mib {
            env.insert("PORTICO_MAX_UPLOAD_MIB".to_string(), mib);
        }
        if let Some(p) = options.trusted_proxies {
            env.insert("PORTICO_TRUSTED_PROXIES".to_string(), p);
        }
        env.insert(
            "PORTICO_CONFIG".to_string(),
            dir.path().join("none.toml").display().to_string(),
        );
        std::fs::write(dir.path().join("none.toml"), "").unwrap();
        let config = Config::from_map(&env).unwrap();
        let clock = ManualClock::new(jiff::Timestamp::now());
        let state = portico::build_state(config, Arc::new(clock.clone()))
            .await
            .unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let serve_state = state.clone();
        tokio::spawn(async move {
            portico::serve(listener, serve_state, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        Self {
            base: format!("http://{addr}"),
            state,
            clock,
            smtp,
            _dir: dir,
            database_url,
            _stop: stop,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn now_ms(&self) -> i64 {
        use portico::clock::Clock;
        self.clock.now_ms()
    }
}
