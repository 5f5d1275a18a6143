//! First-run setup: `portico serve` on an empty database names `/setup`; the page creates
//! the workspace and its owner once (also when sent concurrently), refuses bad input
//! without storing anything, and is gone once staff exist. Its pages and the new back
//! office pages pass axe.

use portico::domain::email::EmailAddress;
use portico::ids::{StaffUserId, WorkspaceId};
use reqwest::StatusCode;

use crate::staff_accounts::{count, location};
use crate::support::http::{csrf_of, Browser};
use crate::support::world::World;
use crate::support::TestApp;

async fn post_setup(b: &Browser, business: &str, email: &str, password: &str) -> reqwest::Response {
    let (status, page) = b.get_text("/setup").await;
    if status != StatusCode::OK {
        return b.post_form("/setup", &[("_csrf", "x")]).await;
    }
    b.post_form(
        "/setup",
        &[
            ("_csrf", &csrf_of(&page)),
            ("business", business),
            ("name", "First Owner"),
            ("email", email),
            ("password", password),
        ],
    )
    .await
}

#[tokio::test]
async fn first_run_setup_creates_one_owner_then_disappears() {
    let app = TestApp::spawn().await;
    let b = Browser::new(&app);
    assert_eq!(
        location(&b.get("/staff/login").await),
        "/setup",
        "the back office sends the first visitor to setup"
    );
    let (status, page) = b.get_text("/setup").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Set up Portico"));

    // Bad input changes nothing and names the fields.
    let r = post_setup(&b, " ", "not-an-email", "short").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = r.text().await.unwrap();
    for field in ["Business name:", "Email:", "Password:"] {
        assert!(text.contains(field), "{field}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM workspace").await, 0);

    let r = post_setup(
        &b,
        "Lakeside Plumbing",
        "me@lakeside.test",
        "my long owner password",
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        b.get("/staff/clients").await.status(),
        StatusCode::OK,
        "signed in"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM staff_user WHERE role = 'owner'").await,
        1
    );
    let name: String = sqlx::query_scalar("SELECT display_name FROM business_profile")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(name, "Lakeside Plumbing");

    // Gone for good, whoever asks.
    let stranger = Browser::new(&app);
    assert_eq!(stranger.get("/setup").await.status(), StatusCode::NOT_FOUND);
    let (_, login) = stranger.get_text("/staff/login").await;
    let r = stranger
        .post_form(
            "/setup",
            &[
                ("_csrf", &csrf_of(&login)),
                ("business", "Evil"),
                ("name", "Eve"),
                ("email", "eve@evil.test"),
                ("password", "eve's long password"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM staff_user").await, 1);
    Browser::staff(&app, "me@lakeside.test", "my long owner password").await;
}

#[tokio::test]
async fn concurrent_setup_submissions_create_exactly_one_owner() {
    let app = TestApp::spawn().await;
    let browsers: Vec<Browser> = (0..6).map(|_| Browser::new(&app)).collect();
    let mut forms = Vec::new();
    for b in &browsers {
        let (_, page) = b.get_text("/setup").await;
        forms.push(csrf_of(&page));
    }
    let sends = browsers
        .iter()
        .zip(&forms)
        .enumerate()
        .map(|(i, (b, t))| async move {
            let email = format!("owner{i}@race.test");
            b.post_form(
                "/setup",
                &[
                    ("_csrf", t.as_str()),
                    ("business", "Race Co"),
                    ("name", "Racer"),
                    ("email", &email),
                    ("password", "a long racing password"),
                ],
            )
            .await
            .status()
        });
    let statuses = futures_util::future::join_all(sends).await;
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::SEE_OTHER)
        .count();
    assert_eq!(created, 1, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::SEE_OTHER || *s == StatusCode::NOT_FOUND),
        "{statuses:?}"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM staff_user").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM workspace").await, 1);
}

