//! The email-code login, rule by rule (SPEC §3), through the real HTTP routes, a real SMTP
//! sink and a clock the test moves.

use jiff::SignedDuration;
use reqwest::StatusCode;

use crate::support::http::Browser;
use crate::support::world::World;
use crate::support::TestApp;

#[tokio::test]
async fn a_known_contact_gets_a_six_digit_code_by_email_and_lands_on_home() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);

    let r = browser.request_code(&w.a_link(), "ann@acme.test").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mail = app.smtp.wait_for(&w.ann_email, 1).await;

    let subject = mail.subject();
    let code = mail.code().expect("a code in the body");
    assert_eq!(code.len(), 6);
    assert!(
        subject.contains("Cedar & Stone Services"),
        "subject names the business: {subject}"
    );
    assert!(
        subject.contains("10 minutes"),
        "subject says how long: {subject}"
    );
    assert!(!subject.contains(&code), "the code is never in the subject");
    assert!(mail.text().contains("10 minutes"));
    assert!(
        mail.html().contains(&code),
        "HTML part carries the code too"
    );

    let r = browser.submit_code(&code).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/portal/home");
    let (status, home) = browser.get_text("/portal/home").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Hello, Ann"), "greets by first name");
}

#[tokio::test]
async fn email_matching_ignores_case_and_surrounding_spaces() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    browser.request_code(&w.a_link(), "  ANN@Acme.TEST  ").await;
    let mail = app.smtp.wait_for(&w.ann_email, 1).await;
    let r = browser.submit_code(&mail.code().unwrap()).await;
    assert_eq!(r.headers()["location"], "/portal/home");
}

#[tokio::test]
async fn pasted_codes_with_spaces_or_dashes_work() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    browser.request_code(&w.a_link(), &w.ann_email).await;
    let code = app.smtp.wait_for(&w.ann_email, 1).await.code().unwrap();
    let pasted = format!(" {}-{} ", &code[..3], &code[3..]);
    let r = browser.submit_code(&pasted).await;
    assert_eq!(r.headers()["location"], "/portal/home");
}

#[tokio::test]
async fn unknown_disabled_and_known_addresses_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;

    let mut pages = Vec::new();
    for email in [
        w.ann_email.as_str(),
        "nobody@nowhere.test",
        w.carol_email.as_str(),
    ] {
        let browser = Browser::new(&app);
        // Carol's company has the portal off; she uses the workspace page.
        let r = browser.request_code("/portal", email).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/portal/verify");
        let cookie_names: Vec<String> = r.cookies().map(|c| c.name().to_string()).collect();
        let (status, page) = browser.get_text("/portal/verify").await;
        let normalised = page
            .replace(email, "EMAIL")
            .replace(&crate::support::http::csrf_of(&page), "CSRF");
        pages.push((cookie_names, status, normalised));
    }
    assert_eq!(
        pages[0], pages[1],
        "unknown address looks the same as a known one"
    );
    assert_eq!(
        pages[0], pages[2],
        "disabled portal looks the same as a known one"
    );
    assert!(pages[0]
        .2
        .contains("If this address can use the portal, a code is on its way"));

    app.smtp.wait_for(&w.ann_email, 1).await;
    assert!(
        app.smtp
            .settle_and_get("nobody@nowhere.test")
            .await
            .is_empty(),
        "no mail to strangers"
    );
    assert!(
        app.smtp.to(&w.carol_email).is_empty(),
        "no mail while the portal is off"
    );
}

#[tokio::test]
async fn a_code_works_once_only() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    browser.request_code(&w.a_link(), &w.ann_email).await;
    let code = app.smtp.wait_for(&w.ann_email, 1).await.code().unwrap();
    assert_eq!(
        browser.submit_code(&code).await.headers()["location"],
        "/portal/home"
    );

    // Another browser that somehow holds the same attempt cookie cannot reuse it.
    let again = browser
        .post_form("/portal/verify", &[("_csrf", "x"), ("code", &code)])
        .await;
    assert_ne!(again.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_code_expires_after_ten_minutes() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    browser.request_code(&w.a_link(), &w.ann_email).await;
    let code = app.smtp.wait_for(&w.ann_email, 1).await.code().unwrap();
    app.clock.advance(SignedDuration::from_secs(10 * 60));
    let r = browser.submit_code(&code).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("no longer valid"));
}

