//! Settings: business profile and branding reach the portal, portal session lengths
//! apply, and every bad value (colour, zone, currency, logo) is refused naming its field
//! with nothing changed.

use jiff::SignedDuration;
use reqwest::StatusCode;

use crate::staff_accounts::{add_staff, csrf};
use crate::support::http::Browser;
use crate::support::world::World;
use crate::support::TestApp;

fn good_form(token: &str) -> Vec<(&'static str, String)> {
    vec![
        ("_csrf", token.to_string()),
        ("display_name", "Cedar & Stone Services".into()),
        (
            "about_us",
            "Family firm since 1998.\r\nWe fix what others won't.".into(),
        ),
        ("address", "Unit 4, Al Quoz\nDubai".into()),
        ("phone", "+971 4 555 0100".into()),
        ("email", "hello@cedar.test".into()),
        ("website", "https://cedar.test".into()),
        ("hours", "Sun–Thu 08:00–17:00".into()),
        ("accent_colour", "#AA3300".into()),
        ("time_zone", "Europe/London".into()),
        ("default_currency", "gbp".into()),
        ("portal_idle_minutes", "5".into()),
        ("portal_absolute_minutes", "600".into()),
    ]
}

async fn post_settings(b: &Browser, form: &[(&str, String)]) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post_form("/staff/settings", &pairs).await
}

/// Everything the settings page can change, as stored.
async fn snapshot(app: &TestApp) -> Vec<String> {
    let row: (String, String, String, String, String, i64, i64) = sqlx::query_as(
        "SELECT p.display_name, p.about_us, p.accent_colour, w.time_zone, w.default_currency,
                w.portal_idle_minutes, w.portal_absolute_minutes
         FROM workspace w JOIN business_profile p ON p.workspace_id = w.id",
    )
    .fetch_one(app.state.store.pool())
    .await
    .unwrap();
    let logo: Option<i64> = sqlx::query_scalar("SELECT logo_file_id FROM business_profile")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    vec![
        row.0,
        row.1,
        row.2,
        row.3,
        row.4,
        row.5.to_string(),
        row.6.to_string(),
        format!("{logo:?}"),
    ]
}

#[tokio::test]
async fn saved_settings_reach_the_portal_and_its_session_lengths() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let owner = Browser::staff(&app, &w.staff_email, &w.staff_password).await;
    let (status, page) = owner.get_text("/staff/settings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Asia/Dubai") && page.contains("AED"));

    let r = post_settings(&owner, &good_form(&csrf(&owner).await)).await;
    assert_eq!(r.headers()["location"], "/staff/settings?done=saved");
    let ws = app.state.store.workspace(w.ws).await.unwrap();
    assert_eq!(ws.time_zone, "Europe/London");
    assert_eq!(ws.default_currency, "GBP");
    assert_eq!(
        (ws.portal_idle_minutes, ws.portal_absolute_minutes),
        (5, 600)
    );
    let css = reqwest::get(app.url(&format!("/static/brand/{}.css", w.ws)))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(css.contains("#aa3300"), "{css}");
    let detail: String =
        sqlx::query_scalar("SELECT detail FROM audit_event WHERE action = 'settings.changed'")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
    assert!(
        detail.contains("accent colour") && detail.contains("time zone"),
        "{detail}"
    );

    // The portal's About page shows the profile.
    let client = Browser::new(&app);
    let r = client.log_in(&app, &w.a_link(), &w.ann_email).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, about) = client.get_text("/portal/about").await;
    assert_eq!(status, StatusCode::OK);
    for shown in [
        "Family firm since 1998.",
        "Unit 4, Al Quoz",
        "Sun–Thu 08:00–17:00",
        "hello@cedar.test",
        "+971 4 555 0100",
    ] {
        assert!(about.contains(shown), "{shown}");
    }

    // The new idle limit (5 minutes) ends the client's session.
    app.clock.advance(SignedDuration::from_mins(4));
    assert_eq!(client.get("/portal/home").await.status(), StatusCode::OK);
    app.clock.advance(SignedDuration::from_mins(6));
    let r = client.get("/portal/home").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/portal");
}

