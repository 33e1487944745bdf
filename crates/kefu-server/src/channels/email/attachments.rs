//! Reading email attachments back: the list of a message's files and one file's bytes
//! (scope `conversations:read`, the same as reading the message).

use crate::api::parse_id;
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::channels::email::Attachment;
use kefu_core::ids::{AttachmentId, MessageId};
use kefu_core::store::Store;
use serde::Serialize;

/// A message's attachments.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AttachmentList {
    /// In the order the email carried them.
    pub attachments: Vec<Attachment>,
}

/// The attachments of a message (names, types and sizes).
#[utoipa::path(get, path = "/api/v1/messages/{id}/attachments", tag = "channels", params(("id" = String, Path)),
    responses((status = 200, body = AttachmentList), (status = 404, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<Json<AttachmentList>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let id: MessageId = parse_id(&id, "message")?;
    let shop = who.user.shop_id;
    state.inbox.store().message(shop, id).await?.ok_or(ApiError::NotFound("message"))?;
    Ok(Json(AttachmentList { attachments: state.inbox.store().attachments_of(shop, id).await? }))
}

/// Types a browser may show inline; everything else is served as a download of opaque
/// bytes, so an HTML or SVG attachment can never run script on kefu's origin.
const INLINE: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp"];

/// One attachment's bytes.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "channels", params(("id" = String, Path)),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
pub async fn download(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<Response, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let id: AttachmentId = parse_id(&id, "attachment")?;
    let a = state.inbox.store().attachment(who.user.shop_id, id).await?.ok_or(ApiError::NotFound("attachment"))?;
    let inline = INLINE.contains(&a.content_type.as_str());
    let content_type = if inline { a.content_type.clone() } else { "application/octet-stream".to_string() };
    // RFC 5987 filename*: the name percent-encoded as UTF-8 (Chinese names survive).
    let encoded: String = a.filename.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-._".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
    let disposition = format!("{}; filename*=UTF-8''{encoded}", if inline { "inline" } else { "attachment" });
    Ok((
        [(header::CONTENT_TYPE, content_type), (header::CONTENT_DISPOSITION, disposition), (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string())],
        a.data,
    )
        .into_response())
}
