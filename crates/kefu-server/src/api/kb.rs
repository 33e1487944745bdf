//! The bot's knowledge base: FAQs, flows and hand-off rules (one versioned document), bulk
//! import and export, version history and rollback, training status, a dry run, live-session
//! data for templates, and the context card of a conversation.

use super::{ApiJson, ApiQuery};
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use crate::security::audit;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::bot::import::{self, BadRow};
use kefu_core::bot::kb::blocked_words_in;
use kefu_core::bot::{ContextCard, Faq, KnowledgeBase};
use kefu_core::inbox::{TrainingStatus, LIVE_SESSION_KEY};
use kefu_core::store::{Change, ChangeSet, Store};
use serde::{Deserialize, Serialize};

/// Largest import file.
pub const IMPORT_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// The knowledge base with its version and training status.
#[derive(Serialize, utoipa::ToSchema)]
pub struct KbView {
    /// Version (0 before the first save).
    pub version: i64,
    /// The document.
    pub kb: KnowledgeBase,
    /// Training.
    pub training: TrainingStatus,
}

/// The shop's knowledge base.
#[utoipa::path(get, path = "/api/v1/kb", tag = "bot", responses((status = 200, body = KbView)))]
pub async fn get_kb(State(state): State<AppState>, who: Principal) -> Result<Json<KbView>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let shop = who.user.shop_id;
    let (version, kb) = state.inbox.knowledge_base(shop).await?;
    Ok(Json(KbView { version, kb, training: state.inbox.training_status(shop) }))
}

/// A whole knowledge base to save.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct KbPut {
    /// The document.
    pub kb: KnowledgeBase,
    /// The version the edit started from; a newer save meanwhile answers 409.
    pub base_version: Option<i64>,
    /// What changed.
    pub note: Option<String>,
}

/// The version saved.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Saved {
    /// The new version.
    pub version: i64,
}

/// Replace the knowledge base (validated whole; problems come back with their paths). The
/// bot retrains in the background and answers with the old version until it is done.
#[utoipa::path(put, path = "/api/v1/kb", tag = "bot", request_body = KbPut,
    responses((status = 200, body = Saved), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_kb(State(state): State<AppState>, who: Principal, ApiJson(body): ApiJson<KbPut>) -> Result<Json<Saved>, ApiError> {
    super::shop::require_kb_edit(&state, &who).await?;
    let note = body.note.unwrap_or_else(|| "edit".into());
    save(&state, &who, &body.kb, body.base_version, &note).await.map(Json)
}

async fn save(state: &AppState, who: &Principal, kb: &KnowledgeBase, base: Option<i64>, note: &str) -> Result<Saved, ApiError> {
    let mut problems = kb.problems();
    problems.extend(kb.blocked_words(&state.words.for_shop(who.user.shop_id)));
    if !problems.is_empty() {
        return Err(crate::error::document_problems("error-kb-problems", &problems));
    }
    let version = state.inbox.save_knowledge_base(who.user.shop_id, kb, base, Some(who.user.id), note).await?;
    let detail = serde_json::json!({ "version": version, "faqs": kb.faqs.len(), "flows": kb.flows.len(), "note": note });
    audit::record(state, audit::entry(state, who, "kb_changed", None, detail)).await?;
    Ok(Saved { version })
}

/// FAQ search.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FaqQuery {
    /// Words in the question, a similar question or the answer.
    pub q: Option<String>,
    /// Hotspot level 1.
    pub l1: Option<String>,
}

/// FAQs matching a search, in document order (at most 500).
#[utoipa::path(get, path = "/api/v1/kb/faqs", tag = "bot", params(FaqQuery), responses((status = 200, body = [Faq])))]
pub async fn search_faqs(State(state): State<AppState>, who: Principal, ApiQuery(query): ApiQuery<FaqQuery>) -> Result<Json<Vec<Faq>>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let (_, kb) = state.inbox.knowledge_base(who.user.shop_id).await?;
    let q = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(str::to_lowercase);
    let found = kb
        .faqs
        .into_iter()
        .filter(|f| query.l1.as_ref().is_none_or(|l1| f.l1.as_ref() == Some(l1)))
        .filter(|f| q.as_ref().is_none_or(|q| f.id.contains(q.as_str()) || f.question.to_lowercase().contains(q.as_str()) || f.answer.to_lowercase().contains(q.as_str()) || f.similar.iter().any(|s| s.to_lowercase().contains(q.as_str()))))
        .take(500)
        .collect();
    Ok(Json(found))
}

