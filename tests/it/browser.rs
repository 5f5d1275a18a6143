//! The main job, proven on real parts: the built binary, a real SMTP server, headless
//! Chromium. A contact opens the portal link, types their email, reads the code from the
//! delivered message, types it, presses Verify code and sees their own company's home.

use std::time::Duration;

use fantoccini::Locator;

use crate::support::chrome::{Chrome, Server};
use crate::support::world::{self, World};
use crate::support::TestApp;

async fn wait_for_path(c: &fantoccini::Client, path: &str) {
    for _ in 0..100 {
        if c.current_url().await.unwrap().path() == path {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "browser never reached {path}; it is at {}",
        c.current_url().await.unwrap()
    );
}

#[tokio::test]
async fn a_contact_signs_in_with_an_emailed_code_in_a_real_browser_and_sees_only_their_company() {
    // Arrange: data seeded through the library, served by the built binary.
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let docs = world::Documents::seed(&app, &w).await;
    let server = Server::start(&app.database_url, &app.smtp.url()).await;
    let chrome = Chrome::start().await;
    let c = &chrome.client;

    // Act: the whole sign-in, as a person would do it.
    c.goto(&format!("{}{}", server.base, w.a_link()))
        .await
        .unwrap();
    let page = c.source().await.unwrap();
    assert!(
        page.contains("Stone Services") && page.contains("Acme Facilities"),
        "branded page naming the client"
    );
    c.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(" Ann@Acme.test ")
        .await
        .unwrap();
    c.find(Locator::XPath(
        "//button[normalize-space()='Email me a code']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    wait_for_path(c, "/portal/verify").await;
    let mail = app.smtp.wait_for(&w.ann_email, 1).await;
    let code = mail.code().expect("the code is in the message");
    c.find(Locator::Id("code"))
        .await
        .unwrap()
        .send_keys(&code)
        .await
        .unwrap();
    c.find(Locator::XPath("//button[normalize-space()='Verify code']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_path(c, "/portal/home").await;
    chrome.screenshot("portal-home").await;

    // Assert: her name, her company's invoices, nobody else's, no drafts.
    let home = c.source().await.unwrap();
    assert!(home.contains("Hello, Ann"));
    assert!(home.contains("Acme Facilities"));
    for number in &docs.a_visible_invoices {
        assert!(
            home.contains(number.as_str()),
            "{number} should be on Ann's home"
        );
    }
    assert!(home.contains("Overdue"), "the overdue invoice is flagged");
    assert!(!home.contains(&docs.a_draft_invoice), "drafts never show");
    assert!(
        !home.contains(&docs.b_invoice),
        "another client's invoice never shows"
    );
    assert!(!home.contains("Birch Holdings"));

    // Sign out through the real button; the session is gone.
    c.find(Locator::XPath("//button[normalize-space()='Sign out']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_path(c, &w.a_link()).await;
    c.goto(&format!("{}/portal/home", server.base))
        .await
        .unwrap();
    wait_for_path(c, "/portal").await;
    c.clone().close().await.unwrap();
}
