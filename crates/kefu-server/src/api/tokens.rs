//! Scoped API tokens for integrations. The secret is shown once, at creation.

use super::{parse_id, ApiJson};
use crate::app::AppState;
use crate::auth::{new_secret, secret_hash, Principal};
use crate::security::audit;
use crate::error::{ApiError, ErrorBody};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kefu_core::access::{ApiToken, Scope};
use kefu_core::ids::CredentialId;
use kefu_core::store::{Change, ChangeSet, Store};
use serde::{Deserialize, Serialize};

/// A new token.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    /// A name to recognise it by (not blank, up to 100 characters).
    #[schema(pattern = r"\S", max_length = 100)]
    pub name: String,
    /// What it may do (at least one scope, none beyond the caller's).
    #[schema(min_items = 1)]
    pub scopes: Vec<Scope>,
}

/// The created token and its secret (shown only now).
#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    /// The token.
    pub token: ApiToken,
    /// Send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// The shop's tokens.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenList {
    /// Tokens, oldest first, revoked ones included.
    pub tokens: Vec<ApiToken>,
}

/// Create a token (owners and admins).
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = CreateToken,
    responses((status = 201, body = CreatedToken), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(req): ApiJson<CreateToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    who.require(Scope::TokensManage)?;
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::BadRequest(crate::error::msg("error-token-name")));
    }
    if req.scopes.is_empty() {
        return Err(ApiError::BadRequest(crate::error::msg("error-token-scopes")));
    }
    if let Some(s) = req.scopes.iter().find(|s| !who.scopes.contains(s)) {
        return Err(ApiError::Forbidden(crate::error::msg("error-token-grant").arg("scope", s.as_str())));
    }
    let secret = new_secret("kefu_pat_").map_err(ApiError::Internal)?;
    let mut scopes = req.scopes;
    scopes.dedup();
    let token = ApiToken {
        id: CredentialId::new(),
        shop_id: who.user.shop_id,
        user_id: who.user.id,
        name: name.to_string(),
        scopes,
        secret_hash: secret_hash(&secret),
        created_at: state.inbox.now(),
        revoked_at: None,
    };
    let mut cs = ChangeSet::default();
    cs.push(Change::InsertApiToken(token.clone()));
    let detail = serde_json::json!({ "name": token.name, "scopes": token.scopes });
    cs.push(Change::AppendAudit(audit::entry(&state, &who, "token_created", Some(format!("token:{}", token.id)), detail)));
    state.inbox.store().apply(cs).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token, secret })))
}

/// List the shop's tokens (owners and admins).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", responses((status = 200, body = TokenList), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, who: Principal) -> Result<Json<TokenList>, ApiError> {
    who.require(Scope::TokensManage)?;
    Ok(Json(TokenList { tokens: state.inbox.store().api_tokens(who.user.shop_id).await? }))
}

/// Revoke a token (owners and admins).
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    who.require(Scope::TokensManage)?;
    let id: CredentialId = parse_id(&id, "token")?;
    let store = state.inbox.store();
    if !store.api_tokens(who.user.shop_id).await?.iter().any(|t| t.id == id) {
        return Err(ApiError::NotFound("token"));
    }
    let mut cs = ChangeSet::default();
    cs.push(Change::RevokeApiToken { shop_id: who.user.shop_id, id, at: state.inbox.now() });
    cs.push(Change::AppendAudit(audit::entry(&state, &who, "token_revoked", Some(format!("token:{id}")), serde_json::json!({}))));
    store.apply(cs).await?;
    Ok(StatusCode::NO_CONTENT)
}
