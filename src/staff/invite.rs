//! Accepting an invitation: the link from the email opens a form for a name and a
//! password; sending it creates the account (once: the link is then used up) and signs
//! the new member in. The token travels in the query string and the form body, never
//! in the path, so request logs (which record paths) never hold it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::password;
use crate::crypto::{random_token, token_hash};
use crate::domain::staff::{clean_name, invite_state, InviteState};
use crate::ids::WorkspaceId;
use crate::store::audit::{Actor, AuditEntry};
use crate::store::staff_admin::InviteRow;
use crate::store::StoreError;
use crate::web::cookies::{self, PRE_SESSION, STAFF_SESSION};
use crate::web::error::{error_page, AppResult};
use crate::web::extract::{Form, Query};
use crate::web::{csrf, ClientIp};

#[derive(Template)]
#[template(path = "staff/invite_accept.html")]
struct AcceptPage {
    csrf: String,
    token: String,
    business: String,
    email: String,
    name: String,
    error: Option<String>,
}

/// The answer for a link that is used, withdrawn, expired or unknown: the same for all,
/// so the page tells nothing about other people's invitations.
fn gone() -> Response {
    error_page(
        StatusCode::GONE,
        "This invitation cannot be used",
        "The link has expired, has been used already or was withdrawn. Ask whoever invited you to send a new invitation.",
    )
}

async fn open_invite(state: &AppState, token: &str) -> AppResult<Option<InviteRow>> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let row = state
        .store
        .staff_invite_by_token(&token_hash(token))
        .await?;
    let now = state.clock.now_ms();
    Ok(row.filter(|i| {
        invite_state(i.accepted_at, i.revoked_at, i.expires_at, now) == InviteState::Open
    }))
}

async fn render(
    state: &AppState,
    jar: CookieJar,
    token: &str,
    invite: &InviteRow,
    status: StatusCode,
    name: String,
    error: Option<String>,
) -> AppResult<Response> {
    let https = state.config.is_https();
    let (jar, pre) = match cookies::get(&jar, PRE_SESSION, https) {
        Some(v) => (jar, v),
        None => {
            let v = random_token(32);
            (jar.add(cookies::build(PRE_SESSION, v.clone(), https)), v)
        }
    };
    let business = state
        .store
        .business_profile(WorkspaceId::from_db(invite.workspace_id))
        .await?
        .display_name;
    let page = AcceptPage {
        csrf: csrf::token(state.config.secret.bytes(), &pre),
        token: token.to_string(),
        business,
        email: if invite.email.is_empty() {
            invite.email_norm.clone()
        } else {
            invite.email.clone()
        },
        name,
        error,
    };
    Ok((jar, (status, Html(page.render()?))).into_response())
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

pub async fn page(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(TokenQuery { token }): Query<TokenQuery>,
) -> AppResult<Response> {
    match open_invite(&state, &token).await? {
        Some(invite) => {
            render(
                &state,
                jar,
                &token,
                &invite,
                StatusCode::OK,
                String::new(),
                None,
            )
            .await
        }
        None => Ok(gone()),
    }
}

#[derive(Deserialize)]
pub struct AcceptForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

pub async fn accept(
    State(state): State<AppState>,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    Form(form): Form<AcceptForm>,
) -> AppResult<Response> {
    let token = form.token.clone();
    let https = state.config.is_https();
    let pre = cookies::get(&jar, PRE_SESSION, https).unwrap_or_default();
    csrf::verify(state.config.secret.bytes(), &pre, &form.csrf)?;
    let Some(invite) = open_invite(&state, &token).await? else {
        return Ok(gone());
    };
    let typed_name: String = form.name.chars().take(100).collect();
    let bad = |message: String| (StatusCode::UNPROCESSABLE_ENTITY, message);
    let checked = clean_name(&form.name).map_err(bad).and_then(|name| {
        if form.password != form.password_again {
            return Err(bad("Password: the two passwords are not the same.".into()));
        }
        password::hash(&form.password)
            .map(|hash| (name, hash))
            .map_err(|e| bad(format!("Password: {e}.")))
    });
    let (name, hash) = match checked {
        Ok(v) => v,
        Err((status, message)) => {
            return render(
                &state,
                jar,
                &token,
                &invite,
                status,
                typed_name,
                Some(message),
            )
            .await
        }
    };
    let now = state.clock.now_ms();
    let accepted = match state
        .store
        .accept_staff_invite(&token_hash(&token), &name, &hash, now)
        .await
    {
        Ok(Some(done)) => done,
        Ok(None) => return Ok(gone()),
        Err(StoreError::Conflict(_)) => {
            let message =
                "Email: this address already has a staff account; sign in with it instead.";
            return render(
                &state,
                jar,
                &token,
                &invite,
                StatusCode::CONFLICT,
                typed_name,
                Some(message.into()),
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    let (invite, staff_id) = accepted;
    let ws = WorkspaceId::from_db(invite.workspace_id);
    let Some(user) = state.store.staff_by_email(&invite.email_norm).await? else {
        return Ok(gone());
    };
    state.store.record_staff_login(user.id(), now).await?;
    let session = random_token(32);
    state
        .store
        .create_staff_session(&token_hash(&session), &user, &ip, now)
        .await?;
    let entry = AuditEntry {
        actor: Actor::Staff(staff_id.get()),
        label: &user.email,
        action: "staff.joined",
        subject_kind: "staff_user",
        subject_id: Some(staff_id.get()),
        client_id: None,
        ip: &ip,
        detail: &invite.role,
    };
    state.store.audit(ws, &entry, now).await?;
    let jar = jar
        .remove(cookies::removal(PRE_SESSION, https))
        .add(cookies::build(STAFF_SESSION, session, https));
    Ok((jar, Redirect::to("/staff/clients")).into_response())
}
