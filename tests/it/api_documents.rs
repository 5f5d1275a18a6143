//! Writing quotes and invoices through the API: create and replace drafts with lines,
//! send, void, mark accepted, record an offline payment; every bad field named in a
//! 422 that stores nothing; another workspace's ids are 404.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use portico::store::workspaces::NewWorkspace;

use crate::support::api::Api;
use crate::support::world::{self, World};
use crate::support::TestApp;

async fn counts(app: &TestApp) -> (i64, i64, i64, i64) {
    let one = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(app.state.store.pool())
            .await
            .unwrap()
    };
    (
        one("SELECT COUNT(*) FROM invoice").await,
        one("SELECT COUNT(*) FROM invoice_line").await,
        one("SELECT COUNT(*) FROM payment").await,
        one("SELECT CAST(SUM(next_value) AS BIGINT) FROM number_sequence").await,
    )
}

fn invoice_body(client: &str, lines: Value) -> Value {
    json!({
        "client_id": client,
        "title": "Quarterly service",
        "issue_date": "2026-03-01",
        "due_date": "2026-03-31",
        "currency": "AED",
        "client_notes": "Thanks",
        "internal_notes": "margin 30%",
        "lines": lines,
    })
}

#[tokio::test]
async fn an_invoice_is_created_replaced_sent_and_paid_through_the_api() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let api = Api::new(&app, w.ws).await;
    let a = w.a.get().to_string();

    let (s, inv) = api
        .post(
            "/invoices",
            invoice_body(
                &a,
                json!([{"description": "Service", "quantity": "2.5", "unit_price": "100.00", "tax_rate_percent": "5"}]),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{inv}");
    assert_eq!(inv["number"], "INV-0001");
    assert_eq!(inv["status"], "draft");
    assert_eq!(inv["total_minor"], 26_250);
    assert_eq!(inv["lines"][0]["quantity_milli"], 2500);
    let id = inv["id"].as_str().unwrap().to_string();

    // Replace the draft: two lines now.
    let (s, inv) = api
        .put(
            &format!("/invoices/{id}"),
            invoice_body(
                &a,
                json!([
                    {"description": "Service", "quantity": "2.5", "unit_price": "100.00", "tax_rate_percent": "5"},
                    {"description": "Parts", "unit_price": "12.50"}
                ]),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{inv}");
    assert_eq!(inv["total_minor"], 27_500);
    assert_eq!(inv["lines"].as_array().unwrap().len(), 2);
    assert_eq!(inv["number"], "INV-0001", "the number stays");

    // Send: Acme's three portal contacts are emailed the link.
    let (s, sent) = api.post(&format!("/invoices/{id}/send"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{sent}");
    assert_eq!(sent["emailed"], 3);
    assert_eq!(sent["document"]["status"], "sent");
    let mail = app.smtp.wait_for(&w.ann_email, 1).await;
    assert!(mail
        .text()
        .contains(&app.url(&format!("/portal/invoices/{id}"))));
    let (s, e) = api
        .put(
            &format!("/invoices/{id}"),
            invoice_body(&a, json!([{"description": "X", "unit_price": "1"}])),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "only drafts are replaced: {e}");
    assert_eq!(e["code"], "conflict");

    // Payments: more than the balance is named and refused; the rest is recorded.
    let (s, e) = api
        .post(
            &format!("/invoices/{id}/payments"),
            json!({"method": "cheque", "amount": "275.01", "received_on": "2026-03-02"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["field"], "amount");
    let (s, paid) = api
        .post(
            &format!("/invoices/{id}/payments"),
            json!({"method": "cheque", "amount": "275.00", "received_on": "2026-03-02", "reference": "CHQ 0042"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{paid}");
    assert_eq!(paid["invoice"]["status"], "paid");
    assert_eq!(paid["invoice"]["balance_minor"], 0);
    assert_eq!(paid["receipts"], 3);
    let (s, e) = api.post(&format!("/invoices/{id}/void"), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "a paid invoice is not voided: {e}");
    let (s, p) = api
        .call(
            Method::GET,
            &format!("/payments/{}", paid["payment_id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p["method"], "cheque");
    assert_eq!(p["amount_minor"], 27_500);
}

#[tokio::test]
async fn bad_fields_are_named_and_store_nothing() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let api = Api::new(&app, w.ws).await;
    let a = w.a.get().to_string();
    let before = counts(&app).await;
    let good = json!({"description": "Fine", "unit_price": "1.00"});
    for (lines, currency, due, field) in [
        (
            json!([good, good, {"description": "Bad", "quantity": "-1", "unit_price": "1"}]),
            "AED",
            "2026-03-31",
            "lines[2].quantity",
        ),
        (json!([good]), "XYZ", "2026-03-31", "currency"),
        (
            json!([{"description": "Fils", "unit_price": "1.234"}]),
            "AED",
            "2026-03-31",
            "lines[0].unit_price",
        ),
        (json!([good]), "AED", "31/03/2026", "due_date"),
        (
            json!([{"unit_price": "1"}]),
            "AED",
            "2026-03-31",
            "lines[0].description",
        ),
        (
            json!([{"product_id": "123", "quantity": "1"}]),
            "AED",
            "2026-03-31",
            "lines[0].product_id",
        ),
    ] {
        let mut body = invoice_body(&a, lines);
        body["currency"] = json!(currency);
        body["due_date"] = json!(due);
        let (s, e) = api.post("/invoices", body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {e}");
        assert_eq!(e["code"], "validation_failed");
        assert_eq!(e["field"], field, "{e}");
        assert!(e["message"].as_str().unwrap().starts_with(field));
        assert_eq!(counts(&app).await, before, "{field}: nothing stored");
    }
    let (s, e) = api
        .post("/invoices", json!({"issue_date": "2026-03-01"}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    let (s, _) = api
        .post("/invoices", invoice_body("not-an-id", json!([good])))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // Another workspace: its client and its invoice are not found; nothing changes.
    let other = app
        .state
        .store
        .create_workspace(
            &NewWorkspace {
                slug: "other",
                name: "Other",
                time_zone: "UTC",
                default_currency: "USD",
            },
            app.now_ms(),
        )
        .await
        .unwrap();
    let stranger = world::client(&app, other, "company", "Stranger").await;
    let (foreign, _) = world::invoice(&app, other, stranger, "sent", 5, "USD", 1_000).await;
    let before = counts(&app).await;
    // Another workspace's client in the body is a 422 naming client_id, as for work.
    let (s, answer) = api
        .post(
            "/invoices",
            invoice_body(&stranger.get().to_string(), json!([good])),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["field"], "client_id", "{answer}");
    let fid = foreign.get();
    let (s, _) = api
        .put(&format!("/invoices/{fid}"), invoice_body(&a, json!([good])))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    for action in ["send", "void"] {
        let (s, _) = api
            .post(&format!("/invoices/{fid}/{action}"), json!({}))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{action}");
    }
    let (s, _) = api
        .post(
            &format!("/invoices/{fid}/payments"),
            json!({"method": "cash", "amount": "1", "received_on": "2026-03-02"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(counts(&app).await, before);
}

#[tokio::test]
async fn a_quote_is_created_sent_and_marked_declined_through_the_api() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let api = Api::new(&app, w.ws).await;
    let body = json!({
        "client_id": w.b.get().to_string(),
        "issue_date": "2026-03-01",
        "valid_until": "2026-02-01",
        "currency": "KWD",
        "lines": [{"description": "Survey", "unit_price": "12.345"}],
    });
    let (s, e) = api.post("/quotes", body.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["field"], "valid_until");
    let mut body = body;
    body["valid_until"] = json!("2026-04-01");
    let (s, q) = api.post("/quotes", body).await;
    assert_eq!(s, StatusCode::CREATED, "{q}");
    assert_eq!(q["number"], "Q-0001");
    assert_eq!(q["total_minor"], 12_345);
    let id = q["id"].as_str().unwrap().to_string();
    let (s, e) = api
        .post(
            &format!("/quotes/{id}/decision"),
            json!({"decision": "accepted"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a draft is not decided: {e}");
    let (s, _) = api.post(&format!("/quotes/{id}/send"), json!({})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, e) = api
        .post(
            &format!("/quotes/{id}/decision"),
            json!({"decision": "maybe"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["field"], "decision");
    let (s, q) = api
        .post(
            &format!("/quotes/{id}/decision"),
            json!({"decision": "declined"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(q["status"], "declined");
}

#[tokio::test]
async fn a_quote_and_an_invoice_are_read_back_with_their_lines_as_decimal_strings() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let api = Api::new(&app, w.ws).await;
    let a = w.a.get().to_string();
    let lines = json!([
        {"description": "Service", "quantity": "2.5", "unit_price": "100.10", "discount_percent": "10", "tax_rate_percent": "5"},
        {"description": "Parts", "unit_price": "12.50"}
    ]);
    let (s, inv) = api.post("/invoices", invoice_body(&a, lines.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{inv}");
    let id = inv["id"].as_str().unwrap();
    let (s, got) = api.get(&format!("/invoices/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{got}");
    assert_eq!(got["number"], inv["number"]);
    let l = &got["lines"];
    assert_eq!(l.as_array().unwrap().len(), 2, "{got}");
    assert_eq!(l[0]["description"], "Service");
    assert_eq!(l[0]["quantity"], "2.5");
    assert_eq!(l[0]["unit_price"], "100.10");
    assert_eq!(l[0]["discount_percent"], "10");
    assert_eq!(l[0]["tax_rate_percent"], "5");
    // The amounts' strings say exactly what their integers say.
    for (text, minor) in [
        ("subtotal", "subtotal_minor"),
        ("tax", "tax_minor"),
        ("total", "total_minor"),
    ] {
        let as_minor = l[0][text]
            .as_str()
            .unwrap()
            .replace('.', "")
            .parse::<i64>()
            .unwrap();
        assert_eq!(as_minor, l[0][minor].as_i64().unwrap(), "{text}: {got}");
    }
    assert_eq!(l[1]["quantity"], "1");
    assert_eq!(l[1]["unit_price"], "12.50");
    assert_eq!(l[1]["discount_percent"], "0");
    assert_eq!(l[1]["total"], "12.50");
    // The read side's strings are accepted back by the write side unchanged.
    let echoed: Vec<Value> = l
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            json!({"description": x["description"], "quantity": x["quantity"], "unit_price": x["unit_price"],
                   "discount_percent": x["discount_percent"], "tax_rate_percent": x["tax_rate_percent"]})
        })
        .collect();
    let (s, again) = api
        .put(&format!("/invoices/{id}"), invoice_body(&a, json!(echoed)))
        .await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["total_minor"], got["total_minor"]);

    // A quote in a three-decimal currency.
    let (s, q) = api
        .post(
            "/quotes",
            json!({"client_id": a, "issue_date": "2026-03-01", "valid_until": "2026-03-31", "currency": "KWD",
                   "lines": [{"description": "Survey", "quantity": "3", "unit_price": "12.345"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{q}");
    let (s, got) = api
        .get(&format!("/quotes/{}", q["id"].as_str().unwrap()))
        .await;
    assert_eq!(s, StatusCode::OK, "{got}");
    assert_eq!(got["lines"][0]["unit_price"], "12.345");
    assert_eq!(got["lines"][0]["total"], "37.035");
    assert_eq!(got["currency"], "KWD");

    // The OpenAPI document describes the lines.
    let (_, doc) = api.get("/openapi.json").await;
    let schemas = &doc["components"]["schemas"];
    assert!(
        schemas["LineOut"]["properties"]["unit_price"].is_object(),
        "{}",
        schemas["LineOut"]
    );
    let detail = serde_json::to_string(&schemas["InvoiceDetail"]).unwrap();
    assert!(
        detail.contains("lines") && detail.contains("Invoice"),
        "{detail}"
    );
}

#[tokio::test]
async fn a_draft_is_deleted_through_the_api_and_a_sent_document_is_refused() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let api = Api::new(&app, w.ws).await;
    let a = w.a.get().to_string();
    let line = json!([{"description": "Service", "unit_price": "10.00"}]);

    let (s, first) = api.post("/invoices", invoice_body(&a, line.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let id = first["id"].as_str().unwrap();
    let (s, body) = api.delete(&format!("/invoices/{id}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        api.get(&format!("/invoices/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.delete(&format!("/invoices/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, list) = api.get("/invoices").await;
    assert!(!list["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["id"] == id));

    // The sequence goes on: the deleted draft's number is not given again.
    let (s, second) = api.post("/invoices", invoice_body(&a, line.clone())).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(first["number"], "INV-0001");
    assert_eq!(second["number"], "INV-0002");

    // A sent invoice is refused with a clear message and stays.
    let sid = second["id"].as_str().unwrap();
    let (s, _) = api.post(&format!("/invoices/{sid}/send"), json!({})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, e) = api.delete(&format!("/invoices/{sid}")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "conflict");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("Only a draft can be deleted"),
        "{e}"
    );
    assert_eq!(
        api.get(&format!("/invoices/{sid}")).await.1["status"],
        "sent"
    );

    // Quotes the same way; another workspace's token finds nothing to delete.
    let (s, q) = api
        .post(
            "/quotes",
            json!({"client_id": a, "issue_date": "2026-03-01", "valid_until": "2026-03-31", "currency": "AED"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{q}");
    let qid = q["id"].as_str().unwrap();
    let other = world::other_workspace(&app).await;
    let stranger = Api::new(&app, other).await;
    assert_eq!(
        stranger.delete(&format!("/quotes/{qid}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(api.get(&format!("/quotes/{qid}")).await.0, StatusCode::OK);
    assert_eq!(
        api.delete(&format!("/quotes/{qid}")).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        api.get(&format!("/quotes/{qid}")).await.0,
        StatusCode::NOT_FOUND
    );
    let deleted: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_event WHERE action IN ('invoice.deleted', 'quote.deleted')",
    )
    .fetch_one(app.state.store.pool())
    .await
    .unwrap();
    assert_eq!(deleted, 2);
}

#[tokio::test]
async fn each_workspace_numbers_its_own_quotes_and_invoices_from_one() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    let other = world::other_workspace(&app).await;
    let theirs = world::client(&app, other, "company", "Elsewhere Ltd").await;
    let ours = Api::new(&app, w.ws).await;
    let stranger = Api::new(&app, other).await;
    let line = json!([{"description": "Service", "quantity": "1", "unit_price": "10.00"}]);
    let quote = |client: String| {
        json!({"client_id": client, "issue_date": "2026-03-01",
               "valid_until": "2026-03-31", "currency": "AED"})
    };
    let number = |v: &Value| v["number"].as_str().unwrap().to_string();

    let (s, a1) = ours
        .post(
            "/invoices",
            invoice_body(&w.a.get().to_string(), line.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a1}");
    let (s, a2) = ours
        .post(
            "/invoices",
            invoice_body(&w.b.get().to_string(), line.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a2}");
    let (s, b1) = stranger
        .post(
            "/invoices",
            invoice_body(&theirs.get().to_string(), line.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b1}");
    assert_eq!(
        [number(&a1), number(&a2), number(&b1)],
        ["INV-0001", "INV-0002", "INV-0001"],
        "one sequence per workspace, shared by its clients"
    );
    let (_, q1) = stranger
        .post("/quotes", quote(theirs.get().to_string()))
        .await;
    let (_, q2) = ours.post("/quotes", quote(w.a.get().to_string())).await;
    assert_eq!([number(&q1), number(&q2)], ["Q-0001", "Q-0001"]);
}
