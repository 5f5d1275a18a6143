//! Write routes for jobs, projects and tasks (create, update) and for files' metadata
//! (rename, remove). Validation is the back office's (`domain::work_form`); a linked
//! project or job must belong to the same client. Answers use the read routes' shapes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use super::auth::ApiCaller;
use super::error::{ApiError, ApiErrorBody, ApiResult};
use super::extract::{ApiJson, ApiPath};
use super::records::{one, File, Job, Project, Task, FILES, JOBS, PROJECTS, TASKS};
use crate::app::AppState;
use crate::domain::work_form::{
    validate_job, validate_project, validate_task, JobInput, ProjectInput, TaskInput,
};
use crate::ids::{ClientId, FileId, JobId, ProjectId, TaskId, WorkspaceId};
use crate::store::work::{NewJob, NewProject, NewTask};
use crate::store::StoreError;
use crate::web::ClientIp;

/// Present-and-null (`Some(None)`) told apart from absent (`None`).
pub(super) fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

pub(super) fn id_of<T: std::str::FromStr>(raw: &str) -> ApiResult<T> {
    raw.parse().map_err(|_| ApiError::not_found())
}

/// A live client of the workspace named in a body, or a 422 on `client_id`.
async fn body_client(state: &AppState, ws: WorkspaceId, raw: &str) -> ApiResult<ClientId> {
    let bad = || ApiError::invalid("client_id", "client_id: no such client in this workspace.");
    let id: ClientId = raw.parse().map_err(|_| bad())?;
    match state.store.client(ws, id).await {
        Ok(_) => Ok(id),
        Err(StoreError::NotFound) => Err(bad()),
        Err(e) => Err(e.into()),
    }
}

/// A project of `client`, or a 422 on `project_id`.
async fn client_project(
    state: &AppState,
    ws: WorkspaceId,
    client: ClientId,
    raw: &str,
) -> ApiResult<ProjectId> {
    let bad = || ApiError::invalid("project_id", "project_id: no such project of this client.");
    let id: ProjectId = raw.parse().map_err(|_| bad())?;
    match state.store.project_row(ws, id).await {
        Ok(p) if p.client_id == client.get() => Ok(id),
        Ok(_) | Err(StoreError::NotFound) => Err(bad()),
        Err(e) => Err(e.into()),
    }
}

/// A job of `client`, or a 422 on `job_id`.
async fn client_job(
    state: &AppState,
    ws: WorkspaceId,
    client: ClientId,
    raw: &str,
) -> ApiResult<JobId> {
    let bad = || ApiError::invalid("job_id", "job_id: no such job of this client.");
    let id: JobId = raw.parse().map_err(|_| bad())?;
    match state.store.job_row(ws, id).await {
        Ok(j) if j.client_id == client.get() => Ok(id),
        Ok(_) | Err(StoreError::NotFound) => Err(bad()),
        Err(e) => Err(e.into()),
    }
}

async fn optional_project(
    state: &AppState,
    ws: WorkspaceId,
    client: ClientId,
    raw: Option<&str>,
) -> ApiResult<Option<ProjectId>> {
    match raw {
        None => Ok(None),
        Some(raw) => Ok(Some(client_project(state, ws, client, raw).await?)),
    }
}

async fn optional_job(
    state: &AppState,
    ws: WorkspaceId,
    client: ClientId,
    raw: Option<&str>,
) -> ApiResult<Option<JobId>> {
    match raw {
        None => Ok(None),
        Some(raw) => Ok(Some(client_job(state, ws, client, raw).await?)),
    }
}

// ----- jobs ----------------------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewJobBody {
    pub client_id: String,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// draft, unscheduled, scheduled, in_progress, on_hold, completed or cancelled.
    #[schema(example = "scheduled")]
    pub status: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub site_address: String,
    /// Milliseconds since the Unix epoch; required when the status is `scheduled`.
    pub scheduled_start: Option<i64>,
    pub scheduled_end: Option<i64>,
    /// One of the same client's projects.
    pub project_id: Option<String>,
    #[serde(default)]
    pub internal_notes: String,
}

