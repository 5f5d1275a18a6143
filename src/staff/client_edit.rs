//! Editing a client and its contacts, and archiving a client. A client's kind is fixed
//! once created. Archiving hides the client from the default list and closes its portal
//! (open sessions end, the link stops working) until it is brought back; nothing is
//! deleted. Every refused form names the field and changes nothing.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::StaffUser;
use super::work_common::{clip, parse_id};
use crate::app::AppState;
use crate::domain::client_form::{validate_client, validate_contact, ClientInput, ContactInput};
use crate::domain::request_form::FieldError;
use crate::ids::{ClientId, ContactId};
use crate::store::clients::{ClientChanges, ClientRow};
use crate::store::contacts::{ContactRow, NewContact};
use crate::store::StoreError;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{Form, Path};
use crate::web::ClientIp;

#[derive(Deserialize, Default)]
pub struct ClientEditForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    billing_address: String,
    #[serde(default)]
    site_address: String,
}

#[derive(Template)]
#[template(path = "staff/client_edit.html")]
struct ClientEditPage {
    user: StaffUser,
    client: ClientRow,
    form: ClientEditForm,
    errors: Vec<FieldError>,
}

impl ClientEditPage {
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
}

/// `GET /staff/clients/{id}/edit`.
pub async fn edit_client_form(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let client = state
        .store
        .client(user.workspace_id, parse_id(&id)?)
        .await?;
    let form = ClientEditForm {
        csrf: String::new(),
        name: client.name.clone(),
        phone: client.phone.clone(),
        billing_address: client.billing_address.clone(),
        site_address: client.site_address.clone(),
    };
    let page = ClientEditPage {
        user,
        client,
        form,
        errors: Vec::new(),
    };
    Ok(Html(page.render()?))
}

/// `POST /staff/clients/{id}/edit`.
pub async fn edit_client(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<ClientEditForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id: ClientId = parse_id(&id)?;
    let client = state.store.client(user.workspace_id, id).await?;
    // Validated as a company: an individual's own contact is edited on its contact page.
    let input = ClientInput {
        kind: "company".into(),
        name: form.name.clone(),
        phone: form.phone.clone(),
        billing_address: form.billing_address.clone(),
        site_address: form.site_address.clone(),
        email: String::new(),
    };
    match validate_client(&input) {
        Ok(valid) => {
            let changes = ClientChanges {
                name: &valid.name,
                phone: &valid.phone,
                billing_address: &valid.billing_address,
                site_address: &valid.site_address,
            };
            let now = state.clock.now_ms();
            state
                .store
                .update_client(user.workspace_id, id, &changes, now)
                .await?;
            user.audit(
                &state,
                "client.updated",
                ("client", id.get()),
                Some(id.get()),
                &ip,
                &valid.name,
            )
            .await?;
            Ok(Redirect::to(&format!("/staff/clients/{id}?notice=saved")).into_response())
        }
        Err(errors) => {
            let form = ClientEditForm {
                csrf: String::new(),
                name: clip(&form.name),
                phone: clip(&form.phone),
                billing_address: clip(&form.billing_address),
                site_address: clip(&form.site_address),
            };
            let page = ClientEditPage {
                user,
                client,
                form,
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct ArchiveForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    /// `yes` once "I understand the portal closes" is ticked.
    #[serde(default)]
    confirm: String,
}

/// `POST /staff/clients/{id}/archive`.
pub async fn archive(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<ArchiveForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id: ClientId = parse_id(&id)?;
    state.store.client(user.workspace_id, id).await?;
    if form.confirm != "yes" {
        return Err(AppError::BadRequest(
            "Tick “I understand the portal closes” to archive this client.".into(),
        ));
    }
    let row = state
        .store
        .archive_client(user.workspace_id, id, state.clock.now_ms())
        .await?;
    user.audit(
        &state,
        "client.archived",
        ("client", id.get()),
        Some(id.get()),
        &ip,
        &row.name,
    )
    .await?;
    Ok(Redirect::to(&format!("/staff/clients/{id}?notice=archived")).into_response())
}

/// `POST /staff/clients/{id}/unarchive`.
pub async fn unarchive(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<ArchiveForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id: ClientId = parse_id(&id)?;
    let row = state
        .store
        .unarchive_client(user.workspace_id, id, state.clock.now_ms())
        .await?;
    user.audit(
        &state,
        "client.unarchived",
        ("client", id.get()),
        Some(id.get()),
        &ip,
        &row.name,
    )
    .await?;
    Ok(Redirect::to(&format!("/staff/clients/{id}?notice=unarchived")).into_response())
}

#[derive(Deserialize, Default)]
pub struct ContactEditForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
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
#[template(path = "staff/contact_edit.html")]
struct ContactEditPage {
    user: StaffUser,
    contact: ContactRow,
    client: ClientRow,
    form: ContactEditForm,
    errors: Vec<FieldError>,
}

impl ContactEditPage {
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
}

async fn contact_and_client(
    state: &AppState,
    user: &StaffUser,
    id: ContactId,
) -> AppResult<(ContactRow, ClientRow)> {
    let contact = state.store.contact(user.workspace_id, id).await?;
    let client = state
        .store
        .client(user.workspace_id, ClientId::from_db(contact.client_id))
        .await?;
    Ok((contact, client))
}

/// `GET /staff/contacts/{id}/edit`.
pub async fn edit_contact_form(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let (contact, client) = contact_and_client(&state, &user, parse_id(&id)?).await?;
    let form = ContactEditForm {
        csrf: String::new(),
        first_name: contact.first_name.clone(),
        last_name: contact.last_name.clone(),
        email: contact.email.clone().unwrap_or_default(),
        phone: contact.phone.clone(),
        role: contact.role.clone(),
    };
    let page = ContactEditPage {
        user,
        contact,
        client,
        form,
        errors: Vec::new(),
    };
    Ok(Html(page.render()?))
}

/// `POST /staff/contacts/{id}/edit`: a changed email signs the contact out everywhere.
pub async fn edit_contact(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<ContactEditForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id: ContactId = parse_id(&id)?;
    let (contact, client) = contact_and_client(&state, &user, id).await?;
    let input = ContactInput {
        first_name: form.first_name.clone(),
        last_name: form.last_name.clone(),
        email: form.email.clone(),
        phone: form.phone.clone(),
        role: form.role.clone(),
    };
    let errors = match validate_contact(&input) {
        Ok(valid) => {
            let new = NewContact {
                first_name: &valid.first_name,
                last_name: &valid.last_name,
                email: valid.email.as_ref(),
                phone: &valid.phone,
                role: &valid.role,
                is_primary: false,
            };
            match state
                .store
                .update_contact(user.workspace_id, id, &new, state.clock.now_ms())
                .await
            {
                Ok(()) => {
                    let name = format!("{} {}", valid.first_name, valid.last_name);
                    user.audit(
                        &state,
                        "contact.updated",
                        ("contact", id.get()),
                        Some(contact.client_id),
                        &ip,
                        name.trim(),
                    )
                    .await?;
                    return Ok(
                        Redirect::to(&format!("/staff/contacts/{id}?notice=saved")).into_response()
                    );
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
    let form = ContactEditForm {
        csrf: String::new(),
        first_name: clip(&form.first_name),
        last_name: clip(&form.last_name),
        email: clip(&form.email),
        phone: clip(&form.phone),
        role: clip(&form.role),
    };
    let page = ContactEditPage {
        user,
        contact,
        client,
        form,
        errors,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}
