//! The bot in the message path: each shop's trained brain (cached, retrained in the
//! background and swapped whole), one bot turn per customer message of a conversation the bot
//! holds, replies rendered with live data, hand-off with a context card, customer feedback.

use kefu_i18n::Message as Msg;
use super::Inbox;
use crate::bot::context::{self, ContextCard};
use crate::bot::template::{self, Vars};
use crate::bot::{Brain, DialogueState, HandoffReason, KbVersion, KnowledgeBase, Reply, Turn};
use crate::bus::Notice;
use crate::clock::Millis;
use crate::conversation::Conversation;
use crate::customer::Customer;
use crate::error::CoreError;
use crate::event::EventKind;
use crate::ids::{ConversationId, CustomerId, MessageId, ShopId, UserId};
use crate::message::{Message, SenderKind};
use crate::store::{Change, ChangeSet, Store};
use serde::Serialize;
use std::sync::Arc;

/// The shop setting the platform's live-session figures are kept under.
pub const LIVE_SESSION_KEY: &str = "live_session";
/// Products the gazetteer learns (the catalogue's first, by SKU).
const GAZETTEER_PRODUCTS: u32 = 5_000;

/// Where a shop's model training stands (shown in the admin page).
#[derive(Clone, Debug, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainingStatus {
    /// `idle`, `training` or `ready`.
    pub state: &'static str,
    /// The knowledge-base version answering now.
    pub serving_version: i64,
    /// The version being trained, while training.
    pub training_version: Option<i64>,
    /// FAQs and flows in the serving brain.
    pub faqs: usize,
    /// Flows in the serving brain.
    pub flows: usize,
    /// How long the last training took (ms).
    pub last_took_ms: Option<u64>,
    /// When the last training finished.
    pub last_finished_at: Option<Millis>,
}

/// What the bot did with one customer message, for the inbox to store.
pub(super) struct BotTurn {
    /// Replies, rendered, in order: text, the FAQ answered, quick-reply options.
    pub replies: Vec<(String, Option<String>, Vec<String>)>,
    /// Events of the decision.
    pub events: Vec<EventKind>,
    /// Hand over after the replies.
    pub handoff: Option<HandoffReason>,
    /// The dialogue state to store.
    pub state: DialogueState,
    /// kefu-nlp's reading of the message (with the shop's models), reused by routing on a
    /// hand-off and for the conversation's hotspot category.
    pub analysis: kefu_nlp::engine::Analysis,
}

impl<S: Store> Inbox<S> {
    /// The brain answering for a shop (trained from the newest knowledge base on first use).
    pub async fn brain(&self, shop: ShopId) -> Arc<Brain> {
        if let Some(b) = self.brains().get(&shop) {
            return b.clone();
        }
        let brain = match self.train_latest(shop).await {
            Ok(b) => Arc::new(b),
            Err(e) => {
                tracing::warn!(error = %e, "loading the knowledge base failed; the bot stays silent for now");
                return Arc::new(Brain::empty());
            }
        };
        self.brains().entry(shop).or_insert(brain).clone()
    }

    async fn train_latest(&self, shop: ShopId) -> Result<Brain, CoreError> {
        let latest = self.store.kb_latest(shop).await?;
        let products = self.store.product_names(shop, GAZETTEER_PRODUCTS).await?;
        let (version, kb) = match latest {
            Some(v) => (v.version, serde_json::from_str::<KnowledgeBase>(&v.doc).map_err(|e| CoreError::Invalid(crate::error::msg("error-kb-stored").arg("reason", e.to_string())))?),
            None => (0, KnowledgeBase { enabled: false, ..KnowledgeBase::default() }),
        };
        // Training is CPU work (milliseconds to seconds): keep it off the async workers.
        tokio::task::spawn_blocking(move || Brain::train(version, kb, &products)).await.map_err(|e| CoreError::Invalid(crate::error::msg("error-kb-training").arg("reason", e.to_string())))
    }

