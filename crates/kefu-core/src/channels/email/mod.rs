//! Email as a channel: decoding raw RFC 822 messages (`parse`), trimming quoted history
//! (`quote`) and threading by Message-ID / In-Reply-To / References (`thread`). Pure and
//! synchronous; the server owns the endpoint, the store calls and SMTP.

pub mod parse;
pub mod quote;
pub mod thread;

use crate::clock::Millis;
use crate::ids::{AttachmentId, ChannelId, ConversationId, CustomerId, MessageId, ShopId};
use crate::message::MAX_TEXT_BYTES;
use serde::{Deserialize, Serialize};

pub use parse::{parse, AttachmentPart, Limits, ParsedEmail};

/// The platform name of an email channel instance.
pub const PLATFORM: &str = "email";

/// What kefu keeps of one email's headers for threading (sealed at rest: subjects are
/// content).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailHeader {
    /// Its Message-ID, without angle brackets.
    pub message_id: String,
    /// Its subject as decoded.
    pub subject: String,
    /// The Message-IDs it referred to, oldest first (References, then In-Reply-To).
    pub references: Vec<String>,
}

/// One email kefu received or sent, keyed by its Message-ID (hashed) within a shop: where it
/// landed, so later emails that refer to it join the same conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailRecord {
    /// [`thread::record_id`] of the shop and the Message-ID.
    pub id: String,
    /// Shop.
    pub shop_id: ShopId,
    /// The conversation it belongs to.
    pub conversation_id: ConversationId,
    /// The customer of that conversation.
    pub customer_id: CustomerId,
    /// The kefu message it became (inbound) or carried (outbound).
    pub message_id: Option<MessageId>,
    /// The email channel instance it came in or went out through.
    pub channel_id: ChannelId,
    /// Received (`true`) or sent by kefu.
    pub inbound: bool,
    /// Its headers (sealed).
    pub header: EmailHeader,
    /// When it was recorded.
    pub created_at: Millis,
}

/// A file that came with an email. The name and bytes are sealed at rest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    /// Id.
    pub id: AttachmentId,
    /// Shop.
    #[serde(skip)]
    pub shop_id: ShopId,
    /// The message it came with.
    pub message_id: MessageId,
    /// Its place among the message's attachments.
    pub position: u32,
    /// File name as sent (sealed at rest).
    pub filename: String,
    /// MIME type as declared by the sender.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// The bytes (only when one attachment is fetched).
    #[serde(skip)]
    pub data: Vec<u8>,
    /// When it was stored.
    pub created_at: Millis,
}

/// Normalise an email address for identity: trimmed, angle brackets removed, lower case.
/// The local part is technically case-sensitive, but no mail service treats it so and
/// customers type it both ways. `None` when it is not one plausible address.
pub fn normalise_address(raw: &str) -> Option<String> {
    let a = raw.trim().trim_start_matches('<').trim_end_matches('>').trim().to_lowercase();
    let (local, domain) = a.rsplit_once('@')?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && a.len() <= 254
        && !a.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
        && !local.contains('@');
    ok.then_some(a)
}

/// Whether the receiving mail server vouched for the sender: the top-most
/// `Authentication-Results` header (the one the receiving service added) reports
/// `dmarc=pass`. Only then is the From address trusted enough to merge customers across
/// channels; a From header alone is trivially forged.
pub fn sender_verified(top_authentication_results: Option<&str>) -> bool {
    top_authentication_results.is_some_and(|h| h.to_ascii_lowercase().split(|c: char| c == ';' || c.is_whitespace()).any(|t| t == "dmarc=pass"))
}

/// The text of the kefu message an email becomes: the subject first when it starts a
/// thread (agents need it; replies repeat it), then the body without quoted history, then
/// the attachments' names; cut to the message limit at a character boundary.
pub fn message_text(subject: &str, body: &str, new_thread: bool, attachment_names: &[String]) -> String {
    let mut out = String::new();
    let subject = subject.trim();
    if new_thread && !subject.is_empty() {
        out.push_str(subject);
        out.push_str("\n\n");
    }
    out.push_str(body.trim());
    if !attachment_names.is_empty() {
        out.push_str(if out.trim().is_empty() { "" } else { "\n\n" });
        out.push_str("[附件] ");
        out.push_str(&attachment_names.join(", "));
    }
    if out.trim().is_empty() {
        out = if subject.is_empty() { "(空邮件)".to_string() } else { subject.to_string() };
    }
    truncate(out, MAX_TEXT_BYTES)
}

/// Cut text to at most `limit` bytes at a character boundary, marking the cut with "…".
pub fn truncate(mut s: String, limit: usize) -> String {
    if s.len() <= limit {
        return s;
    }
    let mut end = limit.saturating_sub('…'.len_utf8());
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(normalise_address(" <Li.Lei@Example.COM> ").as_deref(), Some("li.lei@example.com"));
        assert_eq!(normalise_address("a+tag@mail.qq.com").as_deref(), Some("a+tag@mail.qq.com"));
        for bad in ["", "nobody", "@x.com", "a@b", "a b@c.com", "a@.com", "a@c.com.", "a@b@c.com"] {
            assert_eq!(normalise_address(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn verified_senders() {
        assert!(sender_verified(Some("mx.example.com; spf=pass smtp.mailfrom=a@b.com; dkim=pass; dmarc=pass (p=none)")));
        assert!(!sender_verified(Some("mx.example.com; dmarc=fail")));
        assert!(!sender_verified(Some("mx.example.com; dmarc=passed")));
        assert!(!sender_verified(None));
    }

    #[test]
    fn text_of_a_message() {
        assert_eq!(message_text("订单问题", "还没发货", true, &[]), "订单问题\n\n还没发货");
        assert_eq!(message_text("Re: 订单问题", "谢谢", false, &[]), "谢谢");
        assert_eq!(message_text("发票", "", false, &["发票.pdf".into()]), "[附件] 发票.pdf");
        assert_eq!(message_text("", " ", true, &[]), "(空邮件)");
        let long = message_text("", &"长".repeat(5000), false, &[]);
        assert!(long.len() <= MAX_TEXT_BYTES && long.ends_with('…'));
    }
}
