//! The calls to Stripe and Telr over HTTP (fact sheet A1–A5, C1–C3). Bases come from
//! the configuration, so tests talk to local stand-ins. Keys travel only in the headers
//! or bodies the providers document and never appear in errors or logs.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::config::Config;

/// The Stripe API version this code was written against; every request pins it (A1).
pub const STRIPE_VERSION: &str = "2026-07-29.dahlia";

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider answered and said no (bad key, bad parameters, …): the message is the
    /// provider's own, which names no secret.
    #[error("{0}")]
    Refused(String),
    /// The provider could not be reached or answered with a server error: try later.
    #[error("the payment provider could not be reached ({0})")]
    Unavailable(String),
}

fn http() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|_| reqwest::Client::new())
    })
}

/// Stripe object ids are letters, digits and underscores; anything else never reaches a URL.
pub fn is_stripe_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 255 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn transport(e: reqwest::Error) -> ProviderError {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    ProviderError::Unavailable(what.to_string())
}

async fn stripe_answer(resp: reqwest::Response) -> Result<Value, ProviderError> {
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(body);
    }
    let message = body["error"]["message"]
        .as_str()
        .unwrap_or("no message")
        .chars()
        .take(300)
        .collect::<String>();
    if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 409 {
        Err(ProviderError::Unavailable(format!(
            "Stripe answered {}",
            status.as_u16()
        )))
    } else {
        Err(ProviderError::Refused(format!(
            "Stripe refused the request ({}): {message}",
            status.as_u16()
        )))
    }
}

fn stripe_get(config: &Config, key: &str, path: &str) -> reqwest::RequestBuilder {
    http()
        .get(config.stripe_url(path))
        .bearer_auth(key)
        .header("Stripe-Version", STRIPE_VERSION)
        .header("Accept", "application/json")
}

/// A live call that proves the key works: `GET /v1/balance`.
pub async fn stripe_check_key(config: &Config, key: &str) -> Result<(), ProviderError> {
    let resp = stripe_get(config, key, "/v1/balance")
        .send()
        .await
        .map_err(transport)?;
    stripe_answer(resp).await.map(|_| ())
}

/// The fields of a Checkout Session this product reads (A3).
#[derive(Debug, Clone, Default)]
pub struct StripeSession {
    pub id: String,
    pub url: Option<String>,
    pub status: String,
    pub payment_status: String,
    pub amount_total: Option<i64>,
    pub currency: Option<String>,
    pub client_reference_id: Option<String>,
    pub metadata: HashMap<String, String>,
    pub payment_intent: Option<String>,
    pub livemode: bool,
}

fn metadata(v: &Value) -> HashMap<String, String> {
    v.as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

impl StripeSession {
    pub fn from_json(v: &Value) -> Option<Self> {
        let text = |k: &str| v[k].as_str().map(str::to_string);
        Some(Self {
            id: text("id")?,
            url: text("url"),
            status: text("status").unwrap_or_default(),
            payment_status: text("payment_status").unwrap_or_default(),
            amount_total: v["amount_total"].as_i64(),
            currency: text("currency"),
            client_reference_id: text("client_reference_id"),
            metadata: metadata(&v["metadata"]),
            payment_intent: match &v["payment_intent"] {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::to_string),
                _ => None,
            },
            livemode: v["livemode"].as_bool().unwrap_or(false),
        })
    }
}

fn session_from(body: Value) -> Result<StripeSession, ProviderError> {
    StripeSession::from_json(&body)
        .ok_or_else(|| ProviderError::Refused("Stripe answered without a session id".into()))
}

/// `POST /v1/checkout/sessions` with the attempt's idempotency key (A2, A5).
pub async fn stripe_create_session(
    config: &Config,
    key: &str,
    idempotency_key: &str,
    params: &[(String, String)],
) -> Result<StripeSession, ProviderError> {
    let resp = http()
        .post(config.stripe_url("/v1/checkout/sessions"))
        .bearer_auth(key)
        .header("Stripe-Version", STRIPE_VERSION)
        .header("Accept", "application/json")
        .header("Idempotency-Key", idempotency_key)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(crate::payments::stripe::encode_form(params))
        .send()
        .await
        .map_err(transport)?;
    session_from(stripe_answer(resp).await?)
}

/// `GET /v1/checkout/sessions/{id}` (A4).
pub async fn stripe_session(
    config: &Config,
    key: &str,
    id: &str,
) -> Result<StripeSession, ProviderError> {
    if !is_stripe_id(id) {
        return Err(ProviderError::Refused("not a Stripe session id".into()));
    }
    let resp = stripe_get(config, key, &format!("/v1/checkout/sessions/{id}"))
        .send()
        .await
        .map_err(transport)?;
    session_from(stripe_answer(resp).await?)
}

/// `POST /v1/checkout/sessions/{id}/expire` (A4): an attempt being replaced can no
/// longer be paid.
pub async fn stripe_expire_session(
    config: &Config,
    key: &str,
    id: &str,
) -> Result<(), ProviderError> {
    if !is_stripe_id(id) {
        return Err(ProviderError::Refused("not a Stripe session id".into()));
    }
    let resp = http()
        .post(config.stripe_url(&format!("/v1/checkout/sessions/{id}/expire")))
        .bearer_auth(key)
        .header("Stripe-Version", STRIPE_VERSION)
        .header("Accept", "application/json")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send()
        .await
        .map_err(transport)?;
    stripe_answer(resp).await.map(|_| ())
}

/// A PaymentIntent's metadata (where Checkout copies `payment_intent_data[metadata]`).
pub async fn stripe_payment_intent_metadata(
    config: &Config,
    key: &str,
    id: &str,
) -> Result<HashMap<String, String>, ProviderError> {
    if !is_stripe_id(id) {
        return Err(ProviderError::Refused(
            "not a Stripe payment intent id".into(),
        ));
    }
    let resp = stripe_get(config, key, &format!("/v1/payment_intents/{id}"))
        .send()
        .await
        .map_err(transport)?;
    Ok(metadata(&stripe_answer(resp).await?["metadata"]))
}

/// A Telr `order.json` call (create or check, C2/C3): form body, JSON answer. A Telr
/// error object becomes [`ProviderError::Refused`] with Telr's message.
pub async fn telr_call(config: &Config, form: &[(String, String)]) -> Result<Value, ProviderError> {
    let resp = http()
        .post(config.telr_order_url())
        .header("Accept", "application/json")
        .form(form)
        .send()
        .await
        .map_err(transport)?;
    let status = resp.status();
    if status.is_server_error() {
        return Err(ProviderError::Unavailable(format!(
            "Telr answered {}",
            status.as_u16()
        )));
    }
    let body: Value = resp.json().await.map_err(|_| {
        ProviderError::Unavailable("Telr answered something other than JSON".into())
    })?;
    if let Some(err) = body.get("error") {
        #[derive(Deserialize)]
        struct E {
            message: Option<String>,
            note: Option<String>,
        }
        let e: E = serde_json::from_value(err.clone()).unwrap_or(E {
            message: None,
            note: None,
        });
        let text = [e.message, e.note]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" — ");
        return Err(ProviderError::Refused(format!(
            "Telr refused the request: {}",
            text.chars().take(300).collect::<String>()
        )));
    }
    if !status.is_success() {
        return Err(ProviderError::Refused(format!(
            "Telr answered {}",
            status.as_u16()
        )));
    }
    Ok(body)
}
