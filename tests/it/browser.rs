//! The main job, proven on real parts: the built binary, a real SMTP server, headless
//! Chromium. A contact opens the portal link, types their email, reads the code from the
//! delivered message, types it, presses Verify code and sees their own company's home.

use std::time::Duration;

use fantoccini::Locator;

use crate::support::chrome::{portal_sign_in, wait_for_path, Chrome, Server};
use crate::support::world::{self, World};
use crate::support::TestApp;

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

#[tokio::test]
async fn every_section_and_a_record_of_each_kind_open_by_clicking_in_a_real_browser() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    crate::support::records::seed(&app, w.ws, w.a, "ACME").await;
    let chrome = Chrome::start().await;
    let c = &chrome.client;
    portal_sign_in(c, &app, &app.base, &w.a_link(), &w.ann_email).await;

    for (label, heading, record_link) in [
        ("Requests", "Requests", Some("/portal/requests/")),
        ("Quotes", "Quotes", Some("/portal/quotes/")),
        ("Invoices", "Invoices", Some("/portal/invoices/")),
        ("Tasks", "Tasks", Some("/portal/tasks/")),
        ("Projects", "Projects", Some("/portal/projects/")),
        ("Jobs", "Jobs", Some("/portal/jobs/")),
        ("Files", "Files", None),
        (
            "Products & services",
            "Products & services",
            Some("/portal/products/"),
        ),
        ("About us", "About", None),
        ("Contact", "Contact", None),
    ] {
        c.find(Locator::XPath(&format!(
            "//nav[@aria-label='Portal sections']//a[starts-with(normalize-space(), '{label}')]"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
        let h1 = c
            .find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(h1.starts_with(heading), "{label}: heading {h1:?}");
        if let Some(prefix) = record_link {
            let link = c
                .find(Locator::Css(&format!("main a[href^='{prefix}']")))
                .await
                .unwrap();
            link.click().await.unwrap();
            let path = c.current_url().await.unwrap().path().to_string();
            assert!(path.starts_with(prefix), "{label}: opened {path}");
            let body = c.source().await.unwrap();
            assert!(
                !body.contains("HIDDEN") && !body.contains("Page not found"),
                "{path}"
            );
            c.back().await.unwrap();
        }
    }
}

#[tokio::test]
async fn a_client_sends_a_request_in_a_real_browser_and_sees_it_listed() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let chrome = Chrome::start().await;
    let c = &chrome.client;
    portal_sign_in(c, &app, &app.base, &w.a_link(), &w.ann_email).await;

    c.find(Locator::XPath("//a[normalize-space()='New request']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_path(c, "/portal/requests/new").await;
    c.find(Locator::Id("subject"))
        .await
        .unwrap()
        .send_keys("Air conditioning is noisy")
        .await
        .unwrap();
    c.find(Locator::Id("details"))
        .await
        .unwrap()
        .send_keys("The unit in room 3 rattles — يرجى الفحص 🙏")
        .await
        .unwrap();
    c.find(Locator::Id("site_address"))
        .await
        .unwrap()
        .send_keys("Room 3, Block B")
        .await
        .unwrap();
    c.find(Locator::XPath("//button[normalize-space()='Send request']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..100 {
        if c.current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/portal/requests/")
            && !c.current_url().await.unwrap().path().ends_with("/new")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let page = c.source().await.unwrap();
    assert!(page.contains("your request has been sent"));
    assert!(page.contains("يرجى الفحص 🙏"));
    // Refreshing the confirmation page does not resend anything.
    c.refresh().await.unwrap();
    c.goto(&app.url("/portal/requests")).await.unwrap();
    let list = c.source().await.unwrap();
    assert_eq!(list.matches("Air conditioning is noisy").count(), 1);
    assert!(list.contains(">New<"));
    chrome.screenshot("portal-requests").await;
}
