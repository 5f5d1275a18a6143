//! Fixed-window counters kept in the database, so every instance counts together.

use super::{Store, StoreResult};

impl Store {
    /// Counts one hit against `bucket` in the window containing `now_ms` and returns
    /// the window's total including this hit.
    pub async fn rate_hit(&self, bucket: &str, window_ms: i64, now_ms: i64) -> StoreResult<i64> {
        let window_start = now_ms - now_ms.rem_euclid(window_ms.max(1));
        let (hits,): (i64,) = sqlx::query_as(
            "INSERT INTO rate_limit (bucket, window_start, hits) VALUES ($1, $2, 1)
             ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit.hits + 1
             RETURNING hits",
        )
        .bind(bucket)
        .bind(window_start)
        .fetch_one(&self.pool)
        .await?;
        Ok(hits)
    }

    /// The current window's total for `bucket`, without counting.
    pub async fn rate_peek(&self, bucket: &str, window_ms: i64, now_ms: i64) -> StoreResult<i64> {
        let window_start = now_ms - now_ms.rem_euclid(window_ms.max(1));
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT hits FROM rate_limit WHERE bucket = $1 AND window_start = $2")
                .bind(bucket)
                .bind(window_start)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map_or(0, |r| r.0))
    }

    /// Drops windows that ended long ago, and login attempts and sessions nobody can use.
    pub async fn purge_expired(&self, now_ms: i64) -> StoreResult<()> {
        let day = 24 * 3600 * 1000;
        sqlx::query("DELETE FROM rate_limit WHERE window_start < $1")
            .bind(now_ms - day)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM login_code WHERE created_at < $1")
            .bind(now_ms - 7 * day)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