#[tokio::test]
async fn setup_is_not_found_once_staff_exist() {
    let app = TestApp::spawn().await;
    World::seed(&app).await;
    assert_eq!(
        Browser::new(&app).get("/setup").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_new_back_office_pages_pass_axe_with_and_without_errors() {
    use fantoccini::Locator;

    let app = TestApp::spawn().await;
    let chrome = crate::support::chrome::Chrome::start().await;
    let c = &chrome.client;
    let axe = crate::accessibility::axe_source();
    let mut failures = Vec::new();
    let mut check = |page: String, found: Vec<String>| {
        failures.extend(found.into_iter().map(|v| format!("{page}: {v}")));
    };

    // First-run setup, blank and with errors.
    c.goto(&app.url("/setup")).await.unwrap();
    check(
        "/setup".into(),
        crate::accessibility::violations(c, &axe).await,
    );
    for (id, value) in [
        ("business", "Axe Co"),
        ("name", "Ann Axe"),
        ("email", "ann@axe.test"),
        ("password", "short"),
    ] {
        c.find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    // The browser's own minlength check would stop the form; the server's answer is
    // what is being checked.
    c.execute(
        "document.getElementById('password').removeAttribute('minlength');",
        vec![],
    )
    .await
    .unwrap();
    c.find(Locator::XPath("//button[@type='submit']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    check(
        "/setup (errors)".into(),
        crate::accessibility::violations(c, &axe).await,
    );
    c.execute(
        "document.getElementById('password').value = 'a long enough password';",
        vec![],
    )
    .await
    .unwrap();
    c.find(Locator::XPath("//button[@type='submit']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    crate::support::chrome::wait_for_path(c, "/staff/settings").await;

    for page in ["/staff/settings", "/staff/team", "/staff/catalogue"] {
        c.goto(&app.url(page)).await.unwrap();
        check(page.into(), crate::accessibility::violations(c, &axe).await);
    }
    // Settings and catalogue forms showing their errors.
    c.goto(&app.url("/staff/settings")).await.unwrap();
    let field = c.find(Locator::Id("accent_colour")).await.unwrap();
    c.execute(
        "document.getElementById('accent_colour').removeAttribute('pattern');",
        vec![],
    )
    .await
    .unwrap();
    field.clear().await.unwrap();
    field.send_keys("red").await.unwrap();
    c.find(Locator::XPath(
        "//button[normalize-space()='Save settings']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    check(
        "/staff/settings (errors)".into(),
        crate::accessibility::violations(c, &axe).await,
    );
    c.goto(&app.url("/staff/catalogue")).await.unwrap();
    c.find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("Boiler service")
        .await
        .unwrap();
    c.find(Locator::Id("price"))
        .await
        .unwrap()
        .send_keys("12.345")
        .await
        .unwrap();
    c.find(Locator::XPath(
        "//button[normalize-space()='Add to catalogue']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    check(
        "/staff/catalogue (errors)".into(),
        crate::accessibility::violations(c, &axe).await,
    );

    // An invitation's page, in a fresh session.
    let owner_id: i64 = sqlx::query_scalar("SELECT id FROM staff_user")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    let ws: i64 = sqlx::query_scalar("SELECT id FROM workspace")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    let token = "axe-invitation-token-0123456789";
    app.state
        .store
        .create_staff_invite(
            WorkspaceId::from_db(ws),
            &EmailAddress::parse("new@axe.test").unwrap(),
            portico::domain::staff::Role::Member,
            &portico::crypto::token_hash(token),
            StaffUserId::from_db(owner_id),
            app.now_ms() + 3_600_000,
            app.now_ms(),
        )
        .await
        .unwrap();
    c.goto(&app.url(&format!("/staff/invite?token={token}")))
        .await
        .unwrap();
    check(
        "/staff/invite".into(),
        crate::accessibility::violations(c, &axe).await,
    );

    assert!(
        failures.is_empty(),
        "accessibility failures:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn portico_serve_on_an_empty_database_points_at_setup() {
    use tokio::io::{AsyncBufReadExt, BufReader};

    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .arg("serve")
        .env("PORTICO_BIND", format!("127.0.0.1:{port}"))
        .env("PORTICO_PUBLIC_URL", &base)
        .env("PORTICO_DATA_DIR", dir.path())
        .env("PORTICO_LOG", "warn")
        .env_remove("DATABASE_URL")
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the portico binary");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let wanted = format!("{base}/setup");
    let found = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains(&wanted) {
                return true;
            }
        }
        false
    })
    .await
    .unwrap_or(false);
    assert!(found, "a start-up line names {wanted}");
    let mut status = None;
    for _ in 0..100 {
        if let Ok(r) = reqwest::get(&wanted).await {
            status = Some(r.status());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, Some(StatusCode::OK));
}
