//! Managing a workspace's staff: the list, role changes, disabling, and invitations.
//! Changes that could leave a workspace without an owner run in a transaction that first
//! locks the workspace row (an `UPDATE` of it), so two changes at once are decided one
//! after the other and cannot both remove "the other" owner.

use sqlx::FromRow;

use super::{Store, StoreError, StoreResult};
use crate::domain::email::EmailAddress;
use crate::domain::staff::{check_disable, check_role_change, Role, StaffChangeError};
use crate::ids::{new_id, StaffUserId, WorkspaceId};

#[derive(Debug, Clone, FromRow)]
pub struct StaffMember {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub disabled_at: Option<i64>,
    pub last_login_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct InviteRow {
    pub id: i64,
    pub workspace_id: i64,
    pub email: String,
    pub email_norm: String,
    pub role: String,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub created_at: i64,
}

/// The outcome of a change that the rules may refuse.
pub type Checked<T> = Result<T, StaffChangeError>;

type Tx = sqlx::Transaction<'static, sqlx::Any>;

const MEMBER_COLUMNS: &str = "id, name, email, role, disabled_at, last_login_at, created_at";
const INVITE_COLUMNS: &str =
    "id, workspace_id, email, email_norm, role, expires_at, accepted_at, revoked_at, created_at";

/// Takes the workspace's row lock for the rest of the transaction.
async fn lock_workspace(tx: &mut Tx, ws: WorkspaceId) -> StoreResult<()> {
    let n = sqlx::query("UPDATE workspace SET updated_at = updated_at WHERE id = $1")
        .bind(ws.get())
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

async fn member_in(tx: &mut Tx, ws: WorkspaceId, id: i64) -> StoreResult<StaffMember> {
    sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} FROM staff_user WHERE workspace_id = $1 AND id = $2"
    ))
    .bind(ws.get())
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)
}

/// The acting member's role as stored now (not as when their request began); a
/// disabled or vanished actor may do nothing.
async fn actor_role(tx: &mut Tx, ws: WorkspaceId, actor: StaffUserId) -> StoreResult<Role> {
    let row: Option<(String, Option<i64>)> = sqlx::query_as(
        "SELECT role, disabled_at FROM staff_user WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws.get())
    .bind(actor.get())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match row {
        Some((role, None)) => Role::parse(&role).unwrap_or(Role::Member),
        _ => Role::Member,
    })
}

async fn other_active_owners(tx: &mut Tx, ws: WorkspaceId, besides: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM staff_user
         WHERE workspace_id = $1 AND role = 'owner' AND disabled_at IS NULL AND id <> $2",
    )
    .bind(ws.get())
    .bind(besides)
    .fetch_one(&mut **tx)
    .await?)
}

