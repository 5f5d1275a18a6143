//! Changing a visit after it is booked: a new time, another staff member, a status or
//! notes. The portal reads visits straight from this table, so the client sees the new
//! time at once.

use super::documents::{check_one_of, invalid};
use super::work::{ensure_staff, NewVisit, VISIT_STATUSES};
use super::work_edit::VisitRow;
use super::{Store, StoreError, StoreResult};
use crate::ids::{JobId, StaffUserId, VisitId, WorkspaceId};

impl Store {
    /// One visit of the workspace, with its assignee's name.
    pub async fn visit_row(&self, ws: WorkspaceId, id: VisitId) -> StoreResult<VisitRow> {
        sqlx::query_as(
            "SELECT v.id, v.job_id, v.starts_at, v.ends_at, v.status, v.notes, v.assigned_to,
                    s.name AS assignee_name
             FROM visit v LEFT JOIN staff_user s ON s.id = v.assigned_to
             WHERE v.workspace_id = $1 AND v.id = $2",
        )
        .bind(ws.get())
        .bind(id.get())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Replaces a visit's times, status, assignee and notes; returns its job. The end
    /// must come after the start, and the assignee must be an enabled member of the
    /// workspace's staff ([`StoreError::NotFound`] otherwise, nothing changed).
    #[tracing::instrument(skip_all, fields(ws = %ws, visit = %id))]
    pub async fn update_visit(
        &self,
        ws: WorkspaceId,
        id: VisitId,
        new: &NewVisit<'_>,
        now_ms: i64,
    ) -> StoreResult<JobId> {
        check_one_of("status", new.status, &VISIT_STATUSES)?;
        if new.ends_at <= new.starts_at {
            return Err(invalid("end: must be after the start"));
        }
        let mut tx = self.begin_write().await?;
        if let Some(staff) = new.assigned_to {
            ensure_staff(&mut tx, ws, staff).await?;
        }
        let job: Option<i64> = sqlx::query_scalar(
            "UPDATE visit SET starts_at = $3, ends_at = $4, status = $5, assigned_to = $6,
                    notes = $7, updated_at = $8
             WHERE workspace_id = $1 AND id = $2 RETURNING job_id",
        )
        .bind(ws.get())
        .bind(id.get())
        .bind(new.starts_at)
        .bind(new.ends_at)
        .bind(new.status)
        .bind(new.assigned_to.map(StaffUserId::get))
        .bind(new.notes)
        .bind(now_ms)
        .fetch_optional(&mut *tx)
        .await?;
        let job = job.map(JobId::from_db).ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(job)
    }
}