/// Create or replace one FAQ (by id).
#[utoipa::path(put, path = "/api/v1/kb/faqs/{id}", tag = "bot",
    params(("id" = String, Path, description = "The FAQ's id (the body's `id` is ignored)", pattern = r"^[A-Za-z0-9_-]{1,64}$")), request_body = Faq,
    responses((status = 200, body = Saved), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_faq(State(state): State<AppState>, who: Principal, Path(id): Path<String>, ApiJson(mut faq): ApiJson<Faq>) -> Result<Json<Saved>, ApiError> {
    super::shop::require_kb_edit(&state, &who).await?;
    faq.id = id;
    let (version, mut kb) = state.inbox.knowledge_base(who.user.shop_id).await?;
    let note = format!("faq {}", faq.id);
    import::merge(&mut kb, vec![faq]);
    save(&state, &who, &kb, Some(version), &note).await.map(Json)
}

/// Remove one FAQ.
#[utoipa::path(delete, path = "/api/v1/kb/faqs/{id}", tag = "bot", responses((status = 200, body = Saved), (status = 404, body = ErrorBody)))]
pub async fn delete_faq(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<Json<Saved>, ApiError> {
    super::shop::require_kb_edit(&state, &who).await?;
    let (version, mut kb) = state.inbox.knowledge_base(who.user.shop_id).await?;
    let before = kb.faqs.len();
    kb.faqs.retain(|f| f.id != id);
    if kb.faqs.len() == before {
        return Err(ApiError::NotFound("faq"));
    }
    save(&state, &who, &kb, Some(version), &format!("delete faq {id}")).await.map(Json)
}

/// Import or export format.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `csv` (default) or `json`.
    #[param(pattern = "^(csv|json)$")]
    pub format: Option<String>,
}

/// The file to import (describes the body in the OpenAPI document).
#[derive(utoipa::ToSchema)]
#[schema(pattern = r"^(id,question,answer(\r?\n|$)|\[|\{)")]
#[allow(dead_code)]
struct ImportFile(String);

/// What an import did.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// The version saved (unchanged when no row was good).
    pub version: i64,
    /// New FAQs.
    pub added: usize,
    /// FAQs replaced (same id).
    pub replaced: usize,
    /// Rows refused, with line numbers; they were left out.
    pub bad_rows: Vec<BadRow>,
}

/// Import FAQs from a CSV (header row: id, question, answer, …) or JSON body. Bad rows are
/// reported with their line numbers and left out; the good ones are saved as one version.
#[utoipa::path(post, path = "/api/v1/kb/import", tag = "bot", params(FormatQuery),
    request_body(content = ImportFile, content_type = "text/plain", description = "For `format=csv`: a header row naming at least `id`, `question` and `answer`, then one FAQ per row; for `format=json`: an array of FAQs or an object with `faqs`"),
    responses((status = 200, body = ImportReport), (status = 400, body = ErrorBody)))]
pub async fn import(State(state): State<AppState>, who: Principal, ApiQuery(query): ApiQuery<FormatQuery>, body: String) -> Result<Json<ImportReport>, ApiError> {
    super::shop::require_kb_edit(&state, &who).await?;
    let parsed = match query.format.as_deref().unwrap_or("csv") {
        "csv" => import::parse_csv(&body),
        "json" => import::parse_json(&body),
        other => return Err(ApiError::BadRequest(crate::error::msg("error-kb-format").arg("format", other.to_string()))),
    }
    .map_err(|e| ApiError::BadRequest(crate::error::verbatim(e)))?;
    let (version, mut kb) = state.inbox.knowledge_base(who.user.shop_id).await?;
    if parsed.good.is_empty() {
        return Ok(Json(ImportReport { version, added: 0, replaced: 0, bad_rows: parsed.bad }));
    }
    let (added, replaced) = import::merge(&mut kb, parsed.good);
    let saved = save(&state, &who, &kb, Some(version), &format!("import: {added} added, {replaced} replaced")).await?;
    Ok(Json(ImportReport { version: saved.version, added, replaced, bad_rows: parsed.bad }))
}

/// Every FAQ as CSV or JSON.
#[utoipa::path(get, path = "/api/v1/kb/export", tag = "bot", params(FormatQuery),
    responses((status = 200, description = "The FAQs: CSV for `format=csv`, a JSON array for `format=json`",
        content((String = "text/csv"), (Vec<Faq> = "application/json")))))]
