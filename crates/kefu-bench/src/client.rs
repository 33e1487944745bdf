//! Speaking kefu's public protocols as a client: widget and agent WebSockets, login, API
//! tokens, and cheap reading of the server's JSON frames. Frames are recognised by their
//! leading `{"type":"…"` (serde writes the tag first) and fields by substring, because the
//! harness reads hundreds of thousands of frames a second on the same two cores as the server
//! and full JSON parsing would make the client the bottleneck.

use anyhow::{anyhow, bail, Context, Result};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A client WebSocket.
pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Password of the demo logins.
pub const DEMO_PASSWORD: &str = "kefu-demo";
/// The demo shop's logins, each usable for many agent sockets.
pub const DEMO_LOGINS: [&str; 4] = ["owner@demo.kefu", "supervisor@demo.kefu", "agent1@demo.kefu", "agent2@demo.kefu"];
/// A customer message of typical length (a question about an order).
pub const CONTENT: &str = "你好，我的快递到哪了？订单号 1234567890，麻烦帮我查一下物流";

/// Client sockets keep small read buffers: tens of thousands of them live in this process.
fn client_config() -> WebSocketConfig {
    WebSocketConfig::default().read_buffer_size(8 * 1024)
}

/// Open a widget socket of the demo shop; returns it with its hello frame.
pub async fn widget(ws_base: &str, token: Option<&str>, timeout: Duration) -> Result<(Ws, String)> {
    let mut url = format!("{ws_base}/ws/widget?key=demo");
    if let Some(t) = token {
        url.push_str("&token=");
        url.push_str(t);
    }
    connect(&url, None, timeout).await
}

/// Open an agent workspace socket with a session cookie; returns it with its hello frame.
pub async fn agent(ws_base: &str, cookie: &str, timeout: Duration) -> Result<(Ws, String)> {
    connect(&format!("{ws_base}/ws/agent"), Some(cookie), timeout).await
}

/// Source address and port of the next client socket; see [`fresh_socket`].
static NEXT_SOURCE: AtomicU64 = AtomicU64::new(u64::MAX);
/// Source ports used on each loopback address (20,000 … 59,999).
const PORTS_PER_ADDRESS: u64 = 40_000;
/// Loopback source addresses used (127.0.0.2 …).
const ADDRESSES: u64 = 250;

/// Connect from a source address and port not used recently (127.0.0.2:20000, :20001 … then
/// 127.0.0.3 …, starting at a place that differs per process). Letting the kernel choose
/// costs a search over every bound port (quadratic over tens of thousands of sockets) and,
/// from one source address, runs out after the previous phase's thousands of TIME_WAIT
/// ports. SO_REUSEADDR lets a port still in TIME_WAIT towards another server be bound; a
/// clash with the same server is retried from the next port.
async fn fresh_socket(server: SocketAddr) -> std::io::Result<TcpStream> {
    let mut last = None;
    for _ in 0..16 {
        let mut n = NEXT_SOURCE.load(Ordering::Relaxed);
        if n == u64::MAX {
            let seed = std::process::id() as u64 ^ std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
            let _ = NEXT_SOURCE.compare_exchange(u64::MAX, crate::schedule::Rng::new(seed).below(ADDRESSES * PORTS_PER_ADDRESS), Ordering::Relaxed, Ordering::Relaxed);
        }
        n = NEXT_SOURCE.fetch_add(1, Ordering::Relaxed) % (ADDRESSES * PORTS_PER_ADDRESS);
        let ip = 2 + n / PORTS_PER_ADDRESS;
        let port = 20_000 + n % PORTS_PER_ADDRESS;
        let socket = TcpSocket::new_v4()?;
        socket.set_reuseaddr(true)?;
        let attempt = async {
            socket.bind(SocketAddr::from(([127, 0, 0, ip as u8], port as u16)))?;
            socket.connect(server).await
        };
        match attempt.await {
            Ok(s) => return Ok(s),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::AddrInUse | std::io::ErrorKind::AddrNotAvailable) => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free source port")))
}

async fn connect(url: &str, cookie: Option<&str>, timeout: Duration) -> Result<(Ws, String)> {
    let mut req = url.into_client_request()?;
    if let Some(c) = cookie {
        req.headers_mut().insert("cookie", c.parse().context("cookie header")?);
    }
    let host = req.uri().authority().map(|a| a.as_str().to_string()).ok_or_else(|| anyhow!("no host in {url}"))?;
    let server: SocketAddr = host.parse().with_context(|| format!("{host} is not an IP address and port"))?;
    let work = async {
        let stream = fresh_socket(server).await?;
        // Nagle off on the client: the load generator must not add its own delays.
        stream.set_nodelay(true)?;
        let (mut ws, _) = tokio_tungstenite::client_async_with_config(req, MaybeTlsStream::Plain(stream), Some(client_config())).await?;
        let hello = next_text(&mut ws).await?;
        if frame_type(&hello) != Some("hello") {
            bail!("expected a hello frame, got {}", clip(&hello));
        }
        Ok((ws, hello))
    };
    tokio::time::timeout(timeout, work).await.map_err(|_| anyhow!("no hello within {timeout:?}"))?
}

/// The next text frame (pings are answered by the library while reading).
pub async fn next_text(ws: &mut Ws) -> Result<String> {
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => return Ok(t.to_string()),
            Some(Ok(Message::Close(c))) => bail!("closed by the server: {c:?}"),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e.into()),
            None => bail!("socket ended"),
        }
    }
}

