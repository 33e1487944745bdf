//! Rate limits per client IP and per credential for every request, per customer for
//! messages, and login throttling. Limits answer 429 with `Retry-After`.

use crate::app::AppState;
use crate::auth::principal::cookie_value_in;
use crate::auth::{secret_hash, SESSION_COOKIE};
use crate::error::ApiError;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kefu_core::abuse::{Buckets, LoginGuard, Rate};
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

/// Failed logins allowed per (email, IP) in the window, and per IP.
const LOGIN_FAILURES_PER_ACCOUNT: usize = 5;
const LOGIN_FAILURES_PER_IP: usize = 30;
const LOGIN_WINDOW_MS: Millis = 15 * 60 * 1000;
/// Messages with `block`-level words from one customer that count as abuse, and their window.
pub const ABUSIVE_HITS: usize = 3;
const ABUSIVE_WINDOW_MS: Millis = 10 * 60 * 1000;

/// All limiters of the process.
pub struct Guards {
    settings: LimitSettings,
    ip: Mutex<Buckets<IpAddr>>,
    credential: Mutex<Buckets<String>>,
    customer: Mutex<Buckets<CustomerId>>,
    login_account: Mutex<LoginGuard<(String, IpAddr)>>,
    login_ip: Mutex<LoginGuard<IpAddr>>,
    flooding: Mutex<HashSet<CustomerId>>,
    abusive: Mutex<(LoginGuard<CustomerId>, HashSet<CustomerId>)>,
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
            login_account: Mutex::new(LoginGuard::new(LOGIN_FAILURES_PER_ACCOUNT, LOGIN_WINDOW_MS)),
            login_ip: Mutex::new(LoginGuard::new(LOGIN_FAILURES_PER_IP, LOGIN_WINDOW_MS)),
            flooding: Mutex::new(HashSet::new()),
            abusive: Mutex::new((LoginGuard::new(ABUSIVE_HITS, ABUSIVE_WINDOW_MS), HashSet::new())),
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

    /// Before checking a password: refused while the account or the IP is locked out.
    pub fn login_allowed(&self, email: &str, ip: IpAddr, now: Millis) -> Result<(), ApiError> {
        let key = (email.trim().to_lowercase(), ip);
        let locked = |r: Result<(), Millis>| r.map_err(|ms| ApiError::RateLimited { retry_after_secs: (ms.max(0) as u64).div_ceil(1000).max(1) });
        locked(self.login_ip.lock().unwrap_or_else(|p| p.into_inner()).check(&ip, now))?;
        locked(self.login_account.lock().unwrap_or_else(|p| p.into_inner()).check(&key, now))
    }

    /// Unlock a locked login: forget the account's failures from every IP (an owner's or
    /// admin's action; per-IP locks stay, they protect against spraying many accounts).
    pub fn unlock_login(&self, email: &str) {
        let email = email.trim().to_lowercase();
        self.login_account.lock().unwrap_or_else(|p| p.into_inner()).forget_where(|(e, _)| *e == email);
    }

    /// Whether the account is locked from any IP right now.
    pub fn login_locked(&self, email: &str, now: Millis) -> bool {
        let email = email.trim().to_lowercase();
        let mut guard = self.login_account.lock().unwrap_or_else(|p| p.into_inner());
        guard.any_locked(|(e, _)| *e == email, now)
    }

    /// Record the outcome of a password check.
    pub fn login_result(&self, email: &str, ip: IpAddr, ok: bool, now: Millis) {
        let key = (email.trim().to_lowercase(), ip);
        let mut account = self.login_account.lock().unwrap_or_else(|p| p.into_inner());
        if ok {
            account.succeeded(&key);
        } else {
            account.failed(&key, now);
            self.login_ip.lock().unwrap_or_else(|p| p.into_inner()).failed(&ip, now);
        }
    }
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

/// Middleware: per-IP and per-credential request limits.
pub async fn check(State(state): State<AppState>, ConnectInfo(peer): ConnectInfo<SocketAddr>, req: Request, next: Next) -> Response {
    let now = state.inbox.now();
    let guards = &state.guards;
    let signed_webhook = crate::channels::is_platform_webhook(req.uri().path());
    if !signed_webhook {
        if let Err(e) = take(&guards.ip, &peer.ip(), guards.settings.per_ip, now) {
            return e.into_response();
        }
    }
    let headers = req.headers();
    let credential = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .or_else(|| cookie_value_in(headers, SESSION_COOKIE))
        .map(secret_hash);
    if let Some(c) = credential {
        if let Err(e) = take(&guards.credential, &c, guards.settings.per_credential, now) {
            return e.into_response();
        }
    }
    next.run(req).await
}
