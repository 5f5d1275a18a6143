//! Projects of a client in the back office: create and edit (status, progress, dates);
//! the project page lists the jobs and tasks linked to it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::StaffUser;
use super::work_common::{clip, errors_from_store, parse_id};
use crate::app::AppState;
use crate::domain::request_form::FieldError;
use crate::domain::work_form::{validate_project, ProjectInput, ValidProject, PROJECT_STATUSES};
use crate::ids::{ClientId, ProjectId};
use crate::store::clients::ClientRow;
use crate::store::work::NewProject;
use crate::store::work_edit::{StaffJobRow, StaffProjectRow, StaffTaskRow};
use crate::web::error::AppResult;
use crate::web::extract::{Form, Path, Query};
use crate::web::ClientIp;

#[derive(Deserialize, Default, Clone)]
pub struct ProjectForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
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

impl ProjectPage {
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

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

fn refused(page: ProjectPage) -> AppResult<Response> {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
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
        status: "planned".into(),
        progress_pct: "0".into(),
        ..ProjectForm::default()
    };
    Ok(Html(
        page(&state, user, client, None, form, Vec::new(), None)
            .await?
            .render()?,
    ))
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
    let errors = match validate_project(&form.input()) {
        Ok(valid) => {
            let now = state.clock.now_ms();
            match state
                .store
                .create_project(user.workspace_id, client_id, &new_project(&valid), now)
                .await
            {
                Ok(p) => {
                    user.audit(
                        &state,
                        "project.created",
                        ("project", p.get()),
                        Some(client_id.get()),
                        &ip,
                        &valid.name,
                    )
                    .await?;
                    return Ok(Redirect::to(&format!("/staff/projects/{p}?notice=created"))
                        .into_response());
                }
                Err(e) => errors_from_store(e)?,
            }
        }
        Err(errors) => errors,
    };
    refused(page(&state, user, client, None, form.shown_again(), errors, None).await?)
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    notice: Option<String>,
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
    let notice = match q.notice.as_deref() {
        Some("created") => Some("Project created."),
        Some("saved") => Some("Project saved."),
        _ => None,
    };
    let form = ProjectForm::of(&project);
    Ok(Html(
        page(
            &state,
            user,
            client,
            Some(project),
            form,
            Vec::new(),
            notice,
        )
        .await?
        .render()?,
    ))
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
    let errors = match validate_project(&form.input()) {
        Ok(valid) => {
            let now = state.clock.now_ms();
            match state
                .store
                .update_project(user.workspace_id, project_id, &new_project(&valid), now)
                .await
            {
                Ok(()) => {
                    let detail =
                        format!("{} ({}, {}%)", valid.name, valid.status, valid.progress_pct);
                    user.audit(
                        &state,
                        "project.updated",
                        ("project", project_id.get()),
                        Some(client_id.get()),
                        &ip,
                        &detail,
                    )
                    .await?;
                    return Ok(
                        Redirect::to(&format!("/staff/projects/{project_id}?notice=saved"))
                            .into_response(),
                    );
                }
                Err(e) => errors_from_store(e)?,
            }
        }
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
