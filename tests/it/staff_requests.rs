//! The back office's requests inbox (SPEC §8): a client's request leads the inbox, staff
//! move it along and the client sees each status on the portal, internal notes stay
//! internal, conversion makes exactly one draft, and every refusal changes nothing.

use portico::domain::email::EmailAddress;
use portico::ids::{ClientId, RequestId, StaffUserId, WorkspaceId};
use portico::store::work::NewRequest;
use portico::store::workspaces::NewWorkspace;
use reqwest::StatusCode;

use crate::support::http::{csrf_of, Browser};
use crate::support::world::{self, World};
use crate::support::TestApp;

async fn owner(app: &TestApp, w: &World) -> Browser {
    Browser::staff(app, &w.staff_email, &w.staff_password).await
}

/// The value of a hidden input named `name`.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap() + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Ann signs in to Acme's portal and sends a request; returns her browser and its id.
async fn send_request(app: &TestApp, w: &World, subject: &str) -> (Browser, String) {
    let ann = Browser::new(app);
    ann.log_in(app, &w.a_link(), &w.ann_email).await;
    let (status, page) = ann.get_text("/portal/requests/new").await;
    assert_eq!(status, StatusCode::OK);
    let r = ann
        .post_form(
            "/portal/requests",
            &[
                ("_csrf", &csrf_of(&page)),
                ("idempotency_key", &hidden(&page, "idempotency_key")),
                ("product_id", ""),
                ("subject", subject),
                ("details", "The pump hums.\nThen <b>stops</b>."),
                ("preferred_date", ""),
                ("site_address", "Warehouse 4, Al Quoz"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap();
    let id = location
        .strip_prefix("/portal/requests/")
        .and_then(|l| l.strip_suffix("?sent=1"))
        .unwrap()
        .to_string();
    (ann, id)
}

/// A request made directly in the store, `status` as given.
async fn stored_request(
    app: &TestApp,
    ws: WorkspaceId,
    client: ClientId,
    subject: &str,
    status: &str,
) -> RequestId {
    app.state
        .store
        .create_request(
            ws,
            client,
            &NewRequest {
                contact_id: None,
                subject,
                details: "Taken by phone.",
                preferred_date: None,
                site_address: "",
                status,
                product_id: None,
                idempotency_key: None,
            },
            app.now_ms(),
        )
        .await
        .unwrap()
}

/// Posts a form from the request's page (with its CSRF token).
async fn act(
    staff: &Browser,
    id: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let (status, page) = staff.get_text(&format!("/staff/requests/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&page);
    let mut form = vec![("_csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    staff
        .post_form(&format!("/staff/requests/{id}/{action}"), &form)
        .await
}

async fn scalar(app: &TestApp, sql: &str, id: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id.parse::<i64>().unwrap())
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

async fn status_of(app: &TestApp, id: &str) -> String {
    sqlx::query_scalar("SELECT status FROM request WHERE id = $1")
        .bind(id.parse::<i64>().unwrap())
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

async fn events_of(app: &TestApp, id: &str) -> i64 {
    scalar(
        app,
        "SELECT COUNT(*) FROM request_event WHERE request_id = $1",
        id,
    )
    .await
}

async fn audits(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_event WHERE action = $1")
        .bind(action)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

/// The labels in the portal request page's status history.
pub async fn portal_history(client: &Browser, id: &str) -> (String, Vec<String>) {
    let (status, page) = client.get_text(&format!("/portal/requests/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let history = page
        .split("<ol class=\"history\">")
        .nth(1)
        .unwrap()
        .split("</ol>")
        .next()
        .unwrap();
    let labels = history
        .split("<span class=\"status\">")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().to_string())
        .collect();
    (page, labels)
}

#[tokio::test]
async fn a_clients_request_leads_the_inbox_and_each_status_reaches_the_portal() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    stored_request(&app, w.ws, w.b, "Older review item", "in_review").await;
    stored_request(&app, w.ws, w.b, "Older closed item", "closed").await;
    let (ann, id) = send_request(&app, &w, "Pump stopped at the warehouse").await;

    // The team's email opens the inbox item.
    let mail = app.smtp.wait_for(&w.staff_email, 1).await;
    let link = format!("/staff/requests/{id}");
    assert!(mail.text().contains(&app.url(&link)), "{}", mail.text());
    assert!(mail.html().contains(&app.url(&link)));

    let staff = owner(&app, &w).await;
    let (status, inbox) = staff.get_text("/staff/requests").await;
    assert_eq!(status, StatusCode::OK);
    let new_at = inbox.find("Pump stopped at the warehouse").unwrap();
    let review_at = inbox.find("Older review item").unwrap();
    let closed_at = inbox.find("Older closed item").unwrap();
    assert!(
        new_at < review_at && review_at < closed_at,
        "new, then in review, then the rest"
    );
    // One new request beside the nav link.
    assert!(
        inbox.contains("Requests <span class=\"badge\">1<"),
        "nav count"
    );

    let (status, page) = staff.get_text(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Pump stopped at the warehouse"));
    assert!(page.contains("The pump hums."), "details shown");
    assert!(
        page.contains("Then &lt;b&gt;stops&lt;/b&gt;.") || page.contains("Then &#60;b&#62;stops")
    );
    assert!(!page.contains("<b>stops</b>"), "details escaped");
    assert!(page.contains("Warehouse 4, Al Quoz"));
    assert!(page.contains(&format!("/staff/clients/{}", w.a)));
    assert!(page.contains("ann@acme.test"));

    let (_, labels) = portal_history(&ann, &id).await;
    assert_eq!(labels, ["New"]);

    let r = act(&staff, &id, "status", &[("status", "in_review")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, &id).await, "in_review");
    let (page, labels) = portal_history(&ann, &id).await;
    assert_eq!(labels, ["New", "In review"]);
    assert!(page.contains("<span class=\"status\">In review</span></div>"));

    let r = act(&staff, &id, "status", &[("status", "closed")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, labels) = portal_history(&ann, &id).await;
    assert_eq!(labels, ["New", "In review", "Closed"]);
    assert_eq!(audits(&app, "request.status_changed").await, 2);

    // The same status again writes nothing.
    let before = events_of(&app, &id).await;
    act(&staff, &id, "status", &[("status", "closed")]).await;
    assert_eq!(events_of(&app, &id).await, before);

    // Filters.
    let (_, closed) = staff.get_text("/staff/requests?status=closed").await;
    assert!(closed.contains("Pump stopped") && !closed.contains("Older review item"));
    let (_, new) = staff.get_text("/staff/requests?status=new").await;
    assert!(!new.contains("Pump stopped"));
    assert!(
        !new.contains("<span class=\"badge\">"),
        "no new requests left"
    );
}

#[tokio::test]
async fn internal_notes_and_assignments_never_reach_the_portal() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let (ann, id) = send_request(&app, &w, "Leaking tap").await;
    let staff = owner(&app, &w).await;

    let r = act(
        &staff,
        &id,
        "notes",
        &[("note", "Client owes SECRET-NOTE-7731")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = act(&staff, &id, "assign", &[("staff_id", &w.staff.to_string())]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(audits(&app, "request.note_added").await, 1);
    assert_eq!(audits(&app, "request.assigned").await, 1);

    let (_, page) = staff.get_text(&format!("/staff/requests/{id}")).await;
    assert!(page.contains("Client owes SECRET-NOTE-7731"));
    assert!(page.contains("Assigned to Olivia Owner"));

    let (page, labels) = portal_history(&ann, &id).await;
    assert!(!page.contains("SECRET-NOTE-7731"));
    assert!(!page.contains("Olivia"));
    assert_eq!(labels, ["New"]);
    let (_, list) = ann.get_text("/portal/requests").await;
    assert!(!list.contains("SECRET-NOTE-7731"));
}

#[tokio::test]
async fn converting_makes_exactly_one_draft_and_is_not_repeatable() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let (ann, quote_req) = send_request(&app, &w, "Quote me a new pump").await;
    let staff = owner(&app, &w).await;

    let r = act(&staff, &quote_req, "convert", &[("to", "quote")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let (_, page) = staff.get_text(&location).await;
    assert!(
        page.contains("Draft quote Q-") || page.contains("Draft quote "),
        "{page}"
    );
    let (status, client, draft): (String, i64, String) = sqlx::query_as(
        "SELECT q.number, q.client_id, q.status FROM quote q JOIN request r ON r.converted_quote_id = q.id WHERE r.id = $1",
    )
    .bind(quote_req.parse::<i64>().unwrap())
    .fetch_one(app.state.store.pool())
    .await
    .unwrap();
    assert!(page.contains(&status), "the new number is shown");
    assert_eq!((client, draft.as_str()), (w.a.get(), "draft"));
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM quote WHERE request_id = $1",
            &quote_req
        )
        .await,
        1
    );
    assert_eq!(status_of(&app, &quote_req).await, "converted");
    let (_, labels) = portal_history(&ann, &quote_req).await;
    assert_eq!(labels, ["New", "Converted"]);

    // A second submit (either kind) changes nothing.
    let events = events_of(&app, &quote_req).await;
    let quotes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM quote")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    for to in ["quote", "job"] {
        let r = act(&staff, &quote_req, "convert", &[("to", to)]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.text().await.unwrap().contains("already converted"));
    }
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM quote")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    let jobs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM job")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!((after, jobs), (quotes, 0));
    assert_eq!(events_of(&app, &quote_req).await, events);
    // Nor can its status be moved by hand.
    let r = act(&staff, &quote_req, "status", &[("status", "closed")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(status_of(&app, &quote_req).await, "converted");

    // A job.
    let job_req = stored_request(&app, w.ws, w.a, "Fix the gate", "in_review").await;
    let job_req = job_req.to_string();
    let r = act(&staff, &job_req, "convert", &[("to", "job")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (number, draft, client): (String, String, i64) = sqlx::query_as(
        "SELECT j.number, j.status, j.client_id FROM job j JOIN request r ON r.converted_job_id = j.id WHERE r.id = $1",
    )
    .bind(job_req.parse::<i64>().unwrap())
    .fetch_one(app.state.store.pool())
    .await
    .unwrap();
    assert_eq!((draft.as_str(), client), ("draft", w.a.get()));
    let (_, page) = staff
        .get_text(&format!("/staff/requests/{job_req}?notice=job"))
        .await;
    assert!(page.contains(&format!("Draft job {number} created")));
    let r = act(&staff, &job_req, "convert", &[("to", "job")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let jobs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM job")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(jobs, 1);
    assert_eq!(audits(&app, "request.converted").await, 2);
}

/// A second workspace with its own staff member, client and request.
async fn other_workspace(app: &TestApp) -> (StaffUserId, RequestId) {
    let store = &app.state.store;
    let now = app.now_ms();
    let ws = store
        .create_workspace(
            &NewWorkspace {
                slug: "other",
                name: "Other Trades",
                time_zone: "UTC",
                default_currency: "USD",
            },
            now,
        )
        .await
        .unwrap();
    let staff = store
        .create_staff(
            ws,
            &EmailAddress::parse("someone@other.test").unwrap(),
            "Otto Other",
            "owner",
            "not-a-hash",
            now,
        )
        .await
        .unwrap();
    let client = world::client(app, ws, "company", "Other Client").await;
    let req = stored_request(app, ws, client, "Other workspace request", "new").await;
    (staff, req)
}

#[tokio::test]
async fn assignment_takes_only_this_workspaces_staff() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let (other_staff, _) = other_workspace(&app).await;
    let hash = portico::auth::password::hash("a long member password 42").unwrap();
    let sam = app
        .state
        .store
        .create_staff(
            w.ws,
            &EmailAddress::parse("sam@cedar.test").unwrap(),
            "Sam Member",
            "member",
            &hash,
            app.now_ms(),
        )
        .await
        .unwrap();
    let id = stored_request(&app, w.ws, w.a, "Assign me", "new")
        .await
        .to_string();
    let staff = owner(&app, &w).await;

    let r = act(&staff, &id, "assign", &[("staff_id", &sam.to_string())]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let assigned = scalar(&app, "SELECT assigned_to FROM request WHERE id = $1", &id).await;
    assert_eq!(assigned, sam.get());

    // "Assigned to me": Sam sees it, the owner does not.
    let sam_b = Browser::staff(&app, "sam@cedar.test", "a long member password 42").await;
    let (_, mine) = sam_b.get_text("/staff/requests?mine=1").await;
    assert!(mine.contains("Assign me"));
    let (_, mine) = staff.get_text("/staff/requests?mine=1").await;
    assert!(!mine.contains("Assign me"));

    let events = events_of(&app, &id).await;
    for bad in [
        other_staff.to_string(),
        "12345".into(),
        "abc".into(),
        "-1".into(),
    ] {
        let r = act(&staff, &id, "assign", &[("staff_id", &bad)]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    assert_eq!(
        scalar(&app, "SELECT assigned_to FROM request WHERE id = $1", &id).await,
        sam.get()
    );
    assert_eq!(events_of(&app, &id).await, events);

    let r = act(&staff, &id, "assign", &[("staff_id", "")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let unassigned: i64 = scalar(
        &app,
        "SELECT COUNT(*) FROM request WHERE id = $1 AND assigned_to IS NULL",
        &id,
    )
    .await;
    assert_eq!(unassigned, 1);
}

#[tokio::test]
async fn another_workspaces_request_is_not_found() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let (_, theirs) = other_workspace(&app).await;
    let mine = stored_request(&app, w.ws, w.a, "Mine", "new")
        .await
        .to_string();
    let theirs = theirs.to_string();
    let staff = owner(&app, &w).await;
    let (_, page) = staff.get_text(&format!("/staff/requests/{mine}")).await;
    let csrf = csrf_of(&page);

    assert_eq!(
        staff
            .get(&format!("/staff/requests/{theirs}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let (_, inbox) = staff.get_text("/staff/requests").await;
    assert!(!inbox.contains("Other workspace request"));
    let before = events_of(&app, &theirs).await;
    for (action, field, value) in [
        ("status", "status", "closed"),
        ("assign", "staff_id", ""),
        ("notes", "note", "hello"),
        ("convert", "to", "quote"),
    ] {
        let r = staff
            .post_form(
                &format!("/staff/requests/{theirs}/{action}"),
                &[("_csrf", &csrf), (field, value)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{action}");
    }
    assert_eq!(events_of(&app, &theirs).await, before);
    assert_eq!(status_of(&app, &theirs).await, "new");
    for path in [
        "/staff/requests/0",
        "/staff/requests/abc",
        "/staff/requests/99999999",
    ] {
        assert_eq!(
            staff.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let id = stored_request(&app, w.ws, w.a, "Untouched", "new")
        .await
        .to_string();
    let staff = owner(&app, &w).await;
    let events = events_of(&app, &id).await;

    for (action, field, value) in [
        ("status", "status", "archived"),
        ("status", "status", "converted"),
        ("status", "status", ""),
        ("notes", "note", "   "),
        ("notes", "note", &"x".repeat(2001)),
        ("convert", "to", "invoice"),
    ] {
        let r = act(&staff, &id, action, &[(field, value)]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{action} {value:.20}");
        let body = r.text().await.unwrap();
        assert!(!body.is_empty());
    }
    // Missing or wrong CSRF.
    for csrf in ["", "forged"] {
        let r = staff
            .post_form(
                &format!("/staff/requests/{id}/status"),
                &[("_csrf", csrf), ("status", "closed")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = staff
            .post_form(
                &format!("/staff/requests/{id}/convert"),
                &[("_csrf", csrf), ("to", "job")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    assert_eq!(events_of(&app, &id).await, events);
    assert_eq!(status_of(&app, &id).await, "new");
    let (quotes, jobs): (i64, i64) =
        sqlx::query_as("SELECT (SELECT COUNT(*) FROM quote), (SELECT COUNT(*) FROM job)")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
    assert_eq!((quotes, jobs), (0, 0));

    for path in [
        "/staff/requests?status=archived",
        "/staff/requests?mine=maybe",
        "/staff/requests?after=1~2",
        "/staff/requests?after=x~1~2",
        "/staff/requests?after=9~1~2",
    ] {
        assert_eq!(
            staff.get(path).await.status(),
            StatusCode::BAD_REQUEST,
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_inbox_pages_by_keyset_without_gaps_or_repeats() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    for i in 0..45 {
        stored_request(&app, w.ws, w.a, &format!("Item N{i:02}."), "new").await;
    }
    for i in 0..15 {
        stored_request(&app, w.ws, w.b, &format!("Item R{i:02}."), "in_review").await;
    }
    let staff = owner(&app, &w).await;
    let mut seen = Vec::new();
    let mut path = "/staff/requests".to_string();
    for _ in 0..5 {
        let (status, page) = staff.get_text(&path).await;
        assert_eq!(status, StatusCode::OK);
        seen.extend(
            page.split("\">Item ")
                .skip(1)
                .map(|s| s.split('.').next().unwrap().to_string()),
        );
        match page.split("<a href=\"/staff/requests?after=").nth(1) {
            Some(rest) => {
                path = format!("/staff/requests?after={}", rest.split('"').next().unwrap())
            }
            None => break,
        }
    }
    let mut expected: Vec<String> = (0..45).rev().map(|i| format!("N{i:02}")).collect();
    expected.extend((0..15).rev().map(|i| format!("R{i:02}")));
    assert_eq!(seen, expected);
}
