//! Tasks of a client in the back office, optionally inside one of its projects and on
//! one of its jobs. Only tasks marked "shared with client" show in the portal.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use serde::Deserialize;

use super::record_form::{no_more, notice, refused, save, shown, FormErrors, NoticeQuery, Saved};
use super::session::StaffUser;
use super::work_common::{clip, job_choice, parse_id, project_choice};
use crate::app::AppState;
use crate::domain::request_form::FieldError;
use crate::domain::work_form::{all_or_errors, noted, validate_task, TaskInput, ValidTask};
use crate::ids::{ClientId, JobId, ProjectId, TaskId};
use crate::store::clients::ClientRow;
use crate::store::submission::{fresh_submission_key, submission_key};
use crate::store::work::NewTask;
use crate::store::work_edit::{StaffJobRow, StaffProjectRow, StaffTaskRow};
use crate::web::error::AppResult;
use crate::web::extract::{Form, Path, Query};
use crate::web::ClientIp;

#[derive(Deserialize, Default, Clone)]
pub struct TaskForm {
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
    due_date: String,
    #[serde(default)]
    project_id: String,
    #[serde(default)]
    job_id: String,
    /// A checkbox: present (any value) when ticked.
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    shared_with_client: Option<String>,
}

impl TaskForm {
    fn shown_again(&self) -> Self {
        Self {
            csrf: String::new(),
            submission_key: submission_key(&self.submission_key).unwrap_or_default(),
            title: clip(&self.title),
            description: clip(&self.description),
            due_date: clip(&self.due_date),
            project_id: clip(&self.project_id),
            job_id: clip(&self.job_id),
            done: self.done.as_ref().map(|_| "on".into()),
            shared_with_client: self.shared_with_client.as_ref().map(|_| "on".into()),
        }
    }

    fn of(t: &StaffTaskRow) -> Self {
        let on = |b: bool| b.then(|| "on".to_string());
        Self {
            csrf: String::new(),
            submission_key: String::new(),
            title: t.title.clone(),
            description: t.description.clone(),
            due_date: t.due_date.clone().unwrap_or_default(),
            project_id: t.project_id.map(|p| p.to_string()).unwrap_or_default(),
            job_id: t.job_id.map(|j| j.to_string()).unwrap_or_default(),
            done: on(t.done()),
            shared_with_client: on(t.shared()),
        }
    }
}

#[derive(Template)]
#[template(path = "staff/task.html")]
struct TaskPage {
    user: StaffUser,
    client: ClientRow,
    task: Option<StaffTaskRow>,
    form: TaskForm,
    errors: Vec<FieldError>,
    projects: Vec<StaffProjectRow>,
    jobs: Vec<StaffJobRow>,
    notice: Option<&'static str>,
}

impl FormErrors for TaskPage {
    fn errors(&self) -> &[FieldError] {
        &self.errors
    }
}

type Links = (Option<ProjectId>, Option<JobId>);

/// Validates the form against the client's own projects and jobs.
fn read_form(
    form: &TaskForm,
    projects: &[StaffProjectRow],
    jobs: &[StaffJobRow],
) -> Result<(ValidTask, Links), Vec<FieldError>> {
    let mut errors = Vec::new();
    let input = TaskInput {
        title: form.title.clone(),
        description: form.description.clone(),
        due_date: form.due_date.clone(),
        done: form.done.is_some(),
        shared_with_client: form.shared_with_client.is_some(),
    };
    let project = noted(project_choice(&form.project_id, projects), &mut errors).flatten();
    let job = noted(job_choice(&form.job_id, jobs), &mut errors).flatten();
    all_or_errors(validate_task(&input), errors).map(|valid| (valid, (project, job)))
}

fn new_task(v: &ValidTask, links: Links, now_ms: i64) -> NewTask<'_> {
    NewTask {
        project_id: links.0,
        job_id: links.1,
        title: &v.title,
        description: &v.description,
        due_date: v.due_date.as_deref(),
        done_at: v.done.then_some(now_ms),
        shared_with_client: v.shared_with_client,
    }
}

