//! Files in the portal: the Files section, downloads (exact bytes, RFC 5987 names,
//! Range, headers, audit) and everything a client must not reach.

use bytes::Bytes;
use percent_encoding::percent_decode_str;
use portico::files::{storage_key, FileStore};
use portico::ids::{ClientId, FileId, InvoiceId, JobId, WorkspaceId};
use portico::store::files::NewFile;
use portico::store::work::NewJob;
use reqwest::{Method, StatusCode};

use crate::support::http::Browser;
use crate::support::world::{self, World};
use crate::support::TestApp;

pub const UGODA: &str = "Угода №5 — план.pdf";
const FATURA: &str = "فاتورة.pdf";
const PHOTOS: &str = "Site photos (before).png";

#[derive(Clone, Copy)]
pub enum On {
    Job(JobId),
    Invoice(InvoiceId),
}

/// Stores `bytes` the way the product does (generated key) and records the file.
pub async fn attach(
    app: &TestApp,
    ws: WorkspaceId,
    client: ClientId,
    on: On,
    name: &str,
    bytes: &[u8],
) -> FileId {
    attach_to(app, &app.state.files, ws, client, on, name, bytes).await
}

/// [`attach`], with the bytes in `files` (another instance's store).
pub async fn attach_to(
    app: &TestApp,
    files: &FileStore,
    ws: WorkspaceId,
    client: ClientId,
    on: On,
    name: &str,
    bytes: &[u8],
) -> FileId {
    let id = FileId::new();
    let key = storage_key(ws, id);
    files
        .put(&key, Bytes::copy_from_slice(bytes))
        .await
        .unwrap();
    let (job_id, invoice_id) = match on {
        On::Job(j) => (Some(j), None),
        On::Invoice(i) => (None, Some(i)),
    };
    let sha = portico::crypto::sha256_hex(bytes);
    let new = NewFile {
        id,
        job_id,
        invoice_id,
        name,
        content_type: portico::domain::files::content_type_for(name),
        size_bytes: bytes.len() as i64,
        sha256: &sha,
        storage_key: &key,
        uploaded_by: None,
    };
    app.state
        .store
        .create_file(ws, client, &new, app.now_ms())
        .await
        .unwrap()
}

pub async fn job(
    app: &TestApp,
    ws: WorkspaceId,
    client: ClientId,
    status: &str,
) -> (JobId, String) {
    let new = NewJob {
        project_id: None,
        title: "Chiller replacement",
        description: "",
        status,
        site_address: "1 Test Street",
        scheduled_start: None,
        scheduled_end: None,
        internal_notes: "",
    };
    let id = app
        .state
        .store
        .create_job(ws, client, &new, app.now_ms())
        .await
        .unwrap();
    let (number,): (String,) = sqlx::query_as("SELECT number FROM job WHERE id = $1")
        .bind(id.get())
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    (id, number)
}

