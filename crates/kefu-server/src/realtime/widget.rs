//! `/ws/widget`: the web chat widget's live connection for one visitor.

use super::frames::{self, ClientFrame, ServerFrame};
use super::socket::{self, Reply};
use super::typing::TypingGate;
use crate::api::ApiQuery;
use crate::app::AppState;
use crate::auth::{new_secret, secret_hash};
use crate::error::ApiError;
use axum::extract::ws::{Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use kefu_core::customer::{Channel, Customer};
use kefu_core::message::Message;
use kefu_core::shop::Shop;
use kefu_core::store::Store;
use serde::{Deserialize, Serialize};

/// Query of the widget socket.
#[derive(Deserialize)]
pub struct WidgetQuery {
    /// The shop's widget key.
    key: String,
    /// The visitor token from an earlier hello.
    token: Option<String>,
    /// Resume after this sequence number.
    after_seq: Option<i64>,
}

#[derive(Serialize)]
struct ShopInfo {
    name: String,
    /// Greeting, colour, corner and pre-chat fields from the shop page.
    look: crate::api::shop::WidgetLook,
}

#[derive(Serialize)]
struct Hello {
    r#type: &'static str,
    visitor_token: String,
    customer_id: String,
    shop: ShopInfo,
    messages: Vec<Message>,
    /// The visitor's place in the queue when their conversation waits for an agent.
    #[serde(skip_serializing_if = "Option::is_none")]
    queue: Option<QueuePlace>,
}

#[derive(Serialize)]
struct QueuePlace {
    position: usize,
    expected_wait_secs: u64,
}

/// Resolve the shop and the visitor before upgrading, so bad keys get an HTTP error.
pub async fn upgrade(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<WidgetQuery>,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let store = state.inbox.store();
    let shop = store.shop_by_widget_key(&q.key).await?.ok_or(ApiError::NotFound("shop"))?;
    crate::onboarding::ensure_open(&state, shop.id)?;
    // A token is a bearer secret for the visitor's dialogue: only its hash is stored, and an
    // unknown one simply starts a new visitor.
    let known = match q.token.as_deref().filter(|t| !t.is_empty() && t.len() <= 128) {
        Some(t) => store.identity(shop.id, Channel::Widget, &secret_hash(t)).await?.map(|i| (t.to_string(), i)),
        None => None,
    };
    let (token, customer) = match known {
        Some((token, identity)) => {
            let customer = state.inbox.current_customer(shop.id, identity.customer_id).await?;
            (token, customer)
        }
        None => {
            let token = new_secret("kv_").map_err(ApiError::Internal)?;
            let (customer, _) = state.inbox.customer_for(shop.id, Channel::Widget, &secret_hash(&token), "").await?;
            (token, customer)
        }
    };
    let messages = store.messages_of_customer(shop.id, customer.id, q.after_seq, 50).await?;
    let queue = match store.open_conversation_of(shop.id, customer.id).await? {
        Some(c) => state.inbox.queue_position(shop.id, c.id).map(|(position, expected_wait_secs)| QueuePlace { position, expected_wait_secs }),
        None => None,
    };
    Ok(socket::tuned(ws).on_upgrade(move |socket| session(state, shop, customer, token, (messages, queue), socket)))
}

async fn session(state: AppState, shop: Shop, customer: Customer, token: String, backlog: (Vec<Message>, Option<QueuePlace>), socket: WebSocket) {
    let (messages, queue) = backlog;
    let look = crate::api::shop::preferences(&state, shop.id).await.widget;
    let (conn_id, outbox) = state.hub.register_customer(shop.id, customer.id);
    let hello = frames::encode(&Hello {
        r#type: "hello",
        visitor_token: token,
        customer_id: customer.id.to_string(),
        shop: ShopInfo { name: shop.name.clone(), look },
        messages,
        queue,
    });
    let handler_state = state.clone();
    let (shop_id, customer_id) = (shop.id, customer.id);
    let mut typing = TypingGate::default();
    socket::run(socket, hello, outbox, state.shutdown.clone(), move |frame| -> Reply {
        let state = handler_state.clone();
        if let ClientFrame::Typing { .. } = frame {
            if typing.admit() {
                state.hub.customer_typing(shop_id, customer_id);
            }
            return Box::pin(async { None });
        }
        Box::pin(async move { Some(handle(&state, shop_id, customer_id, frame).await) })
    })
    .await;
    state.hub.unregister_customer(customer.id, conn_id);
}

async fn handle(state: &AppState, shop: kefu_core::ids::ShopId, customer: kefu_core::ids::CustomerId, frame: ClientFrame) -> Utf8Bytes {
    let (content, client_id) = match frame {
        ClientFrame::Send { content, client_id, .. } => (content, client_id),
        ClientFrame::Rate { stars, comment, client_id } => return rate(state, shop, customer, stars, comment, client_id).await,
        ClientFrame::Feedback { message_id, helpful } => return feedback(state, shop, customer, &message_id, helpful).await,
        _ => return frames::encode(&ServerFrame::Pong),
    };
    let cid = client_id.as_deref();
    if let Err(e) = crate::security::limits::admit_customer_message(state, shop, customer).await {
        return frames::api_error(&e, cid);
    }
    match state.inbox.customer_message(shop, customer, Channel::Widget, &content, cid).await {
        Ok(d) => {
            state.metrics.messages_received.inc();
            if !d.duplicate {
                if let Err(e) = crate::privacy::note_inbound(state, shop, customer, &content).await {
                    tracing::warn!(error = %e, "noting sensitive words failed");
                }
            }
            frames::encode(&ServerFrame::Ack { client_id: cid, message: &d.message, duplicate: d.duplicate })
        }
        Err(e) => frames::core_error(&e, cid),
    }
}

async fn feedback(state: &AppState, shop: kefu_core::ids::ShopId, customer: kefu_core::ids::CustomerId, message_id: &str, helpful: bool) -> Utf8Bytes {
    let Ok(id) = message_id.parse() else { return frames::core_error(&kefu_core::CoreError::NotFound("bot message"), None) };
    match state.inbox.bot_feedback(shop, customer, id, helpful).await {
        Ok(counted) => frames::encode(&ServerFrame::FeedbackRecorded { message_id, counted }),
        Err(e) => frames::core_error(&e, None),
    }
}

async fn rate(state: &AppState, shop: kefu_core::ids::ShopId, customer: kefu_core::ids::CustomerId, stars: u8, comment: Option<String>, client_id: Option<String>) -> Utf8Bytes {
    let cid = client_id.as_deref();
    if let Err(e) = crate::security::limits::admit_customer_message(state, shop, customer).await {
        return frames::api_error(&e, cid);
    }
    match state.inbox.rate(shop, customer, stars, comment.as_deref()).await {
        Ok(d) => frames::encode(&ServerFrame::Ack { client_id: cid, message: &d.message, duplicate: false }),
        Err(e) => frames::core_error(&e, cid),
    }
}
