//! The catalogue: admins add, edit, archive and restore products and services; the
//! portal shows only items flagged for it and not archived; bad input changes nothing;
//! the API creates, updates and archives within its own workspace only.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::staff_accounts::{add_staff, csrf};
use crate::support::http::Browser;
use crate::support::world::World;
use crate::support::TestApp;

fn item<'a>(
    token: &'a str,
    name: &'a str,
    price: &'a str,
    visible: bool,
) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("_csrf", token),
        ("kind", "service"),
        ("name", name),
        ("description", "Done by our own team."),
        ("price", price),
        ("currency", "AED"),
        ("unit", "visit"),
        ("tax_rate", "5"),
    ];
    if visible {
        form.push(("visible_in_portal", "1"));
    }
    form
}

async fn products(app: &TestApp) -> Vec<(i64, String, i64, i64, Option<i64>)> {
    sqlx::query_as(
        "SELECT id, name, price_minor, tax_rate_bp, archived_at FROM product ORDER BY id",
    )
    .fetch_all(app.state.store.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn the_portal_lists_only_flagged_unarchived_items() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let owner = Browser::staff(&app, &w.staff_email, &w.staff_password).await;
    let t = csrf(&owner).await;

    for (name, visible) in [
        ("Boiler service", true),
        ("Internal audit", false),
        ("Roof check", true),
    ] {
        let r = owner
            .post_form("/staff/catalogue", &item(&t, name, "1,250.50", visible))
            .await;
        assert_eq!(
            r.headers()["location"],
            "/staff/catalogue?done=created",
            "{name}"
        );
    }
    let rows = products(&app).await;
    assert_eq!(rows.len(), 3);
    assert_eq!(
        (rows[0].2, rows[0].3),
        (125_050, 500),
        "price and tax stored exactly"
    );

    // Archive the roof check, edit the boiler service.
    let roof = rows[2].0;
    let r = owner
        .post_form(
            &format!("/staff/catalogue/{roof}/archive"),
            &[("_csrf", &t)],
        )
        .await;
    assert_eq!(r.headers()["location"], "/staff/catalogue?done=archived");
    let boiler = rows[0].0;
    let (status, page) = owner.get_text(&format!("/staff/catalogue/{boiler}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("value=\"1250.50\""),
        "edit form shows the price as typed"
    );
    let r = owner
        .post_form(
            &format!("/staff/catalogue/{boiler}"),
            &item(&t, "Boiler service (annual)", "300", true),
        )
        .await;
    assert_eq!(r.headers()["location"], "/staff/catalogue?done=saved");

    let client = Browser::new(&app);
    client.log_in(&app, &w.a_link(), &w.ann_email).await;
    let (status, list) = client.get_text("/portal/products").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("Boiler service (annual)") && list.contains("AED 300.00"));
    assert!(
        !list.contains("Internal audit"),
        "not flagged for the portal"
    );
    assert!(!list.contains("Roof check"), "archived");
    assert_eq!(
        client
            .get(&format!("/portal/products/{roof}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Restored, it is back.
    let r = owner
        .post_form(
            &format!("/staff/catalogue/{roof}/restore"),
            &[("_csrf", &t)],
        )
        .await;
    assert_eq!(r.headers()["location"], "/staff/catalogue?done=restored");
    let (_, list) = client.get_text("/portal/products").await;
    assert!(list.contains("Roof check"));

    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_event WHERE action LIKE 'product.%' ORDER BY id",
    )
    .fetch_all(app.state.store.pool())
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "product.created",
            "product.created",
            "product.created",
            "product.archived",
            "product.updated",
            "product.restored"
        ]
    );
    let (status, audit) = owner.get_text("/staff/audit?show=settings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(audit.contains("product.restored") && !audit.contains("staff.login<"));
}

#[tokio::test]
async fn bad_items_are_refused_by_field_and_members_only_look() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let owner = Browser::staff(&app, &w.staff_email, &w.staff_password).await;
    let t = csrf(&owner).await;
    for (field, value, says) in [
        ("name", " ", "Name: cannot be empty."),
        ("price", "12.345", "Price: at most 2 digits after the point"),
        ("price", "-5", "Price:"),
        ("currency", "ZZZ", "Currency:"),
        ("tax_rate", "150", "Tax rate:"),
    ] {
        let mut form = item(&t, "Valid name", "10", true);
        for (k, v) in form.iter_mut() {
            if *k == field {
                *v = value;
            }
        }
        let r = owner.post_form("/staff/catalogue", &form).await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}"
        );
        assert!(r.text().await.unwrap().contains(says), "{says}");
    }
    assert!(products(&app).await.is_empty());

    add_staff(&app, w.ws, "mo@cedar.test", "member").await;
    let member = Browser::staff(&app, "mo@cedar.test", "a long staff password 42").await;
    assert_eq!(
        member.get("/staff/catalogue").await.status(),
        StatusCode::OK
    );
    let mt = csrf(&member).await;
    let r = member
        .post_form("/staff/catalogue", &item(&mt, "Sneaky", "1", true))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(products(&app).await.is_empty());
}

