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
use kefu_core::ids::{CustomerId, ShopId};
use kefu_core::message::Message;
use kefu_core::shop::Shop;
use kefu_core::store::Store;
use kefu_i18n::Lang;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};

/// Query of the widget socket.
#[derive(Deserialize)]
pub struct WidgetQuery {
    /// The shop's widget key.
    key: String,
    /// The visitor token from an earlier hello.
    token: Option<String>,
    /// Resume after this sequence number.
    after_seq: Option<i64>,
    /// The visitor's browser language (`navigator.language`, e.g. `en-US`): kefu's own lines
    /// to them (queue places, the rating invitation, pre-chat problems) use it when kefu
    /// speaks it; otherwise the language of their first message, else the shop's default.
    language: Option<String>,
}

#[derive(Serialize)]
struct ShopInfo {
    name: String,
    /// Greeting, colour, corner and pre-chat fields from the shop page.
    look: crate::api::shop::WidgetLook,
    /// How the shop asks for a rating: the widget shows stars under this invitation.
    rating: RatingAsk,
}

#[derive(Serialize)]
struct RatingAsk {
    /// Stars from 1 to this.
    scale: u8,
    /// The invitation message's exact text in the visitor's language (the system message
    /// that asks for the rating).
    invitation: String,
    /// The invitation in every language kefu speaks (the visitor's language may be learnt
    /// from their first message, after this hello).
    invitations: Vec<String>,
}

