//! Small helpers the job, project and task screens share.

use crate::app::AppState;
use crate::domain::request_form::FieldError;
use crate::ids::{JobId, ProjectId, WorkspaceId};
use crate::store::work_edit::{StaffJobRow, StaffProjectRow};
use crate::store::StoreError;
use crate::web::error::{AppError, AppResult};

/// How much of a refused value is shown again.
const SHOWN_MAX: usize = 2_000;

pub fn clip(s: &str) -> String {
    s.chars().take(SHOWN_MAX).collect()
}

/// An id from the path; a malformed one names nothing that exists.
pub fn parse_id<T: std::str::FromStr>(raw: &str) -> AppResult<T> {
    raw.parse().map_err(|_| AppError::NotFound)
}

pub async fn workspace_tz(state: &AppState, ws: WorkspaceId) -> AppResult<String> {
    Ok(state.store.workspace(ws).await?.time_zone)
}

/// A store refusal as a form error (its message names the field); anything else stays
/// an error of the request.
pub fn errors_from_store(e: StoreError) -> AppResult<Vec<FieldError>> {
    match e {
        StoreError::Conflict(message) => Ok(vec![FieldError {
            field: "form",
            message,
        }]),
        other => Err(other.into()),
    }
}

/// The project chosen in a select: empty is none; otherwise one of `projects` (the
/// client's own), or a field error.
pub fn project_choice(
    raw: &str,
    projects: &[StaffProjectRow],
) -> Result<Option<ProjectId>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<ProjectId>() {
        Ok(id) if projects.iter().any(|p| p.id == id.get()) => Ok(Some(id)),
        _ => Err(FieldError {
            field: "project_id",
            message: "Project: choose one of this client's projects, or none.".into(),
        }),
    }
}

/// The job chosen in a select, like [`project_choice`].
pub fn job_choice(raw: &str, jobs: &[StaffJobRow]) -> Result<Option<JobId>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<JobId>() {
        Ok(id) if jobs.iter().any(|j| j.id == id.get()) => Ok(Some(id)),
        _ => Err(FieldError {
            field: "job_id",
            message: "Job: choose one of this client's jobs, or none.".into(),
        }),
    }
}