#[tokio::test]
async fn a_code_still_works_just_before_ten_minutes() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    browser.request_code(&w.a_link(), &w.ann_email).await;
    let code = app.smtp.wait_for(&w.ann_email, 1).await.code().unwrap();
    app.clock.advance(SignedDuration::from_secs(9 * 60 + 59));
    assert_eq!(
        browser.submit_code(&code).await.headers()["location"],
        "/portal/home"
    );
}

fn wrong(code: &str) -> String {
    let last = code.chars().last().unwrap().to_digit(10).unwrap();
    format!("{}{}", &code[..5], (last + 1) % 10)
}

#[tokio::test]
async fn five_wrong_tries_kill_the_code_even_for_the_right_digits() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    browser.request_code(&w.a_link(), &w.ann_email).await;
    let code = app.smtp.wait_for(&w.ann_email, 1).await.code().unwrap();
    for _ in 0..5 {
        assert_eq!(
            browser.submit_code(&wrong(&code)).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let r = browser.submit_code(&code).await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "dead code refuses the right digits"
    );
    let locked: Vec<_> = app
        .state
        .store
        .audit_events(w.ws, "portal.code_locked", 10)
        .await
        .unwrap();
    assert_eq!(locked.len(), 1, "the lockout is audited");
}

#[tokio::test]
async fn four_wrong_tries_still_leave_the_right_code_usable() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    browser.request_code(&w.a_link(), &w.ann_email).await;
    let code = app.smtp.wait_for(&w.ann_email, 1).await.code().unwrap();
    for _ in 0..4 {
        browser.submit_code(&wrong(&code)).await;
    }
    assert_eq!(
        browser.submit_code(&code).await.headers()["location"],
        "/portal/home"
    );
}

#[tokio::test]
async fn a_new_code_voids_the_previous_one() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let first_browser = Browser::new(&app);
    first_browser.request_code(&w.a_link(), &w.ann_email).await;
    let first = app.smtp.wait_for(&w.ann_email, 1).await.code().unwrap();

    app.clock.advance(SignedDuration::from_secs(31));
    let second_browser = Browser::new(&app);
    second_browser.request_code(&w.a_link(), &w.ann_email).await;
    let second = app.smtp.wait_for(&w.ann_email, 2).await.code().unwrap();

    assert_eq!(
        first_browser.submit_code(&first).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        second_browser.submit_code(&second).await.headers()["location"],
        "/portal/home"
    );
}

#[tokio::test]
async fn a_code_is_bound_to_the_browser_that_asked_for_it() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let asking = Browser::new(&app);
    asking.request_code(&w.a_link(), &w.ann_email).await;
    let code = app.smtp.wait_for(&w.ann_email, 1).await.code().unwrap();

    let other = Browser::new(&app);
    other.request_code("/portal", "someone@else.test").await;
    assert_eq!(
        other.submit_code(&code).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn resending_within_thirty_seconds_sends_nothing_new() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    browser.request_code(&w.a_link(), &w.ann_email).await;
    let code = app.smtp.wait_for(&w.ann_email, 1).await.code().unwrap();

    let (_, page) = browser.get_text("/portal/verify").await;
    let csrf = crate::support::http::csrf_of(&page);
    let r = browser
        .post_form("/portal/resend", &[("_csrf", &csrf)])
        .await;
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/portal/verify?wait="));
    assert_eq!(app.smtp.settle_and_get(&w.ann_email).await.len(), 1);
    assert_eq!(
        browser.submit_code(&code).await.headers()["location"],
        "/portal/home",
        "first code still good"
    );
}

