//! The routing glue: the shop's routing configuration, the facts a rule needs, dispatching
//! the queues, offers, transfers, and the once-a-second tick (offer expiry, overflow, queue
//! positions).

use super::{Actor, Inbox};
use crate::bus::Notice;
use crate::clock::Millis;
use crate::conversation::{state, Conversation, Status};
use crate::customer::{Channel, Customer};
use crate::error::CoreError;
use crate::event::{Event, EventKind};
use crate::ids::{ConversationId, ShopId, UserId};
use crate::routing::{self, Facts, Purchase, Route, RoutingConfig, Waiting, SETTING_KEY};
use crate::store::{Change, ChangeSet, Store, StoreError};
use std::sync::Arc;

/// The tag that makes a customer VIP whatever their orders say.
pub const VIP_TAG: &str = "VIP";

/// Where a transfer goes.
#[derive(Clone, Debug)]
pub enum TransferTarget {
    /// To one agent.
    Agent(UserId),
    /// To a team's queue.
    Team(String),
}

impl<S: Store> Inbox<S> {
    /// The shop's routing configuration, loaded once and applied to the shop's desk. A
    /// configuration that cannot be read leaves the default (every agent, no rules).
    pub async fn ready(&self, shop: ShopId) -> Arc<RoutingConfig> {
        if let Some(c) = self.configs().get(&shop) {
            return c.clone();
        }
        let config = match self.store.setting(shop, SETTING_KEY).await {
            Ok(Some(doc)) => serde_json::from_str(&doc).unwrap_or_else(|e| {
                tracing::error!(error = %e, %shop, "the stored routing configuration does not parse; using the default");
                RoutingConfig::default()
            }),
            Ok(None) => RoutingConfig::default(),
            Err(e) => {
                tracing::error!(error = %e, %shop, "loading the routing configuration failed; using the default for now");
                return Arc::new(RoutingConfig::default());
            }
        };
        let config = Arc::new(config);
        let mut configs = self.configs();
        let config = configs.entry(shop).or_insert(config).clone();
        drop(configs);
        self.with_desk(shop, |d| d.configure(&config));
        config
    }

    /// Store a validated routing configuration and apply it at once.
    pub async fn put_routing_config(&self, shop: ShopId, config: RoutingConfig) -> Result<(), CoreError> {
        self.put_routing_config_with(shop, config, Vec::new()).await
    }

    /// Store a validated routing configuration together with `extra` changes in the same
    /// commit (its kept version, an audit entry), and apply it at once.
    pub async fn put_routing_config_with(&self, shop: ShopId, config: RoutingConfig, extra: Vec<Change>) -> Result<(), CoreError> {
        let doc = serde_json::to_string(&config).map_err(|e| CoreError::Invalid(crate::error::verbatim(e.to_string())))?;
        let mut cs = ChangeSet::default();
        cs.push(Change::PutSetting { shop_id: shop, key: SETTING_KEY.into(), doc, at: self.clock.now() });
        for change in extra {
            cs.push(change);
        }
        self.store.apply(cs).await?;
        let config = Arc::new(config);
        self.configs().insert(shop, config.clone());
        self.with_desk(shop, |d| d.configure(&config));
        self.dispatch(shop).await;
        Ok(())
    }

    /// Route a conversation that needs a person: team, priority, language and VIP, from the
    /// message's text and its analysis (done once by the caller).
    pub(super) async fn route_arrival(&self, customer: &Customer, channel: Channel, text: &str, analysis: &kefu_nlp::engine::Analysis, now: Millis) -> (Route, Option<String>) {
        let config = self.ready(customer.shop_id).await;
        // With VIP by orders off, the verdict cannot depend on them: skip the read.
        let purchases = if config.vip.enabled { self.purchases(customer).await } else { Vec::new() };
        let rfm = routing::rfm(&purchases, &config.vip, now);
        let language = serde_plain(&analysis.language);
        let facts = Facts {
            channel: Some(channel),
            text: kefu_nlp::normalise::normalise(text),
            intent: analysis.intent.as_ref().and_then(|p| p.label.clone()),
            hotspots: [analysis.l1.clone(), analysis.l2.clone()],
            tags: customer.tags.clone(),
            vip: rfm.vip || tagged_vip(customer),
            sentiment: serde_plain(&analysis.sentiment),
            strong_emotion: analysis.strong_emotion,
            language: language.clone(),
        };
        let route = routing::route(&config, &facts, now);
        (route, (language != "other").then_some(language))
    }

