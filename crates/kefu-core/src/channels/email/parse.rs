//! Decoding a raw RFC 822 message with `mail-parser`: headers (encoded words in any charset
//! it knows, GBK and GB2312 included), the text body (the HTML body turned into text when
//! there is no plain one), attachments. What is refused is refused before anything is
//! stored: no From address, nothing to read, too many or too large attachments.

use super::normalise_address;
use super::thread::normalise_id;
use crate::error::CoreError;
use mail_parser::{HeaderValue, MessageParser, MimeHeaders};

/// Bounds on what one email may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most attachments kept.
    pub max_attachments: usize,
    /// Largest single attachment in bytes.
    pub max_attachment_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_attachments: 20, max_attachment_bytes: 10 * 1024 * 1024 }
    }
}

/// A file found in an email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentPart {
    /// The file name as sent (decoded), or `attachment-N`.
    pub filename: String,
    /// `type/subtype` as declared.
    pub content_type: String,
    /// The decoded bytes.
    pub bytes: Vec<u8>,
}

/// What kefu takes from one email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedEmail {
    /// Its Message-ID (without angle brackets), if it has a usable one.
    pub message_id: Option<String>,
    /// What it replies to.
    pub in_reply_to: Vec<String>,
    /// Its ancestry, oldest first.
    pub references: Vec<String>,
    /// The sender's normalised address.
    pub from: String,
    /// The sender's display name (may be empty).
    pub from_name: String,
    /// The decoded subject.
    pub subject: String,
    /// The body as text, quoted history still in it.
    pub text: String,
    /// Attachments (inline images included: customers paste screenshots).
    pub attachments: Vec<AttachmentPart>,
    /// The top-most `Authentication-Results` header, if any.
    pub authentication_results: Option<String>,
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    let raw: Vec<&str> = match v {
        HeaderValue::Text(t) => t.split_whitespace().collect(),
        HeaderValue::TextList(l) => l.iter().flat_map(|t| t.split_whitespace()).collect(),
        _ => Vec::new(),
    };
    raw.into_iter().filter_map(normalise_id).collect()
}

fn invalid(why: &str) -> CoreError {
    CoreError::Invalid(crate::error::msg("error-email-unusable").arg("reason", why.to_string()))
}

