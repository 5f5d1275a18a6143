//! Sign-in pages: ask for an email, then for the code, then (for an address on record at
//! several clients) which client to open.

use crate::web::extract::Form;
use crate::web::extract::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::session::PortalSession;
use super::view::Brand;
use crate::app::AppState;
use crate::auth::portal_login::{self, CodeRequest, VerifyOutcome, VerifyRequest};
use crate::crypto::{random_token, token_hash};
use crate::domain::email::EmailAddress;
use crate::ids::{ClientId, WorkspaceId};
use crate::store::clients::ClientRow;
use crate::store::contacts::PortalChoice;
use crate::store::portal_auth::AttemptRow;
use crate::store::workspaces::WorkspaceRow;
use crate::web::cookies::{self, LOGIN_ATTEMPT, PORTAL_SESSION, PRE_SESSION};
use crate::web::error::{AppError, AppResult};
use crate::web::{csrf, user_agent, ClientIp};

#[derive(Template)]
#[template(path = "portal/login.html")]
struct LoginPage {
    brand: Brand,
    client_name: Option<String>,
    access_key: String,
    csrf: String,
    email: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/verify.html")]
struct VerifyPage {
    brand: Brand,
    email: String,
    minutes: i64,
    csrf: String,
    notice: Option<String>,
    error: Option<String>,
    back_url: String,
}

#[derive(Template)]
#[template(path = "portal/choose.html")]
struct ChoosePage {
    brand: Brand,
    csrf: String,
    choices: Vec<PortalChoice>,
}

/// The pre-session cookie that CSRF tokens on sign-in forms are bound to, made if absent.
fn pre_session(state: &AppState, jar: CookieJar) -> (CookieJar, String) {
    let https = state.config.is_https();
    match cookies::get(&jar, PRE_SESSION, https) {
        Some(value) => (jar, value),
        None => {
            let value = random_token(32);
            (
                jar.add(cookies::build(PRE_SESSION, value.clone(), https)),
                value,
            )
        }
    }
}

fn check_pre_csrf(state: &AppState, jar: &CookieJar, submitted: &str) -> AppResult<()> {
    let pre = cookies::get(jar, PRE_SESSION, state.config.is_https()).unwrap_or_default();
    csrf::verify(state.config.secret.bytes(), &pre, submitted)
}

async fn default_workspace(state: &AppState) -> AppResult<WorkspaceRow> {
    state
        .store
        .default_workspace()
        .await?
        .ok_or(AppError::NotFound)
}

async fn brand(state: &AppState, ws: WorkspaceId) -> AppResult<Brand> {
    Brand::load(state, ws, &state.store.business_profile(ws).await?).await
}

fn html(status: StatusCode, page: impl Template) -> AppResult<Response> {
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /portal`: sign in to the deployment's workspace, then choose a client if need be.
pub async fn workspace_login_page(
    State(state): State<AppState>,
    session: Option<PortalSession>,
    jar: CookieJar,
) -> AppResult<Response> {
    if let Some(s) = session {
        return Ok(Redirect::to(if s.client_id.is_some() {
            "/portal/home"
        } else {
            "/portal/choose"
        })
        .into_response());
    }
    let ws = default_workspace(&state).await?;
    let (jar, pre) = pre_session(&state, jar);
    let page = LoginPage {
        brand: brand(&state, ws.id()).await?,
        client_name: None,
        access_key: String::new(),
        csrf: csrf::token(state.config.secret.bytes(), &pre),
        email: String::new(),
        error: None,
    };
    Ok((jar, html(StatusCode::OK, page)?).into_response())
}

/// `GET /portal/{access_key}`: the client's own, branded sign-in page.
pub async fn client_login_page(
    State(state): State<AppState>,
    session: Option<PortalSession>,
    jar: CookieJar,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let client = state.store.client_by_access_key(&key).await?;
    // Already signed in to this client: straight to its home.
    if let (Some(s), Some(c)) = (&session, &client) {
        if s.client_id.map(|id| id.get()) == Some(c.id) {
            return Ok(Redirect::to("/portal/home").into_response());
        }
    }
    let Some(client) = client else {
        if let Some(clean) = clean_portal_link(&state, &key).await? {
            return Ok(clean);
        }
        return Ok(crate::web::error::error_page(
            StatusCode::NOT_FOUND,
            "This portal link is not active",
            "It may have been replaced or switched off. Ask the business that sent it for a new link, or sign in from the main portal page.",
        ));
    };
    let ws = WorkspaceId::from_db(client.workspace_id);
    let (jar, pre) = pre_session(&state, jar);
    let page = LoginPage {
        brand: brand(&state, ws).await?,
        client_name: Some(client.name.clone()),
        access_key: key,
        csrf: csrf::token(state.config.secret.bytes(), &pre),
        email: String::new(),
        error: None,
    };
    Ok((jar, html(StatusCode::OK, page)?).into_response())
}

/// Punctuation a mail client may take into a link that ends a sentence: `<key>.`,
/// `<key>),`, `<key>/`. Access keys are URL-safe base64, so none of it is ever part of one.
fn trim_link_punctuation(raw: &str) -> &str {
    raw.trim_end_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
}

/// A portal link with trailing punctuation answers a redirect to the clean link, but only
/// when the clean link is live; anything else stays the plain "not active" page.
async fn clean_portal_link(state: &AppState, raw: &str) -> AppResult<Option<Response>> {
    let trimmed = trim_link_punctuation(raw);
    if trimmed.is_empty() || trimmed.len() == raw.len() {
        return Ok(None);
    }
    if state.store.client_by_access_key(trimmed).await?.is_none() {
        return Ok(None);
    }
    Ok(Some(
        Redirect::to(&format!("/portal/{trimmed}")).into_response(),
    ))
}

/// `GET /portal/{access_key}/...`: a link with a trailing slash (and perhaps more
/// punctuation after it) goes to the clean link when that one is live.
pub async fn client_login_page_slashed(
    State(state): State<AppState>,
    Path(params): Path<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut raw = String::new();
    for (name, value) in &params {
        if name == "access_key" {
            raw.push_str(value);
        }
    }
    raw.push('/');
    for (name, value) in &params {
        if name == "rest" {
            raw.push_str(value);
        }
    }
    match clean_portal_link(&state, &raw).await? {
        Some(response) => Ok(response),
        None => Err(AppError::NotFound),
    }
}

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    access_key: String,
}

/// `POST /portal/login`: ask for a code. The answer is the same for every address.
pub async fn start(
    State(state): State<AppState>,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    Form(form): Form<StartForm>,
) -> AppResult<Response> {
    check_pre_csrf(&state, &jar, &form.csrf)?;
    let (ws, client) = if form.access_key.is_empty() {
        (default_workspace(&state).await?, None)
    } else {
        let client = state
            .store
            .client_by_access_key(&form.access_key)
            .await?
            .ok_or_else(|| {
                AppError::BadRequest(
                    "This portal link is no longer active. Ask the business for a new link.".into(),
                )
            })?;
        (
            state
                .store
                .workspace(WorkspaceId::from_db(client.workspace_id))
                .await?,
            Some(client),
        )
    };
    let email = match EmailAddress::parse(&form.email) {
        Ok(email) => email,
        Err(problem) => {
            let (jar, pre) = pre_session(&state, jar);
            let page = LoginPage {
                brand: brand(&state, ws.id()).await?,
                client_name: client.as_ref().map(|c| c.name.clone()),
                access_key: form.access_key,
                csrf: csrf::token(state.config.secret.bytes(), &pre),
                email: form.email.chars().take(254).collect(),
                error: Some(format!("Email address: {problem}.")),
            };
            return Ok((jar, html(StatusCode::UNPROCESSABLE_ENTITY, page)?).into_response());
        }
    };
    let https = state.config.is_https();
    let outcome = portal_login::request_code(
        &state,
        &CodeRequest {
            workspace: &ws,
            client: client.as_ref(),
            email: &email,
            ip: &ip,
        },
    )
    .await?;
    if outcome.cooldown_secs.is_some() {
        // A code went out moments ago. If this browser holds the attempt it belongs to,
        // keep it so that code still works.
        if let Some(current) = current_attempt(&state, &jar).await? {
            if current.email_norm == email.normalised()
                && current.consumed_at.is_none()
                && current.voided_at.is_none()
            {
                return Ok(Redirect::to("/portal/verify?sent=recent").into_response());
            }
        }
    }
    let jar = jar.add(cookies::build(LOGIN_ATTEMPT, outcome.attempt_token, https));
    Ok((jar, Redirect::to("/portal/verify")).into_response())
}

async fn current_attempt(state: &AppState, jar: &CookieJar) -> AppResult<Option<AttemptRow>> {
    match cookies::get(jar, LOGIN_ATTEMPT, state.config.is_https()) {
        Some(token) => Ok(state.store.login_attempt(&token_hash(&token)).await?),
        None => Ok(None),
    }
}

/// Where "use a different address" goes: the workspace sign-in page. Not the client's
/// link: the attempt may outlive that link (regenerated), and must not reveal the new one.
fn login_url_for(_attempt: &AttemptRow) -> String {
    "/portal".to_string()
}

#[derive(Deserialize)]
pub struct VerifyQuery {
    sent: Option<String>,
    wait: Option<i64>,
}

async fn render_verify(
    state: &AppState,
    jar: CookieJar,
    attempt: &AttemptRow,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let (jar, pre) = pre_session(state, jar);
    let page = VerifyPage {
        brand: brand(state, WorkspaceId::from_db(attempt.workspace_id)).await?,
        email: attempt.email_norm.clone(),
        minutes: portal_login::code_minutes(),
        csrf: csrf::token(state.config.secret.bytes(), &pre),
        notice,
        error,
        back_url: login_url_for(attempt),
    };
    Ok((jar, html(status, page)?).into_response())
}

/// `GET /portal/verify`: the code form for this browser's attempt.
pub async fn verify_page(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<VerifyQuery>,
) -> AppResult<Response> {
    let Some(attempt) = current_attempt(&state, &jar).await? else {
        return Ok(Redirect::to("/portal").into_response());
    };
    let notice = match (q.sent.as_deref(), q.wait) {
        (Some("recent"), _) => {
            Some("We sent a code moments ago; use the one in that email.".to_string())
        }
        (_, Some(secs)) if (1..=60).contains(&secs) => Some(format!(
            "A code was sent moments ago. You can ask for another in {secs} seconds."
        )),
        _ => None,
    };
    render_verify(&state, jar, &attempt, StatusCode::OK, notice, None).await
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    code: String,
}

/// `POST /portal/verify`: check the code; on success a brand-new session begins.
pub async fn verify(
    State(state): State<AppState>,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    check_pre_csrf(&state, &jar, &form.csrf)?;
    let https = state.config.is_https();
    let Some(token) = cookies::get(&jar, LOGIN_ATTEMPT, https) else {
        return Ok(Redirect::to("/portal").into_response());
    };
    let Some(attempt) = state.store.login_attempt(&token_hash(&token)).await? else {
        return Ok(Redirect::to("/portal").into_response());
    };
    let ua = user_agent(&headers);
    let outcome = portal_login::verify_code(
        &state,
        &VerifyRequest {
            attempt_token: &token,
            code_input: &form.code,
            ip: &ip,
            user_agent: &ua,
        },
    )
    .await?;
    match outcome {
        VerifyOutcome::LoggedIn {
            session_token,
            client,
        } => {
            let jar = jar
                .remove(cookies::removal(LOGIN_ATTEMPT, https))
                .remove(cookies::removal(PRE_SESSION, https))
                .add(cookies::build(PORTAL_SESSION, session_token, https));
            let to = if client.is_some() {
                "/portal/home"
            } else {
                "/portal/choose"
            };
            Ok((jar, Redirect::to(to)).into_response())
        }
        VerifyOutcome::Rejected => {
            let msg = "That code is not right, or it is no longer valid. Check the newest email from us, or ask for a new code.";
            render_verify(
                &state,
                jar,
                &attempt,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(msg.into()),
            )
            .await
        }
        VerifyOutcome::Throttled => {
            let msg =
                "Too many wrong codes. For your security, please wait an hour before trying again.";
            render_verify(
                &state,
                jar,
                &attempt,
                StatusCode::TOO_MANY_REQUESTS,
                None,
                Some(msg.into()),
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// `POST /portal/resend`: a new code for the same address (and the same client link).
pub async fn resend(
    State(state): State<AppState>,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    check_pre_csrf(&state, &jar, &form.csrf)?;
    let Some(attempt) = current_attempt(&state, &jar).await? else {
        return Ok(Redirect::to("/portal").into_response());
    };
    let ws = state
        .store
        .workspace(WorkspaceId::from_db(attempt.workspace_id))
        .await?;
    let client: Option<ClientRow> = match attempt.client_id {
        Some(id) => state
            .store
            .client(ws.id(), ClientId::from_db(id))
            .await
            .ok(),
        None => None,
    };
    let Ok(email) = EmailAddress::parse(&attempt.email_norm) else {
        return Ok(Redirect::to("/portal").into_response());
    };
    let outcome = portal_login::request_code(
        &state,
        &CodeRequest {
            workspace: &ws,
            client: client.as_ref(),
            email: &email,
            ip: &ip,
        },
    )
    .await?;
    if let Some(wait) = outcome.cooldown_secs {
        return Ok(Redirect::to(&format!("/portal/verify?wait={wait}")).into_response());
    }
    let jar = jar.add(cookies::build(
        LOGIN_ATTEMPT,
        outcome.attempt_token,
        state.config.is_https(),
    ));
    Ok((jar, Redirect::to("/portal/verify")).into_response())
}

/// `GET /portal/choose`: pick one of the clients this address may open.
pub async fn choose_page(
    State(state): State<AppState>,
    session: PortalSession,
) -> AppResult<Response> {
    let choices = state
        .store
        .portal_choices(session.workspace_id, &session.email_norm, None)
        .await?;
    // Signed in to a client and nothing else to switch to: home.
    if session.client_id.is_some() && choices.len() < 2 {
        return Ok(Redirect::to("/portal/home").into_response());
    }
    let page = ChoosePage {
        brand: brand(&state, session.workspace_id).await?,
        csrf: session.csrf,
        choices,
    };
    html(StatusCode::OK, page)
}

#[derive(Deserialize)]
pub struct ChooseForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    client_id: String,
}

pub async fn choose(
    State(state): State<AppState>,
    jar: CookieJar,
    session: PortalSession,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<ChooseForm>,
) -> AppResult<Response> {
    csrf::verify(state.config.secret.bytes(), &session.token, &form.csrf)?;
    let client: ClientId = form
        .client_id
        .parse()
        .map_err(|_| AppError::BadRequest("Choose one of the accounts listed.".into()))?;
    let ua = user_agent(&headers);
    let new_token = portal_login::choose_client(
        &state,
        &session.token,
        session.workspace_id,
        &session.email_norm,
        client,
        &ip,
        &ua,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let jar = jar.add(cookies::build(
        PORTAL_SESSION,
        new_token,
        state.config.is_https(),
    ));
    Ok((jar, Redirect::to("/portal/home")).into_response())
}

/// `POST /portal/logout`: ends the session on the server and clears the browser.
pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    session: PortalSession,
    ClientIp(ip): ClientIp,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    csrf::verify(state.config.secret.bytes(), &session.token, &form.csrf)?;
    portal_login::logout(
        &state,
        &session.token,
        session.workspace_id,
        &session.email_norm,
        session.client_id.map(ClientId::get),
        &ip,
    )
    .await?;
    let back = match session.client_id {
        Some(id) => match state.store.client(session.workspace_id, id).await {
            Ok(row) if row.portal_on() => row
                .portal_access_key
                .map(|k| format!("/portal/{k}"))
                .unwrap_or_else(|| "/portal".into()),
            _ => "/portal".into(),
        },
        None => "/portal".into(),
    };
    // Only the portal's own cookie goes, and the cache: Clear-Site-Data's "cookies"
    // would also sign the same browser out of the back office (and, on a shared domain,
    // out of the business's other sites).
    let jar = jar.remove(cookies::removal(PORTAL_SESSION, state.config.is_https()));
    Ok((
        jar,
        [
            (header::CACHE_CONTROL, "no-store"),
            (
                header::HeaderName::from_static("clear-site-data"),
                "\"cache\"",
            ),
        ],
        Redirect::to(&back),
    )
        .into_response())
}
