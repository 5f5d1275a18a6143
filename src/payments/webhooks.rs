//! Provider callbacks: Stripe webhooks (`/webhooks/stripe/{workspace}`) and Telr
//! transaction advice (`/webhooks/telr/{workspace}`). No session, no CSRF: authenticity
//! comes from the signature (Stripe, over the raw body, 300 s tolerance) or `tran_check`
//! (Telr), checked with that workspace's own secret. A bad one is answered 400 and changes
//! nothing. Money moves only after the provider confirms, with the references stored with
//! the attempt; event ids are deduplicated in the database.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::Value;

use super::service::{self, confirm_attempt, Confirmation, PayError};
use super::{stripe, telr};
use crate::app::AppState;
use crate::ids::WorkspaceId;
use crate::store::audit::{Actor, AuditEntry};
use crate::store::payments::EventSeen;
use crate::web::extract::Path;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stripe/{workspace}", post(stripe_webhook))
        .route("/telr/{workspace}", post(telr_advice))
}

fn reject(why: &str) -> Response {
    (StatusCode::BAD_REQUEST, format!("rejected: {why}\n")).into_response()
}

fn ok() -> Response {
    (StatusCode::OK, "ok\n").into_response()
}

fn retry_later(e: &PayError) -> Response {
    tracing::warn!(error = %e, "webhook could not be handled now; the provider will retry");
    (StatusCode::SERVICE_UNAVAILABLE, "try again later\n").into_response()
}

async fn note_rejection(state: &AppState, ws: WorkspaceId, provider: &str, why: &str, ip: &str) {
    let detail = format!("{provider} callback refused: {why}");
    let entry = AuditEntry {
        actor: Actor::Anonymous,
        label: provider,
        action: "payment.callback_rejected",
        subject_kind: "",
        subject_id: None,
        client_id: None,
        ip,
        detail: &detail,
    };
    if let Err(e) = state.store.audit(ws, &entry, state.clock.now_ms()).await {
        tracing::error!(error = %e, "audit entry could not be written");
    }
}

fn workspace_of(raw: &str) -> Option<WorkspaceId> {
    raw.parse::<WorkspaceId>().ok()
}

async fn stripe_webhook(
    State(state): State<AppState>,
    Path(workspace): Path<String>,
    ip: crate::web::ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(ws) = workspace_of(&workspace) else {
        return reject("unknown endpoint");
    };
    let conn = match service::stripe_conn(&state, ws).await {
        Ok(Some(c)) => c,
        Ok(None) => return reject("Stripe is not connected here"),
        Err(e) => return retry_later(&e),
    };
    let header = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let now = state.clock.now().as_second();
    if let Err(e) = stripe::verify(
        &body,
        header,
        &conn.secrets.webhook_secret,
        now,
        stripe::DEFAULT_TOLERANCE_SECS,
    ) {
        note_rejection(&state, ws, "stripe", &e.to_string(), &ip.0).await;
        return reject("bad signature");
    }
    let Ok(event) = serde_json::from_slice::<Value>(&body) else {
        return reject("body is not JSON");
    };
    let (Some(id), Some(kind)) = (event["id"].as_str(), event["type"].as_str()) else {
        return reject("not an event");
    };
    if event["livemode"].as_bool().unwrap_or(false) != conn.livemode {
        note_rejection(
            &state,
            ws,
            "stripe",
            "test/live mode differs from the connected key",
            &ip.0,
        )
        .await;
        return reject("test/live mode mismatch");
    }
    let seen = match state
        .store
        .note_event(ws, "stripe", id, kind, state.clock.now_ms())
        .await
    {
        Ok(s) => s,
        Err(e) => return retry_later(&PayError::from(e)),
    };
    if seen == EventSeen::Processed {
        return ok();
    }
    let object = &event["data"]["object"];
    let handled = match kind {
        "checkout.session.completed"
        | "checkout.session.async_payment_succeeded"
        | "checkout.session.async_payment_failed"
        | "checkout.session.expired" => stripe_session_event(&state, ws, object).await,
        "charge.refunded" => stripe_refund(&state, ws, &conn, object).await,
        _ => Ok(()),
    };
    match handled {
        Ok(()) => {
            if let Err(e) = state
                .store
                .finish_event(ws, "stripe", id, state.clock.now_ms())
                .await
            {
                return retry_later(&PayError::from(e));
            }
            ok()
        }
        Err(e) => retry_later(&e),
    }
}

