//! Staff attaching files to jobs and invoices (SPEC §7, issue #4 item 5): the upload
//! streams to the file store and shows in that client's portal only, byte for byte;
//! an oversize or mislabelled upload stores nothing; rename and remove reach the portal
//! at once; CSRF and workspace checks; and the whole path in a real browser.

use portico::ids::{ClientId, JobId, WorkspaceId};
use reqwest::StatusCode;

use crate::files::{job, sample};
use crate::support::http::{csrf_of, Browser};
use crate::support::world::{self, staff_browser, World};
use crate::support::{Options, TestApp};

/// A PDF-looking file of `len` bytes (the upload checks the first bytes against the name).
pub fn pdf(len: usize, seed: u8) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend(sample(len - bytes.len(), seed));
    bytes
}

/// A multipart body with the text fields first, then the file, as a browser sends it.
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----porticotestboundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    if let Some((filename, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Uploads through the client record page's form, as staff do.
pub async fn upload(
    staff: &Browser,
    client: ClientId,
    target: &str,
    name: &str,
    bytes: &[u8],
) -> reqwest::Response {
    let (status, page) = staff.get_text(&format!("/staff/clients/{client}")).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&page);
    let back = format!("/staff/clients/{client}");
    post_upload(
        staff,
        client,
        &[("_csrf", &csrf), ("target", target), ("back", &back)],
        Some((name, bytes)),
    )
    .await
}

pub async fn post_upload(
    staff: &Browser,
    client: ClientId,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> reqwest::Response {
    let (content_type, body) = multipart(fields, file);
    staff
        .client
        .post(format!("{}/staff/clients/{client}/files", staff.base))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

pub async fn file_rows(app: &TestApp) -> Vec<(i64, String, i64, Option<i64>)> {
    sqlx::query_as("SELECT id, name, size_bytes, deleted_at FROM file ORDER BY id")
        .fetch_all(app.state.store.pool())
        .await
        .unwrap()
}

/// Every regular file under the app's file store folder (staging files included).
pub fn stored_objects(app: &TestApp) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&app.state.config.data_dir.join("files"), &mut out);
    out
}

async fn portal(app: &TestApp, link: &str, email: &str) -> Browser {
    let b = Browser::new(app);
    let r = b.log_in(app, link, email).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    b
}

async fn audit_actions(app: &TestApp, ws: WorkspaceId) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_event WHERE workspace_id = $1 ORDER BY at, id")
        .bind(ws.get())
        .fetch_all(app.state.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn an_uploaded_file_is_in_that_clients_portal_only_and_downloads_byte_identical() {
    // Arrange
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let (a_job, a_job_number) = job(&app, w.ws, w.a, "in_progress").await;
    let staff = staff_browser(&app, &w).await;
    let bytes = pdf(300_000, 3);

    // Act
    let r = upload(
        &staff,
        w.a,
        &format!("job:{a_job}"),
        "Survey — план.pdf",
        &bytes,
    )
    .await;

    // Assert: back to the record, which lists the file.
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        format!("/staff/clients/{}?notice=file-uploaded", w.a).as_str()
    );
    let (_, record) = staff.get_text(&format!("/staff/clients/{}", w.a)).await;
    assert!(record.contains("Survey — план.pdf"), "{record}");
    let rows = file_rows(&app).await;
    assert_eq!(rows.len(), 1);
    let file_id = rows[0].0;
    assert_eq!(rows[0].2, bytes.len() as i64);
    let (content_type, sha, uploaded_by): (String, String, Option<i64>) =
        sqlx::query_as("SELECT content_type, sha256, uploaded_by FROM file WHERE id = $1")
            .bind(file_id)
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
    assert_eq!(content_type, "application/pdf");
    assert_eq!(sha, portico::crypto::sha256_hex(&bytes));
    assert_eq!(uploaded_by, Some(w.staff.get()));
    assert!(audit_actions(&app, w.ws)
        .await
        .contains(&"file.uploaded".to_string()));

    // The client's portal lists it on the job and serves the exact bytes.
    let ann = portal(&app, &w.a_link(), &w.ann_email).await;
    let (_, files) = ann.get_text("/portal/files").await;
    assert!(
        files.contains("Survey — план.pdf") && files.contains(&a_job_number),
        "{files}"
    );
    let (_, job_page) = ann.get_text(&format!("/portal/jobs/{a_job}")).await;
    assert!(job_page.contains("Survey — план.pdf"));
    let got = ann.get(&format!("/portal/files/{file_id}/download")).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.unwrap().as_ref(), bytes.as_slice());

    // Another client's contact sees nothing of it.
    let bob = portal(&app, &format!("/portal/{}", w.b_key), &w.bob_email).await;
    let (_, b_files) = bob.get_text("/portal/files").await;
    assert!(!b_files.contains("Survey"), "{b_files}");
    assert_eq!(
        bob.get(&format!("/portal/files/{file_id}/download"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_upload_over_the_limit_is_refused_with_a_clear_message_and_nothing_stored() {
    let app = TestApp::spawn_with(Options {
        max_upload_mib: Some("1".into()),
        ..Options::default()
    })
    .await;
    let w = World::seed(&app).await;
    let (a_job, _) = job(&app, w.ws, w.a, "in_progress").await;
    let staff = staff_browser(&app, &w).await;

    let r = upload(
        &staff,
        w.a,
        &format!("job:{a_job}"),
        "big.pdf",
        &pdf(1024 * 1024 + 1, 1),
    )
    .await;

    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let page = r.text().await.unwrap();
    assert!(page.contains("larger than the 1.0 MB limit"), "{page}");
    assert!(page.contains("Nothing was stored"));
    assert!(file_rows(&app).await.is_empty());
    assert_eq!(stored_objects(&app), Vec::<std::path::PathBuf>::new());
    // Exactly the limit is fine.
    let r = upload(
        &staff,
        w.a,
        &format!("job:{a_job}"),
        "fits.pdf",
        &pdf(1024 * 1024, 1),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(file_rows(&app).await.len(), 1);
}

#[tokio::test]
async fn a_file_whose_contents_do_not_match_its_name_or_has_no_target_stores_nothing() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let (a_job, _) = job(&app, w.ws, w.a, "in_progress").await;
    let staff = staff_browser(&app, &w).await;
    let target = format!("job:{a_job}");

    let r = upload(
        &staff,
        w.a,
        &target,
        "invoice.pdf",
        b"<html><script>alert(1)</script></html>",
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("not a PDF document"));

    let r = upload(&staff, w.a, "quote:1", "plan.pdf", &pdf(100, 1)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Attach to"));

    let r = upload(&staff, w.a, &target, "", &pdf(100, 1)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Without the form's token nothing is read into the store.
    let r = post_upload(
        &staff,
        w.a,
        &[("target", &target)],
        Some(("plan.pdf", &pdf(100, 1))),
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // An unknown type is kept, as a download of unknown type.
    let r = upload(&staff, w.a, &target, "page.html", b"<html></html>").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let types: Vec<String> = sqlx::query_scalar("SELECT content_type FROM file")
        .fetch_all(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(types, vec!["application/octet-stream".to_string()]);
    assert_eq!(stored_objects(&app).len(), 1);
}

#[tokio::test]
async fn renaming_and_removing_a_file_shows_in_the_portal_at_once() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let (invoice, _) = world::invoice(&app, w.ws, w.a, "sent", 10, "AED", 10_000).await;
    let staff = staff_browser(&app, &w).await;
    let r = upload(
        &staff,
        w.a,
        &format!("invoice:{invoice}"),
        "scan.pdf",
        &pdf(5_000, 2),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let file_id = file_rows(&app).await[0].0;
    let ann = portal(&app, &w.a_link(), &w.ann_email).await;
    let (_, before) = ann.get_text(&format!("/portal/invoices/{invoice}")).await;
    assert!(before.contains("scan.pdf"), "{before}");

    // Rename: a blank name is refused and changes nothing.
    let (_, record) = staff.get_text(&format!("/staff/clients/{}", w.a)).await;
    let csrf = csrf_of(&record);
    let rename = format!("/staff/files/{file_id}/rename");
    let r = staff
        .post_form(&rename, &[("_csrf", &csrf), ("name", "  ")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Name: cannot be empty"));
    assert_eq!(file_rows(&app).await[0].1, "scan.pdf");
    let r = staff
        .post_form(
            &rename,
            &[("_csrf", &csrf), ("name", "Signed delivery note.pdf")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, files) = ann.get_text("/portal/files").await;
    assert!(files.contains("Signed delivery note.pdf") && !files.contains("scan.pdf"));
    let got = ann.get(&format!("/portal/files/{file_id}/download")).await;
    let disposition = got.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.contains("Signed%20delivery%20note.pdf"),
        "{disposition}"
    );

    // Remove asks first (the contents are deleted) and changes nothing until confirmed.
    let remove = format!("/staff/files/{file_id}/remove");
    let r = staff.post_form(&remove, &[("_csrf", &csrf)]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let confirm_page = r.text().await.unwrap();
    assert!(confirm_page.contains("cannot be undone"), "{confirm_page}");
    assert_eq!(stored_objects(&app).len(), 1);
    assert!(file_rows(&app).await[0].3.is_none());
    // Confirmed: gone from the portal, the download is a 404, the bytes are deleted.
    let r = staff
        .post_form(&remove, &[("_csrf", &csrf), ("confirm", "yes")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, files) = ann.get_text("/portal/files").await;
    assert!(!files.contains("Signed delivery note.pdf"));
    assert_eq!(
        ann.get(&format!("/portal/files/{file_id}/download"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert!(stored_objects(&app).is_empty());
    let rows = file_rows(&app).await;
    assert!(rows[0].3.is_some(), "kept as a tombstone for the audit log");
    let actions = audit_actions(&app, w.ws).await;
    for action in ["file.uploaded", "file.renamed", "file.removed"] {
        assert!(
            actions.contains(&action.to_string()),
            "{action} in {actions:?}"
        );
    }
    // Removing it again finds nothing.
    let r = staff
        .post_form(
            &format!("/staff/files/{file_id}/remove"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_workspaces_clients_records_and_files_are_not_found() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let store = &app.state.store;
    let other_ws = store
        .create_workspace(
            &portico::store::workspaces::NewWorkspace {
                slug: "other",
                name: "Other Co",
                time_zone: "UTC",
                default_currency: "USD",
            },
            app.now_ms(),
        )
        .await
        .unwrap();
    let other_client = world::client(&app, other_ws, "company", "Elsewhere Ltd").await;
    let (other_job, _): (JobId, _) = job(&app, other_ws, other_client, "in_progress").await;
    let other_file = crate::files::attach(
        &app,
        other_ws,
        other_client,
        crate::files::On::Job(other_job),
        "theirs.pdf",
        &pdf(100, 1),
    )
    .await;
    let staff = staff_browser(&app, &w).await;
    let (_, page) = staff.get_text(&format!("/staff/clients/{}", w.a)).await;
    let csrf = csrf_of(&page);

    let target = format!("job:{other_job}");
    let fields = [("_csrf", csrf.as_str()), ("target", target.as_str())];
    let file = Some(("x.pdf", &b"%PDF-1.4"[..]));
    let r = post_upload(&staff, other_client, &fields, file).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = post_upload(&staff, w.a, &fields, file).await;
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "their job under our client"
    );
    // Our own client's record with B's job is no target either.
    let (b_job, _) = job(&app, w.ws, w.b, "in_progress").await;
    let b_target = format!("job:{b_job}");
    let r = post_upload(
        &staff,
        w.a,
        &[("_csrf", &csrf), ("target", &b_target)],
        file,
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    for path in [
        format!("/staff/files/{other_file}/rename"),
        format!("/staff/files/{other_file}/remove"),
    ] {
        let r = staff
            .post_form(&path, &[("_csrf", &csrf), ("name", "mine.pdf")])
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        staff
            .get(&format!("/staff/files/{other_file}/download"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let rows = file_rows(&app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].1.as_str(), rows[0].3), ("theirs.pdf", None));
}

/// The whole path in real browsers: staff sign in, attach a file to a job from the
/// client's record; the client signs in with an emailed code and downloads it.
#[tokio::test]
async fn staff_attach_a_file_to_a_job_in_a_real_browser_and_the_client_downloads_it() {
    use crate::support::chrome::{
        portal_sign_in, staff_sign_in, wait_for_download, Chrome, Server,
    };
    use fantoccini::Locator;
    use std::time::Duration;

    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let (a_job, a_job_number) = job(&app, w.ws, w.a, "in_progress").await;
    let server = Server::start(&app.database_url, &app.smtp.url()).await;
    let name = "Commissioning report.pdf";
    let bytes = pdf(70_000, 5);
    let uploads = tempfile::tempdir().unwrap();
    let upload_path = uploads.path().join(name);
    std::fs::write(&upload_path, &bytes).unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let chrome = Chrome::with_downloads(downloads.path()).await;
    let c = &chrome.client;

    // Staff: sign in, open the client, choose the job, pick the file, upload.
    staff_sign_in(c, &server.base, &w.staff_email, &w.staff_password).await;
    c.goto(&format!("{}/staff/clients/{}", server.base, w.a))
        .await
        .unwrap();
    let option = format!("//select[@id='file-target']/option[@value='job:{a_job}']");
    c.find(Locator::XPath(&option))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("file-upload"))
        .await
        .unwrap()
        .send_keys(&upload_path.display().to_string())
        .await
        .unwrap();
    c.find(Locator::XPath("//button[normalize-space()='Upload file']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..100 {
        if c.current_url().await.unwrap().query() == Some("notice=file-uploaded") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let page = c.source().await.unwrap();
    assert!(
        page.contains("File attached") && page.contains(name),
        "{page}"
    );
    chrome.screenshot("staff-file-attached").await;

    // Client: a fresh sign-in on the portal link, then the job's page, then the file.
    c.delete_all_cookies().await.unwrap();
    portal_sign_in(c, &app, &server.base, &w.a_link(), &w.ann_email).await;
    c.goto(&format!("{}/portal/jobs/{a_job}", server.base))
        .await
        .unwrap();
    assert!(c.source().await.unwrap().contains(&a_job_number));
    c.find(Locator::LinkText(name))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    assert_eq!(wait_for_download(downloads.path(), name).await, bytes);
    c.clone().close().await.unwrap();
}
