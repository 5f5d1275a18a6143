//! HTTP plumbing shared by every feature: the root router, security headers, request ids,
//! static assets, health and metrics endpoints, CSRF and cookies.

pub mod assets;
pub mod cookies;
pub mod csrf;
pub mod error;
pub mod extract;
pub mod metrics;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{header, request::Parts, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::app::AppState;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The policy for a page whose forms may lead to other origins: Pay now posts here and is
/// redirected to the payment provider's page, and browsers apply `form-action` to every
/// redirect of a form submission. Only configured provider origins are added.
pub fn csp_allowing_forms_to(origins: &[String]) -> HeaderValue {
    let extra: String = origins
        .iter()
        .filter(|o| {
            o.bytes()
                .all(|b| b.is_ascii_graphic() && b != b';' && b != b',')
        })
        .map(|o| format!(" {o}"))
        .collect();
    let policy = CSP.replace("form-action 'self'", &format!("form-action 'self'{extra}"));
    HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static(CSP))
}

pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    // HSTS only when the product is served over https; on plain http it would be ignored.
    let hsts = if state.config.is_https() {
        Some(HeaderValue::from_static(
            "max-age=31536000; includeSubDomains",
        ))
    } else {
        None
    };
    Router::new()
        .route("/", get(|| async { Redirect::to("/portal") }))
        .route("/portal/", get(|| async { Redirect::to("/portal") }))
        .route("/staff/", get(|| async { Redirect::to("/staff") }))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .merge(assets::router())
        .nest("/portal", crate::portal::router())
        .nest("/staff", crate::staff::router())
        .merge(crate::staff::setup_router())
        .nest("/api/v1", crate::api::router())
        .nest("/webhooks", crate::payments::webhooks::router())
        .fallback(|| async { error::AppError::NotFound })
        .method_not_allowed_fallback(|| async {
            error::error_page(StatusCode::METHOD_NOT_ALLOWED, "Not available this way", "This address cannot be used like that. Go back and use the page's own links and buttons.")
        })
        .layer(middleware::from_fn(reject_nul_bytes))
        .layer(middleware::from_fn(reject_cross_site))
        .layer(middleware::from_fn_with_state(state.clone(), count_requests))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::STRICT_TRANSPORT_SECURITY, move |_: &axum::http::Response<axum::body::Body>| hsts.clone()))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(middleware::from_fn(request_timeout))
        .layer(CatchPanicLayer::custom(|_| {
            error::error_page(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side", "The problem has been logged. Please try again in a moment.")
        }))
        .layer(middleware::from_fn_with_state(state.clone(), error_way_back))
        .layer(middleware::from_fn(crate::api::json_errors))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// How long a request may take before it is answered 503.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The same for file uploads and CSV imports, whose bodies can take minutes to arrive
/// on a slow line (a 50 MiB file at 5 Mbit/s takes about 90 seconds).
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(15 * 60);

fn is_upload(method: &Method, path: &str) -> bool {
    method == Method::POST
        && (path == "/staff/clients/import"
            || (path.starts_with("/staff/clients/") && path.ends_with("/files")))
}

async fn request_timeout(req: Request, next: Next) -> Response {
    let limit = if is_upload(req.method(), req.uri().path()) {
        UPLOAD_TIMEOUT
    } else {
        REQUEST_TIMEOUT
    };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::error!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// Prometheus metrics: with `PORTICO_METRICS_TOKEN` set, for callers presenting it as a
/// bearer token; without it, for callers on this machine only (as the trusted proxies
/// report the client: a request relayed by a local proxy is not local).
async fn metrics(State(state): State<AppState>, parts: axum::http::request::Parts) -> Response {
    use secrecy::ExposeSecret;
    let allowed = match &state.config.metrics_token {
        Some(token) => parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| crate::crypto::constant_time_eq(given, token.expose_secret())),
        None => {
            let peer = parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ci| ci.0.ip());
            let forwarded = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok());
            let ip = client_ip(peer, forwarded, &state.config.trusted_proxies);
            let untrusted_forward = forwarded.is_some() && state.config.trusted_proxies.is_empty();
            !untrusted_forward
                && ip
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
    };
    if !allowed {
        return error::error_page(
            StatusCode::FORBIDDEN,
            "Not allowed",
            "Metrics need the operator's token.",
        );
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

async fn count_requests(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let response = next.run(req).await;
    state.metrics.record(
        response.status().as_u16(),
        started.elapsed().as_micros() as u64,
    );
    response
}

/// Error pages point back to where the request came from; see [`error::WayBack`].
async fn error_way_back(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let jar = axum_extra::extract::cookie::CookieJar::from_headers(req.headers());
    let has_portal_session =
        cookies::get(&jar, cookies::PORTAL_SESSION, state.config.is_https()).is_some();
    let way = error::WayBack::for_request(req.uri().path(), has_portal_session);
    error::WAY_BACK.scope(way, next.run(req)).await
}

/// Fetch Metadata: browsers label requests sent by another site; an unsafe method from
/// one is refused before any handler runs.
async fn reject_cross_site(req: Request, next: Next) -> Response {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let cross_site = req
        .headers()
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site");
    if unsafe_method && cross_site && !req.uri().path().starts_with("/webhooks/") {
        return error::error_page(
            StatusCode::FORBIDDEN,
            "Not allowed",
            "This form was sent from another site and was refused.",
        );
    }
    next.run(req).await
}

/// Largest form body accepted anywhere (file uploads have their own route and limit).
const FORM_BODY_LIMIT: usize = 1024 * 1024;

/// NUL characters are never meaningful in this product and PostgreSQL refuses them in
/// text, so a request carrying one in its path or query is refused here, once, with a
/// clear message, instead of failing deep inside a query. A form body holding one is
/// marked instead: the form extractor refuses it, unless the handler's own validation
/// names the field and shows the form again (`extract::TextForm`).
async fn reject_nul_bytes(req: Request, next: Next) -> Response {
    let bad = || {
        error::error_page(
            StatusCode::BAD_REQUEST,
            "Something in the request was not right",
            extract::NUL_MESSAGE,
        )
    };
    let target = req
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("");
    if has_encoded_nul(target.as_bytes()) {
        return bad();
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, FORM_BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return error::error_page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Too much data",
                "The form sent more data than this page accepts.",
            )
        }
    };
    let mut req = Request::from_parts(parts, axum::body::Body::from(bytes.clone()));
    if bytes.contains(&0) || has_encoded_nul(&bytes) {
        // Pages read forms only through `extract::Form`; anything else (webhooks read
        // raw bodies) is refused here.
        let path = req.uri().path();
        if !(path.starts_with("/portal/") || path.starts_with("/staff/")) {
            return bad();
        }
        req.extensions_mut().insert(extract::FormHasNul);
    }
    next.run(req).await
}

