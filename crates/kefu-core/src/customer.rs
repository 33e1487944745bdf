//! Customers and the channel identities that point at them.

use crate::clock::Millis;
use crate::ids::{CustomerId, ShopId};
use serde::{Deserialize, Serialize};

/// Where a message came from or goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The web chat widget.
    Widget,
    /// In-app direct messages (私信).
    Dm,
    /// Comments on a video or product (评论).
    Comment,
    /// Order status messages (订单消息).
    OrderMessage,
    /// Live-stream danmaku (直播弹幕).
    Live,
    /// Email.
    Email,
    /// Any system calling the API.
    Api,
}

impl Channel {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Widget => "widget",
            Channel::Dm => "dm",
            Channel::Comment => "comment",
            Channel::OrderMessage => "order_message",
            Channel::Live => "live",
            Channel::Email => "email",
            Channel::Api => "api",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "widget" => Channel::Widget,
            "dm" => Channel::Dm,
            "comment" => Channel::Comment,
            "order_message" => Channel::OrderMessage,
            "live" => Channel::Live,
            "email" => Channel::Email,
            "api" => Channel::Api,
            _ => return None,
        })
    }
}

/// One person writing to the shop, however many channels they use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    /// Id.
    pub id: CustomerId,
    /// Shop.
    pub shop_id: ShopId,
    /// Name shown to agents.
    pub display_name: String,
    /// The last message sequence number used in this customer's dialogue.
    pub last_seq: i64,
    /// Tags agents and imports put on the customer (routing rules read them; `VIP` makes a VIP).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Set when this customer was merged into another: their identities write there now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<CustomerId>,
    /// Creation time.
    pub created_at: Millis,
}

/// A customer's address on one channel, e.g. the widget visitor or a platform user id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Identity {
    /// Shop.
    pub shop_id: ShopId,
    /// Channel.
    pub channel: Channel,
    /// The channel's own id for the person.
    pub external_id: String,
    /// Who it belongs to.
    pub customer_id: CustomerId,
    /// Creation time.
    pub created_at: Millis,
}
