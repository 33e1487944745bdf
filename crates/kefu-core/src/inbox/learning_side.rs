//! The learning loop's actions: teach the bot a question it missed (as a similar question of
//! an FAQ, or as a new FAQ), or dismiss it. Each teaching saves a knowledge-base version, so it
//! is in the history and retrains the bot like any edit.

use super::Inbox;
use crate::bot::learning::BotQuestion;
use crate::bot::Faq;
use crate::error::CoreError;
use crate::ids::{ShopId, UserId};
use crate::store::{Change, ChangeSet, Store};
use std::sync::Arc;

impl<S: Store> Inbox<S> {
    async fn open_question(&self, shop: ShopId, key: &str) -> Result<BotQuestion, CoreError> {
        let q = self.store.bot_question(shop, key).await?.ok_or(CoreError::NotFound("question"))?;
        if q.status != "open" {
            return Err(CoreError::Conflict(crate::error::msg("error-question-already").arg("status", q.status.to_string())));
        }
        Ok(q)
    }

    async fn close_question(&self, shop: ShopId, key: &str, status: &str) -> Result<(), CoreError> {
        let mut cs = ChangeSet::default();
        cs.push(Change::SetBotQuestionStatus { shop_id: shop, key: key.into(), status: status.into() });
        Ok(self.store.apply(cs).await?)
    }

    /// Add a missed question to an FAQ's similar questions; returns the new KB version.
    pub async fn attach_question(self: &Arc<Self>, shop: ShopId, key: &str, faq_id: &str, by: UserId) -> Result<i64, CoreError> {
        let q = self.open_question(shop, key).await?;
        let (version, mut kb) = self.knowledge_base(shop).await?;
        let faq = kb.faqs.iter_mut().find(|f| f.id == faq_id).ok_or(CoreError::NotFound("faq"))?;
        if !faq.similar.contains(&q.text) && faq.question != q.text {
            faq.similar.push(q.text.clone());
        }
        let saved = self.save_knowledge_base(shop, &kb, Some(version), Some(by), &format!("learned: question → {faq_id}")).await?;
        self.close_question(shop, key, "attached").await?;
        Ok(saved)
    }

    /// Make a missed question the standard question of a new FAQ; returns the new KB version.
    /// The caller validates `faq` (its question is replaced by the customer's words).
    pub async fn question_to_faq(self: &Arc<Self>, shop: ShopId, key: &str, mut faq: Faq, by: UserId) -> Result<i64, CoreError> {
        let q = self.open_question(shop, key).await?;
        let (version, mut kb) = self.knowledge_base(shop).await?;
        if kb.faq(&faq.id).is_some() {
            return Err(CoreError::Conflict(crate::error::msg("error-faq-exists").arg("id", faq.id.to_string())));
        }
        faq.question = q.text.clone();
        let note = format!("learned: new faq {}", faq.id);
        kb.faqs.push(faq);
        let problems = kb.problems();
        if let Some(p) = problems.first() {
            return Err(CoreError::Invalid(crate::error::verbatim(format!("{} {}", p.path, p.message))));
        }
        let saved = self.save_knowledge_base(shop, &kb, Some(version), Some(by), &note).await?;
        self.close_question(shop, key, "created").await?;
        Ok(saved)
    }

    /// Dismiss a missed question (it stays counted, out of the open list).
    pub async fn dismiss_question(&self, shop: ShopId, key: &str) -> Result<(), CoreError> {
        self.open_question(shop, key).await?;
        self.close_question(shop, key, "dismissed").await
    }
}
