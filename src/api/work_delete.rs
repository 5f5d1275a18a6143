//! `DELETE` for jobs, projects and tasks: a soft delete, audited. The record leaves
//! every list, the portal and API reads; what refers to it keeps working.

use axum::extract::State;
use axum::http::StatusCode;

use super::auth::ApiCaller;
use super::error::{ApiError, ApiErrorBody, ApiResult};
use super::extract::ApiPath;
use super::work::id_of;
use crate::app::AppState;
use crate::store::work_delete::Deleted;
use crate::store::StoreError;
use crate::web::ClientIp;

async fn audited(
    state: &AppState,
    caller: &ApiCaller,
    ip: &str,
    noun: &str,
    id: i64,
    done: Deleted,
) -> ApiResult<StatusCode> {
    caller
        .audit(
            state,
            ip,
            &format!("{noun}.deleted"),
            (noun, id),
            Some(done.client_id),
            &done.label,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/jobs/{id}", tag = "jobs",
    params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 204, description = "Deleted; invoices, quotes and visits that refer to it keep working"),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such job in this workspace", body = ApiErrorBody),
    ))]
pub async fn delete_job(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    let id = id_of(&id)?;
    let done = state
        .store
        .delete_job(caller.workspace_id, id, state.clock.now_ms())
        .await?;
    audited(&state, &caller, &ip, "job", id.get(), done).await
}

#[utoipa::path(delete, path = "/api/v1/projects/{id}", tag = "projects",
    params(("id" = String, Path, description = "Project id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such project in this workspace", body = ApiErrorBody),
        (status = 409, description = "The project still has live jobs: move or delete its jobs first", body = ApiErrorBody),
    ))]
pub async fn delete_project(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    let id = id_of(&id)?;
    let done = state
        .store
        .delete_project(caller.workspace_id, id, state.clock.now_ms())
        .await
        .map_err(|e| match e {
            // The store's own reason (live jobs), never a constraint name.
            StoreError::Conflict(message) => ApiError::conflict(message),
            other => other.into(),
        })?;
    audited(&state, &caller, &ip, "project", id.get(), done).await
}

#[utoipa::path(delete, path = "/api/v1/tasks/{id}", tag = "tasks",
    params(("id" = String, Path, description = "Task id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such task in this workspace", body = ApiErrorBody),
    ))]
pub async fn delete_task(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    let id = id_of(&id)?;
    let done = state
        .store
        .delete_task(caller.workspace_id, id, state.clock.now_ms())
        .await?;
    audited(&state, &caller, &ip, "task", id.get(), done).await
}
