//! Jobs of a client in the back office: create, edit and schedule (SPEC §4 statuses),
//! link to one of the client's projects. The visits on the page are handled in
//! `visits.rs`.
//! The job page embeds the Files panel for attaching files to the job.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use serde::Deserialize;

use super::files::FilesPanel;
use super::record_form::{notice, refused, save, shown, FormErrors, NoticeQuery, Saved};
use super::session::StaffUser;
use super::work_common::{assignable_staff, clip, parse_id, project_choice, workspace_tz};
use crate::app::AppState;
use crate::domain::records::{display_instant, job_status_label};
use crate::domain::request_form::FieldError;
use crate::domain::work_form::{
    all_or_errors, format_local, noted, parse_local, validate_job, JobInput, ValidJob,
    JOB_STATUSES, VISIT_STATUSES,
};
use crate::ids::{ClientId, JobId, ProjectId};
use crate::store::clients::ClientRow;
use crate::store::staff_admin::StaffMember;
use crate::store::staff_files::FileTarget;
use crate::store::submission::{fresh_submission_key, submission_key};
use crate::store::work::NewJob;
use crate::store::work_edit::{StaffJobRow, StaffProjectRow, StaffTaskRow};
use crate::web::error::AppResult;
use crate::web::extract::{Form, Path, Query};
use crate::web::ClientIp;

/// The job form as typed, kept so a refused form shows it again.
#[derive(Deserialize, Default, Clone)]
pub struct JobForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    /// The New form's one-time key (see `store::submission`); empty on an edit.
    #[serde(default)]
    submission_key: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    site_address: String,
    #[serde(default)]
    project_id: String,
    #[serde(default)]
    scheduled_start: String,
    #[serde(default)]
    scheduled_end: String,
    #[serde(default)]
    internal_notes: String,
}

pub struct VisitView {
    pub id: i64,
    pub starts: String,
    pub ends: String,
    /// The times as the reschedule form's `datetime-local` values.
    pub starts_local: String,
    pub ends_local: String,
    pub status: String,
    pub notes: String,
    /// The assignee's id (empty for nobody) and name.
    pub assigned_to: String,
    pub assignee: String,
}

#[derive(Template)]
#[template(path = "staff/job.html")]
pub(super) struct JobPage {
    user: StaffUser,
    client: ClientRow,
    /// `None` on the New job page.
    job: Option<StaffJobRow>,
    form: JobForm,
    errors: Vec<FieldError>,
    projects: Vec<StaffProjectRow>,
    statuses: &'static [&'static str],
    visit_statuses: &'static [&'static str],
    visits: Vec<VisitView>,
    /// Who a visit can be assigned to: the workspace's enabled staff.
    staff: Vec<StaffMember>,
    tasks: Vec<StaffTaskRow>,
    files_panel: Option<FilesPanel>,
    notice: Option<&'static str>,
}

impl FormErrors for JobPage {
    fn errors(&self) -> &[FieldError] {
        &self.errors
    }
}

impl JobPage {
    fn label(&self, status: &str) -> &'static str {
        job_status_label(status)
    }
}

pub(super) fn form_of(job: &StaffJobRow, tz: &str) -> JobForm {
    JobForm {
        csrf: String::new(),
        submission_key: String::new(),
        title: job.title.clone(),
        description: job.description.clone(),
        status: job.status.clone(),
        site_address: job.site_address.clone(),
        project_id: job.project_id.map(|p| p.to_string()).unwrap_or_default(),
        scheduled_start: job
            .scheduled_start
            .map(|ms| format_local(ms, tz))
            .unwrap_or_default(),
        scheduled_end: job
            .scheduled_end
            .map(|ms| format_local(ms, tz))
            .unwrap_or_default(),
        internal_notes: job.internal_notes.clone(),
    }
}

fn shown_again(form: &JobForm) -> JobForm {
    JobForm {
        csrf: String::new(),
        submission_key: submission_key(&form.submission_key).unwrap_or_default(),
        title: clip(&form.title),
        description: clip(&form.description),
        status: clip(&form.status),
        site_address: clip(&form.site_address),
        project_id: clip(&form.project_id),
        scheduled_start: clip(&form.scheduled_start),
        scheduled_end: clip(&form.scheduled_end),
        internal_notes: clip(&form.internal_notes),
    }
}

/// Reads and validates the form; on success the job to store and its project.
fn read_form(
    form: &JobForm,
    tz: &str,
    projects: &[StaffProjectRow],
) -> Result<(ValidJob, Option<ProjectId>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let start = parse_local(
        &form.scheduled_start,
        tz,
        "scheduled_start",
        "Scheduled start",
    );
    let start = noted(start, &mut errors).flatten();
    let end = parse_local(&form.scheduled_end, tz, "scheduled_end", "Scheduled end");
    let end = noted(end, &mut errors).flatten();
    let project = noted(project_choice(&form.project_id, projects), &mut errors).flatten();
    let input = JobInput {
        title: form.title.clone(),
        description: form.description.clone(),
        status: form.status.clone(),
        site_address: form.site_address.clone(),
        scheduled_start: start,
        scheduled_end: end,
        internal_notes: form.internal_notes.clone(),
    };
    all_or_errors(validate_job(&input), errors).map(|valid| (valid, project))
}

fn new_job<'a>(valid: &'a ValidJob, project: Option<ProjectId>) -> NewJob<'a> {
    NewJob {
        project_id: project,
        title: &valid.title,
        description: &valid.description,
        status: valid.status,
        site_address: &valid.site_address,
        scheduled_start: valid.scheduled_start,
        scheduled_end: valid.scheduled_end,
        internal_notes: &valid.internal_notes,
    }
}

