//! The one storage boundary. A single code path serves SQLite and PostgreSQL through
//! sqlx's `Any` driver: portable SQL, `$n` placeholders (which SQLite also reads), and
//! only the types both sides share (BIGINT, TEXT; flags as 0/1). Portal reads take a
//! [`ClientScope`], so no caller can forget which client it is serving.
//!
//! Portability rules for the SQL in this module tree:
//! - sums are wrapped in `CAST(... AS BIGINT)` (PostgreSQL's SUM of BIGINT is NUMERIC);
//! - no boolean expressions in select lists (SQLite answers integers, PostgreSQL booleans);
//! - `INSERT ... ON CONFLICT` and `RETURNING` are used as both support them.

pub mod api_reads;
pub mod api_tokens;
pub mod audit;
pub mod client_admin;
pub mod client_import;
pub mod client_view;
pub mod clients;
pub mod contacts;
pub mod document_writes;
pub mod documents;
pub mod files;
pub mod offline_payments;
pub mod payments;
pub mod portal_auth;
pub mod portal_home;
pub mod portal_lists;
pub mod portal_records;
pub mod portal_shell;
pub mod products;
pub mod rate_limit;
pub mod requests_inbox;
pub mod settings;
pub mod setup;
pub mod sqlite_direct;
pub mod staff;
pub mod staff_admin;
pub mod staff_documents;
pub mod staff_files;
pub mod submission;
pub mod visits;
pub mod work;
pub mod work_delete;
pub mod work_edit;
pub mod workspace_cache;
pub mod workspaces;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Connection, Executor};

use crate::ids::{ClientId, WorkspaceId};

/// Every migration; those named `*_sqlite` run only on SQLite and those named
/// `*_postgres` only on PostgreSQL (triggers, which the two write differently), see
/// [`migrator_for`].
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// What a migration's description ends with when it is for one database only (sqlx
/// turns the file name's underscores into spaces).
fn only_for(description: &str) -> Option<Backend> {
    if description.ends_with(" sqlite") {
        Some(Backend::Sqlite)
    } else if description.ends_with(" postgres") {
        Some(Backend::Postgres)
    } else {
        None
    }
}

/// The migrations that apply to `backend`, in order.
#[derive(Debug)]
struct MigrationsFor(Backend);

impl<'s> sqlx::migrate::MigrationSource<'s> for MigrationsFor {
    fn resolve(
        self,
    ) -> futures_util::future::BoxFuture<
        's,
        Result<Vec<sqlx::migrate::Migration>, sqlx::error::BoxDynError>,
    > {
        let wanted = MIGRATOR
            .iter()
            .filter(|m| only_for(&m.description).is_none_or(|b| b == self.0))
            .cloned()
            .collect();
        Box::pin(async move { Ok(wanted) })
    }
}

/// The migrator for `backend`: the shared migrations and that database's own. A
/// database never holds the other one's, so none is ever reported missing.
async fn migrator_for(backend: Backend) -> StoreResult<sqlx::migrate::Migrator> {
    Ok(sqlx::migrate::Migrator::new(MigrationsFor(backend)).await?)
}

/// Statements slower than this are logged (warn): no query on the portal's path should
/// come near it, even with a million invoices.
pub const SLOW_STATEMENT: Duration = Duration::from_millis(5);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Db(#[source] sqlx::Error),
    /// From a read on [`sqlite_direct`].
    #[error("database error: {0}")]
    Direct(#[source] rusqlite::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.constraint().unwrap_or("unique").to_string())
            }
            _ => StoreError::Db(e),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Reads on behalf of one client of one workspace. Built only from a checked portal
/// session (or by staff code that has looked the client up in its own workspace).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientScope {
    workspace_id: WorkspaceId,
    client_id: ClientId,
}

impl ClientScope {
    pub(crate) fn new(workspace_id: WorkspaceId, client_id: ClientId) -> Self {
        Self {
            workspace_id,
            client_id,
        }
    }

    pub fn workspace_id(&self) -> WorkspaceId {
        self.workspace_id
    }

