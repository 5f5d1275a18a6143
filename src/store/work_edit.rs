//! The back office's reads and edits of a client's work: jobs, their visits, projects
//! and tasks. Creation is in [`super::work`]. Every call is scoped to the workspace, and
//! a project or job linked to a record must belong to the record's own client; anything
//! else is [`StoreError::NotFound`]. Edits run in one transaction: a refused edit
//! changes nothing.

use sqlx::FromRow;

use super::documents::{ensure_client_record, Owned, Tx};
use super::work::{NewJob, NewProject, NewTask};
use super::{flag, Store, StoreError, StoreResult};
use crate::ids::{ClientId, JobId, ProjectId, TaskId, VisitId, WorkspaceId};

#[derive(Debug, Clone, FromRow)]
pub struct StaffJobRow {
    pub id: i64,
    pub client_id: i64,
    pub project_id: Option<i64>,
    pub number: String,
    pub title: String,
    pub description: String,
    pub status: String,
    pub site_address: String,
    pub scheduled_start: Option<i64>,
    pub scheduled_end: Option<i64>,
    pub internal_notes: String,
    pub project_name: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct StaffProjectRow {
    pub id: i64,
    pub client_id: i64,
    pub name: String,
    pub description: String,
    pub status: String,
    pub progress_pct: i64,
    pub start_date: Option<String>,
    pub due_date: Option<String>,
    pub internal_notes: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct StaffTaskRow {
    pub id: i64,
    pub client_id: i64,
    pub project_id: Option<i64>,
    pub job_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub due_date: Option<String>,
    pub done_at: Option<i64>,
    pub shared_with_client: i64,
    pub project_name: Option<String>,
    pub job_number: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl StaffJobRow {
    pub fn status_label(&self) -> &'static str {
        crate::domain::records::job_status_label(&self.status)
    }
}

impl StaffProjectRow {
    pub fn status_label(&self) -> String {
        project_status_label(&self.status)
    }
}

/// `on_hold` → `on hold`.
pub fn project_status_label(status: &str) -> String {
    status.replace('_', " ")
}

impl StaffTaskRow {
    pub fn shared(&self) -> bool {
        flag(self.shared_with_client)
    }

    pub fn done(&self) -> bool {
        self.done_at.is_some()
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct VisitRow {
    pub id: i64,
    pub job_id: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub status: String,
    pub notes: String,
    /// The staff member the visit is assigned to, and their name.
    pub assigned_to: Option<i64>,
    pub assignee_name: Option<String>,
}

const JOB_SELECT: &str =
    "SELECT j.id, j.client_id, j.project_id, j.number, j.title, j.description, j.status,
    j.site_address, j.scheduled_start, j.scheduled_end, j.internal_notes, p.name AS project_name,
    j.created_at, j.updated_at
    FROM job j LEFT JOIN project p ON p.id = j.project_id";
const PROJECT_SELECT: &str =
    "SELECT id, client_id, name, description, status, progress_pct, start_date,
    due_date, internal_notes, created_at, updated_at FROM project";
const TASK_SELECT: &str =
    "SELECT t.id, t.client_id, t.project_id, t.job_id, t.title, t.description,
    t.due_date, t.done_at, t.shared_with_client, p.name AS project_name, j.number AS job_number,
    t.created_at, t.updated_at
    FROM task t LEFT JOIN project p ON p.id = t.project_id LEFT JOIN job j ON j.id = t.job_id";

impl Store {
    /// A client's jobs, newest first.
    pub async fn jobs_of(
        &self,
        ws: WorkspaceId,
        client: ClientId,
    ) -> StoreResult<Vec<StaffJobRow>> {
        Ok(sqlx::query_as(&format!(
            "{JOB_SELECT} WHERE j.workspace_id = $1 AND j.client_id = $2 AND j.deleted_at IS NULL ORDER BY j.id DESC"
        ))
        .bind(ws.get())
        .bind(client.get())
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn job_row(&self, ws: WorkspaceId, id: JobId) -> StoreResult<StaffJobRow> {
        sqlx::query_as(&format!(
            "{JOB_SELECT} WHERE j.workspace_id = $1 AND j.id = $2 AND j.deleted_at IS NULL"
        ))
        .bind(ws.get())
        .bind(id.get())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }

    pub async fn projects_of(
        &self,
        ws: WorkspaceId,
        client: ClientId,
    ) -> StoreResult<Vec<StaffProjectRow>> {
        Ok(sqlx::query_as(&format!(
            "{PROJECT_SELECT} WHERE workspace_id = $1 AND client_id = $2 AND deleted_at IS NULL ORDER BY id DESC"
        ))
        .bind(ws.get())
        .bind(client.get())
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn project_row(
        &self,
        ws: WorkspaceId,
        id: ProjectId,
    ) -> StoreResult<StaffProjectRow> {
        sqlx::query_as(&format!(
            "{PROJECT_SELECT} WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL"
        ))
        .bind(ws.get())
        .bind(id.get())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// A client's tasks, open ones first, then by due date.
    pub async fn tasks_of(
        &self,
        ws: WorkspaceId,
        client: ClientId,
    ) -> StoreResult<Vec<StaffTaskRow>> {
        Ok(sqlx::query_as(&format!(
            "{TASK_SELECT} WHERE t.workspace_id = $1 AND t.client_id = $2 AND t.deleted_at IS NULL
             ORDER BY CASE WHEN t.done_at IS NULL THEN 0 ELSE 1 END, COALESCE(t.due_date, '9999-12-31'), t.id DESC"
        ))
        .bind(ws.get())
        .bind(client.get())
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn task_row(&self, ws: WorkspaceId, id: TaskId) -> StoreResult<StaffTaskRow> {
        sqlx::query_as(&format!(
            "{TASK_SELECT} WHERE t.workspace_id = $1 AND t.id = $2 AND t.deleted_at IS NULL"
        ))
        .bind(ws.get())
        .bind(id.get())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// A job's visits in time order.
    pub async fn visits_of(&self, ws: WorkspaceId, job: JobId) -> StoreResult<Vec<VisitRow>> {
        Ok(sqlx::query_as(
            "SELECT v.id, v.job_id, v.starts_at, v.ends_at, v.status, v.notes, v.assigned_to,
                    s.name AS assignee_name
             FROM visit v LEFT JOIN staff_user s ON s.id = v.assigned_to
             WHERE v.workspace_id = $1 AND v.job_id = $2 ORDER BY v.starts_at, v.id",
        )
        .bind(ws.get())
        .bind(job.get())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Replaces a job's fields (its number and client stay).
    #[tracing::instrument(skip_all, fields(ws = %ws, job = %id))]
    pub async fn update_job(
        &self,
        ws: WorkspaceId,
        id: JobId,
        new: &NewJob<'_>,
        now_ms: i64,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let client = record_client(&mut tx, "job", ws, id.get()).await?;
        if let Some(project) = new.project_id {
            ensure_client_record(&mut tx, Owned::Project, ws, client, project.get()).await?;
        }
        sqlx::query(
            "UPDATE job SET project_id = $3, title = $4, description = $5, status = $6, site_address = $7,
                 scheduled_start = $8, scheduled_end = $9, internal_notes = $10, updated_at = $11
             WHERE workspace_id = $1 AND id = $2",
        )
        .bind(ws.get())
        .bind(id.get())
        .bind(new.project_id.map(ProjectId::get))
        .bind(new.title.trim())
        .bind(new.description)
        .bind(new.status)
        .bind(new.site_address)
        .bind(new.scheduled_start)
        .bind(new.scheduled_end)
        .bind(new.internal_notes)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(ws = %ws, project = %id))]
    pub async fn update_project(
        &self,
        ws: WorkspaceId,
        id: ProjectId,
        new: &NewProject<'_>,
        now_ms: i64,
    ) -> StoreResult<()> {
        let n = sqlx::query(
            "UPDATE project SET name = $3, description = $4, status = $5, progress_pct = $6, start_date = $7,
                 due_date = $8, internal_notes = $9, updated_at = $10
             WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(ws.get())
        .bind(id.get())
        .bind(new.name.trim())
        .bind(new.description)
        .bind(new.status)
        .bind(new.progress_pct)
        .bind(new.start_date)
        .bind(new.due_date)
        .bind(new.internal_notes)
        .bind(now_ms)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Replaces a task's fields. `done_at` keeps its first date while the task stays done.
    #[tracing::instrument(skip_all, fields(ws = %ws, task = %id))]
    pub async fn update_task(
        &self,
        ws: WorkspaceId,
        id: TaskId,
        new: &NewTask<'_>,
        now_ms: i64,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let client = record_client(&mut tx, "task", ws, id.get()).await?;
        if let Some(project) = new.project_id {
            ensure_client_record(&mut tx, Owned::Project, ws, client, project.get()).await?;
        }
        if let Some(job) = new.job_id {
            ensure_client_record(&mut tx, Owned::Job, ws, client, job.get()).await?;
        }
        sqlx::query(
            "UPDATE task SET project_id = $3, job_id = $4, title = $5, description = $6, due_date = $7,
                 done_at = CASE WHEN $8 = 0 THEN NULL ELSE COALESCE(done_at, $8) END,
                 shared_with_client = $9, updated_at = $10
             WHERE workspace_id = $1 AND id = $2",
        )
        .bind(ws.get())
        .bind(id.get())
        .bind(new.project_id.map(ProjectId::get))
        .bind(new.job_id.map(JobId::get))
        .bind(new.title.trim())
        .bind(new.description)
        .bind(new.due_date)
        .bind(new.done_at.unwrap_or(0))
        .bind(i64::from(new.shared_with_client))
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks a visit of the workspace scheduled, completed or cancelled; returns its job.
    pub async fn set_visit_status(
        &self,
        ws: WorkspaceId,
        id: VisitId,
        status: &'static str,
        now_ms: i64,
    ) -> StoreResult<JobId> {
        let job: Option<i64> = sqlx::query_scalar(
            "UPDATE visit SET status = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2 RETURNING job_id",
        )
        .bind(ws.get())
        .bind(id.get())
        .bind(status)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        job.map(JobId::from_db).ok_or(StoreError::NotFound)
    }
}

/// The client of a live job or task of the workspace.
async fn record_client(
    tx: &mut Tx<'_>,
    table: &str,
    ws: WorkspaceId,
    id: i64,
) -> StoreResult<ClientId> {
    let sql = match table {
        "job" => {
            "SELECT client_id FROM job WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL"
        }
        _ => {
            "SELECT client_id FROM task WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL"
        }
    };
    let client: Option<i64> = sqlx::query_scalar(sql)
        .bind(ws.get())
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    client.map(ClientId::from_db).ok_or(StoreError::NotFound)
}