/// Send one text frame.
pub async fn send_text(ws: &mut Ws, text: impl Into<Utf8Bytes>) -> Result<()> {
    ws.send(Message::Text(text.into())).await.map_err(Into::into)
}

/// A customer's `send` frame.
pub fn send_frame(client_id: &str) -> String {
    // Written by hand: serde_json's map would sort the keys and put `type` last.
    format!(r#"{{"type":"send","content":"{CONTENT}","client_id":"{client_id}"}}"#)
}

/// The ping frame.
pub const PING: &str = r#"{"type":"ping"}"#;

/// The `type` of a frame, if it starts the way every kefu frame does.
pub fn frame_type(text: &str) -> Option<&str> {
    let rest = text.strip_prefix(r#"{"type":""#)?;
    rest.split_once('"').map(|(t, _)| t)
}

/// The first string value of `"key":"…"` in a frame (no escapes in the values we read).
pub fn str_field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let pat = format!("\"{key}\":\"");
    let start = text.find(&pat)? + pat.len();
    text[start..].split_once('"').map(|(v, _)| v)
}

/// The first `client_id` in a frame: the ack's own for acks, the message's for messages.
pub fn client_id_of(text: &str) -> Option<&str> {
    str_field(text, "client_id")
}

/// A frame shortened for error messages.
pub fn clip(text: &str) -> String {
    text.chars().take(200).collect()
}

/// Log in with the demo password; returns the cookies as a browser sends them
/// (`kefu_session=…; kefu_csrf=…`).
pub async fn login(http: &reqwest::Client, base: &str, email: &str) -> Result<String> {
    let res = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "email": email, "password": DEMO_PASSWORD }))
        .send()
        .await
        .with_context(|| format!("logging in as {email}"))?;
    if !res.status().is_success() {
        bail!("login as {email}: HTTP {}", res.status());
    }
    let pairs: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(str::to_string)
        .collect();
    if !pairs.iter().any(|p| p.starts_with("kefu_session=")) {
        bail!("login as {email} set no session cookie");
    }
    Ok(pairs.join("; "))
}

/// The CSRF token in a cookie string from [`login`], echoed on state-changing requests.
fn csrf_of(cookie: &str) -> &str {
    cookie.split("; ").find_map(|p| p.strip_prefix("kefu_csrf=")).unwrap_or("")
}

/// Create an API token with the `inbound:write` scope; returns its secret.
pub async fn inbound_token(http: &reqwest::Client, base: &str, cookie: &str) -> Result<String> {
    let res = http
        .post(format!("{base}/api/v1/tokens"))
        .header("cookie", cookie)
        .header("x-csrf-token", csrf_of(cookie))
        .json(&json!({ "name": "kefu-bench", "scopes": ["inbound:write"] }))
        .send()
        .await
        .context("creating an API token")?;
    if res.status().as_u16() != 201 {
        bail!("creating an API token: HTTP {}", res.status());
    }
    let body: serde_json::Value = res.json().await?;
    body["secret"].as_str().map(str::to_string).ok_or_else(|| anyhow!("token answer without secret"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_frames_without_parsing_them() {
        let ack = r#"{"type":"ack","client_id":"7.1500","message":{"id":"m","client_id":"7.1500","seq":3},"duplicate":false}"#;
        assert_eq!(frame_type(ack), Some("ack"));
        assert_eq!(client_id_of(ack), Some("7.1500"));
        let msg = r#"{"type":"message","message":{"id":"m","content":"x","client_id":"9.20"}}"#;
        assert_eq!((frame_type(msg), client_id_of(msg)), (Some("message"), Some("9.20")));
        let hello = r#"{"type":"hello","visitor_token":"kv_abc","customer_id":"c1"}"#;
        assert_eq!(str_field(hello, "visitor_token"), Some("kv_abc"));
        assert_eq!(frame_type("[1,2]"), None);
        assert_eq!(client_id_of(r#"{"type":"message","message":{"client_id":null}}"#), None);
    }

    #[test]
    fn send_frames_carry_the_client_id() {
        let f = send_frame("1.2");
        assert_eq!(frame_type(&f), Some("send"));
        assert_eq!(client_id_of(&f), Some("1.2"));
    }
}
