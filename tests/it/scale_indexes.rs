//! Portal lists at scale: keyset pages walk a client's records exactly once, and a deep
//! page is a seek into the per-client index, never a scan or a sort of the history.

use portico::domain::paging::Cursor;
use portico::generate::{self, GenerateArgs};
use portico::ids::{ClientId, WorkspaceId};
use portico::store::{Backend, ClientScope};
use sqlx::Row;

use crate::support::TestApp;

async fn generated(app: &TestApp, clients: u64, per_client: u64) -> ClientScope {
    let today = portico::domain::records::today_in("UTC", jiff::Timestamp::now());
    let args = GenerateArgs {
        clients,
        invoices_per_client: per_client,
        seed: 4,
        force: false,
    };
    generate::run(&app.state.store, &app.state.files, args, today, |_| {})
        .await
        .unwrap();
    let (ws, client): (i64, i64) = sqlx::query_as(
        "SELECT workspace_id, client_id FROM contact WHERE email_norm = 'c0@gen4.test'",
    )
    .fetch_one(app.state.store.pool())
    .await
    .unwrap();
    app.state
        .store
        .staff_client_scope(WorkspaceId::from_db(ws), ClientId::from_db(client))
        .await
        .unwrap()
}

#[tokio::test]
async fn keyset_pages_walk_every_invoice_once_with_many_on_one_day() {
    let app = TestApp::spawn().await;
    // 3,000 invoices over three years: two or three share each issue date.
    let scope = generated(&app, 1, 3000).await;
    let store = &app.state.store;

    let mut walked = Vec::new();
    let mut after: Option<Cursor> = None;
    let mut pages = 0;
    loop {
        let page = store
            .portal_invoices(scope, "", after.as_ref(), 20)
            .await
            .unwrap();
        assert!(page.rows.len() <= 20);
        walked.extend(page.rows.iter().map(|r| r.id));
        pages += 1;
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }

    let expected: Vec<i64> = sqlx::query_as::<_, (i64,)>(
        "SELECT id FROM invoice WHERE client_id = $1 AND status <> 'draft'
         ORDER BY issue_date DESC, id DESC",
    )
    .bind(scope.client_id().get())
    .fetch_all(store.pool())
    .await
    .unwrap()
    .into_iter()
    .map(|r| r.0)
    .collect();
    assert!(expected.len() > 2500, "{}", expected.len());
    assert_eq!(walked, expected);
    assert_eq!(pages, expected.len().div_ceil(20));
}

#[tokio::test]
async fn a_deep_invoice_page_is_an_index_seek_without_a_sort() {
    let app = TestApp::spawn().await;
    let scope = generated(&app, 40, 300).await;
    let store = &app.state.store;
    let (date, id): (String, i64) = sqlx::query_as(
        "SELECT issue_date, id FROM invoice WHERE client_id = $1 AND status <> 'draft'
         ORDER BY issue_date DESC, id DESC LIMIT 1 OFFSET 200",
    )
    .bind(scope.client_id().get())
    .fetch_one(store.pool())
    .await
    .unwrap();
    let sql = portico::store::portal_lists::invoice_page_sql("", true);
    let explain = match store.backend() {
        Backend::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
        Backend::Postgres => format!("EXPLAIN {sql}"),
    };

    let rows = sqlx::query(&explain)
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(21i64)
        .bind(date)
        .bind(id)
        .fetch_all(store.pool())
        .await
        .unwrap();

    let plan: Vec<String> = rows
        .iter()
        .map(|r| match store.backend() {
            Backend::Sqlite => r.try_get::<String, _>("detail").unwrap(),
            Backend::Postgres => r.try_get::<String, _>(0).unwrap(),
        })
        .collect();
    let plan = plan.join("\n");
    assert!(plan.contains("invoice_client_issued"), "{plan}");
    for bad in ["TEMP B-TREE", "Seq Scan", "Sort"] {
        assert!(!plan.contains(bad), "{bad} in\n{plan}");
    }
}

#[tokio::test]
async fn the_home_pages_invoices_come_in_one_statement_with_the_count_of_all_pending() {
    let app = TestApp::spawn().await;
    let scope = generated(&app, 2, 400).await;
    let store = &app.state.store;
    let today = portico::domain::records::today_in("UTC", jiff::Timestamp::now()).to_string();

    let mut db = store.db().await.unwrap();
    let home = store
        .home_invoices(&mut db, scope, &today, 10)
        .await
        .unwrap();
    drop(db);

    let ids = |sql: &str| {
        let sql = sql.to_string();
        let today = today.clone();
        async move {
            sqlx::query_as::<_, (i64,)>(&sql)
                .bind(scope.client_id().get())
                .bind(today)
                .fetch_all(store.pool())
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.0)
                .collect::<Vec<i64>>()
        }
    };
    // Every pending invoice: those due before or after `today` ($2 > '' always holds).
    let pending = ids(
        "SELECT id FROM invoice WHERE client_id = $1 AND status IN ('sent', 'partially_paid')
           AND $2 > '' ORDER BY due_date, id",
    )
    .await;
    let overdue = ids(
        "SELECT id FROM invoice WHERE client_id = $1 AND status IN ('sent', 'partially_paid')
           AND due_date < $2 AND total_minor > paid_minor ORDER BY due_date, id LIMIT 10",
    )
    .await;
    assert!(pending.len() > 10, "{}", pending.len());
    assert!(!overdue.is_empty());
    assert_eq!(home.pending_total, pending.len() as i64);
    let got: Vec<i64> = home.pending.iter().map(|r| r.id).collect();
    assert_eq!(got, pending[..10].to_vec());
    let got: Vec<i64> = home.overdue.iter().map(|r| r.id).collect();
    assert_eq!(got, overdue);
}

/// The hourly clean-up deletes by age across all workspaces; each of its deletes must find
/// its rows through an index rather than read the whole table.
#[tokio::test]
async fn the_hourly_clean_up_finds_old_rows_through_an_index() {
    let app = TestApp::spawn().await;
    let store = &app.state.store;
    // A transaction that is rolled back, so the setting below ends with it.
    let mut conn = store.pool().begin().await.unwrap();
    if store.backend() == Backend::Postgres {
        // An empty table is cheapest to scan; ask which index the planner would use.
        sqlx::query("SET LOCAL enable_seqscan = off")
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    for (sql, index) in [
        (
            "DELETE FROM rate_limit WHERE window_start < $1",
            "rate_limit_window_start",
        ),
        (
            "DELETE FROM login_code WHERE created_at < $1",
            "login_code_created_at",
        ),
    ] {
        let explain = match store.backend() {
            Backend::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
            Backend::Postgres => format!("EXPLAIN {sql}"),
        };
        let rows = sqlx::query(&explain)
            .bind(0i64)
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        let plan: Vec<String> = rows
            .iter()
            .map(|r| match store.backend() {
                Backend::Sqlite => r.try_get::<String, _>("detail").unwrap(),
                Backend::Postgres => r.try_get::<String, _>(0).unwrap(),
            })
            .collect();
        let plan = plan.join("\n");
        assert!(plan.contains(index), "{sql}:\n{plan}");
    }
}
