//! Tasks, projects and jobs: what the team is doing for the client (SPEC §4).

use crate::web::extract::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::response::Html;

use super::documents::parse_id;
use super::session::PortalUser;
use super::view::{page_context, ListChrome, ListControls, ListQuery, Shell, PAGE_SIZE};
use crate::app::AppState;
use crate::domain::portal_view::{
    project_status_label, JOB_FILTERS, PROJECT_FILTERS, TASK_FILTERS,
};
use crate::domain::records::{display_date, display_instant, job_status_label};
use crate::store::portal_records::{JobRow, ProjectRow, TaskParent, TaskRow};
use crate::web::error::{AppError, AppResult};

pub struct TaskView {
    pub id: i64,
    pub title: String,
    pub project: String,
    pub due: String,
    pub done: bool,
}

fn due_text(due: &Option<String>) -> String {
    due.as_deref()
        .map(display_date)
        .unwrap_or_else(|| "no date".into())
}

fn task_view(t: &TaskRow) -> TaskView {
    TaskView {
        id: t.id,
        title: t.title.clone(),
        project: t.project_name.clone().unwrap_or_default(),
        due: due_text(&t.due_date),
        done: t.done_at.is_some(),
    }
}

#[derive(Template)]
#[template(path = "portal/tasks.html")]
struct TaskList {
    shell: Shell,
    list: ListChrome,
    rows: Vec<TaskView>,
    empty: &'static str,
}

