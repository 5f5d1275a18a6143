//! Settings (owners and admins): business profile (shown on the portal's About and
//! Contact pages), branding (accent colour, logo), time zone, default currency and
//! portal session lengths. A refused form names each bad field and changes nothing.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use bytes::Bytes;
use serde::Deserialize;

use super::session::StaffUser;
use crate::app::AppState;
use crate::domain::request_form::FieldError;
use crate::domain::settings::{logo_type, validate, SettingsInput, LOGO_MAX_BYTES};
use crate::ids::{new_id, WorkspaceId};
use crate::store::settings::{logo_key, Logo};
use crate::web::assets::logo_src;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{Query, TextForm};
use crate::web::ClientIp;

const WHAT: &str = "settings";

#[derive(Template)]
#[template(path = "staff/settings.html")]
struct SettingsPage {
    user: StaffUser,
    form: SettingsInput,
    errors: Vec<FieldError>,
    logo_error: Option<String>,
    logo_src: Option<String>,
    logo_max_kib: usize,
    notice: Option<&'static str>,
    zones: Vec<String>,
}

impl SettingsPage {
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    done: String,
}

async fn current(state: &AppState, user: &StaffUser) -> AppResult<SettingsInput> {
    let ws = state.store.workspace(user.workspace_id).await?;
    let p = state.store.business_profile(user.workspace_id).await?;
    Ok(SettingsInput {
        display_name: p.display_name,
        about_us: p.about_us,
        address: p.address,
        phone: p.phone,
        email: p.email,
        website: p.website,
        hours: p.hours,
        accent_colour: p.accent_colour,
        time_zone: ws.time_zone,
        default_currency: ws.default_currency,
        portal_idle_minutes: ws.portal_idle_minutes.to_string(),
        portal_absolute_minutes: ws.portal_absolute_minutes.to_string(),
    })
}

struct View {
    form: SettingsInput,
    errors: Vec<FieldError>,
    logo_error: Option<String>,
    notice: Option<&'static str>,
}

async fn render(
    state: &AppState,
    user: StaffUser,
    status: StatusCode,
    view: View,
) -> AppResult<Response> {
    let logo = state.store.logo(user.workspace_id).await?;
    let page = SettingsPage {
        logo_src: logo.map(|l| logo_src(user.workspace_id, &l)),
        user,
        form: view.form,
        errors: view.errors,
        logo_error: view.logo_error,
        logo_max_kib: LOGO_MAX_BYTES / 1024,
        notice: view.notice,
        zones: crate::domain::settings::zone_names(),
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    user: StaffUser,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    user.require_admin(WHAT)?;
    let notice = match q.done.as_str() {
        "saved" => Some("Settings saved. The portal shows them from now on."),
        "logo" => Some("Logo saved. The portal shows it from now on."),
        "logo_removed" => Some("Logo removed."),
        "welcome" => Some("Your workspace is ready. Fill in your business profile, then invite your team under Staff."),
        _ => None,
    };
    let form = current(&state, &user).await?;
    let view = View {
        form,
        errors: Vec::new(),
        logo_error: None,
        notice,
    };
    render(&state, user, StatusCode::OK, view).await
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    about_us: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    accent_colour: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    default_currency: String,
    #[serde(default)]
    portal_idle_minutes: String,
    #[serde(default)]
    portal_absolute_minutes: String,
}

pub async fn save(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    TextForm(f): TextForm<SettingsForm>,
) -> AppResult<Response> {
    user.require_admin(WHAT)?;
    user.check_csrf(&state, &f.csrf)?;
    let input = SettingsInput {
        display_name: f.display_name,
        about_us: f.about_us,
        address: f.address,
        phone: f.phone,
        email: f.email,
        website: f.website,
        hours: f.hours,
        accent_colour: f.accent_colour,
        time_zone: f.time_zone,
        default_currency: f.default_currency,
        portal_idle_minutes: f.portal_idle_minutes,
        portal_absolute_minutes: f.portal_absolute_minutes,
    };
    let valid = match validate(&input) {
        Ok(v) => v,
        Err(errors) => {
            let view = View {
                form: input,
                errors,
                logo_error: None,
                notice: None,
            };
            return render(&state, user, StatusCode::UNPROCESSABLE_ENTITY, view).await;
        }
    };
    let before = current(&state, &user).await?;
    let now = state.clock.now_ms();
    state
        .store
        .save_settings(user.workspace_id, &valid, now)
        .await?;
    let detail = changed_fields(&before, &valid);
    user.audit(
        &state,
        "settings.changed",
        ("workspace", user.workspace_id.get()),
        None,
        &ip,
        &detail,
    )
    .await?;
    Ok(Redirect::to("/staff/settings?done=saved").into_response())
}

/// Which settings changed, by name (their values stay out of the audit log).
fn changed_fields(
    before: &SettingsInput,
    after: &crate::domain::settings::ValidSettings,
) -> String {
    let pairs: [(&str, bool); 12] = [
        ("business name", before.display_name != after.display_name),
        ("about us", before.about_us != after.about_us),
        ("address", before.address != after.address),
        ("phone", before.phone != after.phone),
        ("email", before.email != after.email),
        ("website", before.website != after.website),
        ("hours", before.hours != after.hours),
        ("accent colour", before.accent_colour != after.accent_colour),
        ("time zone", before.time_zone != after.time_zone),
        (
            "default currency",
            before.default_currency != after.default_currency,
        ),
        (
            "portal idle timeout",
            before.portal_idle_minutes != after.portal_idle_minutes.to_string(),
        ),
        (
            "portal session lifetime",
            before.portal_absolute_minutes != after.portal_absolute_minutes.to_string(),
        ),
    ];
    let changed: Vec<&str> = pairs.iter().filter(|(_, c)| *c).map(|(n, _)| *n).collect();
    if changed.is_empty() {
        "nothing changed".into()
    } else {
        changed.join(", ")
    }
}

/// What the logo form sent: the CSRF token, the file (cut off past the limit) and
/// whether it asked to remove the logo instead.
struct LogoUpload {
    csrf: String,
    bytes: Vec<u8>,
    too_big: bool,
    remove: bool,
}

async fn read_logo_form(mut multipart: Multipart) -> Result<LogoUpload, AppError> {
    let unreadable = || {
        AppError::BadRequest(
            "The upload could not be read. Go back and choose the file again.".into(),
        )
    };
    let mut out = LogoUpload {
        csrf: String::new(),
        bytes: Vec::new(),
        too_big: false,
        remove: false,
    };
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) if out.too_big => return Ok(out),
            Err(_) => return Err(unreadable()),
        };
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "_csrf" => {
                out.csrf = field
                    .text()
                    .await
                    .map_err(|_| unreadable())?
                    .chars()
                    .take(128)
                    .collect()
            }
            "remove" => out.remove = true,
            "logo" => loop {
                // Past the limit the rest is read and dropped (up to the body limit), so
                // the browser gets the answer instead of a reset connection.
                let chunk = match field.chunk().await {
                    Ok(Some(chunk)) => chunk,
                    Ok(None) => break,
                    Err(_) if out.too_big => return Ok(out),
                    Err(_) => return Err(unreadable()),
                };
                if out.too_big || out.bytes.len() + chunk.len() > LOGO_MAX_BYTES {
                    out.too_big = true;
                    out.bytes.clear();
                } else {
                    out.bytes.extend_from_slice(&chunk);
                }
            },
            _ => {}
        }
    }
    Ok(out)
}

