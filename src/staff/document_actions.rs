//! What staff do to a quote or invoice from its page: send it, delete a draft, void an
//! invoice, mark a quote accepted or declined. Each is a guarded change (refused clearly when the state
//! does not allow it), then an audit entry.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::documents::{doc_id, refused, Kind};
use super::session::StaffUser;
use crate::app::AppState;
use crate::invoicing;
use crate::store::staff_documents::DocKind;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{Form, Path};
use crate::web::ClientIp;

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    confirm: String,
}

fn back(kind: DocKind, id: i64, notice: &str) -> Response {
    Redirect::to(&format!("/staff/{}/{id}?notice={notice}", kind.plural())).into_response()
}

pub async fn send(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Kind(kind): Kind,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id = doc_id(&id)?;
    let emailed = invoicing::send(&state, user.workspace_id, kind, id)
        .await
        .map_err(refused)?;
    let doc = state
        .store
        .staff_document(user.workspace_id, kind, id)
        .await?;
    user.audit(
        &state,
        &format!("{}.sent", kind.noun()),
        (kind.noun(), id),
        Some(doc.client_id),
        &ip,
        &format!("{} emailed to {emailed} contact(s)", doc.number),
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/staff/{}/{id}?notice=sent&n={emailed}",
        kind.plural()
    ))
    .into_response())
}

pub async fn void(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id = doc_id(&id)?;
    state
        .store
        .void_invoice(user.workspace_id, id, state.clock.now_ms())
        .await
        .map_err(|e| refused(e.into()))?;
    crate::payments::service::retire_attempts_above_balance(&state, user.workspace_id, id).await;
    let doc = state
        .store
        .staff_document(user.workspace_id, DocKind::Invoice, id)
        .await?;
    user.audit(
        &state,
        "invoice.voided",
        ("invoice", id),
        Some(doc.client_id),
        &ip,
        &doc.number,
    )
    .await?;
    Ok(back(DocKind::Invoice, id, "voided"))
}

pub async fn decide(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id = doc_id(&id)?;
    let accepted = match form.decision.as_str() {
        "accepted" => true,
        "declined" => false,
        _ => {
            return Err(AppError::BadRequest(
                "Decision: a quote is marked accepted or declined.".into(),
            ))
        }
    };
    state
        .store
        .decide_quote(user.workspace_id, id, accepted, state.clock.now_ms())
        .await
        .map_err(|e| refused(e.into()))?;
    let doc = state
        .store
        .staff_document(user.workspace_id, DocKind::Quote, id)
        .await?;
    user.audit(
        &state,
        &format!("quote.{}", form.decision),
        ("quote", id),
        Some(doc.client_id),
        &ip,
        &doc.number,
    )
    .await?;
    Ok(back(DocKind::Quote, id, &form.decision))
}

/// An accepted quote becomes a draft invoice (its lines copied), due in 30 days.
pub async fn invoice_quote(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id = doc_id(&id)?;
    let ws = state.store.workspace(user.workspace_id).await?;
    let today = crate::domain::records::today_in(&ws.time_zone, state.clock.now());
    let due = today
        .checked_add(jiff::Span::new().days(30))
        .unwrap_or(today);
    let (invoice, number) = state
        .store
        .invoice_from_quote(
            user.workspace_id,
            id,
            &today.to_string(),
            &due.to_string(),
            state.clock.now_ms(),
        )
        .await
        .map_err(|e| refused(e.into()))?;
    let quote = state
        .store
        .staff_document(user.workspace_id, DocKind::Quote, id)
        .await?;
    user.audit(
        &state,
        "invoice.created",
        ("invoice", invoice),
        Some(quote.client_id),
        &ip,
        &format!("{number} from quote {}", quote.number),
    )
    .await?;
    Ok(back(DocKind::Invoice, invoice, "created"))
}

/// Deletes a draft after the confirmation box was ticked. Its number stays used.
pub async fn delete(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Kind(kind): Kind,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id = doc_id(&id)?;
    // Another workspace's document is not found, whatever the form says.
    let doc = state
        .store
        .staff_document(user.workspace_id, kind, id)
        .await?;
    if form.confirm != "yes" {
        return Err(AppError::BadRequest(format!(
            "Confirm: tick the box to delete this draft {}.",
            kind.noun()
        )));
    }
    state
        .store
        .delete_draft(
            user.workspace_id,
            kind,
            id,
            Some(user.id),
            state.clock.now_ms(),
        )
        .await
        .map_err(|e| refused(e.into()))?;
    user.audit(
        &state,
        &format!("{}.deleted", kind.noun()),
        (kind.noun(), id),
        Some(doc.client_id),
        &ip,
        &format!("draft {}", doc.number),
    )
    .await?;
    Ok(Redirect::to(&format!("/staff/{}?notice=deleted", kind.plural())).into_response())
}
