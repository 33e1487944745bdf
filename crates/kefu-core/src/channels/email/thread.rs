//! Threading: which conversation an email belongs to, and the headers of a reply.
//!
//! An email names what it answers in `In-Reply-To` and its whole ancestry in `References`.
//! kefu records every email it receives or sends by (shop, Message-ID); an incoming email
//! whose ancestry contains a recorded one joins that record's conversation (unless it was
//! closed for good), whoever it is from: a reply-all from the customer's colleague belongs
//! to the same case. Otherwise the sender's address decides, like every other channel.

use crate::conversation::Status;
use crate::ids::{ConversationId, CustomerId, ShopId};
use sha2::{Digest, Sha256};

/// Most ancestors looked up or carried in `References` (clients send hundreds in long
/// threads; the oldest and the newest are what matter).
pub const MAX_REFERENCES: usize = 20;

/// A Message-ID without angle brackets or spaces, or `None` when it is not usable.
pub fn normalise_id(raw: &str) -> Option<String> {
    let id = raw.trim().trim_start_matches('<').trim_end_matches('>').trim();
    (!id.is_empty() && id.len() <= 250 && !id.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')).then(|| id.to_string())
}

/// The stored key of an email: SHA-256 over the shop and its Message-ID, so the table is
/// looked up without keeping ids (which often carry addresses) in a plain column.
pub fn record_id(shop: ShopId, message_id: &str) -> String {
    hex::encode(Sha256::digest(format!("email:{shop}:{message_id}")))
}

/// The Message-IDs to look up for an incoming email, most specific first: what it replies
/// to, then its References from the newest back; no repeats, at most [`MAX_REFERENCES`].
pub fn ancestry(in_reply_to: &[String], references: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in in_reply_to.iter().chain(references.iter().rev()) {
        if let Some(id) = normalise_id(id) {
            if !out.contains(&id) {
                out.push(id);
            }
        }
        if out.len() == MAX_REFERENCES {
            break;
        }
    }
    out
}

/// Where an incoming email goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Thread {
    /// Into this conversation, as a message of its customer.
    Existing {
        /// The conversation.
        conversation: ConversationId,
        /// Its customer.
        customer: CustomerId,
    },
    /// To the sender's own customer (their open conversation, or a new one).
    BySender,
}

/// Decide from the conversation the nearest recorded ancestor belongs to (if any) and its
/// status. A closed conversation is over: a reply to it starts a new one through the sender.
pub fn decide(found: Option<(ConversationId, CustomerId, Status)>) -> Thread {
    match found {
        Some((conversation, customer, status)) if status != Status::Closed => Thread::Existing { conversation, customer },
        _ => Thread::BySender,
    }
}

/// The subject of a reply: one "Re: " before the thread's subject, whatever prefixes
/// (Re:, RE:, 回复:, 答复:, Aw:) it had collected; a thread without one gets kefu's subject in
/// the customer's language `lang`.
pub fn reply_subject(subject: &str, lang: kefu_i18n::Lang) -> String {
    let mut s = subject.trim();
    loop {
        let lower = s.to_lowercase();
        let cut = ["re:", "re：", "aw:", "回复:", "回复：", "答复:", "答复："].iter().find(|p| lower.starts_with(*p)).map(|p| p.len());
        match cut {
            // The prefixes are ASCII or CJK of the same length in either case: safe to slice.
            Some(n) if s.is_char_boundary(n) => s = s[n..].trim_start(),
            _ => break,
        }
    }
    if s.is_empty() {
        format!("Re: {}", default_subject(lang))
    } else {
        format!("Re: {s}")
    }
}

/// The subject kefu gives an email it starts (an agent wrote first), in the customer's language.
pub fn default_subject(lang: kefu_i18n::Lang) -> String {
    kefu_i18n::render(lang, "customer-email-subject")
}

/// The `References` of a reply to an email with `parent_refs` and `parent_id`: its
/// ancestry plus itself, keeping the thread's root and the newest ones (RFC 5322 §3.6.4).
pub fn reply_references(parent_refs: &[String], parent_id: &str) -> Vec<String> {
    let mut all: Vec<String> = parent_refs.iter().filter_map(|r| normalise_id(r)).collect();
    if let Some(id) = normalise_id(parent_id) {
        all.push(id);
    }
    all.dedup();
    if all.len() > MAX_REFERENCES {
        let root = all[0].clone();
        let tail = all.split_off(all.len() - (MAX_REFERENCES - 1));
        all = std::iter::once(root).chain(tail).collect();
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ids_and_ancestry() {
        assert_eq!(normalise_id(" <abc@mx.example> ").as_deref(), Some("abc@mx.example"));
        assert_eq!(normalise_id("<>"), None);
        assert_eq!(normalise_id("a b@c"), None);
        let a = ancestry(&["<m3@x>".into()], &["<m1@x>".into(), "<m2@x>".into(), "<m3@x>".into()]);
        assert_eq!(a, vec!["m3@x", "m2@x", "m1@x"]);
        let shop = ShopId::new();
        assert_eq!(record_id(shop, "m1@x"), record_id(shop, "m1@x"));
        assert_ne!(record_id(shop, "m1@x"), record_id(ShopId::new(), "m1@x"));
    }

    #[test]
    fn decisions() {
        let (c, u) = (ConversationId::new(), CustomerId::new());
        assert_eq!(decide(Some((c, u, Status::Resolved))), Thread::Existing { conversation: c, customer: u });
        assert_eq!(decide(Some((c, u, Status::Closed))), Thread::BySender);
        assert_eq!(decide(None), Thread::BySender);
    }

    #[test]
    fn subjects_and_references() {
        assert_eq!(reply_subject("订单 DY-1001 还没到", kefu_i18n::Lang::ZhCn), "Re: 订单 DY-1001 还没到");
        assert_eq!(reply_subject("RE: Re: 回复：订单", kefu_i18n::Lang::ZhCn), "Re: 订单");
        assert_eq!(reply_subject("", kefu_i18n::Lang::ZhCn), "Re: 客服回复");
        assert_eq!(reply_subject("  ", kefu_i18n::Lang::En), "Re: Reply from customer service");
        assert_eq!(reply_subject("Where is my order", kefu_i18n::Lang::En), "Re: Where is my order");
        assert_eq!(reply_references(&["a@x".into()], "<b@x>"), vec!["a@x", "b@x"]);
        let many: Vec<String> = (0..30).map(|i| format!("m{i}@x")).collect();
        let r = reply_references(&many, "new@x");
        assert_eq!((r.len(), r[0].as_str(), r[MAX_REFERENCES - 1].as_str()), (MAX_REFERENCES, "m0@x", "new@x"));
    }

    proptest! {
        #[test]
        fn reply_subject_is_idempotent(s in "\\PC{0,60}") {
            let once = reply_subject(&s, kefu_i18n::Lang::En);
            prop_assert_eq!(reply_subject(&once, kefu_i18n::Lang::En), once.clone());
            prop_assert!(once.starts_with("Re: "));
        }

        #[test]
        fn ancestry_is_bounded_and_unique(ids in proptest::collection::vec("[a-z0-9]{1,8}@[a-z]{1,5}", 0..60)) {
            let a = ancestry(&[], &ids);
            prop_assert!(a.len() <= MAX_REFERENCES);
            let set: std::collections::HashSet<&String> = a.iter().collect();
            prop_assert_eq!(set.len(), a.len());
        }
    }
}
