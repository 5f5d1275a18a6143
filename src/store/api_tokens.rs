//! API tokens: a workspace's bearer credentials for other systems. Only a SHA-256 hash of
//! each token is kept (tokens are 256-bit random, so a plain hash suffices), with a short
//! prefix so staff can recognise one in the list.

use sqlx::FromRow;

use super::{Store, StoreError, StoreResult};
use crate::ids::{new_id, StaffUserId, WorkspaceId};

#[derive(Debug, Clone, FromRow)]
pub struct ApiTokenRow {
    pub id: i64,
    pub workspace_id: i64,
    pub name: String,
    pub token_prefix: String,
    pub created_by_name: Option<String>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub created_at: i64,
}

/// What a bearer token resolves to when checked.
#[derive(Debug, Clone, FromRow)]
pub struct ApiTokenAuth {
    pub id: i64,
    pub workspace_id: i64,
    pub name: String,
    pub token_hash: String,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// `last_used_at` is written at most this often per token, so a busy integration does
/// not turn every read into a write.
pub const TOUCH_EVERY_MS: i64 = 60_000;

impl Store {
    pub async fn create_api_token(
        &self,
        ws: WorkspaceId,
        name: &str,
        token_hash: &str,
        token_prefix: &str,
        created_by: Option<StaffUserId>,
        now_ms: i64,
    ) -> StoreResult<i64> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO api_token (id, workspace_id, name, token_hash, token_prefix, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(ws.get())
        .bind(name)
        .bind(token_hash)
        .bind(token_prefix)
        .bind(created_by.map(StaffUserId::get))
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// Every token of a workspace, newest first, revoked ones included (for the record).
    pub async fn api_tokens(&self, ws: WorkspaceId) -> StoreResult<Vec<ApiTokenRow>> {
        Ok(sqlx::query_as(
            "SELECT t.id, t.workspace_id, t.name, t.token_prefix, s.name AS created_by_name,
                    t.last_used_at, t.revoked_at, t.created_at
             FROM api_token t LEFT JOIN staff_user s ON s.id = t.created_by
             WHERE t.workspace_id = $1 ORDER BY t.id DESC LIMIT 500",
        )
        .bind(ws.get())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Revokes a token of this workspace; [`StoreError::NotFound`] if it is not one or is
    /// already revoked. Returns its name for the audit log.
    pub async fn revoke_api_token(
        &self,
        ws: WorkspaceId,
        id: i64,
        now_ms: i64,
    ) -> StoreResult<String> {
        let name: Option<(String,)> = sqlx::query_as(
            "UPDATE api_token SET revoked_at = $3
             WHERE workspace_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING name",
        )
        .bind(ws.get())
        .bind(id)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        name.map(|(n,)| n).ok_or(StoreError::NotFound)
    }

    /// Revokes every live token of this workspace with this name (the demo renews its own).
    pub async fn revoke_api_tokens_named(
        &self,
        ws: WorkspaceId,
        name: &str,
        now_ms: i64,
    ) -> StoreResult<u64> {
        Ok(sqlx::query(
            "UPDATE api_token SET revoked_at = $3
             WHERE workspace_id = $1 AND name = $2 AND revoked_at IS NULL",
        )
        .bind(ws.get())
        .bind(name)
        .bind(now_ms)
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    /// The token with this hash, revoked or not (the caller decides).
    pub async fn api_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<ApiTokenAuth>> {
        Ok(sqlx::query_as(
            "SELECT id, workspace_id, name, token_hash, last_used_at, revoked_at
             FROM api_token WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Records a use, unless one was recorded in the last [`TOUCH_EVERY_MS`].
    pub async fn touch_api_token(&self, id: i64, now_ms: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE api_token SET last_used_at = $2
             WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $3)",
        )
        .bind(id)
        .bind(now_ms)
        .bind(now_ms - TOUCH_EVERY_MS)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
