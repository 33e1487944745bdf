//! What agents do: reply, take or assign, resolve, come online.

use super::{Actor, Delivered, Inbox};
use crate::conversation::{state, Conversation, Status};
use crate::error::CoreError;
use crate::event::{Event, EventKind};
use crate::ids::{ConversationId, MessageId, ShopId, UserId};
use crate::message::{self, Message, SenderKind};
use crate::shop::{Presence, User};
use crate::bus::Committed;
use crate::store::{Change, Store};
use super::routing_side::status_change;

impl<S: Store> Inbox<S> {
    pub(super) async fn load_conversation(&self, shop: ShopId, id: ConversationId) -> Result<Conversation, CoreError> {
        self.store.conversation(shop, id).await?.ok_or(CoreError::NotFound("conversation"))
    }

    /// An agent (or supervisor) replies. Replying to a queued conversation takes it.
    pub async fn agent_message(
        &self,
        actor: Actor,
        conversation_id: ConversationId,
        text: &str,
        client_id: Option<&str>,
    ) -> Result<Delivered, CoreError> {
        let text = message::validate_input(text, client_id)?;
        let probe = self.load_conversation(actor.shop_id, conversation_id).await?;
        let _guard = self.lock_customer(probe.customer_id).await;
        let dedupe_key = client_id.map(|id| format!("a:{}:{id}", actor.user_id));
        if let Some(key) = &dedupe_key {
            if let Some(existing) = self.store.message_by_dedupe(actor.shop_id, key).await? {
                return self.replay(actor.shop_id, existing).await;
            }
        }
        let mut conversation = self.load_conversation(actor.shop_id, conversation_id).await?;
        let customer = self
            .store
            .customer(actor.shop_id, conversation.customer_id)
            .await?
            .ok_or(CoreError::NotFound("customer"))?;
        let now = self.clock.now();
        let mut events = Vec::new();
        let mut took = false;
        match conversation.status {
            Status::Resolved | Status::Closed => {
                return Err(CoreError::Conflict(crate::error::msg("error-conversation-reopens").arg("status", conversation.status.as_str())))
            }
            Status::Queued | Status::Bot => {
                events.push(state::assign(&mut conversation, actor.user_id, Some(actor.user_id), now)?);
                took = true;
            }
            Status::Assigned => {
                if conversation.agent_id != Some(actor.user_id) && !actor.role.oversees_all() {
                    return Err(CoreError::Forbidden(crate::error::msg("error-assigned-other")));
                }
            }
        }
        // A person's first reply in this conversation is preceded by the line that tells the
        // customer who serves them now.
        let joined = self.joined_line(actor.shop_id, &conversation, actor.user_id, customer.last_seq + 1, now).await?;
        let message = Message {
            id: MessageId::new(),
            shop_id: actor.shop_id,
            conversation_id,
            customer_id: customer.id,
            seq: customer.last_seq + 1 + i64::from(joined.is_some()),
            direction: SenderKind::Agent.direction(),
            sender_kind: SenderKind::Agent,
            sender_id: Some(actor.user_id),
            channel: conversation.channel,
            content: text.to_string(),
            client_id: client_id.map(str::to_string),
            created_at: now,
        };
        events.push(Event::conversation(
            actor.shop_id,
            conversation_id,
            customer.id,
            now,
            EventKind::MessageSent { message_id: message.id, sender_kind: SenderKind::Agent },
        ));
        let mut cs = super::record_message(&mut conversation, &message, dedupe_key, events);
        // Consumers see the line first, then the reply, each with its own events.
        let mut items = Vec::new();
        let mut line_event = None;
        if let Some((line, key)) = joined {
            let sent = Event::conversation(actor.shop_id, conversation_id, customer.id, now, EventKind::MessageSent { message_id: line.id, sender_kind: SenderKind::System });
            cs.push(Change::InsertMessage { message: line.clone(), dedupe_key: Some(key) });
            // The log reads: (taken,) joined line, reply.
            let at = cs.events.len().saturating_sub(1);
            cs.events.insert(at, sent.clone());
            line_event = Some(sent.id);
            items.push(Committed { shop_id: actor.shop_id, events: vec![sent], conversation: Some(conversation.clone()), message: Some(line), ticket: None, notices: Vec::new(), quick_replies: Vec::new() });
        }
        let own = cs.events.iter().filter(|e| Some(e.id) != line_event).cloned().collect();
        items.push(Committed { shop_id: actor.shop_id, events: own, conversation: Some(conversation.clone()), message: Some(message.clone()), ticket: None, notices: Vec::new(), quick_replies: Vec::new() });
        self.commit_items(cs, items).await?;
        if took {
            self.with_desk(actor.shop_id, |d| {
                d.remove(conversation_id);
                d.add_load(actor.user_id, Some(customer.id), now);
            });
        }
        Ok(Delivered { message, conversation, duplicate: false })
    }

