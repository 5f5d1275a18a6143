//! Static assets compiled into the binary, and the per-workspace brand stylesheet (so the
//! strict CSP needs no inline styles).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::app::AppState;
use crate::ids::WorkspaceId;

const APP_CSS: &str = include_str!("../../static/app.css");
const APP_JS: &str = include_str!("../../static/app.js");

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/static/app.css",
            get(|| async { asset("text/css; charset=utf-8", APP_CSS) }),
        )
        .route(
            "/static/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route("/static/brand/{workspace}", get(brand_css))
        .route("/static/logo/{workspace}/{id}", get(logo))
}

/// Where a logo is served (the id makes each upload a new address, so it can be cached).
pub fn logo_src(ws: WorkspaceId, logo: &crate::store::settings::Logo) -> String {
    format!("/static/logo/{ws}/{}", logo.id)
}

/// A workspace's current logo (public: the portal's sign-in page shows it). Its type was
/// checked from its bytes at upload; an old id answers 404.
async fn logo(State(state): State<AppState>, Path((ws, id)): Path<(String, String)>) -> Response {
    use axum::http::StatusCode;
    let not_found = || StatusCode::NOT_FOUND.into_response();
    let (Ok(ws), Ok(id)) = (ws.parse::<WorkspaceId>(), id.parse::<i64>()) else {
        return not_found();
    };
    let current = match state.store.logo(ws).await {
        Ok(Some(l)) if l.id == id => l,
        Ok(_) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "logo lookup failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    match state
        .files
        .open(&crate::store::settings::logo_key(ws, current.id), None)
        .await
    {
        Ok(stream) => (
            [
                (header::CONTENT_TYPE, current.content_type),
                (header::CACHE_CONTROL, "public, max-age=86400".to_string()),
            ],
            axum::body::Body::from_stream(stream),
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "logo bytes missing");
            not_found()
        }
    }
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// `:root { --accent: … }` for a workspace; the colour was validated when saved and is
/// checked again here, so nothing but a hex colour reaches the stylesheet.
async fn brand_css(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let id = file
        .strip_suffix(".css")
        .and_then(|s| s.parse::<WorkspaceId>().ok());
    let accent = match id {
        Some(id) => state
            .store
            .business_profile(id)
            .await
            .map(|p| p.accent_colour)
            .ok(),
        None => None,
    };
    let accent = accent
        .filter(|c| is_hex_colour(c))
        .unwrap_or_else(|| "#1f6f5c".to_string());
    let css = format!(":root {{ --accent: {accent}; }}\n");
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        css,
    )
        .into_response()
}

pub fn is_hex_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
}
