//! Writing quotes and invoices from the back office and the API: a draft is created
//! (numbered from the workspace's sequence in the same transaction) or replaced whole
//! with its lines, then moves through the states of SPEC §5 by guarded updates, so a
//! change that no longer applies (sending twice, voiding a paid invoice) is refused and
//! changes nothing.

use super::documents::{ensure_client, next_number, Tx};
use super::requests_inbox::reopen_for_deleted_quote;
use super::staff_documents::DocKind;
use super::submission::Once;
use super::{Store, StoreError, StoreResult};
use crate::domain::document_form::ValidDocument;
use crate::ids::{new_id, ClientId, StaffUserId, WorkspaceId};

/// What an invoice takes over from the quote it is made from.
#[derive(sqlx::FromRow)]
struct QuoteHeader {
    client_id: i64,
    status: String,
    title: String,
    currency: String,
    subtotal_minor: i64,
    tax_minor: i64,
    total_minor: i64,
    client_notes: String,
    internal_notes: String,
}

/// Longest number prefix (`INV-`, `2026/Q-`).
pub const PREFIX_MAX: usize = 12;

impl Store {
    /// A new draft for `client`, or (with `existing`) the draft's new content; answers
    /// the document's id and number. Only drafts change; the client stays the same.
    /// A new draft sent with a `submission_key` already used in this workspace answers
    /// the document that key made, and changes nothing (a form sent twice).
    #[allow(clippy::too_many_arguments)]
    pub async fn save_document(
        &self,
        ws: WorkspaceId,
        kind: DocKind,
        client: ClientId,
        existing: Option<i64>,
        doc: &ValidDocument,
        submission_key: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<Once<(i64, String)>> {
        let key = submission_key.filter(|_| existing.is_none());
        self.once_per_submission(ws, kind.table(), "id, number", key, |key| {
            self.write_document(ws, kind, client, existing, doc, key, now_ms)
        })
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn write_document(
        &self,
        ws: WorkspaceId,
        kind: DocKind,
        client: ClientId,
        existing: Option<i64>,
        doc: &ValidDocument,
        submission_key: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<(i64, String)> {
        let mut tx = self.begin_write().await?;
        let (id, number) = match existing {
            None => {
                let number = next_number(&mut tx, ws, kind.table()).await?;
                ensure_client(&mut tx, ws, client).await?;
                let id = new_id();
                let header = Header {
                    client,
                    id,
                    number: &number,
                    submission_key,
                };
                insert_header(&mut tx, ws, kind, &header, doc, now_ms)
                    .await
                    .map_err(|e| match e {
                        StoreError::Conflict(_) => StoreError::Conflict(format!(
                            "number: {number} is already used by another {} of this workspace; change the numbering prefix",
                            kind.noun()
                        )),
                        other => other,
                    })?;
                (id, number)
            }
            Some(id) => {
                let number = update_header(&mut tx, ws, kind, client, id, doc, now_ms).await?;
                sqlx::query(&format!(
                    "DELETE FROM {} WHERE workspace_id = $1 AND {}_id = $2",
                    kind.line_table(),
                    kind.table()
                ))
                .bind(ws.get())
                .bind(id)
                .execute(&mut *tx)
                .await?;
                (id, number)
            }
        };
        insert_lines(&mut tx, ws, kind, id, doc).await?;
        tx.commit().await?;
        Ok((id, number))
    }

    /// Draft → sent. Refused (conflict) unless it is a draft with at least one line.
    pub async fn send_document(
        &self,
        ws: WorkspaceId,
        kind: DocKind,
        id: i64,
        now_ms: i64,
    ) -> StoreResult<()> {
        let sql = format!(
            "UPDATE {table} SET status = 'sent', sent_at = $3, updated_at = $3
             WHERE workspace_id = $1 AND id = $2 AND status = 'draft' AND deleted_at IS NULL
               AND EXISTS (SELECT 1 FROM {lines} l WHERE l.{table}_id = {table}.id)",
            table = kind.table(),
            lines = kind.line_table()
        );
        self.guarded(
            &sql,
            ws,
            kind,
            id,
            now_ms,
            "only a draft with at least one line can be sent",
        )
        .await
    }

    /// A sent quote → accepted or declined.
    pub async fn decide_quote(
        &self,
        ws: WorkspaceId,
        id: i64,
        accepted: bool,
        now_ms: i64,
    ) -> StoreResult<()> {
        let sql = format!(
            "UPDATE quote SET status = '{}', decided_at = $3, updated_at = $3
             WHERE workspace_id = $1 AND id = $2 AND status = 'sent' AND deleted_at IS NULL",
            if accepted { "accepted" } else { "declined" }
        );
        self.guarded(
            &sql,
            ws,
            DocKind::Quote,
            id,
            now_ms,
            "only a sent quote can be marked accepted or declined",
        )
        .await
    }

    /// Draft or sent (nothing paid) → void. Nothing is deleted.
    pub async fn void_invoice(&self, ws: WorkspaceId, id: i64, now_ms: i64) -> StoreResult<()> {
        self.guarded(
            "UPDATE invoice SET status = 'void', voided_at = $3, updated_at = $3
             WHERE workspace_id = $1 AND id = $2 AND status IN ('draft', 'sent') AND paid_minor = 0
               AND deleted_at IS NULL",
            ws,
            DocKind::Invoice,
            id,
            now_ms,
            "only an invoice with nothing paid on it can be voided",
        )
        .await
    }

    /// Deletes a draft: it leaves every list, the portal and the API, but the row stays,
    /// so its number stays used and the sequence never gives it again (a gap remains).
    /// Refused (conflict) unless it is a draft; a sent invoice is voided instead. A
    /// request converted into the deleted quote goes back to in review.
    pub async fn delete_draft(
        &self,
        ws: WorkspaceId,
        kind: DocKind,
        id: i64,
        by: Option<StaffUserId>,
        now_ms: i64,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let deleted: Option<(String,)> = sqlx::query_as(&format!(
            "UPDATE {} SET deleted_at = $3, updated_at = $3
             WHERE workspace_id = $1 AND id = $2 AND status = 'draft' AND deleted_at IS NULL
             RETURNING number",
            kind.table()
        ))
        .bind(ws.get())
        .bind(id)
        .bind(now_ms)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((number,)) = deleted else {
            drop(tx);
            self.staff_document(ws, kind, id).await?;
            return Err(StoreError::Conflict(
                match kind {
                    DocKind::Invoice => "Only a draft can be deleted; a sent invoice stays on record (void it instead)",
                    DocKind::Quote => "Only a draft can be deleted; a sent quote stays on record",
                }
                .to_string(),
            ));
        };
        if kind == DocKind::Quote {
            reopen_for_deleted_quote(&mut tx, ws, id, &number, by, now_ms).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Runs a guarded state change: not found when the document is not the workspace's,
    /// a conflict saying `refusal` when it exists but the guard did not hold.
    async fn guarded(
        &self,
        sql: &str,
        ws: WorkspaceId,
        kind: DocKind,
        id: i64,
        now_ms: i64,
        refusal: &str,
    ) -> StoreResult<()> {
        let done = sqlx::query(sql)
            .bind(ws.get())
            .bind(id)
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() > 0 {
            return Ok(());
        }
        self.staff_document(ws, kind, id).await?;
        Err(StoreError::Conflict(refusal.to_string()))
    }

    /// A draft invoice made from an accepted quote: its client, currency, title, notes and
    /// lines, numbered in the same transaction. Refused (conflict) unless the quote is
    /// accepted and not invoiced yet. Answers the invoice's id and number.
    pub async fn invoice_from_quote(
        &self,
        ws: WorkspaceId,
        quote: i64,
        issue_date: &str,
        due_date: &str,
        now_ms: i64,
    ) -> StoreResult<(i64, String)> {
        let mut tx = self.begin_write().await?;
        let row: Option<QuoteHeader> = sqlx::query_as(
            "SELECT client_id, status, title, currency, subtotal_minor, tax_minor, total_minor, client_notes, internal_notes
             FROM quote WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(ws.get())
        .bind(quote)
        .fetch_optional(&mut *tx)
        .await?;
        let q = row.ok_or(StoreError::NotFound)?;
        let status = q.status.clone();
        if status != "accepted" {
            return Err(StoreError::Conflict(
                "only an accepted quote is turned into an invoice".into(),
            ));
        }
        let existing: Option<(String,)> = sqlx::query_as(
            "SELECT number FROM invoice WHERE workspace_id = $1 AND quote_id = $2 AND deleted_at IS NULL",
        )
        .bind(ws.get())
        .bind(quote)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((number,)) = existing {
            return Err(StoreError::Conflict(format!(
                "this quote is already invoiced as {number}"
            )));
        }
        let number = next_number(&mut tx, ws, "invoice").await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO invoice (id, workspace_id, client_id, quote_id, number, title, status, issue_date, due_date,
                 currency, subtotal_minor, tax_minor, total_minor, client_notes, internal_notes, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
        )
        .bind(id)
        .bind(ws.get())
        .bind(q.client_id)
        .bind(quote)
        .bind(&number)
        .bind(&q.title)
        .bind(issue_date)
        .bind(due_date)
        .bind(&q.currency)
        .bind(q.subtotal_minor)
        .bind(q.tax_minor)
        .bind(q.total_minor)
        .bind(&q.client_notes)
        .bind(&q.internal_notes)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        type Line = (i64, Option<i64>, String, i64, i64, i64, i64, i64, i64, i64);
        let lines: Vec<Line> = sqlx::query_as(
            "SELECT position, product_id, description, quantity_milli, unit_price_minor, discount_bp, tax_rate_bp,
                    subtotal_minor, tax_minor, total_minor
             FROM quote_line WHERE workspace_id = $1 AND quote_id = $2 ORDER BY position, id",
        )
        .bind(ws.get())
        .bind(quote)
        .fetch_all(&mut *tx)
        .await?;
        for (
            position,
            product,
            description,
            qty,
            price,
            discount,
            rate,
            sub,
            line_tax,
            line_total,
        ) in lines
        {
            sqlx::query(
                "INSERT INTO invoice_line (id, workspace_id, invoice_id, position, product_id, description,
                     quantity_milli, unit_price_minor, discount_bp, tax_rate_bp, subtotal_minor, tax_minor, total_minor)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(new_id())
            .bind(ws.get())
            .bind(id)
            .bind(position)
            .bind(product)
            .bind(&description)
            .bind(qty)
            .bind(price)
            .bind(discount)
            .bind(rate)
            .bind(sub)
            .bind(line_tax)
            .bind(line_total)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok((id, number))
    }

    /// Allows or stops partial online payments, with their minimum in minor units of the
    /// workspace's default currency.
    pub async fn set_payment_policy(
        &self,
        ws: WorkspaceId,
        allowed: bool,
        min_minor: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE workspace SET allow_partial_payments = $2, partial_payment_min_minor = $3 WHERE id = $1",
        )
        .bind(ws.get())
        .bind(i64::from(allowed))
        .bind(min_minor)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Sets the prefix of the workspace's invoice or quote numbers (from the next one).
    pub async fn set_number_prefix(
        &self,
        ws: WorkspaceId,
        kind: DocKind,
        prefix: &str,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE number_sequence SET prefix = $3 WHERE workspace_id = $1 AND kind = $2")
            .bind(ws.get())
            .bind(kind.table())
            .bind(prefix)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// Who a new document is for, what it is numbered, and the form's one-time key.
struct Header<'a> {
    client: ClientId,
    id: i64,
    number: &'a str,
    submission_key: Option<&'a str>,
}

async fn insert_header(
    tx: &mut Tx<'_>,
    ws: WorkspaceId,
    kind: DocKind,
    h: &Header<'_>,
    doc: &ValidDocument,
    now_ms: i64,
) -> StoreResult<()> {
    let (client, id, number) = (h.client, h.id, h.number);
    let sql = format!(
        "INSERT INTO {} (id, workspace_id, client_id, number, title, status, issue_date, {}, currency,
             subtotal_minor, tax_minor, total_minor, client_notes, internal_notes, created_at, updated_at,
             submission_key)
         VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15)",
        kind.table(),
        kind.end_column()
    );
    sqlx::query(&sql)
        .bind(id)
        .bind(ws.get())
        .bind(client.get())
        .bind(number)
        .bind(&doc.title)
        .bind(&doc.issue_date)
        .bind(&doc.end_date)
        .bind(doc.currency.code())
        .bind(doc.totals.subtotal_minor)
        .bind(doc.totals.tax_minor)
        .bind(doc.totals.total_minor)
        .bind(&doc.client_notes)
        .bind(&doc.internal_notes)
        .bind(now_ms)
        .bind(h.submission_key)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Rewrites a draft's header; answers its number. Not found for another workspace's (or
/// client's) document, a conflict when it is no longer a draft.
async fn update_header(
    tx: &mut Tx<'_>,
    ws: WorkspaceId,
    kind: DocKind,
    client: ClientId,
    id: i64,
    doc: &ValidDocument,
    now_ms: i64,
) -> StoreResult<String> {
    let sql = format!(
        "UPDATE {} SET title = $4, issue_date = $5, {} = $6, currency = $7, subtotal_minor = $8, tax_minor = $9,
             total_minor = $10, client_notes = $11, internal_notes = $12, updated_at = $13
         WHERE workspace_id = $1 AND id = $2 AND client_id = $3 AND status = 'draft' AND deleted_at IS NULL
         RETURNING number",
        kind.table(),
        kind.end_column()
    );
    let row: Option<(String,)> = sqlx::query_as(&sql)
        .bind(ws.get())
        .bind(id)
        .bind(client.get())
        .bind(&doc.title)
        .bind(&doc.issue_date)
        .bind(&doc.end_date)
        .bind(doc.currency.code())
        .bind(doc.totals.subtotal_minor)
        .bind(doc.totals.tax_minor)
        .bind(doc.totals.total_minor)
        .bind(&doc.client_notes)
        .bind(&doc.internal_notes)
        .bind(now_ms)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some((number,)) = row {
        return Ok(number);
    }
    let exists: Option<(String,)> = sqlx::query_as(&format!(
        "SELECT status FROM {} WHERE workspace_id = $1 AND id = $2 AND client_id = $3 AND deleted_at IS NULL",
        kind.table()
    ))
    .bind(ws.get())
    .bind(id)
    .bind(client.get())
    .fetch_optional(&mut **tx)
    .await?;
    match exists {
        None => Err(StoreError::NotFound),
        Some((status,)) => Err(StoreError::Conflict(format!(
            "a {} that is {status} can no longer be edited; only drafts can",
            kind.noun()
        ))),
    }
}

async fn insert_lines(
    tx: &mut Tx<'_>,
    ws: WorkspaceId,
    kind: DocKind,
    parent: i64,
    doc: &ValidDocument,
) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO {} (id, workspace_id, {}_id, position, product_id, description, quantity_milli,
             unit_price_minor, discount_bp, tax_rate_bp, subtotal_minor, tax_minor, total_minor)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13
         WHERE $5 IS NULL OR EXISTS (SELECT 1 FROM product WHERE id = $5 AND workspace_id = $2)",
        kind.line_table(),
        kind.table()
    );
    for (position, line) in (1i64..).zip(&doc.lines) {
        let done = sqlx::query(&sql)
            .bind(new_id())
            .bind(ws.get())
            .bind(parent)
            .bind(position)
            .bind(line.product_id)
            .bind(&line.description)
            .bind(line.quantity_milli)
            .bind(line.unit_price_minor)
            .bind(line.discount_bp)
            .bind(line.tax_rate_bp)
            .bind(line.amounts.subtotal_minor)
            .bind(line.amounts.tax_minor)
            .bind(line.amounts.total_minor)
            .execute(&mut **tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "lines[{}].product_id: not a product of this workspace",
                position - 1
            )));
        }
    }
    Ok(())
}
