//! Visits on the job page: add one, reschedule or reassign it, mark it done or
//! cancelled. Times are typed in the workspace's time zone; the end must come after the
//! start. The client's portal reads the same rows, so it shows the new time at once.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::jobs::{form_of, page};
use super::record_form::refused;
use super::session::StaffUser;
use super::work_common::{assignable_staff, parse_id, staff_choice, workspace_tz};
use crate::app::AppState;
use crate::domain::records::display_instant;
use crate::domain::request_form::FieldError;
use crate::domain::work_form::{
    all_or_errors, noted, parse_local, validate_visit, visit_notes, VISIT_STATUSES,
};
use crate::ids::{ClientId, JobId, StaffUserId, VisitId};
use crate::store::work::NewVisit;
use crate::store::work_edit::StaffJobRow;
use crate::store::StoreError;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{Form, Path};
use crate::web::ClientIp;

#[derive(Deserialize)]
pub struct VisitForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    /// Empty keeps the visit's status (a new visit is scheduled).
    #[serde(default)]
    status: String,
    #[serde(default)]
    notes: String,
    /// A staff member's id; empty is nobody.
    #[serde(default)]
    assigned_to: String,
}

/// A visit read from the form, ready to store.
struct ValidVisit {
    starts_at: i64,
    ends_at: i64,
    status: &'static str,
    notes: String,
    assigned_to: Option<StaffUserId>,
}

impl ValidVisit {
    fn new_visit(&self) -> NewVisit<'_> {
        NewVisit {
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            status: self.status,
            assigned_to: self.assigned_to,
            notes: &self.notes,
        }
    }
}

/// Reads and validates the form; `current_status` stands in for an empty status.
async fn read_form(
    state: &AppState,
    user: &StaffUser,
    form: &VisitForm,
    current_status: &str,
) -> AppResult<Result<ValidVisit, Vec<FieldError>>> {
    let tz = workspace_tz(state, user.workspace_id).await?;
    let staff = assignable_staff(state, user.workspace_id).await?;
    let mut errors = Vec::new();
    let starts = parse_local(&form.starts_at, &tz, "starts_at", "Starts");
    let starts = noted(starts, &mut errors).flatten();
    let ends = parse_local(&form.ends_at, &tz, "ends_at", "Ends");
    let ends = noted(ends, &mut errors).flatten();
    let notes = noted(visit_notes(&form.notes), &mut errors).unwrap_or_default();
    let assigned_to = noted(staff_choice(&form.assigned_to, &staff), &mut errors).flatten();
    let status = if form.status.trim().is_empty() {
        current_status
    } else {
        form.status.as_str()
    };
    Ok(
        all_or_errors(validate_visit(starts, ends, status), errors).map(
            |(starts_at, ends_at, status)| ValidVisit {
                starts_at,
                ends_at,
                status,
                notes,
                assigned_to,
            },
        ),
    )
}

/// The job page again, with the visit form's errors.
async fn visit_refused(
    state: &AppState,
    user: StaffUser,
    job: StaffJobRow,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let client = state
        .store
        .client(user.workspace_id, ClientId::from_db(job.client_id))
        .await?;
    let tz = workspace_tz(state, user.workspace_id).await?;
    let form = form_of(&job, &tz);
    refused(page(state, user, client, Some(job), form, errors, None).await?)
}

/// An assignee who was disabled between the page and the post.
fn gone_assignee(e: StoreError, assigned: bool) -> AppResult<Vec<FieldError>> {
    match e {
        StoreError::NotFound if assigned => Ok(vec![FieldError {
            field: "assigned_to",
            message: "Assigned to: choose a member of the team, or nobody.".into(),
        }]),
        other => Err(other.into()),
    }
}

/// `POST /staff/jobs/{id}/visits`.
pub async fn add_visit(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<VisitForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let job_id: JobId = parse_id(&id)?;
    let job = state.store.job_row(user.workspace_id, job_id).await?;
    let valid = match read_form(&state, &user, &form, "scheduled").await? {
        Ok(valid) => valid,
        Err(errors) => return visit_refused(&state, user, job, errors).await,
    };
    let now = state.clock.now_ms();
    let visit = match state
        .store
        .create_visit(user.workspace_id, job_id, &valid.new_visit(), now)
        .await
    {
        Ok(visit) => visit,
        Err(e) => {
            return visit_refused(
                &state,
                user,
                job,
                gone_assignee(e, valid.assigned_to.is_some())?,
            )
            .await
        }
    };
    let tz = workspace_tz(&state, user.workspace_id).await?;
    let detail = format!("{} {}", job.number, display_instant(valid.starts_at, &tz));
    user.audit(
        &state,
        "visit.created",
        ("visit", visit.get()),
        Some(job.client_id),
        &ip,
        &detail,
    )
    .await?;
    Ok(Redirect::to(&format!("/staff/jobs/{job_id}?notice=visit-added")).into_response())
}

/// `POST /staff/visits/{id}`: reschedules, reassigns or re-notes a visit.
pub async fn update_visit(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<VisitForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let visit_id: VisitId = parse_id(&id)?;
    let ws = user.workspace_id;
    let visit = state.store.visit_row(ws, visit_id).await?;
    let job = state
        .store
        .job_row(ws, JobId::from_db(visit.job_id))
        .await?;
    let valid = match read_form(&state, &user, &form, &visit.status).await? {
        Ok(valid) => valid,
        Err(errors) => return visit_refused(&state, user, job, errors).await,
    };
    let now = state.clock.now_ms();
    if let Err(e) = state
        .store
        .update_visit(ws, visit_id, &valid.new_visit(), now)
        .await
    {
        return visit_refused(
            &state,
            user,
            job,
            gone_assignee(e, valid.assigned_to.is_some())?,
        )
        .await;
    }
    let tz = workspace_tz(&state, ws).await?;
    let detail = format!(
        "{} {} → {}",
        job.number,
        display_instant(visit.starts_at, &tz),
        display_instant(valid.starts_at, &tz)
    );
    user.audit(
        &state,
        "visit.rescheduled",
        ("visit", visit_id.get()),
        Some(job.client_id),
        &ip,
        &detail,
    )
    .await?;
    Ok(Redirect::to(&format!("/staff/jobs/{}?notice=visit-saved", job.id)).into_response())
}

#[derive(Deserialize)]
pub struct VisitStatusForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    status: String,
}

/// `POST /staff/visits/{id}/status`.
pub async fn visit_status(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<VisitStatusForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let visit: VisitId = parse_id(&id)?;
    let Some(status) = VISIT_STATUSES.iter().find(|s| **s == form.status) else {
        return Err(AppError::BadRequest(
            "Status: choose scheduled, completed or cancelled.".into(),
        ));
    };
    let job_id = state
        .store
        .set_visit_status(user.workspace_id, visit, status, state.clock.now_ms())
        .await?;
    let job = state.store.job_row(user.workspace_id, job_id).await?;
    user.audit(
        &state,
        "visit.updated",
        ("visit", visit.get()),
        Some(job.client_id),
        &ip,
        status,
    )
    .await?;
    Ok(Redirect::to(&format!("/staff/jobs/{job_id}?notice=visit-saved")).into_response())
}