pub async fn export(State(state): State<AppState>, who: Principal, ApiQuery(query): ApiQuery<FormatQuery>) -> Result<Response, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let (_, kb) = state.inbox.knowledge_base(who.user.shop_id).await?;
    Ok(match query.format.as_deref().unwrap_or("csv") {
        "csv" => {
            let csv = import::to_csv(&kb.faqs).map_err(ApiError::Internal)?;
            ([(header::CONTENT_TYPE, "text/csv; charset=utf-8"), (header::CONTENT_DISPOSITION, "attachment; filename=\"faqs.csv\"")], csv).into_response()
        }
        "json" => Json(kb.faqs).into_response(),
        other => return Err(ApiError::BadRequest(crate::error::msg("error-kb-format").arg("format", other.to_string()))),
    })
}

/// One entry of the version history.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VersionView {
    /// Version.
    pub version: i64,
    /// Who saved it.
    pub author: Option<String>,
    /// What changed.
    pub note: String,
    /// When (ms).
    pub created_at: i64,
}

/// The version history, newest first (at most 100).
#[utoipa::path(get, path = "/api/v1/kb/versions", tag = "bot", responses((status = 200, body = [VersionView])))]
pub async fn versions(State(state): State<AppState>, who: Principal) -> Result<Json<Vec<VersionView>>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let list = state.inbox.store().kb_history(who.user.shop_id, 100).await?;
    Ok(Json(list.into_iter().map(|v| VersionView { version: v.version, author: v.author.map(|a| a.to_string()), note: v.note, created_at: v.created_at }).collect()))
}

/// Which version to restore.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct Rollback {
    /// The version to save again as the newest.
    pub version: i64,
}

/// Restore an older version (saved again as a new version, so the rollback is in the history).
#[utoipa::path(post, path = "/api/v1/kb/rollback", tag = "bot", request_body = Rollback, responses((status = 200, body = Saved), (status = 404, body = ErrorBody)))]
pub async fn rollback(State(state): State<AppState>, who: Principal, ApiJson(body): ApiJson<Rollback>) -> Result<Json<Saved>, ApiError> {
    super::shop::require_kb_edit(&state, &who).await?;
    let version = state.inbox.roll_back_knowledge_base(who.user.shop_id, body.version, who.user.id).await?;
    audit::record(&state, audit::entry(&state, &who, "kb_changed", None, serde_json::json!({ "version": version, "rollback_to": body.version }))).await?;
    Ok(Json(Saved { version }))
}

/// Training status (the admin page polls it after a change).
#[utoipa::path(get, path = "/api/v1/kb/training", tag = "bot", responses((status = 200, body = TrainingStatus)))]
pub async fn training(State(state): State<AppState>, who: Principal) -> Result<Json<TrainingStatus>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    state.inbox.brain(who.user.shop_id).await;
    Ok(Json(state.inbox.training_status(who.user.shop_id)))
}

/// The platform's live-session figures (viewers, sold, remaining …) for `{live.*}` templates
/// (scope `inbound:write`, like every push from the platform).
#[utoipa::path(put, path = "/api/v1/live/session", tag = "bot", request_body = Object, responses((status = 200, body = Object), (status = 400, body = ErrorBody)))]
pub async fn put_live_session(State(state): State<AppState>, who: Principal, ApiJson(body): ApiJson<serde_json::Map<String, serde_json::Value>>) -> Result<Json<serde_json::Map<String, serde_json::Value>>, ApiError> {
    who.require(Scope::InboundWrite)?;
    if body.len() > 50 || body.iter().any(|(k, v)| !kefu_core::bot::valid_id(k) || !(v.is_number() || v.as_str().is_some_and(|s| s.chars().count() <= 200))) {
        return Err(ApiError::BadRequest(crate::error::msg("error-kb-session-data")));
    }
    let doc = serde_json::Value::Object(body.clone()).to_string();
    let mut cs = ChangeSet::default();
    cs.push(Change::PutSetting { shop_id: who.user.shop_id, key: LIVE_SESSION_KEY.into(), doc, at: state.inbox.now() });
    state.inbox.store().apply(cs).await?;
    Ok(Json(body))
}

/// The context card of a conversation (bot transcript, intents, slots, sentiment trend,
/// customer, recent orders, why the bot handed over), PII masked; its words (reason, mood,
/// slot names, tier, order statuses) in the language of `Accept-Language`, beside the codes.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/context", tag = "bot", responses((status = 200, body = ContextCard), (status = 404, body = ErrorBody)))]
pub async fn context(State(state): State<AppState>, who: Principal, super::reader::Reader(lang): super::reader::Reader, Path(id): Path<String>) -> Result<Json<ContextCard>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let id = super::parse_id(&id, "conversation")?;
    let card = state.inbox.context_card(who.user.shop_id, id).await?;
    let mut card = crate::privacy::mask_card(&card);
    card.reword(lang);
    Ok(Json(card))
}