    pub fn client_id(&self) -> ClientId {
        self.client_id
    }
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// What every portal page shows of its workspace, kept for a few seconds.
    workspace_cache: std::sync::Arc<workspace_cache::WorkspaceCache>,
    /// What portal pages show of each client's records, stamped with its revision.
    client_views: std::sync::Arc<client_view::ClientViewCache>,
    /// On a SQLite file: the session and the invoice list read without sqlx's thread
    /// hand-offs.
    direct: Option<std::sync::Arc<sqlite_direct::DirectReads>>,
}

/// One connection from the pool, held for all of a page's statements. Each statement on
/// the pool itself takes a connection and gives it back, and the pool checks a
/// connection when it comes back (on SQLite a round trip to the connection's thread), so
/// a page that runs several statements runs them on one of these.
pub type Db = sqlx::pool::PoolConnection<sqlx::Any>;

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish()
    }
}

impl Store {
    /// Connects and brings the schema up to date. On PostgreSQL the migrator holds an
    /// advisory lock (`pg_advisory_lock`, taken by sqlx's migrator before it reads the
    /// migrations table), so instances starting together run each migration once and
    /// the others wait for it.
    ///
    /// Statements slower than [`SLOW_STATEMENT`] are logged at warn level.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_logging(url, Some(SLOW_STATEMENT)).await
    }

    /// As [`Store::connect`], for bulk loads: no statement is logged, however slow.
    pub async fn connect_for_bulk_load(url: &str) -> StoreResult<Self> {
        Self::connect_logging(url, None).await
    }

    async fn connect_logging(url: &str, slow: Option<Duration>) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let options = match slow {
            Some(threshold) => AnyConnectOptions::from_str(url)?
                .log_slow_statements(tracing::log::LevelFilter::Warn, threshold),
            None => AnyConnectOptions::from_str(url)?.disable_statement_logging(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            // A SQLite connection is a file handle in this process and cannot drop away
            // while idle; testing it before every use cost a round trip to its thread.
            .test_before_acquire(backend != Backend::Sqlite)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options.clone())
            .await?;
        // Migrations run on their own connection, without statement logging (the schema
        // script is long and would be logged whole as a slow statement).
        let mut conn = options.disable_statement_logging().connect().await?;
        migrator_for(backend).await?.run(&mut conn).await?;
        conn.close().await?;
        Ok(Self {
            pool,
            backend,
            workspace_cache: Default::default(),
            client_views: Default::default(),
            direct: sqlite_direct::DirectReads::for_url(url, slow).map(std::sync::Arc::new),
        })
    }

    /// A connection for a page's statements (see [`Db`]). Hold it only for the page's
    /// reads: never while waiting on anything else, and never together with a second one.
    pub async fn db(&self) -> StoreResult<Db> {
        Ok(self.pool.acquire().await?)
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of one
    /// failing when it upgrades a read lock; PostgreSQL needs nothing special.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The scope staff code reads in once it has found `client` in its own workspace
    /// (to show what the client sees); [`StoreError::NotFound`] for any other client.
    pub async fn staff_client_scope(
        &self,
        ws: WorkspaceId,
        client: ClientId,
    ) -> StoreResult<ClientScope> {
        let found: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM client WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(ws.get())
        .bind(client.get())
        .fetch_optional(&self.pool)
        .await?;
        found
            .map(|_| ClientScope::new(ws, client))
            .ok_or(StoreError::NotFound)
    }

    /// A cheap round trip, for `/readyz`.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Converts a stored 0/1 flag.
pub(crate) fn flag(v: i64) -> bool {
    v != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn names(backend: Backend) -> Vec<String> {
        migrator_for(backend)
            .await
            .unwrap()
            .iter()
            .map(|m| m.description.to_string())
            .collect()
    }

    #[tokio::test]
    async fn each_database_runs_the_shared_migrations_and_its_own_only() {
        let (sqlite, postgres) = (names(Backend::Sqlite).await, names(Backend::Postgres).await);
        assert!(sqlite.contains(&"client portal rev sqlite".to_string()));
        assert!(!sqlite.iter().any(|d| d.ends_with(" postgres")));
        assert!(postgres.contains(&"client portal rev postgres".to_string()));
        assert!(!postgres.iter().any(|d| d.ends_with(" sqlite")));
        let shared = MIGRATOR
            .iter()
            .filter(|m| only_for(&m.description).is_none())
            .count();
        assert_eq!(sqlite.len(), shared + 1);
        assert_eq!(postgres.len(), shared + 1);
        assert!(shared >= 12);
    }
}
