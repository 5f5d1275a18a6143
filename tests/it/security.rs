//! Hostile input and cross-site tricks: each gets a clear answer and changes nothing.

use reqwest::StatusCode;

use crate::support::http::{csrf_of, Browser};
use crate::support::world::{self, World};
use crate::support::TestApp;

#[tokio::test]
async fn asking_for_a_code_without_the_csrf_token_is_refused_and_sends_nothing() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    browser.get("/portal").await;
    for token in ["", "forged", &"a".repeat(64)] {
        let r = browser
            .post_form(
                "/portal/login",
                &[
                    ("_csrf", token),
                    ("email", &w.ann_email),
                    ("access_key", ""),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    assert!(app.smtp.settle_and_get(&w.ann_email).await.is_empty());
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    let (_, page) = browser.get_text("/portal").await;
    let r = browser
        .client
        .post(app.url("/portal/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&[
            ("_csrf", csrf_of(&page).as_str()),
            ("email", w.ann_email.as_str()),
            ("access_key", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(app.smtp.settle_and_get(&w.ann_email).await.is_empty());
}

#[tokio::test]
async fn the_code_form_needs_its_csrf_token() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    browser.request_code(&w.a_link(), &w.ann_email).await;
    let code = app.smtp.wait_for(&w.ann_email, 1).await.code().unwrap();
    let r = browser
        .post_form("/portal/verify", &[("code", &code)])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        browser.submit_code(&code).await.headers()["location"],
        "/portal/home",
        "the refused post did not use the code"
    );
}

#[tokio::test]
async fn bad_email_input_gets_a_clear_message_and_no_code() {
    let app = TestApp::spawn().await;
    World::seed(&app).await;
    let browser = Browser::new(&app);
    let long = format!("{}@example.test", "a".repeat(5000));
    for bad in [
        "",
        "not-an-email",
        "<script>alert(1)</script>@x",
        &long,
        "a@b\r\nBcc: evil@x.test",
    ] {
        let (_, page) = browser.get_text("/portal").await;
        let r = browser
            .post_form(
                "/portal/login",
                &[
                    ("_csrf", &csrf_of(&page)),
                    ("email", bad),
                    ("access_key", ""),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        let body = r.text().await.unwrap();
        assert!(body.contains("Email address:"), "names the field");
        assert!(
            !body.contains("<script>alert(1)"),
            "echoed input is escaped"
        );
    }
    // A NUL character is refused before any handler sees it.
    let (_, page) = browser.get_text("/portal").await;
    let r = browser
        .post_form(
            "/portal/login",
            &[
                ("_csrf", &csrf_of(&page)),
                ("email", "ann@acme.test\u{0}"),
                ("access_key", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("NUL character"));
    assert!(app.smtp.all().is_empty());
}

#[tokio::test]
async fn malformed_forms_and_unknown_links_get_clear_errors_not_crashes() {
    let app = TestApp::spawn().await;
    World::seed(&app).await;
    let browser = Browser::new(&app);
    for path in [
        "/portal/not-a-real-key",
        "/portal/%00",
        "/portal/..%2f..%2fetc%2fpasswd",
        "/staff/clients/abc",
        "/staff/clients/-1",
        "/nowhere",
    ] {
        let status = browser.get(path).await.status();
        assert!(
            matches!(
                status,
                StatusCode::NOT_FOUND | StatusCode::SEE_OTHER | StatusCode::BAD_REQUEST
            ),
            "{path}: {status}"
        );
    }
    let raw = browser
        .client
        .post(app.url("/portal/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("%%%&&&==")
        .send()
        .await
        .unwrap();
    assert!(raw.status().is_client_error(), "{}", raw.status());
    let json = browser
        .client
        .post(app.url("/portal/login"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert!(json.status().is_client_error());
    let huge = browser
        .client
        .post(app.url("/portal/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 3 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert!(huge.status().is_client_error(), "{}", huge.status());
    assert_eq!(
        browser.get("/healthz").await.status(),
        StatusCode::OK,
        "server still up"
    );
}

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    World::seed(&app).await;
    for path in ["/portal", "/staff/login", "/nowhere"] {
        let r = reqwest::get(app.url(path)).await.unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe-inline"),
            "{path}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(h.contains_key("x-request-id"));
    }
}

#[tokio::test]
async fn names_with_markup_are_shown_as_text() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let evil = world::client(
        &app,
        w.ws,
        "company",
        "<img src=x onerror=alert(1)>\u{202E}Evil",
    )
    .await;
    world::contact(
        &app,
        w.ws,
        evil,
        "<script>alert(2)</script>",
        Some("evil@evil.test"),
    )
    .await;
    let key = world::enable(&app, w.ws, evil).await;

    let client = Browser::new(&app);
    let (_, login) = client.get_text(&format!("/portal/{key}")).await;
    assert!(
        !login.contains("<img src=x") && login.contains("&#60;img src=x onerror=alert(1)&#62;")
    );
    client
        .log_in(&app, &format!("/portal/{key}"), "evil@evil.test")
        .await;
    let (_, home) = client.get_text("/portal/home").await;
    assert!(!home.contains("<script>alert(2)"));
    assert!(home.contains("&#60;script&#62;alert(2)&#60;/script&#62;"));
}

#[tokio::test]
async fn staff_passwords_lock_the_account_after_five_failures() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let b = Browser::new(&app);
    for _ in 0..5 {
        let (_, page) = b.get_text("/staff/login").await;
        let r = b
            .post_form(
                "/staff/login",
                &[
                    ("_csrf", &csrf_of(&page)),
                    ("email", &w.staff_email),
                    ("password", "wrong password here"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let (_, page) = b.get_text("/staff/login").await;
    let r = b
        .post_form(
            "/staff/login",
            &[
                ("_csrf", &csrf_of(&page)),
                ("email", &w.staff_email),
                ("password", &w.staff_password),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "locked even with the right password"
    );
    app.clock.advance(jiff::SignedDuration::from_mins(16));
    let (_, page) = b.get_text("/staff/login").await;
    let r = b
        .post_form(
            "/staff/login",
            &[
                ("_csrf", &csrf_of(&page)),
                ("email", &w.staff_email),
                ("password", &w.staff_password),
            ],
        )
        .await;
    assert_eq!(r.headers()["location"], "/staff/clients");
    let failed = app
        .state
        .store
        .audit_events(w.ws, "staff.login_failed", 10)
        .await
        .unwrap();
    assert_eq!(failed.len(), 5);
}

#[tokio::test]
async fn a_strangers_wrong_passwords_do_not_lock_staff_out() {
    let app = TestApp::spawn_with(crate::support::Options {
        trusted_proxies: Some("127.0.0.1".into()),
        ..Default::default()
    })
    .await;
    let w = World::seed(&app).await;
    let from = |ip: &str| Browser {
        client: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers({
                let mut h = reqwest::header::HeaderMap::new();
                h.insert("x-forwarded-for", ip.parse().unwrap());
                h
            })
            .build()
            .unwrap(),
        base: app.base.clone(),
    };
    let try_password = |b: Browser, password: String| {
        let email = w.staff_email.clone();
        async move {
            let (_, page) = b.get_text("/staff/login").await;
            b.post_form(
                "/staff/login",
                &[
                    ("_csrf", &csrf_of(&page)),
                    ("email", &email),
                    ("password", &password),
                ],
            )
            .await
            .status()
        }
    };
    for _ in 0..8 {
        let status = try_password(from("203.0.113.9"), "guess".into()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let stranger = try_password(from("203.0.113.9"), w.staff_password.clone()).await;
    assert_eq!(
        stranger,
        StatusCode::UNAUTHORIZED,
        "the guessing address stays refused"
    );
    let owner = try_password(from("198.51.100.7"), w.staff_password.clone()).await;
    assert_eq!(
        owner,
        StatusCode::SEE_OTHER,
        "the owner still signs in from their own address"
    );

    // Guesses spread over many addresses still lock the whole account in the end.
    for i in 0..50 {
        try_password(from(&format!("192.0.2.{i}")), "guess".into()).await;
    }
    let owner = try_password(from("198.51.100.7"), w.staff_password.clone()).await;
    assert_eq!(
        owner,
        StatusCode::UNAUTHORIZED,
        "a spread-out attack locks the account"
    );
    let locked = app
        .state
        .store
        .audit_events(w.ws, "staff.locked_out", 10)
        .await
        .unwrap();
    assert_eq!(locked.len(), 2, "one for the address, one for the account");
}

#[tokio::test]
async fn staff_pages_need_a_staff_session() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let b = Browser::new(&app);
    for path in [
        "/staff/clients".to_string(),
        format!("/staff/clients/{}", w.a),
    ] {
        assert_eq!(b.get(&path).await.headers()["location"], "/staff/login");
    }
    // A portal session is not a staff session.
    b.log_in(&app, &w.a_link(), &w.ann_email).await;
    assert_eq!(
        b.get("/staff/clients").await.headers()["location"],
        "/staff/login"
    );
}

#[tokio::test]
async fn a_look_alike_address_never_receives_the_code() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let browser = Browser::new(&app);
    // U+212A KELVIN SIGN lower-cases to "k": it finds the contact, but is another mailbox.
    let lookalike = "ann@\u{212A}ingdom.test";
    let solo = crate::support::world::client(&app, w.ws, "company", "Kingdom Co").await;
    crate::support::world::contact(&app, w.ws, solo, "Kim", Some("ann@kingdom.test")).await;
    crate::support::world::enable(&app, w.ws, solo).await;
    let r = browser.request_code("/portal", lookalike).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mail = app.smtp.wait_for("ann@kingdom.test", 1).await;
    assert_eq!(
        mail.rcpt,
        vec!["ann@kingdom.test".to_string()],
        "sent only to the address on record"
    );
    assert!(app
        .smtp
        .all()
        .iter()
        .all(|m| m.rcpt.iter().all(|r| !r.contains('\u{212A}'))));
}

#[tokio::test]
async fn a_strangers_wrong_guesses_do_not_lock_the_contact_out() {
    let app = TestApp::spawn_with(crate::support::Options {
        trusted_proxies: Some("127.0.0.1".into()),
        ..Default::default()
    })
    .await;
    let w = World::seed(&app).await;
    let from = |ip: &'static str| {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers({
                let mut h = reqwest::header::HeaderMap::new();
                h.insert("x-forwarded-for", ip.parse().unwrap());
                h
            })
            .build()
            .unwrap()
    };
    let attacker = Browser {
        client: from("203.0.113.9"),
        base: app.base.clone(),
    };
    let victim = Browser {
        client: from("198.51.100.7"),
        base: app.base.clone(),
    };
    attacker.request_code(&w.a_link(), &w.ann_email).await;
    app.smtp.wait_for(&w.ann_email, 1).await;
    for _ in 0..12 {
        attacker.submit_code("000000").await;
    }
    app.clock.advance(jiff::SignedDuration::from_secs(31));
    let r = victim.log_in(&app, &w.a_link(), &w.ann_email).await;
    let seen: Vec<(String, String)> = app
        .state
        .store
        .audit_events(w.ws, "", 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.ip))
        .collect();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{seen:?}");
    let throttled = app
        .state
        .store
        .audit_events(w.ws, "portal.login_failed", 50)
        .await
        .unwrap();
    assert!(
        throttled.iter().any(|e| e.ip == "203.0.113.9"),
        "the audit log has the stranger's address"
    );
}

#[tokio::test]
async fn requests_the_framework_cannot_read_get_the_products_error_page() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let b = Browser::new(&app);
    b.request_code(&w.a_link(), &w.ann_email).await;
    let (status, body) = b.get_text("/portal/verify?wait=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("<title>") && !body.contains("Failed to deserialize"));
    let r = b
        .client
        .post(app.url("/portal/login"))
        .header("content-type", "text/plain")
        .body("email=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("<title>"));
    for path in ["/portal/login", "/portal/logout", "/portal/resend"] {
        let r = b.get(path).await;
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
        assert!(
            r.text().await.unwrap().contains("<title>"),
            "{path} explains itself"
        );
    }
    let (status, body) = b.get_text("/portal/%C0%AE").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains("Invalid URL"));
}

#[tokio::test]
async fn an_inactive_link_says_so_and_the_code_page_never_reveals_a_new_link() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let holder = Browser::new(&app);
    holder.request_code(&w.a_link(), "stranger@else.test").await;
    let row = app
        .state
        .store
        .regenerate_portal_key(w.ws, w.a, app.now_ms())
        .await
        .unwrap();
    let new_key = row.portal_access_key.unwrap();
    let (status, body) = holder.get_text(&w.a_link()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("This portal link is not active"));
    let (_, verify) = holder.get_text("/portal/verify").await;
    assert!(!verify.contains(&new_key));
}

#[tokio::test]
async fn metrics_answer_only_local_callers_without_a_token() {
    let app = TestApp::spawn_with(crate::support::Options {
        trusted_proxies: Some("127.0.0.1".into()),
        ..Default::default()
    })
    .await;
    let local = reqwest::get(app.url("/metrics")).await.unwrap();
    assert_eq!(local.status(), StatusCode::OK);
    assert!(local
        .text()
        .await
        .unwrap()
        .contains("portico_http_requests_total"));
    let relayed = reqwest::Client::new()
        .get(app.url("/metrics"))
        .header("x-forwarded-for", "203.0.113.5")
        .send()
        .await
        .unwrap();
    assert_eq!(
        relayed.status(),
        StatusCode::FORBIDDEN,
        "a request relayed from outside is not local"
    );
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn().await;
    let mut conn = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: a")
        .await
        .unwrap();
    let limit = portico::HEADER_READ_TIMEOUT + std::time::Duration::from_secs(5);
    let mut buf = Vec::new();
    let read = tokio::time::timeout(limit, conn.read_to_end(&mut buf)).await;
    assert!(
        read.is_ok(),
        "the server still held the half-sent request after {limit:?}"
    );
    let answer = String::from_utf8_lossy(&buf);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
}
