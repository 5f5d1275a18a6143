//! Portal pages reuse what they read of a client's records while the client's portal
//! revision stands (`src/store/client_view.rs`). These tests hold that reuse to being
//! exact: every write to what the pages show raises the revision, whoever writes it
//! (another instance on the same database included), and a page read after a write,
//! a new day or a visit's start shows it.

use jiff::SignedDuration;
use portico::ids::ClientId;
use portico::store::Store;
use reqwest::StatusCode;

use crate::support::http::Browser;
use crate::support::records::{self, Records};
use crate::support::world::World;
use crate::support::TestApp;

async fn rev(store: &Store, client: ClientId) -> i64 {
    let (rev,): (i64,) = sqlx::query_as("SELECT portal_rev FROM client WHERE id = $1")
        .bind(client.get())
        .fetch_one(store.pool())
        .await
        .unwrap();
    rev
}

async fn setup() -> (TestApp, World, Records) {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let recs = records::seed(&app, w.ws, w.a, "ACME").await;
    records::seed(&app, w.ws, w.b, "BIRCH").await;
    (app, w, recs)
}

async fn home(b: &Browser) -> String {
    let (status, page) = b.get_text("/portal/home").await;
    assert_eq!(status, StatusCode::OK);
    page
}

/// The number on a sidebar entry, 0 when it shows none.
fn badge(page: &str, href: &str) -> i64 {
    let start = page
        .find(&format!("<a href=\"{href}\""))
        .unwrap_or_else(|| panic!("no sidebar entry {href}"));
    let item = &page[start..start + page[start..].find("</a>").unwrap()];
    item.split("<span class=\"badge\"")
        .nth(1)
        .and_then(|s| s.split('>').nth(1))
        .and_then(|s| s.split('<').next())
        .map_or(0, |n| n.parse().unwrap())
}

#[tokio::test]
async fn every_write_to_what_the_portal_shows_raises_that_clients_revision_only() {
    let (app, w, r) = setup().await;
    let store = &app.state.store;
    let (job_b,): (i64,) = sqlx::query_as("SELECT id FROM job WHERE client_id = $1 LIMIT 1")
        .bind(w.b.get())
        .fetch_one(store.pool())
        .await
        .unwrap();
    let writes = [
        format!("UPDATE invoice SET title = 'Renamed' WHERE id = {}", r.invoice_sent),
        format!("UPDATE invoice SET paid_minor = total_minor WHERE id = {}", r.invoice_sent),
        format!("UPDATE quote SET status = 'accepted' WHERE id = {}", r.quote_sent),
        format!("UPDATE job SET status = 'on_hold' WHERE id = {}", r.job_active),
        format!("UPDATE visit SET starts_at = starts_at + 1 WHERE job_id = {}", r.job_active),
        format!("UPDATE task SET done_at = 1 WHERE id = {}", r.task_shared),
        format!("DELETE FROM visit WHERE job_id = {}", r.job_active),
        format!(
            "INSERT INTO visit (id, workspace_id, job_id, starts_at, ends_at, status, created_at, updated_at)
             VALUES (990001, {}, {}, 1, 2, 'scheduled', 1, 1)",
            w.ws.get(),
            r.job_active
        ),
        format!("DELETE FROM task WHERE id = {}", r.task_private),
    ];
    for sql in &writes {
        let (a0, b0) = (rev(store, w.a).await, rev(store, w.b).await);
        sqlx::query(sql).execute(store.pool()).await.unwrap();
        assert!(rev(store, w.a).await > a0, "{sql} raises Acme's revision");
        assert_eq!(rev(store, w.b).await, b0, "{sql} leaves Birch's alone");
    }
    // A job moved to another client changes what both portals show.
    let (a0, b0) = (rev(store, w.a).await, rev(store, w.b).await);
    sqlx::query("UPDATE job SET client_id = $1 WHERE id = $2")
        .bind(w.a.get())
        .bind(job_b)
        .execute(store.pool())
        .await
        .unwrap();
    assert!(rev(store, w.a).await > a0 && rev(store, w.b).await > b0);
    // A write that rolls back leaves the revision where it was.
    let a0 = rev(store, w.a).await;
    let mut tx = store.pool().begin().await.unwrap();
    sqlx::query("UPDATE invoice SET title = 'Never' WHERE id = $1")
        .bind(r.invoice_sent)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(rev(store, w.a).await, a0);
}

#[tokio::test]
async fn home_and_badges_show_another_instances_writes_at_once() {
    let (app, w, r) = setup().await;
    let b = Browser::new(&app);
    b.log_in(&app, &w.a_link(), &w.ann_email).await;
    let before = home(&b).await;
    assert!(before.contains("ACME boiler service"));
    let invoices_badge = badge(&before, "/portal/invoices");
    assert!(invoices_badge >= 1);
    let quotes_badge = badge(&before, "/portal/quotes");
    assert_eq!(home(&b).await, before, "nothing written, nothing changed");

    // A second store on the same database stands for another instance (or process).
    let other = Store::connect(&app.database_url).await.unwrap();
    sqlx::query("UPDATE invoice SET title = 'ACME renamed elsewhere' WHERE id = $1")
        .bind(r.invoice_sent)
        .execute(other.pool())
        .await
        .unwrap();
    let page = home(&b).await;
    assert!(page.contains("ACME renamed elsewhere") && !page.contains("ACME boiler service"));

    sqlx::query("UPDATE invoice SET paid_minor = total_minor, status = 'paid' WHERE id = $1")
        .bind(r.invoice_sent)
        .execute(other.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE quote SET status = 'declined' WHERE id = $1")
        .bind(r.quote_sent)
        .execute(other.pool())
        .await
        .unwrap();
    let page = home(&b).await;
    assert!(
        !page.contains("ACME renamed elsewhere"),
        "paid: not pending"
    );
    assert!(!page.contains("ACME roof repair"), "declined: not pending");
    assert_eq!(badge(&page, "/portal/invoices"), invoices_badge - 1);
    assert_eq!(badge(&page, "/portal/quotes"), quotes_badge - 1);
    // Every page's sidebar agrees with home's.
    let (_, jobs) = b.get_text("/portal/jobs").await;
    assert_eq!(badge(&jobs, "/portal/invoices"), invoices_badge - 1);
    other.close().await;
}

#[tokio::test]
async fn a_started_visit_and_a_new_day_change_home_with_nothing_written() {
    let (app, w, _r) = setup().await;
    let b = Browser::new(&app);
    b.log_in(&app, &w.a_link(), &w.ann_email).await;
    let page = home(&b).await;
    assert!(
        page.contains("Next visit:"),
        "the seeded visit starts in a day"
    );
    assert!(
        page.contains("ACME roof repair"),
        "the quote is valid for 5 days"
    );
    let quotes_badge = badge(&page, "/portal/quotes");

    // Past the visit's start (the session has ended by then: sign in again).
    app.clock.advance(SignedDuration::from_hours(25));
    let b = Browser::new(&app);
    b.log_in(&app, &w.a_link(), &w.ann_email).await;
    let page = home(&b).await;
    assert!(!page.contains("Next visit:") && page.contains("No visit booked yet"));
    assert!(page.contains("ACME roof repair"));

    // Past the quote's last valid day.
    app.clock.advance(SignedDuration::from_hours(24 * 6));
    let b = Browser::new(&app);
    b.log_in(&app, &w.a_link(), &w.ann_email).await;
    let page = home(&b).await;
    assert!(!page.contains("ACME roof repair"));
    assert_eq!(badge(&page, "/portal/quotes"), quotes_badge - 1);
}
