//! Rescheduling and assigning a visit, in the job page and through the API: times are
//! read in the workspace's time zone (Asia/Dubai, UTC+4), the end must come after the
//! start, the assignee must be an enabled member of the same workspace's staff, bad
//! input changes nothing, and the client's portal shows the new time.

use portico::domain::email::EmailAddress;
use portico::domain::records::display_instant;
use portico::ids::{JobId, StaffUserId, VisitId, WorkspaceId};
use portico::store::work::NewVisit;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::staff_work::{api, other_workspace, submit};
use crate::support::http::Browser;
use crate::support::world::staff_browser;
use crate::support::world::{self, World};
use crate::support::TestApp;

/// 2026-03-04 10:00 in Dubai.
const BOOKED: i64 = 1_772_604_000_000;
const HOUR: i64 = 3_600_000;

async fn member(app: &TestApp, ws: WorkspaceId, email: &str, name: &str) -> StaffUserId {
    app.state
        .store
        .create_staff(
            ws,
            &EmailAddress::parse(email).unwrap(),
            name,
            "member",
            "not-a-hash",
            app.now_ms(),
        )
        .await
        .unwrap()
}

async fn visit(app: &TestApp, ws: WorkspaceId, job: JobId) -> VisitId {
    let new = NewVisit {
        starts_at: BOOKED,
        ends_at: BOOKED + 2 * HOUR,
        status: "scheduled",
        assigned_to: None,
        notes: "Bring the ladder",
    };
    app.state
        .store
        .create_visit(ws, job, &new, app.now_ms())
        .await
        .unwrap()
}

