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
use crate::payments::integrations::{self, ChangedBy, ConnectError};
use crate::store::audit::Actor;
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

pub use crate::payments::integrations::callback_url;

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
    user.require_admin("apps and integrations")?;
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

fn changed_by<'a>(user: &'a StaffUser, ip: &'a str) -> ChangedBy<'a> {
    ChangedBy {
        actor: Actor::Staff(user.id.get()),
        label: &user.email,
        ip,
        staff: Some(user.id),
    }
}

/// The page again with the problem, or an internal error.
async fn refused(state: &AppState, user: StaffUser, e: ConnectError) -> AppResult<Response> {
    match e {
        ConnectError::Invalid { message, .. } | ConnectError::Unavailable(message) => {
            render(state, user, None, Some(message), StatusCode::BAD_REQUEST).await
        }
        ConnectError::Store(e) => Err(e.into()),
        ConnectError::Internal(e) => Err(AppError::Internal(anyhow::anyhow!(e))),
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

pub async fn connect_stripe(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Form(form): Form<StripeForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    user.require_admin("apps and integrations")?;
    let by = changed_by(&user, &ip);
    let done = integrations::connect_stripe(
        &state,
        user.workspace_id,
        &by,
        &form.secret_key,
        &form.webhook_secret,
    )
    .await;
    if let Err(e) = done {
        return refused(&state, user, e).await;
    }
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
    user.require_admin("apps and integrations")?;
    let by = changed_by(&user, &ip);
    let done = integrations::connect_telr(
        &state,
        user.workspace_id,
        &by,
        &form.store_id,
        &form.auth_key,
        &form.advice_secret,
        form.test_mode == "1",
    )
    .await;
    if let Err(e) = done {
        return refused(&state, user, e).await;
    }
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
    user.require_admin("apps and integrations")?;
    integrations::disconnect(state, user.workspace_id, &changed_by(user, ip), provider).await?;
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
