//! IMAP polling: for shops whose mail stays in a mailbox rather than being pushed, kefu logs
//! in every `KEFU_IMAP_POLL_SECONDS`, fetches the unseen messages of one mailbox and ingests
//! each like the email endpoint (same decoding, threading and Message-ID dedupe), then flags
//! it `\Seen`. A message refused for good (malformed, too large) is flagged too and logged
//! by UID; a failure on our side (the store) leaves it unseen for the next poll. Decision:
//! the mailbox is kefu's (a dedicated address): someone reading it in a mail client marks
//! messages seen before kefu fetches them.

use super::inbound::ingest;
use crate::app::AppState;
use async_imap::Client;
use futures_util::StreamExt;
use kefu_core::ids::ChannelId;
use kefu_core::store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;

/// Where to poll (from `KEFU_IMAP_URL`, `KEFU_IMAP_CHANNEL`, `KEFU_IMAP_POLL_SECONDS`).
#[derive(Clone, Debug)]
pub struct ImapSettings {
    /// Implicit TLS (`imaps://`); plain IMAP otherwise (loopback relays and tests).
    pub tls: bool,
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Login name.
    pub user: String,
    /// Password.
    pub password: String,
    /// Mailbox to read [default: INBOX].
    pub mailbox: String,
    /// The email channel its messages belong to.
    pub channel: ChannelId,
    /// Time between polls.
    pub every: Duration,
}

