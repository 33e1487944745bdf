//! Internal notes: an agent writes into the dialogue for colleagues only. A note is stored as
//! a message (sender kind `note`, direction `internal`) so it sits in the dialogue in order,
//! but it never reaches the customer: the customer's history leaves it out, the fan-out
//! sends it to agents only, and channel adapters only ever send `out` messages.

use super::{Actor, Delivered, Inbox};
use crate::error::CoreError;
use crate::event::{Event, EventKind};
use crate::ids::{ConversationId, MessageId};
use crate::message::{self, Message, SenderKind};
use crate::store::{Change, ChangeSet, Store};

impl<S: Store> Inbox<S> {
    /// Add an internal note to a conversation. Any colleague of the shop may (notes are how
    /// they hand over context), in any status; the conversation itself does not change.
    pub async fn agent_note(
        &self,
        actor: Actor,
        conversation_id: ConversationId,
        text: &str,
        client_id: Option<&str>,
    ) -> Result<Delivered, CoreError> {
        let text = message::validate_input(text, client_id)?;
        let probe = self.load_conversation(actor.shop_id, conversation_id).await?;
        let _guard = self.lock_customer(probe.customer_id).await;
        let dedupe_key = client_id.map(|id| format!("n:{}:{id}", actor.user_id));
        if let Some(key) = &dedupe_key {
            if let Some(existing) = self.store.message_by_dedupe(actor.shop_id, key).await? {
                return self.replay(actor.shop_id, existing).await;
            }
        }
        let conversation = self.load_conversation(actor.shop_id, conversation_id).await?;
        let customer = self.store.customer(actor.shop_id, conversation.customer_id).await?.ok_or(CoreError::NotFound("customer"))?;
        let now = self.clock.now();
        // The note takes the next place in the customer's dialogue so that agents read it
        // where it was written; the customer's view simply has a gap there.
        let note = Message {
            id: MessageId::new(),
            shop_id: actor.shop_id,
            conversation_id,
            customer_id: customer.id,
            seq: customer.last_seq + 1,
            direction: SenderKind::Note.direction(),
            sender_kind: SenderKind::Note,
            sender_id: Some(actor.user_id),
            channel: conversation.channel,
            content: text.to_string(),
            client_id: client_id.map(str::to_string),
            created_at: now,
        };
        let event = Event::conversation(
            actor.shop_id,
            conversation_id,
            customer.id,
            now,
            EventKind::NoteAdded { message_id: note.id, by: actor.user_id },
        );
        let mut cs = ChangeSet { events: vec![event], ..Default::default() };
        cs.push(Change::InsertMessage { message: note.clone(), dedupe_key }).push(Change::SetCustomerLastSeq {
            shop_id: actor.shop_id,
            customer_id: customer.id,
            last_seq: note.seq,
        });
        self.commit(actor.shop_id, cs, None, Some(note.clone())).await?;
        Ok(Delivered { message: note, conversation, duplicate: false })
    }
}