    /// kefu tells the customer something in a conversation (ticket numbers, confirmations).
    /// Does not reopen or reassign the conversation.
    pub async fn system_message(&self, shop: ShopId, conversation_id: ConversationId, text: &str) -> Result<Delivered, CoreError> {
        let text = message::validate_text(text)?;
        let probe = self.load_conversation(shop, conversation_id).await?;
        let _guard = self.lock_customer(probe.customer_id).await;
        let mut conversation = self.load_conversation(shop, conversation_id).await?;
        let customer = self.store.customer(shop, conversation.customer_id).await?.ok_or(CoreError::NotFound("customer"))?;
        let now = self.clock.now();
        let message = Message {
            id: MessageId::new(),
            shop_id: shop,
            conversation_id,
            customer_id: customer.id,
            seq: customer.last_seq + 1,
            direction: SenderKind::System.direction(),
            sender_kind: SenderKind::System,
            sender_id: None,
            channel: conversation.channel,
            content: text.to_string(),
            client_id: None,
            created_at: now,
        };
        let event = Event::conversation(shop, conversation_id, customer.id, now, EventKind::MessageSent { message_id: message.id, sender_kind: SenderKind::System });
        let cs = super::record_message(&mut conversation, &message, None, vec![event]);
        self.commit(shop, cs, Some(conversation.clone()), Some(message.clone())).await?;
        Ok(Delivered { message, conversation, duplicate: false })
    }

    /// Assign a conversation: agents may take a waiting one for themselves; supervisors and
    /// above may give any open one to any agent of the shop.
    pub async fn assign(
        &self,
        actor: Actor,
        conversation_id: ConversationId,
        agent_id: Option<UserId>,
    ) -> Result<Conversation, CoreError> {
        let target = agent_id.unwrap_or(actor.user_id);
        if target != actor.user_id && !actor.role.oversees_all() {
            return Err(CoreError::Forbidden(crate::error::msg("error-take-self-only")));
        }
        self.store.user(actor.shop_id, target).await?.ok_or(CoreError::NotFound("agent"))?;
        let probe = self.load_conversation(actor.shop_id, conversation_id).await?;
        let _guard = self.lock_customer(probe.customer_id).await;
        let mut conversation = self.load_conversation(actor.shop_id, conversation_id).await?;
        let previous = conversation.agent_id.filter(|_| conversation.status == Status::Assigned);
        if previous == Some(target) {
            return Ok(conversation);
        }
        if previous.is_some() && !actor.role.oversees_all() {
            return Err(CoreError::Forbidden(crate::error::msg("error-assigned-other")));
        }
        let now = self.clock.now();
        let event = state::assign(&mut conversation, target, Some(actor.user_id), now)?;
        let cs = status_change(&conversation, vec![event]);
        self.commit(actor.shop_id, cs, Some(conversation.clone()), None).await?;
        self.with_desk(actor.shop_id, |d| {
            d.remove(conversation_id);
            if let Some(p) = previous {
                d.release(p);
            }
            d.add_load(target, Some(conversation.customer_id), now);
        });
        drop(_guard);
        if previous.is_some() {
            self.dispatch(actor.shop_id).await;
        }
        Ok(conversation)
    }

