//! Online payments, end to end: which providers a workspace has connected, starting a
//! payment (one open attempt per invoice, reused), confirming an attempt with the provider
//! using only the references stored with it, and recording it exactly once whatever
//! signal arrives first (the browser's return, a webhook, a transaction advice or the
//! reconciler). After a payment: receipt, team notice and audit.

use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::money::{Currency, Money};
use crate::ids::{ClientId, PaymentId, WorkspaceId};
use crate::payments::amounts::{stripe_amount, stripe_currency};
use crate::payments::provider::{self, ProviderError, StripeSession};
use crate::payments::telr::{self, CheckedOrder, CreateOrder, TelrCredentials};
use crate::payments::{stripe, vault};
use crate::store::audit::{Actor, AuditEntry};
use crate::store::payments::{AttemptRow, NewAttempt, Settlement};
use crate::store::staff_documents::DocKind;
use crate::store::{ClientScope, StoreError};

/// How long an attempt stays open (Stripe's minimum session life is 30 minutes).
pub const ATTEMPT_MINUTES: i64 = 60;

#[derive(Clone, Serialize, Deserialize)]
pub struct StripeSecrets {
    pub secret_key: String,
    pub webhook_secret: String,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct TelrSecrets {
    pub auth_key: String,
    pub advice_secret: String,
}

#[derive(Clone, Serialize, Deserialize, Default)]
pub struct TelrSettings {
    pub store_id: String,
    pub test_mode: bool,
}

pub struct StripeConn {
    pub secrets: StripeSecrets,
    pub livemode: bool,
}

pub struct TelrConn {
    pub secrets: TelrSecrets,
    pub settings: TelrSettings,
}

impl TelrConn {
    pub fn credentials(&self) -> TelrCredentials {
        TelrCredentials {
            store_id: self.settings.store_id.clone(),
            auth_key: self.secrets.auth_key.clone(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PayError {
    #[error("not found")]
    NotFound,
    /// Said to the client as is.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for PayError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => PayError::NotFound,
            other => PayError::Internal(other.into()),
        }
    }
}

/// The providers with a Pay now button for this workspace, in a fixed order.
pub async fn connected_providers(
    state: &AppState,
    ws: WorkspaceId,
) -> Result<Vec<&'static str>, StoreError> {
    let rows = state.store.integrations(ws).await?;
    Ok(["stripe", "telr"]
        .into_iter()
        .filter(|p| rows.iter().any(|r| r.provider == *p))
        .collect())
}

pub async fn stripe_conn(
    state: &AppState,
    ws: WorkspaceId,
) -> Result<Option<StripeConn>, PayError> {
    let Some(row) = state.store.integration(ws, "stripe").await? else {
        return Ok(None);
    };
    let raw = vault::open(
        state.config.secret.bytes(),
        ws.get(),
        "stripe",
        &row.secrets_enc,
    )
    .map_err(|e| anyhow::anyhow!("stripe credentials: {e}"))?;
    let secrets: StripeSecrets = serde_json::from_slice(&raw)
        .map_err(|_| anyhow::anyhow!("stripe credentials unreadable"))?;
    Ok(Some(StripeConn {
        secrets,
        livemode: row.livemode != 0,
    }))
}

pub async fn telr_conn(state: &AppState, ws: WorkspaceId) -> Result<Option<TelrConn>, PayError> {
    let Some(row) = state.store.integration(ws, "telr").await? else {
        return Ok(None);
    };
    let raw = vault::open(
        state.config.secret.bytes(),
        ws.get(),
        "telr",
        &row.secrets_enc,
    )
    .map_err(|e| anyhow::anyhow!("telr credentials: {e}"))?;
    let secrets: TelrSecrets =
        serde_json::from_slice(&raw).map_err(|_| anyhow::anyhow!("telr credentials unreadable"))?;
    let settings: TelrSettings = serde_json::from_str(&row.settings).unwrap_or_default();
    Ok(Some(TelrConn { secrets, settings }))
}

/// Who pressed Pay now.
pub struct Payer<'a> {
    pub scope: ClientScope,
    pub contact_id: i64,
    pub email: &'a str,
    pub label: &'a str,
    pub ip: &'a str,
}

/// Starts (or resumes) paying an invoice with `provider`: its whole balance, or the
/// `requested` part where the workspace allows partial payments; answers the provider
/// page to send the browser to.
pub async fn start_payment(
    state: &AppState,
    payer: &Payer<'_>,
    invoice_id: i64,
    provider: &str,
    requested: &str,
) -> Result<String, PayError> {
    let scope = payer.scope;
    let ws = scope.workspace_id();
    let doc = state
        .store
        .portal_invoice(scope, invoice_id)
        .await?
        .ok_or(PayError::NotFound)?;
    let balance = doc.total_minor - doc.paid_minor;
    if doc.status == "paid" || balance <= 0 {
        return Err(PayError::Refused(format!(
            "Invoice {} is already paid; there is nothing to pay.",
            doc.number
        )));
    }
    let currency = Currency::parse(&doc.currency)
        .map_err(|_| PayError::Refused("This invoice's currency cannot be paid online.".into()))?;
    // The whole balance, or the part the client asked for where the workspace allows it.
    let amount = state
        .store
        .payment_policy(ws)
        .await?
        .amount(currency, balance, requested)
        .map_err(PayError::Refused)?;
    let now = state.clock.now_ms();
    let stripe = if provider == "stripe" {
        stripe_conn(state, ws).await?
    } else {
        None
    };
    let telr = if provider == "telr" {
        telr_conn(state, ws).await?
    } else {
        None
    };
    if stripe.is_none() && telr.is_none() {
        return Err(PayError::Refused(
            "Online payment is not available for this invoice. Please contact the team to pay."
                .into(),
        ));
    }
    if stripe.is_some() {
        stripe_amount(amount, currency).map_err(|e| {
            PayError::Refused(format!(
                "This invoice cannot be paid by card online: {e}. Please contact the team to pay."
            ))
        })?;
    }
    let livemode = match (&stripe, &telr) {
        (Some(s), _) => s.livemode,
        (_, Some(t)) => !t.settings.test_mode,
        _ => false,
    };

    // Reuse the open attempt when it is for the same provider and amount, and still fresh.
    let mut attempt = None;
    for _ in 0..2 {
        if let Some(open) = state.store.open_attempt(scope, invoice_id).await? {
            let reusable = open.provider == provider
                && open.amount_minor == amount
                && open.currency == doc.currency
                && open.expires_at > now + 5 * 60_000
                && open.livemode == i64::from(livemode)
                && (open.checkout_url.is_some() || provider == "stripe");
            if reusable {
                attempt = Some(open);
                break;
            }
            // Before replacing it: it may have been paid meanwhile (another tab), and its
            // Stripe session must not stay payable next to the new one.
            if let Ok(Confirmation::Recorded | Confirmation::AlreadyRecorded) =
                confirm_attempt(state, &open, "pay now").await
            {
                return Err(PayError::Refused(format!(
                    "A payment for invoice {} was just confirmed. Reload the invoice to see what is left to pay.",
                    doc.number
                )));
            }
            expire_stripe_session(state, &open).await?;
            state.store.close_attempt(open.id, "cancelled", now).await?;
        }
        let key = crate::crypto::random_token(24);
        match state
            .store
            .insert_attempt(
                &NewAttempt {
                    scope,
                    invoice_id,
                    contact_id: Some(payer.contact_id),
                    provider,
                    amount_minor: amount,
                    currency: &doc.currency,
                    idempotency_key: &key,
                    livemode,
                    expires_at: now + ATTEMPT_MINUTES * 60_000,
                },
                now,
            )
            .await
        {
            Ok(row) => {
                attempt = Some(row);
                break;
            }
            // Another tab opened one a moment ago: take that one on the next turn.
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    let attempt = attempt.ok_or_else(|| anyhow::anyhow!("no payment attempt after two tries"))?;
    if let Some(url) = &attempt.checkout_url {
        return Ok(url.clone());
    }
    let result = match (&stripe, &telr) {
        (Some(conn), _) => {
            create_stripe_session(state, conn, &attempt, &doc.number, payer, currency).await
        }
        (_, Some(conn)) => create_telr_order(state, conn, &attempt, &doc.number, currency).await,
        _ => Err(PayError::NotFound),
    };
    match result {
        Ok((session_id, url)) => {
            state
                .store
                .set_attempt_checkout(attempt.id, &session_id, &url, state.clock.now_ms())
                .await?;
            audit(
                state,
                ws,
                Actor::Contact(payer.contact_id),
                payer.label,
                "payment.started",
                &attempt,
                payer.ip,
                &format!(
                    "{} via {provider} for invoice {}",
                    Money::format_stored(attempt.amount_minor, &attempt.currency),
                    doc.number
                ),
            )
            .await;
            Ok(url)
        }
        Err(PayError::Provider(ProviderError::Refused(why))) => {
            state
                .store
                .close_attempt(attempt.id, "failed", state.clock.now_ms())
                .await?;
            tracing::warn!(attempt = attempt.id, provider, reason = %why, "provider refused a payment");
            Err(PayError::Refused(
                "The payment provider refused to start this payment. Please try again later or contact the team.".into(),
            ))
        }
        Err(e) => Err(e),
    }
}

/// Expires an attempt's Checkout Session so it can no longer be paid; true when Stripe
/// expired it (false for a Telr attempt, which has no such call, or when Stripe refused,
/// e.g. because the session was completed meanwhile).
async fn expire_stripe_session(state: &AppState, attempt: &AttemptRow) -> Result<bool, PayError> {
    let ws = WorkspaceId::from_db(attempt.workspace_id);
    let session = attempt
        .provider_session_id
        .as_deref()
        .filter(|_| attempt.provider == "stripe");
    let (Some(conn), Some(session)) = (stripe_conn(state, ws).await?, session) else {
        return Ok(false);
    };
    match provider::stripe_expire_session(&state.config, &conn.secrets.secret_key, session).await {
        Ok(()) => Ok(true),
        Err(e) => {
            tracing::warn!(attempt = attempt.id, error = %e, "an old Checkout Session could not be expired");
            Ok(false)
        }
    }
}

/// After money arrived another way (an offline payment) or the invoice was voided: an
/// open Stripe attempt for more than what is now left to pay is retired (its session
/// expired, the attempt cancelled), so the client cannot pay the old amount. When the
/// session cannot be expired (completed meanwhile) or the attempt is Telr's (no cancel
/// call), the attempt stays open for the return, the webhook or the reconciler, which
/// record what was paid; the next Pay now replaces it.
pub async fn retire_attempts_above_balance(state: &AppState, ws: WorkspaceId, invoice_id: i64) {
    let open = match open_attempt_above_balance(state, ws, invoice_id).await {
        Ok(Some(open)) => open,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %e, "open payment attempts could not be read");
            return;
        }
    };
    match expire_stripe_session(state, &open).await {
        Ok(true) => {
            if let Err(e) = state
                .store
                .close_attempt(open.id, "cancelled", state.clock.now_ms())
                .await
            {
                tracing::warn!(attempt = open.id, error = %e, "a retired attempt could not be closed");
            }
        }
        Ok(false) => {}
        Err(e) => tracing::warn!(attempt = open.id, error = %e, "an attempt could not be retired"),
    }
}

/// The invoice's open attempt when it asks for more than is left to pay (nothing is
/// left on a void invoice).
async fn open_attempt_above_balance(
    state: &AppState,
    ws: WorkspaceId,
    invoice_id: i64,
) -> Result<Option<AttemptRow>, StoreError> {
    let doc = state
        .store
        .staff_document(ws, DocKind::Invoice, invoice_id)
        .await?;
    let balance = if doc.status == "void" {
        0
    } else {
        (doc.total_minor - doc.paid_minor).max(0)
    };
    let scope = ClientScope::new(ws, ClientId::from_db(doc.client_id));
    Ok(state
        .store
        .open_attempt(scope, invoice_id)
        .await?
        .filter(|open| open.amount_minor > balance))
}

async fn create_stripe_session(
    state: &AppState,
    conn: &StripeConn,
    attempt: &AttemptRow,
    number: &str,
    payer: &Payer<'_>,
    currency: Currency,
) -> Result<(String, String), PayError> {
    let success = state.config.url(&format!(
        "/portal/pay/stripe/return?session_id={}",
        stripe::SESSION_ID_TEMPLATE
    ));
    let cancel = state.config.url(&format!(
        "/portal/invoices/{}?payment=cancelled",
        attempt.invoice_id
    ));
    let reference = attempt.id.to_string();
    let invoice = attempt.invoice_id.to_string();
    let client = attempt.client_id.to_string();
    let workspace = attempt.workspace_id.to_string();
    let metadata = [
        ("payment_attempt_id", reference.as_str()),
        ("invoice_id", invoice.as_str()),
        ("client_id", client.as_str()),
        ("workspace_id", workspace.as_str()),
    ];
    let name = format!("Invoice {number}");
    let email = (!payer.email.is_empty()).then_some(payer.email);
    let mut params = stripe::checkout_session_params(&stripe::CheckoutInvoice {
        product_name: &name,
        amount_minor: attempt.amount_minor,
        currency,
        success_url: &success,
        cancel_url: &cancel,
        client_reference_id: &reference,
        customer_email: email,
        metadata: &metadata,
    })
    .map_err(|e| PayError::Refused(format!("This invoice cannot be paid by card online: {e}.")))?;
    params.push(("expires_at".into(), (attempt.expires_at / 1000).to_string()));
    let session = provider::stripe_create_session(
        &state.config,
        &conn.secrets.secret_key,
        &attempt.idempotency_key,
        &params,
    )
    .await?;
    let url = session
        .url
        .clone()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .ok_or_else(|| ProviderError::Refused("Stripe answered without a checkout page".into()))?;
    if !provider::is_stripe_id(&session.id) {
        return Err(ProviderError::Refused("Stripe answered an odd session id".into()).into());
    }
    Ok((session.id, url))
}

/// The Telr cart id of an attempt: unique per attempt (C2).
pub fn telr_cart(attempt_id: i64) -> String {
    format!("portico-{attempt_id}")
}

fn telr_order<'a>(
    attempt: &AttemptRow,
    cart: &'a str,
    currency: Currency,
    desc: &'a str,
    ret: &'a str,
) -> CreateOrder<'a> {
    CreateOrder {
        cart_id: cart,
        test: attempt.livemode == 0,
        amount_minor: attempt.amount_minor,
        currency,
        description: desc,
        return_auth: ret,
        return_decl: ret,
        return_can: ret,
    }
}

