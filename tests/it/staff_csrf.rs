//! CSRF on every POST of the back office: each staff form route, sent by a signed-in
//! owner without the page's token (or with a forged one), is refused 403 and changes
//! nothing. The route list is checked against the router's source so a new POST route
//! cannot be added without being swept here.

use reqwest::StatusCode;

use crate::files::{attach, job, On};
use crate::staff_accounts::add_staff;
use crate::staff_uploads::multipart;
use crate::support::http::Browser;
use crate::support::world::World;
use crate::support::TestApp;

/// Every table whose rows a form could add, change or remove. The staff session and the
/// rate-limit counters are left out: being signed in touches them.
const TABLES: &[&str] = &[
    "workspace",
    "business_profile",
    "staff_user",
    "staff_invite",
    "client",
    "contact",
    "login_code",
    "portal_session",
    "product",
    "number_sequence",
    "project",
    "job",
    "visit",
    "quote",
    "quote_line",
    "invoice",
    "invoice_line",
    "payment",
    "payment_attempt",
    "integration",
    "task",
    "request",
    "request_event",
    "file",
    "api_token",
    "audit_event",
    "client_import",
];

/// Row counts, and for tables that keep one the sum of `updated_at`, of every table.
async fn fingerprint(app: &TestApp) -> Vec<(String, i64, i64)> {
    let pool = app.state.store.pool();
    let mut out = Vec::new();
    for table in TABLES {
        let with_updates: Result<(i64, i64), _> = sqlx::query_as(&format!(
            "SELECT COUNT(*), CAST(COALESCE(SUM(updated_at), 0) AS BIGINT) FROM {table}"
        ))
        .fetch_one(pool)
        .await;
        let (rows, updated) = match with_updates {
            Ok(v) => v,
            Err(_) => sqlx::query_as(&format!("SELECT COUNT(*), CAST(0 AS BIGINT) FROM {table}"))
                .fetch_one(pool)
                .await
                .unwrap(),
        };
        out.push((table.to_string(), rows, updated));
    }
    out
}

/// The POST routes of the staff and setup routers, counted in their source: each
/// `post(` is one route, except the five in the loop over quotes and invoices, which are
/// two each.
fn staff_post_routes_in_source() -> usize {
    include_str!("../../src/staff/mod.rs")
        .matches("post(")
        .count()
        + 5
}

