//! Small helpers the job, project and task screens share.

use crate::app::AppState;
use crate::domain::request_form::FieldError;
use crate::ids::{JobId, ProjectId, StaffUserId, WorkspaceId};
use crate::store::staff_admin::StaffMember;
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

/// An id chosen in a select: empty is none; otherwise one of `allowed`, or an error on
/// `field` with `message`.
fn choice<T: std::str::FromStr + Copy>(
    raw: &str,
    allowed: impl IntoIterator<Item = i64>,
    get: fn(T) -> i64,
    field: &'static str,
    message: &str,
) -> Result<Option<T>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<T>() {
        Ok(id) if allowed.into_iter().any(|a| a == get(id)) => Ok(Some(id)),
        _ => Err(FieldError {
            field,
            message: message.into(),
        }),
    }
}

/// The project chosen in a select: one of `projects` (the client's own), or none.
pub fn project_choice(
    raw: &str,
    projects: &[StaffProjectRow],
) -> Result<Option<ProjectId>, FieldError> {
    choice(
        raw,
        projects.iter().map(|p| p.id),
        ProjectId::get,
        "project_id",
        "Project: choose one of this client's projects, or none.",
    )
}

/// The job chosen in a select, like [`project_choice`].
pub fn job_choice(raw: &str, jobs: &[StaffJobRow]) -> Result<Option<JobId>, FieldError> {
    choice(
        raw,
        jobs.iter().map(|j| j.id),
        JobId::get,
        "job_id",
        "Job: choose one of this client's jobs, or none.",
    )
}

/// The workspace's enabled staff: whom a visit can be assigned to.
pub async fn assignable_staff(state: &AppState, ws: WorkspaceId) -> AppResult<Vec<StaffMember>> {
    let mut staff = state.store.staff_members(ws).await?;
    staff.retain(|m| m.disabled_at.is_none());
    Ok(staff)
}

/// The staff member a visit is assigned to: one of `staff`, or nobody.
pub fn staff_choice(raw: &str, staff: &[StaffMember]) -> Result<Option<StaffUserId>, FieldError> {
    choice(
        raw,
        staff.iter().map(|m| m.id),
        StaffUserId::get,
        "assigned_to",
        "Assigned to: choose a member of the team, or nobody.",
    )
}