async fn create_telr_order(
    state: &AppState,
    conn: &TelrConn,
    attempt: &AttemptRow,
    number: &str,
    currency: Currency,
) -> Result<(String, String), PayError> {
    let cart = telr_cart(attempt.id);
    let desc = format!("Invoice {number}");
    let ret = state
        .config
        .url(&format!("/portal/pay/telr/return/{}", attempt.id));
    let form = telr::create_request(
        &conn.credentials(),
        &telr_order(attempt, &cart, currency, &desc, &ret),
    )
    .map_err(|e| PayError::Refused(e.to_string()))?;
    let body = provider::telr_call(&state.config, &form).await?;
    let order_ref = body["order"]["ref"].as_str().unwrap_or("").to_string();
    let url = body["order"]["url"].as_str().unwrap_or("").to_string();
    if order_ref.is_empty() || !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(ProviderError::Refused("Telr answered without an order".into()).into());
    }
    Ok((order_ref, url))
}

/// What asking the provider about an attempt found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmation {
    /// Paid and recorded by this call.
    Recorded,
    /// Paid, and recorded before.
    AlreadyRecorded,
    /// Not paid yet.
    Pending,
    /// The provider says it will never be paid (expired, cancelled, declined).
    Closed,
    /// The provider's answer does not match what was asked for: nothing recorded.
    Mismatch(String),
    /// The provider is no longer connected.
    NotConnected,
}

