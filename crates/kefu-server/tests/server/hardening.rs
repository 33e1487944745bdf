//! Issue 17, findings 1, 2 and 7: connections that hold descriptors, login lock-outs that hit
//! the wrong people, and errors outside the JSON shape.

use crate::harness::*;
use serde_json::{json, Value};
use std::net::{IpAddr, SocketAddr};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};

const HALF_SENT: &[u8] = b"GET /healthz HTTP/1.1\r\n";
const SECOND_LOOPBACK: &str = "127.0.0.2";

fn addr_of(app: &TestApp) -> SocketAddr {
    app.running.as_ref().expect("running").addr
}

async fn connect_from(server: SocketAddr, local: &str) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket.bind(SocketAddr::new(local.parse().expect("ip"), 0)).expect("bind");
    socket.connect(server).await.expect("connect")
}

/// Whatever the server sends until it closes (or resets) the connection; `None` when it is
/// still open after `within`.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> Option<Vec<u8>> {
    let mut got = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(within, read).await.ok().map(|_| got)
}

/// One raw request on a fresh connection from `local`; the status line and body of the answer.
async fn raw(server: SocketAddr, local: &str, request: &[u8]) -> (u16, String, Value) {
    let mut stream = connect_from(server, local).await;
    // A server refusing a body may close before all of it is sent; the answer is read anyway.
    let _ = stream.write_all(request).await;
    let first_line = String::from_utf8_lossy(request).lines().next().unwrap_or_default().chars().take(60).collect::<String>();
    let got = until_closed(&mut stream, Duration::from_secs(30)).await.unwrap_or_else(|| panic!("{first_line}: answered and closed"));
    let text = String::from_utf8_lossy(&got).to_string();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (status, head.to_lowercase(), serde_json::from_str(body).unwrap_or(Value::Null))
}

async fn healthz_from(server: SocketAddr, local: &str) -> u16 {
    raw(server, local, b"GET /healthz HTTP/1.1\r\nHost: kefu\r\nConnection: close\r\n\r\n").await.0
}

#[tokio::test]
async fn half_sent_requests_beyond_the_fd_limit_do_not_stop_healthz() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_kefu"));
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--header-timeout-seconds", "30", "--connections-per-ip", "0", "--demo", "false", "--data-dir"])
        .arg(dir.path())
        .env("KEFU_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // SAFETY: setrlimit is a plain system call, safe between fork and exec.
    unsafe {
        command.pre_exec(|| {
            let limit = rustix::process::Rlimit { current: Some(256), maximum: Some(256) };
            rustix::process::setrlimit(rustix::process::Resource::Nofile, limit).map_err(std::io::Error::from)
        });
    }
    let mut child = command.spawn().expect("spawn kefu");
    let log = Arc::new(Mutex::new(String::new()));
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    for (stream, ready) in [(Box::new(child.stdout.take().unwrap()) as Box<dyn tokio::io::AsyncRead + Unpin + Send>, Some(ready_tx)), (Box::new(child.stderr.take().unwrap()), None)] {
        let log = log.clone();
        tokio::spawn(async move {
            let mut ready = ready;
            let mut lines = BufReader::new(stream).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.strip_prefix("kefu is running at ") {
                    if let Some(tx) = ready.take() {
                        let _ = tx.send(url.trim().trim_start_matches("http://").to_string());
                    }
                }
                log.lock().unwrap().push_str(&(line + "\n"));
            }
        });
    }
    let addr: SocketAddr = tokio::time::timeout(Duration::from_secs(60), ready_rx).await.expect("started").expect("ready line").parse().expect("address");
    assert!(log.lock().unwrap().contains("open-file limit is below"), "start-up warns about the low limit: {}", log.lock().unwrap());

    // More half-sent requests than the process has descriptors, all from one address.
    let mut held = Vec::new();
    for _ in 0..400 {
        let mut s = TcpStream::connect(addr).await.expect("connect (the listen queue takes what the server does not)");
        s.write_all(HALF_SENT).await.expect("half a request");
        held.push(s);
    }
    // A fresh connection is answered once the ones before it are cleared: with every slot
    // taken, heads get one second instead of the configured 30 (bound below that).
    let status = tokio::time::timeout(Duration::from_secs(25), healthz_from(addr, "127.0.0.1")).await.expect("healthz answered");
    assert_eq!(status, 200);
    let text = log.lock().unwrap().clone();
    assert!(!text.contains("accepting connections failed"), "the cap keeps accept below the limit: {text}");
    drop(held);
    let _ = child.start_kill();
    let _ = child.wait().await;
}

