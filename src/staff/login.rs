//! Staff sign-in and sign-out.

use crate::web::extract::Form;
use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::session::StaffUser;
use crate::app::AppState;
use crate::auth::staff_login::{self, StaffLoginOutcome};
use crate::crypto::random_token;
use crate::web::cookies::{self, PRE_SESSION, STAFF_SESSION};
use crate::web::error::AppResult;
use crate::web::{csrf, ClientIp};

#[derive(Template)]
#[template(path = "staff/login.html")]
struct LoginPage {
    csrf: String,
    email: String,
    error: Option<String>,
}

fn render(
    state: &AppState,
    jar: CookieJar,
    status: StatusCode,
    email: String,
    error: Option<String>,
) -> AppResult<Response> {
    let https = state.config.is_https();
    let (jar, pre) = match cookies::get(&jar, PRE_SESSION, https) {
        Some(v) => (jar, v),
        None => {
            let v = random_token(32);
            (jar.add(cookies::build(PRE_SESSION, v.clone(), https)), v)
        }
    };
    let page = LoginPage {
        csrf: csrf::token(state.config.secret.bytes(), &pre),
        email,
        error,
    };
    Ok((jar, (status, Html(page.render()?))).into_response())
}

pub async fn page(State(state): State<AppState>, jar: CookieJar) -> AppResult<Response> {
    // Nobody can sign in before the first owner exists: send them to set it up.
    if state.store.setup_open().await? {
        return Ok(Redirect::to("/setup").into_response());
    }
    render(&state, jar, StatusCode::OK, String::new(), None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let https = state.config.is_https();
    let pre = cookies::get(&jar, PRE_SESSION, https).unwrap_or_default();
    csrf::verify(state.config.secret.bytes(), &pre, &form.csrf)?;
    match staff_login::login(&state, &form.email, &form.password, &ip).await? {
        StaffLoginOutcome::LoggedIn { session_token } => {
            let jar = jar.remove(cookies::removal(PRE_SESSION, https)).add(cookies::build(STAFF_SESSION, session_token, https));
            Ok((jar, Redirect::to("/staff/clients")).into_response())
        }
        StaffLoginOutcome::Rejected => render(
            &state,
            jar,
            StatusCode::UNAUTHORIZED,
            form.email.chars().take(254).collect(),
            Some("Email or password is not right, or the account is locked for a few minutes after too many tries.".into()),
        ),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let now = state.clock.now_ms();
    state
        .store
        .revoke_staff_session(&crate::crypto::token_hash(&user.token), now)
        .await?;
    user.audit(
        &state,
        "staff.logout",
        ("staff_user", user.id.get()),
        None,
        &ip,
        "",
    )
    .await?;
    let jar = jar.remove(cookies::removal(STAFF_SESSION, state.config.is_https()));
    Ok((
        jar,
        [(header::CACHE_CONTROL, "no-store")],
        Redirect::to("/staff/login"),
    )
        .into_response())
}
