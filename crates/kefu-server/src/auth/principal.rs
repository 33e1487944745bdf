//! The caller of a protected endpoint, from a session cookie or a bearer token.

use super::{secret_hash, SESSION_COOKIE};
use crate::app::AppState;
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use kefu_core::access::Scope;
use kefu_core::inbox::Actor;
use kefu_core::shop::User;
use kefu_core::store::Store;

/// How the caller authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// Browser session cookie.
    Session,
    /// API token.
    Token,
}

/// An authenticated caller: a user of one shop, with scopes.
#[derive(Clone, Debug)]
pub struct Principal {
    /// The user (for tokens, the user who created the token).
    pub user: User,
    /// What the caller may do.
    pub scopes: Vec<Scope>,
    /// How they authenticated.
    pub via: Via,
    /// Hash of the session secret, for logout.
    pub session_hash: Option<String>,
}

impl Principal {
    /// Fail unless the caller holds `scope`.
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if self.scopes.contains(&scope) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(crate::error::msg("error-forbidden-scope").arg("scope", scope.as_str())))
        }
    }

    /// The caller as the inbox sees them.
    pub fn actor(&self) -> Actor {
        Actor { shop_id: self.user.shop_id, user_id: self.user.id, role: self.user.role }
    }
}

/// The value of a cookie in a request's `Cookie` header.
pub fn cookie_value<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    cookie_value_in(&parts.headers, name)
}

/// The value of a cookie in these headers.
pub fn cookie_value_in<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let store = state.inbox.store();
        let now = state.inbox.now();
        if let Some(header) = parts.headers.get(AUTHORIZATION) {
            let token = header
                .to_str()
                .ok()
                .and_then(|h| h.strip_prefix("Bearer "))
                .ok_or(ApiError::Unauthenticated)?;
            let t = store.api_token(&secret_hash(token.trim())).await?.ok_or(ApiError::Unauthenticated)?;
            if t.revoked_at.is_some() {
                return Err(ApiError::Unauthenticated);
            }
            let user = store.user(t.shop_id, t.user_id).await?.ok_or(ApiError::Unauthenticated)?;
            crate::onboarding::ensure_open(state, user.shop_id)?;
            // A token never does more than its creator's role allows now.
            let scopes = t.scopes.into_iter().filter(|s| s.allowed_for(user.role)).collect();
            crate::language::settle_for(state, &user).await;
            return Ok(Principal { user, scopes, via: Via::Token, session_hash: None });
        }
        let secret = cookie_value(parts, SESSION_COOKIE).ok_or(ApiError::Unauthenticated)?;
        let hash = secret_hash(secret);
        let session = store.session(&hash).await?.ok_or(ApiError::Unauthenticated)?;
        if session.expires_at <= now {
            return Err(ApiError::Unauthenticated);
        }
        let user = store.user(session.shop_id, session.user_id).await?.ok_or(ApiError::Unauthenticated)?;
        crate::onboarding::ensure_open(state, user.shop_id)?;
        let scopes = Scope::ALL.into_iter().filter(|s| s.allowed_for(user.role)).collect();
        crate::language::settle_for(state, &user).await;
        Ok(Principal { user, scopes, via: Via::Session, session_hash: Some(hash) })
    }
}
