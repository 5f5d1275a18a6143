//! Issue #4 item 10, the whole core flow in one real browser: staff sign in, create a
//! client and a contact, turn the portal on, copy the link, create and send an invoice,
//! attach a file to it; the contact then opens the copied link, signs in with the code
//! from the test SMTP server, sees the invoice and the file, and downloads the file
//! byte for byte.

use std::time::Duration;

use fantoccini::{Client, Locator};

use crate::staff_uploads::pdf;
use crate::support::chrome::{
    portal_sign_in, staff_sign_in, wait_for_download, wait_for_path, Chrome, Server,
};
use crate::support::world::World;
use crate::support::TestApp;

async fn click(c: &Client, xpath: &str) {
    c.find(Locator::XPath(xpath))
        .await
        .unwrap_or_else(|e| panic!("{xpath}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn type_into(c: &Client, id: &str, text: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

/// Waits (up to 5 s) until the page's source contains `text`; returns the source.
async fn wait_for_text(c: &Client, text: &str) -> String {
    let mut page = String::new();
    for _ in 0..100 {
        page = c.source().await.unwrap();
        if page.contains(text) {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{text:?} never showed; the page is {page}");
}

/// The record id at the end of the browser's path (`/staff/clients/{id}` and the like).
async fn id_in_path(c: &Client, prefix: &str) -> String {
    for _ in 0..100 {
        let path = c.current_url().await.unwrap().path().to_string();
        if let Some(id) = path.strip_prefix(prefix) {
            if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
                return id.to_string();
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "never reached {prefix}<id>; at {}",
        c.current_url().await.unwrap()
    );
}

#[tokio::test]
async fn staff_set_up_a_client_invoice_and_file_and_the_contact_sees_and_downloads_them() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let server = Server::start(&app.database_url, &app.smtp.url()).await;
    let downloads = tempfile::tempdir().unwrap();
    let chrome = Chrome::with_downloads(downloads.path()).await;
    let c = &chrome.client;
    let base = server.base.as_str();
    let contact_email = "nadia@northwind.test";
    let file_name = "Signed work order.pdf";
    let bytes = pdf(48_000, 9);
    let uploads = tempfile::tempdir().unwrap();
    let upload_path = uploads.path().join(file_name);
    std::fs::write(&upload_path, &bytes).unwrap();

    // Staff: sign in, create the company and its contact.
    staff_sign_in(c, base, &w.staff_email, &w.staff_password).await;
    click(c, "//a[normalize-space()='New client']").await;
    wait_for_path(c, "/staff/clients/new").await;
    click(c, "//input[@id='kind']").await;
    type_into(c, "name", "Northwind Traders").await;
    click(c, "//button[normalize-space()='Create client']").await;
    let client = id_in_path(c, "/staff/clients/").await;
    click(c, "//a[normalize-space()='Add contact']").await;
    wait_for_path(c, &format!("/staff/clients/{client}/contacts/new")).await;
    type_into(c, "first_name", "Nadia").await;
    type_into(c, "last_name", "Noor").await;
    type_into(c, "email", contact_email).await;
    click(c, "//button[normalize-space()='Add contact']").await;
    c.goto(&format!("{base}/staff/clients/{client}"))
        .await
        .unwrap();
    wait_for_text(c, contact_email).await;

    // Turn the portal on and copy the link with the page's own button.
    click(
        c,
        "//button[normalize-space()='Turn Client Portal Access on']",
    )
    .await;
    wait_for_text(c, "Client Portal Enabled").await;
    let copy = c
        .find(Locator::XPath("//button[normalize-space()='Copy link']"))
        .await
        .unwrap();
    let target = copy
        .attr("data-copy-target")
        .await
        .unwrap()
        .expect("the copy button names what it copies");
    copy.click().await.unwrap();
    let status = c.find(Locator::Css(".copy-status")).await.unwrap();
    let mut said = String::new();
    for _ in 0..100 {
        said = status.text().await.unwrap();
        if !said.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        said.contains("Link copied") || said.contains("select the link"),
        "the copy button answers: {said:?}"
    );
    let copied = c
        .find(Locator::Id(&target))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .expect("the copied text");
    let link = copied
        .strip_prefix(base)
        .unwrap_or_else(|| panic!("{copied} is a link to this server"))
        .to_string();
    assert!(link.starts_with("/portal/"), "{link}");
    chrome.screenshot("flow-portal-enabled").await;

    // A new invoice for the client, saved as a draft and sent.
    c.goto(&format!("{base}/staff/invoices/new")).await.unwrap();
    click(
        c,
        &format!("//select[@id='client_id']/option[@value='{client}']"),
    )
    .await;
    type_into(c, "title", "Shelving install").await;
    type_into(c, "l0-description", "Install warehouse shelving").await;
    type_into(c, "l0-quantity", "3").await;
    type_into(c, "l0-price", "120.50").await;
    click(c, "//button[normalize-space()='Save draft']").await;
    let invoice = id_in_path(c, "/staff/invoices/").await;
    let draft = wait_for_text(c, "Install warehouse shelving").await;
    assert!(draft.contains("AED 361.50"), "3 × 120.50: {draft}");
    click(c, "//button[normalize-space()='Send invoice']").await;
    wait_for_text(c, "1 contact emailed").await;
    let sent_mail = app.smtp.wait_for(contact_email, 1).await;
    assert!(
        sent_mail.subject().contains("Invoice"),
        "{}",
        sent_mail.subject()
    );

    // Attach the file on the invoice page.
    c.find(Locator::Id("file-upload"))
        .await
        .unwrap()
        .send_keys(&upload_path.display().to_string())
        .await
        .unwrap();
    click(c, "//button[normalize-space()='Upload file']").await;
    let attached = wait_for_text(c, "File attached").await;
    assert!(attached.contains(file_name));
    assert_eq!(
        c.current_url().await.unwrap().path(),
        format!("/staff/invoices/{invoice}")
    );
    chrome.screenshot("flow-invoice-file-attached").await;

    // The contact: a fresh browser state, the copied link, the emailed code.
    c.delete_all_cookies().await.unwrap();
    portal_sign_in(c, &app, base, &link, contact_email).await;
    let home = c.source().await.unwrap();
    assert!(home.contains("Northwind Traders"), "{home}");
    c.goto(&format!("{base}/portal/invoices")).await.unwrap();
    click(c, &format!("//main//a[@href='/portal/invoices/{invoice}']")).await;
    wait_for_path(c, &format!("/portal/invoices/{invoice}")).await;
    let page = wait_for_text(c, "Install warehouse shelving").await;
    assert!(
        page.contains("AED 361.50") && page.contains(file_name),
        "{page}"
    );
    chrome.screenshot("flow-portal-invoice-with-file").await;

    c.find(Locator::LinkText(file_name))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(wait_for_download(downloads.path(), file_name).await, bytes);
    c.clone().close().await.unwrap();
}
