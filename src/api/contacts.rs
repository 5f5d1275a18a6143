//! `/api/v1/clients/{id}/contacts`: a client's people. Emails are validated and
//! normalised as in the back office; the same address twice in one client is a 409.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::ApiCaller;
use super::clients::client_id;
use super::error::{ApiError, ApiErrorBody, ApiResult};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::paging::{finish, PageParams};
use crate::app::AppState;
use crate::domain::client_form::{validate_contact, ContactInput, ValidContact};
use crate::ids::{ClientId, ContactId, WorkspaceId};
use crate::store::contacts::{ContactRow, NewContact};
use crate::store::StoreError;
use crate::web::ClientIp;

#[derive(Debug, Serialize, ToSchema)]
pub struct Contact {
    pub id: String,
    pub client_id: String,
    pub first_name: String,
    pub last_name: String,
    /// As typed (trimmed); matched case-insensitively.
    pub email: Option<String>,
    pub phone: String,
    pub role: String,
    pub is_primary: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactPage {
    pub data: Vec<Contact>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

fn to_api(row: ContactRow) -> Contact {
    Contact {
        id: row.id.to_string(),
        client_id: row.client_id.to_string(),
        first_name: row.first_name,
        last_name: row.last_name,
        email: row.email,
        phone: row.phone,
        role: row.role,
        is_primary: row.is_primary != 0,
    }
}

/// The contact `contact` if it belongs to `client` of this workspace; 404 otherwise.
async fn contact_of(
    state: &AppState,
    ws: WorkspaceId,
    client: ClientId,
    contact: &str,
) -> ApiResult<ContactRow> {
    let id: ContactId = contact.parse().map_err(|_| ApiError::not_found())?;
    let row = state.store.contact(ws, id).await?;
    if row.client_id != client.get() {
        return Err(ApiError::not_found());
    }
    Ok(row)
}

/// A unique-email violation is the client's duplicate address; the rest as usual.
fn duplicate(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(_) => {
            ApiError::conflict("email: another contact of this client already has this address.")
                .with_field("email")
        }
        other => other.into(),
    }
}

fn new_contact(valid: &ValidContact, is_primary: bool) -> NewContact<'_> {
    NewContact {
        first_name: &valid.first_name,
        last_name: &valid.last_name,
        email: valid.email.as_ref(),
        phone: &valid.phone,
        role: &valid.role,
        is_primary,
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactListQuery {
    /// How many records per page, 1 to 200 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page; omit for the first page.
    pub cursor: Option<String>,
}

/// A client's contacts, oldest first.
#[utoipa::path(get, path = "/api/v1/clients/{id}/contacts", tag = "contacts",
    params(("id" = String, Path, description = "Client id"), ContactListQuery),
    responses(
        (status = 200, description = "A page of contacts", body = ContactPage),
        (status = 400, description = "The query string cannot be read", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such client in this workspace", body = ApiErrorBody),
        (status = 422, description = "A bad limit or cursor", body = ApiErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ContactListQuery>,
) -> ApiResult<Json<ContactPage>> {
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor,
    }
    .page()?;
    let client = client_id(&id)?;
    state.store.client(caller.workspace_id, client).await?;
    let rows = state
        .store
        .contacts_page(caller.workspace_id, client, page.after, page.limit + 1)
        .await?;
    let (rows, next_cursor) = finish(rows, page, |r| r.id);
    Ok(Json(ContactPage {
        data: rows.into_iter().map(to_api).collect(),
        next_cursor,
    }))
}

/// One contact of a client.
#[utoipa::path(get, path = "/api/v1/clients/{id}/contacts/{contact_id}", tag = "contacts",
    params(("id" = String, Path, description = "Client id"),
           ("contact_id" = String, Path, description = "Contact id")),
    responses(
        (status = 200, description = "The contact", body = Contact),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such contact of this client", body = ApiErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath((id, contact)): ApiPath<(String, String)>,
) -> ApiResult<Json<Contact>> {
    let client = client_id(&id)?;
    let row = contact_of(&state, caller.workspace_id, client, &contact).await?;
    Ok(Json(to_api(row)))
}

/// A new contact. Only `first_name` is required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContactBody {
    #[schema(min_length = 1, max_length = 100)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub role: String,
}

#[utoipa::path(post, path = "/api/v1/clients/{id}/contacts", tag = "contacts",
    params(("id" = String, Path, description = "Client id")),
    request_body = NewContactBody,
    responses(
        (status = 201, description = "Created", body = Contact),
        (status = 400, description = "Not JSON, or unknown/missing fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such client in this workspace", body = ApiErrorBody),
        (status = 409, description = "Another contact of this client has this email", body = ApiErrorBody),
        (status = 422, description = "A field is not valid, or the client is an individual (one person, no other contacts); nothing was stored", body = ApiErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<NewContactBody>,
) -> ApiResult<(StatusCode, Json<Contact>)> {
    let client = client_id(&id)?;
    let row = state.store.client(caller.workspace_id, client).await?;
    // An individual client is one person, their own contact (SPEC §2).
    if row.kind == "individual" {
        return Err(ApiError::invalid(
            "client_id",
            "client_id: an individual client is one person and has no other contacts; add contacts to a company.",
        ));
    }
    let valid = validate_contact(&ContactInput {
        first_name: body.first_name,
        last_name: body.last_name,
        email: body.email.unwrap_or_default(),
        phone: body.phone,
        role: body.role,
    })
    .map_err(ApiError::validation)?;
    let now = state.clock.now_ms();
    let contact = state
        .store
        .create_contact(
            caller.workspace_id,
            client,
            &new_contact(&valid, false),
            now,
        )
        .await
        .map_err(duplicate)?;
    let name = format!("{} {}", valid.first_name, valid.last_name);
    caller
        .audit(
            &state,
            &ip,
            "contact.created",
            ("contact", contact.get()),
            Some(client.get()),
            name.trim(),
        )
        .await?;
    let row = state.store.contact(caller.workspace_id, contact).await?;
    Ok((StatusCode::CREATED, Json(to_api(row))))
}

/// Changes to a contact; fields left out keep their value, `"email": ""` removes the
/// address (and with it, portal sign-in).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Option<String>,
}

#[utoipa::path(patch, path = "/api/v1/clients/{id}/contacts/{contact_id}", tag = "contacts",
    params(("id" = String, Path, description = "Client id"),
           ("contact_id" = String, Path, description = "Contact id")),
    request_body = ContactPatch,
    responses(
        (status = 200, description = "Updated", body = Contact),
        (status = 400, description = "Not JSON, or unknown fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such contact of this client", body = ApiErrorBody),
        (status = 409, description = "Another contact of this client has this email", body = ApiErrorBody),
        (status = 422, description = "A field is not valid; nothing was changed", body = ApiErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath((id, contact)): ApiPath<(String, String)>,
    ApiJson(patch): ApiJson<ContactPatch>,
) -> ApiResult<Json<Contact>> {
    let client = client_id(&id)?;
    let old = contact_of(&state, caller.workspace_id, client, &contact).await?;
    let valid = validate_contact(&ContactInput {
        first_name: patch.first_name.unwrap_or(old.first_name),
        last_name: patch.last_name.unwrap_or(old.last_name),
        email: patch.email.or(old.email).unwrap_or_default(),
        phone: patch.phone.unwrap_or(old.phone),
        role: patch.role.unwrap_or(old.role),
    })
    .map_err(ApiError::validation)?;
    let now = state.clock.now_ms();
    let contact_id = ContactId::from_db(old.id);
    state
        .store
        .update_contact(
            caller.workspace_id,
            contact_id,
            &new_contact(&valid, old.is_primary != 0),
            now,
        )
        .await
        .map_err(duplicate)?;
    caller
        .audit(
            &state,
            &ip,
            "contact.updated",
            ("contact", old.id),
            Some(client.get()),
            "",
        )
        .await?;
    let row = state.store.contact(caller.workspace_id, contact_id).await?;
    Ok(Json(to_api(row)))
}

/// Removes a contact: kept for history, hidden everywhere, its portal sessions end.
#[utoipa::path(delete, path = "/api/v1/clients/{id}/contacts/{contact_id}", tag = "contacts",
    params(("id" = String, Path, description = "Client id"),
           ("contact_id" = String, Path, description = "Contact id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such contact of this client", body = ApiErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath((id, contact)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    let client = client_id(&id)?;
    let old = contact_of(&state, caller.workspace_id, client, &contact).await?;
    let now = state.clock.now_ms();
    state
        .store
        .delete_contact(caller.workspace_id, ContactId::from_db(old.id), now)
        .await?;
    caller
        .audit(
            &state,
            &ip,
            "contact.deleted",
            ("contact", old.id),
            Some(client.get()),
            "",
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
