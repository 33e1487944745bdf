//! Quick phrases (快捷短语): the shop's canned replies and each agent's own.

use super::{parse_id, ApiJson, ApiQuery};
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::ids::QuickPhraseId;
use kefu_core::quick_phrase::{self, QuickPhrase};
use kefu_core::store::{Change, ChangeSet, Store};
use serde::{Deserialize, Serialize};

/// Search.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PhraseQuery {
    /// Only phrases whose title or text contains this.
    pub q: Option<String>,
}

/// A quick phrase and whether the caller may change it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PhraseView {
    /// The phrase.
    #[serde(flatten)]
    pub phrase: QuickPhrase,
    /// Shop-wide rather than the caller's own.
    pub shop_wide: bool,
    /// The caller may edit or delete it.
    pub editable: bool,
}

/// The phrases the caller can use.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PhraseList {
    /// The caller's own first, then the shop's; by title.
    pub quick_phrases: Vec<PhraseView>,
}

/// A new phrase.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPhrase {
    /// Short label (not blank, up to 40 characters).
    #[schema(pattern = r"\S", max_length = 40)]
    pub title: String,
    /// The text inserted into replies (not blank, up to 1,000 characters).
    #[schema(pattern = r"\S", max_length = 1000)]
    pub text: String,
    /// For the whole shop (needs `settings:manage`) instead of the caller's own.
    #[serde(default)]
    pub shop_wide: bool,
}

/// An edit.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhraseEdit {
    /// Short label (not blank, up to 40 characters).
    #[schema(pattern = r"\S", max_length = 40)]
    pub title: String,
    /// The text (not blank, up to 1,000 characters).
    #[schema(pattern = r"\S", max_length = 1000)]
    pub text: String,
}

fn manages(who: &Principal) -> bool {
    who.scopes.contains(&Scope::SettingsManage)
}

fn view(who: &Principal, phrase: QuickPhrase) -> PhraseView {
    PhraseView { shop_wide: phrase.is_shop_wide(), editable: phrase.editable_by(who.user.id, manages(who)), phrase }
}

/// Load a phrase the caller may change. A colleague's personal phrase is "not found": its
/// existence is nobody else's business.
async fn editable(state: &AppState, who: &Principal, id: &str) -> Result<QuickPhrase, ApiError> {
    who.require(Scope::ConversationsWrite)?;
    let id: QuickPhraseId = parse_id(id, "quick phrase")?;
    let phrase = state.inbox.store().quick_phrase(who.user.shop_id, id).await?.ok_or(ApiError::NotFound("quick phrase"))?;
    if phrase.owner_user_id.is_some_and(|o| o != who.user.id) && !manages(who) {
        return Err(ApiError::NotFound("quick phrase"));
    }
    if !phrase.editable_by(who.user.id, manages(who)) {
        return Err(ApiError::Forbidden(crate::error::msg("error-phrase-shop-scope")));
    }
    Ok(phrase)
}

/// The shop-wide phrases and the caller's own, optionally searched.
#[utoipa::path(get, path = "/api/v1/quick-phrases", tag = "quick phrases", params(PhraseQuery),
    responses((status = 200, body = PhraseList), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, who: Principal, ApiQuery(q): ApiQuery<PhraseQuery>) -> Result<Json<PhraseList>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let found = state.inbox.store().quick_phrases(who.user.shop_id, who.user.id, q.q.as_deref()).await?;
    Ok(Json(PhraseList { quick_phrases: found.into_iter().map(|p| view(&who, p)).collect() }))
}

/// Add a phrase: one's own (`conversations:write`) or the shop's (`settings:manage`).
#[utoipa::path(post, path = "/api/v1/quick-phrases", tag = "quick phrases", request_body = NewPhrase,
    responses((status = 201, body = PhraseView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(State(state): State<AppState>, who: Principal, ApiJson(req): ApiJson<NewPhrase>) -> Result<(StatusCode, Json<PhraseView>), ApiError> {
    who.require(if req.shop_wide { Scope::SettingsManage } else { Scope::ConversationsWrite })?;
    let (title, text) = quick_phrase::validate(&req.title, &req.text)?;
    let now = state.inbox.now();
    let phrase = QuickPhrase {
        id: QuickPhraseId::new(),
        shop_id: who.user.shop_id,
        owner_user_id: if req.shop_wide { None } else { Some(who.user.id) },
        title,
        text,
        created_at: now,
        updated_at: now,
    };
    let mut cs = ChangeSet::default();
    cs.push(Change::PutQuickPhrase(phrase.clone()));
    state.inbox.store().apply(cs).await?;
    Ok((StatusCode::CREATED, Json(view(&who, phrase))))
}

/// Edit a phrase: its owner, or (any phrase) `settings:manage`.
#[utoipa::path(put, path = "/api/v1/quick-phrases/{id}", tag = "quick phrases", params(("id" = String, Path)), request_body = PhraseEdit,
    responses((status = 200, body = PhraseView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(State(state): State<AppState>, who: Principal, Path(id): Path<String>, ApiJson(req): ApiJson<PhraseEdit>) -> Result<Json<PhraseView>, ApiError> {
    let mut phrase = editable(&state, &who, &id).await?;
    let (title, text) = quick_phrase::validate(&req.title, &req.text)?;
    phrase.title = title;
    phrase.text = text;
    phrase.updated_at = state.inbox.now();
    let mut cs = ChangeSet::default();
    cs.push(Change::PutQuickPhrase(phrase.clone()));
    state.inbox.store().apply(cs).await?;
    Ok(Json(view(&who, phrase)))
}

/// Delete a phrase: its owner, or (any phrase) `settings:manage`.
#[utoipa::path(delete, path = "/api/v1/quick-phrases/{id}", tag = "quick phrases", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let phrase = editable(&state, &who, &id).await?;
    let mut cs = ChangeSet::default();
    cs.push(Change::DeleteQuickPhrase { shop_id: phrase.shop_id, id: phrase.id });
    state.inbox.store().apply(cs).await?;
    Ok(StatusCode::NO_CONTENT)
}
