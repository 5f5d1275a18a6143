//! First-run setup at `/setup`: on a database with no staff, a form for the business
//! name and the owner's name, email and password creates the workspace and its owner
//! and signs the owner in. Once anyone has an account the page is gone (404), and the
//! store makes sure two forms sent at once create one owner.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::password;
use crate::crypto::{random_token, token_hash};
use crate::domain::email::EmailAddress;
use crate::domain::staff::clean_name;
use crate::store::audit::{Actor, AuditEntry};
use crate::store::setup::FirstOwner;
use crate::store::workspaces::NewWorkspace;
use crate::web::cookies::{self, PRE_SESSION, STAFF_SESSION};
use crate::web::error::{AppError, AppResult};
use crate::web::extract::Form;
use crate::web::{csrf, ClientIp};

/// Defaults for a new workspace; both can be changed under Settings.
const DEFAULT_TIME_ZONE: &str = "UTC";
const DEFAULT_CURRENCY: &str = "USD";

#[derive(Template)]
#[template(path = "staff/setup.html")]
struct SetupPage {
    csrf: String,
    business: String,
    name: String,
    email: String,
    errors: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct SetupForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    business: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

fn render(
    state: &AppState,
    jar: CookieJar,
    status: StatusCode,
    form: &SetupForm,
    errors: Vec<String>,
) -> AppResult<Response> {
    let https = state.config.is_https();
    let (jar, pre) = match cookies::get(&jar, PRE_SESSION, https) {
        Some(v) => (jar, v),
        None => {
            let v = random_token(32);
            (jar.add(cookies::build(PRE_SESSION, v.clone(), https)), v)
        }
    };
    let cut = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let page = SetupPage {
        csrf: csrf::token(state.config.secret.bytes(), &pre),
        business: cut(&form.business, 200),
        name: cut(&form.name, 100),
        email: cut(&form.email, 254),
        errors,
    };
    Ok((jar, (status, Html(page.render()?))).into_response())
}

pub async fn page(State(state): State<AppState>, jar: CookieJar) -> AppResult<Response> {
    if !state.store.setup_open().await? {
        return Err(AppError::NotFound);
    }
    render(
        &state,
        jar,
        StatusCode::OK,
        &SetupForm::default(),
        Vec::new(),
    )
}

/// A URL-safe slug from the business name (`main` when nothing usable is left).
fn slug_of(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        "main".into()
    } else {
        slug
    }
}

pub async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    Form(form): Form<SetupForm>,
) -> AppResult<Response> {
    let https = state.config.is_https();
    let pre = cookies::get(&jar, PRE_SESSION, https).unwrap_or_default();
    csrf::verify(state.config.secret.bytes(), &pre, &form.csrf)?;
    if !state.store.setup_open().await? {
        return Err(AppError::NotFound);
    }
    let mut errors = Vec::new();
    let business = form.business.trim().to_string();
    if business.is_empty()
        || business.chars().count() > 200
        || business.chars().any(char::is_control)
    {
        errors.push(
            "Business name: enter your business's name (at most 200 characters).".to_string(),
        );
    }
    let name = clean_name(&form.name).map_err(|e| errors.push(e)).ok();
    let email = EmailAddress::parse(&form.email)
        .map_err(|e| errors.push(format!("Email: {e}.")))
        .ok();
    let hash = password::hash(&form.password)
        .map_err(|e| errors.push(format!("Password: {e}.")))
        .ok();
    let (Some(name), Some(email), Some(hash), true) = (name, email, hash, errors.is_empty()) else {
        return render(&state, jar, StatusCode::UNPROCESSABLE_ENTITY, &form, errors);
    };
    let now = state.clock.now_ms();
    let slug = slug_of(&business);
    let created = state
        .store
        .first_run_setup(
            &NewWorkspace {
                slug: &slug,
                name: &business,
                time_zone: DEFAULT_TIME_ZONE,
                default_currency: DEFAULT_CURRENCY,
            },
            &FirstOwner {
                email: &email,
                name: &name,
                password_hash: &hash,
            },
            now,
        )
        .await?;
    let Some((ws, owner)) = created else {
        return Err(AppError::NotFound);
    };
    let Some(user) = state.store.staff_by_email(email.normalised()).await? else {
        return Err(AppError::NotFound);
    };
    state.store.record_staff_login(user.id(), now).await?;
    let session = random_token(32);
    state
        .store
        .create_staff_session(&token_hash(&session), &user, &ip, now)
        .await?;
    let entry = AuditEntry {
        actor: Actor::Staff(owner.get()),
        label: email.as_str(),
        action: "setup.completed",
        subject_kind: "workspace",
        subject_id: Some(ws.get()),
        client_id: None,
        ip: &ip,
        detail: &business,
    };
    state.store.audit(ws, &entry, now).await?;
    tracing::info!("first-run setup done: workspace and owner created");
    let jar = jar
        .remove(cookies::removal(PRE_SESSION, https))
        .add(cookies::build(STAFF_SESSION, session, https));
    Ok((jar, Redirect::to("/staff/settings?done=welcome")).into_response())
}

#[cfg(test)]
mod tests {
    use super::slug_of;

    #[test]
    fn slugs_keep_letters_and_digits() {
        assert_eq!(slug_of("Cedar & Stone Services"), "cedar-stone-services");
        assert_eq!(slug_of("  ***  "), "main");
        assert_eq!(slug_of("مؤسسة"), "main");
    }
}
