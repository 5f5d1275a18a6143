//! Payments staff record by hand. The invoice's paid amount and status move in the same
//! transaction as the payment is inserted, guarded so that the amount never exceeds the
//! balance and only a sent or partially paid invoice takes one.

use super::{Store, StoreError, StoreResult};
use crate::domain::offline_payment::ValidPayment;
use crate::ids::{InvoiceId, PaymentId, StaffUserId, WorkspaceId};

impl Store {
    pub async fn record_offline_payment(
        &self,
        ws: WorkspaceId,
        invoice: InvoiceId,
        by: Option<StaffUserId>,
        payment: &ValidPayment,
        received_at_ms: i64,
        now_ms: i64,
    ) -> StoreResult<PaymentId> {
        let mut tx = self.begin_write().await?;
        // Written as `amount <= total - paid` so it cannot overflow.
        let updated: Option<(i64, String)> = sqlx::query_as(
            "UPDATE invoice SET paid_minor = paid_minor + $3,
                 status = CASE WHEN $3 >= total_minor - paid_minor THEN 'paid' ELSE 'partially_paid' END,
                 updated_at = $4
             WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL AND status IN ('sent', 'partially_paid')
               AND $3 > 0 AND $3 <= total_minor - paid_minor
             RETURNING client_id, currency",
        )
        .bind(ws.get())
        .bind(invoice.get())
        .bind(payment.amount_minor)
        .bind(now_ms)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((client_id, currency)) = updated else {
            let row: Option<(String,)> = sqlx::query_as(
                "SELECT status FROM invoice WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
            )
            .bind(ws.get())
            .bind(invoice.get())
            .fetch_optional(&mut *tx)
            .await?;
            return Err(match row {
                None => StoreError::NotFound,
                Some((status,)) if !matches!(status.as_str(), "sent" | "partially_paid") => {
                    StoreError::Conflict(format!(
                        "a {} invoice cannot take a payment",
                        status.replace('_', " ")
                    ))
                }
                Some(_) => {
                    StoreError::Conflict("amount: more than the balance still to pay".to_string())
                }
            });
        };
        let id = PaymentId::new();
        sqlx::query(
            "INSERT INTO payment (id, workspace_id, client_id, invoice_id, method, status, amount_minor, currency,
                 reference, note, recorded_by, received_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'succeeded', $6, $7, $8, $9, $10, $11, $12, $12)",
        )
        .bind(id.get())
        .bind(ws.get())
        .bind(client_id)
        .bind(invoice.get())
        .bind(payment.method)
        .bind(payment.amount_minor)
        .bind(&currency)
        .bind(&payment.reference)
        .bind(&payment.note)
        .bind(by.map(StaffUserId::get))
        .bind(received_at_ms)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}
