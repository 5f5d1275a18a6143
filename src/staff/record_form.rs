//! The form flow the job, project and task screens share: a submitted form is read and
//! validated, stored, audited and followed by a redirect to the record; or the page is
//! shown again (422) with every problem named and nothing saved.

use std::future::Future;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::StaffUser;
use super::work_common::errors_from_store;
use crate::app::AppState;
use crate::domain::request_form::FieldError;
use crate::store::StoreResult;
use crate::web::error::AppResult;

/// A page that shows a form with its errors; `has_error` marks a field in the template.
pub trait FormErrors {
    fn errors(&self) -> &[FieldError];

    fn has_error(&self, field: &str) -> bool {
        self.errors().iter().any(|e| e.field == field)
    }
}

/// `?notice=…` on a record page after a redirect.
#[derive(Deserialize)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

/// The notice of a record page: `created` and `saved`, then `more` for anything else.
pub fn notice(
    q: &NoticeQuery,
    created: &'static str,
    saved: &'static str,
    more: fn(Option<&str>) -> Option<&'static str>,
) -> Option<&'static str> {
    match q.notice.as_deref() {
        Some("created") => Some(created),
        Some("saved") => Some(saved),
        other => more(other),
    }
}

/// For pages with no notices beyond `created` and `saved`.
pub fn no_more(_: Option<&str>) -> Option<&'static str> {
    None
}

/// A rendered page.
pub fn shown(page: impl Template) -> AppResult<Html<String>> {
    Ok(Html(page.render()?))
}

/// The page again with the form's errors.
pub fn refused(page: impl Template) -> AppResult<Response> {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}

/// What a stored form tells the audit log, and the page to go to next.
pub struct Saved {
    /// `false` when a form sent again found what its first send made: nothing new to audit.
    pub made_now: bool,
    pub action: &'static str,
    pub subject: (&'static str, i64),
    pub client_id: i64,
    pub detail: String,
    pub next: String,
}

/// Stores a read form with `store` and audits it: `Ok(redirect)`; or `Err(errors)` —
/// the form's own, or a store refusal naming a field — for the page to show again.
pub async fn save<V, F, Fut>(
    state: &AppState,
    user: &StaffUser,
    ip: &str,
    read: Result<V, Vec<FieldError>>,
    store: F,
) -> AppResult<Result<Response, Vec<FieldError>>>
where
    F: FnOnce(V) -> Fut,
    Fut: Future<Output = StoreResult<Saved>>,
{
    let valid = match read {
        Ok(valid) => valid,
        Err(errors) => return Ok(Err(errors)),
    };
    match store(valid).await {
        Ok(saved) => {
            if saved.made_now {
                user.audit(
                    state,
                    saved.action,
                    saved.subject,
                    Some(saved.client_id),
                    ip,
                    &saved.detail,
                )
                .await?;
            }
            Ok(Ok(Redirect::to(&saved.next).into_response()))
        }
        Err(e) => Ok(Err(errors_from_store(e)?)),
    }
}