/// A Checkout Session event: find the attempt by the STORED session id, then confirm with
/// Stripe (the event body itself is never trusted for money).
async fn stripe_session_event(
    state: &AppState,
    ws: WorkspaceId,
    object: &Value,
) -> Result<(), PayError> {
    let Some(session_id) = object["id"].as_str() else {
        return Ok(());
    };
    let Some(attempt) = state
        .store
        .attempt_by_session(ws, "stripe", session_id)
        .await?
    else {
        tracing::warn!("Stripe event for a session this workspace never created; ignored");
        return Ok(());
    };
    confirm_attempt(state, &attempt, "stripe webhook")
        .await
        .map(|_| ())
}

/// `charge.refunded`: the payment is found by its PaymentIntent; if the completion has
/// not been recorded yet (events out of order), the attempt named in the PaymentIntent's
/// metadata is confirmed with Stripe first, then the refund is applied.
async fn stripe_refund(
    state: &AppState,
    ws: WorkspaceId,
    conn: &service::StripeConn,
    charge: &Value,
) -> Result<(), PayError> {
    let Some(intent) = charge["payment_intent"].as_str() else {
        return Ok(());
    };
    let refunded = charge["amount_refunded"].as_i64().unwrap_or(0);
    if state.store.payment_by_ref(ws, intent).await?.is_none() {
        let meta = super::provider::stripe_payment_intent_metadata(
            &state.config,
            &conn.secrets.secret_key,
            intent,
        )
        .await?;
        let attempt_id = meta
            .get("payment_attempt_id")
            .and_then(|s| s.parse::<i64>().ok());
        let attempt = match attempt_id {
            Some(id) => state.store.workspace_attempt(ws, id).await?,
            None => None,
        };
        let Some(attempt) = attempt else {
            tracing::warn!("refund for a payment this workspace does not know; ignored");
            return Ok(());
        };
        confirm_attempt(state, &attempt, "stripe webhook").await?;
    }
    let Some(payment) = state.store.payment_by_ref(ws, intent).await? else {
        return Ok(());
    };
    let currency_ok = charge["currency"]
        .as_str()
        .is_some_and(|c| c.eq_ignore_ascii_case(&payment.currency));
    if !currency_ok {
        return Err(PayError::Refused("refund currency differs".into()));
    }
    // Stripe's minor units equal ours except for ISK (×100), which Portico refuses.
    let added = state
        .store
        .apply_refund(ws, intent, refunded, state.clock.now_ms())
        .await?;
    if added > 0 {
        refund_audit(state, ws, &payment, added, "stripe").await;
    }
    Ok(())
}

