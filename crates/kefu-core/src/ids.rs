//! Typed, time-ordered identifiers (UUIDv7) so a customer id can never be passed as a shop id.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type!(
    /// A shop (tenant).
    ShopId,
    /// A person who works in the back office: owner, admin, supervisor or agent.
    UserId,
    /// A customer, one person across channels.
    CustomerId,
    /// A conversation (会话).
    ConversationId,
    /// A message.
    MessageId,
    /// A domain event in the log.
    EventId,
    /// A login session or an API token.
    CredentialId,
    /// A ticket (工单).
    TicketId,
    /// A comment on a ticket.
    CommentId,
    /// A department (部门).
    DepartmentId,
    /// An entry of the audit log.
    AuditId,
    /// A quick phrase (快捷短语).
    QuickPhraseId,
);
