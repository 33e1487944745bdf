//! Reading the shop's audit log (owners and admins).

use super::ApiQuery;
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use axum::extract::State;
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::audit::AuditRecord;
use kefu_core::store::Store;
use serde::{Deserialize, Serialize};

/// Paging through the log.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Entries after this position (0 for the start).
    #[serde(default)]
    pub after: i64,
    /// At most this many (1-1000, default 200).
    pub limit: Option<u32>,
}

/// A page of the log.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    /// Entries, oldest first, with their chain hashes.
    pub entries: Vec<AuditRecord>,
}

/// The shop's audit entries, oldest first (scope `audit:read`).
#[utoipa::path(get, path = "/api/v1/audit", tag = "compliance", params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, who: Principal, ApiQuery(q): ApiQuery<AuditQuery>) -> Result<Json<AuditPage>, ApiError> {
    who.require(Scope::AuditRead)?;
    let limit = q.limit.unwrap_or(200).clamp(1, 1000);
    Ok(Json(AuditPage { entries: state.inbox.store().audit(Some(who.user.shop_id), q.after.max(0), limit).await? }))
}
