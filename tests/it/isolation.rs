//! An isolation test that cannot go stale: it signs in as a contact of client A, crawls
//! every portal page and link it can reach, then signs in as a contact of client B and
//! requests each of A's URLs. Every record page of A is 404 for B, and no page B gets
//! shows any of A's data. New routes are covered as soon as a page links to them.

use std::collections::{BTreeSet, VecDeque};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use portico::domain::email::EmailAddress;
use portico::ids::{ClientId, FileId, JobId, WorkspaceId};
use portico::store::files::NewFile;
use portico::store::workspaces::NewWorkspace;

use crate::support::http::{csrf_of, Browser};
use crate::support::records;
use crate::support::world::World;
use crate::support::TestApp;

fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|href| href.replace("&#38;", "&").replace("&amp;", "&"))
        .filter(|href| href.starts_with("/portal/"))
        .collect()
}

/// Every same-site portal URL reachable from home by following links.
pub async fn crawl(b: &Browser) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from(["/portal/home".to_string()]);
    while let Some(url) = queue.pop_front() {
        if !seen.insert(url.clone()) || seen.len() > 2000 {
            continue;
        }
        let r = b.get(&url).await;
        let is_html = r
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html"));
        assert!(
            r.status().is_success(),
            "A's own link {url} answered {}",
            r.status()
        );
        if is_html {
            for link in links(&r.text().await.unwrap()) {
                if !seen.contains(&link) {
                    queue.push_back(link);
                }
            }
        }
    }
    seen
}

fn is_record_page(url: &str) -> bool {
    let path = url.split('?').next().unwrap_or(url);
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    matches!(parts.as_slice(), ["portal", kind, id, ..] if *kind != "products" && id.bytes().all(|c| c.is_ascii_digit()))
}

#[tokio::test]
async fn a_contact_of_another_client_reaches_none_of_a_clients_pages() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    records::seed(&app, w.ws, w.a, "ACME").await;
    records::seed(&app, w.ws, w.b, "BIRCH").await;
    crate::support::world::Documents::seed(&app, &w).await;

    let ann = Browser::new(&app);
    ann.log_in(&app, &w.a_link(), &w.ann_email).await;
    let urls = crawl(&ann).await;
    for kind in [
        "invoices", "quotes", "requests", "tasks", "projects", "jobs", "products",
    ] {
        assert!(
            urls.iter().any(
                |u| u.starts_with(&format!("/portal/{kind}/")) && is_record_page(u)
                    || (kind == "products" && u.starts_with("/portal/products/"))
            ),
            "the crawl reached a {kind} page: {urls:?}"
        );
    }
    assert!(urls.len() >= 25, "crawled {} URLs", urls.len());

    let bob = Browser::new(&app);
    bob.log_in(&app, &format!("/portal/{}", w.b_key), &w.bob_email)
        .await;
    let mut checked = 0;
    for url in &urls {
        let r = bob.get(url).await;
        let status = r.status();
        let body = r.text().await.unwrap_or_default();
        if is_record_page(url) {
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "B got {status} for A's record {url}"
            );
        } else {
            assert!(
                status.is_success() || status == StatusCode::NOT_FOUND || status.is_redirection(),
                "{url}: {status}"
            );
        }
        for marker in ["ACME", "Acme Facilities", "Hello, Ann"] {
            assert!(!body.contains(marker), "B saw A's data ({marker}) at {url}");
        }
        checked += 1;
    }
    assert_eq!(checked, urls.len());

    // Signed out, every one of those URLs leads to the sign-in page, never to data.
    let stranger = Browser::new(&app);
    for url in &urls {
        let r = stranger.get(url).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{url}");
        assert_eq!(r.headers()["location"], "/portal", "{url}");
    }
}

/// What a second workspace must never change in the first: every record the first's
/// token can read, every row count, and the states that have no API (visits, staff).
async fn snapshot(app: &TestApp, api: &ApiCaller, ws: WorkspaceId, a: ClientId) -> String {
    let mut out = String::new();
    let mut paths: Vec<String> = [
        "clients", "invoices", "quotes", "payments", "jobs", "projects", "tasks", "requests",
        "products", "files",
    ]
    .iter()
    .map(|r| format!("/{r}?limit=200"))
    .collect();
    paths.push(format!("/clients/{a}/contacts?limit=200"));
    for path in paths {
        let (status, body) = api.call(Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        out.push_str(&format!("{path}: {body}\n"));
    }
    for table in [
        "client",
        "contact",
        "invoice",
        "invoice_line",
        "quote",
        "quote_line",
        "payment",
        "job",
        "visit",
        "project",
        "task",
        "request",
        "request_event",
        "product",
        "file",
        "api_token",
        "staff_user",
        "staff_invite",
        "integration",
        "number_sequence",
    ] {
        let n: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {table} WHERE workspace_id = $1"
        ))
        .bind(ws.get())
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
        out.push_str(&format!("{table}: {n}\n"));
    }
    for sql in [
        "SELECT status FROM visit ORDER BY id",
        "SELECT role FROM staff_user ORDER BY id",
        "SELECT COALESCE(CAST(disabled_at AS TEXT), '-') FROM staff_user ORDER BY id",
        "SELECT COALESCE(CAST(revoked_at AS TEXT), '-') FROM api_token ORDER BY id",
    ] {
        let rows: Vec<String> = sqlx::query_scalar(sql)
            .fetch_all(app.state.store.pool())
            .await
            .unwrap();
        out.push_str(&format!("{sql}: {rows:?}\n"));
    }
    out
}

