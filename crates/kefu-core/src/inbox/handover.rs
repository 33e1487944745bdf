//! Hand-over between the bot, the queue and people, as the customer and colleagues see it:
//! the line that tells a widget customer a person has joined, the answer to 转人工 while they
//! already wait, and the transfer note kept in the dialogue as an internal note.

use super::Inbox;
use crate::clock::Millis;
use crate::conversation::Conversation;
use crate::customer::Channel;
use crate::error::CoreError;
use crate::event::{Event, EventKind};
use crate::ids::{ConversationId, MessageId, ShopId, UserId};
use crate::message::{Message, SenderKind};
use crate::store::{Change, ChangeSet, Store};
use kefu_i18n::Lang;

/// The shop setting document that holds the wording of the "a person joined" line (field
/// [`AGENT_JOINED_FIELD`]); the server's shop page writes the whole document.
pub const PREFERENCES_KEY: &str = "shop_preferences";
/// The field of the shop preferences with the wording.
pub const AGENT_JOINED_FIELD: &str = "agent_joined";
/// The wording a shop starts with (kefu's own, in Chinese); `{name}` is the agent's display
/// name. While a shop keeps it (or leaves it blank) the line is kefu's and reaches each
/// customer in their language; a wording the shop wrote is sent as written.
pub fn agent_joined_default() -> String {
    kefu_i18n::Message::new("customer-agent-joined").arg("name", "{name}").render(Lang::ZhCn)
}

/// The line a customer reads when `name` first replies: the shop's wording with `{name}`
/// filled in, or kefu's own line in `lang` when the shop's is blank or the default.
pub fn agent_joined_line(wording: &str, name: &str, lang: Lang) -> String {
    let wording = wording.trim();
    if wording.is_empty() || wording == agent_joined_default() {
        return kefu_i18n::Message::new("customer-agent-joined").arg("name", name.trim()).render(lang);
    }
    wording.replace("{name}", name.trim())
}

/// What a customer who asks for a person again while waiting is told: their place and the
/// expected wait (rounded up to whole minutes).
pub fn queue_answer(position: usize, expected_wait_secs: u64, lang: Lang) -> String {
    let ahead = position.saturating_sub(1);
    let minutes = expected_wait_secs.div_ceil(60).max(1);
    let m = if ahead == 0 { kefu_i18n::Message::new("customer-queue-next") } else { kefu_i18n::Message::new("customer-queue-ahead").arg("ahead", ahead) };
    m.arg("minutes", minutes).render(lang)
}

/// The internal note a transfer leaves in the dialogue for the next agent.
pub fn transfer_note_text(note: &str) -> String {
    format!("转接说明：{note}")
}

/// Whether a conversation on `channel` is told that a person joined: the web widget only,
/// where replies are otherwise signed just 客服. An email customer would get a separate email
/// saying so; platform DMs already come from the shop's account and the line would cost a
/// platform call per agent (noted, not built); API callers, comments, order messages and
/// danmaku have no chat to put it in.
pub fn announces_joining(channel: Channel) -> bool {
    channel == Channel::Widget
}

/// The dedupe key of the "joined" line: one per agent and conversation, so the customer
/// reads it once however many replies follow (and a retried reply cannot repeat it).
pub(super) fn joined_key(conversation: ConversationId, agent: UserId) -> String {
    format!("j:{conversation}:{agent}")
}

impl<S: Store> Inbox<S> {
    /// The "a person joined" line for the agent's first reply in this conversation, or None
    /// when they already introduced themselves there.
    pub(super) async fn joined_line(&self, shop: ShopId, conversation: &Conversation, agent: UserId, seq: i64, now: Millis) -> Result<Option<(Message, String)>, CoreError> {
        if !announces_joining(conversation.channel) {
            return Ok(None);
        }
        let key = joined_key(conversation.id, agent);
        if self.store.message_by_dedupe(shop, &key).await?.is_some() {
            return Ok(None);
        }
        let Some(user) = self.store.user(shop, agent).await? else { return Ok(None) };
        let wording = self.agent_joined_wording(shop).await;
        let lang = self.customer_language(shop, conversation.id).await;
        let line = Message {
            id: MessageId::new(),
            shop_id: shop,
            conversation_id: conversation.id,
            customer_id: conversation.customer_id,
            seq,
            direction: SenderKind::System.direction(),
            sender_kind: SenderKind::System,
            sender_id: None,
            channel: conversation.channel,
            content: agent_joined_line(&wording, &user.display_name, lang),
            client_id: None,
            created_at: now,
        };
        Ok(Some((line, key)))
    }