/// Changes to a job; fields left out keep their value, `null` clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobPatch {
    pub title: Option<String>,
    pub status: Option<String>,
    pub description: Option<String>,
    pub site_address: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, nullable)]
    pub scheduled_start: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, nullable)]
    pub scheduled_end: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable)]
    pub project_id: Option<Option<String>>,
    pub internal_notes: Option<String>,
}

fn new_job<'a>(
    v: &'a crate::domain::work_form::ValidJob,
    project: Option<ProjectId>,
) -> NewJob<'a> {
    NewJob {
        project_id: project,
        title: &v.title,
        description: &v.description,
        status: v.status,
        site_address: &v.site_address,
        scheduled_start: v.scheduled_start,
        scheduled_end: v.scheduled_end,
        internal_notes: &v.internal_notes,
    }
}

#[utoipa::path(post, path = "/api/v1/jobs", tag = "jobs",
    request_body = NewJobBody,
    responses(
        (status = 201, description = "Created (numbered J-0001…)", body = Job),
        (status = 400, description = "Not JSON, or unknown/missing fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 409, description = "Refused by a rule of the store", body = ApiErrorBody),
        (status = 422, description = "A field is not valid; nothing was stored", body = ApiErrorBody),
    ))]
pub async fn create_job(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<NewJobBody>,
) -> ApiResult<(StatusCode, Json<Job>)> {
    let ws = caller.workspace_id;
    let valid = validate_job(&JobInput {
        title: body.title,
        description: body.description,
        status: body.status,
        site_address: body.site_address,
        scheduled_start: body.scheduled_start,
        scheduled_end: body.scheduled_end,
        internal_notes: body.internal_notes,
    })
    .map_err(ApiError::validation)?;
    let client = body_client(&state, ws, &body.client_id).await?;
    let project = optional_project(&state, ws, client, body.project_id.as_deref()).await?;
    let id = state
        .store
        .create_job(ws, client, &new_job(&valid, project), state.clock.now_ms())
        .await?;
    caller
        .audit(
            &state,
            &ip,
            "job.created",
            ("job", id.get()),
            Some(client.get()),
            &valid.title,
        )
        .await?;
    let job: Job = one(&state, &caller, &JOBS, &id.to_string()).await?;
    Ok((StatusCode::CREATED, Json(job)))
}

#[utoipa::path(patch, path = "/api/v1/jobs/{id}", tag = "jobs",
    params(("id" = String, Path, description = "Job id")),
    request_body = JobPatch,
    responses(
        (status = 200, description = "Updated", body = Job),
        (status = 400, description = "Not JSON, or unknown fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such job in this workspace", body = ApiErrorBody),
        (status = 409, description = "Refused by a rule of the store", body = ApiErrorBody),
        (status = 422, description = "A field is not valid; nothing was changed", body = ApiErrorBody),
    ))]
pub async fn update_job(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<JobPatch>,
) -> ApiResult<Json<Job>> {
    let ws = caller.workspace_id;
    let id: JobId = id_of(&id)?;
    let old = state.store.job_row(ws, id).await?;
    let client = ClientId::from_db(old.client_id);
    let valid = validate_job(&JobInput {
        title: patch.title.unwrap_or(old.title),
        description: patch.description.unwrap_or(old.description),
        status: patch.status.unwrap_or(old.status),
        site_address: patch.site_address.unwrap_or(old.site_address),
        scheduled_start: patch.scheduled_start.unwrap_or(old.scheduled_start),
        scheduled_end: patch.scheduled_end.unwrap_or(old.scheduled_end),
        internal_notes: patch.internal_notes.unwrap_or(old.internal_notes),
    })
    .map_err(ApiError::validation)?;
    let project = match patch.project_id {
        None => old.project_id.map(ProjectId::from_db),
        Some(raw) => optional_project(&state, ws, client, raw.as_deref()).await?,
    };
    state
        .store
        .update_job(ws, id, &new_job(&valid, project), state.clock.now_ms())
        .await?;
    caller
        .audit(
            &state,
            &ip,
            "job.updated",
            ("job", id.get()),
            Some(client.get()),
            &valid.title,
        )
        .await?;
    Ok(Json(one(&state, &caller, &JOBS, &id.to_string()).await?))
}

