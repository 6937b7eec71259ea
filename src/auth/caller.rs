//! Who is calling, and whether the route lets them. Every route declares an [`Access`] when it
//! is added to the router; a route without one cannot be added, so no route escapes the check.

use uuid::Uuid;

use crate::domain::access::{Role, User};

/// What a route requires of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without a token (health, the API document, signing in).
    Public,
    /// Any signed-in user; the handler narrows further (its own user, for example).
    SignedIn,
    /// Service administrators only.
    Admin,
    /// Administrators, and treasurers for what concerns their own groups (checked by the handler).
    AdminOrTreasurer,
    /// Administrators and auditors: reads across the whole service.
    Oversight,
    /// Whoever holds any grant on the group in the path, auditors and administrators: reads
    /// that reveal nothing about any one member.
    GroupAnyone,
    /// The group's treasurers, auditors and administrators: reads of the group's ledger.
    GroupRead,
    /// The group's treasurers and administrators: writes to the group's ledger.
    GroupWrite,
    /// The group's treasurers, its chair and administrators: deciding what waits for a second
    /// person (the handler refuses the one who asked for it).
    GroupApprove,
    /// One member's own records: the group's treasurers, auditors and administrators, and the
    /// member user linked to the member in the path. Other members of the group see nothing.
    MemberSelf,
}

/// A signed-in user and their grants, as loaded for this request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
}

/// How a caller stands towards one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Admin,
    Auditor,
    Treasurer,
    Chair,
    Member,
    Stranger,
}

impl Caller {
    pub fn id(&self) -> Uuid {
        self.user.id
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.user.grants.iter().any(|g| g.role == role)
    }

    pub fn is_admin(&self) -> bool {
        self.has_role(Role::Admin)
    }

    /// Sees every group: administrators and auditors.
    pub fn sees_all_groups(&self) -> bool {
        self.is_admin() || self.has_role(Role::Auditor)
    }

    pub fn is_treasurer_of(&self, group_id: Uuid) -> bool {
        self.user
            .grants
            .iter()
            .any(|g| g.role == Role::Treasurer && g.group_id == Some(group_id))
    }

    pub fn is_chair_of(&self, group_id: Uuid) -> bool {
        self.user
            .grants
            .iter()
            .any(|g| g.role == Role::Chair && g.group_id == Some(group_id))
    }

    /// Whether the caller may approve or reject what waits for a second person in `group_id`
    /// (never her own items, which the handler refuses).
    pub fn may_approve_in(&self, group_id: Uuid) -> bool {
        self.is_admin() || self.is_treasurer_of(group_id) || self.is_chair_of(group_id)
    }

    /// Whether a member grant links the caller to `member_id` of `group_id`.
    pub fn is_member(&self, group_id: Uuid, member_id: Uuid) -> bool {
        self.user.grants.iter().any(|g| {
            g.role == Role::Member && g.group_id == Some(group_id) && g.member_id == Some(member_id)
        })
    }

    /// Groups named by the caller's grants.
    pub fn group_ids(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self.user.grants.iter().filter_map(|g| g.group_id).collect();
        ids.sort();
        ids.dedup();
        ids
    }

    pub fn standing(&self, group_id: Uuid) -> Standing {
        // The strongest standing wins: a treasurer of this group who is also an auditor writes,
        // and a chair who is also an auditor approves.
        if self.is_admin() {
            Standing::Admin
        } else if self.is_treasurer_of(group_id) {
            Standing::Treasurer
        } else if self.is_chair_of(group_id) {
            Standing::Chair
        } else if self.has_role(Role::Auditor) {
            Standing::Auditor
        } else if self
            .user
            .grants
            .iter()
            .any(|g| g.role == Role::Member && g.group_id == Some(group_id))
        {
            Standing::Member
        } else {
            Standing::Stranger
        }
    }
}

/// The outcome of an access check that is not "allowed".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// No valid token: 401.
    Unauthenticated,
    /// The caller may know the object exists but may not do this: 403.
    Forbidden,
    /// The object's existence is private to the caller: 404.
    Hidden,
    /// Another member of the caller's own group: the group is known to her, the member is
    /// not (404 "member not found").
    HiddenMember,
}

