//! WCAG 2.2 AA checks in a real browser: axe-core (from npm) runs in headless Chromium on
//! every portal page a signed-in contact can reach, plus the sign-in pages; any serious or
//! critical violation fails. Pages are also checked at 360 px for sideways scrolling.

use fantoccini::{Client, Locator};

use crate::support::chrome::{staff_sign_in, wait_for_path, Chrome};
use crate::support::http::Browser;
use crate::support::records;
use crate::support::world::World;
use crate::support::TestApp;

pub fn axe_source() -> String {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing: run scripts/test.sh (it runs npm ci)",
            path.display()
        )
    })
}

/// Serious and critical violations on the current page, as readable lines.
pub async fn violations(c: &Client, axe: &str) -> Vec<String> {
    c.execute(axe, vec![]).await.unwrap();
    let script = r#"
        const done = arguments[arguments.length - 1];
        axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } })
          .then(r => done(r.violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' at ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
          .catch(e => done(['axe failed: ' + e]));
    "#;
    let result = c.execute_async(script, vec![]).await.unwrap();
    serde_json::from_value(result).unwrap()
}

#[tokio::test]
async fn every_portal_page_passes_axe_and_fits_a_phone() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let recs = records::seed(&app, w.ws, w.a, "ACME").await;
    crate::support::world::Documents::seed(&app, &w).await;
    let axe = axe_source();

    // The pages to check: everything the HTTP crawler can reach, plus forms and errors.
    let crawler = Browser::new(&app);
    crawler.log_in(&app, &w.a_link(), &w.ann_email).await;
    let mut pages: Vec<String> = crate::isolation::crawl(&crawler)
        .await
        .into_iter()
        .filter(|u| !u.contains("/download"))
        .collect();
    pages.push("/portal/requests/new".into());
    pages.push(format!(
        "/portal/requests/new?about=quote-{}",
        recs.quote_sent
    ));
    pages.push("/portal/invoices/999".into());

    let chrome = Chrome::start().await;
    let c = &chrome.client;
    let mut failures = Vec::new();
    app.clock.advance(jiff::SignedDuration::from_secs(31)); // past the resend cooldown

    c.goto(&app.url(&w.a_link())).await.unwrap();
    failures.extend(
        violations(c, &axe)
            .await
            .into_iter()
            .map(|v| format!("sign-in page: {v}")),
    );
    c.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(&w.ann_email)
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
    failures.extend(
        violations(c, &axe)
            .await
            .into_iter()
            .map(|v| format!("code page: {v}")),
    );
    let code = app.smtp.wait_for(&w.ann_email, 2).await.code().unwrap();
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

    for page in &pages {
        c.goto(&app.url(page)).await.unwrap();
        failures.extend(
            violations(c, &axe)
                .await
                .into_iter()
                .map(|v| format!("{page}: {v}")),
        );
    }

    c.set_window_size(360, 800).await.unwrap();
    for page in [
        "/portal/home",
        "/portal/invoices",
        &format!("/portal/invoices/{}", recs.invoice_sent),
        "/portal/requests/new",
    ] {
        c.goto(&app.url(page)).await.unwrap();
        let fits = c
            .execute(
                "return document.documentElement.scrollWidth <= window.innerWidth + 1;",
                vec![],
            )
            .await
            .unwrap();
        if fits != serde_json::Value::Bool(true) {
            failures.push(format!("{page}: scrolls sideways at 360 px"));
        }
        failures.extend(
            violations(c, &axe)
                .await
                .into_iter()
                .map(|v| format!("{page} at 360 px: {v}")),
        );
    }
    chrome.screenshot("portal-home-360").await;

    // On a phone the invoice's total sits in view, not in a column scrolled off the side.
    c.goto(&app.url(&format!("/portal/invoices/{}", recs.invoice_sent)))
        .await
        .unwrap();
    let total_in_view = c
        .execute(
            "const t = document.querySelector('table.lines tr.grand td'); \
             const r = t.getBoundingClientRect(); \
             return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    if total_in_view != serde_json::Value::Bool(true) {
        failures.push("invoice page: the total is out of view at 360 px".into());
    }
    chrome.screenshot("portal-invoice-360").await;
    assert!(
        failures.is_empty(),
        "accessibility failures:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn the_back_office_pages_pass_axe() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let axe = axe_source();
    let chrome = Chrome::start().await;
    let c = &chrome.client;
    let mut failures = Vec::new();

    c.goto(&app.url("/staff/login")).await.unwrap();
    failures.extend(
        violations(c, &axe)
            .await
            .into_iter()
            .map(|v| format!("staff sign-in: {v}")),
    );
    staff_sign_in(c, &app.base, &w.staff_email, &w.staff_password).await;

    let request = app
        .state
        .store
        .create_request(
            w.ws,
            w.a,
            &portico::store::work::NewRequest {
                contact_id: Some(w.ann),
                subject: "Pump stopped",
                details: "It hums,\nthen stops.",
                preferred_date: None,
                site_address: "Warehouse 4",
                status: "new",
                product_id: None,
                idempotency_key: None,
            },
            app.now_ms(),
        )
        .await
        .unwrap();
    // Work records with a file, for the job, project and task pages.
    let (a_job, _) = crate::files::job(&app, w.ws, w.a, "in_progress").await;
    crate::files::attach(
        &app,
        w.ws,
        w.a,
        crate::files::On::Job(a_job),
        "Survey.pdf",
        b"%PDF-1.4",
    )
    .await;
    let a_project = app
        .state
        .store
        .create_project(
            w.ws,
            w.a,
            &portico::store::work::NewProject {
                name: "Plant room",
                description: "",
                status: "active",
                progress_pct: 30,
                start_date: None,
                due_date: None,
                internal_notes: "",
            },
            app.now_ms(),
        )
        .await
        .unwrap();
    let a_task = app
        .state
        .store
        .create_task(
            w.ws,
            w.a,
            &portico::store::work::NewTask {
                project_id: Some(a_project),
                job_id: Some(a_job),
                title: "Approve samples",
                description: "",
                due_date: None,
                done_at: None,
                shared_with_client: true,
            },
            app.now_ms(),
        )
        .await
        .unwrap();
    let pages = [
        "/staff/clients".to_string(),
        format!("/staff/clients/{}", w.a),
        format!("/staff/clients/{}", w.c),
        format!("/staff/contacts/{}", w.ann),
        "/staff/clients/new".to_string(),
        format!("/staff/clients/{}/contacts/new", w.a),
        "/staff/audit".to_string(),
        "/staff/requests".to_string(),
        format!("/staff/requests/{request}"),
        format!("/staff/jobs/{a_job}"),
        format!("/staff/clients/{}/jobs/new", w.a),
        format!("/staff/projects/{a_project}"),
        format!("/staff/tasks/{a_task}"),
        format!("/staff/clients/{}/edit", w.a),
        format!("/staff/contacts/{}/edit", w.ann),
        "/staff/clients/import".to_string(),
    ];
    for page in &pages {
        c.goto(&app.url(page)).await.unwrap();
        failures.extend(
            violations(c, &axe)
                .await
                .into_iter()
                .map(|v| format!("{page}: {v}")),
        );
    }
    c.set_window_size(360, 800).await.unwrap();
    for page in &pages[..2] {
        c.goto(&app.url(page)).await.unwrap();
        let fits = c
            .execute(
                "return document.documentElement.scrollWidth <= window.innerWidth + 1;",
                vec![],
            )
            .await
            .unwrap();
        if fits != serde_json::Value::Bool(true) {
            failures.push(format!("{page}: scrolls sideways at 360 px"));
        }
    }
    assert!(
        failures.is_empty(),
        "accessibility failures:\n{}",
        failures.join("\n")
    );
}
