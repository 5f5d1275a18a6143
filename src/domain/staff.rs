//! Staff roles and the rules for changing them: who may manage whom, and the guard that
//! keeps every workspace with at least one active owner.

use std::fmt;

/// What a staff member may do. Owners and admins run the workspace (staff, settings,
/// integrations, API tokens, catalogue); members work clients, documents and requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Owner,
    Admin,
    Member,
}

pub const ROLES: [Role; 3] = [Role::Owner, Role::Admin, Role::Member];

impl Role {
    pub fn parse(raw: &str) -> Option<Role> {
        match raw.trim() {
            "owner" => Some(Role::Owner),
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::Member => "Member",
        }
    }

    /// Owners and admins.
    pub fn is_admin(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a change to a staff member was refused; the message is shown as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StaffChangeError {
    #[error("Only owners and admins can manage staff.")]
    NotAdmin,
    #[error("Only an owner can make someone an owner, or change or disable an owner.")]
    OwnersOnly,
    #[error("This is the workspace's last active owner: make someone else an owner first.")]
    LastOwner,
    #[error("You cannot change your own role or disable yourself; ask another owner or admin.")]
    Yourself,
}

/// A change of role by `actor` of a member whose role is `from`, to `to`.
/// `other_active_owners` counts active owners besides the target.
pub fn check_role_change(
    actor: Role,
    actor_is_target: bool,
    from: Role,
    to: Role,
    other_active_owners: i64,
) -> Result<(), StaffChangeError> {
    if !actor.is_admin() {
        return Err(StaffChangeError::NotAdmin);
    }
    if actor_is_target {
        return Err(StaffChangeError::Yourself);
    }
    if (from == Role::Owner || to == Role::Owner) && actor != Role::Owner {
        return Err(StaffChangeError::OwnersOnly);
    }
    if from == Role::Owner && to != Role::Owner && other_active_owners < 1 {
        return Err(StaffChangeError::LastOwner);
    }
    Ok(())
}

/// Disabling (or re-enabling) a member whose role is `target`.
pub fn check_disable(
    actor: Role,
    actor_is_target: bool,
    target: Role,
    other_active_owners: i64,
) -> Result<(), StaffChangeError> {
    if !actor.is_admin() {
        return Err(StaffChangeError::NotAdmin);
    }
    if actor_is_target {
        return Err(StaffChangeError::Yourself);
    }
    if target == Role::Owner && actor != Role::Owner {
        return Err(StaffChangeError::OwnersOnly);
    }
    if target == Role::Owner && other_active_owners < 1 {
        return Err(StaffChangeError::LastOwner);
    }
    Ok(())
}

/// Inviting someone as `role`: admins invite admins and members, owners anyone.
pub fn check_invite(actor: Role, role: Role) -> Result<(), StaffChangeError> {
    if !actor.is_admin() {
        return Err(StaffChangeError::NotAdmin);
    }
    if role == Role::Owner && actor != Role::Owner {
        return Err(StaffChangeError::OwnersOnly);
    }
    Ok(())
}

/// A person's name as typed on a form: trimmed, 1 to 100 characters, one line.
pub fn clean_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("Name: enter the person's name.".into());
    }
    if name.chars().count() > 100 {
        return Err("Name: at most 100 characters.".into());
    }
    if name.chars().any(char::is_control) {
        return Err("Name: use one line of visible characters.".into());
    }
    Ok(name.to_string())
}

/// Staff session limits, in minutes (from the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    pub idle_minutes: i64,
    pub absolute_minutes: i64,
}

/// Whether a staff session begun at `created_ms` and last used at `last_seen_ms` is over
/// at `now_ms`: idle for too long, or older than its absolute lifetime.
pub fn session_expired(
    limits: SessionLimits,
    created_ms: i64,
    last_seen_ms: i64,
    now_ms: i64,
) -> bool {
    now_ms >= created_ms.saturating_add(limits.absolute_minutes.saturating_mul(60_000))
        || now_ms >= last_seen_ms.saturating_add(limits.idle_minutes.saturating_mul(60_000))
}

/// How long an invitation link stays valid.
pub const INVITE_HOURS: i64 = 72;