/// Decides a route's access for a caller; `group_id` and `member_id` are those named in the
/// path, if any.
pub fn decide(
    access: Access,
    caller: Option<&Caller>,
    group_id: Option<Uuid>,
    member_id: Option<Uuid>,
) -> Result<(), Denial> {
    if access == Access::Public {
        return Ok(());
    }
    let Some(caller) = caller else {
        return Err(Denial::Unauthenticated);
    };
    let in_group = |allowed: &[Standing], readers: &[Standing]| -> Result<(), Denial> {
        // A malformed or missing group id names nothing: hidden, like a group that does not exist.
        let Some(group_id) = group_id else {
            return Err(Denial::Hidden);
        };
        let standing = caller.standing(group_id);
        if allowed.contains(&standing) {
            Ok(())
        } else if readers.contains(&standing) {
            Err(Denial::Forbidden)
        } else {
            Err(Denial::Hidden)
        }
    };
    use Standing as S;
    match access {
        Access::Public | Access::SignedIn => Ok(()),
        Access::Admin if caller.is_admin() => Ok(()),
        Access::Admin => Err(Denial::Forbidden),
        Access::AdminOrTreasurer if caller.is_admin() || caller.has_role(Role::Treasurer) => Ok(()),
        Access::AdminOrTreasurer => Err(Denial::Forbidden),
        Access::Oversight if caller.sees_all_groups() => Ok(()),
        Access::Oversight => Err(Denial::Forbidden),
        Access::GroupAnyone => in_group(
            &[S::Admin, S::Auditor, S::Treasurer, S::Chair, S::Member],
            &[],
        ),
        Access::GroupRead => in_group(
            &[S::Admin, S::Auditor, S::Treasurer, S::Chair],
            &[S::Member],
        ),
        Access::GroupWrite => in_group(
            &[S::Admin, S::Treasurer],
            &[S::Auditor, S::Chair, S::Member],
        ),
        Access::GroupApprove => in_group(
            &[S::Admin, S::Treasurer, S::Chair],
            &[S::Auditor, S::Member],
        ),
        Access::MemberSelf => {
            let own = group_id
                .zip(member_id)
                .is_some_and(|(g, m)| caller.is_member(g, m));
            if own {
                Ok(())
            } else {
                let readers = [S::Admin, S::Auditor, S::Treasurer, S::Chair];
                in_group(&readers, &[S::Member]).map_err(|denial| match denial {
                    Denial::Forbidden => Denial::HiddenMember,
                    other => other,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::Grant;

    fn caller(grants: &[(Role, Option<Uuid>)]) -> Caller {
        Caller {
            user: User {
                id: Uuid::now_v7(),
                username: "u".into(),
                disabled: false,
                created_at: chrono::Utc::now(),
                token_version: 0,
                grants: grants
                    .iter()
                    .map(|(role, group_id)| Grant {
                        id: Uuid::now_v7(),
                        role: *role,
                        group_id: *group_id,
                        member_id: (*role == Role::Member).then(Uuid::now_v7),
                        created_at: chrono::Utc::now(),
                    })
                    .collect(),
            },
        }
    }

    #[test]
    fn a_member_sees_their_own_record_and_no_one_else_s() {
        let g = Uuid::now_v7();
        let member = caller(&[(Role::Member, Some(g))]);
        let own = member.user.grants[0].member_id;
        assert_eq!(
            decide(Access::MemberSelf, Some(&member), Some(g), own),
            Ok(())
        );
        assert_eq!(
            decide(
                Access::MemberSelf,
                Some(&member),
                Some(g),
                Some(Uuid::now_v7())
            ),
            Err(Denial::HiddenMember)
        );
        assert_eq!(
            decide(Access::MemberSelf, Some(&member), Some(Uuid::now_v7()), own),
            Err(Denial::Hidden)
        );
        let treasurer = caller(&[(Role::Treasurer, Some(g))]);
        assert_eq!(
            decide(
                Access::MemberSelf,
                Some(&treasurer),
                Some(g),
                Some(Uuid::now_v7())
            ),
            Ok(())
        );
    }

    #[test]
    fn each_role_gets_what_its_grant_says_and_strangers_see_nothing() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        let treasurer = caller(&[(Role::Treasurer, Some(a))]);
        let member = caller(&[(Role::Member, Some(a))]);
        let auditor = caller(&[(Role::Auditor, None)]);
        let admin = caller(&[(Role::Admin, None)]);
        assert_eq!(
            decide(Access::GroupWrite, None, Some(a), None),
            Err(Denial::Unauthenticated)
        );
        assert_eq!(
            decide(Access::GroupWrite, Some(&treasurer), Some(a), None),
            Ok(())
        );
        assert_eq!(
            decide(Access::GroupWrite, Some(&treasurer), Some(b), None),
            Err(Denial::Hidden)
        );
        assert_eq!(
            decide(Access::GroupRead, Some(&member), Some(a), None),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            decide(Access::GroupAnyone, Some(&member), Some(a), None),
            Ok(())
        );
        assert_eq!(
            decide(Access::GroupAnyone, Some(&member), Some(b), None),
            Err(Denial::Hidden)
        );
        assert_eq!(
            decide(Access::GroupRead, Some(&auditor), Some(b), None),
            Ok(())
        );
        assert_eq!(
            decide(Access::GroupWrite, Some(&auditor), Some(b), None),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            decide(Access::GroupWrite, Some(&admin), Some(b), None),
            Ok(())
        );
        assert_eq!(
            decide(Access::Admin, Some(&treasurer), None, None),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            decide(Access::Oversight, Some(&auditor), None, None),
            Ok(())
        );
        assert_eq!(decide(Access::Public, None, None, None), Ok(()));
    }

    #[test]
    fn a_chair_reads_and_approves_in_her_group_and_writes_nothing() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let chair = caller(&[(Role::Chair, Some(a))]);
        let treasurer = caller(&[(Role::Treasurer, Some(a))]);
        let auditor = caller(&[(Role::Auditor, None)]);
        let member = caller(&[(Role::Member, Some(a))]);
        for (access, expected) in [
            (Access::GroupAnyone, Ok(())),
            (Access::GroupRead, Ok(())),
            (Access::MemberSelf, Ok(())),
            (Access::GroupApprove, Ok(())),
            (Access::GroupWrite, Err(Denial::Forbidden)),
            (Access::AdminOrTreasurer, Err(Denial::Forbidden)),
            (Access::Oversight, Err(Denial::Forbidden)),
        ] {
            let member_id = (access == Access::MemberSelf).then(Uuid::now_v7);
            assert_eq!(
                decide(access, Some(&chair), Some(a), member_id),
                expected,
                "{access:?}"
            );
        }
        // Another group's chair is a stranger there.
        assert_eq!(
            decide(Access::GroupApprove, Some(&chair), Some(b), None),
            Err(Denial::Hidden)
        );
        assert_eq!(
            decide(Access::GroupApprove, Some(&treasurer), Some(a), None),
            Ok(())
        );
        assert_eq!(
            decide(Access::GroupApprove, Some(&auditor), Some(a), None),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            decide(Access::GroupApprove, Some(&member), Some(a), None),
            Err(Denial::Forbidden)
        );
        assert!(chair.may_approve_in(a) && !chair.may_approve_in(b));
        assert!(!auditor.may_approve_in(a));
    }
}
