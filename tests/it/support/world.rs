//! Seeded records most tests share: one workspace, two companies with the portal on (A and
//! B), one with it off (C), an individual, and a bookkeeper on record at both A and B.

use portico::domain::email::EmailAddress;
use portico::ids::{ClientId, ContactId, StaffUserId, WorkspaceId};
use portico::store::clients::NewClient;
use portico::store::contacts::NewContact;
use portico::store::workspaces::NewWorkspace;

use super::TestApp;

#[allow(dead_code)] // some fields serve only some tests
pub struct World {
    pub ws: WorkspaceId,
    pub staff: StaffUserId,
    pub staff_email: String,
    pub staff_password: String,
    pub a: ClientId,
    pub a_key: String,
    pub ann: ContactId,
    pub ann_email: String,
    pub b: ClientId,
    pub b_key: String,
    pub bob_email: String,
    pub c: ClientId,
    pub carol_email: String,
    pub bookkeeper_email: String,
}

pub async fn client(app: &TestApp, ws: WorkspaceId, kind: &str, name: &str) -> ClientId {
    app.state
        .store
        .create_client(
            ws,
            &NewClient {
                kind,
                name,
                phone: "+971 4 000 0000",
                billing_address: "1 Test Street",
                site_address: "",
            },
            app.now_ms(),
        )
        .await
        .unwrap()
}

pub async fn contact(
    app: &TestApp,
    ws: WorkspaceId,
    client: ClientId,
    first: &str,
    email: Option<&str>,
) -> ContactId {
    let email = email.map(|e| EmailAddress::parse(e).unwrap());
    app.state
        .store
        .create_contact(
            ws,
            client,
            &NewContact {
                first_name: first,
                last_name: "Tester",
                email: email.as_ref(),
                phone: "",
                role: "",
                is_primary: false,
            },
            app.now_ms(),
        )
        .await
        .unwrap()
}

pub async fn enable(app: &TestApp, ws: WorkspaceId, client: ClientId) -> String {
    let row = app
        .state
        .store
        .set_portal_access(ws, client, true, None, app.now_ms())
        .await
        .unwrap();
    row.portal_access_key.unwrap()
}

impl World {
    pub async fn seed(app: &TestApp) -> Self {
        let store = &app.state.store;
        let now = app.now_ms();
        let ws = store
            .create_workspace(
                &NewWorkspace {
                    slug: "test",
                    name: "Cedar & Stone Services",
                    time_zone: "Asia/Dubai",
                    default_currency: "AED",
                },
                now,
            )
            .await
            .unwrap();
        let staff_email = "owner@cedar.test".to_string();
        let staff_password = "a long staff password 42".to_string();
        let hash = portico::auth::password::hash(&staff_password).unwrap();
        let staff = store
            .create_staff(
                ws,
                &EmailAddress::parse(&staff_email).unwrap(),
                "Olivia Owner",
                "owner",
                &hash,
                now,
            )
            .await
            .unwrap();

        let a = client(app, ws, "company", "Acme Facilities").await;
        let ann = contact(app, ws, a, "Ann", Some("ann@acme.test")).await;
        contact(app, ws, a, "Arif", Some("arif@acme.test")).await;
        let b = client(app, ws, "company", "Birch Holdings").await;
        contact(app, ws, b, "Bob", Some("bob@birch.test")).await;
        let c = client(app, ws, "company", "Cobalt Works").await;
        contact(app, ws, c, "Carol", Some("carol@cobalt.test")).await;
        contact(app, ws, a, "Bea", Some("books@ledger.test")).await;
        contact(app, ws, b, "Bea", Some("books@ledger.test")).await;
        let a_key = enable(app, ws, a).await;
        let b_key = enable(app, ws, b).await;
        World {
            ws,
            staff,
            staff_email,
            staff_password,
            a,
            a_key,
            ann,
            ann_email: "ann@acme.test".into(),
            b,
            b_key,
            bob_email: "bob@birch.test".into(),
            c,
            carol_email: "carol@cobalt.test".into(),
            bookkeeper_email: "books@ledger.test".into(),
        }
    }

    pub fn a_link(&self) -> String {
        format!("/portal/{}", self.a_key)
    }
}

/// Invoices for the isolation checks: what Acme's contacts must see, and what they
/// must never see (a draft of theirs, and Birch's invoice).
pub struct Documents {
    pub a_visible_invoices: Vec<String>,
    pub a_draft_invoice: String,
    pub b_invoice: String,
}

pub async fn invoice(
    app: &TestApp,
    ws: WorkspaceId,
    client: ClientId,
    status: &str,
    due_in_days: i64,
    currency: &str,
    amount_minor: i64,
) -> (portico::ids::InvoiceId, String) {
    use portico::store::documents::{NewInvoice, NewLine};
    let today = portico::domain::records::today_in("Asia/Dubai", jiff::Timestamp::now());
    let due = today
        .checked_add(jiff::Span::new().days(due_in_days))
        .unwrap();
    let issue = today.checked_sub(jiff::Span::new().days(30)).unwrap();
    let (issue, due) = (issue.to_string(), due.to_string());
    let lines = vec![NewLine {
        product_id: None,
        description: "Quarterly maintenance visit",
        quantity_milli: 1000,
        unit_price_minor: amount_minor,
        discount_bp: 0,
        tax_rate_bp: 0,
    }];
    let id = app
        .state
        .store
        .create_invoice(
            ws,
            client,
            &NewInvoice {
                title: "Maintenance",
                status,
                issue_date: &issue,
                due_date: &due,
                currency,
                client_notes: "",
                internal_notes: "INTERNAL-NOTE-NEVER-SHOWN",
                job_id: None,
                quote_id: None,
                lines,
            },
            app.now_ms(),
        )
        .await
        .unwrap();
    let (number,): (String,) = sqlx::query_as("SELECT number FROM invoice WHERE id = $1")
        .bind(id.get())
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    (id, number)
}

impl Documents {
    pub async fn seed(app: &TestApp, w: &World) -> Self {
        let (_, due_later) = invoice(app, w.ws, w.a, "sent", 14, "AED", 125_050).await;
        let (_, overdue) = invoice(app, w.ws, w.a, "sent", -3, "KWD", 1_250_125).await;
        let (_, draft) = invoice(app, w.ws, w.a, "draft", 10, "AED", 99_900).await;
        let (_, b_invoice) = invoice(app, w.ws, w.b, "sent", 5, "USD", 70_000).await;
        Documents {
            a_visible_invoices: vec![due_later, overdue],
            a_draft_invoice: draft,
            b_invoice,
        }
    }
}

/// A second, empty workspace (for isolation checks).
pub async fn other_workspace(app: &TestApp) -> WorkspaceId {
    app.state
        .store
        .create_workspace(
            &portico::store::workspaces::NewWorkspace {
                slug: "other",
                name: "Other",
                time_zone: "UTC",
                default_currency: "USD",
            },
            app.now_ms(),
        )
        .await
        .unwrap()
}

/// A browser signed in to the back office as the seeded workspace's owner.
pub async fn staff_browser(app: &TestApp, w: &World) -> crate::support::http::Browser {
    crate::support::http::Browser::staff(app, &w.staff_email, &w.staff_password).await
}
