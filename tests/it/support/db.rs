//! A fresh database per test: a SQLite file in a temporary directory by default, or a new
//! PostgreSQL database when `PORTICO_TEST_DATABASE_URL` names a server
//! (e.g. `postgres://postgres@127.0.0.1:5432/postgres`).

use std::path::Path;

use sqlx::Connection;

fn postgres_base() -> Option<String> {
    std::env::var("PORTICO_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

/// A database URL for one test. PostgreSQL databases are named
/// `portico_t_<run>_<random>`, `<run>` from `PORTICO_TEST_RUN` (the test script's process
/// id), so the script drops its own leftovers and never another run's databases.
pub async fn fresh_database_url(dir: &Path) -> String {
    match postgres_base() {
        None => format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
        Some(base) => {
            let run: String = std::env::var("PORTICO_TEST_RUN")
                .unwrap_or_default()
                .chars()
                .filter(char::is_ascii_digit)
                .take(12)
                .collect();
            let name = format!(
                "portico_t_{run}_{}",
                portico::crypto::random_token(9)
                    .to_lowercase()
                    .replace(['-', '_'], "x")
            );
            let mut conn = sqlx::postgres::PgConnection::connect(&base)
                .await
                .expect("PORTICO_TEST_DATABASE_URL must be reachable");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
            let (prefix, _) = base.rsplit_once('/').unwrap();
            format!("{prefix}/{name}")
        }
    }
}
