//! `/api/v1/clients`: list (search, portal and kind filters, cursor pages), get, create,
//! update, archive. Validation is the back office's (`domain::client_form`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::ApiCaller;
use super::error::{ApiError, ApiErrorBody, ApiResult};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::paging::{finish, PageParams};
use crate::app::AppState;
use crate::domain::client_form::{validate_client, validate_new_client, ClientInput};
use crate::ids::ClientId;
use crate::store::clients::{ClientChanges, ClientFilter, ClientRow};
use crate::web::ClientIp;

/// A client: a company or an individual.
#[derive(Debug, Serialize, ToSchema)]
pub struct Client {
    /// Ids are decimal strings (they exceed what a JSON number holds exactly).
    #[schema(example = "7301234567890123")]
    pub id: String,
    #[schema(example = "company")]
    pub kind: String,
    pub name: String,
    pub phone: String,
    pub billing_address: String,
    pub site_address: String,
    pub portal_enabled: bool,
    /// The client's portal link while access is on.
    pub portal_url: Option<String>,
    /// When the client was archived (milliseconds since the Unix epoch, UTC).
    pub archived_at: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClientPage {
    pub data: Vec<Client>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

pub fn portal_url(state: &AppState, row: &ClientRow) -> Option<String> {
    row.portal_access_key
        .as_ref()
        // An archived client's link no longer opens (the portal skips archived clients).
        .filter(|_| row.portal_on() && row.archived_at.is_none())
        .map(|k| state.config.url(&format!("/portal/{k}")))
}

pub fn to_api(state: &AppState, row: ClientRow) -> Client {
    Client {
        id: row.id.to_string(),
        portal_enabled: row.portal_on(),
        portal_url: portal_url(state, &row),
        kind: row.kind,
        name: row.name,
        phone: row.phone,
        billing_address: row.billing_address,
        site_address: row.site_address,
        archived_at: row.archived_at,
    }
}

pub fn client_id(raw: &str) -> ApiResult<ClientId> {
    raw.parse().map_err(|_| ApiError::not_found())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClientListQuery {
    /// Part of the name, any case.
    pub q: Option<String>,
    /// `on` or `off`: only clients whose portal access is so.
    #[param(inline, value_type = Option<PortalFilter>)]
    pub portal: Option<String>,
    /// `company` or `individual`.
    #[param(inline, value_type = Option<KindFilter>)]
    pub kind: Option<String>,
    /// How many records per page, 1 to 200 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page; omit for the first page.
    pub cursor: Option<String>,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum PortalFilter {
    On,
    Off,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum KindFilter {
    Company,
    Individual,
}

/// List live clients, newest first.
#[utoipa::path(get, path = "/api/v1/clients", tag = "clients",
    params(ClientListQuery),
    responses(
        (status = 200, description = "A page of clients", body = ClientPage),
        (status = 400, description = "The query string cannot be read", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 422, description = "A bad filter, limit or cursor", body = ApiErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ClientListQuery>,
) -> ApiResult<Json<ClientPage>> {
    let page = PageParams {
        limit: query.limit.clone(),
        cursor: query.cursor.clone(),
    }
    .page()?;
    let portal = match query.portal.as_deref() {
        None | Some("") => None,
        Some("on") => Some(true),
        Some("off") => Some(false),
        Some(_) => return Err(ApiError::invalid("portal", "portal: `on` or `off`.")),
    };
    let kind = match query.kind.as_deref() {
        None | Some("") => None,
        Some(k @ ("company" | "individual")) => Some(k),
        Some(_) => {
            return Err(ApiError::invalid(
                "kind",
                "kind: `company` or `individual`.",
            ))
        }
    };
    let search: String = query.q.as_deref().unwrap_or("").chars().take(100).collect();
    let rows = state
        .store
        .clients_page(
            caller.workspace_id,
            &ClientFilter {
                search: &search,
                portal,
                kind,
            },
            page.after,
            page.limit + 1,
        )
        .await?;
    let (rows, next_cursor) = finish(rows, page, |r| r.id);
    Ok(Json(ClientPage {
        data: rows.into_iter().map(|r| to_api(&state, r)).collect(),
        next_cursor,
    }))
}

/// One client, archived or not.
#[utoipa::path(get, path = "/api/v1/clients/{id}", tag = "clients",
    params(("id" = String, Path, description = "Client id")),
    responses(
        (status = 200, description = "The client", body = Client),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such client in this workspace", body = ApiErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Client>> {
    let row = state
        .store
        .client(caller.workspace_id, client_id(&id)?)
        .await?;
    Ok(Json(to_api(&state, row)))
}

/// A new client. An individual is also its own contact (with `email`, optional).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClientBody {
    #[schema(value_type = KindFilter, example = "company")]
    pub kind: String,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub billing_address: String,
    #[serde(default)]
    pub site_address: String,
    /// Individuals only: the person's email.
    #[serde(default)]
    pub email: String,
}

#[utoipa::path(post, path = "/api/v1/clients", tag = "clients",
    request_body = NewClientBody,
    responses(
        (status = 201, description = "Created", body = Client),
        (status = 400, description = "Not JSON, or unknown/missing fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 422, description = "A field is not valid; nothing was stored", body = ApiErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<NewClientBody>,
) -> ApiResult<(StatusCode, Json<Client>)> {
    let valid = validate_new_client(&ClientInput {
        kind: body.kind,
        name: body.name,
        phone: body.phone,
        billing_address: body.billing_address,
        site_address: body.site_address,
        email: body.email,
    })
    .map_err(ApiError::validation)?;
    let now = state.clock.now_ms();
    let id = state
        .store
        .create_client_checked(caller.workspace_id, &valid, now)
        .await?;
    caller
        .audit(
            &state,
            &ip,
            "client.created",
            ("client", id.get()),
            Some(id.get()),
            &valid.name,
        )
        .await?;
    let row = state.store.client(caller.workspace_id, id).await?;
    Ok((StatusCode::CREATED, Json(to_api(&state, row))))
}

/// Changes to a client; fields left out keep their value. The kind cannot change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientPatch {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub billing_address: Option<String>,
    pub site_address: Option<String>,
}

#[utoipa::path(patch, path = "/api/v1/clients/{id}", tag = "clients",
    params(("id" = String, Path, description = "Client id")),
    request_body = ClientPatch,
    responses(
        (status = 200, description = "Updated", body = Client),
        (status = 400, description = "Not JSON, or unknown fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such client in this workspace", body = ApiErrorBody),
        (status = 422, description = "A field is not valid; nothing was changed", body = ApiErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<ClientPatch>,
) -> ApiResult<Json<Client>> {
    let id = client_id(&id)?;
    let old = state.store.client(caller.workspace_id, id).await?;
    // Validated as a company so an individual's contact (changed on its own) is not
    // re-derived from the name.
    let valid = validate_client(&ClientInput {
        kind: "company".into(),
        name: patch.name.unwrap_or(old.name),
        phone: patch.phone.unwrap_or(old.phone),
        billing_address: patch.billing_address.unwrap_or(old.billing_address),
        site_address: patch.site_address.unwrap_or(old.site_address),
        email: String::new(),
    })
    .map_err(ApiError::validation)?;
    let now = state.clock.now_ms();
    let row = state
        .store
        .update_client(
            caller.workspace_id,
            id,
            &ClientChanges {
                name: &valid.name,
                phone: &valid.phone,
                billing_address: &valid.billing_address,
                site_address: &valid.site_address,
            },
            now,
        )
        .await?;
    caller
        .audit(
            &state,
            &ip,
            "client.updated",
            ("client", id.get()),
            Some(id.get()),
            &valid.name,
        )
        .await?;
    Ok(Json(to_api(&state, row)))
}

/// Archives a client: hidden from lists, portal sessions end, nothing is deleted.
#[utoipa::path(post, path = "/api/v1/clients/{id}/archive", tag = "clients",
    params(("id" = String, Path, description = "Client id")),
    responses(
        (status = 200, description = "Archived", body = Client),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such client in this workspace", body = ApiErrorBody),
    ))]
pub async fn archive(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Client>> {
    set_archived(&state, &caller, &ip, &id, true).await
}

/// Brings an archived client back: listed again, and its portal link works again if
/// access is on (sessions ended by the archiving stay ended).
#[utoipa::path(post, path = "/api/v1/clients/{id}/unarchive", tag = "clients",
    params(("id" = String, Path, description = "Client id")),
    responses(
        (status = 200, description = "Brought back", body = Client),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such client in this workspace", body = ApiErrorBody),
    ))]
pub async fn unarchive(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Client>> {
    set_archived(&state, &caller, &ip, &id, false).await
}

/// Archives a client or brings it back, and writes which to the audit log.
async fn set_archived(
    state: &AppState,
    caller: &ApiCaller,
    ip: &str,
    id: &str,
    archived: bool,
) -> ApiResult<Json<Client>> {
    let id = client_id(id)?;
    let now = state.clock.now_ms();
    let (row, action) = if archived {
        let row = state
            .store
            .archive_client(caller.workspace_id, id, now)
            .await?;
        (row, "client.archived")
    } else {
        let row = state
            .store
            .unarchive_client(caller.workspace_id, id, now)
            .await?;
        (row, "client.unarchived")
    };
    caller
        .audit(
            state,
            ip,
            action,
            ("client", id.get()),
            Some(id.get()),
            &row.name,
        )
        .await?;
    Ok(Json(to_api(state, row)))
}
