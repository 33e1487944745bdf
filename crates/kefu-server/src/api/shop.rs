//! The shop page of the settings console: name, time zone and language; how the web widget
//! looks and greets; CSAT; whether supervisors may edit the knowledge base. The preferences
//! are one shop setting document (`shop_preferences`); CSAT (on/off, question, scale) lives
//! in the routing timings, where the inbox already reads it.

use super::{ApiJson, ApiQuery};
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use crate::security::audit;
use axum::extract::State;
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::ids::ShopId;
use kefu_core::inbox::agent_joined_default;
use kefu_core::onboarding::check_new_shop;
use kefu_core::store::{Change, ChangeSet, Store};
use serde::{Deserialize, Serialize};

/// The shop setting that holds [`Preferences`].
pub const PREFERENCES_KEY: &str = kefu_core::inbox::PREFERENCES_KEY;

/// How the web widget looks and what it asks first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct WidgetLook {
    /// The first line a visitor reads (not blank, at most 200 characters).
    #[schema(pattern = r"\S", max_length = 200)]
    pub greeting: String,
    /// Accent colour, `#RRGGBB`.
    #[schema(pattern = r"^#[0-9A-Fa-f]{6}$")]
    pub color: String,
    /// `right` or `left` bottom corner.
    #[schema(pattern = r"^(right|left)$")]
    pub position: String,
    /// Asked before the first message: any of `name`, `phone`, `email`, `order`.
    pub prechat_fields: Vec<String>,
    /// Which of the asked fields must be answered.
    pub prechat_required: Vec<String>,
    /// The widget's language: `auto` (the visitor's browser language) or a fixed `zh-CN` / `en`.
    #[schema(pattern = r"^(auto|zh-CN|en)$")]
    pub language: String,
}

impl Default for WidgetLook {
    fn default() -> Self {
        Self {
            greeting: kefu_i18n::render(kefu_i18n::Lang::ZhCn, DEFAULT_GREETING),
            color: "#fe2c55".into(),
            position: "right".into(),
            prechat_fields: Vec::new(),
            prechat_required: Vec::new(),
            language: "auto".into(),
        }
    }
}

/// The catalogue message a shop's greeting is until the shop words its own.
pub const DEFAULT_GREETING: &str = "widget-greeting";

impl WidgetLook {
    /// The language the shop fixed for its widget; `None` for `auto` (the visitor's own).
    pub fn fixed_language(&self) -> Option<kefu_i18n::Lang> {
        match self.language.as_str() {
            "zh-CN" => Some(kefu_i18n::Lang::ZhCn),
            "en" => Some(kefu_i18n::Lang::En),
            _ => None,
        }
    }

    /// This look as a visitor reading `lang` gets it: the default greeting (never reworded by
    /// the shop) in their language; a shop's own greeting stays as the shop wrote it.
    pub fn for_reader(mut self, lang: kefu_i18n::Lang) -> Self {
        if self.greeting == WidgetLook::default().greeting {
            self.greeting = kefu_i18n::render(lang, DEFAULT_GREETING);
        }
        self
    }
}

/// Shop-wide preferences kept as one settings document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Preferences {
    /// The widget.
    pub widget: WidgetLook,
    /// Supervisors may edit the knowledge base (as on 飞鸽).
    pub supervisors_edit_kb: bool,
    /// What the customer reads when a person first replies; `{name}` is the agent's name.
    pub agent_joined: String,
}

impl Default for Preferences {
    fn default() -> Self {
        Self { widget: WidgetLook::default(), supervisors_edit_kb: true, agent_joined: agent_joined_default() }
    }
}

fn default_agent_joined() -> String {
    agent_joined_default()
}

/// The shop page as one document.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShopSettings {
    /// Shown name (1 to 60 characters, not blank).
    #[schema(pattern = r"\S", max_length = 60)]
    pub name: String,
    /// UTC offset, `+08:00`.
    #[schema(pattern = r"^[+-](0[0-9]|1[0-3]):[0-5][0-9]$|^[+-]14:00$")]
    pub time_zone: String,
    /// `zh-CN` or `en`.
    #[schema(pattern = r"^(zh-CN|en)$")]
    pub language: String,
    /// Public key of the widget (read-only).
    #[serde(default)]
    pub widget_key: String,
    /// Widget look and pre-chat fields.
    pub widget: WidgetLook,
    /// Ask for a rating when a conversation is resolved.
    pub csat_enabled: bool,
    /// The rating question (not blank, at most 100 characters); the invitation adds how to
    /// answer by text, and the widget shows stars under it.
    #[serde(default = "default_question")]
    #[schema(pattern = r"\S", max_length = 100)]
    pub csat_question: String,
    /// Stars from 1 to this (2 to 10); a digit reply on this scale counts as a rating.
    #[serde(default = "default_scale")]
    #[schema(minimum = 2, maximum = 10)]
    pub csat_scale: u8,
    /// Supervisors may edit the knowledge base.
    pub supervisors_edit_kb: bool,
    /// The line a customer reads when a person first replies (not blank, at most 60
    /// characters); `{name}` becomes the agent's display name. Default `客服{name}为您服务`.
    #[serde(default = "default_agent_joined")]
    #[schema(pattern = r"\S", max_length = 60)]
    pub agent_joined: String,
    /// The newest kept version of this page (read-only; send it back as `base_version`).
    #[serde(default)]
    #[schema(read_only)]
    pub version: i64,
}