async fn visit_now(app: &TestApp, id: VisitId) -> (i64, i64, Option<i64>, String, String) {
    sqlx::query_as("SELECT starts_at, ends_at, assigned_to, status, notes FROM visit WHERE id = $1")
        .bind(id.get())
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn staff_reschedule_and_assign_a_visit_and_the_portal_shows_the_new_time() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let (job, _) = crate::files::job(&app, w.ws, w.a, "in_progress").await;
    let visit = visit(&app, w.ws, job).await;
    let sam = member(&app, w.ws, "sam@cedar.test", "Sam Fieldworker").await;
    let ows = other_workspace(&app).await;
    let stranger = member(&app, ows, "x@elsewhere.test", "Xavier Elsewhere").await;
    let staff = staff_browser(&app, &w).await;
    let job_page = format!("/staff/jobs/{job}");
    let action = format!("/staff/visits/{visit}");
    let (_, page) = staff.get_text(&job_page).await;
    assert!(page.contains("Sam Fieldworker"), "the assignee choice");
    assert!(!page.contains("Xavier Elsewhere"));
    assert!(page.contains("value=\"2026-03-04T10:00\""), "{page}");

    let before = visit_now(&app, visit).await;
    let sam_id = sam.to_string();
    let stranger_id = stranger.to_string();
    for (fields, message) in [
        (
            vec![
                ("starts_at", "2026-03-05T14:00"),
                ("ends_at", "2026-03-05T13:00"),
            ],
            "Ends: must be after the start",
        ),
        (
            vec![
                ("starts_at", "2026-03-05T14:00"),
                ("ends_at", "2026-03-05T14:00"),
            ],
            "Ends: must be after the start",
        ),
        (
            vec![("starts_at", "the 5th"), ("ends_at", "2026-03-05T16:00")],
            "Starts: not a date and time",
        ),
        (
            vec![
                ("starts_at", "2026-02-30T14:00"),
                ("ends_at", "2026-03-05T16:00"),
            ],
            "Starts: not a date and time",
        ),
        (
            vec![("starts_at", "2026-03-05T14:00")],
            "Ends: please enter a date and time",
        ),
        (
            vec![
                ("starts_at", "2026-03-05T14:00"),
                ("ends_at", "2026-03-05T16:00"),
                ("assigned_to", stranger_id.as_str()),
            ],
            "Assigned to: choose a member of the team",
        ),
        (
            vec![
                ("starts_at", "2026-03-05T14:00"),
                ("ends_at", "2026-03-05T16:00"),
                ("assigned_to", "not-a-number"),
            ],
            "Assigned to: choose a member of the team",
        ),
    ] {
        let r = submit(&staff, &job_page, &action, &fields).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        let text = r.text().await.unwrap();
        assert!(text.contains(message), "{message} in {text}");
        assert_eq!(visit_now(&app, visit).await, before, "{fields:?}");
    }

    let r = submit(
        &staff,
        &job_page,
        &action,
        &[
            ("starts_at", "2026-03-05T14:00"),
            ("ends_at", "2026-03-05T16:30"),
            ("assigned_to", sam_id.as_str()),
            ("notes", "Gate code from reception"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let back = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(back, format!("{job_page}?notice=visit-saved"));
    let (starts, ends, assigned, status, notes) = visit_now(&app, visit).await;
    assert_eq!(
        jiff::Timestamp::from_millisecond(starts)
            .unwrap()
            .to_string(),
        "2026-03-05T10:00:00Z",
        "read in the workspace's zone"
    );
    assert_eq!(ends - starts, 150 * 60_000);
    assert_eq!(assigned, Some(sam.get()));
    assert_eq!(
        (status.as_str(), notes.as_str()),
        ("scheduled", "Gate code from reception")
    );
    let (_, page) = staff.get_text(&back).await;
    assert!(page.contains("Visit updated."));
    assert!(page.contains("value=\"2026-03-05T14:00\""));

    // The client sees the new time, not the old one.
    let ann = Browser::new(&app);
    ann.log_in(&app, &w.a_link(), &w.ann_email).await;
    let (status, portal_job) = ann.get_text(&format!("/portal/jobs/{job}")).await;
    assert_eq!(status, StatusCode::OK);
    let new_time = display_instant(starts, "Asia/Dubai");
    assert!(new_time.contains("14:00"), "{new_time}");
    assert!(portal_job.contains(&new_time), "{new_time} in {portal_job}");
    assert!(!portal_job.contains(&display_instant(BOOKED, "Asia/Dubai")));

    // Unassigned again by choosing nobody; the audit log has the change.
    let r = submit(
        &staff,
        &job_page,
        &action,
        &[
            ("starts_at", "2026-03-05T14:00"),
            ("ends_at", "2026-03-05T16:30"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(visit_now(&app, visit).await.2, None);
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_event WHERE action = 'visit.rescheduled'")
            .fetch_all(app.state.store.pool())
            .await
            .unwrap();
    assert_eq!(actions.len(), 2);
}

#[tokio::test]
async fn a_visit_is_added_with_an_assignee_and_another_workspaces_visit_is_not_found() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let (job, _) = crate::files::job(&app, w.ws, w.a, "in_progress").await;
    let sam = member(&app, w.ws, "sam@cedar.test", "Sam Fieldworker").await;
    let ows = other_workspace(&app).await;
    let oc = world::client(&app, ows, "company", "Elsewhere Ltd").await;
    let (ojob, _) = crate::files::job(&app, ows, oc, "in_progress").await;
    let ovisit = visit(&app, ows, ojob).await;
    let staff = staff_browser(&app, &w).await;
    let job_page = format!("/staff/jobs/{job}");
    let sam_id = sam.to_string();
    let r = submit(
        &staff,
        &job_page,
        &format!("/staff/jobs/{job}/visits"),
        &[
            ("starts_at", "2026-03-06T08:00"),
            ("ends_at", "2026-03-06T09:00"),
            ("assigned_to", sam_id.as_str()),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let assigned: Option<i64> =
        sqlx::query_scalar("SELECT assigned_to FROM visit WHERE job_id = $1")
            .bind(job.get())
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
    assert_eq!(assigned, Some(sam.get()));
    let (_, page) = staff.get_text(&job_page).await;
    assert!(page.contains("Sam Fieldworker"));

    let before = visit_now(&app, ovisit).await;
    let r = submit(
        &staff,
        &job_page,
        &format!("/staff/visits/{ovisit}"),
        &[
            ("starts_at", "2026-03-07T08:00"),
            ("ends_at", "2026-03-07T09:00"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(visit_now(&app, ovisit).await, before);
}

#[tokio::test]
async fn the_api_reschedules_and_assigns_a_visit_and_refuses_bad_input() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let (job, _) = crate::files::job(&app, w.ws, w.a, "in_progress").await;
    let (other_job, _) = crate::files::job(&app, w.ws, w.a, "in_progress").await;
    let visit = visit(&app, w.ws, job).await;
    let sam = member(&app, w.ws, "sam@cedar.test", "Sam Fieldworker").await;
    let ows = other_workspace(&app).await;
    let stranger = member(&app, ows, "x@elsewhere.test", "Xavier Elsewhere").await;
    let oc = world::client(&app, ows, "company", "Elsewhere Ltd").await;
    let (ojob, _) = crate::files::job(&app, ows, oc, "in_progress").await;
    let ovisit = self::visit(&app, ows, ojob).await;
    let call = api(&app, w.ws).await;
    let path = format!("/api/v1/jobs/{job}/visits/{visit}");

    // Local time in the workspace's zone, assigned to Sam.
    let r = call(Method::PATCH, &path)
        .json(
            &json!({"starts_at": "2026-03-05T14:00", "ends_at": "2026-03-05T16:00",
                      "assigned_to": sam.to_string()}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let starts = body["starts_at"].as_i64().unwrap();
    assert_eq!(
        jiff::Timestamp::from_millisecond(starts)
            .unwrap()
            .to_string(),
        "2026-03-05T10:00:00Z"
    );
    assert_eq!(body["assigned_to"], sam.to_string());
    assert_eq!(body["job_id"], job.to_string());
    assert_eq!(
        body["notes"], "Bring the ladder",
        "left-out fields keep their value"
    );

    // An offset time, only the start moved; unassigned with null.
    let r = call(Method::PATCH, &path)
        .json(&json!({"starts_at": "2026-03-05T11:00:00Z", "assigned_to": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (starts, ends, assigned, _, _) = visit_now(&app, visit).await;
    assert_eq!(
        jiff::Timestamp::from_millisecond(starts)
            .unwrap()
            .to_string(),
        "2026-03-05T11:00:00Z"
    );
    assert_eq!(ends, starts + HOUR, "ends stays 16:00 Dubai (12:00Z)");
    assert_eq!(assigned, None);

    let before = visit_now(&app, visit).await;
    for (body, field) in [
        (json!({"ends_at": "2026-03-05T14:00"}), "ends_at"),
        (json!({"starts_at": "2026-03-05T16:00"}), "ends_at"),
        (json!({"starts_at": "yesterday"}), "starts_at"),
        (json!({"starts_at": ""}), "starts_at"),
        (json!({"ends_at": "1970-01-01T00:00:00Z"}), "ends_at"),
        (json!({"assigned_to": stranger.to_string()}), "assigned_to"),
        (json!({"assigned_to": "nobody"}), "assigned_to"),
        (json!({"status": "done"}), "status"),
    ] {
        let r = call(Method::PATCH, &path).json(&body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let err: Value = r.json().await.unwrap();
        assert_eq!(err["code"], "validation_failed");
        let fields: Vec<&str> = err["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["field"].as_str())
            .collect();
        assert!(fields.contains(&field), "{field} in {err}");
        assert_eq!(visit_now(&app, visit).await, before, "{body}");
    }
    let r = call(Method::PATCH, &path)
        .json(&json!({"start": "2026-03-05T14:00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "unknown field");
    for wrong in [
        format!("/api/v1/jobs/{other_job}/visits/{visit}"),
        format!("/api/v1/jobs/{ojob}/visits/{ovisit}"),
        format!("/api/v1/jobs/{job}/visits/{ovisit}"),
        format!("/api/v1/jobs/{job}/visits/x"),
    ] {
        let r = call(Method::PATCH, &wrong)
            .json(&json!({"starts_at": "2026-03-09T09:00"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{wrong}");
    }
    assert_eq!(visit_now(&app, visit).await, before);
    assert_eq!(visit_now(&app, ovisit).await.0, BOOKED);
}