#[tokio::test]
async fn a_settings_change_shows_on_a_portal_already_open_at_once() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let client = Browser::new(&app);
    let r = client.log_in(&app, &w.a_link(), &w.ann_email).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The portal has shown the workspace (and keeps it for a few seconds).
    let (status, about) = client.get_text("/portal/about").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!about.contains("Family firm since 1998."));

    let owner = Browser::staff(&app, &w.staff_email, &w.staff_password).await;
    let r = post_settings(&owner, &good_form(&csrf(&owner).await)).await;
    assert_eq!(r.headers()["location"], "/staff/settings?done=saved");

    let (status, about) = client.get_text("/portal/about").await;
    assert_eq!(status, StatusCode::OK);
    assert!(about.contains("Family firm since 1998."), "{about}");
}

#[tokio::test]
async fn bad_settings_are_refused_by_field_and_change_nothing() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let owner = Browser::staff(&app, &w.staff_email, &w.staff_password).await;
    let before = snapshot(&app).await;
    let token = csrf(&owner).await;
    for (field, value, says) in [
        (
            "accent_colour",
            "red",
            "Accent colour: use the form #rrggbb",
        ),
        ("accent_colour", "#12345g", "Accent colour"),
        ("accent_colour", "#fff;}body{", "Accent colour"),
        ("time_zone", "Mars/Olympus_Mons", "Time zone"),
        ("time_zone", "", "Time zone"),
        ("default_currency", "DOGE", "Default currency"),
        ("portal_idle_minutes", "0", "Portal idle timeout"),
        (
            "portal_absolute_minutes",
            "99999999",
            "Portal session lifetime",
        ),
        ("display_name", "   ", "Business name"),
        ("about_us", "hidden\u{202E}text", "About us"),
        ("phone", "call us anytime", "Phone"),
    ] {
        let mut form = good_form(&token);
        for (k, v) in form.iter_mut() {
            if *k == field {
                *v = value.to_string();
            }
        }
        let r = post_settings(&owner, &form).await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}"
        );
        let page = r.text().await.unwrap();
        assert!(page.contains(says), "{field}: {says}");
        assert!(page.contains("Nothing was saved"));
        assert_eq!(
            snapshot(&app).await,
            before,
            "{field}={value} changed nothing"
        );
    }
    assert_eq!(
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM audit_event WHERE action LIKE 'settings.%'"
        )
        .fetch_one(app.state.store.pool())
        .await
        .unwrap(),
        0
    );
}

