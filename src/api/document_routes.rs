//! The routes of `/api/v1/invoices` and `/api/v1/quotes` that write, each described for
//! the OpenAPI document; the work is in [`super::documents`] and `crate::invoicing`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::auth::ApiCaller;
use super::documents::{
    create, document, id_of, problem, replace, send, DecisionBody, DocumentOut, InvoiceBody,
    PaymentBody, PaymentOut, QuoteBody, SentOut,
};
use super::error::{ApiError, ApiErrorBody, ApiResult};
use super::extract::{ApiJson, ApiPath};
use crate::app::AppState;
use crate::domain::offline_payment::PaymentFields;
use crate::ids::InvoiceId;
use crate::invoicing;
use crate::store::staff_documents::DocKind;
use crate::web::ClientIp;

#[utoipa::path(post, path = "/api/v1/invoices", tag = "invoices",
    request_body = InvoiceBody,
    responses(
        (status = 201, description = "A draft invoice, numbered", body = DocumentOut),
        (status = 400, description = "Not JSON, or unknown/missing fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 409, description = "The number is already taken", body = ApiErrorBody),
        (status = 422, description = "A field is not valid (named), also a client_id not of this workspace; nothing was stored", body = ApiErrorBody),
    ))]
pub async fn create_invoice(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<InvoiceBody>,
) -> ApiResult<(StatusCode, Json<DocumentOut>)> {
    create(&state, &caller, &ip, DocKind::Invoice, body.into()).await
}

#[utoipa::path(post, path = "/api/v1/quotes", tag = "quotes",
    request_body = QuoteBody,
    responses(
        (status = 201, description = "A draft quote, numbered", body = DocumentOut),
        (status = 400, description = "Not JSON, or unknown/missing fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 409, description = "The number is already taken", body = ApiErrorBody),
        (status = 422, description = "A field is not valid (named), also a client_id not of this workspace; nothing was stored", body = ApiErrorBody),
    ))]
pub async fn create_quote(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<QuoteBody>,
) -> ApiResult<(StatusCode, Json<DocumentOut>)> {
    create(&state, &caller, &ip, DocKind::Quote, body.into()).await
}

#[utoipa::path(put, path = "/api/v1/invoices/{id}", tag = "invoices",
    params(("id" = String, Path, description = "Invoice id")),
    request_body = InvoiceBody,
    responses(
        (status = 200, description = "The draft, replaced", body = DocumentOut),
        (status = 400, description = "Not JSON, or unknown/missing fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such invoice in this workspace", body = ApiErrorBody),
        (status = 409, description = "Not a draft any more", body = ApiErrorBody),
        (status = 422, description = "A field is not valid (named); nothing was changed", body = ApiErrorBody),
    ))]
pub async fn update_invoice(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<InvoiceBody>,
) -> ApiResult<Json<DocumentOut>> {
    replace(&state, &caller, &ip, DocKind::Invoice, &id, body.into()).await
}

#[utoipa::path(put, path = "/api/v1/quotes/{id}", tag = "quotes",
    params(("id" = String, Path, description = "Quote id")),
    request_body = QuoteBody,
    responses(
        (status = 200, description = "The draft, replaced", body = DocumentOut),
        (status = 400, description = "Not JSON, or unknown/missing fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such quote in this workspace", body = ApiErrorBody),
        (status = 409, description = "Not a draft any more", body = ApiErrorBody),
        (status = 422, description = "A field is not valid (named); nothing was changed", body = ApiErrorBody),
    ))]
pub async fn update_quote(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<QuoteBody>,
) -> ApiResult<Json<DocumentOut>> {
    replace(&state, &caller, &ip, DocKind::Quote, &id, body.into()).await
}

#[utoipa::path(post, path = "/api/v1/invoices/{id}/send", tag = "invoices",
    params(("id" = String, Path, description = "Invoice id")),
    responses(
        (status = 200, description = "Sent; the client's portal contacts were emailed a link", body = SentOut),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such invoice in this workspace", body = ApiErrorBody),
        (status = 409, description = "Not a draft with at least one line", body = ApiErrorBody),
    ))]
pub async fn send_invoice(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<SentOut>> {
    send(&state, &caller, &ip, DocKind::Invoice, &id).await
}

#[utoipa::path(post, path = "/api/v1/quotes/{id}/send", tag = "quotes",
    params(("id" = String, Path, description = "Quote id")),
    responses(
        (status = 200, description = "Sent; the client's portal contacts were emailed a link", body = SentOut),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such quote in this workspace", body = ApiErrorBody),
        (status = 409, description = "Not a draft with at least one line", body = ApiErrorBody),
    ))]
pub async fn send_quote(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<SentOut>> {
    send(&state, &caller, &ip, DocKind::Quote, &id).await
}

#[utoipa::path(post, path = "/api/v1/quotes/{id}/decision", tag = "quotes",
    params(("id" = String, Path, description = "Quote id")),
    request_body = DecisionBody,
    responses(
        (status = 200, description = "Marked accepted or declined", body = DocumentOut),
        (status = 400, description = "Not JSON, or unknown/missing fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such quote in this workspace", body = ApiErrorBody),
        (status = 409, description = "Not a sent quote", body = ApiErrorBody),
        (status = 422, description = "decision is neither accepted nor declined", body = ApiErrorBody),
    ))]