/// Deletes a replaced or removed logo's bytes from the file store. A failure is logged,
/// not shown: the new setting is saved and the old logo is no longer served.
async fn delete_old_logo(state: &AppState, ws: WorkspaceId, old: Option<Logo>) {
    if let Some(old) = old {
        if let Err(e) = state.files.delete(&logo_key(ws, old.id)).await {
            tracing::warn!(error = %e, "deleting a replaced logo's bytes failed");
        }
    }
}

pub async fn upload_logo(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> AppResult<Response> {
    user.require_admin(WHAT)?;
    let multipart = multipart.map_err(|_| {
        AppError::BadRequest(
            "This page only accepts its own upload form. Go back and try again.".into(),
        )
    })?;
    let upload = read_logo_form(multipart).await?;
    user.check_csrf(&state, &upload.csrf)?;
    let ws = user.workspace_id;
    let now = state.clock.now_ms();
    if upload.remove {
        let old = state.store.set_logo(ws, None, now).await?;
        delete_old_logo(&state, ws, old).await;
        user.audit(
            &state,
            "settings.logo_removed",
            ("workspace", ws.get()),
            None,
            &ip,
            "",
        )
        .await?;
        return Ok(Redirect::to("/staff/settings?done=logo_removed").into_response());
    }
    let checked = if upload.too_big {
        Err(format!(
            "Logo: at most {} KiB; this file is larger.",
            LOGO_MAX_BYTES / 1024
        ))
    } else {
        logo_type(&upload.bytes)
    };
    let content_type = match checked {
        Ok(t) => t,
        Err(message) => {
            let status = if upload.too_big {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let view = View {
                form: current(&state, &user).await?,
                errors: Vec::new(),
                logo_error: Some(message),
                notice: None,
            };
            return render(&state, user, status, view).await;
        }
    };
    let logo = Logo {
        id: new_id(),
        content_type: content_type.to_string(),
    };
    let size = upload.bytes.len();
    state
        .files
        .put(&logo_key(ws, logo.id), Bytes::from(upload.bytes))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let old = state.store.set_logo(ws, Some(&logo), now).await?;
    delete_old_logo(&state, ws, old).await;
    let detail = format!("{content_type}, {size} bytes");
    user.audit(
        &state,
        "settings.logo_changed",
        ("workspace", ws.get()),
        None,
        &ip,
        &detail,
    )
    .await?;
    Ok(Redirect::to("/staff/settings?done=logo").into_response())
}
