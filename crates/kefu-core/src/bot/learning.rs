//! The learning loop: questions the bot did not know (or only guessed at) are counted per
//! distinct normalised text, so a supervisor can attach them to an FAQ as similar questions,
//! turn them into a new FAQ, or dismiss them; the bot retrains and knows them within seconds.

use crate::clock::Millis;
use crate::ids::{ConversationId, ShopId};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Longest question text kept.
pub const MAX_TEXT: usize = 200;

/// One question the bot could not answer well.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BotQuestion {
    /// Shop.
    pub shop_id: ShopId,
    /// Stable key: hash of the normalised text.
    pub key: String,
    /// The question as first asked (trimmed to 200 characters).
    pub text: String,
    /// `unknown` (no FAQ came close) or `suggested` (the bot had to offer choices).
    pub kind: String,
    /// How often it was asked.
    pub count: i64,
    /// The latest conversation that asked it (drill-down).
    pub conversation_id: ConversationId,
    /// `open`, `attached`, `created` or `dismissed`.
    pub status: String,
    /// First asked.
    pub first_at: Millis,
    /// Last asked.
    pub last_at: Millis,
}

/// The key of a question: the same words (after normalisation, ignoring punctuation and
/// spaces) are the same question.
pub fn key_of(text: &str) -> String {
    let n = kefu_nlp::normalise::normalise(text);
    let folded: String = n.chars().filter(|c| c.is_alphanumeric()).collect();
    hex::encode(&Sha256::digest(folded.as_bytes())[..12])
}

/// A question as first noted (count 1).
pub fn noted(shop_id: ShopId, text: &str, kind: &str, conversation_id: ConversationId, at: Millis) -> BotQuestion {
    BotQuestion {
        shop_id,
        key: key_of(text),
        text: text.trim().chars().take(MAX_TEXT).collect(),
        kind: kind.into(),
        count: 1,
        conversation_id,
        status: "open".into(),
        first_at: at,
        last_at: at,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_same_words_are_the_same_question() {
        assert_eq!(super::key_of("发票抬头能改吗？"), super::key_of(" 发票抬头能改吗"));
        assert_ne!(super::key_of("发票抬头能改吗"), super::key_of("发票能开吗"));
    }
}
