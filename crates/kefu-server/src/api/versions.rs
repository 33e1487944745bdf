//! Kept versions of the settings documents (routing, shop page): the `base_version` check
//! that turns a save on top of someone else's newer save into `409 stale_version`, the
//! history with who and when, and viewing and restoring an old routing version.

use super::{parse_id, ApiQuery};
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use crate::security::audit;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::ids::{ShopId, UserId};
use kefu_core::routing::RoutingConfig;
use kefu_core::settings_version::{self, SettingVersion};
use kefu_core::store::{Change, Store, StoreError};
use kefu_core::CoreError;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The routing document's versions.
pub const ROUTING: &str = "routing";
/// The shop page's versions.
pub const SHOP: &str = "shop";
/// How many versions a history shows.
const HISTORY_LIMIT: u32 = 50;

/// The version a save started from.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BaseVersion {
    /// The version the editor loaded (0 when none was kept yet). A newer version saved
    /// meanwhile answers `409 stale_version`; without it the save goes on (last writer wins).
    #[param(minimum = 0)]
    pub base_version: Option<i64>,
}

/// The newest kept version of a document (0 when none).
pub async fn latest(state: &AppState, shop: ShopId, key: &str) -> Result<i64, ApiError> {
    Ok(state.inbox.store().setting_versions(shop, key, 1).await?.first().map_or(0, |v| v.version))
}

fn stale(latest: i64) -> ApiError {
    ApiError::Refused { status: StatusCode::CONFLICT, code: "stale_version", message: crate::error::msg("error-stale-version").arg("version", latest) }
}

/// Refuse a save whose base is not the newest version.
pub fn check(base: Option<i64>, latest: i64) -> Result<(), ApiError> {
    settings_version::check_base(base, latest).map_err(|s| stale(s.latest))
}

/// A save that lost the race for its version number (the other editor saved first) is stale too.
pub fn stale_on_race(e: impl Into<ApiError>, latest: i64) -> ApiError {
    match e.into() {
        ApiError::Core(CoreError::Store(StoreError::Duplicate(_))) => stale(latest + 1),
        other => other,
    }
}

/// The next version of a document, saved by the caller.
pub fn next(state: &AppState, who: &Principal, key: &str, latest: i64, doc: String, note: &str) -> Change {
    Change::PutSettingVersion(settings_version::next(who.user.shop_id, key, latest, doc, Some(who.user.id), note, state.inbox.now()))
}

/// One kept version, without its document.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VersionView {
    /// 1, 2, 3 …
    pub version: i64,
    /// Who saved it (their shown name; empty when kefu saved it).
    pub author: String,
    /// What the save was: `edit`, or `restore N`.
    pub note: String,
    /// When (ms).
    pub created_at: i64,
}

/// A document's history.
#[derive(Serialize, utoipa::ToSchema)]
pub struct History {
    /// The newest version (0 when none was kept): the `base_version` of the next save.
    pub current: i64,
    /// The versions, newest first (at most 50).
    pub versions: Vec<VersionView>,
}

/// The history of one document of the shop.
pub async fn history(state: &AppState, shop: ShopId, key: &str) -> Result<History, ApiError> {
    let store = state.inbox.store();
    let kept = store.setting_versions(shop, key, HISTORY_LIMIT).await?;
    let names: HashMap<UserId, String> = store.users(shop).await?.into_iter().map(|u| (u.id, u.display_name)).collect();
    let author = |v: &SettingVersion| v.author.and_then(|a| names.get(&a).cloned()).unwrap_or_default();
    let versions = kept.iter().map(|v| VersionView { version: v.version, author: author(v), note: v.note.clone(), created_at: v.created_at }).collect();
    Ok(History { current: kept.first().map_or(0, |v| v.version), versions })
}

/// The routing document's versions, newest first.
#[utoipa::path(get, path = "/api/v1/routing/versions", tag = "routing", responses((status = 200, body = History), (status = 403, body = ErrorBody)))]
pub async fn routing_history(State(state): State<AppState>, who: Principal) -> Result<Json<History>, ApiError> {
    who.require(Scope::SettingsManage)?;
    Ok(Json(history(&state, who.user.shop_id, ROUTING).await?))
}

