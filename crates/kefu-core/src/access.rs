//! Who is calling: login sessions, API tokens and their scopes.

use crate::clock::Millis;
use crate::ids::{CredentialId, ShopId, UserId};
use crate::shop::Role;
use serde::{Deserialize, Serialize};

/// What an API token may do. Session users get every scope their role allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Scope {
    /// Read conversations, messages and customers.
    #[serde(rename = "conversations:read")]
    ConversationsRead,
    /// Reply, assign and resolve.
    #[serde(rename = "conversations:write")]
    ConversationsWrite,
    /// Deliver what an integration pushes: customer messages (API channel), orders, products.
    #[serde(rename = "inbound:write")]
    InboundWrite,
    /// Manage API tokens.
    #[serde(rename = "tokens:manage")]
    TokensManage,
    /// Change the shop's settings: ticket workflows, departments, the business calendar.
    #[serde(rename = "settings:manage")]
    SettingsManage,
    /// Change people's roles.
    #[serde(rename = "people:manage")]
    PeopleManage,
    /// See one PII value unmasked (each reveal is audited).
    #[serde(rename = "pii:reveal")]
    PiiReveal,
    /// Read the audit log.
    #[serde(rename = "audit:read")]
    AuditRead,
    /// Read the service dashboard, hotspots and alerts.
    #[serde(rename = "analytics:read")]
    AnalyticsRead,
    /// Edit the knowledge base (supervisors only while the shop allows it).
    #[serde(rename = "kb:write")]
    KbWrite,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Scope; 10] = [
        Scope::ConversationsRead,
        Scope::ConversationsWrite,
        Scope::InboundWrite,
        Scope::TokensManage,
        Scope::SettingsManage,
        Scope::PeopleManage,
        Scope::PiiReveal,
        Scope::AuditRead,
        Scope::AnalyticsRead,
        Scope::KbWrite,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ConversationsRead => "conversations:read",
            Scope::ConversationsWrite => "conversations:write",
            Scope::InboundWrite => "inbound:write",
            Scope::TokensManage => "tokens:manage",
            Scope::SettingsManage => "settings:manage",
            Scope::PeopleManage => "people:manage",
            Scope::PiiReveal => "pii:reveal",
            Scope::AuditRead => "audit:read",
            Scope::AnalyticsRead => "analytics:read",
            Scope::KbWrite => "kb:write",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Scope::ALL.into_iter().find(|sc| sc.as_str() == s)
    }

    /// The permission table: whether a role holds this scope (and so may grant it to a
    /// token). Owners and admins hold everything; supervisors also see PII; agents serve.
    pub fn allowed_for(self, role: Role) -> bool {
        match self {
            Scope::TokensManage | Scope::InboundWrite | Scope::SettingsManage | Scope::PeopleManage | Scope::AuditRead => {
                role.administers()
            }
            Scope::PiiReveal | Scope::AnalyticsRead | Scope::KbWrite => role <= Role::Supervisor,
            Scope::ConversationsRead | Scope::ConversationsWrite => true,
        }
    }
}

/// A login session. Only the SHA-256 of the secret is stored.
#[derive(Clone, Debug)]
pub struct Session {
    /// Id.
    pub id: CredentialId,
    /// Shop.
    pub shop_id: ShopId,
    /// The user logged in.
    pub user_id: UserId,
    /// Hex SHA-256 of the cookie secret.
    pub secret_hash: String,
    /// Creation time.
    pub created_at: Millis,
    /// When it stops working.
    pub expires_at: Millis,
}

/// A scoped API token for integrations. Only the SHA-256 of the secret is stored.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    /// Id.
    pub id: CredentialId,
    /// Shop.
    pub shop_id: ShopId,
    /// The user who created it; the token acts with that user's role.
    pub user_id: UserId,
    /// A name to recognise it by.
    pub name: String,
    /// What it may do.
    pub scopes: Vec<Scope>,
    /// Hex SHA-256 of the secret.
    #[serde(skip)]
    pub secret_hash: String,
    /// Creation time.
    pub created_at: Millis,
    /// Revocation time, if revoked.
    pub revoked_at: Option<Millis>,
}
