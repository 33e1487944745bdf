//! What platform channels need from the inbox: customer messages keyed by the platform's
//! event id, and notices kefu sends a customer on its own (an order shipped).

use super::{Delivered, Inbox};
use crate::conversation::state::{self, Arrival};
use crate::conversation::Source;
use crate::customer::Channel;
use crate::error::CoreError;
use crate::event::{Event, EventKind};
use crate::ids::{CustomerId, MessageId, ShopId};
use crate::message::{self, Message, SenderKind};
use crate::store::Store;

impl<S: Store> Inbox<S> {
    /// A customer message from a platform, stored once per `dedupe_key` (the platform's event
    /// id, made unique per channel by the caller) however often it is delivered.
    pub async fn platform_message(&self, shop: ShopId, customer_id: CustomerId, channel: Channel, text: &str, dedupe_key: String) -> Result<Delivered, CoreError> {
        self.receive(shop, customer_id, channel, text, None, Some(dedupe_key), None).await
    }

    /// kefu tells a customer something on its own, stored once per `dedupe_key`. It joins the
    /// customer's open conversation; without one it starts a conversation that is resolved at
    /// once (nobody needs to work on a notice; a reply from the customer reopens it).
    pub async fn notify(&self, shop: ShopId, customer_id: CustomerId, channel: Channel, text: &str, dedupe_key: String) -> Result<Delivered, CoreError> {
        let text = message::validate_text(text)?;
        let _guard = self.lock_customer(customer_id).await;
        if let Some(existing) = self.store.message_by_dedupe(shop, &dedupe_key).await? {
            return self.replay(shop, existing).await;
        }
        let customer = self.store.customer(shop, customer_id).await?.ok_or(CoreError::NotFound("customer"))?;
        let now = self.clock.now();
        let mut events = Vec::new();
        let mut conversation = match self.store.open_conversation_of(shop, customer_id).await? {
            Some(open) => open,
            None => {
                let (arrival, created) = state::on_customer_message(&customer, None, channel, now);
                let (Arrival::Start(mut c) | Arrival::Continue(mut c) | Arrival::Reopen(mut c)) = arrival;
                c.source = Source::BotOnly;
                events.extend(created);
                events.push(state::resolve(&mut c, None, now)?);
                c
            }
        };
        let message = Message {
            id: MessageId::new(),
            shop_id: shop,
            conversation_id: conversation.id,
            customer_id,
            seq: customer.last_seq + 1,
            direction: SenderKind::System.direction(),
            sender_kind: SenderKind::System,
            sender_id: None,
            channel,
            content: text.to_string(),
            client_id: None,
            created_at: now,
        };
        events.push(Event::conversation(shop, conversation.id, customer_id, now, EventKind::MessageSent { message_id: message.id, sender_kind: SenderKind::System }));
        let cs = super::record_message(&mut conversation, &message, Some(dedupe_key), events);
        self.commit(shop, cs, Some(conversation.clone()), Some(message.clone())).await?;
        Ok(Delivered { message, conversation, duplicate: false })
    }
}
