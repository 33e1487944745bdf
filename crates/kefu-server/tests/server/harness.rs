//! Spawning servers and talking to them.

use futures_util::{SinkExt, StreamExt};
use kefu_core::clock::{Clock, ManualClock, SystemClock};
use kefu_server::app::{self, Running};
use kefu_server::config::{Config, ServeArgs};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub const PASSWORD: &str = "kefu-demo";

/// A server with the demo shop on a fresh SQLite file.
pub struct TestApp {
    pub running: Option<Running>,
    pub base: String,
    pub ws_base: String,
    pub http: reqwest::Client,
    pub _dir: tempfile::TempDir,
    /// What it was started with, to start it again on the same data directory.
    args: ServeArgs,
    clock: Arc<dyn Clock>,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with_clock(Arc::new(SystemClock)).await
    }

    pub async fn spawn_with_clock(clock: Arc<dyn Clock>) -> TestApp {
        Self::spawn_configured(clock, |_| {}).await
    }

    /// A server with some settings changed (rate limits, keys …).
    pub async fn spawn_with(configure: impl FnOnce(&mut ServeArgs)) -> TestApp {
        Self::spawn_configured(Arc::new(SystemClock), configure).await
    }

    async fn spawn_configured(clock: Arc<dyn Clock>, configure: impl FnOnce(&mut ServeArgs)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut args = ServeArgs {
            listen: Some("127.0.0.1:0".into()),
            data_dir: Some(dir.path().to_path_buf()),
            log: Some("warn".into()),
            // Callback and webhook servers in tests listen on loopback.
            allow_private_targets: Some(true),
            // Tests that want the bot give the shop a knowledge base themselves.
            demo_bot: Some(false),
            ..Default::default()
        };
        configure(&mut args);
        let config = Config::load(&args).expect("config");
        let running = app::start_with_clock(config, clock.clone()).await.expect("start");
        let addr = running.addr;
        TestApp {
            running: Some(running),
            base: format!("http://{addr}"),
            ws_base: format!("ws://{addr}"),
            http: reqwest::Client::new(),
            _dir: dir,
            args,
            clock,
        }
    }

    /// Stop the server and start it again on the same data directory (a new port).
    pub async fn restart(&mut self) {
        self.restart_with(|_| {}).await;
    }

    /// [`restart`](Self::restart) with some settings changed.
    pub async fn restart_with(&mut self, configure: impl FnOnce(&mut ServeArgs)) {
        configure(&mut self.args);
        self.shutdown().await;
        let config = Config::load(&self.args).expect("config");
        let running = app::start_with_clock(config, self.clock.clone()).await.expect("restart");
        self.base = format!("http://{}", running.addr);
        self.ws_base = format!("ws://{}", running.addr);
        self.running = Some(running);
    }

    pub fn state(&self) -> &kefu_server::app::AppState {
        &self.running.as_ref().expect("running").state
    }

    pub async fn shutdown(&mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await;
        }
    }

    /// Log in and return the session cookie.
    pub async fn login(&self, email: &str) -> Agent {
        let res = self
            .http
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({ "email": email, "password": PASSWORD }))
            .send()
            .await
            .expect("login request");
        assert_eq!(res.status(), 200, "login as {email}");
        self.session_from(res).await
    }

    /// The logged-in user a login-like answer (login, setup, accepted invitation) made.
    pub async fn session_from(&self, res: reqwest::Response) -> Agent {
        let pairs: Vec<String> = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .map(str::to_string)
            .collect();
        assert!(pairs.iter().any(|p| p.starts_with("kefu_session=")), "session cookie in {pairs:?}");
        let csrf = pairs.iter().find_map(|p| p.strip_prefix("kefu_csrf=")).expect("csrf cookie").to_string();
        let cookie = pairs.join("; ");
        let body: Value = res.json().await.expect("login body");
        Agent {
            base: self.base.clone(),
            ws_base: self.ws_base.clone(),
            http: self.http.clone(),
            cookie,
            csrf,
            id: body["user"]["id"].as_str().unwrap_or_default().to_string(),
        }
    }

    /// Open a widget socket for the demo shop; returns the socket and its hello frame.
    pub async fn widget(&self, token: Option<&str>, after_seq: Option<i64>) -> (Ws, Value) {
        widget_at(&self.ws_base, token, after_seq).await
    }

    /// A widget visitor whose customer already exists (they wrote on an earlier visit), so
    /// their hello carries a customer id before they write: for tests that tag or look up a
    /// customer first. Made through the inbox, as the widget's first message would.
    pub async fn known_visitor(&self) -> (Ws, Value) {
        use kefu_core::store::Store;
        let inbox = &self.state().inbox;
        let shop = inbox.store().shop_by_widget_key("demo").await.expect("read").expect("demo shop").id;
        let token = kefu_server::auth::new_secret("kv_").expect("token");
        let hash = kefu_server::auth::secret_hash(&token);
        inbox.customer_for(shop, kefu_core::customer::Channel::Widget, &hash, "").await.expect("customer");
        let (ws, hello) = self.widget(Some(&token), None).await;
        assert!(hello["customer_id"].is_string(), "a known visitor's hello names the customer: {hello}");
        (ws, hello)
    }
}

