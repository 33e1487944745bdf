//! Sensitive words (the shop's own list, a check before sending) and revealing one masked
//! PII value (audited).

use super::{parse_id, ApiJson};
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use crate::privacy::words::SHOP_WORDS_KEY;
use crate::security::audit;
use axum::extract::{Path, State};
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::ids::MessageId;
use kefu_core::store::{Change, ChangeSet, Store};
use kefu_nlp::sensitive::WordEntry;
use serde::{Deserialize, Serialize};

/// Most words a shop may add.
const MAX_SHOP_WORDS: usize = 20_000;

/// The shop's own sensitive words (on top of the global dictionary).
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShopWords {
    /// Words with category and action (`block`, `warn`, `flag`).
    #[schema(value_type = Vec<Object>)]
    pub words: Vec<WordEntry>,
}

/// Text to check.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// The reply about to be sent.
    pub text: String,
}

/// What the filter would do.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CheckResult {
    /// `ok`, `flag`, `warn` or `block`.
    pub verdict: &'static str,
    /// The hits with byte offsets into the text.
    #[schema(value_type = Vec<Object>)]
    pub hits: Vec<kefu_nlp::sensitive::Hit>,
}

/// Which masked value to reveal.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    /// Index among the message's masked values (0-based, in text order).
    pub index: usize,
}

/// One revealed value.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Revealed {
    /// `phone`, `id_card`, `bank_card`, `email` or `address`.
    #[schema(value_type = String)]
    pub kind: kefu_nlp::pii::PiiKind,
    /// The value as written.
    pub value: String,
}

/// The shop's own sensitive words (scope `settings:manage`).
#[utoipa::path(get, path = "/api/v1/sensitive-words", tag = "compliance", responses((status = 200, body = ShopWords), (status = 403, body = ErrorBody)))]
pub async fn get_words(State(state): State<AppState>, who: Principal) -> Result<Json<ShopWords>, ApiError> {
    who.require(Scope::SettingsManage)?;
    let doc = state.inbox.store().setting(who.user.shop_id, SHOP_WORDS_KEY).await?;
    let words = match doc {
        Some(d) => serde_json::from_str(&d).map_err(|e| ApiError::Internal(e.to_string()))?,
        None => Vec::new(),
    };
    Ok(Json(ShopWords { words }))
}

/// Replace the shop's own sensitive words (scope `settings:manage`); effective at once.
#[utoipa::path(put, path = "/api/v1/sensitive-words", tag = "compliance", request_body = ShopWords,
    responses((status = 200, body = ShopWords), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn put_words(State(state): State<AppState>, who: Principal, ApiJson(req): ApiJson<ShopWords>) -> Result<Json<ShopWords>, ApiError> {
    who.require(Scope::SettingsManage)?;
    if req.words.len() > MAX_SHOP_WORDS {
        return Err(ApiError::BadRequest(crate::error::msg("error-words-max").arg("max", MAX_SHOP_WORDS)));
    }
    if let Some((i, w)) = req.words.iter().enumerate().find(|(_, w)| w.word.trim().is_empty() || w.word.chars().count() > 50 || w.category.trim().is_empty()) {
        return Err(ApiError::BadRequest(crate::error::msg("error-word-invalid").arg("index", i).arg("word", w.word.as_str())));
    }
    state.words.set_shop(who.user.shop_id, &req.words).map_err(|e| ApiError::BadRequest(crate::error::verbatim(e)))?;
    let doc = serde_json::to_string(&req.words).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut cs = ChangeSet::default();
    cs.push(Change::PutSetting { shop_id: who.user.shop_id, key: SHOP_WORDS_KEY.into(), doc, at: state.inbox.now() });
    cs.push(Change::AppendAudit(audit::entry(&state, &who, "sensitive_words_changed", None, serde_json::json!({ "words": req.words.len() }))));
    state.inbox.store().apply(cs).await?;
    Ok(Json(req))
}

/// What the filter would do with a reply (scope `conversations:write`), so the UI can show
/// the hits before sending.
#[utoipa::path(post, path = "/api/v1/sensitive-words/check", tag = "compliance", request_body = CheckRequest,
    responses((status = 200, body = CheckResult)))]
pub async fn check(State(state): State<AppState>, who: Principal, ApiJson(req): ApiJson<CheckRequest>) -> Result<Json<CheckResult>, ApiError> {
    who.require(Scope::ConversationsWrite)?;
    if req.text.len() > kefu_core::message::MAX_TEXT_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    let hits = state.words.for_shop(who.user.shop_id).scan(&req.text);
    let verdict = match kefu_nlp::sensitive::Dictionary::strictest(&hits) {
        None => "ok",
        Some(kefu_nlp::sensitive::Action::Flag) => "flag",
        Some(kefu_nlp::sensitive::Action::Warn) => "warn",
        Some(kefu_nlp::sensitive::Action::Block) => "block",
    };
    Ok(Json(CheckResult { verdict, hits }))
}

/// Reveal one masked PII value of a message (scope `pii:reveal`); every reveal is audited.
#[utoipa::path(post, path = "/api/v1/messages/{id}/reveal", tag = "compliance", params(("id" = String, Path)), request_body = RevealRequest,
    responses((status = 200, body = Revealed), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reveal(State(state): State<AppState>, who: Principal, Path(id): Path<String>, ApiJson(req): ApiJson<RevealRequest>) -> Result<Json<Revealed>, ApiError> {
    who.require(Scope::PiiReveal)?;
    let id: MessageId = parse_id(&id, "message")?;
    let m = state.inbox.store().message(who.user.shop_id, id).await?.ok_or(ApiError::NotFound("message"))?;
    let spans = kefu_nlp::pii::detect(&m.content);
    let span = spans.get(req.index).ok_or(ApiError::NotFound("masked value"))?;
    let value = m.content.get(span.start..span.end).ok_or_else(|| ApiError::Internal("PII span off a char boundary".into()))?.to_string();
    // The audit names the message, the kind and the position, never the value.
    let detail = serde_json::json!({ "kind": span.kind, "index": req.index });
    audit::record(&state, audit::entry(&state, &who, "pii_revealed", Some(format!("message:{id}")), detail)).await?;
    Ok(Json(Revealed { kind: span.kind, value }))
}
