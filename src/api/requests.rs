//! `/api/v1/requests` writes: take a request for a client (as the portal's New request
//! form takes it), move its status and assignee, add internal notes, and convert it into
//! a draft quote or job. The rules are the requests inbox's (`store::requests_inbox`,
//! `domain::request_form`): each change writes a request event, so the client sees
//! status changes on the portal (never the notes), and an audit entry. Reads are in
//! `records`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::ApiCaller;
use super::error::{ApiError, ApiErrorBody, ApiResult};
use super::extract::{ApiJson, ApiPath};
use super::records::{one, Request, REQUESTS};
use super::work::{body_client, id_of, nullable};
use crate::app::AppState;
use crate::domain::records::today_in;
use crate::domain::request_form::{self, RequestInput};
use crate::ids::{ContactId, RequestId, StaffUserId};
use crate::staff::requests::convert_request;
use crate::store::requests_inbox::{ConvertTo, MANUAL_STATUSES};
use crate::store::work::NewRequest;
use crate::store::StoreError;
use crate::web::ClientIp;

/// A request taken for a client (by phone, by email…), as the portal's form takes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequestBody {
    pub client_id: String,
    /// One of the client's contacts, who asked.
    #[serde(default)]
    pub contact_id: Option<String>,
    /// Up to 200 characters.
    #[schema(example = "Leaking tap in the kitchen")]
    pub subject: String,
    /// Up to 10,000 characters.
    #[schema(example = "The tap drips all night.")]
    pub details: String,
    /// `YYYY-MM-DD`, today or later.
    #[serde(default)]
    #[schema(example = "2026-03-14")]
    pub preferred_date: String,
    #[serde(default)]
    pub site_address: String,
}

/// Changes to a request; fields left out stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestPatch {
    /// `new`, `in_review` or `closed` (`converted` comes from `/convert`).
    #[schema(example = "in_review")]
    pub status: Option<String>,
    /// A staff member's id; `null` unassigns.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable)]
    pub assigned_to: Option<Option<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    /// Plain text, up to 2,000 characters; staff only, never shown to the client.
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoteOut {
    pub request_id: String,
    pub note: String,
    pub created_at: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConvertBody {
    /// `quote` or `job`.
    #[schema(example = "quote")]
    pub into: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConvertedOut {
    /// `quote` or `job`.
    pub kind: String,
    /// The new draft's id: read it at `/quotes/{id}` or `/jobs/{id}`.
    pub id: String,
    pub number: String,
    pub request: Request,
}

/// A refusal of the inbox's rules (already converted, closed, a bad note) is a 409 with
/// its reason, naming the field when the reason starts with one.
fn refused(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(message) => {
            let field = match message.split_once(": ").map(|(f, _)| f) {
                Some("status") => Some("status"),
                Some("assignee") => Some("assigned_to"),
                Some("note") => Some("note"),
                _ => None,
            };
            let message = match message.strip_prefix("assignee: ") {
                Some(rest) => format!("assigned_to: {rest}"),
                None => message,
            };
            let message = if message.ends_with('.') {
                message
            } else {
                format!("{message}.")
            };
            match field {
                Some(f) => ApiError::invalid(f, message),
                None => ApiError::conflict(message),
            }
        }
        other => other.into(),
    }
}

async fn request(state: &AppState, caller: &ApiCaller, id: i64) -> ApiResult<Request> {
    one(state, caller, &REQUESTS, &id.to_string()).await
}

#[utoipa::path(post, path = "/api/v1/requests", tag = "requests",
    request_body = NewRequestBody,
    responses(
        (status = 201, description = "Taken, status new", body = Request),
        (status = 400, description = "Not JSON, or unknown/missing fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 422, description = "A field is not valid (named); nothing was stored", body = ApiErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<NewRequestBody>,
) -> ApiResult<(StatusCode, Json<Request>)> {
    let ws = caller.workspace_id;
    let workspace = state.store.workspace(ws).await?;
    let valid = request_form::validate(
        &RequestInput {
            subject: body.subject,
            details: body.details,
            preferred_date: body.preferred_date,
            site_address: body.site_address,
        },
        today_in(&workspace.time_zone, state.clock.now()),
    )
    .map_err(ApiError::validation)?;
    let client = body_client(&state, ws, &body.client_id).await?;
    let contact = match body.contact_id.as_deref() {
        None | Some("") => None,
        Some(raw) => {
            let bad =
                || ApiError::invalid("contact_id", "contact_id: no such contact of this client.");
            let id: ContactId = raw.parse().map_err(|_| bad())?;
            match state.store.contact(ws, id).await {
                Ok(c) if c.client_id == client.get() => Some(id),
                Ok(_) | Err(StoreError::NotFound) => return Err(bad()),
                Err(e) => return Err(e.into()),
            }
        }
    };
    let id = state
        .store
        .create_request(
            ws,
            client,
            &NewRequest {
                contact_id: contact,
                subject: &valid.subject,
                details: &valid.details,
                preferred_date: valid.preferred_date.as_deref(),
                site_address: &valid.site_address,
                status: "new",
                product_id: None,
                idempotency_key: None,
            },
            state.clock.now_ms(),
        )
        .await
        .map_err(refused)?;
    caller
        .audit(
            &state,
            &ip,
            "request.created",
            ("request", id.get()),
            Some(client.get()),
            &valid.subject,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(request(&state, &caller, id.get()).await?),
    ))
}

#[utoipa::path(patch, path = "/api/v1/requests/{id}", tag = "requests",
    params(("id" = String, Path, description = "Request id")),
    request_body = RequestPatch,
    responses(
        (status = 200, description = "Changed (or already so); a status change shows on the client's portal", body = Request),
        (status = 400, description = "Not JSON, or unknown fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such request in this workspace", body = ApiErrorBody),
        (status = 409, description = "A converted request keeps its status", body = ApiErrorBody),
        (status = 422, description = "A bad status or assignee (named); nothing was changed", body = ApiErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<RequestPatch>,
) -> ApiResult<Json<Request>> {
    let ws = caller.workspace_id;
    let id: RequestId = id_of(&id)?;
    let current = state.store.staff_request(ws, id).await?;
    // Everything is checked before anything is written, so a bad field changes nothing.
    if let Some(status) = body.status.as_deref() {
        if !MANUAL_STATUSES.contains(&status) {
            return Err(ApiError::invalid(
                "status",
                "status: must be new, in_review or closed (a request is converted with /convert).",
            ));
        }
        if current.status == "converted" {
            return Err(ApiError::conflict(
                "status: this request was converted and keeps that status.",
            )
            .with_field("status"));
        }
    }
    let assignee = match &body.assigned_to {
        None => None,
        Some(None) => Some(None),
        Some(Some(raw)) => {
            let bad = || {
                ApiError::invalid(
                    "assigned_to",
                    "assigned_to: not an active staff member of this workspace.",
                )
            };
            let staff: StaffUserId = raw.parse().map_err(|_| bad())?;
            let active = state.store.assignable_staff(ws).await?;
            if !active.iter().any(|(sid, _)| *sid == staff.get()) {
                return Err(bad());
            }
            Some(Some(staff))
        }
    };
    let now = state.clock.now_ms();
    if let Some(status) = body.status.as_deref() {
        let changed = state
            .store
            .set_request_status(ws, id, None, status, now)
            .await
            .map_err(refused)?;
        if changed {
            let detail = format!("{} → {status}", current.status);
            caller
                .audit(
                    &state,
                    &ip,
                    "request.status_changed",
                    ("request", id.get()),
                    Some(current.client_id),
                    &detail,
                )
                .await?;
        }
    }
    if let Some(to) = assignee {
        let changed = state
            .store
            .assign_request(ws, id, None, to, now)
            .await
            .map_err(refused)?;
        if let Some(name) = changed {
            let detail = if name.is_empty() {
                "unassigned".to_string()
            } else {
                format!("assigned to {name}")
            };
            caller
                .audit(
                    &state,
                    &ip,
                    "request.assigned",
                    ("request", id.get()),
                    Some(current.client_id),
                    &detail,
                )
                .await?;
        }
    }
    Ok(Json(request(&state, &caller, id.get()).await?))
}

#[utoipa::path(post, path = "/api/v1/requests/{id}/notes", tag = "requests",
    params(("id" = String, Path, description = "Request id")),
    request_body = NoteBody,
    responses(
        (status = 201, description = "Added to the request's history (staff only)", body = NoteOut),
        (status = 400, description = "Not JSON, or unknown/missing fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such request in this workspace", body = ApiErrorBody),
        (status = 422, description = "The note is empty or too long", body = ApiErrorBody),
    ))]