async fn routing_version(state: &AppState, shop: ShopId, raw: &str) -> Result<(i64, RoutingConfig), ApiError> {
    let version: i64 = parse_id(raw, "routing version")?;
    let kept = state.inbox.store().setting_version(shop, ROUTING, version).await?.ok_or(ApiError::NotFound("routing version"))?;
    let doc = serde_json::from_str(&kept.doc).map_err(|e| ApiError::Internal(format!("stored routing version {version}: {e}")))?;
    Ok((version, doc))
}

/// One kept routing document, as it was saved.
#[utoipa::path(get, path = "/api/v1/routing/versions/{version}", tag = "routing", params(("version" = i64, Path)),
    responses((status = 200, body = RoutingConfig), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn routing_view(State(state): State<AppState>, who: Principal, Path(version): Path<String>) -> Result<Json<RoutingConfig>, ApiError> {
    who.require(Scope::SettingsManage)?;
    Ok(Json(routing_version(&state, who.user.shop_id, &version).await?.1))
}

/// Save an old routing version again as the newest (so the restore is in the history). The
/// shop page's fields (CSAT) keep their current values; people who left make it a 422.
#[utoipa::path(post, path = "/api/v1/routing/versions/{version}/restore", tag = "routing", params(("version" = i64, Path), BaseVersion),
    responses((status = 200, body = RoutingConfig), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn routing_restore(State(state): State<AppState>, who: Principal, Path(version): Path<String>, ApiQuery(q): ApiQuery<BaseVersion>) -> Result<Json<RoutingConfig>, ApiError> {
    who.require(Scope::SettingsManage)?;
    let (version, doc) = routing_version(&state, who.user.shop_id, &version).await?;
    Ok(Json(save_routing(&state, &who, doc, q.base_version, &format!("restore {version}")).await?))
}

/// Save a routing document as a new version: the base check, the shop page's fields kept, the
/// whole document validated, then the document, its version and the audit entry in one commit.
pub async fn save_routing(state: &AppState, who: &Principal, mut config: RoutingConfig, base: Option<i64>, note: &str) -> Result<RoutingConfig, ApiError> {
    let shop = who.user.shop_id;
    let latest = latest(state, shop, ROUTING).await?;
    check(base, latest)?;
    keep_shop_fields(&mut config, &*state.inbox.ready(shop).await);
    let users: HashSet<UserId> = state.inbox.store().users(shop).await?.into_iter().map(|u| u.id).collect();
    let problems = config.problems(&users);
    if !problems.is_empty() {
        return Err(crate::error::document_problems("error-routing-problems", &problems));
    }
    let doc = serde_json::to_string(&config).map_err(|e| ApiError::Internal(e.to_string()))?;
    let detail = serde_json::json!({ "teams": config.teams.len(), "rules": config.rules.len(), "version": latest + 1 });
    let extra = vec![next(state, who, ROUTING, latest, doc, note), Change::AppendAudit(audit::entry(state, who, "routing_changed", None, detail))];
    state.inbox.put_routing_config_with(shop, config.clone(), extra).await.map_err(|e| stale_on_race(e, latest))?;
    Ok(config)
}

/// The routing document carries fields the shop page owns (CSAT: on/off, question, scale): a routing save
/// keeps their stored values, so a routing page loaded before a shop save cannot undo it.
pub fn keep_shop_fields(config: &mut RoutingConfig, stored: &RoutingConfig) {
    config.timings.csat_on_resolve = stored.timings.csat_on_resolve;
    config.timings.csat_question = stored.timings.csat_question.clone();
    config.timings.csat_scale = stored.timings.csat_scale;
}

/// The shop page's versions, newest first.
#[utoipa::path(get, path = "/api/v1/shop/versions", tag = "settings", responses((status = 200, body = History), (status = 403, body = ErrorBody)))]
pub async fn shop_history(State(state): State<AppState>, who: Principal) -> Result<Json<History>, ApiError> {
    who.require(Scope::SettingsManage)?;
    Ok(Json(history(&state, who.user.shop_id, SHOP).await?))
}