fn default_question() -> String {
    kefu_core::csat::default_question()
}

fn default_scale() -> u8 {
    kefu_core::csat::DEFAULT_SCALE
}

const PRECHAT: [&str; 4] = ["name", "phone", "email", "order"];

/// The shop's preferences (defaults when never saved or unreadable).
pub async fn preferences(state: &AppState, shop: ShopId) -> Preferences {
    match state.inbox.store().setting(shop, PREFERENCES_KEY).await {
        Ok(Some(doc)) => serde_json::from_str(&doc).unwrap_or_default(),
        _ => Preferences::default(),
    }
}

/// Each problem of a shop document with its path, in the request's language (shown at the field).
pub fn problems(s: &ShopSettings) -> Vec<kefu_core::routing::ConfigProblem> {
    let mut out = Vec::new();
    let lang = crate::language::current();
    let mut add = |path: &str, message: &str| out.push(kefu_core::routing::ConfigProblem { path: path.into(), message: message.into() });
    let words = |key: &str| kefu_i18n::render(lang, key);
    if let Err(m) = check_new_shop(&s.name, "+08:00", "zh-CN") {
        add("name", &m.render(lang));
    }
    if check_new_shop("店", &s.time_zone, "zh-CN").is_err() {
        add("time_zone", &words("error-shop-time-zone"));
    }
    if check_new_shop("店", "+08:00", &s.language).is_err() {
        add("language", &words("error-shop-language"));
    }
    let g = s.widget.greeting.trim().chars().count();
    if g == 0 || g > 200 {
        add("widget.greeting", &words("error-shop-greeting"));
    }
    let c = s.widget.color.as_bytes();
    if !(c.len() == 7 && c[0] == b'#' && c[1..].iter().all(u8::is_ascii_hexdigit)) {
        add("widget.color", &words("error-shop-color"));
    }
    if s.widget.position != "right" && s.widget.position != "left" {
        add("widget.position", &words("error-shop-position"));
    }
    if !["auto", "zh-CN", "en"].contains(&s.widget.language.as_str()) {
        add("widget.language", "挂件语言只能是 auto（跟随访客浏览器）、zh-CN 或 en");
    }
    let j = s.agent_joined.trim().chars().count();
    if j == 0 || j > 60 {
        add("agent_joined", &words("error-shop-agent-joined"));
    }
    if let Some(i) = s.widget.prechat_fields.iter().position(|f| !PRECHAT.contains(&f.as_str())) {
        add(&format!("widget.prechat_fields[{i}]"), &words("error-shop-prechat-field"));
    }
    if let Some(i) = s.widget.prechat_required.iter().position(|f| !s.widget.prechat_fields.contains(f)) {
        add(&format!("widget.prechat_required[{i}]"), &words("error-shop-prechat-required"));
    }
    let survey = kefu_core::csat::Survey { question: s.csat_question.clone(), scale: s.csat_scale };
    for (field, message) in survey.problems() {
        add(&format!("csat_{field}"), &message);
    }
    out
}

async fn view(state: &AppState, shop: ShopId) -> Result<ShopSettings, ApiError> {
    let store = state.inbox.store();
    let row = store.shop(shop).await?.ok_or(ApiError::NotFound("shop"))?;
    let profile = store.shop_profile(shop).await?;
    let prefs = preferences(state, shop).await;
    let timings = state.inbox.ready(shop).await.timings.clone();
    Ok(ShopSettings {
        name: row.name,
        time_zone: profile.as_ref().map(|p| p.time_zone.clone()).unwrap_or_else(|| "+08:00".into()),
        language: profile.map(|p| p.language).unwrap_or_else(|| "zh-CN".into()),
        widget_key: row.widget_key,
        widget: prefs.widget,
        csat_enabled: timings.csat_on_resolve,
        csat_question: timings.csat_question,
        csat_scale: timings.csat_scale,
        supervisors_edit_kb: prefs.supervisors_edit_kb,
        agent_joined: prefs.agent_joined,
        version: super::versions::latest(state, shop, super::versions::SHOP).await?,
    })
}

/// The shop page: name, time zone, language, widget, CSAT and the supervisor KB switch.
#[utoipa::path(get, path = "/api/v1/shop", tag = "settings", responses((status = 200, body = ShopSettings), (status = 403, body = ErrorBody)))]
pub async fn get_shop(State(state): State<AppState>, who: Principal) -> Result<Json<ShopSettings>, ApiError> {
    who.require(Scope::SettingsManage)?;
    Ok(Json(view(&state, who.user.shop_id).await?))
}

