//! Editing clients and contacts, archiving (which closes the portal until the client is
//! brought back) and the clients list's search, filters and pages.

use reqwest::StatusCode;

use crate::support::http::{csrf_of, Browser};
use crate::support::world::staff_browser;
use crate::support::world::{self, World};
use crate::support::TestApp;

async fn submit(
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

async fn client_fields(app: &TestApp, id: i64) -> (String, String, Option<i64>) {
    sqlx::query_as("SELECT name, phone, archived_at FROM client WHERE id = $1")
        .bind(id)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_client_is_edited_and_a_refused_edit_changes_nothing() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let edit = format!("/staff/clients/{}/edit", w.a);

    let r = submit(
        &staff,
        &edit,
        &edit,
        &[("name", " "), ("phone", "call me maybe")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Name: please enter it") && page.contains("Phone: use digits"),
        "{page}"
    );
    assert_eq!(client_fields(&app, w.a.get()).await.0, "Acme Facilities");

    let r = submit(
        &staff,
        &edit,
        &edit,
        &[
            ("name", "  Acme   Facilities LLC "),
            ("phone", "+971 4 123 4567"),
            ("billing_address", "PO Box 1\r\nDubai"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (name, phone, _) = client_fields(&app, w.a.get()).await;
    assert_eq!(
        (name.as_str(), phone.as_str()),
        ("Acme Facilities LLC", "+971 4 123 4567")
    );
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_event WHERE action = 'client.updated'")
            .fetch_all(app.state.store.pool())
            .await
            .unwrap();
    assert_eq!(actions.len(), 1);
}

#[tokio::test]
async fn a_contact_is_edited_with_a_normalised_email_and_duplicates_are_refused() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let edit = format!("/staff/contacts/{}/edit", w.ann);

    let r = submit(
        &staff,
        &edit,
        &edit,
        &[
            ("first_name", "Ann"),
            ("email", "not-an-email"),
            ("phone", "12ab"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("Email:") && page.contains("Phone:"), "{page}");
    let r = submit(
        &staff,
        &edit,
        &edit,
        &[("first_name", "Ann"), ("email", "ARIF@acme.test")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("another contact of this client already has this address"));
    let row: (String, Option<String>, String) =
        sqlx::query_as("SELECT first_name, email_norm, role FROM contact WHERE id = $1")
            .bind(w.ann.get())
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
    assert_eq!(
        row,
        (
            "Ann".to_string(),
            Some("ann@acme.test".to_string()),
            String::new()
        )
    );

    let r = submit(
        &staff,
        &edit,
        &edit,
        &[
            ("first_name", " Ann "),
            ("last_name", "Archer"),
            ("email", "  Ann.Archer@ACME.test "),
            ("phone", "+971 50 000 0000"),
            ("role", "Billing contact"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let row: (String, Option<String>, Option<String>, String) =
        sqlx::query_as("SELECT last_name, email, email_norm, role FROM contact WHERE id = $1")
            .bind(w.ann.get())
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
    assert_eq!(row.0, "Archer");
    assert_eq!(row.2.as_deref(), Some("ann.archer@acme.test"));
    assert_eq!(row.3, "Billing contact");
}

#[tokio::test]
async fn archiving_a_client_locks_its_portal_until_it_is_brought_back() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let ann = Browser::new(&app);
    assert_eq!(
        ann.log_in(&app, &w.a_link(), &w.ann_email).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(ann.get("/portal/home").await.status(), StatusCode::OK);
    let record = format!("/staff/clients/{}", w.a);

    // Without the confirmation nothing happens.
    let r = submit(&staff, &record, &format!("{record}/archive"), &[]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(client_fields(&app, w.a.get()).await.2.is_none());

    let r = submit(
        &staff,
        &record,
        &format!("{record}/archive"),
        &[("confirm", "yes")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(client_fields(&app, w.a.get()).await.2.is_some());
    // The open session ends and the link no longer opens a sign-in page.
    let home = ann.get("/portal/home").await;
    assert_ne!(home.status(), StatusCode::OK);
    assert_eq!(ann.get(&w.a_link()).await.status(), StatusCode::NOT_FOUND);
    // Hidden from the default list, shown under archived.
    let (_, list) = staff.get_text("/staff/clients").await;
    assert!(!list.contains("Acme Facilities") && list.contains("Birch Holdings"));
    let (_, archived) = staff.get_text("/staff/clients?archived=yes").await;
    assert!(archived.contains("Acme Facilities") && !archived.contains("Birch Holdings"));

    // (past the 30 s resend cooldown of Ann's address)
    app.clock.advance(jiff::SignedDuration::from_secs(60));
    let r = submit(&staff, &record, &format!("{record}/unarchive"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(client_fields(&app, w.a.get()).await.2.is_none());
    let again = Browser::new(&app);
    assert_eq!(
        again.log_in(&app, &w.a_link(), &w.ann_email).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(again.get("/portal/home").await.status(), StatusCode::OK);
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_event WHERE action LIKE 'client.%archived' ORDER BY at, id",
    )
    .fetch_all(app.state.store.pool())
    .await
    .unwrap();
    assert_eq!(
        actions,
        vec![
            "client.archived".to_string(),
            "client.unarchived".to_string()
        ]
    );
}

#[tokio::test]
async fn the_clients_list_searches_filters_and_pages() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    world::client(&app, w.ws, "individual", "Dana Individual").await;
    let staff = staff_browser(&app, &w).await;
    let names = |page: &str| -> Vec<&str> {
        [
            "Acme Facilities",
            "Birch Holdings",
            "Cobalt Works",
            "Dana Individual",
        ]
        .into_iter()
        .filter(|n| page.contains(n))
        .collect()
    };
    let (_, page) = staff.get_text("/staff/clients?portal=on").await;
    assert_eq!(names(&page), ["Acme Facilities", "Birch Holdings"]);
    let (_, page) = staff
        .get_text("/staff/clients?portal=off&kind=company")
        .await;
    assert_eq!(names(&page), ["Cobalt Works"]);
    let (_, page) = staff.get_text("/staff/clients?kind=individual").await;
    assert_eq!(names(&page), ["Dana Individual"]);
    // A contact's email finds its clients (the bookkeeper is at Acme and Birch).
    let (_, page) = staff.get_text("/staff/clients?q=books%40ledger").await;
    assert_eq!(names(&page), ["Acme Facilities", "Birch Holdings"]);
    let (_, page) = staff.get_text("/staff/clients?q=carol").await;
    assert_eq!(names(&page), ["Cobalt Works"]);
    for bad in ["portal=maybe", "kind=robot", "archived=soon", "page=0"] {
        let (status, _) = staff.get_text(&format!("/staff/clients?{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }

    // Pages of 50 keep their filters.
    for i in 0..50 {
        world::client(&app, w.ws, "company", &format!("Zeta {i:02}")).await;
    }
    let (_, first) = staff.get_text("/staff/clients?kind=company").await;
    assert!(
        first.contains("Zeta 45") && !first.contains("Zeta 47"),
        "first page"
    );
    let marker = "href=\"/staff/clients?";
    let next = first
        .match_indices(marker)
        .map(|(i, _)| {
            first[i + 6..]
                .split('"')
                .next()
                .unwrap()
                .replace("&#38;", "&")
                .replace("&amp;", "&")
        })
        .find(|href| href.ends_with("page=2"))
        .expect("a Next link");
    assert!(next.contains("kind=company"), "{next}");
    let (_, second) = staff.get_text(&next).await;
    assert!(
        second.contains("Zeta 49")
            && !second.contains("Dana Individual")
            && !second.contains("Zeta 45")
    );
}

#[tokio::test]
async fn another_workspaces_clients_and_contacts_cannot_be_edited_or_archived() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let other = app
        .state
        .store
        .create_workspace(
            &portico::store::workspaces::NewWorkspace {
                slug: "o",
                name: "O",
                time_zone: "UTC",
                default_currency: "USD",
            },
            app.now_ms(),
        )
        .await
        .unwrap();
    let oc = world::client(&app, other, "company", "Other Co").await;
    let oct = world::contact(&app, other, oc, "Otto", Some("otto@other.test")).await;
    let staff = staff_browser(&app, &w).await;
    let (_, page) = staff.get_text(&format!("/staff/clients/{}", w.a)).await;
    let csrf = csrf_of(&page);
    for path in [
        format!("/staff/clients/{oc}/edit"),
        format!("/staff/contacts/{oct}/edit"),
    ] {
        assert_eq!(
            staff.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    for path in [
        format!("/staff/clients/{oc}/edit"),
        format!("/staff/clients/{oc}/archive"),
        format!("/staff/clients/{oc}/unarchive"),
        format!("/staff/contacts/{oct}/edit"),
    ] {
        let r = staff
            .post_form(
                &path,
                &[
                    ("_csrf", &csrf),
                    ("name", "Mine"),
                    ("first_name", "Mine"),
                    ("confirm", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let (name, _, archived) = client_fields(&app, oc.get()).await;
    assert_eq!((name.as_str(), archived), ("Other Co", None));
}