/// Which questions to list.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuestionQuery {
    /// `open` (default), `attached`, `created` or `dismissed`.
    #[param(pattern = "^(open|attached|created|dismissed)$")]
    pub status: Option<String>,
}

/// The learning loop: questions the bot did not know or only guessed at, most asked first,
/// with the latest conversation that asked each (masked for agents).
#[utoipa::path(get, path = "/api/v1/kb/questions", tag = "bot", params(QuestionQuery), responses((status = 200, body = [kefu_core::bot::learning::BotQuestion])))]
pub async fn questions(State(state): State<AppState>, who: Principal, ApiQuery(query): ApiQuery<QuestionQuery>) -> Result<Json<Vec<kefu_core::bot::learning::BotQuestion>>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let status = query.status.unwrap_or_else(|| "open".into());
    if !matches!(status.as_str(), "open" | "attached" | "created" | "dismissed") {
        return Err(ApiError::BadRequest(crate::error::msg("error-question-status")));
    }
    let mut list = state.inbox.store().bot_questions(who.user.shop_id, &status, 200).await?;
    for q in &mut list {
        q.text = kefu_nlp::pii::mask(&q.text);
    }
    Ok(Json(list))
}

/// How to teach the bot a question: exactly one of `faq_id` and `new_faq`.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct Teach {
    /// Attach it to this FAQ as a similar question …
    #[schema(nullable = false)]
    pub faq_id: Option<String>,
    /// … or make it a new FAQ (its question is the customer's words).
    #[schema(nullable = false)]
    pub new_faq: Option<Faq>,
}

/// Teach the bot a missed question (attach it to an FAQ or make it a new one); the bot
/// retrains and answers it within seconds.
#[utoipa::path(post, path = "/api/v1/kb/questions/{key}/teach", tag = "bot", request_body = Teach,
    responses((status = 200, body = Saved), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn teach(State(state): State<AppState>, who: Principal, Path(key): Path<String>, ApiJson(body): ApiJson<Teach>) -> Result<Json<Saved>, ApiError> {
    super::shop::require_kb_edit(&state, &who).await?;
    let shop = who.user.shop_id;
    let version = match (body.faq_id, body.new_faq) {
        (Some(faq_id), None) => state.inbox.attach_question(shop, &key, &faq_id, who.user.id).await?,
        (None, Some(faq)) => {
            let texts = faq.bot_texts().into_iter().map(|(field, t)| (format!("new_faq.{field}"), t));
            let blocked = blocked_words_in(texts, &state.words.for_shop(shop));
            if let Some(first) = blocked.first() {
                let _ = first;
                return Err(crate::error::document_problems("error-faq-problems", &blocked));
            }
            state.inbox.question_to_faq(shop, &key, faq, who.user.id).await?
        }
        _ => return Err(ApiError::BadRequest(crate::error::msg("error-teach-choice"))),
    };
    audit::record(&state, audit::entry(&state, &who, "kb_changed", None, serde_json::json!({ "version": version, "learned": key }))).await?;
    Ok(Json(Saved { version }))
}

/// Dismiss a missed question.
#[utoipa::path(post, path = "/api/v1/kb/questions/{key}/dismiss", tag = "bot", responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn dismiss(State(state): State<AppState>, who: Principal, Path(key): Path<String>) -> Result<axum::http::StatusCode, ApiError> {
    super::shop::require_kb_edit(&state, &who).await?;
    state.inbox.dismiss_question(who.user.shop_id, &key).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Results of an A/B experiment (defined in the knowledge base's `experiments`): per variant,
/// conversations, resolution without a person, transfers, CSAT, and each variant against the
/// control (z-test; "not yet significant" until it is).
#[utoipa::path(get, path = "/api/v1/kb/experiments/{id}/results", tag = "bot", responses((status = 200, body = kefu_core::inbox::ExperimentResults), (status = 404, body = ErrorBody)))]
pub async fn experiment_results(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<Json<kefu_core::inbox::ExperimentResults>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    Ok(Json(state.inbox.experiment_results(who.user.shop_id, &id).await?))
}

/// Per-FAQ figures: answers given, conversations, resolved by the bot alone, handed over,
/// thumbs up and down (most used first).
#[utoipa::path(get, path = "/api/v1/kb/figures", tag = "bot", responses((status = 200, body = [kefu_core::inbox::FaqFigures])))]
pub async fn figures(State(state): State<AppState>, who: Principal) -> Result<Json<Vec<kefu_core::inbox::FaqFigures>>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    Ok(Json(state.inbox.faq_figures(who.user.shop_id).await?))
}
