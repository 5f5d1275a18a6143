//! Apps & integrations (owners and admins only): connect Stripe (key checked by a live
//! call before saving) and Telr; credentials sealed at rest and shown afterwards only as
//! a hint; each connection shows the URL to paste into the provider's dashboard.
//! Disconnecting removes Pay now at once (the portal reads connections per request).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::StaffUser;
use crate::app::AppState;
use crate::domain::records::display_instant;
use crate::payments::provider::{self, ProviderError};
use crate::payments::service::{StripeSecrets, TelrSecrets, TelrSettings};
use crate::payments::vault;
use crate::store::audit::{Actor, AuditEntry};
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{Form, Query};
use crate::web::ClientIp;

pub struct Connection {
    pub hint: String,
    pub mode: &'static str,
    pub since: String,
    pub callback_url: String,
}

#[derive(Template)]
#[template(path = "staff/integrations.html")]
struct IntegrationsPage {
    user: StaffUser,
    stripe: Option<Connection>,
    telr: Option<Connection>,
    stripe_url: String,
    telr_url: String,
    notice: Option<&'static str>,
    error: Option<String>,
}

fn require_admin(user: &StaffUser) -> Result<(), AppError> {
    if matches!(user.role.as_str(), "owner" | "admin") {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only the workspace's owners and admins can manage apps and integrations.".into(),
        ))
    }
}

/// The URL a provider calls for this workspace.
pub fn callback_url(state: &AppState, provider: &str, ws: i64) -> String {
    state.config.url(&format!("/webhooks/{provider}/{ws}"))
}

#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    done: String,
}

pub async fn page(
    State(state): State<AppState>,
    user: StaffUser,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    require_admin(&user)?;
    let notice = match q.done.as_str() {
        "stripe" => Some("Stripe is connected. Pay now appears on your clients' open invoices."),
        "telr" => Some("Telr is connected. Pay now appears on your clients' open invoices."),
        "disconnected" => Some("Disconnected. Pay now with that provider is gone from the portal."),
        _ => None,
    };
    render(&state, user, notice, None, StatusCode::OK).await
}

async fn render(
    state: &AppState,
    user: StaffUser,
    notice: Option<&'static str>,
    error: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let ws = user.workspace_id;
    let tz = state.store.workspace(ws).await?.time_zone;
    let rows = state.store.integrations(ws).await?;
    let conn = |provider: &str| {
        rows.iter()
            .find(|r| r.provider == provider)
            .map(|r| Connection {
                hint: r.key_hint.clone(),
                mode: if r.livemode != 0 {
                    "live mode"
                } else {
                    "test mode"
                },
                since: display_instant(r.connected_at, &tz),
                callback_url: callback_url(state, provider, ws.get()),
            })
    };
    let view = IntegrationsPage {
        stripe: conn("stripe"),
        telr: conn("telr"),
        stripe_url: callback_url(state, "stripe", ws.get()),
        telr_url: callback_url(state, "telr", ws.get()),
        notice,
        error,
        user,
    };
    Ok((status, Html(view.render()?)).into_response())
}

async fn audit(state: &AppState, user: &StaffUser, ip: &str, action: &str, detail: &str) {
    let entry = AuditEntry {
        actor: Actor::Staff(user.id.get()),
        label: &user.email,
        action,
        subject_kind: "integration",
        subject_id: None,
        client_id: None,
        ip,
        detail,
    };
    if let Err(e) = state
        .store
        .audit(user.workspace_id, &entry, state.clock.now_ms())
        .await
    {
        tracing::error!(error = %e, "audit entry could not be written");
    }
}

#[derive(Deserialize)]
pub struct StripeForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    secret_key: String,
    #[serde(default)]
    webhook_secret: String,
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.len() <= 255 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

