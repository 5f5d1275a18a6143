//! The back office's "Delete" on a job, project or task page: a soft delete behind a
//! required confirm box, audited, then back to the client's page with a notice.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::requests::refused;
use super::session::StaffUser;
use super::work_common::parse_id;
use crate::app::AppState;
use crate::store::work_delete::Deleted;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{Form, Path};
use crate::web::ClientIp;

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    confirm: String,
}

/// Checks the box after the record was looked up (another workspace's id stays 404).
fn confirmed(form: &DeleteForm, noun: &str) -> AppResult<()> {
    if form.confirm == "yes" {
        Ok(())
    } else {
        Err(AppError::BadRequest(format!(
            "Confirm: tick the box to delete this {noun}."
        )))
    }
}

async fn done(
    state: &AppState,
    user: &StaffUser,
    ip: &str,
    noun: &str,
    id: i64,
    deleted: Deleted,
) -> AppResult<Response> {
    user.audit(
        state,
        &format!("{noun}.deleted"),
        (noun, id),
        Some(deleted.client_id),
        ip,
        &deleted.label,
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/staff/clients/{}?notice={noun}-deleted",
        deleted.client_id
    ))
    .into_response())
}

pub async fn delete_job(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id = parse_id(&id)?;
    state.store.job_row(user.workspace_id, id).await?;
    confirmed(&form, "job")?;
    let deleted = state
        .store
        .delete_job(user.workspace_id, id, state.clock.now_ms())
        .await?;
    done(&state, &user, &ip, "job", id.get(), deleted).await
}

pub async fn delete_project(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id = parse_id(&id)?;
    state.store.project_row(user.workspace_id, id).await?;
    confirmed(&form, "project")?;
    let deleted = state
        .store
        .delete_project(user.workspace_id, id, state.clock.now_ms())
        .await
        .map_err(refused)?;
    done(&state, &user, &ip, "project", id.get(), deleted).await
}

pub async fn delete_task(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id = parse_id(&id)?;
    state.store.task_row(user.workspace_id, id).await?;
    confirmed(&form, "task")?;
    let deleted = state
        .store
        .delete_task(user.workspace_id, id, state.clock.now_ms())
        .await?;
    done(&state, &user, &ip, "task", id.get(), deleted).await
}
