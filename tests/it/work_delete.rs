//! Deleting jobs, projects and tasks (soft delete) through the API and the back office:
//! the record leaves API reads, the portal and the staff pages; what refers to it keeps
//! working; a project with live jobs is refused; another workspace's id is 404 and
//! nothing changes.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::staff_work::{api, other_workspace, submit};
use crate::support::http::Browser;
use crate::support::records::{self, Records};
use crate::support::world::{self, staff_browser, World};
use crate::support::TestApp;

/// `deleted_at` of a row, or the test fails when the row is gone.
async fn deleted_at(app: &TestApp, table: &str, id: i64) -> Option<i64> {
    sqlx::query_scalar(&format!("SELECT deleted_at FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

async fn deleted_rows(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM job WHERE deleted_at IS NOT NULL)
              + (SELECT COUNT(*) FROM project WHERE deleted_at IS NOT NULL)
              + (SELECT COUNT(*) FROM task WHERE deleted_at IS NOT NULL)",
    )
    .fetch_one(app.state.store.pool())
    .await
    .unwrap()
}

async fn audits(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_event WHERE action = $1")
        .bind(action)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

async fn setup() -> (TestApp, World, Records, Browser) {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let recs = records::seed(&app, w.ws, w.a, "ACME").await;
    let ann = Browser::new(&app);
    ann.log_in(&app, &w.a_link(), &w.ann_email).await;
    (app, w, recs, ann)
}

#[tokio::test]
async fn the_api_deletes_tasks_jobs_and_projects_and_they_disappear_everywhere() {
    let (app, w, r, ann) = setup().await;
    let call = api(&app, w.ws).await;
    let status = |rb: reqwest::RequestBuilder| async move { rb.send().await.unwrap().status() };

    // A project with live jobs is refused and stays.
    let project = format!("/api/v1/projects/{}", r.project);
    let resp = call(Method::DELETE, &project).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body.to_string().contains("move or delete its jobs first"),
        "{body}"
    );
    assert_eq!(deleted_at(&app, "project", r.project).await, None);

    // A job an invoice refers to, with a visit, is deleted; the invoice keeps working.
    sqlx::query("UPDATE invoice SET job_id = $1 WHERE id = $2")
        .bind(r.job_active)
        .bind(r.invoice_sent)
        .execute(app.state.store.pool())
        .await
        .unwrap();
    let job = format!("/api/v1/jobs/{}", r.job_active);
    assert_eq!(status(call(Method::GET, &job)).await, StatusCode::OK);
    assert_eq!(
        status(call(Method::DELETE, &job)).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(status(call(Method::GET, &job)).await, StatusCode::NOT_FOUND);
    assert_eq!(
        status(call(Method::DELETE, &job)).await,
        StatusCode::NOT_FOUND
    );
    let jobs: Value = call(Method::GET, "/api/v1/jobs")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!jobs.to_string().contains("ACME install lights"), "{jobs}");
    let invoice = format!("/api/v1/invoices/{}", r.invoice_sent);
    assert_eq!(status(call(Method::GET, &invoice)).await, StatusCode::OK);
    let (s, page) = ann.get_text("/portal/jobs").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!page.contains("ACME install lights"), "{page}");
    let own_job = format!("/portal/jobs/{}", r.job_active);
    assert_eq!(ann.get(&own_job).await.status(), StatusCode::NOT_FOUND);
    let own_invoice = format!("/portal/invoices/{}", r.invoice_sent);
    assert_eq!(ann.get(&own_invoice).await.status(), StatusCode::OK);

    // Its task stays, unlinked from the deleted job, and can still be edited.
    let task = format!("/api/v1/tasks/{}", r.task_shared);
    let resp = call(Method::PATCH, &task)
        .json(&serde_json::json!({"description": "still here"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let edited: Value = resp.json().await.unwrap();
    assert!(edited["job_id"].is_null(), "{edited}");

    // A shared task.
    assert_eq!(
        status(call(Method::DELETE, &task)).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        status(call(Method::GET, &task)).await,
        StatusCode::NOT_FOUND
    );
    let (_, page) = ann.get_text("/portal/tasks").await;
    assert!(!page.contains("ACME choose fittings"), "{page}");
    let own_task = format!("/portal/tasks/{}", r.task_shared);
    assert_eq!(ann.get(&own_task).await.status(), StatusCode::NOT_FOUND);

    // Once its last job is deleted, the project goes too.
    let draft_job = format!("/api/v1/jobs/{}", r.job_draft);
    assert_eq!(
        status(call(Method::DELETE, &draft_job)).await,
        StatusCode::NO_CONTENT
    );
    let (_, page) = ann.get_text("/portal/projects").await;
    assert!(page.contains("ACME office fit-out"), "{page}");
    assert_eq!(
        status(call(Method::DELETE, &project)).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        status(call(Method::GET, &project)).await,
        StatusCode::NOT_FOUND
    );
    let (_, page) = ann.get_text("/portal/projects").await;
    assert!(!page.contains("ACME office fit-out"), "{page}");
    let own_project = format!("/portal/projects/{}", r.project);
    assert_eq!(ann.get(&own_project).await.status(), StatusCode::NOT_FOUND);

    for action in ["job.deleted", "project.deleted", "task.deleted"] {
        assert!(audits(&app, action).await >= 1, "{action} audited");
    }
    assert_eq!(audits(&app, "job.deleted").await, 2);
    assert_eq!(deleted_rows(&app).await, 4);
}

#[tokio::test]
async fn another_workspaces_ids_are_not_found_and_nothing_changes() {
    let (app, w, r, _ann) = setup().await;
    let ows = other_workspace(&app).await;
    let stranger = api(&app, ows).await;
    for path in [
        format!("/api/v1/jobs/{}", r.job_active),
        format!("/api/v1/projects/{}", r.project),
        format!("/api/v1/tasks/{}", r.task_shared),
        "/api/v1/tasks/not-a-number".to_string(),
    ] {
        let s = stranger(Method::DELETE, &path)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }

    // The back office of this workspace does not reach the other workspace's job.
    let oc = world::client(&app, ows, "company", "Elsewhere Ltd").await;
    let (ojob, _) = crate::files::job(&app, ows, oc, "in_progress").await;
    let staff = staff_browser(&app, &w).await;
    let page = format!("/staff/jobs/{}", r.job_active);
    let resp = submit(
        &staff,
        &page,
        &format!("/staff/jobs/{}/delete", ojob.get()),
        &[("confirm", "yes")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(deleted_rows(&app).await, 0);
    assert_eq!(audits(&app, "job.deleted").await, 0);
}

#[tokio::test]
async fn staff_delete_after_confirming_and_a_project_with_jobs_is_refused() {
    let (app, w, r, ann) = setup().await;
    let staff = staff_browser(&app, &w).await;
    let client_page = format!("/staff/clients/{}", w.a);

    // The job page offers the button; without the box ticked nothing changes.
    let page = format!("/staff/jobs/{}", r.job_active);
    let (_, html) = staff.get_text(&page).await;
    assert!(html.contains(&format!("/staff/jobs/{}/delete", r.job_active)));
    let action = format!("/staff/jobs/{}/delete", r.job_active);
    let resp = submit(&staff, &page, &action, &[]).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp.text().await.unwrap().contains("tick the box"));
    assert_eq!(deleted_at(&app, "job", r.job_active).await, None);

    // The project still has live jobs: refused with the reason, nothing changes.
    let ppage = format!("/staff/projects/{}", r.project);
    let paction = format!("/staff/projects/{}/delete", r.project);
    let resp = submit(&staff, &ppage, &paction, &[("confirm", "yes")]).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp
        .text()
        .await
        .unwrap()
        .contains("move or delete its jobs first"));
    assert_eq!(deleted_at(&app, "project", r.project).await, None);

    // Confirmed: back to the client's page with a notice, the job is gone.
    let resp = submit(&staff, &page, &action, &[("confirm", "yes")]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, format!("{client_page}?notice=job-deleted"));
    let (_, html) = staff.get_text(&location).await;
    assert!(html.contains("Job deleted."), "{html}");
    assert!(!html.contains("ACME install lights"), "{html}");
    assert_eq!(staff.get(&page).await.status(), StatusCode::NOT_FOUND);
    assert!(deleted_at(&app, "job", r.job_active).await.is_some());
    assert_eq!(audits(&app, "job.deleted").await, 1);

    // A task the same way; the portal stops showing it.
    let tpage = format!("/staff/tasks/{}", r.task_shared);
    let taction = format!("/staff/tasks/{}/delete", r.task_shared);
    let resp = submit(&staff, &tpage, &taction, &[("confirm", "yes")]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, tasks) = ann.get_text("/portal/tasks").await;
    assert!(!tasks.contains("ACME choose fittings"), "{tasks}");

    // With its other job deleted, the project can go.
    let dpage = format!("/staff/jobs/{}", r.job_draft);
    let daction = format!("/staff/jobs/{}/delete", r.job_draft);
    let resp = submit(&staff, &dpage, &daction, &[("confirm", "yes")]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let resp = submit(&staff, &ppage, &paction, &[("confirm", "yes")]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(staff.get(&ppage).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(audits(&app, "project.deleted").await, 1);
    assert_eq!(audits(&app, "task.deleted").await, 1);
}