async fn refund_audit(
    state: &AppState,
    ws: WorkspaceId,
    payment: &crate::store::payments::PaymentRefRow,
    added: i64,
    provider: &str,
) {
    let detail = format!(
        "{} refunded through {provider}",
        crate::domain::money::Money::format_stored(added, &payment.currency)
    );
    let entry = AuditEntry {
        actor: Actor::System,
        label: provider,
        action: "payment.refunded",
        subject_kind: "invoice",
        subject_id: Some(payment.invoice_id),
        client_id: Some(payment.client_id),
        ip: "",
        detail: &detail,
    };
    if let Err(e) = state.store.audit(ws, &entry, state.clock.now_ms()).await {
        tracing::error!(error = %e, "audit entry could not be written");
    }
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// Telr transaction advice: `tran_check` verified with the workspace's advice secret, the
/// store and mode matched, deduplicated on `tran_ref`; a sale is then confirmed with
/// `check` on the stored order reference; a refund restores the balance.
async fn telr_advice(
    State(state): State<AppState>,
    Path(workspace): Path<String>,
    ip: crate::web::ClientIp,
    body: Bytes,
) -> Response {
    let Some(ws) = workspace_of(&workspace) else {
        return reject("unknown endpoint");
    };
    let conn = match service::telr_conn(&state, ws).await {
        Ok(Some(c)) => c,
        Ok(None) => return reject("Telr is not connected here"),
        Err(e) => return retry_later(&e),
    };
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    if let Err(e) = telr::verify_tran_check(&fields, &conn.secrets.advice_secret) {
        note_rejection(&state, ws, "telr", &e.to_string(), &ip.0).await;
        return reject("bad tran_check");
    }
    if field(&fields, "tran_store") != conn.settings.store_id {
        note_rejection(&state, ws, "telr", "advice for another store", &ip.0).await;
        return reject("another store");
    }
    if (field(&fields, "tran_test") == "1") != conn.settings.test_mode {
        note_rejection(&state, ws, "telr", "test/live mode differs", &ip.0).await;
        return reject("test/live mode mismatch");
    }
    let tran_ref = field(&fields, "tran_ref");
    if tran_ref.is_empty() {
        return reject("no tran_ref");
    }
    let kind = field(&fields, "tran_type").to_ascii_lowercase();
    let seen = match state
        .store
        .note_event(ws, "telr", tran_ref, &kind, state.clock.now_ms())
        .await
    {
        Ok(s) => s,
        Err(e) => return retry_later(&PayError::from(e)),
    };
    if seen == EventSeen::Processed {
        return ok();
    }
    let handled = match kind.as_str() {
        "sale" | "capture" | "1" | "7" => telr_sale(&state, ws, &fields).await,
        // A refund adds to what was refunded, so it is applied only by the delivery that
        // first noted its tran_ref (the provider retries a failure with the same ref).
        "refund" | "3" if seen == EventSeen::New => telr_refund(&state, ws, &fields).await,
        // Another delivery of this refund is applying it: its mark is left alone.
        "refund" | "3" => return ok(),
        _ => Ok(Outcome::Nothing),
    };
    // Only an advice that led to a recorded outcome is remembered; one that recorded
    // nothing (the order not paid yet, an unknown cart) is forgotten, so the provider's
    // later delivery with the same tran_ref is handled afresh.
    let remembered = match handled {
        Ok(Outcome::Recorded) => {
            state
                .store
                .finish_event(ws, "telr", tran_ref, state.clock.now_ms())
                .await
        }
        Ok(Outcome::Nothing) => state.store.forget_event(ws, "telr", tran_ref).await,
        Err(e) => {
            let _ = state.store.forget_event(ws, "telr", tran_ref).await;
            return retry_later(&e);
        }
    };
    match remembered {
        Ok(()) => ok(),
        Err(e) => retry_later(&PayError::from(e)),
    }
}

/// What handling a Telr advice led to.
enum Outcome {
    /// A payment, a refund or a definite final decline is on record.
    Recorded,
    /// Nothing was recorded: the advice may be handled again later.
    Nothing,
}

async fn telr_sale(
    state: &AppState,
    ws: WorkspaceId,
    fields: &[(String, String)],
) -> Result<Outcome, PayError> {
    let cart = field(fields, "tran_cartid");
    let attempt_id = cart
        .strip_prefix("portico-")
        .and_then(|s| s.parse::<i64>().ok());
    let attempt = match attempt_id {
        Some(id) => state.store.workspace_attempt(ws, id).await?,
        None => None,
    };
    let Some(attempt) = attempt.filter(|a| a.provider == "telr") else {
        tracing::warn!("Telr advice for a cart this workspace never created; ignored");
        return Ok(Outcome::Nothing);
    };
    Ok(
        match confirm_attempt(state, &attempt, "telr advice").await? {
            Confirmation::Recorded
            | Confirmation::AlreadyRecorded
            | Confirmation::Closed
            | Confirmation::Mismatch(_) => Outcome::Recorded,
            Confirmation::Pending | Confirmation::NotConnected => Outcome::Nothing,
        },
    )
}

async fn telr_refund(
    state: &AppState,
    ws: WorkspaceId,
    fields: &[(String, String)],
) -> Result<Outcome, PayError> {
    let original = field(fields, "tran_prevref");
    let Some(payment) = state.store.payment_by_ref(ws, original).await? else {
        tracing::warn!("Telr refund for a payment this workspace does not know; ignored");
        return Ok(Outcome::Nothing);
    };
    let currency = crate::domain::money::Currency::parse(&payment.currency)
        .map_err(|_| anyhow::anyhow!("payment with a bad currency"))?;
    if !field(fields, "tran_currency").eq_ignore_ascii_case(&payment.currency) {
        return Ok(Outcome::Nothing);
    }
    let Some(amount) = super::amounts::telr_amount_to_minor(field(fields, "tran_amount"), currency)
    else {
        return Ok(Outcome::Nothing);
    };
    let added = state
        .store
        .apply_refund(
            ws,
            original,
            payment.refunded_minor + amount,
            state.clock.now_ms(),
        )
        .await?;
    if added == 0 {
        return Ok(Outcome::Nothing);
    }
    refund_audit(state, ws, &payment, added, "telr").await;
    Ok(Outcome::Recorded)
}