impl ImapSettings {
    /// Parse `imap[s]://user:password@host[:port][/mailbox]` (user and password
    /// percent-encoded) for `channel`. Errors never show the password.
    pub fn parse(raw: &str, channel: &str, every_secs: u64) -> Result<Self, String> {
        let url = url::Url::parse(raw.trim()).map_err(|e| format!("KEFU_IMAP_URL is not a URL: {e}"))?;
        let tls = match url.scheme() {
            "imaps" => true,
            "imap" => false,
            other => return Err(format!("KEFU_IMAP_URL must be imap:// or imaps://, not {other}://")),
        };
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or("KEFU_IMAP_URL has no host")?.trim_start_matches('[').trim_end_matches(']').to_string();
        let decode = |s: &str| percent_decode(s).ok_or("KEFU_IMAP_URL has a badly encoded user or password");
        let user = decode(url.username())?;
        let password = decode(url.password().unwrap_or(""))?;
        if user.is_empty() || password.is_empty() {
            return Err("KEFU_IMAP_URL needs a user and a password (imaps://user:password@host/INBOX)".into());
        }
        let mailbox = decode(url.path().trim_start_matches('/'))?;
        let channel = channel.trim().parse().map_err(|_| format!("KEFU_IMAP_CHANNEL {channel:?} is not a channel id (create an email channel first)"))?;
        if !(1..=3600).contains(&every_secs) {
            return Err(format!("IMAP poll interval of {every_secs} seconds is out of range (1-3600)"));
        }
        Ok(Self {
            port: url.port().unwrap_or(if tls { 993 } else { 143 }),
            tls,
            host,
            user,
            password,
            mailbox: if mailbox.is_empty() { "INBOX".into() } else { mailbox },
            channel,
            every: Duration::from_secs(every_secs),
        })
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Poll until shutdown.
pub fn spawn(state: AppState, settings: ImapSettings, shutdown: watch::Receiver<bool>) {
    let mut shutdown = shutdown;
    tokio::spawn(async move {
        let stop = async move {
            let _ = shutdown.wait_for(|s| *s).await;
        };
        tokio::pin!(stop);
        loop {
            let result = poll(&state, &settings).await;
            match &result {
                Ok(0) => {}
                Ok(n) => tracing::info!(channel = %settings.channel, fetched = n, "IMAP poll"),
                // Connection, login and protocol errors; never the password or mail content.
                Err(e) => tracing::warn!(channel = %settings.channel, error = %e, "IMAP poll failed; retrying at the next interval"),
            }
            let (fetched, error) = match result {
                Ok(n) => (n as u64, None),
                Err(e) => (0, Some(e)),
            };
            state.channels.recent.note_poll(settings.channel, crate::channels::recent::Polled { at: state.inbox.now(), fetched, error });
            tokio::select! {
                _ = &mut stop => break,
                _ = tokio::time::sleep(settings.every) => {}
            }
        }
    });
}

/// One poll: connect, log in, ingest the unseen messages. Returns how many were fetched.
pub async fn poll(state: &AppState, s: &ImapSettings) -> Result<usize, String> {
    let channel = state.inbox.store().channel_by_id(s.channel).await.map_err(|e| e.to_string())?;
    let Some(channel) = channel.filter(|c| c.disabled_at.is_none() && c.platform == kefu_core::channels::email::PLATFORM) else {
        return Err("KEFU_IMAP_CHANNEL names no enabled email channel".into());
    };
    let tcp = tokio::time::timeout(Duration::from_secs(30), tokio::net::TcpStream::connect((s.host.as_str(), s.port)))
        .await
        .map_err(|_| "connecting timed out".to_string())?
        .map_err(|e| format!("cannot connect: {e}"))?;
    if s.tls {
        let mut roots = tokio_rustls::rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(tokio_rustls::rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = tokio_rustls::rustls::pki_types::ServerName::try_from(s.host.clone()).map_err(|e| format!("bad host name: {e}"))?;
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.map_err(|e| format!("TLS: {e}"))?;
        session(state, s, &channel, Client::new(tls)).await
    } else {
        session(state, s, &channel, Client::new(tcp)).await
    }
}

async fn session<T>(state: &AppState, s: &ImapSettings, channel: &kefu_core::channels::ChannelInstance, mut client: Client<T>) -> Result<usize, String>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    client.read_response().await.map_err(|e| format!("no greeting: {e}"))?;
    let mut session = client.login(&s.user, &s.password).await.map_err(|(e, _)| format!("login failed: {e}"))?;
    session.select(&s.mailbox).await.map_err(|e| format!("cannot select the mailbox: {e}"))?;
    let mut uids: Vec<u32> = session.uid_search("UNSEEN").await.map_err(|e| e.to_string())?.into_iter().collect();
    uids.sort_unstable();
    let mut fetched = 0;
    for uid in uids {
        let raw = {
            let mut stream = session.uid_fetch(uid.to_string(), "BODY.PEEK[]").await.map_err(|e| e.to_string())?;
            let mut raw = None;
            while let Some(f) = stream.next().await {
                let f = f.map_err(|e| e.to_string())?;
                if let Some(b) = f.body() {
                    raw = Some(b.to_vec());
                }
            }
            raw
        };
        let Some(raw) = raw else { continue };
        fetched += 1;
        let done = match ingest(state, channel, raw.into()).await {
            Ok(_) => true,
            Err(e) => {
                let (status, code) = e.status_code();
                tracing::warn!(channel = %channel.id, uid, status = status.as_u16(), code, "IMAP message refused");
                // Refused for good: flag it so it is not fetched again. Our own failures retry.
                status.is_client_error() && status.as_u16() != 429
            }
        };
        if done {
            let mut flags = session.uid_store(uid.to_string(), "+FLAGS (\\Seen)").await.map_err(|e| e.to_string())?;
            while let Some(r) = flags.next().await {
                r.map_err(|e| e.to_string())?;
            }
        }
    }
    let _ = session.logout().await;
    Ok(fetched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let ch = kefu_core::ids::ChannelId::new().to_string();
        let s = ImapSettings::parse("imaps://help%40shop.example:p%40ss@imap.example.com/Support", &ch, 60).expect("parses");
        assert_eq!((s.tls, s.host.as_str(), s.port, s.user.as_str(), s.password.as_str(), s.mailbox.as_str()), (true, "imap.example.com", 993, "help@shop.example", "p@ss", "Support"));
        let s = ImapSettings::parse("imap://u:p@127.0.0.1:1143", &ch, 5).expect("parses");
        assert_eq!((s.tls, s.port, s.mailbox.as_str()), (false, 1143, "INBOX"));
        let e = ImapSettings::parse("imaps://u:secret-pw@h/", "nope", 60).unwrap_err();
        assert!(e.contains("KEFU_IMAP_CHANNEL") && !e.contains("secret-pw"), "{e}");
        assert!(ImapSettings::parse("http://u:p@h/", &ch, 60).is_err());
        assert!(ImapSettings::parse("imap://h/", &ch, 60).is_err());
    }
}
