//! The request extractors handlers use: axum's own, but a request they cannot read gets
//! the product's error page with a plain message, never the framework's raw text.

use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};

use super::error::AppError;

/// A URL-encoded form body. One that holds a NUL character is refused with a plain
/// message (PostgreSQL cannot store NUL in text).
pub struct Form<T>(pub T);

impl<T, S> FromRequest<S> for Form<T>
where
    axum::Form<T>: FromRequest<S, Rejection = FormRejection>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        if req.extensions().get::<FormHasNul>().is_some() {
            return Err(AppError::BadRequest(NUL_MESSAGE.into()));
        }
        let axum::Form(value) = axum::Form::<T>::from_request(req, state).await?;
        Ok(Form(value))
    }
}

/// A URL-encoded form body that may hold NUL characters, for a handler whose validation
/// names every text field holding one (see `domain::text`) and answers with the form
/// again, so that what was typed is not lost.
#[derive(FromRequest)]
#[from_request(via(axum::Form), rejection(AppError))]
pub struct TextForm<T>(pub T);

/// Set on a request whose form body holds a NUL character.
#[derive(Debug, Clone, Copy)]
pub struct FormHasNul;

pub const NUL_MESSAGE: &str = "The request contains a NUL character, which is not allowed.";

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