/// A multipart body with the CSRF field and one file.
fn multipart(token: &str, file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----porticotestboundary7e3b";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"{file_name}\"\r\nContent-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(b: &Browser, token: &str, name: &str, bytes: &[u8]) -> reqwest::Response {
    let (content_type, body) = multipart(token, name, bytes);
    b.client
        .post(format!("{}/staff/settings/logo", b.base))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

fn png(len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(len, 7);
    bytes
}

#[tokio::test]
async fn a_logo_must_be_a_small_image_and_then_shows_in_the_portal() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let owner = Browser::staff(&app, &w.staff_email, &w.staff_password).await;
    let token = csrf(&owner).await;
    let before = snapshot(&app).await;

    let r = upload(
        &owner,
        &token,
        "logo.svg",
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Logo: use a PNG, JPEG, GIF or WebP image."));
    let r = upload(&owner, &token, "huge.png", &png(600 * 1024)).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.text().await.unwrap().contains("Logo: at most 512 KiB"));
    let r = upload(&owner, "forged", "logo.png", &png(100)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(snapshot(&app).await, before, "nothing stored");

    // A member may not upload one.
    add_staff(&app, w.ws, "mo@cedar.test", "member").await;
    let member = Browser::staff(&app, "mo@cedar.test", "a long staff password 42").await;
    let r = upload(&member, &csrf(&member).await, "logo.png", &png(100)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(snapshot(&app).await, before);

    let image = png(2048);
    let r = upload(&owner, &token, "logo.png", &image).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id: i64 = sqlx::query_scalar("SELECT logo_file_id FROM business_profile")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    let src = format!("/static/logo/{}/{id}", w.ws);
    let (_, sign_in_page) = Browser::new(&app).get_text(&w.a_link()).await;
    assert!(
        sign_in_page.contains(&format!("src=\"{src}\"")),
        "the portal shows the logo"
    );
    let got = reqwest::get(app.url(&src)).await.unwrap();
    assert_eq!(got.headers()["content-type"], "image/png");
    assert_eq!(got.headers()["x-content-type-options"], "nosniff");
    assert_eq!(got.bytes().await.unwrap().as_ref(), image.as_slice());
    assert_eq!(
        reqwest::get(app.url(&format!("/static/logo/{}/{}", w.ws, id + 1)))
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn members_cannot_open_or_save_settings() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    add_staff(&app, w.ws, "mo@cedar.test", "member").await;
    let member = Browser::staff(&app, "mo@cedar.test", "a long staff password 42").await;
    let before = snapshot(&app).await;
    assert_eq!(
        member.get("/staff/settings").await.status(),
        StatusCode::FORBIDDEN
    );
    let token = csrf(&member).await;
    let r = post_settings(&member, &good_form(&token)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Nor the logo, nor online part-payments (a portal setting of the invoices page).
    let r = upload(&member, &token, "logo.png", &png(2_000)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = member
        .post_form(
            "/staff/invoices/partial-payments",
            &[("_csrf", &token), ("allowed", "on"), ("minimum", "10.00")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("Only owners and admins"));
    assert_eq!(snapshot(&app).await, before);
    let allowed: i64 = sqlx::query_scalar("SELECT allow_partial_payments FROM workspace")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(allowed, 0);
}

/// Whether the logo `id`'s bytes are in the file store.
async fn logo_stored(app: &TestApp, w: &World, id: i64) -> bool {
    app.state
        .files
        .size(&portico::store::settings::logo_key(w.ws, id))
        .await
        .is_ok()
}

async fn logo_id(app: &TestApp) -> Option<i64> {
    sqlx::query_scalar("SELECT logo_file_id FROM business_profile")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_replaced_or_removed_logo_leaves_no_bytes_behind_in_the_file_store() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let owner = Browser::staff(&app, &w.staff_email, &w.staff_password).await;
    let token = csrf(&owner).await;

    let r = upload(&owner, &token, "first.png", &png(1000)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let first = logo_id(&app).await.unwrap();
    assert!(logo_stored(&app, &w, first).await);

    // A new logo: the old object is gone, the new one served.
    let second_png = png(1500);
    let r = upload(&owner, &token, "second.png", &second_png).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let second = logo_id(&app).await.unwrap();
    assert_ne!(first, second);
    assert!(
        !logo_stored(&app, &w, first).await,
        "the old logo's bytes are deleted"
    );
    assert!(logo_stored(&app, &w, second).await);
    let got = reqwest::get(app.url(&format!("/static/logo/{}/{second}", w.ws)))
        .await
        .unwrap();
    assert_eq!(got.bytes().await.unwrap().as_ref(), second_png.as_slice());

    // A refused upload keeps the current logo and its bytes.
    let r = upload(&owner, &token, "huge.png", &png(600 * 1024)).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(logo_id(&app).await, Some(second));
    assert!(logo_stored(&app, &w, second).await);

    // Removed: no logo, no bytes.
    let boundary = "----porticotestboundaryremove";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"remove\"\r\n\r\n1\r\n--{boundary}--\r\n"
    );
    let r = owner
        .client
        .post(format!("{}/staff/settings/logo", owner.base))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(logo_id(&app).await, None);
    assert!(
        !logo_stored(&app, &w, second).await,
        "the removed logo's bytes are deleted"
    );
}
