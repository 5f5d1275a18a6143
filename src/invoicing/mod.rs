//! Quotes and invoices as the back office and the API change them: save a draft (checked
//! by [`crate::domain::document_form`], numbered and stored in one transaction), send it
//! (the client's portal contacts get a link), record an offline payment (the client's
//! contacts get a receipt), and tell the team when a payment overpays an invoice. The
//! handlers of both doors call these and only add their own audit entry and answer.

pub mod mail;
pub mod pdf;
pub mod print;

use crate::app::AppState;
use crate::domain::document_form::{self, DocError, DocumentFields};
use crate::domain::money::{Currency, Money};
use crate::domain::offline_payment::{self, method_label, PaymentFields};
use crate::domain::records::{display_date, today_in};
use crate::ids::{ClientId, InvoiceId, PaymentId, StaffUserId, WorkspaceId};
use crate::store::staff_documents::DocKind;
use crate::store::submission::Once;
use crate::store::StoreError;

/// Why a change was not made. Nothing was stored in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    #[error("not found")]
    NotFound,
    /// Fields that are not valid, each named.
    #[error("invalid")]
    Invalid(Vec<DocError>),
    /// The document's state does not allow it (or a duplicate number); `field` when the
    /// reason is about one.
    #[error("{message}")]
    Refused {
        field: Option<String>,
        message: String,
    },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Problem::NotFound,
            StoreError::Conflict(msg) => {
                // The store says "field: reason" when the reason is about one field.
                match msg.split_once(": ") {
                    Some((field, reason))
                        if !field.is_empty()
                            && field
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || "_[].".contains(c)) =>
                    {
                        Problem::Refused {
                            field: Some(field.to_string()),
                            message: reason.to_string(),
                        }
                    }
                    _ => Problem::Refused {
                        field: None,
                        message: msg,
                    },
                }
            }
            other => Problem::Internal(other.into()),
        }
    }
}

/// A new draft (no `existing`) or a draft's new content. Answers id and number; a new
/// draft whose form's `submission_key` was used before answers the one it made, with
/// `made_now` false.
pub async fn save_draft(
    state: &AppState,
    ws: WorkspaceId,
    kind: DocKind,
    client: ClientId,
    existing: Option<i64>,
    fields: &DocumentFields,
    submission_key: Option<&str>,
) -> Result<Once<(i64, String)>, Problem> {
    let catalogue = state.store.document_catalogue(ws).await?;
    let valid = document_form::validate(fields, &catalogue).map_err(Problem::Invalid)?;
    Ok(state
        .store
        .save_document(
            ws,
            kind,
            client,
            existing,
            &valid,
            submission_key,
            state.clock.now_ms(),
        )
        .await?)
}

/// Draft → sent, then a link to it for every contact (with an email) of the client while
/// its portal is on. Answers how many were emailed.
pub async fn send(
    state: &AppState,
    ws: WorkspaceId,
    kind: DocKind,
    id: i64,
) -> Result<usize, Problem> {
    state
        .store
        .send_document(ws, kind, id, state.clock.now_ms())
        .await?;
    let doc = state.store.staff_document(ws, kind, id).await?;
    let recipients = state
        .store
        .document_recipients(ws, doc.client_id, true)
        .await?;
    let business = state.store.business_profile(ws).await?.display_name;
    let link = state
        .config
        .url(&format!("/portal/{}/{}", kind.plural(), doc.id));
    let total = Money::format_stored(doc.total_minor, &doc.currency);
    let end_date = display_date(&doc.end_date);
    for r in &recipients {
        let m = mail::DocumentSent {
            to: &r.email,
            first_name: &r.first_name,
            business: &business,
            noun: kind.noun(),
            number: &doc.number,
            title: &doc.title,
            total: &total,
            end_label: match kind {
                DocKind::Invoice => "Due",
                DocKind::Quote => "Valid until",
            },
            end_date: &end_date,
            link: &link,
        };
        match mail::document_sent(&m) {
            Ok(out) => state.mail.enqueue(out),
            Err(e) => tracing::error!(error = %e, "document email could not be rendered"),
        }
    }
    Ok(recipients.len())
}

