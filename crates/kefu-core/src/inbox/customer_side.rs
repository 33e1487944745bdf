//! What customers do: arrive on a channel, write.

use super::{Delivered, Inbox};
use crate::assignment::QueuedConversation;
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
            let customer = self
                .store
                .customer(shop, identity.customer_id)
                .await?
                .ok_or(CoreError::NotFound("customer"))?;
            return Ok((customer, false));
        }
        let now = self.clock.now();
        let name: String = display_name.trim().chars().take(64).collect();
        let customer = Customer {
            id: CustomerId::new(),
            shop_id: shop,
            display_name: if name.is_empty() { default_name(channel) } else { name },
            last_seq: 0,
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
        let open = self.store.open_conversation_of(shop, customer_id).await?;
        let now = self.clock.now();
        let (arrival, mut events) = state::on_customer_message(&customer, open.as_ref(), channel, now);
        let needs_assignment = arrival.needs_assignment();
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
        if needs_assignment {
            picked = self.with_desk(shop, |d| d.pick());
            events.push(match picked {
                Some(agent) => state::assign(&mut conversation, agent, None, now)?,
                None => state::queue(&mut conversation, now),
            });
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
        if needs_assignment && picked.is_none() {
            self.with_desk(shop, |d| {
                d.enqueue(QueuedConversation { conversation_id: conversation.id, customer_id, since: now })
            });
        }
        drop(_guard);
        if needs_assignment && picked.is_none() {
            // An agent may have come online between the pick and the enqueue.
            self.dispatch(shop).await;
        }
        Ok(Delivered { message, conversation, duplicate: false })
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

fn default_name(channel: Channel) -> String {
    match channel {
        Channel::Widget => "网页访客".into(),
        Channel::Email => "邮件客户".into(),
        _ => "客户".into(),
    }
}
