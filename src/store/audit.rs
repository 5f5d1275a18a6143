//! The audit log: who did what, to which record, when and from where.

use sqlx::FromRow;

use super::{Store, StoreResult};
use crate::ids::{new_id, WorkspaceId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Staff(i64),
    Contact(i64),
    Api(i64),
    System,
    Anonymous,
}

impl Actor {
    fn kind(self) -> &'static str {
        match self {
            Actor::Staff(_) => "staff",
            Actor::Contact(_) => "contact",
            Actor::Api(_) => "api",
            Actor::System => "system",
            Actor::Anonymous => "anonymous",
        }
    }

    fn id(self) -> Option<i64> {
        match self {
            Actor::Staff(id) | Actor::Contact(id) | Actor::Api(id) => Some(id),
            Actor::System | Actor::Anonymous => None,
        }
    }
}

/// One entry. `label` is a human name for the actor (e.g. an email) kept even if the
/// actor is later removed; `detail` is free text and must never hold a secret.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub actor: Actor,
    pub label: &'a str,
    pub action: &'a str,
    pub subject_kind: &'a str,
    pub subject_id: Option<i64>,
    pub client_id: Option<i64>,
    pub ip: &'a str,
    pub detail: &'a str,
}

#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub at: i64,
    pub actor_kind: String,
    pub actor_label: String,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: Option<i64>,
    pub client_id: Option<i64>,
    pub ip: String,
    pub detail: String,
}

impl Store {
    pub async fn audit(&self, ws: WorkspaceId, e: &AuditEntry<'_>, now_ms: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit_event (id, workspace_id, at, actor_kind, actor_id, actor_label, action, subject_kind, subject_id, client_id, ip, detail)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(new_id())
        .bind(ws.get())
        .bind(now_ms)
        .bind(e.actor.kind())
        .bind(e.actor.id())
        .bind(e.label)
        .bind(e.action)
        .bind(e.subject_kind)
        .bind(e.subject_id)
        .bind(e.client_id)
        .bind(e.ip)
        .bind(e.detail)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Newest first; `action` narrows to one kind of event when not empty.
    pub async fn audit_events(
        &self,
        ws: WorkspaceId,
        action: &str,
        limit: i64,
    ) -> StoreResult<Vec<AuditRow>> {
        Ok(sqlx::query_as(
            "SELECT at, actor_kind, actor_label, action, subject_kind, subject_id, client_id, ip, detail
             FROM audit_event WHERE workspace_id = $1 AND ($2 = '' OR action = $2)
             ORDER BY at DESC, id DESC LIMIT $3",
        )
        .bind(ws.get())
        .bind(action)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One page of the log, newest first (ids follow time). `actions` narrows it to those
    /// actions when not empty; `before` is the last id of the previous page.
    pub async fn audit_page(
        &self,
        ws: WorkspaceId,
        actions: &[&str],
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<(i64, AuditRow)>> {
        self.audit_page_by(ws, actions, "", before, limit).await
    }

    /// As [`Store::audit_page`], and when `who` is not empty only what the actor with
    /// that label (an email, any case) did.
    pub async fn audit_page_by(
        &self,
        ws: WorkspaceId,
        actions: &[&str],
        who: &str,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<(i64, AuditRow)>> {
        let filter = if actions.is_empty() {
            String::new()
        } else {
            let placeholders: Vec<String> =
                (0..actions.len()).map(|i| format!("${}", i + 5)).collect();
            format!("AND action IN ({})", placeholders.join(", "))
        };
        let sql = format!(
            "SELECT id, at, actor_kind, actor_label, action, subject_kind, subject_id, client_id, ip, detail
             FROM audit_event WHERE workspace_id = $1 AND ($2 = 0 OR id < $2)
               AND ($4 = '' OR LOWER(actor_label) = $4) {filter}
             ORDER BY id DESC LIMIT $3"
        );
        let mut q = sqlx::query_as::<_, AuditPageRow>(&sql)
            .bind(ws.get())
            .bind(before.unwrap_or(0))
            .bind(limit)
            .bind(who.trim().to_lowercase());
        for a in actions {
            q = q.bind(*a);
        }
        Ok(q.fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|r| {
                (
                    r.id,
                    AuditRow {
                        at: r.at,
                        actor_kind: r.actor_kind,
                        actor_label: r.actor_label,
                        action: r.action,
                        subject_kind: r.subject_kind,
                        subject_id: r.subject_id,
                        client_id: r.client_id,
                        ip: r.ip,
                        detail: r.detail,
                    },
                )
            })
            .collect())
    }
}

#[derive(FromRow)]
struct AuditPageRow {
    id: i64,
    at: i64,
    actor_kind: String,
    actor_label: String,
    action: String,
    subject_kind: String,
    subject_id: Option<i64>,
    client_id: Option<i64>,
    ip: String,
    detail: String,
}