pub(super) async fn page(
    state: &AppState,
    user: StaffUser,
    client: ClientRow,
    job: Option<StaffJobRow>,
    form: JobForm,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> AppResult<JobPage> {
    let ws = user.workspace_id;
    let projects = state.store.projects_of(ws, client.id()).await?;
    let (visits, tasks, files_panel) = match &job {
        Some(job) => {
            let tz = workspace_tz(state, ws).await?;
            let id = JobId::from_db(job.id);
            let visits = state
                .store
                .visits_of(ws, id)
                .await?
                .into_iter()
                .map(|v| VisitView {
                    id: v.id,
                    starts: display_instant(v.starts_at, &tz),
                    ends: display_instant(v.ends_at, &tz),
                    starts_local: format_local(v.starts_at, &tz),
                    ends_local: format_local(v.ends_at, &tz),
                    status: v.status,
                    notes: v.notes,
                    assigned_to: v.assigned_to.map(|s| s.to_string()).unwrap_or_default(),
                    assignee: v.assignee_name.unwrap_or_default(),
                })
                .collect();
            let tasks = state
                .store
                .tasks_of(ws, client.id())
                .await?
                .into_iter()
                .filter(|t| t.job_id == Some(job.id))
                .collect();
            let back = format!("/staff/jobs/{id}");
            let panel =
                FilesPanel::for_record(state, &user, client.id(), FileTarget::Job(id), back)
                    .await?;
            (visits, tasks, Some(panel))
        }
        None => (Vec::new(), Vec::new(), None),
    };
    let staff = assignable_staff(state, ws).await?;
    Ok(JobPage {
        user,
        client,
        job,
        form,
        errors,
        projects,
        statuses: &JOB_STATUSES,
        visit_statuses: &VISIT_STATUSES,
        visits,
        staff,
        tasks,
        files_panel,
        notice,
    })
}

/// `GET /staff/clients/{id}/jobs/new`.
pub async fn new_form(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let client = state
        .store
        .client(user.workspace_id, parse_id(&id)?)
        .await?;
    let form = JobForm {
        submission_key: fresh_submission_key(),
        status: "unscheduled".into(),
        site_address: client.site_address.clone(),
        ..JobForm::default()
    };
    shown(page(&state, user, client, None, form, Vec::new(), None).await?)
}

/// `POST /staff/clients/{id}/jobs`.
pub async fn create(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<JobForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let client_id: ClientId = parse_id(&id)?;
    let client = state.store.client(user.workspace_id, client_id).await?;
    let tz = workspace_tz(&state, user.workspace_id).await?;
    let projects = state
        .store
        .projects_of(user.workspace_id, client_id)
        .await?;
    let ws = user.workspace_id;
    let read = read_form(&form, &tz, &projects);
    let st = &state;
    let key = submission_key(&form.submission_key);
    let saved = save(st, &user, &ip, read, |(valid, project)| async move {
        let now = st.clock.now_ms();
        let made = st
            .store
            .create_job_once(
                ws,
                client_id,
                &new_job(&valid, project),
                key.as_deref(),
                now,
            )
            .await?;

        let job = made.value;
        Ok(Saved {
            made_now: made.made_now,
            action: "job.created",
            subject: ("job", job.get()),
            client_id: client_id.get(),
            detail: valid.title,
            next: format!("/staff/jobs/{job}?notice=created"),
        })
    })
    .await?;
    let errors = match saved {
        Ok(done) => return Ok(done),
        Err(errors) => errors,
    };
    refused(page(&state, user, client, None, shown_again(&form), errors, None).await?)
}

fn more_notices(notice: Option<&str>) -> Option<&'static str> {
    match notice {
        Some("visit-added") => Some("Visit added."),
        Some("visit-saved") => Some("Visit updated."),
        other => super::clients::notice_text(other),
    }
}

/// `GET /staff/jobs/{id}`.
pub async fn show(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    let job = state
        .store
        .job_row(user.workspace_id, parse_id(&id)?)
        .await?;
    let client = state
        .store
        .client(user.workspace_id, ClientId::from_db(job.client_id))
        .await?;
    let tz = workspace_tz(&state, user.workspace_id).await?;
    let form = form_of(&job, &tz);
    let notice = notice(&q, "Job created.", "Job saved.", more_notices);
    shown(page(&state, user, client, Some(job), form, Vec::new(), notice).await?)
}

/// `POST /staff/jobs/{id}`: saves the edit form.
pub async fn update(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<JobForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let job_id: JobId = parse_id(&id)?;
    let job = state.store.job_row(user.workspace_id, job_id).await?;
    let client_id = ClientId::from_db(job.client_id);
    let client = state.store.client(user.workspace_id, client_id).await?;
    let tz = workspace_tz(&state, user.workspace_id).await?;
    let projects = state
        .store
        .projects_of(user.workspace_id, client_id)
        .await?;
    let ws = user.workspace_id;
    let read = read_form(&form, &tz, &projects);
    let st = &state;
    let saved = save(st, &user, &ip, read, |(valid, project)| async move {
        let now = st.clock.now_ms();
        st.store
            .update_job(ws, job_id, &new_job(&valid, project), now)
            .await?;
        Ok(Saved {
            made_now: true,
            action: "job.updated",
            subject: ("job", job_id.get()),
            client_id: client_id.get(),
            detail: format!("{} ({})", valid.title, valid.status),
            next: format!("/staff/jobs/{job_id}?notice=saved"),
        })
    })
    .await?;
    let errors = match saved {
        Ok(done) => return Ok(done),
        Err(errors) => errors,
    };
    refused(
        page(
            &state,
            user,
            client,
            Some(job),
            shown_again(&form),
            errors,
            None,
        )
        .await?,
    )
}