/// Decode a raw message. Errors are `Invalid` (malformed, no sender, nothing to read) or
/// `TooLarge` (an attachment over the limit); their messages never quote the email.
pub fn parse(raw: &[u8], limits: Limits) -> Result<ParsedEmail, CoreError> {
    if raw.iter().take(8 * 1024).all(|b| *b != b':') {
        return Err(invalid("no header section"));
    }
    let msg = MessageParser::default().parse(raw).ok_or_else(|| invalid("the MIME structure cannot be parsed"))?;
    let sender = msg.from().and_then(|a| a.first()).ok_or_else(|| invalid("no From address"))?;
    let from = sender.address().and_then(normalise_address).ok_or_else(|| invalid("the From address is not valid"))?;
    let from_name = sender.name().unwrap_or("").trim().chars().filter(|c| !c.is_control()).take(100).collect();
    let text = match msg.body_text(0) {
        Some(t) => t.replace('\0', ""),
        None => String::new(),
    };
    let mut attachments = Vec::new();
    for (n, part) in msg.attachments().enumerate() {
        // A forwarded message (message/rfc822) counts as a file like any other.
        let bytes = part.contents();
        if attachments.len() == limits.max_attachments {
            return Err(invalid(&format!("more than {} attachments", limits.max_attachments)));
        }
        if bytes.len() > limits.max_attachment_bytes {
            return Err(CoreError::TooLarge { len: bytes.len(), limit: limits.max_attachment_bytes });
        }
        let content_type = part
            .content_type()
            .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("octet-stream")).to_ascii_lowercase())
            .filter(|c| c.len() <= 100 && c.chars().all(|ch| ch.is_ascii_graphic()))
            .unwrap_or_else(|| "application/octet-stream".into());
        let filename = part
            .attachment_name()
            .map(|f| f.chars().filter(|c| !c.is_control() && !matches!(c, '/' | '\\')).take(200).collect::<String>())
            .filter(|f| !f.trim().is_empty())
            .unwrap_or_else(|| format!("attachment-{}", n + 1));
        attachments.push(AttachmentPart { filename, content_type, bytes: bytes.to_vec() });
    }
    if text.trim().is_empty() && attachments.is_empty() && msg.subject().is_none_or(|s| s.trim().is_empty()) {
        return Err(invalid("no subject, body or attachment"));
    }
    Ok(ParsedEmail {
        message_id: msg.message_id().and_then(normalise_id),
        in_reply_to: ids(msg.in_reply_to()),
        references: ids(msg.references()),
        from,
        from_name,
        subject: msg.subject().unwrap_or("").trim().chars().filter(|c| !c.is_control()).take(500).collect(),
        text,
        attachments,
        authentication_results: msg.header_raw("Authentication-Results").map(|s| s.trim().to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // Any bytes, and header-shaped text with random MIME around a valid sender: decoding
        // never panics and what it returns keeps its own promises.
        #[test]
        fn any_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let _ = parse(&data, Limits::default());
        }

        #[test]
        fn header_shaped_input_keeps_its_promises(ctype in "(text/plain|text/html|multipart/mixed; boundary=b|application/pdf)", charset in "(utf-8|gbk|gb2312|latin1|bogus)", body in "\\PC{0,300}") {
            let raw = format!("From: a@b.example\r\nSubject: s\r\nContent-Type: {ctype}; charset={charset}\r\n\r\n{body}\r\n--b--\r\n");
            if let Ok(e) = parse(raw.as_bytes(), Limits::default()) {
                prop_assert_eq!(e.from.as_str(), "a@b.example");
                prop_assert!(e.attachments.len() <= Limits::default().max_attachments);
            }
        }
    }

    #[test]
    fn plain_message_with_threading_headers() {
        let raw = b"From: =?UTF-8?B?5p2O6Zu3?= <Li@Example.com>\r\nTo: help@shop.example\r\nSubject: =?UTF-8?B?6K6i5Y2V6Zeu6aKY?=\r\nMessage-ID: <m2@mail.example>\r\nIn-Reply-To: <m1@shop.example>\r\nReferences: <m0@mail.example> <m1@shop.example>\r\n\r\nhello\r\n";
        let e = parse(raw, Limits::default()).expect("parses");
        assert_eq!((e.from.as_str(), e.from_name.as_str(), e.subject.as_str()), ("li@example.com", "李雷", "订单问题"));
        assert_eq!(e.message_id.as_deref(), Some("m2@mail.example"));
        assert_eq!(e.in_reply_to, vec!["m1@shop.example"]);
        assert_eq!(e.references, vec!["m0@mail.example", "m1@shop.example"]);
        assert_eq!(e.text.trim(), "hello");
    }

    #[test]
    fn refusals() {
        assert!(parse(b"just some text without headers", Limits::default()).is_err());
        assert!(parse(b"Subject: hi\r\n\r\nno sender\r\n", Limits::default()).is_err());
        assert!(parse(b"From: not an address\r\nSubject: x\r\n\r\nbody\r\n", Limits::default()).is_err());
        let big = format!(
            "From: a@b.com\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhi\r\n--XX\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n\r\n{}\r\n--XX--\r\n",
            "x".repeat(2000)
        );
        let small = Limits { max_attachments: 5, max_attachment_bytes: 1000 };
        assert!(matches!(parse(big.as_bytes(), small), Err(CoreError::TooLarge { .. })));
        let ok = parse(big.as_bytes(), Limits::default()).expect("within the default");
        assert_eq!((ok.attachments[0].filename.as_str(), ok.attachments[0].content_type.as_str()), ("a.pdf", "application/pdf"));
    }
}
