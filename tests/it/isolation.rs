//! An isolation test that cannot go stale: it signs in as a contact of client A, crawls
//! every portal page and link it can reach, then signs in as a contact of client B and
//! requests each of A's URLs. Every record page of A is 404 for B, and no page B gets
//! shows any of A's data. New routes are covered as soon as a page links to them.

use std::collections::{BTreeSet, VecDeque};

use reqwest::StatusCode;

use crate::support::http::Browser;
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