/// What recording an offline payment did.
pub struct Recorded {
    pub payment: PaymentId,
    pub amount: String,
    pub receipts: usize,
}

/// Records a payment staff received by hand and emails a receipt to every contact (with
/// an email) of the client.
pub async fn record_offline_payment(
    state: &AppState,
    ws: WorkspaceId,
    invoice: InvoiceId,
    by: Option<StaffUserId>,
    fields: &PaymentFields,
) -> Result<Recorded, Problem> {
    let doc = state
        .store
        .staff_document(ws, DocKind::Invoice, invoice.get())
        .await?;
    if !matches!(doc.status.as_str(), "sent" | "partially_paid") {
        return Err(Problem::Refused {
            field: None,
            message: format!(
                "invoice {} is {}; only a sent or partially paid invoice takes a payment",
                doc.number,
                doc.status.replace('_', " ")
            ),
        });
    }
    let currency = Currency::parse(&doc.currency)
        .map_err(|_| anyhow::anyhow!("invoice {} has an unknown currency", doc.id))?;
    let workspace = state.store.workspace(ws).await?;
    let today = today_in(&workspace.time_zone, state.clock.now());
    let valid =
        offline_payment::validate(fields, currency, doc.total_minor - doc.paid_minor, today)
            .map_err(Problem::Invalid)?;
    let payment = state
        .store
        .record_offline_payment(
            ws,
            invoice,
            by,
            &valid,
            valid.received_at_ms(&workspace.time_zone),
            state.clock.now_ms(),
        )
        .await?;
    crate::payments::service::retire_attempts_above_balance(state, ws, invoice.get()).await;
    let amount = Money::new(valid.amount_minor, currency).to_string();
    let balance_minor = (doc.total_minor - doc.paid_minor - valid.amount_minor).max(0);
    let balance = Money::new(balance_minor, currency).to_string();
    let business = state.store.business_profile(ws).await?.display_name;
    let link = state.config.url(&format!("/portal/invoices/{}", doc.id));
    let recipients = state
        .store
        .document_recipients(ws, doc.client_id, false)
        .await?;
    for r in &recipients {
        let m = crate::mail::templates::PaymentMail {
            to: &r.email,
            first_name: &r.first_name,
            business: &business,
            client: &doc.client_name,
            method: method_label(valid.method),
            amount: &amount,
            number: &doc.number,
            balance: &balance,
            balance_zero: balance_minor == 0,
            link: &link,
        };
        match crate::mail::templates::payment_receipt(&m) {
            Ok(out) => state.mail.enqueue(out),
            Err(e) => tracing::error!(error = %e, "receipt could not be rendered"),
        }
    }
    Ok(Recorded {
        payment,
        amount,
        receipts: recipients.len(),
    })
}

/// After a provider payment was recorded: when it took the invoice past its total, the
/// team is told the invoice is overpaid and by how much.
pub async fn notify_if_overpaid(
    state: &AppState,
    ws: WorkspaceId,
    invoice: i64,
    method: &str,
    amount_minor: i64,
) {
    let doc = match state
        .store
        .staff_document(ws, DocKind::Invoice, invoice)
        .await
    {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "overpayment check could not read the invoice");
            return;
        }
    };
    let credit = doc.paid_minor - doc.total_minor;
    if credit <= 0 {
        return;
    }
    let fmt = |v: i64| Money::format_stored(v, &doc.currency);
    let (amount, paid, total, credit) = (
        fmt(amount_minor),
        fmt(doc.paid_minor),
        fmt(doc.total_minor),
        fmt(credit),
    );
    let link = state.config.url(&format!("/staff/invoices/{}", doc.id));
    let team = state.store.staff_recipients(ws).await.unwrap_or_default();
    for (_, email) in team {
        let m = mail::Overpaid {
            to: &email,
            client: &doc.client_name,
            number: &doc.number,
            method: method_label(method),
            amount: &amount,
            paid: &paid,
            total: &total,
            credit: &credit,
            link: &link,
        };
        match mail::overpaid(&m) {
            Ok(out) => state.mail.enqueue(out),
            Err(e) => tracing::error!(error = %e, "overpaid notice could not be rendered"),
        }
    }
}