async fn api_token(app: &TestApp, ws: portico::ids::WorkspaceId) -> String {
    let (token, hash, prefix) = portico::domain::api_token::generate();
    app.state
        .store
        .create_api_token(ws, "test", &hash, &prefix, None, app.now_ms())
        .await
        .unwrap();
    token
}

#[tokio::test]
async fn the_api_creates_updates_and_archives_products_in_its_workspace() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let token = api_token(&app, w.ws).await;
    let http = reqwest::Client::new();
    let send = |method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut req = http.request(method, app.url(path)).bearer_auth(&token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send()
    };

    let r = send(
        reqwest::Method::POST,
        "/api/v1/products",
        Some(json!({"name": "Deep clean", "price_minor": 45000, "currency": "aed", "tax_rate_bp": 500, "visible_in_portal": true})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["currency"], "AED");
    assert_eq!(created["kind"], "service");
    let id = created["id"].as_str().unwrap().to_string();

    let r = send(
        reqwest::Method::POST,
        "/api/v1/products",
        Some(json!({"name": "Bad", "price_minor": -1, "currency": "AED", "tax_rate_bp": 20000})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["price_minor", "tax_rate_bp"]);
    assert_eq!(products(&app).await.len(), 1, "nothing stored");

    let r = send(
        reqwest::Method::PATCH,
        &format!("/api/v1/products/{id}"),
        Some(json!({"price_minor": 50000, "unit": "flat"})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let updated: Value = r.json().await.unwrap();
    assert_eq!(
        (updated["price_minor"].as_i64(), updated["name"].as_str()),
        (Some(50000), Some("Deep clean"))
    );

    let r = send(
        reqwest::Method::POST,
        &format!("/api/v1/products/{id}/archive"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let archived: Value = r.json().await.unwrap();
    assert!(archived["archived_at"].is_i64());
    let r = send(
        reqwest::Method::GET,
        &format!("/api/v1/products/{id}"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "archived items are not served as live"
    );

    // Restored: live again, and listed.
    let r = send(
        reqwest::Method::POST,
        &format!("/api/v1/products/{id}/restore"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let restored: Value = r.json().await.unwrap();
    assert!(restored["archived_at"].is_null(), "{restored}");
    let r = send(reqwest::Method::GET, "/api/v1/products", None)
        .await
        .unwrap();
    let listed: Value = r.json().await.unwrap();
    assert!(
        listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == restored["id"]),
        "{listed}"
    );
    let restores: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_event WHERE action = 'product.restored' AND actor_kind = 'api'",
    )
    .fetch_one(app.state.store.pool())
    .await
    .unwrap();
    assert_eq!(restores, 1);
    // Archived again for the checks below.
    let r = send(
        reqwest::Method::POST,
        &format!("/api/v1/products/{id}/archive"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // Another workspace's token sees none of it.
    let other = app
        .state
        .store
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
    let stranger = api_token(&app, other).await;
    for (method, path, body) in [
        (
            reqwest::Method::PATCH,
            format!("/api/v1/products/{id}"),
            Some(json!({"name": "Stolen"})),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/products/{id}/archive"),
            None,
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/products/{id}/restore"),
            None,
        ),
    ] {
        let mut req = http.request(method, app.url(&path)).bearer_auth(&stranger);
        if let Some(b) = body {
            req = req.json(&b);
        }
        assert_eq!(
            req.send().await.unwrap().status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(products(&app).await[0].1, "Deep clean");

    // A staff page for another workspace's item is a 404 too.
    add_staff(&app, other, "boss@other.test", "owner").await;
    let boss = Browser::staff(&app, "boss@other.test", "a long staff password 42").await;
    assert_eq!(
        boss.get(&format!("/staff/catalogue/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let bt = csrf(&boss).await;
    let r = boss
        .post_form(&format!("/staff/catalogue/{id}/restore"), &[("_csrf", &bt)])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(products(&app).await[0].4.is_some(), "still archived");
}