// ----- projects ------------------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProjectBody {
    pub client_id: String,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// planned, active, on_hold, completed or cancelled.
    #[schema(example = "active")]
    pub status: String,
    #[serde(default)]
    pub description: String,
    /// 0 to 100 (default 0).
    #[serde(default)]
    pub progress_pct: i64,
    /// `YYYY-MM-DD`.
    pub start_date: Option<String>,
    pub due_date: Option<String>,
    #[serde(default)]
    pub internal_notes: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectPatch {
    pub name: Option<String>,
    pub status: Option<String>,
    pub description: Option<String>,
    pub progress_pct: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable)]
    pub start_date: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable)]
    pub due_date: Option<Option<String>>,
    pub internal_notes: Option<String>,
}

fn new_project(v: &crate::domain::work_form::ValidProject) -> NewProject<'_> {
    NewProject {
        name: &v.name,
        description: &v.description,
        status: v.status,
        progress_pct: v.progress_pct,
        start_date: v.start_date.as_deref(),
        due_date: v.due_date.as_deref(),
        internal_notes: &v.internal_notes,
    }
}

#[utoipa::path(post, path = "/api/v1/projects", tag = "projects",
    request_body = NewProjectBody,
    responses(
        (status = 201, description = "Created", body = Project),
        (status = 400, description = "Not JSON, or unknown/missing fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 409, description = "Refused by a rule of the store", body = ApiErrorBody),
        (status = 422, description = "A field is not valid; nothing was stored", body = ApiErrorBody),
    ))]
pub async fn create_project(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<NewProjectBody>,
) -> ApiResult<(StatusCode, Json<Project>)> {
    let ws = caller.workspace_id;
    let valid = validate_project(&ProjectInput {
        name: body.name,
        description: body.description,
        status: body.status,
        progress_pct: body.progress_pct.to_string(),
        start_date: body.start_date.unwrap_or_default(),
        due_date: body.due_date.unwrap_or_default(),
        internal_notes: body.internal_notes,
    })
    .map_err(ApiError::validation)?;
    let client = body_client(&state, ws, &body.client_id).await?;
    let id = state
        .store
        .create_project(ws, client, &new_project(&valid), state.clock.now_ms())
        .await?;
    caller
        .audit(
            &state,
            &ip,
            "project.created",
            ("project", id.get()),
            Some(client.get()),
            &valid.name,
        )
        .await?;
    let project: Project = one(&state, &caller, &PROJECTS, &id.to_string()).await?;
    Ok((StatusCode::CREATED, Json(project)))
}

#[utoipa::path(patch, path = "/api/v1/projects/{id}", tag = "projects",
    params(("id" = String, Path, description = "Project id")),
    request_body = ProjectPatch,
    responses(
        (status = 200, description = "Updated", body = Project),
        (status = 400, description = "Not JSON, or unknown fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such project in this workspace", body = ApiErrorBody),
        (status = 409, description = "Refused by a rule of the store", body = ApiErrorBody),
        (status = 422, description = "A field is not valid; nothing was changed", body = ApiErrorBody),
    ))]