/// Save the shop page, validated whole; the problems come back with their paths (422). Each
/// save is kept as a version; with `base_version` a save on top of a newer one answers
/// `409 stale_version`.
#[utoipa::path(put, path = "/api/v1/shop", tag = "settings", request_body = ShopSettings, params(super::versions::BaseVersion),
    responses((status = 200, body = ShopSettings), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_shop(State(state): State<AppState>, who: Principal, ApiQuery(q): ApiQuery<super::versions::BaseVersion>, ApiJson(s): ApiJson<ShopSettings>) -> Result<Json<ShopSettings>, ApiError> {
    who.require(Scope::SettingsManage)?;
    let shop = who.user.shop_id;
    let latest = super::versions::latest(&state, shop, super::versions::SHOP).await?;
    super::versions::check(q.base_version, latest)?;
    let found = problems(&s);
    if !found.is_empty() {
        return Err(crate::error::document_problems("error-shop-problems", &found));
    }
    let prefs = Preferences { widget: s.widget.clone(), supervisors_edit_kb: s.supervisors_edit_kb, agent_joined: s.agent_joined.trim().into() };
    let doc = serde_json::to_string(&prefs).map_err(|e| ApiError::Internal(e.to_string()))?;
    let kept = serde_json::to_string(&ShopSettings { version: latest + 1, ..s.clone() }).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut cs = ChangeSet::default();
    cs.push(Change::RenameShop { shop_id: shop, name: s.name.trim().into() });
    cs.push(Change::SetShopProfile { shop_id: shop, time_zone: s.time_zone.clone(), language: s.language.clone() });
    cs.push(Change::PutSetting { shop_id: shop, key: PREFERENCES_KEY.into(), doc, at: state.inbox.now() });
    cs.push(super::versions::next(&state, &who, super::versions::SHOP, latest, kept, "edit"));
    cs.push(Change::AppendAudit(audit::entry(&state, &who, "shop_settings_changed", None, serde_json::json!({ "name": s.name.trim() }))));
    state.inbox.store().apply(cs).await.map_err(|e| super::versions::stale_on_race(e, latest))?;
    let mut routing = (*state.inbox.ready(shop).await).clone();
    let csat = (s.csat_enabled, s.csat_question.trim().to_string(), s.csat_scale);
    if (routing.timings.csat_on_resolve, routing.timings.csat_question.clone(), routing.timings.csat_scale) != csat {
        (routing.timings.csat_on_resolve, routing.timings.csat_question, routing.timings.csat_scale) = csat;
        state.inbox.put_routing_config(shop, routing).await?;
    }
    Ok(Json(view(&state, shop).await?))
}

/// A message to try against a routing document.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct RoutingTest {
    /// The customer's message.
    pub text: String,
    /// The channel it arrives on (default: widget).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub channel: Option<kefu_core::customer::Channel>,
    /// Customer tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The customer is VIP.
    #[serde(default)]
    pub vip: bool,
    /// A draft document to try (default: the saved one).
    #[serde(default)]
    pub config: Option<kefu_core::routing::RoutingConfig>,
}

/// "Test this message": which rule and team a message would get; changes nothing.
#[utoipa::path(post, path = "/api/v1/routing/test", tag = "routing", request_body = RoutingTest,
    responses((status = 200, body = kefu_core::routing::Trial), (status = 403, body = ErrorBody)))]
pub async fn test_routing(State(state): State<AppState>, who: Principal, ApiJson(t): ApiJson<RoutingTest>) -> Result<Json<kefu_core::routing::Trial>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    if t.text.trim().is_empty() || t.text.chars().count() > 2000 {
        return Err(ApiError::BadRequest(crate::error::msg("error-routing-test-text")));
    }
    let config = match t.config {
        Some(c) => c,
        None => (*state.inbox.ready(who.user.shop_id).await).clone(),
    };
    let channel = t.channel.unwrap_or(kefu_core::customer::Channel::Widget);
    Ok(Json(kefu_core::routing::trial(&config, channel, &t.text, &t.tags, t.vip, state.inbox.now())))
}

/// May the caller edit the knowledge base: `settings:manage`, or `kb:write` while the shop
/// lets supervisors edit it.
pub async fn require_kb_edit(state: &AppState, who: &Principal) -> Result<(), ApiError> {
    if who.require(Scope::SettingsManage).is_ok() {
        return Ok(());
    }
    who.require(Scope::KbWrite)?;
    if who.user.role == kefu_core::shop::Role::Supervisor && !preferences(state, who.user.shop_id).await.supervisors_edit_kb {
        return Err(ApiError::Forbidden(crate::error::msg("error-kb-supervisors-off")));
    }
    Ok(())
}
