//! The API's one error shape: `{"code", "message", "field"}` with a stable `code`, and
//! for validation every problem in `errors`. Server errors are logged and described to
//! the caller without anything internal.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::request_form::FieldError;
use crate::store::StoreError;

/// An error answer. `code` is one of `bad_request`, `unauthorized`, `forbidden`,
/// `not_found`, `method_not_allowed`, `conflict`, `validation_failed`,
/// `payload_too_large`, `internal`, `unavailable`; `field` names the request field at
/// fault when there is one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiErrorBody {
    /// A stable, machine-readable error code.
    #[schema(example = "validation_failed")]
    pub code: &'static str,
    /// A sentence for people.
    pub message: String,
    /// The request field at fault, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For `validation_failed`: every problem found, each naming its field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldProblem>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ApiErrorBody,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ApiErrorBody {
                code,
                message: message.into(),
                field: None,
                errors: None,
            },
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.body.field = Some(field.into());
        self
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "There is no such record.",
        )
    }

    pub fn unauthorized(message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// A service this request depends on could not be reached; nothing was changed.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    /// One problem with one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::from_problems(vec![FieldProblem {
            field: field.to_string(),
            message: message.into(),
        }])
    }

    /// Every problem the domain validation found; the first is also in `field`/`message`.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        Self::from_problems(
            errors
                .into_iter()
                .map(|e| FieldProblem {
                    field: e.field.to_string(),
                    message: e.message,
                })
                .collect(),
        )
    }

    pub fn from_problems(problems: Vec<FieldProblem>) -> Self {
        let (field, message) = problems
            .first()
            .map(|p| (Some(p.field.clone()), p.message.clone()))
            .unwrap_or((None, "The request is not valid.".to_string()));
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: ApiErrorBody {
                code: "validation_failed",
                message,
                field,
                errors: Some(problems),
            },
        }
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "api request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side; it has been logged. Please try again.",
        )
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn code(&self) -> &'static str {
        self.body.code
    }

    pub fn into_body(self) -> ApiErrorBody {
        self.body
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Conflict(_) => {
                ApiError::conflict("This conflicts with a record that already exists.")
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(_: QueryRejection) -> Self {
        ApiError::bad_request("The query string could not be read.")
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        ApiError::not_found()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let unauthorized = self.status == StatusCode::UNAUTHORIZED;
        let mut response = (self.status, Json(self.body)).into_response();
        if unauthorized {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"api\""),
            );
        }
        response
    }
}

/// The code for an HTTP status, for errors raised outside the API's handlers.
pub fn code_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::CONFLICT => "conflict",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNPROCESSABLE_ENTITY => "validation_failed",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    }
}

/// A JSON error for a status alone (used when a response from outside the API's
/// handlers — a layer, a fallback — would otherwise be an HTML page).
pub fn for_status(status: StatusCode, message: &str) -> Response {
    ApiError::new(status, code_for(status), message).into_response()
}