pub async fn tasks(
    State(state): State<AppState>,
    user: PortalUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Html<String>> {
    const BASE: &str = "/portal/tasks";
    let controls = ListControls::parse(BASE, TASK_FILTERS, &q)?;
    let ctx = page_context(&state, &user, "tasks").await?;
    let page = state
        .store
        .portal_tasks(
            user.scope,
            controls.filter.condition(ctx.today).as_str(),
            controls.after.as_ref(),
            PAGE_SIZE,
        )
        .await?;
    let rows = page
        .rows
        .iter()
        .map(|t| TaskView {
            id: t.id,
            title: t.title.clone(),
            project: t.project_name.clone().unwrap_or_default(),
            due: due_text(&t.due_date),
            done: t.done_at.is_some(),
        })
        .collect();
    let empty = match controls.filter.key {
        "open" => "Nothing on your list — no open tasks.",
        "" => "No tasks shared with you yet.",
        _ => "No tasks with this status.",
    };
    let view = TaskList {
        shell: ctx.shell,
        list: controls.chrome(BASE, &page.next),
        rows,
        empty,
    };
    Ok(Html(view.render()?))
}

#[derive(Template)]
#[template(path = "portal/task.html")]
struct TaskPage {
    shell: Shell,
    task: TaskRow,
    due: String,
    done: bool,
    done_at: Option<String>,
}

pub async fn task(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let id = parse_id(&id)?;
    let task = state
        .store
        .portal_task(user.scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ctx = page_context(&state, &user, "tasks").await?;
    let view = TaskPage {
        due: due_text(&task.due_date),
        done: task.done_at.is_some(),
        done_at: task
            .done_at
            .map(|ms| display_instant(ms, &ctx.workspace.time_zone)),
        shell: ctx.shell,
        task,
    };
    Ok(Html(view.render()?))
}

pub struct ProjectView {
    pub id: i64,
    pub name: String,
    pub status_label: &'static str,
    pub progress: i64,
    pub dates: String,
}

fn dates(start: &Option<String>, due: &Option<String>) -> String {
    match (start, due) {
        (Some(s), Some(d)) => format!("{} – {}", display_date(s), display_date(d)),
        (Some(s), None) => format!("from {}", display_date(s)),
        (None, Some(d)) => format!("due {}", display_date(d)),
        (None, None) => "dates to be agreed".into(),
    }
}

#[derive(Template)]
#[template(path = "portal/projects.html")]
struct ProjectList {
    shell: Shell,
    list: ListChrome,
    rows: Vec<ProjectView>,
    empty: &'static str,
}

pub async fn projects(
    State(state): State<AppState>,
    user: PortalUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Html<String>> {
    const BASE: &str = "/portal/projects";
    let controls = ListControls::parse(BASE, PROJECT_FILTERS, &q)?;
    let ctx = page_context(&state, &user, "projects").await?;
    let page = state
        .store
        .portal_projects(
            user.scope,
            controls.filter.condition(ctx.today).as_str(),
            controls.after.as_ref(),
            PAGE_SIZE,
        )
        .await?;
    let rows = page
        .rows
        .iter()
        .map(|p| ProjectView {
            id: p.id,
            name: p.name.clone(),
            status_label: project_status_label(&p.status),
            progress: p.progress_pct.clamp(0, 100),
            dates: dates(&p.start_date, &p.due_date),
        })
        .collect();
    let empty = if controls.filter.key.is_empty() {
        "No projects yet."
    } else {
        "No projects with this status."
    };
    let view = ProjectList {
        shell: ctx.shell,
        list: controls.chrome(BASE, &page.next),
        rows,
        empty,
    };
    Ok(Html(view.render()?))
}

pub struct JobCard {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub status_label: &'static str,
}

#[derive(Template)]
#[template(path = "portal/project.html")]
struct ProjectPage {
    shell: Shell,
    project: ProjectRow,
    status_label: &'static str,
    dates: String,
    jobs: Vec<JobCard>,
    tasks: Vec<TaskView>,
}

pub async fn project(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let id = parse_id(&id)?;
    let mut project = state
        .store
        .portal_project(user.scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    project.progress_pct = project.progress_pct.clamp(0, 100);
    let ctx = page_context(&state, &user, "projects").await?;
    let jobs = state.store.portal_project_jobs(user.scope, id).await?;
    let tasks = state
        .store
        .portal_tasks_of(user.scope, TaskParent::Project, id)
        .await?;
    let view = ProjectPage {
        status_label: project_status_label(&project.status),
        dates: dates(&project.start_date, &project.due_date),
        jobs: jobs
            .iter()
            .map(|j| JobCard {
                id: j.id,
                number: j.number.clone(),
                title: j.title.clone(),
                status_label: job_status_label(&j.status),
            })
            .collect(),
        tasks: tasks.iter().map(task_view).collect(),
        shell: ctx.shell,
        project,
    };
    Ok(Html(view.render()?))
}

pub struct JobListView {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub status_label: &'static str,
    pub next_visit: String,
}

#[derive(Template)]
#[template(path = "portal/jobs.html")]
struct JobList {
    shell: Shell,
    list: ListChrome,
    rows: Vec<JobListView>,
    empty: &'static str,
}

pub async fn jobs(
    State(state): State<AppState>,
    user: PortalUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Html<String>> {
    const BASE: &str = "/portal/jobs";
    let controls = ListControls::parse(BASE, JOB_FILTERS, &q)?;
    let ctx = page_context(&state, &user, "jobs").await?;
    let page = state
        .store
        .portal_jobs(
            user.scope,
            controls.filter.condition(ctx.today).as_str(),
            controls.after.as_ref(),
            PAGE_SIZE,
        )
        .await?;
    let tz = &ctx.workspace.time_zone;
    let rows = page
        .rows
        .iter()
        .map(|j| JobListView {
            id: j.id,
            number: j.number.clone(),
            title: j.title.clone(),
            status_label: job_status_label(&j.status),
            next_visit: j
                .next_visit_at
                .map(|ms| display_instant(ms, tz))
                .unwrap_or_else(|| "—".into()),
        })
        .collect();
    let empty = match controls.filter.key {
        "active" => "No jobs in progress right now.",
        "" => "No jobs yet.",
        _ => "No jobs with this status.",
    };
    let view = JobList {
        shell: ctx.shell,
        list: controls.chrome(BASE, &page.next),
        rows,
        empty,
    };
    Ok(Html(view.render()?))
}

pub struct VisitView {
    pub when: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "portal/job.html")]
struct JobPage {
    shell: Shell,
    job: JobRow,
    status_label: &'static str,
    schedule: String,
    visits: Vec<VisitView>,
    tasks: Vec<TaskView>,
    files: Vec<super::files::FileView>,
}

pub async fn job(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let id = parse_id(&id)?;
    let job = state
        .store
        .portal_job(user.scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ctx = page_context(&state, &user, "jobs").await?;
    let tz = ctx.workspace.time_zone.clone();
    let visits = state.store.portal_job_visits(user.scope, id).await?;
    let tasks = state
        .store
        .portal_tasks_of(user.scope, TaskParent::Job, id)
        .await?;
    let files =
        super::files::file_views_for_job(&state, &user, crate::ids::JobId::from_db(id)).await?;
    let schedule = match (job.scheduled_start, job.scheduled_end) {
        (Some(s), Some(e)) => format!("{} – {}", display_instant(s, &tz), display_instant(e, &tz)),
        (Some(s), None) => display_instant(s, &tz),
        _ => "Not yet scheduled".into(),
    };
    let view = JobPage {
        status_label: job_status_label(&job.status),
        schedule,
        visits: visits
            .iter()
            .map(|v| VisitView {
                when: format!(
                    "{} – {}",
                    display_instant(v.starts_at, &tz),
                    display_instant(v.ends_at, &tz)
                ),
                status: match v.status.as_str() {
                    "completed" => "Completed",
                    "cancelled" => "Cancelled",
                    _ => "Scheduled",
                },
            })
            .collect(),
        tasks: tasks.iter().map(task_view).collect(),
        files,
        shell: ctx.shell,
        job,
    };
    Ok(Html(view.render()?))
}