pub async fn add_note(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<NoteBody>,
) -> ApiResult<(StatusCode, Json<NoteOut>)> {
    let ws = caller.workspace_id;
    let id: RequestId = id_of(&id)?;
    let current = state.store.staff_request(ws, id).await?;
    let now = state.clock.now_ms();
    state
        .store
        .add_request_note(ws, id, None, &body.note, now)
        .await
        .map_err(refused)?;
    caller
        .audit(
            &state,
            &ip,
            "request.note_added",
            ("request", id.get()),
            Some(current.client_id),
            "",
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(NoteOut {
            request_id: id.to_string(),
            note: body.note.trim().to_string(),
            created_at: now,
        }),
    ))
}

#[utoipa::path(post, path = "/api/v1/requests/{id}/convert", tag = "requests",
    params(("id" = String, Path, description = "Request id")),
    request_body = ConvertBody,
    responses(
        (status = 201, description = "A draft quote or job made from the request, which is now converted", body = ConvertedOut),
        (status = 400, description = "Not JSON, or unknown/missing fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such request in this workspace", body = ApiErrorBody),
        (status = 409, description = "Already converted, or closed", body = ApiErrorBody),
        (status = 422, description = "into is neither quote nor job", body = ApiErrorBody),
    ))]
pub async fn convert(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ConvertBody>,
) -> ApiResult<(StatusCode, Json<ConvertedOut>)> {
    let ws = caller.workspace_id;
    let id: RequestId = id_of(&id)?;
    let to = ConvertTo::parse(&body.into)
        .ok_or_else(|| ApiError::invalid("into", "into: must be quote or job."))?;
    let current = state.store.staff_request(ws, id).await?;
    let made = convert_request(&state, ws, id, None, to)
        .await
        .map_err(refused)?;
    let kind = made.kind.noun();
    caller
        .audit(
            &state,
            &ip,
            "request.converted",
            ("request", id.get()),
            Some(current.client_id),
            &format!("draft {kind} {}", made.number),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ConvertedOut {
            kind: kind.to_string(),
            id: made.id.to_string(),
            number: made.number,
            request: request(&state, &caller, id.get()).await?,
        }),
    ))
}
