//! A local stand-in for Telr's Hosted Payment Page gateway: `order.json` with
//! `ivp_method=create` (store id and auth key in the form body, unique cart ids, E56 on a
//! duplicate) and `ivp_method=check`, a hosted page a browser pays with one button, and a
//! Transaction Advice POST to the app with a correct `tran_check`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

#[derive(Clone, Debug)]
pub struct Order {
    pub order_ref: String,
    pub cart: String,
    pub amount: String,
    pub currency: String,
    pub test: String,
    pub desc: String,
    pub return_auth: String,
    pub status: i64,
    pub tran_ref: Option<String>,
}

#[derive(Default)]
pub struct Inner {
    pub store_id: String,
    pub auth_key: String,
    pub advice: Option<(String, String)>,
    pub orders: HashMap<String, Order>,
    pub creates: Vec<Vec<(String, String)>>,
    pub counter: u64,
}

#[derive(Clone)]
pub struct TelrStandIn {
    pub base: String,
    pub inner: Arc<Mutex<Inner>>,
}

type St = Arc<Mutex<Inner>>;

impl TelrStandIn {
    pub async fn start(store_id: &str, auth_key: &str) -> Self {
        let inner: St = Arc::new(Mutex::new(Inner {
            store_id: store_id.into(),
            auth_key: auth_key.into(),
            counter: 40_003_575_400,
            ..Inner::default()
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = Router::new()
            .route("/gateway/order.json", post(order_json))
            .route("/gateway/process.html", get(process_page))
            .route("/gateway/pay", post(pay_form))
            .with_state(inner.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { base, inner }
    }

    pub fn set_advice(&self, url: &str, secret: &str) {
        self.inner.lock().unwrap().advice = Some((url.into(), secret.into()));
    }

    pub fn only_order(&self) -> Order {
        let st = self.inner.lock().unwrap();
        assert_eq!(st.orders.len(), 1, "exactly one Telr order");
        st.orders.values().next().unwrap().clone()
    }

    pub fn order_count(&self) -> usize {
        self.inner.lock().unwrap().orders.len()
    }

    /// Marks an order paid; returns the advice form a real TAS would post.
    pub fn pay(&self, order_ref: &str) -> Vec<(String, String)> {
        let mut st = self.inner.lock().unwrap();
        pay_locked(&mut st, order_ref)
    }

    /// A refund advice for a paid order.
    pub fn refund_advice(&self, order_ref: &str, amount: &str) -> Vec<(String, String)> {
        let mut st = self.inner.lock().unwrap();
        st.counter += 1;
        let refund_ref = st.counter.to_string();
        let o = st.orders[order_ref].clone();
        let secret = st.advice.clone().unwrap().1;
        advice(
            &st.store_id,
            &secret,
            "refund",
            &refund_ref,
            o.tran_ref.as_deref().unwrap_or(""),
            &o,
            amount,
        )
    }
}

/// The TAS fields (C4) with `tran_check` computed over the classic 14 fields.
pub fn advice(
    store: &str,
    secret: &str,
    kind: &str,
    tran_ref: &str,
    prev: &str,
    o: &Order,
    amount: &str,
) -> Vec<(String, String)> {
    let values = [
        store,
        kind,
        "ecom",
        &o.test,
        tran_ref,
        prev,
        if prev.is_empty() { tran_ref } else { prev },
        &o.currency,
        amount,
        &o.cart,
        &o.desc,
        "A",
        "078251",
        "Authorised",
    ];
    let check = portico::payments::telr::sha1_check(secret, &values);
    let mut fields: Vec<(String, String)> = portico::payments::telr::TRAN_CHECK_FIELDS
        .iter()
        .zip(values.iter())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    fields.push(("tran_check".into(), check));
    fields
}

fn pay_locked(st: &mut Inner, order_ref: &str) -> Vec<(String, String)> {
    st.counter += 1;
    let tran_ref = st.counter.to_string();
    let order = st.orders.get_mut(order_ref).unwrap();
    order.status = 3;
    order.tran_ref = Some(tran_ref.clone());
    let o = order.clone();
    let secret = st.advice.clone().map(|a| a.1).unwrap_or_default();
    advice(&st.store_id, &secret, "sale", &tran_ref, "", &o, &o.amount)
}

fn telr_error(message: &str, note: &str) -> Response {
    Json(json!({"error": {"message": message, "note": note}})).into_response()
}

async fn order_json(State(st): State<St>, headers: axum::http::HeaderMap, body: Bytes) -> Response {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut guard = st.lock().unwrap();
    if get("ivp_store") != guard.store_id || get("ivp_authkey") != guard.auth_key {
        return telr_error(
            "E01:Invalid request",
            "Store or authentication key not valid",
        );
    }
    match get("ivp_method").as_str() {
        "create" => {
            guard.creates.push(fields.clone());
            let cart = get("ivp_cart");
            if cart.is_empty() || guard.orders.values().any(|o| o.cart == cart) {
                return telr_error("E56:Duplicate transaction", "Cart ID must be unique");
            }
            let amount = get("ivp_amount");
            if !amount.contains('.') && amount.parse::<i64>().is_err() {
                return telr_error("E03:Invalid amount", "");
            }
            guard.counter += 1;
            let order_ref = format!("{:064X}", guard.counter);
            guard.orders.insert(
                order_ref.clone(),
                Order {
                    order_ref: order_ref.clone(),
                    cart,
                    amount,
                    currency: get("ivp_currency"),
                    test: get("ivp_test"),
                    desc: get("ivp_desc"),
                    return_auth: get("return_auth"),
                    status: 1,
                    tran_ref: None,
                },
            );
            Json(json!({"method": "create", "trace": "4001/7932/5eb93cca",
                "order": {"ref": order_ref, "url": format!("http://{host}/gateway/process.html?o={order_ref}")}}))
            .into_response()
        }
        "check" => {
            let Some(o) = guard.orders.get(&get("order_ref")) else {
                return telr_error("E05:Order not found", "");
            };
            let text = match o.status {
                3 => "Paid",
                1 => "Pending",
                -2 => "Cancelled",
                _ => "Declined",
            };
            let mut order: Value = json!({
                "ref": o.order_ref, "cartid": o.cart, "test": o.test.parse::<i64>().unwrap_or(0),
                "amount": o.amount, "currency": o.currency, "description": o.desc,
                "status": {"code": o.status, "text": text},
            });
            if let Some(t) = &o.tran_ref {
                order["transaction"] = json!({"ref": t, "type": "sale", "class": "ecom", "status": "A", "code": "078251", "message": "Authorised"});
            }
            Json(json!({"method": "check", "order": order})).into_response()
        }
        _ => telr_error("E01:Invalid request", "unknown method"),
    }
}

#[derive(serde::Deserialize)]
struct ProcessQuery {
    o: String,
}

async fn process_page(State(st): State<St>, Query(q): Query<ProcessQuery>) -> Response {
    let guard = st.lock().unwrap();
    let Some(o) = guard.orders.get(&q.o) else {
        return (axum::http::StatusCode::NOT_FOUND, "no such order").into_response();
    };
    Html(format!(
        "<!doctype html><html><head><title>Stand-in Telr</title></head><body>\
         <h1>Pay {} {}</h1><form method=\"post\" action=\"/gateway/pay\">\
         <input type=\"hidden\" name=\"o\" value=\"{}\"><button id=\"pay\" type=\"submit\">Pay</button></form></body></html>",
        o.amount, o.currency, o.order_ref
    ))
    .into_response()
}

async fn pay_form(State(st): State<St>, body: Bytes) -> Response {
    let fields: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let order_ref = fields.get("o").cloned().unwrap_or_default();
    let (form, hook, ret) = {
        let mut guard = st.lock().unwrap();
        if guard.orders.get(&order_ref).is_none_or(|o| o.status != 1) {
            return (axum::http::StatusCode::GONE, "order not open").into_response();
        }
        let form = pay_locked(&mut guard, &order_ref);
        (
            form,
            guard.advice.clone(),
            guard.orders[&order_ref].return_auth.clone(),
        )
    };
    if let Some((url, _)) = hook {
        tokio::spawn(async move {
            let _ = reqwest::Client::new().post(url).form(&form).send().await;
        });
    }
    Redirect::to(&ret).into_response()
}
