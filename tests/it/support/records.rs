//! A client's full set of records in every state, for the section and isolation tests.
//! Every visible record carries the client's `tag` in its title so a page that leaks it
//! is easy to spot; hidden ones (drafts, unshared, archived) carry "HIDDEN".

use portico::ids::{ClientId, WorkspaceId};
use portico::store::documents::{NewLine, NewPayment, NewQuote};
use portico::store::products::NewProduct;
use portico::store::work::{NewJob, NewProject, NewRequest, NewTask, NewVisit};

use super::world::invoice;
use super::TestApp;

pub struct Records {
    pub invoice_sent: i64,
    pub invoice_void: i64,
    pub invoice_draft: i64,
    pub invoice_paid: i64,
    pub quote_sent: i64,
    pub quote_draft: i64,
    pub job_active: i64,
    pub job_draft: i64,
    pub project: i64,
    pub task_shared: i64,
    pub task_private: i64,
    pub request: i64,
    pub product_visible: i64,
    pub product_hidden: i64,
}

fn day(offset: i64) -> String {
    let today = portico::domain::records::today_in("Asia/Dubai", jiff::Timestamp::now());
    today
        .checked_add(jiff::Span::new().days(offset))
        .unwrap()
        .to_string()
}

async fn set_title(app: &TestApp, table: &str, id: i64, title: &str) {
    sqlx::query(&format!("UPDATE {table} SET title = $1 WHERE id = $2"))
        .bind(title)
        .bind(id)
        .execute(app.state.store.pool())
        .await
        .unwrap();
}

pub async fn seed(app: &TestApp, ws: WorkspaceId, client: ClientId, tag: &str) -> Records {
    let store = &app.state.store;
    let now = app.now_ms();
    let (sent, _) = invoice(app, ws, client, "sent", 10, "AED", 50_000).await;
    set_title(app, "invoice", sent.get(), &format!("{tag} boiler service")).await;
    let (void, _) = invoice(app, ws, client, "void", 10, "AED", 10_000).await;
    set_title(app, "invoice", void.get(), &format!("{tag} cancelled work")).await;
    let (draft, _) = invoice(app, ws, client, "draft", 10, "AED", 10_000).await;
    set_title(app, "invoice", draft.get(), "HIDDEN draft invoice").await;
    let (paid, _) = invoice(app, ws, client, "sent", 10, "USD", 20_000).await;
    set_title(app, "invoice", paid.get(), &format!("{tag} paid work")).await;
    store
        .record_payment(
            ws,
            paid,
            &NewPayment {
                method: "bank_transfer",
                amount_minor: 20_000,
                currency: "USD",
                received_at: now,
                note: "HIDDEN payment note",
                provider_ref: None,
            },
            now,
        )
        .await
        .unwrap();

    let line = || {
        vec![NewLine {
            product_id: None,
            description: "Survey",
            quantity_milli: 2500,
            unit_price_minor: 10_000,
            discount_bp: 0,
            tax_rate_bp: 500,
        }]
    };
    let quote_sent = store
        .create_quote(
            ws,
            client,
            &NewQuote {
                title: &format!("{tag} roof repair"),
                status: "sent",
                issue_date: &day(-2),
                valid_until: &day(5),
                currency: "AED",
                client_notes: "Includes scaffolding.",
                internal_notes: "HIDDEN margin 40%",
                lines: line(),
            },
            now,
        )
        .await
        .unwrap();
    let quote_draft = store
        .create_quote(
            ws,
            client,
            &NewQuote {
                title: "HIDDEN draft quote",
                status: "draft",
                issue_date: &day(-1),
                valid_until: &day(20),
                currency: "AED",
                client_notes: "",
                internal_notes: "",
                lines: line(),
            },
            now,
        )
        .await
        .unwrap();

    let project = store
        .create_project(
            ws,
            client,
            &NewProject {
                name: &format!("{tag} office fit-out"),
                description: "Phase one",
                status: "active",
                progress_pct: 40,
                start_date: Some(&day(-10)),
                due_date: Some(&day(30)),
                internal_notes: "HIDDEN budget",
            },
            now,
        )
        .await
        .unwrap();
    let job_active = store
        .create_job(
            ws,
            client,
            &NewJob {
                project_id: Some(project),
                title: &format!("{tag} install lights"),
                description: "",
                status: "scheduled",
                site_address: "12 Palm Road",
                scheduled_start: Some(now + 86_400_000),
                scheduled_end: Some(now + 90_000_000),
                internal_notes: "HIDDEN gate code 1234",
            },
            now,
        )
        .await
        .unwrap();
    store
        .create_visit(
            ws,
            job_active,
            &NewVisit {
                starts_at: now + 86_400_000,
                ends_at: now + 90_000_000,
                status: "scheduled",
                assigned_to: None,
                notes: "",
            },
            now,
        )
        .await
        .unwrap();
    let job_draft = store
        .create_job(
            ws,
            client,
            &NewJob {
                project_id: Some(project),
                title: "HIDDEN draft job",
                description: "",
                status: "draft",
                site_address: "",
                scheduled_start: None,
                scheduled_end: None,
                internal_notes: "",
            },
            now,
        )
        .await
        .unwrap();
    let task_shared = store
        .create_task(
            ws,
            client,
            &NewTask {
                project_id: Some(project),
                job_id: Some(job_active),
                title: &format!("{tag} choose fittings"),
                description: "",
                due_date: Some(&day(3)),
                done_at: None,
                shared_with_client: true,
            },
            now,
        )
        .await
        .unwrap();
    let task_private = store
        .create_task(
            ws,
            client,
            &NewTask {
                project_id: Some(project),
                job_id: None,
                title: "HIDDEN internal task",
                description: "",
                due_date: None,
                done_at: None,
                shared_with_client: false,
            },
            now,
        )
        .await
        .unwrap();
    let request = store
        .create_request(
            ws,
            client,
            &NewRequest {
                contact_id: None,
                subject: &format!("{tag} leaking tap"),
                details: "Kitchen tap drips.",
                preferred_date: None,
                site_address: "",
                status: "in_review",
                product_id: None,
                idempotency_key: None,
            },
            now,
        )
        .await
        .unwrap();
    let product_visible = store
        .create_product(
            ws,
            &NewProduct {
                kind: "service",
                name: "Office deep clean",
                description: "Whole office",
                unit: "visit",
                price_minor: 45_000,
                currency: "AED",
                tax_rate_bp: 500,
                visible_in_portal: true,
            },
            now,
        )
        .await
        .unwrap();
    let product_hidden = store
        .create_product(
            ws,
            &NewProduct {
                kind: "product",
                name: "HIDDEN wholesale part",
                description: "",
                unit: "",
                price_minor: 100,
                currency: "AED",
                tax_rate_bp: 0,
                visible_in_portal: false,
            },
            now,
        )
        .await
        .unwrap();
    Records {
        invoice_sent: sent.get(),
        invoice_void: void.get(),
        invoice_draft: draft.get(),
        invoice_paid: paid.get(),
        quote_sent: quote_sent.get(),
        quote_draft: quote_draft.get(),
        job_active: job_active.get(),
        job_draft: job_draft.get(),
        project: project.get(),
        task_shared: task_shared.get(),
        task_private: task_private.get(),
        request: request.get(),
        product_visible: product_visible.get(),
        product_hidden: product_hidden.get(),
    }
}