/// Bytes that are not text, so any re-encoding would show.
pub fn sample(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

struct Seeded {
    w: World,
    job_number: String,
    job: JobId,
    invoice_number: String,
    invoice: InvoiceId,
    ugoda: FileId,
    ugoda_bytes: Vec<u8>,
    fatura: FileId,
    photos: FileId,
    /// Files Ann must never see, by why.
    hidden: Vec<(&'static str, FileId)>,
}

async fn seed(app: &TestApp) -> Seeded {
    let w = World::seed(app).await;
    let (a_job, job_number) = job(app, w.ws, w.a, "in_progress").await;
    let (a_draft_job, _) = job(app, w.ws, w.a, "draft").await;
    let (a_archived_job, _) = job(app, w.ws, w.a, "completed").await;
    let (a_inv, invoice_number) = world::invoice(app, w.ws, w.a, "sent", 10, "AED", 50_000).await;
    let (a_draft, _) = world::invoice(app, w.ws, w.a, "draft", 10, "AED", 50_000).await;
    let (a_void, _) = world::invoice(app, w.ws, w.a, "void", 10, "AED", 50_000).await;
    let (a_deleted_inv, _) = world::invoice(app, w.ws, w.a, "sent", 10, "AED", 50_000).await;
    let (b_inv, _) = world::invoice(app, w.ws, w.b, "sent", 10, "USD", 50_000).await;

    let ugoda_bytes = sample(5000, 7);
    let ugoda = attach(app, w.ws, w.a, On::Job(a_job), UGODA, &ugoda_bytes).await;
    app.clock.advance(jiff::SignedDuration::from_secs(60));
    let photos = attach(app, w.ws, w.a, On::Job(a_job), PHOTOS, &sample(700, 1)).await;
    app.clock.advance(jiff::SignedDuration::from_secs(60));
    let fatura = attach(app, w.ws, w.a, On::Invoice(a_inv), FATURA, &sample(1536, 3)).await;
    let hidden = vec![
        (
            "draft invoice",
            attach(
                app,
                w.ws,
                w.a,
                On::Invoice(a_draft),
                "Draft-invoice-secret.pdf",
                b"d",
            )
            .await,
        ),
        (
            "void invoice",
            attach(
                app,
                w.ws,
                w.a,
                On::Invoice(a_void),
                "Void-invoice-secret.pdf",
                b"v",
            )
            .await,
        ),
        (
            "draft job",
            attach(
                app,
                w.ws,
                w.a,
                On::Job(a_draft_job),
                "Draft-job-secret.txt",
                b"j",
            )
            .await,
        ),
        (
            "archived job",
            attach(
                app,
                w.ws,
                w.a,
                On::Job(a_archived_job),
                "Archived-job-secret.txt",
                b"a",
            )
            .await,
        ),
        (
            "deleted invoice",
            attach(
                app,
                w.ws,
                w.a,
                On::Invoice(a_deleted_inv),
                "Deleted-invoice-secret.pdf",
                b"x",
            )
            .await,
        ),
        (
            "deleted file",
            attach(
                app,
                w.ws,
                w.a,
                On::Job(a_job),
                "Deleted-file-secret.txt",
                b"f",
            )
            .await,
        ),
        (
            "another client's",
            attach(app, w.ws, w.b, On::Invoice(b_inv), "Birch-secret.pdf", b"b").await,
        ),
    ];
    let pool = app.state.store.pool();
    let now = app.now_ms();
    sqlx::query("UPDATE job SET archived_at = $1 WHERE id = $2")
        .bind(now)
        .bind(a_archived_job.get())
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE invoice SET deleted_at = $1 WHERE id = $2")
        .bind(now)
        .bind(a_deleted_inv.get())
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE file SET deleted_at = $1 WHERE id = $2")
        .bind(now)
        .bind(hidden[5].1.get())
        .execute(pool)
        .await
        .unwrap();
    Seeded {
        w,
        job_number,
        job: a_job,
        invoice_number,
        invoice: a_inv,
        ugoda,
        ugoda_bytes,
        fatura,
        photos,
        hidden,
    }
}

async fn ann(app: &TestApp, s: &Seeded) -> Browser {
    let b = Browser::new(app);
    let r = b.log_in(app, &s.w.a_link(), &s.w.ann_email).await;
    assert_eq!(r.headers()["location"], "/portal/home");
    b
}

fn href(id: FileId) -> String {
    format!("/portal/files/{id}/download")
}

async fn get_with(b: &Browser, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = b.client.get(format!("{}{}", b.base, path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

/// The name a browser saves: `filename*` decoded.
pub fn filename_star(disposition: &str) -> String {
    let encoded = disposition
        .split("filename*=UTF-8''")
        .nth(1)
        .expect("filename* parameter");
    percent_decode_str(encoded.split(';').next().unwrap().trim())
        .decode_utf8()
        .unwrap()
        .into_owned()
}

#[tokio::test]
async fn the_files_section_lists_the_clients_files_grouped_by_record_and_nothing_else() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let b = ann(&app, &s).await;

    let (status, page) = b.get_text("/portal/files").await;

    assert_eq!(status, StatusCode::OK);
    for name in [UGODA, FATURA, PHOTOS] {
        assert!(page.contains(name), "{name} is listed");
    }
    for id in [s.ugoda, s.fatura, s.photos] {
        assert!(page.contains(&href(id)), "download link for {id}");
    }
    // Grouped: the invoice (newest file) first, then the job with both of its files.
    let inv = page
        .find(&format!("href=\"/portal/invoices/{}\"", s.invoice))
        .expect("invoice group links to the invoice");
    let job = page
        .find(&format!("href=\"/portal/jobs/{}\"", s.job))
        .expect("job group links to the job");
    assert!(inv < job);
    assert!(page.contains(&format!("Invoice {}", s.invoice_number)));
    assert!(page.contains(&format!("Job {}", s.job_number)));
    let (photos, ugoda) = (page.find(PHOTOS).unwrap(), page.find(UGODA).unwrap());
    assert!(
        job < photos && photos < ugoda,
        "newest first inside a group"
    );
    assert_eq!(
        page.matches("href=\"/portal/jobs/").count(),
        1,
        "one group per record"
    );
    assert!(
        page.contains("4.9 KB") && page.contains("1.5 KB") && page.contains("700 B"),
        "human sizes"
    );
    assert!(
        page.contains("aria-current=\"page\">Files"),
        "Files is the active section"
    );
    for name in [
        "Draft-invoice",
        "Void-invoice",
        "Draft-job",
        "Archived-job",
        "Deleted-invoice",
        "Deleted-file",
        "Birch",
    ] {
        assert!(!page.contains(name), "{name} must not show");
    }
}

#[tokio::test]
async fn a_client_without_files_sees_a_helpful_empty_state() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let b = Browser::new(&app);
    b.log_in(&app, &w.a_link(), &w.ann_email).await;

    let (status, page) = b.get_text("/portal/files").await;

    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("No files yet — when the team attaches documents to your jobs or invoices, they appear here."));
}

#[tokio::test]
async fn a_download_streams_the_exact_bytes_under_a_name_that_survives_intact() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let b = ann(&app, &s).await;

    let r = b.get(&href(s.ugoda)).await;

    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "private, no-store");
    assert_eq!(h["accept-ranges"], "bytes");
    assert_eq!(h["content-length"], "5000");
    let disposition = h["content-disposition"].to_str().unwrap().to_string();
    assert!(
        disposition.starts_with("attachment; filename=\""),
        "{disposition}"
    );
    assert!(disposition.is_ascii());
    assert_eq!(filename_star(&disposition), UGODA);
    assert_eq!(r.bytes().await.unwrap().as_ref(), s.ugoda_bytes.as_slice());

    let r = b.get(&href(s.fatura)).await;
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(filename_star(&disposition), FATURA);
    assert_eq!(
        r.bytes().await.unwrap().as_ref(),
        sample(1536, 3).as_slice()
    );

    let r = b.get(&href(s.photos)).await;
    assert_eq!(r.headers()["content-type"], "image/png");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.contains("filename=\"Site photos (before).png\""),
        "{disposition}"
    );
}