pub async fn update_project(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<ProjectPatch>,
) -> ApiResult<Json<Project>> {
    let ws = caller.workspace_id;
    let id: ProjectId = id_of(&id)?;
    let old = state.store.project_row(ws, id).await?;
    let valid = validate_project(&ProjectInput {
        name: patch.name.unwrap_or(old.name),
        description: patch.description.unwrap_or(old.description),
        status: patch.status.unwrap_or(old.status),
        progress_pct: patch.progress_pct.unwrap_or(old.progress_pct).to_string(),
        start_date: patch
            .start_date
            .unwrap_or(old.start_date)
            .unwrap_or_default(),
        due_date: patch.due_date.unwrap_or(old.due_date).unwrap_or_default(),
        internal_notes: patch.internal_notes.unwrap_or(old.internal_notes),
    })
    .map_err(ApiError::validation)?;
    state
        .store
        .update_project(ws, id, &new_project(&valid), state.clock.now_ms())
        .await?;
    caller
        .audit(
            &state,
            &ip,
            "project.updated",
            ("project", id.get()),
            Some(old.client_id),
            &valid.name,
        )
        .await?;
    Ok(Json(
        one(&state, &caller, &PROJECTS, &id.to_string()).await?,
    ))
}

// ----- tasks ---------------------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTaskBody {
    pub client_id: String,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
    /// One of the same client's projects.
    pub project_id: Option<String>,
    /// One of the same client's jobs.
    pub job_id: Option<String>,
    #[serde(default)]
    pub done: bool,
    /// Only shared tasks show in the client's portal.
    #[serde(default)]
    pub shared_with_client: bool,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable)]
    pub due_date: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable)]
    pub project_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable)]
    pub job_id: Option<Option<String>>,
    pub done: Option<bool>,
    pub shared_with_client: Option<bool>,
}

fn new_task(
    v: &crate::domain::work_form::ValidTask,
    project: Option<ProjectId>,
    job: Option<JobId>,
    now_ms: i64,
) -> NewTask<'_> {
    NewTask {
        project_id: project,
        job_id: job,
        title: &v.title,
        description: &v.description,
        due_date: v.due_date.as_deref(),
        done_at: v.done.then_some(now_ms),
        shared_with_client: v.shared_with_client,
    }
}

#[utoipa::path(post, path = "/api/v1/tasks", tag = "tasks",
    request_body = NewTaskBody,
    responses(
        (status = 201, description = "Created", body = Task),
        (status = 400, description = "Not JSON, or unknown/missing fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 409, description = "Refused by a rule of the store", body = ApiErrorBody),
        (status = 422, description = "A field is not valid; nothing was stored", body = ApiErrorBody),
    ))]
pub async fn create_task(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<NewTaskBody>,
) -> ApiResult<(StatusCode, Json<Task>)> {
    let ws = caller.workspace_id;
    let valid = validate_task(&TaskInput {
        title: body.title,
        description: body.description,
        due_date: body.due_date.unwrap_or_default(),
        done: body.done,
        shared_with_client: body.shared_with_client,
    })
    .map_err(ApiError::validation)?;
    let client = body_client(&state, ws, &body.client_id).await?;
    let project = optional_project(&state, ws, client, body.project_id.as_deref()).await?;
    let job = optional_job(&state, ws, client, body.job_id.as_deref()).await?;
    let now = state.clock.now_ms();
    let id = state
        .store
        .create_task(ws, client, &new_task(&valid, project, job, now), now)
        .await?;
    caller
        .audit(
            &state,
            &ip,
            "task.created",
            ("task", id.get()),
            Some(client.get()),
            &valid.title,
        )
        .await?;
    let task: Task = one(&state, &caller, &TASKS, &id.to_string()).await?;
    Ok((StatusCode::CREATED, Json(task)))
}

#[utoipa::path(patch, path = "/api/v1/tasks/{id}", tag = "tasks",
    params(("id" = String, Path, description = "Task id")),
    request_body = TaskPatch,
    responses(
        (status = 200, description = "Updated", body = Task),
        (status = 400, description = "Not JSON, or unknown fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such task in this workspace", body = ApiErrorBody),
        (status = 409, description = "Refused by a rule of the store", body = ApiErrorBody),
        (status = 422, description = "A field is not valid; nothing was changed", body = ApiErrorBody),
    ))]
