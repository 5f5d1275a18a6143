//! The catalogue of products and services a workspace sells.

use super::documents::{check_bp, check_one_of, check_text, currency_code, invalid};
use super::submission::Once;
use super::{Store, StoreError, StoreResult};
use crate::ids::{ProductId, WorkspaceId};

pub const PRODUCT_KINDS: [&str; 2] = ["product", "service"];

#[derive(Debug, Clone)]
pub struct NewProduct<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    /// e.g. "hour", "visit", "m²"; empty for "each".
    pub unit: &'a str,
    pub price_minor: i64,
    pub currency: &'a str,
    pub tax_rate_bp: i64,
    pub visible_in_portal: bool,
}

impl Store {
    pub async fn create_product(
        &self,
        ws: WorkspaceId,
        new: &NewProduct<'_>,
        now_ms: i64,
    ) -> StoreResult<ProductId> {
        self.create_product_once(ws, new, None, now_ms)
            .await
            .map(|made| made.value)
    }

    /// [`Store::create_product`] from a New form: a `submission_key` already used in the
    /// workspace answers the item it made.
    pub async fn create_product_once(
        &self,
        ws: WorkspaceId,
        new: &NewProduct<'_>,
        submission_key: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<Once<ProductId>> {
        check_one_of("kind", new.kind, &PRODUCT_KINDS)?;
        check_text("name", new.name, 200)?;
        if new.price_minor < 0 {
            return Err(invalid("price: cannot be negative"));
        }
        check_bp("tax rate", new.tax_rate_bp)?;
        let currency = currency_code(new.currency)?;
        let made: Once<(i64,)> = self
            .once_per_submission(ws, "product", "id", submission_key, |key| async move {
            let id = ProductId::new();
            let inserted = sqlx::query(
                "INSERT INTO product (id, workspace_id, kind, name, description, unit, price_minor, currency, tax_rate_bp,
                     visible_in_portal, created_at, updated_at, submission_key)
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12
                 WHERE EXISTS (SELECT 1 FROM workspace WHERE id = $2)",
            )
            .bind(id.get())
            .bind(ws.get())
            .bind(new.kind)
            .bind(new.name.trim())
            .bind(new.description)
            .bind(new.unit)
            .bind(new.price_minor)
            .bind(currency)
            .bind(new.tax_rate_bp)
            .bind(i64::from(new.visible_in_portal))
            .bind(now_ms)
            .bind(key)
            .execute(&self.pool)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Err(StoreError::NotFound);
            }
            Ok((id.get(),))
            })
            .await?;
        Ok(made.map(|(id,)| ProductId::from_db(id)))
    }
}

/// A catalogue item as the back office and the API see it (archived ones included).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CatalogueRow {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub description: String,
    pub unit: String,
    pub price_minor: i64,
    pub currency: String,
    pub tax_rate_bp: i64,
    pub visible_in_portal: i64,
    pub archived_at: Option<i64>,
    pub created_at: i64,
}

impl CatalogueRow {
    pub fn visible(&self) -> bool {
        super::flag(self.visible_in_portal)
    }
}

const CATALOGUE_COLUMNS: &str = "id, kind, name, description, unit, price_minor, currency, tax_rate_bp, visible_in_portal, archived_at, created_at";

impl Store {
    pub async fn create_catalogue_item(
        &self,
        ws: WorkspaceId,
        p: &crate::domain::product_form::ValidProduct,
        submission_key: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<Once<ProductId>> {
        self.create_product_once(
            ws,
            &NewProduct {
                kind: p.kind,
                name: &p.name,
                description: &p.description,
                unit: &p.unit,
                price_minor: p.price_minor,
                currency: p.currency,
                tax_rate_bp: p.tax_rate_bp,
                visible_in_portal: p.visible_in_portal,
            },
            submission_key,
            now_ms,
        )
        .await
    }

    /// The workspace's catalogue, live items first, then by name.
    pub async fn catalogue(&self, ws: WorkspaceId) -> StoreResult<Vec<CatalogueRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CATALOGUE_COLUMNS} FROM product WHERE workspace_id = $1
             ORDER BY CASE WHEN archived_at IS NULL THEN 0 ELSE 1 END, name, id"
        ))
        .bind(ws.get())
        .fetch_all(&self.pool)
        .await?)
    }

    /// One item of the workspace, archived or not; [`StoreError::NotFound`] otherwise.
    pub async fn catalogue_item(&self, ws: WorkspaceId, id: i64) -> StoreResult<CatalogueRow> {
        sqlx::query_as(&format!(
            "SELECT {CATALOGUE_COLUMNS} FROM product WHERE workspace_id = $1 AND id = $2"
        ))
        .bind(ws.get())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }

    pub async fn update_catalogue_item(
        &self,
        ws: WorkspaceId,
        id: i64,
        p: &crate::domain::product_form::ValidProduct,
        now_ms: i64,
    ) -> StoreResult<CatalogueRow> {
        let n = sqlx::query(
            "UPDATE product SET kind = $3, name = $4, description = $5, unit = $6, price_minor = $7,
                 currency = $8, tax_rate_bp = $9, visible_in_portal = $10, updated_at = $11
             WHERE workspace_id = $1 AND id = $2",
        )
        .bind(ws.get())
        .bind(id)
        .bind(p.kind)
        .bind(&p.name)
        .bind(&p.description)
        .bind(&p.unit)
        .bind(p.price_minor)
        .bind(p.currency)
        .bind(p.tax_rate_bp)
        .bind(i64::from(p.visible_in_portal))
        .bind(now_ms)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.catalogue_item(ws, id).await
    }

    /// Archives an item (gone from the portal and from new documents; kept on old ones)
    /// or brings it back.
    pub async fn set_catalogue_archived(
        &self,
        ws: WorkspaceId,
        id: i64,
        archived: bool,
        now_ms: i64,
    ) -> StoreResult<CatalogueRow> {
        let n = sqlx::query(
            "UPDATE product SET archived_at = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2",
        )
        .bind(ws.get())
        .bind(id)
        .bind(if archived { Some(now_ms) } else { None })
        .bind(now_ms)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.catalogue_item(ws, id).await
    }
}
