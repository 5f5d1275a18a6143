//! Requests through the API: taken for a client as the portal's form takes them, moved
//! along (status, assignee) with each status reaching the client's portal as the staff
//! inbox's do, internal notes kept internal, and converted into exactly one draft quote
//! or job. Every refusal names its field and changes nothing.

use reqwest::StatusCode;
use serde_json::json;

use crate::staff_requests::portal_history;
use crate::support::api::Api;
use crate::support::http::Browser;
use crate::support::world::World;
use crate::support::TestApp;

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_request_is_taken_moved_along_noted_and_converted_through_the_api() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let api = Api::new(&app, w.ws).await;
    let a = w.a.get().to_string();

    // Bad input: every field named, nothing stored.
    let before = count(&app, "SELECT COUNT(*) FROM request").await;
    let (s, e) = api
        .post(
            "/requests",
            json!({"client_id": a, "subject": "", "details": "", "preferred_date": "14/03/2026"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let fields: Vec<&str> = e["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["subject", "details", "preferred_date"], "{e}");
    let (s, e) = api
        .post(
            "/requests",
            json!({"client_id": w.b.get().to_string(), "contact_id": w.ann.get().to_string(),
                   "subject": "Leak", "details": "Drips."}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Ann is not Beta's: {e}"
    );
    assert_eq!(e["field"], "contact_id");
    let (s, e) = api
        .post(
            "/requests",
            json!({"client_id": "123", "subject": "Leak", "details": "Drips."}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "client_id");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM request").await, before);

    // Taken by phone for Ann of Acme.
    let (s, req) = api
        .post(
            "/requests",
            json!({"client_id": a, "contact_id": w.ann.get().to_string(), "subject": "  Pump stopped ",
                   "details": "It hums.\r\nThen stops.", "site_address": "Warehouse 4"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{req}");
    assert_eq!(req["status"], "new");
    assert_eq!(req["subject"], "Pump stopped");
    assert_eq!(req["details"], "It hums.\nThen stops.");
    assert_eq!(req["contact_id"], w.ann.get().to_string());
    let id = req["id"].as_str().unwrap().to_string();

    let ann = Browser::new(&app);
    ann.log_in(&app, &w.a_link(), &w.ann_email).await;
    let (_, labels) = portal_history(&ann, &id).await;
    assert_eq!(labels, ["New"]);

    // A bad status or assignee changes nothing, even with a good field beside it.
    let events = count(&app, "SELECT COUNT(*) FROM request_event").await;
    let (s, e) = api
        .patch(&format!("/requests/{id}"), json!({"status": "converted"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "status");
    let (s, e) = api
        .patch(
            &format!("/requests/{id}"),
            json!({"status": "in_review", "assigned_to": "42"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "assigned_to");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM request_event").await,
        events
    );

    // In review, assigned to the owner: the client sees the status, not the assignment.
    let (s, req) = api
        .patch(
            &format!("/requests/{id}"),
            json!({"status": "in_review", "assigned_to": w.staff.get().to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{req}");
    assert_eq!(req["status"], "in_review");
    assert_eq!(req["assigned_to"], w.staff.get().to_string());
    let (page, labels) = portal_history(&ann, &id).await;
    assert_eq!(labels, ["New", "In review"]);

    // An internal note: in the staff history, never on the portal.
    let (s, note) = api
        .post(
            &format!("/requests/{id}/notes"),
            json!({"note": "Customer prefers mornings; secret code 4471"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{note}");
    let (s, e) = api
        .post(&format!("/requests/{id}/notes"), json!({"note": "   "}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "note");
    let (page2, _) = portal_history(&ann, &id).await;
    assert!(!page.contains("4471") && !page2.contains("4471"));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM request_event WHERE internal_note LIKE '%4471%' AND staff_user_id IS NULL"
        )
        .await,
        1
    );

    // Unassigned with null.
    let (s, req) = api
        .patch(&format!("/requests/{id}"), json!({"assigned_to": null}))
        .await;
    assert_eq!(s, StatusCode::OK, "{req}");
    assert!(req["assigned_to"].is_null());

    // Converted into a draft quote, once.
    let (s, e) = api
        .post(
            &format!("/requests/{id}/convert"),
            json!({"into": "invoice"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "into");
    let (s, made) = api
        .post(&format!("/requests/{id}/convert"), json!({"into": "quote"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    assert_eq!(made["kind"], "quote");
    assert_eq!(made["request"]["status"], "converted");
    let quote = made["id"].as_str().unwrap();
    assert_eq!(made["request"]["converted_quote_id"], quote);
    let (s, q) = api.get(&format!("/quotes/{quote}")).await;
    assert_eq!(s, StatusCode::OK, "{q}");
    assert_eq!(q["status"], "draft");
    assert_eq!(q["title"], "Pump stopped");
    assert_eq!(q["number"], made["number"]);
    let quotes = count(&app, "SELECT COUNT(*) FROM quote").await;
    let (s, e) = api
        .post(&format!("/requests/{id}/convert"), json!({"into": "job"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert!(e["message"].as_str().unwrap().contains("already converted"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM quote").await, quotes);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM job WHERE title = 'Pump stopped'"
        )
        .await,
        0
    );
    let (s, e) = api
        .patch(&format!("/requests/{id}"), json!({"status": "closed"}))
        .await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "a converted request keeps its status: {e}"
    );
    let (_, labels) = portal_history(&ann, &id).await;
    assert_eq!(labels.last().map(String::as_str), Some("Converted"));

    // Each change is in the audit log under the token.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_event WHERE action LIKE 'request.%' AND actor_kind = 'api'"
        )
        .await,
        6,
        "created, status changed, assigned, note, unassigned, converted"
    );
}

#[tokio::test]
async fn a_request_converts_into_a_job_and_another_workspaces_request_is_not_found() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let api = Api::new(&app, w.ws).await;
    let (s, req) = api
        .post(
            "/requests",
            json!({"client_id": w.b.get().to_string(), "subject": "Fence", "details": "Broken panel."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{req}");
    let id = req["id"].as_str().unwrap();
    let (s, made) = api
        .post(&format!("/requests/{id}/convert"), json!({"into": "job"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let (s, job) = api
        .get(&format!("/jobs/{}", made["id"].as_str().unwrap()))
        .await;
    assert_eq!(s, StatusCode::OK, "{job}");
    assert_eq!(job["title"], "Fence");
    assert_eq!(job["description"], "Broken panel.");
    assert_eq!(job["status"], "draft");

    // Another workspace's token sees none of it.
    let other = crate::support::world::other_workspace(&app).await;
    let stranger = Api::new(&app, other).await;
    let (s, _) = stranger
        .patch(&format!("/requests/{id}"), json!({"status": "closed"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = stranger
        .post(&format!("/requests/{id}/notes"), json!({"note": "x"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = stranger
        .post(&format!("/requests/{id}/convert"), json!({"into": "quote"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, e) = stranger
        .post(
            "/requests",
            json!({"client_id": w.b.get().to_string(), "subject": "x", "details": "y"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "client_id");
}

#[tokio::test]
async fn deleting_the_draft_quote_a_request_became_reopens_the_request() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let api = Api::new(&app, w.ws).await;
    let (s, req) = api
        .post(
            "/requests",
            json!({"client_id": w.a.get().to_string(), "contact_id": w.ann.get().to_string(),
                   "subject": "Roof", "details": "Loose tiles."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{req}");
    let id = req["id"].as_str().unwrap();
    let (s, made) = api
        .post(&format!("/requests/{id}/convert"), json!({"into": "quote"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let quote = made["id"].as_str().unwrap();

    let (s, _) = api.delete(&format!("/quotes/{quote}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, req) = api.get(&format!("/requests/{id}")).await;
    assert_eq!(req["status"], "in_review", "{req}");
    assert!(req["converted_quote_id"].is_null(), "{req}");
    let ann = Browser::new(&app);
    ann.log_in(&app, &w.a_link(), &w.ann_email).await;
    let (page, labels) = portal_history(&ann, id).await;
    assert_eq!(labels, ["New", "Converted", "In review"]);
    assert!(
        !page.contains("can be converted again"),
        "the note stays internal"
    );

    // Converted again: a new draft with a new number.
    let (s, again) = api
        .post(&format!("/requests/{id}/convert"), json!({"into": "quote"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{again}");
    assert_ne!(again["id"], made["id"]);
    assert_ne!(again["number"], made["number"]);
}