pub async fn connect_stripe(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Form(form): Form<StripeForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    require_admin(&user)?;
    let key = form.secret_key.trim();
    let whsec = form.webhook_secret.trim();
    let live = key.starts_with("sk_live_") || key.starts_with("rk_live_");
    let test = key.starts_with("sk_test_") || key.starts_with("rk_test_");
    let problem = if !(live || test) || !is_token(key) {
        Some("The key must be a Stripe secret key (sk_test_… or sk_live_…) or restricted key (rk_…). Publishable keys (pk_…) cannot take payments.".to_string())
    } else if !whsec.starts_with("whsec_") || !is_token(whsec) {
        Some("The webhook signing secret starts with whsec_ — copy it from the webhook endpoint in Stripe's dashboard.".to_string())
    } else {
        match provider::stripe_check_key(&state.config, key).await {
            Ok(()) => None,
            Err(ProviderError::Refused(_)) => Some("Stripe did not accept this key. Check that it is current and, for a restricted key, that it may read the balance and write Checkout Sessions.".to_string()),
            Err(ProviderError::Unavailable(_)) => Some("Stripe could not be reached to check the key. Nothing was saved; try again in a moment.".to_string()),
        }
    };
    if let Some(problem) = problem {
        return render(&state, user, None, Some(problem), StatusCode::BAD_REQUEST).await;
    }
    let secrets = serde_json::to_vec(&StripeSecrets {
        secret_key: key.to_string(),
        webhook_secret: whsec.to_string(),
    })
    .map_err(|e| AppError::Internal(e.into()))?;
    let sealed = vault::seal(
        state.config.secret.bytes(),
        user.workspace_id.get(),
        "stripe",
        &secrets,
    )
    .map_err(|e| AppError::Internal(e.into()))?;
    let hint = vault::key_hint(key);
    state
        .store
        .save_integration(
            user.workspace_id,
            "stripe",
            &sealed,
            &hint,
            "{}",
            live,
            Some(user.id),
            state.clock.now_ms(),
        )
        .await?;
    audit(
        &state,
        &user,
        &ip,
        "integration.connected",
        &format!("Stripe connected with {hint}"),
    )
    .await;
    Ok(Redirect::to("/staff/integrations?done=stripe").into_response())
}

#[derive(Deserialize)]
pub struct TelrForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    store_id: String,
    #[serde(default)]
    auth_key: String,
    #[serde(default)]
    advice_secret: String,
    #[serde(default)]
    test_mode: String,
}

pub async fn connect_telr(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Form(form): Form<TelrForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    require_admin(&user)?;
    let store_id = form.store_id.trim();
    let auth_key = form.auth_key.trim();
    let advice = form.advice_secret.trim();
    let problem = if store_id.is_empty()
        || store_id.len() > 20
        || !store_id.bytes().all(|b| b.is_ascii_digit())
    {
        Some("The store id is the number Telr gave your store, digits only.")
    } else if auth_key.is_empty() || auth_key.len() > 255 || auth_key.chars().any(char::is_control)
    {
        Some("Paste the store's authentication key from Telr's Merchant Administration System.")
    } else if advice.is_empty() || advice.len() > 255 || advice.chars().any(char::is_control) {
        Some(
            "Paste the transaction advice secret you set in Telr's Merchant Administration System.",
        )
    } else {
        None
    };
    if let Some(problem) = problem {
        return render(
            &state,
            user,
            None,
            Some(problem.to_string()),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let test_mode = form.test_mode == "1";
    let secrets = serde_json::to_vec(&TelrSecrets {
        auth_key: auth_key.to_string(),
        advice_secret: advice.to_string(),
    })
    .map_err(|e| AppError::Internal(e.into()))?;
    let settings = serde_json::to_string(&TelrSettings {
        store_id: store_id.to_string(),
        test_mode,
    })
    .map_err(|e| AppError::Internal(e.into()))?;
    let sealed = vault::seal(
        state.config.secret.bytes(),
        user.workspace_id.get(),
        "telr",
        &secrets,
    )
    .map_err(|e| AppError::Internal(e.into()))?;
    state
        .store
        .save_integration(
            user.workspace_id,
            "telr",
            &sealed,
            store_id,
            &settings,
            !test_mode,
            Some(user.id),
            state.clock.now_ms(),
        )
        .await?;
    audit(
        &state,
        &user,
        &ip,
        "integration.connected",
        &format!("Telr store {store_id} connected"),
    )
    .await;
    Ok(Redirect::to("/staff/integrations?done=telr").into_response())
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn disconnect(
    state: &AppState,
    user: &StaffUser,
    ip: &str,
    csrf: &str,
    provider: &str,
) -> AppResult<Response> {
    user.check_csrf(state, csrf)?;
    require_admin(user)?;
    if state
        .store
        .delete_integration(user.workspace_id, provider)
        .await?
    {
        audit(
            state,
            user,
            ip,
            "integration.disconnected",
            &format!("{provider} disconnected"),
        )
        .await;
    }
    Ok(Redirect::to("/staff/integrations?done=disconnected").into_response())
}

pub async fn disconnect_stripe(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Form(form): Form<CsrfOnly>,
) -> AppResult<Response> {
    disconnect(&state, &user, &ip, &form.csrf, "stripe").await
}

pub async fn disconnect_telr(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Form(form): Form<CsrfOnly>,
) -> AppResult<Response> {
    disconnect(&state, &user, &ip, &form.csrf, "telr").await
}
