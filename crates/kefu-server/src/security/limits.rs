//! Rate limits per client IP and per credential for every request, per customer for
//! messages, and login throttling. Limits answer 429 with `Retry-After`.

use crate::app::AppState;
use crate::auth::principal::cookie_value_in;
use crate::auth::{secret_hash, SESSION_COOKIE};
use crate::error::ApiError;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{AUTHORIZATION, CONNECTION};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kefu_core::abuse::{Buckets, FailureWindow, LoginGuard, LoginOutcome, LoginPolicy, LoginRefusal, Rate};
use kefu_core::clock::Millis;
use kefu_core::audit::AuditEntry;
use kefu_core::ids::{CustomerId, ShopId};
use std::net::{IpAddr, SocketAddr};
use std::collections::HashSet;
use std::sync::Mutex;

/// Limits in requests (or messages) per minute; 0 turns one off.
#[derive(Clone, Copy, Debug)]
pub struct LimitSettings {
    /// Requests per client IP.
    pub per_ip: u32,
    /// Requests per session or API token.
    pub per_credential: u32,
    /// Messages per customer.
    pub per_customer: u32,
}

/// Messages with `block`-level words from one customer that count as abuse, and their window.
pub const ABUSIVE_HITS: usize = 3;
const ABUSIVE_WINDOW_MS: Millis = 10 * 60 * 1000;

/// All limiters of the process.
pub struct Guards {
    settings: LimitSettings,
    ip: Mutex<Buckets<IpAddr>>,
    credential: Mutex<Buckets<String>>,
    customer: Mutex<Buckets<CustomerId>>,
    login: Mutex<LoginGuard<IpAddr>>,
    flooding: Mutex<HashSet<CustomerId>>,
    abusive: Mutex<(FailureWindow<CustomerId>, HashSet<CustomerId>)>,
}

fn rate(per_minute: u32) -> Rate {
    // A burst of half a minute's allowance: page loads fire a handful of calls at once.
    Rate { burst: (per_minute / 2).max(1), per_minute }
}

fn take<K: std::hash::Hash + Eq + Clone>(m: &Mutex<Buckets<K>>, key: &K, per_minute: u32, now: Millis) -> Result<(), ApiError> {
    if per_minute == 0 {
        return Ok(());
    }
    let mut b = m.lock().unwrap_or_else(|p| p.into_inner());
    b.take(key, now).map_err(|ms| ApiError::RateLimited { retry_after_secs: (ms as u64).div_ceil(1000).max(1) })
}

impl Guards {
    /// Limiters with these settings.
    pub fn new(settings: LimitSettings) -> Self {
        Guards {
            settings,
            ip: Mutex::new(Buckets::new(rate(settings.per_ip), 100_000)),
            credential: Mutex::new(Buckets::new(rate(settings.per_credential), 100_000)),
            customer: Mutex::new(Buckets::new(Rate { burst: (settings.per_customer / 3).max(1), per_minute: settings.per_customer }, 200_000)),
            login: Mutex::new(LoginGuard::new(login_policy(settings))),
            flooding: Mutex::new(HashSet::new()),
            abusive: Mutex::new((FailureWindow::new(ABUSIVE_HITS, ABUSIVE_WINDOW_MS), HashSet::new())),
        }
    }

    /// One message from a customer (any channel). On refusal, the flag says whether this
    /// customer just started flooding (the moment worth an audit entry and a log line).
    fn customer_message(&self, customer: CustomerId, now: Millis) -> Result<(), (ApiError, bool)> {
        let mut flooding = self.flooding.lock().unwrap_or_else(|p| p.into_inner());
        match take(&self.customer, &customer, self.settings.per_customer, now) {
            Ok(()) => {
                flooding.remove(&customer);
                Ok(())
            }
            Err(e) => Err((e, flooding.insert(customer))),
        }
    }

    /// Count a `block`-level word from a customer; true exactly when the customer reaches
    /// [`ABUSIVE_HITS`] in the window for the first time in this episode.
    pub fn abusive_hit(&self, customer: CustomerId, now: Millis) -> bool {
        let mut guard = self.abusive.lock().unwrap_or_else(|p| p.into_inner());
        let (counter, alerted) = &mut *guard;
        counter.failed(&customer, now);
        if counter.check(&customer, now).is_err() {
            alerted.insert(customer)
        } else {
            alerted.remove(&customer);
            false
        }
    }

