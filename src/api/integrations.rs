//! `/api/v1/integrations`: connect Stripe and Telr, list and disconnect them, with
//! exactly the checks, sealing and audit entries of the back office's Apps & integrations
//! page. Answers carry key hints and the URLs to paste into the provider, never a secret.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::ApiCaller;
use super::error::{ApiError, ApiErrorBody, ApiResult};
use super::extract::{ApiJson, ApiPath};
use crate::app::AppState;
use crate::payments::integrations::{self, callback_url, ChangedBy, ConnectError, Connected};
use crate::store::audit::Actor;
use crate::web::ClientIp;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StripeConnect {
    /// A secret (`sk_test_…`, `sk_live_…`) or restricted (`rk_…`) key; checked with Stripe.
    pub secret_key: String,
    /// The webhook endpoint's signing secret (`whsec_…`).
    pub webhook_secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TelrConnect {
    /// The store id Telr gave the business (digits).
    pub store_id: String,
    /// The store's authentication key.
    pub auth_key: String,
    /// True for Telr's test mode.
    pub test_mode: bool,
    /// The transaction advice secret set in Telr's dashboard.
    pub advice_secret: String,
}

/// A connected provider: never its secrets.
#[derive(Debug, Serialize, ToSchema)]
pub struct Integration {
    /// `stripe` or `telr`.
    pub provider: String,
    /// The key's prefix and last four (Stripe) or the store id (Telr).
    pub key_hint: String,
    /// True when payments are live, false in test mode.
    pub livemode: bool,
    /// When it was connected (RFC 3339); absent in a connect answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connected_at: Option<String>,
    /// Stripe: the webhook endpoint URL to register in Stripe's dashboard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    /// Telr: the transaction advice URL to register in Telr's dashboard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advice_url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IntegrationList {
    /// The connected providers (none, one or both).
    pub data: Vec<Integration>,
}

fn shown(provider: &str, key_hint: String, livemode: bool, url: String) -> Integration {
    let (webhook_url, advice_url) = if provider == "stripe" {
        (Some(url), None)
    } else {
        (None, Some(url))
    };
    Integration {
        provider: provider.to_string(),
        key_hint,
        livemode,
        connected_at: None,
        webhook_url,
        advice_url,
    }
}

fn from_connected(c: Connected) -> Integration {
    shown(c.provider, c.key_hint, c.livemode, c.callback_url)
}

fn changed_by<'a>(caller: &'a ApiCaller, ip: &'a str) -> ChangedBy<'a> {
    ChangedBy {
        actor: Actor::Api(caller.token_id),
        label: &caller.label,
        ip,
        staff: None,
    }
}

impl From<ConnectError> for ApiError {
    fn from(e: ConnectError) -> Self {
        match e {
            ConnectError::Invalid { field, message } => ApiError::invalid(field, message),
            ConnectError::Unavailable(message) => ApiError::unavailable(message),
            ConnectError::Store(e) => e.into(),
            ConnectError::Internal(e) => ApiError::internal(e),
        }
    }
}

/// The connected payment providers, with key hints and callback URLs.
#[utoipa::path(get, path = "/api/v1/integrations", tag = "integrations",
    responses(
        (status = 200, description = "The connected providers", body = IntegrationList),
        (status = 401, description = "No valid token", body = ApiErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<IntegrationList>> {
    let ws = caller.workspace_id;
    let rows = state.store.integrations(ws).await?;
    let data = rows
        .into_iter()
        .map(|r| {
            let url = callback_url(&state, &r.provider, ws.get());
            let mut out = shown(&r.provider, r.key_hint, r.livemode != 0, url);
            out.connected_at = jiff::Timestamp::from_millisecond(r.connected_at)
                .ok()
                .map(|t| t.to_string());
            out
        })
        .collect();
    Ok(Json(IntegrationList { data }))
}

/// Connects Stripe (or replaces its keys). The key is checked by a live call to Stripe
/// first; nothing is saved unless it is accepted.
#[utoipa::path(put, path = "/api/v1/integrations/stripe", tag = "integrations",
    request_body = StripeConnect,
    responses(
        (status = 200, description = "Connected; register `webhook_url` in Stripe", body = Integration),
        (status = 400, description = "Not JSON, or unknown/missing fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 422, description = "A field is not valid, or Stripe refused the key", body = ApiErrorBody),
        (status = 503, description = "Stripe could not be reached; nothing saved", body = ApiErrorBody),
    ))]
pub async fn put_stripe(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<StripeConnect>,
) -> ApiResult<Json<Integration>> {
    let by = changed_by(&caller, &ip);
    let done = integrations::connect_stripe(
        &state,
        caller.workspace_id,
        &by,
        &body.secret_key,
        &body.webhook_secret,
    )
    .await?;
    Ok(Json(from_connected(done)))
}

/// Connects Telr (or replaces its credentials).
#[utoipa::path(put, path = "/api/v1/integrations/telr", tag = "integrations",
    request_body = TelrConnect,
    responses(
        (status = 200, description = "Connected; register `advice_url` in Telr", body = Integration),
        (status = 400, description = "Not JSON, or unknown/missing fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 422, description = "A field is not valid", body = ApiErrorBody),
    ))]
pub async fn put_telr(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<TelrConnect>,
) -> ApiResult<Json<Integration>> {
    let by = changed_by(&caller, &ip);
    let done = integrations::connect_telr(
        &state,
        caller.workspace_id,
        &by,
        &body.store_id,
        &body.auth_key,
        &body.advice_secret,
        body.test_mode,
    )
    .await?;
    Ok(Json(from_connected(done)))
}

/// Disconnects a provider: Pay now with it disappears from the portal at once.
#[utoipa::path(delete, path = "/api/v1/integrations/{provider}", tag = "integrations",
    params(("provider" = String, Path, description = "`stripe` or `telr`")),
    responses(
        (status = 204, description = "Disconnected"),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "Not a provider, or not connected", body = ApiErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(provider): ApiPath<String>,
) -> ApiResult<StatusCode> {
    remove(&state, &caller, &ip, &provider).await
}

async fn remove(
    state: &AppState,
    caller: &ApiCaller,
    ip: &str,
    provider: &str,
) -> ApiResult<StatusCode> {
    if !matches!(provider, "stripe" | "telr") {
        return Err(ApiError::not_found());
    }
    let by = changed_by(caller, ip);
    if integrations::disconnect(state, caller.workspace_id, &by, provider).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}

/// `DELETE /integrations/stripe` (the static route shares its path with the PUT).
pub async fn delete_stripe(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
) -> ApiResult<StatusCode> {
    remove(&state, &caller, &ip, "stripe").await
}

/// `DELETE /integrations/telr`.
pub async fn delete_telr(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
) -> ApiResult<StatusCode> {
    remove(&state, &caller, &ip, "telr").await
}
