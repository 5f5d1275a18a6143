//! What the portal home page reads. Every query is bound to a [`ClientScope`] and hides
//! drafts, archived and deleted records.

use sqlx::FromRow;

use super::{ClientScope, Store, StoreResult};

#[derive(Debug, Clone, FromRow)]
pub struct InvoiceSummary {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub status: String,
    pub issue_date: String,
    pub due_date: String,
    pub currency: String,
    pub total_minor: i64,
    pub paid_minor: i64,
}

impl InvoiceSummary {
    /// What is left to pay; never negative (an overpaid invoice owes nothing).
    pub fn balance_minor(&self) -> i64 {
        (self.total_minor - self.paid_minor).max(0)
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct QuoteSummary {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub status: String,
    pub issue_date: String,
    pub valid_until: String,
    pub currency: String,
    pub total_minor: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct JobSummary {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub status: String,
    pub site_address: String,
    pub next_visit_at: Option<i64>,
}

/// An invoice with the number of rows its query matched in all.
#[derive(FromRow)]
struct Counted {
    #[sqlx(flatten)]
    invoice: InvoiceSummary,
    total: i64,
}

const INVOICE_SUMMARY: &str =
    "id, number, title, status, issue_date, due_date, currency, total_minor, paid_minor";
const VISIBLE: &str = "deleted_at IS NULL AND archived_at IS NULL";

impl Store {
    /// Sent or partially paid invoices, soonest due first.
    pub async fn pending_invoices(
        &self,
        scope: ClientScope,
        limit: i64,
    ) -> StoreResult<Vec<InvoiceSummary>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {INVOICE_SUMMARY} FROM invoice
             WHERE workspace_id = $1 AND client_id = $2 AND status IN ('sent', 'partially_paid') AND {VISIBLE}
             ORDER BY due_date, id LIMIT $3"
        ))
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// [`Store::pending_invoices`] and how many there are in all, in one statement (the
    /// count is taken over every pending invoice, before the limit; it is read from the
    /// rows, so `limit` must be at least 1).
    pub async fn pending_invoices_and_total(
        &self,
        scope: ClientScope,
        limit: i64,
    ) -> StoreResult<(Vec<InvoiceSummary>, i64)> {
        let rows: Vec<Counted> = sqlx::query_as(&format!(
            "SELECT {INVOICE_SUMMARY}, COUNT(*) OVER () AS total FROM invoice
             WHERE workspace_id = $1 AND client_id = $2 AND status IN ('sent', 'partially_paid') AND {VISIBLE}
             ORDER BY due_date, id LIMIT $3"
        ))
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let total = rows.first().map_or(0, |r| r.total);
        Ok((rows.into_iter().map(|r| r.invoice).collect(), total))
    }

    pub async fn count_pending_invoices(&self, scope: ClientScope) -> StoreResult<i64> {
        let (n,): (i64,) = sqlx::query_as(&format!(
            "SELECT COUNT(*) FROM invoice
             WHERE workspace_id = $1 AND client_id = $2 AND status IN ('sent', 'partially_paid') AND {VISIBLE}"
        ))
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    /// Payable invoices with a balance, due before `today` (the workspace's date).
    pub async fn overdue_invoices(
        &self,
        scope: ClientScope,
        today: &str,
        limit: i64,
    ) -> StoreResult<Vec<InvoiceSummary>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {INVOICE_SUMMARY} FROM invoice
             WHERE workspace_id = $1 AND client_id = $2 AND status IN ('sent', 'partially_paid') AND {VISIBLE}
               AND due_date < $3 AND total_minor > paid_minor
             ORDER BY due_date, id LIMIT $4"
        ))
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(today)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Sent quotes still valid on `today`, those running out first.
    pub async fn pending_quotes(
        &self,
        scope: ClientScope,
        today: &str,
        limit: i64,
    ) -> StoreResult<Vec<QuoteSummary>> {
        Ok(sqlx::query_as(&format!(
            "SELECT id, number, title, status, issue_date, valid_until, currency, total_minor FROM quote
             WHERE workspace_id = $1 AND client_id = $2 AND status = 'sent' AND valid_until >= $3 AND {VISIBLE}
             ORDER BY valid_until, id LIMIT $4"
        ))
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(today)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Scheduled, in-progress and on-hold jobs with their next scheduled visit.
    pub async fn active_jobs(
        &self,
        scope: ClientScope,
        now_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<JobSummary>> {
        Ok(sqlx::query_as(
            "SELECT j.id, j.number, j.title, j.status, j.site_address,
                    (SELECT MIN(v.starts_at) FROM visit v
                      WHERE v.job_id = j.id AND v.status = 'scheduled' AND v.starts_at >= $3) AS next_visit_at
             FROM job j
             WHERE j.workspace_id = $1 AND j.client_id = $2 AND j.status IN ('scheduled', 'in_progress', 'on_hold')
               AND j.deleted_at IS NULL AND j.archived_at IS NULL
             ORDER BY j.created_at DESC, j.id DESC LIMIT $4",
        )
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
