//! Deleting jobs, projects and tasks. A delete is soft (`deleted_at` is set): the row
//! leaves every list, the portal and the API, while the invoices, quotes, visits and
//! audit entries that refer to it keep working. Every call is scoped to the workspace;
//! another workspace's id, or one already deleted, is [`StoreError::NotFound`].

use super::{Store, StoreError, StoreResult};
use crate::ids::{JobId, ProjectId, TaskId, WorkspaceId};

/// What a delete removed: its client and a label for the audit trail.
#[derive(Debug, Clone)]
pub struct Deleted {
    pub client_id: i64,
    pub label: String,
}

impl Store {
    /// Deletes a job, even one that an invoice or quote refers to or that has visits.
    pub async fn delete_job(
        &self,
        ws: WorkspaceId,
        id: JobId,
        now_ms: i64,
    ) -> StoreResult<Deleted> {
        self.soft_delete("job", "number", ws, id.get(), now_ms)
            .await
    }

    /// Deletes a task.
    pub async fn delete_task(
        &self,
        ws: WorkspaceId,
        id: TaskId,
        now_ms: i64,
    ) -> StoreResult<Deleted> {
        self.soft_delete("task", "title", ws, id.get(), now_ms)
            .await
    }

    /// Deletes a project; refused (conflict, nothing changed) while it has live jobs.
    pub async fn delete_project(
        &self,
        ws: WorkspaceId,
        id: ProjectId,
        now_ms: i64,
    ) -> StoreResult<Deleted> {
        let mut tx = self.begin_write().await?;
        let deleted: Option<(i64, String)> = sqlx::query_as(
            "UPDATE project SET deleted_at = $3, updated_at = $3
             WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL
             RETURNING client_id, name",
        )
        .bind(ws.get())
        .bind(id.get())
        .bind(now_ms)
        .fetch_optional(&mut *tx)
        .await?;
        let (client_id, label) = deleted.ok_or(StoreError::NotFound)?;
        let jobs: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM job WHERE workspace_id = $1 AND project_id = $2 AND deleted_at IS NULL",
        )
        .bind(ws.get())
        .bind(id.get())
        .fetch_one(&mut *tx)
        .await?;
        if jobs > 0 {
            return Err(StoreError::Conflict(format!(
                "This project has {jobs} live job(s): move or delete its jobs first"
            )));
        }
        tx.commit().await?;
        Ok(Deleted { client_id, label })
    }

    async fn soft_delete(
        &self,
        table: &'static str,
        label: &'static str,
        ws: WorkspaceId,
        id: i64,
        now_ms: i64,
    ) -> StoreResult<Deleted> {
        let deleted: Option<(i64, String)> = sqlx::query_as(&format!(
            "UPDATE {table} SET deleted_at = $3, updated_at = $3
             WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL
             RETURNING client_id, {label}"
        ))
        .bind(ws.get())
        .bind(id)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        let (client_id, label) = deleted.ok_or(StoreError::NotFound)?;
        Ok(Deleted { client_id, label })
    }
}
