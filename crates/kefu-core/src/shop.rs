//! Shops (tenants) and the people who work in them.

use crate::clock::Millis;
use crate::ids::{ShopId, UserId};
use serde::{Deserialize, Serialize};

/// A shop (tenant). Every other row belongs to exactly one shop.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shop {
    /// Id.
    pub id: ShopId,
    /// Display name, e.g. 演示店铺.
    pub name: String,
    /// Public key the web widget uses to find the shop.
    pub widget_key: String,
    /// Creation time.
    pub created_at: Millis,
}

/// What a back-office user may do, from most to least powerful.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Owns the shop.
    Owner,
    /// Manages settings and people.
    Admin,
    /// Leads agents, sees every conversation.
    Supervisor,
    /// Serves customers.
    Agent,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Agent => "agent",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "owner" => Role::Owner,
            "admin" => Role::Admin,
            "supervisor" => Role::Supervisor,
            "agent" => Role::Agent,
            _ => return None,
        })
    }

    /// Supervisors and above see and act on every conversation of the shop.
    pub fn oversees_all(self) -> bool {
        self <= Role::Supervisor
    }

    /// Owners and admins manage people, tokens and settings.
    pub fn administers(self) -> bool {
        self <= Role::Admin
    }
}

/// Whether an agent takes new conversations right now. Presence is hot state: it lives in
/// memory and is `offline` for anyone without an open workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Connected and taking conversations.
    Online,
    /// Connected, working on what they have, not taking new conversations (忙碌).
    Busy,
    /// Connected but away from the desk (离开).
    Away,
    /// Not connected.
    #[default]
    Offline,
}

/// A back-office user (owner, admin, supervisor or agent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// Id.
    pub id: UserId,
    /// The shop the user works for.
    pub shop_id: ShopId,
    /// Login name.
    pub email: String,
    /// Shown to colleagues and customers.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Most conversations assigned at once.
    pub capacity: u32,
    /// Creation time.
    pub created_at: Millis,
    /// The interface language the person chose; `None` follows the browser.
    #[serde(default)]
    pub language: Option<kefu_i18n::Lang>,
}

/// A user together with the argon2 hash of their password, as stored.
#[derive(Clone, Debug)]
pub struct UserCredentials {
    /// The user.
    pub user: User,
    /// PHC string of the argon2 hash.
    pub password_hash: String,
}
