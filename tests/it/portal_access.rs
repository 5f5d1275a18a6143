//! Turning the portal off and on, changing contacts, regenerating links (SPEC §2).

use jiff::SignedDuration;
use reqwest::StatusCode;

use crate::support::http::{csrf_of, Browser};
use crate::support::world::{staff_browser, World};
use crate::support::TestApp;

async fn toggle(staff: &Browser, client: &str, on: bool) {
    let (_, page) = staff.get_text(&format!("/staff/clients/{client}")).await;
    let r = staff
        .post_form(
            &format!("/staff/clients/{client}/portal"),
            &[
                ("_csrf", &csrf_of(&page)),
                ("enabled", if on { "on" } else { "off" }),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn turning_the_portal_off_ends_open_sessions_at_the_next_request() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let client = Browser::new(&app);
    client.log_in(&app, &w.a_link(), &w.ann_email).await;
    assert_eq!(client.get("/portal/home").await.status(), StatusCode::OK);

    let staff = staff_browser(&app, &w).await;
    toggle(&staff, &w.a.to_string(), false).await;

    assert_eq!(
        client.get("/portal/home").await.headers()["location"],
        "/portal"
    );
    assert_eq!(
        client.get(&w.a_link()).await.status(),
        StatusCode::NOT_FOUND,
        "the link is inactive"
    );
    let audit = app
        .state
        .store
        .audit_events(w.ws, "portal.disabled", 5)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor_label, w.staff_email);
}

#[tokio::test]
async fn codes_sent_before_the_portal_went_off_stay_dead_when_it_comes_back() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let client = Browser::new(&app);
    client.request_code(&w.a_link(), &w.ann_email).await;
    let code = app.smtp.wait_for(&w.ann_email, 1).await.code().unwrap();

    let staff = staff_browser(&app, &w).await;
    toggle(&staff, &w.a.to_string(), false).await;
    toggle(&staff, &w.a.to_string(), true).await;

    assert_eq!(
        client.submit_code(&code).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn turning_it_back_on_restores_access_with_the_same_link() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    toggle(&staff, &w.a.to_string(), false).await;
    toggle(&staff, &w.a.to_string(), true).await;
    let row = app.state.store.client(w.ws, w.a).await.unwrap();
    assert_eq!(
        row.portal_access_key.as_deref(),
        Some(w.a_key.as_str()),
        "shared link keeps working"
    );
    let (_, page) = staff.get_text(&format!("/staff/clients/{}", w.a)).await;
    assert!(page.contains("Client Portal Enabled"));
    assert!(page.contains(&format!("/portal/{}", w.a_key)));

    let client = Browser::new(&app);
    let r = client.log_in(&app, &w.a_link(), &w.ann_email).await;
    assert_eq!(r.headers()["location"], "/portal/home");
    let (_, home) = client.get_text("/portal/home").await;
    assert!(home.contains("Acme Facilities"));
}

#[tokio::test]
async fn changing_a_contacts_email_signs_that_contact_out() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let client = Browser::new(&app);
    client.log_in(&app, &w.a_link(), &w.ann_email).await;

    let staff = staff_browser(&app, &w).await;
    let (_, page) = staff.get_text(&format!("/staff/contacts/{}", w.ann)).await;
    let r = staff
        .post_form(
            &format!("/staff/contacts/{}/email", w.ann),
            &[("_csrf", &csrf_of(&page)), ("email", "ann.new@acme.test")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    assert_eq!(
        client.get("/portal/home").await.headers()["location"],
        "/portal"
    );
    // The new address works; the old one no longer gets codes.
    app.clock.advance(SignedDuration::from_secs(31));
    let again = Browser::new(&app);
    again.request_code(&w.a_link(), &w.ann_email).await;
    assert_eq!(
        app.smtp.settle_and_get(&w.ann_email).await.len(),
        1,
        "only the first code ever went to the old address"
    );
    let r = again.log_in(&app, &w.a_link(), "ann.new@acme.test").await;
    assert_eq!(r.headers()["location"], "/portal/home");
}

#[tokio::test]
async fn removing_a_contacts_email_signs_that_contact_out() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let client = Browser::new(&app);
    client.log_in(&app, &w.a_link(), &w.ann_email).await;
    app.state
        .store
        .set_contact_email(w.ws, w.ann, None, app.now_ms())
        .await
        .unwrap();
    assert_eq!(
        client.get("/portal/home").await.headers()["location"],
        "/portal"
    );
}

#[tokio::test]
async fn deleting_a_contact_signs_that_contact_out() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let client = Browser::new(&app);
    client.log_in(&app, &w.a_link(), &w.ann_email).await;
    app.state
        .store
        .delete_contact(w.ws, w.ann, app.now_ms())
        .await
        .unwrap();
    assert_eq!(
        client.get("/portal/home").await.headers()["location"],
        "/portal"
    );
}