    /// A customer's RFM figures and VIP verdict under the shop's policy (for the context card).
    pub async fn rfm_of(&self, customer: &Customer) -> routing::Rfm {
        let config = self.ready(customer.shop_id).await;
        let mut rfm = routing::rfm(&self.purchases(customer).await, &config.vip, self.clock.now());
        if tagged_vip(customer) {
            rfm.vip = true;
            rfm.tier = "vip";
        }
        rfm
    }

    /// A customer's paid, not refunded or cancelled orders for RFM (the last 200). A failed
    /// read routes them as a non-VIP rather than failing their message.
    async fn purchases(&self, customer: &Customer) -> Vec<Purchase> {
        use crate::orders::OrderStatus;
        match self.store.orders_of_customer(customer.shop_id, customer.id, 200).await {
            Ok(orders) => orders
                .into_iter()
                .filter(|o| !matches!(o.status, OrderStatus::Created | OrderStatus::Refunded | OrderStatus::Cancelled))
                .map(|o| Purchase { at: o.paid_at.unwrap_or(o.created_at), amount_cents: o.amount_cents })
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, "reading orders for RFM failed; routing as not VIP");
                Vec::new()
            }
        }
    }

    /// Hand waiting conversations to free agents until one of the two runs out.
    pub async fn dispatch(&self, shop: ShopId) {
        self.ready(shop).await;
        loop {
            let now = self.clock.now();
            let decision = self.with_desk(shop, |d| d.next_decision(now).and_then(|(c, a)| d.apply(c, a, now)));
            let Some(decision) = decision else { break };
            if let Some(expires_at) = decision.expires {
                let notice = Notice::Offer { conversation_id: decision.waiting.conversation_id, agent_id: decision.agent, expires_at };
                self.publish_notices(shop, vec![notice]);
                continue;
            }
            match self.assign_waiting(shop, &decision.waiting, decision.agent).await {
                Ok(true) => {}
                Ok(false) => self.with_desk(shop, |d| d.release(decision.agent)),
                Err(e) => {
                    tracing::warn!(error = %e, "assigning a queued conversation failed; it stays queued");
                    self.with_desk(shop, |d| {
                        d.release(decision.agent);
                        d.enqueue(decision.waiting);
                    });
                    break;
                }
            }
        }
        self.publish_positions(shop);
    }

    /// Tell waiting customers whose place changed.
    fn publish_positions(&self, shop: ShopId) {
        let updates = self.with_desk(shop, |d| d.position_updates());
        let notices = updates
            .into_iter()
            .map(|(customer_id, conversation_id, position, expected_wait_secs)| Notice::QueuePosition { customer_id, conversation_id, position, expected_wait_secs })
            .collect();
        self.publish_notices(shop, notices);
    }

    /// Assign one conversation taken from the queue; false if it no longer waits.
    pub(super) async fn assign_waiting(&self, shop: ShopId, waiting: &Waiting, agent: UserId) -> Result<bool, CoreError> {
        let _guard = self.lock_customer(waiting.customer_id).await;
        let Some(mut conversation) = self.store.conversation(shop, waiting.conversation_id).await? else {
            return Ok(false);
        };
        if conversation.status != Status::Queued {
            return Ok(false);
        }
        let event = state::assign(&mut conversation, agent, None, self.clock.now())?;
        self.commit(shop, status_change(&conversation, vec![event]), Some(conversation), None).await?;
        Ok(true)
    }

    /// Once a second: lapse unanswered offers, let overflow happen, update queue places.
    pub async fn tick(&self, shop: ShopId) {
        let now = self.clock.now();
        let lapsed = self.with_desk(shop, |d| d.expire_offers(now, None));
        self.withdraw(shop, lapsed);
        self.dispatch(shop).await;
    }

    fn withdraw(&self, shop: ShopId, lapsed: Vec<(ConversationId, UserId)>) {
        let notices = lapsed.into_iter().map(|(conversation_id, agent_id)| Notice::OfferWithdrawn { conversation_id, agent_id }).collect();
        self.publish_notices(shop, notices);
    }

    /// Read the shop's desk (queues, seats) for views; loads the configuration first.
    pub async fn view_desk<R>(&self, shop: ShopId, f: impl FnOnce(&crate::routing::Desk) -> R) -> R {
        self.ready(shop).await;
        self.with_desk(shop, |d| f(d))
    }

    /// The shops with a desk in this process (for the tick).
    pub fn active_shops(&self) -> Vec<ShopId> {
        self.desks().keys().copied().collect()
    }

    /// The agent accepts the conversation offered to them.
    pub async fn accept_offer(&self, actor: Actor, id: ConversationId) -> Result<Conversation, CoreError> {
        self.load_conversation(actor.shop_id, id).await?;
        let now = self.clock.now();
        let waiting = self
            .with_desk(actor.shop_id, |d| d.accept(id, actor.user_id, now))
            .ok_or_else(|| CoreError::Conflict(crate::error::msg("error-offer-none")))?;
        match self.assign_waiting(actor.shop_id, &waiting, actor.user_id).await {
            Ok(true) => self.load_conversation(actor.shop_id, id).await,
            Ok(false) => {
                self.with_desk(actor.shop_id, |d| d.release(actor.user_id));
                Err(CoreError::Conflict(crate::error::msg("error-offer-gone")))
            }
            Err(e) => {
                self.with_desk(actor.shop_id, |d| d.undo_accept(waiting, actor.user_id));
                Err(e)
            }
        }
    }

    /// The agent declines an offer; it goes to someone else.
    pub async fn decline_offer(&self, actor: Actor, id: ConversationId) -> Result<(), CoreError> {
        self.load_conversation(actor.shop_id, id).await?;
        let now = self.clock.now();
        let lapsed = self.with_desk(actor.shop_id, |d| d.expire_offers(now, Some((id, actor.user_id))));
        if lapsed.is_empty() {
            return Err(CoreError::Conflict(crate::error::msg("error-offer-none")));
        }
        self.withdraw(actor.shop_id, lapsed);
        self.dispatch(actor.shop_id).await;
        Ok(())
    }

    /// Move a conversation to another agent or a team's queue, with a note for the next
    /// agent. Its agent may do this, and supervisors and above.
    pub async fn transfer(&self, actor: Actor, id: ConversationId, target: TransferTarget, note: Option<String>) -> Result<Conversation, CoreError> {
        let config = self.ready(actor.shop_id).await;
        match &target {
            TransferTarget::Agent(agent) => {
                self.store.user(actor.shop_id, *agent).await?.ok_or(CoreError::NotFound("agent"))?;
            }
            TransferTarget::Team(team) if config.team(team).is_none() => return Err(CoreError::NotFound("team")),
            TransferTarget::Team(_) => {}
        }
        let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        if note.as_ref().is_some_and(|n| n.chars().count() > 500) {
            return Err(CoreError::Invalid(crate::error::msg("error-transfer-note")));
        }
        let probe = self.load_conversation(actor.shop_id, id).await?;
        let guard = self.lock_customer(probe.customer_id).await;
        let mut conversation = self.load_conversation(actor.shop_id, id).await?;
        let holder = conversation.agent_id.filter(|_| conversation.status == Status::Assigned);
        if holder != Some(actor.user_id) && !actor.role.oversees_all() {
            return Err(CoreError::Forbidden(crate::error::msg("error-transfer-forbidden")));
        }
        let now = self.clock.now();
        let (to_agent, to_team) = match &target {
            TransferTarget::Agent(a) => (Some(*a), None),
            TransferTarget::Team(t) => (None, Some(t.clone())),
        };
        let moved = Event::conversation(actor.shop_id, id, conversation.customer_id, now, EventKind::ConversationTransferred { from: holder, to_agent, to_team: to_team.clone(), by: actor.user_id });
        let mut events = vec![moved];
        match &target {
            TransferTarget::Agent(agent) => events.push(state::assign(&mut conversation, *agent, Some(actor.user_id), now)?),
            TransferTarget::Team(team) => {
                state::requeue(&mut conversation, Some(team.clone()), now)?;
                events.push(state::queue(&mut conversation, now));
            }
        }
        // The note stays in the dialogue as an internal note, where the next agent reads it.
        let mut cs = status_change(&conversation, events);
        let note_message = match &note {
            Some(n) => Some(self.transfer_note(&conversation, actor.user_id, n, &mut cs).await?),
            None => None,
        };
        self.commit(actor.shop_id, cs, Some(conversation.clone()), note_message).await?;
        self.with_desk(actor.shop_id, |d| {
            d.remove(id);
            if let Some(h) = holder {
                d.release(h);
            }
            match &target {
                TransferTarget::Agent(agent) => d.add_load(*agent, Some(conversation.customer_id), now),
                TransferTarget::Team(team) => d.enqueue(Waiting {
                    conversation_id: id,
                    customer_id: conversation.customer_id,
                    team: Some(team.clone()),
                    priority: conversation.priority,
                    since: now,
                    language: None,
                    vip: false,
                }),
            }
        });
        drop(guard);
        self.publish_notices(actor.shop_id, vec![Notice::Transferred { conversation_id: id, by: actor.user_id, to_agent, to_team, note }]);
        self.dispatch(actor.shop_id).await;
        Ok(conversation)
    }

    /// End a conversation for good: its agent, or a supervisor and above.
    pub async fn close(&self, actor: Actor, id: ConversationId) -> Result<Conversation, CoreError> {
        let probe = self.load_conversation(actor.shop_id, id).await?;
        let guard = self.lock_customer(probe.customer_id).await;
        let mut conversation = self.load_conversation(actor.shop_id, id).await?;
        let holder = conversation.agent_id.filter(|_| conversation.status == Status::Assigned);
        // The agent who last had it may end it after resolving, too.
        if conversation.agent_id != Some(actor.user_id) && !actor.role.oversees_all() {
            return Err(CoreError::Forbidden(crate::error::msg("error-end-forbidden")));
        }
        let event = state::close(&mut conversation, Some(actor.user_id), "agent", self.clock.now())?;
        self.commit(actor.shop_id, status_change(&conversation, vec![event]), Some(conversation.clone()), None).await?;
        self.with_desk(actor.shop_id, |d| {
            d.remove(id);
            if let Some(h) = holder {
                d.release(h);
            }
        });
        drop(guard);
        self.dispatch(actor.shop_id).await;
        Ok(conversation)
    }

    /// Close conversations of `shop` that went quiet: resolved ones, and assigned ones whose
    /// last word was the shop's, after the shop's inactivity limit. Returns how many.
    pub async fn close_inactive(&self, shop: ShopId) -> Result<usize, CoreError> {
        let config = self.ready(shop).await;
        let limit = i64::from(config.timings.auto_close_after_mins) * 60_000;
        if limit == 0 {
            return Ok(0);
        }
        let now = self.clock.now();
        let filter = crate::store::ConversationFilter { statuses: vec![Status::Resolved, Status::Assigned, Status::Bot], agent_id: None, limit: 500 };
        let mut closed = 0;
        for c in self.store.conversations(shop, &filter).await? {
            if c.last_message_at.unwrap_or(c.updated_at).max(c.updated_at) > now - limit {
                continue;
            }
            if c.status == Status::Assigned && !self.last_word_is_ours(shop, &c).await? {
                continue; // the customer is waiting for an answer: never close on them
            }
            let _guard = self.lock_customer(c.customer_id).await;
            let Some(mut fresh) = self.store.conversation(shop, c.id).await? else { continue };
            if fresh.updated_at != c.updated_at {
                continue; // something happened meanwhile
            }
            let holder = fresh.agent_id.filter(|_| fresh.status == Status::Assigned);
            // A quiet bot conversation was served by the bot alone: resolved, then closed.
            let mut events = Vec::new();
            if fresh.status == Status::Bot {
                events.push(state::resolve(&mut fresh, None, now)?);
            }
            events.push(state::close(&mut fresh, None, "inactivity", now)?);
            self.commit(shop, status_change(&fresh, events), Some(fresh.clone()), None).await?;
            if let Some(h) = holder {
                self.with_desk(shop, |d| d.release(h));
            }
            closed += 1;
        }
        if closed > 0 {
            self.dispatch(shop).await;
        }
        Ok(closed)
    }

    async fn last_word_is_ours(&self, shop: ShopId, c: &Conversation) -> Result<bool, StoreError> {
        let Some(id) = c.last_message_id else { return Ok(true) };
        Ok(self.store.message(shop, id).await?.is_none_or(|m| m.sender_kind != crate::message::SenderKind::Customer))
    }
}

/// The change set of a conversation status change: the new row and its events.
pub(super) fn status_change(conversation: &Conversation, events: Vec<Event>) -> ChangeSet {
    let mut cs = ChangeSet { events, ..Default::default() };
    cs.push(Change::PutConversation(conversation.clone()));
    cs
}

/// The customer carries the `VIP` tag (any case).
fn tagged_vip(customer: &Customer) -> bool {
    customer.tags.iter().any(|t| t.eq_ignore_ascii_case(VIP_TAG))
}

/// A unit enum's serde name (`zh`, `negative` …).
fn serde_plain<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}