async fn page(
    state: &AppState,
    user: StaffUser,
    client: ClientRow,
    task: Option<StaffTaskRow>,
    form: TaskForm,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> AppResult<TaskPage> {
    let projects = state
        .store
        .projects_of(user.workspace_id, client.id())
        .await?;
    let jobs = state.store.jobs_of(user.workspace_id, client.id()).await?;
    Ok(TaskPage {
        user,
        client,
        task,
        form,
        errors,
        projects,
        jobs,
        notice,
    })
}

#[derive(Deserialize)]
pub struct NewTaskQuery {
    #[serde(default)]
    project_id: String,
    #[serde(default)]
    job_id: String,
}

/// `GET /staff/clients/{id}/tasks/new` (optionally preset to a project or job).
pub async fn new_form(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    Query(q): Query<NewTaskQuery>,
) -> AppResult<Html<String>> {
    let client = state
        .store
        .client(user.workspace_id, parse_id(&id)?)
        .await?;
    let form = TaskForm {
        submission_key: fresh_submission_key(),
        project_id: clip(&q.project_id),
        job_id: clip(&q.job_id),
        ..TaskForm::default()
    };
    shown(page(&state, user, client, None, form, Vec::new(), None).await?)
}

/// `POST /staff/clients/{id}/tasks`.
pub async fn create(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<TaskForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let client_id: ClientId = parse_id(&id)?;
    let client = state.store.client(user.workspace_id, client_id).await?;
    let ws = user.workspace_id;
    let projects = state.store.projects_of(ws, client_id).await?;
    let jobs = state.store.jobs_of(ws, client_id).await?;
    let st = &state;
    let read = read_form(&form, &projects, &jobs);
    let key = submission_key(&form.submission_key);
    let saved = save(st, &user, &ip, read, |(valid, links)| async move {
        let now = st.clock.now_ms();
        let made = st
            .store
            .create_task_once(
                ws,
                client_id,
                &new_task(&valid, links, now),
                key.as_deref(),
                now,
            )
            .await?;

        let t = made.value;
        Ok(Saved {
            made_now: made.made_now,
            action: "task.created",
            subject: ("task", t.get()),
            client_id: client_id.get(),
            detail: valid.title,
            next: format!("/staff/tasks/{t}?notice=created"),
        })
    })
    .await?;
    let errors = match saved {
        Ok(done) => return Ok(done),
        Err(errors) => errors,
    };
    refused(page(&state, user, client, None, form.shown_again(), errors, None).await?)
}

/// `GET /staff/tasks/{id}`.
pub async fn show(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    let task = state
        .store
        .task_row(user.workspace_id, parse_id(&id)?)
        .await?;
    let client = state
        .store
        .client(user.workspace_id, ClientId::from_db(task.client_id))
        .await?;
    let notice = notice(&q, "Task created.", "Task saved.", no_more);
    let form = TaskForm::of(&task);
    shown(page(&state, user, client, Some(task), form, Vec::new(), notice).await?)
}

/// `POST /staff/tasks/{id}`.
pub async fn update(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<TaskForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let task_id: TaskId = parse_id(&id)?;
    let ws = user.workspace_id;
    let task = state.store.task_row(ws, task_id).await?;
    let client_id = ClientId::from_db(task.client_id);
    let client = state.store.client(ws, client_id).await?;
    let projects = state.store.projects_of(ws, client_id).await?;
    let jobs = state.store.jobs_of(ws, client_id).await?;
    let st = &state;
    let read = read_form(&form, &projects, &jobs);
    let saved = save(st, &user, &ip, read, |(valid, links)| async move {
        let now = st.clock.now_ms();
        st.store
            .update_task(ws, task_id, &new_task(&valid, links, now), now)
            .await?;
        let done = if valid.done { ", done" } else { "" };
        let shared = if valid.shared_with_client {
            ", shared with client"
        } else {
            ""
        };
        Ok(Saved {
            made_now: true,
            action: "task.updated",
            subject: ("task", task_id.get()),
            client_id: client_id.get(),
            detail: format!("{}{done}{shared}", valid.title),
            next: format!("/staff/tasks/{task_id}?notice=saved"),
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
            Some(task),
            form.shown_again(),
            errors,
            None,
        )
        .await?,
    )
}
