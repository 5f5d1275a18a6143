//! Login attempts (with their hashed codes) and portal sessions.

use sqlx::FromRow;

use super::{Store, StoreResult};
use crate::ids::{ClientId, ContactId, LoginCodeId, WorkspaceId};

#[derive(Debug, Clone, FromRow)]
pub struct AttemptRow {
    pub id: i64,
    pub workspace_id: i64,
    pub client_id: Option<i64>,
    pub email_norm: String,
    pub code_hash: Option<String>,
    pub failed_tries: i64,
    pub expires_at: i64,
    pub consumed_at: Option<i64>,
    pub voided_at: Option<i64>,
}

pub struct NewAttempt<'a> {
    pub id: LoginCodeId,
    pub workspace_id: WorkspaceId,
    pub client_id: Option<ClientId>,
    pub email_norm: &'a str,
    pub attempt_hash: &'a str,
    pub code_hash: Option<&'a str>,
    pub accepted: bool,
    pub expires_at: i64,
    pub ip: &'a str,
}

/// A portal session joined with what decides whether it is still good.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub workspace_id: i64,
    pub client_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub email_norm: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub revoked_at: Option<i64>,
    pub idle_minutes: i64,
    pub absolute_minutes: i64,
    /// 1 when the client's portal is on and the client is live; NULL without a client.
    pub client_open: Option<i64>,
    /// 1 when the contact is live and still has the session's address; NULL without one.
    pub contact_matches: Option<i64>,
    pub first_name: Option<String>,
    pub contact_name: Option<String>,
    /// The session's client's name; NULL without a client.
    pub client_name: Option<String>,
    /// Clients with the portal on where the session's address is a contact (as
    /// [`Store::portal_choices`] lists them).
    pub choices: i64,
    /// The client's `portal_rev` (see [`super::client_view`]); 0 without a client.
    pub portal_rev: i64,
}

/// A portal session with its workspace's limits, its client and its contact.
const PORTAL_SESSION: &str = "SELECT s.workspace_id, s.client_id, s.contact_id, s.email_norm, s.created_at, s.last_seen_at, s.revoked_at,
            w.portal_idle_minutes AS idle_minutes, w.portal_absolute_minutes AS absolute_minutes,
            CASE WHEN s.client_id IS NULL THEN NULL
                 WHEN c.portal_enabled = 1 AND c.deleted_at IS NULL AND c.archived_at IS NULL THEN 1 ELSE 0 END AS client_open,
            CASE WHEN s.contact_id IS NULL THEN NULL
                 WHEN ct.deleted_at IS NULL AND ct.email_norm = s.email_norm AND ct.client_id = s.client_id THEN 1 ELSE 0 END AS contact_matches,
            ct.first_name AS first_name,
            CASE WHEN ct.id IS NULL THEN NULL ELSE ct.first_name || ' ' || ct.last_name END AS contact_name,
            c.name AS client_name, COALESCE(c.portal_rev, 0) AS portal_rev,
            (SELECT COUNT(*) FROM contact x JOIN client o ON o.id = x.client_id
              WHERE x.workspace_id = s.workspace_id AND x.email_norm = s.email_norm AND x.deleted_at IS NULL
                AND o.portal_enabled = 1 AND o.deleted_at IS NULL AND o.archived_at IS NULL) AS choices
     FROM portal_session s
     JOIN workspace w ON w.id = s.workspace_id
     LEFT JOIN client c ON c.id = s.client_id AND c.workspace_id = s.workspace_id
     LEFT JOIN contact ct ON ct.id = s.contact_id AND ct.workspace_id = s.workspace_id
     WHERE s.token_hash = $1";

impl SessionRow {
    /// A row of [`PORTAL_SESSION`] as SQLite answers it.
    fn from_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            workspace_id: r.get("workspace_id")?,
            client_id: r.get("client_id")?,
            contact_id: r.get("contact_id")?,
            email_norm: r.get("email_norm")?,
            created_at: r.get("created_at")?,
            last_seen_at: r.get("last_seen_at")?,
            revoked_at: r.get("revoked_at")?,
            idle_minutes: r.get("idle_minutes")?,
            absolute_minutes: r.get("absolute_minutes")?,
            client_open: r.get("client_open")?,
            contact_matches: r.get("contact_matches")?,
            first_name: r.get("first_name")?,
            contact_name: r.get("contact_name")?,
            client_name: r.get("client_name")?,
            choices: r.get("choices")?,
            portal_rev: r.get("portal_rev")?,
        })
    }
}

pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub workspace_id: WorkspaceId,
    pub client_id: Option<ClientId>,
    pub contact_id: Option<ContactId>,
    pub email_norm: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
}

