//! Creating clients (companies and individuals) and adding contacts to a client.
//! Every field is validated by `domain::client_form` with a message naming the field;
//! a refused form is shown again with its values and changes nothing.

use crate::store::submission::{fresh_submission_key, submission_key};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::StaffUser;
use crate::app::AppState;
use crate::crypto::random_token;
use crate::domain::client_form::{
    validate_contact, validate_new_client, ClientInput, ContactInput,
};
use crate::domain::request_form::FieldError;
use crate::ids::{ClientId, ContactId};
use crate::store::clients::ClientRow;
use crate::store::contacts::NewContact;
use crate::store::StoreError;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{Form, Path};
use crate::web::ClientIp;

/// What a form sends back, kept as typed so a refused form shows it again.
#[derive(Deserialize, Default)]
pub struct ClientFormData {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    billing_address: String,
    #[serde(default)]
    site_address: String,
    #[serde(default)]
    email: String,
    /// One-time key of this form: sending it twice creates one client.
    #[serde(default)]
    idempotency_key: String,
}

#[derive(Deserialize, Default)]
pub struct ContactFormData {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    /// The New contact form's one-time key (see `store::submission`).
    #[serde(default)]
    submission_key: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    role: String,
}

#[derive(Template)]
#[template(path = "staff/client_new.html")]
struct NewClientPage {
    user: StaffUser,
    form: ClientFormData,
    errors: Vec<FieldError>,
}

impl NewClientPage {
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
}

#[derive(Template)]
#[template(path = "staff/contact_new.html")]
struct NewContactPage {
    user: StaffUser,
    client: ClientRow,
    form: ContactFormData,
    errors: Vec<FieldError>,
}

impl NewContactPage {
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
}

fn parse_id<T: std::str::FromStr>(raw: &str) -> AppResult<T> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// How much of a refused value is shown again: enough to see what was too long, never a
/// hostile post's megabytes.
const SHOWN_MAX: usize = 2_000;

/// Cuts a value shown again to [`SHOWN_MAX`] characters.
fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

async fn audit(
    state: &AppState,
    user: &StaffUser,
    ip: &str,
    action: &str,
    subject: (&str, i64),
    client_id: i64,
    detail: &str,
) -> AppResult<()> {
    user.audit(
        state,
        action,
        (subject.0, subject.1),
        Some(client_id),
        ip,
        detail,
    )
    .await?;
    Ok(())
}

pub async fn new_client(user: StaffUser) -> AppResult<Html<String>> {
    let page = NewClientPage {
        user,
        form: ClientFormData {
            kind: "company".into(),
            idempotency_key: random_token(18),
            ..Default::default()
        },
        errors: Vec::new(),
    };
    Ok(Html(page.render()?))
}

pub async fn create_client(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Form(form): Form<ClientFormData>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let key = form.idempotency_key.trim().to_string();
    if key.is_empty()
        || key.len() > 64
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(AppError::BadRequest(
            "This form is out of date. Open New client again and resend.".into(),
        ));
    }
    // A repeated submission (double click, refresh after POST) lands on the first one.
    if let Some(existing) = state
        .store
        .client_by_idempotency_key(user.workspace_id, &key)
        .await?
    {
        return Ok(Redirect::to(&format!("/staff/clients/{existing}")).into_response());
    }
    let input = ClientInput {
        kind: form.kind.clone(),
        name: form.name.clone(),
        phone: form.phone.clone(),
        billing_address: form.billing_address.clone(),
        site_address: form.site_address.clone(),
        email: form.email.clone(),
    };
    let result = validate_new_client(&input);
    let valid = match result {
        Ok(v) => v,
        Err(errors) => {
            let page = NewClientPage {
                user,
                form: ClientFormData {
                    csrf: String::new(),
                    kind: clip(&form.kind, SHOWN_MAX),
                    name: clip(&form.name, SHOWN_MAX),
                    phone: clip(&form.phone, SHOWN_MAX),
                    billing_address: clip(&form.billing_address, SHOWN_MAX),
                    site_address: clip(&form.site_address, SHOWN_MAX),
                    email: clip(&form.email, SHOWN_MAX),
                    idempotency_key: key,
                },
                errors,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
        }
    };
    let now = state.clock.now_ms();
    let id: ClientId = match state
        .store
        .create_client_once(user.workspace_id, &valid, &key, now)
        .await
    {
        Ok(id) => id,
        // Two identical submissions raced; the other one won.
        Err(StoreError::Conflict(_)) => {
            return match state
                .store
                .client_by_idempotency_key(user.workspace_id, &key)
                .await?
            {
                Some(existing) => {
                    Ok(Redirect::to(&format!("/staff/clients/{existing}")).into_response())
                }
                None => Err(AppError::BadRequest(
                    "The client could not be saved. Please check the form and send it again."
                        .into(),
                )),
            };
        }
        Err(e) => return Err(e.into()),
    };
    audit(
        &state,
        &user,
        &ip,
        "client.created",
        ("client", id.get()),
        id.get(),
        &valid.name,
    )
    .await?;
    Ok(Redirect::to(&format!("/staff/clients/{id}")).into_response())
}

