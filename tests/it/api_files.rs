//! Uploading a file through the API (`POST /api/v1/files`, multipart): attached to a job
//! or invoice of the token's workspace, streamed to the file store byte for byte, shown
//! in that client's portal; over the limit, unnamed, mislabelled or aimed at no record
//! (or another workspace's) it is refused, naming the field, and stores nothing.

use reqwest::StatusCode;

use crate::files::job;
use crate::staff_uploads::{file_rows, multipart, pdf, stored_objects};
use crate::support::api::Api;
use crate::support::http::Browser;
use crate::support::world::{self, World};
use crate::support::{Options, TestApp};

#[tokio::test]
async fn a_file_is_uploaded_to_a_job_and_the_client_downloads_it_byte_for_byte() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let api = Api::new(&app, w.ws).await;
    let (a_job, _) = job(&app, w.ws, w.a, "in_progress").await;
    let bytes = pdf(300_000, 7);

    let (ct, body) = multipart(
        &[("job_id", &a_job.to_string())],
        Some(("Site survey.pdf", &bytes)),
    );
    let (s, file) = api.post_raw("/files", &ct, body).await;
    assert_eq!(s, StatusCode::CREATED, "{file}");
    assert_eq!(file["name"], "Site survey.pdf");
    assert_eq!(file["job_id"], a_job.to_string());
    assert_eq!(file["client_id"], w.a.get().to_string());
    assert_eq!(file["size_bytes"], 300_000);
    assert_eq!(file["content_type"], "application/pdf");
    assert_eq!(stored_objects(&app).len(), 1);
    let id = file["id"].as_str().unwrap();
    let (s, got) = api.get(&format!("/files/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got["sha256"], file["sha256"]);

    let ann = Browser::new(&app);
    ann.log_in(&app, &w.a_link(), &w.ann_email).await;
    let r = ann.get(&format!("/portal/files/{id}/download")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), bytes.as_slice());

    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_event WHERE action = 'file.uploaded' AND actor_kind = 'api'",
    )
    .fetch_one(app.state.store.pool())
    .await
    .unwrap();
    assert_eq!(audited, 1);
}

/// Who uploads, the fields before the file, the file (name, bytes), and the answer
/// expected: status and the field named.
type Case<'a> = (
    &'a Api,
    Vec<(&'a str, &'a str)>,
    Option<(&'a str, Vec<u8>)>,
    StatusCode,
    &'a str,
);

#[tokio::test]
async fn a_bad_upload_is_refused_naming_the_field_and_stores_nothing() {
    let app = TestApp::spawn_with(Options {
        max_upload_mib: Some("1".into()),
        ..Options::default()
    })
    .await;
    let w = World::seed(&app).await;
    let api = Api::new(&app, w.ws).await;
    let (a_job, _) = job(&app, w.ws, w.a, "in_progress").await;
    let (invoice, _) = world::invoice(&app, w.ws, w.a, "sent", 1, "AED", 1_000).await;
    let invoice = invoice.to_string();
    let job_id = a_job.to_string();
    let other = world::other_workspace(&app).await;
    let stranger = Api::new(&app, other).await;

    let cases: Vec<Case> = vec![
        (
            &api,
            vec![("job_id", &job_id)],
            Some(("big.pdf", pdf(1024 * 1024 + 1, 1))),
            StatusCode::PAYLOAD_TOO_LARGE,
            "file",
        ),
        (
            &api,
            vec![("job_id", &job_id)],
            Some(("plan.pdf", b"<html><script>x</script>".to_vec())),
            StatusCode::UNPROCESSABLE_ENTITY,
            "file",
        ),
        (
            &api,
            vec![("job_id", &job_id)],
            Some(("", pdf(100, 1))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "file",
        ),
        (
            &api,
            vec![("job_id", &job_id)],
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "file",
        ),
        (
            &api,
            vec![],
            Some(("plan.pdf", pdf(100, 1))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "job_id",
        ),
        (
            &api,
            vec![("job_id", &job_id), ("invoice_id", &invoice)],
            Some(("plan.pdf", pdf(100, 1))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invoice_id",
        ),
        (
            &api,
            vec![("job_id", "12")],
            Some(("plan.pdf", pdf(100, 1))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "job_id",
        ),
        (
            &api,
            vec![("job_id", "not-a-number")],
            Some(("plan.pdf", pdf(100, 1))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "job_id",
        ),
        (
            &stranger,
            vec![("invoice_id", &invoice)],
            Some(("plan.pdf", pdf(100, 1))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invoice_id",
        ),
    ];
    for (caller, fields, file, status, field) in cases {
        let (ct, body) = multipart(&fields, file.as_ref().map(|(n, b)| (*n, b.as_slice())));
        let (s, e) = caller.post_raw("/files", &ct, body).await;
        assert_eq!(s, status, "{fields:?}: {e}");
        assert_eq!(e["field"], field, "{fields:?}: {e}");
        assert!(file_rows(&app).await.is_empty());
        assert_eq!(stored_objects(&app), Vec::<std::path::PathBuf>::new());
    }
    let (s, e) = api
        .post("/files", serde_json::json!({"job_id": job_id}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");

    // Exactly the limit fits, on the invoice.
    let (ct, body) = multipart(
        &[("invoice_id", &invoice)],
        Some(("fits.pdf", &pdf(1024 * 1024, 1))),
    );
    let (s, file) = api.post_raw("/files", &ct, body).await;
    assert_eq!(s, StatusCode::CREATED, "{file}");
    assert_eq!(file["invoice_id"], invoice);
    assert_eq!(stored_objects(&app).len(), 1);
}
