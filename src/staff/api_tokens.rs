//! API tokens in the back office: owners and admins create a named token (shown once,
//! stored hashed), see when each was last used, and revoke one. Members get 403: a token
//! reaches every client of the workspace, which is more than a member may hand out.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::StaffUser;
use crate::app::AppState;
use crate::domain::api_token;
use crate::domain::records::display_instant;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{Form, Path, Query};
use crate::web::ClientIp;

pub struct TokenLine {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created: String,
    pub created_by: Option<String>,
    pub last_used: Option<String>,
    pub revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/api_tokens.html")]
struct TokensPage {
    user: StaffUser,
    api_base: String,
    tokens: Vec<TokenLine>,
    new_token: Option<String>,
    new_name: String,
    notice: Option<&'static str>,
    error: Option<String>,
    name_value: String,
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

#[derive(Deserialize)]
pub struct PageQuery {
    notice: Option<String>,
}

async fn render(
    state: &AppState,
    user: StaffUser,
    status: StatusCode,
    new_token: Option<(String, String)>,
    notice: Option<&'static str>,
    error: Option<(String, String)>,
) -> AppResult<Response> {
    let tz = state.store.workspace(user.workspace_id).await?.time_zone;
    let tokens = state
        .store
        .api_tokens(user.workspace_id)
        .await?
        .into_iter()
        .map(|t| TokenLine {
            id: t.id,
            name: t.name,
            prefix: t.token_prefix,
            created: display_instant(t.created_at, &tz),
            created_by: t.created_by_name,
            last_used: t.last_used_at.map(|ms| display_instant(ms, &tz)),
            revoked: t.revoked_at.map(|ms| display_instant(ms, &tz)),
        })
        .collect();
    let (new_token, new_name) = match new_token {
        Some((token, name)) => (Some(token), name),
        None => (None, String::new()),
    };
    let (error, name_value) = match error {
        Some((message, value)) => (Some(message), value),
        None => (None, String::new()),
    };
    let page = TokensPage {
        user,
        api_base: state.config.url("/api/v1"),
        tokens,
        new_token,
        new_name,
        notice,
        error,
        name_value,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    user: StaffUser,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    user.require_admin("API tokens")?;
    let notice = match q.notice.as_deref() {
        Some("revoked") => Some("Token revoked. Requests that use it are refused from now on."),
        _ => None,
    };
    render(&state, user, StatusCode::OK, None, notice, None).await
}

async fn audit(
    state: &AppState,
    user: &StaffUser,
    ip: &str,
    action: &str,
    token_id: i64,
    name: &str,
) -> AppResult<()> {
    user.audit(state, action, ("api_token", token_id), None, ip, name)
        .await?;
    Ok(())
}

/// Creates a token and shows it once, in this response only (never in a URL).
pub async fn create(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Form(form): Form<CreateForm>,
) -> AppResult<Response> {
    user.require_admin("API tokens")?;
    user.check_csrf(&state, &form.csrf)?;
    let name = match api_token::clean_name(&form.name) {
        Ok(n) => n,
        Err(message) => {
            let shown = form.name.chars().take(200).collect();
            return render(
                &state,
                user,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                None,
                Some((message, shown)),
            )
            .await;
        }
    };
    let (token, hash, prefix) = api_token::generate();
    let now = state.clock.now_ms();
    let id = state
        .store
        .create_api_token(user.workspace_id, &name, &hash, &prefix, Some(user.id), now)
        .await?;
    audit(&state, &user, &ip, "api_token.created", id, &name).await?;
    render(
        &state,
        user,
        StatusCode::OK,
        Some((token, name)),
        None,
        None,
    )
    .await
}

pub async fn revoke(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<RevokeForm>,
) -> AppResult<Response> {
    user.require_admin("API tokens")?;
    user.check_csrf(&state, &form.csrf)?;
    let id: i64 = id
        .parse()
        .ok()
        .filter(|v| *v > 0)
        .ok_or(AppError::NotFound)?;
    let now = state.clock.now_ms();
    let name = state
        .store
        .revoke_api_token(user.workspace_id, id, now)
        .await?;
    audit(&state, &user, &ip, "api_token.revoked", id, &name).await?;
    Ok(Redirect::to("/staff/api-tokens?notice=revoked").into_response())
}