    /// The shop's wording of the "joined" line; blank (kefu's own line) when unset or unreadable.
    async fn agent_joined_wording(&self, shop: ShopId) -> String {
        let doc = match self.store.setting(shop, PREFERENCES_KEY).await {
            Ok(Some(doc)) => doc,
            _ => return String::new(),
        };
        serde_json::from_str::<serde_json::Value>(&doc)
            .ok()
            .and_then(|v| v.get(AGENT_JOINED_FIELD).and_then(|w| w.as_str()).map(str::to_string))
            .unwrap_or_default()
    }

    /// Answer a customer who asks for a person while already waiting in a queue.
    pub(super) async fn answer_waiting(&self, shop: ShopId, conversation_id: ConversationId) {
        let place = self.queue_position(shop, conversation_id);
        let text = |lang| match place {
            Some((position, wait)) => queue_answer(position, wait, lang),
            // The place is not known (the queue lives in another process).
            None => kefu_i18n::render(lang, "customer-queue-unknown"),
        };
        if let Err(e) = self.system_message_in(shop, conversation_id, text).await {
            tracing::warn!(error = %e, "answering a waiting customer with their place failed");
        }
    }

    /// The change set part that stores a transfer note as an internal note of the
    /// conversation (next seq of the customer's dialogue), and the note.
    pub(super) async fn transfer_note(&self, conversation: &Conversation, by: UserId, note: &str, cs: &mut ChangeSet) -> Result<Message, CoreError> {
        let shop = conversation.shop_id;
        let customer = self.store.customer(shop, conversation.customer_id).await?.ok_or(CoreError::NotFound("customer"))?;
        let now = self.clock.now();
        let message = Message {
            id: MessageId::new(),
            shop_id: shop,
            conversation_id: conversation.id,
            customer_id: customer.id,
            seq: customer.last_seq + 1,
            direction: SenderKind::Note.direction(),
            sender_kind: SenderKind::Note,
            sender_id: Some(by),
            channel: conversation.channel,
            content: transfer_note_text(note),
            client_id: None,
            created_at: now,
        };
        cs.events.push(Event::conversation(shop, conversation.id, customer.id, now, EventKind::NoteAdded { message_id: message.id, by }));
        cs.push(Change::InsertMessage { message: message.clone(), dedupe_key: None })
            .push(Change::SetCustomerLastSeq { shop_id: shop, customer_id: customer.id, last_seq: message.seq });
        Ok(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_joined_line_uses_the_shops_wording_and_the_agents_name() {
        let zh = Lang::ZhCn;
        assert_eq!(agent_joined_line("您好，我是{name}，很高兴为您服务", " 小帅 ", Lang::En), "您好，我是小帅，很高兴为您服务", "the shop's own wording stays as written");
        assert_eq!(agent_joined_line("人工客服已接入", "小美", zh), "人工客服已接入", "a wording without {{name}} stays as written");
        assert_eq!(agent_joined_line("  ", "小美", zh), "客服小美为您服务", "blank wording is kefu's own line");
        assert_eq!(agent_joined_line(&agent_joined_default(), "小美", zh), "客服小美为您服务");
        assert_eq!(agent_joined_line(&agent_joined_default(), "Amy", Lang::En), "Amy is here to help you.", "the default wording follows the customer's language");
    }

    #[test]
    fn the_queue_answer_names_the_place_and_the_wait() {
        let zh = Lang::ZhCn;
        assert_eq!(queue_answer(1, 30, zh), "已在为您转接人工客服，您是下一位，预计等待约 1 分钟，请稍候。");
        assert_eq!(queue_answer(3, 121, zh), "已在为您转接人工客服，您前面还有 2 位，预计等待约 3 分钟，请稍候。");
        assert_eq!(queue_answer(2, 0, zh), "已在为您转接人工客服，您前面还有 1 位，预计等待约 1 分钟，请稍候。");
        assert_eq!(queue_answer(1, 30, Lang::En), "You're next in line for an agent. Expected wait: about 1 minute. Thanks for your patience.");
        assert_eq!(queue_answer(3, 121, Lang::En), "We're connecting you to an agent. 2 people are ahead of you; expected wait: about 3 minutes. Thanks for your patience.");
        assert_eq!(queue_answer(2, 60, Lang::En), "We're connecting you to an agent. 1 person is ahead of you; expected wait: about 1 minute. Thanks for your patience.");
    }

    #[test]
    fn only_the_widget_announces_a_person() {
        assert!(announces_joining(Channel::Widget));
        for c in [Channel::Dm, Channel::Email, Channel::Api, Channel::Comment, Channel::OrderMessage, Channel::Live] {
            assert!(!announces_joining(c), "{c:?}");
        }
    }

    #[test]
    fn joined_keys_are_per_agent_and_conversation() {
        let c = ConversationId::new();
        let (a, b) = (UserId::new(), UserId::new());
        assert_ne!(joined_key(c, a), joined_key(c, b));
        assert_eq!(joined_key(c, a), joined_key(c, a));
    }
}