#[tokio::test]
async fn connections_per_ip_are_capped_websockets_included_and_other_addresses_get_in() {
    let app = TestApp::spawn_with(|a| a.connections_per_ip = Some(8)).await;
    let addr = addr_of(&app);
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut s = connect_from(addr, "127.0.0.1").await;
        s.write_all(HALF_SENT).await.unwrap();
        held.push(s);
    }
    let mut sockets = Vec::new();
    for _ in 0..4 {
        sockets.push(app.widget(None, None).await.0);
    }
    // The ninth from 127.0.0.1 is closed unanswered; another address is served.
    let mut ninth = connect_from(addr, "127.0.0.1").await;
    let _ = ninth.write_all(b"GET /healthz HTTP/1.1\r\nHost: kefu\r\n\r\n").await;
    let answer = until_closed(&mut ninth, Duration::from_secs(10)).await.expect("closed by the server");
    assert!(answer.is_empty(), "no answer over the cap: {}", String::from_utf8_lossy(&answer));
    assert_eq!(healthz_from(addr, SECOND_LOOPBACK).await, 200);
    // Closing widget sockets frees their slots.
    drop(sockets);
    let mut status = 0;
    for _ in 0..50 {
        let mut s = connect_from(addr, "127.0.0.1").await;
        let _ = s.write_all(b"GET /healthz HTTP/1.1\r\nHost: kefu\r\nConnection: close\r\n\r\n").await;
        let got = until_closed(&mut s, Duration::from_secs(10)).await.unwrap_or_default();
        status = String::from_utf8_lossy(&got).split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "a slot came free when the sockets closed");
    drop(held);
}

#[tokio::test]
async fn half_sent_heads_stalled_bodies_and_idle_keep_alive_connections_are_closed_but_websockets_stay() {
    let app = TestApp::spawn_with(|a| {
        a.header_timeout_seconds = Some(1);
        a.keepalive_seconds = Some(2);
    })
    .await;
    let addr = addr_of(&app);
    let mut half = connect_from(addr, "127.0.0.1").await;
    half.write_all(HALF_SENT).await.unwrap();
    assert!(until_closed(&mut half, Duration::from_secs(20)).await.is_some(), "a head that never ends is cut off");

    // A body that stops coming does not hold the connection either.
    let mut stalled = connect_from(addr, "127.0.0.1").await;
    stalled.write_all(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: kefu\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\":").await.unwrap();
    let got = until_closed(&mut stalled, Duration::from_secs(20)).await.expect("a stalled body is cut off");
    assert!(String::from_utf8_lossy(&got).starts_with("HTTP/1.1 400"), "{}", String::from_utf8_lossy(&got));

    let mut idle = connect_from(addr, "127.0.0.1").await;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: kefu\r\n\r\n").await.unwrap();
    let got = until_closed(&mut idle, Duration::from_secs(20)).await.expect("an idle keep-alive connection is closed");
    assert!(String::from_utf8_lossy(&got).starts_with("HTTP/1.1 200"), "the request was answered first");

    // A WebSocket is not an idle HTTP connection: it outlives both timeouts.
    let (mut ws, _) = app.widget(None, None).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    send(&mut ws, json!({"type": "ping"})).await;
    next_of(&mut ws, "pong").await;
}

async fn login_from(http: &reqwest::Client, base: &str, email: &str, password: &str) -> reqwest::Response {
    http.post(format!("{base}/api/v1/auth/login")).json(&json!({"email": email, "password": password})).send().await.expect("login")
}

fn client_from(local: &str) -> reqwest::Client {
    reqwest::Client::builder().local_address(local.parse::<IpAddr>().ok()).build().expect("client")
}