    /// Before checking a password: refused while this (account, IP) pair is locked, or while
    /// the IP is over its unknown-email cap.
    pub fn login_allowed(&self, email: &str, ip: IpAddr, now: Millis) -> Result<(), ApiError> {
        let refusal = self.login.lock().unwrap_or_else(|p| p.into_inner()).check(email, &ip, now);
        refusal.map_err(|r| match r {
            LoginRefusal::Account(ms) => ApiError::LoginLocked { network: false, retry_after_secs: secs(ms) },
            LoginRefusal::Network(ms) => ApiError::LoginLocked { network: true, retry_after_secs: secs(ms) },
        })
    }

    /// Record the outcome of a password check; returns the lock it started, if any (ms).
    pub fn login_result(&self, email: &str, ip: IpAddr, outcome: LoginOutcome, now: Millis) -> Option<Millis> {
        self.login.lock().unwrap_or_else(|p| p.into_inner()).record(email, &ip, outcome, now)
    }

    /// Clear every login lock of an account, from every IP (an administrator unlocking a
    /// colleague); returns how many (account, IP) locks or counts were cleared.
    pub fn unlock_account(&self, email: &str) -> usize {
        self.login.lock().unwrap_or_else(|p| p.into_inner()).unlock_account(email)
    }

    /// Whether the account is locked from any IP right now.
    pub fn login_locked(&self, email: &str, now: Millis) -> bool {
        self.login.lock().unwrap_or_else(|p| p.into_inner()).locked_anywhere(email, now)
    }
}

fn secs(ms: Millis) -> u64 {
    (ms.max(0) as u64).div_ceil(1000).max(1)
}

/// Login locks: the defaults, with the per-IP unknown-email cap off when the per-IP request
/// limit is (behind a proxy every visitor shares one IP).
fn login_policy(settings: LimitSettings) -> LoginPolicy {
    let policy = LoginPolicy::default();
    LoginPolicy { unknown_per_ip: if settings.per_ip == 0 { 0 } else { policy.unknown_per_ip }, ..policy }
}

/// Admit one customer message or refuse it (429 / an error frame). A customer who starts
/// flooding is audited once per episode and counted in the metrics.
pub async fn admit_customer_message(state: &AppState, shop: ShopId, customer: CustomerId) -> Result<(), ApiError> {
    let now = state.inbox.now();
    match state.guards.customer_message(customer, now) {
        Ok(()) => Ok(()),
        Err((e, started)) => {
            if started {
                state.metrics.customers_throttled.inc();
                tracing::warn!(%shop, %customer, "customer throttled: too many messages");
                let detail = serde_json::json!({ "per_minute": state.guards.settings.per_customer });
                let entry = AuditEntry::by("system", Some(shop), now, "customer_throttled", Some(format!("customer:{customer}")), detail);
                super::audit::record(state, entry).await?;
            }
            Err(e)
        }
    }
}

/// Middleware: per-IP and per-credential request limits. A 429 also closes the connection, so
/// a client over its limit does not keep a keep-alive connection open for nothing.
pub async fn check(State(state): State<AppState>, ConnectInfo(peer): ConnectInfo<SocketAddr>, req: Request, next: Next) -> Response {
    let mut res = match admit(&state, peer, &req) {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    };
    if res.status() == StatusCode::TOO_MANY_REQUESTS {
        res.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
    }
    res
}

/// Health checks (load balancers, often behind one address) and the static files every page
/// load fetches are not counted against the client's IP.
fn exempt_from_ip_limit(path: &str) -> bool {
    path == "/healthz" || path == "/widget.js" || path == "/widget.css" || path.starts_with("/assets/") || crate::channels::is_platform_webhook(path)
}

fn admit(state: &AppState, peer: SocketAddr, req: &Request) -> Result<(), ApiError> {
    let now = state.inbox.now();
    let guards = &state.guards;
    if !exempt_from_ip_limit(req.uri().path()) {
        take(&guards.ip, &peer.ip(), guards.settings.per_ip, now)?;
    }
    let headers = req.headers();
    let credential = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .or_else(|| cookie_value_in(headers, SESSION_COOKIE))
        .map(secret_hash);
    if let Some(c) = credential {
        take(&guards.credential, &c, guards.settings.per_credential, now)?;
    }
    Ok(())
}
