//! Portal sessions: rotation at login, cookie flags, timeouts, logout.

use jiff::SignedDuration;
use reqwest::StatusCode;

use crate::support::http::{csrf_of, Browser};
use crate::support::world::World;
use crate::support::{Options, TestApp};

fn set_cookies(r: &reqwest::Response) -> Vec<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn login_issues_a_new_session_cookie_with_safe_flags() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    let r = browser.log_in(&app, &w.a_link(), &w.ann_email).await;
    let cookies = set_cookies(&r);
    let session = cookies
        .iter()
        .find(|c| c.starts_with("portico_portal="))
        .expect("a session cookie");
    assert!(session.contains("HttpOnly"));
    assert!(session.contains("SameSite=Lax"));
    assert!(session.contains("Path=/"));
    assert!(!session.contains("Secure"), "plain http in tests");
    let value = session
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("portico_portal=");
    assert!(value.len() >= 43, "256 bits of session id");
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("portico_login=") && c.contains("Max-Age=0")),
        "attempt cookie cleared"
    );
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("portico_pre=") && c.contains("Max-Age=0")),
        "pre-session cleared"
    );
}

#[tokio::test]
async fn over_https_cookies_are_secure_and_host_prefixed() {
    let app = TestApp::spawn_with(Options {
        public_url: Some("https://portal.example.test".into()),
        ..Options::default()
    })
    .await;
    World::seed(&app).await;
    let r = reqwest::get(app.url("/portal")).await.unwrap();
    let cookies = set_cookies(&r);
    let pre = cookies
        .iter()
        .find(|c| c.starts_with("__Host-portico_pre="))
        .expect("host-prefixed cookie");
    assert!(
        pre.contains("Secure")
            && pre.contains("HttpOnly")
            && pre.contains("SameSite=Lax")
            && pre.contains("Path=/")
    );
    assert!(!pre.contains("Domain"));
    assert_eq!(
        r.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
}

#[tokio::test]
async fn a_cookie_planted_before_login_is_never_the_session() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    let planted = "planted-session-value-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let url: reqwest::Url = app.base.parse().unwrap();
    let jar = reqwest::cookie::Jar::default();
    jar.add_cookie_str(&format!("portico_portal={planted}; Path=/"), &url);
    // The planted value grants nothing…
    let c = reqwest::Client::builder()
        .cookie_provider(std::sync::Arc::new(jar))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = c.get(app.url("/portal/home")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/portal");
    // …and login replaces whatever was there.
    let r = browser.log_in(&app, &w.a_link(), &w.ann_email).await;
    let session = set_cookies(&r)
        .into_iter()
        .find(|c| c.starts_with("portico_portal="))
        .unwrap();
    assert!(!session.contains(planted));
}

#[tokio::test]
async fn thirty_idle_minutes_end_the_session() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    browser.log_in(&app, &w.a_link(), &w.ann_email).await;
    app.clock.advance(SignedDuration::from_mins(29));
    assert_eq!(browser.get("/portal/home").await.status(), StatusCode::OK);
    app.clock.advance(SignedDuration::from_mins(29));
    assert_eq!(
        browser.get("/portal/home").await.status(),
        StatusCode::OK,
        "activity keeps it alive"
    );
    app.clock.advance(SignedDuration::from_mins(30));
    let r = browser.get("/portal/home").await;
    assert_eq!(r.headers()["location"], "/portal");
}

#[tokio::test]
async fn twelve_hours_end_the_session_however_busy() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    browser.log_in(&app, &w.a_link(), &w.ann_email).await;
    for _ in 0..47 {
        app.clock.advance(SignedDuration::from_mins(15));
        assert_eq!(browser.get("/portal/home").await.status(), StatusCode::OK);
    }
    app.clock.advance(SignedDuration::from_mins(15));
    assert_eq!(
        browser.get("/portal/home").await.headers()["location"],
        "/portal"
    );
}

#[tokio::test]
async fn workspace_session_lengths_are_honoured() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    app.state
        .store
        .set_portal_session_lengths(w.ws, 5, 60)
        .await
        .unwrap();
    let browser = Browser::new(&app);
    browser.log_in(&app, &w.a_link(), &w.ann_email).await;
    app.clock.advance(SignedDuration::from_mins(5));
    assert_eq!(
        browser.get("/portal/home").await.headers()["location"],
        "/portal"
    );
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server_and_forbids_caching() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    let r = browser.log_in(&app, &w.a_link(), &w.ann_email).await;
    let session = set_cookies(&r)
        .into_iter()
        .find(|c| c.starts_with("portico_portal="))
        .unwrap();
    let value = session.split(';').next().unwrap().to_string();

    let (_, home) = browser.get_text("/portal/home").await;
    let r = browser
        .post_form("/portal/logout", &[("_csrf", &csrf_of(&home))])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(
        r.headers()["clear-site-data"],
        "\"cache\"",
        "never \"cookies\": that would also end the browser's back-office session"
    );
    assert_eq!(r.headers()["location"].to_str().unwrap(), w.a_link());

    // Replaying the old cookie by hand gets the login page.
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = replay
        .get(app.url("/portal/home"))
        .header("cookie", value)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/portal");
}

#[tokio::test]
async fn logout_needs_the_csrf_token() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    browser.log_in(&app, &w.a_link(), &w.ann_email).await;
    let r = browser
        .post_form("/portal/logout", &[("_csrf", "forged")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(browser.get("/portal/home").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn pages_are_not_cached() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    browser.log_in(&app, &w.a_link(), &w.ann_email).await;
    let r = browser.get("/portal/home").await;
    assert_eq!(r.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn a_signed_in_contact_opening_the_portal_link_goes_straight_home() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    browser.log_in(&app, &w.a_link(), &w.ann_email).await;
    assert_eq!(
        browser.get(&w.a_link()).await.headers()["location"],
        "/portal/home"
    );
    assert_eq!(
        browser.get("/portal").await.headers()["location"],
        "/portal/home"
    );
    // Another client's link still shows its sign-in page (the bookkeeper case).
    let other = format!("/portal/{}", w.b_key);
    assert_eq!(browser.get(&other).await.status(), StatusCode::OK);
}
