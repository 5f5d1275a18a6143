//! Portico: a branded client portal for service businesses.
//!
//! `main` reads the configuration, builds an [`app::AppState`] with [`build_state`] and
//! calls [`serve`]; the tests call the same two functions on a `127.0.0.1:0` listener.
#![forbid(unsafe_code)]

pub mod app;
pub mod auth;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod demo;
pub mod domain;
pub mod files;
pub mod ids;
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
    let files_dir = config.data_dir.join("files");
    let files = crate::files::FileStore::local(&files_dir)
        .map_err(|e| anyhow::anyhow!("PORTICO_DATA_DIR: cannot open the file store: {e}"))?;
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
        }
    });
}

/// Serves the application on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = web::router(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