#[derive(Serialize)]
struct Hello {
    r#type: &'static str,
    /// The language the widget speaks to this visitor ([`widget_language`]).
    language: kefu_i18n::Lang,
    visitor_token: String,
    /// None until the visitor's first message creates their customer.
    customer_id: Option<String>,
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

/// Whether a token has the shape [`new_secret`] gives visitor tokens (`kv_` + 43 base64url
/// characters). A well-formed token nobody wrote with yet is kept: its visitor simply has
/// not written, so no customer exists for it.
fn well_formed(token: &str) -> bool {
    token.len() == 46 && token.starts_with("kv_") && token.bytes().skip(3).all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Resolve the shop and the visitor before upgrading, so bad keys get an HTTP error. No
/// customer is created here: a socket that never sends anything leaves nothing behind.
pub async fn upgrade(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<WidgetQuery>,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let store = state.inbox.store();
    let shop = store.shop_by_widget_key(&q.key).await?.ok_or(ApiError::NotFound("shop"))?;
    crate::onboarding::ensure_open(&state, shop.id)?;
    // A token is a bearer secret for the visitor's dialogue: only its hash is stored, and a
    // malformed one simply starts a new visitor.
    let token = match q.token.filter(|t| well_formed(t)) {
        Some(t) => t,
        None => new_secret("kv_").map_err(ApiError::Internal)?,
    };
    let customer = match store.identity(shop.id, Channel::Widget, &secret_hash(&token)).await? {
        Some(identity) => Some(state.inbox.current_customer(shop.id, identity.customer_id).await?),
        None => None,
    };
    // A shop that fixed its widget's language speaks it to every visitor.
    let fixed = crate::api::shop::preferences(&state, shop.id).await.widget.fixed_language();
    let browser = fixed.or_else(|| q.language.as_deref().and_then(Lang::parse));
    let mut lang = None;
    let (messages, queue) = match &customer {
        Some(c) => {
            let messages = store.messages_of_customer(shop.id, c.id, q.after_seq, 50).await?;
            let queue = match store.open_conversation_of(shop.id, c.id).await? {
                Some(open) => {
                    lang = Some(state.inbox.customer_language(shop.id, open.id).await);
                    state.inbox.queue_position(shop.id, open.id).map(|(position, expected_wait_secs)| QueuePlace { position, expected_wait_secs })
                }
                None => None,
            };
            (messages, queue)
        }
        None => (Vec::new(), None),
    };
    // The open conversation's language, else the browser's, else the shop's.
    let lang = match lang.or(browser) {
        Some(l) => l,
        None => state.inbox.shop_language(shop.id).await,
    };
    let visitor_lang = VisitorLanguage { browser, lang };
    // The socket's own task answers (error frames too) in the visitor's language.
    Ok(socket::tuned(ws).on_upgrade(move |socket| crate::language::scope(visitor_lang.lang, session(state, shop, customer, token, (messages, queue), visitor_lang, socket))))
}

/// What a visitor's language is known to be when their socket opens.
#[derive(Clone, Copy)]
struct VisitorLanguage {
    /// What the browser said, when kefu speaks it (noted on a conversation they start).
    browser: Option<Lang>,
    /// What kefu writes to them in now.
    lang: Lang,
}

/// The language the widget speaks to a visitor: the shop's fixed widget language, else the
/// visitor's (`asked`), else the shop's default language.
async fn widget_language(state: &AppState, shop: ShopId, look: &crate::api::shop::WidgetLook, asked: Option<kefu_i18n::Lang>) -> kefu_i18n::Lang {
    if let Some(lang) = look.fixed_language().or(asked) {
        return lang;
    }
    match state.inbox.store().shop_profile(shop).await {
        Ok(Some(profile)) => kefu_i18n::Lang::parse(&profile.language).unwrap_or_default(),
        _ => kefu_i18n::Lang::default(),
    }
}

/// The visitor behind one widget socket: their customer once there is one, and the socket's
/// outbox to attach to it then.
struct Visitor {
    shop: ShopId,
    language: VisitorLanguage,
    token_hash: String,
    customer: Mutex<Option<CustomerId>>,
    conn_id: u64,
}

impl Visitor {
    fn customer(&self) -> Option<CustomerId> {
        *self.customer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The visitor's customer, created on their first message.
    async fn customer_or_create(&self, state: &AppState) -> Result<CustomerId, kefu_core::CoreError> {
        if let Some(c) = self.customer() {
            return Ok(c);
        }
        // Until they give a name, agents know them as a web visitor, in the words the visitor reads.
        let name = kefu_i18n::render(self.language.lang, "customer-default_name-widget");
        let (customer, _) = state.inbox.customer_for(self.shop, Channel::Widget, &self.token_hash, &name).await?;
        *self.customer.lock().unwrap_or_else(|p| p.into_inner()) = Some(customer.id);
        state.hub.attach_customer(customer.id, self.conn_id);
        Ok(customer.id)
    }
}

async fn session(state: AppState, shop: Shop, customer: Option<Customer>, token: String, backlog: (Vec<Message>, Option<QueuePlace>), language: VisitorLanguage, socket: WebSocket) {
    let (messages, queue) = backlog;
    let look = crate::api::shop::preferences(&state, shop.id).await.widget;
    let speaks = widget_language(&state, shop.id, &look, language.browser).await;
    let look = look.for_reader(speaks);
    let survey = state.inbox.ready(shop.id).await.timings.survey();
    let rating = RatingAsk { scale: survey.scale, invitation: survey.invitation(language.lang), invitations: Lang::ALL.iter().map(|&l| survey.invitation(l)).collect() };
    let (conn_id, outbox) = state.hub.open_widget(shop.id);
    if let Some(c) = &customer {
        state.hub.attach_customer(c.id, conn_id);
    }
    let visitor = Arc::new(Visitor { shop: shop.id, language, token_hash: secret_hash(&token), customer: Mutex::new(customer.as_ref().map(|c| c.id)), conn_id });
    let hello = frames::encode(&Hello {
        r#type: "hello",
        language: speaks,
        visitor_token: token,
        customer_id: customer.map(|c| c.id.to_string()),
        shop: ShopInfo { name: shop.name.clone(), look, rating },
        messages,
        queue,
    });
    let handler_state = state.clone();
    let handler_visitor = visitor.clone();
    let mut typing = TypingGate::default();
    socket::run(socket, hello, outbox, state.shutdown.clone(), move |frame| -> Reply {
        let state = handler_state.clone();
        let visitor = handler_visitor.clone();
        if let ClientFrame::Typing { .. } = frame {
            // A visitor who never wrote has no conversation an agent could be looking at.
            if let Some(customer) = visitor.customer().filter(|_| typing.admit()) {
                state.hub.customer_typing(visitor.shop, customer);
            }
            return Box::pin(async { None });
        }
        Box::pin(async move { Some(handle(&state, &visitor, frame).await) })
    })
    .await;
    state.hub.close_widget(visitor.customer(), conn_id);
}

async fn handle(state: &AppState, visitor: &Visitor, frame: ClientFrame) -> Utf8Bytes {
    let shop = visitor.shop;
    let (content, client_id, prechat) = match frame {
        ClientFrame::Send { content, client_id, prechat, .. } => (content, client_id, prechat),
        // Rating and feedback need something the visitor wrote before: without a customer
        // they fail as they would for a customer with nothing to rate.
        ClientFrame::Rate { stars, comment, client_id } => return rate(state, shop, visitor.customer(), stars, comment, client_id).await,
        ClientFrame::Feedback { message_id, helpful } => return feedback(state, shop, visitor.customer(), &message_id, helpful).await,
        _ => return frames::encode(&ServerFrame::Pong),
    };
    let cid = client_id.as_deref();
    // Refuse what can never be stored before a customer is created for it.
    if let Err(e) = kefu_core::message::validate_input(&content, cid) {
        return frames::core_error(&e, cid);
    }
    // A new visitor answers the shop's pre-chat form with their first message.
    let answers = match visitor.customer() {
        Some(_) => None,
        None => match prechat_answers(state, shop, prechat.unwrap_or_default()).await {
            Ok(a) => a,
            Err(refusal) => return refusal.frame(cid, visitor.language.lang),
        },
    };
    let customer = match visitor.customer_or_create(state).await {
        Ok(c) => c,
        Err(e) => return frames::core_error(&e, cid),
    };
    if let Some(answers) = answers {
        if let Err(e) = keep_prechat(state, shop, customer, &answers).await {
            return frames::core_error(&e, cid);
        }
    }
    if let Err(e) = crate::security::limits::admit_customer_message(state, shop, customer).await {
        return frames::api_error(&e, cid);
    }
    match state.inbox.customer_message_in(shop, customer, Channel::Widget, &content, cid, visitor.language.browser).await {
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

/// A pre-chat form that cannot be kept: each problem at its field.
struct PrechatRefusal(Vec<kefu_core::prechat::Problem>);

impl PrechatRefusal {
    /// The refusal in the visitor's language: the first problem in the message, each at its
    /// field in `details` (`[{field, message}]`).
    fn frame(&self, cid: Option<&str>, lang: Lang) -> Utf8Bytes {
        let message = kefu_i18n::Message::new("customer-prechat-refused").arg("problem", self.0[0].message(lang)).render(lang);
        let details: Vec<serde_json::Value> = self.0.iter().map(|p| serde_json::json!({ "field": p.field, "message": p.message(lang) })).collect();
        frames::encode(&ServerFrame::Error { code: "invalid_prechat", message: &message, client_id: cid, details: Some(serde_json::Value::Array(details)) })
    }
}

/// The answers to keep for a new visitor (none when the shop asks nothing).
async fn prechat_answers(state: &AppState, shop: ShopId, given: kefu_core::prechat::Answers) -> Result<Option<kefu_core::prechat::Answers>, PrechatRefusal> {
    let look = crate::api::shop::preferences(state, shop).await.widget;
    if look.prechat_fields.is_empty() {
        return Ok(None);
    }
    kefu_core::prechat::check(&look.prechat_fields, &look.prechat_required, &given).map(Some).map_err(PrechatRefusal)
}

/// Keep the answers on the customer: the name as their name (sealed like every customer
/// name), the rest as their sealed pre-chat document.
async fn keep_prechat(state: &AppState, shop: ShopId, customer: CustomerId, answers: &kefu_core::prechat::Answers) -> Result<(), kefu_core::CoreError> {
    let mut cs = kefu_core::store::ChangeSet::default();
    if let Some(name) = &answers.name {
        cs.push(kefu_core::store::Change::SetCustomerName { shop_id: shop, customer_id: customer, name: name.clone() });
    }
    let doc = serde_json::to_string(answers).map_err(|e| kefu_core::CoreError::Invalid(crate::error::verbatim(e.to_string())))?;
    cs.push(kefu_core::store::Change::PutCustomerPrechat { shop_id: shop, customer_id: customer, doc, at: state.inbox.now() });
    state.inbox.store().apply(cs).await?;
    Ok(())
}

async fn feedback(state: &AppState, shop: ShopId, customer: Option<CustomerId>, message_id: &str, helpful: bool) -> Utf8Bytes {
    let (Ok(id), Some(customer)) = (message_id.parse(), customer) else { return frames::core_error(&kefu_core::CoreError::NotFound("bot message"), None) };
    match state.inbox.bot_feedback(shop, customer, id, helpful).await {
        Ok(counted) => frames::encode(&ServerFrame::FeedbackRecorded { message_id, counted }),
        Err(e) => frames::core_error(&e, None),
    }
}

async fn rate(state: &AppState, shop: ShopId, customer: Option<CustomerId>, stars: u8, comment: Option<String>, client_id: Option<String>) -> Utf8Bytes {
    let cid = client_id.as_deref();
    let Some(customer) = customer else {
        return frames::core_error(&kefu_core::CoreError::Conflict(crate::error::msg("error-rating-nothing")), cid);
    };
    if let Err(e) = crate::security::limits::admit_customer_message(state, shop, customer).await {
        return frames::api_error(&e, cid);
    }
    match state.inbox.rate(shop, customer, stars, comment.as_deref()).await {
        Ok(d) => frames::encode(&ServerFrame::Ack { client_id: cid, message: &d.message, duplicate: false }),
        Err(e) => frames::core_error(&e, cid),
    }
}
