//! The client portal: sign-in by emailed code, then the client's own records.

mod home;
mod login;
pub mod session;
mod view;

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
        .route("/{access_key}", get(login::client_login_page))
}
