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
