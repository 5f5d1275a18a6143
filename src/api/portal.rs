//! `/api/v1/clients/{id}/portal`: switch a client's portal access and make a new link,
//! with the same effects as the back office's Client Portal section.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::ApiCaller;
use super::clients::{client_id, portal_url};
use super::error::{ApiError, ApiErrorBody, ApiResult};
use super::extract::{ApiJson, ApiPath};
use crate::app::AppState;
use crate::store::clients::ClientRow;
use crate::web::ClientIp;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalSwitch {
    pub enabled: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PortalAccess {
    pub enabled: bool,
    /// The link to share with the client's contacts while access is on.
    pub portal_url: Option<String>,
}

fn access(state: &AppState, row: &ClientRow) -> PortalAccess {
    PortalAccess {
        enabled: row.portal_on(),
        portal_url: portal_url(state, row),
    }
}

/// Turns portal access on or off. Off ends every open session and unused code of the
/// client at once and deletes nothing; on again restores the same link.
#[utoipa::path(put, path = "/api/v1/clients/{id}/portal", tag = "portal",
    params(("id" = String, Path, description = "Client id")),
    request_body = PortalSwitch,
    responses(
        (status = 200, description = "The portal's state", body = PortalAccess),
        (status = 400, description = "Not JSON, or unknown/missing fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such client in this workspace", body = ApiErrorBody),
        (status = 409, description = "The client is archived", body = ApiErrorBody),
    ))]
pub async fn set(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<PortalSwitch>,
) -> ApiResult<Json<PortalAccess>> {
    let id = client_id(&id)?;
    let client = state.store.client(caller.workspace_id, id).await?;
    if client.portal_on() == body.enabled {
        return Ok(Json(access(&state, &client)));
    }
    if body.enabled && client.archived_at.is_some() {
        return Err(ApiError::conflict(
            "This client is archived; its portal cannot be turned on.",
        ));
    }
    let now = state.clock.now_ms();
    let row = state
        .store
        .set_portal_access(caller.workspace_id, id, body.enabled, None, now)
        .await?;
    let action = if body.enabled {
        "portal.enabled"
    } else {
        "portal.disabled"
    };
    caller
        .audit(
            &state,
            &ip,
            action,
            ("client", id.get()),
            Some(id.get()),
            &row.name,
        )
        .await?;
    Ok(Json(access(&state, &row)))
}

/// Makes a new portal link; the old one stops working at once, with its sessions.
#[utoipa::path(post, path = "/api/v1/clients/{id}/portal/regenerate", tag = "portal",
    params(("id" = String, Path, description = "Client id")),
    responses(
        (status = 200, description = "The new link", body = PortalAccess),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such client in this workspace", body = ApiErrorBody),
        (status = 409, description = "Portal access is off", body = ApiErrorBody),
    ))]
pub async fn regenerate(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<PortalAccess>> {
    let id = client_id(&id)?;
    let client = state.store.client(caller.workspace_id, id).await?;
    if !client.portal_on() {
        return Err(ApiError::conflict(
            "Turn portal access on first; a link is only made while the portal is on.",
        ));
    }
    let now = state.clock.now_ms();
    let row = state
        .store
        .regenerate_portal_key(caller.workspace_id, id, now)
        .await?;
    caller
        .audit(
            &state,
            &ip,
            "portal.link_regenerated",
            ("client", id.get()),
            Some(id.get()),
            &row.name,
        )
        .await?;
    Ok(Json(access(&state, &row)))
}
