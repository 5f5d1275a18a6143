//! CSV import of clients and contacts: the dry run lists every bad row with its line and
//! why and stores nothing; a confirmed good file imports exactly its rows, once, in a
//! background task whose progress the page can poll.

use reqwest::StatusCode;
use serde_json::Value;

use crate::staff_uploads::multipart;
use crate::support::http::{csrf_of, Browser};
use crate::support::world::staff_browser;
use crate::support::world::World;
use crate::support::TestApp;

async fn counts(app: &TestApp) -> (i64, i64, i64) {
    let pool = app.state.store.pool();
    let q = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await
            .unwrap()
    };
    (
        q("SELECT COUNT(*) FROM client").await,
        q("SELECT COUNT(*) FROM contact").await,
        q("SELECT COUNT(*) FROM client_import").await,
    )
}

async fn upload(staff: &Browser, name: &str, csv: &str) -> reqwest::Response {
    let (_, page) = staff.get_text("/staff/clients/import").await;
    let csrf = csrf_of(&page);
    let (content_type, body) = multipart(&[("_csrf", &csrf)], Some((name, csv.as_bytes())));
    staff
        .client
        .post(format!("{}/staff/clients/import", staff.base))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Confirms the previewed import at `path` and waits for it to finish.
async fn confirm_and_wait(staff: &Browser, path: &str) -> Value {
    let (status, page) = staff.get_text(path).await;
    assert_eq!(status, StatusCode::OK);
    let r = staff
        .post_form(&format!("{path}/confirm"), &[("_csrf", &csrf_of(&page))])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    for _ in 0..400 {
        let p: Value = staff
            .get(&format!("{path}/progress"))
            .await
            .json()
            .await
            .unwrap();
        assert!(p["done"].as_u64() <= p["total"].as_u64(), "{p}");
        match p["status"].as_str() {
            Some("running") => {}
            Some("done") | Some("failed") => return p,
            other => panic!("unexpected status {other:?}"),
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the import did not finish");
}

const GOOD: &str =
    "kind,client_name,phone,billing_address,first_name,last_name,email,contact_phone,role\n\
company,Harbour Logistics,+971 4 555 0101,\"PO Box 1, Dubai\",Hana,Saleh,hana@harbour.test,,Owner\n\
company,harbour logistics,,,Omar,Aziz,OMAR@harbour.test,+971 50 111 2222,Billing contact\n\
individual,Layla Haddad,+971 50 123 4567,,,,layla@example.test,,\n\
company,Quay Partners,,,,,,,\n";

#[tokio::test]
async fn the_dry_run_lists_every_bad_row_and_a_bad_file_imports_nothing() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let before = counts(&app).await;
    let bad = "kind,client_name,first_name,email\n\
               company,Acme Two,Ann,ann@two.test\n\
               company,Acme Two,Anna,ANN@two.test\n\
               shop,Beta,,\n\
               company,,Carl,carl@x.test\n\
               company,Delta,Dee,dee-at-delta\n\
               individual,,,\n";
    let r = upload(&staff, "bad.csv", bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("5 problems found. Nothing was imported"),
        "{page}"
    );
    for (line, why) in [
        (3, "duplicate email ann@two.test: line 2"),
        (4, "unknown kind “shop”"),
        (5, "client_name is missing"),
        (6, "Email:"),
        (7, "client_name is missing"),
    ] {
        let row = format!("<tr><td class=\"num\">{line}</td><td>");
        let at = page
            .find(&row)
            .unwrap_or_else(|| panic!("line {line} listed in {page}"));
        assert!(
            page[at..].split("</tr>").next().unwrap().contains(why),
            "line {line}: {why}"
        );
    }
    assert!(
        !page.contains("<td class=\"num\">2</td>"),
        "the good row is not listed as bad"
    );
    assert_eq!(counts(&app).await, before);

    // A file that is not CSV text, or has an unknown column, is refused the same way.
    let r = upload(&staff, "x.csv", "name,colour\nA,red\n").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("unknown column “name”"));
    let (content_type, body) = multipart(
        &[(
            "_csrf",
            &csrf_of(&staff.get_text("/staff/clients/import").await.1),
        )],
        Some(("x.csv", &b"\xff\xfe\x00k"[..])),
    );
    let r = staff
        .client
        .post(format!("{}/staff/clients/import", staff.base))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("not UTF-8"));
    // Without the form's token: refused.
    let (content_type, body) = multipart(&[], Some(("good.csv", GOOD.as_bytes())));
    let r = staff
        .client
        .post(format!("{}/staff/clients/import", staff.base))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(counts(&app).await, before);

    // A good file naming a client that already exists is previewed with a warning.
    let r = upload(
        &staff,
        "again.csv",
        "kind,client_name\ncompany,ACME  facilities\ncompany,New One\n",
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, preview) = staff
        .get_text(r.headers()["location"].to_str().unwrap())
        .await;
    assert!(
        preview.contains("1 client in the file has the name of a client you already have"),
        "{preview}"
    );
    assert_eq!(preview.matches("Name already in use").count(), 1);
    assert_eq!(counts(&app).await.0, before.0);
}

