//! What customers do: arrive on a channel, write.

use super::{Delivered, Inbox};
use crate::routing::Waiting;
use crate::conversation::state::{self, Arrival};
use crate::customer::{Channel, Customer, Identity};
use crate::error::CoreError;
use crate::event::{Event, EventKind};
use crate::ids::{CustomerId, MessageId, ShopId};
use crate::message::{self, Message, SenderKind};
use crate::store::{Change, ChangeSet, Store};

impl<S: Store> Inbox<S> {
    /// The customer behind a channel address, created (with its identity) on first sight.
    /// Returns the customer and whether it was just created.
    pub async fn customer_for(
        &self,
        shop: ShopId,
        channel: Channel,
        external_id: &str,
        display_name: &str,
    ) -> Result<(Customer, bool), CoreError> {
        if external_id.is_empty() || external_id.len() > 200 {
            return Err(CoreError::Invalid("external_id must be 1-200 bytes".into()));
        }
        let _guard = self.lock_identity(&(shop, channel, external_id)).await;
        if let Some(identity) = self.store.identity(shop, channel, external_id).await? {
            return Ok((self.current_customer(shop, identity.customer_id).await?, false));
        }
        let now = self.clock.now();
        let name: String = display_name.trim().chars().take(64).collect();
        let customer = Customer {
            id: CustomerId::new(),
            shop_id: shop,
            display_name: if name.is_empty() { default_name(channel) } else { name },
            last_seq: 0,
            tags: Vec::new(),
            merged_into: None,
            created_at: now,
        };
        let identity = Identity {
            shop_id: shop,
            channel,
            external_id: external_id.to_string(),
            customer_id: customer.id,
            created_at: now,
        };
        let mut cs = ChangeSet::default();
        cs.push(Change::InsertCustomer(customer.clone())).push(Change::InsertIdentity(identity));
        cs.events.push(Event {
            id: crate::ids::EventId::new(),
            shop_id: shop,
            conversation_id: None,
            customer_id: Some(customer.id),
            at: now,
            kind: EventKind::CustomerCreated { channel },
        });
        self.commit(shop, cs, None, None).await?;
        Ok((customer, true))
    }

    /// A customer writes. Durable when this returns; a resend with the same client id returns
    /// the stored message with `duplicate = true` and changes nothing.
    pub async fn customer_message(
        &self,
        shop: ShopId,
        customer_id: CustomerId,
        channel: Channel,
        text: &str,
        client_id: Option<&str>,
    ) -> Result<Delivered, CoreError> {
        let dedupe_key = client_id.map(|id| format!("c:{customer_id}:{id}"));
        self.receive(shop, customer_id, channel, text, client_id, dedupe_key).await
    }