fn has_encoded_nul(bytes: &[u8]) -> bool {
    bytes
        .windows(3)
        .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

/// The client's address, for limits and the audit log: the connection's peer, or — when
/// that peer is one of `PORTICO_TRUSTED_PROXIES` — the right-most address in
/// `X-Forwarded-For` that is not itself a trusted proxy.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

pub fn client_ip(
    peer: Option<std::net::IpAddr>,
    forwarded: Option<&str>,
    trusted: &[std::net::IpAddr],
) -> String {
    let Some(peer) = peer else {
        return "unknown".to_string();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    forwarded
        .into_iter()
        .flat_map(|v| v.rsplit(','))
        .map(str::trim)
        .filter_map(|s| s.parse::<std::net::IpAddr>().ok())
        .find(|ip| !trusted.contains(ip))
        .unwrap_or(peer)
        .to_string()
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ci| ci.0.ip());
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Ok(ClientIp(client_ip(
            peer,
            forwarded,
            &state.config.trusted_proxies,
        )))
    }
}

/// The `User-Agent`, cut to a sane length, for session records.
pub fn user_agent(parts_headers: &axum::http::HeaderMap) -> String {
    parts_headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(200)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::client_ip;

    #[test]
    fn only_file_uploads_and_csv_imports_get_the_long_timeout() {
        use super::{is_upload, Method};
        assert!(is_upload(&Method::POST, "/staff/clients/42/files"));
        assert!(is_upload(&Method::POST, "/staff/clients/import"));
        assert!(!is_upload(&Method::GET, "/staff/clients/42/files"));
        assert!(!is_upload(&Method::POST, "/staff/clients/42/portal"));
        assert!(!is_upload(&Method::POST, "/portal/files"));
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let proxy = "10.0.0.2".parse().ok();
        let trusted = ["10.0.0.2".parse().unwrap(), "10.0.0.3".parse().unwrap()];
        assert_eq!(client_ip(proxy, Some("1.2.3.4"), &trusted), "1.2.3.4");
        assert_eq!(
            client_ip(proxy, Some("6.6.6.6, 1.2.3.4, 10.0.0.3"), &trusted),
            "1.2.3.4",
            "right-most untrusted"
        );
        assert_eq!(
            client_ip("5.5.5.5".parse().ok(), Some("1.2.3.4"), &trusted),
            "5.5.5.5",
            "spoofed header ignored"
        );
        assert_eq!(client_ip(proxy, Some("garbage"), &trusted), "10.0.0.2");
        assert_eq!(client_ip(None, None, &trusted), "unknown");
    }
}
