//! Quotes and invoices as the back office reads them: a workspace's list filtered by
//! status and client, one document with its internal notes, its lines and payments, the
//! catalogue lines may come from, and who is emailed about a client's documents. Every
//! read is bound to the staff member's workspace: another workspace's id is not found.

use sqlx::FromRow;

use super::{Store, StoreError, StoreResult};
use crate::domain::document_form::CatalogueItem;
use crate::domain::partial_payment::PartialPolicy;
use crate::ids::{ClientId, WorkspaceId};

/// Which kind of document; names its tables and its number sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Invoice,
    Quote,
}

impl DocKind {
    pub fn table(self) -> &'static str {
        match self {
            DocKind::Invoice => "invoice",
            DocKind::Quote => "quote",
        }
    }

    pub fn line_table(self) -> &'static str {
        match self {
            DocKind::Invoice => "invoice_line",
            DocKind::Quote => "quote_line",
        }
    }

    /// The column of the document's second date: due date or valid-until.
    pub fn end_column(self) -> &'static str {
        match self {
            DocKind::Invoice => "due_date",
            DocKind::Quote => "valid_until",
        }
    }

    /// The URL segment in `/staff/…`, `/portal/…` and `/api/v1/…`.
    pub fn plural(self) -> &'static str {
        match self {
            DocKind::Invoice => "invoices",
            DocKind::Quote => "quotes",
        }
    }

    /// For people: "invoice", "quote".
    pub fn noun(self) -> &'static str {
        self.table()
    }

    pub fn statuses(self) -> &'static [&'static str] {
        match self {
            DocKind::Invoice => &["draft", "sent", "partially_paid", "paid", "void"],
            DocKind::Quote => &["draft", "sent", "accepted", "declined"],
        }
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct DocListRow {
    pub id: i64,
    pub number: String,
    pub client_id: i64,
    pub client_name: String,
    pub title: String,
    pub status: String,
    pub issue_date: String,
    pub end_date: String,
    pub currency: String,
    pub total_minor: i64,
    pub paid_minor: i64,
}

/// One document with everything staff see (internal notes included).
#[derive(Debug, Clone, FromRow)]
pub struct StaffDoc {
    pub id: i64,
    pub number: String,
    pub client_id: i64,
    pub client_name: String,
    pub client_portal: i64,
    pub title: String,
    pub status: String,
    pub issue_date: String,
    pub end_date: String,
    pub currency: String,
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub paid_minor: i64,
    pub client_notes: String,
    pub internal_notes: String,
    pub sent_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct StaffLine {
    pub product_id: Option<i64>,
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
pub struct StaffPayment {
    pub id: i64,
    pub method: String,
    pub status: String,
    pub amount_minor: i64,
    pub refunded_minor: i64,
    pub currency: String,
    pub reference: String,
    pub note: String,
    pub received_at: i64,
    pub recorded_by_name: Option<String>,
}

/// Someone emailed about a client's documents.
#[derive(Debug, Clone, FromRow)]
pub struct Recipient {
    pub first_name: String,
    pub email: String,
}

impl Store {
    /// Newest first, optionally of one status and one client; `before` is the last id of
    /// the previous page.
    pub async fn staff_documents(
        &self,
        ws: WorkspaceId,
        kind: DocKind,
        status: Option<&str>,
        client: Option<ClientId>,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<DocListRow>> {
        let paid = match kind {
            DocKind::Invoice => "d.paid_minor",
            DocKind::Quote => "0",
        };
        let sql = format!(
            "SELECT d.id, d.number, d.client_id, c.name AS client_name, d.title, d.status, d.issue_date,
                    d.{end} AS end_date, d.currency, d.total_minor, {paid} AS paid_minor
             FROM {table} d JOIN client c ON c.id = d.client_id AND c.workspace_id = d.workspace_id
             WHERE d.workspace_id = $1 AND d.deleted_at IS NULL
               AND ($2 = '' OR d.status = $2) AND ($3 = 0 OR d.client_id = $3) AND ($4 = 0 OR d.id < $4)
             ORDER BY d.id DESC LIMIT $5",
            end = kind.end_column(),
            table = kind.table(),
        );
        Ok(sqlx::query_as(&sql)
            .bind(ws.get())
            .bind(status.unwrap_or(""))
            .bind(client.map_or(0, ClientId::get))
            .bind(before.unwrap_or(0))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn staff_document(
        &self,
        ws: WorkspaceId,
        kind: DocKind,
        id: i64,
    ) -> StoreResult<StaffDoc> {
        let (paid, closed) = match kind {
            DocKind::Invoice => ("d.paid_minor", "d.voided_at"),
            DocKind::Quote => ("0", "d.decided_at"),
        };
        let sql = format!(
            "SELECT d.id, d.number, d.client_id, c.name AS client_name, c.portal_enabled AS client_portal,
                    d.title, d.status, d.issue_date, d.{end} AS end_date, d.currency, d.subtotal_minor, d.tax_minor,
                    d.total_minor, {paid} AS paid_minor, d.client_notes, d.internal_notes, d.sent_at,
                    {closed} AS closed_at, d.created_at
             FROM {table} d JOIN client c ON c.id = d.client_id AND c.workspace_id = d.workspace_id
             WHERE d.workspace_id = $1 AND d.id = $2 AND d.deleted_at IS NULL",
            end = kind.end_column(),
            table = kind.table(),
        );
        sqlx::query_as(&sql)
            .bind(ws.get())
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn staff_document_lines(
        &self,
        ws: WorkspaceId,
        kind: DocKind,
        id: i64,
    ) -> StoreResult<Vec<StaffLine>> {
        let sql = format!(
            "SELECT product_id, description, quantity_milli, unit_price_minor, discount_bp, tax_rate_bp,
                    subtotal_minor, tax_minor, total_minor
             FROM {} WHERE workspace_id = $1 AND {}_id = $2 ORDER BY position, id",
            kind.line_table(),
            kind.table()
        );
        Ok(sqlx::query_as(&sql)
            .bind(ws.get())
            .bind(id)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Every payment of an invoice, oldest first, with who recorded the offline ones.
    pub async fn staff_invoice_payments(
        &self,
        ws: WorkspaceId,
        invoice: i64,
    ) -> StoreResult<Vec<StaffPayment>> {
        Ok(sqlx::query_as(
            "SELECT p.id, p.method, p.status, p.amount_minor, p.refunded_minor, p.currency, p.reference, p.note,
                    p.received_at, s.name AS recorded_by_name
             FROM payment p LEFT JOIN staff_user s ON s.id = p.recorded_by
             WHERE p.workspace_id = $1 AND p.invoice_id = $2 ORDER BY p.received_at, p.id",
        )
        .bind(ws.get())
        .bind(invoice)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The catalogue items a line may name (not archived).
    pub async fn document_catalogue(&self, ws: WorkspaceId) -> StoreResult<Vec<CatalogueItem>> {
        let rows: Vec<(i64, String, i64, String, i64)> = sqlx::query_as(
            "SELECT id, name, price_minor, currency, tax_rate_bp FROM product
             WHERE workspace_id = $1 AND archived_at IS NULL ORDER BY name, id",
        )
        .bind(ws.get())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, name, price_minor, currency, tax_rate_bp)| CatalogueItem {
                    id,
                    name,
                    price_minor,
                    currency,
                    tax_rate_bp,
                },
            )
            .collect())
    }

    /// The clients of the workspace to choose from on a new document (not archived).
    pub async fn client_choices(&self, ws: WorkspaceId) -> StoreResult<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, name FROM client WHERE workspace_id = $1 AND deleted_at IS NULL AND archived_at IS NULL
             ORDER BY name, id LIMIT 2000",
        )
        .bind(ws.get())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Contacts with an email of a client, and only while its portal is on (`portal_only`),
    /// or whatever the portal (receipts).
    pub async fn document_recipients(
        &self,
        ws: WorkspaceId,
        client: i64,
        portal_only: bool,
    ) -> StoreResult<Vec<Recipient>> {
        Ok(sqlx::query_as(
            "SELECT ct.first_name, ct.email FROM contact ct JOIN client c ON c.id = ct.client_id
             WHERE ct.workspace_id = $1 AND ct.client_id = $2 AND ct.deleted_at IS NULL
               AND ct.email IS NOT NULL AND ct.email <> '' AND c.deleted_at IS NULL
               AND ($3 = 0 OR c.portal_enabled = 1)
             ORDER BY ct.id",
        )
        .bind(ws.get())
        .bind(client)
        .bind(i64::from(portal_only))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Whether clients may pay part of an invoice online, and the minimum.
    pub async fn payment_policy(&self, ws: WorkspaceId) -> StoreResult<PartialPolicy> {
        let (allowed, min_minor, currency): (i64, i64, String) = sqlx::query_as(
            "SELECT allow_partial_payments, partial_payment_min_minor, default_currency FROM workspace WHERE id = $1",
        )
        .bind(ws.get())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(PartialPolicy {
            allowed: allowed != 0,
            min_minor,
            currency,
        })
    }

    /// The prefixes of the workspace's quote and invoice numbers.
    pub async fn number_prefixes(&self, ws: WorkspaceId) -> StoreResult<(String, String)> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT kind, prefix FROM number_sequence WHERE workspace_id = $1 AND kind IN ('invoice', 'quote')",
        )
        .bind(ws.get())
        .fetch_all(&self.pool)
        .await?;
        let of = |k: &str| {
            rows.iter()
                .find(|(kind, _)| kind == k)
                .map(|(_, p)| p.clone())
                .unwrap_or_default()
        };
        Ok((of("invoice"), of("quote")))
    }
}