async fn post_without_token(b: &Browser, path: &str, token: Option<&str>) -> reqwest::Response {
    let multipart_routes = ["/files", "/settings/logo", "/clients/import"];
    if multipart_routes.iter().any(|m| path.ends_with(m)) {
        let mut fields = vec![("target", "job:1"), ("back", "/staff/clients")];
        if let Some(t) = token {
            fields.push(("_csrf", t));
        }
        let (content_type, body) = multipart(&fields, Some(("a.csv", b"name,kind\nX,company\n")));
        return b
            .client
            .post(format!("{}{}", b.base, path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
    }
    let mut form = vec![
        ("name", "Changed"),
        ("email", "changed@cedar.test"),
        ("role", "admin"),
        ("enabled", "off"),
        ("confirm", "yes"),
        ("status", "closed"),
        ("decision", "accepted"),
        ("body", "a note"),
        ("amount", "1.00"),
        ("method", "cash"),
        ("prefix", "X-"),
        ("title", "Changed"),
        ("label", "A token"),
    ];
    if let Some(t) = token {
        form.push(("_csrf", t));
    }
    b.post_form(path, &form).await
}

#[tokio::test]
async fn every_staff_post_without_the_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let r = crate::support::records::seed(&app, w.ws, w.a, "ACME").await;
    let (job_id, _) = job(&app, w.ws, w.a, "scheduled").await;
    let file = attach(&app, w.ws, w.a, On::Job(job_id), "Plan.pdf", b"%PDF-1.4 x").await;
    let member = add_staff(&app, w.ws, "mo@cedar.test", "member").await;
    let owner = Browser::staff(&app, &w.staff_email, &w.staff_password).await;
    let (a, ann, m) = (w.a.get(), w.ann.get(), member.get());
    let unknown = 987_654_321_i64;

    let paths = vec![
        "/staff/logout".to_string(),
        "/staff/integrations/stripe".into(),
        "/staff/integrations/stripe/disconnect".into(),
        "/staff/integrations/telr".into(),
        "/staff/integrations/telr/disconnect".into(),
        "/staff/api-tokens".into(),
        format!("/staff/api-tokens/{unknown}/revoke"),
        "/staff/clients".into(),
        format!("/staff/clients/{a}/contacts"),
        format!("/staff/clients/{a}/portal"),
        format!("/staff/clients/{a}/portal/regenerate"),
        format!("/staff/requests/{}/status", r.request),
        format!("/staff/requests/{}/assign", r.request),
        format!("/staff/requests/{}/notes", r.request),
        format!("/staff/requests/{}/convert", r.request),
        format!("/staff/contacts/{ann}/email"),
        "/staff/team/invite".into(),
        format!("/staff/team/{m}/role"),
        format!("/staff/team/{m}/disable"),
        format!("/staff/team/{m}/enable"),
        format!("/staff/team/invites/{unknown}/withdraw"),
        "/staff/settings".into(),
        "/staff/settings/logo".into(),
        "/staff/catalogue".into(),
        format!("/staff/catalogue/{}", r.product_visible),
        format!("/staff/catalogue/{}/archive", r.product_visible),
        format!("/staff/catalogue/{}/restore", r.product_hidden),
        "/staff/invoices/partial-payments".into(),
        format!("/staff/invoices/{}/void", r.invoice_sent),
        format!("/staff/invoices/{}/payments", r.invoice_sent),
        format!("/staff/quotes/{}/decision", r.quote_sent),
        format!("/staff/quotes/{}/invoice", r.quote_sent),
        format!("/staff/clients/{a}/files"),
        format!("/staff/files/{}/rename", file.get()),
        format!("/staff/files/{}/remove", file.get()),
        format!("/staff/clients/{a}/jobs"),
        format!("/staff/jobs/{}", r.job_active),
        format!("/staff/jobs/{}/delete", r.job_active),
        format!("/staff/jobs/{}/visits", r.job_active),
        format!("/staff/visits/{unknown}"),
        format!("/staff/visits/{unknown}/status"),
        format!("/staff/clients/{a}/projects"),
        format!("/staff/projects/{}", r.project),
        format!("/staff/projects/{}/delete", r.project),
        "/staff/clients/import".into(),
        format!("/staff/clients/import/{unknown}/confirm"),
        format!("/staff/clients/{a}/edit"),
        format!("/staff/clients/{a}/archive"),
        format!("/staff/clients/{a}/unarchive"),
        format!("/staff/contacts/{ann}/edit"),
        format!("/staff/clients/{a}/tasks"),
        format!("/staff/tasks/{}", r.task_shared),
        format!("/staff/tasks/{}/delete", r.task_shared),
    ];
    // The routes both document kinds have.
    let mut document_paths = Vec::new();
    for (kind, draft) in [("invoices", r.invoice_draft), ("quotes", r.quote_draft)] {
        document_paths.extend([
            format!("/staff/{kind}"),
            format!("/staff/{kind}/numbering"),
            format!("/staff/{kind}/{draft}"),
            format!("/staff/{kind}/{draft}/send"),
            format!("/staff/{kind}/{draft}/delete"),
        ]);
    }

    let before = fingerprint(&app).await;
    for path in paths.iter().chain(&document_paths) {
        for token in [None, Some("0".repeat(64).as_str())] {
            let r = post_without_token(&owner, path, token).await;
            let status = r.status();
            let body = r.text().await.unwrap();
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{path} with {token:?}: {body}"
            );
            assert!(
                body.contains("did not come from this site"),
                "{path}: the reason is given: {body}"
            );
        }
    }
    assert_eq!(fingerprint(&app).await, before, "nothing changed");

    // Still signed in: the refused logout did not end the session.
    let (status, _) = owner.get_text("/staff/clients").await;
    assert_eq!(status, StatusCode::OK);

    // The pre-login forms (sign-in, accepting an invitation) need their token too.
    let stranger = Browser::new(&app);
    for path in ["/staff/login", "/staff/invite"] {
        let r = stranger
            .post_form(
                path,
                &[
                    ("email", w.staff_email.as_str()),
                    ("password", w.staff_password.as_str()),
                    ("token", "x"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(fingerprint(&app).await, before, "nothing changed");

    // Every POST route is in the sweep: the ones above, sign-in, invitation and setup
    // (which exists only on an empty database, see the test below).
    assert_eq!(
        paths.len() + document_paths.len() + 3,
        staff_post_routes_in_source(),
        "a POST route of the staff router is missing from this sweep"
    );
}

#[tokio::test]
async fn first_run_setup_without_the_csrf_token_creates_nothing() {
    let app = TestApp::spawn().await;
    let b = Browser::new(&app);
    let (status, _) = b.get_text("/setup").await;
    assert_eq!(status, StatusCode::OK);
    let form = [
        ("business", "Lakeside Plumbing"),
        ("name", "First Owner"),
        ("email", "me@lakeside.test"),
        ("password", "my long owner password"),
    ];
    let r = b.post_form("/setup", &form).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let mut forged = form.to_vec();
    forged.push((
        "_csrf",
        "0000000000000000000000000000000000000000000000000000000000000000",
    ));
    let r = b.post_form("/setup", &forged).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    for table in ["workspace", "staff_user"] {
        assert_eq!(
            crate::staff_accounts::count(&app, &format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    let (status, _) = b.get_text("/setup").await;
    assert_eq!(status, StatusCode::OK, "setup is still offered");
}
