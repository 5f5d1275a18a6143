//! Deleting jobs, projects and tasks. A delete is soft (`deleted_at` is set): the row
//! leaves every list, the portal and the API, while the invoices, quotes, visits and
//! audit entries that refer to it keep working. Tasks linked to a deleted job or project
//! are unlinked (they stay, and can still be edited). Every call is scoped to the
//! workspace; another workspace's id, or one already deleted, is [`StoreError::NotFound`].

use super::documents::Tx;
use super::{Store, StoreError, StoreResult};
use crate::ids::{JobId, ProjectId, TaskId, WorkspaceId};

/// What a delete removed: its client and a label for the audit trail.
#[derive(Debug, Clone)]
pub struct Deleted {
    pub client_id: i64,
    pub label: String,
}

impl Store {
    /// Deletes a job, even one that an invoice or quote refers to or that has visits;
    /// its tasks stay, unlinked from it.
    pub async fn delete_job(
        &self,
        ws: WorkspaceId,
        id: JobId,
        now_ms: i64,
    ) -> StoreResult<Deleted> {
        let mut tx = self.begin_write().await?;
        let done = soft_delete(&mut tx, "job", "number", ws, id.get(), now_ms).await?;
        unlink_tasks(&mut tx, "job_id", ws, id.get(), now_ms).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Deletes a task.
    pub async fn delete_task(
        &self,
        ws: WorkspaceId,
        id: TaskId,
        now_ms: i64,
    ) -> StoreResult<Deleted> {
        let mut tx = self.begin_write().await?;
        let done = soft_delete(&mut tx, "task", "title", ws, id.get(), now_ms).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Deletes a project; refused (conflict, nothing changed) while it has live jobs.
    /// Its tasks stay, unlinked from it.
    pub async fn delete_project(
        &self,
        ws: WorkspaceId,
        id: ProjectId,
        now_ms: i64,
    ) -> StoreResult<Deleted> {
        let mut tx = self.begin_write().await?;
        let done = soft_delete(&mut tx, "project", "name", ws, id.get(), now_ms).await?;
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
        unlink_tasks(&mut tx, "project_id", ws, id.get(), now_ms).await?;
        tx.commit().await?;
        Ok(done)
    }
}

/// Sets `deleted_at` on a live row of the workspace; returns its client and label.
async fn soft_delete(
    tx: &mut Tx<'_>,
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
    .fetch_optional(&mut **tx)
    .await?;
    let (client_id, label) = deleted.ok_or(StoreError::NotFound)?;
    Ok(Deleted { client_id, label })
}

/// Clears `column` (`job_id` or `project_id`) on the tasks linked to a deleted record.
async fn unlink_tasks(
    tx: &mut Tx<'_>,
    column: &'static str,
    ws: WorkspaceId,
    id: i64,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(&format!(
        "UPDATE task SET {column} = NULL, updated_at = $3 WHERE workspace_id = $1 AND {column} = $2"
    ))
    .bind(ws.get())
    .bind(id)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
