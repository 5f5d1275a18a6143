//! Staff sessions: the idle limit and the absolute lifetime (with the test clock), and
//! sign-out ending the session on the server so a replayed cookie is worthless.

use jiff::SignedDuration;
use reqwest::StatusCode;

use crate::staff_accounts::{count, location};
use crate::support::http::{csrf_of, Browser};
use crate::support::world::World;
use crate::support::TestApp;

#[tokio::test]
async fn staff_sessions_end_when_idle_too_old_or_signed_out() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;

    // Idle for the configured hour.
    let b = Browser::staff(&app, &w.staff_email, &w.staff_password).await;
    app.clock.advance(SignedDuration::from_mins(59));
    assert_eq!(b.get("/staff/clients").await.status(), StatusCode::OK);
    app.clock.advance(SignedDuration::from_mins(60));
    assert_eq!(location(&b.get("/staff/clients").await), "/staff/login");
    // Ended on the server: it does not come back.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM staff_session WHERE revoked_at IS NULL"
        )
        .await,
        0
    );

    // Busy all day, but no longer than twelve hours in total.
    let b = Browser::staff(&app, &w.staff_email, &w.staff_password).await;
    for _ in 0..23 {
        app.clock.advance(SignedDuration::from_mins(30));
        assert_eq!(b.get("/staff/clients").await.status(), StatusCode::OK);
    }
    app.clock.advance(SignedDuration::from_mins(30));
    assert_eq!(location(&b.get("/staff/clients").await), "/staff/login");

    // Sign-out ends the session server-side: the old cookie, replayed, is worthless.
    let cookie = raw_session(&app, &w.staff_email, &w.staff_password).await;
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = || {
        plain
            .get(app.url("/staff/clients"))
            .header("cookie", &cookie)
            .send()
    };
    let page = get().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let t = csrf_of(&page.text().await.unwrap());
    let r = plain
        .post(app.url("/staff/logout"))
        .header("cookie", &cookie)
        .form(&[("_csrf", t.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/staff/login");
    assert_eq!(location(&get().await.unwrap()), "/staff/login");
}

/// Signs in without a cookie jar and returns the `Cookie` header of the new session.
async fn raw_session(app: &TestApp, email: &str, password: &str) -> String {
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let first = plain.get(app.url("/staff/login")).send().await.unwrap();
    let cookie_of = |r: &reqwest::Response, name: &str| -> String {
        r.headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
            .find(|c| c.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} cookie"))
    };
    let pre = cookie_of(&first, "portico_pre");
    let t = csrf_of(&first.text().await.unwrap());
    let r = plain
        .post(app.url("/staff/login"))
        .header("cookie", &pre)
        .form(&[
            ("_csrf", t.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    cookie_of(&r, "portico_staff")
}
