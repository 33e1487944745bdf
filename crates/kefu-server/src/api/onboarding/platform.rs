//! `/api/v1/platform`: a platform operator (bearer platform token from `kefu platform token
//! create`) creates, lists, suspends and resumes shops. It reads nothing inside a shop: no
//! conversation, customer or message route accepts a platform token.

use crate::api::{parse_id, ApiJson, ApiQuery};
use crate::app::AppState;
use crate::auth::secret_hash;
use crate::error::{ApiError, ErrorBody};
use crate::onboarding;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use kefu_core::audit::AuditEntry;
use kefu_core::clock::Millis;
use kefu_core::ids::ShopId;
use kefu_core::onboarding::PlatformToken;
use kefu_core::store::{Change, ChangeSet, Store};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A caller holding a live platform token.
pub struct Operator(pub PlatformToken);

impl Operator {
    fn actor(&self) -> String {
        format!("platform:{}", self.0.id)
    }
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthenticated)?;
        let t = state.inbox.store().platform_token(&secret_hash(token.trim())).await?.ok_or(ApiError::Unauthenticated)?;
        if t.revoked_at.is_some() {
            return Err(ApiError::Unauthenticated);
        }
        Ok(Operator(t))
    }
}

/// A shop as the platform sees it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PlatformShop {
    /// Id.
    pub id: ShopId,
    /// Name.
    pub name: String,
    /// Its widget key (public).
    pub widget_key: String,
    /// UTC offset.
    pub time_zone: String,
    /// Default language.
    pub language: String,
    /// `active` or `suspended`.
    pub state: &'static str,
    /// Created.
    pub created_at: Millis,
}

/// A new shop.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShop {
    /// Name (1 to 60 characters, not blank).
    #[schema(pattern = r"^\s*\S(.|\s){0,59}$", max_length = 60)]
    pub name: String,
    /// The owner's email: they get a one-time invitation link.
    #[schema(pattern = r"^[^\s\x00-\x1f\x7f-\x9f<>,;@]+@[^\s\x00-\x1f\x7f-\x9f<>,;@.][^\s\x00-\x1f\x7f-\x9f<>,;@]*\.[^\s\x00-\x1f\x7f-\x9f<>,;@]*[^\s\x00-\x1f\x7f-\x9f<>,;@.]$", max_length = 254)]
    pub owner_email: String,
    /// UTC offset (default `+08:00`).
    #[schema(pattern = r"^[+-](0[0-9]|1[0-3]):[0-5][0-9]$|^[+-]14:00$")]
    pub time_zone: Option<String>,
    /// `zh-CN` (default) or `en`.
    #[schema(pattern = r"^(zh-CN|en)$")]
    pub language: Option<String>,
}

/// The shop made, and the owner's invitation link (shown once).
#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedShop {
    /// The shop.
    pub shop: PlatformShop,
    /// Where the owner sets their password (single use, 7 days).
    pub owner_invitation: String,
}

/// Create a shop and invite its owner.
#[utoipa::path(post, path = "/api/v1/platform/shops", tag = "platform", request_body = NewShop, security(("platform" = [])),
    responses((status = 201, body = CreatedShop), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(State(state): State<AppState>, op: Operator, headers: HeaderMap, ApiJson(req): ApiJson<NewShop>) -> Result<(StatusCode, Json<CreatedShop>), ApiError> {
    let tz = req.time_zone.unwrap_or_else(|| "+08:00".into());
    let language = req.language.unwrap_or_else(|| "zh-CN".into());
    let now = state.inbox.now();
    let (shop, link) = onboarding::create_shop_for_owner(state.inbox.store(), &req.name, &req.owner_email, &tz, &language, now, &op.actor()).await?;
    let url = format!("{}{}", onboarding::base_url(&state, &headers), link.path());
    onboarding::email_link(&state, &link.token.email, &format!("你的店铺「{}」已开通", shop.name), format!("你好！\n\n店铺「{}」已经开通。打开下面的链接设置店主密码（7 天内有效，只能用一次）：\n\n{url}\n", shop.name));
    let view = PlatformShop { id: shop.id, name: shop.name, widget_key: shop.widget_key, time_zone: tz, language, state: "active", created_at: shop.created_at };
    Ok((StatusCode::CREATED, Json(CreatedShop { shop: view, owner_invitation: url })))
}

/// Paging of the shop list.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// The last id of the previous page.
    pub after: Option<String>,
    /// At most this many (default 50, at most 200).
    pub limit: Option<u32>,
}

/// One page of shops.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ShopPage {
    /// Shops in creation order.
    pub shops: Vec<PlatformShop>,
    /// Pass as `after` for the next page; none at the end.
    pub next: Option<ShopId>,
}

/// Shops in creation order, paged.
#[utoipa::path(get, path = "/api/v1/platform/shops", tag = "platform", params(Page), security(("platform" = [])),
    responses((status = 200, body = ShopPage), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, _op: Operator, ApiQuery(page): ApiQuery<Page>) -> Result<Json<ShopPage>, ApiError> {
    let after = page.after.as_deref().filter(|a| !a.is_empty()).map(|a| parse_id::<ShopId>(a, "shop")).transpose()?;
    let limit = page.limit.unwrap_or(50).clamp(1, 200);
    let rows = state.inbox.store().shops_page(after, limit + 1).await?;
    let more = rows.len() > limit as usize;
    let shops: Vec<PlatformShop> = rows
        .into_iter()
        .take(limit as usize)
        .map(|(s, p)| PlatformShop {
            id: s.id,
            name: s.name,
            widget_key: s.widget_key,
            time_zone: p.time_zone,
            language: p.language,
            state: if p.suspended_at.is_some() { "suspended" } else { "active" },
            created_at: s.created_at,
        })
        .collect();
    let next = if more { shops.last().map(|s| s.id) } else { None };
    Ok(Json(ShopPage { shops, next }))
}

async fn set_suspended(state: &AppState, op: &Operator, id: &str, suspend: bool) -> Result<StatusCode, ApiError> {
    let id: ShopId = parse_id(id, "shop")?;
    state.inbox.store().shop(id).await?.ok_or(ApiError::NotFound("shop"))?;
    let now = state.inbox.now();
    let mut cs = ChangeSet::default();
    cs.push(Change::SetShopSuspended { shop_id: id, at: suspend.then_some(now) });
    let action = if suspend { "shop_suspended" } else { "shop_resumed" };
    cs.push(Change::AppendAudit(AuditEntry::by(&op.actor(), Some(id), now, action, Some(format!("shop:{id}")), json!({}))));
    state.inbox.store().apply(cs).await?;
    state.tenancy.set_suspended(id, suspend);
    if suspend {
        state.hub.drop_shop(id);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Suspend a shop: its sockets close, its logins, API calls and webhooks answer 403
/// `shop_suspended`; nothing is deleted.
#[utoipa::path(post, path = "/api/v1/platform/shops/{id}/suspend", tag = "platform", params(("id" = String, Path)), security(("platform" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn suspend(State(state): State<AppState>, op: Operator, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    set_suspended(&state, &op, &id, true).await
}

/// Resume a suspended shop.
#[utoipa::path(post, path = "/api/v1/platform/shops/{id}/resume", tag = "platform", params(("id" = String, Path)), security(("platform" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn resume(State(state): State<AppState>, op: Operator, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    set_suspended(&state, &op, &id, false).await
}
