//! What customers do: arrive on a channel, write.

use super::{Delivered, Inbox};
use crate::routing::Waiting;
use crate::conversation::state::{self, Arrival};
use crate::customer::{Channel, Customer, Identity};
use crate::error::CoreError;
use crate::event::{Event, EventKind};
use crate::ids::{CustomerId, MessageId, ShopId};
use crate::message::{self, Message, SenderKind};
use crate::bus::Committed;
use crate::conversation::{Source, Status};
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
            return Err(CoreError::Invalid(crate::error::msg("error-external-id")));
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
        self.customer_message_in(shop, customer_id, channel, text, client_id, None).await
    }

    /// A customer writes from a client that knows their language (the widget sends the
    /// browser's): a conversation this message starts speaks it in kefu's own lines.
    pub async fn customer_message_in(
        &self,
        shop: ShopId,
        customer_id: CustomerId,
        channel: Channel,
        text: &str,
        client_id: Option<&str>,
        language: Option<kefu_i18n::Lang>,
    ) -> Result<Delivered, CoreError> {
        let dedupe_key = client_id.map(|id| format!("c:{customer_id}:{id}"));
        self.receive(shop, customer_id, channel, text, client_id, dedupe_key, language).await
    }

    /// A customer message with an explicit dedupe key (unique per shop in the store) and the
    /// client's word on the customer's language, if any.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn receive(
        &self,
        shop: ShopId,
        customer_id: CustomerId,
        channel: Channel,
        text: &str,
        client_id: Option<&str>,
        dedupe_key: Option<String>,
        language: Option<kefu_i18n::Lang>,
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
            return Box::pin(self.customer_message_in(shop, into, channel, text, client_id, language)).await;
        }
        let open = self.store.open_conversation_of(shop, customer_id).await?;
        let now = self.clock.now();
        let survey = self.ready(shop).await.timings.survey();
        if let (Some(c), Some(stars)) = (open.as_ref(), survey.rating_reply(text)) {
            if c.status == crate::conversation::Status::Resolved && self.invited_to_rate(c, &survey).await? {
                let rated = self.record_rating(&customer, c.clone(), channel, (stars, survey.scale), text, dedupe_key, now).await?;
                drop(_guard);
                self.thank_for_rating(shop, c.id).await;
                return Ok(rated);
            }
        }
        // Asking for a person while already waiting for one deserves an answer: their place.
        let asks_while_waiting = open.as_ref().is_some_and(|c| c.status == Status::Queued) && kefu_nlp::handoff::wants_human(&kefu_nlp::normalise::normalise(text));
        let (arrival, mut events) = state::on_customer_message(&customer, open.as_ref(), channel, now);
        let mut needs_assignment = arrival.needs_assignment();
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

        // The bot takes new conversations (and reopened ones it alone had served) when the
        // shop has a knowledge base, unless a hand-off rule sends them straight to people.
        let brain = self.brain(shop).await;
        let mut handoff = None;
        let mut bot = None;
        let bot_may_take = needs_assignment && brain.answers() && (starts || conversation.source == Source::BotOnly);
        if conversation.status == Status::Bot || bot_may_take {
            let vip = brain.kb.handoff.vip && self.is_vip(&customer).await;
            handoff = if conversation.status == Status::Bot { None } else { brain.kb.handoff.before_bot(vip, now) };
            if handoff.is_none() {
                if conversation.status != Status::Bot {
                    conversation.status = Status::Bot;
                    conversation.source = Source::BotOnly;
                }
                let turn = self.bot_turn(&brain, &conversation, text, now).await?;
                handoff = turn.handoff;
                needs_assignment = handoff.is_some();
                bot = Some(turn);
            }
        }
        // One reading of the message serves the bot, routing and the hotspot category: the
        // bot's when it spoke, else the default models', made only when something needs it.
        let mut analysis = bot.as_ref().map(|turn| turn.analysis.clone());
        let received = Event::conversation(shop, conversation.id, customer_id, now, EventKind::MessageReceived { message_id: message.id });
        // The log reads in the order things happened: the bot answers the message; routing
        // happens before a message that goes straight to people is received by them.
        if bot.is_some() {
            events.push(received.clone());
        }

        // What the bot says comes right after the customer's message, in the same commit.
        let mut replies = Vec::new();
        let mut seq = message.seq;
        let mut texts: Vec<(String, Option<String>, Vec<String>)> = Vec::new();
        // Each reply's quick-reply options, beside `replies`.
        let mut quick_replies: Vec<Vec<String>> = Vec::new();
        let mut learned = Vec::new();
        if let Some(turn) = bot.as_mut() {
            // What the bot could not answer well is counted for the learning loop.
            let missed = turn.events.iter().find_map(|e| match e {
                EventKind::BotUnknown => Some("unknown"),
                EventKind::BotSuggested { .. } => Some("suggested"),
                _ => None,
            });
            if let Some(kind) = missed {
                learned.push(Change::NoteBotQuestion(crate::bot::learning::noted(shop, text, kind, conversation.id, now)));
            }
            for kind in turn.events.drain(..) {
                events.push(Event::conversation(shop, conversation.id, customer_id, now, kind));
            }
            texts = std::mem::take(&mut turn.replies);
            turn.state.handed_off = handoff.map(|r| r.as_str().to_string());
        }
        if handoff.is_some() {
            let speaking = bot.as_ref().map_or_else(|| brain.language_for(text), |turn| turn.state.speaking(&brain));
            texts.push((brain.kb.phrases_in(speaking).handing_off.clone(), None, Vec::new()));
        }
        for (text, faq, options) in texts {
            seq += 1;
            let m = super::bot_side::bot_message(&conversation, seq, text, now);
            if let (Some(faq), Some(turn)) = (faq, bot.as_mut()) {
                turn.state.answers.push((m.id.to_string(), faq));
                if turn.state.answers.len() > 20 {
                    turn.state.answers.remove(0);
                }
            }
            events.push(Event::conversation(shop, conversation.id, customer_id, now, EventKind::MessageSent { message_id: m.id, sender_kind: SenderKind::Bot }));
            replies.push(m);
            quick_replies.push(options);
        }
        if let Some(reason) = handoff {
            events.push(Event::conversation(shop, conversation.id, customer_id, now, EventKind::HandedOff { reason: reason.as_str().into() }));
            if conversation.status == Status::Bot {
                conversation.source = Source::BotToHuman;
            }
        }

        let mut picked = None;
        let mut waiting = None;
        if needs_assignment {
            let read = analysis.get_or_insert_with(|| kefu_nlp::engine::analyze(text));
            let (route, language) = self.route_arrival(&customer, channel, text, read, now).await;
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
        // A new conversation notes the customer's language for kefu's own lines to them.
        let mut noted = None;
        if starts {
            // Already read by the bot or by routing: a new conversation goes to one of them.
            let a = analysis.unwrap_or_else(|| kefu_nlp::engine::analyze(text));
            noted = super::noted_language(language, &a);
            events.push(Event::conversation(shop, conversation.id, customer_id, now, EventKind::ConversationCategorised { l1: a.l1, l2: a.l2, tags: Vec::new() }));
        }
        if bot.is_none() {
            events.push(received);
        }

        let mut cs = super::record_message(&mut conversation, &message, dedupe_key, events);
        // Consumers see each message with its own events: the bot's `message_sent` travels with
        // the bot's message (webhooks put the message beside its event).
        let sent_by_bot = |e: &Event| matches!(&e.kind, EventKind::MessageSent { message_id, .. } if replies.iter().any(|m| m.id == *message_id));
        let first_events = cs.events.iter().filter(|e| !sent_by_bot(e)).cloned().collect();
        let mut items = vec![Committed { shop_id: shop, events: first_events, conversation: Some(conversation.clone()), message: Some(message.clone()), ticket: None, notices: Vec::new(), quick_replies: Vec::new() }];
        for m in &replies {
            super::append_message(&mut cs, &mut conversation, m);
        }
        for change in learned {
            cs.push(change);
        }
        // A hand-off before the bot spoke (VIP, outside its hours) is remembered for the card.
        let mut remembered = match (&bot, handoff) {
            (Some(turn), _) => Some(turn.state.clone()),
            (None, Some(reason)) => Some(crate::bot::DialogueState { handed_off: Some(reason.as_str().into()), ..Default::default() }),
            (None, None) => None,
        };
        if let Some(lang) = noted {
            remembered.get_or_insert_with(Default::default).customer_language = Some(lang.tag().into());
        }
        if let Some(state) = remembered {
            let doc = serde_json::to_string(&state).map_err(|e| CoreError::Invalid(crate::error::verbatim(e.to_string())))?;
            cs.push(Change::PutBotState { shop_id: shop, conversation_id: conversation.id, doc, at: now });
        }
        for (m, quick_replies) in replies.into_iter().zip(quick_replies) {
            let own = cs.events.iter().filter(|e| matches!(&e.kind, EventKind::MessageSent { message_id, .. } if *message_id == m.id)).cloned().collect();
            items.push(Committed { shop_id: shop, events: own, conversation: Some(conversation.clone()), message: Some(m), ticket: None, notices: Vec::new(), quick_replies });
        }
        if let Err(e) = self.commit_items(cs, items).await {
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
        if handoff.is_some() {
            self.announce_handoff(shop, &conversation).await;
        }
        if queued {
            // An agent may have come online between the pick and the enqueue.
            self.dispatch(shop).await;
        }
        if asks_while_waiting && conversation.status == Status::Queued {
            self.answer_waiting(shop, conversation.id).await;
        }
        Ok(Delivered { message, conversation, duplicate: false })
    }

    /// The customer rates the service of their resolved conversation (1 to the shop's scale,
    /// optional comment). The rating is kept as their message and an event; it does not reopen
    /// the conversation, and the customer is thanked. A later rating replaces an earlier one in
    /// the figures.
    pub async fn rate(&self, shop: ShopId, customer_id: CustomerId, stars: u8, comment: Option<&str>) -> Result<Delivered, CoreError> {
        let survey = self.ready(shop).await.timings.survey();
        if !survey.accepts(stars) {
            return Err(CoreError::Invalid(crate::error::msg("error-rating-stars").arg("max", u32::from(survey.scale))));
        }
        let guard = self.lock_customer(customer_id).await;
        let customer = self.store.customer(shop, customer_id).await?.ok_or(CoreError::NotFound("customer"))?;
        let open = self.store.open_conversation_of(shop, customer_id).await?;
        let Some(c) = open.filter(|c| c.status == crate::conversation::Status::Resolved) else {
            return Err(CoreError::Conflict(crate::error::msg("error-rating-nothing")));
        };
        let lang = self.customer_language(shop, c.id).await;
        let text = crate::csat::rating_text(stars, comment, lang);
        let text = message::validate_text(&text)?.to_string();
        let channel = c.channel;
        let rated = self.record_rating(&customer, c, channel, (stars, survey.scale), &text, None, self.clock.now()).await?;
        drop(guard);
        self.thank_for_rating(shop, rated.conversation.id).await;
        Ok(rated)
    }

    /// Thank the customer for a rating (a failure is logged: the rating itself is stored).
    async fn thank_for_rating(&self, shop: ShopId, conversation: crate::ids::ConversationId) {
        if let Err(e) = self.system_message_in(shop, conversation, crate::csat::thanks).await {
            tracing::warn!(error = %e, "thanking for a rating failed");
        }
    }

    /// Whether the conversation's last word is the rating invitation, so a bare "2" is a
    /// rating and not, say, an answer to a ticket's confirmation question.
    async fn invited_to_rate(&self, c: &crate::conversation::Conversation, survey: &crate::csat::Survey) -> Result<bool, CoreError> {
        let Some(id) = c.last_message_id else { return Ok(false) };
        let last = self.store.message(c.shop_id, id).await?;
        Ok(last.is_some_and(|m| m.sender_kind == SenderKind::System && survey.is_invitation(&m.content)))
    }

    #[allow(clippy::too_many_arguments)]
    async fn record_rating(
        &self,
        customer: &Customer,
        mut conversation: crate::conversation::Conversation,
        channel: Channel,
        (stars, scale): (u8, u8),
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
        let rated = EventKind::ConversationRated { stars, scale, comment_id: Some(message.id), agent_id: conversation.agent_id };
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
                return Err(CoreError::Invalid(crate::error::msg("error-tag-long").arg("tag", t.to_string())));
            }
            if !clean.iter().any(|c| c == t) {
                clean.push(t.to_string());
            }
        }
        if clean.len() > 20 {
            return Err(CoreError::Invalid(crate::error::msg("error-tags-max")));
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
        let conversation = self.load_conversation(shop, message.conversation_id).await?;
        Ok(Delivered { message, conversation, duplicate: true })
    }
}

/// A reply to the rating invitation: a lone digit 1-5, optionally with 分 or 星.
fn default_name(channel: Channel) -> String {
    match channel {
        Channel::Widget => "网页访客".into(),
        Channel::Email => "邮件客户".into(),
        _ => "客户".into(),
    }
}
