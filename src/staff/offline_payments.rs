//! Recording a payment received outside the portal (cash, bank transfer, cheque, other)
//! from an invoice's page; the client's contacts get a receipt.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::documents::{doc_id, refused};
use super::session::StaffUser;
use crate::app::AppState;
use crate::domain::offline_payment::PaymentFields;
use crate::ids::InvoiceId;
use crate::invoicing;
use crate::web::error::AppResult;
use crate::web::extract::{Form, Path};
use crate::web::ClientIp;

#[derive(Deserialize)]
pub struct PaymentForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    received_on: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    note: String,
}

pub async fn record(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<PaymentForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id = doc_id(&id)?;
    let fields = PaymentFields {
        method: form.method,
        amount: form.amount,
        received_on: form.received_on,
        reference: form.reference,
        note: form.note,
    };
    let done = invoicing::record_offline_payment(
        &state,
        user.workspace_id,
        InvoiceId::from_db(id),
        Some(user.id),
        &fields,
    )
    .await
    .map_err(refused)?;
    let doc = state
        .store
        .staff_document(
            user.workspace_id,
            crate::store::staff_documents::DocKind::Invoice,
            id,
        )
        .await?;
    user.audit(
        &state,
        "payment.recorded",
        ("payment", done.payment.get()),
        Some(doc.client_id),
        &ip,
        &format!(
            "{} ({}) for invoice {}",
            done.amount, fields.method, doc.number
        ),
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/staff/invoices/{id}?notice=paid&n={}",
        done.receipts
    ))
    .into_response())
}
