//! Every New form of the back office carries a one-time `submission_key`: sent twice (a
//! double click, a refresh after the POST) it makes one record, and the second answer
//! goes where the first did, with one audit entry. A job also uses one number.

use reqwest::StatusCode;

use crate::support::http::csrf_of;
use crate::support::world::{staff_browser, World};
use crate::support::TestApp;

fn key_of(page: &str) -> String {
    page.split("name=\"submission_key\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string()
}

/// A table, its New form page, the form's action and its fields.
type Kind<'a> = (&'a str, String, String, Vec<(&'a str, &'a str)>);

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

/// Audit entries of `action` in the world's workspace.
pub async fn audited(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_event WHERE action = $1")
        .bind(action)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn every_new_form_sent_twice_makes_one_record() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = staff_browser(&app, &w).await;
    let client = w.a.to_string();
    let kinds: [Kind; 5] = [
        (
            "job",
            format!("/staff/clients/{client}/jobs/new"),
            format!("/staff/clients/{client}/jobs"),
            vec![("title", "Boiler service"), ("status", "unscheduled")],
        ),
        (
            "project",
            format!("/staff/clients/{client}/projects/new"),
            format!("/staff/clients/{client}/projects"),
            vec![
                ("name", "Fit-out"),
                ("status", "planned"),
                ("progress_pct", "0"),
            ],
        ),
        (
            "task",
            format!("/staff/clients/{client}/tasks/new"),
            format!("/staff/clients/{client}/tasks"),
            vec![("title", "Order parts")],
        ),
        (
            "contact",
            format!("/staff/clients/{client}/contacts/new"),
            format!("/staff/clients/{client}/contacts"),
            vec![("first_name", "Dana"), ("last_name", "Twice")],
        ),
        (
            "product",
            "/staff/catalogue".to_string(),
            "/staff/catalogue".to_string(),
            vec![
                ("kind", "service"),
                ("name", "Call-out"),
                ("price", "50"),
                ("currency", "AED"),
                ("tax_rate", "5"),
            ],
        ),
    ];
    for (table, new_page, action, fields) in kinds {
        let (status, page) = staff.get_text(&new_page).await;
        assert_eq!(status, StatusCode::OK, "{new_page}");
        let key = key_of(&page);
        assert!(
            key.len() >= 16,
            "{table}: the New form carries a key: {key:?}"
        );
        let csrf = csrf_of(&page);
        let mut form = vec![("_csrf", csrf.as_str()), ("submission_key", key.as_str())];
        form.extend(fields.iter().copied());
        let before = count(&app, table).await;
        let numbers_before = count(&app, "job").await;
        let created = format!("{table}.created");
        let audited_before = audited(&app, &created).await;
        let first = staff.post_form(&action, &form).await;
        assert_eq!(first.status(), StatusCode::SEE_OTHER, "{table}: first");
        let second = staff.post_form(&action, &form).await;
        assert_eq!(second.status(), StatusCode::SEE_OTHER, "{table}: second");
        assert_eq!(
            first.headers()["location"],
            second.headers()["location"],
            "{table}: the second answer goes to the same record"
        );
        assert_eq!(count(&app, table).await, before + 1, "{table}: one row");
        assert_eq!(
            audited(&app, &created).await,
            audited_before + 1,
            "{table}: the second send is not audited as another creation"
        );
        if table == "job" {
            assert_eq!(count(&app, "job").await, numbers_before + 1);
            let used: Vec<String> = sqlx::query_scalar(
                "SELECT number FROM job WHERE workspace_id = $1 AND submission_key = $2",
            )
            .bind(w.ws.get())
            .bind(&key)
            .fetch_all(app.state.store.pool())
            .await
            .unwrap();
            assert_eq!(used.len(), 1, "one job numbered: {used:?}");
        }
        // A fresh form (a new key) makes another record.
        let (_, page) = staff.get_text(&new_page).await;
        let fresh = key_of(&page);
        assert!(
            !fresh.is_empty() && fresh != key,
            "{table}: each form gets a new key"
        );
        let form: Vec<(&str, &str)> = form
            .iter()
            .map(|(k, v)| {
                (
                    *k,
                    if *k == "submission_key" {
                        fresh.as_str()
                    } else {
                        *v
                    },
                )
            })
            .collect();
        let third = staff.post_form(&action, &form).await;
        assert_eq!(third.status(), StatusCode::SEE_OTHER, "{table}: third");
        assert_eq!(
            count(&app, table).await,
            before + 2,
            "{table}: a new key, a new row"
        );
    }
}
