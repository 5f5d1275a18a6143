//! The Files panel of the staff invoice page (issue #4 item 5): upload to the invoice
//! from its own page, list, rename and remove there, and the client's portal invoice
//! page shows what is attached. A quote page has no panel.

use reqwest::StatusCode;

use crate::staff_uploads::{file_rows, pdf, post_upload};
use crate::support::http::{csrf_of, Browser};
use crate::support::world::staff_browser;
use crate::support::world::{self, World};
use crate::support::TestApp;

#[tokio::test]
async fn the_invoice_page_attaches_renames_and_removes_files_the_portal_shows() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let (invoice, _) = world::invoice(&app, w.ws, w.a, "sent", 10, "AED", 10_000).await;
    let (other, _) = world::invoice(&app, w.ws, w.a, "sent", 10, "AED", 20_000).await;
    let staff = staff_browser(&app, &w).await;
    let page_path = format!("/staff/invoices/{invoice}");
    let (status, page) = staff.get_text(&page_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("No files attached yet"), "{page}");
    assert!(
        page.contains(&format!("name=\"target\" value=\"invoice:{invoice}\"")),
        "uploads from this page go to this invoice: {page}"
    );
    let csrf = csrf_of(&page);

    let bytes = pdf(6_000, 7);
    let r = post_upload(
        &staff,
        w.a,
        &[
            ("_csrf", &csrf),
            ("target", &format!("invoice:{invoice}")),
            ("back", &page_path),
        ],
        Some(("site photos.pdf", &bytes)),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        format!("{page_path}?notice=file-uploaded").as_str()
    );
    let (_, page) = staff
        .get_text(&format!("{page_path}?notice=file-uploaded"))
        .await;
    assert!(page.contains("File attached"), "{page}");
    assert!(page.contains("site photos.pdf"));
    let (_, other_page) = staff.get_text(&format!("/staff/invoices/{other}")).await;
    assert!(
        !other_page.contains("site photos.pdf"),
        "only on its invoice"
    );

    // The client sees it on the invoice's portal page and downloads the same bytes.
    let ann = Browser::new(&app);
    ann.log_in(&app, &w.a_link(), &w.ann_email).await;
    let (_, portal) = ann.get_text(&format!("/portal/invoices/{invoice}")).await;
    assert!(portal.contains("site photos.pdf"), "{portal}");
    let file_id = file_rows(&app).await[0].0;
    let got = ann.get(&format!("/portal/files/{file_id}/download")).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.unwrap().as_ref(), bytes.as_slice());

    // Rename from the invoice page; back on the invoice page, and the portal follows.
    let r = staff
        .post_form(
            &format!("/staff/files/{file_id}/rename"),
            &[
                ("_csrf", &csrf),
                ("back", &page_path),
                ("name", "Handover photos.pdf"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        format!("{page_path}?notice=file-renamed").as_str()
    );
    let (_, page) = staff.get_text(&page_path).await;
    assert!(page.contains("Handover photos.pdf") && !page.contains("site photos.pdf"));
    let (_, portal) = ann.get_text(&format!("/portal/invoices/{invoice}")).await;
    assert!(portal.contains("Handover photos.pdf"), "{portal}");

    // Remove (confirmed): gone from the invoice page and the portal.
    let r = staff
        .post_form(
            &format!("/staff/files/{file_id}/remove"),
            &[("_csrf", &csrf), ("back", &page_path), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = staff.get_text(&page_path).await;
    assert!(page.contains("No files attached yet"), "{page}");
    let (_, portal) = ann.get_text(&format!("/portal/invoices/{invoice}")).await;
    assert!(!portal.contains("Handover photos.pdf"));
}

#[tokio::test]
async fn a_quote_page_has_no_files_panel() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let records = crate::support::records::seed(&app, w.ws, w.a, "q").await;
    let staff = staff_browser(&app, &w).await;
    let (status, page) = staff
        .get_text(&format!("/staff/quotes/{}", records.quote_sent))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("files-heading"), "{page}");
    let (_, page) = staff
        .get_text(&format!("/staff/invoices/{}", records.invoice_sent))
        .await;
    assert!(page.contains("files-heading"));
}
