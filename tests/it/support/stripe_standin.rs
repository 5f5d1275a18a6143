//! A local stand-in for Stripe's API and hosted Checkout, speaking the documented formats:
//! Bearer or Basic auth with a secret key, form-encoded bodies, `Idempotency-Key` replay
//! (same body → the saved answer; different body → `idempotency_error`), Checkout
//! Sessions kept in memory, a checkout page a browser completes with one button, and a
//! signed `checkout.session.completed` webhook sent to the app afterwards.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use serde_json::{json, Value};

/// One create call: its form fields and its headers.
pub type Create = (Vec<(String, String)>, HashMap<String, String>);

#[derive(Default)]
pub struct Inner {
    pub keys: Vec<String>,
    pub sessions: HashMap<String, Value>,
    pub intents: HashMap<String, Value>,
    /// Idempotency key → (body, status, answer).
    pub idempotency: HashMap<String, (String, u16, Value)>,
    /// Every create call's form fields and headers, for assertions.
    pub creates: Vec<Create>,
    pub webhook: Option<(String, String)>,
    pub counter: u64,
}

#[derive(Clone)]
pub struct StripeStandIn {
    pub base: String,
    pub inner: Arc<Mutex<Inner>>,
}

type St = Arc<Mutex<Inner>>;

fn error(status: StatusCode, kind: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"type": kind, "message": message}})),
    )
        .into_response()
}

fn key_of(headers: &HeaderMap) -> Option<String> {
    let auth = headers.get("authorization")?.to_str().ok()?;
    if let Some(k) = auth.strip_prefix("Bearer ") {
        return Some(k.to_string());
    }
    let raw = auth.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(raw).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    text.strip_suffix(':').map(str::to_string)
}

#[allow(clippy::result_large_err)]
fn authorised(st: &St, headers: &HeaderMap) -> Result<String, Response> {
    let key = key_of(headers).ok_or_else(|| {
        error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            "You did not provide an API key.",
        )
    })?;
    if !st.lock().unwrap().keys.contains(&key) {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            "Invalid API Key provided.",
        ));
    }
    Ok(key)
}

impl StripeStandIn {
    pub async fn start() -> Self {
        let inner: St = Arc::new(Mutex::new(Inner::default()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = Router::new()
            .route("/v1/balance", get(balance))
            .route("/v1/checkout/sessions", post(create_session))
            .route("/v1/checkout/sessions/{id}", get(get_session))
            .route("/v1/checkout/sessions/{id}/expire", post(expire_session))
            .route("/v1/payment_intents/{id}", get(get_intent))
            .route("/c/pay/{id}", get(checkout_page))
            .route("/c/pay/{id}/complete", post(checkout_complete))
            .with_state(inner.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        let me = Self { base, inner };
        me.inner.lock().unwrap().counter = 1;
        me
    }

    /// A fresh test-mode secret key this stand-in accepts.
    pub fn new_key(&self) -> String {
        let key = format!(
            "sk_test_{}",
            portico::crypto::random_token(18).replace('-', "x")
        );
        self.inner.lock().unwrap().keys.push(key.clone());
        key
    }

    /// Where completed checkouts are announced, and the signing secret.
    pub fn set_webhook(&self, url: &str, secret: &str) {
        self.inner.lock().unwrap().webhook = Some((url.to_string(), secret.to_string()));
    }

    pub fn only_session(&self) -> Value {
        let st = self.inner.lock().unwrap();
        assert_eq!(st.sessions.len(), 1, "exactly one Checkout Session");
        st.sessions.values().next().unwrap().clone()
    }

    pub fn session_count(&self) -> usize {
        self.inner.lock().unwrap().sessions.len()
    }

    /// Changes a stored session (to simulate a provider answer that does not match).
    pub fn tamper(&self, id: &str, f: impl FnOnce(&mut Value)) {
        f(self.inner.lock().unwrap().sessions.get_mut(id).unwrap());
    }

    /// Marks a session paid, as a customer finishing the checkout would; returns the
    /// `checkout.session.completed` event body (not sent).
    pub fn pay(&self, id: &str) -> Vec<u8> {
        let mut st = self.inner.lock().unwrap();
        pay_locked(&mut st, id)
    }

    /// A `charge.refunded` event body for the session's payment.
    pub fn refund_event(&self, session_id: &str, amount_refunded: i64) -> Vec<u8> {
        let mut st = self.inner.lock().unwrap();
        st.counter += 1;
        let n = st.counter;
        let s = &st.sessions[session_id];
        let charge = json!({
            "id": format!("ch_test_{n}"), "object": "charge",
            "amount": s["amount_total"], "amount_refunded": amount_refunded,
            "refunded": Some(amount_refunded) == s["amount_total"].as_i64(),
            "payment_intent": s["payment_intent"], "currency": s["currency"], "status": "succeeded",
        });
        event(n, "charge.refunded", charge)
    }

    pub fn sign(&self, body: &[u8], secret: &str) -> String {
        portico::payments::stripe::sign(body, secret, jiff::Timestamp::now().as_second())
    }
}

fn event(n: u64, kind: &str, object: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": format!("evt_test_{n}_{}", portico::crypto::random_token(6)), "object": "event",
        "api_version": portico::payments::provider::STRIPE_VERSION,
        "created": jiff::Timestamp::now().as_second(), "livemode": false, "pending_webhooks": 1,
        "type": kind, "data": {"object": object},
    }))
    .unwrap()
}

