//! The JSON API under `/api/v1` (SPEC §10): bearer tokens per workspace, JSON errors
//! with a stable `code`, cursor pages, and an OpenAPI document generated from the code.
//! Everything is scoped by the token's workspace: another workspace's id is a 404.

pub mod auth;
pub mod clients;
pub mod contacts;
pub mod document_routes;
pub mod documents;
pub mod error;
pub mod extract;
pub mod files;
pub mod integrations;
pub mod openapi;
pub mod paging;
pub mod portal;
pub mod products;
pub mod records;
pub mod requests;
pub mod visits;
pub mod work;
pub mod work_delete;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::Router;

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/clients", get(clients::list).post(clients::create))
        .route("/clients/{id}", get(clients::get).patch(clients::update))
        .route("/clients/{id}/archive", post(clients::archive))
        .route("/clients/{id}/unarchive", post(clients::unarchive))
        .route(
            "/clients/{id}/contacts",
            get(contacts::list).post(contacts::create),
        )
        .route(
            "/clients/{id}/contacts/{contact_id}",
            get(contacts::get)
                .patch(contacts::update)
                .delete(contacts::delete),
        )
        .route("/clients/{id}/portal", put(portal::set))
        .route("/clients/{id}/portal/regenerate", post(portal::regenerate))
        .route("/invoices", get(records::list_invoices))
        .route("/invoices/{id}", get(records::get_invoice))
        .route("/quotes", get(records::list_quotes))
        .route("/quotes/{id}", get(records::get_quote))
        .route("/payments", get(records::list_payments))
        .route("/payments/{id}", get(records::get_payment))
        .route("/jobs", get(records::list_jobs))
        .route("/jobs/{id}", get(records::get_job))
        .route("/projects", get(records::list_projects))
        .route("/projects/{id}", get(records::get_project))
        .route("/tasks", get(records::list_tasks))
        .route("/tasks/{id}", get(records::get_task))
        .route(
            "/requests",
            get(records::list_requests).post(requests::create),
        )
        .route(
            "/requests/{id}",
            get(records::get_request).patch(requests::update),
        )
        .route("/requests/{id}/notes", post(requests::add_note))
        .route("/requests/{id}/convert", post(requests::convert))
        .route("/products", get(records::list_products))
        .route("/products/{id}", get(records::get_product))
        .route(
            "/files",
            get(records::list_files)
                .post(files::upload)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/files/{id}", get(records::get_file))
        .route("/jobs", post(work::create_job))
        .route(
            "/jobs/{id}",
            axum::routing::patch(work::update_job).delete(work_delete::delete_job),
        )
        .route(
            "/jobs/{id}/visits/{visit_id}",
            axum::routing::patch(visits::update_visit),
        )
        .route("/projects", post(work::create_project))
        .route(
            "/projects/{id}",
            axum::routing::patch(work::update_project).delete(work_delete::delete_project),
        )
        .route("/tasks", post(work::create_task))
        .route(
            "/tasks/{id}",
            axum::routing::patch(work::update_task).delete(work_delete::delete_task),
        )
        .route(
            "/files/{id}",
            axum::routing::patch(work::rename_file).delete(work::remove_file),
        )
        .route("/integrations", get(integrations::list))
        .route(
            "/integrations/stripe",
            put(integrations::put_stripe).delete(integrations::delete_stripe),
        )
        .route(
            "/integrations/telr",
            put(integrations::put_telr).delete(integrations::delete_telr),
        )
        .route(
            "/integrations/{provider}",
            axum::routing::delete(integrations::delete),
        )
        .route("/invoices", post(document_routes::create_invoice))
        .route(
            "/invoices/{id}",
            put(document_routes::update_invoice).delete(document_routes::delete_invoice),
        )
        .route("/invoices/{id}/send", post(document_routes::send_invoice))
        .route("/invoices/{id}/void", post(document_routes::void_invoice))
        .route(
            "/invoices/{id}/payments",
            post(document_routes::pay_invoice),
        )
        .route("/quotes", post(document_routes::create_quote))
        .route(
            "/quotes/{id}",
            put(document_routes::update_quote).delete(document_routes::delete_quote),
        )
        .route("/quotes/{id}/send", post(document_routes::send_quote))
        .route("/quotes/{id}/decision", post(document_routes::decide_quote))
        .route("/products", post(products::create))
        .route("/products/{id}", axum::routing::patch(products::update))
        .route("/products/{id}/archive", post(products::archive))
        .route("/products/{id}/restore", post(products::restore))
        .fallback(|| async {
            error::for_status(StatusCode::NOT_FOUND, "There is no such API route.")
        })
        .method_not_allowed_fallback(|| async {
            error::for_status(
                StatusCode::METHOD_NOT_ALLOWED,
                "This API route does not take that method.",
            )
        })
}

/// Outermost layer: under `/api/`, an error answered by something other than the API's
/// own handlers (the NUL and cross-site checks, a timeout, a caught panic) is rewritten
/// as the API's JSON error, so an API caller never receives an HTML page.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let response = next.run(req).await;
    if !is_api || !(response.status().is_client_error() || response.status().is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json {
        return response;
    }
    let status = response.status();
    let message = match status {
        StatusCode::BAD_REQUEST => "The request could not be read.",
        StatusCode::FORBIDDEN => "The request was refused.",
        StatusCode::PAYLOAD_TOO_LARGE => "The request body is too large.",
        StatusCode::SERVICE_UNAVAILABLE => "The server is busy; please try again.",
        s if s.is_server_error() => "Something went wrong on our side; please try again.",
        _ => "The request could not be served.",
    };
    let mut out = error::for_status(status, message);
    // Keep the request id and security headers the inner layers set.
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    out
}