#[tokio::test]
async fn a_single_range_gets_its_slice_and_anything_unusual_a_clear_answer() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let b = ann(&app, &s).await;
    let path = href(s.ugoda);
    let all = &s.ugoda_bytes;

    let r = get_with(&b, &path, &[("range", "bytes=100-1099")]).await;
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.headers()["content-range"], "bytes 100-1099/5000");
    assert_eq!(r.headers()["content-length"], "1000");
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.bytes().await.unwrap().as_ref(), &all[100..1100]);

    let r = get_with(&b, &path, &[("range", "bytes=4990-")]).await;
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.headers()["content-range"], "bytes 4990-4999/5000");
    assert_eq!(r.bytes().await.unwrap().as_ref(), &all[4990..]);

    let r = get_with(&b, &path, &[("range", "bytes=-5")]).await;
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.headers()["content-range"], "bytes 4995-4999/5000");
    assert_eq!(r.bytes().await.unwrap().as_ref(), &all[4995..]);

    for unsatisfiable in ["bytes=5000-", "bytes=9000-9999", "bytes=-0"] {
        let r = get_with(&b, &path, &[("range", unsatisfiable)]).await;
        assert_eq!(
            r.status(),
            StatusCode::RANGE_NOT_SATISFIABLE,
            "{unsatisfiable}"
        );
        assert_eq!(r.headers()["content-range"], "bytes */5000");
    }

    for ignored in [
        "bytes=abc",
        "bytes=0-1,3-4",
        "lines=1-2",
        "bytes=9-2",
        "bytes=",
    ] {
        let r = get_with(&b, &path, &[("range", ignored)]).await;
        assert_eq!(r.status(), StatusCode::OK, "{ignored}");
        assert_eq!(
            r.bytes().await.unwrap().as_ref(),
            all.as_slice(),
            "{ignored}"
        );
    }

    // A resumed download whose validator no longer matches gets the whole file.
    let etag = b.get(&path).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_string();
    let r = get_with(&b, &path, &[("range", "bytes=10-"), ("if-range", &etag)]).await;
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    let r = get_with(
        &b,
        &path,
        &[("range", "bytes=10-"), ("if-range", "\"stale\"")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn files_the_client_cannot_see_and_malformed_ids_are_not_found() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let b = ann(&app, &s).await;
    let (_, missing_page) = b.get_text(&href(FileId::from_db(424_242))).await;

    let mut paths: Vec<(String, String)> = s
        .hidden
        .iter()
        .map(|(why, id)| (why.to_string(), href(*id)))
        .collect();
    for raw in [
        "abc",
        "-1",
        "0",
        "99999999999999999999",
        "%2e%2e%2f",
        "..%2f..%2fetc%2fpasswd",
        "%252e%252e%252f",
        "C:%5Cx",
        "1.0",
        "%C0%AE%C0%AE",
    ] {
        paths.push((raw.to_string(), format!("/portal/files/{raw}/download")));
    }
    for (why, path) in paths {
        let (status, page) = b.get_text(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{why}: {path}");
        assert_eq!(page, missing_page, "{why}: the same page as a missing file");
    }
    // The same rule holds for the job and invoice pages' lists.
    let store = &app.state.store;
    let scope_b = store.staff_client_scope(s.w.ws, s.w.b).await.unwrap();
    assert!(store
        .portal_job_files(scope_b, s.job)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .portal_invoice_files(scope_b, s.invoice)
        .await
        .unwrap()
        .is_empty());
    let scope_a = store.staff_client_scope(s.w.ws, s.w.a).await.unwrap();
    let job_files: Vec<String> = store
        .portal_job_files(scope_a, s.job)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(job_files, vec![PHOTOS.to_string(), UGODA.to_string()]);
}

#[tokio::test]
async fn signed_out_visitors_are_sent_to_sign_in() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let b = Browser::new(&app);
    for path in ["/portal/files".to_string(), href(s.ugoda)] {
        let r = b.get(&path).await;
        assert!(r.status().is_redirection(), "{path}");
        assert_eq!(r.headers()["location"], "/portal", "{path}");
    }
}

#[tokio::test]
async fn a_download_is_audited_once_and_not_for_every_range_chunk() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let b = ann(&app, &s).await;
    let path = href(s.ugoda);
    let events = || async {
        app.state
            .store
            .audit_events(s.w.ws, "file.downloaded", 50)
            .await
            .unwrap()
    };

    b.get(&path).await.bytes().await.unwrap();
    get_with(&b, &path, &[("range", "bytes=0-99")])
        .await
        .bytes()
        .await
        .unwrap();
    get_with(&b, &path, &[("range", "bytes=100-")])
        .await
        .bytes()
        .await
        .unwrap();
    get_with(&b, &path, &[("range", "bytes=-5")])
        .await
        .bytes()
        .await
        .unwrap();
    let r = b
        .client
        .head(format!("{}{}", b.base, path))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let got = events().await;
    assert_eq!(
        got.len(),
        2,
        "the whole download and the range starting at 0"
    );
    let e = &got[0];
    assert_eq!(e.actor_kind, "contact");
    assert_eq!(e.actor_label, s.w.ann_email);
    assert_eq!(e.subject_kind, "file");
    assert_eq!(e.subject_id, Some(s.ugoda.get()));
    assert_eq!(e.client_id, Some(s.w.a.get()));
    assert_eq!(e.ip, "127.0.0.1");
    assert!(e.detail.contains(UGODA));
}

