//! Jobs, visits, projects and tasks in the back office (SPEC §4, §9): created and edited
//! through the forms, bad input refused with the field named and nothing changed, only
//! shared tasks in the portal, and another workspace's ids not found.

use portico::ids::WorkspaceId;
use reqwest::StatusCode;

use crate::support::http::{csrf_of, Browser};
use crate::support::world::staff_browser;
use crate::support::world::{self, World};
use crate::support::TestApp;

pub async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

/// Posts `fields` (plus the CSRF token of the page at `form_page`) to `action`.
pub async fn submit(
    staff: &Browser,
    form_page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let (status, page) = staff.get_text(form_page).await;
    assert_eq!(status, StatusCode::OK, "{form_page}");
    let csrf = csrf_of(&page);
    let mut form = vec![("_csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    staff.post_form(action, &form).await
}

/// The id at the end of a redirect like `/staff/jobs/{id}?notice=created`.
fn created(r: &reqwest::Response, prefix: &str) -> String {
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap();
    location
        .strip_prefix(prefix)
        .and_then(|rest| rest.split('?').next())
        .unwrap_or_else(|| panic!("{location}"))
        .to_string()
}

async fn job_row(app: &TestApp, id: &str) -> (String, String, Option<i64>, Option<i64>, String) {
    sqlx::query_as(
        "SELECT title, status, scheduled_start, project_id, internal_notes FROM job WHERE id = $1",
    )
    .bind(id.parse::<i64>().unwrap())
    .fetch_one(app.state.store.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn a_job_is_created_scheduled_and_edited_and_bad_input_changes_nothing() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let new_page = format!("/staff/clients/{}/jobs/new", w.a);
    let create = format!("/staff/clients/{}/jobs", w.a);

    // Refused: no title, unknown status, end before start; nothing stored.
    let r = submit(
        &staff,
        &new_page,
        &create,
        &[
            ("title", "  "),
            ("status", "finished"),
            ("scheduled_start", "2026-03-03T10:00"),
            ("scheduled_end", "2026-03-03T09:00"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    for message in [
        "Title: please enter it",
        "Status: choose one of",
        "Scheduled end: cannot be before the start",
    ] {
        assert!(page.contains(message), "{message} in {page}");
    }
    let r = submit(
        &staff,
        &new_page,
        &create,
        &[("title", "Boiler"), ("status", "scheduled")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("a scheduled job needs a start"));
    let r = submit(
        &staff,
        &new_page,
        &create,
        &[
            ("title", "Boiler"),
            ("status", "unscheduled"),
            ("scheduled_start", "next tuesday"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&app, "job").await, 0);

    // Created, scheduled in the workspace's time zone (Asia/Dubai, UTC+4).
    let r = submit(
        &staff,
        &new_page,
        &create,
        &[
            ("title", "Boiler service"),
            ("status", "scheduled"),
            ("scheduled_start", "2026-03-03T09:30"),
            ("internal_notes", "gate code 4411"),
        ],
    )
    .await;
    let job = created(&r, "/staff/jobs/");
    let (title, status, start, project, notes) = job_row(&app, &job).await;
    assert_eq!(
        (title.as_str(), status.as_str(), project),
        ("Boiler service", "scheduled", None)
    );
    assert_eq!(
        jiff::Timestamp::from_millisecond(start.unwrap())
            .unwrap()
            .to_string(),
        "2026-03-03T05:30:00Z"
    );
    assert_eq!(notes, "gate code 4411");
    let (_, record) = staff.get_text(&format!("/staff/clients/{}", w.a)).await;
    assert!(
        record.contains("Boiler service") && record.contains("J-0001"),
        "{record}"
    );

    // Edit refused (another client's project): nothing changes.
    let b_project = submit(
        &staff,
        &format!("/staff/clients/{}/projects/new", w.b),
        &format!("/staff/clients/{}/projects", w.b),
        &[
            ("name", "Birch fit-out"),
            ("status", "active"),
            ("progress_pct", "10"),
        ],
    )
    .await;
    let b_project = created(&b_project, "/staff/projects/");
    let job_page = format!("/staff/jobs/{job}");
    let r = submit(
        &staff,
        &job_page,
        &job_page,
        &[
            ("title", "Changed"),
            ("status", "in_progress"),
            ("project_id", &b_project),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Project: choose one of this client"));
    assert_eq!(job_row(&app, &job).await.0, "Boiler service");

    // Edit accepted: linked to the client's own project, now in progress.
    let a_project = submit(
        &staff,
        &format!("/staff/clients/{}/projects/new", w.a),
        &format!("/staff/clients/{}/projects", w.a),
        &[
            ("name", "Plant room upgrade"),
            ("status", "active"),
            ("progress_pct", "35"),
            ("start_date", "2026-03-01"),
        ],
    )
    .await;
    let a_project = created(&a_project, "/staff/projects/");
    let r = submit(
        &staff,
        &job_page,
        &job_page,
        &[
            ("title", "Boiler service and flush"),
            ("status", "in_progress"),
            ("project_id", &a_project),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (title, status, _, project, _) = job_row(&app, &job).await;
    assert_eq!(
        (title.as_str(), status.as_str(), project),
        (
            "Boiler service and flush",
            "in_progress",
            Some(a_project.parse().unwrap())
        )
    );
    let (_, project_page) = staff
        .get_text(&format!("/staff/projects/{a_project}"))
        .await;
    assert!(project_page.contains("Boiler service and flush"));

    // Visits: a bad one is refused, a good one is listed and can be completed.
    let visits = format!("/staff/jobs/{job}/visits");
    let r = submit(
        &staff,
        &job_page,
        &visits,
        &[
            ("starts_at", "2026-03-04T10:00"),
            ("ends_at", "2026-03-04T09:00"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Ends: must be after the start"));
    assert_eq!(count(&app, "visit").await, 0);
    let r = submit(
        &staff,
        &job_page,
        &visits,
        &[
            ("starts_at", "2026-03-04T10:00"),
            ("ends_at", "2026-03-04T12:00"),
            ("notes", "Bring the flushing rig"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let visit: i64 = sqlx::query_scalar("SELECT id FROM visit")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    let r = submit(
        &staff,
        &job_page,
        &format!("/staff/visits/{visit}/status"),
        &[("status", "completed")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let status: String = sqlx::query_scalar("SELECT status FROM visit")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(status, "completed");

    // The client sees the job in their portal with its project, never the internal notes.
    let ann = Browser::new(&app);
    ann.log_in(&app, &w.a_link(), &w.ann_email).await;
    let (_, portal_job) = ann.get_text(&format!("/portal/jobs/{job}")).await;
    assert!(
        portal_job.contains("Boiler service and flush"),
        "{portal_job}"
    );
    assert!(!portal_job.contains("gate code"));
    let (_, portal_project) = ann.get_text(&format!("/portal/projects/{a_project}")).await;
    assert!(
        portal_project.contains("Boiler service and flush"),
        "{portal_project}"
    );

    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_event WHERE action LIKE 'job.%' OR action LIKE 'visit.%' OR action LIKE 'project.%' ORDER BY at, id")
        .fetch_all(app.state.store.pool())
        .await
        .unwrap();
    for a in [
        "job.created",
        "job.updated",
        "project.created",
        "visit.created",
        "visit.updated",
    ] {
        assert!(actions.contains(&a.to_string()), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn only_tasks_shared_with_the_client_show_in_the_portal() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let new_page = format!("/staff/clients/{}/tasks/new", w.a);
    let create = format!("/staff/clients/{}/tasks", w.a);

    let r = submit(
        &staff,
        &new_page,
        &create,
        &[("title", ""), ("due_date", "2026-02-30")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Title: please enter it") && page.contains("Due date: not a date"),
        "{page}"
    );
    assert_eq!(count(&app, "task").await, 0);

    let shared = created(
        &submit(
            &staff,
            &new_page,
            &create,
            &[
                ("title", "Approve the colour samples"),
                ("due_date", "2026-06-01"),
                ("shared_with_client", "on"),
            ],
        )
        .await,
        "/staff/tasks/",
    );
    let private = created(
        &submit(
            &staff,
            &new_page,
            &create,
            &[("title", "Order spare valves")],
        )
        .await,
        "/staff/tasks/",
    );
    let ann = Browser::new(&app);
    ann.log_in(&app, &w.a_link(), &w.ann_email).await;
    let (_, tasks) = ann.get_text("/portal/tasks").await;
    assert!(tasks.contains("Approve the colour samples"), "{tasks}");
    assert!(!tasks.contains("Order spare valves"));
    assert_eq!(
        ann.get(&format!("/portal/tasks/{private}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        ann.get(&format!("/portal/tasks/{shared}")).await.status(),
        StatusCode::OK
    );

    // Sharing it later (and marking it done) shows it; unsharing hides the other again.
    let page = format!("/staff/tasks/{private}");
    let r = submit(
        &staff,
        &page,
        &page,
        &[
            ("title", "Order spare valves"),
            ("shared_with_client", "on"),
            ("done", "on"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let shared_page = format!("/staff/tasks/{shared}");
    let r = submit(
        &staff,
        &shared_page,
        &shared_page,
        &[("title", "Approve the colour samples")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, tasks) = ann.get_text("/portal/tasks").await;
    assert!(
        tasks.contains("Order spare valves") && !tasks.contains("Approve the colour samples"),
        "{tasks}"
    );
    let done: Option<i64> = sqlx::query_scalar("SELECT done_at FROM task WHERE id = $1")
        .bind(private.parse::<i64>().unwrap())
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert!(done.is_some());

    // A task cannot hang on another client's job.
    let (b_job, _) = crate::files::job(&app, w.ws, w.b, "in_progress").await;
    let b_job = b_job.to_string();
    let r = submit(
        &staff,
        &page,
        &page,
        &[("title", "Moved"), ("job_id", &b_job)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let title: String = sqlx::query_scalar("SELECT title FROM task WHERE id = $1")
        .bind(private.parse::<i64>().unwrap())
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(title, "Order spare valves");
}

pub async fn other_workspace(app: &TestApp) -> WorkspaceId {
    app.state
        .store
        .create_workspace(
            &portico::store::workspaces::NewWorkspace {
                slug: "elsewhere",
                name: "Elsewhere",
                time_zone: "UTC",
                default_currency: "USD",
            },
            app.now_ms(),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn another_workspaces_jobs_projects_tasks_and_visits_are_not_found() {
    use portico::store::work::{NewProject, NewTask, NewVisit};
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let ows = other_workspace(&app).await;
    let store = &app.state.store;
    let now = app.now_ms();
    let oc = world::client(&app, ows, "company", "Elsewhere Ltd").await;
    let (ojob, _) = crate::files::job(&app, ows, oc, "in_progress").await;
    let project = NewProject {
        name: "Theirs",
        description: "",
        status: "active",
        progress_pct: 0,
        start_date: None,
        due_date: None,
        internal_notes: "",
    };
    let oproject = store.create_project(ows, oc, &project, now).await.unwrap();
    let task = NewTask {
        project_id: None,
        job_id: None,
        title: "Theirs",
        description: "",
        due_date: None,
        done_at: None,
        shared_with_client: false,
    };
    let otask = store.create_task(ows, oc, &task, now).await.unwrap();
    let visit = NewVisit {
        starts_at: now,
        ends_at: now + 1,
        status: "scheduled",
        assigned_to: None,
        notes: "",
    };
    let ovisit = store.create_visit(ows, ojob, &visit, now).await.unwrap();
    let staff = staff_browser(&app, &w).await;
    let (_, page) = staff.get_text(&format!("/staff/clients/{}", w.a)).await;
    let csrf = csrf_of(&page);

    for path in [
        format!("/staff/jobs/{ojob}"),
        format!("/staff/projects/{oproject}"),
        format!("/staff/tasks/{otask}"),
        format!("/staff/clients/{oc}/jobs/new"),
        format!("/staff/clients/{oc}/projects/new"),
        format!("/staff/clients/{oc}/tasks/new"),
        "/staff/jobs/not-an-id".to_string(),
    ] {
        assert_eq!(
            staff.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "GET {path}"
        );
    }
    let fields = [
        ("_csrf", csrf.as_str()),
        ("title", "Mine now"),
        ("name", "Mine now"),
        ("status", "completed"),
        ("starts_at", "2026-03-04T10:00"),
        ("ends_at", "2026-03-04T11:00"),
    ];
    for path in [
        format!("/staff/jobs/{ojob}"),
        format!("/staff/jobs/{ojob}/visits"),
        format!("/staff/visits/{ovisit}/status"),
        format!("/staff/projects/{oproject}"),
        format!("/staff/tasks/{otask}"),
        format!("/staff/clients/{oc}/jobs"),
        format!("/staff/clients/{oc}/projects"),
        format!("/staff/clients/{oc}/tasks"),
    ] {
        assert_eq!(
            staff.post_form(&path, &fields).await.status(),
            StatusCode::NOT_FOUND,
            "POST {path}"
        );
    }
    let titles: Vec<String> = sqlx::query_scalar("SELECT title FROM job UNION ALL SELECT title FROM task UNION ALL SELECT name FROM project UNION ALL SELECT status FROM visit")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert!(
        !titles.iter().any(|t| t == "Mine now" || t == "completed"),
        "{titles:?}"
    );
    assert_eq!(count(&app, "job").await, 1);
}

#[tokio::test]
async fn work_forms_need_the_pages_csrf_token() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let r = staff
        .post_form(
            &format!("/staff/clients/{}/jobs", w.a),
            &[("title", "x"), ("status", "draft")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(count(&app, "job").await, 0);
}

/// A bearer token of the seeded workspace and a client that sends it.
pub async fn api(
    app: &TestApp,
    ws: WorkspaceId,
) -> impl Fn(reqwest::Method, &str) -> reqwest::RequestBuilder {
    let (token, hash, prefix) = portico::domain::api_token::generate();
    app.state
        .store
        .create_api_token(ws, "work", &hash, &prefix, None, app.now_ms())
        .await
        .unwrap();
    let base = app.base.clone();
    let client = reqwest::Client::new();
    move |method, path| {
        client
            .request(method, format!("{base}{path}"))
            .bearer_auth(&token)
    }
}

#[tokio::test]
async fn the_api_creates_and_updates_jobs_projects_tasks_and_renames_and_removes_files() {
    use reqwest::Method;
    use serde_json::{json, Value};
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let call = api(&app, w.ws).await;
    let a = w.a.to_string();

    // A refused job stores nothing and names the field.
    let r = call(Method::POST, "/api/v1/jobs")
        .json(&json!({"client_id": a, "title": " ", "status": "scheduled"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["field"], "title", "{body}");
    assert_eq!(count(&app, "job").await, 0);

    let r = call(Method::POST, "/api/v1/projects")
        .json(&json!({"client_id": a, "name": "Fit-out", "status": "active", "progress_pct": 20}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let project: Value = r.json().await.unwrap();
    let b_project: Value = call(Method::POST, "/api/v1/projects")
        .json(&json!({"client_id": w.b.to_string(), "name": "Birch", "status": "active"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = call(Method::POST, "/api/v1/jobs")
        .json(&json!({"client_id": a, "title": "Boiler", "status": "unscheduled", "project_id": b_project["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "project_id");

    let r = call(Method::POST, "/api/v1/jobs")
        .json(&json!({"client_id": a, "title": "Boiler", "status": "scheduled", "scheduled_start": 1_780_000_000_000i64, "project_id": project["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let job: Value = r.json().await.unwrap();
    assert_eq!(
        (job["number"].as_str(), job["project_id"].clone()),
        (Some("J-0001"), project["id"].clone())
    );
    let job_path = format!("/api/v1/jobs/{}", job["id"].as_str().unwrap());
    let r = call(Method::PATCH, &job_path)
        .json(&json!({"status": "in_progress", "project_id": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let job2: Value = r.json().await.unwrap();
    assert_eq!(
        (
            job2["status"].as_str(),
            job2["project_id"].is_null(),
            job2["title"].as_str()
        ),
        (Some("in_progress"), true, Some("Boiler"))
    );
    let r = call(Method::PATCH, &job_path)
        .json(&json!({"status": "nonsense"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        job_row(&app, job["id"].as_str().unwrap()).await.1,
        "in_progress"
    );

    let r = call(Method::POST, "/api/v1/tasks")
        .json(&json!({"client_id": a, "title": "Choose tiles", "job_id": job["id"], "shared_with_client": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let task: Value = r.json().await.unwrap();
    assert_eq!(task["shared_with_client"], true);
    let r = call(
        Method::PATCH,
        &format!("/api/v1/tasks/{}", task["id"].as_str().unwrap()),
    )
    .json(&json!({"done": true}))
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.json::<Value>().await.unwrap()["done_at"].is_i64());

    let job_id: portico::ids::JobId = job["id"].as_str().unwrap().parse().unwrap();
    let file = crate::files::attach(
        &app,
        w.ws,
        w.a,
        crate::files::On::Job(job_id),
        "a.pdf",
        b"%PDF-1.4",
    )
    .await;
    let r = call(Method::PATCH, &format!("/api/v1/files/{file}"))
        .json(&json!({"name": "../Site plan.pdf"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["name"], "Site plan.pdf");
    let r = call(Method::DELETE, &format!("/api/v1/files/{file}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = call(Method::GET, &format!("/api/v1/files/{file}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Another workspace's token sees none of it.
    let other = api(&app, other_workspace(&app).await).await;
    for path in [
        job_path.clone(),
        format!("/api/v1/tasks/{}", task["id"].as_str().unwrap()),
        format!("/api/v1/projects/{}", project["id"].as_str().unwrap()),
    ] {
        let r = other(Method::PATCH, &path)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let r = other(Method::POST, "/api/v1/jobs")
        .json(&json!({"client_id": a, "title": "x", "status": "draft"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&app, "job").await, 1);
}
