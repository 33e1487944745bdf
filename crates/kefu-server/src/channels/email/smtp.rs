//! Replies to email conversations, by SMTP (lettre, rustls on ring). The relay is one per
//! server (`KEFU_SMTP_URL`); each email channel sends from its own address. A reply's
//! threading headers come from the conversation's recorded emails: `In-Reply-To` the
//! customer's newest email, `References` its ancestry plus it, `Subject: Re: …` of it.
//! The Message-ID is derived from the delivery id, so a retried send carries the same id
//! and the customer's mail client shows it once.

use kefu_core::channels::email::{thread, EmailHeader, EmailRecord};
use kefu_core::channels::ChannelInstance;
use kefu_core::outbox::Delivery;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Where replies to email conversations go out, and the mailbox polled for inbound mail.
#[derive(Clone, Debug, Default)]
pub struct EmailSettings {
    /// `smtp://…` or `smtps://…`; none means email replies are dead-lettered with a reason.
    pub smtp_url: Option<String>,
    /// IMAP polling, when configured.
    pub imap: Option<super::imap::ImapSettings>,
}

impl EmailSettings {
    /// Validate the SMTP URL and the IMAP settings (messages never show a password).
    pub fn load(url: Option<String>, imap_url: Option<String>, imap_channel: Option<String>, imap_poll_secs: u64) -> Result<Self, String> {
        let imap = match (imap_url.filter(|u| !u.trim().is_empty()), imap_channel) {
            (Some(u), Some(c)) => Some(super::imap::ImapSettings::parse(&u, &c, imap_poll_secs)?),
            (Some(_), None) => return Err("KEFU_IMAP_URL needs KEFU_IMAP_CHANNEL, the id of the email channel its mail belongs to".into()),
            (None, _) => None,
        };
        let Some(url) = url.map(|u| u.trim().to_string()).filter(|u| !u.is_empty()) else { return Ok(Self { smtp_url: None, imap }) };
        if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
            return Err(format!("SMTP URL {:?} must start with smtp:// or smtps://", kefu_store::redact(&url)));
        }
        AsyncSmtpTransport::<Tokio1Executor>::from_url(&url).map_err(|e| format!("SMTP URL {:?} is not valid: {e}", kefu_store::redact(&url)))?;
        Ok(Self { smtp_url: Some(url), imap })
    }
}

/// Sends email replies.
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
}

/// One reply ready to send.
pub struct Outgoing {
    /// From (the channel's address).
    pub from: String,
    /// To (the customer's address).
    pub to: String,
    /// What is recorded for threading (our Message-ID, subject, references).
    pub header: EmailHeader,
    /// The Message-ID it answers.
    pub in_reply_to: Option<String>,
    /// The agent's words.
    pub text: String,
}

impl Mailer {
    /// A mailer for the configured relay (none configured: every send fails with a reason).
    pub fn new(settings: &EmailSettings, timeout: Duration) -> anyhow::Result<Self> {
        let transport = match &settings.smtp_url {
            Some(url) => Some(AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| anyhow::anyhow!("SMTP URL: {e}"))?.timeout(Some(timeout)).build()),
            None => None,
        };
        Ok(Self { transport })
    }

    /// Whether a relay is configured (without one a reply can never go out).
    pub fn is_configured(&self) -> bool {
        self.transport.is_some()
    }

    /// Connect to the relay and greet it (EHLO, then QUIT), for the channels page: `None` when
    /// no relay is configured, else whether it answered, with the reason when it did not.
    pub async fn probe(&self) -> Option<Result<(), String>> {
        let transport = self.transport.as_ref()?;
        Some(match tokio::time::timeout(Duration::from_secs(5), transport.test_connection()).await {
            Ok(Ok(true)) => Ok(()),
            Ok(Ok(false)) => Err("the relay did not accept the connection".into()),
            Ok(Err(e)) => Err(smtp_reason(&e)),
            Err(_) => Err("timed out".into()),
        })
    }

    /// Send one reply. Errors are short reasons for the outbox row (no addresses, no text).
    pub async fn send(&self, out: &Outgoing) -> Result<(), String> {
        let transport = self.transport.as_ref().ok_or("no SMTP relay is configured (KEFU_SMTP_URL)")?;
        let from: Mailbox = out.from.parse().map_err(|_| "the channel's address is not valid")?;
        let to: Mailbox = out.to.parse().map_err(|_| "the customer's address is not valid")?;
        let mut b = Message::builder().from(from).to(to).subject(out.header.subject.clone()).message_id(Some(format!("<{}>", out.header.message_id)));
        if let Some(parent) = &out.in_reply_to {
            b = b.in_reply_to(format!("<{parent}>"));
        }
        if !out.header.references.is_empty() {
            b = b.references(out.header.references.iter().map(|r| format!("<{r}>")).collect::<Vec<_>>().join(" "));
        }
        let msg = b.header(ContentType::TEXT_PLAIN).body(out.text.clone()).map_err(|e| format!("building the email failed: {e}"))?;
        transport.send(msg).await.map_err(|e| format!("SMTP: {}", smtp_reason(&e)))?;
        Ok(())
    }
}

/// The relay's answer without echoing addresses back into the outbox row.
fn smtp_reason(e: &lettre::transport::smtp::Error) -> String {
    match e.status() {
        Some(code) => format!("the relay answered {code}"),
        None if e.is_timeout() => "timed out".into(),
        None => "the relay could not be reached".into(),
    }
}

/// The domain part of an address (for our Message-IDs).
fn domain_of(addr: &str) -> &str {
    addr.rsplit_once('@').map(|(_, d)| d).unwrap_or("kefu.invalid")
}

/// Compose a reply: from the channel's address to the customer's, threaded under the
/// conversation's recorded emails (newest first in `thread_emails`); kefu's own words (a
/// subject for a thread without one) are in the customer's language `lang`.
pub fn compose(d: &Delivery, channel: &ChannelInstance, to: &str, thread_emails: &[EmailRecord], text: &str, lang: kefu_i18n::Lang) -> Result<Outgoing, String> {
    let from = channel.callback_url.strip_prefix("mailto:").ok_or("the email channel has no sending address")?.to_string();
    // Answer the customer's newest email; without one (an agent wrote first) our own newest.
    let parent = thread_emails.iter().find(|e| e.inbound).or_else(|| thread_emails.first());
    let subject = match parent {
        Some(p) => thread::reply_subject(&p.header.subject, lang),
        None => thread::default_subject(lang),
    };
    let references = parent.map(|p| thread::reply_references(&p.header.references, &p.header.message_id)).unwrap_or_default();
    Ok(Outgoing {
        header: EmailHeader { message_id: format!("{}@{}", d.id, domain_of(&from)), subject, references },
        in_reply_to: parent.map(|p| p.header.message_id.clone()),
        from,
        to: to.to_string(),
        text: text.to_string(),
    })
}
