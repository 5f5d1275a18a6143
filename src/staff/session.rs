//! The signed-in staff member, checked on every request.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;

use crate::app::AppState;
use crate::crypto::token_hash;
use crate::domain::staff::{session_expired, Role};
use crate::ids::{StaffUserId, WorkspaceId};
use crate::web::cookies::{self, STAFF_SESSION};
use crate::web::csrf;
use crate::web::error::AppError;

pub struct StaffUser {
    pub id: StaffUserId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub email: String,
    pub role: String,
    pub token: String,
    pub csrf: String,
    /// New requests in the workspace, shown beside the inbox link.
    pub new_requests: i64,
}

impl StaffUser {
    /// The member's role; an unknown stored value counts as the least privileged.
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Member)
    }

    /// Owners and admins.
    pub fn is_admin(&self) -> bool {
        self.role().is_admin()
    }

    pub fn is_owner(&self) -> bool {
        self.role() == Role::Owner
    }

    /// The one check for pages that change how the workspace runs (staff, settings,
    /// catalogue, integrations, API tokens): 403 for members, naming what they tried.
    pub fn require_admin(&self, what: &str) -> Result<(), AppError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "Only the workspace's owners and admins can manage {what}."
            )))
        }
    }

    pub fn check_csrf(&self, state: &AppState, submitted: &str) -> Result<(), AppError> {
        csrf::verify(state.config.secret.bytes(), &self.token, submitted)
    }

    /// Writes an audit event done by this staff member, now, in their workspace:
    /// `subject` is the kind and id of the record acted on.
    pub async fn audit(
        &self,
        state: &AppState,
        action: &str,
        subject: (&str, i64),
        client_id: Option<i64>,
        ip: &str,
        detail: &str,
    ) -> crate::store::StoreResult<()> {
        let entry = crate::store::audit::AuditEntry {
            actor: crate::store::audit::Actor::Staff(self.id.get()),
            label: &self.email,
            action,
            subject_kind: subject.0,
            subject_id: Some(subject.1),
            client_id,
            ip,
            detail,
        };
        state
            .store
            .audit(self.workspace_id, &entry, state.clock.now_ms())
            .await
    }
}

impl FromRequestParts<AppState> for StaffUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let https = state.config.is_https();
        let jar = CookieJar::from_headers(&parts.headers);
        let to_login = || Redirect::to("/staff/login").into_response();
        let Some(token) = cookies::get(&jar, STAFF_SESSION, https) else {
            return Err(to_login());
        };
        let hash = token_hash(&token);
        let row = state
            .store
            .staff_session(&hash)
            .await
            .map_err(|e| AppError::from(e).into_response())?;
        let Some(row) = row else {
            return Err(to_login());
        };
        let now = state.clock.now_ms();
        if row.revoked_at.is_some() {
            return Err(to_login());
        }
        let over = row.disabled_at.is_some()
            || session_expired(
                state.config.staff_session,
                row.created_at,
                row.last_seen_at,
                now,
            );
        if over {
            // Ended for good on the server: coming back later changes nothing.
            state
                .store
                .revoke_staff_session(&hash, now)
                .await
                .map_err(|e| AppError::from(e).into_response())?;
            return Err(to_login());
        }
        if now - row.last_seen_at >= 15_000 {
            state
                .store
                .touch_staff_session(&hash, now)
                .await
                .map_err(|e| AppError::from(e).into_response())?;
        }
        let workspace_id = WorkspaceId::from_db(row.workspace_id);
        let new_requests = state
            .store
            .new_request_count(workspace_id)
            .await
            .map_err(|e| AppError::from(e).into_response())?;
        Ok(StaffUser {
            id: StaffUserId::from_db(row.staff_user_id),
            new_requests,
            workspace_id,
            name: row.name,
            email: row.email,
            role: row.role,
            csrf: csrf::token(state.config.secret.bytes(), &token),
            token,
        })
    }
}
