//! Projects of a client in the back office: create and edit (status, progress, dates);
//! the project page lists the jobs and tasks linked to it.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use serde::Deserialize;

use super::record_form::{no_more, notice, refused, save, shown, FormErrors, NoticeQuery, Saved};
use super::session::StaffUser;
use super::work_common::{clip, parse_id};
use crate::app::AppState;
use crate::domain::request_form::FieldError;
use crate::domain::work_form::{validate_project, ProjectInput, ValidProject, PROJECT_STATUSES};
use crate::ids::{ClientId, ProjectId};
use crate::store::clients::ClientRow;
use crate::store::submission::{fresh_submission_key, submission_key};
use crate::store::work::NewProject;
use crate::store::work_edit::{StaffJobRow, StaffProjectRow, StaffTaskRow};
use crate::web::error::AppResult;
use crate::web::extract::{Form, Path, Query};
use crate::web::ClientIp;

#[derive(Deserialize, Default, Clone)]
pub struct ProjectForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    /// The New form's one-time key (see `store::submission`); empty on an edit.
    #[serde(default)]
    submission_key: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    progress_pct: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    internal_notes: String,
}

impl ProjectForm {
    fn input(&self) -> ProjectInput {
        ProjectInput {
            name: self.name.clone(),
            description: self.description.clone(),
            status: self.status.clone(),
            progress_pct: self.progress_pct.clone(),
            start_date: self.start_date.clone(),
            due_date: self.due_date.clone(),
            internal_notes: self.internal_notes.clone(),
        }
    }

    fn shown_again(&self) -> Self {
        Self {
            csrf: String::new(),
            submission_key: submission_key(&self.submission_key).unwrap_or_default(),
            name: clip(&self.name),
            description: clip(&self.description),
            status: clip(&self.status),
            progress_pct: clip(&self.progress_pct),
            start_date: clip(&self.start_date),
            due_date: clip(&self.due_date),
            internal_notes: clip(&self.internal_notes),
        }
    }

    fn of(p: &StaffProjectRow) -> Self {
        Self {
            csrf: String::new(),
            submission_key: String::new(),
            name: p.name.clone(),
            description: p.description.clone(),
            status: p.status.clone(),
            progress_pct: p.progress_pct.to_string(),
            start_date: p.start_date.clone().unwrap_or_default(),
            due_date: p.due_date.clone().unwrap_or_default(),
            internal_notes: p.internal_notes.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "staff/project.html")]
struct ProjectPage {
    user: StaffUser,
    client: ClientRow,
    project: Option<StaffProjectRow>,
    form: ProjectForm,
    errors: Vec<FieldError>,
    statuses: &'static [&'static str],
    jobs: Vec<StaffJobRow>,
    tasks: Vec<StaffTaskRow>,
    notice: Option<&'static str>,
}

impl FormErrors for ProjectPage {
    fn errors(&self) -> &[FieldError] {
        &self.errors
    }
}

impl ProjectPage {
    fn label(&self, status: &str) -> String {
        crate::store::work_edit::project_status_label(status)
    }
}

fn new_project(v: &ValidProject) -> NewProject<'_> {
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

async fn page(
    state: &AppState,
    user: StaffUser,
    client: ClientRow,
    project: Option<StaffProjectRow>,
    form: ProjectForm,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> AppResult<ProjectPage> {
    let (jobs, tasks) = match &project {
        Some(p) => {
            let ws = user.workspace_id;
            let jobs = state.store.jobs_of(ws, client.id()).await?;
            let tasks = state.store.tasks_of(ws, client.id()).await?;
            (
                jobs.into_iter()
                    .filter(|j| j.project_id == Some(p.id))
                    .collect(),
                tasks
                    .into_iter()
                    .filter(|t| t.project_id == Some(p.id))
                    .collect(),
            )
        }
        None => (Vec::new(), Vec::new()),
    };
    Ok(ProjectPage {
        user,
        client,
        project,
        form,
        errors,
        statuses: &PROJECT_STATUSES,
        jobs,
        tasks,
        notice,
    })
}

/// `GET /staff/clients/{id}/projects/new`.
pub async fn new_form(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let client = state
        .store
        .client(user.workspace_id, parse_id(&id)?)
        .await?;
    let form = ProjectForm {
        submission_key: fresh_submission_key(),
        status: "planned".into(),
        progress_pct: "0".into(),
        ..ProjectForm::default()
    };
    shown(page(&state, user, client, None, form, Vec::new(), None).await?)
}

/// `POST /staff/clients/{id}/projects`.
pub async fn create(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<ProjectForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let client_id: ClientId = parse_id(&id)?;
    let client = state.store.client(user.workspace_id, client_id).await?;
    let ws = user.workspace_id;
    let st = &state;
    let read = validate_project(&form.input());
    let key = submission_key(&form.submission_key);
    let saved = save(st, &user, &ip, read, |valid| async move {
        let now = st.clock.now_ms();
        let made = st
            .store
            .create_project_once(ws, client_id, &new_project(&valid), key.as_deref(), now)
            .await?;

        let p = made.value;
        Ok(Saved {
            made_now: made.made_now,
            action: "project.created",
            subject: ("project", p.get()),
            client_id: client_id.get(),
            detail: valid.name,
            next: format!("/staff/projects/{p}?notice=created"),
        })
    })
    .await?;
    let errors = match saved {
        Ok(done) => return Ok(done),
        Err(errors) => errors,
    };
    refused(page(&state, user, client, None, form.shown_again(), errors, None).await?)
}

/// `GET /staff/projects/{id}`.
pub async fn show(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    let project = state
        .store
        .project_row(user.workspace_id, parse_id(&id)?)
        .await?;
    let client = state
        .store
        .client(user.workspace_id, ClientId::from_db(project.client_id))
        .await?;
    let notice = notice(&q, "Project created.", "Project saved.", no_more);
    let form = ProjectForm::of(&project);
    shown(
        page(
            &state,
            user,
            client,
            Some(project),
            form,
            Vec::new(),
            notice,
        )
        .await?,
    )
}

/// `POST /staff/projects/{id}`.
pub async fn update(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<ProjectForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let project_id: ProjectId = parse_id(&id)?;
    let project = state
        .store
        .project_row(user.workspace_id, project_id)
        .await?;
    let client_id = ClientId::from_db(project.client_id);
    let client = state.store.client(user.workspace_id, client_id).await?;
    let ws = user.workspace_id;
    let st = &state;
    let read = validate_project(&form.input());
    let saved = save(st, &user, &ip, read, |valid| async move {
        let now = st.clock.now_ms();
        st.store
            .update_project(ws, project_id, &new_project(&valid), now)
            .await?;
        Ok(Saved {
            made_now: true,
            action: "project.updated",
            subject: ("project", project_id.get()),
            client_id: client_id.get(),
            detail: format!("{} ({}, {}%)", valid.name, valid.status, valid.progress_pct),
            next: format!("/staff/projects/{project_id}?notice=saved"),
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
            Some(project),
            form.shown_again(),
            errors,
            None,
        )
        .await?,
    )
}