pub async fn update_task(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<TaskPatch>,
) -> ApiResult<Json<Task>> {
    let ws = caller.workspace_id;
    let id: TaskId = id_of(&id)?;
    let old = state.store.task_row(ws, id).await?;
    let client = ClientId::from_db(old.client_id);
    let valid = validate_task(&TaskInput {
        title: patch.title.unwrap_or(old.title.clone()),
        description: patch.description.unwrap_or(old.description.clone()),
        due_date: patch
            .due_date
            .unwrap_or(old.due_date.clone())
            .unwrap_or_default(),
        done: patch.done.unwrap_or(old.done()),
        shared_with_client: patch.shared_with_client.unwrap_or(old.shared()),
    })
    .map_err(ApiError::validation)?;
    let project = match patch.project_id {
        None => old.project_id.map(ProjectId::from_db),
        Some(raw) => optional_project(&state, ws, client, raw.as_deref()).await?,
    };
    let job = match patch.job_id {
        None => old.job_id.map(JobId::from_db),
        Some(raw) => optional_job(&state, ws, client, raw.as_deref()).await?,
    };
    let now = state.clock.now_ms();
    state
        .store
        .update_task(ws, id, &new_task(&valid, project, job, now), now)
        .await?;
    caller
        .audit(
            &state,
            &ip,
            "task.updated",
            ("task", id.get()),
            Some(client.get()),
            &valid.title,
        )
        .await?;
    Ok(Json(one(&state, &caller, &TASKS, &id.to_string()).await?))
}

// ----- files ---------------------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilePatch {
    /// The new name (path parts and control characters are removed).
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
}

#[utoipa::path(patch, path = "/api/v1/files/{id}", tag = "files",
    params(("id" = String, Path, description = "File id")),
    request_body = FilePatch,
    responses(
        (status = 200, description = "Renamed", body = File),
        (status = 400, description = "Not JSON, or unknown/missing fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such file in this workspace", body = ApiErrorBody),
        (status = 422, description = "The name is not valid; nothing was changed", body = ApiErrorBody),
    ))]
pub async fn rename_file(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<FilePatch>,
) -> ApiResult<Json<File>> {
    let ws = caller.workspace_id;
    let id: FileId = id_of(&id)?;
    let before = state.store.staff_file(ws, id).await?;
    let after = match state.store.rename_file(ws, id, &patch.name).await {
        Ok(row) => row,
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::invalid("name", "name: cannot be empty."))
        }
        Err(e) => return Err(e.into()),
    };
    let detail = format!("{} → {}", before.name, after.name);
    caller
        .audit(
            &state,
            &ip,
            "file.renamed",
            ("file", id.get()),
            Some(before.client_id),
            &detail,
        )
        .await?;
    Ok(Json(one(&state, &caller, &FILES, &id.to_string()).await?))
}

/// Removes a file: the client stops seeing it at once and its bytes are deleted.
#[utoipa::path(delete, path = "/api/v1/files/{id}", tag = "files",
    params(("id" = String, Path, description = "File id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such file in this workspace", body = ApiErrorBody),
    ))]
pub async fn remove_file(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    let id: FileId = id_of(&id)?;
    let row = state
        .store
        .remove_file(caller.workspace_id, id, state.clock.now_ms())
        .await?;
    if let Err(e) = state.files.delete(&row.storage_key).await {
        tracing::warn!(error = %e, file = %id, "deleting a removed file's bytes failed");
    }
    let detail = format!("{} ({} bytes)", row.name, row.size_bytes);
    caller
        .audit(
            &state,
            &ip,
            "file.removed",
            ("file", id.get()),
            Some(row.client_id),
            &detail,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