#[tokio::test]
async fn resend_after_the_cooldown_sends_a_fresh_code() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    browser.request_code(&w.a_link(), &w.ann_email).await;
    let first = app.smtp.wait_for(&w.ann_email, 1).await.code().unwrap();
    app.clock.advance(SignedDuration::from_secs(30));
    let (_, page) = browser.get_text("/portal/verify").await;
    let r = browser
        .post_form(
            "/portal/resend",
            &[("_csrf", &crate::support::http::csrf_of(&page))],
        )
        .await;
    assert_eq!(r.headers()["location"], "/portal/verify");
    let second = app.smtp.wait_for(&w.ann_email, 2).await.code().unwrap();
    if first != second {
        assert_eq!(
            browser.submit_code(&first).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    assert_eq!(
        browser.submit_code(&second).await.headers()["location"],
        "/portal/home"
    );
}

#[tokio::test]
async fn no_more_than_five_codes_an_hour_go_to_one_address() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    for _ in 0..7 {
        Browser::new(&app)
            .request_code(&w.a_link(), &w.ann_email)
            .await;
        app.clock.advance(SignedDuration::from_secs(31));
    }
    assert_eq!(app.smtp.settle_and_get(&w.ann_email).await.len(), 5);
    app.clock.advance(SignedDuration::from_hours(1));
    Browser::new(&app)
        .request_code(&w.a_link(), &w.ann_email)
        .await;
    app.smtp.wait_for(&w.ann_email, 6).await;
}

#[tokio::test]
async fn ten_failed_verifications_in_an_hour_throttle_the_address() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let mut sent = 0;
    // Two codes, five wrong tries each: ten failures.
    for _ in 0..2 {
        let b = Browser::new(&app);
        b.request_code(&w.a_link(), &w.ann_email).await;
        sent += 1;
        let code = app.smtp.wait_for(&w.ann_email, sent).await.code().unwrap();
        for _ in 0..5 {
            b.submit_code(&wrong(&code)).await;
        }
        app.clock.advance(SignedDuration::from_secs(31));
    }
    let b = Browser::new(&app);
    b.request_code(&w.a_link(), &w.ann_email).await;
    let code = app
        .smtp
        .wait_for(&w.ann_email, sent + 1)
        .await
        .code()
        .unwrap();
    assert_eq!(
        b.submit_code(&code).await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right code waits"
    );
}

#[tokio::test]
async fn two_racing_verifications_of_one_code_make_one_session() {
    use portico::auth::portal_login::{verify_code, VerifyOutcome, VerifyRequest};
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    let r = browser.request_code(&w.a_link(), &w.ann_email).await;
    let attempt = r
        .cookies()
        .find(|c| c.name() == "portico_login")
        .unwrap()
        .value()
        .to_string();
    let code = app.smtp.wait_for(&w.ann_email, 1).await.code().unwrap();

    let first = VerifyRequest {
        attempt_token: &attempt,
        code_input: &code,
        ip: "127.0.0.1",
        user_agent: "tab one",
    };
    let second = VerifyRequest {
        attempt_token: &attempt,
        code_input: &code,
        ip: "127.0.0.1",
        user_agent: "tab two",
    };
    let (one, two) = tokio::join!(
        verify_code(&app.state, &first),
        verify_code(&app.state, &second)
    );
    let wins = [one.unwrap(), two.unwrap()]
        .iter()
        .filter(|o| matches!(o, VerifyOutcome::LoggedIn { .. }))
        .count();
    assert_eq!(wins, 1);
    let logins = app
        .state
        .store
        .audit_events(w.ws, "portal.login", 10)
        .await
        .unwrap();
    assert_eq!(logins.len(), 1);
}

