//! Quotes and invoices authored in the back office (issue 4, item 3): a draft is created
//! with catalogue and free-text lines, numbered from the workspace's sequence, sent (the
//! client's portal contacts get a link by real SMTP), seen in the portal, paid offline
//! (receipt) and voided; numbers stay unique under concurrency; bad input changes
//! nothing; printable pages and PDFs on both sides; an overpayment is shown and reported.

use reqwest::StatusCode;

use portico::ids::{ClientId, WorkspaceId};
use portico::store::products::NewProduct;
use portico::store::workspaces::NewWorkspace;

use crate::support::http::{csrf_of, Browser};
use crate::support::stripe_standin::StripeStandIn;
use crate::support::world::{self, World};
use crate::support::{Options, TestApp};

async fn owner(app: &TestApp, w: &World) -> Browser {
    Browser::staff(app, &w.staff_email, &w.staff_password).await
}

fn today(app: &TestApp) -> String {
    portico::domain::records::today_in(
        "Asia/Dubai",
        jiff::Timestamp::from_millisecond(app.now_ms()).unwrap(),
    )
    .to_string()
}

fn in_days(app: &TestApp, days: i64) -> String {
    portico::domain::records::today_in(
        "Asia/Dubai",
        jiff::Timestamp::from_millisecond(app.now_ms()).unwrap(),
    )
    .checked_add(jiff::Span::new().days(days))
    .unwrap()
    .to_string()
}

/// The header fields of a document form, plus `lines` as (field, value) of line 0, 1, …
fn form<'a>(
    app: &TestApp,
    client: &'a str,
    currency: &'a str,
    lines: &[&[(&'a str, &'a str)]],
) -> Vec<(String, String)> {
    let mut f = vec![
        ("client_id".to_string(), client.to_string()),
        ("title".into(), "Spring maintenance".into()),
        ("issue_date".into(), today(app)),
        ("end_date".into(), in_days(app, 14)),
        ("currency".into(), currency.into()),
        ("client_notes".into(), "Thank you for your business.".into()),
        ("internal_notes".into(), "INTERNAL margin 35%".into()),
    ];
    for (i, line) in lines.iter().enumerate() {
        for (name, value) in line.iter() {
            f.push((format!("lines[{i}].{name}"), value.to_string()));
        }
    }
    f
}

