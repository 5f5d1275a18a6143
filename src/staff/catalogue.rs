//! The catalogue of products and services. Everyone on the staff can see it; owners and
//! admins add, edit, archive and restore items (archived rather than deleted, so old
//! quotes and invoices keep their lines). The portal lists only items shown in the
//! portal and not archived.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::StaffUser;
use crate::app::AppState;
use crate::domain::money::{Currency, Money};
use crate::domain::product_form::{amount_text, percent_text, validate, ProductInput};
use crate::domain::request_form::FieldError;
use crate::store::products::CatalogueRow;
use crate::store::submission::{fresh_submission_key, submission_key};
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{Path, Query, TextForm};
use crate::web::ClientIp;

const WHAT: &str = "the catalogue";

pub struct ItemLine {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub price: String,
    pub unit: String,
    pub tax: String,
    pub visible: bool,
    pub archived: bool,
}

fn line(r: &CatalogueRow) -> ItemLine {
    ItemLine {
        id: r.id,
        name: r.name.clone(),
        kind: if r.kind == "product" {
            "Product"
        } else {
            "Service"
        },
        price: Money::format_stored(r.price_minor, &r.currency),
        unit: r.unit.clone(),
        tax: percent_text(r.tax_rate_bp),
        visible: r.visible(),
        archived: r.archived_at.is_some(),
    }
}

#[derive(Template)]
#[template(path = "staff/catalogue.html")]
struct CataloguePage {
    user: StaffUser,
    items: Vec<ItemLine>,
    form: ProductInput,
    /// The New item form's one-time key (see `store::submission`).
    submission_key: String,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "staff/catalogue_item.html")]
struct ItemPage {
    user: StaffUser,
    id: i64,
    archived: bool,
    form: ProductInput,
    errors: Vec<FieldError>,
}

impl CataloguePage {
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
}

impl ItemPage {
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    done: String,
}

async fn render_list(
    state: &AppState,
    user: StaffUser,
    status: StatusCode,
    (form, submission_key): (ProductInput, String),
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> AppResult<Response> {
    let items = state
        .store
        .catalogue(user.workspace_id)
        .await?
        .iter()
        .map(line)
        .collect();
    let page = CataloguePage {
        user,
        items,
        form,
        submission_key,
        errors,
        notice,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    user: StaffUser,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let notice = match q.done.as_str() {
        "created" => Some("Added to the catalogue."),
        "saved" => Some("Saved."),
        "archived" => Some("Archived: hidden from the portal and from new documents."),
        "restored" => Some("Restored."),
        _ => None,
    };
    let currency = state
        .store
        .workspace(user.workspace_id)
        .await?
        .default_currency;
    let form = ProductInput {
        kind: "service".into(),
        currency,
        visible_in_portal: true,
        ..Default::default()
    };
    let form = (form, fresh_submission_key());
    render_list(&state, user, StatusCode::OK, form, Vec::new(), notice).await
}

#[derive(Deserialize)]
pub struct ItemForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    /// Only on the New item form.
    #[serde(default)]
    submission_key: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    price: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    tax_rate: String,
    #[serde(default)]
    visible_in_portal: String,
}

impl ItemForm {
    fn input(self) -> ProductInput {
        ProductInput {
            kind: self.kind,
            name: self.name,
            description: self.description,
            unit: self.unit,
            price: self.price,
            currency: self.currency,
            tax_rate: self.tax_rate,
            visible_in_portal: self.visible_in_portal == "1",
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    TextForm(f): TextForm<ItemForm>,
) -> AppResult<Response> {
    user.require_admin(WHAT)?;
    user.check_csrf(&state, &f.csrf)?;
    let key = submission_key(&f.submission_key);
    let input = f.input();
    let valid = match validate(&input) {
        Ok(v) => v,
        Err(errors) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let form = (input, key.unwrap_or_default());
            return render_list(&state, user, status, form, errors, None).await;
        }
    };
    let now = state.clock.now_ms();
    let made = state
        .store
        .create_catalogue_item(user.workspace_id, &valid, key.as_deref(), now)
        .await?;
    if made.made_now {
        user.audit(
            &state,
            "product.created",
            ("product", made.value.get()),
            None,
            &ip,
            &valid.name,
        )
        .await?;
    }
    Ok(Redirect::to("/staff/catalogue?done=created").into_response())
}

fn parse_id(raw: &str) -> AppResult<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or(AppError::NotFound)
}

fn as_input(r: &CatalogueRow) -> ProductInput {
    let exponent = Currency::parse(&r.currency).map_or(2, Currency::exponent);
    ProductInput {
        kind: r.kind.clone(),
        name: r.name.clone(),
        description: r.description.clone(),
        unit: r.unit.clone(),
        price: amount_text(r.price_minor, exponent),
        currency: r.currency.clone(),
        tax_rate: percent_text(r.tax_rate_bp),
        visible_in_portal: r.visible(),
    }
}

pub async fn item(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    user.require_admin(WHAT)?;
    let row = state
        .store
        .catalogue_item(user.workspace_id, parse_id(&id)?)
        .await?;
    let page = ItemPage {
        user,
        id: row.id,
        archived: row.archived_at.is_some(),
        form: as_input(&row),
        errors: Vec::new(),
    };
    Ok(Html(page.render()?).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    TextForm(f): TextForm<ItemForm>,
) -> AppResult<Response> {
    user.require_admin(WHAT)?;
    user.check_csrf(&state, &f.csrf)?;
    let id = parse_id(&id)?;
    let row = state.store.catalogue_item(user.workspace_id, id).await?;
    let input = f.input();
    let valid = match validate(&input) {
        Ok(v) => v,
        Err(errors) => {
            let page = ItemPage {
                user,
                id,
                archived: row.archived_at.is_some(),
                form: input,
                errors,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
        }
    };
    let now = state.clock.now_ms();
    state
        .store
        .update_catalogue_item(user.workspace_id, id, &valid, now)
        .await?;
    user.audit(
        &state,
        "product.updated",
        ("product", id),
        None,
        &ip,
        &valid.name,
    )
    .await?;
    Ok(Redirect::to("/staff/catalogue?done=saved").into_response())
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn set_archived(
    state: &AppState,
    user: &StaffUser,
    ip: &str,
    id: &str,
    csrf: &str,
    archived: bool,
) -> AppResult<Response> {
    user.require_admin(WHAT)?;
    user.check_csrf(state, csrf)?;
    let id = parse_id(id)?;
    let now = state.clock.now_ms();
    let row = state
        .store
        .set_catalogue_archived(user.workspace_id, id, archived, now)
        .await?;
    let (action, to) = if archived {
        ("product.archived", "/staff/catalogue?done=archived")
    } else {
        ("product.restored", "/staff/catalogue?done=restored")
    };
    user.audit(state, action, ("product", id), None, ip, &row.name)
        .await?;
    Ok(Redirect::to(to).into_response())
}

pub async fn archive(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    crate::web::extract::Form(f): crate::web::extract::Form<CsrfForm>,
) -> AppResult<Response> {
    set_archived(&state, &user, &ip, &id, &f.csrf, true).await
}

pub async fn restore(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    crate::web::extract::Form(f): crate::web::extract::Form<CsrfForm>,
) -> AppResult<Response> {
    set_archived(&state, &user, &ip, &id, &f.csrf, false).await
}
