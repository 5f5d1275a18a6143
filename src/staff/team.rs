//! Staff management (owners and admins): the list of staff, invitations by email, role
//! changes and disabling. The rules live in `domain::staff`; the store applies them
//! inside a transaction so the last owner can never be demoted or disabled.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::StaffUser;
use crate::app::AppState;
use crate::crypto::{random_token, token_hash};
use crate::domain::email::EmailAddress;
use crate::domain::records::display_instant;
use crate::domain::staff::{check_invite, invite_state, InviteState, Role, INVITE_HOURS, ROLES};
use crate::store::StoreError;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{Form, Path, Query};
use crate::web::ClientIp;

const WHAT: &str = "staff";

pub struct MemberLine {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub role_key: &'static str,
    pub disabled: bool,
    pub last_login: Option<String>,
    pub is_me: bool,
}

pub struct InviteLine {
    pub id: i64,
    pub email: String,
    pub role: &'static str,
    pub expires: String,
    pub expired: bool,
}

pub struct RoleOption {
    pub key: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "staff/team.html")]
struct TeamPage {
    user: StaffUser,
    members: Vec<MemberLine>,
    invites: Vec<InviteLine>,
    roles: Vec<RoleOption>,
    notice: Option<&'static str>,
    error: Option<String>,
    email_value: String,
}

#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    done: String,
}

fn notice_for(done: &str) -> Option<&'static str> {
    match done {
        "invited" => Some("Invitation sent. The link in it works once and expires in 72 hours."),
        "role" => Some("Role changed."),
        "disabled" => Some("Disabled. Their sessions have ended; they can no longer sign in."),
        "enabled" => Some("Enabled again. They can sign in with their password."),
        "withdrawn" => Some("Invitation withdrawn. Its link no longer works."),
        _ => None,
    }
}