#[tokio::test]
async fn the_portal_has_no_upload_route() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let b = ann(&app, &s).await;
    let count = || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM file")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
        n
    };
    let before = count().await;
    let (_, page) = b.get_text("/portal/files").await;
    let csrf = crate::support::http::csrf_of(&page);
    for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        for path in [
            "/portal/files".to_string(),
            "/portal/files/x".to_string(),
            "/portal/files/upload".to_string(),
            href(s.ugoda),
        ] {
            let r = b
                .client
                .request(method.clone(), format!("{}{}", b.base, path))
                .header("content-type", "multipart/form-data; boundary=x")
                .body(format!("--x\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.html\"\r\n\r\n<script>1</script>\r\n--x--\r\n"))
                .send()
                .await
                .unwrap();
            assert!(
                matches!(
                    r.status(),
                    StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
                ),
                "{method} {path}: {}",
                r.status()
            );
        }
    }
    assert_eq!(count().await, before, "nothing was stored");
}

#[tokio::test]
async fn recording_a_file_checks_its_record_and_keeps_only_allowed_types() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let (a_job, _) = job(&app, w.ws, w.a, "scheduled").await;
    let (b_inv, _) = world::invoice(&app, w.ws, w.b, "sent", 10, "USD", 1_000).await;
    let store = &app.state.store;
    let sha = portico::crypto::sha256_hex(b"x");
    let new = |name: &'static str,
               job: Option<JobId>,
               invoice: Option<InvoiceId>,
               content_type: &'static str| NewFile {
        id: FileId::new(),
        job_id: job,
        invoice_id: invoice,
        name,
        content_type,
        size_bytes: 1,
        sha256: &sha,
        storage_key: "ws/1/1",
        uploaded_by: None,
    };
    let now = app.now_ms();

    // Another client's invoice, or both or neither record: refused.
    let err = store
        .create_file(
            w.ws,
            w.a,
            &new("a.pdf", None, Some(b_inv), "application/pdf"),
            now,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, portico::store::StoreError::NotFound), "{err}");
    let both = store
        .create_file(
            w.ws,
            w.a,
            &new("a.pdf", Some(a_job), Some(b_inv), "application/pdf"),
            now,
        )
        .await;
    assert!(matches!(both, Err(portico::store::StoreError::Conflict(_))));
    let neither = store
        .create_file(w.ws, w.a, &new("a.pdf", None, None, "application/pdf"), now)
        .await;
    assert!(matches!(
        neither,
        Err(portico::store::StoreError::Conflict(_))
    ));

    // A claimed type that is not the allow-listed one for the name is not kept.
    let html = store
        .create_file(
            w.ws,
            w.a,
            &new("../../x.html", Some(a_job), None, "text/html"),
            now,
        )
        .await
        .unwrap();
    let (name, content_type): (String, String) =
        sqlx::query_as("SELECT name, content_type FROM file WHERE id = $1")
            .bind(html.get())
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(
        (name.as_str(), content_type.as_str()),
        ("x.html", "application/octet-stream")
    );
}