fn pay_locked(st: &mut Inner, id: &str) -> Vec<u8> {
    st.counter += 1;
    let n = st.counter;
    let session = st.sessions.get_mut(id).unwrap();
    let intent = format!("pi_test_{n}");
    session["status"] = json!("complete");
    session["payment_status"] = json!("paid");
    session["payment_intent"] = json!(intent);
    session["url"] = Value::Null;
    let object = session.clone();
    let meta = object["pi_metadata"].clone();
    st.intents.insert(
        intent.clone(),
        json!({"id": intent, "object": "payment_intent", "amount": object["amount_total"],
               "currency": object["currency"], "status": "succeeded", "metadata": meta}),
    );
    event(n, "checkout.session.completed", object)
}

async fn balance(State(st): State<St>, headers: HeaderMap) -> Response {
    match authorised(&st, &headers) {
        Ok(_) => {
            Json(json!({"object": "balance", "available": [], "livemode": false})).into_response()
        }
        Err(r) => r,
    }
}

async fn create_session(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = authorised(&st, &headers) {
        return r;
    }
    let text = String::from_utf8_lossy(&body).to_string();
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let header_map: HashMap<String, String> = headers
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let mut guard = st.lock().unwrap();
    guard.creates.push((fields.clone(), header_map));
    let Some(idem) = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "this stand-in requires an Idempotency-Key",
        );
    };
    if let Some((saved_body, status, answer)) = guard.idempotency.get(&idem) {
        if *saved_body != text {
            return error(
                StatusCode::BAD_REQUEST,
                "idempotency_error",
                "Keys for idempotent requests can only be used with the same parameters they were first used with.",
            );
        }
        return (StatusCode::from_u16(*status).unwrap(), Json(answer.clone())).into_response();
    }
    let get = |k: &str| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone());
    let problem = if get("mode").as_deref() != Some("payment") {
        Some("mode")
    } else if get("line_items[0][quantity]").as_deref() != Some("1") {
        Some("line_items[0][quantity]")
    } else if !get("line_items[0][price_data][currency]")
        .is_some_and(|c| c.len() == 3 && c == c.to_ascii_lowercase())
    {
        Some("line_items[0][price_data][currency]")
    } else if get("line_items[0][price_data][unit_amount]")
        .and_then(|a| a.parse::<i64>().ok())
        .is_none_or(|a| a <= 0)
    {
        Some("line_items[0][price_data][unit_amount]")
    } else if !get("success_url").is_some_and(|u| u.contains("{CHECKOUT_SESSION_ID}")) {
        Some("success_url")
    } else if get("client_reference_id").is_none_or(|r| r.is_empty() || r.len() > 200) {
        Some("client_reference_id")
    } else if get("metadata[payment_attempt_id]")
        != get("payment_intent_data[metadata][payment_attempt_id]")
        || get("metadata[payment_attempt_id]").is_none()
    {
        Some("payment_intent_data[metadata]")
    } else if headers.get("stripe-version").is_none() {
        Some("Stripe-Version")
    } else {
        None
    };
    if let Some(param) = problem {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            &format!("Invalid {param}"),
        );
    }
    guard.counter += 1;
    let id = format!(
        "cs_test_{}{}",
        guard.counter,
        portico::crypto::random_token(9).replace(['-', '_'], "z")
    );
    let base = format!(
        "http://{}",
        headers
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1")
    );
    let mut metadata = serde_json::Map::new();
    let mut pi_metadata = serde_json::Map::new();
    for (k, v) in &fields {
        if let Some(key) = k
            .strip_prefix("metadata[")
            .and_then(|r| r.strip_suffix(']'))
        {
            metadata.insert(key.to_string(), json!(v));
        }
        if let Some(key) = k
            .strip_prefix("payment_intent_data[metadata][")
            .and_then(|r| r.strip_suffix(']'))
        {
            pi_metadata.insert(key.to_string(), json!(v));
        }
    }
    let session = json!({
        "id": id, "object": "checkout.session", "status": "open", "payment_status": "unpaid",
        "amount_total": get("line_items[0][price_data][unit_amount]").unwrap().parse::<i64>().unwrap(),
        "currency": get("line_items[0][price_data][currency]"),
        "client_reference_id": get("client_reference_id"),
        "customer_email": get("customer_email"),
        "metadata": metadata, "pi_metadata": pi_metadata,
        "payment_intent": null, "url": format!("{base}/c/pay/{id}"),
        "success_url": get("success_url"), "cancel_url": get("cancel_url"),
        "product_name": get("line_items[0][price_data][product_data][name]"),
        "expires_at": get("expires_at").and_then(|e| e.parse::<i64>().ok()),
        "livemode": false,
    });
    guard.sessions.insert(id.clone(), session.clone());
    guard.idempotency.insert(idem, (text, 200, session.clone()));
    Json(session).into_response()
}