async fn render(
    state: &AppState,
    user: StaffUser,
    status: StatusCode,
    notice: Option<&'static str>,
    error: Option<(String, String)>,
) -> AppResult<Response> {
    let ws = user.workspace_id;
    let tz = state.store.workspace(ws).await?.time_zone;
    let now = state.clock.now_ms();
    let members = state
        .store
        .staff_members(ws)
        .await?
        .into_iter()
        .map(|m| {
            let role = Role::parse(&m.role).unwrap_or(Role::Member);
            MemberLine {
                is_me: m.id == user.id.get(),
                id: m.id,
                name: m.name,
                email: m.email,
                role: role.label(),
                role_key: role.as_str(),
                disabled: m.disabled_at.is_some(),
                last_login: m.last_login_at.map(|ms| display_instant(ms, &tz)),
            }
        })
        .collect();
    let invites = state
        .store
        .open_staff_invites(ws)
        .await?
        .into_iter()
        .map(|i| InviteLine {
            id: i.id,
            expired: invite_state(i.accepted_at, i.revoked_at, i.expires_at, now)
                == InviteState::Expired,
            email: if i.email.is_empty() {
                i.email_norm
            } else {
                i.email
            },
            role: Role::parse(&i.role).unwrap_or(Role::Member).label(),
            expires: display_instant(i.expires_at, &tz),
        })
        .collect();
    let roles = ROLES
        .iter()
        .filter(|r| user.is_owner() || **r != Role::Owner)
        .map(|r| RoleOption {
            key: r.as_str(),
            label: r.label(),
        })
        .collect();
    let (error, email_value) = match error {
        Some((e, v)) => (Some(e), v),
        None => (None, String::new()),
    };
    let page = TeamPage {
        user,
        members,
        invites,
        roles,
        notice,
        error,
        email_value,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    user: StaffUser,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    user.require_admin(WHAT)?;
    render(&state, user, StatusCode::OK, notice_for(&q.done), None).await
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

/// The page again with a problem, keeping what was typed.
async fn refused(
    state: &AppState,
    user: StaffUser,
    status: StatusCode,
    message: String,
    typed: &str,
) -> AppResult<Response> {
    let shown = typed.chars().take(254).collect();
    render(state, user, status, None, Some((message, shown))).await
}

pub async fn invite(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Form(form): Form<InviteForm>,
) -> AppResult<Response> {
    user.require_admin(WHAT)?;
    user.check_csrf(&state, &form.csrf)?;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let email = match EmailAddress::parse(&form.email) {
        Ok(e) => e,
        Err(e) => {
            return refused(
                &state,
                user,
                unprocessable,
                format!("Email: {e}."),
                &form.email,
            )
            .await
        }
    };
    let Some(role) = Role::parse(&form.role) else {
        let message = "Role: choose owner, admin or member.".to_string();
        return refused(&state, user, unprocessable, message, &form.email).await;
    };
    if let Err(e) = check_invite(user.role(), role) {
        return refused(
            &state,
            user,
            StatusCode::FORBIDDEN,
            e.to_string(),
            &form.email,
        )
        .await;
    }
    let token = random_token(32);
    let now = state.clock.now_ms();
    let expires = now + INVITE_HOURS * 3_600_000;
    let ws = user.workspace_id;
    let created = state
        .store
        .create_staff_invite(ws, &email, role, &token_hash(&token), user.id, expires, now)
        .await;
    let id = match created {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => {
            let message = "Email: this address already belongs to a staff account.".to_string();
            return refused(&state, user, StatusCode::CONFLICT, message, &form.email).await;
        }
        Err(e) => return Err(e.into()),
    };
    let business = state.store.business_profile(ws).await?.display_name;
    // In the query, not the path: request logs record paths.
    let link = state.config.url(&format!("/staff/invite?token={token}"));
    let mail = crate::mail::templates::staff_invite(
        email.as_str(),
        &user.name,
        &business,
        role.as_str(),
        &link,
        INVITE_HOURS,
    )?;
    state.mail.enqueue(mail);
    let detail = format!("{} as {role}", email.as_str());
    user.audit(
        &state,
        "staff.invited",
        ("staff_invite", id),
        None,
        &ip,
        &detail,
    )
    .await?;
    Ok(Redirect::to("/staff/team?done=invited").into_response())
}

fn parse_id(raw: &str) -> AppResult<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or(AppError::NotFound)
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    role: String,
}

pub async fn change_role(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<RoleForm>,
) -> AppResult<Response> {
    user.require_admin(WHAT)?;
    user.check_csrf(&state, &form.csrf)?;
    let id = parse_id(&id)?;
    let Some(to) = Role::parse(&form.role) else {
        return Err(AppError::BadRequest(
            "Role: choose owner, admin or member.".into(),
        ));
    };
    let now = state.clock.now_ms();
    let changed = state
        .store
        .change_staff_role(user.workspace_id, user.id, id, to, now)
        .await?;
    let before = changed.map_err(|e| AppError::Forbidden(e.to_string()))?;
    let detail = format!("{}: {} → {to}", before.email, before.role);
    user.audit(
        &state,
        "staff.role_changed",
        ("staff_user", id),
        None,
        &ip,
        &detail,
    )
    .await?;
    Ok(Redirect::to("/staff/team?done=role").into_response())
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn set_disabled(
    state: &AppState,
    user: &StaffUser,
    ip: &str,
    id: &str,
    csrf: &str,
    disable: bool,
) -> AppResult<Response> {
    user.require_admin(WHAT)?;
    user.check_csrf(state, csrf)?;
    let id = parse_id(id)?;
    let now = state.clock.now_ms();
    let done = state
        .store
        .set_staff_disabled(user.workspace_id, user.id, id, disable, now)
        .await?;
    let member = done.map_err(|e| AppError::Forbidden(e.to_string()))?;
    let action = if disable {
        "staff.disabled"
    } else {
        "staff.enabled"
    };
    user.audit(state, action, ("staff_user", id), None, ip, &member.email)
        .await?;
    let to = if disable {
        "/staff/team?done=disabled"
    } else {
        "/staff/team?done=enabled"
    };
    Ok(Redirect::to(to).into_response())
}

pub async fn disable(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    set_disabled(&state, &user, &ip, &id, &form.csrf, true).await
}

pub async fn enable(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    set_disabled(&state, &user, &ip, &id, &form.csrf, false).await
}

pub async fn withdraw_invite(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    user.require_admin(WHAT)?;
    user.check_csrf(&state, &form.csrf)?;
    let id = parse_id(&id)?;
    let now = state.clock.now_ms();
    let invite = state
        .store
        .revoke_staff_invite(user.workspace_id, id, now)
        .await?;
    user.audit(
        &state,
        "staff.invite_withdrawn",
        ("staff_invite", id),
        None,
        &ip,
        &invite.email_norm,
    )
    .await?;
    Ok(Redirect::to("/staff/team?done=withdrawn").into_response())
}
