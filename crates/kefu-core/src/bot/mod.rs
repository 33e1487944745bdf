//! The bot (机器人客服): a shop's knowledge base (FAQs, flows, hand-off rules), trained into a
//! `Brain`, and one pure function per customer message that decides the answer, the next
//! question of a flow, suggestions, "I don't know", or a hand-off to a person. The inbox
//! (`inbox/bot_side.rs`) stores what it decides and renders templates with live data.

pub mod brain;
pub mod card_words;
pub mod context;
pub mod dialogue;
pub mod experiment;
pub mod facts;
pub mod flow;
pub mod handoff;
pub mod import;
pub mod kb;
pub mod learning;
pub mod template;
pub mod translations;
#[cfg(test)]
mod dialogue_tests;

pub use brain::Brain;
pub use context::ContextCard;
pub use dialogue::{respond, DialogueState, Outcome, Reply, Turn};
pub use flow::{Flow, FlowRun, Slot};
pub use handoff::{HandoffPolicy, HandoffReason};
pub use kb::{Faq, KbVersion, KnowledgeBase};
pub use translations::{FaqTranslation, PerLanguage};

/// Ids of FAQs, flows and slots: 1-64 letters, digits, `-` or `_`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