/// A JSON API caller with one workspace's token.
struct ApiCaller {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl ApiCaller {
    async fn new(app: &TestApp, ws: WorkspaceId) -> Self {
        let (token, hash, prefix) = portico::domain::api_token::generate();
        app.state
            .store
            .create_api_token(ws, "isolation", &hash, &prefix, None, app.now_ms())
            .await
            .unwrap();
        Self {
            client: reqwest::Client::new(),
            base: app.url("/api/v1"),
            token,
        }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// A second workspace with its own owner, signed in, and its own client.
async fn second_workspace(app: &TestApp) -> (WorkspaceId, ClientId, Browser) {
    let store = &app.state.store;
    let other = store
        .create_workspace(
            &NewWorkspace {
                slug: "other",
                name: "Other Trades",
                time_zone: "Europe/London",
                default_currency: "AED",
            },
            app.now_ms(),
        )
        .await
        .unwrap();
    let password = "another long staff password 7";
    let hash = portico::auth::password::hash(password).unwrap();
    store
        .create_staff(
            other,
            &EmailAddress::parse("eve@other.test").unwrap(),
            "Eve Other",
            "owner",
            &hash,
            app.now_ms(),
        )
        .await
        .unwrap();
    let theirs = crate::support::world::client(app, other, "company", "Other Client").await;
    let eve = Browser::new(app);
    let (_, page) = eve.get_text("/staff/login").await;
    let r = eve
        .post_form(
            "/staff/login",
            &[
                ("_csrf", &csrf_of(&page)),
                ("email", "eve@other.test"),
                ("password", password),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    (other, theirs, eve)
}

fn has_id(url: &str) -> bool {
    url.split('?')
        .next()
        .unwrap_or(url)
        .split('/')
        .any(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
}

const FIRST_MARKERS: [&str; 3] = ["ACME", "Acme Facilities", "Birch Holdings"];

#[tokio::test]
async fn a_second_workspace_reads_and_changes_nothing_of_the_first_by_staff_page_or_api() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let r = records::seed(&app, w.ws, w.a, "ACME").await;
    crate::support::world::Documents::seed(&app, &w).await;
    let file = FileId::new();
    app.state
        .store
        .create_file(
            w.ws,
            w.a,
            &NewFile {
                id: file,
                job_id: Some(JobId::from_db(r.job_active)),
                invoice_id: None,
                name: "ACME site plan.pdf",
                content_type: "application/pdf",
                size_bytes: 1234,
                sha256: &"ab".repeat(32),
                storage_key: &format!("k-{file}"),
                uploaded_by: None,
            },
            app.now_ms(),
        )
        .await
        .unwrap();
    let mine = ApiCaller::new(&app, w.ws).await;
    let (_, payments) = mine.call(Method::GET, "/payments", None).await;
    let payment = payments["data"][0]["id"].as_str().unwrap().to_string();
    let (_, contacts) = mine
        .call(Method::GET, &format!("/clients/{}/contacts", w.a), None)
        .await;
    let contact = contacts["data"][0]["id"].as_str().unwrap().to_string();

    // The first workspace's staff pages and forms, found by crawling as its owner.
    let owner = crate::support::world::staff_browser(&app, &w).await;
    let crawl = crate::hostile::crawl(
        &owner,
        "/staff/clients",
        "/staff/",
        &["/logout", "/download"],
    )
    .await;
    for kind in [
        "clients",
        "contacts",
        "invoices",
        "quotes",
        "jobs",
        "projects",
        "tasks",
        "requests",
        "files",
        "catalogue",
    ] {
        let prefix = format!("/staff/{kind}/");
        assert!(
            crawl
                .pages
                .keys()
                .chain(crawl.forms.iter().map(|f| &f.action))
                .any(|u| u.starts_with(&prefix) && has_id(u)),
            "the crawl reached a {kind} record: {:?}",
            crawl.pages.keys()
        );
    }

    let (other, theirs, eve) = second_workspace(&app).await;
    let theirs_api = ApiCaller::new(&app, other).await;
    let before = snapshot(&app, &mine, w.ws, w.a).await;

    // Staff: every page of the first with an id is 404, every list shows none of it.
    let mut pages: Vec<String> = crawl.pages.keys().cloned().collect();
    pages.push(format!("/staff/files/{file}/download"));
    pages.push(format!("/staff/invoices/{}/pdf", r.invoice_sent));
    pages.push(format!("/staff/quotes/{}/pdf", r.quote_sent));
    pages.push(format!("/staff/audit?client={}", w.a));
    pages.push(format!("/staff/audit?client_id={}", w.a));
    for url in &pages {
        let resp = eve.get(url).await;
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        if has_id(url.split('?').next().unwrap()) {
            assert_eq!(status, StatusCode::NOT_FOUND, "GET {url}");
        } else {
            assert!(!status.is_server_error(), "GET {url}: {status}");
        }
        for marker in FIRST_MARKERS {
            assert!(!body.contains(marker), "{url} showed {marker}");
        }
    }
    let (_, page) = eve.get_text("/staff/clients").await;
    let csrf = csrf_of(&page);
    let mut posted = 0;
    for form in crawl.forms.iter().filter(|f| has_id(&f.action)) {
        let fields: Vec<(String, String)> = form
            .fields
            .iter()
            .map(|(n, v)| {
                let v = if n == "_csrf" {
                    csrf.clone()
                } else {
                    v.clone()
                };
                (n.clone(), v)
            })
            .collect();
        let resp = if form.multipart {
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let (ct, body) = crate::staff_uploads::multipart(
                &pairs,
                Some(("mine.txt", b"plain text".as_slice())),
            );
            eve.client
                .post(format!("{}{}", eve.base, form.action))
                .header("content-type", ct)
                .body(body)
                .send()
                .await
                .unwrap()
        } else {
            eve.client
                .post(format!("{}{}", eve.base, form.action))
                .form(&fields)
                .send()
                .await
                .unwrap()
        };
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "POST {}", form.action);
        posted += 1;
    }
    assert!(posted >= 15, "posted {posted} forms");
    for (action, fields) in [
        (
            format!("/staff/files/{file}/rename"),
            vec![("name", "mine.pdf")],
        ),
        (format!("/staff/files/{file}/remove"), vec![]),
        (format!("/staff/invoices/{}/void", r.invoice_sent), vec![]),
        (
            format!("/staff/quotes/{}/decision", r.quote_sent),
            vec![("decision", "accepted")],
        ),
    ] {
        let mut form = vec![("_csrf", csrf.as_str())];
        form.extend(fields);
        let resp = eve.post_form(&action, &form).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "POST {action}");
    }

    // API: every resource of the first is 404 on read and on write.
    let client = w.a.to_string();
    let own_client = theirs.to_string();
    let doc = |client: &str, last_day: &str| {
        json!({
            "client_id": client, "title": "Mine now", "issue_date": "2026-03-01",
            last_day: "2026-03-31", "currency": "AED",
            "lines": [{"description": "Work", "quantity": "1", "unit_price": "10.00", "tax_rate_percent": "0"}],
        })
    };
    let reads = [
        format!("/clients/{client}"),
        format!("/clients/{client}/contacts"),
        format!("/invoices/{}", r.invoice_sent),
        format!("/quotes/{}", r.quote_sent),
        format!("/payments/{payment}"),
        format!("/jobs/{}", r.job_active),
        format!("/projects/{}", r.project),
        format!("/tasks/{}", r.task_shared),
        format!("/requests/{}", r.request),
        format!("/products/{}", r.product_visible),
        format!("/files/{file}"),
    ];
    for path in &reads {
        let (status, body) = theirs_api.call(Method::GET, path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "GET {path}: {body}");
        assert_eq!(body["code"], "not_found", "GET {path}");
    }
    let writes: Vec<(Method, String, Option<Value>)> = vec![
        (
            Method::PATCH,
            format!("/clients/{client}"),
            Some(json!({"name": "Mine now"})),
        ),
        (Method::POST, format!("/clients/{client}/archive"), None),
        (
            Method::POST,
            format!("/clients/{client}/contacts"),
            Some(json!({"first_name": "Eve"})),
        ),
        (
            Method::PATCH,
            format!("/clients/{client}/contacts/{contact}"),
            Some(json!({"role": "x"})),
        ),
        (
            Method::PATCH,
            format!("/clients/{own_client}/contacts/{contact}"),
            Some(json!({"role": "x"})),
        ),
        (
            Method::DELETE,
            format!("/clients/{client}/contacts/{contact}"),
            None,
        ),
        (
            Method::PUT,
            format!("/clients/{client}/portal"),
            Some(json!({"enabled": false})),
        ),
        (
            Method::POST,
            format!("/clients/{client}/portal/regenerate"),
            None,
        ),
        (
            Method::PUT,
            format!("/invoices/{}", r.invoice_draft),
            Some(doc(&own_client, "due_date")),
        ),
        (
            Method::POST,
            format!("/invoices/{}/send", r.invoice_draft),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/invoices/{}/void", r.invoice_sent),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/invoices/{}/payments", r.invoice_sent),
            Some(json!({"method": "cash", "amount": "1.00", "received_on": "2026-03-02"})),
        ),
        (
            Method::PUT,
            format!("/quotes/{}", r.quote_draft),
            Some(doc(&own_client, "valid_until")),
        ),
        (
            Method::POST,
            format!("/quotes/{}/send", r.quote_draft),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/quotes/{}/decision", r.quote_sent),
            Some(json!({"decision": "accepted"})),
        ),
        (
            Method::PATCH,
            format!("/jobs/{}", r.job_active),
            Some(json!({"title": "Mine now"})),
        ),
        (
            Method::PATCH,
            format!("/projects/{}", r.project),
            Some(json!({"name": "Mine now"})),
        ),
        (
            Method::PATCH,
            format!("/tasks/{}", r.task_shared),
            Some(json!({"title": "Mine now"})),
        ),
        (
            Method::PATCH,
            format!("/products/{}", r.product_visible),
            Some(json!({"name": "Mine now"})),
        ),
        (
            Method::POST,
            format!("/products/{}/archive", r.product_visible),
            None,
        ),
        (
            Method::PATCH,
            format!("/files/{file}"),
            Some(json!({"name": "mine.pdf"})),
        ),
        (Method::DELETE, format!("/files/{file}"), None),
    ];
    for (method, path, body) in writes {
        let (status, answer) = theirs_api.call(method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {answer}");
        assert_eq!(answer["code"], "not_found", "{method} {path}");
    }
    // The second workspace's own records cannot point at the first's.
    let with_their_product = |last_day: &str| {
        let mut body = doc(&own_client, last_day);
        body["lines"][0]["product_id"] = json!(r.product_visible.to_string());
        body
    };
    let (_, job) = theirs_api
        .call(
            Method::POST,
            "/jobs",
            Some(json!({"client_id": own_client, "title": "Own job", "status": "draft"})),
        )
        .await;
    let own_job = job["id"].as_str().map(String::from);
    let mut refused = vec![
        // Creating against the first's client.
        (
            Method::POST,
            "/invoices".to_string(),
            doc(&client, "due_date"),
            "client_id",
        ),
        (
            Method::POST,
            "/quotes".to_string(),
            doc(&client, "valid_until"),
            "client_id",
        ),
        (
            Method::POST,
            "/jobs".to_string(),
            json!({"client_id": client, "title": "Mine", "status": "draft"}),
            "client_id",
        ),
        (
            Method::POST,
            "/projects".to_string(),
            json!({"client_id": client, "name": "Mine", "status": "planned"}),
            "client_id",
        ),
        (
            Method::POST,
            "/tasks".to_string(),
            json!({"client_id": client, "title": "Mine"}),
            "client_id",
        ),
        (
            Method::POST,
            "/invoices".to_string(),
            with_their_product("due_date"),
            "lines[0].product_id",
        ),
        (
            Method::POST,
            "/quotes".to_string(),
            with_their_product("valid_until"),
            "lines[0].product_id",
        ),
        (
            Method::POST,
            "/tasks".to_string(),
            json!({"client_id": own_client, "title": "Mine", "project_id": r.project.to_string()}),
            "project_id",
        ),
        (
            Method::POST,
            "/tasks".to_string(),
            json!({"client_id": own_client, "title": "Mine", "job_id": r.job_active.to_string()}),
            "job_id",
        ),
    ];
    if let Some(job) = own_job {
        refused.push((
            Method::PATCH,
            format!("/jobs/{job}"),
            json!({"project_id": r.project.to_string()}),
            "project_id",
        ));
    }
    let theirs_count = || async {
        let mut n = Vec::new();
        for table in ["invoice", "quote", "job", "project", "task"] {
            let c: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM {table} WHERE workspace_id = $1"
            ))
            .bind(other.get())
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
            n.push(c);
        }
        n
    };
    let theirs_before = theirs_count().await;
    // An id in a body that is not the workspace's is one answer everywhere: 422 naming it.
    for (method, path, body, field) in refused {
        let (status, answer) = theirs_api.call(method.clone(), &path, Some(body)).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {path}: {answer}"
        );
        assert_eq!(answer["code"], "validation_failed", "{method} {path}");
        assert_eq!(answer["field"], field, "{method} {path}: {answer}");
    }
    assert_eq!(
        theirs_count().await,
        theirs_before,
        "a refused create stored nothing"
    );
    assert_eq!(
        snapshot(&app, &mine, w.ws, w.a).await,
        before,
        "the first workspace changed"
    );
}
