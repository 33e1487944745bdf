//! The customer's language: which catalogue kefu's own lines to a customer (queue places,
//! ratings, ticket notices, the joined line) are rendered from.
//!
//! In order: the language the bot answers this conversation in; else the one noted when the
//! conversation started (the widget's browser language when it sent one, else the language
//! of the customer's first message); else the shop's default language.

use super::{Delivered, Inbox};
use crate::bot::DialogueState;
use crate::error::CoreError;
use crate::ids::{ConversationId, ShopId};
use crate::store::Store;
use kefu_i18n::Lang;

/// The language to note for a new conversation: the widget's browser language when given,
/// else the language its first message is written in (none for digits, emoji, other
/// languages).
pub fn noted_language(hint: Option<Lang>, first_message: &kefu_nlp::engine::Analysis) -> Option<Lang> {
    hint.or_else(|| {
        let written = serde_json::to_value(first_message.language).ok()?;
        Lang::parse(written.as_str()?)
    })
}

/// The language a dialogue state says the customer reads: the bot's, else the noted one.
pub fn state_language(state: &DialogueState) -> Option<Lang> {
    state.language.as_deref().and_then(Lang::parse).or_else(|| state.customer_language.as_deref().and_then(Lang::parse))
}

impl<S: Store> Inbox<S> {
    /// The shop's default language (its profile), zh-CN when unset or unreadable.
    pub async fn shop_language(&self, shop: ShopId) -> Lang {
        match self.store.shop_default_language(shop).await {
            Ok(Some(tag)) => Lang::parse(&tag).unwrap_or_default(),
            _ => Lang::default(),
        }
    }

    /// The language kefu writes to the customer of `conversation` in (see the module).
    pub async fn customer_language(&self, shop: ShopId, conversation: ConversationId) -> Lang {
        let noted = match self.store.bot_state(shop, conversation).await {
            Ok(Some(doc)) => serde_json::from_str::<DialogueState>(&doc).ok().as_ref().and_then(state_language),
            _ => None,
        };
        match noted {
            Some(lang) => lang,
            None => self.shop_language(shop).await,
        }
    }

    /// kefu tells the customer something, worded in their language.
    pub async fn system_message_in(&self, shop: ShopId, conversation: ConversationId, text: impl FnOnce(Lang) -> String) -> Result<Delivered, CoreError> {
        let lang = self.customer_language(shop, conversation).await;
        self.system_message(shop, conversation, &text(lang)).await
    }
}
