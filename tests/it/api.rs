//! The JSON API (SPEC §10): tokens managed by owners and admins in the back office,
//! bearer authentication, clients, contacts and portal access scoped by the token's
//! workspace, JSON errors naming the field, cursor pages and the OpenAPI document.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use portico::domain::email::EmailAddress;
use portico::ids::WorkspaceId;
use portico::store::workspaces::NewWorkspace;

use crate::support::http::{csrf_of, Browser};
use crate::support::stripe_standin::StripeStandIn;
use crate::support::world::{self, World};
use crate::support::{Options, TestApp};

/// An API caller with one token.
struct Api {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    fn new(app: &TestApp, token: &str) -> Self {
        Self {
            client: reqwest::Client::new(),
            base: app.url("/api/v1"),
            token: token.to_string(),
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
        let ct = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let text = r.text().await.unwrap();
        if text.is_empty() {
            return (status, Value::Null);
        }
        assert!(ct.starts_with("application/json"), "{status} {ct}: {text}");
        (status, serde_json::from_str(&text).unwrap())
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(body)).await
    }

    async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(body)).await
    }

    async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, None).await
    }
}

/// A token for `ws`, made the way the back office makes one.
async fn token_for(app: &TestApp, ws: WorkspaceId, name: &str) -> String {
    let (token, hash, prefix) = portico::domain::api_token::generate();
    app.state
        .store
        .create_api_token(ws, name, &hash, &prefix, None, app.now_ms())
        .await
        .unwrap();
    token
}

