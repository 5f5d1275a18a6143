//! Rescheduling and assigning a job's visit: `PATCH /api/v1/jobs/{id}/visits/{visit_id}`.
//! Validation is the back office's (`domain::work_form`): times parse, the end comes
//! after the start, local times are read in the workspace's time zone, and the assignee
//! is an enabled member of the workspace's staff.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::ApiCaller;
use super::error::{ApiError, ApiErrorBody, ApiResult};
use super::extract::{ApiJson, ApiPath};
use super::work::{id_of, nullable};
use crate::app::AppState;
use crate::domain::request_form::FieldError;
use crate::domain::work_form::{all_or_errors, noted, parse_instant, validate_visit, visit_notes};
use crate::ids::{JobId, StaffUserId, VisitId};
use crate::store::work::NewVisit;
use crate::store::work_edit::VisitRow;
use crate::web::ClientIp;

/// A visit of a job. Times are milliseconds since the Unix epoch.
#[derive(Debug, Serialize, ToSchema)]
pub struct Visit {
    pub id: String,
    pub job_id: String,
    pub starts_at: i64,
    pub ends_at: i64,
    /// scheduled, completed or cancelled.
    pub status: String,
    /// The staff member's id, or null for nobody.
    pub assigned_to: Option<String>,
    pub notes: String,
}

impl From<VisitRow> for Visit {
    fn from(v: VisitRow) -> Self {
        Self {
            id: v.id.to_string(),
            job_id: v.job_id.to_string(),
            starts_at: v.starts_at,
            ends_at: v.ends_at,
            status: v.status,
            assigned_to: v.assigned_to.map(|s| s.to_string()),
            notes: v.notes,
        }
    }
}

/// Changes to a visit; fields left out keep their value, `"assigned_to": null` unassigns.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitPatch {
    /// RFC 3339 with an offset (`2026-03-04T06:00:00Z`), or a local date and time
    /// (`2026-03-04T10:00`) in the workspace's time zone.
    #[schema(example = "2026-03-04T10:00")]
    pub starts_at: Option<String>,
    /// As `starts_at`; must come after it.
    #[schema(example = "2026-03-04T12:00")]
    pub ends_at: Option<String>,
    /// scheduled, completed or cancelled.
    pub status: Option<String>,
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
    /// The id of an enabled member of the workspace's staff.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable)]
    pub assigned_to: Option<Option<String>>,
}

/// Reads a time of the patch, or keeps the old one.
fn instant(
    raw: Option<&str>,
    old: i64,
    tz: &str,
    field: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<i64> {
    match raw {
        None => Some(old),
        Some(raw) => match parse_instant(raw, tz, field, field) {
            Ok(Some(ms)) => Some(ms),
            Ok(None) => {
                errors.push(FieldError {
                    field,
                    message: format!("{field}: please give a date and time."),
                });
                None
            }
            Err(e) => {
                errors.push(e);
                None
            }
        },
    }
}

#[utoipa::path(patch, path = "/api/v1/jobs/{id}/visits/{visit_id}", tag = "jobs",
    params(("id" = String, Path, description = "Job id"),
           ("visit_id" = String, Path, description = "Visit id")),
    request_body = VisitPatch,
    responses(
        (status = 200, description = "Updated", body = Visit),
        (status = 400, description = "Not JSON, or unknown fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such visit of this job in this workspace", body = ApiErrorBody),
        (status = 422, description = "A field is not valid; nothing was changed", body = ApiErrorBody),
    ))]
pub async fn update_visit(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath((job, visit)): ApiPath<(String, String)>,
    ApiJson(patch): ApiJson<VisitPatch>,
) -> ApiResult<Json<Visit>> {
    let ws = caller.workspace_id;
    let job: JobId = id_of(&job)?;
    let id: VisitId = id_of(&visit)?;
    let old = state.store.visit_row(ws, id).await?;
    if old.job_id != job.get() {
        return Err(ApiError::not_found());
    }
    let tz = state.store.workspace(ws).await?.time_zone;
    let mut errors = Vec::new();
    let starts = instant(
        patch.starts_at.as_deref(),
        old.starts_at,
        &tz,
        "starts_at",
        &mut errors,
    );
    let ends = instant(
        patch.ends_at.as_deref(),
        old.ends_at,
        &tz,
        "ends_at",
        &mut errors,
    );
    let notes = match patch.notes.as_deref() {
        None => Some(old.notes.clone()),
        Some(raw) => noted(visit_notes(raw), &mut errors),
    };
    let assigned_to = match patch.assigned_to {
        None => old.assigned_to.map(StaffUserId::from_db),
        Some(None) => None,
        Some(Some(raw)) => {
            let staff = state.store.staff_members(ws).await?;
            let found = raw.parse::<StaffUserId>().ok().filter(|s| {
                staff
                    .iter()
                    .any(|m| m.id == s.get() && m.disabled_at.is_none())
            });
            if found.is_none() {
                errors.push(FieldError {
                    field: "assigned_to",
                    message: "assigned_to: no such staff member in this workspace.".into(),
                });
            }
            found
        }
    };
    let status = patch.status.unwrap_or(old.status.clone());
    let (starts_at, ends_at, status) = all_or_errors(validate_visit(starts, ends, &status), errors)
        .map_err(ApiError::validation)?;
    let notes = notes.unwrap_or_default();
    let new = NewVisit {
        starts_at,
        ends_at,
        status,
        assigned_to,
        notes: &notes,
    };
    state
        .store
        .update_visit(ws, id, &new, state.clock.now_ms())
        .await?;
    let job_row = state.store.job_row(ws, job).await?;
    let detail = format!("{} {starts_at}–{ends_at}", job_row.number);
    caller
        .audit(
            &state,
            &ip,
            "visit.rescheduled",
            ("visit", id.get()),
            Some(job_row.client_id),
            &detail,
        )
        .await?;
    Ok(Json(state.store.visit_row(ws, id).await?.into()))
}