/// The whole path in a real browser: sign in with the emailed code, open Files, click
/// the Cyrillic-named file; Chromium saves it under exactly that name with the same bytes.
#[tokio::test]
async fn a_contact_downloads_a_file_in_a_real_browser_and_gets_its_exact_name_and_bytes() {
    use fantoccini::Locator;
    use std::time::Duration;

    use crate::support::chrome::{portal_sign_in, Chrome, Server};

    // Arrange: the built binary serves the test database; the file's bytes go into its store.
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let (a_job, _) = job(&app, w.ws, w.a, "in_progress").await;
    let server = Server::start(&app.database_url, &app.smtp.url()).await;
    let server_files = FileStore::local(&server.data_dir.join("files")).unwrap();
    let bytes = sample(20_000, 9);
    attach_to(
        &app,
        &server_files,
        w.ws,
        w.a,
        On::Job(a_job),
        UGODA,
        &bytes,
    )
    .await;
    let downloads = tempfile::tempdir().unwrap();
    let chrome = Chrome::with_downloads(downloads.path()).await;
    let c = &chrome.client;

    // Act: sign in as a person would, then click the file's link on the Files page.
    portal_sign_in(c, &app, &server.base, &w.a_link(), &w.ann_email).await;
    c.goto(&format!("{}/portal/files", server.base))
        .await
        .unwrap();
    chrome.screenshot("portal-files").await;
    c.find(Locator::LinkText(UGODA))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // Assert: the saved file has the exact name and bytes.
    let saved = downloads.path().join(UGODA);
    let mut got = None;
    for _ in 0..200 {
        let names: Vec<String> = std::fs::read_dir(downloads.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect();
        if names.iter().any(|n| n == UGODA) && !names.iter().any(|n| n.ends_with(".crdownload")) {
            got = Some(std::fs::read(&saved).unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let names: Vec<_> = std::fs::read_dir(downloads.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    let got = got.unwrap_or_else(|| panic!("no {UGODA} in the download folder; it has {names:?}"));
    assert_eq!(names.len(), 1, "{names:?}");
    assert_eq!(got, bytes);
    c.clone().close().await.unwrap();
}

#[tokio::test]
async fn the_demo_attaches_real_files_that_the_first_showcase_contact_can_download() {
    let app = TestApp::spawn().await;
    let lines = portico::demo::load(&app.state).await.unwrap();
    let (files, clients): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT client_id) FROM file")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
    assert!(
        files >= 10 && clients >= 4,
        "{files} files for {clients} clients"
    );
    portico::demo::load(&app.state).await.unwrap();
    let (again,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM file")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(again, files, "loading again adds nothing");

    let first = lines.iter().find(|l| l.starts_with("portal: ")).unwrap();
    let parts: Vec<&str> = first.split(' ').collect();
    let b = Browser::new(&app);
    b.log_in(&app, parts[1].trim_start_matches(&app.base), parts[2])
        .await;
    let (status, page) = b.get_text("/portal/files").await;
    assert_eq!(status, StatusCode::OK);
    for name in [UGODA, FATURA, PHOTOS, "Meter readings.csv"] {
        assert!(page.contains(name), "{name}");
    }
    assert!(
        !page.contains("Draft costing"),
        "the draft invoice's file never shows"
    );

    // Every listed file downloads with the stored length and a real header.
    let hrefs: Vec<&str> = page
        .split("href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .filter(|h| h.ends_with("/download"))
        .collect();
    assert_eq!(hrefs.len(), 4);
    for h in hrefs {
        let r = b.get(h).await;
        assert_eq!(r.status(), StatusCode::OK, "{h}");
        let content_type = r.headers()["content-type"].to_str().unwrap().to_string();
        let body = r.bytes().await.unwrap();
        match content_type.as_str() {
            "application/pdf" => {
                assert!(body.starts_with(b"%PDF-1.4") && body.ends_with(b"%%EOF\n"))
            }
            "image/png" => assert!(body.starts_with(b"\x89PNG\r\n\x1a\n")),
            "text/csv; charset=utf-8" => assert!(body.starts_with(b"date,meter,reading_kwh\n")),
            other => panic!("{h}: unexpected type {other}"),
        }
    }
}

#[tokio::test]
async fn the_files_section_pages_newest_first() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let (inv, _) = world::invoice(&app, w.ws, w.a, "sent", 10, "AED", 50_000).await;
    for i in 0..55 {
        attach(
            &app,
            w.ws,
            w.a,
            On::Invoice(inv),
            &format!("Report {i:02}.pdf"),
            b"%PDF-1.4 x",
        )
        .await;
    }
    let b = Browser::new(&app);
    b.log_in(&app, &w.a_link(), &w.ann_email).await;
    let (_, first) = b.get_text("/portal/files").await;
    assert!(
        first.contains("Report 54.pdf")
            && first.contains("Report 05.pdf")
            && !first.contains("Report 04.pdf")
    );
    let marker = "href=\"/portal/files?after=";
    let start = first.find(marker).expect("an Older link") + "href=\"".len();
    let next = first[start..].split('"').next().unwrap().to_string();
    let (status, second) = b.get_text(&next).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        second.contains("Report 04.pdf")
            && second.contains("Report 00.pdf")
            && !second.contains("Report 05.pdf")
    );
    assert_eq!(
        b.get("/portal/files?after=nonsense").await.status(),
        StatusCode::BAD_REQUEST
    );
}

/// Staff remove a file (row, then bytes) after the portal has looked it up and before it
/// reads the bytes: the client gets the 404 of any removed file, not a server error. The
/// download is held at its audit entry (the database's write lock, or on PostgreSQL a
/// lock on the audit table) while the removal happens. A file whose bytes are gone while
/// its row is live is still the server's fault (500).
#[tokio::test]
async fn a_file_removed_while_its_download_starts_is_not_found() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let (j, _) = job(&app, w.ws, w.a, "in_progress").await;
    let b = Browser::new(&app);
    b.log_in(&app, &w.a_link(), &w.ann_email).await;
    let id = attach(&app, w.ws, w.a, On::Job(j), "report.pdf", &sample(1000, 1)).await;
    let store = &app.state.store;
    let mut tx = store.pool().begin().await.unwrap();
    if store.backend() == portico::store::Backend::Postgres {
        sqlx::query("LOCK TABLE audit_event IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await
            .unwrap();
    } else {
        sqlx::query("UPDATE workspace SET name = name WHERE id = $1")
            .bind(w.ws.get())
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    let request = b.client.get(format!("{}{}", b.base, href(id))).send();
    let download = tokio::spawn(async move { request.await.unwrap().status() });
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    sqlx::query("UPDATE file SET deleted_at = $1 WHERE id = $2")
        .bind(app.now_ms())
        .bind(id.get())
        .execute(&mut *tx)
        .await
        .unwrap();
    app.state
        .files
        .remove(&storage_key(w.ws, id))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(download.await.unwrap(), StatusCode::NOT_FOUND);

    let live = attach(&app, w.ws, w.a, On::Job(j), "gone.pdf", b"bytes").await;
    app.state
        .files
        .remove(&storage_key(w.ws, live))
        .await
        .unwrap();
    let (status, _) = b.get_text(&href(live)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
}
