//! Workspace settings that live with quotes and invoices, for owners and admins: the
//! numbering prefixes and partial online payments.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::documents::Kind;
use super::session::StaffUser;
use crate::app::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::Form;
use crate::web::ClientIp;

#[derive(Deserialize)]
pub struct NumberingForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    prefix: String,
}

/// Admins and owners set the prefix of new numbers (`INV-`, `2026-Q`).
pub async fn numbering(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Kind(kind): Kind,
    Form(form): Form<NumberingForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    if user.role == "member" {
        return Err(AppError::Forbidden(
            "Only owners and admins change workspace settings such as numbering.".into(),
        ));
    }
    let prefix = form.prefix.trim();
    let ok = !prefix.is_empty()
        && prefix.chars().count() <= crate::store::document_writes::PREFIX_MAX
        && prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_/.".contains(c));
    if !ok {
        return Err(AppError::BadRequest(format!(
            "Prefix: 1 to {} letters, digits, dashes, underscores, slashes or points (e.g. INV-).",
            crate::store::document_writes::PREFIX_MAX
        )));
    }
    state
        .store
        .set_number_prefix(user.workspace_id, kind, prefix)
        .await?;
    user.audit(
        &state,
        "numbering.changed",
        ("workspace", user.workspace_id.get()),
        None,
        &ip,
        &format!("{} prefix {prefix}", kind.noun()),
    )
    .await?;
    Ok(Redirect::to(&format!("/staff/{}?notice=numbering", kind.plural())).into_response())
}

#[derive(Deserialize)]
pub struct PartialForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    allowed: String,
    #[serde(default)]
    minimum: String,
}

/// Admins and owners let clients pay part of an invoice online, above a minimum in the
/// workspace's default currency.
pub async fn partial_payments(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Form(form): Form<PartialForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    if user.role == "member" {
        return Err(AppError::Forbidden(
            "Only owners and admins change workspace settings such as online payments.".into(),
        ));
    }
    let allowed = matches!(form.allowed.as_str(), "1" | "on" | "yes");
    let policy = state.store.payment_policy(user.workspace_id).await?;
    let currency = crate::domain::money::Currency::parse(&policy.currency).map_err(|_| {
        AppError::BadRequest("The workspace's default currency is not supported.".into())
    })?;
    let minimum = if form.minimum.trim().is_empty() {
        0
    } else {
        crate::domain::document_form::parse_decimal(&form.minimum, currency.exponent()).map_err(
            |e| {
                AppError::BadRequest(format!(
                    "Minimum: {e} (an amount in {} with at most {} decimal places).",
                    currency.code(),
                    currency.exponent()
                ))
            },
        )?
    };
    state
        .store
        .set_payment_policy(user.workspace_id, allowed, minimum)
        .await?;
    let detail = if allowed {
        format!(
            "partial payments allowed, minimum {}",
            crate::domain::money::Money::new(minimum, currency)
        )
    } else {
        "partial payments off".to_string()
    };
    user.audit(
        &state,
        "payments.partial_changed",
        ("workspace", user.workspace_id.get()),
        None,
        &ip,
        &detail,
    )
    .await?;
    Ok(Redirect::to("/staff/invoices?notice=payments").into_response())
}
