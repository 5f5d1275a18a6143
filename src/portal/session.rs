//! The signed-in contact, checked on every request: the session must be live, within its
//! idle and absolute limits, its client's portal on, and its contact unchanged. Anything
//! else sends the browser back to sign in.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;

use crate::app::AppState;
use crate::crypto::token_hash;
use crate::domain::portal_login::{check_session, SessionState};
use crate::ids::{ClientId, ContactId, WorkspaceId};
use crate::store::client_view::ViewStamp;
use crate::store::portal_auth::SessionRow;
use crate::store::ClientScope;
use crate::web::cookies::{self, PORTAL_SESSION};
use crate::web::csrf;
use crate::web::error::AppError;

/// Sessions are marked as seen at most this often (a write per request is waste).
const TOUCH_EVERY_MS: i64 = 15_000;

/// A live session, possibly still choosing its client.
pub struct PortalSession {
    pub token: String,
    pub workspace_id: WorkspaceId,
    pub email_norm: String,
    pub client_id: Option<ClientId>,
    pub contact_id: Option<ContactId>,
    pub first_name: String,
    pub contact_name: String,
    /// The chosen client's name (empty before one is chosen).
    pub client_name: String,
    /// How many clients the address may switch between.
    pub choices: i64,
    /// The chosen client's portal revision (see `store::client_view`).
    pub portal_rev: i64,
    pub csrf: String,
}

/// A live session with a client chosen: what every portal page needs.
pub struct PortalUser {
    pub session: PortalSession,
    pub scope: ClientScope,
    pub contact_id: ContactId,
}

impl PortalUser {
    /// When this request reads its client's records: the revision read with the
    /// session, the workspace's date and now.
    pub fn stamp<'a>(&self, today: &'a str, now: jiff::Timestamp) -> ViewStamp<'a> {
        ViewStamp {
            rev: self.session.portal_rev,
            today,
            now_ms: now.as_millisecond(),
        }
    }
}

fn to_login(jar: CookieJar, https: bool) -> Response {
    (
        jar.remove(cookies::removal(PORTAL_SESSION, https)),
        Redirect::to("/portal"),
    )
        .into_response()
}

fn session_state(row: &SessionRow) -> SessionState {
    let ts = |ms: i64| jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    SessionState {
        created_at: ts(row.created_at),
        last_seen_at: ts(row.last_seen_at),
        revoked: row.revoked_at.is_some(),
        idle_minutes: row.idle_minutes,
        absolute_minutes: row.absolute_minutes,
        client_open: row.client_open.map(|v| v == 1),
        contact_matches: row.contact_matches.map(|v| v == 1),
    }
}

impl FromRequestParts<AppState> for PortalSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let https = state.config.is_https();
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = cookies::get(&jar, PORTAL_SESSION, https) else {
            return Err(to_login(jar, https));
        };
        let hash = token_hash(&token);
        let row = state
            .store
            .portal_session(&hash)
            .await
            .map_err(|e| AppError::from(e).into_response())?;
        let Some(row) = row else {
            return Err(to_login(jar, https));
        };
        let now_ms = state.clock.now_ms();
        if let Err(end) = check_session(&session_state(&row), state.clock.now()) {
            if row.revoked_at.is_none() {
                state
                    .store
                    .revoke_portal_session(&hash, now_ms)
                    .await
                    .map_err(|e| AppError::from(e).into_response())?;
                tracing::info!(reason = end.as_str(), "portal session ended");
            }
            return Err(to_login(jar, https));
        }
        if now_ms - row.last_seen_at >= TOUCH_EVERY_MS {
            state
                .store
                .touch_portal_session(&hash, now_ms)
                .await
                .map_err(|e| AppError::from(e).into_response())?;
        }
        Ok(PortalSession {
            csrf: csrf::token(state.config.secret.bytes(), &token),
            token,
            workspace_id: WorkspaceId::from_db(row.workspace_id),
            email_norm: row.email_norm,
            client_id: row.client_id.map(ClientId::from_db),
            contact_id: row.contact_id.map(ContactId::from_db),
            first_name: row.first_name.unwrap_or_default(),
            contact_name: row
                .contact_name
                .map(|n| n.trim().to_string())
                .unwrap_or_default(),
            client_name: row.client_name.unwrap_or_default(),
            choices: row.choices,
            portal_rev: row.portal_rev,
        })
    }
}

impl FromRequestParts<AppState> for PortalUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let session =
            <PortalSession as FromRequestParts<AppState>>::from_request_parts(parts, state).await?;
        match (session.client_id, session.contact_id) {
            (Some(client), Some(contact)) => Ok(PortalUser {
                scope: ClientScope::new(session.workspace_id, client),
                contact_id: contact,
                session,
            }),
            _ => Err(Redirect::to("/portal/choose").into_response()),
        }
    }
}

/// `Option<PortalSession>`: `None` instead of a redirect when nobody is signed in, for
/// pages that anyone may see (the sign-in pages send a signed-in contact home instead).
impl OptionalFromRequestParts<AppState> for PortalSession {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(
            <PortalSession as FromRequestParts<AppState>>::from_request_parts(parts, state)
                .await
                .ok(),
        )
    }
}