#[tokio::test]
async fn a_confirmed_good_file_imports_exactly_its_rows_once() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let (clients, contacts, _) = counts(&app).await;

    let r = upload(&staff, "good.csv", GOOD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let path = r.headers()["location"].to_str().unwrap().to_string();
    let (_, preview) = staff.get_text(&path).await;
    assert!(
        preview.contains("create 3 clients and 3 contacts"),
        "{preview}"
    );
    assert!(preview.contains("Harbour Logistics") && preview.contains("Quay Partners"));
    assert_eq!(
        counts(&app).await.0,
        clients,
        "nothing stored before the confirmation"
    );

    let done = confirm_and_wait(&staff, &path).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(
        (done["done"].as_u64(), done["total"].as_u64()),
        (Some(3), Some(3))
    );
    let (c2, ct2, _) = counts(&app).await;
    assert_eq!((c2 - clients, ct2 - contacts), (3, 3));
    let harbour: (i64, String, String) = sqlx::query_as(
        "SELECT id, phone, billing_address FROM client WHERE name = 'Harbour Logistics'",
    )
    .fetch_one(app.state.store.pool())
    .await
    .unwrap();
    assert_eq!(
        (harbour.1.as_str(), harbour.2.as_str()),
        ("+971 4 555 0101", "PO Box 1, Dubai")
    );
    let people: Vec<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT first_name, email_norm, role FROM contact WHERE client_id = $1 ORDER BY first_name",
    )
    .bind(harbour.0)
    .fetch_all(app.state.store.pool())
    .await
    .unwrap();
    assert_eq!(
        people,
        vec![
            (
                "Hana".into(),
                Some("hana@harbour.test".into()),
                "Owner".into()
            ),
            (
                "Omar".into(),
                Some("omar@harbour.test".into()),
                "Billing contact".into()
            ),
        ]
    );
    let (kind, email): (String, Option<String>) = sqlx::query_as("SELECT c.kind, ct.email_norm FROM client c JOIN contact ct ON ct.client_id = c.id WHERE c.name = 'Layla Haddad'")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(
        (kind.as_str(), email.as_deref()),
        ("individual", Some("layla@example.test"))
    );
    let (_, page) = staff.get_text(&path).await;
    assert!(page.contains("Imported 3 clients and 3 contacts"));

    // Confirming again imports nothing more.
    let r = staff
        .post_form(
            &format!("{path}/confirm"),
            &[("_csrf", &csrf_of(&staff.get_text("/staff/clients").await.1))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(counts(&app).await.0, c2);
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_event WHERE action = 'clients.imported'")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn a_large_file_imports_in_the_background_with_progress() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let (clients, _, _) = counts(&app).await;
    let mut csv = String::from("kind,client_name,first_name,email\n");
    for i in 0..1500 {
        csv.push_str(&format!(
            "company,Client {i:04},Person,person{i}@bulk.test\n"
        ));
    }
    let r = upload(&staff, "bulk.csv", &csv).await;
    let path = r.headers()["location"].to_str().unwrap().to_string();
    let (_, preview) = staff.get_text(&path).await;
    assert!(
        preview.contains("…and 1300 more clients"),
        "the preview lists 200"
    );
    let done = confirm_and_wait(&staff, &path).await;
    assert_eq!(done["status"], "done");
    assert_eq!(done["done"], 1500);
    assert_eq!(counts(&app).await.0 - clients, 1500);
}

#[tokio::test]
async fn a_file_that_fails_when_it_runs_imports_nothing_and_other_workspaces_imports_are_not_found()
{
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let before = counts(&app).await;
    let r = upload(&staff, "good.csv", GOOD).await;
    let path = r.headers()["location"].to_str().unwrap().to_string();
    // The kept file changes behind the preview's back (say, a second instance's bug):
    // the import re-checks it and stores nothing.
    sqlx::query("UPDATE client_import SET csv = $1")
        .bind(format!("{GOOD}robot,Bad row\n"))
        .execute(app.state.store.pool())
        .await
        .unwrap();
    let outcome = confirm_and_wait(&staff, &path).await;
    assert_eq!(outcome["status"], "failed");
    assert!(outcome["message"]
        .as_str()
        .unwrap()
        .contains("nothing was imported"));
    assert_eq!(
        (counts(&app).await.0, counts(&app).await.1),
        (before.0, before.1)
    );

    // Another workspace's staff cannot see, poll or confirm it.
    let other_ws = app
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
    let hash = portico::auth::password::hash("another long password 1").unwrap();
    app.state
        .store
        .create_staff(
            other_ws,
            &portico::domain::email::EmailAddress::parse("x@o.test").unwrap(),
            "X",
            "owner",
            &hash,
            app.now_ms(),
        )
        .await
        .unwrap();
    let other = Browser::new(&app);
    let (_, login) = other.get_text("/staff/login").await;
    other
        .post_form(
            "/staff/login",
            &[
                ("_csrf", &csrf_of(&login)),
                ("email", "x@o.test"),
                ("password", "another long password 1"),
            ],
        )
        .await;
    let (_, clients) = other.get_text("/staff/clients").await;
    let csrf = csrf_of(&clients);
    assert_eq!(other.get(&path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        other.get(&format!("{path}/progress")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .post_form(&format!("{path}/confirm"), &[("_csrf", &csrf)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
