//! The OpenAPI 3 description of `/api/v1`, generated from the handlers' annotations and
//! the request/response types (utoipa), so it cannot drift from the code it describes.

use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    clients, contacts, document_routes, error, files, integrations, portal, products, records,
    requests, visits, work, work_delete,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portico API",
        version = "1",
        description = "The back office's clients, contacts and portal access, and read access to its documents and work, for other systems of the business. \
Authenticate with `Authorization: Bearer <token>` (tokens are made under API tokens in the back office). \
Errors are JSON `{\"code\", \"message\", \"field\"}` with a stable `code`: `bad_request` (400, a malformed body), \
`unauthorized` (401), `forbidden` (403), `not_found` (404), `method_not_allowed` (405), `conflict` (409), \
`payload_too_large` (413, a body over the size limit), `validation_failed` (422), `internal` (500), `unavailable` (503). Lists take `limit` and `cursor` \
and answer `next_cursor` (null on the last page)."
    ),
    paths(
        clients::list,
        clients::get,
        clients::create,
        clients::update,
        clients::archive,
        clients::unarchive,
        contacts::list,
        contacts::get,
        contacts::create,
        contacts::update,
        contacts::delete,
        portal::set,
        portal::regenerate,
        records::list_invoices,
        records::get_invoice,
        records::list_quotes,
        records::get_quote,
        records::list_payments,
        records::get_payment,
        records::list_jobs,
        records::get_job,
        records::list_projects,
        records::get_project,
        records::list_tasks,
        records::get_task,
        records::list_requests,
        records::get_request,
        requests::create,
        requests::update,
        requests::add_note,
        requests::convert,
        records::list_products,
        records::get_product,
        records::list_files,
        records::get_file,
        files::upload,
        work::create_job,
        work::update_job,
        work_delete::delete_job,
        visits::update_visit,
        work::create_project,
        work::update_project,
        work_delete::delete_project,
        work::create_task,
        work::update_task,
        work_delete::delete_task,
        work::rename_file,
        work::remove_file,
        integrations::list,
        integrations::put_stripe,
        integrations::put_telr,
        integrations::delete,
        document_routes::create_invoice,
        document_routes::update_invoice,
        document_routes::delete_invoice,
        document_routes::send_invoice,
        document_routes::void_invoice,
        document_routes::pay_invoice,
        document_routes::create_quote,
        document_routes::update_quote,
        document_routes::delete_quote,
        document_routes::send_quote,
        document_routes::decide_quote,
        products::create,
        products::update,
        products::archive,
        products::restore,
        document,
    ),
    components(schemas(
        error::ApiErrorBody,
        error::FieldProblem,
        clients::KindFilter,
        clients::PortalFilter,
        products::ProductKind
    )),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "clients", description = "Companies and individuals"),
        (name = "contacts", description = "The people of a client"),
        (name = "portal", description = "A client's portal access and link"),
        (name = "invoices", description = "Invoices: read, create, replace and delete drafts, send, void, record offline payments"),
        (name = "quotes", description = "Quotes: read, create, replace and delete drafts, send, mark accepted or declined"),
        (name = "payments", description = "Payments (read-only)"),
        (name = "jobs", description = "Jobs: list, get, create, update, delete; reschedule and assign their visits"),
        (name = "projects", description = "Projects: list, get, create, update, delete"),
        (name = "tasks", description = "Tasks: list, get, create, update, delete"),
        (name = "requests", description = "Client requests: list, get, take one for a client, change status and assignee, add internal notes, convert to a draft quote or job"),
        (name = "products", description = "Products and services: list, get, create, update, archive, restore"),
        (name = "files", description = "Attached files: upload to a job or invoice (multipart), list and get their descriptions, rename, remove"),
        (name = "integrations", description = "Payment providers (Stripe, Telr): connect, list, disconnect"),
        (name = "meta", description = "This description"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// This document (needs no token).
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "The OpenAPI 3 document", content_type = "application/json")))]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
