//! Bearer-token authentication. A token is looked up by its SHA-256 hash (a unique
//! index), the stored hash compared again in constant time, and its last use recorded
//! at most once a minute. Every refusal is the same 401 JSON answer apart from saying
//! whether a token was sent at all.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};

use super::error::ApiError;
use crate::app::AppState;
use crate::crypto::{constant_time_eq, token_hash};
use crate::domain::api_token;
use crate::ids::WorkspaceId;
use crate::store::api_tokens::TOUCH_EVERY_MS;
use crate::store::audit::{Actor, AuditEntry};

/// The token a request came with; everything it reads is scoped to this workspace.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub token_id: i64,
    pub workspace_id: WorkspaceId,
    pub label: String,
}

impl ApiCaller {
    /// Writes an audit entry for a change made through the API.
    pub async fn audit(
        &self,
        state: &AppState,
        ip: &str,
        action: &str,
        subject: (&str, i64),
        client_id: Option<i64>,
        detail: &str,
    ) -> Result<(), ApiError> {
        state
            .store
            .audit(
                self.workspace_id,
                &AuditEntry {
                    actor: Actor::Api(self.token_id),
                    label: &self.label,
                    action,
                    subject_kind: subject.0,
                    subject_id: Some(subject.1),
                    client_id,
                    ip,
                    detail,
                },
                state.clock.now_ms(),
            )
            .await?;
        Ok(())
    }
}

const MISSING: &str =
    "Send an API token in the Authorization header: `Authorization: Bearer <token>`.";
const INVALID: &str = "The API token is not valid: it is mistyped, revoked or unknown.";

/// The token in an `Authorization: Bearer …` header, if the header has that shape.
fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized(MISSING))?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::unauthorized(INVALID))?;
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or_else(|| ApiError::unauthorized(INVALID))?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::unauthorized(MISSING));
    }
    Ok(token.trim())
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts)?;
        if !api_token::well_formed(token) {
            return Err(ApiError::unauthorized(INVALID));
        }
        let hash = token_hash(token);
        let row = state
            .store
            .api_token_by_hash(&hash)
            .await?
            .filter(|row| row.revoked_at.is_none() && constant_time_eq(&row.token_hash, &hash))
            .ok_or_else(|| ApiError::unauthorized(INVALID))?;
        let now = state.clock.now_ms();
        if row.last_used_at.is_none_or(|at| now - at >= TOUCH_EVERY_MS) {
            state.store.touch_api_token(row.id, now).await?;
        }
        Ok(ApiCaller {
            token_id: row.id,
            workspace_id: WorkspaceId::from_db(row.workspace_id),
            label: format!("API token “{}”", row.name),
        })
    }
}