impl Store {
    /// Accepted code requests for an address since `since_ms`: in all, from `ip`, and
    /// when the last one was.
    pub async fn recent_code_requests(
        &self,
        ws: WorkspaceId,
        email_norm: &str,
        ip: &str,
        since_ms: i64,
    ) -> StoreResult<(i64, i64, Option<i64>)> {
        let (count, from_ip, last): (i64, i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), COUNT(CASE WHEN ip = $4 THEN 1 END), MAX(created_at) FROM login_code
             WHERE workspace_id = $1 AND email_norm = $2 AND accepted = 1 AND created_at >= $3",
        )
        .bind(ws.get())
        .bind(email_norm)
        .bind(since_ms)
        .bind(ip)
        .fetch_one(&self.pool)
        .await?;
        Ok((count, from_ip, last))
    }

    /// Records a login attempt. When it carries a code, every earlier unused code for the
    /// same address in the workspace is voided in the same transaction.
    pub async fn insert_login_attempt(&self, a: &NewAttempt<'_>, now_ms: i64) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        if a.accepted {
            sqlx::query(
                "UPDATE login_code SET voided_at = $3
                 WHERE workspace_id = $1 AND email_norm = $2 AND consumed_at IS NULL AND voided_at IS NULL",
            )
            .bind(a.workspace_id.get())
            .bind(a.email_norm)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO login_code (id, workspace_id, client_id, email_norm, attempt_hash, code_hash, accepted, expires_at, ip, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(a.id.get())
        .bind(a.workspace_id.get())
        .bind(a.client_id.map(ClientId::get))
        .bind(a.email_norm)
        .bind(a.attempt_hash)
        .bind(a.code_hash)
        .bind(i64::from(a.accepted))
        .bind(a.expires_at)
        .bind(a.ip)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn login_attempt(&self, attempt_hash: &str) -> StoreResult<Option<AttemptRow>> {
        Ok(sqlx::query_as(
            "SELECT id, workspace_id, client_id, email_norm, code_hash, failed_tries, expires_at, consumed_at, voided_at
             FROM login_code WHERE attempt_hash = $1",
        )
        .bind(attempt_hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Counts a wrong code and returns the attempt's new total.
    pub async fn record_failed_try(&self, id: LoginCodeId) -> StoreResult<i64> {
        let (tries,): (i64,) =
            sqlx::query_as("UPDATE login_code SET failed_tries = failed_tries + 1 WHERE id = $1 RETURNING failed_tries")
                .bind(id.get())
                .fetch_one(&self.pool)
                .await?;
        Ok(tries)
    }

    /// Uses the code up, atomically: of two racing verifications only one gets `true`.
    pub async fn consume_attempt(
        &self,
        id: LoginCodeId,
        max_tries: i64,
        now_ms: i64,
    ) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE login_code SET consumed_at = $2
             WHERE id = $1 AND consumed_at IS NULL AND voided_at IS NULL AND failed_tries < $3 AND expires_at > $2",
        )
        .bind(id.get())
        .bind(now_ms)
        .bind(max_tries)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    pub async fn create_portal_session(&self, s: &NewSession<'_>, now_ms: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO portal_session (token_hash, workspace_id, client_id, contact_id, email_norm, created_at, last_seen_at, ip, user_agent)
             VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8)",
        )
        .bind(s.token_hash)
        .bind(s.workspace_id.get())
        .bind(s.client_id.map(ClientId::get))
        .bind(s.contact_id.map(ContactId::get))
        .bind(s.email_norm)
        .bind(now_ms)
        .bind(s.ip)
        .bind(s.user_agent)
        .execute(&self.pool)
        .await?;
        if let Some(client) = s.client_id {
            sqlx::query("UPDATE client SET portal_last_login_at = $2 WHERE id = $1")
                .bind(client.get())
                .bind(now_ms)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// The session with this token hash, and what every request checks with it. On a
    /// SQLite file it is read on the calling thread (see [`super::sqlite_direct`]).
    pub async fn portal_session(&self, token_hash: &str) -> StoreResult<Option<SessionRow>> {
        if let Some(direct) = &self.direct {
            return direct.read(PORTAL_SESSION, |stmt| {
                use rusqlite::OptionalExtension;
                stmt.query_row([token_hash], SessionRow::from_sqlite)
                    .optional()
            });
        }
        Ok(sqlx::query_as(PORTAL_SESSION)
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn touch_portal_session(&self, token_hash: &str, now_ms: i64) -> StoreResult<()> {
        sqlx::query("UPDATE portal_session SET last_seen_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL")
            .bind(token_hash)
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn revoke_portal_session(&self, token_hash: &str, now_ms: i64) -> StoreResult<()> {
        sqlx::query("UPDATE portal_session SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL")
            .bind(token_hash)
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