    /// Retrain a shop's bot in the background and swap it in when done; answering never
    /// pauses (the old brain serves until then).
    pub fn retrain(self: &Arc<Self>, shop: ShopId) {
        self.training_of(shop, |t| {
            t.state = "training";
        });
        let inbox = self.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            match inbox.train_latest(shop).await {
                Ok(brain) => {
                    let version = brain.version;
                    let (faqs, flows) = (brain.kb.faqs.len(), brain.kb.flows.len());
                    {
                        let mut brains = inbox.brains();
                        // A slower, older training never replaces a newer one.
                        if brains.get(&shop).is_none_or(|b| b.version <= version) {
                            brains.insert(shop, Arc::new(brain));
                        }
                    }
                    let now = inbox.clock.now();
                    inbox.training_of(shop, |t| {
                        t.state = "ready";
                        t.serving_version = t.serving_version.max(version);
                        t.training_version = None;
                        t.faqs = faqs;
                        t.flows = flows;
                        t.last_took_ms = Some(started.elapsed().as_millis() as u64);
                        t.last_finished_at = Some(now);
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "retraining the bot failed; the previous version keeps answering");
                    inbox.training_of(shop, |t| t.state = "ready");
                }
            }
        });
    }

    /// Where training stands for a shop.
    pub fn training_status(&self, shop: ShopId) -> TrainingStatus {
        let mut t = self.training_of(shop, |t| t.clone());
        if let Some(b) = self.brains().get(&shop) {
            t.serving_version = b.version;
            t.faqs = b.kb.faqs.len();
            t.flows = b.kb.flows.len();
        }
        t
    }

    fn training_of<R>(&self, shop: ShopId, f: impl FnOnce(&mut TrainingStatus) -> R) -> R {
        let mut all = self.training.lock().unwrap_or_else(|p| p.into_inner());
        let t = all.entry(shop).or_insert_with(|| TrainingStatus { state: "idle", ..TrainingStatus::default() });
        f(t)
    }

    fn brains(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<ShopId, Arc<Brain>>> {
        self.brains.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The newest knowledge base of a shop and its version (0 and an empty base when none).
    pub async fn knowledge_base(&self, shop: ShopId) -> Result<(i64, KnowledgeBase), CoreError> {
        match self.store.kb_latest(shop).await? {
            Some(v) => Ok((v.version, serde_json::from_str(&v.doc).map_err(|e| CoreError::Invalid(crate::error::msg("error-kb-stored").arg("reason", e.to_string())))?)),
            None => Ok((0, KnowledgeBase::default())),
        }
    }

    /// Save a (validated) knowledge base as a new version on top of `base` (the version the
    /// editor started from; a newer save meanwhile is a conflict), then retrain.
    pub async fn save_knowledge_base(self: &Arc<Self>, shop: ShopId, kb: &KnowledgeBase, base: Option<i64>, author: Option<UserId>, note: &str) -> Result<i64, CoreError> {
        let _guard = self.kb_lock.lock().await;
        let latest = self.store.kb_latest(shop).await?.map_or(0, |v| v.version);
        if base.is_some_and(|b| b != latest) {
            return Err(CoreError::Conflict(crate::error::msg("error-kb-changed").arg("version", latest)));
        }
        let doc = serde_json::to_string(kb).map_err(|e| CoreError::Invalid(crate::error::verbatim(e.to_string())))?;
        let version = KbVersion { shop_id: shop, version: latest + 1, doc, author, note: note.chars().take(200).collect(), created_at: self.clock.now() };
        let mut cs = ChangeSet::default();
        cs.push(Change::PutKbVersion(version));
        self.store.apply(cs).await?;
        self.training_of(shop, |t| t.training_version = Some(latest + 1));
        self.retrain(shop);
        Ok(latest + 1)
    }

    /// Save an older version again as the newest (rollback).
    pub async fn roll_back_knowledge_base(self: &Arc<Self>, shop: ShopId, to: i64, author: UserId) -> Result<i64, CoreError> {
        let old = self.store.kb_version(shop, to).await?.ok_or(CoreError::NotFound("knowledge base version"))?;
        let kb: KnowledgeBase = serde_json::from_str(&old.doc).map_err(|e| CoreError::Invalid(crate::error::msg("error-kb-stored").arg("reason", e.to_string())))?;
        self.save_knowledge_base(shop, &kb, None, Some(author), &format!("rollback to {to}")).await
    }

    /// One bot turn for a conversation the bot holds: analyse with the shop's models, decide,
    /// render replies with live data.
    pub(super) async fn bot_turn(&self, brain: &Brain, conversation: &Conversation, text: &str, now: Millis) -> Result<BotTurn, CoreError> {
        let mut state = self.dialogue_state(conversation).await?;
        let normalised = kefu_nlp::normalise::normalise(text);
        let analysis = kefu_nlp::engine::analyze_with(&kefu_nlp::engine::default_models(), Some(&brain.models), text);
        let customer = conversation.customer_id.to_string();
        let outcome = crate::bot::respond(brain, &mut state, &Turn { text, normalised: &normalised, analysis: &analysis, now, customer: &customer });
        let lang = kefu_i18n::Lang::parse(state.speaking(brain)).unwrap_or_default();
        let mut replies = Vec::with_capacity(outcome.replies.len());
        for r in &outcome.replies {
            replies.push((self.render(conversation.shop_id, brain, r, lang).await, r.faq_id.clone(), r.options.clone()));
        }
        Ok(BotTurn { replies, events: outcome.events, handoff: outcome.handoff, state, analysis })
    }

    async fn dialogue_state(&self, conversation: &Conversation) -> Result<DialogueState, CoreError> {
        Ok(match self.store.bot_state(conversation.shop_id, conversation.id).await? {
            // A state from an older kefu that no longer parses starts afresh.
            Some(doc) => serde_json::from_str(&doc).unwrap_or_default(),
            None => DialogueState::default(),
        })
    }

    /// A reply's text with live data filled in and the FAQ's extras (image, product card,
    /// link, coupon) as lines every channel can show, labelled in `lang`.
    async fn render(&self, shop: ShopId, brain: &Brain, reply: &Reply, lang: kefu_i18n::Lang) -> String {
        let mut vars: Vars = reply.vars.clone();
        let uses = |name: &str| reply.template.contains(name) || reply.fallback.as_deref().is_some_and(|f| f.contains(name));
        let product = match &reply.sku {
            Some(sku) => self.store.product_by_sku(shop, sku).await.ok().flatten(),
            None => None,
        };
        if let Some(p) = &product {
            vars.entry("product".into()).or_insert_with(|| p.name.clone());
            vars.insert("price".into(), yuan(p.price_cents));
            vars.insert("sku".into(), p.sku.clone());
            if let Some(stock) = stock_for(p, &reply.vars) {
                vars.insert("stock".into(), stock.to_string());
            }
            for topic in crate::bot::facts::TOPICS {
                if let Some(v) = topic.value(&p.attributes) {
                    vars.insert(format!("fact.{}", topic.name), v.clone());
                }
            }
        }
        if uses("live.") {
            if let Ok(Some(doc)) = self.store.setting(shop, LIVE_SESSION_KEY).await {
                if let Ok(serde_json::Value::Object(live)) = serde_json::from_str::<serde_json::Value>(&doc) {
                    for (k, v) in live {
                        let v = match v {
                            serde_json::Value::String(s) => s,
                            serde_json::Value::Number(n) => n.to_string(),
                            _ => continue,
                        };
                        vars.insert(format!("live.{k}"), v);
                    }
                }
            }
        }
        let mut text = template::render_or(&reply.template, reply.fallback.as_deref(), &vars).unwrap_or_else(|| kefu_i18n::render(lang, "customer-bot-no-data"));
        if let Some(faq) = reply.faq_id.as_deref().and_then(|id| brain.kb.faq(id)) {
            if let Some(url) = &faq.image_url {
                text.push_str(&format!("\n{}", Msg::new("customer-extra-image").arg("url", url).render(lang)));
            }
            if let (Some(p), Some(_)) = (&product, &faq.product_sku) {
                text.push_str(&format!("\n{}", Msg::new("customer-extra-product").arg("name", &p.name).arg("price", yuan(p.price_cents)).render(lang)));
            }
            if let (Some(title), Some(url)) = (&faq.link_title, &faq.link_url) {
                text.push_str(&format!("\n{}", Msg::new("customer-extra-link").arg("title", title).arg("url", url).render(lang)));
            }
            if let Some(c) = &faq.coupon {
                text.push_str(&format!("\n{}", Msg::new("customer-extra-coupon").arg("code", c).render(lang)));
            }
        }
        text
    }

    /// Whether a customer counts as VIP now (RFM over paid orders, or the VIP tag).
    pub(super) async fn is_vip(&self, customer: &Customer) -> bool {
        self.rfm_of(customer).await.vip
    }

    /// The context card of a conversation: what the bot saw, why it handed over, who the
    /// customer is and what they bought.
    pub async fn context_card(&self, shop: ShopId, conversation: ConversationId) -> Result<ContextCard, CoreError> {
        let c = self.load_conversation(shop, conversation).await?;
        let customer = self.store.customer(shop, c.customer_id).await?.ok_or(CoreError::NotFound("customer"))?;
        let state = self.dialogue_state(&c).await?;
        let transcript = self.store.messages_of_conversation(shop, c.id, 0, 500).await?;
        let orders = self.store.orders_of_customer(shop, c.customer_id, 5).await?;
        let rfm = self.rfm_of(&customer).await;
        let brain = self.brain(shop).await;
        Ok(context::card(c.id, &state, &brain.kb, &customer, &rfm, &transcript, &orders))
    }

    /// Tell the agents about a hand-off, with the card (after the hand-off is stored).
    pub(super) async fn announce_handoff(&self, shop: ShopId, conversation: &Conversation) {
        match self.context_card(shop, conversation.id).await {
            Ok(card) => self.publish_notices(shop, vec![Notice::HandedOff { conversation_id: conversation.id, agent_id: conversation.agent_id, card: Arc::new(card) }]),
            Err(e) => tracing::warn!(error = %e, "building the context card failed"),
        }
    }

    /// The customer rates a bot answer (thumbs up or down). Returns whether it counted: a
    /// thumb on a bot message that answered no FAQ (a fallback, a flow question) is ignored.
    pub async fn bot_feedback(&self, shop: ShopId, customer: CustomerId, message: MessageId, helpful: bool) -> Result<bool, CoreError> {
        let m = self.store.message(shop, message).await?.filter(|m| m.customer_id == customer && m.sender_kind == SenderKind::Bot).ok_or(CoreError::NotFound("bot message"))?;
        let c = self.load_conversation(shop, m.conversation_id).await?;
        let state = self.dialogue_state(&c).await?;
        let id = m.id.to_string();
        let Some(faq_id) = state.answers.iter().find(|(mid, _)| *mid == id).map(|(_, f)| f.clone()) else { return Ok(false) };
        let mut cs = ChangeSet::default();
        cs.events.push(crate::event::Event::conversation(shop, c.id, customer, self.clock.now(), EventKind::BotFeedback { faq_id, helpful }));
        self.commit(shop, cs, None, None).await?;
        Ok(true)
    }
}

/// A bot message (sender kind bot) of a conversation.
pub(super) fn bot_message(conversation: &Conversation, seq: i64, text: String, now: Millis) -> Message {
    Message {
        id: MessageId::new(),
        shop_id: conversation.shop_id,
        conversation_id: conversation.id,
        customer_id: conversation.customer_id,
        seq,
        direction: SenderKind::Bot.direction(),
        sender_kind: SenderKind::Bot,
        sender_id: None,
        channel: conversation.channel,
        content: text,
        client_id: None,
        created_at: now,
    }
}

fn yuan(cents: i64) -> String {
    format!("¥{}.{:02}", cents / 100, cents % 100)
}

/// Units in stock of the variant the slots describe (every slot value the variant's
/// attributes mention must match), or of the whole product when no slot names a variant.
fn stock_for(p: &crate::orders::Product, slots: &Vars) -> Option<i64> {
    let wanted: Vec<&String> = slots.iter().filter(|(k, _)| matches!(k.as_str(), "size" | "colour" | "color")).map(|(_, v)| v).collect();
    if wanted.is_empty() {
        return Some(p.total_stock());
    }
    let fits = |v: &crate::orders::VariantStock| wanted.iter().all(|w| v.attributes.values().any(|a| a.eq_ignore_ascii_case(w)));
    let matching: Vec<i64> = p.stock.iter().filter(|v| fits(v)).map(|v| v.qty.max(0)).collect();
    (!matching.is_empty()).then(|| matching.iter().sum())
}
