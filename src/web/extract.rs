//! The request extractors handlers use: axum's own, but a request they cannot read gets
//! the product's error page with a plain message, never the framework's raw text.

use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};

use super::error::AppError;

/// A URL-encoded form body.
#[derive(FromRequest)]
#[from_request(via(axum::Form), rejection(AppError))]
pub struct Form<T>(pub T);

/// The query string.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

/// Path parameters. One that cannot be read (bad UTF-8, say) names nothing that exists.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

impl From<FormRejection> for AppError {
    fn from(rejection: FormRejection) -> Self {
        match rejection {
            FormRejection::InvalidFormContentType(_) => AppError::BadRequest(
                "This page only accepts its own form. Go back, reload the page and send it again."
                    .into(),
            ),
            _ => AppError::BadRequest(
                "The form could not be read. Go back, reload the page and send it again.".into(),
            ),
        }
    }
}

impl From<QueryRejection> for AppError {
    fn from(_: QueryRejection) -> Self {
        AppError::BadRequest("The address has a parameter this page cannot read. Remove what follows the “?” and try again.".into())
    }
}

impl From<PathRejection> for AppError {
    fn from(_: PathRejection) -> Self {
        AppError::NotFound
    }
}
