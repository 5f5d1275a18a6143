//! Online payments in the database: provider connections (sealed credentials), payment
//! attempts (one open per invoice), provider events (deduplicated by id) and the one
//! transaction that turns a confirmed attempt into a payment exactly once.
//!
//! Exactly once rests on the database, not on timing: an attempt moves to `succeeded`
//! with a guarded update (the second of two concurrent settlers finds it already
//! succeeded), `payment.provider_ref` is unique, and an invoice's paid amount is always
//! recomputed from its payments, so repeated or out-of-order refunds converge.

use sqlx::FromRow;

use super::documents::Tx;
use super::{ClientScope, Store, StoreError, StoreResult};
use crate::ids::{PaymentAttemptId, PaymentId, StaffUserId, WorkspaceId};

#[derive(Debug, Clone, FromRow)]
pub struct IntegrationRow {
    pub workspace_id: i64,
    pub provider: String,
    pub secrets_enc: String,
    pub key_hint: String,
    pub settings: String,
    pub livemode: i64,
    pub connected_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct AttemptRow {
    pub id: i64,
    pub workspace_id: i64,
    pub client_id: i64,
    pub invoice_id: i64,
    pub contact_id: Option<i64>,
    pub provider: String,
    pub status: String,
    pub amount_minor: i64,
    pub currency: String,
    pub idempotency_key: String,
    pub provider_session_id: Option<String>,
    pub provider_ref: Option<String>,
    pub livemode: i64,
    pub expires_at: i64,
    pub checkout_url: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const ATTEMPT: &str = "id, workspace_id, client_id, invoice_id, contact_id, provider, status, amount_minor, currency,
    idempotency_key, provider_session_id, provider_ref, livemode, expires_at, checkout_url, created_at, updated_at";

pub struct NewAttempt<'a> {
    pub scope: ClientScope,
    pub invoice_id: i64,
    pub contact_id: Option<i64>,
    pub provider: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub idempotency_key: &'a str,
    pub livemode: bool,
    pub expires_at: i64,
}

/// What settling a confirmed attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// This call recorded the payment.
    Recorded {
        payment_id: PaymentId,
        invoice_status: String,
    },
    /// Another signal got there first; nothing changed.
    AlreadyRecorded,
}

/// How a provider event id was met before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventSeen {
    New,
    /// Received before but not finished (a failure or a concurrent delivery): handle it.
    Unfinished,
    Processed,
}

/// What the receipt and the team's notice need about a payment.
#[derive(Debug, Clone, FromRow)]
pub struct PaymentNotice {
    pub amount_minor: i64,
    pub currency: String,
    pub method: String,
    pub invoice_id: i64,
    pub invoice_number: String,
    pub invoice_total_minor: i64,
    pub invoice_paid_minor: i64,
    pub client_id: i64,
    pub client_name: String,
    pub contact_email: Option<String>,
    pub contact_first_name: Option<String>,
}

/// A payment's state for the refund path.
#[derive(Debug, Clone, FromRow)]
pub struct PaymentRefRow {
    pub id: i64,
    pub invoice_id: i64,
    pub client_id: i64,
    pub amount_minor: i64,
    pub refunded_minor: i64,
    pub currency: String,
}

impl Store {
    // ----- integrations ----------------------------------------------------------------

    #[allow(clippy::too_many_arguments)]
    pub async fn save_integration(
        &self,
        ws: WorkspaceId,
        provider: &str,
        secrets_enc: &str,
        key_hint: &str,
        settings: &str,
        livemode: bool,
        by: Option<StaffUserId>,
        now_ms: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO integration (workspace_id, provider, secrets_enc, key_hint, settings, livemode, connected_by, connected_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (workspace_id, provider) DO UPDATE SET secrets_enc = excluded.secrets_enc,
                 key_hint = excluded.key_hint, settings = excluded.settings, livemode = excluded.livemode,
                 connected_by = excluded.connected_by, connected_at = excluded.connected_at",
        )
        .bind(ws.get())
        .bind(provider)
        .bind(secrets_enc)
        .bind(key_hint)
        .bind(settings)
        .bind(i64::from(livemode))
        .bind(by.map(StaffUserId::get))
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        self.workspace_changed(ws);
        Ok(())
    }

