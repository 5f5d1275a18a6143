//! The audit log page: sign-ins, failed sign-ins, staff and settings changes, each with
//! who, when (in the workspace's time zone) and from where; filters by kind and by
//! person; pages of 50.

use portico::store::audit::{Actor, AuditEntry};
use reqwest::StatusCode;

use crate::staff_accounts::csrf;
use crate::support::http::{csrf_of, Browser};
use crate::support::world::World;
use crate::support::TestApp;

/// The table rows of an audit page.
fn rows(page: &str) -> Vec<&str> {
    page.split("<tr><td>").skip(1).collect()
}

#[tokio::test]
async fn the_log_shows_who_when_and_where_and_filters_by_kind_and_person() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;

    // A failed sign-in, then the owner's own actions.
    let stranger = Browser::new(&app);
    let (_, login) = stranger.get_text("/staff/login").await;
    let r = stranger
        .post_form(
            "/staff/login",
            &[
                ("_csrf", &csrf_of(&login)),
                ("email", &w.staff_email),
                ("password", "wrong password!!"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let owner = Browser::staff(&app, &w.staff_email, &w.staff_password).await;
    let t = csrf(&owner).await;
    owner
        .post_form(
            "/staff/team/invite",
            &[
                ("_csrf", &t),
                ("email", "new@cedar.test"),
                ("role", "member"),
            ],
        )
        .await;

    let (status, all) = owner.get_text("/staff/audit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        all.contains("(Asia/Dubai)"),
        "times are in the workspace's zone"
    );
    assert!(all.contains("GMT+4"), "and labelled with it");
    assert!(all.contains("127.0.0.1"), "from where");

    let (_, failures) = owner.get_text("/staff/audit?show=failures").await;
    let failed = rows(&failures);
    assert_eq!(failed.len(), 1, "{failures}");
    assert!(failed[0].contains("staff.login_failed") && failed[0].contains(&w.staff_email));

    let (_, staff) = owner.get_text("/staff/audit?show=staff").await;
    assert!(staff.contains("staff.invited") && staff.contains("new@cedar.test as member"));
    assert!(!staff.contains("staff.login<"));

    let (_, logins) = owner.get_text("/staff/audit?show=logins").await;
    assert!(logins.contains("staff.login<"));

    // By person: the owner's email (any case) shows only their entries.
    let who = w.staff_email.to_uppercase();
    let (_, mine) = owner.get_text(&format!("/staff/audit?who={who}")).await;
    assert!(!rows(&mine).is_empty());
    assert!(rows(&mine).iter().all(|r| r.contains(&w.staff_email)));
    let (_, nobody) = owner.get_text("/staff/audit?who=nobody%40cedar.test").await;
    assert!(rows(&nobody).is_empty());

    let (status, _) = owner.get_text("/staff/audit?show=nonsense").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_log_pages_through_older_entries_keeping_the_filters() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    for i in 0..60 {
        let detail = format!("change {i}");
        app.state
            .store
            .audit(
                w.ws,
                &AuditEntry {
                    actor: Actor::Staff(w.staff.get()),
                    label: &w.staff_email,
                    action: "settings.changed",
                    subject_kind: "workspace",
                    subject_id: Some(w.ws.get()),
                    client_id: None,
                    ip: "203.0.113.9",
                    detail: &detail,
                },
                app.now_ms(),
            )
            .await
            .unwrap();
    }
    let owner = Browser::staff(&app, &w.staff_email, &w.staff_password).await;
    let (_, first) = owner
        .get_text(&format!("/staff/audit?show=settings&who={}", w.staff_email))
        .await;
    assert_eq!(rows(&first).len(), 50);
    assert!(first.contains("change 59") && !first.contains("change 9<"));
    let page = first.replace("&#38;", "&");
    let marker = "href=\"/staff/audit?show=settings&who=owner%40cedar.test&before=";
    let start = page
        .find(marker)
        .expect("a link to older entries keeping both filters");
    let href: String = page[start + 6..].split('"').next().unwrap().to_string();
    let (_, second) = owner.get_text(&href).await;
    let older = rows(&second);
    assert_eq!(older.len(), 10, "{href}");
    assert!(older
        .iter()
        .all(|r| r.contains("settings.changed") && r.contains("203.0.113.9")));
    assert!(second.contains("change 0<"));
}

/// The audit rows (who, action, subject, ip) of one action.
async fn audited(app: &TestApp, action: &str) -> Vec<(String, String, String, String)> {
    sqlx::query_as(
        "SELECT actor_kind, actor_label, subject_kind, ip FROM audit_event WHERE action = $1 ORDER BY at, id",
    )
    .bind(action)
    .fetch_all(app.state.store.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn staff_pdf_and_file_downloads_are_logged_with_who_when_and_where() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let (invoice, number) =
        crate::support::world::invoice(&app, w.ws, w.a, "sent", 5, "AED", 10_000).await;
    let (a_job, _) = crate::files::job(&app, w.ws, w.a, "in_progress").await;
    let owner = Browser::staff(&app, &w.staff_email, &w.staff_password).await;
    let r = crate::staff_uploads::upload(
        &owner,
        w.a,
        &format!("job:{a_job}"),
        "Report.pdf",
        &crate::staff_uploads::pdf(2_000, 3),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let file = crate::staff_uploads::file_rows(&app).await[0].0;
    assert!(audited(&app, "document.pdf_downloaded").await.is_empty());
    assert!(audited(&app, "file.downloaded").await.is_empty());

    let r = owner.get(&format!("/staff/invoices/{invoice}/pdf")).await;
    assert_eq!(r.status(), StatusCode::OK);
    // Headers only download nothing, and are not logged as a download.
    let r = owner
        .client
        .head(format!("{}/staff/files/{file}/download", owner.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-length"], "2000");
    assert!(audited(&app, "file.downloaded").await.is_empty());
    let r = owner.get(&format!("/staff/files/{file}/download")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().len(), 2_000);

    let staff = |kind: &str| {
        (
            "staff".to_string(),
            w.staff_email.clone(),
            kind.to_string(),
            "127.0.0.1".to_string(),
        )
    };
    assert_eq!(
        audited(&app, "document.pdf_downloaded").await,
        [staff("invoice")]
    );
    assert_eq!(audited(&app, "file.downloaded").await, [staff("file")]);

    // Both show under the page's Downloads filter.
    let (_, downloads) = owner.get_text("/staff/audit?show=downloads").await;
    let shown = rows(&downloads);
    assert_eq!(shown.len(), 2, "{downloads}");
    assert!(downloads.contains(&number) && downloads.contains("Report.pdf"));
}

#[tokio::test]
async fn members_are_refused_the_audit_log_with_a_clear_message() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    crate::staff_accounts::add_staff(&app, w.ws, "mo@cedar.test", "member").await;
    crate::staff_accounts::add_staff(&app, w.ws, "ada@cedar.test", "admin").await;
    let member = Browser::staff(&app, "mo@cedar.test", crate::staff_accounts::PASSWORD).await;
    let (_, clients) = member.get_text("/staff/clients").await;
    assert!(
        !clients.contains("href=\"/staff/audit\""),
        "no link for members"
    );
    for path in ["/staff/audit", "/staff/audit?show=downloads"] {
        let (status, page) = member.get_text(path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            page.contains("Only the workspace&#39;s owners and admins can see the audit log")
                || page.contains("Only the workspace's owners and admins can see the audit log")
                || page
                    .contains("Only the workspace&#x27;s owners and admins can see the audit log"),
            "{page}"
        );
        assert!(!page.contains("staff.login<"), "no entries leak");
    }
    let admin = Browser::staff(&app, "ada@cedar.test", crate::staff_accounts::PASSWORD).await;
    let (status, page) = admin.get_text("/staff/audit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("href=\"/staff/audit\""),
        "admins see the link"
    );
    let owner = Browser::staff(&app, &w.staff_email, &w.staff_password).await;
    assert_eq!(owner.get_text("/staff/audit").await.0, StatusCode::OK);
}