/// Asks the provider about an attempt (with its stored references only) and records the
/// payment if, and only if, the provider confirms the exact amount, currency, attempt,
/// workspace and mode.
pub async fn confirm_attempt(
    state: &AppState,
    attempt: &AttemptRow,
    source: &str,
) -> Result<Confirmation, PayError> {
    if attempt.status == "succeeded" {
        return Ok(Confirmation::AlreadyRecorded);
    }
    let Some(session_id) = attempt.provider_session_id.clone() else {
        return Ok(Confirmation::Pending);
    };
    let ws = WorkspaceId::from_db(attempt.workspace_id);
    let currency = Currency::parse(&attempt.currency)
        .map_err(|_| anyhow::anyhow!("attempt {} has a bad currency", attempt.id))?;
    let verdict = match attempt.provider.as_str() {
        "stripe" => {
            let Some(conn) = stripe_conn(state, ws).await? else {
                return Ok(Confirmation::NotConnected);
            };
            let session =
                provider::stripe_session(&state.config, &conn.secrets.secret_key, &session_id)
                    .await?;
            stripe_verdict(attempt, &session_id, &session, currency)
        }
        "telr" => {
            let Some(conn) = telr_conn(state, ws).await? else {
                return Ok(Confirmation::NotConnected);
            };
            let form = telr::check_request(&conn.credentials(), &session_id)
                .map_err(|e| anyhow::anyhow!("telr check: {e}"))?;
            let body = provider::telr_call(&state.config, &form).await?;
            telr_verdict(attempt, &conn, &session_id, &body, currency)
        }
        _ => return Ok(Confirmation::NotConnected),
    };
    let now = state.clock.now_ms();
    match verdict {
        Verdict::Paid(provider_ref) => {
            match state
                .store
                .settle_attempt(ws, attempt.id, &provider_ref, now)
                .await?
            {
                Settlement::Recorded { payment_id, .. } => {
                    after_payment(state, attempt, payment_id, source).await;
                    Ok(Confirmation::Recorded)
                }
                Settlement::AlreadyRecorded => Ok(Confirmation::AlreadyRecorded),
            }
        }
        Verdict::Pending => Ok(Confirmation::Pending),
        Verdict::Closed(status) => {
            state.store.close_attempt(attempt.id, status, now).await?;
            Ok(Confirmation::Closed)
        }
        Verdict::Mismatch(why) => {
            state.store.close_attempt(attempt.id, "failed", now).await?;
            audit(
                state,
                ws,
                Actor::System,
                source,
                "payment.mismatch",
                attempt,
                "",
                &format!("not recorded: {why}"),
            )
            .await;
            tracing::warn!(attempt = attempt.id, reason = %why, "provider answer does not match the attempt");
            Ok(Confirmation::Mismatch(why))
        }
    }
}