/// Where an invitation stands when its link is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteState {
    Open,
    Used,
    Withdrawn,
    Expired,
}

pub fn invite_state(
    accepted_at: Option<i64>,
    revoked_at: Option<i64>,
    expires_at: i64,
    now_ms: i64,
) -> InviteState {
    if accepted_at.is_some() {
        InviteState::Used
    } else if revoked_at.is_some() {
        InviteState::Withdrawn
    } else if now_ms >= expires_at {
        InviteState::Expired
    } else {
        InviteState::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::*;

    #[test]
    fn roles_parse_only_the_three_names() {
        for r in ROLES {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
        assert_eq!(Role::parse(""), None);
        assert!(Owner.is_admin() && Admin.is_admin() && !Member.is_admin());
    }

    #[test]
    fn only_owners_make_or_unmake_owners() {
        assert_eq!(
            check_role_change(Admin, false, Member, Owner, 1),
            Err(StaffChangeError::OwnersOnly)
        );
        assert_eq!(
            check_role_change(Admin, false, Owner, Admin, 1),
            Err(StaffChangeError::OwnersOnly)
        );
        assert_eq!(check_role_change(Owner, false, Member, Owner, 1), Ok(()));
        assert_eq!(check_role_change(Admin, false, Member, Admin, 1), Ok(()));
        assert_eq!(
            check_role_change(Member, false, Member, Admin, 1),
            Err(StaffChangeError::NotAdmin)
        );
    }

    #[test]
    fn the_last_owner_keeps_the_role_and_stays_enabled() {
        assert_eq!(
            check_role_change(Owner, false, Owner, Admin, 0),
            Err(StaffChangeError::LastOwner)
        );
        assert_eq!(check_role_change(Owner, false, Owner, Admin, 1), Ok(()));
        assert_eq!(
            check_disable(Owner, false, Owner, 0),
            Err(StaffChangeError::LastOwner)
        );
        assert_eq!(check_disable(Owner, false, Owner, 1), Ok(()));
        assert_eq!(
            check_disable(Admin, false, Owner, 3),
            Err(StaffChangeError::OwnersOnly)
        );
    }

    #[test]
    fn nobody_changes_themselves() {
        assert_eq!(
            check_role_change(Owner, true, Owner, Member, 5),
            Err(StaffChangeError::Yourself)
        );
        assert_eq!(
            check_disable(Admin, true, Admin, 1),
            Err(StaffChangeError::Yourself)
        );
    }

    #[test]
    fn invites_follow_the_same_ladder() {
        assert_eq!(check_invite(Admin, Member), Ok(()));
        assert_eq!(check_invite(Admin, Admin), Ok(()));
        assert_eq!(
            check_invite(Admin, Owner),
            Err(StaffChangeError::OwnersOnly)
        );
        assert_eq!(check_invite(Owner, Owner), Ok(()));
        assert_eq!(
            check_invite(Member, Member),
            Err(StaffChangeError::NotAdmin)
        );
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(clean_name("  Nadia Noor "), Ok("Nadia Noor".into()));
        assert!(clean_name("   ").unwrap_err().starts_with("Name:"));
        assert!(clean_name(&"x".repeat(101)).is_err());
        assert!(clean_name("a\nb").is_err());
    }

    #[test]
    fn sessions_end_when_idle_or_too_old() {
        let limits = SessionLimits {
            idle_minutes: 60,
            absolute_minutes: 720,
        };
        let min = 60_000;
        assert!(!session_expired(limits, 0, 0, 59 * min));
        assert!(session_expired(limits, 0, 0, 60 * min), "idle an hour");
        assert!(!session_expired(limits, 0, 700 * min, 719 * min));
        assert!(
            session_expired(limits, 0, 719 * min, 720 * min),
            "twelve hours old"
        );
    }

    #[test]
    fn an_invite_is_open_once_until_it_expires() {
        assert_eq!(invite_state(None, None, 100, 99), InviteState::Open);
        assert_eq!(invite_state(None, None, 100, 100), InviteState::Expired);
        assert_eq!(invite_state(Some(5), None, 100, 10), InviteState::Used);
        assert_eq!(invite_state(None, Some(5), 100, 10), InviteState::Withdrawn);
    }
}
