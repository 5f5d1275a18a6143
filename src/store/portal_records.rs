//! Single records as the portal shows them, each read inside a [`ClientScope`] with the
//! visibility rules of SPEC §4: drafts never, void invoices only in the list, archived or
//! deleted never, internal notes never selected at all.

use sqlx::FromRow;

use super::{ClientScope, Store, StoreResult};

#[derive(Debug, Clone, FromRow)]
pub struct DocumentHeader {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub status: String,
    pub issue_date: String,
    /// Due date for invoices, valid-until for quotes.
    pub end_date: String,
    pub currency: String,
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    /// Paid so far (invoices; 0 for quotes).
    pub paid_minor: i64,
    pub client_notes: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct LineRow {
    pub description: String,
    pub quantity_milli: i64,
    pub unit_price_minor: i64,
    pub discount_bp: i64,
    pub tax_rate_bp: i64,
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct PaymentRow {
    pub method: String,
    pub status: String,
    pub amount_minor: i64,
    pub refunded_minor: i64,
    pub currency: String,
    pub received_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct RequestRow {
    pub id: i64,
    pub subject: String,
    pub details: String,
    pub preferred_date: Option<String>,
    pub site_address: String,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub product_name: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct RequestEventRow {
    pub status: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub due_date: Option<String>,
    pub done_at: Option<i64>,
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    pub job_id: Option<i64>,
    pub job_title: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct ProjectRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub status: String,
    pub progress_pct: i64,
    pub start_date: Option<String>,
    pub due_date: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct JobRow {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub description: String,
    pub status: String,
    pub site_address: String,
    pub scheduled_start: Option<i64>,
    pub scheduled_end: Option<i64>,
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct VisitRow {
    pub starts_at: i64,
    pub ends_at: i64,
    pub status: String,
}

const LINE_COLUMNS: &str =
    "description, quantity_milli, unit_price_minor, discount_bp, tax_rate_bp, subtotal_minor, tax_minor, total_minor";

impl Store {
    /// A sent, partially paid or paid invoice of the client. Draft and void give `None`.
    pub async fn portal_invoice(
        &self,
        scope: ClientScope,
        id: i64,
    ) -> StoreResult<Option<DocumentHeader>> {
        Ok(sqlx::query_as(
            "SELECT id, number, title, status, issue_date, due_date AS end_date, currency, subtotal_minor, tax_minor,
                    total_minor, paid_minor, client_notes
             FROM invoice WHERE workspace_id = $1 AND client_id = $2 AND id = $3
               AND status IN ('sent', 'partially_paid', 'paid') AND deleted_at IS NULL AND archived_at IS NULL",
        )
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn portal_invoice_lines(
        &self,
        scope: ClientScope,
        invoice_id: i64,
    ) -> StoreResult<Vec<LineRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {LINE_COLUMNS} FROM invoice_line l
             WHERE l.workspace_id = $1 AND l.invoice_id = $3
               AND EXISTS (SELECT 1 FROM invoice i WHERE i.id = l.invoice_id AND i.client_id = $2)
             ORDER BY l.position, l.id"
        ))
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(invoice_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Payments the client may see: succeeded and refunded ones.
    pub async fn portal_invoice_payments(
        &self,
        scope: ClientScope,
        invoice_id: i64,
    ) -> StoreResult<Vec<PaymentRow>> {
        Ok(sqlx::query_as(
            "SELECT method, status, amount_minor, refunded_minor, currency, received_at FROM payment
             WHERE workspace_id = $1 AND client_id = $2 AND invoice_id = $3 AND status IN ('succeeded', 'refunded')
             ORDER BY received_at, id",
        )
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(invoice_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// A quote of the client that has been sent (in any later state). Drafts give `None`.
    pub async fn portal_quote(
        &self,
        scope: ClientScope,
        id: i64,
    ) -> StoreResult<Option<DocumentHeader>> {
        Ok(sqlx::query_as(
            "SELECT id, number, title, status, issue_date, valid_until AS end_date, currency, subtotal_minor, tax_minor,
                    total_minor, 0 AS paid_minor, client_notes
             FROM quote WHERE workspace_id = $1 AND client_id = $2 AND id = $3
               AND status <> 'draft' AND deleted_at IS NULL AND archived_at IS NULL",
        )
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn portal_quote_lines(
        &self,
        scope: ClientScope,
        quote_id: i64,
    ) -> StoreResult<Vec<LineRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {LINE_COLUMNS} FROM quote_line l
             WHERE l.workspace_id = $1 AND l.quote_id = $3
               AND EXISTS (SELECT 1 FROM quote q WHERE q.id = l.quote_id AND q.client_id = $2)
             ORDER BY l.position, l.id"
        ))
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(quote_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn portal_request(
        &self,
        scope: ClientScope,
        id: i64,
    ) -> StoreResult<Option<RequestRow>> {
        Ok(sqlx::query_as(
            "SELECT r.id, r.subject, r.details, r.preferred_date, r.site_address, r.status, r.created_at, r.updated_at,
                    p.name AS product_name
             FROM request r LEFT JOIN product p ON p.id = r.product_id
             WHERE r.workspace_id = $1 AND r.client_id = $2 AND r.id = $3 AND r.deleted_at IS NULL",
        )
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The request's status history (never the team's internal notes: events that carry
    /// one, such as notes and assignments, are staff-only).
    pub async fn portal_request_events(
        &self,
        scope: ClientScope,
        request_id: i64,
    ) -> StoreResult<Vec<RequestEventRow>> {
        Ok(sqlx::query_as(
            "SELECT e.status, e.created_at FROM request_event e
             WHERE e.workspace_id = $1 AND e.request_id = $3 AND e.internal_note = ''
               AND EXISTS (SELECT 1 FROM request r WHERE r.id = e.request_id AND r.client_id = $2)
             ORDER BY e.created_at, e.id",
        )
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(request_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The request a submission with this idempotency key made, if any.
    pub async fn portal_request_by_key(
        &self,
        scope: ClientScope,
        key: &str,
    ) -> StoreResult<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM request WHERE workspace_id = $1 AND client_id = $2 AND idempotency_key = $3",
        )
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.0))
    }

    pub async fn portal_task(&self, scope: ClientScope, id: i64) -> StoreResult<Option<TaskRow>> {
        Ok(sqlx::query_as(
            "SELECT t.id, t.title, t.description, t.due_date, t.done_at,
                    p.id AS project_id, p.name AS project_name, j.id AS job_id, j.title AS job_title
             FROM task t
             LEFT JOIN project p ON p.id = t.project_id AND p.deleted_at IS NULL AND p.archived_at IS NULL
             LEFT JOIN job j ON j.id = t.job_id AND j.status <> 'draft' AND j.deleted_at IS NULL AND j.archived_at IS NULL
             WHERE t.workspace_id = $1 AND t.client_id = $2 AND t.id = $3 AND t.shared_with_client = 1 AND t.deleted_at IS NULL",
        )
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn portal_project(
        &self,
        scope: ClientScope,
        id: i64,
    ) -> StoreResult<Option<ProjectRow>> {
        Ok(sqlx::query_as(
            "SELECT id, name, description, status, progress_pct, start_date, due_date FROM project
             WHERE workspace_id = $1 AND client_id = $2 AND id = $3 AND deleted_at IS NULL AND archived_at IS NULL",
        )
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The project's visible jobs, newest first.
    pub async fn portal_project_jobs(
        &self,
        scope: ClientScope,
        project_id: i64,
    ) -> StoreResult<Vec<JobRow>> {
        Ok(sqlx::query_as(
            "SELECT j.id, j.number, j.title, j.description, j.status, j.site_address, j.scheduled_start, j.scheduled_end,
                    j.project_id, CAST(NULL AS TEXT) AS project_name
             FROM job j WHERE j.workspace_id = $1 AND j.client_id = $2 AND j.project_id = $3
               AND j.status <> 'draft' AND j.deleted_at IS NULL AND j.archived_at IS NULL
             ORDER BY j.id DESC",
        )
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(project_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Shared tasks of a project (`by = "project_id"`) or a job (`by = "job_id"`).
    pub async fn portal_tasks_of(
        &self,
        scope: ClientScope,
        by: TaskParent,
        parent_id: i64,
    ) -> StoreResult<Vec<TaskRow>> {
        let column = match by {
            TaskParent::Project => "t.project_id",
            TaskParent::Job => "t.job_id",
        };
        Ok(sqlx::query_as(&format!(
            "SELECT t.id, t.title, t.description, t.due_date, t.done_at,
                    CAST(NULL AS BIGINT) AS project_id, CAST(NULL AS TEXT) AS project_name, CAST(NULL AS BIGINT) AS job_id, CAST(NULL AS TEXT) AS job_title
             FROM task t WHERE t.workspace_id = $1 AND t.client_id = $2 AND {column} = $3
               AND t.shared_with_client = 1 AND t.deleted_at IS NULL
             ORDER BY t.done_at IS NOT NULL, t.due_date, t.id"
        ))
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(parent_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn portal_job(&self, scope: ClientScope, id: i64) -> StoreResult<Option<JobRow>> {
        Ok(sqlx::query_as(
            "SELECT j.id, j.number, j.title, j.description, j.status, j.site_address, j.scheduled_start, j.scheduled_end,
                    p.id AS project_id, p.name AS project_name
             FROM job j LEFT JOIN project p ON p.id = j.project_id AND p.deleted_at IS NULL AND p.archived_at IS NULL
             WHERE j.workspace_id = $1 AND j.client_id = $2 AND j.id = $3
               AND j.status <> 'draft' AND j.deleted_at IS NULL AND j.archived_at IS NULL",
        )
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn portal_job_visits(
        &self,
        scope: ClientScope,
        job_id: i64,
    ) -> StoreResult<Vec<VisitRow>> {
        Ok(sqlx::query_as(
            "SELECT v.starts_at, v.ends_at, v.status FROM visit v
             WHERE v.workspace_id = $1 AND v.job_id = $3
               AND EXISTS (SELECT 1 FROM job j WHERE j.id = v.job_id AND j.client_id = $2 AND j.deleted_at IS NULL)
             ORDER BY v.starts_at, v.id",
        )
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(job_id)
        .fetch_all(&self.pool)
        .await?)
    }
}

#[derive(Debug, Clone, Copy)]
pub enum TaskParent {
    Project,
    Job,
}