async fn get_session(State(st): State<St>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = authorised(&st, &headers) {
        return r;
    }
    match st.lock().unwrap().sessions.get(&id) {
        Some(s) => Json(s.clone()).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            "No such checkout.session",
        ),
    }
}

async fn expire_session(
    State(st): State<St>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = authorised(&st, &headers) {
        return r;
    }
    let mut guard = st.lock().unwrap();
    match guard.sessions.get_mut(&id) {
        Some(s) if s["status"] == "open" => {
            s["status"] = json!("expired");
            s["url"] = Value::Null;
            Json(s.clone()).into_response()
        }
        Some(_) => error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "Only open sessions can be expired.",
        ),
        None => error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            "No such checkout.session",
        ),
    }
}

async fn get_intent(State(st): State<St>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = authorised(&st, &headers) {
        return r;
    }
    match st.lock().unwrap().intents.get(&id) {
        Some(s) => Json(s.clone()).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            "No such payment_intent",
        ),
    }
}

async fn checkout_page(State(st): State<St>, Path(id): Path<String>) -> Response {
    let guard = st.lock().unwrap();
    let Some(s) = guard.sessions.get(&id) else {
        return (StatusCode::NOT_FOUND, "no such session").into_response();
    };
    if s["status"] != "open" {
        return (StatusCode::GONE, "this checkout is no longer open").into_response();
    }
    Html(format!(
        "<!doctype html><html><head><title>Stand-in Checkout</title></head><body>\
         <h1>Pay {} {}</h1><p id=\"product\">{}</p>\
         <form method=\"post\" action=\"/c/pay/{id}/complete\"><button id=\"pay\" type=\"submit\">Pay</button></form>\
         </body></html>",
        s["amount_total"],
        s["currency"].as_str().unwrap_or(""),
        s["product_name"].as_str().unwrap_or(""),
    ))
    .into_response()
}

async fn checkout_complete(State(st): State<St>, Path(id): Path<String>) -> Response {
    let (body, hook, success) = {
        let mut guard = st.lock().unwrap();
        if !guard
            .sessions
            .get(&id)
            .is_some_and(|s| s["status"] == "open")
        {
            return (StatusCode::GONE, "this checkout is no longer open").into_response();
        }
        let body = pay_locked(&mut guard, &id);
        let success = guard.sessions[&id]["success_url"]
            .as_str()
            .unwrap_or("")
            .replace("{CHECKOUT_SESSION_ID}", &id);
        (body, guard.webhook.clone(), success)
    };
    if let Some((url, secret)) = hook {
        let header =
            portico::payments::stripe::sign(&body, &secret, jiff::Timestamp::now().as_second());
        tokio::spawn(async move {
            let _ = reqwest::Client::new()
                .post(url)
                .header("Stripe-Signature", header)
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await;
        });
    }
    Redirect::to(&success).into_response()
}
