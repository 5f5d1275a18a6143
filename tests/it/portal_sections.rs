//! Every portal section: lists, filters, pages, visibility rules and bad input (SPEC §4).

use reqwest::StatusCode;

use crate::support::http::{csrf_of, Browser};
use crate::support::records::{self, Records};
use crate::support::world::World;
use crate::support::TestApp;

async fn signed_in(app: &TestApp, w: &World) -> Browser {
    let b = Browser::new(app);
    b.log_in(app, &w.a_link(), &w.ann_email).await;
    b
}

async fn setup() -> (TestApp, World, Records, Browser) {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let recs = records::seed(&app, w.ws, w.a, "ACME").await;
    records::seed(&app, w.ws, w.b, "BIRCH").await;
    let b = signed_in(&app, &w).await;
    (app, w, recs, b)
}

async fn ok_page(b: &Browser, path: &str) -> String {
    let (status, body) = b.get_text(path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    assert!(
        !body.contains("HIDDEN"),
        "{path} shows something it must not"
    );
    assert!(
        !body.contains("BIRCH"),
        "{path} shows another client's data"
    );
    body
}

#[tokio::test]
async fn every_section_lists_the_clients_own_records_and_nothing_hidden() {
    let (_app, _w, _r, b) = setup().await;
    for (path, expect) in [
        ("/portal/requests", "ACME leaking tap"),
        ("/portal/quotes", "ACME roof repair"),
        ("/portal/invoices", "ACME boiler service"),
        ("/portal/tasks", "ACME choose fittings"),
        ("/portal/projects", "ACME office fit-out"),
        ("/portal/jobs", "ACME install lights"),
        ("/portal/products", "Office deep clean"),
        ("/portal/about", "About"),
        ("/portal/contact", "Contact"),
    ] {
        let body = ok_page(&b, path).await;
        assert!(body.contains(expect), "{path} should show {expect}");
        assert!(
            body.contains("aria-current=\"page\""),
            "{path} marks its sidebar entry"
        );
    }
}

#[tokio::test]
async fn void_invoices_are_listed_as_void_but_have_no_page() {
    let (_app, _w, r, b) = setup().await;
    let list = ok_page(&b, "/portal/invoices").await;
    assert!(list.contains("ACME cancelled work") && list.contains(">Void<"));
    assert!(!list.contains(&format!("/portal/invoices/{}\"", r.invoice_void)));
    assert_eq!(
        b.get(&format!("/portal/invoices/{}", r.invoice_void))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn detail_pages_show_lines_totals_payments_and_never_internal_notes() {
    let (_app, _w, r, b) = setup().await;
    let inv = ok_page(&b, &format!("/portal/invoices/{}", r.invoice_sent)).await;
    assert!(inv.contains("Quarterly maintenance visit") && inv.contains("AED 500.00"));
    assert!(!inv.contains("INTERNAL-NOTE-NEVER-SHOWN"));
    let paid = ok_page(&b, &format!("/portal/invoices/{}", r.invoice_paid)).await;
    assert!(
        paid.contains("Bank transfer") && paid.contains("USD 200.00") && paid.contains(">Paid<")
    );
    let quote = ok_page(&b, &format!("/portal/quotes/{}", r.quote_sent)).await;
    assert!(
        quote.contains("view-only")
            && quote.contains("Survey")
            && quote.contains("2.5")
            && quote.contains("5%")
    );
    assert!(quote.contains("AED 262.50"), "2.5 × 100.00 + 5% tax");
    let job = ok_page(&b, &format!("/portal/jobs/{}", r.job_active)).await;
    assert!(
        job.contains("12 Palm Road")
            && job.contains("Scheduled")
            && job.contains("ACME choose fittings")
    );
    let project = ok_page(&b, &format!("/portal/projects/{}", r.project)).await;
    assert!(project.contains("ACME install lights") && project.contains("40%"));
    ok_page(&b, &format!("/portal/tasks/{}", r.task_shared)).await;
    let req = ok_page(&b, &format!("/portal/requests/{}", r.request)).await;
    assert!(req.contains("Kitchen tap drips.") && req.contains("In review"));
    ok_page(&b, &format!("/portal/products/{}", r.product_visible)).await;
}

#[tokio::test]
async fn hidden_records_answer_not_found() {
    let (_app, _w, r, b) = setup().await;
    for path in [
        format!("/portal/invoices/{}", r.invoice_draft),
        format!("/portal/quotes/{}", r.quote_draft),
        format!("/portal/jobs/{}", r.job_draft),
        format!("/portal/tasks/{}", r.task_private),
        format!("/portal/products/{}", r.product_hidden),
    ] {
        assert_eq!(b.get(&path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn another_clients_records_answer_not_found() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    records::seed(&app, w.ws, w.a, "ACME").await;
    let theirs = records::seed(&app, w.ws, w.b, "BIRCH").await;
    let b = signed_in(&app, &w).await;
    for path in [
        format!("/portal/invoices/{}", theirs.invoice_sent),
        format!("/portal/quotes/{}", theirs.quote_sent),
        format!("/portal/jobs/{}", theirs.job_active),
        format!("/portal/projects/{}", theirs.project),
        format!("/portal/tasks/{}", theirs.task_shared),
        format!("/portal/requests/{}", theirs.request),
    ] {
        let (status, body) = b.get_text(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!body.contains("BIRCH"));
    }
}

#[tokio::test]
async fn bad_ids_pages_and_filters_get_clear_answers() {
    let (_app, _w, _r, b) = setup().await;
    for path in [
        "/portal/invoices/abc",
        "/portal/invoices/-1",
        "/portal/invoices/0",
        "/portal/invoices/99999999999999999999",
        "/portal/jobs/1.5",
        "/portal/quotes/%20",
    ] {
        assert_eq!(b.get(path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    for path in [
        "/portal/invoices?status=draft",
        "/portal/invoices?status=%27%20OR%201=1",
        "/portal/jobs?after=garbage",
        "/portal/quotes?after=2026-99-01~5",
        "/portal/tasks?after=~-1",
    ] {
        let (status, body) = b.get_text(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert!(
            body.contains("filter") || body.contains("page link"),
            "{path}: says what is wrong"
        );
    }
    for path in ["/portal/invoices?page=-1", "/portal/invoices?page=999999"] {
        assert_eq!(
            b.get(path).await.status(),
            StatusCode::OK,
            "{path}: unknown parameters are ignored"
        );
    }
}

#[tokio::test]
async fn filters_narrow_the_list() {
    let (_app, _w, _r, b) = setup().await;
    let paid = ok_page(&b, "/portal/invoices?status=paid").await;
    assert!(paid.contains("ACME paid work") && !paid.contains("ACME boiler service"));
    let open = ok_page(&b, "/portal/invoices?status=open").await;
    assert!(open.contains("ACME boiler service") && !open.contains("ACME paid work"));
    let overdue = ok_page(&b, "/portal/invoices?status=overdue").await;
    assert!(
        overdue.contains("No open invoices"),
        "nothing overdue in this seed"
    );
    let done = ok_page(&b, "/portal/tasks?status=done").await;
    assert!(!done.contains("ACME choose fittings"));
}

#[tokio::test]
async fn lists_page_by_keyset_newest_first() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    for i in 0..25 {
        let (id, _) =
            crate::support::world::invoice(&app, w.ws, w.a, "sent", i, "AED", 1000 + i).await;
        sqlx::query("UPDATE invoice SET title = $1 WHERE id = $2")
            .bind(format!("Batch item {i:02}"))
            .bind(id.get())
            .execute(app.state.store.pool())
            .await
            .unwrap();
    }
    let b = signed_in(&app, &w).await;
    let first = ok_page(&b, "/portal/invoices").await;
    assert!(
        first.contains("Batch item 24") && !first.contains("Batch item 04"),
        "newest first, 20 a page"
    );
    let marker = "href=\"/portal/invoices?after=";
    let start = first.find(marker).expect("an Older link") + "href=\"".len();
    let next = first[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let second = ok_page(&b, &next).await;
    assert!(
        second.contains("Batch item 04")
            && second.contains("Batch item 00")
            && !second.contains("Batch item 05")
    );
    assert!(!second.contains(marker), "no page after the last");
}

async fn new_request(b: &Browser, fields: &[(&str, &str)]) -> reqwest::Response {
    let (_, page) = b.get_text("/portal/requests/new").await;
    let csrf = csrf_of(&page);
    let key_marker = "name=\"idempotency_key\" value=\"";
    let key_start = page.find(key_marker).unwrap() + key_marker.len();
    let key = page[key_start..].split('"').next().unwrap().to_string();
    let mut form: Vec<(&str, &str)> = vec![
        ("_csrf", &csrf),
        ("idempotency_key", &key),
        ("product_id", ""),
    ];
    form.extend_from_slice(fields);
    let form: Vec<(String, String)> = form
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    b.client
        .post(format!("{}/portal/requests", b.base))
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_new_request_is_stored_shown_as_new_and_mailed_to_the_team() {
    let (app, w, _r, b) = setup().await;
    let details = "Hello 👋 — مرحبا — 你好\n<script>alert('x')</script>";
    let r = new_request(
        &b,
        &[
            ("subject", "Broken window"),
            ("details", details),
            ("preferred_date", ""),
            ("site_address", "Unit 4"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let page = ok_page(&b, &to).await;
    assert!(page.contains("Broken window") && page.contains(">New<"));
    assert!(page.contains("مرحبا") && page.contains("👋"));
    assert!(!page.contains("<script>alert"), "shown as text");
    let list = ok_page(&b, "/portal/requests").await;
    assert!(list.contains("Broken window"));
    let mail = app.smtp.wait_for(&w.staff_email, 1).await;
    assert!(mail.subject().contains("Acme Facilities") && mail.subject().contains("Broken window"));
    assert!(mail.text().contains("مرحبا"));
    assert!(mail.html().contains("&#60;script&#62;") || mail.html().contains("&lt;script&gt;"));
}

#[tokio::test]
async fn submitting_the_same_form_twice_makes_one_request() {
    let (app, w, _r, b) = setup().await;
    let (_, page) = b.get_text("/portal/requests/new").await;
    let csrf = csrf_of(&page);
    let key_marker = "name=\"idempotency_key\" value=\"";
    let key_start = page.find(key_marker).unwrap() + key_marker.len();
    let key = page[key_start..].split('"').next().unwrap().to_string();
    let form = [
        ("_csrf", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("subject", "Twice"),
        ("details", "Same form"),
    ];
    let (one, two) = tokio::join!(
        b.post_form("/portal/requests", &form),
        b.post_form("/portal/requests", &form)
    );
    let three = b.post_form("/portal/requests", &form).await;
    for r in [&one, &two, &three] {
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{:?}", r.headers());
    }
    let locations: Vec<String> = [one, two, three]
        .iter()
        .map(|r| {
            r.headers()["location"]
                .to_str()
                .unwrap()
                .split('?')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(
        locations.iter().all(|l| l == &locations[0]),
        "{locations:?}"
    );
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM request WHERE subject = 'Twice' AND workspace_id = $1",
    )
    .bind(w.ws.get())
    .fetch_one(app.state.store.pool())
    .await
    .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn bad_requests_name_the_field_and_store_nothing() {
    let (app, w, _r, b) = setup().await;
    let long = "x".repeat(10_001);
    for (fields, field) in [
        (vec![("subject", ""), ("details", "d")], "Subject"),
        (vec![("subject", "s"), ("details", "   ")], "Details"),
        (
            vec![("subject", "s"), ("details", long.as_str())],
            "Details",
        ),
        (
            vec![
                ("subject", "s"),
                ("details", "d"),
                ("preferred_date", "31/12/2026"),
            ],
            "Preferred date",
        ),
        (
            vec![
                ("subject", "s"),
                ("details", "d"),
                ("preferred_date", "2001-01-01"),
            ],
            "Preferred date",
        ),
    ] {
        let r = new_request(&b, &fields).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains(field), "{field}");
    }
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM request WHERE workspace_id = $1 AND client_id = $2")
            .bind(w.ws.get())
            .bind(w.a.get())
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
    assert_eq!(n, 1, "only the seeded request");
    let r = b
        .post_form("/portal/requests", &[("subject", "s"), ("details", "d")])
        .await;
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "no CSRF token, no request"
    );
}

#[tokio::test]
async fn ask_about_links_prefill_the_form_only_for_own_records() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let mine = records::seed(&app, w.ws, w.a, "ACME").await;
    let theirs = records::seed(&app, w.ws, w.b, "BIRCH").await;
    let b = signed_in(&app, &w).await;
    let page = ok_page(
        &b,
        &format!("/portal/requests/new?about=quote-{}", mine.quote_sent),
    )
    .await;
    assert!(page.contains("About quote Q-"));
    let page = ok_page(
        &b,
        &format!("/portal/requests/new?about=quote-{}", theirs.quote_sent),
    )
    .await;
    assert!(!page.contains("About quote"));
    let page = ok_page(
        &b,
        &format!(
            "/portal/requests/new?about=product-{}",
            mine.product_visible
        ),
    )
    .await;
    assert!(page.contains("About Office deep clean"));
    ok_page(&b, "/portal/requests/new?about=nonsense-12x").await;
    assert_eq!(
        b.get("/portal/requests/new?about=invoice-%00")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn the_catalogue_pages_newest_first_and_filters_by_kind() {
    use portico::store::products::NewProduct;
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    for i in 0..25 {
        let kind = if i % 2 == 0 { "service" } else { "product" };
        let name = format!("Catalogue item {i:02}");
        app.state
            .store
            .create_product(
                w.ws,
                &NewProduct {
                    kind,
                    name: &name,
                    description: "",
                    unit: "",
                    price_minor: 1000,
                    currency: "AED",
                    tax_rate_bp: 0,
                    visible_in_portal: true,
                },
                app.now_ms(),
            )
            .await
            .unwrap();
    }
    let b = signed_in(&app, &w).await;
    let first = ok_page(&b, "/portal/products").await;
    assert!(first.contains("Catalogue item 24") && !first.contains("Catalogue item 04"));
    let start = first
        .find("href=\"/portal/products?after=")
        .expect("an Older link")
        + "href=\"".len();
    let next = first[start..].split('"').next().unwrap().to_string();
    let second = ok_page(&b, &next).await;
    assert!(second.contains("Catalogue item 04") && !second.contains("Catalogue item 05"));
    let services = ok_page(&b, "/portal/products?status=services").await;
    assert!(services.contains("Catalogue item 24") && !services.contains("Catalogue item 23"));
    assert_eq!(
        b.get("/portal/products?status=secret").await.status(),
        StatusCode::BAD_REQUEST
    );
}

async fn requests_stored(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM request")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_nul_or_a_hidden_control_character_in_a_request_names_the_field_and_keeps_the_text() {
    let (app, _w, _r, b) = setup().await;
    let before = requests_stored(&app).await;
    let cases: [(&str, &str, &str); 5] = [
        ("subject", "Leak\u{0} in roof", "Subject:"),
        ("details", "Water\u{0} everywhere", "Details:"),
        ("subject", "Invoice \u{202E}fdp.exe", "Subject:"),
        ("details", "Line one\n\u{2066}hidden\u{2069}", "Details:"),
        ("site_address", "Unit\u{7} 4", "Site address:"),
    ];
    for (field, value, label) in cases {
        let mut fields = vec![
            ("subject", "Broken window"),
            ("details", "Kept text across\nlines\tand tabs"),
            ("site_address", "Unit 4"),
        ];
        fields.retain(|(f, _)| *f != field);
        fields.push((field, value));
        let r = new_request(&b, &fields).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let page = r.text().await.unwrap();
        assert!(page.contains(label), "{field}: names the field");
        assert!(page.contains("invisible or control character"), "{field}");
        assert!(page.contains("aria-invalid=\"true\""), "{field}");
        let visible: String = value.chars().filter(|c| *c != '\0').collect();
        let visible = visible
            .split(['\u{202E}', '\u{2066}', '\u{7}'])
            .next()
            .unwrap();
        assert!(page.contains(visible), "{field}: the typed text is kept");
        assert_eq!(
            requests_stored(&app).await,
            before,
            "{field}: nothing stored"
        );
    }
    // Newlines and tabs are still welcome in the details.
    let r = new_request(
        &b,
        &[
            ("subject", "Broken window"),
            ("details", "Line one\nline two\tand a tab"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn visit_and_schedule_times_name_the_workspace_time_zone() {
    let (app, _w, r, b) = setup().await;
    let job = ok_page(&b, &format!("/portal/jobs/{}", r.job_active)).await;
    // The workspace is in Asia/Dubai (UTC+4, no lettered abbreviation).
    let tz = jiff::tz::TimeZone::get("Asia/Dubai").unwrap();
    let start = jiff::Timestamp::from_millisecond(app.now_ms() + 86_400_000)
        .unwrap()
        .to_zoned(tz.clone());
    let end = jiff::Timestamp::from_millisecond(app.now_ms() + 90_000_000)
        .unwrap()
        .to_zoned(tz);
    for t in [&start, &end] {
        let shown = format!("{} GMT+4", t.strftime("%H:%M"));
        assert!(job.contains(&shown), "{shown} in {job}");
    }
    // Dates alone carry no zone.
    let home = ok_page(&b, "/portal/home").await;
    assert!(home.contains("GMT+4"), "the next visit on the home page");
}
