//! The back office. This first slice: sign-in, the clients list, a client's record with
//! its Client Portal section, and contact pages.

mod api_tokens;
mod audit;
mod client_edit;
mod client_forms;
mod client_import;
mod clients;
pub mod files;
mod integrations;
mod jobs;
mod login;
mod projects;
mod requests;
pub mod session;
mod tasks;
mod work_common;

use axum::routing::{get, post};
use axum::Router;

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/staff/clients") }),
        )
        .route("/login", get(login::page).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/audit", get(audit::page))
        .route("/integrations", get(integrations::page))
        .route("/integrations/stripe", post(integrations::connect_stripe))
        .route(
            "/integrations/stripe/disconnect",
            post(integrations::disconnect_stripe),
        )
        .route("/integrations/telr", post(integrations::connect_telr))
        .route(
            "/integrations/telr/disconnect",
            post(integrations::disconnect_telr),
        )
        .route(
            "/api-tokens",
            get(api_tokens::page).post(api_tokens::create),
        )
        .route("/api-tokens/{id}/revoke", post(api_tokens::revoke))
        .route(
            "/clients",
            get(clients::list).post(client_forms::create_client),
        )
        .route("/clients/new", get(client_forms::new_client))
        .route("/clients/{id}/contacts/new", get(client_forms::new_contact))
        .route("/clients/{id}/contacts", post(client_forms::create_contact))
        .route("/clients/{id}", get(clients::record))
        .route("/clients/{id}/portal", post(clients::set_portal))
        .route("/clients/{id}/portal/regenerate", post(clients::regenerate))
        .route("/requests", get(requests::list))
        .route("/requests/{id}", get(requests::detail))
        .route("/requests/{id}/status", post(requests::set_status))
        .route("/requests/{id}/assign", post(requests::assign))
        .route("/requests/{id}/notes", post(requests::add_note))
        .route("/requests/{id}/convert", post(requests::convert))
        .route("/contacts/{id}", get(clients::contact))
        .route("/contacts/{id}/email", post(clients::contact_email))
        .route(
            "/clients/{id}/files",
            post(files::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/files/{id}/download", get(files::download))
        .route("/files/{id}/rename", post(files::rename))
        .route("/files/{id}/remove", post(files::remove))
        .route("/clients/{id}/jobs/new", get(jobs::new_form))
        .route("/clients/{id}/jobs", post(jobs::create))
        .route("/jobs/{id}", get(jobs::show).post(jobs::update))
        .route("/jobs/{id}/visits", post(jobs::add_visit))
        .route("/visits/{id}/status", post(jobs::visit_status))
        .route("/clients/{id}/projects/new", get(projects::new_form))
        .route("/clients/{id}/projects", post(projects::create))
        .route("/projects/{id}", get(projects::show).post(projects::update))
        .route(
            "/clients/import",
            get(client_import::page)
                .post(client_import::upload)
                .layer(axum::extract::DefaultBodyLimit::max(6 * 1024 * 1024)),
        )
        .route("/clients/import/{id}", get(client_import::status))
        .route(
            "/clients/import/{id}/progress",
            get(client_import::progress),
        )
        .route("/clients/import/{id}/confirm", post(client_import::confirm))
        .route(
            "/clients/{id}/edit",
            get(client_edit::edit_client_form).post(client_edit::edit_client),
        )
        .route("/clients/{id}/archive", post(client_edit::archive))
        .route("/clients/{id}/unarchive", post(client_edit::unarchive))
        .route(
            "/contacts/{id}/edit",
            get(client_edit::edit_contact_form).post(client_edit::edit_contact),
        )
        .route("/clients/{id}/tasks/new", get(tasks::new_form))
        .route("/clients/{id}/tasks", post(tasks::create))
        .route("/tasks/{id}", get(tasks::show).post(tasks::update))
}