pub async fn decide_quote(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> ApiResult<Json<DocumentOut>> {
    let id = id_of(&id)?;
    let accepted = match body.decision.as_str() {
        "accepted" => true,
        "declined" => false,
        _ => {
            return Err(ApiError::invalid(
                "decision",
                "decision: must be accepted or declined.",
            ))
        }
    };
    state
        .store
        .decide_quote(caller.workspace_id, id, accepted, state.clock.now_ms())
        .await
        .map_err(|e| problem(e.into()))?;
    let doc = document(&state, &caller, DocKind::Quote, id).await?;
    caller
        .audit(
            &state,
            &ip,
            &format!("quote.{}", body.decision),
            ("quote", id),
            doc.client_id.parse().ok(),
            &doc.number,
        )
        .await?;
    Ok(Json(doc))
}

#[utoipa::path(post, path = "/api/v1/invoices/{id}/void", tag = "invoices",
    params(("id" = String, Path, description = "Invoice id")),
    responses(
        (status = 200, description = "Void: kept on record, no longer payable", body = DocumentOut),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such invoice in this workspace", body = ApiErrorBody),
        (status = 409, description = "Something is paid on it, or it is void already", body = ApiErrorBody),
    ))]
pub async fn void_invoice(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<DocumentOut>> {
    let id = id_of(&id)?;
    state
        .store
        .void_invoice(caller.workspace_id, id, state.clock.now_ms())
        .await
        .map_err(|e| problem(e.into()))?;
    crate::payments::service::retire_attempts_above_balance(&state, caller.workspace_id, id).await;
    let doc = document(&state, &caller, DocKind::Invoice, id).await?;
    caller
        .audit(
            &state,
            &ip,
            "invoice.voided",
            ("invoice", id),
            doc.client_id.parse().ok(),
            &doc.number,
        )
        .await?;
    Ok(Json(doc))
}

#[utoipa::path(post, path = "/api/v1/invoices/{id}/payments", tag = "invoices",
    params(("id" = String, Path, description = "Invoice id")),
    request_body = PaymentBody,
    responses(
        (status = 201, description = "Recorded; the client's contacts were emailed a receipt", body = PaymentOut),
        (status = 400, description = "Not JSON, or unknown/missing fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such invoice in this workspace", body = ApiErrorBody),
        (status = 409, description = "The invoice is not sent or partially paid", body = ApiErrorBody),
        (status = 422, description = "A field is not valid (named), e.g. more than the balance", body = ApiErrorBody),
    ))]
pub async fn pay_invoice(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<PaymentBody>,
) -> ApiResult<(StatusCode, Json<PaymentOut>)> {
    let id = id_of(&id)?;
    let method = body.method.clone();
    let done = invoicing::record_offline_payment(
        &state,
        caller.workspace_id,
        InvoiceId::from_db(id),
        None,
        &PaymentFields {
            method: body.method,
            amount: body.amount,
            received_on: body.received_on,
            reference: body.reference,
            note: body.note,
        },
    )
    .await
    .map_err(problem)?;
    let invoice = document(&state, &caller, DocKind::Invoice, id).await?;
    caller
        .audit(
            &state,
            &ip,
            "payment.recorded",
            ("payment", done.payment.get()),
            invoice.client_id.parse().ok(),
            &format!("{} ({method}) for invoice {}", done.amount, invoice.number),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(PaymentOut {
            payment_id: done.payment.to_string(),
            invoice,
            receipts: i64::try_from(done.receipts).unwrap_or(i64::MAX),
        }),
    ))
}

/// Deletes a draft; its number stays used (the sequence goes on, leaving a gap).
async fn delete_draft(
    state: &AppState,
    caller: &ApiCaller,
    ip: &str,
    kind: DocKind,
    raw_id: &str,
) -> ApiResult<StatusCode> {
    let id = id_of(raw_id)?;
    let doc = document(state, caller, kind, id).await?;
    state
        .store
        .delete_draft(caller.workspace_id, kind, id, None, state.clock.now_ms())
        .await
        .map_err(|e| problem(e.into()))?;
    caller
        .audit(
            state,
            ip,
            &format!("{}.deleted", kind.noun()),
            (kind.noun(), id),
            doc.client_id.parse().ok(),
            &format!("draft {}", doc.number),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/invoices/{id}", tag = "invoices",
    params(("id" = String, Path, description = "Invoice id")),
    responses(
        (status = 204, description = "The draft is deleted; its number is not given again"),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such invoice in this workspace", body = ApiErrorBody),
        (status = 409, description = "Not a draft: a sent invoice stays on record (void it instead)", body = ApiErrorBody),
    ))]
pub async fn delete_invoice(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    delete_draft(&state, &caller, &ip, DocKind::Invoice, &id).await
}

#[utoipa::path(delete, path = "/api/v1/quotes/{id}", tag = "quotes",
    params(("id" = String, Path, description = "Quote id")),
    responses(
        (status = 204, description = "The draft is deleted; its number is not given again"),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such quote in this workspace", body = ApiErrorBody),
        (status = 409, description = "Not a draft: a sent quote stays on record", body = ApiErrorBody),
    ))]
pub async fn delete_quote(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    delete_draft(&state, &caller, &ip, DocKind::Quote, &id).await
}
