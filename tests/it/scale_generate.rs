//! `portico generate`: exact, seed-determined amounts of data that the portal can use,
//! and refusals that leave the database as it was.

use portico::generate::{self, Counts, GenerateArgs};
use reqwest::StatusCode;

use crate::support::http::Browser;
use crate::support::world::World;
use crate::support::TestApp;

fn args(clients: u64, per_client: u64, seed: u64, force: bool) -> GenerateArgs {
    GenerateArgs {
        clients,
        invoices_per_client: per_client,
        seed,
        force,
    }
}

async fn generate(app: &TestApp, a: GenerateArgs) -> anyhow::Result<Counts> {
    let today = portico::domain::records::today_in("UTC", jiff::Timestamp::now());
    generate::run(&app.state.store, &app.state.files, a, today, |_| {}).await
}

async fn count(app: &TestApp, table: &str) -> u64 {
    let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    n as u64
}

/// What the data says, beyond its size: every amount and status, summed up.
async fn digest(app: &TestApp) -> (i64, i64, i64, i64) {
    sqlx::query_as(
        "SELECT CAST(SUM(total_minor) AS BIGINT), CAST(SUM(paid_minor) AS BIGINT),
                CAST(SUM(CASE WHEN status = 'paid' THEN 1 ELSE 0 END) AS BIGINT),
                (SELECT CAST(SUM(total_minor) AS BIGINT) FROM quote)
         FROM invoice",
    )
    .fetch_one(app.state.store.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn generated_counts_are_exact_and_the_same_seed_makes_the_same_data() {
    let (first, again, other) = tokio::join!(TestApp::spawn(), TestApp::spawn(), TestApp::spawn());

    let counts = generate(&first, args(3, 12, 5, false)).await.unwrap();
    let same = generate(&again, args(3, 12, 5, false)).await.unwrap();
    generate(&other, args(3, 12, 6, false)).await.unwrap();

    for (table, expected) in [
        ("client", 3),
        ("contact", 6),
        ("invoice", 36),
        ("quote", 9),
        ("job", 3),
        ("visit", 6),
        ("project", 3),
        ("task", 9),
        ("request", 3),
        ("file", 3),
    ] {
        assert_eq!(counts.get(table), expected, "{table}");
    }
    for (table, n) in &counts.0 {
        assert_eq!(
            count(&first, table).await,
            *n,
            "{table} rows in the database"
        );
    }
    let lines = counts.get("invoice_line");
    assert!(
        (36..=108).contains(&lines),
        "1 to 3 lines an invoice: {lines}"
    );
    assert!(counts.get("payment") > 0);
    assert_eq!(same, counts, "the same seed, the same amounts");
    assert_eq!(digest(&again).await, digest(&first).await);
    assert_ne!(
        digest(&other).await,
        digest(&first).await,
        "another seed, other data"
    );
}

#[tokio::test]
async fn real_data_is_refused_without_force_and_a_seed_is_never_loaded_twice() {
    let app = TestApp::spawn().await;
    World::seed(&app).await;
    let clients_before = count(&app, "client").await;

    let refused = generate(&app, args(2, 3, 1, false)).await.unwrap_err();

    assert!(refused.to_string().contains("real data"), "{refused}");
    assert!(refused.to_string().contains("--force"), "{refused}");
    assert_eq!(count(&app, "client").await, clients_before);
    assert_eq!(count(&app, "workspace").await, 1);

    generate(&app, args(2, 3, 1, true)).await.unwrap();
    assert_eq!(count(&app, "client").await, clients_before + 2);
    let twice = generate(&app, args(2, 3, 1, true)).await.unwrap_err();
    assert!(twice.to_string().contains("seed 1"), "{twice}");
    assert_eq!(count(&app, "client").await, clients_before + 2);
}

#[tokio::test]
async fn a_generated_client_logs_in_pages_its_invoices_and_downloads_its_file() {
    let app = TestApp::spawn().await;
    generate(&app, args(2, 45, 3, false)).await.unwrap();
    let browser = Browser::new(&app);

    let r = browser.log_in(&app, "/portal", "c0@gen3.test").await;

    assert_eq!(r.headers()["location"], "/portal/home");
    let (status, home) = browser.get_text("/portal/home").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("INV-"), "pending invoices on the home page");
    let (_, list) = browser.get_text("/portal/invoices").await;
    let next = list
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.contains("after="))
        .expect("a link to the next page")
        .replace("&amp;", "&");
    let (status, page2) = browser.get_text(&next).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page2.contains("INV-"));
    let (file_id,): (i64,) = sqlx::query_as("SELECT id FROM file WHERE name = 'site-survey.pdf'")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    let r = browser
        .get(&format!("/portal/files/{file_id}/download"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.bytes().await.unwrap().as_ref(),
        generate::showcase_bytes()
    );
}

#[tokio::test]
async fn the_command_refuses_nonsense_sizes_with_a_message() {
    for (words, named) in [
        (
            vec!["--clients", "0", "--invoices-per-client", "10"],
            "--clients",
        ),
        (
            vec!["--clients", "5", "--invoices-per-client", "-1"],
            "--invoices-per-client",
        ),
        (
            vec!["--clients", "1000000", "--invoices-per-client", "10000"],
            "more than",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
            .arg("generate")
            .args(&words)
            .env("PORTICO_DATA_DIR", dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{words:?}: {stderr}");
        assert!(stderr.contains(named), "{words:?}: {stderr}");
        assert!(
            !dir.path().join("portico.db").exists(),
            "nothing is opened before the sizes are checked"
        );
    }
}

#[tokio::test]
async fn generated_sqlite_data_keeps_table_statistics_but_no_stat4_samples() {
    let app = TestApp::spawn().await;
    if app.state.store.backend() != portico::store::Backend::Sqlite {
        return;
    }
    generate(&app, args(3, 40, 8, false)).await.unwrap();

    // STAT4 samples make SQLite plan a statement again on every run (see the generator).
    assert!(count(&app, "sqlite_stat1").await > 0);
    assert_eq!(count(&app, "sqlite_stat4").await, 0);
}