enum Verdict {
    Paid(String),
    Pending,
    Closed(&'static str),
    Mismatch(String),
}

fn stripe_verdict(
    attempt: &AttemptRow,
    stored_id: &str,
    s: &StripeSession,
    currency: Currency,
) -> Verdict {
    let reference = attempt.id.to_string();
    if s.id != stored_id {
        return Verdict::Mismatch("the session id differs".into());
    }
    if s.client_reference_id.as_deref() != Some(reference.as_str())
        || s.metadata.get("payment_attempt_id") != Some(&reference)
    {
        return Verdict::Mismatch("the session belongs to another payment attempt".into());
    }
    if s.metadata.get("workspace_id") != Some(&attempt.workspace_id.to_string())
        || s.metadata.get("invoice_id") != Some(&attempt.invoice_id.to_string())
    {
        return Verdict::Mismatch("the session belongs to another invoice or workspace".into());
    }
    if s.livemode != (attempt.livemode != 0) {
        return Verdict::Mismatch("test and live mode differ".into());
    }
    let expected = stripe_amount(attempt.amount_minor, currency).ok();
    if s.currency.as_deref() != Some(stripe_currency(currency).as_str())
        || s.amount_total.is_none()
        || s.amount_total != expected
    {
        return Verdict::Mismatch(format!(
            "amount or currency differs (expected {} {})",
            expected.unwrap_or_default(),
            stripe_currency(currency)
        ));
    }
    match (s.status.as_str(), s.payment_status.as_str()) {
        ("complete", "paid") => {
            Verdict::Paid(s.payment_intent.clone().unwrap_or_else(|| s.id.clone()))
        }
        ("expired", _) => Verdict::Closed("expired"),
        _ => Verdict::Pending,
    }
}

fn telr_verdict(
    attempt: &AttemptRow,
    conn: &TelrConn,
    stored_ref: &str,
    body: &serde_json::Value,
    currency: Currency,
) -> Verdict {
    let order = &body["order"];
    if order["ref"].as_str() != Some(stored_ref) {
        return Verdict::Mismatch("the order reference differs".into());
    }
    let code = order["status"]["code"]
        .as_i64()
        .or_else(|| {
            order["status"]["code"]
                .as_str()
                .and_then(|s| s.parse().ok())
        })
        .unwrap_or(0);
    let test = match &order["test"] {
        serde_json::Value::Number(n) => n.as_i64() == Some(1),
        serde_json::Value::String(s) => s == "1",
        serde_json::Value::Bool(b) => *b,
        _ => false,
    };
    let cart = telr_cart(attempt.id);
    let checked = CheckedOrder {
        status_code: code,
        cart_id: order["cartid"].as_str().unwrap_or(""),
        amount: order["amount"].as_str().unwrap_or(""),
        currency: order["currency"].as_str().unwrap_or(""),
        test,
    };
    let sent = telr_order(attempt, &cart, currency, "", "");
    if test != conn.settings.test_mode {
        return Verdict::Mismatch("test and live mode differ".into());
    }
    match telr::confirm_paid(&checked, &sent) {
        Ok(()) => Verdict::Paid(
            order["transaction"]["ref"]
                .as_str()
                .filter(|r| !r.is_empty())
                .unwrap_or(stored_ref)
                .to_string(),
        ),
        Err(telr::NotPaid::Status(code)) => match telr::OrderStatus::from_code(code) {
            Some(telr::OrderStatus::Expired) => Verdict::Closed("expired"),
            Some(telr::OrderStatus::Cancelled) => Verdict::Closed("cancelled"),
            Some(telr::OrderStatus::Declined) => Verdict::Closed("failed"),
            _ => Verdict::Pending,
        },
        // Only a paid order reaches these (confirm_paid checks the status first).
        Err(e @ (telr::NotPaid::CartId | telr::NotPaid::Amount | telr::NotPaid::TestMode)) => {
            Verdict::Mismatch(e.to_string())
        }
    }
}

/// After this process recorded a payment: audit, receipt to the payer, notice to the team.
async fn after_payment(state: &AppState, attempt: &AttemptRow, payment: PaymentId, source: &str) {
    let ws = WorkspaceId::from_db(attempt.workspace_id);
    let notice = match state
        .store
        .payment_notice(ws, payment, attempt.contact_id)
        .await
    {
        Ok(n) => n,
        Err(e) => {
            tracing::error!(error = %e, "payment recorded but its notice could not be read");
            return;
        }
    };
    let amount = Money::format_stored(notice.amount_minor, &notice.currency);
    let balance_minor = notice.invoice_total_minor - notice.invoice_paid_minor;
    let balance = Money::format_stored(balance_minor.max(0), &notice.currency);
    audit(
        state,
        ws,
        Actor::System,
        source,
        "payment.succeeded",
        attempt,
        "",
        &format!(
            "{amount} via {} for invoice {} (confirmed on {source}); balance {balance}",
            notice.method, notice.invoice_number
        ),
    )
    .await;
    let business = state
        .store
        .business_profile(ws)
        .await
        .map(|p| p.display_name)
        .unwrap_or_default();
    let method = if notice.method == "telr" {
        "Telr"
    } else {
        "Stripe"
    };
    let invoice_link = state
        .config
        .url(&format!("/portal/invoices/{}", notice.invoice_id));
    let client_link = state
        .config
        .url(&format!("/staff/clients/{}", notice.client_id));
    if let Some(to) = notice.contact_email.as_deref().filter(|e| !e.is_empty()) {
        let mail = crate::mail::templates::PaymentMail {
            to,
            first_name: notice.contact_first_name.as_deref().unwrap_or(""),
            business: &business,
            client: &notice.client_name,
            method,
            amount: &amount,
            number: &notice.invoice_number,
            balance: &balance,
            balance_zero: balance_minor <= 0,
            link: &invoice_link,
        };
        match crate::mail::templates::payment_receipt(&mail) {
            Ok(m) => state.mail.enqueue(m),
            Err(e) => tracing::error!(error = %e, "receipt could not be rendered"),
        }
    }
    crate::invoicing::notify_if_overpaid(
        state,
        ws,
        notice.invoice_id,
        &notice.method,
        notice.amount_minor,
    )
    .await;
    let team = state.store.staff_recipients(ws).await.unwrap_or_default();
    for (_, email) in team {
        let mail = crate::mail::templates::PaymentMail {
            to: &email,
            first_name: "",
            business: &business,
            client: &notice.client_name,
            method,
            amount: &amount,
            number: &notice.invoice_number,
            balance: &balance,
            balance_zero: balance_minor <= 0,
            link: &client_link,
        };
        match crate::mail::templates::payment_received(&mail) {
            Ok(m) => state.mail.enqueue(m),
            Err(e) => tracing::error!(error = %e, "payment notice could not be rendered"),
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn audit(
    state: &AppState,
    ws: WorkspaceId,
    actor: Actor,
    label: &str,
    action: &str,
    attempt: &AttemptRow,
    ip: &str,
    detail: &str,
) {
    let entry = AuditEntry {
        actor,
        label,
        action,
        subject_kind: "invoice",
        subject_id: Some(attempt.invoice_id),
        client_id: Some(attempt.client_id),
        ip,
        detail,
    };
    if let Err(e) = state.store.audit(ws, &entry, state.clock.now_ms()).await {
        tracing::error!(error = %e, action, "audit entry could not be written");
    }
}

/// What one reconciler pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReconcileReport {
    pub checked: usize,
    pub recorded: usize,
    pub expired: usize,
}

/// Settles attempts left open (browser closed, webhook lost): asks the provider about
/// each, records what it confirms, and expires attempts past their time that it does
/// not. Called by the background task every minute; tests call it directly.
pub async fn reconcile_tick(state: &AppState) -> anyhow::Result<ReconcileReport> {
    let mut report = ReconcileReport::default();
    let now = state.clock.now_ms();
    for attempt in state.store.open_attempts(200).await? {
        report.checked += 1;
        let outcome = confirm_attempt(state, &attempt, "reconciler").await;
        match outcome {
            Ok(Confirmation::Recorded) => report.recorded += 1,
            Ok(Confirmation::Closed) => report.expired += 1,
            Ok(Confirmation::Pending | Confirmation::NotConnected) | Err(PayError::Provider(_)) => {
                if attempt.expires_at <= now
                    && state
                        .store
                        .close_attempt(attempt.id, "expired", now)
                        .await?
                {
                    report.expired += 1;
                }
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(attempt = attempt.id, error = %e, "reconciling an attempt failed")
            }
        }
    }
    Ok(report)
}

/// Runs [`reconcile_tick`] every minute.
pub fn spawn_reconciler(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = reconcile_tick(&state).await {
                tracing::warn!(error = %e, "payment reconciler failed");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(provider: &str, amount: i64, currency: &str) -> AttemptRow {
        AttemptRow {
            id: 77,
            workspace_id: 1,
            client_id: 2,
            invoice_id: 3,
            contact_id: None,
            provider: provider.into(),
            status: "open".into(),
            amount_minor: amount,
            currency: currency.into(),
            idempotency_key: "k".into(),
            provider_session_id: Some("cs_test_1".into()),
            provider_ref: None,
            livemode: 0,
            expires_at: 0,
            checkout_url: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn paid_session() -> StripeSession {
        StripeSession {
            id: "cs_test_1".into(),
            status: "complete".into(),
            payment_status: "paid".into(),
            amount_total: Some(12_340),
            currency: Some("kwd".into()),
            client_reference_id: Some("77".into()),
            metadata: [
                ("payment_attempt_id", "77"),
                ("invoice_id", "3"),
                ("workspace_id", "1"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            payment_intent: Some("pi_1".into()),
            ..StripeSession::default()
        }
    }

    fn verdict(s: &StripeSession) -> String {
        let kwd = Currency::parse("KWD").unwrap();
        match stripe_verdict(&attempt("stripe", 12_340, "KWD"), "cs_test_1", s, kwd) {
            Verdict::Paid(r) => format!("paid {r}"),
            Verdict::Pending => "pending".into(),
            Verdict::Closed(c) => c.into(),
            Verdict::Mismatch(_) => "mismatch".into(),
        }
    }

    #[test]
    fn a_stripe_session_counts_as_paid_only_when_everything_matches() {
        assert_eq!(verdict(&paid_session()), "paid pi_1");
        let changes: [fn(&mut StripeSession); 7] = [
            |s| s.amount_total = Some(12_350),
            |s| s.currency = Some("usd".into()),
            |s| s.client_reference_id = Some("78".into()),
            |s| {
                s.metadata.insert("workspace_id".into(), "9".into());
            },
            |s| {
                s.metadata.insert("invoice_id".into(), "4".into());
            },
            |s| s.livemode = true,
            |s| s.id = "cs_test_other".into(),
        ];
        for change in changes {
            let mut s = paid_session();
            change(&mut s);
            assert_eq!(verdict(&s), "mismatch");
        }
        let mut s = paid_session();
        s.payment_status = "unpaid".into();
        assert_eq!(verdict(&s), "pending");
        s.status = "expired".into();
        assert_eq!(verdict(&s), "expired");
    }

    #[test]
    fn a_telr_order_counts_as_paid_only_with_code_3_and_matching_details() {
        let conn = TelrConn {
            secrets: TelrSecrets {
                auth_key: "a".into(),
                advice_secret: "s".into(),
            },
            settings: TelrSettings {
                store_id: "15996".into(),
                test_mode: true,
            },
        };
        let aed = Currency::parse("AED").unwrap();
        let a = attempt("telr", 1_050, "AED");
        let body = |code: i64, cart: &str, amount: &str, test: i64| {
            serde_json::json!({"order": {"ref": "R1", "cartid": cart, "amount": amount, "currency": "AED",
                "test": test, "status": {"code": code}, "transaction": {"ref": "T1"}}})
        };
        let v = |b: serde_json::Value| match telr_verdict(&a, &conn, "R1", &b, aed) {
            Verdict::Paid(r) => format!("paid {r}"),
            Verdict::Pending => "pending".into(),
            Verdict::Closed(c) => c.into(),
            Verdict::Mismatch(_) => "mismatch".into(),
        };
        assert_eq!(v(body(3, "portico-77", "10.50", 1)), "paid T1");
        assert_eq!(v(body(3, "portico-78", "10.50", 1)), "mismatch");
        assert_eq!(v(body(3, "portico-77", "10.00", 1)), "mismatch");
        assert_eq!(v(body(3, "portico-77", "10.50", 0)), "mismatch");
        assert_eq!(v(body(1, "portico-77", "10.50", 1)), "pending");
        assert_eq!(v(body(-3, "portico-77", "10.50", 1)), "failed");
        assert_eq!(v(body(-1, "portico-77", "10.50", 1)), "expired");
    }
}