    pub async fn integration(
        &self,
        ws: WorkspaceId,
        provider: &str,
    ) -> StoreResult<Option<IntegrationRow>> {
        Ok(sqlx::query_as(
            "SELECT workspace_id, provider, secrets_enc, key_hint, settings, livemode, connected_at
             FROM integration WHERE workspace_id = $1 AND provider = $2",
        )
        .bind(ws.get())
        .bind(provider)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn integrations(&self, ws: WorkspaceId) -> StoreResult<Vec<IntegrationRow>> {
        Ok(sqlx::query_as(
            "SELECT workspace_id, provider, secrets_enc, key_hint, settings, livemode, connected_at
             FROM integration WHERE workspace_id = $1 ORDER BY provider",
        )
        .bind(ws.get())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Removes a connection; true when there was one.
    pub async fn delete_integration(&self, ws: WorkspaceId, provider: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM integration WHERE workspace_id = $1 AND provider = $2")
            .bind(ws.get())
            .bind(provider)
            .execute(&self.pool)
            .await?;
        self.workspace_changed(ws);
        Ok(done.rows_affected() > 0)
    }

    // ----- attempts --------------------------------------------------------------------

    /// The invoice's open attempt, if any, scoped to the client.
    pub async fn open_attempt(
        &self,
        scope: ClientScope,
        invoice_id: i64,
    ) -> StoreResult<Option<AttemptRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ATTEMPT} FROM payment_attempt
             WHERE workspace_id = $1 AND client_id = $2 AND invoice_id = $3 AND status = 'open'"
        ))
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(invoice_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// A new open attempt; [`StoreError::Conflict`] when the invoice already has one
    /// (another tab won the race).
    pub async fn insert_attempt(
        &self,
        new: &NewAttempt<'_>,
        now_ms: i64,
    ) -> StoreResult<AttemptRow> {
        let id = PaymentAttemptId::new();
        Ok(sqlx::query_as(&format!(
            "INSERT INTO payment_attempt (id, workspace_id, client_id, invoice_id, contact_id, provider, status,
                 amount_minor, currency, idempotency_key, livemode, expires_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $10, $11, $12, $12)
             RETURNING {ATTEMPT}"
        ))
        .bind(id.get())
        .bind(new.scope.workspace_id().get())
        .bind(new.scope.client_id().get())
        .bind(new.invoice_id)
        .bind(new.contact_id)
        .bind(new.provider)
        .bind(new.amount_minor)
        .bind(new.currency)
        .bind(new.idempotency_key)
        .bind(i64::from(new.livemode))
        .bind(new.expires_at)
        .bind(now_ms)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Stores the provider's session (or order) reference and page for an attempt.
    pub async fn set_attempt_checkout(
        &self,
        id: i64,
        session_id: &str,
        url: &str,
        now_ms: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE payment_attempt SET provider_session_id = $2, checkout_url = $3, updated_at = $4
             WHERE id = $1",
        )
        .bind(id)
        .bind(session_id)
        .bind(url)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Closes an open attempt as `expired`, `cancelled` or `failed`; false if it was not open.
    pub async fn close_attempt(&self, id: i64, status: &str, now_ms: i64) -> StoreResult<bool> {
        if !matches!(status, "expired" | "cancelled" | "failed") {
            return Err(StoreError::Conflict(format!("attempt status {status}")));
        }
        let done = sqlx::query(
            "UPDATE payment_attempt SET status = $2, updated_at = $3 WHERE id = $1 AND status = 'open'",
        )
        .bind(id)
        .bind(status)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// One of the client's attempts, by id.
    pub async fn client_attempt(
        &self,
        scope: ClientScope,
        id: i64,
    ) -> StoreResult<Option<AttemptRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ATTEMPT} FROM payment_attempt WHERE workspace_id = $1 AND client_id = $2 AND id = $3"
        ))
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// A workspace's attempt by the provider's session id (Stripe `cs_…`, Telr order ref).
    pub async fn attempt_by_session(
        &self,
        ws: WorkspaceId,
        provider: &str,
        session_id: &str,
    ) -> StoreResult<Option<AttemptRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ATTEMPT} FROM payment_attempt
             WHERE workspace_id = $1 AND provider = $2 AND provider_session_id = $3"
        ))
        .bind(ws.get())
        .bind(provider)
        .bind(session_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// A workspace's attempt by id.
    pub async fn workspace_attempt(
        &self,
        ws: WorkspaceId,
        id: i64,
    ) -> StoreResult<Option<AttemptRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ATTEMPT} FROM payment_attempt WHERE workspace_id = $1 AND id = $2"
        ))
        .bind(ws.get())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Open attempts of every workspace, oldest first, for the reconciler.
    pub async fn open_attempts(&self, limit: i64) -> StoreResult<Vec<AttemptRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ATTEMPT} FROM payment_attempt WHERE status = 'open' ORDER BY updated_at, id LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records the payment of a provider-confirmed attempt, once: moves the attempt to
    /// `succeeded`, inserts the payment and recomputes the invoice, in one transaction.
    pub async fn settle_attempt(
        &self,
        ws: WorkspaceId,
        attempt_id: i64,
        provider_ref: &str,
        now_ms: i64,
    ) -> StoreResult<Settlement> {
        let mut tx = self.begin_write().await?;
        let won: Option<(i64, i64, String, i64, String)> = sqlx::query_as(
            "UPDATE payment_attempt SET status = 'succeeded', provider_ref = $3, updated_at = $4
             WHERE workspace_id = $1 AND id = $2 AND status <> 'succeeded'
             RETURNING client_id, invoice_id, provider, amount_minor, currency",
        )
        .bind(ws.get())
        .bind(attempt_id)
        .bind(provider_ref)
        .bind(now_ms)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((client_id, invoice_id, provider, amount, currency)) = won else {
            return Ok(Settlement::AlreadyRecorded);
        };
        let payment_id = PaymentId::new();
        let inserted = sqlx::query(
            "INSERT INTO payment (id, workspace_id, client_id, invoice_id, attempt_id, method, status, amount_minor,
                 currency, provider_ref, note, received_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'succeeded', $7, $8, $9, '', $10, $10, $10)
             ON CONFLICT (provider_ref) DO NOTHING",
        )
        .bind(payment_id.get())
        .bind(ws.get())
        .bind(client_id)
        .bind(invoice_id)
        .bind(attempt_id)
        .bind(&provider)
        .bind(amount)
        .bind(&currency)
        .bind(provider_ref)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            tx.commit().await?;
            return Ok(Settlement::AlreadyRecorded);
        }
        let invoice_status = refresh_invoice(&mut tx, ws, invoice_id, now_ms).await?;
        tx.commit().await?;
        Ok(Settlement::Recorded {
            payment_id,
            invoice_status,
        })
    }

    /// The payment recorded under a provider reference.
    pub async fn payment_by_ref(
        &self,
        ws: WorkspaceId,
        provider_ref: &str,
    ) -> StoreResult<Option<PaymentRefRow>> {
        Ok(sqlx::query_as(
            "SELECT id, invoice_id, client_id, amount_minor, refunded_minor, currency FROM payment
             WHERE workspace_id = $1 AND provider_ref = $2",
        )
        .bind(ws.get())
        .bind(provider_ref)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Sets the total refunded on a payment (an absolute amount, so repeats change
    /// nothing and a lower figure arriving late never undoes a higher one) and
    /// recomputes the invoice. Returns the amount newly refunded (0 when nothing changed).
    pub async fn apply_refund(
        &self,
        ws: WorkspaceId,
        provider_ref: &str,
        refunded_total: i64,
        now_ms: i64,
    ) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        let row: Option<(i64, i64, i64)> = sqlx::query_as(
            "SELECT invoice_id, amount_minor, refunded_minor FROM payment
             WHERE workspace_id = $1 AND provider_ref = $2",
        )
        .bind(ws.get())
        .bind(provider_ref)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((invoice_id, amount, already)) = row else {
            return Err(StoreError::NotFound);
        };
        let target = refunded_total.clamp(0, amount);
        if target <= already {
            tx.commit().await?;
            return Ok(0);
        }
        sqlx::query(
            "UPDATE payment SET refunded_minor = $3,
                 status = CASE WHEN $3 >= amount_minor THEN 'refunded' ELSE 'succeeded' END, updated_at = $4
             WHERE workspace_id = $1 AND provider_ref = $2",
        )
        .bind(ws.get())
        .bind(provider_ref)
        .bind(target)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        refresh_invoice(&mut tx, ws, invoice_id, now_ms).await?;
        tx.commit().await?;
        Ok(target - already)
    }

    /// What the emails after a payment say.
    pub async fn payment_notice(
        &self,
        ws: WorkspaceId,
        payment: PaymentId,
        contact_id: Option<i64>,
    ) -> StoreResult<PaymentNotice> {
        Ok(sqlx::query_as(
            "SELECT p.amount_minor, p.currency, p.method, i.id AS invoice_id, i.number AS invoice_number,
                    i.total_minor AS invoice_total_minor, i.paid_minor AS invoice_paid_minor,
                    c.id AS client_id, c.name AS client_name,
                    ct.email AS contact_email, ct.first_name AS contact_first_name
             FROM payment p
             JOIN invoice i ON i.id = p.invoice_id AND i.workspace_id = p.workspace_id
             JOIN client c ON c.id = p.client_id AND c.workspace_id = p.workspace_id
             LEFT JOIN contact ct ON ct.id = $3 AND ct.client_id = p.client_id AND ct.deleted_at IS NULL
             WHERE p.workspace_id = $1 AND p.id = $2",
        )
        .bind(ws.get())
        .bind(payment.get())
        .bind(contact_id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Invoices of one client, by id, that an online payment can be made for: the
    /// header a Pay now press checks (status, currency, total, paid) in the workspace.
    pub async fn invoice_for_payment(
        &self,
        ws: WorkspaceId,
        invoice_id: i64,
    ) -> StoreResult<Option<(String, String, i64, i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT status, currency, total_minor, paid_minor, number FROM invoice
             WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(ws.get())
        .bind(invoice_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    // ----- provider events -------------------------------------------------------------

    /// Notes a provider event id for a workspace; tells whether that workspace saw (and
    /// finished) it before. Deduplication is per workspace: a provider delivers one event
    /// to every endpoint of an account, and one workspace's deliveries never hide another's.
    pub async fn note_event(
        &self,
        ws: WorkspaceId,
        provider: &str,
        event_id: &str,
        kind: &str,
        now_ms: i64,
    ) -> StoreResult<EventSeen> {
        let inserted = sqlx::query(
            "INSERT INTO provider_event (provider, event_id, workspace_id, kind, received_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workspace_id, provider, event_id) DO NOTHING",
        )
        .bind(provider)
        .bind(event_id)
        .bind(ws.get())
        .bind(kind)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        if inserted.rows_affected() > 0 {
            return Ok(EventSeen::New);
        }
        let row: Option<(Option<i64>,)> = sqlx::query_as(
            "SELECT processed_at FROM provider_event
             WHERE workspace_id = $1 AND provider = $2 AND event_id = $3",
        )
        .bind(ws.get())
        .bind(provider)
        .bind(event_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some((Some(_),)) => EventSeen::Processed,
            _ => EventSeen::Unfinished,
        })
    }

    /// Forgets an event that recorded nothing (a failure, or nothing to record yet), so
    /// the provider's next delivery of it is handled afresh.
    pub async fn forget_event(
        &self,
        ws: WorkspaceId,
        provider: &str,
        event_id: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "DELETE FROM provider_event
             WHERE workspace_id = $1 AND provider = $2 AND event_id = $3 AND processed_at IS NULL",
        )
        .bind(ws.get())
        .bind(provider)
        .bind(event_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Remembers an event as processed: later deliveries of it change nothing.
    pub async fn finish_event(
        &self,
        ws: WorkspaceId,
        provider: &str,
        event_id: &str,
        now_ms: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE provider_event SET processed_at = $4
             WHERE workspace_id = $1 AND provider = $2 AND event_id = $3 AND processed_at IS NULL",
        )
        .bind(ws.get())
        .bind(provider)
        .bind(event_id)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// Recomputes an invoice's paid amount from its payments (received minus refunded) and
/// moves its status between sent, partially paid and paid; drafts and void invoices keep
/// their status. Returns the status.
async fn refresh_invoice(
    tx: &mut Tx<'_>,
    ws: WorkspaceId,
    invoice_id: i64,
    now_ms: i64,
) -> StoreResult<String> {
    let (paid,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(amount_minor - refunded_minor), 0) AS BIGINT) FROM payment
         WHERE workspace_id = $1 AND invoice_id = $2 AND status IN ('succeeded', 'refunded')",
    )
    .bind(ws.get())
    .bind(invoice_id)
    .fetch_one(&mut **tx)
    .await?;
    let (status,): (String,) = sqlx::query_as(
        "UPDATE invoice SET paid_minor = $3,
             status = CASE WHEN status NOT IN ('sent', 'partially_paid', 'paid') THEN status
                           WHEN $3 >= total_minor THEN 'paid'
                           WHEN $3 > 0 THEN 'partially_paid'
                           ELSE 'sent' END,
             updated_at = $4
         WHERE workspace_id = $1 AND id = $2
         RETURNING status",
    )
    .bind(ws.get())
    .bind(invoice_id)
    .bind(paid)
    .bind(now_ms)
    .fetch_one(&mut **tx)
    .await?;
    Ok(status)
}