#[tokio::test]
async fn failed_logins_lock_the_account_from_that_ip_only() {
    let app = TestApp::spawn().await;
    let here = client_from("127.0.0.1");
    for i in 0..25 {
        assert_eq!(login_from(&here, &app.base, &format!("nobody{i}@example.org"), "guess-123456").await.status(), 401);
    }
    for _ in 0..5 {
        assert_eq!(login_from(&here, &app.base, "agent1@demo.kefu", "guess-123456").await.status(), 401);
    }
    let locked = login_from(&here, &app.base, "agent1@demo.kefu", PASSWORD).await;
    assert_eq!(locked.status(), 429);
    assert!(locked.headers().get("retry-after").is_some());
    let body: Value = locked.json().await.unwrap();
    assert_eq!(body["error"]["code"], "login_locked");
    assert_eq!(body["error"]["message"], "登录失败次数过多，请 1 分钟后再试");
    // Another account from the same IP, and the locked account from another IP, still log in.
    assert_eq!(login_from(&here, &app.base, "agent2@demo.kefu", PASSWORD).await.status(), 200);
    assert_eq!(login_from(&client_from(SECOND_LOOPBACK), &app.base, "agent1@demo.kefu", PASSWORD).await.status(), 200);
    // An administrator's unlock (issue 18 calls it) lifts the lock.
    assert_eq!(app.state().guards.unlock_account("Agent1@demo.kefu"), 1);
    assert_eq!(login_from(&here, &app.base, "agent1@demo.kefu", PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn unknown_emails_are_capped_per_ip_sparing_accounts_known_there_and_zero_turns_the_cap_off() {
    let app = TestApp::spawn().await;
    let here = client_from("127.0.0.1");
    assert_eq!(login_from(&here, &app.base, "owner@demo.kefu", PASSWORD).await.status(), 200);
    for i in 0..30 {
        assert_eq!(login_from(&here, &app.base, &format!("nobody{i}@example.org"), "guess-123456").await.status(), 401);
    }
    let res = login_from(&here, &app.base, "agent2@demo.kefu", PASSWORD).await;
    assert_eq!(res.status(), 429);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "login_locked_network");
    assert!(body["error"]["message"].as_str().unwrap().starts_with("此网络登录失败次数过多"), "{body}");
    assert_eq!(login_from(&here, &app.base, "owner@demo.kefu", PASSWORD).await.status(), 200, "logged in from here before");
    assert_eq!(login_from(&client_from(SECOND_LOOPBACK), &app.base, "agent2@demo.kefu", PASSWORD).await.status(), 200);

    let off = TestApp::spawn_with(|a| a.rate_limit_per_ip = Some(0)).await;
    for i in 0..35 {
        assert_eq!(login_from(&here, &off.base, &format!("nobody{i}@example.org"), "guess-123456").await.status(), 401);
    }
    assert_eq!(login_from(&here, &off.base, "agent2@demo.kefu", PASSWORD).await.status(), 200, "--rate-limit-per-ip 0: no per-IP cap");
}

#[tokio::test]
async fn framework_errors_answer_the_json_error_shape() {
    let app = TestApp::spawn().await;
    let addr = addr_of(&app);
    let owner = app.login("owner@demo.kefu").await;
    let oversized = format!(
        "POST /api/v1/kb/import?format=csv HTTP/1.1\r\nHost: kefu\r\nCookie: {}\r\nX-CSRF-Token: {}\r\nContent-Type: text/csv\r\nContent-Length: 9000000\r\nConnection: close\r\n\r\n{}",
        owner.cookie, owner.csrf, "问题,答案\r\n".repeat(9_000_000 / 15)
    );
    let long_target = format!("GET /api/v1/me?pad={} HTTP/1.1\r\nHost: kefu\r\nConnection: close\r\n\r\n", "x".repeat(16 * 1024));
    let cases: Vec<(String, u16, &str)> = vec![
        (oversized, 413, "payload_too_large"),
        (long_target, 414, "uri_too_long"),
        ("GET /no/such/page HTTP/1.1\r\nHost: kefu\r\nConnection: close\r\n\r\n".into(), 404, "not_found"),
        ("DELETE /healthz HTTP/1.1\r\nHost: kefu\r\nConnection: close\r\n\r\n".into(), 405, "method_not_allowed"),
        ("GET /ws/widget?key=demo HTTP/1.1\r\nHost: kefu\r\nConnection: close\r\n\r\n".into(), 400, "invalid_request"),
    ];
    for (request, status, code) in cases {
        let first_line = request.lines().next().unwrap_or_default().chars().take(60).collect::<String>();
        let (got, head, body) = raw(addr, "127.0.0.1", request.as_bytes()).await;
        assert_eq!(got, status, "{first_line}");
        assert!(head.contains("content-type: application/json"), "{first_line}: {head}");
        assert_eq!(body["error"]["code"], code, "{first_line}: {body}");
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{first_line}: {body}");
    }
}

#[tokio::test]
async fn an_oversized_widget_frame_closes_with_1009() {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
    use tokio_tungstenite::tungstenite::Message;
    let app = TestApp::spawn().await;
    let (mut ws, _) = app.widget(None, None).await;
    let big = json!({"type": "send", "content": "字".repeat(350_000), "client_id": "big"}).to_string();
    assert!(big.len() > 1_000_000);
    let _ = futures_util::SinkExt::send(&mut ws, Message::Text(big.into())).await;
    let close = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(frame) = ws.next().await {
            match frame {
                Ok(Message::Close(close)) => return close,
                Ok(_) => continue,
                Err(e) => panic!("socket dropped without a close frame: {e}"),
            }
        }
        None
    })
    .await
    .expect("closed in time");
    assert_eq!(close.map(|c| c.code), Some(CloseCode::Size), "close code 1009");
}

#[tokio::test]
async fn logging_out_with_a_token_says_how_to_revoke_it_and_the_token_keeps_working() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let (_, token) = owner.post("/api/v1/tokens", json!({"name": "script", "scopes": ["conversations:read"]})).await;
    let secret = token["secret"].as_str().unwrap();
    let res = app.http.post(format!("{}/api/v1/auth/logout", app.base)).bearer_auth(secret).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "token_logout");
    assert!(body["error"]["message"].as_str().unwrap().contains("DELETE /api/v1/tokens/{id}"), "{body}");
    let me = app.http.get(format!("{}/api/v1/me", app.base)).bearer_auth(secret).send().await.unwrap();
    assert_eq!(me.status(), 200, "nothing was revoked by the refused logout");
}

#[tokio::test]
async fn the_database_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn().await;
    // A write so the WAL holds something.
    app.login("owner@demo.kefu").await;
    let dir = app._dir.path();
    for name in ["kefu.db", "kefu.db-wal", "kefu.db-shm", "keys.toml"] {
        let mode = std::fs::metadata(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}")).permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name} is {mode:o}");
    }
}