#[tokio::test]
async fn regenerating_the_link_kills_the_old_one_at_once() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let (_, page) = staff.get_text(&format!("/staff/clients/{}", w.a)).await;
    let r = staff
        .post_form(
            &format!("/staff/clients/{}/portal/regenerate", w.a),
            &[("_csrf", &csrf_of(&page)), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(staff.get(&w.a_link()).await.status(), StatusCode::NOT_FOUND);
    let new_key = app
        .state
        .store
        .client(w.ws, w.a)
        .await
        .unwrap()
        .portal_access_key
        .unwrap();
    assert_ne!(new_key, w.a_key);
    assert!(new_key.len() >= 22, "at least 128 bits");
    assert_eq!(
        staff.get(&format!("/portal/{new_key}")).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_company_contact_page_points_to_the_company_and_an_individual_has_its_own_toggle() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let solo = crate::support::world::client(&app, w.ws, "individual", "Dana Solo").await;
    let dana =
        crate::support::world::contact(&app, w.ws, solo, "Dana", Some("dana@solo.test")).await;
    let staff = staff_browser(&app, &w).await;

    let (_, ann_page) = staff.get_text(&format!("/staff/contacts/{}", w.ann)).await;
    assert!(ann_page.contains("controlled by the parent company"));
    assert!(ann_page.contains(&format!("/staff/clients/{}", w.a)));
    assert!(!ann_page.contains("Turn Client Portal Access"));

    let (_, dana_page) = staff.get_text(&format!("/staff/contacts/{dana}")).await;
    assert!(dana_page.contains("Turn Client Portal Access on"));
    let r = staff
        .post_form(
            &format!("/staff/clients/{solo}/portal"),
            &[
                ("_csrf", &csrf_of(&dana_page)),
                ("enabled", "on"),
                ("back", &format!("contact:{dana}")),
            ],
        )
        .await;
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with(&format!("/staff/contacts/{dana}")));
    let (_, dana_page) = staff.get_text(&format!("/staff/contacts/{dana}")).await;
    assert!(dana_page.contains("Client Portal Enabled"));
    assert!(dana_page.contains("Copy link"));
}

#[tokio::test]
async fn staff_of_one_workspace_cannot_reach_another_workspaces_clients() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let store = &app.state.store;
    let other_ws = store
        .create_workspace(
            &portico::store::workspaces::NewWorkspace {
                slug: "other",
                name: "Other Co",
                time_zone: "UTC",
                default_currency: "USD",
            },
            app.now_ms(),
        )
        .await
        .unwrap();
    let foreign = crate::support::world::client(&app, other_ws, "company", "Foreign Client").await;
    let staff = staff_browser(&app, &w).await;
    assert_eq!(
        staff
            .get(&format!("/staff/clients/{foreign}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let (_, page) = staff.get_text(&format!("/staff/clients/{}", w.a)).await;
    let r = staff
        .post_form(
            &format!("/staff/clients/{foreign}/portal"),
            &[("_csrf", &csrf_of(&page)), ("enabled", "on")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(!store.client(other_ws, foreign).await.unwrap().portal_on());
}

#[tokio::test]
async fn the_audit_log_shows_who_changed_access_and_who_signed_in_from_where() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let client = Browser::new(&app);
    client.log_in(&app, &w.a_link(), &w.ann_email).await;
    let staff = staff_browser(&app, &w).await;
    toggle(&staff, &w.a.to_string(), false).await;

    let (status, all) = staff.get_text("/staff/audit").await;
    assert_eq!(status, StatusCode::OK);
    for expected in [
        "portal.disabled",
        "portal.login",
        "staff.login",
        "127.0.0.1",
        "ann@acme.test",
    ] {
        assert!(all.contains(expected), "{expected} in the log");
    }
    let (_, access) = staff.get_text("/staff/audit?show=access").await;
    assert!(access.contains("portal.disabled") && !access.contains("portal.login<"));
    assert!(access.contains(&format!("/staff/clients/{}", w.a)));
    assert_eq!(
        staff.get("/staff/audit?show=nonsense").await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        staff.get("/staff/audit?before=abc").await.status(),
        StatusCode::BAD_REQUEST
    );
    // Clients never see it.
    assert_eq!(
        client.get("/staff/audit").await.headers()["location"],
        "/staff/login"
    );
}

#[tokio::test]
async fn the_audit_log_pages_back_through_older_events() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    for i in 0..60 {
        let entry = portico::store::audit::AuditEntry {
            actor: portico::store::audit::Actor::System,
            label: "",
            action: "test.event",
            subject_kind: "",
            subject_id: None,
            client_id: None,
            ip: "",
            detail: &format!("event-{i:02}"),
        };
        app.state
            .store
            .audit(w.ws, &entry, app.now_ms())
            .await
            .unwrap();
    }
    let staff = staff_browser(&app, &w).await;
    let (_, first) = staff.get_text("/staff/audit").await;
    assert!(first.contains("event-59") && !first.contains("event-05<"));
    let start = first
        .find("href=\"/staff/audit?before=")
        .expect("an Older link")
        + "href=\"".len();
    let next = first[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&");
    let (_, second) = staff.get_text(&next).await;
    assert!(second.contains("event-05") && !second.contains("event-59"));
}

#[tokio::test]
async fn turning_access_off_or_regenerating_asks_first_and_changes_nothing_until_confirmed() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let client = Browser::new(&app);
    client.log_in(&app, &w.a_link(), &w.ann_email).await;
    let staff = staff_browser(&app, &w).await;
    let (_, page) = staff.get_text(&format!("/staff/clients/{}", w.a)).await;
    assert_eq!(
        page.matches("I understand open sessions end").count(),
        2,
        "both buttons carry the required checkbox"
    );
    let csrf = csrf_of(&page);
    for (path, fields) in [
        (
            format!("/staff/clients/{}/portal", w.a),
            vec![("enabled", "off")],
        ),
        (format!("/staff/clients/{}/portal/regenerate", w.a), vec![]),
    ] {
        let mut form = vec![("_csrf", csrf.as_str())];
        form.extend(fields.iter().copied());
        let r = staff.post_form(&path, &form).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}: a confirmation step");
        let confirm = r.text().await.unwrap();
        assert!(confirm.contains("I understand open sessions end"));
        assert!(confirm.contains("signed out"), "says what happens");
        assert!(confirm.contains(&format!("action=\"{path}\"")), "{path}");
        // Nothing changed yet: the link still works and the session is open.
        let row = app.state.store.client(w.ws, w.a).await.unwrap();
        assert!(row.portal_on());
        assert_eq!(row.portal_access_key.as_deref(), Some(w.a_key.as_str()));
        assert_eq!(client.get("/portal/home").await.status(), StatusCode::OK);
    }
    // Confirmed from the step's own form, it happens.
    let r = staff
        .post_form(
            &format!("/staff/clients/{}/portal", w.a),
            &[
                ("_csrf", csrf.as_str()),
                ("enabled", "off"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!app.state.store.client(w.ws, w.a).await.unwrap().portal_on());
    // Turning it on needs no confirmation.
    let r = staff
        .post_form(
            &format!("/staff/clients/{}/portal", w.a),
            &[("_csrf", csrf.as_str()), ("enabled", "on")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_link_with_trailing_punctuation_leads_to_the_clean_link_only_when_live() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let b = Browser::new(&app);
    let clean = w.a_link();
    for suffix in ["/", ".", "),", ")", ">", "/.", ".)", "!", "\u{201d}"] {
        let r = b.get(&format!("{clean}{suffix}")).await;
        assert!(
            r.status() == StatusCode::SEE_OTHER || r.status() == StatusCode::PERMANENT_REDIRECT,
            "{suffix:?}: {}",
            r.status()
        );
        assert_eq!(r.headers()["location"], clean.as_str(), "{suffix:?}");
    }
    // A key that is not live stays a plain 404, whatever follows it.
    for path in [
        "/portal/not-a-key.".to_string(),
        "/portal/not-a-key/".to_string(),
        format!("{clean}x."),
        format!("{clean}/home"),
        format!("{clean}/x."),
    ] {
        let r = b.get(&path).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // Once the link is switched off, its punctuated forms are dead too.
    let staff = staff_browser(&app, &w).await;
    toggle(&staff, &w.a.to_string(), false).await;
    assert_eq!(
        b.get(&format!("{clean}.")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.get(&format!("{clean}/")).await.status(),
        StatusCode::NOT_FOUND
    );
    // The section roots with a trailing slash go to their clean paths.
    let r = b.get("/portal/").await;
    assert!(r.status().is_redirection(), "{}", r.status());
    assert_eq!(r.headers()["location"], "/portal");
    let r = b.get("/staff/").await;
    assert!(r.status().is_redirection(), "{}", r.status());
    assert_eq!(r.headers()["location"], "/staff");
}

#[tokio::test]
async fn error_pages_point_back_to_where_the_error_happened() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;

    let anonymous = Browser::new(&app);
    let (status, page) = anonymous.get_text("/nowhere").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains(r#"<a href="/portal">Go to the client portal sign-in</a>"#));

    let client = Browser::new(&app);
    client.log_in(&app, &w.a_link(), &w.ann_email).await;
    let (status, page) = client.get_text("/portal/invoices/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains(r#"href="/portal/home""#), "{page}");
    assert!(!page.contains("client portal sign-in"));

    let staff = staff_browser(&app, &w).await;
    let (status, page) = staff.get_text("/staff/clients/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains(r#"href="/staff""#), "{page}");
    assert!(!page.contains("client portal sign-in"));
}

/// The facts under the Client Portal section of a client record page.
fn portal_facts(page: &str) -> String {
    let panel = page.find("id=\"portal-heading\"").expect("portal section");
    let start = panel
        + page[panel..]
            .find("<dl class=\"facts\">")
            .expect("portal facts");
    page[start..].split("</dl>").next().unwrap().to_string()
}

#[tokio::test]
async fn the_portal_section_shows_who_enabled_it_when_and_the_last_portal_login() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let cobalt = w.c.to_string();
    let record = format!("/staff/clients/{cobalt}");

    // Never enabled: Off, no badge, no link, no "Enabled" fact, never logged in.
    let (_, page) = staff.get_text(&record).await;
    assert!(page.contains("Client Portal Access: <strong>Off</strong>"));
    assert!(!page.contains("Client Portal Enabled"));
    assert!(!page.contains("id=\"portal-link\""));
    let facts = portal_facts(&page);
    assert!(!facts.contains("<dt>Enabled</dt>"), "{facts}");
    assert!(
        facts.contains("<dt>Last portal login</dt><dd>Never</dd>"),
        "{facts}"
    );

    // Enabled by the owner: when (in the workspace's zone) and by whom.
    toggle(&staff, &cobalt, true).await;
    let row = app.state.store.client(w.ws, w.c).await.unwrap();
    let enabled_at = row.portal_enabled_at.expect("enabled_at stored");
    let when = portico::domain::records::display_instant(enabled_at, "Asia/Dubai");
    let (_, page) = staff.get_text(&record).await;
    assert!(page.contains("Client Portal Enabled"), "the badge");
    let key = row.portal_access_key.clone().unwrap();
    assert!(page.contains(&format!(
        "id=\"portal-link\" type=\"text\" readonly value=\"{}\"",
        app.url(&format!("/portal/{key}"))
    )));
    assert!(page.contains("data-copy-target=\"portal-link\""), "copy");
    assert!(page.contains(&format!("/staff/clients/{cobalt}/portal/regenerate")));
    let facts = portal_facts(&page);
    assert!(
        facts.contains(&format!("<dt>Enabled</dt><dd>{when} by Olivia Owner</dd>")),
        "{facts}"
    );
    assert!(facts.contains("<dd>Never</dd>"), "{facts}");

    // Carol signs in through the link: the section shows that login's time.
    let carol = Browser::new(&app);
    let r = carol
        .log_in(&app, &format!("/portal/{key}"), &w.carol_email)
        .await;
    assert_eq!(r.headers()["location"], "/portal/home");
    let row = app.state.store.client(w.ws, w.c).await.unwrap();
    let login_at = row.portal_last_login_at.expect("last login stored");
    assert!(login_at >= enabled_at);
    let (_, page) = staff.get_text(&record).await;
    let facts = portal_facts(&page);
    let login = portico::domain::records::display_instant(login_at, "Asia/Dubai");
    assert!(
        facts.contains(&format!("<dt>Last portal login</dt><dd>{login}</dd>")),
        "{facts}"
    );

    // Another client's section is untouched by Carol's login.
    let (_, birch) = staff.get_text(&format!("/staff/clients/{}", w.b)).await;
    assert!(
        portal_facts(&birch).contains("<dt>Last portal login</dt><dd>Never</dd>"),
        "Birch"
    );
}
