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
    /// An order (订单), stable per (shop, platform order number).
    OrderId,
    /// A product (商品), stable per (shop, sku).
    ProductId,
    /// A configured platform channel (one shop's account on one platform).
    ChannelId,
    /// A delivery waiting in (or done by) the outbox.
    DeliveryId,
    /// A shop's subscription of a URL to events (outgoing webhook).
    WebhookId,
    /// A quick phrase (快捷短语).
    QuickPhraseId,
    /// A file attached to an email, stable per (shop, message, position).
    AttachmentId,
);

impl AttachmentId {
    /// The id of the `index`th attachment of a message: the same on every redelivery, so
    /// storing attachments again is a no-op.
    pub fn of(shop: ShopId, message: MessageId, index: usize) -> Self {
        Self(derived_uuid("attachment", shop, &format!("{message}:{index}")))
    }
}

/// A UUIDv8 derived from a shop and a natural key, so the same external record always gets
/// the same id (upserts need no read-back, and ids survive re-imports).
pub(crate) fn derived_uuid(kind: &str, shop: ShopId, key: &str) -> Uuid {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [kind.as_bytes(), shop.0.as_bytes(), key.as_bytes()] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}