pub async fn widget_at(ws_base: &str, token: Option<&str>, after_seq: Option<i64>) -> (Ws, Value) {
    let mut url = format!("{ws_base}/ws/widget?key=demo");
    if let Some(t) = token {
        url.push_str(&format!("&token={t}"));
    }
    if let Some(s) = after_seq {
        url.push_str(&format!("&after_seq={s}"));
    }
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("widget connect");
    let hello = next_of(&mut ws, "hello").await;
    (ws, hello)
}

/// A logged-in back-office user.
#[derive(Clone)]
pub struct Agent {
    pub base: String,
    pub ws_base: String,
    pub http: reqwest::Client,
    /// Both cookies, as a browser sends them.
    pub cookie: String,
    /// The CSRF token to echo on state-changing requests.
    pub csrf: String,
    pub id: String,
}

impl Agent {
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let res = self.http.get(format!("{}{path}", self.base)).header("cookie", &self.cookie).send().await.expect("GET");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.with_body(reqwest::Method::POST, path, body).await
    }

    pub async fn post_put(&self, path: &str, body: Value) -> (u16, Value) {
        self.with_body(reqwest::Method::PUT, path, body).await
    }

    async fn with_body(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let res = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Open the workspace socket; returns it with its hello frame.
    pub async fn socket(&self) -> (Ws, Value) {
        let mut req = format!("{}/ws/agent", self.ws_base).into_client_request().expect("request");
        req.headers_mut().insert("cookie", self.cookie.parse().expect("cookie header"));
        let (mut ws, _) = tokio_tungstenite::connect_async(req).await.expect("agent connect");
        let hello = next_of(&mut ws, "hello").await;
        (ws, hello)
    }
}

pub async fn send(ws: &mut Ws, frame: Value) {
    ws.send(Message::Text(frame.to_string().into())).await.expect("send frame");
}

/// The next JSON text frame, within 5 s.
pub async fn next_frame(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("timed out waiting for a frame")
            .expect("socket ended")
            .expect("socket error");
        match msg {
            Message::Text(t) => return serde_json::from_str(&t).expect("JSON frame"),
            Message::Close(c) => panic!("socket closed: {c:?}"),
            _ => continue,
        }
    }
}

/// Skip frames until one of the given type.
pub async fn next_of(ws: &mut Ws, kind: &str) -> Value {
    loop {
        let f = next_frame(ws).await;
        if f["type"] == kind {
            return f;
        }
    }
}

/// Skip frames until one matching `pred`.
pub async fn next_where(ws: &mut Ws, pred: impl Fn(&Value) -> bool) -> Value {
    loop {
        let f = next_frame(ws).await;
        if pred(&f) {
            return f;
        }
    }
}

/// A clock tests can move.
pub fn manual_clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(SystemClock.now()))
}
