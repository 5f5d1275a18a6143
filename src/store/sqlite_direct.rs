//! Reads on SQLite on the calling thread, for the statement every portal request runs
//! (its session) and the portal's invoice list.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every statement,
//! every row and every pool check-in across channels to it and back. For a one-row read
//! those hand-offs cost more than the read: with the portal's pages served from what
//! the store keeps, a third of the server's CPU under load went to waking threads. A
//! reader in WAL mode never waits for a writer, so the session is read here instead,
//! on the request's own thread, from a small set of read-only connections to the same
//! file. Everything else, and every write, stays on sqlx.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use sqlx::sqlite::SqliteConnectOptions;

use super::{StoreError, StoreResult};

/// Idle connections kept at most (one per request served at the same moment is enough).
const MAX_IDLE: usize = 16;

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 32;

/// How long a read waits if the file is locked in a way a WAL reader must wait for
/// (only while the WAL is being recovered after a crash).
const BUSY_TIMEOUT: Duration = Duration::from_millis(500);

pub struct DirectReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// Statements slower than this are logged, as sqlx logs its own.
    slow: Option<Duration>,
}

impl std::fmt::Debug for DirectReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectReads")
            .field("path", &self.path)
            .finish()
    }
}

impl DirectReads {
    /// Reads of the database file `url` names; `None` for an in-memory database (which
    /// other connections cannot see) or anything that is not a SQLite URL.
    pub fn for_url(url: &str, slow: Option<Duration>) -> Option<Self> {
        if !url.starts_with("sqlite:") || url.contains(":memory:") || url.contains("mode=memory") {
            return None;
        }
        let options = SqliteConnectOptions::from_str(url).ok()?;
        Some(Self {
            path: options.get_filename().to_path_buf(),
            idle: Mutex::new(Vec::new()),
            slow,
        })
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // The session statement and one per invoice-list filter, with and without a cursor.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // This connection only reads; SQLite refuses any write on it.
        conn.pragma_update(None, "query_only", true)?;
        Ok(conn)
    }

    /// Runs `read` with the prepared (and cached) statement `sql` on an idle connection.
    pub fn read<T>(
        &self,
        sql: &str,
        read: impl FnOnce(&mut rusqlite::CachedStatement<'_>) -> rusqlite::Result<T>,
    ) -> StoreResult<T> {
        let taken = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match taken {
            Some(conn) => conn,
            None => self.open()?,
        };
        let started = Instant::now();
        let result = conn
            .prepare_cached(sql)
            .and_then(|mut stmt| read(&mut stmt));
        let elapsed = started.elapsed();
        if self.slow.is_some_and(|limit| elapsed >= limit) {
            tracing::warn!(
                elapsed_ms = elapsed.as_secs_f64() * 1000.0,
                statement = sql
                    .split_whitespace()
                    .take(12)
                    .collect::<Vec<_>>()
                    .join(" "),
                "slow statement: execution time exceeded alert threshold"
            );
        }
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
        Ok(result?)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
            other => StoreError::Direct(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_in_memory_database_is_read_through_sqlx() {
        assert!(DirectReads::for_url("sqlite::memory:", None).is_none());
        assert!(DirectReads::for_url("sqlite://file.db?mode=memory", None).is_none());
        assert!(DirectReads::for_url("postgres://localhost/db", None).is_none());
        let file = DirectReads::for_url("sqlite:///tmp/x/portico.db?mode=rwc", None);
        assert_eq!(
            file.map(|d| d.path),
            Some(PathBuf::from("/tmp/x/portico.db"))
        );
    }

    #[test]
    fn reads_see_what_another_connection_committed_and_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let writer = Connection::open(&path).unwrap();
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL; CREATE TABLE t (v BIGINT); INSERT INTO t VALUES (1);",
            )
            .unwrap();
        let reads = DirectReads::for_url(&format!("sqlite://{}", path.display()), None).unwrap();
        let count = |reads: &DirectReads| {
            reads
                .read("SELECT COUNT(*) FROM t", |s| {
                    s.query_row([], |r| r.get::<_, i64>(0))
                })
                .unwrap()
        };
        assert_eq!(count(&reads), 1);
        writer.execute("INSERT INTO t VALUES (2)", []).unwrap();
        assert_eq!(count(&reads), 2, "a kept connection sees the new row");
        let write = reads.read("INSERT INTO t VALUES (3)", |s| s.execute([]));
        assert!(matches!(write, Err(StoreError::Direct(_))));
        assert_eq!(count(&reads), 2);
        let missing = reads.read("SELECT v FROM t WHERE v = 9", |s| {
            s.query_row([], |r| r.get::<_, i64>(0))
        });
        assert!(matches!(missing, Err(StoreError::NotFound)));
    }
}
