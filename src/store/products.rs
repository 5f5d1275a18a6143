//! The catalogue of products and services a workspace sells.

use super::documents::{check_bp, check_one_of, check_text, currency_code, invalid};
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
        check_one_of("kind", new.kind, &PRODUCT_KINDS)?;
        check_text("name", new.name, 200)?;
        if new.price_minor < 0 {
            return Err(invalid("price: cannot be negative"));
        }
        check_bp("tax rate", new.tax_rate_bp)?;
        let currency = currency_code(new.currency)?;
        let id = ProductId::new();
        let inserted = sqlx::query(
            "INSERT INTO product (id, workspace_id, kind, name, description, unit, price_minor, currency, tax_rate_bp,
                 visible_in_portal, created_at, updated_at)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11
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
        .execute(&self.pool)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(id)
    }
}
