//! Platform channels (抖音-style shop accounts): the channel instances a shop configures, the
//! route back to a customer, the signature scheme, the events platforms post, danmaku
//! filtering. Pure data and functions; the server owns the HTTP edges and the workers.

pub mod email;
pub mod events;
pub mod ssrf;
pub mod live;
pub mod signature;

use crate::clock::Millis;
use crate::error::CoreError;
use crate::ids::{ChannelId, CustomerId, ShopId};
use serde::Serialize;

/// A shop's account on one platform: the platform posts events to
/// `/api/v1/channels/{id}/webhook`, kefu posts replies to `callback_url`; both signed with
/// `secret`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelInstance {
    /// Id (part of the webhook URL).
    pub id: ChannelId,
    /// Shop.
    pub shop_id: ShopId,
    /// A name to recognise it by, e.g. 抖音旗舰店.
    pub name: String,
    /// Which platform, e.g. `douyin` (informational).
    pub platform: String,
    /// Where replies to its customers are posted.
    pub callback_url: String,
    /// The shared signing secret (sealed at rest, shown once at creation).
    #[serde(skip)]
    pub secret: String,
    /// Creation time.
    pub created_at: Millis,
    /// When it was switched off (its webhook then answers 404).
    pub disabled_at: Option<Millis>,
}

/// Where replies to a customer go: the platform channel they last wrote through, and their
/// id there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// Shop.
    pub shop_id: ShopId,
    /// The customer.
    pub customer_id: CustomerId,
    /// The channel instance.
    pub channel_id: ChannelId,
    /// Their user id on the platform.
    pub external_id: String,
    /// When they last wrote.
    pub updated_at: Millis,
}

/// Check a URL kefu will post to: http(s), no credentials, at most 2000 bytes.
pub fn validate_target_url(url: &str) -> Result<(), CoreError> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    let authority = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    match authority {
        Some(a) if authority_ok(a) && url.len() <= 2000 && !url.chars().any(|c| c.is_whitespace() || c.is_control()) => Ok(()),
        _ => Err(CoreError::Invalid(crate::error::msg("error-channel-url"))),
    }
}

/// A host name (letters, digits, `.`, `-`, `_`) or a bracketed IPv6 address, then an optional
/// port; no credentials.
fn authority_ok(authority: &str) -> bool {
    let (host_ok, port) = if let Some(v6) = authority.strip_prefix('[') {
        let Some((addr, rest)) = v6.split_once(']') else { return false };
        let port = match rest {
            "" => None,
            r => match r.strip_prefix(':') {
                Some(p) => Some(p),
                None => return false,
            },
        };
        (addr.parse::<std::net::Ipv6Addr>().is_ok(), port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        (!host.is_empty() && host.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_')), port)
    };
    host_ok && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok_and(|n| n > 0))
}

/// Check a channel name or platform label: 1-100 characters.
pub fn validate_label(field: &str, v: &str) -> Result<(), CoreError> {
    if v.trim().is_empty() || v.chars().count() > 100 || v.chars().any(char::is_control) {
        return Err(CoreError::Invalid(crate::error::msg("error-field-length-100").arg("field", field)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_urls() {
        assert!(validate_target_url("https://open.example.com/kefu/callback").is_ok());
        assert!(validate_target_url("http://127.0.0.1:9000/cb").is_ok());
        assert!(validate_target_url("https://[2001:db8::1]:8443/cb").is_ok());
        assert!(validate_target_url("https://客服.example/cb?x=1").is_ok());
        for bad in ["ftp://x", "https://", "https://user:pw@host/x", "https://a b", "javascript:alert(1)", "http://[zz/x", "http://[::1", "http://[DF6fc.dDb]/", "http://[:::]/", "http://h:0/", "http://h:99999/", "http://h:8a/", "http://a!b/"] {
            assert!(validate_target_url(bad).is_err(), "{bad}");
        }
    }
}
