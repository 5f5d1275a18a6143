//! Portico: a branded client portal for service businesses.
//!
//! `main` reads the configuration, builds an [`app::AppState`] with [`build_state`] and
//! calls [`serve`]; the tests call the same two functions on a `127.0.0.1:0` listener.
#![forbid(unsafe_code)]

pub mod api;
pub mod app;
pub mod auth;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod demo;
pub mod domain;
pub mod files;
pub mod generate;
pub mod ids;
pub mod invoicing;
pub mod mail;
pub mod payments;
pub mod portal;
pub mod staff;
pub mod store;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::app::AppState;
use crate::clock::SharedClock;
use crate::config::Config;
use crate::mail::{MailQueue, Mailer};
use crate::store::Store;

/// Connects the store (running migrations), starts the mail worker and the housekeeping
/// task, and returns the state the router serves.
pub async fn build_state(config: Config, clock: SharedClock) -> anyhow::Result<AppState> {
    let store = Store::connect(&config.database_url)
        .await
        .map_err(|e| anyhow::anyhow!("DATABASE_URL: cannot open the database: {e}"))?;
    let mailer = Mailer::new(
        config.smtp_url.as_ref(),
        config.data_dir.join("outbox"),
        &config.mail_from,
    )?;
    let mail = MailQueue::start(mailer);
    let files = crate::files::FileStore::from_config(&config).map_err(|e| {
        let var = if config.files_s3.is_some() {
            "PORTICO_FILES_URL"
        } else {
            "PORTICO_DATA_DIR"
        };
        anyhow::anyhow!("{var}: cannot open the file store: {e}")
    })?;
    let state = AppState::new(config, store, clock, mail, files);
    spawn_housekeeping(state.clone());
    payments::service::spawn_reconciler(state.clone());
    Ok(state)
}

/// Where mail goes, for start-up messages.
pub fn describe_mail(config: &Config) -> String {
    match config.smtp_url {
        Some(_) => "the SMTP server in PORTICO_SMTP_URL".to_string(),
        None => format!("files in {}", config.data_dir.join("outbox").display()),
    }
}

fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = state.store.purge_expired(state.clock.now_ms()).await {
                tracing::warn!(error = %e, "housekeeping failed");
            }
            if let Err(e) = state.store.purge_imports(state.clock.now_ms()).await {
                tracing::warn!(error = %e, "housekeeping of client imports failed");
            }
        }
    });
}

/// How long a client may take to send a request's headers: a connection that stalls
/// half-way (a slow-request attack, or a broken client) is closed after this.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for requests in flight before closing what is left.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves the application on `listener` until `shutdown` resolves, then lets requests
/// in flight finish for at most [`SHUTDOWN_GRACE`].
///
/// HTTP/1.1 through hyper directly rather than `axum::serve`, which sets no header read
/// timeout: a client that never finishes its headers would hold a connection (and
/// shutdown) forever.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::extract::ConnectInfo;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceExt;

    let app = web::router(state);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment, keep serving.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service =
            app.clone()
                .map_request(move |mut req: axum::http::Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                    req
                });
        let conn = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("requests still open at shutdown were cut off");
        }
    }
    Ok(())
}
