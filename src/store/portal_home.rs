//! What the portal home page reads. Every query is bound to a [`ClientScope`] and hides
//! drafts, archived and deleted records.

use sqlx::{AnyConnection, FromRow};

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
    /// A row of `SELECT id, number, title, status, issue_date, due_date, currency,
    /// total_minor, paid_minor` as SQLite answers it.
    pub(super) fn from_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            number: r.get(1)?,
            title: r.get(2)?,
            status: r.get(3)?,
            issue_date: r.get(4)?,
            due_date: r.get(5)?,
            currency: r.get(6)?,
            total_minor: r.get(7)?,
            paid_minor: r.get(8)?,
        })
    }

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

/// An invoice of the home page, tagged with the list it belongs to.
#[derive(FromRow)]
struct HomeRow {
    #[sqlx(flatten)]
    invoice: InvoiceSummary,
    /// 1 for the overdue list, 0 for the pending list.
    overdue: i64,
    /// Pending rows: how many pending invoices there are in all.
    total: i64,
}

/// The home page's invoices.
#[derive(Debug, Default)]
pub struct HomeInvoices {
    /// Payable invoices with a balance, due before today, soonest due first.
    pub overdue: Vec<InvoiceSummary>,
    /// Sent or partially paid invoices, soonest due first.
    pub pending: Vec<InvoiceSummary>,
    /// How many pending invoices there are in all (before the limit).
    pub pending_total: i64,
}

const INVOICE_SUMMARY: &str =
    "id, number, title, status, issue_date, due_date, currency, total_minor, paid_minor";
const VISIBLE: &str = "deleted_at IS NULL AND archived_at IS NULL";

impl Store {
    /// The overdue and the pending invoices of the home page (at most `limit` of each,
    /// `limit` at least 1) and the count of all pending ones, in one statement on `db`.
    pub async fn home_invoices(
        &self,
        db: &mut AnyConnection,
        scope: ClientScope,
        today: &str,
        limit: i64,
    ) -> StoreResult<HomeInvoices> {
        let rows: Vec<HomeRow> = sqlx::query_as(&format!(
            "SELECT * FROM (
               SELECT {INVOICE_SUMMARY}, CAST(1 AS BIGINT) AS overdue, CAST(0 AS BIGINT) AS total FROM invoice
               WHERE workspace_id = $1 AND client_id = $2 AND status IN ('sent', 'partially_paid') AND {VISIBLE}
                 AND due_date < $3 AND total_minor > paid_minor
               ORDER BY due_date, id LIMIT $4) o
             UNION ALL
             SELECT * FROM (
               SELECT {INVOICE_SUMMARY}, CAST(0 AS BIGINT) AS overdue, COUNT(*) OVER () AS total FROM invoice
               WHERE workspace_id = $1 AND client_id = $2 AND status IN ('sent', 'partially_paid') AND {VISIBLE}
               ORDER BY due_date, id LIMIT $4) p"
        ))
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(today)
        .bind(limit)
        .fetch_all(db)
        .await?;
        let mut home = HomeInvoices::default();
        for row in rows {
            if row.overdue == 1 {
                home.overdue.push(row.invoice);
            } else {
                home.pending_total = row.total;
                home.pending.push(row.invoice);
            }
        }
        // UNION ALL keeps no order between or within its parts on every database.
        let by_due = |a: &InvoiceSummary, b: &InvoiceSummary| {
            (a.due_date.as_str(), a.id).cmp(&(b.due_date.as_str(), b.id))
        };
        home.overdue.sort_by(by_due);
        home.pending.sort_by(by_due);
        Ok(home)
    }

    /// Sent quotes still valid on `today`, those running out first.
    pub async fn pending_quotes(
        &self,
        db: &mut AnyConnection,
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
        .fetch_all(db)
        .await?)
    }

    /// Scheduled, in-progress and on-hold jobs with their next scheduled visit.
    pub async fn active_jobs(
        &self,
        db: &mut AnyConnection,
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
        .fetch_all(db)
        .await?)
    }
}
