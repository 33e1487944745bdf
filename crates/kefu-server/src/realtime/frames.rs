//! The JSON frames of the realtime protocol (see docs/ARCHITECTURE.md).

use axum::extract::ws::Utf8Bytes;
use kefu_core::conversation::Conversation;
use kefu_core::message::Message;
use kefu_core::CoreError;
use serde::{Deserialize, Serialize};

/// What clients send.
#[derive(Deserialize, Debug)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Send a message. Agents name the conversation; customers do not.
    Send {
        /// The conversation (agents only).
        conversation_id: Option<String>,
        /// Text.
        content: String,
        /// The client's id for the message, echoed in the ack.
        client_id: Option<String>,
        /// Agents: send despite a sensitive-word warning.
        #[serde(default)]
        confirm: bool,
        /// Customers: the shop's pre-chat form, answered with the first message.
        #[serde(default)]
        prechat: Option<kefu_core::prechat::Answers>,
    },
    /// The sender is typing (clients send it at most every 2 s while typing). Agents name
    /// the conversation; customers do not.
    Typing {
        /// The conversation (agents only).
        conversation_id: Option<String>,
    },
    /// Customers: rate the service of the resolved conversation (1-5 stars).
    Rate {
        /// 1 to the shop's scale.
        stars: u8,
        /// Optional comment.
        comment: Option<String>,
        /// The client's id, echoed in the ack.
        client_id: Option<String>,
    },
    /// Agents: accept a conversation offered to them.
    Accept {
        /// The conversation.
        conversation_id: String,
    },
    /// Agents: decline an offer (it goes to someone else).
    Decline {
        /// The conversation.
        conversation_id: String,
    },
    /// Customers: thumbs up or down on a bot answer.
    Feedback {
        /// The bot's message.
        message_id: String,
        /// Thumbs up.
        helpful: bool,
    },
    /// Keep-alive.
    Ping,
}

/// What the server sends (hello frames are built by each endpoint).
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame<'a> {
    /// A conversation was created or changed.
    Conversation {
        /// As it now stands.
        conversation: &'a Conversation,
    },
    /// A new message.
    Message {
        /// The message.
        message: &'a Message,
        /// Options the bot offers as quick-reply buttons (a flow's slot values); the widget
        /// sends the chosen one as the customer's message. Absent when there are none.
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        quick_replies: &'a [String],
    },
    /// A new message as agents see it (PII masked, sensitive words flagged).
    #[serde(rename = "message")]
    AgentMessage {
        /// The message.
        message: &'a crate::privacy::MessageView,
    },
    /// The client's message is durable.
    Ack {
        /// The client's id for it.
        client_id: Option<&'a str>,
        /// As stored.
        message: &'a Message,
        /// True for a resend of an already stored message.
        duplicate: bool,
    },
    /// Something the client sent was refused; the socket stays open.
    Error {
        /// Stable code.
        code: &'a str,
        /// What went wrong.
        message: &'a str,
        /// The client id of the refused message, if any.
        client_id: Option<&'a str>,
        /// Structured facts for some codes (the sensitive words hit).
        #[serde(skip_serializing_if = "Option::is_none")]
        details: Option<serde_json::Value>,
    },
    /// A ticket was created or changed; `notify` says who the workflow wants told.
    Ticket {
        /// As it now stands.
        ticket: &'a kefu_core::tickets::Ticket,
        /// Who should hear about it.
        notify: &'a [kefu_core::tickets::Notify],
    },
    /// The other side is typing: to agents `from: "customer"` with the customer's id, to the
    /// widget `from: "agent"`. Shown for a few seconds; nothing is stored.
    Typing {
        /// `customer` or `agent`.
        from: &'a str,
        /// The customer typing (frames to agents).
        #[serde(skip_serializing_if = "Option::is_none")]
        customer_id: Option<String>,
    },
    /// Agents: a conversation is offered to you until `expires_at`; accept or decline.
    Offer {
        /// The conversation.
        conversation_id: kefu_core::ids::ConversationId,
        /// Accept before this (ms since the epoch).
        expires_at: i64,
    },
    /// Agents: the offer lapsed or was declined.
    OfferWithdrawn {
        /// The conversation.
        conversation_id: kefu_core::ids::ConversationId,
    },
    /// Agents: a conversation was transferred, with the note for the next agent.
    Transferred {
        /// The conversation.
        conversation_id: kefu_core::ids::ConversationId,
        /// Who moved it.
        by: kefu_core::ids::UserId,
        /// The agent it went to.
        to_agent: Option<kefu_core::ids::UserId>,
        /// The team it went to.
        to_team: Option<&'a str>,
        /// The note.
        note: Option<&'a str>,
    },
    /// Customers: your place in the queue and the expected wait.
    Queue {
        /// 1-based place.
        position: usize,
        /// Expected wait in seconds.
        expected_wait_secs: u64,
    },
    /// Answer to a ping.
    Pong,
    /// Agents: the bot handed a conversation over; the context card (PII masked).
    Handoff {
        /// The conversation.
        conversation_id: kefu_core::ids::ConversationId,
        /// The agent it went to, if one was free.
        agent_id: Option<kefu_core::ids::UserId>,
        /// What the bot saw and why it handed over.
        card: &'a kefu_core::bot::ContextCard,
    },
    /// Customers: the thumbs up/down was recorded.
    FeedbackRecorded {
        /// The bot's message.
        message_id: &'a str,
        /// False when that message answered no FAQ (nothing to count).
        counted: bool,
    },
}

/// Serialise a frame once, to send to many sockets.
pub fn encode<T: Serialize>(frame: &T) -> Utf8Bytes {
    match serde_json::to_string(frame) {
        Ok(s) => Utf8Bytes::from(s),
        // Our own frame types always serialise; fall back to a generic error frame.
        Err(_) => Utf8Bytes::from_static(r#"{"type":"error","code":"internal","message":"internal error"}"#),
    }
}

/// An error frame.
pub fn error(code: &str, message: &str, client_id: Option<&str>) -> Utf8Bytes {
    encode(&ServerFrame::Error { code, message, client_id, details: None })
}

/// The error frame for a refused API-level operation (rate limit, sensitive words …).
pub fn api_error(e: &crate::error::ApiError, client_id: Option<&str>) -> Utf8Bytes {
    let (_, code) = e.status_code();
    let details = match e {
        crate::error::ApiError::Sensitive { hits, .. } => Some(hits.clone()),
        _ => None,
    };
    encode(&ServerFrame::Error { code, message: &e.public_message(), client_id, details })
}

/// The error frame for a failed domain operation, in the socket's language.
pub fn core_error(e: &CoreError, client_id: Option<&str>) -> Utf8Bytes {
    let (_, code) = crate::error::core_status(e);
    let lang = crate::language::current();
    match e {
        CoreError::Store(kefu_core::store::StoreError::Closed) => {
            error(code, &kefu_i18n::render(lang, "error-socket-shutting-down"), client_id)
        }
        CoreError::Store(s) => {
            tracing::error!(error = %s, "store failed under a socket");
            error(code, &kefu_i18n::render(lang, "error-socket-internal"), client_id)
        }
        other => error(code, &crate::error::core_message(other, lang), client_id),
    }
}
