//! `portico demo`: realistic data, loaded once, and working sign-in lines.

use reqwest::StatusCode;

use crate::support::http::{csrf_of, Browser};
use crate::support::TestApp;

async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn the_demo_loads_once_and_prints_working_sign_in_lines() {
    let app = TestApp::spawn().await;
    let first = portico::demo::load(&app.state).await.unwrap();
    let clients = count(&app, "SELECT COUNT(*) FROM client").await;
    let invoices = count(&app, "SELECT COUNT(*) FROM invoice").await;
    assert!(clients >= 25, "{clients} clients");
    for status in ["draft", "sent", "partially_paid", "paid", "void"] {
        let n = count(
            &app,
            &format!("SELECT COUNT(*) FROM invoice WHERE status = '{status}'"),
        )
        .await;
        assert!(n > 0, "an invoice in state {status}");
    }
    for currency in ["AED", "USD", "KWD"] {
        assert!(
            count(
                &app,
                &format!("SELECT COUNT(*) FROM invoice WHERE currency = '{currency}'")
            )
            .await
                > 0
        );
    }
    let enabled = count(&app, "SELECT COUNT(*) FROM client WHERE portal_enabled = 1").await;
    assert!(
        enabled * 3 >= clients && enabled * 3 <= clients * 2,
        "about half the portals are on: {enabled}/{clients}"
    );

    let second = portico::demo::load(&app.state).await.unwrap();
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM client").await,
        clients,
        "re-running reuses the data"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM invoice").await, invoices);

    // staff: <url> <email> <password>
    let staff: Vec<&str> = second[0].split(' ').collect();
    assert_eq!(staff[0], "staff:");
    assert_ne!(first[0], second[0], "a fresh password each run");
    let b = Browser::new(&app);
    let login_path = staff[1].trim_start_matches(&app.base);
    let (_, page) = b.get_text(login_path).await;
    let r = b
        .post_form(
            login_path,
            &[
                ("_csrf", &csrf_of(&page)),
                ("email", staff[2]),
                ("password", staff[3]),
            ],
        )
        .await;
    assert_eq!(r.headers()["location"], "/staff/clients");

    // portal: <link> <email>, three of them, each signs in to a home with content.
    let portal_lines: Vec<&String> = second
        .iter()
        .filter(|l| l.starts_with("portal: "))
        .collect();
    assert_eq!(portal_lines.len(), 3);
    for line in portal_lines {
        let parts: Vec<&str> = line.split(' ').collect();
        let path = parts[1].trim_start_matches(&app.base);
        let client = Browser::new(&app);
        let r = client.log_in(&app, path, parts[2]).await;
        assert_eq!(r.headers()["location"], "/portal/home", "{line}");
        let (status, home) = client.get_text("/portal/home").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            home.contains("is overdue"),
            "showcase clients have overdue invoices"
        );
        assert!(
            !home.contains("Pay now"),
            "the demo connects no payment provider, so no Pay now button"
        );
        assert!(!home.contains("No open invoices"));
    }
    assert!(second
        .last()
        .unwrap()
        .starts_with("mail: codes are delivered to"));
}
