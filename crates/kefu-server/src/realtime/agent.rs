//! `/ws/agent`: the agent workspace's live connection.

use super::frames::{self, ClientFrame, ServerFrame};
use super::socket::{self, Reply};
use super::typing::TypingGate;
use crate::api::auth::{user_view, UserView};
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::header::{HOST, ORIGIN};
use axum::http::HeaderMap;
use axum::response::Response;
use kefu_core::access::Scope;
use kefu_core::conversation::{Conversation, Status};
use kefu_core::ids::ConversationId;
use kefu_core::shop::{Presence, User};
use kefu_core::store::{ConversationFilter, Store};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Serialize)]
struct Hello {
    r#type: &'static str,
    user: UserView,
    conversations: Vec<Conversation>,
    /// Conversation id → when its customer began waiting for an answer (unix ms): the
    /// workspace's waiting timers start from here and then follow the live messages.
    waiting_since: HashMap<String, i64>,
}

/// Upgrade after checking the session and that the page is our own (a cookie-authenticated
/// socket must not be openable from another site's page).
pub async fn upgrade(
    State(state): State<AppState>,
    who: Principal,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    if let Some(origin) = headers.get(ORIGIN).and_then(|o| o.to_str().ok()) {
        let host = headers.get(HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
        let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
        if origin_host != host {
            return Err(ApiError::Forbidden(crate::error::msg("error-ws-cross-site")));
        }
    }
    who.require(Scope::ConversationsWrite)?;
    // The socket's own task answers in the language settled for this request.
    let lang = crate::language::current();
    Ok(socket::tuned(ws).on_upgrade(move |socket| crate::language::scope(lang, session(state, who, socket))))
}

async fn session(state: AppState, who: Principal, socket: WebSocket) {
    let user: User = who.user.clone();
    let (conn_id, outbox, first) = state.hub.register_agent(user.shop_id, user.id);
    let mut seen = kefu_core::store::ChangeSet::default();
    seen.push(kefu_core::store::Change::TouchUser { shop_id: user.shop_id, user_id: user.id, at: state.inbox.now() });
    if let Err(e) = state.inbox.store().apply(seen).await {
        tracing::debug!(error = %e, "noting when a person was last seen failed");
    }
    if first {
        // The status the person chose (on any page) applies now; 接待 comes with it.
        let chosen = state.inbox.seat_choice(&user).await.status;
        state.inbox.set_presence(&user, chosen).await;
    }
    let filter = ConversationFilter {
        statuses: vec![Status::Bot, Status::Queued, Status::Assigned, Status::Resolved],
        agent_id: None,
        limit: 200,
    };
    let conversations = match state.inbox.store().conversations(user.shop_id, &filter).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "loading the workspace snapshot failed");
            Vec::new()
        }
    };
    let conversations = conversations.iter().map(crate::privacy::mask_conversation).collect();
    let waiting_since = match state.inbox.store().awaiting_reply(user.shop_id).await {
        Ok(w) => w.into_iter().map(|(id, at)| (id.to_string(), at)).collect(),
        Err(e) => {
            // Timers then start at the last message instead; not worth refusing the workspace.
            tracing::error!(error = %e, "loading waiting times failed");
            HashMap::new()
        }
    };
    let hello = frames::encode(&Hello { r#type: "hello", user: user_view(&state, user.clone()), conversations, waiting_since });
    let handler_state = state.clone();
    let mut typing = TypingGate::default();
    socket::run(socket, hello, outbox, state.shutdown.clone(), move |frame| -> Reply {
        let state = handler_state.clone();
        let who = who.clone();
        if let ClientFrame::Typing { conversation_id } = frame {
            let admitted = typing.admit();
            return Box::pin(async move {
                if admitted {
                    relay_typing(&state, &who, conversation_id.as_deref()).await;
                }
                None
            });
        }
        Box::pin(async move { Some(handle(&state, &who, frame).await) })
    })
    .await;
    if state.hub.unregister_agent(user.shop_id, user.id, conn_id) {
        state.inbox.set_presence(&user, Presence::Offline).await;
    }
}

/// Tell the customer of a conversation of the agent's shop that the agent is typing.
async fn relay_typing(state: &AppState, who: &Principal, conversation_id: Option<&str>) {
    let Some(id) = conversation_id.and_then(|s| s.parse::<ConversationId>().ok()) else { return };
    match state.inbox.store().conversation(who.user.shop_id, id).await {
        Ok(Some(c)) if c.status.is_open() => state.hub.agent_typing(c.customer_id),
        Ok(_) => {}
        Err(e) => tracing::debug!(error = %e, "typing: loading the conversation failed"),
    }
}

async fn handle(state: &AppState, who: &Principal, frame: ClientFrame) -> axum::extract::ws::Utf8Bytes {
    let (conversation_id, content, client_id, confirm) = match frame {
        ClientFrame::Send { conversation_id, content, client_id, confirm, .. } => (conversation_id, content, client_id, confirm),
        ClientFrame::Accept { conversation_id } => return answer_offer(state, who, &conversation_id, true).await,
        ClientFrame::Decline { conversation_id } => return answer_offer(state, who, &conversation_id, false).await,
        _ => return frames::encode(&ServerFrame::Pong),
    };
    let cid = client_id.as_deref();
    let Some(id) = conversation_id.as_deref().and_then(|s| s.parse::<ConversationId>().ok()) else {
        return frames::core_error(&kefu_core::CoreError::NotFound("conversation"), cid);
    };
    if let Err(e) = crate::privacy::check_outbound(&state.words.for_shop(who.user.shop_id), &content, confirm) {
        state.metrics.sensitive_outbound.inc();
        return frames::api_error(&e, cid);
    }
    match state.inbox.agent_message(who.actor(), id, &content, cid).await {
        Ok(d) => {
            state.metrics.messages_sent.inc();
            frames::encode(&ServerFrame::Ack { client_id: cid, message: &d.message, duplicate: d.duplicate })
        }
        Err(e) => frames::core_error(&e, cid),
    }
}

/// Accept or decline an offer; the answer is the conversation (accepted) or a pong.
async fn answer_offer(state: &AppState, who: &Principal, id: &str, accept: bool) -> axum::extract::ws::Utf8Bytes {
    let Ok(id) = id.parse::<ConversationId>() else {
        return frames::core_error(&kefu_core::CoreError::NotFound("conversation"), None);
    };
    let result = if accept {
        state.inbox.accept_offer(who.actor(), id).await.map(|c| frames::encode(&ServerFrame::Conversation { conversation: &crate::privacy::mask_conversation(&c) }))
    } else {
        state.inbox.decline_offer(who.actor(), id).await.map(|()| frames::encode(&ServerFrame::Pong))
    };
    result.unwrap_or_else(|e| frames::core_error(&e, None))
}
