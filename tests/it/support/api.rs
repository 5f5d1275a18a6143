//! An API caller for tests: one bearer token of a workspace, JSON in and out.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use portico::ids::WorkspaceId;

use super::TestApp;

pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Api {
    /// A caller with a new token of `ws`, made the way the back office makes one.
    pub async fn new(app: &TestApp, ws: WorkspaceId) -> Self {
        let (token, hash, prefix) = portico::domain::api_token::generate();
        app.state
            .store
            .create_api_token(ws, "tests", &hash, &prefix, None, app.now_ms())
            .await
            .unwrap();
        Self {
            client: reqwest::Client::new(),
            base: app.url("/api/v1"),
            token,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        read(req.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, None).await
    }

    /// A POST of a prepared body (e.g. multipart) with its content type.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let req = self
            .client
            .post(format!("{}{}", self.base, path))
            .bearer_auth(&self.token)
            .header("content-type", content_type)
            .body(body);
        read(req.send().await.unwrap()).await
    }
}

/// Status and JSON body; every API answer with a body is JSON.
async fn read(r: reqwest::Response) -> (StatusCode, Value) {
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