    /// A customer message with an explicit dedupe key (unique per shop in the store).
    pub(super) async fn receive(
        &self,
        shop: ShopId,
        customer_id: CustomerId,
        channel: Channel,
        text: &str,
        client_id: Option<&str>,
        dedupe_key: Option<String>,
    ) -> Result<Delivered, CoreError> {
        let text = message::validate_input(text, client_id)?;
        let _guard = self.lock_customer(customer_id).await;
        if let Some(key) = &dedupe_key {
            if let Some(existing) = self.store.message_by_dedupe(shop, key).await? {
                return self.replay(shop, existing).await;
            }
        }
        let customer = self.store.customer(shop, customer_id).await?.ok_or(CoreError::NotFound("customer"))?;
        if let Some(into) = customer.merged_into {
            // Merged while this identity was connected: write into the merged dialogue.
            drop(_guard);
            return Box::pin(self.customer_message(shop, into, channel, text, client_id)).await;
        }
        let open = self.store.open_conversation_of(shop, customer_id).await?;
        let now = self.clock.now();
        if let (Some(c), Some(stars)) = (open.as_ref(), rating_reply(text)) {
            if c.status == crate::conversation::Status::Resolved && self.invited_to_rate(c).await? {
                return self.record_rating(&customer, c.clone(), channel, stars, text, dedupe_key, now).await;
            }
        }
        let (arrival, mut events) = state::on_customer_message(&customer, open.as_ref(), channel, now);
        let needs_assignment = arrival.needs_assignment();
        let starts = matches!(arrival, Arrival::Start(_));
        let mut conversation = match arrival {
            Arrival::Continue(c) | Arrival::Reopen(c) | Arrival::Start(c) => c,
        };

        let message = Message {
            id: MessageId::new(),
            shop_id: shop,
            conversation_id: conversation.id,
            customer_id,
            seq: customer.last_seq + 1,
            direction: SenderKind::Customer.direction(),
            sender_kind: SenderKind::Customer,
            sender_id: None,
            channel,
            content: text.to_string(),
            client_id: client_id.map(str::to_string),
            created_at: now,
        };
        // Assignment below reads the conversation as it will be stored.
        conversation.updated_at = now;

        let mut picked = None;
        let mut waiting = None;
        if needs_assignment {
            let (route, language, (l1, l2)) = self.route_arrival(&customer, channel, text, now).await;
            if starts {
                events.push(Event::conversation(shop, conversation.id, customer_id, now, EventKind::ConversationCategorised { l1, l2, tags: Vec::new() }));
            }
            conversation.team_id = route.team.clone();
            conversation.priority = route.priority;
            events.push(Event::conversation(
                shop,
                conversation.id,
                customer_id,
                now,
                EventKind::ConversationRouted { team: route.team.clone(), priority: route.priority, rule: route.rule.clone(), vip: route.vip },
            ));
            let w = Waiting { conversation_id: conversation.id, customer_id, team: route.team, priority: route.priority, since: now, language, vip: route.vip };
            picked = self.with_desk(shop, |d| {
                let agent = d.choose_for_arrival(&w, now)?;
                d.commit_arrival(&w, agent, now);
                Some(agent)
            });
            events.push(match picked {
                Some(agent) => state::assign(&mut conversation, agent, None, now)?,
                None => state::queue(&mut conversation, now),
            });
            waiting = Some(w);
        }
        events.push(Event::conversation(
            shop,
            conversation.id,
            customer_id,
            now,
            EventKind::MessageReceived { message_id: message.id },
        ));

        let cs = super::record_message(&mut conversation, &message, dedupe_key, events);
        if let Err(e) = self.commit(shop, cs, Some(conversation.clone()), Some(message.clone())).await {
            if let Some(agent) = picked {
                self.with_desk(shop, |d| d.release(agent));
            }
            return Err(e);
        }
        let queued = picked.is_none() && waiting.is_some();
        if let (None, Some(w)) = (picked, waiting) {
            self.with_desk(shop, |d| d.enqueue(w));
        }
        drop(_guard);
        if queued {
            // An agent may have come online between the pick and the enqueue.
            self.dispatch(shop).await;
        }
        Ok(Delivered { message, conversation, duplicate: false })
    }

