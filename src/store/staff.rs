//! Staff users and their sessions.

use sqlx::FromRow;

use super::{Store, StoreError, StoreResult};
use crate::domain::email::EmailAddress;
use crate::ids::{StaffUserId, WorkspaceId};

#[derive(Debug, Clone, FromRow)]
pub struct StaffRow {
    pub id: i64,
    pub workspace_id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: Option<String>,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub disabled_at: Option<i64>,
}

impl StaffRow {
    pub fn id(&self) -> StaffUserId {
        StaffUserId::from_db(self.id)
    }

    pub fn workspace(&self) -> WorkspaceId {
        WorkspaceId::from_db(self.workspace_id)
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct StaffSessionRow {
    pub staff_user_id: i64,
    pub workspace_id: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub revoked_at: Option<i64>,
    pub name: String,
    pub email: String,
    pub role: String,
    pub disabled_at: Option<i64>,
}

const STAFF_COLUMNS: &str =
    "id, workspace_id, email, name, role, password_hash, failed_logins, locked_until, disabled_at";

impl Store {
    pub async fn create_staff(
        &self,
        ws: WorkspaceId,
        email: &EmailAddress,
        name: &str,
        role: &str,
        password_hash: &str,
        now_ms: i64,
    ) -> StoreResult<StaffUserId> {
        let id = StaffUserId::new();
        sqlx::query(
            "INSERT INTO staff_user (id, workspace_id, email, email_norm, name, role, password_hash, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(id.get())
        .bind(ws.get())
        .bind(email.as_str())
        .bind(email.normalised())
        .bind(name)
        .bind(role)
        .bind(password_hash)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    pub async fn staff_by_email(&self, email_norm: &str) -> StoreResult<Option<StaffRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {STAFF_COLUMNS} FROM staff_user WHERE email_norm = $1"
        ))
        .bind(email_norm)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn set_staff_password(
        &self,
        id: StaffUserId,
        password_hash: &str,
        now_ms: i64,
    ) -> StoreResult<()> {
        let n = sqlx::query(
            "UPDATE staff_user SET password_hash = $2, failed_logins = 0, locked_until = NULL, updated_at = $3 WHERE id = $1",
        )
        .bind(id.get())
        .bind(password_hash)
        .bind(now_ms)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Counts a failed password and locks the account for `lock_ms` once `max` is reached.
    /// Counts a failed password on the account (shown to staff; the lock itself is
    /// decided from the rate-limit windows).
    pub async fn count_staff_failure(&self, id: StaffUserId) -> StoreResult<()> {
        sqlx::query("UPDATE staff_user SET failed_logins = failed_logins + 1 WHERE id = $1")
            .bind(id.get())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn record_staff_login(&self, id: StaffUserId, now_ms: i64) -> StoreResult<()> {
        sqlx::query("UPDATE staff_user SET failed_logins = 0, locked_until = NULL, last_login_at = $2 WHERE id = $1")
            .bind(id.get())
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn create_staff_session(
        &self,
        token_hash: &str,
        user: &StaffRow,
        ip: &str,
        now_ms: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO staff_session (token_hash, workspace_id, staff_user_id, created_at, last_seen_at, ip)
             VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(token_hash)
        .bind(user.workspace_id)
        .bind(user.id)
        .bind(now_ms)
        .bind(ip)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn staff_session(&self, token_hash: &str) -> StoreResult<Option<StaffSessionRow>> {
        Ok(sqlx::query_as(
            "SELECT s.staff_user_id, s.workspace_id, s.created_at, s.last_seen_at, s.revoked_at, u.name, u.email, u.role, u.disabled_at
             FROM staff_session s JOIN staff_user u ON u.id = s.staff_user_id
             WHERE s.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn touch_staff_session(&self, token_hash: &str, now_ms: i64) -> StoreResult<()> {
        sqlx::query("UPDATE staff_session SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn revoke_staff_session(&self, token_hash: &str, now_ms: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE staff_session SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Active staff of a workspace, to be told about new requests.
    pub async fn staff_recipients(&self, ws: WorkspaceId) -> StoreResult<Vec<(String, String)>> {
        Ok(sqlx::query_as("SELECT name, email FROM staff_user WHERE workspace_id = $1 AND disabled_at IS NULL ORDER BY id")
            .bind(ws.get())
            .fetch_all(&self.pool)
            .await?)
    }
}
