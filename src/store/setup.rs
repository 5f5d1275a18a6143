//! First-run setup: on a database without staff, the first submission creates the
//! workspace and its owner. The claim row (`setup_claim`, one allowed) is written first
//! in the same transaction, so two submissions at once create one owner.

use super::workspaces::NewWorkspace;
use super::{Store, StoreError, StoreResult};
use crate::domain::email::EmailAddress;
use crate::ids::{StaffUserId, WorkspaceId};

/// The owner the setup form creates.
pub struct FirstOwner<'a> {
    pub email: &'a EmailAddress,
    pub name: &'a str,
    pub password_hash: &'a str,
}

impl Store {
    /// Whether `/setup` is still open: no staff member and no claim exist.
    pub async fn setup_open(&self) -> StoreResult<bool> {
        let (staff, claims): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM staff_user), (SELECT COUNT(*) FROM setup_claim)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(staff == 0 && claims == 0)
    }

    /// Creates the workspace and its owner; `Ok(None)` when setup was already done (by
    /// an earlier or a concurrent submission) or staff already exist.
    pub async fn first_run_setup(
        &self,
        workspace: &NewWorkspace<'_>,
        owner: &FirstOwner<'_>,
        now_ms: i64,
    ) -> StoreResult<Option<(WorkspaceId, StaffUserId)>> {
        let ws = WorkspaceId::new();
        let mut tx = self.begin_write().await?;
        let claimed = sqlx::query(
            "INSERT INTO setup_claim (id, workspace_id, claimed_at) VALUES (1, $1, $2)",
        )
        .bind(ws.get())
        .bind(now_ms)
        .execute(&mut *tx)
        .await;
        match claimed {
            Ok(_) => {}
            // The other submission won; the transaction is dropped, so rolled back.
            Err(e) => {
                return match StoreError::from(e) {
                    StoreError::Conflict(_) => Ok(None),
                    other => Err(other),
                }
            }
        }
        let staff: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_user")
            .fetch_one(&mut *tx)
            .await?;
        if staff > 0 {
            return Ok(None);
        }
        super::workspaces::insert_workspace(&mut tx, ws, workspace, now_ms).await?;
        let owner_id = StaffUserId::new();
        sqlx::query(
            "INSERT INTO staff_user (id, workspace_id, email, email_norm, name, role, password_hash, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'owner', $6, $7, $7)",
        )
        .bind(owner_id.get())
        .bind(ws.get())
        .bind(owner.email.as_str())
        .bind(owner.email.normalised())
        .bind(owner.name)
        .bind(owner.password_hash)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some((ws, owner_id)))
    }
}
