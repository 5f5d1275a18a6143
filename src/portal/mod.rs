//! The client portal: sign-in by emailed code, then the client's own records.

mod business;
mod documents;
pub mod files;
mod home;
mod login;
pub mod pay;
mod printable;
mod requests;
pub mod session;
mod view;
mod work;

use axum::routing::{get, post};
use axum::Router;

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(login::workspace_login_page))
        .route("/login", post(login::start))
        .route("/verify", get(login::verify_page).post(login::verify))
        .route("/resend", post(login::resend))
        .route("/choose", get(login::choose_page).post(login::choose))
        .route("/logout", post(login::logout))
        .route("/home", get(home::home))
        .route("/files", get(files::files))
        .route("/files/{id}/download", get(files::download))
        .route("/invoices", get(documents::invoices))
        .route("/invoices/{id}", get(documents::invoice))
        .route("/invoices/{id}/pay", post(pay::pay))
        .route("/pay/stripe/return", get(pay::stripe_return))
        .route("/pay/telr/return/{id}", get(pay::telr_return))
        .route("/quotes", get(documents::quotes))
        .route("/quotes/{id}", get(documents::quote))
        .route("/requests", get(requests::list).post(requests::create))
        .route("/requests/new", get(requests::new_form))
        .route("/requests/{id}", get(requests::detail))
        .route("/tasks", get(work::tasks))
        .route("/tasks/{id}", get(work::task))
        .route("/projects", get(work::projects))
        .route("/projects/{id}", get(work::project))
        .route("/jobs", get(work::jobs))
        .route("/jobs/{id}", get(work::job))
        .route("/products", get(business::products))
        .route("/products/{id}", get(business::product))
        .route("/about", get(business::about))
        .route("/contact", get(business::contact))
        .route("/invoices/{id}/print", get(printable::invoice_print))
        .route("/invoices/{id}/pdf", get(printable::invoice_pdf))
        .route("/quotes/{id}/print", get(printable::quote_print))
        .route("/quotes/{id}/pdf", get(printable::quote_pdf))
        .route("/{access_key}", get(login::client_login_page))
        .route("/{access_key}/", get(login::client_login_page_slashed))
        .route(
            "/{access_key}/{*rest}",
            get(login::client_login_page_slashed),
        )
}