async fn api(app: &TestApp, w: &World) -> Api {
    Api::new(app, &token_for(app, w.ws, "tests").await)
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

/// The token shown once on the page after creating one.
fn shown_token(page: &str) -> String {
    let marker = "id=\"token-value\">";
    let start = page.find(marker).expect("token shown") + marker.len();
    page[start..].split('<').next().unwrap().to_string()
}

#[tokio::test]
async fn an_owner_creates_a_token_shown_once_uses_it_and_revokes_it() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let staff = Browser::staff(&app, &w.staff_email, &w.staff_password).await;

    let (status, page) = staff.get_text("/staff/api-tokens").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("href=\"/staff/api-tokens\""), "nav link");
    let csrf = csrf_of(&page);

    // Without the CSRF token nothing is made.
    let r = staff
        .post_form("/staff/api-tokens", &[("name", "Forged")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A blank name is refused, naming the field.
    let r = staff
        .post_form("/staff/api-tokens", &[("_csrf", &csrf), ("name", "  ")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Name: please enter it"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM api_token").await, 0);

    let r = staff
        .post_form(
            "/staff/api-tokens",
            &[("_csrf", &csrf), ("name", "Accounting sync")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    let token = shown_token(&page);
    assert!(token.starts_with("pt_") && token.len() == 46, "{token}");
    // Stored only hashed; the list shows the prefix, never the token again.
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM api_token")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(stored, portico::crypto::token_hash(&token));
    let (_, list) = staff.get_text("/staff/api-tokens").await;
    assert!(list.contains("Accounting sync"));
    assert!(list.contains(&token[..11]));
    assert!(!list.contains(&token), "shown once only");
    assert!(list.contains("Never"), "not used yet");

    let caller = Api::new(&app, &token);
    let (status, body) = caller.get("/clients").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, list) = staff.get_text("/staff/api-tokens").await;
    assert!(!list.contains("Never"), "last use recorded");

    let id: i64 = sqlx::query_scalar("SELECT id FROM api_token")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    let csrf = csrf_of(&list);
    let r = staff
        .post_form(&format!("/staff/api-tokens/{id}/revoke"), &[("_csrf", "x")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "CSRF on revoke");
    let r = staff
        .post_form(
            &format!("/staff/api-tokens/{id}/revoke"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, body) = caller.get("/clients").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "unauthorized");
    let (_, list) = staff.get_text("/staff/api-tokens").await;
    assert!(list.contains("Revoked"));
    let (_, audit) = staff.get_text("/staff/audit").await;
    assert!(audit.contains("api_token.created") && audit.contains("api_token.revoked"));
}

#[tokio::test]
async fn a_member_cannot_see_create_or_revoke_tokens() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let hash = portico::auth::password::hash("member password 1234").unwrap();
    app.state
        .store
        .create_staff(
            w.ws,
            &EmailAddress::parse("member@cedar.test").unwrap(),
            "Max Member",
            "member",
            &hash,
            app.now_ms(),
        )
        .await
        .unwrap();
    let token = token_for(&app, w.ws, "existing").await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM api_token")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    let member = Browser::staff(&app, "member@cedar.test", "member password 1234").await;
    let (status, clients) = member.get_text("/staff/clients").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!clients.contains("/staff/api-tokens"), "no nav link");
    let csrf = csrf_of(&clients);

    let (status, _) = member.get_text("/staff/api-tokens").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let r = member
        .post_form("/staff/api-tokens", &[("_csrf", &csrf), ("name", "Mine")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = member
        .post_form(
            &format!("/staff/api-tokens/{id}/revoke"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM api_token").await, 1);
    let (status, _) = Api::new(&app, &token).get("/clients").await;
    assert_eq!(status, StatusCode::OK, "still valid");
}

#[tokio::test]
async fn missing_malformed_unknown_and_revoked_tokens_get_401_json() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let good = token_for(&app, w.ws, "good").await;
    let revoked = token_for(&app, w.ws, "old").await;
    app.state
        .store
        .revoke_api_tokens_named(w.ws, "old", app.now_ms())
        .await
        .unwrap();
    let (unknown, _, _) = portico::domain::api_token::generate();
    let http = reqwest::Client::new();
    let url = app.url("/api/v1/clients");
    let headers: Vec<Option<String>> = vec![
        None,
        Some("Bearer".into()),
        Some("Bearer nope".into()),
        Some(format!("Basic {good}")),
        Some(format!("Bearer {}", &good[..good.len() - 1])),
        Some(format!("Bearer {unknown}")),
        Some(format!("Bearer {revoked}")),
    ];
    for h in headers {
        let mut req = http.get(&url);
        if let Some(h) = &h {
            req = req.header("authorization", h);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{h:?}");
        assert!(r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer"));
        assert_eq!(r.headers()["content-type"], "application/json");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "unauthorized", "{h:?}");
        assert!(body["message"].as_str().unwrap().len() > 10);
    }
    let r = http
        .get(&url)
        .header("authorization", format!("bearer {good}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the scheme is case-insensitive");
}

#[tokio::test]
async fn clients_are_created_read_listed_filtered_updated_and_archived() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let api = api(&app, &w).await;

    let (status, company) = api
        .post(
            "/clients",
            json!({"kind": "company", "name": "  Northwind   Traders ", "phone": "+971 4 555 0100",
                   "billing_address": "PO Box 1\r\nDubai", "site_address": "Warehouse 7"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{company}");
    assert_eq!(
        company["name"], "Northwind Traders",
        "normalised like the form"
    );
    assert_eq!(company["billing_address"], "PO Box 1\nDubai");
    assert_eq!(company["portal_enabled"], false);
    assert!(company["portal_url"].is_null());
    let id = company["id"].as_str().unwrap().to_string();

    let (status, person) = api
        .post(
            "/clients",
            json!({"kind": "individual", "name": "Layla Haddad", "email": " Layla@Example.COM "}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{person}");
    let person_id = person["id"].as_str().unwrap();
    let (_, contacts) = api.get(&format!("/clients/{person_id}/contacts")).await;
    assert_eq!(contacts["data"][0]["first_name"], "Layla");
    assert_eq!(contacts["data"][0]["email"], "Layla@Example.COM");
    assert_eq!(contacts["data"][0]["is_primary"], true);

    let (status, got) = api.get(&format!("/clients/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, company);

    let names = |v: &Value| -> Vec<String> {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, all) = api.get("/clients").await;
    assert_eq!(
        names(&all)[..2],
        ["Layla Haddad", "Northwind Traders"],
        "newest first"
    );
    assert_eq!(
        all["data"].as_array().unwrap().len(),
        5,
        "A, B, C and the two new"
    );
    assert!(all["next_cursor"].is_null());
    let (_, found) = api.get("/clients?q=NORTHWIND").await;
    assert_eq!(names(&found), ["Northwind Traders"]);
    let (_, found) = api.get("/clients?q=%25").await;
    assert!(names(&found).is_empty(), "LIKE wildcards are literal");
    let (_, individuals) = api.get("/clients?kind=individual").await;
    assert_eq!(names(&individuals), ["Layla Haddad"]);
    let (_, on) = api.get("/clients?portal=on").await;
    let mut on = names(&on);
    on.sort();
    assert_eq!(on, ["Acme Facilities", "Birch Holdings"]);
    let (_, off) = api.get("/clients?portal=off&kind=company").await;
    assert_eq!(names(&off), ["Northwind Traders", "Cobalt Works"]);
    for bad in [
        "/clients?portal=maybe",
        "/clients?kind=robot",
        "/clients?limit=0",
    ] {
        let (status, body) = api.get(bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(body["code"], "validation_failed");
        let field = bad.split(['?', '=']).nth(1).unwrap();
        assert_eq!(body["field"], field, "{bad}");
    }

    let (status, updated) = api
        .patch(
            &format!("/clients/{id}"),
            json!({"name": "Northwind Trading", "phone": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["name"], "Northwind Trading");
    assert_eq!(updated["phone"], "");
    assert_eq!(updated["site_address"], "Warehouse 7", "left out, kept");

    let (status, archived) = api.post(&format!("/clients/{id}/archive"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(archived["archived_at"].is_i64());
    let (_, all) = api.get("/clients").await;
    assert!(!names(&all).contains(&"Northwind Trading".to_string()));
    let (status, got) = api.get(&format!("/clients/{id}")).await;
    assert_eq!(
        (status, got["archived_at"].clone()),
        (StatusCode::OK, archived["archived_at"].clone())
    );

    // Brought back: listed again, with no archive time; another workspace's id is 404.
    let (status, back) = api
        .post(&format!("/clients/{id}/unarchive"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{back}");
    assert!(back["archived_at"].is_null());
    let (_, all) = api.get("/clients").await;
    assert!(names(&all).contains(&"Northwind Trading".to_string()));
    let other = crate::support::world::other_workspace(&app).await;
    let stranger = Api::new(&app, &token_for(&app, other, "other").await);
    let (status, body) = stranger
        .post(&format!("/clients/{id}/unarchive"), json!({}))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _) = api.post("/clients/not-an-id/unarchive", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_event WHERE actor_kind = 'api' ORDER BY id")
            .fetch_all(app.state.store.pool())
            .await
            .unwrap();
    assert_eq!(
        actions,
        [
            "client.created",
            "client.created",
            "client.updated",
            "client.archived",
            "client.unarchived"
        ]
    );
}

#[tokio::test]
async fn contacts_are_added_changed_and_removed_with_duplicates_refused() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let api = api(&app, &w).await;
    let a = w.a.to_string();

    let (status, page) = api.get(&format!("/clients/{a}/contacts")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["data"].as_array().unwrap().len(), 3, "Ann, Arif, Bea");

    let (status, dana) = api
        .post(
            &format!("/clients/{a}/contacts"),
            json!({"first_name": "Dana", "last_name": "Site", "email": "  Dana@Acme.TEST ",
                   "phone": "+971 50 000 0000", "role": "site manager"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{dana}");
    assert_eq!(dana["email"], "Dana@Acme.TEST");
    assert_eq!(dana["client_id"], a.as_str());
    let dana_id = dana["id"].as_str().unwrap().to_string();

    // The same address (any case) twice in one client: 409, nothing stored.
    let before = count(&app, "SELECT COUNT(*) FROM contact").await;
    let (status, body) = api
        .post(
            &format!("/clients/{a}/contacts"),
            json!({"first_name": "Ann again", "email": "ANN@acme.test"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        (body["code"].as_str(), body["field"].as_str()),
        (Some("conflict"), Some("email"))
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM contact").await, before);
    let (status, body) = api
        .patch(
            &format!("/clients/{a}/contacts/{dana_id}"),
            json!({"email": "ann@ACME.test"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["field"], "email");
    // The same address at another client is fine (a bookkeeper serving two).
    let (status, _) = api
        .post(
            &format!("/clients/{}/contacts", w.c),
            json!({"first_name": "Dana", "email": "dana@acme.test"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, changed) = api
        .patch(
            &format!("/clients/{a}/contacts/{dana_id}"),
            json!({"role": "billing", "email": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["role"], "billing");
    assert!(changed["email"].is_null(), "an empty email removes it");
    assert_eq!(changed["last_name"], "Site", "left out, kept");

    // Read back one by one, only through its own client.
    let (status, got) = api.get(&format!("/clients/{a}/contacts/{dana_id}")).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got, changed);
    let (status, body) = api
        .get(&format!("/clients/{}/contacts/{dana_id}", w.b))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _) = api.get(&format!("/clients/{a}/contacts/nope")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let r = reqwest::Client::new()
        .delete(app.url(&format!("/api/v1/clients/{a}/contacts/{dana_id}")))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (_, page) = api.get(&format!("/clients/{a}/contacts")).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 3);
    let (status, _) = api
        .patch(
            &format!("/clients/{a}/contacts/{dana_id}"),
            json!({"role": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "removed");
    let (status, _) = api.get(&format!("/clients/{a}/contacts/{dana_id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "removed, not readable");
    // A contact addressed through another client of the same workspace is not there.
    let ann = w.ann.to_string();
    let (status, _) = api
        .patch(
            &format!("/clients/{}/contacts/{ann}", w.b),
            json!({"role": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn portal_access_is_switched_and_its_link_regenerated_through_the_api() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let api = api(&app, &w).await;
    let c = w.c.to_string();

    let (status, body) = api
        .post(&format!("/clients/{c}/portal/regenerate"), json!({}))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict")),
        "off"
    );

    let (status, on) = api
        .put(&format!("/clients/{c}/portal"), json!({"enabled": true}))
        .await;
    assert_eq!(status, StatusCode::OK, "{on}");
    assert_eq!(on["enabled"], true);
    let link = on["portal_url"].as_str().unwrap().to_string();
    assert!(link.starts_with(&app.url("/portal/")));
    let browser = Browser::new(&app);
    let path = link.trim_start_matches(&app.base).to_string();
    let r = browser.log_in(&app, &path, &w.carol_email).await;
    assert_eq!(r.headers()["location"], "/portal/home");

    let (status, again) = api
        .put(&format!("/clients/{c}/portal"), json!({"enabled": true}))
        .await;
    assert_eq!(
        (status, again.clone()),
        (StatusCode::OK, on.clone()),
        "idempotent"
    );

    let (status, fresh) = api
        .post(&format!("/clients/{c}/portal/regenerate"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let new_link = fresh["portal_url"].as_str().unwrap();
    assert_ne!(new_link, link);
    let (status, _) = browser.get_text("/portal/home").await;
    assert_ne!(status, StatusCode::OK, "the old link's session ended");
    let (status, _) = Browser::new(&app).get_text(&path).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the old link stopped working"
    );

    // Archiving ends the client's portal: its link and the session on it stop working.
    let fresh_path = new_link.trim_start_matches(&app.base).to_string();
    let carol = Browser::new(&app);
    app.clock.advance(jiff::SignedDuration::from_secs(60)); // past the resend cooldown
    let r = carol.log_in(&app, &fresh_path, &w.carol_email).await;
    assert_eq!(r.headers()["location"], "/portal/home");
    let (status, archived) = api.post(&format!("/clients/{c}/archive"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        archived["portal_url"].is_null(),
        "no link for an archived client"
    );
    let (status, _) = carol.get_text("/portal/home").await;
    assert_ne!(status, StatusCode::OK, "the session ended");
    let (status, _) = Browser::new(&app).get_text(&fresh_path).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the link stopped working");
    let (status, body) = api
        .put(&format!("/clients/{c}/portal"), json!({"enabled": false}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = api
        .put(&format!("/clients/{c}/portal"), json!({"enabled": true}))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict")),
        "archived"
    );
    let (status, off) = api
        .put(&format!("/clients/{c}/portal"), json!({"enabled": false}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(off, json!({"enabled": false, "portal_url": null}));
    let (_, client) = api.get(&format!("/clients/{c}")).await;
    assert_eq!(client["portal_enabled"], false);
    let (status, body) = api
        .put(&format!("/clients/{c}/portal"), json!({"enabled": "yes"}))
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("enabled"))
    );
    let logged: i64 = count(
        &app,
        "SELECT COUNT(*) FROM audit_event WHERE actor_kind = 'api' AND action LIKE 'portal.%'",
    )
    .await;
    assert_eq!(logged, 3, "enabled, regenerated, disabled");
}

#[tokio::test]
async fn another_workspaces_records_are_404_through_the_api() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let other = app
        .state
        .store
        .create_workspace(
            &NewWorkspace {
                slug: "other",
                name: "Other Co",
                time_zone: "Europe/London",
                default_currency: "GBP",
            },
            app.now_ms(),
        )
        .await
        .unwrap();
    let theirs = world::client(&app, other, "company", "Their Secret Client").await;
    let their_contact = world::contact(&app, other, theirs, "Tess", Some("tess@other.test")).await;
    let api = api(&app, &w).await;
    let t = theirs.to_string();
    let tc = their_contact.to_string();

    let (_, list) = api.get("/clients?q=secret").await;
    assert_eq!(list["data"], json!([]));
    let checks: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/clients/{t}"), None),
        (
            Method::PATCH,
            format!("/clients/{t}"),
            Some(json!({"name": "Mine now"})),
        ),
        (Method::POST, format!("/clients/{t}/archive"), None),
        (Method::GET, format!("/clients/{t}/contacts"), None),
        (
            Method::POST,
            format!("/clients/{t}/contacts"),
            Some(json!({"first_name": "Eve"})),
        ),
        (
            Method::PATCH,
            format!("/clients/{t}/contacts/{tc}"),
            Some(json!({"role": "x"})),
        ),
        (Method::DELETE, format!("/clients/{t}/contacts/{tc}"), None),
        (
            Method::PATCH,
            format!("/clients/{}/contacts/{tc}", w.a),
            Some(json!({"role": "x"})),
        ),
        (
            Method::PUT,
            format!("/clients/{t}/portal"),
            Some(json!({"enabled": true})),
        ),
        (
            Method::POST,
            format!("/clients/{t}/portal/regenerate"),
            None,
        ),
        (Method::GET, "/clients/not-a-number".to_string(), None),
        (
            Method::GET,
            "/clients/99999999999999999999".to_string(),
            None,
        ),
    ];
    for (method, path, body) in checks {
        let (status, answer) = api.call(method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(answer["code"], "not_found");
    }
    let row = app.state.store.client(other, theirs).await.unwrap();
    assert_eq!(row.name, "Their Secret Client");
    assert!(!row.portal_on() && row.archived_at.is_none());
    assert_eq!(
        app.state
            .store
            .contacts_of(other, theirs)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn bad_input_names_the_field_stores_nothing_and_is_always_json() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let api = api(&app, &w).await;
    let before = (
        count(&app, "SELECT COUNT(*) FROM client").await,
        count(&app, "SELECT COUNT(*) FROM contact").await,
    );
    let a = w.a.to_string();
    let cases: Vec<(String, Value, StatusCode, &str)> = vec![
        (
            "/clients".into(),
            json!({"kind": "company", "name": "  "}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "name",
        ),
        (
            "/clients".into(),
            json!({"kind": "robot", "name": "X"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "kind",
        ),
        (
            "/clients".into(),
            json!({"kind": "company", "name": "X", "phone": "call me"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "phone",
        ),
        (
            "/clients".into(),
            json!({"kind": "company", "name": "X", "email": "x@y.test"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "email",
        ),
        (
            "/clients".into(),
            json!({"kind": "individual", "name": "Ian Ind", "email": "not an email"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "email",
        ),
        (
            "/clients".into(),
            json!({"kind": "company", "name": "x".repeat(201)}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "name",
        ),
        (
            "/clients".into(),
            json!({"kind": "company", "name": "Nul\u{0}Co"}),
            StatusCode::BAD_REQUEST,
            "name",
        ),
        (
            format!("/clients/{a}/contacts"),
            json!({"first_name": "Zed", "role": "\u{0}"}),
            StatusCode::BAD_REQUEST,
            "role",
        ),
        (
            "/clients".into(),
            json!({"kind": "company", "name": "X", "colour": "red"}),
            StatusCode::BAD_REQUEST,
            "colour",
        ),
        (
            "/clients".into(),
            json!({"name": "X"}),
            StatusCode::BAD_REQUEST,
            "kind",
        ),
        (
            "/clients".into(),
            json!({"kind": "company", "name": 5}),
            StatusCode::BAD_REQUEST,
            "name",
        ),
        (
            format!("/clients/{a}/contacts"),
            json!({"first_name": "Zed", "email": "zed@"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "email",
        ),
        (
            format!("/clients/{a}/contacts"),
            json!({"first_name": ""}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "first_name",
        ),
        (
            format!("/clients/{a}/contacts"),
            json!({"first_name": "Zed", "boss": true}),
            StatusCode::BAD_REQUEST,
            "boss",
        ),
    ];
    for (path, body, status, field) in cases {
        let (got, answer) = api.post(&path, body.clone()).await;
        assert_eq!(got, status, "{path} {body}: {answer}");
        assert_eq!(answer["field"], field, "{path} {body}: {answer}");
        assert!(!answer["message"].as_str().unwrap().is_empty());
    }
    let (status, answer) = api
        .patch(&format!("/clients/{a}"), json!({"name": ""}))
        .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("name"))
    );
    assert_eq!(
        app.state.store.client(w.ws, w.a).await.unwrap().name,
        "Acme Facilities"
    );

    // Malformed JSON, a wrong content type, an empty body: 400 JSON.
    let http = reqwest::Client::new();
    let url = app.url("/api/v1/clients");
    for (ct, body) in [
        ("application/json", "{\"kind\": \"company\", "),
        ("application/json", ""),
        ("text/plain", "{\"kind\":\"company\",\"name\":\"X\"}"),
        ("application/x-www-form-urlencoded", "kind=company&name=X"),
    ] {
        let r = http
            .post(&url)
            .bearer_auth(&api.token)
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{ct} {body}");
        let answer: Value = r.json().await.unwrap();
        assert_eq!(answer["code"], "bad_request");
    }
    // A well-formed body over the size limit is 413, not 400.
    let big = json!({"kind": "company", "name": "Big", "notes": "x".repeat(3 * 1024 * 1024)});
    let r = http
        .post(&url)
        .bearer_auth(&api.token)
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["code"], "payload_too_large");
    assert_eq!(
        (
            count(&app, "SELECT COUNT(*) FROM client").await,
            count(&app, "SELECT COUNT(*) FROM contact").await
        ),
        before,
        "nothing stored"
    );

    // Outside the handlers too: no route, wrong method, a NUL byte.
    for (method, path, status, code) in [
        (
            Method::GET,
            "/api/v1/nothing",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Method::DELETE,
            "/api/v1/clients",
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            Method::GET,
            "/api/v1/clients?q=%00",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
    ] {
        let r = http
            .request(method.clone(), app.url(path))
            .bearer_auth(&api.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{method} {path}");
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        let answer: Value = r.json().await.unwrap();
        assert_eq!(answer["code"], code, "{method} {path}");
    }
}

#[tokio::test]
async fn cursor_pages_walk_every_client_and_contact_exactly_once() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let api = api(&app, &w).await;
    for i in 0..9 {
        let (status, _) = api
            .post(
                "/clients",
                json!({"kind": "company", "name": format!("Paged {i}")}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, _) = api
            .post(
                &format!("/clients/{}/contacts", w.a),
                json!({"first_name": format!("P{i}"), "email": format!("p{i}@acme.test")}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    for (list, expected_sql) in [
        (
            "/clients".to_string(),
            format!(
                "SELECT id FROM client WHERE workspace_id = {} AND archived_at IS NULL",
                w.ws
            ),
        ),
        (
            format!("/clients/{}/contacts", w.a),
            format!(
                "SELECT id FROM contact WHERE client_id = {} AND deleted_at IS NULL",
                w.a
            ),
        ),
    ] {
        let mut expected: Vec<String> = sqlx::query_scalar::<_, i64>(&expected_sql)
            .fetch_all(app.state.store.pool())
            .await
            .unwrap()
            .into_iter()
            .map(|id| id.to_string())
            .collect();
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let path = match &cursor {
                Some(c) => format!("{list}?limit=4&cursor={c}"),
                None => format!("{list}?limit=4"),
            };
            let (status, page) = api.get(&path).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            let data = page["data"].as_array().unwrap();
            assert!(data.len() <= 4);
            seen.extend(data.iter().map(|c| c["id"].as_str().unwrap().to_string()));
            pages += 1;
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        assert_eq!(pages, expected.len().div_ceil(4), "{list}");
        let walked = seen.len();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), walked, "no record twice in {list}");
        expected.sort();
        assert_eq!(seen, expected, "every record of {list}");
    }
    let (status, body) = api.get("/clients?cursor=bm90LWEtY3Vyc29y").await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("cursor"))
    );
}

#[tokio::test]
async fn every_list_walks_by_cursor_in_the_order_of_one_big_page() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    crate::support::records::seed(&app, w.ws, w.a, "ACME").await;
    crate::support::records::seed(&app, w.ws, w.b, "BIRCH").await;
    for (i, on) in [w.a, w.b, w.a].into_iter().enumerate() {
        let (job, _) = crate::files::job(&app, w.ws, on, "scheduled").await;
        let name = format!("Plan {i}.pdf");
        crate::files::attach(
            &app,
            w.ws,
            on,
            crate::files::On::Job(job),
            &name,
            b"%PDF-1.4 x",
        )
        .await;
    }
    let api = api(&app, &w).await;
    for list in [
        "/invoices",
        "/quotes",
        "/payments",
        "/jobs",
        "/projects",
        "/tasks",
        "/requests",
        "/products",
        "/files",
    ] {
        let (status, all) = api.get(&format!("{list}?limit=200")).await;
        assert_eq!(status, StatusCode::OK, "{list}: {all}");
        assert!(all["next_cursor"].is_null(), "{list}");
        let ids = |page: &Value| -> Vec<String> {
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string())
                .collect()
        };
        let expected = ids(&all);
        assert!(expected.len() >= 2, "{list} has records to page: {all}");
        let mut walked = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("{list}?limit=1&cursor={c}"),
                None => format!("{list}?limit=1"),
            };
            let (status, page) = api.get(&path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {page}");
            let data = ids(&page);
            assert_eq!(data.len(), 1, "{path}");
            walked.extend(data);
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
            assert!(walked.len() <= expected.len(), "{list} does not end");
        }
        assert_eq!(walked, expected, "{list}: every record once, in order");
        // A client's slice pages the same way.
        let (_, acme) = api
            .get(&format!("{list}?limit=200&client_id={}", w.a))
            .await;
        let (_, first) = api.get(&format!("{list}?limit=1&client_id={}", w.a)).await;
        if let Some(c) = first["next_cursor"].as_str() {
            let (_, second) = api
                .get(&format!("{list}?limit=1&client_id={}&cursor={c}", w.a))
                .await;
            assert_eq!(
                [ids(&first), ids(&second)].concat(),
                ids(&acme)[..2].to_vec(),
                "{list} for one client"
            );
        }
    }
}

/// Every route of the router, as the OpenAPI document must list it.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/v1/openapi.json"),
    ("get", "/api/v1/clients"),
    ("post", "/api/v1/clients"),
    ("get", "/api/v1/clients/{id}"),
    ("patch", "/api/v1/clients/{id}"),
    ("post", "/api/v1/clients/{id}/archive"),
    ("post", "/api/v1/clients/{id}/unarchive"),
    ("get", "/api/v1/clients/{id}/contacts"),
    ("post", "/api/v1/clients/{id}/contacts"),
    ("get", "/api/v1/clients/{id}/contacts/{contact_id}"),
    ("patch", "/api/v1/clients/{id}/contacts/{contact_id}"),
    ("delete", "/api/v1/clients/{id}/contacts/{contact_id}"),
    ("put", "/api/v1/clients/{id}/portal"),
    ("post", "/api/v1/clients/{id}/portal/regenerate"),
    ("get", "/api/v1/invoices"),
    ("get", "/api/v1/invoices/{id}"),
    ("get", "/api/v1/quotes"),
    ("get", "/api/v1/quotes/{id}"),
    ("get", "/api/v1/payments"),
    ("get", "/api/v1/payments/{id}"),
    ("get", "/api/v1/jobs"),
    ("get", "/api/v1/jobs/{id}"),
    ("get", "/api/v1/projects"),
    ("get", "/api/v1/projects/{id}"),
    ("get", "/api/v1/tasks"),
    ("get", "/api/v1/tasks/{id}"),
    ("get", "/api/v1/requests"),
    ("get", "/api/v1/requests/{id}"),
    ("get", "/api/v1/products"),
    ("get", "/api/v1/products/{id}"),
    ("post", "/api/v1/products"),
    ("patch", "/api/v1/products/{id}"),
    ("post", "/api/v1/products/{id}/archive"),
    ("post", "/api/v1/products/{id}/restore"),
    ("post", "/api/v1/requests"),
    ("patch", "/api/v1/requests/{id}"),
    ("post", "/api/v1/requests/{id}/notes"),
    ("post", "/api/v1/requests/{id}/convert"),
    ("post", "/api/v1/files"),
    ("delete", "/api/v1/invoices/{id}"),
    ("delete", "/api/v1/quotes/{id}"),
    ("delete", "/api/v1/jobs/{id}"),
    ("delete", "/api/v1/projects/{id}"),
    ("delete", "/api/v1/tasks/{id}"),
    ("get", "/api/v1/files"),
    ("get", "/api/v1/files/{id}"),
    ("get", "/api/v1/integrations"),
    ("put", "/api/v1/integrations/stripe"),
    ("put", "/api/v1/integrations/telr"),
    ("delete", "/api/v1/integrations/{provider}"),
    ("post", "/api/v1/invoices"),
    ("put", "/api/v1/invoices/{id}"),
    ("post", "/api/v1/invoices/{id}/send"),
    ("post", "/api/v1/invoices/{id}/void"),
    ("post", "/api/v1/invoices/{id}/payments"),
    ("post", "/api/v1/quotes"),
    ("put", "/api/v1/quotes/{id}"),
    ("post", "/api/v1/quotes/{id}/send"),
    ("post", "/api/v1/quotes/{id}/decision"),
    ("post", "/api/v1/jobs"),
    ("patch", "/api/v1/jobs/{id}"),
    ("patch", "/api/v1/jobs/{id}/visits/{visit_id}"),
    ("post", "/api/v1/projects"),
    ("patch", "/api/v1/projects/{id}"),
    ("post", "/api/v1/tasks"),
    ("patch", "/api/v1/tasks/{id}"),
    ("patch", "/api/v1/files/{id}"),
    ("delete", "/api/v1/files/{id}"),
];

#[tokio::test]
async fn the_openapi_document_parses_and_lists_every_route_and_error_shape() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let api = api(&app, &w).await;
    let r = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "no token needed");
    let doc: Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let error = &doc["components"]["schemas"]["ApiErrorBody"];
    for field in ["code", "message", "field"] {
        assert!(
            error["properties"][field].is_object(),
            "error shape has {field}"
        );
    }

    let mut listed = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            listed.push((method.clone(), path.clone()));
            // Every documented operation answers on the router (with made-up ids, a 404
            // from a handler, never the "no such route" fallback or a 405).
            let concrete = path.replace("{id}", "1").replace("{contact_id}", "1");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = matches!(method.as_str(), "post" | "put" | "patch").then(|| json!({}));
            let (status, answer) = api
                .call(m, concrete.trim_start_matches("/api/v1"), body)
                .await;
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert_ne!(
                answer["message"], "There is no such API route.",
                "{method} {path}"
            );
            if path != "/api/v1/openapi.json" {
                let codes: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
                assert!(
                    codes.contains(&&"401".to_string()),
                    "{method} {path} documents 401"
                );
                assert!(
                    op["responses"]["401"]["content"]["application/json"]["schema"]["$ref"]
                        .as_str()
                        .unwrap()
                        .ends_with("/ApiErrorBody")
                );
            }
        }
    }
    listed.sort();
    let mut expected: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    expected.sort();
    assert_eq!(listed, expected);
}

#[tokio::test]
async fn the_demo_prints_a_working_api_line_renewed_each_run() {
    let app = TestApp::spawn().await;
    let first = portico::demo::load(&app.state).await.unwrap();
    let second = portico::demo::load(&app.state).await.unwrap();
    let api_line = |lines: &[String]| -> (String, String) {
        let line = lines.iter().find(|l| l.starts_with("api: ")).unwrap();
        let parts: Vec<&str> = line.split(' ').collect();
        (parts[1].to_string(), parts[2].to_string())
    };
    let (base, old) = api_line(&first);
    let (base2, token) = api_line(&second);
    assert_eq!(base, app.url("/api/v1"));
    assert_eq!(base, base2);
    assert_ne!(old, token);
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{base}/clients?limit=10"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page: Value = r.json().await.unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 10);
    assert!(page["next_cursor"].is_string());
    let r = http
        .get(format!("{base}/clients"))
        .bearer_auth(&old)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "the previous run's token is revoked"
    );
}

#[tokio::test]
async fn documents_and_work_are_read_through_the_api_scoped_to_the_workspace() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let a = crate::support::records::seed(&app, w.ws, w.a, "ACME").await;
    let b = crate::support::records::seed(&app, w.ws, w.b, "BIRCH").await;
    let file = portico::ids::FileId::new();
    app.state
        .store
        .create_file(
            w.ws,
            w.a,
            &portico::store::files::NewFile {
                id: file,
                job_id: Some(portico::ids::JobId::from_db(a.job_active)),
                invoice_id: None,
                name: "site plan.pdf",
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
    let other = app
        .state
        .store
        .create_workspace(
            &NewWorkspace {
                slug: "other",
                name: "Other Co",
                time_zone: "Europe/London",
                default_currency: "GBP",
            },
            app.now_ms(),
        )
        .await
        .unwrap();
    let theirs = world::client(&app, other, "company", "Theirs").await;
    let t = crate::support::records::seed(&app, other, theirs, "THEIRS").await;
    let api = api(&app, &w).await;

    // Each resource: the id seeded for A, for B, and for the other workspace.
    let cases: [(&str, i64, i64, i64); 8] = [
        ("invoices", a.invoice_sent, b.invoice_sent, t.invoice_sent),
        ("quotes", a.quote_sent, b.quote_sent, t.quote_sent),
        ("jobs", a.job_active, b.job_active, t.job_active),
        ("projects", a.project, b.project, t.project),
        ("tasks", a.task_shared, b.task_shared, t.task_shared),
        ("requests", a.request, b.request, t.request),
        (
            "products",
            a.product_visible,
            b.product_visible,
            t.product_visible,
        ),
        ("files", file.get(), 0, 0),
    ];
    for (resource, a_id, b_id, their_id) in cases {
        let (status, all) = api.get(&format!("/{resource}?limit=200")).await;
        assert_eq!(status, StatusCode::OK, "{resource}: {all}");
        let ids: Vec<&str> = all["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert!(
            ids.contains(&a_id.to_string().as_str()),
            "{resource} lists A's"
        );
        if b_id != 0 {
            assert!(
                ids.contains(&b_id.to_string().as_str()),
                "{resource} lists B's"
            );
        }
        assert!(
            !ids.contains(&their_id.to_string().as_str()),
            "{resource}: never another workspace's"
        );
        let (status, one) = api.get(&format!("/{resource}/{a_id}")).await;
        assert_eq!(status, StatusCode::OK, "{resource}");
        assert_eq!(one["id"], a_id.to_string());
        assert!(
            !one.to_string().contains("INTERNAL-NOTE"),
            "{resource}: no internal notes"
        );
        if their_id != 0 {
            let (status, body) = api.get(&format!("/{resource}/{their_id}")).await;
            assert_eq!(
                (status, body["code"].as_str()),
                (StatusCode::NOT_FOUND, Some("not_found")),
                "{resource}"
            );
        }
        if resource != "products" {
            let (status, only_a) = api.get(&format!("/{resource}?client_id={}", w.a)).await;
            assert_eq!(status, StatusCode::OK);
            assert!(
                only_a["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|r| r["client_id"] == w.a.to_string()),
                "{resource} filtered by client"
            );
            let (status, body) = api.get(&format!("/{resource}?client_id=abc")).await;
            assert_eq!(
                (status, body["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("client_id"))
            );
        }
    }
    let (_, invoice) = api.get(&format!("/invoices/{}", a.invoice_sent)).await;
    assert_eq!(invoice["total_minor"], 50_000);
    assert_eq!(invoice["currency"], "AED");
    assert!(invoice["title"].as_str().unwrap().starts_with("ACME"));
    let (_, payments) = api.get(&format!("/payments?client_id={}", w.a)).await;
    let payment = &payments["data"][0];
    assert_eq!(payment["invoice_id"], a.invoice_paid.to_string());
    let (status, one) = api
        .get(&format!("/payments/{}", payment["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        (status, one["status"].clone()),
        (StatusCode::OK, payment["status"].clone())
    );
    let (_, product) = api.get(&format!("/products/{}", a.product_visible)).await;
    assert_eq!(product["visible_in_portal"], true);
    let (_, f) = api.get(&format!("/files/{file}")).await;
    assert_eq!(
        (f["name"].as_str(), f["size_bytes"].as_i64()),
        (Some("site plan.pdf"), Some(1234))
    );
    let (status, body) = api.get(&format!("/products?client_id={}", w.a)).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("client_id"))
    );
}

#[tokio::test]
async fn an_individual_client_takes_no_other_contacts_through_the_api() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let api = api(&app, &w).await;
    let (status, person) = api
        .post(
            "/clients",
            json!({"kind": "individual", "name": "Layla Haddad", "email": "layla@example.test"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{person}");
    let person_id = person["id"].as_str().unwrap();
    let before = count(&app, "SELECT COUNT(*) FROM contact").await;
    let (status, body) = api
        .post(
            &format!("/clients/{person_id}/contacts"),
            json!({"first_name": "Intruder", "email": "intruder@example.test"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        (body["code"].as_str(), body["field"].as_str()),
        (Some("validation_failed"), Some("client_id")),
        "{body}"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM contact").await, before);
    // A company still takes them.
    let (status, _) = api
        .post(
            &format!("/clients/{}/contacts", w.a),
            json!({"first_name": "Dana", "email": "dana@acme.test"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

fn random_secret(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        portico::crypto::random_token(24).replace('-', "x")
    )
}

#[tokio::test]
async fn payment_providers_are_connected_listed_and_disconnected_through_the_api() {
    let stripe = StripeStandIn::start().await;
    let app = TestApp::spawn_with(Options {
        stripe_api_base: Some(stripe.base.clone()),
        ..Options::default()
    })
    .await;
    let w = World::seed(&app).await;
    let api = api(&app, &w).await;
    let whsec = random_secret("whsec_");
    let rows = "SELECT COUNT(*) FROM integration";

    // A well-formed key Stripe does not know: refused by the live check, nothing saved.
    let unknown = random_secret("sk_test_");
    let (s, b) = api
        .put(
            "/integrations/stripe",
            json!({"secret_key": unknown, "webhook_secret": whsec}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["code"], "validation_failed");
    assert_eq!(b["field"], "secret_key");
    assert!(!b.to_string().contains(&unknown) && !b.to_string().contains(&whsec));
    assert_eq!(count(&app, rows).await, 0);

    // Wrong shapes name their field.
    let key = stripe.new_key();
    for (body, field) in [
        (
            json!({"secret_key": random_secret("pk_test_"), "webhook_secret": whsec}),
            "secret_key",
        ),
        (
            json!({"secret_key": key, "webhook_secret": random_secret("wh_")}),
            "webhook_secret",
        ),
        (json!({"secret_key": key}), "webhook_secret"),
    ] {
        let (s, b) = api.put("/integrations/stripe", body).await;
        assert!(s.is_client_error(), "{s} {b}");
        assert_eq!(b["field"], field, "{b}");
        assert!(!b.to_string().contains(&key));
    }
    assert_eq!(count(&app, rows).await, 0);

    // The real key: connected, the webhook URL and a hint answered, never the secrets.
    let (s, b) = api
        .put(
            "/integrations/stripe",
            json!({"secret_key": key, "webhook_secret": whsec}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        b["webhook_url"],
        app.url(&format!("/webhooks/stripe/{}", w.ws.get()))
    );
    assert_eq!(b["provider"], "stripe");
    assert_eq!(b["livemode"], false);
    assert_eq!(b["key_hint"], format!("sk_test_…{}", &key[key.len() - 4..]));
    assert!(!b.to_string().contains(&key) && !b.to_string().contains(&whsec));
    let stored: String = sqlx::query_scalar("SELECT secrets_enc FROM integration")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert!(!stored.contains(&key) && !stored.contains(&whsec));

    // Telr: a bad store id names it and saves nothing; then connected.
    let auth_key = random_secret("telr-");
    let advice = random_secret("adv-");
    let (s, b) = api
        .put(
            "/integrations/telr",
            json!({"store_id": "12a", "auth_key": auth_key, "test_mode": true, "advice_secret": advice}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["field"], "store_id");
    let (s, b) = api
        .put(
            "/integrations/telr",
            json!({"store_id": "15996", "auth_key": auth_key, "test_mode": true, "advice_secret": ""}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["field"], "advice_secret");
    assert_eq!(count(&app, rows).await, 1);
    let (s, b) = api
        .put(
            "/integrations/telr",
            json!({"store_id": "15996", "auth_key": auth_key, "test_mode": true, "advice_secret": advice}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        b["advice_url"],
        app.url(&format!("/webhooks/telr/{}", w.ws.get()))
    );
    assert_eq!(b["key_hint"], "15996");
    assert!(!b.to_string().contains(&auth_key) && !b.to_string().contains(&advice));

    // The list: both, hints and URLs only.
    let (s, b) = api.get("/integrations").await;
    assert_eq!(s, StatusCode::OK);
    let text = b.to_string();
    for secret in [&key, &whsec, &auth_key, &advice] {
        assert!(!text.contains(secret.as_str()));
    }
    let providers: Vec<&str> = b["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["provider"].as_str().unwrap())
        .collect();
    assert_eq!(providers, ["stripe", "telr"]);
    assert!(b["data"][0]["webhook_url"].is_string() && b["data"][1]["advice_url"].is_string());
    assert!(b["data"][0]["connected_at"].is_string());

    // Another workspace's token sees none of it.
    let other = app
        .state
        .store
        .create_workspace(
            &NewWorkspace {
                slug: "other",
                name: "Other Co",
                time_zone: "Europe/London",
                default_currency: "GBP",
            },
            app.now_ms(),
        )
        .await
        .unwrap();
    let (_, b) = Api::new(&app, &token_for(&app, other, "other").await)
        .get("/integrations")
        .await;
    assert_eq!(b["data"], json!([]));

    // Disconnect: gone at once; again, or an unknown provider, is a 404.
    let (s, _) = api.delete("/integrations/stripe").await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, b) = api.delete("/integrations/stripe").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    let (s, _) = api.delete("/integrations/paypal").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, b) = api.get("/integrations").await;
    assert_eq!(b["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_event WHERE actor_kind = 'api' AND subject_kind = 'integration'"
        )
        .await,
        3
    );
}

#[tokio::test]
async fn an_unreachable_stripe_saves_nothing_and_says_so() {
    // The test app's Stripe base is an unreachable local port.
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let api = api(&app, &w).await;
    let (s, b) = api
        .put(
            "/integrations/stripe",
            json!({"secret_key": random_secret("sk_test_"), "webhook_secret": random_secret("whsec_")}),
        )
        .await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{b}");
    assert_eq!(b["code"], "unavailable");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM integration").await, 0);
}