#[tokio::test]
async fn a_bookkeeper_on_record_at_two_clients_chooses_one_after_the_code() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    let r = browser.log_in(&app, "/portal", &w.bookkeeper_email).await;
    assert_eq!(r.headers()["location"], "/portal/choose");
    assert_eq!(
        browser.get("/portal/home").await.headers()["location"],
        "/portal/choose"
    );
    let (_, page) = browser.get_text("/portal/choose").await;
    assert!(page.contains("Acme Facilities") && page.contains("Birch Holdings"));
    assert!(!page.contains("Cobalt Works"));

    let csrf = crate::support::http::csrf_of(&page);
    let r = browser
        .post_form(
            "/portal/choose",
            &[("_csrf", &csrf), ("client_id", &w.b.to_string())],
        )
        .await;
    assert_eq!(r.headers()["location"], "/portal/home");
    let (_, home) = browser.get_text("/portal/home").await;
    assert!(home.contains("Birch Holdings"));

    // Through a client's own link there is no choice to make.
    let direct = Browser::new(&app);
    app.clock.advance(SignedDuration::from_secs(31));
    let r = direct.log_in(&app, &w.a_link(), &w.bookkeeper_email).await;
    assert_eq!(r.headers()["location"], "/portal/home");
}

#[tokio::test]
async fn choosing_a_client_the_address_does_not_belong_to_is_refused() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    browser.log_in(&app, "/portal", &w.bookkeeper_email).await;
    let (_, page) = browser.get_text("/portal/choose").await;
    let csrf = crate::support::http::csrf_of(&page);
    for bad in [
        w.c.to_string(),
        "0".into(),
        "-5".into(),
        "abc".into(),
        "99999999999999999999".into(),
    ] {
        let r = browser
            .post_form("/portal/choose", &[("_csrf", &csrf), ("client_id", &bad)])
            .await;
        assert!(
            matches!(r.status(), StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST),
            "{bad}: {}",
            r.status()
        );
    }
}

#[tokio::test]
async fn login_events_are_audited() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    browser.request_code(&w.a_link(), &w.ann_email).await;
    let code = app.smtp.wait_for(&w.ann_email, 1).await.code().unwrap();
    browser.submit_code(&wrong(&code)).await;
    browser.submit_code(&code).await;
    let (_, home) = browser.get_text("/portal/home").await;
    let csrf = crate::support::http::csrf_of(&home);
    browser
        .post_form("/portal/logout", &[("_csrf", &csrf)])
        .await;
    let actions: Vec<String> = app
        .state
        .store
        .audit_events(w.ws, "", 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for expected in [
        "portal.code_sent",
        "portal.login_failed",
        "portal.login",
        "portal.logout",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} missing from {actions:?}"
        );
    }
}

#[tokio::test]
async fn a_bookkeeper_switches_between_clients_without_signing_out() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    browser.log_in(&app, &w.a_link(), &w.bookkeeper_email).await;
    let (_, home) = browser.get_text("/portal/home").await;
    assert!(home.contains("Acme Facilities") && home.contains("Switch account"));
    let (_, page) = browser.get_text("/portal/choose").await;
    let csrf = crate::support::http::csrf_of(&page);
    let r = browser
        .post_form(
            "/portal/choose",
            &[("_csrf", &csrf), ("client_id", &w.b.to_string())],
        )
        .await;
    assert_eq!(r.headers()["location"], "/portal/home");
    let (_, home) = browser.get_text("/portal/home").await;
    assert!(home.contains("Birch Holdings"));
    // Ann, at one client only, has nothing to switch to.
    let ann = Browser::new(&app);
    ann.log_in(&app, &w.a_link(), &w.ann_email).await;
    let (_, home) = ann.get_text("/portal/home").await;
    assert!(!home.contains("Switch account"));
    assert_eq!(
        ann.get("/portal/choose").await.headers()["location"],
        "/portal/home"
    );
    let (_, page) = ann.get_text("/portal/home").await;
    let r = ann
        .post_form(
            "/portal/choose",
            &[
                ("_csrf", &crate::support::http::csrf_of(&page)),
                ("client_id", &w.b.to_string()),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "cannot switch into a client she is not on record at"
    );
}
