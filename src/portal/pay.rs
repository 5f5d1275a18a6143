//! Pay now: the CSRF-checked POST that sends the browser to Stripe Checkout or Telr's
//! hosted page, and the return pages the providers send it back to. A return never
//! records anything on its own: it asks the provider with the stored reference.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::PortalUser;
use crate::app::AppState;
use crate::payments::provider::{is_stripe_id, ProviderError};
use crate::payments::service::{self, confirm_attempt, Confirmation, PayError, Payer};
use crate::web::csrf;
use crate::web::error::{error_page, AppError, AppResult};
use crate::web::extract::{Form, Path, Query};
use crate::web::ClientIp;

/// One Pay now button.
pub struct PayOption {
    pub provider: &'static str,
    pub label: &'static str,
}

/// The Pay now buttons for a workspace's connected providers (none: no button at all).
pub fn pay_options(providers: &[&'static str]) -> Vec<PayOption> {
    let several = providers.len() > 1;
    providers
        .iter()
        .map(|&provider| PayOption {
            provider,
            label: match (several, provider) {
                (false, _) => "Pay now",
                (true, "stripe") => "Pay now by card (Stripe)",
                (true, _) => "Pay now with Telr",
            },
        })
        .collect()
}

/// The fixed notices an invoice page shows after a payment round trip.
pub fn payment_notice(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "paid" => ("success", "Thank you — your payment was received and is recorded below."),
        "recorded" => ("success", "Thank you — your payment is recorded below."),
        "pending" => (
            "info",
            "Your payment is not confirmed yet. This page updates once the payment provider confirms it.",
        ),
        "cancelled" => ("info", "The payment was cancelled; nothing was charged."),
        "failed" => (
            "error",
            "The payment could not be confirmed, so nothing was recorded. Please contact the team.",
        ),
        _ => return None,
    })
}

#[derive(Deserialize)]
pub struct PayForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    provider: String,
    /// Part of the balance, where the workspace allows it; empty for all of it.
    #[serde(default)]
    amount: String,
}

fn refused(message: &str) -> Response {
    error_page(
        StatusCode::CONFLICT,
        "This invoice cannot be paid online",
        message,
    )
}

fn pay_error(e: PayError) -> Response {
    match e {
        PayError::NotFound => AppError::NotFound.into_response(),
        PayError::Refused(why) => refused(&why),
        PayError::Provider(ProviderError::Unavailable(why)) => {
            tracing::warn!(reason = %why, "payment provider unavailable");
            error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "The payment provider is not answering",
                "Nothing was charged. Please try again in a few minutes.",
            )
        }
        PayError::Provider(ProviderError::Refused(why)) => {
            tracing::warn!(reason = %why, "payment provider refused");
            refused("The payment provider refused to start this payment. Please try again later or contact the team.")
        }
        PayError::Internal(e) => AppError::Internal(e).into_response(),
    }
}

/// `POST /portal/invoices/{id}/pay`.
pub async fn pay(
    State(state): State<AppState>,
    user: PortalUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<PayForm>,
) -> AppResult<Response> {
    csrf::verify(state.config.secret.bytes(), &user.session.token, &form.csrf)?;
    let id = super::documents::parse_id(&id)?;
    let provider = match form.provider.as_str() {
        "stripe" => "stripe",
        "telr" => "telr",
        _ => {
            return Err(AppError::BadRequest(
                "Choose how to pay with one of the Pay now buttons.".into(),
            ))
        }
    };
    let payer = Payer {
        scope: user.scope,
        contact_id: user.contact_id.get(),
        email: &user.session.email_norm,
        label: &user.session.email_norm,
        ip: &ip,
    };
    match service::start_payment(&state, &payer, id, provider, &form.amount).await {
        Ok(url) => Ok(Redirect::to(&url).into_response()),
        Err(e) => Ok(pay_error(e)),
    }
}

fn back_to_invoice(invoice_id: i64, outcome: Result<Confirmation, PayError>) -> Response {
    let key = match outcome {
        Ok(Confirmation::Recorded) => "paid",
        Ok(Confirmation::AlreadyRecorded) => "recorded",
        Ok(Confirmation::Pending | Confirmation::NotConnected) => "pending",
        Ok(Confirmation::Closed) => "cancelled",
        Ok(Confirmation::Mismatch(_)) => "failed",
        Err(PayError::Provider(e)) => {
            tracing::warn!(error = %e, "return page could not confirm with the provider");
            "pending"
        }
        Err(e) => return pay_error(e),
    };
    Redirect::to(&format!("/portal/invoices/{invoice_id}?payment={key}")).into_response()
}

#[derive(Deserialize)]
pub struct StripeReturn {
    #[serde(default)]
    session_id: String,
}

/// `GET /portal/pay/stripe/return?session_id=…`: Stripe's success URL. The session must
/// be one this client's attempt stored; it is then confirmed with Stripe.
pub async fn stripe_return(
    State(state): State<AppState>,
    user: PortalUser,
    Query(q): Query<StripeReturn>,
) -> AppResult<Response> {
    if !is_stripe_id(&q.session_id) {
        return Err(AppError::NotFound);
    }
    let attempt = state
        .store
        .attempt_by_session(user.scope.workspace_id(), "stripe", &q.session_id)
        .await?
        .filter(|a| a.client_id == user.scope.client_id().get())
        .ok_or(AppError::NotFound)?;
    let outcome = confirm_attempt(&state, &attempt, "browser return").await;
    Ok(back_to_invoice(attempt.invoice_id, outcome))
}

/// `GET /portal/pay/telr/return/{attempt}`: Telr's return URL (authorised, declined and
/// cancelled alike). The attempt must be this client's; it is confirmed with `check`.
pub async fn telr_return(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = super::documents::parse_id(&id)?;
    let attempt = state
        .store
        .client_attempt(user.scope, id)
        .await?
        .filter(|a| a.provider == "telr")
        .ok_or(AppError::NotFound)?;
    let outcome = confirm_attempt(&state, &attempt, "browser return").await;
    Ok(back_to_invoice(attempt.invoice_id, outcome))
}

/// A page with Pay now buttons: its Content-Security-Policy lets forms lead to the
/// connected providers' pages (and nowhere else).
pub fn page_with_pay(state: &AppState, options: &[PayOption], html: String) -> Response {
    let mut origins = Vec::new();
    for o in options {
        match o.provider {
            "stripe" => {
                origins.push("https://checkout.stripe.com".to_string());
                origins.push(state.config.stripe_api_base.origin().ascii_serialization());
            }
            _ => origins.push(state.config.telr_api_base.origin().ascii_serialization()),
        }
    }
    let mut response = axum::response::Html(html).into_response();
    if !origins.is_empty() {
        response.headers_mut().insert(
            axum::http::header::CONTENT_SECURITY_POLICY,
            crate::web::csp_allowing_forms_to(&origins),
        );
    }
    response
}