impl Store {
    /// Everyone on the workspace's staff, enabled first, then by name.
    pub async fn staff_members(&self, ws: WorkspaceId) -> StoreResult<Vec<StaffMember>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {MEMBER_COLUMNS} FROM staff_user WHERE workspace_id = $1
             ORDER BY CASE WHEN disabled_at IS NULL THEN 0 ELSE 1 END, name, id"
        ))
        .bind(ws.get())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Changes `target`'s role as `actor` would; refused by the rules of
    /// [`check_role_change`]. Returns the member as they were before.
    pub async fn change_staff_role(
        &self,
        ws: WorkspaceId,
        actor: StaffUserId,
        target: i64,
        to: Role,
        now_ms: i64,
    ) -> StoreResult<Checked<StaffMember>> {
        let mut tx = self.begin_write().await?;
        lock_workspace(&mut tx, ws).await?;
        let actor = (actor, actor_role(&mut tx, ws, actor).await?);
        let member = member_in(&mut tx, ws, target).await?;
        let from = Role::parse(&member.role).unwrap_or(Role::Member);
        let others = other_active_owners(&mut tx, ws, target).await?;
        let counted = if member.disabled_at.is_some() {
            // A disabled owner is not one of the active owners, so demoting them never
            // leaves the workspace without one.
            others.max(1)
        } else {
            others
        };
        if let Err(e) = check_role_change(actor.1, actor.0.get() == target, from, to, counted) {
            return Ok(Err(e));
        }
        sqlx::query(
            "UPDATE staff_user SET role = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2",
        )
        .bind(ws.get())
        .bind(target)
        .bind(to.as_str())
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(member))
    }

    /// Disables `target` (ending every session of theirs at once) or enables them again.
    pub async fn set_staff_disabled(
        &self,
        ws: WorkspaceId,
        actor: StaffUserId,
        target: i64,
        disable: bool,
        now_ms: i64,
    ) -> StoreResult<Checked<StaffMember>> {
        let mut tx = self.begin_write().await?;
        lock_workspace(&mut tx, ws).await?;
        let actor = (actor, actor_role(&mut tx, ws, actor).await?);
        let member = member_in(&mut tx, ws, target).await?;
        let role = Role::parse(&member.role).unwrap_or(Role::Member);
        let others = if disable {
            other_active_owners(&mut tx, ws, target).await?
        } else {
            1
        };
        if let Err(e) = check_disable(actor.1, actor.0.get() == target, role, others) {
            return Ok(Err(e));
        }
        sqlx::query(
            "UPDATE staff_user SET disabled_at = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2",
        )
        .bind(ws.get())
        .bind(target)
        .bind(if disable { Some(now_ms) } else { None })
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        if disable {
            sqlx::query(
                "UPDATE staff_session SET revoked_at = $2 WHERE staff_user_id = $1 AND revoked_at IS NULL",
            )
            .bind(target)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Ok(member))
    }

    /// Stores a new invitation (only its token's hash), withdrawing any earlier open one
    /// for the same address in this workspace. [`StoreError::Conflict`] when the address
    /// already belongs to a staff member.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_staff_invite(
        &self,
        ws: WorkspaceId,
        email: &EmailAddress,
        role: Role,
        token_hash: &str,
        invited_by: StaffUserId,
        expires_at: i64,
        now_ms: i64,
    ) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        let taken: Option<i64> =
            sqlx::query_scalar("SELECT id FROM staff_user WHERE email_norm = $1")
                .bind(email.normalised())
                .fetch_optional(&mut *tx)
                .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict("staff_user.email".into()));
        }
        sqlx::query(
            "UPDATE staff_invite SET revoked_at = $3
             WHERE workspace_id = $1 AND email_norm = $2 AND accepted_at IS NULL AND revoked_at IS NULL",
        )
        .bind(ws.get())
        .bind(email.normalised())
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO staff_invite (id, workspace_id, email, email_norm, role, token_hash, invited_by, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(ws.get())
        .bind(email.as_str())
        .bind(email.normalised())
        .bind(role.as_str())
        .bind(token_hash)
        .bind(invited_by.get())
        .bind(expires_at)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Invitations not yet used or withdrawn (expired ones included, marked by the page).
    pub async fn open_staff_invites(&self, ws: WorkspaceId) -> StoreResult<Vec<InviteRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {INVITE_COLUMNS} FROM staff_invite
             WHERE workspace_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL
             ORDER BY created_at DESC"
        ))
        .bind(ws.get())
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn staff_invite_by_token(&self, token_hash: &str) -> StoreResult<Option<InviteRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {INVITE_COLUMNS} FROM staff_invite WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Withdraws an open invitation of this workspace.
    pub async fn revoke_staff_invite(
        &self,
        ws: WorkspaceId,
        id: i64,
        now_ms: i64,
    ) -> StoreResult<InviteRow> {
        let n = sqlx::query(
            "UPDATE staff_invite SET revoked_at = $3
             WHERE workspace_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL",
        )
        .bind(ws.get())
        .bind(id)
        .bind(now_ms)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(sqlx::query_as(&format!(
            "SELECT {INVITE_COLUMNS} FROM staff_invite WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Uses an invitation: marks it used (only if still open, so a link works once even
    /// when sent twice at the same moment) and creates the staff member, together.
    /// `Ok(None)` when the link is no longer open; [`StoreError::Conflict`] when the
    /// address became a staff member's in the meantime.
    pub async fn accept_staff_invite(
        &self,
        token_hash: &str,
        name: &str,
        password_hash: &str,
        now_ms: i64,
    ) -> StoreResult<Option<(InviteRow, StaffUserId)>> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE staff_invite SET accepted_at = $2
             WHERE token_hash = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Ok(None);
        }
        let invite: InviteRow = sqlx::query_as(&format!(
            "SELECT {INVITE_COLUMNS} FROM staff_invite WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_one(&mut *tx)
        .await?;
        let id = StaffUserId::new();
        let email = if invite.email.is_empty() {
            invite.email_norm.clone()
        } else {
            invite.email.clone()
        };
        sqlx::query(
            "INSERT INTO staff_user (id, workspace_id, email, email_norm, name, role, password_hash, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(id.get())
        .bind(invite.workspace_id)
        .bind(&email)
        .bind(&invite.email_norm)
        .bind(name)
        .bind(&invite.role)
        .bind(password_hash)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some((invite, id)))
    }
}