/// Posts a form with the CSRF token of `page_path`.
async fn post_with_csrf(
    b: &Browser,
    page_path: &str,
    action: &str,
    fields: &[(String, String)],
) -> reqwest::Response {
    let (status, page) = b.get_text(page_path).await;
    assert_eq!(status, StatusCode::OK, "{page_path}");
    let mut all = vec![("_csrf".to_string(), csrf_of(&page))];
    all.extend_from_slice(fields);
    let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post_form(action, &pairs).await
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

/// The id in `/staff/invoices/{id}?notice=…`.
fn id_in(location: &str) -> i64 {
    location
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

async fn row_counts(app: &TestApp) -> (i64, i64, i64, i64, i64) {
    (
        scalar(app, "SELECT COUNT(*) FROM invoice").await,
        scalar(app, "SELECT COUNT(*) FROM invoice_line").await,
        scalar(app, "SELECT COUNT(*) FROM quote").await,
        scalar(app, "SELECT COUNT(*) FROM payment").await,
        scalar(
            app,
            "SELECT CAST(SUM(next_value) AS BIGINT) FROM number_sequence",
        )
        .await,
    )
}

async fn invoice_state(app: &TestApp, id: i64) -> (String, String, i64, i64) {
    sqlx::query_as("SELECT number, status, total_minor, paid_minor FROM invoice WHERE id = $1")
        .bind(id)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

async fn product(app: &TestApp, ws: WorkspaceId) -> i64 {
    app.state
        .store
        .create_product(
            ws,
            &NewProduct {
                kind: "service",
                name: "Deep clean",
                description: "",
                unit: "visit",
                price_minor: 45_000,
                currency: "AED",
                tax_rate_bp: 500,
                visible_in_portal: true,
            },
            app.now_ms(),
        )
        .await
        .unwrap()
        .get()
}

/// Creates a draft invoice for Acme with one catalogue line and one free-text line.
async fn draft_for_acme(app: &TestApp, w: &World, staff: &Browser) -> i64 {
    let product = product(app, w.ws).await.to_string();
    let client = w.a.get().to_string();
    let fields = form(
        app,
        &client,
        "AED",
        &[
            &[("product_id", &product), ("quantity", "2")],
            &[
                ("description", "Filter replacement <b>x</b>"),
                ("quantity", "1.5"),
                ("unit_price", "100.10"),
                ("discount_percent", "10"),
                ("tax_rate_percent", "5"),
            ],
        ],
    );
    let r = post_with_csrf(staff, "/staff/invoices/new", "/staff/invoices", &fields).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    id_in(&location(&r))
}

#[tokio::test]
async fn an_invoice_is_created_sent_seen_in_the_portal_paid_offline_and_shows_paid() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = owner(&app, &w).await;

    // Create: catalogue line 2 × 450.00 at 5% = 945.00; free text 1.5 × 100.10 = 150.15,
    // 10% off (15.015 → 15.02) = 135.13, 5% tax (6.7565 → 6.76) → 141.89. Total 1,086.89.
    let id = draft_for_acme(&app, &w, &staff).await;
    let (number, status, total, paid) = invoice_state(&app, id).await;
    assert_eq!(number, "INV-0001");
    assert_eq!(status, "draft");
    assert_eq!(total, 94_500 + 14_189);
    assert_eq!(paid, 0);
    let (_, page) = staff.get_text(&format!("/staff/invoices/{id}")).await;
    assert!(page.contains("AED 1,086.89"), "total on the staff page");
    assert!(page.contains("Deep clean"));
    assert!(
        page.contains("Filter replacement") && !page.contains("<b>x</b>"),
        "escaped"
    );
    assert!(page.contains("INTERNAL margin 35%"));

    // Before sending, the client sees nothing.
    let ann = Browser::new(&app);
    assert_eq!(
        ann.log_in(&app, &w.a_link(), &w.ann_email).await.status(),
        StatusCode::SEE_OTHER
    );
    let (s, _) = ann.get_text(&format!("/portal/invoices/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "drafts are never shown");

    // Send: every portal contact of Acme gets a link to the invoice in the portal.
    let before = app.smtp.to(&w.ann_email).len();
    let r = post_with_csrf(
        &staff,
        &format!("/staff/invoices/{id}"),
        &format!("/staff/invoices/{id}/send"),
        &[],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).contains("notice=sent&n=3"), "{}", location(&r));
    let mail = app.smtp.wait_for(&w.ann_email, before + 1).await;
    assert!(
        mail.subject().contains("Invoice INV-0001"),
        "{}",
        mail.subject()
    );
    let link = app.url(&format!("/portal/invoices/{id}"));
    assert!(mail.text().contains(&link), "{}", mail.text());
    assert!(mail.html().contains(&link));
    assert!(mail.text().contains("AED 1,086.89"));
    assert!(!mail.text().contains("INTERNAL"));
    app.smtp.wait_for("arif@acme.test", 1).await;
    assert!(
        app.smtp.settle_and_get(&w.bob_email).await.is_empty(),
        "Birch gets nothing"
    );
    assert_eq!(invoice_state(&app, id).await.1, "sent");

    // The client sees it, with the PDF link, and never the internal notes.
    let (s, page) = ann.get_text(&format!("/portal/invoices/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("INV-0001") && page.contains("AED 1,086.89"));
    assert!(page.contains(&format!("/portal/invoices/{id}/pdf")));
    assert!(!page.contains("INTERNAL"));

    // Sending twice is refused and sends nothing more.
    let r = post_with_csrf(
        &staff,
        &format!("/staff/invoices/{id}"),
        &format!("/staff/invoices/{id}/send"),
        &[],
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // A partial offline payment, then the rest: Paid, with a receipt each time.
    let pay = |amount: &'static str, reference: &'static str| {
        let fields = vec![
            ("method".to_string(), "bank_transfer".to_string()),
            ("amount".into(), amount.into()),
            ("received_on".into(), today(&app)),
            ("reference".into(), reference.into()),
            ("note".into(), String::new()),
        ];
        let staff = &staff;
        async move {
            post_with_csrf(
                staff,
                &format!("/staff/invoices/{id}"),
                &format!("/staff/invoices/{id}/payments"),
                &fields,
            )
            .await
        }
    };
    let receipts_before = app.smtp.to(&w.ann_email).len();
    let r = pay("1,000.00", "TT-1").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(invoice_state(&app, id).await.1, "partially_paid");
    let receipt = app.smtp.wait_for(&w.ann_email, receipts_before + 1).await;
    assert!(receipt
        .subject()
        .contains("Payment received for invoice INV-0001"));
    assert!(receipt.text().contains("AED 1,000.00"));
    assert!(
        receipt.text().contains("AED 86.89"),
        "balance in the receipt"
    );
    let r = pay("86.90", "TT-2").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "more than the balance");
    let r = pay("86.89", "TT-2").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        invoice_state(&app, id).await,
        (number.clone(), "paid".into(), 108_689, 108_689)
    );
    app.smtp.wait_for(&w.ann_email, receipts_before + 2).await;

    // Paid everywhere: staff page, portal page (no Pay now), and the audit log.
    let (_, page) = staff.get_text(&format!("/staff/invoices/{id}")).await;
    assert!(page.contains(">Paid<") && page.contains("TT-2"));
    let (_, page) = ann.get_text(&format!("/portal/invoices/{id}")).await;
    assert!(page.contains("Paid") && page.contains("Bank transfer"));
    assert!(!page.contains("/pay\""));
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM audit_event WHERE action IN ('invoice.created', 'invoice.sent', 'payment.recorded')").await,
        4
    );

    let (_, log) = staff.get_text("/staff/audit?show=documents").await;
    assert!(log.contains("invoice.sent") && log.contains("invoice.created"));
    assert!(
        !log.contains("staff.login"),
        "only quote and invoice events"
    );

    // The PDF, from the portal: a real PDF naming the number and the total.
    let r = ann.get(&format!("/portal/invoices/{id}/pdf")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"Invoice INV-0001"));
    assert!(has(b"AED 1,086.89"));
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_event WHERE action = 'document.pdf_downloaded'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_void_invoice_stays_on_record_shows_as_void_and_cannot_be_paid() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = owner(&app, &w).await;
    let id = draft_for_acme(&app, &w, &staff).await;
    let page = format!("/staff/invoices/{id}");
    let r = post_with_csrf(&staff, &page, &format!("{page}/send"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.smtp.wait_for(&w.ann_email, 1).await;

    let r = post_with_csrf(&staff, &page, &format!("{page}/void"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(invoice_state(&app, id).await.1, "void");
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM invoice_line").await,
        2,
        "nothing deleted"
    );
    let (_, html) = staff.get_text(&page).await;
    assert!(html.contains(">Void<"));
    assert!(!html.contains("Record an offline payment"));

    // An offline payment is refused, and so is Pay now on the portal.
    let r = post_with_csrf(
        &staff,
        &format!("/staff/invoices/{id}"),
        &format!("/staff/invoices/{id}/payments"),
        &[
            ("method".into(), "cash".into()),
            ("amount".into(), "1".into()),
            ("received_on".into(), today(&app)),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let ann = Browser::new(&app);
    ann.log_in(&app, &w.a_link(), &w.ann_email).await;
    let (_, list) = ann.get_text("/portal/invoices").await;
    assert!(list.contains("INV-0001") && list.contains("Void"));
    let (s, _) = ann.get_text(&format!("/portal/invoices/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, any) = ann.get_text("/portal/invoices").await;
    let r = ann
        .post_form(
            &format!("/portal/invoices/{id}/pay"),
            &[("_csrf", &csrf_of(&any)), ("provider", "stripe")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM payment").await, 0);

    // Voiding again is refused.
    let r = post_with_csrf(&staff, &page, &format!("{page}/void"), &[]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn twenty_invoices_created_at_once_get_twenty_distinct_numbers() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = owner(&app, &w).await;
    let (_, page) = staff.get_text("/staff/invoices/new").await;
    let csrf = csrf_of(&page);
    let client = w.a.get().to_string();
    let mut fields = form(
        &app,
        &client,
        "USD",
        &[&[("description", "Visit"), ("unit_price", "10")]],
    );
    fields.push(("_csrf".into(), csrf));
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (client, url, fields) = (
            staff.client.clone(),
            app.url("/staff/invoices"),
            fields.clone(),
        );
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .form(&fields)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::SEE_OTHER);
    }
    let numbers: Vec<String> = sqlx::query_scalar("SELECT number FROM invoice ORDER BY number")
        .fetch_all(app.state.store.pool())
        .await
        .unwrap();
    let expected: Vec<String> = (1..=20).map(|n| format!("INV-{n:04}")).collect();
    assert_eq!(numbers, expected);
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = owner(&app, &w).await;
    let client = w.a.get().to_string();
    let before = row_counts(&app).await;
    let cases: Vec<(Vec<(String, String)>, &str)> = vec![
        (
            form(
                &app,
                &client,
                "USD",
                &[&[
                    ("description", "A"),
                    ("quantity", "-2"),
                    ("unit_price", "5"),
                ]],
            ),
            "Line 1, quantity: cannot be negative",
        ),
        (
            form(
                &app,
                &client,
                "XYZ",
                &[&[("description", "A"), ("unit_price", "5")]],
            ),
            "currency: is not a supported ISO 4217 currency code",
        ),
        (
            form(
                &app,
                &client,
                "USD",
                &[&[("description", "A"), ("unit_price", "12.345")]],
            ),
            "Line 1, unit price: A price in USD takes at most 2 decimal places",
        ),
        (
            form(
                &app,
                &client,
                "KWD",
                &[
                    &[("description", "A"), ("unit_price", "1.234")],
                    &[("description", "B"), ("unit_price", "1.2345")],
                ],
            ),
            "Line 2, unit price: A price in KWD takes at most 3 decimal places",
        ),
        (
            form(
                &app,
                &client,
                "USD",
                &[&[
                    ("description", "A"),
                    ("unit_price", "5"),
                    ("tax_rate_percent", "150"),
                ]],
            ),
            "Line 1, tax rate percent: must be between 0 and 100",
        ),
        (
            form(
                &app,
                "",
                "USD",
                &[&[("description", "A"), ("unit_price", "5")]],
            ),
            "client id: choose the client",
        ),
    ];
    for (fields, message) in cases {
        let r = post_with_csrf(&staff, "/staff/invoices/new", "/staff/invoices", &fields).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        let html = r.text().await.unwrap();
        assert!(html.contains(message), "{message} in:\n{html}");
        assert!(html.contains("Nothing was saved"));
        assert_eq!(
            row_counts(&app).await,
            before,
            "{message}: nothing stored, no number used"
        );
    }

    // Another workspace's client is not found, and nothing is numbered.
    let other = app
        .state
        .store
        .create_workspace(
            &NewWorkspace {
                slug: "other",
                name: "Other Co",
                time_zone: "UTC",
                default_currency: "USD",
            },
            app.now_ms(),
        )
        .await
        .unwrap();
    let stranger: ClientId = world::client(&app, other, "company", "Stranger Ltd").await;
    let before = row_counts(&app).await;
    let stranger_id = stranger.get().to_string();
    let fields = form(
        &app,
        &stranger_id,
        "USD",
        &[&[("description", "A"), ("unit_price", "5")]],
    );
    let r = post_with_csrf(&staff, "/staff/invoices/new", "/staff/invoices", &fields).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(row_counts(&app).await, before);

    // Another workspace's invoice is not found on any staff route.
    let (foreign, _) = world::invoice(&app, other, stranger, "sent", 5, "USD", 1_000).await;
    let fid = foreign.get();
    let before = row_counts(&app).await;
    for path in ["", "/edit", "/print", "/pdf"] {
        let (s, _) = staff
            .get_text(&format!("/staff/invoices/{fid}{path}"))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    for action in ["send", "void"] {
        let r = post_with_csrf(
            &staff,
            "/staff/invoices",
            &format!("/staff/invoices/{fid}/{action}"),
            &[],
        )
        .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{action}");
    }
    assert_eq!(invoice_state(&app, fid).await.1, "sent");

    // A forged form (no CSRF token) is refused.
    let r = staff
        .post_form(
            "/staff/invoices",
            &[("client_id", &client), ("currency", "USD")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(row_counts(&app).await, before);
}

#[tokio::test]
async fn a_quote_draft_is_edited_sent_and_marked_accepted_and_numbering_is_configurable() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = owner(&app, &w).await;
    // An admin changes the quote prefix; new quotes use it.
    let r = post_with_csrf(
        &staff,
        "/staff/quotes",
        "/staff/quotes/numbering",
        &[("prefix".into(), "EST-".into())],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = post_with_csrf(
        &staff,
        "/staff/quotes",
        "/staff/quotes/numbering",
        &[("prefix".into(), "<x>".into())],
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    let client = w.b.get().to_string();
    let fields = form(
        &app,
        &client,
        "JPY",
        &[&[("description", "Survey"), ("unit_price", "5000")]],
    );
    let r = post_with_csrf(&staff, "/staff/quotes/new", "/staff/quotes", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id = id_in(&location(&r));
    let (_, page) = staff.get_text(&format!("/staff/quotes/{id}")).await;
    assert!(page.contains("Quote EST-0001") && page.contains("JPY 5,000"));

    // Edit the draft: two lines now; the form shows what is stored.
    let (_, edit) = staff.get_text(&format!("/staff/quotes/{id}/edit")).await;
    assert!(edit.contains("value=\"5000\""));
    let fields = form(
        &app,
        &client,
        "JPY",
        &[
            &[("description", "Survey"), ("unit_price", "5000")],
            &[
                ("description", "Report"),
                ("quantity", "2"),
                ("unit_price", "1500"),
            ],
        ],
    );
    let r = post_with_csrf(
        &staff,
        &format!("/staff/quotes/{id}/edit"),
        &format!("/staff/quotes/{id}"),
        &fields,
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let total: i64 = scalar(
        &app,
        &format!("SELECT total_minor FROM quote WHERE id = {id}"),
    )
    .await;
    assert_eq!(total, 8_000);
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT COUNT(*) FROM quote_line WHERE quote_id = {id}")
        )
        .await,
        2
    );

    // Send, then the client sees it; mark accepted; a sent quote is not editable.
    let r = post_with_csrf(
        &staff,
        &format!("/staff/quotes/{id}"),
        &format!("/staff/quotes/{id}/send"),
        &[],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mail = app.smtp.wait_for(&w.bob_email, 1).await;
    assert!(mail
        .text()
        .contains(&app.url(&format!("/portal/quotes/{id}"))));
    let r = post_with_csrf(
        &staff,
        &format!("/staff/quotes/{id}"),
        &format!("/staff/quotes/{id}"),
        &fields,
    )
    .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "only drafts can be edited"
    );
    let r = post_with_csrf(
        &staff,
        &format!("/staff/quotes/{id}"),
        &format!("/staff/quotes/{id}/decision"),
        &[("decision".into(), "accepted".into())],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let status: String = sqlx::query_scalar("SELECT status FROM quote WHERE id = $1")
        .bind(id)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(status, "accepted");
    // The accepted quote becomes a draft invoice with the same lines, once.
    let r = post_with_csrf(
        &staff,
        &format!("/staff/quotes/{id}"),
        &format!("/staff/quotes/{id}/invoice"),
        &[],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let invoice = id_in(&location(&r));
    let (number, status, total, _) = invoice_state(&app, invoice).await;
    assert_eq!(
        (number.as_str(), status.as_str(), total),
        ("INV-0001", "draft", 8_000)
    );
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT COUNT(*) FROM invoice_line WHERE invoice_id = {invoice}")
        )
        .await,
        2
    );
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT quote_id FROM invoice WHERE id = {invoice}")
        )
        .await,
        id
    );
    let r = post_with_csrf(
        &staff,
        &format!("/staff/quotes/{id}"),
        &format!("/staff/quotes/{id}/invoice"),
        &[],
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("already invoiced as INV-0001"));
    let bob = Browser::new(&app);
    bob.log_in(&app, &format!("/portal/{}", w.b_key), &w.bob_email)
        .await;
    let (_, page) = bob.get_text(&format!("/portal/quotes/{id}")).await;
    assert!(page.contains("EST-0001") && page.contains("Accepted"));
    let (s, print) = bob.get_text(&format!("/portal/quotes/{id}/print")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(print.contains("Quote EST-0001") && print.contains("JPY 8,000"));
    // Acme's contact cannot print or download Birch's quote.
    let ann = Browser::new(&app);
    ann.log_in(&app, &w.a_link(), &w.ann_email).await;
    for path in ["print", "pdf"] {
        let (s, _) = ann.get_text(&format!("/portal/quotes/{id}/{path}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    // Staff download the PDF too.
    let r = staff.get(&format!("/staff/quotes/{id}/pdf")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(disposition, "attachment; filename=\"Quote-EST-0001.pdf\"");
    let bytes = r.bytes().await.unwrap();
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(bytes.starts_with(b"%PDF-") && has(b"Quote EST-0001") && has(b"JPY 8,000"));
    // The filtered list shows it under Accepted and Birch.
    let (_, list) = staff
        .get_text(&format!(
            "/staff/quotes?status=accepted&client={}",
            w.b.get()
        ))
        .await;
    assert!(list.contains("EST-0001"));
    let (_, list) = staff.get_text("/staff/quotes?status=draft").await;
    assert!(!list.contains(&format!("/staff/quotes/{id}\"")));
}

#[tokio::test]
async fn a_provider_payment_after_an_offline_one_shows_overpaid_with_the_credit_and_tells_the_team()
{
    let stripe = StripeStandIn::start().await;
    let app = TestApp::spawn_with(Options {
        stripe_api_base: Some(stripe.base.clone()),
        ..Options::default()
    })
    .await;
    let w = World::seed(&app).await;
    let staff = owner(&app, &w).await;
    let whsec = format!(
        "whsec_{}",
        portico::crypto::random_token(24).replace('-', "x")
    );
    let key = stripe.new_key();
    let r = post_with_csrf(
        &staff,
        "/staff/integrations",
        "/staff/integrations/stripe",
        &[
            ("secret_key".into(), key),
            ("webhook_secret".into(), whsec.clone()),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (inv, number) = world::invoice(&app, w.ws, w.a, "sent", 5, "USD", 70_000).await;

    // Ann opens a card payment for the whole balance but has not finished it...
    let ann = Browser::new(&app);
    ann.log_in(&app, &w.a_link(), &w.ann_email).await;
    let path = format!("/portal/invoices/{}", inv.get());
    let (_, page) = ann.get_text(&path).await;
    let r = ann
        .post_form(
            &format!("{path}/pay"),
            &[("_csrf", &csrf_of(&page)), ("provider", "stripe")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let session = stripe.only_session()["id"].as_str().unwrap().to_string();

    // ...when the same amount arrives by bank transfer and staff record it.
    let r = post_with_csrf(
        &staff,
        &format!("/staff/invoices/{}", inv.get()),
        &format!("/staff/invoices/{}/payments", inv.get()),
        &[
            ("method".into(), "bank_transfer".into()),
            ("amount".into(), "700".into()),
            ("received_on".into(), today(&app)),
            ("reference".into(), "BT-9".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Then the card payment completes too.
    let event = stripe.pay(&session);
    let status = reqwest::Client::new()
        .post(app.url(&format!("/webhooks/stripe/{}", w.ws.get())))
        .header("Stripe-Signature", stripe.sign(&event, &whsec))
        .header("Content-Type", "application/json")
        .body(event)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::OK);
    let (_, s, total, paid) = invoice_state(&app, inv.get()).await;
    assert_eq!((s.as_str(), total, paid), ("paid", 70_000, 140_000));

    // Staff see Overpaid and the credit; the portal shows nothing negative.
    let (_, page) = staff
        .get_text(&format!("/staff/invoices/{}", inv.get()))
        .await;
    assert!(page.contains("Overpaid"), "{page}");
    assert!(page.contains("USD 700.00") && page.contains("Credit"));
    let (_, list) = staff.get_text("/staff/invoices").await;
    assert!(list.contains("Credit USD 700.00"));
    let (_, page) = ann.get_text(&path).await;
    assert!(
        !page.contains("USD -"),
        "no negative balance due on the portal"
    );
    assert!(page.contains("USD 0.00"));
    let (_, home) = ann.get_text("/portal/home").await;
    assert!(!home.contains("USD -"));

    // The team is told.
    let notice = app.smtp.wait_for(&w.staff_email, 2).await;
    let all = app.smtp.to(&w.staff_email);
    let overpaid = all
        .iter()
        .find(|m| m.subject().contains("overpaid"))
        .unwrap_or(&notice);
    assert!(
        overpaid.subject().contains(&format!(
            "Invoice {number} of Acme Facilities is overpaid by USD 700.00"
        )),
        "{}",
        overpaid.subject()
    );
}

/// The invoice id in a staff invoice page's own links.
fn page_id(html: &str) -> String {
    let marker = "/staff/invoices/";
    html.match_indices(marker)
        .filter_map(|(i, _)| {
            let rest = &html[i + marker.len()..];
            let id: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (!id.is_empty()).then_some(id)
        })
        .next()
        .unwrap()
}

/// The core flow on real parts: staff sign in to the back office in headless Chromium,
/// create an invoice from the form, send it; the client signs in to the portal with the
/// emailed code and opens the invoice from the list.
#[tokio::test]
async fn staff_create_and_send_an_invoice_in_a_real_browser_and_the_client_sees_it() {
    use crate::support::chrome::{portal_sign_in, staff_sign_in, wait_for_path, Chrome};
    use fantoccini::Locator;

    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let chrome = Chrome::start().await;
    let c = &chrome.client;

    staff_sign_in(c, &app.base, &w.staff_email, &w.staff_password).await;

    c.find(Locator::XPath("//nav//a[normalize-space()='Invoices']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_path(c, "/staff/invoices").await;
    c.find(Locator::XPath("//a[normalize-space()='New invoice']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_path(c, "/staff/invoices/new").await;
    let axe = crate::accessibility::axe_source();
    let problems = crate::accessibility::violations(c, &axe).await;
    assert!(problems.is_empty(), "new invoice form: {problems:?}");
    c.find(Locator::Css(&format!(
        "#client_id option[value='{}']",
        w.a.get()
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    c.find(Locator::Id("title"))
        .await
        .unwrap()
        .send_keys("Boiler service")
        .await
        .unwrap();
    c.find(Locator::Id("l0-description"))
        .await
        .unwrap()
        .send_keys("Annual boiler service")
        .await
        .unwrap();
    c.find(Locator::Id("l0-quantity"))
        .await
        .unwrap()
        .send_keys("2")
        .await
        .unwrap();
    c.find(Locator::Id("l0-price"))
        .await
        .unwrap()
        .send_keys("350.25")
        .await
        .unwrap();
    c.find(Locator::Id("l0-tax"))
        .await
        .unwrap()
        .send_keys("5")
        .await
        .unwrap();
    c.find(Locator::XPath("//button[normalize-space()='Save draft']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..100 {
        let path = c.current_url().await.unwrap().path().to_string();
        if path.starts_with("/staff/invoices/") && path != "/staff/invoices/new" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let page = c.source().await.unwrap();
    assert!(
        page.contains("Invoice INV-0001") && page.contains("AED 735.53"),
        "700.50 + 35.03 tax"
    );
    c.find(Locator::XPath("//button[normalize-space()='Send invoice']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let mut sent = String::new();
    for _ in 0..100 {
        sent = c.source().await.unwrap();
        if sent.contains("contacts emailed") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(sent.contains("3 contacts emailed"), "{sent}");
    chrome.screenshot("staff-invoice-sent").await;
    let problems = crate::accessibility::violations(c, &axe).await;
    assert!(problems.is_empty(), "invoice page: {problems:?}");
    c.goto(&app.url("/staff/invoices")).await.unwrap();
    let problems = crate::accessibility::violations(c, &axe).await;
    assert!(problems.is_empty(), "invoice list: {problems:?}");
    let id = page_id(&sent);
    c.goto(&app.url(&format!("/staff/invoices/{id}/print")))
        .await
        .unwrap();
    let problems = crate::accessibility::violations(c, &axe).await;
    assert!(problems.is_empty(), "printable page: {problems:?}");

    // The client: the invoice email, then a sign-in code, then the invoice in the portal.
    let mail = app.smtp.wait_for(&w.ann_email, 1).await;
    assert!(mail.subject().contains("Invoice INV-0001"));
    portal_sign_in(c, &app, &app.base, &w.a_link(), &w.ann_email).await;
    c.goto(&app.url("/portal/invoices")).await.unwrap();
    c.find(Locator::XPath(
        "//main//a[contains(normalize-space(), 'INV-0001')]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let page = c.source().await.unwrap();
    assert!(page.contains("Invoice INV-0001") && page.contains("AED 735.53"));
    assert!(page.contains("Annual boiler service"));
    c.find(Locator::XPath("//a[normalize-space()='Download PDF']"))
        .await
        .unwrap();
    chrome.screenshot("portal-invoice-from-staff").await;
}

#[tokio::test]
async fn a_number_already_taken_is_refused_clearly_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = owner(&app, &w).await;
    // An invoice numbered INV-0001 by other means (an import, say) takes the next number.
    world::invoice(&app, w.ws, w.a, "sent", 5, "USD", 1_000).await;
    sqlx::query("UPDATE number_sequence SET next_value = 1 WHERE kind = 'invoice'")
        .execute(app.state.store.pool())
        .await
        .unwrap();
    let before = row_counts(&app).await;
    let client = w.a.get().to_string();
    // The client record offers the new-invoice form for this client.
    let (_, record) = staff.get_text(&format!("/staff/clients/{client}")).await;
    assert!(record.contains(&format!("/staff/invoices/new?client={client}")));
    let fields = form(
        &app,
        &client,
        "USD",
        &[&[("description", "A"), ("unit_price", "5")]],
    );
    let r = post_with_csrf(
        &staff,
        &format!("/staff/invoices/new?client={client}"),
        "/staff/invoices",
        &fields,
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("number: INV-0001 is already used by another invoice of this workspace"),
        "{html}"
    );
    assert_eq!(row_counts(&app).await, before, "no row, no number used");
}

#[tokio::test]
async fn members_author_invoices_but_only_admins_change_the_numbering() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let hash = portico::auth::password::hash("a long member password 42").unwrap();
    app.state
        .store
        .create_staff(
            w.ws,
            &portico::domain::email::EmailAddress::parse("member@cedar.test").unwrap(),
            "Mo Member",
            "member",
            &hash,
            app.now_ms(),
        )
        .await
        .unwrap();
    let member = Browser::staff(&app, "member@cedar.test", "a long member password 42").await;
    let (_, list) = member.get_text("/staff/invoices").await;
    assert!(
        !list.contains("/staff/invoices/numbering"),
        "no numbering form for members"
    );
    let r = post_with_csrf(
        &member,
        "/staff/invoices",
        "/staff/invoices/numbering",
        &[("prefix".into(), "M-".into())],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.state.store.number_prefixes(w.ws).await.unwrap(),
        ("INV-".to_string(), "Q-".to_string())
    );
    let client = w.a.get().to_string();
    let fields = form(
        &app,
        &client,
        "USD",
        &[&[("description", "A"), ("unit_price", "5")]],
    );
    let r = post_with_csrf(&member, "/staff/invoices/new", "/staff/invoices", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn with_partial_payments_allowed_a_client_pays_part_of_an_invoice_above_the_minimum() {
    let stripe = StripeStandIn::start().await;
    let app = TestApp::spawn_with(Options {
        stripe_api_base: Some(stripe.base.clone()),
        ..Options::default()
    })
    .await;
    let w = World::seed(&app).await;
    let staff = owner(&app, &w).await;
    let whsec = format!(
        "whsec_{}",
        portico::crypto::random_token(24).replace('-', "x")
    );
    let r = post_with_csrf(
        &staff,
        "/staff/integrations",
        "/staff/integrations/stripe",
        &[
            ("secret_key".into(), stripe.new_key()),
            ("webhook_secret".into(), whsec.clone()),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (aed, _) = world::invoice(&app, w.ws, w.a, "sent", 5, "AED", 70_000).await;
    let (usd, _) = world::invoice(&app, w.ws, w.a, "sent", 5, "USD", 70_000).await;
    let ann = Browser::new(&app);
    ann.log_in(&app, &w.a_link(), &w.ann_email).await;
    let aed_page = format!("/portal/invoices/{}", aed.get());

    // Off by default: the whole balance only.
    let (_, page) = ann.get_text(&aed_page).await;
    assert!(!page.contains("Amount to pay now"));
    let pay = |amount: &'static str| {
        let (ann, path) = (&ann, aed_page.clone());
        async move {
            let (_, page) = ann.get_text(&path).await;
            ann.post_form(
                &format!("{path}/pay"),
                &[
                    ("_csrf", &csrf_of(&page)),
                    ("provider", "stripe"),
                    ("amount", amount),
                ],
            )
            .await
        }
    };

    // An admin allows parts of at least AED 100.00 (AED is the workspace's currency).
    let r = post_with_csrf(
        &staff,
        "/staff/invoices",
        "/staff/invoices/partial-payments",
        &[
            ("allowed".into(), "1".into()),
            ("minimum".into(), "100".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = ann.get_text(&aed_page).await;
    assert!(page.contains("Amount to pay now") && page.contains("at least AED 100.00"));
    let (_, page) = ann
        .get_text(&format!("/portal/invoices/{}", usd.get()))
        .await;
    assert!(
        !page.contains("Amount to pay now"),
        "other currencies are paid in full"
    );

    let r = pay("99.99").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("at least AED 100.00"));
    assert_eq!(pay("700.01").await.status(), StatusCode::CONFLICT);
    assert_eq!(
        stripe.session_count(),
        0,
        "nothing started for a refused amount"
    );

    // A part within the limits goes to Checkout for exactly that amount and is recorded.
    let r = pay("250.00").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let session = stripe.only_session();
    assert_eq!(session["amount_total"], 25_000);
    let event = stripe.pay(session["id"].as_str().unwrap());
    let status = reqwest::Client::new()
        .post(app.url(&format!("/webhooks/stripe/{}", w.ws.get())))
        .header("Stripe-Signature", stripe.sign(&event, &whsec))
        .header("Content-Type", "application/json")
        .body(event)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::OK);
    let (_, s, _, paid) = invoice_state(&app, aed.get()).await;
    assert_eq!((s.as_str(), paid), ("partially_paid", 25_000));
}

#[tokio::test]
async fn a_draft_is_deleted_after_confirming_its_number_stays_used_and_a_sent_one_is_kept() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = owner(&app, &w).await;
    let first = draft_for_acme(&app, &w, &staff).await;
    let page_path = format!("/staff/invoices/{first}");
    let (_, page) = staff.get_text(&page_path).await;
    assert!(page.contains("Delete draft"), "the draft offers deletion");
    assert!(
        page.contains("name=\"confirm\" value=\"yes\" required"),
        "behind a confirmation box"
    );
    let (number, _, _, _) = invoice_state(&app, first).await;

    // Without the box ticked nothing happens.
    let action = format!("/staff/invoices/{first}/delete");
    let r = post_with_csrf(&staff, &page_path, &action, &[]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("tick the box"));
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM invoice WHERE deleted_at IS NULL"
        )
        .await,
        1
    );

    let confirm = [("confirm".to_string(), "yes".to_string())];
    let r = post_with_csrf(&staff, &page_path, &action, &confirm).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/staff/invoices?notice=deleted");
    let (_, list) = staff.get_text("/staff/invoices?notice=deleted").await;
    assert!(list.contains("Draft deleted"), "{list}");
    assert!(!list.contains(&format!("/staff/invoices/{first}\"")));
    assert_eq!(staff.get(&page_path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_event WHERE action = 'invoice.deleted'"
        )
        .await,
        1
    );

    // The next draft does not reuse the number.
    let second = draft_for_acme(&app, &w, &staff).await;
    let (next, _, _, _) = invoice_state(&app, second).await;
    assert_ne!(next, number);
    assert_eq!(next, "INV-0002", "after {number}");

    // A sent invoice offers no deletion and refuses one.
    let r = post_with_csrf(
        &staff,
        &format!("/staff/invoices/{second}"),
        &format!("/staff/invoices/{second}/send"),
        &[],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let sent_path = format!("/staff/invoices/{second}");
    let (_, page) = staff.get_text(&sent_path).await;
    assert!(!page.contains("Delete draft"));
    let r = post_with_csrf(
        &staff,
        &sent_path,
        &format!("/staff/invoices/{second}/delete"),
        &confirm,
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Only a draft can be deleted"));
    assert_eq!(invoice_state(&app, second).await.1, "sent");
}

#[tokio::test]
async fn a_new_document_form_sent_twice_makes_one_document_and_uses_one_number() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = owner(&app, &w).await;
    let client = w.a.to_string();
    for (kind, table) in [("invoices", "invoice"), ("quotes", "quote")] {
        let (status, page) = staff.get_text(&format!("/staff/{kind}/new")).await;
        assert_eq!(status, StatusCode::OK);
        let key = page
            .split("name=\"submission_key\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the new form carries a one-time key")
            .to_string();
        assert!(key.len() >= 16, "{key}");
        let mut fields = form(
            &app,
            &client,
            "AED",
            &[&[
                ("description", "Survey"),
                ("quantity", "1"),
                ("unit_price", "50"),
            ]],
        );
        fields.insert(0, ("_csrf".into(), csrf_of(&page)));
        fields.push(("submission_key".into(), key.clone()));
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let count = |app: &TestApp| {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let pool = app.state.store.pool().clone();
            async move {
                sqlx::query_scalar::<_, i64>(&sql)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        let before = count(&app).await;
        let action = format!("{table}.created");
        let audited_before = crate::double_submission::audited(&app, &action).await;
        let first = staff.post_form(&format!("/staff/{kind}"), &pairs).await;
        assert_eq!(first.status(), StatusCode::SEE_OTHER, "{kind}");
        let second = staff.post_form(&format!("/staff/{kind}"), &pairs).await;
        assert_eq!(second.status(), StatusCode::SEE_OTHER, "{kind}");
        assert_eq!(
            id_in(&location(&first)),
            id_in(&location(&second)),
            "{kind}: the second answer shows the first document"
        );
        assert_eq!(count(&app).await, before + 1, "{kind}: one document");
        assert_eq!(
            crate::double_submission::audited(&app, &action).await,
            audited_before + 1,
            "{kind}: one creation audited"
        );
        // Another form (a new key) makes another document, numbered right after.
        let (_, page) = staff.get_text(&format!("/staff/{kind}/new")).await;
        assert!(!page.contains(&key), "{kind}: each form gets a new key");
        let fresh = page
            .split("name=\"submission_key\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_string();
        let again: Vec<(&str, &str)> = pairs
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
        let third = staff.post_form(&format!("/staff/{kind}"), &again).await;
        assert_eq!(third.status(), StatusCode::SEE_OTHER, "{kind}");
        assert_eq!(
            count(&app).await,
            before + 2,
            "{kind}: a new form, a new document"
        );
        let number = |id: i64| {
            let sql = format!("SELECT number FROM {table} WHERE id = $1");
            let pool = app.state.store.pool().clone();
            async move {
                let n: String = sqlx::query_scalar(&sql)
                    .bind(id)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                n.rsplit('-').next().unwrap().parse::<i64>().unwrap()
            }
        };
        assert_eq!(
            number(id_in(&location(&third))).await,
            number(id_in(&location(&first))).await + 1,
            "{kind}: the double send used one number"
        );
    }
}