/// An individual client is one person (SPEC §2): their own contact, the only one who
/// signs in to their portal. Contacts are added to companies only.
fn individual_is_one_person() -> Response {
    crate::web::error::error_page(
        StatusCode::CONFLICT,
        "An individual client has no other contacts",
        "An individual client is one person, who is their own contact. To give more people access, create a company client and add them to it as contacts.",
    )
}

pub async fn new_contact(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id: ClientId = parse_id(&id)?;
    let client = state.store.client(user.workspace_id, id).await?;
    if client.kind == "individual" {
        return Ok(individual_is_one_person());
    }
    let page = NewContactPage {
        user,
        client,
        form: ContactFormData {
            submission_key: fresh_submission_key(),
            ..ContactFormData::default()
        },
        errors: Vec::new(),
    };
    Ok(Html(page.render()?).into_response())
}

pub async fn create_contact(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<ContactFormData>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id: ClientId = parse_id(&id)?;
    let client = state.store.client(user.workspace_id, id).await?;
    if client.kind == "individual" {
        return Ok(individual_is_one_person());
    }
    let input = ContactInput {
        first_name: form.first_name.clone(),
        last_name: form.last_name.clone(),
        email: form.email.clone(),
        phone: form.phone.clone(),
        role: form.role.clone(),
    };
    let errors = match validate_contact(&input) {
        Ok(valid) => {
            let now = state.clock.now_ms();
            let created = state
                .store
                .create_contact_once(
                    user.workspace_id,
                    id,
                    &NewContact {
                        first_name: &valid.first_name,
                        last_name: &valid.last_name,
                        email: valid.email.as_ref(),
                        phone: &valid.phone,
                        role: &valid.role,
                        is_primary: false,
                    },
                    submission_key(&form.submission_key).as_deref(),
                    now,
                )
                .await;
            match created {
                Ok(made) if !made.made_now => {
                    return Ok(Redirect::to(&format!("/staff/clients/{id}")).into_response());
                }
                Ok(made) => {
                    let contact: ContactId = made.value;
                    let name = format!("{} {}", valid.first_name, valid.last_name);
                    audit(
                        &state,
                        &user,
                        &ip,
                        "contact.created",
                        ("contact", contact.get()),
                        id.get(),
                        name.trim(),
                    )
                    .await?;
                    return Ok(Redirect::to(&format!("/staff/clients/{id}")).into_response());
                }
                Err(StoreError::Conflict(_)) => vec![FieldError {
                    field: "email",
                    message: "Email: another contact of this client already has this address."
                        .into(),
                }],
                Err(e) => return Err(e.into()),
            }
        }
        Err(errors) => errors,
    };
    let page = NewContactPage {
        user,
        client,
        form: ContactFormData {
            csrf: String::new(),
            submission_key: submission_key(&form.submission_key).unwrap_or_default(),
            first_name: clip(&form.first_name, SHOWN_MAX),
            last_name: clip(&form.last_name, SHOWN_MAX),
            email: clip(&form.email, SHOWN_MAX),
            phone: clip(&form.phone, SHOWN_MAX),
            role: clip(&form.role, SHOWN_MAX),
        },
        errors,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}
