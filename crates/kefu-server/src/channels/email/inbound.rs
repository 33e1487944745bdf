//! Inbound email, `POST /api/v1/channels/{id}/email`: a mail service (or a relay script
//! behind the shop's MX) posts the raw RFC 822 message, signed with the channel's secret
//! exactly like the platform webhook. Verify, decode, thread, store once per Message-ID.
//! Everything that can refuse the email runs before anything is written; refusals are
//! logged with the channel and the reason only (never the email's headers or text).

use crate::app::AppState;
use crate::channels::platform::remember_route;
use crate::error::{ApiError, ErrorBody};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use kefu_core::channels::email::{self, quote, thread, Attachment, EmailHeader, EmailRecord, ParsedEmail};
use kefu_core::channels::{signature, ChannelInstance};
use kefu_core::customer::{Channel, Customer};
use kefu_core::ids::{AttachmentId, ChannelId, ShopId};
use kefu_core::inbox::{Delivered, MergeKey};
use kefu_core::store::{Change, ChangeSet, Store};
use kefu_core::CoreError;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Receive one raw email (body: the RFC 822 message; headers `X-Kefu-Timestamp` and
/// `X-Kefu-Signature` as for the platform webhook). 201 with where it landed; 200 with the
/// same answer when the Message-ID was delivered before.
#[utoipa::path(post, path = "/api/v1/channels/{id}/email", tag = "channels", params(("id" = String, Path),
        ("X-Kefu-Timestamp" = String, Header, description = "Unix seconds, at most 5 minutes off", pattern = r"^[0-9]{1,12}$"),
        ("X-Kefu-Signature" = String, Header, description = "`sha256=` and the hex HMAC-SHA256 of `timestamp + \".\" + body` with the channel's secret", pattern = r"^sha256=[0-9a-f]{64}$")),
    request_body(content = String, content_type = "message/rfc822", description = "The raw email"),
    responses((status = 201, body = Object), (status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn receive(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<(StatusCode, Json<Value>), ApiError> {
    let result = accept(&state, &id, &headers, body).await;
    if let Err(e) = &result {
        let (status, code) = e.status_code();
        tracing::warn!(channel = %id, status = status.as_u16(), code, "inbound email refused");
    }
    result
}

async fn accept(state: &AppState, id: &str, headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<(StatusCode, Json<Value>), ApiError> {
    let channel_id: ChannelId = crate::api::parse_id(id, "channel")?;
    let inbox = &state.inbox;
    let channel = inbox
        .store()
        .channel_by_id(channel_id)
        .await?
        .filter(|c| c.disabled_at.is_none() && c.platform == email::PLATFORM)
        .ok_or(ApiError::NotFound("email channel"))?;
    crate::onboarding::ensure_open(state, channel.shop_id)?;
    let body = body.map_err(|r| if r.status() == StatusCode::PAYLOAD_TOO_LARGE { ApiError::PayloadTooLarge } else { ApiError::BadRequest(crate::error::verbatim(r.body_text())) })?;
    let max = state.channels.settings.email_max_bytes;
    if body.len() > max {
        return Err(ApiError::PayloadTooLarge);
    }
    signature::verify(channel.secret.as_bytes(), header(headers, signature::TIMESTAMP_HEADER), header(headers, signature::SIGNATURE_HEADER), &body, inbox.now())?;
    ingest(state, &channel, body).await
}

/// Decode, thread and store one raw email of an email channel (the endpoint after its
/// signature check, and the IMAP poller). 201 when stored now, 200 for a known Message-ID.
pub async fn ingest(state: &AppState, channel: &ChannelInstance, body: Bytes) -> Result<(StatusCode, Json<Value>), ApiError> {
    let inbox = &state.inbox;
    let channel_id = channel.id;
    let max = state.channels.settings.email_max_bytes;
    if body.len() > max {
        return Err(ApiError::PayloadTooLarge);
    }
    let limits = email::Limits { max_attachments: 20, max_attachment_bytes: max };
    let raw = body.clone();
    // Decoding megabytes of MIME is CPU work: keep it off the async workers.
    let parsed = tokio::task::spawn_blocking(move || email::parse(&raw, limits)).await.map_err(|e| ApiError::Internal(e.to_string()))?.map_err(|e| match e {
        CoreError::TooLarge { .. } => ApiError::PayloadTooLarge,
        other => ApiError::Refused { status: StatusCode::BAD_REQUEST, code: "invalid_email", message: crate::error::verbatim(other.to_string()) },
    })?;
    let shop = channel.shop_id;
    // Without a Message-ID the bytes themselves identify the email: a redelivery is the same.
    let message_id = parsed.message_id.clone().unwrap_or_else(|| format!("{}@kefu.invalid", hex::encode(Sha256::digest(&body))));
    let record_id = thread::record_id(shop, &message_id);
    let dedupe_key = format!("e:{record_id}");

    let (customer, new_thread) = match thread_of(state, shop, &parsed).await? {
        thread::Thread::Existing { customer, .. } => (inbox.current_customer(shop, customer).await?, false),
        thread::Thread::BySender => (sender(state, shop, channel_id, &parsed).await?, true),
    };
    let names: Vec<String> = parsed.attachments.iter().map(|a| a.filename.clone()).collect();
    let text = email::message_text(&parsed.subject, &quote::trim_quoted(&parsed.text), new_thread, &names);
    if inbox.store().message_by_dedupe(shop, &dedupe_key).await?.is_none() {
        crate::security::limits::admit_customer_message(state, shop, customer.id).await?;
    }
    let d = inbox.platform_message(shop, customer.id, Channel::Email, &text, dedupe_key).await?;
    // Written on redeliveries too (a no-op then): a crash between the message and this
    // record must not leave the thread unrecorded for ever.
    record(state, shop, channel_id, &d, &parsed, message_id).await?;
    if !d.duplicate {
        crate::privacy::note_inbound(state, shop, d.message.customer_id, &text).await?;
    }
    let status = if d.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((
        status,
        Json(json!({
            "message_id": d.message.id, "conversation_id": d.conversation.id, "customer_id": d.message.customer_id,
            "duplicate": d.duplicate, "attachments": parsed.attachments.len(),
        })),
    ))
}

/// Which conversation the email continues, from its nearest recorded ancestor.
async fn thread_of(state: &AppState, shop: ShopId, parsed: &ParsedEmail) -> Result<thread::Thread, ApiError> {
    let ancestry = thread::ancestry(&parsed.in_reply_to, &parsed.references);
    if ancestry.is_empty() {
        return Ok(thread::Thread::BySender);
    }
    let ids: Vec<String> = ancestry.iter().map(|m| thread::record_id(shop, m)).collect();
    let found = state.inbox.store().email_records(shop, &ids).await?;
    // The nearest ancestor: the first id in ancestry order that is recorded.
    let nearest = ids.iter().find_map(|id| found.iter().find(|r| &r.id == id));
    let Some(rec) = nearest else { return Ok(thread::Thread::BySender) };
    let conversation = state.inbox.store().conversation(shop, rec.conversation_id).await?;
    Ok(thread::decide(conversation.map(|c| (c.id, c.customer_id, c.status))))
}

/// The sender's own customer, by address; verified senders merge across channels.
async fn sender(state: &AppState, shop: ShopId, channel: ChannelId, parsed: &ParsedEmail) -> Result<Customer, ApiError> {
    let (customer, _) = state.inbox.customer_for(shop, Channel::Email, &parsed.from, &parsed.from_name).await?;
    let customer = if email::sender_verified(parsed.authentication_results.as_deref()) {
        state.inbox.link_keys(shop, customer, &[MergeKey::Email(parsed.from.clone())]).await?
    } else {
        customer
    };
    remember_route(&state.inbox, shop, customer.id, channel, &parsed.from).await?;
    Ok(customer)
}

/// Record the email for threading and store its attachments, in one change set.
async fn record(state: &AppState, shop: ShopId, channel: ChannelId, d: &Delivered, parsed: &ParsedEmail, message_id: String) -> Result<(), ApiError> {
    let now = state.inbox.now();
    let mut references = parsed.references.clone();
    references.extend(parsed.in_reply_to.iter().filter(|r| !parsed.references.contains(r)).cloned());
    let mut cs = ChangeSet::default();
    cs.push(Change::PutEmailRecord(EmailRecord {
        id: thread::record_id(shop, &message_id),
        shop_id: shop,
        conversation_id: d.message.conversation_id,
        customer_id: d.message.customer_id,
        message_id: Some(d.message.id),
        channel_id: channel,
        inbound: true,
        header: EmailHeader { message_id, subject: parsed.subject.clone(), references },
        created_at: now,
    }));
    for (i, a) in parsed.attachments.iter().enumerate() {
        cs.push(Change::PutAttachment(Attachment {
            id: AttachmentId::of(shop, d.message.id, i),
            shop_id: shop,
            message_id: d.message.id,
            position: i as u32,
            filename: a.filename.clone(),
            content_type: a.content_type.clone(),
            size: a.bytes.len() as u64,
            data: a.bytes.clone(),
            created_at: now,
        }));
    }
    state.inbox.store().apply(cs).await?;
    Ok(())
}
