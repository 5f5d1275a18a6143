//! The one error type handlers return. Server errors are logged with the request's id
//! and shown to the user without anything internal; the rest become clear pages.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("too many requests")]
    TooManyRequests,
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
    back_href: &'static str,
    back_label: &'static str,
}

/// Where an error page points back to, chosen from the request alone (its path, and
/// whether it carries a portal session cookie) so that nothing can fail on the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WayBack {
    /// The client portal sign-in: for anyone not known to be signed in.
    PortalSignIn,
    /// The portal home of a signed-in client.
    PortalHome,
    /// The back office's start page.
    StaffStart,
}

impl WayBack {
    pub fn for_request(path: &str, has_portal_session: bool) -> Self {
        let under = |prefix: &str| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        if under("/staff") {
            WayBack::StaffStart
        } else if under("/portal") && has_portal_session {
            WayBack::PortalHome
        } else {
            WayBack::PortalSignIn
        }
    }

    fn link(self) -> (&'static str, &'static str) {
        match self {
            WayBack::PortalSignIn => ("/portal", "Go to the client portal sign-in"),
            WayBack::PortalHome => ("/portal/home", "Go to your portal home"),
            WayBack::StaffStart => ("/staff", "Go to the back office start page"),
        }
    }
}

tokio::task_local! {
    /// The way back for error pages rendered while the current request is handled.
    pub static WAY_BACK: WayBack;
}

pub type AppResult<T> = Result<T, AppError>;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, title, message) = match &self {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is nothing here. Check the address, or go back to the start page."
                    .to_string(),
            ),
            AppError::BadRequest(why) => (
                StatusCode::BAD_REQUEST,
                "Something in the request was not right",
                why.clone(),
            ),
            AppError::Forbidden(why) => (StatusCode::FORBIDDEN, "Not allowed", why.clone()),
            AppError::TooManyRequests => (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many attempts",
                "Please wait a little and try again.".to_string(),
            ),
            AppError::Internal(e) => {
                tracing::error!(error = %e, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on our side",
                    "The problem has been logged. Please try again in a moment.".to_string(),
                )
            }
        };
        error_page(status, title, &message)
    }
}

/// Renders the plain error page; used for errors raised outside handlers too.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let (back_href, back_label) = WAY_BACK
        .try_with(|way| *way)
        .unwrap_or(WayBack::PortalSignIn)
        .link();
    let body = ErrorPage {
        status: status.as_u16(),
        title,
        message,
        back_href,
        back_label,
    }
    .render()
    .unwrap_or_else(|_| title.to_string());
    (status, Html(body)).into_response()
}