    /// Resolve a conversation: its agent, or a supervisor and above.
    pub async fn resolve(&self, actor: Actor, conversation_id: ConversationId) -> Result<Conversation, CoreError> {
        let probe = self.load_conversation(actor.shop_id, conversation_id).await?;
        let _guard = self.lock_customer(probe.customer_id).await;
        let mut conversation = self.load_conversation(actor.shop_id, conversation_id).await?;
        let holder = conversation.agent_id.filter(|_| conversation.status == Status::Assigned);
        // The state check comes first: "already resolved" is the more useful answer.
        let event = state::resolve(&mut conversation, Some(actor.user_id), self.clock.now())?;
        if holder != Some(actor.user_id) && !actor.role.oversees_all() {
            return Err(CoreError::Forbidden(crate::error::msg("error-resolve-forbidden")));
        }
        let cs = status_change(&conversation, vec![event]);
        self.commit(actor.shop_id, cs, Some(conversation.clone()), None).await?;
        self.with_desk(actor.shop_id, |d| {
            d.remove(conversation_id);
            if let Some(h) = holder {
                d.release(h);
            }
        });
        drop(_guard);
        let timings = self.ready(actor.shop_id).await.timings.clone();
        if timings.csat_on_resolve {
            let survey = timings.survey();
            if let Err(e) = self.system_message_in(actor.shop_id, conversation_id, |lang| survey.invitation(lang)).await {
                tracing::warn!(error = %e, "sending the rating invitation failed");
            }
        }
        self.dispatch(actor.shop_id).await;
        Ok(conversation)
    }

    /// Set a person's presence with their stored 接待 choice; coming online while taking
    /// chats takes waiting conversations.
    pub async fn set_presence(&self, user: &User, presence: Presence) {
        self.ready(user.shop_id).await;
        let capacity = if user.capacity == 0 { self.settings.default_capacity } else { user.capacity };
        let now = self.clock.now();
        // 接待 first, so a supervisor coming online is never handed a conversation meanwhile.
        let takes_chats = self.seat_choice(user).await.takes_chats_as(user.role);
        self.with_desk(user.shop_id, |d| {
            d.set_takes_chats(user.id, takes_chats);
            d.set_presence(user.id, presence, capacity, now)
        });
        if presence == Presence::Online && takes_chats {
            self.dispatch(user.shop_id).await;
        }
    }

    /// An agent's presence.
    pub fn presence(&self, shop: ShopId, user: UserId) -> Presence {
        self.with_desk(shop, |d| d.presence(user))
    }

    /// An agent writes first (proactive): into the customer's open conversation, or a new
    /// one assigned to the agent.
    pub async fn start_conversation(&self, actor: Actor, customer_id: crate::ids::CustomerId, text: &str, client_id: Option<&str>) -> Result<Delivered, CoreError> {
        message::validate_input(text, client_id)?;
        let id = {
            let _guard = self.lock_customer(customer_id).await;
            let customer = self.store.customer(actor.shop_id, customer_id).await?.ok_or(CoreError::NotFound("customer"))?;
            let open = self.store.open_conversation_of(actor.shop_id, customer_id).await?;
            let now = self.clock.now();
            match open {
                Some(c) if c.status.is_active() => c.id,
                open => {
                    let channel = match self.store.identities_of(actor.shop_id, customer_id).await?.last() {
                        Some(i) => i.channel,
                        None => crate::customer::Channel::Api,
                    };
                    let mut events = Vec::new();
                    if let Some(mut old) = open {
                        events.push(state::close(&mut old, Some(actor.user_id), "superseded", now)?);
                        self.commit(actor.shop_id, status_change(&old, std::mem::take(&mut events)), Some(old), None).await?;
                    }
                    let (arrival, mut created) = state::on_customer_message(&customer, None, channel, now);
                    let mut c = arrival.conversation().clone();
                    created.push(state::assign(&mut c, actor.user_id, Some(actor.user_id), now)?);
                    self.commit(actor.shop_id, status_change(&c, created), Some(c.clone()), None).await?;
                    self.with_desk(actor.shop_id, |d| d.add_load(actor.user_id, Some(customer_id), now));
                    c.id
                }
            }
        };
        self.agent_message(actor, id, text, client_id).await
    }
}