    /// The customer rates the service of their resolved conversation (1-5 stars, optional
    /// comment). The rating is kept as their message and an event; it does not reopen the
    /// conversation. A later rating replaces an earlier one in the figures.
    pub async fn rate(&self, shop: ShopId, customer_id: CustomerId, stars: u8, comment: Option<&str>) -> Result<Delivered, CoreError> {
        if !(1..=5).contains(&stars) {
            return Err(CoreError::Invalid("stars must be 1 to 5".into()));
        }
        let _guard = self.lock_customer(customer_id).await;
        let customer = self.store.customer(shop, customer_id).await?.ok_or(CoreError::NotFound("customer"))?;
        let open = self.store.open_conversation_of(shop, customer_id).await?;
        let Some(c) = open.filter(|c| c.status == crate::conversation::Status::Resolved) else {
            return Err(CoreError::Conflict("there is no resolved conversation to rate".into()));
        };
        let text = match comment.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => format!("{stars} 分：{t}"),
            None => format!("{stars} 分"),
        };
        let text = message::validate_text(&text)?.to_string();
        let channel = c.channel;
        self.record_rating(&customer, c, channel, stars, &text, None, self.clock.now()).await
    }

    /// Whether the conversation's last word is the rating invitation, so a bare "2" is a
    /// rating and not, say, an answer to a ticket's confirmation question.
    async fn invited_to_rate(&self, c: &crate::conversation::Conversation) -> Result<bool, CoreError> {
        let Some(id) = c.last_message_id else { return Ok(false) };
        let last = self.store.message(c.shop_id, id).await?;
        Ok(last.is_some_and(|m| m.sender_kind == SenderKind::System && m.content == super::CSAT_INVITATION))
    }

    #[allow(clippy::too_many_arguments)]
    async fn record_rating(
        &self,
        customer: &Customer,
        mut conversation: crate::conversation::Conversation,
        channel: Channel,
        stars: u8,
        text: &str,
        dedupe_key: Option<String>,
        now: crate::clock::Millis,
    ) -> Result<Delivered, CoreError> {
        let message = Message {
            id: MessageId::new(),
            shop_id: customer.shop_id,
            conversation_id: conversation.id,
            customer_id: customer.id,
            seq: customer.last_seq + 1,
            direction: SenderKind::Customer.direction(),
            sender_kind: SenderKind::Customer,
            sender_id: None,
            channel,
            content: text.to_string(),
            client_id: None,
            created_at: now,
        };
        let rated = EventKind::ConversationRated { stars, comment_id: Some(message.id), agent_id: conversation.agent_id };
        let events = vec![
            Event::conversation(customer.shop_id, conversation.id, customer.id, now, EventKind::MessageReceived { message_id: message.id }),
            Event::conversation(customer.shop_id, conversation.id, customer.id, now, rated),
        ];
        let cs = super::record_message(&mut conversation, &message, dedupe_key, events);
        self.commit(customer.shop_id, cs, Some(conversation.clone()), Some(message.clone())).await?;
        Ok(Delivered { message, conversation, duplicate: false })
    }

    /// Replace a customer's tags (trimmed, deduplicated, at most 20 of up to 32 characters).
    pub async fn set_customer_tags(&self, shop: ShopId, customer_id: CustomerId, tags: Vec<String>) -> Result<Customer, CoreError> {
        let mut clean: Vec<String> = Vec::new();
        for t in tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            if t.chars().count() > 32 {
                return Err(CoreError::Invalid(format!("tag '{t}' is longer than 32 characters")));
            }
            if !clean.iter().any(|c| c == t) {
                clean.push(t.to_string());
            }
        }
        if clean.len() > 20 {
            return Err(CoreError::Invalid("at most 20 tags".into()));
        }
        let _guard = self.lock_customer(customer_id).await;
        let mut customer = self.store.customer(shop, customer_id).await?.ok_or(CoreError::NotFound("customer"))?;
        let mut cs = ChangeSet::default();
        cs.push(Change::SetCustomerTags { shop_id: shop, customer_id, tags: clean.clone() });
        self.store.apply(cs).await?;
        customer.tags = clean;
        Ok(customer)
    }

    /// The acknowledgement of an already stored message.
    pub(super) async fn replay(&self, shop: ShopId, message: Message) -> Result<Delivered, CoreError> {
        let conversation = self
            .store
            .conversation(shop, message.conversation_id)
            .await?
            .ok_or(CoreError::NotFound("conversation"))?;
        Ok(Delivered { message, conversation, duplicate: true })
    }
}

/// A reply to the rating invitation: a lone digit 1-5, optionally with 分 or 星.
fn rating_reply(text: &str) -> Option<u8> {
    let t = text.trim().trim_end_matches(['分', '星', '!', '！', '。']);
    let stars: u8 = t.trim().parse().ok()?;
    (1..=5).contains(&stars).then_some(stars)
}

fn default_name(channel: Channel) -> String {
    match channel {
        Channel::Widget => "网页访客".into(),
        Channel::Email => "邮件客户".into(),
        _ => "客户".into(),
    }
}
