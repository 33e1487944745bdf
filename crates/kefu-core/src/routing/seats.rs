//! A person's own seat choices (接待): the status they chose (在线/忙碌/离开) and, for
//! owners, admins and supervisors, whether they take chats at all. Kept per person as a shop
//! setting (`seat:<user id>`) so a choice made on any page outlives the workspace socket and
//! is applied when the socket connects. Presence itself stays hot state on the desk.

use crate::ids::UserId;
use crate::shop::{Presence, Role};
use serde::{Deserialize, Serialize};

/// Prefix of the shop setting that holds one person's choice.
pub const SEAT_SETTING_PREFIX: &str = "seat:";

/// The shop setting key of a person's seat choice.
pub fn seat_setting_key(user: UserId) -> String {
    format!("{SEAT_SETTING_PREFIX}{user}")
}

/// What a person chose for themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct SeatChoice {
    /// `online`, `busy` or `away`: what they are while a workspace is open.
    pub status: Presence,
    /// Take chats (接待). Agents always do; owners, admins and supervisors only when on.
    pub takes_chats: bool,
}

impl Default for SeatChoice {
    fn default() -> Self {
        SeatChoice { status: Presence::Online, takes_chats: false }
    }
}

impl SeatChoice {
    /// Read a stored choice; a document that does not parse is the default (nobody is given
    /// chats by accident, and the person can choose again).
    pub fn parse(doc: &str) -> SeatChoice {
        serde_json::from_str::<SeatChoice>(doc).map(SeatChoice::normalised).unwrap_or_default()
    }

    /// Whether a person of `role` with this choice is given conversations by routing.
    pub fn takes_chats_as(&self, role: Role) -> bool {
        role == Role::Agent || self.takes_chats
    }

    /// The choice as a person of `role` has it: agents always take chats.
    pub fn effective(self, role: Role) -> SeatChoice {
        SeatChoice { takes_chats: self.takes_chats_as(role), ..self }
    }

    /// `offline` is never a choice (it follows from closing the workspace): read as online.
    fn normalised(self) -> SeatChoice {
        let status = if self.status == Presence::Offline { Presence::Online } else { self.status };
        SeatChoice { status, ..self }
    }
}

/// Whether a role may switch 接待 off (agents serve customers: they choose busy or away).
pub fn may_stop_taking_chats(role: Role) -> bool {
    role != Role::Agent
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_agents_take_chats_without_choosing_to() {
        let none = SeatChoice::default();
        assert!(none.takes_chats_as(Role::Agent));
        for role in [Role::Owner, Role::Admin, Role::Supervisor] {
            assert!(!none.takes_chats_as(role), "{role:?}");
            assert!(SeatChoice { takes_chats: true, ..none }.takes_chats_as(role), "{role:?}");
        }
        assert!(SeatChoice { takes_chats: false, ..none }.effective(Role::Agent).takes_chats);
        assert!(!may_stop_taking_chats(Role::Agent) && may_stop_taking_chats(Role::Supervisor));
    }

    #[test]
    fn a_stored_choice_reads_back_and_bad_documents_are_the_default() {
        let busy = SeatChoice { status: Presence::Busy, takes_chats: true };
        assert_eq!(SeatChoice::parse(&serde_json::to_string(&busy).unwrap_or_default()), busy);
        assert_eq!(SeatChoice::parse(r#"{"status":"away"}"#), SeatChoice { status: Presence::Away, takes_chats: false });
        assert_eq!(SeatChoice::parse(r#"{"status":"offline","takes_chats":true}"#).status, Presence::Online);
        assert_eq!(SeatChoice::parse("not json"), SeatChoice::default());
        let user = UserId::new();
        assert_eq!(seat_setting_key(user), format!("seat:{user}"));
    }
}
