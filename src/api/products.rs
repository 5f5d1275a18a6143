//! `/api/v1/products` writes: create, update, archive and restore catalogue items (reads are in
//! `records`). Validation is the back office's (`domain::product_form`); prices are
//! integers in the currency's minor unit, tax rates basis points.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::ApiCaller;
use super::error::{ApiError, ApiErrorBody, ApiResult};
use super::extract::{ApiJson, ApiPath};
use crate::app::AppState;
use crate::domain::product_form::{check, price_in_range, tax_in_range};
use crate::store::products::CatalogueRow;
use crate::web::ClientIp;

/// A catalogue item as written (archived ones included).
#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogueItem {
    #[schema(example = "7301234567890123")]
    pub id: String,
    #[schema(value_type = ProductKind)]
    pub kind: String,
    pub name: String,
    pub description: String,
    pub unit: String,
    /// In the currency's minor unit (cents for USD, fils for KWD ×1000).
    pub price_minor: i64,
    pub currency: String,
    /// Basis points: 500 = 5%.
    pub tax_rate_bp: i64,
    pub visible_in_portal: bool,
    /// When archived (milliseconds since the Unix epoch, UTC); archived items are not
    /// listed and the portal does not show them.
    pub archived_at: Option<i64>,
    pub created_at: i64,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum ProductKind {
    Product,
    Service,
}

fn to_api(r: CatalogueRow) -> CatalogueItem {
    CatalogueItem {
        id: r.id.to_string(),
        visible_in_portal: r.visible(),
        kind: r.kind,
        name: r.name,
        description: r.description,
        unit: r.unit,
        price_minor: r.price_minor,
        currency: r.currency,
        tax_rate_bp: r.tax_rate_bp,
        archived_at: r.archived_at,
        created_at: r.created_at,
    }
}

fn product_id(raw: &str) -> ApiResult<i64> {
    raw.parse::<crate::ids::ProductId>()
        .map(crate::ids::ProductId::get)
        .map_err(|_| ApiError::not_found())
}

/// A new product or service.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProductBody {
    /// `product` or `service` (default `service`).
    #[serde(default)]
    #[schema(value_type = Option<ProductKind>)]
    pub kind: String,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// e.g. `hour`, `visit`; empty for "each".
    #[serde(default)]
    pub unit: String,
    #[schema(minimum = 0)]
    pub price_minor: i64,
    #[schema(example = "AED")]
    pub currency: String,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 10000)]
    pub tax_rate_bp: i64,
    #[serde(default)]
    pub visible_in_portal: bool,
}

#[utoipa::path(post, path = "/api/v1/products", tag = "products",
    request_body = NewProductBody,
    responses(
        (status = 201, description = "Created", body = CatalogueItem),
        (status = 400, description = "Not JSON, or unknown/missing fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 422, description = "A field is not valid; nothing was stored", body = ApiErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<NewProductBody>,
) -> ApiResult<(StatusCode, Json<CatalogueItem>)> {
    let valid = check(
        &body.kind,
        &body.name,
        &body.description,
        &body.unit,
        &body.currency,
        price_in_range(body.price_minor),
        tax_in_range(body.tax_rate_bp),
        body.visible_in_portal,
    )
    .map_err(ApiError::validation)?;
    let now = state.clock.now_ms();
    let id = state
        .store
        .create_catalogue_item(caller.workspace_id, &valid, None, now)
        .await?
        .value;
    caller
        .audit(
            &state,
            &ip,
            "product.created",
            ("product", id.get()),
            None,
            &valid.name,
        )
        .await?;
    let row = state
        .store
        .catalogue_item(caller.workspace_id, id.get())
        .await?;
    Ok((StatusCode::CREATED, Json(to_api(row))))
}

/// Changes to a catalogue item; fields left out keep their value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductPatch {
    #[schema(value_type = Option<ProductKind>)]
    pub kind: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub unit: Option<String>,
    #[schema(minimum = 0)]
    pub price_minor: Option<i64>,
    pub currency: Option<String>,
    #[schema(minimum = 0, maximum = 10000)]
    pub tax_rate_bp: Option<i64>,
    pub visible_in_portal: Option<bool>,
}

#[utoipa::path(patch, path = "/api/v1/products/{id}", tag = "products",
    params(("id" = String, Path, description = "Product id")),
    request_body = ProductPatch,
    responses(
        (status = 200, description = "Updated", body = CatalogueItem),
        (status = 400, description = "Not JSON, or unknown fields", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such product in this workspace", body = ApiErrorBody),
        (status = 422, description = "A field is not valid; nothing was changed", body = ApiErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<ProductPatch>,
) -> ApiResult<Json<CatalogueItem>> {
    let id = product_id(&id)?;
    let old = state.store.catalogue_item(caller.workspace_id, id).await?;
    let valid = check(
        patch.kind.as_deref().unwrap_or(&old.kind),
        patch.name.as_deref().unwrap_or(&old.name),
        patch.description.as_deref().unwrap_or(&old.description),
        patch.unit.as_deref().unwrap_or(&old.unit),
        patch.currency.as_deref().unwrap_or(&old.currency),
        price_in_range(patch.price_minor.unwrap_or(old.price_minor)),
        tax_in_range(patch.tax_rate_bp.unwrap_or(old.tax_rate_bp)),
        patch.visible_in_portal.unwrap_or(old.visible()),
    )
    .map_err(ApiError::validation)?;
    let now = state.clock.now_ms();
    let row = state
        .store
        .update_catalogue_item(caller.workspace_id, id, &valid, now)
        .await?;
    caller
        .audit(
            &state,
            &ip,
            "product.updated",
            ("product", id),
            None,
            &valid.name,
        )
        .await?;
    Ok(Json(to_api(row)))
}

/// Archives an item: gone from lists, the portal and new documents; nothing is deleted.
#[utoipa::path(post, path = "/api/v1/products/{id}/archive", tag = "products",
    params(("id" = String, Path, description = "Product id")),
    responses(
        (status = 200, description = "Archived", body = CatalogueItem),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such product in this workspace", body = ApiErrorBody),
    ))]
pub async fn archive(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CatalogueItem>> {
    set_archived(&state, &caller, &ip, &id, true).await
}

/// Restores an archived item: listed again, offered in new documents and, if marked so,
/// shown in the portal.
#[utoipa::path(post, path = "/api/v1/products/{id}/restore", tag = "products",
    params(("id" = String, Path, description = "Product id")),
    responses(
        (status = 200, description = "Restored (or was not archived)", body = CatalogueItem),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such product in this workspace", body = ApiErrorBody),
    ))]
pub async fn restore(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CatalogueItem>> {
    set_archived(&state, &caller, &ip, &id, false).await
}

/// Archives or restores an item, and writes which to the audit log.
async fn set_archived(
    state: &AppState,
    caller: &ApiCaller,
    ip: &str,
    id: &str,
    archived: bool,
) -> ApiResult<Json<CatalogueItem>> {
    let id = product_id(id)?;
    let now = state.clock.now_ms();
    let row = state
        .store
        .set_catalogue_archived(caller.workspace_id, id, archived, now)
        .await?;
    let action = if archived {
        "product.archived"
    } else {
        "product.restored"
    };
    caller
        .audit(state, ip, action, ("product", id), None, &row.name)
        .await?;
    Ok(Json(to_api(row)))
}
