//! The back office. Sign-in and staff accounts, clients and contacts with
//! their Client Portal section, quotes and invoices, work, files, requests and settings.

mod api_tokens;
mod audit;
mod catalogue;
mod client_edit;
mod client_forms;
mod client_import;
mod clients;
mod document_actions;
mod document_form;
mod document_print;
mod documents;
mod integrations;
mod invite;
mod invoice_settings;
mod login;
mod offline_payments;
pub mod requests;
pub mod session;
mod settings;
mod setup;
mod team;

pub use document_print::pdf_response as documents_pdf_response;
pub mod files;
mod jobs;
mod projects;
mod record_form;
mod tasks;
mod visits;
mod work_common;
mod work_delete;

use axum::routing::{get, post};
use axum::Router;

use crate::app::AppState;

/// `/setup`, the first-run page (outside `/staff`, which needs an account).
pub fn setup_router() -> Router<AppState> {
    Router::new().route("/setup", get(setup::page).post(setup::submit))
}

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
        .route("/team", get(team::page))
        .route("/team/invite", post(team::invite))
        .route("/team/{id}/role", post(team::change_role))
        .route("/team/{id}/disable", post(team::disable))
        .route("/team/{id}/enable", post(team::enable))
        .route("/team/invites/{id}/withdraw", post(team::withdraw_invite))
        .route("/invite", get(invite::page).post(invite::accept))
        .route("/settings", get(settings::page).post(settings::save))
        .route("/settings/logo", post(settings::upload_logo))
        .route("/catalogue", get(catalogue::list).post(catalogue::create))
        .route(
            "/catalogue/{id}",
            get(catalogue::item).post(catalogue::update),
        )
        .route("/catalogue/{id}/archive", post(catalogue::archive))
        .route("/catalogue/{id}/restore", post(catalogue::restore))
        .merge(documents_router())
}

/// Quotes and invoices: the same pages for both, told apart by their path.
fn documents_router() -> Router<AppState> {
    let mut router = Router::new();
    for kind in ["invoices", "quotes"] {
        router = router
            .route(
                &format!("/{kind}"),
                get(documents::list).post(document_form::create),
            )
            .route(&format!("/{kind}/new"), get(document_form::new_form))
            .route(
                &format!("/{kind}/numbering"),
                post(invoice_settings::numbering),
            )
            .route(
                &format!("/{kind}/{{id}}"),
                get(documents::detail).post(document_form::update),
            )
            .route(
                &format!("/{kind}/{{id}}/edit"),
                get(document_form::edit_form),
            )
            .route(
                &format!("/{kind}/{{id}}/send"),
                post(document_actions::send),
            )
            .route(
                &format!("/{kind}/{{id}}/delete"),
                post(document_actions::delete),
            )
            .route(
                &format!("/{kind}/{{id}}/print"),
                get(document_print::print_page),
            )
            .route(&format!("/{kind}/{{id}}/pdf"), get(document_print::pdf));
    }
    router
        .route(
            "/invoices/partial-payments",
            post(invoice_settings::partial_payments),
        )
        .route("/invoices/{id}/void", post(document_actions::void))
        .route("/invoices/{id}/payments", post(offline_payments::record))
        .route("/quotes/{id}/decision", post(document_actions::decide))
        .route(
            "/quotes/{id}/invoice",
            post(document_actions::invoice_quote),
        )
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
        .route("/jobs/{id}/delete", post(work_delete::delete_job))
        .route("/jobs/{id}/visits", post(visits::add_visit))
        .route("/visits/{id}", post(visits::update_visit))
        .route("/visits/{id}/status", post(visits::visit_status))
        .route("/clients/{id}/projects/new", get(projects::new_form))
        .route("/clients/{id}/projects", post(projects::create))
        .route("/projects/{id}", get(projects::show).post(projects::update))
        .route("/projects/{id}/delete", post(work_delete::delete_project))
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
        .route("/tasks/{id}/delete", post(work_delete::delete_task))
}
