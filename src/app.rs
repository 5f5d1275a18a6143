//! The shared state every handler receives.

use std::sync::Arc;

use crate::clock::SharedClock;
use crate::config::Config;
use crate::files::FileStore;
use crate::mail::MailQueue;
use crate::store::Store;
use crate::web::metrics::Metrics;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub store: Store,
    pub clock: SharedClock,
    pub mail: MailQueue,
    pub metrics: Metrics,
    /// Attached files' bytes (a local folder by default).
    pub files: FileStore,
}

impl AppState {
    pub fn new(
        config: Config,
        store: Store,
        clock: SharedClock,
        mail: MailQueue,
        files: FileStore,
    ) -> Self {
        Self(Arc::new(Inner {
            config,
            store,
            clock,
            mail,
            metrics: Metrics::default(),
            files,
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
